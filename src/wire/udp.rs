//! UDP (RFC 768), with the IPv6 rules of RFC 8200 §8.1 and the
//! zero-checksum exception of RFC 6935.
//!
//! ```text
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |   Source Port   | Destination Port|
//! +--------+--------+--------+--------+
//! |     Length      |    Checksum     |
//! +--------+--------+--------+--------+
//! ```

use byteorder::{ByteOrder, NetworkEndian};
use core::net::IpAddr;

use super::checksum::{self, Checksum};
use super::ip::IpProtocol;
use super::{Error, Result};

mod field {
    use crate::wire::field::Field;
    pub(crate) const SRC_PORT: Field = 0..2;
    pub(crate) const DST_PORT: Field = 2..4;
    pub(crate) const LENGTH: Field = 4..6;
    pub(crate) const CHECKSUM: Field = 6..8;
}

/// The UDP header length.
pub const HEADER_LEN: usize = 8;

/// A view over a UDP datagram.
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

    /// Check that the buffer holds the header and the `length` the header
    /// claims, and that `length` is at least the header length.
    ///
    /// Bytes past `length` (Ethernet padding) are allowed and ignored.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let field_len = usize::from(self.len());
        // RFC 768: length counts the header and the data, so at least 8.
        if field_len < HEADER_LEN {
            return Err(Error::BadLength);
        }
        if field_len > len {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Give back the buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The source port.
    #[inline]
    pub fn src_port(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::SRC_PORT])
    }
    /// The destination port.
    #[inline]
    pub fn dst_port(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::DST_PORT])
    }
    /// The length field (header + data).
    #[inline]
    pub fn len(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::LENGTH])
    }
    /// Whether the length field says there is no data.
    #[inline]
    pub fn is_empty(&self) -> bool {
        usize::from(self.len()) <= HEADER_LEN
    }
    /// The checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::CHECKSUM])
    }

    /// Whether the checksum is valid for the given pseudo-header addresses.
    ///
    /// A zero checksum means "not computed": accepted over IPv4 (RFC 768),
    /// rejected over IPv6 (RFC 8200 §8.1) unless `allow_zero_v6` is set
    /// (RFC 6935 tunnels).
    #[inline]
    pub fn verify_checksum(&self, src: &IpAddr, dst: &IpAddr, allow_zero_v6: bool) -> bool {
        if self.checksum() == 0 {
            return match src {
                IpAddr::V4(_) => true,
                IpAddr::V6(_) => allow_zero_v6,
            };
        }
        let data = &self.buffer.as_ref()[..usize::from(self.len())];
        checksum::pseudo_header_and_data(src, dst, IpProtocol::Udp, u32::from(self.len()), data)
            == 0xffff
    }
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// The checksum sum over the pseudo-header and this header (RFC 768,
    /// RFC 8200 §8.1), native order and unfolded: the start of a
    /// verification finished by [`payload_sum_verifies`] or by the sum
    /// `checksum::copy_and_sum_native` takes while it copies the payload
    /// (one pass over the data instead of a sum and then a copy).
    ///
    /// Only for a packet that passed `check_len` and whose checksum field
    /// is not zero (a zero field is not a checksum: see
    /// [`Packet::verify_checksum`]).
    #[cfg(feature = "socket-udp")]
    #[inline]
    pub(crate) fn header_checksum_init(&self, src: &IpAddr, dst: &IpAddr) -> u64 {
        let header = self.buffer.as_ref().get(..HEADER_LEN).unwrap_or(&[]);
        checksum::pseudo_header_and_words(src, dst, IpProtocol::Udp, u32::from(self.len()), header)
    }
}

/// Whether `payload` completes a valid checksum started by
/// [`Packet::header_checksum_init`] (`init`): the verification without a
/// copy, for a datagram that is not copied in the same pass.
#[cfg(feature = "socket-udp")]
#[inline]
pub(crate) fn payload_sum_verifies(init: u64, payload: &[u8]) -> bool {
    // `data` is the folded sum in network order; `to_be` gives it back in
    // native order (RFC 1071 §2(B): the sum is byte-order independent).
    checksum::sum_verifies(u128::from(init) + u128::from(checksum::data(payload).to_be()))
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The data, up to the length field (padding excluded).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let len = usize::from(self.len());
        &self.buffer.as_ref()[HEADER_LEN..len]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Set the source port.
    #[inline]
    pub fn set_src_port(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::SRC_PORT], v)
    }
    /// Set the destination port.
    #[inline]
    pub fn set_dst_port(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::DST_PORT], v)
    }
    /// Set the length field.
    #[inline]
    pub fn set_len(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::LENGTH], v)
    }
    /// Set the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::CHECKSUM], v)
    }
    /// The data bytes, up to the length field.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let len = usize::from(self.len());
        &mut self.buffer.as_mut()[HEADER_LEN..len]
    }

    /// Compute and store the checksum. A computed value of zero is sent as
    /// `0xffff` (RFC 768: zero means "no checksum").
    #[inline]
    pub fn fill_checksum(&mut self, src: &IpAddr, dst: &IpAddr) {
        self.set_checksum(0);
        let len = self.len();
        let sum = checksum::pseudo_header_and_data(
            src,
            dst,
            IpProtocol::Udp,
            u32::from(len),
            &self.buffer.as_ref()[..usize::from(len)],
        );
        let c = checksum::finish(sum);
        self.set_checksum(if c == 0 { 0xffff } else { c });
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed UDP header. The payload stays in the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Repr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
}

impl Repr {
    /// Parse and validate a datagram received from `src` to `dst`.
    ///
    /// Port 0 as destination is rejected (RFC 768 reserves it); a source
    /// port of 0 means "no reply expected" and is accepted.
    // Inlined into the caller: returned through memory, the Result is
    // stored field by field and read back with wide loads (a
    // store-forwarding stall per packet).
    #[inline(always)]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&T>,
        src: &IpAddr,
        dst: &IpAddr,
        checksum: Checksum,
        allow_zero_v6: bool,
    ) -> Result<Repr> {
        packet.check_len()?;
        if packet.dst_port() == 0 {
            return Err(Error::BadField);
        }
        if checksum.rx() && !packet.verify_checksum(src, dst, allow_zero_v6) {
            return Err(Error::BadChecksum);
        }
        Ok(Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
        })
    }

    /// The header length.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// The bytes `emit` writes for a payload of `payload_len` bytes.
    pub const fn buffer_len(&self, payload_len: usize) -> usize {
        HEADER_LEN + payload_len
    }

    /// Write the header for a payload of `payload_len` bytes and let
    /// `emit_payload` fill the payload in place, then the checksum.
    ///
    /// `packet` must hold at least `buffer_len(payload_len)` bytes and
    /// `payload_len` must be at most `65535 - 8`.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
        src: &IpAddr,
        dst: &IpAddr,
        payload_len: usize,
        emit_payload: impl FnOnce(&mut [u8]),
        checksum: Checksum,
    ) {
        let len = u16::try_from(HEADER_LEN + payload_len).unwrap_or(u16::MAX);
        // The header goes in with one 8-byte store, checksum zero (what a
        // device that fills it expects to find), and is summed from
        // registers: re-reading bytes just stored field by field stalls
        // store forwarding.
        let mut h = [0u8; HEADER_LEN];
        h[field::SRC_PORT].copy_from_slice(&self.src_port.to_be_bytes());
        h[field::DST_PORT].copy_from_slice(&self.dst_port.to_be_bytes());
        h[field::LENGTH].copy_from_slice(&len.to_be_bytes());
        let buf = packet.buffer.as_mut();
        buf[..HEADER_LEN].copy_from_slice(&h);
        let payload = &mut buf[HEADER_LEN..usize::from(len)];
        emit_payload(payload);
        if checksum.tx() {
            let sum = checksum::pseudo_header_extra_and_data(
                src,
                dst,
                IpProtocol::Udp,
                u32::from(len),
                checksum::native_sum(&h),
                payload,
            );
            let c = checksum::finish(sum);
            // RFC 768: a computed zero is sent as all ones.
            let c = if c == 0 { 0xffff } else { c };
            NetworkEndian::write_u16(&mut buf[field::CHECKSUM], c);
        }
    }

    /// [`Repr::emit`] with the payload copied from `payload` and summed
    /// from `payload` (see `checksum::copy_and_sum_native`), not from a
    /// read-back of the copy.
    ///
    /// `packet` must hold at least `buffer_len(payload.len())` bytes.
    pub fn emit_slice<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
        src: &IpAddr,
        dst: &IpAddr,
        payload: &[u8],
        checksum: Checksum,
    ) {
        if !checksum.tx() {
            return self.emit(
                packet,
                src,
                dst,
                payload.len(),
                |b| b.copy_from_slice(payload),
                checksum,
            );
        }
        let len = u16::try_from(HEADER_LEN + payload.len()).unwrap_or(u16::MAX);
        let mut h = [0u8; HEADER_LEN];
        h[field::SRC_PORT].copy_from_slice(&self.src_port.to_be_bytes());
        h[field::DST_PORT].copy_from_slice(&self.dst_port.to_be_bytes());
        h[field::LENGTH].copy_from_slice(&len.to_be_bytes());
        let buf = packet.buffer.as_mut();
        buf[..HEADER_LEN].copy_from_slice(&h);
        let sum = checksum::pseudo_header_extra_copy_and_data(
            src,
            dst,
            IpProtocol::Udp,
            u32::from(len),
            checksum::native_sum(&h),
            &mut buf[HEADER_LEN..usize::from(len)],
            payload,
            &[],
        );
        let c = checksum::finish(sum);
        // RFC 768: a computed zero is sent as all ones.
        let c = if c == 0 { 0xffff } else { c };
        NetworkEndian::write_u16(&mut buf[field::CHECKSUM], c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{Ipv4Addr, Ipv6Addr};
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    const SRC: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 1));
    const DST: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 2));

    // Built by hand from RFC 768: ports 0xbfee -> 53, length 12, the
    // checksum over the pseudo-header above, payload "ABCD".
    static DATAGRAM: [u8; 12] = [
        0xbf, 0xee, 0x00, 0x35, 0x00, 0x0c, 0x37, 0xd8, 0x41, 0x42, 0x43, 0x44,
    ];

    #[test]
    fn parse_vector() {
        let p = Packet::new_checked(&DATAGRAM[..]).unwrap();
        assert_eq!(p.src_port(), 0xbfee);
        assert_eq!(p.dst_port(), 53);
        assert_eq!(p.len(), 12);
        assert_eq!(p.payload(), b"ABCD");
        assert!(p.verify_checksum(&SRC, &DST, false));
        let r = Repr::parse(&p, &SRC, &DST, Checksum::Both, false).unwrap();
        assert_eq!(
            r,
            Repr {
                src_port: 0xbfee,
                dst_port: 53
            }
        );
    }

    #[test]
    fn emit_vector() {
        let r = Repr {
            src_port: 0xbfee,
            dst_port: 53,
        };
        let mut buf = vec![0xa5; r.buffer_len(4)];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        r.emit(
            &mut p,
            &SRC,
            &DST,
            4,
            |b| b.copy_from_slice(b"ABCD"),
            Checksum::Both,
        );
        assert_eq!(&buf[..], &DATAGRAM[..]);
    }

    #[test]
    fn emit_slice_equals_emit() {
        // Every payload length up to two 32-byte blocks and a tail, odd
        // lengths included: the fused copy-and-sum gives the same bytes
        // and checksum as the copy-then-sum path, for both families.
        let r = Repr {
            src_port: 0xbfee,
            dst_port: 53,
        };
        let v6s = IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1));
        let v6d = IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2));
        for (s, d) in [(SRC, DST), (v6s, v6d)] {
            for n in 0..100usize {
                let data: Vec<u8> = (0..n).map(|i| (i * 37 + n) as u8).collect();
                let mut a = vec![0x5a; r.buffer_len(n)];
                let mut b = vec![0xa5; r.buffer_len(n)];
                r.emit(
                    &mut Packet::new_unchecked(&mut a[..]),
                    &s,
                    &d,
                    n,
                    |p| p.copy_from_slice(&data),
                    Checksum::Both,
                );
                r.emit_slice(
                    &mut Packet::new_unchecked(&mut b[..]),
                    &s,
                    &d,
                    &data,
                    Checksum::Both,
                );
                assert_eq!(a, b, "payload length {n}");
                let p = Packet::new_checked(&b[..]).unwrap();
                assert!(p.verify_checksum(&s, &d, false), "payload length {n}");
            }
        }
    }

    #[test]
    fn malformed() {
        assert_eq!(
            Packet::new_checked(&DATAGRAM[..7]).err(),
            Some(Error::Truncated)
        );
        // Length field larger than the buffer.
        assert_eq!(
            Packet::new_checked(&DATAGRAM[..11]).err(),
            Some(Error::Truncated)
        );
        // Length field below the header length.
        let mut b = DATAGRAM;
        b[5] = 7;
        assert_eq!(Packet::new_checked(&b[..]).err(), Some(Error::BadLength));
        // Corrupted payload.
        let mut b = DATAGRAM;
        b[8] ^= 1;
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(
            Repr::parse(&p, &SRC, &DST, Checksum::Both, false),
            Err(Error::BadChecksum)
        );
        // ... accepted when the device verified it.
        assert!(Repr::parse(&p, &SRC, &DST, Checksum::Tx, false).is_ok());
        // Destination port zero.
        let mut b = DATAGRAM;
        b[2] = 0;
        b[3] = 0;
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(
            Repr::parse(&p, &SRC, &DST, Checksum::None, false),
            Err(Error::BadField)
        );
    }

    #[test]
    fn padding_is_ignored() {
        let mut b = DATAGRAM.to_vec();
        b.extend_from_slice(&[0; 6]);
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.payload(), b"ABCD");
        assert!(p.verify_checksum(&SRC, &DST, false));
    }

    #[test]
    fn zero_checksum_rules() {
        let mut b = DATAGRAM;
        b[6] = 0;
        b[7] = 0;
        let p = Packet::new_checked(&b[..]).unwrap();
        // RFC 768: zero = not computed, fine over IPv4.
        assert!(p.verify_checksum(&SRC, &DST, false));
        // RFC 8200 §8.1: mandatory over IPv6 ...
        let s6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        assert!(!p.verify_checksum(&s6, &s6, false));
        // ... unless RFC 6935 zero checksums are enabled.
        assert!(p.verify_checksum(&s6, &s6, true));
    }

    #[test]
    fn computed_zero_is_sent_as_ffff() {
        // Find a payload whose checksum computes to zero: the sum must be
        // 0xffff. Pick the last two payload bytes to make it so.
        let r = Repr {
            src_port: 1,
            dst_port: 2,
        };
        let mut buf = vec![0u8; r.buffer_len(2)];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        r.emit(&mut p, &SRC, &DST, 2, |b| b.fill(0), Checksum::Both);
        let sum = !p.checksum();
        // Payload word w with sum + w == 0xffff (one's complement).
        let w = !sum;
        let mut p = Packet::new_unchecked(&mut buf[..]);
        r.emit(
            &mut p,
            &SRC,
            &DST,
            2,
            |b| b.copy_from_slice(&w.to_be_bytes()),
            Checksum::Both,
        );
        assert_eq!(p.checksum(), 0xffff);
        assert!(Packet::new_unchecked(&buf[..]).verify_checksum(&SRC, &DST, false));
    }

    proptest! {
        #[test]
        fn round_trip(sp in any::<u16>(), dp in 1u16.., payload in proptest::collection::vec(any::<u8>(), 0..1500), v6 in any::<bool>()) {
            let (s, d) = if v6 {
                (IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1)), IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2)))
            } else {
                (SRC, DST)
            };
            let r = Repr { src_port: sp, dst_port: dp };
            let mut buf = vec![0u8; r.buffer_len(payload.len())];
            r.emit(&mut Packet::new_unchecked(&mut buf[..]), &s, &d, payload.len(), |b| b.copy_from_slice(&payload), Checksum::Both);
            let p = Packet::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Repr::parse(&p, &s, &d, Checksum::Both, false).unwrap(), r);
            prop_assert_eq!(p.payload(), &payload[..]);
        }

        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(p) = Packet::new_checked(&data[..]) {
                let _ = (p.src_port(), p.dst_port(), p.checksum(), p.payload());
                let _ = Repr::parse(&p, &SRC, &DST, Checksum::Both, false);
            }
            let p: Vec<u8> = data;
            let _ = Packet::new_checked(&p[..]);
        }
    }
}
