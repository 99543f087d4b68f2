use super::*;
use crate::socket::{IcmpErrorKind, IpEndpoint};
use crate::wire::{Checksum, Error, IpEcn};
use core::net::Ipv4Addr;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

const LOCAL4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
const REMOTE4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
const LOCAL6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1));
const REMOTE6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2));

/// An experimental protocol number (RFC 3692).
const EXP: IpProtocol = IpProtocol(253);

fn socket(version: IpVersion, protocol: IpProtocol) -> Socket<'static> {
    let rx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 128]);
    let tx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 128]);
    Socket::new(version, protocol, rx, tx)
}

fn ip_in(src: IpAddr, dst: IpAddr) -> IpMeta {
    IpMeta {
        src_addr: src,
        dst_addr: dst,
        hop_limit: 61,
        dscp: 0,
        ecn: IpEcn::NotEct,
    }
}

/// The next transmit, re-expressed as owned values.
#[derive(Debug, PartialEq)]
enum Sent {
    Payload {
        version: IpVersion,
        protocol: IpProtocol,
        local: Option<IpAddr>,
        remote: IpAddr,
        hop_limit: Option<u8>,
        checksum_offset: Option<usize>,
        payload: Vec<u8>,
    },
    /// The datagram the interface would emit (checksum filled).
    Ipv4(Vec<u8>),
}

fn take_transmit(s: &mut Socket<'_>) -> Option<Sent> {
    let mut seen = None;
    let r: Result<(), ()> = s.dispatch(Instant::ZERO, |t| {
        seen = Some(match t {
            RawTransmit::Payload {
                version,
                protocol,
                local,
                remote,
                hop_limit,
                checksum_offset,
                payload,
            } => Sent::Payload {
                version,
                protocol,
                local,
                remote,
                hop_limit,
                checksum_offset,
                payload: payload.to_vec(),
            },
            RawTransmit::Ipv4Packet { repr, payload } => {
                let mut buf = vec![0u8; repr.header_len() + payload.len()];
                let mut packet = ipv4::Packet::new_unchecked(&mut buf[..]);
                repr.emit(&mut packet, Checksum::Both);
                buf[repr.header_len()..].copy_from_slice(payload);
                Sent::Ipv4(buf)
            }
        });
        Ok(())
    });
    assert_eq!(r, Ok(()));
    seen
}

/// An IPv4 datagram with `options` and `payload`, checksum filled.
fn datagram(options: &[u8], ttl: u8, payload: &[u8]) -> Vec<u8> {
    let repr = ipv4::Repr {
        src_addr: Ipv4Addr::new(10, 0, 0, 1),
        dst_addr: Ipv4Addr::new(10, 0, 0, 2),
        protocol: EXP,
        payload_len: payload.len(),
        ttl,
        dscp: 0,
        ecn: IpEcn::NotEct,
        ident: 0x4242,
        dont_frag: true,
        more_frags: false,
        frag_offset: 0,
        options,
    };
    let mut buf = vec![0u8; repr.total_len()];
    let mut packet = ipv4::Packet::new_unchecked(&mut buf[..]);
    repr.emit(&mut packet, Checksum::Both);
    buf[repr.header_len()..].copy_from_slice(payload);
    buf
}

fn v6(addr: IpAddr) -> Ipv6Addr {
    match addr {
        IpAddr::V6(a) => a,
        IpAddr::V4(a) => a.to_ipv6_mapped(),
    }
}

#[test]
fn bind_rules() {
    let mut s = socket(IpVersion::Ipv4, EXP);
    assert_eq!(s.bind(LOCAL6), Err(BindError::Unaddressable));
    assert_eq!(
        s.bind(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        Err(BindError::Unaddressable)
    );
    assert_eq!(s.bind(LOCAL4), Ok(()));
    assert_eq!(s.bind(LOCAL4), Err(BindError::InvalidState));
    assert_eq!(s.local_address(), Some(LOCAL4));
    s.close();
    assert_eq!(s.local_address(), None);
    let mut s6 = socket(IpVersion::Ipv6, EXP);
    assert_eq!(s6.bind(LOCAL4), Err(BindError::Unaddressable));
    assert_eq!(s6.bind(LOCAL6), Ok(()));
    assert_eq!(s6.index_key(), (IpVersion::Ipv6, EXP));
}

#[test]
fn accepts_by_version_protocol_and_bound_address() {
    // (socket version, bound, packet version, protocol, dst, accepted)
    type Case = (
        IpVersion,
        Option<IpAddr>,
        IpVersion,
        IpProtocol,
        IpAddr,
        bool,
    );
    #[rustfmt::skip]
    let cases: &[Case] = &[
        (IpVersion::Ipv4, None, IpVersion::Ipv4, EXP, LOCAL4, true),
        (IpVersion::Ipv4, None, IpVersion::Ipv4, IpProtocol::Udp, LOCAL4, false),
        (IpVersion::Ipv4, None, IpVersion::Ipv6, EXP, LOCAL6, false),
        (IpVersion::Ipv6, None, IpVersion::Ipv6, EXP, LOCAL6, true),
        (IpVersion::Ipv6, None, IpVersion::Ipv4, EXP, LOCAL4, false),
        (IpVersion::Ipv4, Some(LOCAL4), IpVersion::Ipv4, EXP, LOCAL4, true),
        (IpVersion::Ipv4, Some(LOCAL4), IpVersion::Ipv4, EXP, REMOTE4, false),
        (IpVersion::Ipv6, Some(LOCAL6), IpVersion::Ipv6, EXP, REMOTE6, false),
    ];
    for (n, &(sv, bound, pv, proto, dst, want)) in cases.iter().enumerate() {
        let mut s = socket(sv, EXP);
        if let Some(a) = bound {
            s.bind(a).unwrap();
        }
        let src = if pv == IpVersion::Ipv4 {
            REMOTE4
        } else {
            REMOTE6
        };
        assert_eq!(s.accepts(pv, proto, &ip_in(src, dst)), want, "case {n}");
    }
}

#[test]
fn ipv4_receive_gives_the_whole_datagram() {
    let mut s = socket(IpVersion::Ipv4, EXP);
    let d = datagram(&[], 64, b"payload");
    s.process(Instant::ZERO, &ip_in(REMOTE4, LOCAL4), &d[..20], &d[20..]);
    let (p, meta) = s.recv().unwrap();
    assert_eq!(p, &d[..], "header and payload");
    assert_eq!(meta.remote, REMOTE4);
    assert_eq!(meta.local_address, Some(LOCAL4));
    assert_eq!(meta.hop_limit, 61);
}

#[test]
fn ipv6_receive_gives_the_payload_only_rfc3542_3() {
    let mut s = socket(IpVersion::Ipv6, EXP);
    // Even if the interface passes a header, it is not delivered.
    s.process(
        Instant::ZERO,
        &ip_in(REMOTE6, LOCAL6),
        &[0x60; 40],
        b"upper",
    );
    let (p, meta) = s.recv().unwrap();
    assert_eq!(p, b"upper");
    assert_eq!((meta.remote, meta.hop_limit), (REMOTE6, 61));
}

#[test]
fn receive_queue_overflow_is_counted() {
    let mut s = socket(IpVersion::Ipv6, EXP);
    let ip = ip_in(REMOTE6, LOCAL6);
    s.process(Instant::ZERO, &ip, &[], b"one");
    s.process(Instant::ZERO, &ip, &[], b"two");
    s.process(Instant::ZERO, &ip, &[], b"three"); // 2 slots: dropped
    assert_eq!(s.counters().rx_packets, 2);
    assert_eq!(s.counters().rx_buffer_errors, 1);
    assert_eq!(s.peek().map(|(p, _)| p.to_vec()), Ok(b"one".to_vec()));
    let mut small = [0u8; 2];
    assert_eq!(
        s.recv_slice(&mut small).map(|(n, _)| n),
        Err(RecvError::Truncated)
    );
    assert_eq!(&small, b"on");
    let mut big = [0u8; 8];
    assert_eq!(s.recv_slice(&mut big).map(|(n, _)| n), Ok(3));
    assert_eq!(&big[..3], b"two");
    assert_eq!(s.recv().map(|(p, _)| p.len()), Err(RecvError::Exhausted));
    // A packet larger than the whole buffer is a counted drop too.
    s.process(Instant::ZERO, &ip, &[], &[0u8; 129]);
    assert_eq!(s.counters().rx_buffer_errors, 2);
}

#[test]
fn send_refuses_unaddressable_destinations() {
    let mut s = socket(IpVersion::Ipv4, EXP);
    let wrong_local = RawMetadata {
        remote: REMOTE4,
        local_address: Some(LOCAL6),
        hop_limit: 0,
    };
    let cases: &[RawMetadata] = &[
        RawMetadata::from(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        RawMetadata::from(REMOTE6),
        wrong_local,
    ];
    for (n, meta) in cases.iter().enumerate() {
        assert_eq!(
            s.send_slice(b"x", *meta),
            Err(SendError::Unaddressable),
            "case {n}"
        );
    }
    assert_eq!(
        s.send(u16::MAX as usize, REMOTE4).map(|b| b.len()),
        Err(SendError::BufferFull),
        "no IPv4 datagram holds 65535 payload bytes"
    );
    let mut s6 = socket(IpVersion::Ipv6, EXP);
    assert_eq!(s6.send_slice(b"x", REMOTE4), Err(SendError::Unaddressable));
}

#[test]
fn dispatch_keeps_the_packet_on_error() {
    let mut s = socket(IpVersion::Ipv4, EXP);
    s.bind(LOCAL4).unwrap();
    s.set_hop_limit(Some(5));
    assert_eq!(s.poll_at(), PollAt::Ingress);
    s.send_slice(b"first", REMOTE4).unwrap();
    let meta = RawMetadata {
        remote: REMOTE4,
        local_address: None,
        hop_limit: 200,
    };
    s.send_slice(b"second", meta).unwrap();
    assert_eq!(s.send_slice(b"third", REMOTE4), Err(SendError::BufferFull));
    assert_eq!(s.poll_at(), PollAt::Now);
    let r: Result<(), ()> = s.dispatch(Instant::ZERO, |_| Err(()));
    assert_eq!(r, Err(()));
    assert_eq!(s.counters().tx_packets, 0);
    assert_eq!(
        take_transmit(&mut s),
        Some(Sent::Payload {
            version: IpVersion::Ipv4,
            protocol: EXP,
            local: Some(LOCAL4),
            remote: REMOTE4,
            hop_limit: Some(5),
            checksum_offset: None,
            payload: b"first".to_vec(),
        })
    );
    match take_transmit(&mut s) {
        Some(Sent::Payload {
            hop_limit, payload, ..
        }) => {
            assert_eq!(hop_limit, Some(200), "per-packet hop limit wins");
            assert_eq!(payload, b"second");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(take_transmit(&mut s), None);
    assert_eq!(s.poll_at(), PollAt::Ingress);
    assert_eq!(s.counters().tx_packets, 2);
}

#[test]
fn header_included_is_ipv4_only_and_switches_on_an_empty_queue() {
    let mut s6 = socket(IpVersion::Ipv6, EXP);
    assert_eq!(s6.set_header_included(true), Err(OptionError::Unsupported));
    assert_eq!(s6.set_header_included(false), Ok(()));
    assert_eq!(
        s6.send_packet(&datagram(&[], 64, b"")),
        Err(SendError::InvalidState)
    );

    let mut s = socket(IpVersion::Ipv4, EXP);
    assert_eq!(
        s.send_packet(&datagram(&[], 64, b"")),
        Err(SendError::InvalidState),
        "not in header-included mode"
    );
    s.send_slice(b"queued", REMOTE4).unwrap();
    assert_eq!(s.set_header_included(true), Err(OptionError::InvalidState));
    assert!(take_transmit(&mut s).is_some());
    assert_eq!(s.set_header_included(true), Ok(()));
    assert!(s.header_included());
    assert_eq!(s.send_slice(b"x", REMOTE4), Err(SendError::InvalidState));
}

#[test]
fn header_included_datagram_is_sent_as_given() {
    let mut s = socket(IpVersion::Ipv4, EXP);
    s.set_header_included(true).unwrap();
    // Options (four No Operation) are carried through.
    let d = datagram(&[1, 1, 1, 1], 9, b"hdrincl");
    let mut unsummed = d.clone();
    unsummed[10] = 0; // the interface fills the checksum
    unsummed[11] = 0;
    s.send_packet(&unsummed).unwrap();
    assert_eq!(take_transmit(&mut s), Some(Sent::Ipv4(d)));
    assert_eq!(s.counters().tx_packets, 1);
}

#[test]
fn header_included_datagram_is_validated_with_wire_ipv4() {
    let good = datagram(&[], 64, b"abcd");
    let set = |at: usize, v: u8| {
        let mut d = good.clone();
        d[at] = v;
        d
    };
    let mut longer = good.clone();
    longer.push(0);
    let frag_mf = {
        let mut d = good.clone();
        d[6] = 0x20; // MF, payload 4 bytes: not a multiple of 8 either
        d
    };
    let frag_off = {
        let mut d = good.clone();
        d[6] = 0x00;
        d[7] = 0x01; // offset 8
        d
    };
    // (datagram, error)
    let cases: Vec<(Vec<u8>, SendError)> = vec![
        (good[..19].to_vec(), SendError::Malformed(Error::Truncated)),
        (set(0, 0x65), SendError::Malformed(Error::BadVersion)),
        (set(0, 0x44), SendError::Malformed(Error::BadLength)), // IHL 4
        (set(3, 23), SendError::Malformed(Error::BadLength)),   // Total Length short
        (set(3, 25), SendError::Malformed(Error::Truncated)),   // Total Length long
        (longer, SendError::Malformed(Error::BadLength)),       // trailing bytes
        // RFC 1122 §3.2.1.7: TTL 0 MUST NOT be sent.
        (set(8, 0), SendError::Malformed(Error::BadField)),
        // RFC 791 §3.1: the reserved flag must be zero.
        (set(6, 0xc0), SendError::Malformed(Error::BadField)),
        (
            datagram(&[0x07, 0x02, 0, 0], 64, b"abcd"), // Record Route, length 2
            SendError::Malformed(Error::BadOption),
        ),
        (frag_mf, SendError::Malformed(Error::BadLength)),
        (frag_off, SendError::Malformed(Error::Unsupported)),
        (
            {
                let mut d = good.clone();
                d[16..20].fill(0);
                d
            },
            SendError::Unaddressable,
        ),
    ];
    let mut s = socket(IpVersion::Ipv4, EXP);
    s.set_header_included(true).unwrap();
    for (n, (d, want)) in cases.iter().enumerate() {
        assert_eq!(s.send_packet(d), Err(*want), "case {n}");
    }
    assert_eq!(s.poll_at(), PollAt::Ingress, "nothing queued");
    // A bound socket sends only from its address (0.0.0.0: interface picks).
    s.bind(REMOTE4).unwrap();
    assert_eq!(s.send_packet(&good), Err(SendError::Unaddressable));
    let mut any_src = good.clone();
    any_src[12..16].fill(0);
    assert_eq!(s.send_packet(&any_src), Ok(()));
}

#[test]
fn checksum_offset_rules_rfc3542_3_1() {
    let mut s4 = socket(IpVersion::Ipv4, EXP);
    assert_eq!(
        s4.set_checksum_offset(Some(2)),
        Err(OptionError::Unsupported)
    );
    let mut icmp6 = socket(IpVersion::Ipv6, IpProtocol::Icmpv6);
    assert_eq!(icmp6.checksum_offset(), Some(2), "always on for ICMPv6");
    assert_eq!(
        icmp6.set_checksum_offset(None),
        Err(OptionError::Unsupported)
    );
    let mut s = socket(IpVersion::Ipv6, EXP);
    assert_eq!(s.checksum_offset(), None);
    assert_eq!(
        s.set_checksum_offset(Some(3)),
        Err(OptionError::InvalidValue)
    );
    assert_eq!(s.set_checksum_offset(Some(4)), Ok(()));
    assert_eq!(
        s.send_slice(b"12345", REMOTE6),
        Err(SendError::Malformed(Error::Truncated)),
        "too short to hold the checksum"
    );
    s.send_slice(b"123456", REMOTE6).unwrap();
    match take_transmit(&mut s) {
        Some(Sent::Payload {
            checksum_offset, ..
        }) => assert_eq!(checksum_offset, Some(4)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn checksum_offset_verified_on_receive_rfc3542_3_1() {
    let mut s = socket(IpVersion::Ipv6, EXP);
    s.set_checksum_offset(Some(2)).unwrap();
    let ip = ip_in(REMOTE6, LOCAL6);
    let mut good = b"\x01\x02\0\0payload".to_vec();
    fill_checksum(&mut good, 2, &v6(REMOTE6), &v6(LOCAL6), EXP);
    assert_ne!(&good[2..4], &[0, 0]);
    let mut bad = good.clone();
    bad[5] ^= 1;
    s.process(Instant::ZERO, &ip, &[], &good);
    s.process(Instant::ZERO, &ip, &[], &bad);
    s.process(Instant::ZERO, &ip, &[], &good[..3]); // no room for the field
    assert_eq!(s.counters().rx_packets, 1);
    assert_eq!(s.counters().rx_checksum_errors, 2);
    assert_eq!(s.recv().map(|(p, _)| p.to_vec()), Ok(good));
    // ICMPv6 checksums are the interface's to verify: delivered as is.
    let mut icmp6 = socket(IpVersion::Ipv6, IpProtocol::Icmpv6);
    icmp6.process(Instant::ZERO, &ip, &[], &bad);
    assert_eq!(icmp6.counters().rx_packets, 1);
}

#[test]
fn fill_checksum_covers_the_pseudo_header_rfc8200_8_1() {
    let (src, dst) = (v6(LOCAL6), v6(REMOTE6));
    let mut p = b"\x80\0\0\0\x12\x34\0\x01odd".to_vec();
    fill_checksum(&mut p, 2, &src, &dst, IpProtocol::Icmpv6);
    assert_eq!(ipv6_sum(&p, &src, &dst, IpProtocol::Icmpv6), 0xffff);
    assert!(
        crate::wire::icmpv6::Packet::new_checked(&p[..])
            .unwrap()
            .verify_checksum(&src, &dst),
        "agrees with the ICMPv6 wire layer"
    );
    assert_ne!(ipv6_sum(&p, &src, &dst, EXP), 0xffff, "protocol is summed");
    // Out of range offsets are ignored, not a panic.
    let before = p.clone();
    let last = p.len() - 1;
    fill_checksum(&mut p, last, &src, &dst, EXP);
    fill_checksum(&mut p, usize::MAX, &src, &dst, EXP);
    assert_eq!(p, before);
}

#[test]
fn errors_of_our_protocol_are_queued_newest_kept() {
    let mut s = socket(IpVersion::Ipv4, EXP);
    s.bind(LOCAL4).unwrap();
    assert!(s.accepts_error(IpVersion::Ipv4, EXP, LOCAL4));
    assert!(!s.accepts_error(IpVersion::Ipv4, IpProtocol::Udp, LOCAL4));
    assert!(!s.accepts_error(IpVersion::Ipv6, EXP, LOCAL6));
    assert!(!s.accepts_error(IpVersion::Ipv4, EXP, REMOTE4));
    for n in 0..6u8 {
        s.on_icmp_error(IcmpError {
            offender: IpAddr::V4(Ipv4Addr::new(10, 0, 0, n)),
            dst: IpEndpoint::new(REMOTE4, 0),
            kind: IcmpErrorKind::ProtocolUnreachable,
        });
    }
    let kept = crate::socket::ErrorQueue::LEN as u8;
    assert_eq!(s.counters().error_queue_overflows, u64::from(6 - kept));
    assert_eq!(
        s.take_error().map(|e| e.offender),
        Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 6 - kept)))
    );
    s.close();
    assert_eq!(s.take_error(), None);
}

proptest! {
    /// Whatever bytes are offered as a header-included datagram, the socket
    /// never panics; what it accepts, the interface re-emits byte for byte
    /// (checksum filled).
    #[test]
    fn header_included_accepts_only_what_reemits_exactly(
        options in proptest::collection::vec(any::<u8>(), 0..=12),
        payload in proptest::collection::vec(any::<u8>(), 0..32),
        flips in proptest::collection::vec((0usize..80, any::<u8>()), 0..3),
    ) {
        let opts_len = options.len() - options.len() % 4;
        let mut d = datagram(&options[..opts_len], 64, &payload);
        for (at, v) in flips {
            if let Some(b) = d.get_mut(at) {
                *b = v;
            }
        }
        let rx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 1], vec![0u8; 0]);
        let tx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 1], vec![0u8; 256]);
        let mut s = Socket::new(IpVersion::Ipv4, EXP, rx, tx);
        s.set_header_included(true).unwrap();
        if s.send_packet(&d).is_ok() {
            let mut want = d.clone();
            ipv4::Packet::new_unchecked(&mut want[..]).fill_checksum();
            prop_assert_eq!(take_transmit(&mut s), Some(Sent::Ipv4(want)));
        } else {
            prop_assert_eq!(s.poll_at(), PollAt::Ingress);
        }
    }
}
