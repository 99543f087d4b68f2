//! An existing Linux TAP (Ethernet) or TUN (IP) interface as a device.
//!
//! [`TunTapDevice`] attaches to an interface that already exists — made by
//! `ip tuntap add`, typically inside a network namespace the caller
//! created — through the `tun-tap` crate, with `IFF_NO_PI` (no packet
//! information header) and a non-blocking descriptor.
//!
//! It **never creates an interface**: opened from outside the interface's
//! namespace, `TUNSETIFF` would silently create a new, unconnected one in
//! the caller's namespace, so [`TunTapDevice::open`] first checks with
//! `if_nametoindex` that the name exists here and refuses with
//! [`io::ErrorKind::NotFound`] otherwise.
//!
//! Received frames are read into an internal buffer and parsed there;
//! frames to send are built in a second buffer and written at once. The
//! descriptor is exposed through [`AsRawFd`] so an event loop can wait on
//! it; [`wait`] is a minimal `poll(2)` wrapper for that.
//!
//! [`TunTapDevice::tap_offload`] attaches to a TAP with offloads instead
//! (without the `tun-tap` crate, which cannot ask for them): `IFF_VNET_HDR`
//! puts a `virtio_net_hdr` ([`vnet`]) before every frame, and
//! `TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)` lets the kernel
//! send TCP super-frames of up to 64 KB with checksums left partial, and
//! take them from the stack: one `read`/`write` and one trip through the
//! kernel's stack for up to 45 segments instead of one each. The device
//! declares [`DeviceCapabilities::max_tso_size`] and fills TCP checksums
//! itself (the kernel completes them), and tells the stack which received
//! frames need no checksum check ([`ferrotcp::device::RxMeta`]).
//!
//! The module needs the `tap` feature (std) and Linux. Its `unsafe` blocks
//! are the `if_nametoindex`, `open`, `ioctl(SIOCGIFMTU, TUNSETIFF,
//! TUNSETVNETLE, TUNSETOFFLOAD)` and `poll` calls.
// The only module allowed to use `unsafe`, each block with a SAFETY note.
#![allow(unsafe_code)]

use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use ferrotcp::device::{Device, DeviceCapabilities, Medium, RxMeta, RxToken, TxMeta, TxToken};
use ferrotcp::time::{Duration, Instant};
use ferrotcp::wire::Checksum;

pub mod vnet;

/// RFC 894: the Ethernet II header before the IP packet.
const ETHERNET_HEADER_LEN: usize = 14;
/// IEEE 802.1Q: room for one VLAN tag the kernel may leave in a frame.
const VLAN_TAG_LEN: usize = 4;

/// Counters of a [`TunTapDevice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TunTapStats {
    /// Frames read from the interface.
    pub rx_frames: u64,
    /// Reads that failed with an error other than "would block".
    pub rx_errors: u64,
    /// Frames written to the interface.
    pub tx_frames: u64,
    /// Writes that failed (including "would block": the frame is lost, as
    /// on a real wire).
    pub tx_errors: u64,
    /// Offload TAP: received frames longer than the MTU (TCP super-frames
    /// from the kernel).
    pub rx_super_frames: u64,
    /// Offload TAP: received frames dropped for a `virtio_net_hdr` the
    /// kernel should never send (see [`vnet::VnetHeader::parse`]).
    pub rx_bad_headers: u64,
    /// Offload TAP: TCP super-segments written (cut by the kernel).
    pub tx_super_frames: u64,
    /// Reads that filled the whole receive buffer, dropped: a TAP/TUN
    /// `read` shorter than the frame silently cuts it (the kernel returns
    /// the buffer's length), so such a frame may be truncated and is never
    /// delivered. The buffer holds the largest frame the interface can
    /// hand over plus one byte, so this counts only frames over that (a
    /// plain device opened with an IP MTU below the interface's, or the
    /// interface's MTU raised after the open).
    pub rx_truncated: u64,
    /// The longest frame delivered (link header included, the offload
    /// TAP's `virtio_net_hdr` not).
    pub rx_max_frame_len: u64,
}

/// The largest TCP super-segment the stack hands an offload TAP (IPv4
/// total length, IPv6 header + payload length: `max_tso_size`).
const MAX_SUPER_PACKET: usize = 65_535;

/// The longest frame an offload TAP can hand over, `virtio_net_hdr`
/// excluded. With `TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6` (no UFO/USO: no
/// UDP super-frames) a frame is one IP packet of at most
///
/// * IPv4: 65,535 bytes (the 16-bit total length, RFC 791 §3.1);
/// * IPv6: 40 + 65,535 bytes (the 16-bit payload length excludes the
///   fixed header, RFC 8200 §3). Larger needs a jumbogram (RFC 2675), which
///   Linux sends only with BIG TCP, on a device whose `tso_max_size`
///   exceeds 64 KB: tun never raises it from the legacy 65,536 (which
///   counts the IP header, so the kernel's own super-frames stay below
///   65,535 IP bytes either way: 45 segments of 1,428 on IPv6);
///
/// after its Ethernet II header (14) and up to two 802.1Q tags (the
/// kernel writes an accelerated tag back into the frame, another may sit
/// in the data: 2 x 4). The IPv6 bound is the largest: 65,597 bytes.
const MAX_OFFLOAD_FRAME: usize = ETHERNET_HEADER_LEN + 2 * VLAN_TAG_LEN + 40 + 65_535;

/// Whether a read of `n` bytes into a buffer of `buf_len` holds a whole
/// frame. A TAP/TUN `read` shorter than the frame returns the buffer's
/// length with the rest of the frame lost (`tun_chr_read_iter`: the
/// result is capped at the buffer), so a read that fills the buffer may
/// be truncated: the buffers are one byte longer than any frame expected,
/// and a full read is dropped.
fn read_is_whole(n: usize, buf_len: usize) -> bool {
    n < buf_len
}

/// How frames reach the interface.
#[derive(Debug)]
enum Io {
    /// Through the `tun-tap` crate, no offloads.
    Plain(tun_tap::Iface),
    /// A descriptor of `/dev/net/tun` opened here with `IFF_VNET_HDR`:
    /// every frame read or written starts with a `virtio_net_hdr`.
    Vnet { file: File, name: String },
    /// Tests: reads return queued frames as the kernel does (cut to the
    /// buffer, returning the buffer's length), writes are kept.
    #[cfg(test)]
    Double(tests::IoDouble),
}

impl Io {
    fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Io::Plain(i) => i.recv(buf),
            Io::Vnet { file, .. } => (&*file).read(buf),
            #[cfg(test)]
            Io::Double(d) => d.recv(buf),
        }
    }

    fn send(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Io::Plain(i) => i.send(buf),
            Io::Vnet { file, .. } => (&*file).write(buf),
            #[cfg(test)]
            Io::Double(d) => d.send(buf),
        }
    }

    /// Whether every frame starts with a `virtio_net_hdr`.
    fn is_vnet(&self) -> bool {
        match self {
            Io::Plain(_) => false,
            Io::Vnet { .. } => true,
            #[cfg(test)]
            Io::Double(d) => d.vnet,
        }
    }
}

/// A Linux TAP or TUN interface.
#[derive(Debug)]
pub struct TunTapDevice {
    io: Io,
    medium: Medium,
    /// The frame MTU (link header included).
    mtu: usize,
    rx_buf: Vec<u8>,
    tx_buf: Vec<u8>,
    stats: TunTapStats,
}

fn if_index(name: &str) -> io::Result<u32> {
    let c_name = CString::new(name)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "interface name contains NUL"))?;
    // SAFETY: `c_name` is a valid NUL-terminated string that outlives the
    // call; if_nametoindex only reads it.
    Ok(unsafe { libc::if_nametoindex(c_name.as_ptr()) })
}

/// `NotFound` unless an interface `name` exists in this namespace.
fn if_exists(name: &str, medium: Medium) -> io::Result<()> {
    if if_index(name)? != 0 {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        alloc::format!(
            "no interface named {name:?} in this network namespace; \
             create it first (ip tuntap add dev {name} mode {}) — \
             ferrotcp-phy never creates one",
            if medium == Medium::Ethernet {
                "tap"
            } else {
                "tun"
            }
        ),
    ))
}

/// One `ioctl` with an `int` argument by pointer (the TUN `SET` calls).
fn ioctl_int(fd: &File, request: libc::Ioctl, value: libc::c_int) -> io::Result<()> {
    let mut v = value;
    // SAFETY: `fd` is an open descriptor; the TUN `SET` requests used here
    // read one `int` through the pointer, which points at `v`, alive across
    // the call.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), request, &mut v as *mut libc::c_int) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Open `/dev/net/tun` and attach to the existing TAP `name` with
/// `IFF_VNET_HDR`, little-endian headers and the TCP offloads (the caller
/// checked that the interface exists: `TUNSETIFF` would create one).
fn open_vnet_tap(name: &str) -> io::Result<File> {
    if name.len() >= libc::IFNAMSIZ {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "interface name too long",
        ));
    }
    let path = c"/dev/net/tun";
    // SAFETY: `path` is a NUL-terminated string literal; open(2) only
    // reads it. The result is checked below.
    let fd = unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor owned by nobody else.
    let file = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    // SAFETY: `ifreq` is plain old data; all zeroes is a valid value.
    let mut req: libc::ifreq = unsafe { core::mem::zeroed() };
    for (dst, &src) in req.ifr_name.iter_mut().zip(name.as_bytes()) {
        *dst = src as libc::c_char;
    }
    req.ifr_ifru.ifru_flags =
        (libc::IFF_TAP | libc::IFF_NO_PI | libc::IFF_VNET_HDR) as libc::c_short;
    // SAFETY: TUNSETIFF reads the NUL-terminated `ifr_name` (shorter than
    // IFNAMSIZ, rest zero) and `ifru_flags`, and writes the name back,
    // all inside `req`, which lives across the call.
    let r = unsafe { libc::ioctl(file.as_raw_fd(), libc::TUNSETIFF, &mut req) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // Little-endian headers whatever the host (the default is the host's
    // order on a legacy virtio host; explicit is clearer).
    if let Err(e) = ioctl_int(&file, libc::TUNSETVNETLE, 1)
        && cfg!(target_endian = "big")
    {
        return Err(e);
    }
    ioctl_int(
        &file,
        libc::TUNSETVNETHDRSZ,
        vnet::HEADER_LEN as libc::c_int,
    )?;
    let offloads = libc::TUN_F_CSUM | libc::TUN_F_TSO4 | libc::TUN_F_TSO6;
    // TUNSETOFFLOAD takes its flags by value, not by pointer.
    // SAFETY: plain ioctl with an integer argument on an open descriptor.
    let r = unsafe {
        libc::ioctl(
            file.as_raw_fd(),
            libc::TUNSETOFFLOAD,
            libc::c_ulong::from(offloads),
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(file)
}

/// The IP MTU of interface `name` (`ioctl(SIOCGIFMTU)`).
pub fn interface_mtu(name: &str) -> io::Result<usize> {
    if name.len() >= libc::IFNAMSIZ {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "interface name too long",
        ));
    }
    // SAFETY: plain socket(2) call; the result is checked below.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor owned by nobody else.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: `ifreq` is plain old data (a name array and a union of
    // integers and addresses); all zeroes is a valid value.
    let mut req: libc::ifreq = unsafe { core::mem::zeroed() };
    for (dst, &src) in req.ifr_name.iter_mut().zip(name.as_bytes()) {
        *dst = src as libc::c_char;
    }
    // SAFETY: SIOCGIFMTU reads `ifr_name` (NUL-terminated: the name is
    // shorter than IFNAMSIZ and the rest is zero) and writes `ifru_mtu`
    // inside `req`, which lives across the call.
    let r = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFMTU, &mut req) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a successful SIOCGIFMTU initialised the `ifru_mtu` member.
    let mtu = unsafe { req.ifr_ifru.ifru_mtu };
    usize::try_from(mtu).map_err(|_| io::Error::other("negative MTU"))
}

impl TunTapDevice {
    /// Attach to the existing TAP interface `name` (Ethernet frames).
    pub fn tap(name: &str) -> io::Result<Self> {
        Self::open(name, Medium::Ethernet, None)
    }

    /// Attach to the existing TAP interface `name` with offloads: a
    /// `virtio_net_hdr` on every frame, TCP super-frames of up to 64 KB
    /// both ways (TSO for IPv4 and IPv6), TCP checksums filled by the
    /// kernel and partial checksums from it trusted. Like [`Self::tap`], it
    /// never creates an interface ([`io::ErrorKind::NotFound`]).
    ///
    /// `IFF_VNET_HDR` belongs to the interface, not the descriptor: a later
    /// attach without it (another process opening the same TAP plainly)
    /// turns it off for this device too, and frames are then misread
    /// (most dropped as bad headers, counted). One user per TAP.
    pub fn tap_offload(name: &str) -> io::Result<Self> {
        if_exists(name, Medium::Ethernet)?;
        let ip_mtu = interface_mtu(name)?;
        let file = open_vnet_tap(name)?;
        let mtu = ip_mtu + ETHERNET_HEADER_LEN;
        Ok(TunTapDevice {
            io: Io::Vnet {
                file,
                name: String::from(name),
            },
            medium: Medium::Ethernet,
            mtu,
            // One byte more than the longest frame: a read that fills the
            // buffer is known truncated (`read_is_whole`).
            rx_buf: vec![0; vnet::HEADER_LEN + MAX_OFFLOAD_FRAME + 1],
            tx_buf: vec![0; vnet::HEADER_LEN + mtu],
            stats: TunTapStats::default(),
        })
    }

    /// Whether the device was opened with offloads
    /// ([`Self::tap_offload`]).
    pub fn is_offload(&self) -> bool {
        self.io.is_vnet()
    }

    /// Attach to the existing TUN interface `name` (bare IP packets).
    pub fn tun(name: &str) -> io::Result<Self> {
        Self::open(name, Medium::Ip, None)
    }

    /// Attach to the existing interface `name` of the kind `medium` says
    /// (Ethernet: TAP, IP: TUN). `ip_mtu` overrides the MTU read from the
    /// interface; the frame MTU adds the Ethernet header for a TAP.
    ///
    /// Fails with [`io::ErrorKind::NotFound`] if no interface of that name
    /// exists in this network namespace (nothing is created).
    pub fn open(name: &str, medium: Medium, ip_mtu: Option<usize>) -> io::Result<Self> {
        if_exists(name, medium)?;
        let ip_mtu = match ip_mtu {
            Some(m) => m,
            None => interface_mtu(name)?,
        };
        let mode = match medium {
            Medium::Ethernet => tun_tap::Mode::Tap,
            Medium::Ip => tun_tap::Mode::Tun,
        };
        let iface = tun_tap::Iface::without_packet_info(name, mode)?;
        iface.set_non_blocking()?;
        let (mtu, room) = match medium {
            Medium::Ethernet => {
                let mtu = ip_mtu + ETHERNET_HEADER_LEN;
                (mtu, mtu + VLAN_TAG_LEN)
            }
            Medium::Ip => (ip_mtu, ip_mtu),
        };
        Ok(TunTapDevice {
            io: Io::Plain(iface),
            medium,
            mtu,
            // One byte more than the longest frame: a read that fills the
            // buffer is known truncated (`read_is_whole`).
            rx_buf: vec![0; room + 1],
            tx_buf: vec![0; mtu],
            stats: TunTapStats::default(),
        })
    }

    /// The interface name.
    pub fn name(&self) -> &str {
        match &self.io {
            Io::Plain(i) => i.name(),
            Io::Vnet { name, .. } => name,
            #[cfg(test)]
            Io::Double(_) => "double",
        }
    }

    /// The counters.
    pub fn stats(&self) -> &TunTapStats {
        &self.stats
    }
}

impl AsRawFd for TunTapDevice {
    fn as_raw_fd(&self) -> RawFd {
        match &self.io {
            Io::Plain(i) => i.as_raw_fd(),
            Io::Vnet { file, .. } => file.as_raw_fd(),
            #[cfg(test)]
            Io::Double(_) => -1,
        }
    }
}

/// A frame read from the interface, in the device's buffer.
#[derive(Debug)]
pub struct TunTapRxToken<'a> {
    frame: &'a [u8],
    meta: RxMeta,
}

impl RxToken for TunTapRxToken<'_> {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(self.frame)
    }

    fn meta(&self) -> RxMeta {
        self.meta
    }
}

/// Room for a frame, written to the interface when consumed.
#[derive(Debug)]
pub struct TunTapTxToken<'a> {
    io: &'a Io,
    buf: &'a mut Vec<u8>,
    stats: &'a mut TunTapStats,
    meta: TxMeta,
}

impl TxToken for TunTapTxToken<'_> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let vnet = self.io.is_vnet();
        // An offload TAP's frame follows the room for its header.
        let head = if vnet { vnet::HEADER_LEN } else { 0 };
        if self.buf.len() < head + len {
            self.buf.resize(head + len, 0);
        }
        let out = &mut self.buf[..head + len];
        let r = f(&mut out[head..]);
        if vnet && self.meta.checksums_complete && self.meta.tcp_segment_size.is_none() {
            // Checksums completed by the caller (a fault injector that then
            // flipped a bit): no F_NEEDS_CSUM, the frame as it is, so the
            // kernel checks the checksum and catches the damage.
            vnet::VnetHeader::default().emit(&mut out[..head]);
        } else if vnet {
            let (header, frame) = out.split_at_mut(head);
            match vnet::header_for_frame(frame, self.meta.tcp_segment_size) {
                Ok(h) => {
                    h.emit(header);
                    if h.is_gso() {
                        self.stats.tx_super_frames += 1;
                    }
                }
                Err(_) => {
                    // A super-segment the kernel could not cut: lost, as
                    // on a wire (the stack never builds one).
                    self.stats.tx_errors += 1;
                    return r;
                }
            }
        }
        match self.io.send(out) {
            Ok(_) => self.stats.tx_frames += 1,
            Err(_) => self.stats.tx_errors += 1,
        }
        r
    }

    fn set_meta(&mut self, meta: TxMeta) {
        self.meta = meta;
    }
}

impl Device for TunTapDevice {
    type RxToken<'a> = TunTapRxToken<'a>;
    type TxToken<'a> = TunTapTxToken<'a>;

    fn receive(&mut self, _now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let vnet = self.io.is_vnet();
        let (start, n, meta) = loop {
            let n = match self.io.recv(&mut self.rx_buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
                Err(_) => {
                    self.stats.rx_errors += 1;
                    return None;
                }
            };
            if !read_is_whole(n, self.rx_buf.len()) {
                // Perhaps cut short: dropped and counted, the next read.
                self.stats.rx_truncated += 1;
                continue;
            }
            if !vnet {
                break (0, n, RxMeta::default());
            }
            let frame_len = n.saturating_sub(vnet::HEADER_LEN);
            match vnet::VnetHeader::parse(&self.rx_buf[..n], frame_len) {
                Ok(h) => {
                    if frame_len > self.mtu {
                        self.stats.rx_super_frames += 1;
                    }
                    let meta = RxMeta::with_transport_checksum_valid(h.checksum_trusted())
                        .with_tcp_segment_size(h.tcp_segment_size());
                    break (vnet::HEADER_LEN, n, meta);
                }
                // Strict: the frame is dropped and counted, the next read.
                Err(_) => self.stats.rx_bad_headers += 1,
            }
        };
        self.stats.rx_frames += 1;
        let len = u64::try_from(n.saturating_sub(start)).unwrap_or(u64::MAX);
        self.stats.rx_max_frame_len = self.stats.rx_max_frame_len.max(len);
        Some((
            TunTapRxToken {
                frame: &self.rx_buf[start..n],
                meta,
            },
            TunTapTxToken {
                io: &self.io,
                buf: &mut self.tx_buf,
                stats: &mut self.stats,
                meta: TxMeta::default(),
            },
        ))
    }

    fn transmit(&mut self, _now: Instant) -> Option<Self::TxToken<'_>> {
        Some(TunTapTxToken {
            io: &self.io,
            buf: &mut self.tx_buf,
            stats: &mut self.stats,
            meta: TxMeta::default(),
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::new(self.medium, self.mtu);
        if self.is_offload() {
            // TCP: the stack checks received checksums the kernel did not
            // vouch for; the device fills the ones it sends (the
            // pseudo-header sum, completed by the kernel).
            caps.checksum.tcp = Checksum::Rx;
            caps.max_tso_size = MAX_SUPER_PACKET;
        }
        caps
    }
}

/// Wait until `fd` is readable or `timeout` passes (`None`: no limit).
/// Returns whether it became readable. Use it in a main loop with the
/// stack's `poll_at`: `wait(dev.as_raw_fd(), poll_at - now)`.
pub fn wait(fd: RawFd, timeout: Option<Duration>) -> io::Result<bool> {
    let ms = match timeout {
        None => -1,
        // Round up so a sub-millisecond deadline does not spin.
        Some(d) => i32::try_from(d.total_micros().div_ceil(1000)).unwrap_or(i32::MAX),
    };
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: `pfd` is one valid pollfd that lives across the call,
        // and the count passed is 1.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r >= 0 {
            return Ok(r > 0 && pfd.revents & libc::POLLIN != 0);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(test)]
mod tests;
