use super::*;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

const T0: Instant = Instant::from_secs(100);
const HEADERS: &[u8] = b"first fragment header bytes";

fn v4_key(ident: u16) -> ReassemblyKey {
    ReassemblyKey::Ipv4 {
        src_addr: Ipv4Addr::new(192, 0, 2, 1),
        dst_addr: Ipv4Addr::new(192, 0, 2, 2),
        protocol: IpProtocol::Udp,
        ident,
    }
}

fn v6_key(ident: u32) -> ReassemblyKey {
    ReassemblyKey::Ipv6 {
        src_addr: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
        dst_addr: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2),
        ident,
    }
}

fn reassembler_with(
    slots: usize,
    capacity: usize,
    config: ReassemblyConfig,
) -> Reassembler<'static> {
    let slots: Vec<Slot<'static>> = (0..slots).map(|_| Slot::new(vec![0u8; capacity])).collect();
    Reassembler::new(slots, config)
}

fn reassembler(slots: usize, capacity: usize) -> Reassembler<'static> {
    reassembler_with(slots, capacity, ReassemblyConfig::default())
}

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + 3) as u8).collect()
}

fn frag(offset: u16, more: bool, payload: &[u8]) -> FragmentInfo<'_> {
    FragmentInfo {
        offset,
        more,
        payload,
        header_len: 20,
        ecn: IpEcn::NotEct,
    }
}

/// A reassembled datagram as owned (headers, payload).
type Owned = (Vec<u8>, Vec<u8>);

/// A fragment as (start, end) of the payload.
type Piece = (usize, usize);

/// A fragment as (offset, more, length).
type Cut = (u16, bool, usize);

/// Feed `data[start..end]` as a fragment; the outcome as owned bytes.
fn feed(
    r: &mut Reassembler<'_>,
    now: Instant,
    key: ReassemblyKey,
    payload: &[u8],
    start: usize,
    end: usize,
) -> Result<Option<Owned>, DropReason> {
    let f = frag(start as u16, end < payload.len(), &payload[start..end]);
    r.process(now, key, f, Some(HEADERS))
        .map(|o| o.map(|d| (d.headers.to_vec(), d.payload.to_vec())))
}

#[test]
fn rfc791_rfc8200_every_order_reassembles() {
    let payload = data(37);
    let pieces = [(0, 16), (16, 32), (32, 37)];
    let orders: [[usize; 3]; 6] = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for key in [v4_key(7), v6_key(7)] {
        for order in orders {
            let mut r = reassembler(2, 1500);
            for (n, &i) in order.iter().enumerate() {
                let (s, e) = pieces[i];
                let out = feed(&mut r, T0, key, &payload, s, e).unwrap();
                if n < 2 {
                    assert_eq!(out, None, "{key:?} {order:?}");
                } else {
                    let (headers, got) = out.unwrap();
                    assert_eq!(got, payload);
                    assert_eq!(headers, HEADERS);
                }
            }
            let c = r.counters();
            assert_eq!((c.reasm_reqds, c.reasm_oks, c.reasm_fails), (3, 1, 0));
            assert_eq!(r.in_progress(), 0);
            assert_eq!(r.memory_used(), (0, 0));
            assert_eq!(r.poll_at(), None);
        }
    }
}

#[test]
fn rfc6946_atomic_fragment_is_processed_in_isolation() {
    let payload = data(24);
    let mut r = reassembler(1, 1500);
    let key = v6_key(1);
    assert_eq!(feed(&mut r, T0, key, &payload, 0, 16), Ok(None));
    // Same key, offset 0, M clear: a whole packet of its own.
    let atomic = frag(0, false, b"whole");
    assert!(atomic.is_atomic());
    assert!(!frag(0, true, b"x").is_atomic());
    assert!(!frag(8, false, b"x").is_atomic());
    let got = r.process(T0, key, atomic, Some(b"hdr")).unwrap().unwrap();
    assert_eq!((got.payload, got.headers), (&b"whole"[..], &b"hdr"[..]));
    let c = r.counters();
    assert_eq!((c.atomic_fragments, c.reasm_reqds), (1, 1));
    assert_eq!(r.in_progress(), 1);
    // The datagram in progress is untouched and completes.
    let (_, got) = feed(&mut r, T0, key, &payload, 16, 24).unwrap().unwrap();
    assert_eq!(got, payload);
}

#[test]
fn rfc5722_overlap_drops_whole_datagram_and_later_fragments() {
    let payload = data(48);
    // (held fragment, overlapping fragment, bytes of the second differ?)
    let cases: [(Piece, Piece, bool); 5] = [
        ((0, 16), (8, 24), false),  // overlaps the end
        ((16, 32), (8, 24), false), // overlaps the start
        ((8, 16), (0, 24), false),  // covers it
        ((0, 24), (8, 16), true),   // inside, different bytes
        ((16, 48), (24, 40), true), // inside, different bytes, last fragment held
    ];
    for key in [v4_key(9), v6_key(9)] {
        for &(held, over, corrupt) in &cases {
            let mut r = reassembler(1, 1500);
            assert_eq!(feed(&mut r, T0, key, &payload, held.0, held.1), Ok(None));
            let mut bad = payload.clone();
            if corrupt {
                bad[over.0] ^= 0xff;
            }
            let f = frag(over.0 as u16, true, &bad[over.0..over.1]);
            assert_eq!(
                r.process(T0, key, f, None),
                Err(DropReason::Overlap),
                "{held:?} {over:?}"
            );
            assert_eq!(r.memory_used(), (0, 0));
            assert_eq!(r.in_progress(), 0);
            // RFC 5722 §4: the fragments not yet received are discarded too.
            for (s, e) in [(0, 16), (16, 32), (32, 48)] {
                assert_eq!(
                    feed(&mut r, T0 + Duration::from_secs(1), key, &payload, s, e),
                    Err(DropReason::Discarded)
                );
            }
            let c = r.counters();
            assert_eq!((c.reasm_overlaps, c.reasm_fails, c.discarded), (1, 1, 3));
            // Until the original deadline; no Time Exceeded for it.
            let timeout = ReassemblyConfig::default().limits(key.family()).timeout;
            assert_eq!(r.poll_at(), Some(T0 + timeout));
            let mut called = false;
            assert_eq!(r.poll(T0 + timeout, |_| called = true), 0);
            assert!(!called);
            assert_eq!(r.counters().reasm_timeout, 0);
            let later = T0 + timeout;
            assert_eq!(feed(&mut r, later, key, &payload, 0, 16), Ok(None));
            assert_eq!(feed(&mut r, later, key, &payload, 32, 48), Ok(None));
            let (_, got) = feed(&mut r, later, key, &payload, 16, 32).unwrap().unwrap();
            assert_eq!(got, payload);
        }
    }
}

#[test]
fn rfc8200_exact_duplicates_are_dropped_alone() {
    let payload = data(40);
    let mut r = reassembler(1, 1500);
    let key = v6_key(3);
    assert_eq!(feed(&mut r, T0, key, &payload, 0, 16), Ok(None));
    assert_eq!(
        feed(&mut r, T0, key, &payload, 0, 16),
        Err(DropReason::Duplicate)
    );
    assert_eq!(feed(&mut r, T0, key, &payload, 16, 24), Ok(None));
    // Same bytes cut differently (an IPv4 router re-fragmented a copy):
    // all held, all equal.
    assert_eq!(
        feed(&mut r, T0, key, &payload, 8, 24),
        Err(DropReason::Duplicate)
    );
    assert_eq!(feed(&mut r, T0, key, &payload, 32, 40), Ok(None));
    // A copy of the last fragment repeats the known total.
    assert_eq!(
        feed(&mut r, T0, key, &payload, 32, 40),
        Err(DropReason::Duplicate)
    );
    assert_eq!(r.counters().duplicates, 3);
    assert_eq!(r.memory_used(), (0, 32));
    let (_, got) = feed(&mut r, T0, key, &payload, 24, 32).unwrap().unwrap();
    assert_eq!(got, payload);
    assert_eq!(r.counters().reasm_fails, 0);
}

#[test]
fn held_bytes_repeated_as_a_new_last_fragment_are_an_overlap() {
    // Bytes 8..16 are held from a fragment that said more follow; the
    // same bytes with M clear would set a total: not an exact duplicate.
    let payload = data(32);
    let mut r = reassembler(1, 1500);
    let key = v4_key(3);
    assert_eq!(feed(&mut r, T0, key, &payload, 0, 16), Ok(None));
    let f = frag(8, false, &payload[8..16]);
    assert_eq!(r.process(T0, key, f, None), Err(DropReason::Overlap));
}

#[test]
fn rfc8200_non_last_fragment_not_multiple_of_8_is_bad_length() {
    let mut r = reassembler(1, 1500);
    let key = v6_key(4);
    let payload = data(13);
    let f = frag(8, true, &payload);
    assert_eq!(r.process(T0, key, f, None), Err(DropReason::BadLength));
    assert_eq!(
        DropReason::BadLength.parameter_problem(),
        Some(ParameterProblem::PayloadLength)
    );
    assert_eq!(r.in_progress(), 0);
    assert_eq!(r.counters().bad_length, 1);
    // The last fragment may have any length.
    let f = frag(8, false, &payload);
    assert_eq!(r.process(T0, key, f, None), Ok(None));
}

#[test]
fn rfc8200_fragment_past_65535_is_too_long() {
    let eight = [0u8; 8];
    let fifteen = [0u8; 15];
    // (offset, payload, more, header_len, accepted?)
    let cases: [(u16, &[u8], bool, usize, bool); 5] = [
        (65528, &eight, false, 0, false),  // 65536
        (65512, &eight, true, 20, false),  // 65540 with the IPv4 header
        (65520, &fifteen, false, 0, true), // exactly 65535
        (65504, &eight, true, 20, true),   // 65532
        (65496, &eight, true, 40, false),  // 65544 with unfragmentable part
    ];
    for (offset, payload, more, header_len, ok) in cases {
        let mut r = reassembler(1, 65535);
        let f = FragmentInfo {
            offset,
            more,
            payload,
            header_len,
            ecn: IpEcn::NotEct,
        };
        let out = r.process(T0, v6_key(5), f, None);
        if ok {
            assert_eq!(out, Ok(None), "{offset} {header_len}");
        } else {
            assert_eq!(out, Err(DropReason::TooLong), "{offset} {header_len}");
            assert_eq!(r.in_progress(), 0);
        }
    }
    assert_eq!(
        DropReason::TooLong.parameter_problem(),
        Some(ParameterProblem::FragmentOffset)
    );
    assert_eq!(DropReason::Overlap.parameter_problem(), None);
}

#[test]
fn rfc791_first_header_and_total_past_65535_drop_the_datagram() {
    let mut r = reassembler(1, 65535);
    let key = v4_key(6);
    // Each fragment fits on its own (20-byte header on the last), but the
    // 60-byte header of the first makes 60 + 65487 > 65535.
    let first = FragmentInfo {
        offset: 0,
        more: true,
        payload: &[0; 8],
        header_len: 60,
        ecn: IpEcn::NotEct,
    };
    assert_eq!(r.process(T0, key, first, None), Ok(None));
    let last = frag(65480, false, &[0; 7]);
    assert_eq!(r.process(T0, key, last, None), Err(DropReason::TooLong));
    assert_eq!(r.counters().reasm_fails, 1);
    assert_eq!(
        r.process(T0, key, frag(8, true, &[0; 8]), None),
        Err(DropReason::Discarded)
    );
}

#[test]
fn empty_and_misaligned_fragments_are_dropped_without_state() {
    let mut r = reassembler(1, 1500);
    let key = v4_key(1);
    assert_eq!(
        r.process(T0, key, frag(8, true, &[]), None),
        Err(DropReason::Empty)
    );
    assert_eq!(
        r.process(T0, key, frag(8, false, &[]), None),
        Err(DropReason::Empty)
    );
    assert_eq!(
        r.process(T0, key, frag(4, true, &[0; 8]), None),
        Err(DropReason::Misaligned)
    );
    assert_eq!(r.in_progress(), 0);
    let c = r.counters();
    assert_eq!((c.empty, c.misaligned, c.reasm_fails), (2, 1, 0));
}

#[test]
fn length_conflicts_drop_the_datagram() {
    let payload = data(64);
    // Two fragments, the second conflicting with the first.
    let cases: [(Cut, Cut); 4] = [
        ((32, false, 8), (48, false, 8)), // two different totals
        ((32, false, 8), (32, true, 16)), // M set past the total
        ((48, true, 8), (32, false, 8)),  // last fragment before held data
        ((32, false, 8), (40, true, 8)),  // starts at the total
    ];
    for (a, b) in cases {
        let mut r = reassembler(1, 1500);
        let key = v4_key(2);
        let fa = frag(a.0, a.1, &payload[..a.2]);
        assert_eq!(r.process(T0, key, fa, None), Ok(None));
        let fb = frag(b.0, b.1, &payload[..b.2]);
        assert_eq!(
            r.process(T0, key, fb, None),
            Err(DropReason::LengthConflict),
            "{a:?} {b:?}"
        );
        assert_eq!(r.memory_used(), (0, 0));
        assert_eq!(
            r.process(T0, key, frag(0, true, &payload[..8]), None),
            Err(DropReason::Discarded)
        );
        assert_eq!(r.counters().length_conflicts, 1);
    }
}

#[test]
fn rfc1122_time_exceeded_only_when_first_fragment_arrived() {
    let payload = data(48);
    let key = v4_key(11);
    let deadline = T0 + Duration::from_secs(30);

    let mut r = reassembler(2, 1500);
    assert_eq!(feed(&mut r, T0, key, &payload, 0, 16), Ok(None));
    assert_eq!(feed(&mut r, T0, key, &payload, 32, 48), Ok(None));
    assert_eq!(r.poll_at(), Some(deadline));
    let mut seen = Vec::new();
    let mut record = |t: TimedOut<'_>| seen.push((t.key, t.headers.to_vec(), t.payload.to_vec()));
    assert_eq!(r.poll(deadline - Duration::from_micros(1), &mut record), 0);
    assert_eq!(r.poll(deadline, &mut record), 1);
    assert_eq!(seen, vec![(key, HEADERS.to_vec(), payload[..16].to_vec())]);
    let c = r.counters();
    assert_eq!((c.reasm_timeout, c.reasm_fails, c.reasm_oks), (1, 1, 0));
    assert_eq!(r.memory_used(), (0, 0));
    assert_eq!(r.poll_at(), None);

    // Without the fragment at offset 0: silent.
    let mut r = reassembler(2, 1500);
    assert_eq!(feed(&mut r, T0, key, &payload, 16, 32), Ok(None));
    let mut called = false;
    assert_eq!(r.poll(deadline, |_| called = true), 1);
    assert!(!called);
    assert_eq!(r.counters().reasm_timeout, 1);
}

#[test]
fn timeout_runs_from_the_first_arriving_fragment() {
    let payload = data(48);
    // ipfrag_time 30 s, ip6frag_time 60 s (RFC 8200 §4.5).
    for (key, secs) in [(v4_key(1), 30), (v6_key(1), 60)] {
        let mut r = reassembler(1, 1500);
        assert_eq!(feed(&mut r, T0, key, &payload, 16, 32), Ok(None));
        let later = T0 + Duration::from_secs(secs - 1);
        assert_eq!(feed(&mut r, later, key, &payload, 0, 16), Ok(None));
        let deadline = T0 + Duration::from_secs(secs);
        assert_eq!(r.poll_at(), Some(deadline));
        let mut n = 0;
        assert_eq!(r.poll(deadline, |_| n += 1), 1);
        assert_eq!(n, 1);
        // A late fragment starts a new datagram.
        assert_eq!(feed(&mut r, deadline, key, &payload, 32, 48), Ok(None));
        assert_eq!(r.poll_at(), Some(deadline + Duration::from_secs(secs)));
    }
}

#[test]
fn memory_threshold_refuses_new_datagrams_per_family() {
    let mut config = ReassemblyConfig::default();
    config.ipv4.high_thresh = 64;
    let payload = data(80);
    let mut r = reassembler_with(4, 1500, config);
    assert_eq!(feed(&mut r, T0, v4_key(1), &payload, 0, 48), Ok(None));
    assert_eq!(
        feed(&mut r, T0, v4_key(2), &payload, 0, 24),
        Err(DropReason::MemoryLimit)
    );
    // A datagram already started continues.
    assert_eq!(feed(&mut r, T0, v4_key(1), &payload, 48, 72), Ok(None));
    assert_eq!(r.memory_used(), (72, 0));
    // IPv6 has its own budget.
    assert_eq!(feed(&mut r, T0, v6_key(2), &payload, 0, 24), Ok(None));
    let c = r.counters();
    assert_eq!((c.memory_limit, c.reasm_fails), (1, 1));
    // Threshold 0 disables reassembly.
    config.ipv6.high_thresh = 0;
    r.set_config(config);
    assert_eq!(
        feed(&mut r, T0, v6_key(3), &payload, 0, 8),
        Err(DropReason::MemoryLimit)
    );
}

#[test]
fn slot_limit_refuses_and_reclaims_dropped_datagrams() {
    let payload = data(48);
    let mut r = reassembler(2, 1500);
    assert_eq!(feed(&mut r, T0, v4_key(1), &payload, 0, 16), Ok(None));
    assert_eq!(feed(&mut r, T0, v4_key(2), &payload, 0, 16), Ok(None));
    assert_eq!(
        feed(&mut r, T0, v4_key(3), &payload, 0, 16),
        Err(DropReason::NoSlot)
    );
    assert_eq!(r.counters().no_slot, 1);
    // Datagram 2 is dropped for an overlap; its slot goes to a newcomer.
    assert_eq!(
        feed(&mut r, T0, v4_key(2), &payload, 8, 24),
        Err(DropReason::Overlap)
    );
    assert_eq!(feed(&mut r, T0, v4_key(3), &payload, 0, 16), Ok(None));
    assert_eq!(r.counters().slot_reclaims, 1);
    assert_eq!(r.in_progress(), 2);
    r.clear();
    assert_eq!(
        (r.in_progress(), r.memory_used(), r.poll_at()),
        (0, (0, 0), None)
    );
}

#[test]
fn datagram_larger_than_its_slot_is_dropped() {
    let payload = data(64);
    let mut r = reassembler(1, 32);
    // No slot can hold a fragment ending at 40.
    assert_eq!(
        feed(&mut r, T0, v4_key(1), &payload, 32, 40),
        Err(DropReason::BufferTooSmall)
    );
    assert_eq!(r.in_progress(), 0);
    // A datagram that grows past its slot is dropped whole.
    assert_eq!(feed(&mut r, T0, v4_key(2), &payload, 0, 16), Ok(None));
    assert_eq!(
        feed(&mut r, T0, v4_key(2), &payload, 32, 48),
        Err(DropReason::BufferTooSmall)
    );
    assert_eq!(
        feed(&mut r, T0, v4_key(2), &payload, 16, 32),
        Err(DropReason::Discarded)
    );
    assert_eq!(r.counters().buffer_too_small, 2);
}

#[test]
fn too_many_holes_drop_the_datagram() {
    let payload = data(8 * 2 * (MAX_RANGES + 1));
    let mut r = reassembler(1, 65535);
    let key = v6_key(1);
    for i in 0..MAX_RANGES {
        let s = i * 16;
        assert_eq!(feed(&mut r, T0, key, &payload, s, s + 8), Ok(None), "{i}");
    }
    let s = MAX_RANGES * 16;
    assert_eq!(
        feed(&mut r, T0, key, &payload, s, s + 8),
        Err(DropReason::TooManyHoles)
    );
    assert_eq!(r.memory_used(), (0, 0));
    assert_eq!(r.counters().too_many_holes, 1);
}

#[test]
fn filling_a_hole_merges_ranges() {
    let mut a = Assembler::new();
    for (s, e) in [(16, 24), (0, 8), (32, 40)] {
        a.insert(s, e).unwrap();
    }
    assert_eq!(a.ranges(), &[(0, 8), (16, 24), (32, 40)]);
    a.insert(8, 16).unwrap();
    assert_eq!(a.ranges(), &[(0, 24), (32, 40)]);
    a.insert(24, 32).unwrap();
    assert_eq!(a.ranges(), &[(0, 40)]);
    assert!(a.is_complete(40));
    assert_eq!((a.contiguous_from_zero(), a.max_end()), (40, 40));
    assert_eq!(a.overlap(8, 16), Overlap::Contained);
    assert_eq!(a.overlap(36, 48), Overlap::Partial);
    assert_eq!(a.overlap(40, 48), Overlap::None);
}

#[test]
fn first_fragment_headers_are_bounded() {
    let mut r = reassembler(1, 1500);
    let key = v6_key(8);
    let long = [0u8; MAX_SAVED_HEADERS_LEN + 1];
    assert_eq!(
        r.process(T0, key, frag(0, true, &[0; 8]), Some(&long)),
        Err(DropReason::HeadersTooLong)
    );
    // Headers passed with a non-first fragment are ignored.
    let mut r = reassembler(1, 1500);
    assert_eq!(
        r.process(T0, key, frag(8, false, &[1; 8]), Some(&long)),
        Ok(None)
    );
    let d = r
        .process(T0, key, frag(0, true, &[2; 8]), Some(b"v6 hdr"))
        .unwrap()
        .unwrap();
    assert_eq!(d.headers, b"v6 hdr");
    assert_eq!(d.payload, &[2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
}

#[test]
fn rfc3168_ecn_codepoints_combine_or_drop() {
    use IpEcn::*;
    // (first, second, outcome: Some(ecn) or None for a drop)
    let cases = [
        (NotEct, NotEct, Some(NotEct)),
        (NotEct, Ect0, None),
        (Ce, NotEct, None),
        (Ect0, Ce, Some(Ce)),
        (Ce, Ect1, Some(Ce)),
        (Ect1, Ect0, Some(Ect1)),
    ];
    for (a, b, want) in cases {
        let mut r = reassembler(1, 1500);
        let key = v4_key(1);
        let mut fa = frag(0, true, &[0; 8]);
        fa.ecn = a;
        assert_eq!(r.process(T0, key, fa, None), Ok(None));
        let mut fb = frag(8, false, &[0; 8]);
        fb.ecn = b;
        match want {
            Some(ecn) => {
                let d = r.process(T0, key, fb, None).unwrap().unwrap();
                assert_eq!(d.ecn, ecn, "{a:?} {b:?}");
            }
            None => {
                assert_eq!(r.process(T0, key, fb, None), Err(DropReason::EcnMismatch));
                assert_eq!(r.counters().ecn_mismatches, 1);
            }
        }
    }
}

#[test]
fn rfc7112_incomplete_chain_is_recorded_by_the_caller() {
    let mut r = reassembler(1, 1500);
    assert_eq!(
        r.record_drop(DropReason::IncompleteHeaderChain),
        DropReason::IncompleteHeaderChain
    );
    assert_eq!(r.counters().incomplete_header_chain, 1);
    assert_eq!(
        DropReason::IncompleteHeaderChain.parameter_problem(),
        Some(ParameterProblem::IncompleteHeaderChain)
    );
}

#[test]
fn rfc791_key_includes_protocol_and_family_separates() {
    let payload = data(16);
    let mut r = reassembler(3, 1500);
    let udp = v4_key(5);
    let tcp = ReassemblyKey::Ipv4 {
        src_addr: Ipv4Addr::new(192, 0, 2, 1),
        dst_addr: Ipv4Addr::new(192, 0, 2, 2),
        protocol: IpProtocol::Tcp,
        ident: 5,
    };
    let v6 = v6_key(5);
    for key in [udp, tcp, v6] {
        assert_eq!(feed(&mut r, T0, key, &payload, 0, 8), Ok(None));
    }
    assert_eq!(r.in_progress(), 3);
    assert_eq!(r.memory_used(), (16, 8));
    for key in [udp, tcp, v6] {
        let (_, got) = feed(&mut r, T0, key, &payload, 8, 16).unwrap().unwrap();
        assert_eq!(got, payload);
    }
}

#[test]
fn poll_at_is_the_earliest_deadline() {
    let payload = data(16);
    let mut r = reassembler(3, 1500);
    assert_eq!(r.poll_at(), None);
    assert_eq!(feed(&mut r, T0, v6_key(1), &payload, 0, 8), Ok(None));
    assert_eq!(r.poll_at(), Some(T0 + Duration::from_secs(60)));
    let t1 = T0 + Duration::from_secs(5);
    assert_eq!(feed(&mut r, t1, v4_key(1), &payload, 0, 8), Ok(None));
    assert_eq!(r.poll_at(), Some(t1 + Duration::from_secs(30)));
    assert_eq!(r.poll(t1 + Duration::from_secs(30), |_| ()), 1);
    assert_eq!(r.poll_at(), Some(T0 + Duration::from_secs(60)));
}

#[test]
fn config_follows_the_interface_config() {
    let c = ReassemblyConfig::default();
    assert_eq!(c.ipv4.timeout, Duration::from_secs(30));
    assert_eq!(c.ipv6.timeout, Duration::from_secs(60));
    assert_eq!(c.ipv4.high_thresh, 4 * 1024 * 1024);
    let v4 = Ipv4Config {
        ipfrag_time_s: 5,
        ..Ipv4Config::default()
    };
    let c = ReassemblyConfig::new(&v4, &Ipv6Config::default());
    assert_eq!(c.ipv4.timeout, Duration::from_secs(5));
}

/// Cut `len` bytes at multiples of 8 chosen from `cuts`.
fn split(len: usize, cuts: &[usize]) -> Vec<(usize, usize)> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| (c % len) / 8 * 8)
        .filter(|&c| c > 0)
        .collect();
    points.push(0);
    points.push(len);
    points.sort_unstable();
    points.dedup();
    points.windows(2).map(|w| (w[0], w[1])).collect()
}

proptest! {
    #[test]
    fn any_split_order_and_duplicates_reassemble_the_same_bytes(
        len in 1usize..6000,
        cuts in proptest::collection::vec(any::<usize>(), 0..60),
        order_seed in any::<u64>(),
        dups in proptest::collection::vec(any::<usize>(), 0..10),
        v6 in any::<bool>(),
    ) {
        let payload = data(len);
        let pieces = split(len, &cuts);
        let mut seq: Vec<usize> = (0..pieces.len()).collect();
        seq.extend(dups.iter().map(|d| d % pieces.len()));
        // Fisher-Yates with the crate's generator.
        let mut rng = crate::rand::Rand::new(order_seed);
        for i in (1..seq.len()).rev() {
            let j = rng.below(i as u32 + 1) as usize;
            seq.swap(i, j);
        }
        let key = if v6 { v6_key(42) } else { v4_key(42) };
        let mut r = reassembler(1, 8000);
        let mut seen = vec![false; pieces.len()];
        let mut done = None;
        for &i in &seq {
            let (s, e) = pieces[i];
            let out = feed(&mut r, T0, key, &payload, s, e);
            if seen[i] {
                prop_assert_eq!(out, Err(DropReason::Duplicate));
                continue;
            }
            seen[i] = true;
            match out {
                Ok(None) => prop_assert!(seen.iter().any(|s| !s)),
                Ok(Some(d)) => {
                    prop_assert!(seen.iter().all(|&s| s));
                    done = Some(d);
                    break;
                }
                Err(e) => prop_assert!(false, "unexpected drop {:?}", e),
            }
        }
        let (headers, got) = done.expect("the last piece completes the datagram");
        prop_assert_eq!(got, payload);
        prop_assert_eq!(headers, HEADERS.to_vec());
        prop_assert_eq!(r.memory_used(), (0, 0));
    }

    #[test]
    fn hostile_fragments_never_panic_and_keep_memory_exact(
        ops in proptest::collection::vec(
            (0u8..4, any::<u16>(), any::<bool>(), 0usize..120, 0usize..100, 0u8..4, 0u64..20_000_000, any::<bool>()),
            1..200,
        ),
    ) {
        let mut config = ReassemblyConfig::default();
        config.ipv4.high_thresh = 300;
        let mut r = reassembler_with(3, 256, config);
        let bytes = data(120);
        let mut now = T0;
        for (k, offset, more, len, header_len, ecn, step, poll) in ops {
            now += Duration::from_micros(step);
            let key = if k % 2 == 0 { v4_key(u16::from(k)) } else { v6_key(u32::from(k)) };
            let f = FragmentInfo {
                offset: offset % 512,
                more,
                payload: &bytes[..len],
                header_len,
                ecn: IpEcn::from_bits(ecn),
            };
            let _ = r.process(now, key, f, Some(&bytes[..header_len.min(120)]));
            if poll {
                r.poll(now, |t| assert!(t.payload.len() <= 256));
            }
            // Memory held equals the bytes of the active datagrams.
            let mut sums = [0usize; 2];
            for s in r.slots.iter().filter(|s| s.phase == Phase::Active) {
                sums[s.key.family() as usize] += s.mem;
            }
            prop_assert_eq!(r.mem, sums);
            prop_assert!(r.in_progress() <= 3);
            if let Some(t) = r.poll_at() {
                prop_assert!(t <= now + Duration::from_secs(60));
            }
        }
    }
}
