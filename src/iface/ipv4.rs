//! IPv4 ingress (RFC 791, RFC 1122 §3.2) and ICMPv4 (RFC 792, RFC 1122
//! §3.2.2): validation, destination rules, reassembly, delivery, echo and
//! error generation.

use core::net::{IpAddr, Ipv4Addr};

use super::ingress::{DstKind, Pending, UdpOutcome};
use super::interface::InterfaceInner;
use super::packet::IpPayload;
#[cfg(feature = "proto-ipv4-fragmentation")]
use super::reassembly::FragmentInfo;
use super::reassembly::{Reassembler, ReassemblyKey};
use crate::socket::{IcmpError, IcmpErrorKind, IpMeta, SocketSet};
use crate::time::Duration;
use crate::wire::IpProtocol;
use crate::wire::icmpv4::{self, DstUnreachable};
use crate::wire::ipv4::{self, Ipv4Option};

/// Room for the invoking datagram in an ICMPv4 error: a reply of at most
/// 576 bytes (RFC 1812 §4.3.2.3) less the IPv4 and ICMP headers.
const ICMPV4_ERROR_DATA_MAX: usize = 576 - 20 - 8;

impl InterfaceInner<'_> {
    // Forced inline on 64-bit hosts (speed), a hint on MCUs (flash).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    pub(crate) fn process_ipv4<'f>(
        &mut self,
        sockets: &mut SocketSet<'_>,
        reassembly: &mut Reassembler<'_>,
        scratch: &mut [u8],
        data: &'f [u8],
        link_group: bool,
    ) -> Option<Pending<'f>> {
        self.counters.ipv4.in_receives += 1;
        // `Repr::parse` makes every check `new_checked` would (once).
        let packet = ipv4::Packet::new_unchecked(data);
        // By value, and passed on by reference only as copies made where
        // a call needs one (`&{ *repr }`): with no reference to it taken,
        // the parsed header stays in registers on the common paths instead
        // of being stored and read back.
        let Ok(parsed) = ipv4::Repr::parse(&packet, self.caps.checksum.ipv4) else {
            self.counters.ipv4.in_hdr_errors += 1;
            return None;
        };
        let repr = &parsed;
        // RFC 1122 §3.2.1.3 / RFC 1812 §5.3.7: a source that cannot be a
        // single host is discarded (0.0.0.0 is allowed: a host that does
        // not know its address yet, e.g. DHCP).
        let src = repr.src_addr;
        if src.is_multicast()
            || src.is_broadcast()
            || src.is_loopback()
            || src.octets()[0] >= 240
            || self.is_ipv4_subnet_broadcast(src)
        {
            self.counters.ipv4.in_addr_errors += 1;
            return None;
        }
        // RFC 1122 §3.2.1.8 lets a host pass source routes up; like Linux
        // with accept_source_route = 0, we refuse datagrams carrying them.
        let source_routed = !repr.options.is_empty()
            && packet.options_iter().any(|opt| {
                matches!(
                    opt,
                    Ok(Ipv4Option::LooseSourceRoute { .. })
                        | Ok(Ipv4Option::StrictSourceRoute { .. })
                )
            });
        if source_routed {
            self.counters.ipv4.in_hdr_errors += 1;
            return None;
        }
        let dst = repr.dst_addr;
        let dst_kind = if self.has_ipv4_addr(dst) {
            if link_group {
                DstKind::Group
            } else {
                DstKind::Unicast
            }
        } else if dst.is_broadcast()
            || self.is_ipv4_subnet_broadcast(dst)
            || dst == Ipv4Addr::new(224, 0, 0, 1)
            || (dst.is_multicast() && self.ipv4_groups.contains(&dst))
        {
            DstKind::Group
        } else {
            // RFC 1122 §3.2.1.? (host, no forwarding): silently discard
            // datagrams not addressed to us.
            self.counters.ipv4.in_addr_errors += 1;
            return None;
        };

        let header = &data[..usize::from(packet.header_len())];
        if repr.more_frags || repr.frag_offset != 0 {
            self.counters.ipv4.reasm_reqds += 1;
            // Without `proto-ipv4-fragmentation` nothing is reassembled:
            // the fragment is dropped and counted.
            #[cfg(not(feature = "proto-ipv4-fragmentation"))]
            {
                let _ = reassembly;
                self.counters.ipv4.reasm_fails += 1;
                return None;
            }
            #[cfg(feature = "proto-ipv4-fragmentation")]
            let key = ReassemblyKey::Ipv4 {
                src_addr: src,
                dst_addr: dst,
                protocol: repr.protocol,
                ident: repr.ident,
            };
            #[cfg(feature = "proto-ipv4-fragmentation")]
            let first = (repr.frag_offset == 0).then_some(header);
            #[cfg(feature = "proto-ipv4-fragmentation")]
            let frag = FragmentInfo {
                offset: repr.frag_offset,
                more: repr.more_frags,
                payload: packet.payload(),
                header_len: header.len(),
                ecn: repr.ecn,
            };
            // A datagram of several frames: no one frame's metadata
            // speaks for its checksum.
            #[cfg(feature = "proto-ipv4-fragmentation")]
            {
                self.rx_meta = crate::device::RxMeta::default();
            }
            #[cfg(feature = "proto-ipv4-fragmentation")]
            match reassembly.process(self.now, key, frag, first) {
                Ok(Some(done)) => {
                    self.counters.ipv4.reasm_oks += 1;
                    // The saved first-fragment header stands for the whole
                    // datagram (protocol, options, ICMP quotes).
                    let whole = ipv4::Repr {
                        more_frags: false,
                        frag_offset: 0,
                        payload_len: done.payload.len(),
                        ecn: done.ecn,
                        ..*repr
                    };
                    let reply = self.deliver_ipv4(
                        sockets,
                        scratch,
                        &whole,
                        done.headers,
                        done.payload,
                        dst_kind,
                    )?;
                    // The reply borrows the reassembly buffer (and may need
                    // fragmenting): serialise it now.
                    return self.stage_pending(scratch, reply);
                }
                Ok(None) => return None,
                Err(_) => {
                    self.counters.ipv4.reasm_fails += 1;
                    return None;
                }
            }
        }
        // The payload as `parse` bounded it (no second look at the header).
        let payload = data.get(header.len()..header.len() + repr.payload_len)?;
        self.deliver_ipv4(sockets, scratch, repr, header, payload, dst_kind)
    }

    /// A whole (possibly reassembled) datagram: hand it to its protocol.
    // Forced inline on 64-bit hosts (speed), a hint on MCUs (flash).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    fn deliver_ipv4<'f>(
        &mut self,
        sockets: &mut SocketSet<'_>,
        scratch: &mut [u8],
        repr: &ipv4::Repr<'_>,
        header: &[u8],
        payload: &'f [u8],
        dst_kind: DstKind,
    ) -> Option<Pending<'f>> {
        let meta = IpMeta {
            src_addr: IpAddr::V4(repr.src_addr),
            dst_addr: IpAddr::V4(repr.dst_addr),
            hop_limit: repr.ttl,
            dscp: repr.dscp,
            ecn: repr.ecn,
        };
        self.counters.ipv4.in_delivers += 1;
        let raw_taken = self.deliver_raw(
            sockets,
            crate::wire::IpVersion::Ipv4,
            repr.protocol,
            &meta,
            header,
            payload,
        );
        match repr.protocol {
            IpProtocol::Icmp => self.process_icmpv4(sockets, &{ *repr }, &meta, payload, dst_kind),
            IpProtocol::Udp => match self.deliver_udp(sockets, &meta, dst_kind, payload) {
                UdpOutcome::NoSocket => self.icmpv4_error(
                    scratch,
                    &{ *repr },
                    header,
                    payload,
                    dst_kind,
                    icmpv4::Repr::DstUnreachable {
                        reason: DstUnreachable::PortUnreachable,
                        next_hop_mtu: 0,
                        data: &[],
                    },
                ),
                _ => None,
            },
            // Without TCP sockets TCP is a protocol nobody handles.
            #[cfg(feature = "socket-tcp")]
            IpProtocol::Tcp => self.deliver_tcp(sockets, scratch, &meta, dst_kind, payload),
            IpProtocol::Igmp => None,
            // Linux: a raw socket that took the datagram is its handler.
            _ if raw_taken => None,
            _ => {
                self.counters.ipv4.in_delivers -= 1;
                self.counters.ipv4.in_unknown_protos += 1;
                // RFC 1122 §3.2.2.1: protocol unreachable SHOULD be sent.
                self.icmpv4_error(
                    scratch,
                    &{ *repr },
                    header,
                    payload,
                    dst_kind,
                    icmpv4::Repr::DstUnreachable {
                        reason: DstUnreachable::ProtoUnreachable,
                        next_hop_mtu: 0,
                        data: &[],
                    },
                )
            }
        }
    }

    fn process_icmpv4<'f>(
        &mut self,
        sockets: &mut SocketSet<'_>,
        ip: &ipv4::Repr<'_>,
        meta: &IpMeta,
        data: &'f [u8],
        dst_kind: DstKind,
    ) -> Option<Pending<'f>> {
        self.counters.icmpv4.in_msgs += 1;
        let Ok(packet) = icmpv4::Packet::new_checked(data) else {
            self.counters.icmpv4.in_errors += 1;
            return None;
        };
        // An echo request, the common case, is judged by the checks
        // `Repr::parse` makes of one (the 8-byte header, the checksum,
        // RFC 792: code 0) without building the `Repr` it would not use.
        if data.first() == Some(&u8::from(icmpv4::Message::EchoRequest)) {
            if (self.caps.checksum.icmpv4.rx() && !packet.verify_checksum())
                || packet.msg_code() != 0
            {
                self.counters.icmpv4.in_errors += 1;
                return None;
            }
            return self.answer_echo_request(ip, data, dst_kind);
        }
        let parsed = icmpv4::Repr::parse(&packet, self.caps.checksum.icmpv4);
        let repr = match &parsed {
            Ok(r) => r,
            Err(crate::wire::Error::Unsupported) if packet.msg_type().is_obsolete() => {
                // RFC 6633 §2, RFC 6918 §2: silently ignored.
                self.counters.icmpv4.in_obsolete += 1;
                return None;
            }
            Err(_) => {
                self.counters.icmpv4.in_errors += 1;
                return None;
            }
        };
        match *repr {
            icmpv4::Repr::EchoRequest { .. } => self.answer_echo_request(ip, data, dst_kind),
            icmpv4::Repr::EchoReply { .. } => {
                self.deliver_echo_reply(sockets, meta, data);
                None
            }
            icmpv4::Repr::DstUnreachable {
                reason,
                next_hop_mtu,
                data,
            } => {
                self.counters.icmpv4.in_error_msgs += 1;
                let kind = match reason {
                    DstUnreachable::NetUnreachable | DstUnreachable::DstNetUnknown => {
                        IcmpErrorKind::NetUnreachable
                    }
                    DstUnreachable::ProtoUnreachable => IcmpErrorKind::ProtocolUnreachable,
                    DstUnreachable::PortUnreachable => IcmpErrorKind::PortUnreachable,
                    DstUnreachable::FragRequired => {
                        IcmpErrorKind::PacketTooBig(u32::from(next_hop_mtu))
                    }
                    DstUnreachable::NetProhibited
                    | DstUnreachable::HostProhibited
                    | DstUnreachable::CommProhibited => IcmpErrorKind::Prohibited,
                    _ => IcmpErrorKind::HostUnreachable,
                };
                self.icmpv4_error_received(sockets, ip, data, kind, next_hop_mtu);
                None
            }
            icmpv4::Repr::TimeExceeded { data, .. } => {
                self.counters.icmpv4.in_error_msgs += 1;
                self.icmpv4_error_received(sockets, ip, data, IcmpErrorKind::TimeExceeded, 0);
                None
            }
            icmpv4::Repr::ParamProblem { data, .. } => {
                self.counters.icmpv4.in_error_msgs += 1;
                self.icmpv4_error_received(sockets, ip, data, IcmpErrorKind::ParameterProblem, 0);
                None
            }
            _ => None,
        }
    }

    /// The reply to an echo request `data` (a whole ICMP message, checked)
    /// that arrived in `ip`.
    #[inline]
    fn answer_echo_request<'f>(
        &mut self,
        ip: &ipv4::Repr<'_>,
        data: &'f [u8],
        dst_kind: DstKind,
    ) -> Option<Pending<'f>> {
        self.counters.icmpv4.in_echos += 1;
        if self.config.ipv4.icmp_echo_ignore_all
            || (dst_kind == DstKind::Group && self.config.ipv4.icmp_echo_ignore_broadcasts)
        {
            return None;
        }
        // RFC 1122 §3.2.2.6: the reply's source is the request's
        // destination when that is one of our unicast addresses.
        let src = if self.has_ipv4_addr(ip.dst_addr) {
            ip.dst_addr
        } else {
            self.ipv4_source_for(ip.src_addr)?
        };
        self.counters.icmpv4.out_msgs += 1;
        self.counters.icmpv4.out_echo_reps += 1;
        // RFC 792: the reply carries the request's identifier, sequence
        // number and data; ICMPv4 has no pseudo-header, so a verified
        // request checksum can be adjusted (RFC 1624).
        let out = self.reply(
            IpAddr::V4(src),
            IpAddr::V4(ip.src_addr),
            IpPayload::EchoReply {
                protocol: IpProtocol::Icmp,
                request: data,
                adjust: self.caps.checksum.icmpv4.rx(),
            },
        );
        Some(Pending::Out(out))
    }

    /// An ICMPv4 error arrived about a datagram `data` (its IPv4 header
    /// and the start of its payload) that we sent: learn the path MTU and
    /// tell the socket (RFC 1122 §4.1.3.3, RFC 1191 §3).
    fn icmpv4_error_received(
        &mut self,
        sockets: &mut SocketSet<'_>,
        ip: &ipv4::Repr<'_>,
        data: &[u8],
        kind: IcmpErrorKind,
        next_hop_mtu: u16,
    ) {
        let Ok(inner) = ipv4::Packet::new_checked(data).or_else(|_| {
            // The quoted datagram is usually truncated: accept a header
            // whose total length exceeds what was quoted.
            let p = ipv4::Packet::new_unchecked(data);
            if data.len() >= 20 && p.version() == 4 && usize::from(p.header_len()) <= data.len() {
                Ok(p)
            } else {
                Err(crate::wire::Error::Truncated)
            }
        }) else {
            return;
        };
        // The datagram must have been ours.
        if !self.has_ipv4_addr(inner.src_addr()) {
            return;
        }
        let remote = IpAddr::V4(inner.dst_addr());
        if let IcmpErrorKind::PacketTooBig(_) = kind {
            let mtu = if next_hop_mtu >= 68 {
                usize::from(next_hop_mtu)
            } else {
                // RFC 1191 §5: an old router sends 0; guess the next
                // plateau below the datagram's length.
                plateau_below(usize::from(inner.total_len()))
            };
            self.learn_pmtu(remote, mtu);
        }
        let hl = usize::from(inner.header_len());
        let transport = data.get(hl..).unwrap_or(&[]);
        let offender = IpAddr::V4(ip.src_addr);
        self.deliver_icmp_error(
            sockets,
            inner.protocol(),
            IpAddr::V4(inner.src_addr()),
            remote,
            transport,
            |dst| IcmpError {
                offender,
                dst,
                kind,
            },
        );
    }

    /// Build an ICMPv4 error about a received datagram, if the rules allow
    /// one (RFC 1122 §3.2.2, RFC 1812 §4.3.2.7) and the rate limiter does.
    pub(crate) fn icmpv4_error(
        &mut self,
        scratch: &mut [u8],
        ip: &ipv4::Repr<'_>,
        header: &[u8],
        payload: &[u8],
        dst_kind: DstKind,
        template: icmpv4::Repr<'_>,
    ) -> Option<Pending<'static>> {
        let src = ip.src_addr;
        // RFC 1122 §3.2.2: no error about an ICMP error, a datagram to a
        // broadcast or multicast address, a non-initial fragment, or a
        // datagram whose source is not a single host.
        let about_icmp_error = ip.protocol == IpProtocol::Icmp
            && payload
                .first()
                .is_some_and(|t| icmpv4::Message::from(*t).is_error() || *t == 5);
        if about_icmp_error
            || dst_kind == DstKind::Group
            || ip.frag_offset != 0
            || src.is_unspecified()
            || src.is_multicast()
            || src.is_broadcast()
            || src.is_loopback()
        {
            self.counters.icmpv4.out_suppressed += 1;
            return None;
        }
        let cfg = self.config.ipv4;
        if !self.icmp_limit.allow(
            self.now,
            IpAddr::V4(src),
            cfg.icmp_msgs_per_sec,
            cfg.icmp_msgs_burst,
            Duration::from_millis(u64::from(cfg.icmp_ratelimit_ms)),
        ) {
            self.counters.icmpv4.out_rate_limited += 1;
            return None;
        }
        let reply_src = if self.has_ipv4_addr(ip.dst_addr) {
            ip.dst_addr
        } else {
            self.ipv4_source_for(src)?
        };
        // The invoking datagram: its header and as much of the payload as
        // fits in a 576-byte reply.
        let mut quoted = [0u8; ICMPV4_ERROR_DATA_MAX];
        let hl = header.len().min(ICMPV4_ERROR_DATA_MAX);
        quoted[..hl].copy_from_slice(&header[..hl]);
        let pl = payload.len().min(ICMPV4_ERROR_DATA_MAX - hl);
        quoted[hl..hl + pl].copy_from_slice(&payload[..pl]);
        let data = &quoted[..hl + pl];
        let repr = match template {
            icmpv4::Repr::DstUnreachable {
                reason,
                next_hop_mtu,
                ..
            } => icmpv4::Repr::DstUnreachable {
                reason,
                next_hop_mtu,
                data,
            },
            icmpv4::Repr::TimeExceeded { reason, .. } => {
                icmpv4::Repr::TimeExceeded { reason, data }
            }
            icmpv4::Repr::ParamProblem {
                reason, pointer, ..
            } => icmpv4::Repr::ParamProblem {
                reason,
                pointer,
                data,
            },
            _ => return None,
        };
        self.counters.icmpv4.out_msgs += 1;
        self.counters.icmpv4.out_error_msgs += 1;
        let out = self.reply(
            IpAddr::V4(reply_src),
            IpAddr::V4(src),
            IpPayload::Icmpv4(repr),
        );
        self.stage(scratch, &out)
    }
}

impl InterfaceInner<'_> {
    /// ICMP Time Exceeded (fragment reassembly) about an IPv4 datagram
    /// whose reassembly timed out after its first fragment arrived.
    pub(crate) fn ipv4_reassembly_time_exceeded(
        &mut self,
        scratch: &mut [u8],
        t: &super::reassembly::TimedOut<'_>,
    ) -> Option<Pending<'static>> {
        let ReassemblyKey::Ipv4 {
            src_addr,
            dst_addr,
            protocol,
            ident,
        } = t.key
        else {
            return None;
        };
        let repr = ipv4::Repr {
            src_addr,
            dst_addr,
            protocol,
            payload_len: t.payload.len(),
            ttl: 64,
            dscp: 0,
            ecn: crate::wire::IpEcn::NotEct,
            ident,
            dont_frag: false,
            more_frags: true,
            frag_offset: 0,
            options: &[],
        };
        let template = icmpv4::Repr::TimeExceeded {
            reason: icmpv4::TimeExceeded::FragReassembly,
            data: &[],
        };
        self.icmpv4_error(
            scratch,
            &repr,
            t.headers,
            t.payload,
            DstKind::Unicast,
            template,
        )
    }
}

/// RFC 1191 §7 plateau table: the largest plateau below `len`.
fn plateau_below(len: usize) -> usize {
    const PLATEAUS: [usize; 10] = [32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68];
    PLATEAUS.into_iter().find(|&p| p < len).unwrap_or(68)
}
