//! The `virtio_net_hdr` a TAP opened with `IFF_VNET_HDR` puts in front of
//! every frame (virtio 1.x §5.1.6 "Device Operation"; Linux
//! `include/uapi/linux/virtio_net.h`), and the offload work around it:
//!
//! * receive: the kernel hands over TCP super-frames of up to 64 KB
//!   (`gso_type` TCPv4/TCPv6) and frames whose TCP/UDP checksum field holds
//!   only the pseudo-header sum (`F_NEEDS_CSUM`: its own packets, never
//!   summed) or was checked already (`F_DATA_VALID`);
//! * transmit: a TCP frame goes out with `F_NEEDS_CSUM` and the
//!   pseudo-header sum in its checksum field (the kernel completes or
//!   trusts it), and a super-segment with `gso_type` and `gso_size` so the
//!   kernel cuts it into segments.
//!
//! The header is little-endian (the TAP is put in that mode with
//! `TUNSETVNETLE`, whatever the host). Parsing is strict: a header the
//! kernel should never send is an error, and the device drops the frame
//! and counts it. Nothing here panics on any input.

use crate::gso::tcp_pseudo_sum;

/// The header's length without `num_buffers` (`TUNSETVNETHDRSZ` default).
pub const HEADER_LEN: usize = 10;

/// `flags`: the checksum at `csum_start + csum_offset` covers only the
/// pseudo-header; the rest is to be summed from `csum_start` on.
pub const F_NEEDS_CSUM: u8 = 1;
/// `flags`: the checksum was verified (receive only).
pub const F_DATA_VALID: u8 = 2;

/// `gso_type`: not a super-frame.
pub const GSO_NONE: u8 = 0;
/// `gso_type`: an IPv4 TCP super-frame.
pub const GSO_TCPV4: u8 = 1;
/// `gso_type`: an IPv6 TCP super-frame.
pub const GSO_TCPV6: u8 = 4;
/// `gso_type` bit: the segments carry ECN (the first has CWR set).
pub const GSO_ECN: u8 = 0x80;

/// RFC 894 Ethernet II header length.
const ETHERNET_HEADER_LEN: usize = 14;
/// TCP's checksum field offset in its header (RFC 9293 §3.1).
const TCP_CHECKSUM_OFFSET: u16 = 16;
/// UDP's checksum field offset in its header (RFC 768).
const UDP_CHECKSUM_OFFSET: u16 = 6;

/// One `virtio_net_hdr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VnetHeader {
    /// `F_NEEDS_CSUM`, `F_DATA_VALID`.
    pub flags: u8,
    /// `GSO_*`.
    pub gso_type: u8,
    /// Length of the headers (link, IP, TCP) of a super-frame.
    pub hdr_len: u16,
    /// Payload bytes per segment of a super-frame.
    pub gso_size: u16,
    /// Where the checksummed part starts (from the frame's start).
    pub csum_start: u16,
    /// Where the checksum field is, from `csum_start`.
    pub csum_offset: u16,
}

/// Why a received header was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// Fewer than [`HEADER_LEN`] bytes.
    Truncated,
    /// A flag bit we never asked for.
    UnknownFlags,
    /// A `gso_type` we never enabled (UDP, ...).
    UnknownGsoType,
    /// A super-frame without a segment size.
    ZeroGsoSize,
    /// `F_NEEDS_CSUM` with a checksum field that is not a TCP or UDP one
    /// inside the frame.
    BadChecksumPlace,
}

impl VnetHeader {
    /// Parse the header at the start of `buf` against the frame after it
    /// (`frame_len` bytes).
    pub fn parse(buf: &[u8], frame_len: usize) -> Result<Self, HeaderError> {
        let Some(b) = buf.get(..HEADER_LEN) else {
            return Err(HeaderError::Truncated);
        };
        let le = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let h = VnetHeader {
            flags: b[0],
            gso_type: b[1],
            hdr_len: le(2),
            gso_size: le(4),
            csum_start: le(6),
            csum_offset: le(8),
        };
        if h.flags & !(F_NEEDS_CSUM | F_DATA_VALID) != 0 {
            return Err(HeaderError::UnknownFlags);
        }
        match h.gso_type & !GSO_ECN {
            GSO_NONE if h.gso_type & GSO_ECN == 0 => {}
            GSO_TCPV4 | GSO_TCPV6 => {
                if h.gso_size == 0 {
                    return Err(HeaderError::ZeroGsoSize);
                }
            }
            _ => return Err(HeaderError::UnknownGsoType),
        }
        if h.flags & F_NEEDS_CSUM != 0 {
            let field_end = usize::from(h.csum_start) + usize::from(h.csum_offset) + 2;
            if !matches!(h.csum_offset, TCP_CHECKSUM_OFFSET | UDP_CHECKSUM_OFFSET)
                || field_end > frame_len
            {
                return Err(HeaderError::BadChecksumPlace);
            }
        }
        Ok(h)
    }

    /// Write the header into the first [`HEADER_LEN`] bytes of `buf`
    /// (nothing when `buf` is shorter).
    pub fn emit(&self, buf: &mut [u8]) {
        let Some(b) = buf.get_mut(..HEADER_LEN) else {
            return;
        };
        b[0] = self.flags;
        b[1] = self.gso_type;
        b[2..4].copy_from_slice(&self.hdr_len.to_le_bytes());
        b[4..6].copy_from_slice(&self.gso_size.to_le_bytes());
        b[6..8].copy_from_slice(&self.csum_start.to_le_bytes());
        b[8..10].copy_from_slice(&self.csum_offset.to_le_bytes());
    }

    /// Whether the frame's transport checksum needs no check by the stack:
    /// the kernel's own packet (checksum left partial) or one it verified.
    pub fn checksum_trusted(&self) -> bool {
        self.flags & (F_NEEDS_CSUM | F_DATA_VALID) != 0
    }

    /// Whether the frame is a super-frame (more than one segment's worth).
    pub fn is_gso(&self) -> bool {
        self.gso_type != GSO_NONE
    }

    /// The payload of each TCP segment a super-frame stands for.
    pub fn tcp_segment_size(&self) -> Option<u16> {
        match self.gso_type & !GSO_ECN {
            GSO_TCPV4 | GSO_TCPV6 if self.gso_size > 0 => Some(self.gso_size),
            _ => None,
        }
    }
}

/// Where a frame's TCP header is.
struct TcpPlace {
    /// The TCP header's offset in the frame.
    start: usize,
    /// The TCP header's length.
    header_len: usize,
    /// The IP version is 6.
    ipv6: bool,
}

/// Write the TCP pseudo-header sum (RFC 9293 §3.1, RFC 8200 §8.1), folded
/// and not complemented, into the checksum field of the TCP segment in
/// `frame`: what `F_NEEDS_CSUM` asks for. Returns where the segment is, or
/// `None` (frame unchanged) when `frame` is not an unfragmented IPv4 /
/// IPv6 TCP packet in Ethernet II without IPv6 extension headers.
fn fill_tcp_pseudo_sum(frame: &mut [u8]) -> Option<TcpPlace> {
    let ethertype = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    let ip = frame.get(ETHERNET_HEADER_LEN..)?;
    let (ip_header_len, tcp_len, sum, ipv6) = match ethertype {
        0x0800 => {
            let ihl = usize::from(*ip.first()? & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]));
            let frag = u16::from_be_bytes([*ip.get(6)?, *ip.get(7)?]) & 0x3fff;
            if ip[0] >> 4 != 4 || ihl < 20 || *ip.get(9)? != 6 || frag != 0 || total > ip.len() {
                return None;
            }
            let tcp_len = total.checked_sub(ihl)?;
            let addrs = ip.get(12..20)?;
            let sum = tcp_pseudo_sum(addrs, u32::try_from(tcp_len).ok()?);
            (ihl, tcp_len, sum, false)
        }
        0x86dd => {
            let payload = usize::from(u16::from_be_bytes([*ip.get(4)?, *ip.get(5)?]));
            if *ip.first()? >> 4 != 6 || *ip.get(6)? != 6 || 40 + payload > ip.len() {
                return None;
            }
            let addrs = ip.get(8..40)?;
            let sum = tcp_pseudo_sum(addrs, u32::try_from(payload).ok()?);
            (40, payload, sum, true)
        }
        _ => return None,
    };
    let start = ETHERNET_HEADER_LEN + ip_header_len;
    let tcp = frame.get_mut(start..start + tcp_len)?;
    let header_len = usize::from(*tcp.get(12)? >> 4) * 4;
    if header_len < 20 || header_len > tcp.len() {
        return None;
    }
    tcp[16..18].copy_from_slice(&sum.to_be_bytes());
    Some(TcpPlace {
        start,
        header_len,
        ipv6,
    })
}

/// Why a frame to send cannot go out as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmitError {
    /// A super-segment (`segment_size` given) that is not a TCP packet
    /// this module can describe to the kernel.
    NotTcp,
}

/// The header for an Ethernet `frame` to send, preparing the frame: a TCP
/// segment gets `F_NEEDS_CSUM` with the pseudo-header sum in its checksum
/// field (the stack left the field for the device); with `segment_size`
/// it is a super-segment the kernel cuts into segments of that many
/// payload bytes. Anything else goes with an empty header, unchanged.
pub fn header_for_frame(
    frame: &mut [u8],
    segment_size: Option<u16>,
) -> Result<VnetHeader, EmitError> {
    let Some(place) = fill_tcp_pseudo_sum(frame) else {
        return match segment_size {
            Some(_) => Err(EmitError::NotTcp),
            None => Ok(VnetHeader::default()),
        };
    };
    let start = u16::try_from(place.start).map_err(|_| EmitError::NotTcp)?;
    let mut h = VnetHeader {
        flags: F_NEEDS_CSUM,
        csum_start: start,
        csum_offset: TCP_CHECKSUM_OFFSET,
        ..VnetHeader::default()
    };
    if let Some(size) = segment_size {
        let headers = place.start + place.header_len;
        if size == 0 {
            return Err(EmitError::NotTcp);
        }
        // Only a frame with more payload than one segment is cut.
        if frame.len() > headers + usize::from(size) {
            h.gso_type = if place.ipv6 { GSO_TCPV6 } else { GSO_TCPV4 };
            // CWR (RFC 3168 §6.1.2): the kernel keeps it on the first
            // segment only.
            if frame[place.start + 13] & 0x80 != 0 {
                h.gso_type |= GSO_ECN;
            }
            h.gso_size = size;
            h.hdr_len = u16::try_from(headers).map_err(|_| EmitError::NotTcp)?;
        }
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use ferrotcp::wire::checksum;

    fn header_bytes(h: &VnetHeader) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        h.emit(&mut b);
        b
    }

    #[test]
    fn emit_is_little_endian_and_parses_back() {
        let h = VnetHeader {
            flags: F_NEEDS_CSUM,
            gso_type: GSO_TCPV4,
            hdr_len: 66,
            gso_size: 1448,
            csum_start: 34,
            csum_offset: 16,
        };
        let b = header_bytes(&h);
        assert_eq!(b, [1, 1, 66, 0, 0xa8, 0x05, 34, 0, 16, 0]);
        assert_eq!(VnetHeader::parse(&b, 66 + 2 * 1448), Ok(h));
        assert!(h.checksum_trusted() && h.is_gso());
        // The segment size a super-frame's tcpInSegs is counted by (the
        // ECN bit does not change it).
        assert_eq!(h.tcp_segment_size(), Some(1448));
        let ecn = VnetHeader {
            gso_type: GSO_TCPV6 | GSO_ECN,
            ..h
        };
        assert_eq!(ecn.tcp_segment_size(), Some(1448));
        assert_eq!(VnetHeader::default().tcp_segment_size(), None);
        let plain = VnetHeader::default();
        assert_eq!(VnetHeader::parse(&header_bytes(&plain), 60), Ok(plain));
        assert!(!plain.checksum_trusted() && !plain.is_gso());
        // Too short a buffer: emit writes nothing, parse refuses.
        let mut short = [7u8; 9];
        h.emit(&mut short);
        assert_eq!(short, [7u8; 9]);
        assert_eq!(VnetHeader::parse(&short, 100), Err(HeaderError::Truncated));
    }

    #[test]
    fn odd_headers_are_refused() {
        let ok = VnetHeader {
            flags: F_NEEDS_CSUM,
            gso_type: GSO_TCPV6,
            hdr_len: 86,
            gso_size: 1428,
            csum_start: 54,
            csum_offset: 16,
        };
        let cases = [
            (VnetHeader { flags: 4, ..ok }, HeaderError::UnknownFlags),
            (VnetHeader { flags: 0x80, ..ok }, HeaderError::UnknownFlags),
            (
                VnetHeader { gso_type: 3, ..ok },
                HeaderError::UnknownGsoType,
            ),
            (
                VnetHeader { gso_type: 5, ..ok },
                HeaderError::UnknownGsoType,
            ),
            (
                VnetHeader {
                    gso_type: GSO_ECN,
                    ..ok
                },
                HeaderError::UnknownGsoType,
            ),
            (VnetHeader { gso_size: 0, ..ok }, HeaderError::ZeroGsoSize),
            (
                VnetHeader {
                    csum_offset: 10,
                    ..ok
                },
                HeaderError::BadChecksumPlace,
            ),
            (
                VnetHeader {
                    csum_start: 5000,
                    ..ok
                },
                HeaderError::BadChecksumPlace,
            ),
            (
                VnetHeader {
                    csum_start: u16::MAX,
                    csum_offset: 16,
                    ..ok
                },
                HeaderError::BadChecksumPlace,
            ),
        ];
        for (h, e) in cases {
            assert_eq!(VnetHeader::parse(&header_bytes(&h), 3000), Err(e), "{h:?}");
        }
        assert!(VnetHeader::parse(&header_bytes(&ok), 3000).is_ok());
        // ECN with a TCP type is fine; DATA_VALID alone too.
        let ecn = VnetHeader {
            gso_type: GSO_TCPV4 | GSO_ECN,
            ..ok
        };
        assert!(VnetHeader::parse(&header_bytes(&ecn), 3000).is_ok());
        let valid = VnetHeader {
            flags: F_DATA_VALID,
            ..VnetHeader::default()
        };
        assert!(
            VnetHeader::parse(&header_bytes(&valid), 60)
                .unwrap()
                .checksum_trusted()
        );
        // The checksum field must end inside the frame.
        assert_eq!(
            VnetHeader::parse(&header_bytes(&ok), 54 + 17),
            Err(HeaderError::BadChecksumPlace)
        );
        assert!(VnetHeader::parse(&header_bytes(&ok), 54 + 18).is_ok());
    }

    #[test]
    fn any_bytes_parse_without_panic() {
        // A small LCG over many buffers of every length up to 12.
        let mut x: u32 = 0x1234_5678;
        for _ in 0..20_000 {
            let mut b = [0u8; 12];
            for v in &mut b {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *v = (x >> 24) as u8;
            }
            let len = (x as usize) % 13;
            let frame_len = (x >> 8) as usize % 70_000;
            if let Ok(h) = VnetHeader::parse(&b[..len], frame_len) {
                // What parses emits the same bytes.
                assert_eq!(header_bytes(&h)[..], b[..HEADER_LEN]);
            }
        }
    }

    /// An Ethernet + IPv4 + TCP frame (with `options` bytes of TCP
    /// options) carrying `payload` bytes.
    fn ipv4_tcp(payload: usize, options: usize) -> Vec<u8> {
        let tcp_len = 20 + options + payload;
        let mut f = vec![0u8; 14 + 20 + tcp_len];
        f[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
        let ip = &mut f[14..];
        ip[0] = 0x45;
        ip[2..4].copy_from_slice(&u16::try_from(20 + tcp_len).unwrap().to_be_bytes());
        ip[6] = 0x40; // DF
        ip[8] = 64;
        ip[9] = 6;
        ip[12..16].copy_from_slice(&[10, 0, 0, 1]);
        ip[16..20].copy_from_slice(&[10, 0, 0, 2]);
        let tcp = &mut ip[20..];
        tcp[12] = u8::try_from((20 + options) / 4).unwrap() << 4;
        tcp[13] = 0x10; // ACK
        for (i, b) in tcp[20 + options..].iter_mut().enumerate() {
            *b = i as u8;
        }
        f
    }

    /// RFC 1071: the full TCP checksum of the segment in `frame`, given
    /// its pseudo-header sum already in the checksum field (as the kernel
    /// completes it: sum from csum_start, complement, store).
    fn complete(frame: &mut [u8], h: &VnetHeader) {
        let start = usize::from(h.csum_start);
        let field = start + usize::from(h.csum_offset);
        let c = !checksum::data(&frame[start..]);
        frame[field..field + 2].copy_from_slice(&c.to_be_bytes());
    }

    #[test]
    fn tcp_frames_get_the_pseudo_header_sum() {
        let mut f = ipv4_tcp(100, 12);
        let h = header_for_frame(&mut f, None).unwrap();
        assert_eq!(
            h,
            VnetHeader {
                flags: F_NEEDS_CSUM,
                csum_start: 34,
                csum_offset: 16,
                ..VnetHeader::default()
            }
        );
        // 10.0.0.1 + 10.0.0.2 + protocol 6 + TCP length 132.
        let expected = checksum::combine(&[0x0a00, 0x0001, 0x0a00, 0x0002, 6, 132]);
        assert_eq!(u16::from_be_bytes([f[50], f[51]]), expected);
        // Completed the kernel's way, the whole segment verifies with its
        // pseudo-header: the sum over the pseudo-header and segment is
        // 0xffff.
        complete(&mut f, &h);
        let pseudo = checksum::combine(&[0x0a00, 0x0001, 0x0a00, 0x0002, 6, 132]);
        assert_eq!(
            checksum::combine(&[pseudo, checksum::data(&f[34..])]),
            0xffff
        );

        // A super-segment of 3.5 segments of 1448 with timestamps.
        let mut f = ipv4_tcp(1448 * 3 + 700, 12);
        f[34 + 13] |= 0x80; // CWR
        let h = header_for_frame(&mut f, Some(1448)).unwrap();
        assert_eq!(h.gso_type, GSO_TCPV4 | GSO_ECN);
        assert_eq!((h.gso_size, h.hdr_len), (1448, 14 + 20 + 32));
        // One segment's worth is no super-frame.
        let mut f = ipv4_tcp(1448, 12);
        let h = header_for_frame(&mut f, Some(1448)).unwrap();
        assert_eq!((h.gso_type, h.flags), (GSO_NONE, F_NEEDS_CSUM));
    }

    #[test]
    fn ipv6_and_odd_frames() {
        let payload = 3000;
        let mut f = vec![0u8; 14 + 40 + 20 + payload];
        f[12..14].copy_from_slice(&0x86ddu16.to_be_bytes());
        f[14] = 0x60;
        f[14 + 4..14 + 6].copy_from_slice(&u16::try_from(20 + payload).unwrap().to_be_bytes());
        f[14 + 6] = 6;
        f[14 + 8 + 15] = 1; // ::1
        f[14 + 24 + 15] = 2; // ::2
        f[54 + 12] = 5 << 4;
        let h = header_for_frame(&mut f, Some(1440)).unwrap();
        assert_eq!((h.gso_type, h.gso_size, h.hdr_len), (GSO_TCPV6, 1440, 74));
        assert_eq!((h.csum_start, h.csum_offset), (54, 16));
        let expected = checksum::combine(&[1, 2, 6, 3020]);
        assert_eq!(u16::from_be_bytes([f[70], f[71]]), expected);

        // Not TCP, not IP, fragments, truncated: an empty header, the frame
        // untouched; as a super-segment: refused.
        let arp = {
            let mut a = vec![0u8; 60];
            a[12..14].copy_from_slice(&0x0806u16.to_be_bytes());
            a
        };
        let mut udp = ipv4_tcp(10, 0);
        udp[14 + 9] = 17;
        let mut frag = ipv4_tcp(10, 0);
        frag[14 + 6] = 0x20; // MF
        let mut short_ip = ipv4_tcp(10, 0);
        short_ip[14 + 2..14 + 4].copy_from_slice(&2000u16.to_be_bytes());
        let mut bad_off = ipv4_tcp(10, 0);
        bad_off[34 + 12] = 0xf0; // 60-byte header in a 30-byte segment
        let mut ihl = ipv4_tcp(10, 0);
        ihl[14] = 0x44;
        for frame in [
            arp,
            udp,
            frag,
            short_ip,
            bad_off,
            ihl,
            vec![0u8; 13],
            vec![],
        ] {
            let mut f = frame.clone();
            assert_eq!(header_for_frame(&mut f, None), Ok(VnetHeader::default()));
            assert_eq!(f, frame);
            assert_eq!(header_for_frame(&mut f, Some(1448)), Err(EmitError::NotTcp));
        }
        let mut f = ipv4_tcp(3000, 0);
        assert_eq!(header_for_frame(&mut f, Some(0)), Err(EmitError::NotTcp));
    }
}
