//! The IPv6 Routing header (RFC 8200 §4.4), with the deprecated Type 0
//! (RFC 2460 §4.4, RFC 5095) and the Mobile IPv6 Type 2 (RFC 6275 §6.4)
//! layouts recognised.
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Next Header  |  Hdr Ext Len  |  Routing Type | Segments Left |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! .                                                               .
//! .                       type-specific data                      .
//! .                                                               .
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Types 0 and 2 carry a 32-bit Reserved field then IPv6 addresses (one
//! Home Address for Type 2). RPL (type 3, RFC 6554), SRH (type 4,
//! RFC 8754) and every other type are kept raw.
//!
//! Parsing never rejects a header for its type-specific content: RFC 8200
//! §4.4 says what to do with an unrecognised Routing Type (ignore it if
//! Segments Left is 0, else Parameter Problem code 0 pointing at the
//! Routing Type), and RFC 5095 §3 says to treat Type 0 exactly so. A Type 0
//! or Type 2 header whose length does not fit its layout is returned as
//! [`Repr::Other`].

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv6Addr;

use crate::wire::ip::IpProtocol;
use crate::wire::{Error, Result};

mod field {
    use crate::wire::field::{Field, Rest};
    pub(crate) const NXT_HDR: usize = 0;
    pub(crate) const LENGTH: usize = 1;
    pub(crate) const TYPE: usize = 2;
    pub(crate) const SEG_LEFT: usize = 3;
    pub(crate) const DATA: Rest = 4..;
    // Types 0 and 2 (RFC 2460 §4.4, RFC 6275 §6.4).
    pub(crate) const RESERVED: Field = 4..8;
    pub(crate) const ADDRESSES: Rest = 8..;
}

/// The shortest Routing header (Hdr Ext Len 0).
pub const MIN_HEADER_LEN: usize = 8;

/// The longest Routing header (Hdr Ext Len 255).
pub const MAX_HEADER_LEN: usize = 256 * 8;

/// The offset of the Routing Type field in the header: the ICMPv6
/// Parameter Problem pointer for an unrecognised type (RFC 8200 §4.4) is
/// the header's offset plus this.
pub const ROUTING_TYPE_OFFSET: usize = field::TYPE;

/// The length of a Type 2 Routing header (RFC 6275 §6.4: Hdr Ext Len 2).
pub const TYPE2_HEADER_LEN: usize = 24;

/// The most addresses a Type 0 header can hold (Hdr Ext Len = 2n <= 255).
pub const TYPE0_MAX_ADDRESSES: usize = 127;

/// A Routing Type (IANA "IPv6 Routing Types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RoutingType {
    /// Type 0, source route (RFC 2460 §4.4), deprecated by RFC 5095.
    Type0,
    /// Type 2, Mobile IPv6 home address (RFC 6275 §6.4).
    Type2,
    /// Type 3, RPL source route (RFC 6554).
    Rpl,
    /// Type 4, Segment Routing header (RFC 8754).
    Srh,
    /// Any other type.
    Unknown(u8),
}

impl From<u8> for RoutingType {
    fn from(v: u8) -> Self {
        match v {
            0 => RoutingType::Type0,
            2 => RoutingType::Type2,
            3 => RoutingType::Rpl,
            4 => RoutingType::Srh,
            other => RoutingType::Unknown(other),
        }
    }
}

impl From<RoutingType> for u8 {
    fn from(t: RoutingType) -> u8 {
        match t {
            RoutingType::Type0 => 0,
            RoutingType::Type2 => 2,
            RoutingType::Rpl => 3,
            RoutingType::Srh => 4,
            RoutingType::Unknown(v) => v,
        }
    }
}

/// A view over a Routing header at the start of the buffer. Bytes after
/// the header may follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wrap a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wrap a buffer and check that every accessor is safe.
    pub fn new_checked(buffer: T) -> Result<Header<T>> {
        let header = Self::new_unchecked(buffer);
        header.check_len()?;
        Ok(header)
    }

    /// Check that the buffer holds the whole header that Hdr Ext Len
    /// announces.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < MIN_HEADER_LEN || self.header_len() > len {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Give back the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The Next Header field.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol::from(self.buffer.as_ref()[field::NXT_HDR])
    }
    /// The raw Hdr Ext Len field (8-octet units after the first 8).
    pub fn hdr_ext_len(&self) -> u8 {
        self.buffer.as_ref()[field::LENGTH]
    }
    /// The header length in octets: `(hdr_ext_len + 1) * 8`.
    pub fn header_len(&self) -> usize {
        (usize::from(self.hdr_ext_len()) + 1) * 8
    }
    /// The Routing Type.
    pub fn routing_type(&self) -> RoutingType {
        RoutingType::from(self.buffer.as_ref()[field::TYPE])
    }
    /// Segments Left: route segments still to visit.
    pub fn segments_left(&self) -> u8 {
        self.buffer.as_ref()[field::SEG_LEFT]
    }
    /// The Reserved field of Types 0 and 2 (the first 4 type-specific
    /// octets; ignored on reception).
    pub fn reserved(&self) -> u32 {
        NetworkEndian::read_u32(&self.buffer.as_ref()[field::RESERVED])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Header<&'a T> {
    /// The type-specific data (everything after Segments Left).
    pub fn data(&self) -> &'a [u8] {
        let end = self.header_len();
        &self.buffer.as_ref()[field::DATA.start..end]
    }
    /// The octets after the Reserved field of Types 0 and 2: the
    /// addresses.
    pub fn addresses(&self) -> Addresses<'a> {
        let end = self.header_len();
        Addresses::new(&self.buffer.as_ref()[field::ADDRESSES.start..end])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Header<T> {
    /// Set the Next Header field.
    pub fn set_next_header(&mut self, v: IpProtocol) {
        self.buffer.as_mut()[field::NXT_HDR] = u8::from(v)
    }
    /// Set the raw Hdr Ext Len field.
    pub fn set_hdr_ext_len(&mut self, v: u8) {
        self.buffer.as_mut()[field::LENGTH] = v
    }
    /// Set the Routing Type.
    pub fn set_routing_type(&mut self, v: RoutingType) {
        self.buffer.as_mut()[field::TYPE] = u8::from(v)
    }
    /// Set Segments Left.
    pub fn set_segments_left(&mut self, v: u8) {
        self.buffer.as_mut()[field::SEG_LEFT] = v
    }
    /// Set the Reserved field of Types 0 and 2.
    pub fn set_reserved(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::RESERVED], v)
    }
    /// The type-specific data, as long as Hdr Ext Len says.
    pub fn data_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.buffer.as_mut()[field::DATA.start..end]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Header<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A list of IPv6 addresses stored back to back (the Type 0 address
/// vector). Octets after the last whole address are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Addresses<'a> {
    data: &'a [u8],
}

impl<'a> Addresses<'a> {
    /// The addresses in `data`, 16 octets each.
    pub fn new(data: &'a [u8]) -> Addresses<'a> {
        let whole = data.len() - data.len() % 16;
        Addresses {
            data: &data[..whole],
        }
    }
    /// The number of addresses.
    pub fn len(&self) -> usize {
        self.data.len() / 16
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// Address `i` (0-based; the RFC numbers them from 1).
    pub fn get(&self, i: usize) -> Option<Ipv6Addr> {
        let start = i.checked_mul(16)?;
        let octets: [u8; 16] = self
            .data
            .get(start..start.checked_add(16)?)?
            .try_into()
            .ok()?;
        Some(Ipv6Addr::from(octets))
    }
    /// The addresses in order.
    pub fn iter(&self) -> impl Iterator<Item = Ipv6Addr> + 'a {
        self.data.chunks_exact(16).filter_map(|c| {
            let octets: [u8; 16] = c.try_into().ok()?;
            Some(Ipv6Addr::from(octets))
        })
    }
    /// The raw octets (a multiple of 16).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }
}

/// A parsed Routing header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Repr<'a> {
    /// Type 0 (RFC 2460 §4.4). Recognised only so that the interface can
    /// refuse it: RFC 5095 §3 says to process it as an unrecognised type.
    Type0 {
        /// The header that follows.
        next_header: IpProtocol,
        /// Segments Left.
        segments_left: u8,
        /// Address\[1..n\] (at most [`TYPE0_MAX_ADDRESSES`] are emitted).
        addresses: Addresses<'a>,
    },
    /// Type 2, the Mobile IPv6 home address (RFC 6275 §6.4).
    Type2 {
        /// The header that follows.
        next_header: IpProtocol,
        /// Segments Left (1 when sent, RFC 6275 §6.4).
        segments_left: u8,
        /// The mobile node's home address.
        home_address: Ipv6Addr,
    },
    /// Any other type (RPL, SRH, unknown), or a Type 0/2 header whose
    /// length does not fit its layout, kept raw.
    Other {
        /// The header that follows.
        next_header: IpProtocol,
        /// The Routing Type.
        routing_type: RoutingType,
        /// Segments Left.
        segments_left: u8,
        /// The type-specific data (zero-padded to end the header on 8
        /// octets when emitted; at most `MAX_HEADER_LEN - 4` octets).
        data: &'a [u8],
    },
}

impl<'a> Repr<'a> {
    /// Parse a Routing header. Only the framing can fail (`Truncated`);
    /// see the module documentation for the content.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(header: &Header<&'a T>) -> Result<Repr<'a>> {
        header.check_len()?;
        let next_header = header.next_header();
        let segments_left = header.segments_left();
        let routing_type = header.routing_type();
        let hdr_ext_len = header.hdr_ext_len();
        match routing_type {
            // RFC 2460 §4.4: Hdr Ext Len is two times the number of
            // addresses.
            RoutingType::Type0 if hdr_ext_len.is_multiple_of(2) => Ok(Repr::Type0 {
                next_header,
                segments_left,
                addresses: header.addresses(),
            }),
            // RFC 6275 §6.4: Hdr Ext Len 2, one address.
            RoutingType::Type2 if hdr_ext_len == 2 => match header.addresses().get(0) {
                Some(home_address) => Ok(Repr::Type2 {
                    next_header,
                    segments_left,
                    home_address,
                }),
                None => Err(Error::Truncated),
            },
            _ => Ok(Repr::Other {
                next_header,
                routing_type,
                segments_left,
                data: header.data(),
            }),
        }
    }

    /// The header that follows.
    pub const fn next_header(&self) -> IpProtocol {
        match self {
            Repr::Type0 { next_header, .. }
            | Repr::Type2 { next_header, .. }
            | Repr::Other { next_header, .. } => *next_header,
        }
    }

    /// Segments Left.
    pub const fn segments_left(&self) -> u8 {
        match self {
            Repr::Type0 { segments_left, .. }
            | Repr::Type2 { segments_left, .. }
            | Repr::Other { segments_left, .. } => *segments_left,
        }
    }

    /// The Routing Type.
    pub const fn routing_type(&self) -> RoutingType {
        match self {
            Repr::Type0 { .. } => RoutingType::Type0,
            Repr::Type2 { .. } => RoutingType::Type2,
            Repr::Other { routing_type, .. } => *routing_type,
        }
    }

    /// The header length `emit` writes.
    pub fn header_len(&self) -> usize {
        match self {
            Repr::Type0 { addresses, .. } => 8 + 16 * addresses.len().min(TYPE0_MAX_ADDRESSES),
            Repr::Type2 { .. } => TYPE2_HEADER_LEN,
            // RFC 8200 §4.4: the header is an integer multiple of 8 octets.
            Repr::Other { data, .. } => (4 + data.len()).next_multiple_of(8).min(MAX_HEADER_LEN),
        }
    }

    /// The bytes `emit` writes: the header length.
    pub fn buffer_len(&self) -> usize {
        self.header_len()
    }

    /// Write the header. `header` must hold at least `buffer_len()`
    /// octets. Reserved fields are written as zero.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, header: &mut Header<T>) {
        let len = self.header_len();
        header.set_next_header(self.next_header());
        // `len` is a multiple of 8 in 8..=2048, so this fits in a u8.
        header.set_hdr_ext_len((len / 8 - 1) as u8);
        header.set_routing_type(self.routing_type());
        header.set_segments_left(self.segments_left());
        let data = header.data_mut();
        match self {
            Repr::Type0 { addresses, .. } => {
                data[..4].fill(0);
                let n = data.len() - 4;
                data[4..].copy_from_slice(&addresses.as_bytes()[..n]);
            }
            Repr::Type2 { home_address, .. } => {
                data[..4].fill(0);
                data[4..].copy_from_slice(&home_address.octets());
            }
            Repr::Other { data: value, .. } => {
                let n = value.len().min(data.len());
                data[..n].copy_from_slice(&value[..n]);
                data[n..].fill(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    // Built by hand from RFC 2460 §4.4: Type 0, Next Header TCP (6), Hdr
    // Ext Len 4 (two addresses), Segments Left 2, Reserved 0, then
    // 2001:db8::1 and 2001:db8::2.
    static TYPE0: [u8; 40] = [
        0x06, 0x04, 0x00, 0x02, 0, 0, 0, 0, //
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, //
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
    ];

    // Built by hand from RFC 6275 §6.4: Type 2, Next Header UDP (17), Hdr
    // Ext Len 2, Segments Left 1, Reserved 0, home address 2001:db8::99.
    static TYPE2: [u8; 24] = [
        0x11, 0x02, 0x02, 0x01, 0, 0, 0, 0, //
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99,
    ];

    // An SRH-typed header (RFC 8754 layout not interpreted): Next Header
    // ICMPv6 (58), Hdr Ext Len 0, type 4, Segments Left 0, 4 octets of
    // data.
    static SRH: [u8; 8] = [0x3a, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x04];

    const A1: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
    const A2: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);

    #[test]
    fn parse_type0() {
        let h = Header::new_checked(&TYPE0[..]).unwrap();
        assert_eq!(h.header_len(), 40);
        assert_eq!(h.routing_type(), RoutingType::Type0);
        assert_eq!(h.segments_left(), 2);
        assert_eq!(h.reserved(), 0);
        let r = Repr::parse(&h).unwrap();
        match r {
            Repr::Type0 {
                next_header,
                segments_left,
                addresses,
            } => {
                assert_eq!(next_header, IpProtocol::Tcp);
                assert_eq!(segments_left, 2);
                assert_eq!(addresses.len(), 2);
                assert_eq!(addresses.get(0), Some(A1));
                assert_eq!(addresses.get(1), Some(A2));
                assert_eq!(addresses.get(2), None);
                assert_eq!(addresses.iter().collect::<Vec<_>>(), vec![A1, A2]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(r.routing_type(), RoutingType::Type0);
        assert_eq!(r.segments_left(), 2);
        assert_eq!(r.next_header(), IpProtocol::Tcp);
    }

    #[test]
    fn parse_type2_and_other() {
        let h = Header::new_checked(&TYPE2[..]).unwrap();
        assert_eq!(
            Repr::parse(&h).unwrap(),
            Repr::Type2 {
                next_header: IpProtocol::Udp,
                segments_left: 1,
                home_address: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x99),
            }
        );
        let h = Header::new_checked(&SRH[..]).unwrap();
        assert_eq!(
            Repr::parse(&h).unwrap(),
            Repr::Other {
                next_header: IpProtocol::Icmpv6,
                routing_type: RoutingType::Srh,
                segments_left: 0,
                data: &[1, 2, 3, 4],
            }
        );
    }

    #[test]
    fn emit_vectors() {
        let r = Repr::Type0 {
            next_header: IpProtocol::Tcp,
            segments_left: 2,
            addresses: Addresses::new(&TYPE0[8..]),
        };
        let mut buf = vec![0xa5; r.buffer_len()];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        assert_eq!(&buf[..], &TYPE0[..]);

        let r = Repr::Type2 {
            next_header: IpProtocol::Udp,
            segments_left: 1,
            home_address: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x99),
        };
        let mut buf = vec![0xa5; r.buffer_len()];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        assert_eq!(&buf[..], &TYPE2[..]);

        let r = Repr::Other {
            next_header: IpProtocol::Icmpv6,
            routing_type: RoutingType::Srh,
            segments_left: 0,
            data: &[1, 2, 3, 4],
        };
        let mut buf = vec![0xa5; r.buffer_len()];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        assert_eq!(&buf[..], &SRH[..]);

        // Data not ending the header on 8 octets is zero-padded.
        let r = Repr::Other {
            next_header: IpProtocol::Icmpv6,
            routing_type: RoutingType::Rpl,
            segments_left: 3,
            data: &[1, 2, 3, 4, 5],
        };
        assert_eq!(r.buffer_len(), 16);
        let mut buf = vec![0xa5; r.buffer_len()];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        assert_eq!(
            &buf[..],
            &[0x3a, 0x01, 0x03, 0x03, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn misfit_type0_and_type2_are_other() {
        // Type 0 with an odd Hdr Ext Len: not a whole address vector.
        let mut b = [0u8; 16];
        b[1] = 1;
        b[3] = 1;
        let h = Header::new_checked(&b[..]).unwrap();
        assert!(matches!(
            Repr::parse(&h),
            Ok(Repr::Other {
                routing_type: RoutingType::Type0,
                segments_left: 1,
                ..
            })
        ));
        // Type 2 with Hdr Ext Len 0.
        let b = [0x11, 0x00, 0x02, 0x01, 0, 0, 0, 0];
        let h = Header::new_checked(&b[..]).unwrap();
        assert!(matches!(
            Repr::parse(&h),
            Ok(Repr::Other {
                routing_type: RoutingType::Type2,
                ..
            })
        ));
    }

    #[test]
    fn truncated_at_every_length() {
        for v in [&TYPE0[..], &TYPE2[..], &SRH[..]] {
            for n in 0..v.len() {
                assert_eq!(
                    Header::new_checked(&v[..n]).err(),
                    Some(Error::Truncated),
                    "{n}"
                );
            }
        }
        // Hdr Ext Len past the buffer.
        let mut b = TYPE2;
        b[1] = 3;
        assert_eq!(Header::new_checked(&b[..]).err(), Some(Error::Truncated));
    }

    #[test]
    fn routing_type_numbers_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(RoutingType::from(v)), v);
        }
        assert_eq!(ROUTING_TYPE_OFFSET, 2);
    }

    #[test]
    fn type0_addresses_are_capped() {
        let bytes = vec![0x11u8; 16 * 200 + 5];
        let a = Addresses::new(&bytes);
        assert_eq!(a.len(), 200);
        let r = Repr::Type0 {
            next_header: IpProtocol::Tcp,
            segments_left: 0,
            addresses: a,
        };
        assert_eq!(r.buffer_len(), 8 + 16 * 127);
        let mut buf = vec![0u8; r.buffer_len()];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        let h = Header::new_checked(&buf[..]).unwrap();
        assert_eq!(h.hdr_ext_len(), 254);
        assert_eq!(h.addresses().len(), 127);
    }

    fn repr_strategy(bytes: &[u8]) -> impl Strategy<Value = Repr<'_>> {
        (
            0u8..3,
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            0usize..bytes.len() - 8,
            any::<[u8; 16]>(),
        )
            .prop_map(move |(which, nh, sl, ty, n, home)| match which {
                0 => Repr::Type0 {
                    next_header: IpProtocol::from(nh),
                    segments_left: sl,
                    addresses: Addresses::new(&bytes[..n]),
                },
                1 => Repr::Type2 {
                    next_header: IpProtocol::from(nh),
                    segments_left: sl,
                    home_address: Ipv6Addr::from(home),
                },
                _ => Repr::Other {
                    next_header: IpProtocol::from(nh),
                    routing_type: RoutingType::from(if ty == 0 || ty == 2 { 253 } else { ty }),
                    segments_left: sl,
                    // Whole 8-octet units after the 4 fixed octets.
                    data: &bytes[..(n / 8) * 8 + 4],
                },
            })
    }

    static BYTES: [u8; 300] = {
        let mut b = [0u8; 300];
        let mut i = 0;
        while i < 300 {
            b[i] = (i * 7 + 3) as u8;
            i += 1;
        }
        b
    };

    proptest! {
        #[test]
        fn round_trip(r in repr_strategy(&BYTES[..])) {
            let mut buf = vec![0u8; r.buffer_len()];
            r.emit(&mut Header::new_unchecked(&mut buf[..]));
            let h = Header::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Repr::parse(&h).unwrap(), r);
        }

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(h) = Header::new_checked(&data[..]) {
                let _ = (h.next_header(), h.hdr_ext_len(), h.routing_type(), h.segments_left(), h.reserved());
                let _ = (h.data(), h.addresses().iter().count());
                if let Ok(r) = Repr::parse(&h) {
                    let mut buf = vec![0u8; r.buffer_len()];
                    r.emit(&mut Header::new_unchecked(&mut buf[..]));
                    let q = Header::new_checked(&buf[..]).unwrap();
                    prop_assert_eq!(Repr::parse(&q).unwrap(), r);
                }
            }
        }
    }
}
