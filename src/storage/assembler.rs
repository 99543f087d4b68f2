//! The receive-side out-of-order assembler: which bytes after the receive
//! point have already arrived.
//!
//! TCP places a segment that arrives ahead of `RCV.NXT` straight into the
//! receive ring buffer at its offset (RFC 9293 §3.10.7.4: segments beyond
//! `RCV.NXT` that fall inside the window "may be held for later
//! processing"), and records the byte range here. The assembler holds at
//! most `N` disjoint ranges in fixed storage, sorted and with a gap between
//! any two of them, so its contents are exactly the SACK blocks the
//! receiver can report (RFC 2018 §3: "each contiguous block of data queued
//! at the data receiver").
//!
//! Offsets are relative to the receive point. When the receive point
//! advances the caller tells the assembler how far ([`Assembler::shift`],
//! [`Assembler::remove_front`]), so stored offsets stay relative to it.
//!
//! Every operation is O(N) with no allocation and never panics: offsets
//! that would overflow `usize` saturate.

use core::fmt;

/// An out-of-order range could not be stored: it touches no stored range
/// and all `N` slots are in use. The caller drops the segment (the peer
/// retransmits it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AssemblerFull;

impl fmt::Display for AssemblerFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("assembler full")
    }
}

/// A set of at most `N` disjoint byte ranges `[start, end)`, offsets
/// relative to the receive point.
///
/// Invariant: the first `len` entries of `ranges` are non-empty
/// (`start < end`), sorted, and separated by at least one missing byte
/// (`ranges[i].end < ranges[i + 1].start`).
#[derive(Clone)]
pub struct Assembler<const N: usize> {
    ranges: [(usize, usize); N],
    len: usize,
}

impl<const N: usize> Assembler<N> {
    /// An empty assembler.
    pub const fn new() -> Self {
        Assembler {
            ranges: [(0, 0); N],
            len: 0,
        }
    }

    /// Forget every range.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Whether no out-of-order data is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of ranges held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The most ranges it can hold (`N`).
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The ranges as `(start, end)` offsets, `end` exclusive, in
    /// ascending order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.ranges.iter().take(self.len).copied()
    }

    /// The first stored range that shares at least one byte with
    /// `[start, end)`, if any (none for an empty query).
    pub fn overlapping(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end {
            return None;
        }
        self.iter().find(|&(s, e)| s < end && start < e)
    }

    /// Whether byte `offset` has arrived.
    pub fn contains(&self, offset: usize) -> bool {
        self.overlapping(offset, offset.saturating_add(1)).is_some()
    }

    /// Record that `len` bytes at `offset` have arrived.
    ///
    /// The range merges with every stored range it overlaps or touches. A
    /// range that touches none needs a free slot; with all `N` in use it is
    /// refused with [`AssemblerFull`] and nothing changes. An empty range
    /// is accepted and changes nothing. `offset + len` saturates at
    /// `usize::MAX`.
    pub fn add(&mut self, offset: usize, len: usize) -> Result<(), AssemblerFull> {
        if len == 0 {
            return Ok(());
        }
        let start = offset;
        let end = offset.saturating_add(len);
        if start == end {
            // `offset` is `usize::MAX`: nothing representable to add.
            return Ok(());
        }
        // The first range that ends at or after `start` (it may touch or
        // overlap the new one, or lie entirely after it).
        let first = self.ranges[..self.len]
            .iter()
            .position(|&(_, e)| e >= start)
            .unwrap_or(self.len);
        // One past the last range that starts at or before `end`.
        let mut last = first;
        while last < self.len && self.ranges[last].0 <= end {
            last += 1;
        }
        if first == last {
            // Touches nothing: insert at `first`.
            if self.len == N {
                return Err(AssemblerFull);
            }
            self.ranges.copy_within(first..self.len, first + 1);
            self.ranges[first] = (start, end);
            self.len += 1;
            return Ok(());
        }
        // Merge ranges `first..last` and the new one into slot `first`.
        let merged = (
            start.min(self.ranges[first].0),
            end.max(self.ranges[last - 1].1),
        );
        self.ranges[first] = merged;
        self.ranges.copy_within(last..self.len, first + 1);
        self.len -= last - first - 1;
        Ok(())
    }

    /// Remove the range that starts at offset 0 (the bytes that are now in
    /// sequence) and return its length; 0 when the first byte has not
    /// arrived. The receive point advances by the returned amount, and the
    /// remaining ranges are shifted so they stay relative to it.
    pub fn remove_front(&mut self) -> usize {
        match self.ranges[..self.len].first() {
            Some(&(0, end)) => {
                self.ranges.copy_within(1..self.len, 0);
                self.len -= 1;
                self.shift(end);
                end
            }
            _ => 0,
        }
    }

    /// The receive point advanced by `n` bytes that arrived in order:
    /// subtract `n` from every offset. Bytes that fall below the new
    /// receive point are forgotten (a range straddling it is trimmed to
    /// start at 0, which [`Assembler::remove_front`] then returns).
    pub fn shift(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let mut kept = 0;
        for i in 0..self.len {
            let (s, e) = self.ranges[i];
            if e > n {
                self.ranges[kept] = (s.saturating_sub(n), e - n);
                kept += 1;
            }
        }
        self.len = kept;
    }
}

impl<const N: usize> Default for Assembler<N> {
    fn default() -> Self {
        Assembler::new()
    }
}

/// Equal when they hold the same ranges (unused slots do not count).
impl<const N: usize> PartialEq for Assembler<N> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<const N: usize> Eq for Assembler<N> {}

impl<const N: usize> fmt::Debug for Assembler<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(s, e)| s..e))
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl<const N: usize> defmt::Format for Assembler<N> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Assembler[");
        for (s, e) in self.iter() {
            defmt::write!(f, " {}..{}", s, e);
        }
        defmt::write!(f, " ]");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    fn ranges<const N: usize>(a: &Assembler<N>) -> Vec<(usize, usize)> {
        a.iter().collect()
    }

    #[test]
    fn adds_merge_overlapping_and_adjacent_ranges() {
        // (adds, expected ranges), capacity 4.
        #[allow(clippy::type_complexity)]
        let table: &[(&[(usize, usize)], &[(usize, usize)])] = &[
            (&[], &[]),
            (&[(10, 0)], &[]),
            (&[(10, 5)], &[(10, 15)]),
            // Disjoint, inserted in order whatever the arrival order.
            (
                &[(30, 5), (10, 5), (20, 5)],
                &[(10, 15), (20, 25), (30, 35)],
            ),
            // Adjacent on the right and on the left.
            (&[(10, 5), (15, 5)], &[(10, 20)]),
            (&[(15, 5), (10, 5)], &[(10, 20)]),
            // Overlapping, contained, containing.
            (&[(10, 10), (15, 10)], &[(10, 25)]),
            (&[(10, 10), (12, 2)], &[(10, 20)]),
            (&[(12, 2), (10, 10)], &[(10, 20)]),
            // Bridging several ranges at once.
            (
                &[(10, 2), (14, 2), (18, 2), (30, 1), (11, 8)],
                &[(10, 20), (30, 31)],
            ),
            (&[(10, 2), (14, 2), (18, 2), (9, 20)], &[(9, 29)]),
            // A range at offset 0.
            (&[(0, 3), (5, 1)], &[(0, 3), (5, 6)]),
        ];
        for (adds, want) in table {
            let mut a = Assembler::<4>::new();
            for &(o, l) in *adds {
                assert_eq!(a.add(o, l), Ok(()), "{adds:?}");
            }
            assert_eq!(ranges(&a), *want, "{adds:?}");
            assert_eq!(a.len(), want.len());
            assert_eq!(a.is_empty(), want.is_empty());
        }
    }

    #[test]
    fn full_refuses_a_new_range_but_still_merges() {
        let mut a = Assembler::<2>::new();
        a.add(10, 5).unwrap();
        a.add(30, 5).unwrap();
        // A third disjoint range has no slot: refused, nothing changes.
        assert_eq!(a.add(20, 5), Err(AssemblerFull));
        assert_eq!(a.add(0, 1), Err(AssemblerFull));
        assert_eq!(a.add(50, 1), Err(AssemblerFull));
        assert_eq!(ranges(&a), [(10, 15), (30, 35)]);
        // Touching or overlapping a stored range still works.
        assert_eq!(a.add(15, 3), Ok(()));
        assert_eq!(a.add(25, 5), Ok(()));
        assert_eq!(ranges(&a), [(10, 18), (25, 35)]);
        // Bridging the two frees a slot.
        assert_eq!(a.add(18, 7), Ok(()));
        assert_eq!(ranges(&a), [(10, 35)]);
        assert_eq!(a.add(40, 1), Ok(()));
        // Zero capacity refuses everything non-empty.
        let mut z = Assembler::<0>::new();
        assert_eq!(z.add(0, 1), Err(AssemblerFull));
        assert_eq!(z.add(0, 0), Ok(()));
        assert_eq!(z.remove_front(), 0);
        z.shift(3);
        assert!(z.is_empty());
    }

    #[test]
    fn remove_front_returns_the_in_sequence_run() {
        let mut a = Assembler::<4>::new();
        assert_eq!(a.remove_front(), 0);
        a.add(5, 5).unwrap();
        a.add(20, 5).unwrap();
        // Nothing at offset 0 yet.
        assert_eq!(a.remove_front(), 0);
        assert_eq!(ranges(&a), [(5, 10), (20, 25)]);
        // The hole fills: 0..10 comes out, the rest shifts down by 10.
        a.add(0, 5).unwrap();
        assert_eq!(a.remove_front(), 10);
        assert_eq!(ranges(&a), [(10, 15)]);
        assert_eq!(a.remove_front(), 0);
    }

    #[test]
    fn shift_moves_the_receive_point() {
        let mut a = Assembler::<4>::new();
        a.add(10, 5).unwrap();
        a.add(20, 5).unwrap();
        a.shift(0);
        assert_eq!(ranges(&a), [(10, 15), (20, 25)]);
        a.shift(4);
        assert_eq!(ranges(&a), [(6, 11), (16, 21)]);
        // In-order data overlapping the first range: it is trimmed to
        // start at 0 and remove_front returns the rest of it.
        a.shift(8);
        assert_eq!(ranges(&a), [(0, 3), (8, 13)]);
        assert_eq!(a.remove_front(), 3);
        assert_eq!(ranges(&a), [(5, 10)]);
        // Past everything.
        a.shift(100);
        assert!(a.is_empty());
    }

    #[test]
    fn queries() {
        let mut a = Assembler::<4>::new();
        a.add(10, 5).unwrap();
        a.add(20, 5).unwrap();
        assert_eq!(a.capacity(), 4);
        assert!(a.contains(10) && a.contains(14) && a.contains(20));
        assert!(!a.contains(9) && !a.contains(15) && !a.contains(25));
        assert_eq!(a.overlapping(0, 10), None);
        assert_eq!(a.overlapping(0, 11), Some((10, 15)));
        assert_eq!(a.overlapping(14, 30), Some((10, 15)));
        assert_eq!(a.overlapping(15, 30), Some((20, 25)));
        assert_eq!(a.overlapping(15, 20), None);
        assert_eq!(a.overlapping(12, 12), None);
        assert_eq!(std::format!("{a:?}"), "[10..15, 20..25]");
        a.clear();
        assert!(a.is_empty());
        assert_eq!(a, Assembler::default());
    }

    #[test]
    fn huge_offsets_saturate_without_panicking() {
        let mut a = Assembler::<2>::new();
        a.add(usize::MAX, 10).unwrap();
        assert!(a.is_empty());
        a.add(usize::MAX - 5, usize::MAX).unwrap();
        assert_eq!(ranges(&a), [(usize::MAX - 5, usize::MAX)]);
        a.add(0, usize::MAX).unwrap();
        assert_eq!(ranges(&a), [(0, usize::MAX)]);
        assert_eq!(a.remove_front(), usize::MAX);
        assert!(a.is_empty());
        assert!(!a.contains(usize::MAX));
    }

    /// An operation on the assembler and on the bitmap model.
    #[derive(Debug, Clone)]
    enum Op {
        Add(usize, usize),
        RemoveFront,
        Shift(usize),
        Clear,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0usize..120, 0usize..24).prop_map(|(o, l)| Op::Add(o, l)),
            1 => Just(Op::RemoveFront),
            1 => (0usize..40).prop_map(Op::Shift),
            1 => Just(Op::Clear),
        ]
    }

    /// The runs of `true` in the bitmap, as `(start, end)`.
    fn runs(bits: &[bool]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bits.len() {
            if bits[i] {
                let s = i;
                while i < bits.len() && bits[i] {
                    i += 1;
                }
                out.push((s, i));
            } else {
                i += 1;
            }
        }
        out
    }

    fn check_model<const N: usize>(ops: &[Op]) -> Result<(), TestCaseError> {
        const SPACE: usize = 256;
        let mut a = Assembler::<N>::new();
        let mut bits = vec![false; SPACE];
        for op in ops {
            match *op {
                Op::Add(o, l) => {
                    let mut next = bits.clone();
                    for b in &mut next[o..o + l] {
                        *b = true;
                    }
                    // The law: accepted exactly when the result still fits
                    // in N ranges; refused leaves everything as it was.
                    let fits = runs(&next).len() <= N;
                    prop_assert_eq!(a.add(o, l).is_ok(), fits, "{:?}", op);
                    if fits {
                        bits = next;
                    }
                }
                Op::RemoveFront => {
                    let run = bits.iter().take_while(|&&b| b).count();
                    prop_assert_eq!(a.remove_front(), run);
                    bits.drain(..run);
                    bits.resize(SPACE, false);
                }
                Op::Shift(n) => {
                    a.shift(n);
                    bits.drain(..n);
                    bits.resize(SPACE, false);
                }
                Op::Clear => {
                    a.clear();
                    bits.fill(false);
                }
            }
            prop_assert_eq!(ranges(&a), runs(&bits));
            prop_assert!(a.len() <= N);
            for (i, &b) in bits.iter().enumerate() {
                prop_assert_eq!(a.contains(i), b);
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn matches_a_bitmap_with_one_slot(ops in proptest::collection::vec(op(), 0..60)) {
            check_model::<1>(&ops)?;
        }

        #[test]
        fn matches_a_bitmap_with_four_slots(ops in proptest::collection::vec(op(), 0..60)) {
            check_model::<4>(&ops)?;
        }

        #[test]
        fn matches_a_bitmap_with_many_slots(ops in proptest::collection::vec(op(), 0..100)) {
            check_model::<32>(&ops)?;
        }

        #[test]
        fn any_arrival_order_reassembles_the_same(perm in Just((0..16usize).collect::<Vec<_>>()).prop_shuffle()) {
            // 16 segments of 10 bytes in any order: with enough slots the
            // whole 160 bytes come out in sequence.
            let mut a = Assembler::<16>::new();
            let mut delivered = 0;
            for i in perm {
                // Offsets are relative to the receive point, which moves.
                let off = (i * 10).checked_sub(delivered);
                match off {
                    Some(off) => a.add(off, 10).unwrap(),
                    None => unreachable!("a segment is never delivered twice"),
                }
                delivered += a.remove_front();
            }
            prop_assert_eq!(delivered, 160);
            prop_assert!(a.is_empty());
        }
    }
}
