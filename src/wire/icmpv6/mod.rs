//! ICMPv6 (RFC 4443), the message view shared with Neighbor Discovery
//! ([`super::ndisc`], RFC 4861) and Multicast Listener Discovery
//! ([`super::mld`], RFC 2710 / RFC 3810).
//!
//! Every ICMPv6 message starts with the same four bytes; the next four are
//! type-specific (RFC 4443 §2.1):
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Unused / MTU (2) / Pointer (4) / Identifier + Sequence (128) |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    As much of the invoking packet as fits (errors) / Data ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
//! ```
//!
//! ICMPv6 has no length field: the message is the whole buffer, which the
//! caller slices to the IPv6 payload length. The checksum covers the IPv6
//! pseudo-header with next header 58 (RFC 4443 §2.3, RFC 8200 §8.1).
//!
//! # Unknown messages
//!
//! RFC 4443 §2.4(a)/(b): an unknown *informational* message (type >= 128)
//! MUST be silently discarded; an unknown *error* message (type < 128)
//! MUST be passed up to the upper-layer process that sent the invoking
//! packet. [`Repr::parse`] returns [`Error::Unrecognized`] for both; the
//! interface tells them apart with [`Message::is_error`] on
//! [`Packet::msg_type`] and, for an error, hands [`Packet::payload`] (the
//! invoking packet, RFC 4443 §2.1 layout assumed) to the upper layer.
//! Known error types with an unknown code are parsed (the code is kept in
//! the `Unknown(u8)` variant of the code enum) and passed up as well.

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv6Addr;

use super::checksum::{self, Checksum};
use super::ip::IpProtocol;
use super::mld::Repr as MldRepr;
use super::ndisc::Repr as NdiscRepr;
use super::{Error, Result};

#[cfg(test)]
mod tests;

/// Declare an enum mapping `u8` values both ways, with an `Unknown(u8)`
/// catch-all.
macro_rules! enum_with_unknown {
    (
        $(#[$enum_attr:meta])*
        pub enum $name:ident {
            $( $(#[$variant_attr:meta])* $variant:ident = $value:expr ),+ $(,)?
        }
    ) => {
        $(#[$enum_attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum $name {
            $( $(#[$variant_attr])* $variant, )+
            /// A value this module does not know. Never holds the value of
            /// a named variant when produced by `From<u8>`.
            Unknown(u8),
        }

        impl From<u8> for $name {
            fn from(value: u8) -> Self {
                match value {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$name> for u8 {
            fn from(value: $name) -> u8 {
                match value {
                    $( $name::$variant => $value, )+
                    $name::Unknown(other) => other,
                }
            }
        }
    };
}
pub(crate) use enum_with_unknown;

mod field {
    use crate::wire::field::{Field, Rest};
    pub(crate) const TYPE: usize = 0;
    pub(crate) const CODE: usize = 1;
    pub(crate) const CHECKSUM: Field = 2..4;
    /// RFC 4443 §3.1, §3.3: 32 unused bits.
    pub(crate) const UNUSED: Field = 4..8;
    /// RFC 4443 §3.2.
    pub(crate) const MTU: Field = 4..8;
    /// RFC 4443 §3.4.
    pub(crate) const POINTER: Field = 4..8;
    /// RFC 4443 §4.1, §4.2.
    pub(crate) const ECHO_IDENT: Field = 4..6;
    pub(crate) const ECHO_SEQNO: Field = 6..8;
    pub(crate) const PAYLOAD: Rest = 8..;
}

/// The length of the common header plus the four type-specific bytes.
pub const HEADER_LEN: usize = 8;

/// RFC 8200 §5: the IPv6 minimum link MTU.
pub const IPV6_MIN_MTU: usize = 1280;

/// The IPv6 fixed header length (RFC 8200 §3).
const IPV6_HEADER_LEN: usize = 40;

/// RFC 4443 §2.4(c): an error message carries as much of the invoking
/// packet as fits without the whole IPv6 packet exceeding
/// [`IPV6_MIN_MTU`]. This is that amount behind a bare 40-byte IPv6 header.
pub const MAX_ERROR_DATA_LEN: usize = IPV6_MIN_MTU - IPV6_HEADER_LEN - HEADER_LEN;

/// RFC 4443 §2.4(c): the most invoking-packet bytes an error message may
/// carry when the IPv6 header of the error (extension headers included) is
/// `ip_header_len` bytes long.
pub const fn max_error_data_len(ip_header_len: usize) -> usize {
    IPV6_MIN_MTU.saturating_sub(ip_header_len.saturating_add(HEADER_LEN))
}

/// RFC 4443 §2.4(c): `data` cut to [`max_error_data_len`]`(ip_header_len)`.
pub fn truncate_error_data(data: &[u8], ip_header_len: usize) -> &[u8] {
    let max = max_error_data_len(ip_header_len);
    &data[..data.len().min(max)]
}

enum_with_unknown! {
    /// The ICMPv6 message type (IANA "ICMPv6 Type Numbers").
    pub enum Message {
        /// RFC 4443 §3.1.
        DstUnreachable = 1,
        /// RFC 4443 §3.2.
        PktTooBig = 2,
        /// RFC 4443 §3.3.
        TimeExceeded = 3,
        /// RFC 4443 §3.4.
        ParamProblem = 4,
        /// RFC 4443 §4.1.
        EchoRequest = 128,
        /// RFC 4443 §4.2.
        EchoReply = 129,
        /// Multicast Listener Query, RFC 2710 §3.6 / RFC 3810 §5.1.
        MldQuery = 130,
        /// Multicast Listener Report (v1), RFC 2710 §3.6.
        MldReport = 131,
        /// Multicast Listener Done, RFC 2710 §3.6.
        MldDone = 132,
        /// RFC 4861 §4.1.
        RouterSolicit = 133,
        /// RFC 4861 §4.2.
        RouterAdvert = 134,
        /// RFC 4861 §4.3.
        NeighborSolicit = 135,
        /// RFC 4861 §4.4.
        NeighborAdvert = 136,
        /// RFC 4861 §4.5.
        Redirect = 137,
        /// Version 2 Multicast Listener Report, RFC 3810 §5.2.
        MldV2Report = 143,
    }
}

impl Message {
    /// RFC 4443 §2.1: types 0..=127 are error messages.
    pub fn is_error(&self) -> bool {
        u8::from(*self) < 128
    }
    /// Whether this is one of the five Neighbor Discovery messages.
    pub fn is_ndisc(&self) -> bool {
        matches!(
            self,
            Message::RouterSolicit
                | Message::RouterAdvert
                | Message::NeighborSolicit
                | Message::NeighborAdvert
                | Message::Redirect
        )
    }
    /// Whether this is an MLDv1 or MLDv2 message.
    pub fn is_mld(&self) -> bool {
        matches!(
            self,
            Message::MldQuery | Message::MldReport | Message::MldDone | Message::MldV2Report
        )
    }
}

enum_with_unknown! {
    /// Destination Unreachable codes (RFC 4443 §3.1).
    pub enum DstUnreachable {
        /// No route to destination.
        NoRoute = 0,
        /// Communication with destination administratively prohibited.
        AdminProhibit = 1,
        /// Beyond scope of source address.
        BeyondScope = 2,
        /// Address unreachable.
        AddrUnreachable = 3,
        /// Port unreachable.
        PortUnreachable = 4,
        /// Source address failed ingress/egress policy.
        FailedPolicy = 5,
        /// Reject route to destination.
        RejectRoute = 6,
        /// Error in Source Routing Header (RFC 6554 §5.4).
        SrcRoutingHeaderError = 7,
        /// Headers too long (RFC 8883 §3.4).
        HeadersTooLong = 8,
    }
}

enum_with_unknown! {
    /// Time Exceeded codes (RFC 4443 §3.3).
    pub enum TimeExceeded {
        /// Hop limit exceeded in transit.
        HopLimitExceeded = 0,
        /// Fragment reassembly time exceeded.
        FragReassemblyTimeExceeded = 1,
    }
}

enum_with_unknown! {
    /// Parameter Problem codes (RFC 4443 §3.4 and the IANA registry).
    pub enum ParamProblem {
        /// Erroneous header field encountered.
        ErroneousHeaderField = 0,
        /// Unrecognized Next Header type encountered.
        UnrecognizedNxtHdr = 1,
        /// Unrecognized IPv6 option encountered.
        UnrecognizedOption = 2,
        /// IPv6 First Fragment has incomplete IPv6 Header Chain (RFC 7112 §5).
        FirstFragmentIncomplete = 3,
        /// SR Upper-layer Header Error (RFC 8754 §4.3.1.1).
        SrUpperLayerHeaderError = 4,
        /// Unrecognized Next Header type encountered by intermediate node
        /// (RFC 8883 §3.2).
        IntermediateUnrecognizedNxtHdr = 5,
        /// Extension header too big (RFC 8883 §3.3).
        ExtHeaderTooBig = 6,
        /// Extension header chain too long (RFC 8883 §3.3).
        ExtHeaderChainTooLong = 7,
        /// Too many extension headers (RFC 8883 §3.3).
        TooManyExtHeaders = 8,
        /// Too many options in extension header (RFC 8883 §3.3).
        TooManyOptions = 9,
        /// Option too big (RFC 8883 §3.3).
        OptionTooBig = 10,
    }
}

/// A view over a whole ICMPv6 message.
///
/// [`Packet::check_len`] knows the fixed part of every message type this
/// crate parses (including the ND and MLD ones), so that the type-specific
/// accessors here and in [`super::ndisc`] / [`super::mld`] are in range for
/// a checked packet of that type. Accessors for another type's fields
/// never panic either: a field beyond the buffer reads as zero (or the
/// unspecified address).
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
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Check that the buffer holds the 8-byte header and the fixed part of
    /// the message its type announces:
    ///
    /// * Router Advertisement: 16 bytes (RFC 4861 §6.1.2);
    /// * Neighbor Solicitation / Advertisement: 24 (RFC 4861 §7.1.1, §7.1.2);
    /// * Redirect: 40 (RFC 4861 §8.1);
    /// * MLD Query: exactly 24 (MLDv1) or at least 28 plus 16 bytes per
    ///   source (MLDv2); 25..=27 is [`Error::BadLength`] (RFC 3810 §8.1);
    /// * MLDv1 Report / Done: 24 (RFC 2710 §3).
    ///
    /// Anything shorter is [`Error::Truncated`]. ND options and MLDv2
    /// records are checked by their iterators and by `Repr::parse`.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let min = match self.msg_type() {
            Message::RouterAdvert => 16,
            Message::NeighborSolicit | Message::NeighborAdvert => 24,
            Message::Redirect => 40,
            Message::MldReport | Message::MldDone => 24,
            Message::MldQuery => {
                if len < 24 {
                    return Err(Error::Truncated);
                }
                // RFC 3810 §8.1: a Query of 24 octets is MLDv1, of 28 or
                // more MLDv2; anything else MUST be silently ignored.
                if len == 24 {
                    return Ok(());
                }
                if len < 28 {
                    return Err(Error::BadLength);
                }
                // RFC 3810 §5.1.10: N source addresses of 16 octets.
                28usize.saturating_add(usize::from(self.read_u16(26..28)).saturating_mul(16))
            }
            _ => HEADER_LEN,
        };
        if len < min {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Give back the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The whole message.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// A big-endian u16 at `range`, or 0 when the buffer is too short.
    pub(crate) fn read_u16(&self, range: core::ops::Range<usize>) -> u16 {
        self.buffer
            .as_ref()
            .get(range)
            .filter(|b| b.len() == 2)
            .map_or(0, NetworkEndian::read_u16)
    }

    /// A big-endian u32 at `range`, or 0 when the buffer is too short.
    pub(crate) fn read_u32(&self, range: core::ops::Range<usize>) -> u32 {
        self.buffer
            .as_ref()
            .get(range)
            .filter(|b| b.len() == 4)
            .map_or(0, NetworkEndian::read_u32)
    }

    /// The byte at `index`, or 0 when the buffer is too short.
    pub(crate) fn read_u8(&self, index: usize) -> u8 {
        self.buffer.as_ref().get(index).copied().unwrap_or(0)
    }

    /// The IPv6 address at `start..start + 16`, or `::` when the buffer is
    /// too short.
    pub(crate) fn read_addr(&self, start: usize) -> Ipv6Addr {
        self.buffer
            .as_ref()
            .get(start..start.saturating_add(16))
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
            .map_or(Ipv6Addr::UNSPECIFIED, Ipv6Addr::from)
    }

    /// The message type.
    pub fn msg_type(&self) -> Message {
        Message::from(self.read_u8(field::TYPE))
    }
    /// The code field.
    pub fn msg_code(&self) -> u8 {
        self.read_u8(field::CODE)
    }
    /// The checksum field.
    pub fn checksum(&self) -> u16 {
        self.read_u16(field::CHECKSUM)
    }
    /// Echo Request / Reply identifier (RFC 4443 §4.1).
    pub fn echo_ident(&self) -> u16 {
        self.read_u16(field::ECHO_IDENT)
    }
    /// Echo Request / Reply sequence number (RFC 4443 §4.1).
    pub fn echo_seq_no(&self) -> u16 {
        self.read_u16(field::ECHO_SEQNO)
    }
    /// Packet Too Big: the MTU of the next-hop link (RFC 4443 §3.2).
    pub fn pkt_too_big_mtu(&self) -> u32 {
        self.read_u32(field::MTU)
    }
    /// Parameter Problem: the offset of the error in the invoking packet
    /// (RFC 4443 §3.4).
    pub fn param_problem_ptr(&self) -> u32 {
        self.read_u32(field::POINTER)
    }
    /// The four type-specific bytes after the checksum, as one word.
    pub fn unused(&self) -> u32 {
        self.read_u32(field::UNUSED)
    }

    /// Whether the checksum verifies for the given pseudo-header addresses
    /// (RFC 4443 §2.3).
    pub fn verify_checksum(&self, src: &Ipv6Addr, dst: &Ipv6Addr) -> bool {
        let data = self.buffer.as_ref();
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        checksum::combine(&[
            checksum::pseudo_header_v6(src, dst, IpProtocol::Icmpv6, len),
            checksum::data(data),
        ]) == 0xffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// Everything after the 8-byte header: the invoking packet of an error
    /// message, the data of an echo message, the body of an ND or MLD
    /// message after its first 8 bytes. Empty if the buffer is shorter.
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.as_ref().get(field::PAYLOAD).unwrap_or(&[])
    }
    /// The whole message with the lifetime of the underlying buffer.
    pub(crate) fn bytes_ref(&self) -> &'a [u8] {
        self.buffer.as_ref()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// The whole message, writable.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }
    /// Set the message type.
    pub fn set_msg_type(&mut self, v: Message) {
        self.buffer.as_mut()[field::TYPE] = v.into()
    }
    /// Set the code field.
    pub fn set_msg_code(&mut self, v: u8) {
        self.buffer.as_mut()[field::CODE] = v
    }
    /// Set the checksum field.
    pub fn set_checksum(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::CHECKSUM], v)
    }
    /// Set the echo identifier.
    pub fn set_echo_ident(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::ECHO_IDENT], v)
    }
    /// Set the echo sequence number.
    pub fn set_echo_seq_no(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::ECHO_SEQNO], v)
    }
    /// Set the Packet Too Big MTU.
    pub fn set_pkt_too_big_mtu(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::MTU], v)
    }
    /// Set the Parameter Problem pointer.
    pub fn set_param_problem_ptr(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::POINTER], v)
    }
    /// Zero the four type-specific bytes ("unused": RFC 4443 §3.1 says it
    /// MUST be initialized to zero by the originator).
    pub fn clear_unused(&mut self) {
        self.buffer.as_mut()[field::UNUSED].fill(0)
    }
    /// Everything after the 8-byte header, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::PAYLOAD]
    }

    /// Compute and store the checksum over the whole buffer (RFC 4443 §2.3).
    pub fn fill_checksum(&mut self, src: &Ipv6Addr, dst: &Ipv6Addr) {
        self.set_checksum(0);
        let data = self.buffer.as_ref();
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let sum = checksum::combine(&[
            checksum::pseudo_header_v6(src, dst, IpProtocol::Icmpv6, len),
            checksum::data(data),
        ]);
        self.set_checksum(checksum::finish(sum));
    }

    /// Fill the checksum if the stack does it, else leave zero for the
    /// device.
    pub(crate) fn finish_checksum(&mut self, src: &Ipv6Addr, dst: &Ipv6Addr, cs: Checksum) {
        if cs.tx() {
            self.fill_checksum(src, dst)
        } else {
            self.set_checksum(0)
        }
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// IPv6 addresses packed back to back on the wire (MLDv2 sources, RDNSS
/// servers). The byte length is a multiple of 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ipv6AddrList<'a> {
    bytes: &'a [u8],
}

impl<'a> Ipv6AddrList<'a> {
    /// The empty list.
    pub const EMPTY: Ipv6AddrList<'static> = Ipv6AddrList { bytes: &[] };

    /// Wrap `bytes`, which must be a whole number of addresses
    /// ([`Error::BadLength`] otherwise).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Ipv6AddrList<'a>> {
        if !bytes.len().is_multiple_of(16) {
            return Err(Error::BadLength);
        }
        Ok(Ipv6AddrList { bytes })
    }
    /// The raw bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// The number of addresses.
    pub fn len(&self) -> usize {
        self.bytes.len() / 16
    }
    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.len() < 16
    }
    /// The `index`-th address.
    pub fn get(&self, index: usize) -> Option<Ipv6Addr> {
        let start = index.checked_mul(16)?;
        let b: [u8; 16] = self
            .bytes
            .get(start..start.checked_add(16)?)?
            .try_into()
            .ok()?;
        Some(Ipv6Addr::from(b))
    }
    /// Iterate over the addresses.
    pub fn iter(&self) -> Ipv6AddrIter<'a> {
        Ipv6AddrIter {
            chunks: self.bytes.chunks_exact(16),
        }
    }
}

impl<'a> IntoIterator for Ipv6AddrList<'a> {
    type Item = Ipv6Addr;
    type IntoIter = Ipv6AddrIter<'a>;
    fn into_iter(self) -> Ipv6AddrIter<'a> {
        self.iter()
    }
}

/// Iterator over an [`Ipv6AddrList`].
#[derive(Debug, Clone)]
pub struct Ipv6AddrIter<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for Ipv6AddrIter<'_> {
    type Item = Ipv6Addr;
    fn next(&mut self) -> Option<Ipv6Addr> {
        let c = self.chunks.next()?;
        let b: [u8; 16] = c.try_into().ok()?;
        Some(Ipv6Addr::from(b))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

/// Write `addrs` back to back into `buf` (which holds at least
/// `16 * addrs.len()` bytes).
pub(crate) fn emit_addrs(buf: &mut [u8], addrs: &[Ipv6Addr]) {
    for (chunk, a) in buf.chunks_exact_mut(16).zip(addrs) {
        chunk.copy_from_slice(&a.octets());
    }
}

/// A parsed ICMPv6 message.
///
/// `data` of an error message is the raw invoking packet (as much of it as
/// the sender included); the IPv6 layer parses it if it needs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Repr<'a> {
    /// Destination Unreachable (RFC 4443 §3.1).
    DstUnreachable {
        /// The code.
        reason: DstUnreachable,
        /// The invoking packet.
        data: &'a [u8],
    },
    /// Packet Too Big (RFC 4443 §3.2).
    PktTooBig {
        /// The MTU of the next-hop link.
        mtu: u32,
        /// The invoking packet.
        data: &'a [u8],
    },
    /// Time Exceeded (RFC 4443 §3.3).
    TimeExceeded {
        /// The code.
        reason: TimeExceeded,
        /// The invoking packet.
        data: &'a [u8],
    },
    /// Parameter Problem (RFC 4443 §3.4).
    ParamProblem {
        /// The code.
        reason: ParamProblem,
        /// Offset of the error in the invoking packet.
        pointer: u32,
        /// The invoking packet.
        data: &'a [u8],
    },
    /// Echo Request (RFC 4443 §4.1).
    EchoRequest {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// Echo Reply (RFC 4443 §4.2).
    EchoReply {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// A Neighbor Discovery message.
    Ndisc(NdiscRepr<'a>),
    /// A Multicast Listener Discovery message.
    Mld(MldRepr<'a>),
}

impl<'a> Repr<'a> {
    /// Parse a message received from `src` to `dst`, verifying the checksum
    /// when `checksum.rx()`.
    ///
    /// Unknown types are [`Error::Unrecognized`] (see the module docs for
    /// what the caller must do with unknown *error* types). The code of
    /// Packet Too Big and of echo messages is ignored (RFC 4443 §3.2: "set
    /// to 0 by the originator and ignored by the receiver").
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        checksum: Checksum,
    ) -> Result<Repr<'a>> {
        packet.check_len()?;
        if checksum.rx() && !packet.verify_checksum(src, dst) {
            return Err(Error::BadChecksum);
        }
        let data = packet.payload();
        let code = packet.msg_code();
        Ok(match packet.msg_type() {
            Message::DstUnreachable => Repr::DstUnreachable {
                reason: code.into(),
                data,
            },
            Message::PktTooBig => Repr::PktTooBig {
                mtu: packet.pkt_too_big_mtu(),
                data,
            },
            Message::TimeExceeded => Repr::TimeExceeded {
                reason: code.into(),
                data,
            },
            Message::ParamProblem => Repr::ParamProblem {
                reason: code.into(),
                pointer: packet.param_problem_ptr(),
                data,
            },
            Message::EchoRequest => Repr::EchoRequest {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            Message::EchoReply => Repr::EchoReply {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            t if t.is_ndisc() => Repr::Ndisc(NdiscRepr::parse(packet)?),
            t if t.is_mld() => Repr::Mld(MldRepr::parse(packet)?),
            // RFC 4443 §2.4(a), (b): see the module docs.
            _ => return Err(Error::Unrecognized),
        })
    }

    /// The exact number of bytes `emit` writes (ICMPv6 has no length
    /// field: the buffer given to `emit` must be this long).
    ///
    /// Error messages are not truncated here; cut `data` with
    /// [`truncate_error_data`] first (RFC 4443 §2.4(c)).
    pub fn buffer_len(&self) -> usize {
        match self {
            Repr::DstUnreachable { data, .. }
            | Repr::PktTooBig { data, .. }
            | Repr::TimeExceeded { data, .. }
            | Repr::ParamProblem { data, .. }
            | Repr::EchoRequest { data, .. }
            | Repr::EchoReply { data, .. } => HEADER_LEN + data.len(),
            Repr::Ndisc(r) => r.buffer_len(),
            Repr::Mld(r) => r.buffer_len(),
        }
    }

    /// The message type this repr emits.
    pub fn msg_type(&self) -> Message {
        match self {
            Repr::DstUnreachable { .. } => Message::DstUnreachable,
            Repr::PktTooBig { .. } => Message::PktTooBig,
            Repr::TimeExceeded { .. } => Message::TimeExceeded,
            Repr::ParamProblem { .. } => Message::ParamProblem,
            Repr::EchoRequest { .. } => Message::EchoRequest,
            Repr::EchoReply { .. } => Message::EchoReply,
            Repr::Ndisc(r) => r.msg_type(),
            Repr::Mld(r) => r.msg_type(),
        }
    }

    /// Write the message from `src` to `dst`, then its checksum when
    /// `checksum.tx()` (zero otherwise, for the device to fill).
    ///
    /// `packet` must be exactly [`Repr::buffer_len`] bytes long.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        checksum: Checksum,
    ) {
        let (code, data) = match *self {
            Repr::Ndisc(r) => return r.emit(packet, src, dst, checksum),
            Repr::Mld(r) => return r.emit(packet, src, dst, checksum),
            Repr::DstUnreachable { reason, data } => {
                packet.clear_unused();
                (u8::from(reason), data)
            }
            Repr::PktTooBig { mtu, data } => {
                packet.set_pkt_too_big_mtu(mtu);
                (0, data)
            }
            Repr::TimeExceeded { reason, data } => {
                packet.clear_unused();
                (u8::from(reason), data)
            }
            Repr::ParamProblem {
                reason,
                pointer,
                data,
            } => {
                packet.set_param_problem_ptr(pointer);
                (u8::from(reason), data)
            }
            Repr::EchoRequest {
                ident,
                seq_no,
                data,
            }
            | Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => {
                packet.set_echo_ident(ident);
                packet.set_echo_seq_no(seq_no);
                (0, data)
            }
        };
        packet.set_msg_type(self.msg_type());
        packet.set_msg_code(code);
        let payload = packet.payload_mut();
        let n = payload.len().min(data.len());
        payload[..n].copy_from_slice(&data[..n]);
        packet.finish_checksum(src, dst, checksum);
    }
}
