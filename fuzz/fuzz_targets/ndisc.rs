#![no_main]
//! Neighbor Discovery: message parsing through the ICMPv6 view, the option
//! iterator over raw bytes, option and message re-emission.
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::icmpv6::Packet;
use ferrotcp::wire::ndisc::{NdiscOption, NdiscOptionIter, NdiscOptions, Repr};
use std::net::Ipv6Addr;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The bytes as a run of options.
    for o in NdiscOptionIter::new(data).flatten() {
        let _ = o.kind();
        if let NdiscOption::Rdnss(r) = o {
            let _ = r.addresses.iter().count();
        }
        let mut out = vec![0u8; o.buffer_len()];
        assert_eq!(o.emit(&mut out), out.len());
        assert_eq!(NdiscOption::parse(&out).map(|(q, _)| q), Ok(o));
    }
    let opts = NdiscOptions::new_unchecked(data);
    let _ = (opts.source_lladdr(), opts.target_lladdr(), opts.mtu());
    let _ = (opts.nonce(), opts.redirected_hdr());
    let _ = opts.prefix_infos().count();
    for r in opts.rdnss() {
        let _ = r.addresses.iter().count();
    }

    // The bytes as an ND message.
    let src: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    let dst: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    let Ok(p) = Packet::new_checked(data) else {
        return;
    };
    let _ = (p.cur_hop_limit(), p.router_flags(), p.router_lifetime());
    let _ = (p.reachable_time(), p.retrans_time(), p.neighbor_flags());
    let _ = (p.target_addr(), p.dest_addr(), p.ndisc_options().len());
    if let Ok(r) = Repr::parse(&p) {
        if let Repr::RouterAdvert { options, .. } = r {
            assert!(options.iter().all(|o| o.is_ok()));
        }
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut Packet::new_unchecked(&mut out[..]), &src, &dst, Checksum::Both);
        let q = Packet::new_checked(&out[..]).expect("emitted message checks");
        assert!(q.verify_checksum(&src, &dst));
        assert_eq!(Repr::parse(&q), Ok(r));
    }
});
