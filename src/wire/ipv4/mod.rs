//! IPv4 (RFC 791), with the DS field of RFC 2474, the ECN field of
//! RFC 3168, the Identification rules of RFC 6864 and the fragment fields
//! used by reassembly (RFC 791 §3.2, RFC 815).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version|  IHL  |   DSCP    |ECN|          Total Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Identification        |R|D|M|      Fragment Offset    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Time to Live |    Protocol   |         Header Checksum       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Source Address                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Destination Address                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Options (IHL*4 - 20 bytes)                 |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! R is the reserved flag (must be zero, RFC 791 §3.1; readable here),
//! D is Don't Fragment, M is More Fragments.

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv4Addr;

use super::checksum::{self, Checksum};
use super::ip::{IpEcn, IpProtocol};
use super::{Error, Result};

mod options;
#[cfg(test)]
// Tests link std; `alloc` is not always enabled, so std's re-exports it is.
#[allow(clippy::std_instead_of_alloc)]
mod tests;

pub use self::options::{
    Ipv4Option, MAX_OPTIONS_LEN, OptionClass, OptionType, OptionsIter, ROUTER_ALERT_EXAMINE,
    check_options, copied_options,
};

mod field {
    use crate::wire::field::Field;
    pub(crate) const VER_IHL: usize = 0;
    pub(crate) const DSCP_ECN: usize = 1;
    pub(crate) const LENGTH: Field = 2..4;
    pub(crate) const IDENT: Field = 4..6;
    pub(crate) const FLG_OFF: Field = 6..8;
    pub(crate) const TTL: usize = 8;
    pub(crate) const PROTOCOL: usize = 9;
    pub(crate) const CHECKSUM: Field = 10..12;
    pub(crate) const SRC_ADDR: Field = 12..16;
    pub(crate) const DST_ADDR: Field = 16..20;
}

/// The fixed header length (IHL = 5, RFC 791 §3.1).
pub const HEADER_LEN: usize = 20;

/// The largest header: IHL = 15 words (RFC 791 §3.1).
pub const MAX_HEADER_LEN: usize = HEADER_LEN + MAX_OPTIONS_LEN;

/// The datagram size every host must accept (RFC 791 §3.1: "All hosts must
/// be prepared to accept datagrams of up to 576 octets").
pub const MIN_MTU: usize = 576;

/// The largest datagram: Total Length is 16 bits (RFC 791 §3.1).
pub const MAX_PACKET_LEN: usize = 65535;

/// Fragment offsets count units of 8 octets (RFC 791 §3.1).
pub const FRAGMENT_UNIT: usize = 8;

// RFC 791 §3.1: flag bits of the Flags/Fragment Offset word.
const FLAG_RESERVED: u16 = 0x8000;
const FLAG_DF: u16 = 0x4000;
const FLAG_MF: u16 = 0x2000;
const OFFSET_MASK: u16 = 0x1fff;

/// A view over an IPv4 datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wrap a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wrap a buffer and check that every accessor is safe.
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Check the version and that the header and the Total Length the
    /// header claims fit in the buffer.
    ///
    /// Errors, in this order: buffer below 20 bytes → `Truncated`; version
    /// other than 4 → `BadVersion`; IHL below 5 → `BadLength`; Total Length
    /// below the header length → `BadLength`; buffer shorter than Total
    /// Length → `Truncated`. Bytes past Total Length (Ethernet padding) are
    /// allowed and ignored.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        if self.version() != 4 {
            return Err(Error::BadVersion);
        }
        let header_len = usize::from(self.header_len());
        // RFC 791 §3.1: "the minimum value for a correct header is 5".
        if header_len < HEADER_LEN {
            return Err(Error::BadLength);
        }
        let total_len = usize::from(self.total_len());
        // RFC 791 §3.1: Total Length counts the header and the data.
        if total_len < header_len {
            return Err(Error::BadLength);
        }
        if total_len > len {
            return Err(Error::Truncated);
        }
        // Implied by the two checks above; kept for the accessors' sake.
        if header_len > len {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Give back the buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The version field (4 for IPv4).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[field::VER_IHL] >> 4
    }
    /// The header length in bytes (IHL × 4).
    #[inline]
    pub fn header_len(&self) -> u8 {
        (self.buffer.as_ref()[field::VER_IHL] & 0x0f) * 4
    }
    /// The Differentiated Services Code Point (RFC 2474 §3).
    #[inline]
    pub fn dscp(&self) -> u8 {
        self.buffer.as_ref()[field::DSCP_ECN] >> 2
    }
    /// The ECN field (RFC 3168 §5).
    #[inline]
    pub fn ecn(&self) -> IpEcn {
        IpEcn::from_bits(self.buffer.as_ref()[field::DSCP_ECN])
    }
    /// The Total Length field (header and data).
    #[inline]
    pub fn total_len(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::LENGTH])
    }
    /// The Identification field (RFC 6864: meaningful only for fragments).
    #[inline]
    pub fn ident(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::IDENT])
    }
    #[inline]
    fn flags_offset(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::FLG_OFF])
    }
    /// The reserved flag bit (RFC 791 §3.1 "must be zero"; RFC 3514's
    /// "evil bit").
    #[inline]
    pub fn reserved_flag(&self) -> bool {
        self.flags_offset() & FLAG_RESERVED != 0
    }
    /// The Don't Fragment flag.
    #[inline]
    pub fn dont_frag(&self) -> bool {
        self.flags_offset() & FLAG_DF != 0
    }
    /// The More Fragments flag.
    #[inline]
    pub fn more_frags(&self) -> bool {
        self.flags_offset() & FLAG_MF != 0
    }
    /// The fragment offset in bytes (the field × 8).
    #[inline]
    pub fn frag_offset(&self) -> u16 {
        // 13 bits × 8 is at most 65528: no overflow.
        (self.flags_offset() & OFFSET_MASK) * 8
    }
    /// Whether this datagram is a fragment (MF set or a non-zero offset).
    #[inline]
    pub fn is_fragment(&self) -> bool {
        self.more_frags() || self.frag_offset() != 0
    }
    /// The Time to Live.
    #[inline]
    pub fn ttl(&self) -> u8 {
        self.buffer.as_ref()[field::TTL]
    }
    /// The Protocol field.
    #[inline]
    pub fn protocol(&self) -> IpProtocol {
        IpProtocol::from(self.buffer.as_ref()[field::PROTOCOL])
    }
    /// The Header Checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::CHECKSUM])
    }
    /// The source address.
    #[inline]
    pub fn src_addr(&self) -> Ipv4Addr {
        let mut a = [0u8; 4];
        a.copy_from_slice(&self.buffer.as_ref()[field::SRC_ADDR]);
        Ipv4Addr::from(a)
    }
    /// The destination address.
    #[inline]
    pub fn dst_addr(&self) -> Ipv4Addr {
        let mut a = [0u8; 4];
        a.copy_from_slice(&self.buffer.as_ref()[field::DST_ADDR]);
        Ipv4Addr::from(a)
    }

    /// Whether the header checksum verifies (RFC 791 §3.1: the one's
    /// complement sum of the header, checksum included, is all ones).
    #[inline]
    pub fn verify_checksum(&self) -> bool {
        let header = &self.buffer.as_ref()[..usize::from(self.header_len())];
        // The common header without options summed inline (five words,
        // no call); with options through the general routine.
        if let Ok(fixed) = <&[u8; HEADER_LEN]>::try_from(header) {
            return checksum::data20(fixed) == 0xffff;
        }
        checksum::data(header) == 0xffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The options area: the header bytes after the fixed 20 (a multiple of
    /// four, at most 40).
    #[inline]
    pub fn options(&self) -> &'a [u8] {
        let end = usize::from(self.header_len());
        &self.buffer.as_ref()[HEADER_LEN..end]
    }
    /// An iterator over the options.
    #[inline]
    pub fn options_iter(&self) -> OptionsIter<'a> {
        OptionsIter::new(self.options())
    }
    /// The data, from the end of the header to Total Length (padding
    /// excluded).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let start = usize::from(self.header_len());
        let end = usize::from(self.total_len());
        &self.buffer.as_ref()[start..end]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Set the version field.
    #[inline]
    pub fn set_version(&mut self, v: u8) {
        let b = &mut self.buffer.as_mut()[field::VER_IHL];
        *b = (*b & 0x0f) | (v << 4);
    }
    /// Set the header length in bytes (stored as IHL = `v / 4`).
    #[inline]
    pub fn set_header_len(&mut self, v: u8) {
        let b = &mut self.buffer.as_mut()[field::VER_IHL];
        *b = (*b & 0xf0) | ((v / 4) & 0x0f);
    }
    /// Set the DSCP (six bits).
    #[inline]
    pub fn set_dscp(&mut self, v: u8) {
        let b = &mut self.buffer.as_mut()[field::DSCP_ECN];
        *b = (*b & 0b11) | ((v & 0x3f) << 2);
    }
    /// Set the ECN field.
    #[inline]
    pub fn set_ecn(&mut self, v: IpEcn) {
        let b = &mut self.buffer.as_mut()[field::DSCP_ECN];
        *b = (*b & !0b11) | v.bits();
    }
    /// Set the Total Length field.
    #[inline]
    pub fn set_total_len(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::LENGTH], v)
    }
    /// Set the Identification field.
    #[inline]
    pub fn set_ident(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::IDENT], v)
    }
    #[inline]
    fn set_flags_offset(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::FLG_OFF], v)
    }
    #[inline]
    fn set_flag(&mut self, flag: u16, on: bool) {
        let v = self.flags_offset();
        self.set_flags_offset(if on { v | flag } else { v & !flag });
    }
    /// Clear the three flag bits.
    #[inline]
    pub fn clear_flags(&mut self) {
        let v = self.flags_offset();
        self.set_flags_offset(v & OFFSET_MASK);
    }
    /// Set the reserved flag bit (a sender must leave it zero).
    #[inline]
    pub fn set_reserved_flag(&mut self, on: bool) {
        self.set_flag(FLAG_RESERVED, on)
    }
    /// Set the Don't Fragment flag.
    #[inline]
    pub fn set_dont_frag(&mut self, on: bool) {
        self.set_flag(FLAG_DF, on)
    }
    /// Set the More Fragments flag.
    #[inline]
    pub fn set_more_frags(&mut self, on: bool) {
        self.set_flag(FLAG_MF, on)
    }
    /// Set the fragment offset in bytes (stored as `v / 8`; the low three
    /// bits are dropped).
    #[inline]
    pub fn set_frag_offset(&mut self, v: u16) {
        let flags = self.flags_offset() & !OFFSET_MASK;
        self.set_flags_offset(flags | (v / 8));
    }
    /// Set the Time to Live.
    #[inline]
    pub fn set_ttl(&mut self, v: u8) {
        self.buffer.as_mut()[field::TTL] = v
    }
    /// Set the Protocol field.
    #[inline]
    pub fn set_protocol(&mut self, v: IpProtocol) {
        self.buffer.as_mut()[field::PROTOCOL] = u8::from(v)
    }
    /// Set the Header Checksum field.
    #[inline]
    pub fn set_checksum(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::CHECKSUM], v)
    }
    /// Set the source address.
    #[inline]
    pub fn set_src_addr(&mut self, v: Ipv4Addr) {
        self.buffer.as_mut()[field::SRC_ADDR].copy_from_slice(&v.octets())
    }
    /// Set the destination address.
    #[inline]
    pub fn set_dst_addr(&mut self, v: Ipv4Addr) {
        self.buffer.as_mut()[field::DST_ADDR].copy_from_slice(&v.octets())
    }
    /// The options area, as the header length says.
    #[inline]
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = usize::from(self.header_len());
        &mut self.buffer.as_mut()[HEADER_LEN..end]
    }
    /// The data, from the end of the header to Total Length.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = usize::from(self.header_len());
        let end = usize::from(self.total_len());
        &mut self.buffer.as_mut()[start..end]
    }
    /// Compute and store the header checksum (RFC 791 §3.1).
    #[inline]
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let header = &self.buffer.as_ref()[..usize::from(self.header_len())];
        // The usual header, without options, summed inline.
        let sum = match <&[u8; HEADER_LEN]>::try_from(header) {
            Ok(fixed) => checksum::data20(fixed),
            Err(_) => checksum::data(header),
        };
        self.set_checksum(checksum::finish(sum));
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed IPv4 header. The payload stays in the packet.
///
/// The options are kept as the raw options area (`options`), which
/// [`Repr::parse`] has walked once with [`OptionsIter`] so it is known to be
/// well formed; iterate it again with [`Repr::options_iter`]. This keeps the
/// `Repr` `Copy` and allocation-free and makes emit → parse exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Repr<'a> {
    /// Source address.
    pub src_addr: Ipv4Addr,
    /// Destination address.
    pub dst_addr: Ipv4Addr,
    /// The protocol of the payload.
    pub protocol: IpProtocol,
    /// The payload length (Total Length less the header).
    pub payload_len: usize,
    /// Time to Live.
    pub ttl: u8,
    /// Differentiated Services Code Point (six bits, RFC 2474 §3).
    pub dscp: u8,
    /// ECN codepoint (RFC 3168 §5).
    pub ecn: IpEcn,
    /// Identification (RFC 6864: unique per source, destination and
    /// protocol only while fragments may be in flight; any value for an
    /// atomic datagram).
    pub ident: u16,
    /// Don't Fragment.
    pub dont_frag: bool,
    /// More Fragments.
    pub more_frags: bool,
    /// Fragment offset in bytes (a multiple of 8).
    pub frag_offset: u16,
    /// The raw options area (with any End-of-List padding), at most 40
    /// bytes. `emit` pads it to a multiple of four.
    pub options: &'a [u8],
}

impl<'a> Repr<'a> {
    /// Parse and validate a header.
    ///
    /// Beyond [`Packet::check_len`]: the header checksum when
    /// `checksum.rx()` ([`Error::BadChecksum`]); every option is walked once
    /// ([`Error::BadOption`]); a fragment with More Fragments set must carry
    /// a multiple of 8 bytes, and the fragment must end inside a 65535-byte
    /// datagram ([`Error::BadLength`]).
    ///
    /// Not checked here (the interface's business): source address
    /// validity (RFC 1122 §3.2.1.3), source routing, the reserved flag
    /// (ignored, as receivers do).
    #[inline]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        checksum: Checksum,
    ) -> Result<Repr<'a>> {
        // The fixed header read once as an array: every field below comes
        // from it without a bounds check. The checks are `check_len`'s, in
        // its order (so the same error for the same input).
        let buf: &'a [u8] = packet.buffer.as_ref();
        let Some(h) = buf.first_chunk::<HEADER_LEN>() else {
            return Err(Error::Truncated);
        };
        if h[field::VER_IHL] >> 4 != 4 {
            return Err(Error::BadVersion);
        }
        let header_len = usize::from(h[field::VER_IHL] & 0x0f) * 4;
        // RFC 791 §3.1: "the minimum value for a correct header is 5".
        if header_len < HEADER_LEN {
            return Err(Error::BadLength);
        }
        let total_len = usize::from(u16::from_be_bytes([h[2], h[3]]));
        // RFC 791 §3.1: Total Length counts the header and the data.
        if total_len < header_len {
            return Err(Error::BadLength);
        }
        if total_len > buf.len() {
            return Err(Error::Truncated);
        }
        // header_len <= total_len <= buf.len() from here on.
        let Some(options) = buf.get(HEADER_LEN..header_len) else {
            return Err(Error::Truncated);
        };
        // RFC 791 §3.1: the header checksum covers the header only (the
        // fixed header summed from registers when there are no options).
        if checksum.rx() {
            let sum = if options.is_empty() {
                checksum::data20(h)
            } else {
                checksum::data(&buf[..header_len])
            };
            if sum != 0xffff {
                return Err(Error::BadChecksum);
            }
        }
        // Most datagrams carry no options: skip the walk's call.
        if !options.is_empty() {
            check_options(options)?;
        }
        let payload_len = total_len - header_len;
        let flags_offset = u16::from_be_bytes([h[6], h[7]]);
        let more_frags = flags_offset & FLAG_MF != 0;
        // 13 bits x 8 is at most 65528: no overflow.
        let frag_offset = (flags_offset & OFFSET_MASK) * 8;
        // RFC 791 §3.2: fragments are cut on 8-octet boundaries, so every
        // fragment but the last carries a multiple of 8 octets.
        if more_frags && payload_len % FRAGMENT_UNIT != 0 {
            return Err(Error::BadLength);
        }
        // RFC 791 §3.1: the reassembled datagram must fit Total Length's 16
        // bits; a fragment ending past that is malformed ("ping of death").
        if usize::from(frag_offset) + payload_len > MAX_PACKET_LEN - HEADER_LEN {
            return Err(Error::BadLength);
        }
        Ok(Repr {
            src_addr: Ipv4Addr::new(h[12], h[13], h[14], h[15]),
            dst_addr: Ipv4Addr::new(h[16], h[17], h[18], h[19]),
            protocol: IpProtocol::from(h[field::PROTOCOL]),
            payload_len,
            ttl: h[field::TTL],
            dscp: h[field::DSCP_ECN] >> 2,
            ecn: IpEcn::from_bits(h[field::DSCP_ECN]),
            ident: u16::from_be_bytes([h[4], h[5]]),
            dont_frag: flags_offset & FLAG_DF != 0,
            more_frags,
            frag_offset,
            options,
        })
    }

    /// An iterator over the options.
    #[inline]
    pub fn options_iter(&self) -> OptionsIter<'a> {
        OptionsIter::new(self.options)
    }

    /// The options area length `emit` writes: the options padded to a
    /// multiple of four, at most 40.
    #[inline]
    pub fn options_len(&self) -> usize {
        self.options
            .len()
            .div_ceil(4)
            .saturating_mul(4)
            .min(MAX_OPTIONS_LEN)
    }

    /// The header length `emit` writes.
    #[inline]
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options_len()
    }

    /// The bytes `emit` writes: the header (the payload follows it).
    #[inline]
    pub fn buffer_len(&self) -> usize {
        self.header_len()
    }

    /// The Total Length `emit` writes.
    #[inline]
    pub fn total_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// Whether this is an atomic datagram (RFC 6864 §4.1: DF set, MF clear,
    /// offset zero), for which the Identification carries no meaning.
    #[inline]
    pub fn is_atomic(&self) -> bool {
        self.dont_frag && !self.more_frags && self.frag_offset == 0
    }

    /// Write the header into `packet` (at least `buffer_len()` bytes) and,
    /// if `checksum.tx()`, its checksum (otherwise zero, for the device).
    ///
    /// Caller's contract, not checked: options at most 40 bytes (longer are
    /// cut), `total_len()` at most 65535 (saturated), `frag_offset` a
    /// multiple of 8 (low bits dropped), `dscp` six bits (masked).
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>, checksum: Checksum) {
        // The fixed header is assembled in registers, written with one
        // copy, and (without options) summed before it is stored: reading
        // back bytes just written field by field stalls store forwarding.
        if self.options.is_empty() {
            // The common case on its own: every length a constant.
            let mut h = self.fixed_header(HEADER_LEN);
            if checksum.tx() {
                let c = checksum::finish(checksum::data20(&h));
                h[field::CHECKSUM].copy_from_slice(&c.to_be_bytes());
            }
            packet.buffer.as_mut()[..HEADER_LEN].copy_from_slice(&h);
            return;
        }
        let h = self.fixed_header(self.header_len());
        packet.buffer.as_mut()[..HEADER_LEN].copy_from_slice(&h);
        let options = packet.options_mut();
        let n = self.options.len().min(options.len());
        options[..n].copy_from_slice(&self.options[..n]);
        // RFC 791 §3.1: the header is padded with zeros (End of Option
        // List) to a 32-bit boundary.
        options[n..].fill(0);
        if checksum.tx() {
            packet.fill_checksum();
        }
    }

    /// The 20-byte fixed header of a `header_len`-byte header, checksum
    /// zero.
    #[inline(always)]
    fn fixed_header(&self, header_len: usize) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        // Version 4; header_len <= 60, so IHL fits its four bits.
        h[field::VER_IHL] = 0x40 | ((header_len / 4) as u8 & 0x0f);
        h[field::DSCP_ECN] = ((self.dscp & 0x3f) << 2) | self.ecn.bits();
        let total_len = u16::try_from(header_len + self.payload_len).unwrap_or(u16::MAX);
        h[field::LENGTH].copy_from_slice(&total_len.to_be_bytes());
        h[field::IDENT].copy_from_slice(&self.ident.to_be_bytes());
        // RFC 791 §3.1: the reserved flag is zero; the offset counts 8-octet
        // units (low bits dropped).
        let mut flags_offset = self.frag_offset / 8;
        if self.dont_frag {
            flags_offset |= FLAG_DF;
        }
        if self.more_frags {
            flags_offset |= FLAG_MF;
        }
        h[field::FLG_OFF].copy_from_slice(&flags_offset.to_be_bytes());
        h[field::TTL] = self.ttl;
        h[field::PROTOCOL] = self.protocol.0;
        h[field::SRC_ADDR].copy_from_slice(&self.src_addr.octets());
        h[field::DST_ADDR].copy_from_slice(&self.dst_addr.octets());
        h
    }

    /// The header of one fragment of this datagram (RFC 791 §3.2): the
    /// fragment starts `offset` bytes (a multiple of 8) into this Repr's
    /// payload and carries `payload_len` bytes; `last` says whether it ends
    /// the payload. More Fragments stays set if this Repr is itself a
    /// non-final fragment.
    ///
    /// The options are kept: right for the first fragment; for the others
    /// replace them with [`copied_options`]. Refusing to fragment a
    /// datagram with Don't Fragment set is the caller's decision.
    #[inline]
    pub fn fragment(&self, offset: u16, payload_len: usize, last: bool) -> Repr<'a> {
        Repr {
            frag_offset: self.frag_offset.saturating_add(offset),
            more_frags: self.more_frags || !last,
            payload_len,
            ..*self
        }
    }

    /// The most payload bytes a non-final fragment with this header can
    /// carry in `mtu` bytes: what is left after the header, rounded down to
    /// a multiple of 8 (RFC 791 §3.2).
    #[inline]
    pub fn max_fragment_payload(&self, mtu: usize) -> usize {
        let room = mtu.saturating_sub(self.header_len());
        room - room % FRAGMENT_UNIT
    }
}
