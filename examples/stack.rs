//! `stack`: ferrotcp as a host on a Linux TAP/TUN interface, or — with no
//! interface named — a self-contained demo of two ferrotcp stacks on a
//! simulated link.
//!
//! ```text
//! cargo run --example stack                       # the demo: no root, no setup
//! cargo run --release --example stack -- --tap NAME --ip4 10.77.0.2/24 [--gw4 A]
//!     [--ip6 fd00:77::2/64] [--gw6 A] [--mac M] [--mtu N] [--pcap FILE]
//!     [--loss PCT] [--seed N] [-v]                # --tun NAME for an IP (TUN) interface
//! ```
//!
//! On an interface it attaches to the **existing** TAP (or TUN) — create it
//! first, e.g. in a namespace (`ip netns exec NS ...`); it refuses to create
//! one. It configures the addresses (and, on a TAP with IPv6, the EUI-64
//! link-local address), answers ping and ping -6, serves UDP echo (7),
//! discard (9) and daytime (13) and TCP echo (7), discard (9), daytime (13)
//! and chargen (19) on both families (several TCP connections at once per
//! service: a few sockets listen on each port and are re-armed as they are
//! taken; see `common::tcp`), prints exactly one line
//! beginning with `ready` once it answers, runs until SIGINT or SIGTERM, and
//! prints its counters on exit. `--loss` drops that percentage of frames in
//! each direction (seeded fault injector); `--pcap` captures what crosses the
//! interface.
//!
//! The demo runs two stacks, A and B, over `ferrotcp_phy::sim` with a
//! virtual clock that jumps to the next event: A pings B (IPv4 and IPv6,
//! including 4000-byte pings fragmented both ways), uses B's UDP echo
//! and daytime services, and sends 100 kB through B's TCP echo (IPv4 and
//! IPv6) and reads them back, printing one line per event with virtual
//! round-trip times and the echo's throughput in virtual time. `--loss`,
//! `--seed` and `-v` apply to it too.

mod common;

use std::fs::File;
use std::io::{self, BufWriter};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use clap::Parser;
use ferrotcp::config::Config;
use ferrotcp::device::{Device, Medium};
use ferrotcp::iface::Counters;
use ferrotcp::socket::SocketSet;
use ferrotcp::socket::icmp;
use ferrotcp::socket::tcp;
use ferrotcp::socket::udp;
use ferrotcp::socket::{IpEndpoint, SocketHandle};
use ferrotcp::storage::PacketMetadata;
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr, Ipv6Cidr};
use ferrotcp_phy::fault::{FaultConfig, FaultInjector};
use ferrotcp_phy::pcap_device::PcapDevice;
use ferrotcp_phy::sim::{SimConfig, SimNetwork};
use ferrotcp_phy::tap::{self, TunTapDevice};

use common::host::{Clock, init_logger, seed_from_clock};
use common::tcp::{TcpService, TcpServiceEvent, TcpServices};
use common::{ServiceEvent, Services, SimNode};

/// The hardware address used when `--mac` is not given: locally
/// administered (IEEE 802: bit 1 of the first octet), unicast.
const DEFAULT_MAC: EthernetAddress = EthernetAddress([0x02, 0x77, 0x00, 0x00, 0x00, 0x02]);

/// The longest the main loop sleeps, so SIGINT/SIGTERM are noticed soon.
const MAX_SLEEP: Duration = Duration::from_millis(200);

/// ferrotcp as a host on a Linux TAP/TUN interface, or (no --tap/--tun) a
/// demo of two ferrotcp stacks on a simulated link.
#[derive(Parser, Debug)]
#[command(name = "stack", version)]
struct Args {
    /// Attach to this existing TAP interface (Ethernet).
    #[arg(long, value_name = "NAME", conflicts_with = "tun")]
    tap: Option<String>,
    /// Attach to this existing TUN interface (bare IP).
    #[arg(long, value_name = "NAME")]
    tun: Option<String>,
    /// The IPv4 address and prefix, e.g. 10.77.0.2/24.
    #[arg(long, value_name = "ADDR/LEN")]
    ip4: Option<Ipv4Cidr>,
    /// The IPv4 default gateway.
    #[arg(long, value_name = "ADDR")]
    gw4: Option<Ipv4Addr>,
    /// The IPv6 address and prefix, e.g. fd00:77::2/64.
    #[arg(long, value_name = "ADDR/LEN")]
    ip6: Option<Ipv6Cidr>,
    /// The IPv6 default gateway.
    #[arg(long, value_name = "ADDR")]
    gw6: Option<Ipv6Addr>,
    /// The hardware address (TAP only) [default: 02:77:00:00:00:02].
    #[arg(long, value_name = "MAC")]
    mac: Option<EthernetAddress>,
    /// The IP MTU the stack sends with (at most the interface's, which is
    /// the default).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(576..))]
    mtu: Option<u16>,
    /// Capture every frame to this pcap file.
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Drop this percentage of frames in each direction.
    #[arg(long, value_name = "PCT", value_parser = clap::value_parser!(u8).range(0..=100))]
    loss: Option<u8>,
    /// The seed of the stack's randomness and of the fault injector
    /// (default: from the clock on an interface, 1 in the demo).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// More output: -v logs every service request and the stack's info
    /// messages, -vv debug, -vvv trace.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logger(args.verbose);
    let result = if args.tap.is_some() || args.tun.is_some() {
        host(&args)
    } else {
        demo(&args)
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("stack: {e}");
            ExitCode::FAILURE
        }
    }
}

// ---- host mode -------------------------------------------------------------

fn host(args: &Args) -> io::Result<ExitCode> {
    let (name, medium) = match (&args.tap, &args.tun) {
        (Some(n), _) => (n.as_str(), Medium::Ethernet),
        (None, Some(n)) => (n.as_str(), Medium::Ip),
        (None, None) => return Err(io::Error::other("no interface named")),
    };
    let usage = |msg: &str| io::Error::new(io::ErrorKind::InvalidInput, msg.to_string());
    if args.ip4.is_none() && args.ip6.is_none() {
        return Err(usage("give an address: --ip4 A/N and/or --ip6 A/N"));
    }
    if args.gw4.is_some() && args.ip4.is_none() {
        return Err(usage("--gw4 needs --ip4"));
    }
    if args.gw6.is_some() && args.ip6.is_none() {
        return Err(usage("--gw6 needs --ip6"));
    }
    if medium == Medium::Ip && args.mac.is_some() {
        return Err(usage("--mac applies to a TAP only"));
    }

    // The device keeps the interface's MTU (its buffers must hold what
    // the kernel sends); `--mtu` lowers the stack's own MTU only.
    let device = TunTapDevice::open(name, medium, None)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot attach to {name}: {e}")))?;
    let fd = device.as_raw_fd();
    let seed = args.seed.unwrap_or_else(seed_from_clock);
    let faults = FaultConfig {
        drop_percent: args.loss.unwrap_or(0),
        ..FaultConfig::default()
    };
    match &args.pcap {
        Some(path) => {
            let file = BufWriter::new(File::create(path)?);
            let device = PcapDevice::new(device, file)?;
            let device = FaultInjector::new(device, seed)
                .with_rx(faults)
                .with_tx(faults);
            run_host(args, name, medium, seed, fd, device, |d| {
                let pcap = d.inner_mut();
                let tap = pcap.inner().stats().to_owned();
                let written = pcap.frames_written();
                let flushed = pcap.flush();
                format!(
                    "  tap    {tap:?}\n  pcap   {written} frames{}",
                    flushed
                        .err()
                        .map_or(String::new(), |e| format!(" (flush: {e})"))
                )
            })
        }
        None => {
            let device = FaultInjector::new(device, seed)
                .with_rx(faults)
                .with_tx(faults);
            run_host(args, name, medium, seed, fd, device, |d| {
                format!("  tap    {:?}", d.inner().stats())
            })
        }
    }
}

/// Configure the interface, serve until a signal, print counters.
fn run_host<D: Device>(
    args: &Args,
    name: &str,
    medium: Medium,
    seed: u64,
    fd: std::os::fd::RawFd,
    mut device: FaultInjector<D>,
    device_report: impl FnOnce(&mut FaultInjector<D>) -> String,
) -> io::Result<ExitCode> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }

    let clock = Clock::new();
    let mac = args.mac.unwrap_or(DEFAULT_MAC);
    let mut iface = common::new_interface(
        Config::with_seed(seed),
        device.capabilities(),
        mac,
        clock.now(),
    );
    if let Some(mtu) = args.mtu {
        iface.set_mtu(Some(usize::from(mtu)));
    }
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_string());
    let mut addrs = Vec::new();
    if let Some(a) = args.ip4 {
        iface
            .add_ipv4_addr(a)
            .map_err(|e| invalid(&format!("--ip4 {a}: {e:?}")))?;
        addrs.push(format!("ip4 {a}"));
    }
    if let Some(a) = args.ip6 {
        if medium == Medium::Ethernet {
            // RFC 4862 §5.3: every interface gets a link-local address.
            let ll = common::eui64_link_local_cidr(mac);
            iface
                .add_ipv6_addr(ll)
                .map_err(|e| invalid(&format!("link-local {ll}: {e:?}")))?;
            addrs.push(format!("ip6 {ll}"));
        }
        iface
            .add_ipv6_addr(a)
            .map_err(|e| invalid(&format!("--ip6 {a}: {e:?}")))?;
        addrs.push(format!("ip6 {a}"));
    }
    if let Some(gw) = args.gw4 {
        iface
            .routes_mut()
            .add_default_ipv4_route(gw)
            .map_err(|_| invalid("route table full"))?;
        addrs.push(format!("gw4 {gw}"));
    }
    if let Some(gw) = args.gw6 {
        iface
            .routes_mut()
            .add_default_ipv6_route(gw)
            .map_err(|_| invalid("route table full"))?;
        addrs.push(format!("gw6 {gw}"));
    }

    let mut sockets = SocketSet::new(Vec::new());
    let mut services = Services::new(&mut sockets);
    let mut tcp_services = TcpServices::new(&mut sockets);
    let verbose = args.verbose > 0;

    // One poll before announcing: the device is attached (carrier is up)
    // and the interface has processed whatever was already waiting.
    let now = clock.now();
    iface.poll(now, &mut device, &mut sockets);
    println!(
        "ready {} {name} {}mtu {} {} seed {seed}{}",
        if medium == Medium::Ethernet {
            "tap"
        } else {
            "tun"
        },
        if medium == Medium::Ethernet {
            format!("mac {mac} ")
        } else {
            String::new()
        },
        iface.ip_mtu(),
        addrs.join(" "),
        args.loss.map_or(String::new(), |l| format!(" loss {l}%")),
    );

    while !stop.load(Ordering::Relaxed) {
        let now = clock.now();
        iface.poll(now, &mut device, &mut sockets);
        let mut served = services.serve(
            &mut sockets,
            || common::daytime_text(SystemTime::now()),
            |event| {
                if verbose {
                    println!("{}", describe(&event));
                }
            },
        );
        served += tcp_services.serve(
            &mut sockets,
            || common::daytime_text(SystemTime::now()),
            |event| {
                if verbose {
                    println!("{}", describe_tcp(&event));
                }
            },
        );
        if served > 0 {
            // Send the replies now rather than after the next sleep.
            iface.poll(now, &mut device, &mut sockets);
        }
        let now = clock.now();
        let mut sleep = iface.poll_delay(now, &mut sockets).unwrap_or(MAX_SLEEP);
        if let Some(t) = device.poll_at() {
            sleep = sleep.min(t.saturating_duration_since(now));
        }
        tap::wait(fd, Some(sleep.min(MAX_SLEEP)))?;
    }

    println!("counters:");
    print_counters(iface.counters());
    let s = services.counters();
    println!(
        "  services echo {} ({} bytes) discard {} daytime {} send-failures {} icmp-errors {}",
        s.echoed, s.echoed_bytes, s.discarded, s.daytime, s.send_failures, s.icmp_errors
    );
    print_tcp_services(&tcp_services);
    if args.loss.is_some() {
        println!(
            "  loss   rx {:?}\n  loss   tx {:?}",
            device.rx_stats(),
            device.tx_stats()
        );
    }
    println!("{}", device_report(&mut device));
    Ok(ExitCode::SUCCESS)
}

fn describe(event: &ServiceEvent) -> String {
    match event {
        ServiceEvent::Echo { from, len } => format!("echo: {len} bytes from {from}"),
        ServiceEvent::Discard { from, len } => format!("discard: {len} bytes from {from}"),
        ServiceEvent::Daytime { to, text } => format!("daytime: to {to}: {}", text.trim_end()),
        ServiceEvent::SendFailed { to } => format!("reply to {to} dropped: transmit buffer full"),
    }
}

fn describe_tcp(event: &TcpServiceEvent) -> String {
    match event {
        TcpServiceEvent::Accepted { service, peer } => {
            format!("tcp {}: accepted {peer}", service.name())
        }
        TcpServiceEvent::Ended {
            service,
            peer,
            bytes_in,
            bytes_out,
            error,
        } => format!(
            "tcp {}: {peer} ended: {bytes_in} bytes in, {bytes_out} bytes out{}",
            service.name(),
            error.map_or(String::new(), |e| format!(", error {e:?}"))
        ),
    }
}

fn print_tcp_services(t: &TcpServices) {
    let c = t.counters();
    for service in TcpService::ALL {
        let i = service as usize;
        println!(
            "  tcp {:<7} accepted {} ended {} errors {} bytes in {} out {}",
            service.name(),
            c.accepted[i],
            c.ended[i],
            c.errors[i],
            c.bytes_in[i],
            c.bytes_out[i]
        );
    }
    println!(
        "  tcp listeners exhausted {} time-wait recycled {}",
        c.listen_exhausted, c.time_wait_recycled
    );
}

fn print_counters(c: &Counters) {
    println!("  link   {:?}", c.link);
    println!("  arp    {:?}", c.arp);
    println!("  ipv4   {:?}", c.ipv4);
    println!("  ipv6   {:?}", c.ipv6);
    println!("  icmpv4 {:?}", c.icmpv4);
    println!("  icmpv6 {:?}", c.icmpv6);
    println!("  udp    {:?}", c.udp);
    println!("  tcp    {:?}", c.tcp);
}

// ---- demo ----------------------------------------------------------------------

const A_MAC: EthernetAddress = EthernetAddress([0x02, 0x77, 0x00, 0x00, 0x00, 0x01]);
const B_MAC: EthernetAddress = EthernetAddress([0x02, 0x77, 0x00, 0x00, 0x00, 0x02]);
const A_IP4: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);
const B_IP4: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 2);
const A_IP6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x77, 0, 0, 0, 0, 0, 1);
const B_IP6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x77, 0, 0, 0, 0, 0, 2);
/// How long the demo waits for an answer before it tries again.
const DEMO_TIMEOUT: Duration = Duration::from_secs(1);
/// Tries per request (more only matter with `--loss`).
const DEMO_TRIES: u32 = 5;
/// Bytes the demo sends through B's TCP echo service (each family).
const DEMO_TCP_ECHO_BYTES: usize = 100_000;
/// The Echo Identifier of A's ping socket.
const PING_IDENT: u16 = 0x4d42;

/// Two stacks on a simulated link and a virtual clock.
struct World {
    net: SimNetwork,
    a: SimNode,
    b: SimNode,
    b_services: Services,
    b_tcp: TcpServices,
    ping: SocketHandle,
    udp: SocketHandle,
    now: Instant,
    verbose: bool,
}

/// What A waits for.
enum Want {
    /// An Echo Reply with this sequence number.
    EchoReply(u16),
    /// Any UDP datagram from this endpoint.
    Udp(IpEndpoint),
}

impl World {
    fn ms(&self) -> String {
        format!("{:>9.3} ms", self.now.total_micros() as f64 / 1000.0)
    }

    /// Poll both stacks, let B serve, and move the clock to the next event
    /// until A has what it wants (its payload and when it arrived) or
    /// `deadline` passes.
    fn run_until(&mut self, deadline: Instant, want: &Want) -> Option<(Vec<u8>, Instant)> {
        let mut same_instant = 0u32;
        loop {
            self.a.poll(self.now);
            self.b.poll(self.now);
            self.serve_b();
            if let Some(got) = self.take(want) {
                return Some((got, self.now));
            }
            let next = common::next_event(self.now, &self.net, &mut [&mut self.a, &mut self.b]);
            let next = match next {
                Some(t) if t <= deadline => t,
                _ => {
                    self.now = self.now.max(deadline);
                    return None;
                }
            };
            if next == self.now {
                // Work at the same instant (a queued reply). A stack that
                // kept asking for "now" without progress would spin: stop.
                same_instant += 1;
                if same_instant > 10_000 {
                    println!(
                        "[{}] stuck: a stack asks for a poll now without progress",
                        self.ms()
                    );
                    return None;
                }
            } else {
                same_instant = 0;
                self.now = next;
            }
        }
    }

    /// B's services answer what has arrived.
    fn serve_b(&mut self) {
        let verbose = self.verbose;
        let now_ms = self.ms();
        self.b_services.serve(
            &mut self.b.sockets,
            || common::daytime_text(SystemTime::now()),
            |event| {
                if verbose {
                    println!("[{now_ms}] B: {}", describe(&event));
                }
            },
        );
        self.b_tcp.serve(
            &mut self.b.sockets,
            || common::daytime_text(SystemTime::now()),
            |event| {
                if verbose {
                    println!("[{now_ms}] B: {}", describe_tcp(&event));
                }
            },
        );
    }

    /// A opens a TCP connection to B's echo service on `dst`, sends `size`
    /// bytes, reads them back, closes, and prints the throughput in
    /// virtual time. True when every byte came back in order.
    fn tcp_echo(&mut self, dst: IpAddr, size: usize) -> bool {
        let to = IpEndpoint::new(dst, common::ECHO_PORT);
        let data: Vec<u8> = (0..size).map(|i| (i * 7 + i / 251) as u8).collect();
        let socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0u8; 128 * 1024]),
            tcp::SocketBuffer::new(vec![0u8; 128 * 1024]),
        );
        let h = self.a.sockets.add(socket).expect("the socket set grows");
        let start = self.now;
        if let Err(e) = self
            .a
            .iface
            .tcp_connect(self.now, &mut self.a.sockets, h, to, None)
        {
            println!("[{}] A: tcp connect {to}: {e:?}", self.ms());
            let _ = self.a.sockets.remove(h);
            return false;
        }
        println!(
            "[{}] A: tcp echo {to}: connecting, {size} bytes to send",
            self.ms()
        );
        let deadline = start + Duration::from_secs(120);
        let (mut sent, mut received) = (0usize, Vec::with_capacity(size));
        let mut established_at = None;
        let mut closed = false;
        let mut same_instant = 0u32;
        let mut buf = vec![0u8; 64 * 1024];
        let outcome = loop {
            self.a.poll(self.now);
            self.b.poll(self.now);
            self.serve_b();
            let now_ms = self.ms();
            let s = self
                .a
                .sockets
                .get_mut::<tcp::Socket>(h)
                .expect("the echo socket exists");
            if established_at.is_none() && s.state() == tcp::State::Established {
                established_at = Some(self.now);
                println!(
                    "[{now_ms}] A: tcp echo {to}: established, handshake {:.3} ms",
                    (self.now - start).total_micros() as f64 / 1000.0
                );
            }
            if s.may_send() && sent < size {
                sent += s.send_slice(&data[sent..]).unwrap_or(0);
            }
            while let Ok(n) = s.recv_slice(&mut buf) {
                if n == 0 {
                    break;
                }
                received.extend_from_slice(&buf[..n]);
            }
            if received.len() >= size && !closed {
                s.close();
                closed = true;
            }
            match s.state() {
                tcp::State::TimeWait | tcp::State::Closed if closed => break Ok(s.info()),
                tcp::State::Closed => break Err(format!("closed: {:?}", s.take_error())),
                _ => {}
            }
            let next = common::next_event(self.now, &self.net, &mut [&mut self.a, &mut self.b]);
            match next {
                Some(t) if t <= deadline => {
                    if t == self.now {
                        same_instant += 1;
                        if same_instant > 10_000 {
                            break Err("stuck: a poll now without progress".into());
                        }
                    } else {
                        same_instant = 0;
                        self.now = t;
                    }
                }
                _ => break Err(format!("not done within {}", deadline - start)),
            }
        };
        let _ = self.a.sockets.remove(h);
        match outcome {
            Ok(info) => {
                let ok = received == data;
                let secs = (self.now - established_at.unwrap_or(start)).total_micros() as f64 / 1e6;
                println!(
                    "[{}] A: tcp echo {to}: {size} bytes sent, {} received back{} in {:.1} ms: \
                     {:.2} Mbit/s each way (virtual time); rtt {} cwnd {} retransmits {}",
                    self.ms(),
                    received.len(),
                    if ok { " identical" } else { " DATA DIFFERS" },
                    secs * 1000.0,
                    size as f64 * 8.0 / secs.max(1e-9) / 1e6,
                    info.rtt.map_or("-".into(), |r| format!(
                        "{:.3} ms",
                        r.total_micros() as f64 / 1000.0
                    )),
                    info.cwnd,
                    info.retransmits
                );
                ok
            }
            Err(e) => {
                println!(
                    "[{}] A: tcp echo {to}: FAILED after {sent} bytes sent, {} received: {e}",
                    self.ms(),
                    received.len()
                );
                false
            }
        }
    }

    /// What A received that it was waiting for, if it has arrived.
    fn take(&mut self, want: &Want) -> Option<Vec<u8>> {
        match *want {
            Want::EchoReply(seq) => {
                let s = self.a.sockets.get_mut::<icmp::Socket>(self.ping).ok()?;
                while let Ok((msg, _)) = s.recv() {
                    if msg.get(6..8) == Some(&seq.to_be_bytes()[..]) {
                        return Some(msg.to_vec());
                    }
                }
                None
            }
            Want::Udp(from) => {
                let s = self.a.sockets.get_mut::<udp::Socket>(self.udp).ok()?;
                while let Ok((data, meta)) = s.recv() {
                    if meta.endpoint == from {
                        return Some(data.to_vec());
                    }
                }
                None
            }
        }
    }

    /// A pings `dst` with `len` bytes of data; one line per try.
    fn ping(&mut self, dst: IpAddr, len: usize, seq: &mut u16, note: &str) -> bool {
        let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        for _ in 0..DEMO_TRIES {
            *seq = seq.wrapping_add(1);
            let sent = self.now;
            let s = self
                .a
                .sockets
                .get_mut::<icmp::Socket>(self.ping)
                .expect("the ping socket exists");
            if let Err(e) = s.send_echo_slice(*seq, &data, dst) {
                println!("[{}] A: ping {dst}: cannot send: {e:?}", self.ms());
                return false;
            }
            println!(
                "[{}] A: ping {dst} seq={} {len} data bytes{note}",
                self.ms(),
                *seq
            );
            match self.run_until(sent + DEMO_TIMEOUT, &Want::EchoReply(*seq)) {
                Some((reply, at)) => {
                    let ok = reply.get(8..) == Some(&data[..]);
                    println!(
                        "[{}] A: reply from {dst} seq={} {} bytes time={:.3} ms{}",
                        self.ms(),
                        *seq,
                        reply.len(),
                        (at - sent).total_micros() as f64 / 1000.0,
                        if ok { "" } else { " DATA DIFFERS" }
                    );
                    return ok;
                }
                None => println!("[{}] A: no reply from {dst} seq={}", self.ms(), *seq),
            }
        }
        false
    }

    /// A sends `data` to B's `port` and waits for an answer; returns it.
    fn udp_request(&mut self, dst: IpAddr, port: u16, data: &[u8], what: &str) -> Option<Vec<u8>> {
        let to = IpEndpoint::new(dst, port);
        for _ in 0..DEMO_TRIES {
            let sent = self.now;
            let s = self
                .a
                .sockets
                .get_mut::<udp::Socket>(self.udp)
                .expect("the udp socket exists");
            if let Err(e) = s.send_slice(data, to) {
                println!("[{}] A: udp {what} to {to}: cannot send: {e:?}", self.ms());
                return None;
            }
            println!(
                "[{}] A: udp {what} to {to}: {} bytes",
                self.ms(),
                data.len()
            );
            match self.run_until(sent + DEMO_TIMEOUT, &Want::Udp(to)) {
                Some((reply, at)) => {
                    println!(
                        "[{}] A: udp {what} reply from {to}: {} bytes time={:.3} ms",
                        self.ms(),
                        reply.len(),
                        (at - sent).total_micros() as f64 / 1000.0
                    );
                    return Some(reply);
                }
                None => println!("[{}] A: no udp {what} reply from {to}", self.ms()),
            }
        }
        None
    }
}

fn demo(args: &Args) -> io::Result<ExitCode> {
    if args.ip4.is_some()
        || args.ip6.is_some()
        || args.gw4.is_some()
        || args.gw6.is_some()
        || args.mac.is_some()
        || args.mtu.is_some()
        || args.pcap.is_some()
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "--ip4/--ip6/--gw4/--gw6/--mac/--mtu/--pcap need an interface: add --tap NAME \
             or --tun NAME (without one this is the demo, which takes --seed, --loss, -v)",
        ));
    }
    let seed = args.seed.unwrap_or(1);
    let loss = args.loss.unwrap_or(0);
    let config = SimConfig {
        delay: Duration::from_millis(2),
        bits_per_second: Some(100_000_000),
        faults: FaultConfig {
            drop_percent: loss,
            ..SimConfig::default().faults
        },
        seed,
        ..SimConfig::default()
    };
    let net = SimNetwork::new(config);
    let mut a = SimNode::new(
        &net,
        seed,
        A_MAC,
        Some(Ipv4Cidr::new(A_IP4, 24).expect("valid prefix")),
        Some(Ipv6Cidr::new(A_IP6, 64).expect("valid prefix")),
    );
    let mut b = SimNode::new(
        &net,
        seed.wrapping_add(1),
        B_MAC,
        Some(Ipv4Cidr::new(B_IP4, 24).expect("valid prefix")),
        Some(Ipv6Cidr::new(B_IP6, 64).expect("valid prefix")),
    );
    let b_services = Services::new(&mut b.sockets);
    let b_tcp = TcpServices::new(&mut b.sockets);
    let mut ping = icmp::Socket::new(
        icmp::PacketBuffer::new(vec![PacketMetadata::EMPTY; 8], vec![0u8; 16 * 1024]),
        icmp::PacketBuffer::new(vec![PacketMetadata::EMPTY; 8], vec![0u8; 16 * 1024]),
    );
    ping.bind(PING_IDENT).expect("a fresh ping socket binds");
    let ping = a.sockets.add(ping).expect("the socket set grows");
    let mut udp = common::udp_socket(8, 16 * 1024);
    udp.bind(40_000).expect("a fresh socket binds");
    let udp = a.sockets.add(udp).expect("the socket set grows");

    println!(
        "demo: stacks A ({A_IP4}, {A_IP6}) and B ({B_IP4}, {B_IP6}) on a simulated \
         Ethernet link: 2 ms one way, 100 Mbit/s, {loss}% loss, seed {seed}; virtual time"
    );
    let mut w = World {
        net,
        a,
        b,
        b_services,
        b_tcp,
        ping,
        udp,
        now: Instant::ZERO,
        verbose: args.verbose > 0,
    };
    let mut failures = Vec::new();
    let mut seq = 0u16;

    let steps: [(IpAddr, usize, &str); 5] = [
        (B_IP4.into(), 56, " (cold ARP cache: resolves first)"),
        (B_IP4.into(), 56, ""),
        (B_IP4.into(), 4000, " (fragmented both ways)"),
        (B_IP6.into(), 56, " (cold ND cache: resolves first)"),
        (B_IP6.into(), 4000, " (fragmented both ways)"),
    ];
    for (dst, len, note) in steps {
        if !w.ping(dst, len, &mut seq, note) {
            failures.push(format!("ping {dst} {len} bytes"));
        }
    }

    let hello = b"hello from A".to_vec();
    for dst in [IpAddr::from(B_IP4), IpAddr::from(B_IP6)] {
        match w.udp_request(dst, common::ECHO_PORT, &hello, "echo") {
            Some(r) if r == hello => {}
            _ => failures.push(format!("udp echo {dst}")),
        }
    }
    let big: Vec<u8> = (0..3000).map(|i| (i % 253) as u8).collect();
    match w.udp_request(B_IP6.into(), common::ECHO_PORT, &big, "echo (fragmented)") {
        Some(r) if r == big => {}
        _ => failures.push(format!("udp echo {B_IP6} 3000 bytes")),
    }
    match w.udp_request(B_IP4.into(), common::DAYTIME_PORT, b"\n", "daytime") {
        Some(r) => println!(
            "[{}] A: daytime says: {}",
            w.ms(),
            String::from_utf8_lossy(&r).trim_end()
        ),
        None => failures.push(format!("udp daytime {B_IP4}")),
    }

    for dst in [IpAddr::from(B_IP4), IpAddr::from(B_IP6)] {
        if !w.tcp_echo(dst, DEMO_TCP_ECHO_BYTES) {
            failures.push(format!("tcp echo {dst}"));
        }
    }

    println!("A counters:");
    print_counters(w.a.iface.counters());
    println!("B counters:");
    print_counters(w.b.iface.counters());
    print_tcp_services(&w.b_tcp);
    let net_a = w.net.port_stats(0).unwrap_or_default();
    let net_b = w.net.port_stats(1).unwrap_or_default();
    println!(
        "link: A sent {} frames, B sent {}; lost towards A {}, towards B {}",
        net_a.sent, net_b.sent, net_a.faults.dropped, net_b.faults.dropped
    );
    if failures.is_empty() {
        println!("demo: everything answered");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("demo: FAILED: {}", failures.join(", "));
        Ok(ExitCode::FAILURE)
    }
}
