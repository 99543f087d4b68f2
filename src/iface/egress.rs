//! Egress: routing, link-layer resolution, fragmentation and the device,
//! for replies of the receive path, for socket output and for the stack's
//! own control traffic (ARP, Neighbor Solicitations).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::fragment::Fragmenter;
#[cfg(feature = "proto-ipv6-fragmentation")]
use super::fragment::Ipv6Fragmenter;
#[cfg(feature = "proto-ipv4-fragmentation")]
use super::fragment::{FragmentError, Ipv4Fragmenter};
use super::ingress::{Pending, Serialized};
use super::interface::InterfaceInner;
use super::neighbor::{Action, Lookup};
use super::packet::{IpOut, IpPayload};
use super::reassembly::Reassembler;
use crate::device::{Device, Medium, TxMeta, TxToken};
#[cfg(feature = "socket-icmp")]
use crate::socket::icmp::IcmpTransmit;
#[cfg(feature = "socket-raw")]
use crate::socket::raw::RawTransmit;
#[cfg(feature = "socket-tcp")]
use crate::socket::tcp::TcpTransmit;
#[cfg(feature = "socket-udp")]
use crate::socket::udp::UdpTransmit;
use crate::socket::{IcmpError, IcmpErrorKind, Socket, SocketSet};
use crate::time::Instant;
#[cfg(feature = "proto-ipv4-fragmentation")]
use crate::wire::checksum::Checksum;
#[cfg(feature = "proto-ipv4")]
use crate::wire::ipv4;
#[cfg(feature = "proto-ipv6")]
use crate::wire::ipv6;
use crate::wire::{EthernetAddress, ethernet};
#[cfg(any(feature = "socket-icmp", feature = "socket-raw"))]
use crate::wire::{IpProtocol, IpVersion};

#[cfg(feature = "proto-ipv4")]
use crate::wire::arp;
#[cfg(feature = "proto-ipv6")]
use crate::wire::{icmpv6, ndisc};

/// Why a packet could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendError {
    /// No route to the destination.
    NoRoute,
    /// The device has no transmit room now (retry later).
    DeviceBusy,
    /// Too big for the path and may not be fragmented (IPv4 DF); carries
    /// the MTU.
    TooBig(usize),
    /// Dropped (scratch too small, bad addresses): counted.
    Dropped,
}

/// Where a packet goes on the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NextHop {
    /// To the destination itself, on-link (resolve its link address). Says
    /// so without a copy of the address: the caller has it already.
    OnLink,
    /// Through this neighbour, a router (resolve its link address).
    Neighbor(IpAddr),
    /// To this link address directly (broadcast, multicast).
    Link(EthernetAddress),
}

/// Where the link layer sends a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolved {
    /// To this link address (`None`: an IP medium, no link header).
    Link(Option<EthernetAddress>),
    /// Not yet: the packet waits for this neighbour to resolve.
    Unresolved(IpAddr),
}

/// The interface's one-entry next-hop cache: the last destination whose
/// next hop resolved to a neighbour's link address, while the neighbour
/// cache would answer the same (see `NeighborCache::cacheable_entry`).
///
/// Consecutive packets mostly go to the same destination (a reply to each
/// request, a flow's segments); a hit skips routing and the neighbour
/// lookup. The neighbour cache stays the authority: a hit requires that
/// nothing changed that could alter the answer — the neighbour cache
/// (any entry created, removed, changed or moved between NUD states, any
/// packet queued), the routing table and the interface's addresses, each
/// by its generation counter — and that neither a REACHABLE neighbour's
/// ReachableTime (RFC 4861 §7.3.3: after it the next lookup moves the
/// entry to DELAY) nor the route's lifetime has run out. A hit does to
/// the entry what the lookup would have done: mark it used now.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HopCache {
    dst: IpAddr,
    mac: EthernetAddress,
    /// The neighbour entry that answered.
    entry: usize,
    /// Valid before this instant.
    until: Instant,
    neighbors: u64,
    routes: u64,
    addrs: u64,
}

impl HopCache {
    /// An empty cache: never valid.
    pub(crate) const EMPTY: HopCache = HopCache {
        dst: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        mac: EthernetAddress::UNSPECIFIED,
        entry: 0,
        until: Instant::from_micros(i64::MIN),
        neighbors: 0,
        routes: 0,
        addrs: 0,
    };
}

impl InterfaceInner<'_> {
    /// Where a packet to `dst` goes: the destination itself when on-link,
    /// a gateway otherwise (RFC 1122 §3.3.1, RFC 4861 §5.2); with the
    /// instant the answer expires (the route's lifetime).
    fn next_hop(&self, dst: &IpAddr) -> Result<(NextHop, Instant), SendError> {
        match dst {
            IpAddr::V4(d) => {
                if d.is_broadcast() || self.is_ipv4_subnet_broadcast(*d) {
                    return Ok((NextHop::Link(EthernetAddress::BROADCAST), Instant::MAX));
                }
                if d.is_multicast() {
                    let mac = EthernetAddress::from_ipv4_multicast(*d);
                    return Ok((NextHop::Link(mac), Instant::MAX));
                }
                if self.ipv4_addrs.iter().any(|c| c.contains_addr(d)) {
                    return Ok((NextHop::OnLink, Instant::MAX));
                }
            }
            IpAddr::V6(d) => {
                if d.is_multicast() {
                    let mac = EthernetAddress::from_ipv6_multicast(*d);
                    return Ok((NextHop::Link(mac), Instant::MAX));
                }
                if super::addr::is_link_local(d)
                    || self.ipv6_addrs.iter().any(|c| c.contains_addr(d))
                {
                    return Ok((NextHop::OnLink, Instant::MAX));
                }
            }
        }
        match self.routes.lookup(dst, self.now) {
            Some(r) => Ok((
                r.via_router.map_or(NextHop::OnLink, NextHop::Neighbor),
                r.expires_at.unwrap_or(Instant::MAX),
            )),
            None => Err(SendError::NoRoute),
        }
    }

    /// Route a packet to `dst` and resolve its next hop's link address:
    /// from the next-hop cache when it is valid (see [`HopCache`]), else
    /// by routing and the neighbour cache.
    #[inline]
    fn resolve(&mut self, dst: &IpAddr) -> Result<Resolved, SendError> {
        if self.medium == Medium::Ip {
            return Ok(Resolved::Link(None));
        }
        let c = &self.hop_cache;
        if self.now < c.until
            && c.dst == *dst
            && c.neighbors == self.neighbors.generation()
            && c.routes == self.routes.generation()
            && c.addrs == self.addr_generation
        {
            let (entry, mac) = (c.entry, c.mac);
            self.neighbors.touch(entry, self.now);
            return Ok(Resolved::Link(Some(mac)));
        }
        self.resolve_uncached(dst)
    }

    /// [`resolve`](Self::resolve) without the cache; refills it when the
    /// neighbour cache's answer is stable.
    fn resolve_uncached(&mut self, dst: &IpAddr) -> Result<Resolved, SendError> {
        let (hop, route_until) = self.next_hop(dst)?;
        let ip = match hop {
            NextHop::Link(mac) => return Ok(Resolved::Link(Some(mac))),
            NextHop::OnLink => *dst,
            NextHop::Neighbor(router) => router,
        };
        match self.neighbors.lookup(self.now, ip) {
            Lookup::Reachable(mac) | Lookup::Stale(mac) => {
                if let Some((entry, until)) = self.neighbors.cacheable_entry(ip) {
                    self.hop_cache = HopCache {
                        dst: *dst,
                        mac,
                        entry,
                        until: until.min(route_until),
                        neighbors: self.neighbors.generation(),
                        routes: self.routes.generation(),
                        addrs: self.addr_generation,
                    };
                }
                Ok(Resolved::Link(Some(mac)))
            }
            // RFC 1122 §2.3.2.2: the caller keeps the packet meanwhile.
            Lookup::Incomplete | Lookup::NotFound => Ok(Resolved::Unresolved(ip)),
        }
    }

    /// Send a packet: route it, resolve the next hop (queueing the packet
    /// while the neighbour resolves), fragment it if needed.
    pub(crate) fn send_ip<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        scratch: &mut [u8],
        out: &IpOut<'_>,
    ) -> Result<(), SendError> {
        if !self.link_up {
            return Err(SendError::DeviceBusy);
        }
        let mac = match self.resolve(&out.dst)? {
            Resolved::Link(mac) => mac,
            Resolved::Unresolved(ip) => {
                if self.tx_meta.tcp_segment_size.is_some() {
                    // The queue holds packets of the MTU: a TCP
                    // super-segment is built again as one MSS.
                    return Err(SendError::TooBig(self.path_mtu(&out.dst)));
                }
                // RFC 1122 §2.3.2.2: keep the packet while resolving.
                let len = out.total_len();
                let buf = scratch.get_mut(..len).ok_or(SendError::Dropped)?;
                let mut caps = self.caps.checksum;
                if len > self.path_mtu(&out.dst) {
                    // It waits as fragments.
                    caps = fragment_checksums(caps);
                }
                if !out.emit(buf, &caps) {
                    return Err(SendError::Dropped);
                }
                return self.queue_for_neighbor(device, ip, buf);
            }
        };
        let len = out.total_len();
        let mut mtu = self.path_mtu(&out.dst);
        if self.tx_meta.tcp_segment_size.is_some() {
            // A TCP super-segment: the device cuts it into segments that
            // each fit the path (their size comes from the path MTU).
            mtu = mtu.max(self.caps.max_tso_size);
        }
        if len <= mtu {
            let caps = self.caps.checksum;
            return self.transmit_frame(device, mac, out.is_ipv6(), len, |buf| {
                out.emit(buf, &caps);
            });
        }
        // Too big for the path. IPv4 with DF (RFC 1191), and a TCP segment
        // over IPv6 too: TCP resizes its segments to the path MTU (RFC
        // 8201 §5.2) instead of leaning on source fragmentation.
        if out.dont_frag {
            return Err(SendError::TooBig(mtu));
        }
        let buf = scratch.get_mut(..len).ok_or(SendError::Dropped)?;
        if !out.emit(buf, &fragment_checksums(self.caps.checksum)) {
            return Err(SendError::Dropped);
        }
        self.send_fragments(device, mac, &scratch[..len], mtu)
    }

    /// Keep a serialised packet until `ip` resolves, and solicit it now if
    /// that is due. A packet larger than the MTU is fragmented first.
    fn queue_for_neighbor<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        ip: IpAddr,
        packet: &[u8],
    ) -> Result<(), SendError> {
        let mtu = self.path_mtu(&ip_dst_of(packet).unwrap_or(ip));
        let result = if packet.len() <= mtu {
            self.neighbors
                .queue(self.now, ip, packet)
                .map_err(|_| SendError::Dropped)
        } else {
            // Each fragment waits on its own in the queue.
            let mut fragmenter = self.fragmenter(packet, mtu)?;
            // Each fragment is written straight into its pool slot: no
            // stack buffer of the MTU's size.
            let source = super::neighbor::source_of(packet);
            let mut res = Ok(());
            while let Some(len) = fragmenter.next_len() {
                let now = self.now;
                let queued = self.neighbors.queue_with(now, ip, len, source, &mut |b| {
                    fragmenter.next_fragment(b).is_some()
                });
                if queued.is_err() {
                    res = Err(SendError::Dropped);
                    break;
                }
            }
            res
        };
        if result.is_err() {
            self.count_out_discard(&ip);
        }
        self.run_neighbor_timers(device);
        result
    }

    fn count_out_discard(&mut self, dst: &IpAddr) {
        match dst {
            IpAddr::V4(_) => self.counters.ipv4.out_discards += 1,
            IpAddr::V6(_) => self.counters.ipv6.out_discards += 1,
        }
    }

    /// A fragmenter over a serialised packet.
    fn fragmenter<'p>(
        &mut self,
        packet: &'p [u8],
        mtu: usize,
    ) -> Result<Fragmenter<'p>, SendError> {
        match packet.first().map(|b| b >> 4) {
            #[cfg(feature = "proto-ipv4-fragmentation")]
            Some(4) => {
                let p = ipv4::Packet::new_checked(packet).map_err(|_| SendError::Dropped)?;
                let repr = ipv4::Repr::parse(&p, Checksum::None).map_err(|_| SendError::Dropped)?;
                let f = Ipv4Fragmenter::new(repr, p.payload(), mtu, self.caps.checksum.ipv4)
                    .map_err(|e| match e {
                        FragmentError::DontFragment { mtu } => SendError::TooBig(mtu),
                        _ => SendError::Dropped,
                    })?;
                Ok(f.into())
            }
            #[cfg(feature = "proto-ipv6-fragmentation")]
            Some(6) => {
                let p = ipv6::Packet::new_checked(packet).map_err(|_| SendError::Dropped)?;
                let repr = ipv6::Repr::parse(&p).map_err(|_| SendError::Dropped)?;
                // Our own packets carry no extension headers: nothing is
                // unfragmentable beyond the fixed header.
                let f = Ipv6Fragmenter::new(repr, p.payload(), 0, mtu, &mut self.rand)
                    .map_err(|_| SendError::Dropped)?;
                Ok(f.into())
            }
            // Without fragmentation for the family: too big to send.
            #[cfg(not(all(
                feature = "proto-ipv4-fragmentation",
                feature = "proto-ipv6-fragmentation"
            )))]
            #[allow(unreachable_patterns)]
            Some(4 | 6) => Err(SendError::TooBig(mtu)),
            _ => Err(SendError::Dropped),
        }
    }

    /// Write one frame of an IP packet of `ip_len` bytes.
    fn transmit_frame<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        mac: Option<EthernetAddress>,
        ipv6: bool,
        ip_len: usize,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<(), SendError> {
        let Some(mut token) = device.transmit(self.now) else {
            self.counters.link.tx_device_busy += 1;
            return Err(SendError::DeviceBusy);
        };
        if self.tx_meta != TxMeta::default() {
            token.set_meta(core::mem::take(&mut self.tx_meta));
        }
        self.fill_frame(token, mac, ipv6, ip_len, fill);
        Ok(())
    }

    /// Write one frame of an IP packet of `ip_len` bytes into `token`.
    fn fill_frame<T: TxToken>(
        &mut self,
        token: T,
        mac: Option<EthernetAddress>,
        ipv6: bool,
        ip_len: usize,
        fill: impl FnOnce(&mut [u8]),
    ) {
        let hw = self.hardware_addr;
        match mac {
            Some(dst) => {
                let ethertype = if ipv6 {
                    ethernet::EtherType::Ipv6
                } else {
                    ethernet::EtherType::Ipv4
                };
                token.consume(ethernet::HEADER_LEN + ip_len, |buf| {
                    let mut frame = ethernet::Frame::new_unchecked(&mut *buf);
                    ethernet::Repr {
                        src_addr: hw,
                        dst_addr: dst,
                        ethertype,
                    }
                    .emit(&mut frame);
                    // Exactly `ip_len` bytes for the packet (IpOut::emit
                    // takes its length from the buffer). A device that
                    // hands out a shorter buffer than asked breaks the
                    // `TxToken` contract: it gets zeros, never the bytes of
                    // an earlier frame.
                    match buf.get_mut(ethernet::HEADER_LEN..ethernet::HEADER_LEN + ip_len) {
                        Some(ip) => fill(ip),
                        None => buf.fill(0),
                    }
                });
            }
            None => token.consume(ip_len, |buf| match buf.get_mut(..ip_len) {
                Some(ip) => fill(ip),
                None => buf.fill(0),
            }),
        }
        self.counters.link.tx_frames += 1;
        if ipv6 {
            self.counters.ipv6.out_requests += 1;
        } else {
            self.counters.ipv4.out_requests += 1;
        }
    }

    /// Send an already serialised packet (`packet`) to a known link
    /// address, fragmenting it when it exceeds the MTU.
    fn send_fragments<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        mac: Option<EthernetAddress>,
        packet: &[u8],
        mtu: usize,
    ) -> Result<(), SendError> {
        let ipv6 = packet.first().is_some_and(|b| b >> 4 == 6);
        let mut fragmenter = match self.fragmenter(packet, mtu) {
            Ok(f) => f,
            Err(e) => {
                if ipv6 {
                    self.counters.ipv6.frag_fails += 1;
                } else {
                    self.counters.ipv4.frag_fails += 1;
                }
                return Err(e);
            }
        };
        let mut count = 0u64;
        while let Some(len) = fragmenter.next_len() {
            self.transmit_frame(device, mac, ipv6, len, |buf| {
                let _ = fragmenter.next_fragment(buf);
            })?;
            count += 1;
        }
        let c = if ipv6 {
            &mut self.counters.ipv6
        } else {
            &mut self.counters.ipv4
        };
        c.frag_oks += 1;
        c.frag_creates += count;
        Ok(())
    }

    /// Send what the receive path staged.
    pub(crate) fn send_serialized<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        scratch: &mut [u8],
        pending: Pending<'_>,
    ) {
        match pending {
            #[cfg(feature = "proto-ipv4")]
            Pending::Arp { repr, dst } => {
                let _ = self.transmit_arp(device, &repr, dst);
            }
            Pending::Ip(Serialized { len, dst }) => {
                let Some(packet) = scratch.get(..len) else {
                    return;
                };
                let _ = self.send_staged(device, packet, dst);
            }
            Pending::Out(out) => {
                let _ = self.send_ip(device, scratch, &out);
            }
        }
    }

    /// Serialise a reply that borrows the received frame into the scratch
    /// buffer, so it outlives the frame.
    #[cfg(any(
        feature = "proto-ipv4-fragmentation",
        feature = "proto-ipv6-fragmentation"
    ))]
    pub(crate) fn stage_pending(
        &mut self,
        scratch: &mut [u8],
        pending: Pending<'_>,
    ) -> Option<Pending<'static>> {
        match pending {
            #[cfg(feature = "proto-ipv4")]
            Pending::Arp { repr, dst } => Some(Pending::Arp { repr, dst }),
            Pending::Ip(s) => Some(Pending::Ip(s)),
            Pending::Out(out) => self.stage(scratch, &out),
        }
    }

    /// Send a reply of the receive path through `token`, the transmit
    /// token the device handed out with the received frame, while that
    /// frame is still lent: the reply is written once, straight into the
    /// device's buffer. What cannot go out that way (a neighbour still
    /// resolving, a packet larger than the path MTU, a packet already
    /// serialised) is returned staged in `scratch`, for the ordinary
    /// transmit path once the frame is released.
    pub(crate) fn send_reply<T: TxToken>(
        &mut self,
        token: T,
        scratch: &mut [u8],
        pending: &Pending<'_>,
    ) -> Option<Pending<'static>> {
        let out = match pending {
            #[cfg(feature = "proto-ipv4")]
            Pending::Arp { repr, dst } => {
                self.fill_arp(token, repr, *dst);
                return None;
            }
            Pending::Ip(s) => return Some(Pending::Ip(*s)),
            Pending::Out(out) => out,
        };
        let mac = match self.resolve(&out.dst) {
            Ok(Resolved::Link(mac)) => mac,
            // RFC 1122 §2.3.2.2: queued by the transmit path.
            Ok(Resolved::Unresolved(_)) => return self.stage(scratch, out),
            // Nowhere to send it (as `send_ip` would find).
            Err(_) => return None,
        };
        let len = out.total_len();
        if len > self.path_mtu(&out.dst) {
            // Fragmented by the transmit path.
            return self.stage(scratch, out);
        }
        if !out.is_emittable() {
            return None;
        }
        let caps = self.caps.checksum;
        self.fill_frame(token, mac, out.is_ipv6(), len, |buf| {
            out.emit(buf, &caps);
        });
        None
    }

    /// Send a serialised IP packet.
    fn send_staged<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        packet: &[u8],
        dst: IpAddr,
    ) -> Result<(), SendError> {
        let ipv6 = dst.is_ipv6();
        let mac = match self.resolve(&dst)? {
            Resolved::Link(mac) => mac,
            Resolved::Unresolved(ip) => return self.queue_for_neighbor(device, ip, packet),
        };
        let mtu = self.path_mtu(&dst);
        if packet.len() <= mtu {
            self.transmit_frame(device, mac, ipv6, packet.len(), |buf| {
                buf.copy_from_slice(packet)
            })
        } else {
            self.send_fragments(device, mac, packet, mtu)
        }
    }

    #[cfg(feature = "proto-ipv4")]
    fn transmit_arp<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        repr: &arp::Repr,
        dst: EthernetAddress,
    ) -> Result<(), SendError> {
        let Some(token) = device.transmit(self.now) else {
            self.counters.link.tx_device_busy += 1;
            return Err(SendError::DeviceBusy);
        };
        self.fill_arp(token, repr, dst);
        Ok(())
    }

    #[cfg(feature = "proto-ipv4")]
    fn fill_arp<T: TxToken>(&mut self, token: T, repr: &arp::Repr, dst: EthernetAddress) {
        let hw = self.hardware_addr;
        token.consume(ethernet::HEADER_LEN + repr.buffer_len(), |buf| {
            let mut frame = ethernet::Frame::new_unchecked(&mut *buf);
            ethernet::Repr {
                src_addr: hw,
                dst_addr: dst,
                ethertype: ethernet::EtherType::Arp,
            }
            .emit(&mut frame);
            repr.emit(&mut arp::Packet::new_unchecked(
                &mut buf[ethernet::HEADER_LEN..],
            ));
        });
        self.counters.link.tx_frames += 1;
    }

    /// Run the neighbour cache's timers: send due solicitations, report
    /// failures to the sockets whose packets waited.
    pub(crate) fn run_neighbor_timers<D: Device + ?Sized>(&mut self, device: &mut D) {
        let now = self.now;
        // Few neighbours are due at once; any beyond this batch are due
        // again at the next poll (their deadline stays in the past).
        let mut actions: heapless::Vec<Action, 16> = heapless::Vec::new();
        if !self.neighbors.is_due(now) {
            // Nothing due: skip the scan (the common case, every poll).
            return;
        }
        self.neighbors.poll(now, |a| {
            let _ = actions.push(a);
        });
        for a in actions.iter().copied() {
            match a {
                Action::Solicit {
                    target,
                    unicast,
                    source,
                } => {
                    let _ = self.send_solicit(device, target, unicast, source);
                }
                Action::Failed { target, .. } => {
                    net_debug!("neighbour {} unreachable", target);
                }
            }
        }
    }

    /// Packets whose neighbour never answered: tell the sockets that sent
    /// them (RFC 4861 §7.2.2: "the sender ... SHOULD be informed"; ICMP
    /// address unreachable is for forwarded packets, and we do not forward).
    pub(crate) fn drain_unreachable(&mut self, sockets: &mut SocketSet<'_>) {
        if !self.neighbors.has_released() {
            return;
        }
        let mut reported = 0;
        // Copy each packet's header out before reporting: the pool is
        // borrowed while a packet is held.
        while reported < 64 {
            let Some(p) = self.neighbors.pop_unreachable() else {
                break;
            };
            reported += 1;
            let mut head = [0u8; 80];
            let n = p.packet.len().min(head.len());
            head[..n].copy_from_slice(&p.packet[..n]);
            let offender = p.target;
            let head = &head[..n];
            self.count_out_discard(&offender);
            self.report_unreachable(sockets, offender, head);
        }
    }

    fn report_unreachable(&mut self, sockets: &mut SocketSet<'_>, offender: IpAddr, head: &[u8]) {
        let kind = IcmpErrorKind::HostUnreachable;
        match head.first().map(|b| b >> 4) {
            #[cfg(feature = "proto-ipv4")]
            Some(4) if head.len() >= 20 => {
                let p = ipv4::Packet::new_unchecked(head);
                let hl = usize::from(p.header_len()).min(head.len());
                let (src, dst, proto) = (p.src_addr(), p.dst_addr(), p.protocol());
                self.deliver_icmp_error(
                    sockets,
                    proto,
                    IpAddr::V4(src),
                    IpAddr::V4(dst),
                    &head[hl..],
                    |d| IcmpError {
                        offender,
                        dst: d,
                        kind,
                    },
                );
            }
            #[cfg(feature = "proto-ipv6")]
            Some(6) if head.len() >= 40 => {
                let p = ipv6::Packet::new_unchecked(head);
                let (src, dst, proto) = (p.src_addr(), p.dst_addr(), p.next_header());
                self.deliver_icmp_error(
                    sockets,
                    proto,
                    IpAddr::V6(src),
                    IpAddr::V6(dst),
                    &head[40..],
                    |d| IcmpError {
                        offender,
                        dst: d,
                        kind,
                    },
                );
            }
            _ => {}
        }
    }

    /// An ARP request or a Neighbor Solicitation for `target`.
    fn send_solicit<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        target: IpAddr,
        unicast: Option<EthernetAddress>,
        source: Option<IpAddr>,
    ) -> Result<(), SendError> {
        match target {
            #[cfg(feature = "proto-ipv4")]
            IpAddr::V4(t) => {
                let spa = match source {
                    Some(IpAddr::V4(s)) if self.has_ipv4_addr(s) => s,
                    _ => self.ipv4_source_for(t).unwrap_or(Ipv4Addr::UNSPECIFIED),
                };
                let repr = arp::Repr::EthernetIpv4 {
                    operation: arp::Operation::Request,
                    source_hardware_addr: self.hardware_addr,
                    source_protocol_addr: spa,
                    target_hardware_addr: EthernetAddress::UNSPECIFIED,
                    target_protocol_addr: t,
                };
                self.counters.arp.tx_requests += 1;
                self.transmit_arp(device, &repr, unicast.unwrap_or(EthernetAddress::BROADCAST))
            }
            #[cfg(feature = "proto-ipv6")]
            IpAddr::V6(t) => {
                let src = match source {
                    Some(IpAddr::V6(s)) if self.has_ipv6_addr(&s) => s,
                    _ => self.ipv6_source_for(&t).unwrap_or(Ipv6Addr::UNSPECIFIED),
                };
                // RFC 4861 §7.2.2: multicast to the solicited-node group,
                // unicast when probing a known neighbour.
                let dst = if unicast.is_some() {
                    t
                } else {
                    super::addr::solicited_node(&t)
                };
                let ns = ndisc::Repr::NeighborSolicit {
                    target_addr: t,
                    lladdr: (!src.is_unspecified()).then_some(self.hardware_addr),
                    nonce: None,
                };
                let mut out = self.reply(
                    IpAddr::V6(src),
                    IpAddr::V6(dst),
                    IpPayload::Icmpv6(icmpv6::Repr::Ndisc(ns)),
                );
                out.hop_limit = 255;
                let mac = unicast.unwrap_or_else(|| EthernetAddress::from_ipv6_multicast(dst));
                self.counters.icmpv6.out_msgs += 1;
                let len = out.total_len();
                let caps = self.caps.checksum;
                self.transmit_frame(device, Some(mac), true, len, |buf| {
                    out.emit(buf, &caps);
                })
            }
            #[allow(unreachable_patterns)]
            _ => Err(SendError::Dropped),
        }
    }

    /// Send the packets of neighbours that resolved. Returns whether any
    /// was sent.
    pub(crate) fn flush_neighbors<D: Device + ?Sized>(&mut self, device: &mut D) -> bool {
        let mut sent = false;
        let hw = self.hardware_addr;
        while self.neighbors.has_released() {
            let Some(token) = device.transmit(self.now) else {
                self.counters.link.tx_device_busy += 1;
                break;
            };
            let Some(ready) = self.neighbors.pop_ready() else {
                break;
            };
            let packet = ready.packet;
            let ipv6 = packet.first().is_some_and(|b| b >> 4 == 6);
            let ethertype = if ipv6 {
                ethernet::EtherType::Ipv6
            } else {
                ethernet::EtherType::Ipv4
            };
            token.consume(ethernet::HEADER_LEN + packet.len(), |buf| {
                let mut frame = ethernet::Frame::new_unchecked(&mut *buf);
                ethernet::Repr {
                    src_addr: hw,
                    dst_addr: ready.hardware_addr,
                    ethertype,
                }
                .emit(&mut frame);
                buf[ethernet::HEADER_LEN..].copy_from_slice(packet);
            });
            self.counters.link.tx_frames += 1;
            if ipv6 {
                self.counters.ipv6.out_requests += 1;
            } else {
                self.counters.ipv4.out_requests += 1;
            }
            sent = true;
        }
        sent
    }

    /// Run every due timer.
    pub(crate) fn run_timers<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        sockets: &mut SocketSet<'_>,
        reassembly: &mut Reassembler<'_>,
        scratch: &mut [u8],
    ) {
        let now = self.now;
        // Each timer source is scanned only when something in it is due:
        // most polls have nothing due and must stay cheap (no call at all).
        if self.neighbors.is_due(now) {
            self.run_neighbor_timers(device);
        }
        if self.neighbors.has_released() {
            self.drain_unreachable(sockets);
        }
        if reassembly.is_due(now) {
            self.expire_reassembly(device, reassembly, scratch);
        }
        if self.routes.poll_at().is_some_and(|t| t <= now) {
            self.routes.expire(now);
        }
        if self.pmtu.iter().any(|e| e.expires_at <= now) {
            self.pmtu.retain(|e| now < e.expires_at);
        }
    }

    fn expire_reassembly<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        reassembly: &mut Reassembler<'_>,
        scratch: &mut [u8],
    ) {
        let now = self.now;
        // RFC 792 / RFC 8200 §4.5: Time Exceeded code 1 for datagrams
        // whose first fragment arrived. The scratch buffer holds one reply,
        // so at most one is sent per poll; the rest are counted.
        let mut staged: Option<Pending<'static>> = None;
        let timed_out = reassembly.poll(now, |t| {
            if staged.is_none() {
                staged = match t.key {
                    #[cfg(feature = "proto-ipv4")]
                    super::reassembly::ReassemblyKey::Ipv4 { .. } => {
                        self.ipv4_reassembly_time_exceeded(scratch, &t)
                    }
                    #[cfg(feature = "proto-ipv6")]
                    super::reassembly::ReassemblyKey::Ipv6 { .. } => {
                        self.ipv6_reassembly_time_exceeded(scratch, &t)
                    }
                    #[allow(unreachable_patterns)]
                    _ => None,
                };
            } else {
                self.counters.icmpv4.out_suppressed += 1;
            }
        });
        if timed_out > 0 {
            net_debug!("reassembly: {} datagrams timed out", timed_out);
        }
        if let Some(p) = staged {
            self.send_serialized(device, scratch, p);
        }
    }

    /// Let due sockets send. Returns whether any did.
    pub(crate) fn dispatch_sockets<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        sockets: &mut SocketSet<'_>,
        scratch: &mut [u8],
    ) -> bool {
        let mut any = false;
        // Bound the work of one poll: a socket with a whole window to send
        // comes back many times; others get their turn at the next poll.
        let mut budget = DISPATCH_BUDGET;
        while budget > 0
            && let Some(i) = sockets.pop_due(self.now)
        {
            budget -= 1;
            let mut busy = false;
            // Only UDP, ICMP and raw sockets report send errors.
            #[cfg_attr(
                not(any(
                    feature = "socket-udp",
                    feature = "socket-icmp",
                    feature = "socket-raw"
                )),
                allow(unused_mut, unused_variables)
            )]
            let mut error: Option<IcmpError> = None;
            match sockets.slot_mut(i) {
                #[cfg(feature = "socket-udp")]
                Some(Socket::Udp(s)) => {
                    let r = s.dispatch(self.now, |t| {
                        let res = self.send_udp(device, scratch, &t);
                        match res {
                            Ok(()) => Ok(()),
                            Err(SendError::DeviceBusy) => Err(SendError::DeviceBusy),
                            Err(e) => {
                                // Not retryable: report on the socket and
                                // drop the datagram (like a failed sendto).
                                let remote = t.remote();
                                error = Some(IcmpError {
                                    offender: t.local().copied().unwrap_or(remote.addr),
                                    dst: remote,
                                    kind: send_error_kind(e),
                                });
                                Ok(())
                            }
                        }
                    });
                    if r == Err(SendError::DeviceBusy) {
                        busy = true;
                    } else {
                        any = true;
                    }
                    if let Some(e) = error {
                        s.on_icmp_error(e);
                    }
                }
                #[cfg(feature = "socket-icmp")]
                Some(Socket::Icmp(s)) => {
                    let r = s.dispatch(self.now, |t| match self.send_icmp(device, scratch, &t) {
                        Err(SendError::DeviceBusy) => Err(SendError::DeviceBusy),
                        Err(e) => {
                            error = Some(IcmpError {
                                offender: t.local.unwrap_or(t.remote),
                                dst: crate::socket::IpEndpoint::new(t.remote, 0),
                                kind: send_error_kind(e),
                            });
                            Ok(())
                        }
                        Ok(()) => Ok(()),
                    });
                    busy = r == Err(SendError::DeviceBusy);
                    any |= !busy;
                    if let Some(e) = error {
                        s.on_icmp_error(e);
                    }
                }
                #[cfg(feature = "socket-tcp")]
                Some(Socket::Tcp(s)) => {
                    // A burst of up to TCP_BURST segments per turn: one
                    // heap pop and one reschedule for all of them, not one
                    // per segment; other due sockets get their turn after.
                    let mut burst = 0;
                    // TCP segmentation offload: how large a segment the
                    // socket may build (the device may change it).
                    // Without TSO, the interface cuts super-segments
                    // itself (`send_tcp_pieces`), up to SOFT_GSO_SEGMENTS
                    // of them.
                    s.tso_max_size = match self.caps.max_tso_size {
                        #[cfg(feature = "socket-tcp-gso")]
                        0 => (SOFT_GSO_SEGMENTS * self.caps.ip_mtu()).min(usize::from(u16::MAX)),
                        n => n,
                    };
                    loop {
                        let mut emitted = false;
                        let mut path_mtu = 0;
                        let r = s.dispatch(self.now, |t| {
                            emitted = true;
                            match self.send_tcp(device, scratch, t) {
                                Err(SendError::DeviceBusy) => Err(SendError::DeviceBusy),
                                // A super-segment that cannot go whole (its
                                // neighbour is resolving, or a piece is
                                // over the path MTU): nothing sent, built
                                // again below as one MSS.
                                Err(SendError::TooBig(_)) if t.segment_size.is_some() => {
                                    Err(SendError::TooBig(0))
                                }
                                // One segment over a path MTU learned
                                // meanwhile (by another connection to the
                                // same host, say): lost, and the socket
                                // follows the path below.
                                Err(SendError::TooBig(mtu)) => {
                                    path_mtu = mtu;
                                    Ok(())
                                }
                                // Anything else: the segment is lost like
                                // on a wire; retransmission recovers.
                                _ => Ok(()),
                            }
                        });
                        if r == Err(SendError::TooBig(0)) && s.tso_max_size != 0 {
                            s.tso_max_size = 0;
                            continue;
                        }
                        if path_mtu > 0 {
                            // RFC 1191 §6.2 / RFC 8201 §5.2: no ICMP
                            // will come for a segment never sent; resize
                            // and resend from SND.UNA now.
                            s.follow_path_mtu(path_mtu);
                        }
                        busy = r == Err(SendError::DeviceBusy);
                        any |= !busy;
                        burst += 1;
                        if busy || !emitted || burst >= TCP_BURST || budget == 0 {
                            break;
                        }
                        budget -= 1;
                    }
                }
                #[cfg(feature = "socket-raw")]
                Some(Socket::Raw(s)) => {
                    let r = s.dispatch(self.now, |t| match self.send_raw(device, scratch, &t) {
                        Err(SendError::DeviceBusy) => Err(SendError::DeviceBusy),
                        Err(e) => {
                            let remote = match t {
                                RawTransmit::Payload { remote, .. } => remote,
                                #[cfg(feature = "proto-ipv4")]
                                RawTransmit::Ipv4Packet { repr, .. } => IpAddr::V4(repr.dst_addr),
                            };
                            error = Some(IcmpError {
                                offender: remote,
                                dst: crate::socket::IpEndpoint::new(remote, 0),
                                kind: send_error_kind(e),
                            });
                            Ok(())
                        }
                        Ok(()) => Ok(()),
                    });
                    busy = r == Err(SendError::DeviceBusy);
                    any |= !busy;
                    if let Some(e) = error {
                        s.on_icmp_error(e);
                    }
                }
                // A listener never sends; an empty slot has nothing.
                _ => {}
            }
            sockets.reschedule(i);
            if busy {
                break;
            }
        }
        any
    }

    /// Our source address towards `dst`, or the one given.
    fn source_for(&self, local: Option<IpAddr>, dst: &IpAddr) -> Result<IpAddr, SendError> {
        if let Some(a) = local
            && !a.is_unspecified()
        {
            return Ok(a);
        }
        match dst {
            IpAddr::V4(d) => self
                .ipv4_source_for(*d)
                .map(IpAddr::V4)
                .ok_or(SendError::NoRoute),
            IpAddr::V6(d) => self
                .ipv6_source_for(d)
                .map(IpAddr::V6)
                .ok_or(SendError::NoRoute),
        }
    }

    #[cfg(feature = "socket-icmp")]
    fn send_icmp<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        scratch: &mut [u8],
        t: &IcmpTransmit<'_>,
    ) -> Result<(), SendError> {
        let src = self.source_for(t.local, &t.remote)?;
        let protocol = match t.family {
            IpVersion::Ipv4 => IpProtocol::Icmp,
            IpVersion::Ipv6 => IpProtocol::Icmpv6,
        };
        let mut out = self.reply(src, t.remote, IpPayload::IcmpMessage(protocol, t.message));
        if let Some(h) = t.hop_limit {
            out.hop_limit = h;
        }
        self.send_ip(device, scratch, &out)
    }

    #[cfg(feature = "socket-raw")]
    fn send_raw<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        scratch: &mut [u8],
        t: &RawTransmit<'_>,
    ) -> Result<(), SendError> {
        match *t {
            RawTransmit::Payload {
                version,
                protocol,
                local,
                remote,
                hop_limit,
                checksum_offset,
                payload,
            } => {
                if remote.is_ipv6() != (version == IpVersion::Ipv6) {
                    return Err(SendError::Dropped);
                }
                let src = self.source_for(local, &remote)?;
                let mut out = self.reply(
                    src,
                    remote,
                    IpPayload::Raw(protocol, payload, checksum_offset),
                );
                if let Some(h) = hop_limit {
                    out.hop_limit = h;
                }
                self.send_ip(device, scratch, &out)
            }
            #[cfg(feature = "proto-ipv4")]
            RawTransmit::Ipv4Packet { repr, payload } => {
                let src =
                    self.source_for(Some(IpAddr::V4(repr.src_addr)), &IpAddr::V4(repr.dst_addr))?;
                let ident = if repr.ident == 0 {
                    self.next_ipv4_ident(&src, &IpAddr::V4(repr.dst_addr), repr.protocol)
                } else {
                    repr.ident
                };
                let repr = ipv4::Repr {
                    src_addr: match src {
                        IpAddr::V4(a) => a,
                        IpAddr::V6(_) => return Err(SendError::Dropped),
                    },
                    ident,
                    payload_len: payload.len(),
                    ..repr
                };
                let len = repr.buffer_len() + payload.len();
                // Linux: header-included datagrams are never fragmented.
                let mtu = self.path_mtu(&IpAddr::V4(repr.dst_addr));
                if len > mtu {
                    return Err(SendError::TooBig(mtu));
                }
                let buf = scratch.get_mut(..len).ok_or(SendError::Dropped)?;
                repr.emit(
                    &mut ipv4::Packet::new_unchecked(&mut *buf),
                    self.caps.checksum.ipv4,
                );
                let hl = repr.buffer_len();
                buf[hl..].copy_from_slice(payload);
                let packet = &scratch[..len];
                self.send_staged(device, packet, IpAddr::V4(repr.dst_addr))
            }
        }
    }

    #[cfg(feature = "socket-tcp")]
    fn send_tcp<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        scratch: &mut [u8],
        t: &TcpTransmit<'_>,
    ) -> Result<(), SendError> {
        #[cfg(feature = "socket-tcp-gso")]
        if let Some(size) = t.segment_size
            && self.caps.max_tso_size == 0
        {
            return self.send_tcp_pieces(device, scratch, t, usize::from(size));
        }
        let out = self.tcp_out(t, t.repr, t.payload_tail);
        // RFC 4022 tcpOutSegs counts segments: a super-segment is the
        // segments the device cuts it into.
        let segments = t.segment_size.map_or(1, |size| {
            let data = t.repr.payload.len() + t.payload_tail.len();
            data.div_ceil(usize::from(size).max(1))
        });
        self.counters.tcp.out_segs += segments as u64;
        // A super-segment (only to a device that declared TSO) goes out
        // whole with its segment size; anything that does not reach the
        // device (queued for a neighbour, refused) must not leave the
        // meta behind for the next frame.
        self.tx_meta.tcp_segment_size = t.segment_size;
        let r = self.send_ip(device, scratch, &out);
        self.tx_meta = TxMeta::default();
        r
    }

    /// The IP packet of a TCP segment of `t`'s connection: `repr` and the
    /// data after its payload, the socket's hop limit, DF set (RFC 1191 /
    /// RFC 8201: TCP probes the path MTU).
    #[cfg(feature = "socket-tcp")]
    fn tcp_out<'p>(
        &mut self,
        t: &TcpTransmit<'_>,
        repr: &'p crate::wire::tcp::Repr<'p>,
        tail: &'p [u8],
    ) -> IpOut<'p> {
        let mut out = self.reply(t.local.addr, t.remote.addr, IpPayload::Tcp(repr, tail));
        if let Some(h) = t.hop_limit {
            out.hop_limit = h;
        }
        out.dont_frag = true;
        out
    }

    /// Software segmentation (the GSO of a device without TSO): a
    /// super-segment the socket built in one go (RFC 9293 §3.7.4 and RFC
    /// 5681 applied to its whole, as for TSO) goes out as the segments a
    /// TSO device would have cut it into: each `size` bytes of data with
    /// the same header but its own sequence number, PSH and FIN only on
    /// the last, each its own IP packet (identification, checksums). The
    /// socket's per-segment work (timers, windows, options) is done once
    /// for all of them; the first piece takes the general path (routing,
    /// resolution, queueing) and, once it went to a resolved neighbour,
    /// the others are written from its headers ([`TcpTemplate`]). If the
    /// device fills up (or the neighbour queue, RFC 1122 §2.3.2.2) after
    /// the first piece, the rest is reported unsent in `t.sent` and goes
    /// at the next turn.
    #[cfg(feature = "socket-tcp-gso")]
    fn send_tcp_pieces<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        scratch: &mut [u8],
        t: &TcpTransmit<'_>,
        size: usize,
    ) -> Result<(), SendError> {
        use crate::wire::tcp::Control;
        let (head, tail) = (t.repr.payload, t.payload_tail);
        let total = head.len() + tail.len();
        let size = size.max(1);
        let mut repr = *t.repr;
        let mut template: Option<TcpTemplate> = None;
        let mut at = 0;
        while at < total {
            let end = (at + size).min(total);
            // This piece's bytes: from the ring's end part, its start
            // part, or both (the data wraps inside it).
            let (mut p_head, mut p_tail) = (
                &head[at.min(head.len())..end.min(head.len())],
                &tail[at.saturating_sub(head.len())..end.saturating_sub(head.len())],
            );
            if p_head.is_empty() {
                (p_head, p_tail) = (p_tail, &[]);
            }
            let last = end == total;
            repr.seq_number = t.repr.seq_number + at;
            repr.psh = last && t.repr.psh;
            repr.control = if last { t.repr.control } else { Control::None };
            if let Some(tp) = &template {
                if !self.send_tcp_from_template(device, tp, &repr, p_head, p_tail) {
                    break;
                }
            } else {
                repr.payload = p_head;
                let out = self.tcp_out(t, &repr, p_tail);
                match self.send_ip(device, scratch, &out) {
                    Ok(()) => {}
                    // Nothing went: the socket sees the error, as for one
                    // segment.
                    Err(e) if at == 0 => return Err(e),
                    Err(_) => break,
                }
                if !last {
                    template = self.tcp_template(&out, &repr, size);
                }
            }
            self.counters.tcp.out_segs += 1;
            at = end;
        }
        if at < total {
            t.sent.set(Some(at));
        }
        Ok(())
    }

    /// The headers of the pieces after `out` (a piece just sent) of a
    /// software super-segment of `size`-byte pieces, if they can be
    /// written from it: the next hop resolved (nothing waits in a queue),
    /// checksums computed here (a device that fills them takes the
    /// general path), every piece within the path MTU.
    #[cfg(feature = "socket-tcp-gso")]
    fn tcp_template(
        &mut self,
        out: &IpOut<'_>,
        repr: &crate::wire::tcp::Repr<'_>,
        size: usize,
    ) -> Option<TcpTemplate> {
        let caps = self.caps.checksum;
        let ipv6 = out.is_ipv6();
        if !caps.tcp.tx() || (!ipv6 && !caps.ipv4.tx()) {
            return None;
        }
        let Ok(Resolved::Link(mac)) = self.resolve(&out.dst) else {
            return None;
        };
        let bare = crate::wire::tcp::Repr {
            payload: &[],
            ..*repr
        };
        let header = IpOut {
            payload: IpPayload::Tcp(&bare, &[]),
            ..*out
        };
        let len = header.total_len();
        let ip_len = header.header_len();
        if len > TcpTemplate::MAX || len + size > self.path_mtu(&out.dst) {
            return None;
        }
        let mut bytes = [0u8; TcpTemplate::MAX];
        if !header.emit(&mut bytes[..len], &caps) {
            return None;
        }
        Some(TcpTemplate {
            mac,
            src: out.src,
            dst: out.dst,
            bytes,
            len,
            ip_len,
        })
    }

    /// One piece of a software super-segment, written from `tp`: the
    /// headers copied, then its lengths, identification, sequence number,
    /// flags and checksums filled (RFC 791 §3.1, RFC 9293 §3.1), the data
    /// copied and summed in one pass. `false`: the device is full.
    #[cfg(feature = "socket-tcp-gso")]
    fn send_tcp_from_template<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        tp: &TcpTemplate,
        repr: &crate::wire::tcp::Repr<'_>,
        head: &[u8],
        tail: &[u8],
    ) -> bool {
        use crate::wire::{checksum, tcp};
        let Some(token) = device.transmit(self.now) else {
            self.counters.link.tx_device_busy += 1;
            return false;
        };
        let data_len = head.len() + tail.len();
        let ip_len = tp.len + data_len;
        let tcp_len = tp.len - tp.ip_len;
        let ipv6 = tp.dst.is_ipv6();
        let ident = self.next_ipv4_ident(&tp.src, &tp.dst, crate::wire::IpProtocol::Tcp);
        #[cfg(not(feature = "proto-ipv4"))]
        let _ = ident;
        self.fill_frame(token, tp.mac, ipv6, ip_len, |ip| {
            ip[..tp.len].copy_from_slice(&tp.bytes[..tp.len]);
            let (iph, rest) = ip.split_at_mut(tp.ip_len);
            if ipv6 {
                #[cfg(feature = "proto-ipv6")]
                ipv6::Packet::new_unchecked(iph)
                    .set_payload_len(u16::try_from(tcp_len + data_len).unwrap_or(u16::MAX));
            } else {
                #[cfg(feature = "proto-ipv4")]
                {
                    let mut p = ipv4::Packet::new_unchecked(iph);
                    p.set_total_len(u16::try_from(ip_len).unwrap_or(u16::MAX));
                    p.set_ident(ident);
                    p.fill_checksum();
                }
            }
            let (th, data) = rest.split_at_mut(tcp_len);
            let mut seg = tcp::Packet::new_unchecked(th);
            seg.set_seq_number(repr.seq_number);
            seg.set_psh(repr.psh);
            seg.set_fin(repr.control == tcp::Control::Fin);
            seg.set_checksum(0);
            let sum = checksum::pseudo_header_extra_copy_and_data(
                &tp.src,
                &tp.dst,
                crate::wire::IpProtocol::Tcp,
                u32::try_from(tcp_len + data_len).unwrap_or(u32::MAX),
                checksum::native_sum_words(seg.as_ref()),
                data,
                head,
                tail,
            );
            seg.set_checksum(checksum::finish(sum));
        });
        true
    }

    #[cfg(feature = "socket-udp")]
    #[inline]
    fn send_udp<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        scratch: &mut [u8],
        t: &UdpTransmit<'_>,
    ) -> Result<(), SendError> {
        let meta = t.meta;
        // Addresses by reference: copied once, from the queued metadata
        // into the packet description.
        let dst = &meta.endpoint.addr;
        // The reply path names its local address: no selection needed.
        let src = match t.local() {
            Some(a) if !a.is_unspecified() => *a,
            _ => self.source_for(None, dst)?,
        };
        let mut out = self.reply(src, *dst, IpPayload::Udp(t.repr(), t.payload));
        if let Some(h) = t.hop_limit {
            out.hop_limit = h;
        }
        out.ecn = meta.ecn;
        self.counters.udp.out_datagrams += 1;
        self.send_ip(device, scratch, &out)
    }
}

/// The most packets one pass over the due sockets sends (a poll makes one
/// pass per [`FLUSH_EVERY`](super::interface::FLUSH_EVERY) frames received
/// and one at its end).
const DISPATCH_BUDGET: usize = 4096;

/// The most segments a TCP socket sends in one turn of the dispatch loop
/// before the other due sockets get theirs.
#[cfg(feature = "socket-tcp")]
const TCP_BURST: usize = 16;

/// The most segments of one software super-segment (a device without
/// TSO): the socket's planning and bookkeeping are done once for that
/// many, while other sockets still get their turn soon.
#[cfg(feature = "socket-tcp-gso")]
const SOFT_GSO_SEGMENTS: usize = 16;

/// The IP and TCP headers of a software super-segment's pieces after the
/// first, written once ([`InterfaceInner::tcp_template`]) and copied into
/// each piece's frame.
#[cfg(feature = "socket-tcp-gso")]
struct TcpTemplate {
    /// The next hop's link address (`None`: an IP medium).
    mac: Option<EthernetAddress>,
    src: IpAddr,
    dst: IpAddr,
    bytes: [u8; TcpTemplate::MAX],
    /// IP and TCP header bytes.
    len: usize,
    /// Of which the IP header.
    ip_len: usize,
}

#[cfg(feature = "socket-tcp-gso")]
impl TcpTemplate {
    /// An IPv6 header and a TCP header with the most options.
    const MAX: usize = 40 + 60;
}

/// The error a socket sees for a send that failed for good.
fn send_error_kind(e: SendError) -> IcmpErrorKind {
    match e {
        SendError::TooBig(mtu) => {
            IcmpErrorKind::PacketTooBig(u32::try_from(mtu).unwrap_or(u32::MAX))
        }
        SendError::NoRoute => IcmpErrorKind::NetUnreachable,
        _ => IcmpErrorKind::HostUnreachable,
    }
}

/// The destination address of a serialised packet.
fn ip_dst_of(packet: &[u8]) -> Option<IpAddr> {
    match packet.first().map(|b| b >> 4) {
        Some(6) => {
            let a: [u8; 16] = packet.get(24..40)?.try_into().ok()?;
            Some(IpAddr::V6(Ipv6Addr::from(a)))
        }
        Some(4) => {
            let a: [u8; 4] = packet.get(16..20)?.try_into().ok()?;
            Some(IpAddr::V4(Ipv4Addr::from(a)))
        }
        _ => None,
    }
}

/// The checksum duties for a packet the stack fragments. A device that
/// fills transport checksums (TCP/UDP/ICMP, a TAP with offloads, a NIC)
/// does so over a whole packet in one frame; the field of a fragmented one
/// covers data spread over every fragment (RFC 768, RFC 9293 §3.1, RFC
/// 8200 §8.1), so the stack fills it before fragmenting.
pub(super) fn fragment_checksums(
    mut caps: crate::wire::checksum::ChecksumCapabilities,
) -> crate::wire::checksum::ChecksumCapabilities {
    use crate::wire::checksum::Checksum as C;
    let fill = |c: C| match c {
        C::Rx => C::Both,
        C::None => C::Tx,
        c => c,
    };
    caps.tcp = fill(caps.tcp);
    caps.udp = fill(caps.udp);
    caps.icmpv4 = fill(caps.icmpv4);
    caps.icmpv6 = fill(caps.icmpv6);
    caps
}
