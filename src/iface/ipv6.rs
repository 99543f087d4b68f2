//! IPv6 ingress (RFC 8200), ICMPv6 (RFC 4443) and Neighbor Discovery
//! (RFC 4861): the extension-header chain processed in order with the
//! option action bits, reassembly, delivery, echo, NDP and error
//! generation.

use core::net::{IpAddr, Ipv6Addr};

use super::addr::{ALL_NODES, is_link_local, is_solicited_node};
use super::ingress::{DstKind, Pending, UdpOutcome};
use super::interface::InterfaceInner;
use super::packet::IpPayload;
use super::reassembly::Reassembler;
#[cfg(feature = "proto-ipv6-fragmentation")]
use super::reassembly::{DropReason, FragmentInfo, ReassemblyKey};
use super::route::Route;
use crate::socket::{IcmpError, IcmpErrorKind, IpMeta, SocketSet};
use crate::time::Duration;
use crate::wire::icmpv6::{self, DstUnreachable, ParamProblem};
use crate::wire::ipv6ext::chain::{ChainItem, HeaderChain};
use crate::wire::ipv6ext::options::{Ipv6Option, UnknownOptionAction};
use crate::wire::ipv6ext::{fragment, hopopts, routing};
use crate::wire::{IpCidr, IpProtocol, Ipv6Cidr, ipv6, ndisc};

/// What a received IPv6 packet looked like to the processing below.
#[derive(Clone, Copy)]
struct Rx<'p> {
    repr: ipv6::Repr,
    /// The whole packet, fixed header included (for ICMP errors).
    packet: &'p [u8],
    dst_kind: DstKind,
}

/// Offset of the Next Header field in the IPv6 fixed header (RFC 8200 §3).
const NEXT_HEADER_FIELD: usize = 6;

impl InterfaceInner<'_> {
    pub(crate) fn process_ipv6<'f>(
        &mut self,
        sockets: &mut SocketSet<'_>,
        reassembly: &mut Reassembler<'_>,
        scratch: &mut [u8],
        data: &'f [u8],
        link_group: bool,
    ) -> Option<Pending<'f>> {
        self.counters.ipv6.in_receives += 1;
        let Ok(packet) = ipv6::Packet::new_checked(data) else {
            self.counters.ipv6.in_hdr_errors += 1;
            return None;
        };
        let Ok(repr) = ipv6::Repr::parse(&packet) else {
            self.counters.ipv6.in_hdr_errors += 1;
            return None;
        };
        let dst = repr.dst_addr;
        let dst_kind = if self.has_ipv6_addr(&dst) {
            if link_group {
                DstKind::Group
            } else {
                DstKind::Unicast
            }
        } else if dst.is_multicast() && self.ipv6_groups_iter().any(|g| g == dst) {
            DstKind::Group
        } else {
            self.counters.ipv6.in_addr_errors += 1;
            return None;
        };
        let whole = &data[..ipv6::HEADER_LEN + usize::from(repr.payload_len)];
        let rx = Rx {
            repr,
            packet: whole,
            dst_kind,
        };
        self.walk_ipv6(
            sockets,
            Some(reassembly),
            scratch,
            rx,
            repr.next_header,
            packet.payload(),
            ipv6::HEADER_LEN,
            NEXT_HEADER_FIELD,
        )
    }

    /// Walk the header chain of `data` (which starts `base` bytes into the
    /// packet) from `first`, and deliver what it ends in. `reassembly` is
    /// `None` when `data` is itself a reassembled payload: a fragment
    /// header in there is an error. `named_at` is the packet offset of the
    /// Next Header field that holds `first`.
    #[allow(clippy::too_many_arguments)]
    fn walk_ipv6<'f>(
        &mut self,
        sockets: &mut SocketSet<'_>,
        mut reassembly: Option<&mut Reassembler<'_>>,
        scratch: &mut [u8],
        rx: Rx<'f>,
        first: IpProtocol,
        data: &'f [u8],
        base: usize,
        mut named_at: usize,
    ) -> Option<Pending<'f>> {
        let reassembled = reassembly.is_none();
        for item in HeaderChain::new(first, data) {
            let item = match item {
                Ok(i) => i,
                Err(e) => {
                    self.counters.ipv6.in_hdr_errors += 1;
                    if e.error == crate::wire::Error::BadField {
                        // RFC 8200 §4.1 / §4.3: Hop-by-Hop not first ->
                        // Parameter Problem code 1 at its Next Header field.
                        return self.icmpv6_param_problem(
                            scratch,
                            &rx,
                            ParamProblem::UnrecognizedNxtHdr,
                            base + e.offset,
                        );
                    }
                    return None;
                }
            };
            if let ChainItem::Header(h) = &item {
                // Every extension header starts with the Next Header field
                // naming what follows it (RFC 8200 §4).
                named_at = base + h.offset;
            }
            match item {
                ChainItem::Header(h) => match h.kind {
                    IpProtocol::HopByHop | IpProtocol::Ipv6Opts => {
                        let Ok(hdr) = hopopts::Header::new_checked(h.bytes) else {
                            self.counters.ipv6.in_hdr_errors += 1;
                            return None;
                        };
                        for opt in hdr.options_iter() {
                            let Ok((offset, opt)) = opt else {
                                self.counters.ipv6.in_hdr_errors += 1;
                                return None;
                            };
                            if let Ipv6Option::Unknown { kind, .. } = opt {
                                // RFC 8200 §4.2: the two high bits of an
                                // unrecognised option's type say what to do.
                                match kind.action() {
                                    UnknownOptionAction::Skip => {}
                                    UnknownOptionAction::Discard => {
                                        self.counters.ipv6.in_hdr_errors += 1;
                                        return None;
                                    }
                                    UnknownOptionAction::DiscardSendParamProblem => {
                                        self.counters.ipv6.in_hdr_errors += 1;
                                        return self.icmpv6_param_problem_any(
                                            scratch,
                                            &rx,
                                            ParamProblem::UnrecognizedOption,
                                            base + h.offset + offset,
                                        );
                                    }
                                    UnknownOptionAction::DiscardSendParamProblemUnlessMulticast => {
                                        self.counters.ipv6.in_hdr_errors += 1;
                                        if rx.repr.dst_addr.is_multicast() {
                                            return None;
                                        }
                                        return self.icmpv6_param_problem(
                                            scratch,
                                            &rx,
                                            ParamProblem::UnrecognizedOption,
                                            base + h.offset + offset,
                                        );
                                    }
                                }
                            }
                        }
                    }
                    IpProtocol::Ipv6Route => {
                        let Ok(hdr) = routing::Header::new_checked(h.bytes) else {
                            self.counters.ipv6.in_hdr_errors += 1;
                            return None;
                        };
                        let Ok(r) = routing::Repr::parse(&hdr) else {
                            self.counters.ipv6.in_hdr_errors += 1;
                            return None;
                        };
                        // RFC 8200 §4.4: with Segments Left zero the header
                        // is ignored. Otherwise a host cannot act on it:
                        // type 0 is deprecated (RFC 5095 §3) and unknown
                        // types get Parameter Problem code 0 pointing at the
                        // Routing Type field.
                        if r.segments_left() != 0 {
                            self.counters.ipv6.in_hdr_errors += 1;
                            return self.icmpv6_param_problem(
                                scratch,
                                &rx,
                                ParamProblem::ErroneousHeaderField,
                                base + h.offset + 2,
                            );
                        }
                    }
                    IpProtocol::Ipv6Frag => {
                        let Ok(hdr) =
                            fragment::Header::new_checked(data.get(h.offset..).unwrap_or(h.bytes))
                        else {
                            self.counters.ipv6.in_hdr_errors += 1;
                            return None;
                        };
                        // RFC 6946 §4: an atomic fragment is processed as a
                        // whole datagram, never touching reassembly state.
                        if hdr.is_atomic() {
                            continue;
                        }
                        let Some(reassembly) = reassembly.take() else {
                            // A fragment header inside a reassembled payload.
                            self.counters.ipv6.in_hdr_errors += 1;
                            return None;
                        };
                        // Without `proto-ipv6-fragmentation` nothing is
                        // reassembled: the fragment is dropped and counted.
                        #[cfg(not(feature = "proto-ipv6-fragmentation"))]
                        {
                            let _ = reassembly;
                            self.counters.ipv6.reasm_fails += 1;
                            return None;
                        }
                        #[cfg(feature = "proto-ipv6-fragmentation")]
                        return self.reassemble_ipv6(
                            sockets,
                            reassembly,
                            scratch,
                            rx,
                            &hdr,
                            base + h.offset,
                        );
                    }
                    _ => {}
                },
                ChainItem::NonFirstFragment { .. } => {
                    // Handled with the header itself (above).
                    return None;
                }
                ChainItem::UpperLayer {
                    protocol,
                    offset,
                    first_fragment,
                } => {
                    if first_fragment && !reassembled {
                        // Unreachable in practice: fragments return above.
                        return None;
                    }
                    let payload = data.get(offset..).unwrap_or(&[]);
                    return self.deliver_ipv6(sockets, scratch, rx, protocol, payload, named_at);
                }
            }
        }
        None
    }

    #[cfg(feature = "proto-ipv6-fragmentation")]
    fn reassemble_ipv6(
        &mut self,
        sockets: &mut SocketSet<'_>,
        reassembly: &mut Reassembler<'_>,
        scratch: &mut [u8],
        rx: Rx<'_>,
        hdr: &fragment::Header<&[u8]>,
        frag_hdr_at: usize,
    ) -> Option<Pending<'static>> {
        self.counters.ipv6.reasm_reqds += 1;
        let key = ReassemblyKey::Ipv6 {
            src_addr: rx.repr.src_addr,
            dst_addr: rx.repr.dst_addr,
            ident: hdr.ident(),
        };
        // The fixed header, the unfragmentable part and the Fragment header
        // (RFC 8200 §4.5: they come from the first fragment).
        let first_headers = rx.packet.get(..frag_hdr_at + 8).unwrap_or(rx.packet);
        let frag = FragmentInfo {
            offset: hdr.frag_offset(),
            more: hdr.more_frags(),
            payload: hdr.payload(),
            header_len: frag_hdr_at - ipv6::HEADER_LEN,
            ecn: rx.repr.ecn,
        };
        let first = (hdr.frag_offset() == 0).then_some(first_headers);
        if first.is_some() {
            // RFC 7112 §5: the first fragment must carry the whole header
            // chain; otherwise Parameter Problem code 3.
            let complete =
                crate::wire::ipv6ext::chain::upper_layer(hdr.next_header(), hdr.payload()).is_ok();
            if !complete {
                reassembly.record_drop(DropReason::IncompleteHeaderChain);
                self.counters.ipv6.reasm_fails += 1;
                return self.icmpv6_param_problem(
                    scratch,
                    &rx,
                    ParamProblem::FirstFragmentIncomplete,
                    0,
                );
            }
        }
        // A datagram of several frames: no one frame's metadata speaks for
        // its checksum.
        self.rx_meta = crate::device::RxMeta::default();
        match reassembly.process(self.now, key, frag, first) {
            Ok(Some(done)) => {
                self.counters.ipv6.reasm_oks += 1;
                let next = hdr.next_header();
                let rx2 = Rx {
                    packet: done.headers,
                    ..rx
                };
                let reply = self.walk_ipv6(
                    sockets,
                    None,
                    scratch,
                    rx2,
                    next,
                    done.payload,
                    frag_hdr_at + 8,
                    // The Fragment header's own Next Header field.
                    frag_hdr_at,
                )?;
                // The reply borrows the reassembly buffer (and may need
                // fragmenting): serialise it now.
                self.stage_pending(scratch, reply)
            }
            Ok(None) => None,
            Err(_) => {
                self.counters.ipv6.reasm_fails += 1;
                None
            }
        }
    }

    /// Deliver an upper-layer payload; `named_at` is the packet offset of
    /// the Next Header field that named `protocol`.
    fn deliver_ipv6<'f>(
        &mut self,
        sockets: &mut SocketSet<'_>,
        scratch: &mut [u8],
        rx: Rx<'f>,
        protocol: IpProtocol,
        payload: &'f [u8],
        named_at: usize,
    ) -> Option<Pending<'f>> {
        let meta = IpMeta {
            src_addr: IpAddr::V6(rx.repr.src_addr),
            dst_addr: IpAddr::V6(rx.repr.dst_addr),
            hop_limit: rx.repr.hop_limit,
            dscp: rx.repr.dscp,
            ecn: rx.repr.ecn,
        };
        self.counters.ipv6.in_delivers += 1;
        let raw_taken = self.deliver_raw(
            sockets,
            crate::wire::IpVersion::Ipv6,
            protocol,
            &meta,
            &[],
            payload,
        );
        match protocol {
            IpProtocol::Icmpv6 => self.process_icmpv6(sockets, &rx, &meta, payload),
            IpProtocol::Udp => match self.deliver_udp(sockets, &meta, rx.dst_kind, payload) {
                UdpOutcome::NoSocket => self.icmpv6_error(
                    scratch,
                    &rx,
                    false,
                    icmpv6::Repr::DstUnreachable {
                        reason: DstUnreachable::PortUnreachable,
                        data: &[],
                    },
                ),
                _ => None,
            },
            // Without TCP sockets TCP is a protocol nobody handles.
            #[cfg(feature = "socket-tcp")]
            IpProtocol::Tcp => self.deliver_tcp(sockets, scratch, &meta, rx.dst_kind, payload),
            IpProtocol::Ipv6NoNxt => None,
            _ if raw_taken => None,
            _ => {
                self.counters.ipv6.in_delivers -= 1;
                self.counters.ipv6.in_unknown_protos += 1;
                // RFC 8200 §4: unrecognised Next Header -> Parameter
                // Problem code 1 pointing at it. The pointer is the Next
                // Header field that named it: for the fixed header that is
                // offset 6; otherwise the start of the previous header.
                self.icmpv6_param_problem(scratch, &rx, ParamProblem::UnrecognizedNxtHdr, named_at)
            }
        }
    }

    fn process_icmpv6<'f>(
        &mut self,
        sockets: &mut SocketSet<'_>,
        rx: &Rx<'_>,
        meta: &IpMeta,
        data: &'f [u8],
    ) -> Option<Pending<'f>> {
        self.counters.icmpv6.in_msgs += 1;
        let Ok(packet) = icmpv6::Packet::new_checked(data) else {
            self.counters.icmpv6.in_errors += 1;
            return None;
        };
        let (src, dst) = (rx.repr.src_addr, rx.repr.dst_addr);
        let parsed = icmpv6::Repr::parse(&packet, &src, &dst, self.caps.checksum.icmpv6);
        let Ok(repr) = &parsed else {
            self.counters.icmpv6.in_errors += 1;
            return None;
        };
        match *repr {
            icmpv6::Repr::EchoRequest { .. } => {
                self.counters.icmpv6.in_echos += 1;
                // RFC 4443 §4.2: reply to multicast requests too (from a
                // unicast address of ours).
                let reply_src = if self.has_ipv6_addr(&dst) {
                    dst
                } else {
                    self.ipv6_source_for(&src)?
                };
                self.counters.icmpv6.out_msgs += 1;
                self.counters.icmpv6.out_echo_reps += 1;
                // RFC 4443 §4.2: identifier, sequence number and data of
                // the request. The pseudo-header (RFC 4443 §2.3) sums the
                // same two addresses when we answer from the address asked,
                // so a verified request checksum can then be adjusted
                // (RFC 1624) rather than recomputed.
                let out = self.reply(
                    IpAddr::V6(reply_src),
                    IpAddr::V6(src),
                    IpPayload::EchoReply {
                        protocol: IpProtocol::Icmpv6,
                        request: data,
                        adjust: reply_src == dst && self.caps.checksum.icmpv6.rx(),
                    },
                );
                Some(Pending::Out(out))
            }
            icmpv6::Repr::EchoReply { .. } => {
                self.deliver_echo_reply(sockets, meta, data);
                None
            }
            icmpv6::Repr::PktTooBig { mtu, data } => {
                self.counters.icmpv6.in_error_msgs += 1;
                self.icmpv6_error_received(
                    sockets,
                    &src,
                    data,
                    IcmpErrorKind::PacketTooBig(mtu),
                    Some(mtu),
                );
                None
            }
            icmpv6::Repr::DstUnreachable { reason, data } => {
                self.counters.icmpv6.in_error_msgs += 1;
                let kind = match reason {
                    DstUnreachable::NoRoute => IcmpErrorKind::NetUnreachable,
                    DstUnreachable::PortUnreachable => IcmpErrorKind::PortUnreachable,
                    DstUnreachable::AdminProhibit
                    | DstUnreachable::FailedPolicy
                    | DstUnreachable::RejectRoute => IcmpErrorKind::Prohibited,
                    _ => IcmpErrorKind::HostUnreachable,
                };
                self.icmpv6_error_received(sockets, &src, data, kind, None);
                None
            }
            icmpv6::Repr::TimeExceeded { data, .. } => {
                self.counters.icmpv6.in_error_msgs += 1;
                self.icmpv6_error_received(sockets, &src, data, IcmpErrorKind::TimeExceeded, None);
                None
            }
            icmpv6::Repr::ParamProblem { data, .. } => {
                self.counters.icmpv6.in_error_msgs += 1;
                self.icmpv6_error_received(
                    sockets,
                    &src,
                    data,
                    IcmpErrorKind::ParameterProblem,
                    None,
                );
                None
            }
            icmpv6::Repr::Ndisc(nd) => self.process_ndisc(rx, nd),
            icmpv6::Repr::Mld(_) => None,
        }
    }

    fn process_ndisc(&mut self, rx: &Rx<'_>, nd: ndisc::Repr<'_>) -> Option<Pending<'static>> {
        let (src, dst) = (rx.repr.src_addr, rx.repr.dst_addr);
        // RFC 4861 §6.1, §7.1.1, §7.1.2: Hop Limit 255 proves the message
        // was not forwarded by a router.
        if rx.repr.hop_limit != 255 {
            self.counters.icmpv6.in_errors += 1;
            return None;
        }
        match nd {
            ndisc::Repr::NeighborSolicit {
                target_addr,
                lladdr,
                ..
            } => {
                // RFC 4861 §7.1.1: from the unspecified address (DAD) the
                // destination must be a solicited-node group and there must
                // be no source link-layer address option.
                if src.is_unspecified() && (!is_solicited_node(&dst) || lladdr.is_some()) {
                    self.counters.icmpv6.in_errors += 1;
                    return None;
                }
                if !self.has_ipv6_addr(&target_addr) {
                    return None;
                }
                if let Some(mac) = lladdr
                    && !src.is_unspecified()
                {
                    // RFC 4861 §7.2.3: create or update the sender's entry.
                    self.neighbors
                        .neighbor_solicitation(self.now, IpAddr::V6(src), Some(mac));
                }
                // RFC 4861 §7.2.4: answer; to all-nodes for a DAD probe.
                let (reply_dst, solicited) = if src.is_unspecified() {
                    (ALL_NODES, false)
                } else {
                    (src, true)
                };
                let na = ndisc::Repr::NeighborAdvert {
                    router: false,
                    solicited,
                    override_: true,
                    target_addr,
                    lladdr: Some(self.hardware_addr),
                };
                self.counters.icmpv6.out_msgs += 1;
                let mut out = self.reply(
                    IpAddr::V6(target_addr),
                    IpAddr::V6(reply_dst),
                    IpPayload::Icmpv6(icmpv6::Repr::Ndisc(na)),
                );
                out.hop_limit = 255;
                Some(Pending::Out(out))
            }
            ndisc::Repr::NeighborAdvert {
                router,
                solicited,
                override_,
                target_addr,
                lladdr,
            } => {
                // RFC 4861 §7.1.2: Solicited must be clear when the
                // destination is multicast.
                if solicited && dst.is_multicast() {
                    self.counters.icmpv6.in_errors += 1;
                    return None;
                }
                let merge = self.neighbors.neighbor_advertisement(
                    self.now,
                    IpAddr::V6(target_addr),
                    lladdr,
                    super::neighbor::NaFlags {
                        router,
                        solicited,
                        override_,
                    },
                );
                if merge == super::neighbor::Merge::RouterLost {
                    // RFC 4861 §7.2.5: no longer a router: leave the
                    // default router list.
                    let default = Route::new_ipv6_gateway(target_addr);
                    let _ = self.routes.remove(&default.cidr);
                }
                None
            }
            ndisc::Repr::RouterAdvert {
                router_lifetime,
                reachable_time,
                retrans_time,
                options,
                ..
            } => {
                // RFC 4861 §6.1.2: from a link-local source only.
                if !is_link_local(&src) || !self.config.ipv6.accept_ra {
                    return None;
                }
                let now = self.now;
                self.neighbors
                    .router_advertisement(now, IpAddr::V6(src), options.source_lladdr());
                // RFC 4861 §6.3.4: adopt non-zero Reachable Time and
                // Retrans Timer values.
                self.neighbors.set_base_reachable_time(
                    now,
                    crate::wire::IpVersion::Ipv6,
                    reachable_time,
                );
                if retrans_time != 0 {
                    self.neighbors
                        .set_retrans_timer(crate::wire::IpVersion::Ipv6, retrans_time);
                }
                // RFC 4861 §6.3.4: default router list with its lifetime.
                let default = Route::new_ipv6_gateway(src);
                if router_lifetime == 0 {
                    let _ = self.routes.remove(&default.cidr);
                } else {
                    let _ = self.routes.add(Route {
                        expires_at: Some(now + Duration::from_secs(u64::from(router_lifetime))),
                        ..default
                    });
                }
                // RFC 4861 §6.3.4: on-link prefixes (L flag) with their
                // valid lifetime; link-local is always on-link.
                for p in options.prefix_infos() {
                    if !p.on_link || is_link_local(&p.prefix) {
                        continue;
                    }
                    let Some(cidr) = Ipv6Cidr::new(p.prefix, p.prefix_len) else {
                        continue;
                    };
                    let cidr = IpCidr::V6(cidr.network());
                    if p.valid_lifetime == 0 {
                        let _ = self.routes.remove(&cidr);
                    } else {
                        let expires_at = (p.valid_lifetime != u32::MAX)
                            .then(|| now + Duration::from_secs(u64::from(p.valid_lifetime)));
                        let _ = self.routes.add(Route {
                            cidr,
                            via_router: None,
                            expires_at,
                        });
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// An ICMPv6 error about a packet we sent (`data`: its IPv6 header and
    /// the start of its payload).
    fn icmpv6_error_received(
        &mut self,
        sockets: &mut SocketSet<'_>,
        offender: &Ipv6Addr,
        data: &[u8],
        kind: IcmpErrorKind,
        mtu: Option<u32>,
    ) {
        if data.len() < ipv6::HEADER_LEN {
            return;
        }
        let inner = ipv6::Packet::new_unchecked(data);
        if inner.version() != 6 || !self.has_ipv6_addr(&inner.src_addr()) {
            return;
        }
        let remote = IpAddr::V6(inner.dst_addr());
        if let Some(mtu) = mtu {
            self.learn_pmtu(remote, mtu as usize);
        }
        let rest = &data[ipv6::HEADER_LEN..];
        let (protocol, offset) =
            crate::wire::ipv6ext::chain::upper_layer(inner.next_header(), rest)
                .unwrap_or((IpProtocol::Ipv6NoNxt, 0));
        let transport = rest.get(offset..).unwrap_or(&[]);
        let offender = IpAddr::V6(*offender);
        self.deliver_icmp_error(
            sockets,
            protocol,
            IpAddr::V6(inner.src_addr()),
            remote,
            transport,
            |dst| IcmpError {
                offender,
                dst,
                kind,
            },
        );
    }

    fn icmpv6_param_problem(
        &mut self,
        scratch: &mut [u8],
        rx: &Rx<'_>,
        reason: ParamProblem,
        pointer: usize,
    ) -> Option<Pending<'static>> {
        let pointer = u32::try_from(pointer).unwrap_or(u32::MAX);
        self.icmpv6_error(
            scratch,
            rx,
            false,
            icmpv6::Repr::ParamProblem {
                reason,
                pointer,
                data: &[],
            },
        )
    }

    /// A Parameter Problem that RFC 4443 §2.4(e.3) allows even for
    /// multicast destinations (unrecognised option with action 10).
    fn icmpv6_param_problem_any(
        &mut self,
        scratch: &mut [u8],
        rx: &Rx<'_>,
        reason: ParamProblem,
        pointer: usize,
    ) -> Option<Pending<'static>> {
        let pointer = u32::try_from(pointer).unwrap_or(u32::MAX);
        self.icmpv6_error(
            scratch,
            rx,
            true,
            icmpv6::Repr::ParamProblem {
                reason,
                pointer,
                data: &[],
            },
        )
    }

    /// Build an ICMPv6 error about `rx`, if RFC 4443 §2.4(e) and the rate
    /// limiter allow it.
    fn icmpv6_error(
        &mut self,
        scratch: &mut [u8],
        rx: &Rx<'_>,
        multicast_ok: bool,
        template: icmpv6::Repr<'_>,
    ) -> Option<Pending<'static>> {
        let src = rx.repr.src_addr;
        // RFC 4443 §2.4(e): not about an error message, not to a multicast
        // destination or link-layer group (except PTB / option code 2), not
        // from an address that does not identify a single node.
        let is_error = rx.repr.next_header == IpProtocol::Icmpv6
            && rx.packet.get(ipv6::HEADER_LEN).is_some_and(|t| *t < 128);
        if is_error
            || (rx.dst_kind == DstKind::Group && !multicast_ok)
            || src.is_unspecified()
            || src.is_multicast()
        {
            self.counters.icmpv6.out_suppressed += 1;
            return None;
        }
        let cfg = self.config;
        if !self.icmp_limit.allow(
            self.now,
            IpAddr::V6(src),
            cfg.ipv4.icmp_msgs_per_sec,
            cfg.ipv4.icmp_msgs_burst,
            Duration::from_millis(u64::from(cfg.ipv6.icmp_ratelimit_ms)),
        ) {
            self.counters.icmpv6.out_rate_limited += 1;
            return None;
        }
        let reply_src = if self.has_ipv6_addr(&rx.repr.dst_addr) {
            rx.repr.dst_addr
        } else {
            self.ipv6_source_for(&src)?
        };
        // RFC 4443 §2.4(c): as much of the invoking packet as fits in the
        // minimum MTU.
        let data = icmpv6::truncate_error_data(rx.packet, ipv6::HEADER_LEN);
        let repr = match template {
            icmpv6::Repr::DstUnreachable { reason, .. } => {
                icmpv6::Repr::DstUnreachable { reason, data }
            }
            icmpv6::Repr::ParamProblem {
                reason, pointer, ..
            } => icmpv6::Repr::ParamProblem {
                reason,
                pointer,
                data,
            },
            icmpv6::Repr::TimeExceeded { reason, .. } => {
                icmpv6::Repr::TimeExceeded { reason, data }
            }
            icmpv6::Repr::PktTooBig { mtu, .. } => icmpv6::Repr::PktTooBig { mtu, data },
            _ => return None,
        };
        self.counters.icmpv6.out_msgs += 1;
        self.counters.icmpv6.out_error_msgs += 1;
        let out = self.reply(
            IpAddr::V6(reply_src),
            IpAddr::V6(src),
            IpPayload::Icmpv6(repr),
        );
        self.stage(scratch, &out)
    }

    /// ICMPv6 Time Exceeded code 1 after a reassembly timeout (RFC 8200
    /// §4.5), quoting the first fragment's headers and data.
    pub(crate) fn ipv6_reassembly_time_exceeded(
        &mut self,
        scratch: &mut [u8],
        t: &super::reassembly::TimedOut<'_>,
    ) -> Option<Pending<'static>> {
        let p = ipv6::Packet::new_unchecked(t.headers);
        if t.headers.len() < ipv6::HEADER_LEN || p.version() != 6 {
            return None;
        }
        let repr = ipv6::Repr {
            src_addr: p.src_addr(),
            dst_addr: p.dst_addr(),
            next_header: p.next_header(),
            payload_len: p.payload_len(),
            hop_limit: p.hop_limit(),
            dscp: p.dscp(),
            ecn: p.ecn(),
            flow_label: p.flow_label(),
        };
        // Quote the headers followed by the start of the data.
        let mut quoted = [0u8; 1232];
        let h = t.headers.len().min(quoted.len());
        quoted[..h].copy_from_slice(&t.headers[..h]);
        let d = t.payload.len().min(quoted.len() - h);
        quoted[h..h + d].copy_from_slice(&t.payload[..d]);
        let rx = Rx {
            repr,
            packet: &quoted[..h + d],
            dst_kind: DstKind::Unicast,
        };
        let template = icmpv6::Repr::TimeExceeded {
            reason: icmpv6::TimeExceeded::FragReassemblyTimeExceeded,
            data: &[],
        };
        self.icmpv6_error(scratch, &rx, false, template)
    }
}
