//! Congestion control (RFC 5681, RFC 6582, RFC 3465, RFC 6928).
//!
//! [`Congestion`] is an enum over the algorithms, not a trait object: the
//! socket holds one by value and calls the event methods below; each
//! variant reacts in its own way. Only NewReno ([`newreno`]) exists so far;
//! CUBIC (RFC 9438) becomes another variant, and PRR (RFC 6937) and
//! HyStart++ (RFC 9406) become state inside the variants that use them,
//! driven by the same events (which is why every event carries `now` and
//! the bytes in flight, though NewReno needs neither everywhere).
//!
//! # How the socket drives it
//!
//! All sizes are bytes. "In flight" is FlightSize (RFC 5681 §2): data sent
//! but not yet cumulatively acknowledged.
//!
//! * An ACK acknowledges new data:
//!   - outside recovery ([`Congestion::in_recovery`] false):
//!     [`Congestion::on_ack`];
//!   - in recovery: [`Congestion::is_full_ack`] decides between
//!     [`Congestion::on_full_ack`] (recovery ends) and
//!     [`Congestion::on_partial_ack`] (retransmit the next hole; on the
//!     first partial ACK also restart the retransmission timer, RFC 6582
//!     §3.2 step 3).
//! * The third duplicate ACK: [`Congestion::on_fast_retransmit`]; if it
//!   returns `true`, retransmit the first unacknowledged segment (RFC 5681
//!   §3.2 step 2). Further duplicate ACKs while in recovery:
//!   [`Congestion::on_dup_ack_in_recovery`].
//! * The retransmission timer expires: [`Congestion::on_rto`].
//! * Before sending after a quiet period: [`Congestion::on_idle`].
//! * The path MSS changes: [`Congestion::set_mss`].

// Until the socket in `tcp/mod.rs` calls these (the integrator removes
// this allowance when it wires them in).

pub(crate) mod newreno;

#[cfg(test)]
mod tests;

use crate::time::{Duration, Instant};
use crate::wire::tcp::TcpSeqNumber;

pub(crate) use self::newreno::NewReno;

/// The initial window IW for a sender maximum segment size (RFC 6928 §2:
/// "IW = min (10*MSS, max (2*MSS, 14600))"). Saturates for absurd MSS
/// values.
pub(crate) const fn initial_window(mss: usize) -> usize {
    let ten = mss.saturating_mul(10);
    let two = mss.saturating_mul(2);
    let floor = if two > 14_600 { two } else { 14_600 };
    if ten < floor { ten } else { floor }
}

/// A connection's congestion controller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Congestion {
    /// NewReno (RFC 5681 + RFC 6582).
    NewReno(NewReno),
}

impl Congestion {
    /// A NewReno controller for a connection whose SMSS is `mss` (0 counts
    /// as 1), starting with cwnd = `initial_window` (at least one SMSS;
    /// usually [`Congestion::initial_window`]) and ssthresh unbounded (RFC
    /// 5681 §3.1).
    pub(crate) fn new(mss: usize, initial_window: usize) -> Self {
        Congestion::NewReno(NewReno::new(mss, initial_window))
    }

    /// cwnd, the congestion window: the sender may have at most
    /// `min(cwnd, rwnd)` bytes in flight (RFC 5681 §3.1). Never below one
    /// SMSS.
    pub(crate) fn cwnd(&self) -> usize {
        match self {
            Congestion::NewReno(c) => c.cwnd(),
        }
    }

    /// ssthresh, the slow start threshold (`usize::MAX` until the first
    /// loss).
    pub(crate) fn ssthresh(&self) -> usize {
        match self {
            Congestion::NewReno(c) => c.ssthresh(),
        }
    }

    /// SMSS as last set.
    #[cfg(test)]
    pub(crate) fn smss(&self) -> usize {
        match self {
            Congestion::NewReno(c) => c.smss(),
        }
    }

    /// Whether loss recovery (fast recovery) is in progress.
    pub(crate) fn in_recovery(&self) -> bool {
        match self {
            Congestion::NewReno(c) => c.in_recovery(),
        }
    }

    /// NewReno's `recover` (RFC 6582 §3.2), `None` while it still stands for
    /// the initial send sequence number.
    #[cfg(test)]
    pub(crate) fn recover(&self) -> Option<TcpSeqNumber> {
        match self {
            Congestion::NewReno(c) => c.recover(),
        }
    }

    /// The sender MSS changed (path MTU discovery, RFC 1191/8201). cwnd
    /// stays in bytes but never below the new SMSS; 0 counts as 1.
    pub(crate) fn set_mss(&mut self, mss: usize) {
        match self {
            Congestion::NewReno(c) => c.set_mss(mss),
        }
    }

    /// An ACK acknowledged `newly_acked` bytes of new data while not in
    /// recovery; `in_flight_before` is FlightSize before it. Slow start
    /// (RFC 5681 §3.1) grows cwnd by min(newly_acked, 2*SMSS) (RFC 3465
    /// §2.2, L = 2) up to ssthresh; congestion avoidance grows it by one
    /// SMSS per cwnd of bytes acknowledged (RFC 5681 §3.1, RFC 3465 §2.1),
    /// about one SMSS per RTT. No growth while the sender uses less than
    /// half of cwnd (cwnd validation, RFC 7661), nor while in recovery.
    pub(crate) fn on_ack(&mut self, now: Instant, newly_acked: usize, in_flight_before: usize) {
        match self {
            Congestion::NewReno(c) => c.on_ack(now, newly_acked, in_flight_before),
        }
    }

    /// The third duplicate ACK, cumulative acknowledgment `ack`, arrived
    /// with `in_flight` bytes outstanding; `snd_max` is one past the highest
    /// sequence number transmitted so far (SND.NXT, or the highest SND.NXT
    /// reached if the socket rewinds it after a timeout).
    ///
    /// Returns whether fast retransmit/fast recovery was entered (RFC 6582
    /// §3.2 step 2): not when already in recovery, nor when `ack` does not
    /// cover more than `recover` (duplicate ACKs for data sent before a
    /// timeout or before the previous recovery). On entry: ssthresh =
    /// max(FlightSize/2, 2*SMSS), cwnd = ssthresh + 3*SMSS (RFC 5681 §3.2
    /// steps 2-3), recover = `snd_max - 1`. The caller then retransmits the
    /// first unacknowledged segment.
    pub(crate) fn on_fast_retransmit(
        &mut self,
        now: Instant,
        in_flight: usize,
        ack: TcpSeqNumber,
        snd_max: TcpSeqNumber,
    ) -> bool {
        match self {
            Congestion::NewReno(c) => c.on_fast_retransmit(now, in_flight, ack, snd_max),
        }
    }

    /// Another duplicate ACK during recovery: inflate cwnd by one SMSS (RFC
    /// 5681 §3.2 step 4). Ignored outside recovery.
    pub(crate) fn on_dup_ack_in_recovery(&mut self) {
        match self {
            Congestion::NewReno(c) => c.on_dup_ack_in_recovery(),
        }
    }

    /// Whether an ACK of new data with cumulative acknowledgment `ack`
    /// "acknowledges all of the data up to and including recover" (RFC
    /// 6582 §3.2 step 3): a full ACK, as opposed to a partial one.
    pub(crate) fn is_full_ack(&self, ack: TcpSeqNumber) -> bool {
        match self {
            Congestion::NewReno(c) => c.is_full_ack(ack),
        }
    }

    /// A partial ACK during recovery acknowledged `acked` new bytes:
    /// deflate cwnd by `acked`, then add back one SMSS if `acked` >= SMSS
    /// (RFC 6582 §3.2 step 3); cwnd stays at least one SMSS. Recovery
    /// continues. Ignored outside recovery.
    pub(crate) fn on_partial_ack(&mut self, acked: usize) {
        match self {
            Congestion::NewReno(c) => c.on_partial_ack(acked),
        }
    }

    /// A full ACK ended recovery with `in_flight` bytes still outstanding
    /// (after this ACK): cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)
    /// (RFC 6582 §3.2 step 3, option 1). Ignored outside recovery.
    pub(crate) fn on_full_ack(&mut self, in_flight: usize) {
        match self {
            Congestion::NewReno(c) => c.on_full_ack(in_flight),
        }
    }

    /// The retransmission timer expired with `in_flight` bytes outstanding;
    /// `snd_max` as in [`Congestion::on_fast_retransmit`]. ssthresh =
    /// max(FlightSize/2, 2*SMSS), cwnd = one SMSS (the loss window, RFC
    /// 5681 §3.1); recovery ends and recover = `snd_max - 1` (RFC 6582
    /// §3.2 step 4).
    pub(crate) fn on_rto(&mut self, in_flight: usize, snd_max: TcpSeqNumber) {
        match self {
            Congestion::NewReno(c) => c.on_rto(in_flight, snd_max),
        }
    }

    /// About to send after `idle_for` without sending; `rto` is the current
    /// retransmission timeout. When the idle time exceeds it, cwnd is cut
    /// to the restart window min(IW, cwnd) (RFC 5681 §4.1).
    pub(crate) fn on_idle(&mut self, now: Instant, idle_for: Duration, rto: Duration) {
        match self {
            Congestion::NewReno(c) => c.on_idle(now, idle_for, rto),
        }
    }
}
