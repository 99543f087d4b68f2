//! The interface layer: neighbours, routes, addresses and the poll loop.
pub(crate) mod neighbor;
