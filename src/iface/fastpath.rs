//! The receive fast path: header prediction from the frame.
//!
//! In a bulk transfer nearly every frame that arrives is the next segment
//! of one connection (its data, or the ACK of ours): unicast to us, IPv4 without options or
//! fragmentation (or IPv6 with TCP as the first next header), no ECN mark,
//! ACK (and PSH) only, no option but timestamps. The general path parses
//! and checks each layer into its `Repr`, classifies the destination,
//! looks the connection up and walks the RFC 9293 §3.10.7.4 steps. Here the
//! few header bytes that tell such a segment apart are compared in place
//! against the connection of the last segment taken (its slot), and
//! [`Socket::receive_predicted`](crate::socket::tcp::Socket) does what those
//! steps would do for it. Every frame that is anything else (or whose
//! checksum fails) returns `false` untouched, and the general path decides
//! and counts exactly as it always does.
//!
//! Equivalence with the general path is tested: the socket against its
//! twin on the general path, field for field
//! (`socket::tcp::tests::header_prediction_does_what_the_general_path_does`);
//! frames that differ in one header detail
//! (`iface::tests::tcp::header_prediction_takes_only_the_predicted_frame`);
//! simulated traffic with the fast path and without, byte for byte on the
//! wire (`tests/sim_tcp.rs`); and `fuzz/iface`, every input both ways.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::interface::InterfaceInner;
use crate::device::Medium;
use crate::socket::tcp::Predicted;
use crate::socket::{Socket, SocketSet};
use crate::wire::checksum;
use crate::wire::tcp::{TcpSeqNumber, TcpTimestamp};
use crate::wire::{IpProtocol, IpVersion};

/// The connection the fast path expects the next frame for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RxFlow {
    /// Its slot in the socket set (checked against the frame's 4-tuple).
    pub(crate) slot: usize,
    /// The interface's addresses when the general path last took a
    /// segment of it: while unchanged, its destination is still one of
    /// ours and its source still a unicast address (RFC 1122 §3.2.1.3).
    pub(crate) addrs: u64,
}

/// TCP flags byte: ACK, or ACK and PSH (RFC 9293 §3.1).
const ACK: u8 = 0x10;
const ACK_PSH: u8 = 0x18;
/// NOP, NOP, Timestamps (kind 8, length 10): RFC 7323 Appendix A's
/// layout, the one Linux uses.
const NOP_NOP_TS: [u8; 4] = [1, 1, 8, 10];
/// Timestamps, then two NOPs: ferrotcp's own layout.
const TS: [u8; 2] = [8, 10];
const NOP_NOP: [u8; 2] = [1, 1];

impl InterfaceInner<'_> {
    /// Take `frame` by header prediction; `false`: not the predicted
    /// segment, nothing done (the caller takes the general path).
    #[inline]
    pub(crate) fn tcp_fast_path(&mut self, sockets: &mut SocketSet<'_>, frame: &[u8]) -> bool {
        let Some(flow) = self.rx_flow else {
            return false;
        };
        // The device checked nothing for us (a trusted or coalesced frame
        // goes the general way).
        if flow.addrs != self.addr_generation
            || !self.caps.checksum.tcp.rx()
            || self.rx_meta != crate::device::RxMeta::default()
        {
            return false;
        }
        let packet = match self.medium {
            Medium::Ethernet => {
                let Some((eth, rest)) = frame.split_first_chunk::<14>() else {
                    return false;
                };
                // RFC 894: unicast to our address, IPv4 or IPv6 in
                // Ethernet II.
                if eth[..6] != self.hardware_addr.0[..]
                    || !matches!(eth[12..14], [0x08, 0x00] | [0x86, 0xdd])
                {
                    return false;
                }
                rest
            }
            Medium::Ip => frame,
        };
        match packet.first().map(|b| b >> 4) {
            #[cfg(feature = "proto-ipv4")]
            Some(4) => self.fast_ipv4(sockets, flow.slot, packet),
            #[cfg(feature = "proto-ipv6")]
            Some(6) => self.fast_ipv6(sockets, flow.slot, packet),
            _ => false,
        }
    }

    /// IPv4 (RFC 791): version 4 with a 20-byte header, not ECN-marked
    /// (RFC 3168), not a fragment (only DF may be set), TCP, a good header
    /// checksum, Total Length within the frame.
    #[cfg(feature = "proto-ipv4")]
    #[inline]
    fn fast_ipv4(&mut self, sockets: &mut SocketSet<'_>, slot: usize, packet: &[u8]) -> bool {
        let Some(h) = packet.first_chunk::<20>() else {
            return false;
        };
        let total = usize::from(u16::from_be_bytes([h[2], h[3]]));
        if h[0] != 0x45
            || h[1] & 0x03 != 0
            || h[6] & 0xbf != 0
            || h[7] != 0
            || h[9] != 6
            || total > packet.len()
            || total < 40
            || (self.caps.checksum.ipv4.rx() && checksum::data20(h) != 0xffff)
        {
            return false;
        }
        // A raw socket for TCP takes a copy of every datagram.
        if sockets.has_raw_for(IpVersion::Ipv4, IpProtocol::Tcp) {
            return false;
        }
        let src = Ipv4Addr::new(h[12], h[13], h[14], h[15]);
        let dst = Ipv4Addr::new(h[16], h[17], h[18], h[19]);
        if !self.fast_tcp(
            sockets,
            slot,
            IpAddr::V4(src),
            IpAddr::V4(dst),
            &packet[20..total],
        ) {
            return false;
        }
        self.counters.ipv4.in_receives += 1;
        self.counters.ipv4.in_delivers += 1;
        true
    }

    /// IPv6 (RFC 8200): TCP as the first next header (no extension
    /// header), not ECN-marked, Payload Length within the frame.
    #[cfg(feature = "proto-ipv6")]
    #[inline]
    fn fast_ipv6(&mut self, sockets: &mut SocketSet<'_>, slot: usize, packet: &[u8]) -> bool {
        let Some(h) = packet.first_chunk::<40>() else {
            return false;
        };
        let total = 40 + usize::from(u16::from_be_bytes([h[4], h[5]]));
        if (h[1] >> 4) & 0x03 != 0
            || h[6] != 6
            || total > packet.len()
            || sockets.has_raw_for(IpVersion::Ipv6, IpProtocol::Tcp)
        {
            return false;
        }
        let mut a = [0u8; 16];
        a.copy_from_slice(&h[8..24]);
        let src = Ipv6Addr::from(a);
        a.copy_from_slice(&h[24..40]);
        let dst = Ipv6Addr::from(a);
        if !self.fast_tcp(
            sockets,
            slot,
            IpAddr::V6(src),
            IpAddr::V6(dst),
            &packet[40..total],
        ) {
            return false;
        }
        self.counters.ipv6.in_receives += 1;
        self.counters.ipv6.in_delivers += 1;
        true
    }

    /// The TCP segment `data` from `src` to `dst`: the connection in
    /// `slot` by its 4-tuple, ACK or ACK+PSH, no option but timestamps;
    /// then the socket's prediction.
    #[inline]
    fn fast_tcp(
        &mut self,
        sockets: &mut SocketSet<'_>,
        slot: usize,
        src: IpAddr,
        dst: IpAddr,
        data: &[u8],
    ) -> bool {
        let Some(t) = data.first_chunk::<20>() else {
            return false;
        };
        let header_len = usize::from(t[12] >> 4) * 4;
        // The low nibble holds the reserved bits and AE (RFC 9768): zero.
        if t[12] & 0x0f != 0 || !(t[13] == ACK || t[13] == ACK_PSH) || data.len() < header_len {
            return false;
        }
        // The options (fixed-size arrays: no bounds checks) and their sum.
        let (timestamp, options_sum) = match (header_len, data.get(20..32)) {
            (20, _) => (None, 0),
            (32, Some(o)) => {
                let Ok(o) = <&[u8; 12]>::try_from(o) else {
                    return false;
                };
                let at = if o[..4] == NOP_NOP_TS {
                    4
                } else if o[..2] == TS && o[10..] == NOP_NOP {
                    2
                } else {
                    return false;
                };
                let word = |i: usize| u32::from_be_bytes([o[i], o[i + 1], o[i + 2], o[i + 3]]);
                let ts = TcpTimestamp {
                    tsval: word(at),
                    tsecr: word(at + 4),
                };
                (Some(ts), checksum::native_sum(o))
            }
            _ => return false,
        };
        let word = |i: usize| u32::from_be_bytes([t[i], t[i + 1], t[i + 2], t[i + 3]]);
        let src_port = u16::from_be_bytes([t[0], t[1]]);
        let dst_port = u16::from_be_bytes([t[2], t[3]]);
        let Some(Socket::Tcp(socket)) = sockets.slot_mut(slot) else {
            return false;
        };
        if socket.local.port != dst_port
            || socket.remote.port != src_port
            || socket.local.addr != dst
            || socket.remote.addr != src
        {
            return false;
        }
        let payload = &data[header_len..];
        let length = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let init = checksum::pseudo_native(&src, &dst, IpProtocol::Tcp, length)
            + checksum::native_sum(t)
            + options_sum;
        let seg = Predicted {
            seq: TcpSeqNumber(word(4)),
            ack: TcpSeqNumber(word(8)),
            window_len: u16::from_be_bytes([t[14], t[15]]),
            timestamp,
            payload,
        };
        if socket.receive_predicted(self.now, &seg, init).is_none() {
            return false;
        }
        sockets.mark_changed(slot);
        self.counters.tcp.in_segs += 1;
        self.counters.tcp.hp_hits += 1;
        true
    }
}
