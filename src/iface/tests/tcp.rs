//! TCP between two interfaces over an in-memory link with seeded loss:
//! handshake, bulk transfer in both directions, close.

use core::net::{IpAddr, Ipv4Addr};
use std::vec;
use std::vec::Vec;

use super::device::TestDevice;
use crate::iface::Interface;
use crate::rand::Rand;
use crate::socket::tcp::{Socket as TcpSocket, State};
use crate::socket::{IpEndpoint, SocketHandle, SocketSet};
use crate::storage::RingBuffer;
use crate::time::{Duration, Instant};
use crate::wire::{EthernetAddress, Ipv4Cidr};

const A_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0xa]);
const B_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0xb]);
const A_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

struct Node {
    iface: Interface<'static>,
    dev: TestDevice,
    sockets: SocketSet<'static>,
    /// Percent of the frames this node sends that swap places with the
    /// next one on the link.
    reorder: u32,
}

fn node(mac: EthernetAddress, ip: Ipv4Addr) -> Node {
    let dev = TestDevice::ethernet(1500);
    let mut iface = super::device::test_iface(dev.caps, mac);
    iface.add_ipv4_addr(Ipv4Cidr::new(ip, 24).unwrap()).unwrap();
    Node {
        iface,
        dev,
        sockets: SocketSet::new(Vec::new()),
        reorder: 0,
    }
}

fn tcp(rx: usize, tx: usize) -> TcpSocket<'static> {
    TcpSocket::new(
        RingBuffer::new(vec![0u8; rx]),
        RingBuffer::new(vec![0u8; tx]),
    )
}

/// Read everything socket `h` of `n` holds into `into`.
fn read_all(n: &mut Node, h: SocketHandle, into: &mut Vec<u8>) {
    let s = n.sockets.get_mut::<TcpSocket>(h).unwrap();
    let mut buf = [0u8; 8192];
    while let Ok(k) = s.recv_slice(&mut buf) {
        if k == 0 {
            break;
        }
        into.extend_from_slice(&buf[..k]);
    }
}

/// Move frames both ways, dropping `loss_pct` percent with `rand`.
fn pump(a: &mut Node, b: &mut Node, rand: &mut Rand, loss_pct: u32) -> usize {
    let mut moved = 0;
    let mut from_a = a.dev.take_tx();
    for i in 1..from_a.len() {
        if a.reorder > 0 && rand.below(100) < a.reorder {
            from_a.swap(i - 1, i);
        }
    }
    for f in from_a {
        moved += 1;
        if rand.below(100) >= loss_pct {
            b.dev.rx.push_back(f);
        }
    }
    for f in b.dev.take_tx() {
        moved += 1;
        if rand.below(100) >= loss_pct {
            a.dev.rx.push_back(f);
        }
    }
    moved
}

/// Run both nodes until `done` or the virtual deadline; returns the time.
fn run(
    a: &mut Node,
    b: &mut Node,
    rand: &mut Rand,
    loss: u32,
    mut now: Instant,
    limit: Duration,
    mut step: impl FnMut(&mut Node, &mut Node) -> bool,
) -> Instant {
    let end = now + limit;
    while now < end {
        a.iface.poll(now, &mut a.dev, &mut a.sockets);
        b.iface.poll(now, &mut b.dev, &mut b.sockets);
        let done = step(a, b);
        let moved = pump(a, b, rand, loss);
        if done {
            return now;
        }
        if moved > 0 || !a.dev.rx.is_empty() || !b.dev.rx.is_empty() {
            // Frames in flight: a link delay of 100 µs.
            now += Duration::from_micros(100);
            continue;
        }
        let next = [
            a.iface.poll_at(now, &mut a.sockets),
            b.iface.poll_at(now, &mut b.sockets),
        ]
        .into_iter()
        .flatten()
        .min();
        now = match next {
            Some(t) if t > now => t,
            _ => now + Duration::from_micros(100),
        };
    }
    let sa: std::vec::Vec<_> = a
        .sockets
        .iter()
        .map(|(_, s)| match s {
            crate::socket::Socket::Tcp(t) => (t.state(), t.info(), t.send_queue(), t.recv_queue()),
            _ => unreachable!(),
        })
        .collect();
    let sb: std::vec::Vec<_> = b
        .sockets
        .iter()
        .map(|(_, s)| match s {
            crate::socket::Socket::Tcp(t) => (t.state(), t.info(), t.send_queue(), t.recv_queue()),
            _ => unreachable!(),
        })
        .collect();
    for (_, s) in a.sockets.iter() {
        if let crate::socket::Socket::Tcp(t) = s {
            std::println!(
                "A tcp poll_at {:?} una {:?} nxt {:?} max {:?} wnd {} fin_q {} fin_seq {:?} iss {:?}",
                t.poll_at(),
                t.snd_una,
                t.snd_nxt,
                t.snd_max,
                t.snd_wnd,
                t.fin_queued,
                t.fin_seq,
                t.iss
            );
        }
    }
    let na: std::vec::Vec<_> = a.iface.inner.neighbors.iter().collect();
    let nb: std::vec::Vec<_> = b.iface.inner.neighbors.iter().collect();
    std::println!(
        "A neigh {na:?} {:?}\nB neigh {nb:?} {:?}",
        a.iface.inner.neighbors.counters(),
        b.iface.inner.neighbors.counters()
    );
    panic!(
        "not done within {limit}: a {sa:?}\n b {sb:?}\n a {:?}\n b {:?}",
        a.iface.counters(),
        b.iface.counters()
    );
}

fn connect(a: &mut Node, b: &mut Node, port: u16) -> (SocketHandle, SocketHandle) {
    connect_sized(a, b, port, 256 * 1024)
}

/// `connect` with B's receive buffer of `rx_b` bytes.
fn connect_sized(
    a: &mut Node,
    b: &mut Node,
    port: u16,
    rx_b: usize,
) -> (SocketHandle, SocketHandle) {
    let hb = b.sockets.add(tcp(rx_b, 256 * 1024)).unwrap();
    b.sockets
        .get_mut::<TcpSocket>(hb)
        .unwrap()
        .listen(port)
        .unwrap();
    let ha = a.sockets.add(tcp(256 * 1024, 256 * 1024)).unwrap();
    a.iface
        .tcp_connect(
            Instant::ZERO,
            &mut a.sockets,
            ha,
            IpEndpoint::new(IpAddr::V4(B_IP), port),
            None,
        )
        .unwrap();
    (ha, hb)
}

/// A connection from A to B on port 5001 over a loss-free link, run until
/// both ends are established; the handles and the time then.
fn establish(a: &mut Node, b: &mut Node, rand: &mut Rand) -> (SocketHandle, SocketHandle, Instant) {
    let (ha, hb) = connect(a, b, 5001);
    let now = run(
        a,
        b,
        rand,
        0,
        Instant::ZERO,
        Duration::from_secs(5),
        |a, b| sa_state(a, ha) == State::Established && sb_state(b, hb) == State::Established,
    );
    (ha, hb, now)
}

fn transfer(loss: u32, seed: u64, size: usize) {
    transfer_tso(loss, seed, size, 0);
}

fn transfer_tso(loss: u32, seed: u64, size: usize, max_tso_size: usize) {
    transfer_tso_cut(loss, seed, size, max_tso_size, false);
}

fn transfer_tso_cut(loss: u32, seed: u64, size: usize, max_tso_size: usize, cut: bool) {
    transfer_with(Link {
        loss,
        seed,
        size,
        max_tso_size,
        cut,
        ..Link::default()
    });
}

/// One bulk transfer's link and ends (see `transfer_with`).
#[derive(Debug, Clone, Copy)]
struct Link {
    loss: u32,
    seed: u64,
    size: usize,
    max_tso_size: usize,
    cut: bool,
    /// Percent of A's frames swapped with the next.
    reorder: u32,
    /// B's receive buffer.
    rx_b: usize,
    /// The most A's application writes at once.
    write: usize,
    nodelay: bool,
}

impl Default for Link {
    fn default() -> Self {
        Link {
            loss: 0,
            seed: 1,
            size: 100_000,
            max_tso_size: 0,
            cut: false,
            reorder: 0,
            rx_b: 256 * 1024,
            write: usize::MAX,
            nodelay: false,
        }
    }
}

/// A bulk transfer from A to B with `loss` percent of frames lost each
/// way, A's device declaring `max_tso_size` (0: no TSO; a lost
/// super-frame is every segment in it lost; with `cut`, A's device cuts
/// super-segments the way a kernel's GSO does and loss hits each segment).
fn transfer_with(link: Link) {
    let Link {
        loss,
        seed,
        size,
        max_tso_size,
        cut,
        ..
    } = link;
    std::println!("transfer {link:?}");
    let mut a = node(A_MAC, A_IP);
    a.dev.caps.max_tso_size = max_tso_size;
    a.dev.gso = cut;
    a.reorder = link.reorder;
    let mut b = node(B_MAC, B_IP);
    let mut rand = Rand::new(seed);
    let (ha, hb) = connect_sized(&mut a, &mut b, 5001, link.rx_b);
    a.sockets
        .get_mut::<TcpSocket>(ha)
        .unwrap()
        .set_nodelay(link.nodelay);
    let data: Vec<u8> = (0..size).map(|i| (i * 7 + i / 251) as u8).collect();
    let mut sent = 0;
    let mut received = Vec::with_capacity(size);
    let mut closed = false;
    run(
        &mut a,
        &mut b,
        &mut rand,
        loss,
        Instant::ZERO,
        Duration::from_secs(600),
        |a, b| {
            let sa = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
            if sa.may_send() && sent < data.len() {
                let end = data.len().min(sent.saturating_add(link.write));
                sent += sa.send_slice(&data[sent..end]).unwrap();
            }
            if sent == data.len() && !closed && sa.state() == State::Established {
                sa.close();
                closed = true;
            }
            let sb = b.sockets.get_mut::<TcpSocket>(hb).unwrap();
            let mut buf = [0u8; 8192];
            while let Ok(n) = sb.recv_slice(&mut buf) {
                if n == 0 {
                    break;
                }
                received.extend_from_slice(&buf[..n]);
            }
            if sb.state() == State::CloseWait {
                sb.close();
            }
            let done_a = matches!(sa_state(a, ha), State::TimeWait | State::Closed);
            let done_b = sb_state(b, hb) == State::Closed;
            received.len() == data.len() && done_a && done_b
        },
    );
    assert_eq!(received.len(), data.len());
    let first = received.iter().zip(&data).position(|(x, y)| x != y);
    assert!(
        first.is_none(),
        "bytes differ from {first:?}: got {:?} want {:?}",
        &received[first.unwrap_or(0)..][..16.min(received.len())],
        &data[first.unwrap_or(0)..][..16]
    );
}

fn sa_state(n: &Node, h: SocketHandle) -> State {
    n.sockets.get::<TcpSocket>(h).unwrap().state()
}

fn sb_state(n: &Node, h: SocketHandle) -> State {
    n.sockets.get::<TcpSocket>(h).unwrap().state()
}

#[test]
fn bulk_transfer_no_loss() {
    transfer(0, 1, 1 << 20);
}

#[test]
fn bulk_transfer_with_loss() {
    for seed in 0..4 {
        transfer(5, seed, 200_000);
    }
}

#[test]
fn bulk_transfer_heavy_loss() {
    transfer(20, 9, 50_000);
}

#[test]
fn rfc9293_closed_port_is_reset() {
    let mut a = node(A_MAC, A_IP);
    let mut b = node(B_MAC, B_IP);
    let mut rand = Rand::new(1);
    let ha = a.sockets.add(tcp(4096, 4096)).unwrap();
    a.iface
        .tcp_connect(
            Instant::ZERO,
            &mut a.sockets,
            ha,
            IpEndpoint::new(IpAddr::V4(B_IP), 9999),
            None,
        )
        .unwrap();
    run(
        &mut a,
        &mut b,
        &mut rand,
        0,
        Instant::ZERO,
        Duration::from_secs(10),
        |a, _| a.sockets.get::<TcpSocket>(ha).unwrap().state() == State::Closed,
    );
    let s = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
    assert_eq!(s.take_error(), Some(crate::socket::tcp::TcpError::Refused));
    assert_eq!(b.iface.counters().tcp.out_rsts, 1);
}

#[test]
fn rfc5681_4_2_segments_drained_in_one_poll_are_acked_within_it() {
    // A window's worth of segments arrives between two polls of the
    // receiver (a TAP read in a burst). RFC 5681 §4.2: an ACK SHOULD be
    // generated for at least every second full-sized segment; a burst is
    // ACKed from within the poll that drains it, at least every
    // FLUSH_EVERY segments (bounded stretch ACKs, see its doc), not once
    // after the whole batch or only at the next poll.
    let mut a = node(A_MAC, A_IP);
    let mut b = node(B_MAC, B_IP);
    let mut rand = Rand::new(7);
    let (ha, hb, now) = establish(&mut a, &mut b, &mut rand);
    // Past the quick-ACK start, so only the every-second-segment rule acks.
    let mut now = now + Duration::from_millis(500);
    let warmup = vec![1u8; 200 * 1448];
    a.sockets
        .get_mut::<TcpSocket>(ha)
        .unwrap()
        .send_slice(&warmup)
        .unwrap();
    for _ in 0..200 {
        a.iface.poll(now, &mut a.dev, &mut a.sockets);
        b.iface.poll(now, &mut b.dev, &mut b.sockets);
        let mut sink = [0u8; 4096];
        while let Ok(n) = b
            .sockets
            .get_mut::<TcpSocket>(hb)
            .unwrap()
            .recv_slice(&mut sink)
        {
            if n == 0 {
                break;
            }
        }
        pump(&mut a, &mut b, &mut rand, 0);
        now += Duration::from_millis(1);
    }
    assert_eq!(
        a.sockets.get::<TcpSocket>(ha).unwrap().send_queue(),
        0,
        "warm-up delivered"
    );
    // Now a burst: everything A may send goes out in one poll and reaches
    // B before B polls.
    let data = vec![7u8; 40 * 1448];
    a.sockets
        .get_mut::<TcpSocket>(ha)
        .unwrap()
        .send_slice(&data)
        .unwrap();
    a.iface.poll(now, &mut a.dev, &mut a.sockets);
    let burst = a.dev.take_tx();
    assert!(
        burst.len() > crate::iface::interface::FLUSH_EVERY,
        "a burst of full segments: {}",
        burst.len()
    );
    let n = burst.len();
    for f in burst {
        b.dev.rx.push_back(f);
    }
    b.iface.poll(now, &mut b.dev, &mut b.sockets);
    let acks = b.dev.take_tx();
    // At least one ACK per FLUSH_EVERY segments, from this same poll (the
    // last one too: what the batch made due is sent before poll returns).
    assert!(
        acks.len() >= n.div_ceil(crate::iface::interface::FLUSH_EVERY),
        "{} ACKs for {n} full-sized segments drained in one poll",
        acks.len()
    );
}

#[test]
fn rfc9293_3_1_corrupted_in_order_segment_is_dropped_and_its_bytes_never_delivered() {
    // The next in-order segment with one payload bit flipped must be
    // dropped and counted, deliver nothing, and not be acknowledged; the
    // sender's retransmission then delivers the right bytes.
    let mut a = node(A_MAC, A_IP);
    let mut b = node(B_MAC, B_IP);
    let (ha, hb, mut now) = establish(&mut a, &mut b, &mut Rand::new(11));
    let data: Vec<u8> = (0..1000u32).map(|i| (i * 13 + 5) as u8).collect();
    a.sockets
        .get_mut::<TcpSocket>(ha)
        .unwrap()
        .send_slice(&data)
        .unwrap();
    a.iface.poll(now, &mut a.dev, &mut a.sockets);
    let sent = a.dev.take_tx();
    assert_eq!(sent.len(), 1, "one data segment");
    let mut bad = sent[0].clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x10;
    let errors = b.iface.counters().tcp.in_csum_errors;
    b.dev.rx.push_back(bad);
    b.iface.poll(now, &mut b.dev, &mut b.sockets);
    assert_eq!(b.iface.counters().tcp.in_csum_errors, errors + 1);
    let s = b.sockets.get_mut::<TcpSocket>(hb).unwrap();
    assert_eq!(
        s.recv_queue(),
        0,
        "nothing of the corrupted segment is delivered"
    );
    assert!(
        b.dev.take_tx().is_empty(),
        "a corrupted segment is not acknowledged"
    );
    // The retransmission (here: the same frame intact) delivers the data.
    b.dev.rx.push_back(sent[0].clone());
    now += Duration::from_millis(1);
    b.iface.poll(now, &mut b.dev, &mut b.sockets);
    let mut got = vec![0u8; 2000];
    let n = b
        .sockets
        .get_mut::<TcpSocket>(hb)
        .unwrap()
        .recv_slice(&mut got)
        .unwrap();
    assert_eq!(&got[..n], &data[..]);
}

/// The TCP payload length and header length of the IPv4 segment in an
/// Ethernet frame, read from its headers.
fn tcp_lengths(frame: &[u8]) -> (usize, usize) {
    let total = usize::from(u16::from_be_bytes([frame[16], frame[17]]));
    let ihl = usize::from(frame[14] & 0x0f) * 4;
    let header = usize::from(frame[14 + ihl + 12] >> 4) * 4;
    (total - ihl - header, header)
}

#[test]
fn tso_super_segments_of_whole_mss_arrive_intact() {
    // A's device declares TCP segmentation offload; B's hands frames over
    // whole, as a TAP delivers the kernel's GSO frames. Every byte arrives;
    // A sent segments longer than the MTU, each with the segment size (the
    // MSS less the timestamp option) and a whole number of segments, and
    // nothing longer than the MTU without it.
    let mut a = node(A_MAC, A_IP);
    a.dev.caps.max_tso_size = 65_535;
    let mut b = node(B_MAC, B_IP);
    let mut rand = Rand::new(3);
    let (ha, hb, now) = establish(&mut a, &mut b, &mut rand);
    let size = 2_000_000;
    let data: Vec<u8> = (0..size).map(|i| (i * 7 + i / 251) as u8).collect();
    let mut sent = 0;
    let mut received = Vec::with_capacity(size);
    let (mut supers, mut largest) = (0, 0);
    run(
        &mut a,
        &mut b,
        &mut rand,
        0,
        now,
        Duration::from_secs(60),
        |a, b| {
            let sa = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
            if sent < data.len() {
                sent += sa.send_slice(&data[sent..]).unwrap();
            }
            for (f, meta) in a.dev.take_tx_with_meta() {
                let (payload, _) = tcp_lengths(&f);
                match meta.tcp_segment_size {
                    Some(mss) => {
                        let mss = usize::from(mss);
                        assert_eq!(mss, 1448, "the MSS less 12 bytes of timestamps");
                        assert!(payload > mss, "a super-segment carries more than one");
                        assert_eq!(payload % mss, 0, "whole segments (Nagle holds the tail)");
                        assert!(f.len() - 14 <= 65_535);
                        supers += 1;
                        largest = largest.max(payload);
                    }
                    None => assert!(f.len() <= 1514, "{} bytes without TSO", f.len()),
                }
                b.dev.rx.push_back(f);
            }
            let sb = b.sockets.get_mut::<TcpSocket>(hb).unwrap();
            let mut buf = [0u8; 65536];
            while let Ok(n) = sb.recv_slice(&mut buf) {
                if n == 0 {
                    break;
                }
                received.extend_from_slice(&buf[..n]);
            }
            received.len() == data.len()
        },
    );
    assert!(received == data, "the bytes arrive intact and in order");
    assert!(supers > 10, "super-segments sent: {supers}");
    assert!(largest >= 20 * 1448, "largest super-segment: {largest}");
    let info = a.sockets.get::<TcpSocket>(ha).unwrap().info();
    assert_eq!(info.retransmits, 0);
    assert_eq!(b.iface.counters().tcp.in_csum_errors, 0);
}

#[test]
fn a_checksum_the_device_vouches_for_is_not_checked_again() {
    // A TAP's virtio_net_hdr says the kernel's own segment carries only the
    // pseudo-header sum (F_NEEDS_CSUM): the device marks the frame and the
    // stack takes it without summing. The same bytes without the mark
    // are a checksum error.
    let mut a = node(A_MAC, A_IP);
    let mut b = node(B_MAC, B_IP);
    let (ha, hb, now) = establish(&mut a, &mut b, &mut Rand::new(5));
    let data = vec![9u8; 1000];
    a.sockets
        .get_mut::<TcpSocket>(ha)
        .unwrap()
        .send_slice(&data)
        .unwrap();
    a.iface.poll(now, &mut a.dev, &mut a.sockets);
    let sent = a.dev.take_tx();
    assert_eq!(sent.len(), 1);
    let mut partial = sent[0].clone();
    let (_, header) = tcp_lengths(&partial);
    assert!(header >= 20);
    // The checksum field of the TCP header (at 14 + 20 + 16).
    partial[50] ^= 0x5a;
    let errors = b.iface.counters().tcp.in_csum_errors;
    b.dev.rx.push_back(partial.clone());
    b.iface.poll(now, &mut b.dev, &mut b.sockets);
    assert_eq!(b.iface.counters().tcp.in_csum_errors, errors + 1);
    assert_eq!(b.sockets.get::<TcpSocket>(hb).unwrap().recv_queue(), 0);
    b.dev.rx_meta = crate::device::RxMeta::with_transport_checksum_valid(true);
    b.dev.rx.push_back(partial);
    b.iface.poll(now, &mut b.dev, &mut b.sockets);
    assert_eq!(b.iface.counters().tcp.in_csum_errors, errors + 1);
    assert_eq!(b.sockets.get::<TcpSocket>(hb).unwrap().recv_queue(), 1000);
}

#[test]
fn tso_super_segment_to_an_unresolved_neighbour_goes_as_one_mss_first() {
    // The neighbour queue holds packets of the MTU: a super-segment whose
    // next hop must be resolved again is built again as one MSS at a time
    // (queued, sent on resolution), not lost to a retransmission timeout;
    // once the neighbour is known, super-segments follow.
    let mut a = node(A_MAC, A_IP);
    a.dev.caps.max_tso_size = 65_535;
    let mut b = node(B_MAC, B_IP);
    let mut rand = Rand::new(9);
    let (ha, hb, now) = establish(&mut a, &mut b, &mut rand);
    a.iface.inner.neighbors.flush();
    // Three segments: what the queue for one neighbour holds (unres_qlen).
    let data: Vec<u8> = (0..3 * 1448u32).map(|i| (i % 253) as u8).collect();
    a.sockets
        .get_mut::<TcpSocket>(ha)
        .unwrap()
        .send_slice(&data)
        .unwrap();
    a.iface.poll(now, &mut a.dev, &mut a.sockets);
    let first = a.dev.take_tx_with_meta();
    // An ARP request; the data waits in the queue.
    assert_eq!(first.len(), 1, "{} frames", first.len());
    assert_eq!(&first[0].0[12..14], &[0x08, 0x06]);
    b.dev.rx.push_back(first[0].0.clone());
    let mut received = Vec::new();
    let mut supers = 0;
    let mut more = false;
    run(
        &mut a,
        &mut b,
        &mut rand,
        0,
        now,
        Duration::from_secs(5),
        |a, b| {
            for (f, meta) in a.dev.take_tx_with_meta() {
                if !more {
                    assert!(f.len() <= 1514, "one MSS at a time until resolved");
                }
                supers += usize::from(meta.tcp_segment_size.is_some());
                b.dev.rx.push_back(f);
            }
            let sb = b.sockets.get_mut::<TcpSocket>(hb).unwrap();
            let mut buf = [0u8; 65536];
            while let Ok(n) = sb.recv_slice(&mut buf) {
                if n == 0 {
                    break;
                }
                received.extend_from_slice(&buf[..n]);
            }
            if received.len() == data.len() && !more {
                // Resolved: the next data goes in super-segments.
                more = true;
                let sa = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
                sa.send_slice(&[5u8; 100_000]).unwrap();
            }
            received.len() == data.len() + 100_000
        },
    );
    assert!(received[..data.len()] == data[..]);
    assert!(supers > 0, "super-segments once the neighbour is known");
    let info = a.sockets.get::<TcpSocket>(ha).unwrap().info();
    assert_eq!((info.retransmits, info.rto_events), (0, 0));
}

#[test]
fn tso_bulk_transfer_with_loss() {
    // Whole super-frames lost (every segment in them): loss recovery
    // (SACK, NewReno, RTO) retransmits in MSS and every byte arrives.
    for seed in [1, 2, 3] {
        transfer_tso(5, seed, 300_000, 65_535);
    }
    transfer_tso(20, 9, 100_000, 65_535);
}

#[test]
fn tso_cut_by_the_device_bulk_transfer_with_segment_loss() {
    // The device cuts super-segments into MSS segments (as the kernel's
    // GSO does); loss hits single segments of a super-segment, so the
    // receiver sees holes inside it and SACKs the rest: every byte
    // arrives, the connection closes.
    transfer_tso_cut(0, 1, 1 << 20, 65_535, true);
    for seed in 0..6 {
        transfer_tso_cut(5, seed, 300_000, 65_535, true);
    }
    transfer_tso_cut(20, 9, 100_000, 65_535, true);
}

#[test]
#[cfg(feature = "counters")]
fn tso_out_segs_counts_the_segments_a_super_segment_becomes() {
    // RFC 4022 tcpOutSegs: the segments on the wire, not the super-segments
    // handed to the device (which cuts them).
    let mut a = node(A_MAC, A_IP);
    a.dev.caps.max_tso_size = 65_535;
    a.dev.gso = true;
    let mut b = node(B_MAC, B_IP);
    let mut rand = Rand::new(2);
    let (ha, hb, now) = establish(&mut a, &mut b, &mut rand);
    let before = a.iface.counters().tcp.out_segs;
    let data = vec![3u8; 200_000];
    let (mut sent, mut received, mut on_wire, mut supers) = (0, 0, 0u64, 0);
    run(
        &mut a,
        &mut b,
        &mut rand,
        0,
        now,
        Duration::from_secs(60),
        |a, b| {
            let sa = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
            if sent < data.len() {
                sent += sa.send_slice(&data[sent..]).unwrap();
            }
            for (f, meta) in a.dev.take_tx_with_meta() {
                if f[12..14] == [0x08, 0x00] && f[23] == 6 {
                    on_wire += 1;
                    supers += usize::from(meta.tcp_segment_size.is_some());
                }
                b.dev.rx.push_back(f);
            }
            let sb = b.sockets.get_mut::<TcpSocket>(hb).unwrap();
            let mut buf = [0u8; 65536];
            while let Ok(n) = sb.recv_slice(&mut buf) {
                if n == 0 {
                    break;
                }
                received += n;
            }
            received == data.len()
        },
    );
    assert!(supers > 0);
    assert_eq!(a.iface.counters().tcp.out_segs - before, on_wire);
}

#[test]
#[cfg(feature = "pmtu-cache")]
fn tso_segment_size_follows_a_lowered_path_mtu() {
    // RFC 1191 §6.2: ICMP "fragmentation needed" (MTU 1280) about a segment
    // of a super-segment in flight lowers the MSS; the resent data and
    // every later super-segment are cut into segments that fit 1280 (1228
    // bytes of data beside the timestamp option), and all of it arrives.
    use crate::wire::{Checksum, IpProtocol, icmpv4};
    let mut a = node(A_MAC, A_IP);
    a.dev.caps.max_tso_size = 65_535;
    a.dev.gso = true;
    let mut b = node(B_MAC, B_IP);
    let mut rand = Rand::new(4);
    let (ha, hb, now) = establish(&mut a, &mut b, &mut rand);
    let size = 600_000;
    let data: Vec<u8> = (0..size).map(|i| (i * 11 + i / 253) as u8).collect();
    let mut sent = 0;
    let mut received = Vec::with_capacity(size);
    let (mut icmp_sent, mut checking, mut after) = (false, false, 0);
    run(
        &mut a,
        &mut b,
        &mut rand,
        0,
        now,
        Duration::from_secs(60),
        |a, b| {
            let sa = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
            if sent < data.len() {
                sent += sa.send_slice(&data[sent..]).unwrap();
            }
            // Frames A built before it read the ICMP went out as they were.
            checking |= icmp_sent;
            for (f, meta) in a.dev.take_tx_with_meta() {
                if checking {
                    assert!(f.len() - 14 <= 1280, "{} bytes after the ICMP", f.len());
                    if let Some(size) = meta.tcp_segment_size {
                        assert_eq!(size, 1228);
                        after += 1;
                    }
                    b.dev.rx.push_back(f);
                } else if !icmp_sent && meta.tcp_segment_size.is_some() && sent > 200_000 {
                    // A router with a 1280-byte next hop refuses this
                    // segment of a super-segment.
                    icmp_sent = true;
                    let err = icmpv4::Repr::DstUnreachable {
                        reason: icmpv4::DstUnreachable::FragRequired,
                        next_hop_mtu: 1280,
                        data: &f[14..14 + 20 + 32 + 8],
                    };
                    let mut msg = vec![0u8; err.buffer_len()];
                    err.emit(
                        &mut icmpv4::Packet::new_unchecked(&mut msg[..]),
                        Checksum::Both,
                    );
                    let ip = super::ipv4::ipv4_packet(B_IP, A_IP, IpProtocol::Icmp, &msg);
                    a.dev.rx.push_back(super::device::eth(
                        A_MAC,
                        B_MAC,
                        crate::wire::ethernet::EtherType::Ipv4,
                        &ip,
                    ));
                } else {
                    b.dev.rx.push_back(f);
                }
            }
            let sb = b.sockets.get_mut::<TcpSocket>(hb).unwrap();
            let mut buf = [0u8; 65536];
            while let Ok(n) = sb.recv_slice(&mut buf) {
                if n == 0 {
                    break;
                }
                received.extend_from_slice(&buf[..n]);
            }
            received.len() == data.len()
        },
    );
    assert!(icmp_sent);
    assert!(received == data, "the bytes arrive intact and in order");
    assert!(after > 0, "super-segments after the ICMP");
}

#[test]
fn tso_cut_transfers_with_reorder_small_windows_and_odd_writes() {
    // Super-segments cut by the device as a kernel's GSO does, with their
    // segments lost and reordered one by one, into receive windows smaller
    // than a super-segment, from writes of odd sizes with and without
    // Nagle: every byte arrives, in order, and both ends close.
    for (i, rx_b) in [4_000, 20_000, 70_000].into_iter().enumerate() {
        for (j, write) in [1_000, 3_001, 100_000].into_iter().enumerate() {
            for nodelay in [false, true] {
                let seed = (i * 6 + j * 2) as u64 + u64::from(nodelay);
                let link = Link {
                    seed,
                    size: 150_000,
                    max_tso_size: 65_535,
                    cut: true,
                    rx_b,
                    write,
                    nodelay,
                    ..Link::default()
                };
                transfer_with(Link {
                    loss: 3,
                    reorder: 5,
                    ..link
                });
                transfer_with(link);
            }
        }
    }
}

/// Both ends send `size` bytes at once over a link losing `loss` percent
/// of the segments (A's and B's devices cut TSO super-segments when `tso`),
/// then close; the bytes arrive intact both ways. Returns A's and B's
/// (fast retransmits, RTO events) summed.
fn bidirectional(loss: u32, seed: u64, size: usize, tso: bool) -> (u64, u64) {
    let mut a = node(A_MAC, A_IP);
    let mut b = node(B_MAC, B_IP);
    for n in [&mut a, &mut b] {
        n.dev.caps.max_tso_size = if tso { 65_535 } else { 0 };
        n.dev.gso = tso;
    }
    // The interfaces read the capabilities when built.
    a.iface = super::device::test_iface(a.dev.caps, A_MAC);
    a.iface
        .add_ipv4_addr(Ipv4Cidr::new(A_IP, 24).unwrap())
        .unwrap();
    b.iface = super::device::test_iface(b.dev.caps, B_MAC);
    b.iface
        .add_ipv4_addr(Ipv4Cidr::new(B_IP, 24).unwrap())
        .unwrap();
    let mut rand = Rand::new(seed);
    let (ha, hb) = connect(&mut a, &mut b, 5001);
    let data: Vec<u8> = (0..size).map(|i| (i * 13 + i / 241) as u8).collect();
    let (mut sent_a, mut sent_b) = (0, 0);
    let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
    let (mut closed_a, mut closed_b) = (false, false);
    let mut buf = vec![0u8; 65536];
    run(
        &mut a,
        &mut b,
        &mut rand,
        loss,
        Instant::ZERO,
        Duration::from_secs(600),
        |a, b| {
            for (s, sent, got, closed) in [
                (
                    a.sockets.get_mut::<TcpSocket>(ha).unwrap(),
                    &mut sent_a,
                    &mut got_a,
                    &mut closed_a,
                ),
                (
                    b.sockets.get_mut::<TcpSocket>(hb).unwrap(),
                    &mut sent_b,
                    &mut got_b,
                    &mut closed_b,
                ),
            ] {
                if s.may_send() && *sent < data.len() {
                    *sent += s.send_slice(&data[*sent..]).unwrap();
                }
                while let Ok(n) = s.recv_slice(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                if *sent == data.len() && !*closed && s.may_send() {
                    s.close();
                    *closed = true;
                }
            }
            let done = |s: State| matches!(s, State::TimeWait | State::Closed);
            got_a.len() == size
                && got_b.len() == size
                && done(sa_state(a, ha))
                && done(sb_state(b, hb))
        },
    );
    assert!(
        got_a == data && got_b == data,
        "the bytes arrive intact both ways"
    );
    let ia = a.sockets.get::<TcpSocket>(ha).unwrap().info();
    let ib = b.sockets.get::<TcpSocket>(hb).unwrap().info();
    (
        ia.fast_retransmits + ib.fast_retransmits,
        ia.rto_events + ib.rto_events,
    )
}

#[test]
fn bidirectional_transfers_with_loss_recover_by_sack_with_and_without_tso() {
    // Each end's ACKs for the other's data ride on its own full data
    // segments (and super-segments): with their SACK blocks (RFC 2018 §4),
    // loss is repaired by fast retransmit rather than by timeouts.
    let (mut fast, mut rto) = (0, 0);
    for tso in [false, true] {
        for seed in 0..4 {
            let (f, r) = bidirectional(3, seed, 200_000, tso);
            std::println!("tso {tso} seed {seed}: fast retransmits {f}, RTOs {r}");
            fast += f;
            rto += r;
        }
    }
    std::println!("total: fast retransmits {fast}, RTOs {rto}");
    // Before (no SACK blocks on full segments, data-bearing ACKs never
    // duplicates): 4 fast retransmits, 52 timeouts over these runs.
    if crate::socket::tcp::SACK {
        assert!(fast > rto, "fast retransmits {fast}, RTOs {rto}");
    }
}

#[test]
fn rfc4022_in_segs_counts_the_segments_of_a_coalesced_frame() {
    // A TAP hands over the kernel's GSO super-frames whole; tcpInSegs
    // counts the segments they stand for (as Linux counts gso_segs), the
    // data arrives as one frame.
    let mut a = node(A_MAC, A_IP);
    a.dev.caps.max_tso_size = 65_535;
    let mut b = node(B_MAC, B_IP);
    let (ha, hb, now) = establish(&mut a, &mut b, &mut Rand::new(12));
    let data: Vec<u8> = (0..7 * 1448 + 100u32).map(|i| (i % 251) as u8).collect();
    a.sockets
        .get_mut::<TcpSocket>(ha)
        .unwrap()
        .send_slice(&data)
        .unwrap();
    a.iface.poll(now, &mut a.dev, &mut a.sockets);
    let sent = a.dev.take_tx_with_meta();
    let (frame, meta) = sent
        .iter()
        .find(|(_, m)| m.tcp_segment_size.is_some())
        .expect("a super-segment");
    let size = meta.tcp_segment_size.unwrap();
    let (payload, _) = tcp_lengths(frame);
    let segments = payload.div_ceil(usize::from(size)) as u64;
    assert!(segments >= 2, "{payload} bytes in segments of {size}");
    let before = b.iface.counters().tcp.in_segs;
    b.dev.rx_meta = crate::device::RxMeta::default().with_tcp_segment_size(Some(size));
    b.dev.rx.push_back(frame.clone());
    b.iface.poll(now, &mut b.dev, &mut b.sockets);
    assert_eq!(b.iface.counters().tcp.in_segs, before + segments);
    assert_eq!(
        b.sockets.get::<TcpSocket>(hb).unwrap().recv_queue(),
        payload
    );
    // The same bytes unmarked: one segment, whatever their size.
    b.dev.rx_meta = crate::device::RxMeta::default();
    let before = b.iface.counters().tcp.in_segs;
    b.dev.rx.push_back(frame.clone());
    b.iface.poll(now, &mut b.dev, &mut b.sockets);
    assert_eq!(b.iface.counters().tcp.in_segs, before + 1);
}

/// The TCP segment of a frame: sequence number, flags byte, payload, and
/// the IPv4 identification.
fn segment_of(frame: &[u8]) -> (u32, u8, Vec<u8>, u16) {
    let ihl = usize::from(frame[14] & 0x0f) * 4;
    let tcp = &frame[14 + ihl..];
    let (payload, header) = tcp_lengths(frame);
    (
        u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]),
        tcp[13],
        tcp[header..header + payload].to_vec(),
        u16::from_be_bytes([frame[18], frame[19]]),
    )
}

/// A and B connected (seeded), A's socket without Nagle.
fn nodelay_pair(seed: u64) -> (Node, Node, SocketHandle, SocketHandle, Instant) {
    let mut a = node(A_MAC, A_IP);
    let mut b = node(B_MAC, B_IP);
    let (ha, hb, now) = establish(&mut a, &mut b, &mut Rand::new(seed));
    a.sockets
        .get_mut::<TcpSocket>(ha)
        .unwrap()
        .set_nodelay(true);
    (a, b, ha, hb, now)
}

#[test]
fn software_segmentation_cuts_a_burst_into_segments_of_the_mss() {
    // A device without TSO: the socket plans a burst once and the
    // interface cuts it (RFC 9293 §3.7.4 segments of at most the MSS less
    // options): consecutive sequence numbers, PSH only on the last, each
    // its own IP packet (identifications stepping by one), every frame
    // within the MTU, tcpOutSegs per segment.
    let (mut a, mut b, ha, hb, now) = nodelay_pair(21);
    let s = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
    let data: Vec<u8> = (0..5 * 1448 + 300u32).map(|i| (i % 249) as u8).collect();
    s.send_slice(&data).unwrap();
    let out_before = a.iface.counters().tcp.out_segs;
    a.iface.poll(now, &mut a.dev, &mut a.sockets);
    let sent = a.dev.take_tx();
    assert_eq!(sent.len(), 6, "five full segments and the rest");
    assert_eq!(a.iface.counters().tcp.out_segs, out_before + 6);
    let segs: Vec<_> = sent.iter().map(|f| segment_of(f)).collect();
    let mut joined = Vec::new();
    for (i, (seq, flags, payload, ident)) in segs.iter().enumerate() {
        assert!(sent[i].len() <= 1514);
        assert_eq!(payload.len(), if i < 5 { 1448 } else { 300 });
        assert_eq!(seq.wrapping_sub(segs[0].0), (i * 1448) as u32);
        assert_eq!(flags & 0x08 != 0, i == 5, "PSH on the last only");
        assert_eq!(flags & 0x10, 0x10, "every piece carries the ACK");
        assert_eq!(*ident, segs[0].3.wrapping_add(i as u16));
        joined.extend_from_slice(payload);
    }
    assert_eq!(joined, data);
    for f in sent {
        b.dev.rx.push_back(f);
    }
    b.iface.poll(now, &mut b.dev, &mut b.sockets);
    let mut got = vec![0u8; data.len()];
    let n = b
        .sockets
        .get_mut::<TcpSocket>(hb)
        .unwrap()
        .recv_slice(&mut got)
        .unwrap();
    assert_eq!(&got[..n], &data[..]);
}

#[test]
fn software_segmentation_sends_what_the_device_takes_and_the_rest_later() {
    // The device takes two frames of a burst of four: the socket counts
    // two segments sent (the rest is not in flight, so no retransmission
    // is needed for it) and sends the rest, FIN on the last, at the next
    // poll.
    let (mut a, mut b, ha, hb, now) = nodelay_pair(22);
    let s = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
    let data: Vec<u8> = (0..3 * 1448 + 10u32).map(|i| (i % 241) as u8).collect();
    s.send_slice(&data).unwrap();
    s.close();
    a.dev.tx_room = Some(2);
    a.iface.poll(now, &mut a.dev, &mut a.sockets);
    let first = a.dev.take_tx();
    assert_eq!(first.len(), 2);
    assert!(
        first.iter().all(|f| segment_of(f).1 & 0x01 == 0),
        "no FIN yet"
    );
    let info = a.sockets.get::<TcpSocket>(ha).unwrap().info();
    assert_eq!(info.bytes_sent, 2 * 1448);
    a.dev.tx_room = None;
    let later = now + Duration::from_millis(1);
    a.iface.poll(later, &mut a.dev, &mut a.sockets);
    let second = a.dev.take_tx();
    assert_eq!(second.len(), 2, "the rest: one full segment and the tail");
    let (seq, flags, payload, _) = segment_of(&second[1]);
    assert_eq!(payload.len(), 10);
    assert_eq!(flags & 0x01, 0x01, "FIN with the last byte");
    assert_eq!(seq.wrapping_sub(segment_of(&first[0]).0), 3 * 1448);
    for f in first.into_iter().chain(second) {
        b.dev.rx.push_back(f);
    }
    b.iface.poll(later, &mut b.dev, &mut b.sockets);
    let sb = b.sockets.get_mut::<TcpSocket>(hb).unwrap();
    let mut got = vec![0u8; 2 * data.len()];
    let n = sb.recv_slice(&mut got).unwrap();
    assert_eq!(&got[..n], &data[..]);
    assert_eq!(sb.state(), State::CloseWait, "the FIN arrived");
    let info = a.sockets.get::<TcpSocket>(ha).unwrap().info();
    assert_eq!((info.bytes_sent, info.retransmits), (data.len() as u64, 0));
}

#[test]
fn software_segmentation_pieces_across_an_odd_ring_wrap_keep_their_checksums() {
    // A send ring of an odd size and writes of odd sizes without Nagle:
    // pieces straddle the ring's wrap at odd offsets (the second part of a
    // piece summed on the other byte grid, RFC 1071 §2(B)). Every piece
    // must pass B's checksum check and the bytes arrive in order, with
    // and without loss.
    for (loss, seed) in [(0, 31), (5, 32)] {
        let mut a = node(A_MAC, A_IP);
        let mut b = node(B_MAC, B_IP);
        let mut rand = Rand::new(seed);
        let hb = b.sockets.add(tcp(256 * 1024, 4096)).unwrap();
        b.sockets
            .get_mut::<TcpSocket>(hb)
            .unwrap()
            .listen(5002)
            .unwrap();
        let ha = a.sockets.add(tcp(4096, 10_001)).unwrap();
        a.iface
            .tcp_connect(
                Instant::ZERO,
                &mut a.sockets,
                ha,
                IpEndpoint::new(IpAddr::V4(B_IP), 5002),
                None,
            )
            .unwrap();
        a.sockets
            .get_mut::<TcpSocket>(ha)
            .unwrap()
            .set_nodelay(true);
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 + i / 509) as u8).collect();
        let (mut sent, mut got) = (0, Vec::new());
        run(
            &mut a,
            &mut b,
            &mut rand,
            loss,
            Instant::ZERO,
            Duration::from_secs(120),
            |a, b| {
                let s = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
                while sent < data.len() && s.may_send() {
                    let n = s
                        .send_slice(&data[sent..(sent + 777).min(data.len())])
                        .unwrap();
                    if n == 0 {
                        break;
                    }
                    sent += n;
                }
                read_all(b, hb, &mut got);
                got.len() == data.len()
            },
        );
        assert!(
            got == data,
            "loss {loss}%: {} of {} bytes, intact",
            got.len(),
            data.len()
        );
        assert_eq!(b.iface.counters().tcp.in_csum_errors, 0, "loss {loss}%");
    }
}

/// Send `data` from A's socket to B's over a loss-free link (at most 5 s
/// from `now`), showing `watch` every frame A sends; what B read.
fn send_watching(
    a: &mut Node,
    b: &mut Node,
    rand: &mut Rand,
    now: Instant,
    (ha, hb): (SocketHandle, SocketHandle),
    data: &[u8],
    mut watch: impl FnMut(&[u8]),
) -> Vec<u8> {
    let (mut sent, mut got) = (0, Vec::new());
    run(a, b, rand, 0, now, Duration::from_secs(5), |a, b| {
        let s = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
        if sent < data.len() {
            sent += s.send_slice(&data[sent..]).unwrap();
        }
        a.dev.tx.iter().for_each(|f| watch(f));
        read_all(b, hb, &mut got);
        got.len() == data.len()
    });
    got
}

#[test]
#[cfg(feature = "pmtu-cache")]
fn rfc1191_6_2_segments_follow_a_path_mtu_learned_by_another_connection() {
    // The path MTU towards B drops to 1280 while this connection runs
    // (learned from an ICMP error about another connection to B, say): its
    // segments no longer fit, and no ICMP will come about segments never
    // sent. The MSS follows the known path MTU and every byte arrives,
    // each frame within 1280 bytes of IP (no stall until the retries run
    // out).
    let mut a = node(A_MAC, A_IP);
    let mut b = node(B_MAC, B_IP);
    let mut rand = Rand::new(41);
    let (ha, hb, now) = establish(&mut a, &mut b, &mut rand);
    a.iface.inner.learn_pmtu(IpAddr::V4(B_IP), 1280);
    let data: Vec<u8> = (0..50_000u32).map(|i| (i % 239) as u8).collect();
    let mut largest = 0;
    let got = send_watching(&mut a, &mut b, &mut rand, now, (ha, hb), &data, |f| {
        largest = largest.max(f.len());
    });
    assert!(got == data, "{} of {} bytes", got.len(), data.len());
    assert!(largest <= 14 + 1280, "largest frame {largest}");
    let info = a.sockets.get::<TcpSocket>(ha).unwrap().info();
    assert_eq!(info.mss, 1240, "{info:?}");
    assert_eq!(info.rto_events, 0, "resized at once, no timeout: {info:?}");
}

#[test]
#[cfg(all(feature = "pmtu-cache", feature = "proto-ipv6"))]
fn rfc8201_5_2_tcp_over_ipv6_resizes_to_the_path_mtu_instead_of_fragmenting() {
    // IPv6: a TCP segment over a path MTU the stack knows is not sent as
    // fragments (RFC 8201 §5.2: the upper layer is told and sizes its
    // packets); the MSS follows it and every byte arrives in frames of at
    // most 1280 bytes of IP, none with a Fragment header.
    use crate::wire::Ipv6Cidr;
    use core::net::Ipv6Addr;
    let a_ip6 = Ipv6Addr::new(0xfd00, 0x41, 0, 0, 0, 0, 0, 1);
    let b_ip6 = Ipv6Addr::new(0xfd00, 0x41, 0, 0, 0, 0, 0, 2);
    let mut a = node(A_MAC, A_IP);
    let mut b = node(B_MAC, B_IP);
    a.iface
        .add_ipv6_addr(Ipv6Cidr::new(a_ip6, 64).unwrap())
        .unwrap();
    b.iface
        .add_ipv6_addr(Ipv6Cidr::new(b_ip6, 64).unwrap())
        .unwrap();
    let mut rand = Rand::new(42);
    let hb = b.sockets.add(tcp(256 * 1024, 4096)).unwrap();
    b.sockets
        .get_mut::<TcpSocket>(hb)
        .unwrap()
        .listen(5003)
        .unwrap();
    let ha = a.sockets.add(tcp(4096, 64 * 1024)).unwrap();
    a.iface
        .tcp_connect(
            Instant::ZERO,
            &mut a.sockets,
            ha,
            IpEndpoint::new(IpAddr::V6(b_ip6), 5003),
            None,
        )
        .unwrap();
    let now = run(
        &mut a,
        &mut b,
        &mut rand,
        0,
        Instant::ZERO,
        Duration::from_secs(10),
        |a, b| sa_state(a, ha) == State::Established && sb_state(b, hb) == State::Established,
    );
    a.iface.inner.learn_pmtu(IpAddr::V6(b_ip6), 1280);
    let data: Vec<u8> = (0..50_000u32).map(|i| (i % 233) as u8).collect();
    let (mut largest, mut fragments) = (0, 0);
    let got = send_watching(&mut a, &mut b, &mut rand, now, (ha, hb), &data, |f| {
        largest = largest.max(f.len());
        // IPv6, next header 44: a Fragment header.
        if f.get(12..14) == Some(&[0x86, 0xdd][..]) && f.get(20) == Some(&44) {
            fragments += 1;
        }
    });
    assert!(got == data, "{} of {} bytes", got.len(), data.len());
    assert_eq!(fragments, 0, "no fragments");
    assert!(largest <= 14 + 1280, "largest frame {largest}");
    assert_eq!(a.sockets.get::<TcpSocket>(ha).unwrap().info().mss, 1220);
}

/// Header prediction (`fastpath.rs`) takes only the segments it
/// predicts, straight from the frame: here the next in-order data of the
/// connection, unicast, IPv4 without options, ECN marks or fragmentation, ACK (and
/// PSH) only, timestamps in either usual layout, checked checksums. A
/// frame that differs in any one of those (with its checksums made right
/// again, so only the difference itself can turn it away) goes the
/// general way: `hp_hits` does not move, and the general path does with
/// it what it always did.
#[test]
fn header_prediction_takes_only_the_predicted_frame() {
    use crate::wire::{ipv4, tcp};
    // One data segment from A to B, the frame B would receive.
    let setup = || {
        let (mut a, b, ha, hb, now) = nodelay_pair(31);
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 11 + 3) as u8).collect();
        let s = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
        s.send_slice(&data).unwrap();
        a.iface.poll(now, &mut a.dev, &mut a.sockets);
        let frame = a.dev.take_tx().remove(0);
        (b, hb, now, frame, data)
    };
    let fix = |f: &mut Vec<u8>| {
        let ihl = usize::from(f[14] & 0x0f) * 4;
        ipv4::Packet::new_unchecked(&mut f[14..]).fill_checksum();
        let (src, dst) = (IpAddr::V4(A_IP), IpAddr::V4(B_IP));
        tcp::Packet::new_unchecked(&mut f[14 + ihl..]).fill_checksum(&src, &dst);
    };
    // Deliver `frame` to B: (hp_hits gained, bytes B's socket then holds).
    let deliver = |frame: Vec<u8>, meta: crate::device::RxMeta, raw: Option<u8>| {
        let (mut b, hb, now, _, _) = setup();
        #[cfg(feature = "socket-raw")]
        if let Some(protocol) = raw {
            use crate::socket::raw;
            let s = raw::Socket::new(
                crate::wire::IpVersion::Ipv4,
                crate::wire::IpProtocol::from(protocol),
                raw::PacketBuffer::new(vec![raw::PacketMetadataStorage::EMPTY; 4], vec![0u8; 4096]),
                raw::PacketBuffer::new(vec![raw::PacketMetadataStorage::EMPTY; 4], vec![0u8; 4096]),
            );
            b.sockets.add(s).unwrap();
        }
        #[cfg(not(feature = "socket-raw"))]
        let _ = raw;
        let hits = b.iface.counters().tcp.hp_hits;
        b.dev.rx_meta = meta;
        b.dev.rx.push_back(frame);
        b.iface.poll(now, &mut b.dev, &mut b.sockets);
        let held = b.sockets.get::<TcpSocket>(hb).unwrap().recv_queue();
        (b.iface.counters().tcp.hp_hits - hits, held)
    };
    let plain = crate::device::RxMeta::default();
    let (_, _, _, frame, data) = setup();
    let ihl = 20;
    let t = 14 + ihl;
    assert_eq!(frame[t + 12] >> 4, 8, "timestamps: a 32-byte TCP header");

    // The predicted segment, as sent (also with a raw socket for another
    // protocol open) and in Linux's NOP-NOP-TS layout.
    assert_eq!(deliver(frame.clone(), plain, None), (1, data.len()));
    #[cfg(feature = "socket-raw")]
    assert_eq!(deliver(frame.clone(), plain, Some(17)), (1, data.len()));
    let mut linux = frame.clone();
    linux[t + 22..t + 32].copy_from_slice(&frame[t + 20..t + 30]);
    linux[t + 20..t + 22].copy_from_slice(&[1, 1]);
    fix(&mut linux);
    assert_eq!(deliver(linux, plain, None), (1, data.len()));
    // With another window (taken as the general path would: RFC 9293
    // §3.10.7.4, SND.WL1 / SND.WL2).
    let mut window = frame.clone();
    window[t + 14] ^= 0x10;
    fix(&mut window);
    assert_eq!(deliver(window, plain, None), (1, data.len()));

    // One difference each: (what, frame, metadata, a raw socket's
    // protocol).
    let mut cases: Vec<(&str, Vec<u8>, crate::device::RxMeta, Option<u8>)> = Vec::new();
    let mut edit = |what: &'static str, f: &dyn Fn(&mut Vec<u8>)| {
        let mut x = frame.clone();
        f(&mut x);
        cases.push((what, x, plain, None));
    };
    edit("broadcast MAC", &|x| x[..6].copy_from_slice(&[0xff; 6]));
    edit("ECN CE (RFC 3168)", &|x| {
        x[15] |= 3;
        fix(x)
    });
    edit("ECT(0)", &|x| {
        x[15] |= 2;
        fix(x)
    });
    edit("IPv4 More Fragments", &|x| {
        x[20] |= 0x20;
        fix(x)
    });
    edit("IPv4 reserved flag", &|x| {
        x[20] |= 0x80;
        fix(x)
    });
    edit("IPv4 options", &|x| {
        x.splice(34..34, [1, 1, 1, 0]);
        x[14] = 0x46;
        let total = u16::from_be_bytes([x[16], x[17]]) + 4;
        x[16..18].copy_from_slice(&total.to_be_bytes());
        fix(x)
    });
    edit("bad IPv4 header checksum", &|x| x[24] ^= 1);
    edit("bad TCP checksum", &|x| {
        let last = x.len() - 1;
        x[last] ^= 1
    });
    edit("URG", &|x| {
        x[t + 13] |= 0x20;
        fix(x)
    });
    edit("FIN", &|x| {
        x[t + 13] |= 0x01;
        fix(x)
    });
    edit("ECE", &|x| {
        x[t + 13] |= 0x40;
        fix(x)
    });
    edit("AE (RFC 9768)", &|x| {
        x[t + 12] |= 0x01;
        fix(x)
    });
    edit("another option", &|x| {
        // Timestamps moved behind a 2-byte unknown option.
        let ts: Vec<u8> = x[t + 20..t + 30].to_vec();
        x[t + 20..t + 22].copy_from_slice(&[99, 2]);
        x[t + 22..t + 32].copy_from_slice(&ts);
        fix(x)
    });
    edit("out of order", &|x| {
        let seq = u32::from_be_bytes([x[t + 4], x[t + 5], x[t + 6], x[t + 7]]) + 1448;
        x[t + 4..t + 8].copy_from_slice(&seq.to_be_bytes());
        fix(x)
    });
    edit("another port", &|x| {
        x[t] ^= 1;
        fix(x)
    });
    edit("another source", &|x| {
        x[29] ^= 1;
        fix(x)
    });
    cases.push((
        "a checksum the device vouches for",
        frame.clone(),
        crate::device::RxMeta::with_transport_checksum_valid(true),
        None,
    ));
    #[cfg(feature = "socket-raw")]
    cases.push(("a raw socket for TCP", frame.clone(), plain, Some(6)));
    for (what, x, meta, raw) in cases {
        let (hits, _) = deliver(x, meta, raw);
        assert_eq!(hits, 0, "{what}: not predicted");
    }

    // B's ACK of that data, to A: an ACK of new data, predicted (its
    // checksum over the header alone); with a bad checksum, not.
    let ack_to_a = |bad: bool| {
        let (mut a, mut b, ha, _, now) = nodelay_pair(31);
        let s = a.sockets.get_mut::<TcpSocket>(ha).unwrap();
        s.send_slice(&data).unwrap();
        a.iface.poll(now, &mut a.dev, &mut a.sockets);
        b.dev.rx.extend(a.dev.take_tx());
        b.iface.poll(now, &mut b.dev, &mut b.sockets);
        let mut ack = b.dev.take_tx().remove(0);
        assert_eq!(ack.len(), 14 + 20 + 32, "a pure ACK");
        if bad {
            // The urgent pointer: read by nobody (no URG), summed.
            ack[14 + 20 + 18] ^= 1;
        }
        let hits = a.iface.counters().tcp.hp_hits;
        a.dev.rx.push_back(ack);
        a.iface
            .poll(now + Duration::from_millis(1), &mut a.dev, &mut a.sockets);
        let s = a.sockets.get::<TcpSocket>(ha).unwrap();
        (a.iface.counters().tcp.hp_hits - hits, s.send_queue())
    };
    assert_eq!(ack_to_a(false), (1, 0), "the ACK frees the send buffer");
    assert_eq!(ack_to_a(true), (0, data.len()), "a bad checksum: dropped");
}
