//! Address classification: what an IPv4 or IPv6 address is for, where it
//! may appear, and how far it reaches.
//!
//! The checks are extension traits on `core::net`'s address types,
//! [`Ipv4AddrExt`] and [`Ipv6AddrExt`]; bring them into scope with
//! `use ferrotcp::wire::classify::{Ipv4AddrExt, Ipv6AddrExt};`.
//!
//! Sources:
//!
//! * the IANA IPv4 and IPv6 Special-Purpose Address Registries, created by
//!   RFC 6890 and updated by RFC 8190 ("Globally Reachable"), with the
//!   entries added since; their columns are in [`SpecialPurpose`];
//! * RFC 1918 (private use), RFC 6598 (shared address space), RFC 3927
//!   (IPv4 link-local), RFC 919 and RFC 922 (broadcast), RFC 5737 and
//!   RFC 3849 / RFC 9637 (documentation), RFC 2544 / RFC 5180
//!   (benchmarking), RFC 1112 §4 (240/4), RFC 5771 (IPv4 multicast
//!   blocks), RFC 2365 (administratively scoped IPv4 multicast), RFC 1122
//!   §3.2.1.3 (addresses a host may use);
//! * RFC 4291 (IPv6 addressing: §2.5.2 unspecified, §2.5.3 loopback, §2.5.5.2
//!   IPv4-mapped, §2.5.6 link-local, §2.7 multicast scope, §2.7.1
//!   solicited-node), RFC 7346 (realm-local scope), RFC 4193 (unique local),
//!   RFC 3879 (deprecated site-local), RFC 6724 (scopes for source address
//!   selection), RFC 4007 §4 (scope of the loopback address).
//!
//! # Names shared with `core::net`
//!
//! Several methods have the name of an inherent method of `Ipv4Addr` or
//! `Ipv6Addr`. Where the inherent method is stable (`is_private`,
//! `is_link_local`, `is_loopback`, `is_multicast`, `is_unspecified`,
//! IPv4 `is_documentation`, `is_unique_local`, `is_unicast_link_local`),
//! the trait method means exactly the same thing and forwards to it, so
//! which one method-call syntax picks does not matter. Where `core::net`
//! has an unstable method of the same purpose (`is_global`, `is_shared`,
//! `is_benchmarking`, `is_reserved`, IPv6 `is_documentation`,
//! `is_ipv4_mapped`, `multicast_scope`), this trait uses a different name
//! taken from the RFCs (`is_globally_reachable`, `is_shared_address_space`,
//! `is_benchmarking_range`, `is_future_use`, `is_documentation_prefix`,
//! `is_v4_mapped`, `mcast_scope`), so that stabilisation in `core` can never
//! silently change which method a call resolves to.

mod ipv4;
mod ipv6;
mod registry;
#[cfg(test)]
mod tests;

pub use self::ipv4::Ipv4AddrExt;
pub use self::ipv6::Ipv6AddrExt;

use core::net::{Ipv4Addr, Ipv6Addr};

use super::address::IpCidr;

/// A sealed marker: the extension traits are implemented for `core::net`'s
/// address types only.
mod sealed {
    pub trait Sealed {}
    impl Sealed for core::net::Ipv4Addr {}
    impl Sealed for core::net::Ipv6Addr {}
}

/// The all-nodes multicast group, link-local scope (RFC 4291 §2.7.1).
pub const IPV6_ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// The all-routers multicast group, link-local scope (RFC 4291 §2.7.1).
pub const IPV6_ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
/// The group of all MLDv2-capable routers, the destination of MLDv2
/// reports (RFC 3810 §5.2.14).
pub const IPV6_ALL_MLDV2_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);
/// The all-hosts group, joined by every IPv4 multicast host (RFC 1112 §4).
pub const IPV4_ALL_HOSTS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 1);
/// The all-routers group, the destination of IGMPv2 Leave Group messages
/// (RFC 2236 §3).
pub const IPV4_ALL_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 2);
/// The group of all IGMPv3-capable multicast routers, the destination of
/// IGMPv3 reports (RFC 3376 §4.2.14).
pub const IPV4_IGMPV3_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 22);

/// The purpose of a block in the IANA Special-Purpose Address Registries.
///
/// One purpose may name several blocks (the three RFC 1918 blocks are all
/// [`Purpose::PrivateUse`]; the IPv4 and IPv6 documentation blocks are all
/// [`Purpose::Documentation`]); [`SpecialPurpose::block`] tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Purpose {
    /// IPv4 `0.0.0.0/8`, "this network" (RFC 791 §3.2).
    ThisNetwork,
    /// IPv4 `0.0.0.0/32`, "this host on this network" (RFC 1122 §3.2.1.3).
    ThisHostOnThisNetwork,
    /// IPv6 `::/128`, the unspecified address (RFC 4291 §2.5.2).
    Unspecified,
    /// IPv4 `127.0.0.0/8` (RFC 1122 §3.2.1.3), IPv6 `::1/128` (RFC 4291
    /// §2.5.3).
    Loopback,
    /// IPv4 `10/8`, `172.16/12`, `192.168/16` (RFC 1918).
    PrivateUse,
    /// IPv4 `100.64.0.0/10`, carrier-grade NAT space (RFC 6598).
    SharedAddressSpace,
    /// IPv4 `169.254.0.0/16` (RFC 3927), IPv6 `fe80::/10` (RFC 4291 §2.5.6).
    LinkLocal,
    /// IPv4 `192.0.0.0/24` (RFC 6890 §2.1), IPv6 `2001::/23` (RFC 2928):
    /// not usable except through a more specific entry.
    IetfProtocolAssignments,
    /// IPv4 `192.0.0.0/29`, the IPv4 Service Continuity Prefix (RFC 7335).
    Ipv4ServiceContinuityPrefix,
    /// IPv4 `192.0.0.8/32`, the IPv4 dummy address (RFC 7600).
    Ipv4DummyAddress,
    /// IPv4 `192.0.0.9/32`, IPv6 `2001:1::1/128`: Port Control Protocol
    /// anycast (RFC 7723).
    PortControlProtocolAnycast,
    /// IPv4 `192.0.0.10/32`, IPv6 `2001:1::2/128`: Traversal Using Relays
    /// around NAT anycast (RFC 8155).
    TurnAnycast,
    /// IPv6 `2001:1::3/128`: DNS-SD Service Registration Protocol anycast
    /// (RFC 9665).
    DnsSdSrpAnycast,
    /// IPv4 `192.0.0.170/32` and `192.0.0.171/32`: well-known IPv4-only
    /// names for NAT64 prefix discovery (RFC 8880).
    Nat64Dns64Discovery,
    /// IPv4 TEST-NET-1/2/3 (RFC 5737); IPv6 `2001:db8::/32` (RFC 3849) and
    /// `3fff::/20` (RFC 9637).
    Documentation,
    /// IPv4 `192.31.196.0/24` (AS112-v4), IPv6 `2001:4:112::/48`
    /// (AS112-v6): RFC 7535.
    As112,
    /// IPv4 `192.175.48.0/24`, IPv6 `2620:4f:8000::/48`: direct delegation
    /// AS112 service (RFC 7534).
    DirectDelegationAs112,
    /// IPv4 `192.52.193.0/24`, IPv6 `2001:3::/32`: Automatic Multicast
    /// Tunneling (RFC 7450).
    AutomaticMulticastTunneling,
    /// IPv4 `192.88.99.0/24`, formerly the 6to4 relay anycast block,
    /// deprecated by RFC 7526.
    Deprecated6to4RelayAnycast,
    /// IPv4 `192.88.99.2/32`, the 6a44 relay anycast address (RFC 6751).
    SixA44RelayAnycast,
    /// IPv4 `198.18.0.0/15` (RFC 2544), IPv6 `2001:2::/48` (RFC 5180).
    Benchmarking,
    /// IPv4 `240.0.0.0/4`, reserved for future use (RFC 1112 §4).
    Reserved,
    /// IPv4 `255.255.255.255/32`, limited broadcast (RFC 919 §7, RFC 8190).
    LimitedBroadcast,
    /// IPv6 `::ffff:0:0/96`, IPv4-mapped addresses (RFC 4291 §2.5.5.2).
    Ipv4Mapped,
    /// IPv6 `64:ff9b::/96`, the IPv4/IPv6 translation well-known prefix
    /// (RFC 6052).
    Ipv4Ipv6Translation,
    /// IPv6 `64:ff9b:1::/48`, the local-use IPv4/IPv6 translation prefix
    /// (RFC 8215).
    Ipv4Ipv6TranslationLocalUse,
    /// IPv6 `100::/64`, the discard-only block (RFC 6666).
    DiscardOnly,
    /// IPv6 `2001::/32`, Teredo (RFC 4380).
    Teredo,
    /// IPv6 `2001:10::/28`, formerly ORCHID (RFC 4843), deprecated by
    /// RFC 7343.
    DeprecatedOrchid,
    /// IPv6 `2001:20::/28`, ORCHIDv2 (RFC 7343).
    OrchidV2,
    /// IPv6 `2001:30::/28`, Drone Remote ID Protocol Entity Tags (RFC 9374).
    DroneRemoteIdEntityTags,
    /// IPv6 `2002::/16`, 6to4 (RFC 3056).
    SixToFour,
    /// IPv6 `5f00::/16`, Segment Routing (SRv6) SIDs (RFC 9602).
    SegmentRoutingSids,
    /// IPv6 `fc00::/7`, unique local addresses (RFC 4193).
    UniqueLocal,
}

/// One entry of the IANA IPv4 or IPv6 Special-Purpose Address Registry
/// (RFC 6890 §2.1, column names as updated by RFC 8190 §3).
///
/// Each boolean column is `Some(true)`, `Some(false)`, or `None` where the
/// registry says "N/A" (e.g. Globally Reachable for Teredo and 6to4, every
/// column of the deprecated 6to4 relay anycast block).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SpecialPurpose {
    /// The registered address block.
    pub block: IpCidr,
    /// What the block is for.
    pub purpose: Purpose,
    /// The registry's name for the block.
    pub name: &'static str,
    /// The RFC that requested the block (with the section where the
    /// registry gives one).
    pub rfc: &'static str,
    /// Whether an address of the block is valid as the source of a datagram
    /// that transits two devices.
    pub source: Option<bool>,
    /// Whether an address of the block is valid as the destination of a
    /// datagram that transits two devices.
    pub destination: Option<bool>,
    /// Whether a router may forward a datagram addressed into the block
    /// between external interfaces.
    pub forwardable: Option<bool>,
    /// Whether a datagram addressed into the block is forwardable beyond a
    /// specified administrative domain ("Globally Reachable", RFC 8190 §3;
    /// "Global" in RFC 6890).
    pub globally_reachable: Option<bool>,
    /// Whether IP itself treats the block specially: every compliant
    /// implementation must behave in a special way for it.
    pub reserved_by_protocol: Option<bool>,
}

impl SpecialPurpose {
    /// Every entry of the IPv4 registry, in address order.
    pub const IPV4_REGISTRY: &'static [SpecialPurpose] = &registry::IPV4;
    /// Every entry of the IPv6 registry, in address order.
    pub const IPV6_REGISTRY: &'static [SpecialPurpose] = &registry::IPV6;
}

/// An IPv6 multicast scope (RFC 4291 §2.7, RFC 7346 §2), also used by
/// RFC 6724 §3.1 as the scope of unicast addresses.
///
/// Scopes are ordered by their numeric [`value`](MulticastScope::value)
/// (RFC 6724 compares them so); the enum itself has no order because the
/// reserved and unassigned values fall between the named ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MulticastScope {
    /// 1: a single interface, loopback multicast only.
    InterfaceLocal,
    /// 2: the link.
    LinkLocal,
    /// 3: a realm, defined by the underlying network technology (RFC 7346).
    RealmLocal,
    /// 4: the smallest administratively configured scope.
    AdminLocal,
    /// 5: a single site.
    SiteLocal,
    /// 8: several sites of one organization.
    OrganizationLocal,
    /// 14 (0xE): global.
    Global,
    /// 0 or 15 (0xF): reserved. RFC 4291 §2.7: packets for scope 0xF are
    /// treated like global ones.
    Reserved(u8),
    /// 6, 7, 9 to 13 (0xD): unassigned, available to administrators for
    /// further multicast regions.
    Unassigned(u8),
}

impl MulticastScope {
    /// The scope for a 4-bit scop value (higher bits are ignored).
    pub const fn from_value(value: u8) -> MulticastScope {
        // RFC 4291 §2.7 and RFC 7346 §2: the scop field values.
        match value & 0x0f {
            0x1 => MulticastScope::InterfaceLocal,
            0x2 => MulticastScope::LinkLocal,
            0x3 => MulticastScope::RealmLocal,
            0x4 => MulticastScope::AdminLocal,
            0x5 => MulticastScope::SiteLocal,
            0x8 => MulticastScope::OrganizationLocal,
            0xe => MulticastScope::Global,
            v @ (0x0 | 0xf) => MulticastScope::Reserved(v),
            v => MulticastScope::Unassigned(v),
        }
    }

    /// The 4-bit scop value.
    pub const fn value(self) -> u8 {
        match self {
            MulticastScope::InterfaceLocal => 0x1,
            MulticastScope::LinkLocal => 0x2,
            MulticastScope::RealmLocal => 0x3,
            MulticastScope::AdminLocal => 0x4,
            MulticastScope::SiteLocal => 0x5,
            MulticastScope::OrganizationLocal => 0x8,
            MulticastScope::Global => 0xe,
            MulticastScope::Reserved(v) | MulticastScope::Unassigned(v) => v & 0x0f,
        }
    }
}
