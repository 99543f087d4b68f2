#![no_main]
//! A whole Ethernet frame through the parse chain the interface runs:
//!
//! Ethernet II or 802.3 LLC/SNAP ->
//!   ARP |
//!   IPv4 (header, options) -> ICMP | IGMP | UDP (-> DHCP on 67/68) | TCP |
//!   IPv6 (fixed header, extension-header chain with each header parsed by
//!         its own view) -> ICMPv6 (-> NDP, MLD) | UDP | TCP.
//!
//! Checksums are not required to verify (`Checksum::None`), so that mutated
//! inputs reach the deeper parsers; each checksum is still computed. A Repr
//! that parses is re-emitted and must parse back to itself.
//!
//! Seeds: `fuzz/seeds/frame/`, written by
//! `cargo run --example wire_tour -- --seeds fuzz/seeds/frame`.

use std::net::{IpAddr, Ipv6Addr};

use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::ethernet::{self, EtherType};
use ferrotcp::wire::ip::IpProtocol;
use ferrotcp::wire::ipv6ext::{ChainItem, ExtHeader, HeaderChain, fragment, hopopts, routing};
use ferrotcp::wire::{arp, dhcpv4, icmpv4, icmpv6, igmp, ipv4, ipv6, tcp, udp};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(frame) = ethernet::Frame::new_checked(data) else {
        return;
    };
    let _ = (frame.dst_addr(), frame.src_addr(), frame.ethertype());
    let _ = ethernet::Repr::parse(&frame);
    let Ok((ethertype, payload)) = frame.network_payload() else {
        return;
    };
    match ethertype {
        EtherType::Arp => arp_layer(payload),
        EtherType::Ipv4 => ipv4_layer(payload),
        EtherType::Ipv6 => ipv6_layer(payload),
        _ => {}
    }
});

fn arp_layer(payload: &[u8]) {
    let Ok(p) = arp::Packet::new_checked(payload) else {
        return;
    };
    let _ = (
        p.operation(),
        p.source_protocol_addr(),
        p.target_hardware_addr(),
    );
    if let Ok(r) = arp::Repr::parse(&p) {
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut arp::Packet::new_unchecked(&mut out[..]));
        let q = arp::Packet::new_checked(&out[..]).expect("emitted ARP checks");
        assert_eq!(arp::Repr::parse(&q), Ok(r));
    }
}

fn ipv4_layer(payload: &[u8]) {
    let Ok(p) = ipv4::Packet::new_checked(payload) else {
        return;
    };
    let _ = p.verify_checksum();
    for o in p.options_iter() {
        let _ = o.map(|o| o.option_type().class());
    }
    let Ok(ip) = ipv4::Repr::parse(&p, Checksum::None) else {
        return;
    };
    // Re-emit the header: it must parse back to the same Repr.
    let mut out = vec![0u8; ip.total_len()];
    let mut q = ipv4::Packet::new_unchecked(&mut out[..]);
    ip.emit(&mut q, Checksum::Both);
    q.payload_mut().copy_from_slice(p.payload());
    let q = ipv4::Packet::new_checked(&out[..]).expect("emitted IPv4 checks");
    let again = ipv4::Repr::parse(&q, Checksum::Both).expect("emitted IPv4 parses");
    assert_eq!(again.payload_len, ip.payload_len);
    assert_eq!(again.options_iter().count(), ip.options_iter().count());

    // RFC 791 §3.2: only an unfragmented datagram (or a reassembled one) has
    // a whole transport header.
    if ip.more_frags || ip.frag_offset != 0 {
        return;
    }
    let src = IpAddr::V4(ip.src_addr);
    let dst = IpAddr::V4(ip.dst_addr);
    let data = p.payload();
    match ip.protocol {
        IpProtocol::Icmp => icmpv4_layer(data),
        IpProtocol::Igmp => igmp_layer(data),
        IpProtocol::Udp => udp_layer(data, src, dst),
        IpProtocol::Tcp => tcp_layer(data, src, dst),
        _ => {}
    }
}

fn icmpv4_layer(data: &[u8]) {
    let Ok(p) = icmpv4::Packet::new_checked(data) else {
        return;
    };
    let _ = (p.verify_checksum(), p.msg_type().is_error(), p.data());
    if let Ok(r) = icmpv4::Repr::parse(&p, Checksum::None) {
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(
            &mut icmpv4::Packet::new_unchecked(&mut out[..]),
            Checksum::Both,
        );
        let q = icmpv4::Packet::new_checked(&out[..]).expect("emitted ICMP checks");
        assert_eq!(icmpv4::Repr::parse(&q, Checksum::Both), Ok(r));
        // An error quotes the invoking datagram: the interface parses its
        // header to find the socket.
        if r.msg_type().is_error()
            && let Ok(inner) = ipv4::Packet::new_checked(r.data())
        {
            let _ = (inner.src_addr(), inner.dst_addr(), inner.protocol());
        }
    }
}

fn igmp_layer(data: &[u8]) {
    let Ok(p) = igmp::Packet::new_checked(data) else {
        return;
    };
    let _ = (
        p.verify_checksum(),
        p.max_resp_time(),
        p.source_iter().count(),
    );
    if let Ok(r) = igmp::Repr::parse(&p, Checksum::None) {
        for rec in r.group_records() {
            let _ = rec.map(|g| g.source_iter().count());
        }
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(
            &mut igmp::Packet::new_unchecked(&mut out[..]),
            Checksum::Both,
        );
        let q = igmp::Packet::new_checked(&out[..]).expect("emitted IGMP checks");
        let _ = igmp::Repr::parse(&q, Checksum::Both).expect("emitted IGMP parses");
    }
}

fn udp_layer(data: &[u8], src: IpAddr, dst: IpAddr) {
    let Ok(p) = udp::Packet::new_checked(data) else {
        return;
    };
    let _ = p.verify_checksum(&src, &dst, false);
    let Ok(r) = udp::Repr::parse(&p, &src, &dst, Checksum::None, false) else {
        return;
    };
    let payload = p.payload();
    let mut out = vec![0u8; r.buffer_len(payload.len())];
    r.emit(
        &mut udp::Packet::new_unchecked(&mut out[..]),
        &src,
        &dst,
        payload.len(),
        |b| b.copy_from_slice(payload),
        Checksum::Both,
    );
    let q = udp::Packet::new_checked(&out[..]).expect("emitted UDP checks");
    assert_eq!(
        udp::Repr::parse(&q, &src, &dst, Checksum::Both, false),
        Ok(r)
    );

    let ports = [r.src_port, r.dst_port];
    if ports.contains(&dhcpv4::SERVER_PORT) || ports.contains(&dhcpv4::CLIENT_PORT) {
        dhcp_layer(payload);
    }
}

fn dhcp_layer(data: &[u8]) {
    let Ok(p) = dhcpv4::Packet::new_checked(data) else {
        return;
    };
    for o in p.options() {
        if o.is_err() {
            break;
        }
    }
    let mut concat = [0u8; 1024];
    let _ = p.concat_option(dhcpv4::kind::CLIENT_IDENTIFIER, &mut concat);
    if let Ok(r) = dhcpv4::Repr::parse(&p) {
        let _ = r.classless_routes().map(|c| c.iter().count());
        let mut out = vec![0u8; r.buffer_len()];
        if r.emit(&mut dhcpv4::Packet::new_unchecked(&mut out[..]))
            .is_ok()
        {
            let q = dhcpv4::Packet::new_checked(&out[..]).expect("emitted DHCP checks");
            let again = dhcpv4::Repr::parse(&q).expect("emitted DHCP parses");
            assert_eq!(again.message_type, r.message_type);
            assert_eq!(again.transaction_id, r.transaction_id);
        }
    }
}

fn tcp_layer(data: &[u8], src: IpAddr, dst: IpAddr) {
    let Ok(p) = tcp::Packet::new_checked(data) else {
        return;
    };
    let _ = (p.verify_checksum(&src, &dst), p.segment_len(), p.flags());
    for o in p.option_iter() {
        if o.is_err() {
            break;
        }
    }
    let Ok(r) = tcp::Repr::parse(&p, &src, &dst, Checksum::None) else {
        return;
    };
    let mut out = vec![0u8; r.buffer_len()];
    r.emit(
        &mut tcp::Packet::new_unchecked(&mut out[..]),
        &src,
        &dst,
        Checksum::Both,
    );
    let q = tcp::Packet::new_checked(&out[..]).expect("emitted TCP checks");
    let again = tcp::Repr::parse(&q, &src, &dst, Checksum::Both).expect("emitted TCP parses");
    assert_eq!(again.payload, r.payload);
    assert_eq!(again.seq_number, r.seq_number);
    assert_eq!(again.control, r.control);
}

fn ipv6_layer(payload: &[u8]) {
    let Ok(p) = ipv6::Packet::new_checked(payload) else {
        return;
    };
    let Ok(ip) = ipv6::Repr::parse(&p) else {
        return;
    };
    let data = p.payload();
    // RFC 8200 §8.1: a Routing header with segments left names the final
    // destination, which the upper-layer checksum uses.
    let mut final_dst = ip.dst_addr;
    for item in HeaderChain::new(ip.next_header, data) {
        let Ok(item) = item else {
            return;
        };
        match item {
            ChainItem::Header(h) => ext_header(&h, &mut final_dst),
            ChainItem::UpperLayer {
                protocol, offset, ..
            } => {
                let upper = &data[offset..];
                let src = IpAddr::V6(ip.src_addr);
                let dst = IpAddr::V6(final_dst);
                match protocol {
                    IpProtocol::Icmpv6 => icmpv6_layer(upper, ip.src_addr, final_dst),
                    IpProtocol::Udp => udp_layer(upper, src, dst),
                    IpProtocol::Tcp => tcp_layer(upper, src, dst),
                    _ => {}
                }
            }
            // Fragment data: the reassembler's business.
            ChainItem::NonFirstFragment { .. } => {}
        }
    }
}

fn ext_header(h: &ExtHeader<'_>, final_dst: &mut Ipv6Addr) {
    match h.kind {
        IpProtocol::HopByHop | IpProtocol::Ipv6Opts => {
            let v = hopopts::Header::new_checked(h.bytes).expect("walker framed it");
            for o in v.options_iter() {
                let Ok((_, o)) = o else { break };
                // The interface acts on unknown options by their type bits.
                let _ = (o.option_type().action(), o.is_padding());
            }
            let _ = hopopts::Repr::parse(&v);
        }
        IpProtocol::Ipv6Route => {
            let v = routing::Header::new_checked(h.bytes).expect("walker framed it");
            if let Ok(routing::Repr::Type2 {
                segments_left,
                home_address,
                ..
            }) = routing::Repr::parse(&v)
                && segments_left > 0
            {
                *final_dst = home_address;
            }
        }
        IpProtocol::Ipv6Frag => {
            let v = fragment::Header::new_checked(h.bytes).expect("walker framed it");
            let _ = fragment::Repr::parse(&v).map(|r| r.is_atomic());
        }
        _ => {}
    }
}

fn icmpv6_layer(data: &[u8], src: Ipv6Addr, dst: Ipv6Addr) {
    let Ok(p) = icmpv6::Packet::new_checked(data) else {
        return;
    };
    let _ = (p.verify_checksum(&src, &dst), p.msg_type().is_error());
    let Ok(r) = icmpv6::Repr::parse(&p, &src, &dst, Checksum::None) else {
        return;
    };
    match r {
        icmpv6::Repr::Ndisc(n) => {
            if let ferrotcp::wire::ndisc::Repr::RouterAdvert { options, .. } = n {
                let _ = (
                    options.source_lladdr(),
                    options.mtu(),
                    options.prefix_infos().count(),
                    options
                        .rdnss()
                        .map(|r| r.addresses.iter().count())
                        .sum::<usize>(),
                );
            }
        }
        icmpv6::Repr::Mld(m) => {
            let _ = m.max_resp_delay_ms();
            if let ferrotcp::wire::mld::Repr::ReportV2 { records } = m {
                for rec in records.iter() {
                    let _ = rec.map(|r| r.sources.iter().count());
                }
            }
        }
        _ => {}
    }
    let mut out = vec![0u8; r.buffer_len()];
    r.emit(
        &mut icmpv6::Packet::new_unchecked(&mut out[..]),
        &src,
        &dst,
        Checksum::Both,
    );
    let q = icmpv6::Packet::new_checked(&out[..]).expect("emitted ICMPv6 checks");
    let again = icmpv6::Repr::parse(&q, &src, &dst, Checksum::Both).expect("emitted ICMPv6 parses");
    assert_eq!(again.msg_type(), r.msg_type());
}
