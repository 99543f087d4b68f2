//! TCP options (RFC 9293 §3.1, §3.2) and the option formats of
//! RFC 9293 §3.2 (MSS), RFC 7323 (Window Scale, Timestamps), RFC 2018 and
//! RFC 2883 (SACK), RFC 7413 (Fast Open) and RFC 9768 (AccECN).
//!
//! ```text
//!  Kind  Length  Meaning                          Reference
//!  ----  ------  -------------------------------  ---------------------
//!    0     -     End of Option List               RFC 9293 §3.2
//!    1     -     No-Operation                     RFC 9293 §3.2
//!    2     4     Maximum Segment Size             RFC 9293 §3.2
//!    3     3     Window Scale                     RFC 7323 §2.2
//!    4     2     SACK Permitted                   RFC 2018 §2
//!    5   2+8n    SACK blocks, n = 1..=4           RFC 2018 §3
//!    8    10     Timestamps                       RFC 7323 §3.2
//!   34   2+c     TCP Fast Open cookie             RFC 7413 §4.1.1
//!  172  2+3k     AccECN0, k = 0..=3               RFC 9768 §3.2.3
//!  174  2+3k     AccECN1, k = 0..=3               RFC 9768 §3.2.3
//!  254   4+c     experimental, ExID 0xF989 = TFO  RFC 7413 §4.1.1, RFC 6994
//! ```
//!
//! Every option other than kinds 0 and 1 is `kind, length, data` with the
//! length counting the kind and length octets. [`TcpOptionIter`] walks the
//! raw option area and yields [`TcpOption`]s; [`emit_options`] writes a
//! list of them padded with No-Operations to a multiple of four.

use byteorder::{ByteOrder, NetworkEndian};

use crate::wire::{Error, Result};

/// Option kind: End of Option List (RFC 9293 §3.2).
pub const KIND_END_OF_LIST: u8 = 0;
/// Option kind: No-Operation (RFC 9293 §3.2).
pub const KIND_NO_OPERATION: u8 = 1;
/// Option kind: Maximum Segment Size (RFC 9293 §3.2).
pub const KIND_MAX_SEG_SIZE: u8 = 2;
/// Option kind: Window Scale (RFC 7323 §2.2).
pub const KIND_WINDOW_SCALE: u8 = 3;
/// Option kind: SACK Permitted (RFC 2018 §2).
pub const KIND_SACK_PERMITTED: u8 = 4;
/// Option kind: SACK (RFC 2018 §3).
pub const KIND_SACK_RANGE: u8 = 5;
/// Option kind: Timestamps (RFC 7323 §3.2).
pub const KIND_TIMESTAMP: u8 = 8;
/// Option kind: TCP Fast Open cookie (RFC 7413 §4.1.1).
pub const KIND_FAST_OPEN: u8 = 34;
/// Option kind: AccECN Order 0 (RFC 9768 §3.2.3).
pub const KIND_ACCECN0: u8 = 172;
/// Option kind: AccECN Order 1 (RFC 9768 §3.2.3).
pub const KIND_ACCECN1: u8 = 174;
/// Option kind: shared experimental option (RFC 6994, RFC 4727).
pub const KIND_EXPERIMENTAL: u8 = 254;
/// The Experiment ID that marks the pre-assignment Fast Open option
/// (RFC 7413 §4.1.1).
pub const EXID_FAST_OPEN: u16 = 0xF989;

/// The largest option area: data offset 15 words minus the 20-byte fixed
/// header (RFC 9293 §3.1).
pub const MAX_OPTIONS_LEN: usize = 40;
/// The most SACK blocks an option can carry: (40 - 2) / 8 (RFC 2018 §3).
pub const MAX_SACK_BLOCKS: usize = 4;
/// The largest shift count a window scale may use (RFC 7323 §2.3). Larger
/// received values are kept raw on the wire; the user clamps them.
pub const MAX_WINDOW_SCALE: u8 = 14;
/// The shortest non-empty Fast Open cookie (RFC 7413 §4.1.1).
pub const FAST_OPEN_COOKIE_MIN_LEN: usize = 4;
/// The longest Fast Open cookie (RFC 7413 §4.1.1).
pub const FAST_OPEN_COOKIE_MAX_LEN: usize = 16;
/// The width of one AccECN counter field in octets (RFC 9768 §3.2.3).
pub const ACCECN_FIELD_LEN: usize = 3;

/// The Timestamps option values (RFC 7323 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TcpTimestamp {
    /// TSval: the sender's timestamp clock.
    pub tsval: u32,
    /// TSecr: the TSval echoed back (valid only with ACK set).
    pub tsecr: u32,
}

/// The order of the counter fields in an AccECN option (RFC 9768 §3.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AccEcnOrder {
    /// Kind 172 (AccECN0): EE0B, ECEB, EE1B.
    Order0,
    /// Kind 174 (AccECN1): EE1B, ECEB, EE0B.
    Order1,
}

impl AccEcnOrder {
    /// The option kind for this order.
    pub const fn kind(self) -> u8 {
        match self {
            AccEcnOrder::Order0 => KIND_ACCECN0,
            AccEcnOrder::Order1 => KIND_ACCECN1,
        }
    }
}

/// An AccECN option: the receiver's 24-bit byte counters (RFC 9768
/// §3.2.3). Each counter is the number of payload octets received with
/// that IP-ECN codepoint, modulo 2^24.
///
/// The option may carry 0 to 3 fields, always a *prefix* of the order's
/// field sequence (RFC 9768 §3.2.3: the option is truncated from the end).
/// [`AccEcn::field_count`] counts the leading present fields in wire order;
/// a field after a missing one is not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AccEcn {
    /// Which field order (option kind) is used.
    pub order: AccEcnOrder,
    /// EE0B: bytes received with ECT(0).
    pub ee0b: Option<u32>,
    /// ECEB: bytes received with CE.
    pub eceb: Option<u32>,
    /// EE1B: bytes received with ECT(1).
    pub ee1b: Option<u32>,
}

impl AccEcn {
    /// The fields in wire order.
    const fn in_order(&self) -> [Option<u32>; 3] {
        match self.order {
            AccEcnOrder::Order0 => [self.ee0b, self.eceb, self.ee1b],
            AccEcnOrder::Order1 => [self.ee1b, self.eceb, self.ee0b],
        }
    }

    #[inline]
    fn from_order(order: AccEcnOrder, f: [Option<u32>; 3]) -> AccEcn {
        let [a, b, c] = f;
        match order {
            AccEcnOrder::Order0 => AccEcn {
                order,
                ee0b: a,
                eceb: b,
                ee1b: c,
            },
            AccEcnOrder::Order1 => AccEcn {
                order,
                ee1b: a,
                eceb: b,
                ee0b: c,
            },
        }
    }

    /// How many fields are sent: the leading present ones, in wire order.
    #[inline]
    pub fn field_count(&self) -> usize {
        self.in_order().iter().take_while(|f| f.is_some()).count()
    }

    /// The option's length on the wire (2, 5, 8 or 11).
    #[inline]
    pub fn wire_len(&self) -> usize {
        2 + ACCECN_FIELD_LEN * self.field_count()
    }

    /// The same option cut down to at most `fields` fields (RFC 9768
    /// §3.2.3 lets a sender truncate it when option space is short).
    #[inline]
    pub fn truncated(&self, fields: usize) -> AccEcn {
        let mut f = self.in_order();
        let keep = self.field_count().min(fields);
        for x in f.iter_mut().skip(keep) {
            *x = None;
        }
        AccEcn::from_order(self.order, f)
    }
}

/// A TCP Fast Open cookie (RFC 7413 §4.1.1): empty (a cookie request) or
/// 4 to 16 octets. Lengths 1 to 3 and above 16 are not representable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FastOpenCookie {
    len: u8,
    // Bytes past `len` are always zero, so the derived equality is exact.
    bytes: [u8; FAST_OPEN_COOKIE_MAX_LEN],
}

impl FastOpenCookie {
    /// An empty cookie: a client's cookie request (RFC 7413 §4.1.2).
    pub const fn request() -> FastOpenCookie {
        FastOpenCookie {
            len: 0,
            bytes: [0; FAST_OPEN_COOKIE_MAX_LEN],
        }
    }

    /// A cookie from its bytes, or `None` when the length is 1..=3 or
    /// above 16 (RFC 7413 §4.1.1).
    #[inline]
    pub fn new(cookie: &[u8]) -> Option<FastOpenCookie> {
        if !fast_open_cookie_len_ok(cookie.len()) {
            return None;
        }
        let mut bytes = [0; FAST_OPEN_COOKIE_MAX_LEN];
        bytes[..cookie.len()].copy_from_slice(cookie);
        Some(FastOpenCookie {
            // Checked above: at most 16.
            len: cookie.len() as u8,
            bytes,
        })
    }

    /// The cookie octets (empty for a request).
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        // `len` is at most 16 by construction.
        &self.bytes[..usize::from(self.len)]
    }

    /// Whether this is an empty cookie, i.e. a cookie request.
    #[inline]
    pub fn is_request(&self) -> bool {
        self.len == 0
    }
}

/// One TCP option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TcpOption<'a> {
    /// End of Option List (kind 0): nothing after it is an option.
    EndOfList,
    /// No-Operation (kind 1): padding between options.
    NoOperation,
    /// Maximum Segment Size (kind 2, RFC 9293 §3.7.1).
    MaxSegmentSize(u16),
    /// Window Scale shift count (kind 3, RFC 7323 §2.2), raw: values above
    /// [`MAX_WINDOW_SCALE`] are clamped by the user (RFC 7323 §2.3).
    WindowScale(u8),
    /// SACK Permitted (kind 4, RFC 2018 §2).
    SackPermitted,
    /// SACK blocks (kind 5, RFC 2018 §3): `(left edge, right edge)` pairs,
    /// present blocks first. The first block may be a D-SACK (RFC 2883).
    SackRange([Option<(u32, u32)>; MAX_SACK_BLOCKS]),
    /// Timestamps (kind 8, RFC 7323 §3.2).
    Timestamp(TcpTimestamp),
    /// Fast Open cookie (kind 34, RFC 7413 §4.1.1); empty = request.
    FastOpen(&'a [u8]),
    /// Fast Open cookie in the experimental form (kind 254, ExID 0xF989,
    /// RFC 7413 §4.1.1); empty = request.
    FastOpenExperimental(&'a [u8]),
    /// AccECN counters (kinds 172 and 174, RFC 9768 §3.2.3).
    AccEcn(AccEcn),
    /// Any other option, kept raw (RFC 9293 §3.2: unknown options are
    /// ignored by the receiver). Kind 254 with an ExID other than Fast
    /// Open's lands here too.
    Unknown {
        /// The option kind.
        kind: u8,
        /// The bytes after the kind and length octets.
        data: &'a [u8],
    },
}

impl<'a> TcpOption<'a> {
    /// Parse one option at the start of `buffer`. Returns the option and
    /// the rest of the buffer after it.
    pub fn parse(buffer: &'a [u8]) -> Result<(TcpOption<'a>, &'a [u8])> {
        let (&kind, rest) = buffer.split_first().ok_or(Error::Truncated)?;
        match kind {
            KIND_END_OF_LIST => return Ok((TcpOption::EndOfList, rest)),
            KIND_NO_OPERATION => return Ok((TcpOption::NoOperation, rest)),
            _ => {}
        }
        // RFC 9293 §3.2: the length counts kind and length octets; an
        // illegal length (below 2, or past the option area) is malformed.
        let &len = rest.first().ok_or(Error::BadOption)?;
        let len = usize::from(len);
        if len < 2 || len > buffer.len() {
            return Err(Error::BadOption);
        }
        let data = &buffer[2..len];
        let rest = &buffer[len..];
        let option = match kind {
            // RFC 9293 §3.2: MSS has length 4.
            KIND_MAX_SEG_SIZE if data.len() == 2 => {
                TcpOption::MaxSegmentSize(NetworkEndian::read_u16(data))
            }
            // RFC 7323 §2.2: Window Scale has length 3.
            KIND_WINDOW_SCALE if data.len() == 1 => TcpOption::WindowScale(data[0]),
            // RFC 2018 §2: SACK-Permitted has length 2.
            KIND_SACK_PERMITTED if data.is_empty() => TcpOption::SackPermitted,
            // RFC 2018 §3: length 2 + 8n; at least one block, and at most
            // four fit in the option area.
            KIND_SACK_RANGE
                if !data.is_empty()
                    && data.len().is_multiple_of(8)
                    && data.len() / 8 <= MAX_SACK_BLOCKS =>
            {
                TcpOption::SackRange(sack_blocks(data))
            }
            // RFC 7323 §3.2: Timestamps has length 10.
            KIND_TIMESTAMP if data.len() == 8 => TcpOption::Timestamp(TcpTimestamp {
                tsval: NetworkEndian::read_u32(&data[0..4]),
                tsecr: NetworkEndian::read_u32(&data[4..8]),
            }),
            // RFC 7413 §4.1.1: cookie of 0 or 4..=16 octets.
            KIND_FAST_OPEN if fast_open_cookie_len_ok(data.len()) => TcpOption::FastOpen(data),
            KIND_EXPERIMENTAL
                if data.len() >= 2 && NetworkEndian::read_u16(&data[0..2]) == EXID_FAST_OPEN =>
            {
                let cookie = &data[2..];
                if !fast_open_cookie_len_ok(cookie.len()) {
                    return Err(Error::BadOption);
                }
                TcpOption::FastOpenExperimental(cookie)
            }
            // RFC 9768 §3.2.3: length 2, 5, 8 or 11 (0 to 3 fields).
            KIND_ACCECN0 | KIND_ACCECN1
                if data.len().is_multiple_of(ACCECN_FIELD_LEN)
                    && data.len() <= 3 * ACCECN_FIELD_LEN =>
            {
                TcpOption::AccEcn(accecn_fields(kind, data))
            }
            KIND_MAX_SEG_SIZE | KIND_WINDOW_SCALE | KIND_SACK_PERMITTED | KIND_SACK_RANGE
            | KIND_TIMESTAMP | KIND_FAST_OPEN | KIND_ACCECN0 | KIND_ACCECN1 => {
                return Err(Error::BadOption);
            }
            // RFC 9293 §3.2: unknown options are skipped by their length.
            _ => TcpOption::Unknown { kind, data },
        };
        Ok((option, rest))
    }

    /// The bytes `emit` writes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        match self {
            TcpOption::EndOfList | TcpOption::NoOperation => 1,
            TcpOption::MaxSegmentSize(_) => 4,
            TcpOption::WindowScale(_) => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::SackRange(blocks) => 2 + 8 * blocks.iter().flatten().count(),
            TcpOption::Timestamp(_) => 10,
            TcpOption::FastOpen(cookie) => 2 + cookie.len(),
            TcpOption::FastOpenExperimental(cookie) => 4 + cookie.len(),
            TcpOption::AccEcn(a) => a.wire_len(),
            TcpOption::Unknown { data, .. } => 2 + data.len(),
        }
    }

    /// Whether the option can be sent as is: a SACK option needs a block,
    /// a Fast Open cookie 0 or 4..=16 octets, and every option must fit in
    /// the option area.
    #[inline]
    pub fn is_well_formed(&self) -> bool {
        let fits = self.buffer_len() <= MAX_OPTIONS_LEN;
        fits && match self {
            TcpOption::SackRange(blocks) => blocks.iter().flatten().next().is_some(),
            TcpOption::FastOpen(c) | TcpOption::FastOpenExperimental(c) => {
                fast_open_cookie_len_ok(c.len())
            }
            _ => true,
        }
    }

    /// Write the option at the start of `buffer` and return the rest.
    ///
    /// # Panics
    ///
    /// When `buffer` is shorter than [`TcpOption::buffer_len`] (a caller
    /// bug), or for an `Unknown` option with more than 253 data octets.
    #[inline]
    pub fn emit<'b>(&self, buffer: &'b mut [u8]) -> &'b mut [u8] {
        let len = self.buffer_len();
        let (out, rest) = buffer.split_at_mut(len);
        match *self {
            TcpOption::EndOfList => out[0] = KIND_END_OF_LIST,
            TcpOption::NoOperation => out[0] = KIND_NO_OPERATION,
            TcpOption::MaxSegmentSize(mss) => {
                out[0] = KIND_MAX_SEG_SIZE;
                NetworkEndian::write_u16(&mut out[2..4], mss);
            }
            TcpOption::WindowScale(shift) => {
                out[0] = KIND_WINDOW_SCALE;
                out[2] = shift;
            }
            TcpOption::SackPermitted => out[0] = KIND_SACK_PERMITTED,
            TcpOption::SackRange(blocks) => {
                out[0] = KIND_SACK_RANGE;
                for (chunk, (left, right)) in
                    out[2..].chunks_exact_mut(8).zip(blocks.iter().flatten())
                {
                    NetworkEndian::write_u32(&mut chunk[0..4], *left);
                    NetworkEndian::write_u32(&mut chunk[4..8], *right);
                }
            }
            TcpOption::Timestamp(ts) => {
                out[0] = KIND_TIMESTAMP;
                NetworkEndian::write_u32(&mut out[2..6], ts.tsval);
                NetworkEndian::write_u32(&mut out[6..10], ts.tsecr);
            }
            TcpOption::FastOpen(cookie) => {
                out[0] = KIND_FAST_OPEN;
                out[2..].copy_from_slice(cookie);
            }
            TcpOption::FastOpenExperimental(cookie) => {
                out[0] = KIND_EXPERIMENTAL;
                NetworkEndian::write_u16(&mut out[2..4], EXID_FAST_OPEN);
                out[4..].copy_from_slice(cookie);
            }
            TcpOption::AccEcn(a) => {
                out[0] = a.order.kind();
                for (chunk, v) in out[2..]
                    .chunks_exact_mut(ACCECN_FIELD_LEN)
                    .zip(a.in_order())
                {
                    // RFC 9768 §3.2.3: counters are sent modulo 2^24.
                    NetworkEndian::write_u24(chunk, v.unwrap_or(0) & 0x00ff_ffff);
                }
            }
            TcpOption::Unknown { kind, data } => {
                out[0] = kind;
                out[2..].copy_from_slice(data);
            }
        }
        if len > 1 {
            out[1] = u8::try_from(len).expect("option longer than 255 octets");
        }
        rest
    }
}

/// The blocks of a SACK option's data (a multiple of 8 octets, at most
/// 32, checked by the caller), present blocks first (RFC 2018 §3).
#[inline]
pub(crate) fn sack_blocks(data: &[u8]) -> [Option<(u32, u32)>; MAX_SACK_BLOCKS] {
    let mut blocks = [None; MAX_SACK_BLOCKS];
    for (slot, block) in blocks.iter_mut().zip(data.chunks_exact(8)) {
        *slot = Some((
            NetworkEndian::read_u32(&block[0..4]),
            NetworkEndian::read_u32(&block[4..8]),
        ));
    }
    blocks
}

/// The AccECN option of kind `kind` (172 or 174) from its data (0 to 3
/// fields of 3 octets, checked by the caller; RFC 9768 §3.2.3).
#[inline]
pub(crate) fn accecn_fields(kind: u8, data: &[u8]) -> AccEcn {
    let order = if kind == KIND_ACCECN0 {
        AccEcnOrder::Order0
    } else {
        AccEcnOrder::Order1
    };
    let mut fields = [None; 3];
    for (slot, f) in fields.iter_mut().zip(data.chunks_exact(ACCECN_FIELD_LEN)) {
        *slot = Some(NetworkEndian::read_u24(f));
    }
    AccEcn::from_order(order, fields)
}

/// RFC 7413 §4.1.1: the cookie is 0 (request) or 4..=16 octets.
#[inline]
pub(crate) fn fast_open_cookie_len_ok(len: usize) -> bool {
    len == 0 || (FAST_OPEN_COOKIE_MIN_LEN..=FAST_OPEN_COOKIE_MAX_LEN).contains(&len)
}

/// An iterator over the options in a TCP option area.
///
/// Yields `Ok(option)` for each option, including `EndOfList` and
/// `NoOperation`; stops after `EndOfList` (RFC 9293 §3.2: it marks the end
/// of the option list) and after the first `Err(Error::BadOption)`.
#[derive(Debug, Clone)]
pub struct TcpOptionIter<'a> {
    data: &'a [u8],
}

impl<'a> TcpOptionIter<'a> {
    /// Iterate over the raw option bytes (the header past byte 20, up to
    /// the data offset).
    pub const fn new(data: &'a [u8]) -> TcpOptionIter<'a> {
        TcpOptionIter { data }
    }
}

impl<'a> Iterator for TcpOptionIter<'a> {
    type Item = Result<TcpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.data.is_empty() {
            return None;
        }
        match TcpOption::parse(self.data) {
            Ok((option, rest)) => {
                self.data = if option == TcpOption::EndOfList {
                    &[]
                } else {
                    rest
                };
                Some(Ok(option))
            }
            Err(e) => {
                self.data = &[];
                Some(Err(e))
            }
        }
    }
}

impl core::iter::FusedIterator for TcpOptionIter<'_> {}

/// The option area `emit_options` writes for `options`: their lengths
/// summed and rounded up to a multiple of four (RFC 9293 §3.1: the header
/// ends on a 32-bit boundary).
pub fn options_len(options: &[TcpOption<'_>]) -> usize {
    let raw: usize = options.iter().map(TcpOption::buffer_len).sum();
    raw.div_ceil(4) * 4
}

/// Write `options` into `buffer`, padded with No-Operations to a multiple
/// of four, and return the length written ([`options_len`]).
///
/// Fails with `BadOption` when an option is not
/// [well formed](TcpOption::is_well_formed), and with `BadLength` when the
/// padded total exceeds [`MAX_OPTIONS_LEN`] or `buffer`; nothing is
/// written then.
pub fn emit_options(options: &[TcpOption<'_>], buffer: &mut [u8]) -> Result<usize> {
    if !options.iter().all(TcpOption::is_well_formed) {
        return Err(Error::BadOption);
    }
    let total = options_len(options);
    if total > MAX_OPTIONS_LEN || total > buffer.len() {
        return Err(Error::BadLength);
    }
    let mut rest = &mut buffer[..total];
    for option in options {
        rest = option.emit(rest);
    }
    rest.fill(KIND_NO_OPERATION);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    fn collect(data: &[u8]) -> Vec<Result<TcpOption<'_>>> {
        TcpOptionIter::new(data).collect()
    }

    #[test]
    fn parse_each_kind() {
        // Each vector: kind, length (counting kind and length), data, laid
        // out by hand from the RFC sections named in the module doc.
        let cases: &[(&[u8], TcpOption<'_>)] = &[
            (&[0], TcpOption::EndOfList),
            (&[1], TcpOption::NoOperation),
            (&[2, 4, 0x05, 0xb4], TcpOption::MaxSegmentSize(1460)),
            (&[3, 3, 7], TcpOption::WindowScale(7)),
            (&[3, 3, 200], TcpOption::WindowScale(200)),
            (&[4, 2], TcpOption::SackPermitted),
            (
                &[5, 10, 0, 0, 0, 1, 0, 0, 0, 2],
                TcpOption::SackRange([Some((1, 2)), None, None, None]),
            ),
            (
                &[8, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0x10, 0],
                TcpOption::Timestamp(TcpTimestamp {
                    tsval: 0xdead_beef,
                    tsecr: 0x1000,
                }),
            ),
            (&[34, 2], TcpOption::FastOpen(&[])),
            (&[34, 6, 1, 2, 3, 4], TcpOption::FastOpen(&[1, 2, 3, 4])),
            (&[254, 4, 0xf9, 0x89], TcpOption::FastOpenExperimental(&[])),
            (
                &[254, 8, 0xf9, 0x89, 9, 8, 7, 6],
                TcpOption::FastOpenExperimental(&[9, 8, 7, 6]),
            ),
            (
                &[254, 4, 0x12, 0x34],
                TcpOption::Unknown {
                    kind: 254,
                    data: &[0x12, 0x34],
                },
            ),
            (
                &[254, 2],
                TcpOption::Unknown {
                    kind: 254,
                    data: &[],
                },
            ),
            (
                &[172, 2],
                TcpOption::AccEcn(AccEcn {
                    order: AccEcnOrder::Order0,
                    ee0b: None,
                    eceb: None,
                    ee1b: None,
                }),
            ),
            (
                &[172, 11, 0, 0, 1, 0, 0, 2, 0xff, 0xff, 0xff],
                TcpOption::AccEcn(AccEcn {
                    order: AccEcnOrder::Order0,
                    ee0b: Some(1),
                    eceb: Some(2),
                    ee1b: Some(0xff_ffff),
                }),
            ),
            (
                &[174, 5, 0, 1, 0],
                TcpOption::AccEcn(AccEcn {
                    order: AccEcnOrder::Order1,
                    ee0b: None,
                    eceb: None,
                    ee1b: Some(256),
                }),
            ),
            (
                &[174, 8, 0, 0, 3, 0, 0, 4],
                TcpOption::AccEcn(AccEcn {
                    order: AccEcnOrder::Order1,
                    ee0b: None,
                    eceb: Some(4),
                    ee1b: Some(3),
                }),
            ),
            (
                &[99, 3, 42],
                TcpOption::Unknown {
                    kind: 99,
                    data: &[42],
                },
            ),
        ];
        for (bytes, want) in cases {
            let (got, rest) = TcpOption::parse(bytes).unwrap();
            assert_eq!(got, *want, "{bytes:?}");
            assert!(rest.is_empty());
            assert_eq!(got.buffer_len(), bytes.len());
            // Emit reproduces the bytes exactly.
            let mut out = vec![0xa5; bytes.len()];
            assert!(got.emit(&mut out).is_empty());
            assert_eq!(&out[..], *bytes);
        }
    }

    #[test]
    fn sack_four_blocks() {
        let mut b = vec![5, 34];
        for i in 0..8u32 {
            b.extend_from_slice(&(i * 100).to_be_bytes());
        }
        let got = collect(&b);
        assert_eq!(
            got,
            vec![Ok(TcpOption::SackRange([
                Some((0, 100)),
                Some((200, 300)),
                Some((400, 500)),
                Some((600, 700))
            ]))]
        );
    }

    #[test]
    fn end_of_list_stops() {
        let b = [1, 1, 0, 2, 4, 1, 2];
        assert_eq!(
            collect(&b),
            vec![
                Ok(TcpOption::NoOperation),
                Ok(TcpOption::NoOperation),
                Ok(TcpOption::EndOfList)
            ]
        );
        // Garbage after the end of list is never looked at.
        let b = [0, 2, 0];
        assert_eq!(collect(&b), vec![Ok(TcpOption::EndOfList)]);
    }

    #[test]
    fn malformed_lengths() {
        let bad: &[&[u8]] = &[
            // Kind with no length octet.
            &[2],
            // Length 0 and 1 (RFC 9293 §3.2 names zero as illegal).
            &[99, 0],
            &[99, 1, 0, 0],
            // Overrun.
            &[99, 5, 0, 0],
            &[8, 10, 0, 0, 0, 0, 0, 0, 0],
            // Known kinds with a wrong length.
            &[2, 3, 0],
            &[2, 5, 0, 0, 0],
            &[3, 2],
            &[3, 4, 0, 0],
            &[4, 3, 0],
            &[8, 9, 0, 0, 0, 0, 0, 0, 0],
            &[8, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            // SACK with no block, a partial block.
            &[5, 2],
            &[5, 9, 0, 0, 0, 0, 0, 0, 0],
            &[5, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            // AccECN with a partial field or four fields.
            &[172, 3, 0],
            &[174, 4, 0, 0],
            &[172, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ];
        for b in bad {
            assert_eq!(collect(b), vec![Err(Error::BadOption)], "{b:?}");
        }
        // SACK with five blocks: too long for a header, but the iterator
        // also rejects it on a bare slice.
        let mut b = vec![5, 42];
        b.extend_from_slice(&[0; 40]);
        assert_eq!(collect(&b), vec![Err(Error::BadOption)]);
        // Fast Open cookies of 1..=3 and 17 octets, both forms.
        for n in [1usize, 2, 3, 17] {
            let mut b = vec![34, (2 + n) as u8];
            b.extend(core::iter::repeat_n(7, n));
            assert_eq!(collect(&b), vec![Err(Error::BadOption)], "tfo {n}");
            let mut b = vec![254, (4 + n) as u8, 0xf9, 0x89];
            b.extend(core::iter::repeat_n(7, n));
            assert_eq!(collect(&b), vec![Err(Error::BadOption)], "exp tfo {n}");
        }
    }

    #[test]
    fn error_ends_iteration() {
        let b = [1, 99, 0, 1, 1];
        assert_eq!(
            collect(&b),
            vec![Ok(TcpOption::NoOperation), Err(Error::BadOption)]
        );
    }

    #[test]
    fn emit_pads_with_nop() {
        let opts = [TcpOption::MaxSegmentSize(536), TcpOption::WindowScale(2)];
        assert_eq!(options_len(&opts), 8);
        let mut b = [0xa5; 8];
        assert_eq!(emit_options(&opts, &mut b), Ok(8));
        assert_eq!(b, [2, 4, 0x02, 0x18, 3, 3, 2, 1]);
        assert_eq!(emit_options(&opts, &mut b[..7]), Err(Error::BadLength));
        // 44 octets do not fit in the option area.
        let sack = TcpOption::SackRange([Some((1, 2)); 4]);
        let ts = TcpOption::Timestamp(TcpTimestamp::default());
        let mut big = [0; 64];
        assert_eq!(emit_options(&[sack, ts], &mut big), Err(Error::BadLength));
        // Ill-formed options are refused.
        let empty_sack = TcpOption::SackRange([None; 4]);
        assert_eq!(emit_options(&[empty_sack], &mut big), Err(Error::BadOption));
        assert_eq!(
            emit_options(&[TcpOption::FastOpen(&[1, 2])], &mut big),
            Err(Error::BadOption)
        );
        assert_eq!(emit_options(&[], &mut big), Ok(0));
    }

    #[test]
    fn fast_open_cookie() {
        assert!(FastOpenCookie::request().is_request());
        assert_eq!(FastOpenCookie::new(&[]), Some(FastOpenCookie::request()));
        for n in 1..=3 {
            assert_eq!(FastOpenCookie::new(&[1; 3][..n]), None);
        }
        assert_eq!(FastOpenCookie::new(&[1; 17]), None);
        let c = FastOpenCookie::new(&[1, 2, 3, 4, 5]).unwrap();
        assert_eq!(c.as_bytes(), &[1, 2, 3, 4, 5]);
        assert!(!c.is_request());
    }

    #[test]
    fn accecn_truncation() {
        let a = AccEcn {
            order: AccEcnOrder::Order1,
            ee0b: Some(1),
            eceb: Some(2),
            ee1b: Some(3),
        };
        assert_eq!(a.field_count(), 3);
        assert_eq!(a.wire_len(), 11);
        let t = a.truncated(1);
        assert_eq!((t.ee1b, t.eceb, t.ee0b), (Some(3), None, None));
        assert_eq!(a.truncated(0).wire_len(), 2);
        // A hole stops the prefix.
        let h = AccEcn { eceb: None, ..a };
        assert_eq!(h.field_count(), 1);
    }

    fn arb_option() -> impl Strategy<Value = (u8, Vec<u8>)> {
        // Options as (kind, data) built from well-formed shapes.
        prop_oneof![
            any::<u16>().prop_map(|m| (2, m.to_be_bytes().to_vec())),
            any::<u8>().prop_map(|s| (3, vec![s])),
            Just((4, vec![])),
            proptest::collection::vec(any::<u8>(), 1..=4).prop_flat_map(|n| {
                proptest::collection::vec(any::<u8>(), n.len() * 8).prop_map(|d| (5, d))
            }),
            proptest::collection::vec(any::<u8>(), 8).prop_map(|d| (8, d)),
            prop_oneof![Just(0usize), 4usize..=16]
                .prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n))
                .prop_map(|d| (34, d)),
            (0usize..=3, any::<bool>()).prop_flat_map(|(n, one)| {
                proptest::collection::vec(any::<u8>(), n * 3)
                    .prop_map(move |d| (if one { 174 } else { 172 }, d))
            }),
            (9u8..=33, proptest::collection::vec(any::<u8>(), 0..6)),
        ]
    }

    proptest! {
        #[test]
        fn reemit_round_trips(opts in proptest::collection::vec(arb_option(), 0..4)) {
            let mut raw = Vec::new();
            for (k, d) in &opts {
                raw.push(*k);
                raw.push((d.len() + 2) as u8);
                raw.extend_from_slice(d);
            }
            let parsed: Vec<TcpOption<'_>> = TcpOptionIter::new(&raw).map(|r| r.unwrap()).collect();
            prop_assert_eq!(parsed.len(), opts.len());
            let mut out = vec![0; raw.len()];
            let mut rest = &mut out[..];
            for o in &parsed {
                rest = o.emit(rest);
            }
            prop_assert!(rest.is_empty());
            prop_assert_eq!(&out, &raw);
            if options_len(&parsed) <= MAX_OPTIONS_LEN {
                let mut padded = vec![0; options_len(&parsed)];
                prop_assert_eq!(emit_options(&parsed, &mut padded), Ok(padded.len()));
                let again: Vec<TcpOption<'_>> = TcpOptionIter::new(&padded)
                    .map(|r| r.unwrap())
                    .filter(|o| *o != TcpOption::NoOperation)
                    .collect();
                prop_assert_eq!(again, parsed);
            }
        }

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut n = 0;
            for r in TcpOptionIter::new(&data) {
                n += 1;
                if let Ok(o) = r {
                    let _ = (o.buffer_len(), o.is_well_formed());
                }
            }
            // Each item consumes at least one octet.
            prop_assert!(n <= data.len());
        }
    }
}
