//! Tests of the classification traits and the registry tables.
//!
//! Boundaries and registry expectations are written out by hand from the
//! RFCs and the IANA registries, independently of the tables and masks in
//! the implementation.

use super::*;
use crate::wire::address::{Ipv4Cidr, Ipv6Cidr};
use core::net::IpAddr;
use core::str::FromStr;
use proptest::prelude::*;

fn a4(s: &str) -> Ipv4Addr {
    Ipv4Addr::from_str(s).unwrap()
}

fn a6(s: &str) -> Ipv6Addr {
    Ipv6Addr::from_str(s).unwrap()
}

fn columns(s: &str) -> [Option<bool>; 5] {
    let mut out = [None; 5];
    for (o, c) in out.iter_mut().zip(s.chars()) {
        *o = match c {
            'T' => Some(true),
            'F' => Some(false),
            '-' => None,
            _ => panic!("bad column spec {s}"),
        };
    }
    out
}

fn entry_columns(e: &SpecialPurpose) -> [Option<bool>; 5] {
    [
        e.source,
        e.destination,
        e.forwardable,
        e.globally_reachable,
        e.reserved_by_protocol,
    ]
}

/// `(check name, check, addresses inside, addresses just outside)`.
type V4Case = (
    &'static str,
    fn(&Ipv4Addr) -> bool,
    &'static [&'static str],
    &'static [&'static str],
);

#[rustfmt::skip]
const V4_BOUNDARIES: &[V4Case] = &[
    ("private", Ipv4AddrExt::is_private,
        &["10.0.0.0", "10.255.255.255", "172.16.0.0", "172.31.255.255", "192.168.0.0", "192.168.255.255"],
        &["9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0"]),
    ("shared", Ipv4AddrExt::is_shared_address_space,
        &["100.64.0.0", "100.127.255.255"],
        &["100.63.255.255", "100.128.0.0"]),
    ("link_local", Ipv4AddrExt::is_link_local,
        &["169.254.0.0", "169.254.255.255"],
        &["169.253.255.255", "169.255.0.0"]),
    ("loopback", Ipv4AddrExt::is_loopback,
        &["127.0.0.0", "127.0.0.1", "127.255.255.255"],
        &["126.255.255.255", "128.0.0.0"]),
    ("this_network", Ipv4AddrExt::is_this_network,
        &["0.0.0.0", "0.255.255.255"],
        &["1.0.0.0"]),
    ("limited_broadcast", Ipv4AddrExt::is_limited_broadcast,
        &["255.255.255.255"],
        &["255.255.255.254", "0.0.0.0"]),
    ("documentation", Ipv4AddrExt::is_documentation,
        &["192.0.2.0", "192.0.2.255", "198.51.100.0", "198.51.100.255", "203.0.113.0", "203.0.113.255"],
        &["192.0.1.255", "192.0.3.0", "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0"]),
    ("benchmarking", Ipv4AddrExt::is_benchmarking_range,
        &["198.18.0.0", "198.19.255.255"],
        &["198.17.255.255", "198.20.0.0"]),
    ("reserved", Ipv4AddrExt::is_future_use,
        &["240.0.0.0", "255.255.255.254", "255.255.255.255"],
        &["239.255.255.255"]),
    ("multicast", Ipv4AddrExt::is_multicast,
        &["224.0.0.0", "239.255.255.255"],
        &["223.255.255.255", "240.0.0.0"]),
    ("local_network_control", Ipv4AddrExt::is_local_network_control,
        &["224.0.0.0", "224.0.0.255"],
        &["223.255.255.255", "224.0.1.0"]),
    ("administratively_scoped", Ipv4AddrExt::is_administratively_scoped,
        &["239.0.0.0", "239.255.255.255"],
        &["238.255.255.255", "240.0.0.0"]),
    ("unicast", Ipv4AddrExt::is_unicast,
        &["1.0.0.0", "10.0.0.1", "127.0.0.1", "223.255.255.255"],
        &["0.0.0.0", "0.255.255.255", "224.0.0.0", "239.255.255.255", "240.0.0.0", "255.255.255.255"]),
    ("global", Ipv4AddrExt::is_globally_reachable,
        &["1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "172.15.255.255",
          "172.32.0.0", "192.0.0.9", "192.0.0.10", "192.31.196.1", "192.52.193.1", "192.88.99.2",
          "192.175.48.1", "198.17.255.255", "198.20.0.0", "223.255.255.255", "224.0.1.0",
          "238.255.255.255"],
        &["0.0.0.0", "10.0.0.1", "100.64.0.0", "127.0.0.1", "169.254.1.1", "172.16.0.0",
          "192.0.0.0", "192.0.0.8", "192.0.0.11", "192.0.0.170", "192.0.2.1", "192.88.99.1",
          "192.168.1.1", "198.18.0.1", "224.0.0.251", "239.1.1.1", "240.0.0.1",
          "255.255.255.255"]),
];

#[test]
fn ipv4_boundaries() {
    for (name, check, inside, outside) in V4_BOUNDARIES {
        for s in *inside {
            assert!(check(&a4(s)), "{name}: {s} should be inside");
        }
        for s in *outside {
            assert!(!check(&a4(s)), "{name}: {s} should be outside");
        }
    }
}

type V6Case = (
    &'static str,
    fn(&Ipv6Addr) -> bool,
    &'static [&'static str],
    &'static [&'static str],
);

#[rustfmt::skip]
const V6_BOUNDARIES: &[V6Case] = &[
    ("unique_local", Ipv6AddrExt::is_unique_local,
        &["fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
        &["fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::"]),
    ("unicast_link_local", Ipv6AddrExt::is_unicast_link_local,
        &["fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
        &["fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fec0::"]),
    ("site_local", Ipv6AddrExt::is_site_local,
        &["fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
        &["febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ff00::"]),
    ("loopback", Ipv6AddrExt::is_loopback,
        &["::1"],
        &["::", "::2", "::ffff:127.0.0.1"]),
    ("unspecified", Ipv6AddrExt::is_unspecified,
        &["::"],
        &["::1", "::ffff:0.0.0.0"]),
    ("multicast", Ipv6AddrExt::is_multicast,
        &["ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
        &["feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]),
    ("solicited_node_multicast", Ipv6AddrExt::is_solicited_node_multicast,
        &["ff02::1:ff00:0", "ff02::1:ffff:ffff"],
        &["ff02::1:feff:ffff", "ff02::2:0:0", "ff05::1:ff00:1", "ff12::1:ff00:1"]),
    ("ipv4_mapped", Ipv6AddrExt::is_v4_mapped,
        &["::ffff:0.0.0.0", "::ffff:255.255.255.255"],
        &["::fffe:ffff:ffff", "::1:0:0:0", "::1.2.3.4", "64:ff9b::1.2.3.4"]),
    ("documentation", Ipv6AddrExt::is_documentation_prefix,
        &["2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "3fff::", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff"],
        &["2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::", "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff:1000::"]),
    ("global", Ipv6AddrExt::is_globally_reachable,
        &["2a00:1::1", "2001:1::1", "2001:1::2", "2001:1::3", "2001:3::1", "2001:4:112::1", "2001:20::1",
          "2001:30::1", "2001:200::", "64:ff9b::102:304", "2620:4f:8000::1", "ff0e::1", "4000::"],
        &["::", "::1", "::ffff:8.8.8.8", "64:ff9b:1::1", "100::1", "2001::1", "2001:1::4", "2001:2::1",
          "2001:5::1", "2001:10::1", "2001:db8::1", "2002::1", "3fff::1", "5f00::1", "fc00::1",
          "fe80::1", "fec0::1", "ff02::1", "ff05::1", "ff08::1", "ff0f::1"]),
];

#[test]
fn ipv6_boundaries() {
    for (name, check, inside, outside) in V6_BOUNDARIES {
        for s in *inside {
            assert!(check(&a6(s)), "{name}: {s} should be inside");
        }
        for s in *outside {
            assert!(!check(&a6(s)), "{name}: {s} should be outside");
        }
    }
}

#[test]
fn subnet_broadcast() {
    let net = |s: &str| Ipv4Cidr::from_str(s).unwrap();
    let b = |a: &str, n: &str| Ipv4AddrExt::is_subnet_broadcast(&a4(a), &net(n));
    assert!(b("192.168.1.255", "192.168.1.7/24"));
    assert!(!b("192.168.1.254", "192.168.1.7/24"));
    assert!(!b("192.168.2.255", "192.168.1.7/24"));
    assert!(!b("192.168.1.0", "192.168.1.7/24"));
    assert!(b("10.0.0.3", "10.0.0.1/30"));
    assert!(b("10.255.255.255", "10.1.2.3/8"));
    assert!(b("255.255.255.255", "1.2.3.4/0"));
    // RFC 3021: a /31 has two hosts and no broadcast address; a /32 none.
    assert!(!b("10.0.0.1", "10.0.0.0/31"));
    assert!(!b("10.0.0.0", "10.0.0.0/31"));
    assert!(!b("10.0.0.1", "10.0.0.1/32"));
}

#[test]
fn ipv4_scope() {
    let s = |a: &str| Ipv4AddrExt::scope(&a4(a));
    assert_eq!(s("127.0.0.1"), MulticastScope::LinkLocal);
    assert_eq!(s("169.254.3.4"), MulticastScope::LinkLocal);
    assert_eq!(s("224.0.0.1"), MulticastScope::LinkLocal);
    assert_eq!(s("10.0.0.1"), MulticastScope::Global);
    assert_eq!(s("8.8.8.8"), MulticastScope::Global);
    assert_eq!(s("224.0.1.1"), MulticastScope::Global);
}

#[test]
fn mcast_scope_values() {
    // RFC 4291 §2.7 and RFC 7346 §2, value by value.
    let expected = [
        MulticastScope::Reserved(0),
        MulticastScope::InterfaceLocal,
        MulticastScope::LinkLocal,
        MulticastScope::RealmLocal,
        MulticastScope::AdminLocal,
        MulticastScope::SiteLocal,
        MulticastScope::Unassigned(6),
        MulticastScope::Unassigned(7),
        MulticastScope::OrganizationLocal,
        MulticastScope::Unassigned(9),
        MulticastScope::Unassigned(10),
        MulticastScope::Unassigned(11),
        MulticastScope::Unassigned(12),
        MulticastScope::Unassigned(13),
        MulticastScope::Global,
        MulticastScope::Reserved(15),
    ];
    for (v, want) in expected.iter().enumerate() {
        let v = v as u8;
        assert_eq!(MulticastScope::from_value(v), *want);
        assert_eq!(want.value(), v);
        // The scop field is the low nibble of the second octet, whatever
        // the flags in the high nibble say.
        for flags in [0u8, 1, 3, 7] {
            let addr = Ipv6Addr::from_bits((0xff00 | u128::from(flags << 4 | v)) << 112 | 0x1234);
            assert_eq!(Ipv6AddrExt::mcast_scope(&addr), Some(*want), "{addr}");
            assert_eq!(Ipv6AddrExt::scope(&addr), *want);
        }
    }
    // High bits of a scop value are ignored.
    assert_eq!(MulticastScope::from_value(0xf2), MulticastScope::LinkLocal);
    assert_eq!(Ipv6AddrExt::mcast_scope(&a6("fe80::1")), None);
    assert_eq!(Ipv6AddrExt::mcast_scope(&a6("2001:db8::1")), None);
}

#[test]
fn ipv6_scope() {
    let s = |a: &str| Ipv6AddrExt::scope(&a6(a));
    assert_eq!(s("::1"), MulticastScope::LinkLocal);
    assert_eq!(s("fe80::1"), MulticastScope::LinkLocal);
    assert_eq!(s("febf::1"), MulticastScope::LinkLocal);
    assert_eq!(s("fec0::1"), MulticastScope::SiteLocal);
    assert_eq!(s("fc00::1"), MulticastScope::Global);
    assert_eq!(s("2001:db8::1"), MulticastScope::Global);
    assert_eq!(s("::"), MulticastScope::Global);
    assert_eq!(s("::ffff:127.0.0.1"), MulticastScope::LinkLocal);
    assert_eq!(s("::ffff:169.254.9.9"), MulticastScope::LinkLocal);
    assert_eq!(s("::ffff:10.0.0.1"), MulticastScope::Global);
    assert_eq!(s("ff02::1"), MulticastScope::LinkLocal);
    assert_eq!(s("ff05::1:3"), MulticastScope::SiteLocal);
    assert_eq!(s("ff0e::101"), MulticastScope::Global);
}

#[test]
fn solicited_node_vectors() {
    // RFC 4291 §2.7.1 gives this example.
    let a = a6("4037::01:800:200e:8c6c");
    assert_eq!(Ipv6AddrExt::solicited_node(&a), a6("ff02::1:ff0e:8c6c"));
    // A modified EUI-64 link-local address: the low 24 bits after ff:fe.
    let a = a6("fe80::211:22ff:fe33:4455");
    assert_eq!(Ipv6AddrExt::solicited_node(&a), a6("ff02::1:ff33:4455"));
    assert_eq!(
        Ipv6AddrExt::solicited_node(&Ipv6Addr::UNSPECIFIED),
        a6("ff02::1:ff00:0")
    );
}

#[test]
fn well_known_groups() {
    assert_eq!(IPV6_ALL_NODES, a6("ff02::1"));
    assert_eq!(IPV6_ALL_ROUTERS, a6("ff02::2"));
    assert_eq!(IPV6_ALL_MLDV2_ROUTERS, a6("ff02::16"));
    assert_eq!(IPV4_ALL_HOSTS, a4("224.0.0.1"));
    assert_eq!(IPV4_ALL_ROUTERS, a4("224.0.0.2"));
    assert_eq!(IPV4_IGMPV3_ROUTERS, a4("224.0.0.22"));
    for g in [IPV6_ALL_NODES, IPV6_ALL_ROUTERS, IPV6_ALL_MLDV2_ROUTERS] {
        assert_eq!(
            Ipv6AddrExt::mcast_scope(&g),
            Some(MulticastScope::LinkLocal)
        );
        assert!(!Ipv6AddrExt::is_globally_reachable(&g));
    }
    for g in [IPV4_ALL_HOSTS, IPV4_ALL_ROUTERS, IPV4_IGMPV3_ROUTERS] {
        assert!(Ipv4AddrExt::is_local_network_control(&g));
        assert!(!Ipv4AddrExt::is_globally_reachable(&g));
    }
}

/// `(address, registered block, purpose, columns "source destination
/// forwardable global reserved")`, written from the IANA registry.
#[rustfmt::skip]
const V4_REGISTRY_EXPECTED: &[(&str, &str, Purpose, &str)] = &[
    ("0.0.0.1", "0.0.0.0/8", Purpose::ThisNetwork, "FFFFT"),
    ("0.255.255.255", "0.0.0.0/8", Purpose::ThisNetwork, "FFFFT"),
    ("0.0.0.0", "0.0.0.0/32", Purpose::ThisHostOnThisNetwork, "TFFFT"),
    ("10.0.0.0", "10.0.0.0/8", Purpose::PrivateUse, "TTTFF"),
    ("10.255.255.255", "10.0.0.0/8", Purpose::PrivateUse, "TTTFF"),
    ("100.64.0.0", "100.64.0.0/10", Purpose::SharedAddressSpace, "TTTFF"),
    ("100.127.255.255", "100.64.0.0/10", Purpose::SharedAddressSpace, "TTTFF"),
    ("127.0.0.0", "127.0.0.0/8", Purpose::Loopback, "FFFFT"),
    ("127.255.255.255", "127.0.0.0/8", Purpose::Loopback, "FFFFT"),
    ("169.254.0.0", "169.254.0.0/16", Purpose::LinkLocal, "TTFFT"),
    ("169.254.255.255", "169.254.0.0/16", Purpose::LinkLocal, "TTFFT"),
    ("172.16.0.0", "172.16.0.0/12", Purpose::PrivateUse, "TTTFF"),
    ("172.31.255.255", "172.16.0.0/12", Purpose::PrivateUse, "TTTFF"),
    ("192.0.0.11", "192.0.0.0/24", Purpose::IetfProtocolAssignments, "FFFFF"),
    ("192.0.0.255", "192.0.0.0/24", Purpose::IetfProtocolAssignments, "FFFFF"),
    ("192.0.0.0", "192.0.0.0/29", Purpose::Ipv4ServiceContinuityPrefix, "TTTFF"),
    ("192.0.0.7", "192.0.0.0/29", Purpose::Ipv4ServiceContinuityPrefix, "TTTFF"),
    ("192.0.0.8", "192.0.0.8/32", Purpose::Ipv4DummyAddress, "TFFFF"),
    ("192.0.0.9", "192.0.0.9/32", Purpose::PortControlProtocolAnycast, "TTTTF"),
    ("192.0.0.10", "192.0.0.10/32", Purpose::TurnAnycast, "TTTTF"),
    ("192.0.0.170", "192.0.0.170/32", Purpose::Nat64Dns64Discovery, "FTFFT"),
    ("192.0.0.171", "192.0.0.171/32", Purpose::Nat64Dns64Discovery, "FTFFT"),
    ("192.0.2.0", "192.0.2.0/24", Purpose::Documentation, "FFFFF"),
    ("192.0.2.255", "192.0.2.0/24", Purpose::Documentation, "FFFFF"),
    ("192.31.196.0", "192.31.196.0/24", Purpose::As112, "TTTTF"),
    ("192.31.196.255", "192.31.196.0/24", Purpose::As112, "TTTTF"),
    ("192.52.193.0", "192.52.193.0/24", Purpose::AutomaticMulticastTunneling, "TTTTF"),
    ("192.52.193.255", "192.52.193.0/24", Purpose::AutomaticMulticastTunneling, "TTTTF"),
    ("192.88.99.0", "192.88.99.0/24", Purpose::Deprecated6to4RelayAnycast, "-----"),
    ("192.88.99.255", "192.88.99.0/24", Purpose::Deprecated6to4RelayAnycast, "-----"),
    ("192.88.99.2", "192.88.99.2/32", Purpose::SixA44RelayAnycast, "TTTTF"),
    ("192.168.0.0", "192.168.0.0/16", Purpose::PrivateUse, "TTTFF"),
    ("192.168.255.255", "192.168.0.0/16", Purpose::PrivateUse, "TTTFF"),
    ("192.175.48.0", "192.175.48.0/24", Purpose::DirectDelegationAs112, "TTTTF"),
    ("192.175.48.255", "192.175.48.0/24", Purpose::DirectDelegationAs112, "TTTTF"),
    ("198.18.0.0", "198.18.0.0/15", Purpose::Benchmarking, "TTTFF"),
    ("198.19.255.255", "198.18.0.0/15", Purpose::Benchmarking, "TTTFF"),
    ("198.51.100.0", "198.51.100.0/24", Purpose::Documentation, "FFFFF"),
    ("198.51.100.255", "198.51.100.0/24", Purpose::Documentation, "FFFFF"),
    ("203.0.113.0", "203.0.113.0/24", Purpose::Documentation, "FFFFF"),
    ("203.0.113.255", "203.0.113.0/24", Purpose::Documentation, "FFFFF"),
    ("240.0.0.0", "240.0.0.0/4", Purpose::Reserved, "FFFFT"),
    ("255.255.255.254", "240.0.0.0/4", Purpose::Reserved, "FFFFT"),
    ("255.255.255.255", "255.255.255.255/32", Purpose::LimitedBroadcast, "FTFFT"),
];

/// Addresses next to registered blocks but in none of them.
#[rustfmt::skip]
const V4_NOT_REGISTERED: &[&str] = &[
    "1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
    "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
    "191.255.255.255", "192.0.1.255", "192.0.3.0", "192.31.195.255", "192.31.197.0",
    "192.52.192.255", "192.52.194.0", "192.88.98.255", "192.88.100.0", "192.167.255.255",
    "192.169.0.0", "192.175.47.255", "192.175.49.0", "198.17.255.255", "198.20.0.0",
    "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0", "224.0.0.0",
    "239.255.255.255",
];

#[rustfmt::skip]
const V6_REGISTRY_EXPECTED: &[(&str, &str, Purpose, &str)] = &[
    ("::", "::/128", Purpose::Unspecified, "TFFFT"),
    ("::1", "::1/128", Purpose::Loopback, "FFFFT"),
    ("::ffff:0.0.0.0", "::ffff:0:0/96", Purpose::Ipv4Mapped, "FFFFT"),
    ("::ffff:255.255.255.255", "::ffff:0:0/96", Purpose::Ipv4Mapped, "FFFFT"),
    ("64:ff9b::", "64:ff9b::/96", Purpose::Ipv4Ipv6Translation, "TTTTF"),
    ("64:ff9b::ffff:ffff", "64:ff9b::/96", Purpose::Ipv4Ipv6Translation, "TTTTF"),
    ("64:ff9b:1::", "64:ff9b:1::/48", Purpose::Ipv4Ipv6TranslationLocalUse, "TTTFF"),
    ("64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "64:ff9b:1::/48", Purpose::Ipv4Ipv6TranslationLocalUse, "TTTFF"),
    ("100::", "100::/64", Purpose::DiscardOnly, "TTTFF"),
    ("100::ffff:ffff:ffff:ffff", "100::/64", Purpose::DiscardOnly, "TTTFF"),
    ("2001:1::", "2001::/23", Purpose::IetfProtocolAssignments, "FFFFF"),
    ("2001:1::4", "2001::/23", Purpose::IetfProtocolAssignments, "FFFFF"),
    ("2001:5::", "2001::/23", Purpose::IetfProtocolAssignments, "FFFFF"),
    ("2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "2001::/23", Purpose::IetfProtocolAssignments, "FFFFF"),
    ("2001::", "2001::/32", Purpose::Teredo, "TTT-F"),
    ("2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "2001::/32", Purpose::Teredo, "TTT-F"),
    ("2001:1::1", "2001:1::1/128", Purpose::PortControlProtocolAnycast, "TTTTF"),
    ("2001:1::2", "2001:1::2/128", Purpose::TurnAnycast, "TTTTF"),
    ("2001:1::3", "2001:1::3/128", Purpose::DnsSdSrpAnycast, "TTTTF"),
    ("2001:2::", "2001:2::/48", Purpose::Benchmarking, "TTTFF"),
    ("2001:2:0:ffff:ffff:ffff:ffff:ffff", "2001:2::/48", Purpose::Benchmarking, "TTTFF"),
    ("2001:3::", "2001:3::/32", Purpose::AutomaticMulticastTunneling, "TTTTF"),
    ("2001:3:ffff:ffff:ffff:ffff:ffff:ffff", "2001:3::/32", Purpose::AutomaticMulticastTunneling, "TTTTF"),
    ("2001:4:112::", "2001:4:112::/48", Purpose::As112, "TTTTF"),
    ("2001:4:112:ffff:ffff:ffff:ffff:ffff", "2001:4:112::/48", Purpose::As112, "TTTTF"),
    ("2001:10::", "2001:10::/28", Purpose::DeprecatedOrchid, "FFFFF"),
    ("2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:10::/28", Purpose::DeprecatedOrchid, "FFFFF"),
    ("2001:20::", "2001:20::/28", Purpose::OrchidV2, "TTTTF"),
    ("2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:20::/28", Purpose::OrchidV2, "TTTTF"),
    ("2001:30::", "2001:30::/28", Purpose::DroneRemoteIdEntityTags, "TTTTF"),
    ("2001:3f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:30::/28", Purpose::DroneRemoteIdEntityTags, "TTTTF"),
    ("2001:db8::", "2001:db8::/32", Purpose::Documentation, "FFFFF"),
    ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32", Purpose::Documentation, "FFFFF"),
    ("2002::", "2002::/16", Purpose::SixToFour, "TTT-F"),
    ("2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2002::/16", Purpose::SixToFour, "TTT-F"),
    ("2620:4f:8000::", "2620:4f:8000::/48", Purpose::DirectDelegationAs112, "TTTTF"),
    ("2620:4f:8000:ffff:ffff:ffff:ffff:ffff", "2620:4f:8000::/48", Purpose::DirectDelegationAs112, "TTTTF"),
    ("3fff::", "3fff::/20", Purpose::Documentation, "FFFFF"),
    ("3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff::/20", Purpose::Documentation, "FFFFF"),
    ("5f00::", "5f00::/16", Purpose::SegmentRoutingSids, "TTTFF"),
    ("5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "5f00::/16", Purpose::SegmentRoutingSids, "TTTFF"),
    ("fc00::", "fc00::/7", Purpose::UniqueLocal, "TTTFF"),
    ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::/7", Purpose::UniqueLocal, "TTTFF"),
    ("fe80::", "fe80::/10", Purpose::LinkLocal, "TTFFT"),
    ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::/10", Purpose::LinkLocal, "TTFFT"),
];

#[rustfmt::skip]
const V6_NOT_REGISTERED: &[&str] = &[
    "::2", "::fffe:ffff:ffff", "::1:0:0:0", "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff",
    "64:ff9b::1:0:0", "64:ff9b:0:ffff:ffff:ffff:ffff:ffff", "64:ff9b:2::",
    "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001:200::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::",
    "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2003::", "2620:4f:7fff:ffff:ffff:ffff:ffff:ffff",
    "2620:4f:8001::", "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff:1000::",
    "5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "5f01::", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fe00::", "fec0::", "ff02::1",
];

/// Checks one family's registry against hand-written expectations; every
/// table entry must be hit by at least one expectation.
fn check_registry(
    table: &[SpecialPurpose],
    expected: &[(&str, &str, Purpose, &str)],
    lookup: impl Fn(&str) -> Option<SpecialPurpose>,
    not_registered: &[&str],
) {
    let mut hit = [false; 64];
    assert!(table.len() <= hit.len());
    for (addr, block, purpose, cols) in expected {
        let e = lookup(addr).unwrap_or_else(|| panic!("{addr} not found"));
        assert_eq!(e.block, IpCidr::from_str(block).unwrap(), "{addr}");
        assert_eq!(e.purpose, *purpose, "{addr}");
        assert_eq!(entry_columns(&e), columns(cols), "{addr} ({})", e.name);
        let i = table.iter().position(|t| *t == e).unwrap();
        hit[i] = true;
    }
    for (i, h) in hit.iter().take(table.len()).enumerate() {
        assert!(
            h,
            "registry entry {} ({}) not covered",
            table[i].block, table[i].name
        );
    }
    for addr in not_registered {
        assert_eq!(lookup(addr), None, "{addr}");
    }
}

#[test]
fn ipv4_registry() {
    check_registry(
        SpecialPurpose::IPV4_REGISTRY,
        V4_REGISTRY_EXPECTED,
        |s| Ipv4AddrExt::special_purpose(&a4(s)),
        V4_NOT_REGISTERED,
    );
}

#[test]
fn ipv6_registry() {
    check_registry(
        SpecialPurpose::IPV6_REGISTRY,
        V6_REGISTRY_EXPECTED,
        |s| Ipv6AddrExt::special_purpose(&a6(s)),
        V6_NOT_REGISTERED,
    );
}

#[test]
fn registry_tables_are_well_formed() {
    for table in [SpecialPurpose::IPV4_REGISTRY, SpecialPurpose::IPV6_REGISTRY] {
        let key = |e: &SpecialPurpose| (e.block.address(), e.block.prefix_len());
        // In address order, each block listed once.
        for w in table.windows(2) {
            assert!(key(&w[0]) < key(&w[1]), "{} / {}", w[0].block, w[1].block);
        }
        for e in table {
            // Each block is a network address: no host bits set.
            let ok = match e.block {
                IpCidr::V4(c) => c.network() == c,
                IpCidr::V6(c) => c.network() == c,
            };
            assert!(ok, "{} has host bits set", e.block);
            assert!(
                !e.name.is_empty() && e.rfc.starts_with("RFC "),
                "{}",
                e.block
            );
        }
    }
    assert!(
        SpecialPurpose::IPV4_REGISTRY
            .iter()
            .all(|e| matches!(e.block, IpCidr::V4(_)))
    );
    assert!(
        SpecialPurpose::IPV6_REGISTRY
            .iter()
            .all(|e| matches!(e.block, IpCidr::V6(_)))
    );
}

/// Addresses that hit the registry often: inside a random entry, or
/// anywhere.
fn any_v4() -> impl Strategy<Value = Ipv4Addr> {
    let n = SpecialPurpose::IPV4_REGISTRY.len();
    prop_oneof![
        any::<u32>().prop_map(Ipv4Addr::from_bits),
        (0..n, any::<u32>()).prop_map(|(i, host)| {
            let IpCidr::V4(c) = SpecialPurpose::IPV4_REGISTRY[i].block else {
                unreachable!()
            };
            let mask = u32::from(c.netmask());
            Ipv4Addr::from_bits(c.address().to_bits() | (host & !mask))
        }),
    ]
}

fn any_v6() -> impl Strategy<Value = Ipv6Addr> {
    let n = SpecialPurpose::IPV6_REGISTRY.len();
    prop_oneof![
        any::<u128>().prop_map(Ipv6Addr::from_bits),
        (0..n, any::<u128>()).prop_map(|(i, host)| {
            let IpCidr::V6(c) = SpecialPurpose::IPV6_REGISTRY[i].block else {
                unreachable!()
            };
            let mask = c.netmask().to_bits();
            Ipv6Addr::from_bits(c.address().to_bits() | (host & !mask))
        }),
        // Multicast with random flags and scope.
        any::<u128>().prop_map(|x| Ipv6Addr::from_bits(x | 0xff00 << 112)),
    ]
}

fn is_purpose(e: Option<SpecialPurpose>, p: Purpose) -> bool {
    e.is_some_and(|e| e.purpose == p)
}

proptest! {
    #[test]
    fn solicited_node_is_solicited_node(x in any::<u128>()) {
        let a = Ipv6Addr::from_bits(x);
        let s = Ipv6AddrExt::solicited_node(&a);
        prop_assert!(Ipv6AddrExt::is_solicited_node_multicast(&s));
        prop_assert!(Ipv6AddrExt::is_multicast(&s));
        prop_assert_eq!(Ipv6AddrExt::mcast_scope(&s), Some(MulticastScope::LinkLocal));
        prop_assert_eq!(s.to_bits() & 0xff_ffff, x & 0xff_ffff);
        prop_assert_eq!(Ipv6AddrExt::solicited_node(&s), s);
        prop_assert!(!Ipv6AddrExt::is_globally_reachable(&s));
    }

    #[test]
    fn ipv4_lookup_is_longest_match(a in any_v4()) {
        let found = Ipv4AddrExt::special_purpose(&a);
        let ip = IpAddr::V4(a);
        let containing = SpecialPurpose::IPV4_REGISTRY.iter().filter(|e| e.block.contains_addr(&ip));
        match found {
            None => prop_assert_eq!(containing.count(), 0),
            Some(e) => {
                prop_assert!(e.block.contains_addr(&ip));
                for c in containing {
                    prop_assert!(c.block.prefix_len() <= e.block.prefix_len());
                }
            }
        }
    }

    #[test]
    fn ipv4_predicates_agree_with_registry(a in any_v4()) {
        let e = Ipv4AddrExt::special_purpose(&a);
        prop_assert_eq!(Ipv4AddrExt::is_private(&a), is_purpose(e, Purpose::PrivateUse));
        prop_assert_eq!(Ipv4AddrExt::is_shared_address_space(&a), is_purpose(e, Purpose::SharedAddressSpace));
        prop_assert_eq!(Ipv4AddrExt::is_link_local(&a), is_purpose(e, Purpose::LinkLocal));
        prop_assert_eq!(Ipv4AddrExt::is_loopback(&a), is_purpose(e, Purpose::Loopback));
        prop_assert_eq!(Ipv4AddrExt::is_benchmarking_range(&a), is_purpose(e, Purpose::Benchmarking));
        prop_assert_eq!(Ipv4AddrExt::is_documentation(&a), is_purpose(e, Purpose::Documentation));
        prop_assert_eq!(Ipv4AddrExt::is_limited_broadcast(&a), is_purpose(e, Purpose::LimitedBroadcast));
        prop_assert_eq!(
            Ipv4AddrExt::is_future_use(&a),
            is_purpose(e, Purpose::Reserved) || is_purpose(e, Purpose::LimitedBroadcast)
        );
        prop_assert_eq!(
            Ipv4AddrExt::is_this_network(&a),
            is_purpose(e, Purpose::ThisNetwork) || is_purpose(e, Purpose::ThisHostOnThisNetwork)
        );
        // Multicast groups are not in the special-purpose registry.
        if Ipv4AddrExt::is_multicast(&a) {
            prop_assert!(e.is_none());
        }
        if Ipv4AddrExt::is_globally_reachable(&a) {
            prop_assert!(Ipv4AddrExt::is_unicast(&a) || Ipv4AddrExt::is_multicast(&a));
            prop_assert_eq!(Ipv4AddrExt::scope(&a), MulticastScope::Global);
        }
        prop_assert_eq!(
            Ipv4AddrExt::is_unicast(&a),
            !Ipv4AddrExt::is_this_network(&a) && !Ipv4AddrExt::is_multicast(&a) && !Ipv4AddrExt::is_future_use(&a)
        );
    }

    #[test]
    fn ipv6_lookup_is_longest_match(a in any_v6()) {
        let found = Ipv6AddrExt::special_purpose(&a);
        let ip = IpAddr::V6(a);
        let containing = SpecialPurpose::IPV6_REGISTRY.iter().filter(|e| e.block.contains_addr(&ip));
        match found {
            None => prop_assert_eq!(containing.count(), 0),
            Some(e) => {
                prop_assert!(e.block.contains_addr(&ip));
                for c in containing {
                    prop_assert!(c.block.prefix_len() <= e.block.prefix_len());
                }
            }
        }
    }

    #[test]
    fn ipv6_predicates_agree_with_registry(a in any_v6()) {
        let e = Ipv6AddrExt::special_purpose(&a);
        prop_assert_eq!(Ipv6AddrExt::is_unique_local(&a), is_purpose(e, Purpose::UniqueLocal));
        prop_assert_eq!(Ipv6AddrExt::is_unicast_link_local(&a), is_purpose(e, Purpose::LinkLocal));
        prop_assert_eq!(Ipv6AddrExt::is_v4_mapped(&a), is_purpose(e, Purpose::Ipv4Mapped));
        prop_assert_eq!(Ipv6AddrExt::is_documentation_prefix(&a), is_purpose(e, Purpose::Documentation));
        prop_assert_eq!(Ipv6AddrExt::is_loopback(&a), is_purpose(e, Purpose::Loopback));
        prop_assert_eq!(Ipv6AddrExt::is_unspecified(&a), is_purpose(e, Purpose::Unspecified));
        prop_assert_eq!(Ipv6AddrExt::mcast_scope(&a).is_some(), Ipv6AddrExt::is_multicast(&a));
        if Ipv6AddrExt::is_multicast(&a) {
            prop_assert!(e.is_none());
        }
        if Ipv6AddrExt::is_globally_reachable(&a) {
            prop_assert_eq!(Ipv6AddrExt::scope(&a), MulticastScope::Global);
            prop_assert!(!Ipv6AddrExt::is_unique_local(&a));
            prop_assert!(!Ipv6AddrExt::is_documentation_prefix(&a));
        }
        // An IPv4-mapped address has the scope of the IPv4 address.
        if let Some(v4) = a.to_ipv4_mapped() {
            prop_assert_eq!(Ipv6AddrExt::scope(&a), Ipv4AddrExt::scope(&v4));
        }
    }

    #[test]
    fn mcast_scope_round_trips(v in any::<u8>()) {
        let s = MulticastScope::from_value(v);
        prop_assert_eq!(s.value(), v & 0x0f);
        prop_assert_eq!(MulticastScope::from_value(s.value()), s);
    }
}

#[test]
fn cidr_types_in_registry_are_usable() {
    // The registry blocks are ordinary `IpCidr`s: a caller can test its own
    // prefixes against them.
    let ula = Ipv6Cidr::from_str("fd12:3456:789a::/48").unwrap();
    let e = Ipv6AddrExt::special_purpose(&ula.address()).unwrap();
    let IpCidr::V6(block) = e.block else { panic!() };
    assert!(block.contains_subnet(&ula));
}
