#![no_main]
//! The whole interface: the input is a sequence of (time step, frame)
//! records fed through `Interface::poll` with a UDP, an ICMP and a raw
//! socket open, a TCP listener on port 80 (listening again whenever its
//! connection ends) and an active TCP connection to 10.0.0.2:5555, on both
//! families. Nothing may panic, and every buffer the stack uses is fixed
//! (the test device drops what the stack sends).
//!
//! A record whose step byte has its top bit set has its IPv4 header
//! checksum and its TCP / UDP / ICMP checksum recomputed before it is fed
//! in (the stack checks them all), so the fuzzer reaches what lies behind
//! the checksum checks: connection states, data, the receive fast path.
//!
//! Every input runs twice, with TCP header prediction (the receive fast
//! path) on and off: both runs must send the same frames and end with the
//! same counters (but `hp_hits`) and connections. To get there the fuzzer
//! need not guess the stack's sequence numbers: with bit 4 of the first
//! byte set, every TCP segment fed in acknowledges the end of the last
//! segment the stack sent (a peer that keeps up), so handshakes complete
//! and in-order data flows.

use std::collections::VecDeque;
use std::hash::{DefaultHasher, Hasher};

use ferrotcp::config::Config;
use ferrotcp::device::{Device, DeviceCapabilities, Medium, RxMeta, RxToken, TxMeta, TxToken};
use ferrotcp::iface::{Interface, InterfaceStorage};
use ferrotcp::socket::{IpEndpoint, SocketSet, icmp, raw, tcp, udp};
use ferrotcp::storage::PacketMetadata;
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::{EthernetAddress, IpProtocol, IpVersion, Ipv4Cidr, Ipv6Cidr};

/// TCP segmentation offload when declared: the largest super-segment.
const TSO_MAX: usize = 65535;

struct FuzzDevice {
    /// Frames, each with whether the device vouches for its checksum.
    rx: VecDeque<(Vec<u8>, bool)>,
    /// Every frame sent, digested.
    sent: DefaultHasher,
    /// Where the last TCP segment sent ended (its SEQ + SEG.LEN).
    last_end: Option<u32>,
    tso: bool,
    /// Frames the device takes before it is full (None: no limit).
    tx_room: Option<usize>,
}

struct Rx(Vec<u8>, bool);
struct Tx<'a>(
    &'a mut DefaultHasher,
    &'a mut Option<u32>,
    bool,
    Option<u16>,
);

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
    fn meta(&self) -> RxMeta {
        // A vouched-for frame also claims to be coalesced TCP segments of
        // a size read off its last byte (0 included: never divided by).
        let segment = self.1.then(|| u16::from(self.0.last().copied().unwrap_or(0)) * 8);
        RxMeta::with_transport_checksum_valid(self.1).with_tcp_segment_size(segment)
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        // Only a TCP super-segment, to a device that declared TSO, may
        // exceed the MTU.
        let max = if self.2 && self.3.is_some() {
            14 + TSO_MAX
        } else {
            1514
        };
        assert!(
            len <= max,
            "frame larger than allowed: {len} (segment size {:?})",
            self.3
        );
        let mut buf = vec![0u8; len];
        let r = f(&mut buf);
        self.0.write(&buf);
        self.0.write_u16(self.3.unwrap_or(0));
        if let Some(end) = segment_end(&buf) {
            *self.1 = Some(end);
        }
        r
    }
    fn set_meta(&mut self, meta: TxMeta) {
        assert!(
            self.2 || meta.tcp_segment_size.is_none(),
            "TSO asked of a device without it"
        );
        self.3 = meta.tcp_segment_size;
    }
}

impl Device for FuzzDevice {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;
    fn receive(&mut self, _now: Instant) -> Option<(Rx, Tx<'_>)> {
        let (f, trusted) = self.rx.pop_front()?;
        Some((
            Rx(f, trusted),
            Tx(&mut self.sent, &mut self.last_end, self.tso, None),
        ))
    }
    fn transmit(&mut self, _now: Instant) -> Option<Tx<'_>> {
        // A device that fills up now and then (a burst cut short).
        if let Some(room) = &mut self.tx_room {
            if *room == 0 {
                return None;
            }
            *room -= 1;
        }
        Some(Tx(&mut self.sent, &mut self.last_end, self.tso, None))
    }
    fn capabilities(&self) -> DeviceCapabilities {
        caps(self.tso)
    }
}

/// Where the TCP segment in an Ethernet frame (IPv4 or IPv6 without
/// extension headers) ends in sequence space: SEQ + payload + SYN + FIN.
fn segment_end(frame: &[u8]) -> Option<u32> {
    let ip = frame.get(14..)?;
    let (total, l4) = match u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]) {
        0x0800 if *ip.get(9)? == 6 => {
            let ihl = usize::from(ip[0] & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
            (total.checked_sub(ihl)?, ip.get(ihl..)?)
        }
        0x86dd if *ip.get(6)? == 6 => (
            usize::from(u16::from_be_bytes([ip[4], ip[5]])),
            ip.get(40..)?,
        ),
        _ => return None,
    };
    let header = usize::from(*l4.get(12)? >> 4) * 4;
    let flags = *l4.get(13)?;
    let seq = u32::from_be_bytes(l4.get(4..8)?.try_into().ok()?);
    let len = total.checked_sub(header)? as u32
        + u32::from(flags & 0x02 != 0)
        + u32::from(flags & 0x01 != 0);
    Some(seq.wrapping_add(len))
}

/// Set the acknowledgment number of the TCP segment in an Ethernet frame
/// (IPv4 or IPv6 without extension headers), if it is one.
fn set_ack(frame: &mut [u8], ack: u32) {
    let Some(&[a, b]) = frame.get(12..14) else {
        return;
    };
    let at = match u16::from_be_bytes([a, b]) {
        0x0800 if frame.get(14 + 9) == Some(&6) => 14 + usize::from(frame[14] & 0x0f) * 4,
        0x86dd if frame.get(14 + 6) == Some(&6) => 14 + 40,
        _ => return,
    };
    if let Some(field) = frame.get_mut(at + 8..at + 12) {
        field.copy_from_slice(&ack.to_be_bytes());
    }
}

/// Recompute the checksums of an Ethernet frame carrying IPv4 or IPv6
/// (no extension headers) as a peer would have filled them. Lengths come
/// from the headers, clamped to the frame; anything too short is left as
/// it is.
fn fix_checksums(frame: &mut [u8]) {
    use ferrotcp::wire::checksum;
    use std::net::IpAddr;
    let Some(ethertype) = frame.get(12..14).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
        return;
    };
    let ip = &mut frame[14..];
    let (src, dst, protocol, l4) = match ethertype {
        0x0800 if ip.len() >= 20 => {
            let ihl = usize::from(ip[0] & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([ip[2], ip[3]])).min(ip.len());
            if ihl < 20 || ihl > total {
                return;
            }
            ip[10..12].copy_from_slice(&[0, 0]);
            let sum = !checksum::data(&ip[..ihl]);
            ip[10..12].copy_from_slice(&sum.to_be_bytes());
            let src = IpAddr::from([ip[12], ip[13], ip[14], ip[15]]);
            let dst = IpAddr::from([ip[16], ip[17], ip[18], ip[19]]);
            (src, dst, ip[9], &mut ip[ihl..total])
        }
        0x86dd if ip.len() >= 40 => {
            let len = usize::from(u16::from_be_bytes([ip[4], ip[5]])).min(ip.len() - 40);
            let mut s = [0u8; 16];
            let mut d = [0u8; 16];
            s.copy_from_slice(&ip[8..24]);
            d.copy_from_slice(&ip[24..40]);
            (
                IpAddr::from(s),
                IpAddr::from(d),
                ip[6],
                &mut ip[40..40 + len],
            )
        }
        _ => return,
    };
    // Where each protocol keeps its checksum, and whether the
    // pseudo-header counts (ICMPv4 has none).
    let (at, pseudo) = match protocol {
        6 => (16, true),
        17 => (6, true),
        1 => (2, false),
        58 => (2, true),
        _ => return,
    };
    if l4.len() < at + 2 {
        return;
    }
    l4[at..at + 2].copy_from_slice(&[0, 0]);
    let body = checksum::data(l4);
    let sum = if pseudo {
        let p = checksum::pseudo_header(&src, &dst, IpProtocol::from(protocol), l4.len() as u32);
        checksum::combine(&[p, body])
    } else {
        body
    };
    let mut sum = !sum;
    // RFC 768: a computed UDP checksum of zero is sent as all ones.
    if protocol == 17 && sum == 0 {
        sum = 0xffff;
    }
    l4[at..at + 2].copy_from_slice(&sum.to_be_bytes());
}

fn caps(tso: bool) -> DeviceCapabilities {
    let mut caps = DeviceCapabilities::new(Medium::Ethernet, 1514);
    if tso {
        caps.max_tso_size = TSO_MAX;
    }
    caps
}

/// What a run left behind, to compare with and without header prediction.
#[derive(Debug, PartialEq)]
struct Outcome {
    sent: u64,
    counters: ferrotcp::iface::Counters,
    connections: [tcp::TcpInfo; 2],
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut on = run(data, true);
    let off = run(data, false);
    assert_eq!(off.counters.tcp.hp_hits, 0);
    on.counters.tcp.hp_hits = 0;
    assert_eq!(on, off, "header prediction changed what the stack did");
});

fn run(data: &[u8], fast_path: bool) -> Outcome {
    // Bit 6 of the first byte: the device declares TSO (the TCP sockets
    // then send super-segments); bit 5: a raw socket for TCP is open (the
    // fast path then stands aside).
    let tso = data.first().is_some_and(|b| b & 0x40 != 0);
    let raw_tcp = data.first().is_some_and(|b| b & 0x20 != 0);
    let keep_up = data.first().is_some_and(|b| b & 0x10 != 0);
    let caps = caps(tso);
    let mac = EthernetAddress([2, 0, 0, 0, 0, 1]);
    let storage = InterfaceStorage::owned(4, 4, 1500, 2, 65535);
    let mut iface = Interface::new(Config::with_seed(1), caps, mac, storage, Instant::ZERO);
    iface.set_tcp_fast_path(fast_path);
    iface
        .add_ipv4_addr(Ipv4Cidr::new([10, 0, 0, 1].into(), 24).unwrap())
        .unwrap();
    iface
        .add_ipv6_addr(Ipv6Cidr::new("fd00::1".parse().unwrap(), 64).unwrap())
        .unwrap();
    iface
        .add_ipv6_addr(Ipv6Cidr::new("fe80::1".parse().unwrap(), 64).unwrap())
        .unwrap();
    let mut sockets = SocketSet::new(Vec::new());
    let u = sockets
        .add(udp::Socket::new(
            udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 2048]),
            udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 2048]),
        ))
        .unwrap();
    sockets.get_mut::<udp::Socket>(u).unwrap().bind(7).unwrap();
    let i = sockets
        .add(icmp::Socket::new(
            icmp::PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 2048]),
            icmp::PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 2048]),
        ))
        .unwrap();
    sockets
        .get_mut::<icmp::Socket>(i)
        .unwrap()
        .bind(0x1234)
        .unwrap();
    let _ = sockets.add(raw::Socket::new(
        IpVersion::Ipv4,
        if raw_tcp {
            IpProtocol::Tcp
        } else {
            IpProtocol(253)
        },
        raw::PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 2048]),
        raw::PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 2048]),
    ));
    let tcp_socket = || {
        tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0u8; 2048]),
            tcp::SocketBuffer::new(vec![0u8; 2048]),
        )
    };
    let listener = sockets.add(tcp_socket()).unwrap();
    sockets
        .get_mut::<tcp::Socket>(listener)
        .unwrap()
        .listen(80)
        .unwrap();
    let active = sockets.add(tcp_socket()).unwrap();
    iface
        .tcp_connect(
            Instant::ZERO,
            &mut sockets,
            active,
            IpEndpoint::new([10, 0, 0, 2].into(), 5555),
            Some(40_000),
        )
        .unwrap();
    let mut dev = FuzzDevice {
        rx: VecDeque::new(),
        sent: DefaultHasher::new(),
        last_end: None,
        tso,
        tx_room: None,
    };
    let mut now = Instant::ZERO;
    // Records: [step: u8][len: u16 BE][frame bytes]. Step bit 7: fix the
    // checksums; bit 6: the device vouches for the frame's checksum (an
    // offload TAP), so the stack does not check it.
    let mut rest = data;
    while rest.len() >= 3 {
        let step = rest[0];
        let len = usize::from(u16::from_be_bytes([rest[1], rest[2]])).min(rest.len() - 3);
        let mut frame = rest[3..3 + len].to_vec();
        rest = &rest[3 + len..];
        if keep_up && let Some(end) = dev.last_end {
            set_ack(&mut frame, end);
        }
        if step & 0x80 != 0 {
            fix_checksums(&mut frame);
        }
        let trusted = step & 0x40 != 0;
        let step = step & 0x7f;
        // Time moves in irregular steps, up to about 32 seconds.
        now = now + Duration::from_millis(u64::from(step) * u64::from(step) * 2);
        // Now and then the device takes only a frame or two this poll.
        dev.tx_room = (len % 7 == 3).then_some(len % 3);
        dev.rx.push_back((frame, trusted));
        iface.poll(now, &mut dev, &mut sockets);
        // Echo what the UDP socket received (exercises the send path).
        let s = sockets.get_mut::<udp::Socket>(u).unwrap();
        if let Ok((payload, meta)) = s.recv().map(|(p, m)| (p.to_vec(), m)) {
            let _ = s.send_slice(&payload, meta.endpoint);
        }
        // TCP: echo what arrives, close when the peer has, listen again
        // when the listener's connection is over.
        for h in [listener, active] {
            let s = sockets.get_mut::<tcp::Socket>(h).unwrap();
            let mut buf = [0u8; 512];
            match s.recv_slice(&mut buf) {
                Ok(n) if n > 0 => {
                    let _ = s.send_slice(&buf[..n]);
                }
                Err(tcp::RecvError::Finished) => s.close(),
                _ => {}
            }
            assert!(s.recv_queue() <= 2048 && s.send_queue() <= 2048);
        }
        let l = sockets.get_mut::<tcp::Socket>(listener).unwrap();
        if l.state() == tcp::State::Closed {
            l.listen(80).unwrap();
        }
        let _ = iface.poll_at(now, &mut sockets);
    }
    // Run the timers out: everything must settle.
    dev.tx_room = None;
    for _ in 0..64 {
        match iface.poll_at(now, &mut sockets) {
            Some(t) => now = t.max(now + Duration::from_millis(1)),
            None => break,
        }
        iface.poll(now, &mut dev, &mut sockets);
    }
    let info = |h| sockets.get::<tcp::Socket>(h).unwrap().info();
    Outcome {
        sent: dev.sent.finish(),
        counters: *iface.counters(),
        connections: [info(listener), info(active)],
    }
}
