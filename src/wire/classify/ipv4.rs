//! IPv4 address classification.

use core::net::{IpAddr, Ipv4Addr};

use super::registry;
use super::sealed::Sealed;
use super::{MulticastScope, SpecialPurpose};
use crate::wire::address::Ipv4Cidr;

/// Whether `addr` is inside `network/prefix_len` (`prefix_len` in 1..=32).
const fn in_block(addr: Ipv4Addr, network: [u8; 4], prefix_len: u32) -> bool {
    let mask = u32::MAX << (32 - prefix_len);
    addr.to_bits() & mask == u32::from_be_bytes(network)
}

/// Classification of IPv4 addresses.
///
/// Implemented for [`Ipv4Addr`] only. See the [module
/// documentation](super) about names shared with `core::net`.
pub trait Ipv4AddrExt: Sealed {
    /// Private-use space `10/8`, `172.16/12`, `192.168/16` (RFC 1918 §3).
    fn is_private(&self) -> bool;
    /// Shared address space `100.64.0.0/10` (RFC 6598 §7).
    fn is_shared_address_space(&self) -> bool;
    /// Link-local `169.254.0.0/16` (RFC 3927).
    fn is_link_local(&self) -> bool;
    /// Loopback `127.0.0.0/8` (RFC 1122 §3.2.1.3 (g)).
    fn is_loopback(&self) -> bool;
    /// "This network" `0.0.0.0/8` (RFC 791 §3.2, RFC 1122 §3.2.1.3 (a),
    /// (b)): valid only as a source, and `0.0.0.0` itself only while a host
    /// learns its address.
    fn is_this_network(&self) -> bool;
    /// The limited broadcast address `255.255.255.255` (RFC 919 §7).
    fn is_limited_broadcast(&self) -> bool;
    /// The directed broadcast address of `network`: its network bits with
    /// every host bit set (RFC 922, RFC 1122 §3.2.1.3 (c)).
    ///
    /// Always false for /31 (RFC 3021: both addresses are hosts) and
    /// /32 networks, which have no broadcast address.
    fn is_subnet_broadcast(&self, network: &Ipv4Cidr) -> bool;
    /// Documentation blocks TEST-NET-1 `192.0.2.0/24`, TEST-NET-2
    /// `198.51.100.0/24`, TEST-NET-3 `203.0.113.0/24` (RFC 5737 §3).
    fn is_documentation(&self) -> bool;
    /// Benchmarking `198.18.0.0/15` (RFC 2544, as registered by RFC 6890 §2.2.2).
    fn is_benchmarking_range(&self) -> bool;
    /// Reserved for future use `240.0.0.0/4` (RFC 1112 §4), limited
    /// broadcast included.
    fn is_future_use(&self) -> bool;
    /// Multicast `224.0.0.0/4` (RFC 1112 §4, RFC 5771 §3).
    fn is_multicast(&self) -> bool;
    /// The Local Network Control Block `224.0.0.0/24` (RFC 5771 §4):
    /// link-scoped groups that routers never forward.
    fn is_local_network_control(&self) -> bool;
    /// Administratively scoped multicast `239.0.0.0/8` (RFC 2365 §6): not
    /// forwarded past the administrative boundary.
    fn is_administratively_scoped(&self) -> bool;
    /// The most specific entry of the IANA IPv4 Special-Purpose Address
    /// Registry containing this address, if any. Multicast groups are not
    /// in that registry.
    fn special_purpose(&self) -> Option<SpecialPurpose>;
    /// Whether the address reaches beyond its administrative domain.
    ///
    /// For a unicast address: its special-purpose entry, if any, says
    /// "Globally Reachable: True" (so `192.0.0.9`, PCP anycast, is global
    /// although `192.0.0.0/24` is not). For a multicast group: it is
    /// neither in the Local Network Control Block (RFC 5771 §4) nor
    /// administratively scoped (RFC 2365 §6).
    fn is_globally_reachable(&self) -> bool;
    /// Whether the address may name a single host (RFC 1122 §3.2.1.3): not
    /// in `0.0.0.0/8` (valid only as a source, see
    /// [`is_this_network`](Ipv4AddrExt::is_this_network)), not multicast,
    /// not in `240.0.0.0/4` (which holds the limited broadcast address).
    ///
    /// A subnet-directed broadcast address cannot be recognised without its
    /// network: also check
    /// [`is_subnet_broadcast`](Ipv4AddrExt::is_subnet_broadcast).
    fn is_unicast(&self) -> bool;
    /// The scope RFC 6724 §3.2 gives the address for source address
    /// selection: loopback and link-local unicast (`127/8`, `169.254/16`)
    /// are link-local; every other address, private ones included, is
    /// global. RFC 6724 says nothing of IPv4 multicast; here the Local
    /// Network Control Block (RFC 5771 §4) is link-local and other groups
    /// are global.
    fn scope(&self) -> MulticastScope;
}

impl Ipv4AddrExt for Ipv4Addr {
    fn is_private(&self) -> bool {
        // Same meaning as the stable inherent method.
        Ipv4Addr::is_private(self)
    }
    fn is_shared_address_space(&self) -> bool {
        // RFC 6598 §7: 100.64.0.0/10.
        in_block(*self, [100, 64, 0, 0], 10)
    }
    fn is_link_local(&self) -> bool {
        Ipv4Addr::is_link_local(self)
    }
    fn is_loopback(&self) -> bool {
        Ipv4Addr::is_loopback(self)
    }
    fn is_this_network(&self) -> bool {
        self.octets()[0] == 0
    }
    fn is_limited_broadcast(&self) -> bool {
        *self == Ipv4Addr::BROADCAST
    }
    fn is_subnet_broadcast(&self, network: &Ipv4Cidr) -> bool {
        // `broadcast()` is None for /31 and /32 (RFC 3021).
        network.broadcast() == Some(*self)
    }
    fn is_documentation(&self) -> bool {
        Ipv4Addr::is_documentation(self)
    }
    fn is_benchmarking_range(&self) -> bool {
        // RFC 2544 (RFC 6890 §2.2.2): 198.18.0.0/15.
        in_block(*self, [198, 18, 0, 0], 15)
    }
    fn is_future_use(&self) -> bool {
        // RFC 1112 §4: class E, 240.0.0.0/4.
        in_block(*self, [240, 0, 0, 0], 4)
    }
    fn is_multicast(&self) -> bool {
        Ipv4Addr::is_multicast(self)
    }
    fn is_local_network_control(&self) -> bool {
        in_block(*self, [224, 0, 0, 0], 24)
    }
    fn is_administratively_scoped(&self) -> bool {
        in_block(*self, [239, 0, 0, 0], 8)
    }
    fn special_purpose(&self) -> Option<SpecialPurpose> {
        registry::lookup(&registry::IPV4, IpAddr::V4(*self))
    }
    fn is_globally_reachable(&self) -> bool {
        if Ipv4Addr::is_multicast(self) {
            return !Ipv4AddrExt::is_local_network_control(self)
                && !Ipv4AddrExt::is_administratively_scoped(self);
        }
        match Ipv4AddrExt::special_purpose(self) {
            Some(entry) => entry.globally_reachable == Some(true),
            None => true,
        }
    }
    fn is_unicast(&self) -> bool {
        !Ipv4AddrExt::is_this_network(self)
            && !Ipv4Addr::is_multicast(self)
            && !Ipv4AddrExt::is_future_use(self)
    }
    fn scope(&self) -> MulticastScope {
        // RFC 6724 §3.2: 127/8 and 169.254/16 get link-local scope.
        if Ipv4Addr::is_loopback(self)
            || Ipv4Addr::is_link_local(self)
            || Ipv4AddrExt::is_local_network_control(self)
        {
            MulticastScope::LinkLocal
        } else {
            MulticastScope::Global
        }
    }
}
