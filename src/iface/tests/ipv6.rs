//! IPv6, extension headers, ICMPv6 and NDP through the whole interface.

use core::net::{IpAddr, Ipv6Addr};
use std::vec;
use std::vec::Vec;

use super::device::{TestDevice, eth};
use crate::iface::Interface;
use crate::socket::SocketSet;
use crate::time::Instant;
use crate::wire::checksum::Checksum;
use crate::wire::icmpv6::{self, ParamProblem};
use crate::wire::ipv6ext::options::{Ipv6Option, OptionType, emit_options, options_len};
use crate::wire::{EthernetAddress, IpEcn, IpProtocol, Ipv6Cidr, ethernet, ipv6, ndisc};

const OUR_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 1]);
const PEER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 2]);
const OUR_IP: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x77, 0, 0, 0, 0, 0, 1);
const PEER_IP: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x77, 0, 0, 0, 0, 0, 2);
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

fn setup() -> (Interface<'static>, TestDevice, SocketSet<'static>) {
    let dev = TestDevice::ethernet(1500);
    let mut iface = super::device::test_iface(dev.caps, OUR_MAC);
    iface
        .add_ipv6_addr(Ipv6Cidr::new(OUR_IP, 64).unwrap())
        .unwrap();
    (iface, dev, SocketSet::new(Vec::new()))
}

fn t(ms: i64) -> Instant {
    Instant::from_millis(ms)
}

fn packet(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    next: IpProtocol,
    hop_limit: u8,
    payload: &[u8],
) -> Vec<u8> {
    let repr = ipv6::Repr {
        src_addr: src,
        dst_addr: dst,
        next_header: next,
        payload_len: payload.len() as u16,
        hop_limit,
        dscp: 0,
        ecn: IpEcn::NotEct,
        flow_label: 0,
    };
    let mut buf = vec![0u8; 40 + payload.len()];
    repr.emit(&mut ipv6::Packet::new_unchecked(&mut buf[..]));
    buf[40..].copy_from_slice(payload);
    buf
}

fn icmp(src: Ipv6Addr, dst: Ipv6Addr, r: icmpv6::Repr<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; r.buffer_len()];
    r.emit(
        &mut icmpv6::Packet::new_unchecked(&mut buf[..]),
        &src,
        &dst,
        Checksum::Both,
    );
    buf
}

fn frame(dst_mac: EthernetAddress, ip: &[u8]) -> Vec<u8> {
    eth(dst_mac, PEER_MAC, ethernet::EtherType::Ipv6, ip)
}

fn parse_out(f: &[u8]) -> (ipv6::Repr, Vec<u8>) {
    let p = ipv6::Packet::new_checked(&f[14..]).unwrap();
    let r = ipv6::Repr::parse(&p).unwrap();
    (r, p.payload().to_vec())
}

fn learn_peer(
    iface: &mut Interface<'static>,
    dev: &mut TestDevice,
    sockets: &mut SocketSet<'static>,
) {
    let ns = icmpv6::Repr::Ndisc(ndisc::Repr::NeighborSolicit {
        target_addr: OUR_IP,
        lladdr: Some(PEER_MAC),
        nonce: None,
    });
    let sn = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 1, 0xff00, 1);
    dev.rx.push_back(frame(
        EthernetAddress::from_ipv6_multicast(sn),
        &packet(PEER_IP, sn, IpProtocol::Icmpv6, 255, &icmp(PEER_IP, sn, ns)),
    ));
    iface.poll(t(0), dev, sockets);
    dev.take_tx();
}

#[test]
fn rfc4861_7_2_4_solicitation_is_answered() {
    let (mut iface, mut dev, mut sockets) = setup();
    let sn = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 1, 0xff00, 1);
    let ns = icmpv6::Repr::Ndisc(ndisc::Repr::NeighborSolicit {
        target_addr: OUR_IP,
        lladdr: Some(PEER_MAC),
        nonce: None,
    });
    dev.rx.push_back(frame(
        EthernetAddress::from_ipv6_multicast(sn),
        &packet(PEER_IP, sn, IpProtocol::Icmpv6, 255, &icmp(PEER_IP, sn, ns)),
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (ip, payload) = parse_out(&tx[0]);
    assert_eq!(
        (ip.src_addr, ip.dst_addr, ip.hop_limit),
        (OUR_IP, PEER_IP, 255)
    );
    let p = icmpv6::Packet::new_checked(&payload[..]).unwrap();
    let r = icmpv6::Repr::parse(&p, &ip.src_addr, &ip.dst_addr, Checksum::Both).unwrap();
    assert_eq!(
        r,
        icmpv6::Repr::Ndisc(ndisc::Repr::NeighborAdvert {
            router: false,
            solicited: true,
            override_: true,
            target_addr: OUR_IP,
            lladdr: Some(OUR_MAC)
        })
    );
}

#[test]
fn rfc4861_hop_limit_below_255_is_ignored() {
    let (mut iface, mut dev, mut sockets) = setup();
    let sn = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 1, 0xff00, 1);
    let ns = icmpv6::Repr::Ndisc(ndisc::Repr::NeighborSolicit {
        target_addr: OUR_IP,
        lladdr: Some(PEER_MAC),
        nonce: None,
    });
    dev.rx.push_back(frame(
        EthernetAddress::from_ipv6_multicast(sn),
        &packet(PEER_IP, sn, IpProtocol::Icmpv6, 254, &icmp(PEER_IP, sn, ns)),
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
}

#[test]
fn rfc4443_echo_reply_after_resolution() {
    let (mut iface, mut dev, mut sockets) = setup();
    let req = icmpv6::Repr::EchoRequest {
        ident: 7,
        seq_no: 2,
        data: b"ping6",
    };
    dev.rx.push_back(frame(
        OUR_MAC,
        &packet(
            PEER_IP,
            OUR_IP,
            IpProtocol::Icmpv6,
            64,
            &icmp(PEER_IP, OUR_IP, req),
        ),
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    // No neighbour entry: a Neighbor Solicitation goes out first.
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (ip, payload) = parse_out(&tx[0]);
    assert_eq!(ip.dst_addr, Ipv6Addr::new(0xff02, 0, 0, 0, 0, 1, 0xff00, 2));
    let r = icmpv6::Repr::parse(
        &icmpv6::Packet::new_checked(&payload[..]).unwrap(),
        &ip.src_addr,
        &ip.dst_addr,
        Checksum::Both,
    )
    .unwrap();
    assert!(
        matches!(r, icmpv6::Repr::Ndisc(ndisc::Repr::NeighborSolicit { target_addr, .. }) if target_addr == PEER_IP)
    );
    // The advertisement releases the queued reply.
    let na = icmpv6::Repr::Ndisc(ndisc::Repr::NeighborAdvert {
        router: false,
        solicited: true,
        override_: true,
        target_addr: PEER_IP,
        lladdr: Some(PEER_MAC),
    });
    dev.rx.push_back(frame(
        OUR_MAC,
        &packet(
            PEER_IP,
            OUR_IP,
            IpProtocol::Icmpv6,
            255,
            &icmp(PEER_IP, OUR_IP, na),
        ),
    ));
    iface.poll(t(3), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (ip, payload) = parse_out(&tx[0]);
    assert_eq!(ip.dst_addr, PEER_IP);
    assert_ne!(ip.flow_label, 0, "RFC 6437 flow label set");
    let r = icmpv6::Repr::parse(
        &icmpv6::Packet::new_checked(&payload[..]).unwrap(),
        &ip.src_addr,
        &ip.dst_addr,
        Checksum::Both,
    )
    .unwrap();
    assert_eq!(
        r,
        icmpv6::Repr::EchoReply {
            ident: 7,
            seq_no: 2,
            data: b"ping6"
        }
    );
}

/// The echo reply's checksum is adjusted from the request's (RFC 1624)
/// when the reply comes from the address asked (the pseudo-header sums
/// the same two addresses), and summed in full when a multicast request
/// is answered from a unicast address: byte for byte what a full sum
/// gives either way.
#[test]
fn rfc1624_echo_reply_checksum_equals_a_full_sum() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let mut x: u32 = 777;
    let mut next = || {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (x >> 8) as u16
    };
    for n in 0..100 {
        let len = usize::from(next() % 80);
        let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let (ident, seq_no) = if n == 0 { (0, 0) } else { (next(), next()) };
        let req = icmpv6::Repr::EchoRequest {
            ident,
            seq_no,
            data: &data,
        };
        let (dst, dst_mac) = if n % 4 == 3 {
            (ALL_NODES, EthernetAddress::from_ipv6_multicast(ALL_NODES))
        } else {
            (OUR_IP, OUR_MAC)
        };
        dev.rx.push_back(frame(
            dst_mac,
            &packet(
                PEER_IP,
                dst,
                IpProtocol::Icmpv6,
                64,
                &icmp(PEER_IP, dst, req),
            ),
        ));
        iface.poll(t(1 + n), &mut dev, &mut sockets);
        let tx = dev.take_tx();
        assert_eq!(tx.len(), 1, "case {n}");
        let (ip, payload) = parse_out(&tx[0]);
        assert_eq!((ip.src_addr, ip.dst_addr), (OUR_IP, PEER_IP));
        let reply = icmpv6::Repr::EchoReply {
            ident,
            seq_no,
            data: &data,
        };
        assert_eq!(payload, icmp(OUR_IP, PEER_IP, reply), "case {n}");
    }
}

fn hbh_with(kind: u8) -> Vec<u8> {
    // Hop-by-Hop header carrying one unknown option of `kind`, then an
    // echo request.
    let opts = [Ipv6Option::Unknown {
        kind: OptionType(kind),
        data: &[0, 0],
    }];
    let olen = options_len(&opts);
    let mut hbh = vec![0u8; 2 + olen];
    hbh[0] = 58; // next header ICMPv6
    hbh[1] = ((2 + olen) / 8 - 1) as u8;
    emit_options(&opts, &mut hbh[2..]);
    let echo = icmp(
        PEER_IP,
        OUR_IP,
        icmpv6::Repr::EchoRequest {
            ident: 1,
            seq_no: 1,
            data: b"x",
        },
    );
    hbh.extend_from_slice(&echo);
    hbh
}

#[test]
fn rfc8200_4_2_option_actions() {
    // 00: skip -> the echo is answered.
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    dev.rx.push_back(frame(
        OUR_MAC,
        &packet(PEER_IP, OUR_IP, IpProtocol::HopByHop, 64, &hbh_with(0x1e)),
    ));
    iface.poll(t(1), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (_, payload) = parse_out(&tx[0]);
    assert_eq!(payload[0], 129, "echo reply");
    // 01: discard silently.
    dev.rx.push_back(frame(
        OUR_MAC,
        &packet(PEER_IP, OUR_IP, IpProtocol::HopByHop, 64, &hbh_with(0x5e)),
    ));
    iface.poll(t(2), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    // 10: discard + Parameter Problem code 2 pointing at the option.
    dev.rx.push_back(frame(
        OUR_MAC,
        &packet(PEER_IP, OUR_IP, IpProtocol::HopByHop, 64, &hbh_with(0x9e)),
    ));
    iface.poll(t(3), &mut dev, &mut sockets);
    let (reason, pointer) = sent_param_problem(&mut dev);
    assert_eq!(reason, ParamProblem::UnrecognizedOption);
    assert_eq!(pointer, 42, "40-byte header + 2: the option type");
}

/// The Parameter Problem (reason, pointer) in the one frame sent.
fn sent_param_problem(dev: &mut TestDevice) -> (ParamProblem, u32) {
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let (ip, payload) = parse_out(&tx[0]);
    let r = icmpv6::Repr::parse(
        &icmpv6::Packet::new_checked(&payload[..]).unwrap(),
        &ip.src_addr,
        &ip.dst_addr,
        Checksum::Both,
    )
    .unwrap();
    let icmpv6::Repr::ParamProblem {
        reason, pointer, ..
    } = r
    else {
        panic!("{r:?}")
    };
    (reason, pointer)
}

#[test]
fn rfc8200_4_unrecognized_next_header_points_at_the_field_that_named_it() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    // Protocol 200 (unassigned) straight after the fixed
    // header: the pointer is the fixed header's Next Header field, 6.
    dev.rx.push_back(frame(
        OUR_MAC,
        &packet(PEER_IP, OUR_IP, IpProtocol(200), 64, &[0u8; 8]),
    ));
    iface.poll(t(1), &mut dev, &mut sockets);
    assert_eq!(
        sent_param_problem(&mut dev),
        (ParamProblem::UnrecognizedNxtHdr, 6)
    );
    // Hop-by-Hop (8 bytes, PadN) then Destination Options (8 bytes) naming
    // 200: the pointer is the Destination Options header's first byte, at
    // 40 + 8.
    let mut chain = vec![60u8, 0, 1, 4, 0, 0, 0, 0];
    chain.extend_from_slice(&[200u8, 0, 1, 4, 0, 0, 0, 0]);
    chain.extend_from_slice(&[0u8; 8]);
    dev.rx.push_back(frame(
        OUR_MAC,
        &packet(PEER_IP, OUR_IP, IpProtocol::HopByHop, 64, &chain),
    ));
    // After the ICMPv6 rate limit interval (1 s, Linux net.ipv6.icmp.ratelimit).
    iface.poll(t(2000), &mut dev, &mut sockets);
    assert_eq!(
        sent_param_problem(&mut dev),
        (ParamProblem::UnrecognizedNxtHdr, 48)
    );
}

#[test]
fn rfc5095_routing_type_0_refused() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    // Routing header type 0 with one address and Segments Left 1.
    let mut rh = vec![58u8, 2, 0, 1, 0, 0, 0, 0];
    rh.extend_from_slice(&Ipv6Addr::new(0xfd00, 0x77, 0, 0, 0, 0, 0, 9).octets());
    rh.extend_from_slice(&icmp(
        PEER_IP,
        OUR_IP,
        icmpv6::Repr::EchoRequest {
            ident: 1,
            seq_no: 1,
            data: b"x",
        },
    ));
    dev.rx.push_back(frame(
        OUR_MAC,
        &packet(PEER_IP, OUR_IP, IpProtocol::Ipv6Route, 64, &rh),
    ));
    iface.poll(t(1), &mut dev, &mut sockets);
    let (reason, pointer) = sent_param_problem(&mut dev);
    assert_eq!((reason, pointer), (ParamProblem::ErroneousHeaderField, 42));
}

#[test]
fn rfc4443_2_4_no_error_to_multicast_destinations() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    // UDP to a closed port at all-nodes: no port unreachable.
    let mut udp = vec![0u8; 8];
    udp[0..2].copy_from_slice(&1000u16.to_be_bytes());
    udp[2..4].copy_from_slice(&9u16.to_be_bytes());
    udp[4..6].copy_from_slice(&8u16.to_be_bytes());
    let sum = crate::wire::checksum::combine(&[
        crate::wire::checksum::pseudo_header_v6(&PEER_IP, &ALL_NODES, IpProtocol::Udp, 8),
        crate::wire::checksum::data(&udp),
    ]);
    udp[6..8].copy_from_slice(&(!sum).to_be_bytes());
    dev.rx.push_back(frame(
        EthernetAddress::from_ipv6_multicast(ALL_NODES),
        &packet(PEER_IP, ALL_NODES, IpProtocol::Udp, 64, &udp),
    ));
    iface.poll(t(1), &mut dev, &mut sockets);
    assert!(dev.take_tx().is_empty());
    assert_eq!(iface.counters().icmpv6.out_suppressed, 1);
}

#[test]
fn rfc4861_6_3_4_router_advertisement_sets_default_route() {
    let (mut iface, mut dev, mut sockets) = setup();
    let router = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0x99);
    let mut opts = vec![0u8; 8];
    opts[0] = 1; // source link-layer address
    opts[1] = 1;
    opts[2..8].copy_from_slice(&PEER_MAC.0);
    let ra = ndisc::Repr::RouterAdvert {
        hop_limit: 64,
        managed: false,
        other: false,
        router_pref: ndisc::RouterPreference::Medium,
        router_lifetime: 1800,
        reachable_time: 0,
        retrans_time: 0,
        options: ndisc::NdiscOptions::new_checked(&opts).unwrap(),
    };
    let msg = icmp(router, ALL_NODES, icmpv6::Repr::Ndisc(ra));
    dev.rx.push_back(frame(
        EthernetAddress::from_ipv6_multicast(ALL_NODES),
        &packet(router, ALL_NODES, IpProtocol::Icmpv6, 255, &msg),
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    let r = iface
        .routes()
        .lookup(
            &IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            t(1),
        )
        .copied();
    assert_eq!(r.and_then(|r| r.via_router), Some(IpAddr::V6(router)));
    assert_eq!(r.and_then(|r| r.expires_at), Some(t(1_800_000)));
}

#[test]
fn rfc8200_4_5_reassembly_and_fragmented_reply() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    // A 3000-byte echo request in three fragments, out of order.
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 3) as u8).collect();
    let msg = icmp(
        PEER_IP,
        OUR_IP,
        icmpv6::Repr::EchoRequest {
            ident: 9,
            seq_no: 4,
            data: &data,
        },
    );
    let chunks = [(0usize, 1232usize), (1232, 1232), (2464, msg.len() - 2464)];
    let mut frames = Vec::new();
    for (off, len) in chunks {
        let more = off + len < msg.len();
        let mut fh = vec![58u8, 0, 0, 0, 0, 0, 0x12, 0x34];
        let fo = ((off / 8) as u16) << 3 | u16::from(more);
        fh[2..4].copy_from_slice(&fo.to_be_bytes());
        fh[4..8].copy_from_slice(&0xdead_beefu32.to_be_bytes());
        fh.extend_from_slice(&msg[off..off + len]);
        frames.push(frame(
            OUR_MAC,
            &packet(PEER_IP, OUR_IP, IpProtocol::Ipv6Frag, 64, &fh),
        ));
    }
    dev.rx.push_back(frames[1].clone());
    dev.rx.push_back(frames[2].clone());
    dev.rx.push_back(frames[0].clone());
    iface.poll(t(5), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert!(
        tx.len() >= 3,
        "the 3048-byte reply leaves in fragments: {}",
        tx.len()
    );
    // Reassemble our reply and check it.
    let mut whole = vec![0u8; msg.len()];
    let mut got = 0;
    for f in &tx {
        assert!(f.len() <= 1514);
        let (ip, payload) = parse_out(f);
        assert_eq!(ip.next_header, IpProtocol::Ipv6Frag);
        let off = usize::from(u16::from_be_bytes([payload[2], payload[3]]) & !7);
        whole[off..off + payload.len() - 8].copy_from_slice(&payload[8..]);
        got += payload.len() - 8;
    }
    assert_eq!(got, msg.len());
    let r = icmpv6::Repr::parse(
        &icmpv6::Packet::new_checked(&whole[..]).unwrap(),
        &OUR_IP,
        &PEER_IP,
        Checksum::Both,
    )
    .unwrap();
    assert_eq!(
        r,
        icmpv6::Repr::EchoReply {
            ident: 9,
            seq_no: 4,
            data: &data
        }
    );
}

/// A device that completes TCP and UDP checksums itself (an offload TAP,
/// a NIC) cannot complete one over fragments: the first fragment holds the
/// field, the data it covers is spread over all of them. A datagram the
/// stack fragments leaves with its transport checksum computed in
/// software (before: left for the device, which sent it unfilled, so
/// every fragmented datagram was dropped at the far end).
#[test]
#[cfg(all(feature = "socket-udp", feature = "proto-ipv6-fragmentation"))]
fn fragmented_datagrams_carry_their_checksum_when_the_device_offloads_it() {
    use crate::socket::IpEndpoint;
    use crate::socket::udp::{PacketBuffer, Socket as UdpSocket};
    use crate::storage::PacketMetadata;
    use crate::wire::udp;
    let mut dev = TestDevice::ethernet(1500);
    dev.caps.checksum.udp = Checksum::Rx;
    dev.caps.checksum.tcp = Checksum::Rx;
    let mut iface = super::device::test_iface(dev.caps, OUR_MAC);
    iface
        .add_ipv6_addr(Ipv6Cidr::new(OUR_IP, 64).unwrap())
        .unwrap();
    let mut sockets = SocketSet::new(Vec::new());
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let h = sockets.add(UdpSocket::new(
        PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 8192]),
        PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 8192]),
    ));
    let h = h.unwrap();
    let s = sockets.get_mut::<UdpSocket>(h).unwrap();
    s.bind(5000).unwrap();
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
    s.send_slice(&data, IpEndpoint::new(IpAddr::V6(PEER_IP), 53))
        .unwrap();
    iface.poll(t(5), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert!(tx.len() >= 3, "{} frames", tx.len());
    let mut whole = vec![0u8; 8 + data.len()];
    let mut got = 0;
    for f in &tx {
        let (ip, payload) = parse_out(f);
        assert_eq!(ip.next_header, IpProtocol::Ipv6Frag);
        let off = usize::from(u16::from_be_bytes([payload[2], payload[3]]) & !7);
        whole[off..off + payload.len() - 8].copy_from_slice(&payload[8..]);
        got += payload.len() - 8;
    }
    assert_eq!(got, whole.len());
    let p = udp::Packet::new_checked(&whole[..]).unwrap();
    assert!(
        p.verify_checksum(&IpAddr::V6(OUR_IP), &IpAddr::V6(PEER_IP), false),
        "checksum {:#06x}",
        p.checksum()
    );
}
