use super::*;
use crate::iface::reassembly::{FragmentInfo, Reassembler, ReassemblyConfig, ReassemblyKey, Slot};
use crate::wire::{IpEcn, Ipv4Addr, Ipv6Addr};
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 13 + 5) as u8).collect()
}

fn reassembler() -> Reassembler<'static> {
    let slots: Vec<Slot<'static>> = vec![Slot::new(vec![0u8; 65535])];
    Reassembler::new(slots, ReassemblyConfig::default())
}

/// Apply a permutation drawn from `seed` to `items`.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut rng = Rand::new(seed);
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u32 + 1) as usize;
        items.swap(i, j);
    }
}

// ---- IPv4 ----

/// Record Route (type 7: copied flag clear) with one empty slot, then
/// Router Alert (type 148: copied flag set), 11 bytes.
const OPTIONS: &[u8] = &[7, 7, 4, 0, 0, 0, 0, 148, 4, 0, 0];
/// What the first fragment carries: the options padded to 12.
const FIRST_OPTIONS: &[u8] = &[7, 7, 4, 0, 0, 0, 0, 148, 4, 0, 0, 0];
/// What the others carry (RFC 791 §3.1: copied options only).
const LATER_OPTIONS: &[u8] = &[148, 4, 0, 0];

fn v4_repr(options: &[u8], dont_frag: bool) -> ipv4::Repr<'_> {
    ipv4::Repr {
        src_addr: Ipv4Addr::new(192, 0, 2, 1),
        dst_addr: Ipv4Addr::new(198, 51, 100, 7),
        protocol: IpProtocol::Udp,
        payload_len: 0,
        ttl: 64,
        dscp: 10,
        ecn: IpEcn::Ect0,
        ident: 0x1234,
        dont_frag,
        more_frags: false,
        frag_offset: 0,
        options,
    }
}

/// Every packet the fragmenter writes, each through a buffer a little
/// larger than asked for.
fn fragment_v4(
    repr: ipv4::Repr<'_>,
    payload: &[u8],
    mtu: usize,
) -> Result<Vec<Vec<u8>>, FragmentError> {
    let mut f = Ipv4Fragmenter::new(repr, payload, mtu, Checksum::Both)?;
    let count = f.fragment_count();
    let mut out = Vec::new();
    while let Some(len) = f.next_len() {
        let mut buf = vec![0xa5; len + 3];
        assert_eq!(f.next_fragment(&mut buf), Some(len));
        buf.truncate(len);
        out.push(buf);
    }
    assert!(f.is_done());
    assert_eq!(f.next_fragment(&mut [0; 2000]), None);
    assert_eq!(out.len(), count);
    Ok(out)
}

/// Check the RFC 791 §3.2 rules on `packets` and reassemble them in the
/// order `seed` picks: the payload and the first fragment's header.
fn check_and_reassemble_v4(packets: &[Vec<u8>], mtu: usize, seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut expected_offset = 0;
    for (i, p) in packets.iter().enumerate() {
        let last = i + 1 == packets.len();
        assert!(p.len() <= mtu, "fragment {i} is {} > {mtu}", p.len());
        let packet = ipv4::Packet::new_checked(&p[..]).unwrap();
        let repr = ipv4::Repr::parse(&packet, Checksum::Both).unwrap();
        assert_eq!(
            usize::from(repr.frag_offset),
            expected_offset,
            "offset of {i}"
        );
        assert_eq!(repr.frag_offset % 8, 0);
        assert_eq!(repr.more_frags, !last, "MF of {i}");
        assert!(!repr.dont_frag);
        if !last {
            assert_eq!(repr.payload_len % 8, 0);
        }
        let options = if i == 0 { FIRST_OPTIONS } else { LATER_OPTIONS };
        assert_eq!(repr.options, options, "options of {i}");
        assert_eq!(
            (repr.ident, repr.ttl, repr.dscp, repr.ecn),
            (0x1234, 64, 10, IpEcn::Ect0)
        );
        expected_offset += repr.payload_len;
    }
    let mut order: Vec<usize> = (0..packets.len()).collect();
    shuffle(&mut order, seed);
    let mut r = reassembler();
    let mut result = None;
    for (n, &i) in order.iter().enumerate() {
        let packet = ipv4::Packet::new_checked(&packets[i][..]).unwrap();
        let repr = ipv4::Repr::parse(&packet, Checksum::Both).unwrap();
        let key = ReassemblyKey::Ipv4 {
            src_addr: repr.src_addr,
            dst_addr: repr.dst_addr,
            protocol: repr.protocol,
            ident: repr.ident,
        };
        let frag = FragmentInfo {
            offset: repr.frag_offset,
            more: repr.more_frags,
            payload: packet.payload(),
            header_len: repr.header_len(),
            ecn: repr.ecn,
        };
        let header = &packets[i][..repr.header_len()];
        let out = r
            .process(crate::time::Instant::ZERO, key, frag, Some(header))
            .unwrap();
        match out {
            Some(d) => {
                assert_eq!(n + 1, order.len(), "complete before the last fragment");
                result = Some((d.headers.to_vec(), d.payload.to_vec()));
            }
            None => assert!(n + 1 < order.len()),
        }
    }
    result.expect("reassembled")
}

#[test]
fn rfc791_fragments_round_trip_at_common_mtus() {
    for mtu in [576, 1280, 1500] {
        for len in [mtu, 1473, 4000, 8192 + 3] {
            let payload = data(len);
            let packets = fragment_v4(v4_repr(OPTIONS, false), &payload, mtu).unwrap();
            assert!(packets.len() > 1, "{mtu} {len}");
            let (header, got) = check_and_reassemble_v4(&packets, mtu, len as u64);
            assert_eq!(got, payload);
            assert_eq!(header, packets[0][..32].to_vec());
        }
    }
}

#[test]
fn rfc791_largest_datagram_round_trips() {
    // 65,535 - 20 - 12 bytes of options.
    let payload = data(65503);
    let packets = fragment_v4(v4_repr(OPTIONS, false), &payload, 576).unwrap();
    let (_, got) = check_and_reassemble_v4(&packets, 576, 1);
    assert_eq!(got, payload);
    let too_long = data(65504);
    assert_eq!(
        Ipv4Fragmenter::new(v4_repr(OPTIONS, false), &too_long, 576, Checksum::Both).err(),
        Some(FragmentError::TooLong)
    );
}

#[test]
fn rfc791_dont_fragment_is_refused() {
    let payload = data(2000);
    assert_eq!(
        Ipv4Fragmenter::new(v4_repr(&[], true), &payload, 1500, Checksum::Both).err(),
        Some(FragmentError::DontFragment { mtu: 1500 })
    );
    // DF on a datagram that fits is no obstacle.
    let packets = fragment_v4(v4_repr(&[], true), &payload[..1480], 1500).unwrap();
    assert_eq!(packets.len(), 1);
}

#[test]
fn a_datagram_that_fits_is_sent_unchanged() {
    let payload = data(1468);
    let repr = v4_repr(OPTIONS, false);
    let packets = fragment_v4(repr, &payload, 1500).unwrap();
    assert_eq!(packets.len(), 1);
    let full = ipv4::Repr {
        payload_len: payload.len(),
        ..repr
    };
    let mut expected = vec![0u8; full.total_len()];
    let mut packet = ipv4::Packet::new_unchecked(&mut expected[..]);
    full.emit(&mut packet, Checksum::Both);
    packet.payload_mut().copy_from_slice(&payload);
    assert_eq!(packets[0], expected);
}

#[test]
fn rfc791_mtu_below_68_or_without_room_is_refused() {
    let payload = data(100);
    assert_eq!(
        Ipv4Fragmenter::new(v4_repr(&[], false), &payload, 67, Checksum::Both).err(),
        Some(FragmentError::MtuTooSmall)
    );
    // 40 bytes of options leave 8 in 68: just enough.
    let options = [1u8; 40];
    assert!(Ipv4Fragmenter::new(v4_repr(&options, false), &payload, 68, Checksum::Both).is_ok());
    assert_eq!(
        Ipv4Fragmenter::new(
            v4_repr(&[148, 4, 0, 0, 0x83, 3, 4], false),
            &payload,
            7,
            Checksum::Both
        )
        .err(),
        Some(FragmentError::MtuTooSmall)
    );
    // Malformed options (length 1) cannot be filtered.
    assert_eq!(
        Ipv4Fragmenter::new(v4_repr(&[7, 1], false), &payload, 68, Checksum::Both).err(),
        Some(FragmentError::BadOptions)
    );
}

#[test]
fn a_short_buffer_writes_nothing_and_keeps_the_fragment() {
    let payload = data(3000);
    let mut f = Ipv4Fragmenter::new(v4_repr(&[], false), &payload, 1500, Checksum::Both).unwrap();
    let len = f.next_len().unwrap();
    assert_eq!(len, 1500);
    let mut small = vec![0u8; len - 1];
    assert_eq!(f.next_fragment(&mut small), None);
    assert!(small.iter().all(|&b| b == 0));
    assert!(!f.is_done());
    assert_eq!(f.next_len(), Some(len));
    let mut buf = vec![0u8; len];
    assert_eq!(f.next_fragment(&mut buf), Some(len));
    let packet = ipv4::Packet::new_checked(&buf[..]).unwrap();
    assert_eq!(packet.frag_offset(), 0);
}

#[test]
fn a_fragment_is_fragmented_further_keeping_its_offset_and_mf() {
    // A router-style re-fragmentation: the input is itself the middle
    // fragment at offset 1480.
    let payload = data(1480);
    let repr = ipv4::Repr {
        more_frags: true,
        frag_offset: 1480,
        ..v4_repr(&[], false)
    };
    let packets = fragment_v4(repr, &payload, 576).unwrap();
    assert_eq!(packets.len(), 3);
    for (i, p) in packets.iter().enumerate() {
        let packet = ipv4::Packet::new_checked(&p[..]).unwrap();
        assert!(packet.more_frags(), "{i}");
        assert_eq!(usize::from(packet.frag_offset()), 1480 + i * 552);
    }
}

// ---- IPv6 ----

/// A Hop-by-Hop header (Next Header UDP, PadN over its 6 option bytes).
const HBH: [u8; 8] = [17, 0, 1, 4, 0, 0, 0, 0];

fn v6_repr(next_header: IpProtocol) -> ipv6::Repr {
    ipv6::Repr {
        src_addr: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
        dst_addr: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2),
        next_header,
        payload_len: 0,
        hop_limit: 64,
        dscp: 0,
        ecn: IpEcn::NotEct,
        flow_label: 0x12345,
    }
}

fn fragment_v6(
    repr: ipv6::Repr,
    payload: &[u8],
    unfragmentable_len: usize,
    mtu: usize,
    rand: &mut Rand,
) -> Result<(Vec<Vec<u8>>, u32), FragmentError> {
    let mut f = Ipv6Fragmenter::new(repr, payload, unfragmentable_len, mtu, rand)?;
    let count = f.fragment_count();
    let mut out = Vec::new();
    while let Some(len) = f.next_len() {
        let mut buf = vec![0x5a; len + 5];
        assert_eq!(f.next_fragment(&mut buf[..len - 1]), None);
        assert_eq!(f.next_fragment(&mut buf), Some(len));
        buf.truncate(len);
        out.push(buf);
    }
    assert!(f.is_done());
    assert_eq!(out.len(), count);
    Ok((out, f.ident()))
}

/// Check RFC 8200 §4.5 on `packets` (each with `unfrag` bytes of
/// unfragmentable part) and reassemble them in `seed`'s order.
fn check_and_reassemble_v6(
    packets: &[Vec<u8>],
    unfrag: &[u8],
    mtu: usize,
    ident: u32,
    seed: u64,
) -> (Vec<u8>, Vec<u8>) {
    let frag_at = ipv6::HEADER_LEN + unfrag.len();
    let data_at = frag_at + ipv6ext::fragment::HEADER_LEN;
    let mut expected_offset = 0;
    for (i, p) in packets.iter().enumerate() {
        let last = i + 1 == packets.len();
        assert!(p.len() <= mtu, "fragment {i} is {} > {mtu}", p.len());
        let packet = ipv6::Packet::new_checked(&p[..]).unwrap();
        let repr = ipv6::Repr::parse(&packet).unwrap();
        assert_eq!(usize::from(repr.payload_len) + ipv6::HEADER_LEN, p.len());
        assert_eq!(repr.flow_label, 0x12345);
        // The unfragmentable part is repeated, its last Next Header now
        // naming the Fragment header.
        if unfrag.is_empty() {
            assert_eq!(repr.next_header, IpProtocol::Ipv6Frag);
        } else {
            assert_eq!(repr.next_header, IpProtocol::HopByHop);
            assert_eq!(p[ipv6::HEADER_LEN], 44);
            assert_eq!(&p[ipv6::HEADER_LEN + 1..frag_at], &unfrag[1..]);
        }
        let header = ipv6ext::fragment::Header::new_checked(&p[frag_at..]).unwrap();
        let fr = ipv6ext::fragment::Repr::parse(&header).unwrap();
        assert_eq!(fr.next_header, IpProtocol::Udp);
        assert_eq!(fr.ident, ident);
        assert_eq!(
            usize::from(fr.frag_offset),
            expected_offset,
            "offset of {i}"
        );
        assert_eq!(fr.more_frags, !last);
        if !last {
            assert_eq!((p.len() - data_at) % 8, 0);
        }
        expected_offset += p.len() - data_at;
    }
    let mut order: Vec<usize> = (0..packets.len()).collect();
    shuffle(&mut order, seed);
    let mut r = reassembler();
    let mut result = None;
    for (n, &i) in order.iter().enumerate() {
        let p = &packets[i];
        let header = ipv6ext::fragment::Header::new_checked(&p[frag_at..]).unwrap();
        let fr = ipv6ext::fragment::Repr::parse(&header).unwrap();
        let key = ReassemblyKey::Ipv6 {
            src_addr: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
            dst_addr: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2),
            ident: fr.ident,
        };
        let frag = FragmentInfo {
            offset: fr.frag_offset,
            more: fr.more_frags,
            payload: &p[data_at..],
            header_len: unfrag.len(),
            ecn: IpEcn::NotEct,
        };
        match r
            .process(crate::time::Instant::ZERO, key, frag, Some(&p[..data_at]))
            .unwrap()
        {
            Some(d) => {
                assert_eq!(n + 1, order.len());
                result = Some((d.headers.to_vec(), d.payload.to_vec()));
            }
            None => assert!(n + 1 < order.len()),
        }
    }
    result.expect("reassembled")
}

#[test]
fn rfc8200_fragments_round_trip_with_and_without_unfragmentable_part() {
    let mut rand = Rand::new(7);
    for mtu in [1280, 1500, 9000] {
        for len in [1500, 4000, 20_000] {
            let upper = data(len);
            // Fragment header right after the fixed header.
            let (packets, ident) =
                fragment_v6(v6_repr(IpProtocol::Udp), &upper, 0, mtu, &mut rand).unwrap();
            if packets.len() == 1 {
                // It fits: sent whole (see rfc8200_packet_that_fits_is_not_fragmented).
                assert!(ipv6::HEADER_LEN + len <= mtu);
                continue;
            }
            let (headers, got) = check_and_reassemble_v6(&packets, &[], mtu, ident, len as u64);
            assert_eq!(got, upper);
            assert_eq!(headers, packets[0][..48].to_vec());
            // After a Hop-by-Hop header.
            let mut payload = HBH.to_vec();
            payload.extend_from_slice(&upper);
            if ipv6::HEADER_LEN + payload.len() <= mtu {
                continue;
            }
            let (packets, ident) =
                fragment_v6(v6_repr(IpProtocol::HopByHop), &payload, 8, mtu, &mut rand).unwrap();
            let (_, got) = check_and_reassemble_v6(&packets, &HBH, mtu, ident, mtu as u64);
            assert_eq!(got, upper);
        }
    }
}

#[test]
fn rfc7739_identifications_are_unpredictable() {
    let upper = data(3000);
    let mut rand = Rand::new(1);
    let idents: Vec<u32> = (0..8)
        .map(|_| {
            Ipv6Fragmenter::new(v6_repr(IpProtocol::Udp), &upper, 0, 1280, &mut rand)
                .unwrap()
                .ident()
        })
        .collect();
    // Not a counter: no two consecutive values differ by one, all distinct.
    for w in idents.windows(2) {
        assert!(w[1].wrapping_sub(w[0]) != 1, "{idents:?}");
    }
    let distinct: std::collections::BTreeSet<u32> = idents.iter().copied().collect();
    assert_eq!(distinct.len(), idents.len());
    // Another seed, another sequence.
    let other = Ipv6Fragmenter::new(v6_repr(IpProtocol::Udp), &upper, 0, 1280, &mut Rand::new(2))
        .unwrap()
        .ident();
    assert_ne!(other, idents[0]);
}

#[test]
fn rfc8200_packet_that_fits_is_not_fragmented() {
    let mut rand = Rand::new(3);
    let mut payload = HBH.to_vec();
    payload.extend_from_slice(&data(1000));
    let (packets, ident) =
        fragment_v6(v6_repr(IpProtocol::HopByHop), &payload, 8, 1280, &mut rand).unwrap();
    assert_eq!((packets.len(), ident), (1, 0));
    let packet = ipv6::Packet::new_checked(&packets[0][..]).unwrap();
    assert_eq!(packet.next_header(), IpProtocol::HopByHop);
    assert_eq!(packet.payload(), &payload[..]);
}

#[test]
fn rfc8200_bad_mtu_or_unfragmentable_part_is_refused() {
    let mut rand = Rand::new(4);
    let mut payload = HBH.to_vec();
    payload.extend_from_slice(&data(3000));
    let repr = v6_repr(IpProtocol::HopByHop);
    let cases: [(usize, usize, FragmentError); 4] = [
        (8, 1279, FragmentError::MtuTooSmall),
        (4, 1280, FragmentError::BadUnfragmentablePart), // inside the header
        (16, 1280, FragmentError::BadUnfragmentablePart), // past it
        (5000, 1280, FragmentError::BadUnfragmentablePart), // past the packet
    ];
    for (unfrag, mtu, err) in cases {
        assert_eq!(
            Ipv6Fragmenter::new(repr, &payload, unfrag, mtu, &mut rand).err(),
            Some(err),
            "{unfrag} {mtu}"
        );
    }
    // A packet that is already a fragment.
    let mut frag = vec![17, 0, 0, 1, 0, 0, 0, 9];
    frag.extend_from_slice(&data(3000));
    assert_eq!(
        Ipv6Fragmenter::new(v6_repr(IpProtocol::Ipv6Frag), &frag, 0, 1280, &mut rand).err(),
        Some(FragmentError::BadUnfragmentablePart)
    );
    // An unfragmentable part that leaves no room for data: a 1288-byte
    // Hop-by-Hop header (Hdr Ext Len 160) is past 1280 on its own.
    let mut payload = vec![0u8; 161 * 8];
    payload[..2].copy_from_slice(&[17, 160]);
    payload.extend_from_slice(&data(100));
    assert_eq!(
        Ipv6Fragmenter::new(repr, &payload, 161 * 8, 1280, &mut rand).err(),
        Some(FragmentError::MtuTooSmall)
    );
    // More than 65,535 bytes after the fixed header.
    let huge = data(65536);
    assert_eq!(
        Ipv6Fragmenter::new(v6_repr(IpProtocol::Udp), &huge, 0, 1280, &mut rand).err(),
        Some(FragmentError::TooLong)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn ipv4_round_trip_any_size(len in 0usize..=65503, mtu_i in 0usize..3, seed in any::<u64>()) {
        let mtu = [576, 1280, 1500][mtu_i];
        let payload = data(len);
        let packets = fragment_v4(v4_repr(OPTIONS, false), &payload, mtu).unwrap();
        if packets.len() == 1 {
            let packet = ipv4::Packet::new_checked(&packets[0][..]).unwrap();
            prop_assert!(!packet.is_fragment());
            prop_assert_eq!(packet.payload(), &payload[..]);
        } else {
            let (_, got) = check_and_reassemble_v4(&packets, mtu, seed);
            prop_assert_eq!(got, payload);
        }
    }

    #[test]
    fn ipv6_round_trip_any_size(len in 0usize..=65527, mtu_i in 0usize..3, seed in any::<u64>(), hbh in any::<bool>()) {
        let mtu = [1280, 1500, 9000][mtu_i];
        let upper = data(len);
        let mut rand = Rand::new(seed);
        let (repr, payload, unfrag) = if hbh {
            let mut p = HBH.to_vec();
            p.extend_from_slice(&upper);
            (v6_repr(IpProtocol::HopByHop), p, &HBH[..])
        } else {
            (v6_repr(IpProtocol::Udp), upper.clone(), &[][..])
        };
        let (packets, ident) = fragment_v6(repr, &payload, unfrag.len(), mtu, &mut rand).unwrap();
        if packets.len() == 1 {
            let packet = ipv6::Packet::new_checked(&packets[0][..]).unwrap();
            prop_assert_eq!(packet.payload(), &payload[..]);
        } else {
            let (_, got) = check_and_reassemble_v6(&packets, unfrag, mtu, ident, seed);
            prop_assert_eq!(got, upper);
        }
    }
}

#[test]
fn either_family_through_one_loop() {
    let payload = data(5000);
    let mut rand = Rand::new(9);
    let v4 = Ipv4Fragmenter::new(v4_repr(&[], false), &payload, 1500, Checksum::Both).unwrap();
    let v6 = Ipv6Fragmenter::new(v6_repr(IpProtocol::Udp), &payload, 0, 1500, &mut rand).unwrap();
    for (mut f, version) in [(Fragmenter::from(v4), 4u8), (Fragmenter::from(v6), 6)] {
        let expected = f.fragment_count();
        let mut buf = [0u8; 1500];
        let mut n = 0;
        while let Some(len) = f.next_len() {
            assert_eq!(f.next_fragment(&mut buf), Some(len));
            assert_eq!(buf[0] >> 4, version);
            n += 1;
        }
        assert!(f.is_done());
        assert_eq!((n, expected), (4, 4));
    }
}
