//! Raw IP sockets, in the manner of Linux's `SOCK_RAW` sockets (IPv4:
//! raw(7); IPv6: RFC 3542 §3).
//!
//! A socket is created for one IP version and one protocol number (the
//! IPv4 Protocol field, or the IPv6 upper-layer Next Header after the
//! extension headers), and may be bound to one local address.
//!
//! # What the application receives
//!
//! A copy of every packet of that version and protocol addressed to the
//! interface (to the bound address, if any), with the source address and
//! the TTL / hop limit in [`RawMetadata`]; the interface still processes the
//! packet itself. What the copy holds differs by version, as on Linux:
//!
//! * **IPv4**: the whole datagram — the IPv4 header as received (options
//!   included) followed by the payload. A fragmented datagram is delivered
//!   once, reassembled.
//! * **IPv6**: the upper-layer payload only, after the last extension
//!   header (RFC 3542 §3: "the complete packet (IPv6 header and extension
//!   headers) is never passed to applications"); the addresses and hop
//!   limit are in the metadata.
//!
//! ICMP errors whose invoking packet was of this socket's version and
//! protocol (and from its bound address) are queued as [`IcmpError`]s,
//! with port 0.
//!
//! # What the application sends
//!
//! * By default, the payload: the interface builds the IP header (protocol
//!   from the socket, source by address selection unless bound or given,
//!   hop limit from the socket or the message).
//! * IPv4 with [`Socket::set_header_included`] (Linux `IP_HDRINCL`): the
//!   whole datagram through `Socket::send_packet`, validated with
//!   `crate::wire::ipv4` before it is queued. As on Linux, the interface
//!   fills the header checksum, fills the source address when it is
//!   0.0.0.0 and the Identification when it is 0, and never fragments it.
//! * IPv6 with a checksum offset ([`Socket::set_checksum_offset`], RFC 3542
//!   §3.1 `IPV6_CHECKSUM`): the interface computes the upper-layer
//!   checksum over the pseudo-header and stores it at that offset
//!   ([`fill_checksum`]); received packets whose checksum does not verify
//!   are dropped and counted. ICMPv6 sockets always have offset 2.

use core::net::{IpAddr, Ipv6Addr};

use super::{ErrorQueue, IcmpError, IpMeta, PollAt};
use crate::storage::{self, PacketMetadata};
use crate::time::Instant;
use crate::wire::checksum;
use crate::wire::{IpProtocol, IpVersion};

#[cfg(feature = "proto-ipv4")]
use crate::wire::ipv4;

/// The fixed IPv4 header length (RFC 791 §3.1: IHL of 5 words).
const IPV4_HEADER_LEN: usize = 20;

/// The longest payload of one packet: what a 16-bit Total Length leaves
/// after a minimal IPv4 header (RFC 791 §3.1), or what a 16-bit Payload
/// Length allows in IPv6 (RFC 8200 §3; jumbograms are not supported).
const fn max_payload_len(version: IpVersion) -> usize {
    match version {
        IpVersion::Ipv4 => u16::MAX as usize - IPV4_HEADER_LEN,
        IpVersion::Ipv6 => u16::MAX as usize,
    }
}

/// RFC 3542 §3.1: "the kernel will calculate and insert the ICMPv6 checksum
/// for ICMPv6 raw sockets" — at offset 2 of the ICMPv6 header (RFC 4443
/// §2.1).
const ICMPV6_CHECKSUM_OFFSET: usize = 2;

/// The IP version of an address.
fn version_of(addr: &IpAddr) -> IpVersion {
    match addr {
        IpAddr::V4(_) => IpVersion::Ipv4,
        IpAddr::V6(_) => IpVersion::Ipv6,
    }
}

/// The sum over the IPv6 pseudo-header (RFC 8200 §8.1) and `payload`.
fn ipv6_sum(payload: &[u8], src: &Ipv6Addr, dst: &Ipv6Addr, protocol: IpProtocol) -> u16 {
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    checksum::combine(&[
        checksum::pseudo_header_v6(src, dst, protocol, len),
        checksum::data(payload),
    ])
}

/// Compute the upper-layer checksum of an IPv6 `payload` sent from `src` to
/// `dst` with Next Header `protocol` (RFC 8200 §8.1) and store it at
/// `offset` (RFC 3542 §3.1). A payload too short to hold the field is left
/// alone (the socket refuses such sends).
pub fn fill_checksum(
    payload: &mut [u8],
    offset: usize,
    src: &Ipv6Addr,
    dst: &Ipv6Addr,
    protocol: IpProtocol,
) {
    let Some(end) = offset.checked_add(2) else {
        return;
    };
    let Some(field) = payload.get_mut(offset..end) else {
        return;
    };
    field.fill(0);
    let value = checksum::finish(ipv6_sum(payload, src, dst, protocol));
    if let Some(field) = payload.get_mut(offset..end) {
        field.copy_from_slice(&value.to_be_bytes());
    }
}

/// Per-packet facts: the remote address, and the local address it was
/// received on / is to be sent from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RawMetadata {
    /// The remote address (source on receive, destination on send).
    pub remote: IpAddr,
    /// The local address (destination on receive; on send, `None` lets
    /// the interface choose by source-address selection).
    pub local_address: Option<IpAddr>,
    /// The TTL / hop limit received; on send, the one to use (0: the
    /// socket's).
    pub hop_limit: u8,
}

impl From<IpAddr> for RawMetadata {
    fn from(remote: IpAddr) -> Self {
        RawMetadata {
            remote,
            local_address: None,
            hop_limit: 0,
        }
    }
}

/// A raw packet buffer.
pub type PacketBuffer<'a> = storage::PacketBuffer<'a, RawMetadata>;
/// Metadata storage for a raw packet buffer.
pub type PacketMetadataStorage = PacketMetadata<RawMetadata>;

/// Why `bind` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BindError {
    /// The address is of the other IP version, or unspecified.
    Unaddressable,
    /// The socket is already bound.
    InvalidState,
}

/// Why `send` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SendError {
    /// The destination is unspecified or of the other IP version, or the
    /// local address is of the other IP version.
    Unaddressable,
    /// The transmit buffer has no room for the packet, or it is larger than
    /// any packet can be.
    BufferFull,
    /// The packet is malformed: a header-included IPv4 datagram that does
    /// not validate, or a payload too short for the checksum offset.
    Malformed(crate::wire::Error),
    /// The call does not fit the socket's mode (`send_packet` without
    /// header inclusion, `send` with it).
    InvalidState,
}

/// Why `recv` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecvError {
    /// Nothing received.
    Exhausted,
    /// The packet is longer than the buffer given (the rest is lost).
    Truncated,
}

/// Why setting a socket option failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OptionError {
    /// The option does not exist for this socket's version or protocol.
    Unsupported,
    /// The value is not allowed (an odd checksum offset).
    InvalidValue,
    /// Packets are queued under the current mode; send them first.
    InvalidState,
}

/// What a packet to send looks like to the interface.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RawTransmit<'p> {
    /// The interface builds the IP header around `payload`.
    Payload {
        version: IpVersion,
        protocol: IpProtocol,
        local: Option<IpAddr>,
        remote: IpAddr,
        hop_limit: Option<u8>,
        /// IPv6 only: where to store the upper-layer checksum
        /// ([`fill_checksum`]).
        checksum_offset: Option<usize>,
        payload: &'p [u8],
    },
    /// A header-included IPv4 datagram. The interface emits `repr` with an
    /// address-selected source if `repr.src_addr` is unspecified, a fresh
    /// Identification if `repr.ident` is 0, and the header checksum; then
    /// `payload`. It does not fragment it: larger than the MTU is an
    /// `EMSGSIZE` error, as on Linux.
    #[cfg(feature = "proto-ipv4")]
    Ipv4Packet {
        repr: ipv4::Repr<'p>,
        payload: &'p [u8],
    },
}

/// Counters a raw socket keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RawCounters {
    /// Packets delivered to the receive buffer.
    pub rx_packets: u64,
    /// Packets dropped because the receive buffer was full.
    pub rx_buffer_errors: u64,
    /// IPv6 packets dropped because the checksum at the checksum offset
    /// did not verify (RFC 3542 §3.1).
    pub rx_checksum_errors: u64,
    /// Packets handed to the interface.
    pub tx_packets: u64,
    /// ICMP errors dropped because the error queue was full.
    pub error_queue_overflows: u64,
}

/// A raw IP socket.
#[derive(Debug)]
pub struct Socket<'a> {
    ip_version: IpVersion,
    ip_protocol: IpProtocol,
    local: Option<IpAddr>,
    header_included: bool,
    checksum_offset: Option<usize>,
    rx_buffer: PacketBuffer<'a>,
    tx_buffer: PacketBuffer<'a>,
    hop_limit: Option<u8>,
    errors: ErrorQueue,
    counters: RawCounters,
}

impl<'a> Socket<'a> {
    /// A socket for `ip_version` and `ip_protocol` with the given buffers.
    /// It receives at once; it is not bound to a local address.
    pub fn new(
        ip_version: IpVersion,
        ip_protocol: IpProtocol,
        rx_buffer: PacketBuffer<'a>,
        tx_buffer: PacketBuffer<'a>,
    ) -> Socket<'a> {
        let checksum_offset = match (ip_version, ip_protocol) {
            (IpVersion::Ipv6, IpProtocol::Icmpv6) => Some(ICMPV6_CHECKSUM_OFFSET),
            _ => None,
        };
        Socket {
            ip_version,
            ip_protocol,
            local: None,
            header_included: false,
            checksum_offset,
            rx_buffer,
            tx_buffer,
            hop_limit: None,
            errors: ErrorQueue::default(),
            counters: RawCounters::default(),
        }
    }

    /// The IP version.
    pub fn ip_version(&self) -> IpVersion {
        self.ip_version
    }

    /// The protocol number.
    pub fn ip_protocol(&self) -> IpProtocol {
        self.ip_protocol
    }

    /// Receive only packets to `addr`, and send from it.
    pub fn bind(&mut self, addr: IpAddr) -> Result<(), BindError> {
        if version_of(&addr) != self.ip_version || addr.is_unspecified() {
            return Err(BindError::Unaddressable);
        }
        if self.local.is_some() {
            return Err(BindError::InvalidState);
        }
        self.local = Some(addr);
        Ok(())
    }

    /// The bound local address.
    pub fn local_address(&self) -> Option<IpAddr> {
        self.local
    }

    /// Unbind and drop every queued packet and error. The socket keeps its
    /// version, protocol and options, and keeps receiving.
    pub fn close(&mut self) {
        self.local = None;
        self.rx_buffer.reset();
        self.tx_buffer.reset();
        self.errors.clear();
    }

    /// The TTL / hop limit outgoing packets carry (`None`: the interface
    /// default). Header-included datagrams carry their own.
    pub fn hop_limit(&self) -> Option<u8> {
        self.hop_limit
    }

    /// Set the TTL / hop limit of outgoing packets. Zero is treated as the
    /// default (RFC 1122 §3.2.1.7: TTL 0 MUST NOT be sent).
    pub fn set_hop_limit(&mut self, hop_limit: Option<u8>) {
        self.hop_limit = hop_limit.filter(|&h| h != 0);
    }

    /// Whether the application writes the IPv4 header (`IP_HDRINCL`).
    pub fn header_included(&self) -> bool {
        self.header_included
    }

    /// Switch header inclusion (`IP_HDRINCL`): IPv4 sockets only, and only
    /// while nothing is queued to send under the current mode.
    pub fn set_header_included(&mut self, on: bool) -> Result<(), OptionError> {
        if on && (self.ip_version != IpVersion::Ipv4 || cfg!(not(feature = "proto-ipv4"))) {
            return Err(OptionError::Unsupported);
        }
        if on != self.header_included && !self.tx_buffer.is_empty() {
            return Err(OptionError::InvalidState);
        }
        self.header_included = on;
        Ok(())
    }

    /// The offset of the upper-layer checksum the interface fills and
    /// verifies (IPv6 only).
    pub fn checksum_offset(&self) -> Option<usize> {
        self.checksum_offset
    }

    /// Set or clear the checksum offset (RFC 3542 §3.1 `IPV6_CHECKSUM`).
    /// IPv6 only; the offset must be even; ICMPv6 sockets keep offset 2
    /// (RFC 3542 §3.1: "An attempt to set IPV6_CHECKSUM for an ICMPv6
    /// socket will fail").
    pub fn set_checksum_offset(&mut self, offset: Option<usize>) -> Result<(), OptionError> {
        if self.ip_version != IpVersion::Ipv6 || self.ip_protocol == IpProtocol::Icmpv6 {
            return Err(OptionError::Unsupported);
        }
        // The checksum is a 16-bit word of the payload.
        if offset.is_some_and(|o| o % 2 != 0) {
            return Err(OptionError::InvalidValue);
        }
        self.checksum_offset = offset;
        Ok(())
    }

    /// Whether a packet of `size` bytes can be queued now.
    pub fn can_send_size(&self, size: usize) -> bool {
        self.tx_buffer.can_enqueue(size)
    }

    /// Whether a packet is waiting.
    pub fn can_recv(&self) -> bool {
        !self.rx_buffer.is_empty()
    }

    /// Counters.
    pub fn counters(&self) -> RawCounters {
        RawCounters {
            error_queue_overflows: self.errors.overflows(),
            ..self.counters
        }
    }

    /// Queue a payload of `size` bytes to `meta` (the interface builds the
    /// IP header); returns the payload to fill in place.
    pub fn send(
        &mut self,
        size: usize,
        meta: impl Into<RawMetadata>,
    ) -> Result<&mut [u8], SendError> {
        let meta = meta.into();
        if self.header_included {
            return Err(SendError::InvalidState);
        }
        if meta.remote.is_unspecified() || version_of(&meta.remote) != self.ip_version {
            return Err(SendError::Unaddressable);
        }
        if meta
            .local_address
            .is_some_and(|l| version_of(&l) != self.ip_version)
        {
            return Err(SendError::Unaddressable);
        }
        if size > max_payload_len(self.ip_version) {
            return Err(SendError::BufferFull);
        }
        // RFC 3542 §3.1: the payload must hold the checksum it asks for.
        if let Some(offset) = self.checksum_offset
            && size < offset.saturating_add(2)
        {
            return Err(SendError::Malformed(crate::wire::Error::Truncated));
        }
        self.tx_buffer
            .enqueue(size, meta)
            .map_err(|_| SendError::BufferFull)
    }

    /// Queue a copy of `payload` to `meta`.
    pub fn send_slice(
        &mut self,
        payload: &[u8],
        meta: impl Into<RawMetadata>,
    ) -> Result<(), SendError> {
        self.send(payload.len(), meta)?.copy_from_slice(payload);
        Ok(())
    }

    /// Queue a copy of a whole IPv4 datagram (header-included mode only).
    ///
    /// It must validate as a [`ipv4::Repr`] (version, IHL, options; the
    /// checksum is not checked, the interface fills it), its Total Length
    /// must be the slice's length, its destination specified, its TTL not
    /// 0 (RFC 1122 §3.2.1.7), its reserved flag clear (RFC 791 §3.1), and it
    /// must not be a fragment. Its protocol need not be the socket's (as on
    /// Linux).
    #[cfg(feature = "proto-ipv4")]
    pub fn send_packet(&mut self, datagram: &[u8]) -> Result<(), SendError> {
        if !self.header_included {
            return Err(SendError::InvalidState);
        }
        let repr = parse_header_included(datagram)?;
        let meta = RawMetadata {
            remote: IpAddr::V4(repr.dst_addr),
            local_address: Some(IpAddr::V4(repr.src_addr)).filter(|a| !a.is_unspecified()),
            hop_limit: repr.ttl,
        };
        if let Some(local) = self.local
            && meta.local_address.is_some_and(|l| l != local)
        {
            // A bound socket sends from its address only.
            return Err(SendError::Unaddressable);
        }
        let buf = self
            .tx_buffer
            .enqueue(datagram.len(), meta)
            .map_err(|_| SendError::BufferFull)?;
        buf.copy_from_slice(datagram);
        Ok(())
    }

    /// Take the oldest packet.
    pub fn recv(&mut self) -> Result<(&[u8], RawMetadata), RecvError> {
        let (meta, packet) = self.rx_buffer.dequeue().map_err(|_| RecvError::Exhausted)?;
        Ok((packet, meta))
    }

    /// Copy the oldest packet into `buf` and drop it from the queue.
    /// Returns `Truncated` (and loses the rest) if `buf` is too short.
    pub fn recv_slice(&mut self, buf: &mut [u8]) -> Result<(usize, RawMetadata), RecvError> {
        let (packet, meta) = self.recv()?;
        if packet.len() > buf.len() {
            buf.copy_from_slice(&packet[..buf.len()]);
            return Err(RecvError::Truncated);
        }
        buf[..packet.len()].copy_from_slice(packet);
        Ok((packet.len(), meta))
    }

    /// The oldest packet without removing it.
    pub fn peek(&mut self) -> Result<(&[u8], &RawMetadata), RecvError> {
        let (meta, packet) = self.rx_buffer.peek().map_err(|_| RecvError::Exhausted)?;
        Ok((packet, meta))
    }

    /// The oldest queued ICMP error, if any.
    pub fn take_error(&mut self) -> Option<IcmpError> {
        self.errors.pop()
    }

    // ---- interface side ----

    /// The key the socket set indexes this socket by: version and protocol.
    pub(crate) fn index_key(&self) -> (IpVersion, IpProtocol) {
        (self.ip_version, self.ip_protocol)
    }

    /// Whether a packet of `version` carrying `protocol` (IPv6: the
    /// upper-layer Next Header) to `ip.dst_addr` is for this socket.
    pub(crate) fn accepts(&self, version: IpVersion, protocol: IpProtocol, ip: &IpMeta) -> bool {
        version == self.ip_version
            && protocol == self.ip_protocol
            && self.local.is_none_or(|a| a == ip.dst_addr)
    }

    /// Deliver a copy of a packet. For IPv4, `header` is the datagram's
    /// header as received (for a reassembled datagram: with its Total
    /// Length and fragment fields describing the whole) and is stored
    /// before `payload`; for IPv6 pass `&[]`, as only the upper-layer
    /// payload is delivered (RFC 3542 §3). A full buffer drops the copy and
    /// counts; so does a bad checksum at the checksum offset.
    pub(crate) fn process(&mut self, _now: Instant, ip: &IpMeta, header: &[u8], payload: &[u8]) {
        let header = match self.ip_version {
            IpVersion::Ipv4 => header,
            IpVersion::Ipv6 => &[],
        };
        // RFC 3542 §3.1: with IPV6_CHECKSUM the kernel verifies the
        // checksum on input and discards the packet if it is in error.
        // ICMPv6 checksums are verified by the interface before delivery.
        if let (Some(offset), IpAddr::V6(src), IpAddr::V6(dst)) =
            (self.checksum_offset, ip.src_addr, ip.dst_addr)
            && self.ip_protocol != IpProtocol::Icmpv6
        {
            let holds_field = payload.len() >= offset.saturating_add(2);
            if !holds_field || ipv6_sum(payload, &src, &dst, self.ip_protocol) != 0xffff {
                net_trace!("raw: bad checksum, packet dropped");
                self.counters.rx_checksum_errors += 1;
                return;
            }
        }
        let meta = RawMetadata {
            remote: ip.src_addr,
            local_address: Some(ip.dst_addr),
            hop_limit: ip.hop_limit,
        };
        let len = header.len().saturating_add(payload.len());
        match self.rx_buffer.enqueue(len, meta) {
            Ok(buf) => {
                let (h, p) = buf.split_at_mut(header.len());
                h.copy_from_slice(header);
                p.copy_from_slice(payload);
                self.counters.rx_packets += 1;
            }
            Err(_) => {
                net_trace!("raw: receive buffer full, packet dropped");
                self.counters.rx_buffer_errors += 1;
            }
        }
    }

    /// Whether an ICMP error whose invoking packet was of `version` and
    /// `protocol` and came from `src` concerns this socket.
    pub(crate) fn accepts_error(
        &self,
        version: IpVersion,
        protocol: IpProtocol,
        src: IpAddr,
    ) -> bool {
        version == self.ip_version
            && protocol == self.ip_protocol
            && self.local.is_none_or(|a| a == src)
    }

    /// Queue an ICMP error about a packet this socket sent.
    pub(crate) fn on_icmp_error(&mut self, error: IcmpError) {
        self.errors.push(error);
    }

    /// Hand the oldest queued packet to `emit`. On `Err` it stays queued.
    pub(crate) fn dispatch<F, E>(&mut self, _now: Instant, emit: F) -> Result<(), E>
    where
        F: FnOnce(RawTransmit<'_>) -> Result<(), E>,
    {
        let local = self.local;
        let socket_hop_limit = self.hop_limit;
        let (version, protocol) = (self.ip_version, self.ip_protocol);
        let checksum_offset = match version {
            IpVersion::Ipv6 => self.checksum_offset,
            IpVersion::Ipv4 => None,
        };
        let header_included = self.header_included;
        let (meta, data) = match self.tx_buffer.peek() {
            Ok((m, p)) => (*m, p),
            Err(_) => return Ok(()),
        };
        let transmit = if header_included {
            match header_included_transmit(data) {
                Some(t) => t,
                None => {
                    // Validated at enqueue; a stray entry is dropped, not
                    // retried forever.
                    let _ = self.tx_buffer.dequeue();
                    return Ok(());
                }
            }
        } else {
            RawTransmit::Payload {
                version,
                protocol,
                local: meta.local_address.or(local),
                remote: meta.remote,
                hop_limit: Some(meta.hop_limit)
                    .filter(|&h| h != 0)
                    .or(socket_hop_limit),
                checksum_offset,
                payload: data,
            }
        };
        emit(transmit)?;
        let _ = self.tx_buffer.dequeue();
        self.counters.tx_packets += 1;
        Ok(())
    }

    /// `Now` while packets are queued.
    pub(crate) fn poll_at(&self) -> PollAt {
        if self.tx_buffer.is_empty() {
            PollAt::Ingress
        } else {
            PollAt::Now
        }
    }
}

/// Validate a header-included IPv4 datagram (see [`Socket::send_packet`]).
#[cfg(feature = "proto-ipv4")]
fn parse_header_included(datagram: &[u8]) -> Result<ipv4::Repr<'_>, SendError> {
    use crate::wire::{Checksum, Error};
    let packet = ipv4::Packet::new_checked(datagram).map_err(SendError::Malformed)?;
    // The Total Length must describe the slice exactly: no trailing bytes
    // that would silently not be sent.
    if usize::from(packet.total_len()) != datagram.len() {
        return Err(SendError::Malformed(Error::BadLength));
    }
    // RFC 791 §3.1: the reserved flag "must be zero".
    if packet.reserved_flag() {
        return Err(SendError::Malformed(Error::BadField));
    }
    // The interface fills the header checksum, so it is not checked here.
    let repr = ipv4::Repr::parse(&packet, Checksum::None).map_err(SendError::Malformed)?;
    if repr.dst_addr.is_unspecified() {
        return Err(SendError::Unaddressable);
    }
    // RFC 1122 §3.2.1.7: "A host MUST NOT send a datagram with a
    // Time-to-Live (TTL) value of zero."
    if repr.ttl == 0 {
        return Err(SendError::Malformed(Error::BadField));
    }
    // Fragments would have to be sent as-is, bypassing the interface's
    // fragmentation and Identification rules (RFC 6864).
    if repr.more_frags || repr.frag_offset != 0 {
        return Err(SendError::Malformed(Error::Unsupported));
    }
    Ok(repr)
}

#[cfg(feature = "proto-ipv4")]
fn header_included_transmit(data: &[u8]) -> Option<RawTransmit<'_>> {
    let repr = parse_header_included(data).ok()?;
    let payload = data.get(repr.header_len()..)?;
    Some(RawTransmit::Ipv4Packet { repr, payload })
}

#[cfg(not(feature = "proto-ipv4"))]
fn header_included_transmit(_data: &[u8]) -> Option<RawTransmit<'_>> {
    None
}

// The tests exercise both families.
#[cfg(all(test, feature = "proto-ipv4", feature = "proto-ipv6"))]
mod tests;
