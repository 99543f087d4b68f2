//! A test device: frames queued for the interface to receive, frames it
//! sent collected for inspection, an optional transmit limit.

use std::collections::VecDeque;
use std::vec::Vec;

use crate::device::{Device, DeviceCapabilities, Medium, RxMeta, RxToken, TxMeta, TxToken};
use crate::time::Instant;

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
        }
    }
}

pub(crate) struct Rx(Vec<u8>, RxMeta);
pub(crate) struct Tx<'a> {
    frames: &'a mut Vec<Vec<u8>>,
    metas: &'a mut Vec<TxMeta>,
    meta: TxMeta,
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
        self.frames.push(buf);
        self.metas.push(self.meta);
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
