//! IPv4 options (RFC 791 §3.1, Router Alert RFC 2113).
//!
//! ```text
//! single-byte options:      multi-byte options:
//! +--------+                +--------+--------+--------...
//! |  type  |                |  type  | length | data ...
//! +--------+                +--------+--------+--------...
//!
//! type:  +-+-+-+-+-+-+-+-+
//!        |C| cls |  num  |   C = copied flag, cls = class, num = number
//!        +-+-+-+-+-+-+-+-+
//! ```
//!
//! The length counts the type and length bytes and the data. Only End of
//! Option List (0) and No Operation (1) are a single byte; every other type,
//! known or not, carries a length, so unknown options can be stepped over.

use byteorder::{ByteOrder, NetworkEndian};

use crate::wire::{Error, Result};

/// The largest options area: IHL is at most 15 words, 5 of which are the
/// fixed header (RFC 791 §3.1).
pub const MAX_OPTIONS_LEN: usize = 40;

/// An option-type octet (RFC 791 §3.1): copied flag, class and number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OptionType(pub u8);

impl OptionType {
    /// End of Option List (RFC 791 §3.1: type 0).
    pub const END_OF_LIST: OptionType = OptionType(0);
    /// No Operation (RFC 791 §3.1: type 1).
    pub const NO_OPERATION: OptionType = OptionType(1);
    /// Record Route (RFC 791 §3.1: type 7).
    pub const RECORD_ROUTE: OptionType = OptionType(7);
    /// Internet Timestamp (RFC 791 §3.1: type 68).
    pub const TIMESTAMP: OptionType = OptionType(68);
    /// Security (RFC 791 §3.1, RFC 1108: type 130).
    pub const SECURITY: OptionType = OptionType(130);
    /// Loose Source and Record Route (RFC 791 §3.1: type 131).
    pub const LOOSE_SOURCE_ROUTE: OptionType = OptionType(131);
    /// Stream Identifier (RFC 791 §3.1: type 136, obsolete per RFC 6814).
    pub const STREAM_ID: OptionType = OptionType(136);
    /// Strict Source and Record Route (RFC 791 §3.1: type 137).
    pub const STRICT_SOURCE_ROUTE: OptionType = OptionType(137);
    /// Router Alert (RFC 2113 §2.1: type 148).
    pub const ROUTER_ALERT: OptionType = OptionType(148);

    /// The copied flag: the option is copied into every fragment
    /// (RFC 791 §3.1, §3.2).
    pub const fn copied(self) -> bool {
        self.0 & 0x80 != 0
    }
    /// The option class (two bits).
    pub const fn class(self) -> OptionClass {
        match (self.0 >> 5) & 0b11 {
            0 => OptionClass::Control,
            1 => OptionClass::Reserved1,
            2 => OptionClass::DebuggingAndMeasurement,
            _ => OptionClass::Reserved3,
        }
    }
    /// The option number (five bits).
    pub const fn number(self) -> u8 {
        self.0 & 0x1f
    }
}

/// The option class (RFC 791 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OptionClass {
    /// 0: control.
    Control,
    /// 1: reserved for future use.
    Reserved1,
    /// 2: debugging and measurement.
    DebuggingAndMeasurement,
    /// 3: reserved for future use.
    Reserved3,
}

/// The value of Router Alert that asks every router to examine the packet
/// (RFC 2113 §2.1).
pub const ROUTER_ALERT_EXAMINE: u16 = 0;

/// One IPv4 option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Ipv4Option<'a> {
    /// End of Option List: the rest of the options area is padding.
    EndOfList,
    /// No Operation (alignment filler).
    NoOperation,
    /// Router Alert with its 16-bit value (RFC 2113 §2.1).
    RouterAlert(u16),
    /// Record Route: the pointer (1-based, relative to the option, at least
    /// 4) and the route data.
    RecordRoute {
        /// The pointer octet.
        pointer: u8,
        /// The route data (the recorded and free address slots).
        data: &'a [u8],
    },
    /// Internet Timestamp.
    Timestamp {
        /// The pointer octet (at least 5).
        pointer: u8,
        /// The overflow count (high four bits of the fourth octet).
        overflow: u8,
        /// The flags (low four bits of the fourth octet): 0 timestamps
        /// only, 1 address + timestamp, 3 prespecified addresses.
        flags: u8,
        /// The timestamp data.
        data: &'a [u8],
    },
    /// Loose Source and Record Route. Recognised so that the interface can
    /// refuse source-routed datagrams.
    LooseSourceRoute {
        /// The pointer octet (at least 4).
        pointer: u8,
        /// The route data.
        data: &'a [u8],
    },
    /// Strict Source and Record Route. Recognised so that the interface can
    /// refuse source-routed datagrams.
    StrictSourceRoute {
        /// The pointer octet (at least 4).
        pointer: u8,
        /// The route data.
        data: &'a [u8],
    },
    /// Any other option (Security, Stream ID, ...), kept raw.
    Unknown {
        /// The option-type octet.
        kind: u8,
        /// The bytes after the length octet.
        data: &'a [u8],
    },
}

impl<'a> Ipv4Option<'a> {
    /// The option-type octet.
    pub fn option_type(&self) -> OptionType {
        match self {
            Ipv4Option::EndOfList => OptionType::END_OF_LIST,
            Ipv4Option::NoOperation => OptionType::NO_OPERATION,
            Ipv4Option::RouterAlert(_) => OptionType::ROUTER_ALERT,
            Ipv4Option::RecordRoute { .. } => OptionType::RECORD_ROUTE,
            Ipv4Option::Timestamp { .. } => OptionType::TIMESTAMP,
            Ipv4Option::LooseSourceRoute { .. } => OptionType::LOOSE_SOURCE_ROUTE,
            Ipv4Option::StrictSourceRoute { .. } => OptionType::STRICT_SOURCE_ROUTE,
            Ipv4Option::Unknown { kind, .. } => OptionType(*kind),
        }
    }

    /// The bytes `emit` writes.
    pub fn buffer_len(&self) -> usize {
        match self {
            Ipv4Option::EndOfList | Ipv4Option::NoOperation => 1,
            Ipv4Option::RouterAlert(_) => 4,
            Ipv4Option::RecordRoute { data, .. }
            | Ipv4Option::LooseSourceRoute { data, .. }
            | Ipv4Option::StrictSourceRoute { data, .. } => 3 + data.len(),
            Ipv4Option::Timestamp { data, .. } => 4 + data.len(),
            Ipv4Option::Unknown { data, .. } => 2 + data.len(),
        }
    }

    /// Write the option into `buf` (at least `buffer_len()` bytes) and
    /// return the number of bytes written.
    ///
    /// An option longer than 255 bytes cannot be encoded (and never fits the
    /// 40-byte options area); its length octet is then written as 255.
    pub fn emit(&self, buf: &mut [u8]) -> usize {
        let len = self.buffer_len();
        buf[0] = self.option_type().0;
        if len == 1 {
            return 1;
        }
        buf[1] = u8::try_from(len).unwrap_or(u8::MAX);
        match *self {
            Ipv4Option::EndOfList | Ipv4Option::NoOperation => {}
            Ipv4Option::RouterAlert(v) => NetworkEndian::write_u16(&mut buf[2..4], v),
            Ipv4Option::RecordRoute { pointer, data }
            | Ipv4Option::LooseSourceRoute { pointer, data }
            | Ipv4Option::StrictSourceRoute { pointer, data } => {
                buf[2] = pointer;
                buf[3..len].copy_from_slice(data);
            }
            Ipv4Option::Timestamp {
                pointer,
                overflow,
                flags,
                data,
            } => {
                buf[2] = pointer;
                buf[3] = ((overflow & 0x0f) << 4) | (flags & 0x0f);
                buf[4..len].copy_from_slice(data);
            }
            Ipv4Option::Unknown { data, .. } => buf[2..len].copy_from_slice(data),
        }
        len
    }

    /// Decode one option from its raw bytes (type octet first, length
    /// already checked against the area by [`OptionsIter`]).
    fn decode(raw: &'a [u8]) -> Result<Ipv4Option<'a>> {
        let kind = OptionType(*raw.first().ok_or(Error::BadOption)?);
        match kind {
            OptionType::END_OF_LIST => return Ok(Ipv4Option::EndOfList),
            OptionType::NO_OPERATION => return Ok(Ipv4Option::NoOperation),
            _ => {}
        }
        let body = raw.get(2..).ok_or(Error::BadOption)?;
        match kind {
            OptionType::ROUTER_ALERT => {
                // RFC 2113 §2.1: "Length: 4", a two-octet value.
                let v: [u8; 2] = body.try_into().map_err(|_| Error::BadOption)?;
                Ok(Ipv4Option::RouterAlert(u16::from_be_bytes(v)))
            }
            OptionType::RECORD_ROUTE
            | OptionType::LOOSE_SOURCE_ROUTE
            | OptionType::STRICT_SOURCE_ROUTE => {
                let (&pointer, data) = body.split_first().ok_or(Error::BadOption)?;
                // RFC 791 §3.1: "the smallest legal value for the pointer is 4".
                if pointer < 4 {
                    return Err(Error::BadOption);
                }
                Ok(match kind {
                    OptionType::RECORD_ROUTE => Ipv4Option::RecordRoute { pointer, data },
                    OptionType::LOOSE_SOURCE_ROUTE => {
                        Ipv4Option::LooseSourceRoute { pointer, data }
                    }
                    _ => Ipv4Option::StrictSourceRoute { pointer, data },
                })
            }
            OptionType::TIMESTAMP => {
                let [pointer, oflw_flg, data @ ..] = body else {
                    return Err(Error::BadOption);
                };
                // RFC 791 §3.1 (Internet Timestamp): "The smallest legal
                // value is 5."
                if *pointer < 5 {
                    return Err(Error::BadOption);
                }
                Ok(Ipv4Option::Timestamp {
                    pointer: *pointer,
                    overflow: oflw_flg >> 4,
                    flags: oflw_flg & 0x0f,
                    data,
                })
            }
            OptionType(kind) => Ok(Ipv4Option::Unknown { kind, data: body }),
        }
    }
}

/// An iterator over the options area of an IPv4 header.
///
/// Yields each option in order; End of Option List is yielded and ends the
/// iteration (the rest is padding). A length below 2, a length that overruns
/// the area, or a malformed known option yields `Err(Error::BadOption)` and
/// ends the iteration.
#[derive(Debug, Clone)]
pub struct OptionsIter<'a> {
    data: &'a [u8],
    done: bool,
}

impl<'a> OptionsIter<'a> {
    /// Iterate over the raw options area `data`.
    pub const fn new(data: &'a [u8]) -> OptionsIter<'a> {
        OptionsIter { data, done: false }
    }

    /// The raw bytes of the next option, type octet first.
    fn next_raw(&mut self) -> Option<Result<&'a [u8]>> {
        if self.done {
            return None;
        }
        let kind = OptionType(*self.data.first()?);
        let len = match kind {
            OptionType::END_OF_LIST => {
                self.done = true;
                1
            }
            OptionType::NO_OPERATION => 1,
            // RFC 791 §3.1: every other option has a length octet that
            // counts the type and length octets, so it is at least 2, and it
            // must stay inside the options area.
            _ => match self.data.get(1) {
                Some(&l) if l >= 2 && usize::from(l) <= self.data.len() => usize::from(l),
                _ => {
                    self.done = true;
                    return Some(Err(Error::BadOption));
                }
            },
        };
        let (raw, rest) = self.data.split_at(len);
        self.data = rest;
        Some(Ok(raw))
    }
}

impl<'a> Iterator for OptionsIter<'a> {
    type Item = Result<Ipv4Option<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let raw = match self.next_raw()? {
            Ok(raw) => raw,
            Err(e) => return Some(Err(e)),
        };
        let opt = Ipv4Option::decode(raw);
        if opt.is_err() {
            self.done = true;
        }
        Some(opt)
    }
}

impl core::iter::FusedIterator for OptionsIter<'_> {}

/// Walk an options area once and report the first malformed option.
pub fn check_options(options: &[u8]) -> Result<()> {
    for opt in OptionsIter::new(options) {
        opt?;
    }
    Ok(())
}

/// The options to put in every fragment after the first: those whose
/// copied flag is set (RFC 791 §3.2), padded with End of Option List to a
/// multiple of four bytes. Written into `buf`; the returned slice borrows
/// it. Malformed options give [`Error::BadOption`].
pub fn copied_options<'b>(options: &[u8], buf: &'b mut [u8; MAX_OPTIONS_LEN]) -> Result<&'b [u8]> {
    let mut n = 0;
    let mut it = OptionsIter::new(options);
    while let Some(raw) = it.next_raw() {
        let raw = raw?;
        if Ipv4Option::decode(raw)?.option_type().copied() {
            let end = n + raw.len();
            // The copied options are a subset of `options`; if that area
            // was longer than 40 bytes (a caller bug), refuse it.
            buf.get_mut(n..end)
                .ok_or(Error::BadOption)?
                .copy_from_slice(raw);
            n = end;
        }
    }
    let padded = n.div_ceil(4) * 4;
    // `n <= 40`, so `padded <= 40`.
    let out = buf.get_mut(..padded).ok_or(Error::BadOption)?;
    out[n..].fill(OptionType::END_OF_LIST.0);
    Ok(out)
}
