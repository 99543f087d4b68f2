#![no_main]
//! ICMPv6: the view (every accessor, including the ND and MLD ones, on any
//! message type), checksum verification, `Repr::parse` and re-emission.
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::icmpv6::{Packet, Repr};
use ferrotcp::wire::{mld, ndisc};
use std::net::Ipv6Addr;

fn touch_all(p: &Packet<&[u8]>) {
    let _ = (p.msg_type(), p.msg_code(), p.checksum(), p.unused());
    let _ = (p.echo_ident(), p.echo_seq_no(), p.pkt_too_big_mtu());
    let _ = (p.param_problem_ptr(), p.payload().len());
    let _ = (p.msg_type().is_error(), p.msg_type().is_ndisc(), p.msg_type().is_mld());
    let _ = (p.cur_hop_limit(), p.router_flags(), p.router_lifetime());
    let _ = (p.reachable_time(), p.retrans_time(), p.neighbor_flags());
    let _ = (p.target_addr(), p.dest_addr());
    for o in ndisc::NdiscOptionIter::new(p.ndisc_options()).flatten() {
        let _ = o.kind();
    }
    let _ = (p.max_resp_code(), p.mcast_addr(), p.query_s_flag());
    let _ = (p.query_qrv(), p.query_qqic(), p.query_num_srcs());
    let _ = p.query_sources().iter().count();
    for r in mld::AddressRecordIter::new(p.nr_mcast_records(), p.report_records()).flatten() {
        let _ = (r.sources.iter().count(), r.aux_data.len());
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let src: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    let dst: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    // Unchecked views must not panic through the accessors either.
    touch_all(&Packet::new_unchecked(data));
    let Ok(p) = Packet::new_checked(data) else {
        return;
    };
    touch_all(&p);
    let _ = p.verify_checksum(&src, &dst);
    let _ = Repr::parse(&p, &src, &dst, Checksum::Both);
    if let Ok(r) = Repr::parse(&p, &src, &dst, Checksum::None) {
        let _ = r.msg_type();
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut Packet::new_unchecked(&mut out[..]), &src, &dst, Checksum::Both);
        let q = Packet::new_checked(&out[..]).expect("emitted message checks");
        assert_eq!(Repr::parse(&q, &src, &dst, Checksum::Both), Ok(r));
    }
});
