//! TCP sockets (RFC 9293).
//!
//! A socket is a connection state machine over two caller-supplied ring
//! buffers. It never touches the device: the interface hands it segments
//! (`process`) and asks it for segments (`dispatch`), and `poll_at` says
//! when a timer is next due.
//!
//! Split by concern:
//! * `input`: segment arrival, RFC 9293 §3.10.7 step by step;
//! * `output`: what to send and when (data, ACKs, FIN, retransmission,
//!   window probes, keep-alives) and the timers behind `poll_at`;
//! * `rtt`: RTO per RFC 6298; `congestion`: NewReno (RFC 5681, 6582);
//! * `iss`: RFC 6528 initial sequence numbers and SYN cookies;
//! * `sack`: SACK / D-SACK blocks as a receiver (RFC 2018, 2883);
//! * `listener`: a `Listener` (feature `socket-tcp-listener`) with an accept backlog of spare sockets
//!   and SYN cookies (RFC 4987).

use core::fmt;
use core::net::IpAddr;

use super::{IcmpError, IpEndpoint, IpListenEndpoint};
use crate::config::TcpConfig;
use crate::storage::RingBuffer;
use crate::time::{Duration, Instant};
use crate::wire::tcp::TcpSeqNumber;

pub(crate) mod congestion;
mod fast;
pub(crate) use self::fast::Predicted;
mod input;
pub(crate) use self::input::Reply;
// SYN cookies serve only the listener.
#[cfg_attr(not(feature = "socket-tcp-listener"), allow(dead_code))]
pub(crate) mod iss;
#[cfg(feature = "socket-tcp-listener")]
pub(crate) mod listener;
mod output;
pub(crate) use self::output::TcpTransmit;
pub(crate) mod rtt;
#[cfg(feature = "socket-tcp-sack")]
pub(crate) mod sack;
/// Whether SACK is compiled in (`socket-tcp-sack`): without it no SYN
/// offers SACK-permitted and a peer's offer is ignored (RFC 2018 §2: SACK
/// only when both ends sent the option).
pub(crate) const SACK: bool = cfg!(feature = "socket-tcp-sack");
// Without the feature: zero-size stand-ins that never report a block.
#[cfg(not(feature = "socket-tcp-sack"))]
#[path = "sack_off.rs"]
pub(crate) mod sack;

#[cfg(feature = "socket-tcp-listener")]
pub use self::listener::{Listener, ListenerCounters, ListenerError, ListenerSlot};

#[cfg(test)]
mod tests;

use self::congestion::Congestion;
use self::rtt::{RttEstimator, RttSampler};
use self::sack::SackState;
use crate::storage::Assembler;

/// A TCP byte buffer.
pub type SocketBuffer<'a> = RingBuffer<'a, u8>;

/// The states of RFC 9293 §3.3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum State {
    /// No connection.
    Closed,
    /// Waiting for a SYN.
    Listen,
    /// SYN sent, waiting for SYN-ACK.
    SynSent,
    /// SYN received, SYN-ACK sent.
    SynReceived,
    /// Open.
    Established,
    /// We closed first; FIN sent.
    FinWait1,
    /// Our FIN was acknowledged; waiting for the peer's.
    FinWait2,
    /// Both closed at once; waiting for the ACK of our FIN.
    Closing,
    /// Waiting 2 MSL after closing.
    TimeWait,
    /// The peer closed first; we may still send.
    CloseWait,
    /// We closed after the peer; waiting for the ACK of our FIN.
    LastAck,
}

impl State {
    /// The states that send data (and a queued FIN) from the send buffer
    /// (RFC 9293 §3.10.4: SEND is valid in ESTABLISHED and CLOSE-WAIT; what
    /// was queued before CLOSE still goes out in FIN-WAIT-1, CLOSING and
    /// LAST-ACK).
    pub(crate) fn may_send_data(self) -> bool {
        matches!(
            self,
            State::Established
                | State::CloseWait
                | State::FinWait1
                | State::Closing
                | State::LastAck
        )
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            State::Closed => "CLOSED",
            State::Listen => "LISTEN",
            State::SynSent => "SYN-SENT",
            State::SynReceived => "SYN-RECEIVED",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN-WAIT-1",
            State::FinWait2 => "FIN-WAIT-2",
            State::Closing => "CLOSING",
            State::TimeWait => "TIME-WAIT",
            State::CloseWait => "CLOSE-WAIT",
            State::LastAck => "LAST-ACK",
        };
        f.write_str(s)
    }
}

/// Why a connection ended abnormally (the errno Linux would report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TcpError {
    /// The peer reset the connection (`ECONNRESET`), or refused it
    /// (`ECONNREFUSED`) in SYN-SENT.
    Reset,
    /// The connection was refused: RST or ICMP unreachable in SYN-SENT.
    Refused,
    /// Retransmissions or the user timeout ran out (`ETIMEDOUT`).
    TimedOut,
    /// Keep-alive probes went unanswered (`ETIMEDOUT`).
    KeepAliveTimedOut,
    /// An ICMP error ended the connection (`EHOSTUNREACH` ...).
    Unreachable,
}

/// Why `listen` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ListenError {
    /// The socket is not closed.
    InvalidState,
    /// Port 0.
    Unaddressable,
}

/// Why `connect` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ConnectError {
    /// The socket is not closed.
    InvalidState,
    /// Unspecified or multicast remote address, or port 0.
    Unaddressable,
}

/// Why `send` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SendError {
    /// The connection cannot take data (not open, or closed for writing).
    InvalidState,
}

/// Why `recv` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecvError {
    /// The connection is not in a state that can receive.
    InvalidState,
    /// The peer closed its side and every byte has been read.
    Finished,
}

/// A snapshot of a connection, like Linux's `struct tcp_info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TcpInfo {
    /// The state.
    pub state: State,
    /// Smoothed round-trip time, if measured.
    pub rtt: Option<Duration>,
    /// Round-trip time variation.
    pub rttvar: Duration,
    /// Current retransmission timeout.
    pub rto: Duration,
    /// Congestion window, bytes.
    pub cwnd: usize,
    /// Slow-start threshold, bytes.
    pub ssthresh: usize,
    /// Sender MSS.
    pub mss: usize,
    /// The peer's window, bytes (scaled).
    pub snd_wnd: usize,
    /// Bytes in flight.
    pub in_flight: usize,
    /// Segments retransmitted.
    pub retransmits: u64,
    /// Retransmission timeouts.
    pub rto_events: u64,
    /// Fast retransmits.
    pub fast_retransmits: u64,
    /// Bytes of data sent, retransmissions included.
    pub bytes_sent: u64,
    /// Bytes acknowledged by the peer.
    pub bytes_acked: u64,
    /// Bytes received in order.
    pub bytes_received: u64,
}

/// The counters of [`TcpInfo`], all the socket keeps of it (the rest of
/// the snapshot is read from the live state when asked for).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TcpStats {
    pub(crate) retransmits: u64,
    pub(crate) rto_events: u64,
    pub(crate) fast_retransmits: u64,
    pub(crate) bytes_sent: u64,
    pub(crate) bytes_acked: u64,
    pub(crate) bytes_received: u64,
}

/// Out-of-order ranges a connection tracks (more holes: the segment is
/// dropped and resent by the peer).
pub(crate) const ASSEMBLER_RANGES: usize = 8;

/// Default MSS when the peer sends no MSS option (RFC 9293 §3.7.1: 536
/// for IPv4; RFC 8200 §8.3: 1220 for IPv6).
pub(crate) const DEFAULT_MSS_V4: usize = 536;
pub(crate) const DEFAULT_MSS_V6: usize = 1220;
/// Linux `tcp_fin_timeout`-independent 2*MSL for TIME-WAIT (60 s).
pub(crate) const TIME_WAIT: Duration = Duration::from_secs(60);
/// Delayed-ACK timer (RFC 9293 §3.8.6.3: less than 0.5 s; Linux 40 ms
/// minimum, 200 ms max). We use 40 ms.
pub(crate) const ACK_DELAY: Duration = Duration::from_millis(40);
/// The largest window scale (RFC 7323 §2.3).
pub(crate) const MAX_WINDOW_SCALE: u8 = 14;

/// The RTO bounds of `config` (`tcp_rto_min_us`, `tcp_rto_max_ms`).
/// The time `boundary` + 1 retransmission timeouts take when the first is
/// `tcp_rto_min` and each doubles up to `tcp_rto_max` (RFC 1122 §4.2.3.5:
/// R2 is a time; Linux turns `tcp_retries2` into this time, 924.6 s for
/// 15 with the default bounds, whatever the RTO of the path).
pub(crate) fn retries_budget(config: &TcpConfig, boundary: u8) -> Duration {
    let (min, max) = rto_bounds(config);
    let max = max.max(min);
    let mut rto = min;
    let mut total = Duration::ZERO;
    for _ in 0..=boundary {
        total += rto;
        rto = (rto + rto).min(max);
    }
    total
}

fn rto_bounds(config: &TcpConfig) -> (Duration, Duration) {
    (
        Duration::from_micros(u64::from(config.rto_min_us)),
        Duration::from_millis(u64::from(config.rto_max_ms)),
    )
}

/// A fresh RTT estimator: RFC 6298 §2.1's initial 1 s within the bounds of
/// `config`.
fn rtt_estimator(config: &TcpConfig) -> RttEstimator {
    let (min, max) = rto_bounds(config);
    RttEstimator::new(rtt::INITIAL_RTO, min, max)
}

/// The TCP timestamp clock: milliseconds (RFC 7323 §5.4: 1 ms to 1 s per
/// tick).
pub(crate) fn ts_clock(now: Instant) -> u32 {
    now.total_millis() as u32
}

/// Options a SYN carried, remembered until the handshake completes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PeerOptions {
    pub(crate) mss: Option<u16>,
    pub(crate) window_scale: Option<u8>,
    pub(crate) sack_permitted: bool,
    pub(crate) timestamps: bool,
}

/// Pending output decisions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pending {
    /// An ACK must go out now (out-of-order data, duplicate, window
    /// update, challenge ACK).
    pub(crate) ack_now: bool,
    /// An ACK is owed, sent at the delayed-ACK deadline or with data.
    pub(crate) ack_delayed: Option<Instant>,
    /// Full-sized segments received since the last ACK (RFC 9293
    /// §3.8.6.3: ACK at least every second full segment).
    pub(crate) unacked_segments: u32,
    /// A RST must be sent (abort).
    pub(crate) rst: bool,
    /// Resend the first unacknowledged segment (fast retransmit, NewReno
    /// partial ACK) without rewinding `snd_nxt`.
    pub(crate) retransmit_one: bool,
}

/// A TCP socket.
#[derive(Debug)]
pub struct Socket<'a> {
    pub(crate) state: State,
    pub(crate) rx_buffer: SocketBuffer<'a>,
    pub(crate) tx_buffer: SocketBuffer<'a>,
    pub(crate) listen_endpoint: IpListenEndpoint,
    pub(crate) local: IpEndpoint,
    pub(crate) remote: IpEndpoint,
    pub(crate) hop_limit: Option<u8>,
    // Send sequence space (RFC 9293 §3.3.1).
    pub(crate) iss: TcpSeqNumber,
    pub(crate) snd_una: TcpSeqNumber,
    pub(crate) snd_nxt: TcpSeqNumber,
    /// The highest sequence number sent (snd_nxt goes back on RTO).
    pub(crate) snd_max: TcpSeqNumber,
    pub(crate) snd_wnd: usize,
    pub(crate) max_snd_wnd: usize,
    pub(crate) snd_wl1: TcpSeqNumber,
    pub(crate) snd_wl2: TcpSeqNumber,
    pub(crate) snd_wnd_shift: u8,
    // Receive sequence space.
    pub(crate) irs: TcpSeqNumber,
    pub(crate) rcv_nxt: TcpSeqNumber,
    pub(crate) rcv_wnd_shift: u8,
    /// The right edge we last advertised (never shrink it, RFC 9293
    /// §3.8.6.2.2).
    pub(crate) rcv_adv: TcpSeqNumber,
    /// RCV.NXT as our last ACK carried it: RFC 7323 §4.3 Last.ACK.sent.
    pub(crate) last_ack_sent: TcpSeqNumber,
    pub(crate) peer: PeerOptions,
    pub(crate) sack_ok: bool,
    pub(crate) ts_ok: bool,
    pub(crate) ts_recent: u32,
    pub(crate) ts_recent_at: Instant,
    /// Our MSS to the peer (what it may send us).
    pub(crate) local_mss: usize,
    /// The largest segment payload received so far (Linux's `rcv_mss`
    /// estimate of the peer's full-sized segment).
    pub(crate) rcv_mss: usize,
    /// The sender MSS (what we send).
    pub(crate) mss: usize,
    /// The device's TCP segmentation offload limit (the largest IP
    /// packet it cuts into segments itself; 0: none), set by the
    /// interface before each dispatch.
    pub(crate) tso_max_size: usize,
    pub(crate) assembler: Assembler<ASSEMBLER_RANGES>,
    /// Octets of the segment being processed that `prewrite_payload`
    /// already copied into the receive buffer's free space (checksum
    /// verified); 0 outside of one `deliver_tcp`.
    pub(crate) rx_prewritten: usize,
    /// The sender's SACK scoreboard: ranges the peer reported received,
    /// as offsets from snd_una (RFC 6675 §3, the part loss recovery needs).
    pub(crate) scoreboard: sack::Scoreboard,
    /// The end of the last retransmission in this recovery (RFC 6675
    /// HighRxt).
    pub(crate) high_rxt: TcpSeqNumber,
    pub(crate) sack: SackState,
    pub(crate) rtt: RttEstimator,
    pub(crate) rtt_sampler: RttSampler,
    /// The timestamp clock at the last retransmission timeout and the
    /// highest sequence number sent then, until it is acknowledged: an
    /// echo of an older TSval is no RTT sample (see `ack_advanced`).
    pub(crate) rto_echo_floor: Option<(u32, TcpSeqNumber)>,
    pub(crate) cc: Congestion,
    pub(crate) dup_acks: u32,
    /// Our FIN is queued (after the buffered data).
    pub(crate) fin_queued: bool,
    /// The sequence number our FIN took, once sent.
    pub(crate) fin_seq: Option<TcpSeqNumber>,
    /// The peer's FIN has been received (and acknowledged).
    pub(crate) fin_received: bool,
    pub(crate) pending: Pending,
    /// The retransmission timer (RFC 6298 §5).
    pub(crate) rtx_at: Option<Instant>,
    pub(crate) retransmissions: u32,
    /// When the oldest unacknowledged data of the current run of
    /// retransmission timeouts was sent (the RTO that first fired, back
    /// from its expiry); `tcp_retries2` is a time from here.
    pub(crate) rtx_start: Option<Instant>,
    /// The persist timer (zero-window probing, RFC 9293 §3.8.6.1).
    pub(crate) persist_at: Option<Instant>,
    pub(crate) persist_backoff: u32,
    /// TIME-WAIT end.
    pub(crate) time_wait_until: Option<Instant>,
    pub(crate) keep_alive: Option<Duration>,
    /// Keep-alive was turned on with the configured idle time
    /// (`tcp_keepalive_time`), not one of the application's.
    pub(crate) keep_alive_default: bool,
    /// The `net.ipv4.tcp_*` knobs this connection runs with (retries,
    /// RTO bounds, keep-alive), taken from the interface when it opens.
    pub(crate) config: TcpConfig,
    pub(crate) keep_alive_at: Option<Instant>,
    pub(crate) keep_alive_probes: u32,
    pub(crate) timeout: Option<Duration>,
    pub(crate) last_activity: Instant,
    pub(crate) last_send: Instant,
    pub(crate) nagle: bool,
    pub(crate) error: Option<TcpError>,
    pub(crate) soft_error: Option<IcmpError>,
    /// Challenge ACKs sent in the current second (RFC 5961 §7).
    pub(crate) challenge_acks: (Instant, u32),
    pub(crate) info: TcpStats,
    pub(crate) now: Instant,
}

impl<'a> Socket<'a> {
    /// A closed socket over `rx_buffer` and `tx_buffer`.
    pub fn new<R, T>(rx_buffer: R, tx_buffer: T) -> Socket<'a>
    where
        R: Into<SocketBuffer<'a>>,
        T: Into<SocketBuffer<'a>>,
    {
        let unspecified = IpEndpoint::new(IpAddr::V4(core::net::Ipv4Addr::UNSPECIFIED), 0);
        let zero = TcpSeqNumber(0);
        Socket {
            state: State::Closed,
            rx_buffer: rx_buffer.into(),
            tx_buffer: tx_buffer.into(),
            listen_endpoint: IpListenEndpoint::default(),
            local: unspecified,
            remote: unspecified,
            hop_limit: None,
            iss: zero,
            snd_una: zero,
            snd_nxt: zero,
            snd_max: zero,
            snd_wnd: 0,
            max_snd_wnd: 0,
            snd_wl1: zero,
            snd_wl2: zero,
            snd_wnd_shift: 0,
            irs: zero,
            rcv_nxt: zero,
            rcv_wnd_shift: 0,
            rcv_adv: zero,
            last_ack_sent: zero,
            peer: PeerOptions::default(),
            sack_ok: false,
            ts_ok: false,
            ts_recent: 0,
            ts_recent_at: Instant::ZERO,
            local_mss: DEFAULT_MSS_V4,
            rcv_mss: 0,
            mss: DEFAULT_MSS_V4,
            tso_max_size: 0,
            assembler: Assembler::new(),
            rx_prewritten: 0,
            scoreboard: sack::Scoreboard::new(),
            high_rxt: zero,
            sack: SackState::new(),
            rtt: rtt_estimator(&TcpConfig::default()),
            rtt_sampler: RttSampler::new(),
            rto_echo_floor: None,
            cc: Congestion::new(DEFAULT_MSS_V4, congestion::initial_window(DEFAULT_MSS_V4)),
            dup_acks: 0,
            fin_queued: false,
            fin_seq: None,
            fin_received: false,
            pending: Pending::default(),
            rtx_at: None,
            retransmissions: 0,
            rtx_start: None,
            persist_at: None,
            persist_backoff: 0,
            time_wait_until: None,
            keep_alive: None,
            keep_alive_default: false,
            config: TcpConfig::default(),
            keep_alive_at: None,
            keep_alive_probes: 0,
            timeout: None,
            last_activity: Instant::ZERO,
            last_send: Instant::ZERO,
            nagle: true,
            error: None,
            soft_error: None,
            challenge_acks: (Instant::ZERO, 0),
            info: TcpStats::default(),
            now: Instant::ZERO,
        }
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The local endpoint (the address is unspecified until connected).
    pub fn local_endpoint(&self) -> Option<IpEndpoint> {
        (self.local.port != 0).then_some(self.local)
    }

    /// The remote endpoint, once there is one.
    pub fn remote_endpoint(&self) -> Option<IpEndpoint> {
        (self.remote.port != 0).then_some(self.remote)
    }

    /// The endpoint listened on.
    pub fn listen_endpoint(&self) -> IpListenEndpoint {
        self.listen_endpoint
    }

    /// Why the connection ended, if it ended badly (taken once).
    pub fn take_error(&mut self) -> Option<TcpError> {
        self.error.take()
    }

    /// The last soft ICMP error (RFC 5927 §4: reported, not fatal).
    pub fn take_soft_error(&mut self) -> Option<IcmpError> {
        self.soft_error.take()
    }

    /// Whether `send` can queue data.
    pub fn may_send(&self) -> bool {
        matches!(self.state, State::Established | State::CloseWait) && !self.fin_queued
    }

    /// Whether data can still arrive.
    pub fn may_recv(&self) -> bool {
        matches!(
            self.state,
            State::Established | State::FinWait1 | State::FinWait2
        ) || !self.rx_buffer.is_empty()
    }

    /// Whether `send` would take at least one byte now.
    pub fn can_send(&self) -> bool {
        self.may_send() && !self.tx_buffer.is_full()
    }

    /// Whether `recv` would return at least one byte now.
    pub fn can_recv(&self) -> bool {
        !self.rx_buffer.is_empty()
    }

    /// Whether the connection is open or opening (not closed, listening or
    /// in TIME-WAIT).
    pub fn is_active(&self) -> bool {
        !matches!(self.state, State::Closed | State::Listen | State::TimeWait)
    }

    /// Whether the socket listens.
    pub fn is_listening(&self) -> bool {
        self.state == State::Listen
    }

    /// Bytes queued to send (unsent and unacknowledged).
    pub fn send_queue(&self) -> usize {
        self.tx_buffer.len()
    }

    /// Bytes waiting to be read.
    pub fn recv_queue(&self) -> usize {
        self.rx_buffer.len()
    }

    /// Disable (`true`) or enable Nagle's algorithm (RFC 9293 §3.7.4).
    pub fn set_nodelay(&mut self, nodelay: bool) {
        self.nagle = !nodelay;
    }

    /// Whether Nagle's algorithm is off.
    pub fn nodelay(&self) -> bool {
        !self.nagle
    }

    /// Send keep-alive probes after `interval` of silence (RFC 9293
    /// §3.8.4: off by default, at least two hours if on; we let the
    /// application choose, as Linux does).
    pub fn set_keep_alive(&mut self, interval: Option<Duration>) {
        self.keep_alive_default = false;
        self.keep_alive = interval;
        self.keep_alive_at = interval.map(|i| self.now + i);
    }

    /// Send keep-alive probes after the configured idle time
    /// (`net.ipv4.tcp_keepalive_time`, 2 hours by default, RFC 1122
    /// §4.2.3.6), like `SO_KEEPALIVE` on Linux.
    pub fn enable_keep_alive(&mut self) {
        let idle = Duration::from_secs(u64::from(self.config.keepalive_time_s));
        self.set_keep_alive(Some(idle));
        self.keep_alive_default = true;
    }

    /// Whether a segment has been retransmitted `net.ipv4.tcp_retries1`
    /// times without an acknowledgment (RFC 1122 §4.2.3.5: the R1
    /// threshold; TCP "SHOULD inform the application of the delivery
    /// problem" before R2 ends the connection).
    pub fn delivery_problem(&self) -> bool {
        self.retransmissions > 0
            && self.retransmissions >= u32::from(self.config.retries1)
            && !matches!(self.state, State::Closed | State::Listen)
    }

    /// Take the interface's `net.ipv4.tcp_*` knobs (done when a connection
    /// opens: `tcp_connect`, or a SYN reaching a listening socket).
    pub(crate) fn configure(&mut self, config: &TcpConfig) {
        self.config = *config;
        let (min, max) = rto_bounds(config);
        self.rtt.set_bounds(min, max);
        if self.keep_alive_default {
            let idle = Duration::from_secs(u64::from(config.keepalive_time_s));
            self.keep_alive = Some(idle);
            self.keep_alive_at = Some(self.now + idle);
        }
    }

    /// Abort the connection when data stays unacknowledged for `timeout`
    /// (RFC 9293 §3.8.3 user timeout).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// The TTL / hop limit of outgoing segments.
    pub fn set_hop_limit(&mut self, hop_limit: Option<u8>) {
        self.hop_limit = hop_limit.filter(|&h| h != 0);
    }

    /// A snapshot of the connection.
    pub fn info(&self) -> TcpInfo {
        let s = self.info;
        TcpInfo {
            state: self.state,
            rtt: self.rtt.srtt(),
            rttvar: self.rtt.rttvar(),
            rto: self.rtt.rto(),
            cwnd: self.cc.cwnd(),
            ssthresh: self.cc.ssthresh(),
            mss: self.mss,
            snd_wnd: self.snd_wnd,
            in_flight: self.in_flight(),
            retransmits: s.retransmits,
            rto_events: s.rto_events,
            fast_retransmits: s.fast_retransmits,
            bytes_sent: s.bytes_sent,
            bytes_acked: s.bytes_acked,
            bytes_received: s.bytes_received,
        }
    }

    /// Listen for a connection on `endpoint` (one connection per socket;
    /// a `Listener` keeps a backlog of them).
    pub fn listen<T: Into<IpListenEndpoint>>(&mut self, endpoint: T) -> Result<(), ListenError> {
        let endpoint = endpoint.into();
        if endpoint.port == 0 {
            return Err(ListenError::Unaddressable);
        }
        if self.state != State::Closed {
            return Err(ListenError::InvalidState);
        }
        self.reset_connection();
        self.listen_endpoint = endpoint;
        self.set_state(State::Listen);
        Ok(())
    }

    /// Open a connection from `local` to `remote` (active open, RFC 9293
    /// §3.10.1). `iss` comes from the socket set's RFC 6528 generator.
    pub(crate) fn connect_with_iss(
        &mut self,
        now: Instant,
        remote: IpEndpoint,
        local: IpEndpoint,
        iss: TcpSeqNumber,
        mss: usize,
    ) -> Result<(), ConnectError> {
        if self.state != State::Closed {
            return Err(ConnectError::InvalidState);
        }
        if remote.port == 0
            || local.port == 0
            || remote.addr.is_unspecified()
            || remote.addr.is_multicast()
        {
            return Err(ConnectError::Unaddressable);
        }
        self.reset_connection();
        self.now = now;
        self.local = local;
        self.remote = remote;
        self.listen_endpoint = IpListenEndpoint {
            addr: Some(local.addr),
            port: local.port,
        };
        // RFC 9293 §3.7.1: the SYN offers the MSS our route allows (the
        // peer's SYN-ACK may lower what we send, never what we offer).
        self.local_mss = mss;
        self.set_mss(mss);
        // RFC 9293 §3.7.1: the MSS option of our SYN is what the route
        // allows us to receive.
        self.local_mss = mss;
        self.iss = iss;
        self.snd_una = iss;
        self.snd_nxt = iss;
        self.snd_max = iss;
        self.last_activity = now;
        self.set_state(State::SynSent);
        Ok(())
    }

    /// Queue `data` to send; returns how many bytes were taken.
    pub fn send_slice(&mut self, data: &[u8]) -> Result<usize, SendError> {
        if !self.may_send() {
            return Err(SendError::InvalidState);
        }
        // Nothing unacknowledged: no sequence number maps into the buffer.
        self.tx_buffer.rewind_if_empty();
        Ok(self.tx_buffer.enqueue_slice(data))
    }

    /// Let `f` write into the free part of the send buffer (zero copy); it
    /// returns how many bytes it wrote.
    pub fn send<F, R>(&mut self, f: F) -> Result<R, SendError>
    where
        F: FnOnce(&mut [u8]) -> (usize, R),
    {
        if !self.may_send() {
            return Err(SendError::InvalidState);
        }
        self.tx_buffer.rewind_if_empty();
        Ok(self.tx_buffer.enqueue_many_with(f).1)
    }

    /// Copy received bytes into `buf`; returns how many.
    pub fn recv_slice(&mut self, buf: &mut [u8]) -> Result<usize, RecvError> {
        self.check_recv()?;
        let n = self.rx_buffer.dequeue_slice(buf);
        if n > 0 {
            self.after_read();
        }
        Ok(n)
    }

    /// Let `f` read from the received bytes in place (zero copy); it
    /// returns how many bytes it consumed.
    pub fn recv<F, R>(&mut self, f: F) -> Result<R, RecvError>
    where
        F: FnOnce(&mut [u8]) -> (usize, R),
    {
        self.check_recv()?;
        let (n, r) = self.rx_buffer.dequeue_many_with(f);
        if n > 0 {
            self.after_read();
        }
        Ok(r)
    }

    fn check_recv(&self) -> Result<(), RecvError> {
        if !self.rx_buffer.is_empty() {
            return Ok(());
        }
        if self.fin_received {
            return Err(RecvError::Finished);
        }
        match self.state {
            State::Closed | State::Listen | State::SynSent | State::SynReceived => {
                Err(RecvError::InvalidState)
            }
            _ => Ok(()),
        }
    }

    /// After the application read: a window update may be due (receiver
    /// SWS avoidance, RFC 9293 §3.8.6.2.2: only when the window opens by
    /// min(half the buffer, one MSS)), and it goes out on its own only when
    /// it at least doubles what the peer may still send (as Linux's
    /// `tcp_cleanup_rbuf`): a peer with ample window left learns the new
    /// one from the next ACK its data draws, so a read after every batch
    /// of segments does not add a second ACK to the one the batch got.
    fn after_read(&mut self) {
        // All read and nothing held out of order (its place in the free
        // space is relative to the read position): the next data goes to
        // the start of the buffer again, still in cache.
        if self.assembler.is_empty() {
            self.rx_buffer.rewind_if_empty();
        }
        let window = self.rcv_window();
        let remaining = self.advertised_window_remaining();
        let opened = window.saturating_sub(remaining);
        let threshold = (self.rx_buffer.capacity() / 2).min(self.local_mss);
        if opened >= threshold && threshold > 0 && window >= remaining.saturating_mul(2) {
            self.pending.ack_now = true;
        }
    }

    /// Close the sending direction (FIN after the queued data, RFC 9293
    /// §3.10.4).
    pub fn close(&mut self) {
        match self.state {
            State::Listen | State::SynSent => self.set_state(State::Closed),
            State::SynReceived | State::Established => {
                self.fin_queued = true;
                self.set_state(State::FinWait1);
            }
            State::CloseWait => {
                self.fin_queued = true;
                self.set_state(State::LastAck);
            }
            _ => {}
        }
    }

    /// Abort: send RST (in synchronized states) and forget the connection
    /// (RFC 9293 §3.10.5).
    pub fn abort(&mut self) {
        if matches!(
            self.state,
            State::SynReceived
                | State::Established
                | State::FinWait1
                | State::FinWait2
                | State::CloseWait
        ) {
            self.pending.rst = true;
        } else {
            self.set_state(State::Closed);
        }
    }

    // ---- internals ----

    pub(crate) fn set_state(&mut self, state: State) {
        if self.state != state {
            net_trace!("tcp {}: {} -> {}", self.local.port, self.state, state);
        }
        self.state = state;
        if state == State::Closed {
            self.rtx_at = None;
            self.persist_at = None;
            self.keep_alive_at = None;
            self.time_wait_until = None;
            self.pending = Pending::default();
        }
    }

    /// Forget everything about a previous connection.
    pub(crate) fn reset_connection(&mut self) {
        let rx = core::mem::replace(&mut self.rx_buffer, RingBuffer::new(&mut [][..]));
        let tx = core::mem::replace(&mut self.tx_buffer, RingBuffer::new(&mut [][..]));
        let (keep_alive, timeout, nagle, hop_limit) =
            (self.keep_alive, self.timeout, self.nagle, self.hop_limit);
        let (config, keep_alive_default) = (self.config, self.keep_alive_default);
        *self = Socket::new(rx, tx);
        self.rx_buffer.clear();
        self.tx_buffer.clear();
        self.config = config;
        self.keep_alive_default = keep_alive_default;
        self.rtt = rtt_estimator(&config);
        self.keep_alive = keep_alive;
        self.timeout = timeout;
        self.nagle = nagle;
        self.hop_limit = hop_limit;
    }

    /// The path towards the peer takes packets of at most `mtu` bytes
    /// (RFC 1191 §6.2 / RFC 8201 §5.2; an ICMP error, or a path MTU the
    /// interface already knew when a segment did not fit): segments are
    /// resized to it and what is in flight is sent again from SND.UNA.
    pub(crate) fn follow_path_mtu(&mut self, mtu: usize) {
        let overhead = if self.remote.addr.is_ipv6() { 60 } else { 40 };
        let new_mss = mtu.saturating_sub(overhead);
        if new_mss >= 64 && new_mss < self.mss {
            self.set_mss(new_mss);
            self.snd_nxt = self.snd_una;
        }
    }

    /// Use `mss` as the sender MSS (and the congestion controller's).
    pub(crate) fn set_mss(&mut self, mss: usize) {
        let mss = mss.max(64);
        self.mss = mss;
        if self.info.bytes_sent == 0 {
            // Nothing sent yet: start from the initial window of this MSS
            // (RFC 6928).
            self.cc = Congestion::new(mss, congestion::initial_window(mss));
        } else {
            self.cc.set_mss(mss);
        }
    }

    /// Bytes sent and not yet acknowledged.
    pub(crate) fn in_flight(&self) -> usize {
        let d = self.snd_nxt - self.snd_una;
        usize::try_from(d).unwrap_or(0)
    }

    /// The receive window: free buffer space (RFC 9293 §3.8.6.2).
    pub(crate) fn rcv_window(&self) -> usize {
        self.rx_buffer.window()
    }

    /// The receive fast path's first half, run by the interface before
    /// [`Socket::process`]: when the segment is the next one expected
    /// (`seq` is RCV.NXT), nothing is held out of order, the connection
    /// takes data (RFC 9293 §3.10.7.4, "process the segment text":
    /// ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2) and the payload fits the
    /// window, the payload is copied into the free space where
    /// `take_data` enqueues in-order data and checksummed in the same pass
    /// (one read of the frame instead of a check and then a copy).
    ///
    /// Returns the folded sum of `init` (pseudo-header and TCP header) and
    /// the payload, `0xffff` when the checksum verifies, or `None` when the
    /// segment does not qualify (the caller verifies it the usual way).
    /// Nothing is marked received: only a verified copy is remembered, for
    /// `take_data` to mark if `process` accepts the segment; the interface
    /// forgets it after `process` ([`Socket::forget_prewrite`]). The bytes
    /// of a segment that fails or is refused stay in free space, which
    /// holds nothing (no out-of-order data) and is overwritten later.
    pub(crate) fn prewrite_payload(
        &mut self,
        seq: TcpSeqNumber,
        payload: &[u8],
        init: u64,
    ) -> Option<u16> {
        if payload.is_empty()
            || seq != self.rcv_nxt
            || !self.assembler.is_empty()
            || !matches!(
                self.state,
                State::Established | State::FinWait1 | State::FinWait2
            )
            || payload.len() > self.rx_buffer.window()
        {
            return None;
        }
        let (first, second) = self.rx_buffer.unallocated_mut(0, payload.len());
        let sum = crate::wire::checksum::copy_split_and_finish(init, first, second, payload);
        if sum == 0xffff {
            self.rx_prewritten = payload.len();
        }
        Some(sum)
    }

    /// Forget a copy `prewrite_payload` made (after `process`, whether or
    /// not `take_data` used it).
    #[inline]
    pub(crate) fn forget_prewrite(&mut self) {
        self.rx_prewritten = 0;
    }

    /// What is left of the window we last advertised.
    pub(crate) fn advertised_window_remaining(&self) -> usize {
        usize::try_from(self.rcv_adv - self.rcv_nxt).unwrap_or(0)
    }

    /// Record an ICMP error about this connection (RFC 5927 §4.1: check
    /// the sequence number; RFC 1122 §4.2.3.9: hard errors only abort a
    /// connection that is being opened).
    pub(crate) fn on_icmp_error(&mut self, error: IcmpError, seq: TcpSeqNumber) {
        // RFC 5927 §4.1: the quoted sequence number must be in flight.
        if !(seq.ge(self.snd_una) && seq.lt(self.snd_max.max(self.snd_una + 1))) {
            return;
        }
        use super::IcmpErrorKind as K;
        match error.kind {
            K::PacketTooBig(mtu) => self.follow_path_mtu(mtu as usize),
            K::PortUnreachable | K::ProtocolUnreachable if self.state == State::SynSent => {
                // RFC 1122 §4.2.3.9: hard errors abort a connection attempt.
                self.error = Some(TcpError::Refused);
                self.set_state(State::Closed);
            }
            _ => self.soft_error = Some(error),
        }
    }
}
