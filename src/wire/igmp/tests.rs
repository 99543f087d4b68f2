//! IGMP tests. Every vector was built by hand from the field layouts of
//! RFC 1112 App. I, RFC 2236 §2 and RFC 3376 §4; checksums were computed
//! with a ten-line Python RFC 1071 sum and are cross-checked by
//! `reference_checksum` below.

// Tests link std (`alloc` is optional), so std's Vec it is.
#![allow(clippy::std_instead_of_alloc)]

use super::*;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

const GROUP: Ipv4Addr = Ipv4Addr::new(239, 1, 2, 3);

/// IGMPv1 general query (Max Resp Code 0, 8 bytes).
static V1_QUERY: [u8; 8] = [0x11, 0x00, 0xee, 0xff, 0x00, 0x00, 0x00, 0x00];
/// IGMPv2 general query, Max Resp Time 100 (10 s).
static V2_QUERY: [u8; 8] = [0x11, 0x64, 0xee, 0x9b, 0x00, 0x00, 0x00, 0x00];
/// IGMPv2 group-specific query for 239.1.2.3, Max Resp Time 10 (1 s).
static V2_GROUP_QUERY: [u8; 8] = [0x11, 0x0a, 0xfd, 0xf0, 0xef, 0x01, 0x02, 0x03];
/// IGMPv1 report for 239.1.2.3.
static V1_REPORT: [u8; 8] = [0x12, 0x00, 0xfc, 0xfa, 0xef, 0x01, 0x02, 0x03];
/// IGMPv2 report for 239.1.2.3.
static V2_REPORT: [u8; 8] = [0x16, 0x00, 0xf8, 0xfa, 0xef, 0x01, 0x02, 0x03];
/// IGMPv2 leave for 239.1.2.3.
static LEAVE: [u8; 8] = [0x17, 0x00, 0xf7, 0xfa, 0xef, 0x01, 0x02, 0x03];
/// IGMPv3 general query: Max Resp Code 0x8a (exp 0, mant 0xa: 26 << 3 =
/// 208 tenths), S = 1, QRV = 2, QQIC 125 s, no sources.
static V3_QUERY: [u8; 12] = [
    0x11, 0x8a, 0xe3, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x7d, 0x00, 0x00,
];
/// IGMPv3 group-and-source-specific query for 239.1.2.3: Max Resp Code 10,
/// S = 0, QRV = 2, QQIC 125, sources 192.0.2.1 and 192.0.2.2.
static V3_SOURCE_QUERY: [u8; 20] = [
    0x11, 0x0a, 0x77, 0x6d, 0xef, 0x01, 0x02, 0x03, 0x02, 0x7d, 0x00, 0x02, 0xc0, 0x00, 0x02, 0x01,
    0xc0, 0x00, 0x02, 0x02,
];
/// IGMPv3 report with two records:
/// 1. CHANGE_TO_EXCLUDE_MODE 239.1.2.3, no sources, no aux data;
/// 2. ALLOW_NEW_SOURCES 239.4.5.6, sources 192.0.2.1 and 198.51.100.9,
///    one word of aux data 0xdeadbeef.
static V3_REPORT: [u8; 36] = [
    0x22, 0x00, 0x66, 0x0e, 0x00, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x00, 0xef, 0x01, 0x02, 0x03,
    0x05, 0x01, 0x00, 0x02, 0xef, 0x04, 0x05, 0x06, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x09,
    0xde, 0xad, 0xbe, 0xef,
];

fn all_vectors() -> Vec<&'static [u8]> {
    vec![
        &V1_QUERY,
        &V2_QUERY,
        &V2_GROUP_QUERY,
        &V1_REPORT,
        &V2_REPORT,
        &LEAVE,
        &V3_QUERY,
        &V3_SOURCE_QUERY,
        &V3_REPORT,
    ]
}

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

fn parse(bytes: &[u8]) -> Result<Repr<'_>> {
    Repr::parse(&Packet::new_checked(bytes)?, Checksum::Both)
}

fn emit(repr: &Repr<'_>) -> Vec<u8> {
    let mut buf = vec![0xa5; repr.buffer_len()];
    repr.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Both);
    buf
}

/// Recompute the checksum of a vector after an edit.
fn refill(v: &mut [u8]) {
    Packet::new_unchecked(v).fill_checksum();
}

#[test]
fn vectors_have_valid_checksums() {
    for v in all_vectors() {
        assert_eq!(reference_checksum(v), 0, "{v:02x?}");
        assert!(Packet::new_checked(v).unwrap().verify_checksum());
    }
}

#[test]
fn v1_v2_queries() {
    let p = Packet::new_checked(&V1_QUERY[..]).unwrap();
    assert_eq!(p.msg_type(), Message::MembershipQuery);
    assert_eq!(p.query_version(), Ok(Version::V1));
    assert_eq!(p.max_resp_time(), V1_MAX_RESP_TIME);
    let r = parse(&V1_QUERY).unwrap();
    let v1 = Repr::Query {
        version: Version::V1,
        max_resp_time: 100,
        group_addr: Ipv4Addr::UNSPECIFIED,
        s_flag: false,
        qrv: 0,
        qqi: 0,
        sources: &[],
    };
    assert_eq!(r, v1);
    assert_eq!(emit(&r), V1_QUERY);

    let p = Packet::new_checked(&V2_QUERY[..]).unwrap();
    assert_eq!(p.query_version(), Ok(Version::V2));
    assert_eq!(p.max_resp_code(), 100);
    let r = parse(&V2_QUERY).unwrap();
    assert_eq!(
        r,
        Repr::Query {
            version: Version::V2,
            max_resp_time: 100,
            group_addr: Ipv4Addr::UNSPECIFIED,
            s_flag: false,
            qrv: 0,
            qqi: 0,
            sources: &[],
        }
    );
    assert_eq!(emit(&r), V2_QUERY);

    let r = parse(&V2_GROUP_QUERY).unwrap();
    assert_eq!(
        r,
        Repr::Query {
            version: Version::V2,
            max_resp_time: 10,
            group_addr: GROUP,
            s_flag: false,
            qrv: 0,
            qqi: 0,
            sources: &[],
        }
    );
    assert_eq!(emit(&r), V2_GROUP_QUERY);
}

#[test]
fn reports_and_leave() {
    let p = Packet::new_checked(&V1_REPORT[..]).unwrap();
    assert_eq!(p.msg_type(), Message::V1Report);
    assert_eq!(p.group_addr(), GROUP);
    for (v, r) in [
        (
            &V1_REPORT,
            Repr::Report {
                version: Version::V1,
                group_addr: GROUP,
            },
        ),
        (
            &V2_REPORT,
            Repr::Report {
                version: Version::V2,
                group_addr: GROUP,
            },
        ),
        (&LEAVE, Repr::Leave { group_addr: GROUP }),
    ] {
        assert_eq!(parse(v).unwrap(), r);
        assert_eq!(r.buffer_len(), 8);
        assert_eq!(emit(&r), v);
    }
    // A V3 `Report` is written as a v2 report.
    let r = Repr::Report {
        version: Version::V3,
        group_addr: GROUP,
    };
    assert_eq!(emit(&r), V2_REPORT);
}

#[test]
fn v3_general_query() {
    let p = Packet::new_checked(&V3_QUERY[..]).unwrap();
    assert_eq!(p.query_version(), Ok(Version::V3));
    assert_eq!(p.max_resp_code(), 0x8a);
    assert_eq!(p.max_resp_time(), 208);
    assert!(p.s_flag());
    assert_eq!(p.qrv(), 2);
    assert_eq!(p.qqic(), 125);
    assert_eq!(p.num_sources(), 0);
    assert!(p.sources().is_empty());
    let r = parse(&V3_QUERY).unwrap();
    assert_eq!(
        r,
        Repr::Query {
            version: Version::V3,
            max_resp_time: 208,
            group_addr: Ipv4Addr::UNSPECIFIED,
            s_flag: true,
            qrv: 2,
            qqi: 125,
            sources: &[],
        }
    );
    assert_eq!(r.query_sources().count(), 0);
    assert_eq!(emit(&r), V3_QUERY);
}

#[test]
fn v3_source_query() {
    let p = Packet::new_checked(&V3_SOURCE_QUERY[..]).unwrap();
    assert_eq!(p.num_sources(), 2);
    assert!(!p.s_flag());
    let srcs: Vec<_> = p.source_iter().collect();
    assert_eq!(
        srcs,
        [Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2)]
    );
    let r = parse(&V3_SOURCE_QUERY).unwrap();
    assert_eq!(r.query_sources().len(), 2);
    assert_eq!(r.query_sources().collect::<Vec<_>>(), srcs);
    match r {
        Repr::Query {
            version,
            max_resp_time,
            group_addr,
            qrv,
            qqi,
            sources,
            ..
        } => {
            assert_eq!(version, Version::V3);
            assert_eq!(max_resp_time, 10);
            assert_eq!(group_addr, GROUP);
            assert_eq!((qrv, qqi), (2, 125));
            assert_eq!(sources, &V3_SOURCE_QUERY[12..]);
        }
        _ => panic!("not a query: {r:?}"),
    }
    assert_eq!(emit(&r), V3_SOURCE_QUERY);
}

#[test]
fn v3_report() {
    let p = Packet::new_checked(&V3_REPORT[..]).unwrap();
    assert_eq!(p.msg_type(), Message::V3Report);
    assert_eq!(p.num_group_records(), 2);
    assert_eq!(p.group_records(), &V3_REPORT[8..]);
    let recs: Vec<_> = p.group_record_iter().map(|r| r.unwrap()).collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].record_type, RecordType::ChangeToExclude);
    assert_eq!(recs[0].group_addr, GROUP);
    assert_eq!(recs[0].num_sources(), 0);
    assert!(recs[0].aux_data.is_empty());
    assert_eq!(recs[1].record_type, RecordType::AllowNewSources);
    assert_eq!(recs[1].group_addr, Ipv4Addr::new(239, 4, 5, 6));
    assert_eq!(
        recs[1].source_iter().collect::<Vec<_>>(),
        [Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(198, 51, 100, 9)]
    );
    assert_eq!(recs[1].aux_data, &[0xde, 0xad, 0xbe, 0xef]);

    let r = parse(&V3_REPORT).unwrap();
    assert_eq!(
        r,
        Repr::V3Report {
            records: &V3_REPORT[8..]
        }
    );
    assert_eq!(r.group_records().count(), 2);
    assert_eq!(emit(&r), V3_REPORT);

    // The same report from typed records.
    let s2 = [Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(198, 51, 100, 9)];
    let records = [
        GroupRecordRepr {
            record_type: RecordType::ChangeToExclude,
            group_addr: GROUP,
            sources: &[],
            aux_data: &[],
        },
        GroupRecordRepr {
            record_type: RecordType::AllowNewSources,
            group_addr: Ipv4Addr::new(239, 4, 5, 6),
            sources: &s2,
            aux_data: &[0xde, 0xad, 0xbe, 0xef],
        },
    ];
    let b = V3ReportRepr { records: &records };
    assert_eq!(b.buffer_len(), 36);
    let mut buf = vec![0xa5; 36];
    b.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Both);
    assert_eq!(buf, V3_REPORT);
}

#[test]
fn v3_report_builder_pads_aux_data() {
    let records = [GroupRecordRepr {
        record_type: RecordType::Unknown(9),
        group_addr: GROUP,
        sources: &[],
        aux_data: &[1, 2, 3, 4, 5],
    }];
    let b = V3ReportRepr { records: &records };
    assert_eq!(b.buffer_len(), 8 + 8 + 8);
    let mut buf = vec![0xa5; b.buffer_len()];
    b.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Both);
    let rec = parse(&buf)
        .unwrap()
        .group_records()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(rec.record_type, RecordType::Unknown(9));
    assert_eq!(rec.aux_data, &[1, 2, 3, 4, 5, 0, 0, 0]);
    // An empty report is valid.
    let b = V3ReportRepr { records: &[] };
    let mut buf = vec![0xa5; b.buffer_len()];
    b.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Both);
    assert_eq!(parse(&buf).unwrap(), Repr::V3Report { records: &[] });
}

#[test]
fn record_types() {
    for v in 0..=255u8 {
        assert_eq!(u8::from(RecordType::from(v)), v);
        assert_eq!(u8::from(Message::from(v)), v);
    }
    assert_eq!(RecordType::from(1), RecordType::ModeIsInclude);
    assert_eq!(RecordType::from(6), RecordType::BlockOldSources);
    assert_eq!(RecordType::from(0), RecordType::Unknown(0));
    assert_eq!(RecordType::from(7), RecordType::Unknown(7));
}

#[test]
fn float_encoding_table() {
    // RFC 3376 §4.1.1: below 128 the value itself.
    for (code, value) in [
        (0x00u8, 0u32),
        (0x01, 1),
        (0x7f, 127),
        (0x80, 128),   // exp 0, mant 0: 0x10 << 3
        (0x81, 136),   // step of 8 at exp 0
        (0x8f, 248),   // 0x1f << 3
        (0x90, 256),   // exp 1, mant 0: 0x10 << 4
        (0x9f, 496),   // 0x1f << 4
        (0xa0, 512),   // exp 2
        (0xef, 15872), // 0x1f << 9
        (0xf0, 16384), // 0x10 << 10
        (0xff, 31744), // 0x1f << 10, the maximum
    ] {
        assert_eq!(decode_time_code(code), value, "decode {code:#x}");
        assert_eq!(encode_time_code(value), code, "encode {value}");
    }
    assert_eq!(TIME_CODE_MAX, 31744);
    // Between representable values: round up, never shorter.
    assert_eq!(encode_time_code(129), 0x81);
    assert_eq!(encode_time_code(135), 0x81);
    assert_eq!(encode_time_code(249), 0x90);
    assert_eq!(encode_time_code(255), 0x90);
    assert_eq!(encode_time_code(257), 0x91);
    assert_eq!(encode_time_code(15873), 0xf0);
    assert_eq!(encode_time_code(16383), 0xf0);
    assert_eq!(encode_time_code(31743), 0xff);
    // Beyond the maximum: saturate.
    assert_eq!(encode_time_code(31745), 0xff);
    assert_eq!(encode_time_code(u32::MAX), 0xff);
}

#[test]
fn float_encoding_exhaustive() {
    // Every code decodes and re-encodes to itself.
    for c in 0..=255u8 {
        assert_eq!(encode_time_code(decode_time_code(c)), c);
    }
    // Decoded values grow strictly with the code.
    for c in 0..255u8 {
        assert!(decode_time_code(c) < decode_time_code(c + 1));
    }
    // Every value encodes to the smallest code not below it.
    let mut code = 0u8;
    for v in 0..=TIME_CODE_MAX {
        while decode_time_code(code) < v {
            code += 1;
        }
        assert_eq!(encode_time_code(v), code, "value {v}");
    }
}

#[test]
fn v3_query_rounds_times_up_on_emit() {
    let r = Repr::Query {
        version: Version::V3,
        max_resp_time: 250,
        group_addr: Ipv4Addr::UNSPECIFIED,
        s_flag: false,
        qrv: 9, // masked to 3 bits
        qqi: 130,
        sources: &[1, 2, 3, 4, 5], // a partial address is not written
    };
    assert_eq!(r.buffer_len(), 16);
    let buf = emit(&r);
    let p = Packet::new_checked(&buf[..]).unwrap();
    assert_eq!(p.max_resp_code(), 0x90);
    assert_eq!(p.max_resp_time(), 256);
    assert_eq!(p.qrv(), 1);
    assert_eq!(p.qqic(), 0x81);
    assert_eq!(p.num_sources(), 1);
    assert_eq!(
        p.source_iter().collect::<Vec<_>>(),
        [Ipv4Addr::new(1, 2, 3, 4)]
    );
    // v2 saturates at 255 tenths.
    let r = Repr::Query {
        version: Version::V2,
        max_resp_time: 1000,
        group_addr: Ipv4Addr::UNSPECIFIED,
        s_flag: false,
        qrv: 0,
        qqi: 0,
        sources: &[],
    };
    assert_eq!(emit(&r)[1], 255);
}

#[test]
fn truncation_at_every_length() {
    for v in all_vectors() {
        for n in 0..v.len() {
            let r = Packet::new_checked(&v[..n]).and_then(|p| Repr::parse(&p, Checksum::None));
            let want = match (v[0], n) {
                (_, 0..8) => Err(Error::Truncated),
                // A v3 query cut to 8 bytes reads as a v1/v2 query.
                (0x11, 8) => Ok(()),
                // RFC 3376 §7.1: a query of 9 to 11 bytes is ignored.
                (0x11, 9..12) => Err(Error::BadLength),
                // Sources or records cut short.
                _ => Err(Error::Truncated),
            };
            assert_eq!(r.map(|_| ()), want, "{v:02x?} at {n}");
        }
    }
    // A v3 query cut to 8 bytes reads as a v2 query (code 0x0a).
    let mut v = V3_SOURCE_QUERY[..8].to_vec();
    refill(&mut v);
    assert!(matches!(
        parse(&v),
        Ok(Repr::Query {
            version: Version::V2,
            ..
        })
    ));
}

#[test]
fn malformed_lengths() {
    // Number of Sources overruns the query.
    let mut v = V3_SOURCE_QUERY;
    v[11] = 3;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::Truncated));
    v[10] = 0xff;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::Truncated));
    // Fewer sources than bytes: the rest is ignored (RFC 3376 §4.1.10).
    let mut v = V3_SOURCE_QUERY;
    v[11] = 1;
    refill(&mut v);
    let r = parse(&v).unwrap();
    assert_eq!(r.query_sources().count(), 1);
    assert_eq!(emit(&r).len(), 16);

    // Number of Group Records overruns the report.
    let mut v = V3_REPORT;
    v[7] = 3;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::Truncated));
    // A record's Number of Sources overruns.
    let mut v = V3_REPORT;
    v[19] = 3;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::Truncated));
    let mut v = V3_REPORT;
    v[10] = 0xff; // first record: 0xff00 sources
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::Truncated));
    // A record's Aux Data Len overruns.
    let mut v = V3_REPORT;
    v[17] = 2;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::Truncated));
    // Fewer records than bytes: the rest is ignored (RFC 3376 §4.2.11).
    let mut v = V3_REPORT;
    v[7] = 1;
    refill(&mut v);
    let r = parse(&v).unwrap();
    assert_eq!(r, Repr::V3Report { records: &v[8..16] });
    assert_eq!(r.group_records().count(), 1);
    // Trailing bytes after v1/v2 messages are ignored (RFC 2236 §2.5).
    let mut v = V2_REPORT.to_vec();
    v.extend_from_slice(&[0, 0, 0, 0]);
    refill(&mut v);
    assert_eq!(
        parse(&v),
        Ok(Repr::Report {
            version: Version::V2,
            group_addr: GROUP
        })
    );
}

#[test]
fn record_iterator_stops_after_error() {
    // Raw records: one good, then a truncated header.
    let mut raw = V3_REPORT[8..16].to_vec();
    raw.extend_from_slice(&[5, 0, 0]);
    let mut it = GroupRecords::new(&raw);
    assert!(it.next().unwrap().is_ok());
    assert_eq!(it.next().unwrap(), Err(Error::Truncated));
    assert!(it.next().is_none());
    // A Repr built from such raw records emits the good one only.
    let r = Repr::V3Report { records: &raw };
    let out = emit(&r);
    assert_eq!(out.len(), 16);
    assert_eq!(
        Packet::new_checked(&out[..]).unwrap().num_group_records(),
        1
    );
    // A record whose sources overrun.
    let raw = [1u8, 0, 0, 1, 239, 0, 0, 1, 10, 0];
    let mut it = GroupRecords::new(&raw);
    assert_eq!(it.next().unwrap(), Err(Error::Truncated));
    assert!(it.next().is_none());
}

#[test]
fn malformed_fields() {
    // Bad checksum, accepted when the device checked it.
    let mut v = V2_REPORT;
    v[7] ^= 1;
    assert_eq!(parse(&v), Err(Error::BadChecksum));
    let p = Packet::new_checked(&v[..]).unwrap();
    assert!(Repr::parse(&p, Checksum::None).is_ok());
    assert!(Repr::parse(&p, Checksum::Tx).is_ok());
    // Unicast group in a query, report and leave.
    for base in [&V2_GROUP_QUERY, &V1_REPORT, &V2_REPORT, &LEAVE] {
        let mut v = *base;
        v[4] = 10;
        refill(&mut v);
        assert_eq!(parse(&v), Err(Error::BadField), "{v:02x?}");
    }
    // Unspecified group in a report.
    let mut v = V2_REPORT;
    v[4..8].fill(0);
    refill(&mut v);
    assert_eq!(parse(&v), Err(Error::BadField));
    // Unknown types.
    for ty in [0x00u8, 0x13, 0x1e, 0x1f, 0x21, 0x23, 0xff] {
        let mut v = V2_REPORT;
        v[0] = ty;
        refill(&mut v);
        assert_eq!(parse(&v), Err(Error::Unrecognized), "type {ty:#x}");
    }
}

#[test]
fn accessors_on_short_messages_do_not_panic() {
    let p = Packet::new_checked(&V2_REPORT[..]).unwrap();
    assert!(!p.s_flag());
    assert_eq!((p.qrv(), p.qqic(), p.num_sources()), (0, 0, 0));
    assert!(p.sources().is_empty());
    // Read as a query, whatever the type: 8 bytes with code 0 is "v1".
    assert_eq!(p.query_version(), Ok(Version::V1));
    assert_eq!(p.max_resp_time(), V1_MAX_RESP_TIME);
    let _ = p.group_records();
    let _ = p.group_record_iter().count();
}

#[test]
fn emit_into_larger_buffer_sums_only_the_message() {
    let r = parse(&V3_SOURCE_QUERY).unwrap();
    let mut buf = [0xffu8; 64];
    r.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Both);
    assert_eq!(&buf[..20], &V3_SOURCE_QUERY[..]);
    assert!(buf[20..].iter().all(|b| *b == 0xff));
    // Without checksum: left zero.
    let mut buf = [0xffu8; 20];
    r.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Rx);
    assert_eq!(&buf[2..4], &[0, 0]);
}

fn arb_record() -> impl Strategy<Value = (u8, u32, Vec<u32>, Vec<u8>)> {
    (
        any::<u8>(),
        any::<u32>(),
        proptest::collection::vec(any::<u32>(), 0..6),
        proptest::collection::vec(any::<u8>(), 0..3).prop_map(|w| {
            // Whole words of aux data.
            w.iter().flat_map(|b| [*b; 4]).collect::<Vec<u8>>()
        }),
    )
}

proptest! {
    #[test]
    fn query_round_trip(
        version in 0u8..3,
        code in any::<u8>(),
        v2_time in 1u16..=255,
        group in prop_oneof![Just(0u32), 0xe000_0000u32..=0xefff_ffff],
        s_flag in any::<bool>(),
        qrv in 0u8..8,
        qqic in any::<u8>(),
        sources in proptest::collection::vec(any::<u8>(), 0..10).prop_map(|v| v.repeat(4)),
    ) {
        let r = match version {
            0 => Repr::Query { version: Version::V1, max_resp_time: V1_MAX_RESP_TIME, group_addr: Ipv4Addr::from(group), s_flag: false, qrv: 0, qqi: 0, sources: &[] },
            1 => Repr::Query { version: Version::V2, max_resp_time: v2_time, group_addr: Ipv4Addr::from(group), s_flag: false, qrv: 0, qqi: 0, sources: &[] },
            _ => Repr::Query {
                version: Version::V3,
                max_resp_time: decode_time_code(code) as u16,
                group_addr: Ipv4Addr::from(group),
                s_flag,
                qrv,
                qqi: decode_time_code(qqic) as u16,
                sources: &sources,
            },
        };
        let buf = emit(&r);
        prop_assert_eq!(buf.len(), r.buffer_len());
        prop_assert_eq!(reference_checksum(&buf), 0);
        prop_assert_eq!(parse(&buf).unwrap(), r);
    }

    #[test]
    fn report_round_trip(kind in 0u8..3, group in 0xe000_0000u32..=0xefff_ffff) {
        let group_addr = Ipv4Addr::from(group);
        let r = match kind {
            0 => Repr::Report { version: Version::V1, group_addr },
            1 => Repr::Report { version: Version::V2, group_addr },
            _ => Repr::Leave { group_addr },
        };
        let buf = emit(&r);
        prop_assert_eq!(parse(&buf).unwrap(), r);
    }

    #[test]
    fn v3_report_round_trip(recs in proptest::collection::vec(arb_record(), 0..5)) {
        let sources: Vec<Vec<Ipv4Addr>> = recs.iter().map(|r| r.2.iter().map(|a| Ipv4Addr::from(*a)).collect()).collect();
        let reprs: Vec<GroupRecordRepr<'_>> = recs.iter().zip(&sources).map(|(r, s)| GroupRecordRepr {
            record_type: RecordType::from(r.0),
            group_addr: Ipv4Addr::from(r.1),
            sources: s,
            aux_data: &r.3,
        }).collect();
        let b = V3ReportRepr { records: &reprs };
        let mut buf = vec![0xa5; b.buffer_len()];
        b.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Both);
        prop_assert_eq!(reference_checksum(&buf), 0);
        let r = parse(&buf).unwrap();
        let parsed: Vec<GroupRecord<'_>> = r.group_records().map(|r| r.unwrap()).collect();
        prop_assert_eq!(parsed.len(), reprs.len());
        for (p, e) in parsed.iter().zip(&reprs) {
            prop_assert_eq!(p.record_type, e.record_type);
            prop_assert_eq!(p.group_addr, e.group_addr);
            prop_assert_eq!(p.source_iter().collect::<Vec<_>>(), e.sources);
            prop_assert_eq!(p.aux_data, e.aux_data);
        }
        // And the raw Repr re-emits byte for byte.
        prop_assert_eq!(emit(&r), buf);
    }

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..96)) {
        if let Ok(p) = Packet::new_checked(&data[..]) {
            let _ = (p.msg_type(), p.max_resp_code(), p.checksum(), p.group_addr());
            let _ = (p.query_version(), p.max_resp_time(), p.s_flag(), p.qrv(), p.qqic());
            let _ = (p.num_sources(), p.num_group_records(), p.verify_checksum());
            let _ = p.source_iter().count();
            for rec in p.group_record_iter().flatten() {
                let _ = (rec.num_sources(), rec.source_iter().count(), rec.buffer_len());
            }
            for c in [Checksum::Both, Checksum::None] {
                if let Ok(r) = Repr::parse(&p, c) {
                    let _ = r.query_sources().count();
                    let _ = r.group_records().count();
                    let out = emit(&r);
                    prop_assert_eq!(parse(&out).unwrap(), r);
                }
            }
        }
        // Raw record lists of any shape.
        for r in GroupRecords::new(&data) {
            let _ = r.map(|r| r.source_iter().count());
        }
    }

    #[test]
    fn typed_random_messages_never_panic(ty in prop_oneof![Just(0x11u8), Just(0x22), Just(0x16), any::<u8>()], rest in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut v = vec![ty];
        v.extend_from_slice(&rest);
        if v.len() >= 4 {
            refill(&mut v);
        }
        if let Ok(r) = parse(&v) {
            let out = emit(&r);
            prop_assert_eq!(parse(&out).unwrap(), r);
        }
    }
}
