//! A queue of whole packets in caller storage: a ring of metadata (one
//! entry per packet) over a ring of payload bytes. Each packet's payload
//! is contiguous, so a socket hands it out as one slice; when a packet does
//! not fit before the end of the payload ring, the tail is skipped with a
//! padding entry. UDP, ICMP and raw sockets queue datagrams here.

use managed::ManagedSlice;

use super::{Empty, Full};

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
///
/// Both rings are kept here as a start index and a length (not as two
/// general `RingBuffer`s): a packet's payload never wraps, so each
/// operation is a few additions, one wrap check and one slice.
#[derive(Debug)]
pub struct PacketBuffer<'a, H: 'a> {
    metadata: ManagedSlice<'a, PacketMetadata<H>>,
    /// The oldest metadata entry.
    meta_read: usize,
    /// Metadata entries in use (packets and padding).
    meta_len: usize,
    payload: ManagedSlice<'a, u8>,
    /// The oldest payload byte.
    read_at: usize,
    /// Payload bytes in use (packets and padding).
    len: usize,
}

/// Where the next packet goes: after a padding entry of `pad` bytes
/// (covering the too-short run before the end of the ring) or not, at
/// payload offset `at`.
#[derive(Debug, Clone, Copy)]
struct Place {
    pad: Option<usize>,
    at: usize,
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
            metadata: metadata.into(),
            meta_read: 0,
            meta_len: 0,
            payload: payload.into(),
            read_at: 0,
            len: 0,
        }
    }

    /// Whether no packet is queued.
    #[inline]
    pub fn is_empty(&self) -> bool {
        // A padding entry is always followed by the packet it made room
        // for, and skipped before that packet leaves: no entry, no packet.
        self.meta_len == 0
    }

    /// Whether no further packet can be queued at all.
    pub fn is_full(&self) -> bool {
        self.meta_len == self.metadata.len()
    }

    /// The most packets the queue can hold.
    pub fn packet_capacity(&self) -> usize {
        self.metadata.len()
    }

    /// The most payload bytes the queue can hold.
    pub fn payload_capacity(&self) -> usize {
        self.payload.len()
    }

    /// Drop every queued packet.
    pub fn reset(&mut self) {
        self.meta_read = 0;
        self.meta_len = 0;
        self.read_at = 0;
        self.len = 0;
    }

    /// Where a packet of `size` bytes would go now, if it fits.
    #[inline]
    fn place(&self, size: usize) -> Option<Place> {
        let slots_free = self.metadata.len() - self.meta_len;
        let cap = self.payload.len();
        if self.meta_len == 0 {
            // An empty queue restarts at the ring's beginning, so the
            // whole payload ring is one contiguous run.
            return (slots_free >= 1 && size <= cap).then_some(Place { pad: None, at: 0 });
        }
        // read_at < cap and len <= cap (or both 0): one subtraction wraps.
        let mut write_at = self.read_at + self.len;
        if write_at >= cap {
            write_at -= cap;
        }
        let contiguous = if self.len == cap {
            0
        } else if write_at >= self.read_at {
            cap - write_at
        } else {
            self.read_at - write_at
        };
        if slots_free >= 1 && contiguous >= size {
            return Some(Place {
                pad: None,
                at: write_at,
            });
        }
        // Otherwise it must start at the ring's beginning, after a padding
        // entry covering the tail (when the free run reaches the end, what
        // is free beyond it is at the beginning).
        let free = cap - self.len;
        (slots_free >= 2 && free - contiguous >= size).then_some(Place {
            pad: Some(contiguous),
            at: 0,
        })
    }

    /// Append a metadata entry (the caller checked there is room).
    #[inline]
    fn push_metadata(&mut self, entry: PacketMetadata<H>) {
        let cap = self.metadata.len();
        let mut at = self.meta_read + self.meta_len;
        if at >= cap {
            at -= cap;
        }
        if let Some(m) = self.metadata.get_mut(at) {
            *m = entry;
            self.meta_len += 1;
        }
    }

    /// Commit a packet of `size` bytes at `place`; returns its payload.
    #[inline]
    fn commit(&mut self, place: Place, size: usize, header: H) -> &mut [u8] {
        if self.meta_len == 0 {
            self.meta_read = 0;
            self.read_at = 0;
            self.len = 0;
        }
        if let Some(pad) = place.pad {
            self.push_metadata(PacketMetadata {
                size: pad,
                header: None,
            });
            self.len += pad;
        }
        self.push_metadata(PacketMetadata {
            size,
            header: Some(header),
        });
        self.len += size;
        self.payload
            .get_mut(place.at..place.at + size)
            .unwrap_or(&mut [])
    }

    /// Whether a packet of `size` bytes would be accepted now.
    #[inline]
    pub fn can_enqueue(&self, size: usize) -> bool {
        self.place(size).is_some()
    }

    /// Queue a packet of `size` bytes with `header`; returns its payload
    /// to fill. Fails without side effects when it cannot fit.
    #[inline]
    pub fn enqueue(&mut self, size: usize, header: H) -> Result<&mut [u8], Full> {
        let place = self.place(size).ok_or(Full::Full)?;
        Ok(self.commit(place, size, header))
    }

    /// Queue a packet of `size` bytes with `header` only if it passes a
    /// check made while its payload is written: `fill` writes the payload
    /// into the packet's slot and returns whether to keep it. On `false`
    /// the queue is left as it was (the bytes written stay in free space).
    /// `Ok(kept)`, or `Full` (nothing called) when it cannot fit.
    ///
    /// When the packet must start after a padding entry (once per turn of
    /// the payload ring), `check` decides first, without a slot, and
    /// `fill` then writes the committed slot (its answer is then ignored):
    /// the padding entry is only written for a packet that is kept.
    #[inline]
    pub fn enqueue_if(
        &mut self,
        size: usize,
        header: H,
        fill: impl FnOnce(&mut [u8]) -> bool,
        check: impl FnOnce() -> bool,
    ) -> Result<bool, Full> {
        let place = self.place(size).ok_or(Full::Full)?;
        if place.pad.is_some() {
            if !check() {
                return Ok(false);
            }
            let _ = fill(self.commit(place, size, header));
            return Ok(true);
        }
        // The slot is free space until committed: written first, then
        // committed only if `fill` keeps it.
        let kept = match self.payload.get_mut(place.at..place.at + size) {
            Some(slot) => fill(slot),
            None => false,
        };
        if kept {
            self.commit(place, size, header);
        }
        Ok(kept)
    }

    /// Skip padding entries at the head.
    #[inline]
    fn skip_padding(&mut self) {
        // A padding entry exists only after a wrap: usually there is none.
        if self.meta_len > 0
            && self
                .metadata
                .get(self.meta_read)
                .is_some_and(|m| m.header.is_none())
        {
            self.skip_padding_slow();
        }
    }

    #[cold]
    fn skip_padding_slow(&mut self) {
        while self.meta_len > 0 {
            let Some(m) = self.metadata.get(self.meta_read) else {
                return;
            };
            if m.header.is_some() {
                break;
            }
            let size = m.size;
            self.pop_metadata();
            self.pop_payload(size);
        }
    }

    /// Remove the oldest metadata entry's index (the caller checked there
    /// is one).
    #[inline]
    fn pop_metadata(&mut self) -> usize {
        let at = self.meta_read;
        self.meta_read += 1;
        if self.meta_read >= self.metadata.len() {
            self.meta_read = 0;
        }
        self.meta_len -= 1;
        at
    }

    /// Release the `size` oldest payload bytes; returns where they start.
    #[inline]
    fn pop_payload(&mut self, size: usize) -> usize {
        let at = self.read_at;
        let size = size.min(self.len);
        self.read_at += size;
        if self.read_at >= self.payload.len() {
            self.read_at -= self.payload.len();
        }
        self.len -= size;
        at
    }

    /// The oldest packet, without removing it.
    #[inline]
    pub fn peek(&mut self) -> Result<(&H, &[u8]), Empty> {
        self.skip_padding();
        if self.meta_len == 0 {
            return Err(Empty);
        }
        let m = self.metadata.get(self.meta_read).ok_or(Empty)?;
        let header = m.header.as_ref().ok_or(Empty)?;
        let payload = self
            .payload
            .get(self.read_at..self.read_at + m.size)
            .ok_or(Empty)?;
        Ok((header, payload))
    }

    /// Remove the oldest packet; returns its header and payload (valid
    /// until the queue is next changed).
    #[inline]
    pub fn dequeue(&mut self) -> Result<(H, &mut [u8]), Empty> {
        self.skip_padding();
        if self.meta_len == 0 {
            return Err(Empty);
        }
        let at = self.pop_metadata();
        let m = self.metadata.get_mut(at).ok_or(Empty)?;
        let size = m.size;
        let header = m.header.take().ok_or(Empty)?;
        let start = self.pop_payload(size);
        // Packets are stored contiguously, so this cannot fail for a
        // consistent queue; an inconsistent one reports empty.
        let payload = self.payload.get_mut(start..start + size).ok_or(Empty)?;
        Ok((header, payload))
    }

    /// Remove the oldest packet and hand its header (in place, by
    /// reference: not moved out of the ring) and payload to `f`.
    #[inline]
    pub fn dequeue_with<R>(&mut self, f: impl FnOnce(&H, &mut [u8]) -> R) -> Result<R, Empty> {
        self.skip_padding();
        if self.meta_len == 0 {
            return Err(Empty);
        }
        let at = self.pop_metadata();
        let size = self.metadata.get(at).map_or(0, |m| m.size);
        let start = self.pop_payload(size);
        let header = self
            .metadata
            .get(at)
            .and_then(|m| m.header.as_ref())
            .ok_or(Empty)?;
        let payload = self.payload.get_mut(start..start + size).ok_or(Empty)?;
        Ok(f(header, payload))
    }

    /// Drop the oldest packet (its header is left in the ring, not moved
    /// out); returns whether there was one.
    #[inline]
    pub fn discard(&mut self) -> bool {
        self.skip_padding();
        if self.meta_len == 0 {
            return false;
        }
        let at = self.pop_metadata();
        let size = self.metadata.get(at).map_or(0, |m| m.size);
        self.pop_payload(size);
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
                        let queued = if id % 3 == 2 {
                            // Kept or refused by the filler / the check.
                            let keep = id % 2 == 0;
                            let filled = |b: &mut [u8]| {
                                b.copy_from_slice(&fill);
                                keep
                            };
                            q.enqueue_if(size, id, filled, || keep).map(|kept| {
                                prop_assert_eq!(kept, keep);
                                Ok(kept)
                            })
                        } else {
                            q.enqueue(size, id).map(|buf| {
                                buf.copy_from_slice(&fill);
                                Ok(true)
                            })
                        };
                        match queued {
                            Ok(kept) => {
                                prop_assert!(could);
                                if kept? {
                                    model.push_back((id, fill));
                                }
                            }
                            Err(_) => {
                                prop_assert!(!could);
                                // Never refuse when the queue is empty and it fits.
                                prop_assert!(!(model.is_empty() && size <= cap));
                            }
                        }
                        prop_assert_eq!(q.is_empty(), model.is_empty());
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
