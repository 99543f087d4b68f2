//! Packet-level tests of the interface: frames in, frames out, explicit
//! times. The core cannot use `ferrotcp-phy` devices in unit tests (a
//! second copy of the crate), so it has a tiny device of its own.

mod device;
#[cfg(all(feature = "proto-ipv4", feature = "socket-udp"))]
mod hop_cache;
#[cfg(all(feature = "proto-ipv4", feature = "socket-udp"))]
mod ipv4;
#[cfg(feature = "proto-ipv6")]
mod ipv6;
#[cfg(all(
    feature = "proto-ipv4",
    feature = "socket-tcp-listener",
    feature = "socket-udp"
))]
mod listener;
#[cfg(all(feature = "proto-ipv4", feature = "socket-tcp", feature = "socket-udp"))]
mod tcp;
#[cfg(all(
    feature = "proto-ipv4",
    feature = "socket-tcp-listener",
    feature = "socket-udp"
))]
mod tcp_config;
