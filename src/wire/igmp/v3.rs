//! IGMPv3 source lists and group records (RFC 3376 §4.1.9, §4.2.4).
//!
//! ```text
//! Group Record (RFC 3376 §4.2.4):
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |  Type  |Aux Len | Number of Srcs  |
//! +--------+--------+--------+--------+
//! |         Multicast Address         |
//! +--------+--------+--------+--------+
//! |     Source Address [1 .. N]       |
//! +--------+--------+--------+--------+
//! |  Auxiliary Data (Aux Len words)   |
//! +--------+--------+--------+--------+
//! ```

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv4Addr;

use crate::wire::{Error, Result};

pub(super) mod field {
    use crate::wire::field::Field;
    pub(crate) const RECORD_TYPE: usize = 0;
    pub(crate) const AUX_DATA_LEN: usize = 1;
    pub(crate) const NUM_SOURCES: Field = 2..4;
    pub(crate) const MCAST_ADDR: Field = 4..8;
}

/// The fixed part of a group record (RFC 3376 §4.2.4).
pub const GROUP_RECORD_HEADER_LEN: usize = field::MCAST_ADDR.end;

/// The length of one source address.
pub const SOURCE_LEN: usize = 4;

/// The most auxiliary data a record can carry: 255 32-bit words
/// (RFC 3376 §4.2.6: the length is in units of 32-bit words).
pub const AUX_DATA_MAX_LEN: usize = 255 * 4;

/// Group record types (RFC 3376 §4.2.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecordType {
    /// MODE_IS_INCLUDE (1): a Current-State Record.
    ModeIsInclude,
    /// MODE_IS_EXCLUDE (2): a Current-State Record.
    ModeIsExclude,
    /// CHANGE_TO_INCLUDE_MODE (3): a Filter-Mode-Change Record.
    ChangeToInclude,
    /// CHANGE_TO_EXCLUDE_MODE (4): a Filter-Mode-Change Record.
    ChangeToExclude,
    /// ALLOW_NEW_SOURCES (5): a Source-List-Change Record.
    AllowNewSources,
    /// BLOCK_OLD_SOURCES (6): a Source-List-Change Record.
    BlockOldSources,
    /// Any other value; RFC 3376 §4.2.12: "Unrecognized Record Type values
    /// MUST be silently ignored."
    Unknown(u8),
}

impl From<u8> for RecordType {
    fn from(v: u8) -> Self {
        match v {
            1 => RecordType::ModeIsInclude,
            2 => RecordType::ModeIsExclude,
            3 => RecordType::ChangeToInclude,
            4 => RecordType::ChangeToExclude,
            5 => RecordType::AllowNewSources,
            6 => RecordType::BlockOldSources,
            other => RecordType::Unknown(other),
        }
    }
}

impl From<RecordType> for u8 {
    fn from(v: RecordType) -> u8 {
        match v {
            RecordType::ModeIsInclude => 1,
            RecordType::ModeIsExclude => 2,
            RecordType::ChangeToInclude => 3,
            RecordType::ChangeToExclude => 4,
            RecordType::AllowNewSources => 5,
            RecordType::BlockOldSources => 6,
            RecordType::Unknown(other) => other,
        }
    }
}

/// An iterator over a raw list of IPv4 source addresses (4 bytes each).
///
/// A trailing partial address (impossible after validation) is ignored.
#[derive(Debug, Clone)]
pub struct Sources<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl<'a> Sources<'a> {
    /// Iterate over the addresses in `raw`.
    pub fn new(raw: &'a [u8]) -> Sources<'a> {
        Sources {
            chunks: raw.chunks_exact(SOURCE_LEN),
        }
    }
}

impl Iterator for Sources<'_> {
    type Item = Ipv4Addr;
    fn next(&mut self) -> Option<Ipv4Addr> {
        self.chunks
            .next()
            .map(|c| Ipv4Addr::from(NetworkEndian::read_u32(c)))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for Sources<'_> {}

/// A group record of an IGMPv3 report, borrowed from the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GroupRecord<'a> {
    /// Record Type.
    pub record_type: RecordType,
    /// Multicast Address. Not checked to be multicast: the receiver
    /// decides what to do with a record for a bogus group.
    pub group_addr: Ipv4Addr,
    /// The Source Addresses, raw (a multiple of 4 bytes).
    pub sources: &'a [u8],
    /// Auxiliary Data, raw (a multiple of 4 bytes). RFC 3376 §4.2.6:
    /// "IGMPv3 implementations MUST ignore Auxiliary Data".
    pub aux_data: &'a [u8],
}

impl<'a> GroupRecord<'a> {
    /// The number of sources.
    pub fn num_sources(&self) -> usize {
        self.sources.len() / SOURCE_LEN
    }
    /// The source addresses.
    pub fn source_iter(&self) -> Sources<'a> {
        Sources::new(self.sources)
    }
    /// The encoded length of this record.
    pub fn buffer_len(&self) -> usize {
        GROUP_RECORD_HEADER_LEN + self.sources.len() + self.aux_data.len()
    }
}

/// The total length of the record at the start of `raw`, validated
/// against `raw`.
fn record_len(raw: &[u8]) -> Result<usize> {
    if raw.len() < GROUP_RECORD_HEADER_LEN {
        return Err(Error::Truncated);
    }
    let sources = usize::from(NetworkEndian::read_u16(&raw[field::NUM_SOURCES])) * SOURCE_LEN;
    // RFC 3376 §4.2.6: Aux Data Len is in units of 32-bit words.
    let aux = usize::from(raw[field::AUX_DATA_LEN]) * 4;
    let len = GROUP_RECORD_HEADER_LEN + sources + aux;
    if raw.len() < len {
        return Err(Error::Truncated);
    }
    Ok(len)
}

/// The number of bytes `count` group records occupy at the start of `raw`,
/// every record's Number of Sources and Aux Data Len validated against the
/// buffer (RFC 3376 §4.2.4).
pub(super) fn records_len(raw: &[u8], count: u16) -> Result<usize> {
    let mut at = 0;
    for _ in 0..count {
        let rest = raw.get(at..).ok_or(Error::Truncated)?;
        at += record_len(rest)?;
    }
    Ok(at)
}

/// An iterator over the group records in a raw record list, yielding
/// `Err(Truncated)` once and ending if a record overruns the list.
#[derive(Debug, Clone)]
pub struct GroupRecords<'a> {
    raw: &'a [u8],
}

impl<'a> GroupRecords<'a> {
    /// Iterate over the records in `raw` until it is exhausted.
    pub fn new(raw: &'a [u8]) -> GroupRecords<'a> {
        GroupRecords { raw }
    }
}

impl<'a> Iterator for GroupRecords<'a> {
    type Item = Result<GroupRecord<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.raw.is_empty() {
            return None;
        }
        let raw = self.raw;
        let len = match record_len(raw) {
            Ok(len) => len,
            Err(e) => {
                self.raw = &[];
                return Some(Err(e));
            }
        };
        // record_len checked raw.len() >= len >= header + sources + aux.
        let sources_end = GROUP_RECORD_HEADER_LEN
            + usize::from(NetworkEndian::read_u16(&raw[field::NUM_SOURCES])) * SOURCE_LEN;
        let record = GroupRecord {
            record_type: RecordType::from(raw[field::RECORD_TYPE]),
            group_addr: Ipv4Addr::from(NetworkEndian::read_u32(&raw[field::MCAST_ADDR])),
            sources: &raw[GROUP_RECORD_HEADER_LEN..sources_end],
            aux_data: &raw[sources_end..len],
        };
        self.raw = &raw[len..];
        Some(Ok(record))
    }
}

/// A group record to emit, with its sources as addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GroupRecordRepr<'a> {
    /// Record Type.
    pub record_type: RecordType,
    /// Multicast Address.
    pub group_addr: Ipv4Addr,
    /// Source Addresses; at most 65535 are written.
    pub sources: &'a [Ipv4Addr],
    /// Auxiliary Data; zero-padded to whole 32-bit words, at most
    /// [`AUX_DATA_MAX_LEN`] bytes written. RFC 3376 §4.2.6: IGMPv3 itself
    /// defines none, so this is normally empty.
    pub aux_data: &'a [u8],
}

impl GroupRecordRepr<'_> {
    fn num_sources(&self) -> usize {
        self.sources.len().min(usize::from(u16::MAX))
    }
    fn aux_words(&self) -> usize {
        self.aux_data.len().div_ceil(4).min(255)
    }

    /// The encoded length of this record.
    pub fn buffer_len(&self) -> usize {
        GROUP_RECORD_HEADER_LEN + self.num_sources() * SOURCE_LEN + self.aux_words() * 4
    }

    /// Write the record into the first `buffer_len()` bytes of `buf`
    /// (which must be at least that long).
    pub fn emit(&self, buf: &mut [u8]) {
        let n = self.num_sources();
        let words = self.aux_words();
        buf[field::RECORD_TYPE] = u8::from(self.record_type);
        // `words` <= 255 and `n` <= 65535 by construction.
        buf[field::AUX_DATA_LEN] = u8::try_from(words).unwrap_or(u8::MAX);
        NetworkEndian::write_u16(
            &mut buf[field::NUM_SOURCES],
            u16::try_from(n).unwrap_or(u16::MAX),
        );
        buf[field::MCAST_ADDR].copy_from_slice(&self.group_addr.octets());
        let mut at = GROUP_RECORD_HEADER_LEN;
        for src in &self.sources[..n] {
            buf[at..at + SOURCE_LEN].copy_from_slice(&src.octets());
            at += SOURCE_LEN;
        }
        let aux = &mut buf[at..at + words * 4];
        aux.fill(0);
        let copy = self.aux_data.len().min(words * 4);
        aux[..copy].copy_from_slice(&self.aux_data[..copy]);
    }
}
