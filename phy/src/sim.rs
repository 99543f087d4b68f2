//! A simulated network for deterministic multi-stack tests.
//!
//! A [`SimNetwork`] is a hub joining any number of [`SimPort`]s; each port
//! implements [`Device`]. A frame sent by one port is delivered to every
//! other port (with two ports this is a point-to-point link) after
//!
//! 1. waiting in the sender's egress queue — at most
//!    [`SimConfig::queue_limit`] frames may be queued or on the wire at
//!    once; more are tail-dropped and counted,
//! 2. serialisation at [`SimConfig::bits_per_second`] (each sender has its
//!    own full-duplex line to the hub, so senders do not contend),
//! 3. the one-way propagation [`SimConfig::delay`],
//! 4. the [`FaultConfig`] of [`SimConfig::faults`], applied independently
//!    for each receiving port (drop, duplicate, corrupt, reorder, extra
//!    delay and jitter, rate limit, max size), seeded from
//!    [`SimConfig::seed`].
//!
//! # Virtual time
//!
//! Nothing here reads a clock. Ports take `now` from their caller and
//! [`SimNetwork::next_delivery`] says when the next frame reaches a port,
//! so a test jumps its clock to the earlier of that and its stacks'
//! `poll_at` instead of sleeping.
//!
//! # Shared ownership
//!
//! Each stack needs `&mut` to its own device while the other stack holds
//! `&mut` to its own. The ports therefore share the network through an
//! `Rc<RefCell<..>>`: each `SimPort` is an independent owned value (hand
//! `&mut port_a` to one interface and `&mut port_b` to the other), and the
//! `SimNetwork` handle kept by the test reads the clock hint and the
//! counters. A port borrows the shared state only inside its own calls,
//! never while the stack's closure runs, so no borrow can clash. The types
//! are `!Send`: a simulation runs on one thread, which is what makes it
//! deterministic.
//!
//! ```
//! use ferrotcp::device::{Device, RxToken, TxToken};
//! use ferrotcp::time::{Duration, Instant};
//! use ferrotcp_phy::sim::{SimConfig, SimNetwork};
//!
//! let net = SimNetwork::new(SimConfig {
//!     delay: Duration::from_millis(10),
//!     ..SimConfig::default()
//! });
//! let (mut a, mut b) = (net.add_port(), net.add_port());
//! let mut now = Instant::ZERO;
//! a.transmit(now).unwrap().consume(3, |f| f.copy_from_slice(b"req"));
//! // A real test would poll both interfaces here; jump to the next event.
//! now = net.next_delivery().unwrap();
//! let (rx, tx) = b.receive(now).unwrap();
//! assert_eq!(rx.consume(|f| f.to_vec()), b"req");
//! tx.consume(3, |f| f.copy_from_slice(b"rep"));
//! now = net.next_delivery().unwrap();
//! assert_eq!(now, Instant::from_millis(20));
//! let (rx, _) = a.receive(now).unwrap();
//! assert_eq!(rx.consume(|f| f.to_vec()), b"rep");
//! ```

use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::RefCell;

use ferrotcp::device::{Device, DeviceCapabilities, Medium, RxToken, TxMeta, TxToken};
use ferrotcp::time::{Duration, Instant};

use crate::fault::{FaultConfig, FaultStats, Lane};

/// How the simulated network behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimConfig {
    /// The framing the ports report (default Ethernet).
    pub medium: Medium,
    /// The largest frame a port sends; larger ones are dropped and counted
    /// (default 1514).
    pub mtu: usize,
    /// One-way propagation delay (default zero).
    pub delay: Duration,
    /// Line rate of each port, or `None` for instant serialisation
    /// (default).
    pub bits_per_second: Option<u64>,
    /// Frames a port may have queued or being serialised at once; more are
    /// tail-dropped (default 64).
    pub queue_limit: usize,
    /// Faults applied to each frame for each receiving port. Its
    /// `hold_capacity` bounds the frames in flight towards one port
    /// (default: no faults, 1024 frames; note that
    /// `FaultConfig::default()` holds only 64, so build on
    /// `..SimConfig::default().faults`).
    pub faults: FaultConfig,
    /// Seed of every random fault decision.
    pub seed: u64,
    /// TCP segmentation offload: ports declare
    /// `DeviceCapabilities::max_tso_size` (64 KB) and cut the stack's TCP
    /// super-segments into segments before they enter the network, as a
    /// kernel's GSO does ([`crate::gso::segment_tcp`]); faults then hit the
    /// segments one by one (default off).
    pub tso: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            medium: Medium::Ethernet,
            mtu: 1514,
            delay: Duration::ZERO,
            bits_per_second: None,
            queue_limit: 64,
            faults: FaultConfig {
                hold_capacity: 1024,
                ..FaultConfig::default()
            },
            seed: 0,
            tso: false,
        }
    }
}

/// Counters of one port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PortStats {
    /// Frames the port accepted onto the network.
    pub sent: u64,
    /// Frames the port handed to its stack.
    pub received: u64,
    /// Frames tail-dropped at the port's egress queue.
    pub queue_drops: u64,
    /// Frames dropped for exceeding the MTU.
    pub oversize: u64,
    /// The fault model's counters for frames towards this port.
    pub faults: FaultStats,
}

#[derive(Debug)]
struct PortState {
    /// Faults and the frames in flight towards this port.
    lane: Lane,
    /// When each frame queued at this port's egress finishes serialising.
    egress: VecDeque<Instant>,
    busy_until: Instant,
    stats: PortStats,
}

#[derive(Debug)]
struct Net {
    config: SimConfig,
    ports: Vec<PortState>,
}

/// How long `len` bytes take on the line.
fn serialisation(len: usize, bits_per_second: Option<u64>) -> Duration {
    match bits_per_second {
        None => Duration::ZERO,
        Some(0) => Duration::MAX,
        Some(bps) => {
            let bits = u128::try_from(len).unwrap_or(u128::MAX / 8_000_000) * 8;
            let micros = (bits * 1_000_000).div_ceil(u128::from(bps));
            Duration::from_micros(u64::try_from(micros).unwrap_or(u64::MAX))
        }
    }
}

impl Net {
    fn send(&mut self, from: usize, now: Instant, frame: &[u8]) {
        let config = self.config;
        let Some(port) = self.ports.get_mut(from) else {
            return;
        };
        if frame.len() > config.mtu {
            port.stats.oversize += 1;
            return;
        }
        while port.egress.front().is_some_and(|&t| t <= now) {
            port.egress.pop_front();
        }
        if port.egress.len() >= config.queue_limit {
            port.stats.queue_drops += 1;
            return;
        }
        let start = port.busy_until.max(now);
        let finish = start + serialisation(frame.len(), config.bits_per_second);
        port.busy_until = finish;
        port.egress.push_back(finish);
        port.stats.sent += 1;
        let arrival = finish + config.delay;
        for (i, other) in self.ports.iter_mut().enumerate() {
            if i != from {
                other
                    .lane
                    .admit(arrival, frame, ferrotcp::device::RxMeta::default());
            }
        }
    }
}

/// A simulated hub (point-to-point link with two ports) in virtual time.
/// Cloning gives another handle to the same network.
#[derive(Debug, Clone)]
pub struct SimNetwork {
    net: Rc<RefCell<Net>>,
}

impl SimNetwork {
    /// A network with no ports yet.
    pub fn new(config: SimConfig) -> Self {
        SimNetwork {
            net: Rc::new(RefCell::new(Net {
                config,
                ports: Vec::new(),
            })),
        }
    }

    /// A network with two ports: a point-to-point link.
    pub fn pair(config: SimConfig) -> (Self, SimPort, SimPort) {
        let net = SimNetwork::new(config);
        let (a, b) = (net.add_port(), net.add_port());
        (net, a, b)
    }

    /// Attach a new port. It receives frames sent after this call.
    pub fn add_port(&self) -> SimPort {
        let mut net = self.net.borrow_mut();
        let index = net.ports.len();
        // A distinct fault stream per receiving port.
        let seed = net
            .config
            .seed
            .wrapping_add((index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let lane = Lane::new(net.config.faults, seed);
        net.ports.push(PortState {
            lane,
            egress: VecDeque::new(),
            busy_until: Instant::ZERO,
            stats: PortStats::default(),
        });
        SimPort {
            net: Rc::clone(&self.net),
            index,
        }
    }

    /// When the next frame reaches a port (or a held-back frame is
    /// released), or `None` if nothing is in flight.
    pub fn next_delivery(&self) -> Option<Instant> {
        self.net
            .borrow()
            .ports
            .iter()
            .filter_map(|p| p.lane.next_due())
            .min()
    }

    /// The counters of port `index` (in the order the ports were added).
    pub fn port_stats(&self, index: usize) -> Option<PortStats> {
        self.net.borrow().ports.get(index).map(|p| {
            let mut s = p.stats;
            s.faults = p.lane.stats;
            s
        })
    }

    /// The configuration.
    pub fn config(&self) -> SimConfig {
        self.net.borrow().config
    }
}

/// One endpoint of a [`SimNetwork`]; a [`Device`].
#[derive(Debug)]
pub struct SimPort {
    net: Rc<RefCell<Net>>,
    index: usize,
}

impl SimPort {
    /// This port's position in the network (for
    /// [`SimNetwork::port_stats`]).
    pub fn index(&self) -> usize {
        self.index
    }
}

/// A frame delivered to a port.
#[derive(Debug)]
pub struct SimRxToken {
    frame: Vec<u8>,
}

impl RxToken for SimRxToken {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(&self.frame)
    }
}

/// Room for a frame to send from a port.
#[derive(Debug)]
pub struct SimTxToken<'a> {
    port: &'a SimPort,
    now: Instant,
    meta: TxMeta,
}

impl TxToken for SimTxToken<'_> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let mut frame = vec![0; len];
        // The closure runs with the network not borrowed.
        let r = f(&mut frame);
        let mut net = self.port.net.borrow_mut();
        match self.meta.tcp_segment_size {
            Some(size) if net.config.tso => {
                for piece in crate::gso::segment_tcp(&frame, usize::from(size)) {
                    net.send(self.port.index, self.now, &piece);
                }
            }
            _ => net.send(self.port.index, self.now, &frame),
        }
        r
    }

    fn set_meta(&mut self, meta: TxMeta) {
        self.meta = meta;
    }
}

impl Device for SimPort {
    type RxToken<'a> = SimRxToken;
    type TxToken<'a> = SimTxToken<'a>;

    fn receive(&mut self, now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let frame = {
            let mut net = self.net.borrow_mut();
            let port = net.ports.get_mut(self.index)?;
            let (frame, _) = port.lane.pop_due(now)?;
            port.stats.received += 1;
            frame
        };
        Some((
            SimRxToken { frame },
            SimTxToken {
                port: self,
                now,
                meta: TxMeta::default(),
            },
        ))
    }

    fn transmit(&mut self, now: Instant) -> Option<Self::TxToken<'_>> {
        Some(SimTxToken {
            port: self,
            now,
            meta: TxMeta::default(),
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let c = self.net.borrow().config;
        let mut caps = DeviceCapabilities::new(c.medium, c.mtu);
        if c.tso && c.medium == Medium::Ethernet {
            caps.max_tso_size = 65_535;
        }
        caps
    }
}

#[cfg(test)]
mod tests;
