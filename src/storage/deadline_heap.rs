//! An indexed binary min-heap of deadlines: the interface's timer queue.
//!
//! Every timer owner (a socket slot, a neighbour entry, a reassembly
//! buffer) has a small integer key below the heap's capacity and at most
//! one pending deadline. Setting, moving and cancelling a deadline are
//! O(log n); the earliest deadline is O(1). `poll_at` therefore costs the
//! same with ten sockets or ten thousand, and a poll touches only the
//! owners whose deadline has passed.

use managed::ManagedSlice;

use crate::time::Instant;

/// Storage for one key of a [`DeadlineHeap`]. Supply a slice of
/// `HeapSlot::EMPTY`, one per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapSlot {
    /// The key's deadline (meaningful while it is in the heap).
    deadline: Instant,
    /// Where the key sits in the heap order, or `NONE`.
    position: u32,
    /// The key stored at heap position `i` (this slot's index).
    key_at: u32,
}

const NONE: u32 = u32::MAX;

impl HeapSlot {
    /// An unused slot.
    pub const EMPTY: HeapSlot = HeapSlot {
        deadline: Instant::ZERO,
        position: NONE,
        key_at: NONE,
    };
}

impl HeapSlot {
    /// Whether its key is in the heap.
    #[inline]
    pub fn is_queued(&self) -> bool {
        self.position != NONE
    }
}

impl Default for HeapSlot {
    fn default() -> Self {
        HeapSlot::EMPTY
    }
}

/// Storage that holds one [`HeapSlot`] per key. Implemented for slices of
/// `HeapSlot`; a container whose elements embed a `HeapSlot` (the socket
/// set's storage) implements it to keep the heap beside its elements.
pub trait HeapSlots {
    /// The number of keys.
    fn slot_count(&self) -> usize;
    /// The slot of key `i` (`i < slot_count()`).
    fn slot(&self, i: usize) -> &HeapSlot;
    /// The slot of key `i` (`i < slot_count()`).
    fn slot_mut(&mut self, i: usize) -> &mut HeapSlot;
}

impl HeapSlots for ManagedSlice<'_, HeapSlot> {
    fn slot_count(&self) -> usize {
        self.len()
    }
    fn slot(&self, i: usize) -> &HeapSlot {
        &self[i]
    }
    fn slot_mut(&mut self, i: usize) -> &mut HeapSlot {
        &mut self[i]
    }
}

/// A min-heap of at most one deadline per key.
#[derive(Debug)]
pub struct DeadlineHeap<S: HeapSlots> {
    slots: S,
    len: usize,
}

impl<'a> DeadlineHeap<ManagedSlice<'a, HeapSlot>> {
    /// A heap for keys `0..slots.len()`.
    pub fn from_slots<T: Into<ManagedSlice<'a, HeapSlot>>>(slots: T) -> Self {
        DeadlineHeap::new(slots.into())
    }
}

impl<S: HeapSlots> DeadlineHeap<S> {
    /// A heap over `slots`; every slot is reset to empty.
    pub fn new(mut slots: S) -> DeadlineHeap<S> {
        for i in 0..slots.slot_count() {
            *slots.slot_mut(i) = HeapSlot::EMPTY;
        }
        DeadlineHeap { slots, len: 0 }
    }

    /// The storage (its heap slots must only be changed through the heap).
    pub fn storage(&self) -> &S {
        &self.slots
    }

    /// The storage, mutably. Callers must not write the embedded
    /// `HeapSlot`s.
    pub fn storage_mut(&mut self) -> &mut S {
        &mut self.slots
    }

    /// The number of keys the heap can hold.
    pub fn capacity(&self) -> usize {
        // Positions are u32; more keys than that are never addressable.
        self.slots.slot_count().min(NONE as usize)
    }

    /// The number of pending deadlines.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no deadline is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pending deadline of `key`.
    pub fn deadline(&self, key: usize) -> Option<Instant> {
        if key >= self.capacity() {
            return None;
        }
        let slot = self.slots.slot(key);
        (slot.position != NONE).then_some(slot.deadline)
    }

    /// Set, move or (with `None`) cancel the deadline of `key`. Keys at or
    /// beyond the capacity are ignored and `false` is returned.
    pub fn set(&mut self, key: usize, deadline: Option<Instant>) -> bool {
        if key >= self.capacity() {
            return false;
        }
        match (self.slots.slot(key).position, deadline) {
            (NONE, None) => {}
            (NONE, Some(at)) => {
                let pos = self.len;
                self.len += 1;
                self.slots.slot_mut(key).deadline = at;
                self.place(pos, key);
                self.sift_up(pos);
            }
            (pos, Some(at)) => {
                let pos = pos as usize;
                let old = self.slots.slot(key).deadline;
                self.slots.slot_mut(key).deadline = at;
                if at < old {
                    self.sift_up(pos);
                } else {
                    self.sift_down(pos);
                }
            }
            (pos, None) => self.remove_at(pos as usize),
        }
        true
    }

    /// The earliest deadline and its key.
    #[inline]
    pub fn peek(&self) -> Option<(usize, Instant)> {
        if self.len == 0 {
            return None;
        }
        let key = self.slots.slot(0).key_at as usize;
        Some((key, self.slots.slot(key).deadline))
    }

    /// Remove and return a key whose deadline is at or before `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<usize> {
        let (key, at) = self.peek()?;
        if at > now {
            return None;
        }
        self.remove_at(0);
        Some(key)
    }

    fn place(&mut self, pos: usize, key: usize) {
        self.slots.slot_mut(pos).key_at = key as u32;
        self.slots.slot_mut(key).position = pos as u32;
    }

    fn deadline_at(&self, pos: usize) -> Instant {
        let key = self.slots.slot(pos).key_at as usize;
        self.slots.slot(key).deadline
    }

    fn remove_at(&mut self, pos: usize) {
        let key = self.slots.slot(pos).key_at as usize;
        self.slots.slot_mut(key).position = NONE;
        self.len -= 1;
        let last = self.len;
        if pos != last {
            let moved = self.slots.slot(last).key_at as usize;
            self.place(pos, moved);
            self.sift_down(pos);
            self.sift_up(pos);
        }
        self.slots.slot_mut(last).key_at = NONE;
    }

    fn sift_up(&mut self, mut pos: usize) {
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if self.deadline_at(parent) <= self.deadline_at(pos) {
                break;
            }
            self.swap(pos, parent);
            pos = parent;
        }
    }

    fn sift_down(&mut self, mut pos: usize) {
        loop {
            let left = 2 * pos + 1;
            if left >= self.len {
                break;
            }
            let right = left + 1;
            let child = if right < self.len && self.deadline_at(right) < self.deadline_at(left) {
                right
            } else {
                left
            };
            if self.deadline_at(pos) <= self.deadline_at(child) {
                break;
            }
            self.swap(pos, child);
            pos = child;
        }
    }

    fn swap(&mut self, a: usize, b: usize) {
        let ka = self.slots.slot(a).key_at as usize;
        let kb = self.slots.slot(b).key_at as usize;
        self.place(a, kb);
        self.place(b, ka);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;

    fn t(ms: i64) -> Instant {
        Instant::from_millis(ms)
    }

    #[test]
    fn order_update_cancel() {
        let mut slots = [HeapSlot::EMPTY; 4];
        let mut h = DeadlineHeap::from_slots(&mut slots[..]);
        assert!(h.set(0, Some(t(30))));
        h.set(1, Some(t(10)));
        h.set(2, Some(t(20)));
        assert_eq!(h.peek(), Some((1, t(10))));
        h.set(1, Some(t(40))); // moved later
        assert_eq!(h.peek(), Some((2, t(20))));
        h.set(2, None); // cancelled
        assert_eq!(h.peek(), Some((0, t(30))));
        assert_eq!(h.pop_due(t(29)), None);
        assert_eq!(h.pop_due(t(30)), Some(0));
        assert_eq!(h.pop_due(t(100)), Some(1));
        assert_eq!(h.pop_due(t(100)), None);
        assert!(h.is_empty());
        assert!(!h.set(4, Some(t(1))), "key beyond capacity is refused");
        assert_eq!(h.deadline(9), None);
    }

    proptest! {
        #[test]
        fn matches_a_model(cap in 1usize..24, ops in proptest::collection::vec((0usize..30, proptest::option::of(0i64..1000), any::<bool>()), 0..200)) {
            let mut h = DeadlineHeap::from_slots(vec![HeapSlot::EMPTY; cap]);
            let mut model: std::collections::BTreeMap<usize, i64> = Default::default();
            for (key, at, pop) in ops {
                if pop {
                    let now = at.unwrap_or(500);
                    let got = h.pop_due(t(now));
                    let min = model.iter().map(|(k, v)| (*v, *k)).min();
                    match (got, min) {
                        (None, None) => {}
                        (None, Some((v, _))) => prop_assert!(v > now),
                        (Some(k), Some((v, _))) => {
                            prop_assert!(v <= now);
                            // Any key with the minimal deadline may come out.
                            prop_assert_eq!(model.remove(&k), Some(v));
                        }
                        (Some(_), None) => prop_assert!(false, "popped from an empty heap"),
                    }
                } else {
                    let accepted = h.set(key, at.map(t));
                    prop_assert_eq!(accepted, key < cap);
                    if key < cap {
                        match at {
                            Some(v) => { model.insert(key, v); }
                            None => { model.remove(&key); }
                        }
                    }
                }
                prop_assert_eq!(h.len(), model.len());
                let min = model.values().min().copied();
                prop_assert_eq!(h.peek().map(|(_, at)| at), min.map(t));
                for (k, v) in &model {
                    prop_assert_eq!(h.deadline(*k), Some(t(*v)));
                }
            }
        }
    }
}
