//! A device wrapper that shows every frame to a callback.
//!
//! [`Tracer`] wraps any device and calls `FnMut(Instant, Direction, &[u8])`
//! for each frame received (before the stack sees it) and each frame
//! transmitted (after the stack built it, before the inner device sends
//! it), with the `now` the device was called with. The frame is shown in
//! the inner device's own buffer: nothing is copied. [`HexDump`] formats a
//! frame for a log line. The module is `no_std`.
//!
//! ```
//! # #[cfg(feature = "alloc")] {
//! use ferrotcp_phy::tracer::{HexDump, Tracer};
//! # use ferrotcp::device::{Device, Medium, TxToken};
//! # use ferrotcp::time::Instant;
//! # let inner = ferrotcp_phy::loopback::Loopback::new(Medium::Ip, 4);
//! let mut dev = Tracer::new(inner, |now, dir, frame: &[u8]| {
//!     println!("{now} {dir:?}\n{}", HexDump(frame));
//! });
//! dev.transmit(Instant::ZERO).unwrap().consume(2, |b| b.copy_from_slice(&[0x45, 0]));
//! # }
//! ```

use core::cell::RefCell;
use core::fmt;

use ferrotcp::device::{Device, DeviceCapabilities, RxToken, TxToken};
use ferrotcp::time::Instant;

use crate::Direction;

/// Calls a callback for every frame through the wrapped device.
#[derive(Debug)]
pub struct Tracer<D, F> {
    inner: D,
    // Shared by the receive and transmit tokens of one `receive` call;
    // they are consumed one after the other, never inside each other.
    callback: RefCell<F>,
}

impl<D, F> Tracer<D, F>
where
    D: Device,
    F: FnMut(Instant, Direction, &[u8]),
{
    /// Wrap `inner`, calling `callback` for each frame.
    pub fn new(inner: D, callback: F) -> Self {
        Tracer {
            inner,
            callback: RefCell::new(callback),
        }
    }

    /// The wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The wrapped device, mutably.
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// Give back the wrapped device and the callback.
    pub fn into_inner(self) -> (D, F) {
        (self.inner, self.callback.into_inner())
    }
}

/// A traced received frame.
pub struct TracerRxToken<'a, T, F> {
    inner: T,
    callback: &'a RefCell<F>,
    now: Instant,
}

/// A traced frame to send.
pub struct TracerTxToken<'a, T, F> {
    inner: T,
    callback: &'a RefCell<F>,
    now: Instant,
}

fn call<F: FnMut(Instant, Direction, &[u8])>(
    cb: &RefCell<F>,
    now: Instant,
    dir: Direction,
    frame: &[u8],
) {
    // A token is consumed at most once and never from inside the
    // callback (the callback has no token), so the cell is free; should a
    // caller manage to re-enter anyway, skip tracing rather than panic.
    if let Ok(mut f) = cb.try_borrow_mut() {
        (*f)(now, dir, frame);
    }
}

impl<T: RxToken, F: FnMut(Instant, Direction, &[u8])> RxToken for TracerRxToken<'_, T, F> {
    fn consume<R, G>(self, f: G) -> R
    where
        G: FnOnce(&[u8]) -> R,
    {
        let (cb, now) = (self.callback, self.now);
        self.inner.consume(|frame| {
            call(cb, now, Direction::Rx, frame);
            f(frame)
        })
    }

    fn meta(&self) -> ferrotcp::device::RxMeta {
        self.inner.meta()
    }
}

impl<T: TxToken, F: FnMut(Instant, Direction, &[u8])> TxToken for TracerTxToken<'_, T, F> {
    fn consume<R, G>(self, len: usize, f: G) -> R
    where
        G: FnOnce(&mut [u8]) -> R,
    {
        let (cb, now) = (self.callback, self.now);
        self.inner.consume(len, |frame| {
            let r = f(frame);
            call(cb, now, Direction::Tx, frame);
            r
        })
    }

    fn set_meta(&mut self, meta: ferrotcp::device::TxMeta) {
        self.inner.set_meta(meta);
    }
}

impl<D, F> Device for Tracer<D, F>
where
    D: Device,
    F: FnMut(Instant, Direction, &[u8]),
{
    type RxToken<'a>
        = TracerRxToken<'a, D::RxToken<'a>, F>
    where
        Self: 'a;
    type TxToken<'a>
        = TracerTxToken<'a, D::TxToken<'a>, F>
    where
        Self: 'a;

    fn receive(&mut self, now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let (rx, tx) = self.inner.receive(now)?;
        let callback = &self.callback;
        Some((
            TracerRxToken {
                inner: rx,
                callback,
                now,
            },
            TracerTxToken {
                inner: tx,
                callback,
                now,
            },
        ))
    }

    fn transmit(&mut self, now: Instant) -> Option<Self::TxToken<'_>> {
        let tx = self.inner.transmit(now)?;
        Some(TracerTxToken {
            inner: tx,
            callback: &self.callback,
            now,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}

/// Formats bytes as a classic hex dump: offset, 16 bytes in hex, and the
/// printable ASCII, one line per 16 bytes (no trailing newline).
///
/// ```
/// use ferrotcp_phy::tracer::HexDump;
/// assert_eq!(
///     format!("{}", HexDump(b"AB\x00")),
///     "0000  41 42 00                                          AB."
/// );
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HexDump<'a>(pub &'a [u8]);

impl fmt::Display for HexDump<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.0.chunks(16).enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{:04x} ", i * 16)?;
            for j in 0..16 {
                if j == 8 {
                    f.write_str(" ")?;
                }
                match line.get(j) {
                    Some(b) => write!(f, " {b:02x}")?,
                    None => f.write_str("   ")?,
                }
            }
            f.write_str("  ")?;
            for &b in line {
                let c = if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                };
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;
    use crate::loopback::Loopback;
    use ferrotcp::device::Medium;
    use std::vec::Vec;

    #[test]
    fn every_frame_is_traced_with_time_and_direction() {
        let mut log: Vec<(Instant, Direction, Vec<u8>)> = Vec::new();
        {
            let mut dev = Tracer::new(Loopback::new(Medium::Ip, 4), |t, d, b: &[u8]| {
                log.push((t, d, b.to_vec()))
            });
            let t1 = Instant::from_millis(5);
            dev.transmit(t1)
                .unwrap()
                .consume(3, |b| b.copy_from_slice(&[1, 2, 3]));
            let t2 = Instant::from_millis(7);
            let (rx, tx) = dev.receive(t2).unwrap();
            let seen = rx.consume(|b| b.to_vec());
            assert_eq!(seen, [1, 2, 3]);
            tx.consume(1, |b| b[0] = 9);
            assert!(dev.inner().len() == 1);
        }
        assert_eq!(
            log,
            [
                (Instant::from_millis(5), Direction::Tx, std::vec![1, 2, 3]),
                (Instant::from_millis(7), Direction::Rx, std::vec![1, 2, 3]),
                (Instant::from_millis(7), Direction::Tx, std::vec![9]),
            ]
        );
    }

    #[test]
    fn unconsumed_tokens_trace_nothing() {
        let mut n = 0;
        let mut dev = Tracer::new(Loopback::new(Medium::Ip, 4), |_, _, _: &[u8]| n += 1);
        // A token dropped without `consume` sends nothing.
        assert!(dev.transmit(Instant::ZERO).is_some());
        assert!(dev.receive(Instant::ZERO).is_none());
        let (_, cb) = dev.into_inner();
        let _ = cb;
        assert_eq!(n, 0);
    }

    #[test]
    fn hex_dump_layout() {
        let bytes: Vec<u8> = (0x30..0x30 + 18).collect();
        let s = std::format!("{}", HexDump(&bytes));
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "0000  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f  0123456789:;<=>?"
        );
        assert_eq!(
            lines[1],
            "0010  40 41                                             @A"
        );
        assert_eq!(std::format!("{}", HexDump(&[])), "");
    }
}
