//! Time for a sans-IO stack: the caller supplies [`Instant`]s, the stack
//! answers with deadlines. Both types count microseconds; all arithmetic
//! saturates, so no timer computation can overflow or panic.

use core::fmt;
use core::num::NonZeroU64;
use core::ops::{Add, AddAssign, Sub, SubAssign};

/// A point in time, in microseconds since an arbitrary epoch chosen by the
/// caller (boot, the Unix epoch, a simulation's start).
///
/// The earliest instant is `i64::MIN + 1` microseconds (`i64::MIN` is
/// clamped to it): the one value left out gives `Option<Instant>` a niche,
/// so the many optional deadlines take 8 bytes, not 16.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// The microseconds with the sign bit flipped: unsigned order is the
    /// signed order of the microseconds, and zero (`i64::MIN`) is never
    /// stored.
    raw: NonZeroU64,
}

/// Flips the sign bit between microseconds and `Instant::raw`.
const SIGN: u64 = 1 << 63;

impl Instant {
    /// The epoch.
    pub const ZERO: Instant = Instant::from_micros(0);
    /// The latest representable instant ("never").
    pub const MAX: Instant = Instant::from_micros(i64::MAX);

    /// An instant `micros` microseconds after the epoch (`i64::MIN` is
    /// taken as `i64::MIN + 1`).
    pub const fn from_micros(micros: i64) -> Instant {
        match NonZeroU64::new(micros as u64 ^ SIGN) {
            Some(raw) => Instant { raw },
            // i64::MIN: the earliest instant there is.
            None => Instant {
                raw: NonZeroU64::MIN,
            },
        }
    }

    /// The microseconds since the epoch.
    #[inline(always)]
    const fn micros(&self) -> i64 {
        (self.raw.get() ^ SIGN) as i64
    }
    /// An instant `millis` milliseconds after the epoch (saturating).
    pub const fn from_millis(millis: i64) -> Instant {
        Instant::from_micros(millis.saturating_mul(1_000))
    }
    /// An instant `secs` seconds after the epoch (saturating).
    pub const fn from_secs(secs: i64) -> Instant {
        Instant::from_micros(secs.saturating_mul(1_000_000))
    }
    /// Microseconds since the epoch.
    pub const fn total_micros(&self) -> i64 {
        self.micros()
    }
    /// Milliseconds since the epoch (truncated).
    pub const fn total_millis(&self) -> i64 {
        self.micros() / 1_000
    }
    /// Whole seconds since the epoch.
    pub const fn secs(&self) -> i64 {
        self.micros() / 1_000_000
    }
    /// The time elapsed since `earlier`, or zero if `earlier` is later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        if self.micros() <= earlier.micros() {
            Duration::ZERO
        } else {
            // Non-negative and at most i64::MAX - i64::MIN, which fits u64.
            Duration::from_micros(self.micros().abs_diff(earlier.micros()))
        }
    }
    /// `self + d`, or `None` on overflow.
    pub fn checked_add(&self, d: Duration) -> Option<Instant> {
        let d = i64::try_from(d.micros).ok()?;
        self.micros().checked_add(d).map(Instant::from_micros)
    }
    /// `self - d`, or `None` on overflow.
    pub fn checked_sub(&self, d: Duration) -> Option<Instant> {
        let d = i64::try_from(d.micros).ok()?;
        self.micros().checked_sub(d).map(Instant::from_micros)
    }
}

#[cfg(feature = "std")]
impl From<std::time::SystemTime> for Instant {
    fn from(t: std::time::SystemTime) -> Instant {
        match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => Instant::from_micros(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)),
            Err(e) => Instant::from_micros(
                i64::try_from(e.duration().as_micros()).map_or(i64::MIN, |m| -m),
            ),
        }
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.micros() < 0 { "-" } else { "" };
        let abs = self.micros().unsigned_abs();
        write!(f, "{}{}.{:06}s", sign, abs / 1_000_000, abs % 1_000_000)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    /// Saturates at [`Instant::MAX`] / the earliest representable instant.
    fn add(self, d: Duration) -> Instant {
        let d = i64::try_from(d.micros).unwrap_or(i64::MAX);
        Instant::from_micros(self.micros().saturating_add(d))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    /// Saturates at the earliest representable instant.
    fn sub(self, d: Duration) -> Instant {
        let d = i64::try_from(d.micros).unwrap_or(i64::MAX);
        Instant::from_micros(self.micros().saturating_sub(d))
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    /// The elapsed time, saturating at zero when `rhs` is later.
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

impl Default for Instant {
    fn default() -> Instant {
        Instant::ZERO
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instant")
            .field("micros", &self.micros())
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Instant {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Instant {{ micros: {=i64} }}", self.micros());
    }
}

/// A span of time in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Duration {
    micros: u64,
}

impl Duration {
    /// No time at all.
    pub const ZERO: Duration = Duration { micros: 0 };
    /// The longest representable duration.
    pub const MAX: Duration = Duration { micros: u64::MAX };

    /// `micros` microseconds.
    pub const fn from_micros(micros: u64) -> Duration {
        Duration { micros }
    }
    /// `millis` milliseconds (saturating).
    pub const fn from_millis(millis: u64) -> Duration {
        Duration {
            micros: millis.saturating_mul(1_000),
        }
    }
    /// `secs` seconds (saturating).
    pub const fn from_secs(secs: u64) -> Duration {
        Duration {
            micros: secs.saturating_mul(1_000_000),
        }
    }
    /// Total microseconds.
    pub const fn total_micros(&self) -> u64 {
        self.micros
    }
    /// Total milliseconds (truncated).
    pub const fn total_millis(&self) -> u64 {
        self.micros / 1_000
    }
    /// Whole seconds.
    pub const fn secs(&self) -> u64 {
        self.micros / 1_000_000
    }
    /// `self * k`, saturating.
    pub const fn saturating_mul(self, k: u64) -> Duration {
        Duration {
            micros: self.micros.saturating_mul(k),
        }
    }
    /// `self / k`, or zero when `k` is zero.
    pub const fn checked_div_or_zero(self, k: u64) -> Duration {
        match self.micros.checked_div(k) {
            Some(m) => Duration { micros: m },
            None => Duration::ZERO,
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:06}s",
            self.micros / 1_000_000,
            self.micros % 1_000_000
        )
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, rhs: Duration) -> Duration {
        Duration::from_micros(self.micros.saturating_add(rhs.micros))
    }
}

impl AddAssign for Duration {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub for Duration {
    type Output = Duration;
    /// Saturates at zero.
    fn sub(self, rhs: Duration) -> Duration {
        Duration::from_micros(self.micros.saturating_sub(rhs.micros))
    }
}

impl SubAssign for Duration {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl From<core::time::Duration> for Duration {
    fn from(d: core::time::Duration) -> Duration {
        Duration::from_micros(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }
}

impl From<Duration> for core::time::Duration {
    fn from(d: Duration) -> core::time::Duration {
        core::time::Duration::from_micros(d.micros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The niche: an optional deadline is no bigger than an instant, and
    /// the stored form keeps the order, the value and the one clamp.
    #[test]
    fn option_instant_is_eight_bytes_and_order_is_kept() {
        assert_eq!(size_of::<Option<Instant>>(), 8);
        let v = [i64::MIN + 1, -5, -1, 0, 1, 7, i64::MAX];
        for w in v.windows(2) {
            assert!(Instant::from_micros(w[0]) < Instant::from_micros(w[1]));
        }
        for m in v {
            assert_eq!(Instant::from_micros(m).total_micros(), m);
        }
        assert_eq!(Instant::from_micros(i64::MIN).total_micros(), i64::MIN + 1);
        assert_eq!(Instant::default(), Instant::ZERO);
        assert_eq!(
            std::format!("{:?}", Instant::from_micros(-3)),
            "Instant { micros: -3 }"
        );
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(Instant::MAX + Duration::from_secs(1), Instant::MAX);
        assert_eq!(
            Instant::from_micros(i64::MIN) - Duration::MAX,
            Instant::from_micros(i64::MIN)
        );
        assert_eq!(Duration::ZERO - Duration::from_secs(1), Duration::ZERO);
        assert_eq!(Duration::MAX + Duration::MAX, Duration::MAX);
        assert_eq!(
            Instant::from_secs(1) - Instant::from_secs(2),
            Duration::ZERO
        );
        assert_eq!(Duration::from_secs(u64::MAX), Duration::MAX);
        assert_eq!(
            Duration::from_secs(3).checked_div_or_zero(0),
            Duration::ZERO
        );
    }

    #[test]
    fn units_and_display() {
        let t = Instant::from_millis(1_500);
        assert_eq!(t.total_micros(), 1_500_000);
        assert_eq!(t.total_millis(), 1_500);
        assert_eq!(t.secs(), 1);
        assert_eq!(format!("{t}"), "1.500000s");
        assert_eq!(format!("{}", Instant::from_micros(-1)), "-0.000001s");
        assert_eq!(format!("{}", Duration::from_millis(2_001)), "2.001000s");
        assert_eq!(
            Instant::from_secs(5) - Instant::from_secs(2),
            Duration::from_secs(3)
        );
    }

    proptest! {
        #[test]
        fn add_then_sub_round_trips(t in -1_000_000_000_000i64..1_000_000_000_000, d in 0u64..1_000_000_000_000) {
            let a = Instant::from_micros(t);
            let d = Duration::from_micros(d);
            prop_assert_eq!((a + d) - d, a);
            prop_assert_eq!((a + d) - a, d);
        }

        #[test]
        fn never_panics(t in any::<i64>(), u in any::<i64>(), d in any::<u64>()) {
            let a = Instant::from_micros(t);
            let b = Instant::from_micros(u);
            let d = Duration::from_micros(d);
            let _ = (a + d, a - d, a - b, a.checked_add(d), a.checked_sub(d), d + d, d - d);
        }
    }
}
