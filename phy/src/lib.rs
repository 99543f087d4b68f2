//! Devices for ferrotcp: implementations of the core's `Device` trait and
//! tools around them (pcap capture for Wireshark, tracing, fault injection,
//! simulated links, TAP/TUN, SPI Ethernet controllers).
//!
//! This release carries the pcap writer; the devices arrive with the
//! interface layer.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
pub mod pcap;
