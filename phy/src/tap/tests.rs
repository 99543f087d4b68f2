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
    }
}

#[test]
fn refuses_a_missing_interface_and_creates_nothing() {
    let name = "ftp-absent9";
    let e = TunTapDevice::tap(name).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
    assert!(e.to_string().contains("never creates"), "{e}");
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
    ip(&["tuntap", "del", "dev", NAME, "mode", "tap"]);
    assert!(ip(&["tuntap", "add", "dev", NAME, "mode", "tap"]));
    let _ = std::fs::write(
        std::format!("/proc/sys/net/ipv6/conf/{NAME}/disable_ipv6"),
        "1",
    );
    assert!(ip(&["link", "set", "dev", NAME, "mtu", "1400", "up"]));

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
}
