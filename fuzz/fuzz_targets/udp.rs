#![no_main]
//! UDP: the view, checksum verification for both families, `Repr::parse`,
//! and the closure and fused (`emit_slice`) emits agreeing byte for byte.
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::udp::{Packet, Repr};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let v4 = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)));
    let v6 = (IpAddr::V6(Ipv6Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST));
    if let Ok(p) = Packet::new_checked(data) {
        let _ = (p.src_port(), p.dst_port(), p.len(), p.payload());
        for (s, d) in [v4, v6] {
            for zero in [false, true] {
                if let Ok(r) = Repr::parse(&p, &s, &d, Checksum::Both, zero) {
                    // Re-emit what was parsed: it must verify.
                    let payload = p.payload();
                    let mut out = vec![0u8; r.buffer_len(payload.len())];
                    let mut q = Packet::new_unchecked(&mut out[..]);
                    r.emit(&mut q, &s, &d, payload.len(), |b| b.copy_from_slice(payload), Checksum::Both);
                    let q = Packet::new_checked(&out[..]).expect("emitted datagram checks");
                    assert!(q.verify_checksum(&s, &d, false));
                    // The fused copy-and-checksum emit gives the same bytes.
                    let mut fused = vec![0u8; out.len()];
                    r.emit_slice(&mut Packet::new_unchecked(&mut fused[..]), &s, &d, payload, Checksum::Both);
                    assert_eq!(fused, out);
                }
            }
        }
    }
});
