//! Neighbor Discovery for IPv6 (RFC 4861), with Default Router
//! Preferences (RFC 4191 §2.2), RDNSS (RFC 8106), the Nonce option of
//! RFC 3971 §5.3.2 used by enhanced DAD (RFC 7527), and the RA flag
//! registry of RFC 5175.
//!
//! The messages are ICMPv6 messages; they are read from and written to an
//! [`icmpv6::Packet`], whose `check_len` knows their fixed lengths. The
//! accessors for their fields live here as extra methods on that view.
//!
//! ```text
//! Router Solicitation (133)        Router Advertisement (134)
//! | Type | Code |  Checksum |      | Type | Code |      Checksum       |
//! |         Reserved        |      | Hop  |M|O|H|Prf|P|R|R| Router Lifetime |
//! | Options ...                    |            Reachable Time          |
//!                                  |            Retrans Timer           |
//!                                  | Options ...
//!
//! Neighbor Solicitation (135)      Neighbor Advertisement (136)
//! | Type | Code |  Checksum |      | Type | Code |  Checksum |
//! |         Reserved        |      |R|S|O|     Reserved      |
//! |  Target Address (16)    |      |  Target Address (16)    |
//! | Options ...                    | Options ...
//!
//! Redirect (137)
//! | Type | Code |  Checksum |
//! |         Reserved        |
//! |  Target Address (16)    |
//! |  Destination Address (16) |
//! | Options ...
//! ```
//!
//! # What the wire layer checks, and what the interface must
//!
//! [`Repr::parse`] enforces the validity rules of RFC 4861 §6.1.1, §6.1.2,
//! §7.1.1, §7.1.2 and §8.1 that need only the ICMPv6 message: code 0, the
//! minimum ICMP length, every option length non-zero and every known
//! option well-formed, target (NS, NA) and destination (Redirect) not
//! multicast, and a Redirect target that is link-local or equal to the
//! destination. The ICMPv6 checksum is checked by
//! [`icmpv6::Repr::parse`]. These rules need the IPv6 header and are the
//! interface's duty:
//!
//! * every message: IP Hop Limit is 255 (all five sections);
//! * RS: unspecified source ⇒ no Source Link-layer Address option;
//! * RA: source is link-local (§6.1.2);
//! * NS: unspecified source ⇒ destination is a solicited-node multicast
//!   address and no Source Link-layer Address option (§7.1.1);
//! * NA: multicast destination ⇒ the Solicited flag is 0 (§7.1.2);
//! * Redirect: source is link-local and is the current first-hop router
//!   for the destination (§8.1).

use core::net::Ipv6Addr;

use byteorder::{ByteOrder, NetworkEndian};

use super::address::EthernetAddress;
use super::checksum::Checksum;
use super::icmpv6::{self, Message};
use super::{Error, Result};

mod option;
#[cfg(test)]
pub(crate) mod tests;

pub use self::option::{
    INFINITE_LIFETIME, NONCE_LEN, NdiscOption, NdiscOptionIter, NdiscOptions, OptionType,
    PrefixInformation, Rdnss, emit_options, emit_rdnss, options_len, rdnss_len,
};

mod field {
    use crate::wire::field::Field;
    // Router Advertisement, RFC 4861 §4.2.
    pub(crate) const CUR_HOP_LIMIT: usize = 4;
    pub(crate) const ROUTER_FLAGS: usize = 5;
    pub(crate) const ROUTER_LIFETIME: Field = 6..8;
    pub(crate) const REACHABLE_TIME: Field = 8..12;
    pub(crate) const RETRANS_TIME: Field = 12..16;
    // Neighbor Advertisement, RFC 4861 §4.4.
    pub(crate) const NEIGHBOR_FLAGS: usize = 4;
    // NS, NA, Redirect: RFC 4861 §4.3 - §4.5.
    pub(crate) const TARGET_ADDR: usize = 8;
    pub(crate) const DEST_ADDR: usize = 24;
}

/// RFC 4861 §6.1.1: a Router Solicitation is at least 8 bytes.
pub const ROUTER_SOLICIT_LEN: usize = 8;
/// RFC 4861 §6.1.2: a Router Advertisement is at least 16 bytes.
pub const ROUTER_ADVERT_LEN: usize = 16;
/// RFC 4861 §7.1.1, §7.1.2: a Neighbor Solicitation / Advertisement is at
/// least 24 bytes.
pub const NEIGHBOR_LEN: usize = 24;
/// RFC 4861 §8.1: a Redirect is at least 40 bytes.
pub const REDIRECT_LEN: usize = 40;

/// Flag bits of the Router Advertisement flags byte (RFC 5175 §3 registry).
pub mod router_flags {
    /// M: addresses are available via DHCPv6 (RFC 4861 §4.2).
    pub const MANAGED: u8 = 0x80;
    /// O: other configuration is available via DHCPv6 (RFC 4861 §4.2).
    pub const OTHER: u8 = 0x40;
    /// H: the router is a Mobile IPv6 home agent (RFC 6275 §7.1).
    pub const HOME_AGENT: u8 = 0x20;
    /// Prf: the two-bit Default Router Preference (RFC 4191 §2.2).
    pub const PRF_MASK: u8 = 0x18;
    /// P: ND proxy (RFC 4389 §4.1.3.3).
    pub const PROXY: u8 = 0x04;
}

/// Flag bits of the Neighbor Advertisement flags byte (RFC 4861 §4.4).
pub mod neighbor_flags {
    /// R: the sender is a router.
    pub const ROUTER: u8 = 0x80;
    /// S: sent in response to a Neighbor Solicitation.
    pub const SOLICITED: u8 = 0x40;
    /// O: override an existing cache entry.
    pub const OVERRIDE: u8 = 0x20;
}

/// Default Router Preference (RFC 4191 §2.1, §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RouterPreference {
    /// 11.
    Low,
    /// 00 (also what the reserved value 10 means on receipt).
    #[default]
    Medium,
    /// 01.
    High,
}

impl RouterPreference {
    /// Decode the two Prf bits (the low two bits of `bits`).
    ///
    /// RFC 4191 §2.2: "If the Reserved (10) value is received, the receiver
    /// MUST treat the value as if it were (00)."
    pub fn from_bits(bits: u8) -> RouterPreference {
        match bits & 0b11 {
            0b01 => RouterPreference::High,
            0b11 => RouterPreference::Low,
            _ => RouterPreference::Medium,
        }
    }
    /// The two Prf bits.
    pub fn to_bits(self) -> u8 {
        match self {
            RouterPreference::Low => 0b11,
            RouterPreference::Medium => 0b00,
            RouterPreference::High => 0b01,
        }
    }
}

impl<T: AsRef<[u8]>> icmpv6::Packet<T> {
    /// RA: Cur Hop Limit.
    pub fn cur_hop_limit(&self) -> u8 {
        self.read_u8(field::CUR_HOP_LIMIT)
    }
    /// RA: the flags byte (see [`router_flags`]).
    pub fn router_flags(&self) -> u8 {
        self.read_u8(field::ROUTER_FLAGS)
    }
    /// RA: Router Lifetime in seconds.
    pub fn router_lifetime(&self) -> u16 {
        self.read_u16(field::ROUTER_LIFETIME)
    }
    /// RA: Reachable Time in milliseconds.
    pub fn reachable_time(&self) -> u32 {
        self.read_u32(field::REACHABLE_TIME)
    }
    /// RA: Retrans Timer in milliseconds.
    pub fn retrans_time(&self) -> u32 {
        self.read_u32(field::RETRANS_TIME)
    }
    /// NA: the flags byte (see [`neighbor_flags`]).
    pub fn neighbor_flags(&self) -> u8 {
        self.read_u8(field::NEIGHBOR_FLAGS)
    }
    /// NS, NA, Redirect: Target Address.
    pub fn target_addr(&self) -> Ipv6Addr {
        self.read_addr(field::TARGET_ADDR)
    }
    /// Redirect: Destination Address.
    pub fn dest_addr(&self) -> Ipv6Addr {
        self.read_addr(field::DEST_ADDR)
    }
}

/// Where the options of an ND message of type `t` start.
fn options_offset(t: Message) -> Option<usize> {
    match t {
        Message::RouterSolicit => Some(ROUTER_SOLICIT_LEN),
        Message::RouterAdvert => Some(ROUTER_ADVERT_LEN),
        Message::NeighborSolicit | Message::NeighborAdvert => Some(NEIGHBOR_LEN),
        Message::Redirect => Some(REDIRECT_LEN),
        _ => None,
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> icmpv6::Packet<&'a T> {
    /// The raw option bytes of an ND message (empty for other types or a
    /// buffer too short).
    pub fn ndisc_options(&self) -> &'a [u8] {
        options_offset(self.msg_type())
            .and_then(|at| self.bytes_ref().get(at..))
            .unwrap_or(&[])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> icmpv6::Packet<T> {
    /// RA: set Cur Hop Limit.
    pub fn set_cur_hop_limit(&mut self, v: u8) {
        self.bytes_mut()[field::CUR_HOP_LIMIT] = v
    }
    /// RA: set the flags byte.
    pub fn set_router_flags(&mut self, v: u8) {
        self.bytes_mut()[field::ROUTER_FLAGS] = v
    }
    /// RA: set Router Lifetime.
    pub fn set_router_lifetime(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.bytes_mut()[field::ROUTER_LIFETIME], v)
    }
    /// RA: set Reachable Time.
    pub fn set_reachable_time(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.bytes_mut()[field::REACHABLE_TIME], v)
    }
    /// RA: set Retrans Timer.
    pub fn set_retrans_time(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.bytes_mut()[field::RETRANS_TIME], v)
    }
    /// NA: set the flags byte.
    pub fn set_neighbor_flags(&mut self, v: u8) {
        self.bytes_mut()[field::NEIGHBOR_FLAGS] = v
    }
    /// NS, NA, Redirect: set Target Address.
    pub fn set_target_addr(&mut self, v: Ipv6Addr) {
        let at = field::TARGET_ADDR;
        self.bytes_mut()[at..at + 16].copy_from_slice(&v.octets())
    }
    /// Redirect: set Destination Address.
    pub fn set_dest_addr(&mut self, v: Ipv6Addr) {
        let at = field::DEST_ADDR;
        self.bytes_mut()[at..at + 16].copy_from_slice(&v.octets())
    }
}

/// A parsed Neighbor Discovery message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Repr<'a> {
    /// Router Solicitation (RFC 4861 §4.1).
    RouterSolicit {
        /// The Source Link-layer Address option.
        lladdr: Option<EthernetAddress>,
    },
    /// Router Advertisement (RFC 4861 §4.2).
    RouterAdvert {
        /// Cur Hop Limit (0: unspecified).
        hop_limit: u8,
        /// M flag.
        managed: bool,
        /// O flag.
        other: bool,
        /// Default Router Preference (RFC 4191 §2.2); `Medium` whenever
        /// `router_lifetime` is 0.
        router_pref: RouterPreference,
        /// Router Lifetime in seconds (0: not a default router).
        router_lifetime: u16,
        /// Reachable Time in milliseconds (0: unspecified).
        reachable_time: u32,
        /// Retrans Timer in milliseconds (0: unspecified).
        retrans_time: u32,
        /// Every option, validated, in wire order (build them with
        /// [`emit_options`] / [`NdiscOptions::new_unchecked`]).
        options: NdiscOptions<'a>,
    },
    /// Neighbor Solicitation (RFC 4861 §4.3).
    NeighborSolicit {
        /// The address being resolved or checked.
        target_addr: Ipv6Addr,
        /// The Source Link-layer Address option.
        lladdr: Option<EthernetAddress>,
        /// The first 6 bytes of a Nonce option (RFC 7527 §4.1).
        nonce: Option<[u8; NONCE_LEN]>,
    },
    /// Neighbor Advertisement (RFC 4861 §4.4).
    NeighborAdvert {
        /// R flag.
        router: bool,
        /// S flag.
        solicited: bool,
        /// O flag.
        override_: bool,
        /// The address whose link-layer address is advertised.
        target_addr: Ipv6Addr,
        /// The Target Link-layer Address option.
        lladdr: Option<EthernetAddress>,
    },
    /// Redirect (RFC 4861 §4.5).
    Redirect {
        /// The better first hop.
        target_addr: Ipv6Addr,
        /// The destination being redirected.
        dest_addr: Ipv6Addr,
        /// The Target Link-layer Address option.
        lladdr: Option<EthernetAddress>,
        /// The Redirected Header option's body after its reserved bytes.
        redirected_hdr: Option<&'a [u8]>,
    },
}

impl<'a> Repr<'a> {
    /// Parse an ND message. The checksum is not verified here (see
    /// [`icmpv6::Repr::parse`]); the IPv6-header rules listed in the module
    /// docs are the caller's.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &icmpv6::Packet<&'a T>) -> Result<Repr<'a>> {
        packet.check_len()?;
        let msg_type = packet.msg_type();
        if !msg_type.is_ndisc() {
            return Err(Error::Unrecognized);
        }
        // RFC 4861 §6.1.1, §6.1.2, §7.1.1, §7.1.2, §8.1: "ICMP Code is 0."
        if packet.msg_code() != 0 {
            return Err(Error::BadField);
        }
        // Same sections: "All included options have a length that is
        // greater than zero." Known options must be well-formed too.
        let options = NdiscOptions::new_checked(packet.ndisc_options())?;
        Ok(match msg_type {
            Message::RouterSolicit => Repr::RouterSolicit {
                lladdr: options.source_lladdr(),
            },
            Message::RouterAdvert => {
                let flags = packet.router_flags();
                let router_lifetime = packet.router_lifetime();
                // RFC 4191 §2.2: with a Router Lifetime of zero the
                // preference "MUST be ignored by the receiver".
                let router_pref = if router_lifetime == 0 {
                    RouterPreference::Medium
                } else {
                    RouterPreference::from_bits((flags & router_flags::PRF_MASK) >> 3)
                };
                Repr::RouterAdvert {
                    hop_limit: packet.cur_hop_limit(),
                    managed: flags & router_flags::MANAGED != 0,
                    other: flags & router_flags::OTHER != 0,
                    router_pref,
                    router_lifetime,
                    reachable_time: packet.reachable_time(),
                    retrans_time: packet.retrans_time(),
                    options,
                }
            }
            Message::NeighborSolicit => {
                let target_addr = packet.target_addr();
                // RFC 4861 §7.1.1: "Target Address is not a multicast
                // address."
                if target_addr.is_multicast() {
                    return Err(Error::BadField);
                }
                Repr::NeighborSolicit {
                    target_addr,
                    lladdr: options.source_lladdr(),
                    nonce: options
                        .nonce()
                        .and_then(|n| n.get(..NONCE_LEN))
                        .and_then(|n| n.try_into().ok()),
                }
            }
            Message::NeighborAdvert => {
                let target_addr = packet.target_addr();
                // RFC 4861 §7.1.2: "Target Address is not a multicast
                // address."
                if target_addr.is_multicast() {
                    return Err(Error::BadField);
                }
                let flags = packet.neighbor_flags();
                Repr::NeighborAdvert {
                    router: flags & neighbor_flags::ROUTER != 0,
                    solicited: flags & neighbor_flags::SOLICITED != 0,
                    override_: flags & neighbor_flags::OVERRIDE != 0,
                    target_addr,
                    lladdr: options.target_lladdr(),
                }
            }
            _ => {
                let target_addr = packet.target_addr();
                let dest_addr = packet.dest_addr();
                // RFC 4861 §8.1: "The ICMP Destination Address field in the
                // redirect message does not contain a multicast address."
                if dest_addr.is_multicast() {
                    return Err(Error::BadField);
                }
                // RFC 4861 §8.1: "The ICMP Target Address is either a
                // link-local address ... or the same as the ICMP
                // Destination Address".
                if !target_addr.is_unicast_link_local() && target_addr != dest_addr {
                    return Err(Error::BadField);
                }
                Repr::Redirect {
                    target_addr,
                    dest_addr,
                    lladdr: options.target_lladdr(),
                    redirected_hdr: options.redirected_hdr(),
                }
            }
        })
    }

    /// The ICMPv6 message type.
    pub fn msg_type(&self) -> Message {
        match self {
            Repr::RouterSolicit { .. } => Message::RouterSolicit,
            Repr::RouterAdvert { .. } => Message::RouterAdvert,
            Repr::NeighborSolicit { .. } => Message::NeighborSolicit,
            Repr::NeighborAdvert { .. } => Message::NeighborAdvert,
            Repr::Redirect { .. } => Message::Redirect,
        }
    }

    fn lladdr_len(lladdr: &Option<EthernetAddress>) -> usize {
        if lladdr.is_some() { 8 } else { 0 }
    }

    /// The exact number of bytes `emit` writes.
    pub fn buffer_len(&self) -> usize {
        match self {
            Repr::RouterSolicit { lladdr } => ROUTER_SOLICIT_LEN + Self::lladdr_len(lladdr),
            Repr::RouterAdvert { options, .. } => ROUTER_ADVERT_LEN + options.as_bytes().len(),
            Repr::NeighborSolicit { lladdr, nonce, .. } => {
                NEIGHBOR_LEN + Self::lladdr_len(lladdr) + if nonce.is_some() { 8 } else { 0 }
            }
            Repr::NeighborAdvert { lladdr, .. } => NEIGHBOR_LEN + Self::lladdr_len(lladdr),
            Repr::Redirect {
                lladdr,
                redirected_hdr,
                ..
            } => {
                REDIRECT_LEN
                    + Self::lladdr_len(lladdr)
                    + redirected_hdr.map_or(0, |h| NdiscOption::RedirectedHeader(h).buffer_len())
            }
        }
    }

    /// Write the message from `src` to `dst`, then its checksum when
    /// `checksum.tx()`.
    ///
    /// `packet` must be exactly [`Repr::buffer_len`] bytes long. A
    /// Redirected Header should be cut first so the Redirect fits in 1280
    /// bytes (RFC 4861 §4.6.3; see [`max_redirected_hdr_len`]).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut icmpv6::Packet<T>,
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        checksum: Checksum,
    ) {
        packet.set_msg_type(self.msg_type());
        packet.set_msg_code(0);
        // RFC 4861 §4.1 - §4.5: reserved fields MUST be initialized to zero.
        packet.clear_unused();
        match *self {
            Repr::RouterSolicit { lladdr } => {
                let opts = &mut packet.bytes_mut()[ROUTER_SOLICIT_LEN..];
                if let Some(a) = lladdr {
                    NdiscOption::SourceLinkLayerAddr(a).emit(opts);
                }
            }
            Repr::RouterAdvert {
                hop_limit,
                managed,
                other,
                router_pref,
                router_lifetime,
                reachable_time,
                retrans_time,
                options,
            } => {
                let mut flags = 0;
                if managed {
                    flags |= router_flags::MANAGED;
                }
                if other {
                    flags |= router_flags::OTHER;
                }
                // RFC 4191 §2.2: with a Router Lifetime of zero the
                // preference "MUST be set to (00) by the sender".
                if router_lifetime != 0 {
                    flags |= router_pref.to_bits() << 3;
                }
                packet.set_cur_hop_limit(hop_limit);
                packet.set_router_flags(flags);
                packet.set_router_lifetime(router_lifetime);
                packet.set_reachable_time(reachable_time);
                packet.set_retrans_time(retrans_time);
                let src_opts = options.as_bytes();
                let opts = &mut packet.bytes_mut()[ROUTER_ADVERT_LEN..];
                let n = opts.len().min(src_opts.len());
                opts[..n].copy_from_slice(&src_opts[..n]);
            }
            Repr::NeighborSolicit {
                target_addr,
                lladdr,
                nonce,
            } => {
                packet.set_target_addr(target_addr);
                let mut opts = &mut packet.bytes_mut()[NEIGHBOR_LEN..];
                if let Some(a) = lladdr {
                    let n = NdiscOption::SourceLinkLayerAddr(a).emit(opts);
                    opts = &mut opts[n..];
                }
                if let Some(nonce) = nonce {
                    NdiscOption::Nonce(&nonce).emit(opts);
                }
            }
            Repr::NeighborAdvert {
                router,
                solicited,
                override_,
                target_addr,
                lladdr,
            } => {
                let mut flags = 0;
                if router {
                    flags |= neighbor_flags::ROUTER;
                }
                if solicited {
                    flags |= neighbor_flags::SOLICITED;
                }
                if override_ {
                    flags |= neighbor_flags::OVERRIDE;
                }
                packet.set_neighbor_flags(flags);
                packet.set_target_addr(target_addr);
                if let Some(a) = lladdr {
                    NdiscOption::TargetLinkLayerAddr(a)
                        .emit(&mut packet.bytes_mut()[NEIGHBOR_LEN..]);
                }
            }
            Repr::Redirect {
                target_addr,
                dest_addr,
                lladdr,
                redirected_hdr,
            } => {
                packet.set_target_addr(target_addr);
                packet.set_dest_addr(dest_addr);
                let mut opts = &mut packet.bytes_mut()[REDIRECT_LEN..];
                if let Some(a) = lladdr {
                    let n = NdiscOption::TargetLinkLayerAddr(a).emit(opts);
                    opts = &mut opts[n..];
                }
                if let Some(h) = redirected_hdr {
                    NdiscOption::RedirectedHeader(h).emit(opts);
                }
            }
        }
        packet.finish_checksum(src, dst, checksum);
    }
}

/// RFC 4861 §4.6.3: the most bytes of the redirected packet a Redirect may
/// carry so that the whole IPv6 packet (40-byte header, no extension
/// headers) fits in the minimum MTU, with or without a Target Link-layer
/// Address option. A multiple of 8, so that no padding is added.
pub const fn max_redirected_hdr_len(with_lladdr: bool) -> usize {
    let opt = if with_lladdr { 8 } else { 0 };
    // 40 (IPv6) + 40 (Redirect) + lladdr + 8 (option header + reserved).
    icmpv6::IPV6_MIN_MTU - 40 - REDIRECT_LEN - opt - 8
}
