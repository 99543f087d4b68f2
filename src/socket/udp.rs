//! UDP sockets (RFC 768, RFC 1122 §4.1).
//!
//! A socket is bound to a local port (and optionally one local address).
//! Datagrams are queued whole in caller-supplied packet buffers; a full
//! receive buffer drops the datagram and counts it — it never blocks the
//! interface. ICMP errors about datagrams this socket sent are queued on
//! the socket (RFC 1122 §4.1.3.3: "UDP MUST pass to the application layer
//! all ICMP error messages that it receives from the IP layer").

use core::net::IpAddr;

use super::{ErrorQueue, IcmpError, IpEndpoint, IpListenEndpoint, IpMeta, PollAt};
use crate::storage::{self, PacketMetadata};
use crate::time::Instant;
use crate::wire::IpEcn;
use crate::wire::checksum;
use crate::wire::udp;

/// Per-datagram facts: the remote endpoint, and the local address it was
/// received on / is to be sent from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UdpMetadata {
    /// The remote endpoint (source on receive, destination on send).
    pub endpoint: IpEndpoint,
    /// The local address (destination on receive; on send, `None` lets
    /// the interface choose by source-address selection).
    pub local_address: Option<IpAddr>,
    /// The ECN codepoint received, or to send with.
    pub ecn: IpEcn,
    /// The TTL / hop limit received (0 on send: use the socket's).
    pub hop_limit: u8,
}

impl From<IpEndpoint> for UdpMetadata {
    fn from(endpoint: IpEndpoint) -> Self {
        UdpMetadata {
            endpoint,
            local_address: None,
            ecn: IpEcn::NotEct,
            hop_limit: 0,
        }
    }
}

/// A UDP packet buffer.
pub type PacketBuffer<'a> = storage::PacketBuffer<'a, UdpMetadata>;
/// Metadata storage for a UDP packet buffer.
pub type PacketMetadataStorage = PacketMetadata<UdpMetadata>;

/// Why `bind` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BindError {
    /// Port 0 cannot be bound explicitly (the interface picks ephemeral
    /// ports).
    Unaddressable,
    /// The socket is already bound.
    InvalidState,
}

/// Why `send` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SendError {
    /// Destination port 0 or an unspecified destination address.
    Unaddressable,
    /// The transmit buffer has no room for the datagram.
    BufferFull,
    /// The socket is not bound.
    Unbound,
}

/// Why `recv` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecvError {
    /// Nothing received.
    Exhausted,
    /// The datagram is longer than the buffer given (the rest is lost, as
    /// with `recv` on a Linux datagram socket).
    Truncated,
}

/// What a datagram to send looks like to the interface: the queued
/// datagram's metadata by reference (read in place in the transmit ring,
/// never copied on the way to the frame) and the socket's defaults.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UdpTransmit<'p> {
    /// The datagram's metadata as the application queued it.
    pub(crate) meta: &'p UdpMetadata,
    /// The address the socket is bound to, if any (the source when the
    /// datagram names none).
    pub(crate) bound: &'p Option<IpAddr>,
    pub(crate) src_port: u16,
    pub(crate) hop_limit: Option<u8>,
    pub(crate) payload: &'p [u8],
}

impl UdpTransmit<'_> {
    /// The source address asked for: the datagram's, else the bound one.
    #[inline]
    pub(crate) fn local(&self) -> Option<&IpAddr> {
        self.meta.local_address.as_ref().or(self.bound.as_ref())
    }

    /// The destination.
    #[inline]
    pub(crate) fn remote(&self) -> IpEndpoint {
        self.meta.endpoint
    }

    /// The UDP header.
    #[inline]
    pub(crate) fn repr(&self) -> udp::Repr {
        udp::Repr {
            src_port: self.src_port,
            dst_port: self.meta.endpoint.port,
        }
    }
}

/// Counters a UDP socket keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UdpCounters {
    /// Datagrams delivered to the receive buffer.
    pub rx_datagrams: u64,
    /// Datagrams dropped because the receive buffer was full.
    pub rx_buffer_errors: u64,
    /// Datagrams handed to the interface.
    pub tx_datagrams: u64,
    /// ICMP errors dropped because the error queue was full.
    pub error_queue_overflows: u64,
}

/// What became of a datagram handed to a socket's `process`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Queued in the receive buffer.
    Queued,
    /// Dropped: the receive buffer is full (counted by the socket).
    Full,
    /// Dropped: the checksum does not verify (the caller counts it).
    BadChecksum,
}

/// A UDP socket.
#[derive(Debug)]
pub struct Socket<'a> {
    endpoint: IpListenEndpoint,
    rx_buffer: PacketBuffer<'a>,
    tx_buffer: PacketBuffer<'a>,
    hop_limit: Option<u8>,
    errors: ErrorQueue,
    counters: UdpCounters,
}

impl<'a> Socket<'a> {
    /// A closed socket with the given buffers.
    pub fn new(rx_buffer: PacketBuffer<'a>, tx_buffer: PacketBuffer<'a>) -> Socket<'a> {
        Socket {
            endpoint: IpListenEndpoint::default(),
            rx_buffer,
            tx_buffer,
            hop_limit: None,
            errors: ErrorQueue::default(),
            counters: UdpCounters::default(),
        }
    }

    /// Bind to a local port, optionally one local address.
    pub fn bind<T: Into<IpListenEndpoint>>(&mut self, endpoint: T) -> Result<(), BindError> {
        let endpoint = endpoint.into();
        if endpoint.port == 0 {
            return Err(BindError::Unaddressable);
        }
        if self.is_open() {
            return Err(BindError::InvalidState);
        }
        self.endpoint = endpoint;
        Ok(())
    }

    /// Unbind and drop every queued datagram and error.
    pub fn close(&mut self) {
        self.endpoint = IpListenEndpoint::default();
        self.rx_buffer.reset();
        self.tx_buffer.reset();
        self.errors.clear();
    }

    /// The bound endpoint.
    pub fn endpoint(&self) -> IpListenEndpoint {
        self.endpoint
    }

    /// Whether the socket is bound.
    pub fn is_open(&self) -> bool {
        self.endpoint.port != 0
    }

    /// The TTL / hop limit outgoing datagrams carry (`None`: the
    /// interface default).
    pub fn hop_limit(&self) -> Option<u8> {
        self.hop_limit
    }

    /// Set the TTL / hop limit of outgoing datagrams. Zero is refused by
    /// treating it as the default (RFC 1122 §3.2.1.7: TTL 0 MUST NOT be
    /// sent).
    pub fn set_hop_limit(&mut self, hop_limit: Option<u8>) {
        self.hop_limit = hop_limit.filter(|&h| h != 0);
    }

    /// Whether a datagram of `size` bytes can be queued now.
    pub fn can_send_size(&self, size: usize) -> bool {
        self.tx_buffer.can_enqueue(size)
    }

    /// Whether a datagram is waiting.
    pub fn can_recv(&self) -> bool {
        !self.rx_buffer.is_empty()
    }

    /// Counters.
    pub fn counters(&self) -> UdpCounters {
        UdpCounters {
            error_queue_overflows: self.errors.overflows(),
            ..self.counters
        }
    }

    /// Queue a datagram of `size` bytes to `meta`; returns the payload to
    /// fill in place.
    pub fn send(
        &mut self,
        size: usize,
        meta: impl Into<UdpMetadata>,
    ) -> Result<&mut [u8], SendError> {
        let meta = meta.into();
        if !self.is_open() {
            return Err(SendError::Unbound);
        }
        if meta.endpoint.port == 0 || meta.endpoint.addr.is_unspecified() {
            return Err(SendError::Unaddressable);
        }
        // A datagram larger than what UDP's length field can describe can
        // never be sent.
        if size > usize::from(u16::MAX) - udp::HEADER_LEN {
            return Err(SendError::BufferFull);
        }
        self.tx_buffer
            .enqueue(size, meta)
            .map_err(|_| SendError::BufferFull)
    }

    /// Queue a copy of `data` to `meta`.
    pub fn send_slice(
        &mut self,
        data: &[u8],
        meta: impl Into<UdpMetadata>,
    ) -> Result<(), SendError> {
        self.send(data.len(), meta)?.copy_from_slice(data);
        Ok(())
    }

    /// Take the oldest datagram.
    #[inline]
    pub fn recv(&mut self) -> Result<(&[u8], UdpMetadata), RecvError> {
        let (meta, payload) = self.rx_buffer.dequeue().map_err(|_| RecvError::Exhausted)?;
        Ok((payload, meta))
    }

    /// Copy the oldest datagram into `buf` and drop it from the queue.
    /// Returns `Truncated` (and loses the rest) if `buf` is too short.
    #[inline]
    pub fn recv_slice(&mut self, buf: &mut [u8]) -> Result<(usize, UdpMetadata), RecvError> {
        // The metadata is copied once, straight from the ring.
        self.rx_buffer
            .dequeue_with(|meta, payload| {
                if payload.len() > buf.len() {
                    buf.copy_from_slice(&payload[..buf.len()]);
                    return Err(RecvError::Truncated);
                }
                buf[..payload.len()].copy_from_slice(payload);
                Ok((payload.len(), *meta))
            })
            .map_err(|_| RecvError::Exhausted)?
    }

    /// The oldest datagram without removing it.
    pub fn peek(&mut self) -> Result<(&[u8], &UdpMetadata), RecvError> {
        let (meta, payload) = self.rx_buffer.peek().map_err(|_| RecvError::Exhausted)?;
        Ok((payload, meta))
    }

    /// The oldest queued ICMP error, if any.
    pub fn take_error(&mut self) -> Option<IcmpError> {
        self.errors.pop()
    }

    // ---- interface side ----

    /// Whether a datagram to `ip.dst_addr`:`repr.dst_port` is for this
    /// socket.
    pub(crate) fn accepts(&self, ip: &IpMeta, repr: &udp::Repr) -> bool {
        if !self.is_open() || self.endpoint.port != repr.dst_port {
            return false;
        }
        match self.endpoint.addr {
            None => true,
            Some(addr) => addr == ip.dst_addr,
        }
    }

    /// Deliver a datagram. A full buffer drops it and counts.
    ///
    /// `verify`: the checksum sum of the pseudo-header and the UDP header
    /// (`udp::Packet::header_checksum_init`) when the checksum is still to
    /// be verified, `None` when it was (or is not to be). The payload is
    /// then summed in the pass that copies it into the receive buffer and
    /// the datagram is queued only if the sum verifies (RFC 768; RFC 1122
    /// §4.1.3.4: a datagram with a bad checksum is discarded silently): a
    /// bad one leaves the buffer and the counters as they were.
    #[inline]
    pub(crate) fn process(
        &mut self,
        _now: Instant,
        ip: &IpMeta,
        repr: &udp::Repr,
        payload: &[u8],
        verify: Option<u64>,
    ) -> Delivery {
        let meta = UdpMetadata {
            endpoint: IpEndpoint::new(ip.src_addr, repr.src_port),
            local_address: Some(ip.dst_addr),
            ecn: ip.ecn,
            hop_limit: ip.hop_limit,
        };
        let queued = match verify {
            None => self.rx_buffer.enqueue(payload.len(), meta).map(|buf| {
                buf.copy_from_slice(payload);
                true
            }),
            Some(init) => self.rx_buffer.enqueue_if(
                payload.len(),
                meta,
                |buf| checksum::sum_verifies(checksum::copy_and_sum_native(init, buf, payload)),
                || udp::payload_sum_verifies(init, payload),
            ),
        };
        match queued {
            Ok(true) => {
                self.counters.rx_datagrams += 1;
                Delivery::Queued
            }
            Ok(false) => Delivery::BadChecksum,
            Err(_) => {
                // A full buffer says nothing of the checksum: a corrupt
                // datagram is counted as one, not as a buffer overflow.
                if let Some(init) = verify
                    && !udp::payload_sum_verifies(init, payload)
                {
                    return Delivery::BadChecksum;
                }
                net_trace!("udp: receive buffer full, datagram dropped");
                self.counters.rx_buffer_errors += 1;
                Delivery::Full
            }
        }
    }

    /// Queue an ICMP error about a datagram this socket sent.
    pub(crate) fn on_icmp_error(&mut self, error: IcmpError) {
        self.errors.push(error);
    }

    /// Hand the oldest queued datagram to `emit`. On `Err` it stays queued.
    pub(crate) fn dispatch<F, E>(&mut self, _now: Instant, emit: F) -> Result<(), E>
    where
        F: FnOnce(UdpTransmit<'_>) -> Result<(), E>,
    {
        let Ok((meta, payload)) = self.tx_buffer.peek() else {
            return Ok(());
        };
        let transmit = UdpTransmit {
            meta,
            bound: &self.endpoint.addr,
            src_port: self.endpoint.port,
            hop_limit: self.hop_limit,
            payload,
        };
        emit(transmit)?;
        self.tx_buffer.discard();
        self.counters.tx_datagrams += 1;
        Ok(())
    }

    /// `Now` while datagrams are queued.
    pub(crate) fn poll_at(&self) -> PollAt {
        if self.tx_buffer.is_empty() {
            PollAt::Ingress
        } else {
            PollAt::Now
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::Ipv4Addr;
    use std::vec;

    const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const REMOTE: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    fn socket() -> Socket<'static> {
        let rx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 64]);
        let tx = PacketBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 64]);
        Socket::new(rx, tx)
    }

    fn meta_in() -> IpMeta {
        IpMeta {
            src_addr: REMOTE,
            dst_addr: LOCAL,
            hop_limit: 64,
            dscp: 0,
            ecn: IpEcn::NotEct,
        }
    }

    #[test]
    fn bind_rules() {
        let mut s = socket();
        assert_eq!(s.bind(0), Err(BindError::Unaddressable));
        assert_eq!(s.bind(7), Ok(()));
        assert_eq!(s.bind(8), Err(BindError::InvalidState));
        s.close();
        assert!(!s.is_open());
        assert_eq!(
            s.send_slice(b"x", IpEndpoint::new(REMOTE, 9)),
            Err(SendError::Unbound)
        );
    }

    #[test]
    fn accepts_by_port_and_address() {
        let mut s = socket();
        s.bind(IpListenEndpoint {
            addr: Some(LOCAL),
            port: 7,
        })
        .unwrap();
        let to7 = udp::Repr {
            src_port: 1000,
            dst_port: 7,
        };
        assert!(s.accepts(&meta_in(), &to7));
        let mut other = meta_in();
        other.dst_addr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 3));
        assert!(!s.accepts(&other, &to7));
        let to8 = udp::Repr {
            src_port: 1000,
            dst_port: 8,
        };
        assert!(!s.accepts(&meta_in(), &to8));
    }

    #[test]
    fn receive_queue_and_overflow() {
        let mut s = socket();
        s.bind(7).unwrap();
        let r = udp::Repr {
            src_port: 1000,
            dst_port: 7,
        };
        assert_eq!(
            s.process(Instant::ZERO, &meta_in(), &r, b"one", None),
            Delivery::Queued
        );
        s.process(Instant::ZERO, &meta_in(), &r, b"two", None);
        // 2 slots: dropped.
        assert_eq!(
            s.process(Instant::ZERO, &meta_in(), &r, b"three", None),
            Delivery::Full
        );
        assert_eq!(s.counters().rx_buffer_errors, 1);
        let (p, m) = s.recv().unwrap();
        assert_eq!(p, b"one");
        assert_eq!(m.endpoint, IpEndpoint::new(REMOTE, 1000));
        assert_eq!(m.local_address, Some(LOCAL));
        let mut small = [0u8; 2];
        assert_eq!(s.recv_slice(&mut small), Err(RecvError::Truncated));
        assert_eq!(&small, b"tw");
        assert_eq!(s.recv().map(|(p, _)| p.len()), Err(RecvError::Exhausted));
    }

    #[test]
    fn dispatch_keeps_datagram_on_error() {
        let mut s = socket();
        s.bind(7).unwrap();
        assert_eq!(s.poll_at(), PollAt::Ingress);
        s.send_slice(b"hello", IpEndpoint::new(REMOTE, 9)).unwrap();
        assert_eq!(s.poll_at(), PollAt::Now);
        assert_eq!(
            s.send_slice(b"x", IpEndpoint::new(REMOTE, 0)),
            Err(SendError::Unaddressable)
        );
        let r: Result<(), ()> = s.dispatch(Instant::ZERO, |_| Err(()));
        assert_eq!(r, Err(()));
        let mut seen = None;
        let r: Result<(), ()> = s.dispatch(Instant::ZERO, |t| {
            seen = Some((t.remote(), t.repr(), t.payload.to_vec()));
            Ok(())
        });
        assert_eq!(r, Ok(()));
        let (remote, repr, payload) = seen.unwrap();
        assert_eq!(remote, IpEndpoint::new(REMOTE, 9));
        assert_eq!(repr.src_port, 7);
        assert_eq!(payload, b"hello");
        assert_eq!(s.poll_at(), PollAt::Ingress);
        assert_eq!(s.counters().tx_datagrams, 1);
    }

    #[test]
    fn error_queue_keeps_newest() {
        let mut s = socket();
        s.bind(7).unwrap();
        for port in 1..=6 {
            s.on_icmp_error(IcmpError {
                offender: REMOTE,
                dst: IpEndpoint::new(REMOTE, port),
                kind: super::super::IcmpErrorKind::PortUnreachable,
            });
        }
        let kept = super::super::ErrorQueue::LEN as u16;
        assert_eq!(s.counters().error_queue_overflows, u64::from(6 - kept));
        assert_eq!(s.take_error().map(|e| e.dst.port), Some(7 - kept));
    }
}
