//! Ingress: from a received frame to sockets, neighbour updates and
//! replies. Everything here runs inside the device's receive closure; a
//! reply is returned unserialised (borrowing the frame) and written straight
//! into the transmit token that came with the frame, or — errors quoting
//! the datagram, replies to reassembled datagrams — serialised into the
//! scratch buffer and sent after it.

use core::net::{IpAddr, Ipv4Addr};

use super::interface::InterfaceInner;
use super::packet::{IpOut, IpPayload};
use super::reassembly::Reassembler;
use crate::device::Medium;
use crate::socket::{IcmpError, IpEndpoint, IpMeta, Socket, SocketSet};
use crate::wire::{EthernetAddress, IpProtocol, IpVersion, ethernet, udp};

#[cfg(feature = "proto-ipv4")]
use crate::wire::arp;

/// What the receive path left for the transmit path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pending<'p> {
    /// An ARP packet to send to `dst`.
    #[cfg(feature = "proto-ipv4")]
    Arp {
        repr: arp::Repr,
        dst: EthernetAddress,
    },
    /// An IP packet of `len` bytes serialised at the start of the scratch
    /// buffer.
    Ip(Serialized),
    /// A reply not yet serialised, borrowing the received frame: written
    /// straight into the device's transmit token while the frame is still
    /// lent (no scratch copy), or staged when it must be queued or
    /// fragmented.
    Out(IpOut<'p>),
}

/// A serialised IP packet waiting in the scratch buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Serialized {
    pub(crate) len: usize,
    pub(crate) dst: IpAddr,
}

/// How a datagram was addressed to us: decides which replies are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DstKind {
    /// One of our unicast addresses.
    Unicast,
    /// A broadcast (limited or subnet-directed) or multicast address, or a
    /// unicast address in a link-layer broadcast/multicast frame.
    Group,
}

/// Most sockets a single datagram is delivered to (broadcast/multicast).
const MAX_FANOUT: usize = 16;

/// What the link layer made of a frame.
enum Link<'f> {
    /// An IP packet of this version, and whether the frame went to a link
    /// group address.
    Ip(IpVersion, &'f [u8], bool),
    /// Nothing more to do, with the reply if any (ARP).
    Done(Option<Pending<'f>>),
}

impl InterfaceInner<'_> {
    /// Process one received frame.
    pub(crate) fn process_frame<'f>(
        &mut self,
        sockets: &mut SocketSet<'_>,
        reassembly: &mut Reassembler<'_>,
        scratch: &mut [u8],
        frame: &'f [u8],
    ) -> Option<Pending<'f>> {
        self.counters.link.rx_frames += 1;
        if !self.link_up {
            self.counters.link.rx_link_down += 1;
            return None;
        }
        // RFC-wise nothing of its own: header prediction (`fastpath.rs`)
        // takes the next in-order segment of the last connection, or
        // leaves the frame untouched to the general path below.
        #[cfg(feature = "socket-tcp")]
        if self.tcp_fast_path(sockets, frame) {
            return None;
        }
        // One call site per family below: the IP layer is inlined here.
        let (version, packet, link_group) = match self.medium {
            Medium::Ethernet => match self.process_ethernet(frame) {
                Link::Ip(version, packet, link_group) => (version, packet, link_group),
                Link::Done(reply) => return reply,
            },
            Medium::Ip => match IpVersion::of_packet(frame) {
                Some(version) => (version, frame, false),
                None => {
                    self.counters.link.rx_malformed += 1;
                    return None;
                }
            },
        };
        match version {
            #[cfg(feature = "proto-ipv4")]
            IpVersion::Ipv4 => self.process_ipv4(sockets, reassembly, scratch, packet, link_group),
            #[cfg(feature = "proto-ipv6")]
            IpVersion::Ipv6 => self.process_ipv6(sockets, reassembly, scratch, packet, link_group),
            #[allow(unreachable_patterns)]
            _ => {
                self.counters.link.rx_malformed += 1;
                None
            }
        }
    }

    /// The link layer of a frame: the IP packet it carries, or what
    /// became of it (dropped, or an ARP message answered).
    #[inline]
    fn process_ethernet<'f>(&mut self, frame: &'f [u8]) -> Link<'f> {
        let Ok(eth) = ethernet::Frame::new_checked(frame) else {
            self.counters.link.rx_malformed += 1;
            return Link::Done(None);
        };
        let dst = eth.dst_addr();
        let link_group = dst.is_multicast();
        if !(dst == self.hardware_addr || dst.is_broadcast() || self.accepts_link_multicast(&dst)) {
            self.counters.link.rx_not_for_us += 1;
            return Link::Done(None);
        }
        // RFC 894 (Ethernet II) read in place, the common case; RFC 1042:
        // 802.3 frames with LLC/SNAP carry IP and ARP too.
        let (ethertype, payload) = match eth.ethertype() {
            Some(ethertype) => (ethertype, eth.payload()),
            None => match eth.network_payload() {
                Ok(x) => x,
                Err(_) => {
                    self.counters.link.rx_unknown_ethertype += 1;
                    return Link::Done(None);
                }
            },
        };
        match ethertype {
            #[cfg(feature = "proto-ipv4")]
            ethernet::EtherType::Arp => {
                Link::Done(self.process_arp(payload, eth.src_addr(), link_group))
            }
            #[cfg(feature = "proto-ipv4")]
            ethernet::EtherType::Ipv4 => Link::Ip(IpVersion::Ipv4, payload, link_group),
            #[cfg(feature = "proto-ipv6")]
            ethernet::EtherType::Ipv6 => Link::Ip(IpVersion::Ipv6, payload, link_group),
            _ => {
                self.counters.link.rx_unknown_ethertype += 1;
                Link::Done(None)
            }
        }
    }

    /// Whether a multicast MAC is one we listen on: the all-hosts /
    /// all-nodes groups, solicited-node groups of our IPv6 addresses and
    /// joined groups (RFC 1112 §6.4, RFC 2464 §7).
    fn accepts_link_multicast(&self, mac: &EthernetAddress) -> bool {
        if !mac.is_multicast() {
            return false;
        }
        #[cfg(feature = "proto-ipv4")]
        {
            let all_hosts = EthernetAddress::from_ipv4_multicast(Ipv4Addr::new(224, 0, 0, 1));
            if *mac == all_hosts
                || self
                    .ipv4_groups
                    .iter()
                    .any(|g| EthernetAddress::from_ipv4_multicast(*g) == *mac)
            {
                return true;
            }
        }
        #[cfg(feature = "proto-ipv6")]
        {
            if self
                .ipv6_groups_iter()
                .any(|g| EthernetAddress::from_ipv6_multicast(g) == *mac)
            {
                return true;
            }
        }
        false
    }

    #[cfg(feature = "proto-ipv4")]
    fn process_arp(
        &mut self,
        data: &[u8],
        link_src: EthernetAddress,
        link_dst_group: bool,
    ) -> Option<Pending<'static>> {
        let parsed = arp::Packet::new_checked(data).and_then(|p| arp::Repr::parse(&p));
        let Ok(arp::Repr::EthernetIpv4 {
            operation,
            source_hardware_addr,
            source_protocol_addr,
            target_protocol_addr,
            ..
        }) = parsed
        else {
            self.counters.arp.rx_dropped += 1;
            return None;
        };
        match operation {
            arp::Operation::Request => self.counters.arp.rx_requests += 1,
            arp::Operation::Reply => self.counters.arp.rx_replies += 1,
            _ => {
                self.counters.arp.rx_dropped += 1;
                return None;
            }
        }
        // Never learn nonsense: a group or our own hardware address, or a
        // sender address that cannot be a host (RFC 1122 §3.2.1.3). A
        // zero sender address is an RFC 5227 probe: nothing to learn.
        let s = source_protocol_addr;
        if !source_hardware_addr.is_unicast()
            || source_hardware_addr == self.hardware_addr
            || s.is_multicast()
            || s.is_broadcast()
            || link_src.is_multicast()
        {
            self.counters.arp.rx_dropped += 1;
            return None;
        }
        let for_us = self.has_ipv4_addr(target_protocol_addr);
        if !s.is_unspecified() {
            // RFC 826 "Packet Reception": update an existing entry; add one
            // only when we are the target. A reply sent unicast to us
            // answers our request: reachability is confirmed.
            if for_us {
                let confirmed = operation == arp::Operation::Reply && !link_dst_group;
                self.neighbors
                    .arp_learn(self.now, IpAddr::V4(s), source_hardware_addr, confirmed);
            } else {
                self.neighbors
                    .arp_update(self.now, IpAddr::V4(s), source_hardware_addr);
            }
        }
        if operation == arp::Operation::Request && for_us {
            self.counters.arp.tx_replies += 1;
            return Some(Pending::Arp {
                repr: arp::Repr::EthernetIpv4 {
                    operation: arp::Operation::Reply,
                    source_hardware_addr: self.hardware_addr,
                    source_protocol_addr: target_protocol_addr,
                    target_hardware_addr: source_hardware_addr,
                    target_protocol_addr: s,
                },
                dst: source_hardware_addr,
            });
        }
        None
    }

    /// Whether `addr` is one of our IPv4 unicast addresses.
    pub(crate) fn has_ipv4_addr(&self, addr: Ipv4Addr) -> bool {
        self.ipv4_addrs.iter().any(|c| c.address() == addr)
    }

    /// Deliver a UDP datagram to the matching sockets; returns whether any
    /// socket took it.
    #[inline]
    pub(crate) fn deliver_udp(
        &mut self,
        sockets: &mut SocketSet<'_>,
        ip: &IpMeta,
        dst_kind: DstKind,
        data: &[u8],
    ) -> UdpOutcome {
        let Ok(packet) = udp::Packet::new_checked(data) else {
            self.counters.udp.in_errors += 1;
            return UdpOutcome::Dropped;
        };
        // With UDP sockets, a non-zero checksum is verified in the pass
        // that copies the payload into the socket's buffer (see
        // `udp_to_sockets`), not in a pass of its own first. A zero field
        // (RFC 768: not computed; refused over IPv6, RFC 8200 §8.1) is
        // judged by `parse`, as are packets no socket copies.
        // A device may vouch for this frame's checksum (see `deliver_tcp`).
        let trusted = self.rx_meta.transport_checksum_valid;
        let defer = cfg!(feature = "socket-udp")
            && self.caps.checksum.udp.rx()
            && !trusted
            && packet.checksum() != 0;
        let parse_checksum = if defer || trusted {
            crate::wire::checksum::Checksum::None
        } else {
            self.caps.checksum.udp
        };
        let repr =
            match udp::Repr::parse(&packet, &ip.src_addr, &ip.dst_addr, parse_checksum, false) {
                Ok(r) => r,
                Err(crate::wire::Error::BadChecksum) => {
                    self.counters.udp.in_csum_errors += 1;
                    return UdpOutcome::Dropped;
                }
                Err(_) => {
                    self.counters.udp.in_errors += 1;
                    return UdpOutcome::Dropped;
                }
            };
        // Without UDP sockets no port is open: RFC 1122 §4.1.3.1, port
        // unreachable.
        #[cfg(not(feature = "socket-udp"))]
        let delivered = {
            let _ = (sockets, dst_kind, repr, defer);
            Ok::<bool, BadChecksum>(false)
        };
        #[cfg(feature = "socket-udp")]
        let delivered = {
            let verify = defer.then(|| packet.header_checksum_init(&ip.src_addr, &ip.dst_addr));
            self.udp_to_sockets(sockets, ip, dst_kind, &repr, packet.payload(), verify)
        };
        match delivered {
            Ok(true) => {
                self.counters.udp.in_datagrams += 1;
                UdpOutcome::Delivered
            }
            Ok(false) => {
                self.counters.udp.no_ports += 1;
                UdpOutcome::NoSocket
            }
            Err(BadChecksum) => {
                // RFC 1122 §4.1.3.4: discarded silently, counted.
                self.counters.udp.in_csum_errors += 1;
                UdpOutcome::Dropped
            }
        }
    }

    /// Hand a UDP datagram to the sockets bound to its port; returns
    /// whether any took it, or `BadChecksum` when `verify` (the checksum
    /// sum of the pseudo-header and header, for a checksum not yet
    /// verified) does not verify with the payload: then no socket took
    /// anything.
    #[cfg(feature = "socket-udp")]
    fn udp_to_sockets(
        &mut self,
        sockets: &mut SocketSet<'_>,
        ip: &IpMeta,
        dst_kind: DstKind,
        repr: &udp::Repr,
        payload: &[u8],
        verify: Option<u64>,
    ) -> Result<bool, BadChecksum> {
        use crate::socket::udp::Delivery;
        let verified_apart = |verify: Option<u64>| {
            verify.is_none_or(|init| udp::payload_sum_verifies(init, payload))
        };
        // Unicast goes to one socket: the first that accepts it, found
        // without collecting the bucket.
        if dst_kind == DstKind::Unicast {
            let found = sockets.udp_slots(repr.dst_port).find(
                |&i| matches!(sockets.get_slot(i), Some(Socket::Udp(s)) if s.accepts(ip, repr)),
            );
            let Some(i) = found else {
                // No socket copies it: verified on its own, so that a
                // corrupt datagram is never answered with an ICMP error.
                return if verified_apart(verify) {
                    Ok(false)
                } else {
                    Err(BadChecksum)
                };
            };
            if let Some(Socket::Udp(s)) = sockets.slot_mut(i) {
                // The checksum is verified while the payload is copied.
                // Receiving changes neither when a UDP socket wants to send
                // nor its port: no re-evaluation at the next poll.
                if s.process(self.now, ip, repr, payload, verify) == Delivery::BadChecksum {
                    return Err(BadChecksum);
                }
            }
            return Ok(true);
        }
        // Broadcast and multicast may go to several sockets: verified
        // once, before any copy.
        if !verified_apart(verify) {
            return Err(BadChecksum);
        }
        let mut slots: heapless::Vec<usize, MAX_FANOUT> = heapless::Vec::new();
        for i in sockets.udp_slots(repr.dst_port) {
            if slots.push(i).is_err() {
                break;
            }
        }
        let mut delivered = false;
        for &i in slots.iter() {
            if let Some(Socket::Udp(s)) = sockets.slot_mut(i)
                && s.accepts(ip, repr)
            {
                s.process(self.now, ip, repr, payload, None);
                // Broadcast and multicast go to every matching socket.
                delivered = true;
            }
        }
        Ok(delivered)
    }

    /// Hand an ICMP error about a datagram we sent to the socket that sent
    /// it. `invoking` is the IP payload of the invoking datagram (the
    /// transport header first).
    pub(crate) fn deliver_icmp_error(
        &mut self,
        sockets: &mut SocketSet<'_>,
        protocol: IpProtocol,
        local: IpAddr,
        remote: IpAddr,
        invoking: &[u8],
        error_of: impl Fn(IpEndpoint) -> IcmpError,
    ) {
        // Raw sockets of the invoking packet's protocol hear about it too.
        #[cfg(feature = "socket-raw")]
        self.raw_icmp_error(sockets, protocol, local, remote, &error_of);
        if matches!(protocol, IpProtocol::Icmp | IpProtocol::Icmpv6) {
            self.deliver_icmp_error_to_ping(sockets, local, remote, invoking, &error_of);
            return;
        }
        #[cfg(feature = "socket-tcp")]
        if protocol == IpProtocol::Tcp && invoking.len() >= 8 {
            self.tcp_icmp_error(sockets, local, remote, invoking, &error_of);
            return;
        }
        #[cfg(feature = "socket-udp")]
        if protocol == IpProtocol::Udp && invoking.len() >= 4 {
            self.udp_icmp_error(sockets, local, remote, invoking, &error_of);
        }
        #[cfg(not(all(feature = "socket-tcp", feature = "socket-udp")))]
        let _ = (sockets, local, remote, invoking, error_of);
    }

    /// An ICMP error to the raw sockets of the invoking packet's protocol.
    #[cfg(feature = "socket-raw")]
    fn raw_icmp_error(
        &mut self,
        sockets: &mut SocketSet<'_>,
        protocol: IpProtocol,
        local: IpAddr,
        remote: IpAddr,
        error_of: &impl Fn(IpEndpoint) -> IcmpError,
    ) {
        let version = if local.is_ipv6() {
            IpVersion::Ipv6
        } else {
            IpVersion::Ipv4
        };
        let mut raw: heapless::Vec<usize, MAX_FANOUT> = heapless::Vec::new();
        for i in sockets.raw_slots(version, protocol) {
            let _ = raw.push(i);
        }
        for i in raw {
            if let Some(Socket::Raw(s)) = sockets.slot_mut(i)
                && s.accepts_error(version, protocol, local)
            {
                s.on_icmp_error(error_of(IpEndpoint::new(remote, 0)));
                sockets.mark_changed(i);
            }
        }
    }

    /// An ICMP error to the TCP connection named by the quoted segment.
    #[cfg(feature = "socket-tcp")]
    fn tcp_icmp_error(
        &mut self,
        sockets: &mut SocketSet<'_>,
        local: IpAddr,
        remote: IpAddr,
        invoking: &[u8],
        error_of: &impl Fn(IpEndpoint) -> IcmpError,
    ) {
        let Some(&[sp0, sp1, dp0, dp1, s0, s1, s2, s3]) = invoking.get(..8) else {
            return;
        };
        {
            // RFC 5927: the connection named by the quoted ports, checked
            // against its send window by the socket.
            let src_port = u16::from_be_bytes([sp0, sp1]);
            let dst_port = u16::from_be_bytes([dp0, dp1]);
            let seq = crate::wire::tcp::TcpSeqNumber(u32::from_be_bytes([s0, s1, s2, s3]));
            let l = IpEndpoint::new(local, src_port);
            let r = IpEndpoint::new(remote, dst_port);
            let slot = sockets.tcp_conn_slots(&l, &r).find(|&i| {
                matches!(sockets.get_slot(i), Some(Socket::Tcp(t)) if t.local_endpoint() == Some(l) && t.remote_endpoint() == Some(r))
            });
            if let Some(i) = slot
                && let Some(Socket::Tcp(t)) = sockets.slot_mut(i)
            {
                t.on_icmp_error(error_of(r), seq);
                sockets.mark_changed(i);
            }
        }
    }

    /// An ICMP error to the UDP socket the quoted datagram left from.
    #[cfg(feature = "socket-udp")]
    fn udp_icmp_error(
        &mut self,
        sockets: &mut SocketSet<'_>,
        local: IpAddr,
        remote: IpAddr,
        invoking: &[u8],
        error_of: &impl Fn(IpEndpoint) -> IcmpError,
    ) {
        let Some(&[sp0, sp1, dp0, dp1]) = invoking.get(..4) else {
            return;
        };
        let src_port = u16::from_be_bytes([sp0, sp1]);
        let dst_port = u16::from_be_bytes([dp0, dp1]);
        let error = error_of(IpEndpoint::new(remote, dst_port));
        // The socket bound to the port the datagram left from (and to its
        // source address, when bound to one).
        let target = sockets.udp_slots(src_port).find(|&i| {
            sockets.get_slot(i).is_some_and(|s| match s {
                Socket::Udp(u) => u.endpoint().addr.is_none_or(|a| a == local),
                #[allow(unreachable_patterns)]
                _ => false,
            })
        });
        if let Some(i) = target
            && let Some(Socket::Udp(s)) = sockets.slot_mut(i)
        {
            s.on_icmp_error(error);
            sockets.mark_changed(i);
        }
    }

    /// Deliver a TCP segment to its connection, else to a listener, else
    /// answer with a RST (RFC 9293 §3.10.7.1). Returns the RST to stage.
    #[cfg(feature = "socket-tcp")]
    pub(crate) fn deliver_tcp(
        &mut self,
        sockets: &mut SocketSet<'_>,
        scratch: &mut [u8],
        ip: &IpMeta,
        dst_kind: DstKind,
        data: &[u8],
    ) -> Option<Pending<'static>> {
        use crate::socket::tcp::{Socket as TcpSocket, State};
        use crate::wire::tcp;
        let Ok(packet) = tcp::Packet::new_checked(data) else {
            self.counters.tcp.in_errs += 1;
            return None;
        };
        // The checksum (RFC 9293 §3.1) is checked here rather than in
        // `Repr::parse`, after the connection lookup: the next in-order
        // segment of a connection is checked in the pass that copies its
        // payload into the receive buffer (`prewrite_payload`), every
        // other segment over its bytes as before. Nothing acts on a
        // segment before its checksum is known good.
        // A device may vouch for this frame's checksum (a TAP's
        // virtio_net_hdr: the kernel's own segment, summed by nobody).
        let trusted = self.rx_meta.transport_checksum_valid;
        let verify = self.caps.checksum.tcp.rx() && !trusted;
        let parse_checks = if verify || trusted {
            crate::wire::Checksum::None
        } else {
            self.caps.checksum.tcp
        };
        // Read in place (by reference): moving the 160-byte `Repr` out of
        // its `Result` is a `memcpy` on every segment.
        let parsed = tcp::Repr::parse(&packet, &ip.src_addr, &ip.dst_addr, parse_checks);
        let repr = match &parsed {
            Ok(r) => r,
            // A malformed segment with a wrong checksum counts as a
            // checksum error, as when `parse` checked it first.
            Err(_) if verify && !packet.verify_checksum(&ip.src_addr, &ip.dst_addr) => {
                self.counters.tcp.in_csum_errors += 1;
                return None;
            }
            Err(crate::wire::Error::BadChecksum) => {
                self.counters.tcp.in_csum_errors += 1;
                return None;
            }
            Err(_) => {
                self.counters.tcp.in_errs += 1;
                return None;
            }
        };
        let local = IpEndpoint::new(ip.dst_addr, repr.dst_port);
        let remote = IpEndpoint::new(ip.src_addr, repr.src_port);
        let mut conn = sockets
            .tcp_conn_slots(&local, &remote)
            .find(|&i| matches!(sockets.get_slot(i), Some(Socket::Tcp(t)) if t.accepts(ip, repr)));
        if verify {
            // Where one pass is no faster (no vector sum), the fast path
            // is compiled out: the usual check below serves every segment.
            let fast = match conn.map(|i| sockets.slot_mut(i)) {
                Some(Some(Socket::Tcp(t)))
                    if crate::wire::checksum::ONE_PASS_COPY && dst_kind != DstKind::Group =>
                {
                    let header = &data[..data.len() - repr.payload.len()];
                    let init = crate::wire::checksum::pseudo_header_and_words(
                        &ip.src_addr,
                        &ip.dst_addr,
                        crate::wire::ip::IpProtocol::Tcp,
                        u32::try_from(data.len()).unwrap_or(u32::MAX),
                        header,
                    );
                    t.prewrite_payload(repr.seq_number, repr.payload, init)
                }
                _ => None,
            };
            let good = match fast {
                Some(sum) => sum == 0xffff,
                None => packet.verify_checksum(&ip.src_addr, &ip.dst_addr),
            };
            if !good {
                self.counters.tcp.in_csum_errors += 1;
                return None;
            }
        }
        // RFC 4022 tcpInSegs counts segments: a frame of coalesced
        // segments (a TAP's GSO super-frame) is as many as it holds.
        self.counters.tcp.in_segs += match self.rx_meta.tcp_segment_size {
            Some(size) if size > 0 => repr.payload.len().div_ceil(usize::from(size)).max(1) as u64,
            _ => 1,
        };
        // RFC 1122 §4.2.3.10: segments to broadcast or multicast addresses
        // are silently discarded.
        if dst_kind == DstKind::Group {
            return None;
        }
        // The MSS the route allows (RFC 9293 §3.7.1): what a SYN that
        // opens a connection (or a listener's cookie ACK) is answered with.
        let route_mss = |this: &Self| {
            let overhead = if ip.dst_addr.is_ipv6() { 60 } else { 40 };
            this.path_mtu(&ip.src_addr).saturating_sub(overhead)
        };
        // RFC 6191: a SYN that may reuse a 4-tuple in TIME-WAIT ends it
        // and goes to a listener like any other SYN.
        if let Some(i) = conn
            && let Some(Socket::Tcp(t)) = sockets.slot_mut(i)
            && t.time_wait_reusable(repr)
        {
            t.end_time_wait();
            sockets.mark_changed(i);
            conn = None;
        }
        let listen = || {
            sockets
                .tcp_listen_slots(repr.dst_port)
                .find(|&i| match sockets.get_slot(i) {
                    Some(Socket::Tcp(t)) => t.accepts(ip, repr),
                    #[cfg(feature = "socket-tcp-listener")]
                    Some(Socket::TcpListener(l)) => l.accepts(ip, repr),
                    _ => false,
                })
        };
        let slot = conn.or_else(listen);
        let reply = match slot {
            #[cfg(feature = "socket-tcp-listener")]
            Some(i) if matches!(sockets.get_slot(i), Some(Socket::TcpListener(_))) => {
                use crate::socket::tcp::listener::{self, ListenerInput, ListenerReply};
                let input = ListenerInput {
                    now: self.now,
                    iss: self.iss.iss(self.now, local, remote),
                    route_mss: route_mss(self),
                    cookies: self.iss.syn_cookies(),
                    syncookies: self.config.tcp.syncookies,
                    max_syn_backlog: self.config.tcp.max_syn_backlog as usize,
                    tcp: self.config.tcp,
                };
                let outcome = listener::process(sockets, i, ip, repr, &input);
                // A spare that took a connection must be found by its
                // 4-tuple from the next segment on, even within this poll.
                sockets.refresh();
                match outcome {
                    Some(ListenerReply::Rst(r)) => Some(r),
                    Some(ListenerReply::SynAck(syn_ack)) => {
                        // RFC 4987 §3.6: the cookie SYN-ACK, sent at once
                        // and forgotten.
                        self.counters.tcp.out_segs += 1;
                        let out =
                            self.reply(ip.dst_addr, ip.src_addr, IpPayload::Tcp(&syn_ack, &[]));
                        return self.stage(scratch, &out);
                    }
                    None => None,
                }
            }
            Some(i) => {
                // RFC 6528: the ISS (and the route MSS) matter only when
                // a SYN (no ACK: not a SYN-ACK) opens a connection; skip
                // the keyed hash and the PMTU lookup for every other
                // segment.
                let (iss, mss) = if repr.control == tcp::Control::Syn && repr.ack_number.is_none() {
                    (self.iss.iss(self.now, local, remote), route_mss(self))
                } else {
                    (tcp::TcpSeqNumber(0), 0)
                };
                let (reply, change) = match sockets.slot_mut(i) {
                    Some(Socket::Tcp(t)) => {
                        let before = t.state();
                        if before == State::Listen {
                            // A connection opens: the `tcp_*` knobs now.
                            t.configure(&self.config.tcp);
                        }
                        let reply = TcpSocket::process(t, self.now, ip, repr, iss, mss);
                        t.forget_prewrite();
                        let after = t.state();
                        // The fast path predicts this connection's next
                        // segment.
                        if after == State::Established && self.rx_fast_path {
                            self.rx_flow = Some(super::fastpath::RxFlow {
                                slot: i,
                                addrs: self.addr_generation,
                            });
                        }
                        (
                            reply,
                            (before == State::SynReceived && after != before).then_some(after),
                        )
                    }
                    #[allow(unreachable_patterns)]
                    _ => (None, None),
                };
                sockets.mark_changed(i);
                // A half-open connection of a listener completed (or
                // failed) its handshake: the accept queue keeps the order.
                #[cfg(not(feature = "socket-tcp-listener"))]
                let _ = change;
                #[cfg(feature = "socket-tcp-listener")]
                if let Some(state) = change
                    && let Some(handle) = sockets.handle_of(i)
                {
                    crate::socket::tcp::listener::child_changed(
                        sockets,
                        repr.dst_port,
                        handle,
                        state,
                    );
                }
                reply
            }
            None => {
                self.counters.tcp.no_socket += 1;
                crate::socket::tcp::Reply::rst_for(repr)
            }
        };
        let reply = reply?;
        self.counters.tcp.out_rsts += 1;
        let rst = tcp::Repr {
            src_port: repr.dst_port,
            dst_port: repr.src_port,
            control: tcp::Control::Rst,
            psh: false,
            seq_number: reply.seq,
            ack_number: reply.ack,
            window_len: 0,
            urgent_at: None,
            ece: false,
            cwr: false,
            ae: false,
            window_scale: None,
            max_seg_size: None,
            sack_permitted: false,
            sack_ranges: [None; 4],
            timestamp: None,
            fast_open_cookie: None,
            accecn: None,
            payload: &[],
        };
        let out = self.reply(ip.dst_addr, ip.src_addr, IpPayload::Tcp(&rst, &[]));
        self.stage(scratch, &out)
    }

    /// An ICMP error about one of our echo requests: to the ping socket
    /// bound to its identifier.
    #[cfg(feature = "socket-icmp")]
    fn deliver_icmp_error_to_ping(
        &mut self,
        sockets: &mut SocketSet<'_>,
        local: IpAddr,
        remote: IpAddr,
        invoking: &[u8],
        error_of: &impl Fn(IpEndpoint) -> IcmpError,
    ) {
        let Some(ident) = invoking.get(4..6).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
            return;
        };
        let Some(dst) = crate::socket::icmp::error_endpoint(remote, invoking) else {
            return;
        };
        let mut slots: heapless::Vec<usize, MAX_FANOUT> = heapless::Vec::new();
        for i in sockets.icmp_slots(ident) {
            let _ = slots.push(i);
        }
        for i in slots {
            if let Some(Socket::Icmp(s)) = sockets.slot_mut(i)
                && s.accepts_error(local, remote, invoking)
            {
                s.on_icmp_error(error_of(dst));
                sockets.mark_changed(i);
            }
        }
    }

    /// An echo reply: to the ping sockets bound to its identifier.
    #[cfg(feature = "socket-icmp")]
    pub(crate) fn deliver_echo_reply(
        &mut self,
        sockets: &mut SocketSet<'_>,
        ip: &IpMeta,
        message: &[u8],
    ) {
        let Some(ident) = message.get(4..6).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
            return;
        };
        let mut slots: heapless::Vec<usize, MAX_FANOUT> = heapless::Vec::new();
        for i in sockets.icmp_slots(ident) {
            let _ = slots.push(i);
        }
        for i in slots {
            if let Some(Socket::Icmp(s)) = sockets.slot_mut(i)
                && s.accepts(ip, message)
            {
                s.process(self.now, ip, message);
                sockets.mark_changed(i);
            }
        }
    }

    /// A copy of a datagram for every matching raw socket; returns whether
    /// any took it.
    #[cfg(feature = "socket-raw")]
    // Forced inline on 64-bit hosts (speed), a hint on MCUs (flash).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    pub(crate) fn deliver_raw(
        &mut self,
        sockets: &mut SocketSet<'_>,
        version: IpVersion,
        protocol: IpProtocol,
        ip: &IpMeta,
        header: &[u8],
        payload: &[u8],
    ) -> bool {
        // Most sets have no raw socket: decided here, without a call.
        sockets.has_raw() && self.deliver_raw_to(sockets, version, protocol, ip, header, payload)
    }

    #[cfg(feature = "socket-raw")]
    fn deliver_raw_to(
        &mut self,
        sockets: &mut SocketSet<'_>,
        version: IpVersion,
        protocol: IpProtocol,
        ip: &IpMeta,
        header: &[u8],
        payload: &[u8],
    ) -> bool {
        let mut found = sockets.raw_slots(version, protocol);
        // Most datagrams have no raw socket to go to: stop here.
        let Some(first) = found.next() else {
            return false;
        };
        let mut slots: heapless::Vec<usize, MAX_FANOUT> = heapless::Vec::new();
        let _ = slots.push(first);
        for i in found {
            let _ = slots.push(i);
        }
        let mut taken = false;
        for &i in slots.iter() {
            if let Some(Socket::Raw(s)) = sockets.slot_mut(i)
                && s.accepts(version, protocol, ip)
            {
                s.process(self.now, ip, header, payload);
                sockets.mark_changed(i);
                taken = true;
            }
        }
        taken
    }

    /// Serialise `out` into the scratch buffer for the transmit path.
    pub(crate) fn stage(
        &mut self,
        scratch: &mut [u8],
        out: &IpOut<'_>,
    ) -> Option<Pending<'static>> {
        let len = out.total_len();
        let Some(buf) = scratch.get_mut(..len) else {
            // Larger than the scratch buffer: cannot be queued or
            // fragmented.
            match out.dst {
                IpAddr::V4(_) => self.counters.ipv4.out_discards += 1,
                IpAddr::V6(_) => self.counters.ipv6.out_discards += 1,
            }
            return None;
        };
        let mut caps = self.caps.checksum;
        if len > self.path_mtu(&out.dst) {
            // Sent as fragments: no device fills their checksum.
            caps = super::egress::fragment_checksums(caps);
        }
        if !out.emit(buf, &caps) {
            return None;
        }
        Some(Pending::Ip(Serialized { len, dst: out.dst }))
    }

    /// A fresh Identification for an IPv4 datagram of a flow (RFC 6864
    /// §4: unique per source, destination and protocol while fragments
    /// may be in flight; RFC 7739 §5.3: per-flow, unpredictable); 0 for
    /// IPv6, which carries it in a Fragment header only.
    #[inline]
    pub(crate) fn next_ipv4_ident(
        &mut self,
        src: &IpAddr,
        dst: &IpAddr,
        protocol: IpProtocol,
    ) -> u16 {
        match (src, dst) {
            #[cfg(feature = "proto-ipv4")]
            (IpAddr::V4(s), IpAddr::V4(d)) => self.ipv4_idents.next(*s, *d, protocol),
            _ => {
                let _ = protocol;
                0
            }
        }
    }

    /// A reply packet skeleton from `src` to `dst` with the default hop
    /// limit of the family.
    #[inline]
    pub(crate) fn reply<'p>(
        &mut self,
        src: IpAddr,
        dst: IpAddr,
        payload: IpPayload<'p>,
    ) -> IpOut<'p> {
        let hop_limit = match dst {
            IpAddr::V4(_) => self.config.ipv4.default_ttl,
            IpAddr::V6(_) => self.config.ipv6.hop_limit,
        };
        let protocol = payload.protocol();
        let ident = self.next_ipv4_ident(&src, &dst, protocol);
        IpOut {
            src,
            dst,
            hop_limit,
            dscp: 0,
            ecn: crate::wire::IpEcn::NotEct,
            dont_frag: false,
            // RFC 6437 flow labels are IPv6 only.
            flow_label: if dst.is_ipv6() {
                self.flow_label(&src, &dst, protocol)
            } else {
                0
            },
            ident,
            protocol,
            payload,
        }
    }
}

/// A received UDP datagram whose checksum does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadChecksum;

/// What happened to a UDP datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UdpOutcome {
    Delivered,
    NoSocket,
    Dropped,
}

/// Without a socket kind, nothing to deliver to: the callers stay the same.
#[cfg(not(all(feature = "socket-icmp", feature = "socket-raw")))]
impl InterfaceInner<'_> {
    #[cfg(not(feature = "socket-icmp"))]
    fn deliver_icmp_error_to_ping(
        &mut self,
        _sockets: &mut SocketSet<'_>,
        _local: IpAddr,
        _remote: IpAddr,
        _invoking: &[u8],
        _error_of: &impl Fn(IpEndpoint) -> IcmpError,
    ) {
    }

    #[cfg(not(feature = "socket-icmp"))]
    pub(crate) fn deliver_echo_reply(
        &mut self,
        _sockets: &mut SocketSet<'_>,
        _ip: &IpMeta,
        _message: &[u8],
    ) {
    }

    #[cfg(not(feature = "socket-raw"))]
    // Forced inline on 64-bit hosts (speed), a hint on MCUs (flash).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    pub(crate) fn deliver_raw(
        &mut self,
        _sockets: &mut SocketSet<'_>,
        _version: IpVersion,
        _protocol: IpProtocol,
        _ip: &IpMeta,
        _header: &[u8],
        _payload: &[u8],
    ) -> bool {
        false
    }
}
