//! IPv6 extension headers (RFC 8200 §4) and the walk over the header
//! chain.
//!
//! * [`chain`]: [`HeaderChain`] steps from the IPv6 header's Next Header
//!   over every extension header to the upper-layer header, enforcing the
//!   ordering and size rules, and [`upper_layer`] does the whole walk.
//! * [`hopopts`]: the Hop-by-Hop Options (§4.3) and Destination Options
//!   (§4.6) headers, whose TLV options live in [`options`] (§4.2).
//! * [`routing`]: the Routing header (§4.4), Types 0 and 2 recognised.
//! * [`fragment`]: the Fragment header (§4.5).
//!
//! Each header has a view `Header<T: AsRef<[u8]>>` over a buffer that
//! starts with the header (what follows it may be in the buffer too) and
//! a `Repr` with `parse` / `buffer_len` / `emit`, in the shape of the other
//! wire modules. AH (RFC 4302) and ESP (RFC 4303) are only framed by the
//! walker.

pub mod chain;
pub mod fragment;
pub mod hopopts;
pub mod options;
pub mod routing;

pub use self::chain::{
    ChainError, ChainItem, ExtHeader, HeaderChain, MAX_EXT_HEADERS, upper_layer,
};
pub use self::options::{Ipv6Option, OptionType, OptionsIter, UnknownOptionAction};
