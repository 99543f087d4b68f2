//! ICMP error rate limiting (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f)), the
//! way Linux does it: a global token bucket (`icmp_msgs_per_sec`,
//! `icmp_msgs_burst`) in front of a per-destination minimum interval
//! (`icmp_ratelimit`). The per-destination state lives in a small fixed
//! table; when it is full the oldest entry is reused, which can only make
//! the limiter more permissive for one destination, never unbounded.

use core::net::IpAddr;

use crate::time::{Duration, Instant};

const PER_DEST_SLOTS: usize = 16;

/// The ICMP error rate limiter of one interface.
#[derive(Debug, Clone)]
pub(crate) struct IcmpRateLimiter {
    tokens_millis: u64,
    last_refill: Option<Instant>,
    /// Destinations and when each was last sent an error, in two arrays
    /// (an `(Option<IpAddr>, Instant)` pair pads 17 bytes to 24).
    recent_dst: [Option<IpAddr>; PER_DEST_SLOTS],
    recent_at: [Instant; PER_DEST_SLOTS],
}

impl IcmpRateLimiter {
    pub(crate) fn new() -> Self {
        IcmpRateLimiter {
            tokens_millis: u64::MAX,
            last_refill: None,
            recent_dst: [None; PER_DEST_SLOTS],
            recent_at: [Instant::ZERO; PER_DEST_SLOTS],
        }
    }

    /// Whether one more error to `dst` may be sent now; consumes a token
    /// and records the destination when it may.
    ///
    /// `per_sec` and `burst` configure the global bucket (tokens are kept
    /// in thousandths so a rate below one per millisecond still refills);
    /// `min_interval` spaces errors to one destination.
    pub(crate) fn allow(
        &mut self,
        now: Instant,
        dst: IpAddr,
        per_sec: u32,
        burst: u32,
        min_interval: Duration,
    ) -> bool {
        let cap = u64::from(burst.max(1)) * 1000;
        let elapsed = match self.last_refill {
            Some(t) => now.saturating_duration_since(t),
            None => Duration::MAX,
        };
        let refill = elapsed.total_micros().saturating_mul(u64::from(per_sec)) / 1000;
        self.tokens_millis = self.tokens_millis.saturating_add(refill).min(cap);
        self.last_refill = Some(now);
        if self.tokens_millis < 1000 {
            return false;
        }
        // Per destination (Linux `icmp_ratelimit`).
        let slot = match self.recent_dst.iter().position(|addr| *addr == Some(dst)) {
            Some(i) => {
                let at = self.recent_at[i];
                if now >= at && now.saturating_duration_since(at) < min_interval {
                    return false;
                }
                i
            }
            None => self
                .recent_dst
                .iter()
                .zip(self.recent_at.iter())
                .enumerate()
                .min_by_key(|(_, (addr, at))| (addr.is_some(), **at))
                .map_or(0, |(i, _)| i),
        };
        self.recent_dst[slot] = Some(dst);
        self.recent_at[slot] = now;
        self.tokens_millis -= 1000;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::Ipv4Addr;

    fn a(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, n))
    }

    #[test]
    fn per_destination_interval() {
        let mut l = IcmpRateLimiter::new();
        let iv = Duration::from_millis(1000);
        let t0 = Instant::from_secs(10);
        assert!(l.allow(t0, a(1), 1000, 50, iv));
        assert!(!l.allow(t0 + Duration::from_millis(999), a(1), 1000, 50, iv));
        assert!(l.allow(t0 + Duration::from_millis(10), a(2), 1000, 50, iv));
        assert!(l.allow(t0 + Duration::from_millis(1000), a(1), 1000, 50, iv));
    }

    #[test]
    fn global_bucket() {
        let mut l = IcmpRateLimiter::new();
        let t0 = Instant::from_secs(1);
        // Burst of 5, refill 10/s, no per-destination limit.
        let sent = (0..100u8)
            .filter(|&i| l.allow(t0, a(i), 10, 5, Duration::ZERO))
            .count();
        assert_eq!(sent, 5);
        // 100 ms later exactly one token is back.
        let t1 = t0 + Duration::from_millis(100);
        assert!(l.allow(t1, a(200), 10, 5, Duration::ZERO));
        assert!(!l.allow(t1, a(201), 10, 5, Duration::ZERO));
    }

    #[test]
    fn table_reuse_stays_bounded() {
        let mut l = IcmpRateLimiter::new();
        let iv = Duration::from_secs(1);
        for i in 0..=255u8 {
            assert!(l.allow(Instant::from_secs(i64::from(i)), a(i), 1000, 1000, iv));
        }
    }
}
