#![no_main]
//! TCP: the view, every accessor, the option iterator, checksum
//! verification for both families, `Repr::parse`, and emit -> parse round
//! trips of whatever parsed (one-piece and two-piece payload emits).
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::tcp::{Packet, Repr, TcpOption, TcpOptionIter};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn touch_options(iter: TcpOptionIter<'_>) {
    for o in iter.flatten() {
        let _ = o.is_well_formed();
        // Parsed options are never longer than 255 octets.
        let mut out = vec![0u8; o.buffer_len()];
        assert!(o.emit(&mut out).is_empty());
        // A parsed option re-parses to itself.
        let (again, _) = TcpOption::parse(&out).expect("re-emitted option parses");
        assert_eq!(again, o);
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let v4 = (
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
    );
    let v6 = (
        IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1)),
        IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2)),
    );
    // The iterator alone, over arbitrary bytes (no 40-octet limit).
    touch_options(TcpOptionIter::new(data));

    let Ok(p) = Packet::new_checked(data) else {
        return;
    };
    let _ = (
        p.src_port(),
        p.dst_port(),
        p.seq_number(),
        p.ack_number(),
        p.data_offset(),
        p.header_len(),
        p.flags(),
        p.fin() | p.syn() | p.rst() | p.psh() | p.ack() | p.urg() | p.ece() | p.cwr() | p.ae(),
        p.window_len(),
        p.checksum(),
        p.urgent_at(),
        p.options(),
        p.payload(),
        p.segment_len(),
    );
    touch_options(p.option_iter());
    for (s, d) in [v4, v6] {
        let _ = p.verify_checksum(&s, &d);
        // Checksum::None lets random input reach the option and flag code.
        for cs in [Checksum::Both, Checksum::None] {
            if let Ok(r) = Repr::parse(&p, &s, &d, cs) {
                assert_eq!(r.segment_len(), p.segment_len());
                let mut out = vec![0u8; r.buffer_len()];
                let mut q = Packet::new_unchecked(&mut out[..]);
                r.emit(&mut q, &s, &d, Checksum::Both);
                let q = Packet::new_checked(&out[..]).expect("emitted segment checks");
                assert!(q.verify_checksum(&s, &d));
                assert_eq!(Repr::parse(&q, &s, &d, Checksum::Both), Ok(r));
                // The payload in two pieces (a ring's wrap), cut where the
                // input's first byte says: the same segment byte for byte.
                let cut = usize::from(data[0]) % (r.payload.len() + 1);
                let (a, b) = r.payload.split_at(cut);
                let head = Repr { payload: a, ..r };
                let mut two = vec![0u8; r.buffer_len()];
                head.emit_two(&mut Packet::new_unchecked(&mut two[..]), &s, &d, b, Checksum::Both);
                assert_eq!(two, out);
            }
        }
    }
});
