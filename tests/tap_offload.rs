//! TCP through an offload TAP (`TunTapDevice::tap_offload`: virtio_net_hdr,
//! TSO/GSO both ways) between the Linux kernel and ferrotcp: 10 MB each
//! way over IPv4 and over IPv6 (four connections at once), compared byte
//! for byte, and the device's counters show that TCP super-frames (longer
//! than the MTU) really went both ways.
//!
//! A second test moves IPv6 data from the kernel with the TAP's MTU at
//! 1500 and at 65,521 (tun's maximum), so the kernel sends its longest
//! IPv6 frames (a TSO super-frame of 45 segments; a single packet of the
//! whole MTU): they must arrive whole (byte compare, no read truncated).
//!
//! Needs root: the test makes a network namespace with a TAP in it (the
//! kernel 10.79.0.1/24 and fd00:79::1/64, the stack .2 / ::2) and runs itself again inside
//! it (`ip netns exec`, marked by an environment variable), so nothing
//! touches the caller's namespace. Not root: skipped with a message.
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use ferrotcp::config::Config;
use ferrotcp::iface::{Interface, InterfaceStorage};
use ferrotcp::socket::tcp::{Socket, SocketBuffer, State};
use ferrotcp::socket::{SocketHandle, SocketSet};
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr, Ipv6Cidr};
use ferrotcp_phy::tap::{self, TunTapDevice};

const INNER: &str = "FERROTCP_TAP_OFFLOAD_INNER";
const TEST: &str = "offload_tap_moves_10_mb_each_way_in_super_frames";
const TEST_V6: &str = "offload_tap_delivers_the_longest_ipv6_frames_whole";
const TAP: &str = "ftso0";
const KERNEL: Ipv4Addr = Ipv4Addr::new(10, 79, 0, 1);
const STACK: Ipv4Addr = Ipv4Addr::new(10, 79, 0, 2);
const KERNEL6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x79, 0, 0, 0, 0, 0, 1);
const STACK6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x79, 0, 0, 0, 0, 0, 2);
/// Bytes per flow: four flows, each way over IPv4 and IPv6.
const BYTES: usize = 10_000_000;
/// A bound on the loop, so a stall fails instead of hanging: 10 MB each
/// way takes well under a second here.
const MAX_LOOPS: usize = 20_000_000;

/// The byte at offset `i` of the stream (not a multiple of anything the
/// segment sizes are).
fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(7) ^ (i / 251)) as u8
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

/// Deletes the namespace (and the TAP in it) when the test ends.
struct Namespace(String);

impl Drop for Namespace {
    fn drop(&mut self) {
        ip(&["netns", "del", &self.0]);
    }
}

#[test]
fn offload_tap_moves_10_mb_each_way_in_super_frames() {
    if std::env::var_os(INNER).is_some() {
        let stats = inside_the_namespace(&[
            (IpAddr::V4(STACK), 1234, true),
            (IpAddr::V4(STACK), 1235, false),
            (IpAddr::V6(STACK6), 1236, true),
            (IpAddr::V6(STACK6), 1237, false),
        ]);
        assert!(
            stats.tx_super_frames > 0,
            "the stack sent TCP super-segments: {stats:?}"
        );
        assert!(
            stats.rx_super_frames > 0,
            "the kernel sent frames longer than the MTU: {stats:?}"
        );
        return;
    }
    if !is_root() {
        eprintln!("skipped: needs root (creates a network namespace with a TAP)");
        return;
    }
    in_a_namespace(TEST, "tso", 1500);
}

#[test]
fn offload_tap_delivers_the_longest_ipv6_frames_whole() {
    if let Some(mtu) = std::env::var_os(INNER) {
        let mtu: usize = mtu.to_str().unwrap().parse().unwrap();
        let stats = inside_the_namespace(&[(IpAddr::V6(STACK6), 1238, false)]);
        // The kernel's longest IPv6 frames: at MTU 1500, TSO super-frames
        // of up to 45 segments of 1,428 bytes with timestamps (64,346
        // bytes; the size goal stays under its 64 KB GSO limit less header
        // room, so the exact count is the kernel's); at MTU 65,521 (tun's
        // maximum, 65,535 less the Ethernet header) one packet of the
        // whole MTU, a 65,535-byte frame. The buffer takes both, no read
        // is cut.
        let longest = if mtu == 1500 { 60_000 } else { 65_000 };
        assert!(
            stats.rx_max_frame_len >= longest,
            "the kernel sent IPv6 frames of {longest}+ bytes at MTU {mtu}: {stats:?}"
        );
        return;
    }
    if !is_root() {
        eprintln!("skipped: needs root (creates a network namespace with a TAP)");
        return;
    }
    for mtu in [1500, 65_521] {
        in_a_namespace(TEST_V6, "v6", mtu);
    }
}

/// Make a namespace with the TAP (IP MTU `mtu`) and the kernel's
/// addresses, and run `test` of this binary again inside it.
fn in_a_namespace(test: &str, tag: &str, mtu: usize) {
    let ns = Namespace(format!("ftcp-{tag}-{}", std::process::id()));
    let n = ns.0.as_str();
    let kernel = format!("{KERNEL}/24");
    let kernel6 = format!("{KERNEL6}/64");
    let mtu = mtu.to_string();
    for args in [
        &["netns", "add", n][..],
        &["-n", n, "link", "set", "lo", "up"],
        &["-n", n, "tuntap", "add", "dev", TAP, "mode", "tap"],
        &["-n", n, "link", "set", TAP, "mtu", &mtu],
        &["-n", n, "addr", "add", &kernel, "dev", TAP],
        &["-n", n, "addr", "add", &kernel6, "dev", TAP, "nodad"],
        &["-n", n, "link", "set", TAP, "up"],
    ] {
        assert!(ip(args), "ip {args:?}");
    }
    let exe = std::env::current_exe().unwrap();
    let status = Command::new("ip")
        .args(["netns", "exec", n])
        .arg(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(INNER, &mtu)
        .status()
        .unwrap();
    assert!(status.success(), "the run inside {n} failed: {status}");
}

/// The kernel side of one flow the stack sends: read everything, check
/// the pattern; returns the bytes read.
fn kernel_reader(addr: IpAddr, port: u16) -> std::io::Result<usize> {
    let mut s = TcpStream::connect((addr, port))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut got = 0;
    loop {
        let n = s.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for (k, b) in buf[..n].iter().enumerate() {
            assert_eq!(*b, pattern(got + k), "kernel read byte {}", got + k);
        }
        got += n;
    }
    Ok(got)
}

/// The kernel side of one flow the stack receives: write the pattern,
/// then wait for the stack's FIN.
fn kernel_writer(addr: IpAddr, port: u16) -> std::io::Result<usize> {
    let mut s = TcpStream::connect((addr, port))?;
    let data: Vec<u8> = (0..BYTES).map(pattern).collect();
    s.write_all(&data)?;
    s.shutdown(Shutdown::Write)?;
    let mut rest = [0u8; 16];
    while s.read(&mut rest)? > 0 {}
    Ok(BYTES)
}

/// One connection on the stack's side.
struct Flow {
    handle: SocketHandle,
    /// The stack sends (else receives).
    sends: bool,
    /// Bytes sent or received and checked.
    done: usize,
    closed: bool,
}

/// Run the flows `ends` (the stack's address and port, whether it sends)
/// against the kernel through an offload TAP; returns its counters.
fn inside_the_namespace(ends: &[(IpAddr, u16, bool)]) -> tap::TunTapStats {
    let mut device = TunTapDevice::tap_offload(TAP).unwrap();
    assert!(device.is_offload());
    let caps = ferrotcp::device::Device::capabilities(&device);
    assert_eq!(caps.max_tso_size, 65_535);
    let fd = device.as_raw_fd();
    let epoch = std::time::Instant::now();
    let clock = || Instant::from_micros(epoch.elapsed().as_micros() as i64);
    let storage = InterfaceStorage::owned(8, 8, caps.ip_mtu(), 2, 65_535);
    let mac = EthernetAddress([0x02, 0, 0, 0, 0, 0x79]);
    let mut iface = Interface::new(Config::with_seed(79), caps, mac, storage, clock());
    iface
        .add_ipv4_addr(Ipv4Cidr::new(STACK, 24).unwrap())
        .unwrap();
    iface
        .add_ipv6_addr(Ipv6Cidr::new(STACK6, 64).unwrap())
        .unwrap();
    let mut sockets = SocketSet::new(Vec::new());
    let finished = Arc::new(AtomicUsize::new(0));
    let mut flows = Vec::new();
    let mut kernel = Vec::new();
    for &(addr, port, sends) in ends {
        let socket = Socket::new(
            SocketBuffer::new(vec![0u8; 256 * 1024]),
            SocketBuffer::new(vec![0u8; 256 * 1024]),
        );
        let handle = sockets.add(socket).unwrap();
        sockets
            .get_mut::<Socket>(handle)
            .unwrap()
            .listen(port)
            .unwrap();
        flows.push(Flow {
            handle,
            sends,
            done: 0,
            closed: false,
        });
        let finished = Arc::clone(&finished);
        kernel.push(thread::spawn(move || {
            let r = if sends {
                kernel_reader(addr, port)
            } else {
                kernel_writer(addr, port)
            };
            finished.fetch_add(1, Ordering::SeqCst);
            r
        }));
    }

    let mut loops = 0;
    while finished.load(Ordering::SeqCst) < flows.len() {
        loops += 1;
        assert!(
            loops < MAX_LOOPS,
            "stalled: {:?}",
            flows.iter().map(|f| f.done).collect::<Vec<_>>()
        );
        let now = clock();
        iface.poll(now, &mut device, &mut sockets);
        for flow in &mut flows {
            let s = sockets.get_mut::<Socket>(flow.handle).unwrap();
            if flow.sends {
                while s.can_send() && flow.done < BYTES {
                    let done = flow.done;
                    let n = s
                        .send(|buf| {
                            let n = buf.len().min(BYTES - done);
                            for (k, b) in buf[..n].iter_mut().enumerate() {
                                *b = pattern(done + k);
                            }
                            (n, n)
                        })
                        .unwrap();
                    flow.done += n;
                }
                if flow.done == BYTES && !flow.closed && s.state() == State::Established {
                    s.close();
                    flow.closed = true;
                }
            } else {
                while s.can_recv() {
                    let done = flow.done;
                    let n = s
                        .recv(|buf| {
                            for (k, b) in buf.iter().enumerate() {
                                assert_eq!(*b, pattern(done + k), "stack got byte {}", done + k);
                            }
                            (buf.len(), buf.len())
                        })
                        .unwrap();
                    flow.done += n;
                }
                if !flow.closed && s.state() == State::CloseWait {
                    s.close();
                    flow.closed = true;
                }
            }
        }
        iface.poll(now, &mut device, &mut sockets);
        let now = clock();
        let sleep = iface
            .poll_delay(now, &mut sockets)
            .unwrap_or(Duration::from_millis(10));
        if sleep > Duration::ZERO {
            tap::wait(fd, Some(sleep.min(Duration::from_millis(10)))).unwrap();
        }
    }
    for k in kernel {
        assert_eq!(k.join().unwrap().unwrap(), BYTES, "the kernel moved it all");
    }
    for flow in &flows {
        assert_eq!(flow.done, BYTES, "the stack moved it all");
    }

    let stats = *device.stats();
    println!("tap: {stats:?}");
    assert_eq!(stats.rx_bad_headers, 0);
    assert_eq!(stats.rx_truncated, 0, "no read was cut short");
    assert_eq!(stats.tx_errors, 0);
    let c = iface.counters();
    assert_eq!(c.tcp.in_csum_errors, 0);
    // RFC 4022 tcpInSegs counts the segments of the kernel's super-frames
    // (as Linux counts gso_segs), not the frames.
    if stats.rx_super_frames > 0 {
        assert!(
            c.tcp.in_segs > stats.rx_frames,
            "in_segs {} over {} frames",
            c.tcp.in_segs,
            stats.rx_frames
        );
    }
    stats
}
