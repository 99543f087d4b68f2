//! Round-trip time estimation and the retransmission timeout (RFC 6298,
//! with the per-ACK sampling of RFC 7323 Appendix G and the general RTO
//! requirements of RFC 8961).
//!
//! [`RttEstimator`] keeps SRTT and RTTVAR (RFC 6298 §2) and the RTO derived
//! from them, plus the exponential backoff applied while the retransmission
//! timer keeps expiring (RFC 6298 §5.5). Everything is integer microseconds
//! with saturating arithmetic: no input or call order can overflow or
//! panic.
//!
//! # Karn's algorithm
//!
//! RFC 6298 §3: "RTT samples MUST NOT be made using segments that were
//! retransmitted", unless the timestamp option removes the ambiguity. The
//! estimator trusts every sample it is given; **the caller** enforces
//! Karn's rule, either by timing one segment with an [`RttSampler`] (which
//! drops its measurement on any retransmission) or by taking samples from
//! echoed timestamps (RFC 7323 §4), which stay valid across
//! retransmissions. Timestamp samples arrive on almost every ACK, so they
//! go through [`RttEstimator::on_sample_scaled`] with
//! [`expected_samples`] (RFC 7323 Appendix G) to keep the smoothing
//! history about one RTT long.
//!
//! # How the socket drives it
//!
//! * a valid sample (sampler or timestamps): `on_sample*` — this also
//!   collapses any backoff (RFC 6298 §5, note after (5.7));
//! * an ACK of new data after a timeout: [`RttEstimator::reset_backoff`]
//!   (RFC 9293 §3.8.1, RFC 8961 §4 (4));
//! * the retransmission timer expires: [`RttEstimator::on_timeout`], then
//!   re-arm the timer with [`RttEstimator::rto`];
//! * the handshake completes after a SYN timeout:
//!   [`RttEstimator::on_handshake_complete`] (RFC 6298 §5.7).
//!
//! # Defaults
//!
//! [`INITIAL_RTO`] is RFC 6298 §2.1's 1 s; [`MIN_RTO`] and [`MAX_RTO`] are
//! Linux's `TCP_RTO_MIN` (200 ms, `tcp_rto_min`) and `TCP_RTO_MAX` (120 s).
//! RFC 6298 §2.4 says the RTO SHOULD be rounded up to 1 s; like Linux (and
//! as RFC 8961 §4 permits, which sets no lower bound) ferrotcp uses 200 ms.

// Until the socket in `tcp/mod.rs` calls these (the integrator removes
// this allowance when it wires them in).

use crate::time::{Duration, Instant};
use crate::wire::tcp::TcpSeqNumber;

/// The RTO before any RTT sample (RFC 6298 §2.1: "the sender SHOULD set
/// RTO <- 1 second").
pub(crate) const INITIAL_RTO: Duration = Duration::from_secs(1);
/// The lower bound of the RTO: Linux's `tcp_rto_min` (`TCP_RTO_MIN`,
/// 200 ms). RFC 6298 §2.4 recommends 1 s; see the module documentation.
pub(crate) const MIN_RTO: Duration = Duration::from_millis(200);
/// The upper bound of the RTO: Linux's `TCP_RTO_MAX` (120 s). RFC 6298
/// §2.5: "A maximum value MAY be placed on RTO provided it is at least 60
/// seconds."
pub(crate) const MAX_RTO: Duration = Duration::from_secs(120);
/// The RTO used once data transfer begins after a SYN timed out (RFC 6298
/// §5.7: "the RTO MUST be re-initialized to 3 seconds").
pub(crate) const SYN_TIMEOUT_FALLBACK_RTO: Duration = Duration::from_secs(3);
/// G, the clock granularity (RFC 6298 §2): ferrotcp's clock counts
/// microseconds, but the variance term is floored at 1 ms like a
/// millisecond-tick stack so that a perfectly steady path still gets some
/// slack.
pub(crate) const CLOCK_GRANULARITY: Duration = Duration::from_millis(1);

/// 1/alpha (RFC 6298 §2.3: alpha = 1/8).
const ALPHA_INV: u64 = 8;
/// 1/beta (RFC 6298 §2.3: beta = 1/4).
const BETA_INV: u64 = 4;
/// K (RFC 6298 §2: K = 4).
const K: u64 = 4;

/// RFC 7323 Appendix G: `ExpectedSamples = ceiling(FlightSize / (SMSS *
/// 2))`, the number of RTT samples a window of data yields when every ACK
/// carries one (the 2 is for delayed ACKs). At least 1; `smss` 0 counts
/// as 1.
pub(crate) fn expected_samples(flight_size: usize, smss: usize) -> u32 {
    let per_sample = smss.max(1).saturating_mul(2);
    let n = flight_size.div_ceil(per_sample).max(1);
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The RTT estimator and retransmission timeout of one connection (RFC
/// 6298).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RttEstimator {
    /// SRTT, the smoothed round-trip time; `None` before the first sample.
    srtt: Option<Duration>,
    /// RTTVAR, the round-trip time variation.
    rttvar: Duration,
    /// The RTO from the last computation, already within
    /// `[min_rto, max_rto]`, before backoff.
    rto: Duration,
    /// How many times the timer has backed off since the last
    /// reset (RFC 6298 §5.5).
    backoff: u32,
    min_rto: Duration,
    max_rto: Duration,
}

impl Default for RttEstimator {
    /// Linux's defaults: initial 1 s, bounds 200 ms and 120 s.
    fn default() -> Self {
        RttEstimator::new(INITIAL_RTO, MIN_RTO, MAX_RTO)
    }
}

impl RttEstimator {
    /// An estimator with no sample yet, whose RTO is `initial_rto` (RFC
    /// 6298 §2.1). Every RTO it gives lies in `[min_rto, max_rto]`; if
    /// `max_rto < min_rto`, `max_rto` is raised to `min_rto`.
    ///
    /// Linux's values are [`INITIAL_RTO`] (1 s), [`MIN_RTO`] (200 ms) and
    /// [`MAX_RTO`] (120 s); [`RttEstimator::default`] uses them.
    pub(crate) fn new(initial_rto: Duration, min_rto: Duration, max_rto: Duration) -> Self {
        let max_rto = max_rto.max(min_rto);
        RttEstimator {
            srtt: None,
            rttvar: Duration::ZERO,
            rto: clamp(initial_rto, min_rto, max_rto),
            backoff: 0,
            min_rto,
            max_rto,
        }
    }

    /// Take one RTT measurement (RFC 6298 §2.2 for the first, §2.3 after),
    /// recompute the RTO and drop any backoff (RFC 6298 §5: "once a new
    /// RTT measurement is obtained ... the computations outlined in
    /// Section 2 are performed, including the computation of RTO, which
    /// may result in 'collapsing' RTO back down").
    ///
    /// The caller guarantees the sample obeys Karn's algorithm (RFC 6298
    /// §3): see the module documentation.
    pub(crate) fn on_sample(&mut self, rtt: Duration) {
        self.on_sample_scaled(rtt, 1);
    }

    /// Take one of several RTT measurements expected per window (RFC 7323
    /// Appendix G): alpha and beta are divided by `expected_samples`
    /// (see [`expected_samples`]; 0 counts as 1), so that a window's worth
    /// of samples moves SRTT and RTTVAR about as much as one sample per
    /// RTT would under RFC 6298.
    pub(crate) fn on_sample_scaled(&mut self, rtt: Duration, expected_samples: u32) {
        let r = u128::from(rtt.total_micros());
        let n = u128::from(expected_samples.max(1));
        match self.srtt {
            None => {
                // RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2.
                self.srtt = Some(rtt);
                self.rttvar = rtt.checked_div_or_zero(2);
            }
            Some(srtt) => {
                let s = u128::from(srtt.total_micros());
                let v = u128::from(self.rttvar.total_micros());
                // RFC 6298 §2.3: RTTVAR is updated first, with the old SRTT:
                // RTTVAR <- (1 - beta') * RTTVAR + beta' * |SRTT - R'|.
                let beta_den = u128::from(BETA_INV) * n;
                let rttvar = ((beta_den - 1) * v + s.abs_diff(r)) / beta_den;
                // SRTT <- (1 - alpha') * SRTT + alpha' * R'.
                let alpha_den = u128::from(ALPHA_INV) * n;
                let srtt = ((alpha_den - 1) * s + r) / alpha_den;
                // Both are weighted means of u64 values, so they fit.
                self.rttvar = Duration::from_micros(u64::try_from(rttvar).unwrap_or(u64::MAX));
                self.srtt = Some(Duration::from_micros(
                    u64::try_from(srtt).unwrap_or(u64::MAX),
                ));
            }
        }
        self.update_rto();
        // RFC 6298 §5 (note after (5.7)): a new measurement collapses the
        // backed-off RTO.
        self.backoff = 0;
    }

    /// RFC 6298 §2.2/§2.3: RTO <- SRTT + max(G, K*RTTVAR), then §2.4/§2.5:
    /// bounded below by `min_rto` and above by `max_rto`.
    fn update_rto(&mut self) {
        let srtt = self.srtt.unwrap_or(Duration::ZERO);
        let variance = self.rttvar.saturating_mul(K).max(CLOCK_GRANULARITY);
        self.rto = clamp(srtt + variance, self.min_rto, self.max_rto);
    }

    /// The retransmission timeout to arm the timer with: the computed RTO
    /// doubled once per backoff (RFC 6298 §5.5), never above `max_rto`
    /// (RFC 6298 §2.5 bounds the doubling).
    pub(crate) fn rto(&self) -> Duration {
        let factor = 2u64.saturating_pow(self.backoff);
        self.rto.saturating_mul(factor).min(self.max_rto)
    }

    /// The retransmission timer expired: back off (RFC 6298 §5.5: "The
    /// host MUST set RTO <- RTO * 2"; RFC 8961 §4 (4): each time the RTO
    /// detects a loss it MUST be exponentially backed off). The count keeps
    /// rising (saturating) after the RTO reaches `max_rto`, so the caller
    /// can use [`RttEstimator::backoff_count`] to give up (RFC 9293
    /// §3.8.3, R2).
    pub(crate) fn on_timeout(&mut self) {
        self.backoff = self.backoff.saturating_add(1);
    }

    /// An ACK acknowledged new data: drop the backoff and use the computed
    /// RTO again. RFC 9293 §3.8.1 keeps "the backed-off value until a
    /// subsequent segment with new data has been sent and acknowledged";
    /// RFC 8961 §4 (4): the backoff "SHOULD be removed after ... the
    /// subsequent successful transmission of non-retransmitted data".
    pub(crate) fn reset_backoff(&mut self) {
        self.backoff = 0;
    }

    /// The three-way handshake completed. If the SYN (or SYN-ACK) timer
    /// expired during it and the RTO in use is below 3 s, re-initialise the
    /// RTO to 3 s for the data transfer (RFC 6298 §5.7: "the RTO MUST be
    /// re-initialized to 3 seconds when data transmission begins"). The
    /// handshake's backoff is dropped either way: its segments were
    /// acknowledged.
    pub(crate) fn on_handshake_complete(&mut self, syn_timed_out: bool) {
        if syn_timed_out && self.rto < SYN_TIMEOUT_FALLBACK_RTO {
            self.rto = clamp(SYN_TIMEOUT_FALLBACK_RTO, self.min_rto, self.max_rto);
        }
        self.backoff = 0;
    }

    /// New bounds (`tcp_rto_min_us`, `tcp_rto_max_ms`); the RTO in use is
    /// recomputed within them. `max_rto` below `min_rto` is raised to it.
    pub(crate) fn set_bounds(&mut self, min_rto: Duration, max_rto: Duration) {
        self.min_rto = min_rto;
        self.max_rto = max_rto.max(min_rto);
        if self.srtt.is_some() {
            self.update_rto();
        } else {
            self.rto = clamp(self.rto, self.min_rto, self.max_rto);
        }
    }

    /// SRTT, or `None` before the first sample.
    pub(crate) fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// RTTVAR (zero before the first sample).
    pub(crate) fn rttvar(&self) -> Duration {
        self.rttvar
    }

    /// How many times the timer has backed off since the last sample,
    /// reset or completed handshake.
    #[cfg(test)]
    pub(crate) fn backoff_count(&self) -> u32 {
        self.backoff
    }

    /// The lower bound of the RTO.
    #[cfg(test)]
    pub(crate) fn min_rto(&self) -> Duration {
        self.min_rto
    }

    /// The upper bound of the RTO.
    #[cfg(test)]
    pub(crate) fn max_rto(&self) -> Duration {
        self.max_rto
    }
}

/// `value` within `[min, max]`; `min <= max` is the caller's invariant
/// (checked in [`RttEstimator::new`]), and if it were broken this still
/// returns without panicking, unlike `Ord::clamp`.
fn clamp(value: Duration, min: Duration, max: Duration) -> Duration {
    value.max(min).min(max)
}

/// Times one segment at a time for RTT samples while honouring Karn's
/// algorithm (RFC 6298 §3: "RTT samples MUST NOT be made using segments
/// that were retransmitted").
///
/// The socket calls [`RttSampler::on_send`] for every segment carrying new
/// sequence space (data, SYN or FIN) — the first one sent while nothing
/// is being timed starts a measurement — [`RttSampler::on_retransmit`]
/// whenever it retransmits anything, and [`RttSampler::on_ack`] for each
/// acceptable ACK; a returned duration goes to
/// [`RttEstimator::on_sample`]. This is the classic one-sample-per-RTT
/// scheme RFC 6298 §3 describes ("at least one RTT measurement per RTT").
///
/// Any retransmission discards the measurement, not only one of the timed
/// segment: a cumulative ACK covering the timed segment may have been held
/// back until a retransmitted earlier hole was filled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RttSampler {
    /// The sequence number just past the timed segment, and when it was
    /// sent.
    timing: Option<(TcpSeqNumber, Instant)>,
}

impl RttSampler {
    /// A sampler timing nothing.
    pub(crate) const fn new() -> Self {
        RttSampler { timing: None }
    }

    /// A segment of `len` octets of new sequence space (SYN and FIN count
    /// one each) starting at `seq` was sent for the first time at `now`.
    /// Starts timing it when nothing is being timed; a zero-length segment
    /// (a pure ACK) is never timed, as no ACK can be said to cover it.
    /// Retransmissions must go to [`RttSampler::on_retransmit`] instead.
    pub(crate) fn on_send(&mut self, now: Instant, seq: TcpSeqNumber, len: usize) {
        if self.timing.is_none() && len > 0 {
            self.timing = Some((seq + len, now));
        }
    }

    /// Something was retransmitted: any measurement in progress is
    /// ambiguous and discarded (RFC 6298 §3, Karn's algorithm).
    pub(crate) fn on_retransmit(&mut self) {
        self.timing = None;
    }

    /// An acceptable ACK with cumulative acknowledgment `ack` arrived at
    /// `now`. If it covers the whole timed segment, yield the elapsed time
    /// as an RTT sample and stop timing; otherwise keep waiting.
    pub(crate) fn on_ack(&mut self, now: Instant, ack: TcpSeqNumber) -> Option<Duration> {
        let (end, sent_at) = self.timing?;
        if ack.ge(end) {
            self.timing = None;
            Some(now.saturating_duration_since(sent_at))
        } else {
            None
        }
    }

    /// Whether a segment is being timed.
    #[cfg(test)]
    pub(crate) fn is_timing(&self) -> bool {
        self.timing.is_some()
    }

    /// Stop timing without a sample (connection reset, state change).
    #[cfg(test)]
    pub(crate) fn clear(&mut self) {
        self.timing = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn us(v: u64) -> Duration {
        Duration::from_micros(v)
    }

    #[test]
    fn rfc6298_2_1_initial_rto_before_any_sample() {
        let e = RttEstimator::default();
        assert_eq!(e.rto(), Duration::from_secs(1));
        assert_eq!(e.srtt(), None);
        assert_eq!(e.rttvar(), Duration::ZERO);
        assert_eq!(e.backoff_count(), 0);
        assert_eq!(
            (e.min_rto(), e.max_rto()),
            (ms(200), Duration::from_secs(120))
        );
    }

    #[test]
    fn rfc6298_2_2_first_sample() {
        // (first sample R, expected SRTT, RTTVAR, RTO) with bounds 200 ms..120 s.
        let cases = [
            // RTO = 100 + 4*50 = 300 ms.
            (ms(100), ms(100), ms(50), ms(300)),
            // RTO = 30 + 4*15 = 90 ms -> raised to the 200 ms minimum.
            (ms(30), ms(30), ms(15), ms(200)),
            // RTO = 1 + 2 = 3 s.
            (ms(1_000), ms(1_000), ms(500), ms(3_000)),
            // RTO = 50 s + 100 s -> capped at 120 s.
            (
                Duration::from_secs(50),
                Duration::from_secs(50),
                Duration::from_secs(25),
                Duration::from_secs(120),
            ),
            // Odd microseconds: RTTVAR = R/2 truncated.
            (us(333), us(333), us(166), ms(200)),
        ];
        for (r, srtt, rttvar, rto) in cases {
            let mut e = RttEstimator::default();
            e.on_sample(r);
            assert_eq!(e.srtt(), Some(srtt), "R={r}");
            assert_eq!(e.rttvar(), rttvar, "R={r}");
            assert_eq!(e.rto(), rto, "R={r}");
        }
    }

    #[test]
    fn rfc6298_2_3_subsequent_samples_alpha_eighth_beta_quarter() {
        // Samples 100, 200, 100 ms with a 1 ms minimum so nothing clamps.
        // After 100: SRTT 100, RTTVAR 50, RTO 300.
        // After 200: RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5;
        //            SRTT = 7/8*100 + 1/8*200 = 112.5; RTO = 112.5 + 250 = 362.5.
        // After 100: RTTVAR = 3/4*62.5 + 1/4*|112.5-100| = 50;
        //            SRTT = 7/8*112.5 + 1/8*100 = 110.9375; RTO = 310.9375.
        let mut e = RttEstimator::new(Duration::from_secs(1), ms(1), Duration::from_secs(60));
        let steps = [
            (ms(100), us(100_000), us(50_000), us(300_000)),
            (ms(200), us(112_500), us(62_500), us(362_500)),
            (ms(100), us(110_937), us(50_000), us(310_937)),
        ];
        for (r, srtt, rttvar, rto) in steps {
            e.on_sample(r);
            assert_eq!(e.srtt(), Some(srtt));
            assert_eq!(e.rttvar(), rttvar);
            assert_eq!(e.rto(), rto);
        }
    }

    #[test]
    fn rfc6298_2_3_clock_granularity_floors_variance() {
        // A perfectly steady path: RTTVAR decays to zero and G = 1 ms
        // remains (RTO = SRTT + max(G, K*RTTVAR)).
        let mut e = RttEstimator::new(
            Duration::from_secs(1),
            Duration::ZERO,
            Duration::from_secs(60),
        );
        for _ in 0..200 {
            e.on_sample(ms(10));
        }
        assert_eq!(e.srtt(), Some(ms(10)));
        assert_eq!(e.rttvar(), Duration::ZERO);
        assert_eq!(e.rto(), ms(11));
    }

    #[test]
    fn rfc6298_2_4_and_2_5_rto_is_clamped() {
        // (min, max, sample, expected RTO)
        let cases = [
            (ms(200), Duration::from_secs(120), ms(1), ms(200)),
            (
                Duration::from_secs(1),
                Duration::from_secs(60),
                ms(100),
                Duration::from_secs(1),
            ),
            (
                ms(200),
                Duration::from_secs(60),
                Duration::from_secs(40),
                Duration::from_secs(60),
            ),
            (ms(200), Duration::from_secs(120), ms(500), ms(1_500)),
        ];
        for (min, max, r, rto) in cases {
            let mut e = RttEstimator::new(INITIAL_RTO, min, max);
            e.on_sample(r);
            assert_eq!(e.rto(), rto, "min={min} max={max} R={r}");
        }
    }

    #[test]
    fn initial_rto_is_clamped_and_inverted_bounds_are_repaired() {
        let e = RttEstimator::new(ms(10), ms(200), Duration::from_secs(120));
        assert_eq!(e.rto(), ms(200));
        let e = RttEstimator::new(Duration::from_secs(500), ms(200), Duration::from_secs(120));
        assert_eq!(e.rto(), Duration::from_secs(120));
        // max < min: max is raised to min, nothing panics.
        let mut e = RttEstimator::new(Duration::from_secs(1), ms(500), ms(100));
        assert_eq!(e.max_rto(), ms(500));
        assert_eq!(e.rto(), ms(500));
        e.on_sample(ms(1));
        assert_eq!(e.rto(), ms(500));
    }

    #[test]
    fn rfc6298_5_5_backoff_doubles_up_to_max() {
        let mut e = RttEstimator::default();
        e.on_sample(ms(100)); // RTO 300 ms
        let expected = [
            600, 1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 76_800, 120_000, 120_000,
        ];
        for (i, want) in expected.iter().enumerate() {
            e.on_timeout();
            assert_eq!(e.backoff_count(), i as u32 + 1);
            assert_eq!(e.rto(), ms(*want), "after {} timeouts", i + 1);
        }
    }

    #[test]
    fn rfc9293_3_8_1_backoff_kept_until_new_data_acked() {
        let mut e = RttEstimator::default();
        e.on_sample(ms(100));
        e.on_timeout();
        e.on_timeout();
        assert_eq!(e.rto(), ms(1_200));
        // The base RTO is unchanged by backoff; resetting restores it.
        e.reset_backoff();
        assert_eq!(e.backoff_count(), 0);
        assert_eq!(e.rto(), ms(300));
    }

    #[test]
    fn rfc6298_5_note_new_sample_collapses_backoff() {
        let mut e = RttEstimator::default();
        e.on_sample(ms(100));
        for _ in 0..5 {
            e.on_timeout();
        }
        assert_eq!(e.rto(), ms(9_600));
        e.on_sample(ms(100));
        assert_eq!(e.backoff_count(), 0);
        // RTTVAR = 3/4*50 + 0 = 37.5; RTO = 100 + 150 = 250 ms.
        assert_eq!(e.rto(), ms(250));
    }

    #[test]
    fn rfc6298_5_7_syn_timeout_reinitialises_rto_to_3s() {
        // (syn timed out, sample before completion, expected RTO)
        let cases = [
            (true, None, Duration::from_secs(3)),
            (false, None, Duration::from_secs(1)),
            // A timestamp sample during the handshake gave 300 ms: still
            // below 3 s, so re-initialised.
            (true, Some(ms(100)), Duration::from_secs(3)),
            (false, Some(ms(100)), ms(300)),
            // Already above 3 s: kept.
            (true, Some(Duration::from_secs(2)), Duration::from_secs(6)),
        ];
        for (timed_out, sample, want) in cases {
            let mut e = RttEstimator::default();
            if let Some(r) = sample {
                e.on_sample(r);
            }
            if timed_out {
                e.on_timeout();
            }
            e.on_handshake_complete(timed_out);
            assert_eq!(e.backoff_count(), 0);
            assert_eq!(e.rto(), want, "timed_out={timed_out} sample={sample:?}");
        }
        // The 3 s respects a smaller maximum.
        let mut e = RttEstimator::new(ms(500), ms(100), Duration::from_secs(2));
        e.on_timeout();
        e.on_handshake_complete(true);
        assert_eq!(e.rto(), Duration::from_secs(2));
    }

    #[test]
    fn rfc7323_appendix_g_expected_samples() {
        // (FlightSize, SMSS, ExpectedSamples = ceil(FlightSize / (2*SMSS)), at least 1)
        let cases = [
            (0, 1460, 1),
            (1, 1460, 1),
            (2920, 1460, 1),
            (2921, 1460, 2),
            (14_600, 1460, 5),
            (146_000, 1460, 50),
            (100, 0, 50),
            (usize::MAX, 1, u32::MAX),
        ];
        for (flight, smss, n) in cases {
            assert_eq!(
                expected_samples(flight, smss),
                n,
                "flight={flight} smss={smss}"
            );
        }
    }

    #[test]
    fn rfc7323_appendix_g_scaled_gains() {
        // With ExpectedSamples = 4: alpha' = 1/32, beta' = 1/16.
        // From SRTT 100, RTTVAR 50, sample 200:
        // RTTVAR = 15/16*50 + 1/16*100 = 53.125; SRTT = 31/32*100 + 1/32*200 = 103.125.
        let mut e = RttEstimator::new(INITIAL_RTO, ms(1), Duration::from_secs(60));
        e.on_sample(ms(100));
        e.on_sample_scaled(ms(200), 4);
        assert_eq!(e.rttvar(), us(53_125));
        assert_eq!(e.srtt(), Some(us(103_125)));
        assert_eq!(e.rto(), us(103_125 + 4 * 53_125));
        // 0 is treated as 1 (the plain RFC 6298 gains).
        let mut a = RttEstimator::default();
        let mut b = RttEstimator::default();
        for r in [ms(100), ms(300), ms(50)] {
            a.on_sample_scaled(r, 0);
            b.on_sample(r);
        }
        assert_eq!(a, b);
        // The first sample is never scaled (RFC 6298 §2.2 applies as is).
        let mut e = RttEstimator::default();
        e.on_sample_scaled(ms(80), 1_000);
        assert_eq!((e.srtt(), e.rttvar()), (Some(ms(80)), ms(40)));
    }

    #[test]
    fn saturates_at_extremes() {
        let mut e = RttEstimator::new(Duration::MAX, Duration::ZERO, Duration::MAX);
        assert_eq!(e.rto(), Duration::MAX);
        e.on_sample(Duration::MAX);
        assert_eq!(e.srtt(), Some(Duration::MAX));
        assert_eq!(e.rto(), Duration::MAX);
        e.on_sample(Duration::ZERO);
        e.on_sample_scaled(Duration::MAX, u32::MAX);
        for _ in 0..100 {
            e.on_timeout();
        }
        assert_eq!(e.rto(), Duration::MAX);
        // The backoff counter itself saturates.
        let mut e = RttEstimator {
            backoff: u32::MAX - 1,
            ..RttEstimator::default()
        };
        e.on_timeout();
        e.on_timeout();
        assert_eq!(e.backoff_count(), u32::MAX);
        assert_eq!(e.rto(), MAX_RTO);
        // A zero RTT (sub-microsecond loopback) gives the floor.
        let mut e = RttEstimator::default();
        e.on_sample(Duration::ZERO);
        assert_eq!(e.rto(), MIN_RTO);
    }

    #[test]
    fn rfc6298_3_karn_sampler_times_one_segment() {
        let t0 = Instant::from_millis(1_000);
        let mut s = RttSampler::new();
        // A pure ACK is not timed.
        s.on_send(t0, TcpSeqNumber(100), 0);
        assert!(!s.is_timing());
        s.on_send(t0, TcpSeqNumber(100), 500); // timed: covers 100..600
        s.on_send(t0 + ms(5), TcpSeqNumber(600), 500); // not timed, one at a time
        // An ACK short of the segment's end yields nothing.
        assert_eq!(s.on_ack(t0 + ms(30), TcpSeqNumber(599)), None);
        assert!(s.is_timing());
        // Covering it yields the time since the timed segment was sent.
        assert_eq!(s.on_ack(t0 + ms(40), TcpSeqNumber(600)), Some(ms(40)));
        assert!(!s.is_timing());
        assert_eq!(s.on_ack(t0 + ms(50), TcpSeqNumber(1_100)), None);
    }

    #[test]
    fn rfc6298_3_karn_retransmission_discards_sample() {
        let t0 = Instant::from_millis(0);
        let mut s = RttSampler::new();
        s.on_send(t0, TcpSeqNumber(1), 100);
        s.on_retransmit();
        assert!(!s.is_timing());
        assert_eq!(s.on_ack(t0 + ms(500), TcpSeqNumber(101)), None);
        // The next new segment is timed again.
        s.on_send(t0 + ms(600), TcpSeqNumber(101), 100);
        assert_eq!(s.on_ack(t0 + ms(650), TcpSeqNumber(201)), Some(ms(50)));
        s.on_send(t0, TcpSeqNumber(201), 1);
        s.clear();
        assert!(!s.is_timing());
    }

    #[test]
    fn sampler_wraps_sequence_space_and_clock_going_backwards() {
        let t0 = Instant::from_millis(10);
        let mut s = RttSampler::new();
        // A segment crossing 2^32: end = 0xFFFF_FF00 + 0x200 wraps to 0x100.
        s.on_send(t0, TcpSeqNumber(0xFFFF_FF00), 0x200);
        assert_eq!(s.on_ack(t0 + ms(1), TcpSeqNumber(0xFFFF_FFFF)), None);
        assert_eq!(s.on_ack(t0 + ms(2), TcpSeqNumber(0x100)), Some(ms(2)));
        // A clock earlier than the send time gives zero, not a panic.
        s.on_send(t0, TcpSeqNumber(5), 1);
        assert_eq!(
            s.on_ack(Instant::ZERO, TcpSeqNumber(6)),
            Some(Duration::ZERO)
        );
    }

    #[derive(Debug, Clone)]
    enum Event {
        Sample(u64),
        Scaled(u64, u32),
        Timeout,
        Reset,
        Handshake(bool),
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            any::<u64>().prop_map(Event::Sample),
            (0u64..10_000_000).prop_map(Event::Sample),
            (any::<u64>(), any::<u32>()).prop_map(|(r, n)| Event::Scaled(r, n)),
            Just(Event::Timeout),
            Just(Event::Reset),
            any::<bool>().prop_map(Event::Handshake),
        ]
    }

    proptest! {
        #[test]
        fn rto_always_within_bounds(
            initial in any::<u64>(),
            min in any::<u64>(),
            max in any::<u64>(),
            events in proptest::collection::vec(event(), 0..64),
        ) {
            let mut e = RttEstimator::new(us(initial), us(min), us(max));
            let (lo, hi) = (e.min_rto(), e.max_rto());
            prop_assert!(lo <= hi);
            for ev in events {
                let before = e.rto();
                match ev {
                    Event::Sample(r) => e.on_sample(us(r)),
                    Event::Scaled(r, n) => e.on_sample_scaled(us(r), n),
                    Event::Timeout => {
                        e.on_timeout();
                        // Backoff never shortens the timer.
                        prop_assert!(e.rto() >= before);
                    }
                    Event::Reset => e.reset_backoff(),
                    Event::Handshake(t) => e.on_handshake_complete(t),
                }
                prop_assert!(lo <= e.rto() && e.rto() <= hi);
            }
        }

        #[test]
        fn rto_covers_srtt_plus_granularity(samples in proptest::collection::vec(0u64..100_000_000, 1..32)) {
            // Unbounded estimator: RTO >= SRTT + G and >= SRTT + 4*RTTVAR.
            let mut e = RttEstimator::new(INITIAL_RTO, Duration::ZERO, Duration::MAX);
            for r in samples {
                e.on_sample(us(r));
                let srtt = e.srtt().unwrap_or(Duration::ZERO);
                prop_assert!(e.rto() >= srtt + CLOCK_GRANULARITY);
                prop_assert!(e.rto() >= srtt + e.rttvar().saturating_mul(4));
            }
        }

        #[test]
        fn srtt_stays_between_sample_extremes(samples in proptest::collection::vec(1u64..10_000_000, 1..32), n in 1u32..64) {
            // A weighted mean never leaves the range of what it averages.
            let mut e = RttEstimator::default();
            let lo = samples.iter().copied().min().unwrap_or(0);
            let hi = samples.iter().copied().max().unwrap_or(0);
            for r in samples {
                e.on_sample_scaled(us(r), n);
            }
            let srtt = e.srtt().unwrap_or(Duration::ZERO).total_micros();
            // Integer truncation may land at most 1 us below the minimum.
            prop_assert!(srtt + 1 >= lo && srtt <= hi);
        }
    }
}
