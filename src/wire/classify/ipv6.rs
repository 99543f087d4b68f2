//! IPv6 address classification.

use core::net::{IpAddr, Ipv6Addr};

use super::ipv4::Ipv4AddrExt;
use super::registry;
use super::sealed::Sealed;
use super::{MulticastScope, SpecialPurpose};

/// Whether `addr` is inside `network/prefix_len` (`prefix_len` in 1..=128).
const fn in_block(addr: Ipv6Addr, network: [u16; 8], prefix_len: u32) -> bool {
    let mask = u128::MAX << (128 - prefix_len);
    let n = network;
    let network = Ipv6Addr::new(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]);
    addr.to_bits() & mask == network.to_bits()
}

/// The solicited-node multicast prefix `ff02::1:ff00:0/104` (RFC 4291
/// §2.7.1).
const SOLICITED_NODE_PREFIX: [u16; 8] = [0xff02, 0, 0, 0, 0, 1, 0xff00, 0];

/// Classification of IPv6 addresses.
///
/// Implemented for [`Ipv6Addr`] only. See the [module
/// documentation](super) about names shared with `core::net`.
pub trait Ipv6AddrExt: Sealed {
    /// Unique local `fc00::/7` (RFC 4193 §3.1).
    fn is_unique_local(&self) -> bool;
    /// Link-local unicast `fe80::/10` (RFC 4291 §2.5.6).
    fn is_unicast_link_local(&self) -> bool;
    /// Site-local unicast `fec0::/10`, deprecated by RFC 3879 but still to
    /// be recognised (RFC 4291 §2.5.7).
    fn is_site_local(&self) -> bool;
    /// The loopback address `::1` (RFC 4291 §2.5.3).
    fn is_loopback(&self) -> bool;
    /// The unspecified address `::` (RFC 4291 §2.5.2).
    fn is_unspecified(&self) -> bool;
    /// Multicast `ff00::/8` (RFC 4291 §2.7).
    fn is_multicast(&self) -> bool;
    /// The scope of a multicast address, from its 4-bit scop field (RFC 4291
    /// §2.7, RFC 7346 §2); `None` for a unicast address.
    fn mcast_scope(&self) -> Option<MulticastScope>;
    /// A solicited-node multicast address `ff02::1:ffXX:XXXX` (RFC 4291
    /// §2.7.1).
    fn is_solicited_node_multicast(&self) -> bool;
    /// The solicited-node multicast address of this (unicast or anycast)
    /// address: `ff02::1:ff00:0/104` followed by its low 24 bits (RFC 4291
    /// §2.7.1).
    fn solicited_node(&self) -> Ipv6Addr;
    /// An IPv4-mapped address `::ffff:0:0/96` (RFC 4291 §2.5.5.2).
    fn is_v4_mapped(&self) -> bool;
    /// Documentation `2001:db8::/32` (RFC 3849 §4) and `3fff::/20` (RFC 9637
    /// §6).
    fn is_documentation_prefix(&self) -> bool;
    /// The most specific entry of the IANA IPv6 Special-Purpose Address
    /// Registry containing this address, if any.
    fn special_purpose(&self) -> Option<SpecialPurpose>;
    /// Whether the address reaches beyond its administrative domain.
    ///
    /// For a multicast address: its scope is global. Otherwise: its
    /// special-purpose entry, if any, says "Globally Reachable: True" (an
    /// "N/A", as for Teredo and 6to4, counts as false); an address in no
    /// entry must have global [`scope`](Ipv6AddrExt::scope) (so deprecated
    /// site-local addresses are not global).
    fn is_globally_reachable(&self) -> bool;
    /// The scope of the address for source address selection (RFC 6724
    /// §3.1): the scop field of a multicast address; link-local for
    /// `fe80::/10` and for the loopback address (RFC 4007 §4); site-local
    /// for the deprecated `fec0::/10`; the IPv4 rule of RFC 6724 §3.2 for
    /// IPv4-mapped addresses; global otherwise, unique local addresses
    /// included (RFC 4193 §3.3).
    ///
    /// The unspecified address has no scope; it is reported as global.
    fn scope(&self) -> MulticastScope;
}

impl Ipv6AddrExt for Ipv6Addr {
    fn is_unique_local(&self) -> bool {
        // Same meaning as the stable inherent method.
        Ipv6Addr::is_unique_local(self)
    }
    fn is_unicast_link_local(&self) -> bool {
        Ipv6Addr::is_unicast_link_local(self)
    }
    fn is_site_local(&self) -> bool {
        in_block(*self, [0xfec0, 0, 0, 0, 0, 0, 0, 0], 10)
    }
    fn is_loopback(&self) -> bool {
        Ipv6Addr::is_loopback(self)
    }
    fn is_unspecified(&self) -> bool {
        Ipv6Addr::is_unspecified(self)
    }
    fn is_multicast(&self) -> bool {
        Ipv6Addr::is_multicast(self)
    }
    fn mcast_scope(&self) -> Option<MulticastScope> {
        if !Ipv6Addr::is_multicast(self) {
            return None;
        }
        // RFC 4291 §2.7: |11111111|flgs|scop|group ID|.
        Some(MulticastScope::from_value(self.octets()[1] & 0x0f))
    }
    fn is_solicited_node_multicast(&self) -> bool {
        in_block(*self, SOLICITED_NODE_PREFIX, 104)
    }
    fn solicited_node(&self) -> Ipv6Addr {
        let prefix = Ipv6Addr::from(SOLICITED_NODE_PREFIX).to_bits();
        Ipv6Addr::from_bits(prefix | (self.to_bits() & 0x00ff_ffff))
    }
    fn is_v4_mapped(&self) -> bool {
        in_block(*self, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96)
    }
    fn is_documentation_prefix(&self) -> bool {
        in_block(*self, [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32)
            || in_block(*self, [0x3fff, 0, 0, 0, 0, 0, 0, 0], 20)
    }
    fn special_purpose(&self) -> Option<SpecialPurpose> {
        registry::lookup(&registry::IPV6, IpAddr::V6(*self))
    }
    fn is_globally_reachable(&self) -> bool {
        if let Some(scope) = Ipv6AddrExt::mcast_scope(self) {
            return scope == MulticastScope::Global;
        }
        match Ipv6AddrExt::special_purpose(self) {
            Some(entry) => entry.globally_reachable == Some(true),
            None => Ipv6AddrExt::scope(self) == MulticastScope::Global,
        }
    }
    fn scope(&self) -> MulticastScope {
        if let Some(scope) = Ipv6AddrExt::mcast_scope(self) {
            return scope;
        }
        if Ipv6Addr::is_loopback(self) || Ipv6Addr::is_unicast_link_local(self) {
            return MulticastScope::LinkLocal;
        }
        if Ipv6AddrExt::is_site_local(self) {
            return MulticastScope::SiteLocal;
        }
        if Ipv6AddrExt::is_v4_mapped(self) {
            // RFC 6724 §3.2: an IPv4 address has the scope of its mapped form.
            let [.., a, b, c, d] = self.octets();
            return Ipv4AddrExt::scope(&core::net::Ipv4Addr::new(a, b, c, d));
        }
        MulticastScope::Global
    }
}
