//! Software TCP segmentation, as a kernel's GSO (or a NIC's TSO) cuts a
//! TCP super-segment the stack hands a device that declared
//! `DeviceCapabilities::max_tso_size`: for simulated devices, so that
//! every simulation can run with TSO and the receiver sees the segments a
//! real device would put on the wire.

use alloc::vec;
use alloc::vec::Vec;
use ferrotcp::wire::checksum;

/// The TCP pseudo-header sum (RFC 9293 §3.1, RFC 8200 §8.1) of the two
/// addresses `addrs` (as they stand in the IP header) and a segment of
/// `len` bytes, folded, not complemented.
pub(crate) fn tcp_pseudo_sum(addrs: &[u8], len: u32) -> u16 {
    checksum::combine(&[checksum::data(addrs), 6, (len >> 16) as u16, len as u16])
}

/// Cut the Ethernet II + IPv4 / IPv6 (no extension headers) + TCP frame
/// `frame` into segments of `size` payload bytes (the last may be
/// shorter), each with a copy of the headers, its own sequence number, IP
/// length (IPv4: identification + i and the header checksum) and TCP
/// checksum; FIN and PSH only on the last, CWR only on the first (as
/// Linux's `tcp_gso_segment`). A frame that is no TCP segment with more
/// than `size` bytes of payload comes back whole. Never panics.
pub fn segment_tcp(frame: &[u8], size: usize) -> Vec<Vec<u8>> {
    cut(frame, size).unwrap_or_else(|| vec![frame.to_vec()])
}

fn cut(frame: &[u8], size: usize) -> Option<Vec<Vec<u8>>> {
    let ipv6 = match u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]) {
        0x0800 => false,
        0x86dd => true,
        _ => return None,
    };
    let ip = frame.get(14..)?;
    let ip_len = if ipv6 {
        (*ip.get(6)? == 6).then_some(40)?
    } else {
        (*ip.get(9)? == 6).then_some(usize::from(*ip.first()? & 0x0f) * 4)?
    };
    let tcp_at = 14 + ip_len;
    let headers = tcp_at + usize::from(*frame.get(tcp_at + 12)? >> 4) * 4;
    if size == 0 || headers < tcp_at + 20 || frame.len() <= headers + size {
        return None;
    }
    let seq = u32::from_be_bytes(frame.get(tcp_at + 4..tcp_at + 8)?.try_into().ok()?);
    let ident = u16::from_be_bytes([frame[18], frame[19]]);
    let payload = &frame[headers..];
    let pieces = payload.len().div_ceil(size);
    let mut out = Vec::with_capacity(pieces);
    for (i, chunk) in payload.chunks(size).enumerate() {
        let mut f = frame[..headers].to_vec();
        f.extend_from_slice(chunk);
        let tcp_len = f.len() - tcp_at;
        if ipv6 {
            f[18..20].copy_from_slice(&u16::try_from(tcp_len).ok()?.to_be_bytes());
        } else {
            let total = u16::try_from(f.len() - 14).ok()?;
            f[16..18].copy_from_slice(&total.to_be_bytes());
            let id = ident.wrapping_add(i as u16);
            f[18..20].copy_from_slice(&id.to_be_bytes());
            f[24..26].copy_from_slice(&[0, 0]);
            let c = !checksum::data(&f[14..tcp_at]);
            f[24..26].copy_from_slice(&c.to_be_bytes());
        }
        let piece_seq = seq.wrapping_add(u32::try_from(i * size).ok()?);
        f[tcp_at + 4..tcp_at + 8].copy_from_slice(&piece_seq.to_be_bytes());
        if i + 1 < pieces {
            f[tcp_at + 13] &= !0x09; // FIN, PSH: the last segment only
        }
        if i > 0 {
            f[tcp_at + 13] &= !0x80; // CWR: the first segment only
        }
        f[tcp_at + 16..tcp_at + 18].copy_from_slice(&[0, 0]);
        let addrs = if ipv6 { &f[22..54] } else { &f[26..34] };
        let pseudo = tcp_pseudo_sum(addrs, u32::try_from(tcp_len).ok()?);
        let c = !checksum::combine(&[pseudo, checksum::data(&f[tcp_at..])]);
        f[tcp_at + 16..tcp_at + 18].copy_from_slice(&c.to_be_bytes());
        out.push(f);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ethernet + IPv4 + TCP (timestamps) with `payload` bytes, FIN|PSH|ACK|CWR.
    fn frame(payload: usize) -> Vec<u8> {
        let tcp_len = 32 + payload;
        let mut f = vec![0u8; 14 + 20 + tcp_len];
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        f[14] = 0x45;
        f[16..18].copy_from_slice(&u16::try_from(20 + tcp_len).unwrap().to_be_bytes());
        f[18..20].copy_from_slice(&[0xff, 0xff]);
        f[22] = 64;
        f[23] = 6;
        f[26..30].copy_from_slice(&[10, 0, 0, 1]);
        f[30..34].copy_from_slice(&[10, 0, 0, 2]);
        f[34 + 4..34 + 8].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
        f[34 + 12] = 8 << 4;
        f[34 + 13] = 0x80 | 0x10 | 0x08 | 0x01;
        for (i, b) in f[66..].iter_mut().enumerate() {
            *b = i as u8;
        }
        f
    }

    #[test]
    fn cuts_like_gso() {
        let f = frame(1448 * 2 + 100);
        let pieces = segment_tcp(&f, 1448);
        assert_eq!(pieces.len(), 3);
        let mut data = Vec::new();
        for (i, p) in pieces.iter().enumerate() {
            let total = usize::from(u16::from_be_bytes([p[16], p[17]]));
            assert_eq!(total, p.len() - 14);
            assert_eq!(
                u16::from_be_bytes([p[18], p[19]]),
                0xffffu16.wrapping_add(i as u16)
            );
            // Header checksum and TCP checksum verify (sum 0xffff, i.e.
            // the complement 0).
            assert_eq!(!checksum::data(&p[14..34]), 0);
            let pseudo = tcp_pseudo_sum(&p[26..34], (p.len() - 34) as u32);
            assert_eq!(!checksum::combine(&[pseudo, checksum::data(&p[34..])]), 0);
            let seq = u32::from_be_bytes(p[38..42].try_into().unwrap());
            assert_eq!(seq, 0xffff_fff0u32.wrapping_add(1448 * i as u32));
            let flags = p[34 + 13];
            assert_eq!(flags & 0x80 != 0, i == 0, "CWR on the first");
            assert_eq!(flags & 0x09 != 0, i == 2, "FIN/PSH on the last");
            assert!(flags & 0x10 != 0);
            data.extend_from_slice(&p[66..]);
        }
        assert_eq!(data, f[66..]);
    }

    #[test]
    fn odd_frames_come_back_whole() {
        let f = frame(1000);
        assert_eq!(segment_tcp(&f, 1448), vec![f.clone()]);
        assert_eq!(segment_tcp(&f, 0), vec![f.clone()]);
        for len in 0..80 {
            let short = &f[..len];
            assert_eq!(segment_tcp(short, 1448), vec![short.to_vec()]);
            // Any cut of what is there, without panicking.
            let pieces = segment_tcp(short, 8);
            let data: usize = pieces.iter().map(|p| p.len().min(len)).sum();
            assert!(data >= len.min(66));
        }
        let mut udp = frame(3000);
        udp[23] = 17;
        assert_eq!(segment_tcp(&udp, 1448).len(), 1);
        let mut bad = frame(3000);
        bad[34 + 12] = 2 << 4; // TCP header shorter than 20
        assert_eq!(segment_tcp(&bad, 1448).len(), 1);
    }
}
