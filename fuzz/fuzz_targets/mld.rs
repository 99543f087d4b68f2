#![no_main]
//! MLDv1/v2: message parsing through the ICMPv6 view, the record iterator
//! over raw bytes, the float encodings, and re-emission.
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::icmpv6::Packet;
use ferrotcp::wire::mld::{
    AddressRecordIter, AddressRecords, Repr, decode_max_resp_code, decode_qqic,
    encode_max_resp_code, encode_qqic,
};
use std::net::Ipv6Addr;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The bytes as a record list with a count taken from the first two.
    if let [a, b, rest @ ..] = data {
        let count = u16::from_be_bytes([*a, *b]);
        for r in AddressRecordIter::new(count, rest).flatten() {
            let _ = (r.record_type, r.mcast_addr, r.aux_data.len());
            let _ = r.sources.iter().count();
        }
        let _ = AddressRecords::new_checked(count, rest);
        // Float encodings: decode(encode(decode(c))) is stable.
        let d = decode_max_resp_code(count);
        assert_eq!(decode_max_resp_code(encode_max_resp_code(d)), d);
        let q = decode_qqic(*a);
        assert_eq!(encode_qqic(q), *a);
    }

    // The bytes as an MLD message.
    let src: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    let dst: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);
    let Ok(p) = Packet::new_checked(data) else {
        return;
    };
    let _ = (p.max_resp_code(), p.mcast_addr(), p.query_s_flag());
    let _ = (p.query_qrv(), p.query_qqic(), p.query_num_srcs());
    let _ = p.query_sources().iter().count();
    let _ = (p.nr_mcast_records(), p.report_records().len());
    if let Ok(r) = Repr::parse(&p) {
        let _ = r.max_resp_delay_ms();
        if let Repr::ReportV2 { records } = r {
            for rec in records {
                let rec = rec.expect("parsed records are valid");
                let _ = rec.sources.iter().count();
            }
        }
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut Packet::new_unchecked(&mut out[..]), &src, &dst, Checksum::Both);
        let q = Packet::new_checked(&out[..]).expect("emitted message checks");
        assert!(q.verify_checksum(&src, &dst));
        assert_eq!(Repr::parse(&q), Ok(r));
    }
});
