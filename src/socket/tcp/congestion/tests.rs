//! Tests for congestion control, through the [`Congestion`] enum the
//! socket uses.

use super::*;
use proptest::prelude::*;

const T0: Instant = Instant::ZERO;

fn seq(v: u32) -> TcpSeqNumber {
    TcpSeqNumber(v)
}

/// A controller in congestion avoidance with cwnd = ssthresh = `cwnd`,
/// reached the way a connection would: fast retransmit with 2*cwnd in
/// flight, then a full ACK with plenty still outstanding.
fn in_congestion_avoidance(mss: usize, cwnd: usize) -> Congestion {
    let mut c = Congestion::new(mss, initial_window(mss));
    assert!(c.on_fast_retransmit(T0, cwnd * 2, seq(1), seq(1 + 2 * cwnd as u32)));
    c.on_full_ack(usize::MAX / 4);
    assert_eq!((c.cwnd(), c.ssthresh()), (cwnd, cwnd));
    assert!(!c.in_recovery());
    c
}

/// One round trip of a window-limited sender: the whole cwnd is in
/// flight, and it is acknowledged `per_ack` bytes at a time, the sender
/// refilling the window after each ACK.
fn one_round(c: &mut Congestion, per_ack: usize) {
    let window = c.cwnd();
    let mut acked = 0;
    while acked < window {
        let n = per_ack.min(window - acked);
        let flight = c.cwnd();
        c.on_ack(T0, n, flight);
        acked += n;
    }
}

#[test]
fn rfc6928_2_initial_window_table() {
    // IW = min(10*MSS, max(2*MSS, 14600)).
    let cases = [
        (536, 5_360),
        (1_095, 10_950),
        (1_460, 14_600),
        (2_000, 14_600),
        (7_300, 14_600),
        (8_960, 17_920),
        (65_495, 130_990),
        (1, 10),
        (0, 0),
        (usize::MAX, usize::MAX),
    ];
    for (mss, iw) in cases {
        assert_eq!(initial_window(mss), iw, "MSS {mss}");
        assert_eq!(super::initial_window(mss), iw, "MSS {mss}");
    }
}

#[test]
fn rfc5681_3_1_initial_state() {
    let c = Congestion::new(1_460, initial_window(1_460));
    assert_eq!(c.cwnd(), 14_600);
    // "The initial value of ssthresh SHOULD be set arbitrarily high".
    assert_eq!(c.ssthresh(), usize::MAX);
    assert!(!c.in_recovery());
    assert_eq!(c.recover(), None);
    // An IW below one segment (or zero) is raised to one SMSS; MSS 0 is 1.
    assert_eq!(Congestion::new(1_000, 0).cwnd(), 1_000);
    let c = Congestion::new(0, 0);
    assert_eq!((c.smss(), c.cwnd()), (1, 1));
}

#[test]
fn rfc5681_3_1_slow_start_doubles_per_rtt() {
    // (ACK every segment, ACK every other segment): both double per RTT
    // with L = 2 (RFC 3465 §2.2).
    for per_ack in [1_000, 2_000] {
        let mut c = Congestion::new(1_000, 10_000);
        let mut expected = 10_000;
        for round in 0..6 {
            one_round(&mut c, per_ack);
            expected *= 2;
            assert_eq!(c.cwnd(), expected, "per_ack {per_ack} round {round}");
        }
    }
}

#[test]
fn rfc3465_2_2_slow_start_byte_counting_limit() {
    // (bytes acknowledged by one ACK, cwnd increase) with SMSS 1000: at
    // most L*SMSS = 2000 per ACK.
    let cases = [
        (1, 1),
        (500, 500),
        (1_000, 1_000),
        (2_000, 2_000),
        (3_000, 2_000),
        (1_000_000, 2_000),
    ];
    for (acked, grow) in cases {
        let mut c = Congestion::new(1_000, 10_000);
        c.on_ack(T0, acked, 10_000);
        assert_eq!(c.cwnd(), 10_000 + grow, "acked {acked}");
    }
}

#[test]
fn rfc5681_3_1_slow_start_stops_at_ssthresh() {
    let mut c = Congestion::new(1_000, 10_000);
    // RTO with 30000 in flight: ssthresh 15000, cwnd 1000.
    c.on_rto(30_000, seq(30_001));
    assert_eq!((c.cwnd(), c.ssthresh()), (1_000, 15_000));
    while c.cwnd() + 2_000 <= 15_000 {
        let w = c.cwnd();
        c.on_ack(T0, 2_000, w);
    }
    assert_eq!(c.cwnd(), 15_000);
    // In congestion avoidance now: ACKs worth less than a window do not
    // grow cwnd.
    c.on_ack(T0, 2_000, 15_000);
    assert_eq!(c.cwnd(), 15_000);

    // Crossing ssthresh mid-ACK: cwnd stops at ssthresh, the rest counts
    // towards congestion avoidance.
    let mut c = Congestion::new(1_000, 10_000);
    c.on_rto(30_000, seq(30_001));
    c.on_ack(T0, 1_000, 1_000);
    for _ in 0..6 {
        let w = c.cwnd();
        c.on_ack(T0, 2_000, w);
    }
    assert_eq!(c.cwnd(), 14_000);
    c.on_ack(T0, 2_000, 14_000);
    assert_eq!(c.cwnd(), 15_000);
    // 1000 bytes were carried over: 14000 more complete the window.
    let mut without_carry = in_congestion_avoidance(1_000, 15_000);
    without_carry.on_ack(T0, 14_000, 15_000);
    assert_eq!(without_carry.cwnd(), 15_000);
    c.on_ack(T0, 14_000, 15_000);
    assert_eq!(c.cwnd(), 16_000);
}

#[test]
fn rfc5681_3_1_congestion_avoidance_one_smss_per_rtt() {
    // (SMSS, cwnd at ssthresh, bytes per ACK)
    let cases = [
        (1_000, 10_000, 1_000),
        (1_000, 10_000, 2_000),
        (1_460, 29_200, 1_460),
        (536, 5_360, 1_072),
    ];
    for (mss, start, per_ack) in cases {
        let mut c = in_congestion_avoidance(mss, start);
        for round in 1..=10 {
            one_round(&mut c, per_ack);
            assert_eq!(
                c.cwnd(),
                start + round * mss,
                "mss {mss} per_ack {per_ack} round {round}"
            );
        }
    }
}

#[test]
fn rfc3465_2_1_stretch_ack_carry_is_bounded() {
    // One ACK for several windows grows cwnd by one SMSS only.
    let mut c = in_congestion_avoidance(1_000, 10_000);
    c.on_ack(T0, 100_000, 10_000);
    assert_eq!(c.cwnd(), 11_000);
    // The carried-over bytes are capped below one window: they complete
    // at most one more increment, not ten.
    c.on_ack(T0, 1_000, 11_000);
    assert_eq!(c.cwnd(), 12_000);
    c.on_ack(T0, 1_000, 12_000);
    assert_eq!(c.cwnd(), 12_000);
}

#[test]
fn rfc7661_no_growth_when_rate_limited() {
    // (in flight before the ACK, grows?) with cwnd 14600.
    let cases = [
        (0, false),
        (1_460, false),
        (7_299, false),
        (7_300, true),
        (14_600, true),
    ];
    for (flight, grows) in cases {
        let mut c = Congestion::new(1_460, 14_600);
        c.on_ack(T0, 1_460, flight);
        assert_eq!(c.cwnd() > 14_600, grows, "flight {flight}");
    }
    // Nothing acknowledged: nothing changes.
    let mut c = Congestion::new(1_460, 14_600);
    c.on_ack(T0, 0, 14_600);
    assert_eq!(c.cwnd(), 14_600);
}

#[test]
fn rfc5681_3_2_fast_retransmit_window() {
    // (FlightSize, SMSS, ssthresh = max(FlightSize/2, 2*SMSS), cwnd = ssthresh + 3*SMSS)
    let cases = [
        (20_000, 1_000, 10_000, 13_000),
        (3_000, 1_000, 2_000, 5_000),
        (4_001, 1_000, 2_000, 5_000),
        (0, 1_460, 2_920, 7_300),
        (146_000, 1_460, 73_000, 77_380),
    ];
    for (flight, mss, ssthresh, cwnd) in cases {
        let mut c = Congestion::new(mss, initial_window(mss));
        assert!(c.on_fast_retransmit(T0, flight, seq(100), seq(5_000)));
        assert!(c.in_recovery());
        assert_eq!(c.ssthresh(), ssthresh, "flight {flight} mss {mss}");
        assert_eq!(c.cwnd(), cwnd, "flight {flight} mss {mss}");
        // recover is the highest sequence number transmitted.
        assert_eq!(c.recover(), Some(seq(4_999)));
    }
}

#[test]
fn rfc6582_3_2_recovery_with_partial_and_full_acks() {
    // SMSS 1000, ten segments 1000..11000 outstanding, the first lost.
    let mut c = Congestion::new(1_000, 10_000);
    assert!(c.on_fast_retransmit(T0, 10_000, seq(1_000), seq(11_000)));
    assert_eq!((c.ssthresh(), c.cwnd()), (5_000, 8_000));
    assert_eq!(c.recover(), Some(seq(10_999)));
    // A fourth dup ACK while in recovery does not re-enter.
    assert!(!c.on_fast_retransmit(T0, 10_000, seq(1_000), seq(11_000)));
    // Three more duplicates: inflate by SMSS each (RFC 5681 §3.2 step 4).
    for want in [9_000, 10_000, 11_000] {
        c.on_dup_ack_in_recovery();
        assert_eq!(c.cwnd(), want);
    }
    // (cumulative ACK, bytes newly acknowledged, in flight after, cwnd after, in recovery after)
    let steps = [
        // Partial: deflate by 2000, add back SMSS.
        (3_000, 2_000, 8_000, 10_000, true),
        // Partial of less than one SMSS: deflate only.
        (3_500, 500, 7_500, 9_500, true),
        // Exactly one SMSS: deflate and add back (no change).
        (4_500, 1_000, 6_500, 9_500, true),
        // Partial one short of recover.
        (10_999, 6_499, 1, 4_001, true),
        // Full ACK: min(ssthresh, max(FlightSize, SMSS) + SMSS) = min(5000, 2000).
        (11_000, 1, 0, 2_000, false),
    ];
    for (ack, acked, flight_after, cwnd, recovering) in steps {
        if c.is_full_ack(seq(ack)) {
            c.on_full_ack(flight_after);
        } else {
            c.on_partial_ack(acked);
        }
        assert_eq!(c.cwnd(), cwnd, "ack {ack}");
        assert_eq!(c.in_recovery(), recovering, "ack {ack}");
    }
    assert_eq!(c.ssthresh(), 5_000);
}

#[test]
fn rfc6582_3_2_full_ack_option_1_table() {
    // (FlightSize after the full ACK, cwnd after) with ssthresh 5000, SMSS 1000.
    let cases = [
        (0, 2_000),
        (500, 2_000),
        (1_000, 2_000),
        (3_000, 4_000),
        (4_000, 5_000),
        (50_000, 5_000),
    ];
    for (flight, cwnd) in cases {
        let mut c = Congestion::new(1_000, 10_000);
        assert!(c.on_fast_retransmit(T0, 10_000, seq(1_000), seq(11_000)));
        c.on_full_ack(flight);
        assert_eq!(c.cwnd(), cwnd, "flight {flight}");
        assert!(!c.in_recovery());
    }
}

#[test]
fn rfc6582_3_2_full_ack_boundary() {
    let mut c = Congestion::new(1_000, 10_000);
    // Before any loss, recover stands for the ISS: everything is "full".
    assert!(c.is_full_ack(seq(0)));
    assert!(c.on_fast_retransmit(T0, 10_000, seq(1_000), seq(11_000)));
    // recover = 10999: the ACK must acknowledge octet 10999 itself.
    let cases = [
        (1_001, false),
        (10_998, false),
        (10_999, false),
        (11_000, true),
        (20_000, true),
    ];
    for (ack, full) in cases {
        assert_eq!(c.is_full_ack(seq(ack)), full, "ack {ack}");
    }
}

#[test]
fn rfc6582_3_2_no_fast_retransmit_for_acks_not_covering_recover() {
    // After a timeout, recover = highest sequence sent; duplicate ACKs for
    // data sent before it must not trigger another reduction.
    let mut c = Congestion::new(1_000, 10_000);
    c.on_rto(10_000, seq(11_000));
    assert_eq!(c.recover(), Some(seq(10_999)));
    let (cwnd, ssthresh) = (c.cwnd(), c.ssthresh());
    // (cumulative ACK of the third dup ACK, enters fast retransmit?)
    let cases = [
        (1_000, false),
        (5_000, false),
        (10_999, false),
        (11_000, true),
    ];
    for (ack, enters) in cases {
        let mut c2 = c.clone();
        assert_eq!(
            c2.on_fast_retransmit(T0, 8_000, seq(ack), seq(20_000)),
            enters,
            "ack {ack}"
        );
        if !enters {
            assert_eq!((c2.cwnd(), c2.ssthresh()), (cwnd, ssthresh), "ack {ack}");
            assert!(!c2.in_recovery());
        }
    }
    // Same after a completed recovery: dup ACKs for data sent before
    // recover (ack <= recover) do not re-enter.
    let mut c = Congestion::new(1_000, 10_000);
    assert!(c.on_fast_retransmit(T0, 10_000, seq(1_000), seq(11_000)));
    c.on_full_ack(0);
    assert!(!c.on_fast_retransmit(T0, 10_000, seq(10_000), seq(30_000)));
    assert!(c.on_fast_retransmit(T0, 10_000, seq(11_000), seq(30_000)));
}

#[test]
fn rfc6582_recover_across_the_sequence_wrap() {
    // recover near 2^32, acknowledgments past the wrap still cover it.
    let mut c = Congestion::new(1_000, 10_000);
    c.on_rto(10_000, seq(0xFFFF_FF00));
    assert!(!c.on_fast_retransmit(T0, 5_000, seq(0xFFFF_F000), seq(0x100)));
    assert!(c.on_fast_retransmit(T0, 5_000, seq(0x10), seq(0x100)));
    assert_eq!(c.recover(), Some(seq(0xFF)));
    assert!(!c.is_full_ack(seq(0xFF)));
    assert!(c.is_full_ack(seq(0x100)));
    // A recover left over from more than 2^30 of sequence space ago
    // (RFC 7323 §2.3 bounds any window below that) no longer blocks.
    let mut c = Congestion::new(1_000, 10_000);
    c.on_rto(10_000, seq(0x8000_0000));
    let stale = seq(0x8000_0000 - 1 - (1 << 30) - 1);
    assert!(c.on_fast_retransmit(T0, 5_000, stale, seq(0x9000_0000)));
}

#[test]
fn rfc5681_3_1_rto_collapses_to_loss_window() {
    // (FlightSize, SMSS, ssthresh after)
    let cases = [
        (100_000, 1_460, 50_000),
        (1_000, 1_460, 2_920),
        (0, 536, 1_072),
    ];
    for (flight, mss, ssthresh) in cases {
        let mut c = Congestion::new(mss, initial_window(mss));
        c.on_rto(flight, seq(1));
        assert_eq!(c.cwnd(), mss, "flight {flight}");
        assert_eq!(c.ssthresh(), ssthresh, "flight {flight}");
        // Slow start resumes from one segment.
        c.on_ack(T0, mss, mss);
        assert_eq!(c.cwnd(), 2 * mss);
    }
    // A timeout during fast recovery ends it (RFC 6582 §3.2 step 4).
    let mut c = Congestion::new(1_000, 10_000);
    assert!(c.on_fast_retransmit(T0, 10_000, seq(1_000), seq(11_000)));
    c.on_rto(10_000, seq(11_000));
    assert!(!c.in_recovery());
    assert_eq!((c.cwnd(), c.ssthresh()), (1_000, 5_000));
}

#[test]
fn recovery_events_outside_recovery_are_ignored() {
    let mut c = Congestion::new(1_000, 10_000);
    let before = c.clone();
    c.on_dup_ack_in_recovery();
    c.on_partial_ack(5_000);
    c.on_full_ack(0);
    assert_eq!(c, before);
    // And ACKs routed to on_ack during recovery do not grow cwnd.
    assert!(c.on_fast_retransmit(T0, 10_000, seq(1_000), seq(11_000)));
    c.on_ack(T0, 5_000, 10_000);
    assert_eq!(c.cwnd(), 8_000);
}

#[test]
fn partial_ack_keeps_one_smss() {
    let mut c = Congestion::new(1_000, 10_000);
    assert!(c.on_fast_retransmit(T0, 2_000, seq(1_000), seq(3_000)));
    assert_eq!(c.cwnd(), 5_000);
    c.on_partial_ack(4_500);
    assert_eq!(c.cwnd(), 1_500);
    c.on_partial_ack(999);
    assert_eq!(c.cwnd(), 1_000);
    c.on_partial_ack(usize::MAX);
    assert_eq!(c.cwnd(), 1_000);
}

#[test]
fn rfc5681_4_1_restart_after_idle() {
    // Grow cwnd to 30000 first (IW 14600, SMSS 1460).
    let grown = || {
        let mut c = Congestion::new(1_460, 14_600);
        while c.cwnd() < 30_000 {
            let w = c.cwnd();
            c.on_ack(T0, 1_460, w);
        }
        c
    };
    let grown_cwnd = grown().cwnd();
    // (idle for, RTO, cwnd after)
    let cases = [
        (Duration::from_millis(1_001), Duration::from_secs(1), 14_600),
        (Duration::from_secs(1), Duration::from_secs(1), grown_cwnd),
        (
            Duration::from_millis(300),
            Duration::from_millis(200),
            14_600,
        ),
        (Duration::ZERO, Duration::ZERO, grown_cwnd),
        (Duration::MAX, Duration::MAX, grown_cwnd),
    ];
    for (idle, rto, cwnd) in cases {
        let mut c = grown();
        c.on_idle(Instant::from_secs(10), idle, rto);
        assert_eq!(c.cwnd(), cwnd, "idle {idle} rto {rto}");
    }
    // RW = min(IW, cwnd): a window already below IW is kept.
    let mut c = Congestion::new(1_460, 14_600);
    c.on_rto(10_000, seq(1));
    c.on_idle(T0, Duration::from_secs(5), Duration::from_secs(1));
    assert_eq!(c.cwnd(), 1_460);
}

#[test]
fn set_mss_keeps_cwnd_at_least_one_segment() {
    let mut c = Congestion::new(536, 1_072);
    c.on_rto(0, seq(1));
    assert_eq!(c.cwnd(), 536);
    c.set_mss(1_460);
    assert_eq!((c.smss(), c.cwnd()), (1_460, 1_460));
    c.set_mss(0);
    assert_eq!((c.smss(), c.cwnd()), (1, 1_460));
}

#[test]
fn no_overflow_with_huge_windows() {
    let big = usize::MAX;
    let mut c = Congestion::new(big / 3, big);
    assert_eq!(c.cwnd(), big);
    c.on_ack(T0, big, big);
    assert_eq!(c.cwnd(), big);
    assert!(c.on_fast_retransmit(T0, big, seq(0), seq(u32::MAX)));
    assert_eq!(c.ssthresh(), (big / 3) * 2);
    assert_eq!(c.cwnd(), big);
    c.on_dup_ack_in_recovery();
    c.on_partial_ack(big);
    assert_eq!(c.cwnd(), big / 3);
    c.on_full_ack(big);
    assert_eq!(c.cwnd(), (big / 3) * 2);
    c.on_rto(big, seq(7));
    assert_eq!((c.cwnd(), c.ssthresh()), (big / 3, (big / 3) * 2));
    c.on_idle(Instant::MAX, Duration::MAX, Duration::ZERO);
    for _ in 0..10 {
        c.on_ack(T0, big, big);
    }
    assert!(c.cwnd() >= big / 3);
}

#[derive(Debug, Clone)]
enum Event {
    Ack(usize, usize),
    FastRetransmit(usize, u32, u32),
    DupAck,
    RecoveryAck(u32, usize, usize),
    Rto(usize, u32),
    Idle(u64, u64),
    SetMss(usize),
}

fn event() -> impl Strategy<Value = Event> {
    let size = prop_oneof![0usize..200_000, any::<usize>()];
    prop_oneof![
        (size.clone(), size.clone()).prop_map(|(a, f)| Event::Ack(a, f)),
        (size.clone(), any::<u32>(), any::<u32>())
            .prop_map(|(f, a, s)| Event::FastRetransmit(f, a, s)),
        Just(Event::DupAck),
        (any::<u32>(), size.clone(), size.clone())
            .prop_map(|(a, n, f)| Event::RecoveryAck(a, n, f)),
        (size.clone(), any::<u32>()).prop_map(|(f, s)| Event::Rto(f, s)),
        (any::<u64>(), any::<u64>()).prop_map(|(i, r)| Event::Idle(i, r)),
        prop_oneof![0usize..10_000, any::<usize>()].prop_map(Event::SetMss),
    ]
}

proptest! {
    #[test]
    fn invariants_hold_for_any_call_order(
        mss in 0usize..10_000,
        iw in any::<usize>(),
        events in proptest::collection::vec(event(), 0..64),
    ) {
        let mut c = Congestion::new(mss, iw);
        for ev in events {
            let before = c.clone();
            match ev {
                Event::Ack(acked, flight) => {
                    c.on_ack(T0, acked, flight);
                    // An ACK never shrinks the window, and grows it by at
                    // most the bytes it acknowledges (slow start, RFC 3465)
                    // or one SMSS (congestion avoidance, RFC 5681 §3.1).
                    prop_assert!(c.cwnd() >= before.cwnd());
                    prop_assert!(c.cwnd() - before.cwnd() <= acked.max(c.smss()));
                }
                Event::FastRetransmit(flight, ack, snd_max) => {
                    let entered = c.on_fast_retransmit(T0, flight, seq(ack), seq(snd_max));
                    prop_assert!(!entered || !before.in_recovery());
                    prop_assert_eq!(entered, !before.in_recovery() && c.in_recovery());
                    if entered {
                        prop_assert!(c.ssthresh() >= 2 * c.smss().min(usize::MAX / 2));
                        prop_assert_eq!(c.recover(), Some(seq(snd_max.wrapping_sub(1))));
                    } else {
                        prop_assert_eq!(&c, &before);
                    }
                }
                Event::DupAck => c.on_dup_ack_in_recovery(),
                Event::RecoveryAck(ack, acked, flight) => {
                    if c.is_full_ack(seq(ack)) {
                        c.on_full_ack(flight);
                        prop_assert!(!c.in_recovery());
                        if before.in_recovery() {
                            prop_assert!(c.cwnd() <= c.ssthresh().max(c.smss()));
                        }
                    } else {
                        c.on_partial_ack(acked);
                        prop_assert_eq!(c.in_recovery(), before.in_recovery());
                    }
                }
                Event::Rto(flight, snd_max) => {
                    c.on_rto(flight, seq(snd_max));
                    prop_assert_eq!(c.cwnd(), c.smss());
                    prop_assert!(!c.in_recovery());
                }
                Event::Idle(idle, rto) => {
                    c.on_idle(T0, Duration::from_micros(idle), Duration::from_micros(rto));
                    prop_assert!(c.cwnd() <= before.cwnd());
                }
                Event::SetMss(m) => c.set_mss(m),
            }
            prop_assert!(c.smss() >= 1);
            prop_assert!(c.cwnd() >= c.smss());
        }
    }
}
