//! The interface: a network interface's addresses, routes, neighbours and
//! counters, and the poll loop that connects a [`crate::device::Device`]
//! to a [`crate::socket::SocketSet`].
//!
//! RFCs: 791, 792, 826, 894, 1042, 1112, 1122, 1191, 1812 (ICMP rules),
//! 4443, 4861, 5095, 5722, 6437, 6724, 6946, 7112, 7739, 8200, 8201.

// A single-family build leaves the other family's helpers unused.
#![cfg_attr(
    not(all(feature = "proto-ipv4", feature = "proto-ipv6")),
    allow(dead_code, unused_imports)
)]

mod addr;
mod counters;
mod egress;
#[cfg(feature = "socket-tcp")]
mod fastpath;
mod icmp_limit;
#[cfg(feature = "proto-ipv4")]
mod ident;
mod ingress;
mod interface;
#[cfg(feature = "proto-ipv4")]
mod ipv4;
#[cfg(feature = "proto-ipv6")]
mod ipv6;
mod packet;
mod route;

pub mod fragment;
pub mod neighbor;
pub mod reassembly;

pub use self::counters::{
    ArpCounters, Count, Counters, IcmpCounters, IpCounters, LinkCounters, TcpCounters, UdpCounters,
};
pub use self::interface::{
    AddrError, FLUSH_EVERY, INGRESS_BUDGET, Interface, InterfaceStorage, MAX_IPV4_ADDRS,
    MAX_IPV6_ADDRS, MAX_MULTICAST_GROUPS, MAX_PMTU_ENTRIES, PollResult,
};
pub use self::route::{MAX_ROUTES, Route, RouteTableFull, Routes};

#[cfg(all(test, feature = "alloc", feature = "counters"))]
mod tests;
