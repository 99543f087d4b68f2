//! A device wrapper that captures every frame to a pcap file.
//!
//! [`PcapDevice`] wraps any device and writes each received and each
//! transmitted frame to a [`PcapWriter`], stamped with the `now` the device
//! was called with. The link type follows the inner device's medium
//! (Ethernet → `LINKTYPE_ETHERNET`, IP → `LINKTYPE_RAW`). Nothing is
//! copied: the wrapper's tokens wrap the inner tokens and write the bytes
//! from inside the consume closure — a received frame before the stack
//! parses it, a transmitted frame after the stack built it.
//!
//! A token cannot return an I/O error, so the first write error is kept
//! (see [`PcapDevice::take_error`]) and frames keep flowing.

use core::cell::RefCell;
use std::io::{self, Write};

use ferrotcp::device::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use ferrotcp::time::Instant;

use crate::pcap::{LinkType, PcapWriter};

/// Which frames a [`PcapDevice`] captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaptureMode {
    /// Received and transmitted frames.
    #[default]
    Both,
    /// Received frames only.
    Rx,
    /// Transmitted frames only.
    Tx,
}

#[derive(Debug)]
struct Sink<W: Write> {
    writer: PcapWriter<W>,
    error: Option<io::Error>,
    frames: u64,
}

impl<W: Write> Sink<W> {
    fn write(&mut self, now: Instant, frame: &[u8]) {
        match self.writer.write_frame(now, frame) {
            Ok(()) => self.frames += 1,
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
    }
}

/// Captures the frames through a wrapped device to pcap.
#[derive(Debug)]
pub struct PcapDevice<D, W: Write> {
    inner: D,
    mode: CaptureMode,
    // Shared by the receive and transmit tokens of one `receive` call;
    // each borrows it only while writing one frame.
    sink: RefCell<Sink<W>>,
}

impl<D: Device, W: Write> PcapDevice<D, W> {
    /// Wrap `inner`, writing the pcap header to `sink` now.
    pub fn new(inner: D, sink: W) -> io::Result<Self> {
        let link_type = match inner.capabilities().medium {
            Medium::Ethernet => LinkType::Ethernet,
            Medium::Ip => LinkType::Ip,
        };
        let writer = PcapWriter::new(sink, link_type)?;
        Ok(PcapDevice {
            inner,
            mode: CaptureMode::Both,
            sink: RefCell::new(Sink {
                writer,
                error: None,
                frames: 0,
            }),
        })
    }

    /// Capture only some frames (builder style).
    pub fn with_mode(mut self, mode: CaptureMode) -> Self {
        self.mode = mode;
        self
    }

    /// Frames written so far.
    pub fn frames_written(&self) -> u64 {
        self.sink.borrow().frames
    }

    /// The first write error since the last call, if any.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.sink.get_mut().error.take()
    }

    /// Flush the pcap sink.
    pub fn flush(&mut self) -> io::Result<()> {
        self.sink.get_mut().writer.flush()
    }

    /// The wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The wrapped device, mutably.
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// Give back the wrapped device and the sink.
    pub fn into_inner(self) -> (D, W) {
        (self.inner, self.sink.into_inner().writer.into_inner())
    }
}

/// A received frame, captured when consumed.
pub struct PcapRxToken<'a, T, W: Write> {
    inner: T,
    sink: Option<&'a RefCell<Sink<W>>>,
    now: Instant,
}

/// A frame to send, captured when consumed.
pub struct PcapTxToken<'a, T, W: Write> {
    inner: T,
    sink: Option<&'a RefCell<Sink<W>>>,
    now: Instant,
}

fn capture<W: Write>(sink: Option<&RefCell<Sink<W>>>, now: Instant, frame: &[u8]) {
    // Tokens are consumed one at a time, so the cell is free; if it were
    // not, losing one capture beats a panic.
    if let Some(Ok(mut s)) = sink.map(RefCell::try_borrow_mut) {
        s.write(now, frame);
    }
}

impl<T: RxToken, W: Write> RxToken for PcapRxToken<'_, T, W> {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        let (sink, now) = (self.sink, self.now);
        self.inner.consume(|frame| {
            capture(sink, now, frame);
            f(frame)
        })
    }

    fn meta(&self) -> ferrotcp::device::RxMeta {
        self.inner.meta()
    }
}

impl<T: TxToken, W: Write> TxToken for PcapTxToken<'_, T, W> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let (sink, now) = (self.sink, self.now);
        self.inner.consume(len, |frame| {
            let r = f(frame);
            capture(sink, now, frame);
            r
        })
    }

    fn set_meta(&mut self, meta: ferrotcp::device::TxMeta) {
        self.inner.set_meta(meta);
    }
}

impl<D: Device, W: Write> Device for PcapDevice<D, W> {
    type RxToken<'a>
        = PcapRxToken<'a, D::RxToken<'a>, W>
    where
        Self: 'a;
    type TxToken<'a>
        = PcapTxToken<'a, D::TxToken<'a>, W>
    where
        Self: 'a;

    fn receive(&mut self, now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let (rx, tx) = self.inner.receive(now)?;
        let sink = &self.sink;
        let rx_sink = (self.mode != CaptureMode::Tx).then_some(sink);
        let tx_sink = (self.mode != CaptureMode::Rx).then_some(sink);
        Some((
            PcapRxToken {
                inner: rx,
                sink: rx_sink,
                now,
            },
            PcapTxToken {
                inner: tx,
                sink: tx_sink,
                now,
            },
        ))
    }

    fn transmit(&mut self, now: Instant) -> Option<Self::TxToken<'_>> {
        let tx = self.inner.transmit(now)?;
        Some(PcapTxToken {
            inner: tx,
            sink: (self.mode != CaptureMode::Rx).then_some(&self.sink),
            now,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loopback::Loopback;

    /// (seconds, microseconds, captured length, bytes) of each record.
    fn records(file: &[u8]) -> Vec<(u32, u32, Vec<u8>)> {
        let mut out = Vec::new();
        let mut at = 24;
        while at < file.len() {
            let word = |i: usize| u32::from_le_bytes(file[i..i + 4].try_into().unwrap());
            let (secs, usecs, incl, orig) = (word(at), word(at + 4), word(at + 8), word(at + 12));
            assert_eq!(incl, orig);
            let start = at + 16;
            let end = start + incl as usize;
            out.push((secs, usecs, file[start..end].to_vec()));
            at = end;
        }
        assert_eq!(at, file.len());
        out
    }

    fn link_type(file: &[u8]) -> u32 {
        u32::from_le_bytes(file[20..24].try_into().unwrap())
    }

    #[test]
    fn captures_rx_and_tx_with_call_time() {
        let mut dev = PcapDevice::new(Loopback::new(Medium::Ethernet, 8), Vec::new()).unwrap();
        let t1 = Instant::from_micros(1_500_000);
        dev.transmit(t1)
            .unwrap()
            .consume(4, |b| b.copy_from_slice(&[1, 2, 3, 4]));
        let t2 = Instant::from_micros(2_000_007);
        let (rx, tx) = dev.receive(t2).unwrap();
        let seen = rx.consume(|b| b.to_vec());
        tx.consume(2, |b| b.copy_from_slice(&[9, 9]));
        assert_eq!(seen, [1, 2, 3, 4]);
        assert_eq!(dev.frames_written(), 3);
        assert!(dev.take_error().is_none());
        let (_, file) = dev.into_inner();
        assert_eq!(link_type(&file), 1);
        assert_eq!(
            records(&file),
            [
                (1, 500_000, vec![1, 2, 3, 4]),
                (2, 7, vec![1, 2, 3, 4]),
                (2, 7, vec![9, 9]),
            ]
        );
    }

    #[test]
    fn link_type_follows_medium_and_mode_filters() {
        let mut dev = PcapDevice::new(Loopback::new(Medium::Ip, 8), Vec::new())
            .unwrap()
            .with_mode(CaptureMode::Rx);
        dev.transmit(Instant::ZERO)
            .unwrap()
            .consume(1, |b| b[0] = 0x45);
        let (rx, _) = dev.receive(Instant::ZERO).unwrap();
        rx.consume(|_| ());
        let (_, file) = dev.into_inner();
        assert_eq!(link_type(&file), 101);
        assert_eq!(records(&file), [(0, 0, vec![0x45])]);
    }

    #[test]
    fn write_errors_are_kept_and_frames_still_flow() {
        struct Failing(usize);
        impl Write for Failing {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk full"));
                }
                self.0 -= 1;
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        // Room for the file header only.
        let mut dev = PcapDevice::new(Loopback::new(Medium::Ip, 8), Failing(1)).unwrap();
        dev.transmit(Instant::ZERO)
            .unwrap()
            .consume(3, |b| b.fill(7));
        assert_eq!(dev.frames_written(), 0);
        assert_eq!(dev.take_error().unwrap().to_string(), "disk full");
        assert!(dev.take_error().is_none());
        let (rx, _) = dev.receive(Instant::ZERO).unwrap();
        assert_eq!(rx.consume(|b| b.to_vec()), [7, 7, 7]);
    }
}
