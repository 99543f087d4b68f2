//! NewReno congestion control: slow start and congestion avoidance (RFC
//! 5681 §3.1) with appropriate byte counting (RFC 3465), fast retransmit
//! and fast recovery (RFC 5681 §3.2) with NewReno's partial-ACK handling
//! (RFC 6582 §3.2), and restart after idle (RFC 5681 §4.1).
//!
//! All quantities are bytes; all arithmetic saturates, so windows near
//! `usize::MAX` and any call order are safe. `cwnd` never drops below one
//! SMSS (the loss window of RFC 5681 §3.1), so the sender can always make
//! progress.

use crate::time::{Duration, Instant};
use crate::wire::tcp::TcpSeqNumber;

/// L, the slow-start byte-counting limit in SMSS (RFC 3465 §2.2: "L = 2*SMSS
/// bytes"): one ACK grows cwnd by at most this many segments.
const ABC_LIMIT_SEGMENTS: usize = 2;

/// How far behind `recover` an acknowledgment may legitimately lie. The
/// data outstanding at a loss event is at most one window, and a window is
/// below 2^30 (RFC 7323 §2.3: at most 65535 << 14); an ACK further behind
/// than this means `recover` is stale from a previous lap of the sequence
/// space.
const RECOVER_HORIZON: i32 = 1 << 30;

/// NewReno state for one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewReno {
    /// SMSS, the sender maximum segment size (at least 1).
    smss: usize,
    /// IW, kept as the restart window after idle (RFC 5681 §4.1).
    initial_window: usize,
    /// cwnd, the congestion window (at least `smss`).
    cwnd: usize,
    /// ssthresh, the slow start threshold.
    ssthresh: usize,
    /// bytes_acked, the congestion-avoidance byte counter (RFC 3465 §2.1).
    bytes_acked: usize,
    /// recover (RFC 6582 §3.2): the highest sequence number transmitted
    /// when fast recovery was entered or the retransmission timer last
    /// expired. `None` stands for the initial send sequence number (step
    /// 1: "recover is set to the initial send sequence number"), which any
    /// acknowledgment covers.
    recover: Option<TcpSeqNumber>,
    /// Whether fast recovery is in progress.
    in_recovery: bool,
}

impl NewReno {
    /// A connection about to send its first segment: cwnd = IW
    /// (`initial_window`, at least one SMSS) and ssthresh "arbitrarily
    /// high" (RFC 5681 §3.1).
    pub(crate) fn new(mss: usize, initial_window: usize) -> Self {
        let smss = mss.max(1);
        let initial_window = initial_window.max(smss);
        NewReno {
            smss,
            initial_window,
            cwnd: initial_window,
            // RFC 5681 §3.1: "The initial value of ssthresh SHOULD be set
            // arbitrarily high".
            ssthresh: usize::MAX,
            bytes_acked: 0,
            recover: None,
            in_recovery: false,
        }
    }

    pub(crate) fn cwnd(&self) -> usize {
        self.cwnd
    }

    pub(crate) fn ssthresh(&self) -> usize {
        self.ssthresh
    }

    #[cfg(test)]
    pub(crate) fn smss(&self) -> usize {
        self.smss
    }

    pub(crate) fn in_recovery(&self) -> bool {
        self.in_recovery
    }

    #[cfg(test)]
    pub(crate) fn recover(&self) -> Option<TcpSeqNumber> {
        self.recover
    }

    pub(crate) fn set_mss(&mut self, mss: usize) {
        self.smss = mss.max(1);
        self.cwnd = self.cwnd.max(self.smss);
    }

    /// max(FlightSize / 2, 2*SMSS): RFC 5681 §3.1 equation (4).
    fn halved(&self, flight_size: usize) -> usize {
        (flight_size / 2).max(self.smss.saturating_mul(2))
    }

    /// Whether `ack` covers more than `recover` (RFC 6582 §3.2 step 2). A
    /// `recover` more than [`RECOVER_HORIZON`] ahead of `ack` is stale (see
    /// there) and covered.
    fn covers_recover(&self, ack: TcpSeqNumber) -> bool {
        match self.recover {
            None => true,
            Some(recover) => {
                let behind = recover.distance(ack);
                !(0..=RECOVER_HORIZON).contains(&behind)
            }
        }
    }

    pub(crate) fn on_ack(&mut self, _now: Instant, newly_acked: usize, in_flight_before: usize) {
        if self.in_recovery || newly_acked == 0 {
            // During fast recovery, ACKs of new data are partial or full
            // ACKs (RFC 6582 §3.2 step 3), handled by their own calls.
            return;
        }
        // Congestion window validation (RFC 7661): a sender using less than
        // half its window is rate-limited, and growing a window it has not
        // used would let it later burst on a path it has not probed.
        if in_flight_before.saturating_mul(2) < self.cwnd {
            return;
        }
        let mut acked = newly_acked;
        if self.cwnd < self.ssthresh {
            // RFC 5681 §3.1: slow start while cwnd < ssthresh; RFC 3465
            // §2.2: "cwnd += min(N, L*SMSS)" with L = 2.
            let limit = self.smss.saturating_mul(ABC_LIMIT_SEGMENTS);
            let grown = self.cwnd.saturating_add(acked.min(limit));
            if grown <= self.ssthresh {
                self.cwnd = grown;
                return;
            }
            // Slow start ends at ssthresh; the bytes beyond it count
            // towards congestion avoidance.
            acked = grown - self.ssthresh;
            self.cwnd = self.ssthresh;
        }
        // RFC 5681 §3.1 (congestion avoidance, byte counting as in RFC 3465
        // §2.1): "When the number of bytes acknowledged reaches cwnd, then
        // cwnd can be incremented by up to SMSS bytes."
        self.bytes_acked = self.bytes_acked.saturating_add(acked);
        if self.bytes_acked >= self.cwnd {
            self.bytes_acked -= self.cwnd;
            self.cwnd = self.cwnd.saturating_add(self.smss);
            // One increment per ACK, and the carry kept below one window:
            // a stretch ACK covering many windows owes at most one more
            // increment (RFC 3465 §2.1 keeps the whole remainder; capping
            // it avoids a run of increments the path has not earned).
            self.bytes_acked = self.bytes_acked.min(self.cwnd.saturating_sub(1));
        }
    }

    pub(crate) fn on_fast_retransmit(
        &mut self,
        _now: Instant,
        in_flight: usize,
        ack: TcpSeqNumber,
        snd_max: TcpSeqNumber,
    ) -> bool {
        if self.in_recovery {
            return false;
        }
        // RFC 6582 §3.2 step 2: "If not [covering more than recover], the
        // TCP does not enter fast retransmit and does not reset the
        // congestion window or slow start threshold."
        if !self.covers_recover(ack) {
            return false;
        }
        // RFC 6582 §3.2 step 2: "recover is incremented to the value of the
        // highest sequence number transmitted by the TCP so far".
        self.recover = Some(snd_max - 1);
        // RFC 5681 §3.2 step 2: ssthresh = max(FlightSize / 2, 2*SMSS).
        self.ssthresh = self.halved(in_flight);
        // RFC 5681 §3.2 step 3: "cwnd must be set to ssthresh plus 3*SMSS"
        // (the three segments that left the network).
        self.cwnd = self.ssthresh.saturating_add(self.smss.saturating_mul(3));
        self.bytes_acked = 0;
        self.in_recovery = true;
        true
    }

    pub(crate) fn on_dup_ack_in_recovery(&mut self) {
        if self.in_recovery {
            // RFC 5681 §3.2 step 4: "For each additional duplicate ACK
            // received (after the third), cwnd MUST be incremented by SMSS."
            self.cwnd = self.cwnd.saturating_add(self.smss);
        }
    }

    pub(crate) fn is_full_ack(&self, ack: TcpSeqNumber) -> bool {
        // RFC 6582 §3.2 step 3: a full ACK "acknowledges all of the data up
        // to and including recover".
        match self.recover {
            None => true,
            Some(recover) => ack.gt(recover),
        }
    }

    pub(crate) fn on_partial_ack(&mut self, acked: usize) {
        if !self.in_recovery {
            return;
        }
        // RFC 6582 §3.2 step 3 (partial acknowledgments): "Deflate the
        // congestion window by the amount of new data acknowledged ... If
        // the partial ACK acknowledges at least one SMSS of new data, then
        // add back SMSS bytes to the congestion window."
        let mut cwnd = self.cwnd.saturating_sub(acked);
        if acked >= self.smss {
            cwnd = cwnd.saturating_add(self.smss);
        }
        // Never below the loss window (RFC 5681 §3.1), which keeps the
        // sender able to clock out the retransmission.
        self.cwnd = cwnd.max(self.smss);
    }

    pub(crate) fn on_full_ack(&mut self, in_flight: usize) {
        if !self.in_recovery {
            return;
        }
        // RFC 6582 §3.2 step 3 (full acknowledgments), option (1): "Set
        // cwnd to ... min (ssthresh, max(FlightSize, SMSS) + SMSS)" — this
        // avoids a burst when little is outstanding. "Exit the fast
        // recovery procedure."
        let deflated = in_flight.max(self.smss).saturating_add(self.smss);
        self.cwnd = self.ssthresh.min(deflated).max(self.smss);
        self.bytes_acked = 0;
        self.in_recovery = false;
    }

    pub(crate) fn on_rto(&mut self, in_flight: usize, snd_max: TcpSeqNumber) {
        // RFC 5681 §3.1: on a retransmission timeout ssthresh is set per
        // equation (4), "ssthresh = max (FlightSize / 2, 2*SMSS)", and
        // "cwnd MUST be set to no more than the loss window, LW, which
        // equals 1 full-sized segment".
        self.ssthresh = self.halved(in_flight);
        self.cwnd = self.smss;
        self.bytes_acked = 0;
        // RFC 6582 §3.2 step 4: "After a retransmit timeout, record the
        // highest sequence number transmitted in the variable recover, and
        // exit the fast recovery procedure if applicable."
        self.recover = Some(snd_max - 1);
        self.in_recovery = false;
    }

    pub(crate) fn on_idle(&mut self, _now: Instant, idle_for: Duration, rto: Duration) {
        // RFC 5681 §4.1: "if the TCP has not sent data in an interval
        // exceeding the retransmission timeout", cwnd is set to no more
        // than the restart window RW = min(IW, cwnd).
        if idle_for > rto {
            self.cwnd = self.cwnd.min(self.initial_window).max(self.smss);
            self.bytes_acked = 0;
        }
    }
}
