//! The IPv6 header chain walker (RFC 8200 §4, §4.1; RFC 7112).
//!
//! ```text
//! +---------------+------------+----------+----------+------------------
//! | IPv6 header   | Hop-by-Hop | Routing  | Fragment | upper-layer ...
//! | NH = HopByHop | NH = Route | NH = Frag| NH = TCP | (TCP header)
//! +---------------+------------+----------+----------+------------------
//!                  ^ offset 0 of `data`
//! ```
//!
//! [`HeaderChain`] starts from the IPv6 header's Next Header and the bytes
//! after the fixed header, steps over each extension header by its length
//! field, and yields:
//!
//! * one [`ChainItem::Header`] per extension header (Hop-by-Hop, Routing,
//!   Fragment, Destination Options, AH), with its offset and bytes, for the
//!   interface to parse with the header's own view;
//! * then exactly one final item: [`ChainItem::UpperLayer`] where the
//!   upper-layer header (or No Next Header, or ESP, which is opaque)
//!   starts, or [`ChainItem::NonFirstFragment`] when a Fragment header
//!   with a non-zero offset makes the rest unparseable.
//!
//! On a rule violation it yields one [`ChainError`] (with the offset the
//! ICMPv6 Parameter Problem pointer needs) and ends.
//!
//! Offsets count from the first byte after the IPv6 fixed header: add
//! [`crate::wire::ipv6::HEADER_LEN`] for an ICMPv6 pointer.

use core::fmt;

use crate::wire::Error;
use crate::wire::ip::IpProtocol;

use super::fragment;

/// The most extension headers the walker steps over before giving up with
/// `Error::Unsupported`. RFC 8200 §4.1 expects each header at most once
/// (Destination Options twice); this bound keeps the walk short on hostile
/// input.
pub const MAX_EXT_HEADERS: usize = 16;

/// One extension header found in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ExtHeader<'a> {
    /// Which header this is.
    pub kind: IpProtocol,
    /// Where it starts, from the first byte after the IPv6 fixed header.
    pub offset: usize,
    /// Its Next Header field: what follows it.
    pub next_header: IpProtocol,
    /// Its bytes, exactly as long as its length field says.
    pub bytes: &'a [u8],
}

impl ExtHeader<'_> {
    /// The header length in octets.
    pub const fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always false: every extension header is at least 8 octets long.
    pub const fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// What the walker yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ChainItem<'a> {
    /// An extension header the walker stepped over.
    Header(ExtHeader<'a>),
    /// The end of the chain: the upper-layer header starts at `offset`.
    ///
    /// `protocol` may be `Ipv6NoNxt` (RFC 8200 §4.7: nothing follows;
    /// trailing bytes are ignored), `Esp` (opaque, RFC 4303) or a protocol
    /// the caller does not know (RFC 8200 §4: Parameter Problem code 1,
    /// pointing at the Next Header field that named it: the last
    /// [`ExtHeader`]'s offset, or the IPv6 header's Next Header field).
    UpperLayer {
        /// The upper-layer protocol.
        protocol: IpProtocol,
        /// Where its header starts (`<= data.len()`).
        offset: usize,
        /// Whether the chain went through the Fragment header of a first
        /// fragment (offset 0, M set). RFC 7112 §5 then requires the whole
        /// upper-layer header to be in this buffer: if the upper layer's
        /// `check_len` on `&data[offset..]` fails, drop the packet (and
        /// MAY send Parameter Problem code 3 with pointer 0).
        first_fragment: bool,
    },
    /// The end of the chain at the Fragment header of a non-first fragment
    /// (offset != 0): the bytes from `offset` are fragment data, to be
    /// reassembled before anything more is parsed (RFC 8200 §4.5).
    NonFirstFragment {
        /// The Fragment header's Next Header field.
        next_header: IpProtocol,
        /// Where the fragment data starts (just after the Fragment header).
        offset: usize,
    },
}

/// Why the walk stopped early, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ChainError {
    /// What went wrong:
    ///
    /// * `BadField`: a Hop-by-Hop header somewhere other than first
    ///   (RFC 8200 §4.1); `offset` is the Next Header field that named it,
    ///   the pointer of the Parameter Problem code 1 RFC 8200 §4 asks for.
    /// * `Truncated`: an extension header runs past the data; `offset` is
    ///   where it starts.
    /// * `Unsupported`: more than [`MAX_EXT_HEADERS`] extension headers;
    ///   `offset` is where the first one too many starts.
    pub error: Error,
    /// The offset of the fault, from the first byte after the IPv6 fixed
    /// header.
    pub offset: usize,
    /// Whether the walk had gone through the Fragment header of a first
    /// fragment. A `Truncated` chain in a first fragment violates RFC 7112
    /// §5 (Parameter Problem code 3, pointer 0).
    pub first_fragment: bool,
}

impl From<ChainError> for Error {
    fn from(e: ChainError) -> Error {
        e.error
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.error, self.offset)
    }
}

impl core::error::Error for ChainError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Walk,
    NonFirst {
        next_header: IpProtocol,
        offset: usize,
    },
    Done,
}

/// A walker over the IPv6 extension-header chain. See the module
/// documentation.
#[derive(Debug, Clone)]
pub struct HeaderChain<'a> {
    data: &'a [u8],
    next: IpProtocol,
    offset: usize,
    /// The offset of the Next Header field that holds `next`; `None` for
    /// the IPv6 fixed header's.
    next_field: Option<usize>,
    count: usize,
    first_fragment: bool,
    state: State,
}

impl<'a> HeaderChain<'a> {
    /// Walk the chain that starts with `first` (the IPv6 header's Next
    /// Header) over `data` (the IPv6 payload, up to Payload Length).
    pub const fn new(first: IpProtocol, data: &'a [u8]) -> HeaderChain<'a> {
        HeaderChain {
            data,
            next: first,
            offset: 0,
            next_field: None,
            count: 0,
            first_fragment: false,
            state: State::Walk,
        }
    }

    /// Where the next item starts.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// Whether the walk has gone through the Fragment header of a first
    /// fragment (RFC 7112).
    pub const fn first_fragment(&self) -> bool {
        self.first_fragment
    }

    fn fail(&mut self, error: Error, offset: usize) -> Option<Result<ChainItem<'a>, ChainError>> {
        self.state = State::Done;
        Some(Err(ChainError {
            error,
            offset,
            first_fragment: self.first_fragment,
        }))
    }

    fn step(&mut self) -> Option<Result<ChainItem<'a>, ChainError>> {
        let kind = self.next;
        let start = self.offset;
        // RFC 8200 §4.1: the Hop-by-Hop Options header, when present, must
        // immediately follow the IPv6 header; RFC 8200 §4: a Next Header of
        // zero in any header other than the IPv6 header is an unrecognised
        // Next Header (code 1).
        if let (IpProtocol::HopByHop, Some(field)) = (kind, self.next_field) {
            return self.fail(Error::BadField, field);
        }
        // ESP is not in this set: what follows it is encrypted (RFC 4303).
        if !kind.is_ipv6_extension() {
            self.state = State::Done;
            return Some(Ok(ChainItem::UpperLayer {
                protocol: kind,
                offset: start,
                first_fragment: self.first_fragment,
            }));
        }
        if self.count >= MAX_EXT_HEADERS {
            return self.fail(Error::Unsupported, start);
        }
        let rest = self.data.get(start..).unwrap_or(&[]);
        let len = match (kind, rest.get(1)) {
            // RFC 8200 §4.5: the Fragment header is 8 octets.
            (IpProtocol::Ipv6Frag, _) => fragment::HEADER_LEN,
            // RFC 4302 §2.2: AH Payload Len is its length in 4-octet units
            // minus 2.
            (IpProtocol::Ah, Some(&l)) => (usize::from(l) + 2) * 4,
            // RFC 8200 §4.3, §4.4, §4.6: Hdr Ext Len in 8-octet units, not
            // counting the first 8.
            (_, Some(&l)) => (usize::from(l) + 1) * 8,
            (_, None) => return self.fail(Error::Truncated, start),
        };
        let bytes = match rest.get(..len) {
            Some(b) => b,
            None => return self.fail(Error::Truncated, start),
        };
        // `len >= 8` in every arm, so bytes[0] and bytes[2..4] exist.
        let next_header = IpProtocol::from(bytes[0]);
        if kind == IpProtocol::Ipv6Frag {
            let fr_of_m = u16::from_be_bytes([bytes[2], bytes[3]]);
            if fr_of_m & fragment::MAX_FRAG_OFFSET != 0 {
                // RFC 8200 §4.5: the headers after the Fragment header of
                // a non-first fragment are somewhere else.
                self.state = State::NonFirst {
                    next_header,
                    offset: start + len,
                };
            } else if fr_of_m & 1 != 0 {
                // Offset 0 with M set: a first fragment (an atomic
                // fragment, M clear, is a whole packet, RFC 6946 §4).
                self.first_fragment = true;
            }
        }
        self.count += 1;
        self.next = next_header;
        self.next_field = Some(start);
        self.offset = start + len;
        Some(Ok(ChainItem::Header(ExtHeader {
            kind,
            offset: start,
            next_header,
            bytes,
        })))
    }
}

impl<'a> Iterator for HeaderChain<'a> {
    type Item = Result<ChainItem<'a>, ChainError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.state {
            State::Done => None,
            State::NonFirst {
                next_header,
                offset,
            } => {
                self.state = State::Done;
                Some(Ok(ChainItem::NonFirstFragment {
                    next_header,
                    offset,
                }))
            }
            State::Walk => self.step(),
        }
    }
}

impl core::iter::FusedIterator for HeaderChain<'_> {}

/// Walk the chain and say where the upper-layer header starts:
/// `(protocol, offset)` with `offset` counted from `data[0]`.
///
/// For a non-first fragment this is `(IpProtocol::Ipv6Frag, offset of the
/// Fragment header)`: reassemble before looking further. Errors are those
/// of [`ChainError`], without the offset.
pub fn upper_layer(first: IpProtocol, data: &[u8]) -> crate::wire::Result<(IpProtocol, usize)> {
    for item in HeaderChain::new(first, data) {
        match item? {
            ChainItem::Header(_) => {}
            ChainItem::UpperLayer {
                protocol, offset, ..
            } => return Ok((protocol, offset)),
            ChainItem::NonFirstFragment { offset, .. } => {
                return Ok((
                    IpProtocol::Ipv6Frag,
                    offset.saturating_sub(fragment::HEADER_LEN),
                ));
            }
        }
    }
    // The walker always ends with a final item or an error.
    Err(Error::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    // Extension headers built by hand from RFC 8200 §4.3-§4.6 and RFC 4302
    // §2: each the shortest legal one, with `next` as its Next Header.

    /// Hop-by-Hop or Destination Options: Hdr Ext Len 0, one PadN of 6.
    fn opts(next: u8) -> Vec<u8> {
        vec![next, 0x00, 0x01, 0x04, 0, 0, 0, 0]
    }
    /// Routing, type 4 (SRH, kept raw), Segments Left 0, Hdr Ext Len 1.
    fn routing(next: u8) -> Vec<u8> {
        vec![next, 0x01, 0x04, 0x00, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]
    }
    /// Fragment: offset in octets (a multiple of 8), M flag, ident 7.
    fn frag(next: u8, offset: u16, m: bool) -> Vec<u8> {
        let w = offset | u16::from(m);
        vec![next, 0, (w >> 8) as u8, w as u8, 0, 0, 0, 7]
    }
    /// AH: Payload Len 2 = (16 / 4) - 2: SPI, sequence, a 4-octet ICV.
    fn ah(next: u8) -> Vec<u8> {
        vec![
            next, 0x02, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd,
        ]
    }

    const HBH: u8 = 0;
    const TCP: u8 = 6;
    const UDP: u8 = 17;
    const ROUTE: u8 = 43;
    const FRAG: u8 = 44;
    const ESP: u8 = 50;
    const AH: u8 = 51;
    const NONXT: u8 = 59;
    const OPTS: u8 = 60;

    fn walk(first: u8, data: &[u8]) -> Vec<Result<ChainItem<'_>, ChainError>> {
        HeaderChain::new(IpProtocol::from(first), data).collect()
    }

    fn kinds(items: &[Result<ChainItem<'_>, ChainError>]) -> Vec<(IpProtocol, usize)> {
        items
            .iter()
            .filter_map(|i| match i {
                Ok(ChainItem::Header(h)) => Some((h.kind, h.offset)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn full_chain() {
        // IPv6 NH=HBH | HBH NH=Route | Route NH=Frag | Frag (atomic)
        // NH=DestOpts | DestOpts NH=AH | AH NH=TCP | 20 TCP octets.
        let mut data = Vec::new();
        data.extend(opts(ROUTE));
        data.extend(routing(FRAG));
        data.extend(frag(OPTS, 0, false));
        data.extend(opts(AH));
        data.extend(ah(TCP));
        data.extend([0x55; 20]);
        let items = walk(HBH, &data);
        assert_eq!(
            kinds(&items),
            vec![
                (IpProtocol::HopByHop, 0),
                (IpProtocol::Ipv6Route, 8),
                (IpProtocol::Ipv6Frag, 24),
                (IpProtocol::Ipv6Opts, 32),
                (IpProtocol::Ah, 40),
            ]
        );
        assert_eq!(
            items.last(),
            Some(&Ok(ChainItem::UpperLayer {
                protocol: IpProtocol::Tcp,
                offset: 56,
                first_fragment: false
            }))
        );
        assert_eq!(items.len(), 6);
        // Each header's bytes are its own.
        if let Ok(ChainItem::Header(h)) = items[1] {
            assert_eq!(h.bytes, &routing(FRAG)[..]);
            assert_eq!(h.len(), 16);
            assert!(!h.is_empty());
            assert_eq!(h.next_header, IpProtocol::Ipv6Frag);
        } else {
            panic!()
        }
        assert_eq!(
            upper_layer(IpProtocol::HopByHop, &data),
            Ok((IpProtocol::Tcp, 56))
        );
    }

    #[test]
    fn no_extension_headers() {
        let data = [0u8; 8];
        assert_eq!(
            walk(UDP, &data),
            vec![Ok(ChainItem::UpperLayer {
                protocol: IpProtocol::Udp,
                offset: 0,
                first_fragment: false
            })]
        );
        // An empty payload still ends the walk at offset 0.
        assert_eq!(upper_layer(IpProtocol::Tcp, &[]), Ok((IpProtocol::Tcp, 0)));
        // RFC 8200 §4.7: No Next Header; trailing bytes ignored.
        let mut data = opts(NONXT);
        data.extend([1, 2, 3]);
        assert_eq!(
            upper_layer(IpProtocol::Ipv6Opts, &data),
            Ok((IpProtocol::Ipv6NoNxt, 8))
        );
        // ESP stops the walk: what follows is opaque.
        let mut data = opts(ESP);
        data.extend([0xee; 16]);
        assert_eq!(
            upper_layer(IpProtocol::HopByHop, &data),
            Ok((IpProtocol::Esp, 8))
        );
        // An unknown protocol is the caller's problem.
        assert_eq!(
            upper_layer(IpProtocol::from(253), &data),
            Ok((IpProtocol(253), 0))
        );
    }

    #[test]
    fn hop_by_hop_not_first() {
        // Destination Options whose Next Header names Hop-by-Hop.
        let mut data = opts(HBH);
        data.extend(opts(TCP));
        let items = walk(OPTS, &data);
        assert_eq!(kinds(&items), vec![(IpProtocol::Ipv6Opts, 0)]);
        // RFC 8200 §4: the pointer is the Next Header field holding 0.
        assert_eq!(
            items.last(),
            Some(&Err(ChainError {
                error: Error::BadField,
                offset: 0,
                first_fragment: false
            }))
        );
        // Deeper: HBH, Routing (at 8) naming HBH again.
        let mut data = opts(ROUTE);
        data.extend(routing(HBH));
        data.extend(opts(TCP));
        let err = walk(HBH, &data).pop().unwrap().unwrap_err();
        assert_eq!((err.error, err.offset), (Error::BadField, 8));
        assert_eq!(
            upper_layer(IpProtocol::HopByHop, &data),
            Err(Error::BadField)
        );
        assert_eq!(Error::from(err), Error::BadField);
    }

    #[test]
    fn each_header_truncated_at_every_length() {
        for (kind, header) in [
            (HBH, opts(UDP)),
            (OPTS, opts(UDP)),
            (ROUTE, routing(UDP)),
            (FRAG, frag(UDP, 0, false)),
            (AH, ah(UDP)),
        ] {
            // Hop-by-Hop must be first: test it alone. The others sit
            // behind a Hop-by-Hop header, so the fault offset is 8.
            let (first, start, data) = if kind == HBH {
                (HBH, 0, header.clone())
            } else {
                let mut data = opts(kind);
                data.extend(&header);
                (HBH, 8, data)
            };
            for n in start..start + header.len() {
                let err = walk(first, &data[..n]).pop().unwrap().unwrap_err();
                assert_eq!(
                    (err.error, err.offset),
                    (Error::Truncated, start),
                    "{kind} {n}"
                );
            }
            assert!(walk(first, &data).pop().unwrap().is_ok());
        }
    }

    #[test]
    fn long_chains() {
        let chain = |n: usize| {
            let mut data = Vec::new();
            for i in 0..n {
                data.extend(opts(if i + 1 == n { UDP } else { OPTS }));
            }
            data
        };
        // MAX_EXT_HEADERS headers are fine ...
        let data = chain(MAX_EXT_HEADERS);
        assert_eq!(
            upper_layer(IpProtocol::Ipv6Opts, &data),
            Ok((IpProtocol::Udp, 8 * MAX_EXT_HEADERS))
        );
        // ... one more is not.
        let data = chain(MAX_EXT_HEADERS + 1);
        let items = walk(OPTS, &data);
        assert_eq!(items.len(), MAX_EXT_HEADERS + 1);
        assert_eq!(
            items.last(),
            Some(&Err(ChainError {
                error: Error::Unsupported,
                offset: 8 * MAX_EXT_HEADERS,
                first_fragment: false
            }))
        );
    }

    #[test]
    fn first_fragment_continues() {
        // HBH | Frag(offset 0, M) | DestOpts | UDP header.
        let mut data = opts(FRAG);
        data.extend(frag(OPTS, 0, true));
        data.extend(opts(UDP));
        data.extend([0x11; 8]);
        let mut chain = HeaderChain::new(IpProtocol::HopByHop, &data);
        assert!(!chain.first_fragment());
        assert_eq!(
            chain
                .by_ref()
                .filter(|i| matches!(i, Ok(ChainItem::Header(_))))
                .count(),
            3
        );
        assert!(chain.first_fragment());
        assert_eq!(chain.offset(), 24);
        let items = walk(HBH, &data);
        assert_eq!(
            items.last(),
            Some(&Ok(ChainItem::UpperLayer {
                protocol: IpProtocol::Udp,
                offset: 24,
                first_fragment: true
            }))
        );
        // RFC 7112: the chain cut inside the first fragment is flagged.
        let err = walk(HBH, &data[..20]).pop().unwrap().unwrap_err();
        assert_eq!(
            err,
            ChainError {
                error: Error::Truncated,
                offset: 16,
                first_fragment: true
            }
        );
        // An atomic fragment (RFC 6946) is not a first fragment.
        let mut data = frag(UDP, 0, false);
        data.extend([0x11; 8]);
        assert_eq!(
            walk(FRAG, &data).pop(),
            Some(Ok(ChainItem::UpperLayer {
                protocol: IpProtocol::Udp,
                offset: 8,
                first_fragment: false
            }))
        );
    }

    #[test]
    fn non_first_fragment_ends_the_walk() {
        // HBH | Frag(offset 1480, M) | data that looks like a header.
        let mut data = opts(FRAG);
        data.extend(frag(HBH, 1480, true));
        data.extend(opts(TCP));
        let items = walk(HBH, &data);
        assert_eq!(items.len(), 3);
        assert_eq!(
            kinds(&items),
            vec![(IpProtocol::HopByHop, 0), (IpProtocol::Ipv6Frag, 8)]
        );
        assert_eq!(
            items[2],
            Ok(ChainItem::NonFirstFragment {
                next_header: IpProtocol::HopByHop,
                offset: 16
            })
        );
        assert_eq!(
            upper_layer(IpProtocol::HopByHop, &data),
            Ok((IpProtocol::Ipv6Frag, 8))
        );
        // The last fragment (M clear) too, even with no data.
        let data = frag(UDP, 8, false);
        assert_eq!(
            walk(FRAG, &data).pop(),
            Some(Ok(ChainItem::NonFirstFragment {
                next_header: IpProtocol::Udp,
                offset: 8
            }))
        );
    }

    #[test]
    fn iterator_is_fused() {
        let data = opts(HBH);
        let mut chain = HeaderChain::new(IpProtocol::Ipv6Opts, &data);
        assert!(matches!(chain.next(), Some(Ok(ChainItem::Header(_)))));
        assert!(matches!(chain.next(), Some(Err(_))));
        assert!(chain.next().is_none());
        assert!(chain.next().is_none());
        let mut chain = HeaderChain::new(IpProtocol::Tcp, &data);
        assert!(chain.next().is_some());
        assert!(chain.next().is_none());
    }

    fn header_strategy() -> impl Strategy<Value = u8> {
        prop_oneof![Just(OPTS), Just(ROUTE), Just(FRAG), Just(AH)]
    }

    proptest! {
        #[test]
        fn built_chains_walk_back(hbh in any::<bool>(), kinds_in in proptest::collection::vec(header_strategy(), 0..MAX_EXT_HEADERS), upper in prop_oneof![Just(TCP), Just(UDP), Just(NONXT), Just(58u8)]) {
            let mut list: Vec<u8> = Vec::new();
            if hbh {
                list.push(HBH);
            }
            list.extend(kinds_in.iter().take(MAX_EXT_HEADERS - usize::from(hbh)));
            let mut data = Vec::new();
            let mut wanted = Vec::new();
            for (i, &k) in list.iter().enumerate() {
                let next = list.get(i + 1).copied().unwrap_or(upper);
                let h = match k {
                    HBH | OPTS => opts(next),
                    ROUTE => routing(next),
                    FRAG => frag(next, 0, false),
                    _ => ah(next),
                };
                wanted.push((IpProtocol::from(k), data.len()));
                data.extend(h);
            }
            let end = data.len();
            data.extend([0u8; 20]);
            let first = list.first().copied().unwrap_or(upper);
            let items = walk(first, &data);
            prop_assert_eq!(kinds(&items), wanted);
            prop_assert_eq!(upper_layer(IpProtocol::from(first), &data), Ok((IpProtocol::from(upper), end)));
        }

        #[test]
        fn random_bytes_never_panic(first in any::<u8>(), data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut last_end = 0;
            let mut finals = 0;
            let mut errors = 0;
            for item in HeaderChain::new(IpProtocol::from(first), &data) {
                match item {
                    Ok(ChainItem::Header(h)) => {
                        prop_assert_eq!(h.offset, last_end);
                        prop_assert!(h.len() >= 8);
                        last_end = h.offset + h.len();
                        prop_assert!(last_end <= data.len());
                    }
                    Ok(ChainItem::UpperLayer { offset, .. }) | Ok(ChainItem::NonFirstFragment { offset, .. }) => {
                        prop_assert_eq!(offset, last_end);
                        finals += 1;
                    }
                    Err(e) => {
                        prop_assert!(e.offset <= data.len());
                        errors += 1;
                    }
                }
            }
            prop_assert_eq!(finals + errors, 1);
            let _ = upper_layer(IpProtocol::from(first), &data);
        }
    }
}
