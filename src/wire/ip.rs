//! Values shared by IPv4 and IPv6: protocol numbers, version, ECN.

use core::fmt;

/// An IP protocol / IPv6 Next Header number (IANA "Assigned Internet
/// Protocol Numbers").
///
/// A plain number, so that reading it from a header and writing it back
/// are free (no table on either side); the numbers the stack knows are
/// associated constants, which work in patterns too
/// (`IpProtocol::Tcp => ..`). Any other number is `IpProtocol(n)`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IpProtocol(pub u8);

#[allow(non_upper_case_globals)]
impl IpProtocol {
    /// IPv6 Hop-by-Hop Options (0).
    pub const HopByHop: IpProtocol = IpProtocol(0);
    /// ICMP (1).
    pub const Icmp: IpProtocol = IpProtocol(1);
    /// IGMP (2).
    pub const Igmp: IpProtocol = IpProtocol(2);
    /// TCP (6).
    pub const Tcp: IpProtocol = IpProtocol(6);
    /// UDP (17).
    pub const Udp: IpProtocol = IpProtocol(17);
    /// IPv6 Routing header (43).
    pub const Ipv6Route: IpProtocol = IpProtocol(43);
    /// IPv6 Fragment header (44).
    pub const Ipv6Frag: IpProtocol = IpProtocol(44);
    /// Encapsulating Security Payload (50).
    pub const Esp: IpProtocol = IpProtocol(50);
    /// Authentication Header (51).
    pub const Ah: IpProtocol = IpProtocol(51);
    /// ICMPv6 (58).
    pub const Icmpv6: IpProtocol = IpProtocol(58);
    /// IPv6 No Next Header (59).
    pub const Ipv6NoNxt: IpProtocol = IpProtocol(59);
    /// IPv6 Destination Options (60).
    pub const Ipv6Opts: IpProtocol = IpProtocol(60);

    /// The name of a number the stack knows (IANA's keyword).
    pub const fn name(self) -> Option<&'static str> {
        Some(match self {
            IpProtocol::HopByHop => "Hop-by-Hop",
            IpProtocol::Icmp => "ICMP",
            IpProtocol::Igmp => "IGMP",
            IpProtocol::Tcp => "TCP",
            IpProtocol::Udp => "UDP",
            IpProtocol::Ipv6Route => "IPv6-Route",
            IpProtocol::Ipv6Frag => "IPv6-Frag",
            IpProtocol::Esp => "ESP",
            IpProtocol::Ah => "AH",
            IpProtocol::Icmpv6 => "ICMPv6",
            IpProtocol::Ipv6NoNxt => "IPv6-NoNxt",
            IpProtocol::Ipv6Opts => "IPv6-Opts",
            _ => return None,
        })
    }

    /// Whether this number names an IPv6 extension header that the
    /// header-chain walker must step over (RFC 8200 §4, RFC 7045).
    #[inline]
    pub fn is_ipv6_extension(&self) -> bool {
        matches!(
            *self,
            IpProtocol::HopByHop
                | IpProtocol::Ipv6Route
                | IpProtocol::Ipv6Frag
                | IpProtocol::Ipv6Opts
                | IpProtocol::Ah
        )
    }
}

impl From<u8> for IpProtocol {
    #[inline]
    fn from(v: u8) -> Self {
        IpProtocol(v)
    }
}

impl From<IpProtocol> for u8 {
    #[inline]
    fn from(p: IpProtocol) -> u8 {
        p.0
    }
}

impl fmt::Debug for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "IpProtocol({})", self.0),
        }
    }
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "proto {}", self.0),
        }
    }
}

/// The IP version nibble.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IpVersion {
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

impl IpVersion {
    /// The version of the packet starting with `first_byte`, if any.
    #[inline]
    pub fn of_packet(data: &[u8]) -> Option<IpVersion> {
        match data.first().map(|b| b >> 4) {
            Some(4) => Some(IpVersion::Ipv4),
            Some(6) => Some(IpVersion::Ipv6),
            _ => None,
        }
    }
}

/// The ECN field of the IPv4 TOS / IPv6 Traffic Class byte (RFC 3168 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IpEcn {
    /// Not ECN-capable transport (00).
    #[default]
    NotEct,
    /// ECN-capable transport, ECT(1) (01).
    Ect1,
    /// ECN-capable transport, ECT(0) (10).
    Ect0,
    /// Congestion experienced (11).
    Ce,
}

impl IpEcn {
    /// The codepoint from the two low bits of `v`.
    #[inline]
    pub fn from_bits(v: u8) -> IpEcn {
        match v & 0b11 {
            0b00 => IpEcn::NotEct,
            0b01 => IpEcn::Ect1,
            0b10 => IpEcn::Ect0,
            _ => IpEcn::Ce,
        }
    }
    /// The two-bit codepoint.
    #[inline]
    pub fn bits(&self) -> u8 {
        match self {
            IpEcn::NotEct => 0b00,
            IpEcn::Ect1 => 0b01,
            IpEcn::Ect0 => 0b10,
            IpEcn::Ce => 0b11,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_numbers_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(IpProtocol::from(v)), v);
        }
        assert_eq!(IpProtocol::from(6), IpProtocol::Tcp);
        assert_eq!(IpProtocol::from(58), IpProtocol::Icmpv6);
        assert!(IpProtocol::Ipv6Frag.is_ipv6_extension());
        assert!(!IpProtocol::Tcp.is_ipv6_extension());
    }

    #[test]
    fn ecn_and_version() {
        for b in 0..4 {
            assert_eq!(IpEcn::from_bits(b).bits(), b);
        }
        assert_eq!(IpVersion::of_packet(&[0x45]), Some(IpVersion::Ipv4));
        assert_eq!(IpVersion::of_packet(&[0x60]), Some(IpVersion::Ipv6));
        assert_eq!(IpVersion::of_packet(&[]), None);
        assert_eq!(IpVersion::of_packet(&[0x50]), None);
    }
}
