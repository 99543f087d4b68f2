//! The socket set: sockets in caller storage, addressed by generational
//! handles, with the two structures that keep a poll's cost proportional
//! to the sockets that have work rather than to the sockets that exist:
//!
//! * a deadline heap (one entry per socket with a pending `poll_at` in
//!   the future), so the interface finds due sockets in O(log n) and
//!   `poll_at` is O(1), and beside it a due-now list (sockets with
//!   something to send at once: O(1) in and out);
//! * a port index (hash buckets chained through the slots), so an incoming
//!   datagram finds its socket without scanning.
//!
//! The application may change a socket at any time between polls through
//! [`SocketSet::get_mut`]; that marks the slot dirty, and the set brings
//! its heap entry and index membership up to date at the start of the next
//! poll — only for the dirty slots.

use managed::ManagedSlice;

use super::PollAt;
#[cfg(feature = "socket-icmp")]
use super::icmp;
#[cfg(feature = "socket-raw")]
use super::raw;
#[cfg(feature = "socket-tcp")]
use super::tcp;
#[cfg(feature = "socket-udp")]
use super::udp;
use crate::storage::{DeadlineHeap, HeapSlot, HeapSlots};
use crate::time::Instant;
#[cfg(feature = "socket-raw")]
use crate::wire::{IpProtocol, IpVersion};

/// A socket of any kind.
///
/// Every slot of a socket set is as large as the largest socket (TCP);
/// boxing it would need an allocator, which the core does without.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
pub enum Socket<'a> {
    /// A UDP socket.
    #[cfg(feature = "socket-udp")]
    Udp(udp::Socket<'a>),
    /// An ICMP (ping) socket.
    #[cfg(feature = "socket-icmp")]
    Icmp(icmp::Socket<'a>),
    /// A raw IP socket.
    #[cfg(feature = "socket-raw")]
    Raw(raw::Socket<'a>),
    /// A TCP socket.
    #[cfg(feature = "socket-tcp")]
    Tcp(tcp::Socket<'a>),
    /// A TCP listener (its connections are TCP sockets of the set).
    #[cfg(feature = "socket-tcp-listener")]
    TcpListener(tcp::Listener<'a>),
    /// Never built: the lifetime's holder when no socket kind is compiled
    /// in (every `socket-*` feature off).
    #[cfg(not(any(
        feature = "socket-udp",
        feature = "socket-icmp",
        feature = "socket-raw",
        feature = "socket-tcp"
    )))]
    #[doc(hidden)]
    None(core::convert::Infallible, core::marker::PhantomData<&'a ()>),
}

impl Socket<'_> {
    #[inline]
    pub(crate) fn poll_at(&self) -> PollAt {
        match self {
            #[cfg(feature = "socket-udp")]
            Socket::Udp(s) => s.poll_at(),
            #[cfg(feature = "socket-icmp")]
            Socket::Icmp(s) => s.poll_at(),
            #[cfg(feature = "socket-raw")]
            Socket::Raw(s) => s.poll_at(),
            #[cfg(feature = "socket-tcp")]
            Socket::Tcp(s) => s.poll_at(),
            // A listener never sends: its connections do.
            #[cfg(feature = "socket-tcp-listener")]
            Socket::TcpListener(_) => PollAt::Ingress,
            #[cfg(not(any(
                feature = "socket-udp",
                feature = "socket-icmp",
                feature = "socket-raw",
                feature = "socket-tcp"
            )))]
            Socket::None(never, _) => match *never {},
        }
    }

    /// The port this socket is found by in the port index, if any.
    fn indexed_port(&self) -> Option<(Proto, u16)> {
        match self {
            #[cfg(feature = "socket-udp")]
            Socket::Udp(s) if s.is_open() => Some((Proto::Udp, s.endpoint().port)),
            #[cfg(feature = "socket-udp")]
            Socket::Udp(_) => None,
            #[cfg(feature = "socket-icmp")]
            Socket::Icmp(s) => s.ident().map(|i| (Proto::Icmp, i)),
            #[cfg(feature = "socket-raw")]
            Socket::Raw(s) => {
                let (v, p) = s.index_key();
                Some((Proto::Raw, raw_key(v, p)))
            }
            #[cfg(feature = "socket-tcp")]
            Socket::Tcp(s) => match s.state() {
                tcp::State::Closed => None,
                tcp::State::Listen => Some((Proto::TcpListen, s.listen_endpoint().port)),
                _ => {
                    let (l, r) = (s.local_endpoint()?, s.remote_endpoint()?);
                    Some((Proto::TcpConn, tcp_tuple_key(&l, &r)))
                }
            },
            #[cfg(feature = "socket-tcp-listener")]
            Socket::TcpListener(l) => l
                .is_listening()
                .then(|| (Proto::TcpListen, l.endpoint().port)),
            #[cfg(not(any(
                feature = "socket-udp",
                feature = "socket-icmp",
                feature = "socket-raw",
                feature = "socket-tcp"
            )))]
            Socket::None(never, _) => match *never {},
        }
    }
}

/// Conversion between a concrete socket type and [`Socket`].
pub trait AnySocket<'a>: Sized {
    /// Wrap into a [`Socket`].
    fn upcast(self) -> Socket<'a>;
    /// The concrete socket, if `socket` is one.
    fn downcast<'c>(socket: &'c Socket<'a>) -> Option<&'c Self>;
    /// The concrete socket, if `socket` is one.
    fn downcast_mut<'c>(socket: &'c mut Socket<'a>) -> Option<&'c mut Self>;
}

macro_rules! any_socket {
    ($module:ident, $variant:ident) => {
        impl<'a> AnySocket<'a> for $module::Socket<'a> {
            fn upcast(self) -> Socket<'a> {
                Socket::$variant(self)
            }
            fn downcast<'c>(socket: &'c Socket<'a>) -> Option<&'c Self> {
                match socket {
                    Socket::$variant(s) => Some(s),
                    // The only kind when one `socket-*` feature is on.
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
            fn downcast_mut<'c>(socket: &'c mut Socket<'a>) -> Option<&'c mut Self> {
                match socket {
                    Socket::$variant(s) => Some(s),
                    // The only kind when one `socket-*` feature is on.
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
        }
    };
}

#[cfg(feature = "socket-udp")]
any_socket!(udp, Udp);
#[cfg(feature = "socket-icmp")]
any_socket!(icmp, Icmp);
#[cfg(feature = "socket-raw")]
any_socket!(raw, Raw);
#[cfg(feature = "socket-tcp")]
any_socket!(tcp, Tcp);

#[cfg(feature = "socket-tcp")]
/// The connection-index key of a TCP 4-tuple: a mix of the tuple folded
/// to 16 bits (the bucket's chain is then checked against the full tuple).
pub(crate) fn tcp_tuple_key(local: &super::IpEndpoint, remote: &super::IpEndpoint) -> u16 {
    // Whole words, not bytes: each address is one or two 64-bit words,
    // the ports one, each folded in by its own multiply-xorshift round, so
    // no two fields can cancel each other linearly. Unkeyed and 16 bits
    // wide, so collisions can still be searched for: they only lengthen a
    // bucket's chain, which is bounded by the set's capacity, and every
    // entry of the chain is compared against the full tuple.
    fn round(h: u64, w: u64) -> u64 {
        let x = (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        x ^ (x >> 29)
    }
    fn addr(h: u64, a: &core::net::IpAddr) -> u64 {
        match a {
            core::net::IpAddr::V4(a) => round(h, u64::from(a.to_bits())),
            core::net::IpAddr::V6(a) => {
                let x = a.to_bits();
                round(round(h, x as u64), (x >> 64) as u64)
            }
        }
    }
    let ports = (u64::from(local.port) << 16) | u64::from(remote.port);
    let h = addr(
        addr(round(0x2545_f491_4f6c_dd1d, ports), &local.addr),
        &remote.addr,
    );
    (h.wrapping_mul(0xbf58_476d_1ce4_e5b9) >> 48) as u16
}

/// The raw-socket index key: protocol number, plus 0x100 for IPv6.
#[cfg(feature = "socket-raw")]
fn raw_key(version: IpVersion, protocol: IpProtocol) -> u16 {
    let v6 = match version {
        IpVersion::Ipv4 => 0,
        IpVersion::Ipv6 => 0x100,
    };
    u16::from(u8::from(protocol)) | v6
}

/// A handle to a socket in a [`SocketSet`]. A handle to a removed socket
/// stays invalid even after its slot is reused (the generation differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SocketHandle {
    index: u32,
    generation: u32,
}

impl SocketHandle {
    /// The slot index (for logging).
    pub fn index(&self) -> usize {
        self.index as usize
    }
}

/// Why a socket-set operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SetError {
    /// No free slot (and the storage cannot grow).
    Full,
    /// The handle does not name a live socket (removed, or from another
    /// set).
    InvalidHandle,
    /// The socket is of another type than asked for.
    WrongType,
}

/// Which index a socket is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    #[cfg(feature = "socket-udp")]
    Udp,
    #[cfg(feature = "socket-icmp")]
    Icmp,
    #[cfg(feature = "socket-raw")]
    Raw,
    #[cfg(feature = "socket-tcp")]
    TcpListen,
    #[cfg(feature = "socket-tcp")]
    TcpConn,
}

const NIL: u32 = u32::MAX;
/// Buckets of the port index (a power of two).
const BUCKETS: usize = 64;

/// One slot of a socket set. Create storage with
/// `[SocketStorage::EMPTY; N]`.
#[derive(Debug)]
pub struct SocketStorage<'a> {
    socket: Option<Socket<'a>>,
    generation: u32,
    heap: HeapSlot,
    /// Next slot in the dirty list, or NIL; `dirty` says membership.
    next_dirty: u32,
    dirty: bool,
    /// Next slot in the due-now list, or NIL; `due` says membership (a
    /// slot is in the due-now list or in the heap, never both).
    next_due: u32,
    due: bool,
    /// Where the slot is in the port index.
    indexed: Option<(Proto, u16)>,
    next_in_bucket: u32,
}

impl SocketStorage<'_> {
    /// An empty slot.
    pub const EMPTY: Self = SocketStorage {
        socket: None,
        generation: 0,
        heap: HeapSlot::EMPTY,
        next_dirty: NIL,
        dirty: false,
        next_due: NIL,
        due: false,
        indexed: None,
        next_in_bucket: NIL,
    };
}

impl Default for SocketStorage<'_> {
    fn default() -> Self {
        SocketStorage::EMPTY
    }
}

/// The slots as the deadline heap sees them.
#[derive(Debug)]
struct Slots<'a, 'b>(ManagedSlice<'a, SocketStorage<'b>>);

impl HeapSlots for Slots<'_, '_> {
    fn slot_count(&self) -> usize {
        self.0.len()
    }
    fn slot(&self, i: usize) -> &HeapSlot {
        &self.0[i].heap
    }
    fn slot_mut(&mut self, i: usize) -> &mut HeapSlot {
        &mut self.0[i].heap
    }
}

/// A set of sockets in caller storage.
#[derive(Debug)]
pub struct SocketSet<'a> {
    heap: DeadlineHeap<Slots<'a, 'a>>,
    dirty_head: u32,
    /// Sockets with something to send now (`PollAt::Now`), oldest first:
    /// kept out of the heap, so the common case — a socket that has data
    /// and is served in the same poll — costs a list push and pop, not a
    /// sift up and down.
    due_head: u32,
    due_tail: u32,
    /// The interface changed a TCP socket since the last
    /// [`SocketSet::take_tcp_changed`]: it may owe a segment now (an ACK,
    /// data an ACK let out). Other sockets never become due to send
    /// because of what they received.
    tcp_changed: bool,
    buckets: [u32; BUCKETS],
    /// Raw sockets in the port index: most datagrams find none, and say so
    /// without hashing a bucket.
    #[cfg(feature = "socket-raw")]
    raw_indexed: usize,
}

fn bucket_of(proto: Proto, port: u16) -> usize {
    // Ports are not attacker-chosen for *local* sockets, so a fixed mix is
    // enough here (the TCP 4-tuple index uses a keyed hash).
    let p: u32 = match proto {
        #[cfg(feature = "socket-udp")]
        Proto::Udp => 0,
        #[cfg(feature = "socket-icmp")]
        Proto::Icmp => 1,
        #[cfg(feature = "socket-raw")]
        Proto::Raw => 2,
        #[cfg(feature = "socket-tcp")]
        Proto::TcpListen => 3,
        #[cfg(feature = "socket-tcp")]
        Proto::TcpConn => 4,
    };
    let x = (u32::from(port) ^ (p << 16)).wrapping_mul(0x9e37_79b1);
    (x >> 26) as usize % BUCKETS
}

impl<'a> SocketSet<'a> {
    /// A set over `storage` (`[SocketStorage::EMPTY; N]`, or a `Vec` with
    /// the `alloc` feature, which then grows).
    pub fn new<S: Into<ManagedSlice<'a, SocketStorage<'a>>>>(storage: S) -> SocketSet<'a> {
        let mut storage = storage.into();
        for slot in storage.iter_mut() {
            *slot = SocketStorage::EMPTY;
        }
        SocketSet {
            heap: DeadlineHeap::new(Slots(storage)),
            dirty_head: NIL,
            due_head: NIL,
            due_tail: NIL,
            tcp_changed: false,
            buckets: [NIL; BUCKETS],
            #[cfg(feature = "socket-raw")]
            raw_indexed: 0,
        }
    }

    fn slots(&self) -> &ManagedSlice<'a, SocketStorage<'a>> {
        &self.heap.storage().0
    }

    fn slots_mut(&mut self) -> &mut ManagedSlice<'a, SocketStorage<'a>> {
        &mut self.heap.storage_mut().0
    }

    /// Add a socket; returns its handle.
    pub fn add<T: AnySocket<'a>>(&mut self, socket: T) -> Result<SocketHandle, SetError> {
        let socket = socket.upcast();
        let free = self.slots().iter().position(|s| s.socket.is_none());
        let index = match free {
            Some(i) => i,
            None => self.grow()?,
        };
        if index >= NIL as usize {
            return Err(SetError::Full);
        }
        let slot = &mut self.slots_mut()[index];
        slot.socket = Some(socket);
        let generation = slot.generation;
        self.mark_dirty(index);
        Ok(SocketHandle {
            index: index as u32,
            generation,
        })
    }

    #[cfg(feature = "alloc")]
    fn grow(&mut self) -> Result<usize, SetError> {
        match self.slots_mut() {
            ManagedSlice::Owned(v) => {
                v.push(SocketStorage::EMPTY);
                Ok(v.len() - 1)
            }
            ManagedSlice::Borrowed(_) => Err(SetError::Full),
        }
    }

    #[cfg(not(feature = "alloc"))]
    fn grow(&mut self) -> Result<usize, SetError> {
        Err(SetError::Full)
    }

    fn check(&self, handle: SocketHandle) -> Result<usize, SetError> {
        let i = handle.index as usize;
        match self.slots().get(i) {
            Some(s) if s.socket.is_some() && s.generation == handle.generation => Ok(i),
            _ => Err(SetError::InvalidHandle),
        }
    }

    /// The socket behind `handle`.
    pub fn get<T: AnySocket<'a>>(&self, handle: SocketHandle) -> Result<&T, SetError> {
        let i = self.check(handle)?;
        let socket = self.slots()[i]
            .socket
            .as_ref()
            .ok_or(SetError::InvalidHandle)?;
        T::downcast(socket).ok_or(SetError::WrongType)
    }

    /// The socket behind `handle`, to change. Marks it for re-evaluation
    /// at the next poll.
    pub fn get_mut<T: AnySocket<'a>>(&mut self, handle: SocketHandle) -> Result<&mut T, SetError> {
        let i = self.check(handle)?;
        self.mark_dirty(i);
        let socket = self.slots_mut()[i]
            .socket
            .as_mut()
            .ok_or(SetError::InvalidHandle)?;
        T::downcast_mut(socket).ok_or(SetError::WrongType)
    }

    /// Remove the socket behind `handle` and return it. The handle (and
    /// every copy of it) becomes invalid.
    pub fn remove(&mut self, handle: SocketHandle) -> Result<Socket<'a>, SetError> {
        let i = self.check(handle)?;
        self.unindex(i);
        self.schedule_slot(i, None);
        let slot = &mut self.slots_mut()[i];
        slot.generation = slot.generation.wrapping_add(1);
        slot.socket.take().ok_or(SetError::InvalidHandle)
    }

    /// Handles and sockets, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (SocketHandle, &Socket<'a>)> {
        self.slots().iter().enumerate().filter_map(|(i, s)| {
            s.socket.as_ref().map(|sock| {
                (
                    SocketHandle {
                        index: i as u32,
                        generation: s.generation,
                    },
                    sock,
                )
            })
        })
    }

    /// The number of live sockets.
    pub fn len(&self) -> usize {
        self.slots().iter().filter(|s| s.socket.is_some()).count()
    }

    /// Whether the set holds no socket.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn mark_dirty(&mut self, i: usize) {
        let head = self.dirty_head;
        let slot = &mut self.slots_mut()[i];
        if !slot.dirty {
            slot.dirty = true;
            slot.next_dirty = head;
            self.dirty_head = i as u32;
        }
    }

    /// Bring the heap and the index up to date for every slot changed
    /// since the last call. Cost: the number of changed slots.
    #[inline]
    pub(crate) fn refresh(&mut self) {
        if self.dirty_head != NIL {
            self.refresh_dirty();
        }
    }

    fn refresh_dirty(&mut self) {
        while self.dirty_head != NIL {
            let i = self.dirty_head as usize;
            // Everything read from the slot at once.
            let (next, port, deadline, indexed, due, queued) = {
                let slot = &mut self.slots_mut()[i];
                slot.dirty = false;
                let next = slot.next_dirty;
                slot.next_dirty = NIL;
                let (port, deadline) = match &slot.socket {
                    Some(s) => (s.indexed_port(), poll_deadline(s.poll_at())),
                    None => (None, None),
                };
                (
                    next,
                    port,
                    deadline,
                    slot.indexed,
                    slot.due,
                    slot.heap.is_queued(),
                )
            };
            self.dirty_head = next;
            if indexed != port {
                self.unindex(i);
                if let Some((proto, port)) = port {
                    self.index(i, proto, port);
                }
            }
            self.schedule(i, deadline, due, queued);
        }
    }

    /// Put slot `i` where `deadline` says: the due-now list for "now",
    /// the heap for a time, nowhere for none. `due` and `queued`: whether
    /// it is in the due-now list and in the heap now.
    #[inline]
    fn schedule(&mut self, i: usize, deadline: Option<Instant>, due: bool, queued: bool) {
        if deadline == Some(NOW) {
            if !due {
                if queued {
                    self.heap.set(i, None);
                }
                self.push_due(i);
            }
            return;
        }
        if due {
            self.unlink_due(i);
        }
        if deadline.is_some() || queued {
            self.heap.set(i, deadline);
        }
    }

    /// [`schedule`](Self::schedule) with the slot's state read here.
    fn schedule_slot(&mut self, i: usize, deadline: Option<Instant>) {
        let Some(slot) = self.slots().get(i) else {
            return;
        };
        let (due, queued) = (slot.due, slot.heap.is_queued());
        self.schedule(i, deadline, due, queued);
    }

    /// Append slot `i` (not in the list) to the due-now list.
    #[inline]
    fn push_due(&mut self, i: usize) {
        let tail = self.due_tail;
        let slot = &mut self.slots_mut()[i];
        slot.due = true;
        slot.next_due = NIL;
        match tail {
            NIL => self.due_head = i as u32,
            t => self.slots_mut()[t as usize].next_due = i as u32,
        }
        self.due_tail = i as u32;
    }

    /// Take the oldest slot of the due-now list.
    #[inline]
    fn pop_due_now(&mut self) -> Option<usize> {
        let i = self.due_head;
        if i == NIL {
            return None;
        }
        let slot = &mut self.slots_mut()[i as usize];
        slot.due = false;
        let next = core::mem::replace(&mut slot.next_due, NIL);
        self.due_head = next;
        if next == NIL {
            self.due_tail = NIL;
        }
        Some(i as usize)
    }

    /// Take slot `i` (in the list) out of the due-now list. Walks the list:
    /// only for a socket that stopped being due without being served (the
    /// application cleared what it queued, or removed the socket).
    fn unlink_due(&mut self, i: usize) {
        let next = self.slots()[i].next_due;
        let mut prev = NIL;
        let mut cur = self.due_head;
        while cur != NIL && cur as usize != i {
            prev = cur;
            cur = self.slots()[cur as usize].next_due;
        }
        if cur == NIL {
            return;
        }
        match prev {
            NIL => self.due_head = next,
            p => self.slots_mut()[p as usize].next_due = next,
        }
        if self.due_tail as usize == i {
            self.due_tail = prev;
        }
        let slot = &mut self.slots_mut()[i];
        slot.due = false;
        slot.next_due = NIL;
    }

    fn index(&mut self, i: usize, proto: Proto, port: u16) {
        let b = bucket_of(proto, port);
        let head = self.buckets[b];
        let slot = &mut self.slots_mut()[i];
        slot.indexed = Some((proto, port));
        slot.next_in_bucket = head;
        self.buckets[b] = i as u32;
        #[cfg(feature = "socket-raw")]
        if proto == Proto::Raw {
            self.raw_indexed += 1;
        }
    }

    fn unindex(&mut self, i: usize) {
        let Some((proto, port)) = self.slots()[i].indexed else {
            return;
        };
        #[cfg(feature = "socket-raw")]
        if proto == Proto::Raw {
            self.raw_indexed = self.raw_indexed.saturating_sub(1);
        }
        let b = bucket_of(proto, port);
        let next = self.slots()[i].next_in_bucket;
        if self.buckets[b] == i as u32 {
            self.buckets[b] = next;
        } else {
            let mut cur = self.buckets[b];
            while cur != NIL {
                let c = cur as usize;
                if self.slots()[c].next_in_bucket == i as u32 {
                    self.slots_mut()[c].next_in_bucket = next;
                    break;
                }
                cur = self.slots()[c].next_in_bucket;
            }
        }
        let slot = &mut self.slots_mut()[i];
        slot.indexed = None;
        slot.next_in_bucket = NIL;
    }

    /// Slots of open UDP sockets bound to `port` (callers check the
    /// address with `accepts`). Valid after `refresh`.
    #[cfg(feature = "socket-udp")]
    pub(crate) fn udp_slots(&self, port: u16) -> BucketIter<'_, 'a> {
        BucketIter {
            set: self,
            cur: self.buckets[bucket_of(Proto::Udp, port)],
            want: (Proto::Udp, port),
        }
    }

    /// Slots of ICMP sockets bound to identifier `ident`.
    #[cfg(feature = "socket-icmp")]
    pub(crate) fn icmp_slots(&self, ident: u16) -> BucketIter<'_, 'a> {
        BucketIter {
            set: self,
            cur: self.buckets[bucket_of(Proto::Icmp, ident)],
            want: (Proto::Icmp, ident),
        }
    }

    /// Whether any raw socket is indexed (most sets have none: every
    /// datagram's raw delivery stops at this check).
    #[cfg(feature = "socket-raw")]
    #[inline]
    pub(crate) fn has_raw(&self) -> bool {
        self.raw_indexed != 0
    }

    /// Whether a raw socket for `protocol` over `version` is open (TCP's
    /// receive fast path stands aside for it: it takes a copy of every
    /// datagram).
    #[cfg(feature = "socket-tcp")]
    #[inline]
    pub(crate) fn has_raw_for(
        &self,
        version: crate::wire::IpVersion,
        protocol: crate::wire::IpProtocol,
    ) -> bool {
        #[cfg(feature = "socket-raw")]
        return self.has_raw() && self.raw_slots(version, protocol).next().is_some();
        #[cfg(not(feature = "socket-raw"))]
        {
            let _ = (version, protocol);
            false
        }
    }

    /// Slots of raw sockets for `protocol` over `version`.
    #[cfg(feature = "socket-raw")]
    pub(crate) fn raw_slots(&self, version: IpVersion, protocol: IpProtocol) -> BucketIter<'_, 'a> {
        let key = raw_key(version, protocol);
        BucketIter {
            set: self,
            cur: if self.raw_indexed == 0 {
                NIL
            } else {
                self.buckets[bucket_of(Proto::Raw, key)]
            },
            want: (Proto::Raw, key),
        }
    }

    /// Slots of TCP connections whose 4-tuple hashes like this one.
    #[cfg(feature = "socket-tcp")]
    pub(crate) fn tcp_conn_slots(
        &self,
        local: &super::IpEndpoint,
        remote: &super::IpEndpoint,
    ) -> BucketIter<'_, 'a> {
        let key = tcp_tuple_key(local, remote);
        BucketIter {
            set: self,
            cur: self.buckets[bucket_of(Proto::TcpConn, key)],
            want: (Proto::TcpConn, key),
        }
    }

    /// Slots of TCP sockets listening on `port`.
    #[cfg(feature = "socket-tcp")]
    pub(crate) fn tcp_listen_slots(&self, port: u16) -> BucketIter<'_, 'a> {
        BucketIter {
            set: self,
            cur: self.buckets[bucket_of(Proto::TcpListen, port)],
            want: (Proto::TcpListen, port),
        }
    }

    /// Whether any socket uses local TCP port `port` (ephemeral port
    /// selection, RFC 6056).
    #[cfg(feature = "socket-tcp")]
    pub(crate) fn tcp_port_in_use(&self, port: u16) -> bool {
        self.slots().iter().any(|s| match &s.socket {
            Some(Socket::Tcp(t)) => {
                t.listen_endpoint().port == port
                    || t.local_endpoint().is_some_and(|l| l.port == port)
            }
            #[cfg(feature = "socket-tcp-listener")]
            Some(Socket::TcpListener(l)) => l.is_listening() && l.endpoint().port == port,
            _ => false,
        })
    }

    /// Mark slot `i` for re-evaluation (the interface changed its socket).
    #[inline]
    pub(crate) fn mark_changed(&mut self, i: usize) {
        if let Some(slot) = self.slots().get(i) {
            #[cfg(feature = "socket-tcp")]
            if matches!(slot.socket, Some(Socket::Tcp(_))) {
                self.tcp_changed = true;
            }
            #[cfg(not(feature = "socket-tcp"))]
            let _ = slot;
            self.mark_dirty(i);
        }
    }

    /// Whether the interface changed a TCP socket since the last call
    /// (see `tcp_changed`), clearing it.
    #[inline]
    pub(crate) fn take_tcp_changed(&mut self) -> bool {
        core::mem::take(&mut self.tcp_changed)
    }

    /// The handle of the socket in slot `i`.
    #[cfg(feature = "socket-tcp-listener")]
    pub(crate) fn handle_of(&self, i: usize) -> Option<SocketHandle> {
        let slot = self.slots().get(i)?;
        slot.socket.as_ref()?;
        Some(SocketHandle {
            index: i as u32,
            generation: slot.generation,
        })
    }

    /// Run `f` on the listener in slot `i` and the set, the listener
    /// lifted out of its slot meanwhile (so both can be borrowed). `f`
    /// must not add sockets: the slot looks free while it runs.
    #[cfg(feature = "socket-tcp-listener")]
    pub(crate) fn with_listener<R>(
        &mut self,
        i: usize,
        f: impl FnOnce(&mut tcp::Listener<'a>, &mut SocketSet<'a>) -> R,
    ) -> Option<R> {
        let slot = self.slots_mut().get_mut(i)?;
        if !matches!(slot.socket, Some(Socket::TcpListener(_))) {
            return None;
        }
        let Some(Socket::TcpListener(mut listener)) = slot.socket.take() else {
            return None;
        };
        let r = f(&mut listener, self);
        if let Some(slot) = self.slots_mut().get_mut(i) {
            slot.socket = Some(Socket::TcpListener(listener));
        }
        self.mark_dirty(i);
        Some(r)
    }

    /// The socket in slot `i`, to read.
    #[cfg(any(feature = "socket-udp", feature = "socket-tcp"))]
    pub(crate) fn get_slot(&self, i: usize) -> Option<&Socket<'a>> {
        self.slots().get(i).and_then(|s| s.socket.as_ref())
    }

    /// The socket in slot `i` (from an index or the heap).
    #[inline]
    pub(crate) fn slot_mut(&mut self, i: usize) -> Option<&mut Socket<'a>> {
        self.slots_mut().get_mut(i).and_then(|s| s.socket.as_mut())
    }

    /// Remove and return a slot whose deadline is at or before `now`; the
    /// caller dispatches it and calls `reschedule`.
    #[inline]
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<usize> {
        match self.pop_due_now() {
            Some(i) => Some(i),
            None => self.heap.pop_due(now),
        }
    }

    /// Put slot `i` back into the heap according to its `poll_at`.
    // Forced inline on 64-bit hosts (speed), a hint on MCUs (flash).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    pub(crate) fn reschedule(&mut self, i: usize) {
        let Some(slot) = self.slots().get(i) else {
            return;
        };
        let deadline = slot
            .socket
            .as_ref()
            .and_then(|s| poll_deadline(s.poll_at()));
        let (due, queued) = (slot.due, slot.heap.is_queued());
        self.schedule(i, deadline, due, queued);
    }

    /// The earliest socket deadline (`Instant::MIN`-like for "now").
    #[inline]
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        if self.due_head != NIL {
            return Some(NOW);
        }
        self.heap.peek().map(|(_, at)| at)
    }
}

/// "Now" sorts before every real deadline.
const NOW: Instant = Instant::from_micros(i64::MIN);

fn poll_deadline(p: PollAt) -> Option<Instant> {
    match p {
        PollAt::Now => Some(NOW),
        PollAt::Time(t) => Some(t),
        PollAt::Ingress => None,
    }
}

/// Slots in one port-index bucket that match a protocol and port.
pub(crate) struct BucketIter<'s, 'a> {
    set: &'s SocketSet<'a>,
    cur: u32,
    want: (Proto, u16),
}

impl Iterator for BucketIter<'_, '_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        while self.cur != NIL {
            let i = self.cur as usize;
            let slot = self.set.slots().get(i)?;
            self.cur = slot.next_in_bucket;
            if slot.indexed == Some(self.want) {
                return Some(i);
            }
        }
        None
    }
}

#[cfg(all(test, feature = "socket-udp"))]
mod tests {
    use super::*;
    use crate::socket::udp::{PacketBuffer, Socket as UdpSocket};
    use crate::storage::PacketMetadata;
    use std::vec;
    #[cfg(feature = "alloc")]
    use std::vec::Vec;

    fn udp() -> UdpSocket<'static> {
        UdpSocket::new(
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 64]),
            PacketBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 64]),
        )
    }

    #[test]
    fn handles_are_generational() {
        let mut storage: [SocketStorage; 2] = [SocketStorage::EMPTY, SocketStorage::EMPTY];
        let mut set = SocketSet::new(&mut storage[..]);
        let a = set.add(udp()).unwrap();
        let b = set.add(udp()).unwrap();
        assert_eq!(set.add(udp()).err(), Some(SetError::Full));
        set.remove(a).unwrap();
        let c = set.add(udp()).unwrap();
        assert_eq!(c.index(), a.index(), "slot reused");
        assert_eq!(set.get::<UdpSocket>(a).err(), Some(SetError::InvalidHandle));
        assert!(set.get::<UdpSocket>(c).is_ok());
        assert!(set.get::<UdpSocket>(b).is_ok());
        assert_eq!(set.remove(a).err(), Some(SetError::InvalidHandle));
        assert_eq!(set.len(), 2);
    }

    #[test]
    #[cfg(feature = "alloc")]
    fn grows_with_alloc() {
        let mut set = SocketSet::new(Vec::new());
        for _ in 0..10 {
            set.add(udp()).unwrap();
        }
        assert_eq!(set.len(), 10);
    }

    #[test]
    #[cfg(feature = "alloc")]
    fn port_index_follows_binds() {
        let mut set = SocketSet::new(Vec::new());
        let handles: Vec<_> = (0..200).map(|_| set.add(udp()).unwrap()).collect();
        for (n, h) in handles.iter().enumerate() {
            set.get_mut::<UdpSocket>(*h)
                .unwrap()
                .bind(1000 + n as u16)
                .unwrap();
        }
        set.refresh();
        for (n, h) in handles.iter().enumerate() {
            let found: Vec<usize> = set.udp_slots(1000 + n as u16).collect();
            assert_eq!(found, vec![h.index()]);
        }
        assert_eq!(set.udp_slots(999).count(), 0);
        // Rebinding moves the entry; closing removes it; removing too.
        set.get_mut::<UdpSocket>(handles[0]).unwrap().close();
        set.get_mut::<UdpSocket>(handles[0])
            .unwrap()
            .bind(5000)
            .unwrap();
        set.get_mut::<UdpSocket>(handles[1]).unwrap().close();
        set.remove(handles[2]).unwrap();
        set.refresh();
        assert_eq!(set.udp_slots(1000).count(), 0);
        assert_eq!(set.udp_slots(1001).count(), 0);
        assert_eq!(set.udp_slots(1002).count(), 0);
        assert_eq!(
            set.udp_slots(5000).collect::<Vec<_>>(),
            vec![handles[0].index()]
        );
        assert_eq!(
            set.udp_slots(1003).collect::<Vec<_>>(),
            vec![handles[3].index()]
        );
    }

    #[test]
    #[cfg(all(feature = "socket-raw", feature = "alloc"))]
    fn raw_index_follows_adds_and_removes() {
        use crate::socket::raw::{PacketBuffer as RawBuffer, Socket as RawSocket};
        let raw = || {
            RawSocket::new(
                IpVersion::Ipv4,
                IpProtocol(253),
                RawBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 64]),
                RawBuffer::new(vec![PacketMetadata::EMPTY; 2], vec![0u8; 64]),
            )
        };
        let mut set = SocketSet::new(Vec::new());
        set.add(udp()).unwrap();
        set.refresh();
        let none: Vec<usize> = set.raw_slots(IpVersion::Ipv4, IpProtocol(253)).collect();
        assert!(none.is_empty());
        let a = set.add(raw()).unwrap();
        let b = set.add(raw()).unwrap();
        set.refresh();
        let mut found: Vec<usize> = set.raw_slots(IpVersion::Ipv4, IpProtocol(253)).collect();
        found.sort();
        assert_eq!(found, vec![a.index(), b.index()]);
        assert_eq!(set.raw_slots(IpVersion::Ipv6, IpProtocol(253)).count(), 0);
        set.remove(a).unwrap();
        assert_eq!(
            set.raw_slots(IpVersion::Ipv4, IpProtocol(253))
                .collect::<Vec<_>>(),
            vec![b.index()]
        );
        set.remove(b).unwrap();
        assert_eq!(set.raw_slots(IpVersion::Ipv4, IpProtocol(253)).count(), 0);
        assert_eq!(set.raw_indexed, 0);
    }

    #[test]
    #[cfg(feature = "alloc")]
    fn heap_tracks_sockets_with_work() {
        let mut set = SocketSet::new(Vec::new());
        let a = set.add(udp()).unwrap();
        let b = set.add(udp()).unwrap();
        set.refresh();
        assert_eq!(set.next_deadline(), None, "idle sockets have no deadline");
        let remote =
            crate::socket::IpEndpoint::new(core::net::Ipv4Addr::new(10, 0, 0, 2).into(), 9);
        let s = set.get_mut::<UdpSocket>(b).unwrap();
        s.bind(7).unwrap();
        s.send_slice(b"x", remote).unwrap();
        set.refresh();
        assert!(set.next_deadline().is_some());
        assert_eq!(set.pop_due(Instant::ZERO), Some(b.index()));
        assert_eq!(set.pop_due(Instant::ZERO), None);
        set.reschedule(b.index());
        assert_eq!(set.pop_due(Instant::ZERO), Some(b.index()));
        let _ = a;
    }

    #[test]
    #[cfg(feature = "alloc")]
    fn due_now_list_serves_each_socket_once_and_forgets_removed_ones() {
        let mut set = SocketSet::new(Vec::new());
        let remote =
            crate::socket::IpEndpoint::new(core::net::Ipv4Addr::new(10, 0, 0, 2).into(), 9);
        let handles: Vec<SocketHandle> = (0..4)
            .map(|port| {
                let mut s = udp();
                s.bind(100 + port).unwrap();
                set.add(s).unwrap()
            })
            .collect();
        set.refresh();
        assert_eq!(set.next_deadline(), None);
        for h in &handles {
            let s = set.get_mut::<UdpSocket>(*h).unwrap();
            s.send_slice(b"x", remote).unwrap();
        }
        set.refresh();
        assert_eq!(set.next_deadline(), Some(NOW), "due now");
        // Removed while due: never handed out.
        set.remove(handles[1]).unwrap();
        set.remove(handles[3]).unwrap();
        let mut popped: Vec<usize> = core::iter::from_fn(|| set.pop_due(Instant::ZERO)).collect();
        popped.sort();
        assert_eq!(popped, [handles[0].index(), handles[2].index()]);
        // Still holding data: due again after a reschedule; served
        // (emptied) sockets are nowhere.
        set.reschedule(handles[0].index());
        let s = set.get_mut::<UdpSocket>(handles[2]).unwrap();
        let _ = s.dispatch(Instant::ZERO, |_| Ok::<(), ()>(()));
        set.reschedule(handles[2].index());
        set.refresh();
        assert_eq!(set.pop_due(Instant::ZERO), Some(handles[0].index()));
        assert_eq!(set.pop_due(Instant::ZERO), None);
        set.reschedule(handles[0].index());
        assert_eq!(set.pop_due(Instant::ZERO), Some(handles[0].index()));
        let s = set.get_mut::<UdpSocket>(handles[0]).unwrap();
        let _ = s.dispatch(Instant::ZERO, |_| Ok::<(), ()>(()));
        set.reschedule(handles[0].index());
        set.refresh();
        assert_eq!(set.next_deadline(), None, "nothing left to send");
    }
}
