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
//! The module needs the `tap` feature (std) and Linux. Its `unsafe` blocks
//! are the `if_nametoindex`, `ioctl(SIOCGIFMTU)` and `poll` calls.
// The only module allowed to use `unsafe`, each block with a SAFETY note.
#![allow(unsafe_code)]

use alloc::ffi::CString;
use alloc::vec;
use alloc::vec::Vec;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use ferrotcp::device::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use ferrotcp::time::{Duration, Instant};

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
}

/// A Linux TAP or TUN interface.
#[derive(Debug)]
pub struct TunTapDevice {
    iface: tun_tap::Iface,
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
        if if_index(name)? == 0 {
            return Err(io::Error::new(
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
            ));
        }
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
            iface,
            medium,
            mtu,
            rx_buf: vec![0; room],
            tx_buf: vec![0; mtu],
            stats: TunTapStats::default(),
        })
    }

    /// The interface name.
    pub fn name(&self) -> &str {
        self.iface.name()
    }

    /// The counters.
    pub fn stats(&self) -> &TunTapStats {
        &self.stats
    }
}

impl AsRawFd for TunTapDevice {
    fn as_raw_fd(&self) -> RawFd {
        self.iface.as_raw_fd()
    }
}

/// A frame read from the interface, in the device's buffer.
#[derive(Debug)]
pub struct TunTapRxToken<'a> {
    frame: &'a [u8],
}

impl RxToken for TunTapRxToken<'_> {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(self.frame)
    }
}

/// Room for a frame, written to the interface when consumed.
#[derive(Debug)]
pub struct TunTapTxToken<'a> {
    iface: &'a tun_tap::Iface,
    buf: &'a mut Vec<u8>,
    stats: &'a mut TunTapStats,
}

impl TxToken for TunTapTxToken<'_> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        if self.buf.len() < len {
            self.buf.resize(len, 0);
        }
        let frame = &mut self.buf[..len];
        let r = f(frame);
        match self.iface.send(frame) {
            Ok(_) => self.stats.tx_frames += 1,
            Err(_) => self.stats.tx_errors += 1,
        }
        r
    }
}

impl Device for TunTapDevice {
    type RxToken<'a> = TunTapRxToken<'a>;
    type TxToken<'a> = TunTapTxToken<'a>;

    fn receive(&mut self, _now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let n = loop {
            match self.iface.recv(&mut self.rx_buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
                Err(_) => {
                    self.stats.rx_errors += 1;
                    return None;
                }
            }
        };
        self.stats.rx_frames += 1;
        Some((
            TunTapRxToken {
                frame: &self.rx_buf[..n],
            },
            TunTapTxToken {
                iface: &self.iface,
                buf: &mut self.tx_buf,
                stats: &mut self.stats,
            },
        ))
    }

    fn transmit(&mut self, _now: Instant) -> Option<Self::TxToken<'_>> {
        Some(TunTapTxToken {
            iface: &self.iface,
            buf: &mut self.tx_buf,
            stats: &mut self.stats,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        DeviceCapabilities::new(self.medium, self.mtu)
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
