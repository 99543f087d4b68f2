//! A fixed-capacity ring buffer over caller storage.
//!
//! Used for TCP send and receive buffers (bytes) and for the metadata
//! rings of packet buffers. The read position never jumps: data written
//! past the stored bytes (`write_unallocated`, TCP out-of-order data) stays
//! where it was written even when the reader empties the buffer. Bulk operations copy at most twice (once per
//! side of the wrap) and never allocate. Offsets into the "allocated"
//! (filled) and "unallocated" (free) regions let TCP retransmit from the
//! send buffer and place out-of-order data into the receive buffer without
//! moving anything.

use managed::ManagedSlice;

/// Why a ring-buffer operation did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Full {
    /// No room for another element.
    Full,
}

/// Dequeue from an empty buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Empty;

/// A ring buffer of `T` in caller-supplied storage.
#[derive(Debug)]
pub struct RingBuffer<'a, T: 'a> {
    storage: ManagedSlice<'a, T>,
    read_at: usize,
    length: usize,
}

impl<'a, T: 'a> RingBuffer<'a, T> {
    /// A ring over `storage`; its length is the capacity.
    pub fn new<S: Into<ManagedSlice<'a, T>>>(storage: S) -> RingBuffer<'a, T> {
        RingBuffer {
            storage: storage.into(),
            read_at: 0,
            length: 0,
        }
    }

    /// Forget every element (storage is kept as is).
    pub fn clear(&mut self) {
        self.read_at = 0;
        self.length = 0;
    }

    /// Total number of elements the ring holds when full.
    pub fn capacity(&self) -> usize {
        self.storage.len()
    }

    /// Number of elements stored.
    pub fn len(&self) -> usize {
        self.length
    }

    /// Free room, in elements.
    pub fn window(&self) -> usize {
        self.capacity() - self.length
    }

    /// The longest run that one `enqueue_many_with` can fill without
    /// wrapping.
    pub fn contiguous_window(&self) -> usize {
        let cap = self.capacity();
        if cap == 0 {
            return 0;
        }
        let write_at = self.index(self.length);
        if self.length == cap {
            0
        } else if write_at >= self.read_at {
            // Not full, so write_at == read_at only when empty.
            cap - write_at
        } else {
            self.read_at - write_at
        }
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// Whether no room is left.
    pub fn is_full(&self) -> bool {
        self.length == self.capacity()
    }

    /// `read_at + offset` wrapped into the storage.
    fn index(&self, offset: usize) -> usize {
        let cap = self.capacity();
        if cap == 0 {
            return 0;
        }
        // read_at < cap and offset <= 2 * cap in every caller, so the sum
        // cannot overflow, and at most two subtractions wrap it: no integer
        // division (tens of cycles) on every enqueue and dequeue. The `%`
        // is only a guard for a caller outside that contract.
        let mut at = self.read_at + offset;
        if at >= cap {
            at -= cap;
            if at >= cap {
                at -= cap;
                if at >= cap {
                    at %= cap;
                }
            }
        }
        at
    }

    /// Append one element, returning it for the caller to fill.
    pub fn enqueue_one(&mut self) -> Result<&mut T, Full> {
        if self.is_full() {
            return Err(Full::Full);
        }
        let at = self.index(self.length);
        self.length += 1;
        Ok(&mut self.storage[at])
    }

    /// Remove the oldest element and return it.
    pub fn dequeue_one(&mut self) -> Result<&mut T, Empty> {
        if self.is_empty() {
            return Err(Empty);
        }
        let at = self.read_at;
        self.read_at = self.index(1);
        self.length -= 1;
        Ok(&mut self.storage[at])
    }

    /// The oldest element, without removing it.
    pub fn peek_one(&self) -> Option<&T> {
        if self.is_empty() {
            None
        } else {
            Some(&self.storage[self.read_at])
        }
    }

    /// When empty, start over at the beginning of the storage: the next
    /// writes land where the last ones did, in memory still in cache,
    /// instead of walking the whole buffer (a large buffer drained as fast
    /// as it fills then touches only its first part). The caller must not
    /// hold data in the free space (`write_unallocated`) it still needs.
    #[inline]
    pub fn rewind_if_empty(&mut self) {
        if self.length == 0 {
            self.read_at = 0;
        }
    }

    /// Let `f` fill the free contiguous run; it returns how many elements
    /// it wrote (clamped to the run) and a result.
    pub fn enqueue_many_with<R, F>(&mut self, f: F) -> (usize, R)
    where
        F: FnOnce(&mut [T]) -> (usize, R),
    {
        let at = self.index(self.length);
        let run = self.contiguous_window();
        let (n, r) = f(&mut self.storage[at..at + run]);
        let n = n.min(run);
        self.length += n;
        (n, r)
    }

    /// Let `f` consume the oldest contiguous run; it returns how many
    /// elements it took (clamped to the run) and a result.
    pub fn dequeue_many_with<R, F>(&mut self, f: F) -> (usize, R)
    where
        F: FnOnce(&mut [T]) -> (usize, R),
    {
        let cap = self.capacity();
        let run = self.length.min(cap - self.read_at.min(cap));
        let at = self.read_at;
        let (n, r) = f(&mut self.storage[at..at + run]);
        let n = n.min(run);
        self.read_at = self.index(n);
        self.length -= n;
        (n, r)
    }

    /// Mark the next `n` free elements filled, if they are contiguous, and
    /// return them for the caller to write.
    pub fn enqueue_contiguous(&mut self, n: usize) -> Option<&mut [T]> {
        if self.contiguous_window() < n {
            return None;
        }
        let at = self.index(self.length);
        self.length += n;
        Some(&mut self.storage[at..at + n])
    }

    /// Release the `n` oldest elements, if they are contiguous, and return
    /// them (they stay readable until the next write).
    pub fn dequeue_contiguous(&mut self, n: usize) -> Option<&mut [T]> {
        let cap = self.capacity();
        if n > self.length || self.read_at + n > cap {
            return None;
        }
        let at = self.read_at;
        self.read_at = self.index(n);
        self.length -= n;
        Some(&mut self.storage[at..at + n])
    }

    /// Drop the `n` oldest elements (clamped to the length).
    pub fn dequeue_allocated(&mut self, n: usize) -> usize {
        let n = n.min(self.length);
        self.read_at = self.index(n);
        self.length -= n;
        n
    }

    /// Mark `n` elements after the stored ones as filled (clamped to the
    /// window): the counterpart of `write_unallocated`.
    pub fn enqueue_unallocated(&mut self, n: usize) -> usize {
        let n = n.min(self.window());
        self.length += n;
        n
    }

    /// The contiguous stored run starting `offset` elements after the
    /// oldest, at most `size` long (empty when `offset` is past the end).
    pub fn get_allocated(&self, offset: usize, size: usize) -> &[T] {
        if offset >= self.length {
            return &[];
        }
        let at = self.index(offset);
        let cap = self.capacity();
        let run = (self.length - offset).min(cap - at).min(size);
        &self.storage[at..at + run]
    }
}

impl<'a, T: 'a + Copy> RingBuffer<'a, T> {
    /// Append as much of `data` as fits (both sides of the wrap); returns
    /// how many elements were taken.
    pub fn enqueue_slice(&mut self, data: &[T]) -> usize {
        let (n1, ()) = self.enqueue_many_with(|buf| {
            let n = buf.len().min(data.len());
            buf[..n].copy_from_slice(&data[..n]);
            (n, ())
        });
        let rest = &data[n1..];
        if rest.is_empty() {
            return n1;
        }
        let (n2, ()) = self.enqueue_many_with(|buf| {
            let n = buf.len().min(rest.len());
            buf[..n].copy_from_slice(&rest[..n]);
            (n, ())
        });
        n1 + n2
    }

    /// Move up to `out.len()` of the oldest elements into `out`; returns how
    /// many.
    pub fn dequeue_slice(&mut self, out: &mut [T]) -> usize {
        let (n1, ()) = self.dequeue_many_with(|buf| {
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            (n, ())
        });
        let out = &mut out[n1..];
        if out.is_empty() {
            return n1;
        }
        let (n2, ()) = self.dequeue_many_with(|buf| {
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            (n, ())
        });
        n1 + n2
    }

    /// Copy stored elements starting `offset` after the oldest into `out`
    /// without removing them; returns how many were copied.
    pub fn read_allocated(&self, offset: usize, out: &mut [T]) -> usize {
        let first = self.get_allocated(offset, out.len());
        let n1 = first.len();
        out[..n1].copy_from_slice(first);
        let second = self.get_allocated(offset + n1, out.len() - n1);
        let n2 = second.len();
        out[n1..n1 + n2].copy_from_slice(second);
        n1 + n2
    }

    /// The free region from `offset` elements after the stored ones, at
    /// most `n` long (clamped to the window), as its two runs before and
    /// after the wrap (the second empty when it does not wrap): where
    /// `write_unallocated(offset, ..)` would write, for a caller that
    /// fills it itself. Nothing is marked filled.
    pub fn unallocated_mut(&mut self, offset: usize, n: usize) -> (&mut [T], &mut [T]) {
        let window = self.window();
        if offset >= window {
            return (&mut [], &mut []);
        }
        let cap = self.capacity();
        let n = n.min(window - offset);
        let start = self.index(self.length + offset);
        let first = n.min(cap - start);
        let (head, tail) = self.storage.split_at_mut(start);
        (&mut tail[..first], &mut head[..n - first])
    }

    /// Copy `data` into the free region starting `offset` elements after
    /// the stored ones, without marking it filled (out-of-order TCP data).
    /// Returns how many elements fitted.
    pub fn write_unallocated(&mut self, offset: usize, data: &[T]) -> usize {
        let window = self.window();
        if offset >= window {
            return 0;
        }
        let cap = self.capacity();
        let n = data.len().min(window - offset);
        let start = self.index(self.length + offset);
        let first = n.min(cap - start);
        self.storage[start..start + first].copy_from_slice(&data[..first]);
        let second = n - first;
        self.storage[..second].copy_from_slice(&data[first..n]);
        n
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
    fn index_wraps_like_a_remainder() {
        for cap in 1usize..9 {
            let mut storage = vec![0u8; cap];
            let mut r = RingBuffer::new(&mut storage[..]);
            for read_at in 0..cap {
                r.read_at = read_at;
                for offset in 0..=4 * cap {
                    assert_eq!(r.index(offset), (read_at + offset) % cap);
                }
            }
        }
        let mut empty: [u8; 0] = [];
        assert_eq!(RingBuffer::new(&mut empty[..]).index(3), 0);
    }

    #[test]
    fn one_at_a_time() {
        let mut storage = [0u8; 3];
        let mut r = RingBuffer::new(&mut storage[..]);
        assert!(r.is_empty());
        assert_eq!(r.dequeue_one(), Err(Empty));
        for v in 1..=3 {
            *r.enqueue_one().unwrap() = v;
        }
        assert!(r.is_full());
        assert_eq!(r.enqueue_one(), Err(Full::Full));
        assert_eq!(*r.dequeue_one().unwrap(), 1);
        *r.enqueue_one().unwrap() = 4;
        assert_eq!(r.peek_one(), Some(&2));
        let mut out = [0u8; 5];
        assert_eq!(r.dequeue_slice(&mut out), 3);
        assert_eq!(&out[..3], &[2, 3, 4]);
    }

    #[test]
    fn wrap_around_bulk() {
        let mut r = RingBuffer::new(vec![0u8; 8]);
        assert_eq!(r.enqueue_slice(b"abcdef"), 6);
        let mut out = [0u8; 4];
        assert_eq!(r.dequeue_slice(&mut out), 4);
        assert_eq!(&out, b"abcd");
        // 2 stored at 4..6; 6 free, wrapping.
        assert_eq!(r.enqueue_slice(b"ghijklmn"), 6);
        assert!(r.is_full());
        let mut out = [0u8; 8];
        assert_eq!(r.read_allocated(0, &mut out), 8);
        assert_eq!(&out, b"efghijkl");
        assert_eq!(r.get_allocated(2, 100), b"gh");
        assert_eq!(r.get_allocated(4, 100), b"ijkl");
        assert_eq!(r.dequeue_allocated(3), 3);
        assert_eq!(r.len(), 5);
    }

    #[test]
    fn unallocated_writes() {
        let mut r = RingBuffer::new(vec![0u8; 8]);
        r.enqueue_slice(b"ab");
        // Out-of-order data 2 bytes after the stored ones.
        assert_eq!(r.write_unallocated(2, b"efgh"), 4);
        assert_eq!(r.len(), 2);
        assert_eq!(r.write_unallocated(0, b"cd"), 2);
        assert_eq!(r.enqueue_unallocated(6), 6);
        // Full: past the window nothing is written or marked.
        assert_eq!(r.write_unallocated(0, b"x"), 0);
        assert_eq!(r.enqueue_unallocated(100), 0);
        let mut out = [0u8; 8];
        assert_eq!(r.dequeue_slice(&mut out), 8);
        assert_eq!(&out, b"abcdefgh");
        assert_eq!(r.write_unallocated(8, b"x"), 0);
    }

    /// `unallocated_mut` hands out exactly the places `write_unallocated`
    /// writes, at every read position and offset, across the wrap.
    #[test]
    fn unallocated_mut_is_where_write_unallocated_writes() {
        for read_at in 0..8 {
            for stored in 0..=8 {
                for offset in 0..=9 {
                    let mut a = RingBuffer::new(vec![0u8; 8]);
                    a.read_at = read_at;
                    a.length = stored;
                    let mut b = RingBuffer::new(vec![0u8; 8]);
                    b.read_at = read_at;
                    b.length = stored;
                    let n = a.write_unallocated(offset, b"123456789");
                    let (x, y) = b.unallocated_mut(offset, 9);
                    assert_eq!(x.len() + y.len(), n, "{read_at} {stored} {offset}");
                    let k = x.len();
                    x.copy_from_slice(&b"123456789"[..k]);
                    y.copy_from_slice(&b"123456789"[k..n]);
                    assert_eq!(a.storage[..], b.storage[..], "{read_at} {stored} {offset}");
                }
            }
        }
        let mut z: RingBuffer<u8> = RingBuffer::new(vec![]);
        let (x, y) = z.unallocated_mut(0, 4);
        assert!(x.is_empty() && y.is_empty());
    }

    #[test]
    fn zero_capacity_never_panics() {
        let mut r: RingBuffer<u8> = RingBuffer::new(vec![]);
        assert_eq!(r.enqueue_slice(b"abc"), 0);
        assert_eq!(r.dequeue_slice(&mut [0; 3]), 0);
        assert!(r.enqueue_one().is_err());
        assert!(r.dequeue_one().is_err());
        assert_eq!(r.write_unallocated(0, b"a"), 0);
        assert_eq!(r.get_allocated(0, 1), b"");
        assert_eq!(r.contiguous_window(), 0);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Enq(Vec<u8>),
        Deq(usize),
        Skip(usize),
        Read(usize, usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..20).prop_map(Op::Enq),
            (0usize..20).prop_map(Op::Deq),
            (0usize..20).prop_map(Op::Skip),
            (0usize..20, 0usize..20).prop_map(|(a, b)| Op::Read(a, b)),
        ]
    }

    proptest! {
        #[test]
        fn behaves_like_a_deque(cap in 0usize..17, ops in proptest::collection::vec(op(), 0..60)) {
            let mut r = RingBuffer::new(vec![0u8; cap]);
            let mut model: VecDeque<u8> = VecDeque::new();
            for op in ops {
                match op {
                    Op::Enq(d) => {
                        let n = r.enqueue_slice(&d);
                        prop_assert_eq!(n, d.len().min(cap - model.len()));
                        model.extend(&d[..n]);
                    }
                    Op::Deq(k) => {
                        let mut out = vec![0u8; k];
                        let n = r.dequeue_slice(&mut out);
                        let want: Vec<u8> = (0..n.min(model.len())).filter_map(|_| model.pop_front()).collect();
                        prop_assert_eq!(&out[..n], &want[..]);
                    }
                    Op::Skip(k) => {
                        let n = r.dequeue_allocated(k);
                        prop_assert_eq!(n, k.min(model.len()));
                        model.drain(..n);
                    }
                    Op::Read(off, k) => {
                        let mut out = vec![0u8; k];
                        let n = r.read_allocated(off, &mut out);
                        let want: Vec<u8> = model.iter().skip(off).take(k).copied().collect();
                        prop_assert_eq!(&out[..n], &want[..]);
                    }
                }
                prop_assert_eq!(r.len(), model.len());
                prop_assert_eq!(r.window(), cap - model.len());
            }
        }
    }
}
