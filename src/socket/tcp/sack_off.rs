//! SACK compiled out (the `socket-tcp-sack` feature is off): zero-size
//! stand-ins for the receiver's SACK state and the sender's scoreboard,
//! with the API the socket calls, that hold and report nothing.
//!
//! The socket never negotiates SACK then: its SYN does not offer
//! SACK-permitted and a peer's offer is ignored (RFC 2018 §2: SACK is used
//! only when both ends sent the option), so it never sends SACK options
//! (RFC 2018 §3) and recovers losses with NewReno alone (RFC 6582).

use heapless::Vec;

use crate::storage::Assembler;
use crate::wire::tcp::TcpSeqNumber;
use crate::wire::tcp::options::MAX_SACK_BLOCKS;

/// One SACK block: `(left edge, right edge)`.
pub type SackBlock = (TcpSeqNumber, TcpSeqNumber);

/// No SACK reporting state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SackState;

impl SackState {
    /// Nothing to report.
    pub const fn new() -> Self {
        SackState
    }

    /// Out-of-order data is not reported.
    #[inline(always)]
    pub fn on_segment(&mut self, _start: TcpSeqNumber, _end: TcpSeqNumber) {}

    /// Duplicates are not reported.
    #[inline(always)]
    pub fn on_duplicate(&mut self, _start: TcpSeqNumber, _end: TcpSeqNumber) {}

    /// Nothing to forget.
    #[inline(always)]
    pub fn on_ack_sent(&mut self, _rcv_nxt: TcpSeqNumber) {}

    /// No D-SACK.
    #[inline(always)]
    pub fn has_dsack(&self) -> bool {
        false
    }

    /// No blocks.
    #[inline(always)]
    pub fn blocks<const N: usize>(
        &self,
        _rcv_nxt: TcpSeqNumber,
        _assembler: &Assembler<N>,
        _max: usize,
    ) -> Vec<SackBlock, MAX_SACK_BLOCKS> {
        Vec::new()
    }
}

/// No duplicate is ever reported.
#[inline(always)]
pub fn first_duplicate<const N: usize>(
    _rcv_nxt: TcpSeqNumber,
    _assembler: &Assembler<N>,
    _start: TcpSeqNumber,
    _end: TcpSeqNumber,
) -> Option<SackBlock> {
    None
}

/// The sender's scoreboard without SACK: always empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scoreboard;

impl Scoreboard {
    /// An empty scoreboard.
    pub const fn new() -> Self {
        Scoreboard
    }

    /// Always empty.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        true
    }

    /// No ranges.
    #[inline(always)]
    pub fn iter(&self) -> core::iter::Empty<(usize, usize)> {
        core::iter::empty()
    }

    /// Nothing is kept.
    #[inline(always)]
    pub fn add(&mut self, _offset: usize, _len: usize) -> Result<(), ()> {
        Ok(())
    }

    /// Nothing to shift.
    #[inline(always)]
    pub fn shift(&mut self, _n: usize) {}

    /// Nothing to clear.
    #[inline(always)]
    pub fn clear(&mut self) {}
}
