#![no_main]
//! One TCP socket driven through the Interface by arbitrary segments.
//!
//! The first input byte picks the start: a socket listening on port 80
//! (left in LISTEN, or taken to ESTABLISHED by a scripted SYN / SYN-ACK /
//! ACK), or an active open to 10.0.0.2:80 taken to ESTABLISHED by a
//! scripted SYN-ACK, with small or large buffers, keep-alive, a user
//! timeout and Nagle chosen by its bits. Then each record is one segment
//! from the peer, built as a `tcp::Repr` with fields from the bytes —
//! sequence and acknowledgment numbers either absolute or near what the
//! socket last sent, so in-window segments are common — plus a time step
//! and an application action (send, recv, close, abort, options). The
//! segment is emitted with a correct checksum inside IPv4 and Ethernet,
//! so it reaches the socket.
//!
//! Nothing may panic; the socket's queues never exceed its buffers; one
//! poll never sends more than a bounded number of frames; the timers run
//! out at the end (no endless `poll_at` in the past).

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr};

use ferrotcp::config::Config;
use ferrotcp::device::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use ferrotcp::iface::{Interface, InterfaceStorage};
use ferrotcp::socket::tcp::{self, State};
use ferrotcp::socket::{IpEndpoint, SocketHandle, SocketSet};
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::tcp::{Control, Packet, Repr, TcpSeqNumber, TcpTimestamp};
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr};

const OUR_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
const PEER_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
const OUR_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const PEER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const PORT: u16 = 80;
const PEER_PORT: u16 = 40_000;
/// More frames than this from one poll is a runaway send loop.
const MAX_FRAMES_PER_POLL: usize = 4_096;

/// The socket's last segment as the peer saw it.
#[derive(Default, Clone, Copy)]
struct Seen {
    /// SEG.SEQ + SEG.LEN of the latest segment: where the socket's data
    /// continues (what the peer acknowledges).
    next: u32,
    /// The socket's ACK: what the peer sends next.
    ack: u32,
    port: u16,
    tsval: u32,
    syn: bool,
}

struct FuzzDevice {
    rx: VecDeque<Vec<u8>>,
    sent: usize,
    seen: Seen,
}

struct Rx(Vec<u8>);
struct Tx<'a> {
    sent: &'a mut usize,
    seen: &'a mut Seen,
}

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        assert!(len <= 1514, "frame larger than the MTU: {len}");
        let mut buf = vec![0u8; len];
        *self.sent += 1;
        let r = f(&mut buf);
        // Ethernet II, IPv4, TCP from us: note where the socket is.
        if buf.len() >= 34 && buf[12..14] == [0x08, 0x00] && buf[23] == 6 {
            let ihl = usize::from(buf[14] & 0x0f) * 4;
            if let Some(Ok(p)) = buf.get(14 + ihl..).map(Packet::new_checked) {
                if !p.rst() {
                    let ts = ferrotcp::wire::tcp::TcpOptionIter::new(p.options())
                        .flatten()
                        .find_map(|o| match o {
                            ferrotcp::wire::tcp::TcpOption::Timestamp(t) => Some(t.tsval),
                            _ => None,
                        });
                    *self.seen = Seen {
                        next: p.seq_number().0.wrapping_add(p.segment_len() as u32),
                        ack: p.ack_number().0,
                        port: p.src_port(),
                        tsval: ts.unwrap_or(self.seen.tsval),
                        syn: p.syn(),
                    };
                }
            }
        }
        r
    }
}

impl Device for FuzzDevice {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;
    fn receive(&mut self, _now: Instant) -> Option<(Rx, Tx<'_>)> {
        let f = self.rx.pop_front()?;
        Some((
            Rx(f),
            Tx {
                sent: &mut self.sent,
                seen: &mut self.seen,
            },
        ))
    }
    fn transmit(&mut self, _now: Instant) -> Option<Tx<'_>> {
        Some(Tx {
            sent: &mut self.sent,
            seen: &mut self.seen,
        })
    }
    fn capabilities(&self) -> DeviceCapabilities {
        DeviceCapabilities::new(Medium::Ethernet, 1514)
    }
}

/// An Ethernet frame with an IPv4 datagram from the peer to us.
fn ipv4_frame(protocol: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(34 + payload.len());
    f.extend_from_slice(&OUR_MAC);
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&[0x08, 0x00]);
    let total = (20 + payload.len()) as u16;
    let mut ip = [0u8; 20];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip[6] = 0x40; // DF
    ip[8] = 64;
    ip[9] = protocol;
    ip[12..16].copy_from_slice(&PEER_IP.octets());
    ip[16..20].copy_from_slice(&OUR_IP.octets());
    let mut sum = 0u32;
    for w in ip.chunks(2) {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    ip[10..12].copy_from_slice(&(!(sum as u16)).to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(payload);
    f
}

fn tcp_frame(repr: &Repr<'_>) -> Vec<u8> {
    let mut seg = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut Packet::new_unchecked(&mut seg[..]),
        &IpAddr::V4(PEER_IP),
        &IpAddr::V4(OUR_IP),
        Checksum::Both,
    );
    ipv4_frame(6, &seg)
}

/// An ARP request from the peer for our address: the interface learns the
/// peer's hardware address (RFC 826), so its segments are not held back.
fn arp_request() -> Vec<u8> {
    let mut f = Vec::with_capacity(42);
    f.extend_from_slice(&[0xff; 6]);
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1]);
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&PEER_IP.octets());
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&OUR_IP.octets());
    f
}

fn bare(control: Control, seq: u32, ack: Option<u32>, dst_port: u16) -> Repr<'static> {
    Repr {
        src_port: PEER_PORT,
        dst_port,
        control,
        psh: false,
        seq_number: TcpSeqNumber(seq),
        ack_number: ack.map(TcpSeqNumber),
        window_len: 65_535,
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

/// A cursor over the input.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
}

struct Harness {
    iface: Interface<'static>,
    dev: FuzzDevice,
    sockets: SocketSet<'static>,
    handle: SocketHandle,
    now: Instant,
    rx_cap: usize,
    tx_cap: usize,
    /// The peer's next sequence number.
    peer_nxt: u32,
}

impl Harness {
    fn poll(&mut self) {
        let before = self.dev.sent;
        self.iface.poll(self.now, &mut self.dev, &mut self.sockets);
        assert!(
            self.dev.sent - before <= MAX_FRAMES_PER_POLL,
            "one poll sent {} frames",
            self.dev.sent - before
        );
        let s = self.sockets.get::<tcp::Socket>(self.handle).unwrap();
        // Bounded memory: the socket only ever holds what its buffers hold.
        assert!(s.recv_queue() <= self.rx_cap && s.send_queue() <= self.tx_cap);
    }

    fn deliver(&mut self, frame: Vec<u8>) {
        self.dev.rx.push_back(frame);
        self.poll();
    }

    fn socket(&mut self) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(self.handle).unwrap()
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let mode = input.u8();
    let caps = DeviceCapabilities::new(Medium::Ethernet, 1514);
    let storage = InterfaceStorage::owned(4, 4, 1500, 2, 65535);
    let mut iface = Interface::new(
        Config::with_seed(1),
        caps,
        EthernetAddress(OUR_MAC),
        storage,
        Instant::ZERO,
    );
    iface
        .add_ipv4_addr(Ipv4Cidr::new(OUR_IP, 24).unwrap())
        .unwrap();
    let (rx_cap, tx_cap) = if mode & 0x04 != 0 {
        (64 * 1024, 64 * 1024)
    } else {
        (1024, 512)
    };
    let mut socket = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0u8; rx_cap]),
        tcp::SocketBuffer::new(vec![0u8; tx_cap]),
    );
    if mode & 0x08 != 0 {
        socket.set_keep_alive(Some(Duration::from_secs(u64::from(mode >> 6) * 20 + 1)));
    }
    if mode & 0x10 != 0 {
        socket.set_timeout(Some(Duration::from_secs(30)));
    }
    socket.set_nodelay(mode & 0x20 != 0);
    let mut sockets = SocketSet::new(Vec::new());
    let handle = sockets.add(socket).unwrap();
    let mut h = Harness {
        iface,
        dev: FuzzDevice {
            rx: VecDeque::new(),
            sent: 0,
            seen: Seen::default(),
        },
        sockets,
        handle,
        now: Instant::ZERO,
        rx_cap,
        tx_cap,
        peer_nxt: 1_000,
    };
    h.deliver(arp_request());

    // The start: LISTEN, or ESTABLISHED by a scripted handshake.
    let peer_iss = 1_000u32;
    let syn_options = |r: &mut Repr<'_>| {
        r.max_seg_size = Some(536 + u16::from(mode >> 6) * 300);
        r.window_scale = (mode & 0x40 != 0).then_some(mode >> 5 & 7);
        r.sack_permitted = mode & 0x80 != 0;
        r.timestamp = (mode & 0x20 != 0).then_some(TcpTimestamp { tsval: 5, tsecr: 0 });
    };
    match mode & 0x03 {
        0 | 1 => {
            h.socket().listen(PORT).unwrap();
            if mode & 0x01 != 0 {
                let mut syn = bare(Control::Syn, peer_iss, None, PORT);
                syn_options(&mut syn);
                h.deliver(tcp_frame(&syn));
                h.peer_nxt = peer_iss.wrapping_add(1);
                h.poll();
                let seen = h.dev.seen;
                let mut ack = bare(Control::None, h.peer_nxt, Some(seen.next), PORT);
                ack.timestamp = syn.timestamp.map(|_| TcpTimestamp {
                    tsval: 6,
                    tsecr: seen.tsval,
                });
                h.deliver(tcp_frame(&ack));
            }
        }
        _ => {
            let remote = IpEndpoint::new(IpAddr::V4(PEER_IP), PEER_PORT);
            h.iface
                .tcp_connect(h.now, &mut h.sockets, h.handle, remote, Some(PORT))
                .unwrap();
            h.poll();
            let seen = h.dev.seen;
            if mode & 0x01 != 0 && seen.syn {
                let mut synack = bare(Control::Syn, peer_iss, Some(seen.next), PORT);
                syn_options(&mut synack);
                if let Some(ts) = synack.timestamp.as_mut() {
                    ts.tsecr = seen.tsval;
                }
                h.deliver(tcp_frame(&synack));
                h.peer_nxt = peer_iss.wrapping_add(1);
            }
        }
    }
    let debug = std::env::var_os("TCP_SOCKET_FUZZ_DEBUG").is_some();
    if debug {
        eprintln!("start: {}", h.socket().state());
    }
    let payload_pool: Vec<u8> = (0..=255u8).cycle().take(4096).collect();

    // Records: flags, seq/ack choice, fields, time step, action.
    while !input.0.is_empty() {
        let flags = input.u8();
        let how = input.u8();
        let seen = h.dev.seen;
        let seq = match how & 0x03 {
            0 => h.peer_nxt,
            1 => h
                .peer_nxt
                .wrapping_add(i32::from(input.u16() as i16) as u32),
            2 => seen.ack.wrapping_add(u32::from(input.u16())),
            _ => input.u32(),
        };
        let ack = match how >> 2 & 0x03 {
            0 => Some(seen.next),
            1 => Some(seen.next.wrapping_add(i32::from(input.u16() as i16) as u32)),
            2 => None,
            _ => Some(input.u32()),
        };
        let control = match flags & 0x03 {
            0 => Control::None,
            1 => Control::Fin,
            2 => Control::Rst,
            _ => Control::Syn,
        };
        let len = match how >> 4 & 0x03 {
            0 => 0,
            1 => usize::from(input.u8()),
            2 => usize::from(input.u16() % 1460),
            _ => 1,
        };
        let mut repr = bare(
            control,
            seq,
            ack,
            if how & 0x40 != 0 {
                input.u16()
            } else {
                seen.port.max(1)
            },
        );
        if seen.port == 0 {
            repr.dst_port = PORT;
        }
        repr.psh = flags & 0x04 != 0;
        repr.window_len = if flags & 0x08 != 0 {
            input.u16()
        } else {
            65_535
        };
        if flags & 0x10 != 0 {
            repr.timestamp = Some(TcpTimestamp {
                tsval: if how & 0x80 != 0 {
                    input.u32()
                } else {
                    h.now.total_millis() as u32 + 10
                },
                tsecr: seen.tsval,
            });
        }
        if flags & 0x20 != 0 {
            let base = seen.ack;
            for slot in repr
                .sack_ranges
                .iter_mut()
                .take(usize::from(input.u8() % 4))
            {
                let l = base.wrapping_add(u32::from(input.u16()));
                *slot = Some((l, l.wrapping_add(u32::from(input.u16()))));
            }
        }
        if control == Control::Syn {
            repr.max_seg_size = Some(input.u16());
            repr.window_scale = Some(input.u8());
            repr.sack_permitted = flags & 0x40 != 0;
        }
        repr.urgent_at = (flags & 0x80 != 0).then(|| input.u16());
        let off = usize::from(input.u8()) * 8;
        repr.payload = &payload_pool[off..off + len.min(payload_pool.len() - off)];
        let in_order = seq == h.peer_nxt;
        let frame = tcp_frame(&repr);

        // The time step (up to about 1.3 minutes), then the segment.
        let step = input.u8();
        h.now = h.now + Duration::from_millis(u64::from(step) * u64::from(step) * 2);
        h.deliver(frame);
        if in_order && control != Control::Rst {
            h.peer_nxt = seq.wrapping_add(repr.segment_len() as u32);
        }

        // The application.
        let action = input.u8();
        let s = h.socket();
        match action & 0x07 {
            0 => {}
            1 => {
                let n = usize::from(input.u8()) * 16;
                let _ = s.send_slice(&payload_pool[..n]);
            }
            2 => {
                let mut buf = [0u8; 2048];
                let _ = s.recv_slice(&mut buf);
            }
            3 => s.close(),
            4 if action & 0x80 != 0 => s.abort(),
            5 => s.set_keep_alive(
                (action & 0x08 != 0).then(|| Duration::from_millis(u64::from(action) * 100)),
            ),
            6 => s.set_timeout(
                (action & 0x08 != 0).then(|| Duration::from_millis(u64::from(action) * 100)),
            ),
            7 => {
                let _ = (
                    s.info(),
                    s.state(),
                    s.may_send(),
                    s.may_recv(),
                    s.can_send(),
                    s.can_recv(),
                );
                if s.state() == State::Closed && action & 0x80 != 0 {
                    let _ = s.listen(PORT);
                }
            }
            _ => {}
        }
        h.poll();
        let _ = h.iface.poll_at(h.now, &mut h.sockets);
        if debug {
            let now = h.now;
            let s = h.socket();
            eprintln!(
                "{now}: {} rx {} tx {}",
                s.state(),
                s.recv_queue(),
                s.send_queue()
            );
        }
    }
    // Run the timers out: everything settles.
    for _ in 0..256 {
        match h.iface.poll_at(h.now, &mut h.sockets) {
            Some(t) => h.now = t.max(h.now + Duration::from_millis(1)),
            None => break,
        }
        h.poll();
    }
});
