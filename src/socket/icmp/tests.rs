use super::*;
use crate::socket::IcmpErrorKind;
use crate::wire::IpEcn;
use core::net::{Ipv4Addr, Ipv6Addr};
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

const LOCAL4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
const REMOTE4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
const LOCAL6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1));
const REMOTE6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2));

const IDENT: u16 = 0x1234;

fn socket() -> Socket<'static> {
    let rx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 64]);
    let tx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 64]);
    Socket::new(rx, tx)
}

fn bound() -> Socket<'static> {
    let mut s = socket();
    s.bind(IDENT).unwrap();
    s
}

fn ip_in(src: IpAddr, dst: IpAddr) -> IpMeta {
    IpMeta {
        src_addr: src,
        dst_addr: dst,
        hop_limit: 57,
        dscp: 0,
        ecn: IpEcn::NotEct,
    }
}

/// An Echo-shaped message: type, code, zero checksum, ident, seq, data.
fn echo(msg_type: u8, code: u8, ident: u16, seq_no: u16, data: &[u8]) -> Vec<u8> {
    let mut m = vec![msg_type, code, 0, 0];
    m.extend_from_slice(&ident.to_be_bytes());
    m.extend_from_slice(&seq_no.to_be_bytes());
    m.extend_from_slice(data);
    m
}

/// A transmit as owned values: family, local, remote, hop limit, message.
type Sent = (IpVersion, Option<IpAddr>, IpAddr, Option<u8>, Vec<u8>);

/// Take the next transmit as owned values.
fn take_transmit(s: &mut Socket<'_>) -> Option<Sent> {
    let mut seen = None;
    let r: Result<(), ()> = s.dispatch(Instant::ZERO, |t| {
        seen = Some((t.family, t.local, t.remote, t.hop_limit, t.message.to_vec()));
        Ok(())
    });
    assert_eq!(r, Ok(()));
    seen
}

/// The textbook one's-complement sum of 16-bit big-endian words.
fn ones_sum(words: impl IntoIterator<Item = u16>) -> u16 {
    let mut acc: u32 = 0;
    for w in words {
        acc += u32::from(w);
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

fn words(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
        .collect()
}

#[test]
fn bind_rules() {
    let mut s = socket();
    assert!(!s.is_open());
    assert_eq!(
        s.send_echo_slice(1, b"x", REMOTE4),
        Err(SendError::Unbound),
        "an unbound socket has no identifier to send with"
    );
    // Identifier 0 is a valid identifier.
    assert_eq!(s.bind(0), Ok(()));
    assert_eq!(s.endpoint(), Some(IcmpEndpoint::from(0)));
    assert_eq!(s.bind(1), Err(BindError::InvalidState));
    s.close();
    assert!(!s.is_open());
    // An unspecified address means any.
    s.bind(IcmpEndpoint {
        addr: Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ident: 9,
    })
    .unwrap();
    assert_eq!(s.endpoint().map(|e| e.addr), Some(None));
    assert_eq!(s.ident(), Some(9));
}

#[test]
fn accepts_echo_replies_by_family_identifier_and_address() {
    // (src, dst, type, code, ident, bound address, accepted)
    type Case = (IpAddr, IpAddr, u8, u8, u16, Option<IpAddr>, bool);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        // RFC 792: Echo Reply is type 0 for IPv4.
        (REMOTE4, LOCAL4, 0, 0, IDENT, None, true),
        // RFC 4443 §4.2: Echo Reply is type 129 for IPv6.
        (REMOTE6, LOCAL6, 129, 0, IDENT, None, true),
        // The other family's reply type is not a reply.
        (REMOTE4, LOCAL4, 129, 0, IDENT, None, false),
        (REMOTE6, LOCAL6, 0, 0, IDENT, None, false),
        // Echo Requests are the interface's to answer, not the socket's.
        (REMOTE4, LOCAL4, 8, 0, IDENT, None, false),
        (REMOTE6, LOCAL6, 128, 0, IDENT, None, false),
        // Another identifier belongs to another socket.
        (REMOTE4, LOCAL4, 0, 0, IDENT + 1, None, false),
        (REMOTE6, LOCAL6, 129, 0, IDENT + 1, None, false),
        // RFC 792: code 0 only; an ICMPv6 code is ignored, as the wire
        // layer ignores it.
        (REMOTE4, LOCAL4, 0, 1, IDENT, None, false),
        (REMOTE6, LOCAL6, 129, 1, IDENT, None, true),
        // A bound address filters on the destination.
        (REMOTE4, LOCAL4, 0, 0, IDENT, Some(LOCAL4), true),
        (REMOTE4, REMOTE4, 0, 0, IDENT, Some(LOCAL4), false),
        (REMOTE6, LOCAL6, 129, 0, IDENT, Some(LOCAL4), false),
        (REMOTE6, LOCAL6, 129, 0, IDENT, Some(LOCAL6), true),
    ];
    for (n, &(src, dst, t, code, ident, addr, want)) in cases.iter().enumerate() {
        let mut s = socket();
        s.bind(IcmpEndpoint { addr, ident: IDENT }).unwrap();
        let m = echo(t, code, ident, 1, b"data");
        assert_eq!(s.accepts(&ip_in(src, dst), &m), want, "case {n}");
    }
}

#[test]
fn accepts_nothing_unbound_or_short() {
    let s = socket();
    let m = echo(0, 0, IDENT, 1, b"");
    assert!(!s.accepts(&ip_in(REMOTE4, LOCAL4), &m));
    let s = bound();
    assert!(s.accepts(&ip_in(REMOTE4, LOCAL4), &m), "header-only reply");
    for len in 0..ECHO_HEADER_LEN {
        assert!(!s.accepts(&ip_in(REMOTE4, LOCAL4), &m[..len]), "len {len}");
    }
}

#[test]
fn receive_queue_overflow_is_counted() {
    let mut s = bound();
    let reply = echo(0, 0, IDENT, 7, b"abc");
    s.process(Instant::ZERO, &ip_in(REMOTE4, LOCAL4), &reply);
    let reply6 = echo(129, 0, IDENT, 8, b"defgh");
    s.process(Instant::ZERO, &ip_in(REMOTE6, LOCAL6), &reply6);
    s.process(Instant::ZERO, &ip_in(REMOTE4, LOCAL4), &reply); // 2 slots: dropped
    assert_eq!(s.counters().rx_messages, 2);
    assert_eq!(s.counters().rx_buffer_errors, 1);
    assert!(s.can_recv());
    let (m, meta) = s.recv().unwrap();
    assert_eq!(m, &reply[..], "the whole message, header included");
    assert_eq!(meta.remote, REMOTE4);
    assert_eq!(meta.local_address, Some(LOCAL4));
    assert_eq!(meta.hop_limit, 57, "received hop limit reported");
    let mut small = [0u8; 10];
    assert_eq!(s.recv_slice(&mut small), Err(RecvError::Truncated));
    assert_eq!(&small[..], &reply6[..10]);
    assert_eq!(s.recv().map(|(m, _)| m.len()), Err(RecvError::Exhausted));
    assert!(!s.can_recv());
}

#[test]
fn send_echo_builds_the_header_of_the_destination_family() {
    // (destination, expected type): RFC 792 type 8, RFC 4443 §4.1 type 128.
    for (dst, want_type, family) in [
        (REMOTE4, 8u8, IpVersion::Ipv4),
        (REMOTE6, 128u8, IpVersion::Ipv6),
    ] {
        let mut s = bound();
        s.send_echo_slice(0xbeef, b"ping", dst).unwrap();
        let (fam, local, remote, hop, m) = take_transmit(&mut s).unwrap();
        assert_eq!(fam, family);
        assert_eq!((local, remote, hop), (None, dst, None));
        assert_eq!(m, echo(want_type, 0, IDENT, 0xbeef, b"ping"));
    }
}

#[test]
fn send_slice_overwrites_identifier_and_checksum_like_linux() {
    let mut s = bound();
    let mut m = echo(8, 0, 0xffff, 3, b"xy");
    m[2] = 0xaa; // a stale checksum
    m[3] = 0xbb;
    s.send_slice(&m, REMOTE4).unwrap();
    let (_, _, _, _, sent) = take_transmit(&mut s).unwrap();
    assert_eq!(sent, echo(8, 0, IDENT, 3, b"xy"));
}

#[test]
fn send_slice_refuses_anything_but_an_echo_request_of_the_family() {
    // (message, destination)
    let cases: &[(Vec<u8>, IpAddr)] = &[
        (echo(0, 0, IDENT, 1, b""), REMOTE4),   // Echo Reply
        (echo(128, 0, IDENT, 1, b""), REMOTE4), // ICMPv6 type to an IPv4 peer
        (echo(8, 0, IDENT, 1, b""), REMOTE6),   // ICMPv4 type to an IPv6 peer
        (echo(8, 1, IDENT, 1, b""), REMOTE4),   // code 1
        (echo(128, 1, IDENT, 1, b""), REMOTE6), // code 1
        (echo(13, 0, IDENT, 1, b""), REMOTE4),  // Timestamp
        (vec![8, 0, 0, 0, 0, 0, 0], REMOTE4),   // shorter than the header
        (vec![], REMOTE4),
    ];
    let mut s = bound();
    for (n, (m, dst)) in cases.iter().enumerate() {
        assert_eq!(s.send_slice(m, *dst), Err(SendError::Malformed), "case {n}");
    }
    assert_eq!(s.poll_at(), PollAt::Ingress, "nothing was queued");
}

#[test]
fn send_refuses_unaddressable_destinations() {
    let mut s = socket();
    s.bind(IcmpEndpoint {
        addr: Some(LOCAL4),
        ident: IDENT,
    })
    .unwrap();
    for dst in [
        IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        // The bound address is IPv4: no IPv6 destination.
        REMOTE6,
    ] {
        assert_eq!(
            s.send_echo_slice(1, b"", dst),
            Err(SendError::Unaddressable),
            "{dst}"
        );
    }
    // A per-message local address of the wrong family too.
    let mut s = bound();
    let meta = IcmpMetadata {
        remote: REMOTE4,
        local_address: Some(LOCAL6),
        hop_limit: 0,
    };
    assert_eq!(
        s.send_echo_slice(1, b"", meta),
        Err(SendError::Unaddressable)
    );
    // Larger than any IPv4 datagram can carry.
    assert_eq!(
        s.send_echo(1, MAX_MESSAGE_LEN, REMOTE4).map(|b| b.len()),
        Err(SendError::BufferFull)
    );
}

#[test]
fn transmit_queue_full_is_an_error_not_a_drop() {
    let mut s = bound();
    s.send_echo_slice(1, b"a", REMOTE4).unwrap();
    s.send_echo_slice(2, b"b", REMOTE4).unwrap();
    assert!(!s.can_send_size(0));
    assert_eq!(
        s.send_echo_slice(3, b"c", REMOTE4),
        Err(SendError::BufferFull)
    );
    let seqs: Vec<u8> = core::iter::from_fn(|| take_transmit(&mut s))
        .map(|t| t.4[7])
        .collect();
    assert_eq!(seqs, vec![1, 2], "in order, none lost");
}

#[test]
fn dispatch_keeps_the_message_on_error() {
    let mut s = bound();
    s.set_hop_limit(Some(3));
    assert_eq!(s.poll_at(), PollAt::Ingress);
    s.send_echo_slice(1, b"hello", REMOTE6).unwrap();
    let meta = IcmpMetadata {
        remote: REMOTE4,
        local_address: Some(LOCAL4),
        hop_limit: 9,
    };
    s.send_echo_slice(2, b"bye", meta).unwrap();
    assert_eq!(s.poll_at(), PollAt::Now);
    let r: Result<(), ()> = s.dispatch(Instant::ZERO, |_| Err(()));
    assert_eq!(r, Err(()));
    assert_eq!(s.counters().tx_messages, 0);
    let (fam, _, remote, hop, m) = take_transmit(&mut s).unwrap();
    assert_eq!((fam, remote, hop), (IpVersion::Ipv6, REMOTE6, Some(3)));
    assert_eq!(&m[ECHO_HEADER_LEN..], b"hello");
    // A per-message hop limit wins over the socket's.
    let (fam, local, _, hop, _) = take_transmit(&mut s).unwrap();
    assert_eq!((fam, local, hop), (IpVersion::Ipv4, Some(LOCAL4), Some(9)));
    assert_eq!(s.poll_at(), PollAt::Ingress);
    assert_eq!(s.counters().tx_messages, 2);
    assert!(take_transmit(&mut s).is_none());
}

#[test]
fn ttl_zero_means_default_rfc1122_3_2_1_7() {
    let mut s = bound();
    s.set_hop_limit(Some(0));
    assert_eq!(s.hop_limit(), None);
    s.set_hop_limit(Some(1));
    assert_eq!(s.hop_limit(), Some(1));
}

#[test]
fn errors_about_our_echo_requests_are_accepted() {
    let mut s = socket();
    s.bind(IcmpEndpoint {
        addr: Some(LOCAL4),
        ident: IDENT,
    })
    .unwrap();
    let ours = echo(8, 0, IDENT, 5, b"");
    // (invoking src, invoking dst, invoking message, accepted)
    let cases: &[(IpAddr, IpAddr, Vec<u8>, bool)] = &[
        (LOCAL4, REMOTE4, ours.clone(), true),
        (LOCAL4, REMOTE4, echo(8, 0, IDENT + 1, 5, b""), false),
        (LOCAL4, REMOTE4, echo(0, 0, IDENT, 5, b""), false),
        (REMOTE4, LOCAL4, ours.clone(), false), // not from our address
        (LOCAL4, REMOTE4, ours[..7].to_vec(), false),
    ];
    for (n, (src, dst, m, want)) in cases.iter().enumerate() {
        assert_eq!(s.accepts_error(*src, *dst, m), *want, "case {n}");
    }
    let s6 = bound();
    assert!(s6.accepts_error(LOCAL6, REMOTE6, &echo(128, 0, IDENT, 5, b"")));
    assert!(!s6.accepts_error(LOCAL6, REMOTE6, &echo(8, 0, IDENT, 5, b"")));
    assert_eq!(
        error_endpoint(REMOTE4, &ours),
        Some(IpEndpoint::new(REMOTE4, 5)),
        "the failed request's sequence number"
    );
    assert_eq!(error_endpoint(REMOTE4, &ours[..4]), None);
}

#[test]
fn error_queue_keeps_newest_and_counts_overflow() {
    let mut s = bound();
    for seq in 1..=6 {
        s.on_icmp_error(IcmpError {
            offender: REMOTE4,
            dst: IpEndpoint::new(REMOTE4, seq),
            kind: IcmpErrorKind::HostUnreachable,
        });
    }
    let kept = crate::socket::ErrorQueue::LEN as u16;
    assert_eq!(s.counters().error_queue_overflows, u64::from(6 - kept));
    let seqs: Vec<u16> = core::iter::from_fn(|| s.take_error())
        .map(|e| e.dst.port)
        .collect();
    assert_eq!(seqs, (7 - kept..=6).collect::<Vec<u16>>());
    s.on_icmp_error(IcmpError {
        offender: REMOTE4,
        dst: IpEndpoint::new(REMOTE4, 1),
        kind: IcmpErrorKind::TimeExceeded,
    });
    s.close();
    assert_eq!(s.take_error(), None, "close drops queued errors");
}

#[cfg(feature = "proto-ipv4")]
#[test]
fn icmpv4_checksum_rfc792_covers_the_message() {
    use crate::wire::icmpv4;
    let mut s = bound();
    s.send_echo_slice(42, b"abcdefg", REMOTE4).unwrap();
    let (_, _, _, _, mut m) = take_transmit(&mut s).unwrap();
    fill_checksum(&mut m, &LOCAL4, &REMOTE4);
    let packet = icmpv4::Packet::new_checked(&m[..]).unwrap();
    assert!(packet.verify_checksum());
    assert_eq!(
        icmpv4::Repr::parse(&packet, crate::wire::Checksum::Both),
        Ok(icmpv4::Repr::EchoRequest {
            ident: IDENT,
            seq_no: 42,
            data: b"abcdefg",
        })
    );
}

#[test]
fn icmpv6_checksum_rfc4443_2_3_covers_the_pseudo_header() {
    let mut m = echo(128, 0, IDENT, 1, b"odd");
    fill_checksum(&mut m, &LOCAL6, &REMOTE6);
    let (IpAddr::V6(src), IpAddr::V6(dst)) = (LOCAL6, REMOTE6) else {
        unreachable!()
    };
    let mut all: Vec<u16> = Vec::new();
    all.extend(src.segments());
    all.extend(dst.segments());
    all.extend([0, m.len() as u16, 0, 58]);
    all.extend(words(&m));
    assert_eq!(ones_sum(all), 0xffff, "verifies with the pseudo-header");
    // Without the pseudo-header it does not.
    assert_ne!(ones_sum(words(&m)), 0xffff);
    // Short messages are left alone, not a panic.
    let mut tiny = [1u8, 2, 3];
    fill_checksum(&mut tiny, &LOCAL6, &REMOTE6);
    assert_eq!(tiny, [1, 2, 3]);
}

#[test]
fn type_numbers_match_the_wire_layer() {
    use crate::wire::{icmpv4, icmpv6};
    assert_eq!(ICMPV4_ECHO_REQUEST, u8::from(icmpv4::Message::EchoRequest));
    assert_eq!(ICMPV4_ECHO_REPLY, u8::from(icmpv4::Message::EchoReply));
    assert_eq!(ICMPV6_ECHO_REQUEST, u8::from(icmpv6::Message::EchoRequest));
    assert_eq!(ICMPV6_ECHO_REPLY, u8::from(icmpv6::Message::EchoReply));
}

#[test]
fn icmpv6_echo_request_parses_with_the_wire_layer() {
    use crate::wire::icmpv6;
    let mut s = bound();
    s.send_echo_slice(7, b"six", REMOTE6).unwrap();
    let (_, _, _, _, mut m) = take_transmit(&mut s).unwrap();
    fill_checksum(&mut m, &LOCAL6, &REMOTE6);
    let (IpAddr::V6(src), IpAddr::V6(dst)) = (LOCAL6, REMOTE6) else {
        unreachable!()
    };
    let packet = icmpv6::Packet::new_checked(&m[..]).unwrap();
    assert_eq!(
        icmpv6::Repr::parse(&packet, &src, &dst, crate::wire::Checksum::Both),
        Ok(icmpv6::Repr::EchoRequest {
            ident: IDENT,
            seq_no: 7,
            data: b"six",
        })
    );
}

proptest! {
    /// Whatever is sent comes out as an Echo Request with the bound
    /// identifier and the sequence number and data given, in order, and the
    /// filled checksum verifies.
    #[test]
    fn echo_requests_round_trip(
        ident in any::<u16>(),
        msgs in proptest::collection::vec((any::<u16>(), proptest::collection::vec(any::<u8>(), 0..40), any::<bool>()), 0..6),
    ) {
        let rx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 1], vec![0u8; 0]);
        let tx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 8], vec![0u8; 512]);
        let mut s = Socket::new(rx, tx);
        s.bind(ident).unwrap();
        for (seq, data, v6) in &msgs {
            let dst = if *v6 { REMOTE6 } else { REMOTE4 };
            s.send_echo_slice(*seq, data, dst).unwrap();
        }
        for (seq, data, v6) in &msgs {
            let (fam, _, remote, _, mut m) = take_transmit(&mut s).unwrap();
            let (src, t) = if *v6 { (LOCAL6, 128) } else { (LOCAL4, 8) };
            prop_assert_eq!(fam, if *v6 { IpVersion::Ipv6 } else { IpVersion::Ipv4 });
            prop_assert_eq!(&m, &echo(t, 0, ident, *seq, data));
            fill_checksum(&mut m, &src, &remote);
            let mut all: Vec<u16> = Vec::new();
            if let (IpAddr::V6(a), IpAddr::V6(b)) = (src, remote) {
                all.extend(a.segments());
                all.extend(b.segments());
                all.extend([0, m.len() as u16, 0, 58]);
            }
            all.extend(words(&m));
            prop_assert_eq!(ones_sum(all), 0xffff);
        }
        prop_assert!(take_transmit(&mut s).is_none());
    }
}
