//! IPv4 Identification values.
//!
//! RFC 791 §3.2 and RFC 6864 §4: the Identification field must be unique
//! per source, destination and protocol for as long as a datagram's
//! fragments may be in flight. One counter shared by every destination
//! meets that, but hands every peer a view of all our traffic: an idle
//! scan reads a third party's connections off the increments, and the
//! next value is predictable to anyone (RFC 7739 §2 and §3 on the same
//! problem with IPv6 fragment IDs).
//!
//! This is the hash-based selection of RFC 7739 §5.3, applied to IPv4 as
//! Linux does (its `ip_idents`): a keyed hash of the source, destination
//! and protocol picks one of [`BUCKETS`] counters and gives a per-flow
//! offset; the value sent is the offset plus the counter, which advances
//! by one per datagram. A flow's values step by one (unique until the
//! counter wraps after 65,536 datagrams), a flow learns nothing of
//! another flow's traffic unless both hash to the same counter, and no
//! value can be guessed without the key.
//!
//! The last flow's bucket and offset are kept, so a burst to one peer (a
//! TCP transfer) hashes once, not once per segment.

use core::hash::Hasher;
use core::net::Ipv4Addr;

use crate::rand::Rand;
use crate::wire::IpProtocol;

/// Counters shared by all flows: a flow shares its counter (and so leaks
/// its traffic) only with the flows that hash to the same one.
pub(crate) const BUCKETS: usize = 64;

/// The Identification generator of one interface.
#[derive(Debug)]
pub(crate) struct Ipv4Idents {
    key: [u8; 16],
    counters: [u16; BUCKETS],
    /// The flow whose bucket and offset were computed last (addresses
    /// packed, source high), always valid: at first that of 0.0.0.0 to
    /// 0.0.0.0, protocol 0.
    last_flow: u64,
    last_protocol: u8,
    last_bucket: u8,
    last_offset: u16,
}

impl Ipv4Idents {
    /// A generator with a fresh key and counters starting at random
    /// values.
    pub(crate) fn new(rand: &mut Rand) -> Self {
        let mut key = [0u8; 16];
        rand.fill(&mut key);
        let mut counters = [0u16; BUCKETS];
        for c in &mut counters {
            *c = rand.rand_u16();
        }
        let mut g = Ipv4Idents {
            key,
            counters,
            last_flow: 0,
            last_protocol: 0,
            last_bucket: 0,
            last_offset: 0,
        };
        g.remember(0, 0);
        g
    }

    /// The bucket and offset of a flow (RFC 7739 §5.3: the keyed hash
    /// gives both, from independent bits).
    #[cfg(test)]
    pub(crate) fn slot(&self, src: Ipv4Addr, dst: Ipv4Addr, protocol: IpProtocol) -> (usize, u16) {
        self.slot_of(flow(src, dst), u8::from(protocol))
    }

    fn slot_of(&self, flow: u64, protocol: u8) -> (usize, u16) {
        let mut h = siphasher::sip::SipHasher13::new_with_key(&self.key);
        // Fixed-size writes (no byte-slice buffering: less code on MCUs).
        h.write_u64(flow);
        h.write_u8(protocol);
        let v = h.finish();
        ((v as usize) % BUCKETS, (v >> 32) as u16)
    }

    /// Hash a new flow and keep its slot.
    #[inline(never)]
    fn remember(&mut self, flow: u64, protocol: u8) {
        let (bucket, offset) = self.slot_of(flow, protocol);
        self.last_flow = flow;
        self.last_protocol = protocol;
        self.last_bucket = bucket as u8;
        self.last_offset = offset;
    }

    /// The Identification of the next datagram of a flow.
    #[inline]
    pub(crate) fn next(&mut self, src: Ipv4Addr, dst: Ipv4Addr, protocol: IpProtocol) -> u16 {
        let (f, p) = (flow(src, dst), u8::from(protocol));
        if f != self.last_flow || p != self.last_protocol {
            self.remember(f, p);
        }
        let counter = &mut self.counters[usize::from(self.last_bucket) % BUCKETS];
        *counter = counter.wrapping_add(1);
        self.last_offset.wrapping_add(*counter)
    }
}

/// A flow's two addresses in one word.
#[inline]
fn flow(src: Ipv4Addr, dst: Ipv4Addr) -> u64 {
    (u64::from(src.to_bits()) << 32) | u64::from(dst.to_bits())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

    fn dst(i: u8) -> Ipv4Addr {
        Ipv4Addr::new(10, 1, 0, i)
    }

    #[test]
    fn one_flow_steps_by_one_and_wraps() {
        // RFC 6864 §4: unique per flow until the 16-bit space is used up.
        let mut g = Ipv4Idents::new(&mut Rand::new(7));
        let first = g.next(A, dst(1), IpProtocol::Udp);
        let mut prev = first;
        for _ in 0..70_000 {
            let id = g.next(A, dst(1), IpProtocol::Udp);
            assert_eq!(id, prev.wrapping_add(1));
            prev = id;
        }
    }

    #[test]
    fn traffic_to_one_peer_does_not_move_another_peers_ids() {
        // RFC 7739 §5.3: a peer in another bucket learns nothing of it.
        let mut g = Ipv4Idents::new(&mut Rand::new(11));
        let (home, _) = g.slot(A, dst(1), IpProtocol::Udp);
        let other = (2..=255)
            .map(dst)
            .find(|&d| g.slot(A, d, IpProtocol::Udp).0 != home)
            .expect("some destination in another bucket");
        let before = g.next(A, dst(1), IpProtocol::Udp);
        for _ in 0..1000 {
            g.next(A, other, IpProtocol::Udp);
        }
        assert_eq!(g.next(A, dst(1), IpProtocol::Udp), before.wrapping_add(1));
    }

    #[test]
    fn the_memo_gives_what_the_hash_gives() {
        // Flows alternating (memo misses) and repeating (memo hits): every
        // value is the flow's hashed offset plus its bucket's counter.
        let mut g = Ipv4Idents::new(&mut Rand::new(3));
        let flows = [
            (A, dst(1), IpProtocol::Udp),
            (A, dst(1), IpProtocol::Icmp),
            (Ipv4Addr::new(10, 0, 0, 2), dst(1), IpProtocol::Udp),
            (A, dst(2), IpProtocol::Udp),
        ];
        for i in 0..64 {
            let f = flows[(i / 3 + i * i) % flows.len()];
            let id = g.next(f.0, f.1, f.2);
            let (bucket, offset) = g.slot(f.0, f.1, f.2);
            assert_eq!(id, offset.wrapping_add(g.counters[bucket]), "call {i}");
        }
        // Protocol and source are part of the flow.
        let s = |f: (Ipv4Addr, Ipv4Addr, IpProtocol)| g.slot(f.0, f.1, f.2);
        assert_ne!(s(flows[0]), s(flows[1]));
        assert_ne!(s(flows[0]), s(flows[2]));
    }

    #[test]
    fn another_key_gives_other_values() {
        // Unpredictable without the key (RFC 7739 §3): two interfaces
        // seeded differently disagree about the same flow.
        let a = Ipv4Idents::new(&mut Rand::new(1)).next(A, dst(1), IpProtocol::Tcp);
        let b = Ipv4Idents::new(&mut Rand::new(2)).next(A, dst(1), IpProtocol::Tcp);
        assert_ne!(a, b);
    }
}
