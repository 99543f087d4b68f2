//! Neighbor Discovery options (RFC 4861 §4.6, RFC 8106 §5.1, RFC 3971
//! §5.3.2).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |    Length     |              ...              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ~                              ...                              ~
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Length counts the whole option in units of 8 octets. A length of zero
//! is [`Error::BadOption`]: RFC 4861 §4.6 says "Nodes MUST silently discard
//! an ND packet that contains an option with length zero". Known options
//! with a length their RFC forbids are [`Error::BadOption`] too; unknown
//! options are yielded as [`NdiscOption::Unknown`] so that callers can skip
//! them (RFC 4861 §4.6: "Receivers MUST silently ignore any options they
//! do not recognize and continue processing the message").

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv6Addr;

use crate::wire::address::EthernetAddress;
use crate::wire::icmpv6::{Ipv6AddrList, emit_addrs, enum_with_unknown};
use crate::wire::{Error, Result};

enum_with_unknown! {
    /// The option type (IANA "IPv6 Neighbor Discovery Option Formats").
    pub enum OptionType {
        /// RFC 4861 §4.6.1.
        SourceLinkLayerAddr = 1,
        /// RFC 4861 §4.6.1.
        TargetLinkLayerAddr = 2,
        /// RFC 4861 §4.6.2.
        PrefixInformation = 3,
        /// RFC 4861 §4.6.3.
        RedirectedHeader = 4,
        /// RFC 4861 §4.6.4.
        Mtu = 5,
        /// RFC 3971 §5.3.2 (used by RFC 7527 enhanced DAD).
        Nonce = 14,
        /// Recursive DNS Server, RFC 8106 §5.1.
        Rdnss = 25,
    }
}

/// RFC 4861 §4.6: the unit of the option length field.
const UNIT: usize = 8;
/// The largest option the one-byte length field can describe.
const MAX_OPTION_LEN: usize = 255 * UNIT;
/// RFC 4861 §4.6.2: a Prefix Information option has length 4.
const PREFIX_INFO_LEN: usize = 32;
/// RFC 4861 §4.6.3: 6 reserved bytes precede the IP header + data.
const REDIRECTED_HDR_RESERVED: usize = 6;
/// RFC 8106 §5.1: lifetime and reserved bytes before the addresses.
const RDNSS_FIXED_LEN: usize = 8;
/// RFC 7527 §4.1 / RFC 3971 §5.3.2: the nonce this stack sends is 6 bytes.
pub const NONCE_LEN: usize = 6;

/// RFC 4861 §4.6.2 (and RFC 8106 §5.1): a lifetime of all ones is infinity.
pub const INFINITE_LIFETIME: u32 = 0xffff_ffff;

/// Prefix Information flag L: the prefix is on-link (RFC 4861 §4.6.2).
const PREFIX_FLAG_ON_LINK: u8 = 0x80;
/// Prefix Information flag A: usable for SLAAC (RFC 4861 §4.6.2).
const PREFIX_FLAG_AUTONOMOUS: u8 = 0x40;

/// The Prefix Information option (RFC 4861 §4.6.2).
///
/// ```text
/// | Type=3 | Len=4 | Prefix Length |L|A| Reserved1 |
/// |                 Valid Lifetime                 |
/// |               Preferred Lifetime               |
/// |                   Reserved2                    |
/// |                 Prefix (16 bytes)              |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PrefixInformation {
    /// Number of leading valid bits of `prefix` (0..=128).
    pub prefix_len: u8,
    /// L flag: the prefix can be used for on-link determination.
    pub on_link: bool,
    /// A flag: the prefix can be used for stateless address
    /// autoconfiguration (RFC 4862).
    pub autonomous: bool,
    /// Seconds the prefix is valid for on-link determination.
    pub valid_lifetime: u32,
    /// Seconds addresses from the prefix remain preferred.
    pub preferred_lifetime: u32,
    /// The prefix (bits past `prefix_len` are sent as received).
    pub prefix: Ipv6Addr,
}

/// The Recursive DNS Server option (RFC 8106 §5.1).
///
/// ```text
/// | Type=25 | Length=1+2N | Reserved (16) |
/// |               Lifetime                |
/// |      Addresses of IPv6 Recursive DNS Servers (16 bytes each)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rdnss<'a> {
    /// Seconds the servers may be used; 0 means "no longer".
    pub lifetime: u32,
    /// The server addresses (at least one on a valid option).
    pub addresses: Ipv6AddrList<'a>,
}

/// One Neighbor Discovery option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NdiscOption<'a> {
    /// Source Link-layer Address (RFC 4861 §4.6.1), Ethernet (RFC 2464 §6).
    SourceLinkLayerAddr(EthernetAddress),
    /// Target Link-layer Address (RFC 4861 §4.6.1), Ethernet (RFC 2464 §6).
    TargetLinkLayerAddr(EthernetAddress),
    /// Prefix Information (RFC 4861 §4.6.2).
    PrefixInformation(PrefixInformation),
    /// Redirected Header (RFC 4861 §4.6.3): the bytes after the 6 reserved
    /// ones, i.e. the start of the redirected packet plus any padding.
    RedirectedHeader(&'a [u8]),
    /// MTU (RFC 4861 §4.6.4).
    Mtu(u32),
    /// Recursive DNS Server (RFC 8106 §5.1).
    Rdnss(Rdnss<'a>),
    /// Nonce (RFC 3971 §5.3.2): at least 6 bytes, as used by RFC 7527.
    Nonce(&'a [u8]),
    /// An option this module does not know; `data` is everything after
    /// the type and length bytes.
    Unknown {
        /// The option type.
        kind: u8,
        /// The option body.
        data: &'a [u8],
    },
}

/// Round `n` up to a whole number of 8-byte units, capped at the largest
/// length the option length byte can hold.
const fn padded(n: usize) -> usize {
    let r = n.div_ceil(UNIT) * UNIT;
    if r > MAX_OPTION_LEN {
        MAX_OPTION_LEN
    } else {
        r
    }
}

impl<'a> NdiscOption<'a> {
    /// Parse the option at the start of `bytes`; return it and the number
    /// of bytes it occupies.
    pub fn parse(bytes: &'a [u8]) -> Result<(NdiscOption<'a>, usize)> {
        let (&kind, &length) = match bytes {
            [k, l, ..] => (k, l),
            _ => return Err(Error::Truncated),
        };
        // RFC 4861 §4.6: "Nodes MUST silently discard an ND packet that
        // contains an option with length zero."
        if length == 0 {
            return Err(Error::BadOption);
        }
        let total = usize::from(length) * UNIT;
        let body = bytes.get(2..total).ok_or(Error::Truncated)?;
        let option = match OptionType::from(kind) {
            OptionType::SourceLinkLayerAddr | OptionType::TargetLinkLayerAddr => {
                // RFC 2464 §6: over Ethernet the option length is 1.
                if length != 1 {
                    return Err(Error::BadOption);
                }
                let addr = EthernetAddress::from_bytes(body).ok_or(Error::BadOption)?;
                if kind == u8::from(OptionType::SourceLinkLayerAddr) {
                    NdiscOption::SourceLinkLayerAddr(addr)
                } else {
                    NdiscOption::TargetLinkLayerAddr(addr)
                }
            }
            OptionType::PrefixInformation => {
                // RFC 4861 §4.6.2: Length 4.
                if total != PREFIX_INFO_LEN {
                    return Err(Error::BadOption);
                }
                let prefix_len = body[0];
                // RFC 4861 §4.6.2: "The Prefix Length field ... 0 to 128."
                if prefix_len > 128 {
                    return Err(Error::BadOption);
                }
                let flags = body[1];
                let mut prefix = [0u8; 16];
                prefix.copy_from_slice(&body[14..30]);
                NdiscOption::PrefixInformation(PrefixInformation {
                    prefix_len,
                    on_link: flags & PREFIX_FLAG_ON_LINK != 0,
                    autonomous: flags & PREFIX_FLAG_AUTONOMOUS != 0,
                    valid_lifetime: NetworkEndian::read_u32(&body[2..6]),
                    preferred_lifetime: NetworkEndian::read_u32(&body[6..10]),
                    prefix: Ipv6Addr::from(prefix),
                })
            }
            // RFC 4861 §4.6.3: 6 reserved bytes, then the IP header + data.
            // length >= 1 so the body holds at least those 6 bytes.
            OptionType::RedirectedHeader => {
                NdiscOption::RedirectedHeader(&body[REDIRECTED_HDR_RESERVED..])
            }
            OptionType::Mtu => {
                // RFC 4861 §4.6.4: Length 1.
                if length != 1 {
                    return Err(Error::BadOption);
                }
                NdiscOption::Mtu(NetworkEndian::read_u32(&body[2..6]))
            }
            OptionType::Rdnss => {
                // RFC 8106 §5.1: length is 1 + 2N, "the minimum value is 3".
                if length < 3 || length.is_multiple_of(2) {
                    return Err(Error::BadOption);
                }
                NdiscOption::Rdnss(Rdnss {
                    lifetime: NetworkEndian::read_u32(&body[2..6]),
                    addresses: Ipv6AddrList::new_checked(&body[6..])
                        .map_err(|_| Error::BadOption)?,
                })
            }
            // RFC 3971 §5.3.2: length >= 1 leaves at least 6 nonce bytes.
            OptionType::Nonce => NdiscOption::Nonce(body),
            OptionType::Unknown(kind) => NdiscOption::Unknown { kind, data: body },
        };
        Ok((option, total))
    }

    /// The option type.
    pub fn kind(&self) -> OptionType {
        match self {
            NdiscOption::SourceLinkLayerAddr(_) => OptionType::SourceLinkLayerAddr,
            NdiscOption::TargetLinkLayerAddr(_) => OptionType::TargetLinkLayerAddr,
            NdiscOption::PrefixInformation(_) => OptionType::PrefixInformation,
            NdiscOption::RedirectedHeader(_) => OptionType::RedirectedHeader,
            NdiscOption::Mtu(_) => OptionType::Mtu,
            NdiscOption::Rdnss(_) => OptionType::Rdnss,
            NdiscOption::Nonce(_) => OptionType::Nonce,
            NdiscOption::Unknown { kind, .. } => OptionType::from(*kind),
        }
    }

    /// The bytes `emit` writes: the option padded to a multiple of 8.
    ///
    /// Variable-length bodies longer than the length byte allows (2040
    /// bytes in all) are cut; an RDNSS option carries at most 127
    /// addresses.
    pub fn buffer_len(&self) -> usize {
        match self {
            NdiscOption::SourceLinkLayerAddr(_)
            | NdiscOption::TargetLinkLayerAddr(_)
            | NdiscOption::Mtu(_) => UNIT,
            NdiscOption::PrefixInformation(_) => PREFIX_INFO_LEN,
            NdiscOption::RedirectedHeader(d) => padded(2 + REDIRECTED_HDR_RESERVED + d.len()),
            NdiscOption::Rdnss(r) => rdnss_len(r.addresses.len()),
            NdiscOption::Nonce(d) | NdiscOption::Unknown { data: d, .. } => padded(2 + d.len()),
        }
    }

    /// Write the option into the first [`NdiscOption::buffer_len`] bytes of
    /// `buf`, padding with zeros; return that length.
    pub fn emit(&self, buf: &mut [u8]) -> usize {
        let len = self.buffer_len();
        let buf = &mut buf[..len];
        buf.fill(0);
        buf[0] = self.kind().into();
        // `len` is a multiple of 8 and at most 2040 (see `padded`).
        buf[1] = (len / UNIT) as u8;
        let body = &mut buf[2..];
        match *self {
            NdiscOption::SourceLinkLayerAddr(a) | NdiscOption::TargetLinkLayerAddr(a) => {
                body[..6].copy_from_slice(a.as_bytes())
            }
            NdiscOption::PrefixInformation(p) => {
                body[0] = p.prefix_len;
                body[1] = if p.on_link { PREFIX_FLAG_ON_LINK } else { 0 }
                    | if p.autonomous {
                        PREFIX_FLAG_AUTONOMOUS
                    } else {
                        0
                    };
                NetworkEndian::write_u32(&mut body[2..6], p.valid_lifetime);
                NetworkEndian::write_u32(&mut body[6..10], p.preferred_lifetime);
                body[14..30].copy_from_slice(&p.prefix.octets());
            }
            NdiscOption::RedirectedHeader(d) => {
                let room = &mut body[REDIRECTED_HDR_RESERVED..];
                let n = room.len().min(d.len());
                room[..n].copy_from_slice(&d[..n]);
            }
            NdiscOption::Mtu(mtu) => NetworkEndian::write_u32(&mut body[2..6], mtu),
            NdiscOption::Rdnss(r) => {
                NetworkEndian::write_u32(&mut body[2..6], r.lifetime);
                let room = &mut body[6..];
                let src = r.addresses.as_bytes();
                let n = room.len().min(src.len());
                room[..n].copy_from_slice(&src[..n]);
            }
            NdiscOption::Nonce(d) | NdiscOption::Unknown { data: d, .. } => {
                let n = body.len().min(d.len());
                body[..n].copy_from_slice(&d[..n]);
            }
        }
        len
    }
}

/// The most addresses an RDNSS option can carry: (255 - 1) / 2.
const RDNSS_MAX_ADDRS: usize = 127;

/// The length of an RDNSS option with `n` addresses (capped at 127).
pub const fn rdnss_len(n: usize) -> usize {
    let n = if n > RDNSS_MAX_ADDRS {
        RDNSS_MAX_ADDRS
    } else {
        n
    };
    RDNSS_FIXED_LEN + 16 * n
}

/// Write an RDNSS option (RFC 8106 §5.1) for `addrs` (at most 127 are
/// used) into `buf`, which holds at least [`rdnss_len`]`(addrs.len())`
/// bytes; return that length.
pub fn emit_rdnss(buf: &mut [u8], lifetime: u32, addrs: &[Ipv6Addr]) -> usize {
    let addrs = &addrs[..addrs.len().min(RDNSS_MAX_ADDRS)];
    let len = rdnss_len(addrs.len());
    let buf = &mut buf[..len];
    buf[0] = OptionType::Rdnss.into();
    // At most 1 + 2 * 127 = 255.
    buf[1] = (len / UNIT) as u8;
    buf[2..4].fill(0);
    NetworkEndian::write_u32(&mut buf[4..8], lifetime);
    emit_addrs(&mut buf[RDNSS_FIXED_LEN..], addrs);
    len
}

/// The total length of `options` once emitted.
pub fn options_len(options: &[NdiscOption<'_>]) -> usize {
    options.iter().map(NdiscOption::buffer_len).sum()
}

/// Write `options` one after the other into `buf` (at least
/// [`options_len`] bytes); return the bytes written.
pub fn emit_options(buf: &mut [u8], options: &[NdiscOption<'_>]) -> usize {
    let mut at = 0;
    for o in options {
        at += o.emit(&mut buf[at..]);
    }
    at
}

/// Iterator over raw option bytes. Yields each option, or one error after
/// which it ends.
#[derive(Debug, Clone)]
pub struct NdiscOptionIter<'a> {
    rest: &'a [u8],
}

impl<'a> NdiscOptionIter<'a> {
    /// Iterate over the options in `bytes`.
    pub fn new(bytes: &'a [u8]) -> NdiscOptionIter<'a> {
        NdiscOptionIter { rest: bytes }
    }
}

impl<'a> Iterator for NdiscOptionIter<'a> {
    type Item = Result<NdiscOption<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match NdiscOption::parse(self.rest) {
            Ok((option, len)) => {
                self.rest = self.rest.get(len..).unwrap_or(&[]);
                Some(Ok(option))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// A validated run of ND options, with lookups for the ones the interface
/// needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NdiscOptions<'a> {
    bytes: &'a [u8],
}

impl<'a> NdiscOptions<'a> {
    /// No options.
    pub const EMPTY: NdiscOptions<'static> = NdiscOptions { bytes: &[] };

    /// Check that every option in `bytes` parses (RFC 4861 §4.6: a
    /// zero-length option makes the whole packet invalid).
    pub fn new_checked(bytes: &'a [u8]) -> Result<NdiscOptions<'a>> {
        for o in NdiscOptionIter::new(bytes) {
            o?;
        }
        Ok(NdiscOptions { bytes })
    }
    /// Wrap raw bytes without checking (for emitting options built by
    /// [`emit_options`]).
    pub const fn new_unchecked(bytes: &'a [u8]) -> NdiscOptions<'a> {
        NdiscOptions { bytes }
    }
    /// The raw bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// Iterate over the options (for checked options, every item is `Ok`).
    pub fn iter(&self) -> NdiscOptionIter<'a> {
        NdiscOptionIter::new(self.bytes)
    }
    fn valid(&self) -> impl Iterator<Item = NdiscOption<'a>> + use<'a> {
        self.iter().map_while(|o| o.ok())
    }
    /// The first Source Link-layer Address option.
    pub fn source_lladdr(&self) -> Option<EthernetAddress> {
        self.valid().find_map(|o| match o {
            NdiscOption::SourceLinkLayerAddr(a) => Some(a),
            _ => None,
        })
    }
    /// The first Target Link-layer Address option.
    pub fn target_lladdr(&self) -> Option<EthernetAddress> {
        self.valid().find_map(|o| match o {
            NdiscOption::TargetLinkLayerAddr(a) => Some(a),
            _ => None,
        })
    }
    /// The first MTU option.
    pub fn mtu(&self) -> Option<u32> {
        self.valid().find_map(|o| match o {
            NdiscOption::Mtu(m) => Some(m),
            _ => None,
        })
    }
    /// The first Nonce option.
    pub fn nonce(&self) -> Option<&'a [u8]> {
        self.valid().find_map(|o| match o {
            NdiscOption::Nonce(n) => Some(n),
            _ => None,
        })
    }
    /// The first Redirected Header option.
    pub fn redirected_hdr(&self) -> Option<&'a [u8]> {
        self.valid().find_map(|o| match o {
            NdiscOption::RedirectedHeader(h) => Some(h),
            _ => None,
        })
    }
    /// Every Prefix Information option.
    pub fn prefix_infos(&self) -> impl Iterator<Item = PrefixInformation> + use<'a> {
        self.valid().filter_map(|o| match o {
            NdiscOption::PrefixInformation(p) => Some(p),
            _ => None,
        })
    }
    /// Every RDNSS option.
    pub fn rdnss(&self) -> impl Iterator<Item = Rdnss<'a>> + use<'a> {
        self.valid().filter_map(|o| match o {
            NdiscOption::Rdnss(r) => Some(r),
            _ => None,
        })
    }
}

impl<'a> IntoIterator for NdiscOptions<'a> {
    type Item = Result<NdiscOption<'a>>;
    type IntoIter = NdiscOptionIter<'a>;
    fn into_iter(self) -> NdiscOptionIter<'a> {
        self.iter()
    }
}
