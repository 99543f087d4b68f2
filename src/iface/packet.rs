//! Outgoing IP packets before serialisation: the interface decides what to
//! send as a small value (`IpOut`), then writes it in one pass into
//! whatever buffer it goes to — a device transmit token, the neighbour
//! queue, or the fragmentation scratch buffer.

use core::net::IpAddr;

use crate::wire::checksum::{self, ChecksumCapabilities};
#[cfg(feature = "socket-tcp")]
use crate::wire::tcp;
use crate::wire::{IpEcn, IpProtocol, udp};

#[cfg(feature = "proto-ipv4")]
use crate::wire::{icmpv4, ipv4};
#[cfg(feature = "proto-ipv6")]
use crate::wire::{icmpv6, ipv6};

/// The transport part of an outgoing packet.
#[derive(Debug, Clone, Copy)]
pub(crate) enum IpPayload<'p> {
    #[cfg(feature = "proto-ipv4")]
    Icmpv4(icmpv4::Repr<'p>),
    #[cfg(feature = "proto-ipv6")]
    Icmpv6(icmpv6::Repr<'p>),
    Udp(udp::Repr, &'p [u8]),
    /// A segment whose data is `repr.payload` followed by the second slice
    /// (the two sides of a send ring's wrap). The header is borrowed: it is
    /// the largest of these, and a reply is moved around before it is
    /// written.
    #[cfg(feature = "socket-tcp")]
    Tcp(&'p tcp::Repr<'p>, &'p [u8]),
    /// Bytes written as they are (raw sockets); with an IPv6 checksum
    /// offset (RFC 3542 §3.1), the checksum is computed there.
    #[cfg(feature = "socket-raw")]
    Raw(IpProtocol, &'p [u8], Option<usize>),
    /// A whole ICMP / ICMPv6 message from a ping socket: copied, then its
    /// checksum filled.
    #[cfg(feature = "socket-icmp")]
    IcmpMessage(IpProtocol, &'p [u8]),
    /// The echo reply to an echo request (`request`: the whole ICMP /
    /// ICMPv6 message as received, code 0): the request copied with its
    /// type changed (RFC 792 "Echo or Echo Reply Message": "the type code
    /// changed to 0"; RFC 4443 §4.2: identifier, sequence number and data
    /// of the request). With `adjust`, the request's checksum was verified
    /// and the pseudo-header sum is the request's (IPv4 has none; IPv6
    /// swaps the same two addresses), so the new checksum follows from the
    /// old one by RFC 1624 eqn. 3 instead of a second pass over the data.
    EchoReply {
        protocol: IpProtocol,
        request: &'p [u8],
        adjust: bool,
    },
}

impl IpPayload<'_> {
    #[inline]
    pub(crate) fn protocol(&self) -> IpProtocol {
        match self {
            #[cfg(feature = "proto-ipv4")]
            IpPayload::Icmpv4(_) => IpProtocol::Icmp,
            #[cfg(feature = "proto-ipv6")]
            IpPayload::Icmpv6(_) => IpProtocol::Icmpv6,
            IpPayload::Udp(..) => IpProtocol::Udp,
            #[cfg(feature = "socket-tcp")]
            IpPayload::Tcp(..) => IpProtocol::Tcp,
            #[cfg(feature = "socket-raw")]
            IpPayload::Raw(p, ..) => *p,
            #[cfg(feature = "socket-icmp")]
            IpPayload::IcmpMessage(p, _) => *p,
            IpPayload::EchoReply { protocol: p, .. } => *p,
        }
    }

    // Forced inline on 64-bit hosts (speed), a hint on MCUs (flash).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    pub(crate) fn len(&self) -> usize {
        match self {
            #[cfg(feature = "proto-ipv4")]
            IpPayload::Icmpv4(r) => r.buffer_len(),
            #[cfg(feature = "proto-ipv6")]
            IpPayload::Icmpv6(r) => r.buffer_len(),
            IpPayload::Udp(r, data) => r.buffer_len(data.len()),
            #[cfg(feature = "socket-tcp")]
            IpPayload::Tcp(r, more) => r.buffer_len() + more.len(),
            #[cfg(feature = "socket-raw")]
            IpPayload::Raw(_, data, _) => data.len(),
            #[cfg(feature = "socket-icmp")]
            IpPayload::IcmpMessage(_, data) => data.len(),
            IpPayload::EchoReply { request: data, .. } => data.len(),
        }
    }
}

/// An outgoing IP packet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IpOut<'p> {
    pub(crate) src: IpAddr,
    pub(crate) dst: IpAddr,
    pub(crate) hop_limit: u8,
    pub(crate) dscp: u8,
    pub(crate) ecn: IpEcn,
    /// IPv4 Don't Fragment (PMTU discovery, RFC 1191); IPv6 packets are
    /// never fragmented by routers anyway.
    pub(crate) dont_frag: bool,
    /// IPv6 flow label (RFC 6437); ignored for IPv4.
    pub(crate) flow_label: u32,
    /// IPv4 identification; ignored for IPv6.
    pub(crate) ident: u16,
    /// `payload.protocol()`, taken when the packet is described (where
    /// the payload's kind is known: no dispatch when it is written).
    pub(crate) protocol: IpProtocol,
    pub(crate) payload: IpPayload<'p>,
}

impl IpOut<'_> {
    /// The fixed IP header length for this packet.
    #[inline]
    pub(crate) fn header_len(&self) -> usize {
        match self.dst {
            IpAddr::V4(_) => 20,
            IpAddr::V6(_) => 40,
        }
    }

    /// The whole packet's length.
    #[inline]
    pub(crate) fn total_len(&self) -> usize {
        self.header_len() + self.payload.len()
    }

    /// Whether this is an IPv6 packet.
    #[inline]
    pub(crate) fn is_ipv6(&self) -> bool {
        self.dst.is_ipv6()
    }

    /// Whether [`emit`](Self::emit) can write this packet: source and
    /// destination of one family, and that family compiled in.
    pub(crate) fn is_emittable(&self) -> bool {
        match (self.src, self.dst) {
            #[cfg(feature = "proto-ipv4")]
            (IpAddr::V4(_), IpAddr::V4(_)) => true,
            #[cfg(feature = "proto-ipv6")]
            (IpAddr::V6(_), IpAddr::V6(_)) => true,
            _ => false,
        }
    }

    /// Write the packet into `buf`, which must be exactly `total_len()`
    /// long. Returns `false` (writing nothing useful) when the address
    /// families of source and destination disagree or the family is not
    /// compiled in.
    pub(crate) fn emit(&self, buf: &mut [u8], caps: &ChecksumCapabilities) -> bool {
        // Matched by reference: the addresses are read where they are.
        let header_len = match (&self.src, &self.dst) {
            #[cfg(feature = "proto-ipv4")]
            (IpAddr::V4(src), IpAddr::V4(dst)) => {
                let repr = ipv4::Repr {
                    src_addr: *src,
                    dst_addr: *dst,
                    protocol: self.protocol,
                    // `buf` is exactly `total_len()` long: the payload's
                    // length without asking the payload again.
                    payload_len: buf.len().saturating_sub(20),
                    ttl: self.hop_limit,
                    dscp: self.dscp,
                    ecn: self.ecn,
                    ident: self.ident,
                    dont_frag: self.dont_frag,
                    more_frags: false,
                    frag_offset: 0,
                    options: &[],
                };
                let mut packet = ipv4::Packet::new_unchecked(&mut *buf);
                repr.emit(&mut packet, caps.ipv4);
                20
            }
            #[cfg(feature = "proto-ipv6")]
            (IpAddr::V6(src), IpAddr::V6(dst)) => {
                let repr = ipv6::Repr {
                    src_addr: *src,
                    dst_addr: *dst,
                    next_header: self.protocol,
                    payload_len: u16::try_from(buf.len().saturating_sub(40)).unwrap_or(u16::MAX),
                    hop_limit: self.hop_limit,
                    dscp: self.dscp,
                    ecn: self.ecn,
                    flow_label: self.flow_label,
                };
                let mut packet = ipv6::Packet::new_unchecked(&mut *buf);
                repr.emit(&mut packet);
                40
            }
            _ => return false,
        };
        // One call site: the payload's writer is inlined here once.
        self.emit_payload(&mut buf[header_len..], &self.src, &self.dst, caps);
        true
    }

    // Forced inline on 64-bit hosts (speed), a hint on MCUs (flash).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    fn emit_payload(
        &self,
        buf: &mut [u8],
        src: &IpAddr,
        dst: &IpAddr,
        caps: &ChecksumCapabilities,
    ) {
        match self.payload {
            #[cfg(feature = "proto-ipv4")]
            IpPayload::Icmpv4(r) => {
                r.emit(&mut icmpv4::Packet::new_unchecked(buf), caps.icmpv4);
            }
            #[cfg(feature = "proto-ipv6")]
            IpPayload::Icmpv6(r) => {
                if let (IpAddr::V6(s), IpAddr::V6(d)) = (src, dst) {
                    r.emit(&mut icmpv6::Packet::new_unchecked(buf), s, d, caps.icmpv6);
                }
            }
            IpPayload::Udp(r, data) => {
                let mut packet = udp::Packet::new_unchecked(buf);
                r.emit_slice(&mut packet, src, dst, data, caps.udp);
            }
            #[cfg(feature = "socket-tcp")]
            IpPayload::Tcp(r, more) => {
                r.emit_two(
                    &mut tcp::Packet::new_unchecked(buf),
                    src,
                    dst,
                    more,
                    caps.tcp,
                );
            }
            #[cfg(feature = "socket-raw")]
            IpPayload::Raw(protocol, data, offset) => {
                buf.copy_from_slice(data);
                if let (Some(off), IpAddr::V6(s), IpAddr::V6(d)) = (offset, src, dst) {
                    crate::socket::raw::fill_checksum(buf, off, s, d, protocol);
                }
            }
            #[cfg(feature = "socket-icmp")]
            IpPayload::IcmpMessage(protocol, data) => {
                buf.copy_from_slice(data);
                let fill = match protocol {
                    IpProtocol::Icmpv6 => caps.icmpv6.tx(),
                    _ => caps.icmpv4.tx(),
                };
                if fill {
                    crate::socket::icmp::fill_checksum(buf, src, dst);
                }
            }
            IpPayload::EchoReply {
                protocol,
                request,
                adjust,
            } => {
                buf.copy_from_slice(request);
                let (reply_type, fill) = match protocol {
                    IpProtocol::Icmpv6 => (129, caps.icmpv6.tx()),
                    _ => (0, caps.icmpv4.tx()),
                };
                if buf.len() < 4 {
                    return;
                }
                let old_word = u16::from_be_bytes([buf[0], buf[1]]);
                let old_sum = u16::from_be_bytes([buf[2], buf[3]]);
                buf[0] = reply_type;
                buf[1] = 0;
                if !fill {
                    buf[2..4].fill(0);
                } else {
                    // RFC 1624 §3 eqn. 3: HC' = ~(~HC + ~m + m'), with m the
                    // old type/code word and m' the new one. Its sum never
                    // comes out +0, so an all-zero reply (whose checksum is
                    // 0xFFFF) would get 0x0000: that one case, like an
                    // unverified request, is summed in full.
                    let new_word = u16::from(reply_type) << 8;
                    let sum = checksum::combine(&[!old_sum, !old_word, new_word]);
                    let adjusted = checksum::finish(sum);
                    let value = if adjust && adjusted != 0 {
                        adjusted
                    } else {
                        buf[2..4].fill(0);
                        echo_checksum(buf, src, dst)
                    };
                    buf[2..4].copy_from_slice(&value.to_be_bytes());
                }
            }
        }
    }
}

/// The checksum of an ICMP message (RFC 792) or an ICMPv6 one over its
/// pseudo-header (RFC 4443 §2.3), summed in full; the checksum field must
/// read zero.
fn echo_checksum(message: &[u8], src: &IpAddr, dst: &IpAddr) -> u16 {
    let data = checksum::data(message);
    let sum = match (src, dst) {
        (IpAddr::V6(_), IpAddr::V6(_)) => {
            let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
            checksum::combine(&[
                checksum::pseudo_header(src, dst, IpProtocol::Icmpv6, len),
                data,
            ])
        }
        _ => data,
    };
    checksum::finish(sum)
}
