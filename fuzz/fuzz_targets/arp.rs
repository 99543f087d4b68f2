#![no_main]
//! ARP: the generic view (any HLEN/PLEN), every address accessor,
//! `Repr::parse` and emit → parse.
use ferrotcp::wire::arp::{Packet, Repr};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = Repr::parse(&Packet::new_unchecked(data));
    if let Ok(p) = Packet::new_checked(data) {
        let _ = (p.hardware_type(), p.protocol_type(), p.hardware_len(), p.protocol_len());
        let _ = (p.operation(), p.packet_len());
        let _ = (p.source_hardware_addr(), p.source_protocol_addr());
        let _ = (p.target_hardware_addr(), p.target_protocol_addr());
        if let Ok(r) = Repr::parse(&p) {
            let mut out = vec![0u8; r.buffer_len()];
            r.emit(&mut Packet::new_unchecked(&mut out[..]));
            assert_eq!(&out[..], &data[..r.buffer_len()]);
            let q = Packet::new_checked(&out[..]).expect("emitted packet checks");
            assert_eq!(Repr::parse(&q), Ok(r));
        }
    }
});
