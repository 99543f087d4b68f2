//! Sockets: pure state machines between the application and the interface.
//!
//! A socket never touches the device and never reads a clock. The
//! interface drives it through four entry points, the same for every kind:
//!
//! * `accepts(..)`: would this socket take this incoming packet?
//! * `process(now, ..)`: take it (copy the payload into the socket's
//!   buffer, update state).
//! * `dispatch(now, emit)`: if the socket has something to send, build it
//!   and call `emit` once; on `Err` from `emit` the socket keeps the data
//!   and retries on a later poll.
//! * `poll_at()`: when the socket next needs `dispatch` ([`PollAt`]).
//!
//! The application uses the socket's public methods (`bind`, `send_slice`,
//! `recv_slice` ...) between polls.

// Without an IP family there is no interface to call the sockets'
// interface-side entry points.
#![cfg_attr(
    not(any(feature = "proto-ipv4", feature = "proto-ipv6")),
    allow(dead_code, unused_imports)
)]

use core::fmt;
use core::net::IpAddr;

use crate::time::Instant;
use crate::wire::IpEcn;

/// When a socket next needs the interface's attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PollAt {
    /// It has something to send now.
    Now,
    /// A timer expires then.
    Time(Instant),
    /// Only an incoming packet can give it work.
    Ingress,
}

impl PollAt {
    /// The deadline as an instant, `now` standing for [`PollAt::Now`].
    pub fn deadline(&self, now: Instant) -> Option<Instant> {
        match *self {
            PollAt::Now => Some(now),
            PollAt::Time(t) => Some(t),
            PollAt::Ingress => None,
        }
    }
}

/// An IP address and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IpEndpoint {
    /// The address.
    pub addr: IpAddr,
    /// The port.
    pub port: u16,
}

impl IpEndpoint {
    /// `addr:port`.
    pub const fn new(addr: IpAddr, port: u16) -> IpEndpoint {
        IpEndpoint { addr, port }
    }
}

impl fmt::Display for IpEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            IpAddr::V4(a) => write!(f, "{}:{}", a, self.port),
            IpAddr::V6(a) => write!(f, "[{}]:{}", a, self.port),
        }
    }
}

impl From<(IpAddr, u16)> for IpEndpoint {
    fn from((addr, port): (IpAddr, u16)) -> Self {
        IpEndpoint { addr, port }
    }
}

/// What a socket listens on: an optional address (any address of the
/// interface when `None`) and a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IpListenEndpoint {
    /// The local address, or any.
    pub addr: Option<IpAddr>,
    /// The local port (0: not bound).
    pub port: u16,
}

impl IpListenEndpoint {
    /// Whether `port` is set.
    pub fn is_specified(&self) -> bool {
        self.port != 0
    }
}

impl From<u16> for IpListenEndpoint {
    fn from(port: u16) -> Self {
        IpListenEndpoint { addr: None, port }
    }
}

impl From<IpEndpoint> for IpListenEndpoint {
    fn from(e: IpEndpoint) -> Self {
        IpListenEndpoint {
            addr: Some(e.addr),
            port: e.port,
        }
    }
}

/// The IP-layer facts of a packet a socket receives or sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IpMeta {
    /// Source address.
    pub src_addr: IpAddr,
    /// Destination address.
    pub dst_addr: IpAddr,
    /// TTL / hop limit (received value, or the one to send with).
    pub hop_limit: u8,
    /// Differentiated services code point (RFC 2474).
    pub dscp: u8,
    /// ECN codepoint (RFC 3168).
    pub ecn: IpEcn,
}

/// An ICMP error that concerns a socket (RFC 1122 §4.1.3.3, §3.2.2.1;
/// RFC 4443 §3): queued on the socket like Linux's `IP_RECVERR` queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IcmpError {
    /// Who sent the error (a router or the destination).
    pub offender: IpAddr,
    /// The destination of the packet that caused it.
    pub dst: IpEndpoint,
    /// What went wrong.
    pub kind: IcmpErrorKind,
}

/// The kind of an [`IcmpError`], with the errno Linux reports for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IcmpErrorKind {
    /// Network unreachable (`ENETUNREACH`).
    NetUnreachable,
    /// Host unreachable, incl. neighbour resolution failure (`EHOSTUNREACH`).
    HostUnreachable,
    /// Protocol unreachable (`ENOPROTOOPT`).
    ProtocolUnreachable,
    /// Port unreachable (`ECONNREFUSED`).
    PortUnreachable,
    /// Administratively prohibited (`EACCES`).
    Prohibited,
    /// Fragmentation needed / packet too big, with the next-hop MTU
    /// (`EMSGSIZE`).
    PacketTooBig(u32),
    /// TTL / hop limit exceeded in transit (`EHOSTUNREACH`).
    TimeExceeded,
    /// Parameter problem (`EPROTO`).
    ParameterProblem,
}

/// The ICMP errors a socket keeps for the application (Linux's
/// `IP_RECVERR` queue): the newest few; when full the oldest is dropped and
/// counted.
#[cfg(any(
    feature = "socket-udp",
    feature = "socket-icmp",
    feature = "socket-raw"
))]
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorQueue {
    errors: heapless::Deque<IcmpError, { ErrorQueue::LEN }>,
    overflows: u64,
}

#[cfg(any(
    feature = "socket-udp",
    feature = "socket-icmp",
    feature = "socket-raw"
))]
impl ErrorQueue {
    /// The number of errors kept per socket: 4, or only the newest
    /// without the `socket-error-queue` feature (each is 44 B on a 32-bit
    /// target).
    pub(crate) const LEN: usize = if cfg!(feature = "socket-error-queue") {
        4
    } else {
        1
    };

    /// Queue `error`, dropping the oldest when full.
    pub(crate) fn push(&mut self, error: IcmpError) {
        if self.errors.is_full() {
            let _ = self.errors.pop_front();
            self.overflows += 1;
        }
        let _ = self.errors.push_back(error);
    }

    /// The oldest error.
    pub(crate) fn pop(&mut self) -> Option<IcmpError> {
        self.errors.pop_front()
    }

    /// Forget every error.
    pub(crate) fn clear(&mut self) {
        self.errors.clear();
    }

    /// Errors dropped because the queue was full.
    pub(crate) fn overflows(&self) -> u64 {
        self.overflows
    }
}

#[cfg(feature = "socket-icmp")]
pub mod icmp;
#[cfg(feature = "socket-raw")]
pub mod raw;
mod set;
#[cfg(feature = "socket-tcp")]
pub mod tcp;
#[cfg(feature = "socket-udp")]
pub mod udp;

pub use self::set::{AnySocket, SetError, Socket, SocketHandle, SocketSet, SocketStorage};
