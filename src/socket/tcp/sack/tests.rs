//! SACK / D-SACK generation: the worked examples of RFC 2018 §6 and
//! RFC 2883 §4.1-§4.2, replayed at several points of the sequence space
//! (including across the 2^32 wrap), plus ordering, truncation and
//! once-only rules and proptest laws.

use super::*;
use proptest::prelude::*;
use std::vec::Vec;

/// A receiver that drives the assembler and the SACK state exactly as the
/// module documentation tells the socket to.
struct Receiver {
    /// The RFC examples' sequence numbers are added to `shift` (mod 2^32)
    /// so that each example also runs across the wrap.
    shift: u32,
    rcv_nxt: TcpSeqNumber,
    assembler: Assembler<8>,
    sack: SackState,
    /// SACK blocks per ACK (3 with timestamps, 4 without).
    max: usize,
}

impl Receiver {
    fn new(shift: u32, rcv_nxt: u32, max: usize) -> Self {
        Receiver {
            shift,
            rcv_nxt: TcpSeqNumber(rcv_nxt.wrapping_add(shift)),
            assembler: Assembler::new(),
            sack: SackState::new(),
            max,
        }
    }

    fn seq(&self, n: u32) -> TcpSeqNumber {
        TcpSeqNumber(n.wrapping_add(self.shift))
    }

    fn unseq(&self, s: TcpSeqNumber) -> u32 {
        s.0.wrapping_sub(self.shift)
    }

    /// Store segment `[start, end)` (example numbering); `false` when the
    /// assembler refused it.
    fn store(&mut self, start: u32, end: u32) -> bool {
        let (start, end) = (self.seq(start), self.seq(end));
        if let Some((s, e)) = first_duplicate(self.rcv_nxt, &self.assembler, start, end) {
            self.sack.on_duplicate(s, e);
        }
        if end.le(self.rcv_nxt) {
            return true;
        }
        if start.le(self.rcv_nxt) {
            let n = (end - self.rcv_nxt) as usize;
            self.assembler.shift(n);
            let more = self.assembler.remove_front();
            self.rcv_nxt += n + more;
            return true;
        }
        let offset = (start - self.rcv_nxt) as usize;
        let len = (end - start) as usize;
        if self.assembler.add(offset, len).is_err() {
            return false;
        }
        self.sack.on_segment(start, end);
        true
    }

    /// The ACK this receiver sends now, in example numbering, marked sent.
    fn ack(&mut self) -> (u32, Vec<(u32, u32)>) {
        let blocks = self.sack.blocks(self.rcv_nxt, &self.assembler, self.max);
        self.sack.on_ack_sent(self.rcv_nxt);
        let blocks = blocks
            .iter()
            .map(|&(l, r)| (self.unseq(l), self.unseq(r)))
            .collect();
        (self.unseq(self.rcv_nxt), blocks)
    }

    /// Receive a segment and return the ACK it triggers.
    fn receive(&mut self, start: u32, end: u32) -> (u32, Vec<(u32, u32)>) {
        assert!(self.store(start, end), "assembler full");
        self.ack()
    }
}

/// Shifts each example is replayed at: as written, with the window
/// straddling 2^32 - 1 → 0, and straddling 2^31.
const SHIFTS: [u32; 4] = [0, u32::MAX - 4_000, (1 << 31) - 4_000, 0xdead_beef];

/// One row of an RFC example: the segment that arrives, and the ACK with
/// its SACK blocks that it triggers.
type Row<'a> = ((u32, u32), u32, &'a [(u32, u32)]);

fn replay(rcv_nxt: u32, max: usize, rows: &[Row]) {
    for shift in SHIFTS {
        let mut rx = Receiver::new(shift, rcv_nxt, max);
        for (i, &((s, e), ack, blocks)) in rows.iter().enumerate() {
            let got = rx.receive(s, e);
            assert_eq!(
                got,
                (ack, blocks.to_vec()),
                "row {i} ({s}-{e}), shift {shift:#x}"
            );
        }
    }
}

// ---- RFC 2018 §6 ("Examples"): 8 segments of 500 bytes from 5000 ----

#[test]
fn rfc2018_case_1_in_order_data_needs_no_sack() {
    // "The first 4 segments are received but the last 4 are dropped":
    // nothing is held out of order, so no SACK option.
    replay(
        5000,
        3,
        &[
            ((5000, 5500), 5500, &[]),
            ((5500, 6000), 6000, &[]),
            ((6000, 6500), 6500, &[]),
            ((6500, 7000), 7000, &[]),
        ],
    );
}

#[test]
fn rfc2018_case_2_first_segment_dropped() {
    // "The first segment is dropped but the remaining 7 are received":
    // one block that grows with each arrival.
    let blocks: Vec<[(u32, u32); 1]> = (1..8u32).map(|k| [(5500, 5500 + 500 * k)]).collect();
    let rows: Vec<Row> = (1..8u32)
        .zip(&blocks)
        .map(|(k, b)| ((5000 + 500 * k, 5500 + 500 * k), 5000, &b[..]))
        .collect();
    replay(5000, 3, &rows);
}

#[test]
fn rfc2018_case_3_every_other_segment_dropped() {
    // "The 2nd, 4th, 6th, and 8th (last) segments are dropped", then the
    // 4th arrives out of order, then the 2nd.
    let rows: &[Row] = &[
        ((5000, 5500), 5500, &[]),
        ((6000, 6500), 5500, &[(6000, 6500)]),
        ((7000, 7500), 5500, &[(7000, 7500), (6000, 6500)]),
        (
            (8000, 8500),
            5500,
            &[(8000, 8500), (7000, 7500), (6000, 6500)],
        ),
        // "the 4th packet is received out of order ... the data receiver
        // has only two SACK blocks to report": the merged block first.
        ((6500, 7000), 5500, &[(6000, 7500), (8000, 8500)]),
        // "the 2nd segment is received": the ACK moves, one block left.
        ((5500, 6000), 7500, &[(8000, 8500)]),
    ];
    replay(5000, 3, rows);
    replay(5000, 4, rows);
}

// ---- RFC 2883 §4.1 / §4.2 worked examples ----

#[test]
fn rfc2883_example_1_duplicate_segment_after_ack_loss() {
    // §4.1.1: both ACKs lost, the sender retransmits 3000-3499; the ACK
    // reports it in a D-SACK block below the cumulative ACK.
    replay(
        3000,
        4,
        &[
            ((3000, 3500), 3500, &[]),
            ((3500, 4000), 4000, &[]),
            ((3000, 3500), 4000, &[(3000, 3500)]),
        ],
    );
}

#[test]
fn rfc2883_example_2_out_of_order_segment_and_duplicate() {
    // §4.1.2: 4000-4499 lost, 4500-4999 SACKed, then a duplicate of
    // 3000-3499: the D-SACK first, the ordinary block after it.
    replay(
        3000,
        4,
        &[
            ((3000, 3500), 3500, &[]),
            ((3500, 4000), 4000, &[]),
            ((4500, 5000), 4000, &[(4500, 5000)]),
            ((3000, 3500), 4000, &[(3000, 3500), (4500, 5000)]),
        ],
    );
}

#[test]
fn rfc2883_example_3_duplicate_of_an_out_of_order_segment() {
    // §4.1.3: the duplicate lies inside a held block, which follows the
    // D-SACK block as the second block (RFC 2883 §4 (4)).
    replay(
        3500,
        4,
        &[
            ((3500, 4000), 4000, &[]),
            ((4500, 5000), 4000, &[(4500, 5000)]),
            ((5000, 5500), 4000, &[(4500, 5500)]),
            ((5000, 5500), 4000, &[(5000, 5500), (4500, 5500)]),
        ],
    );
}

#[test]
fn rfc2883_example_4_single_duplicate_subsegment() {
    // §4.2.1: the sender moves to 1000-byte segments; 1000-1999 arrives
    // after the delayed 1000-1499: only 1000-1499 is duplicate, and the
    // new half fills the hole up to 2500.
    replay(
        500,
        4,
        &[
            ((500, 1000), 1000, &[]),
            ((2000, 2500), 1000, &[(2000, 2500)]),
            ((1000, 1500), 1500, &[(2000, 2500)]),
            ((1000, 2000), 2500, &[(1000, 1500)]),
        ],
    );
}

#[test]
fn rfc2883_example_5_two_duplicate_subsegments_below_the_ack() {
    // §4.2.2: 1000-2499 arrives after the delayed 1000-1499 and 2000-2499:
    // two separate duplicate runs, only the first is reported.
    replay(
        500,
        4,
        &[
            ((500, 1000), 1000, &[]),
            ((3000, 3500), 1000, &[(3000, 3500)]),
            ((1000, 1500), 1500, &[(3000, 3500)]),
            ((2000, 2500), 1500, &[(2000, 2500), (3000, 3500)]),
            ((1000, 2500), 2500, &[(1000, 1500), (3000, 3500)]),
        ],
    );
}

#[test]
fn rfc2883_example_6_two_duplicate_subsegments_above_the_ack() {
    // §4.2.3: 1000-1499 never arrives; 1500-2999 is retransmitted after
    // the delayed 1500-1999 and 2500-2999: the first duplicate run, then
    // the larger block that now holds the whole retransmission.
    replay(
        500,
        4,
        &[
            ((500, 1000), 1000, &[]),
            ((3500, 4000), 1000, &[(3500, 4000)]),
            ((1500, 2000), 1000, &[(1500, 2000), (3500, 4000)]),
            (
                (2500, 3000),
                1000,
                &[(2500, 3000), (1500, 2000), (3500, 4000)],
            ),
            (
                (1500, 3000),
                1000,
                &[(1500, 2000), (1500, 3000), (3500, 4000)],
            ),
        ],
    );
}

// ---- ordering, truncation, once-only ----

#[test]
fn rfc2018_first_block_is_the_most_recent_segment_then_recency() {
    // Arrivals out of sequence order: the report follows arrival order,
    // not sequence order.
    let mut rx = Receiver::new(0, 0, 4);
    assert_eq!(rx.receive(300, 400).1, [(300, 400)]);
    assert_eq!(rx.receive(100, 200).1, [(100, 200), (300, 400)]);
    assert_eq!(rx.receive(500, 600).1, [(500, 600), (100, 200), (300, 400)]);
    // Extending an old block makes it the most recent again.
    assert_eq!(rx.receive(400, 450).1, [(300, 450), (500, 600), (100, 200)]);
    // Filling the gap between two blocks merges them, reported first.
    assert_eq!(rx.receive(450, 500).1, [(300, 600), (100, 200)]);
}

#[test]
fn rfc2018_truncation_keeps_the_most_recent_blocks() {
    // Five blocks held, at most 3 or 4 fit in the option.
    let arrivals = [(100, 110), (200, 210), (300, 310), (400, 410), (500, 510)];
    // (max, expected option after the last arrival)
    let table: &[(usize, &[(u32, u32)])] = &[
        (0, &[]),
        (1, &[(500, 510)]),
        (2, &[(500, 510), (400, 410)]),
        (3, &[(500, 510), (400, 410), (300, 310)]),
        (4, &[(500, 510), (400, 410), (300, 310), (200, 210)]),
        // Never more than MAX_SACK_BLOCKS.
        (9, &[(500, 510), (400, 410), (300, 310), (200, 210)]),
    ];
    for &(max, want) in table {
        let mut rx = Receiver::new(0, 0, max);
        let mut last = (0, Vec::new());
        for (s, e) in arrivals {
            last = rx.receive(s, e);
        }
        assert_eq!(last, (0, want.to_vec()), "max {max}");
    }
}

#[test]
fn rfc2018_held_blocks_beyond_the_history_fill_remaining_room() {
    // Five blocks, the history remembers the last 4; when two of those
    // merge, the room left is filled from the assembler (lowest first)
    // with the block the history forgot.
    let mut rx = Receiver::new(0, 0, 4);
    for s in [100u32, 200, 300, 400, 500] {
        rx.receive(s, s + 10);
    }
    assert_eq!(
        rx.receive(410, 500).1,
        [(400, 510), (300, 310), (200, 210), (100, 110)]
    );
}

#[test]
fn rfc2018_every_ack_reports_held_data() {
    // RFC 2018 §4: SACK options "SHOULD be included in all ACKs which do
    // not ACK the highest sequence number in the data receiver's queue",
    // including ACKs not triggered by an out-of-order segment.
    let mut rx = Receiver::new(0, 0, 3);
    rx.receive(100, 200);
    // A later ACK (e.g. a window update) with no new arrival.
    assert_eq!(rx.ack(), (0, vec![(100, 200)]));
    // A state that lost its history (fresh) still reports the block.
    rx.sack.clear();
    assert_eq!(rx.ack(), (0, vec![(100, 200)]));
}

#[test]
fn rfc2883_dsack_is_reported_once() {
    let mut rx = Receiver::new(0, 1000, 4);
    rx.receive(1000, 1500);
    assert_eq!(rx.receive(1000, 1500), (1500, vec![(1000, 1500)]));
    // The next ACK (no new duplicate) carries no D-SACK block.
    assert_eq!(rx.ack(), (1500, vec![]));
    // A second copy is a second duplicate: reported again, once.
    assert_eq!(rx.receive(1000, 1500), (1500, vec![(1000, 1500)]));
    assert_eq!(rx.ack(), (1500, vec![]));
}

#[test]
fn rfc2883_dsack_survives_an_ack_that_was_not_sent() {
    // `blocks` does not consume: an ACK that could not be emitted is
    // rebuilt with the same D-SACK block.
    let mut s = SackState::new();
    let a = Assembler::<4>::new();
    let n = TcpSeqNumber(50);
    s.on_duplicate(TcpSeqNumber(10), TcpSeqNumber(20));
    let first = s.blocks(n, &a, 4);
    assert_eq!(first.as_slice(), [(TcpSeqNumber(10), TcpSeqNumber(20))]);
    assert_eq!(s.blocks(n, &a, 4), first);
    assert_eq!(
        s.pending_dsack(),
        Some((TcpSeqNumber(10), TcpSeqNumber(20)))
    );
    s.on_ack_sent(n);
    assert_eq!(s.pending_dsack(), None);
    assert!(s.blocks(n, &a, 4).is_empty());
}

#[test]
fn rfc2883_only_the_most_recent_duplicate_is_reported() {
    // RFC 2883 §4 (1): a later duplicate replaces an unreported one.
    let mut s = SackState::new();
    let a = Assembler::<4>::new();
    s.on_duplicate(TcpSeqNumber(10), TcpSeqNumber(20));
    s.on_duplicate(TcpSeqNumber(30), TcpSeqNumber(40));
    assert_eq!(
        s.blocks(TcpSeqNumber(50), &a, 4).as_slice(),
        [(TcpSeqNumber(30), TcpSeqNumber(40))]
    );
    // Empty or inverted ranges are no duplicates.
    s.on_duplicate(TcpSeqNumber(40), TcpSeqNumber(40));
    s.on_duplicate(TcpSeqNumber(45), TcpSeqNumber(41));
    assert_eq!(
        s.pending_dsack(),
        Some((TcpSeqNumber(30), TcpSeqNumber(40)))
    );
}

#[test]
fn rfc2883_duplicate_of_a_whole_held_block_is_reported_twice() {
    // The D-SACK block equals the held block: both go out, so the sender
    // sees the first block covered by the second (RFC 2883 §4 (4)).
    let mut rx = Receiver::new(0, 0, 4);
    rx.receive(4500, 5000);
    assert_eq!(rx.receive(4500, 5000).1, [(4500, 5000), (4500, 5000)]);
    assert_eq!(rx.ack().1, [(4500, 5000)]);
}

#[test]
fn rfc2883_dsack_takes_one_of_the_max_slots() {
    let mut rx = Receiver::new(0, 0, 4);
    for s in [100u32, 200, 300, 400] {
        rx.receive(s, s + 10);
    }
    rx.store(200, 210);
    // max 4: D-SACK, its block, then the most recent others.
    assert_eq!(
        rx.sack.blocks(rx.rcv_nxt, &rx.assembler, 4).as_slice(),
        [(200, 210), (200, 210), (400, 410), (300, 310)]
            .map(|(l, r)| (TcpSeqNumber(l), TcpSeqNumber(r)))
    );
    // max 1: the D-SACK alone.
    assert_eq!(
        rx.sack.blocks(rx.rcv_nxt, &rx.assembler, 1).as_slice(),
        [(TcpSeqNumber(200), TcpSeqNumber(210))]
    );
    assert!(rx.sack.blocks(rx.rcv_nxt, &rx.assembler, 0).is_empty());
}

#[test]
fn first_duplicate_table() {
    // rcv_nxt 1000, held [1500, 2000) and [3000, 3500).
    let mut a = Assembler::<4>::new();
    a.add(500, 500).unwrap();
    a.add(2000, 500).unwrap();
    let n = TcpSeqNumber(1000);
    let t = |x: u32| TcpSeqNumber(x);
    #[allow(clippy::type_complexity)]
    let table: &[((u32, u32), Option<(u32, u32)>)] = &[
        // Entirely below rcv_nxt.
        ((500, 900), Some((500, 900))),
        // Straddling rcv_nxt: only the part below.
        ((900, 1200), Some((900, 1000))),
        // Straddling rcv_nxt and a held block: the first run wins.
        ((900, 1800), Some((900, 1000))),
        // New data only.
        ((1000, 1500), None),
        ((2000, 3000), None),
        ((3500, 4000), None),
        // Inside, over and across held blocks.
        ((1600, 1700), Some((1600, 1700))),
        ((1400, 2100), Some((1500, 2000))),
        ((1900, 3100), Some((1900, 2000))),
        ((2500, 3200), Some((3000, 3200))),
        // Empty and inverted.
        ((1600, 1600), None),
        ((1700, 1600), None),
    ];
    for &((s, e), want) in table {
        assert_eq!(
            first_duplicate(n, &a, t(s), t(e)),
            want.map(|(l, r)| (t(l), t(r))),
            "{s}-{e}"
        );
    }
}

#[test]
fn acknowledged_history_is_not_reported() {
    let mut rx = Receiver::new(0, 0, 4);
    rx.receive(100, 200);
    rx.receive(300, 400);
    // The hole fills up to 200; the first block is gone.
    assert_eq!(rx.receive(0, 100), (200, vec![(300, 400)]));
    assert_eq!(rx.sack.recent.len(), 1, "acknowledged history pruned");
    // A state whose history still names acknowledged data reports only
    // what is held.
    let mut s = SackState::new();
    s.on_segment(TcpSeqNumber(100), TcpSeqNumber(200));
    s.on_segment(TcpSeqNumber(300), TcpSeqNumber(400));
    let mut a = Assembler::<4>::new();
    a.add(100, 100).unwrap();
    assert_eq!(
        s.blocks(TcpSeqNumber(200), &a, 4).as_slice(),
        [(TcpSeqNumber(300), TcpSeqNumber(400))]
    );
}

#[test]
fn refused_segments_are_not_reported() {
    // An assembler with one slot: the second disjoint segment is dropped
    // and must not appear in the option.
    let mut s = SackState::new();
    let mut a = Assembler::<1>::new();
    let n = TcpSeqNumber(u32::MAX - 50);
    assert!(a.add(10, 10).is_ok());
    s.on_segment(n + 10, n + 20);
    assert!(a.add(100, 10).is_err());
    assert_eq!(s.blocks(n, &a, 4).as_slice(), [(n + 10, n + 20)]);
    // Empty on_segment ranges are ignored.
    s.on_segment(n + 5, n + 5);
    assert_eq!(s.recent.len(), 1);
}

#[test]
fn blocks_cross_the_sequence_wrap() {
    let mut rx = Receiver::new(0, u32::MAX - 99, 4);
    // [2^32 - 50, 2^32 + 50) and [2^32 + 100, 2^32 + 200).
    let a = u32::MAX - 49;
    rx.receive(a, a.wrapping_add(100));
    let (ack, blocks) = rx.receive(100, 200);
    assert_eq!(ack, u32::MAX - 99);
    assert_eq!(blocks, [(100, 200), (a, 50)]);
    // A duplicate straddling the wrap inside the first block.
    let (_, blocks) = rx.receive(u32::MAX - 9, 10);
    assert_eq!(blocks, [(u32::MAX - 9, 10), (a, 50), (100, 200)]);
    // The hole fills across the wrap.
    let (ack, blocks) = rx.receive(u32::MAX - 99, a);
    assert_eq!((ack, blocks), (50, vec![(100, 200)]));
}

// ---- laws ----

fn held(rx: &Receiver) -> Vec<(u32, u32)> {
    rx.assembler
        .iter()
        .map(|(s, e)| (rx.unseq(rx.rcv_nxt + s), rx.unseq(rx.rcv_nxt + e)))
        .collect()
}

proptest! {
    #[test]
    fn ordinary_blocks_are_distinct_held_ranges(
        shift in any::<u32>(),
        max in 0usize..6,
        segs in proptest::collection::vec((0u32..3000, 1u32..300), 1..40),
    ) {
        let mut rx = Receiver::new(shift, 0, max);
        for (s, l) in segs {
            let before = rx.unseq(rx.rcv_nxt);
            let stored = rx.store(s, s + l);
            let dsack = rx.sack.pending_dsack().map(|(a, b)| (rx.unseq(a), rx.unseq(b)));
            let held = held(&rx);
            let rcv_nxt = rx.unseq(rx.rcv_nxt);
            let (ack, blocks) = rx.ack();
            prop_assert_eq!(ack, rcv_nxt);
            let cap = max.min(MAX_SACK_BLOCKS);
            prop_assert!(blocks.len() <= cap);
            let ordinary = match dsack {
                Some(d) if cap > 0 => {
                    prop_assert_eq!(blocks[0], d);
                    &blocks[1..]
                }
                _ => &blocks[..],
            };
            // Each ordinary block is a held range, and reported once.
            for (i, b) in ordinary.iter().enumerate() {
                prop_assert!(held.contains(b), "{:?} not held in {:?}", b, held);
                prop_assert!(!ordinary[..i].contains(b));
            }
            // As many as fit (RFC 2018 §4).
            let room = cap - (blocks.len() - ordinary.len());
            prop_assert_eq!(ordinary.len(), room.min(held.len()));
            // The segment just stored out of order is in the first block
            // after any D-SACK block (RFC 2018 §4).
            if stored && s > before && dsack.is_none() && cap > 0 {
                let (l, r) = ordinary[0];
                prop_assert!(l <= s && s < r, "{:?} lacks {}", ordinary[0], s);
            }
        }
    }

    #[test]
    fn three_successive_options_repeat_each_block(
        shift in any::<u32>(),
        segs in proptest::collection::vec((1u32..3000, 1u32..100), 1..30),
    ) {
        // RFC 2018 §4: "any segment remaining part of a non-contiguous block
        // of data held by the data receiver is reported in at least three
        // successive SACK options". Byte 0 never arrives, so every segment
        // stays out of order; no duplicates, max 3 (timestamps).
        let mut rx = Receiver::new(shift, 0, 3);
        let mut arrived: Vec<(u32, u32)> = Vec::new();
        for (s, l) in segs {
            let (s, e) = (s, s + l);
            if first_duplicate(rx.rcv_nxt, &rx.assembler, rx.seq(s), rx.seq(e)).is_some() {
                continue;
            }
            if !rx.store(s, e) {
                continue;
            }
            arrived.push((s, e));
            let (_, blocks) = rx.ack();
            for (k, &(ps, _)) in arrived.iter().rev().take(3).enumerate() {
                let covered = blocks.iter().any(|&(l, r)| l <= ps && ps < r);
                prop_assert!(covered, "arrival -{} at {} missing from {:?}", k, ps, blocks);
                if k == 0 {
                    prop_assert!(blocks[0].0 <= ps && ps < blocks[0].1);
                }
            }
        }
    }

    #[test]
    fn never_panics_on_any_call_order(
        calls in proptest::collection::vec((0u8..4, any::<u32>(), any::<u32>(), 0usize..8), 0..60),
    ) {
        let mut s = SackState::new();
        let mut a = Assembler::<3>::new();
        let mut n = TcpSeqNumber(0);
        for (op, x, y, m) in calls {
            let (x, y) = (TcpSeqNumber(x), TcpSeqNumber(y));
            match op {
                0 => s.on_segment(x, y),
                1 => s.on_duplicate(x, y),
                2 => {
                    let _ = a.add(x.0 as usize, (y.0 % 5000) as usize);
                    let _ = first_duplicate(n, &a, x, y);
                }
                _ => {
                    n = x;
                    s.on_ack_sent(n);
                }
            }
            let b = s.blocks(n, &a, m);
            prop_assert!(b.len() <= m.min(MAX_SACK_BLOCKS));
        }
    }
}
