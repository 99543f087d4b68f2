//! What a TCP data receiver reports in its SACK option: the selective
//! acknowledgment blocks of RFC 2018 §4 and the duplicate-SACK (D-SACK)
//! first block of RFC 2883 §4.
//!
//! The out-of-order data itself lives in the socket's receive buffer and
//! its byte ranges in an [`Assembler`] (offsets relative to `RCV.NXT`);
//! the assembler's ranges are exactly the blocks the receiver can report.
//! [`SackState`] adds what the assembler cannot know: which of those
//! blocks changed most recently (RFC 2018 §4 orders the blocks by that),
//! and the duplicate range, if any, the next ACK must report first
//! (RFC 2883 §4).
//!
//! # How the socket calls it
//!
//! Only when both ends sent SACK-permitted (RFC 2018 §3: "MUST NOT send
//! SACK options" otherwise). For each acceptable segment carrying data
//! `[start, end)`:
//!
//! 1. Before storing anything, [`first_duplicate`]`(rcv_nxt, &assembler,
//!    start, end)`; if it returns a range, [`SackState::on_duplicate`] it.
//! 2. Data at `RCV.NXT`: copy it in, then `assembler.shift(n)` for the `n`
//!    in-order bytes and `RCV.NXT += n + assembler.remove_front()`.
//!    (`shift`, unlike `add(0, n)`, cannot fail on a full assembler.)
//! 3. Data beyond `RCV.NXT`: copy it at its offset, `assembler.add(offset,
//!    len)`; on `Err` drop the segment (counted), otherwise
//!    [`SackState::on_segment`]`(start, end)`.
//! 4. When building an ACK: [`SackState::blocks`]`(rcv_nxt, &assembler,
//!    max)` with `max` 3 when the segment carries timestamps, 4 without
//!    (RFC 2018 §3: the 40-byte option space); once the ACK has really
//!    been emitted, [`SackState::on_ack_sent`]`(rcv_nxt)`. `blocks` takes
//!    `&self` so that an ACK that could not be sent reports the same
//!    blocks when retried.
//!
//! On connection reset or close, [`SackState::clear`].

use heapless::Vec;

use crate::storage::Assembler;
use crate::wire::tcp::TcpSeqNumber;
use crate::wire::tcp::options::MAX_SACK_BLOCKS;

/// The sender's SACK scoreboard: ranges the peer reported received, as
/// offsets from `SND.UNA` (RFC 6675 §3).
pub type Scoreboard = Assembler<{ super::ASSEMBLER_RANGES }>;

/// One SACK block: `(left edge, right edge)`, the right edge being the
/// sequence number just past the block (RFC 2018 §3).
pub type SackBlock = (TcpSeqNumber, TcpSeqNumber);

/// How many recently changed blocks [`SackState`] remembers. The option
/// never carries more than [`MAX_SACK_BLOCKS`], so older history could
/// never be reported anyway; blocks beyond it are still reported, from the
/// assembler, when there is room.
pub const SACK_HISTORY: usize = MAX_SACK_BLOCKS;

/// The receiver's SACK reporting state (RFC 2018 §4, RFC 2883 §4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SackState {
    /// The ranges of the most recent out-of-order arrivals, most recent
    /// first, contiguous arrivals merged into one. Each stands for the
    /// assembler block that contains it at the time the option is built,
    /// so blocks that merged later or were acknowledged need no upkeep.
    recent: Vec<SackBlock, SACK_HISTORY>,
    /// The duplicate range the next ACK reports first (RFC 2883 §4).
    dsack: Option<SackBlock>,
}

impl SackState {
    /// Nothing to report.
    pub const fn new() -> Self {
        SackState {
            recent: Vec::new(),
            dsack: None,
        }
    }

    /// Forget everything (connection reset or closed).
    #[cfg(test)]
    pub fn clear(&mut self) {
        self.recent.clear();
        self.dsack = None;
    }

    /// Record that out-of-order data `[start, end)` (beyond `RCV.NXT`) was
    /// just stored in the assembler. Its block becomes the first one
    /// reported. An empty or inverted range is ignored.
    pub fn on_segment(&mut self, start: TcpSeqNumber, end: TcpSeqNumber) {
        if !end.gt(start) {
            return;
        }
        let mut new = (start, end);
        // Merge every remembered range that overlaps or touches the new
        // one: they are the same block now, and it is the most recent.
        // Remembered ranges never touch each other (each insertion merges
        // all that touch it), so one pass finds them all.
        let mut i = 0;
        while i < self.recent.len() {
            let (s, e) = self.recent[i];
            if s.le(new.1) && new.0.le(e) {
                new = (s.min(new.0), e.max(new.1));
                self.recent.remove(i);
            } else {
                i += 1;
            }
        }
        if self.recent.is_full() {
            self.recent.pop();
        }
        // Cannot fail: a slot is free after the pop above.
        let _ = self.recent.insert(0, new);
    }

    /// Record that the segment just received duplicated `[start, end)`:
    /// data below `RCV.NXT`, or inside a block already held (see
    /// [`first_duplicate`]). The next ACK reports it as its first block,
    /// once (RFC 2883 §4). A later duplicate replaces it: "A D-SACK block
    /// is only used to report a duplicate contiguous sequence of data
    /// received by the receiver in the most recent packet" (RFC 2883 §4
    /// (1)). An empty or inverted range is ignored.
    pub fn on_duplicate(&mut self, start: TcpSeqNumber, end: TcpSeqNumber) {
        if end.gt(start) {
            self.dsack = Some((start, end));
        }
    }

    /// The duplicate range the next ACK will report, if any.
    #[cfg(test)]
    pub fn pending_dsack(&self) -> Option<SackBlock> {
        self.dsack
    }

    /// Whether the next ACK owes a D-SACK block.
    #[inline]
    pub fn has_dsack(&self) -> bool {
        self.dsack.is_some()
    }

    /// An ACK built from [`SackState::blocks`] was sent with cumulative
    /// acknowledgment `rcv_nxt`: the D-SACK block has been reported and is
    /// dropped, and remembered ranges at or below `rcv_nxt` are forgotten.
    pub fn on_ack_sent(&mut self, rcv_nxt: TcpSeqNumber) {
        // RFC 2883 §4 (2): "Each duplicate contiguous sequence of data
        // received is reported in at most one D-SACK block."
        self.dsack = None;
        self.recent.retain(|&(_, e)| e.gt(rcv_nxt));
    }

    /// The SACK blocks for an ACK of `rcv_nxt`, at most `max` (and at most
    /// [`MAX_SACK_BLOCKS`]), in the order they go into the option:
    ///
    /// 1. the pending D-SACK range, then the held block that contains it
    ///    when it lies above `rcv_nxt` (RFC 2883 §4);
    /// 2. the block containing the most recent out-of-order segment, then
    ///    the blocks of earlier ones, most recent first (RFC 2018 §4);
    /// 3. any other held blocks, lowest first, while there is room
    ///    (RFC 2018 §4: "as many distinct SACK blocks as possible").
    ///
    /// Every block but the D-SACK one is a range of `assembler` (offsets
    /// relative to `rcv_nxt`), reported once. Empty when there is neither
    /// a duplicate nor out-of-order data.
    pub fn blocks<const N: usize>(
        &self,
        rcv_nxt: TcpSeqNumber,
        assembler: &Assembler<N>,
        max: usize,
    ) -> Vec<SackBlock, MAX_SACK_BLOCKS> {
        let max = max.min(MAX_SACK_BLOCKS);
        let mut out = Blocks {
            list: Vec::new(),
            max,
            skip: 0,
        };
        if let Some(dsack) = self.dsack {
            // RFC 2883 §4: "When D-SACK is used, the first block of the
            // SACK option should be a D-SACK block specifying the sequence
            // numbers for the duplicate segment that triggers the
            // acknowledgement."
            out.push_dsack(dsack);
            // RFC 2883 §4 (4): "If the D-SACK block reports a duplicate
            // contiguous sequence from a (possibly larger) block of data in
            // the receiver's data queue above the cumulative
            // acknowledgement, then the second SACK block in that SACK
            // option should specify that (possibly larger) block of data."
            if let Some(block) = containing_block(rcv_nxt, assembler, dsack) {
                out.push(block);
            }
        }
        // RFC 2018 §4: "The first SACK block ... MUST specify the
        // contiguous block of data containing the segment which triggered
        // this ACK, unless that segment advanced the Acknowledgment Number
        // field in the header." The first remembered range is that
        // segment; one that was acknowledged since resolves to no block.
        // RFC 2018 §4: "The SACK option SHOULD be filled out by repeating
        // the most recently reported SACK blocks (based on first SACK
        // blocks in previous SACK options) that are not subsets of a SACK
        // block already included" -- `push` skips blocks already in.
        for &range in &self.recent {
            if let Some(block) = containing_block(rcv_nxt, assembler, range) {
                out.push(block);
            }
        }
        // RFC 2018 §4: "The data receiver SHOULD include as many distinct
        // SACK blocks as possible in the SACK option."
        for (s, e) in assembler.iter() {
            out.push((rcv_nxt + s, rcv_nxt + e));
        }
        out.list
    }
}

/// The first part of segment `[start, end)` the receiver already holds,
/// to report with [`SackState::on_duplicate`]; call before the segment's
/// data is stored.
///
/// That is the part below `rcv_nxt` when the segment starts there, and
/// otherwise its first overlap with an out-of-order block. Only the first
/// duplicate run is returned: a segment that duplicates two separate runs
/// reports the first of them (RFC 2883 §4.2.2, example 5).
pub fn first_duplicate<const N: usize>(
    rcv_nxt: TcpSeqNumber,
    assembler: &Assembler<N>,
    start: TcpSeqNumber,
    end: TcpSeqNumber,
) -> Option<SackBlock> {
    if !end.gt(start) {
        return None;
    }
    if start.lt(rcv_nxt) {
        // RFC 2883 §4 (3): "The left edge of the D-SACK block specifies the
        // first sequence number of the duplicate contiguous sequence, and
        // the right edge ... the sequence number immediately following the
        // last sequence in the duplicate contiguous sequence."
        return Some((start, end.min(rcv_nxt)));
    }
    let (s, e) = offsets(rcv_nxt, (start, end))?;
    let (bs, be) = assembler.overlapping(s, e)?;
    Some((rcv_nxt + s.max(bs), rcv_nxt + e.min(be)))
}

/// `range` as offsets from `rcv_nxt`, clipped at 0; `None` when it is
/// empty or lies entirely at or below `rcv_nxt`.
fn offsets(rcv_nxt: TcpSeqNumber, (start, end): SackBlock) -> Option<(usize, usize)> {
    if !end.gt(start) {
        return None;
    }
    let e = usize::try_from(end - rcv_nxt).ok().filter(|&e| e > 0)?;
    let s = usize::try_from(start - rcv_nxt).unwrap_or(0);
    Some((s, e))
}

/// The assembler block, in sequence numbers, that shares data with
/// `range` above `rcv_nxt`.
fn containing_block<const N: usize>(
    rcv_nxt: TcpSeqNumber,
    assembler: &Assembler<N>,
    range: SackBlock,
) -> Option<SackBlock> {
    let (s, e) = offsets(rcv_nxt, range)?;
    let (bs, be) = assembler.overlapping(s, e)?;
    Some((rcv_nxt + bs, rcv_nxt + be))
}

/// The option being built: at most `max` blocks, each ordinary block once.
struct Blocks {
    list: Vec<SackBlock, MAX_SACK_BLOCKS>,
    max: usize,
    /// 1 when the first block is a D-SACK block: it may equal an ordinary
    /// block (a duplicate of a whole held block) without replacing it.
    skip: usize,
}

impl Blocks {
    fn push_dsack(&mut self, block: SackBlock) {
        if self.list.len() < self.max && self.list.push(block).is_ok() {
            self.skip = 1;
        }
    }

    fn push(&mut self, block: SackBlock) {
        let already = self.list.get(self.skip..).unwrap_or(&[]);
        if self.list.len() < self.max && !already.contains(&block) {
            // Cannot fail: `max` is at most the capacity.
            let _ = self.list.push(block);
        }
    }
}

#[cfg(test)]
mod tests;
