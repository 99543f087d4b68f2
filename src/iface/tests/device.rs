//! A test device: frames queued for the interface to receive, frames it
//! sent collected for inspection, an optional transmit limit.

use std::collections::VecDeque;
use std::vec::Vec;

use crate::device::{Device, DeviceCapabilities, Medium, RxMeta, RxToken, TxMeta, TxToken};
use crate::time::Instant;
use crate::wire::checksum;

#[derive(Debug, Default)]
pub(crate) struct TestDevice {
    pub(crate) rx: VecDeque<Vec<u8>>,
    pub(crate) tx: Vec<Vec<u8>>,
    pub(crate) caps: DeviceCapabilities,
    /// Transmit tokens left (None: unlimited).
    pub(crate) tx_room: Option<usize>,
    /// The metadata the stack gave each frame in `tx`, in step with it.
    pub(crate) tx_meta: Vec<TxMeta>,
    /// The metadata every received frame comes with.
    pub(crate) rx_meta: RxMeta,
    /// Cut TCP super-segments (`TxMeta::tcp_segment_size`) into segments
    /// the way a kernel's GSO does ([`gso_cut`]): `tx` then holds what the
    /// peer would receive.
    pub(crate) gso: bool,
}

impl TestDevice {
    pub(crate) fn ethernet(mtu: usize) -> TestDevice {
        TestDevice {
            caps: DeviceCapabilities::new(Medium::Ethernet, mtu + 14),
            ..Default::default()
        }
    }

    pub(crate) fn take_tx(&mut self) -> Vec<Vec<u8>> {
        self.tx_meta.clear();
        core::mem::take(&mut self.tx)
    }

    /// The frames sent with the metadata each came with.
    pub(crate) fn take_tx_with_meta(&mut self) -> Vec<(Vec<u8>, TxMeta)> {
        let meta = core::mem::take(&mut self.tx_meta);
        core::mem::take(&mut self.tx)
            .into_iter()
            .zip(meta)
            .collect()
    }

    fn tx_token(&mut self) -> Tx<'_> {
        Tx {
            frames: &mut self.tx,
            metas: &mut self.tx_meta,
            meta: TxMeta::default(),
            gso: self.gso,
        }
    }
}

pub(crate) struct Rx(Vec<u8>, RxMeta);
pub(crate) struct Tx<'a> {
    frames: &'a mut Vec<Vec<u8>>,
    metas: &'a mut Vec<TxMeta>,
    meta: TxMeta,
    gso: bool,
}

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }

    fn meta(&self) -> RxMeta {
        self.1
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut buf = std::vec![0u8; len];
        let r = f(&mut buf);
        match self.meta.tcp_segment_size {
            Some(size) if self.gso => {
                for piece in gso_cut(&buf, usize::from(size)) {
                    self.frames.push(piece);
                    self.metas.push(self.meta);
                }
            }
            _ => {
                self.frames.push(buf);
                self.metas.push(self.meta);
            }
        }
        r
    }

    fn set_meta(&mut self, meta: TxMeta) {
        self.meta = meta;
    }
}

impl Device for TestDevice {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _now: Instant) -> Option<(Rx, Tx<'_>)> {
        let frame = self.rx.pop_front()?;
        let meta = self.rx_meta;
        Some((Rx(frame, meta), self.tx_token()))
    }

    fn transmit(&mut self, _now: Instant) -> Option<Tx<'_>> {
        if let Some(room) = &mut self.tx_room {
            if *room == 0 {
                return None;
            }
            *room -= 1;
        }
        Some(self.tx_token())
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.caps
    }
}

/// An interface over `caps` with small owned storage and a fixed seed.
pub(crate) fn test_iface(
    caps: DeviceCapabilities,
    mac: crate::wire::EthernetAddress,
) -> crate::iface::Interface<'static> {
    let storage = crate::iface::InterfaceStorage::owned(8, 8, 1500, 2, 65535);
    crate::iface::Interface::new(
        crate::config::Config::with_seed(7),
        caps,
        mac,
        storage,
        Instant::ZERO,
    )
}

/// An Ethernet II frame around `payload`.
pub(crate) fn eth(
    dst: crate::wire::EthernetAddress,
    src: crate::wire::EthernetAddress,
    ethertype: crate::wire::ethernet::EtherType,
    payload: &[u8],
) -> Vec<u8> {
    let mut buf = std::vec![0u8; 14 + payload.len()];
    let mut f = crate::wire::ethernet::Frame::new_unchecked(&mut buf[..]);
    crate::wire::ethernet::Repr {
        src_addr: src,
        dst_addr: dst,
        ethertype,
    }
    .emit(&mut f);
    buf[14..].copy_from_slice(payload);
    buf
}

/// What a kernel's TCP GSO (or a NIC's TSO) makes of the Ethernet + IPv4 /
/// IPv6 + TCP super-segment `frame`: segments of `size` payload bytes (the
/// last may be shorter), each with a copy of the headers, its own
/// sequence number, IP length (IPv4: identification + i, header
/// checksum) and TCP checksum; FIN and PSH only on the last segment, CWR
/// only on the first (Linux `tcp_gso_segment`). Frames that are no TCP
/// super-segment come back unchanged.
pub(crate) fn gso_cut(frame: &[u8], size: usize) -> Vec<Vec<u8>> {
    let whole = || std::vec![frame.to_vec()];
    let (Some(&t0), Some(&t1)) = (frame.get(12), frame.get(13)) else {
        return whole();
    };
    let ipv6 = match [t0, t1] {
        [0x08, 0x00] => false,
        [0x86, 0xdd] => true,
        _ => return whole(),
    };
    let ip_len = if ipv6 {
        40
    } else {
        usize::from(frame[14] & 0x0f) * 4
    };
    let tcp_at = 14 + ip_len;
    let Some(&off) = frame.get(tcp_at + 12) else {
        return whole();
    };
    let headers = tcp_at + usize::from(off >> 4) * 4;
    if size == 0 || frame.len() <= headers + size {
        return whole();
    }
    let payload = &frame[headers..];
    let seq = u32::from_be_bytes(frame[tcp_at + 4..tcp_at + 8].try_into().unwrap());
    let ident = u16::from_be_bytes([frame[18], frame[19]]);
    let pieces = payload.chunks(size).count();
    let mut out = Vec::new();
    for (i, chunk) in payload.chunks(size).enumerate() {
        let mut f = frame[..headers].to_vec();
        f.extend_from_slice(chunk);
        let tcp_len = f.len() - tcp_at;
        if ipv6 {
            f[18..20].copy_from_slice(&u16::try_from(tcp_len).unwrap().to_be_bytes());
        } else {
            let total = u16::try_from(f.len() - 14).unwrap();
            f[16..18].copy_from_slice(&total.to_be_bytes());
            let id = ident.wrapping_add(u16::try_from(i).unwrap());
            f[18..20].copy_from_slice(&id.to_be_bytes());
            f[24..26].copy_from_slice(&[0, 0]);
            let c = !checksum::data(&f[14..tcp_at]);
            f[24..26].copy_from_slice(&c.to_be_bytes());
        }
        let piece_seq = seq.wrapping_add(u32::try_from(i * size).unwrap());
        f[tcp_at + 4..tcp_at + 8].copy_from_slice(&piece_seq.to_be_bytes());
        if i + 1 < pieces {
            f[tcp_at + 13] &= !0x09; // FIN, PSH
        }
        if i > 0 {
            f[tcp_at + 13] &= !0x80; // CWR
        }
        f[tcp_at + 16..tcp_at + 18].copy_from_slice(&[0, 0]);
        let addrs = if ipv6 { &f[22..54] } else { &f[26..34] };
        let len = u32::try_from(tcp_len).unwrap();
        let pseudo = checksum::combine(&[checksum::data(addrs), 6, (len >> 16) as u16, len as u16]);
        let c = !checksum::combine(&[pseudo, checksum::data(&f[tcp_at..])]);
        f[tcp_at + 16..tcp_at + 18].copy_from_slice(&c.to_be_bytes());
        out.push(f);
    }
    out
}
