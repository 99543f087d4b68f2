use super::*;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

// Built by hand from RFC 791 §3.1: version 4, IHL 5, TOS 0, total length
// 28, identification 0x1c46, flags DF, offset 0, TTL 64, protocol 17 (UDP),
// 192.0.2.1 -> 198.51.100.2, then 8 payload bytes. The checksum 0x3254 was
// computed with a python one-liner summing the 16-bit words and
// complementing (RFC 1071).
static SIMPLE: [u8; 28] = [
    0x45, 0x00, 0x00, 0x1c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x11, 0x32, 0x54, 0xc0, 0x00, 0x02, 0x01,
    0xc6, 0x33, 0x64, 0x02, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
];

// Built by hand: IHL 6 with a Router Alert option (RFC 2113 §2.1:
// 0x94 0x04 0x00 0x00), DSCP 46 (EF) and ECN ECT(0) -> TOS 0xba, total
// length 28, identification 1, no flags, TTL 1, protocol 2 (IGMP),
// 192.0.2.1 -> 224.0.0.22, 4 payload bytes; checksum 0x8209 computed as
// above.
static ROUTER_ALERT: [u8; 28] = [
    0x46, 0xba, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x02, 0x82, 0x09, 0xc0, 0x00, 0x02, 0x01,
    0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0xfa, 0x04,
];

// Built by hand: a middle fragment. IHL 5, total length 36 (16 data bytes),
// identification 0xabcd, MF set, offset field 185 (1480 bytes) ->
// 0x20b9, TTL 255, protocol 6 (TCP), 10.0.0.1 -> 10.0.0.2; checksum 0xdb4a
// computed as above; the data bytes are 0..16.
static FRAGMENT: [u8; 36] = [
    0x45, 0x00, 0x00, 0x24, 0xab, 0xcd, 0x20, 0xb9, 0xff, 0x06, 0xdb, 0x4a, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
];

fn simple_repr() -> Repr<'static> {
    Repr {
        src_addr: SRC,
        dst_addr: DST,
        protocol: IpProtocol::Udp,
        payload_len: 8,
        ttl: 64,
        dscp: 0,
        ecn: IpEcn::NotEct,
        ident: 0x1c46,
        dont_frag: true,
        more_frags: false,
        frag_offset: 0,
        options: &[],
    }
}

fn router_alert_repr() -> Repr<'static> {
    Repr {
        src_addr: SRC,
        dst_addr: Ipv4Addr::new(224, 0, 0, 22),
        protocol: IpProtocol::Igmp,
        payload_len: 4,
        ttl: 1,
        dscp: 46,
        ecn: IpEcn::Ect0,
        ident: 1,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
        options: &[0x94, 0x04, 0x00, 0x00],
    }
}

/// Emit `repr` with `payload` and return the bytes.
fn build(repr: &Repr, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; repr.buffer_len() + payload.len()];
    repr.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Both);
    buf[repr.buffer_len()..].copy_from_slice(payload);
    buf
}

#[test]
fn parse_simple() {
    let p = Packet::new_checked(&SIMPLE[..]).unwrap();
    assert_eq!(p.version(), 4);
    assert_eq!(p.header_len(), 20);
    assert_eq!(p.dscp(), 0);
    assert_eq!(p.ecn(), IpEcn::NotEct);
    assert_eq!(p.total_len(), 28);
    assert_eq!(p.ident(), 0x1c46);
    assert!(!p.reserved_flag());
    assert!(p.dont_frag());
    assert!(!p.more_frags());
    assert_eq!(p.frag_offset(), 0);
    assert!(!p.is_fragment());
    assert_eq!(p.ttl(), 64);
    assert_eq!(p.protocol(), IpProtocol::Udp);
    assert_eq!(p.checksum(), 0x3254);
    assert_eq!(p.src_addr(), SRC);
    assert_eq!(p.dst_addr(), DST);
    assert_eq!(p.options(), &[]);
    assert_eq!(p.options_iter().count(), 0);
    assert_eq!(p.payload(), &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(p.verify_checksum());
    let r = Repr::parse(&p, Checksum::Both).unwrap();
    assert_eq!(r, simple_repr());
    assert!(r.is_atomic());
}

#[test]
fn emit_simple() {
    assert_eq!(build(&simple_repr(), &[1, 2, 3, 4, 5, 6, 7, 8]), SIMPLE);
}

#[test]
fn router_alert_vector() {
    let p = Packet::new_checked(&ROUTER_ALERT[..]).unwrap();
    assert_eq!(p.header_len(), 24);
    assert_eq!(p.dscp(), 46);
    assert_eq!(p.ecn(), IpEcn::Ect0);
    assert_eq!(p.payload(), &[0x22, 0x00, 0xfa, 0x04]);
    let opts: Vec<_> = p.options_iter().collect();
    assert_eq!(
        opts,
        vec![Ok(Ipv4Option::RouterAlert(ROUTER_ALERT_EXAMINE))]
    );
    let r = Repr::parse(&p, Checksum::Both).unwrap();
    assert_eq!(r, router_alert_repr());
    assert!(!r.is_atomic());
    assert_eq!(build(&r, &[0x22, 0x00, 0xfa, 0x04]), ROUTER_ALERT);
}

#[test]
fn fragment_vector() {
    let p = Packet::new_checked(&FRAGMENT[..]).unwrap();
    assert!(p.more_frags());
    assert!(!p.dont_frag());
    assert_eq!(p.frag_offset(), 1480);
    assert!(p.is_fragment());
    assert_eq!(p.payload().len(), 16);
    let r = Repr::parse(&p, Checksum::Both).unwrap();
    assert_eq!(r.frag_offset, 1480);
    assert!(r.more_frags);
    assert_eq!(r.ident, 0xabcd);
    assert_eq!(r.payload_len, 16);
    assert_eq!(build(&r, p.payload()), FRAGMENT);
}

#[test]
fn padding_is_ignored() {
    let mut b = SIMPLE.to_vec();
    b.extend_from_slice(&[0xee; 18]);
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.payload(), &SIMPLE[20..]);
    assert_eq!(Repr::parse(&p, Checksum::Both), Ok(simple_repr()));
}

#[test]
fn truncated_at_every_length() {
    for v in [&SIMPLE[..], &ROUTER_ALERT[..], &FRAGMENT[..]] {
        for n in 0..v.len() {
            assert_eq!(
                Packet::new_checked(&v[..n]).err(),
                Some(Error::Truncated),
                "{n}"
            );
            assert_eq!(
                Repr::parse(&Packet::new_unchecked(&v[..n]), Checksum::Both),
                Err(Error::Truncated)
            );
        }
    }
}

#[test]
fn bad_version() {
    for v in [0u8, 5, 6, 15] {
        let mut b = SIMPLE;
        b[0] = (v << 4) | 5;
        assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::BadVersion));
    }
}

#[test]
fn bad_ihl() {
    for ihl in 0u8..5 {
        let mut b = SIMPLE;
        b[0] = 0x40 | ihl;
        assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::BadLength));
    }
    // IHL 7 (28 bytes) equals Total Length: fits, with no data.
    let mut b = SIMPLE;
    b[0] = 0x47;
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.payload(), &[]);
    assert_eq!(p.options().len(), 8);
    // IHL beyond Total Length.
    let mut b = SIMPLE;
    b[0] = 0x48;
    assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::BadLength));
    // IHL 15 with Total Length 60 but a 28-byte buffer.
    let mut b = SIMPLE;
    b[0] = 0x4f;
    b[3] = 60;
    assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::Truncated));
}

#[test]
fn bad_total_len() {
    for tl in [0u16, 1, 19] {
        let mut b = SIMPLE;
        b[2..4].copy_from_slice(&tl.to_be_bytes());
        assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::BadLength));
    }
    // Below the header length with options.
    let mut b = ROUTER_ALERT;
    b[2..4].copy_from_slice(&23u16.to_be_bytes());
    assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::BadLength));
    // Beyond the buffer.
    for tl in [29u16, 1500, 65535] {
        let mut b = SIMPLE;
        b[2..4].copy_from_slice(&tl.to_be_bytes());
        assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::Truncated));
    }
    // Exactly the header: empty payload.
    let mut b = SIMPLE;
    b[2..4].copy_from_slice(&20u16.to_be_bytes());
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.payload(), &[]);
}

#[test]
fn checksum_corruption() {
    // Flipping any bit of any header word breaks the checksum.
    for i in 0..20 {
        for bit in 0..8 {
            let mut b = ROUTER_ALERT;
            b[i] ^= 1 << bit;
            let Ok(p) = Packet::new_checked(&b[..]) else {
                continue; // version / length corrupted first
            };
            assert!(!p.verify_checksum(), "byte {i} bit {bit}");
            assert_eq!(
                Repr::parse(&p, Checksum::Both),
                Err(Error::BadChecksum),
                "byte {i} bit {bit}"
            );
        }
    }
    // A device that verified it: the stack does not look.
    let mut b = SIMPLE;
    b[10] ^= 0xff;
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(Repr::parse(&p, Checksum::Both), Err(Error::BadChecksum));
    assert_eq!(Repr::parse(&p, Checksum::Tx), Ok(simple_repr()));
    // Option bytes are covered too.
    let mut b = ROUTER_ALERT;
    b[23] ^= 0x01;
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(Repr::parse(&p, Checksum::Rx), Err(Error::BadChecksum));
    assert_eq!(
        Repr::parse(&p, Checksum::None).map(|r| r.options_iter().next()),
        Ok(Some(Ok(Ipv4Option::RouterAlert(1))))
    );
    // Payload bytes are not.
    let mut b = SIMPLE;
    b[27] ^= 0xff;
    let p = Packet::new_checked(&b[..]).unwrap();
    assert!(p.verify_checksum());
}

#[test]
fn emit_without_checksum() {
    let r = simple_repr();
    let mut buf = vec![0xffu8; r.buffer_len() + 8];
    r.emit(&mut Packet::new_unchecked(&mut buf[..]), Checksum::Rx);
    let p = Packet::new_checked(&buf[..]).unwrap();
    assert_eq!(p.checksum(), 0);
    assert_eq!(Repr::parse(&p, Checksum::Tx), Ok(r));
}

#[test]
fn setters() {
    let mut b = SIMPLE;
    let mut p = Packet::new_unchecked(&mut b[..]);
    p.set_reserved_flag(true);
    p.set_more_frags(true);
    p.set_dont_frag(false);
    p.set_frag_offset(8 * 0x1fff);
    p.set_dscp(0xff);
    p.set_ecn(IpEcn::Ce);
    assert!(p.reserved_flag());
    assert!(p.more_frags());
    assert!(!p.dont_frag());
    assert_eq!(p.frag_offset(), 65528);
    assert_eq!(p.dscp(), 0x3f);
    assert_eq!(p.ecn(), IpEcn::Ce);
    p.clear_flags();
    assert!(!p.reserved_flag() && !p.more_frags() && !p.dont_frag());
    assert_eq!(p.frag_offset(), 65528);
    p.set_version(6);
    assert_eq!(p.version(), 6);
    assert_eq!(p.header_len(), 20);
    p.set_header_len(60);
    assert_eq!(p.version(), 6);
    assert_eq!(p.header_len(), 60);
}

#[test]
fn reserved_flag_is_ignored_by_parse() {
    let mut b = SIMPLE;
    let mut p = Packet::new_unchecked(&mut b[..]);
    p.set_reserved_flag(true);
    p.fill_checksum();
    let p = Packet::new_checked(&b[..]).unwrap();
    assert!(p.reserved_flag());
    assert_eq!(Repr::parse(&p, Checksum::Both), Ok(simple_repr()));
}

#[test]
fn fragment_rules() {
    // MF with a data length that is not a multiple of 8.
    let r = Repr {
        more_frags: true,
        payload_len: 12,
        dont_frag: false,
        ..simple_repr()
    };
    let b = build(&r, &[0; 12]);
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(Repr::parse(&p, Checksum::Both), Err(Error::BadLength));
    // The last fragment may have any length.
    let r = Repr {
        more_frags: false,
        frag_offset: 1480,
        ..r
    };
    let b = build(&r, &[0; 12]);
    assert_eq!(
        Repr::parse(&Packet::new_checked(&b[..]).unwrap(), Checksum::Both),
        Ok(r)
    );
    // A fragment ending past 65535 - 20 bytes of data.
    let r = Repr {
        frag_offset: 65528,
        payload_len: 8,
        ..r
    };
    let b = build(&r, &[0; 8]);
    assert_eq!(
        Repr::parse(&Packet::new_checked(&b[..]).unwrap(), Checksum::Both),
        Err(Error::BadLength)
    );
    // Ending exactly at the limit is fine.
    let r = Repr {
        frag_offset: 65512,
        payload_len: 3,
        ..r
    };
    let b = build(&r, &[0; 3]);
    assert_eq!(
        Repr::parse(&Packet::new_checked(&b[..]).unwrap(), Checksum::Both),
        Ok(r)
    );
}

#[test]
fn fragment_helper() {
    // A 3000-byte payload over a 1500-byte MTU: 1480 + 1480 + 40.
    let r = Repr {
        dont_frag: false,
        payload_len: 3000,
        options: &[0x94, 0x04, 0x00, 0x00, 0x07, 0x07, 0x04, 0, 0, 0, 0, 0],
        ..simple_repr()
    };
    let step = r.max_fragment_payload(1500);
    assert_eq!(r.header_len(), 32);
    assert_eq!(step, 1464);
    let mut copied = [0u8; MAX_OPTIONS_LEN];
    let later = copied_options(r.options, &mut copied).unwrap();
    // Router Alert (148) is copied, Record Route (7) is not.
    assert_eq!(later, &[0x94, 0x04, 0x00, 0x00]);
    let first = r.fragment(0, step, false);
    assert_eq!(first.frag_offset, 0);
    assert!(first.more_frags);
    assert_eq!(first.total_len(), 1496);
    let second = Repr {
        options: later,
        ..r.fragment(1464, 1464, false)
    };
    assert_eq!(second.frag_offset, 1464);
    assert_eq!(second.header_len(), 24);
    let last = r.fragment(2928, 72, true);
    assert!(!last.more_frags);
    assert_eq!(last.frag_offset, 2928);
    // Each fragment emits and parses.
    for f in [first, second, last] {
        let b = build(&f, &vec![0; f.payload_len]);
        assert_eq!(
            Repr::parse(&Packet::new_checked(&b[..]).unwrap(), Checksum::Both),
            Ok(f)
        );
    }
    // Fragmenting a non-final fragment keeps MF on every piece.
    let mid = Repr {
        more_frags: true,
        frag_offset: 800,
        ..r
    };
    let piece = mid.fragment(8, 8, true);
    assert!(piece.more_frags);
    assert_eq!(piece.frag_offset, 808);
    assert_eq!(Repr { options: &[], ..r }.max_fragment_payload(576), 552);
    assert_eq!(r.max_fragment_payload(10), 0);
}

#[test]
fn options_are_padded_and_cut() {
    let r = Repr {
        options: &[0x01, 0x01, 0x01, 0x01, 0x01],
        ..simple_repr()
    };
    assert_eq!(r.options_len(), 8);
    let b = build(&r, &[0; 8]);
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.options(), &[1, 1, 1, 1, 1, 0, 0, 0]);
    let items: Vec<_> = p.options_iter().collect();
    assert_eq!(items.len(), 6);
    assert_eq!(items[5], Ok(Ipv4Option::EndOfList));
    // Too many options (a caller bug) are cut at 40 bytes, never panic.
    let long = [0x01u8; 50];
    let r = Repr {
        options: &long,
        ..simple_repr()
    };
    assert_eq!(r.buffer_len(), 60);
    let b = build(&r, &[0; 8]);
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.options(), &[0x01; 40]);
}

#[test]
fn malformed_options_rejected_by_parse() {
    let bad: [&[u8]; 6] = [
        &[0x94, 0x03, 0x00, 0x00],       // Router Alert length 3
        &[0x07, 0x00, 0x00, 0x00],       // length 0
        &[0x07, 0x01, 0x00, 0x00],       // length 1
        &[0x82, 0x05, 0x00, 0x00],       // overruns the area
        &[0x07, 0x07, 0x03, 0, 0, 0, 0], // Record Route pointer 3
        &[0x01, 0x01, 0x01, 0x82],       // type without a length octet
    ];
    for opts in bad {
        let r = Repr {
            options: opts,
            ..simple_repr()
        };
        let b = build(&r, &[0; 8]);
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(
            Repr::parse(&p, Checksum::Both),
            Err(Error::BadOption),
            "{opts:x?}"
        );
    }
}

// Option-by-option vectors, built by hand from RFC 791 §3.1 and
// RFC 2113 §2.1.
#[test]
fn option_vectors() {
    fn one(bytes: &[u8]) -> Vec<Result<Ipv4Option<'_>>> {
        OptionsIter::new(bytes).collect()
    }
    assert_eq!(one(&[0x00, 0xff, 0xff]), vec![Ok(Ipv4Option::EndOfList)]);
    assert_eq!(
        one(&[0x01, 0x01]),
        vec![Ok(Ipv4Option::NoOperation), Ok(Ipv4Option::NoOperation)]
    );
    assert_eq!(
        one(&[0x94, 0x04, 0x12, 0x34]),
        vec![Ok(Ipv4Option::RouterAlert(0x1234))]
    );
    // Record Route with room for two addresses, one recorded (pointer 8).
    let rr = [0x07, 0x0b, 0x08, 192, 0, 2, 1, 0, 0, 0, 0];
    assert_eq!(
        one(&rr),
        vec![Ok(Ipv4Option::RecordRoute {
            pointer: 8,
            data: &rr[3..]
        })]
    );
    // Loose and strict source routes through 192.0.2.9.
    let lsrr = [0x83, 0x07, 0x04, 192, 0, 2, 9];
    assert_eq!(
        one(&lsrr),
        vec![Ok(Ipv4Option::LooseSourceRoute {
            pointer: 4,
            data: &lsrr[3..]
        })]
    );
    let ssrr = [0x89, 0x07, 0x04, 192, 0, 2, 9];
    assert_eq!(
        one(&ssrr),
        vec![Ok(Ipv4Option::StrictSourceRoute {
            pointer: 4,
            data: &ssrr[3..]
        })]
    );
    // Timestamp: length 12, pointer 5, overflow 3, flag 1 (address +
    // timestamp), one empty slot.
    let ts = [0x44, 0x0c, 0x05, 0x31, 0, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        one(&ts),
        vec![Ok(Ipv4Option::Timestamp {
            pointer: 5,
            overflow: 3,
            flags: 1,
            data: &ts[4..]
        })]
    );
    // Security (RFC 1108, length 11) and Stream ID are kept raw.
    let sec = [0x82, 0x0b, 0xab, 0xcd, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        one(&sec),
        vec![Ok(Ipv4Option::Unknown {
            kind: 130,
            data: &sec[2..]
        })]
    );
    assert_eq!(
        one(&[0x88, 0x04, 0x00, 0x07]),
        vec![Ok(Ipv4Option::Unknown {
            kind: 136,
            data: &[0x00, 0x07]
        })]
    );
    // A sequence, stopping at End of List.
    let seq = [0x01, 0x94, 0x04, 0x00, 0x00, 0x00, 0x07];
    assert_eq!(
        one(&seq),
        vec![
            Ok(Ipv4Option::NoOperation),
            Ok(Ipv4Option::RouterAlert(0)),
            Ok(Ipv4Option::EndOfList)
        ]
    );
    // Each vector re-emits to itself.
    for v in [&rr[..], &lsrr, &ssrr, &ts, &sec, &[0x94, 0x04, 0x12, 0x34]] {
        let opt = OptionsIter::new(v).next().unwrap().unwrap();
        assert_eq!(opt.buffer_len(), v.len());
        let mut out = vec![0u8; v.len()];
        assert_eq!(opt.emit(&mut out), v.len());
        assert_eq!(&out[..], v);
    }
}

#[test]
fn malformed_option_vectors() {
    let bad: [&[u8]; 12] = [
        &[0x07],                      // no length octet
        &[0x07, 0x00],                // length 0
        &[0x07, 0x01],                // length 1
        &[0x07, 0x08, 0x04],          // overruns
        &[0x07, 0x02],                // Record Route without pointer
        &[0x83, 0x03, 0x03],          // LSRR pointer 3
        &[0x89, 0x03, 0x00],          // SSRR pointer 0
        &[0x44, 0x03, 0x05],          // Timestamp without oflw/flg
        &[0x44, 0x04, 0x04, 0x00],    // Timestamp pointer 4
        &[0x94, 0x02],                // Router Alert length 2
        &[0x94, 0x05, 0, 0, 0],       // Router Alert length 5
        &[0x01, 0x01, 0x82, 0x0b, 0], // NOPs then an overrun
    ];
    for v in bad {
        let items: Vec<_> = OptionsIter::new(v).collect();
        assert_eq!(items.last(), Some(&Err(Error::BadOption)), "{v:x?}");
        assert!(items[..items.len() - 1].iter().all(|i| i.is_ok()));
        assert_eq!(check_options(v), Err(Error::BadOption));
        let mut buf = [0u8; MAX_OPTIONS_LEN];
        assert_eq!(copied_options(v, &mut buf), Err(Error::BadOption));
    }
    // The iterator ends after an error.
    let mut it = OptionsIter::new(&[0x07, 0x00, 0x01, 0x01]);
    assert_eq!(it.next(), Some(Err(Error::BadOption)));
    assert_eq!(it.next(), None);
}

#[test]
fn option_type_fields() {
    // RFC 791 §3.1 table: copied / class / number.
    let cases = [
        (OptionType::END_OF_LIST, false, OptionClass::Control, 0),
        (OptionType::NO_OPERATION, false, OptionClass::Control, 1),
        (OptionType::SECURITY, true, OptionClass::Control, 2),
        (
            OptionType::LOOSE_SOURCE_ROUTE,
            true,
            OptionClass::Control,
            3,
        ),
        (
            OptionType::STRICT_SOURCE_ROUTE,
            true,
            OptionClass::Control,
            9,
        ),
        (OptionType::RECORD_ROUTE, false, OptionClass::Control, 7),
        (OptionType::STREAM_ID, true, OptionClass::Control, 8),
        (
            OptionType::TIMESTAMP,
            false,
            OptionClass::DebuggingAndMeasurement,
            4,
        ),
        (OptionType::ROUTER_ALERT, true, OptionClass::Control, 20),
        (OptionType(0x20), false, OptionClass::Reserved1, 0),
        (OptionType(0x7f), false, OptionClass::Reserved3, 31),
    ];
    for (t, copied, class, number) in cases {
        assert_eq!(t.copied(), copied, "{t:?}");
        assert_eq!(t.class(), class, "{t:?}");
        assert_eq!(t.number(), number, "{t:?}");
    }
    assert_eq!(
        Ipv4Option::Unknown {
            kind: 0x82,
            data: &[]
        }
        .option_type(),
        OptionType::SECURITY
    );
}

#[test]
fn copied_options_filter() {
    // NOP, Timestamp (not copied), LSRR (copied), RR (not copied), Router
    // Alert (copied), End of List.
    let opts = [
        0x01, 0x44, 0x04, 0x05, 0x00, 0x83, 0x07, 0x04, 10, 0, 0, 1, 0x07, 0x03, 0x04, 0x94, 0x04,
        0x00, 0x00, 0x00,
    ];
    let mut buf = [0xeeu8; MAX_OPTIONS_LEN];
    let out = copied_options(&opts, &mut buf).unwrap();
    assert_eq!(
        out,
        &[0x83, 0x07, 0x04, 10, 0, 0, 1, 0x94, 0x04, 0x00, 0x00, 0x00]
    );
    let mut buf = [0u8; MAX_OPTIONS_LEN];
    assert_eq!(copied_options(&[], &mut buf), Ok(&[][..]));
    // More than 40 bytes of copied options (only from a caller bug).
    let long = [0x88, 0x04, 0, 0].repeat(11);
    assert_eq!(copied_options(&long, &mut buf), Err(Error::BadOption));
}

fn option_strategy() -> impl Strategy<Value = (u8, u8, u8, Vec<u8>)> {
    // (selector, pointer/value seed, flags seed, data)
    (
        0u8..8,
        any::<u8>(),
        any::<u8>(),
        proptest::collection::vec(any::<u8>(), 0..12),
    )
}

fn make_option<'a>(sel: u8, a: u8, b: u8, data: &'a [u8]) -> Ipv4Option<'a> {
    match sel {
        0 => Ipv4Option::NoOperation,
        1 => Ipv4Option::RouterAlert(u16::from_be_bytes([a, b])),
        2 => Ipv4Option::RecordRoute {
            pointer: a.max(4),
            data,
        },
        3 => Ipv4Option::LooseSourceRoute {
            pointer: a.max(4),
            data,
        },
        4 => Ipv4Option::StrictSourceRoute {
            pointer: a.max(4),
            data,
        },
        5 => Ipv4Option::Timestamp {
            pointer: a.max(5),
            overflow: b >> 4,
            flags: b & 0x0f,
            data,
        },
        6 => Ipv4Option::Unknown { kind: 130, data },
        // Any type that is not 0, 1 or a known one.
        _ => Ipv4Option::Unknown {
            kind: [2u8, 25, 136, 200][usize::from(a % 4)],
            data,
        },
    }
}

proptest! {
    #[test]
    fn round_trip(src in any::<[u8; 4]>(), dst in any::<[u8; 4]>(), proto in any::<u8>(),
                  ttl in any::<u8>(), dscp in 0u8..64, ecn in 0u8..4, ident in any::<u16>(),
                  df in any::<bool>(), mf in any::<bool>(), off in 0u16..8000,
                  payload in proptest::collection::vec(any::<u8>(), 0..64),
                  opts in proptest::collection::vec(option_strategy(), 0..6)) {
        // Lay the options out until the 40-byte area is full.
        let mut area = Vec::new();
        let mut expected = Vec::new();
        for (sel, a, b, data) in &opts {
            let o = make_option(*sel, *a, *b, data);
            if area.len() + o.buffer_len() > MAX_OPTIONS_LEN {
                break;
            }
            let start = area.len();
            area.resize(start + o.buffer_len(), 0);
            o.emit(&mut area[start..]);
            expected.push((*sel, *a, *b, data.clone()));
        }
        while area.len() % 4 != 0 {
            area.push(0);
        }
        let payload_len = if mf { payload.len() / 8 * 8 } else { payload.len() };
        let r = Repr {
            src_addr: Ipv4Addr::from(src),
            dst_addr: Ipv4Addr::from(dst),
            protocol: IpProtocol::from(proto),
            payload_len,
            ttl,
            dscp,
            ecn: IpEcn::from_bits(ecn),
            ident,
            dont_frag: df,
            more_frags: mf,
            frag_offset: off * 8,
            options: &area,
        };
        let b = build(&r, &payload[..payload_len]);
        let p = Packet::new_checked(&b[..]).unwrap();
        let parsed = Repr::parse(&p, Checksum::Both).unwrap();
        prop_assert_eq!(parsed, r);
        prop_assert_eq!(p.payload(), &payload[..payload_len]);
        // The options iterate back to what was written, then padding.
        let items: Vec<_> = parsed.options_iter().collect::<Result<Vec<_>>>().unwrap();
        for (i, (sel, a, b, data)) in expected.iter().enumerate() {
            prop_assert_eq!(items[i], make_option(*sel, *a, *b, data));
        }
        for extra in &items[expected.len()..] {
            prop_assert_eq!(*extra, Ipv4Option::EndOfList);
        }
    }

    #[test]
    fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..80)) {
        check_random(&data);
    }

    #[test]
    fn structured_never_panics(ihl in 0u8..16, tl in 0u16..90, body in proptest::collection::vec(any::<u8>(), 0..80)) {
        let mut b = SIMPLE[..20].to_vec();
        b[0] = 0x40 | ihl;
        b[2..4].copy_from_slice(&tl.to_be_bytes());
        b.extend_from_slice(&body);
        let mut p = Packet::new_unchecked(&mut b[..]);
        if p.header_len() >= 20 && usize::from(p.header_len()) <= p.as_ref().len() {
            p.fill_checksum();
        }
        check_random(&b);
    }

    #[test]
    fn options_never_panic(data in proptest::collection::vec(any::<u8>(), 0..48)) {
        let n = OptionsIter::new(&data).count();
        prop_assert!(n <= data.len());
        let _ = check_options(&data);
        let mut buf = [0u8; MAX_OPTIONS_LEN];
        let _ = copied_options(&data, &mut buf);
    }
}

fn check_random(data: &[u8]) {
    let _ = Repr::parse(&Packet::new_unchecked(data), Checksum::Both);
    if let Ok(p) = Packet::new_checked(data) {
        let _ = (
            p.version(),
            p.header_len(),
            p.dscp(),
            p.ecn(),
            p.total_len(),
            p.ident(),
        );
        let _ = (
            p.reserved_flag(),
            p.dont_frag(),
            p.more_frags(),
            p.frag_offset(),
        );
        let _ = (
            p.ttl(),
            p.protocol(),
            p.checksum(),
            p.src_addr(),
            p.dst_addr(),
        );
        let _ = (
            p.options(),
            p.payload(),
            p.verify_checksum(),
            p.is_fragment(),
        );
        for o in p.options_iter().flatten() {
            let mut out = vec![0u8; o.buffer_len()];
            assert_eq!(o.emit(&mut out), out.len());
        }
        if let Ok(r) = Repr::parse(&p, Checksum::Both) {
            let b = build(&r, p.payload());
            let q = Packet::new_checked(&b[..]).unwrap();
            assert_eq!(Repr::parse(&q, Checksum::Both), Ok(r));
        }
    }
}
