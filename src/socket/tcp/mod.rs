//! TCP sockets (RFC 9293).
pub(crate) mod congestion;
pub(crate) mod rtt;
