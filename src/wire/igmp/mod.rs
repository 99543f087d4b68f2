//! IGMP: version 1 (RFC 1112 App. I), version 2 (RFC 2236) and version 3
//! (RFC 3376).
//!
//! ```text
//! IGMPv1 / IGMPv2 message, and the start of an IGMPv3 query:
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |  Type  |MaxResp |    Checksum     |
//! +--------+--------+--------+--------+
//! |           Group Address           |
//! +--------+--------+--------+--------+
//! IGMPv3 query continues (RFC 3376 §4.1):
//! +----+-+---+------+--------+--------+
//! |Resv|S|QRV| QQIC |Number of Sources|
//! +----+-+---+------+--------+--------+
//! |     Source Address [1 .. N]       |
//! +--------+--------+--------+--------+
//!
//! IGMPv3 report (RFC 3376 §4.2):
//! +--------+--------+--------+--------+
//! |  0x22  |Reserved|    Checksum     |
//! +--------+--------+--------+--------+
//! |    Reserved     |Nr of Grp Records|
//! +--------+--------+--------+--------+
//! |  Group Record [1 .. M]  (see v3)  |
//! +--------+--------+--------+--------+
//! ```
//!
//! IGMP has no length field: the message is the whole IP payload, and the
//! checksum covers all of it (RFC 2236 §2.3, RFC 3376 §4.1.2).

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv4Addr;

use super::checksum::{self, Checksum};
use super::{Error, Result};

mod v3;

pub use self::v3::{
    AUX_DATA_MAX_LEN, GROUP_RECORD_HEADER_LEN, GroupRecord, GroupRecordRepr, GroupRecords,
    RecordType, SOURCE_LEN, Sources,
};

mod field {
    use crate::wire::field::{Field, Rest};
    pub(crate) const TYPE: usize = 0;
    pub(crate) const MAX_RESP_CODE: usize = 1;
    pub(crate) const CHECKSUM: Field = 2..4;
    pub(crate) const GROUP_ADDR: Field = 4..8;

    // IGMPv3 query (RFC 3376 §4.1).
    pub(crate) const QUERY_FLAGS: usize = 8;
    pub(crate) const QQIC: usize = 9;
    pub(crate) const NUM_SOURCES: Field = 10..12;
    pub(crate) const SOURCES: Rest = 12..;

    // IGMPv3 report (RFC 3376 §4.2).
    pub(crate) const NUM_GROUP_RECORDS: Field = 6..8;
    pub(crate) const GROUP_RECORDS: Rest = 8..;
}

/// The IGMPv1/v2 message length, and the minimum of every IGMP message.
pub const HEADER_LEN: usize = field::GROUP_ADDR.end;

/// The fixed part of an IGMPv3 query (RFC 3376 §4.1).
pub const V3_QUERY_HEADER_LEN: usize = field::SOURCES.start;

/// The fixed part of an IGMPv3 report (RFC 3376 §4.2).
pub const V3_REPORT_HEADER_LEN: usize = field::GROUP_RECORDS.start;

/// The Max Response Time, in tenths of a second, that a host uses for an
/// IGMPv1 query, whose field is zero (RFC 2236 §4: "interpreted as a value
/// of 100 (10 seconds)").
pub const V1_MAX_RESP_TIME: u16 = 100;

/// The largest value the Max Resp Code / QQIC floating-point encoding
/// represents: mant 0xf, exp 7 gives (0x1f) << 10 (RFC 3376 §4.1.1).
pub const TIME_CODE_MAX: u32 = 0x1f << 10;

/// Decode a Max Resp Code (RFC 3376 §4.1.1, tenths of a second) or a QQIC
/// (§4.1.7, seconds): below 128 the value itself, otherwise
/// `1 | exp (3 bits) | mant (4 bits)` meaning `(mant | 0x10) << (exp + 3)`.
pub const fn decode_time_code(code: u8) -> u32 {
    if code < 0x80 {
        code as u32
    } else {
        let exp = (code >> 4) & 0x07;
        let mant = code & 0x0f;
        ((mant as u32) | 0x10) << (exp + 3)
    }
}

/// Encode a time (tenths of a second for Max Resp Code, seconds for QQIC)
/// as the smallest representable code not below it, so that a host never
/// gets less time than asked (RFC 3376 §4.1.1, §4.1.7). Values above
/// [`TIME_CODE_MAX`] saturate to `0xff`.
pub const fn encode_time_code(value: u32) -> u8 {
    if value < 0x80 {
        return value as u8;
    }
    if value > TIME_CODE_MAX {
        return 0xff;
    }
    let mut exp = 0u32;
    while exp < 8 {
        let shift = exp + 3;
        // Round up: the smallest mantissa with (mant << shift) >= value.
        let mant = value.div_ceil(1 << shift);
        if mant <= 0x1f {
            // mant >= 0x10 here: the previous exponent needed more than
            // 0x1f, i.e. value > 0x1f << (shift - 1) >= 0x0f << shift.
            return 0x80 | ((exp as u8) << 4) | ((mant as u8) & 0x0f);
        }
        exp += 1;
    }
    0xff
}

/// IGMP message types (RFC 1112 App. I, RFC 2236 §2.1, RFC 3376 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message {
    /// Membership Query (0x11), all versions.
    MembershipQuery,
    /// Version 1 Membership Report (0x12).
    V1Report,
    /// Version 2 Membership Report (0x16).
    V2Report,
    /// Leave Group (0x17), version 2.
    LeaveGroup,
    /// Version 3 Membership Report (0x22).
    V3Report,
    /// Any other type; RFC 3376 §4: "unrecognized message types MUST be
    /// silently ignored".
    Unknown(u8),
}

impl From<u8> for Message {
    fn from(v: u8) -> Self {
        match v {
            0x11 => Message::MembershipQuery,
            0x12 => Message::V1Report,
            0x16 => Message::V2Report,
            0x17 => Message::LeaveGroup,
            0x22 => Message::V3Report,
            other => Message::Unknown(other),
        }
    }
}

impl From<Message> for u8 {
    fn from(v: Message) -> u8 {
        match v {
            Message::MembershipQuery => 0x11,
            Message::V1Report => 0x12,
            Message::V2Report => 0x16,
            Message::LeaveGroup => 0x17,
            Message::V3Report => 0x22,
            Message::Unknown(other) => other,
        }
    }
}

/// An IGMP version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Version {
    /// IGMPv1 (RFC 1112).
    V1,
    /// IGMPv2 (RFC 2236).
    V2,
    /// IGMPv3 (RFC 3376).
    V3,
}

/// A view over an IGMP message.
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

    /// Check the length against the type:
    ///
    /// * every message holds the 8-byte header;
    /// * a query is 8 bytes (v1/v2) or at least 12 (v3), and a v3 query
    ///   holds its Number of Sources addresses (RFC 3376 §7.1, §4.1.8);
    /// * a v3 report holds its Number of Group Records records, each with
    ///   its sources and auxiliary data (RFC 3376 §4.2.4–§4.2.6).
    ///
    /// Bytes past the counted sources or records are allowed (RFC 3376
    /// §4.1.10, §4.2.11: included in the checksum, otherwise ignored).
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        if buf.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        match self.msg_type() {
            Message::MembershipQuery => {
                self.query_version()?;
                if buf.len() >= V3_QUERY_HEADER_LEN {
                    let sources = usize::from(self.num_sources()) * SOURCE_LEN;
                    if buf.len() < V3_QUERY_HEADER_LEN + sources {
                        return Err(Error::Truncated);
                    }
                }
                Ok(())
            }
            Message::V3Report => {
                v3::records_len(&buf[field::GROUP_RECORDS], self.num_group_records())?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Give back the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The message type.
    pub fn msg_type(&self) -> Message {
        Message::from(self.buffer.as_ref()[field::TYPE])
    }
    /// The Max Resp Code byte (v2: tenths of a second; v3: floating-point
    /// encoded, see [`decode_time_code`]; v1 and reports: unused, zero).
    pub fn max_resp_code(&self) -> u8 {
        self.buffer.as_ref()[field::MAX_RESP_CODE]
    }
    /// The checksum field.
    pub fn checksum(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::CHECKSUM])
    }
    /// The Group Address of a query, v1/v2 report or leave.
    pub fn group_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(NetworkEndian::read_u32(
            &self.buffer.as_ref()[field::GROUP_ADDR],
        ))
    }

    /// The version of a query, by its length and Max Resp Code
    /// (RFC 3376 §7.1; the bytes are read as a query whatever the type): 8 bytes with code 0 is v1, 8 bytes is v2, 12 or
    /// more is v3; other lengths are `BadLength` ("MUST be silently
    /// ignored").
    pub fn query_version(&self) -> Result<Version> {
        match self.buffer.as_ref().len() {
            HEADER_LEN if self.max_resp_code() == 0 => Ok(Version::V1),
            HEADER_LEN => Ok(Version::V2),
            n if n >= V3_QUERY_HEADER_LEN => Ok(Version::V3),
            _ => Err(Error::BadLength),
        }
    }

    /// The Max Resp Time of a query in tenths of a second, by version:
    /// [`V1_MAX_RESP_TIME`] for v1 (RFC 2236 §4), the code for v2, the
    /// decoded code for v3 (RFC 3376 §4.1.1). 0 if not a valid query
    /// length.
    pub fn max_resp_time(&self) -> u16 {
        match self.query_version() {
            Ok(Version::V1) => V1_MAX_RESP_TIME,
            Ok(Version::V2) => u16::from(self.max_resp_code()),
            // TIME_CODE_MAX fits in a u16.
            Ok(Version::V3) => {
                u16::try_from(decode_time_code(self.max_resp_code())).unwrap_or(u16::MAX)
            }
            Err(_) => 0,
        }
    }

    fn byte_or_zero(&self, at: usize) -> u8 {
        self.buffer.as_ref().get(at).copied().unwrap_or(0)
    }

    /// The S flag of a v3 query, "Suppress Router-Side Processing"
    /// (RFC 3376 §4.1.5); false if the message is too short.
    pub fn s_flag(&self) -> bool {
        self.byte_or_zero(field::QUERY_FLAGS) & 0x08 != 0
    }
    /// The QRV of a v3 query, "Querier's Robustness Variable"
    /// (RFC 3376 §4.1.6); 0 if the message is too short.
    pub fn qrv(&self) -> u8 {
        self.byte_or_zero(field::QUERY_FLAGS) & 0x07
    }
    /// The QQIC of a v3 query, "Querier's Query Interval Code"
    /// (RFC 3376 §4.1.7), raw; 0 if the message is too short.
    pub fn qqic(&self) -> u8 {
        self.byte_or_zero(field::QQIC)
    }
    /// The Number of Sources of a v3 query (RFC 3376 §4.1.8); 0 if the
    /// message is too short.
    pub fn num_sources(&self) -> u16 {
        self.buffer
            .as_ref()
            .get(field::NUM_SOURCES)
            .map_or(0, NetworkEndian::read_u16)
    }
    /// The Number of Group Records of a v3 report (RFC 3376 §4.2.3).
    pub fn num_group_records(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::NUM_GROUP_RECORDS])
    }

    /// Whether the checksum over the whole message verifies.
    pub fn verify_checksum(&self) -> bool {
        checksum::data(self.buffer.as_ref()) == 0xffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The raw source list of a v3 query: Number of Sources addresses,
    /// clamped to the buffer (empty if it is not a v3 query).
    pub fn sources(&self) -> &'a [u8] {
        let buf = self.buffer.as_ref();
        let end = V3_QUERY_HEADER_LEN + usize::from(self.num_sources()) * SOURCE_LEN;
        buf.get(V3_QUERY_HEADER_LEN..end.min(buf.len()))
            .unwrap_or(&[])
    }
    /// The sources of a v3 query.
    pub fn source_iter(&self) -> Sources<'a> {
        Sources::new(self.sources())
    }

    /// The raw group records of a v3 report: exactly the Number of Group
    /// Records records when they are valid, else everything after the
    /// header.
    pub fn group_records(&self) -> &'a [u8] {
        let rest = &self.buffer.as_ref()[field::GROUP_RECORDS];
        match v3::records_len(rest, self.num_group_records()) {
            Ok(len) => &rest[..len],
            Err(_) => rest,
        }
    }
    /// The group records of a v3 report.
    pub fn group_record_iter(&self) -> GroupRecords<'a> {
        GroupRecords::new(self.group_records())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Set the message type.
    pub fn set_msg_type(&mut self, v: Message) {
        self.buffer.as_mut()[field::TYPE] = u8::from(v)
    }
    /// Set the Max Resp Code byte (the reserved byte of a v3 report).
    pub fn set_max_resp_code(&mut self, v: u8) {
        self.buffer.as_mut()[field::MAX_RESP_CODE] = v
    }
    /// Set the checksum field.
    pub fn set_checksum(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::CHECKSUM], v)
    }
    /// Set the Group Address (the reserved word and record count of a v3
    /// report share these bytes).
    pub fn set_group_addr(&mut self, v: Ipv4Addr) {
        self.buffer.as_mut()[field::GROUP_ADDR].copy_from_slice(&v.octets())
    }
    /// Set the Resv/S/QRV byte of a v3 query; Resv is zeroed.
    pub fn set_query_flags(&mut self, s_flag: bool, qrv: u8) {
        self.buffer.as_mut()[field::QUERY_FLAGS] = (u8::from(s_flag) << 3) | (qrv & 0x07)
    }
    /// Set the QQIC of a v3 query.
    pub fn set_qqic(&mut self, v: u8) {
        self.buffer.as_mut()[field::QQIC] = v
    }
    /// Set the Number of Sources of a v3 query.
    pub fn set_num_sources(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::NUM_SOURCES], v)
    }
    /// Set the Number of Group Records of a v3 report (and zero the
    /// reserved 16 bits before it).
    pub fn set_num_group_records(&mut self, v: u16) {
        let buf = self.buffer.as_mut();
        buf[4] = 0;
        buf[5] = 0;
        NetworkEndian::write_u16(&mut buf[field::NUM_GROUP_RECORDS], v)
    }

    /// Compute and store the checksum over the whole buffer.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = checksum::finish(checksum::data(self.buffer.as_ref()));
        self.set_checksum(c);
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed IGMP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Repr<'a> {
    /// A Membership Query of any version.
    Query {
        /// The version, from the length and Max Resp Code (RFC 3376 §7.1).
        version: Version,
        /// Max Resp Time in tenths of a second: [`V1_MAX_RESP_TIME`] for
        /// v1 (not sent: v1 writes 0); 1..=255 for v2 (0 would make it a
        /// v1 query; larger values are sent as 255); decoded for v3 and
        /// rounded up to a representable value on emit.
        max_resp_time: u16,
        /// Group Address: unspecified for a General Query, else the group.
        group_addr: Ipv4Addr,
        /// v3: Suppress Router-Side Processing (false for v1/v2).
        s_flag: bool,
        /// v3: Querier's Robustness Variable, 0..=7 (0 for v1/v2).
        qrv: u8,
        /// v3: Querier's Query Interval in seconds, decoded from QQIC
        /// (RFC 3376 §4.1.7) and rounded up on emit (0 for v1/v2).
        qqi: u16,
        /// v3: the raw source list, Number of Sources × 4 bytes (empty for
        /// v1/v2). See [`Repr::query_sources`].
        sources: &'a [u8],
    },
    /// A v1 or v2 Membership Report.
    Report {
        /// [`Version::V1`] or [`Version::V2`]; `V3` is emitted as a v2
        /// report (v3 reports are [`Repr::V3Report`]).
        version: Version,
        /// The group reported.
        group_addr: Ipv4Addr,
    },
    /// A v2 Leave Group.
    Leave {
        /// The group left.
        group_addr: Ipv4Addr,
    },
    /// A v3 Membership Report.
    V3Report {
        /// The raw group records, exactly Number of Group Records of them.
        /// See [`Repr::group_records`]; build new ones with
        /// [`V3ReportRepr`].
        records: &'a [u8],
    },
}

impl<'a> Repr<'a> {
    /// Parse and validate a message; the buffer is the whole IP payload.
    ///
    /// * The checksum is verified when `checksum.rx()`.
    /// * A query's group must be unspecified (General Query) or multicast
    ///   (RFC 2236 §2.4, RFC 3376 §4.1.3), else `BadField`.
    /// * A v1/v2 report's or leave's group must be multicast
    ///   (RFC 1112 App. I, RFC 2236 §2.4), else `BadField`.
    /// * Unknown types are `Unrecognized` (RFC 3376 §4: "silently
    ///   ignored").
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        checksum: Checksum,
    ) -> Result<Repr<'a>> {
        packet.check_len()?;
        if checksum.rx() && !packet.verify_checksum() {
            return Err(Error::BadChecksum);
        }
        let group_addr = packet.group_addr();
        match packet.msg_type() {
            Message::MembershipQuery => {
                if !(group_addr.is_unspecified() || group_addr.is_multicast()) {
                    return Err(Error::BadField);
                }
                let version = packet.query_version()?;
                let v3 = version == Version::V3;
                Ok(Repr::Query {
                    version,
                    max_resp_time: packet.max_resp_time(),
                    group_addr,
                    s_flag: v3 && packet.s_flag(),
                    qrv: if v3 { packet.qrv() } else { 0 },
                    // TIME_CODE_MAX fits in a u16.
                    qqi: if v3 {
                        u16::try_from(decode_time_code(packet.qqic())).unwrap_or(u16::MAX)
                    } else {
                        0
                    },
                    sources: packet.sources(),
                })
            }
            Message::V1Report | Message::V2Report | Message::LeaveGroup => {
                if !group_addr.is_multicast() {
                    return Err(Error::BadField);
                }
                Ok(match packet.msg_type() {
                    Message::V1Report => Repr::Report {
                        version: Version::V1,
                        group_addr,
                    },
                    Message::V2Report => Repr::Report {
                        version: Version::V2,
                        group_addr,
                    },
                    _ => Repr::Leave { group_addr },
                })
            }
            Message::V3Report => Ok(Repr::V3Report {
                records: packet.group_records(),
            }),
            Message::Unknown(_) => Err(Error::Unrecognized),
        }
    }

    /// The sources of a v3 query (empty for anything else).
    pub fn query_sources(&self) -> Sources<'a> {
        match *self {
            Repr::Query { sources, .. } => Sources::new(sources),
            _ => Sources::new(&[]),
        }
    }

    /// The group records of a v3 report (empty for anything else).
    pub fn group_records(&self) -> GroupRecords<'a> {
        match *self {
            Repr::V3Report { records } => GroupRecords::new(records),
            _ => GroupRecords::new(&[]),
        }
    }

    /// The whole sources of a v3 query that `emit` writes: whole addresses,
    /// at most 65535 of them.
    fn emitted_sources(sources: &[u8]) -> &[u8] {
        let n = (sources.len() / SOURCE_LEN).min(usize::from(u16::MAX));
        &sources[..n * SOURCE_LEN]
    }

    /// The valid, complete records of a v3 report that `emit` writes, and
    /// their count.
    fn emitted_records(records: &[u8]) -> (&[u8], u16) {
        let mut len = 0;
        let mut count = 0u16;
        for r in GroupRecords::new(records) {
            match r {
                Ok(r) if count < u16::MAX => {
                    len += r.buffer_len();
                    count += 1;
                }
                _ => break,
            }
        }
        (&records[..len], count)
    }

    /// The bytes `emit` writes: the whole IGMP message.
    pub fn buffer_len(&self) -> usize {
        match *self {
            Repr::Query {
                version: Version::V3,
                sources,
                ..
            } => V3_QUERY_HEADER_LEN + Self::emitted_sources(sources).len(),
            Repr::V3Report { records } => {
                V3_REPORT_HEADER_LEN + Self::emitted_records(records).0.len()
            }
            _ => HEADER_LEN,
        }
    }

    /// Write the message and fill the checksum when `checksum.tx()` (else
    /// leave it zero for the device).
    ///
    /// `packet` must hold at least `buffer_len()` bytes; only that many are
    /// written and summed. A v3 query writes whole source addresses only;
    /// a v3 report writes its records up to the first malformed one.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>, checksum: Checksum) {
        let len = self.buffer_len();
        let mut packet = Packet::new_unchecked(&mut packet.buffer.as_mut()[..len]);
        packet.set_checksum(0);
        match *self {
            Repr::Query {
                version,
                max_resp_time,
                group_addr,
                s_flag,
                qrv,
                qqi,
                sources,
            } => {
                packet.set_msg_type(Message::MembershipQuery);
                packet.set_group_addr(group_addr);
                match version {
                    // RFC 1112 App. I: "Unused" field, zero.
                    Version::V1 => packet.set_max_resp_code(0),
                    // RFC 2236 §2.2: units of 1/10 second.
                    Version::V2 => {
                        packet.set_max_resp_code(u8::try_from(max_resp_time).unwrap_or(u8::MAX))
                    }
                    Version::V3 => {
                        let sources = Self::emitted_sources(sources);
                        packet.set_max_resp_code(encode_time_code(u32::from(max_resp_time)));
                        packet.set_query_flags(s_flag, qrv);
                        packet.set_qqic(encode_time_code(u32::from(qqi)));
                        // emitted_sources keeps at most 65535 addresses.
                        packet.set_num_sources(
                            u16::try_from(sources.len() / SOURCE_LEN).unwrap_or(u16::MAX),
                        );
                        packet.buffer[field::SOURCES].copy_from_slice(sources);
                    }
                }
            }
            Repr::Report {
                version,
                group_addr,
            } => {
                packet.set_msg_type(match version {
                    Version::V1 => Message::V1Report,
                    _ => Message::V2Report,
                });
                packet.set_max_resp_code(0);
                packet.set_group_addr(group_addr);
            }
            Repr::Leave { group_addr } => {
                packet.set_msg_type(Message::LeaveGroup);
                packet.set_max_resp_code(0);
                packet.set_group_addr(group_addr);
            }
            Repr::V3Report { records } => {
                let (records, count) = Self::emitted_records(records);
                packet.set_msg_type(Message::V3Report);
                packet.set_max_resp_code(0);
                packet.set_num_group_records(count);
                packet.buffer[field::GROUP_RECORDS].copy_from_slice(records);
            }
        }
        if checksum.tx() {
            packet.fill_checksum();
        }
    }
}

/// An IGMPv3 report to build from typed group records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct V3ReportRepr<'r, 'a> {
    /// The records, in order; at most 65535 are written.
    pub records: &'r [GroupRecordRepr<'a>],
}

impl V3ReportRepr<'_, '_> {
    fn emitted(&self) -> &[GroupRecordRepr<'_>] {
        let n = self.records.len().min(usize::from(u16::MAX));
        &self.records[..n]
    }

    /// The bytes `emit` writes.
    pub fn buffer_len(&self) -> usize {
        V3_REPORT_HEADER_LEN
            + self
                .emitted()
                .iter()
                .map(GroupRecordRepr::buffer_len)
                .sum::<usize>()
    }

    /// Write the report and fill the checksum when `checksum.tx()`.
    /// `packet` must hold at least `buffer_len()` bytes; only that many
    /// are written and summed. The result parses as a [`Repr::V3Report`].
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>, checksum: Checksum) {
        let len = self.buffer_len();
        let records = self.emitted();
        let mut packet = Packet::new_unchecked(&mut packet.buffer.as_mut()[..len]);
        packet.set_msg_type(Message::V3Report);
        packet.set_max_resp_code(0);
        packet.set_checksum(0);
        // emitted() keeps at most 65535 records.
        packet.set_num_group_records(u16::try_from(records.len()).unwrap_or(u16::MAX));
        let mut at = V3_REPORT_HEADER_LEN;
        for r in records {
            let n = r.buffer_len();
            r.emit(&mut packet.buffer[at..at + n]);
            at += n;
        }
        if checksum.tx() {
            packet.fill_checksum();
        }
    }
}

#[cfg(test)]
mod tests;
