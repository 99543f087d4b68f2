//! The boundary between the stack and a network interface.
//!
//! A [`Device`] hands received frames to the stack and accepts frames to
//! send, through tokens that borrow the device's own buffers: a received
//! frame is parsed where the device put it, and a frame to send is built in
//! place. The stack never copies a frame between device and parser.
//!
//! Implementations live in the `ferrotcp-phy` crate (TAP/TUN, loopback,
//! fault injection, pcap capture, simulated links, SPI Ethernet
//! controllers); the core only defines the traits.

use crate::time::Instant;
use crate::wire::ChecksumCapabilities;

/// What a frame starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Medium {
    /// Ethernet II / IEEE 802.3 frames (a TAP interface, a MAC chip).
    #[default]
    Ethernet,
    /// Bare IPv4 / IPv6 packets (a TUN interface, a PPP link).
    Ip,
}

/// What a device can do. The stack reads this once per poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct DeviceCapabilities {
    /// The framing of frames.
    pub medium: Medium,
    /// The largest frame the device sends or receives, link header
    /// included (1514 for standard Ethernet without FCS, 1500 for IP).
    pub max_transmission_unit: usize,
    /// How many frames the device accepts in one burst, if limited.
    pub max_burst_size: Option<usize>,
    /// Which checksums the device computes or verifies itself.
    pub checksum: ChecksumCapabilities,
    /// TCP segmentation offload: the largest IP packet (IP header
    /// included, at most 65,535 bytes) the device takes as one TCP
    /// super-segment and cuts into segments of [`TxMeta::tcp_segment_size`]
    /// payload bytes itself (a TAP with `virtio_net_hdr`, a NIC with TSO).
    /// `0` (the default): none, every frame fits the MTU.
    ///
    /// A device that declares it may also deliver received TCP segments
    /// longer than the MTU (coalesced by the peer or the device, GRO/LRO);
    /// the stack takes any received frame its buffers hold whatever this
    /// says.
    pub max_tso_size: usize,
}

impl Default for DeviceCapabilities {
    fn default() -> Self {
        DeviceCapabilities {
            medium: Medium::Ethernet,
            max_transmission_unit: 1514,
            max_burst_size: None,
            checksum: ChecksumCapabilities::all(),
            max_tso_size: 0,
        }
    }
}

impl DeviceCapabilities {
    /// Capabilities of a device with `medium` and `mtu`, everything else at
    /// its default.
    pub fn new(medium: Medium, max_transmission_unit: usize) -> Self {
        DeviceCapabilities {
            medium,
            max_transmission_unit,
            ..Default::default()
        }
    }

    /// The IP MTU: the frame MTU less the link header.
    pub fn ip_mtu(&self) -> usize {
        match self.medium {
            Medium::Ethernet => self
                .max_transmission_unit
                .saturating_sub(crate::wire::ethernet::HEADER_LEN),
            Medium::Ip => self.max_transmission_unit,
        }
    }
}

/// A network device.
///
/// `receive` returns a received frame together with a transmit token, so a
/// reply (an ARP reply, an echo reply) can be sent without asking again;
/// `transmit` returns a token when the device can take one more frame.
/// Returning `None` means "nothing now": the stack tries again on its next
/// poll.
pub trait Device {
    /// The token for one received frame.
    type RxToken<'a>: RxToken
    where
        Self: 'a;
    /// The token for one frame to send.
    type TxToken<'a>: TxToken
    where
        Self: 'a;

    /// A received frame and a transmit token, if a frame is waiting.
    fn receive(&mut self, now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)>;

    /// A transmit token, if the device can take a frame now.
    fn transmit(&mut self, now: Instant) -> Option<Self::TxToken<'_>>;

    /// What the device can do.
    fn capabilities(&self) -> DeviceCapabilities;
}

/// What a device knows about one received frame beyond its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct RxMeta {
    /// The frame's TCP or UDP checksum is known good, or the frame comes
    /// from a trusted local sender that never computed it (a TAP's
    /// `VIRTIO_NET_HDR_F_DATA_VALID` / `F_NEEDS_CSUM`: the kernel's own
    /// packets, whose checksum field holds only the pseudo-header sum).
    /// The stack then skips the transport checksum check for this frame
    /// only. `false` (the default): checked as the capabilities say.
    pub transport_checksum_valid: bool,
    /// The frame is TCP segments coalesced by the sender's side (a TAP's
    /// GSO super-frame from the kernel, a NIC's LRO): the payload of each
    /// segment it stands for. Only counted (RFC 4022 `tcpInSegs` counts
    /// the segments, as Linux does); the stack takes the frame whole.
    pub tcp_segment_size: Option<u16>,
}

impl RxMeta {
    /// Metadata with the transport checksum declared valid (or not).
    pub const fn with_transport_checksum_valid(valid: bool) -> Self {
        RxMeta {
            transport_checksum_valid: valid,
            tcp_segment_size: None,
        }
    }

    /// The same metadata, for a frame of coalesced TCP segments of
    /// `size` payload bytes each (or not coalesced: `None`).
    pub const fn with_tcp_segment_size(self, size: Option<u16>) -> Self {
        RxMeta {
            tcp_segment_size: size,
            ..self
        }
    }
}

/// What the stack tells a device about one frame it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct TxMeta {
    /// TCP segmentation offload (only to a device that declared
    /// [`DeviceCapabilities::max_tso_size`]): the frame is one TCP segment
    /// with more payload than one MSS, to be cut into segments of this
    /// many payload bytes (the connection's MSS less the options every
    /// segment carries), each with a copy of the frame's headers (link,
    /// IP, TCP: the device reads their length from the frame). Only whole
    /// segments but for the last. `None`: send the frame as it is.
    pub tcp_segment_size: Option<u16>,
    /// Every checksum in the frame is already complete: the device sends
    /// it as it is and fills none, not even those its
    /// [`DeviceCapabilities::checksum`] says it fills. The stack never sets
    /// it; a device wrapper that completed them itself does (the fault
    /// injector of `ferrotcp-phy`, before it flips a bit, so that the
    /// corruption is caught by the receiver as a wire's would be, not
    /// covered by a checksum computed over the damaged bytes). Ignored
    /// with [`Self::tcp_segment_size`] (cutting needs new checksums).
    pub checksums_complete: bool,
}

impl TxMeta {
    /// Metadata saying the frame's checksums are complete (or not).
    pub const fn with_checksums_complete(complete: bool) -> Self {
        TxMeta {
            tcp_segment_size: None,
            checksums_complete: complete,
        }
    }
}

/// One received frame.
pub trait RxToken {
    /// Hand the frame to `f` and consume the token.
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R;

    /// What the device knows about the frame (the stack asks before
    /// `consume`). The default: nothing.
    fn meta(&self) -> RxMeta {
        RxMeta::default()
    }
}

/// Room for one frame to send.
pub trait TxToken {
    /// Let `f` build a frame of exactly `len` bytes in the device's buffer,
    /// then send it. Dropping a token without consuming it sends nothing.
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R;

    /// What the stack says about the frame it is about to build (called
    /// before `consume`, only with something to say). The default ignores
    /// it: a device that declares no offload is never asked for one. A
    /// device that wraps another and passes on its
    /// [`DeviceCapabilities::max_tso_size`] must pass this on too (or
    /// declare `0`): otherwise a TCP super-segment reaches the inner device
    /// as one oversized frame.
    fn set_meta(&mut self, meta: TxMeta) {
        let _ = meta;
    }
}
