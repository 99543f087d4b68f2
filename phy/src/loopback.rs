//! A loopback device: every frame transmitted is received back, in order.
//!
//! The queue is bounded by a frame count given at construction; a frame
//! sent while the queue is full is dropped and counted
//! ([`Loopback::dropped`]). Frames are owned `Vec`s, so the module needs
//! the `alloc` feature (not `std`).

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use ferrotcp::device::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use ferrotcp::time::Instant;

/// A device whose transmitted frames come back as received frames (FIFO).
#[derive(Debug)]
pub struct Loopback {
    queue: VecDeque<Vec<u8>>,
    capacity: usize,
    medium: Medium,
    mtu: usize,
    dropped: u64,
}

impl Loopback {
    /// A loopback for `medium` holding at most `capacity` frames. The MTU
    /// is 1514 for Ethernet and 65535 for IP; see [`Loopback::with_mtu`].
    pub fn new(medium: Medium, capacity: usize) -> Self {
        let mtu = match medium {
            Medium::Ethernet => 1514,
            Medium::Ip => 65535,
        };
        Loopback {
            queue: VecDeque::with_capacity(capacity.min(64)),
            capacity,
            medium,
            mtu,
            dropped: 0,
        }
    }

    /// Change the MTU reported in the capabilities.
    pub fn with_mtu(mut self, mtu: usize) -> Self {
        self.mtu = mtu;
        self
    }

    /// Frames sent while the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Frames waiting to be received.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no frame is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The most frames the queue holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// A received loopback frame.
#[derive(Debug)]
pub struct LoopbackRxToken {
    frame: Vec<u8>,
}

impl RxToken for LoopbackRxToken {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(&self.frame)
    }
}

/// Room for one frame in the loopback queue.
#[derive(Debug)]
pub struct LoopbackTxToken<'a> {
    device: &'a mut Loopback,
}

impl TxToken for LoopbackTxToken<'_> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let mut frame = vec![0; len];
        let r = f(&mut frame);
        let dev = self.device;
        if dev.queue.len() < dev.capacity {
            dev.queue.push_back(frame);
        } else {
            dev.dropped += 1;
        }
        r
    }
}

impl Device for Loopback {
    type RxToken<'a> = LoopbackRxToken;
    type TxToken<'a> = LoopbackTxToken<'a>;

    fn receive(&mut self, _now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let frame = self.queue.pop_front()?;
        Some((LoopbackRxToken { frame }, LoopbackTxToken { device: self }))
    }

    fn transmit(&mut self, _now: Instant) -> Option<Self::TxToken<'_>> {
        Some(LoopbackTxToken { device: self })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        DeviceCapabilities::new(self.medium, self.mtu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(dev: &mut Loopback, bytes: &[u8]) {
        let tx = dev
            .transmit(Instant::ZERO)
            .expect("loopback always has room");
        tx.consume(bytes.len(), |buf| buf.copy_from_slice(bytes));
    }

    fn recv(dev: &mut Loopback) -> Option<Vec<u8>> {
        let (rx, _tx) = dev.receive(Instant::ZERO)?;
        Some(rx.consume(|buf| buf.to_vec()))
    }

    #[test]
    fn frames_come_back_in_order() {
        let mut dev = Loopback::new(Medium::Ethernet, 8);
        assert!(recv(&mut dev).is_none());
        send(&mut dev, &[1, 2, 3]);
        send(&mut dev, &[4]);
        send(&mut dev, &[]);
        assert_eq!(dev.len(), 3);
        assert_eq!(recv(&mut dev).unwrap(), [1, 2, 3]);
        assert_eq!(recv(&mut dev).unwrap(), [4]);
        assert_eq!(recv(&mut dev).unwrap(), [] as [u8; 0]);
        assert!(recv(&mut dev).is_none());
        assert!(dev.is_empty());
    }

    #[test]
    fn overflow_drops_and_counts() {
        let mut dev = Loopback::new(Medium::Ip, 2);
        for i in 0..5u8 {
            send(&mut dev, &[i]);
        }
        assert_eq!(dev.dropped(), 3);
        assert_eq!(recv(&mut dev).unwrap(), [0]);
        assert_eq!(recv(&mut dev).unwrap(), [1]);
        assert!(recv(&mut dev).is_none());
    }

    #[test]
    fn reply_through_the_receive_tx_token() {
        let mut dev = Loopback::new(Medium::Ethernet, 4);
        send(&mut dev, b"ping");
        let (rx, tx) = dev.receive(Instant::ZERO).unwrap();
        let got = rx.consume(|b| b.to_vec());
        tx.consume(4, |b| b.copy_from_slice(b"pong"));
        assert_eq!(got, b"ping");
        assert_eq!(recv(&mut dev).unwrap(), b"pong");
    }

    #[test]
    fn capabilities_follow_medium() {
        let eth = Loopback::new(Medium::Ethernet, 1).capabilities();
        assert_eq!(
            (eth.medium, eth.max_transmission_unit),
            (Medium::Ethernet, 1514)
        );
        let ip = Loopback::new(Medium::Ip, 1).with_mtu(9000).capabilities();
        assert_eq!((ip.medium, ip.max_transmission_unit), (Medium::Ip, 9000));
        assert_eq!(Loopback::new(Medium::Ip, 7).capacity(), 7);
    }
}
