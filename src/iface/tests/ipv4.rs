//! IPv4, ARP, ICMPv4 and UDP through the whole interface.

use core::net::{IpAddr, Ipv4Addr};
use std::vec;
use std::vec::Vec;

use super::device::{TestDevice, eth};
use crate::iface::Interface;
use crate::socket::udp::{PacketBuffer, Socket as UdpSocket};
use crate::socket::{IpEndpoint, SocketSet};
use crate::storage::PacketMetadata;
use crate::time::{Duration, Instant};
use crate::wire::checksum::Checksum;
use crate::wire::icmpv4::{self, DstUnreachable};
use crate::wire::{EthernetAddress, IpEcn, IpProtocol, Ipv4Cidr, arp, ethernet, ipv4, udp};

pub(crate) const OUR_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 1]);
pub(crate) const PEER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 2]);
pub(crate) const OUR_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub(crate) const PEER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

pub(crate) fn setup() -> (Interface<'static>, TestDevice, SocketSet<'static>) {
    let dev = TestDevice::ethernet(1500);
    let mut iface = super::device::test_iface(dev.caps, OUR_MAC);
    iface
        .add_ipv4_addr(Ipv4Cidr::new(OUR_IP, 24).unwrap())
        .unwrap();
    (iface, dev, SocketSet::new(Vec::new()))
}

pub(crate) fn arp_frame(
    op: arp::Operation,
    sha: EthernetAddress,
    spa: Ipv4Addr,
    tha: EthernetAddress,
    tpa: Ipv4Addr,
    dst: EthernetAddress,
) -> Vec<u8> {
    let repr = arp::Repr::EthernetIpv4 {
        operation: op,
        source_hardware_addr: sha,
        source_protocol_addr: spa,
        target_hardware_addr: tha,
        target_protocol_addr: tpa,
    };
    let mut body = vec![0u8; repr.buffer_len()];
    repr.emit(&mut arp::Packet::new_unchecked(&mut body[..]));
    eth(dst, sha, ethernet::EtherType::Arp, &body)
}

/// An IPv4 packet from `src` to `dst` with `payload` of `protocol`.
pub(crate) fn ipv4_packet(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: IpProtocol,
    payload: &[u8],
) -> Vec<u8> {
    let repr = ipv4::Repr {
        src_addr: src,
        dst_addr: dst,
        protocol,
        payload_len: payload.len(),
        ttl: 64,
        dscp: 0,
        ecn: IpEcn::NotEct,
        ident: 0x1234,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
        options: &[],
    };
    let mut buf = vec![0u8; repr.buffer_len() + payload.len()];
    repr.emit(
        &mut ipv4::Packet::new_unchecked(&mut buf[..]),
        Checksum::Both,
    );
    buf[20..].copy_from_slice(payload);
    buf
}

pub(crate) fn echo_request(ident: u16, seq_no: u16, data: &[u8]) -> Vec<u8> {
    let r = icmpv4::Repr::EchoRequest {
        ident,
        seq_no,
        data,
    };
    let mut buf = vec![0u8; r.buffer_len()];
    r.emit(
        &mut icmpv4::Packet::new_unchecked(&mut buf[..]),
        Checksum::Both,
    );
    buf
}

pub(crate) fn udp_datagram(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    sport: u16,
    dport: u16,
    data: &[u8],
) -> Vec<u8> {
    let r = udp::Repr {
        src_port: sport,
        dst_port: dport,
    };
    let mut buf = vec![0u8; r.buffer_len(data.len())];
    r.emit(
        &mut udp::Packet::new_unchecked(&mut buf[..]),
        &src.into(),
        &dst.into(),
        data.len(),
        |b| b.copy_from_slice(data),
        Checksum::Both,
    );
    buf
}

/// The IPv4 packet inside an Ethernet frame we sent.
pub(crate) fn ip_of(frame: &[u8]) -> (ethernet::Repr, ipv4::Repr<'_>, &[u8]) {
    let f = ethernet::Frame::new_checked(frame).unwrap();
    let e = ethernet::Repr::parse(&f).unwrap();
    assert_eq!(e.ethertype, ethernet::EtherType::Ipv4);
    let p = ipv4::Packet::new_checked(&frame[14..]).unwrap();
    let r = ipv4::Repr::parse(&p, Checksum::Both).unwrap();
    let hl = usize::from(p.header_len());
    (e, r, &frame[14 + hl..14 + hl + r.payload_len])
}

pub(crate) fn t(ms: i64) -> Instant {
    Instant::from_millis(ms)
}

pub(crate) fn learn_peer(
    iface: &mut Interface<'static>,
    dev: &mut TestDevice,
    sockets: &mut SocketSet<'static>,
) {
    dev.rx.push_back(arp_frame(
        arp::Operation::Request,
        PEER_MAC,
        PEER_IP,
        EthernetAddress::UNSPECIFIED,
        OUR_IP,
        EthernetAddress::BROADCAST,
    ));
    iface.poll(t(0), dev, sockets);
    dev.take_tx();
}

#[test]
fn rfc826_request_for_us_is_answered() {
    let (mut iface, mut dev, mut sockets) = setup();
    dev.rx.push_back(arp_frame(
        arp::Operation::Request,
        PEER_MAC,
        PEER_IP,
        EthernetAddress::UNSPECIFIED,
        OUR_IP,
        EthernetAddress::BROADCAST,
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let f = ethernet::Frame::new_checked(&tx[0][..]).unwrap();
    assert_eq!(f.dst_addr(), PEER_MAC);
    let a = arp::Repr::parse(&arp::Packet::new_checked(f.payload()).unwrap()).unwrap();
    assert_eq!(
        a,
        arp::Repr::EthernetIpv4 {
            operation: arp::Operation::Reply,
            source_hardware_addr: OUR_MAC,
            source_protocol_addr: OUR_IP,
            target_hardware_addr: PEER_MAC,
            target_protocol_addr: PEER_IP,
        }
    );
    assert_eq!(iface.counters().arp.tx_replies, 1);
}

#[test]
fn rfc826_request_for_another_host_is_ignored() {
    let (mut iface, mut dev, mut sockets) = setup();
    dev.rx.push_back(arp_frame(
        arp::Operation::Request,
        PEER_MAC,
        PEER_IP,
        EthernetAddress::UNSPECIFIED,
        Ipv4Addr::new(10, 0, 0, 9),
        EthernetAddress::BROADCAST,
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    // Not learnt either (RFC 826: only when we are the target): a ping
    // reply now needs an ARP request first.
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, &echo_request(1, 1, b"x")),
    ));
    iface.poll(t(1), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    assert_eq!(
        ethernet::Frame::new_checked(&tx[0][..])
            .unwrap()
            .ethertype(),
        Some(ethernet::EtherType::Arp)
    );
}

#[test]
fn rfc792_echo_reply() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(
            PEER_IP,
            OUR_IP,
            IpProtocol::Icmp,
            &echo_request(0x77, 3, b"hello ping"),
        ),
    ));
    iface.poll(t(10), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (e, ip, payload) = ip_of(&tx[0]);
    assert_eq!((e.dst_addr, e.src_addr), (PEER_MAC, OUR_MAC));
    assert_eq!((ip.src_addr, ip.dst_addr, ip.ttl), (OUR_IP, PEER_IP, 64));
    let r = icmpv4::Repr::parse(
        &icmpv4::Packet::new_checked(payload).unwrap(),
        Checksum::Both,
    )
    .unwrap();
    assert_eq!(
        r,
        icmpv4::Repr::EchoReply {
            ident: 0x77,
            seq_no: 3,
            data: b"hello ping"
        }
    );
}

/// The echo reply's checksum is adjusted from the request's (RFC 1624)
/// rather than summed again: the reply must be byte for byte what a full
/// sum gives, including the sums that meet one's-complement zero (an
/// all-zero reply, whose checksum is 0xFFFF, and a reply summing to -0,
/// whose checksum is 0x0000), odd lengths, and every type/code word.
#[test]
fn rfc1624_echo_reply_checksum_equals_a_full_sum() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let mut cases: Vec<(u16, u16, Vec<u8>)> = vec![
        (0, 0, Vec::new()),
        (0, 0, vec![0; 7]),
        (0xffff, 0, Vec::new()),
        (0xf7ff, 0, Vec::new()),
        (0x0800, 0xffff, vec![0xff; 3]),
    ];
    let mut x: u32 = 12345;
    let mut next = || {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (x >> 8) as u16
    };
    for _ in 0..200 {
        let len = usize::from(next() % 80);
        let data = (0..len).map(|_| next() as u8).collect();
        cases.push((next(), next(), data));
    }
    for (n, (ident, seq_no, data)) in cases.iter().enumerate() {
        dev.rx.push_back(eth(
            OUR_MAC,
            PEER_MAC,
            ethernet::EtherType::Ipv4,
            &ipv4_packet(
                PEER_IP,
                OUR_IP,
                IpProtocol::Icmp,
                &echo_request(*ident, *seq_no, data),
            ),
        ));
        iface.poll(t(10 + n as i64), &mut dev, &mut sockets);
        let tx = dev.take_tx();
        assert_eq!(tx.len(), 1);
        let (_, _, payload) = ip_of(&tx[0]);
        let expected = {
            let r = icmpv4::Repr::EchoReply {
                ident: *ident,
                seq_no: *seq_no,
                data,
            };
            let mut buf = vec![0u8; r.buffer_len()];
            r.emit(
                &mut icmpv4::Packet::new_unchecked(&mut buf[..]),
                Checksum::Both,
            );
            buf
        };
        assert_eq!(
            payload,
            &expected[..],
            "case {n}: {ident:#x} {seq_no:#x} {data:02x?}"
        );
    }
}

/// An echo reply larger than the MTU in use cannot be written straight into
/// the transmit token: it is staged and leaves in fragments (RFC 791 §2.3),
/// which together carry the whole reply.
#[test]
#[cfg(feature = "proto-ipv4-fragmentation")]
fn rfc791_echo_reply_above_the_mtu_is_fragmented() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    iface.set_mtu(Some(576));
    let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(
            PEER_IP,
            OUR_IP,
            IpProtocol::Icmp,
            &echo_request(3, 4, &data),
        ),
    ));
    iface.poll(t(10), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 2, "two fragments");
    let mut whole = Vec::new();
    for (n, f) in tx.iter().enumerate() {
        assert!(f.len() - 14 <= 576);
        let (_, ip, payload) = ip_of(f);
        assert_eq!(ip.more_frags, n == 0);
        assert_eq!(usize::from(ip.frag_offset), whole.len());
        whole.extend_from_slice(payload);
    }
    let r = icmpv4::Repr::parse(
        &icmpv4::Packet::new_checked(&whole[..]).unwrap(),
        Checksum::Both,
    )
    .unwrap();
    assert_eq!(
        r,
        icmpv4::Repr::EchoReply {
            ident: 3,
            seq_no: 4,
            data: &data
        }
    );
}

/// A reply to a host off the local network goes to the default gateway's
/// link address (RFC 1122 §3.3.1.1), resolved by ARP first when unknown;
/// with no route there is nowhere to send it.
#[test]
fn rfc1122_3_3_1_reply_off_link_goes_through_the_gateway() {
    let (mut iface, mut dev, mut sockets) = setup();
    let far = Ipv4Addr::new(192, 0, 2, 77);
    let gateway = Ipv4Addr::new(10, 0, 0, 254);
    let gateway_mac = EthernetAddress([0x02, 0, 0, 0, 0, 0xfe]);
    let request = |n: u16| {
        eth(
            OUR_MAC,
            gateway_mac,
            ethernet::EtherType::Ipv4,
            &ipv4_packet(far, OUR_IP, IpProtocol::Icmp, &echo_request(8, n, b"far")),
        )
    };
    // No route: nothing goes out.
    dev.rx.push_back(request(1));
    iface.poll(t(0), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    iface.routes_mut().add_default_ipv4_route(gateway).unwrap();
    // The gateway is not resolved yet: an ARP request for it, the reply
    // waits, and leaves to the gateway's MAC once it answers.
    dev.rx.push_back(request(2));
    iface.poll(t(1), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let f = ethernet::Frame::new_checked(&tx[0][..]).unwrap();
    assert_eq!(f.ethertype(), Some(ethernet::EtherType::Arp));
    let a = arp::Repr::parse(&arp::Packet::new_checked(f.payload()).unwrap()).unwrap();
    assert!(
        matches!(a, arp::Repr::EthernetIpv4 { target_protocol_addr, .. } if target_protocol_addr == gateway)
    );
    dev.rx.push_back(arp_frame(
        arp::Operation::Reply,
        gateway_mac,
        gateway,
        OUR_MAC,
        OUR_IP,
        OUR_MAC,
    ));
    iface.poll(t(2), &mut dev, &mut sockets);
    // Resolved: the queued reply, then a new one straight to the gateway.
    dev.rx.push_back(request(3));
    iface.poll(t(3), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 2);
    for (f, seq_no) in tx.iter().zip([2u16, 3]) {
        let (e, ip, payload) = ip_of(f);
        assert_eq!(
            (e.dst_addr, ip.src_addr, ip.dst_addr),
            (gateway_mac, OUR_IP, far)
        );
        let r = icmpv4::Repr::parse(
            &icmpv4::Packet::new_checked(payload).unwrap(),
            Checksum::Both,
        )
        .unwrap();
        assert_eq!(
            r,
            icmpv4::Repr::EchoReply {
                ident: 8,
                seq_no,
                data: b"far"
            }
        );
    }
}

/// Over the IP medium (TUN) the echo reply is a bare IPv4 packet written
/// straight into the transmit token, with no neighbour to resolve.
#[test]
fn rfc792_echo_reply_over_ip_medium() {
    let mut dev = TestDevice {
        caps: crate::device::DeviceCapabilities::new(crate::device::Medium::Ip, 1500),
        ..Default::default()
    };
    let mut iface = super::device::test_iface(dev.caps, OUR_MAC);
    iface
        .add_ipv4_addr(Ipv4Cidr::new(OUR_IP, 24).unwrap())
        .unwrap();
    let mut sockets = SocketSet::new(Vec::new());
    dev.rx.push_back(ipv4_packet(
        PEER_IP,
        OUR_IP,
        IpProtocol::Icmp,
        &echo_request(0x55, 9, b"over tun"),
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let p = ipv4::Packet::new_checked(&tx[0][..]).unwrap();
    let ip = ipv4::Repr::parse(&p, Checksum::Both).unwrap();
    assert_eq!((ip.src_addr, ip.dst_addr), (OUR_IP, PEER_IP));
    let r = icmpv4::Repr::parse(
        &icmpv4::Packet::new_checked(p.payload()).unwrap(),
        Checksum::Both,
    )
    .unwrap();
    assert_eq!(
        r,
        icmpv4::Repr::EchoReply {
            ident: 0x55,
            seq_no: 9,
            data: b"over tun"
        }
    );
}

/// RFC 1122 §3.2.1.8 lets a host pass source routes up; like Linux with
/// `accept_source_route = 0` the stack refuses them. Other options (here a
/// No-Operation pair and Router Alert, RFC 2113) do not stop a datagram.
#[test]
fn rfc1122_3_2_1_8_source_routed_datagrams_refused() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let with_options = |options: &[u8]| {
        let icmp = echo_request(5, 1, b"routed");
        let repr = ipv4::Repr {
            src_addr: PEER_IP,
            dst_addr: OUR_IP,
            protocol: IpProtocol::Icmp,
            payload_len: icmp.len(),
            ttl: 64,
            dscp: 0,
            ecn: IpEcn::NotEct,
            ident: 0x4321,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            options,
        };
        let mut buf = vec![0u8; repr.buffer_len() + icmp.len()];
        repr.emit(
            &mut ipv4::Packet::new_unchecked(&mut buf[..]),
            Checksum::Both,
        );
        let hl = repr.buffer_len();
        buf[hl..].copy_from_slice(&icmp);
        eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &buf)
    };
    let errors = iface.counters().ipv4.in_hdr_errors;
    // Loose (131) and strict (137) source routes through 10.0.0.9.
    for kind in [131u8, 137] {
        dev.rx
            .push_back(with_options(&[kind, 7, 4, 10, 0, 0, 9, 0]));
        iface.poll(t(10), &mut dev, &mut sockets);
        assert!(dev.take_tx().is_empty(), "option {kind}: no reply");
    }
    assert_eq!(iface.counters().ipv4.in_hdr_errors, errors + 2);
    dev.rx.push_back(with_options(&[1, 1, 148, 4, 0, 0, 0, 0]));
    iface.poll(t(11), &mut dev, &mut sockets);
    assert_eq!(dev.take_tx().len(), 1, "other options: answered");
}

#[test]
fn rfc1122_2_3_2_2_first_packet_waits_for_arp() {
    let (mut iface, mut dev, mut sockets) = setup();
    // A ping from an unknown neighbour: the reply must wait for ARP.
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(
            PEER_IP,
            OUR_IP,
            IpProtocol::Icmp,
            &echo_request(9, 1, b"first"),
        ),
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1, "only the ARP request goes out");
    let f = ethernet::Frame::new_checked(&tx[0][..]).unwrap();
    assert_eq!(f.dst_addr(), EthernetAddress::BROADCAST);
    let a = arp::Repr::parse(&arp::Packet::new_checked(f.payload()).unwrap()).unwrap();
    let arp::Repr::EthernetIpv4 {
        operation,
        target_protocol_addr,
        source_protocol_addr,
        ..
    } = a;
    assert_eq!(
        (operation, target_protocol_addr, source_protocol_addr),
        (arp::Operation::Request, PEER_IP, OUR_IP)
    );
    assert!(
        iface.poll_at(t(0), &mut sockets).is_some(),
        "a retransmission is scheduled"
    );
    // The reply arrives: the queued echo reply leaves, first packet kept.
    dev.rx.push_back(arp_frame(
        arp::Operation::Reply,
        PEER_MAC,
        PEER_IP,
        OUR_MAC,
        OUR_IP,
        OUR_MAC,
    ));
    iface.poll(t(5), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (e, _, payload) = ip_of(&tx[0]);
    assert_eq!(e.dst_addr, PEER_MAC);
    let r = icmpv4::Repr::parse(
        &icmpv4::Packet::new_checked(payload).unwrap(),
        Checksum::Both,
    )
    .unwrap();
    assert_eq!(
        r,
        icmpv4::Repr::EchoReply {
            ident: 9,
            seq_no: 1,
            data: b"first"
        }
    );
}

#[test]
fn arp_retransmits_then_gives_up() {
    let (mut iface, mut dev, mut sockets) = setup();
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, &echo_request(9, 1, b"x")),
    ));
    let mut now = t(0);
    let mut requests = 0;
    for _ in 0..20 {
        iface.poll(now, &mut dev, &mut sockets);
        requests += dev.take_tx().len();
        match iface.poll_at(now, &mut sockets) {
            Some(next) => now = next.max(now + Duration::from_millis(1)),
            None => break,
        }
    }
    // mcast_solicit = 3 requests, one per retrans_time, then failure.
    assert_eq!(requests, 3);
    assert!(
        iface.poll_at(now, &mut sockets).is_none(),
        "nothing left to do"
    );
}

#[test]
fn rfc1122_udp_port_unreachable_and_rate_limit() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let dgram = ipv4_packet(
        PEER_IP,
        OUR_IP,
        IpProtocol::Udp,
        &udp_datagram(PEER_IP, OUR_IP, 5555, 9999, b"anyone?"),
    );
    dev.rx
        .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &dgram));
    iface.poll(t(10), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (_, ip, payload) = ip_of(&tx[0]);
    assert_eq!(ip.protocol, IpProtocol::Icmp);
    let r = icmpv4::Repr::parse(
        &icmpv4::Packet::new_checked(payload).unwrap(),
        Checksum::Both,
    )
    .unwrap();
    let icmpv4::Repr::DstUnreachable { reason, data, .. } = r else {
        panic!("{r:?}")
    };
    assert_eq!(reason, DstUnreachable::PortUnreachable);
    assert_eq!(data, &dgram[..], "the whole short datagram is quoted");
    // A second one within icmp_ratelimit (1 s) to the same host: silent.
    dev.rx
        .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &dgram));
    iface.poll(t(500), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    assert_eq!(iface.counters().icmpv4.out_rate_limited, 1);
    // After it, allowed again.
    dev.rx
        .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &dgram));
    iface.poll(t(1010), &mut dev, &mut sockets);
    assert_eq!(dev.take_tx().len(), 1);
}

#[test]
fn rfc1122_no_icmp_error_for_broadcast() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let bcast = Ipv4Addr::new(10, 0, 0, 255);
    let dgram = ipv4_packet(
        PEER_IP,
        bcast,
        IpProtocol::Udp,
        &udp_datagram(PEER_IP, bcast, 5555, 9999, b"x"),
    );
    dev.rx.push_back(eth(
        EthernetAddress::BROADCAST,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &dgram,
    ));
    iface.poll(t(10), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    assert_eq!(iface.counters().icmpv4.out_suppressed, 1);
    assert_eq!(iface.counters().udp.no_ports, 1);
}

#[test]
fn udp_socket_receives_and_replies() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let h = sockets
        .add(UdpSocket::new(
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
        ))
        .unwrap();
    sockets.get_mut::<UdpSocket>(h).unwrap().bind(7).unwrap();
    let dgram = ipv4_packet(
        PEER_IP,
        OUR_IP,
        IpProtocol::Udp,
        &udp_datagram(PEER_IP, OUR_IP, 4000, 7, b"echo me"),
    );
    dev.rx
        .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &dgram));
    iface.poll(t(10), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    let s = sockets.get_mut::<UdpSocket>(h).unwrap();
    let (data, meta) = s.recv().map(|(d, m)| (d.to_vec(), m)).unwrap();
    assert_eq!(data, b"echo me");
    assert_eq!(meta.endpoint, IpEndpoint::new(IpAddr::V4(PEER_IP), 4000));
    s.send_slice(&data, meta.endpoint).unwrap();
    assert_eq!(
        iface.poll_at(t(11), &mut sockets),
        Some(t(11)),
        "data ready: poll now"
    );
    iface.poll(t(11), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (_, ip, payload) = ip_of(&tx[0]);
    let p = udp::Packet::new_checked(payload).unwrap();
    let r = udp::Repr::parse(
        &p,
        &IpAddr::V4(ip.src_addr),
        &IpAddr::V4(ip.dst_addr),
        Checksum::Both,
        false,
    )
    .unwrap();
    assert_eq!(
        (r.src_port, r.dst_port, p.payload()),
        (7, 4000, &b"echo me"[..])
    );
    // The socket is idle; what remains is the neighbour's NUD timer (the
    // entry went STALE -> DELAY on this send, RFC 4861 §7.3.3: probe in 5 s).
    assert_eq!(
        iface.poll_at(t(12), &mut sockets),
        Some(t(11) + Duration::from_secs(5))
    );
}

/// The UDP checksum is verified in the pass that copies the payload into
/// the socket's buffer (RFC 768; RFC 1122 §4.1.3.4: a bad one is dropped
/// silently): a corrupt datagram leaves the buffer as it was (the next
/// good one takes its place), is counted as a checksum error and nothing
/// else, whether it fits in place, must start after the ring's wrap, finds
/// the buffer full or finds no socket.
#[test]
fn rfc768_udp_checksum_verified_while_copied_leaves_buffer_unchanged() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let udp_socket = |slots: usize, bytes: usize| {
        UdpSocket::new(
            PacketBuffer::new(vec![PacketMetadata::EMPTY; slots], vec![0u8; bytes]),
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 1], vec![0u8; 16]),
        )
    };
    let h = sockets.add(udp_socket(8, 4096)).unwrap();
    sockets.get_mut::<UdpSocket>(h).unwrap().bind(7).unwrap();
    // One slot: full after one datagram.
    let small = sockets.add(udp_socket(1, 4096)).unwrap();
    sockets
        .get_mut::<UdpSocket>(small)
        .unwrap()
        .bind(8)
        .unwrap();
    let mut now = 10;
    let mut feed = |iface: &mut Interface<'static>,
                    sockets: &mut SocketSet<'static>,
                    port: u16,
                    data: &[u8],
                    corrupt: bool| {
        let mut d = udp_datagram(PEER_IP, OUR_IP, 4000, port, data);
        if corrupt {
            // A payload byte flipped (the IPv4 header stays valid).
            let last = d.len() - 1;
            d[last] ^= 0x40;
        }
        let frame = ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Udp, &d);
        dev.rx
            .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &frame));
        now += 10;
        iface.poll(t(now), &mut dev, sockets);
        assert!(dev.take_tx().is_empty(), "nothing sent, no ICMP error");
    };
    let data = |tag: u8, n: usize| -> Vec<u8> { (0..n).map(|i| tag ^ (i as u8)).collect() };
    let csum_errors = |iface: &Interface<'static>| iface.counters().udp.in_csum_errors;
    let socket_counters = |sockets: &mut SocketSet<'static>, h| {
        let c = sockets.get_mut::<UdpSocket>(h).unwrap().counters();
        (c.rx_datagrams, c.rx_buffer_errors)
    };

    // A corrupt datagram into an empty buffer: nothing queued.
    feed(&mut iface, &mut sockets, 7, &data(0xa0, 1472), true);
    assert_eq!(csum_errors(&iface), 1);
    assert!(!sockets.get_mut::<UdpSocket>(h).unwrap().can_recv());
    // Good A, corrupt B (short and long, in place after A), good C.
    feed(&mut iface, &mut sockets, 7, &data(0xa1, 1472), false);
    feed(&mut iface, &mut sockets, 7, &data(0xb1, 64), true);
    feed(&mut iface, &mut sockets, 7, &data(0xb2, 1472), true);
    feed(&mut iface, &mut sockets, 7, &data(0xc1, 1472), false);
    assert_eq!(csum_errors(&iface), 3);
    assert_eq!(socket_counters(&mut sockets, h), (2, 0));
    let mut buf = [0u8; 2048];
    let s = sockets.get_mut::<UdpSocket>(h).unwrap();
    let (n, _) = s.recv_slice(&mut buf).unwrap();
    assert_eq!(&buf[..n], &data(0xa1, 1472)[..]);
    // C holds [1472, 2944): 1152 bytes before the end of the ring, so the
    // next 1472-byte datagram must start after a padding entry.
    feed(&mut iface, &mut sockets, 7, &data(0xd1, 1472), true);
    assert_eq!(csum_errors(&iface), 4);
    feed(&mut iface, &mut sockets, 7, &data(0xe1, 1472), false);
    // The ring is full now (E ends where C starts); once C is taken, a
    // short one fits in place after E.
    let s = sockets.get_mut::<UdpSocket>(h).unwrap();
    let (n, _) = s.recv_slice(&mut buf).unwrap();
    assert_eq!(&buf[..n], &data(0xc1, 1472)[..]);
    feed(&mut iface, &mut sockets, 7, &data(0xf1, 63), true);
    feed(&mut iface, &mut sockets, 7, &data(0xf2, 63), false);
    assert_eq!(csum_errors(&iface), 5);
    assert_eq!(socket_counters(&mut sockets, h), (4, 0));
    let s = sockets.get_mut::<UdpSocket>(h).unwrap();
    for want in [data(0xe1, 1472), data(0xf2, 63)] {
        let (n, meta) = s.recv_slice(&mut buf).unwrap();
        assert_eq!(&buf[..n], &want[..]);
        assert_eq!(meta.endpoint, IpEndpoint::new(IpAddr::V4(PEER_IP), 4000));
    }
    assert!(!s.can_recv(), "nothing of the corrupt datagrams was queued");

    // A full buffer: a corrupt datagram is a checksum error, not an
    // overflow; a good one is an overflow.
    feed(&mut iface, &mut sockets, 8, &data(0x11, 100), false);
    feed(&mut iface, &mut sockets, 8, &data(0x12, 100), true);
    assert_eq!(csum_errors(&iface), 6);
    assert_eq!(socket_counters(&mut sockets, small), (1, 0));
    feed(&mut iface, &mut sockets, 8, &data(0x13, 100), false);
    assert_eq!(csum_errors(&iface), 6);
    assert_eq!(socket_counters(&mut sockets, small), (1, 1));

    // No socket on the port: a corrupt datagram is not answered with a
    // port unreachable (the `feed` asserts nothing is sent) nor counted
    // as one for no port.
    let no_ports = iface.counters().udp.no_ports;
    feed(&mut iface, &mut sockets, 9, &data(0x21, 1472), true);
    assert_eq!(csum_errors(&iface), 7);
    assert_eq!(iface.counters().udp.no_ports, no_ports);
    // A, C, E, F2 and the two good ones to port 8 (an overflow is still
    // delivered to the socket, which counts it).
    assert_eq!(iface.counters().udp.in_datagrams, 6);
}

#[test]
fn rfc1122_3_2_1_3_martian_sources_dropped() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    for src in [
        Ipv4Addr::new(224, 0, 0, 5),
        Ipv4Addr::BROADCAST,
        Ipv4Addr::new(127, 0, 0, 1),
        Ipv4Addr::new(10, 0, 0, 255),
        Ipv4Addr::new(240, 0, 0, 1),
    ] {
        dev.rx.push_back(eth(
            OUR_MAC,
            PEER_MAC,
            ethernet::EtherType::Ipv4,
            &ipv4_packet(src, OUR_IP, IpProtocol::Icmp, &echo_request(1, 1, b"x")),
        ));
    }
    iface.poll(t(10), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    assert_eq!(iface.counters().ipv4.in_addr_errors, 5);
}

#[test]
fn not_for_us_and_corrupt_are_dropped_silently() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let other = ipv4_packet(
        PEER_IP,
        Ipv4Addr::new(10, 0, 0, 3),
        IpProtocol::Icmp,
        &echo_request(1, 1, b"x"),
    );
    dev.rx
        .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &other));
    let mut bad = ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, &echo_request(1, 1, b"x"));
    bad[8] ^= 1; // TTL changed: header checksum fails
    dev.rx
        .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &bad));
    // Another station's unicast MAC.
    dev.rx.push_back(eth(
        EthernetAddress([2, 0, 0, 0, 0, 9]),
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &other,
    ));
    iface.poll(t(10), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    let c = iface.counters();
    assert_eq!(
        (
            c.ipv4.in_addr_errors,
            c.ipv4.in_hdr_errors,
            c.link.rx_not_for_us
        ),
        (1, 1, 1)
    );
}

/// RFC 792 / RFC 1122 §3.2.2: an echo request with a bad checksum, a
/// non-zero code or a truncated header gets no reply and counts as an
/// ICMP input error; a good one after them is answered.
#[test]
fn rfc792_bad_echo_requests_are_not_answered() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let frame = |icmp: &[u8]| {
        eth(
            OUR_MAC,
            PEER_MAC,
            ethernet::EtherType::Ipv4,
            &ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, icmp),
        )
    };
    let mut bad_sum = echo_request(1, 1, b"abcd");
    bad_sum[9] ^= 0x40;
    let mut bad_code = echo_request(1, 2, b"abcd");
    // Code 1 with the checksum adjusted to match (RFC 1624): only the
    // code is wrong.
    bad_code[1] = 1;
    let sum = u16::from_be_bytes([bad_code[2], bad_code[3]]).wrapping_sub(1);
    bad_code[2..4].copy_from_slice(&sum.to_be_bytes());
    assert!(
        icmpv4::Packet::new_checked(&bad_code[..])
            .unwrap()
            .verify_checksum()
    );
    let truncated = echo_request(1, 3, b"")[..6].to_vec();
    for icmp in [&bad_sum[..], &bad_code[..], &truncated[..]] {
        dev.rx.push_back(frame(icmp));
    }
    iface.poll(t(1), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty(), "no reply to a bad request");
    let c = iface.counters();
    assert_eq!((c.icmpv4.in_errors, c.icmpv4.in_echos), (3, 0));
    dev.rx.push_back(frame(&echo_request(1, 4, b"abcd")));
    iface.poll(t(2), &mut dev, &mut sockets);
    assert_eq!(dev.take_tx().len(), 1);
    assert_eq!(iface.counters().icmpv4.in_echos, 1);
}

#[test]
fn rfc1042_snap_frames_are_accepted() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let ip = ipv4_packet(
        PEER_IP,
        OUR_IP,
        IpProtocol::Icmp,
        &echo_request(5, 6, b"snap"),
    );
    let repr = ethernet::Repr {
        src_addr: PEER_MAC,
        dst_addr: OUR_MAC,
        ethertype: ethernet::EtherType::Ipv4,
    };
    let mut frame = vec![0u8; repr.snap_buffer_len() + ip.len()];
    repr.emit_snap(
        &mut ethernet::Frame::new_unchecked(&mut frame[..]),
        ip.len(),
    );
    let off = frame.len() - ip.len();
    frame[off..].copy_from_slice(&ip);
    dev.rx.push_back(frame);
    iface.poll(t(10), &mut dev, &mut sockets);
    assert_eq!(dev.take_tx().len(), 1, "echo reply (sent as Ethernet II)");
}

#[test]
fn link_down_drops_everything() {
    let (mut iface, mut dev, mut sockets) = setup();
    iface.set_link_up(false);
    dev.rx.push_back(arp_frame(
        arp::Operation::Request,
        PEER_MAC,
        PEER_IP,
        EthernetAddress::UNSPECIFIED,
        OUR_IP,
        EthernetAddress::BROADCAST,
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    assert_eq!(iface.counters().link.rx_link_down, 1);
}

#[test]
#[cfg(feature = "proto-ipv4-fragmentation")]
fn rfc791_reassembly_and_fragmented_reply() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    // A 4000-byte ping in three fragments, delivered out of order.
    let data: Vec<u8> = (0..4000u32).map(|i| (i * 7) as u8).collect();
    let icmp = echo_request(0x42, 1, &data);
    let whole = ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, &icmp);
    let payload = &whole[20..];
    let mut frags = Vec::new();
    for (off, chunk) in [
        (0usize, 1480usize),
        (1480, 1480),
        (2960, payload.len() - 2960),
    ] {
        let last = off + chunk == payload.len();
        let repr = ipv4::Repr {
            src_addr: PEER_IP,
            dst_addr: OUR_IP,
            protocol: IpProtocol::Icmp,
            payload_len: chunk,
            ttl: 64,
            dscp: 0,
            ecn: IpEcn::NotEct,
            ident: 0x5151,
            dont_frag: false,
            more_frags: !last,
            frag_offset: off as u16,
            options: &[],
        };
        let mut buf = vec![0u8; 20 + chunk];
        repr.emit(
            &mut ipv4::Packet::new_unchecked(&mut buf[..]),
            Checksum::Both,
        );
        buf[20..].copy_from_slice(&payload[off..off + chunk]);
        frags.push(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &buf));
    }
    dev.rx.push_back(frags[2].clone());
    dev.rx.push_back(frags[0].clone());
    dev.rx.push_back(frags[1].clone());
    iface.poll(t(10), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 3, "the 4008-byte reply leaves in three fragments");
    let mut reassembled = vec![0u8; icmp.len()];
    let mut seen = 0;
    for f in &tx {
        let (_, ip, body) = ip_of(f);
        assert!(f.len() <= 1514);
        let off = usize::from(ip.frag_offset);
        reassembled[off..off + body.len()].copy_from_slice(body);
        seen += body.len();
    }
    assert_eq!(seen, icmp.len());
    let r = icmpv4::Repr::parse(
        &icmpv4::Packet::new_checked(&reassembled[..]).unwrap(),
        Checksum::Both,
    )
    .unwrap();
    assert_eq!(
        r,
        icmpv4::Repr::EchoReply {
            ident: 0x42,
            seq_no: 1,
            data: &data
        }
    );
    assert_eq!(iface.counters().ipv4.reasm_oks, 1);
}

#[test]
#[cfg(feature = "socket-icmp")]
fn ping_socket_round_trip_and_errors() {
    use crate::socket::IcmpErrorKind;
    use crate::socket::icmp::{PacketBuffer as IcmpBuffer, Socket as IcmpSocket};
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let h = sockets
        .add(IcmpSocket::new(
            IcmpBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 1024]),
            IcmpBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 1024]),
        ))
        .unwrap();
    let s = sockets.get_mut::<IcmpSocket>(h).unwrap();
    s.bind(0x4242).unwrap();
    s.send_echo_slice(1, b"are you there", IpAddr::V4(PEER_IP))
        .unwrap();
    iface.poll(t(1), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (_, ip, payload) = ip_of(&tx[0]);
    assert_eq!((ip.src_addr, ip.dst_addr), (OUR_IP, PEER_IP));
    let r = icmpv4::Repr::parse(
        &icmpv4::Packet::new_checked(payload).unwrap(),
        Checksum::Both,
    )
    .unwrap();
    assert_eq!(
        r,
        icmpv4::Repr::EchoRequest {
            ident: 0x4242,
            seq_no: 1,
            data: b"are you there"
        }
    );
    // The reply comes back to the socket.
    let reply = icmpv4::Repr::EchoReply {
        ident: 0x4242,
        seq_no: 1,
        data: b"are you there",
    };
    let mut msg = vec![0u8; reply.buffer_len()];
    reply.emit(
        &mut icmpv4::Packet::new_unchecked(&mut msg[..]),
        Checksum::Both,
    );
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, &msg),
    ));
    // A reply for another identifier is not ours.
    let other = icmpv4::Repr::EchoReply {
        ident: 0x4243,
        seq_no: 1,
        data: b"x",
    };
    let mut omsg = vec![0u8; other.buffer_len()];
    other.emit(
        &mut icmpv4::Packet::new_unchecked(&mut omsg[..]),
        Checksum::Both,
    );
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, &omsg),
    ));
    iface.poll(t(2), &mut dev, &mut sockets);
    let s = sockets.get_mut::<IcmpSocket>(h).unwrap();
    let (m, meta) = s.recv().map(|(m, meta)| (m.to_vec(), meta)).unwrap();
    assert_eq!(m, msg);
    assert_eq!(meta.remote, IpAddr::V4(PEER_IP));
    assert!(
        s.recv().is_err(),
        "the other identifier's reply was not delivered"
    );
    // A host-unreachable error quoting our request reaches the socket.
    let invoking = &tx[0][14..];
    let err = icmpv4::Repr::DstUnreachable {
        reason: DstUnreachable::HostUnreachable,
        next_hop_mtu: 0,
        data: &invoking[..28],
    };
    let mut emsg = vec![0u8; err.buffer_len()];
    err.emit(
        &mut icmpv4::Packet::new_unchecked(&mut emsg[..]),
        Checksum::Both,
    );
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, &emsg),
    ));
    iface.poll(t(3), &mut dev, &mut sockets);
    let e = sockets
        .get_mut::<IcmpSocket>(h)
        .unwrap()
        .take_error()
        .unwrap();
    assert_eq!(e.kind, IcmpErrorKind::HostUnreachable);
    assert_eq!(
        e.dst,
        IpEndpoint::new(IpAddr::V4(PEER_IP), 1),
        "port carries the sequence number"
    );
}

#[test]
#[cfg(all(feature = "pmtu-cache", feature = "proto-ipv4-fragmentation"))]
fn rfc1122_4_1_3_3_icmp_errors_reach_the_udp_socket_and_pmtu_is_learnt() {
    use crate::socket::IcmpErrorKind;
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let h = sockets
        .add(UdpSocket::new(
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
        ))
        .unwrap();
    sockets.get_mut::<UdpSocket>(h).unwrap().bind(5000).unwrap();
    sockets
        .get_mut::<UdpSocket>(h)
        .unwrap()
        .send_slice(b"hello", IpEndpoint::new(IpAddr::V4(PEER_IP), 53))
        .unwrap();
    iface.poll(t(1), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    let invoking = &tx[0][14..];
    for (reason, mtu, kind) in [
        (
            DstUnreachable::PortUnreachable,
            0,
            IcmpErrorKind::PortUnreachable,
        ),
        (
            DstUnreachable::FragRequired,
            1400,
            IcmpErrorKind::PacketTooBig(1400),
        ),
    ] {
        let err = icmpv4::Repr::DstUnreachable {
            reason,
            next_hop_mtu: mtu,
            data: invoking,
        };
        let mut emsg = vec![0u8; err.buffer_len()];
        err.emit(
            &mut icmpv4::Packet::new_unchecked(&mut emsg[..]),
            Checksum::Both,
        );
        dev.rx.push_back(eth(
            OUR_MAC,
            PEER_MAC,
            ethernet::EtherType::Ipv4,
            &ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, &emsg),
        ));
        iface.poll(t(2), &mut dev, &mut sockets);
        let e = sockets
            .get_mut::<UdpSocket>(h)
            .unwrap()
            .take_error()
            .unwrap();
        assert_eq!(e.kind, kind);
        assert_eq!(e.dst, IpEndpoint::new(IpAddr::V4(PEER_IP), 53));
    }
    // RFC 1191: the next datagram larger than 1400 is fragmented to fit.
    let big = vec![7u8; 2000];
    sockets
        .get_mut::<UdpSocket>(h)
        .unwrap()
        .send_slice(&big, IpEndpoint::new(IpAddr::V4(PEER_IP), 53))
        .unwrap();
    iface.poll(t(3), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 2);
    assert!(tx.iter().all(|f| f.len() - 14 <= 1400));
}

/// A datagram above the MTU for a neighbour not yet resolved waits in the
/// pending queue as fragments (RFC 1122 §2.3.2.2, RFC 791 §3.2), each
/// written straight into its pool slot, and leaves once ARP answers: the
/// fragments together carry the whole datagram.
#[test]
#[cfg(feature = "proto-ipv4-fragmentation")]
fn rfc1122_2_3_2_2_fragments_wait_for_resolution() {
    let (mut iface, mut dev, mut sockets) = setup();
    let h = sockets
        .add(UdpSocket::new(
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
        ))
        .unwrap();
    sockets.get_mut::<UdpSocket>(h).unwrap().bind(5000).unwrap();
    let big: Vec<u8> = (0..2000u32).map(|i| (i * 13) as u8).collect();
    sockets
        .get_mut::<UdpSocket>(h)
        .unwrap()
        .send_slice(&big, IpEndpoint::new(IpAddr::V4(PEER_IP), 53))
        .unwrap();
    iface.poll(t(1), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1, "only the ARP request: {tx:?}");
    assert_eq!(&tx[0][12..14], &[0x08, 0x06]);
    dev.rx.push_back(arp_frame(
        arp::Operation::Reply,
        PEER_MAC,
        PEER_IP,
        OUR_MAC,
        OUR_IP,
        OUR_MAC,
    ));
    iface.poll(t(2), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 2, "two fragments");
    let mut whole = Vec::new();
    for (n, f) in tx.iter().enumerate() {
        assert_eq!(&f[..6], &PEER_MAC.0);
        assert!(f.len() - 14 <= 1500);
        let (_, ip, payload) = ip_of(f);
        assert_eq!(ip.more_frags, n == 0);
        assert_eq!(usize::from(ip.frag_offset), whole.len());
        whole.extend_from_slice(payload);
    }
    assert_eq!(whole.len(), 8 + big.len());
    assert_eq!(&whole[8..], &big[..]);
}

/// An ICMPv4 Destination Unreachable we sent, parsed.
#[cfg(any(not(feature = "socket-tcp"), not(feature = "proto-ipv4-fragmentation")))]
fn dst_unreachable_of(frame: &[u8]) -> (DstUnreachable, Vec<u8>) {
    let (_, ip, payload) = ip_of(frame);
    assert_eq!(ip.protocol, IpProtocol::Icmp);
    let r = icmpv4::Repr::parse(
        &icmpv4::Packet::new_checked(payload).unwrap(),
        Checksum::Both,
    )
    .unwrap();
    let icmpv4::Repr::DstUnreachable { reason, data, .. } = r else {
        panic!("{r:?}")
    };
    (reason, data.to_vec())
}

/// Without the `socket-tcp` feature TCP is a protocol nobody handles: a
/// segment gets ICMP protocol unreachable (RFC 1122 §3.2.2.1), not a RST.
#[test]
#[cfg(not(feature = "socket-tcp"))]
fn without_socket_tcp_a_segment_gets_protocol_unreachable() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    // A SYN to port 80 (header only; its checksum is not looked at).
    let mut syn = [0u8; 20];
    syn[..4].copy_from_slice(&[0x30, 0x39, 0, 80]);
    syn[12] = 5 << 4;
    syn[13] = 0x02;
    let dgram = ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Tcp, &syn);
    dev.rx
        .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &dgram));
    iface.poll(t(10), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (reason, quoted) = dst_unreachable_of(&tx[0]);
    assert_eq!(reason, DstUnreachable::ProtoUnreachable);
    assert_eq!(quoted, dgram);
    assert_eq!(iface.counters().ipv4.in_unknown_protos, 1);
}

/// Without `proto-ipv4-fragmentation` a fragment is dropped and counted
/// as a failed reassembly; nothing is answered, nothing is kept.
#[test]
#[cfg(not(feature = "proto-ipv4-fragmentation"))]
fn without_fragmentation_fragments_are_dropped_and_counted() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let icmp = echo_request(0x42, 1, &[9u8; 64]);
    for (offset, more) in [(0u16, true), (40, false)] {
        let part = if more { &icmp[..40] } else { &icmp[40..] };
        let repr = ipv4::Repr {
            src_addr: PEER_IP,
            dst_addr: OUR_IP,
            protocol: IpProtocol::Icmp,
            payload_len: part.len(),
            ttl: 64,
            dscp: 0,
            ecn: IpEcn::NotEct,
            ident: 0x5151,
            dont_frag: false,
            more_frags: more,
            frag_offset: offset,
            options: &[],
        };
        let mut buf = vec![0u8; 20 + part.len()];
        repr.emit(
            &mut ipv4::Packet::new_unchecked(&mut buf[..]),
            Checksum::Both,
        );
        buf[20..].copy_from_slice(part);
        dev.rx
            .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &buf));
    }
    iface.poll(t(10), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty(), "no echo reply, no ICMP error");
    assert_eq!(iface.counters().ipv4.reasm_reqds, 2);
    assert_eq!(iface.counters().ipv4.reasm_fails, 2);
    assert_eq!(iface.counters().ipv4.reasm_oks, 0);
}

/// Without `proto-ipv4-fragmentation` a datagram larger than the MTU is not
/// sent: the socket hears `PacketTooBig` with the MTU (Linux: `EMSGSIZE`),
/// and a datagram that fits still goes out.
#[test]
#[cfg(not(feature = "proto-ipv4-fragmentation"))]
fn without_fragmentation_a_too_big_datagram_fails_with_the_mtu() {
    use crate::socket::IcmpErrorKind;
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let h = sockets
        .add(UdpSocket::new(
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
        ))
        .unwrap();
    let peer = IpEndpoint::new(IpAddr::V4(PEER_IP), 53);
    let s = sockets.get_mut::<UdpSocket>(h).unwrap();
    s.bind(5000).unwrap();
    s.send_slice(&[7u8; 2000], peer).unwrap();
    s.send_slice(&[8u8; 1472], peer).unwrap();
    iface.poll(t(1), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1, "only the datagram that fits");
    assert_eq!(tx[0].len(), 14 + 1500);
    let e = sockets
        .get_mut::<UdpSocket>(h)
        .unwrap()
        .take_error()
        .unwrap();
    assert_eq!(e.kind, IcmpErrorKind::PacketTooBig(1500));
    assert_eq!(e.dst, peer);
}

/// Without `pmtu-cache` an ICMP "fragmentation needed" still reaches the
/// socket, but the path keeps the link MTU: the next datagram of 1500
/// bytes leaves whole.
#[test]
#[cfg(not(feature = "pmtu-cache"))]
fn without_pmtu_cache_frag_needed_reaches_the_socket_only() {
    use crate::socket::IcmpErrorKind;
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let h = sockets
        .add(UdpSocket::new(
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 4096]),
        ))
        .unwrap();
    let peer = IpEndpoint::new(IpAddr::V4(PEER_IP), 53);
    sockets.get_mut::<UdpSocket>(h).unwrap().bind(5000).unwrap();
    sockets
        .get_mut::<UdpSocket>(h)
        .unwrap()
        .send_slice(b"hello", peer)
        .unwrap();
    iface.poll(t(1), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    let err = icmpv4::Repr::DstUnreachable {
        reason: DstUnreachable::FragRequired,
        next_hop_mtu: 1400,
        data: &tx[0][14..],
    };
    let mut emsg = vec![0u8; err.buffer_len()];
    err.emit(
        &mut icmpv4::Packet::new_unchecked(&mut emsg[..]),
        Checksum::Both,
    );
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(PEER_IP, OUR_IP, IpProtocol::Icmp, &emsg),
    ));
    iface.poll(t(2), &mut dev, &mut sockets);
    let s = sockets.get_mut::<UdpSocket>(h).unwrap();
    assert_eq!(
        s.take_error().map(|e| e.kind),
        Some(IcmpErrorKind::PacketTooBig(1400))
    );
    s.send_slice(&[8u8; 1472], peer).unwrap();
    iface.poll(t(3), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    assert_eq!(
        tx[0].len(),
        14 + 1500,
        "the link MTU, not the 1400 reported"
    );
}

/// RFC 6864 §4 / RFC 7739 §5.3: the IPv4 Identification steps by one per
/// datagram of a flow (source, destination, protocol), and traffic of
/// another flow in another bucket does not move it (no global counter an
/// idle scan could read).
#[test]
fn rfc7739_ipv4_identification_is_per_flow() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let (ours, peer) = (IpAddr::V4(OUR_IP), IpAddr::V4(PEER_IP));
    let ident = |iface: &Interface<'_>, p: IpProtocol| match (ours, peer) {
        (IpAddr::V4(s), IpAddr::V4(d)) => iface.inner.ipv4_idents.slot(s, d, p).0,
        _ => unreachable!(),
    };
    // The precondition: the two flows use different counters (seeded, so
    // this holds or fails the same way every run).
    assert_ne!(
        ident(&iface, IpProtocol::Icmp),
        ident(&iface, IpProtocol::Udp)
    );
    let h = sockets
        .add(UdpSocket::new(
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 16], vec![0u8; 4096]),
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 16], vec![0u8; 4096]),
        ))
        .unwrap();
    sockets.get_mut::<UdpSocket>(h).unwrap().bind(7).unwrap();
    let ping = |iface: &mut Interface<'static>,
                dev: &mut TestDevice,
                sockets: &mut SocketSet<'static>,
                seq: u16| {
        let req = ipv4_packet(
            PEER_IP,
            OUR_IP,
            IpProtocol::Icmp,
            &echo_request(1, seq, b"id"),
        );
        dev.rx
            .push_back(eth(OUR_MAC, PEER_MAC, ethernet::EtherType::Ipv4, &req));
        iface.poll(t(10 + i64::from(seq)), dev, sockets);
        let tx = dev.take_tx();
        assert_eq!(tx.len(), 1, "one echo reply");
        ip_of(&tx[0]).1.ident
    };
    let first = ping(&mut iface, &mut dev, &mut sockets, 1);
    // Ten UDP datagrams to the same peer: another flow.
    let mut udp_ids = Vec::new();
    for i in 0..10u16 {
        let ep = IpEndpoint::new(peer, 4000);
        sockets
            .get_mut::<UdpSocket>(h)
            .unwrap()
            .send_slice(b"x", ep)
            .unwrap();
        iface.poll(t(20 + i64::from(i)), &mut dev, &mut sockets);
        let tx = dev.take_tx();
        assert_eq!(tx.len(), 1);
        udp_ids.push(ip_of(&tx[0]).1.ident);
    }
    let second = ping(&mut iface, &mut dev, &mut sockets, 2);
    assert_eq!(second, first.wrapping_add(1), "echo replies step by one");
    for w in udp_ids.windows(2) {
        assert_eq!(w[1], w[0].wrapping_add(1), "UDP datagrams step by one");
    }
}
