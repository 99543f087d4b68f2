//! TCP sequence numbers and their modulo-2^32 comparison (RFC 9293 §3.4,
//! with the serial-number arithmetic of RFC 1982 §3).
//!
//! Sequence numbers live on a circle of 2^32 values. Two numbers compare by
//! the signed 32-bit difference between them: `a` is before `b` when
//! walking forward from `a` reaches `b` in fewer than 2^31 steps.
//!
//! That relation is not a total order (it is not transitive around the whole
//! circle: `0 < 2^30 < 2^31 + 1 < 3·2^30 < 0`), so [`TcpSeqNumber`] does
//! **not** implement `PartialOrd`/`Ord`. Use [`TcpSeqNumber::lt`] and friends,
//! which are exact as long as the numbers compared lie within a window of
//! less than 2^31 — always the case for a TCP window (at most
//! `65535 << 14` < 2^30, RFC 7323 §2.3).

use core::fmt;
use core::ops;

/// A TCP sequence (or acknowledgment) number.
///
/// Arithmetic wraps modulo 2^32 (RFC 9293 §3.4: "the sequence number space
/// ranges from 0 to 2^32 - 1 ... all arithmetic dealing with sequence
/// numbers must be performed modulo 2^32").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TcpSeqNumber(pub u32);

impl TcpSeqNumber {
    /// The signed distance from `other` to `self`: positive when `self` is
    /// after `other`. Same as `self - other`.
    #[inline]
    pub const fn distance(self, other: TcpSeqNumber) -> i32 {
        self.0.wrapping_sub(other.0) as i32
    }

    /// `self` is strictly before `other` (RFC 1982 §3.2: `i1 < i2`).
    ///
    /// Numbers exactly 2^31 apart are neither before nor after each other
    /// (RFC 1982 leaves that case undefined); both `lt` and `gt` are false.
    #[inline]
    pub const fn lt(self, other: TcpSeqNumber) -> bool {
        let d = self.distance(other);
        d < 0 && d != i32::MIN
    }

    /// `self` is before or equal to `other`.
    #[inline]
    pub const fn le(self, other: TcpSeqNumber) -> bool {
        self.0 == other.0 || self.lt(other)
    }

    /// `self` is strictly after `other`.
    #[inline]
    pub const fn gt(self, other: TcpSeqNumber) -> bool {
        other.lt(self)
    }

    /// `self` is after or equal to `other`.
    #[inline]
    pub const fn ge(self, other: TcpSeqNumber) -> bool {
        other.le(self)
    }

    /// The later of the two (`self` when they are equal or incomparable).
    #[inline]
    pub const fn max(self, other: TcpSeqNumber) -> TcpSeqNumber {
        if self.lt(other) { other } else { self }
    }

    /// The earlier of the two (`self` when they are equal or incomparable).
    #[inline]
    pub const fn min(self, other: TcpSeqNumber) -> TcpSeqNumber {
        if other.lt(self) { other } else { self }
    }

    /// Whether `self` lies in the window `start <= self < start + len`
    /// (the acceptability tests of RFC 9293 §3.10.7.4 are built from this).
    ///
    /// A window of `len` 0 contains nothing; `len` of 2^32 or more contains
    /// every number.
    #[inline]
    pub fn in_window(self, start: TcpSeqNumber, len: usize) -> bool {
        let offset = self.0.wrapping_sub(start.0);
        match u32::try_from(len) {
            Ok(len) => offset < len,
            Err(_) => true,
        }
    }
}

impl From<u32> for TcpSeqNumber {
    #[inline]
    fn from(v: u32) -> Self {
        TcpSeqNumber(v)
    }
}

impl From<TcpSeqNumber> for u32 {
    #[inline]
    fn from(v: TcpSeqNumber) -> Self {
        v.0
    }
}

impl fmt::Display for TcpSeqNumber {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Advance by `rhs` octets, wrapping modulo 2^32.
///
/// Only `rhs < 2^31` is meaningful: adding more lands on a number that
/// compares as *before* `self`. `rhs` is truncated to 32 bits.
impl ops::Add<usize> for TcpSeqNumber {
    type Output = TcpSeqNumber;
    #[inline]
    fn add(self, rhs: usize) -> TcpSeqNumber {
        // Truncation is the modulo-2^32 arithmetic RFC 9293 §3.4 asks for.
        TcpSeqNumber(self.0.wrapping_add(rhs as u32))
    }
}

/// Go back by `rhs` octets, wrapping modulo 2^32 (same limits as `+`).
impl ops::Sub<usize> for TcpSeqNumber {
    type Output = TcpSeqNumber;
    #[inline]
    fn sub(self, rhs: usize) -> TcpSeqNumber {
        TcpSeqNumber(self.0.wrapping_sub(rhs as u32))
    }
}

impl ops::AddAssign<usize> for TcpSeqNumber {
    #[inline]
    fn add_assign(&mut self, rhs: usize) {
        *self = *self + rhs;
    }
}

impl ops::SubAssign<usize> for TcpSeqNumber {
    #[inline]
    fn sub_assign(&mut self, rhs: usize) {
        *self = *self - rhs;
    }
}

/// The signed distance `self - rhs` (see [`TcpSeqNumber::distance`]).
impl ops::Sub for TcpSeqNumber {
    type Output = i32;
    #[inline]
    fn sub(self, rhs: TcpSeqNumber) -> i32 {
        self.distance(rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HALF: u32 = 1 << 31;

    #[test]
    fn wraps_at_u32_max() {
        let a = TcpSeqNumber(u32::MAX);
        assert_eq!(a + 1, TcpSeqNumber(0));
        assert_eq!(TcpSeqNumber(0) - 1, a);
        assert!(a.lt(TcpSeqNumber(0)));
        assert!(TcpSeqNumber(5).gt(a));
        assert_eq!(TcpSeqNumber(5) - a, 6);
        assert_eq!(a - TcpSeqNumber(5), -6);
        let mut b = a;
        b += 10;
        assert_eq!(b, TcpSeqNumber(9));
        b -= 10;
        assert_eq!(b, a);
        assert_eq!(a.max(TcpSeqNumber(3)), TcpSeqNumber(3));
        assert_eq!(a.min(TcpSeqNumber(3)), a);
    }

    #[test]
    fn half_circle_is_incomparable() {
        let a = TcpSeqNumber(7);
        let b = TcpSeqNumber(7u32.wrapping_add(HALF));
        assert!(!a.lt(b) && !a.gt(b) && !a.le(b) && !a.ge(b));
        assert!(!b.lt(a) && !b.gt(a));
        assert_eq!(a.max(b), a);
        assert_eq!(b.max(a), b);
    }

    #[test]
    fn windows() {
        let s = TcpSeqNumber(u32::MAX - 1);
        assert!(!s.in_window(s, 0));
        assert!(s.in_window(s, 1));
        assert!((s + 3).in_window(s, 4));
        assert!(!(s + 4).in_window(s, 4));
        assert!(!(s - 1).in_window(s, 4));
        #[cfg(target_pointer_width = "64")]
        assert!((s - 1).in_window(s, 1 << 32));
    }

    proptest! {
        #[test]
        fn add_then_sub(a in any::<u32>(), n in 0u32..HALF) {
            let a = TcpSeqNumber(a);
            prop_assert_eq!((a + n as usize) - a, n as i32);
            prop_assert_eq!((a + n as usize) - n as usize, a);
            prop_assert_eq!(a - (a + n as usize), -(n as i32));
        }

        #[test]
        fn forward_is_greater(a in any::<u32>(), n in 1u32..HALF) {
            let a = TcpSeqNumber(a);
            let b = a + n as usize;
            prop_assert!(a.lt(b) && a.le(b) && b.gt(a) && b.ge(a));
            prop_assert!(!b.lt(a) && !a.gt(b));
            prop_assert_eq!(a.max(b), b);
            prop_assert_eq!(a.min(b), a);
            prop_assert!(b.in_window(a, n as usize + 1));
            prop_assert!(!b.in_window(a, n as usize));
        }

        #[test]
        fn antisymmetry(a in any::<u32>(), b in any::<u32>()) {
            let (a, b) = (TcpSeqNumber(a), TcpSeqNumber(b));
            // Never both before and after each other.
            prop_assert!(!(a.lt(b) && b.lt(a)));
            prop_assert_eq!(a.lt(b), b.gt(a));
            // a <= b and b <= a only when equal.
            prop_assert_eq!(a.le(b) && b.le(a), a == b);
            // Trichotomy except exactly half a circle apart.
            if a.0.wrapping_sub(b.0) != HALF {
                prop_assert_eq!(u8::from(a.lt(b)) + u8::from(a == b) + u8::from(a.gt(b)), 1);
            }
        }

        #[test]
        fn transitive_within_half_space(base in any::<u32>(), x in 0u32..HALF, y in 0u32..HALF, z in 0u32..HALF) {
            // Three numbers inside one window of < 2^31 compare like the
            // offsets inside that window.
            let b = TcpSeqNumber(base);
            let (a, c, d) = (b + x as usize, b + y as usize, b + z as usize);
            prop_assert_eq!(a.lt(c), x < y);
            if a.lt(c) && c.lt(d) {
                prop_assert!(a.lt(d));
            }
            if a.le(c) && c.le(d) {
                prop_assert!(a.le(d));
            }
        }
    }
}
