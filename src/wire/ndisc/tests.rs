//! Tests for Neighbor Discovery. Vectors built by hand from the RFC 4861
//! §4.1-§4.6 layouts (one field or option per line, as commented);
//! checksums computed with a short Python one's-complement sum over the
//! RFC 8200 §8.1 pseudo-header and checked below with `verify_checksum`.

// Tests link std (see the crate root); `alloc` is not always declared.
#![allow(clippy::std_instead_of_alloc)]

use super::*;
use crate::wire::icmpv6::Packet;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

// NEIGHBOR_SOLICIT: fe80::1 -> ff02::1:ff00:2, 40 bytes
#[rustfmt::skip]
pub(crate) static NEIGHBOR_SOLICIT: [u8; 40] = [
    0x87, 0x00, 0x63, 0x82, // type 135, code 0, checksum
    0x00, 0x00, 0x00, 0x00, // reserved
    0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // target fe80::2
    0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // SLLA 02:00:00:00:00:01
    0x0e, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, // nonce 01..06
];

// NEIGHBOR_ADVERT: fe80::2 -> fe80::1, 32 bytes
#[rustfmt::skip]
pub(crate) static NEIGHBOR_ADVERT: [u8; 32] = [
    0x88, 0x00, 0x18, 0x1a, // type 136, code 0, checksum
    0x60, 0x00, 0x00, 0x00, // flags S|O, reserved
    0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // target fe80::2
    0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // TLLA 02:00:00:00:00:02
];

// ROUTER_SOLICIT: fe80::1 -> ff02::2, 16 bytes
#[rustfmt::skip]
pub(crate) static ROUTER_SOLICIT: [u8; 16] = [
    0x85, 0x00, 0x7a, 0x2c, // type 133, code 0, checksum
    0x00, 0x00, 0x00, 0x00, // reserved
    0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // SLLA 02:00:00:00:00:01
];

// ROUTER_ADVERT: fe80::ff -> ff02::1, 88 bytes
#[rustfmt::skip]
pub(crate) static ROUTER_ADVERT: [u8; 88] = [
    0x86, 0x00, 0x66, 0xfc, // type 134, code 0, checksum
    0x40, 0x48, 0x07, 0x08, // hop limit 64, flags O | Prf=01 (high), router lifetime 1800
    0x00, 0x00, 0x75, 0x30, 0x00, 0x00, 0x03, 0xe8, // reachable 30000 ms, retrans 1000 ms
    0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0xff, // SLLA 02:00:00:00:00:ff
    0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc, // MTU 1500
    0x03, 0x04, 0x40, 0xc0, 0x00, 0x01, 0x51, 0x80, 0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00, 0x00, // prefix info 2001:db8:1::/64, L A, valid 86400, preferred 14400
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x19, 0x03, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // RDNSS lifetime 600, 2001:db8::53
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x53,
];

// REDIRECT: fe80::ff -> fe80::1, 104 bytes
#[rustfmt::skip]
pub(crate) static REDIRECT: [u8; 104] = [
    0x89, 0x00, 0x60, 0xff, // type 137, code 0, checksum
    0x00, 0x00, 0x00, 0x00, // reserved
    0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, // target fe80::fe
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // destination 2001:db8:2::1
    0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, // TLLA 02:00:00:00:00:fe
    0x04, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x11, 0x40, // redirected header: 48 bytes of the invoking packet
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x99,
    0x13, 0x88, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
];

fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn mac(last: u8) -> EthernetAddress {
    EthernetAddress([2, 0, 0, 0, 0, last])
}

fn parse(bytes: &[u8]) -> Result<Repr<'_>> {
    Repr::parse(&Packet::new_checked(bytes)?)
}

fn emit(repr: &Repr<'_>, src: &str, dst: &str) -> Vec<u8> {
    let mut buf = vec![0xa5; repr.buffer_len()];
    repr.emit(
        &mut Packet::new_unchecked(&mut buf[..]),
        &addr(src),
        &addr(dst),
        Checksum::Both,
    );
    buf
}

/// Every vector with its addresses.
fn vectors() -> [(&'static [u8], &'static str, &'static str); 5] {
    [
        (&NEIGHBOR_SOLICIT, "fe80::1", "ff02::1:ff00:2"),
        (&NEIGHBOR_ADVERT, "fe80::2", "fe80::1"),
        (&ROUTER_SOLICIT, "fe80::1", "ff02::2"),
        (&ROUTER_ADVERT, "fe80::ff", "ff02::1"),
        (&REDIRECT, "fe80::ff", "fe80::1"),
    ]
}

#[test]
fn checksums_of_vectors() {
    for (v, s, d) in vectors() {
        assert!(
            Packet::new_checked(v)
                .unwrap()
                .verify_checksum(&addr(s), &addr(d))
        );
    }
}

#[test]
fn neighbor_solicit() {
    let p = Packet::new_checked(&NEIGHBOR_SOLICIT[..]).unwrap();
    assert_eq!(p.target_addr(), addr("fe80::2"));
    assert_eq!(p.ndisc_options().len(), 16);
    let r = Repr::NeighborSolicit {
        target_addr: addr("fe80::2"),
        lladdr: Some(mac(1)),
        nonce: Some([1, 2, 3, 4, 5, 6]),
    };
    assert_eq!(parse(&NEIGHBOR_SOLICIT), Ok(r));
    assert_eq!(emit(&r, "fe80::1", "ff02::1:ff00:2"), NEIGHBOR_SOLICIT);
}

#[test]
fn neighbor_advert() {
    let p = Packet::new_checked(&NEIGHBOR_ADVERT[..]).unwrap();
    assert_eq!(
        p.neighbor_flags(),
        neighbor_flags::SOLICITED | neighbor_flags::OVERRIDE
    );
    let r = Repr::NeighborAdvert {
        router: false,
        solicited: true,
        override_: true,
        target_addr: addr("fe80::2"),
        lladdr: Some(mac(2)),
    };
    assert_eq!(parse(&NEIGHBOR_ADVERT), Ok(r));
    assert_eq!(emit(&r, "fe80::2", "fe80::1"), NEIGHBOR_ADVERT);
}

#[test]
fn router_solicit() {
    let r = Repr::RouterSolicit {
        lladdr: Some(mac(1)),
    };
    assert_eq!(parse(&ROUTER_SOLICIT), Ok(r));
    assert_eq!(emit(&r, "fe80::1", "ff02::2"), ROUTER_SOLICIT);
    // Without options: the 8-byte minimum (RFC 4861 §6.1.1).
    let r = Repr::RouterSolicit { lladdr: None };
    let b = emit(&r, "fe80::1", "ff02::2");
    assert_eq!(b.len(), 8);
    assert_eq!(parse(&b), Ok(r));
}

#[test]
fn router_advert() {
    let p = Packet::new_checked(&ROUTER_ADVERT[..]).unwrap();
    assert_eq!(p.cur_hop_limit(), 64);
    assert_eq!(p.router_lifetime(), 1800);
    assert_eq!(p.reachable_time(), 30000);
    assert_eq!(p.retrans_time(), 1000);
    let r = parse(&ROUTER_ADVERT).unwrap();
    let Repr::RouterAdvert {
        hop_limit,
        managed,
        other,
        router_pref,
        router_lifetime,
        reachable_time,
        retrans_time,
        options,
    } = r
    else {
        panic!("not an RA: {r:?}")
    };
    assert_eq!((hop_limit, managed, other), (64, false, true));
    assert_eq!(router_pref, RouterPreference::High);
    assert_eq!(
        (router_lifetime, reachable_time, retrans_time),
        (1800, 30000, 1000)
    );
    assert_eq!(options.source_lladdr(), Some(mac(0xff)));
    assert_eq!(options.target_lladdr(), None);
    assert_eq!(options.mtu(), Some(1500));
    let pi: Vec<_> = options.prefix_infos().collect();
    assert_eq!(
        pi,
        vec![PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: true,
            valid_lifetime: 86400,
            preferred_lifetime: 14400,
            prefix: addr("2001:db8:1::"),
        }]
    );
    let rdnss: Vec<_> = options.rdnss().collect();
    assert_eq!(rdnss.len(), 1);
    assert_eq!(rdnss[0].lifetime, 600);
    assert_eq!(
        rdnss[0].addresses.iter().collect::<Vec<_>>(),
        vec![addr("2001:db8::53")]
    );
    assert_eq!(options.iter().count(), 4);
    assert_eq!(emit(&r, "fe80::ff", "ff02::1"), ROUTER_ADVERT);

    // Build the same options with the emitters.
    let mut opts = [0u8; 72];
    let list = [
        NdiscOption::SourceLinkLayerAddr(mac(0xff)),
        NdiscOption::Mtu(1500),
        NdiscOption::PrefixInformation(pi[0]),
    ];
    let n = emit_options(&mut opts, &list);
    assert_eq!(n, options_len(&list));
    let m = emit_rdnss(&mut opts[n..], 600, &[addr("2001:db8::53")]);
    assert_eq!(n + m, 72);
    assert_eq!(&opts[..], &ROUTER_ADVERT[16..]);
    let built = Repr::RouterAdvert {
        hop_limit: 64,
        managed: false,
        other: true,
        router_pref: RouterPreference::High,
        router_lifetime: 1800,
        reachable_time: 30000,
        retrans_time: 1000,
        options: NdiscOptions::new_checked(&opts).unwrap(),
    };
    assert_eq!(emit(&built, "fe80::ff", "ff02::1"), ROUTER_ADVERT);
}

#[test]
fn router_preference_rules() {
    // RFC 4191 §2.2: reserved 10 is read as medium.
    assert_eq!(RouterPreference::from_bits(0b10), RouterPreference::Medium);
    for p in [
        RouterPreference::Low,
        RouterPreference::Medium,
        RouterPreference::High,
    ] {
        assert_eq!(RouterPreference::from_bits(p.to_bits()), p);
    }
    let mut b = ROUTER_ADVERT;
    b[5] = 0x10; // Prf = 10
    let Ok(Repr::RouterAdvert { router_pref, .. }) = parse(&b) else {
        panic!()
    };
    assert_eq!(router_pref, RouterPreference::Medium);
    // Router Lifetime 0: the preference is ignored on receipt and sent as 00.
    let mut b = ROUTER_ADVERT;
    b[6] = 0;
    b[7] = 0;
    let Ok(r @ Repr::RouterAdvert { router_pref, .. }) = parse(&b) else {
        panic!()
    };
    assert_eq!(router_pref, RouterPreference::Medium);
    if let Repr::RouterAdvert { options, .. } = r {
        let r = Repr::RouterAdvert {
            hop_limit: 1,
            managed: true,
            other: false,
            router_pref: RouterPreference::Low,
            router_lifetime: 0,
            reachable_time: 0,
            retrans_time: 0,
            options,
        };
        let e = emit(&r, "fe80::ff", "ff02::1");
        assert_eq!(e[5], router_flags::MANAGED);
    }
}

#[test]
fn redirect() {
    let p = Packet::new_checked(&REDIRECT[..]).unwrap();
    assert_eq!(p.dest_addr(), addr("2001:db8:2::1"));
    let r = Repr::Redirect {
        target_addr: addr("fe80::fe"),
        dest_addr: addr("2001:db8:2::1"),
        lladdr: Some(mac(0xfe)),
        redirected_hdr: Some(&REDIRECT[56..]),
    };
    assert_eq!(parse(&REDIRECT), Ok(r));
    assert_eq!(emit(&r, "fe80::ff", "fe80::1"), REDIRECT);
    // RFC 4861 §4.6.3: the limit keeps the packet within 1280 bytes.
    let big = [0u8; 2000];
    let r = Repr::Redirect {
        target_addr: addr("fe80::fe"),
        dest_addr: addr("2001:db8:2::1"),
        lladdr: Some(mac(0xfe)),
        redirected_hdr: Some(&big[..max_redirected_hdr_len(true)]),
    };
    assert_eq!(40 + r.buffer_len(), 1280);
    assert_eq!(max_redirected_hdr_len(true) % 8, 0);
}

/// The offsets at which the options in `opts` start or end.
fn boundaries(opts: &[u8]) -> Vec<usize> {
    let mut at = 0;
    let mut v = vec![0];
    while let Ok((_, len)) = NdiscOption::parse(&opts[at..]) {
        at += len;
        v.push(at);
    }
    assert_eq!(at, opts.len());
    v
}

#[test]
fn truncation_at_every_length() {
    for (v, _, _) in vectors() {
        for n in 0..v.len() {
            let cut = &v[..n];
            let min = match Message::from(v[0]) {
                Message::RouterSolicit => 8,
                Message::RouterAdvert => 16,
                Message::Redirect => 40,
                _ => 24,
            };
            if n < min {
                assert_eq!(Packet::new_checked(cut).err(), Some(Error::Truncated));
                assert_eq!(parse(cut), Err(Error::Truncated), "{n}");
            } else if !boundaries(&v[min..]).contains(&(n - min)) {
                // Cut inside an option.
                assert_eq!(parse(cut), Err(Error::Truncated), "{n}");
            } else {
                // Cut between options: a valid, shorter message.
                assert!(parse(cut).is_ok(), "{n}");
            }
        }
    }
}

#[test]
fn zero_length_option() {
    // RFC 4861 §4.6: MUST silently discard.
    for (v, _, _) in vectors() {
        let at = v.len()
            - match Message::from(v[0]) {
                Message::RouterAdvert => 24,
                Message::Redirect => 56,
                Message::NeighborSolicit => 16,
                _ => 8,
            };
        let mut b = v.to_vec();
        b[at + 1] = 0;
        assert_eq!(
            parse(&b),
            Err(Error::BadOption),
            "{:?}",
            Message::from(v[0])
        );
    }
    let mut it = NdiscOptionIter::new(&[1, 0, 1, 1, 2, 0, 0, 0, 0, 1]);
    assert_eq!(it.next(), Some(Err(Error::BadOption)));
    assert_eq!(it.next(), None);
}

#[test]
fn malformed_options() {
    let cases: [(&[u8], Error); 9] = [
        // Only a type byte.
        (&[1], Error::Truncated),
        // Length 2 but 8 bytes.
        (&[1, 2, 0, 0, 0, 0, 0, 0], Error::Truncated),
        // Ethernet link-layer address option of length 2 (RFC 2464 §6).
        (
            &[2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            Error::BadOption,
        ),
        // MTU option of length 2.
        (
            &[5, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            Error::BadOption,
        ),
        // Prefix information of length 1.
        (&[3, 1, 64, 0, 0, 0, 0, 0], Error::BadOption),
        // RDNSS of length 1 and of length 2 (RFC 8106 §5.1).
        (&[25, 1, 0, 0, 0, 0, 0, 0], Error::BadOption),
        (
            &[25, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            Error::BadOption,
        ),
        // Length 255 with far less data.
        (&[4, 255, 0, 0, 0, 0, 0, 0], Error::Truncated),
        // Zero length.
        (&[14, 0, 0, 0, 0, 0, 0, 0], Error::BadOption),
    ];
    for (bytes, err) in cases {
        assert_eq!(NdiscOption::parse(bytes).err(), Some(err), "{bytes:?}");
        assert_eq!(NdiscOptions::new_checked(bytes).err(), Some(err));
    }
    // Prefix length above 128.
    let mut pi = [0u8; 32];
    pi[0] = 3;
    pi[1] = 4;
    pi[2] = 129;
    assert_eq!(NdiscOption::parse(&pi).err(), Some(Error::BadOption));
    pi[2] = 128;
    assert!(NdiscOption::parse(&pi).is_ok());
}

#[test]
fn unknown_options_are_skipped() {
    // An unknown option (type 200, length 2) before the SLLA of the RS.
    let mut b = ROUTER_SOLICIT[..8].to_vec();
    b.extend_from_slice(&[200, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    b.extend_from_slice(&ROUTER_SOLICIT[8..]);
    assert_eq!(
        parse(&b),
        Ok(Repr::RouterSolicit {
            lladdr: Some(mac(1))
        })
    );
    let (o, len) = NdiscOption::parse(&b[8..]).unwrap();
    assert_eq!(len, 16);
    assert_eq!(
        o,
        NdiscOption::Unknown {
            kind: 200,
            data: &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
        }
    );
    let mut out = [0u8; 16];
    assert_eq!(o.emit(&mut out), 16);
    assert_eq!(&out[..], &b[8..24]);
}

#[test]
fn rejected_fields() {
    // RFC 4861 §6.1.1 etc.: code must be 0.
    for (v, _, _) in vectors() {
        let mut b = v.to_vec();
        b[1] = 1;
        assert_eq!(parse(&b), Err(Error::BadField));
    }
    // RFC 4861 §7.1.1, §7.1.2: target not multicast.
    for v in [&NEIGHBOR_SOLICIT[..], &NEIGHBOR_ADVERT[..]] {
        let mut b = v.to_vec();
        b[8] = 0xff;
        assert_eq!(parse(&b), Err(Error::BadField));
    }
    // RFC 4861 §8.1: destination not multicast.
    let mut b = REDIRECT;
    b[24] = 0xff;
    assert_eq!(parse(&b), Err(Error::BadField));
    // RFC 4861 §8.1: target neither link-local nor the destination.
    let mut b = REDIRECT;
    b[8] = 0x20;
    assert_eq!(parse(&b), Err(Error::BadField));
    // ... but a target equal to the destination is fine.
    let mut b = REDIRECT;
    b.copy_within(24..40, 8);
    assert!(parse(&b).is_ok());
    // Not an ND message.
    let mut b = ROUTER_SOLICIT;
    b[0] = 128;
    assert_eq!(parse(&b), Err(Error::Unrecognized));
}

#[test]
fn nonce_longer_than_six_bytes() {
    // RFC 3971 §5.3.2 allows longer nonces; the first 6 bytes are kept.
    let mut b = NEIGHBOR_SOLICIT[..32].to_vec();
    b.extend_from_slice(&[14, 2, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0]);
    let Ok(Repr::NeighborSolicit { nonce, .. }) = parse(&b) else {
        panic!()
    };
    assert_eq!(nonce, Some([9, 8, 7, 6, 5, 4]));
}

#[test]
fn option_emitters_pad() {
    // A 5-byte unknown body: 2 + 5 = 7, padded to 8.
    let o = NdiscOption::Unknown {
        kind: 99,
        data: &[1, 2, 3, 4, 5],
    };
    assert_eq!(o.buffer_len(), 8);
    let mut b = [0xff; 8];
    o.emit(&mut b);
    assert_eq!(b, [99, 1, 1, 2, 3, 4, 5, 0]);
    // Redirected header with 3 data bytes: 8 + 3 padded to 16.
    let o = NdiscOption::RedirectedHeader(&[7, 7, 7]);
    assert_eq!(o.buffer_len(), 16);
    // Over-long bodies are cut at 255 * 8.
    let big = [0u8; 3000];
    assert_eq!(NdiscOption::RedirectedHeader(&big).buffer_len(), 2040);
    let mut out = vec![0u8; 2040];
    NdiscOption::Nonce(&big).emit(&mut out);
    assert_eq!(out[1], 255);
    assert_eq!(rdnss_len(1000), 8 + 127 * 16);
}

fn arb_addr() -> impl Strategy<Value = Ipv6Addr> {
    any::<u128>().prop_map(Ipv6Addr::from)
}

fn arb_unicast() -> impl Strategy<Value = Ipv6Addr> {
    arb_addr().prop_filter("not multicast", |a| !a.is_multicast())
}

fn arb_mac() -> impl Strategy<Value = Option<EthernetAddress>> {
    proptest::option::of(any::<[u8; 6]>().prop_map(EthernetAddress))
}

fn arb_option() -> impl Strategy<Value = (u8, Vec<u8>)> {
    // (kind, body) pairs that emit and parse back as themselves.
    prop_oneof![
        any::<[u8; 6]>().prop_map(|m| (1, m.to_vec())),
        any::<[u8; 6]>().prop_map(|m| (2, m.to_vec())),
        any::<u32>().prop_map(|m| (5, [&[0, 0][..], &m.to_be_bytes()].concat())),
        (0u8..=128, any::<u8>(), any::<u64>(), arb_addr()).prop_map(|(l, f, lt, p)| {
            let mut v = vec![l, f & 0xc0];
            v.extend_from_slice(&lt.to_be_bytes());
            v.extend_from_slice(&[0; 4]);
            v.extend_from_slice(&p.octets());
            (3, v)
        }),
        (any::<u32>(), proptest::collection::vec(arb_addr(), 1..4)).prop_map(|(lt, a)| {
            let mut v = vec![0, 0];
            v.extend_from_slice(&lt.to_be_bytes());
            for a in a {
                v.extend_from_slice(&a.octets());
            }
            (25, v)
        }),
        (0usize..4).prop_map(|n| (14, vec![0x5a; 6 + 8 * n])),
        (0usize..4).prop_map(|n| (4, vec![0x3c; 6 + 8 * n])),
        (200u8..=255, 0usize..4).prop_map(|(k, n)| (k, vec![0x11; 6 + 8 * n])),
    ]
}

proptest! {
    #[test]
    fn round_trip_messages(
        kind in 0u8..5,
        target in arb_unicast(),
        dest in arb_unicast(),
        lladdr in arb_mac(),
        nonce in proptest::option::of(any::<[u8; 6]>()),
        flags in any::<[bool; 3]>(),
        rh in proptest::option::of((0usize..20).prop_map(|n| vec![0x42u8; 8 * n])),
    ) {
        let r = match kind {
            0 => Repr::RouterSolicit { lladdr },
            1 => Repr::NeighborSolicit { target_addr: target, lladdr, nonce },
            2 => Repr::NeighborAdvert {
                router: flags[0], solicited: flags[1], override_: flags[2],
                target_addr: target, lladdr,
            },
            3 => Repr::Redirect {
                target_addr: target, dest_addr: target, lladdr, redirected_hdr: rh.as_deref(),
            },
            _ => Repr::Redirect {
                target_addr: Ipv6Addr::from(0xfe80_u128 << 112 | u128::from(target) >> 64),
                dest_addr: dest, lladdr, redirected_hdr: rh.as_deref(),
            },
        };
        let b = emit(&r, "fe80::1", "ff02::1");
        prop_assert_eq!(b.len(), r.buffer_len());
        prop_assert!(Packet::new_checked(&b[..]).unwrap().verify_checksum(&addr("fe80::1"), &addr("ff02::1")));
        prop_assert_eq!(parse(&b), Ok(r));
    }

    #[test]
    fn round_trip_router_advert(
        hop_limit in any::<u8>(),
        flags in any::<[bool; 2]>(),
        pref in 0u8..3,
        router_lifetime in any::<u16>(),
        times in any::<[u32; 2]>(),
        opts in proptest::collection::vec(arb_option(), 0..6),
    ) {
        let raws: Vec<Vec<u8>> = opts
            .iter()
            .map(|(k, v)| {
                let mut raw = vec![*k, ((v.len() + 2) / 8) as u8];
                raw.extend_from_slice(v);
                raw
            })
            .collect();
        let list: Vec<NdiscOption> = raws.iter().map(|r| NdiscOption::parse(r).unwrap().0).collect();
        let mut raw = vec![0u8; options_len(&list)];
        emit_options(&mut raw, &list);
        let options = NdiscOptions::new_checked(&raw).unwrap();
        prop_assert_eq!(options.iter().map(|o| o.unwrap()).collect::<Vec<_>>(), list.clone());
        let router_pref = match pref {
            _ if router_lifetime == 0 => RouterPreference::Medium,
            0 => RouterPreference::Low,
            1 => RouterPreference::Medium,
            _ => RouterPreference::High,
        };
        let r = Repr::RouterAdvert {
            hop_limit, managed: flags[0], other: flags[1], router_pref, router_lifetime,
            reachable_time: times[0], retrans_time: times[1], options,
        };
        let b = emit(&r, "fe80::1", "ff02::1");
        prop_assert_eq!(parse(&b), Ok(r));
    }

    #[test]
    fn random_options_never_panic(data in proptest::collection::vec(any::<u8>(), 0..120)) {
        for o in NdiscOptionIter::new(&data).flatten() {
            let _ = o.kind();
            let mut out = vec![0u8; o.buffer_len()];
            let n = o.emit(&mut out);
            prop_assert_eq!(n, out.len());
            prop_assert_eq!(NdiscOption::parse(&out).map(|(p, _)| p), Ok(o));
        }
        let opts = NdiscOptions::new_unchecked(&data);
        let _ = (opts.source_lladdr(), opts.target_lladdr(), opts.mtu(), opts.nonce(), opts.redirected_hdr());
        let _ = opts.prefix_infos().count();
        let _ = opts.rdnss().map(|r| r.addresses.iter().count()).sum::<usize>();
    }
}
