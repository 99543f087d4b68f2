#![no_main]
//! IGMP v1/v2/v3: the view, every accessor, the source and group-record
//! iterators to their end, `Repr::parse`, and re-emission of whatever
//! parsed, both from the raw Repr and rebuilt from typed records.
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::igmp::{
    GroupRecordRepr, GroupRecords, Packet, Repr, V3ReportRepr, decode_time_code, encode_time_code,
};
use std::net::Ipv4Addr;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(&b) = data.first() {
        assert_eq!(encode_time_code(decode_time_code(b)), b);
        assert!(
            decode_time_code(encode_time_code(u32::from(b) * 131))
                >= (u32::from(b) * 131).min(31744)
        );
    }
    // Any bytes as a raw record list.
    for r in GroupRecords::new(data) {
        if let Ok(r) = r {
            let _ = (
                r.record_type,
                r.group_addr,
                r.aux_data,
                r.num_sources(),
                r.buffer_len(),
            );
            let _ = r.source_iter().count();
        }
    }
    let Ok(p) = Packet::new_checked(data) else {
        return;
    };
    let _ = (
        p.msg_type(),
        p.max_resp_code(),
        p.checksum(),
        p.group_addr(),
    );
    let _ = (
        p.query_version(),
        p.max_resp_time(),
        p.s_flag(),
        p.qrv(),
        p.qqic(),
    );
    let _ = (p.num_sources(), p.num_group_records(), p.verify_checksum());
    let _ = p.source_iter().count();
    let _ = p.group_records();
    for r in p.group_record_iter() {
        if let Ok(r) = r {
            let _ = r.source_iter().count();
        }
    }
    for checksum in [Checksum::Both, Checksum::None] {
        let Ok(r) = Repr::parse(&p, checksum) else {
            continue;
        };
        let _ = r.query_sources().count();
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut Packet::new_unchecked(&mut out[..]), Checksum::Both);
        let q = Packet::new_checked(&out[..]).expect("emitted message checks");
        assert!(q.verify_checksum());
        assert_eq!(Repr::parse(&q, Checksum::Both), Ok(r));

        // Rebuild a v3 report from typed records: it must equal the raw
        // re-emission byte for byte.
        if let Repr::V3Report { .. } = r {
            let records: Vec<_> = r.group_records().map(|g| g.expect("validated")).collect();
            let sources: Vec<Vec<Ipv4Addr>> =
                records.iter().map(|g| g.source_iter().collect()).collect();
            let reprs: Vec<GroupRecordRepr<'_>> = records
                .iter()
                .zip(&sources)
                .map(|(g, s)| GroupRecordRepr {
                    record_type: g.record_type,
                    group_addr: g.group_addr,
                    sources: s,
                    aux_data: g.aux_data,
                })
                .collect();
            let b = V3ReportRepr { records: &reprs };
            let mut built = vec![0u8; b.buffer_len()];
            b.emit(&mut Packet::new_unchecked(&mut built[..]), Checksum::Both);
            assert_eq!(built, out);
        }
    }
});
