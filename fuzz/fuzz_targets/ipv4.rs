#![no_main]
//! IPv4: the header view, every accessor, the options iterator to its end,
//! the copied-options filter, `Repr::parse` and emit → parse.
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::ipv4::{MAX_OPTIONS_LEN, OptionsIter, Packet, Repr, copied_options};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = Repr::parse(&Packet::new_unchecked(data), Checksum::Both);
    // The options iterator alone, on arbitrary bytes.
    for o in OptionsIter::new(data) {
        if let Ok(o) = o {
            let _ = o.option_type();
            let mut out = vec![0u8; o.buffer_len()];
            assert_eq!(o.emit(&mut out), out.len());
        }
    }
    let mut copied = [0u8; MAX_OPTIONS_LEN];
    let _ = copied_options(data, &mut copied);

    if let Ok(p) = Packet::new_checked(data) {
        let _ = (p.version(), p.header_len(), p.dscp(), p.ecn(), p.total_len(), p.ident());
        let _ = (p.reserved_flag(), p.dont_frag(), p.more_frags(), p.frag_offset());
        let _ = (p.is_fragment(), p.ttl(), p.protocol(), p.checksum());
        let _ = (p.src_addr(), p.dst_addr(), p.options(), p.payload(), p.verify_checksum());
        for o in p.options_iter() {
            let _ = o;
        }
        for checksum in [Checksum::Both, Checksum::None] {
            if let Ok(r) = Repr::parse(&p, checksum) {
                let _ = (r.is_atomic(), r.max_fragment_payload(576));
                for o in r.options_iter() {
                    assert!(o.is_ok(), "parse walked the options already");
                }
                let payload = p.payload();
                let mut out = vec![0u8; r.buffer_len() + payload.len()];
                r.emit(&mut Packet::new_unchecked(&mut out[..]), Checksum::Both);
                out[r.buffer_len()..].copy_from_slice(payload);
                let q = Packet::new_checked(&out[..]).expect("emitted header checks");
                assert!(q.verify_checksum());
                assert_eq!(Repr::parse(&q, Checksum::Both), Ok(r));
                assert_eq!(q.payload(), payload);
            }
        }
    }
});
