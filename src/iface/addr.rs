//! Address questions both families' code asks, compiled whatever the
//! protocol features: which addresses and groups are ours, and which
//! source to use towards a destination.

use core::net::{Ipv4Addr, Ipv6Addr};

use super::interface::InterfaceInner;
use crate::wire::Ipv4Cidr;

/// The all-nodes multicast group (RFC 4291 §2.7.1).
pub(crate) const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

impl InterfaceInner<'_> {
    /// The IPv6 groups we listen to: all-nodes, the solicited-node group
    /// of every address, and the joined groups.
    pub(crate) fn ipv6_groups_iter(&self) -> impl Iterator<Item = Ipv6Addr> + '_ {
        core::iter::once(ALL_NODES)
            .chain(self.ipv6_addrs.iter().map(|c| solicited_node(&c.address())))
            .chain(self.ipv6_groups.iter().copied())
    }

    pub(crate) fn has_ipv6_addr(&self, addr: &Ipv6Addr) -> bool {
        self.ipv6_addrs.iter().any(|c| c.address() == *addr)
    }

    /// Whether `a` is the subnet-directed broadcast address of one of our
    /// networks (RFC 922; none for /31 and /32, RFC 3021): `Ipv4Cidr::
    /// broadcast` without its branches (every received datagram asks).
    #[inline]
    pub(crate) fn is_ipv4_subnet_broadcast(&self, a: Ipv4Addr) -> bool {
        let a = u32::from(a);
        self.ipv4_addrs.iter().any(|c| {
            let p = c.prefix_len();
            p < 31 && a == u32::from(c.address()) | (u32::MAX >> p)
        })
    }

    /// Our IPv4 address to talk to `dst` from: one on the same network,
    /// else the first.
    pub(crate) fn ipv4_source_for(&self, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        self.ipv4_addrs
            .iter()
            .find(|c| c.contains_addr(&dst))
            .or_else(|| self.ipv4_addrs.first())
            .map(Ipv4Cidr::address)
    }
    /// Source address selection (RFC 6724 §5, the rules that apply to a
    /// host with few addresses): same scope as the destination (rule 2),
    /// then the longest matching prefix (rule 8).
    pub(crate) fn ipv6_source_for(&self, dst: &Ipv6Addr) -> Option<Ipv6Addr> {
        let want_link_local =
            is_link_local(dst) || (dst.is_multicast() && (dst.segments()[0] & 0x000f) <= 2);
        self.ipv6_addrs.iter().map(|c| c.address()).max_by_key(|a| {
            let same_scope = is_link_local(a) == want_link_local;
            let common = (u128::from(*a) ^ u128::from(*dst)).leading_zeros();
            (same_scope, common)
        })
    }
}

/// `fe80::/10`.
pub(crate) fn is_link_local(a: &Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// The solicited-node multicast address of `a` (RFC 4291 §2.7.1).
pub(crate) fn solicited_node(a: &Ipv6Addr) -> Ipv6Addr {
    let o = a.octets();
    Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    )
}

pub(crate) fn is_solicited_node(a: &Ipv6Addr) -> bool {
    let s = a.segments();
    s[0] == 0xff02 && s[1..5] == [0, 0, 0, 0] && s[5] == 1 && s[6] & 0xff00 == 0xff00
}
