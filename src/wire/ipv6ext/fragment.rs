//! The IPv6 Fragment header (RFC 8200 §4.5), with atomic fragments
//! (RFC 6946).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Identification                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The Fragment Offset counts 8-octet units; this module speaks octets.
//! The reassembly rules of RFC 8200 §4.5 (a non-last fragment whose length
//! is not a multiple of 8, a reassembled length over 65,535) are the
//! reassembler's job; [`FRAG_OFFSET_POINTER`] helps it build the ICMPv6
//! Parameter Problem they call for.

use byteorder::{ByteOrder, NetworkEndian};

use crate::wire::ip::IpProtocol;
use crate::wire::{Error, Result};

mod field {
    use crate::wire::field::Field;
    pub(crate) const NXT_HDR: usize = 0;
    pub(crate) const RESERVED: usize = 1;
    pub(crate) const FR_OF_M: Field = 2..4;
    pub(crate) const IDENT: Field = 4..8;
}

/// The Fragment header length (RFC 8200 §4.5).
pub const HEADER_LEN: usize = 8;

/// The offset of the Fragment Offset field in the header, for the pointer
/// of a Parameter Problem about it (RFC 8200 §4.5).
pub const FRAG_OFFSET_POINTER: usize = field::FR_OF_M.start;

/// The largest Fragment Offset in octets (13 bits of 8-octet units).
pub const MAX_FRAG_OFFSET: u16 = 0xfff8;

/// A view over a Fragment header at the start of the buffer. The fragment
/// data may follow.
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

    /// Check that the buffer holds the 8-octet header.
    pub fn check_len(&self) -> Result<()> {
        if self.buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Give back the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn fr_of_m(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::FR_OF_M])
    }

    /// The Next Header field (of the original packet's unfragmentable
    /// part).
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol::from(self.buffer.as_ref()[field::NXT_HDR])
    }
    /// The 8-bit Reserved field (zero when sent, ignored on reception).
    pub fn reserved(&self) -> u8 {
        self.buffer.as_ref()[field::RESERVED]
    }
    /// The Fragment Offset in octets (a multiple of 8).
    pub fn frag_offset(&self) -> u16 {
        self.fr_of_m() & MAX_FRAG_OFFSET
    }
    /// The 2-bit Res field (zero when sent, ignored on reception).
    pub fn res(&self) -> u8 {
        ((self.fr_of_m() >> 1) & 0b11) as u8
    }
    /// The M flag: more fragments follow.
    pub fn more_frags(&self) -> bool {
        self.fr_of_m() & 1 != 0
    }
    /// The Identification.
    pub fn ident(&self) -> u32 {
        NetworkEndian::read_u32(&self.buffer.as_ref()[field::IDENT])
    }
    /// Whether this is an atomic fragment (offset 0, M clear): a whole
    /// packet to be processed in isolation from any reassembly
    /// (RFC 6946 §4).
    pub fn is_atomic(&self) -> bool {
        self.frag_offset() == 0 && !self.more_frags()
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Header<&'a T> {
    /// The fragment data after the header (all of the rest of the buffer).
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Header<T> {
    fn set_fr_of_m(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::FR_OF_M], v)
    }

    /// Set the Next Header field.
    pub fn set_next_header(&mut self, v: IpProtocol) {
        self.buffer.as_mut()[field::NXT_HDR] = u8::from(v)
    }
    /// Set the 8-bit Reserved field.
    pub fn set_reserved(&mut self, v: u8) {
        self.buffer.as_mut()[field::RESERVED] = v
    }
    /// Set the Fragment Offset in octets (the low 3 bits are dropped).
    pub fn set_frag_offset(&mut self, v: u16) {
        let w = (self.fr_of_m() & !MAX_FRAG_OFFSET) | (v & MAX_FRAG_OFFSET);
        self.set_fr_of_m(w)
    }
    /// Set the 2-bit Res field (low 2 bits of `v`).
    pub fn set_res(&mut self, v: u8) {
        let w = (self.fr_of_m() & !0b110) | (u16::from(v & 0b11) << 1);
        self.set_fr_of_m(w)
    }
    /// Set the M flag.
    pub fn set_more_frags(&mut self, v: bool) {
        let w = (self.fr_of_m() & !1) | u16::from(v);
        self.set_fr_of_m(w)
    }
    /// Set the Identification.
    pub fn set_ident(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::IDENT], v)
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Header<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed Fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Repr {
    /// The Next Header of the fragmentable part.
    pub next_header: IpProtocol,
    /// The Fragment Offset in octets (a multiple of 8, at most
    /// [`MAX_FRAG_OFFSET`]; emit drops the low 3 bits).
    pub frag_offset: u16,
    /// The M flag: more fragments follow.
    pub more_frags: bool,
    /// The Identification.
    pub ident: u32,
}

impl Repr {
    /// Parse a Fragment header. The reserved fields are ignored
    /// (RFC 8200 §4.5).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(header: &Header<&T>) -> Result<Repr> {
        header.check_len()?;
        Ok(Repr {
            next_header: header.next_header(),
            frag_offset: header.frag_offset(),
            more_frags: header.more_frags(),
            ident: header.ident(),
        })
    }

    /// Whether this is an atomic fragment (RFC 6946 §4).
    pub const fn is_atomic(&self) -> bool {
        self.frag_offset == 0 && !self.more_frags
    }

    /// The header length.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// The bytes `emit` writes: the header length.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN
    }

    /// Write the header, reserved fields zero. `header` must hold at least
    /// `buffer_len()` octets.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, header: &mut Header<T>) {
        header.set_next_header(self.next_header);
        header.set_reserved(0);
        header.set_fr_of_m((self.frag_offset & MAX_FRAG_OFFSET) | u16::from(self.more_frags));
        header.set_ident(self.ident);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;

    // Built by hand from RFC 8200 §4.5: Next Header UDP (17), Reserved 0,
    // Fragment Offset 185 units (1480 octets) with M set:
    // 185 << 3 | 1 = 0x05c9, Identification 0xdeadbeef.
    static FRAG: [u8; 8] = [0x11, 0x00, 0x05, 0xc9, 0xde, 0xad, 0xbe, 0xef];

    #[test]
    fn parse_vector() {
        let h = Header::new_checked(&FRAG[..]).unwrap();
        assert_eq!(h.next_header(), IpProtocol::Udp);
        assert_eq!(h.reserved(), 0);
        assert_eq!(h.frag_offset(), 1480);
        assert_eq!(h.res(), 0);
        assert!(h.more_frags());
        assert_eq!(h.ident(), 0xdead_beef);
        assert!(!h.is_atomic());
        let r = Repr::parse(&h).unwrap();
        assert_eq!(
            r,
            Repr {
                next_header: IpProtocol::Udp,
                frag_offset: 1480,
                more_frags: true,
                ident: 0xdead_beef
            }
        );
        assert!(!r.is_atomic());
    }

    #[test]
    fn emit_vector() {
        let r = Repr {
            next_header: IpProtocol::Udp,
            frag_offset: 1480,
            more_frags: true,
            ident: 0xdead_beef,
        };
        let mut buf = [0xa5; 8];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        assert_eq!(buf, FRAG);
    }

    #[test]
    fn reserved_bits_ignored_and_settable() {
        let mut b = FRAG;
        let mut h = Header::new_unchecked(&mut b[..]);
        h.set_reserved(0x7f);
        h.set_res(0b11);
        assert_eq!(
            (h.reserved(), h.res(), h.frag_offset(), h.more_frags()),
            (0x7f, 3, 1480, true)
        );
        h.set_more_frags(false);
        h.set_frag_offset(8);
        assert_eq!((h.res(), h.frag_offset(), h.more_frags()), (3, 8, false));
        h.set_frag_offset(0);
        assert!(h.is_atomic());
        let h = Header::new_checked(&b[..]).unwrap();
        let r = Repr::parse(&h).unwrap();
        assert!(r.is_atomic());
        assert_eq!(r.ident, 0xdead_beef);
    }

    #[test]
    fn atomic_and_first_fragments() {
        // RFC 6946: offset 0, M clear.
        let atomic = [0x06, 0, 0, 0, 0, 0, 0, 1];
        assert!(Header::new_checked(&atomic[..]).unwrap().is_atomic());
        // First fragment: offset 0, M set.
        let first = [0x06, 0, 0, 1, 0, 0, 0, 1];
        assert!(!Header::new_checked(&first[..]).unwrap().is_atomic());
    }

    #[test]
    fn truncated_at_every_length() {
        for n in 0..FRAG.len() {
            assert_eq!(
                Header::new_checked(&FRAG[..n]).err(),
                Some(Error::Truncated),
                "{n}"
            );
        }
        let mut b = FRAG.to_vec();
        b.extend_from_slice(b"data");
        assert_eq!(Header::new_checked(&b[..]).unwrap().payload(), b"data");
    }

    proptest! {
        #[test]
        fn round_trip(nh in any::<u8>(), units in 0u16..8192, m in any::<bool>(), ident in any::<u32>()) {
            let r = Repr { next_header: IpProtocol::from(nh), frag_offset: units * 8, more_frags: m, ident };
            let mut buf = vec![0u8; r.buffer_len()];
            r.emit(&mut Header::new_unchecked(&mut buf[..]));
            let h = Header::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Repr::parse(&h).unwrap(), r);
        }

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..16)) {
            if let Ok(h) = Header::new_checked(&data[..]) {
                let _ = (h.next_header(), h.reserved(), h.frag_offset(), h.res(), h.more_frags(), h.ident(), h.payload());
                let r = Repr::parse(&h).unwrap();
                prop_assert_eq!(r.is_atomic(), h.is_atomic());
            }
        }
    }
}
