//! Completing in software the checksums a device would fill, so that the
//! fault injector corrupts a frame *after* its checksums, as a wire does.
//!
//! A device that declares a checksum offload (`DeviceCapabilities::checksum`
//! with a protocol whose `tx()` is false: an offload TAP's TCP) gets frames
//! whose checksum field the stack left for it; it (or the kernel behind
//! it) computes the checksum over the bytes it is handed. A bit flipped
//! before that is covered by the new checksum and the receiver accepts the
//! damage. The injector therefore completes those checksums here first,
//! flips the bit, and tells the device the checksums are complete
//! (`TxMeta::checksums_complete`).
//!
//! Only what a device can fill is filled: an unfragmented IPv4 packet's
//! header checksum (RFC 791 §3.1) and TCP (RFC 9293 §3.1), UDP (RFC 768)
//! and ICMPv4 (RFC 792) checksums; an IPv6 packet's TCP, UDP and ICMPv6
//! (RFC 8200 §8.1, RFC 4443 §2.3) checksums when the transport header
//! follows the fixed header. Anything else is left as it is. The sums are
//! `ferrotcp::wire::checksum`'s. Never panics.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ferrotcp::device::Medium;
use ferrotcp::wire::{ChecksumCapabilities, IpProtocol, checksum};

/// RFC 894 Ethernet II header length.
const ETHERNET_HEADER_LEN: usize = 14;

/// Whether a device with checksum duties `c` fills any checksum itself.
pub(crate) fn device_fills_any(c: &ChecksumCapabilities) -> bool {
    [c.ipv4, c.udp, c.tcp, c.icmpv4, c.icmpv6]
        .iter()
        .any(|d| !d.tx())
}

/// Complete the checksums of `frame` (framed as `medium` says) that a
/// device with duties `c` would fill.
pub(crate) fn complete(frame: &mut [u8], medium: Medium, c: &ChecksumCapabilities) {
    let ip = match medium {
        Medium::Ethernet => {
            let Some(ethertype) = frame.get(12..14) else {
                return;
            };
            if ethertype != [0x08, 0x00] && ethertype != [0x86, 0xdd] {
                return;
            }
            &mut frame[ETHERNET_HEADER_LEN..]
        }
        Medium::Ip => frame,
    };
    match ip.first().map(|b| b >> 4) {
        Some(4) => ipv4(ip, c),
        Some(6) => ipv6(ip, c),
        _ => {}
    }
}

fn ipv4(ip: &mut [u8], c: &ChecksumCapabilities) {
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let Some(total) = ip
        .get(2..4)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    else {
        return;
    };
    if ihl < 20 || total < ihl || total > ip.len() {
        return;
    }
    let ip = &mut ip[..total];
    // Transport checksums first: the IPv4 header checksum does not cover
    // them.
    let fragment = u16::from_be_bytes([ip[6], ip[7]]) & 0x3fff != 0;
    if !fragment {
        let src = Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]);
        let dst = Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]);
        let protocol = ip[9];
        transport(
            &mut ip[ihl..],
            protocol,
            (IpAddr::V4(src), IpAddr::V4(dst)),
            c,
            false,
        );
    }
    if !c.ipv4.tx() {
        // RFC 791 §3.1: the complement of the sum over the header, with
        // the field zero while summing.
        ip[10..12].copy_from_slice(&[0, 0]);
        let sum = !checksum::data(&ip[..ihl]);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
    }
}

fn ipv6(ip: &mut [u8], c: &ChecksumCapabilities) {
    let Some(payload) = ip
        .get(4..6)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    else {
        return;
    };
    if ip.len() < 40 || 40 + payload > ip.len() {
        return;
    }
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    src.copy_from_slice(&ip[8..24]);
    dst.copy_from_slice(&ip[24..40]);
    let next = ip[6];
    transport(
        &mut ip[40..40 + payload],
        next,
        (
            IpAddr::V6(Ipv6Addr::from(src)),
            IpAddr::V6(Ipv6Addr::from(dst)),
        ),
        c,
        true,
    );
}

/// Fill the checksum of the transport `segment` of `protocol` between
/// `addrs` if the device would.
fn transport(
    segment: &mut [u8],
    protocol: u8,
    addrs: (IpAddr, IpAddr),
    c: &ChecksumCapabilities,
    ipv6: bool,
) {
    // (checksum field offset, pseudo-header included)
    let (field, pseudo) = match protocol {
        6 if !c.tcp.tx() => (16, true),
        17 if !c.udp.tx() => (6, true),
        1 if !ipv6 && !c.icmpv4.tx() => (2, false),
        58 if ipv6 && !c.icmpv6.tx() => (2, true),
        _ => return,
    };
    let Some(len) = u32::try_from(segment.len()).ok() else {
        return;
    };
    if segment.len() < field + 2 {
        return;
    }
    segment[field..field + 2].copy_from_slice(&[0, 0]);
    let mut sum = checksum::data(segment);
    if pseudo {
        let header = checksum::pseudo_header(&addrs.0, &addrs.1, IpProtocol::from(protocol), len);
        sum = checksum::combine(&[header, sum]);
    }
    let mut value = !sum;
    // RFC 768: a computed zero is sent as all ones (zero means "none").
    if protocol == 17 && value == 0 {
        value = 0xffff;
    }
    segment[field..field + 2].copy_from_slice(&value.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use ferrotcp::wire::Checksum;

    /// Whether the transport checksum of `segment` verifies (the sum over
    /// pseudo-header and segment is all ones).
    fn verifies(segment: &[u8], protocol: u8, src: IpAddr, dst: IpAddr) -> bool {
        let len = segment.len() as u32;
        let pseudo = checksum::pseudo_header(&src, &dst, IpProtocol::from(protocol), len);
        checksum::combine(&[pseudo, checksum::data(segment)]) == 0xffff
    }

    #[test]
    fn fills_what_the_device_would_and_nothing_else() {
        let all_device = ChecksumCapabilities::ignored();
        assert!(device_fills_any(&all_device));
        assert!(!device_fills_any(&ChecksumCapabilities::all()));

        // IPv6 + UDP and IPv6 + ICMPv6, bare IP (a TUN).
        let (src, dst): (IpAddr, IpAddr) = (
            IpAddr::V6([0xfd00, 0, 0, 0, 0, 0, 0, 1].into()),
            IpAddr::V6([0xfd00, 0, 0, 0, 0, 0, 0, 2].into()),
        );
        for (proto, field) in [(17u8, 6usize), (58, 2), (6, 16)] {
            let mut p = vec![0u8; 40 + 30];
            p[0] = 0x60;
            p[4..6].copy_from_slice(&30u16.to_be_bytes());
            p[6] = proto;
            p[8] = 0xfd;
            p[23] = 1;
            p[24] = 0xfd;
            p[39] = 2;
            p[40..]
                .iter_mut()
                .enumerate()
                .for_each(|(i, b)| *b = i as u8);
            p[40 + field] = 0x55;
            let before = p.clone();
            complete(&mut p, Medium::Ip, &ChecksumCapabilities::all());
            assert_eq!(p, before, "the stack fills them all: untouched");
            complete(&mut p, Medium::Ip, &all_device);
            assert!(verifies(&p[40..], proto, src, dst), "protocol {proto}");
        }

        // Ethernet + IPv4 + ICMPv4 with the header checksum left too.
        let mut f = vec![0u8; 14 + 20 + 12];
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        f[14] = 0x45;
        f[16..18].copy_from_slice(&32u16.to_be_bytes());
        f[22] = 64;
        f[23] = 1;
        f[26..30].copy_from_slice(&[10, 0, 0, 1]);
        f[30..34].copy_from_slice(&[10, 0, 0, 2]);
        f[34] = 8;
        f[38..].copy_from_slice(b"pingpong");
        let mut only_tcp = ChecksumCapabilities::all();
        only_tcp.tcp = Checksum::Rx;
        let before = f.clone();
        complete(&mut f, Medium::Ethernet, &only_tcp);
        assert_eq!(f, before, "not TCP: nothing to fill");
        complete(&mut f, Medium::Ethernet, &all_device);
        assert_eq!(checksum::data(&f[14..34]), 0xffff);
        assert_eq!(checksum::data(&f[34..]), 0xffff);

        // Fragments, truncated and odd frames: untouched, no panic.
        let mut frag = before.clone();
        frag[20] = 0x20; // MF
        let mut want = frag.clone();
        complete(&mut frag, Medium::Ethernet, &all_device);
        // Only the IPv4 header checksum (the device could fill that).
        want[24..26].copy_from_slice(&frag[24..26]);
        assert_eq!(frag, want);
        for len in 0..before.len() {
            let mut short = before[..len].to_vec();
            complete(&mut short, Medium::Ethernet, &all_device);
            complete(&mut short, Medium::Ip, &all_device);
        }
    }
}
