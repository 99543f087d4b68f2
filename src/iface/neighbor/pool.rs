//! The pool of packets waiting for address resolution (RFC 1122
//! §2.3.2.2): equal slots over one caller-supplied byte slice, each tagged
//! with the neighbour it waits for and a sequence number that keeps queue
//! order. Bounded by construction; the cache counts what it drops.

use core::net::IpAddr;

use managed::ManagedSlice;

use crate::time::Instant;
use crate::wire::EthernetAddress;

/// What a pool slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SlotState {
    Free,
    /// Waiting for the resolution of `.0`.
    Pending(IpAddr),
    /// Resolved: to be sent to `.1`.
    Ready(IpAddr, EthernetAddress),
    /// Resolution of `.0` failed: to be handed back.
    Unreachable(IpAddr),
}

/// Caller storage for the metadata of one queued packet; initialise arrays
/// with [`PendingSlot::EMPTY`].
#[derive(Debug, Clone, Copy)]
pub struct PendingSlot {
    pub(super) state: SlotState,
    pub(super) len: usize,
    /// Queue order across the whole pool.
    seq: u64,
    /// When the slot became ready or unreachable.
    since: Instant,
}

impl PendingSlot {
    /// An unused slot.
    pub const EMPTY: PendingSlot = PendingSlot {
        state: SlotState::Free,
        len: 0,
        seq: 0,
        since: Instant::ZERO,
    };
}

impl Default for PendingSlot {
    fn default() -> Self {
        PendingSlot::EMPTY
    }
}

/// Slots plus the bytes they divide evenly.
#[derive(Debug)]
pub(super) struct Pool<'a> {
    pub(super) slots: ManagedSlice<'a, PendingSlot>,
    bytes: ManagedSlice<'a, u8>,
    pub(super) slot_size: usize,
    next_seq: u64,
    /// Slots not free (lets lookups skip the scan when zero).
    pub(super) occupied: usize,
}

impl<'a> Pool<'a> {
    pub(super) fn new(
        mut slots: ManagedSlice<'a, PendingSlot>,
        bytes: ManagedSlice<'a, u8>,
    ) -> Pool<'a> {
        slots.iter_mut().for_each(|s| *s = PendingSlot::EMPTY);
        let slot_size = bytes.len().checked_div(slots.len()).unwrap_or(0);
        Pool {
            slots,
            bytes,
            slot_size,
            next_seq: 0,
            occupied: 0,
        }
    }

    /// Packets waiting for `ip`'s resolution.
    pub(super) fn count_pending(&self, ip: IpAddr) -> usize {
        if self.occupied == 0 {
            return 0;
        }
        self.slots
            .iter()
            .filter(|s| s.state == SlotState::Pending(ip))
            .count()
    }

    /// Whether packets to `ip` are pending or released but not yet taken.
    #[inline]
    pub(super) fn holds_for(&self, ip: IpAddr) -> bool {
        self.occupied != 0
            && self.slots.iter().any(
                |s| matches!(s.state, SlotState::Pending(t) | SlotState::Ready(t, _) if t == ip),
            )
    }

    fn is_released(s: SlotState) -> bool {
        matches!(s, SlotState::Ready(..) | SlotState::Unreachable(_))
    }

    /// Whether released or handed-back packets wait to be taken.
    #[inline]
    pub(super) fn has_released(&self) -> bool {
        self.occupied != 0 && self.slots.iter().any(|s| Self::is_released(s.state))
    }

    /// When the earliest released or handed-back packet became so.
    pub(super) fn released_since(&self) -> Option<Instant> {
        self.slots
            .iter()
            .filter(|s| Self::is_released(s.state))
            .map(|s| s.since)
            .min()
    }

    /// Release `ip`'s pending packets to `mac`.
    pub(super) fn resolve(&mut self, now: Instant, ip: IpAddr, mac: EthernetAddress) {
        for s in self.slots.iter_mut() {
            if s.state == SlotState::Pending(ip) {
                s.state = SlotState::Ready(ip, mac);
                s.since = now;
            }
        }
    }

    /// Mark `ip`'s pending packets unreachable; returns how many.
    pub(super) fn hand_back(&mut self, now: Instant, ip: IpAddr) -> usize {
        let mut count = 0;
        for s in self.slots.iter_mut() {
            if s.state == SlotState::Pending(ip) {
                s.state = SlotState::Unreachable(ip);
                s.since = now;
                count += 1;
            }
        }
        count
    }

    /// The oldest slot whose state satisfies `pred`.
    pub(super) fn oldest(&self, pred: impl Fn(SlotState) -> bool) -> Option<usize> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| pred(s.state))
            .min_by_key(|(_, s)| s.seq)
            .map(|(j, _)| j)
    }

    pub(super) fn free_slot(&mut self, j: usize) {
        if let Some(s) = self.slots.get_mut(j)
            && s.state != SlotState::Free
        {
            *s = PendingSlot::EMPTY;
            self.occupied = self.occupied.saturating_sub(1);
        }
    }

    /// Free every slot whose state satisfies `pred`; returns how many.
    pub(super) fn drop_matching(&mut self, pred: impl Fn(SlotState) -> bool) -> u64 {
        let mut dropped = 0;
        for j in 0..self.slots.len() {
            if self.slots.get(j).is_some_and(|s| pred(s.state)) {
                self.free_slot(j);
                dropped += 1;
            }
        }
        dropped
    }

    /// A free slot, reclaiming one if the pool is full: first the oldest
    /// handed-back packet nobody took, then the oldest pending packet of a
    /// neighbour that has more than one (each keeps its latest, RFC 1122
    /// §2.3.2.2), then the oldest pending packet of `own` (the neighbour
    /// being queued to, whose latest packet is the new one). Released
    /// packets are never reclaimed. Returns the slot and whether a packet
    /// was dropped for it.
    pub(super) fn take_slot(&mut self, own: Option<IpAddr>) -> Option<(usize, bool)> {
        if let Some(j) = self.slots.iter().position(|s| s.state == SlotState::Free) {
            return Some((j, false));
        }
        let victim = self
            .oldest(|s| matches!(s, SlotState::Unreachable(_)))
            .or_else(|| {
                self.oldest(|s| match s {
                    SlotState::Pending(ip) => self.count_pending(ip) > 1,
                    _ => false,
                })
            })
            .or_else(|| {
                let own = own?;
                self.oldest(|s| s == SlotState::Pending(own))
            })?;
        self.free_slot(victim);
        Some((victim, true))
    }

    /// Let `fill` write a packet of `len` bytes into free slot `j`, last
    /// in queue order. Returns whether it fit and `fill` succeeded (if not,
    /// the slot stays free).
    pub(super) fn store(
        &mut self,
        j: usize,
        state: SlotState,
        len: usize,
        now: Instant,
        fill: &mut dyn FnMut(&mut [u8]) -> bool,
    ) -> bool {
        let start = j.saturating_mul(self.slot_size);
        if len > self.slot_size {
            return false;
        }
        let Some(dst) = self.bytes.get_mut(start..start.saturating_add(len)) else {
            return false;
        };
        let Some(slot) = self.slots.get_mut(j) else {
            return false;
        };
        if !fill(dst) {
            return false;
        }
        *slot = PendingSlot {
            state,
            len,
            seq: self.next_seq,
            since: now,
        };
        self.next_seq = self.next_seq.wrapping_add(1);
        self.occupied += 1;
        true
    }

    /// Take the oldest slot whose state satisfies `pred`: its state and
    /// bytes (valid until the next mutation).
    pub(super) fn pop(&mut self, pred: impl Fn(SlotState) -> bool) -> Option<(SlotState, &[u8])> {
        if self.occupied == 0 {
            return None;
        }
        let j = self.oldest(pred)?;
        let slot = *self.slots.get(j)?;
        self.free_slot(j);
        let start = j.saturating_mul(self.slot_size);
        let bytes = self.bytes.get(start..start.saturating_add(slot.len))?;
        Some((slot.state, bytes))
    }
}
