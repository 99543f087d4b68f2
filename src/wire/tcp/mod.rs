//! TCP segments (RFC 9293 §3.1), with the ECN flags of RFC 3168 §6.1 and
//! the AE flag of AccECN (RFC 9768 §3.1), and the options of
//! [`options`].
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Source Port          |       Destination Port        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                        Sequence Number                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Acknowledgment Number                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Data |     |A|C|E|U|A|P|R|S|F|                               |
//! | Offset| Rsv |E|W|C|R|C|S|S|Y|I|            Window             |
//! |       |     | |R|E|G|K|H|T|N|N|                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Checksum            |         Urgent Pointer        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Options (0 to 40 octets)                   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                             Data                              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! AE is the former ECN-nonce (NS) bit, assigned to AccECN by RFC 9768
//! §3.1; CWR and ECE come from RFC 3168 §6.1.
//!
//! TCP has no length field: the segment is the whole buffer, so the IP
//! layer must hand over exactly its payload (Ethernet padding removed).

use byteorder::{ByteOrder, NetworkEndian};
use core::fmt;
use core::net::IpAddr;
use core::ops;

use super::checksum::{self, Checksum};
use super::ip::IpProtocol;
use super::{Error, Result};

pub mod options;
pub mod seq;

pub use self::options::{
    AccEcn, AccEcnOrder, FastOpenCookie, TcpOption, TcpOptionIter, TcpTimestamp,
};
pub use self::seq::TcpSeqNumber;

use self::options::{MAX_OPTIONS_LEN, MAX_SACK_BLOCKS};

mod field {
    use crate::wire::field::Field;
    pub(crate) const SRC_PORT: Field = 0..2;
    pub(crate) const DST_PORT: Field = 2..4;
    pub(crate) const SEQ_NUM: Field = 4..8;
    pub(crate) const ACK_NUM: Field = 8..12;
    /// Data offset (4 bits), reserved (3 bits) and the nine flags.
    pub(crate) const FLAGS: Field = 12..14;
    pub(crate) const WIN_SIZE: Field = 14..16;
    pub(crate) const CHECKSUM: Field = 16..18;
    pub(crate) const URGENT: Field = 18..20;
}

/// The fixed header length (data offset 5, RFC 9293 §3.1).
pub const HEADER_LEN: usize = 20;
/// The largest header length (data offset 15, RFC 9293 §3.1).
pub const MAX_HEADER_LEN: usize = 60;

/// The control bits of a TCP header (RFC 9293 §3.1, RFC 3168 §6.1,
/// RFC 9768 §3.1), plus the three reserved bits.
///
/// A set of bits in the low 12 bits of a `u16`, laid out as on the wire
/// (FIN is bit 0, AE bit 8, the reserved bits 9 to 11).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Flags(u16);

impl Flags {
    /// FIN: no more data from the sender.
    pub const FIN: Flags = Flags(0x001);
    /// SYN: synchronize sequence numbers.
    pub const SYN: Flags = Flags(0x002);
    /// RST: reset the connection.
    pub const RST: Flags = Flags(0x004);
    /// PSH: push function.
    pub const PSH: Flags = Flags(0x008);
    /// ACK: the acknowledgment number is significant.
    pub const ACK: Flags = Flags(0x010);
    /// URG: the urgent pointer is significant.
    pub const URG: Flags = Flags(0x020);
    /// ECE: ECN-Echo (RFC 3168 §6.1).
    pub const ECE: Flags = Flags(0x040);
    /// CWR: Congestion Window Reduced (RFC 3168 §6.1).
    pub const CWR: Flags = Flags(0x080);
    /// AE: Accurate ECN, the former NS bit (RFC 9768 §3.1).
    pub const AE: Flags = Flags(0x100);
    /// The three reserved bits (RFC 9293 §3.1: zero when sent, ignored
    /// when received).
    pub const RESERVED: Flags = Flags(0xe00);
    const ALL: u16 = 0xfff;

    /// No bit set.
    pub const fn empty() -> Flags {
        Flags(0)
    }
    /// The raw bits.
    pub const fn bits(self) -> u16 {
        self.0
    }
    /// Flags from raw bits; bits above the 12 flag bits are dropped.
    pub const fn from_bits_truncate(bits: u16) -> Flags {
        Flags(bits & Self::ALL)
    }
    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Whether any bit of `other` is set in `self`.
    pub const fn intersects(self, other: Flags) -> bool {
        self.0 & other.0 != 0
    }
    /// The bits set in either.
    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
    /// Set the bits of `other`.
    #[inline]
    pub fn insert(&mut self, other: Flags) {
        self.0 |= other.0
    }
    /// Clear the bits of `other`.
    #[inline]
    pub fn remove(&mut self, other: Flags) {
        self.0 &= !other.0
    }
    /// Set or clear the bits of `other`.
    #[inline]
    pub fn set(&mut self, other: Flags, value: bool) {
        if value {
            self.insert(other)
        } else {
            self.remove(other)
        }
    }
}

impl ops::BitOr for Flags {
    type Output = Flags;
    #[inline]
    fn bitor(self, rhs: Flags) -> Flags {
        self.union(rhs)
    }
}

impl ops::BitOrAssign for Flags {
    #[inline]
    fn bitor_assign(&mut self, rhs: Flags) {
        self.insert(rhs)
    }
}

impl ops::BitAnd for Flags {
    type Output = Flags;
    #[inline]
    fn bitand(self, rhs: Flags) -> Flags {
        Flags(self.0 & rhs.0)
    }
}

impl ops::Not for Flags {
    type Output = Flags;
    #[inline]
    fn not(self) -> Flags {
        Flags(!self.0 & Self::ALL)
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(Flags, &str); 10] = [
            (Flags::FIN, "FIN"),
            (Flags::SYN, "SYN"),
            (Flags::RST, "RST"),
            (Flags::PSH, "PSH"),
            (Flags::ACK, "ACK"),
            (Flags::URG, "URG"),
            (Flags::ECE, "ECE"),
            (Flags::CWR, "CWR"),
            (Flags::AE, "AE"),
            (Flags::RESERVED, "RESERVED"),
        ];
        f.write_str("Flags(")?;
        let mut first = true;
        for (flag, name) in NAMES {
            if self.intersects(flag) {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        f.write_str(")")
    }
}

/// A view over a TCP segment.
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

    /// Check that the buffer holds the fixed header, that the data offset
    /// is at least 5 words, and that the buffer holds the whole header.
    ///
    /// Everything after the header is payload.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header_len = usize::from(self.header_len());
        // RFC 9293 §3.1: the data offset counts 32-bit words and the fixed
        // header alone is 5 of them.
        if header_len < HEADER_LEN {
            return Err(Error::BadLength);
        }
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

    /// The source port.
    #[inline]
    pub fn src_port(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::SRC_PORT])
    }
    /// The destination port.
    #[inline]
    pub fn dst_port(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::DST_PORT])
    }
    /// The sequence number.
    #[inline]
    pub fn seq_number(&self) -> TcpSeqNumber {
        TcpSeqNumber(NetworkEndian::read_u32(
            &self.buffer.as_ref()[field::SEQ_NUM],
        ))
    }
    /// The acknowledgment number (meaningful only with ACK set).
    #[inline]
    pub fn ack_number(&self) -> TcpSeqNumber {
        TcpSeqNumber(NetworkEndian::read_u32(
            &self.buffer.as_ref()[field::ACK_NUM],
        ))
    }
    #[inline]
    fn flags_word(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::FLAGS])
    }
    /// The data offset: the header length in 32-bit words.
    #[inline]
    pub fn data_offset(&self) -> u8 {
        (self.flags_word() >> 12) as u8
    }
    /// The header length in octets (data offset × 4).
    #[inline]
    pub fn header_len(&self) -> u8 {
        self.data_offset() * 4
    }
    /// All control bits, the reserved ones included.
    #[inline]
    pub fn flags(&self) -> Flags {
        Flags::from_bits_truncate(self.flags_word())
    }
    /// The FIN flag.
    #[inline]
    pub fn fin(&self) -> bool {
        self.flags().contains(Flags::FIN)
    }
    /// The SYN flag.
    #[inline]
    pub fn syn(&self) -> bool {
        self.flags().contains(Flags::SYN)
    }
    /// The RST flag.
    #[inline]
    pub fn rst(&self) -> bool {
        self.flags().contains(Flags::RST)
    }
    /// The PSH flag.
    #[inline]
    pub fn psh(&self) -> bool {
        self.flags().contains(Flags::PSH)
    }
    /// The ACK flag.
    #[inline]
    pub fn ack(&self) -> bool {
        self.flags().contains(Flags::ACK)
    }
    /// The URG flag.
    #[inline]
    pub fn urg(&self) -> bool {
        self.flags().contains(Flags::URG)
    }
    /// The ECE flag (RFC 3168 §6.1).
    #[inline]
    pub fn ece(&self) -> bool {
        self.flags().contains(Flags::ECE)
    }
    /// The CWR flag (RFC 3168 §6.1).
    #[inline]
    pub fn cwr(&self) -> bool {
        self.flags().contains(Flags::CWR)
    }
    /// The AE flag (RFC 9768 §3.1).
    #[inline]
    pub fn ae(&self) -> bool {
        self.flags().contains(Flags::AE)
    }
    /// The window field (not scaled).
    #[inline]
    pub fn window_len(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::WIN_SIZE])
    }
    /// The checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::CHECKSUM])
    }
    /// The urgent pointer (meaningful only with URG set).
    #[inline]
    pub fn urgent_at(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::URGENT])
    }

    /// The sequence space the segment occupies: payload octets plus one
    /// for SYN and one for FIN (RFC 9293 §3.4, SEG.LEN).
    #[inline]
    pub fn segment_len(&self) -> usize {
        let data = self
            .buffer
            .as_ref()
            .len()
            .saturating_sub(usize::from(self.header_len()));
        data + usize::from(self.syn()) + usize::from(self.fin())
    }

    /// Whether the checksum verifies over the pseudo-header of `src` and
    /// `dst` (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6) and the
    /// whole buffer.
    #[inline]
    pub fn verify_checksum(&self, src: &IpAddr, dst: &IpAddr) -> bool {
        let data = self.buffer.as_ref();
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        checksum::pseudo_header_and_data(src, dst, IpProtocol::Tcp, len, data) == 0xffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The option area: the header past the fixed 20 octets.
    #[inline]
    pub fn options(&self) -> &'a [u8] {
        let header_len = usize::from(self.header_len());
        &self.buffer.as_ref()[HEADER_LEN..header_len]
    }

    /// Iterate over the options (see [`TcpOptionIter`]).
    #[inline]
    pub fn option_iter(&self) -> TcpOptionIter<'a> {
        TcpOptionIter::new(self.options())
    }

    /// The data after the header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let header_len = usize::from(self.header_len());
        &self.buffer.as_ref()[header_len..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Set the source port.
    #[inline]
    pub fn set_src_port(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::SRC_PORT], v)
    }
    /// Set the destination port.
    #[inline]
    pub fn set_dst_port(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::DST_PORT], v)
    }
    /// Set the sequence number.
    #[inline]
    pub fn set_seq_number(&mut self, v: TcpSeqNumber) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::SEQ_NUM], v.0)
    }
    /// Set the acknowledgment number.
    #[inline]
    pub fn set_ack_number(&mut self, v: TcpSeqNumber) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::ACK_NUM], v.0)
    }
    #[inline]
    fn set_flags_word(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::FLAGS], v)
    }
    /// Set the header length in octets; it is stored as `len / 4` words
    /// (the low two bits and anything above 60 are lost).
    #[inline]
    pub fn set_header_len(&mut self, len: u8) {
        let word = (self.flags_word() & 0x0fff) | (u16::from((len / 4) & 0x0f) << 12);
        self.set_flags_word(word)
    }
    /// Set all control bits, the reserved ones included.
    #[inline]
    pub fn set_flags(&mut self, flags: Flags) {
        let word = (self.flags_word() & 0xf000) | flags.bits();
        self.set_flags_word(word)
    }
    #[inline]
    fn set_flag(&mut self, flag: Flags, value: bool) {
        let mut f = self.flags();
        f.set(flag, value);
        self.set_flags(f)
    }
    /// Set or clear FIN.
    #[inline]
    pub fn set_fin(&mut self, v: bool) {
        self.set_flag(Flags::FIN, v)
    }
    /// Set or clear SYN.
    #[inline]
    pub fn set_syn(&mut self, v: bool) {
        self.set_flag(Flags::SYN, v)
    }
    /// Set or clear RST.
    #[inline]
    pub fn set_rst(&mut self, v: bool) {
        self.set_flag(Flags::RST, v)
    }
    /// Set or clear PSH.
    #[inline]
    pub fn set_psh(&mut self, v: bool) {
        self.set_flag(Flags::PSH, v)
    }
    /// Set or clear ACK.
    #[inline]
    pub fn set_ack(&mut self, v: bool) {
        self.set_flag(Flags::ACK, v)
    }
    /// Set or clear URG.
    #[inline]
    pub fn set_urg(&mut self, v: bool) {
        self.set_flag(Flags::URG, v)
    }
    /// Set or clear ECE.
    #[inline]
    pub fn set_ece(&mut self, v: bool) {
        self.set_flag(Flags::ECE, v)
    }
    /// Set or clear CWR.
    #[inline]
    pub fn set_cwr(&mut self, v: bool) {
        self.set_flag(Flags::CWR, v)
    }
    /// Set or clear AE.
    #[inline]
    pub fn set_ae(&mut self, v: bool) {
        self.set_flag(Flags::AE, v)
    }
    /// Set the window field.
    #[inline]
    pub fn set_window_len(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::WIN_SIZE], v)
    }
    /// Set the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::CHECKSUM], v)
    }
    /// Set the urgent pointer.
    #[inline]
    pub fn set_urgent_at(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::URGENT], v)
    }
    /// The option area, as the header length field says.
    #[inline]
    pub fn options_mut(&mut self) -> &mut [u8] {
        let header_len = usize::from(self.header_len());
        &mut self.buffer.as_mut()[HEADER_LEN..header_len]
    }
    /// The data after the header.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let header_len = usize::from(self.header_len());
        &mut self.buffer.as_mut()[header_len..]
    }

    /// Compute and store the checksum over the whole buffer.
    #[inline]
    pub fn fill_checksum(&mut self, src: &IpAddr, dst: &IpAddr) {
        let len = self.buffer.as_ref().len();
        self.fill_checksum_len(src, dst, len)
    }

    /// Compute and store the checksum over the first `len` octets.
    #[inline]
    fn fill_checksum_len(&mut self, src: &IpAddr, dst: &IpAddr, len: usize) {
        self.set_checksum(0);
        let data = &self.buffer.as_ref()[..len];
        let sum = checksum::pseudo_header_and_data(
            src,
            dst,
            IpProtocol::Tcp,
            u32::try_from(len).unwrap_or(u32::MAX),
            data,
        );
        self.set_checksum(checksum::finish(sum))
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// The connection-control flag of a segment: at most one of SYN, FIN and
/// RST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Control {
    /// None of SYN, FIN, RST.
    #[default]
    None,
    /// SYN.
    Syn,
    /// FIN.
    Fin,
    /// RST.
    Rst,
}

impl Control {
    /// The sequence space the flag occupies: 1 for SYN and FIN
    /// (RFC 9293 §3.4), 0 otherwise.
    pub const fn seq_len(self) -> usize {
        match self {
            Control::Syn | Control::Fin => 1,
            Control::None | Control::Rst => 0,
        }
    }

    #[inline]
    fn flags(self) -> Flags {
        match self {
            Control::None => Flags::empty(),
            Control::Syn => Flags::SYN,
            Control::Fin => Flags::FIN,
            Control::Rst => Flags::RST,
        }
    }
}

/// A parsed TCP segment: header fields, the known options, and the
/// payload (borrowed from the packet).
///
/// The representation is faithful to the wire: options are kept whatever
/// segment they came in (e.g. an MSS option outside a SYN); ignoring them
/// where their RFC says so is the socket's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Repr<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// SYN, FIN, RST or none of them.
    pub control: Control,
    /// The PSH flag.
    pub psh: bool,
    /// The sequence number.
    pub seq_number: TcpSeqNumber,
    /// The acknowledgment number, present exactly when ACK is set.
    pub ack_number: Option<TcpSeqNumber>,
    /// The window field, not scaled.
    pub window_len: u16,
    /// The urgent pointer, present exactly when URG is set.
    pub urgent_at: Option<u16>,
    /// ECE (RFC 3168 §6.1; part of the ACE counter in AccECN, RFC 9768 §3.2.2).
    pub ece: bool,
    /// CWR (RFC 3168 §6.1; part of the ACE counter in AccECN).
    pub cwr: bool,
    /// AE (RFC 9768 §3.1; the top bit of the ACE counter).
    pub ae: bool,
    /// Window Scale shift count, raw (RFC 7323 §2.2; values above 14 are
    /// the user's to clamp, RFC 7323 §2.3).
    pub window_scale: Option<u8>,
    /// Maximum Segment Size (RFC 9293 §3.7.1).
    pub max_seg_size: Option<u16>,
    /// SACK-Permitted (RFC 2018 §2).
    pub sack_permitted: bool,
    /// SACK blocks `(left edge, right edge)` (RFC 2018 §3, RFC 2883),
    /// present blocks first.
    pub sack_ranges: [Option<(u32, u32)>; MAX_SACK_BLOCKS],
    /// Timestamps (RFC 7323 §3.2).
    pub timestamp: Option<TcpTimestamp>,
    /// Fast Open cookie or cookie request (RFC 7413 §4.1.1), from either
    /// option form; always sent as kind 34.
    pub fast_open_cookie: Option<FastOpenCookie>,
    /// AccECN byte counters (RFC 9768 §3.2.3).
    pub accecn: Option<AccEcn>,
    /// The data.
    pub payload: &'a [u8],
}

/// What the option area of an emitted segment holds after fitting the
/// options into 40 octets.
struct OptionPlan {
    sack_blocks: usize,
    accecn: Option<AccEcn>,
    /// Unpadded length.
    len: usize,
}

impl<'a> Repr<'a> {
    /// Parse and validate a segment received from `src` to `dst`.
    ///
    /// Rejects:
    /// * a malformed header (`Truncated`, `BadLength`, see
    ///   [`Packet::check_len`]);
    /// * a wrong checksum when `checksum.rx()` (`BadChecksum`);
    /// * port 0 as source or destination (`BadField`: port 0 is reserved
    ///   and no connection can use it);
    /// * more than one of SYN, FIN and RST (`BadField`): RFC 9293 gives
    ///   such combinations no meaning and [`Control`] cannot represent
    ///   them (they are typical scan probes; Linux drops SYN+FIN too);
    /// * a malformed option (`BadOption`, see [`TcpOptionIter`]).
    ///
    /// Unknown options are skipped (RFC 9293 §3.2: a TCP implementation
    /// MUST ignore options it does not implement). When an option appears
    /// twice, the last one counts. The reserved bits are ignored
    /// (RFC 9293 §3.1).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        src: &IpAddr,
        dst: &IpAddr,
        checksum: Checksum,
    ) -> Result<Repr<'a>> {
        packet.check_len()?;
        if checksum.rx() && !packet.verify_checksum(src, dst) {
            return Err(Error::BadChecksum);
        }
        if packet.src_port() == 0 || packet.dst_port() == 0 {
            return Err(Error::BadField);
        }
        let flags = packet.flags();
        let control = match (
            flags.contains(Flags::SYN),
            flags.contains(Flags::FIN),
            flags.contains(Flags::RST),
        ) {
            (false, false, false) => Control::None,
            (true, false, false) => Control::Syn,
            (false, true, false) => Control::Fin,
            (false, false, true) => Control::Rst,
            _ => return Err(Error::BadField),
        };

        // Built in the return value and completed in place: a `Repr` is
        // 160 bytes, and moving a finished one into the `Result` was a
        // `memcpy` call per segment.
        let mut parsed = Ok(Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            control,
            psh: flags.contains(Flags::PSH),
            seq_number: packet.seq_number(),
            // RFC 9293 §3.1: the acknowledgment number is valid only when
            // ACK is set, the urgent pointer only when URG is.
            ack_number: flags.contains(Flags::ACK).then(|| packet.ack_number()),
            window_len: packet.window_len(),
            urgent_at: flags.contains(Flags::URG).then(|| packet.urgent_at()),
            ece: flags.contains(Flags::ECE),
            cwr: flags.contains(Flags::CWR),
            ae: flags.contains(Flags::AE),
            window_scale: None,
            max_seg_size: None,
            sack_permitted: false,
            sack_ranges: [None; MAX_SACK_BLOCKS],
            timestamp: None,
            fast_open_cookie: None,
            accecn: None,
            payload: packet.payload(),
        });
        if let Ok(repr) = &mut parsed {
            repr.parse_options(packet.options())?;
        }
        parsed
    }

    /// Walk the option area once and store each known option in `self`.
    ///
    /// The rules are exactly those of [`TcpOption::parse`] and
    /// [`TcpOptionIter`] (the tests check the two agree), applied in place:
    /// no [`TcpOption`] value is built and copied per option, which made the
    /// generic walk the largest cost of parsing a segment.
    #[inline(always)]
    fn parse_options(&mut self, area: &'a [u8]) -> Result<()> {
        use self::options::{
            EXID_FAST_OPEN, KIND_ACCECN0, KIND_ACCECN1, KIND_END_OF_LIST, KIND_EXPERIMENTAL,
            KIND_FAST_OPEN, KIND_MAX_SEG_SIZE, KIND_NO_OPERATION, KIND_SACK_PERMITTED,
            KIND_SACK_RANGE, KIND_TIMESTAMP, KIND_WINDOW_SCALE,
        };
        // The timestamps-only area of nearly every established-connection
        // segment, in the two usual layouts (NOP, NOP, TS as RFC 7323
        // Appendix A suggests; TS, NOP, NOP as `emit` writes), decoded
        // without the walk: the same result the walk gives.
        if let Ok(a) = <&[u8; 12]>::try_from(area) {
            let ts = match a {
                [
                    KIND_NO_OPERATION,
                    KIND_NO_OPERATION,
                    KIND_TIMESTAMP,
                    10,
                    ts @ ..,
                ] => Some(ts),
                [
                    KIND_TIMESTAMP,
                    10,
                    ts @ ..,
                    KIND_NO_OPERATION,
                    KIND_NO_OPERATION,
                ] => Some(ts),
                _ => None,
            };
            if let Some(ts) = ts {
                self.timestamp = Some(TcpTimestamp {
                    tsval: NetworkEndian::read_u32(&ts[0..4]),
                    tsecr: NetworkEndian::read_u32(&ts[4..8]),
                });
                return Ok(());
            }
        }
        let mut area = area;
        while let Some((&kind, rest)) = area.split_first() {
            match kind {
                // RFC 9293 §3.2: End of Option List ends the list.
                KIND_END_OF_LIST => break,
                KIND_NO_OPERATION => {
                    area = rest;
                    continue;
                }
                _ => {}
            }
            // RFC 9293 §3.2: the length counts kind and length octets; an
            // illegal length (below 2, or past the option area) is malformed.
            let len = usize::from(*rest.first().ok_or(Error::BadOption)?);
            if len < 2 || len > area.len() {
                return Err(Error::BadOption);
            }
            let (option, next) = area.split_at(len);
            let data = &option[2..];
            area = next;
            match (kind, data.len()) {
                // RFC 9293 §3.2: MSS has length 4.
                (KIND_MAX_SEG_SIZE, 2) => {
                    self.max_seg_size = Some(NetworkEndian::read_u16(data));
                }
                // RFC 7323 §2.2: Window Scale has length 3.
                (KIND_WINDOW_SCALE, 1) => self.window_scale = Some(data[0]),
                // RFC 2018 §2: SACK-Permitted has length 2.
                (KIND_SACK_PERMITTED, 0) => self.sack_permitted = true,
                // RFC 2018 §3: length 2 + 8n with 1 <= n <= 4.
                (KIND_SACK_RANGE, 8 | 16 | 24 | 32) => {
                    self.sack_ranges = options::sack_blocks(data);
                }
                // RFC 7323 §3.2: Timestamps has length 10.
                (KIND_TIMESTAMP, 8) => {
                    self.timestamp = Some(TcpTimestamp {
                        tsval: NetworkEndian::read_u32(&data[0..4]),
                        tsecr: NetworkEndian::read_u32(&data[4..8]),
                    });
                }
                // RFC 7413 §4.1.1: a cookie of 0 or 4..=16 octets.
                (KIND_FAST_OPEN, n) if options::fast_open_cookie_len_ok(n) => {
                    self.fast_open_cookie =
                        Some(FastOpenCookie::new(data).ok_or(Error::BadOption)?);
                }
                // RFC 7413 §4.1.1, RFC 6994: the experimental form, ExID 0xF989.
                (KIND_EXPERIMENTAL, 2..)
                    if NetworkEndian::read_u16(&data[0..2]) == EXID_FAST_OPEN =>
                {
                    self.fast_open_cookie =
                        Some(FastOpenCookie::new(&data[2..]).ok_or(Error::BadOption)?);
                }
                // RFC 9768 §3.2.3: length 2, 5, 8 or 11 (0 to 3 fields).
                (KIND_ACCECN0 | KIND_ACCECN1, 0 | 3 | 6 | 9) => {
                    self.accecn = Some(options::accecn_fields(kind, data));
                }
                // A known kind with a length its RFC does not allow.
                (
                    KIND_MAX_SEG_SIZE | KIND_WINDOW_SCALE | KIND_SACK_PERMITTED | KIND_SACK_RANGE
                    | KIND_TIMESTAMP | KIND_FAST_OPEN | KIND_ACCECN0 | KIND_ACCECN1,
                    _,
                ) => return Err(Error::BadOption),
                // RFC 9293 §3.2: unknown options are skipped by their length
                // (kind 254 with another ExID included).
                _ => {}
            }
        }
        Ok(())
    }

    /// The sequence space the segment occupies (SEG.LEN, RFC 9293 §3.4).
    #[inline]
    pub fn segment_len(&self) -> usize {
        self.payload.len() + self.control.seq_len()
    }

    /// The flags `emit` writes.
    #[inline]
    pub fn flags(&self) -> Flags {
        let mut f = self.control.flags();
        f.set(Flags::PSH, self.psh);
        f.set(Flags::ACK, self.ack_number.is_some());
        f.set(Flags::URG, self.urgent_at.is_some());
        f.set(Flags::ECE, self.ece);
        f.set(Flags::CWR, self.cwr);
        f.set(Flags::AE, self.ae);
        f
    }

    /// Fit the options into the 40-octet area.
    ///
    /// MSS, window scale, SACK-permitted, timestamps and the Fast Open
    /// cookie always fit together (at most 37 octets). SACK blocks come
    /// next, as many as fit (RFC 2018 §3: with timestamps, at most three),
    /// then the AccECN option cut to the fields that fit (RFC 9768
    /// §3.2.3 allows truncating it), or left out when not even its two
    /// octets fit.
    #[inline]
    fn option_plan(&self) -> OptionPlan {
        let mut len = 0;
        if self.max_seg_size.is_some() {
            len += 4;
        }
        if self.window_scale.is_some() {
            len += 3;
        }
        if self.sack_permitted {
            len += 2;
        }
        if self.timestamp.is_some() {
            len += 10;
        }
        if let Some(c) = &self.fast_open_cookie {
            len += 2 + c.as_bytes().len();
        }
        let wanted = self.sack_ranges.iter().flatten().count();
        let room = MAX_OPTIONS_LEN.saturating_sub(len + 2) / 8;
        let sack_blocks = wanted.min(room);
        if sack_blocks > 0 {
            len += 2 + 8 * sack_blocks;
        }
        let accecn = match self.accecn {
            Some(a) if len + 2 <= MAX_OPTIONS_LEN => {
                let fields = (MAX_OPTIONS_LEN - len - 2) / options::ACCECN_FIELD_LEN;
                let a = a.truncated(fields);
                len += a.wire_len();
                Some(a)
            }
            _ => None,
        };
        OptionPlan {
            sack_blocks,
            accecn,
            len,
        }
    }

    /// The header length `emit` writes: 20 plus the options padded to a
    /// multiple of four, at most 60.
    #[inline]
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.option_plan().len.div_ceil(4) * 4
    }

    /// The bytes `emit` writes: header and payload.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload.len()
    }

    /// Write the header and the options, and leave the payload and the
    /// checksum to the caller (the checksum field is set to zero).
    ///
    /// For zero-copy transmission: emit the header into a buffer of
    /// `header_len() + n` octets, write the `n` payload octets straight
    /// into [`Packet::payload_mut`], then call [`Packet::fill_checksum`]
    /// (when `Checksum::tx()`). `self.payload` is not used.
    ///
    /// `packet` must hold at least `header_len()` octets.
    #[inline]
    pub fn emit_header<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        self.write_header(packet);
    }

    /// The fixed 20 octets of a header of `header_len` octets (at most 60),
    /// checksum field zero, as five 32-bit words (each the big-endian
    /// value of four octets on the wire).
    ///
    /// Whole words, not a byte array: a byte array assembled from
    /// sub-word pieces is built on the stack and read back with wide
    /// loads (a store-forwarding stall); words stay in registers.
    #[inline(always)]
    fn fixed_header(&self, header_len: usize) -> [u32; HEADER_LEN / 4] {
        let ack = self.ack_number.unwrap_or_default();
        // Data offset in the top four bits, then the flags (reserved zero).
        let word = (((header_len / 4) as u16 & 0x0f) << 12) | self.flags().bits();
        [
            (u32::from(self.src_port) << 16) | u32::from(self.dst_port),
            self.seq_number.0,
            ack.0,
            (u32::from(word) << 16) | u32::from(self.window_len),
            // The checksum (top half) stays zero.
            u32::from(self.urgent_at.unwrap_or(0)),
        ]
    }

    /// [`Repr::emit_header`], returning the header length and the
    /// native-order checksum partial sum of the whole header, options
    /// included (checksum field zero).
    ///
    /// The option sets nearly every segment carries (none; timestamps
    /// only; the MSS, window scale and SACK-permitted of a SYN, with or
    /// without timestamps) are assembled with the fixed header as 32-bit
    /// words in registers, stored and summed from there: no
    /// option-by-option writes, and no read-back of bytes just stored (a
    /// wide load over narrow stores stalls store forwarding). The bytes
    /// are exactly those of the general path (options in the same order,
    /// the same No-Operation padding; a test compares the two).
    #[inline(always)]
    fn write_header<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) -> (usize, u64) {
        // Non-short-circuit ORs of the four tags: four loads, no vector
        // shuffle and no branch per block.
        let [s0, s1, s2, s3] = &self.sack_ranges;
        let rare = self.fast_open_cookie.is_some()
            || self.accecn.is_some()
            || (s0.is_some() | s1.is_some() | s2.is_some() | s3.is_some());
        if !rare {
            // Option kinds and lengths: MSS 2/4, window scale 3/3,
            // SACK-permitted 4/2, timestamps 8/10, No-Operation 1.
            match (
                self.max_seg_size,
                self.window_scale,
                self.sack_permitted,
                self.timestamp,
            ) {
                (None, None, false, None) => {
                    return store_header(packet, self.fixed_header(HEADER_LEN));
                }
                (None, None, false, Some(ts)) => {
                    // Timestamps (10) and two NOPs.
                    let [a, b, c, d, e] = self.fixed_header(HEADER_LEN + 12);
                    let words = [
                        a,
                        b,
                        c,
                        d,
                        e,
                        0x080a_0000 | (ts.tsval >> 16),
                        (ts.tsval << 16) | (ts.tsecr >> 16),
                        (ts.tsecr << 16) | 0x0101,
                    ];
                    return store_header(packet, words);
                }
                (Some(mss), Some(shift), true, Some(ts)) => {
                    // MSS (4), window scale (3), SACK-permitted (2),
                    // timestamps (10) and one NOP.
                    let [a, b, c, d, e] = self.fixed_header(HEADER_LEN + 20);
                    let words = [
                        a,
                        b,
                        c,
                        d,
                        e,
                        0x0204_0000 | u32::from(mss),
                        0x0303_0004 | (u32::from(shift) << 8),
                        0x0208_0a00 | (ts.tsval >> 24),
                        (ts.tsval << 8) | (ts.tsecr >> 24),
                        (ts.tsecr << 8) | 0x01,
                    ];
                    return store_header(packet, words);
                }
                (Some(mss), Some(shift), true, None) => {
                    // MSS (4), window scale (3), SACK-permitted (2) and
                    // three NOPs.
                    let [a, b, c, d, e] = self.fixed_header(HEADER_LEN + 12);
                    let words = [
                        a,
                        b,
                        c,
                        d,
                        e,
                        0x0204_0000 | u32::from(mss),
                        0x0303_0004 | (u32::from(shift) << 8),
                        0x0201_0101,
                    ];
                    return store_header(packet, words);
                }
                _ => {}
            }
        }
        self.write_header_general(packet)
    }

    /// [`Repr::write_header`] for any option set: the options are written
    /// one by one into the buffer and summed back from it.
    #[inline(never)]
    fn write_header_general<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
    ) -> (usize, u64) {
        let plan = self.option_plan();
        // At most 60: the plan keeps the options within 40 octets.
        let header_len = HEADER_LEN + plan.len.div_ceil(4) * 4;
        let (_, fixed_sum) = store_header(packet, self.fixed_header(header_len));
        let buf = packet.buffer.as_mut();

        let mut rest = &mut buf[HEADER_LEN..header_len];
        if let Some(mss) = self.max_seg_size {
            rest = TcpOption::MaxSegmentSize(mss).emit(rest);
        }
        if let Some(shift) = self.window_scale {
            rest = TcpOption::WindowScale(shift).emit(rest);
        }
        if self.sack_permitted {
            rest = TcpOption::SackPermitted.emit(rest);
        }
        if let Some(ts) = self.timestamp {
            rest = TcpOption::Timestamp(ts).emit(rest);
        }
        if plan.sack_blocks > 0 {
            let mut blocks = [None; MAX_SACK_BLOCKS];
            for (slot, block) in blocks
                .iter_mut()
                .zip(self.sack_ranges.iter().flatten())
                .take(plan.sack_blocks)
            {
                *slot = Some(*block);
            }
            rest = TcpOption::SackRange(blocks).emit(rest);
        }
        if let Some(c) = &self.fast_open_cookie {
            rest = TcpOption::FastOpen(c.as_bytes()).emit(rest);
        }
        if let Some(a) = plan.accecn {
            rest = TcpOption::AccEcn(a).emit(rest);
        }
        // RFC 9293 §3.1: pad the header to a 32-bit boundary (at most three
        // octets; spelt out so that no `memset` call is made).
        match rest {
            [] => {}
            [a] => *a = options::KIND_NO_OPERATION,
            [a, b] => [*a, *b] = [options::KIND_NO_OPERATION; 2],
            [a, b, c] => [*a, *b, *c] = [options::KIND_NO_OPERATION; 3],
            more => more.fill(options::KIND_NO_OPERATION),
        }
        let options_sum = checksum::native_sum_words(&buf[HEADER_LEN..header_len]);
        (header_len, fixed_sum + options_sum)
    }

    /// Write the whole segment: header, options, a copy of the payload and
    /// the checksum (when `checksum.tx()`, else zero for the device).
    ///
    /// `packet` must hold at least `buffer_len()` octets; the checksum
    /// covers exactly `buffer_len()` octets, so the segment sent must be
    /// that long.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
        src: &IpAddr,
        dst: &IpAddr,
        checksum: Checksum,
    ) {
        self.emit_two(packet, src, dst, &[], checksum)
    }

    /// Like [`Repr::emit`], with the payload `self.payload` followed by
    /// `more` (the two sides of a ring buffer's wrap): both copied and, when
    /// `checksum.tx()`, summed from the sources (not read back).
    ///
    /// `packet` must hold at least `buffer_len() + more.len()` octets.
    pub fn emit_two<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
        src: &IpAddr,
        dst: &IpAddr,
        more: &[u8],
        checksum: Checksum,
    ) {
        let first = self.payload;
        let payload_len = first.len() + more.len();
        if !checksum.tx() {
            return self.emit_with(
                packet,
                src,
                dst,
                payload_len,
                |b| {
                    b[..first.len()].copy_from_slice(first);
                    b[first.len()..].copy_from_slice(more);
                },
                checksum,
            );
        }
        let (header_len, header_sum) = self.write_header(packet);
        let buf = packet.buffer.as_mut();
        let len = header_len + payload_len;
        let rest = &mut buf[header_len..len];
        let sum = checksum::pseudo_header_extra_copy_and_data(
            src,
            dst,
            IpProtocol::Tcp,
            u32::try_from(len).unwrap_or(u32::MAX),
            header_sum,
            rest,
            first,
            more,
        );
        NetworkEndian::write_u16(&mut buf[field::CHECKSUM], checksum::finish(sum));
    }

    /// Like [`Repr::emit`], with the payload written in place by
    /// `emit_payload` into a slice of `payload_len` octets instead of
    /// copied from `self.payload`.
    ///
    /// `packet` must hold at least `header_len() + payload_len` octets.
    #[inline]
    pub fn emit_with<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
        src: &IpAddr,
        dst: &IpAddr,
        payload_len: usize,
        emit_payload: impl FnOnce(&mut [u8]),
        checksum: Checksum,
    ) {
        let (header_len, header_sum) = self.write_header(packet);
        let buf = packet.buffer.as_mut();
        emit_payload(&mut buf[header_len..][..payload_len]);
        if checksum.tx() {
            // The header's sum comes from `write_header`; only the payload
            // is read here.
            let len = header_len + payload_len;
            let sum = checksum::pseudo_header_extra_and_data(
                src,
                dst,
                IpProtocol::Tcp,
                u32::try_from(len).unwrap_or(u32::MAX),
                header_sum,
                &buf[header_len..len],
            );
            NetworkEndian::write_u16(&mut buf[field::CHECKSUM], checksum::finish(sum));
        }
    }
}

/// Store a header assembled in registers as `W` big-endian 32-bit words
/// (at most 15) at the start of `packet`, and return its length and
/// native-order checksum partial sum (below 2^36).
#[inline(always)]
fn store_header<T: AsRef<[u8]> + AsMut<[u8]>, const W: usize>(
    packet: &mut Packet<T>,
    words: [u32; W],
) -> (usize, u64) {
    let (out, _) = packet.buffer.as_mut().as_chunks_mut::<4>();
    let mut sum = 0u64;
    for (o, w) in out[..W].iter_mut().zip(words) {
        let bytes = w.to_be_bytes();
        *o = bytes;
        sum += u64::from(u32::from_ne_bytes(bytes));
    }
    (4 * W, sum)
}

#[cfg(test)]
mod tests;
