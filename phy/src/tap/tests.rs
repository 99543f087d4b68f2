use super::*;
use core::cell::RefCell;
use std::collections::VecDeque;
use std::process::Command;

/// An [`Io`] without a kernel: reads hand out queued frames as a TAP does
/// (a frame longer than the buffer is cut to it and the read returns the
/// buffer's length, `tun_chr_read_iter`), writes are kept.
#[derive(Debug, Default)]
pub(super) struct IoDouble {
    pub(super) vnet: bool,
    rx: RefCell<VecDeque<Vec<u8>>>,
    tx: RefCell<Vec<Vec<u8>>>,
}

impl IoDouble {
    pub(super) fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(frame) = self.rx.borrow_mut().pop_front() else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let n = frame.len().min(buf.len());
        buf[..n].copy_from_slice(&frame[..n]);
        Ok(n)
    }

    pub(super) fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.tx.borrow_mut().push(buf.to_vec());
        Ok(buf.len())
    }
}

/// A device over an [`IoDouble`] laid out as `tap_offload` (`vnet`) or
/// `tap` with IP MTU 1500 lays out a real one.
fn double(vnet: bool) -> TunTapDevice {
    let mtu = 1500 + ETHERNET_HEADER_LEN;
    let rx_len = if vnet {
        vnet::HEADER_LEN + MAX_OFFLOAD_FRAME + 1
    } else {
        mtu + VLAN_TAG_LEN + 1
    };
    TunTapDevice {
        io: Io::Double(IoDouble {
            vnet,
            ..IoDouble::default()
        }),
        medium: Medium::Ethernet,
        mtu,
        rx_buf: vec![0; rx_len],
        tx_buf: vec![0; mtu],
        stats: TunTapStats::default(),
    }
}

/// Queue `frame` (after an empty `virtio_net_hdr` when `vnet`) for the
/// device to read.
fn queue(dev: &TunTapDevice, frame: &[u8]) {
    let Io::Double(d) = &dev.io else {
        unreachable!()
    };
    let mut bytes = std::vec![0u8; if d.vnet { vnet::HEADER_LEN } else { 0 }];
    bytes.extend_from_slice(frame);
    d.rx.borrow_mut().push_back(bytes);
}

fn received(dev: &mut TunTapDevice) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some((rx, _)) = dev.receive(Instant::ZERO) {
        out.push(rx.consume(|f| f.to_vec()));
    }
    out
}

fn numbered(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 256) as u8).collect()
}

#[test]
fn a_read_that_fills_the_buffer_is_dropped_as_truncated() {
    assert!(read_is_whole(0, 1) && read_is_whole(1513, 1514));
    assert!(!read_is_whole(1514, 1514) && !read_is_whole(0, 0));

    // Plain TAP, IP MTU 1500: room for a full frame with a VLAN tag.
    let mut dev = double(false);
    let longest = numbered(1514 + 4);
    for len in [60, 1514 + 4, 1514 + 5, 9000, 1514] {
        queue(&dev, &numbered(len));
    }
    let got = received(&mut dev);
    assert_eq!(got, [numbered(60), longest, numbered(1514)]);
    let s = *dev.stats();
    assert_eq!((s.rx_frames, s.rx_truncated), (3, 2));
    assert_eq!(s.rx_max_frame_len, 1518);

    // Offload TAP: the largest IPv6 super-frame (40 + 65,535 IP bytes
    // after two VLAN tags) arrives whole; one byte more cannot be told
    // from a cut frame and is dropped, as is anything longer.
    let mut dev = double(true);
    assert_eq!(MAX_OFFLOAD_FRAME, 14 + 8 + 40 + 65_535);
    let max = numbered(MAX_OFFLOAD_FRAME);
    for len in [MAX_OFFLOAD_FRAME + 1, 200_000, MAX_OFFLOAD_FRAME, 64] {
        queue(&dev, &numbered(len));
    }
    let got = received(&mut dev);
    assert_eq!(got.len(), 2);
    assert!(got[0] == max, "the longest frame is delivered whole");
    assert_eq!(got[1], numbered(64));
    let s = *dev.stats();
    assert_eq!((s.rx_frames, s.rx_truncated, s.rx_bad_headers), (2, 2, 0));
    assert_eq!(s.rx_super_frames, 1);
    assert_eq!(s.rx_max_frame_len, MAX_OFFLOAD_FRAME as u64);
}

const NAME: &str = "ftp-test0";

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

fn counter(name: &str) -> u64 {
    std::fs::read_to_string(std::format!("/sys/class/net/{NAME}/statistics/{name}"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Deletes the test interface when the test ends, pass or fail.
struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        ip(&["tuntap", "del", "dev", NAME, "mode", "tap"]);
        ip(&["tuntap", "del", "dev", NAME, "mode", "tun"]);
    }
}

/// Create the persistent interface `NAME` of `mode`, IPv6 off (so the
/// kernel sends nothing of its own), no address, up.
fn create(mode: &str) {
    ip(&["tuntap", "del", "dev", NAME, "mode", mode]);
    assert!(ip(&["tuntap", "add", "dev", NAME, "mode", mode]));
    let _ = std::fs::write(
        std::format!("/proc/sys/net/ipv6/conf/{NAME}/disable_ipv6"),
        "1",
    );
    assert!(ip(&["link", "set", "dev", NAME, "mtu", "1400", "up"]));
}

#[test]
fn refuses_a_missing_interface_and_creates_nothing() {
    let name = "ftp-absent9";
    let e = TunTapDevice::tap(name).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
    assert!(e.to_string().contains("never creates"), "{e}");
    assert_eq!(if_index(name).unwrap(), 0);
    let e = TunTapDevice::tap_offload(name).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
    assert_eq!(if_index(name).unwrap(), 0);
    assert_eq!(
        TunTapDevice::open("bad\0name", Medium::Ip, None)
            .unwrap_err()
            .kind(),
        io::ErrorKind::InvalidInput
    );
}

#[test]
fn mtu_of_loopback_is_read_by_ioctl() {
    let expected: usize = std::fs::read_to_string("/sys/class/net/lo/mtu")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(interface_mtu("lo").unwrap(), expected);
    assert!(interface_mtu("ftp-absent9").is_err());
}

#[test]
fn attaches_to_an_existing_tap_and_sends() {
    if !is_root() {
        std::eprintln!("skipped: needs root (creates a TAP interface {NAME})");
        return;
    }
    // A persistent TAP in this namespace; no address, IPv6 off so the
    // kernel sends nothing of its own. Traffic cannot leave it.
    let _cleanup = Cleanup;
    create("tap");

    let mut dev = TunTapDevice::tap(NAME).unwrap();
    assert_eq!(dev.name(), NAME);
    let caps = dev.capabilities();
    assert_eq!(caps.medium, Medium::Ethernet);
    assert_eq!(caps.max_transmission_unit, 1400 + 14);
    assert!(dev.as_raw_fd() >= 0);

    // Non-blocking: nothing to read returns at once.
    assert!(dev.receive(Instant::ZERO).is_none());
    assert!(!wait(dev.as_raw_fd(), Some(Duration::from_millis(20))).unwrap());

    let before = counter("rx_packets");
    let frame: [u8; 60] = {
        let mut f = [0u8; 60];
        f[..6].copy_from_slice(&[0xff; 6]); // broadcast
        f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
        f[12..14].copy_from_slice(&0x88b5u16.to_be_bytes()); // local experimental
        f
    };
    for _ in 0..3 {
        let tx = dev.transmit(Instant::ZERO).unwrap();
        tx.consume(frame.len(), |b| b.copy_from_slice(&frame));
    }
    assert_eq!(dev.stats().tx_frames, 3);
    assert_eq!(dev.stats().tx_errors, 0);
    // What we write, the kernel receives on the tap.
    assert_eq!(counter("rx_packets") - before, 3);
    drop(dev);

    // The same as a TUN, with the MTU given by the caller.
    assert!(ip(&["tuntap", "del", "dev", NAME, "mode", "tap"]));
    create("tun");
    let mut dev = TunTapDevice::open(NAME, Medium::Ip, Some(1280)).unwrap();
    let caps = dev.capabilities();
    assert_eq!(
        (caps.medium, caps.max_transmission_unit),
        (Medium::Ip, 1280)
    );
    // Without multiqueue a second attach is refused (EBUSY).
    assert!(TunTapDevice::tun(NAME).is_err());
    let before = counter("rx_packets");
    // An IPv4 header (version 4, IHL 5) for 192.0.2.1 -> 192.0.2.2 is
    // enough for the kernel to count the packet.
    let mut packet = [0u8; 20];
    packet[0] = 0x45;
    packet[2..4].copy_from_slice(&20u16.to_be_bytes());
    packet[8] = 1;
    packet[12..16].copy_from_slice(&[192, 0, 2, 1]);
    packet[16..20].copy_from_slice(&[192, 0, 2, 2]);
    let tx = dev.transmit(Instant::ZERO).unwrap();
    tx.consume(packet.len(), |b| b.copy_from_slice(&packet));
    assert_eq!(dev.stats().tx_frames, 1);
    assert_eq!(counter("rx_packets") - before, 1);
}

#[test]
fn attaches_to_an_existing_tap_with_offloads() {
    if !is_root() {
        std::eprintln!("skipped: needs root (creates a TAP interface {NAME}0)");
        return;
    }
    // Its own name: the tests of this file run in parallel.
    let name = "ftp-test00";
    struct Gone(&'static str);
    impl Drop for Gone {
        fn drop(&mut self) {
            ip(&["tuntap", "del", "dev", self.0, "mode", "tap"]);
        }
    }
    ip(&["tuntap", "del", "dev", name, "mode", "tap"]);
    assert!(ip(&["tuntap", "add", "dev", name, "mode", "tap"]));
    let _gone = Gone(name);
    let _ = std::fs::write(
        std::format!("/proc/sys/net/ipv6/conf/{name}/disable_ipv6"),
        "1",
    );
    assert!(ip(&["link", "set", "dev", name, "mtu", "1400", "up"]));

    let mut dev = TunTapDevice::tap_offload(name).unwrap();
    assert!(dev.is_offload());
    assert_eq!(dev.name(), name);
    let caps = dev.capabilities();
    assert_eq!(caps.max_transmission_unit, 1400 + 14);
    assert_eq!(caps.max_tso_size, 65_535);
    assert_eq!(caps.checksum.tcp, Checksum::Rx);
    // Without multiqueue a second attach is refused (EBUSY).
    assert!(TunTapDevice::tap(name).is_err());
    // Nothing waiting; a frame written with its (empty) header is counted
    // by the kernel as one packet.
    let rx_packets = || -> u64 {
        std::fs::read_to_string(std::format!("/sys/class/net/{name}/statistics/rx_packets"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let before = rx_packets();
    let tx = dev.transmit(Instant::ZERO).unwrap();
    tx.consume(60, |b| {
        b.fill(0);
        b[..6].copy_from_slice(&[0xff; 6]);
        b[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
        b[12..14].copy_from_slice(&0x88b5u16.to_be_bytes());
    });
    assert_eq!(dev.stats().tx_frames, 1);
    assert_eq!(dev.stats().tx_errors, 0);
    assert_eq!(rx_packets() - before, 1);
}

#[test]
fn a_frame_with_complete_checksums_goes_without_needs_csum() {
    // An Ethernet + IPv4 + TCP frame whose checksum a fault injector
    // completed (then damaged): the kernel must check it, not sum it.
    let mut frame = std::vec![0u8; 14 + 20 + 20 + 10];
    frame[12..14].copy_from_slice(&[0x08, 0x00]);
    frame[14] = 0x45;
    frame[16..18].copy_from_slice(&50u16.to_be_bytes());
    frame[23] = 6;
    frame[34 + 12] = 5 << 4;
    frame[50..52].copy_from_slice(&[0xab, 0xcd]);
    let mut dev = double(true);
    for complete in [true, false] {
        let mut tx = dev.transmit(Instant::ZERO).unwrap();
        tx.set_meta(TxMeta::with_checksums_complete(complete));
        tx.consume(frame.len(), |b| b.copy_from_slice(&frame));
    }
    let Io::Double(d) = &dev.io else {
        unreachable!()
    };
    let sent = d.tx.borrow();
    let header = |b: &[u8]| vnet::VnetHeader::parse(b, b.len() - vnet::HEADER_LEN).unwrap();
    assert_eq!(header(&sent[0]), vnet::VnetHeader::default());
    assert_eq!(sent[0][vnet::HEADER_LEN..], frame[..]);
    assert_eq!(header(&sent[1]).flags, vnet::F_NEEDS_CSUM);
    assert_ne!(sent[1][vnet::HEADER_LEN + 50..][..2], [0xab, 0xcd]);
}
