#![no_main]
//! Ethernet: the frame view, both framings through `network_payload`,
//! `Repr::parse`, and re-emission in the framing that was received.
use ferrotcp::wire::ethernet::{Frame, Repr};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Must not panic even on an unchecked view.
    let _ = Frame::new_unchecked(data).network_payload();
    if let Ok(f) = Frame::new_checked(data) {
        let _ = (f.dst_addr(), f.src_addr(), f.type_len(), f.is_ieee802_3(), f.ethertype());
        let _ = f.payload();
        let np = f.network_payload();
        if let Ok(r) = Repr::parse(&f) {
            let (ethertype, payload) = np.expect("parse succeeded, so the payload is there");
            assert_eq!(ethertype, r.ethertype);
            // Re-emit in the same framing and check it parses back equal.
            let hl = if f.is_ieee802_3() { r.snap_buffer_len() } else { r.buffer_len() };
            let mut out = vec![0u8; hl + payload.len()];
            let mut g = Frame::new_unchecked(&mut out[..]);
            if f.is_ieee802_3() {
                r.emit_snap(&mut g, payload.len());
            } else {
                r.emit(&mut g);
            }
            out[hl..].copy_from_slice(payload);
            let g = Frame::new_checked(&out[..]).expect("emitted frame checks");
            assert_eq!(Repr::parse(&g), Ok(r));
            assert_eq!(g.network_payload(), Ok((ethertype, payload)));
        }
    }
});
