#![no_main]
//! Addresses: every `FromStr` (with Display round trips) on the input as a
//! string, and every classification function on the input bytes read as
//! addresses and prefix lengths.
use core::str::FromStr;
use ferrotcp::wire::address::{EthernetAddress, IpCidr, Ipv4Cidr, Ipv6Cidr};
use ferrotcp::wire::classify::{Ipv4AddrExt, Ipv6AddrExt, MulticastScope};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn strings(s: &str) {
    if let Ok(mac) = EthernetAddress::from_str(s) {
        assert_eq!(EthernetAddress::from_str(&mac.to_string()), Ok(mac));
    }
    if let Ok(c) = Ipv4Cidr::from_str(s) {
        assert!(c.prefix_len() <= 32);
        assert_eq!(Ipv4Cidr::from_str(&c.to_string()), Ok(c));
    }
    if let Ok(c) = Ipv6Cidr::from_str(s) {
        assert!(c.prefix_len() <= 128);
        assert_eq!(Ipv6Cidr::from_str(&c.to_string()), Ok(c));
    }
    if let Ok(c) = IpCidr::from_str(s) {
        assert_eq!(IpCidr::from_str(&c.to_string()), Ok(c));
    }
}

fn ipv4(a: Ipv4Addr, netmask: Ipv4Addr, prefix_len: u8) {
    let _ = (
        Ipv4AddrExt::is_private(&a),
        Ipv4AddrExt::is_shared_address_space(&a),
        Ipv4AddrExt::is_link_local(&a),
        Ipv4AddrExt::is_loopback(&a),
        Ipv4AddrExt::is_this_network(&a),
        Ipv4AddrExt::is_limited_broadcast(&a),
        Ipv4AddrExt::is_documentation(&a),
        Ipv4AddrExt::is_benchmarking_range(&a),
        Ipv4AddrExt::is_future_use(&a),
        Ipv4AddrExt::is_multicast(&a),
        Ipv4AddrExt::is_local_network_control(&a),
        Ipv4AddrExt::is_administratively_scoped(&a),
        Ipv4AddrExt::is_unicast(&a),
        Ipv4AddrExt::scope(&a),
    );
    if let Some(e) = Ipv4AddrExt::special_purpose(&a) {
        assert!(e.block.contains_addr(&IpAddr::V4(a)));
    }
    if Ipv4AddrExt::is_globally_reachable(&a) {
        assert!(Ipv4AddrExt::is_unicast(&a) || Ipv4AddrExt::is_multicast(&a));
    }
    let mac = EthernetAddress::from_ipv4_multicast(a);
    assert!(mac.is_multicast());

    if let Some(c) = Ipv4Cidr::new(a, prefix_len) {
        let n = c.network();
        assert!(n.contains_addr(&a) && c.contains_subnet(&n));
        let _ = c.netmask();
        if let Some(b) = c.broadcast() {
            assert!(c.contains_addr(&b));
            assert!(Ipv4AddrExt::is_subnet_broadcast(&b, &c));
        }
        let _ = Ipv4AddrExt::is_subnet_broadcast(&a, &c);
    }
    if let Some(c) = Ipv4Cidr::from_netmask(a, netmask) {
        assert_eq!(c.netmask(), netmask);
    }
}

fn ipv6(a: Ipv6Addr, prefix_len: u8) {
    let _ = (
        Ipv6AddrExt::is_unique_local(&a),
        Ipv6AddrExt::is_unicast_link_local(&a),
        Ipv6AddrExt::is_site_local(&a),
        Ipv6AddrExt::is_loopback(&a),
        Ipv6AddrExt::is_unspecified(&a),
        Ipv6AddrExt::is_v4_mapped(&a),
        Ipv6AddrExt::is_documentation_prefix(&a),
        Ipv6AddrExt::is_solicited_node_multicast(&a),
        Ipv6AddrExt::is_globally_reachable(&a),
        Ipv6AddrExt::scope(&a),
    );
    assert_eq!(
        Ipv6AddrExt::mcast_scope(&a).is_some(),
        Ipv6AddrExt::is_multicast(&a)
    );
    if let Some(s) = Ipv6AddrExt::mcast_scope(&a) {
        assert_eq!(MulticastScope::from_value(s.value()), s);
    }
    if let Some(e) = Ipv6AddrExt::special_purpose(&a) {
        assert!(e.block.contains_addr(&IpAddr::V6(a)));
    }
    let s = Ipv6AddrExt::solicited_node(&a);
    assert!(Ipv6AddrExt::is_solicited_node_multicast(&s));
    assert_eq!(s.octets()[13..], a.octets()[13..]);
    assert!(EthernetAddress::from_ipv6_multicast(a).is_multicast());

    if let Some(c) = Ipv6Cidr::new(a, prefix_len) {
        let n = c.network();
        assert!(n.contains_addr(&a) && c.contains_subnet(&n));
        let _ = c.netmask();
        let ip = IpCidr::from(c);
        assert!(ip.contains_addr(&IpAddr::V6(a)));
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = core::str::from_utf8(data) {
        strings(s);
    }
    // Bytes as addresses: pad short inputs with zeros.
    let mut b = [0u8; 22];
    let n = data.len().min(b.len());
    b[..n].copy_from_slice(&data[..n]);
    let v4 = Ipv4Addr::new(b[0], b[1], b[2], b[3]);
    let mask = Ipv4Addr::new(b[4], b[5], b[6], b[7]);
    let mut o = [0u8; 16];
    o.copy_from_slice(&b[..16]);
    let v6 = Ipv6Addr::from(o);
    let prefix_len = b[16];
    ipv4(v4, mask, prefix_len);
    ipv6(v6, prefix_len);
    // The address mapped into IPv6 goes through both families.
    ipv6(v4.to_ipv6_mapped(), prefix_len);

    if let Some(mac) = EthernetAddress::from_bytes(&b[16..]) {
        let _ = (
            mac.is_unicast(),
            mac.is_multicast(),
            mac.is_broadcast(),
            mac.is_local(),
        );
        let _ = (mac.is_unspecified(), mac.to_eui64(), mac.as_bytes());
        assert_eq!(EthernetAddress::from_str(&mac.to_string()), Ok(mac));
    }
});
