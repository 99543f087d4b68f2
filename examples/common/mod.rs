//! Helpers shared by the examples and the simulation tests (`tests/sim.rs`
//! includes this file with `#[path]`): an interface with owned storage, the
//! UDP services (echo, discard, daytime), the TCP services (echo, discard,
//! daytime, chargen: [`tcp`]), the EUI-64 link-local address, and a node of
//! a simulated network driven by a virtual clock.
#![allow(dead_code)]

pub mod host;
pub mod tcp;

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv6Addr};
use std::time::SystemTime;

use ferrotcp::config::Config;
use ferrotcp::device::{Device, DeviceCapabilities};
use ferrotcp::iface::{Interface, InterfaceStorage};
use ferrotcp::socket::udp::{self, UdpMetadata};
use ferrotcp::socket::{SocketHandle, SocketSet};
use ferrotcp::storage::PacketMetadata;
use ferrotcp::time::Instant;
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr, Ipv6Cidr};
use ferrotcp_phy::sim::{SimNetwork, SimPort};

/// RFC 862: the echo service.
pub const ECHO_PORT: u16 = 7;
/// RFC 863: the discard service.
pub const DISCARD_PORT: u16 = 9;
/// RFC 867: the daytime service.
pub const DAYTIME_PORT: u16 = 13;

/// The largest UDP payload (65,535 − 8 bytes of UDP header − 20 of IPv4
/// header): what a service socket must be able to hold.
pub const MAX_UDP_PAYLOAD: usize = 65_507;

/// Neighbour cache entries of an example interface.
const NEIGHBORS: usize = 16;
/// Packets queued while neighbours resolve (RFC 1122 §2.3.2.2), and the
/// least room for each (a full packet at the MTU, at least 1500 bytes).
const PENDING: usize = 16;
const PENDING_SLOT_BYTES: usize = 1_500;
/// Datagrams reassembled at once.
const REASSEMBLY_SLOTS: usize = 4;
/// The largest datagram reassembled or fragmented: any IP datagram.
const MAX_DATAGRAM: usize = 65_535;

/// The IPv6 link-local address of an interface with hardware address `mac`:
/// `fe80::/64` and the modified EUI-64 interface identifier (RFC 4291
/// §2.5.1 and Appendix A: insert `ff:fe` in the middle and invert the
/// universal/local bit; RFC 4862 §5.3).
pub fn eui64_link_local(mac: EthernetAddress) -> Ipv6Addr {
    let m = mac.0;
    Ipv6Addr::from([
        0xfe,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        m[0] ^ 0x02,
        m[1],
        m[2],
        0xff,
        0xfe,
        m[3],
        m[4],
        m[5],
    ])
}

/// [`eui64_link_local`] with its /64 prefix.
pub fn eui64_link_local_cidr(mac: EthernetAddress) -> Ipv6Cidr {
    // A /64 is always a valid prefix length.
    Ipv6Cidr::new(eui64_link_local(mac), 64).expect("64 is a valid IPv6 prefix length")
}

/// An interface for a device of `caps`, with all its storage owned (heap):
/// a 16-entry neighbour cache queueing up to 16 packets while neighbours
/// resolve, 4 reassembly slots of 64 KiB, a 64 KiB scratch buffer.
pub fn new_interface(
    config: Config,
    caps: DeviceCapabilities,
    mac: EthernetAddress,
    now: Instant,
) -> Interface<'static> {
    let storage = InterfaceStorage::owned(
        NEIGHBORS,
        PENDING,
        caps.ip_mtu().max(PENDING_SLOT_BYTES),
        REASSEMBLY_SLOTS,
        MAX_DATAGRAM,
    );
    Interface::new(config, caps, mac, storage, now)
}

/// A UDP socket holding up to `datagrams` datagrams of `bytes` bytes in
/// total in each direction.
pub fn udp_socket(datagrams: usize, bytes: usize) -> udp::Socket<'static> {
    let rx = udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; datagrams], vec![0u8; bytes]);
    let tx = udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; datagrams], vec![0u8; bytes]);
    udp::Socket::new(rx, tx)
}

/// What the services did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceCounters {
    /// Datagrams echoed (RFC 862).
    pub echoed: u64,
    /// Bytes echoed.
    pub echoed_bytes: u64,
    /// Datagrams discarded (RFC 863).
    pub discarded: u64,
    /// Daytime replies sent (RFC 867).
    pub daytime: u64,
    /// Replies that did not fit the transmit buffer (dropped).
    pub send_failures: u64,
    /// ICMP errors the service sockets received (e.g. port unreachable for
    /// a reply whose client had gone).
    pub icmp_errors: u64,
}

/// One thing a service did, for logging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceEvent {
    /// A datagram of `len` bytes from `from` was echoed.
    Echo {
        /// Who sent it.
        from: ferrotcp::socket::IpEndpoint,
        /// Its length.
        len: usize,
    },
    /// A datagram of `len` bytes from `from` was discarded.
    Discard {
        /// Who sent it.
        from: ferrotcp::socket::IpEndpoint,
        /// Its length.
        len: usize,
    },
    /// The time `text` was sent to `to`.
    Daytime {
        /// Who asked.
        to: ferrotcp::socket::IpEndpoint,
        /// What was sent.
        text: String,
    },
    /// A reply to `to` was dropped: no room in the transmit buffer.
    SendFailed {
        /// Who it was for.
        to: ferrotcp::socket::IpEndpoint,
    },
}

/// The UDP echo (7), discard (9) and daytime (13) services, for IPv4 and
/// IPv6 alike (each socket is bound to its port on every address).
#[derive(Debug)]
pub struct Services {
    echo: SocketHandle,
    discard: SocketHandle,
    daytime: SocketHandle,
    counters: ServiceCounters,
}

impl Services {
    /// Open the three service sockets in `sockets`.
    pub fn new(sockets: &mut SocketSet<'static>) -> Services {
        let open = |sockets: &mut SocketSet<'static>, port: u16, datagrams, bytes| {
            let mut s = udp_socket(datagrams, bytes);
            s.bind(port)
                .expect("a fresh socket binds to a non-zero port");
            sockets
                .add(s)
                .expect("the socket set grows (owned storage)")
        };
        Services {
            // Room for a few full-size datagrams in flight.
            echo: open(sockets, ECHO_PORT, 32, 4 * (MAX_UDP_PAYLOAD + 1)),
            discard: open(sockets, DISCARD_PORT, 32, 4 * (MAX_UDP_PAYLOAD + 1)),
            daytime: open(sockets, DAYTIME_PORT, 16, 16 * 1024),
            counters: ServiceCounters::default(),
        }
    }

    /// The counters so far.
    pub fn counters(&self) -> ServiceCounters {
        self.counters
    }

    /// Answer every datagram waiting on the service sockets. `daytime`
    /// gives the text of a daytime reply; `event` hears what happened.
    /// Returns how many datagrams were handled.
    pub fn serve(
        &mut self,
        sockets: &mut SocketSet<'static>,
        daytime: impl Fn() -> String,
        mut event: impl FnMut(ServiceEvent),
    ) -> usize {
        let mut handled = 0;
        let c = &mut self.counters;

        // RFC 862: "any data received is sent back", as one datagram, from
        // the address it was sent to.
        if let Ok(s) = sockets.get_mut::<udp::Socket>(self.echo) {
            while s.can_recv() {
                let Ok((data, meta)) = s.recv() else { break };
                let data = data.to_vec();
                handled += 1;
                let reply = reply_meta(&meta);
                if s.send_slice(&data, reply).is_ok() {
                    c.echoed += 1;
                    c.echoed_bytes += data.len() as u64;
                    event(ServiceEvent::Echo {
                        from: meta.endpoint,
                        len: data.len(),
                    });
                } else {
                    c.send_failures += 1;
                    event(ServiceEvent::SendFailed { to: meta.endpoint });
                }
            }
            while s.take_error().is_some() {
                c.icmp_errors += 1;
            }
        }

        // RFC 863: "simply throw away any data received".
        if let Ok(s) = sockets.get_mut::<udp::Socket>(self.discard) {
            while let Ok((data, meta)) = s.recv() {
                handled += 1;
                c.discarded += 1;
                event(ServiceEvent::Discard {
                    from: meta.endpoint,
                    len: data.len(),
                });
            }
            while s.take_error().is_some() {
                c.icmp_errors += 1;
            }
        }

        // RFC 867: any datagram is answered with the date and time.
        if let Ok(s) = sockets.get_mut::<udp::Socket>(self.daytime) {
            while let Ok((_, meta)) = s.recv() {
                handled += 1;
                let text = daytime();
                if s.send_slice(text.as_bytes(), reply_meta(&meta)).is_ok() {
                    c.daytime += 1;
                    event(ServiceEvent::Daytime {
                        to: meta.endpoint,
                        text,
                    });
                } else {
                    c.send_failures += 1;
                    event(ServiceEvent::SendFailed { to: meta.endpoint });
                }
            }
            while s.take_error().is_some() {
                c.icmp_errors += 1;
            }
        }
        handled
    }
}

/// Reply to the sender, from the address the request was sent to.
fn reply_meta(received: &UdpMetadata) -> UdpMetadata {
    UdpMetadata {
        local_address: received.local_address,
        ..UdpMetadata::from(received.endpoint)
    }
}

/// The time `t` as RFC 867 suggests ("Weekday, Month Day, Year
/// HH:MM:SS-Zone"), in UTC, with CR LF.
pub fn daytime_text(t: SystemTime) -> String {
    const DAYS: [&str; 7] = [
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_date(days);
    let mut s = String::new();
    let _ = write!(
        s,
        "{}, {} {}, {} {:02}:{:02}:{:02}-UTC\r\n",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        day,
        year,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    s
}

/// The proleptic Gregorian (year, month 1..=12, day 1..=31) of the day
/// `days` after 1970-01-01: count whole 400-year eras (146,097 days) from
/// 0000-03-01, so the leap day is the last day of each shifted year.
fn civil_date(days: u64) -> (u64, u64, u64) {
    // 1970-01-01 is day 719,468 after 0000-03-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months counted from March, 153 days per 5 months.
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The address family of `a`, for printing.
pub fn family(a: &IpAddr) -> &'static str {
    match a {
        IpAddr::V4(_) => "IPv4",
        IpAddr::V6(_) => "IPv6",
    }
}

/// One stack on a simulated network: an interface, its port, its sockets.
#[derive(Debug)]
pub struct SimNode {
    /// The interface.
    pub iface: Interface<'static>,
    /// Its port on the network (the device).
    pub port: SimPort,
    /// Its sockets.
    pub sockets: SocketSet<'static>,
}

impl SimNode {
    /// A node on `net` with hardware address `mac`, the given addresses,
    /// and the EUI-64 link-local address when it has an IPv6 address.
    pub fn new(
        net: &SimNetwork,
        seed: u64,
        mac: EthernetAddress,
        ip4: Option<Ipv4Cidr>,
        ip6: Option<Ipv6Cidr>,
    ) -> SimNode {
        let port = net.add_port();
        let caps = port.capabilities();
        let mut iface = new_interface(Config::with_seed(seed), caps, mac, Instant::ZERO);
        if let Some(a) = ip4 {
            iface.add_ipv4_addr(a).expect("room for an IPv4 address");
        }
        if let Some(a) = ip6 {
            iface
                .add_ipv6_addr(eui64_link_local_cidr(mac))
                .expect("room for a link-local address");
            iface.add_ipv6_addr(a).expect("room for an IPv6 address");
        }
        SimNode {
            iface,
            port,
            sockets: SocketSet::new(Vec::new()),
        }
    }

    /// One `poll` of the interface at `now`.
    pub fn poll(&mut self, now: Instant) {
        self.iface.poll(now, &mut self.port, &mut self.sockets);
    }

    /// When the interface next needs a poll.
    pub fn poll_at(&mut self, now: Instant) -> Option<Instant> {
        self.iface.poll_at(now, &mut self.sockets)
    }
}

/// The next instant anything happens on a simulated network: the earliest
/// of the nodes' `poll_at`s and the network's next delivery, never before
/// `now`. `None`: nothing will ever happen without new input.
pub fn next_event(now: Instant, net: &SimNetwork, nodes: &mut [&mut SimNode]) -> Option<Instant> {
    nodes
        .iter_mut()
        .filter_map(|n| n.poll_at(now))
        .chain(net.next_delivery())
        .min()
        .map(|t| t.max(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4291_appendix_a_modified_eui64() {
        let mac = EthernetAddress([0x02, 0x77, 0x00, 0x00, 0x00, 0x02]);
        assert_eq!(
            eui64_link_local(mac),
            "fe80::77:ff:fe00:2".parse::<Ipv6Addr>().unwrap()
        );
        let mac = EthernetAddress([0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde]);
        assert_eq!(
            eui64_link_local(mac),
            "fe80::3656:78ff:fe9a:bcde".parse::<Ipv6Addr>().unwrap()
        );
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(11_016), (2000, 2, 29));
        assert_eq!(civil_date(20_418), (2025, 11, 26));
    }
}
