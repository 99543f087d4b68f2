//! The wire layer: zero-copy views and high-level representations of every
//! protocol ferrotcp speaks.
//!
//! # Shape of a protocol module
//!
//! Each protocol module offers:
//!
//! * `Packet<T: AsRef<[u8]>>` (named `Frame` for Ethernet): a view over a
//!   byte buffer. `Packet::new_unchecked(buf)` wraps without looking;
//!   `Packet::new_checked(buf)` wraps and calls `check_len()`. Getters read
//!   fields from byte ranges declared in a private `mod field`; with
//!   `T: AsMut<[u8]>`, `set_*` setters write them, and `payload_mut()` gives
//!   the bytes after the header.
//! * `Repr`: the high-level meaning of a packet. `Repr::parse(&Packet, ..)`
//!   validates and extracts; `Repr::buffer_len()` says how many bytes
//!   `emit` writes; `Repr::emit(&mut Packet, ..)` writes them.
//! * Option-bearing protocols expose iterators over the raw option bytes
//!   that yield typed items, and skip or reject unknown options as their
//!   RFC says.
//!
//! # The no-panic contract
//!
//! Network input is hostile. Every module in here keeps these promises:
//!
//! 1. After `new_checked` (or a successful `check_len`) has returned `Ok`,
//!    **no accessor panics**, whatever the bytes are. Accessors whose range
//!    depends on a length field inside the packet (header length, option
//!    length, payload length) are covered by `check_len`, which validates
//!    those fields against the buffer.
//! 2. `Repr::parse` returns an [`Error`] that says *why* the input was
//!    rejected; it never panics and never allocates.
//! 3. `Repr::emit` into a buffer of at least `Repr::buffer_len()` bytes never
//!    panics.
//! 4. No `unwrap`/`expect`/indexing on values derived from input except
//!    beside a comment proving it cannot fail.
//!
//! Setters and `new_unchecked` views over buffers that were not checked may
//! panic: that is a programming error of the caller, not a property of the
//! input.

pub(crate) mod field;

pub mod address;
pub mod checksum;
pub mod classify;
pub mod ethernet;
pub mod ip;
pub mod tcp;
pub mod udp;

#[cfg(feature = "proto-ipv4")]
pub mod arp;
#[cfg(feature = "proto-ipv4")]
pub mod icmpv4;
#[cfg(feature = "proto-ipv4")]
pub mod igmp;
#[cfg(feature = "proto-ipv4")]
pub mod ipv4;

#[cfg(feature = "proto-ipv6")]
pub mod icmpv6;
#[cfg(feature = "proto-ipv6")]
pub mod ipv6;
#[cfg(feature = "proto-ipv6")]
pub mod ipv6ext;
#[cfg(feature = "proto-ipv6")]
pub mod mld;
#[cfg(feature = "proto-ipv6")]
pub mod ndisc;

#[cfg(feature = "proto-dhcpv4")]
pub mod dhcpv4;

pub use self::address::{EthernetAddress, IpCidr, Ipv4Cidr, Ipv6Cidr};
pub use self::checksum::{Checksum, ChecksumCapabilities};
pub use self::ip::{IpEcn, IpProtocol, IpVersion};
pub use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use core::fmt;

/// Why a packet was rejected by the wire layer.
///
/// Every variant names the kind of defect, so that the interface can count
/// drops by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The buffer is shorter than the header, or than a length field says.
    Truncated,
    /// A length field is impossible (e.g. a header length below the
    /// minimum, or a total length below the header length).
    BadLength,
    /// The version field is not the one this parser handles.
    BadVersion,
    /// The checksum does not verify.
    BadChecksum,
    /// An option (IPv4, IPv6 TLV, TCP, NDP, DHCP ...) is malformed.
    BadOption,
    /// A field holds a value the protocol forbids.
    BadField,
    /// A type, code or kind this parser does not know and cannot skip.
    Unrecognized,
    /// Well-formed, but a feature this stack refuses to process (e.g. an
    /// IPv6 routing header of type 0, RFC 5095).
    Unsupported,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Error::Truncated => "truncated",
            Error::BadLength => "bad length field",
            Error::BadVersion => "bad version",
            Error::BadChecksum => "bad checksum",
            Error::BadOption => "malformed option",
            Error::BadField => "forbidden field value",
            Error::Unrecognized => "unrecognized type or code",
            Error::Unsupported => "unsupported feature",
        };
        f.write_str(s)
    }
}

impl core::error::Error for Error {}

/// The wire layer's result type.
pub type Result<T> = core::result::Result<T, Error>;
