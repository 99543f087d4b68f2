//! The IPv6 fixed header (RFC 8200 §3), with the Traffic Class split into
//! DSCP and ECN (RFC 2474, RFC 3168 §5) and the flow label of RFC 6437.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version| Traffic Class |           Flow Label                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Payload Length        |  Next Header  |   Hop Limit   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                                                               +
//! |                         Source Address                        |
//! +                                                               +
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                                                               +
//! |                      Destination Address                      |
//! +                                                               +
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The Traffic Class byte is `DSCP (6 bits) | ECN (2 bits)`.
//!
//! The payload (extension headers and upper-layer data) is walked with
//! [`crate::wire::ipv6ext::chain::HeaderChain`].
//!
//! # Jumbograms
//!
//! Jumbograms (RFC 2675: Payload Length 0 and a Jumbo Payload option in the
//! Hop-by-Hop header) are **not supported**: such a packet parses with a
//! payload length of 0 and an empty [`Packet::payload`]. The Jumbo option
//! itself is recognised by [`crate::wire::ipv6ext::options`] so that the
//! interface can drop the packet knowingly.

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv6Addr;

use super::ip::{IpEcn, IpProtocol};
use super::{Error, Result};

mod field {
    use crate::wire::field::{Field, Rest};
    // Version (4 bits), Traffic Class (8 bits), Flow Label (20 bits).
    pub(crate) const VER_TC_FLOW: Field = 0..4;
    pub(crate) const PAYLOAD_LEN: Field = 4..6;
    pub(crate) const NXT_HDR: usize = 6;
    pub(crate) const HOP_LIMIT: usize = 7;
    pub(crate) const SRC_ADDR: Field = 8..24;
    pub(crate) const DST_ADDR: Field = 24..40;
    pub(crate) const PAYLOAD: Rest = 40..;
}

/// The IPv6 fixed header length (RFC 8200 §3).
pub const HEADER_LEN: usize = 40;

/// The version number of IPv6 (RFC 8200 §3).
pub const VERSION: u8 = 6;

/// The minimum link MTU IPv6 requires (RFC 8200 §5).
pub const MIN_MTU: usize = 1280;

/// The largest Flow Label value (20 bits, RFC 8200 §6).
pub const FLOW_LABEL_MAX: u32 = 0x000f_ffff;

/// A view over an IPv6 packet.
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
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Check that the buffer holds the fixed header, that the version is
    /// 6, and that it holds the `payload_len` bytes the header claims.
    ///
    /// Bytes past `40 + payload_len` (link-layer padding) are allowed and
    /// ignored.
    #[inline]
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        // RFC 8200 §3: Version = 6.
        if self.version() != VERSION {
            return Err(Error::BadVersion);
        }
        if HEADER_LEN + usize::from(self.payload_len()) > len {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Give back the buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    #[inline]
    fn ver_tc_flow(&self) -> u32 {
        NetworkEndian::read_u32(&self.buffer.as_ref()[field::VER_TC_FLOW])
    }

    /// The version field (6 in a checked packet).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[0] >> 4
    }
    /// The whole Traffic Class byte (DSCP and ECN).
    #[inline]
    pub fn traffic_class(&self) -> u8 {
        // Bits 4..12 of the first word; the shift leaves 12 bits, the
        // cast keeps the low 8.
        (self.ver_tc_flow() >> 20) as u8
    }
    /// The Differentiated Services codepoint (RFC 2474 §3), 6 bits.
    #[inline]
    pub fn dscp(&self) -> u8 {
        self.traffic_class() >> 2
    }
    /// The ECN codepoint (RFC 3168 §5).
    #[inline]
    pub fn ecn(&self) -> IpEcn {
        IpEcn::from_bits(self.traffic_class())
    }
    /// The Flow Label (RFC 6437), 20 bits.
    #[inline]
    pub fn flow_label(&self) -> u32 {
        self.ver_tc_flow() & FLOW_LABEL_MAX
    }
    /// The Payload Length: the bytes after the fixed header, extension
    /// headers included. Zero in a jumbogram (unsupported, RFC 2675).
    #[inline]
    pub fn payload_len(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::PAYLOAD_LEN])
    }
    /// The Next Header field: the first extension header or the
    /// upper-layer protocol.
    #[inline]
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol::from(self.buffer.as_ref()[field::NXT_HDR])
    }
    /// The Hop Limit.
    #[inline]
    pub fn hop_limit(&self) -> u8 {
        self.buffer.as_ref()[field::HOP_LIMIT]
    }
    /// The source address.
    #[inline]
    pub fn src_addr(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.buffer.as_ref()[field::SRC_ADDR]);
        Ipv6Addr::from(a)
    }
    /// The destination address.
    #[inline]
    pub fn dst_addr(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.buffer.as_ref()[field::DST_ADDR]);
        Ipv6Addr::from(a)
    }
    /// The packet length the header claims: `40 + payload_len`.
    #[inline]
    pub fn total_len(&self) -> usize {
        HEADER_LEN + usize::from(self.payload_len())
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The payload, up to the Payload Length (padding excluded).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let end = self.total_len();
        &self.buffer.as_ref()[field::PAYLOAD][..end - HEADER_LEN]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    #[inline]
    fn set_ver_tc_flow(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::VER_TC_FLOW], v)
    }

    /// Set the version field (low 4 bits of `v`).
    #[inline]
    pub fn set_version(&mut self, v: u8) {
        let b = &mut self.buffer.as_mut()[0];
        *b = (*b & 0x0f) | (v << 4);
    }
    /// Set the whole Traffic Class byte.
    #[inline]
    pub fn set_traffic_class(&mut self, v: u8) {
        let w = (self.ver_tc_flow() & 0xf00f_ffff) | (u32::from(v) << 20);
        self.set_ver_tc_flow(w)
    }
    /// Set the DSCP (low 6 bits of `v`), keeping the ECN bits.
    #[inline]
    pub fn set_dscp(&mut self, v: u8) {
        let tc = (self.traffic_class() & 0b11) | (v << 2);
        self.set_traffic_class(tc)
    }
    /// Set the ECN codepoint, keeping the DSCP.
    #[inline]
    pub fn set_ecn(&mut self, v: IpEcn) {
        let tc = (self.traffic_class() & !0b11) | v.bits();
        self.set_traffic_class(tc)
    }
    /// Set the Flow Label (low 20 bits of `v`).
    #[inline]
    pub fn set_flow_label(&mut self, v: u32) {
        let w = (self.ver_tc_flow() & !FLOW_LABEL_MAX) | (v & FLOW_LABEL_MAX);
        self.set_ver_tc_flow(w)
    }
    /// Set the Payload Length.
    #[inline]
    pub fn set_payload_len(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::PAYLOAD_LEN], v)
    }
    /// Set the Next Header field.
    #[inline]
    pub fn set_next_header(&mut self, v: IpProtocol) {
        self.buffer.as_mut()[field::NXT_HDR] = u8::from(v)
    }
    /// Set the Hop Limit.
    #[inline]
    pub fn set_hop_limit(&mut self, v: u8) {
        self.buffer.as_mut()[field::HOP_LIMIT] = v
    }
    /// Set the source address.
    #[inline]
    pub fn set_src_addr(&mut self, v: Ipv6Addr) {
        self.buffer.as_mut()[field::SRC_ADDR].copy_from_slice(&v.octets())
    }
    /// Set the destination address.
    #[inline]
    pub fn set_dst_addr(&mut self, v: Ipv6Addr) {
        self.buffer.as_mut()[field::DST_ADDR].copy_from_slice(&v.octets())
    }
    /// The payload bytes, up to the Payload Length.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = self.total_len();
        &mut self.buffer.as_mut()[HEADER_LEN..end]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed IPv6 fixed header. The payload stays in the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Repr {
    /// Source address.
    pub src_addr: Ipv6Addr,
    /// Destination address.
    pub dst_addr: Ipv6Addr,
    /// The first extension header or the upper-layer protocol.
    pub next_header: IpProtocol,
    /// The bytes after the fixed header (RFC 8200 §3 Payload Length).
    pub payload_len: u16,
    /// Hop Limit.
    pub hop_limit: u8,
    /// Differentiated Services codepoint (6 bits, RFC 2474 §3).
    pub dscp: u8,
    /// ECN codepoint (RFC 3168 §5).
    pub ecn: IpEcn,
    /// Flow Label (20 bits, RFC 6437).
    pub flow_label: u32,
}

impl Repr {
    /// Parse and validate the fixed header.
    ///
    /// Rejects a multicast source address (RFC 4291 §2.7). A jumbogram
    /// parses with `payload_len == 0` (jumbograms are not supported).
    // Inlined into the caller: returned through memory, the Result is
    // stored field by field and read back with wide loads (a
    // store-forwarding stall per packet).
    #[inline]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&T>) -> Result<Repr> {
        packet.check_len()?;
        // The source as one 128-bit value, tested as such: testing its
        // first octet made the address copy a 1 + 8 + 8-byte patchwork,
        // and the 8-byte loads that sum it into a pseudo-header then
        // stalled on store forwarding.
        let src_bits = packet.src_addr().to_bits();
        // RFC 4291 §2.7: multicast addresses (ff00::/8) must not be used
        // as source addresses in IPv6 packets.
        if src_bits >> 120 == 0xff {
            return Err(Error::BadField);
        }
        Ok(Repr {
            src_addr: Ipv6Addr::from_bits(src_bits),
            dst_addr: packet.dst_addr(),
            next_header: packet.next_header(),
            payload_len: packet.payload_len(),
            hop_limit: packet.hop_limit(),
            dscp: packet.dscp(),
            ecn: packet.ecn(),
            flow_label: packet.flow_label(),
        })
    }

    /// The fixed header length.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// The bytes of the whole packet: header plus `payload_len`.
    ///
    /// `emit` only writes the header, but a buffer of this size is what
    /// `Packet::new_checked` accepts afterwards.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload_len as usize
    }

    /// Write the fixed header. The payload bytes are left to the caller
    /// (`Packet::payload_mut`).
    ///
    /// `packet` must hold at least `header_len()` bytes. The DSCP is
    /// truncated to 6 bits and the Flow Label to 20 bits.
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        let tc = ((self.dscp & 0x3f) << 2) | self.ecn.bits();
        let w =
            (u32::from(VERSION) << 28) | (u32::from(tc) << 20) | (self.flow_label & FLOW_LABEL_MAX);
        // One bounds check: the fields' offsets within `h` are constant.
        let h = &mut packet.buffer.as_mut()[..HEADER_LEN];
        h[field::VER_TC_FLOW].copy_from_slice(&w.to_be_bytes());
        h[field::PAYLOAD_LEN].copy_from_slice(&self.payload_len.to_be_bytes());
        h[field::NXT_HDR] = self.next_header.0;
        h[field::HOP_LIMIT] = self.hop_limit;
        h[field::SRC_ADDR].copy_from_slice(&self.src_addr.octets());
        h[field::DST_ADDR].copy_from_slice(&self.dst_addr.octets());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;

    // Built by hand from RFC 8200 §3: version 6, traffic class 0xb9
    // (DSCP 46 = EF, ECN 01 = ECT(1)), flow label 0x12345, payload length
    // 8, next header UDP (17), hop limit 64, source fe80::1, destination
    // ff02::1, then 8 payload bytes (a UDP header, checksum not relevant).
    static PACKET: [u8; 48] = [
        0x6b, 0x91, 0x23, 0x45, // version, tc, flow label
        0x00, 0x08, 0x11, 0x40, // payload length, next header, hop limit
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // src
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // dst
        0x12, 0x34, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, // payload
    ];

    fn repr() -> Repr {
        Repr {
            src_addr: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
            dst_addr: Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1),
            next_header: IpProtocol::Udp,
            payload_len: 8,
            hop_limit: 64,
            dscp: 46,
            ecn: IpEcn::Ect1,
            flow_label: 0x12345,
        }
    }

    #[test]
    fn parse_vector() {
        let p = Packet::new_checked(&PACKET[..]).unwrap();
        assert_eq!(p.version(), 6);
        assert_eq!(p.traffic_class(), 0xb9);
        assert_eq!(p.dscp(), 46);
        assert_eq!(p.ecn(), IpEcn::Ect1);
        assert_eq!(p.flow_label(), 0x12345);
        assert_eq!(p.payload_len(), 8);
        assert_eq!(p.next_header(), IpProtocol::Udp);
        assert_eq!(p.hop_limit(), 64);
        assert_eq!(p.total_len(), 48);
        assert_eq!(p.payload(), &PACKET[40..]);
        assert_eq!(Repr::parse(&p).unwrap(), repr());
    }

    #[test]
    fn emit_vector() {
        let r = repr();
        assert_eq!(r.header_len(), 40);
        assert_eq!(r.buffer_len(), 48);
        let mut buf = vec![0xa5; r.buffer_len()];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        r.emit(&mut p);
        p.payload_mut().copy_from_slice(&PACKET[40..]);
        assert_eq!(&buf[..], &PACKET[..]);
    }

    #[test]
    fn setters_keep_neighbours() {
        let mut b = PACKET;
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_ecn(IpEcn::Ce);
        assert_eq!(
            (p.dscp(), p.ecn(), p.flow_label()),
            (46, IpEcn::Ce, 0x12345)
        );
        p.set_dscp(10);
        assert_eq!(
            (p.dscp(), p.ecn(), p.flow_label()),
            (10, IpEcn::Ce, 0x12345)
        );
        p.set_flow_label(0xfffff);
        assert_eq!(
            (p.version(), p.traffic_class(), p.flow_label()),
            (6, 0x2b, 0xfffff)
        );
        p.set_version(4);
        assert_eq!((p.version(), p.traffic_class()), (4, 0x2b));
    }

    #[test]
    fn truncated_at_every_length() {
        for n in 0..PACKET.len() {
            assert_eq!(
                Packet::new_checked(&PACKET[..n]).err(),
                Some(Error::Truncated),
                "{n}"
            );
        }
    }

    #[test]
    fn malformed() {
        // Version 4.
        let mut b = PACKET;
        b[0] = 0x4b;
        assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::BadVersion));
        // Version checked before the payload length.
        assert_eq!(Packet::new_checked(&b[..40]).err(), Some(Error::BadVersion));
        // Payload length beyond the buffer.
        let mut b = PACKET;
        b[5] = 9;
        assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::Truncated));
        // Multicast source.
        let mut b = PACKET;
        b[8] = 0xff;
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(Repr::parse(&p), Err(Error::BadField));
    }

    #[test]
    fn padding_is_ignored() {
        let mut b = PACKET.to_vec();
        b.extend_from_slice(&[0xee; 10]);
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.payload(), &PACKET[40..]);
    }

    #[test]
    fn jumbogram_parses_with_empty_payload() {
        // RFC 2675: Payload Length 0, Hop-by-Hop header carrying a Jumbo
        // Payload option (type 0xc2, length 4, value 70000).
        let mut b = PACKET[..40].to_vec();
        b[4] = 0;
        b[5] = 0;
        b[6] = 0; // Hop-by-Hop
        b.extend_from_slice(&[17, 0, 0xc2, 4, 0, 1, 0x11, 0x70]);
        let p = Packet::new_checked(&b[..]).unwrap();
        let r = Repr::parse(&p).unwrap();
        assert_eq!(r.payload_len, 0);
        assert_eq!(p.payload(), &[] as &[u8]);
    }

    proptest! {
        #[test]
        fn round_trip(
            src in any::<[u8; 16]>().prop_filter("unicast", |a| a[0] != 0xff),
            dst in any::<[u8; 16]>(),
            nh in any::<u8>(),
            payload_len in 0u16..2000,
            hop_limit in any::<u8>(),
            dscp in 0u8..64,
            ecn in 0u8..4,
            flow_label in 0u32..=FLOW_LABEL_MAX,
        ) {
            let r = Repr {
                src_addr: Ipv6Addr::from(src),
                dst_addr: Ipv6Addr::from(dst),
                next_header: IpProtocol::from(nh),
                payload_len,
                hop_limit,
                dscp,
                ecn: IpEcn::from_bits(ecn),
                flow_label,
            };
            let mut buf = vec![0u8; r.buffer_len()];
            r.emit(&mut Packet::new_unchecked(&mut buf[..]));
            let p = Packet::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Repr::parse(&p).unwrap(), r);
            prop_assert_eq!(p.payload().len(), usize::from(payload_len));
        }

        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..96), v6 in any::<bool>()) {
            let mut data = data;
            if v6 && !data.is_empty() {
                data[0] = (data[0] & 0x0f) | 0x60;
            }
            if let Ok(p) = Packet::new_checked(&data[..]) {
                let _ = (p.version(), p.traffic_class(), p.dscp(), p.ecn(), p.flow_label());
                let _ = (p.payload_len(), p.next_header(), p.hop_limit(), p.src_addr(), p.dst_addr());
                let _ = p.payload();
                let _ = Repr::parse(&p);
            }
        }
    }
}
