//! `FaultInjector` TX corruption over a device that fills TCP checksums
//! itself (as an offload TAP's kernel completes `F_NEEDS_CSUM`) must look
//! like a wire's: the damage comes after the checksum, so the receiving
//! stack's check fails, it drops the segment, and the transfer completes
//! by retransmission with every byte intact. (Before, the device summed
//! the damaged bytes and the receiver took them.)
//!
//! Two ferrotcp stacks on a simulated link, virtual time; A's port is
//! wrapped in `Offload` (declares `checksum.tcp = Rx`, fills TCP checksums
//! unless told `TxMeta::checksums_complete`) under a `FaultInjector` that
//! corrupts 10% of what A sends. IPv4 and IPv6.

use std::net::IpAddr;

use ferrotcp::config::Config;
use ferrotcp::device::{Device, DeviceCapabilities, TxMeta, TxToken};
use ferrotcp::iface::{Interface, InterfaceStorage};
use ferrotcp::socket::tcp::{Socket, SocketBuffer, State};
use ferrotcp::socket::{IpEndpoint, SocketSet};
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::{Checksum, EthernetAddress, IpProtocol, Ipv4Cidr, Ipv6Cidr, checksum};
use ferrotcp_phy::fault::{FaultConfig, FaultInjector};
use ferrotcp_phy::sim::{SimConfig, SimNetwork, SimPort, SimRxToken, SimTxToken};

/// A simulated port whose device fills TCP checksums on transmit.
struct Offload {
    port: SimPort,
    /// Frames it summed / frames it was told were complete.
    summed: u64,
    complete: u64,
}

struct OffloadTx<'a> {
    inner: SimTxToken<'a>,
    meta: TxMeta,
    summed: &'a mut u64,
    complete: &'a mut u64,
}

/// Fill the TCP checksum of the Ethernet + IPv4/IPv6 + TCP `frame` over
/// its bytes as they are (a kernel completing `F_NEEDS_CSUM`).
fn fill_tcp(frame: &mut [u8]) -> bool {
    let (src, dst, start, len): (IpAddr, IpAddr, usize, usize) = match frame[12..14] {
        [0x08, 0x00] if frame[23] == 6 => {
            let ihl = usize::from(frame[14] & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([frame[16], frame[17]]));
            let a: [u8; 4] = frame[26..30].try_into().unwrap();
            let b: [u8; 4] = frame[30..34].try_into().unwrap();
            (a.into(), b.into(), 14 + ihl, total - ihl)
        }
        [0x86, 0xdd] if frame[20] == 6 => {
            let a: [u8; 16] = frame[22..38].try_into().unwrap();
            let b: [u8; 16] = frame[38..54].try_into().unwrap();
            let payload = usize::from(u16::from_be_bytes([frame[18], frame[19]]));
            (a.into(), b.into(), 54, payload)
        }
        _ => return false,
    };
    let tcp = &mut frame[start..start + len];
    tcp[16..18].copy_from_slice(&[0, 0]);
    let pseudo = checksum::pseudo_header(&src, &dst, IpProtocol::Tcp, len as u32);
    let c = !checksum::combine(&[pseudo, checksum::data(tcp)]);
    tcp[16..18].copy_from_slice(&c.to_be_bytes());
    true
}

impl TxToken for OffloadTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let OffloadTx {
            inner,
            meta,
            summed,
            complete,
        } = self;
        inner.consume(len, |frame| {
            let r = f(frame);
            if meta.checksums_complete {
                *complete += 1;
            } else if fill_tcp(frame) {
                *summed += 1;
            }
            r
        })
    }

    fn set_meta(&mut self, meta: TxMeta) {
        self.meta = meta;
    }
}

impl Device for Offload {
    type RxToken<'a> = SimRxToken;
    type TxToken<'a> = OffloadTx<'a>;

    fn receive(&mut self, now: Instant) -> Option<(SimRxToken, OffloadTx<'_>)> {
        let (rx, tx) = self.port.receive(now)?;
        Some((
            rx,
            OffloadTx {
                inner: tx,
                meta: TxMeta::default(),
                summed: &mut self.summed,
                complete: &mut self.complete,
            },
        ))
    }

    fn transmit(&mut self, now: Instant) -> Option<OffloadTx<'_>> {
        Some(OffloadTx {
            inner: self.port.transmit(now)?,
            meta: TxMeta::default(),
            summed: &mut self.summed,
            complete: &mut self.complete,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = self.port.capabilities();
        caps.checksum.tcp = Checksum::Rx;
        caps
    }
}

fn interface(caps: DeviceCapabilities, mac: u8, v4: [u8; 4], v6: u16) -> Interface<'static> {
    let storage = InterfaceStorage::owned(8, 8, 1500, 2, 65_535);
    let mac = EthernetAddress([0x02, 0, 0, 0, 0, mac]);
    let mut iface = Interface::new(
        Config::with_seed(u64::from(mac.0[5])),
        caps,
        mac,
        storage,
        Instant::ZERO,
    );
    iface
        .add_ipv4_addr(Ipv4Cidr::new(v4.into(), 24).unwrap())
        .unwrap();
    iface
        .add_ipv6_addr(Ipv6Cidr::new([0xfd00, 0, 0, 0, 0, 0, 0, v6].into(), 64).unwrap())
        .unwrap();
    iface
}

fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(13) ^ (i / 241)) as u8
}

#[test]
fn tx_corruption_over_a_checksum_offload_device_is_caught_and_retransmitted() {
    const BYTES: usize = 1_000_000;
    for v6 in [false, true] {
        let net = SimNetwork::new(SimConfig {
            delay: Duration::from_millis(1),
            ..SimConfig::default()
        });
        let mut dev_a = FaultInjector::new(
            Offload {
                port: net.add_port(),
                summed: 0,
                complete: 0,
            },
            42,
        )
        .with_tx(FaultConfig {
            corrupt_percent: 10,
            ..FaultConfig::default()
        });
        let mut dev_b = net.add_port();
        assert_eq!(dev_a.capabilities().checksum.tcp, Checksum::Rx);
        let mut a = interface(dev_a.capabilities(), 1, [10, 0, 0, 1], 1);
        let mut b = interface(dev_b.capabilities(), 2, [10, 0, 0, 2], 2);
        let mut sa = SocketSet::new(Vec::new());
        let mut sb = SocketSet::new(Vec::new());
        let socket = || {
            Socket::new(
                SocketBuffer::new(vec![0; 65_536]),
                SocketBuffer::new(vec![0; 65_536]),
            )
        };
        let mut listener = socket();
        listener.listen(80).unwrap();
        let hb = sb.add(listener).unwrap();
        let ha = sa.add(socket()).unwrap();
        let dst: IpAddr = if v6 {
            [0xfd00, 0, 0, 0, 0, 0, 0, 2].into()
        } else {
            [10, 0, 0, 2].into()
        };
        let mut now = Instant::ZERO;
        a.tcp_connect(now, &mut sa, ha, IpEndpoint::new(dst, 80), None)
            .unwrap();
        let (mut sent, mut got) = (0, 0);
        while now < Instant::from_secs(600) {
            a.poll(now, &mut dev_a, &mut sa);
            b.poll(now, &mut dev_b, &mut sb);
            let s = sa.get_mut::<Socket>(ha).unwrap();
            while s.can_send() && sent < BYTES {
                sent += s
                    .send(|buf| {
                        let n = buf.len().min(BYTES - sent);
                        for (k, x) in buf[..n].iter_mut().enumerate() {
                            *x = pattern(sent + k);
                        }
                        (n, n)
                    })
                    .unwrap();
            }
            if sent == BYTES && s.state() == State::Established {
                s.close();
            }
            let r = sb.get_mut::<Socket>(hb).unwrap();
            while r.can_recv() {
                got += r
                    .recv(|buf| {
                        for (k, x) in buf.iter().enumerate() {
                            assert_eq!(*x, pattern(got + k), "byte {} (v6 {v6})", got + k);
                        }
                        (buf.len(), buf.len())
                    })
                    .unwrap();
            }
            if got == BYTES && r.state() == State::CloseWait {
                break;
            }
            let next = [
                a.poll_at(now, &mut sa),
                b.poll_at(now, &mut sb),
                net.next_delivery(),
                dev_a.poll_at(),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(now + Duration::from_millis(10));
            now = next.max(now + Duration::from_micros(1));
        }
        assert_eq!(got, BYTES, "v6 {v6}: every byte arrived intact");
        let corrupted = dev_a.tx_stats().corrupted;
        let off = dev_a.inner();
        // The device summed the clean frames and left the damaged ones.
        assert!(corrupted > 5, "v6 {v6}: {corrupted} frames corrupted");
        assert_eq!(off.complete, corrupted, "v6 {v6}");
        assert!(off.summed > 100, "v6 {v6}");
        // Damage inside a TCP segment fails B's check (RFC 9293 §3.1)
        // instead of being taken; B's counters say so.
        let c = b.counters();
        assert!(
            c.tcp.in_csum_errors > 0,
            "v6 {v6}: {corrupted} corrupted, no checksum error"
        );
        println!(
            "v6 {v6}: {corrupted} frames corrupted, {} TCP checksum errors at B",
            c.tcp.in_csum_errors
        );
    }
}
