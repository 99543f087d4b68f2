//! The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890
//! §2.2.2 and §2.2.3, RFC 8190 §3, and the entries added since), as data.
//!
//! Each row: block, purpose, name, RFC, then the five boolean columns in
//! the registry's order: Source, Destination, Forwardable, Globally
//! Reachable, Reserved-by-Protocol. `NA` is the registry's "N/A".
//!
//! The lookup picks the most specific (longest-prefix) entry containing
//! the address, so nested entries (`192.0.0.9/32` inside `192.0.0.0/24`,
//! `2001::/32` inside `2001::/23`) override their parents.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{Purpose, SpecialPurpose};
use crate::wire::address::{IpCidr, Ipv4Cidr, Ipv6Cidr};

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const NA: Option<bool> = None;

/// An IPv4 block; evaluated at compile time only (a bad length fails the
/// build).
const fn v4(a: u8, b: u8, c: u8, d: u8, prefix_len: u8) -> IpCidr {
    match Ipv4Cidr::new(Ipv4Addr::new(a, b, c, d), prefix_len) {
        Some(cidr) => IpCidr::V4(cidr),
        None => panic!("IPv4 prefix length over 32"),
    }
}

/// An IPv6 block; evaluated at compile time only.
const fn v6(s: [u16; 8], prefix_len: u8) -> IpCidr {
    let addr = Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
    match Ipv6Cidr::new(addr, prefix_len) {
        Some(cidr) => IpCidr::V6(cidr),
        None => panic!("IPv6 prefix length over 128"),
    }
}

/// One registry row: `[source, destination, forwardable, globally
/// reachable, reserved-by-protocol]`.
const fn row(
    block: IpCidr,
    purpose: Purpose,
    name: &'static str,
    rfc: &'static str,
    columns: [Option<bool>; 5],
) -> SpecialPurpose {
    let [
        source,
        destination,
        forwardable,
        globally_reachable,
        reserved_by_protocol,
    ] = columns;
    SpecialPurpose {
        block,
        purpose,
        name,
        rfc,
        source,
        destination,
        forwardable,
        globally_reachable,
        reserved_by_protocol,
    }
}

use Purpose as P;

/// The IPv4 Special-Purpose Address Registry.
#[rustfmt::skip]
pub(super) const IPV4: [SpecialPurpose; 26] = [
    row(v4(0, 0, 0, 0, 8), P::ThisNetwork, "\"This network\"", "RFC 791 §3.2", [F, F, F, F, T]),
    row(v4(0, 0, 0, 0, 32), P::ThisHostOnThisNetwork, "\"This host on this network\"", "RFC 1122 §3.2.1.3", [T, F, F, F, T]),
    row(v4(10, 0, 0, 0, 8), P::PrivateUse, "Private-Use", "RFC 1918", [T, T, T, F, F]),
    row(v4(100, 64, 0, 0, 10), P::SharedAddressSpace, "Shared Address Space", "RFC 6598", [T, T, T, F, F]),
    // Footnote: several protocols (RFC 4379, RFC 5884) have exceptions to
    // the Source and Destination columns.
    row(v4(127, 0, 0, 0, 8), P::Loopback, "Loopback", "RFC 1122 §3.2.1.3", [F, F, F, F, T]),
    row(v4(169, 254, 0, 0, 16), P::LinkLocal, "Link Local", "RFC 3927", [T, T, F, F, T]),
    row(v4(172, 16, 0, 0, 12), P::PrivateUse, "Private-Use", "RFC 1918", [T, T, T, F, F]),
    // Footnote: not usable unless by virtue of a more specific reservation.
    row(v4(192, 0, 0, 0, 24), P::IetfProtocolAssignments, "IETF Protocol Assignments", "RFC 6890 §2.1", [F, F, F, F, F]),
    row(v4(192, 0, 0, 0, 29), P::Ipv4ServiceContinuityPrefix, "IPv4 Service Continuity Prefix", "RFC 7335", [T, T, T, F, F]),
    row(v4(192, 0, 0, 8, 32), P::Ipv4DummyAddress, "IPv4 dummy address", "RFC 7600", [T, F, F, F, F]),
    row(v4(192, 0, 0, 9, 32), P::PortControlProtocolAnycast, "Port Control Protocol Anycast", "RFC 7723", [T, T, T, T, F]),
    row(v4(192, 0, 0, 10, 32), P::TurnAnycast, "Traversal Using Relays around NAT Anycast", "RFC 8155", [T, T, T, T, F]),
    row(v4(192, 0, 0, 170, 32), P::Nat64Dns64Discovery, "NAT64/DNS64 Discovery", "RFC 8880", [F, T, F, F, T]),
    row(v4(192, 0, 0, 171, 32), P::Nat64Dns64Discovery, "NAT64/DNS64 Discovery", "RFC 8880", [F, T, F, F, T]),
    row(v4(192, 0, 2, 0, 24), P::Documentation, "Documentation (TEST-NET-1)", "RFC 5737", [F, F, F, F, F]),
    row(v4(192, 31, 196, 0, 24), P::As112, "AS112-v4", "RFC 7535", [T, T, T, T, F]),
    row(v4(192, 52, 193, 0, 24), P::AutomaticMulticastTunneling, "AMT", "RFC 7450", [T, T, T, T, F]),
    row(v4(192, 88, 99, 0, 24), P::Deprecated6to4RelayAnycast, "Deprecated (6to4 Relay Anycast)", "RFC 7526", [NA, NA, NA, NA, NA]),
    row(v4(192, 88, 99, 2, 32), P::SixA44RelayAnycast, "6a44-relay anycast address", "RFC 6751", [T, T, T, T, F]),
    row(v4(192, 168, 0, 0, 16), P::PrivateUse, "Private-Use", "RFC 1918", [T, T, T, F, F]),
    row(v4(192, 175, 48, 0, 24), P::DirectDelegationAs112, "Direct Delegation AS112 Service", "RFC 7534", [T, T, T, T, F]),
    row(v4(198, 18, 0, 0, 15), P::Benchmarking, "Benchmarking", "RFC 2544", [T, T, T, F, F]),
    row(v4(198, 51, 100, 0, 24), P::Documentation, "Documentation (TEST-NET-2)", "RFC 5737", [F, F, F, F, F]),
    row(v4(203, 0, 113, 0, 24), P::Documentation, "Documentation (TEST-NET-3)", "RFC 5737", [F, F, F, F, F]),
    row(v4(240, 0, 0, 0, 4), P::Reserved, "Reserved", "RFC 1112 §4", [F, F, F, F, T]),
    row(v4(255, 255, 255, 255, 32), P::LimitedBroadcast, "Limited Broadcast", "RFC 8190, RFC 919 §7", [F, T, F, F, T]),
];

/// The IPv6 Special-Purpose Address Registry.
#[rustfmt::skip]
pub(super) const IPV6: [SpecialPurpose; 24] = [
    row(v6([0, 0, 0, 0, 0, 0, 0, 0], 128), P::Unspecified, "Unspecified Address", "RFC 4291", [T, F, F, F, T]),
    row(v6([0, 0, 0, 0, 0, 0, 0, 1], 128), P::Loopback, "Loopback Address", "RFC 4291", [F, F, F, F, T]),
    row(v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96), P::Ipv4Mapped, "IPv4-mapped Address", "RFC 4291", [F, F, F, F, T]),
    row(v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96), P::Ipv4Ipv6Translation, "IPv4-IPv6 Translat.", "RFC 6052", [T, T, T, T, F]),
    row(v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48), P::Ipv4Ipv6TranslationLocalUse, "IPv4-IPv6 Translat.", "RFC 8215", [T, T, T, F, F]),
    row(v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), P::DiscardOnly, "Discard-Only Address Block", "RFC 6666", [T, T, T, F, F]),
    // Footnote: not usable unless by virtue of a more specific reservation.
    row(v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), P::IetfProtocolAssignments, "IETF Protocol Assignments", "RFC 2928", [F, F, F, F, F]),
    // Footnote: see RFC 4380 §5 for Globally Reachable.
    row(v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32), P::Teredo, "TEREDO", "RFC 4380, RFC 8190", [T, T, T, NA, F]),
    row(v6([0x2001, 1, 0, 0, 0, 0, 0, 1], 128), P::PortControlProtocolAnycast, "Port Control Protocol Anycast", "RFC 7723", [T, T, T, T, F]),
    row(v6([0x2001, 1, 0, 0, 0, 0, 0, 2], 128), P::TurnAnycast, "Traversal Using Relays around NAT Anycast", "RFC 8155", [T, T, T, T, F]),
    row(v6([0x2001, 1, 0, 0, 0, 0, 0, 3], 128), P::DnsSdSrpAnycast, "DNS-SD Service Registration Protocol Anycast Address", "RFC 9665", [T, T, T, T, F]),
    row(v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48), P::Benchmarking, "Benchmarking", "RFC 5180", [T, T, T, F, F]),
    row(v6([0x2001, 3, 0, 0, 0, 0, 0, 0], 32), P::AutomaticMulticastTunneling, "AMT", "RFC 7450", [T, T, T, T, F]),
    row(v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48), P::As112, "AS112-v6", "RFC 7535", [T, T, T, T, F]),
    row(v6([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28), P::DeprecatedOrchid, "Deprecated (previously ORCHID)", "RFC 4843", [F, F, F, F, F]),
    row(v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28), P::OrchidV2, "ORCHIDv2", "RFC 7343", [T, T, T, T, F]),
    row(v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28), P::DroneRemoteIdEntityTags, "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", [T, T, T, T, F]),
    row(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), P::Documentation, "Documentation", "RFC 3849", [F, F, F, F, F]),
    // Footnote: see RFC 3056 §2 for Globally Reachable.
    row(v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16), P::SixToFour, "6to4", "RFC 3056", [T, T, T, NA, F]),
    row(v6([0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0], 48), P::DirectDelegationAs112, "Direct Delegation AS112 Service", "RFC 7534", [T, T, T, T, F]),
    row(v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), P::Documentation, "Documentation", "RFC 9637", [F, F, F, F, F]),
    row(v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16), P::SegmentRoutingSids, "Segment Routing (SRv6) SIDs", "RFC 9602", [T, T, T, F, F]),
    // Footnote: RFC 4193 on routability; drawn from global unicast space
    // but not globally routed.
    row(v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), P::UniqueLocal, "Unique-Local", "RFC 4193, RFC 8190", [T, T, T, F, F]),
    row(v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), P::LinkLocal, "Link-Local Unicast", "RFC 4291", [T, T, F, F, T]),
];

/// The most specific entry of `table` that contains `addr`.
pub(super) fn lookup(table: &[SpecialPurpose], addr: IpAddr) -> Option<SpecialPurpose> {
    table
        .iter()
        .filter(|entry| entry.block.contains_addr(&addr))
        .max_by_key(|entry| entry.block.prefix_len())
        .copied()
}
