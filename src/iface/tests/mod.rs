//! Packet-level tests of the interface: frames in, frames out, explicit
//! times. The core cannot use `ferrotcp-phy` devices in unit tests (a
//! second copy of the crate), so it has a tiny device of its own.

mod device;
#[cfg(feature = "proto-ipv4")]
mod ipv4;
#[cfg(feature = "proto-ipv6")]
mod ipv6;
#[cfg(feature = "proto-ipv4")]
mod listener;
#[cfg(feature = "proto-ipv4")]
mod tcp;
#[cfg(feature = "proto-ipv4")]
mod tcp_config;
