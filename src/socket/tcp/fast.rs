//! Header prediction: the receive fast path for the common segment of a
//! bulk transfer (the next in-order data of an ESTABLISHED connection that
//! acknowledges nothing new and keeps the window), after Van Jacobson's
//! TCP input (as in Linux's `tcp_rcv_established`).
//!
//! The interface reads such a segment straight from the frame (no `Repr`)
//! and hands it here; a segment that is anything else goes the general way
//! through [`Socket::process`]. What the fast path does to the socket is
//! exactly what `process` would do to it for the same segment (the tests
//! compare the two, frame for frame); it only skips the questions whose
//! answers the prediction already fixed.

use super::{Socket, State};
use crate::time::Instant;
use crate::wire::tcp::TcpSeqNumber;

/// A segment as the receive fast path reads it off the wire: ACK (and
/// perhaps PSH) set and no other flag, no option but timestamps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Predicted<'p> {
    pub(crate) seq: TcpSeqNumber,
    pub(crate) ack: TcpSeqNumber,
    /// The window field, unscaled.
    pub(crate) window_len: u16,
    /// TSval, when the segment carries the timestamps option.
    pub(crate) tsval: Option<u32>,
    pub(crate) payload: &'p [u8],
}

impl Socket<'_> {
    /// Take `seg` if it is the predicted segment: ESTABLISHED, `seq` is
    /// RCV.NXT with nothing held out of order, `ack` is SND.UNA, the window
    /// is the one we hold, the payload fits the receive window, and the
    /// timestamps are as negotiated and pass PAWS (RFC 7323 §5.3).
    ///
    /// The payload is copied into the receive buffer and summed in the
    /// same pass, from `init` (the pseudo-header and the TCP header, as
    /// for [`Socket::prewrite_payload`]). Returns `None` when the segment
    /// is not the predicted one or its checksum is bad: then nothing
    /// changed (the copy sits in free space) and the caller takes the
    /// general path, which decides and counts.
    pub(crate) fn receive_predicted(
        &mut self,
        now: Instant,
        seg: &Predicted<'_>,
        init: u64,
    ) -> Option<()> {
        let len = seg.payload.len();
        let paws_ok = match (self.ts_ok, seg.tsval) {
            // RFC 7323 §5.3 R1: not older than TS.Recent.
            (true, Some(tsval)) => (tsval.wrapping_sub(self.ts_recent) as i32) >= 0,
            (false, None) => true,
            _ => false,
        };
        let predicted = self.state == State::Established
            && seg.seq == self.rcv_nxt
            && seg.ack == self.snd_una
            && (usize::from(seg.window_len) << self.snd_wnd_shift) == self.snd_wnd
            && paws_ok;
        if !predicted {
            return None;
        }
        // Sums while copying; `None` unless in order, nothing out of order
        // and within the window (RFC 9293 §3.10.7.4 "first": acceptable).
        if self.prewrite_payload(seg.seq, seg.payload, init)? != 0xffff {
            return None;
        }
        self.rx_prewritten = 0;
        self.now = now;
        // RFC 9293 §3.10.7.4 "fifth", for an ACK of nothing new (no RTT
        // sample, no congestion-control step, no duplicate ACK: the
        // segment carries data; RFC 5961 §5.2: SND.UNA is in range).
        self.heard_from_peer(now);
        self.update_send_window(seg.seq, seg.ack, self.snd_wnd, false);
        // RFC 7323 §4.3: TS.Recent from a segment at or below
        // Last.ACK.sent.
        if let Some(tsval) = seg.tsval
            && seg.seq.le(self.last_ack_sent)
        {
            self.ts_recent = tsval;
            self.ts_recent_at = now;
        }
        // "Seventh": the text, already in place; fills no hole.
        let n = self.rx_buffer.enqueue_unallocated(len);
        self.rcv_nxt += n;
        self.info.bytes_received += n as u64;
        self.schedule_ack(now, len);
        Some(())
    }
}
