//! The `Interface`: addresses, routes, neighbours, counters, and the poll
//! loop that moves frames between a device and the sockets.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use managed::ManagedSlice;

use super::counters::Counters;
use super::egress::HopCache;
use super::icmp_limit::IcmpRateLimiter;
use super::neighbor::{NeighborCache, NeighborEntry, PendingSlot};
use super::reassembly::{Reassembler, ReassemblyConfig, Slot};
use super::route::Routes;
use crate::config::Config;
use crate::device::{Device, DeviceCapabilities, Medium, RxMeta, RxToken, TxMeta};
use crate::rand::Rand;
use crate::socket::SocketSet;
use crate::time::{Duration, Instant};
use crate::wire::{EthernetAddress, Ipv4Cidr, Ipv6Cidr};

/// The most IPv4 addresses an interface holds (none without
/// `proto-ipv4`: the table then takes no room).
pub const MAX_IPV4_ADDRS: usize = if cfg!(feature = "proto-ipv4") { 4 } else { 0 };
/// The most IPv6 addresses an interface holds (link-local, SLAAC stable
/// and temporary addresses for a few prefixes, static ones; none without
/// `proto-ipv6`).
pub const MAX_IPV6_ADDRS: usize = if cfg!(feature = "proto-ipv6") { 8 } else { 0 };
/// The most multicast groups an interface joins per family (beyond the
/// all-nodes / all-hosts groups and solicited-node groups, which are
/// implicit).
pub const MAX_MULTICAST_GROUPS: usize = 8;
/// The group tables' capacities: none for a family compiled out.
const IPV4_GROUPS: usize = if cfg!(feature = "proto-ipv4") {
    MAX_MULTICAST_GROUPS
} else {
    0
};
const IPV6_GROUPS: usize = if cfg!(feature = "proto-ipv6") {
    MAX_MULTICAST_GROUPS
} else {
    0
};
/// The most path-MTU entries kept (none without the `pmtu-cache` feature:
/// every path then has the link MTU).
pub const MAX_PMTU_ENTRIES: usize = if cfg!(feature = "pmtu-cache") { 8 } else { 0 };
/// The most frames one `poll` takes from the device before it turns to
/// timers and egress, so a flood cannot starve the sockets.
pub const INGRESS_BUDGET: usize = 64;

/// Frames received between two flushes of the sockets that became due
/// (ACKs, data an ACK let out) within one poll's ingress batch.
///
/// RFC 5681 §4.2 asks for an ACK for at least every second full-sized
/// segment (SHOULD). Flushing after every frame does that but, on a burst
/// drained in one poll, costs an ACK frame per two segments for the peer
/// to process (measured: 0.65x smoltcp's in-memory bulk throughput against
/// 1.0x); flushing only after the batch (64 frames) leaves the sender
/// without an ACK for a whole window. 16 bounds a stretch ACK to 16
/// segments, like a GRO/LRO receiver coalescing a burst, so a 64 KiB window
/// still gets several ACKs in flight.
pub const FLUSH_EVERY: usize = 16;

/// Why an address operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AddrError {
    /// No room for another address or group.
    Full,
    /// The address cannot be used here (multicast as unicast, unspecified,
    /// or a unicast address as a group).
    Invalid,
}

/// What a poll did, for the caller deciding whether to look at sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PollResult {
    /// Nothing moved.
    None,
    /// Frames were received or sent: some socket may have changed.
    SocketStateChanged,
}

/// A learned path MTU (RFC 1191, RFC 8201).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PmtuEntry {
    pub(crate) dst: IpAddr,
    pub(crate) mtu: usize,
    pub(crate) expires_at: Instant,
}

/// Caller-supplied storage for an interface.
#[derive(Debug)]
pub struct InterfaceStorage<'a> {
    /// Neighbour cache entries (ARP and NDP share them).
    pub neighbor_entries: ManagedSlice<'a, NeighborEntry>,
    /// Slots for packets waiting for their neighbour to resolve.
    pub pending_slots: ManagedSlice<'a, PendingSlot>,
    /// Bytes for those packets: `pending_slots.len()` × the largest packet
    /// to keep (the MTU).
    pub pending_pool: ManagedSlice<'a, u8>,
    /// Reassembly slots, each with its own buffer (65,535 bytes for any
    /// datagram; smaller bounds the largest datagram reassembled).
    pub reassembly_slots: ManagedSlice<'a, Slot<'a>>,
    /// A scratch buffer for packets that must be fragmented or queued
    /// while a neighbour resolves; its length bounds the largest such
    /// packet (65,535 for full IPv4/IPv6 datagrams).
    pub scratch: ManagedSlice<'a, u8>,
}

#[cfg(feature = "alloc")]
impl InterfaceStorage<'static> {
    /// Owned storage: `neighbors` cache entries, `pending` queued packets
    /// of up to `mtu` bytes, `reassembly` datagrams of up to
    /// `max_datagram` bytes, and a scratch buffer of `max_datagram`.
    pub fn owned(
        neighbors: usize,
        pending: usize,
        mtu: usize,
        reassembly: usize,
        max_datagram: usize,
    ) -> Self {
        use alloc::vec;
        use alloc::vec::Vec;
        InterfaceStorage {
            neighbor_entries: vec![NeighborEntry::EMPTY; neighbors].into(),
            pending_slots: vec![PendingSlot::EMPTY; pending].into(),
            pending_pool: vec![0u8; pending * mtu].into(),
            reassembly_slots: (0..reassembly)
                .map(|_| Slot::new(vec![0u8; max_datagram]))
                .collect::<Vec<_>>()
                .into(),
            scratch: vec![0u8; max_datagram].into(),
        }
    }
}

/// A network interface.
#[derive(Debug)]
pub struct Interface<'a> {
    pub(crate) inner: InterfaceInner<'a>,
    pub(crate) reassembly: Reassembler<'a>,
    pub(crate) scratch: ManagedSlice<'a, u8>,
}

/// Everything of an interface except the buffers that hold packet bytes
/// while they are processed, so both can be borrowed at once.
#[derive(Debug)]
pub(crate) struct InterfaceInner<'a> {
    pub(crate) config: Config,
    pub(crate) rand: Rand,
    pub(crate) medium: Medium,
    pub(crate) hardware_addr: EthernetAddress,
    pub(crate) link_up: bool,
    pub(crate) mtu_override: Option<usize>,
    pub(crate) caps: DeviceCapabilities,
    pub(crate) ipv4_addrs: heapless::Vec<Ipv4Cidr, MAX_IPV4_ADDRS>,
    pub(crate) ipv6_addrs: heapless::Vec<Ipv6Cidr, MAX_IPV6_ADDRS>,
    pub(crate) routes: Routes,
    pub(crate) ipv4_groups: heapless::Vec<Ipv4Addr, IPV4_GROUPS>,
    pub(crate) ipv6_groups: heapless::Vec<Ipv6Addr, IPV6_GROUPS>,
    pub(crate) neighbors: NeighborCache<'a>,
    pub(crate) pmtu: heapless::Vec<PmtuEntry, MAX_PMTU_ENTRIES>,
    pub(crate) icmp_limit: IcmpRateLimiter,
    pub(crate) counters: Counters,
    /// IPv4 Identification values (RFC 6864, RFC 7739 §5.3).
    #[cfg(feature = "proto-ipv4")]
    pub(crate) ipv4_idents: super::ident::Ipv4Idents,
    /// The RFC 6437 flow-label secret.
    pub(crate) flow_secret: [u8; 16],
    /// RFC 6528 initial sequence numbers.
    #[cfg(feature = "socket-tcp")]
    pub(crate) iss: crate::socket::tcp::iss::IssGenerator,
    pub(crate) now: Instant,
    /// What the device said about the frame being processed (reset for a
    /// datagram reassembled from several frames).
    pub(crate) rx_meta: RxMeta,
    /// What the frame being sent needs from the device (TCP segmentation
    /// offload), handed to the next transmit token and reset.
    pub(crate) tx_meta: TxMeta,
    /// Bumped by every change of the addresses (the next-hop cache's
    /// on-link and broadcast tests depend on them).
    pub(crate) addr_generation: u64,
    /// The last next-hop resolution (see [`HopCache`]).
    pub(crate) hop_cache: HopCache,
    /// The connection the receive fast path predicts the next frame for
    /// (header prediction, `fastpath.rs`); `None`: off or none yet.
    #[cfg(feature = "socket-tcp")]
    pub(crate) rx_flow: Option<super::fastpath::RxFlow>,
    /// Whether the receive fast path is on (it is unless a test or a
    /// debugging session turns it off).
    #[cfg(feature = "socket-tcp")]
    pub(crate) rx_fast_path: bool,
}

impl<'a> Interface<'a> {
    /// An interface for a device of `caps`, with hardware address
    /// `hardware_addr` (ignored for [`Medium::Ip`]), no IP address yet,
    /// link up.
    pub fn new(
        config: Config,
        caps: DeviceCapabilities,
        hardware_addr: EthernetAddress,
        storage: InterfaceStorage<'a>,
        now: Instant,
    ) -> Interface<'a> {
        let mut rand = Rand::new(config.random_seed);
        let neighbors = NeighborCache::new(
            storage.neighbor_entries,
            storage.pending_slots,
            storage.pending_pool,
            config.neighbor,
            Rand::new(rand.rand_u64()),
            now,
        );
        let reassembly = Reassembler::new(
            storage.reassembly_slots,
            ReassemblyConfig::new(&config.ipv4, &config.ipv6),
        );
        #[cfg(feature = "proto-ipv4")]
        let ipv4_idents = super::ident::Ipv4Idents::new(&mut rand);
        let mut flow_secret = [0u8; 16];
        rand.fill(&mut flow_secret);
        let mut iss_secret = [0u8; 16];
        rand.fill(&mut iss_secret);
        Interface {
            inner: InterfaceInner {
                config,
                rand,
                medium: caps.medium,
                hardware_addr,
                link_up: true,
                mtu_override: None,
                caps,
                ipv4_addrs: heapless::Vec::new(),
                ipv6_addrs: heapless::Vec::new(),
                routes: Routes::new(),
                ipv4_groups: heapless::Vec::new(),
                ipv6_groups: heapless::Vec::new(),
                neighbors,
                pmtu: heapless::Vec::new(),
                icmp_limit: IcmpRateLimiter::new(),
                counters: Counters::default(),
                #[cfg(feature = "proto-ipv4")]
                ipv4_idents,
                flow_secret,
                #[cfg(feature = "socket-tcp")]
                iss: crate::socket::tcp::iss::IssGenerator::new(iss_secret),
                now,
                rx_meta: RxMeta::default(),
                tx_meta: TxMeta::default(),
                addr_generation: 0,
                hop_cache: HopCache::EMPTY,
                #[cfg(feature = "socket-tcp")]
                rx_flow: None,
                #[cfg(feature = "socket-tcp")]
                rx_fast_path: true,
            },
            reassembly,
            scratch: storage.scratch,
        }
    }

    /// The configuration (Linux sysctl names through
    /// [`crate::config::registry`]).
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The configuration, to change at run time (e.g. with
    /// `registry::set_str(iface.config_mut(), name, value)`).
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.inner.config
    }

    /// The counters.
    pub fn counters(&self) -> &Counters {
        &self.inner.counters
    }

    /// The hardware address.
    pub fn hardware_addr(&self) -> EthernetAddress {
        self.inner.hardware_addr
    }

    /// Change the hardware address (unicast only).
    pub fn set_hardware_addr(&mut self, addr: EthernetAddress) -> Result<(), AddrError> {
        if !addr.is_unicast() || addr.is_unspecified() {
            return Err(AddrError::Invalid);
        }
        self.inner.hardware_addr = addr;
        Ok(())
    }

    /// Whether the link is up.
    pub fn link_up(&self) -> bool {
        self.inner.link_up
    }

    /// Bring the link up or down. While down, nothing is sent and frames
    /// received are counted and dropped.
    pub fn set_link_up(&mut self, up: bool) {
        self.inner.link_up = up;
    }

    /// Override the IP MTU the device reports (never above it).
    pub fn set_mtu(&mut self, mtu: Option<usize>) {
        self.inner.mtu_override = mtu;
    }

    /// The IP MTU in use.
    pub fn ip_mtu(&self) -> usize {
        self.inner.ip_mtu()
    }

    /// The IPv4 addresses.
    pub fn ipv4_addrs(&self) -> &[Ipv4Cidr] {
        &self.inner.ipv4_addrs
    }

    /// The IPv6 addresses.
    pub fn ipv6_addrs(&self) -> &[Ipv6Cidr] {
        &self.inner.ipv6_addrs
    }

    /// Turn the TCP receive fast path (header prediction: the next
    /// in-order segment of a connection taken from the frame's bytes
    /// without the general parse) on or off. It is on by default and
    /// changes no behaviour, only speed; off, every frame takes the
    /// general path (for comparing the two, or ruling it out).
    #[cfg(feature = "socket-tcp")]
    pub fn set_tcp_fast_path(&mut self, on: bool) {
        self.inner.rx_fast_path = on;
        self.inner.rx_flow = None;
    }

    /// Add an IPv4 address (a unicast address with its network).
    pub fn add_ipv4_addr(&mut self, cidr: Ipv4Cidr) -> Result<(), AddrError> {
        let a = cidr.address();
        if a.is_multicast() || a.is_unspecified() || a.is_broadcast() {
            return Err(AddrError::Invalid);
        }
        if self.inner.ipv4_addrs.iter().any(|c| c.address() == a) {
            return Ok(());
        }
        self.inner.addr_generation = self.inner.addr_generation.wrapping_add(1);
        self.inner
            .ipv4_addrs
            .push(cidr)
            .map_err(|_| AddrError::Full)
    }

    /// Remove an IPv4 address.
    pub fn remove_ipv4_addr(&mut self, addr: Ipv4Addr) -> bool {
        let before = self.inner.ipv4_addrs.len();
        self.inner.addr_generation = self.inner.addr_generation.wrapping_add(1);
        self.inner.ipv4_addrs.retain(|c| c.address() != addr);
        before != self.inner.ipv4_addrs.len()
    }

    /// Add an IPv6 address (a unicast address with its prefix).
    pub fn add_ipv6_addr(&mut self, cidr: Ipv6Cidr) -> Result<(), AddrError> {
        let a = cidr.address();
        if a.is_multicast() || a.is_unspecified() {
            return Err(AddrError::Invalid);
        }
        if self.inner.ipv6_addrs.iter().any(|c| c.address() == a) {
            return Ok(());
        }
        self.inner.addr_generation = self.inner.addr_generation.wrapping_add(1);
        self.inner
            .ipv6_addrs
            .push(cidr)
            .map_err(|_| AddrError::Full)
    }

    /// Remove an IPv6 address.
    pub fn remove_ipv6_addr(&mut self, addr: Ipv6Addr) -> bool {
        let before = self.inner.ipv6_addrs.len();
        self.inner.addr_generation = self.inner.addr_generation.wrapping_add(1);
        self.inner.ipv6_addrs.retain(|c| c.address() != addr);
        before != self.inner.ipv6_addrs.len()
    }

    /// The routing table.
    pub fn routes(&self) -> &Routes {
        &self.inner.routes
    }

    /// The routing table, to change.
    pub fn routes_mut(&mut self) -> &mut Routes {
        &mut self.inner.routes
    }

    /// Join a multicast group (receive its datagrams).
    pub fn join_multicast_group(&mut self, group: IpAddr) -> Result<(), AddrError> {
        match group {
            IpAddr::V4(g) if g.is_multicast() => {
                if !self.inner.ipv4_groups.contains(&g) {
                    self.inner
                        .ipv4_groups
                        .push(g)
                        .map_err(|_| AddrError::Full)?;
                }
                Ok(())
            }
            IpAddr::V6(g) if g.is_multicast() => {
                if !self.inner.ipv6_groups.contains(&g) {
                    self.inner
                        .ipv6_groups
                        .push(g)
                        .map_err(|_| AddrError::Full)?;
                }
                Ok(())
            }
            _ => Err(AddrError::Invalid),
        }
    }

    /// Leave a multicast group.
    pub fn leave_multicast_group(&mut self, group: IpAddr) -> bool {
        match group {
            IpAddr::V4(g) => {
                let n = self.inner.ipv4_groups.len();
                self.inner.ipv4_groups.retain(|x| *x != g);
                n != self.inner.ipv4_groups.len()
            }
            IpAddr::V6(g) => {
                let n = self.inner.ipv6_groups.len();
                self.inner.ipv6_groups.retain(|x| *x != g);
                n != self.inner.ipv6_groups.len()
            }
        }
    }

    /// Send what waits: the packets a resolved neighbour released first
    /// (RFC 1122 §2.3.2.2: the queued packet before anything newer to the
    /// same host), then the sockets that are due — only when one is: most
    /// polls of a receiving interface have none, and the check (inlined)
    /// is cheaper than the call. Returns whether anything was sent.
    // Forced inline on 64-bit hosts (speed), a hint on MCUs (flash).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    fn send_waiting<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        sockets: &mut SocketSet<'_>,
        now: Instant,
    ) -> bool {
        let released = self.inner.neighbors.has_released();
        let due = sockets.next_deadline().is_some_and(|t| t <= now);
        (released || due) && self.send_released_and_due(device, sockets, released, due)
    }

    /// [`send_waiting`](Self::send_waiting) once it knows there is work.
    #[inline(never)]
    fn send_released_and_due<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        sockets: &mut SocketSet<'_>,
        released: bool,
        due: bool,
    ) -> bool {
        let mut sent = released && self.inner.flush_neighbors(device);
        if due
            && self
                .inner
                .dispatch_sockets(device, sockets, &mut self.scratch)
        {
            sent = true;
        }
        sent
    }

    /// Process frames, timers and socket output.
    ///
    /// Call it when the device has frames, when an application changed a
    /// socket, or when [`Interface::poll_at`] says so. It receives at most
    /// [`INGRESS_BUDGET`] frames — serving, every [`FLUSH_EVERY`] frames,
    /// the packets a resolved neighbour released and the sockets those
    /// frames made due (ACKs within the batch) — then runs every due timer,
    /// then sends until no socket has anything ready or the device is full.
    pub fn poll<D: Device + ?Sized>(
        &mut self,
        now: Instant,
        device: &mut D,
        sockets: &mut SocketSet<'_>,
    ) -> PollResult {
        self.inner.now = now;
        self.inner.caps = device.capabilities();
        sockets.refresh();
        let mut activity = false;

        for n in 0..INGRESS_BUDGET {
            let Some((rx, tx)) = device.receive(now) else {
                break;
            };
            activity = true;
            self.inner.rx_meta = rx.meta();
            let inner = &mut self.inner;
            let reassembly = &mut self.reassembly;
            let scratch = &mut self.scratch[..];
            // A reply (ARP, echo, NA) is written straight into the
            // transmit token that came with the frame, while the frame it
            // quotes is still lent. Only a reply that must wait for a
            // neighbour or be fragmented is staged in the scratch buffer
            // and sent after the frame is released.
            let staged = rx.consume(|frame| {
                // Matched by reference: the reply is read in place, never
                // moved as a whole.
                match &inner.process_frame(sockets, reassembly, scratch, frame) {
                    Some(reply) => inner.send_reply(tx, scratch, reply),
                    None => None,
                }
            });
            // What the device said was about that frame only.
            self.inner.rx_meta = RxMeta::default();
            if let Some(out) = staged {
                self.inner.send_serialized(device, &mut self.scratch, out);
            }
            // Sockets a frame made due now (an ACK for every second
            // full-sized segment, RFC 5681 §4.2; data an ACK let out) are
            // served every FLUSH_EVERY frames: a window drained in one poll
            // does not wait for its first ACK until the batch is done.
            if n % FLUSH_EVERY == FLUSH_EVERY - 1 && sockets.take_tcp_changed() {
                sockets.refresh();
                if self.send_waiting(device, sockets, now) {
                    activity = true;
                }
            }
        }

        // What the frames did to TCP sockets (data, ACKs, ICMP errors, a
        // TIME-WAIT ended) is due in this poll, not the next; other
        // sockets are refreshed at the next poll's start.
        if sockets.take_tcp_changed() {
            sockets.refresh();
        }
        self.inner
            .run_timers(device, sockets, &mut self.reassembly, &mut self.scratch);
        if self.send_waiting(device, sockets, now) {
            activity = true;
        }
        if activity {
            PollResult::SocketStateChanged
        } else {
            PollResult::None
        }
    }

    /// When `poll` must next be called, at the latest: the earliest of the
    /// sockets' deadlines (`now` when a socket has data ready), the
    /// neighbour timers and the reassembly timeouts. `None`: only an
    /// incoming frame or an application call can create work.
    pub fn poll_at(&mut self, now: Instant, sockets: &mut SocketSet<'_>) -> Option<Instant> {
        sockets.refresh();
        let socket = sockets.next_deadline().map(|t| t.max(now));
        [
            socket,
            self.inner.neighbors.poll_at(),
            self.reassembly.poll_at(),
            self.inner.routes.poll_at(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Open a TCP connection on the socket behind `handle` to `remote`
    /// (RFC 9293 §3.10.1). The local address is chosen by route and
    /// source-address selection; the local port is `local_port` or an
    /// ephemeral port drawn at random from `ip_local_port_range` (RFC 6056
    /// §3.3.1, Algorithm 1) and unused by any TCP socket; the ISS follows
    /// RFC 6528; the MSS comes from the path MTU.
    #[cfg(feature = "socket-tcp")]
    pub fn tcp_connect(
        &mut self,
        now: Instant,
        sockets: &mut SocketSet<'_>,
        handle: crate::socket::SocketHandle,
        remote: crate::socket::IpEndpoint,
        local_port: Option<u16>,
    ) -> Result<(), crate::socket::tcp::ConnectError> {
        use crate::socket::tcp::{ConnectError, Socket as TcpSocket};
        let local_addr = match remote.addr {
            IpAddr::V4(d) => self.inner.ipv4_source_for(d).map(IpAddr::V4),
            IpAddr::V6(d) => self.inner.ipv6_source_for(&d).map(IpAddr::V6),
        }
        .ok_or(ConnectError::Unaddressable)?;
        let port = match local_port {
            Some(p) if p != 0 => p,
            _ => {
                let (lo, hi) = self.inner.config.local_port_range;
                let span = u32::from(hi.saturating_sub(lo)) + 1;
                let start = self.inner.rand.below(span);
                (0..span)
                    .map(|i| lo.wrapping_add(((start + i) % span) as u16))
                    .find(|p| !sockets.tcp_port_in_use(*p))
                    .ok_or(ConnectError::Unaddressable)?
            }
        };
        let local = crate::socket::IpEndpoint::new(local_addr, port);
        let iss = self.inner.iss.iss(now, local, remote);
        let overhead = if remote.addr.is_ipv6() { 60 } else { 40 };
        let mss = self.inner.path_mtu(&remote.addr).saturating_sub(overhead);
        let socket = sockets
            .get_mut::<TcpSocket>(handle)
            .map_err(|_| ConnectError::InvalidState)?;
        if socket.state() == crate::socket::tcp::State::Closed {
            socket.configure(&self.inner.config.tcp);
        }
        socket.connect_with_iss(now, remote, local, iss, mss)
    }

    /// How long the caller may sleep before the next `poll`.
    pub fn poll_delay(&mut self, now: Instant, sockets: &mut SocketSet<'_>) -> Option<Duration> {
        self.poll_at(now, sockets)
            .map(|t| t.saturating_duration_since(now))
    }
}

impl InterfaceInner<'_> {
    /// The IP MTU: the device's, lowered by the override.
    #[inline]
    pub(crate) fn ip_mtu(&self) -> usize {
        let dev = self.caps.ip_mtu();
        match self.mtu_override {
            Some(m) => m.min(dev),
            None => dev,
        }
    }

    /// The path MTU towards `dst` (RFC 1191 §3, RFC 8201 §4): the learned
    /// value while it has not expired, else the link MTU.
    #[inline]
    pub(crate) fn path_mtu(&self, dst: &IpAddr) -> usize {
        let link = self.ip_mtu();
        if self.pmtu.is_empty() {
            return link;
        }
        self.pmtu
            .iter()
            .find(|e| e.dst == *dst && self.now < e.expires_at)
            .map_or(link, |e| e.mtu.min(link))
    }

    /// Record a path MTU learned from ICMP (never below the family
    /// minimum: 68 / `min_pmtu` for IPv4, 1280 for IPv6).
    pub(crate) fn learn_pmtu(&mut self, dst: IpAddr, mtu: usize) {
        if MAX_PMTU_ENTRIES == 0 {
            return;
        }
        let floor = match dst {
            IpAddr::V4(_) => (self.config.ipv4.min_pmtu as usize).max(68),
            // RFC 8201 §4: "A node MUST NOT reduce its estimate of the Path
            // MTU below the IPv6 minimum link MTU."
            IpAddr::V6(_) => 1280,
        };
        let mtu = mtu.max(floor);
        let expires_at = self.now + Duration::from_secs(u64::from(self.config.ipv4.mtu_expires_s));
        if let Some(e) = self.pmtu.iter_mut().find(|e| e.dst == dst) {
            e.mtu = mtu;
            e.expires_at = expires_at;
            return;
        }
        let entry = PmtuEntry {
            dst,
            mtu,
            expires_at,
        };
        if self.pmtu.push(entry).is_err() {
            // Replace the entry that expires first.
            if let Some(e) = self.pmtu.iter_mut().min_by_key(|e| e.expires_at) {
                *e = entry;
            }
        }
    }
}

impl InterfaceInner<'_> {
    /// The flow label of packets from `src` to `dst` of `protocol` (RFC
    /// 6437 §3: a keyed hash of the flow's addresses, stable per flow,
    /// unpredictable to others; zero when `auto_flowlabels` is off).
    pub(crate) fn flow_label(
        &self,
        src: &IpAddr,
        dst: &IpAddr,
        protocol: crate::wire::IpProtocol,
    ) -> u32 {
        use core::hash::Hasher;
        // IPv4 has no flow label: an IPv4-only build keeps no hasher.
        if !cfg!(feature = "proto-ipv6") || self.config.ipv6.auto_flowlabels == 0 || !dst.is_ipv6()
        {
            return 0;
        }
        let mut h = siphasher::sip::SipHasher13::new_with_key(&self.flow_secret);
        match (src, dst) {
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                h.write(&s.octets());
                h.write(&d.octets());
            }
            _ => return 0,
        }
        h.write_u8(u8::from(protocol));
        // RFC 6437 §3: 20 bits, and zero means "no label".
        let label = (h.finish() as u32) & 0xf_ffff;
        if label == 0 { 1 } else { label }
    }
}
