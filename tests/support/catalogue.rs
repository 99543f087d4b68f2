//! A catalogue of complete Ethernet frames, one of each kind ferrotcp's
//! wire layer can build, each with the field values Wireshark should decode
//! from it.
//!
//! Every byte comes from a wire `Repr`'s `emit` (or an option's `emit`):
//! nothing here is written by hand, so the catalogue checks the emitters
//! against an independent dissector (`tests/tshark.rs`), feeds the demo
//! (`examples/wire_tour.rs`) and seeds the whole-frame fuzz target
//! (`fuzz/seeds/frame/`).
//!
//! Include it with `#[path = ".../tests/support/catalogue.rs"] mod catalogue;`;
//! the IPv6 samples live in the child module `catalogue_v6.rs` beside it.

#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use ferrotcp::wire::address::{EthernetAddress, Ipv4Cidr};
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::ethernet::{self, EtherType};
use ferrotcp::wire::icmpv6::Ipv6AddrList;
use ferrotcp::wire::ip::{IpEcn, IpProtocol};
use ferrotcp::wire::ipv6ext::options::{Ipv6Option, OptionType as Ipv6OptionType, emit_options};
use ferrotcp::wire::ipv6ext::{fragment, hopopts, routing};
use ferrotcp::wire::ndisc::{NdiscOption, NdiscOptions, PrefixInformation};
use ferrotcp::wire::tcp::{self, AccEcn, AccEcnOrder, FastOpenCookie, TcpSeqNumber, TcpTimestamp};
use ferrotcp::wire::{arp, dhcpv4, icmpv4, icmpv6, igmp, ipv4, ipv6, mld, ndisc, udp};

/// One catalogue entry.
#[derive(Debug, Clone)]
pub struct Sample {
    /// A short unique name (also the fuzz seed file name).
    pub name: &'static str,
    /// The complete Ethernet frame (no FCS), padded to 60 bytes.
    pub frame: Vec<u8>,
    /// `(tshark field, value)` pairs tshark must decode from this frame,
    /// in `tshark -T fields -E occurrence=a -E aggregator=,` form: several
    /// occurrences are joined by commas, in packet order.
    pub fields: Vec<(&'static str, String)>,
}

/// The host's MAC address.
pub const MAC_HOST: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
/// The peer's (or the router's) MAC address.
pub const MAC_PEER: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x02]);
/// The host's IPv4 address (RFC 5737 TEST-NET-1).
pub const IP4_HOST: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
/// The peer's IPv4 address.
pub const IP4_PEER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
/// The DHCP server's and router's IPv4 address.
pub const IP4_ROUTER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 254);
/// A multicast group for the IGMP frames.
pub const GROUP4: Ipv4Addr = Ipv4Addr::new(239, 1, 2, 3);
/// A second multicast group.
pub const GROUP4_B: Ipv4Addr = Ipv4Addr::new(239, 1, 2, 4);
/// The host's global IPv6 address (RFC 3849 documentation prefix).
pub const IP6_HOST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
/// The peer's global IPv6 address.
pub const IP6_PEER: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
/// The host's link-local address (its interface identifier from MAC_HOST).
pub const LL_HOST: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 1);
/// The router's link-local address.
pub const LL_ROUTER: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 2);

/// The payload the UDP and TCP samples carry: plain text that no port's
/// dissector mistakes for its protocol.
pub const TEXT: &[u8] = b"ferrotcp wire catalogue";

// ---------------------------------------------------------------------------
// Layer builders: each takes a Repr (or the few values that make one) and the
// already-built payload, emits, and returns the bytes.
// ---------------------------------------------------------------------------

/// An Ethernet II frame around `payload`, padded to 60 bytes (RFC 894).
pub fn ethernet(dst: EthernetAddress, ethertype: EtherType, payload: &[u8]) -> Vec<u8> {
    let repr = ethernet::Repr {
        src_addr: if dst == MAC_HOST { MAC_PEER } else { MAC_HOST },
        dst_addr: dst,
        ethertype,
    };
    let mut buf = vec![0u8; repr.buffer_len() + payload.len()];
    repr.emit(&mut ethernet::Frame::new_unchecked(&mut buf[..]));
    buf[repr.buffer_len()..].copy_from_slice(payload);
    pad(buf)
}

/// An IEEE 802.3 frame with an RFC 1042 LLC/SNAP header around `payload`.
pub fn ethernet_snap(dst: EthernetAddress, ethertype: EtherType, payload: &[u8]) -> Vec<u8> {
    let repr = ethernet::Repr {
        src_addr: MAC_HOST,
        dst_addr: dst,
        ethertype,
    };
    let mut buf = vec![0u8; repr.snap_buffer_len() + payload.len()];
    repr.emit_snap(
        &mut ethernet::Frame::new_unchecked(&mut buf[..]),
        payload.len(),
    );
    buf[repr.snap_buffer_len()..].copy_from_slice(payload);
    pad(buf)
}

fn pad(mut frame: Vec<u8>) -> Vec<u8> {
    if frame.len() < ethernet::MIN_FRAME_LEN {
        frame.resize(ethernet::MIN_FRAME_LEN, 0);
    }
    frame
}

/// A plain IPv4 header Repr: TTL 64, DF set, no options.
pub fn ipv4_repr(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: IpProtocol,
    payload_len: usize,
) -> ipv4::Repr<'static> {
    ipv4::Repr {
        src_addr: src,
        dst_addr: dst,
        protocol,
        payload_len,
        ttl: 64,
        dscp: 0,
        ecn: IpEcn::NotEct,
        ident: 0x4d2f,
        dont_frag: true,
        more_frags: false,
        frag_offset: 0,
        options: &[],
    }
}

/// An IPv4 datagram: `repr`'s header then `payload` (`repr.payload_len`
/// must be `payload.len()`).
pub fn ipv4(repr: &ipv4::Repr<'_>, payload: &[u8]) -> Vec<u8> {
    assert_eq!(repr.payload_len, payload.len(), "ipv4 payload length");
    let mut buf = vec![0u8; repr.total_len()];
    let mut p = ipv4::Packet::new_unchecked(&mut buf[..]);
    repr.emit(&mut p, Checksum::Both);
    p.payload_mut().copy_from_slice(payload);
    buf
}

/// IPv4 options from their Reprs, End-of-List padded to a word.
pub fn ipv4_options(options: &[ipv4::Ipv4Option<'_>]) -> Vec<u8> {
    let len: usize = options.iter().map(|o| o.buffer_len()).sum();
    let mut buf = vec![0u8; len.div_ceil(4) * 4];
    let mut at = 0;
    for o in options {
        at += o.emit(&mut buf[at..]);
    }
    buf
}

/// An IPv6 packet: fixed header then `payload`.
pub fn ipv6(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    next_header: IpProtocol,
    hop_limit: u8,
    payload: &[u8],
) -> Vec<u8> {
    let repr = ipv6::Repr {
        src_addr: src,
        dst_addr: dst,
        next_header,
        payload_len: u16::try_from(payload.len()).expect("catalogue packets are small"),
        hop_limit,
        dscp: 0,
        ecn: IpEcn::NotEct,
        flow_label: 0x5_1f2c,
    };
    let mut buf = vec![0u8; repr.buffer_len()];
    let mut p = ipv6::Packet::new_unchecked(&mut buf[..]);
    repr.emit(&mut p);
    p.payload_mut().copy_from_slice(payload);
    buf
}

/// A Hop-by-Hop or Destination Options header with `options` (laid out
/// with their alignment and padded by `emit_options`), then `rest`.
pub fn ipv6_options_header(
    next_header: IpProtocol,
    options: &[Ipv6Option<'_>],
    rest: &[u8],
) -> Vec<u8> {
    let mut area = vec![0u8; ferrotcp::wire::ipv6ext::options::options_len(options)];
    emit_options(options, &mut area);
    let repr = hopopts::Repr {
        next_header,
        options: &area,
    };
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(&mut hopopts::Header::new_unchecked(&mut buf[..]));
    buf.extend_from_slice(rest);
    buf
}

/// A Fragment header then `rest`.
pub fn ipv6_fragment_header(repr: &fragment::Repr, rest: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(&mut fragment::Header::new_unchecked(&mut buf[..]));
    buf.extend_from_slice(rest);
    buf
}

/// A Routing header then `rest`.
pub fn ipv6_routing_header(repr: &routing::Repr<'_>, rest: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(&mut routing::Header::new_unchecked(&mut buf[..]));
    buf.extend_from_slice(rest);
    buf
}

/// A UDP datagram with its checksum over the `src`/`dst` pseudo-header.
pub fn udp(src: IpAddr, dst: IpAddr, src_port: u16, dst_port: u16, payload: &[u8]) -> Vec<u8> {
    let repr = udp::Repr { src_port, dst_port };
    let mut buf = vec![0u8; repr.buffer_len(payload.len())];
    repr.emit(
        &mut udp::Packet::new_unchecked(&mut buf[..]),
        &src,
        &dst,
        payload.len(),
        |b| b.copy_from_slice(payload),
        Checksum::Both,
    );
    buf
}

/// A TCP Repr with no flags, options or payload.
pub fn tcp_repr(src_port: u16, dst_port: u16, seq: u32) -> tcp::Repr<'static> {
    tcp::Repr {
        src_port,
        dst_port,
        control: tcp::Control::None,
        psh: false,
        seq_number: TcpSeqNumber(seq),
        ack_number: None,
        window_len: 64240,
        urgent_at: None,
        ece: false,
        cwr: false,
        ae: false,
        window_scale: None,
        max_seg_size: None,
        sack_permitted: false,
        sack_ranges: [None; 4],
        timestamp: None,
        fast_open_cookie: None,
        accecn: None,
        payload: &[],
    }
}

/// A TCP segment with its checksum.
pub fn tcp(repr: &tcp::Repr<'_>, src: IpAddr, dst: IpAddr) -> Vec<u8> {
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut tcp::Packet::new_unchecked(&mut buf[..]),
        &src,
        &dst,
        Checksum::Both,
    );
    buf
}

/// An ICMPv4 message with its checksum.
pub fn icmpv4(repr: &icmpv4::Repr<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut icmpv4::Packet::new_unchecked(&mut buf[..]),
        Checksum::Both,
    );
    buf
}

/// An IGMP message with its checksum.
pub fn igmp(repr: &igmp::Repr<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut igmp::Packet::new_unchecked(&mut buf[..]),
        Checksum::Both,
    );
    buf
}

/// An ICMPv6 message from `src` to `dst` with its checksum.
pub fn icmpv6(repr: &icmpv6::Repr<'_>, src: Ipv6Addr, dst: Ipv6Addr) -> Vec<u8> {
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut icmpv6::Packet::new_unchecked(&mut buf[..]),
        &src,
        &dst,
        Checksum::Both,
    );
    buf
}

/// A DHCP message (the UDP payload).
pub fn dhcp(repr: &dhcpv4::Repr<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(&mut dhcpv4::Packet::new_unchecked(&mut buf[..]))
        .expect("catalogue DHCP reprs are valid");
    buf
}

/// Ethernet + IPv4 (DF, TTL 64, no options) + `payload` of `protocol`.
fn eth_ipv4(
    dst_mac: EthernetAddress,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: IpProtocol,
    payload: &[u8],
) -> Vec<u8> {
    let ip = ipv4(&ipv4_repr(src, dst, protocol, payload.len()), payload);
    ethernet(dst_mac, EtherType::Ipv4, &ip)
}

fn v4(a: Ipv4Addr) -> IpAddr {
    IpAddr::V4(a)
}

fn v6(a: Ipv6Addr) -> IpAddr {
    IpAddr::V6(a)
}

fn s(v: impl ToString) -> String {
    v.to_string()
}

fn list<T: ToString>(vs: &[T]) -> String {
    vs.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The Ethernet multicast address of an IPv4 group (RFC 1112 §6.4).
fn mcast4(g: Ipv4Addr) -> EthernetAddress {
    EthernetAddress::from_ipv4_multicast(g)
}

/// The Ethernet multicast address of an IPv6 group (RFC 2464 §7).
fn mcast6(g: Ipv6Addr) -> EthernetAddress {
    EthernetAddress::from_ipv6_multicast(g)
}

#[path = "catalogue_v6.rs"]
mod v6;

// ---------------------------------------------------------------------------
// The samples.
// ---------------------------------------------------------------------------

/// Every sample, in a fixed order (fragments next to their siblings, so
/// that tshark reassembles them).
pub fn all() -> Vec<Sample> {
    let mut v = Vec::new();
    v.extend(arp_samples());
    v.extend(ipv4_samples());
    v.extend(icmpv4_samples());
    v.extend(igmp_samples());
    v.extend(udp_tcp_samples());
    v.extend(v6::ipv6_ext_samples());
    v.extend(v6::icmpv6_samples());
    v.extend(v6::ndisc_samples());
    v.extend(v6::mld_samples());
    v.extend(dhcp_samples());
    v.extend(snap_samples());
    v
}

fn arp_samples() -> Vec<Sample> {
    let request = arp::Repr::EthernetIpv4 {
        operation: arp::Operation::Request,
        source_hardware_addr: MAC_HOST,
        source_protocol_addr: IP4_HOST,
        target_hardware_addr: EthernetAddress::UNSPECIFIED,
        target_protocol_addr: IP4_PEER,
    };
    let reply = arp::Repr::EthernetIpv4 {
        operation: arp::Operation::Reply,
        source_hardware_addr: MAC_PEER,
        source_protocol_addr: IP4_PEER,
        target_hardware_addr: MAC_HOST,
        target_protocol_addr: IP4_HOST,
    };
    let emit = |r: &arp::Repr| {
        let mut b = vec![0u8; r.buffer_len()];
        r.emit(&mut arp::Packet::new_unchecked(&mut b[..]));
        b
    };
    vec![
        Sample {
            name: "arp-request",
            frame: ethernet(EthernetAddress::BROADCAST, EtherType::Arp, &emit(&request)),
            fields: vec![
                ("arp.opcode", s(1)),
                ("arp.src.hw_mac", s(MAC_HOST)),
                ("arp.src.proto_ipv4", s(IP4_HOST)),
                ("arp.dst.proto_ipv4", s(IP4_PEER)),
            ],
        },
        Sample {
            name: "arp-reply",
            frame: ethernet(MAC_HOST, EtherType::Arp, &emit(&reply)),
            fields: vec![
                ("arp.opcode", s(2)),
                ("arp.src.hw_mac", s(MAC_PEER)),
                ("arp.dst.hw_mac", s(MAC_HOST)),
                ("arp.src.proto_ipv4", s(IP4_PEER)),
            ],
        },
    ]
}

fn ipv4_samples() -> Vec<Sample> {
    let mut out = Vec::new();

    // IPv4 with Router Alert (RFC 2113), Record Route with three free
    // slots and Internet Timestamp (flag 0) with two free slots
    // (RFC 791 §3.1), carrying an ICMP echo request.
    let rr_slots = [0u8; 12];
    let ts_slots = [0u8; 8];
    let options = ipv4_options(&[
        ipv4::Ipv4Option::RouterAlert(ipv4::ROUTER_ALERT_EXAMINE),
        ipv4::Ipv4Option::RecordRoute {
            pointer: 4,
            data: &rr_slots,
        },
        ipv4::Ipv4Option::Timestamp {
            pointer: 5,
            overflow: 0,
            flags: 0,
            data: &ts_slots,
        },
    ]);
    let echo = icmpv4(&icmpv4::Repr::EchoRequest {
        ident: 0x1234,
        seq_no: 7,
        data: TEXT,
    });
    let ip = ipv4::Repr {
        options: &options,
        ..ipv4_repr(IP4_HOST, IP4_PEER, IpProtocol::Icmp, echo.len())
    };
    out.push(Sample {
        name: "ipv4-options-icmp-echo",
        frame: ethernet(MAC_PEER, EtherType::Ipv4, &ipv4(&ip, &echo)),
        fields: vec![
            ("ip.hdr_len", s(20 + options.len())),
            ("ip.opt.type", list(&[148, 7, 68, 0])),
            ("ip.opt.ra", s(0)),
            ("ip.opt.ptr", list(&[4, 5])),
            ("icmp.type", s(8)),
            ("icmp.ident", s(0x1234)),
            ("icmp.seq", s(7)),
        ],
    });

    // One UDP datagram cut into two fragments (RFC 791 §3.2): the first
    // carries 24 bytes (a multiple of 8), the second the rest.
    let data: Vec<u8> = TEXT.iter().chain(TEXT).copied().collect();
    let dgram = udp(v4(IP4_HOST), v4(IP4_PEER), 40000, 40001, &data);
    let whole = ipv4::Repr {
        dont_frag: false,
        ident: 0xbeef,
        ..ipv4_repr(IP4_HOST, IP4_PEER, IpProtocol::Udp, dgram.len())
    };
    let first = whole.fragment(0, 24, false);
    let later = whole.fragment(24, dgram.len() - 24, true);
    out.push(Sample {
        name: "ipv4-fragment-first",
        frame: ethernet(MAC_PEER, EtherType::Ipv4, &ipv4(&first, &dgram[..24])),
        fields: vec![
            ("ip.id", s("0xbeef")),
            ("ip.flags.mf", s(1)),
            ("ip.frag_offset", s(0)),
        ],
    });
    out.push(Sample {
        name: "ipv4-fragment-later",
        frame: ethernet(MAC_PEER, EtherType::Ipv4, &ipv4(&later, &dgram[24..])),
        fields: vec![
            ("ip.id", s("0xbeef")),
            ("ip.flags.mf", s(0)),
            // Wireshark shows the field itself: 8-octet units.
            ("ip.frag_offset", s(24 / 8)),
            // Reassembled from both fragments.
            ("udp.length", s(dgram.len())),
            ("udp.srcport", s(40000)),
        ],
    });
    out
}

/// The invoking datagram an ICMP error quotes: its IP header and the
/// first 8 bytes of its payload (RFC 792, RFC 1122 §3.2.2).
fn invoking_v4(ip: &ipv4::Repr<'_>, payload: &[u8]) -> Vec<u8> {
    let whole = ipv4(ip, payload);
    whole[..ip.header_len() + icmpv4::INVOKING_DATA_LEN].to_vec()
}

fn icmpv4_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    let quoted_udp = udp(v4(IP4_HOST), v4(IP4_PEER), 40000, 33434, TEXT);
    let quoted_ip = ipv4_repr(IP4_HOST, IP4_PEER, IpProtocol::Udp, quoted_udp.len());
    let invoking = invoking_v4(&quoted_ip, &quoted_udp);

    // RFC 1191 §4: Fragmentation Needed with the next-hop MTU.
    let msg = icmpv4(&icmpv4::Repr::DstUnreachable {
        reason: icmpv4::DstUnreachable::FragRequired,
        next_hop_mtu: 1400,
        data: &invoking,
    });
    out.push(Sample {
        name: "icmpv4-frag-needed",
        frame: eth_ipv4(MAC_HOST, IP4_ROUTER, IP4_HOST, IpProtocol::Icmp, &msg),
        fields: vec![
            ("icmp.type", s(3)),
            ("icmp.code", s(4)),
            ("icmp.mtu", s(1400)),
            ("ip.src", list(&[IP4_ROUTER, IP4_HOST])),
        ],
    });

    let msg = icmpv4(&icmpv4::Repr::TimeExceeded {
        reason: icmpv4::TimeExceeded::TtlExpired,
        data: &invoking,
    });
    out.push(Sample {
        name: "icmpv4-time-exceeded",
        frame: eth_ipv4(MAC_HOST, IP4_ROUTER, IP4_HOST, IpProtocol::Icmp, &msg),
        fields: vec![
            ("icmp.type", s(11)),
            ("icmp.code", s(0)),
            ("udp.dstport", s(33434)),
        ],
    });

    // Parameter Problem pointing at the first option octet of a quoted
    // datagram that has a (Router Alert) option.
    let ra = ipv4_options(&[ipv4::Ipv4Option::RouterAlert(0)]);
    let quoted_ip = ipv4::Repr {
        options: &ra,
        ..ipv4_repr(IP4_HOST, IP4_PEER, IpProtocol::Udp, quoted_udp.len())
    };
    let invoking = invoking_v4(&quoted_ip, &quoted_udp);
    let msg = icmpv4(&icmpv4::Repr::ParamProblem {
        reason: icmpv4::ParamProblem::PointerIndicatesError,
        pointer: 20,
        data: &invoking,
    });
    out.push(Sample {
        name: "icmpv4-param-problem",
        frame: eth_ipv4(MAC_HOST, IP4_PEER, IP4_HOST, IpProtocol::Icmp, &msg),
        fields: vec![
            ("icmp.type", s(12)),
            ("icmp.code", s(0)),
            ("icmp.pointer", s(20)),
        ],
    });
    out
}

/// An IGMP message in an IPv4 datagram with TTL 1 and Router Alert
/// (RFC 2236 §2, RFC 3376 §4).
fn igmp_frame(dst: Ipv4Addr, msg: &[u8]) -> Vec<u8> {
    let ra = ipv4_options(&[ipv4::Ipv4Option::RouterAlert(ipv4::ROUTER_ALERT_EXAMINE)]);
    let ip = ipv4::Repr {
        ttl: 1,
        options: &ra,
        dscp: 48, // CS6, as Linux sends IGMP.
        ..ipv4_repr(IP4_HOST, dst, IpProtocol::Igmp, msg.len())
    };
    ethernet(mcast4(dst), EtherType::Ipv4, &ipv4(&ip, msg))
}

fn igmp_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    let report = igmp(&igmp::Repr::Report {
        version: igmp::Version::V2,
        group_addr: GROUP4,
    });
    out.push(Sample {
        name: "igmpv2-report",
        frame: igmp_frame(GROUP4, &report),
        fields: vec![
            ("igmp.version", s(2)),
            ("igmp.type", s("0x16")),
            ("igmp.maddr", s(GROUP4)),
            ("ip.opt.ra", s(0)),
            ("ip.ttl", s(1)),
        ],
    });
    let leave = igmp(&igmp::Repr::Leave { group_addr: GROUP4 });
    let all_routers = Ipv4Addr::new(224, 0, 0, 2);
    out.push(Sample {
        name: "igmpv2-leave",
        frame: igmp_frame(all_routers, &leave),
        fields: vec![("igmp.type", s("0x17")), ("igmp.maddr", s(GROUP4))],
    });

    // A group-and-source-specific query with two sources; max response
    // 25.6 s (code 0x90, RFC 3376 §4.1.1), QQI 125 s.
    let sources: Vec<u8> = [IP4_PEER, IP4_ROUTER]
        .iter()
        .flat_map(|a| a.octets())
        .collect();
    let query = igmp(&igmp::Repr::Query {
        version: igmp::Version::V3,
        max_resp_time: 256,
        group_addr: GROUP4,
        s_flag: true,
        qrv: 2,
        qqi: 125,
        sources: &sources,
    });
    out.push(Sample {
        name: "igmpv3-query",
        frame: igmp_frame(GROUP4, &query),
        fields: vec![
            ("igmp.version", s(3)),
            ("igmp.type", s("0x11")),
            // tshark decodes the floating-point code (0x90) back to 256.
            (
                "igmp.max_resp",
                s(igmp::decode_time_code(igmp::encode_time_code(256))),
            ),
            ("igmp.s", s(1)),
            ("igmp.qrv", s(2)),
            ("igmp.qqic", s(125)),
            ("igmp.num_src", s(2)),
            ("igmp.saddr", list(&[IP4_PEER, IP4_ROUTER])),
        ],
    });

    // A report with two records (RFC 3376 §4.2): join GROUP4 in EXCLUDE({})
    // and allow two sources for GROUP4_B.
    let recs = [
        igmp::GroupRecordRepr {
            record_type: igmp::RecordType::ChangeToExclude,
            group_addr: GROUP4,
            sources: &[],
            aux_data: &[],
        },
        igmp::GroupRecordRepr {
            record_type: igmp::RecordType::AllowNewSources,
            group_addr: GROUP4_B,
            sources: &[IP4_PEER, IP4_ROUTER],
            aux_data: &[],
        },
    ];
    let mut records = vec![0u8; recs.iter().map(|r| r.buffer_len()).sum()];
    let mut at = 0;
    for r in &recs {
        r.emit(&mut records[at..]);
        at += r.buffer_len();
    }
    let report = igmp(&igmp::Repr::V3Report { records: &records });
    out.push(Sample {
        name: "igmpv3-report",
        frame: igmp_frame(Ipv4Addr::new(224, 0, 0, 22), &report),
        fields: vec![
            ("igmp.version", s(3)),
            ("igmp.num_grp_recs", s(2)),
            ("igmp.record_type", list(&[4, 5])),
            ("igmp.maddr", list(&[GROUP4, GROUP4_B])),
            ("igmp.saddr", list(&[IP4_PEER, IP4_ROUTER])),
        ],
    });
    out
}

fn udp_tcp_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    let d = udp(v4(IP4_HOST), v4(IP4_PEER), 40000, 40001, TEXT);
    out.push(Sample {
        name: "udp-v4",
        frame: eth_ipv4(MAC_PEER, IP4_HOST, IP4_PEER, IpProtocol::Udp, &d),
        fields: vec![
            ("udp.srcport", s(40000)),
            ("udp.dstport", s(40001)),
            ("udp.length", s(8 + TEXT.len())),
        ],
    });
    let d = udp(v6(IP6_HOST), v6(IP6_PEER), 40000, 40001, TEXT);
    out.push(Sample {
        name: "udp-v6",
        frame: ethernet(
            MAC_PEER,
            EtherType::Ipv6,
            &ipv6(IP6_HOST, IP6_PEER, IpProtocol::Udp, 64, &d),
        ),
        fields: vec![
            ("ipv6.src", s(IP6_HOST)),
            ("ipv6.nxt", s(17)),
            ("udp.srcport", s(40000)),
            ("udp.length", s(8 + TEXT.len())),
        ],
    });

    // RFC 9293 §3.2, RFC 7323, RFC 2018: a SYN with MSS, window scale,
    // SACK-permitted and timestamps.
    let syn = tcp::Repr {
        control: tcp::Control::Syn,
        max_seg_size: Some(1460),
        window_scale: Some(7),
        sack_permitted: true,
        timestamp: Some(TcpTimestamp {
            tsval: 0x0102_0304,
            tsecr: 0,
        }),
        ..tcp_repr(40000, 80, 0x1000_0000)
    };
    let seg = tcp(&syn, v4(IP4_HOST), v4(IP4_PEER));
    out.push(Sample {
        name: "tcp-v4-syn-options",
        frame: eth_ipv4(MAC_PEER, IP4_HOST, IP4_PEER, IpProtocol::Tcp, &seg),
        fields: vec![
            ("tcp.flags.syn", s(1)),
            ("tcp.seq_raw", s(0x1000_0000u32)),
            ("tcp.option_kind", list(&[2, 3, 4, 8, 1])),
            ("tcp.options.mss_val", s(1460)),
            ("tcp.options.wscale.shift", s(7)),
            ("tcp.options.timestamp.tsval", s(0x0102_0304u32)),
        ],
    });

    // A data segment over IPv6 acknowledging with three SACK blocks
    // (RFC 2018 §3: with timestamps, at most three fit).
    let data = tcp::Repr {
        psh: true,
        ack_number: Some(TcpSeqNumber(5000)),
        timestamp: Some(TcpTimestamp {
            tsval: 1000,
            tsecr: 2000,
        }),
        sack_ranges: [
            Some((6000, 7000)),
            Some((8000, 9000)),
            Some((10000, 11000)),
            None,
        ],
        payload: TEXT,
        ..tcp_repr(40000, 44444, 777)
    };
    let seg = tcp(&data, v6(IP6_HOST), v6(IP6_PEER));
    out.push(Sample {
        name: "tcp-v6-data-sack",
        frame: ethernet(
            MAC_PEER,
            EtherType::Ipv6,
            &ipv6(IP6_HOST, IP6_PEER, IpProtocol::Tcp, 64, &seg),
        ),
        fields: vec![
            ("tcp.flags.push", s(1)),
            ("tcp.ack_raw", s(5000)),
            ("tcp.len", s(TEXT.len())),
            ("tcp.options.sack.count", s(3)),
            ("tcp.options.sack_le", list(&[6000, 8000, 10000])),
            ("tcp.options.sack_re", list(&[7000, 9000, 11000])),
        ],
    });

    // RFC 7413 §4.1.1: a SYN carrying a Fast Open cookie and data.
    let cookie = [0xc0, 0x0c, 0x1e, 0x5a, 0x11, 0x22, 0x33, 0x44];
    let tfo = tcp::Repr {
        control: tcp::Control::Syn,
        max_seg_size: Some(1460),
        fast_open_cookie: FastOpenCookie::new(&cookie),
        payload: TEXT,
        ..tcp_repr(40002, 80, 0x2000_0000)
    };
    let seg = tcp(&tfo, v4(IP4_HOST), v4(IP4_PEER));
    out.push(Sample {
        name: "tcp-v4-fast-open",
        frame: eth_ipv4(MAC_PEER, IP4_HOST, IP4_PEER, IpProtocol::Tcp, &seg),
        fields: vec![
            ("tcp.flags.syn", s(1)),
            ("tcp.option_kind", list(&[2, 34, 1, 1])),
            ("tcp.options.tfo.cookie", hex(&cookie)),
        ],
    });

    // RFC 9768 §3.2.3: an ACK with the AE flag and an AccECN0 option with
    // all three byte counters.
    let acc = tcp::Repr {
        ack_number: Some(TcpSeqNumber(9000)),
        ae: true,
        accecn: Some(AccEcn {
            order: AccEcnOrder::Order0,
            ee0b: Some(1),
            eceb: Some(1500),
            ee1b: Some(0x00ab_cdef),
        }),
        ..tcp_repr(40003, 44444, 4242)
    };
    let seg = tcp(&acc, v4(IP4_HOST), v4(IP4_PEER));
    out.push(Sample {
        name: "tcp-v4-accecn",
        frame: eth_ipv4(MAC_PEER, IP4_HOST, IP4_PEER, IpProtocol::Tcp, &seg),
        fields: vec![
            ("tcp.flags.ae", s(1)),
            ("tcp.option_kind", list(&[172, 1])),
            ("tcp.options.acc_ecn.ee0b", s(1)),
            ("tcp.options.acc_ecn.eceb", s(1500)),
            ("tcp.options.acc_ecn.ee1b", s(0x00ab_cdef)),
        ],
    });
    out
}

/// A DHCP message in UDP in IPv4, client to server (68 -> 67, from
/// 0.0.0.0 to broadcast) or server to client.
fn dhcp_frame(repr: &dhcpv4::Repr<'_>, from_client: bool) -> Vec<u8> {
    let msg = dhcp(repr);
    let (src, dst, sp, dp, mac) = if from_client {
        (
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::BROADCAST,
            dhcpv4::CLIENT_PORT,
            dhcpv4::SERVER_PORT,
            EthernetAddress::BROADCAST,
        )
    } else {
        (
            IP4_ROUTER,
            IP4_HOST,
            dhcpv4::SERVER_PORT,
            dhcpv4::CLIENT_PORT,
            MAC_HOST,
        )
    };
    let d = udp(v4(src), v4(dst), sp, dp, &msg);
    let ip = ipv4::Repr {
        dont_frag: false,
        ttl: 64,
        ..ipv4_repr(src, dst, IpProtocol::Udp, d.len())
    };
    ethernet(mac, EtherType::Ipv4, &ipv4(&ip, &d))
}

fn dhcp_samples() -> Vec<Sample> {
    let xid = 0x3903_f326;
    // RFC 4361 §6.1: type 255, IAID, then a DUID-LL (RFC 8415 §11.4:
    // type 3, hardware type 1, the MAC).
    let mut client_id = vec![255, 0, 0, 0, 1, 0, 3, 0, 1];
    client_id.extend_from_slice(MAC_HOST.as_bytes());
    // Subnet mask, router, DNS, domain name, lease time, server id,
    // classless routes.
    let prl = [1u8, 3, 6, 15, 51, 54, 121];
    let mut routes = vec![0u8; 16];
    let n = dhcpv4::ClasslessRoutes::encode(
        &[
            (
                Ipv4Cidr::new(Ipv4Addr::new(198, 51, 100, 0), 24).expect("valid"),
                IP4_ROUTER,
            ),
            (
                Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 0).expect("valid"),
                IP4_ROUTER,
            ),
        ],
        &mut routes,
    )
    .expect("room");
    routes.truncate(n);

    let mut discover = dhcpv4::Repr::new(dhcpv4::MessageType::Discover, xid, MAC_HOST);
    discover.client_identifier = Some(&client_id);
    discover.parameter_request_list = Some(&prl);
    discover.max_size = Some(1500);
    discover.rapid_commit = true;

    let mut offer = dhcpv4::Repr::new(dhcpv4::MessageType::Offer, xid, MAC_HOST);
    offer.your_ip = IP4_HOST;
    offer.server_identifier = Some(IP4_ROUTER);
    offer.client_identifier = Some(&client_id);
    offer.lease_duration = Some(3600);
    offer.subnet_mask = Some(Ipv4Addr::new(255, 255, 255, 0));
    offer.router.push(IP4_ROUTER).expect("room");
    offer.dns_servers.push(IP4_ROUTER).expect("room");

    let mut request = dhcpv4::Repr::new(dhcpv4::MessageType::Request, xid, MAC_HOST);
    request.requested_ip = Some(IP4_HOST);
    request.server_identifier = Some(IP4_ROUTER);
    request.client_identifier = Some(&client_id);
    request.parameter_request_list = Some(&prl);
    request.max_size = Some(1500);

    let mut ack = dhcpv4::Repr::new(dhcpv4::MessageType::Ack, xid, MAC_HOST);
    ack.your_ip = IP4_HOST;
    ack.server_identifier = Some(IP4_ROUTER);
    ack.client_identifier = Some(&client_id);
    ack.lease_duration = Some(7200);
    ack.renew_duration = Some(3600);
    ack.rebind_duration = Some(6300);
    ack.subnet_mask = Some(Ipv4Addr::new(255, 255, 255, 0));
    ack.classless_static_routes = Some(&routes);
    ack.rapid_commit = true;

    let prl_list = list(&prl);
    vec![
        Sample {
            name: "dhcpv4-discover",
            frame: dhcp_frame(&discover, true),
            fields: vec![
                ("dhcp.option.dhcp", s(1)),
                ("dhcp.id", format!("{xid:#010x}")),
                // Then End, and the zero padding up to 300 bytes (RFC 1542
                // §2.1), which tshark lists as one Pad option (0).
                ("dhcp.option.type", list(&[53, 61, 55, 57, 80, 0])),
                ("dhcp.option.end", s(255)),
                ("dhcp.client_id.iaid", s("00000001")),
                ("dhcp.option.request_list_item", prl_list.clone()),
                ("dhcp.option.dhcp_max_message_size", s(1500)),
            ],
        },
        Sample {
            name: "dhcpv4-offer",
            frame: dhcp_frame(&offer, false),
            fields: vec![
                ("dhcp.option.dhcp", s(2)),
                ("dhcp.ip.your", s(IP4_HOST)),
                ("dhcp.option.dhcp_server_id", s(IP4_ROUTER)),
                ("dhcp.option.ip_address_lease_time", s(3600)),
                ("dhcp.option.router", s(IP4_ROUTER)),
            ],
        },
        Sample {
            name: "dhcpv4-request",
            frame: dhcp_frame(&request, true),
            fields: vec![
                ("dhcp.option.dhcp", s(3)),
                ("dhcp.option.requested_ip_address", s(IP4_HOST)),
                ("dhcp.option.dhcp_server_id", s(IP4_ROUTER)),
                ("dhcp.option.request_list_item", prl_list),
            ],
        },
        Sample {
            name: "dhcpv4-ack",
            frame: dhcp_frame(&ack, false),
            fields: vec![
                ("dhcp.option.dhcp", s(5)),
                ("dhcp.option.ip_address_lease_time", s(7200)),
                ("dhcp.option.renewal_time_value", s(3600)),
                ("dhcp.option.rebinding_time_value", s(6300)),
                (
                    "dhcp.option.type",
                    list(&[53, 54, 61, 51, 58, 59, 1, 121, 80, 0]),
                ),
                ("dhcp.option.end", s(255)),
            ],
        },
    ]
}

fn snap_samples() -> Vec<Sample> {
    // RFC 1042: IPv4 over IEEE 802.3 with LLC/SNAP, carrying an echo.
    let echo = icmpv4(&icmpv4::Repr::EchoRequest {
        ident: 0x5a5a,
        seq_no: 1,
        data: TEXT,
    });
    let ip = ipv4(
        &ipv4_repr(IP4_HOST, IP4_PEER, IpProtocol::Icmp, echo.len()),
        &echo,
    );
    vec![Sample {
        name: "ieee802.3-snap-ipv4",
        frame: ethernet_snap(MAC_PEER, EtherType::Ipv4, &ip),
        fields: vec![
            ("eth.len", s(8 + ip.len())),
            ("llc.dsap", s("0xaa")),
            ("llc.oui", s(0)),
            ("llc.type", s("0x0800")),
            ("icmp.ident", s(0x5a5a)),
        ],
    }]
}
