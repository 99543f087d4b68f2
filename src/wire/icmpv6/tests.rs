//! Tests for the ICMPv6 view and Repr. Vectors built by hand from the
//! RFC 4443 field layouts (one field per line, as commented); checksums
//! computed with a short Python one's-complement sum over the RFC 8200 §8.1
//! pseudo-header and checked below with `verify_checksum`.

// Tests link std (see the crate root); `alloc` is not always declared.
#![allow(clippy::std_instead_of_alloc)]

use super::*;
use crate::wire::mld;
use crate::wire::ndisc;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

// ECHO_REQUEST: fe80::1 -> fe80::2, 12 bytes
#[rustfmt::skip]
pub(crate) static ECHO_REQUEST: [u8; 12] = [
    0x80, 0x00, 0x91, 0xae, // type 128, code 0, checksum
    0x12, 0x34, 0x00, 0x01, // ident 0x1234, seq 1
    0x70, 0x69, 0x6e, 0x67, // data "ping"
];

// PKT_TOO_BIG: 2001:db8::1 -> 2001:db8::2, 56 bytes
#[rustfmt::skip]
pub(crate) static PKT_TOO_BIG: [u8; 56] = [
    0x02, 0x00, 0xbb, 0xfd, // type 2, code 0, checksum
    0x00, 0x00, 0x05, 0x00, // MTU 1280
    0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // invoking IPv6 header (plen 8, UDP, hop 64, 2001:db8::2 -> 2001:db8::99) + UDP header 5000 -> 53
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x99, 0x13, 0x88, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
];

// PARAM_PROBLEM: 2001:db8::1 -> 2001:db8::2, 48 bytes
#[rustfmt::skip]
pub(crate) static PARAM_PROBLEM: [u8; 48] = [
    0x04, 0x01, 0xd2, 0xc3, // type 4, code 1 (unrecognized next header), checksum
    0x00, 0x00, 0x00, 0x06, // pointer 6
    0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // invoking IPv6 header
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x99,
];

fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// Parse `bytes` as sent from `src` to `dst` with checksum verification.
fn parse<'a>(bytes: &'a [u8], src: &str, dst: &str) -> Result<Repr<'a>> {
    let p = Packet::new_checked(bytes)?;
    Repr::parse(&p, &addr(src), &addr(dst), Checksum::Both)
}

/// Emit `repr` from `src` to `dst` into a fresh buffer of `buffer_len()`.
fn emit(repr: &Repr<'_>, src: &str, dst: &str) -> Vec<u8> {
    let mut buf = vec![0xa5; repr.buffer_len()];
    repr.emit(
        &mut Packet::new_unchecked(&mut buf[..]),
        &addr(src),
        &addr(dst),
        Checksum::Both,
    );
    buf
}

/// Call every accessor of the view (ICMPv6, ND and MLD ones) and walk every
/// iterator to its end. Used by the never-panic tests and the fuzz target.
pub(crate) fn touch_all(p: &Packet<&[u8]>) {
    let _ = (p.msg_type(), p.msg_code(), p.checksum(), p.unused());
    let _ = (p.echo_ident(), p.echo_seq_no(), p.pkt_too_big_mtu());
    let _ = (p.param_problem_ptr(), p.payload().len());
    let _ = p.verify_checksum(&Ipv6Addr::LOCALHOST, &Ipv6Addr::LOCALHOST);
    let _ = (p.cur_hop_limit(), p.router_flags(), p.router_lifetime());
    let _ = (p.reachable_time(), p.retrans_time(), p.neighbor_flags());
    let _ = (p.target_addr(), p.dest_addr());
    for o in ndisc::NdiscOptionIter::new(p.ndisc_options()) {
        if let Ok(ndisc::NdiscOption::Rdnss(r)) = o {
            let _ = r.addresses.iter().count();
        }
    }
    let _ = (p.max_resp_code(), p.mcast_addr(), p.query_s_flag());
    let _ = (p.query_qrv(), p.query_qqic(), p.query_num_srcs());
    let _ = p.query_sources().iter().count();
    for r in mld::AddressRecordIter::new(p.nr_mcast_records(), p.report_records()).flatten() {
        let _ = r.sources.iter().count();
    }
}

#[test]
fn parse_echo_request() {
    let p = Packet::new_checked(&ECHO_REQUEST[..]).unwrap();
    assert_eq!(p.msg_type(), Message::EchoRequest);
    assert_eq!(p.msg_code(), 0);
    assert_eq!(p.echo_ident(), 0x1234);
    assert_eq!(p.echo_seq_no(), 1);
    assert_eq!(p.payload(), b"ping");
    assert!(p.verify_checksum(&addr("fe80::1"), &addr("fe80::2")));
    assert_eq!(
        parse(&ECHO_REQUEST, "fe80::1", "fe80::2"),
        Ok(Repr::EchoRequest {
            ident: 0x1234,
            seq_no: 1,
            data: b"ping"
        })
    );
}

#[test]
fn emit_echo_request_and_reply() {
    let r = Repr::EchoRequest {
        ident: 0x1234,
        seq_no: 1,
        data: b"ping",
    };
    assert_eq!(emit(&r, "fe80::1", "fe80::2"), ECHO_REQUEST);
    // The reply differs in type (128 -> 129) only, so the checksum drops by
    // 0x0100 (one's complement): 0x91ae -> 0x90ae.
    let reply = Repr::EchoReply {
        ident: 0x1234,
        seq_no: 1,
        data: b"ping",
    };
    let mut expected = ECHO_REQUEST;
    expected[0] = 129;
    expected[2] = 0x90;
    assert_eq!(emit(&reply, "fe80::1", "fe80::2"), expected);
    assert_eq!(parse(&expected, "fe80::1", "fe80::2"), Ok(reply));
}

#[test]
fn parse_and_emit_pkt_too_big() {
    let p = Packet::new_checked(&PKT_TOO_BIG[..]).unwrap();
    assert_eq!(p.pkt_too_big_mtu(), 1280);
    let r = parse(&PKT_TOO_BIG, "2001:db8::1", "2001:db8::2").unwrap();
    assert_eq!(
        r,
        Repr::PktTooBig {
            mtu: 1280,
            data: &PKT_TOO_BIG[8..]
        }
    );
    assert!(r.msg_type().is_error());
    assert_eq!(emit(&r, "2001:db8::1", "2001:db8::2"), PKT_TOO_BIG);
    // RFC 4443 §3.2: the code is ignored by the receiver.
    let mut b = PKT_TOO_BIG;
    b[1] = 7;
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(
        Repr::parse(
            &p,
            &addr("2001:db8::1"),
            &addr("2001:db8::2"),
            Checksum::None
        ),
        Ok(r)
    );
}

#[test]
fn parse_and_emit_param_problem() {
    let r = parse(&PARAM_PROBLEM, "2001:db8::1", "2001:db8::2").unwrap();
    assert_eq!(
        r,
        Repr::ParamProblem {
            reason: ParamProblem::UnrecognizedNxtHdr,
            pointer: 6,
            data: &PARAM_PROBLEM[8..]
        }
    );
    assert_eq!(emit(&r, "2001:db8::1", "2001:db8::2"), PARAM_PROBLEM);
}

#[test]
fn dst_unreachable_and_time_exceeded_round_trip() {
    for r in [
        Repr::DstUnreachable {
            reason: DstUnreachable::PortUnreachable,
            data: &PKT_TOO_BIG[8..],
        },
        Repr::DstUnreachable {
            reason: DstUnreachable::Unknown(99),
            data: &[],
        },
        Repr::TimeExceeded {
            reason: TimeExceeded::FragReassemblyTimeExceeded,
            data: &PKT_TOO_BIG[8..],
        },
    ] {
        let b = emit(&r, "2001:db8::1", "2001:db8::2");
        // RFC 4443 §3.1, §3.3: the unused word is zero.
        assert_eq!(&b[4..8], &[0, 0, 0, 0]);
        assert_eq!(parse(&b, "2001:db8::1", "2001:db8::2"), Ok(r));
    }
}

#[test]
fn checksum_is_verified() {
    let mut b = ECHO_REQUEST;
    b[8] ^= 1;
    assert_eq!(parse(&b, "fe80::1", "fe80::2"), Err(Error::BadChecksum));
    // Wrong pseudo-header.
    assert_eq!(
        parse(&ECHO_REQUEST, "fe80::1", "fe80::3"),
        Err(Error::BadChecksum)
    );
    // Accepted when the device verified it.
    let p = Packet::new_checked(&b[..]).unwrap();
    assert!(Repr::parse(&p, &addr("fe80::1"), &addr("fe80::2"), Checksum::Tx).is_ok());
    // Emitting without checksum leaves zero for the device.
    let r = Repr::EchoReply {
        ident: 1,
        seq_no: 2,
        data: &[],
    };
    let mut buf = vec![0xff; r.buffer_len()];
    r.emit(
        &mut Packet::new_unchecked(&mut buf[..]),
        &addr("fe80::1"),
        &addr("fe80::2"),
        Checksum::Rx,
    );
    assert_eq!(&buf[2..4], &[0, 0]);
}

#[test]
fn truncation_at_every_length() {
    let vectors: [(&[u8], &str, &str); 3] = [
        (&ECHO_REQUEST, "fe80::1", "fe80::2"),
        (&PKT_TOO_BIG, "2001:db8::1", "2001:db8::2"),
        (&PARAM_PROBLEM, "2001:db8::1", "2001:db8::2"),
    ];
    for (v, s, d) in vectors {
        for n in 0..v.len() {
            let cut = &v[..n];
            if n < HEADER_LEN {
                assert_eq!(
                    Packet::new_checked(cut).err(),
                    Some(Error::Truncated),
                    "{n}"
                );
            } else {
                // A shorter message no longer matches its checksum ...
                assert_eq!(parse(cut, s, d), Err(Error::BadChecksum), "{n}");
                // ... but is otherwise a valid message with less data.
                let p = Packet::new_checked(cut).unwrap();
                let r = Repr::parse(&p, &addr(s), &addr(d), Checksum::None).unwrap();
                assert_eq!(r.buffer_len(), n);
            }
        }
    }
}

#[test]
fn unknown_types_are_unrecognized() {
    // RFC 4443 §2.4(a), (b): an unknown error (type 5) must be passed up by
    // the caller, an unknown informational (type 200) dropped; both are
    // Unrecognized here and told apart by `is_error`.
    for t in [5u8, 100, 127, 200, 255] {
        let mut b = ECHO_REQUEST;
        b[0] = t;
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.msg_type(), Message::Unknown(t));
        assert_eq!(p.msg_type().is_error(), t < 128);
        assert_eq!(
            Repr::parse(&p, &addr("fe80::1"), &addr("fe80::2"), Checksum::None),
            Err(Error::Unrecognized)
        );
        // The invoking packet is still reachable for the upper layer.
        assert_eq!(p.payload(), b"ping");
    }
}

#[test]
fn message_and_code_values() {
    for v in 0..=255u8 {
        assert_eq!(u8::from(Message::from(v)), v);
        assert_eq!(u8::from(DstUnreachable::from(v)), v);
        assert_eq!(u8::from(TimeExceeded::from(v)), v);
        assert_eq!(u8::from(ParamProblem::from(v)), v);
        let m = Message::from(v);
        assert_eq!(m.is_error(), v < 128);
        assert_eq!(m.is_ndisc(), (133..=137).contains(&v));
        assert_eq!(m.is_mld(), matches!(v, 130..=132 | 143));
    }
    assert_eq!(Message::from(143), Message::MldV2Report);
    assert_eq!(
        DstUnreachable::from(7),
        DstUnreachable::SrcRoutingHeaderError
    );
    assert_eq!(ParamProblem::from(3), ParamProblem::FirstFragmentIncomplete);
}

#[test]
fn error_data_limit() {
    // RFC 4443 §2.4(c): 1280 - 40 (IPv6) - 8 (ICMPv6).
    assert_eq!(MAX_ERROR_DATA_LEN, 1232);
    assert_eq!(max_error_data_len(40), 1232);
    assert_eq!(max_error_data_len(48), 1224);
    assert_eq!(max_error_data_len(usize::MAX), 0);
    let big = [0u8; 2000];
    assert_eq!(truncate_error_data(&big, 40).len(), 1232);
    assert_eq!(truncate_error_data(&big[..100], 40).len(), 100);
    let r = Repr::DstUnreachable {
        reason: DstUnreachable::NoRoute,
        data: truncate_error_data(&big, 40),
    };
    assert_eq!(40 + r.buffer_len(), IPV6_MIN_MTU);
}

#[test]
fn addr_list() {
    assert_eq!(Ipv6AddrList::new_checked(&[0; 15]), Err(Error::BadLength));
    let mut b = [0u8; 32];
    b[15] = 1;
    b[31] = 2;
    let l = Ipv6AddrList::new_checked(&b).unwrap();
    assert_eq!(l.len(), 2);
    assert!(!l.is_empty());
    assert_eq!(l.get(1), Some(addr("::2")));
    assert_eq!(l.get(2), None);
    assert_eq!(l.get(usize::MAX), None);
    let v: Vec<_> = l.iter().collect();
    assert_eq!(v, vec![addr("::1"), addr("::2")]);
    assert!(Ipv6AddrList::EMPTY.is_empty());
}

#[test]
fn dispatches_to_ndisc_and_mld() {
    let r = parse(&ndisc::tests::NEIGHBOR_SOLICIT, "fe80::1", "ff02::1:ff00:2").unwrap();
    assert!(matches!(
        r,
        Repr::Ndisc(ndisc::Repr::NeighborSolicit { .. })
    ));
    assert_eq!(
        emit(&r, "fe80::1", "ff02::1:ff00:2"),
        ndisc::tests::NEIGHBOR_SOLICIT
    );
    let r = parse(&mld::tests::MLDV2_REPORT, "fe80::1", "ff02::16").unwrap();
    assert!(matches!(r, Repr::Mld(mld::Repr::ReportV2 { .. })));
    assert_eq!(emit(&r, "fe80::1", "ff02::16"), mld::tests::MLDV2_REPORT);
    // A corrupted ND message fails the ICMPv6 checksum first.
    let mut b = ndisc::tests::NEIGHBOR_SOLICIT;
    b[39] ^= 0xff;
    assert_eq!(
        parse(&b, "fe80::1", "ff02::1:ff00:2"),
        Err(Error::BadChecksum)
    );
}

#[test]
fn other_types_accessors_do_not_panic() {
    // An 8-byte echo read through the ND / MLD accessors: zeros, no panic.
    let p = Packet::new_checked(&ECHO_REQUEST[..8]).unwrap();
    assert_eq!(p.target_addr(), Ipv6Addr::UNSPECIFIED);
    assert_eq!(p.dest_addr(), Ipv6Addr::UNSPECIFIED);
    assert_eq!(p.retrans_time(), 0);
    assert_eq!(p.query_num_srcs(), 0);
    assert!(p.ndisc_options().is_empty());
    assert!(p.query_sources().is_empty());
    assert_eq!(p.payload(), b"");
    touch_all(&p);
    // Even an unchecked empty buffer.
    touch_all(&Packet::new_unchecked(&[][..]));
}

fn arb_data() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..200)
}

proptest! {
    #[test]
    fn round_trip(kind in 0u8..6, code in any::<u8>(), word in any::<u32>(), data in arb_data()) {
        let (ident, seq_no) = ((word >> 16) as u16, word as u16);
        let r = match kind {
            0 => Repr::DstUnreachable { reason: code.into(), data: &data },
            1 => Repr::PktTooBig { mtu: word, data: &data },
            2 => Repr::TimeExceeded { reason: code.into(), data: &data },
            3 => Repr::ParamProblem { reason: code.into(), pointer: word, data: &data },
            4 => Repr::EchoRequest { ident, seq_no, data: &data },
            _ => Repr::EchoReply { ident, seq_no, data: &data },
        };
        let b = emit(&r, "2001:db8::1", "ff02::1");
        prop_assert_eq!(b.len(), r.buffer_len());
        prop_assert_eq!(parse(&b, "2001:db8::1", "ff02::1"), Ok(r));
    }

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300), t in prop_oneof![Just(None), (128u8..=143).prop_map(Some), (1u8..=4).prop_map(Some)]) {
        let mut data = data;
        if let (Some(t), Some(b)) = (t, data.first_mut()) {
            *b = t;
        }
        touch_all(&Packet::new_unchecked(&data[..]));
        if let Ok(p) = Packet::new_checked(&data[..]) {
            touch_all(&p);
            let s = Ipv6Addr::LOCALHOST;
            if let Ok(r) = Repr::parse(&p, &s, &s, Checksum::None) {
                let mut out = vec![0u8; r.buffer_len()];
                r.emit(&mut Packet::new_unchecked(&mut out[..]), &s, &s, Checksum::Both);
                let q = Packet::new_checked(&out[..]).unwrap();
                prop_assert_eq!(Repr::parse(&q, &s, &s, Checksum::Both), Ok(r));
            }
        }
    }
}
