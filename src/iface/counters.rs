//! Per-protocol packet counters: what was received, sent and dropped, and
//! why. Names follow Linux's SNMP MIB counters (`nstat`) where one exists.
//!
//! Each counter is a [`Count`]: a `u64` with the `counters` feature (on by
//! default), and without it a zero-size value that ignores every update,
//! so a firmware that never reads them pays neither RAM nor code.

/// One counter: a `u64` (feature `counters`).
#[cfg(feature = "counters")]
pub type Count = u64;

/// One counter: without the `counters` feature, a zero-size value that
/// ignores every update (`+=`, `-=`) and always reads as nothing.
#[cfg(not(feature = "counters"))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Count;

#[cfg(not(feature = "counters"))]
impl core::ops::AddAssign<u64> for Count {
    #[inline(always)]
    fn add_assign(&mut self, _: u64) {}
}

#[cfg(not(feature = "counters"))]
impl core::ops::SubAssign<u64> for Count {
    #[inline(always)]
    fn sub_assign(&mut self, _: u64) {}
}

/// Link-layer counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LinkCounters {
    /// Frames received from the device.
    pub rx_frames: Count,
    /// Frames handed to the device.
    pub tx_frames: Count,
    /// Frames that did not parse (too short, bad length field).
    pub rx_malformed: Count,
    /// Frames addressed to another station or to a group we did not join.
    pub rx_not_for_us: Count,
    /// Frames of an EtherType we do not handle.
    pub rx_unknown_ethertype: Count,
    /// Frames that arrived while the link was down.
    pub rx_link_down: Count,
    /// Frames not sent because the device had no transmit room.
    pub tx_device_busy: Count,
}

/// ARP counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ArpCounters {
    /// Requests received.
    pub rx_requests: Count,
    /// Replies received.
    pub rx_replies: Count,
    /// Requests sent.
    pub tx_requests: Count,
    /// Replies sent.
    pub tx_replies: Count,
    /// Packets dropped as malformed, unsupported or with invalid addresses.
    pub rx_dropped: Count,
}

/// IP counters (one set per family).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IpCounters {
    /// `InReceives`: datagrams received.
    pub in_receives: Count,
    /// `InHdrErrors`: bad header, checksum, version, length, options.
    pub in_hdr_errors: Count,
    /// `InAddrErrors`: not addressed to us, or an invalid source address.
    pub in_addr_errors: Count,
    /// `InUnknownProtos`: no handler for the payload protocol.
    pub in_unknown_protos: Count,
    /// `InDelivers`: datagrams delivered to a transport or ICMP.
    pub in_delivers: Count,
    /// `InDiscards`: dropped for lack of resources.
    pub in_discards: Count,
    /// `OutRequests`: datagrams handed down for transmission.
    pub out_requests: Count,
    /// `OutNoRoutes`: dropped for want of a route.
    pub out_no_routes: Count,
    /// `OutDiscards`: dropped on transmit (neighbour failure, queue full).
    pub out_discards: Count,
    /// `ReasmReqds`: fragments received.
    pub reasm_reqds: Count,
    /// `ReasmOKs`: datagrams reassembled.
    pub reasm_oks: Count,
    /// `ReasmFails`: reassembly failures (timeouts, overlaps, limits).
    pub reasm_fails: Count,
    /// `FragOKs`: datagrams fragmented.
    pub frag_oks: Count,
    /// `FragFails`: datagrams that needed fragmentation and could not
    /// have it (IPv4 DF, scratch buffer too small).
    pub frag_fails: Count,
    /// `FragCreates`: fragments sent.
    pub frag_creates: Count,
}

/// ICMP counters (one set per family).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IcmpCounters {
    /// `InMsgs`.
    pub in_msgs: Count,
    /// `InErrors`: malformed or bad checksum.
    pub in_errors: Count,
    /// Echo requests received.
    pub in_echos: Count,
    /// Error messages received (any type).
    pub in_error_msgs: Count,
    /// Obsolete or deprecated types received and ignored (RFC 6633, 6918).
    pub in_obsolete: Count,
    /// `OutMsgs`.
    pub out_msgs: Count,
    /// Echo replies sent.
    pub out_echo_reps: Count,
    /// Error messages sent.
    pub out_error_msgs: Count,
    /// Error messages suppressed by the generation rules (RFC 1122
    /// §3.2.2, RFC 4443 §2.4(e)).
    pub out_suppressed: Count,
    /// Error messages suppressed by rate limiting.
    pub out_rate_limited: Count,
}

/// UDP counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UdpCounters {
    /// `InDatagrams`: delivered to a socket.
    pub in_datagrams: Count,
    /// `NoPorts`: no socket for the destination port.
    pub no_ports: Count,
    /// `InErrors`: malformed.
    pub in_errors: Count,
    /// `InCsumErrors`: bad checksum.
    pub in_csum_errors: Count,
    /// `OutDatagrams`.
    pub out_datagrams: Count,
}

/// TCP counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TcpCounters {
    /// `InSegs`: segments received.
    pub in_segs: Count,
    /// `InErrs`: malformed segments.
    pub in_errs: Count,
    /// `InCsumErrors`: bad checksums.
    pub in_csum_errors: Count,
    /// Segments for no socket (answered with RST).
    pub no_socket: Count,
    /// `OutSegs`: segments sent.
    pub out_segs: Count,
    /// `OutRsts`: RSTs sent by the interface.
    pub out_rsts: Count,
    /// Linux `TcpExt: TCPHPHits`: segments taken by header prediction
    /// (the receive fast path); they count in `in_segs` too.
    pub hp_hits: Count,
}

/// Every counter of an interface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Counters {
    /// Link layer.
    pub link: LinkCounters,
    /// ARP.
    pub arp: ArpCounters,
    /// IPv4.
    pub ipv4: IpCounters,
    /// IPv6.
    pub ipv6: IpCounters,
    /// ICMPv4.
    pub icmpv4: IcmpCounters,
    /// ICMPv6.
    pub icmpv6: IcmpCounters,
    /// UDP.
    pub udp: UdpCounters,
    /// TCP.
    pub tcp: TcpCounters,
}
