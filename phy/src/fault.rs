//! A device wrapper that injects faults, reproducibly from a seed.
//!
//! [`FaultInjector`] wraps any device and applies, separately to received
//! (rx) and transmitted (tx) frames, the faults of a [`FaultConfig`]:
//!
//! * **max frame size** — larger frames are dropped;
//! * **drop** — a percentage of frames is lost;
//! * **corrupt** — a percentage of frames has one random bit of one random
//!   byte flipped, after the frame's checksums, as on a wire: a checksum
//!   the inner device would fill (its `DeviceCapabilities::checksum`
//!   offloads, an offload TAP's TCP) is completed in software first and
//!   the device told so (`TxMeta::checksums_complete`), so the receiver
//!   catches the damage instead of getting a checksum computed over it;
//! * **duplicate** — a percentage of frames is delivered twice;
//! * **rate limit** — a token bucket (bytes per second, burst) spaces frames
//!   out; they wait in the holding queue, they are not dropped;
//! * **delay** — a fixed delay plus a uniformly random jitter; frames wait
//!   in the holding queue until `now` passes their release time (jitter can
//!   reorder them);
//! * **reorder** — a percentage of frames is held back and released right
//!   after the next frame (or after [`FaultConfig::reorder_timeout`] if no
//!   frame follows).
//!
//! Every fault is counted in [`FaultStats`]. Randomness comes from
//! [`ferrotcp::rand::Rand`] seeded at construction (rx and tx draw from
//! separate streams), so a run is reproducible from its seed.
//!
//! # Timing
//!
//! Held frames become due at the instant [`FaultInjector::poll_at`]
//! returns. A caller that sleeps until the stack's `poll_at` should sleep
//! until the earlier of the two: held received frames are handed out by
//! `receive`, and held transmitted frames are sent to the inner device by
//! any call to `receive`, `transmit` or [`FaultInjector::flush`].
//!
//! # Copies
//!
//! A direction whose configuration is a no-op passes frames through
//! without copying. Otherwise received frames are copied out of the inner
//! device into owned buffers; transmitted frames are built directly in the
//! inner device's buffer when they can be sent at once, and in an owned
//! buffer when they are held.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use ferrotcp::device::{Device, DeviceCapabilities, Medium, RxMeta, RxToken, TxMeta, TxToken};
use ferrotcp::rand::Rand;
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::ChecksumCapabilities;

/// A token bucket: a long-run rate and a burst allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The long-run rate in bytes per second. With 0 nothing passes once
    /// the initial bucket is spent; later frames are held until the
    /// holding queue overflows.
    pub bytes_per_second: u64,
    /// The bucket size in bytes: how much may pass at once after a quiet
    /// period. A frame larger than the bucket waits for a full bucket.
    pub burst_bytes: u64,
}

/// The faults applied to one direction.
///
/// Build one with struct update syntax:
/// `FaultConfig { drop_percent: 10, ..FaultConfig::default() }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultConfig {
    /// Percentage of frames dropped (0..=100; larger values act as 100).
    pub drop_percent: u8,
    /// Percentage of frames delivered twice.
    pub duplicate_percent: u8,
    /// Percentage of frames with one bit flipped.
    pub corrupt_percent: u8,
    /// Percentage of frames held back and released after the next frame.
    pub reorder_percent: u8,
    /// How long a held-back frame waits for a next frame before it is
    /// released anyway (default 10 ms).
    pub reorder_timeout: Duration,
    /// Fixed delay added to every frame.
    pub delay: Duration,
    /// Upper bound of a uniformly random extra delay (0..=jitter).
    pub jitter: Duration,
    /// Token-bucket rate limit, if any.
    pub rate_limit: Option<RateLimit>,
    /// Frames longer than this are dropped.
    pub max_frame_size: Option<usize>,
    /// How many frames may wait in the holding queue (delay, rate limit,
    /// reordering); more are dropped and counted (default 64). Received
    /// frames always pass through the queue when a fault is configured, so
    /// with 0 nothing is received.
    pub hold_capacity: usize,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            drop_percent: 0,
            duplicate_percent: 0,
            corrupt_percent: 0,
            reorder_percent: 0,
            reorder_timeout: Duration::from_millis(10),
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            rate_limit: None,
            max_frame_size: None,
            hold_capacity: 64,
        }
    }
}

impl FaultConfig {
    /// Whether this configuration leaves every frame untouched.
    pub fn is_noop(&self) -> bool {
        self.drop_percent == 0
            && self.duplicate_percent == 0
            && self.corrupt_percent == 0
            && self.reorder_percent == 0
            && self.delay == Duration::ZERO
            && self.jitter == Duration::ZERO
            && self.rate_limit.is_none()
            && self.max_frame_size.is_none()
    }
}

/// What happened to the frames of one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultStats {
    /// Frames offered to the fault model.
    pub frames: u64,
    /// Frames dropped by `drop_percent`.
    pub dropped: u64,
    /// Frames dropped for exceeding `max_frame_size`.
    pub oversize: u64,
    /// Frames that got a second copy.
    pub duplicated: u64,
    /// Frames with a flipped bit.
    pub corrupted: u64,
    /// Frames held back to be released after the next frame.
    pub reordered: u64,
    /// Frames (copies included) given a non-zero delay or jitter.
    pub delayed: u64,
    /// Frames (copies included) made to wait by the rate limit.
    pub rate_limited: u64,
    /// Frames dropped because the holding queue was full.
    pub queue_full: u64,
}

#[derive(Debug)]
struct Held {
    due: Instant,
    seq: u64,
    frame: Vec<u8>,
    /// What the inner device said about a received frame (kept for a
    /// frame that is not corrupted).
    meta: RxMeta,
    /// What to tell the inner device about a transmitted frame.
    tx_meta: TxMeta,
}

/// Token bucket state, in byte-microseconds so that refilling is exact:
/// one microsecond at `r` bytes per second adds `r` units, one byte costs
/// 1,000,000 units.
#[derive(Debug, Default)]
struct Bucket {
    tokens: i128,
    last: Option<Instant>,
}

const UNITS_PER_BYTE: i128 = 1_000_000;

impl Bucket {
    /// When a frame of `len` bytes offered at `at` may pass.
    fn release(&mut self, limit: RateLimit, at: Instant, len: usize) -> Instant {
        let rate = i128::from(limit.bytes_per_second);
        let cap = i128::from(limit.burst_bytes) * UNITS_PER_BYTE;
        let (mut t, mut tokens) = match self.last {
            None => (at, cap),
            // Frames leave in the order they were offered: never before
            // the previous release.
            Some(last) => {
                let t = at.max(last);
                let elapsed = i128::from((t - last).total_micros());
                let refill = elapsed.saturating_mul(rate);
                (t, self.tokens.saturating_add(refill).min(cap))
            }
        };
        let len = i128::try_from(len)
            .unwrap_or(i128::MAX)
            .saturating_mul(UNITS_PER_BYTE);
        let need = len.min(cap);
        if tokens < need {
            if rate == 0 {
                t = Instant::MAX;
            } else {
                let wait = (need - tokens + rate - 1) / rate;
                let wait = u64::try_from(wait).unwrap_or(u64::MAX);
                t += Duration::from_micros(wait);
                tokens = tokens.saturating_add(i128::from(wait).saturating_mul(rate));
            }
        }
        self.tokens = tokens.saturating_sub(len);
        self.last = Some(t);
        t
    }
}

/// Why a frame was not admitted.
enum Refused {
    Oversize,
    Dropped,
}

/// The decisions for one frame, drawn before its bytes are written.
struct Plan {
    corrupt: Option<(usize, u8)>,
    /// Release times of the frame and of its duplicate.
    due: [Option<Instant>; 2],
    hold_back: bool,
}

/// One direction of the fault model with its holding queue. Shared with
/// the simulated network.
#[derive(Debug)]
pub(crate) struct Lane {
    pub(crate) config: FaultConfig,
    pub(crate) stats: FaultStats,
    rand: Rand,
    /// Sorted by (due, seq).
    queue: VecDeque<Held>,
    held_back: Option<Held>,
    bucket: Bucket,
    seq: u64,
}

fn hit(rand: &mut Rand, percent: u8) -> bool {
    percent > 0 && rand.below(100) < u32::from(percent)
}

impl Lane {
    pub(crate) fn new(config: FaultConfig, seed: u64) -> Self {
        Lane {
            config,
            stats: FaultStats::default(),
            rand: Rand::new(seed),
            queue: VecDeque::new(),
            held_back: None,
            bucket: Bucket::default(),
            seq: 0,
        }
    }

    fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.held_back.is_none()
    }

    fn held(&self) -> usize {
        self.queue.len() + usize::from(self.held_back.is_some())
    }

    fn plan(&mut self, at: Instant, len: usize) -> Result<Plan, Refused> {
        let c = self.config;
        self.stats.frames += 1;
        if c.max_frame_size.is_some_and(|max| len > max) {
            self.stats.oversize += 1;
            return Err(Refused::Oversize);
        }
        let r = &mut self.rand;
        if hit(r, c.drop_percent) {
            self.stats.dropped += 1;
            return Err(Refused::Dropped);
        }
        let corrupt = if len > 0 && hit(r, c.corrupt_percent) {
            self.stats.corrupted += 1;
            let byte = r.below(u32::try_from(len).unwrap_or(u32::MAX)) as usize;
            Some((byte, 1u8 << r.below(8)))
        } else {
            None
        };
        let copies = if hit(r, c.duplicate_percent) {
            self.stats.duplicated += 1;
            2
        } else {
            1
        };
        let hold_back = hit(r, c.reorder_percent);
        let mut due = [None, None];
        for slot in due.iter_mut().take(copies) {
            let mut t = at;
            if let Some(limit) = c.rate_limit {
                t = self.bucket.release(limit, at, len);
                if t > at {
                    self.stats.rate_limited += 1;
                }
            }
            let jitter = match c.jitter.total_micros() {
                0 => 0,
                j => u64::from(self.rand.in_range(0, u32::try_from(j).unwrap_or(u32::MAX))),
            };
            let extra = c.delay + Duration::from_micros(jitter);
            if extra > Duration::ZERO {
                self.stats.delayed += 1;
            }
            *slot = Some(t + extra);
        }
        Ok(Plan {
            corrupt,
            due,
            hold_back,
        })
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn insert(&mut self, due: Instant, frame: Vec<u8>, meta: RxMeta, tx_meta: TxMeta) {
        if self.held() >= self.config.hold_capacity {
            self.stats.queue_full += 1;
            return;
        }
        let seq = self.next_seq();
        let pos = self.queue.partition_point(|h| h.due <= due);
        self.queue.insert(
            pos,
            Held {
                due,
                seq,
                frame,
                meta,
                tx_meta,
            },
        );
    }

    /// Queue a frame released at `due`; release a held-back frame after
    /// it. With `hold_back`, keep it aside instead (if nothing is aside).
    fn place(&mut self, due: Instant, frame: Vec<u8>, meta: (RxMeta, TxMeta), hold_back: bool) {
        let (meta, tx_meta) = meta;
        if hold_back && self.held_back.is_none() {
            if self.held() >= self.config.hold_capacity {
                self.stats.queue_full += 1;
                return;
            }
            self.stats.reordered += 1;
            let seq = self.next_seq();
            self.held_back = Some(Held {
                due,
                seq,
                frame,
                meta,
                tx_meta,
            });
            return;
        }
        self.insert(due, frame, meta, tx_meta);
        self.release_held_back(due);
    }

    /// Put the held-back frame, if any, into the queue no earlier than
    /// `after`.
    fn release_held_back(&mut self, after: Instant) {
        if let Some(h) = self.held_back.take() {
            let due = h.due.max(after);
            let pos = self.queue.partition_point(|q| q.due <= due);
            // It was accounted for while aside: no capacity check.
            self.queue.insert(
                pos,
                Held {
                    due,
                    seq: h.seq,
                    frame: h.frame,
                    meta: h.meta,
                    tx_meta: h.tx_meta,
                },
            );
        }
    }

    fn release_timed_out(&mut self, now: Instant) {
        if let Some(h) = &self.held_back
            && h.due + self.config.reorder_timeout <= now
        {
            self.release_held_back(now);
        }
    }

    /// Run a frame offered at `at` through the fault model into the queue.
    pub(crate) fn admit(&mut self, at: Instant, frame: &[u8], meta: RxMeta) {
        let Ok(plan) = self.plan(at, frame.len()) else {
            return;
        };
        let mut owned = frame.to_vec();
        let mut meta = meta;
        if let Some((i, mask)) = plan.corrupt {
            owned[i] ^= mask;
            // The device's word was about the frame before the bit flip
            // (a checksum it vouched for no longer holds): the stack
            // checks this one itself, as a wire's corruption is caught.
            meta = RxMeta::default();
        }
        let [first, second] = plan.due;
        if let Some(due) = first {
            let meta = (meta, TxMeta::default());
            let dup = second.map(|d| (d, owned.clone()));
            self.place(due, owned, meta, plan.hold_back);
            if let Some((d, f)) = dup {
                self.place(d, f, meta, false);
            }
        }
    }

    /// The first frame due at `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(Vec<u8>, RxMeta)> {
        self.release_timed_out(now);
        if self.queue.front()?.due <= now {
            self.queue.pop_front().map(|h| (h.frame, h.meta))
        } else {
            None
        }
    }

    /// When the next held frame becomes due.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        let q = self.queue.front().map(|h| h.due);
        let h = self
            .held_back
            .as_ref()
            .map(|h| h.due + self.config.reorder_timeout);
        match (q, h) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Injects faults into the frames through a wrapped device.
#[derive(Debug)]
pub struct FaultInjector<D> {
    inner: D,
    rx: Lane,
    tx: Lane,
}

impl<D: Device> FaultInjector<D> {
    /// Wrap `inner` with no faults configured; `seed` fixes every random
    /// decision.
    pub fn new(inner: D, seed: u64) -> Self {
        FaultInjector {
            inner,
            rx: Lane::new(FaultConfig::default(), seed),
            tx: Lane::new(
                FaultConfig::default(),
                seed ^ 0x5851_f42d_4c95_7f2d, // a separate stream for tx
            ),
        }
    }

    /// Set the faults for received frames (builder style).
    pub fn with_rx(mut self, config: FaultConfig) -> Self {
        self.rx.config = config;
        self
    }

    /// Set the faults for transmitted frames (builder style).
    pub fn with_tx(mut self, config: FaultConfig) -> Self {
        self.tx.config = config;
        self
    }

    /// The faults for received frames.
    pub fn rx_config(&self) -> &FaultConfig {
        &self.rx.config
    }

    /// The faults for received frames, to change. Frames already held
    /// keep their release times.
    pub fn rx_config_mut(&mut self) -> &mut FaultConfig {
        &mut self.rx.config
    }

    /// The faults for transmitted frames.
    pub fn tx_config(&self) -> &FaultConfig {
        &self.tx.config
    }

    /// The faults for transmitted frames, to change.
    pub fn tx_config_mut(&mut self) -> &mut FaultConfig {
        &mut self.tx.config
    }

    /// Counters for received frames.
    pub fn rx_stats(&self) -> &FaultStats {
        &self.rx.stats
    }

    /// Counters for transmitted frames.
    pub fn tx_stats(&self) -> &FaultStats {
        &self.tx.stats
    }

    /// The earliest instant at which a held frame (either direction)
    /// becomes due, or `None` if nothing is held.
    pub fn poll_at(&self) -> Option<Instant> {
        match (self.rx.next_due(), self.tx.next_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Send the held transmitted frames that are due at `now` to the inner
    /// device, as far as it takes them.
    pub fn flush(&mut self, now: Instant) {
        flush_tx(&mut self.inner, &mut self.tx, now);
    }

    /// The wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The wrapped device, mutably.
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// Give back the wrapped device; held frames are lost.
    pub fn into_inner(self) -> D {
        self.inner
    }
}

fn flush_tx<D: Device>(inner: &mut D, lane: &mut Lane, now: Instant) {
    lane.release_timed_out(now);
    while lane.queue.front().is_some_and(|h| h.due <= now) {
        let Some(mut token) = inner.transmit(now) else {
            return;
        };
        if let Some(h) = lane.queue.pop_front() {
            if h.tx_meta != TxMeta::default() {
                token.set_meta(h.tx_meta);
            }
            token.consume(h.frame.len(), |buf| buf.copy_from_slice(&h.frame));
        }
    }
}

/// The checksums `inner` fills on transmit, to be completed before a bit
/// is flipped (`None`: none, the stack fills them all, or `lane` corrupts
/// nothing).
fn fill_duty<D: Device>(inner: &D, lane: &Lane) -> Option<(Medium, ChecksumCapabilities)> {
    if lane.config.corrupt_percent == 0 {
        return None;
    }
    let caps = inner.capabilities();
    checksums::device_fills_any(&caps.checksum).then_some((caps.medium, caps.checksum))
}

/// A received frame: the inner device's own token when rx is a no-op,
/// otherwise a frame released from the holding queue.
pub struct FaultRxToken<T> {
    inner: RxKind<T>,
}

enum RxKind<T> {
    Inner(T),
    Owned(Vec<u8>, RxMeta),
}

impl<T: RxToken> RxToken for FaultRxToken<T> {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        match self.inner {
            RxKind::Inner(t) => t.consume(f),
            RxKind::Owned(frame, _) => f(&frame),
        }
    }

    /// The inner device's word for its frame, kept through delay, reorder
    /// and duplication; nothing for a frame the fault model corrupted.
    /// (Dropping it for every held frame made the stack check checksums
    /// an offload TAP never filled in: the kernel's own TCP segments carry
    /// only the pseudo-header sum, so each was dropped as corrupt.)
    fn meta(&self) -> RxMeta {
        match &self.inner {
            RxKind::Inner(t) => t.meta(),
            RxKind::Owned(_, meta) => *meta,
        }
    }
}

/// Room for one frame to send, through the tx fault model.
pub struct FaultTxToken<'a, T> {
    inner: Option<T>,
    lane: &'a mut Lane,
    now: Instant,
    /// The checksums the inner device fills (see [`fill_duty`]).
    fill: Option<(Medium, ChecksumCapabilities)>,
}

impl<T: TxToken> TxToken for FaultTxToken<'_, T> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let FaultTxToken {
            inner,
            lane,
            now,
            fill,
        } = self;
        if lane.config.is_noop()
            && lane.is_idle()
            && let Some(token) = inner
        {
            return token.consume(len, f);
        }
        let plan = match lane.plan(now, len) {
            Ok(plan) => plan,
            Err(_) => {
                // Build the frame, then lose it.
                let mut scratch = vec![0; len];
                return f(&mut scratch);
            }
        };
        let [first, second] = plan.due;
        let direct = !plan.hold_back
            && first.is_some_and(|d| d <= now)
            && lane.queue.front().is_none_or(|h| h.due > now);
        // A wire corrupts a frame after its checksums were computed: those
        // the inner device would fill (over the damaged bytes, hiding the
        // damage) are completed here first and the device is told to leave
        // them. The injector declares no TSO (`capabilities`), so a frame
        // is never a super-segment whose per-segment checksums only the
        // device could fill.
        let fill = fill.filter(|_| plan.corrupt.is_some());
        let tx_meta = TxMeta::with_checksums_complete(fill.is_some());
        let damage = |frame: &mut [u8]| {
            if let Some((medium, duties)) = &fill {
                checksums::complete(frame, *medium, duties);
            }
            if let Some((i, mask)) = plan.corrupt {
                frame[i] ^= mask;
            }
        };
        match inner {
            Some(mut token) if direct => {
                if fill.is_some() {
                    token.set_meta(tx_meta);
                }
                token.consume(len, |buf| {
                    let r = f(buf);
                    damage(buf);
                    // A held-back frame goes right after this one.
                    lane.release_held_back(now);
                    if let Some(d) = second {
                        lane.place(d, buf.to_vec(), (RxMeta::default(), tx_meta), false);
                    }
                    r
                })
            }
            _ => {
                let mut frame = vec![0; len];
                let r = f(&mut frame);
                damage(&mut frame);
                if let Some(d) = first {
                    let meta = (RxMeta::default(), tx_meta);
                    let dup = second.map(|d| (d, frame.clone()));
                    lane.place(d, frame, meta, plan.hold_back);
                    if let Some((d, f)) = dup {
                        lane.place(d, f, meta, false);
                    }
                }
                r
            }
        }
    }
}

impl<D: Device> Device for FaultInjector<D> {
    type RxToken<'a>
        = FaultRxToken<D::RxToken<'a>>
    where
        Self: 'a;
    type TxToken<'a>
        = FaultTxToken<'a, D::TxToken<'a>>
    where
        Self: 'a;

    fn receive(&mut self, now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        flush_tx(&mut self.inner, &mut self.tx, now);
        let fill = fill_duty(&self.inner, &self.tx);
        if self.rx.config.is_noop() && self.rx.is_idle() {
            let (rx, tx) = self.inner.receive(now)?;
            return Some((
                FaultRxToken {
                    inner: RxKind::Inner(rx),
                },
                FaultTxToken {
                    inner: Some(tx),
                    lane: &mut self.tx,
                    now,
                    fill,
                },
            ));
        }
        // Pull what the inner device has into the holding queue (bounded
        // by the queue's capacity), then hand out the first due frame.
        let mut budget = self.rx.config.hold_capacity.saturating_sub(self.rx.held());
        while budget > 0 {
            let Some((rx, _tx)) = self.inner.receive(now) else {
                break;
            };
            let lane = &mut self.rx;
            let meta = rx.meta();
            rx.consume(|frame| lane.admit(now, frame, meta));
            budget -= 1;
        }
        let (frame, meta) = self.rx.pop_due(now)?;
        Some((
            FaultRxToken {
                inner: RxKind::Owned(frame, meta),
            },
            FaultTxToken {
                inner: self.inner.transmit(now),
                lane: &mut self.tx,
                now,
                fill,
            },
        ))
    }

    fn transmit(&mut self, now: Instant) -> Option<Self::TxToken<'_>> {
        flush_tx(&mut self.inner, &mut self.tx, now);
        if self.tx.config.is_noop() && self.tx.is_idle() {
            let tx = self.inner.transmit(now)?;
            return Some(FaultTxToken {
                inner: Some(tx),
                lane: &mut self.tx,
                now,
                fill: None,
            });
        }
        if self.tx.held() >= self.tx.config.hold_capacity {
            return None;
        }
        let fill = fill_duty(&self.inner, &self.tx);
        Some(FaultTxToken {
            inner: self.inner.transmit(now),
            lane: &mut self.tx,
            now,
            fill,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = self.inner.capabilities();
        // No super-segments through the fault model. Corrupting one as a
        // wire would needs it cut first (`gso::segment_tcp`, one piece
        // damaged), since only the cutter can fill the per-segment
        // checksums; declaring no TSO is the simplest correct choice: the
        // stack sends MTU-sized segments, each corrupted (after its
        // checksums) or not on its own, as on a wire. (`SimConfig::tso`
        // models a TSO device in front of a faulty link.)
        caps.max_tso_size = 0;
        caps
    }
}

mod checksums;
#[cfg(test)]
mod tests;
