//! `benchmark`: TCP throughput between ferrotcp on a TAP interface and the
//! Linux kernel, shaped like smoltcp's `benchmark` example.
//!
//! ```text
//! cargo run --release --example benchmark -- --tap NAME --ip4 A/LEN reader|writer
//!     [--bytes N] [--buffer BYTES] [--no-offload]
//! ```
//!
//! The stack attaches to the **existing** TAP `NAME` (create it first, in a
//! namespace; `ci/tap-bench.sh` does it and runs smoltcp's `benchmark`
//! next to this one), takes address `A/LEN`, and listens on
//! two ports:
//!
//! * `reader` — port 1234: the stack sends, a kernel socket reads;
//! * `writer` — port 1235: a kernel socket writes, the stack receives.
//!
//! The same process then opens the kernel side with `std::net::TcpStream`
//! (through the TAP: the kernel must own an address in `A/LEN` on it),
//! moves `N` bytes (default 1 GB), and prints `throughput: X Gbps`. In
//! `writer` mode the time runs until the stack has received every byte and
//! closed (the kernel reads EOF), not just until the kernel buffered them.
//! Like smoltcp's example the stack neither fills the bytes it sends nor
//! looks at the bytes it receives (zero-copy `send` / `recv` closures).
//! Socket buffers are 64 KiB each unless `--buffer` says otherwise.
//!
//! The TAP is opened with offloads (`TunTapDevice::tap_offload`: a
//! `virtio_net_hdr` on every frame, TCP super-frames of up to 64 KB both
//! ways, checksums left to the kernel) unless `--no-offload` asks for the
//! plain one-frame-per-segment TAP; the `ready` line says which.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use clap::{Parser, ValueEnum};
use ferrotcp::config::Config;
use ferrotcp::device::Device;
use ferrotcp::iface::{Interface, InterfaceStorage};
use ferrotcp::socket::SocketSet;
use ferrotcp::socket::tcp::{Socket, SocketBuffer, State};
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr};
use ferrotcp_phy::tap::{self, TunTapDevice};

/// The port the stack sends on (`reader`).
const READER_PORT: u16 = 1234;
/// The port the stack receives on (`writer`).
const WRITER_PORT: u16 = 1235;
/// Locally administered, unicast.
const MAC: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
/// The longest the loop sleeps when nothing is due.
const MAX_SLEEP: Duration = Duration::from_millis(100);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// The kernel reads (the stack sends on port 1234).
    Reader,
    /// The kernel writes (the stack receives on port 1235).
    Writer,
}

/// TCP throughput between ferrotcp on a TAP and the kernel.
#[derive(Parser, Debug)]
#[command(name = "benchmark")]
struct Args {
    /// The existing TAP interface to attach to.
    #[arg(long, value_name = "NAME")]
    tap: String,
    /// The stack's IPv4 address and prefix, e.g. 10.77.0.2/24.
    #[arg(long, value_name = "ADDR/LEN")]
    ip4: Ipv4Cidr,
    /// Who sends.
    mode: Mode,
    /// Bytes to move.
    #[arg(long, default_value_t = 1_000_000_000)]
    bytes: usize,
    /// Size of each of the socket's two buffers.
    #[arg(long, default_value_t = 65_536)]
    buffer: usize,
    /// Open the TAP without offloads (one frame per segment, no
    /// virtio_net_hdr).
    #[arg(long)]
    no_offload: bool,
}

/// The kernel side: connect, move `amount` bytes, report.
fn client(addr: Ipv4Addr, mode: Mode, amount: usize) -> io::Result<f64> {
    let port = match mode {
        Mode::Reader => READER_PORT,
        Mode::Writer => WRITER_PORT,
    };
    let mut stream = TcpStream::connect((addr, port))?;
    let mut buffer = vec![0u8; 1_000_000];
    let start = std::time::Instant::now();
    let mut done = 0;
    while done < amount {
        let n = buffer.len().min(amount - done);
        let r = match mode {
            Mode::Reader => stream.read(&mut buffer[..n]),
            Mode::Writer => stream.write(&buffer[..n]),
        };
        match r {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if mode == Mode::Writer {
        // Until the stack has taken everything: it closes after the last
        // byte, and we read its FIN.
        stream.shutdown(Shutdown::Write)?;
        while stream.read(&mut buffer)? > 0 {}
    }
    let secs = start.elapsed().as_secs_f64();
    if done < amount {
        return Err(io::Error::other(format!(
            "connection ended after {done} of {amount} bytes"
        )));
    }
    Ok(amount as f64 * 8.0 / secs / 1e9)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("benchmark: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> io::Result<ExitCode> {
    let open = if args.no_offload {
        TunTapDevice::tap
    } else {
        TunTapDevice::tap_offload
    };
    let mut device = open(&args.tap)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot attach to {}: {e}", args.tap)))?;
    let fd = device.as_raw_fd();
    let epoch = std::time::Instant::now();
    let clock = || Instant::from_micros(epoch.elapsed().as_micros() as i64);

    let caps = device.capabilities();
    let storage = InterfaceStorage::owned(8, 8, caps.ip_mtu().max(1500), 2, 65_535);
    let seed = epoch.elapsed().as_nanos() as u64 ^ u64::from(std::process::id());
    let mut iface = Interface::new(Config::with_seed(seed), caps, MAC, storage, clock());
    iface
        .add_ipv4_addr(args.ip4)
        .map_err(|e| io::Error::other(format!("--ip4 {}: {e:?}", args.ip4)))?;

    let mut sockets = SocketSet::new(Vec::new());
    let socket = || {
        Socket::new(
            SocketBuffer::new(vec![0u8; args.buffer]),
            SocketBuffer::new(vec![0u8; args.buffer]),
        )
    };
    let (port, handle) = match args.mode {
        Mode::Reader => (READER_PORT, sockets.add(socket())),
        Mode::Writer => (WRITER_PORT, sockets.add(socket())),
    };
    let handle = handle.map_err(|e| io::Error::other(format!("socket set: {e:?}")))?;
    sockets
        .get_mut::<Socket>(handle)
        .map_err(|e| io::Error::other(format!("socket: {e:?}")))?
        .listen(port)
        .map_err(|e| io::Error::other(format!("listen {port}: {e:?}")))?;
    println!(
        "ready tap {} ({}) mtu {} ip4 {} {:?} {} bytes, buffers {} bytes",
        args.tap,
        if device.is_offload() {
            "offload: vnet header, TSO/GSO"
        } else {
            "no offload"
        },
        iface.ip_mtu(),
        args.ip4,
        args.mode,
        args.bytes,
        args.buffer
    );

    let done = Arc::new(AtomicBool::new(false));
    let client_done = Arc::clone(&done);
    let (addr, mode, amount) = (args.ip4.address(), args.mode, args.bytes);
    let client = thread::spawn(move || {
        let r = client(addr, mode, amount);
        client_done.store(true, Ordering::SeqCst);
        r
    });

    let mut moved = 0usize;
    let mut closed = false;
    while !done.load(Ordering::SeqCst) {
        let now = clock();
        iface.poll(now, &mut device, &mut sockets);
        let Ok(s) = sockets.get_mut::<Socket>(handle) else {
            break;
        };
        let mut app = false;
        match args.mode {
            Mode::Reader => {
                while s.can_send() && moved < amount {
                    let n = s
                        .send(|buf| {
                            let n = buf.len().min(amount - moved);
                            (n, n)
                        })
                        .unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    moved += n;
                    app = true;
                }
                if moved == amount && !closed && s.state() == State::Established {
                    s.close();
                    closed = true;
                }
            }
            Mode::Writer => {
                while s.can_recv() {
                    let n = s.recv(|buf| (buf.len(), buf.len())).unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    moved += n;
                    app = true;
                }
                if !closed && (moved >= amount || s.state() == State::CloseWait) {
                    s.close();
                    closed = true;
                }
            }
        }
        if app {
            // Send what the application just queued (or the window update
            // for what it just read) without waiting for the next wakeup.
            iface.poll(now, &mut device, &mut sockets);
        }
        let now = clock();
        let sleep = iface.poll_delay(now, &mut sockets).unwrap_or(MAX_SLEEP);
        if sleep > Duration::ZERO {
            tap::wait(fd, Some(sleep.min(MAX_SLEEP)))?;
        }
    }

    let info = sockets.get::<Socket>(handle).map(|s| s.info()).ok();
    match client.join() {
        Ok(Ok(gbps)) => {
            println!("throughput: {gbps:.3} Gbps");
            if let Some(i) = info {
                println!(
                    "stack: {} bytes, retransmits {} (fast {}, rto {}), mss {}, srtt {:?}",
                    moved, i.retransmits, i.fast_retransmits, i.rto_events, i.mss, i.rtt
                );
            }
            println!("tap: {:?}", device.stats());
            Ok(ExitCode::SUCCESS)
        }
        Ok(Err(e)) => Err(io::Error::new(e.kind(), format!("kernel side: {e}"))),
        Err(_) => Err(io::Error::other("the kernel-side thread panicked")),
    }
}
