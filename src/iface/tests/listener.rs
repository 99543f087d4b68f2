//! A TCP listener between two interfaces: many clients at once, accept
//! order, SYN-queue overflow answered with SYN cookies (RFC 4987 §3.6),
//! forged cookies refused, accepted sockets independent, re-arming.

use core::net::{IpAddr, Ipv4Addr};
use std::vec;
use std::vec::Vec;

use super::device::TestDevice;
use crate::iface::Interface;
use crate::socket::tcp::{Listener, ListenerSlot, Socket as TcpSocket, State};
use crate::socket::{IpEndpoint, SocketHandle, SocketSet};
use crate::storage::RingBuffer;
use crate::time::{Duration, Instant};
use crate::wire::tcp::{Control, Repr as TcpRepr, TcpSeqNumber};
use crate::wire::{Checksum, EthernetAddress, IpProtocol, Ipv4Cidr, ethernet, ipv4};

const A_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0xa]);
const B_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0xb]);
const A_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub(super) const B_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
pub(super) const PORT: u16 = 7000;

pub(super) struct Node {
    pub(super) iface: Interface<'static>,
    pub(super) dev: TestDevice,
    pub(super) sockets: SocketSet<'static>,
}

fn node(mac: EthernetAddress, ip: Ipv4Addr) -> Node {
    let dev = TestDevice::ethernet(1500);
    let mut iface = super::device::test_iface(dev.caps, mac);
    iface.add_ipv4_addr(Ipv4Cidr::new(ip, 24).unwrap()).unwrap();
    Node {
        iface,
        dev,
        sockets: SocketSet::new(Vec::new()),
    }
}

pub(super) fn tcp(rx: usize, tx: usize) -> TcpSocket<'static> {
    TcpSocket::new(
        RingBuffer::new(vec![0u8; rx]),
        RingBuffer::new(vec![0u8; tx]),
    )
}

/// Frames in flight; `filter` may drop or record each (`true`: deliver).
pub(super) type Filter<'f> = &'f mut dyn FnMut(bool, &[u8]) -> bool;

pub(super) struct Pair {
    pub(super) a: Node,
    pub(super) b: Node,
    pub(super) now: Instant,
}

impl Pair {
    pub(super) fn new() -> Pair {
        Pair {
            a: node(A_MAC, A_IP),
            b: node(B_MAC, B_IP),
            now: Instant::ZERO,
        }
    }

    /// A listener on B with `backlog` slots and `spares` spare sockets.
    pub(super) fn listener(&mut self, backlog: usize, spares: usize, buf: usize) -> SocketHandle {
        let l = self
            .b
            .sockets
            .add(Listener::new(vec![ListenerSlot::EMPTY; backlog]))
            .unwrap();
        self.b
            .sockets
            .get_mut::<Listener>(l)
            .unwrap()
            .listen(PORT)
            .unwrap();
        for _ in 0..spares {
            self.spare(l, buf);
        }
        l
    }

    fn spare(&mut self, l: SocketHandle, buf: usize) -> SocketHandle {
        let s = self.b.sockets.add(tcp(buf, buf)).unwrap();
        self.b.sockets.add_spare(l, s).unwrap();
        s
    }

    /// Resolve the neighbours both ways (a connection attempt to a closed
    /// port, answered with a RST), so that a burst of SYNs is not held
    /// back by ARP's queue of three (RFC 1122 §2.3.2.2).
    pub(super) fn warm_up(&mut self) {
        let h = self.a.sockets.add(tcp(64, 64)).unwrap();
        self.a
            .iface
            .tcp_connect(
                self.now,
                &mut self.a.sockets,
                h,
                IpEndpoint::new(IpAddr::V4(B_IP), 9),
                None,
            )
            .unwrap();
        self.run(Duration::from_secs(1), &mut pass, |p| {
            p.a_sock(h).state() == State::Closed
        });
        self.a.sockets.remove(h).unwrap();
    }

    /// A client socket on A connecting to the listener now.
    pub(super) fn client(&mut self, buf: usize) -> SocketHandle {
        let h = self.a.sockets.add(tcp(buf, buf)).unwrap();
        self.a
            .iface
            .tcp_connect(
                self.now,
                &mut self.a.sockets,
                h,
                IpEndpoint::new(IpAddr::V4(B_IP), PORT),
                None,
            )
            .unwrap();
        h
    }

    fn listener_ref(&self, l: SocketHandle) -> &Listener<'static> {
        self.b.sockets.get::<Listener>(l).unwrap()
    }

    pub(super) fn a_sock(&mut self, h: SocketHandle) -> &mut TcpSocket<'static> {
        self.a.sockets.get_mut::<TcpSocket>(h).unwrap()
    }

    fn b_sock(&mut self, h: SocketHandle) -> &mut TcpSocket<'static> {
        self.b.sockets.get_mut::<TcpSocket>(h).unwrap()
    }

    /// Poll both, move frames through `filter`, advance the clock; until
    /// `step` says done or `limit` passes (then panic).
    pub(super) fn run(
        &mut self,
        limit: Duration,
        filter: Filter<'_>,
        mut step: impl FnMut(&mut Pair) -> bool,
    ) {
        let end = self.now + limit;
        loop {
            self.a
                .iface
                .poll(self.now, &mut self.a.dev, &mut self.a.sockets);
            self.b
                .iface
                .poll(self.now, &mut self.b.dev, &mut self.b.sockets);
            if step(self) {
                return;
            }
            assert!(
                self.now < end,
                "not done within {limit}: a {:?}\nb {:?}",
                self.a.iface.counters(),
                self.b.iface.counters()
            );
            let mut moved = false;
            for f in self.a.dev.take_tx() {
                moved = true;
                if filter(true, &f) {
                    self.b.dev.rx.push_back(f);
                }
            }
            for f in self.b.dev.take_tx() {
                moved = true;
                if filter(false, &f) {
                    self.a.dev.rx.push_back(f);
                }
            }
            if moved {
                // Frames in flight: a link delay of 100 µs.
                self.now += Duration::from_micros(100);
                continue;
            }
            let next = [
                self.a.iface.poll_at(self.now, &mut self.a.sockets),
                self.b.iface.poll_at(self.now, &mut self.b.sockets),
            ]
            .into_iter()
            .flatten()
            .min();
            self.now = match next {
                Some(t) if t > self.now => t.min(end),
                _ => self.now + Duration::from_millis(1),
            };
        }
    }
}

pub(super) fn pass(_: bool, _: &[u8]) -> bool {
    true
}

/// The TCP segment inside an Ethernet/IPv4 frame, if it is one.
pub(super) fn tcp_of(frame: &[u8]) -> Option<TcpRepr<'_>> {
    let f = ethernet::Frame::new_checked(frame).ok()?;
    if f.ethertype() != Some(ethernet::EtherType::Ipv4) {
        return None;
    }
    let p = ipv4::Packet::new_checked(&frame[14..]).ok()?;
    let ip = ipv4::Repr::parse(&p, Checksum::Both).ok()?;
    if ip.protocol != IpProtocol::Tcp {
        return None;
    }
    let hl = usize::from(p.header_len());
    let seg = &frame[14 + hl..14 + hl + ip.payload_len];
    let t = crate::wire::tcp::Packet::new_checked(seg).ok()?;
    TcpRepr::parse(
        &t,
        &IpAddr::V4(ip.src_addr),
        &IpAddr::V4(ip.dst_addr),
        Checksum::Both,
    )
    .ok()
}

/// A frame from A to B carrying `repr`.
fn frame_a_to_b(repr: &TcpRepr<'_>) -> Vec<u8> {
    let mut seg = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut crate::wire::tcp::Packet::new_unchecked(&mut seg[..]),
        &IpAddr::V4(A_IP),
        &IpAddr::V4(B_IP),
        Checksum::Both,
    );
    let ip = super::ipv4::ipv4_packet(A_IP, B_IP, IpProtocol::Tcp, &seg);
    super::device::eth(B_MAC, A_MAC, ethernet::EtherType::Ipv4, &ip)
}

fn ack_segment(src_port: u16, seq: TcpSeqNumber, ack: TcpSeqNumber) -> TcpRepr<'static> {
    TcpRepr {
        src_port,
        dst_port: PORT,
        control: Control::None,
        psh: false,
        seq_number: seq,
        ack_number: Some(ack),
        window_len: 1024,
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
    }
}

/// Client `k`'s bytes: a pattern no other client sends.
fn pattern(k: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + k * 101 + i / 7) as u8).collect()
}

/// Every client sends its pattern and closes; every accepted socket echoes
/// what it reads with its index appended, reads until FIN and closes.
/// Checks each client got its own bytes back.
fn exchange(p: &mut Pair, clients: &[SocketHandle], accepted: &[SocketHandle], len: usize) {
    let data: Vec<Vec<u8>> = (0..clients.len()).map(|k| pattern(k, len)).collect();
    let mut sent = vec![0usize; clients.len()];
    let mut got_back: Vec<Vec<u8>> = vec![Vec::new(); clients.len()];
    let mut echoed = vec![0usize; accepted.len()];
    let mut pending: Vec<Vec<u8>> = vec![Vec::new(); accepted.len()];
    p.run(Duration::from_secs(120), &mut pass, |p| {
        for (k, &c) in clients.iter().enumerate() {
            let s = p.a_sock(c);
            if s.may_send() && sent[k] < len {
                sent[k] += s.send_slice(&data[k][sent[k]..]).unwrap();
            }
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.recv_slice(&mut buf) {
                if n == 0 {
                    break;
                }
                got_back[k].extend_from_slice(&buf[..n]);
            }
        }
        for (j, &h) in accepted.iter().enumerate() {
            let s = p.b_sock(h);
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.recv_slice(&mut buf) {
                if n == 0 {
                    break;
                }
                pending[j].extend_from_slice(&buf[..n]);
            }
            if s.may_send() && !pending[j].is_empty() {
                let n = s.send_slice(&pending[j]).unwrap();
                pending[j].drain(..n);
                echoed[j] += n;
            }
        }
        got_back.iter().all(|g| g.len() == len)
    });
    for k in 0..clients.len() {
        assert!(
            got_back[k] == data[k],
            "client {k} got someone else's bytes"
        );
    }
    assert_eq!(echoed.iter().sum::<usize>(), len * clients.len());
}

/// Accept until `n` connections are out; returns them in accept order.
fn accept_all(p: &mut Pair, l: SocketHandle, n: usize) -> Vec<SocketHandle> {
    let mut out = Vec::new();
    p.run(Duration::from_secs(60), &mut pass, |p| {
        while let Some(h) = p.b.sockets.accept(l) {
            out.push(h);
        }
        out.len() == n
    });
    out
}

fn remote_port(p: &Pair, h: SocketHandle) -> u16 {
    p.b.sockets
        .get::<TcpSocket>(h)
        .unwrap()
        .remote_endpoint()
        .unwrap()
        .port
}

fn local_port(p: &Pair, h: SocketHandle) -> u16 {
    p.a.sockets
        .get::<TcpSocket>(h)
        .unwrap()
        .local_endpoint()
        .unwrap()
        .port
}

#[test]
fn many_clients_at_once_are_accepted_and_independent() {
    let mut p = Pair::new();
    let l = p.listener(16, 16, 8192);
    let clients: Vec<_> = (0..16).map(|_| p.client(8192)).collect();
    let accepted = accept_all(&mut p, l, 16);
    let mut want: Vec<u16> = clients.iter().map(|&c| local_port(&p, c)).collect();
    let mut got: Vec<u16> = accepted.iter().map(|&h| remote_port(&p, h)).collect();
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want, "each client accepted exactly once");
    let lc = *p.listener_ref(l).counters();
    assert_eq!(lc.syns_received, 16);
    assert_eq!(lc.accepts, 16);
    assert_eq!(lc.cookies_sent, 0, "16 spares, no overflow");
    assert_eq!(p.b.sockets.accept(l), None);
    exchange(&mut p, &clients, &accepted, 20_000);
}

#[test]
fn accept_returns_connections_in_order_of_establishment() {
    let mut p = Pair::new();
    let l = p.listener(6, 6, 4096);
    // Clients start 5 ms apart; their handshakes complete in that order.
    let mut clients = Vec::new();
    for _ in 0..6 {
        clients.push(p.client(4096));
        let until = p.now + Duration::from_millis(5);
        p.run(Duration::from_secs(1), &mut pass, |p| p.now >= until);
    }
    let accepted = accept_all(&mut p, l, 6);
    let want: Vec<u16> = clients.iter().map(|&c| local_port(&p, c)).collect();
    let got: Vec<u16> = accepted.iter().map(|&h| remote_port(&p, h)).collect();
    assert_eq!(got, want);
}

#[test]
fn rfc4987_syn_queue_overflow_is_answered_with_cookies() {
    let mut p = Pair::new();
    let l = p.listener(4, 4, 64 * 1024);
    p.b.sockets
        .get_mut::<Listener>(l)
        .unwrap()
        .set_syn_backlog(1);
    p.warm_up();
    let clients: Vec<_> = (0..4).map(|_| p.client(64 * 1024)).collect();
    let accepted = accept_all(&mut p, l, 4);
    let lc = *p.listener_ref(l).counters();
    assert_eq!(lc.syns_received, 4);
    assert_eq!(lc.syn_queue_overflows, 3);
    assert_eq!(lc.cookies_sent, 3);
    assert_eq!(lc.cookies_validated, 3);
    assert_eq!(lc.cookies_failed, 0);
    // Cookie connections: no timestamps, the window scale and SACK kept.
    let cookie_conns = accepted
        .iter()
        .filter(|&&h| !p.b.sockets.get::<TcpSocket>(h).unwrap().ts_ok)
        .count();
    assert_eq!(cookie_conns, 3);
    for &h in &accepted {
        let s = p.b.sockets.get::<TcpSocket>(h).unwrap();
        assert_eq!(s.sack_ok, crate::socket::tcp::SACK);
        assert!(s.rcv_wnd_shift > 0 && s.snd_wnd_shift > 0);
    }
    // A bulk echo with the scaled windows, every connection intact.
    exchange(&mut p, &clients, &accepted, 200_000);
}

#[test]
fn rfc4987_tcp_syncookies_2_answers_every_syn_with_a_cookie() {
    let mut p = Pair::new();
    crate::config::registry::set_str(p.b.iface.config_mut(), "net.ipv4.tcp_syncookies", "2")
        .unwrap();
    let l = p.listener(2, 2, 4096);
    let clients: Vec<_> = (0..2).map(|_| p.client(4096)).collect();
    let accepted = accept_all(&mut p, l, 2);
    let lc = *p.listener_ref(l).counters();
    assert_eq!((lc.cookies_sent, lc.cookies_validated), (2, 2));
    assert_eq!(lc.syn_queue_overflows, 0, "spares were free: no overflow");
    exchange(&mut p, &clients, &accepted, 3000);
}

#[test]
fn tcp_max_syn_backlog_bounds_the_syn_queue() {
    let mut p = Pair::new();
    crate::config::registry::set_str(p.b.iface.config_mut(), "net.ipv4.tcp_max_syn_backlog", "2")
        .unwrap();
    let l = p.listener(5, 5, 4096);
    p.warm_up();
    let _clients: Vec<_> = (0..5).map(|_| p.client(4096)).collect();
    accept_all(&mut p, l, 5);
    let lc = *p.listener_ref(l).counters();
    assert_eq!((lc.cookies_sent, lc.cookies_validated), (3, 3));
}

#[test]
fn cookie_ack_without_spare_is_dropped_until_rearmed() {
    let mut p = Pair::new();
    let l = p.listener(4, 1, 4096);
    let clients: Vec<_> = (0..3).map(|_| p.client(4096)).collect();
    // Clients believe they are connected (cookie SYN-ACKs) and send data
    // at once; only one spare exists.
    let mut sent = [false; 3];
    let mut first = None;
    p.run(Duration::from_secs(5), &mut pass, |p| {
        for (k, &c) in clients.iter().enumerate() {
            let s = p.a_sock(c);
            if !sent[k] && s.may_send() {
                s.send_slice(&pattern(k, 100)).unwrap();
                sent[k] = true;
            }
        }
        if first.is_none() {
            first = p.b.sockets.accept(l);
        }
        first.is_some() && p.listener_ref(l).counters().cookies_no_spare >= 2
    });
    let lc = *p.listener_ref(l).counters();
    assert_eq!(lc.cookies_sent, 2);
    assert_eq!(lc.accepts, 1);
    assert!(
        clients
            .iter()
            .all(|&c| p.a.sockets.get::<TcpSocket>(c).unwrap().state() == State::Established)
    );
    // Re-arm with two fresh spares: the clients' retransmitted data carries
    // the cookie back and creates the connections, data included.
    p.spare(l, 4096);
    p.spare(l, 4096);
    let later = accept_all(&mut p, l, 2);
    let mut all = vec![first.unwrap()];
    all.extend(later);
    let lc = *p.listener_ref(l).counters();
    assert!(lc.cookies_validated >= 4, "{lc:?}");
    p.run(Duration::from_secs(10), &mut pass, |p| {
        all.iter().all(|&h| p.b_sock(h).recv_queue() == 100)
    });
    for &h in &all {
        let port = remote_port(&p, h);
        let k = clients
            .iter()
            .position(|&c| local_port(&p, c) == port)
            .unwrap();
        let mut buf = [0u8; 200];
        let n = p.b_sock(h).recv_slice(&mut buf).unwrap();
        assert_eq!(&buf[..n], &pattern(k, 100)[..]);
    }
}

#[test]
fn rfc4987_forged_cookie_acks_are_reset() {
    let mut p = Pair::new();
    crate::config::registry::set_str(p.b.iface.config_mut(), "net.ipv4.tcp_syncookies", "2")
        .unwrap();
    let l = p.listener(2, 2, 4096);
    let c = p.client(4096);
    // Hold back B's SYN-ACK, noting the cookie and the client's ISN.
    let isn = std::cell::Cell::new(None);
    let cookie = std::cell::Cell::new(None);
    let mut filter = |a_to_b: bool, f: &[u8]| {
        if let Some(t) = tcp_of(f)
            && t.control == Control::Syn
        {
            if a_to_b {
                isn.set(Some(t.seq_number));
            } else {
                cookie.set(Some(t.seq_number));
                return false;
            }
        }
        true
    };
    p.run(Duration::from_secs(1), &mut filter, |_| {
        cookie.get().is_some()
    });
    let (isn, cookie) = (isn.get().unwrap(), cookie.get().unwrap());
    let sport = local_port(&p, c);
    let rsts = p.b.iface.counters().tcp.out_rsts;
    let forged = [
        // Off by one in the cookie.
        ack_segment(sport, isn + 1, cookie + 2),
        // The wrong peer ISN.
        ack_segment(sport, isn + 2, cookie + 1),
        // The genuine cookie replayed from another port.
        ack_segment(sport.wrapping_add(1), isn + 1, cookie + 1),
        // Random guesses.
        ack_segment(40_000, TcpSeqNumber(0x1234_5678), TcpSeqNumber(0x9abc_def0)),
        ack_segment(40_001, TcpSeqNumber(7), TcpSeqNumber(0xffff_ffff)),
    ];
    for seg in &forged {
        p.b.dev.rx.push_back(frame_a_to_b(seg));
    }
    p.b.iface.poll(p.now, &mut p.b.dev, &mut p.b.sockets);
    let lc = *p.listener_ref(l).counters();
    assert_eq!(lc.cookies_failed, forged.len() as u64);
    assert_eq!(lc.cookies_validated, 0);
    assert_eq!(
        p.b.iface.counters().tcp.out_rsts - rsts,
        forged.len() as u64
    );
    let rst_frames: Vec<_> =
        p.b.dev
            .take_tx()
            .into_iter()
            .filter_map(|f| tcp_of(&f).map(|t| (t.control, t.seq_number)))
            .collect();
    // RFC 9293 §3.10.7.2: <SEQ=SEG.ACK><CTL=RST>.
    assert!(rst_frames.contains(&(Control::Rst, cookie + 2)));
    assert_eq!(p.b.sockets.accept(l), None);
    // The genuine ACK still opens the connection.
    p.b.dev
        .rx
        .push_back(frame_a_to_b(&ack_segment(sport, isn + 1, cookie + 1)));
    p.b.iface.poll(p.now, &mut p.b.dev, &mut p.b.sockets);
    assert_eq!(p.listener_ref(l).counters().cookies_validated, 1);
    let h = p.b.sockets.accept(l).expect("cookie connection");
    assert_eq!(remote_port(&p, h), sport);
    assert_eq!(p.b_sock(h).state(), State::Established);
}

#[test]
fn rfc9293_ack_to_listener_without_recent_cookies_is_reset_unchecked() {
    let mut p = Pair::new();
    let l = p.listener(2, 2, 4096);
    p.b.dev.rx.push_back(frame_a_to_b(&ack_segment(
        40_000,
        TcpSeqNumber(1),
        TcpSeqNumber(2),
    )));
    p.b.iface
        .poll(Instant::ZERO, &mut p.b.dev, &mut p.b.sockets);
    let lc = *p.listener_ref(l).counters();
    assert_eq!((lc.cookies_failed, lc.cookies_validated), (0, 0));
    assert_eq!(p.b.iface.counters().tcp.out_rsts, 1);
}

#[test]
fn tcp_syncookies_0_drops_syns_on_overflow() {
    let mut p = Pair::new();
    crate::config::registry::set_str(p.b.iface.config_mut(), "net.ipv4.tcp_syncookies", "0")
        .unwrap();
    let l = p.listener(2, 1, 4096);
    let _c: Vec<_> = (0..2).map(|_| p.client(4096)).collect();
    let first = accept_all(&mut p, l, 1);
    let lc = *p.listener_ref(l).counters();
    assert_eq!(lc.cookies_sent, 0);
    assert!(lc.syns_dropped >= 1 && lc.syn_queue_overflows >= 1);
    // Re-arm: the accepted socket is the application's now; a fresh spare
    // takes the retransmitted SYN.
    p.spare(l, 4096);
    let second = accept_all(&mut p, l, 1);
    assert_ne!(first, second);
}

#[test]
fn accepted_socket_is_rearmed_after_it_closes() {
    let mut p = Pair::new();
    let l = p.listener(1, 1, 4096);
    let c1 = p.client(4096);
    let h = accept_all(&mut p, l, 1)[0];
    // Client closes, server closes after it: the server socket ends CLOSED
    // (LAST-ACK acknowledged); the client waits in TIME-WAIT.
    p.a_sock(c1).close();
    p.run(Duration::from_secs(10), &mut pass, |p| {
        let s = p.b_sock(h);
        if s.state() == State::CloseWait {
            s.close();
        }
        s.state() == State::Closed
    });
    p.b.sockets.add_spare(l, h).unwrap();
    let c2 = p.client(4096);
    let again = accept_all(&mut p, l, 1)[0];
    assert_eq!(again, h, "the same socket serves the next connection");
    assert_eq!(remote_port(&p, again), local_port(&p, c2));
    exchange(&mut p, &[c2], &[again], 5000);
}

#[test]
fn half_open_connection_that_times_out_returns_its_spare() {
    let mut p = Pair::new();
    let l = p.listener(1, 1, 4096);
    let _c = p.client(4096);
    // Only the client's SYN gets through; then A goes silent.
    let mut syns = 0;
    let mut filter = |a_to_b: bool, f: &[u8]| {
        if a_to_b && tcp_of(f).is_some_and(|t| t.control == Control::Syn) {
            syns += 1;
            return syns == 1;
        }
        // B's SYN-ACKs are lost; ARP goes through.
        a_to_b || tcp_of(f).is_none()
    };
    p.run(Duration::from_secs(400), &mut filter, |p| {
        // Each SYN refreshes the books; the accept call does too.
        let _ = p.b.sockets.accept(l);
        p.listener_ref(l).counters().handshake_failures == 1
    });
    assert_eq!(p.listener_ref(l).spare_count(), 1);
    assert_eq!(p.listener_ref(l).syn_queue_len(), 0);
}

#[test]
fn accept_order_follows_handshake_completion_not_syn_arrival() {
    let mut p = Pair::new();
    let l = p.listener(4, 4, 4096);
    p.warm_up();
    let clients: Vec<_> = (0..4).map(|_| p.client(4096)).collect();
    let first_port = local_port(&p, clients[0]);
    // The first client's SYN arrives first, but its final ACK is lost: the
    // SYN-ACK retransmission (RTO) completes its handshake last. The final
    // ACKs that get through are recorded in arrival order.
    let mut dropped = false;
    let completed = std::cell::RefCell::new(Vec::new());
    let mut filter = |a_to_b: bool, f: &[u8]| {
        if a_to_b
            && let Some(t) = tcp_of(f)
            && t.control == Control::None
            && t.ack_number.is_some()
            && !completed.borrow().contains(&t.src_port)
        {
            if t.src_port == first_port && !dropped {
                dropped = true;
                return false;
            }
            completed.borrow_mut().push(t.src_port);
        }
        true
    };
    p.run(Duration::from_secs(10), &mut filter, |p| {
        p.b.sockets
            .iter()
            .filter(|(_, s)| {
                matches!(s, crate::socket::Socket::Tcp(t) if t.state() == State::Established)
            })
            .count()
            == 4
    });
    let accepted = accept_all(&mut p, l, 4);
    let got: Vec<u16> = accepted.iter().map(|&h| remote_port(&p, h)).collect();
    let want = completed.into_inner();
    assert_eq!(want.last(), Some(&first_port));
    assert_eq!(got, want);
}

/// RFC 6191 §2: the server closed first and waits in TIME-WAIT; the
/// client opens again from the same port, its SYN carrying a newer
/// timestamp: the TIME-WAIT ends and the listener takes the SYN.
#[test]
fn rfc6191_syn_with_newer_timestamp_reuses_a_time_wait_tuple() {
    let mut p = Pair::new();
    p.now = Instant::from_secs(10);
    let l = p.listener(2, 2, 4096);
    let c1 = p.client(4096);
    let h = accept_all(&mut p, l, 1)[0];
    let port = local_port(&p, c1);
    p.b_sock(h).close();
    p.run(Duration::from_secs(10), &mut pass, |p| {
        let c = p.a_sock(c1);
        if c.state() == State::CloseWait {
            c.close();
        }
        p.b_sock(h).state() == State::TimeWait && p.a_sock(c1).state() == State::Closed
    });
    // One second later (TIME-WAIT lasts 60 s), the same 4-tuple again.
    let until = p.now + Duration::from_secs(1);
    p.run(Duration::from_secs(2), &mut pass, |p| p.now >= until);
    p.a.sockets.remove(c1).unwrap();
    let c2 = p.a.sockets.add(tcp(4096, 4096)).unwrap();
    p.a.iface
        .tcp_connect(
            p.now,
            &mut p.a.sockets,
            c2,
            IpEndpoint::new(IpAddr::V4(B_IP), PORT),
            Some(port),
        )
        .unwrap();
    let h2 = accept_all(&mut p, l, 1)[0];
    assert_eq!(p.b_sock(h).state(), State::Closed, "TIME-WAIT ended");
    assert_eq!(p.a_sock(c2).state(), State::Established);
    assert_eq!(p.b_sock(h2).state(), State::Established);
    assert_eq!(remote_port(&p, h2), port);
}
