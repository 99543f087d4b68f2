//! TCP bulk transfer in memory, side by side with smoltcp 0.14: two
//! ferrotcp interfaces against two smoltcp interfaces, 4 MiB from A to B
//! per iteration over one long-lived connection, IP MTU 1500 and 65535,
//! socket buffers (send and receive, both ends) of 64 KiB, 256 KiB and
//! 1 MiB. Run with `cargo bench --bench tcp`; criterion reports bytes per
//! second, and the ratios (medians, smoltcp time / ferrotcp time: above 1
//! means ferrotcp is faster) are printed at the end, with the frames each
//! side sent per iteration.
//!
//! # Same work on both sides
//!
//! * One driver (`transfer`, generic over [`Pair`]) runs both stacks: each
//!   round the application on A writes with `send_slice` as much of the
//!   4 MiB as fits, A polls, B polls, the application on B reads with
//!   `recv_slice` into a 64 KiB buffer until empty. The virtual clock
//!   advances 10 µs per round in which frames moved, and otherwise jumps to
//!   the earliest `poll_at` of the two interfaces (the delayed-ACK timers).
//! * The link is the same in-memory device for both (it implements both
//!   `Device` traits): frames are built in place in buffers from a pool and
//!   handed to the peer without a copy; buffers go back to the pool when
//!   received. Nothing is lost or reordered.
//! * Software checksums on both (IPv4 header and TCP, computed on send and
//!   verified on receive).
//! * TCP options alike: window scaling, SACK permitted, and timestamps on
//!   every segment (ferrotcp always offers them; smoltcp is given a
//!   timestamp generator on both sockets), Nagle on, congestion control
//!   NewReno in ferrotcp and smoltcp's Reno (no loss here, so it only
//!   matters during the first slow start of the connection).
//! * Memory layout: every buffer (socket rings, the application's source
//!   and sink, the link's frame pool) is carved from one arena per stack
//!   pair, each at a different offset within a 4 KiB page (steps of 1,088
//!   bytes, 64-byte aligned) and frames at a stride that is not a multiple
//!   of 4 KiB, so no copy runs with source and destination at the same
//!   page offset (the memcpy slowdown in /work/shared/notes/crates.md).
//!   Both stacks get the same layout.
//! * Before measuring, one 4 MiB transfer is checked byte for byte on each
//!   stack.
//!
//! # Asymmetries (measured as they are)
//!
//! * Delayed ACK timers differ: 40 ms in ferrotcp (Linux), 10 ms in
//!   smoltcp. Both ACK at least every second full segment, so in a bulk
//!   transfer the timer only fires at the tail; with the virtual clock a
//!   fired timer costs one idle round, not wall time.
//! * ferrotcp's poll receives at most 64 frames (`INGRESS_BUDGET`), then
//!   runs timers and sends; smoltcp's receives until the device is empty.
//!   With a 1 MiB window at MTU 1500 a round can carry hundreds of frames,
//!   so ferrotcp may need more rounds (the driver keeps polling).
//! * ferrotcp keeps per-connection counters (`TcpInfo`) and MIB counters;
//!   smoltcp does not.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::hint::black_box;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicI64, Ordering};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};

#[path = "ratio.rs"]
mod ratio;

const MAC_A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x0a];
const MAC_B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x0b];
const IP_A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const IP_B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const PORT: u16 = 5001;

/// Bytes moved per iteration.
const TRANSFER: usize = 4 << 20;
/// The application's source of bytes (cycled) and its receive buffer.
const SOURCE_LEN: usize = 1 << 20;
const SINK_LEN: usize = 64 << 10;
/// IP MTUs.
const MTUS: [usize; 2] = [1500, 65535];
/// Socket buffer sizes (each of the four rings).
const BUFFERS: [usize; 3] = [64 << 10, 256 << 10, 1 << 20];
/// Virtual link delay per round with traffic.
const STEP_US: i64 = 10;

/// The virtual clock in microseconds, for smoltcp's timestamp generator
/// (a plain `fn() -> u32`).
static CLOCK_US: AtomicI64 = AtomicI64::new(0);

fn smoltcp_tsval() -> u32 {
    (CLOCK_US.load(Ordering::Relaxed) / 1000) as u32
}

fn param(mtu: usize, buf: usize) -> String {
    format!("mtu{mtu}-buf{}k", buf >> 10)
}

/// One allocation carved into buffers at staggered page offsets.
struct Arena<'a> {
    rest: &'a mut [u8],
    pieces: usize,
}

impl<'a> Arena<'a> {
    fn new(mem: &'a mut [u8]) -> Arena<'a> {
        Arena {
            rest: mem,
            pieces: 0,
        }
    }

    /// `len` bytes starting at page offset `(pieces * 1088) % 4096` (a
    /// multiple of 64, different for 15 consecutive pieces).
    fn take(&mut self, len: usize) -> &'a mut [u8] {
        let rest = std::mem::take(&mut self.rest);
        let addr = rest.as_ptr() as usize;
        let want = (self.pieces * 1088) % 4096;
        let skip = (want + 4096 - addr % 4096) % 4096;
        self.pieces += 1;
        let (_, rest) = rest.split_at_mut(skip);
        let (piece, rest) = rest.split_at_mut(len);
        self.rest = rest;
        piece
    }

    /// `count` buffers of `len` bytes in one piece, at a stride that is not
    /// a multiple of 4 KiB (consecutive buffers at different page offsets).
    fn frames(&mut self, len: usize, count: usize) -> Vec<&'a mut [u8]> {
        let stride = len.div_ceil(64) * 64 + 320;
        let mut mem = self.take(stride * count);
        let mut frames = Vec::with_capacity(count);
        for _ in 0..count {
            let (f, rest) = std::mem::take(&mut mem).split_at_mut(stride);
            frames.push(&mut f[..len]);
            mem = rest;
        }
        frames
    }

    /// Bytes an arena needs for `pieces` pieces totalling `bytes`.
    fn size_for(pieces: usize, bytes: usize) -> usize {
        bytes + (pieces + 1) * 4096
    }
}

/// A frame in flight.
struct Frame<'a> {
    buf: &'a mut [u8],
    len: usize,
}

/// A point-to-point link: side `i` receives from `queues[i]`.
struct Link<'a> {
    queues: [RefCell<VecDeque<Frame<'a>>>; 2],
    pool: RefCell<Vec<&'a mut [u8]>>,
    /// Frames sent by each side.
    sent: [Cell<u64>; 2],
    frame_mtu: usize,
}

impl<'a> Link<'a> {
    /// A link for frames of up to `frame_mtu` bytes with `frames` pool
    /// buffers from `arena`, spaced so consecutive frames sit at different
    /// page offsets.
    fn new(arena: &mut Arena<'a>, frame_mtu: usize, frames: usize) -> Link<'a> {
        let pool = arena.frames(frame_mtu, frames);
        Link {
            queues: [RefCell::new(VecDeque::new()), RefCell::new(VecDeque::new())],
            pool: RefCell::new(pool),
            sent: [Cell::new(0), Cell::new(0)],
            frame_mtu,
        }
    }

    fn queued(&self) -> bool {
        !self.queues[0].borrow().is_empty() || !self.queues[1].borrow().is_empty()
    }
}

/// One end of a [`Link`], as a device of either stack.
struct Port<'l, 'a> {
    link: &'l Link<'a>,
    side: usize,
}

struct Rx<'l, 'a> {
    link: &'l Link<'a>,
    frame: Frame<'a>,
}

struct Tx<'l, 'a> {
    link: &'l Link<'a>,
    side: usize,
}

impl Rx<'_, '_> {
    fn take<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        let r = f(&self.frame.buf[..self.frame.len]);
        self.link.pool.borrow_mut().push(self.frame.buf);
        r
    }
}

impl<'a> Tx<'_, 'a> {
    fn fill<R>(self, len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
        let buf = self.link.pool.borrow_mut().pop();
        // The pool is sized for the largest window; should it run dry, a
        // fresh buffer keeps the transfer going (never seen in practice).
        let buf = match buf {
            Some(b) => b,
            None => Box::leak(vec![0u8; self.link.frame_mtu].into_boxed_slice()),
        };
        let r = f(&mut buf[..len]);
        self.link.queues[1 - self.side]
            .borrow_mut()
            .push_back(Frame { buf, len });
        let c = &self.link.sent[self.side];
        c.set(c.get() + 1);
        r
    }
}

impl<'l, 'a> Port<'l, 'a> {
    fn rx(&mut self) -> Option<(Rx<'l, 'a>, Tx<'l, 'a>)> {
        let frame = self.link.queues[self.side].borrow_mut().pop_front()?;
        Some((
            Rx {
                link: self.link,
                frame,
            },
            self.tx(),
        ))
    }

    fn tx(&self) -> Tx<'l, 'a> {
        Tx {
            link: self.link,
            side: self.side,
        }
    }
}

impl ferrotcp::device::RxToken for Rx<'_, '_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        self.take(f)
    }
}

impl ferrotcp::device::TxToken for Tx<'_, '_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.fill(len, f)
    }
}

impl<'l, 'a> ferrotcp::device::Device for Port<'l, 'a> {
    type RxToken<'t>
        = Rx<'l, 'a>
    where
        Self: 't;
    type TxToken<'t>
        = Tx<'l, 'a>
    where
        Self: 't;

    fn receive(&mut self, _now: ferrotcp::time::Instant) -> Option<(Rx<'l, 'a>, Tx<'l, 'a>)> {
        self.rx()
    }

    fn transmit(&mut self, _now: ferrotcp::time::Instant) -> Option<Tx<'l, 'a>> {
        Some(self.tx())
    }

    fn capabilities(&self) -> ferrotcp::device::DeviceCapabilities {
        // Software checksums: `ChecksumCapabilities::all()` by default.
        ferrotcp::device::DeviceCapabilities::new(
            ferrotcp::device::Medium::Ethernet,
            self.link.frame_mtu,
        )
    }
}

impl smoltcp::phy::RxToken for Rx<'_, '_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        self.take(f)
    }
}

impl smoltcp::phy::TxToken for Tx<'_, '_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.fill(len, f)
    }
}

impl<'l, 'a> smoltcp::phy::Device for Port<'l, 'a> {
    type RxToken<'t>
        = Rx<'l, 'a>
    where
        Self: 't;
    type TxToken<'t>
        = Tx<'l, 'a>
    where
        Self: 't;

    fn receive(&mut self, _now: smoltcp::time::Instant) -> Option<(Rx<'l, 'a>, Tx<'l, 'a>)> {
        self.rx()
    }

    fn transmit(&mut self, _now: smoltcp::time::Instant) -> Option<Tx<'l, 'a>> {
        Some(self.tx())
    }

    fn capabilities(&self) -> smoltcp::phy::DeviceCapabilities {
        // Software checksums: smoltcp's default is `Checksum::Both`.
        let mut caps = smoltcp::phy::DeviceCapabilities::default();
        caps.medium = smoltcp::phy::Medium::Ethernet;
        caps.max_transmission_unit = self.link.frame_mtu;
        caps
    }
}

/// Two stacks joined by a link, with A's socket connected to B's.
trait Pair {
    /// A's application writes; returns the bytes taken.
    fn send(&mut self, data: &[u8]) -> usize;
    /// B's application reads; returns the bytes read (0: nothing).
    fn recv(&mut self, buf: &mut [u8]) -> usize;
    /// Poll A, then B, at `now_us`.
    fn poll(&mut self, now_us: i64);
    /// The earliest `poll_at` of the two.
    fn poll_at(&mut self, now_us: i64) -> Option<i64>;
    /// Both sockets established.
    fn established(&self) -> bool;
    /// Frames sent so far by A and by B.
    fn frames_sent(&self) -> [u64; 2];
    /// Frames waiting to be received.
    fn queued(&self) -> bool;
}

/// Frames and rounds of one transfer.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    rounds: u64,
    idle_rounds: u64,
    frames_a: u64,
    frames_b: u64,
}

/// One round of the driver: poll both, move the clock.
fn round<P: Pair>(p: &mut P, now: &mut i64, stats: &mut Stats) {
    CLOCK_US.store(*now, Ordering::Relaxed);
    let before = p.frames_sent();
    p.poll(*now);
    stats.rounds += 1;
    if p.frames_sent() != before || p.queued() {
        *now += STEP_US;
    } else {
        stats.idle_rounds += 1;
        *now = match p.poll_at(*now) {
            Some(t) if t > *now => t,
            _ => *now + STEP_US,
        };
    }
}

/// Move `total` bytes from A's application to B's: `src` cycled as the
/// source, `sink` as B's read buffer, `seen` hears every read.
fn transfer<P: Pair>(
    p: &mut P,
    now: &mut i64,
    src: &[u8],
    sink: &mut [u8],
    total: usize,
    mut seen: impl FnMut(&[u8]),
) -> Stats {
    let mut stats = Stats::default();
    let [a0, b0] = p.frames_sent();
    let (mut sent, mut got) = (0usize, 0usize);
    while got < total {
        while sent < total {
            let off = sent % src.len();
            let end = src.len().min(off + (total - sent));
            let n = p.send(&src[off..end]);
            if n == 0 {
                break;
            }
            sent += n;
        }
        round(p, now, &mut stats);
        loop {
            let n = p.recv(sink);
            if n == 0 {
                break;
            }
            seen(&sink[..n]);
            got += n;
        }
        assert!(
            stats.rounds < 10_000_000,
            "transfer stuck: {got} of {total} bytes, {stats:?}"
        );
    }
    let [a1, b1] = p.frames_sent();
    stats.frames_a = a1 - a0;
    stats.frames_b = b1 - b0;
    stats
}

fn establish<P: Pair>(p: &mut P, now: &mut i64) {
    let mut stats = Stats::default();
    while !p.established() {
        round(p, now, &mut stats);
        assert!(stats.rounds < 100_000, "handshake stuck");
    }
}

/// Pool frames for a link: enough for a whole window of data segments of
/// the smallest size and their ACKs.
fn pool_frames(mtu: usize, buf: usize) -> usize {
    (2 * buf / (mtu - 60) + 64).min(4096)
}

mod ft {
    //! The ferrotcp pair.
    use super::*;
    use ferrotcp::config::Config;
    use ferrotcp::iface::{Interface, InterfaceStorage};
    use ferrotcp::socket::tcp::{Socket, State};
    use ferrotcp::socket::{IpEndpoint, SocketHandle, SocketSet};
    use ferrotcp::storage::RingBuffer;
    use ferrotcp::time::Instant;
    use ferrotcp::wire::{EthernetAddress, Ipv4Cidr};

    pub struct FtPair<'a> {
        link: Link<'a>,
        // Owned storage: the interfaces are 'static, the sockets borrow
        // the arena.
        a: Interface<'static>,
        b: Interface<'static>,
        sa: SocketSet<'a>,
        sb: SocketSet<'a>,
        ha: SocketHandle,
        hb: SocketHandle,
    }

    fn iface(mac: [u8; 6], ip: Ipv4Addr, mtu: usize, seed: u64) -> Interface<'static> {
        let caps =
            ferrotcp::device::DeviceCapabilities::new(ferrotcp::device::Medium::Ethernet, mtu + 14);
        let storage = InterfaceStorage::owned(8, 4, mtu, 1, 65535);
        let mut i = Interface::new(
            Config::with_seed(seed),
            caps,
            EthernetAddress(mac),
            storage,
            Instant::ZERO,
        );
        i.add_ipv4_addr(Ipv4Cidr::new(ip, 24).expect("valid prefix"))
            .expect("room for an address");
        i
    }

    impl<'a> FtPair<'a> {
        pub fn new(arena: &mut Arena<'a>, mtu: usize, buf: usize, now: &mut i64) -> FtPair<'a> {
            let link = Link::new(arena, mtu + 14, pool_frames(mtu, buf));
            let mut sa = SocketSet::new(Vec::new());
            let mut sb = SocketSet::new(Vec::new());
            let sock = |arena: &mut Arena<'a>| {
                Socket::new(
                    RingBuffer::new(arena.take(buf)),
                    RingBuffer::new(arena.take(buf)),
                )
            };
            let mut b_sock = sock(arena);
            b_sock.listen(PORT).expect("listen");
            let hb = sb.add(b_sock).expect("socket set grows");
            let ha = sa.add(sock(arena)).expect("socket set grows");
            let mut a = iface(MAC_A, IP_A, mtu, 1);
            let b = iface(MAC_B, IP_B, mtu, 2);
            a.tcp_connect(
                Instant::from_micros(*now),
                &mut sa,
                ha,
                IpEndpoint::new(IP_B.into(), PORT),
                None,
            )
            .expect("connect");
            let mut p = FtPair {
                link,
                a,
                b,
                sa,
                sb,
                ha,
                hb,
            };
            establish(&mut p, now);
            p
        }
    }

    impl Pair for FtPair<'_> {
        #[inline]
        fn send(&mut self, data: &[u8]) -> usize {
            let s = self.sa.get_mut::<Socket>(self.ha).expect("socket A");
            s.send_slice(data).unwrap_or(0)
        }

        #[inline]
        fn recv(&mut self, buf: &mut [u8]) -> usize {
            let s = self.sb.get_mut::<Socket>(self.hb).expect("socket B");
            s.recv_slice(buf).unwrap_or(0)
        }

        #[inline]
        fn poll(&mut self, now_us: i64) {
            let now = Instant::from_micros(now_us);
            self.a.poll(
                now,
                &mut Port {
                    link: &self.link,
                    side: 0,
                },
                &mut self.sa,
            );
            self.b.poll(
                now,
                &mut Port {
                    link: &self.link,
                    side: 1,
                },
                &mut self.sb,
            );
        }

        fn poll_at(&mut self, now_us: i64) -> Option<i64> {
            let now = Instant::from_micros(now_us);
            [
                self.a.poll_at(now, &mut self.sa),
                self.b.poll_at(now, &mut self.sb),
            ]
            .into_iter()
            .flatten()
            .min()
            .map(|t| t.total_micros())
        }

        fn established(&self) -> bool {
            let a = self.sa.get::<Socket>(self.ha).expect("socket A").state();
            let b = self.sb.get::<Socket>(self.hb).expect("socket B").state();
            a == State::Established && b == State::Established
        }

        fn frames_sent(&self) -> [u64; 2] {
            [self.link.sent[0].get(), self.link.sent[1].get()]
        }

        fn queued(&self) -> bool {
            self.link.queued()
        }
    }
}

mod st {
    //! The smoltcp pair.
    use super::*;
    use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
    use smoltcp::socket::tcp::{CongestionControl, Socket, SocketBuffer, State};
    use smoltcp::time::Instant;
    use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr};

    pub struct StPair<'a> {
        link: Link<'a>,
        a: Interface,
        b: Interface,
        sa: SocketSet<'a>,
        sb: SocketSet<'a>,
        ha: SocketHandle,
        hb: SocketHandle,
    }

    fn iface(link: &Link<'_>, side: usize, mac: [u8; 6], ip: Ipv4Addr, seed: u64) -> Interface {
        let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress(mac)));
        config.random_seed = seed;
        let mut i = Interface::new(config, &mut Port { link, side }, Instant::ZERO);
        i.update_ip_addrs(|a| {
            a.push(IpCidr::new(IpAddress::Ipv4(ip), 24))
                .expect("room for an address")
        });
        i
    }

    impl<'a> StPair<'a> {
        pub fn new(arena: &mut Arena<'a>, mtu: usize, buf: usize, now: &mut i64) -> StPair<'a> {
            let link = Link::new(arena, mtu + 14, pool_frames(mtu, buf));
            let mut sa = SocketSet::new(Vec::new());
            let mut sb = SocketSet::new(Vec::new());
            let sock = |arena: &mut Arena<'a>| {
                let mut s = Socket::new(
                    SocketBuffer::new(arena.take(buf)),
                    SocketBuffer::new(arena.take(buf)),
                );
                s.set_tsval_generator(Some(smoltcp_tsval));
                s.set_congestion_control(CongestionControl::Reno);
                s
            };
            let mut b_sock = sock(arena);
            b_sock.listen(PORT).expect("listen");
            let hb = sb.add(b_sock);
            let ha = sa.add(sock(arena));
            let mut a = iface(&link, 0, MAC_A, IP_A, 1);
            let b = iface(&link, 1, MAC_B, IP_B, 2);
            sa.get_mut::<Socket>(ha)
                .connect(a.context(), (IpAddress::Ipv4(IP_B), PORT), 49152)
                .expect("connect");
            let mut p = StPair {
                link,
                a,
                b,
                sa,
                sb,
                ha,
                hb,
            };
            establish(&mut p, now);
            p
        }
    }

    impl Pair for StPair<'_> {
        #[inline]
        fn send(&mut self, data: &[u8]) -> usize {
            let s = self.sa.get_mut::<Socket>(self.ha);
            s.send_slice(data).unwrap_or(0)
        }

        #[inline]
        fn recv(&mut self, buf: &mut [u8]) -> usize {
            let s = self.sb.get_mut::<Socket>(self.hb);
            s.recv_slice(buf).unwrap_or(0)
        }

        #[inline]
        fn poll(&mut self, now_us: i64) {
            let now = Instant::from_micros(now_us);
            self.a.poll(
                now,
                &mut Port {
                    link: &self.link,
                    side: 0,
                },
                &mut self.sa,
            );
            self.b.poll(
                now,
                &mut Port {
                    link: &self.link,
                    side: 1,
                },
                &mut self.sb,
            );
        }

        fn poll_at(&mut self, now_us: i64) -> Option<i64> {
            let now = Instant::from_micros(now_us);
            [self.a.poll_at(now, &self.sa), self.b.poll_at(now, &self.sb)]
                .into_iter()
                .flatten()
                .min()
                .map(|t| t.total_micros())
        }

        fn established(&self) -> bool {
            self.sa.get::<Socket>(self.ha).state() == State::Established
                && self.sb.get::<Socket>(self.hb).state() == State::Established
        }

        fn frames_sent(&self) -> [u64; 2] {
            [self.link.sent[0].get(), self.link.sent[1].get()]
        }

        fn queued(&self) -> bool {
            self.link.queued()
        }
    }
}

/// Check one transfer byte for byte, then measure.
fn run_pair<P: Pair>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    id: &str,
    p: &mut P,
    now: &mut i64,
    src: &[u8],
    sink: &mut [u8],
) {
    let mut at = 0usize;
    let mut bad = None;
    let stats = transfer(p, now, src, sink, TRANSFER, |d| {
        for (i, &x) in d.iter().enumerate() {
            if bad.is_none() && x != src[(at + i) % src.len()] {
                bad = Some(at + i);
            }
        }
        at += d.len();
    });
    assert_eq!(bad, None, "{name} {id}: received bytes differ");
    println!(
        "{name:<8} {id:<18} per 4 MiB: {:>6} frames A->B, {:>6} frames B->A, {:>6} rounds ({} idle)",
        stats.frames_a, stats.frames_b, stats.rounds, stats.idle_rounds
    );
    g.bench_function(BenchmarkId::new(name, id), |b| {
        b.iter(|| transfer(black_box(&mut *p), now, src, sink, TRANSFER, |_| {}))
    });
}

fn bench_bulk(c: &mut Criterion) {
    let mut g = c.benchmark_group("tcp_bulk");
    g.throughput(Throughput::Bytes(TRANSFER as u64));
    g.sample_size(10);
    let pattern: Vec<u8> = (0..SOURCE_LEN).map(|i| (i * 7 + i / 251) as u8).collect();
    for &mtu in &MTUS {
        for &buf in &BUFFERS {
            let id = param(mtu, buf);
            let frames = pool_frames(mtu, buf);
            let bytes = 4 * buf + SOURCE_LEN + SINK_LEN + frames * (mtu + 14 + 384);
            for side in ["ferrotcp", "smoltcp"] {
                // A fresh arena per stack pair: the same layout for both.
                let mut mem = vec![0u8; Arena::size_for(8, bytes)];
                let mut arena = Arena::new(&mut mem);
                let src = arena.take(SOURCE_LEN);
                src.copy_from_slice(&pattern);
                let src: &[u8] = src;
                let sink = arena.take(SINK_LEN);
                let mut now = 1_000_000i64;
                if side == "ferrotcp" {
                    let mut p = ft::FtPair::new(&mut arena, mtu, buf, &mut now);
                    run_pair(&mut g, side, &id, &mut p, &mut now, src, sink);
                } else {
                    let mut p = st::StPair::new(&mut arena, mtu, buf, &mut now);
                    run_pair(&mut g, side, &id, &mut p, &mut now, src, sink);
                }
            }
        }
    }
    g.finish();
}

criterion_group!(benches, bench_bulk);

/// The data movement every stack must do on this workload, and nothing
/// else: per segment, the application's copy into the send ring, the copy
/// into a frame with the checksum summed in the same pass (sender), the
/// checksum check in the pass that copies into the receive ring
/// (receiver), the application's copy out: four passes, two of them
/// summing.
/// Same buffers, same layout, same segment size (MTU less 52 bytes of IPv4
/// and TCP headers with timestamps), a window of `buf` bytes per round.
/// Its time is a floor: `smoltcp / floor` is the most any stack could
/// gain over smoltcp here, at zero per-segment cost. The copies and sums
/// are done both ways (one pass, or `memcpy` then a sum over the source)
/// and the faster is kept.
struct Floor<'a> {
    tx: &'a mut [u8],
    rx: &'a mut [u8],
    frames: Vec<&'a mut [u8]>,
    mss: usize,
    /// Sum while copying (one pass), else `memcpy` then a sum over the
    /// source: which is faster depends on where the bytes are, so the
    /// floor is measured both ways and the faster kept.
    fused: bool,
}

/// Copy `src` into `dst` and return its 16-bit one's-complement sum, in one
/// pass (each 64-bit word loaded once, stored and summed): the cheapest way
/// to move and checksum a payload without SIMD.
fn copy_sum(dst: &mut [u8], src: &[u8]) -> u16 {
    let (s8, srest) = src.as_chunks::<8>();
    let (d8, drest) = dst.as_chunks_mut::<8>();
    let (mut a, mut b) = (0u128, 0u128);
    let mut pairs = s8.chunks_exact(2).zip(d8.chunks_exact_mut(2));
    for (s, d) in &mut pairs {
        let (x, y) = (u64::from_ne_bytes(s[0]), u64::from_ne_bytes(s[1]));
        a += u128::from(x);
        b += u128::from(y);
        d[0] = x.to_ne_bytes();
        d[1] = y.to_ne_bytes();
    }
    if s8.len() % 2 == 1 {
        let x = u64::from_ne_bytes(s8[s8.len() - 1]);
        a += u128::from(x);
        d8[s8.len() - 1] = x.to_ne_bytes();
    }
    for (s, d) in srest.iter().zip(drest.iter_mut()) {
        *d = *s;
        a += u128::from(*s);
    }
    let mut acc = a + b;
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// Copy `src` into `dst` and sum it, one way or the other (see
/// [`Floor::fused`]).
fn move_sum(fused: bool, dst: &mut [u8], src: &[u8]) -> u16 {
    if fused {
        // On x86 ferrotcp's own one-pass copy and sum (SSE2 vectors,
        // faster than the scalar loop); elsewhere the scalar loop above.
        if cfg!(any(target_arch = "x86", target_arch = "x86_64")) {
            ferrotcp::wire::checksum::copy_and_data(dst, src)
        } else {
            copy_sum(dst, src)
        }
    } else {
        dst.copy_from_slice(src);
        ferrotcp::wire::checksum::data(src)
    }
}

impl<'a> Floor<'a> {
    fn new(arena: &mut Arena<'a>, mtu: usize, buf: usize, fused: bool) -> Floor<'a> {
        let mss = mtu - 52;
        let tx = arena.take(buf);
        let rx = arena.take(buf);
        let n = buf.div_ceil(mss);
        // Room for the headers too, as a real frame has.
        let frames = arena.frames(mss + 54, n);
        Floor {
            tx,
            rx,
            frames,
            mss,
            fused,
        }
    }

    /// Copy `from` into `ring` at `at` (wrapping).
    fn put(ring: &mut [u8], at: usize, from: &[u8]) {
        let first = from.len().min(ring.len() - at);
        ring[at..at + first].copy_from_slice(&from[..first]);
        ring[..from.len() - first].copy_from_slice(&from[first..]);
    }

    /// Copy out of `ring` at `at` (wrapping) into `to`.
    fn get(ring: &[u8], at: usize, to: &mut [u8]) {
        let first = to.len().min(ring.len() - at);
        to[..first].copy_from_slice(&ring[at..at + first]);
        let n = to.len();
        to[first..].copy_from_slice(&ring[..n - first]);
    }

    fn transfer(&mut self, src: &[u8], sink: &mut [u8], total: usize) -> u16 {
        let cap = self.tx.len();
        let (mut sent, mut sum, mut at) = (0usize, 0u16, 0usize);
        while sent < total {
            // The application fills the send ring (one window).
            let window = cap.min(total - sent);
            let mut done = 0;
            while done < window {
                let off = (sent + done) % src.len();
                let n = (window - done).min(src.len() - off);
                Self::put(self.tx, (at + done) % cap, &src[off..off + n]);
                done += n;
            }
            // The sender builds the frames: copy and checksum, one pass.
            let segs = window.div_ceil(self.mss);
            for (i, f) in self.frames.iter_mut().take(segs).enumerate() {
                let len = self.mss.min(window - i * self.mss);
                let from = (at + i * self.mss) % cap;
                let first = len.min(cap - from);
                let (f1, f2) = f[..len].split_at_mut(first);
                sum ^= move_sum(self.fused, f1, &self.tx[from..from + first]);
                sum ^= move_sum(self.fused, f2, &self.tx[..len - first]);
            }
            // The receiver checks each while copying it into its ring.
            for (i, f) in self.frames.iter().take(segs).enumerate() {
                let len = self.mss.min(window - i * self.mss);
                let to = (at + i * self.mss) % cap;
                let first = len.min(cap - to);
                let (r2, r1) = self.rx.split_at_mut(to);
                sum ^= move_sum(self.fused, &mut r1[..first], &f[..first]);
                sum ^= move_sum(self.fused, &mut r2[..len - first], &f[first..len]);
            }
            // The application reads it out, a sink at a time.
            let mut read = 0;
            while read < window {
                let n = (window - read).min(sink.len());
                Self::get(self.rx, (at + read) % cap, &mut sink[..n]);
                read += n;
            }
            black_box(&sink[..]);
            at = (at + window) % cap;
            sent += window;
        }
        sum
    }
}

/// The same transfers as paired measurements (`ratio::paired`): both stack
/// pairs alive at once, 4 MiB on one then on the other, alternating.
fn paired_bulk() {
    let pattern: Vec<u8> = (0..SOURCE_LEN).map(|i| (i * 7 + i / 251) as u8).collect();
    let mut header = false;
    for &mtu in &MTUS {
        for &buf in &BUFFERS {
            let id = param(mtu, buf);
            if !ratio::paired_selected(&format!("tcp_bulk/{id}")) {
                continue;
            }
            if !header {
                ratio::print_paired_header("tcp bulk transfer, 4 MiB per call");
                header = true;
            }
            let frames = pool_frames(mtu, buf);
            let bytes = 4 * buf + SOURCE_LEN + SINK_LEN + frames * (mtu + 14 + 384);
            let mut fmem = vec![0u8; Arena::size_for(8, bytes)];
            let mut smem = vec![0u8; Arena::size_for(8, bytes)];
            let mut fa = Arena::new(&mut fmem);
            let mut sa = Arena::new(&mut smem);
            let fsrc = fa.take(SOURCE_LEN);
            fsrc.copy_from_slice(&pattern);
            let fsrc: &[u8] = fsrc;
            let fsink = fa.take(SINK_LEN);
            let ssrc = sa.take(SOURCE_LEN);
            ssrc.copy_from_slice(&pattern);
            let ssrc: &[u8] = ssrc;
            let ssink = sa.take(SINK_LEN);
            let (mut fnow, mut snow) = (1_000_000i64, 1_000_000i64);
            let mut fp = ft::FtPair::new(&mut fa, mtu, buf, &mut fnow);
            let mut sp = st::StPair::new(&mut sa, mtu, buf, &mut snow);
            let p = ratio::paired(
                || {
                    transfer(black_box(&mut fp), &mut fnow, fsrc, fsink, TRANSFER, |_| {});
                },
                || {
                    transfer(black_box(&mut sp), &mut snow, ssrc, ssink, TRANSFER, |_| {});
                },
            );
            ratio::print_paired("tcp_bulk", &id, &p);
            // The floor of this workload against smoltcp, in the same run:
            // both ways of moving and summing, the faster kept.
            let mut best: Option<ratio::Paired> = None;
            for fused in [false, true] {
                let mut lmem = vec![0u8; Arena::size_for(8, bytes)];
                let mut la = Arena::new(&mut lmem);
                let lsrc = la.take(SOURCE_LEN);
                lsrc.copy_from_slice(&pattern);
                let lsrc: &[u8] = lsrc;
                let lsink = la.take(SINK_LEN);
                let mut floor = Floor::new(&mut la, mtu, buf, fused);
                let c = ratio::paired(
                    || {
                        black_box(floor.transfer(lsrc, lsink, TRANSFER));
                    },
                    || {
                        transfer(black_box(&mut sp), &mut snow, ssrc, ssink, TRANSFER, |_| {});
                    },
                );
                if best.as_ref().is_none_or(|b| c.ratio > b.ratio) {
                    best = Some(c);
                }
            }
            if let Some(c) = best {
                println!(
                    "  {:<28} {:>8}  data movement alone {:>9.0} ns: smoltcp / floor {:.2}x  [{:.2}, {:.2}] (the most any stack could gain)",
                    "", "", c.ferrotcp_ns, c.ratio, c.q1, c.q3
                );
            }
            let gbps = |ns: f64| TRANSFER as f64 * 8.0 / ns;
            println!(
                "  {:<28} {:>8}  ferrotcp {:>6.2} Gbit/s  smoltcp {:>6.2} Gbit/s",
                "",
                "",
                gbps(p.ferrotcp_ns),
                gbps(p.smoltcp_ns)
            );
        }
    }
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let ids: Vec<String> = MTUS
        .iter()
        .flat_map(|&m| BUFFERS.iter().map(move |&b| param(m, b)))
        .collect();
    let rows: Vec<(&str, &str)> = ids.iter().map(|i| ("tcp_bulk", i.as_str())).collect();
    ratio::print_ratios("tcp bulk transfer, 4 MiB per iteration", &rows);
    // Throughputs from the same medians.
    println!("\nthroughput (median):");
    for (g, id) in &rows {
        let f = ratio::median_ns(g, "ferrotcp", id);
        let s = ratio::median_ns(g, "smoltcp", id);
        let gbps = |ns: Option<f64>| ns.map_or(f64::NAN, |ns| TRANSFER as f64 * 8.0 / ns);
        println!(
            "  {id:<18} ferrotcp {:>6.2} Gbit/s  smoltcp {:>6.2} Gbit/s",
            gbps(f),
            gbps(s)
        );
    }
    paired_bulk();
}
