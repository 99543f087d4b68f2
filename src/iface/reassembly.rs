//! IP reassembly for both families in one engine: RFC 791 §3.2 (IPv4),
//! RFC 8200 §4.5 (IPv6), with the hole bookkeeping of RFC 815, hardened
//! per RFC 5722 (overlapping fragments), RFC 6946 (atomic fragments),
//! RFC 7112 (first fragment without the whole header chain) and RFC 3168
//! §5.3 (ECN codepoints of fragments).
//!
//! # Storage
//!
//! A [`Reassembler`] owns a caller-supplied array of [`Slot`]s; each slot
//! holds the payload buffer of one datagram being reassembled (its size is
//! the largest datagram that slot can rebuild), a fixed list of the byte
//! ranges received so far (at most [`MAX_RANGES`] disjoint ranges: RFC 815's
//! hole list, seen from the filled side) and the saved header bytes of the
//! first fragment (at most [`MAX_SAVED_HEADERS_LEN`]). Nothing is allocated.
//!
//! # How the interface calls it
//!
//! * For every received fragment: [`FragmentInfo::is_atomic`] first — an
//!   IPv6 atomic fragment (offset 0, M clear) is a whole packet and is
//!   processed in isolation (RFC 6946 §4); [`Reassembler::process`] also
//!   hands such a fragment straight back without touching any state. For an
//!   IPv6 first fragment, walk the header chain with
//!   `crate::wire::ipv6ext::HeaderChain`; if it does not reach the
//!   upper-layer header, drop the packet, call
//!   [`Reassembler::record_drop`] with [`DropReason::IncompleteHeaderChain`]
//!   and send what [`DropReason::parameter_problem`] says (RFC 7112 §5).
//!   Otherwise call [`Reassembler::process`]: `Ok(Some(..))` is the whole
//!   datagram, `Ok(None)` means more fragments are awaited, `Err(reason)` a
//!   counted drop (map it with [`DropReason::parameter_problem`]).
//! * On every poll: [`Reassembler::poll`] expires datagrams whose time is
//!   up and calls back for those whose first fragment had arrived, so the
//!   interface can send ICMP Time Exceeded code 1 (RFC 792, RFC 1122
//!   §3.3.2, RFC 8200 §4.5). [`Reassembler::poll_at`] is the next deadline.
//!
//! Deadlines are only enforced by `poll`: a datagram past its deadline
//! still takes fragments until `poll` runs. Call `poll` before processing
//! ingress to make the timeout exact.
//!
//! # Hardening decisions
//!
//! * Any overlap drops the whole datagram and every fragment received for
//!   it, and fragments of it arriving later are dropped until its original
//!   deadline passes (RFC 5722 §4: the datagram "and any constituent
//!   fragments, including those not yet received" are discarded). The same
//!   rule applies to IPv4: RFC 791's procedure copies each fragment into
//!   place, so an overlapping fragment rewrites bytes already checked —
//!   the overlapping fragment attack of RFC 1858 §4 — while no legitimate
//!   sender produces overlaps; modern hosts (Linux since 2018) drop such
//!   IPv4 datagrams too.
//! * An exact duplicate — a fragment whose bytes are all already held and
//!   equal — is dropped alone and the datagram kept, as RFC 8200 §4.5
//!   allows ("an implementation may choose to detect this case and drop
//!   exact duplicate fragments"); duplication happens in real networks. A
//!   "duplicate" with different bytes is an overlap.
//! * A datagram that fails for any reason (overlap, inconsistent length,
//!   ECN mix, out of holes, larger than its slot) is handled like an
//!   overlap: nothing of it is delivered. The dead entry keeps its slot
//!   only while no new datagram needs one.
//! * New datagrams are refused when the family's memory in use would pass
//!   `ipfrag_high_thresh` / `ip6frag_high_thresh` (as Linux refuses new
//!   queues over the threshold); datagrams already started continue, bounded
//!   by their slot.

use core::net::{Ipv4Addr, Ipv6Addr};

use managed::ManagedSlice;

use crate::config::{Ipv4Config, Ipv6Config};
use crate::time::{Duration, Instant};
use crate::wire::{IpEcn, IpProtocol};

#[cfg(all(
    test,
    any(
        feature = "proto-ipv4-fragmentation",
        feature = "proto-ipv6-fragmentation"
    )
))]
// Tests link std; `alloc` is not always enabled, so std's re-exports it is.
#[allow(clippy::std_instead_of_alloc)]
mod tests;

/// The largest packet either family reassembles: IPv4 Total Length
/// (RFC 791 §3.1) and IPv6 Payload Length (RFC 8200 §4.5) are 16 bits.
/// Jumbograms (RFC 2675) are not reassembled.
pub const MAX_PACKET_LEN: usize = 65535;

/// Fragment offsets count 8-octet units, and every fragment but the last
/// carries a multiple of 8 octets (RFC 791 §3.2, RFC 8200 §4.5).
pub const FRAGMENT_UNIT: usize = 8;

/// The most disjoint byte ranges one datagram may hold while it waits for
/// the holes between them (RFC 815's hole list, bounded). A datagram that
/// would need more is dropped ([`DropReason::TooManyHoles`]). 64 covers
/// any arrival order of a 65,535-byte datagram cut for a 576-byte MTU
/// (119 fragments leave at most 60 disjoint runs).
pub const MAX_RANGES: usize = 64;

/// The most bytes of first-fragment headers a slot saves: IPv4's largest
/// header (60) or the IPv6 fixed header with 88 bytes of unfragmentable
/// extension headers and the Fragment header.
pub const MAX_SAVED_HEADERS_LEN: usize = 128;

/// Which datagram a fragment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReassemblyKey {
    /// RFC 791 §3.2: fragments of one datagram share source, destination,
    /// protocol and identification.
    Ipv4 {
        /// Source address.
        src_addr: Ipv4Addr,
        /// Destination address.
        dst_addr: Ipv4Addr,
        /// The Protocol field.
        protocol: IpProtocol,
        /// The Identification field.
        ident: u16,
    },
    /// RFC 8200 §4.5: fragments of one packet share source, destination
    /// and the Fragment header's Identification.
    Ipv6 {
        /// Source address.
        src_addr: Ipv6Addr,
        /// Destination address.
        dst_addr: Ipv6Addr,
        /// The Fragment header's Identification.
        ident: u32,
    },
}

/// The two families, as an index into per-family state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    V4 = 0,
    V6 = 1,
}

impl ReassemblyKey {
    fn family(&self) -> Family {
        match self {
            ReassemblyKey::Ipv4 { .. } => Family::V4,
            ReassemblyKey::Ipv6 { .. } => Family::V6,
        }
    }
}

/// One received fragment, as the interface parsed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentInfo<'p> {
    /// The fragment offset in bytes (a multiple of 8: the wire field × 8).
    pub offset: u16,
    /// The More Fragments flag (IPv4 MF, IPv6 M).
    pub more: bool,
    /// The fragment data: for IPv4 the bytes after the header up to Total
    /// Length; for IPv6 the bytes after the Fragment header up to Payload
    /// Length.
    pub payload: &'p [u8],
    /// The bytes of this fragment packet that precede its data and count
    /// against the 65,535-byte limit: for IPv4 the header length (IHL × 4);
    /// for IPv6 the unfragmentable extension headers (neither the fixed
    /// header nor the Fragment header), RFC 8200 §4.5.
    pub header_len: usize,
    /// The ECN codepoint of this fragment (RFC 3168 §5.3).
    pub ecn: IpEcn,
}

impl FragmentInfo<'_> {
    /// Whether this is an atomic fragment — offset 0 and M clear — which is
    /// a whole packet: RFC 6946 §4 ("MUST process such packet in isolation
    /// from any other packets/fragments, even if such packets/fragments
    /// contain the same set {IPv6 Source Address, IPv6 Destination Address,
    /// Fragment Identification}"). For IPv4 it is simply not a fragment.
    pub const fn is_atomic(&self) -> bool {
        self.offset == 0 && !self.more
    }
}

/// A reassembled datagram, borrowed from its slot until the next call on
/// the reassembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reassembled<'a> {
    /// The header bytes the interface passed with the fragment at offset 0
    /// (RFC 8200 §4.5: the unfragmentable part and Next Header come from
    /// the first fragment only). The interface rebuilds the IP header from
    /// them.
    pub headers: &'a [u8],
    /// The whole payload: the data of every fragment in order.
    pub payload: &'a [u8],
    /// The ECN codepoint of the datagram: CE if any fragment was CE, else
    /// the first-arriving fragment's (RFC 3168 §5.3).
    pub ecn: IpEcn,
}

/// A datagram whose reassembly timed out after its first fragment (offset
/// 0) had arrived: the interface sends ICMP Time Exceeded code 1 ("fragment
/// reassembly time exceeded", RFC 792; RFC 8200 §4.5) to its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut<'a> {
    /// Which datagram.
    pub key: ReassemblyKey,
    /// The first fragment's saved header bytes.
    pub headers: &'a [u8],
    /// The payload received contiguously from offset 0 (at least the first
    /// fragment's data), for the quoted part of the ICMP error.
    pub payload: &'a [u8],
}

/// Why a fragment was dropped. Each reason has its own counter in
/// [`ReassemblyCounters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DropReason {
    /// The fragment carries no data (RFC 791 §3.1: the minimum fragment is
    /// 8 octets; only the last may be shorter, never empty). This fragment
    /// only.
    Empty,
    /// The offset is not a multiple of 8 (a caller bug: the wire field
    /// counts 8-octet units). This fragment only.
    Misaligned,
    /// M is set and the length is not a multiple of 8 (RFC 8200 §4.5:
    /// discard, Parameter Problem code 0 to the Payload Length field). This
    /// fragment only.
    BadLength,
    /// The fragment, or the datagram it completes with the first
    /// fragment's headers, would exceed 65,535 bytes (RFC 8200 §4.5:
    /// discard, Parameter Problem code 0 to the Fragment Offset field;
    /// RFC 791 §3.1 for IPv4). This fragment only, or the whole datagram
    /// when found only once the first and last fragments are known.
    TooLong,
    /// An IPv6 first fragment without the whole header chain (RFC 7112 §5),
    /// as decided and recorded by the caller with
    /// [`Reassembler::record_drop`]. This fragment only.
    IncompleteHeaderChain,
    /// An exact duplicate of data already held (RFC 8200 §4.5). This
    /// fragment only; the datagram continues.
    Duplicate,
    /// The fragment overlaps data already held (RFC 5722 §4). The whole
    /// datagram is dropped, and later fragments of it too.
    Overlap,
    /// A last fragment disagrees with the known total length, or a
    /// fragment ends past it. The whole datagram.
    LengthConflict,
    /// Fragments mix Not-ECT with ECT or CE codepoints (RFC 3168 §5.3:
    /// drop). The whole datagram.
    EcnMismatch,
    /// The datagram was dropped earlier (overlap or another failure) and
    /// has not timed out yet (RFC 5722 §4). This fragment only.
    Discarded,
    /// The datagram would need more than [`MAX_RANGES`] disjoint ranges.
    /// The whole datagram.
    TooManyHoles,
    /// The fragment ends past the slot's buffer. The whole datagram (or,
    /// for a new one, no free slot is large enough).
    BufferTooSmall,
    /// The first fragment's headers are longer than
    /// [`MAX_SAVED_HEADERS_LEN`]. The whole datagram.
    HeadersTooLong,
    /// Every slot holds a datagram in progress: a new datagram is refused.
    NoSlot,
    /// The family's reassembly memory would pass its high threshold
    /// (`ipfrag_high_thresh` / `ip6frag_high_thresh`): a new datagram is
    /// refused.
    MemoryLimit,
}

/// The ICMPv6 Parameter Problem a drop calls for (RFC 8200 §4.5,
/// RFC 7112 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ParameterProblem {
    /// Code 0 (erroneous header field), the pointer at the fragment
    /// packet's Payload Length field (offset 4 of the IPv6 header).
    PayloadLength,
    /// Code 0, the pointer at the Fragment Offset field of the fragment's
    /// Fragment header (`ipv6ext::fragment::FRAG_OFFSET_POINTER`
    /// bytes into it).
    FragmentOffset,
    /// Code 3 (first fragment has an incomplete header chain), pointer 0.
    IncompleteHeaderChain,
}

impl DropReason {
    /// The ICMPv6 Parameter Problem this drop calls for, if any. RFC 8200
    /// §4.5 says "should be sent" for the first two, RFC 7112 §5 "MAY" for
    /// the third; rate limiting is the interface's. IPv4 sends none for
    /// these.
    pub const fn parameter_problem(self) -> Option<ParameterProblem> {
        match self {
            DropReason::BadLength => Some(ParameterProblem::PayloadLength),
            DropReason::TooLong => Some(ParameterProblem::FragmentOffset),
            DropReason::IncompleteHeaderChain => Some(ParameterProblem::IncompleteHeaderChain),
            _ => None,
        }
    }
}

/// Reassembly counters, with Linux's SNMP names where Linux has one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReassemblyCounters {
    /// `ReasmReqds`: fragments received that needed reassembly.
    pub reasm_reqds: u64,
    /// `ReasmOKs`: datagrams reassembled.
    pub reasm_oks: u64,
    /// `ReasmFails`: datagrams given up (timed out or dropped whole) and
    /// new datagrams refused for want of a slot or memory.
    pub reasm_fails: u64,
    /// `ReasmTimeout`: datagrams that timed out.
    pub reasm_timeout: u64,
    /// `ReasmOverlaps`: datagrams dropped for overlapping fragments.
    pub reasm_overlaps: u64,
    /// Atomic fragments handed back untouched (RFC 6946).
    pub atomic_fragments: u64,
    /// Exact duplicates dropped alone.
    pub duplicates: u64,
    /// [`DropReason::Empty`] drops.
    pub empty: u64,
    /// [`DropReason::Misaligned`] drops.
    pub misaligned: u64,
    /// [`DropReason::BadLength`] drops.
    pub bad_length: u64,
    /// [`DropReason::TooLong`] drops.
    pub too_long: u64,
    /// [`DropReason::IncompleteHeaderChain`] drops.
    pub incomplete_header_chain: u64,
    /// [`DropReason::LengthConflict`] datagrams.
    pub length_conflicts: u64,
    /// [`DropReason::EcnMismatch`] datagrams.
    pub ecn_mismatches: u64,
    /// Fragments of an already dropped datagram ([`DropReason::Discarded`]).
    pub discarded: u64,
    /// [`DropReason::TooManyHoles`] datagrams.
    pub too_many_holes: u64,
    /// [`DropReason::BufferTooSmall`] drops.
    pub buffer_too_small: u64,
    /// [`DropReason::HeadersTooLong`] datagrams.
    pub headers_too_long: u64,
    /// [`DropReason::NoSlot`] refusals.
    pub no_slot: u64,
    /// [`DropReason::MemoryLimit`] refusals.
    pub memory_limit: u64,
    /// Dropped datagrams whose slot was taken back for a new datagram
    /// before their deadline.
    pub slot_reclaims: u64,
}

impl ReassemblyCounters {
    fn count(&mut self, reason: DropReason) {
        let c = match reason {
            DropReason::Empty => &mut self.empty,
            DropReason::Misaligned => &mut self.misaligned,
            DropReason::BadLength => &mut self.bad_length,
            DropReason::TooLong => &mut self.too_long,
            DropReason::IncompleteHeaderChain => &mut self.incomplete_header_chain,
            DropReason::Duplicate => &mut self.duplicates,
            DropReason::Overlap => &mut self.reasm_overlaps,
            DropReason::LengthConflict => &mut self.length_conflicts,
            DropReason::EcnMismatch => &mut self.ecn_mismatches,
            DropReason::Discarded => &mut self.discarded,
            DropReason::TooManyHoles => &mut self.too_many_holes,
            DropReason::BufferTooSmall => &mut self.buffer_too_small,
            DropReason::HeadersTooLong => &mut self.headers_too_long,
            DropReason::NoSlot => &mut self.no_slot,
            DropReason::MemoryLimit => &mut self.memory_limit,
        };
        *c = c.saturating_add(1);
    }
}

/// The limits of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FamilyLimits {
    /// How long a datagram may take, from its first-arriving fragment
    /// (`ipfrag_time`, 30 s; `ip6frag_time`, 60 s per RFC 8200 §4.5).
    pub timeout: Duration,
    /// The most fragment bytes held at once before new datagrams are
    /// refused (`ipfrag_high_thresh` / `ip6frag_high_thresh`); 0 disables
    /// reassembly.
    pub high_thresh: usize,
}

/// The reassembler's limits, per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReassemblyConfig {
    /// IPv4 (`net.ipv4.ipfrag_*`).
    pub ipv4: FamilyLimits,
    /// IPv6 (`net.ipv6.ip6frag_*`).
    pub ipv6: FamilyLimits,
}

impl ReassemblyConfig {
    /// The limits from the interface configuration.
    pub fn new(ipv4: &Ipv4Config, ipv6: &Ipv6Config) -> ReassemblyConfig {
        let thresh = |t: u32| usize::try_from(t).unwrap_or(usize::MAX);
        ReassemblyConfig {
            ipv4: FamilyLimits {
                timeout: Duration::from_secs(u64::from(ipv4.ipfrag_time_s)),
                high_thresh: thresh(ipv4.ipfrag_high_thresh),
            },
            ipv6: FamilyLimits {
                timeout: Duration::from_secs(u64::from(ipv6.ip6frag_time_s)),
                high_thresh: thresh(ipv6.ip6frag_high_thresh),
            },
        }
    }

    fn limits(&self, family: Family) -> FamilyLimits {
        match family {
            Family::V4 => self.ipv4,
            Family::V6 => self.ipv6,
        }
    }
}

impl Default for ReassemblyConfig {
    /// Linux's defaults: 30 s / 60 s, 4 MiB each.
    fn default() -> Self {
        ReassemblyConfig::new(&Ipv4Config::default(), &Ipv6Config::default())
    }
}

/// How a new range meets the ranges already held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overlap {
    /// It touches none of them.
    None,
    /// It lies inside one of them.
    Contained,
    /// It overlaps some without lying inside one.
    Partial,
}

/// The byte ranges of a datagram received so far: sorted, disjoint and
/// never adjacent (touching ranges are merged), at most [`MAX_RANGES`].
/// The gaps between them are RFC 815's holes.
#[derive(Debug, Clone)]
struct Assembler {
    ranges: [(u16, u16); MAX_RANGES],
    len: usize,
}

/// The assembler has no room for another disjoint range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TooManyRanges;

impl Assembler {
    const fn new() -> Assembler {
        Assembler {
            ranges: [(0, 0); MAX_RANGES],
            len: 0,
        }
    }

    fn ranges(&self) -> &[(u16, u16)] {
        // `len <= MAX_RANGES` is kept by `insert`.
        &self.ranges[..self.len]
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    /// How `start..end` (non-empty) meets the held ranges.
    fn overlap(&self, start: u16, end: u16) -> Overlap {
        for &(s, e) in self.ranges() {
            if start < e && s < end {
                return if s <= start && end <= e {
                    Overlap::Contained
                } else {
                    Overlap::Partial
                };
            }
        }
        Overlap::None
    }

    /// Add `start..end`, which must not overlap a held range.
    fn insert(&mut self, start: u16, end: u16) -> Result<(), TooManyRanges> {
        let i = self
            .ranges()
            .iter()
            .position(|&(s, _)| s >= end)
            .unwrap_or(self.len);
        // Ranges before `i` end at or before `start` (no overlap), so only
        // the neighbours at `i - 1` and `i` can touch the new one.
        let prev = i.checked_sub(1).filter(|&p| self.ranges[p].1 == start);
        let next = (i < self.len && self.ranges[i].0 == end).then_some(i);
        match (prev, next) {
            (Some(p), Some(n)) => {
                self.ranges[p].1 = self.ranges[n].1;
                self.ranges.copy_within(n + 1..self.len, n);
                self.len -= 1;
            }
            (Some(p), None) => self.ranges[p].1 = end,
            (None, Some(n)) => self.ranges[n].0 = start,
            (None, None) => {
                if self.len >= MAX_RANGES {
                    return Err(TooManyRanges);
                }
                self.ranges.copy_within(i..self.len, i + 1);
                self.ranges[i] = (start, end);
                self.len += 1;
            }
        }
        Ok(())
    }

    /// The end of the data held contiguously from offset 0.
    fn contiguous_from_zero(&self) -> u16 {
        match self.ranges().first() {
            Some(&(0, e)) => e,
            _ => 0,
        }
    }

    /// The end of the last range held.
    fn max_end(&self) -> u16 {
        self.ranges().last().map_or(0, |&(_, e)| e)
    }

    /// Whether exactly `0..total` is held.
    fn is_complete(&self, total: u16) -> bool {
        self.ranges() == [(0, total)]
    }
}

/// What a slot is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Unused.
    Free,
    /// Collecting fragments of `key`.
    Active,
    /// `key` was dropped; its fragments are refused until `expires`.
    Discarded,
}

/// Storage for one datagram being reassembled.
#[derive(Debug)]
pub struct Slot<'a> {
    buffer: ManagedSlice<'a, u8>,
    phase: Phase,
    key: ReassemblyKey,
    /// First-arriving fragment + the family timeout (RFC 8200 §4.5).
    expires: Instant,
    assembler: Assembler,
    /// The payload length, once the last fragment (M clear) is in.
    total: Option<u16>,
    /// Fragment bytes held (counted against the family threshold).
    mem: usize,
    /// Whether the fragment at offset 0 has arrived.
    first_seen: bool,
    /// Its `FragmentInfo::header_len`.
    first_header_len: usize,
    headers: [u8; MAX_SAVED_HEADERS_LEN],
    headers_len: usize,
    /// The combined ECN codepoint so far.
    ecn: IpEcn,
}

impl<'a> Slot<'a> {
    /// A free slot whose `buffer` bounds the payload of the datagram it
    /// can rebuild.
    pub fn new<B: Into<ManagedSlice<'a, u8>>>(buffer: B) -> Slot<'a> {
        Slot {
            buffer: buffer.into(),
            phase: Phase::Free,
            key: ReassemblyKey::Ipv4 {
                src_addr: Ipv4Addr::UNSPECIFIED,
                dst_addr: Ipv4Addr::UNSPECIFIED,
                protocol: IpProtocol(255),
                ident: 0,
            },
            expires: Instant::ZERO,
            assembler: Assembler::new(),
            total: None,
            mem: 0,
            first_seen: false,
            first_header_len: 0,
            headers: [0; MAX_SAVED_HEADERS_LEN],
            headers_len: 0,
            ecn: IpEcn::NotEct,
        }
    }

    /// The largest payload this slot can reassemble.
    pub fn capacity(&self) -> usize {
        self.buffer.len()
    }

    fn start(&mut self, key: ReassemblyKey, expires: Instant, ecn: IpEcn) {
        self.phase = Phase::Active;
        self.key = key;
        self.expires = expires;
        self.assembler.clear();
        self.total = None;
        self.mem = 0;
        self.first_seen = false;
        self.first_header_len = 0;
        self.headers_len = 0;
        self.ecn = ecn;
    }

    fn saved_headers(&self) -> &[u8] {
        self.headers.get(..self.headers_len).unwrap_or(&[])
    }
}

/// RFC 3168 §5.3: fragments that mix Not-ECT with ECT/CE are dropped; CE
/// in any fragment makes the datagram CE. `None` for a forbidden mix.
fn combine_ecn(held: IpEcn, new: IpEcn) -> Option<IpEcn> {
    if (held == IpEcn::NotEct) != (new == IpEcn::NotEct) {
        return None;
    }
    if new == IpEcn::Ce {
        return Some(IpEcn::Ce);
    }
    Some(held)
}

/// The reassembly engine for both families. See the module documentation.
#[derive(Debug)]
pub struct Reassembler<'a> {
    slots: ManagedSlice<'a, Slot<'a>>,
    config: ReassemblyConfig,
    /// Fragment bytes held, per family.
    mem: [usize; 2],
    counters: ReassemblyCounters,
    /// A lower bound of [`poll_at`](Self::poll_at) (deadlines are only set
    /// when a datagram starts), exact again after [`poll`](Self::poll):
    /// lets the interface skip the slot scan on every poll.
    earliest: Option<Instant>,
}

impl<'a> Reassembler<'a> {
    /// A reassembler over `slots` (each one datagram in progress).
    pub fn new<S: Into<ManagedSlice<'a, Slot<'a>>>>(
        slots: S,
        config: ReassemblyConfig,
    ) -> Reassembler<'a> {
        let mut slots = slots.into();
        for slot in slots.iter_mut() {
            slot.phase = Phase::Free;
        }
        Reassembler {
            slots,
            config,
            mem: [0; 2],
            counters: ReassemblyCounters::default(),
            earliest: None,
        }
    }

    /// The limits in force.
    pub fn config(&self) -> ReassemblyConfig {
        self.config
    }

    /// Change the limits (e.g. after a registry write). Datagrams in
    /// progress keep their deadlines.
    pub fn set_config(&mut self, config: ReassemblyConfig) {
        self.config = config;
    }

    /// The counters.
    pub fn counters(&self) -> ReassemblyCounters {
        self.counters
    }

    /// Fragment bytes held for IPv4 and IPv6 datagrams.
    pub fn memory_used(&self) -> (usize, usize) {
        (self.mem[Family::V4 as usize], self.mem[Family::V6 as usize])
    }

    /// Datagrams being reassembled.
    pub fn in_progress(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.phase == Phase::Active)
            .count()
    }

    /// Drop every datagram (e.g. the interface went down). Counters stay.
    pub fn clear(&mut self) {
        for slot in self.slots.iter_mut() {
            slot.phase = Phase::Free;
        }
        self.mem = [0; 2];
    }

    /// Count a drop the caller decided on (RFC 7112 §5:
    /// [`DropReason::IncompleteHeaderChain`]). Returns `reason`.
    pub fn record_drop(&mut self, reason: DropReason) -> DropReason {
        self.counters.count(reason);
        reason
    }

    /// The earliest deadline of a datagram in progress or dropped, when
    /// [`Reassembler::poll`] has work.
    pub fn poll_at(&self) -> Option<Instant> {
        // Nothing is ever fed in without a fragmentation feature: no
        // deadline, and the expiry path is compiled out with it.
        if cfg!(not(any(
            feature = "proto-ipv4-fragmentation",
            feature = "proto-ipv6-fragmentation"
        ))) {
            return None;
        }
        self.slots
            .iter()
            .filter(|s| s.phase != Phase::Free)
            .map(|s| s.expires)
            .min()
    }

    /// Whether [`poll`](Self::poll) may have work at `now`: one comparison,
    /// never `false` when `poll_at() <= now`.
    #[inline]
    pub(crate) fn is_due(&self, now: Instant) -> bool {
        self.earliest.is_some_and(|t| t <= now)
    }

    /// Expire every datagram whose deadline is at or before `now`. For
    /// each one whose first fragment had arrived, call `on_time_exceeded`
    /// so the interface can send ICMP Time Exceeded code 1 (RFC 1122
    /// §3.3.2, RFC 8200 §4.5: only if the fragment at offset 0 was
    /// received). Dropped datagrams (overlaps ...) expire silently
    /// (RFC 5722 §4: no ICMP error). Returns how many datagrams timed out.
    pub fn poll<F>(&mut self, now: Instant, mut on_time_exceeded: F) -> usize
    where
        F: FnMut(TimedOut<'_>),
    {
        let Reassembler {
            slots,
            mem,
            counters,
            ..
        } = self;
        let mut timed_out = 0;
        for slot in slots.iter_mut() {
            if slot.phase == Phase::Free || slot.expires > now {
                continue;
            }
            if slot.phase == Phase::Active {
                timed_out += 1;
                counters.reasm_timeout = counters.reasm_timeout.saturating_add(1);
                counters.reasm_fails = counters.reasm_fails.saturating_add(1);
                let m = &mut mem[slot.key.family() as usize];
                *m = m.saturating_sub(slot.mem);
                if slot.first_seen {
                    let contiguous = usize::from(slot.assembler.contiguous_from_zero());
                    on_time_exceeded(TimedOut {
                        key: slot.key,
                        headers: slot.saved_headers(),
                        payload: slot.buffer.get(..contiguous).unwrap_or(&[]),
                    });
                }
            }
            slot.phase = Phase::Free;
        }
        self.earliest = self.poll_at();
        timed_out
    }

    /// Take one fragment of the datagram `key`.
    ///
    /// `first_fragment_headers` are the bytes to hand back with the
    /// reassembled datagram (and with a timeout) — for IPv4 the header,
    /// for IPv6 the fixed header, the unfragmentable part and the Fragment
    /// header, as the interface likes; they are saved only from the
    /// fragment at offset 0.
    ///
    /// Returns the datagram when this fragment completes it, `Ok(None)`
    /// while holes remain, and the reason when the fragment is dropped
    /// (counted). An atomic fragment ([`FragmentInfo::is_atomic`]) comes
    /// straight back as a datagram of its own, and no reassembly state is
    /// looked at or changed (RFC 6946 §4).
    pub fn process<'s, 'p: 's>(
        &'s mut self,
        now: Instant,
        key: ReassemblyKey,
        frag: FragmentInfo<'p>,
        first_fragment_headers: Option<&'p [u8]>,
    ) -> Result<Option<Reassembled<'s>>, DropReason> {
        if frag.is_atomic() {
            // RFC 6946 §4: processed in isolation from any other fragments.
            self.counters.atomic_fragments = self.counters.atomic_fragments.saturating_add(1);
            return Ok(Some(Reassembled {
                headers: first_fragment_headers.unwrap_or(&[]),
                payload: frag.payload,
                ecn: frag.ecn,
            }));
        }
        self.counters.reasm_reqds = self.counters.reasm_reqds.saturating_add(1);
        let (start, end) = match Self::check_fragment(&frag) {
            Ok(range) => range,
            Err(reason) => return Err(self.record_drop(reason)),
        };
        let index = match self
            .slots
            .iter()
            .position(|s| s.phase != Phase::Free && s.key == key)
        {
            // RFC 5722 §4: fragments "not yet received" of a discarded
            // datagram are discarded too.
            Some(i) if self.slots[i].phase == Phase::Discarded => {
                return Err(self.record_drop(DropReason::Discarded));
            }
            Some(i) => i,
            None => self.start_datagram(now, key, &frag, end)?,
        };
        let complete = self.add(index, &frag, start, end, first_fragment_headers)?;
        if !complete {
            return Ok(None);
        }
        self.counters.reasm_oks = self.counters.reasm_oks.saturating_add(1);
        let slot = &mut self.slots[index];
        let family = slot.key.family() as usize;
        self.mem[family] = self.mem[family].saturating_sub(slot.mem);
        slot.phase = Phase::Free;
        let slot = &self.slots[index];
        let total = usize::from(slot.total.unwrap_or(0));
        Ok(Some(Reassembled {
            headers: slot.saved_headers(),
            payload: slot.buffer.get(..total).unwrap_or(&[]),
            ecn: slot.ecn,
        }))
    }

    /// The checks that need no state; the fragment's byte range.
    fn check_fragment(frag: &FragmentInfo<'_>) -> Result<(u16, u16), DropReason> {
        let len = frag.payload.len();
        // RFC 791 §3.1: "the minimum fragment is 8 octets" (the last may be
        // shorter, but never empty).
        if len == 0 {
            return Err(DropReason::Empty);
        }
        if !usize::from(frag.offset).is_multiple_of(FRAGMENT_UNIT) {
            return Err(DropReason::Misaligned);
        }
        // RFC 8200 §4.5: "If the length of a fragment ... is not a multiple
        // of 8 octets and the M flag of that fragment is 1, then that
        // fragment must be discarded" (RFC 791 §3.2 cuts IPv4 fragments
        // on 8-octet boundaries too).
        if frag.more && !len.is_multiple_of(FRAGMENT_UNIT) {
            return Err(DropReason::BadLength);
        }
        // RFC 8200 §4.5: a fragment whose reassembled packet would exceed
        // 65,535 octets "must be discarded"; RFC 791 §3.1 bounds IPv4 Total
        // Length the same way.
        let end = usize::from(frag.offset).saturating_add(len);
        if end.saturating_add(frag.header_len) > MAX_PACKET_LEN {
            return Err(DropReason::TooLong);
        }
        // `end <= 65535`, so it fits.
        let end = u16::try_from(end).map_err(|_| DropReason::TooLong)?;
        Ok((frag.offset, end))
    }

    /// Find a slot for a new datagram, or refuse it.
    fn start_datagram(
        &mut self,
        now: Instant,
        key: ReassemblyKey,
        frag: &FragmentInfo<'_>,
        end: u16,
    ) -> Result<usize, DropReason> {
        let family = key.family();
        let limits = self.config.limits(family);
        // Linux refuses new queues once the family is over its high
        // threshold; refusing before it is passed keeps the bound exact.
        if self.mem[family as usize].saturating_add(frag.payload.len()) > limits.high_thresh {
            self.counters.reasm_fails = self.counters.reasm_fails.saturating_add(1);
            return Err(self.record_drop(DropReason::MemoryLimit));
        }
        let fits = |s: &Slot<'_>| s.capacity() >= usize::from(end);
        let index = match self
            .slots
            .iter()
            .position(|s| s.phase == Phase::Free && fits(s))
        {
            Some(i) => i,
            None => {
                // A dropped datagram's slot may be taken back: the oldest
                // first.
                let reclaim = self
                    .slots
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.phase == Phase::Discarded && fits(s))
                    .min_by_key(|(_, s)| s.expires)
                    .map(|(i, _)| i);
                match reclaim {
                    Some(i) => {
                        self.counters.slot_reclaims = self.counters.slot_reclaims.saturating_add(1);
                        i
                    }
                    None => {
                        let any_free = self.slots.iter().any(|s| s.phase != Phase::Active);
                        let reason = if any_free {
                            DropReason::BufferTooSmall
                        } else {
                            DropReason::NoSlot
                        };
                        self.counters.reasm_fails = self.counters.reasm_fails.saturating_add(1);
                        return Err(self.record_drop(reason));
                    }
                }
            }
        };
        // RFC 8200 §4.5: the timer runs from "the reception of the
        // first-arriving fragment"; RFC 791 §3.2 likewise starts it with the
        // first fragment.
        let expires = now + limits.timeout;
        self.slots[index].start(key, expires, frag.ecn);
        self.earliest = Some(self.earliest.map_or(expires, |e| e.min(expires)));
        Ok(index)
    }

    /// Give up datagram `index`: drop its fragments, refuse later ones
    /// until its deadline (RFC 5722 §4), count.
    fn discard(&mut self, index: usize, reason: DropReason) -> DropReason {
        let slot = &mut self.slots[index];
        let family = slot.key.family() as usize;
        self.mem[family] = self.mem[family].saturating_sub(slot.mem);
        slot.mem = 0;
        slot.phase = Phase::Discarded;
        self.counters.reasm_fails = self.counters.reasm_fails.saturating_add(1);
        self.record_drop(reason)
    }

    /// Add a checked fragment to the active datagram in slot `index`;
    /// whether the datagram is now complete.
    fn add(
        &mut self,
        index: usize,
        frag: &FragmentInfo<'_>,
        start: u16,
        end: u16,
        headers: Option<&[u8]>,
    ) -> Result<bool, DropReason> {
        let slot = &self.slots[index];
        let Some(ecn) = combine_ecn(slot.ecn, frag.ecn) else {
            // RFC 3168 §5.3: a mix of Not-ECT and ECT fragments is dropped.
            return Err(self.discard(index, DropReason::EcnMismatch));
        };
        if usize::from(end) > slot.capacity() {
            return Err(self.discard(index, DropReason::BufferTooSmall));
        }
        // The total length is set by the last fragment (RFC 791 §3.2,
        // RFC 8200 §4.5); any fragment disagreeing with it is corrupt.
        let conflict = if frag.more {
            slot.total.is_some_and(|t| end > t)
        } else {
            slot.total.is_some_and(|t| end != t) || slot.assembler.max_end() > end
        };
        if conflict {
            return Err(self.discard(index, DropReason::LengthConflict));
        }
        match slot.assembler.overlap(start, end) {
            Overlap::None => {}
            Overlap::Contained => {
                // RFC 8200 §4.5: exact duplicates may be dropped alone; a
                // last fragment must repeat the known total to be one.
                let same =
                    slot.buffer.get(usize::from(start)..usize::from(end)) == Some(frag.payload);
                if same && (frag.more || slot.total == Some(end)) {
                    return Err(self.record_drop(DropReason::Duplicate));
                }
                // RFC 5722 §4: any other overlap abandons the datagram.
                return Err(self.discard(index, DropReason::Overlap));
            }
            // RFC 5722 §4.
            Overlap::Partial => return Err(self.discard(index, DropReason::Overlap)),
        }
        if start == 0 {
            // RFC 8200 §4.5: the unfragmentable part and the Next Header
            // come from the fragment at offset 0.
            let headers = headers.unwrap_or(&[]);
            if headers.len() > MAX_SAVED_HEADERS_LEN {
                return Err(self.discard(index, DropReason::HeadersTooLong));
            }
            let slot = &mut self.slots[index];
            slot.headers[..headers.len()].copy_from_slice(headers);
            slot.headers_len = headers.len();
            slot.first_seen = true;
            slot.first_header_len = frag.header_len;
        }
        if self.slots[index].assembler.insert(start, end).is_err() {
            return Err(self.discard(index, DropReason::TooManyHoles));
        }
        let slot = &mut self.slots[index];
        // `end <= capacity` was checked above.
        slot.buffer[usize::from(start)..usize::from(end)].copy_from_slice(frag.payload);
        slot.mem = slot.mem.saturating_add(frag.payload.len());
        slot.ecn = ecn;
        if !frag.more {
            slot.total = Some(end);
        }
        let family = slot.key.family() as usize;
        self.mem[family] = self.mem[family].saturating_add(frag.payload.len());
        let slot = &self.slots[index];
        let Some(total) = slot.total else {
            return Ok(false);
        };
        // RFC 8200 §4.5 / RFC 791 §3.1: the rebuilt packet (the first
        // fragment's headers and all the data) must fit 65,535 octets.
        if slot.first_seen
            && slot.first_header_len.saturating_add(usize::from(total)) > MAX_PACKET_LEN
        {
            return Err(self.discard(index, DropReason::TooLong));
        }
        Ok(slot.assembler.is_complete(total))
    }
}
