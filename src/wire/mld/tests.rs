//! Tests for MLDv1/v2. Vectors built by hand from the RFC 2710 §3 and
//! RFC 3810 §5.1, §5.2 layouts (one field or record per line, as
//! commented); checksums computed with a short Python one's-complement sum
//! over the RFC 8200 §8.1 pseudo-header and checked below with
//! `verify_checksum`.

// Tests link std (see the crate root); `alloc` is not always declared.
#![allow(clippy::std_instead_of_alloc)]

use super::*;
use crate::wire::icmpv6::Packet;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

// MLDV2_REPORT: fe80::1 -> ff02::16, 80 bytes
#[rustfmt::skip]
pub(crate) static MLDV2_REPORT: [u8; 80] = [
    0x8f, 0x00, 0x82, 0x52, // type 143, reserved, checksum
    0x00, 0x00, 0x00, 0x02, // reserved, 2 records
    0x04, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // record CHANGE_TO_EXCLUDE ff02::db8:1, no aux, 0 sources
    0x0d, 0xb8, 0x00, 0x01,
    0x05, 0x00, 0x00, 0x02, 0xff, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // record ALLOW_NEW_SOURCES ff3e::8000:1, 2 sources 2001:db8::a, ::b
    0x80, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x0a, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x0b,
];

// MLDV1_QUERY: fe80::ff -> ff02::1, 24 bytes
#[rustfmt::skip]
pub(crate) static MLDV1_QUERY: [u8; 24] = [
    0x82, 0x00, 0x58, 0x19, // type 130, code 0, checksum
    0x27, 0x10, 0x00, 0x00, // max response delay 10000 ms, reserved
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // general query
];

// MLDV2_QUERY: fe80::ff -> ff3e::8000:1, 44 bytes
#[rustfmt::skip]
pub(crate) static MLDV2_QUERY: [u8; 44] = [
    0x82, 0x00, 0xbc, 0x9a, // type 130, code 0, checksum
    0x8a, 0xbc, 0x00, 0x00, // max resp code 0x8abc (float: exp 0, mant 0xabc), reserved
    0xff, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x01, // group ff3e::8000:1
    0x0a, 0x7d, 0x00, 0x01, // S=1 QRV=2, QQIC 125, 1 source
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, // source 2001:db8::a
];

// MLDV1_REPORT: fe80::1 -> ff02::db8:1, 24 bytes
#[rustfmt::skip]
pub(crate) static MLDV1_REPORT: [u8; 24] = [
    0x83, 0x00, 0x64, 0xb3, // type 131, code 0, checksum
    0x00, 0x00, 0x00, 0x00, // max delay 0, reserved
    0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0xb8, 0x00, 0x01, // group ff02::db8:1
];

// MLDV1_DONE: fe80::1 -> ff02::2, 24 bytes
#[rustfmt::skip]
pub(crate) static MLDV1_DONE: [u8; 24] = [
    0x84, 0x00, 0x71, 0x6a, // type 132, code 0, checksum
    0x00, 0x00, 0x00, 0x00, // max delay 0, reserved
    0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0xb8, 0x00, 0x01, // group ff02::db8:1
];

fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn parse(bytes: &[u8]) -> Result<Repr<'_>> {
    Repr::parse(&Packet::new_checked(bytes)?)
}

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

fn vectors() -> [(&'static [u8], &'static str, &'static str); 5] {
    [
        (&MLDV2_REPORT, "fe80::1", "ff02::16"),
        (&MLDV1_QUERY, "fe80::ff", "ff02::1"),
        (&MLDV2_QUERY, "fe80::ff", "ff3e::8000:1"),
        (&MLDV1_REPORT, "fe80::1", "ff02::db8:1"),
        (&MLDV1_DONE, "fe80::1", "ff02::2"),
    ]
}

#[test]
fn checksums_of_vectors() {
    for (v, s, d) in vectors() {
        assert!(
            Packet::new_checked(v)
                .unwrap()
                .verify_checksum(&addr(s), &addr(d))
        );
    }
}

#[test]
fn v2_report_two_records() {
    let p = Packet::new_checked(&MLDV2_REPORT[..]).unwrap();
    assert_eq!(p.nr_mcast_records(), 2);
    let r = parse(&MLDV2_REPORT).unwrap();
    let Repr::ReportV2 { records } = r else {
        panic!("{r:?}")
    };
    assert_eq!(records.len(), 2);
    let recs: Vec<_> = records.iter().map(|r| r.unwrap()).collect();
    assert_eq!(recs[0].record_type, RecordType::ChangeToExcludeMode);
    assert_eq!(recs[0].mcast_addr, addr("ff02::db8:1"));
    assert!(recs[0].sources.is_empty());
    assert!(recs[0].aux_data.is_empty());
    assert_eq!(recs[1].record_type, RecordType::AllowNewSources);
    assert_eq!(recs[1].mcast_addr, addr("ff3e::8000:1"));
    assert_eq!(
        recs[1].sources.iter().collect::<Vec<_>>(),
        vec![addr("2001:db8::a"), addr("2001:db8::b")]
    );
    assert_eq!(emit(&r, "fe80::1", "ff02::16"), MLDV2_REPORT);

    // The same report built from record reprs.
    let srcs = [addr("2001:db8::a"), addr("2001:db8::b")];
    let list = [
        AddressRecordRepr {
            record_type: RecordType::ChangeToExcludeMode,
            mcast_addr: addr("ff02::db8:1"),
            sources: &[],
        },
        AddressRecordRepr {
            record_type: RecordType::AllowNewSources,
            mcast_addr: addr("ff3e::8000:1"),
            sources: &srcs,
        },
    ];
    let mut buf = vec![0xa5; report_v2_buffer_len(&list)];
    emit_report_v2(
        &mut Packet::new_unchecked(&mut buf[..]),
        &list,
        &addr("fe80::1"),
        &addr("ff02::16"),
        Checksum::Both,
    );
    assert_eq!(buf, MLDV2_REPORT);
}

#[test]
fn v1_messages() {
    let p = Packet::new_checked(&MLDV1_QUERY[..]).unwrap();
    assert_eq!(p.max_resp_code(), 10000);
    let q = Repr::Query {
        max_resp_code: 10000,
        mcast_addr: Ipv6Addr::UNSPECIFIED,
        version: MldVersion::V1,
        s_flag: false,
        qrv: 0,
        qqic: 0,
        sources: Ipv6AddrList::EMPTY,
    };
    assert_eq!(parse(&MLDV1_QUERY), Ok(q));
    assert_eq!(q.max_resp_delay_ms(), Some(10000));
    assert_eq!(emit(&q, "fe80::ff", "ff02::1"), MLDV1_QUERY);
    let r = Repr::Report {
        mcast_addr: addr("ff02::db8:1"),
    };
    assert_eq!(parse(&MLDV1_REPORT), Ok(r));
    assert_eq!(r.max_resp_delay_ms(), None);
    assert_eq!(emit(&r, "fe80::1", "ff02::db8:1"), MLDV1_REPORT);
    let d = Repr::Done {
        mcast_addr: addr("ff02::db8:1"),
    };
    assert_eq!(parse(&MLDV1_DONE), Ok(d));
    assert_eq!(emit(&d, "fe80::1", "ff02::2"), MLDV1_DONE);
}

#[test]
fn v2_query() {
    let p = Packet::new_checked(&MLDV2_QUERY[..]).unwrap();
    assert!(p.query_s_flag());
    assert_eq!(p.query_qrv(), 2);
    assert_eq!(p.query_qqic(), 125);
    assert_eq!(p.query_num_srcs(), 1);
    let r = parse(&MLDV2_QUERY).unwrap();
    let Repr::Query {
        max_resp_code,
        mcast_addr,
        version,
        s_flag,
        qrv,
        qqic,
        sources,
    } = r
    else {
        panic!("{r:?}")
    };
    assert_eq!(max_resp_code, 0x8abc);
    // RFC 3810 §5.1.3: (0xabc | 0x1000) << (0 + 3).
    assert_eq!(r.max_resp_delay_ms(), Some(0x1abc << 3));
    assert_eq!(mcast_addr, addr("ff3e::8000:1"));
    assert_eq!(version, MldVersion::V2);
    assert!(s_flag);
    assert_eq!((qrv, qqic), (2, 125));
    assert_eq!(
        sources.iter().collect::<Vec<_>>(),
        vec![addr("2001:db8::a")]
    );
    assert_eq!(emit(&r, "fe80::ff", "ff3e::8000:1"), MLDV2_QUERY);
    // RFC 3810 §5.1.12: additional data is ignored.
    let mut b = MLDV2_QUERY.to_vec();
    b.extend_from_slice(&[1, 2, 3, 4]);
    assert_eq!(parse(&b), Ok(r));
}

#[test]
fn float_encodings() {
    // RFC 3810 §5.1.3.
    assert_eq!(decode_max_resp_code(0x7fff), 0x7fff);
    assert_eq!(decode_max_resp_code(0x8000), 0x8000);
    assert_eq!(decode_max_resp_code(0xffff), 0x1fff << 10);
    assert_eq!(encode_max_resp_code(0x7fff), 0x7fff);
    assert_eq!(encode_max_resp_code(0x8000), 0x8000);
    assert_eq!(encode_max_resp_code(0x1fff << 10), 0xffff);
    assert_eq!(encode_max_resp_code(u32::MAX), 0xffff);
    // RFC 3810 §5.1.9.
    assert_eq!(decode_qqic(125), 125);
    assert_eq!(decode_qqic(0x80), 128);
    assert_eq!(decode_qqic(0xff), 0x1f << 10);
    assert_eq!(encode_qqic(128), 0x80);
    assert_eq!(encode_qqic(31744), 0xff);
    assert_eq!(encode_qqic(u32::MAX), 0xff);
    for c in 0..=255u8 {
        assert_eq!(encode_qqic(decode_qqic(c)), c);
    }
}

#[test]
fn truncation_at_every_length() {
    for (v, _, _) in vectors() {
        for n in 0..v.len() {
            let cut = &v[..n];
            let expected = match Message::from(v[0]) {
                // RFC 3810 §8.1: 24 bytes is a valid MLDv1 Query.
                Message::MldQuery if n == 24 => None,
                Message::MldQuery if (25..28).contains(&n) => Some(Error::BadLength),
                _ => Some(Error::Truncated),
            };
            assert_eq!(parse(cut).err(), expected, "{n}");
        }
    }
}

#[test]
fn malformed_lengths() {
    // Record 2 claims 3 sources.
    let mut b = MLDV2_REPORT;
    b[31] = 3;
    assert_eq!(parse(&b), Err(Error::Truncated));
    // Record 1 claims aux data.
    let mut b = MLDV2_REPORT;
    b[9] = 1;
    assert_eq!(parse(&b), Err(Error::Truncated));
    // Three records announced.
    let mut b = MLDV2_REPORT;
    b[7] = 3;
    assert_eq!(parse(&b), Err(Error::Truncated));
    // Query claims two sources.
    let mut b = MLDV2_QUERY;
    b[27] = 2;
    assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::Truncated));
    let mut b = MLDV2_QUERY;
    b[26] = 0xff;
    assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::Truncated));
}

#[test]
fn trailing_and_aux_data() {
    // Fewer records announced than present: the rest is additional data
    // (RFC 3810 §5.2.11) and is not kept.
    let mut b = MLDV2_REPORT;
    b[7] = 1;
    let Ok(Repr::ReportV2 { records }) = parse(&b) else {
        panic!()
    };
    assert_eq!(records.as_bytes(), &MLDV2_REPORT[8..28]);
    // One 32-bit word of aux data on the last record.
    let mut b = MLDV2_REPORT.to_vec();
    b[29] = 1;
    b.extend_from_slice(&[9, 9, 9, 9]);
    let Ok(Repr::ReportV2 { records }) = parse(&b) else {
        panic!()
    };
    let last = records.iter().last().unwrap().unwrap();
    assert_eq!(last.aux_data, &[9, 9, 9, 9]);
    assert_eq!(last.sources.len(), 2);
}

#[test]
fn unknown_record_type_is_yielded() {
    let mut b = MLDV2_REPORT;
    b[8] = 42;
    let Ok(Repr::ReportV2 { records }) = parse(&b) else {
        panic!()
    };
    assert_eq!(
        records.iter().next().unwrap().unwrap().record_type,
        RecordType::Unknown(42)
    );
}

#[test]
fn rejected_fields() {
    // Query for a unicast address.
    let mut b = MLDV2_QUERY;
    b[8] = 0x20;
    assert_eq!(parse(&b), Err(Error::BadField));
    // General query with a source (RFC 3810 §5.1.10).
    let mut b = MLDV2_QUERY;
    b[8..24].fill(0);
    assert_eq!(parse(&b), Err(Error::BadField));
    // v1 Report / Done for a non-multicast address.
    for v in [MLDV1_REPORT, MLDV1_DONE] {
        let mut b = v;
        b[8] = 0xfe;
        assert_eq!(parse(&b), Err(Error::BadField));
    }
    // Not an MLD message.
    let mut b = MLDV1_DONE;
    b[0] = 133;
    assert_eq!(parse(&b), Err(Error::Unrecognized));
}

fn arb_addr() -> impl Strategy<Value = Ipv6Addr> {
    any::<u128>().prop_map(Ipv6Addr::from)
}

fn arb_mcast() -> impl Strategy<Value = Ipv6Addr> {
    any::<u128>().prop_map(|a| Ipv6Addr::from(a | 0xff << 120))
}

proptest! {
    #[test]
    fn max_resp_code_round_trip(code in 0x8000u16..) {
        prop_assert_eq!(encode_max_resp_code(decode_max_resp_code(code)), code);
    }

    #[test]
    fn max_resp_code_rounds_down(ms in 0u32..(0x1fff << 10)) {
        let d = decode_max_resp_code(encode_max_resp_code(ms));
        prop_assert!(d <= ms);
        // 12 bits of mantissa: within 1/4096 of the value.
        prop_assert!(ms - d <= ms / 4096);
    }

    #[test]
    fn round_trip_queries(
        v2 in any::<bool>(),
        max_resp_code in any::<u16>(),
        group in proptest::option::of(arb_mcast()),
        s_flag in any::<bool>(),
        qrv in 0u8..8,
        qqic in any::<u8>(),
        srcs in proptest::collection::vec(arb_addr(), 0..5),
    ) {
        let raw: Vec<u8> = srcs.iter().flat_map(|a| a.octets()).collect();
        let mcast_addr = group.unwrap_or(Ipv6Addr::UNSPECIFIED);
        let r = if v2 {
            Repr::Query {
                max_resp_code, mcast_addr, version: MldVersion::V2, s_flag, qrv, qqic,
                sources: if group.is_some() {
                    Ipv6AddrList::new_checked(&raw).unwrap()
                } else {
                    Ipv6AddrList::EMPTY
                },
            }
        } else {
            Repr::Query {
                max_resp_code, mcast_addr, version: MldVersion::V1, s_flag: false, qrv: 0,
                qqic: 0, sources: Ipv6AddrList::EMPTY,
            }
        };
        let b = emit(&r, "fe80::1", "ff02::1");
        prop_assert_eq!(b.len(), r.buffer_len());
        prop_assert_eq!(parse(&b), Ok(r));
    }

    #[test]
    fn round_trip_reports(
        group in arb_mcast(),
        records in proptest::collection::vec(
            (1u8..=6, arb_addr(), proptest::collection::vec(arb_addr(), 0..4)), 0..5),
    ) {
        for r in [Repr::Report { mcast_addr: group }, Repr::Done { mcast_addr: group }] {
            let b = emit(&r, "fe80::1", "ff02::16");
            prop_assert_eq!(parse(&b), Ok(r));
        }
        let list: Vec<_> = records
            .iter()
            .map(|(t, a, s)| AddressRecordRepr { record_type: (*t).into(), mcast_addr: *a, sources: s })
            .collect();
        let mut buf = vec![0u8; report_v2_buffer_len(&list)];
        emit_report_v2(&mut Packet::new_unchecked(&mut buf[..]), &list, &addr("fe80::1"), &addr("ff02::16"), Checksum::Both);
        prop_assert!(Packet::new_checked(&buf[..]).unwrap().verify_checksum(&addr("fe80::1"), &addr("ff02::16")));
        let Ok(r @ Repr::ReportV2 { records: parsed }) = parse(&buf) else {
            return Err(TestCaseError::fail("not a v2 report"));
        };
        let back: Vec<_> = parsed.iter().map(|r| r.unwrap()).collect();
        prop_assert_eq!(back.len(), list.len());
        for (p, l) in back.iter().zip(&list) {
            prop_assert_eq!(p.record_type, l.record_type);
            prop_assert_eq!(p.mcast_addr, l.mcast_addr);
            prop_assert_eq!(p.sources.iter().collect::<Vec<_>>(), l.sources.to_vec());
        }
        prop_assert_eq!(emit(&r, "fe80::1", "ff02::16"), buf);
    }

    #[test]
    fn random_records_never_panic(count in any::<u16>(), data in proptest::collection::vec(any::<u8>(), 0..200)) {
        for r in AddressRecordIter::new(count, &data).flatten() {
            let _ = (r.record_type, r.mcast_addr, r.sources.iter().count(), r.aux_data.len());
        }
        let _ = AddressRecords::new_checked(count, &data);
    }
}
