//! Configuration: the typed [`Config`] an interface is created with, and
//! the sysctl-style [`registry`] that reads, lists, describes and sets the
//! same knobs by their Linux names at run time.
//!
//! Defaults are Linux's wherever Linux has the knob (values as of Linux
//! 6.x, documented in `Documentation/networking/ip-sysctl.rst`), so a
//! ferrotcp host behaves like a Linux host out of the box.

pub mod registry;

/// Neighbour-cache timers and limits (ARP and NDP share them, as in
/// Linux's `net.ipv{4,6}.neigh.default.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NeighborConfig {
    /// `base_reachable_time_ms`: base of the randomised REACHABLE time
    /// (RFC 4861 §6.3.2 BaseReachableTime, 30 s).
    pub base_reachable_time_ms: u32,
    /// `retrans_time_ms`: time between solicitations (RFC 4861 §10
    /// RETRANS_TIMER, 1 s).
    pub retrans_time_ms: u32,
    /// `delay_first_probe_time`: seconds in DELAY before probing (RFC 4861
    /// §10 DELAY_FIRST_PROBE_TIME, 5 s).
    pub delay_first_probe_time_s: u32,
    /// `mcast_solicit`: multicast solicitations before giving up (RFC 4861
    /// §10 MAX_MULTICAST_SOLICIT, 3).
    pub mcast_solicit: u32,
    /// `ucast_solicit`: unicast probes before giving up (RFC 4861 §10
    /// MAX_UNICAST_SOLICIT, 3).
    pub ucast_solicit: u32,
    /// `gc_stale_time`: seconds a STALE entry is kept unused (60 s).
    pub gc_stale_time_s: u32,
    /// Packets queued per unresolved neighbour (RFC 1122 §2.3.2.2; Linux
    /// counts bytes in `unres_qlen_bytes`, we count packets: 3).
    pub unres_qlen: u32,
}

impl Default for NeighborConfig {
    fn default() -> Self {
        NeighborConfig {
            base_reachable_time_ms: 30_000,
            retrans_time_ms: 1_000,
            delay_first_probe_time_s: 5,
            mcast_solicit: 3,
            ucast_solicit: 3,
            gc_stale_time_s: 60,
            unres_qlen: 3,
        }
    }
}

/// IPv4 knobs (`net.ipv4.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ipv4Config {
    /// `ip_default_ttl` (64).
    pub default_ttl: u8,
    /// `icmp_ratelimit`: minimum milliseconds between ICMP errors per
    /// destination (1000).
    pub icmp_ratelimit_ms: u32,
    /// `icmp_msgs_per_sec`: global ICMP token refill rate (1000).
    pub icmp_msgs_per_sec: u32,
    /// `icmp_msgs_burst`: global ICMP bucket depth (50).
    pub icmp_msgs_burst: u32,
    /// `icmp_echo_ignore_all` (false).
    pub icmp_echo_ignore_all: bool,
    /// `icmp_echo_ignore_broadcasts` (true).
    pub icmp_echo_ignore_broadcasts: bool,
    /// `ipfrag_time`: reassembly timeout in seconds (30).
    pub ipfrag_time_s: u32,
    /// `ipfrag_high_thresh`: reassembly memory limit in bytes (4 MiB).
    pub ipfrag_high_thresh: u32,
    /// `min_pmtu`: the lowest path MTU accepted from ICMP (552).
    pub min_pmtu: u32,
    /// `mtu_expires`: seconds a learned path MTU is kept (600).
    pub mtu_expires_s: u32,
}

impl Default for Ipv4Config {
    fn default() -> Self {
        Ipv4Config {
            default_ttl: 64,
            icmp_ratelimit_ms: 1_000,
            icmp_msgs_per_sec: 1_000,
            icmp_msgs_burst: 50,
            icmp_echo_ignore_all: false,
            icmp_echo_ignore_broadcasts: true,
            ipfrag_time_s: 30,
            ipfrag_high_thresh: 4 * 1024 * 1024,
            min_pmtu: 552,
            mtu_expires_s: 600,
        }
    }
}

/// IPv6 knobs (`net.ipv6.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ipv6Config {
    /// `conf.default.hop_limit` (64).
    pub hop_limit: u8,
    /// `icmp.ratelimit`: minimum milliseconds between ICMPv6 errors per
    /// destination (1000).
    pub icmp_ratelimit_ms: u32,
    /// `ip6frag_time`: reassembly timeout in seconds (60).
    pub ip6frag_time_s: u32,
    /// `ip6frag_high_thresh`: reassembly memory limit in bytes (4 MiB).
    pub ip6frag_high_thresh: u32,
    /// `conf.default.accept_ra` (true).
    pub accept_ra: bool,
    /// `conf.default.autoconf` (true).
    pub autoconf: bool,
    /// `conf.default.dad_transmits` (1).
    pub dad_transmits: u32,
    /// `conf.default.router_solicitations` (-1: keep soliciting, RFC 7559).
    pub router_solicitations: i32,
    /// `conf.default.router_solicitation_interval` in seconds (4).
    pub router_solicitation_interval_s: u32,
    /// `conf.default.router_solicitation_max_interval` in seconds (3600,
    /// RFC 7559 §2 MAX_RTR_SOLICITATION_INTERVAL).
    pub router_solicitation_max_interval_s: u32,
    /// `conf.default.use_tempaddr` (0: no RFC 8981 temporary addresses).
    pub use_tempaddr: i32,
    /// `conf.default.optimistic_dad` (false, RFC 4429).
    pub optimistic_dad: bool,
    /// `conf.default.enhanced_dad` (true, RFC 7527).
    pub enhanced_dad: bool,
    /// `auto_flowlabels` (1: generate RFC 6437 flow labels).
    pub auto_flowlabels: u32,
}

impl Default for Ipv6Config {
    fn default() -> Self {
        Ipv6Config {
            hop_limit: 64,
            icmp_ratelimit_ms: 1_000,
            ip6frag_time_s: 60,
            ip6frag_high_thresh: 4 * 1024 * 1024,
            accept_ra: true,
            autoconf: true,
            dad_transmits: 1,
            router_solicitations: -1,
            router_solicitation_interval_s: 4,
            router_solicitation_max_interval_s: 3_600,
            use_tempaddr: 0,
            optimistic_dad: false,
            enhanced_dad: true,
            auto_flowlabels: 1,
        }
    }
}

/// TCP knobs (`net.ipv4.tcp_*`; Linux applies them to IPv6 too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TcpConfig {
    /// `tcp_syncookies` (1): 0 never sends SYN cookies (a full SYN queue
    /// drops SYNs), 1 sends them when a listener's SYN queue overflows or
    /// it has no spare socket (RFC 4987 §3.6), 2 always sends them.
    pub syncookies: u8,
    /// `tcp_max_syn_backlog` (128, Linux's value for small machines): the
    /// most half-open connections (SYN-RECEIVED) one listener keeps; a
    /// listener's own backlog may lower it further.
    pub max_syn_backlog: u32,
    /// `tcp_rto_min_us` (200 000, Linux's `TCP_RTO_MIN`): the lower bound
    /// of the retransmission timeout, microseconds (RFC 6298 §2.4 asks for
    /// 1 s; RFC 8961 §4 sets no floor).
    pub rto_min_us: u32,
    /// `tcp_rto_max_ms` (120 000, Linux's `TCP_RTO_MAX`): the upper bound
    /// of the retransmission timeout and its backoff, milliseconds (RFC
    /// 6298 §2.5: at least 60 s if bounded; Linux accepts 1 s to 120 s).
    /// Below `tcp_rto_min_us` it is raised to that.
    pub rto_max_ms: u32,
    /// `tcp_retries1` (3): retransmissions of one segment after which the
    /// connection reports a delivery problem (RFC 1122 §4.2.3.5 R1).
    pub retries1: u8,
    /// `tcp_retries2` (15): when a synchronized connection whose data goes
    /// unacknowledged fails with `TimedOut` (RFC 1122 §4.2.3.5 R2). As in
    /// Linux it is a time, not a count: that of `tcp_retries2` + 1 RTOs
    /// doubling from `tcp_rto_min_us` up to `tcp_rto_max_ms` (924.6 s for
    /// 15 with the defaults), from when the oldest unacknowledged data was
    /// sent; a path whose RTO is longer than `tcp_rto_min` gets fewer
    /// retransmissions in that time.
    pub retries2: u8,
    /// `tcp_syn_retries` (6): SYN retransmissions before an active open
    /// fails (RFC 1122 §4.2.3.5: R2 for a SYN, at least 3 minutes).
    pub syn_retries: u8,
    /// `tcp_synack_retries` (5): SYN-ACK retransmissions before a
    /// half-open connection is given up.
    pub synack_retries: u8,
    /// `tcp_keepalive_time` (7200 s, RFC 1122 §4.2.3.6: at least two
    /// hours): idle time before the first keep-alive probe, for sockets
    /// that turn keep-alive on without their own time.
    pub keepalive_time_s: u32,
    /// `tcp_keepalive_intvl` (75 s): time between unanswered keep-alive
    /// probes.
    pub keepalive_intvl_s: u32,
    /// `tcp_keepalive_probes` (9): unanswered probes before the connection
    /// fails with `KeepAliveTimedOut`.
    pub keepalive_probes: u8,
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig {
            syncookies: 1,
            max_syn_backlog: 128,
            rto_min_us: 200_000,
            rto_max_ms: 120_000,
            retries1: 3,
            retries2: 15,
            syn_retries: 6,
            synack_retries: 5,
            keepalive_time_s: 7_200,
            keepalive_intvl_s: 75,
            keepalive_probes: 9,
        }
    }
}

/// Everything an interface is configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Config {
    /// The seed of the stack's PRNG and of its keyed secrets. Give every
    /// boot a different one (a hardware RNG, a clock) in production; fix it
    /// in tests for reproducibility.
    pub random_seed: u64,
    /// `ip_local_port_range`: the ephemeral port range (32768..=60999).
    pub local_port_range: (u16, u16),
    /// Neighbour cache.
    pub neighbor: NeighborConfig,
    /// IPv4.
    pub ipv4: Ipv4Config,
    /// IPv6.
    pub ipv6: Ipv6Config,
    /// TCP.
    pub tcp: TcpConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            random_seed: 0,
            local_port_range: (32_768, 60_999),
            neighbor: NeighborConfig::default(),
            ipv4: Ipv4Config::default(),
            ipv6: Ipv6Config::default(),
            tcp: TcpConfig::default(),
        }
    }
}

impl Config {
    /// The defaults with `random_seed` set.
    pub fn with_seed(random_seed: u64) -> Config {
        Config {
            random_seed,
            ..Config::default()
        }
    }
}
