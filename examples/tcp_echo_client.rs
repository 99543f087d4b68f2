//! `tcp_echo_client`: ferrotcp opens a TCP connection to an echo server
//! (e.g. the kernel's `socat TCP-LISTEN:7,fork EXEC:cat`), sends N
//! pseudo-random bytes, reads them back, compares, and closes actively.
//!
//! ```text
//! cargo run --release --example tcp_echo_client -- --tap NAME --ip4 10.77.0.2/24
//!     [--ip6 fd00:77::2/64] --connect 10.77.0.1:7 [--bytes N] [--gw4 A] [--gw6 A]
//!     [--mac M] [--seed N] [--timeout SECS] [--linger MS] [-v]
//! ```
//!
//! Like the `stack` example it attaches to an **existing** TAP (create it
//! in a namespace first: `ip netns exec NS ...`). It prints one line with
//! the result (bytes sent and received, identical or the first differing
//! offset, time and throughput), the connection's `TcpInfo` and the
//! interface's counters, and exits 0 only if every byte came back
//! identical and the connection closed cleanly (our FIN acknowledged and
//! the server's FIN received: TIME-WAIT). After that it stays
//! `--linger` milliseconds in TIME-WAIT so a retransmitted FIN is still
//! acknowledged.

mod common;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::process::ExitCode;

use clap::Parser;
use ferrotcp::config::Config;
use ferrotcp::device::{Device, Medium};
use ferrotcp::socket::tcp::{self, RecvError, State};
use ferrotcp::socket::{IpEndpoint, SocketSet};
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr, Ipv6Cidr};
use ferrotcp_phy::tap::{self, TunTapDevice};

use common::host::{Clock, init_logger, seed_from_clock};

/// Used when `--mac` is not given: locally administered, unicast.
const DEFAULT_MAC: EthernetAddress = EthernetAddress([0x02, 0x77, 0x00, 0x00, 0x00, 0x03]);
/// Socket buffers, each direction.
const BUFFER: usize = 256 * 1024;
/// The longest the loop sleeps.
const MAX_SLEEP: Duration = Duration::from_millis(200);

/// TCP echo client on a Linux TAP interface.
#[derive(Parser, Debug)]
#[command(name = "tcp_echo_client", version)]
struct Args {
    /// Attach to this existing TAP interface.
    #[arg(long, value_name = "NAME")]
    tap: String,
    /// The IPv4 address and prefix, e.g. 10.77.0.2/24.
    #[arg(long, value_name = "ADDR/LEN")]
    ip4: Option<Ipv4Cidr>,
    /// The IPv6 address and prefix, e.g. fd00:77::2/64.
    #[arg(long, value_name = "ADDR/LEN")]
    ip6: Option<Ipv6Cidr>,
    /// The IPv4 default gateway.
    #[arg(long, value_name = "ADDR")]
    gw4: Option<Ipv4Addr>,
    /// The IPv6 default gateway.
    #[arg(long, value_name = "ADDR")]
    gw6: Option<Ipv6Addr>,
    /// The echo server: 10.77.0.1:7 or [fd00:77::1]:7.
    #[arg(long, value_name = "ADDR:PORT")]
    connect: SocketAddr,
    /// How many bytes to send (and expect back).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    bytes: usize,
    /// The hardware address [default: 02:77:00:00:00:03].
    #[arg(long, value_name = "MAC")]
    mac: Option<EthernetAddress>,
    /// Seed of the stack's randomness and of the data (default: clock).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Give up after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    timeout: u64,
    /// Stay this long in TIME-WAIT before exiting (ms).
    #[arg(long, value_name = "MS", default_value_t = 500)]
    linger: u64,
    /// More output (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logger(args.verbose);
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("tcp_echo_client: {e}");
            ExitCode::FAILURE
        }
    }
}

/// SplitMix64: the data to send, reproducible from the seed.
fn data(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

fn run(args: &Args) -> io::Result<bool> {
    let usage = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    match args.connect.ip() {
        IpAddr::V4(_) if args.ip4.is_none() => {
            return Err(usage("an IPv4 server needs --ip4".into()));
        }
        IpAddr::V6(_) if args.ip6.is_none() => {
            return Err(usage("an IPv6 server needs --ip6".into()));
        }
        _ => {}
    }
    let mut device = TunTapDevice::open(&args.tap, Medium::Ethernet, None)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot attach to {}: {e}", args.tap)))?;
    let fd = device.as_raw_fd();
    let seed = args.seed.unwrap_or_else(seed_from_clock);
    let clock = Clock::new();
    let mac = args.mac.unwrap_or(DEFAULT_MAC);
    let mut iface = common::new_interface(
        Config::with_seed(seed),
        device.capabilities(),
        mac,
        clock.now(),
    );
    if let Some(a) = args.ip4 {
        iface
            .add_ipv4_addr(a)
            .map_err(|e| usage(format!("--ip4 {a}: {e:?}")))?;
    }
    if let Some(a) = args.ip6 {
        // RFC 4862 §5.3: every interface gets a link-local address.
        let ll = common::eui64_link_local_cidr(mac);
        iface
            .add_ipv6_addr(ll)
            .map_err(|e| usage(format!("link-local {ll}: {e:?}")))?;
        iface
            .add_ipv6_addr(a)
            .map_err(|e| usage(format!("--ip6 {a}: {e:?}")))?;
    }
    if let Some(gw) = args.gw4 {
        iface
            .routes_mut()
            .add_default_ipv4_route(gw)
            .map_err(|_| usage("route table full".into()))?;
    }
    if let Some(gw) = args.gw6 {
        iface
            .routes_mut()
            .add_default_ipv6_route(gw)
            .map_err(|_| usage("route table full".into()))?;
    }

    let mut sockets = SocketSet::new(Vec::new());
    let socket = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0u8; BUFFER]),
        tcp::SocketBuffer::new(vec![0u8; BUFFER]),
    );
    let h = sockets
        .add(socket)
        .map_err(|e| io::Error::other(format!("socket set: {e:?}")))?;
    let remote = IpEndpoint::new(args.connect.ip(), args.connect.port());
    let start = clock.now();
    iface
        .tcp_connect(start, &mut sockets, h, remote, None)
        .map_err(|e| usage(format!("connect {remote}: {e:?}")))?;

    let data = data(seed, args.bytes);
    let mut sent = 0usize;
    let mut received = 0usize;
    let mut first_difference: Option<usize> = None;
    let mut buf = vec![0u8; 64 * 1024];
    let mut established: Option<Instant> = None;
    let mut all_back: Option<Instant> = None;
    let mut closed_at: Option<Instant> = None;
    let mut closing = false;
    let deadline = start + Duration::from_secs(args.timeout);
    let failure: Option<String> = loop {
        let now = clock.now();
        iface.poll(now, &mut device, &mut sockets);
        let s = sockets
            .get_mut::<tcp::Socket>(h)
            .map_err(|e| io::Error::other(format!("socket set: {e:?}")))?;
        if established.is_none() && s.state() == State::Established {
            established = Some(now);
            println!(
                "connected {} -> {remote} in {:.3} ms",
                s.local_endpoint().map_or("?".into(), |l| l.to_string()),
                (now - start).total_micros() as f64 / 1000.0
            );
        }
        if s.may_send() && sent < data.len() {
            sent += s.send_slice(&data[sent..]).unwrap_or(0);
        }
        let mut peer_closed = false;
        loop {
            match s.recv_slice(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let want = data.get(received..received + n).unwrap_or(&[]);
                    if first_difference.is_none() && want != &buf[..n] {
                        let k = want
                            .iter()
                            .zip(&buf[..n])
                            .position(|(a, b)| a != b)
                            .unwrap_or(want.len());
                        first_difference = Some(received + k);
                    }
                    received += n;
                }
                Err(RecvError::Finished) => {
                    peer_closed = true;
                    break;
                }
                Err(RecvError::InvalidState) => break,
            }
        }
        if received >= data.len() && all_back.is_none() {
            all_back = Some(now);
        }
        // Active close once everything came back (RFC 9293 §3.10.4).
        if received >= data.len() && !closing {
            s.close();
            closing = true;
        }
        if peer_closed && received < data.len() {
            break Some(format!("the server closed after {received} bytes"));
        }
        match s.state() {
            State::TimeWait | State::Closed if closing => {
                if let Some(e) = s.take_error() {
                    break Some(format!("connection error while closing: {e:?}"));
                }
                let at = *closed_at.get_or_insert(now);
                if s.state() == State::Closed || now >= at + Duration::from_millis(args.linger) {
                    break None;
                }
            }
            State::Closed => {
                break Some(format!("connection failed: {:?}", s.take_error()));
            }
            _ => {}
        }
        if now >= deadline {
            break Some(format!(
                "timed out after {} s in {}",
                args.timeout,
                s.state()
            ));
        }
        let now = clock.now();
        let sleep = iface.poll_delay(now, &mut sockets).unwrap_or(MAX_SLEEP);
        tap::wait(fd, Some(sleep.min(MAX_SLEEP)))?;
    };

    let info = sockets
        .get::<tcp::Socket>(h)
        .map(|s| s.info())
        .map_err(|e| io::Error::other(format!("socket set: {e:?}")))?;
    let end = all_back.unwrap_or_else(|| clock.now());
    let secs = (end - established.unwrap_or(start)).total_micros() as f64 / 1e6;
    let identical = received == data.len() && first_difference.is_none();
    println!(
        "{} bytes sent, {received} received, {} in {secs:.3} s: {:.1} Mbit/s each way",
        data.len(),
        match first_difference {
            Some(k) => format!("DIFFERENT from offset {k}"),
            None if received == data.len() => "identical".into(),
            None => "incomplete".into(),
        },
        received as f64 * 8.0 / secs.max(1e-9) / 1e6
    );
    println!(
        "tcp info: state {} rtt {} rto {:.0} ms cwnd {} ssthresh {} mss {} retransmits {} \
         rto events {} fast retransmits {} bytes sent {} acked {} received {}",
        info.state,
        info.rtt.map_or("-".into(), |r| format!(
            "{:.3} ms",
            r.total_micros() as f64 / 1000.0
        )),
        info.rto.total_micros() as f64 / 1000.0,
        info.cwnd,
        info.ssthresh,
        info.mss,
        info.retransmits,
        info.rto_events,
        info.fast_retransmits,
        info.bytes_sent,
        info.bytes_acked,
        info.bytes_received
    );
    let c = iface.counters();
    println!("counters:");
    println!("  link   {:?}", c.link);
    println!("  arp    {:?}", c.arp);
    println!("  ipv4   {:?}", c.ipv4);
    println!("  ipv6   {:?}", c.ipv6);
    println!("  tcp    {:?}", c.tcp);
    println!("  tap    {:?}", device.stats());
    match failure {
        Some(why) => {
            println!("FAIL: {why}");
            Ok(false)
        }
        None if identical => {
            println!("OK: echo identical, closed cleanly");
            Ok(true)
        }
        None => {
            println!("FAIL: echo not identical");
            Ok(false)
        }
    }
}
