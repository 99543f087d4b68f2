//! The neighbour cache: link-layer address resolution for IPv4 (ARP,
//! RFC 826, RFC 1122 §2.3.2) and IPv6 (Neighbor Discovery, RFC 4861 §7.2)
//! driven by one Neighbor Unreachability Detection state machine for both
//! families (RFC 4861 §7.3, Appendix C), with a bounded queue of packets
//! waiting for resolution (RFC 1122 §2.3.2.2, RFC 4861 §7.2.2).
//!
//! Entries live in caller storage (a [`ManagedSlice`] of
//! [`NeighborEntry`]); packets waiting for resolution live in a pool of
//! equal slots (a [`ManagedSlice`] of [`PendingSlot`] plus one byte slice
//! the slots divide evenly between them). Nothing allocates; every bound
//! that is hit drops something and counts it in [`NeighborCounters`].
//!
//! # How the interface drives it (sans-IO)
//!
//! * To send an IP packet to next hop `ip`: call [`NeighborCache::lookup`].
//!   On `Reachable(mac)` / `Stale(mac)` send to `mac`; on `Incomplete` or
//!   `NotFound` hand the packet to [`NeighborCache::queue`].
//! * For every received ARP packet, NS, NA, RA or Redirect, report it
//!   ([`NeighborCache::arp_update`], [`NeighborCache::arp_learn`],
//!   [`NeighborCache::neighbor_solicitation`],
//!   [`NeighborCache::neighbor_advertisement`],
//!   [`NeighborCache::router_advertisement`], [`NeighborCache::redirect`]),
//!   and upper-layer reachability hints through [`NeighborCache::confirm`].
//! * After any of those, and in every interface poll, drain
//!   [`NeighborCache::pop_ready`] (packets whose neighbour is now resolved,
//!   oldest first) and [`NeighborCache::pop_unreachable`] (packets whose
//!   resolution failed: answer each with an ICMP Destination Unreachable /
//!   Address Unreachable or a socket error, RFC 4861 §7.2.2).
//! * When `now` reaches [`NeighborCache::poll_at`], call
//!   [`NeighborCache::poll`]: it runs the due timers and emits
//!   [`Action::Solicit`] (send an NS / ARP request) and [`Action::Failed`].

mod pool;
#[cfg(all(test, feature = "counters"))]
mod tests;

pub use self::pool::PendingSlot;
use self::pool::{Pool, SlotState};

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use managed::ManagedSlice;

use crate::config::NeighborConfig;
use crate::rand::Rand;
use crate::time::{Duration, Instant};
use crate::wire::{EthernetAddress, IpVersion};

/// RFC 4861 §6.3.2: ReachableTime "should be re-computed ... at least every
/// few hours even if no Router Advertisements are received".
const REACHABLE_TIME_RECOMPUTE: Duration = Duration::from_secs(2 * 3_600);

/// The Neighbor Unreachability Detection state of an entry (RFC 4861
/// §7.3.2). FAILED entries are removed rather than kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NudState {
    /// Address resolution is in progress; the link-layer address is not
    /// yet known.
    Incomplete,
    /// Positive confirmation that the forward path worked was received
    /// within the last ReachableTime.
    Reachable,
    /// The address is known but its reachability is unconfirmed.
    Stale,
    /// A packet was sent to a STALE neighbour; waiting
    /// DELAY_FIRST_PROBE_TIME for an upper-layer confirmation before
    /// probing.
    Delay,
    /// Unicast solicitations are being sent to verify reachability.
    Probe,
}

/// One neighbour (kept inside a [`NeighborEntry`]).
#[derive(Debug, Clone, Copy)]
struct Neighbor {
    protocol_addr: IpAddr,
    /// `None` exactly when `state` is INCOMPLETE.
    hardware_addr: Option<EthernetAddress>,
    state: NudState,
    is_router: bool,
    /// Solicitations sent in the current INCOMPLETE or PROBE episode.
    probes: u32,
    /// When this entry's timer fires (`None`: no timer).
    deadline: Option<Instant>,
    /// Last time traffic to the neighbour was looked up or queued (LRU
    /// replacement and garbage collection).
    last_used: Instant,
    /// The source address of the latest queued packet (RFC 4861 §7.2.2:
    /// the source of the solicitation).
    source_hint: Option<IpAddr>,
}

/// Caller storage for one neighbour; initialise arrays with
/// [`NeighborEntry::EMPTY`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NeighborEntry {
    neighbor: Option<Neighbor>,
}

impl NeighborEntry {
    /// An unused entry.
    pub const EMPTY: NeighborEntry = NeighborEntry { neighbor: None };
}

/// The answer to [`NeighborCache::lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Lookup {
    /// Send to this address: reachability is confirmed.
    Reachable(EthernetAddress),
    /// Send to this address: it is unconfirmed (STALE, DELAY or PROBE);
    /// a STALE entry has just moved to DELAY (RFC 4861 §7.3.3).
    Stale(EthernetAddress),
    /// Queue the packet with [`NeighborCache::queue`]: resolution is in
    /// progress, or earlier packets to this neighbour are still waiting to
    /// be released and must go first.
    Incomplete,
    /// No entry: queue the packet with [`NeighborCache::queue`], which
    /// starts resolution.
    NotFound,
}

/// Why [`NeighborCache::queue`] did not keep a packet. Each is counted in
/// [`NeighborCounters::queue_drops`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum QueueError {
    /// The address is unspecified, multicast or broadcast: never resolved.
    Unaddressable,
    /// The packet is longer than a pool slot. Resolution was still started.
    TooLarge,
    /// No pool slot could be freed (or `unres_qlen` is 0). Resolution was
    /// still started.
    NoBuffer,
    /// No entry could be made: the table has no room.
    CacheFull,
}

/// Work [`NeighborCache::poll`] asks the interface to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Action {
    /// Send a Neighbor Solicitation (IPv6) or ARP request (IPv4) for
    /// `target`: to the solicited-node multicast group / broadcast when
    /// `unicast` is `None`, else a unicast probe to that address.
    Solicit {
        /// The address being resolved.
        target: IpAddr,
        /// The cached address to probe (PROBE state), or `None`.
        unicast: Option<EthernetAddress>,
        /// The source address of the packet that prompted resolution; use
        /// it as the solicitation's source if it is still one of ours
        /// (RFC 4861 §7.2.2).
        source: Option<IpAddr>,
    },
    /// Resolution or unreachability detection for `target` failed and its
    /// entry was removed; `queued` of its packets are waiting in
    /// [`NeighborCache::pop_unreachable`].
    Failed {
        /// The neighbour.
        target: IpAddr,
        /// How many of its packets were handed back.
        queued: usize,
    },
}

/// The flags of a received Neighbor Advertisement (RFC 4861 §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NaFlags {
    /// R: the sender is a router.
    pub router: bool,
    /// S: sent in response to a solicitation.
    pub solicited: bool,
    /// O: override an existing cache entry.
    pub override_: bool,
}

/// What a received message did to the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Merge {
    /// Nothing changed: no entry and none to create, or a rule said to
    /// ignore the message.
    Ignored,
    /// A new entry was created.
    Created,
    /// An existing entry was processed (it may be unchanged).
    Updated,
    /// An existing entry was processed and its IsRouter flag went from
    /// TRUE to FALSE: remove it from the Default Router List (RFC 4861
    /// §7.2.5, §7.3.3).
    RouterLost,
}

/// A read-only view of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NeighborInfo {
    /// The neighbour's IP address.
    pub protocol_addr: IpAddr,
    /// Its link-layer address (`None` while INCOMPLETE).
    pub hardware_addr: Option<EthernetAddress>,
    /// Its NUD state.
    pub state: NudState,
    /// The IsRouter flag (RFC 4861 §5.1).
    pub is_router: bool,
    /// Solicitations sent in the current INCOMPLETE / PROBE episode.
    pub probes: u32,
    /// When its timer fires.
    pub deadline: Option<Instant>,
    /// Packets waiting for its resolution.
    pub queued: usize,
}

/// A packet released after resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadyPacket<'p> {
    /// The neighbour (next hop).
    pub target: IpAddr,
    /// Its link-layer address: the frame's destination.
    pub hardware_addr: EthernetAddress,
    /// The IP packet, as queued.
    pub packet: &'p [u8],
}

/// A packet handed back because resolution of its next hop failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreachablePacket<'p> {
    /// The neighbour that did not answer.
    pub target: IpAddr,
    /// The IP packet, as queued.
    pub packet: &'p [u8],
}

/// Counters the cache keeps ([`super::Count`]: zero-size without the
/// `counters` feature).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NeighborCounters {
    /// Multicast NS / broadcast ARP requests asked for.
    pub solicitations_multicast: super::Count,
    /// Unicast probes asked for.
    pub solicitations_unicast: super::Count,
    /// INCOMPLETE entries that learned their link-layer address.
    pub resolutions: super::Count,
    /// Entries removed because solicitations went unanswered.
    pub failures: super::Count,
    /// Queued packets dropped (per-neighbour overflow, pool exhaustion,
    /// too large, removal, unaddressable).
    pub queue_drops: super::Count,
    /// Entries replaced to make room.
    pub evictions: super::Count,
    /// Packets handed back because their unresolved entry was evicted.
    pub evicted_packets: super::Count,
    /// Unused STALE entries collected.
    pub gc_removals: super::Count,
    /// Learned neighbours not stored because no entry could be replaced.
    pub table_full: super::Count,
}

/// Per-family timers: RA options change IPv6's (RFC 4861 §6.3.4), never
/// IPv4's.
#[derive(Debug, Clone, Copy)]
struct FamilyTimers {
    base_reachable_ms: u32,
    reachable_time: Duration,
    retrans_timer: Duration,
    recompute_at: Instant,
}

/// The neighbour cache. See the [module documentation](self).
#[derive(Debug)]
pub struct NeighborCache<'a> {
    entries: ManagedSlice<'a, NeighborEntry>,
    pool: Pool<'a>,
    config: NeighborConfig,
    /// Indexed by [`family`].
    timers: [FamilyTimers; 2],
    rand: Rand,
    counters: NeighborCounters,
    /// A lower bound of [`poll_at`](Self::poll_at), so the interface can
    /// tell "nothing due" on every poll without scanning the entries.
    /// Lowered where `lookup` sets a deadline; recomputed (a scan) when
    /// `timers_stale` says another change — a received ARP/NDP message, a
    /// queued packet, `poll` itself — may have set an earlier one.
    earliest: Option<Instant>,
    timers_stale: bool,
    /// The entry the last `lookup` found: checked first (by address, so
    /// never trusted blindly), as packets tend to go to the same next hop.
    last_found: usize,
    /// Bumped by every change that may alter what `lookup` answers (an
    /// entry created, removed, re-addressed or moved between states, a
    /// packet queued, a timer run): the interface's next-hop cache is
    /// valid only while this is unchanged.
    generation: u64,
}

fn family(ip: &IpAddr) -> usize {
    match ip {
        IpAddr::V4(_) => 0,
        IpAddr::V6(_) => 1,
    }
}

fn version_index(version: IpVersion) -> usize {
    match version {
        IpVersion::Ipv4 => 0,
        IpVersion::Ipv6 => 1,
    }
}

/// Whether `ip` can name a neighbour at all.
fn is_addressable(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => !a.is_unspecified() && !a.is_multicast() && !a.is_broadcast(),
        IpAddr::V6(a) => !a.is_unspecified() && !a.is_multicast(),
    }
}

/// The source address of an IP packet, if it has one worth using.
pub(crate) fn source_of(packet: &[u8]) -> Option<IpAddr> {
    let ip = match IpVersion::of_packet(packet)? {
        IpVersion::Ipv4 => {
            let b: [u8; 4] = packet.get(12..16)?.try_into().ok()?;
            IpAddr::V4(Ipv4Addr::from(b))
        }
        IpVersion::Ipv6 => {
            let b: [u8; 16] = packet.get(8..24)?.try_into().ok()?;
            IpAddr::V6(Ipv6Addr::from(b))
        }
    };
    (!ip.is_unspecified()).then_some(ip)
}

/// RFC 4861 §6.3.2: ReachableTime is "a uniformly distributed random value
/// between MIN_RANDOM_FACTOR and MAX_RANDOM_FACTOR times BaseReachableTime"
/// (§10: 0.5 and 1.5), drawn here as base/2 + uniform(0..base).
fn random_reachable_time(rand: &mut Rand, base_ms: u32) -> Duration {
    let base_us = u64::from(base_ms) * 1_000;
    let jitter_us = match u32::try_from(base_us) {
        Ok(b) => u64::from(rand.below(b)),
        Err(_) => u64::from(rand.below(base_ms)) * 1_000,
    };
    Duration::from_micros(base_us / 2 + jitter_us)
}

impl<'a> NeighborCache<'a> {
    /// A cache of `entries.len()` neighbours and `slots.len()` queued
    /// packets, each at most `pool.len() / slots.len()` bytes (size the
    /// pool as slots × MTU). `rand` is a generator derived from the
    /// interface's (e.g. `Rand::new(iface_rand.rand_u64())`).
    pub fn new<E, S, P>(
        entries: E,
        slots: S,
        pool: P,
        config: NeighborConfig,
        mut rand: Rand,
        now: Instant,
    ) -> NeighborCache<'a>
    where
        E: Into<ManagedSlice<'a, NeighborEntry>>,
        S: Into<ManagedSlice<'a, PendingSlot>>,
        P: Into<ManagedSlice<'a, u8>>,
    {
        let mut entries = entries.into();
        entries.iter_mut().for_each(|e| *e = NeighborEntry::EMPTY);
        let timers = FamilyTimers {
            base_reachable_ms: config.base_reachable_time_ms,
            reachable_time: random_reachable_time(&mut rand, config.base_reachable_time_ms),
            retrans_timer: Duration::from_millis(u64::from(config.retrans_time_ms)),
            recompute_at: now + REACHABLE_TIME_RECOMPUTE,
        };
        let mut v6 = timers;
        v6.reachable_time = random_reachable_time(&mut rand, config.base_reachable_time_ms);
        NeighborCache {
            entries,
            pool: Pool::new(slots.into(), pool.into()),
            config,
            timers: [timers, v6],
            rand,
            counters: NeighborCounters::default(),
            earliest: None,
            timers_stale: true,
            last_found: 0,
            generation: 0,
        }
    }

    // ---- inspection ----

    /// The most neighbours the cache holds.
    pub fn capacity(&self) -> usize {
        self.entries.len()
    }

    /// The neighbours it holds now.
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.neighbor.is_some()).count()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The longest packet [`queue`](Self::queue) accepts.
    pub fn slot_size(&self) -> usize {
        self.pool.slot_size
    }

    /// The configuration it was created with.
    pub fn config(&self) -> NeighborConfig {
        self.config
    }

    /// Counters.
    pub fn counters(&self) -> NeighborCounters {
        self.counters
    }

    /// The current ReachableTime of a family.
    pub fn reachable_time(&self, version: IpVersion) -> Duration {
        self.timers[version_index(version)].reachable_time
    }

    /// The current RetransTimer of a family.
    pub fn retrans_timer(&self, version: IpVersion) -> Duration {
        self.timers[version_index(version)].retrans_timer
    }

    /// The entry for `ip`.
    pub fn get(&self, ip: IpAddr) -> Option<NeighborInfo> {
        let i = self.find(ip)?;
        self.info(i)
    }

    /// Every entry.
    pub fn iter(&self) -> impl Iterator<Item = NeighborInfo> + '_ {
        (0..self.entries.len()).filter_map(|i| self.info(i))
    }

    /// Whether released or handed-back packets are waiting to be taken.
    #[inline]
    pub fn has_released(&self) -> bool {
        self.pool.has_released()
    }

    // ---- configuration from Router Advertisements ----

    /// Adopt a BaseReachableTime (RFC 4861 §6.3.4: "If the received
    /// Reachable Time value is non-zero, the host SHOULD set its
    /// BaseReachableTime variable to the received value"). Zero is ignored.
    pub fn set_base_reachable_time(&mut self, now: Instant, version: IpVersion, ms: u32) {
        self.changed();
        let t = &mut self.timers[version_index(version)];
        if ms == 0 || ms == t.base_reachable_ms {
            return;
        }
        // RFC 4861 §6.3.4: "If the new value differs from the previous
        // value, the host SHOULD re-compute a new random ReachableTime".
        t.base_reachable_ms = ms;
        t.reachable_time = random_reachable_time(&mut self.rand, ms);
        t.recompute_at = now + REACHABLE_TIME_RECOMPUTE;
    }

    /// Adopt a RetransTimer (RFC 4861 §6.3.4: "The RetransTimer variable
    /// SHOULD be copied from the Retrans Timer field, if the received value
    /// is non-zero"). Zero is ignored.
    pub fn set_retrans_timer(&mut self, version: IpVersion, ms: u32) {
        self.changed();
        if ms != 0 {
            self.timers[version_index(version)].retrans_timer =
                Duration::from_millis(u64::from(ms));
        }
    }

    // ---- sending ----

    /// How to send a packet to next hop `ip` (RFC 4861 §7.3.3). Moves a
    /// STALE entry (or a REACHABLE one past its ReachableTime) to DELAY.
    pub fn lookup(&mut self, now: Instant, ip: IpAddr) -> Lookup {
        if !is_addressable(&ip) {
            return Lookup::NotFound;
        }
        let hinted = self
            .entries
            .get(self.last_found)
            .is_some_and(|e| e.neighbor.is_some_and(|n| n.protocol_addr == ip));
        let i = if hinted {
            self.last_found
        } else {
            let Some(i) = self.find(ip) else {
                return Lookup::NotFound;
            };
            self.last_found = i;
            i
        };
        // Earlier packets still in the pool go first: the caller queues
        // this one behind them.
        let waiting = self.pool.holds_for(ip);
        let delay = Duration::from_secs(u64::from(self.config.delay_first_probe_time_s));
        let Some(n) = self.neighbor_mut(i) else {
            return Lookup::NotFound;
        };
        n.last_used = now;
        let (state, mac) = match (n.state, n.hardware_addr) {
            (NudState::Incomplete, _) | (_, None) => return Lookup::Incomplete,
            (state, Some(mac)) => (state, mac),
        };
        let answer = match state {
            NudState::Reachable if n.deadline.is_none_or(|d| d > now) => Lookup::Reachable(mac),
            // RFC 4861 §7.3.3: REACHABLE → STALE once ReachableTime has
            // passed; "The first time a node sends a packet to a neighbor
            // whose entry is STALE, the sender changes the state to DELAY
            // and sets a timer to expire in DELAY_FIRST_PROBE_TIME".
            NudState::Reachable | NudState::Stale => {
                n.state = NudState::Delay;
                n.probes = 0;
                n.deadline = Some(now + delay);
                self.earliest = Some(self.earliest.map_or(now + delay, |e| e.min(now + delay)));
                self.generation = self.generation.wrapping_add(1);
                Lookup::Stale(mac)
            }
            _ => Lookup::Stale(mac),
        };
        if waiting { Lookup::Incomplete } else { answer }
    }

    /// Queue `packet` (a whole IP packet, no link header) for next hop
    /// `ip` until it is resolved, creating an INCOMPLETE entry whose first
    /// solicitation is due at once (RFC 1122 §2.3.2.2: "SHOULD save at
    /// least one (the latest) packet"). At most `unres_qlen` packets wait
    /// per neighbour; beyond that the oldest is dropped. If `ip` is already
    /// resolved the packet is released at once, behind any still waiting.
    ///
    /// A new entry may replace the least recently used resolved one; only
    /// when every entry is unresolved does it replace one of those (one
    /// with no packets first). A replaced entry's packets are handed back
    /// through [`pop_unreachable`](Self::pop_unreachable) and counted in
    /// [`NeighborCounters::evicted_packets`].
    pub fn queue(&mut self, now: Instant, ip: IpAddr, packet: &[u8]) -> Result<(), QueueError> {
        self.queue_with(now, ip, packet.len(), source_of(packet), &mut |dst| {
            dst.copy_from_slice(packet);
            true
        })
    }

    /// [`queue`](Self::queue) for a packet of `len` bytes that `fill`
    /// writes straight into its pool slot (returning whether it did), so
    /// that a caller building the packet (a fragment) needs no buffer of
    /// its own. `source` is the packet's source address, the hint for the
    /// solicitation's source. A `fill` that fails frees the slot again.
    /// (`dyn`: one copy of this code for every caller, not one each.)
    pub(crate) fn queue_with(
        &mut self,
        now: Instant,
        ip: IpAddr,
        len: usize,
        source: Option<IpAddr>,
        fill: &mut dyn FnMut(&mut [u8]) -> bool,
    ) -> Result<(), QueueError> {
        self.changed();
        if !is_addressable(&ip) {
            self.counters.queue_drops += 1;
            return Err(QueueError::Unaddressable);
        }
        let i = match self.find(ip) {
            Some(i) => i,
            None => {
                let Some(i) = self.alloc(now, true) else {
                    self.counters.queue_drops += 1;
                    return Err(QueueError::CacheFull);
                };
                self.entries[i].neighbor = Some(Neighbor {
                    protocol_addr: ip,
                    hardware_addr: None,
                    state: NudState::Incomplete,
                    is_router: false,
                    probes: 0,
                    // RFC 4861 §7.2.2: "the sender ... initiates the
                    // transmission of a Neighbor Solicitation": now.
                    deadline: Some(now),
                    last_used: now,
                    source_hint: None,
                });
                i
            }
        };
        let Some(n) = self.neighbor_mut(i) else {
            return Err(QueueError::CacheFull);
        };
        n.last_used = now;
        let state = match (n.state, n.hardware_addr) {
            (NudState::Incomplete, _) | (_, None) => {
                if let Some(src) = source {
                    n.source_hint = Some(src);
                }
                SlotState::Pending(ip)
            }
            (_, Some(mac)) => SlotState::Ready(ip, mac),
        };
        if len > self.pool.slot_size {
            self.counters.queue_drops += 1;
            return Err(QueueError::TooLarge);
        }
        let limit = usize::try_from(self.config.unres_qlen).unwrap_or(usize::MAX);
        if limit == 0 {
            self.counters.queue_drops += 1;
            return Err(QueueError::NoBuffer);
        }
        if matches!(state, SlotState::Pending(_)) {
            // RFC 1122 §2.3.2.2: keep the latest; the oldest goes first.
            while self.pool.count_pending(ip) >= limit {
                match self.pool.oldest(|s| s == SlotState::Pending(ip)) {
                    Some(j) => self.pool.free_slot(j),
                    None => break,
                }
                self.counters.queue_drops += 1;
            }
        }
        let own = matches!(state, SlotState::Pending(_)).then_some(ip);
        let Some((j, reclaimed)) = self.pool.take_slot(own) else {
            self.counters.queue_drops += 1;
            return Err(QueueError::NoBuffer);
        };
        if reclaimed {
            self.counters.queue_drops += 1;
        }
        if !self.pool.store(j, state, len, now, fill) {
            self.counters.queue_drops += 1;
            return Err(QueueError::NoBuffer);
        }
        Ok(())
    }

    // ---- received messages ----

    /// A Neighbor Solicitation from `ip` with its Source Link-Layer Address
    /// option, if any (RFC 4861 §7.2.3). Do not report DAD probes (source
    /// unspecified); they are ignored anyway.
    pub fn neighbor_solicitation(
        &mut self,
        now: Instant,
        ip: IpAddr,
        slla: Option<EthernetAddress>,
    ) -> Merge {
        self.changed();
        match slla {
            // RFC 4861 §7.2.3: "the recipient SHOULD create or update the
            // Neighbor Cache entry"; "If a Neighbor Cache entry is created,
            // the IsRouter flag SHOULD be set to FALSE ... If a Neighbor
            // Cache entry already exists its IsRouter flag MUST NOT be
            // modified."
            Some(mac) => self.learn(now, ip, mac, true, None),
            // Appendix C: NS without link-layer address: unchanged.
            None => Merge::Ignored,
        }
    }

    /// A Router Advertisement from `ip` with its Source Link-Layer Address
    /// option, if any (RFC 4861 §6.3.4).
    pub fn router_advertisement(
        &mut self,
        now: Instant,
        ip: IpAddr,
        slla: Option<EthernetAddress>,
    ) -> Merge {
        self.changed();
        match slla {
            // RFC 4861 §6.3.4: "the link-layer address SHOULD be recorded
            // in the Neighbor Cache entry for the router (creating an entry
            // if necessary) and the IsRouter flag ... MUST be set to TRUE".
            Some(mac) => self.learn(now, ip, mac, true, Some(true)),
            None => {
                // RFC 4861 §6.3.4: "If no Source Link-Layer Address is
                // included, but a corresponding Neighbor Cache entry
                // exists, its IsRouter flag MUST be set to TRUE."
                match self.find(ip).and_then(|i| self.neighbor_mut(i)) {
                    Some(n) => {
                        n.is_router = true;
                        Merge::Updated
                    }
                    None => Merge::Ignored,
                }
            }
        }
    }

    /// A Redirect naming `target` as the better first hop, with its Target
    /// Link-Layer Address option, if any (RFC 4861 §8.3).
    /// `target_is_router` is "Target Address differs from Destination
    /// Address".
    pub fn redirect(
        &mut self,
        now: Instant,
        target: IpAddr,
        tlla: Option<EthernetAddress>,
        target_is_router: bool,
    ) -> Merge {
        self.changed();
        // RFC 4861 §8.3: "If the Target Address is not the same as the
        // Destination Address, the host MUST set IsRouter to TRUE for the
        // target"; otherwise "newly created Neighbor Cache entries should
        // set the IsRouter flag to FALSE, while existing cache entries
        // should leave the flag unchanged".
        let router = target_is_router.then_some(true);
        match tlla {
            // RFC 4861 §8.3: "the host either creates or updates the
            // Neighbor Cache entry for the target ... its reachability
            // state MUST be set to STALE" when created.
            Some(mac) => self.learn(now, target, mac, true, router),
            None => match (router, self.find(target).and_then(|i| self.neighbor_mut(i))) {
                (Some(r), Some(n)) => {
                    n.is_router = r;
                    Merge::Updated
                }
                _ => Merge::Ignored,
            },
        }
    }

    /// A Neighbor Advertisement for `ip` with its Target Link-Layer Address
    /// option, if any, and flags (RFC 4861 §7.2.5, Appendix C).
    pub fn neighbor_advertisement(
        &mut self,
        now: Instant,
        ip: IpAddr,
        tlla: Option<EthernetAddress>,
        flags: NaFlags,
    ) -> Merge {
        self.changed();
        if tlla.is_some_and(|m| m.is_multicast()) {
            return Merge::Ignored;
        }
        // RFC 4861 §7.2.5: "If no entry exists, the advertisement SHOULD be
        // silently discarded."
        let Some(i) = self.find(ip) else {
            return Merge::Ignored;
        };
        let reachable_time = self.reachable_time_for(now, &ip);
        let stale_deadline = self.stale_deadline(now);
        let Some(n) = self.neighbor_mut(i) else {
            return Merge::Ignored;
        };
        let cached = match (n.state, n.hardware_addr) {
            (NudState::Incomplete, _) | (_, None) => {
                // RFC 4861 §7.2.5: INCOMPLETE and no Target Link-Layer
                // Address option: "SHOULD silently discard".
                let Some(mac) = tlla else {
                    return Merge::Ignored;
                };
                // "record the link-layer address ... If the advertisement's
                // Solicited flag is set, the state of the entry is set to
                // REACHABLE; otherwise, it is set to STALE ... sets the
                // IsRouter flag ... sends any packets queued".
                n.hardware_addr = Some(mac);
                n.is_router = flags.router;
                n.probes = 0;
                if flags.solicited {
                    n.state = NudState::Reachable;
                    n.deadline = Some(now + reachable_time);
                } else {
                    n.state = NudState::Stale;
                    n.deadline = stale_deadline;
                }
                self.resolved(now, ip, mac);
                return Merge::Updated;
            }
            (_, Some(cached)) => cached,
        };
        let different = tlla.is_some_and(|m| m != cached);
        if !flags.override_ && different {
            // RFC 4861 §7.2.5: "If the Override flag is clear and the
            // supplied link-layer address differs from that in the cache":
            // "I. If the state of the entry is REACHABLE, set it to STALE,
            // but do not update the entry in any other way. II. Otherwise,
            // the received advertisement should be ignored and MUST NOT
            // update the cache."
            if n.state == NudState::Reachable {
                n.state = NudState::Stale;
                n.probes = 0;
                n.deadline = stale_deadline;
                return Merge::Updated;
            }
            return Merge::Ignored;
        }
        // RFC 4861 §7.2.5: Override set, same address, or no option: the
        // advertisement "MUST update the Neighbor Cache entry".
        if let (true, Some(mac)) = (different, tlla) {
            n.hardware_addr = Some(mac);
        }
        // "If the Solicited flag is set, the state of the entry MUST be set
        // to REACHABLE. If the Solicited flag is zero and the link-layer
        // address was updated with a different address, the state MUST be
        // set to STALE. Otherwise, the entry's state remains unchanged."
        // (The text governs where Appendix C's row for an NA without a
        // link-layer address reads "unchanged".)
        if flags.solicited {
            n.state = NudState::Reachable;
            n.probes = 0;
            n.deadline = Some(now + reachable_time);
        } else if different {
            n.state = NudState::Stale;
            n.probes = 0;
            n.deadline = stale_deadline;
        }
        // "The IsRouter flag in the cache entry MUST be set based on the
        // Router flag in the received advertisement."
        let lost = n.is_router && !flags.router;
        n.is_router = flags.router;
        if lost {
            Merge::RouterLost
        } else {
            Merge::Updated
        }
    }

    /// An ARP packet from `ip` / `mac` for which we are NOT the target
    /// protocol address (including gratuitous ARP): RFC 826's merge step,
    /// which only updates an existing entry ("If the pair <protocol type,
    /// sender protocol address> is already in my translation table, update
    /// the sender hardware address field").
    pub fn arp_update(&mut self, now: Instant, ip: IpAddr, mac: EthernetAddress) -> Merge {
        self.changed();
        self.learn(now, ip, mac, false, None)
    }

    /// An ARP packet from `ip` / `mac` whose target protocol address is
    /// ours: merge, and create the entry if it is new (RFC 826: "If
    /// Merge_flag is false, add the triplet"). `confirmed` is an ARP reply
    /// unicast to us, which confirms reachability (REACHABLE, like a
    /// solicited NA with Override); a request leaves the entry STALE.
    pub fn arp_learn(
        &mut self,
        now: Instant,
        ip: IpAddr,
        mac: EthernetAddress,
        confirmed: bool,
    ) -> Merge {
        self.changed();
        if !confirmed {
            return self.learn(now, ip, mac, true, None);
        }
        if !is_addressable(&ip) || mac.is_multicast() {
            return Merge::Ignored;
        }
        let (i, merge) = match self.find(ip) {
            Some(i) => (i, Merge::Updated),
            None => match self.alloc(now, false) {
                Some(i) => {
                    self.entries[i].neighbor = Some(Self::fresh(now, ip, mac));
                    (i, Merge::Created)
                }
                None => return Merge::Ignored,
            },
        };
        let reachable_time = self.reachable_time_for(now, &ip);
        let Some(n) = self.neighbor_mut(i) else {
            return Merge::Ignored;
        };
        let was_incomplete = n.state == NudState::Incomplete;
        n.hardware_addr = Some(mac);
        n.state = NudState::Reachable;
        n.probes = 0;
        n.deadline = Some(now + reachable_time);
        if was_incomplete {
            self.resolved(now, ip, mac);
        }
        merge
    }

    /// Upper-layer reachability confirmation for `ip` (RFC 4861 §7.3.1:
    /// e.g. TCP acknowledging new data): a resolved entry becomes
    /// REACHABLE. Returns whether it did.
    pub fn confirm(&mut self, now: Instant, ip: IpAddr) -> bool {
        self.changed();
        let Some(i) = self.find(ip) else {
            return false;
        };
        let reachable_time = self.reachable_time_for(now, &ip);
        match self.neighbor_mut(i) {
            Some(n) if n.state != NudState::Incomplete => {
                n.state = NudState::Reachable;
                n.probes = 0;
                n.deadline = Some(now + reachable_time);
                true
            }
            _ => false,
        }
    }

    // ---- removal ----

    /// Remove the entry for `ip`; its unresolved packets are dropped and
    /// counted. Returns whether there was one.
    pub fn remove(&mut self, ip: IpAddr) -> bool {
        self.changed();
        let Some(i) = self.find(ip) else {
            return false;
        };
        self.entries[i] = NeighborEntry::EMPTY;
        self.counters.queue_drops += self.pool.drop_matching(|s| s == SlotState::Pending(ip));
        true
    }

    /// Keep only the entries for which `keep(ip)` holds (e.g. on an address
    /// change); the others are removed as by [`remove`](Self::remove).
    pub fn retain(&mut self, mut keep: impl FnMut(IpAddr) -> bool) {
        self.changed();
        for i in 0..self.entries.len() {
            if let Some(ip) = self.entries[i].neighbor.map(|n| n.protocol_addr)
                && !keep(ip)
            {
                self.remove(ip);
            }
        }
    }

    /// Forget everything (link down): every entry and every queued,
    /// released or handed-back packet; the packets are counted as drops.
    pub fn flush(&mut self) {
        self.changed();
        self.entries
            .iter_mut()
            .for_each(|e| *e = NeighborEntry::EMPTY);
        self.counters.queue_drops += self.pool.drop_matching(|s| s != SlotState::Free);
    }

    // ---- timers ----

    /// The earliest instant [`poll`](Self::poll) has work (or released
    /// packets are waiting), if any.
    pub fn poll_at(&self) -> Option<Instant> {
        let entries = self
            .entries
            .iter()
            .filter_map(|e| e.neighbor.and_then(|n| n.deadline));
        entries.chain(self.pool.released_since()).min()
    }

    /// Whether [`poll`](Self::poll) may have work at `now`. Cheap on the
    /// common path (one comparison); never `false` when `poll_at() <= now`.
    #[inline]
    pub(crate) fn is_due(&mut self, now: Instant) -> bool {
        if self.timers_stale {
            self.earliest = self.poll_at();
            self.timers_stale = false;
        }
        self.earliest.is_some_and(|t| t <= now)
    }

    /// Run the timers due at `now`, calling `emit` for each solicitation
    /// to send and each failure (RFC 4861 §7.2.2, §7.3.3). Each neighbour
    /// sends at most one solicitation per RetransTimer.
    pub fn poll<F: FnMut(Action)>(&mut self, now: Instant, mut emit: F) {
        self.changed();
        let mcast_solicit = self.config.mcast_solicit;
        let ucast_solicit = self.config.ucast_solicit;
        let gc_stale = Duration::from_secs(u64::from(self.config.gc_stale_time_s));
        for i in 0..self.entries.len() {
            let Some(n) = self.entries[i].neighbor else {
                continue;
            };
            if n.deadline.is_none_or(|d| d > now) {
                continue;
            }
            let ip = n.protocol_addr;
            let retrans = self.timers[family(&ip)].retrans_timer;
            let stale_deadline = self.stale_deadline(now);
            let mut n = n;
            match n.state {
                NudState::Incomplete if n.probes < mcast_solicit => {
                    // RFC 4861 §7.2.2: "retransmit the Neighbor Solicitation
                    // every RetransTimer milliseconds until ... a response is
                    // received or MAX_MULTICAST_SOLICIT solicitations have
                    // been sent".
                    n.probes += 1;
                    n.deadline = Some(now + retrans);
                    self.entries[i].neighbor = Some(n);
                    self.counters.solicitations_multicast += 1;
                    emit(Action::Solicit {
                        target: ip,
                        unicast: None,
                        source: n.source_hint,
                    });
                }
                NudState::Incomplete => {
                    // RFC 4861 §7.2.2: "If no Neighbor Advertisement is
                    // received after MAX_MULTICAST_SOLICIT solicitations,
                    // address resolution has failed. The sender MUST return
                    // ICMP destination unreachable indications with code 3
                    // (Address Unreachable) for each packet queued".
                    self.entries[i] = NeighborEntry::EMPTY;
                    let queued = self.pool.hand_back(now, ip);
                    self.counters.failures += 1;
                    emit(Action::Failed { target: ip, queued });
                }
                NudState::Reachable => {
                    // RFC 4861 §7.3.3: "When ReachableTime milliseconds have
                    // passed since receipt of the last reachability
                    // confirmation ... the entry's state changes from
                    // REACHABLE to STALE."
                    n.state = NudState::Stale;
                    n.deadline = stale_deadline;
                    self.entries[i].neighbor = Some(n);
                }
                NudState::Stale => {
                    // Garbage collection of unused STALE entries (Linux
                    // gc_stale_time); RFC 4861 §7.3.3 lets STALE live
                    // indefinitely, so only unused ones are collected.
                    let unused_until = n.last_used + gc_stale;
                    if unused_until <= now {
                        self.entries[i] = NeighborEntry::EMPTY;
                        self.counters.gc_removals += 1;
                    } else {
                        n.deadline = Some(unused_until);
                        self.entries[i].neighbor = Some(n);
                    }
                }
                NudState::Delay | NudState::Probe => {
                    // RFC 4861 §7.3.3: "If the entry is still in the DELAY
                    // state when the timer expires, the entry's state
                    // changes to PROBE"; in PROBE "the sender ... sends a
                    // unicast Neighbor Solicitation ... and retransmits
                    // every RetransTimer ... until ... MAX_UNICAST_SOLICIT
                    // solicitations have been sent".
                    if n.state == NudState::Delay {
                        n.state = NudState::Probe;
                        n.probes = 0;
                    }
                    if n.probes < ucast_solicit {
                        n.probes += 1;
                        n.deadline = Some(now + retrans);
                        self.entries[i].neighbor = Some(n);
                        self.counters.solicitations_unicast += 1;
                        emit(Action::Solicit {
                            target: ip,
                            unicast: n.hardware_addr,
                            source: n.source_hint,
                        });
                    } else {
                        // RFC 4861 §7.3.3: "retransmissions cease and the
                        // entry SHOULD be deleted."
                        self.entries[i] = NeighborEntry::EMPTY;
                        self.counters.failures += 1;
                        emit(Action::Failed {
                            target: ip,
                            queued: 0,
                        });
                    }
                }
            }
        }
    }

    // ---- releasing packets ----

    /// The oldest packet whose neighbour is resolved, removed from the pool.
    /// Packets to one neighbour come out in the order they were queued.
    pub fn pop_ready(&mut self) -> Option<ReadyPacket<'_>> {
        let (state, packet) = self.pool.pop(|s| matches!(s, SlotState::Ready(..)))?;
        let SlotState::Ready(target, hardware_addr) = state else {
            return None;
        };
        Some(ReadyPacket {
            target,
            hardware_addr,
            packet,
        })
    }

    /// The oldest packet whose neighbour could not be resolved, removed
    /// from the pool (RFC 4861 §7.2.2: answer it with an ICMP Destination
    /// Unreachable, code 3 / a host-unreachable error to its socket).
    pub fn pop_unreachable(&mut self) -> Option<UnreachablePacket<'_>> {
        let (state, packet) = self.pool.pop(|s| matches!(s, SlotState::Unreachable(_)))?;
        let SlotState::Unreachable(target) = state else {
            return None;
        };
        Some(UnreachablePacket { target, packet })
    }

    // ---- the interface's next-hop cache ----

    /// Changes so far that may alter what `lookup` answers.
    #[inline]
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// The entry `lookup` just answered for `ip` with a link address, if
    /// the next `lookup` for `ip` is sure to give the same answer (and do
    /// nothing but mark it used) while [`generation`](Self::generation)
    /// is unchanged: its index and the instant that stops being so.
    /// REACHABLE: until its ReachableTime ends (RFC 4861 §7.3.3: then the
    /// next lookup moves it to DELAY). DELAY and PROBE: until their timer
    /// runs in `poll`, which changes the generation. STALE (the next
    /// lookup moves it to DELAY) and INCOMPLETE: never.
    pub(crate) fn cacheable_entry(&self, ip: IpAddr) -> Option<(usize, Instant)> {
        let i = self.last_found;
        let n = self.entries.get(i)?.neighbor?;
        if n.protocol_addr != ip || n.hardware_addr.is_none() {
            return None;
        }
        match n.state {
            NudState::Reachable => Some((i, n.deadline.unwrap_or(Instant::MAX))),
            NudState::Delay | NudState::Probe => Some((i, Instant::MAX)),
            NudState::Stale | NudState::Incomplete => None,
        }
    }

    /// What a `lookup` answered from entry `i` does to it:
    /// mark it used at `now` (its place in the least-recently-used order).
    /// For a cached answer while [`generation`](Self::generation) is
    /// unchanged, so entry `i` is still the one that answered.
    #[inline]
    pub(crate) fn touch(&mut self, i: usize, now: Instant) {
        if let Some(n) = self.neighbor_mut(i) {
            n.last_used = now;
        }
    }

    // ---- internals ----

    /// Something changed that may alter `lookup`'s answers or the timers.
    fn changed(&mut self) {
        self.timers_stale = true;
        self.generation = self.generation.wrapping_add(1);
    }

    fn find(&self, ip: IpAddr) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.neighbor.is_some_and(|n| n.protocol_addr == ip))
    }

    fn neighbor_mut(&mut self, i: usize) -> Option<&mut Neighbor> {
        self.entries.get_mut(i)?.neighbor.as_mut()
    }

    fn info(&self, i: usize) -> Option<NeighborInfo> {
        let n = self.entries.get(i)?.neighbor?;
        Some(NeighborInfo {
            protocol_addr: n.protocol_addr,
            hardware_addr: n.hardware_addr,
            state: n.state,
            is_router: n.is_router,
            probes: n.probes,
            deadline: n.deadline,
            queued: self.pool.count_pending(n.protocol_addr),
        })
    }

    /// A STALE entry learned from a message (not yet used).
    fn fresh(now: Instant, ip: IpAddr, mac: EthernetAddress) -> Neighbor {
        Neighbor {
            protocol_addr: ip,
            hardware_addr: Some(mac),
            state: NudState::Stale,
            is_router: false,
            probes: 0,
            deadline: None,
            last_used: now,
            source_hint: None,
        }
    }

    /// The ReachableTime for `ip`'s family, re-randomised when due (RFC
    /// 4861 §6.3.2: "at least every few hours").
    fn reachable_time_for(&mut self, now: Instant, ip: &IpAddr) -> Duration {
        let t = &mut self.timers[family(ip)];
        if now >= t.recompute_at {
            t.reachable_time = random_reachable_time(&mut self.rand, t.base_reachable_ms);
            t.recompute_at = now + REACHABLE_TIME_RECOMPUTE;
        }
        t.reachable_time
    }

    /// The garbage-collection deadline of an entry entering STALE now
    /// (`gc_stale_time` 0: never collected).
    fn stale_deadline(&self, now: Instant) -> Option<Instant> {
        let gc = self.config.gc_stale_time_s;
        (gc != 0).then(|| now + Duration::from_secs(u64::from(gc)))
    }

    /// Record a link-layer address from a message that is not an NA (NS,
    /// RA, Redirect, ARP): RFC 4861 Appendix C's "Receive RS, NS, or RA"
    /// and "Redirect" rows, RFC 826's merge.
    fn learn(
        &mut self,
        now: Instant,
        ip: IpAddr,
        mac: EthernetAddress,
        create: bool,
        router: Option<bool>,
    ) -> Merge {
        // A group address never names one neighbour.
        if !is_addressable(&ip) || mac.is_multicast() {
            return Merge::Ignored;
        }
        let stale_deadline = self.stale_deadline(now);
        let Some(i) = self.find(ip) else {
            if !create {
                return Merge::Ignored;
            }
            // Appendix C: "- / Receive ... with link-layer address /
            // Create entry / STALE".
            let Some(i) = self.alloc(now, false) else {
                return Merge::Ignored;
            };
            let mut n = Self::fresh(now, ip, mac);
            n.deadline = stale_deadline;
            n.is_router = router.unwrap_or(false);
            self.entries[i].neighbor = Some(n);
            return Merge::Created;
        };
        let Some(n) = self.neighbor_mut(i) else {
            return Merge::Ignored;
        };
        if let Some(r) = router {
            n.is_router = r;
        }
        if n.state == NudState::Incomplete {
            // Appendix C: "INCOMPLETE / Receive ... with link-layer
            // address / Record link-layer address. Send queued packets. /
            // STALE".
            n.hardware_addr = Some(mac);
            n.state = NudState::Stale;
            n.probes = 0;
            n.deadline = stale_deadline;
            self.resolved(now, ip, mac);
        } else if n.hardware_addr != Some(mac) {
            // Appendix C: "ANY / ... with different link-layer address than
            // cached / Record link-layer address / STALE".
            n.hardware_addr = Some(mac);
            n.state = NudState::Stale;
            n.probes = 0;
            n.deadline = stale_deadline;
        }
        // Same address: unchanged.
        Merge::Updated
    }

    /// An INCOMPLETE entry learned `mac`: release its packets, in order.
    fn resolved(&mut self, now: Instant, ip: IpAddr, mac: EthernetAddress) {
        self.counters.resolutions += 1;
        self.pool.resolve(now, ip, mac);
    }

    /// A free entry, or one made free by replacing the least recently used
    /// resolved entry. Only traffic of our own (`for_traffic`) may replace
    /// an unresolved entry, preferring one without queued packets; the
    /// packets of a replaced entry are handed back and counted.
    fn alloc(&mut self, now: Instant, for_traffic: bool) -> Option<usize> {
        if let Some(i) = self.entries.iter().position(|e| e.neighbor.is_none()) {
            return Some(i);
        }
        let lru = |cache: &Self, pred: &dyn Fn(&Neighbor) -> bool| {
            cache
                .entries
                .iter()
                .enumerate()
                .filter_map(|(i, e)| e.neighbor.filter(|n| pred(n)).map(|n| (i, n.last_used)))
                .min_by_key(|&(_, t)| t)
                .map(|(i, _)| i)
        };
        let victim = lru(self, &|n| n.state != NudState::Incomplete).or_else(|| {
            if !for_traffic {
                return None;
            }
            lru(self, &|n| {
                n.state == NudState::Incomplete && self.pool.count_pending(n.protocol_addr) == 0
            })
            .or_else(|| lru(self, &|n| n.state == NudState::Incomplete))
        });
        let Some(i) = victim else {
            self.counters.table_full += 1;
            return None;
        };
        if let Some(n) = self.entries[i].neighbor.take() {
            let lost = self.pool.hand_back(now, n.protocol_addr);
            self.counters.evicted_packets += lost as u64;
        }
        self.counters.evictions += 1;
        Some(i)
    }
}
