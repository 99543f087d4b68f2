//! TLV options of the Hop-by-Hop and Destination Options headers
//! (RFC 8200 §4.2), with the Router Alert option (RFC 2711) and the Jumbo
//! Payload option (RFC 2675).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
//! |  Option Type  |  Opt Data Len |  Option Data
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
//!
//! Option Type:  +-+-+-+-+-+-+-+-+
//!               |AIA|C|  rest   |    AIA = action if unrecognised
//!               +-+-+-+-+-+-+-+-+    C   = data may change en route
//! ```
//!
//! The exception is Pad1, a single zero byte with no length and no data.
//!
//! [`OptionsIter`] walks an options area and yields each option with its
//! offset, which the interface needs for the pointer of an ICMPv6
//! Parameter Problem (code 2) when an unrecognised option says so.
//! [`emit_options`] writes a list of options with the alignment each one
//! requires and pads the area so that the header is a multiple of 8 octets.

use byteorder::{ByteOrder, NetworkEndian};

use crate::wire::{Error, Result};

/// Where the options area starts inside a Hop-by-Hop or Destination
/// Options header (after Next Header and Hdr Ext Len, RFC 8200 §4.3).
pub const OPTIONS_OFFSET: usize = 2;

/// An IPv6 Option Type byte (RFC 8200 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OptionType(pub u8);

impl OptionType {
    /// Pad1 (RFC 8200 §4.2).
    pub const PAD1: OptionType = OptionType(0x00);
    /// PadN (RFC 8200 §4.2).
    pub const PADN: OptionType = OptionType(0x01);
    /// Router Alert (RFC 2711 §2.1).
    pub const ROUTER_ALERT: OptionType = OptionType(0x05);
    /// Jumbo Payload (RFC 2675 §2).
    pub const JUMBO: OptionType = OptionType(0xc2);

    /// What a node that does not recognise this option must do: the two
    /// high-order bits (RFC 8200 §4.2).
    pub const fn action(self) -> UnknownOptionAction {
        match self.0 >> 6 {
            0b00 => UnknownOptionAction::Skip,
            0b01 => UnknownOptionAction::Discard,
            0b10 => UnknownOptionAction::DiscardSendParamProblem,
            _ => UnknownOptionAction::DiscardSendParamProblemUnlessMulticast,
        }
    }

    /// Whether the Option Data may change en route: the third-highest bit
    /// (RFC 8200 §4.2). Such data is zeroed for AH computations.
    pub const fn may_change(self) -> bool {
        self.0 & 0x20 != 0
    }
}

impl From<u8> for OptionType {
    fn from(v: u8) -> Self {
        OptionType(v)
    }
}

impl From<OptionType> for u8 {
    fn from(t: OptionType) -> u8 {
        t.0
    }
}

/// What to do with an option whose type is not recognised (RFC 8200 §4.2,
/// the two high-order bits of the Option Type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UnknownOptionAction {
    /// `00`: skip over this option and continue processing the header.
    Skip,
    /// `01`: discard the packet.
    Discard,
    /// `10`: discard the packet and, whatever the destination address,
    /// send an ICMPv6 Parameter Problem, Code 2, pointing to the Option
    /// Type.
    DiscardSendParamProblem,
    /// `11`: discard the packet and, only if the destination address was
    /// not multicast, send an ICMPv6 Parameter Problem, Code 2, pointing to
    /// the Option Type.
    DiscardSendParamProblemUnlessMulticast,
}

/// One TLV option of a Hop-by-Hop or Destination Options header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Ipv6Option<'a> {
    /// One octet of padding (RFC 8200 §4.2).
    Pad1,
    /// Two or more octets of padding (RFC 8200 §4.2). The value is the Opt
    /// Data Len: the option pads `n + 2` octets. Received padding data is
    /// not required to be zero and is not checked.
    PadN(u8),
    /// Router Alert (RFC 2711 §2.1) with its 16-bit value (0: MLD, 1:
    /// RSVP, 2: Active Networks). Opt Data Len must be 2.
    RouterAlert(u16),
    /// Jumbo Payload (RFC 2675 §2) with its 32-bit length. Opt Data Len
    /// must be 4. Jumbograms are not supported by ferrotcp; the option is
    /// recognised so that they can be dropped knowingly.
    Jumbo(u32),
    /// Any other option, kept raw. `kind` must not be one of the types
    /// above; `data` longer than 255 octets is cut to 255 on emit.
    Unknown {
        /// The Option Type.
        kind: OptionType,
        /// The Option Data.
        data: &'a [u8],
    },
}

impl<'a> Ipv6Option<'a> {
    /// Parse the option starting at `data[0]`; returns it with its length
    /// on the wire.
    fn parse(data: &'a [u8]) -> Result<(Ipv6Option<'a>, usize)> {
        let kind = match data.first() {
            Some(&k) => OptionType(k),
            None => return Err(Error::BadOption),
        };
        // RFC 8200 §4.2: Pad1 has no length and no data fields.
        if kind == OptionType::PAD1 {
            return Ok((Ipv6Option::Pad1, 1));
        }
        let data_len = match data.get(1) {
            Some(&l) => l,
            None => return Err(Error::BadOption),
        };
        let end = 2 + usize::from(data_len);
        let value = match data.get(2..end) {
            Some(v) => v,
            None => return Err(Error::BadOption),
        };
        let option = match kind {
            OptionType::PADN => Ipv6Option::PadN(data_len),
            OptionType::ROUTER_ALERT => {
                // RFC 2711 §2.1: Length = 2.
                if value.len() != 2 {
                    return Err(Error::BadOption);
                }
                Ipv6Option::RouterAlert(NetworkEndian::read_u16(value))
            }
            OptionType::JUMBO => {
                // RFC 2675 §2: Opt Data Len = 4.
                if value.len() != 4 {
                    return Err(Error::BadOption);
                }
                Ipv6Option::Jumbo(NetworkEndian::read_u32(value))
            }
            kind => Ipv6Option::Unknown { kind, data: value },
        };
        Ok((option, end))
    }

    /// The Option Type.
    pub const fn option_type(&self) -> OptionType {
        match self {
            Ipv6Option::Pad1 => OptionType::PAD1,
            Ipv6Option::PadN(_) => OptionType::PADN,
            Ipv6Option::RouterAlert(_) => OptionType::ROUTER_ALERT,
            Ipv6Option::Jumbo(_) => OptionType::JUMBO,
            Ipv6Option::Unknown { kind, .. } => *kind,
        }
    }

    /// Whether this is Pad1 or PadN.
    pub const fn is_padding(&self) -> bool {
        matches!(self, Ipv6Option::Pad1 | Ipv6Option::PadN(_))
    }

    fn data_len(&self) -> usize {
        match self {
            Ipv6Option::Pad1 => 0,
            Ipv6Option::PadN(n) => usize::from(*n),
            Ipv6Option::RouterAlert(_) => 2,
            Ipv6Option::Jumbo(_) => 4,
            Ipv6Option::Unknown { data, .. } => data.len().min(255),
        }
    }

    /// The octets the option takes on the wire.
    pub fn buffer_len(&self) -> usize {
        match self {
            Ipv6Option::Pad1 => 1,
            _ => 2 + self.data_len(),
        }
    }

    /// The alignment requirement `xn + y` as `(x, y)`, counted from the
    /// start of the extension header (RFC 8200 §4.2, Appendix A).
    pub const fn alignment(&self) -> (usize, usize) {
        match self {
            // RFC 2711 §2.1: alignment requirement 2n+0.
            Ipv6Option::RouterAlert(_) => (2, 0),
            // RFC 2675 §2: alignment requirement 4n+2.
            Ipv6Option::Jumbo(_) => (4, 2),
            _ => (1, 0),
        }
    }

    /// Write the option at the start of `buf`, which must hold at least
    /// `buffer_len()` octets. Returns the octets written.
    pub fn emit(&self, buf: &mut [u8]) -> usize {
        let len = self.buffer_len();
        let buf = &mut buf[..len];
        buf[0] = self.option_type().0;
        if len == 1 {
            return 1;
        }
        // `data_len()` is at most 255 by construction.
        buf[1] = self.data_len() as u8;
        let value = &mut buf[2..];
        match self {
            Ipv6Option::Pad1 => {}
            // RFC 8200 §4.2: PadN data consists of zero-valued octets.
            Ipv6Option::PadN(_) => value.fill(0),
            Ipv6Option::RouterAlert(v) => NetworkEndian::write_u16(value, *v),
            Ipv6Option::Jumbo(v) => NetworkEndian::write_u32(value, *v),
            Ipv6Option::Unknown { data, .. } => value.copy_from_slice(&data[..value.len()]),
        }
        len
    }
}

/// Write `n` octets of padding (RFC 8200 §4.2: Pad1 for one, PadN for more).
pub(crate) fn emit_padding(buf: &mut [u8], mut n: usize) {
    let mut pos = 0;
    while n > 0 {
        let chunk = n.min(257);
        let option = if chunk == 1 {
            Ipv6Option::Pad1
        } else {
            // `chunk - 2` is at most 255.
            Ipv6Option::PadN((chunk - 2) as u8)
        };
        pos += option.emit(&mut buf[pos..]);
        n -= chunk;
    }
}

/// Lay the options out; write them when `out` is given. Returns the
/// length of the options area.
fn layout(options: &[Ipv6Option<'_>], mut out: Option<&mut [u8]>) -> usize {
    let mut pos = 0;
    for option in options {
        let (x, y) = option.alignment();
        // RFC 8200 §4.2: an option with alignment xn+y starts at an offset
        // (from the start of the header) that is a multiple of x plus y.
        let here = (OPTIONS_OFFSET + pos) % x;
        let pad = (y + x - here) % x;
        if let Some(buf) = out.as_deref_mut() {
            emit_padding(&mut buf[pos..], pad);
            option.emit(&mut buf[pos + pad..]);
        }
        pos += pad + option.buffer_len();
    }
    // RFC 8200 §4.3/§4.6: the header is an integer multiple of 8 octets.
    let pad = (8 - (OPTIONS_OFFSET + pos) % 8) % 8;
    if let Some(buf) = out {
        emit_padding(&mut buf[pos..], pad);
    }
    pos + pad
}

/// The length of the options area [`emit_options`] writes for `options`:
/// with alignment padding, and such that the header (2 octets + options)
/// is a multiple of 8 octets.
pub fn options_len(options: &[Ipv6Option<'_>]) -> usize {
    layout(options, None)
}

/// Write `options` as the options area of a Hop-by-Hop or Destination
/// Options header, inserting Pad1/PadN to meet each option's alignment
/// and to end the header on a multiple of 8 octets (RFC 8200 §4.2).
///
/// `buf` must hold at least [`options_len`] octets. Returns the octets
/// written.
pub fn emit_options(options: &[Ipv6Option<'_>], buf: &mut [u8]) -> usize {
    layout(options, Some(buf))
}

/// An iterator over the options of an options area.
///
/// Yields `(offset, option)`; padding is yielded too. After an error
/// (`Err(Error::BadOption)`: an option runs past the area, or a recognised
/// option has the wrong length) the iterator ends.
#[derive(Debug, Clone)]
pub struct OptionsIter<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    done: bool,
}

impl<'a> OptionsIter<'a> {
    /// Iterate over `data`; offsets count from `data[0]`.
    pub const fn new(data: &'a [u8]) -> OptionsIter<'a> {
        OptionsIter::with_base(data, 0)
    }

    /// Iterate over `data`; offsets count from `base` octets before
    /// `data[0]` (e.g. [`OPTIONS_OFFSET`] to count from the start of the
    /// extension header).
    pub const fn with_base(data: &'a [u8], base: usize) -> OptionsIter<'a> {
        OptionsIter {
            data,
            pos: 0,
            base,
            done: false,
        }
    }

    /// Check that every option in `data` is well formed.
    pub fn validate(data: &'a [u8]) -> Result<()> {
        for item in OptionsIter::new(data) {
            item?;
        }
        Ok(())
    }
}

impl<'a> Iterator for OptionsIter<'a> {
    type Item = Result<(usize, Ipv6Option<'a>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = match self.data.get(self.pos..) {
            Some(rest) if !rest.is_empty() => rest,
            _ => {
                self.done = true;
                return None;
            }
        };
        match Ipv6Option::parse(rest) {
            Ok((option, len)) => {
                let offset = self.base + self.pos;
                self.pos += len;
                Some(Ok((offset, option)))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl core::iter::FusedIterator for OptionsIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    fn collect(data: &[u8]) -> Vec<Result<(usize, Ipv6Option<'_>)>> {
        OptionsIter::new(data).collect()
    }

    #[test]
    fn actions_for_all_high_bit_patterns() {
        // RFC 8200 §4.2: the two high-order bits of the Option Type.
        let cases = [
            (0x1e, UnknownOptionAction::Skip),
            (0x5e, UnknownOptionAction::Discard),
            (0x9e, UnknownOptionAction::DiscardSendParamProblem),
            (
                0xde,
                UnknownOptionAction::DiscardSendParamProblemUnlessMulticast,
            ),
        ];
        for (t, action) in cases {
            assert_eq!(OptionType(t).action(), action);
            assert!(!OptionType(t).may_change());
            assert_eq!(OptionType(t | 0x20).action(), action);
            assert!(OptionType(t | 0x20).may_change());
        }
        assert_eq!(OptionType::PAD1.action(), UnknownOptionAction::Skip);
        assert_eq!(OptionType::ROUTER_ALERT.action(), UnknownOptionAction::Skip);
        assert_eq!(
            OptionType::JUMBO.action(),
            UnknownOptionAction::DiscardSendParamProblemUnlessMulticast
        );
        assert!(!OptionType::JUMBO.may_change());
        assert_eq!(u8::from(OptionType::from(0x3e)), 0x3e);
    }

    #[test]
    fn parse_each_kind() {
        // Built by hand from RFC 8200 §4.2, RFC 2711 §2.1, RFC 2675 §2:
        // Pad1 | PadN(1) | Router Alert 0 (MLD) | Jumbo 70000 |
        // unknown 0x3e with data [9, 8] | PadN(0).
        let data = [
            0x00, // Pad1
            0x01, 0x01, 0x00, // PadN, 3 octets
            0x05, 0x02, 0x00, 0x00, // Router Alert, MLD
            0xc2, 0x04, 0x00, 0x01, 0x11, 0x70, // Jumbo 70000
            0x3e, 0x02, 0x09, 0x08, // unknown
            0x01, 0x00, // PadN, 2 octets
        ];
        let items: Vec<_> = collect(&data).into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(
            items,
            vec![
                (0, Ipv6Option::Pad1),
                (1, Ipv6Option::PadN(1)),
                (4, Ipv6Option::RouterAlert(0)),
                (8, Ipv6Option::Jumbo(70000)),
                (
                    14,
                    Ipv6Option::Unknown {
                        kind: OptionType(0x3e),
                        data: &[9, 8]
                    }
                ),
                (18, Ipv6Option::PadN(0)),
            ]
        );
        // With a base, offsets count from the header start.
        let (off, _) = OptionsIter::with_base(&data, 2).nth(2).unwrap().unwrap();
        assert_eq!(off, 6);
        assert!(OptionsIter::validate(&data).is_ok());
        assert!(OptionsIter::new(&[]).next().is_none());
    }

    #[test]
    fn malformed_lengths() {
        // Type without a length octet.
        assert_eq!(
            collect(&[0x00, 0x01]),
            vec![Ok((0, Ipv6Option::Pad1)), Err(Error::BadOption)]
        );
        // Data running past the area.
        assert_eq!(collect(&[0x3e, 0x03, 0, 0]), vec![Err(Error::BadOption)]);
        // Router Alert with length 3 (RFC 2711 §2.1 says 2), and 1.
        assert_eq!(collect(&[0x05, 0x03, 0, 0, 0]), vec![Err(Error::BadOption)]);
        assert_eq!(collect(&[0x05, 0x01, 0]), vec![Err(Error::BadOption)]);
        // Jumbo with length 2 (RFC 2675 §2 says 4).
        assert_eq!(collect(&[0xc2, 0x02, 0, 0]), vec![Err(Error::BadOption)]);
        // The iterator ends after an error.
        let mut it = OptionsIter::new(&[0x3e, 0x09, 0x00, 0x00]);
        assert!(matches!(it.next(), Some(Err(Error::BadOption))));
        assert!(it.next().is_none());
        assert_eq!(OptionsIter::validate(&[0x01]), Err(Error::BadOption));
    }

    #[test]
    fn truncated_at_every_length() {
        let option = [0xc2, 0x04, 0x00, 0x01, 0x11, 0x70];
        for n in 1..option.len() {
            assert_eq!(collect(&option[..n]), vec![Err(Error::BadOption)], "{n}");
        }
        let option = [0x3e, 0x02, 0x09, 0x08];
        for n in 1..option.len() {
            assert_eq!(collect(&option[..n]), vec![Err(Error::BadOption)], "{n}");
        }
    }

    #[test]
    fn emit_router_alert_as_in_mld() {
        // RFC 2711 §2.1 in a Hop-by-Hop header: options start at offset 2,
        // already 2n+0; then PadN(0) ends the header at 8 octets.
        let options = [Ipv6Option::RouterAlert(0)];
        assert_eq!(options_len(&options), 6);
        let mut buf = [0xa5; 6];
        assert_eq!(emit_options(&options, &mut buf), 6);
        assert_eq!(buf, [0x05, 0x02, 0x00, 0x00, 0x01, 0x00]);
    }

    #[test]
    fn emit_alignment_padding() {
        // Unknown (3 octets) at header offset 2..5; the Router Alert needs
        // 2n+0 so a Pad1 goes at 5; Router Alert at 6..10; Jumbo needs
        // 4n+2 and 10 % 4 == 2, so Jumbo at 10..16; the header ends at 16,
        // a multiple of 8, with no final padding.
        let options = [
            Ipv6Option::Unknown {
                kind: OptionType(0x1e),
                data: &[7],
            },
            Ipv6Option::RouterAlert(1),
            Ipv6Option::Jumbo(0x0001_0000),
        ];
        let len = options_len(&options);
        assert_eq!(len, 14);
        let mut buf = vec![0xa5; len];
        assert_eq!(emit_options(&options, &mut buf), len);
        assert_eq!(
            buf,
            [
                0x1e, 0x01, 0x07, // unknown
                0x00, // Pad1
                0x05, 0x02, 0x00, 0x01, // Router Alert
                0xc2, 0x04, 0x00, 0x01, 0x00, 0x00, // Jumbo
            ]
        );
        // Jumbo first: at offset 2, 4n+2 holds; RA at 8; PadN(2) to 16.
        let options = [Ipv6Option::Jumbo(70000), Ipv6Option::RouterAlert(0)];
        let mut buf = vec![0xa5; options_len(&options)];
        emit_options(&options, &mut buf);
        assert_eq!(
            buf,
            [
                0xc2, 0x04, 0x00, 0x01, 0x11, 0x70, 0x05, 0x02, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00
            ]
        );
        // No options: a PadN of 6 octets fills the 8-octet header.
        assert_eq!(options_len(&[]), 6);
        let mut buf = [0xa5; 6];
        emit_options(&[], &mut buf);
        assert_eq!(buf, [0x01, 0x04, 0, 0, 0, 0]);
    }

    #[test]
    fn emit_long_unknown_is_cut() {
        let data = [0x11; 300];
        let option = Ipv6Option::Unknown {
            kind: OptionType(0x1e),
            data: &data,
        };
        assert_eq!(option.buffer_len(), 257);
        let mut buf = vec![0; option.buffer_len()];
        assert_eq!(option.emit(&mut buf), 257);
        assert_eq!(buf[1], 255);
        // Padding longer than one PadN can hold.
        let mut buf = vec![0xa5; 300];
        emit_padding(&mut buf, 300);
        let items: Vec<_> = collect(&buf).into_iter().map(|r| r.unwrap().1).collect();
        assert_eq!(items, vec![Ipv6Option::PadN(255), Ipv6Option::PadN(41)]);
    }

    fn option_strategy() -> impl Strategy<Value = (u8, u8, Vec<u8>, u32)> {
        (
            0u8..6,
            any::<u8>().prop_filter("not recognised", |t| ![0x00, 0x01, 0x05, 0xc2].contains(t)),
            proptest::collection::vec(any::<u8>(), 0..20),
            any::<u32>(),
        )
    }

    fn make(spec: &(u8, u8, Vec<u8>, u32)) -> Ipv6Option<'_> {
        let (which, kind, data, v) = spec;
        match which {
            0 => Ipv6Option::Pad1,
            1 => Ipv6Option::PadN(*v as u8 % 8),
            2 => Ipv6Option::RouterAlert(*v as u16),
            3 => Ipv6Option::Jumbo(*v),
            _ => Ipv6Option::Unknown {
                kind: OptionType(*kind),
                data,
            },
        }
    }

    proptest! {
        #[test]
        fn emit_parse_round_trip(specs in proptest::collection::vec(option_strategy(), 0..8)) {
            let options: Vec<_> = specs.iter().map(make).collect();
            let len = options_len(&options);
            prop_assert_eq!((OPTIONS_OFFSET + len) % 8, 0);
            let mut buf = vec![0xa5; len];
            prop_assert_eq!(emit_options(&options, &mut buf), len);
            let mut parsed = Vec::new();
            for item in OptionsIter::with_base(&buf, OPTIONS_OFFSET) {
                let (offset, option) = item.unwrap();
                let (x, y) = option.alignment();
                prop_assert_eq!(offset % x, y);
                if !option.is_padding() {
                    parsed.push(option);
                }
            }
            let wanted: Vec<_> = options.iter().copied().filter(|o| !o.is_padding()).collect();
            prop_assert_eq!(parsed, wanted);
        }

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut end = 0;
            for item in OptionsIter::new(&data) {
                match item {
                    Ok((offset, option)) => {
                        prop_assert!(offset >= end);
                        end = offset + option.buffer_len();
                        prop_assert!(end <= data.len());
                        let _ = (option.option_type().action(), option.option_type().may_change());
                    }
                    Err(e) => prop_assert_eq!(e, Error::BadOption),
                }
            }
            let _ = OptionsIter::validate(&data);
        }
    }
}
