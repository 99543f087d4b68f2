//! TCP simulation tests: two ferrotcp interfaces on a `ferrotcp_phy::sim`
//! link with seeded faults (loss, duplication, reordering, corruption),
//! driven by a virtual clock that jumps to the next event.
//!
//! * A sweep of bulk transfers at 0, 1, 5, 20 and 30% loss, each with and
//!   without reordering, duplication and corruption, over many seeds: every
//!   byte arrives in order, within a bounded virtual time, and both ends
//!   close cleanly (FIN handshake; the active closer goes through TIME-WAIT
//!   to CLOSED, the passive closer through LAST-ACK to CLOSED).
//! * A zero window held for ten virtual minutes: the sender probes it
//!   (persist timer) and the transfer completes once the reader drains.
//! * A peer that vanishes: retransmissions end in `TcpError::TimedOut`; an
//!   idle connection with keep-alive ends in `KeepAliveTimedOut`.
//!
//! `FERROTCP_SIM_SEEDS=n` runs `n` seeds per loss rate (default 40, i.e.
//! 200 in the sweep). Run with `-- --nocapture` to see the per-loss-rate
//! completion times and retransmission counts.
#![cfg(all(
    feature = "std",
    feature = "proto-ipv4",
    feature = "proto-ipv6",
    feature = "socket-tcp",
    feature = "socket-udp"
))]

#[path = "../examples/common/mod.rs"]
mod common;

use std::hash::{DefaultHasher, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ferrotcp::config::Config;
use ferrotcp::device::{Device, DeviceCapabilities, RxToken, TxToken};
use ferrotcp::iface::{Counters, Interface};
use ferrotcp::socket::tcp::{self, RecvError, State, TcpError, TcpInfo};
use ferrotcp::socket::{IpEndpoint, SocketHandle, SocketSet};
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr, Ipv6Cidr};
use ferrotcp_phy::fault::FaultConfig;
use ferrotcp_phy::sim::{SimConfig, SimNetwork, SimPort, SimRxToken, SimTxToken};

const A_MAC: EthernetAddress = EthernetAddress([0x02, 0x78, 0, 0, 0, 1]);
const B_MAC: EthernetAddress = EthernetAddress([0x02, 0x78, 0, 0, 0, 2]);
const A_IP4: Ipv4Addr = Ipv4Addr::new(10, 78, 0, 1);
const B_IP4: Ipv4Addr = Ipv4Addr::new(10, 78, 0, 2);
const A_IP6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x78, 0, 0, 0, 0, 0, 1);
const B_IP6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x78, 0, 0, 0, 0, 0, 2);

/// One-way delay of the simulated link.
const LINK_DELAY: Duration = Duration::from_millis(1);
/// The server's port.
const SERVER_PORT: u16 = 5001;
/// Socket buffers of the bulk transfers.
const BUFFER: usize = 64 * 1024;
/// RFC 9293 §3.4.2: TIME-WAIT lasts 2 MSL (60 s here, as Linux).
const TIME_WAIT: Duration = Duration::from_secs(60);

// ---- a device that can be cut and traced -------------------------------------

/// A TCP segment a node sent, as seen on its wire.
#[derive(Debug, Clone, Copy)]
struct Seg {
    at: Instant,
    seq: u32,
    ack: Option<u32>,
    len: usize,
    syn: bool,
    window: u16,
}

/// The TCP segment in an Ethernet frame, if any (IPv4 or IPv6 without
/// extension headers, which is all this stack sends for TCP).
fn parse_segment(at: Instant, frame: &[u8]) -> Option<Seg> {
    let ethertype = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    let ip = frame.get(14..)?;
    let l4 = match ethertype {
        0x0800 if *ip.get(9)? == 6 => ip.get(usize::from(ip[0] & 0x0f) * 4..)?,
        0x86dd if *ip.get(6)? == 6 => ip.get(40..)?,
        _ => return None,
    };
    let p = ferrotcp::wire::tcp::Packet::new_checked(l4).ok()?;
    Some(Seg {
        at,
        seq: p.seq_number().0,
        ack: p.ack().then(|| p.ack_number().0),
        len: p.payload().len(),
        syn: p.syn(),
        window: p.window_len(),
    })
}

/// A node's port on the simulated network. When `cut`, every frame to or
/// from it is lost (the cable is pulled); when `trace`, the TCP segments it
/// sends are logged; `wire` digests every frame it sends with its instant.
struct Link {
    port: SimPort,
    cut: bool,
    trace: bool,
    log: Vec<Seg>,
    wire: Option<DefaultHasher>,
}

struct LinkTx<'a> {
    inner: Option<SimTxToken<'a>>,
    log: Option<&'a mut Vec<Seg>>,
    wire: Option<&'a mut DefaultHasher>,
    now: Instant,
}

impl TxToken for LinkTx<'_> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let (now, log, wire) = (self.now, self.log, self.wire);
        let record = move |frame: &[u8]| {
            if let Some(wire) = wire {
                wire.write_i64(now.total_micros());
                wire.write(frame);
            }
            if let (Some(log), Some(seg)) = (log, parse_segment(now, frame)) {
                log.push(seg);
            }
        };
        match self.inner {
            Some(tx) => tx.consume(len, |frame| {
                let r = f(frame);
                record(frame);
                r
            }),
            None => {
                let mut frame = vec![0; len];
                let r = f(&mut frame);
                record(&frame);
                r
            }
        }
    }

    fn set_meta(&mut self, meta: ferrotcp::device::TxMeta) {
        // A wrapper that passes on the port's capabilities (TSO) passes on
        // the metadata too, or super-segments reach the link whole.
        if let Some(tx) = &mut self.inner {
            tx.set_meta(meta);
        }
    }
}

impl Link {
    /// The digest of every frame sent (0 unless `WIRE`).
    fn wire_digest(&self) -> u64 {
        self.wire.as_ref().map_or(0, Hasher::finish)
    }
}

impl Device for Link {
    type RxToken<'a> = SimRxToken;
    type TxToken<'a> = LinkTx<'a>;

    fn receive(&mut self, now: Instant) -> Option<(SimRxToken, LinkTx<'_>)> {
        if self.cut {
            // Frames that were on the wire when it was cut are lost.
            while let Some((rx, _)) = self.port.receive(now) {
                rx.consume(|_| ());
            }
            return None;
        }
        let (rx, tx) = self.port.receive(now)?;
        let log = self.trace.then_some(&mut self.log);
        Some((
            rx,
            LinkTx {
                inner: Some(tx),
                log,
                wire: self.wire.as_mut(),
                now,
            },
        ))
    }

    fn transmit(&mut self, now: Instant) -> Option<LinkTx<'_>> {
        let log = self.trace.then_some(&mut self.log);
        let inner = if self.cut {
            None
        } else {
            self.port.transmit(now)
        };
        Some(LinkTx {
            inner,
            log,
            wire: self.wire.as_mut(),
            now,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.port.capabilities()
    }
}

// ---- two stacks ----------------------------------------------------------------

struct Node {
    iface: Interface<'static>,
    dev: Link,
    sockets: SocketSet<'static>,
}

impl Node {
    fn new(
        net: &SimNetwork,
        seed: u64,
        mac: EthernetAddress,
        ip4: Ipv4Addr,
        ip6: Ipv6Addr,
    ) -> Node {
        let port = net.add_port();
        let caps = port.capabilities();
        let mut iface = common::new_interface(Config::with_seed(seed), caps, mac, Instant::ZERO);
        iface.set_tcp_fast_path(FAST_PATH.with(|f| f.get()));
        iface
            .add_ipv4_addr(Ipv4Cidr::new(ip4, 24).unwrap())
            .unwrap();
        iface
            .add_ipv6_addr(common::eui64_link_local_cidr(mac))
            .unwrap();
        iface
            .add_ipv6_addr(Ipv6Cidr::new(ip6, 64).unwrap())
            .unwrap();
        Node {
            iface,
            dev: Link {
                port,
                cut: false,
                trace: false,
                log: Vec::new(),
                wire: WIRE.with(|w| w.get()).then(DefaultHasher::new),
            },
            sockets: SocketSet::new(Vec::new()),
        }
    }

    fn poll(&mut self, now: Instant) {
        self.iface.poll(now, &mut self.dev, &mut self.sockets);
    }

    fn tcp(&mut self, h: SocketHandle) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(h).unwrap()
    }
}

fn tcp_socket(rx: usize, tx: usize) -> tcp::Socket<'static> {
    tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0u8; rx]),
        tcp::SocketBuffer::new(vec![0u8; tx]),
    )
}

std::thread_local! {
    /// This test's links cut TCP super-segments (TSO on both ends).
    static TSO: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
    /// This test's interfaces use header prediction (as by default).
    static FAST_PATH: core::cell::Cell<bool> = const { core::cell::Cell::new(true) };
    /// This test's links digest every frame sent (`Link::wire`).
    static WIRE: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// Whether the links of this test have TCP segmentation offload: set by
/// the `_with_tso` tests, or for every test with `FERROTCP_SIM_TSO=1`.
fn tso() -> bool {
    TSO.with(|t| t.get()) || std::env::var_os("FERROTCP_SIM_TSO").is_some()
}

struct Pair {
    net: SimNetwork,
    a: Node,
    b: Node,
    now: Instant,
}

impl Pair {
    fn new(seed: u64, faults: FaultConfig) -> Pair {
        let net = SimNetwork::new(SimConfig {
            delay: LINK_DELAY,
            bits_per_second: Some(100_000_000),
            faults,
            seed,
            tso: tso(),
            ..SimConfig::default()
        });
        let a = Node::new(&net, seed ^ 0xa, A_MAC, A_IP4, A_IP6);
        let b = Node::new(&net, seed ^ 0xb, B_MAC, B_IP4, B_IP6);
        Pair {
            net,
            a,
            b,
            now: Instant::ZERO,
        }
    }

    /// B listens on `SERVER_PORT`, A connects to it over `family`.
    fn connect(&mut self, v6: bool, rx: usize, tx: usize) -> (SocketHandle, SocketHandle) {
        let mut listener = tcp_socket(rx, tx);
        listener.listen(SERVER_PORT).unwrap();
        let hb = self.b.sockets.add(listener).unwrap();
        let ha = self.a.sockets.add(tcp_socket(rx, tx)).unwrap();
        let dst: IpAddr = if v6 { B_IP6.into() } else { B_IP4.into() };
        self.a
            .iface
            .tcp_connect(
                self.now,
                &mut self.a.sockets,
                ha,
                IpEndpoint::new(dst, SERVER_PORT),
                None,
            )
            .unwrap();
        (ha, hb)
    }

    /// Poll both stacks, call `step`, advance the clock to the next event;
    /// `true` once `step` returns `true`, `false` at `deadline`.
    fn run_until(
        &mut self,
        deadline: Instant,
        mut step: impl FnMut(&mut Node, &mut Node, Instant) -> bool,
    ) -> bool {
        let mut same_instant = 0;
        loop {
            self.a.poll(self.now);
            self.b.poll(self.now);
            if step(&mut self.a, &mut self.b, self.now) {
                return true;
            }
            let next = [
                self.a.iface.poll_at(self.now, &mut self.a.sockets),
                self.b.iface.poll_at(self.now, &mut self.b.sockets),
                self.net.next_delivery(),
            ]
            .into_iter()
            .flatten()
            .min()
            .map(|t| t.max(self.now));
            match next {
                Some(t) if t <= deadline => {
                    if t == self.now {
                        same_instant += 1;
                        assert!(
                            same_instant < 10_000,
                            "the stacks keep asking for a poll at {} without progress",
                            self.now
                        );
                    } else {
                        same_instant = 0;
                        self.now = t;
                    }
                }
                _ => {
                    self.now = self.now.max(deadline);
                    return false;
                }
            }
        }
    }

    fn run_for(
        &mut self,
        d: Duration,
        step: impl FnMut(&mut Node, &mut Node, Instant) -> bool,
    ) -> bool {
        let deadline = self.now + d;
        self.run_until(deadline, step)
    }
}

/// The test data: a seeded byte stream with no short period, so a segment
/// delivered at the wrong offset is caught.
fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn faults(drop: u8, duplicate: u8, reorder: u8, corrupt: u8) -> FaultConfig {
    FaultConfig {
        drop_percent: drop,
        duplicate_percent: duplicate,
        reorder_percent: reorder,
        corrupt_percent: corrupt,
        ..SimConfig::default().faults
    }
}

/// Record `s` in `log` when it differs from the last entry.
fn note_state(log: &mut Vec<State>, s: State) {
    if log.last() != Some(&s) {
        log.push(s);
    }
}

// ---- bulk transfer ----------------------------------------------------------------

/// How one transfer went.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    /// Virtual time at which the reader had every byte.
    data_done: Duration,
    /// Virtual time at which both sockets were CLOSED.
    closed: Duration,
    /// The sender's counters.
    sender: TcpInfo,
    /// The passive closer's last FIN met a closed port (see `transfer`).
    passive_reset: bool,
    /// Digests of every frame A and B sent, with its instant (0 unless
    /// `WIRE`).
    wire: [u64; 2],
    /// A's and B's interface counters at the end.
    counters: [Counters; 2],
    /// A's and B's connection at the end.
    infos: [TcpInfo; 2],
}

/// One transfer of `size` bytes from the client (A) to the server (B), or
/// from the server to the client when `server_sends`; the sender closes
/// when it has queued everything, the reader closes when it reads the end.
/// `None`: the handshake failed (heavy loss only).
fn transfer(
    seed: u64,
    f: FaultConfig,
    size: usize,
    v6: bool,
    server_sends: bool,
    limit: Duration,
) -> Option<Outcome> {
    let ctx = format!(
        "seed {seed}, {}% loss, {}% dup, {}% reorder, {}% corrupt, {size} bytes, {}, {}",
        f.drop_percent,
        f.duplicate_percent,
        f.reorder_percent,
        f.corrupt_percent,
        if v6 { "IPv6" } else { "IPv4" },
        if server_sends {
            "server sends"
        } else {
            "client sends"
        },
    );
    let mut p = Pair::new(seed, f);
    let (ha, hb) = p.connect(v6, BUFFER, BUFFER);
    let data = pattern(seed, size);
    let (mut sent, mut received) = (0usize, 0usize);
    let mut sender_closed = false;
    let mut data_done = None;
    let (mut states_a, mut states_b) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; 16 * 1024];
    let deadline = p.now + limit;
    let ok = p.run_until(deadline, |a, b, now| {
        note_state(&mut states_a, a.tcp(ha).state());
        note_state(&mut states_b, b.tcp(hb).state());
        let (tx, rx) = if server_sends {
            (b.tcp(hb), a.tcp(ha))
        } else {
            (a.tcp(ha), b.tcp(hb))
        };
        // RFC 9293 §3.8.6.2.2: the reader never offers more than its
        // buffer holds.
        let offered = tx.info().snd_wnd;
        assert!(
            offered <= BUFFER,
            "{ctx}: offered window {offered} at {now}"
        );
        if tx.may_send() && sent < size {
            sent += tx.send_slice(&data[sent..]).unwrap();
        }
        if sent == size && !sender_closed && tx.state() == State::Established {
            tx.close();
            sender_closed = true;
        }
        loop {
            match rx.recv_slice(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    assert!(
                        received + n <= size && buf[..n] == data[received..received + n],
                        "{ctx}: bytes {received}..{} differ from what was sent",
                        received + n
                    );
                    received += n;
                    if received == size {
                        data_done = Some(now);
                    }
                }
                Err(RecvError::Finished) => {
                    if rx.state() == State::CloseWait {
                        rx.close();
                    }
                    break;
                }
                Err(RecvError::InvalidState) => break,
            }
        }
        note_state(&mut states_a, a.tcp(ha).state());
        note_state(&mut states_b, b.tcp(hb).state());
        // A side that gave up its handshake is done; the other may sit
        // half-open for good when the RST it was sent is lost (as with
        // Linux: `tcp_synack_retries` 5, and nothing to send).
        let gave_up = |states: &Vec<State>, now_state: State| {
            now_state == State::Closed && !states.contains(&State::Established)
        };
        (a.tcp(ha).state() == State::Closed && b.tcp(hb).state() == State::Closed)
            || gave_up(&states_a, a.tcp(ha).state())
            || gave_up(&states_b, b.tcp(hb).state())
    });
    let (ia, ib) = (p.a.tcp(ha).info(), p.b.tcp(hb).info());
    if !ok {
        println!(
            "ports: A {:?}\nB {:?}\nA {:?}\nB {:?}",
            p.net.port_stats(0),
            p.net.port_stats(1),
            p.a.iface.counters(),
            p.b.iface.counters()
        );
    }
    assert!(
        ok,
        "{ctx}: not closed by {}: got {received} of {size} bytes; A {states_a:?} {ia:?}; B {states_b:?} {ib:?}",
        p.now
    );
    let (ea, eb) = (p.a.tcp(ha).take_error(), p.b.tcp(hb).take_error());
    if !states_a.contains(&State::Established) || !states_b.contains(&State::Established) {
        // RFC 1122 §4.2.3.5 / Linux `tcp_syn_retries`: seven SYNs (or
        // SYN-ACKs) over two minutes, all lost or all their answers: the
        // handshake fails (the side that gave up may reset the other).
        // Only plausible under heavy loss.
        let gave_up = [ea, eb].contains(&Some(TcpError::TimedOut));
        assert!(
            gave_up && f.drop_percent >= 20,
            "{ctx}: the connection never opened: A {states_a:?} {ea:?}; B {states_b:?} {eb:?}"
        );
        return None;
    }
    assert_eq!(
        received, size,
        "{ctx}: every byte arrives: A {states_a:?} {ea:?}; B {states_b:?} {eb:?}"
    );
    let (active_error, passive_error) = if server_sends { (eb, ea) } else { (ea, eb) };
    assert_eq!(active_error, None, "{ctx}: the active closer ends cleanly");
    // When every FIN of the passive closer (backed off to tens of seconds)
    // is lost until the active closer's TIME-WAIT has run out, the next
    // one meets a closed port and is reset (RFC 9293 §3.10.7.4: LAST-ACK
    // takes the RST and closes). Only plausible under heavy loss.
    let passive_reset = passive_error == Some(TcpError::Reset);
    assert!(
        passive_error.is_none() || (passive_reset && f.drop_percent >= 20),
        "{ctx}: the passive closer ended with {passive_error:?}"
    );
    // RFC 9293 §3.6: the side that closes first goes FIN-WAIT-1 ->
    // (FIN-WAIT-2 | CLOSING) -> TIME-WAIT -> CLOSED, the other CLOSE-WAIT
    // -> LAST-ACK -> CLOSED.
    let (active, passive) = if server_sends {
        (&states_b, &states_a)
    } else {
        (&states_a, &states_b)
    };
    let tail = |log: &Vec<State>, n: usize| log[log.len().saturating_sub(n)..].to_vec();
    assert_eq!(
        tail(active, 2),
        [State::TimeWait, State::Closed],
        "{ctx}: active closer {active:?}"
    );
    assert!(
        active.contains(&State::FinWait1),
        "{ctx}: active closer {active:?}"
    );
    assert_eq!(
        tail(passive, 3),
        [State::CloseWait, State::LastAck, State::Closed],
        "{ctx}: passive closer {passive:?}"
    );
    let data_done = data_done.expect("data done before close") - Instant::ZERO;
    Some(Outcome {
        data_done,
        closed: p.now - Instant::ZERO,
        sender: if server_sends { ib } else { ia },
        passive_reset,
        wire: [p.a.dev.wire_digest(), p.b.dev.wire_digest()],
        counters: [*p.a.iface.counters(), *p.b.iface.counters()],
        infos: [ia, ib],
    })
}

/// Seeds per loss rate: `FERROTCP_SIM_SEEDS` or 40.
fn seeds() -> u64 {
    std::env::var("FERROTCP_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40)
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The sweep at one loss rate: half the seeds with loss only, half with
/// 10% reordering, 5% duplication and 2% corruption on top. Families and
/// directions alternate with the seed.
fn sweep(loss: u8, sizes: [usize; 2], median_limit: Duration, data_limit: Duration) {
    let started = std::time::Instant::now();
    let n = seeds();
    let mut rows = Vec::new();
    for mixed in [false, true] {
        let size = sizes[usize::from(mixed)];
        let f = if mixed {
            faults(loss, 5, 10, 2)
        } else {
            faults(loss, 0, 0, 0)
        };
        let mut outcomes = Vec::new();
        let mut connect_failures = 0;
        for seed in (0..n).filter(|s| (s % 2 == 1) == mixed) {
            let seed = seed + 1000 * u64::from(loss);
            // Family and direction vary independently of the fault mix
            // (which follows bit 0).
            let v6 = seed & 2 != 0;
            let server_sends = seed & 4 != 0;
            // Data within `data_limit`, then close: a TIME-WAIT and FIN
            // retransmissions (backed off as far as the data's were).
            let limit = data_limit.saturating_mul(2) + TIME_WAIT.saturating_mul(3);
            let Some(o) = transfer(seed, f, size, v6, server_sends, limit) else {
                connect_failures += 1;
                continue;
            };
            assert!(
                o.data_done <= data_limit,
                "seed {seed}, {loss}% loss: data took {}",
                o.data_done
            );
            assert!(
                o.closed >= o.data_done + TIME_WAIT,
                "seed {seed}: closed at {} before TIME-WAIT ran out",
                o.closed
            );
            if std::env::var_os("FERROTCP_SIM_VERBOSE").is_some() {
                println!(
                    "  seed {seed} {} {}: data {} closed {} {:?}",
                    if v6 { "v6" } else { "v4" },
                    if server_sends { "B->A" } else { "A->B" },
                    o.data_done,
                    o.closed,
                    o.sender
                );
            }
            outcomes.push(o);
        }
        if outcomes.is_empty() {
            continue;
        }
        let mut times: Vec<Duration> = outcomes.iter().map(|o| o.data_done).collect();
        let med = median(&mut times);
        assert!(
            med <= median_limit,
            "{loss}% loss (mixed faults: {mixed}): median completion {med} over {median_limit}"
        );
        let max = *times.last().unwrap();
        let mut rtx: Vec<u64> = outcomes.iter().map(|o| o.sender.retransmits).collect();
        rtx.sort();
        let rto: u64 = outcomes.iter().map(|o| o.sender.rto_events).sum();
        let fast: u64 = outcomes.iter().map(|o| o.sender.fast_retransmits).sum();
        let resets = outcomes.iter().filter(|o| o.passive_reset).count();
        rows.push(format!(
            "loss {loss:>2}%{} {:>3} seeds x {size:>8} B: completion median {med} max {max}; \
             retransmits/transfer median {} max {}; total RTOs {rto}, fast retransmits {fast}; \
             passive closer reset after TIME-WAIT {resets}; handshake timed out {connect_failures}",
            if mixed {
                " +reorder/dup/corrupt"
            } else {
                "                     "
            },
            outcomes.len(),
            rtx[rtx.len() / 2],
            rtx.last().unwrap(),
        ));
    }
    for r in rows {
        println!("{r}");
    }
    println!(
        "loss {loss:>2}%: {n} seeds in {:.2} s wall",
        started.elapsed().as_secs_f64()
    );
}

/// A lossless link: 4 MB in each run arrive intact, at line rate (1 MB
/// when reordering and duplication make the sender retransmit).
#[test]
fn bulk_transfer_sweep_0_percent_loss() {
    sweep(
        0,
        [4 << 20, 1 << 20],
        Duration::from_secs(1),
        Duration::from_secs(5),
    );
}

#[test]
fn bulk_transfer_sweep_1_percent_loss() {
    sweep(
        1,
        [1 << 20, 512 << 10],
        Duration::from_secs(1),
        Duration::from_secs(30),
    );
}

#[test]
fn bulk_transfer_sweep_5_percent_loss() {
    sweep(
        5,
        [256 << 10, 256 << 10],
        Duration::from_secs(1),
        Duration::from_secs(60),
    );
}

#[test]
fn bulk_transfer_sweep_20_percent_loss() {
    sweep(
        20,
        [64 << 10, 64 << 10],
        Duration::from_secs(60),
        Duration::from_secs(7200),
    );
}

/// The sweeps with TCP segmentation offload on both ends: the stacks send
/// super-segments of up to 64 KB, the link cuts them into segments as a
/// kernel's GSO does, and loss, reordering, duplication and corruption hit
/// those segments one by one (a super-segment partly lost, partly SACKed).
#[test]
fn bulk_transfer_sweeps_with_tso() {
    TSO.with(|t| t.set(true));
    sweep(
        0,
        [4 << 20, 1 << 20],
        Duration::from_secs(1),
        Duration::from_secs(5),
    );
    sweep(
        1,
        [1 << 20, 512 << 10],
        Duration::from_secs(1),
        Duration::from_secs(30),
    );
    sweep(
        5,
        [256 << 10, 256 << 10],
        Duration::from_secs(1),
        Duration::from_secs(60),
    );
    sweep(
        20,
        [64 << 10, 64 << 10],
        Duration::from_secs(60),
        Duration::from_secs(7200),
    );
}

#[test]
fn bulk_transfer_sweep_30_percent_loss() {
    sweep(
        30,
        [32 << 10, 32 << 10],
        Duration::from_secs(60),
        Duration::from_secs(7200),
    );
}

// ---- header prediction ---------------------------------------------------------------

/// The receive fast path (header prediction, `src/iface/fastpath.rs`)
/// changes nothing but speed: the same transfers with it on and off, over
/// IPv4 and IPv6, each way, clean and under loss, duplication, reordering
/// and corruption, send the same frames (byte for byte, at the same
/// instants) and end with the same counters and connection state. With it
/// on, a clean transfer takes nearly every data segment that way.
#[test]
fn header_prediction_changes_nothing_on_the_wire() {
    WIRE.with(|w| w.set(true));
    let cases = [
        (faults(0, 0, 0, 0), 1 << 20),
        (faults(1, 1, 1, 1), 512 << 10),
        (faults(5, 2, 5, 2), 256 << 10),
        (faults(20, 2, 5, 2), 64 << 10),
    ];
    let mut hits = 0;
    for seed in 0..3 {
        for (f, size) in cases {
            for (v6, server_sends) in [(false, false), (true, true), (false, true)] {
                let run = |fast: bool| {
                    FAST_PATH.with(|c| c.set(fast));
                    transfer(seed, f, size, v6, server_sends, Duration::from_secs(7200))
                };
                let (on, off) = (run(true), run(false));
                let ctx = format!(
                    "seed {seed}, {}% loss, {size} bytes, {}, server sends: {server_sends}",
                    f.drop_percent,
                    if v6 { "IPv6" } else { "IPv4" }
                );
                let (Some(on), Some(off)) = (on, off) else {
                    assert!(on.is_none() && off.is_none(), "{ctx}: one handshake failed");
                    continue;
                };
                let off_hits: u64 = off.counters.iter().map(|c| c.tcp.hp_hits).sum();
                assert_eq!(off_hits, 0, "{ctx}: the fast path was off");
                let mut counters = on.counters;
                for c in &mut counters {
                    hits += c.tcp.hp_hits;
                    c.tcp.hp_hits = 0;
                }
                assert_eq!(on.wire, off.wire, "{ctx}: the frames sent differ");
                assert_eq!(counters, off.counters, "{ctx}: the counters differ");
                assert_eq!(on.infos, off.infos, "{ctx}: the connections differ");
                if f.drop_percent == 0 {
                    // A clean transfer: every data segment but the first
                    // few (the slow path names the connection) predicted.
                    let reader = &on.counters[usize::from(!server_sends)].tcp;
                    assert!(
                        reader.hp_hits * 10 >= reader.in_segs * 9,
                        "{ctx}: {} of {} segments predicted",
                        reader.hp_hits,
                        reader.in_segs
                    );
                }
            }
        }
    }
    assert!(hits > 0);
}

/// What an [`exchange`] left behind.
#[derive(Debug, PartialEq, Eq)]
struct Exchanged {
    wire: [u64; 2],
    counters: [Counters; 2],
    infos: [TcpInfo; 2],
    /// The instant both were closed.
    closed: Instant,
}

/// Both ends send `size` bytes at once and read the other's, then idle
/// for five seconds with keep-alive probing every second, then close.
/// With or without header prediction (`fast`).
fn exchange(seed: u64, f: FaultConfig, size: usize, v6: bool, fast: bool) -> Exchanged {
    WIRE.with(|w| w.set(true));
    FAST_PATH.with(|c| c.set(fast));
    let mut p = Pair::new(seed, f);
    let (ha, hb) = p.connect(v6, BUFFER, BUFFER);
    let data = pattern(seed, size);
    let mut sent = [0usize; 2];
    let mut got = [0usize; 2];
    let mut idle_since = None;
    let mut keep_alive = [false; 2];
    let mut buf = vec![0u8; 16 * 1024];
    let ok = p.run_for(Duration::from_secs(7200), |a, b, now| {
        let mut done = 0;
        for (i, (tx, rx)) in [(&mut *a, ha), (&mut *b, hb)].into_iter().enumerate() {
            let s = tx.tcp(rx);
            if s.state() == State::Established && !keep_alive[i] {
                s.set_keep_alive(Some(Duration::from_secs(1)));
                keep_alive[i] = true;
            }
            if s.may_send() && sent[i] < size {
                sent[i] += s.send_slice(&data[sent[i]..]).unwrap();
            }
            while let Ok(n) = s.recv_slice(&mut buf) {
                if n == 0 {
                    break;
                }
                assert_eq!(buf[..n], data[got[i]..got[i] + n]);
                got[i] += n;
            }
            done += usize::from(got[i] == size);
        }
        if done == 2 && idle_since.is_none() {
            idle_since = Some(now);
        }
        if idle_since.is_some_and(|t| now >= t + Duration::from_secs(5)) {
            for (n, h) in [(&mut *a, ha), (&mut *b, hb)] {
                if n.tcp(h).state() == State::Established {
                    n.tcp(h).close();
                }
            }
        }
        a.tcp(ha).state() == State::Closed && b.tcp(hb).state() == State::Closed
    });
    assert!(ok, "seed {seed}: exchange not closed: {got:?} of {size}");
    Exchanged {
        wire: [p.a.dev.wire_digest(), p.b.dev.wire_digest()],
        counters: [*p.a.iface.counters(), *p.b.iface.counters()],
        infos: [p.a.tcp(ha).info(), p.b.tcp(hb).info()],
        closed: p.now,
    }
}

/// Header prediction with data both ways (its segments then acknowledge
/// data: the general path's) and idle keep-alive time after: the same
/// frames and state with and without it.
#[test]
fn header_prediction_changes_nothing_in_an_exchange() {
    for seed in 0..4 {
        for (f, size) in [
            (faults(0, 0, 0, 0), 256 << 10),
            (faults(2, 2, 10, 2), 128 << 10),
        ] {
            for v6 in [false, true] {
                let mut on = exchange(seed, f, size, v6, true);
                let off = exchange(seed, f, size, v6, false);
                let hits: u64 = on.counters.iter().map(|c| c.tcp.hp_hits).sum();
                assert!(hits > 0, "seed {seed}: nothing predicted");
                for c in &mut on.counters {
                    c.tcp.hp_hits = 0;
                }
                assert_eq!(on, off, "seed {seed}, {}% loss", f.drop_percent);
            }
        }
    }
}

// ---- zero window -------------------------------------------------------------------

/// RFC 9293 §3.8.6.1: a receiver that stops reading closes its window; the
/// sender keeps probing it (persist timer, backed off to at most a minute)
/// for as long as it stays closed — ten virtual minutes here — without
/// giving up, and the transfer completes once the reader drains.
#[test]
fn rfc9293_3_8_6_1_zero_window_held_ten_minutes_then_drained() {
    // Eleven full segments (MSS 1460 less 12 bytes of timestamps): the
    // window closes exactly (see the ignored test below for a buffer that
    // is not a multiple of the segment size).
    zero_window_held_ten_minutes_then_drained(11 * 1448);
}

/// The same with a 16 KiB buffer: the window ends at 456 bytes, less than
/// a segment and less than half the largest window, so sender SWS
/// avoidance (RFC 9293 §3.8.6.2.1) holds the data back. With nothing in
/// flight no ACK will come; the override timeout (the persist timer) must
/// send what fits, or the transfer hangs on a lost window update.
#[test]
fn rfc9293_3_8_6_2_1_small_window_without_override_timeout() {
    zero_window_held_ten_minutes_then_drained(16 * 1024);
}

fn zero_window_held_ten_minutes_then_drained(rx_buf: usize) {
    const STALL: Duration = Duration::from_secs(600);
    let size = 256 * 1024;
    let mut p = Pair::new(42, faults(0, 0, 0, 0));
    p.a.dev.trace = true;
    p.b.dev.trace = true;
    let (ha, hb) = p.connect(false, rx_buf, rx_buf);
    let data = pattern(42, size);
    let (mut sent, mut received) = (0, Vec::with_capacity(size));
    let mut buf = vec![0u8; 4096];
    let stall = std::cell::Cell::new(None);
    // A sends, B does not read: the window closes.
    let start = p.now;
    let mut step = |a: &mut Node, b: &mut Node, now: Instant, read: bool| {
        let s = a.tcp(ha);
        if s.may_send() && sent < size {
            sent += s.send_slice(&data[sent..]).unwrap();
        }
        if sent == size && s.state() == State::Established {
            s.close();
        }
        let r = b.tcp(hb);
        if read {
            while let Ok(n @ 1..) = r.recv_slice(&mut buf) {
                received.extend_from_slice(&buf[..n]);
            }
            if r.state() == State::CloseWait {
                r.close();
            }
        }
        if stall.get().is_none() && r.recv_queue() == rx_buf {
            stall.set(Some(now));
        }
        a.tcp(ha).state() == State::TimeWait && b.tcp(hb).state() == State::Closed
    };
    assert!(!p.run_for(STALL, |a, b, now| step(a, b, now, false)));
    let stalled_at = stall.get().expect("B's buffer filled");
    assert!(
        stalled_at - start < Duration::from_secs(1),
        "filled at {stalled_at}"
    );
    assert_eq!(
        p.a.tcp(ha).state(),
        State::Established,
        "A kept the connection"
    );
    assert_eq!(p.a.tcp(ha).take_error(), None);
    // B offered a zero window; A probed it with one byte at SND.UNA,
    // throughout the stall, at most a minute apart (PERSIST_MAX).
    assert!(p.b.dev.log.iter().any(|s| s.window == 0 && s.ack.is_some()));
    let mut probes: Vec<Seg> =
        p.a.dev
            .log
            .iter()
            .filter(|s| s.at > stalled_at && s.len == 1)
            .copied()
            .collect();
    probes.dedup_by_key(|s| s.at);
    println!(
        "zero window from {stalled_at}: {} probes, at {:?}",
        probes.len(),
        probes
            .iter()
            .map(|s| s.at.total_millis())
            .collect::<Vec<_>>()
    );
    assert!(probes.len() >= 10, "probes: {probes:?}");
    assert!(probes.windows(2).all(|w| w[0].seq == w[1].seq), "same byte");
    let gaps: Vec<Duration> = probes.windows(2).map(|w| w[1].at - w[0].at).collect();
    assert!(
        gaps.iter().all(|g| *g <= Duration::from_secs(61)),
        "gaps {gaps:?}"
    );
    assert!(p.now - probes.last().unwrap().at <= Duration::from_secs(61));
    // B never took more than its buffer while the window was shut.
    assert!(p.b.tcp(hb).recv_queue() <= rx_buf);
    // The reader drains: everything arrives, in order, and both close.
    let resumed = p.now;
    assert!(
        p.run_for(Duration::from_secs(120), |a, b, now| step(a, b, now, true)),
        "transfer resumed at {resumed} and did not finish by {}",
        p.now
    );
    assert!(received == data, "every byte, in order");
    println!("drained: done {} after the reader resumed", p.now - resumed);
    assert!(p.now - resumed < Duration::from_secs(5));
}

// ---- a peer that vanishes ------------------------------------------------------------

/// RFC 9293 §3.8.3 / RFC 1122 §4.2.3.5: when the link to the peer is cut
/// with data in flight, retransmissions back off and, `tcp_retries2` (15)
/// doubling RTOs from the 200 ms floor later (924.6 s, as Linux), the
/// connection ends with `TimedOut`.
#[test]
fn rfc1122_4_2_3_5_retransmissions_to_a_vanished_peer_time_out() {
    let mut p = Pair::new(7, faults(0, 0, 0, 0));
    let (ha, hb) = p.connect(false, BUFFER, BUFFER);
    let data = pattern(7, 100_000);
    let mut sent = 0;
    let mut buf = vec![0u8; BUFFER];
    // Some data first, so the RTT is measured.
    let mut got = 0;
    assert!(p.run_for(Duration::from_secs(5), |a, b, _| {
        let s = a.tcp(ha);
        if s.may_send() && sent < 50_000 {
            sent += s.send_slice(&data[sent..50_000]).unwrap();
        }
        got += b.tcp(hb).recv_slice(&mut buf).unwrap_or(0);
        got == 50_000
    }));
    // Cut, then queue more.
    p.a.dev.cut = true;
    p.b.dev.cut = true;
    let cut_at = p.now;
    let rto_at_cut = p.a.tcp(ha).info().rto;
    p.a.tcp(ha).send_slice(&data[50_000..]).unwrap();
    let ended = p.run_for(Duration::from_secs(3600), |a, _, _| {
        a.tcp(ha).state() == State::Closed
    });
    assert!(ended, "A still {} at {}", p.a.tcp(ha).state(), p.now);
    let s = p.a.tcp(ha);
    assert_eq!(s.take_error(), Some(TcpError::TimedOut));
    let info = s.info();
    let took = p.now - cut_at;
    println!(
        "link cut at {cut_at} (RTO {rto_at_cut}): TimedOut after {took}, {} RTOs, {} retransmits",
        info.rto_events, info.retransmits
    );
    assert_eq!(info.rto_events, 15, "tcp_retries2 timeouts: {info:?}");
    // `tcp_retries2` is a time (as in Linux): 200 ms doubling to the 120 s
    // ceiling, 0.2 * (2^10 - 1) + 6 * 120 s = 924.6 s from when the data
    // went out, whatever the RTO at the cut.
    assert!(
        took >= Duration::from_millis(924_000) && took <= Duration::from_millis(925_600),
        "took {took}"
    );
    // B knows nothing: it stays established (a half-open connection).
    assert_eq!(p.b.tcp(hb).state(), State::Established);
}

/// RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6: keep-alive probes on an idle
/// connection are answered while the peer is there; once the link is cut
/// the probes go unanswered and, after `tcp_keepalive_probes` (9), the
/// connection ends with `KeepAliveTimedOut`.
#[test]
fn rfc1122_4_2_3_6_keep_alive_detects_a_vanished_peer() {
    const INTERVAL: Duration = Duration::from_secs(10);
    let mut p = Pair::new(8, faults(0, 0, 0, 0));
    p.a.dev.trace = true;
    let (ha, hb) = p.connect(true, 4096, 4096);
    assert!(p.run_for(Duration::from_secs(1), |a, b, _| {
        a.tcp(ha).state() == State::Established && b.tcp(hb).state() == State::Established
    }));
    p.a.tcp(ha).set_keep_alive(Some(INTERVAL));
    // Idle for five minutes with the peer there: probes, answered.
    let idle_from = p.now;
    let b_segs = p.b.iface.counters().tcp.in_segs;
    assert!(!p.run_for(Duration::from_secs(300), |a, _, _| {
        a.tcp(ha).state() != State::Established
    }));
    let probes =
        p.a.dev
            .log
            .iter()
            .filter(|s| s.at > idle_from && s.len == 0 && !s.syn)
            .count();
    assert!(probes >= 25, "{probes} keep-alive probes in 300 s");
    assert!(p.b.iface.counters().tcp.in_segs - b_segs >= 25);
    assert_eq!(p.a.tcp(ha).state(), State::Established);
    // Cut: nine unanswered probes, then KeepAliveTimedOut.
    p.a.dev.cut = true;
    p.b.dev.cut = true;
    let cut_at = p.now;
    assert!(p.run_for(Duration::from_secs(600), |a, _, _| {
        a.tcp(ha).state() == State::Closed
    }));
    assert_eq!(p.a.tcp(ha).take_error(), Some(TcpError::KeepAliveTimedOut));
    let took = p.now - cut_at;
    println!("keep-alive every {INTERVAL}: KeepAliveTimedOut {took} after the cut");
    // The last answer came less than INTERVAL before the cut; ten
    // intervals later the tenth probe would be due and the connection ends.
    assert!(
        took > INTERVAL.saturating_mul(9) && took <= INTERVAL.saturating_mul(10),
        "took {took}"
    );
}
