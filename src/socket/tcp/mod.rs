//! TCP sockets (RFC 9293).

pub(crate) mod sack;
