//! Address value types: the Ethernet MAC address and IPv4/IPv6 networks in
//! CIDR notation. IP addresses themselves are `core::net`'s; their
//! classification lives in [`super::classify`].

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::str::FromStr;

/// A 48-bit IEEE 802 MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EthernetAddress(pub [u8; 6]);

impl EthernetAddress {
    /// The broadcast address `ff:ff:ff:ff:ff:ff`.
    pub const BROADCAST: EthernetAddress = EthernetAddress([0xff; 6]);
    /// The all-zero address (used e.g. as the unknown target of an ARP
    /// request).
    pub const UNSPECIFIED: EthernetAddress = EthernetAddress([0; 6]);

    /// The address in the first six bytes of `data`, or `None` if shorter.
    #[inline]
    pub fn from_bytes(data: &[u8]) -> Option<EthernetAddress> {
        let b: [u8; 6] = data.get(..6)?.try_into().ok()?;
        Some(EthernetAddress(b))
    }
    /// The six octets.
    pub const fn as_bytes(&self) -> &[u8; 6] {
        &self.0
    }
    /// Whether this is a unicast address (I/G bit clear).
    pub const fn is_unicast(&self) -> bool {
        self.0[0] & 0x01 == 0
    }
    /// Whether this is a group address, broadcast included (I/G bit set).
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }
    /// Whether this is the broadcast address.
    pub const fn is_broadcast(&self) -> bool {
        matches!(self.0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    }
    /// Whether this is a locally administered address (U/L bit set).
    pub const fn is_local(&self) -> bool {
        self.0[0] & 0x02 != 0
    }
    /// Whether every octet is zero.
    pub const fn is_unspecified(&self) -> bool {
        matches!(self.0, [0, 0, 0, 0, 0, 0])
    }
    /// The MAC address an IPv4 multicast group maps to: `01:00:5e` and the
    /// low 23 bits of the group (RFC 1112 §6.4).
    pub const fn from_ipv4_multicast(group: Ipv4Addr) -> EthernetAddress {
        let o = group.octets();
        EthernetAddress([0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]])
    }
    /// The MAC address an IPv6 multicast group maps to: `33:33` and the low
    /// 32 bits of the group (RFC 2464 §7).
    pub const fn from_ipv6_multicast(group: Ipv6Addr) -> EthernetAddress {
        let o = group.octets();
        EthernetAddress([0x33, 0x33, o[12], o[13], o[14], o[15]])
    }
    /// The modified EUI-64 interface identifier (RFC 4291 Appendix A).
    pub const fn to_eui64(&self) -> [u8; 8] {
        let m = self.0;
        [m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]]
    }
}

impl fmt::Display for EthernetAddress {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

/// Why a string did not parse as an address or network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AddrParseError;

impl fmt::Display for AddrParseError {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid address syntax")
    }
}

impl core::error::Error for AddrParseError {}

impl FromStr for EthernetAddress {
    type Err = AddrParseError;
    /// Parses `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff` (hex, one or two
    /// digits per octet).
    fn from_str(s: &str) -> Result<Self, AddrParseError> {
        let sep = if s.contains('-') { '-' } else { ':' };
        let mut out = [0u8; 6];
        let mut n = 0;
        for part in s.split(sep) {
            // `from_str_radix` would accept a leading '+': insist on digits.
            if n == 6
                || part.is_empty()
                || part.len() > 2
                || !part.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return Err(AddrParseError);
            }
            out[n] = u8::from_str_radix(part, 16).map_err(|_| AddrParseError)?;
            n += 1;
        }
        if n != 6 {
            return Err(AddrParseError);
        }
        Ok(EthernetAddress(out))
    }
}

/// An IPv4 address with a prefix length: an interface address and the
/// network it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ipv4Cidr {
    address: Ipv4Addr,
    prefix_len: u8,
}

impl Ipv4Cidr {
    /// `address/prefix_len`, or `None` if `prefix_len > 32`.
    pub const fn new(address: Ipv4Addr, prefix_len: u8) -> Option<Ipv4Cidr> {
        if prefix_len > 32 {
            None
        } else {
            Some(Ipv4Cidr {
                address,
                prefix_len,
            })
        }
    }
    /// The network whose mask is `netmask`, or `None` if the mask is not
    /// contiguous.
    #[inline]
    pub fn from_netmask(address: Ipv4Addr, netmask: Ipv4Addr) -> Option<Ipv4Cidr> {
        let m = u32::from(netmask);
        let len = m.leading_ones();
        if m.checked_shl(len).unwrap_or(0) != 0 {
            return None;
        }
        Ipv4Cidr::new(address, len as u8)
    }
    /// The address part.
    pub const fn address(&self) -> Ipv4Addr {
        self.address
    }
    /// The prefix length.
    pub const fn prefix_len(&self) -> u8 {
        self.prefix_len
    }
    /// The mask as an address (`255.255.255.0` for /24).
    #[inline]
    pub fn netmask(&self) -> Ipv4Addr {
        Ipv4Addr::from(mask32(self.prefix_len))
    }
    /// The network: the address with its host bits cleared.
    #[inline]
    pub fn network(&self) -> Ipv4Cidr {
        Ipv4Cidr {
            address: Ipv4Addr::from(u32::from(self.address) & mask32(self.prefix_len)),
            prefix_len: self.prefix_len,
        }
    }
    /// The subnet-directed broadcast address (RFC 919, RFC 922), or `None`
    /// for /31 (RFC 3021 point-to-point) and /32 networks.
    #[inline]
    pub fn broadcast(&self) -> Option<Ipv4Addr> {
        if self.prefix_len >= 31 {
            return None;
        }
        Some(Ipv4Addr::from(
            u32::from(self.address) | !mask32(self.prefix_len),
        ))
    }
    /// Whether `addr` is inside this network.
    #[inline]
    pub fn contains_addr(&self, addr: &Ipv4Addr) -> bool {
        let m = mask32(self.prefix_len);
        u32::from(*addr) & m == u32::from(self.address) & m
    }
    /// Whether `subnet` lies entirely inside this network.
    #[inline]
    pub fn contains_subnet(&self, subnet: &Ipv4Cidr) -> bool {
        self.prefix_len <= subnet.prefix_len && self.contains_addr(&subnet.address)
    }
}

const fn mask32(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len as u32)
    }
}

const fn mask128(len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        u128::MAX << (128 - len as u32)
    }
}

impl fmt::Display for Ipv4Cidr {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix_len)
    }
}

impl FromStr for Ipv4Cidr {
    type Err = AddrParseError;
    /// Parses `a.b.c.d/len`.
    #[inline]
    fn from_str(s: &str) -> Result<Self, AddrParseError> {
        let (a, l) = s.split_once('/').ok_or(AddrParseError)?;
        let addr = Ipv4Addr::from_str(a).map_err(|_| AddrParseError)?;
        let len = parse_prefix_len(l)?;
        Ipv4Cidr::new(addr, len).ok_or(AddrParseError)
    }
}

fn parse_prefix_len(s: &str) -> Result<u8, AddrParseError> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AddrParseError);
    }
    s.parse().map_err(|_| AddrParseError)
}

/// An IPv6 address with a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ipv6Cidr {
    address: Ipv6Addr,
    prefix_len: u8,
}

impl Ipv6Cidr {
    /// `address/prefix_len`, or `None` if `prefix_len > 128`.
    pub const fn new(address: Ipv6Addr, prefix_len: u8) -> Option<Ipv6Cidr> {
        if prefix_len > 128 {
            None
        } else {
            Some(Ipv6Cidr {
                address,
                prefix_len,
            })
        }
    }
    /// The address part.
    pub const fn address(&self) -> Ipv6Addr {
        self.address
    }
    /// The prefix length.
    pub const fn prefix_len(&self) -> u8 {
        self.prefix_len
    }
    /// The network: the address with its interface bits cleared.
    #[inline]
    pub fn network(&self) -> Ipv6Cidr {
        Ipv6Cidr {
            address: Ipv6Addr::from(u128::from(self.address) & mask128(self.prefix_len)),
            prefix_len: self.prefix_len,
        }
    }
    /// The mask as an address.
    #[inline]
    pub fn netmask(&self) -> Ipv6Addr {
        Ipv6Addr::from(mask128(self.prefix_len))
    }
    /// Whether `addr` is inside this network.
    #[inline]
    pub fn contains_addr(&self, addr: &Ipv6Addr) -> bool {
        let m = mask128(self.prefix_len);
        u128::from(*addr) & m == u128::from(self.address) & m
    }
    /// Whether `subnet` lies entirely inside this network.
    #[inline]
    pub fn contains_subnet(&self, subnet: &Ipv6Cidr) -> bool {
        self.prefix_len <= subnet.prefix_len && self.contains_addr(&subnet.address)
    }
}

impl fmt::Display for Ipv6Cidr {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix_len)
    }
}

impl FromStr for Ipv6Cidr {
    type Err = AddrParseError;
    /// Parses `addr/len`.
    #[inline]
    fn from_str(s: &str) -> Result<Self, AddrParseError> {
        let (a, l) = s.split_once('/').ok_or(AddrParseError)?;
        let addr = Ipv6Addr::from_str(a).map_err(|_| AddrParseError)?;
        let len = parse_prefix_len(l)?;
        Ipv6Cidr::new(addr, len).ok_or(AddrParseError)
    }
}

/// A network of either family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IpCidr {
    /// IPv4.
    V4(Ipv4Cidr),
    /// IPv6.
    V6(Ipv6Cidr),
}

impl IpCidr {
    /// `address/prefix_len`, or `None` if the length is too long for the
    /// family.
    #[inline]
    pub fn new(address: IpAddr, prefix_len: u8) -> Option<IpCidr> {
        match address {
            IpAddr::V4(a) => Ipv4Cidr::new(a, prefix_len).map(IpCidr::V4),
            IpAddr::V6(a) => Ipv6Cidr::new(a, prefix_len).map(IpCidr::V6),
        }
    }
    /// The address part.
    #[inline]
    pub fn address(&self) -> IpAddr {
        match self {
            IpCidr::V4(c) => IpAddr::V4(c.address()),
            IpCidr::V6(c) => IpAddr::V6(c.address()),
        }
    }
    /// The prefix length.
    #[inline]
    pub fn prefix_len(&self) -> u8 {
        match self {
            IpCidr::V4(c) => c.prefix_len(),
            IpCidr::V6(c) => c.prefix_len(),
        }
    }
    /// Whether `addr` is inside this network (false across families).
    #[inline]
    pub fn contains_addr(&self, addr: &IpAddr) -> bool {
        match (self, addr) {
            (IpCidr::V4(c), IpAddr::V4(a)) => c.contains_addr(a),
            (IpCidr::V6(c), IpAddr::V6(a)) => c.contains_addr(a),
            _ => false,
        }
    }
}

impl From<Ipv4Cidr> for IpCidr {
    #[inline]
    fn from(c: Ipv4Cidr) -> Self {
        IpCidr::V4(c)
    }
}

impl From<Ipv6Cidr> for IpCidr {
    #[inline]
    fn from(c: Ipv6Cidr) -> Self {
        IpCidr::V6(c)
    }
}

impl fmt::Display for IpCidr {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpCidr::V4(c) => c.fmt(f),
            IpCidr::V6(c) => c.fmt(f),
        }
    }
}

impl FromStr for IpCidr {
    type Err = AddrParseError;
    #[inline]
    fn from_str(s: &str) -> Result<Self, AddrParseError> {
        if s.contains(':') {
            Ipv6Cidr::from_str(s).map(IpCidr::V6)
        } else {
            Ipv4Cidr::from_str(s).map(IpCidr::V4)
        }
    }
}
