//! Ethernet framing: Ethernet II (RFC 894) and IEEE 802.3 with an
//! 802.2 LLC header and a SNAP header (RFC 1042).
//!
//! ```text
//!  0                   6                  12        14
//! +-------------------+-------------------+---------+----------------
//! | Destination (6)   | Source (6)        | Type /  | Payload ...
//! |                   |                   | Length  |
//! +-------------------+-------------------+---------+----------------
//! ```
//!
//! The two framings differ in the two bytes after the source address
//! (IEEE 802.3 §3.2.6): a value of at least 1536 (0x0600) is an EtherType
//! (Ethernet II, RFC 894); a value of at most 1500 is the length of the
//! payload, which then starts with an 802.2 LLC header. RFC 1042 carries IP
//! over 802.3 with this LLC + SNAP header, which ends with an EtherType:
//!
//! ```text
//!  14     15     16        17            20           22
//! +------+------+---------+-------------+------------+---------
//! | DSAP | SSAP | Control | OUI         | EtherType  | Data ...
//! | 0xAA | 0xAA | 0x03    | 00-00-00    |            |
//! +------+------+---------+-------------+------------+---------
//! ```
//!
//! # Padding
//!
//! An Ethernet frame is at least 64 bytes on the wire including the 4-byte
//! FCS, i.e. [`MIN_FRAME_LEN`] = 60 bytes as the stack sees it (RFC 894: the
//! data field is at least 46 octets). Padding short frames up to that size
//! is the caller's (or the device's) concern: [`Repr::emit`] writes the
//! header only. On receive, bytes after an 802.3 length are padding and
//! [`Frame::network_payload`] drops them; Ethernet II has no length field,
//! so the network layer's own length (IPv4 total length, ...) decides.

use byteorder::{ByteOrder, NetworkEndian};
use core::fmt;

use super::address::EthernetAddress;
use super::{Error, Result};

/// An EtherType (IEEE 802 numbers, IANA "IEEE 802 Numbers" registry).
///
/// A plain number (free to read from a frame and write back); the types
/// the stack knows are associated constants, usable in patterns. Any other
/// value is `EtherType(v)`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EtherType(pub u16);

#[allow(non_upper_case_globals)]
impl EtherType {
    /// IPv4 (0x0800, RFC 894).
    pub const Ipv4: EtherType = EtherType(0x0800);
    /// ARP (0x0806, RFC 826).
    pub const Arp: EtherType = EtherType(0x0806);
    /// IPv6 (0x86DD, RFC 2464).
    pub const Ipv6: EtherType = EtherType(0x86DD);
    /// An IEEE 802.1Q VLAN tag (0x8100). Tagged frames are not decoded
    /// here; the tag is just recognised.
    pub const Vlan: EtherType = EtherType(0x8100);

    /// The name of a type the stack knows.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self {
            EtherType::Ipv4 => "IPv4",
            EtherType::Arp => "ARP",
            EtherType::Ipv6 => "IPv6",
            EtherType::Vlan => "VLAN",
            _ => return None,
        })
    }
}

impl From<u16> for EtherType {
    #[inline]
    fn from(v: u16) -> Self {
        EtherType(v)
    }
}

impl From<EtherType> for u16 {
    #[inline]
    fn from(t: EtherType) -> u16 {
        t.0
    }
}

impl fmt::Debug for EtherType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "EtherType(0x{:04x})", self.0),
        }
    }
}

impl fmt::Display for EtherType {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:04x}", self.0),
        }
    }
}

mod field {
    use crate::wire::field::{Field, Rest};
    pub(crate) const DESTINATION: Field = 0..6;
    pub(crate) const SOURCE: Field = 6..12;
    pub(crate) const TYPE_LEN: Field = 12..14;
    pub(crate) const PAYLOAD: Rest = 14..;

    // RFC 1042 LLC + SNAP header, relative to the start of the payload.
    pub(crate) const LLC_DSAP: usize = 0;
    pub(crate) const LLC_SSAP: usize = 1;
    pub(crate) const LLC_CONTROL: usize = 2;
    pub(crate) const SNAP_OUI: Field = 3..6;
    pub(crate) const SNAP_TYPE: Field = 6..8;
}

/// The Ethernet header length: two addresses and the type/length field.
pub const HEADER_LEN: usize = 14;

/// The smallest frame, header included and FCS excluded (IEEE 802.3 §4.4.2:
/// minFrameSize is 512 bits with the 4-byte FCS). Padding up to it is the
/// caller's concern.
pub const MIN_FRAME_LEN: usize = 60;

/// The largest value of the type/length field that is a length
/// (IEEE 802.3 §3.2.6: maxUntaggedFrameSize less the header and FCS).
pub const MAX_LENGTH: u16 = 1500;

/// The smallest value of the type/length field that is an EtherType
/// (IEEE 802.3 §3.2.6).
pub const MIN_ETHERTYPE: u16 = 0x0600;

/// The length of the RFC 1042 LLC (3 bytes) + SNAP (5 bytes) header.
pub const LLC_SNAP_LEN: usize = 8;

/// The LLC SAP of SNAP, used as both DSAP and SSAP (RFC 1042: "K1 = 170").
pub const LLC_SAP_SNAP: u8 = 0xAA;

/// The LLC control field of an Unnumbered Information frame (RFC 1042:
/// "control = 3").
pub const LLC_CONTROL_UI: u8 = 0x03;

/// The largest payload an 802.3 + LLC/SNAP frame carries after the LLC/SNAP
/// header.
pub const MAX_SNAP_PAYLOAD_LEN: usize = MAX_LENGTH as usize - LLC_SNAP_LEN;

/// A view over an Ethernet frame (without preamble and FCS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wrap a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Frame<T> {
        Frame { buffer }
    }

    /// Wrap a buffer and check that every accessor is safe.
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Frame<T>> {
        let frame = Self::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// Check that the buffer holds the header and, for an IEEE 802.3 frame,
    /// the payload length the header claims.
    ///
    /// A type/length value in 1501..=1535 is neither a length nor an
    /// EtherType and gives [`Error::BadField`].
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let type_len = self.type_len();
        if type_len <= MAX_LENGTH {
            // IEEE 802.3 §3.2.6: a length; the data must be present.
            if HEADER_LEN + usize::from(type_len) > len {
                return Err(Error::Truncated);
            }
        } else if type_len < MIN_ETHERTYPE {
            // IEEE 802.3 §3.2.6: 1501..=1535 is undefined.
            return Err(Error::BadField);
        }
        Ok(())
    }

    /// Give back the buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The destination address.
    #[inline]
    pub fn dst_addr(&self) -> EthernetAddress {
        let mut a = [0u8; 6];
        a.copy_from_slice(&self.buffer.as_ref()[field::DESTINATION]);
        EthernetAddress(a)
    }
    /// The source address.
    #[inline]
    pub fn src_addr(&self) -> EthernetAddress {
        let mut a = [0u8; 6];
        a.copy_from_slice(&self.buffer.as_ref()[field::SOURCE]);
        EthernetAddress(a)
    }
    /// The raw type/length field.
    #[inline]
    pub fn type_len(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::TYPE_LEN])
    }
    /// Whether this is an IEEE 802.3 frame (the type/length field is a
    /// length, RFC 1042) rather than Ethernet II (RFC 894).
    #[inline]
    pub fn is_ieee802_3(&self) -> bool {
        self.type_len() <= MAX_LENGTH
    }
    /// The EtherType of an Ethernet II frame, `None` for an IEEE 802.3 frame
    /// (or an invalid type/length). For the EtherType carried in a SNAP
    /// header use [`Frame::network_payload`].
    #[inline]
    pub fn ethertype(&self) -> Option<EtherType> {
        let v = self.type_len();
        (v >= MIN_ETHERTYPE).then(|| EtherType::from(v))
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Frame<&'a T> {
    /// Every byte after the 14-byte header, as received (for 802.3 this
    /// includes the LLC header and any padding).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::PAYLOAD]
    }

    /// The EtherType and network-layer bytes, for both framings.
    ///
    /// * Ethernet II: the EtherType and everything after the header.
    /// * IEEE 802.3: the LLC header must be SNAP (DSAP = SSAP = 0xAA,
    ///   control = 0x03) with OUI 00-00-00 (RFC 1042); the EtherType is the
    ///   SNAP one and the bytes are those after the SNAP header up to the
    ///   length field (padding dropped).
    ///
    /// Errors: [`Error::BadField`] for a type/length in 1501..=1535 or a
    /// SNAP EtherType below 0x0600, [`Error::Truncated`] when the length is
    /// too short for the LLC/SNAP header or the buffer for the length,
    /// [`Error::Unsupported`] for any other LLC or OUI.
    pub fn network_payload(&self) -> Result<(EtherType, &'a [u8])> {
        let buf = self.buffer.as_ref();
        if buf.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let type_len = self.type_len();
        if type_len >= MIN_ETHERTYPE {
            // RFC 894: the EtherType names the payload.
            return Ok((EtherType::from(type_len), &buf[field::PAYLOAD]));
        }
        if type_len > MAX_LENGTH {
            return Err(Error::BadField);
        }
        let data = buf
            .get(HEADER_LEN..HEADER_LEN + usize::from(type_len))
            .ok_or(Error::Truncated)?;
        if data.len() < 3 {
            return Err(Error::Truncated);
        }
        // RFC 1042: "DSAP = K1, SSAP = K1, control = 3" with K1 = 170.
        if data[field::LLC_DSAP] != LLC_SAP_SNAP
            || data[field::LLC_SSAP] != LLC_SAP_SNAP
            || data[field::LLC_CONTROL] != LLC_CONTROL_UI
        {
            return Err(Error::Unsupported);
        }
        if data.len() < LLC_SNAP_LEN {
            return Err(Error::Truncated);
        }
        // RFC 1042: "the organization code is 0" (other OUIs, e.g. 802.1H
        // bridge tunnelling, are not RFC 1042 framing).
        if data[field::SNAP_OUI] != [0, 0, 0] {
            return Err(Error::Unsupported);
        }
        let ethertype = NetworkEndian::read_u16(&data[field::SNAP_TYPE]);
        // RFC 1042: the SNAP type field holds an EtherType.
        if ethertype < MIN_ETHERTYPE {
            return Err(Error::BadField);
        }
        Ok((EtherType::from(ethertype), &data[LLC_SNAP_LEN..]))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// Set the destination address.
    #[inline]
    pub fn set_dst_addr(&mut self, v: EthernetAddress) {
        self.buffer.as_mut()[field::DESTINATION].copy_from_slice(v.as_bytes())
    }
    /// Set the source address.
    #[inline]
    pub fn set_src_addr(&mut self, v: EthernetAddress) {
        self.buffer.as_mut()[field::SOURCE].copy_from_slice(v.as_bytes())
    }
    /// Set the raw type/length field.
    #[inline]
    pub fn set_type_len(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::TYPE_LEN], v)
    }
    /// Set the type/length field to an EtherType (Ethernet II).
    #[inline]
    pub fn set_ethertype(&mut self, v: EtherType) {
        self.set_type_len(u16::from(v))
    }
    /// Every byte after the 14-byte header.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::PAYLOAD]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Frame<T> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed Ethernet header. The payload stays in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Repr {
    /// Source address.
    pub src_addr: EthernetAddress,
    /// Destination address.
    pub dst_addr: EthernetAddress,
    /// The EtherType of the payload (from the header of an Ethernet II
    /// frame or the SNAP header of an 802.3 frame).
    pub ethertype: EtherType,
}

impl Repr {
    /// Parse a frame in either framing (see [`Frame::network_payload`]).
    // Inlined into the caller: returned through memory, the Result is
    // stored field by field and read back with wide loads (a
    // store-forwarding stall per packet).
    #[inline]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(frame: &Frame<&T>) -> Result<Repr> {
        frame.check_len()?;
        let type_len = frame.type_len();
        let ethertype = if type_len >= MIN_ETHERTYPE {
            // RFC 894: Ethernet II, the common case, decided here without
            // the out-of-line 802.3/SNAP walk.
            EtherType::from(type_len)
        } else {
            frame.network_payload()?.0
        };
        Ok(Repr {
            src_addr: frame.src_addr(),
            dst_addr: frame.dst_addr(),
            ethertype,
        })
    }

    /// The bytes [`Repr::emit`] writes: the Ethernet II header.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN
    }

    /// Write an Ethernet II header (RFC 894). The payload follows at
    /// [`HEADER_LEN`]; padding to [`MIN_FRAME_LEN`] is the caller's.
    ///
    /// An `ethertype` below 0x0600 would be read back as an 802.3 length;
    /// that is a caller bug.
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, frame: &mut Frame<T>) {
        // One bounds check: the fields' offsets within `h` are constant.
        let h = &mut frame.buffer.as_mut()[..HEADER_LEN];
        h[field::DESTINATION].copy_from_slice(self.dst_addr.as_bytes());
        h[field::SOURCE].copy_from_slice(self.src_addr.as_bytes());
        h[field::TYPE_LEN].copy_from_slice(&self.ethertype.0.to_be_bytes());
    }

    /// The bytes [`Repr::emit_snap`] writes: the 802.3 header and the
    /// LLC/SNAP header.
    pub const fn snap_buffer_len(&self) -> usize {
        HEADER_LEN + LLC_SNAP_LEN
    }

    /// Write an IEEE 802.3 header with an RFC 1042 LLC/SNAP header for a
    /// network payload of `payload_len` bytes, which follows at
    /// `snap_buffer_len()`.
    ///
    /// `payload_len` must be at most [`MAX_SNAP_PAYLOAD_LEN`]; larger values
    /// are written as that maximum (the frame would not be valid 802.3).
    pub fn emit_snap<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        frame: &mut Frame<T>,
        payload_len: usize,
    ) {
        frame.set_dst_addr(self.dst_addr);
        frame.set_src_addr(self.src_addr);
        let len = LLC_SNAP_LEN + payload_len.min(MAX_SNAP_PAYLOAD_LEN);
        // `len` is at most 1500, which fits in a u16.
        frame.set_type_len(u16::try_from(len).unwrap_or(MAX_LENGTH));
        let p = frame.payload_mut();
        p[field::LLC_DSAP] = LLC_SAP_SNAP;
        p[field::LLC_SSAP] = LLC_SAP_SNAP;
        p[field::LLC_CONTROL] = LLC_CONTROL_UI;
        p[field::SNAP_OUI].fill(0);
        NetworkEndian::write_u16(&mut p[field::SNAP_TYPE], u16::from(self.ethertype));
    }
}

#[cfg(test)]
// Tests link std; `alloc` is not always enabled, so std's re-exports it is.
#[allow(clippy::std_instead_of_alloc)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    const DST: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x02]);
    const SRC: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);

    // Built by hand from RFC 894: dst 02:00:00:00:00:02, src
    // 02:00:00:00:00:01, EtherType 0x0800, then four payload bytes.
    static ETHERNET_II: [u8; 18] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0xde,
        0xad, 0xbe, 0xef,
    ];

    // Built by hand from RFC 1042: the same addresses, length 12 (8 bytes
    // LLC/SNAP + 4 data), DSAP 0xAA, SSAP 0xAA, control 3, OUI 00-00-00,
    // EtherType 0x0806, four data bytes, then two bytes of padding.
    static SNAP: [u8; 28] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0c, 0xaa,
        0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x06, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00,
    ];

    #[test]
    fn ethertype_values() {
        for v in [0u16, 0x0800, 0x0806, 0x86dd, 0x8100, 0x88cc, 0xffff] {
            assert_eq!(u16::from(EtherType::from(v)), v);
        }
        assert_eq!(EtherType::from(0x86dd), EtherType::Ipv6);
        assert_eq!(EtherType::from(0x8100), EtherType::Vlan);
        assert_eq!(format!("{}", EtherType::Ipv4), "IPv4");
        assert_eq!(format!("{}", EtherType::Arp), "ARP");
        assert_eq!(format!("{}", EtherType::Ipv6), "IPv6");
        assert_eq!(format!("{}", EtherType::Vlan), "VLAN");
        assert_eq!(format!("{}", EtherType(0x88cc)), "0x88cc");
    }

    #[test]
    fn parse_ethernet_ii() {
        let f = Frame::new_checked(&ETHERNET_II[..]).unwrap();
        assert_eq!(f.dst_addr(), DST);
        assert_eq!(f.src_addr(), SRC);
        assert_eq!(f.type_len(), 0x0800);
        assert!(!f.is_ieee802_3());
        assert_eq!(f.ethertype(), Some(EtherType::Ipv4));
        assert_eq!(f.payload(), &[0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(
            f.network_payload(),
            Ok((EtherType::Ipv4, &[0xde, 0xad, 0xbe, 0xef][..]))
        );
        assert_eq!(
            Repr::parse(&f),
            Ok(Repr {
                src_addr: SRC,
                dst_addr: DST,
                ethertype: EtherType::Ipv4
            })
        );
    }

    #[test]
    fn parse_snap() {
        let f = Frame::new_checked(&SNAP[..]).unwrap();
        assert!(f.is_ieee802_3());
        assert_eq!(f.type_len(), 12);
        assert_eq!(f.ethertype(), None);
        assert_eq!(f.payload().len(), 14);
        // Padding after the 802.3 length is dropped.
        assert_eq!(
            f.network_payload(),
            Ok((EtherType::Arp, &[0xde, 0xad, 0xbe, 0xef][..]))
        );
        assert_eq!(
            Repr::parse(&f),
            Ok(Repr {
                src_addr: SRC,
                dst_addr: DST,
                ethertype: EtherType::Arp
            })
        );
    }

    #[test]
    fn emit_vectors() {
        let r = Repr {
            src_addr: SRC,
            dst_addr: DST,
            ethertype: EtherType::Ipv4,
        };
        let mut buf = vec![0xa5u8; r.buffer_len() + 4];
        let mut f = Frame::new_unchecked(&mut buf[..]);
        r.emit(&mut f);
        f.payload_mut().copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(&buf[..], &ETHERNET_II[..]);

        let r = Repr {
            ethertype: EtherType::Arp,
            ..r
        };
        let mut buf = vec![0u8; r.snap_buffer_len() + 6];
        let mut f = Frame::new_unchecked(&mut buf[..]);
        r.emit_snap(&mut f, 4);
        buf[22..26].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(&buf[..], &SNAP[..]);
    }

    #[test]
    fn truncated_at_every_length() {
        for n in 0..HEADER_LEN {
            assert_eq!(
                Frame::new_checked(&ETHERNET_II[..n]).err(),
                Some(Error::Truncated),
                "{n}"
            );
        }
        for n in HEADER_LEN..=ETHERNET_II.len() {
            assert!(Frame::new_checked(&ETHERNET_II[..n]).is_ok());
        }
        // 802.3: the buffer must hold the length (26 bytes).
        for n in 0..26 {
            assert_eq!(
                Frame::new_checked(&SNAP[..n]).err(),
                Some(Error::Truncated),
                "{n}"
            );
            assert_eq!(
                Frame::new_unchecked(&SNAP[..n]).network_payload().err(),
                Some(Error::Truncated)
            );
        }
        for n in 26..=SNAP.len() {
            assert!(Repr::parse(&Frame::new_checked(&SNAP[..n]).unwrap()).is_ok());
        }
    }

    #[test]
    fn malformed() {
        // Type/length 1501..=1535 is neither.
        for v in [1501u16, 1535] {
            let mut b = ETHERNET_II;
            b[12..14].copy_from_slice(&v.to_be_bytes());
            assert_eq!(Frame::new_checked(&b[..]).err(), Some(Error::BadField));
            assert_eq!(
                Frame::new_unchecked(&b[..]).network_payload().err(),
                Some(Error::BadField)
            );
        }
        // Lengths too short for the LLC or SNAP headers.
        for len in 0u16..8 {
            let mut b = SNAP;
            b[12..14].copy_from_slice(&len.to_be_bytes());
            let f = Frame::new_checked(&b[..]).unwrap();
            assert_eq!(f.network_payload().err(), Some(Error::Truncated), "{len}");
            assert_eq!(Repr::parse(&f).err(), Some(Error::Truncated));
        }
        // A non-SNAP LLC header (e.g. STP: DSAP 0x42, SSAP 0x42).
        for i in 14..17 {
            let mut b = SNAP;
            b[i] = 0x42;
            let f = Frame::new_checked(&b[..]).unwrap();
            assert_eq!(f.network_payload().err(), Some(Error::Unsupported));
        }
        // A SNAP header with another OUI.
        for i in 17..20 {
            let mut b = SNAP;
            b[i] = 0xf8;
            let f = Frame::new_checked(&b[..]).unwrap();
            assert_eq!(Repr::parse(&f).err(), Some(Error::Unsupported));
        }
        // A SNAP EtherType that is not an EtherType.
        let mut b = SNAP;
        b[20..22].copy_from_slice(&1500u16.to_be_bytes());
        let f = Frame::new_checked(&b[..]).unwrap();
        assert_eq!(Repr::parse(&f).err(), Some(Error::BadField));
    }

    #[test]
    fn snap_length_is_clamped() {
        let r = Repr {
            src_addr: SRC,
            dst_addr: DST,
            ethertype: EtherType::Ipv6,
        };
        let mut buf = vec![0u8; r.snap_buffer_len() + MAX_SNAP_PAYLOAD_LEN];
        r.emit_snap(&mut Frame::new_unchecked(&mut buf[..]), 5000);
        let f = Frame::new_checked(&buf[..]).unwrap();
        assert_eq!(f.type_len(), MAX_LENGTH);
        assert_eq!(f.network_payload().unwrap().1.len(), MAX_SNAP_PAYLOAD_LEN);
    }

    fn ethertypes() -> impl Strategy<Value = EtherType> {
        (MIN_ETHERTYPE..=u16::MAX).prop_map(EtherType::from)
    }

    proptest! {
        #[test]
        fn round_trip(src in any::<[u8; 6]>(), dst in any::<[u8; 6]>(), ty in ethertypes(),
                      payload in proptest::collection::vec(any::<u8>(), 0..200), snap in any::<bool>()) {
            let r = Repr { src_addr: EthernetAddress(src), dst_addr: EthernetAddress(dst), ethertype: ty };
            let hl = if snap { r.snap_buffer_len() } else { r.buffer_len() };
            let mut buf = vec![0u8; hl + payload.len()];
            let mut f = Frame::new_unchecked(&mut buf[..]);
            if snap { r.emit_snap(&mut f, payload.len()) } else { r.emit(&mut f) }
            buf[hl..].copy_from_slice(&payload);
            let f = Frame::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Repr::parse(&f).unwrap(), r);
            prop_assert_eq!(f.network_payload().unwrap(), (ty, &payload[..]));
        }

        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Frame::new_unchecked(&data[..]).network_payload();
            if let Ok(f) = Frame::new_checked(&data[..]) {
                let _ = (f.dst_addr(), f.src_addr(), f.type_len(), f.ethertype(), f.is_ieee802_3(), f.payload());
                let _ = f.network_payload();
                let _ = Repr::parse(&f);
            }
            let v: Vec<u8> = data;
            let _ = Frame::new_checked(&v[..]);
        }

        #[test]
        fn snap_never_panics(len in 0u16..1600, body in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut b = SNAP[..14].to_vec();
            b[12..14].copy_from_slice(&len.to_be_bytes());
            b.extend_from_slice(&[0xaa, 0xaa, 0x03]);
            b.extend_from_slice(&body);
            let _ = Frame::new_unchecked(&b[..]).network_payload();
            if let Ok(f) = Frame::new_checked(&b[..]) {
                let _ = Repr::parse(&f);
            }
        }
    }
}
