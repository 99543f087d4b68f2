//! Devices for ferrotcp: implementations of the core's
//! [`Device`](ferrotcp::device::Device) trait and tools around them.
//!
//! | module | what | needs |
//! |---|---|---|
//! | [`tracer`] | [`Tracer`](tracer::Tracer): a callback for every frame, and a hex dump | — |
//! | [`loopback`] | [`Loopback`](loopback::Loopback): what is sent is received | `alloc` |
//! | [`fault`] | [`FaultInjector`](fault::FaultInjector): seeded loss, duplication, corruption, reordering, delay, rate limit | `alloc` |
//! | [`sim`] | [`SimNetwork`](sim::SimNetwork) / [`SimPort`](sim::SimPort): a virtual-time link between stacks | `alloc` |
//! | [`pcap`] | a libpcap file writer | `std` |
//! | [`pcap_device`] | [`PcapDevice`](pcap_device::PcapDevice): capture every frame to pcap | `std` |
//! | `tap` | `TunTapDevice`: an existing Linux TAP or TUN interface (a TAP also with offloads: `virtio_net_hdr`, TCP super-frames both ways), and `wait` (poll) | `tap`, Linux |
//! | `enc28j60` | `Enc28j60`: the Microchip ENC28J60 SPI Ethernet controller over embedded-hal 1.0 | `enc28j60` |
//!
//! # Features
//!
//! | feature | effect |
//! |---|---|
//! | `std` (default) | link std (implies `alloc`) |
//! | `alloc` | owned frame storage |
//! | `tap` (default) | Linux TAP/TUN devices (implies `std`) |
//! | `enc28j60` | the ENC28J60 driver (`no_std`) |
//!
//! Without `std` the crate is `#![no_std]`.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(
        clippy::std_instead_of_core,
        clippy::alloc_instead_of_core,
        clippy::std_instead_of_alloc
    )
)]
// Unsafe code is allowed only in the TAP/TUN module (ioctl, poll).
#![cfg_attr(not(all(feature = "tap", target_os = "linux")), forbid(unsafe_code))]
#![cfg_attr(all(feature = "tap", target_os = "linux"), deny(unsafe_code))]
#![warn(clippy::undocumented_unsafe_blocks)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod tracer;

#[cfg(feature = "alloc")]
pub mod fault;
#[cfg(feature = "alloc")]
pub mod gso;
#[cfg(feature = "alloc")]
pub mod loopback;
#[cfg(feature = "alloc")]
pub mod sim;

#[cfg(feature = "std")]
pub mod pcap;
#[cfg(feature = "std")]
pub mod pcap_device;

#[cfg(all(feature = "tap", target_os = "linux"))]
pub mod tap;

#[cfg(feature = "enc28j60")]
pub mod enc28j60;

/// Which way a frame travels through a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the network to the stack.
    Rx,
    /// From the stack to the network.
    Tx,
}
