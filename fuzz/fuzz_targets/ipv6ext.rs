#![no_main]
//! IPv6 extension headers on raw input: the TLV options iterator, each
//! header view (Hop-by-Hop/Destination Options, Routing, Fragment) with
//! `Repr::parse` and re-emit, and the chain walker with the first byte as
//! the first Next Header.
use ferrotcp::wire::ip::IpProtocol;
use ferrotcp::wire::ipv6ext::{
    ChainItem, HeaderChain, OptionsIter, fragment, hopopts, options, routing,
};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The options iterator over the whole input.
    let mut parsed = Vec::new();
    for item in OptionsIter::new(data) {
        match item {
            Ok((offset, option)) => {
                assert!(offset + option.buffer_len() <= data.len());
                let _ = (
                    option.option_type().action(),
                    option.option_type().may_change(),
                    option.alignment(),
                );
                parsed.push(option);
            }
            Err(_) => break,
        }
    }
    // Whatever parsed re-emits into options that parse back.
    let mut out = vec![0u8; options::options_len(&parsed)];
    assert_eq!(options::emit_options(&parsed, &mut out), out.len());
    let back: Vec<_> = OptionsIter::new(&out)
        .map(|r| r.expect("emitted options parse"))
        .map(|(_, o)| o)
        .filter(|o| !o.is_padding())
        .collect();
    let wanted: Vec<_> = parsed.iter().copied().filter(|o| !o.is_padding()).collect();
    assert_eq!(back, wanted);

    if let Ok(h) = hopopts::Header::new_checked(data) {
        let _ = (
            h.next_header(),
            h.hdr_ext_len(),
            h.header_len(),
            h.options(),
        );
        for item in h.options_iter() {
            let _ = item;
        }
        if let Ok(r) = hopopts::Repr::parse(&h) {
            let mut out = vec![0u8; r.buffer_len()];
            r.emit(&mut hopopts::Header::new_unchecked(&mut out[..]));
            assert_eq!(&out[..], &data[..h.header_len()]);
        }
    }

    if let Ok(h) = routing::Header::new_checked(data) {
        let _ = (
            h.next_header(),
            h.routing_type(),
            h.segments_left(),
            h.reserved(),
            h.data(),
        );
        let _ = h.addresses().iter().count();
        let r = routing::Repr::parse(&h).expect("routing parse fails only on framing");
        let _ = (r.next_header(), r.segments_left(), r.routing_type());
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut routing::Header::new_unchecked(&mut out[..]));
        let q = routing::Header::new_checked(&out[..]).expect("emitted header checks");
        assert_eq!(routing::Repr::parse(&q), Ok(r));
    }

    if let Ok(h) = fragment::Header::new_checked(data) {
        let _ = (
            h.next_header(),
            h.reserved(),
            h.frag_offset(),
            h.res(),
            h.more_frags(),
            h.ident(),
            h.payload(),
        );
        let r = fragment::Repr::parse(&h).expect("fragment parse fails only on framing");
        assert_eq!(r.is_atomic(), h.is_atomic());
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut fragment::Header::new_unchecked(&mut out[..]));
        let q = fragment::Header::new_checked(&out[..]).expect("emitted header checks");
        assert_eq!(fragment::Repr::parse(&q), Ok(r));
    }

    if let Some((&first, rest)) = data.split_first() {
        let mut last_end = 0;
        for item in HeaderChain::new(IpProtocol::from(first), rest) {
            match item {
                Ok(ChainItem::Header(h)) => {
                    assert_eq!(h.offset, last_end);
                    last_end = h.offset + h.len();
                    assert!(last_end <= rest.len());
                }
                Ok(ChainItem::UpperLayer { offset, .. })
                | Ok(ChainItem::NonFirstFragment { offset, .. }) => {
                    assert_eq!(offset, last_end)
                }
                Err(e) => assert!(e.offset <= rest.len()),
            }
        }
    }
});
