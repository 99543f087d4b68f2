//! A listening socket with an accept backlog and SYN cookies (RFC 9293
//! §3.10.7.2, RFC 4987 §3.6).
//!
//! A [`Listener`] is bound to an endpoint and owns nothing but bookkeeping:
//! the connections themselves live in ordinary TCP sockets the application
//! created in the same [`SocketSet`] and handed to the listener as *spares*
//! ([`SocketSet::add_spare`]). Each slot of the listener's caller-supplied
//! storage is one of:
//!
//! * free;
//! * a spare: a CLOSED socket waiting for a SYN;
//! * in the SYN queue: the spare took a SYN and is in SYN-RECEIVED (the
//!   socket sends and retransmits the SYN-ACK itself);
//! * in the accept queue: the handshake completed, the connection waits
//!   for [`SocketSet::accept`], which hands connections out in the order
//!   they were established.
//!
//! The number of slots is the backlog. The SYN queue is bounded by the
//! smaller of the listener's own bound ([`Listener::set_syn_backlog`]) and
//! `net.ipv4.tcp_max_syn_backlog`.
//!
//! When a SYN finds no spare, or the SYN queue full, the listener answers
//! with a SYN cookie (`net.ipv4.tcp_syncookies` = 1, as Linux; 2 answers
//! every SYN with one, 0 drops the SYN): a SYN-ACK whose ISS encodes the
//! connection's parameters, keeping no state (RFC 4987 §3.6). The final ACK
//! hands the cookie back; if it decodes and a spare is free by then, the
//! connection is created directly in ESTABLISHED (taking any data the ACK
//! carries), else the ACK is dropped and counted (Linux
//! `tcp_abort_on_overflow` = 0: the peer retransmits and may find a spare
//! later). A cookie that does not decode is answered with a RST, as RFC
//! 9293 §3.10.7.2 answers any ACK reaching a LISTEN socket.
//!
//! A cookie connection negotiates no timestamps (the SYN-ACK carries none,
//! so RFC 7323 §3.2 leaves them off); window scaling and SACK survive in
//! the cookie. The window and window scale the cookie SYN-ACK offers come
//! from the spares' receive buffers (the smallest buffer's size, the
//! largest buffer's shift), so any spare can take the connection later.
//!
//! Re-arming: the application gives an accepted socket back with
//! [`SocketSet::add_spare`] once it is CLOSED again, or adds fresh ones.

use managed::ManagedSlice;

use super::iss::{CookieOptions, SynCookies};
use super::{DEFAULT_MSS_V4, DEFAULT_MSS_V6, ListenError, PeerOptions, Reply, Socket, State};
use crate::socket::Socket as AnySocketKind;
use crate::socket::{AnySocket, IpEndpoint, IpListenEndpoint, IpMeta, SocketHandle, SocketSet};
use crate::time::{Duration, Instant};
use crate::wire::tcp::{Control, Repr, TcpSeqNumber};

/// The window a cookie SYN-ACK offers before any spare told us a buffer
/// size.
const COOKIE_WINDOW_DEFAULT: u16 = 4096;

/// How long after the last cookie was sent returning ACKs are checked for
/// one: the whole acceptance window (RFC 4987 §3.6; Linux likewise checks
/// cookies only after a recent overflow, so an ACK flood cannot grind
/// through the MAC space at other times).
const COOKIE_CHECK_WINDOW: Duration =
    Duration::from_secs(64 * (super::iss::COOKIE_MAX_AGE_PERIODS + 1));

/// What a listener slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotState {
    Free,
    /// A CLOSED socket waiting for a SYN.
    Spare(SocketHandle),
    /// In the SYN queue (SYN-RECEIVED).
    SynReceived(SocketHandle),
    /// In the accept queue; `order` is when it got there.
    Established(SocketHandle, u64),
}

/// One slot of a listener's backlog. Create storage with
/// `[ListenerSlot::EMPTY; N]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenerSlot {
    state: SlotState,
}

impl ListenerSlot {
    /// A free slot.
    pub const EMPTY: ListenerSlot = ListenerSlot {
        state: SlotState::Free,
    };
}

impl Default for ListenerSlot {
    fn default() -> Self {
        ListenerSlot::EMPTY
    }
}

/// What a listener counted (Linux's `TcpExt` names in brackets).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ListenerCounters {
    /// SYNs that reached the listener.
    pub syns_received: u64,
    /// SYNs that found the SYN queue full or no spare
    /// (`ListenOverflows`).
    pub syn_queue_overflows: u64,
    /// SYNs dropped: overflow with SYN cookies off (`ListenDrops`).
    pub syns_dropped: u64,
    /// SYN-ACKs sent with a cookie (`SyncookiesSent`).
    pub cookies_sent: u64,
    /// ACKs whose cookie decoded (`SyncookiesRecv`).
    pub cookies_validated: u64,
    /// ACKs whose cookie did not decode, answered with a RST
    /// (`SyncookiesFailed`).
    pub cookies_failed: u64,
    /// Valid cookies dropped because no spare was free.
    pub cookies_no_spare: u64,
    /// Half-open connections that ended before the handshake completed
    /// (RST, SYN-ACK retransmissions exhausted); their spare is reused.
    pub handshake_failures: u64,
    /// Connections handed out by `accept`.
    pub accepts: u64,
}

/// Why [`SocketSet::add_spare`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ListenerError {
    /// A handle does not name a live socket.
    InvalidHandle,
    /// The listener handle is not a listener, or the spare is not a TCP
    /// socket.
    WrongType,
    /// The spare is not CLOSED.
    NotClosed,
    /// Every slot of the backlog is in use.
    Full,
    /// The socket is already one of this listener's.
    Duplicate,
}

/// A TCP listener: see the module documentation.
#[derive(Debug)]
pub struct Listener<'a> {
    endpoint: IpListenEndpoint,
    listening: bool,
    slots: ManagedSlice<'a, ListenerSlot>,
    syn_backlog: usize,
    next_order: u64,
    /// The smallest and largest receive buffer among the spares given.
    min_rx: Option<usize>,
    max_rx: usize,
    last_cookie_sent: Option<Instant>,
    counters: ListenerCounters,
}

impl<'a> Listener<'a> {
    /// A closed listener whose backlog is `storage`
    /// (`[ListenerSlot::EMPTY; N]`, or a `Vec`).
    pub fn new<S: Into<ManagedSlice<'a, ListenerSlot>>>(storage: S) -> Listener<'a> {
        let mut slots = storage.into();
        for s in slots.iter_mut() {
            *s = ListenerSlot::EMPTY;
        }
        let syn_backlog = slots.len();
        Listener {
            endpoint: IpListenEndpoint::default(),
            listening: false,
            slots,
            syn_backlog,
            next_order: 0,
            min_rx: None,
            max_rx: 0,
            last_cookie_sent: None,
            counters: ListenerCounters::default(),
        }
    }

    /// Listen on `endpoint` (any local address when it has none).
    pub fn listen<T: Into<IpListenEndpoint>>(&mut self, endpoint: T) -> Result<(), ListenError> {
        let endpoint = endpoint.into();
        if endpoint.port == 0 {
            return Err(ListenError::Unaddressable);
        }
        if self.listening {
            return Err(ListenError::InvalidState);
        }
        self.endpoint = endpoint;
        self.listening = true;
        Ok(())
    }

    /// Stop taking SYNs. Connections already queued can still be accepted;
    /// the spares stay the listener's until it listens again or is removed
    /// (then the application owns them, by the handles it kept).
    pub fn close(&mut self) {
        self.listening = false;
    }

    /// Whether it takes SYNs.
    pub fn is_listening(&self) -> bool {
        self.listening
    }

    /// The endpoint listened on.
    pub fn endpoint(&self) -> IpListenEndpoint {
        self.endpoint
    }

    /// Bound the SYN queue to `n` half-open connections (default: the
    /// backlog; `net.ipv4.tcp_max_syn_backlog` bounds it too).
    pub fn set_syn_backlog(&mut self, n: usize) {
        self.syn_backlog = n;
    }

    /// The listener's own SYN-queue bound.
    pub fn syn_backlog(&self) -> usize {
        self.syn_backlog
    }

    /// The backlog: how many sockets the listener can hold.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Spares waiting for a SYN (as of the last segment or `accept`).
    pub fn spare_count(&self) -> usize {
        self.count(|s| matches!(s, SlotState::Spare(_)))
    }

    /// Half-open connections (as of the last segment or `accept`).
    pub fn syn_queue_len(&self) -> usize {
        self.count(|s| matches!(s, SlotState::SynReceived(_)))
    }

    /// Established connections waiting for `accept`.
    pub fn accept_queue_len(&self) -> usize {
        self.count(|s| matches!(s, SlotState::Established(..)))
    }

    /// The counters.
    pub fn counters(&self) -> &ListenerCounters {
        &self.counters
    }

    fn count(&self, f: impl Fn(&SlotState) -> bool) -> usize {
        self.slots.iter().filter(|s| f(&s.state)).count()
    }

    /// Whether a segment to `ip.dst_addr` and `repr.dst_port` is ours.
    pub(crate) fn accepts(&self, ip: &IpMeta, repr: &Repr<'_>) -> bool {
        self.listening
            && repr.dst_port == self.endpoint.port
            && self.endpoint.addr.is_none_or(|a| a == ip.dst_addr)
    }

    /// Whether `handle` is one of this listener's half-open connections.
    pub(crate) fn has_syn_received(&self, handle: SocketHandle) -> bool {
        self.slots
            .iter()
            .any(|s| s.state == SlotState::SynReceived(handle))
    }

    /// Record a spare whose receive buffer holds `rx_capacity` bytes.
    fn add_spare(&mut self, handle: SocketHandle, rx_capacity: usize) -> Result<(), ListenerError> {
        if self.slots.iter().any(|s| match s.state {
            SlotState::Free => false,
            SlotState::Spare(h) | SlotState::SynReceived(h) | SlotState::Established(h, _) => {
                h == handle
            }
        }) {
            return Err(ListenerError::Duplicate);
        }
        let slot = self
            .slots
            .iter_mut()
            .find(|s| s.state == SlotState::Free)
            .ok_or(ListenerError::Full)?;
        slot.state = SlotState::Spare(handle);
        self.min_rx = Some(self.min_rx.map_or(rx_capacity, |m| m.min(rx_capacity)));
        self.max_rx = self.max_rx.max(rx_capacity);
        Ok(())
    }

    /// Bring the slots up to date with their sockets: half-open connections
    /// that completed join the accept queue, those that failed become
    /// spares again, sockets the application removed or reused are
    /// forgotten. Cost: the backlog.
    fn refresh(&mut self, sockets: &SocketSet<'_>) {
        for i in 0..self.slots.len() {
            let state = self.slots[i].state;
            let new = match state {
                SlotState::Free => continue,
                SlotState::Spare(h) => match sockets.get::<Socket>(h) {
                    Ok(s) if s.state() == State::Closed => continue,
                    _ => SlotState::Free,
                },
                SlotState::SynReceived(h) => match sockets.get::<Socket>(h) {
                    Ok(s) => self.after_handshake(h, s.state()),
                    Err(_) => SlotState::Free,
                },
                SlotState::Established(h, _) => match sockets.get::<Socket>(h) {
                    Ok(_) => continue,
                    Err(_) => SlotState::Free,
                },
            };
            self.slots[i].state = new;
        }
    }

    /// The slot state of half-open connection `h` now in `state`.
    fn after_handshake(&mut self, h: SocketHandle, state: State) -> SlotState {
        match state {
            State::SynReceived => SlotState::SynReceived(h),
            State::Closed => {
                self.counters.handshake_failures += 1;
                SlotState::Spare(h)
            }
            // Not ours any more (the application reused it).
            State::Listen | State::SynSent => SlotState::Free,
            _ => {
                let order = self.next_order;
                self.next_order += 1;
                SlotState::Established(h, order)
            }
        }
    }

    /// A half-open connection `handle` changed state (the interface calls
    /// this right after the segment that did it, so the accept queue keeps
    /// the order of establishment).
    pub(crate) fn on_child_state(&mut self, handle: SocketHandle, state: State) {
        if let Some(i) = self
            .slots
            .iter()
            .position(|s| s.state == SlotState::SynReceived(handle))
        {
            self.slots[i].state = self.after_handshake(handle, state);
        }
    }

    /// Take the connection established first out of the accept queue.
    fn pop_established(&mut self) -> Option<SocketHandle> {
        let (i, h) = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s.state {
                SlotState::Established(h, order) => Some((order, i, h)),
                _ => None,
            })
            .min()
            .map(|(_, i, h)| (i, h))?;
        self.slots[i].state = SlotState::Free;
        self.counters.accepts += 1;
        Some(h)
    }

    /// The first spare, with its slot.
    fn spare(&self) -> Option<(usize, SocketHandle)> {
        self.slots
            .iter()
            .enumerate()
            .find_map(|(i, s)| match s.state {
                SlotState::Spare(h) => Some((i, h)),
                _ => None,
            })
    }

    /// The window a cookie SYN-ACK offers: the smallest spare buffer, so
    /// any spare can honour it (RFC 9293 §3.8.6.2.2: a window, once
    /// offered, is not shrunk).
    fn cookie_window(&self) -> u16 {
        self.min_rx.map_or(COOKIE_WINDOW_DEFAULT, |m| {
            u16::try_from(m).unwrap_or(u16::MAX)
        })
    }

    /// Our window-scale shift in a cookie SYN-ACK: fixed by the spares,
    /// not by the connection, since nothing is kept (RFC 7323 §2.2).
    fn cookie_window_shift(&self) -> u8 {
        super::input::window_shift_for(self.max_rx)
    }
}

impl<'a> AnySocket<'a> for Listener<'a> {
    fn upcast(self) -> AnySocketKind<'a> {
        AnySocketKind::TcpListener(self)
    }
    fn downcast<'c>(socket: &'c AnySocketKind<'a>) -> Option<&'c Self> {
        match socket {
            AnySocketKind::TcpListener(l) => Some(l),
            _ => None,
        }
    }
    fn downcast_mut<'c>(socket: &'c mut AnySocketKind<'a>) -> Option<&'c mut Self> {
        match socket {
            AnySocketKind::TcpListener(l) => Some(l),
            _ => None,
        }
    }
}

/// What the interface knows about a segment that reached a listener.
#[derive(Debug, Clone)]
pub(crate) struct ListenerInput {
    pub(crate) now: Instant,
    /// The ISS for a new connection on this 4-tuple (RFC 6528).
    pub(crate) iss: TcpSeqNumber,
    /// The MSS our route to the peer allows.
    pub(crate) route_mss: usize,
    pub(crate) cookies: SynCookies,
    /// `net.ipv4.tcp_syncookies`.
    pub(crate) syncookies: u8,
    /// `net.ipv4.tcp_max_syn_backlog`.
    pub(crate) max_syn_backlog: usize,
    /// The `net.ipv4.tcp_*` knobs a connection opened here runs with.
    pub(crate) tcp: crate::config::TcpConfig,
}

/// A segment the interface must send in answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListenerReply {
    /// A RST built from the received segment.
    Rst(Reply),
    /// A stateless SYN-ACK carrying a cookie.
    SynAck(Repr<'static>),
}

/// Hand a segment that matched no connection to listener `listener`.
pub(crate) fn process(
    sockets: &mut SocketSet<'_>,
    listener: usize,
    ip: &IpMeta,
    repr: &Repr<'_>,
    input: &ListenerInput,
) -> Option<ListenerReply> {
    sockets
        .with_listener(listener, |l, sockets| {
            on_segment(l, sockets, ip, repr, input)
        })
        .flatten()
}

fn on_segment(
    l: &mut Listener<'_>,
    sockets: &mut SocketSet<'_>,
    ip: &IpMeta,
    repr: &Repr<'_>,
    input: &ListenerInput,
) -> Option<ListenerReply> {
    match (repr.control, repr.ack_number) {
        // RFC 9293 §3.10.7.2: "An incoming RST segment could not be valid
        // ... ignored."
        (Control::Rst, _) => None,
        (Control::Syn, None) => on_syn(l, sockets, ip, repr, input),
        // "Any acknowledgment is bad if it arrives on a connection still
        // in the LISTEN state" — unless it returns a SYN cookie (RFC 4987
        // §3.6), which only a SYN (not a SYN-ACK) can have been given.
        (Control::None | Control::Fin, Some(_)) => on_ack(l, sockets, ip, repr, input),
        (_, Some(_)) => Reply::rst_for(repr).map(ListenerReply::Rst),
        // "Any other control or text-bearing segment ... drop it".
        _ => None,
    }
}

/// A SYN: a spare takes it, else a cookie answers it (RFC 4987 §3.6).
fn on_syn(
    l: &mut Listener<'_>,
    sockets: &mut SocketSet<'_>,
    ip: &IpMeta,
    repr: &Repr<'_>,
    input: &ListenerInput,
) -> Option<ListenerReply> {
    l.counters.syns_received += 1;
    l.refresh(sockets);
    let bound = l.syn_backlog.min(input.max_syn_backlog);
    let queue_full = l.syn_queue_len() >= bound;
    let spare = l.spare();
    if input.syncookies < 2
        && !queue_full
        && let Some((slot, h)) = spare
        && let Ok(s) = sockets.get_mut::<Socket>(h)
    {
        // The spare becomes the half-open connection: LISTEN, then the
        // SYN through the ordinary RFC 9293 §3.10.7.2 path; the socket
        // sends (and retransmits) its SYN-ACK.
        if s.listen(l.endpoint).is_ok() {
            s.configure(&input.tcp);
            let reply = s.process(input.now, ip, repr, input.iss, input.route_mss);
            l.slots[slot].state = SlotState::SynReceived(h);
            // SYN-RECEIVED for a SYN without ACK; anything else is booked
            // where it belongs.
            l.on_child_state(h, s.state());
            return reply.map(ListenerReply::Rst);
        }
        l.slots[slot].state = SlotState::Free;
    }
    if queue_full || spare.is_none() {
        l.counters.syn_queue_overflows += 1;
    }
    if input.syncookies == 0 {
        l.counters.syns_dropped += 1;
        return None;
    }
    Some(ListenerReply::SynAck(cookie_syn_ack(l, ip, repr, input)))
}

/// The stateless SYN-ACK of RFC 4987 §3.6: `SEQ = cookie`, the options
/// agreed (MSS, window scale and SACK when the SYN offered them; no
/// timestamps, which would need state to echo).
fn cookie_syn_ack(
    l: &mut Listener<'_>,
    ip: &IpMeta,
    repr: &Repr<'_>,
    input: &ListenerInput,
) -> Repr<'static> {
    let local = IpEndpoint::new(ip.dst_addr, repr.dst_port);
    let remote = IpEndpoint::new(ip.src_addr, repr.src_port);
    // RFC 9293 §3.7.1: without the option the peer takes 536 (IPv4) or
    // 1220 (IPv6, RFC 8200 §8.3).
    let default_mss = if ip.src_addr.is_ipv6() {
        DEFAULT_MSS_V6
    } else {
        DEFAULT_MSS_V4
    };
    let peer_mss = repr
        .max_seg_size
        .unwrap_or(u16::try_from(default_mss).unwrap_or(536));
    let options = CookieOptions {
        window_scale: repr.window_scale,
        sack_permitted: super::SACK && repr.sack_permitted,
        ecn: false,
    };
    let (cookie, _) =
        input
            .cookies
            .encode(input.now, local, remote, repr.seq_number, peer_mss, options);
    l.counters.cookies_sent += 1;
    l.last_cookie_sent = Some(input.now);
    Repr {
        src_port: repr.dst_port,
        dst_port: repr.src_port,
        control: Control::Syn,
        psh: false,
        seq_number: cookie,
        ack_number: Some(repr.seq_number + 1),
        // RFC 7323 §2.2: the window of a SYN-ACK is never scaled.
        window_len: l.cookie_window(),
        urgent_at: None,
        ece: false,
        cwr: false,
        ae: false,
        // RFC 7323 §2.2: a SYN-ACK carries Window Scale only if the SYN did.
        window_scale: repr.window_scale.map(|_| l.cookie_window_shift()),
        max_seg_size: Some(u16::try_from(input.route_mss).unwrap_or(u16::MAX)),
        // RFC 2018 §2: SACK-permitted only in answer to it.
        sack_permitted: super::SACK && repr.sack_permitted,
        sack_ranges: [None; 4],
        timestamp: None,
        fast_open_cookie: None,
        accecn: None,
        payload: &[],
    }
}

/// An ACK for no connection: the end of a cookie handshake, or a RST.
fn on_ack(
    l: &mut Listener<'_>,
    sockets: &mut SocketSet<'_>,
    ip: &IpMeta,
    repr: &Repr<'_>,
    input: &ListenerInput,
) -> Option<ListenerReply> {
    let rst = || Reply::rst_for(repr).map(ListenerReply::Rst);
    let ack = repr.ack_number?;
    let checking = input.syncookies > 0
        && l.last_cookie_sent.is_some_and(|t| {
            input.now >= t && input.now.saturating_duration_since(t) < COOKIE_CHECK_WINDOW
        });
    if !checking {
        return rst();
    }
    let local = IpEndpoint::new(ip.dst_addr, repr.dst_port);
    let remote = IpEndpoint::new(ip.src_addr, repr.src_port);
    // RFC 4987 §3.6: the ACK acknowledges cookie + 1 and follows the
    // peer's ISN + 1.
    let irs = repr.seq_number - 1;
    let iss = ack - 1;
    let Some(info) = input.cookies.decode(input.now, local, remote, irs, iss) else {
        l.counters.cookies_failed += 1;
        return rst();
    };
    l.counters.cookies_validated += 1;
    l.refresh(sockets);
    let Some((slot, h)) = l.spare() else {
        l.counters.cookies_no_spare += 1;
        return None;
    };
    let Ok(s) = sockets.get_mut::<Socket>(h) else {
        l.slots[slot].state = SlotState::Free;
        l.counters.cookies_no_spare += 1;
        return None;
    };
    let opened = OpenFromCookie {
        endpoint: l.endpoint,
        local,
        remote,
        irs,
        iss,
        peer: PeerOptions {
            mss: Some(info.mss),
            window_scale: info.options.window_scale,
            sack_permitted: info.options.sack_permitted,
            timestamps: false,
        },
        route_mss: input.route_mss,
        rcv_wnd_shift: l.cookie_window_shift(),
        advertised: usize::from(l.cookie_window()),
    };
    s.configure(&input.tcp);
    s.open_from_cookie(input.now, &opened);
    // The ACK completes the handshake through the ordinary SYN-RECEIVED
    // path (RFC 9293 §3.10.7.4), which also takes any data it carries.
    let reply = s.process(input.now, ip, repr, input.iss, input.route_mss);
    let state = s.state();
    l.slots[slot].state = SlotState::SynReceived(h);
    l.on_child_state(h, state);
    reply.map(ListenerReply::Rst)
}

/// What a valid cookie and its ACK say about a connection.
#[derive(Debug, Clone, Copy)]
struct OpenFromCookie {
    endpoint: IpListenEndpoint,
    local: IpEndpoint,
    remote: IpEndpoint,
    irs: TcpSeqNumber,
    iss: TcpSeqNumber,
    peer: PeerOptions,
    route_mss: usize,
    rcv_wnd_shift: u8,
    advertised: usize,
}

impl Socket<'_> {
    /// Rebuild the SYN-RECEIVED state a cookie SYN-ACK stood for, as if
    /// this socket had sent it: the ACK that follows then completes the
    /// handshake through `process`.
    fn open_from_cookie(&mut self, now: Instant, o: &OpenFromCookie) {
        self.reset_connection();
        self.now = now;
        self.listen_endpoint = o.endpoint;
        self.local = o.local;
        self.remote = o.remote;
        self.irs = o.irs;
        self.rcv_nxt = o.irs + 1;
        self.last_ack_sent = self.rcv_nxt;
        self.iss = o.iss;
        self.snd_una = o.iss;
        // The SYN-ACK is "sent": nothing to retransmit, no timer.
        self.snd_nxt = o.iss + 1;
        self.snd_max = o.iss + 1;
        self.peer = o.peer;
        self.local_mss = o.route_mss;
        // RFC 9293 §3.7.1: the cookie's MSS class, at most our route's.
        let peer_mss = o.peer.mss.map_or(DEFAULT_MSS_V4, usize::from);
        self.set_mss(peer_mss.min(o.route_mss));
        // RFC 7323 §2.2: scaling only when the SYN offered it, with the
        // shift the SYN-ACK announced.
        match o.peer.window_scale {
            Some(ws) => {
                self.snd_wnd_shift = ws.min(super::MAX_WINDOW_SCALE);
                self.rcv_wnd_shift = o.rcv_wnd_shift;
            }
            None => {
                self.snd_wnd_shift = 0;
                self.rcv_wnd_shift = 0;
            }
        }
        self.sack_ok = super::SACK && o.peer.sack_permitted;
        self.ts_ok = false;
        self.rcv_adv = self.rcv_nxt + o.advertised.min(self.rx_buffer.capacity());
        self.last_activity = now;
        self.last_send = now;
        self.set_state(State::SynReceived);
    }
}

impl<'a> SocketSet<'a> {
    /// Give listener `listener` the CLOSED TCP socket `spare` to take a
    /// connection with.
    pub fn add_spare(
        &mut self,
        listener: SocketHandle,
        spare: SocketHandle,
    ) -> Result<(), ListenerError> {
        let rx_capacity = {
            let s = self.get::<Socket>(spare).map_err(set_error)?;
            if s.state() != State::Closed {
                return Err(ListenerError::NotClosed);
            }
            s.rx_buffer.capacity()
        };
        self.get_mut::<Listener>(listener)
            .map_err(set_error)?
            .add_spare(spare, rx_capacity)
    }

    /// The connection that completed its handshake first among those
    /// `listener` holds, now the application's; `None` when there is none
    /// (or `listener` is not a listener).
    pub fn accept(&mut self, listener: SocketHandle) -> Option<SocketHandle> {
        let i = self
            .get::<Listener>(listener)
            .ok()
            .map(|_| listener.index())?;
        self.with_listener(i, |l, sockets| {
            l.refresh(sockets);
            l.pop_established()
        })
        .flatten()
    }
}

fn set_error(e: crate::socket::SetError) -> ListenerError {
    match e {
        crate::socket::SetError::WrongType => ListenerError::WrongType,
        _ => ListenerError::InvalidHandle,
    }
}

/// Tell the listener on `port` holding half-open connection `handle` that
/// it is now in `state`.
pub(crate) fn child_changed(
    sockets: &mut SocketSet<'_>,
    port: u16,
    handle: SocketHandle,
    state: State,
) {
    let found = sockets.tcp_listen_slots(port).find(|&i| {
        matches!(sockets.get_slot(i), Some(AnySocketKind::TcpListener(l)) if l.has_syn_received(handle))
    });
    if let Some(i) = found
        && let Some(AnySocketKind::TcpListener(l)) = sockets.slot_mut(i)
    {
        l.on_child_state(handle, state);
    }
}

#[cfg(all(test, feature = "socket-udp"))]
mod tests;
