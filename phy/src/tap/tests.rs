use super::*;
use std::process::Command;

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
