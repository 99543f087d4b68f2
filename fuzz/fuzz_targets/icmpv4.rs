#![no_main]
//! ICMPv4: the view, every accessor, `Repr::parse` with and without
//! checksum verification, and re-emission of whatever parsed.
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::icmpv4::{Packet, Repr, invoking_len_for_error};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = invoking_len_for_error(data.len(), usize::from(data.first().copied().unwrap_or(0)));
    if let Ok(p) = Packet::new_checked(data) {
        let ty = p.msg_type();
        let _ = (ty.is_error(), ty.is_obsolete(), ty.is_query());
        let _ = (p.msg_code(), p.checksum(), p.rest_of_header());
        let _ = (
            p.echo_ident(),
            p.echo_seq_no(),
            p.next_hop_mtu(),
            p.pointer(),
            p.gateway(),
        );
        let _ = (
            p.originate_timestamp(),
            p.receive_timestamp(),
            p.transmit_timestamp(),
        );
        let _ = (p.data(), p.verify_checksum());
        for checksum in [Checksum::Both, Checksum::None] {
            if let Ok(r) = Repr::parse(&p, checksum) {
                let _ = (r.msg_type(), r.data());
                let mut out = vec![0u8; r.buffer_len()];
                r.emit(&mut Packet::new_unchecked(&mut out[..]), Checksum::Both);
                let q = Packet::new_checked(&out[..]).expect("emitted message checks");
                assert!(q.verify_checksum());
                assert_eq!(Repr::parse(&q, Checksum::Both), Ok(r));
            }
        }
    }
});
