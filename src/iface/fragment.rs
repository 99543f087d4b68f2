//! Fragmentation on transmit: IPv4 (RFC 791 §3.2, RFC 1191 for Don't
//! Fragment) and IPv6 source fragmentation (RFC 8200 §4.5, identifications
//! per RFC 7739).
//!
//! A fragmenter is built from the packet to send and the MTU, then writes
//! one fragment per call straight into a caller buffer — a device TX token
//! — so fragmentation allocates nothing and copies each byte once:
//!
//! ```text
//! while let Some(len) = fragmenter.next_len() {
//!     let token = device.transmit(now)?;       // interface code
//!     token.consume(len, |buf| fragmenter.next_fragment(buf));
//! }
//! ```
//!
//! A packet that already fits the MTU comes out as one unfragmented packet,
//! so the interface may send everything through a fragmenter.

#[cfg(feature = "proto-ipv6")]
use crate::rand::Rand;
#[cfg(feature = "proto-ipv4")]
use crate::wire::checksum::Checksum;
#[cfg(feature = "proto-ipv6")]
use crate::wire::ip::IpProtocol;
#[cfg(feature = "proto-ipv4")]
use crate::wire::ipv4;
#[cfg(feature = "proto-ipv6")]
use crate::wire::ipv6;
#[cfg(feature = "proto-ipv6")]
use crate::wire::ipv6ext::{self, ChainItem, HeaderChain};

// The round trips need both families and the reassembler.
#[cfg(all(
    test,
    feature = "proto-ipv4-fragmentation",
    feature = "proto-ipv6-fragmentation"
))]
// Tests link std; `alloc` is not always enabled, so std's re-exports it is.
#[allow(clippy::std_instead_of_alloc)]
mod tests;

/// Fragment data is cut in units of 8 octets (RFC 791 §3.2, RFC 8200
/// §4.5).
pub const FRAGMENT_UNIT: usize = 8;

/// The smallest IPv4 MTU: "Every internet module must be able to forward a
/// datagram of 68 octets without further fragmentation" (RFC 791 §3.2).
pub const IPV4_MIN_MTU: usize = 68;

/// Why a packet cannot be fragmented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FragmentError {
    /// The IPv4 datagram has Don't Fragment set and is larger than `mtu`
    /// (RFC 791 §3.2: it is not fragmented; RFC 1191 §3). For a local
    /// socket this is `EMSGSIZE` / ICMP "fragmentation needed" with `mtu`.
    DontFragment {
        /// The MTU the datagram did not fit.
        mtu: usize,
    },
    /// The MTU leaves no room for 8 octets of data after the headers, or is
    /// below the family minimum (68 for IPv4, RFC 791 §3.2; 1280 for IPv6,
    /// RFC 8200 §5).
    MtuTooSmall,
    /// The packet is longer than its length field can say (65,535).
    TooLong,
    /// The IPv4 options area does not parse.
    BadOptions,
    /// The unfragmentable length given for an IPv6 packet does not end on
    /// an extension-header boundary, or covers headers other than
    /// Hop-by-Hop, Routing and the Destination Options before Routing
    /// (RFC 8200 §4.5), or the packet is already a fragment.
    BadUnfragmentablePart,
}

/// The data length of the next fragment: everything left when it fits
/// after a `header_len` header in `mtu`, else the most 8-octet units that
/// fit. `None` when no unit fits.
fn next_data_len(mtu: usize, header_len: usize, remaining: usize) -> Option<usize> {
    let room = mtu.checked_sub(header_len)?;
    if remaining <= room {
        return Some(remaining);
    }
    // RFC 791 §3.2, RFC 8200 §4.5: every fragment but the last carries a
    // multiple of 8 octets.
    let data = room - room % FRAGMENT_UNIT;
    (data > 0).then_some(data)
}

/// Cuts one IPv4 datagram into fragments (RFC 791 §3.2).
#[cfg(feature = "proto-ipv4")]
#[derive(Debug, Clone)]
pub struct Ipv4Fragmenter<'p> {
    repr: ipv4::Repr<'p>,
    payload: &'p [u8],
    /// The options of every fragment but the first: those whose copied
    /// flag is set (RFC 791 §3.1).
    later_options: [u8; ipv4::MAX_OPTIONS_LEN],
    later_options_len: usize,
    mtu: usize,
    checksum: Checksum,
    /// Payload bytes already written.
    sent: usize,
    /// Whether the whole datagram fits `mtu` (one packet, unchanged).
    whole: bool,
    done: bool,
}

#[cfg(feature = "proto-ipv4")]
impl<'p> Ipv4Fragmenter<'p> {
    /// Prepare to send `payload` under the header `repr` (its
    /// `payload_len` is replaced by `payload.len()`; `ident` is used as
    /// given, unique per RFC 6864 §4.1 being the caller's choice) over a
    /// link of `mtu` bytes, checksums per `checksum`.
    pub fn new(
        repr: ipv4::Repr<'p>,
        payload: &'p [u8],
        mtu: usize,
        checksum: Checksum,
    ) -> Result<Ipv4Fragmenter<'p>, FragmentError> {
        let repr = ipv4::Repr {
            payload_len: payload.len(),
            ..repr
        };
        // RFC 791 §3.1: Total Length is 16 bits.
        if repr.total_len() > ipv4::MAX_PACKET_LEN || repr.options.len() > ipv4::MAX_OPTIONS_LEN {
            return Err(FragmentError::TooLong);
        }
        let mut fragmenter = Ipv4Fragmenter {
            repr,
            payload,
            later_options: [0; ipv4::MAX_OPTIONS_LEN],
            later_options_len: 0,
            mtu,
            checksum,
            sent: 0,
            whole: repr.total_len() <= mtu,
            done: false,
        };
        if fragmenter.whole {
            return Ok(fragmenter);
        }
        // RFC 791 §3.2: "If the Don't Fragment flag (DF) bit is set, then
        // internet fragmentation of this datagram is NOT permitted".
        if repr.dont_frag {
            return Err(FragmentError::DontFragment { mtu });
        }
        if mtu < IPV4_MIN_MTU {
            return Err(FragmentError::MtuTooSmall);
        }
        // RFC 791 §3.1, §3.2: only options with the copied flag go into
        // the fragments after the first.
        let n = ipv4::copied_options(repr.options, &mut fragmenter.later_options)
            .map_err(|_| FragmentError::BadOptions)?
            .len();
        fragmenter.later_options_len = n;
        let later_header = ipv4::HEADER_LEN + n;
        if mtu < repr.header_len() + FRAGMENT_UNIT || mtu < later_header + FRAGMENT_UNIT {
            return Err(FragmentError::MtuTooSmall);
        }
        Ok(fragmenter)
    }

    /// The header of the next fragment and its data length.
    fn next_repr(&self) -> Option<(ipv4::Repr<'_>, usize)> {
        if self.done {
            return None;
        }
        if self.whole {
            return Some((self.repr, self.payload.len()));
        }
        let first = self.sent == 0;
        let options = if first {
            self.repr.options
        } else {
            self.later_options.get(..self.later_options_len)?
        };
        let base = ipv4::Repr {
            options,
            ..self.repr
        };
        let remaining = self.payload.len() - self.sent;
        let data = next_data_len(self.mtu, base.header_len(), remaining)?;
        let last = data == remaining;
        // `sent` is at most 65,535 - 20: fits the 16-bit offset.
        let offset = u16::try_from(self.sent).ok()?;
        Some((base.fragment(offset, data, last), data))
    }

    /// The length of the next fragment packet, or `None` when all are
    /// written.
    pub fn next_len(&self) -> Option<usize> {
        self.next_repr().map(|(r, _)| r.total_len())
    }

    /// Write the next fragment packet at the start of `buf` and return its
    /// length. `None` when every fragment is written, or when `buf` is
    /// shorter than [`Ipv4Fragmenter::next_len`] (then nothing is written
    /// and the same fragment comes next time).
    pub fn next_fragment(&mut self, buf: &mut [u8]) -> Option<usize> {
        let (repr, data) = self.next_repr()?;
        let len = repr.total_len();
        let buf = buf.get_mut(..len)?;
        let payload = self.payload.get(self.sent..self.sent + data)?;
        let mut packet = ipv4::Packet::new_unchecked(buf);
        repr.emit(&mut packet, self.checksum);
        packet.payload_mut().copy_from_slice(payload);
        self.sent += data;
        self.done = self.sent >= self.payload.len();
        Some(len)
    }

    /// Whether every fragment has been written.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// How many packets the datagram becomes (for `FragCreates`).
    pub fn fragment_count(&self) -> usize {
        let mut copy = self.clone();
        copy.sent = 0;
        copy.done = false;
        let mut n = 0;
        while let Some((_, data)) = copy.next_repr() {
            n += 1;
            copy.sent += data;
            copy.done = copy.sent >= copy.payload.len();
        }
        n
    }
}

/// Cuts one IPv6 packet into fragments at its source (RFC 8200 §4.5).
#[cfg(feature = "proto-ipv6")]
#[derive(Debug, Clone)]
pub struct Ipv6Fragmenter<'p> {
    repr: ipv6::Repr,
    /// The extension headers every fragment repeats.
    unfragmentable: &'p [u8],
    /// The rest, cut into fragments.
    fragmentable: &'p [u8],
    /// Where, in `unfragmentable`, the Next Header field that must name
    /// the Fragment header is (`None`: the fixed header's).
    next_header_field: Option<usize>,
    /// The Fragment header's Next Header: the first header of the
    /// fragmentable part.
    fragment_next_header: IpProtocol,
    ident: u32,
    mtu: usize,
    sent: usize,
    whole: bool,
    done: bool,
}

#[cfg(feature = "proto-ipv6")]
impl<'p> Ipv6Fragmenter<'p> {
    /// Prepare to send the packet with fixed header `repr` and `payload`
    /// (every byte after the fixed header; `repr.payload_len` is replaced by
    /// its length) over a path of `mtu` bytes. The first
    /// `unfragmentable_len` bytes of `payload` are the unfragmentable part
    /// (RFC 8200 §4.5: Hop-by-Hop, Routing, and Destination Options before
    /// a Routing header), repeated in every fragment.
    ///
    /// The Identification is drawn from `rand` (RFC 7739 §5: unpredictable,
    /// not a global counter) when the packet needs fragments.
    pub fn new(
        repr: ipv6::Repr,
        payload: &'p [u8],
        unfragmentable_len: usize,
        mtu: usize,
        rand: &mut Rand,
    ) -> Result<Ipv6Fragmenter<'p>, FragmentError> {
        // RFC 8200 §3: Payload Length is 16 bits (jumbograms are not sent).
        let payload_len = u16::try_from(payload.len()).map_err(|_| FragmentError::TooLong)?;
        let repr = ipv6::Repr {
            payload_len,
            ..repr
        };
        let (unfragmentable, fragmentable) = payload
            .split_at_checked(unfragmentable_len)
            .ok_or(FragmentError::BadUnfragmentablePart)?;
        let mut fragmenter = Ipv6Fragmenter {
            repr,
            unfragmentable,
            fragmentable,
            next_header_field: None,
            fragment_next_header: repr.next_header,
            ident: 0,
            mtu,
            sent: 0,
            whole: ipv6::HEADER_LEN + payload.len() <= mtu,
            done: false,
        };
        if fragmenter.whole {
            return Ok(fragmenter);
        }
        // RFC 8200 §5: every link has an MTU of at least 1280 octets; a
        // smaller path MTU is not used (RFC 8201 §4).
        if mtu < ipv6::MIN_MTU {
            return Err(FragmentError::MtuTooSmall);
        }
        // Nothing to cut: the headers alone exceed the MTU.
        if fragmenter.fragmentable.is_empty() {
            return Err(FragmentError::MtuTooSmall);
        }
        if unfragmentable_len > 0 {
            let (field, next) =
                Self::last_unfragmentable(repr.next_header, payload, unfragmentable_len)?;
            fragmenter.next_header_field = Some(field);
            fragmenter.fragment_next_header = next;
        } else if repr.next_header == IpProtocol::Ipv6Frag {
            return Err(FragmentError::BadUnfragmentablePart);
        }
        if mtu < fragmenter.header_len() + FRAGMENT_UNIT {
            return Err(FragmentError::MtuTooSmall);
        }
        // RFC 7739 §5: unpredictable Identification values.
        fragmenter.ident = rand.rand_u32();
        Ok(fragmenter)
    }

    /// Walk the unfragmentable part; the offset of the Next Header field
    /// of its last header and the value that field holds.
    fn last_unfragmentable(
        first: IpProtocol,
        payload: &[u8],
        unfragmentable_len: usize,
    ) -> Result<(usize, IpProtocol), FragmentError> {
        for item in HeaderChain::new(first, payload) {
            let header = match item {
                Ok(ChainItem::Header(h)) => h,
                _ => break,
            };
            // RFC 8200 §4.5: the Unfragmentable Part is the headers up to
            // and including the Routing header, else the Hop-by-Hop header;
            // RFC 8200 §4.1 puts Destination Options before Routing.
            if !matches!(
                header.kind,
                IpProtocol::HopByHop | IpProtocol::Ipv6Route | IpProtocol::Ipv6Opts
            ) {
                break;
            }
            let end = header.offset + header.len();
            if end == unfragmentable_len {
                // The Next Header field is the first octet of every
                // extension header (RFC 8200 §4.3-§4.6).
                return Ok((header.offset, header.next_header));
            }
            if end > unfragmentable_len {
                break;
            }
        }
        Err(FragmentError::BadUnfragmentablePart)
    }

    /// The bytes before the data in each fragment packet.
    fn header_len(&self) -> usize {
        ipv6::HEADER_LEN + self.unfragmentable.len() + ipv6ext::fragment::HEADER_LEN
    }

    /// The data length of the next fragment.
    fn next_data(&self) -> Option<usize> {
        if self.done {
            return None;
        }
        if self.whole {
            return Some(self.fragmentable.len());
        }
        next_data_len(
            self.mtu,
            self.header_len(),
            self.fragmentable.len() - self.sent,
        )
    }

    /// The Identification of the fragments (0 when the packet fits).
    pub fn ident(&self) -> u32 {
        self.ident
    }

    /// The length of the next packet, or `None` when all are written.
    pub fn next_len(&self) -> Option<usize> {
        let data = self.next_data()?;
        if self.whole {
            return Some(ipv6::HEADER_LEN + self.unfragmentable.len() + data);
        }
        Some(self.header_len() + data)
    }

    /// Write the next packet at the start of `buf` and return its length.
    /// `None` when every fragment is written, or when `buf` is shorter
    /// than [`Ipv6Fragmenter::next_len`] (then nothing is written and the
    /// same fragment comes next time).
    pub fn next_fragment(&mut self, buf: &mut [u8]) -> Option<usize> {
        let data = self.next_data()?;
        let len = self.next_len()?;
        let buf = buf.get_mut(..len)?;
        let chunk = self.fragmentable.get(self.sent..self.sent + data)?;
        let (header, rest) = buf.split_at_mut_checked(ipv6::HEADER_LEN)?;
        let (unfragmentable, rest) = rest.split_at_mut_checked(self.unfragmentable.len())?;
        unfragmentable.copy_from_slice(self.unfragmentable);
        let mut repr = self.repr;
        let data_out = if self.whole {
            rest
        } else {
            // RFC 8200 §4.5: each fragment packet is the unfragmentable
            // part, with the last Next Header naming the Fragment header,
            // then the Fragment header, then the fragment.
            match self.next_header_field {
                Some(field) => {
                    *unfragmentable.get_mut(field)? = u8::from(IpProtocol::Ipv6Frag);
                }
                None => repr.next_header = IpProtocol::Ipv6Frag,
            }
            let (frag, data_out) = rest.split_at_mut_checked(ipv6ext::fragment::HEADER_LEN)?;
            let last = self.sent + data == self.fragmentable.len();
            let offset = u16::try_from(self.sent).ok()?;
            ipv6ext::fragment::Repr {
                next_header: self.fragment_next_header,
                frag_offset: offset,
                more_frags: !last,
                ident: self.ident,
            }
            .emit(&mut ipv6ext::fragment::Header::new_unchecked(frag));
            data_out
        };
        data_out.get_mut(..chunk.len())?.copy_from_slice(chunk);
        // `len <= 40 + 65535`, and `len - 40` is at most the original
        // payload length, which fit 16 bits.
        repr.payload_len = u16::try_from(len - ipv6::HEADER_LEN).ok()?;
        repr.emit(&mut ipv6::Packet::new_unchecked(header));
        self.sent += data;
        self.done = self.sent >= self.fragmentable.len();
        Some(len)
    }

    /// Whether every fragment has been written.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// How many packets the packet becomes (for `FragCreates`).
    pub fn fragment_count(&self) -> usize {
        if self.whole {
            return 1;
        }
        let header = self.header_len();
        let room = self.mtu.saturating_sub(header);
        let unit = room - room % FRAGMENT_UNIT;
        let len = self.fragmentable.len();
        if len <= room || unit == 0 {
            return 1;
        }
        // Full units until what is left fits in `room`.
        let mut n = 1;
        let mut left = len;
        while left > room {
            left -= unit;
            n += 1;
        }
        n
    }
}

/// Either family's fragmenter, for an interface loop that does not care
/// which.
#[cfg(any(feature = "proto-ipv4", feature = "proto-ipv6"))]
#[derive(Debug, Clone)]
pub enum Fragmenter<'p> {
    /// An IPv4 datagram.
    #[cfg(feature = "proto-ipv4")]
    Ipv4(Ipv4Fragmenter<'p>),
    /// An IPv6 packet.
    #[cfg(feature = "proto-ipv6")]
    Ipv6(Ipv6Fragmenter<'p>),
}

#[cfg(any(feature = "proto-ipv4", feature = "proto-ipv6"))]
impl Fragmenter<'_> {
    /// The length of the next packet, or `None` when all are written.
    pub fn next_len(&self) -> Option<usize> {
        match self {
            #[cfg(feature = "proto-ipv4")]
            Fragmenter::Ipv4(f) => f.next_len(),
            #[cfg(feature = "proto-ipv6")]
            Fragmenter::Ipv6(f) => f.next_len(),
        }
    }

    /// Write the next packet at the start of `buf`; its length. `None`
    /// when done or when `buf` is shorter than [`Fragmenter::next_len`].
    pub fn next_fragment(&mut self, buf: &mut [u8]) -> Option<usize> {
        match self {
            #[cfg(feature = "proto-ipv4")]
            Fragmenter::Ipv4(f) => f.next_fragment(buf),
            #[cfg(feature = "proto-ipv6")]
            Fragmenter::Ipv6(f) => f.next_fragment(buf),
        }
    }

    /// Whether every packet has been written.
    pub fn is_done(&self) -> bool {
        match self {
            #[cfg(feature = "proto-ipv4")]
            Fragmenter::Ipv4(f) => f.is_done(),
            #[cfg(feature = "proto-ipv6")]
            Fragmenter::Ipv6(f) => f.is_done(),
        }
    }

    /// How many packets the input becomes (for `FragCreates`).
    pub fn fragment_count(&self) -> usize {
        match self {
            #[cfg(feature = "proto-ipv4")]
            Fragmenter::Ipv4(f) => f.fragment_count(),
            #[cfg(feature = "proto-ipv6")]
            Fragmenter::Ipv6(f) => f.fragment_count(),
        }
    }
}

#[cfg(feature = "proto-ipv4")]
impl<'p> From<Ipv4Fragmenter<'p>> for Fragmenter<'p> {
    fn from(f: Ipv4Fragmenter<'p>) -> Self {
        Fragmenter::Ipv4(f)
    }
}

#[cfg(feature = "proto-ipv6")]
impl<'p> From<Ipv6Fragmenter<'p>> for Fragmenter<'p> {
    fn from(f: Ipv6Fragmenter<'p>) -> Self {
        Fragmenter::Ipv6(f)
    }
}
