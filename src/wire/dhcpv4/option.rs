//! DHCP options (RFC 2132 and the RFCs that add options), their iterators
//! and their encoding.
//!
//! ```text
//!  +------+------+------+------+---
//!  | code | len  |  data (len bytes)
//!  +------+------+------+------+---
//! ```
//!
//! Pad (0) and End (255) are a single byte without a length (RFC 2132
//! §3.1, §3.2).

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv4Addr;

use super::{MIN_MAX_MESSAGE_SIZE, MessageType};
use crate::wire::address::Ipv4Cidr;
use crate::wire::{Error, Result};

/// Option codes (RFC 2132 and the RFCs named beside each).
pub mod kind {
    /// Pad (RFC 2132 §3.1).
    pub const PAD: u8 = 0;
    /// Subnet Mask (RFC 2132 §3.3).
    pub const SUBNET_MASK: u8 = 1;
    /// Router (RFC 2132 §3.5).
    pub const ROUTER: u8 = 3;
    /// Domain Name Server (RFC 2132 §3.8).
    pub const DOMAIN_NAME_SERVER: u8 = 6;
    /// Host Name (RFC 2132 §3.14).
    pub const HOST_NAME: u8 = 12;
    /// Domain Name (RFC 2132 §3.17).
    pub const DOMAIN_NAME: u8 = 15;
    /// Requested IP Address (RFC 2132 §9.1).
    pub const REQUESTED_IP: u8 = 50;
    /// IP Address Lease Time (RFC 2132 §9.2).
    pub const LEASE_TIME: u8 = 51;
    /// Option Overload (RFC 2132 §9.3).
    pub const OVERLOAD: u8 = 52;
    /// DHCP Message Type (RFC 2132 §9.6).
    pub const MESSAGE_TYPE: u8 = 53;
    /// Server Identifier (RFC 2132 §9.7).
    pub const SERVER_IDENTIFIER: u8 = 54;
    /// Parameter Request List (RFC 2132 §9.8).
    pub const PARAMETER_REQUEST_LIST: u8 = 55;
    /// Message (RFC 2132 §9.9).
    pub const MESSAGE: u8 = 56;
    /// Maximum DHCP Message Size (RFC 2132 §9.10).
    pub const MAX_MESSAGE_SIZE: u8 = 57;
    /// Renewal (T1) Time Value (RFC 2132 §9.11).
    pub const RENEWAL_TIME: u8 = 58;
    /// Rebinding (T2) Time Value (RFC 2132 §9.12).
    pub const REBINDING_TIME: u8 = 59;
    /// Client-identifier (RFC 2132 §9.14, RFC 4361 §6.1).
    pub const CLIENT_IDENTIFIER: u8 = 61;
    /// Rapid Commit (RFC 4039 §4).
    pub const RAPID_COMMIT: u8 = 80;
    /// Auto-Configure (RFC 2563 §2).
    pub const AUTO_CONFIGURE: u8 = 116;
    /// Classless Static Route (RFC 3442).
    pub const CLASSLESS_STATIC_ROUTE: u8 = 121;
    /// End (RFC 2132 §3.2).
    pub const END: u8 = 255;
}

/// One option instance, framing only: code and data, not interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RawOption<'a> {
    /// The option code.
    pub kind: u8,
    /// The `len` data bytes.
    pub data: &'a [u8],
}

/// Which fields the Option Overload option says hold options
/// (RFC 2132 §9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Overload {
    /// 1: the `file` field holds options.
    File,
    /// 2: the `sname` field holds options.
    ServerName,
    /// 3: both hold options (`file` first).
    Both,
}

impl Overload {
    /// The option value, or `None` for anything but 1, 2, 3.
    pub const fn from_value(v: u8) -> Option<Overload> {
        match v {
            1 => Some(Overload::File),
            2 => Some(Overload::ServerName),
            3 => Some(Overload::Both),
            _ => None,
        }
    }
    /// The option value.
    pub const fn value(&self) -> u8 {
        match self {
            Overload::File => 1,
            Overload::ServerName => 2,
            Overload::Both => 3,
        }
    }
    const fn file(&self) -> bool {
        matches!(self, Overload::File | Overload::Both)
    }
    const fn sname(&self) -> bool {
        matches!(self, Overload::ServerName | Overload::Both)
    }
}

/// The Auto-Configure option value (RFC 2563 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AutoConfigure {
    /// 0: the client must not auto-configure a link-local address.
    DoNotAutoConfigure,
    /// 1: the client may auto-configure.
    AutoConfigure,
}

/// Where a [`RawOptions`] iterator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Options,
    File,
    ServerName,
    Done,
}

/// An iterator over the raw option instances of a message: the options
/// field, then `file` and `sname` when the Option Overload option says so
/// (RFC 2131 §4.1, RFC 2132 §9.3, order of RFC 3396 §5).
///
/// Pad is skipped; End ends the current area. Yields `Err` and then ends:
/// * [`Error::BadField`] if the magic cookie is wrong (no options at all);
/// * [`Error::BadOption`] if an option's length byte is missing or its
///   length runs past the end of its area, or if the Option Overload
///   option in the options field is malformed (length not 1, value not 1,
///   2 or 3) or appears twice;
/// * [`Error::Truncated`] if the options field ends without End
///   (RFC 2131 §4.1: the last option must always be End). The fixed-size
///   `file` and `sname` areas may end without End.
///
/// An Overload option found inside `file` or `sname` is yielded but does
/// not change which areas are walked (RFC 2131 §4.1: it must appear in the
/// options field).
#[derive(Debug, Clone)]
pub struct RawOptions<'a> {
    options: &'a [u8],
    file: &'a [u8],
    sname: &'a [u8],
    area: Area,
    pos: usize,
    overload: Option<Overload>,
    bad_cookie: bool,
}

impl<'a> RawOptions<'a> {
    /// Walk `options`, then `file` and `sname` as overloaded. With
    /// `cookie_ok` false the iterator yields `Err(BadField)` at once.
    pub fn new(cookie_ok: bool, options: &'a [u8], file: &'a [u8], sname: &'a [u8]) -> Self {
        RawOptions {
            options,
            file,
            sname,
            area: Area::Options,
            pos: 0,
            overload: None,
            bad_cookie: !cookie_ok,
        }
    }

    /// Walk a single area (e.g. an options field built elsewhere); it must
    /// end with End.
    pub fn single(options: &'a [u8]) -> Self {
        Self::new(true, options, &[], &[])
    }

    /// The Option Overload value seen so far in the options field.
    pub fn overload(&self) -> Option<Overload> {
        self.overload
    }

    fn next_area(&mut self) {
        let ov = self.overload;
        self.area = match self.area {
            Area::Options if ov.is_some_and(|o| o.file()) => Area::File,
            Area::Options | Area::File if ov.is_some_and(|o| o.sname()) => Area::ServerName,
            _ => Area::Done,
        };
        self.pos = 0;
    }

    fn fail(&mut self, e: Error) -> Option<Result<RawOption<'a>>> {
        self.area = Area::Done;
        Some(Err(e))
    }
}

impl<'a> Iterator for RawOptions<'a> {
    type Item = Result<RawOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.bad_cookie {
            self.bad_cookie = false;
            // RFC 2131 §3: options are only valid after the magic cookie.
            return self.fail(Error::BadField);
        }
        loop {
            let buf = match self.area {
                Area::Options => self.options,
                Area::File => self.file,
                Area::ServerName => self.sname,
                Area::Done => return None,
            };
            let Some(&code) = buf.get(self.pos) else {
                if self.area == Area::Options {
                    // RFC 2131 §4.1: "The last option must always be the
                    // 'end' option."
                    return self.fail(Error::Truncated);
                }
                self.next_area();
                continue;
            };
            match code {
                // RFC 2132 §3.1: Pad is one byte, no length.
                kind::PAD => self.pos += 1,
                // RFC 2132 §3.2: End is one byte; it ends this area.
                kind::END => self.next_area(),
                _ => {
                    let Some(&len) = buf.get(self.pos + 1) else {
                        return self.fail(Error::BadOption);
                    };
                    let start = self.pos + 2;
                    let end = start + usize::from(len);
                    let Some(data) = buf.get(start..end) else {
                        return self.fail(Error::BadOption);
                    };
                    self.pos = end;
                    if code == kind::OVERLOAD && self.area == Area::Options {
                        // RFC 2132 §9.3: length 1, value 1, 2 or 3.
                        let ov = match data {
                            [v] => Overload::from_value(*v),
                            _ => None,
                        };
                        match (ov, self.overload) {
                            (Some(ov), None) => self.overload = Some(ov),
                            _ => return self.fail(Error::BadOption),
                        }
                    }
                    return Some(Ok(RawOption { kind: code, data }));
                }
            }
        }
    }
}

/// A list of IPv4 addresses (Router, Domain Name Server): at least one,
/// length a multiple of 4 (RFC 2132 §3.5, §3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ipv4AddrList<'a>(&'a [u8]);

impl<'a> Ipv4AddrList<'a> {
    /// Check and wrap the option data.
    pub fn new(data: &'a [u8]) -> Result<Self> {
        // RFC 2132 §3.5: "The minimum length for the router option is 4
        // octets, and the length MUST always be a multiple of 4."
        if data.is_empty() || !data.len().is_multiple_of(4) {
            return Err(Error::BadOption);
        }
        Ok(Ipv4AddrList(data))
    }
    /// The raw bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
    /// The number of addresses.
    pub const fn len(&self) -> usize {
        self.0.len() / 4
    }
    /// Whether there is none (never true for a checked list).
    pub const fn is_empty(&self) -> bool {
        self.0.len() < 4
    }
    /// The addresses, in preference order.
    pub fn iter(&self) -> Ipv4AddrListIter<'a> {
        Ipv4AddrListIter(self.0.chunks_exact(4))
    }
}

/// The addresses of an [`Ipv4AddrList`].
#[derive(Debug, Clone)]
pub struct Ipv4AddrListIter<'a>(core::slice::ChunksExact<'a, u8>);

impl Iterator for Ipv4AddrListIter<'_> {
    type Item = Ipv4Addr;
    fn next(&mut self) -> Option<Ipv4Addr> {
        self.0
            .next()
            .map(|c| Ipv4Addr::from(NetworkEndian::read_u32(c)))
    }
}

/// A Client-identifier option value (RFC 2132 §9.14): a type byte then
/// the identifier. Type 0 is an opaque identifier, a hardware type (1 =
/// Ethernet) means a hardware address follows, and type 255 is the RFC
/// 4361 §6.1 form: a 4-byte IAID then a DHCP Unique Identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientIdentifier<'a>(&'a [u8]);

impl<'a> ClientIdentifier<'a> {
    /// The type that marks the RFC 4361 IAID + DUID form.
    pub const TYPE_IAID_DUID: u8 = 255;

    /// Check and wrap the option data.
    pub fn new(data: &'a [u8]) -> Result<Self> {
        // RFC 2132 §9.14: "The minimum length is 2."
        if data.len() < 2 {
            return Err(Error::BadOption);
        }
        // RFC 4361 §6.1: type 255, a 4-byte IAID, then a DUID that starts
        // with its 2-byte type code (RFC 8415 §11.1).
        if data[0] == Self::TYPE_IAID_DUID && data.len() < 1 + 4 + 2 {
            return Err(Error::BadOption);
        }
        Ok(ClientIdentifier(data))
    }
    /// The whole option value (type byte included).
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
    /// The type byte.
    pub fn id_type(&self) -> u8 {
        self.0.first().copied().unwrap_or(0)
    }
    /// The bytes after the type byte.
    pub fn identifier(&self) -> &'a [u8] {
        self.0.get(1..).unwrap_or(&[])
    }
    /// The IAID of the RFC 4361 form.
    pub fn iaid(&self) -> Option<u32> {
        if self.id_type() != Self::TYPE_IAID_DUID {
            return None;
        }
        self.0.get(1..5).map(NetworkEndian::read_u32)
    }
    /// The DUID of the RFC 4361 form.
    pub fn duid(&self) -> Option<&'a [u8]> {
        if self.id_type() != Self::TYPE_IAID_DUID {
            return None;
        }
        self.0.get(5..)
    }
}

/// A validated Classless Static Route option value (RFC 3442): a sequence
/// of destination descriptors and routers.
///
/// ```text
///  +-------+------------------------+-------------------+
///  | width | significant octets of  | router (4 octets) |
///  | 0..32 | the destination        |                   |
///  +-------+------------------------+-------------------+
/// ```
///
/// The destination carries only `ceil(width / 8)` octets; the rest are
/// zero. Bits of the last significant octet beyond `width` are kept as
/// received (use [`Ipv4Cidr::network`] to clear them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClasslessRoutes<'a>(&'a [u8]);

impl<'a> ClasslessRoutes<'a> {
    /// Check that `data` is a whole number of well-formed routes.
    pub fn new(data: &'a [u8]) -> Result<Self> {
        // RFC 3442: "The minimum length of this option is 5 bytes."
        if data.len() < 5 {
            return Err(Error::BadOption);
        }
        let mut rest = data;
        while let Some((&width, tail)) = rest.split_first() {
            // RFC 3442: the mask width is 0 to 32.
            if width > 32 {
                return Err(Error::BadOption);
            }
            let n = significant_octets(width) + 4;
            if tail.len() < n {
                return Err(Error::BadOption);
            }
            rest = &tail[n..];
        }
        Ok(ClasslessRoutes(data))
    }
    /// The raw bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
    /// The routes: (destination network, router). A router of 0.0.0.0
    /// means the destination is on the link.
    pub fn iter(&self) -> ClasslessRoutesIter<'a> {
        ClasslessRoutesIter(self.0)
    }

    /// The encoded length of `routes`.
    pub fn encoded_len(routes: &[(Ipv4Cidr, Ipv4Addr)]) -> usize {
        routes
            .iter()
            .map(|(c, _)| 1 + significant_octets(c.prefix_len()) + 4)
            .sum()
    }

    /// Encode `routes` into `buf` (host bits of the destinations are
    /// cleared) and return the length written, or `Err(Truncated)` if
    /// `buf` is shorter than [`Self::encoded_len`].
    pub fn encode(routes: &[(Ipv4Cidr, Ipv4Addr)], buf: &mut [u8]) -> Result<usize> {
        let mut pos = 0;
        for (cidr, router) in routes {
            let width = cidr.prefix_len();
            let sig = significant_octets(width);
            let dst = cidr.network().address().octets();
            let out = buf
                .get_mut(pos..pos + 1 + sig + 4)
                .ok_or(Error::Truncated)?;
            out[0] = width;
            out[1..1 + sig].copy_from_slice(&dst[..sig]);
            out[1 + sig..].copy_from_slice(&router.octets());
            pos += 1 + sig + 4;
        }
        Ok(pos)
    }
}

/// RFC 3442: the destination carries `ceil(width / 8)` octets.
const fn significant_octets(width: u8) -> usize {
    (width as usize).div_ceil(8)
}

/// The routes of a [`ClasslessRoutes`].
#[derive(Debug, Clone)]
pub struct ClasslessRoutesIter<'a>(&'a [u8]);

impl Iterator for ClasslessRoutesIter<'_> {
    type Item = (Ipv4Cidr, Ipv4Addr);
    fn next(&mut self) -> Option<Self::Item> {
        let (&width, tail) = self.0.split_first()?;
        let sig = significant_octets(width);
        // Checked by `ClasslessRoutes::new`; stop rather than panic if not.
        let (Some(dst), Some(router)) = (tail.get(..sig), tail.get(sig..sig + 4)) else {
            self.0 = &[];
            return None;
        };
        let mut addr = [0u8; 4];
        addr.get_mut(..sig)?.copy_from_slice(dst);
        let cidr = Ipv4Cidr::new(Ipv4Addr::from(addr), width)?;
        let router = Ipv4Addr::from(NetworkEndian::read_u32(router));
        self.0 = tail.get(sig + 4..).unwrap_or(&[]);
        Some((cidr, router))
    }
}

/// A typed DHCP option.
///
/// The iterators never yield `Pad` or `End` (they skip Pad and stop at
/// End); the variants exist so that they can be emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DhcpOption<'a> {
    /// Pad (0).
    Pad,
    /// End (255).
    End,
    /// Subnet Mask (1).
    SubnetMask(Ipv4Addr),
    /// Router (3): routers in preference order.
    Router(Ipv4AddrList<'a>),
    /// Domain Name Server (6).
    DomainNameServer(Ipv4AddrList<'a>),
    /// Host Name (12): at least one byte.
    HostName(&'a [u8]),
    /// Domain Name (15): at least one byte.
    DomainName(&'a [u8]),
    /// Requested IP Address (50).
    RequestedIp(Ipv4Addr),
    /// IP Address Lease Time (51), seconds; `0xffffffff` is infinite.
    LeaseTime(u32),
    /// Option Overload (52).
    Overload(Overload),
    /// DHCP Message Type (53).
    MessageType(MessageType),
    /// Server Identifier (54).
    ServerIdentifier(Ipv4Addr),
    /// Parameter Request List (55): option codes, at least one.
    ParameterRequestList(&'a [u8]),
    /// Message (56): an error message, at least one byte.
    Message(&'a [u8]),
    /// Maximum DHCP Message Size (57), at least 576.
    MaxMessageSize(u16),
    /// Renewal (T1) Time Value (58), seconds.
    RenewalTime(u32),
    /// Rebinding (T2) Time Value (59), seconds.
    RebindingTime(u32),
    /// Client-identifier (61).
    ClientIdentifier(ClientIdentifier<'a>),
    /// Rapid Commit (80): no data.
    RapidCommit,
    /// Auto-Configure (116).
    AutoConfigure(AutoConfigure),
    /// Classless Static Route (121).
    ClasslessStaticRoute(ClasslessRoutes<'a>),
    /// Any other option, kept raw.
    Unknown {
        /// The option code.
        kind: u8,
        /// The data bytes.
        data: &'a [u8],
    },
}

/// The 4 bytes of a fixed-length address or time option.
fn exact4(data: &[u8]) -> Result<u32> {
    if data.len() != 4 {
        return Err(Error::BadOption);
    }
    Ok(NetworkEndian::read_u32(data))
}

/// At least one byte (RFC 2132: "minimum length is 1").
fn non_empty(data: &[u8]) -> Result<&[u8]> {
    if data.is_empty() {
        return Err(Error::BadOption);
    }
    Ok(data)
}

impl<'a> DhcpOption<'a> {
    /// Type and validate one option instance.
    pub fn parse(raw: RawOption<'a>) -> Result<DhcpOption<'a>> {
        let data = raw.data;
        let one = || match data {
            [v] => Ok(*v),
            _ => Err(Error::BadOption),
        };
        Ok(match raw.kind {
            kind::PAD => DhcpOption::Pad,
            kind::END => DhcpOption::End,
            // RFC 2132 §3.3: length 4.
            kind::SUBNET_MASK => DhcpOption::SubnetMask(Ipv4Addr::from(exact4(data)?)),
            kind::ROUTER => DhcpOption::Router(Ipv4AddrList::new(data)?),
            // RFC 2132 §3.8: minimum 4, multiple of 4.
            kind::DOMAIN_NAME_SERVER => DhcpOption::DomainNameServer(Ipv4AddrList::new(data)?),
            // RFC 2132 §3.14, §3.17: minimum length 1.
            kind::HOST_NAME => DhcpOption::HostName(non_empty(data)?),
            kind::DOMAIN_NAME => DhcpOption::DomainName(non_empty(data)?),
            // RFC 2132 §9.1, §9.2: length 4.
            kind::REQUESTED_IP => DhcpOption::RequestedIp(Ipv4Addr::from(exact4(data)?)),
            kind::LEASE_TIME => DhcpOption::LeaseTime(exact4(data)?),
            // RFC 2132 §9.3: length 1, value 1..=3.
            kind::OVERLOAD => {
                DhcpOption::Overload(Overload::from_value(one()?).ok_or(Error::BadOption)?)
            }
            // RFC 2132 §9.6: length 1.
            kind::MESSAGE_TYPE => DhcpOption::MessageType(MessageType::from(one()?)),
            // RFC 2132 §9.7: length 4.
            kind::SERVER_IDENTIFIER => DhcpOption::ServerIdentifier(Ipv4Addr::from(exact4(data)?)),
            // RFC 2132 §9.8, §9.9: minimum length 1.
            kind::PARAMETER_REQUEST_LIST => DhcpOption::ParameterRequestList(non_empty(data)?),
            kind::MESSAGE => DhcpOption::Message(non_empty(data)?),
            kind::MAX_MESSAGE_SIZE => {
                // RFC 2132 §9.10: length 2, minimum legal value 576.
                let [a, b] = data else {
                    return Err(Error::BadOption);
                };
                let v = u16::from_be_bytes([*a, *b]);
                if v < MIN_MAX_MESSAGE_SIZE {
                    return Err(Error::BadOption);
                }
                DhcpOption::MaxMessageSize(v)
            }
            // RFC 2132 §9.11, §9.12: length 4.
            kind::RENEWAL_TIME => DhcpOption::RenewalTime(exact4(data)?),
            kind::REBINDING_TIME => DhcpOption::RebindingTime(exact4(data)?),
            kind::CLIENT_IDENTIFIER => DhcpOption::ClientIdentifier(ClientIdentifier::new(data)?),
            kind::RAPID_COMMIT => {
                // RFC 4039 §4: "Len 0".
                if !data.is_empty() {
                    return Err(Error::BadOption);
                }
                DhcpOption::RapidCommit
            }
            // RFC 2563 §2: length 1, value 0 or 1.
            kind::AUTO_CONFIGURE => DhcpOption::AutoConfigure(match one()? {
                0 => AutoConfigure::DoNotAutoConfigure,
                1 => AutoConfigure::AutoConfigure,
                _ => return Err(Error::BadOption),
            }),
            kind::CLASSLESS_STATIC_ROUTE => {
                DhcpOption::ClasslessStaticRoute(ClasslessRoutes::new(data)?)
            }
            kind => DhcpOption::Unknown { kind, data },
        })
    }

    /// The option code.
    pub fn kind(&self) -> u8 {
        match self {
            DhcpOption::Pad => kind::PAD,
            DhcpOption::End => kind::END,
            DhcpOption::SubnetMask(_) => kind::SUBNET_MASK,
            DhcpOption::Router(_) => kind::ROUTER,
            DhcpOption::DomainNameServer(_) => kind::DOMAIN_NAME_SERVER,
            DhcpOption::HostName(_) => kind::HOST_NAME,
            DhcpOption::DomainName(_) => kind::DOMAIN_NAME,
            DhcpOption::RequestedIp(_) => kind::REQUESTED_IP,
            DhcpOption::LeaseTime(_) => kind::LEASE_TIME,
            DhcpOption::Overload(_) => kind::OVERLOAD,
            DhcpOption::MessageType(_) => kind::MESSAGE_TYPE,
            DhcpOption::ServerIdentifier(_) => kind::SERVER_IDENTIFIER,
            DhcpOption::ParameterRequestList(_) => kind::PARAMETER_REQUEST_LIST,
            DhcpOption::Message(_) => kind::MESSAGE,
            DhcpOption::MaxMessageSize(_) => kind::MAX_MESSAGE_SIZE,
            DhcpOption::RenewalTime(_) => kind::RENEWAL_TIME,
            DhcpOption::RebindingTime(_) => kind::REBINDING_TIME,
            DhcpOption::ClientIdentifier(_) => kind::CLIENT_IDENTIFIER,
            DhcpOption::RapidCommit => kind::RAPID_COMMIT,
            DhcpOption::AutoConfigure(_) => kind::AUTO_CONFIGURE,
            DhcpOption::ClasslessStaticRoute(_) => kind::CLASSLESS_STATIC_ROUTE,
            DhcpOption::Unknown { kind, .. } => *kind,
        }
    }

    /// The length of the data (what the `len` byte says).
    pub fn data_len(&self) -> usize {
        match self {
            DhcpOption::Pad | DhcpOption::End | DhcpOption::RapidCommit => 0,
            DhcpOption::Overload(_) | DhcpOption::MessageType(_) | DhcpOption::AutoConfigure(_) => {
                1
            }
            DhcpOption::MaxMessageSize(_) => 2,
            DhcpOption::SubnetMask(_)
            | DhcpOption::RequestedIp(_)
            | DhcpOption::LeaseTime(_)
            | DhcpOption::ServerIdentifier(_)
            | DhcpOption::RenewalTime(_)
            | DhcpOption::RebindingTime(_) => 4,
            DhcpOption::Router(l) | DhcpOption::DomainNameServer(l) => l.as_bytes().len(),
            DhcpOption::HostName(d)
            | DhcpOption::DomainName(d)
            | DhcpOption::ParameterRequestList(d)
            | DhcpOption::Message(d)
            | DhcpOption::Unknown { data: d, .. } => d.len(),
            DhcpOption::ClientIdentifier(c) => c.as_bytes().len(),
            DhcpOption::ClasslessStaticRoute(r) => r.as_bytes().len(),
        }
    }

    /// The bytes `emit` writes: 1 for Pad and End, else 2 + data.
    pub fn buffer_len(&self) -> usize {
        match self {
            DhcpOption::Pad | DhcpOption::End => 1,
            _ => 2 + self.data_len(),
        }
    }

    /// Write the option at the start of `buf` and return its length.
    ///
    /// Errors: [`Error::BadLength`] if the data is longer than 255 bytes
    /// (split it per RFC 3396 yourself); [`Error::Truncated`] if `buf` is
    /// shorter than [`Self::buffer_len`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let len = self.buffer_len();
        let out = buf.get_mut(..len).ok_or(Error::Truncated)?;
        out[0] = self.kind();
        if len == 1 {
            return Ok(1);
        }
        out[1] = u8::try_from(len - 2).map_err(|_| Error::BadLength)?;
        let data = &mut out[2..];
        match self {
            DhcpOption::Pad | DhcpOption::End | DhcpOption::RapidCommit => {}
            DhcpOption::SubnetMask(a)
            | DhcpOption::RequestedIp(a)
            | DhcpOption::ServerIdentifier(a) => data.copy_from_slice(&a.octets()),
            DhcpOption::LeaseTime(v)
            | DhcpOption::RenewalTime(v)
            | DhcpOption::RebindingTime(v) => NetworkEndian::write_u32(data, *v),
            DhcpOption::Overload(o) => data[0] = o.value(),
            DhcpOption::MessageType(t) => data[0] = (*t).into(),
            DhcpOption::AutoConfigure(a) => {
                data[0] = match a {
                    AutoConfigure::DoNotAutoConfigure => 0,
                    AutoConfigure::AutoConfigure => 1,
                }
            }
            DhcpOption::MaxMessageSize(v) => NetworkEndian::write_u16(data, *v),
            DhcpOption::Router(l) | DhcpOption::DomainNameServer(l) => {
                data.copy_from_slice(l.as_bytes())
            }
            DhcpOption::HostName(d)
            | DhcpOption::DomainName(d)
            | DhcpOption::ParameterRequestList(d)
            | DhcpOption::Message(d)
            | DhcpOption::Unknown { data: d, .. } => data.copy_from_slice(d),
            DhcpOption::ClientIdentifier(c) => data.copy_from_slice(c.as_bytes()),
            DhcpOption::ClasslessStaticRoute(r) => data.copy_from_slice(r.as_bytes()),
        }
        Ok(len)
    }
}

/// An iterator over the typed options of a message, overload-aware: the
/// [`RawOptions`] framing, then [`DhcpOption::parse`] on each instance.
///
/// Yields `Err` once and then ends: the framing errors of [`RawOptions`],
/// or [`Error::BadOption`] for an option whose length or value its RFC
/// forbids. Each instance of an RFC 3396 split option is typed alone, so a
/// split whose pieces are not valid on their own is reported as
/// `BadOption`; use [`RawOptions`] and `Packet::concat_option` for those.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    raw: RawOptions<'a>,
    done: bool,
}

impl<'a> Options<'a> {
    /// Type the options of `raw`.
    pub fn new(raw: RawOptions<'a>) -> Self {
        Options { raw, done: false }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<DhcpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.raw.next()?.and_then(DhcpOption::parse);
        if item.is_err() {
            self.done = true;
        }
        Some(item)
    }
}
