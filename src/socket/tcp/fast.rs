//! Header prediction: the receive fast path for the common segments of a
//! bulk transfer, after Van Jacobson's TCP input (as in Linux's
//! `tcp_rcv_established`): on an ESTABLISHED connection, the next
//! in-order segment that carries data, or acknowledges new data, or both.
//!
//! The interface reads such a segment straight from the frame (no `Repr`)
//! and hands it here; a segment that is anything else goes the general way
//! through [`Socket::process`]. What the fast path does to the socket is
//! exactly what `process` would do to it for the same segment (the tests
//! compare the two, field for field); it only skips the questions whose
//! answers the prediction already fixed.

use super::{Socket, State};
use crate::time::Instant;
use crate::wire::checksum;
use crate::wire::tcp::{TcpSeqNumber, TcpTimestamp};

/// A segment as the receive fast path reads it off the wire: ACK (and
/// perhaps PSH) set and no other flag, no option but timestamps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Predicted<'p> {
    pub(crate) seq: TcpSeqNumber,
    pub(crate) ack: TcpSeqNumber,
    /// The window field, unscaled.
    pub(crate) window_len: u16,
    /// The timestamps option, when the segment carries it.
    pub(crate) timestamp: Option<TcpTimestamp>,
    pub(crate) payload: &'p [u8],
}

impl Socket<'_> {
    /// Take `seg` if it is a predicted segment: ESTABLISHED, `seq` is
    /// RCV.NXT, the timestamps are as negotiated and pass PAWS (RFC 7323
    /// §5.3), and either
    /// * it carries data that fits the receive window, with nothing held
    ///   out of order, or
    /// * it acknowledges new data (SND.UNA < SEG.ACK =< SND.MAX).
    ///
    /// A payload is copied into the receive buffer and summed in the same
    /// pass from `init` (the pseudo-header and the TCP header, as for
    /// [`Socket::prewrite_payload`]); without one, `init` is the whole
    /// sum. Returns `None` when the segment is not predicted or its
    /// checksum is bad: then nothing changed (a copy sits in free space)
    /// and the caller takes the general path, which decides and counts.
    pub(crate) fn receive_predicted(
        &mut self,
        now: Instant,
        seg: &Predicted<'_>,
        init: u64,
    ) -> Option<()> {
        let len = seg.payload.len();
        let paws_ok = match (self.ts_ok, seg.timestamp) {
            // RFC 7323 §5.3 R1: not older than TS.Recent.
            (true, Some(ts)) => (ts.tsval.wrapping_sub(self.ts_recent) as i32) >= 0,
            (false, None) => true,
            _ => false,
        };
        if self.state != State::Established || seg.seq != self.rcv_nxt || !paws_ok {
            return None;
        }
        let new_ack = seg.ack.gt(self.snd_una);
        let predicted = if new_ack {
            // RFC 5961 §5.2: within what we sent (in fast recovery too:
            // `ack_advanced` tells full from partial ACKs, RFC 6582; no
            // FIN of ours is out in ESTABLISHED).
            seg.ack.le(self.snd_max)
        } else {
            // Nothing new acknowledged: data, or it is a duplicate ACK or
            // a window update (the general path).
            seg.ack == self.snd_una && len > 0
        };
        if !predicted {
            return None;
        }
        if len > 0 {
            // Sums while copying; `None` unless nothing is held out of
            // order and it fits the window (RFC 9293 §3.10.7.4 "first":
            // acceptable).
            if self.prewrite_payload(seg.seq, seg.payload, init)? != 0xffff {
                return None;
            }
            // Taken here, not by `take_data`.
            self.forget_prewrite();
        } else if !checksum::sum_verifies(u128::from(init)) {
            return None;
        }
        self.now = now;
        // RFC 9293 §3.10.7.4 "fifth", in the general path's order: no SACK
        // blocks (only timestamps), no duplicate ACK (new data acked, or
        // data carried).
        self.heard_from_peer(now);
        if new_ack {
            self.scoreboard
                .shift(usize::try_from(seg.ack - self.snd_una).unwrap_or(0));
            self.ack_advanced(now, seg.ack, seg.timestamp);
        }
        let window = usize::from(seg.window_len) << self.snd_wnd_shift;
        self.update_send_window(seg.seq, seg.ack, window, false);
        // RFC 7323 §4.3: TS.Recent from a segment at or below
        // Last.ACK.sent.
        if let Some(ts) = seg.timestamp
            && seg.seq.le(self.last_ack_sent)
        {
            self.ts_recent = ts.tsval;
            self.ts_recent_at = now;
        }
        if len > 0 {
            // "Seventh": the text, already in place; fills no hole.
            let n = self.rx_buffer.enqueue_unallocated(len);
            self.rcv_nxt += n;
            self.info.bytes_received += n as u64;
            self.schedule_ack(now, len);
        }
        Some(())
    }
}
