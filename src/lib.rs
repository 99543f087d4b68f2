//! ferrotcp: a `no_std`, allocation-optional, sans-IO TCP/IP stack.
//!
//! The core does no I/O and reads no clock. The caller hands it frames
//! through a device and the current time as an [`time::Instant`]; every
//! protocol is a state machine driven by those two inputs.
//!
//! This release contains the foundation the stack stands on:
//!
//! * [`wire`]: zero-copy views and high-level representations of every
//!   protocol the stack speaks — Ethernet II and IEEE 802.3 LLC/SNAP, ARP,
//!   IPv4 with options, IPv6 with its extension-header chain, ICMPv4,
//!   ICMPv6 with NDP and MLDv1/v2, IGMPv1/v2/v3, UDP, TCP with all its
//!   options, DHCPv4 — plus address types and classification, the internet
//!   checksum and TCP sequence numbers.
//! * [`time`]: `Instant` and `Duration` in microseconds with saturating
//!   arithmetic.
//!
//! # Features
//!
//! | feature | effect |
//! |---|---|
//! | `std` | link std (implies `alloc`) |
//! | `alloc` | owned storage through an allocator |
//! | `log` / `defmt` | logging backends (defmt wins when both are on) |
//! | `proto-ipv4` | IPv4, ARP, ICMPv4, IGMP |
//! | `proto-ipv4-fragmentation` | IPv4 fragmentation on transmit and reassembly |
//! | `proto-ipv6` | IPv6 + extension headers, ICMPv6, NDP, MLD |
//! | `proto-ipv6-fragmentation` | IPv6 source fragmentation and reassembly |
//! | `proto-dhcpv4` | DHCPv4 |
//! | `socket-tcp`, `socket-udp` | transport sockets |
//! | `socket-tcp-listener` | `tcp::Listener`: accept backlog, SYN cookies |
//! | `socket-icmp`, `socket-raw` | ping sockets, raw IP sockets |
//! | `counters` | the interface's `u64` packet counters (zero-size without) |
//! | `pmtu-cache` | path MTUs learned from ICMP (link MTU without) |
//!
//! Every one is on by default; a firmware turns off what it does not use
//! (`default-features = false`, then e.g. `proto-ipv4`, `socket-udp`).
#![no_std]
// No unsafe code in the core. The one exception is the test-only defmt
// logger below, which exists only in `cargo test --features defmt`.
#![cfg_attr(not(all(test, feature = "defmt")), forbid(unsafe_code))]
#![cfg_attr(all(test, feature = "defmt"), deny(unsafe_code))]
#![warn(missing_docs)]
// Tests use std freely; the library itself must not reach for std where
// core or alloc has the item.
#![cfg_attr(
    not(test),
    warn(
        clippy::std_instead_of_core,
        clippy::alloc_instead_of_core,
        clippy::std_instead_of_alloc
    )
)]
#![deny(unused_must_use)]
// With every `socket-*` feature off the stack is only a ping responder:
// the socket plumbing is compiled but has nothing to carry.
#![cfg_attr(
    not(any(
        feature = "socket-udp",
        feature = "socket-tcp",
        feature = "socket-icmp",
        feature = "socket-raw"
    )),
    allow(
        dead_code,
        unused_imports,
        unused_macros,
        unused_mut,
        unused_variables,
        unreachable_code
    )
)]

#[cfg(test)]
#[macro_use]
extern crate std;

#[cfg(all(feature = "std", not(test)))]
extern crate std;

#[cfg(feature = "alloc")]
extern crate alloc;

#[macro_use]
mod macros;

pub mod config;
pub mod device;
#[cfg(any(feature = "proto-ipv4", feature = "proto-ipv6"))]
pub mod iface;
pub mod rand;
pub mod socket;
pub mod storage;
pub mod time;
pub mod wire;

/// A do-nothing `defmt` logger so that unit tests link when the `defmt`
/// feature is enabled on the host.
#[cfg(all(test, feature = "defmt"))]
#[allow(unsafe_code)]
mod defmt_test_logger {
    #[defmt::global_logger]
    struct NoopLogger;

    // SAFETY: the logger writes nothing and holds no state; these functions
    // only satisfy the linker.
    unsafe impl defmt::Logger for NoopLogger {
        fn acquire() {}
        unsafe fn flush() {}
        unsafe fn release() {}
        unsafe fn write(_bytes: &[u8]) {}
    }

    defmt::timestamp!("{=u64}", 0);
}
