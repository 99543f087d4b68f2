//! The interface layer: IP reassembly and fragmentation.
pub(crate) mod fragment;
pub(crate) mod reassembly;
