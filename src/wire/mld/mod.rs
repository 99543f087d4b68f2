//! Multicast Listener Discovery: MLDv1 (RFC 2710) and MLDv2 (RFC 3810).
//!
//! The messages are ICMPv6 messages, read from and written to an
//! [`icmpv6::Packet`] (whose `check_len` knows the fixed lengths below and
//! the source list of an MLDv2 Query).
//!
//! ```text
//! MLDv1 Query / Report / Done (RFC 2710 §3), 24 bytes
//! | Type | Code |       Checksum        |
//! | Maximum Response Delay | Reserved   |
//! |      Multicast Address (16)         |
//!
//! MLDv2 Query (RFC 3810 §5.1), 28 + 16 N bytes
//! | Type=130 | Code |     Checksum      |
//! | Maximum Response Code | Reserved    |
//! |      Multicast Address (16)         |
//! | Resv |S| QRV | QQIC | Number of Sources (N) |
//! |      Source Address [1..N] (16 each)         |
//!
//! MLDv2 Report (RFC 3810 §5.2)
//! | Type=143 | Reserved |   Checksum    |
//! | Reserved | Nr of Mcast Address Records (M) |
//! | Multicast Address Record [1..M]     |
//!
//! Multicast Address Record (RFC 3810 §5.2.4)
//! | Record Type | Aux Data Len | Number of Sources (N) |
//! |      Multicast Address (16)         |
//! |      Source Address [1..N] (16 each)|
//! |      Auxiliary Data (4 * Aux Data Len)         |
//! ```
//!
//! The Code / Reserved fields are sent as zero and ignored on receipt
//! (RFC 2710 §3.2, RFC 3810 §5.1.1). The IPv6-header rules (link-local
//! source, Hop Limit 1, Router Alert option: RFC 3810 §5, RFC 2710 §3)
//! are the interface's duty.

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv6Addr;

use super::checksum::Checksum;
use super::icmpv6::{self, Ipv6AddrList, Message, emit_addrs, enum_with_unknown};
use super::{Error, Result};

#[cfg(test)]
pub(crate) mod tests;

mod field {
    use crate::wire::field::Field;
    // RFC 2710 §3.4 / RFC 3810 §5.1.3.
    pub(crate) const MAX_RESP_CODE: Field = 4..6;
    // RFC 2710 §3.6 / RFC 3810 §5.1.5.
    pub(crate) const MCAST_ADDR: usize = 8;
    // RFC 3810 §5.1.7, §5.1.8.
    pub(crate) const QUERY_FLAGS: usize = 24;
    // RFC 3810 §5.1.9.
    pub(crate) const QQIC: usize = 25;
    // RFC 3810 §5.1.10.
    pub(crate) const NUM_SRCS: Field = 26..28;
    // RFC 3810 §5.1.11.
    pub(crate) const SOURCES: usize = 28;
    // RFC 3810 §5.2.3.
    pub(crate) const NR_MCAST_RECORDS: Field = 6..8;
    pub(crate) const RECORDS: usize = 8;

    // Multicast Address Record, RFC 3810 §5.2.4 - §5.2.10.
    pub(crate) const RECORD_TYPE: usize = 0;
    pub(crate) const AUX_DATA_LEN: usize = 1;
    pub(crate) const RECORD_NUM_SRCS: Field = 2..4;
    pub(crate) const RECORD_MCAST_ADDR: Field = 4..20;
    pub(crate) const RECORD_SOURCES: usize = 20;
}

/// RFC 2710 §3: every MLDv1 message is 24 bytes.
pub const V1_LEN: usize = 24;
/// RFC 3810 §5.1: an MLDv2 Query is at least 28 bytes.
pub const V2_QUERY_LEN: usize = 28;
/// RFC 3810 §5.2: the fixed part of an MLDv2 Report.
pub const V2_REPORT_HEADER_LEN: usize = 8;
/// RFC 3810 §5.2.4: the fixed part of a Multicast Address Record.
pub const RECORD_HEADER_LEN: usize = 20;

/// RFC 3810 §5.1.7: the S flag (Suppress Router-Side Processing).
const S_FLAG: u8 = 0x08;
/// RFC 3810 §5.1.8: the QRV bits.
const QRV_MASK: u8 = 0x07;

/// Decode a Maximum Response Code into milliseconds (RFC 3810 §5.1.3):
/// below 32768 it is the value itself, else
/// `(mant | 0x1000) << (exp + 3)` with the fields of `1|exp(3)|mant(12)`.
pub const fn decode_max_resp_code(code: u16) -> u32 {
    if code < 0x8000 {
        code as u32
    } else {
        let exp = (code >> 12) & 0x7;
        let mant = (code & 0x0fff) as u32;
        (mant | 0x1000) << (exp + 3)
    }
}

/// Encode milliseconds as a Maximum Response Code (RFC 3810 §5.1.3),
/// rounding down to the nearest representable delay; values beyond the
/// largest (8 387 584 ms) encode as `0xffff`.
pub const fn encode_max_resp_code(delay_ms: u32) -> u16 {
    if delay_ms < 0x8000 {
        return delay_ms as u16;
    }
    let mut exp = 0;
    while exp < 8 {
        let mant = delay_ms >> (exp + 3);
        if mant <= 0x1fff {
            // 0x1000 <= mant: the smallest exponent that fits is chosen.
            return 0x8000 | ((exp as u16) << 12) | (mant as u16 & 0x0fff);
        }
        exp += 1;
    }
    0xffff
}

/// Decode a Querier's Query Interval Code into seconds (RFC 3810 §5.1.9):
/// below 128 it is the value itself, else `(mant | 0x10) << (exp + 3)`
/// with the fields of `1|exp(3)|mant(4)`.
pub const fn decode_qqic(code: u8) -> u32 {
    if code < 0x80 {
        code as u32
    } else {
        let exp = (code >> 4) & 0x7;
        let mant = (code & 0x0f) as u32;
        (mant | 0x10) << (exp + 3)
    }
}

/// Encode seconds as a QQIC (RFC 3810 §5.1.9), rounding down; values
/// beyond the largest (31 744 s) encode as `0xff`.
pub const fn encode_qqic(interval_s: u32) -> u8 {
    if interval_s < 0x80 {
        return interval_s as u8;
    }
    let mut exp = 0;
    while exp < 8 {
        let mant = interval_s >> (exp + 3);
        if mant <= 0x1f {
            return 0x80 | ((exp as u8) << 4) | (mant as u8 & 0x0f);
        }
        exp += 1;
    }
    0xff
}

impl<T: AsRef<[u8]>> icmpv6::Packet<T> {
    /// Query: Maximum Response Code (MLDv2) or Maximum Response Delay in
    /// milliseconds (MLDv1).
    pub fn max_resp_code(&self) -> u16 {
        self.read_u16(field::MAX_RESP_CODE)
    }
    /// Query, MLDv1 Report / Done: the Multicast Address.
    pub fn mcast_addr(&self) -> Ipv6Addr {
        self.read_addr(field::MCAST_ADDR)
    }
    /// MLDv2 Query: the S flag.
    pub fn query_s_flag(&self) -> bool {
        self.read_u8(field::QUERY_FLAGS) & S_FLAG != 0
    }
    /// MLDv2 Query: the Querier's Robustness Variable (0..=7).
    pub fn query_qrv(&self) -> u8 {
        self.read_u8(field::QUERY_FLAGS) & QRV_MASK
    }
    /// MLDv2 Query: the Querier's Query Interval Code.
    pub fn query_qqic(&self) -> u8 {
        self.read_u8(field::QQIC)
    }
    /// MLDv2 Query: Number of Sources.
    pub fn query_num_srcs(&self) -> u16 {
        self.read_u16(field::NUM_SRCS)
    }
    /// MLDv2 Report: Nr of Mcast Address Records.
    pub fn nr_mcast_records(&self) -> u16 {
        self.read_u16(field::NR_MCAST_RECORDS)
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> icmpv6::Packet<&'a T> {
    /// MLDv2 Query: the source addresses (as many as Number of Sources
    /// says and the buffer holds; empty for an MLDv1 Query).
    pub fn query_sources(&self) -> Ipv6AddrList<'a> {
        let n = usize::from(self.query_num_srcs()).saturating_mul(16);
        let end = field::SOURCES.saturating_add(n);
        self.bytes_ref()
            .get(field::SOURCES..end)
            .and_then(|b| Ipv6AddrList::new_checked(b).ok())
            .unwrap_or_default()
    }
    /// MLDv2 Report: the bytes after the 8-byte header (records and any
    /// additional data).
    pub fn report_records(&self) -> &'a [u8] {
        self.bytes_ref().get(field::RECORDS..).unwrap_or(&[])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> icmpv6::Packet<T> {
    /// Set the Maximum Response Code / Delay.
    pub fn set_max_resp_code(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.bytes_mut()[field::MAX_RESP_CODE], v)
    }
    /// Set the Multicast Address.
    pub fn set_mcast_addr(&mut self, v: Ipv6Addr) {
        let at = field::MCAST_ADDR;
        self.bytes_mut()[at..at + 16].copy_from_slice(&v.octets())
    }
    /// MLDv2 Query: set the Resv / S / QRV byte (Resv sent as zero).
    pub fn set_query_flags(&mut self, s_flag: bool, qrv: u8) {
        self.bytes_mut()[field::QUERY_FLAGS] = if s_flag { S_FLAG } else { 0 } | (qrv & QRV_MASK)
    }
    /// MLDv2 Query: set the QQIC.
    pub fn set_query_qqic(&mut self, v: u8) {
        self.bytes_mut()[field::QQIC] = v
    }
    /// MLDv2 Query: set Number of Sources.
    pub fn set_query_num_srcs(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.bytes_mut()[field::NUM_SRCS], v)
    }
    /// MLDv2 Report: set Nr of Mcast Address Records.
    pub fn set_nr_mcast_records(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.bytes_mut()[field::NR_MCAST_RECORDS], v)
    }
}

/// The MLD version of a Query (RFC 3810 §8.1: told apart by length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MldVersion {
    /// A 24-byte MLDv1 Query (RFC 2710).
    V1,
    /// An MLDv2 Query of 28 bytes or more (RFC 3810).
    V2,
}

enum_with_unknown! {
    /// Multicast Address Record types (RFC 3810 §5.2.12).
    pub enum RecordType {
        /// MODE_IS_INCLUDE (current state).
        ModeIsInclude = 1,
        /// MODE_IS_EXCLUDE (current state).
        ModeIsExclude = 2,
        /// CHANGE_TO_INCLUDE_MODE (filter mode change).
        ChangeToIncludeMode = 3,
        /// CHANGE_TO_EXCLUDE_MODE (filter mode change).
        ChangeToExcludeMode = 4,
        /// ALLOW_NEW_SOURCES (source list change).
        AllowNewSources = 5,
        /// BLOCK_OLD_SOURCES (source list change).
        BlockOldSources = 6,
    }
}

/// One parsed Multicast Address Record (RFC 3810 §5.2.4).
///
/// An unknown `record_type` is yielded as `RecordType::Unknown`; the
/// listener-side processing ignores such records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AddressRecord<'a> {
    /// Record Type.
    pub record_type: RecordType,
    /// Multicast Address.
    pub mcast_addr: Ipv6Addr,
    /// Source Addresses.
    pub sources: Ipv6AddrList<'a>,
    /// Auxiliary Data (4 × Aux Data Len bytes).
    pub aux_data: &'a [u8],
}

impl<'a> AddressRecord<'a> {
    /// Parse the record at the start of `bytes`; return it and its length.
    pub fn parse(bytes: &'a [u8]) -> Result<(AddressRecord<'a>, usize)> {
        let header = bytes.get(..RECORD_HEADER_LEN).ok_or(Error::Truncated)?;
        let aux_len = usize::from(header[field::AUX_DATA_LEN]) * 4;
        let num_srcs = usize::from(NetworkEndian::read_u16(&header[field::RECORD_NUM_SRCS]));
        let srcs_end = field::RECORD_SOURCES.saturating_add(num_srcs.saturating_mul(16));
        let total = srcs_end.saturating_add(aux_len);
        // RFC 3810 §5.2.6, §5.2.7: the record holds N sources and
        // Aux Data Len 32-bit words.
        let record = bytes.get(..total).ok_or(Error::Truncated)?;
        let mut mcast = [0u8; 16];
        mcast.copy_from_slice(&header[field::RECORD_MCAST_ADDR]);
        Ok((
            AddressRecord {
                record_type: RecordType::from(header[field::RECORD_TYPE]),
                mcast_addr: Ipv6Addr::from(mcast),
                sources: Ipv6AddrList::new_checked(&record[field::RECORD_SOURCES..srcs_end])?,
                aux_data: &record[srcs_end..],
            },
            total,
        ))
    }
}

/// Iterator over Multicast Address Records. Yields at most the announced
/// number of records, or one error after which it ends.
#[derive(Debug, Clone)]
pub struct AddressRecordIter<'a> {
    rest: &'a [u8],
    remaining: u16,
}

impl<'a> AddressRecordIter<'a> {
    /// Iterate over `count` records at the start of `bytes`.
    pub fn new(count: u16, bytes: &'a [u8]) -> AddressRecordIter<'a> {
        AddressRecordIter {
            rest: bytes,
            remaining: count,
        }
    }
}

impl<'a> Iterator for AddressRecordIter<'a> {
    type Item = Result<AddressRecord<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        match AddressRecord::parse(self.rest) {
            Ok((record, len)) => {
                self.remaining -= 1;
                self.rest = self.rest.get(len..).unwrap_or(&[]);
                Some(Ok(record))
            }
            Err(e) => {
                self.remaining = 0;
                Some(Err(e))
            }
        }
    }
}

/// The validated records of an MLDv2 Report: `count` records occupying
/// exactly `bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AddressRecords<'a> {
    count: u16,
    bytes: &'a [u8],
}

impl<'a> AddressRecords<'a> {
    /// Check that `count` records start `bytes`; keep exactly their bytes
    /// (RFC 3810 §5.2.11: additional data after them is ignored).
    pub fn new_checked(count: u16, bytes: &'a [u8]) -> Result<AddressRecords<'a>> {
        let mut used = 0;
        for _ in 0..count {
            let rest = bytes.get(used..).unwrap_or(&[]);
            let (_, len) = AddressRecord::parse(rest)?;
            used += len;
        }
        Ok(AddressRecords {
            count,
            bytes: &bytes[..used],
        })
    }
    /// The number of records.
    pub fn len(&self) -> u16 {
        self.count
    }
    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
    /// The raw record bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// Iterate over the records (for checked records, every item is `Ok`).
    pub fn iter(&self) -> AddressRecordIter<'a> {
        AddressRecordIter::new(self.count, self.bytes)
    }
}

impl<'a> IntoIterator for AddressRecords<'a> {
    type Item = Result<AddressRecord<'a>>;
    type IntoIter = AddressRecordIter<'a>;
    fn into_iter(self) -> AddressRecordIter<'a> {
        self.iter()
    }
}

/// A Multicast Address Record to send (no auxiliary data: RFC 3810 §5.2.10
/// defines none for MLDv2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AddressRecordRepr<'a> {
    /// Record Type.
    pub record_type: RecordType,
    /// Multicast Address.
    pub mcast_addr: Ipv6Addr,
    /// Source Addresses (at most 65535 are sent).
    pub sources: &'a [Ipv6Addr],
}

impl AddressRecordRepr<'_> {
    fn num_srcs(&self) -> usize {
        self.sources.len().min(usize::from(u16::MAX))
    }
    /// The bytes `emit` writes.
    pub fn buffer_len(&self) -> usize {
        RECORD_HEADER_LEN + 16 * self.num_srcs()
    }
    /// Write the record into the first [`AddressRecordRepr::buffer_len`]
    /// bytes of `buf`; return that length.
    pub fn emit(&self, buf: &mut [u8]) -> usize {
        let n = self.num_srcs();
        let len = self.buffer_len();
        let buf = &mut buf[..len];
        buf[field::RECORD_TYPE] = self.record_type.into();
        buf[field::AUX_DATA_LEN] = 0;
        // n <= u16::MAX by `num_srcs`.
        NetworkEndian::write_u16(&mut buf[field::RECORD_NUM_SRCS], n as u16);
        buf[field::RECORD_MCAST_ADDR].copy_from_slice(&self.mcast_addr.octets());
        emit_addrs(&mut buf[field::RECORD_SOURCES..], &self.sources[..n]);
        len
    }
}

/// The length of an MLDv2 Report carrying `records` (at most 65535).
pub fn report_v2_buffer_len(records: &[AddressRecordRepr<'_>]) -> usize {
    let n = records.len().min(usize::from(u16::MAX));
    V2_REPORT_HEADER_LEN
        + records[..n]
            .iter()
            .map(AddressRecordRepr::buffer_len)
            .sum::<usize>()
}

/// Write an MLDv2 Report (RFC 3810 §5.2) carrying `records` from `src` to
/// `dst`, with its checksum when `checksum.tx()`. `packet` must be exactly
/// [`report_v2_buffer_len`]`(records)` bytes long.
pub fn emit_report_v2<T: AsRef<[u8]> + AsMut<[u8]>>(
    packet: &mut icmpv6::Packet<T>,
    records: &[AddressRecordRepr<'_>],
    src: &Ipv6Addr,
    dst: &Ipv6Addr,
    checksum: Checksum,
) {
    let n = records.len().min(usize::from(u16::MAX));
    packet.set_msg_type(Message::MldV2Report);
    packet.set_msg_code(0);
    packet.clear_unused();
    // n <= u16::MAX.
    packet.set_nr_mcast_records(n as u16);
    let mut at = field::RECORDS;
    for r in &records[..n] {
        at += r.emit(&mut packet.bytes_mut()[at..]);
    }
    packet.finish_checksum(src, dst, checksum);
}

/// A parsed MLD message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Repr<'a> {
    /// Multicast Listener Query, MLDv1 (RFC 2710 §3.6) or MLDv2
    /// (RFC 3810 §5.1). An MLDv1 Query has `s_flag` false, `qrv` and
    /// `qqic` 0 and no sources.
    Query {
        /// Maximum Response Code (MLDv2, see [`decode_max_resp_code`]) or
        /// Maximum Response Delay in ms (MLDv1).
        max_resp_code: u16,
        /// `::` for a General Query, else the group queried.
        mcast_addr: Ipv6Addr,
        /// Which version, i.e. which length, the Query has.
        version: MldVersion,
        /// S flag: Suppress Router-Side Processing.
        s_flag: bool,
        /// Querier's Robustness Variable (0..=7).
        qrv: u8,
        /// Querier's Query Interval Code (see [`decode_qqic`]).
        qqic: u8,
        /// Source addresses (Number of Sources is their count).
        sources: Ipv6AddrList<'a>,
    },
    /// MLDv1 Multicast Listener Report (RFC 2710 §3.6).
    Report {
        /// The group listened to.
        mcast_addr: Ipv6Addr,
    },
    /// MLDv1 Multicast Listener Done (RFC 2710 §3.6).
    Done {
        /// The group left.
        mcast_addr: Ipv6Addr,
    },
    /// MLDv2 Multicast Listener Report (RFC 3810 §5.2). Build one with
    /// [`emit_report_v2`].
    ReportV2 {
        /// The Multicast Address Records.
        records: AddressRecords<'a>,
    },
}

impl<'a> Repr<'a> {
    /// Parse an MLD message. The checksum is not verified here (see
    /// [`icmpv6::Repr::parse`]).
    ///
    /// Rejected with [`Error::BadField`]: a Query whose address is neither
    /// `::` nor multicast, a General Query with sources (RFC 3810 §5.1.10),
    /// and an MLDv1 Report / Done whose address is not multicast.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &icmpv6::Packet<&'a T>) -> Result<Repr<'a>> {
        packet.check_len()?;
        let mcast_addr = packet.mcast_addr();
        match packet.msg_type() {
            Message::MldQuery => {
                // RFC 3810 §5.1.5: zero for a General Query, else the
                // multicast address being queried.
                if !mcast_addr.is_unspecified() && !mcast_addr.is_multicast() {
                    return Err(Error::BadField);
                }
                // RFC 3810 §8.1: 24 octets is MLDv1 (check_len rejected
                // 25..=27).
                if packet.bytes().len() == V1_LEN {
                    return Ok(Repr::Query {
                        max_resp_code: packet.max_resp_code(),
                        mcast_addr,
                        version: MldVersion::V1,
                        s_flag: false,
                        qrv: 0,
                        qqic: 0,
                        sources: Ipv6AddrList::EMPTY,
                    });
                }
                let sources = packet.query_sources();
                // RFC 3810 §5.1.10: "This number is zero in a General Query".
                if mcast_addr.is_unspecified() && !sources.is_empty() {
                    return Err(Error::BadField);
                }
                Ok(Repr::Query {
                    max_resp_code: packet.max_resp_code(),
                    mcast_addr,
                    version: MldVersion::V2,
                    s_flag: packet.query_s_flag(),
                    qrv: packet.query_qrv(),
                    qqic: packet.query_qqic(),
                    sources,
                })
            }
            Message::MldReport | Message::MldDone => {
                if !mcast_addr.is_multicast() {
                    return Err(Error::BadField);
                }
                Ok(if packet.msg_type() == Message::MldReport {
                    Repr::Report { mcast_addr }
                } else {
                    Repr::Done { mcast_addr }
                })
            }
            Message::MldV2Report => Ok(Repr::ReportV2 {
                records: AddressRecords::new_checked(
                    packet.nr_mcast_records(),
                    packet.report_records(),
                )?,
            }),
            _ => Err(Error::Unrecognized),
        }
    }

    /// The ICMPv6 message type.
    pub fn msg_type(&self) -> Message {
        match self {
            Repr::Query { .. } => Message::MldQuery,
            Repr::Report { .. } => Message::MldReport,
            Repr::Done { .. } => Message::MldDone,
            Repr::ReportV2 { .. } => Message::MldV2Report,
        }
    }

    /// For a Query, the maximum response delay in milliseconds (decoded
    /// per RFC 3810 §5.1.3 for MLDv2, as is for MLDv1).
    pub fn max_resp_delay_ms(&self) -> Option<u32> {
        match self {
            Repr::Query {
                max_resp_code,
                version: MldVersion::V1,
                ..
            } => Some(u32::from(*max_resp_code)),
            Repr::Query { max_resp_code, .. } => Some(decode_max_resp_code(*max_resp_code)),
            _ => None,
        }
    }

    /// The exact number of bytes `emit` writes.
    pub fn buffer_len(&self) -> usize {
        match self {
            Repr::Query {
                version: MldVersion::V1,
                ..
            }
            | Repr::Report { .. }
            | Repr::Done { .. } => V1_LEN,
            Repr::Query { sources, .. } => V2_QUERY_LEN + sources.as_bytes().len(),
            Repr::ReportV2 { records } => V2_REPORT_HEADER_LEN + records.as_bytes().len(),
        }
    }

    /// Write the message from `src` to `dst`, then its checksum when
    /// `checksum.tx()`. `packet` must be exactly [`Repr::buffer_len`]
    /// bytes long.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut icmpv6::Packet<T>,
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        checksum: Checksum,
    ) {
        packet.set_msg_type(self.msg_type());
        packet.set_msg_code(0);
        // Maximum Response Code/Delay and Reserved: zero unless a Query.
        packet.clear_unused();
        match *self {
            Repr::Query {
                max_resp_code,
                mcast_addr,
                version,
                s_flag,
                qrv,
                qqic,
                sources,
            } => {
                packet.set_max_resp_code(max_resp_code);
                packet.set_mcast_addr(mcast_addr);
                if version == MldVersion::V2 {
                    packet.set_query_flags(s_flag, qrv);
                    packet.set_query_qqic(qqic);
                    let src_bytes = sources.as_bytes();
                    packet.set_query_num_srcs(u16::try_from(sources.len()).unwrap_or(u16::MAX));
                    let room = &mut packet.bytes_mut()[field::SOURCES..];
                    let n = room.len().min(src_bytes.len());
                    room[..n].copy_from_slice(&src_bytes[..n]);
                }
            }
            Repr::Report { mcast_addr } | Repr::Done { mcast_addr } => {
                packet.set_mcast_addr(mcast_addr)
            }
            Repr::ReportV2 { records } => {
                packet.set_nr_mcast_records(records.len());
                let src_bytes = records.as_bytes();
                let room = &mut packet.bytes_mut()[field::RECORDS..];
                let n = room.len().min(src_bytes.len());
                room[..n].copy_from_slice(&src_bytes[..n]);
            }
        }
        packet.finish_checksum(src, dst, checksum);
    }
}
