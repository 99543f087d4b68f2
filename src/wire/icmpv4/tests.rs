//! ICMPv4 tests. Every vector was built by hand from the RFC 792 field
//! layout; checksums were computed with a ten-line Python RFC 1071 sum and
//! are cross-checked by `reference_checksum` below.

// Tests link std (`alloc` is optional), so std's Vec it is.
#![allow(clippy::std_instead_of_alloc)]

use super::*;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

/// The invoking datagram used by the error vectors: an IPv4 header
/// (IHL 5, total length 60, id 0x1c46, DF, TTL 64, TCP,
/// 192.168.0.2 -> 198.51.100.7, header checksum 0x3391) followed by the
/// first 8 bytes of a TCP header (port 50000 -> 80, seq 0x01020304).
static INVOKING: [u8; 28] = [
    0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x33, 0x91, 0xc0, 0xa8, 0x00, 0x02,
    0xc6, 0x33, 0x64, 0x07, 0xc3, 0x50, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04,
];

/// Echo request, ident 0x1234, seq 1, data "ferro" (odd length).
static ECHO_REQUEST: [u8; 13] = [
    0x08, 0x00, 0x9d, 0xf2, 0x12, 0x34, 0x00, 0x01, 0x66, 0x65, 0x72, 0x72, 0x6f,
];

/// Echo reply to the request above.
static ECHO_REPLY: [u8; 13] = [
    0x00, 0x00, 0xa5, 0xf2, 0x12, 0x34, 0x00, 0x01, 0x66, 0x65, 0x72, 0x72, 0x6f,
];

/// Timestamp request, ident 0xabcd, seq 7, originate 0x02932e00
/// (12:00:00 UT in ms), receive/transmit zero.
static TIMESTAMP: [u8; 20] = [
    0x0d, 0x00, 0x16, 0x98, 0xab, 0xcd, 0x00, 0x07, 0x02, 0x93, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
];

/// Timestamp reply: receive = originate + 5 ms, transmit = originate + 6 ms.
static TIMESTAMP_REPLY: [u8; 20] = [
    0x0e, 0x00, 0xb4, 0x66, 0xab, 0xcd, 0x00, 0x07, 0x02, 0x93, 0x2e, 0x00, 0x02, 0x93, 0x2e, 0x05,
    0x02, 0x93, 0x2e, 0x06,
];

/// An error message: `head` (type, code, checksum, rest of header)
/// followed by `INVOKING`.
fn error_vector(head: [u8; 8]) -> Vec<u8> {
    let mut v = head.to_vec();
    v.extend_from_slice(&INVOKING);
    v
}

/// Fragmentation needed, next-hop MTU 1400 (RFC 1191 §4).
fn frag_required() -> Vec<u8> {
    error_vector([0x03, 0x04, 0x2f, 0xdd, 0x00, 0x00, 0x05, 0x78])
}
/// Port unreachable.
fn port_unreachable() -> Vec<u8> {
    error_vector([0x03, 0x03, 0x35, 0x56, 0x00, 0x00, 0x00, 0x00])
}
/// TTL exceeded in transit.
fn ttl_expired() -> Vec<u8> {
    error_vector([0x0b, 0x00, 0x2d, 0x59, 0x00, 0x00, 0x00, 0x00])
}
/// Parameter problem, pointer 12 (the source address).
fn param_problem() -> Vec<u8> {
    error_vector([0x0c, 0x00, 0x20, 0x59, 0x0c, 0x00, 0x00, 0x00])
}
/// Host redirect to 10.0.0.254.
fn redirect() -> Vec<u8> {
    error_vector([0x05, 0x01, 0x28, 0x5a, 0x0a, 0x00, 0x00, 0xfe])
}
/// Source quench (deprecated by RFC 6633).
fn source_quench() -> Vec<u8> {
    error_vector([0x04, 0x00, 0x34, 0x59, 0x00, 0x00, 0x00, 0x00])
}
/// Address mask request (deprecated by RFC 6918), mask 0.
static ADDRESS_MASK_REQUEST: [u8; 12] = [
    0x11, 0x00, 0xee, 0xfd, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
];

/// A plain bytewise RFC 1071 sum, independent of `checksum::data`.
fn reference_checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for (i, b) in data.iter().enumerate() {
        sum += if i % 2 == 0 {
            u32::from(*b) << 8
        } else {
            u32::from(*b)
        };
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn all_vectors() -> Vec<Vec<u8>> {
    vec![
        ECHO_REQUEST.to_vec(),
        ECHO_REPLY.to_vec(),
        TIMESTAMP.to_vec(),
        TIMESTAMP_REPLY.to_vec(),
        frag_required(),
        port_unreachable(),
        ttl_expired(),
        param_problem(),
        redirect(),
        source_quench(),
        ADDRESS_MASK_REQUEST.to_vec(),
    ]
}

#[test]
fn vectors_have_valid_checksums() {
    // IPv4 header checksum of the invoking datagram, too.
    assert_eq!(reference_checksum(&INVOKING[..20]), 0);
    for v in all_vectors() {
        assert_eq!(reference_checksum(&v), 0, "{v:02x?}");
        assert!(Packet::new_checked(&v[..]).unwrap().verify_checksum());
    }
}

fn parse(bytes: &[u8]) -> Result<Repr<'_>> {
    Repr::parse(&Packet::new_checked(bytes)?, Checksum::Both)
}

fn emit(repr: &Repr<'_>) -> Vec<u8> {
    let mut buf = vec![0xa5; repr.buffer_len()];
    repr.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Both);
    buf
}

#[test]
fn echo_request() {
    let p = Packet::new_checked(&ECHO_REQUEST[..]).unwrap();
    assert_eq!(p.msg_type(), Message::EchoRequest);
    assert_eq!(p.msg_code(), 0);
    assert_eq!(p.checksum(), 0x9df2);
    assert_eq!(p.echo_ident(), 0x1234);
    assert_eq!(p.echo_seq_no(), 1);
    assert_eq!(p.rest_of_header(), 0x1234_0001);
    assert_eq!(p.data(), b"ferro");
    let r = Repr::parse(&p, Checksum::Both).unwrap();
    assert_eq!(
        r,
        Repr::EchoRequest {
            ident: 0x1234,
            seq_no: 1,
            data: b"ferro"
        }
    );
    assert_eq!(r.buffer_len(), 13);
    assert_eq!(emit(&r), ECHO_REQUEST);
}

#[test]
fn echo_reply() {
    let r = parse(&ECHO_REPLY).unwrap();
    assert_eq!(
        r,
        Repr::EchoReply {
            ident: 0x1234,
            seq_no: 1,
            data: b"ferro"
        }
    );
    assert_eq!(emit(&r), ECHO_REPLY);
}

#[test]
fn timestamps() {
    let p = Packet::new_checked(&TIMESTAMP_REPLY[..]).unwrap();
    assert_eq!(p.originate_timestamp(), 0x0293_2e00);
    assert_eq!(p.receive_timestamp(), 0x0293_2e05);
    assert_eq!(p.transmit_timestamp(), 0x0293_2e06);
    let r = parse(&TIMESTAMP).unwrap();
    assert_eq!(
        r,
        Repr::Timestamp {
            ident: 0xabcd,
            seq_no: 7,
            originate: 43_200_000,
            receive: 0,
            transmit: 0
        }
    );
    assert_eq!(r.buffer_len(), TIMESTAMP_LEN);
    assert_eq!(emit(&r), TIMESTAMP);
    let r = parse(&TIMESTAMP_REPLY).unwrap();
    assert_eq!(
        r,
        Repr::TimestampReply {
            ident: 0xabcd,
            seq_no: 7,
            originate: 43_200_000,
            receive: 43_200_005,
            transmit: 43_200_006
        }
    );
    assert_eq!(emit(&r), TIMESTAMP_REPLY);
}

#[test]
fn frag_required_carries_mtu() {
    let v = frag_required();
    let p = Packet::new_checked(&v[..]).unwrap();
    assert_eq!(p.next_hop_mtu(), 1400);
    assert_eq!(p.data(), &INVOKING[..]);
    let r = parse(&v).unwrap();
    assert_eq!(
        r,
        Repr::DstUnreachable {
            reason: DstUnreachable::FragRequired,
            next_hop_mtu: 1400,
            data: &INVOKING
        }
    );
    assert_eq!(emit(&r), v);
}

#[test]
fn mtu_ignored_for_other_codes() {
    // Port unreachable whose "unused" word is not zero: the MTU is only
    // meaningful for code 4 (RFC 1191 §4).
    let mut v = port_unreachable();
    v[6] = 0x05;
    v[7] = 0x78;
    let r = Repr::parse(&Packet::new_checked(&v[..]).unwrap(), Checksum::None).unwrap();
    assert_eq!(
        r,
        Repr::DstUnreachable {
            reason: DstUnreachable::PortUnreachable,
            next_hop_mtu: 0,
            data: &INVOKING
        }
    );
    assert_eq!(emit(&r), port_unreachable());
}

#[test]
fn other_errors() {
    let v = ttl_expired();
    let r = parse(&v).unwrap();
    assert_eq!(
        r,
        Repr::TimeExceeded {
            reason: TimeExceeded::TtlExpired,
            data: &INVOKING
        }
    );
    assert_eq!(emit(&r), ttl_expired());

    let v = param_problem();
    assert_eq!(Packet::new_checked(&v[..]).unwrap().pointer(), 12);
    let r = parse(&v).unwrap();
    assert_eq!(
        r,
        Repr::ParamProblem {
            reason: ParamProblem::PointerIndicatesError,
            pointer: 12,
            data: &INVOKING
        }
    );
    assert_eq!(emit(&r), v);

    let v = redirect();
    assert_eq!(
        Packet::new_checked(&v[..]).unwrap().gateway(),
        Ipv4Addr::new(10, 0, 0, 254)
    );
    let r = parse(&v).unwrap();
    assert_eq!(
        r,
        Repr::Redirect {
            reason: Redirect::Host,
            gateway: Ipv4Addr::new(10, 0, 0, 254),
            data: &INVOKING
        }
    );
    assert_eq!(emit(&r), v);
}

#[test]
fn unknown_codes_are_kept() {
    for (ty, code) in [(3u8, 16u8), (11, 2), (12, 3), (5, 4)] {
        let mut v = error_vector([ty, code, 0, 0, 0, 0, 0, 0]);
        Packet::new_unchecked(&mut v[..]).fill_checksum();
        let r = parse(&v).unwrap();
        assert_eq!(r.msg_type(), Message::from(ty));
        assert_eq!(emit(&r), v);
    }
}

#[test]
fn obsolete_and_unknown_types() {
    assert_eq!(parse(&source_quench()), Err(Error::Unsupported));
    assert_eq!(parse(&ADDRESS_MASK_REQUEST), Err(Error::Unsupported));
    for ty in 0..=255u8 {
        let mut v = error_vector([ty, 0, 0, 0, 0, 0, 0, 0]);
        Packet::new_unchecked(&mut v[..]).fill_checksum();
        let m = Message::from(ty);
        let r = parse(&v);
        if let Message::Unknown(_) = m {
            assert_eq!(r, Err(Error::Unrecognized), "type {ty}");
        } else if m.is_obsolete() {
            assert_eq!(r, Err(Error::Unsupported), "type {ty}");
        }
        assert_eq!(u8::from(m), ty);
    }
}

#[test]
fn message_classes() {
    use Message::*;
    // RFC 6918 §2 list, plus Source Quench (RFC 6633 §2).
    let obsolete: Vec<u8> = (0..=255u8)
        .filter(|t| Message::from(*t).is_obsolete())
        .collect();
    assert_eq!(
        obsolete,
        vec![4, 6, 15, 16, 17, 18, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39]
    );
    // RFC 1122 §3.2.2 error messages.
    for m in [
        DstUnreachable,
        Redirect,
        SourceQuench,
        TimeExceeded,
        ParamProblem,
    ] {
        assert!(m.is_error() && !m.is_query(), "{m:?}");
    }
    for m in [
        EchoRequest,
        EchoReply,
        Timestamp,
        TimestampReply,
        InfoRequest,
        AddressMaskReply,
    ] {
        assert!(m.is_query() && !m.is_error(), "{m:?}");
    }
    assert!(!Unknown(99).is_error() && !Unknown(99).is_query() && !Unknown(99).is_obsolete());
    assert!(!Photuris.is_obsolete());
}

#[test]
fn code_enums_round_trip() {
    for v in 0..=255u8 {
        assert_eq!(u8::from(super::DstUnreachable::from(v)), v);
        assert_eq!(u8::from(super::TimeExceeded::from(v)), v);
        assert_eq!(u8::from(super::ParamProblem::from(v)), v);
        assert_eq!(u8::from(super::Redirect::from(v)), v);
    }
    assert_eq!(
        super::DstUnreachable::from(4),
        super::DstUnreachable::FragRequired
    );
    assert_eq!(
        super::DstUnreachable::from(13),
        super::DstUnreachable::CommProhibited
    );
    assert_eq!(
        super::DstUnreachable::from(15),
        super::DstUnreachable::PrecedenceCutoff
    );
    assert_eq!(
        super::DstUnreachable::from(16),
        super::DstUnreachable::Unknown(16)
    );
    assert_eq!(
        super::TimeExceeded::from(1),
        super::TimeExceeded::FragReassembly
    );
    assert_eq!(super::ParamProblem::from(2), super::ParamProblem::BadLength);
    assert_eq!(super::Redirect::from(3), super::Redirect::HostTos);
    assert!(super::DstUnreachable::PortUnreachable.is_hard_error());
    assert!(!super::DstUnreachable::HostUnreachable.is_hard_error());
}

#[test]
fn truncation_at_every_length() {
    for v in all_vectors() {
        for n in 0..v.len() {
            let r = Packet::new_checked(&v[..n]).and_then(|p| Repr::parse(&p, Checksum::None));
            if n < HEADER_LEN {
                assert_eq!(r, Err(Error::Truncated), "{v:02x?} at {n}");
                continue;
            }
            let ty = Message::from(v[0]);
            if ty.is_error() && !ty.is_obsolete()
                || matches!(ty, Message::Timestamp | Message::TimestampReply)
            {
                // The invoking datagram (or timestamps) lose bytes.
                assert_eq!(r, Err(Error::Truncated), "{v:02x?} at {n}");
            }
            // Echo data may be any length; obsolete types stay Unsupported.
        }
    }
}

#[test]
fn malformed() {
    // Bad checksum, and its acceptance when the device checked it.
    let mut v = ECHO_REQUEST;
    v[9] ^= 0x40;
    assert_eq!(parse(&v), Err(Error::BadChecksum));
    let p = Packet::new_checked(&v[..]).unwrap();
    assert!(Repr::parse(&p, Checksum::Tx).is_ok());
    assert!(Repr::parse(&p, Checksum::None).is_ok());
    assert_eq!(Repr::parse(&p, Checksum::Rx), Err(Error::BadChecksum));

    // RFC 792: echo / timestamp code must be 0.
    for base in [
        &ECHO_REQUEST[..],
        &ECHO_REPLY[..],
        &TIMESTAMP[..],
        &TIMESTAMP_REPLY[..],
    ] {
        let mut v = base.to_vec();
        v[1] = 1;
        Packet::new_unchecked(&mut v[..]).fill_checksum();
        assert_eq!(parse(&v), Err(Error::BadField));
    }

    // Invoking datagram: not IPv4.
    let mut v = ttl_expired();
    v[8] = 0x65;
    Packet::new_unchecked(&mut v[..]).fill_checksum();
    assert_eq!(parse(&v), Err(Error::BadVersion));
    // IHL below 5.
    let mut v = ttl_expired();
    v[8] = 0x44;
    Packet::new_unchecked(&mut v[..]).fill_checksum();
    assert_eq!(parse(&v), Err(Error::BadLength));
    // IHL of 6 words: the 8 data bytes are no longer all there.
    let mut v = ttl_expired();
    v[8] = 0x46;
    Packet::new_unchecked(&mut v[..]).fill_checksum();
    assert_eq!(parse(&v), Err(Error::Truncated));
    // ... and fine again with 4 more bytes.
    v.extend_from_slice(&[0; 4]);
    Packet::new_unchecked(&mut v[..]).fill_checksum();
    assert!(parse(&v).is_ok());
    // Empty invoking datagram.
    let mut v = vec![0x03, 0x01, 0, 0, 0, 0, 0, 0];
    Packet::new_unchecked(&mut v[..]).fill_checksum();
    assert_eq!(parse(&v), Err(Error::Truncated));
}

#[test]
fn short_packets_do_not_panic_on_timestamp_accessors() {
    let p = Packet::new_checked(&ECHO_REQUEST[..8]).unwrap();
    assert_eq!(p.originate_timestamp(), 0);
    assert_eq!(p.receive_timestamp(), 0);
    assert_eq!(p.transmit_timestamp(), 0);
}

#[test]
fn emit_into_larger_buffer_sums_only_the_message() {
    let r = parse(&ECHO_REQUEST).unwrap();
    let mut buf = [0xffu8; 40];
    r.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Both);
    assert_eq!(&buf[..13], &ECHO_REQUEST[..]);
    assert!(buf[13..].iter().all(|b| *b == 0xff));
}

#[test]
fn emit_without_checksum_leaves_zero() {
    let r = parse(&ECHO_REQUEST).unwrap();
    let mut buf = vec![0xa5; r.buffer_len()];
    r.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Rx);
    assert_eq!(&buf[2..4], &[0, 0]);
    assert_eq!(&buf[4..], &ECHO_REQUEST[4..]);
}

#[test]
fn error_sizing() {
    // RFC 1812 §4.3.2.3: 576 - 20 (IP) - 8 (ICMP) = 548 bytes of invoking
    // datagram at most.
    assert_eq!(invoking_len_for_error(1500, 20), 548);
    assert_eq!(invoking_len_for_error(548, 20), 548);
    assert_eq!(invoking_len_for_error(100, 20), 100);
    assert_eq!(invoking_len_for_error(1500, 60), 508);
    assert_eq!(invoking_len_for_error(1500, 1000), 0);
    assert_eq!(INVOKING_DATA_LEN, 8);
}

fn arb_invoking() -> impl Strategy<Value = Vec<u8>> {
    (5u8..=15, proptest::collection::vec(any::<u8>(), 8..100)).prop_map(|(ihl, rest)| {
        let mut v = vec![0u8; usize::from(ihl) * 4];
        v[0] = 0x40 | ihl;
        v.extend_from_slice(&rest);
        v
    })
}

/// Raw material for one random `Repr`; `build` picks the variant.
#[derive(Debug, Clone)]
struct Shape {
    kind: u8,
    code: u8,
    a: u16,
    b: u16,
    times: [u32; 3],
    data: Vec<u8>,
    invoking: Vec<u8>,
}

fn arb_shape() -> impl Strategy<Value = Shape> {
    (
        0u8..8,
        any::<u8>(),
        any::<u16>(),
        any::<u16>(),
        any::<[u32; 3]>(),
        proptest::collection::vec(any::<u8>(), 0..200),
        arb_invoking(),
    )
        .prop_map(|(kind, code, a, b, times, data, invoking)| Shape {
            kind,
            code,
            a,
            b,
            times,
            data,
            invoking,
        })
}

fn build(s: &Shape) -> Repr<'_> {
    let inv = &s.invoking[..];
    match s.kind {
        0 => Repr::EchoRequest {
            ident: s.a,
            seq_no: s.b,
            data: &s.data,
        },
        1 => Repr::EchoReply {
            ident: s.a,
            seq_no: s.b,
            data: &s.data,
        },
        2 => {
            let reason = super::DstUnreachable::from(s.code);
            let next_hop_mtu = if reason == super::DstUnreachable::FragRequired {
                s.a
            } else {
                0
            };
            Repr::DstUnreachable {
                reason,
                next_hop_mtu,
                data: inv,
            }
        }
        3 => Repr::TimeExceeded {
            reason: super::TimeExceeded::from(s.code),
            data: inv,
        },
        4 => Repr::ParamProblem {
            reason: super::ParamProblem::from(s.code),
            pointer: s.b as u8,
            data: inv,
        },
        5 => Repr::Redirect {
            reason: super::Redirect::from(s.code),
            gateway: Ipv4Addr::from(u32::from(s.a) << 16 | u32::from(s.b)),
            data: inv,
        },
        6 => Repr::Timestamp {
            ident: s.a,
            seq_no: s.b,
            originate: s.times[0],
            receive: s.times[1],
            transmit: s.times[2],
        },
        _ => Repr::TimestampReply {
            ident: s.a,
            seq_no: s.b,
            originate: s.times[0],
            receive: s.times[1],
            transmit: s.times[2],
        },
    }
}

proptest! {
    #[test]
    fn round_trip(shape in arb_shape()) {
        let r = build(&shape);
        let buf = emit(&r);
        prop_assert_eq!(buf.len(), r.buffer_len());
        prop_assert_eq!(reference_checksum(&buf), 0);
        let p = Packet::new_checked(&buf[..]).unwrap();
        prop_assert_eq!(Repr::parse(&p, Checksum::Both).unwrap(), r);
    }

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..96)) {
        if let Ok(p) = Packet::new_checked(&data[..]) {
            let _ = (p.msg_type(), p.msg_code(), p.checksum(), p.rest_of_header());
            let _ = (p.echo_ident(), p.echo_seq_no(), p.next_hop_mtu(), p.pointer(), p.gateway());
            let _ = (p.originate_timestamp(), p.receive_timestamp(), p.transmit_timestamp());
            let _ = (p.data(), p.verify_checksum());
            for c in [Checksum::Both, Checksum::None] {
                if let Ok(r) = Repr::parse(&p, c) {
                    let out = emit(&r);
                    let q = Packet::new_checked(&out[..]).unwrap();
                    prop_assert_eq!(Repr::parse(&q, Checksum::Both).unwrap(), r);
                }
            }
        }
    }

    #[test]
    fn random_typed_messages_never_panic(ty in any::<u8>(), code in any::<u8>(), rest in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut v = vec![ty, code, 0, 0];
        v.extend_from_slice(&rest);
        if v.len() >= HEADER_LEN {
            Packet::new_unchecked(&mut v[..]).fill_checksum();
        }
        let _ = parse(&v);
    }
}
