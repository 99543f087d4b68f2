#![no_main]
//! DHCPv4: the view, the raw and typed overload-aware option iterators
//! (with every option's helpers), RFC 3396 concatenation, `Repr::parse`,
//! and re-emission of what was parsed.
use ferrotcp::wire::dhcpv4::{DhcpOption, Packet, Repr, kind};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(p) = Packet::new_checked(data) else {
        return;
    };
    let _ = (p.opcode(), p.hardware_type(), p.hardware_len(), p.hops());
    let _ = (p.transaction_id(), p.secs(), p.flags(), p.broadcast_flag());
    let _ = (
        p.client_ip(),
        p.your_ip(),
        p.server_ip(),
        p.relay_agent_ip(),
    );
    let _ = (p.client_hardware_address(), p.client_hardware_field());
    let _ = (
        p.server_name(),
        p.boot_file(),
        p.magic_number(),
        p.options_field(),
    );

    let mut raw = p.raw_options();
    let mut errors = 0;
    for o in raw.by_ref() {
        errors += usize::from(o.is_err());
    }
    assert!(errors <= 1, "the raw iterator ends after an error");
    let _ = raw.overload();

    let mut errors = 0;
    // The typed iterator types the raw one item by item.
    for (raw, o) in p.raw_options().zip(p.options()) {
        let o = match o {
            Ok(o) => o,
            Err(_) => {
                errors += 1;
                continue;
            }
        };
        match o {
            DhcpOption::Router(l) | DhcpOption::DomainNameServer(l) => {
                assert_eq!(l.iter().count(), l.len());
            }
            DhcpOption::ClientIdentifier(c) => {
                let _ = (c.id_type(), c.identifier(), c.iaid(), c.duid());
            }
            DhcpOption::ClasslessStaticRoute(r) => {
                // The iterator covers exactly the validated bytes.
                let n: usize = r
                    .iter()
                    .map(|(c, _)| 1 + usize::from(c.prefix_len()).div_ceil(8) + 4)
                    .sum();
                assert_eq!(n, r.as_bytes().len());
            }
            _ => {}
        }
        // Every typed option re-emits to the bytes it came from.
        let raw = raw.expect("typed Ok implies raw Ok");
        let mut buf = [0u8; 257];
        let n = o.emit(&mut buf).expect("parsed option emits");
        assert_eq!(n, o.buffer_len());
        assert_eq!(&buf[..2], &[raw.kind, raw.data.len() as u8]);
        assert_eq!(&buf[2..n], raw.data);
    }
    assert!(errors <= 1, "the typed iterator ends after an error");

    let mut buf = [0u8; 1024];
    for code in [kind::CLIENT_IDENTIFIER, kind::CLASSLESS_STATIC_ROUTE] {
        let _ = p.concat_option(code, &mut buf);
    }

    if let Ok(r) = Repr::parse(&p) {
        let _ = r.classless_routes().map(|c| c.iter().count());
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut Packet::new_unchecked(&mut out[..]))
            .expect("a parsed Repr emits");
        let q = Packet::new_checked(&out[..]).expect("emitted message checks");
        assert_eq!(Repr::parse(&q).expect("emitted message parses"), r);
    }
});
