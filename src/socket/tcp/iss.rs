//! Initial send sequence numbers (RFC 6528) and SYN cookies (RFC 4987 §3.6).
//!
//! # Initial sequence numbers
//!
//! [`IssGenerator`] picks the ISS of every connection this host opens or
//! accepts, as RFC 6528 §3 specifies:
//!
//! ```text
//! ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
//! ```
//!
//! `M` is a clock ticking every 4 microseconds (the RFC 9293 §3.4.1 ISN
//! clock), taken from the `now` the caller passes; `F` is SipHash-2-4 keyed
//! with a 128-bit secret the socket set derives from the interface seed.
//! For one 4-tuple the ISN therefore grows by 250,000 a second, so a new
//! incarnation of a connection starts above the old one's sequence space
//! (RFC 9293 §3.4.1), while an off-path attacker who sees the ISNs of its
//! own connections learns nothing about another 4-tuple's (RFC 6528 §3).
//!
//! # SYN cookies
//!
//! When a listener's SYN queue is full, [`SynCookies`] lets it answer a SYN
//! without keeping any state (RFC 4987 §3.6): everything the connection
//! needs later is folded into the ISS of the SYN-ACK, and the final ACK of
//! the handshake (which acknowledges `cookie + 1`) hands it back.
//!
//! TCP timestamps are not always negotiated, so all of it lives in the 32
//! bits of the ISS. Before masking, from the most significant bit:
//!
//! | bits | field | why this many |
//! |---|---|---|
//! | 2 | counter mod 4 | the minting time in 64 s periods; a cookie is accepted during its own period and the next two, and 2 bits tell those 3 apart (the 4th value means "too old or from the future") |
//! | 2 | MSS class | an index into [`COOKIE_MSS_TABLE`], largest entry not above the peer's MSS |
//! | 4 | window scale | the peer's shift count 0..=14 (RFC 7323 §2.3), or 15 for "no option"; a shift cannot be rounded without misreading every window the peer sends |
//! | 1 | SACK permitted | RFC 2018 §2 |
//! | 1 | ECN | the SYN was an ECN-setup SYN that we accept (RFC 3168 §6.1.1) |
//! | 22 | MAC | SipHash-2-4 over the 4-tuple, the peer's ISN, the *full* 64-bit counter and the 8 option bits |
//!
//! The whole word is then XORed with a second keyed hash of the 4-tuple and
//! the peer's ISN, so the cookie looks like a random ISN and leaks neither
//! the server's clock phase nor the option bits to an observer.
//!
//! ## Acceptance window
//!
//! With `k = floor(t / 64 s)` the period a cookie was minted in, `decode`
//! at time `t'` accepts it exactly when `floor(t' / 64 s) - k` is 0, 1 or 2.
//! A cookie is therefore always accepted up to 128 s after it was minted and
//! never accepted 192 s or more after (or before it was minted: the clock
//! cannot run backwards).
//!
//! ## Why forgery stays 2^-22 hard
//!
//! Without the secret, an attacker choosing a 4-tuple, a peer ISN and a
//! cookie value is guessing two outputs of a PRF: the mask (32 bits) and
//! the MAC (22 bits). After unmasking, the counter bits are valid with
//! probability 3/4 and the MAC matches with probability 2^-22, so each
//! forged ACK succeeds with probability 3·2^-24 ≈ 2^-22.4, independently of
//! the other guesses (every guess is for a fresh input). Observing genuine
//! cookies does not help: each one is a PRF output for its own input, and
//! the counter in the MAC is the full 64-bit value, so replaying a cookie
//! on another 4-tuple, with another peer ISN, or in a later counter period
//! that shares the low 2 bits fails like any guess. A genuine cookie can be
//! replayed on its own 4-tuple within its window; by then the first ACK has
//! created the connection, which owns that 4-tuple in the demultiplexer.
//! The 8 option bits cost 8 MAC bits; timestamps would buy them back
//! (future work).
//!
//! ## How the listener uses them
//!
//! * On a SYN with the SYN queue full: `(iss, mss) = encode(now, local,
//!   remote, SEG.SEQ, peer_mss, options)` with `options` the ones the
//!   SYN-ACK agrees to (the intersection of the SYN's and ours); send the
//!   SYN-ACK with `SEQ = iss` and keep nothing. Our own window scale and
//!   MSS must be derived from configuration only, so the ACK can be
//!   interpreted without state.
//! * On an ACK (no SYN, no RST) for a listener that has no matching
//!   embryonic connection: `decode(now, local, remote, SEG.SEQ - 1,
//!   SEG.ACK - 1)`; `Some(info)` creates the connection in ESTABLISHED with
//!   `IRS = SEG.SEQ - 1`, `ISS = SEG.ACK - 1`; `None` drops the segment (or
//!   answers it with a RST, as RFC 9293 §3.10.7.2 says for a LISTEN socket).

use core::fmt;
use core::hash::Hasher;
use core::net::IpAddr;

use siphasher::sip::SipHasher24;

use crate::socket::IpEndpoint;
use crate::time::{Duration, Instant};
use crate::wire::tcp::TcpSeqNumber;

/// The period of the ISN clock `M`, in microseconds (RFC 6528 §3: "M is
/// the 4 microsecond timer"; RFC 9293 §3.4.1).
pub const ISN_CLOCK_TICK_MICROS: i64 = 4;

/// The period of the SYN-cookie counter (64 s, the coarse timestamp of
/// RFC 4987 §3.6).
pub const COOKIE_PERIOD: Duration = Duration::from_secs(64);

/// How many periods after the one it was minted in a cookie is still
/// accepted (RFC 4987 §3.6: the cookie carries a coarse time so that stale
/// ones can be refused).
pub const COOKIE_MAX_AGE_PERIODS: u64 = 2;

/// The MSS values a cookie can carry (RFC 4987 §3.6: a cookie has room for
/// only a few MSS values). 536 is the IPv4 default send MSS and 1220 the IPv6 one
/// (RFC 9293 §3.7.1); 1440 and 1460 are Ethernet's IPv6 and IPv4 MSS.
pub const COOKIE_MSS_TABLE: [u16; 4] = [536, 1220, 1440, 1460];

/// The largest window-scale shift (RFC 7323 §2.3: the scale exponent is
/// limited to 14).
const MAX_WINDOW_SCALE: u8 = 14;

/// The period of the cookie counter in microseconds.
// 64 s in microseconds: fits an i64.
const COOKIE_PERIOD_MICROS: i64 = COOKIE_PERIOD.total_micros() as i64;

// Cookie layout (before masking), see the module documentation.
const COUNTER_SHIFT: u32 = 30;
const COUNTER_MASK: u32 = 0b11;
const DATA_SHIFT: u32 = 22;
const DATA_MASK: u32 = 0xff;
const MAC_MASK: u32 = (1 << DATA_SHIFT) - 1;
// Inside the 8 data bits.
const MSS_BITS: u8 = 0b11;
const WSCALE_SHIFT: u8 = 2;
const WSCALE_MASK: u8 = 0b1111;
const WSCALE_NONE: u8 = 15;
const SACK_BIT: u8 = 1 << 6;
const ECN_BIT: u8 = 1 << 7;

// Domain separation: the same secret must never produce related values for
// two purposes.
const DOMAIN_ISN: u8 = 1;
const DOMAIN_COOKIE_MASK: u8 = 2;
const DOMAIN_COOKIE_MAC: u8 = 3;

/// Feeds an endpoint to a hash: a family tag (so an IPv4 address never
/// hashes like some IPv6 address), the address, the port.
fn write_endpoint(h: &mut SipHasher24, ep: &IpEndpoint) {
    match ep.addr {
        IpAddr::V4(a) => {
            h.write(&[4]);
            h.write(&a.octets());
        }
        IpAddr::V6(a) => {
            h.write(&[6]);
            h.write(&a.octets());
        }
    }
    h.write(&ep.port.to_be_bytes());
}

/// A SipHash-2-4 state keyed with `key`, with a domain tag and the 4-tuple
/// already absorbed.
fn tuple_hasher(
    key: &[u8; 16],
    domain: u8,
    local: &IpEndpoint,
    remote: &IpEndpoint,
) -> SipHasher24 {
    let mut h = SipHasher24::new_with_key(key);
    h.write(&[domain]);
    write_endpoint(&mut h, local);
    write_endpoint(&mut h, remote);
    h
}

/// Generates initial sequence numbers per RFC 6528 §3.
///
/// `Debug` does not show the secret.
#[derive(Clone)]
pub struct IssGenerator {
    key: [u8; 16],
}

impl fmt::Debug for IssGenerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssGenerator").finish_non_exhaustive()
    }
}

impl IssGenerator {
    /// A generator keyed with `secret`, 128 bits derived from the interface
    /// seed (RFC 6528 §3: the ISN is no more secure than this key).
    pub const fn new(secret: [u8; 16]) -> IssGenerator {
        IssGenerator { key: secret }
    }

    /// The ISS for a connection from `local` to `remote` opened at `now`.
    pub fn iss(&self, now: Instant, local: IpEndpoint, remote: IpEndpoint) -> TcpSeqNumber {
        // RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport,
        // secretkey), modulo 2^32 (RFC 9293 §3.4).
        TcpSeqNumber(isn_clock(now).wrapping_add(self.offset(&local, &remote)))
    }

    /// SYN cookies keyed with the same secret (the module documentation
    /// of [`SynCookies`]: the hashes are domain-separated, so sharing the
    /// key relates no two values).
    pub(crate) fn syn_cookies(&self) -> SynCookies {
        SynCookies::new(self.key)
    }

    /// `F`: the per-4-tuple offset (RFC 6528 §3: "F() MUST NOT be
    /// computable from the outside"; a keyed PRF, here SipHash-2-4).
    pub(crate) fn offset(&self, local: &IpEndpoint, remote: &IpEndpoint) -> u32 {
        let h = tuple_hasher(&self.key, DOMAIN_ISN, local, remote);
        // The low 32 bits of a PRF output are a PRF output.
        h.finish() as u32
    }
}

/// `M`: the 4-microsecond ISN clock at `now`, modulo 2^32 (RFC 6528 §3).
///
/// Floor division keeps the clock monotonic across the epoch, where
/// `Instant` turns negative.
fn isn_clock(now: Instant) -> u32 {
    // Truncation to 32 bits is the modulo-2^32 wrap of the clock.
    now.total_micros().div_euclid(ISN_CLOCK_TICK_MICROS) as u32
}

/// The TCP options a SYN cookie records: those the SYN-ACK agreed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CookieOptions {
    /// The peer's window-scale shift count (RFC 7323 §2.3), `None` when the
    /// SYN had no Window Scale option. Shifts above 14 are recorded as 14.
    pub window_scale: Option<u8>,
    /// The SYN carried SACK-permitted (RFC 2018 §2).
    pub sack_permitted: bool,
    /// The SYN was an ECN-setup SYN and the SYN-ACK accepted it (RFC 3168
    /// §6.1.1).
    pub ecn: bool,
}

/// What a valid SYN cookie gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CookieInfo {
    /// The send MSS, one of [`COOKIE_MSS_TABLE`].
    pub mss: u16,
    /// The options the SYN-ACK agreed to.
    pub options: CookieOptions,
}

/// Stateless SYN cookies (RFC 4987 §3.6); see the module documentation for
/// the layout, the acceptance window and the forgery bound.
///
/// `Debug` does not show the secret.
#[derive(Clone)]
pub struct SynCookies {
    key: [u8; 16],
}

impl fmt::Debug for SynCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SynCookies").finish_non_exhaustive()
    }
}

impl SynCookies {
    /// Cookies keyed with `secret` (128 bits, derived from the interface
    /// seed; it may be the ISN secret, the hashes are domain-separated).
    pub const fn new(secret: [u8; 16]) -> SynCookies {
        SynCookies { key: secret }
    }

    /// The ISS of a SYN-ACK answering a SYN with sequence number
    /// `peer_isn`, MSS option `mss` (the default send MSS when absent: 536
    /// for IPv4, 1220 for IPv6, RFC 9293 §3.7.1) and
    /// agreed `options`, received at `now` on `local` from `remote`.
    ///
    /// Returns the cookie and the MSS it records: the largest entry of
    /// [`COOKIE_MSS_TABLE`] not above `mss`, or the smallest entry (536)
    /// when `mss` is below all of them — a listener that will not send
    /// 536-byte segments to such a peer should not answer it with a cookie.
    pub fn encode(
        &self,
        now: Instant,
        local: IpEndpoint,
        remote: IpEndpoint,
        peer_isn: TcpSeqNumber,
        mss: u16,
        options: CookieOptions,
    ) -> (TcpSeqNumber, u16) {
        let mss_index = COOKIE_MSS_TABLE
            .iter()
            .rposition(|&m| m <= mss)
            .unwrap_or(0);
        // The table has 4 entries, so the index fits the 2 MSS bits.
        let mss_index = (mss_index as u8) & MSS_BITS;
        let data = pack_data(mss_index, options);
        let counter = cookie_counter(now);
        let mac = self.mac(&local, &remote, peer_isn, counter, data);
        let word = ((counter as u32 & COUNTER_MASK) << COUNTER_SHIFT)
            | (u32::from(data) << DATA_SHIFT)
            | mac;
        let cookie = word ^ self.mask(&local, &remote, peer_isn);
        (
            TcpSeqNumber(cookie),
            COOKIE_MSS_TABLE[usize::from(mss_index)],
        )
    }

    /// Checks the cookie `cookie` (the ACK's `SEG.ACK - 1`) returned at
    /// `now` by `remote` to `local` with its ISN `peer_isn` (`SEG.SEQ - 1`).
    ///
    /// `None` when the cookie was not minted by this secret for exactly this
    /// 4-tuple and peer ISN, or is outside the acceptance window (minted
    /// more than [`COOKIE_MAX_AGE_PERIODS`] periods ago, or in a later
    /// period than `now`'s).
    pub fn decode(
        &self,
        now: Instant,
        local: IpEndpoint,
        remote: IpEndpoint,
        peer_isn: TcpSeqNumber,
        cookie: TcpSeqNumber,
    ) -> Option<CookieInfo> {
        let word = cookie.0 ^ self.mask(&local, &remote, peer_isn);
        let now_counter = cookie_counter(now);
        let minted_low = u64::from((word >> COUNTER_SHIFT) & COUNTER_MASK);
        // The age in periods, modulo 4: 0..=2 are the window, 3 is a cookie
        // 3 periods old or 1 period in the future.
        let age = now_counter.wrapping_sub(minted_low) & u64::from(COUNTER_MASK);
        // RFC 4987 §3.6: refuse cookies whose timestamp is too old.
        if age > COOKIE_MAX_AGE_PERIODS {
            return None;
        }
        let counter = now_counter.wrapping_sub(age);
        // The mask keeps 8 bits.
        let data = ((word >> DATA_SHIFT) & DATA_MASK) as u8;
        // The full counter is under the MAC: a cookie 4 periods old has the
        // right low bits and still fails here.
        if word & MAC_MASK != self.mac(&local, &remote, peer_isn, counter, data) {
            return None;
        }
        Some(unpack_data(data))
    }

    /// The 32-bit mask hiding a cookie's fields: a PRF of the 4-tuple and
    /// the peer's ISN, independent of time.
    fn mask(&self, local: &IpEndpoint, remote: &IpEndpoint, peer_isn: TcpSeqNumber) -> u32 {
        let mut h = tuple_hasher(&self.key, DOMAIN_COOKIE_MASK, local, remote);
        h.write(&peer_isn.0.to_be_bytes());
        h.finish() as u32
    }

    /// The 22-bit MAC over everything the cookie vouches for.
    fn mac(
        &self,
        local: &IpEndpoint,
        remote: &IpEndpoint,
        peer_isn: TcpSeqNumber,
        counter: u64,
        data: u8,
    ) -> u32 {
        let mut h = tuple_hasher(&self.key, DOMAIN_COOKIE_MAC, local, remote);
        h.write(&peer_isn.0.to_be_bytes());
        h.write(&counter.to_be_bytes());
        h.write(&[data]);
        (h.finish() as u32) & MAC_MASK
    }
}

/// The 64 s period `now` falls in. Floor division, then a wrapping cast:
/// consecutive periods stay consecutive modulo 2^64 even across the epoch.
fn cookie_counter(now: Instant) -> u64 {
    now.total_micros().div_euclid(COOKIE_PERIOD_MICROS) as u64
}

/// Packs the MSS class and the options into the cookie's 8 data bits.
fn pack_data(mss_index: u8, options: CookieOptions) -> u8 {
    let wscale = match options.window_scale {
        // RFC 7323 §2.3: a shift count above 14 is used as 14.
        Some(shift) => shift.min(MAX_WINDOW_SCALE),
        None => WSCALE_NONE,
    };
    let mut data = (mss_index & MSS_BITS) | (wscale << WSCALE_SHIFT);
    if options.sack_permitted {
        data |= SACK_BIT;
    }
    if options.ecn {
        data |= ECN_BIT;
    }
    data
}

/// The inverse of [`pack_data`]; every 8-bit value is a valid encoding.
fn unpack_data(data: u8) -> CookieInfo {
    let wscale = (data >> WSCALE_SHIFT) & WSCALE_MASK;
    CookieInfo {
        mss: COOKIE_MSS_TABLE[usize::from(data & MSS_BITS)],
        options: CookieOptions {
            window_scale: if wscale == WSCALE_NONE {
                None
            } else {
                Some(wscale)
            },
            sack_permitted: data & SACK_BIT != 0,
            ecn: data & ECN_BIT != 0,
        },
    }
}

#[cfg(test)]
mod tests;
