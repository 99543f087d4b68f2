//! Per-protocol packet counters: what was received, sent and dropped, and
//! why. Names follow Linux's SNMP MIB counters (`nstat`) where one exists.

/// Link-layer counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LinkCounters {
    /// Frames received from the device.
    pub rx_frames: u64,
    /// Frames handed to the device.
    pub tx_frames: u64,
    /// Frames that did not parse (too short, bad length field).
    pub rx_malformed: u64,
    /// Frames addressed to another station or to a group we did not join.
    pub rx_not_for_us: u64,
    /// Frames of an EtherType we do not handle.
    pub rx_unknown_ethertype: u64,
    /// Frames that arrived while the link was down.
    pub rx_link_down: u64,
    /// Frames not sent because the device had no transmit room.
    pub tx_device_busy: u64,
}

/// ARP counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ArpCounters {
    /// Requests received.
    pub rx_requests: u64,
    /// Replies received.
    pub rx_replies: u64,
    /// Requests sent.
    pub tx_requests: u64,
    /// Replies sent.
    pub tx_replies: u64,
    /// Packets dropped as malformed, unsupported or with invalid addresses.
    pub rx_dropped: u64,
}

/// IP counters (one set per family).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IpCounters {
    /// `InReceives`: datagrams received.
    pub in_receives: u64,
    /// `InHdrErrors`: bad header, checksum, version, length, options.
    pub in_hdr_errors: u64,
    /// `InAddrErrors`: not addressed to us, or an invalid source address.
    pub in_addr_errors: u64,
    /// `InUnknownProtos`: no handler for the payload protocol.
    pub in_unknown_protos: u64,
    /// `InDelivers`: datagrams delivered to a transport or ICMP.
    pub in_delivers: u64,
    /// `InDiscards`: dropped for lack of resources.
    pub in_discards: u64,
    /// `OutRequests`: datagrams handed down for transmission.
    pub out_requests: u64,
    /// `OutNoRoutes`: dropped for want of a route.
    pub out_no_routes: u64,
    /// `OutDiscards`: dropped on transmit (neighbour failure, queue full).
    pub out_discards: u64,
    /// `ReasmReqds`: fragments received.
    pub reasm_reqds: u64,
    /// `ReasmOKs`: datagrams reassembled.
    pub reasm_oks: u64,
    /// `ReasmFails`: reassembly failures (timeouts, overlaps, limits).
    pub reasm_fails: u64,
    /// `FragOKs`: datagrams fragmented.
    pub frag_oks: u64,
    /// `FragFails`: datagrams that needed fragmentation and could not
    /// have it (IPv4 DF, scratch buffer too small).
    pub frag_fails: u64,
    /// `FragCreates`: fragments sent.
    pub frag_creates: u64,
}

/// ICMP counters (one set per family).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IcmpCounters {
    /// `InMsgs`.
    pub in_msgs: u64,
    /// `InErrors`: malformed or bad checksum.
    pub in_errors: u64,
    /// Echo requests received.
    pub in_echos: u64,
    /// Error messages received (any type).
    pub in_error_msgs: u64,
    /// Obsolete or deprecated types received and ignored (RFC 6633, 6918).
    pub in_obsolete: u64,
    /// `OutMsgs`.
    pub out_msgs: u64,
    /// Echo replies sent.
    pub out_echo_reps: u64,
    /// Error messages sent.
    pub out_error_msgs: u64,
    /// Error messages suppressed by the generation rules (RFC 1122
    /// §3.2.2, RFC 4443 §2.4(e)).
    pub out_suppressed: u64,
    /// Error messages suppressed by rate limiting.
    pub out_rate_limited: u64,
}

/// UDP counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UdpCounters {
    /// `InDatagrams`: delivered to a socket.
    pub in_datagrams: u64,
    /// `NoPorts`: no socket for the destination port.
    pub no_ports: u64,
    /// `InErrors`: malformed.
    pub in_errors: u64,
    /// `InCsumErrors`: bad checksum.
    pub in_csum_errors: u64,
    /// `OutDatagrams`.
    pub out_datagrams: u64,
}

/// TCP counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TcpCounters {
    /// `InSegs`: segments received.
    pub in_segs: u64,
    /// `InErrs`: malformed segments.
    pub in_errs: u64,
    /// `InCsumErrors`: bad checksums.
    pub in_csum_errors: u64,
    /// Segments for no socket (answered with RST).
    pub no_socket: u64,
    /// `OutSegs`: segments sent.
    pub out_segs: u64,
    /// `OutRsts`: RSTs sent by the interface.
    pub out_rsts: u64,
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
