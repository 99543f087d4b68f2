#![no_main]
//! IPv6: the fixed header, `Repr::parse` and re-emit, then the walk of the
//! extension-header chain in the payload, with every header found parsed by
//! its own view and re-emitted.
use ferrotcp::wire::ip::IpProtocol;
use ferrotcp::wire::ipv6::{Packet, Repr};
use ferrotcp::wire::ipv6ext::{
    ChainItem, ExtHeader, HeaderChain, fragment, hopopts, routing, upper_layer,
};

fn check_ext(h: &ExtHeader<'_>) {
    match h.kind {
        IpProtocol::HopByHop | IpProtocol::Ipv6Opts => {
            let v = hopopts::Header::new_checked(h.bytes).expect("walker framed it");
            assert_eq!(v.header_len(), h.len());
            assert_eq!(v.next_header(), h.next_header);
            for item in v.options_iter() {
                if let Ok((offset, option)) = item {
                    assert!(offset + option.buffer_len() <= h.len());
                    let _ = (
                        option.option_type().action(),
                        option.option_type().may_change(),
                    );
                }
            }
            if let Ok(r) = hopopts::Repr::parse(&v) {
                let mut out = vec![0u8; r.buffer_len()];
                r.emit(&mut hopopts::Header::new_unchecked(&mut out[..]));
                let q = hopopts::Header::new_checked(&out[..]).expect("emitted header checks");
                assert_eq!(hopopts::Repr::parse(&q), Ok(r));
            }
        }
        IpProtocol::Ipv6Route => {
            let v = routing::Header::new_checked(h.bytes).expect("walker framed it");
            assert_eq!(v.header_len(), h.len());
            let _ = (v.routing_type(), v.segments_left(), v.reserved(), v.data());
            let _ = v.addresses().iter().count();
            let r = routing::Repr::parse(&v).expect("routing parse fails only on framing");
            let mut out = vec![0u8; r.buffer_len()];
            r.emit(&mut routing::Header::new_unchecked(&mut out[..]));
            let q = routing::Header::new_checked(&out[..]).expect("emitted header checks");
            assert_eq!(routing::Repr::parse(&q), Ok(r));
        }
        IpProtocol::Ipv6Frag => {
            let v = fragment::Header::new_checked(h.bytes).expect("walker framed it");
            let _ = (v.reserved(), v.res(), v.ident(), v.is_atomic());
            let r = fragment::Repr::parse(&v).expect("fragment parse fails only on framing");
            let mut out = vec![0u8; r.buffer_len()];
            r.emit(&mut fragment::Header::new_unchecked(&mut out[..]));
            let q = fragment::Header::new_checked(&out[..]).expect("emitted header checks");
            assert_eq!(fragment::Repr::parse(&q), Ok(r));
        }
        _ => {}
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(p) = Packet::new_checked(data) else {
        return;
    };
    let _ = (
        p.version(),
        p.traffic_class(),
        p.dscp(),
        p.ecn(),
        p.flow_label(),
    );
    let _ = (
        p.payload_len(),
        p.hop_limit(),
        p.src_addr(),
        p.dst_addr(),
        p.total_len(),
    );
    if let Ok(r) = Repr::parse(&p) {
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut Packet::new_unchecked(&mut out[..]));
        let q = Packet::new_checked(&out[..]).expect("emitted packet checks");
        assert_eq!(Repr::parse(&q), Ok(r));
    }
    let payload = p.payload();
    let mut end = None;
    for item in HeaderChain::new(p.next_header(), payload) {
        match item {
            Ok(ChainItem::Header(h)) => check_ext(&h),
            Ok(ChainItem::UpperLayer {
                protocol, offset, ..
            }) => {
                assert!(offset <= payload.len());
                end = Some((protocol, offset));
            }
            Ok(ChainItem::NonFirstFragment { offset, .. }) => {
                assert!(offset <= payload.len());
                end = Some((IpProtocol::Ipv6Frag, offset - fragment::HEADER_LEN));
            }
            Err(e) => assert!(e.offset <= payload.len()),
        }
    }
    assert_eq!(upper_layer(p.next_header(), payload).ok(), end);
});
