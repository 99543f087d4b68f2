//! Behaviour of `ferrotcp::wire::address`: the Ethernet MAC address and
//! the CIDR network types.
//!
//! Vectors are written by hand from the RFCs named at each test: the
//! multicast mappings follow the bit layouts of RFC 1112 §6.4 and RFC 2464
//! §7, the EUI-64 vector is RFC 4291 Appendix A's worked example.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::str::FromStr;

use ferrotcp::wire::address::{AddrParseError, EthernetAddress, IpCidr, Ipv4Cidr, Ipv6Cidr};
use proptest::prelude::*;

fn a4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn a6(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn c4(s: &str) -> Ipv4Cidr {
    s.parse().unwrap()
}

fn c6(s: &str) -> Ipv6Cidr {
    s.parse().unwrap()
}

// ---------------------------------------------------------------- Ethernet

#[test]
fn ethernet_display() {
    let mac = EthernetAddress([0x00, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f]);
    assert_eq!(mac.to_string(), "00:1b:2c:3d:4e:5f");
    assert_eq!(EthernetAddress::BROADCAST.to_string(), "ff:ff:ff:ff:ff:ff");
    assert_eq!(
        EthernetAddress::UNSPECIFIED.to_string(),
        "00:00:00:00:00:00"
    );
    // Lower-case hex, always two digits.
    let mac = EthernetAddress([0xab, 0x01, 0, 0x0f, 0xf0, 0xcd]);
    assert_eq!(mac.to_string(), "ab:01:00:0f:f0:cd");
}

#[test]
fn ethernet_from_str_valid() {
    let want = EthernetAddress([0x00, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f]);
    for s in [
        "00:1b:2c:3d:4e:5f",
        "00-1b-2c-3d-4e-5f",
        "00:1B:2C:3D:4E:5F",
        "0:1b:2c:3d:4e:5f",
    ] {
        assert_eq!(EthernetAddress::from_str(s), Ok(want), "{s}");
    }
    assert_eq!(
        EthernetAddress::from_str("1:2:3:a:b:c"),
        Ok(EthernetAddress([1, 2, 3, 0xa, 0xb, 0xc]))
    );
    assert_eq!(
        EthernetAddress::from_str("ff:ff:ff:ff:ff:ff"),
        Ok(EthernetAddress::BROADCAST)
    );
}

#[test]
fn ethernet_from_str_invalid() {
    for s in [
        // Wrong number of octets.
        "",
        "00",
        "00:11:22:33:44",
        "00:11:22:33:44:55:66",
        // Empty parts.
        ":11:22:33:44:55",
        "00:11:22:33:44:",
        "00::22:33:44:55",
        "00:11:22:33:44:55:",
        ":::::",
        "-----",
        // Non-hex digits.
        "00:11:22:33:44:5g",
        "00:11:22:33:44:0x",
        "zz:11:22:33:44:55",
        "é0:11:22:33:44:55",
        // Three-digit octets, even with a value below 256.
        "000:11:22:33:44:55",
        "00:11:22:33:44:0ff",
        "100:11:22:33:44:55",
        // Mixed separators.
        "00-11:22-33:44-55",
        "00:11:22:33:44-55",
        // Whitespace.
        " 00:11:22:33:44:55",
        "00:11:22:33:44:55 ",
        "00:11: 2:33:44:55",
        // Signs.
        "-1:11:22:33:44:55",
        "00:11:22:33:44:-5",
    ] {
        assert_eq!(EthernetAddress::from_str(s), Err(AddrParseError), "{s:?}");
    }
}

/// `u8::from_str_radix` accepts a leading `+`, and `EthernetAddress`'s
/// `FromStr` passes parts straight to it, so `+1:...` parses.
#[test]
fn ethernet_from_str_rejects_plus_sign() {
    for s in ["+1:11:22:33:44:55", "00:11:22:33:44:+f"] {
        assert_eq!(EthernetAddress::from_str(s), Err(AddrParseError), "{s:?}");
    }
}

#[test]
fn ethernet_predicates() {
    let b = EthernetAddress::BROADCAST;
    assert!(b.is_broadcast() && b.is_multicast() && !b.is_unicast() && b.is_local());
    let u = EthernetAddress([0x00, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f]);
    assert!(u.is_unicast() && !u.is_multicast() && !u.is_broadcast() && !u.is_local());
    // I/G bit (least significant bit of the first octet) and U/L bit.
    let g = EthernetAddress([0x01, 0, 0x5e, 0, 0, 1]);
    assert!(g.is_multicast() && !g.is_broadcast() && !g.is_local());
    let l = EthernetAddress([0x02, 0, 0, 0, 0, 1]);
    assert!(l.is_unicast() && l.is_local());
    assert!(EthernetAddress::UNSPECIFIED.is_unspecified());
    assert!(!u.is_unspecified());
    assert_eq!(EthernetAddress::default(), EthernetAddress::UNSPECIFIED);
}

#[test]
fn ethernet_from_bytes() {
    let bytes = [1, 2, 3, 4, 5, 6, 7];
    assert_eq!(
        EthernetAddress::from_bytes(&bytes),
        Some(EthernetAddress([1, 2, 3, 4, 5, 6]))
    );
    for n in 0..6 {
        assert_eq!(EthernetAddress::from_bytes(&bytes[..n]), None, "{n}");
    }
    assert_eq!(
        EthernetAddress::from_bytes(&bytes[1..]).map(|m| *m.as_bytes()),
        Some([2, 3, 4, 5, 6, 7])
    );
}

#[test]
fn ipv4_multicast_mac() {
    // RFC 1112 §6.4: 01-00-5E followed by the low-order 23 bits of the
    // group; bit 24 of the group (the top bit of its second octet) is lost.
    let cases = [
        ("224.0.0.1", [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]),
        ("224.0.0.251", [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]),
        ("239.255.255.250", [0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa]),
        ("224.128.0.1", [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]),
        ("225.1.2.3", [0x01, 0x00, 0x5e, 0x01, 0x02, 0x03]),
        ("238.129.2.3", [0x01, 0x00, 0x5e, 0x01, 0x02, 0x03]),
        ("232.127.128.129", [0x01, 0x00, 0x5e, 0x7f, 0x80, 0x81]),
    ];
    for (group, mac) in cases {
        let m = EthernetAddress::from_ipv4_multicast(a4(group));
        assert_eq!(m, EthernetAddress(mac), "{group}");
        assert!(m.is_multicast() && !m.is_broadcast());
    }
}

#[test]
fn ipv6_multicast_mac() {
    // RFC 2464 §7: 33-33 followed by the last four octets of the group.
    let cases = [
        ("ff02::1", [0x33, 0x33, 0x00, 0x00, 0x00, 0x01]),
        ("ff02::2", [0x33, 0x33, 0x00, 0x00, 0x00, 0x02]),
        ("ff02::1:ff28:9c5a", [0x33, 0x33, 0xff, 0x28, 0x9c, 0x5a]),
        ("ff05::1:3", [0x33, 0x33, 0x00, 0x01, 0x00, 0x03]),
        ("ff0e:1234::dead:beef", [0x33, 0x33, 0xde, 0xad, 0xbe, 0xef]),
    ];
    for (group, mac) in cases {
        let m = EthernetAddress::from_ipv6_multicast(a6(group));
        assert_eq!(m, EthernetAddress(mac), "{group}");
        assert!(m.is_multicast());
    }
}

#[test]
fn modified_eui64() {
    // RFC 4291 Appendix A: the U/L bit (0x02 of the first octet) is
    // inverted and ff:fe inserted in the middle.
    let mac = EthernetAddress([0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde]);
    assert_eq!(
        mac.to_eui64(),
        [0x36, 0x56, 0x78, 0xff, 0xfe, 0x9a, 0xbc, 0xde]
    );
    let local = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
    assert_eq!(local.to_eui64(), [0x00, 0, 0, 0xff, 0xfe, 0, 0, 0x01]);
    assert_eq!(
        EthernetAddress::BROADCAST.to_eui64(),
        [0xfd, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff]
    );
}

// ---------------------------------------------------------------- IPv4 CIDR

#[test]
fn ipv4_cidr_new() {
    for len in 0..=32 {
        let c = Ipv4Cidr::new(a4("10.1.2.3"), len).unwrap();
        assert_eq!(c.address(), a4("10.1.2.3"));
        assert_eq!(c.prefix_len(), len);
    }
    assert_eq!(Ipv4Cidr::new(a4("10.1.2.3"), 33), None);
    assert_eq!(Ipv4Cidr::new(a4("10.1.2.3"), 255), None);
}

#[test]
fn ipv4_cidr_from_netmask() {
    let addr = a4("192.168.7.9");
    let ok = [
        ("0.0.0.0", 0),
        ("128.0.0.0", 1),
        ("255.0.0.0", 8),
        ("255.255.240.0", 20),
        ("255.255.255.0", 24),
        ("255.255.255.252", 30),
        ("255.255.255.254", 31),
        ("255.255.255.255", 32),
    ];
    for (mask, len) in ok {
        let c = Ipv4Cidr::from_netmask(addr, a4(mask)).unwrap();
        assert_eq!(c.prefix_len(), len, "{mask}");
        assert_eq!(c.address(), addr);
        assert_eq!(c.netmask(), a4(mask));
    }
    // Non-contiguous masks.
    for mask in [
        "0.0.0.1",
        "0.255.255.255",
        "255.0.255.0",
        "255.255.255.253",
        "254.255.255.255",
        "255.255.0.255",
        "127.255.255.255",
        "255.255.255.127",
    ] {
        assert_eq!(Ipv4Cidr::from_netmask(addr, a4(mask)), None, "{mask}");
    }
}

#[test]
fn ipv4_cidr_network_and_netmask() {
    let c = c4("192.168.1.77/24");
    assert_eq!(c.network(), c4("192.168.1.0/24"));
    assert_eq!(c.netmask(), a4("255.255.255.0"));
    assert_eq!(c4("10.255.255.255/8").network(), c4("10.0.0.0/8"));
    assert_eq!(c4("10.1.2.3/0").network(), c4("0.0.0.0/0"));
    assert_eq!(c4("10.1.2.3/0").netmask(), a4("0.0.0.0"));
    assert_eq!(c4("10.1.2.3/32").network(), c4("10.1.2.3/32"));
    assert_eq!(c4("10.1.2.3/31").network(), c4("10.1.2.2/31"));
    assert_eq!(c4("172.31.200.1/12").network(), c4("172.16.0.0/12"));
}

#[test]
fn ipv4_cidr_broadcast() {
    assert_eq!(c4("192.168.1.77/24").broadcast(), Some(a4("192.168.1.255")));
    assert_eq!(c4("10.0.0.1/30").broadcast(), Some(a4("10.0.0.3")));
    assert_eq!(c4("10.0.0.5/30").broadcast(), Some(a4("10.0.0.7")));
    assert_eq!(c4("172.16.5.4/12").broadcast(), Some(a4("172.31.255.255")));
    assert_eq!(c4("1.2.3.4/0").broadcast(), Some(a4("255.255.255.255")));
    // RFC 3021: /31 point-to-point links have no broadcast; /32 neither.
    assert_eq!(c4("10.0.0.0/31").broadcast(), None);
    assert_eq!(c4("10.0.0.1/31").broadcast(), None);
    assert_eq!(c4("10.0.0.1/32").broadcast(), None);
}

#[test]
fn ipv4_cidr_contains() {
    let c = c4("192.168.1.77/24");
    for a in [
        "192.168.1.0",
        "192.168.1.1",
        "192.168.1.77",
        "192.168.1.255",
    ] {
        assert!(c.contains_addr(&a4(a)), "{a}");
    }
    for a in ["192.168.0.255", "192.168.2.0", "10.0.0.1", "0.0.0.0"] {
        assert!(!c.contains_addr(&a4(a)), "{a}");
    }
    let all = c4("0.0.0.0/0");
    assert!(all.contains_addr(&a4("0.0.0.0")) && all.contains_addr(&a4("255.255.255.255")));
    let host = c4("10.0.0.1/32");
    assert!(host.contains_addr(&a4("10.0.0.1")) && !host.contains_addr(&a4("10.0.0.0")));

    assert!(c4("10.0.0.0/8").contains_subnet(&c4("10.20.0.0/16")));
    assert!(c4("10.0.0.0/8").contains_subnet(&c4("10.0.0.0/8")));
    assert!(c4("10.0.0.0/8").contains_subnet(&c4("10.255.255.255/32")));
    assert!(!c4("10.20.0.0/16").contains_subnet(&c4("10.0.0.0/8")));
    assert!(!c4("10.0.0.0/8").contains_subnet(&c4("11.0.0.0/16")));
    assert!(c4("0.0.0.0/0").contains_subnet(&c4("203.0.113.0/24")));
}

#[test]
fn ipv4_cidr_display_from_str() {
    assert_eq!(c4("192.168.1.1/24").to_string(), "192.168.1.1/24");
    assert_eq!(c4("0.0.0.0/0").to_string(), "0.0.0.0/0");
    assert_eq!(c4("255.255.255.255/32").to_string(), "255.255.255.255/32");
    assert_eq!(
        Ipv4Cidr::from_str("10.0.0.1/8"),
        Ok(Ipv4Cidr::new(a4("10.0.0.1"), 8).unwrap())
    );
    for s in [
        "",
        "/",
        "/24",
        "192.168.1.1",
        "192.168.1.1/",
        "192.168.1.1/33",
        "192.168.1.1/256",
        "192.168.1.1/-1",
        "192.168.1.1/+8",
        "192.168.1.1/ 8",
        "192.168.1.1/8 ",
        "192.168.1.1/0x8",
        "192.168.1.1/0024",
        "192.168.1.1/24/1",
        "192.168.1/24",
        "192.168.1.256/24",
        "::1/24",
        "192.168.1.1\\24",
    ] {
        assert_eq!(Ipv4Cidr::from_str(s), Err(AddrParseError), "{s:?}");
    }
}

// ---------------------------------------------------------------- IPv6 CIDR

#[test]
fn ipv6_cidr_new_network_netmask() {
    assert!(Ipv6Cidr::new(a6("::1"), 128).is_some());
    assert_eq!(Ipv6Cidr::new(a6("::1"), 129), None);
    let c = c6("2001:db8:1:2:3:4:5:6/64");
    assert_eq!(c.address(), a6("2001:db8:1:2:3:4:5:6"));
    assert_eq!(c.prefix_len(), 64);
    assert_eq!(c.network(), c6("2001:db8:1:2::/64"));
    assert_eq!(c.netmask(), a6("ffff:ffff:ffff:ffff::"));
    assert_eq!(c6("fe80::1/10").netmask(), a6("ffc0::"));
    assert_eq!(c6("fe80::1/0").netmask(), a6("::"));
    assert_eq!(c6("fe80::1/0").network(), c6("::/0"));
    assert_eq!(
        c6("fe80::1/128").netmask(),
        a6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
    );
    assert_eq!(c6("2001:db8::ffff/127").network(), c6("2001:db8::fffe/127"));
}

#[test]
fn ipv6_cidr_contains() {
    let c = c6("2001:db8::/32");
    assert!(c.contains_addr(&a6("2001:db8::")));
    assert!(c.contains_addr(&a6("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
    assert!(!c.contains_addr(&a6("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")));
    assert!(!c.contains_addr(&a6("2001:db9::")));
    assert!(c.contains_subnet(&c6("2001:db8:1::/48")));
    assert!(!c6("2001:db8:1::/48").contains_subnet(&c));
    assert!(c6("::/0").contains_addr(&a6("ffff::1")));
    assert!(c6("::1/128").contains_addr(&a6("::1")) && !c6("::1/128").contains_addr(&a6("::")));
}

#[test]
fn ipv6_cidr_display_from_str() {
    assert_eq!(c6("2001:db8::1/64").to_string(), "2001:db8::1/64");
    assert_eq!(c6("::/0").to_string(), "::/0");
    assert_eq!(c6("::ffff:1.2.3.4/96").to_string(), "::ffff:1.2.3.4/96");
    assert_eq!(c6("2001:DB8:0:0::1/64"), c6("2001:db8::1/64"));
    for s in [
        "",
        "fe80::1",
        "fe80::1/",
        "fe80::1/129",
        "fe80::1/1000",
        "fe80::1/-1",
        "fe80::1/+64",
        "fe80::1/64 ",
        "fe80::1%eth0/64",
        "fe80:::1/64",
        "1.2.3.4/8",
        "fe80::1/64/1",
    ] {
        assert_eq!(Ipv6Cidr::from_str(s), Err(AddrParseError), "{s:?}");
    }
}

// ---------------------------------------------------------------- IpCidr

#[test]
fn ip_cidr() {
    let v4 = IpAddr::V4(a4("10.0.0.1"));
    let v6 = IpAddr::V6(a6("fe80::1"));
    assert_eq!(IpCidr::new(v4, 33), None);
    assert_eq!(IpCidr::new(v6, 129), None);
    let c = IpCidr::new(v4, 32).unwrap();
    assert_eq!(c, IpCidr::V4(c4("10.0.0.1/32")));
    let d = IpCidr::new(v6, 128).unwrap();
    assert_eq!(d, IpCidr::V6(c6("fe80::1/128")));
    assert_eq!((c.address(), c.prefix_len()), (v4, 32));
    assert_eq!((d.address(), d.prefix_len()), (v6, 128));

    assert_eq!(IpCidr::from(c4("10.0.0.0/8")), IpCidr::V4(c4("10.0.0.0/8")));
    assert_eq!(IpCidr::from(c6("fe80::/10")), IpCidr::V6(c6("fe80::/10")));

    let net4 = IpCidr::from_str("10.0.0.0/8").unwrap();
    let net6 = IpCidr::from_str("fe80::/10").unwrap();
    assert!(net4.contains_addr(&v4) && !net4.contains_addr(&v6));
    assert!(net6.contains_addr(&v6) && !net6.contains_addr(&v4));
    // No match across families, even for ::ffff:10.0.0.1.
    assert!(!net4.contains_addr(&IpAddr::V6(a6("::ffff:10.0.0.1"))));
    assert!(!IpCidr::from_str("::/0").unwrap().contains_addr(&v4));

    assert_eq!(net4.to_string(), "10.0.0.0/8");
    assert_eq!(net6.to_string(), "fe80::/10");
    for s in [
        "",
        "10.0.0.0",
        "fe80::",
        "10.0.0.0/33",
        "fe80::/129",
        "x/8",
        "10.0.0.0:1/8",
    ] {
        assert_eq!(IpCidr::from_str(s), Err(AddrParseError), "{s:?}");
    }
}

// ---------------------------------------------------------------- properties

fn any_v4_cidr() -> impl Strategy<Value = Ipv4Cidr> {
    (any::<u32>(), 0u8..=32).prop_map(|(a, l)| Ipv4Cidr::new(Ipv4Addr::from_bits(a), l).unwrap())
}

fn any_v6_cidr() -> impl Strategy<Value = Ipv6Cidr> {
    (any::<u128>(), 0u8..=128).prop_map(|(a, l)| Ipv6Cidr::new(Ipv6Addr::from_bits(a), l).unwrap())
}

proptest! {
    #[test]
    fn ethernet_round_trip(b in any::<[u8; 6]>()) {
        let mac = EthernetAddress(b);
        let s = mac.to_string();
        prop_assert_eq!(s.len(), 17);
        prop_assert_eq!(EthernetAddress::from_str(&s), Ok(mac));
        prop_assert_eq!(EthernetAddress::from_str(&s.replace(':', "-")), Ok(mac));
        prop_assert_eq!(EthernetAddress::from_str(&s.to_uppercase()), Ok(mac));
    }

    #[test]
    fn ipv4_cidr_round_trip(c in any_v4_cidr()) {
        prop_assert_eq!(Ipv4Cidr::from_str(&c.to_string()), Ok(c));
        prop_assert_eq!(IpCidr::from_str(&c.to_string()), Ok(IpCidr::V4(c)));
    }

    #[test]
    fn ipv6_cidr_round_trip(c in any_v6_cidr()) {
        prop_assert_eq!(Ipv6Cidr::from_str(&c.to_string()), Ok(c));
        prop_assert_eq!(IpCidr::from_str(&c.to_string()), Ok(IpCidr::V6(c)));
    }

    #[test]
    fn ipv4_cidr_laws(c in any_v4_cidr(), other in any::<u32>()) {
        let n = c.network();
        prop_assert_eq!(n.network(), n);
        prop_assert!(c.contains_addr(&c.address()));
        prop_assert!(n.contains_addr(&c.address()));
        prop_assert!(c.contains_subnet(&n) && n.contains_subnet(&c));
        prop_assert_eq!(
            Ipv4Cidr::from_netmask(c.address(), c.netmask()).map(|m| m.prefix_len()),
            Some(c.prefix_len())
        );
        match c.broadcast() {
            Some(b) => {
                prop_assert!(c.prefix_len() <= 30);
                prop_assert!(c.contains_addr(&b));
                prop_assert_eq!(b.to_bits() | c.netmask().to_bits(), u32::MAX);
            }
            None => prop_assert!(c.prefix_len() >= 31),
        }
        // Membership: the masked bits agree.
        let o = Ipv4Addr::from_bits(other);
        let m = c.netmask().to_bits();
        prop_assert_eq!(c.contains_addr(&o), o.to_bits() & m == c.address().to_bits() & m);
    }

    #[test]
    fn ipv4_from_netmask_accepts_only_contiguous(mask in any::<u32>(), addr in any::<u32>()) {
        let contiguous = mask.leading_ones() + mask.trailing_zeros() >= 32;
        let r = Ipv4Cidr::from_netmask(Ipv4Addr::from_bits(addr), Ipv4Addr::from_bits(mask));
        prop_assert_eq!(r.is_some(), contiguous);
        if let Some(c) = r {
            prop_assert_eq!(c.netmask().to_bits(), mask);
        }
    }

    #[test]
    fn ipv6_cidr_laws(c in any_v6_cidr(), other in any::<u128>()) {
        let n = c.network();
        prop_assert_eq!(n.network(), n);
        prop_assert!(n.contains_addr(&c.address()));
        prop_assert!(c.contains_subnet(&n) && n.contains_subnet(&c));
        prop_assert_eq!(c.netmask().to_bits().leading_ones(), u32::from(c.prefix_len()));
        let o = Ipv6Addr::from_bits(other);
        let m = c.netmask().to_bits();
        prop_assert_eq!(c.contains_addr(&o), o.to_bits() & m == c.address().to_bits() & m);
    }

    #[test]
    fn from_str_never_panics(s in "\\PC{0,48}") {
        let _ = EthernetAddress::from_str(&s);
        let _ = Ipv4Cidr::from_str(&s);
        let _ = Ipv6Cidr::from_str(&s);
        let _ = IpCidr::from_str(&s);
    }

    #[test]
    fn from_str_never_panics_near_syntax(s in "[0-9a-fA-F:./+\\-]{0,48}") {
        // Strings made of the characters the parsers look at.
        if let Ok(mac) = EthernetAddress::from_str(&s) {
            prop_assert_eq!(EthernetAddress::from_str(&mac.to_string()), Ok(mac));
        }
        if let Ok(c) = IpCidr::from_str(&s) {
            prop_assert_eq!(IpCidr::from_str(&c.to_string()), Ok(c));
        }
    }
}
