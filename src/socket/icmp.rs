//! ICMP ("ping") sockets for IPv4 and IPv6: Echo (RFC 792; RFC 4443 §4),
//! in the manner of Linux's `SOCK_DGRAM, IPPROTO_ICMP` / `IPPROTO_ICMPV6`
//! sockets.
//!
//! A socket is bound to an Echo *Identifier* (and optionally one local
//! address). One socket serves both families: each message goes out as
//! ICMPv4 or ICMPv6 according to its destination address (IPv4 parts need
//! the `proto-ipv4` feature, IPv6 parts `proto-ipv6`).
//!
//! # What the application sends
//!
//! Messages are whole ICMP messages — the 8-byte Echo header followed by
//! the data — and the socket owns the header's identity:
//!
//! * [`Socket::send_echo`] / [`Socket::send_echo_slice`] take a Sequence
//!   Number and the data; the socket writes the header.
//! * [`Socket::send_slice`] takes a whole message, as Linux does: it must
//!   be an Echo Request of the destination's family with code 0; the
//!   Identifier is overwritten with the bound one.
//!
//! Either way the queued message has a zero checksum; the interface fills
//! it ([`fill_checksum`]) once it knows the source address, since the
//! ICMPv6 checksum covers a pseudo-header (RFC 4443 §2.3).
//!
//! # What the application receives
//!
//! Echo Replies of either family whose Identifier is the bound one, as whole
//! ICMP messages (header and data, as Linux gives them), with the source
//! address and the received TTL / hop limit in [`IcmpMetadata`]. ICMP
//! errors whose invoking packet is one of this socket's Echo Requests are
//! queued as [`IcmpError`]s (RFC 1122 §3.2.2: errors are passed to the
//! transport that sent the packet); for a ping socket the error's
//! `dst.port` carries the failed request's Sequence Number, so that a
//! `ping` can print which probe failed.

#![cfg_attr(
    not(all(feature = "proto-ipv4", feature = "proto-ipv6")),
    allow(dead_code)
)]

use core::net::IpAddr;

use byteorder::{ByteOrder, NetworkEndian};

use super::{ErrorQueue, IcmpError, IpEndpoint, IpMeta, PollAt};
use crate::storage::{self, PacketMetadata};
use crate::time::Instant;
use crate::wire::checksum;
use crate::wire::{IpProtocol, IpVersion};

/// The Echo / Echo Reply header length: type, code, checksum, Identifier,
/// Sequence Number (RFC 792; RFC 4443 §4.1).
pub const ECHO_HEADER_LEN: usize = 8;

/// The longest message a socket queues: what fits an IPv4 datagram with a
/// minimal header (RFC 791 §3.1: Total Length is 16 bits).
pub const MAX_MESSAGE_LEN: usize = u16::MAX as usize - 20;

mod field {
    use crate::wire::field::Field;
    pub(crate) const TYPE: usize = 0;
    pub(crate) const CODE: usize = 1;
    pub(crate) const CHECKSUM: Field = 2..4;
    pub(crate) const IDENT: Field = 4..6;
    pub(crate) const SEQ_NO: Field = 6..8;
}

/// RFC 792: Echo Message, type 8.
const ICMPV4_ECHO_REQUEST: u8 = 8;
/// RFC 792: Echo Reply Message, type 0.
const ICMPV4_ECHO_REPLY: u8 = 0;
/// RFC 4443 §4.1: Echo Request, type 128.
const ICMPV6_ECHO_REQUEST: u8 = 128;
/// RFC 4443 §4.2: Echo Reply, type 129.
const ICMPV6_ECHO_REPLY: u8 = 129;

/// The ICMP family used towards `addr`, if that family is compiled in.
fn family_of(addr: &IpAddr) -> Option<IpVersion> {
    match addr {
        #[cfg(feature = "proto-ipv4")]
        IpAddr::V4(_) => Some(IpVersion::Ipv4),
        #[cfg(feature = "proto-ipv6")]
        IpAddr::V6(_) => Some(IpVersion::Ipv6),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn echo_request_type(family: IpVersion) -> u8 {
    match family {
        IpVersion::Ipv4 => ICMPV4_ECHO_REQUEST,
        IpVersion::Ipv6 => ICMPV6_ECHO_REQUEST,
    }
}

fn echo_reply_type(family: IpVersion) -> u8 {
    match family {
        IpVersion::Ipv4 => ICMPV4_ECHO_REPLY,
        IpVersion::Ipv6 => ICMPV6_ECHO_REPLY,
    }
}

/// The type, code, Identifier and Sequence Number of an Echo-shaped header,
/// or `None` when `message` is shorter than [`ECHO_HEADER_LEN`].
fn echo_fields(message: &[u8]) -> Option<(u8, u8, u16, u16)> {
    let header = message.get(..ECHO_HEADER_LEN)?;
    Some((
        header[field::TYPE],
        header[field::CODE],
        NetworkEndian::read_u16(&header[field::IDENT]),
        NetworkEndian::read_u16(&header[field::SEQ_NO]),
    ))
}

/// Compute and store the checksum of the ICMP `message` sent from `src` to
/// `dst`: over the message alone for ICMPv4 (RFC 792), over the IPv6
/// pseudo-header and the message for ICMPv6 (RFC 4443 §2.3). A message
/// shorter than 4 bytes is left alone.
pub fn fill_checksum(message: &mut [u8], src: &IpAddr, dst: &IpAddr) {
    let Some(field) = message.get_mut(field::CHECKSUM) else {
        return;
    };
    field.fill(0);
    let data = checksum::data(message);
    let sum = match (src, dst) {
        (IpAddr::V4(_), IpAddr::V4(_)) => data,
        _ => {
            // RFC 4443 §2.3: the pseudo-header's Upper-Layer Packet Length
            // is the ICMPv6 message length.
            let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
            checksum::combine(&[
                checksum::pseudo_header(src, dst, IpProtocol::Icmpv6, len),
                data,
            ])
        }
    };
    let value = checksum::finish(sum);
    if let Some(field) = message.get_mut(field::CHECKSUM) {
        NetworkEndian::write_u16(field, value);
    }
}

/// The endpoint an [`IcmpError`] about the invoking packet to `dst` whose
/// ICMP message starts with `invoking_message` should name: the
/// destination, with the Echo Request's Sequence Number as the "port".
/// `None` when the invoking message is too short to hold one.
pub fn error_endpoint(dst: IpAddr, invoking_message: &[u8]) -> Option<IpEndpoint> {
    let (_, _, _, seq_no) = echo_fields(invoking_message)?;
    Some(IpEndpoint::new(dst, seq_no))
}

/// What a ping socket is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IcmpEndpoint {
    /// The local address, or any address of the interface.
    pub addr: Option<IpAddr>,
    /// The Echo Identifier (any value, 0 included).
    pub ident: u16,
}

impl From<u16> for IcmpEndpoint {
    fn from(ident: u16) -> Self {
        IcmpEndpoint { addr: None, ident }
    }
}

/// Per-message facts: the remote address, and the local address it was
/// received on / is to be sent from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IcmpMetadata {
    /// The remote address (source on receive, destination on send).
    pub remote: IpAddr,
    /// The local address (destination on receive; on send, `None` lets
    /// the interface choose by source-address selection).
    pub local_address: Option<IpAddr>,
    /// The TTL / hop limit received; on send, the one to use (0: the
    /// socket's).
    pub hop_limit: u8,
}

impl From<IpAddr> for IcmpMetadata {
    fn from(remote: IpAddr) -> Self {
        IcmpMetadata {
            remote,
            local_address: None,
            hop_limit: 0,
        }
    }
}

/// An ICMP packet buffer.
pub type PacketBuffer<'a> = storage::PacketBuffer<'a, IcmpMetadata>;
/// Metadata storage for an ICMP packet buffer.
pub type PacketMetadataStorage = PacketMetadata<IcmpMetadata>;

/// Why `bind` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BindError {
    /// The local address is of a family that is not compiled in.
    Unaddressable,
    /// The socket is already bound.
    InvalidState,
}

/// Why `send` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SendError {
    /// The socket is not bound.
    Unbound,
    /// The destination is unspecified, of a family not compiled in, or of
    /// another family than the bound or given local address.
    Unaddressable,
    /// The transmit buffer has no room for the message.
    BufferFull,
    /// The message is not an Echo Request of the destination's family with
    /// code 0, or is shorter than its header.
    Malformed,
}

/// Why `recv` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecvError {
    /// Nothing received.
    Exhausted,
    /// The message is longer than the buffer given (the rest is lost).
    Truncated,
}

/// What a message to send looks like to the interface.
///
/// The interface wraps `message` in an IPv4 datagram with protocol ICMP
/// (1) or an IPv6 packet with Next Header ICMPv6 (58), per `family`,
/// then fills the checksum with [`fill_checksum`] (the queued message
/// carries zero there).
#[derive(Debug, Clone, Copy)]
pub(crate) struct IcmpTransmit<'p> {
    pub(crate) family: IpVersion,
    pub(crate) local: Option<IpAddr>,
    pub(crate) remote: IpAddr,
    pub(crate) hop_limit: Option<u8>,
    pub(crate) message: &'p [u8],
}

/// Counters an ICMP socket keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IcmpCounters {
    /// Echo Replies delivered to the receive buffer.
    pub rx_messages: u64,
    /// Echo Replies dropped because the receive buffer was full.
    pub rx_buffer_errors: u64,
    /// Echo Requests handed to the interface.
    pub tx_messages: u64,
    /// ICMP errors dropped because the error queue was full.
    pub error_queue_overflows: u64,
}

/// An ICMP (ping) socket.
#[derive(Debug)]
pub struct Socket<'a> {
    endpoint: Option<IcmpEndpoint>,
    rx_buffer: PacketBuffer<'a>,
    tx_buffer: PacketBuffer<'a>,
    hop_limit: Option<u8>,
    errors: ErrorQueue,
    counters: IcmpCounters,
}

impl<'a> Socket<'a> {
    /// An unbound socket with the given buffers.
    pub fn new(rx_buffer: PacketBuffer<'a>, tx_buffer: PacketBuffer<'a>) -> Socket<'a> {
        Socket {
            endpoint: None,
            rx_buffer,
            tx_buffer,
            hop_limit: None,
            errors: ErrorQueue::default(),
            counters: IcmpCounters::default(),
        }
    }

    /// Bind to an Echo Identifier, optionally one local address. An
    /// unspecified address means any.
    pub fn bind<T: Into<IcmpEndpoint>>(&mut self, endpoint: T) -> Result<(), BindError> {
        let mut endpoint = endpoint.into();
        if self.is_open() {
            return Err(BindError::InvalidState);
        }
        if let Some(addr) = endpoint.addr {
            if family_of(&addr).is_none() {
                return Err(BindError::Unaddressable);
            }
            if addr.is_unspecified() {
                endpoint.addr = None;
            }
        }
        self.endpoint = Some(endpoint);
        Ok(())
    }

    /// Unbind and drop every queued message and error.
    pub fn close(&mut self) {
        self.endpoint = None;
        self.rx_buffer.reset();
        self.tx_buffer.reset();
        self.errors.clear();
    }

    /// The bound endpoint.
    pub fn endpoint(&self) -> Option<IcmpEndpoint> {
        self.endpoint
    }

    /// Whether the socket is bound.
    pub fn is_open(&self) -> bool {
        self.endpoint.is_some()
    }

    /// The TTL / hop limit outgoing messages carry (`None`: the interface
    /// default).
    pub fn hop_limit(&self) -> Option<u8> {
        self.hop_limit
    }

    /// Set the TTL / hop limit of outgoing messages. Zero is treated as the
    /// default (RFC 1122 §3.2.1.7: TTL 0 MUST NOT be sent).
    pub fn set_hop_limit(&mut self, hop_limit: Option<u8>) {
        self.hop_limit = hop_limit.filter(|&h| h != 0);
    }

    /// Whether a message with `data_len` bytes of Echo data can be queued
    /// now.
    pub fn can_send_size(&self, data_len: usize) -> bool {
        self.tx_buffer
            .can_enqueue(data_len.saturating_add(ECHO_HEADER_LEN))
    }

    /// Whether a reply is waiting.
    pub fn can_recv(&self) -> bool {
        !self.rx_buffer.is_empty()
    }

    /// Counters.
    pub fn counters(&self) -> IcmpCounters {
        IcmpCounters {
            error_queue_overflows: self.errors.overflows(),
            ..self.counters
        }
    }

    /// Check a send to `meta`; returns the family and the bound identifier.
    fn check_send(&self, meta: &IcmpMetadata, len: usize) -> Result<(IpVersion, u16), SendError> {
        let endpoint = self.endpoint.ok_or(SendError::Unbound)?;
        if meta.remote.is_unspecified() {
            return Err(SendError::Unaddressable);
        }
        let family = family_of(&meta.remote).ok_or(SendError::Unaddressable)?;
        let local = meta.local_address.or(endpoint.addr);
        if local.is_some_and(|l| family_of(&l) != Some(family)) {
            return Err(SendError::Unaddressable);
        }
        if len > MAX_MESSAGE_LEN {
            return Err(SendError::BufferFull);
        }
        Ok((family, endpoint.ident))
    }

    /// Queue an Echo Request with Sequence Number `seq_no` and `data_len`
    /// bytes of data to `meta`; the socket writes the header (with the
    /// bound Identifier) and returns the data to fill in place.
    pub fn send_echo(
        &mut self,
        seq_no: u16,
        data_len: usize,
        meta: impl Into<IcmpMetadata>,
    ) -> Result<&mut [u8], SendError> {
        let meta = meta.into();
        let len = data_len.saturating_add(ECHO_HEADER_LEN);
        let (family, ident) = self.check_send(&meta, len)?;
        let buf = self
            .tx_buffer
            .enqueue(len, meta)
            .map_err(|_| SendError::BufferFull)?;
        let (header, data) = buf.split_at_mut(ECHO_HEADER_LEN);
        // RFC 792 / RFC 4443 §4.1: type Echo Request, code 0.
        header[field::TYPE] = echo_request_type(family);
        header[field::CODE] = 0;
        header[field::CHECKSUM].fill(0);
        NetworkEndian::write_u16(&mut header[field::IDENT], ident);
        NetworkEndian::write_u16(&mut header[field::SEQ_NO], seq_no);
        Ok(data)
    }

    /// Queue an Echo Request with Sequence Number `seq_no` carrying a copy
    /// of `data`.
    pub fn send_echo_slice(
        &mut self,
        seq_no: u16,
        data: &[u8],
        meta: impl Into<IcmpMetadata>,
    ) -> Result<(), SendError> {
        self.send_echo(seq_no, data.len(), meta)?
            .copy_from_slice(data);
        Ok(())
    }

    /// Queue a copy of a whole ICMP message, Linux style: it must be an
    /// Echo Request of the destination's family (type 8 for IPv4, 128 for
    /// IPv6) with code 0. The Identifier is replaced by the bound one and
    /// the checksum by the interface's.
    pub fn send_slice(
        &mut self,
        message: &[u8],
        meta: impl Into<IcmpMetadata>,
    ) -> Result<(), SendError> {
        let meta = meta.into();
        let (family, ident) = self.check_send(&meta, message.len())?;
        let (msg_type, code, _, _) = echo_fields(message).ok_or(SendError::Malformed)?;
        // A ping socket sends Echo Requests only (RFC 792; RFC 4443 §4.1:
        // code 0).
        if msg_type != echo_request_type(family) || code != 0 {
            return Err(SendError::Malformed);
        }
        let buf = self
            .tx_buffer
            .enqueue(message.len(), meta)
            .map_err(|_| SendError::BufferFull)?;
        buf.copy_from_slice(message);
        buf[field::CHECKSUM].fill(0);
        NetworkEndian::write_u16(&mut buf[field::IDENT], ident);
        Ok(())
    }

    /// Take the oldest Echo Reply (the whole message).
    pub fn recv(&mut self) -> Result<(&[u8], IcmpMetadata), RecvError> {
        let (meta, message) = self.rx_buffer.dequeue().map_err(|_| RecvError::Exhausted)?;
        Ok((message, meta))
    }

    /// Copy the oldest Echo Reply into `buf` and drop it from the queue.
    /// Returns `Truncated` (and loses the rest) if `buf` is too short.
    pub fn recv_slice(&mut self, buf: &mut [u8]) -> Result<(usize, IcmpMetadata), RecvError> {
        let (message, meta) = self.recv()?;
        if message.len() > buf.len() {
            buf.copy_from_slice(&message[..buf.len()]);
            return Err(RecvError::Truncated);
        }
        buf[..message.len()].copy_from_slice(message);
        Ok((message.len(), meta))
    }

    /// The oldest Echo Reply without removing it.
    pub fn peek(&mut self) -> Result<(&[u8], &IcmpMetadata), RecvError> {
        let (meta, message) = self.rx_buffer.peek().map_err(|_| RecvError::Exhausted)?;
        Ok((message, meta))
    }

    /// The oldest queued ICMP error, if any.
    pub fn take_error(&mut self) -> Option<IcmpError> {
        self.errors.pop()
    }

    // ---- interface side ----

    /// The Echo Identifier this socket is found by, if bound (the key of
    /// the socket set's index).
    pub(crate) fn ident(&self) -> Option<u16> {
        self.endpoint.map(|e| e.ident)
    }

    /// Whether the ICMP `message` (checksum already verified by the
    /// interface) received with `ip` is an Echo Reply for this socket: the
    /// Echo Reply type of the packet's family, the bound Identifier, and
    /// the bound local address if any. The code is checked as the wire
    /// layer does: ICMPv4 needs 0 (RFC 792, as `wire::icmpv4` enforces);
    /// ICMPv6's is ignored (as `wire::icmpv6` and Linux do).
    pub(crate) fn accepts(&self, ip: &IpMeta, message: &[u8]) -> bool {
        let Some(endpoint) = self.endpoint else {
            return false;
        };
        let Some(family) = family_of(&ip.dst_addr) else {
            return false;
        };
        let Some((msg_type, code, ident, _)) = echo_fields(message) else {
            return false;
        };
        // RFC 792 / RFC 4443 §4.2: an Echo Reply carries the Identifier of
        // the request it answers.
        if msg_type != echo_reply_type(family) || ident != endpoint.ident {
            return false;
        }
        // RFC 792: code 0. (RFC 4443 §4.2 also says 0; like the ICMPv6
        // wire parser, the receiver does not insist.)
        if family == IpVersion::Ipv4 && code != 0 {
            return false;
        }
        endpoint.addr.is_none_or(|a| a == ip.dst_addr)
    }

    /// Deliver an Echo Reply. A full buffer drops it and counts.
    pub(crate) fn process(&mut self, _now: Instant, ip: &IpMeta, message: &[u8]) {
        let meta = IcmpMetadata {
            remote: ip.src_addr,
            local_address: Some(ip.dst_addr),
            hop_limit: ip.hop_limit,
        };
        match self.rx_buffer.enqueue(message.len(), meta) {
            Ok(buf) => {
                buf.copy_from_slice(message);
                self.counters.rx_messages += 1;
            }
            Err(_) => {
                net_trace!("icmp: receive buffer full, echo reply dropped");
                self.counters.rx_buffer_errors += 1;
            }
        }
    }

    /// Whether an ICMP error whose invoking packet went from `src` to
    /// `dst` and began with the ICMP message `invoking_message` (the
    /// first 8 bytes at least, RFC 792 / RFC 4443 §2.4 (c)) concerns this
    /// socket: one of its Echo Requests.
    pub(crate) fn accepts_error(&self, src: IpAddr, dst: IpAddr, invoking_message: &[u8]) -> bool {
        let Some(endpoint) = self.endpoint else {
            return false;
        };
        let Some(family) = family_of(&dst) else {
            return false;
        };
        let Some((msg_type, _, ident, _)) = echo_fields(invoking_message) else {
            return false;
        };
        msg_type == echo_request_type(family)
            && ident == endpoint.ident
            && endpoint.addr.is_none_or(|a| a == src)
    }

    /// Queue an ICMP error about an Echo Request this socket sent (build
    /// its `dst` with [`error_endpoint`]).
    pub(crate) fn on_icmp_error(&mut self, error: IcmpError) {
        self.errors.push(error);
    }

    /// Hand the oldest queued Echo Request to `emit`. On `Err` it stays
    /// queued.
    pub(crate) fn dispatch<F, E>(&mut self, _now: Instant, emit: F) -> Result<(), E>
    where
        F: FnOnce(IcmpTransmit<'_>) -> Result<(), E>,
    {
        let bound_addr = self.endpoint.and_then(|e| e.addr);
        let socket_hop_limit = self.hop_limit;
        let (meta, message) = match self.tx_buffer.peek() {
            Ok((m, p)) => (*m, p),
            Err(_) => return Ok(()),
        };
        let Some(family) = family_of(&meta.remote) else {
            // Checked at enqueue; a stray entry is dropped, not retried.
            let _ = self.tx_buffer.dequeue();
            return Ok(());
        };
        let transmit = IcmpTransmit {
            family,
            local: meta.local_address.or(bound_addr),
            remote: meta.remote,
            hop_limit: Some(meta.hop_limit)
                .filter(|&h| h != 0)
                .or(socket_hop_limit),
            message,
        };
        emit(transmit)?;
        let _ = self.tx_buffer.dequeue();
        self.counters.tx_messages += 1;
        Ok(())
    }

    /// `Now` while messages are queued.
    pub(crate) fn poll_at(&self) -> PollAt {
        if self.tx_buffer.is_empty() {
            PollAt::Ingress
        } else {
            PollAt::Now
        }
    }
}

// The tests exercise both families.
#[cfg(all(test, feature = "proto-ipv4", feature = "proto-ipv6"))]
mod tests;
