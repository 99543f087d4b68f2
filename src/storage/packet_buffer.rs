//! A queue of whole packets in caller storage: a ring of metadata (one
//! entry per packet) over a ring of payload bytes. Each packet's payload
//! is contiguous, so a socket hands it out as one slice; when a packet does
//! not fit before the end of the payload ring, the tail is skipped with a
//! padding entry. UDP, ICMP and raw sockets queue datagrams here.

use managed::ManagedSlice;

use super::{Empty, Full, RingBuffer};

/// The metadata of one queued packet (or of a padding gap).
#[derive(Debug, Clone, Copy)]
pub struct PacketMetadata<H> {
    size: usize,
    header: Option<H>,
}

impl<H> PacketMetadata<H> {
    /// An unused entry, for initialising storage arrays.
    pub const EMPTY: PacketMetadata<H> = PacketMetadata {
        size: 0,
        header: None,
    };
}

/// A packet queue over a metadata ring and a payload ring.
#[derive(Debug)]
pub struct PacketBuffer<'a, H: 'a> {
    metadata: RingBuffer<'a, PacketMetadata<H>>,
    payload: RingBuffer<'a, u8>,
}

impl<'a, H: 'a> PacketBuffer<'a, H> {
    /// A queue of at most `metadata.len()` packets totalling at most
    /// `payload.len()` bytes.
    pub fn new<MS, PS>(metadata: MS, payload: PS) -> PacketBuffer<'a, H>
    where
        MS: Into<ManagedSlice<'a, PacketMetadata<H>>>,
        PS: Into<ManagedSlice<'a, u8>>,
    {
        PacketBuffer {
            metadata: RingBuffer::new(metadata),
            payload: RingBuffer::new(payload),
        }
    }

    /// Whether no packet is queued.
    pub fn is_empty(&self) -> bool {
        self.metadata.is_empty()
    }

    /// Whether no further packet can be queued at all.
    pub fn is_full(&self) -> bool {
        self.metadata.is_full()
    }

    /// The most packets the queue can hold.
    pub fn packet_capacity(&self) -> usize {
        self.metadata.capacity()
    }

    /// The most payload bytes the queue can hold.
    pub fn payload_capacity(&self) -> usize {
        self.payload.capacity()
    }

    /// Drop every queued packet.
    pub fn reset(&mut self) {
        self.metadata.clear();
        self.payload.clear();
    }

    /// Whether a packet of `size` bytes would be accepted now.
    #[inline]
    pub fn can_enqueue(&self, size: usize) -> bool {
        if self.metadata.is_empty() {
            // An empty queue restarts at the ring's beginning (see enqueue).
            return self.metadata.capacity() >= 1 && size <= self.payload.capacity();
        }
        let slots = self.metadata.window();
        let contiguous = self.payload.contiguous_window();
        if slots >= 1 && contiguous >= size {
            return true;
        }
        // Otherwise it must start after a padding entry covering the tail.
        slots >= 2 && self.payload.window() - contiguous >= size
    }

    /// Queue a packet of `size` bytes with `header`; returns its payload
    /// to fill. Fails without side effects when it cannot fit.
    #[inline]
    pub fn enqueue(&mut self, size: usize, header: H) -> Result<&mut [u8], Full> {
        if !self.can_enqueue(size) {
            return Err(Full::Full);
        }
        if self.metadata.is_empty() {
            // Nothing queued: start both rings over so the whole payload
            // ring is one contiguous run.
            self.metadata.clear();
            self.payload.clear();
        }
        let contiguous = self.payload.contiguous_window();
        if contiguous < size {
            *self.metadata.enqueue_one()? = PacketMetadata {
                size: contiguous,
                header: None,
            };
            self.payload.enqueue_unallocated(contiguous);
        }
        *self.metadata.enqueue_one()? = PacketMetadata {
            size,
            header: Some(header),
        };
        // can_enqueue proved the run is contiguous.
        self.payload.enqueue_contiguous(size).ok_or(Full::Full)
    }

    /// Queue a packet of `size` bytes with `header` only if it passes a
    /// check made while its payload is written: `fill` writes the payload
    /// into the packet's slot and returns whether to keep it. On `false`
    /// the queue is left as it was (the bytes written stay in free space).
    /// `Ok(kept)`, or `Full` (nothing called) when it cannot fit.
    ///
    /// The slot can be written before it is committed only when the
    /// packet fits in the run after the last one. When it must start after
    /// a padding entry (once per turn of the payload ring), `check` decides
    /// first, without a slot, and `fill` then writes the committed slot
    /// (its answer is then ignored).
    #[inline]
    pub fn enqueue_if(
        &mut self,
        size: usize,
        header: H,
        fill: impl FnOnce(&mut [u8]) -> bool,
        check: impl FnOnce() -> bool,
    ) -> Result<bool, Full> {
        if !self.can_enqueue(size) {
            return Err(Full::Full);
        }
        if self.metadata.is_empty() {
            // As in `enqueue`: an empty queue restarts at the beginning
            // (no packet is queued, so nothing observable changes).
            self.metadata.clear();
            self.payload.clear();
        }
        if self.payload.contiguous_window() < size {
            if !check() {
                return Ok(false);
            }
            let slot = self.enqueue(size, header)?;
            let _ = fill(slot);
            return Ok(true);
        }
        // The payload is written into the free run and committed only if
        // `fill` keeps it; the metadata entry follows it.
        let (_, kept) = self.payload.enqueue_many_with(|run| {
            let kept = run.get_mut(..size).is_some_and(fill);
            (if kept { size } else { 0 }, kept)
        });
        if kept {
            *self.metadata.enqueue_one()? = PacketMetadata {
                size,
                header: Some(header),
            };
        }
        Ok(kept)
    }

    /// Skip padding entries at the head.
    #[inline]
    fn skip_padding(&mut self) {
        // A padding entry exists only after a wrap: usually there is none.
        if self.metadata.peek_one().is_some_and(|m| m.header.is_none()) {
            self.skip_padding_slow();
        }
    }

    #[cold]
    fn skip_padding_slow(&mut self) {
        while let Some(m) = self.metadata.peek_one() {
            if m.header.is_some() {
                break;
            }
            let size = m.size;
            let _ = self.metadata.dequeue_one();
            self.payload.dequeue_allocated(size);
        }
    }

    /// The oldest packet, without removing it.
    #[inline]
    pub fn peek(&mut self) -> Result<(&H, &[u8]), Empty> {
        self.skip_padding();
        let m = self.metadata.peek_one().ok_or(Empty)?;
        let header = m.header.as_ref().ok_or(Empty)?;
        Ok((header, self.payload.get_allocated(0, m.size)))
    }

    /// Remove the oldest packet; returns its header and payload (valid
    /// until the queue is next changed).
    #[inline]
    pub fn dequeue(&mut self) -> Result<(H, &mut [u8]), Empty> {
        self.skip_padding();
        let m = self.metadata.dequeue_one()?;
        let size = m.size;
        let header = m.header.take().ok_or(Empty)?;
        // Packets are stored contiguously, so this cannot fail for a
        // consistent queue; an inconsistent one reports empty.
        let payload = self.payload.dequeue_contiguous(size).ok_or(Empty)?;
        Ok((header, payload))
    }

    /// Remove the oldest packet and hand its header (in place, by
    /// reference: not moved out of the ring) and payload to `f`.
    #[inline]
    pub fn dequeue_with<R>(&mut self, f: impl FnOnce(&H, &mut [u8]) -> R) -> Result<R, Empty> {
        self.skip_padding();
        let m = self.metadata.dequeue_one()?;
        let size = m.size;
        let header = m.header.as_ref().ok_or(Empty)?;
        let payload = self.payload.dequeue_contiguous(size).ok_or(Empty)?;
        Ok(f(header, payload))
    }

    /// Drop the oldest packet (its header is left in the ring, not moved
    /// out); returns whether there was one.
    #[inline]
    pub fn discard(&mut self) -> bool {
        self.skip_padding();
        let Ok(m) = self.metadata.dequeue_one() else {
            return false;
        };
        let size = m.size;
        self.payload.dequeue_allocated(size);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;
    use std::vec;
    use std::vec::Vec;

    #[test]
    fn wraps_with_padding() {
        let mut meta = [PacketMetadata::EMPTY; 4];
        let mut data = [0u8; 10];
        let mut q: PacketBuffer<u32> = PacketBuffer::new(&mut meta[..], &mut data[..]);
        q.enqueue(6, 1).unwrap().copy_from_slice(b"abcdef");
        assert!(q.enqueue(5, 2).is_err(), "only 4 bytes left");
        let (h, p) = q.dequeue().unwrap();
        assert_eq!((h, &*p), (1, &b"abcdef"[..]));
        // 10 free, but write position is at 6: 4 contiguous, then wrap.
        q.enqueue(3, 3).unwrap().copy_from_slice(b"xyz");
        q.enqueue(5, 4).unwrap().copy_from_slice(b"12345");
        assert_eq!(
            q.peek().map(|(h, p)| (*h, p.to_vec())),
            Ok((3, b"xyz".to_vec()))
        );
        assert_eq!(
            q.dequeue().map(|(h, p)| (h, p.to_vec())),
            Ok((3, b"xyz".to_vec()))
        );
        assert_eq!(
            q.dequeue().map(|(h, p)| (h, p.to_vec())),
            Ok((4, b"12345".to_vec()))
        );
        assert_eq!(q.dequeue().map(|(h, _)| h), Err(Empty));
        assert!(q.enqueue(11, 5).is_err(), "larger than the whole ring");
        assert!(q.enqueue(10, 5).is_ok());
        assert!(q.enqueue(0, 6).is_ok(), "empty datagrams are packets too");
    }

    #[test]
    fn enqueue_if_commits_only_what_is_kept() {
        let mut meta = [PacketMetadata::EMPTY; 4];
        let mut data = [0u8; 10];
        let mut q: PacketBuffer<u32> = PacketBuffer::new(&mut meta[..], &mut data[..]);
        let never = || -> bool { panic!("no check in place") };
        // Refused in place: nothing queued.
        assert_eq!(q.enqueue_if(4, 1, |_| false, never), Ok(false));
        assert!(q.is_empty());
        let fill = |b: &mut [u8]| {
            b.copy_from_slice(b"abcdef");
            true
        };
        assert_eq!(q.enqueue_if(6, 2, fill, never), Ok(true));
        assert_eq!(q.enqueue_if(5, 3, |_| true, never), Err(Full::Full));
        q.enqueue(3, 4).unwrap().copy_from_slice(b"xyz");
        assert_eq!(
            q.dequeue().map(|(h, p)| (h, p.to_vec())),
            Ok((2, b"abcdef".to_vec()))
        );
        // Write position 9: a 5-byte packet must start after padding.
        let wrap_fill = |b: &mut [u8]| {
            b.copy_from_slice(b"12345");
            false // ignored: `check` decided
        };
        assert_eq!(q.enqueue_if(5, 5, wrap_fill, || false), Ok(false));
        assert_eq!(q.peek().map(|(h, _)| *h), Ok(4), "nothing was added");
        assert_eq!(q.enqueue_if(5, 5, wrap_fill, || true), Ok(true));
        assert_eq!(
            q.dequeue().map(|(h, p)| (h, p.to_vec())),
            Ok((4, b"xyz".to_vec()))
        );
        assert_eq!(
            q.dequeue().map(|(h, p)| (h, p.to_vec())),
            Ok((5, b"12345".to_vec()))
        );
        assert!(q.is_empty());
    }

    #[test]
    fn dequeue_with_and_discard_skip_padding() {
        let mut meta = [PacketMetadata::EMPTY; 4];
        let mut data = [0u8; 10];
        let mut q: PacketBuffer<u32> = PacketBuffer::new(&mut meta[..], &mut data[..]);
        q.enqueue(6, 1).unwrap().copy_from_slice(b"abcdef");
        q.enqueue(2, 2).unwrap().copy_from_slice(b"gh");
        assert!(q.discard());
        // Written up to 8, 2 contiguous: 3 bytes wrap behind a padding
        // entry, which both ways out step over.
        q.enqueue(3, 3).unwrap().copy_from_slice(b"xyz");
        assert_eq!(
            q.dequeue_with(|h, p| (*h, p.to_vec())),
            Ok((2, b"gh".to_vec()))
        );
        assert_eq!(
            q.dequeue_with(|h, p| (*h, p.to_vec())),
            Ok((3, b"xyz".to_vec()))
        );
        q.enqueue(6, 4).unwrap().copy_from_slice(b"123456");
        q.enqueue(3, 5).unwrap().copy_from_slice(b"789");
        assert!(q.discard());
        assert_eq!(
            q.peek().map(|(h, p)| (*h, p.to_vec())),
            Ok((5, b"789".to_vec()))
        );
        assert!(q.discard());
        assert_eq!(q.dequeue_with(|h, _| *h), Err(Empty));
        assert!(!q.discard());
        assert!(q.is_empty());
    }

    proptest! {
        #[test]
        fn behaves_like_a_queue(slots in 1usize..6, cap in 0usize..40,
                                ops in proptest::collection::vec(proptest::option::of(0usize..16), 0..80)) {
            let mut q: PacketBuffer<usize> = PacketBuffer::new(vec![PacketMetadata::EMPTY; slots], vec![0u8; cap]);
            let mut model: VecDeque<(usize, Vec<u8>)> = VecDeque::new();
            let mut id = 0;
            for op in ops {
                match op {
                    Some(size) => {
                        id += 1;
                        let fill: Vec<u8> = (0..size).map(|i| (i + id) as u8).collect();
                        let could = q.can_enqueue(size);
                        match q.enqueue(size, id) {
                            Ok(buf) => {
                                prop_assert!(could);
                                buf.copy_from_slice(&fill);
                                model.push_back((id, fill));
                            }
                            Err(_) => {
                                prop_assert!(!could);
                                // Never refuse when the queue is empty and it fits.
                                prop_assert!(!(model.is_empty() && size <= cap));
                            }
                        }
                    }
                    None => {
                        // The three ways out take the same packet, in order.
                        let expect = model.pop_front();
                        match id % 3 {
                            0 => {
                                let got = q.dequeue().map(|(h, p)| (h, p.to_vec())).ok();
                                prop_assert_eq!(got, expect);
                            }
                            1 => {
                                let got = q.dequeue_with(|h, p| (*h, p.to_vec())).ok();
                                prop_assert_eq!(got, expect);
                            }
                            _ => {
                                let head = q.peek().map(|(h, p)| (*h, p.to_vec())).ok();
                                prop_assert_eq!(&head, &expect);
                                prop_assert_eq!(q.discard(), expect.is_some());
                            }
                        }
                    }
                }
                prop_assert!(model.len() <= slots);
            }
        }
    }
}
