//! The Hop-by-Hop Options header (RFC 8200 §4.3) and the Destination
//! Options header (RFC 8200 §4.6), which share one format.
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Next Header  |  Hdr Ext Len  |                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//! |                                                               |
//! .                                                               .
//! .                            Options                            .
//! .                                                               .
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Hdr Ext Len counts 8-octet units after the first 8 octets, so the
//! header is `(hdr_ext_len + 1) * 8` octets long. The options are TLVs
//! walked by [`OptionsIter`]; what to do with each (unknown-option
//! actions, Router Alert) is up to the interface.

use crate::wire::ip::IpProtocol;
use crate::wire::{Error, Result};

use super::options::{self, OPTIONS_OFFSET, OptionsIter};

mod field {
    use crate::wire::field::Rest;
    pub(crate) const NXT_HDR: usize = 0;
    pub(crate) const LENGTH: usize = 1;
    pub(crate) const OPTIONS: Rest = 2..;
}

/// The shortest Hop-by-Hop / Destination Options header (Hdr Ext Len 0).
pub const MIN_HEADER_LEN: usize = 8;

/// The longest one (Hdr Ext Len 255).
pub const MAX_HEADER_LEN: usize = 256 * 8;

/// A view over a Hop-by-Hop or Destination Options header at the start of
/// the buffer. Bytes after the header (the next headers) may follow.
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
}

impl<'a, T: AsRef<[u8]> + ?Sized> Header<&'a T> {
    /// The raw options area (padding included).
    pub fn options(&self) -> &'a [u8] {
        let end = self.header_len();
        &self.buffer.as_ref()[field::OPTIONS.start..end]
    }
    /// The options, with offsets counted from the start of this header.
    pub fn options_iter(&self) -> OptionsIter<'a> {
        OptionsIter::with_base(self.options(), OPTIONS_OFFSET)
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
    /// The options area, as long as Hdr Ext Len says.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.buffer.as_mut()[field::OPTIONS.start..end]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Header<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed Hop-by-Hop or Destination Options header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Repr<'a> {
    /// The header that follows.
    pub next_header: IpProtocol,
    /// The raw options area, padding included. Build it with
    /// [`options::emit_options`] when sending.
    pub options: &'a [u8],
}

impl<'a> Repr<'a> {
    /// Parse the header and check that every option is well formed
    /// (`Error::BadOption` otherwise). Unknown options are kept; acting on
    /// them (RFC 8200 §4.2) is the interface's job.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(header: &Header<&'a T>) -> Result<Repr<'a>> {
        header.check_len()?;
        let options = header.options();
        OptionsIter::validate(options)?;
        Ok(Repr {
            next_header: header.next_header(),
            options,
        })
    }

    /// The options, with offsets counted from the start of the header.
    pub fn options_iter(&self) -> OptionsIter<'a> {
        OptionsIter::with_base(self.options, OPTIONS_OFFSET)
    }

    /// The header length: 2 + the options, rounded up to a multiple of 8
    /// (RFC 8200 §4.3), at most [`MAX_HEADER_LEN`].
    pub fn header_len(&self) -> usize {
        (OPTIONS_OFFSET + self.options.len())
            .next_multiple_of(8)
            .min(MAX_HEADER_LEN)
    }

    /// The bytes `emit` writes: the header length.
    pub fn buffer_len(&self) -> usize {
        self.header_len()
    }

    /// Write the header. `header` must hold at least `buffer_len()`
    /// octets.
    ///
    /// If the options do not end the header on a multiple of 8 octets, the
    /// rest is filled with Pad1/PadN; options longer than
    /// `MAX_HEADER_LEN - 2` octets are cut.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, header: &mut Header<T>) {
        let len = self.header_len();
        header.set_next_header(self.next_header);
        // `len` is a multiple of 8 in 8..=2048, so this fits in a u8.
        header.set_hdr_ext_len((len / 8 - 1) as u8);
        let area = header.options_mut();
        let n = self.options.len().min(area.len());
        area[..n].copy_from_slice(&self.options[..n]);
        let pad = area.len() - n;
        options::emit_padding(&mut area[n..], pad);
    }
}

#[cfg(test)]
mod tests {
    use super::super::options::{Ipv6Option, OptionType, emit_options, options_len};
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    // Built by hand from RFC 8200 §4.3 and RFC 2711 §2.1: the Hop-by-Hop
    // header an MLD report carries. Next Header ICMPv6 (58), Hdr Ext Len 0,
    // Router Alert (type 5, length 2, value 0 = MLD), PadN with 0 data
    // octets.
    static MLD_HBH: [u8; 8] = [0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00];

    // A Destination Options header (RFC 8200 §4.6) of 16 octets: Next
    // Header TCP (6), Hdr Ext Len 1, an unknown option 0x9e with 4 data
    // octets, then PadN with 6 data octets (2 + 6 + 8 = 16).
    static DEST_OPTS: [u8; 16] = [
        0x06, 0x01, 0x9e, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x06, 0, 0, 0, 0, 0, 0,
    ];

    #[test]
    fn parse_mld_hop_by_hop() {
        let h = Header::new_checked(&MLD_HBH[..]).unwrap();
        assert_eq!(h.next_header(), IpProtocol::Icmpv6);
        assert_eq!(h.hdr_ext_len(), 0);
        assert_eq!(h.header_len(), 8);
        assert_eq!(h.options(), &MLD_HBH[2..]);
        let items: Vec<_> = h.options_iter().map(|r| r.unwrap()).collect();
        assert_eq!(
            items,
            vec![(2, Ipv6Option::RouterAlert(0)), (6, Ipv6Option::PadN(0))]
        );
        let r = Repr::parse(&h).unwrap();
        assert_eq!(r.next_header, IpProtocol::Icmpv6);
        assert_eq!(r.options, &MLD_HBH[2..]);
    }

    #[test]
    fn parse_destination_options_with_trailing_data() {
        let mut b = DEST_OPTS.to_vec();
        b.extend_from_slice(&[0x55; 20]); // the TCP header that follows
        let h = Header::new_checked(&b[..]).unwrap();
        assert_eq!(h.header_len(), 16);
        let r = Repr::parse(&h).unwrap();
        assert_eq!(r.next_header, IpProtocol::Tcp);
        let (offset, option) = r.options_iter().next().unwrap().unwrap();
        // The Parameter Problem pointer for this option is offset 2 into
        // the header.
        assert_eq!(offset, 2);
        assert_eq!(
            option,
            Ipv6Option::Unknown {
                kind: OptionType(0x9e),
                data: &[0xde, 0xad, 0xbe, 0xef]
            }
        );
        assert_eq!(
            option.option_type().action(),
            options::UnknownOptionAction::DiscardSendParamProblem
        );
    }

    #[test]
    fn emit_vectors() {
        let mut opts = [0u8; 6];
        emit_options(&[Ipv6Option::RouterAlert(0)], &mut opts);
        let r = Repr {
            next_header: IpProtocol::Icmpv6,
            options: &opts,
        };
        assert_eq!(r.buffer_len(), 8);
        let mut buf = [0xa5; 8];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        assert_eq!(buf, MLD_HBH);

        let r = Repr {
            next_header: IpProtocol::Tcp,
            options: &DEST_OPTS[2..],
        };
        assert_eq!(r.buffer_len(), 16);
        let mut buf = [0xa5; 16];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        assert_eq!(buf, DEST_OPTS);

        // Options not ending the header on 8 octets: emit pads. The
        // unknown option and a Pad1 (7 octets) leave 7 octets, a PadN(5).
        let opts = [0x9e, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x00];
        let r = Repr {
            next_header: IpProtocol::Tcp,
            options: &opts,
        };
        assert_eq!(r.buffer_len(), 16);
        let mut buf = [0xa5; 16];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        assert_eq!(
            buf,
            [
                0x06, 0x01, 0x9e, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x05, 0, 0, 0, 0, 0
            ]
        );
        let h = Header::new_checked(&buf[..]).unwrap();
        assert!(Repr::parse(&h).is_ok());
    }

    #[test]
    fn truncated_at_every_length() {
        for n in 0..DEST_OPTS.len() {
            assert_eq!(
                Header::new_checked(&DEST_OPTS[..n]).err(),
                Some(Error::Truncated),
                "{n}"
            );
        }
        for n in 0..MLD_HBH.len() {
            assert_eq!(
                Header::new_checked(&MLD_HBH[..n]).err(),
                Some(Error::Truncated),
                "{n}"
            );
        }
    }

    #[test]
    fn malformed() {
        // Hdr Ext Len past the buffer.
        let mut b = MLD_HBH;
        b[1] = 1;
        assert_eq!(Header::new_checked(&b[..]).err(), Some(Error::Truncated));
        // An option running past the header.
        let mut b = MLD_HBH;
        b[7] = 1;
        let h = Header::new_checked(&b[..]).unwrap();
        assert_eq!(Repr::parse(&h), Err(Error::BadOption));
        // Router Alert with a bad length.
        let b = [0x3a, 0x00, 0x05, 0x03, 0x00, 0x00, 0x00, 0x00];
        let h = Header::new_checked(&b[..]).unwrap();
        assert_eq!(Repr::parse(&h), Err(Error::BadOption));
    }

    #[test]
    fn oversized_options_are_cut() {
        let opts = vec![0u8; 3000];
        let r = Repr {
            next_header: IpProtocol::Tcp,
            options: &opts,
        };
        assert_eq!(r.buffer_len(), MAX_HEADER_LEN);
        let mut buf = vec![0xa5; r.buffer_len()];
        r.emit(&mut Header::new_unchecked(&mut buf[..]));
        let h = Header::new_checked(&buf[..]).unwrap();
        assert_eq!(h.header_len(), MAX_HEADER_LEN);
    }

    proptest! {
        #[test]
        fn round_trip(
            nh in any::<u8>(),
            ra in proptest::option::of(any::<u16>()),
            unknown in proptest::collection::vec((0x06u8..0xc0, proptest::collection::vec(any::<u8>(), 0..40)), 0..6),
        ) {
            let mut list = Vec::new();
            if let Some(v) = ra {
                list.push(Ipv6Option::RouterAlert(v));
            }
            for (kind, data) in &unknown {
                list.push(Ipv6Option::Unknown { kind: OptionType(*kind), data });
            }
            let mut opts = vec![0u8; options_len(&list)];
            emit_options(&list, &mut opts);
            let r = Repr { next_header: IpProtocol::from(nh), options: &opts };
            let mut buf = vec![0u8; r.buffer_len()];
            r.emit(&mut Header::new_unchecked(&mut buf[..]));
            let h = Header::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Repr::parse(&h).unwrap(), r);
        }

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..80)) {
            if let Ok(h) = Header::new_checked(&data[..]) {
                let _ = (h.next_header(), h.hdr_ext_len(), h.header_len(), h.options());
                for item in h.options_iter() {
                    let _ = item;
                }
                if let Ok(r) = Repr::parse(&h) {
                    let mut buf = vec![0u8; r.buffer_len()];
                    r.emit(&mut Header::new_unchecked(&mut buf[..]));
                    prop_assert_eq!(&buf[..], &data[..h.header_len()]);
                }
            }
        }
    }
}
