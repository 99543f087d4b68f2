//! The next-hop cache (`HopCache`): a reply or datagram after a change of
//! the neighbour cache, the routes, the addresses or the clock goes where
//! the uncached lookup sends it. Each test first sends once to fill the
//! cache, then changes one input and checks the next frame's destination.

use core::net::{IpAddr, Ipv4Addr};
use std::vec;
use std::vec::Vec;

use super::device::{TestDevice, eth};
use super::ipv4::{
    OUR_IP, OUR_MAC, PEER_IP, PEER_MAC, arp_frame, echo_request, ip_of, ipv4_packet, learn_peer,
    setup, t,
};
use crate::iface::Interface;
use crate::iface::Route;
use crate::iface::neighbor::NudState;
use crate::socket::udp::{PacketBuffer, Socket as UdpSocket};
use crate::socket::{IpEndpoint, SocketHandle, SocketSet};
use crate::storage::PacketMetadata;
use crate::time::Instant;
use crate::wire::{EthernetAddress, IpCidr, IpProtocol, Ipv4Cidr, arp, ethernet};

const GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 254);
const GATEWAY_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0xfe]);
const GATEWAY2: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 253);
const GATEWAY2_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0xfd]);
const NEW_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x22]);

/// An echo request from `src` (through link address `from`) answered at
/// `now`: the destination MAC of the one frame sent.
fn echo_reply_mac(
    iface: &mut Interface<'static>,
    dev: &mut TestDevice,
    sockets: &mut SocketSet<'static>,
    from: EthernetAddress,
    src: Ipv4Addr,
    now: Instant,
) -> EthernetAddress {
    dev.rx.push_back(eth(
        OUR_MAC,
        from,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(src, OUR_IP, IpProtocol::Icmp, &echo_request(9, 1, b"hop")),
    ));
    iface.poll(now, dev, sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1, "one echo reply");
    let (e, ip, _) = ip_of(&tx[0]);
    assert_eq!(ip.dst_addr, src);
    e.dst_addr
}

/// Teach the interface `ip` at `mac` with an ARP request for our address.
fn learn(
    iface: &mut Interface<'static>,
    dev: &mut TestDevice,
    sockets: &mut SocketSet<'static>,
    ip: Ipv4Addr,
    mac: EthernetAddress,
    now: Instant,
) {
    dev.rx.push_back(arp_frame(
        arp::Operation::Request,
        mac,
        ip,
        EthernetAddress::UNSPECIFIED,
        OUR_IP,
        EthernetAddress::BROADCAST,
    ));
    iface.poll(now, dev, sockets);
    dev.take_tx();
}

fn udp_socket(sockets: &mut SocketSet<'static>) -> SocketHandle {
    let mut s = UdpSocket::new(
        PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 2048]),
        PacketBuffer::new(vec![PacketMetadata::EMPTY; 4], vec![0u8; 2048]),
    );
    s.bind(7000).unwrap();
    sockets.add(s).unwrap()
}

/// A datagram from the socket to `dst` sent at `now`: the destination MAC
/// of the one frame sent.
fn datagram_mac(
    iface: &mut Interface<'static>,
    dev: &mut TestDevice,
    sockets: &mut SocketSet<'static>,
    h: SocketHandle,
    dst: Ipv4Addr,
    now: Instant,
) -> EthernetAddress {
    let s = sockets.get_mut::<UdpSocket>(h).unwrap();
    s.send_slice(b"x", IpEndpoint::new(IpAddr::V4(dst), 9))
        .unwrap();
    iface.poll(now, dev, sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1, "one datagram");
    let (e, ip, _) = ip_of(&tx[0]);
    assert_eq!(ip.dst_addr, dst);
    e.dst_addr
}

/// RFC 826 / RFC 4861 §7.3.3: a neighbour's new link address is used from
/// the next packet on.
#[test]
fn neighbor_new_mac_is_used_at_once() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    for ms in [1, 2] {
        let mac = echo_reply_mac(&mut iface, &mut dev, &mut sockets, PEER_MAC, PEER_IP, t(ms));
        assert_eq!(mac, PEER_MAC);
    }
    // The peer announces a new MAC (its NIC was replaced).
    learn(&mut iface, &mut dev, &mut sockets, PEER_IP, NEW_MAC, t(3));
    let mac = echo_reply_mac(&mut iface, &mut dev, &mut sockets, NEW_MAC, PEER_IP, t(4));
    assert_eq!(mac, NEW_MAC);
}

/// A neighbour removed from the cache is resolved again (an ARP request),
/// not answered from the next-hop cache.
#[test]
fn neighbor_removed_is_resolved_again() {
    let (mut iface, mut dev, mut sockets) = setup();
    learn_peer(&mut iface, &mut dev, &mut sockets);
    let mac = echo_reply_mac(&mut iface, &mut dev, &mut sockets, PEER_MAC, PEER_IP, t(1));
    assert_eq!(mac, PEER_MAC);
    assert!(iface.inner.neighbors.remove(IpAddr::V4(PEER_IP)));
    dev.rx.push_back(eth(
        OUR_MAC,
        PEER_MAC,
        ethernet::EtherType::Ipv4,
        &ipv4_packet(
            PEER_IP,
            OUR_IP,
            IpProtocol::Icmp,
            &echo_request(9, 2, b"hop"),
        ),
    ));
    iface.poll(t(2), &mut dev, &mut sockets);
    let tx = dev.take_tx();
    assert_eq!(tx.len(), 1);
    let f = ethernet::Frame::new_checked(&tx[0][..]).unwrap();
    assert_eq!(
        f.ethertype(),
        Some(ethernet::EtherType::Arp),
        "resolving again"
    );
}

/// RFC 4861 §7.3.3: once ReachableTime has passed, the next packet moves
/// a REACHABLE entry to DELAY — also when the packet before it went out
/// through the next-hop cache.
#[test]
fn reachable_time_ends_for_cached_neighbor() {
    let (mut iface, mut dev, mut sockets) = setup();
    // A unicast ARP reply answers a request of ours: REACHABLE.
    dev.rx.push_back(arp_frame(
        arp::Operation::Reply,
        PEER_MAC,
        PEER_IP,
        OUR_MAC,
        OUR_IP,
        OUR_MAC,
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    let info = |iface: &Interface<'static>| iface.inner.neighbors.get(IpAddr::V4(PEER_IP)).unwrap();
    assert_eq!(info(&iface).state, NudState::Reachable);
    let end = info(&iface).deadline.unwrap();
    for ms in [1, 2] {
        echo_reply_mac(&mut iface, &mut dev, &mut sockets, PEER_MAC, PEER_IP, t(ms));
        assert_eq!(info(&iface).state, NudState::Reachable);
    }
    let mac = echo_reply_mac(&mut iface, &mut dev, &mut sockets, PEER_MAC, PEER_IP, end);
    assert_eq!(mac, PEER_MAC);
    assert_eq!(info(&iface).state, NudState::Delay);
}

/// A removed route no longer carries packets: the next one takes the
/// route that remains.
#[test]
fn route_removed_is_not_used() {
    let (mut iface, mut dev, mut sockets) = setup();
    let far = Ipv4Addr::new(172, 16, 0, 9);
    let special = IpCidr::V4(Ipv4Cidr::new(Ipv4Addr::new(172, 16, 0, 0), 16).unwrap());
    iface.routes_mut().add_default_ipv4_route(GATEWAY).unwrap();
    iface
        .routes_mut()
        .add(Route {
            cidr: special,
            via_router: Some(IpAddr::V4(GATEWAY2)),
            expires_at: None,
        })
        .unwrap();
    learn(
        &mut iface,
        &mut dev,
        &mut sockets,
        GATEWAY,
        GATEWAY_MAC,
        t(0),
    );
    learn(
        &mut iface,
        &mut dev,
        &mut sockets,
        GATEWAY2,
        GATEWAY2_MAC,
        t(0),
    );
    let h = udp_socket(&mut sockets);
    for ms in [1, 2] {
        let mac = datagram_mac(&mut iface, &mut dev, &mut sockets, h, far, t(ms));
        assert_eq!(mac, GATEWAY2_MAC);
    }
    assert!(iface.routes_mut().remove(&special).is_some());
    let mac = datagram_mac(&mut iface, &mut dev, &mut sockets, h, far, t(3));
    assert_eq!(mac, GATEWAY_MAC, "the default route");
}

/// A route whose lifetime ended carries no packet, even one sent before
/// the poll's timers remove it (a reply written while the request is
/// still lent).
#[test]
fn route_expired_is_not_used() {
    let (mut iface, mut dev, mut sockets) = setup();
    let far = Ipv4Addr::new(172, 16, 0, 9);
    iface.routes_mut().add_default_ipv4_route(GATEWAY).unwrap();
    iface
        .routes_mut()
        .add(Route {
            cidr: IpCidr::V4(Ipv4Cidr::new(Ipv4Addr::new(172, 16, 0, 0), 16).unwrap()),
            via_router: Some(IpAddr::V4(GATEWAY2)),
            expires_at: Some(t(100)),
        })
        .unwrap();
    learn(
        &mut iface,
        &mut dev,
        &mut sockets,
        GATEWAY,
        GATEWAY_MAC,
        t(0),
    );
    learn(
        &mut iface,
        &mut dev,
        &mut sockets,
        GATEWAY2,
        GATEWAY2_MAC,
        t(0),
    );
    for ms in [1, 2] {
        let mac = echo_reply_mac(&mut iface, &mut dev, &mut sockets, GATEWAY2_MAC, far, t(ms));
        assert_eq!(mac, GATEWAY2_MAC);
    }
    let mac = echo_reply_mac(
        &mut iface,
        &mut dev,
        &mut sockets,
        GATEWAY2_MAC,
        far,
        t(100),
    );
    assert_eq!(mac, GATEWAY_MAC, "the default route");
}

/// A destination that stops being on-link (its network's address was
/// removed) goes through the gateway.
#[test]
fn address_removed_ends_on_link_delivery() {
    let (mut iface, mut dev, mut sockets) = setup();
    let other = Ipv4Addr::new(192, 168, 7, 1);
    let host = Ipv4Addr::new(192, 168, 7, 5);
    iface
        .add_ipv4_addr(Ipv4Cidr::new(other, 24).unwrap())
        .unwrap();
    iface.routes_mut().add_default_ipv4_route(GATEWAY).unwrap();
    learn(
        &mut iface,
        &mut dev,
        &mut sockets,
        GATEWAY,
        GATEWAY_MAC,
        t(0),
    );
    // `host` asks for `other`: learnt on-link.
    dev.rx.push_back(arp_frame(
        arp::Operation::Request,
        NEW_MAC,
        host,
        EthernetAddress::UNSPECIFIED,
        other,
        EthernetAddress::BROADCAST,
    ));
    iface.poll(t(0), &mut dev, &mut sockets);
    dev.take_tx();
    let h = udp_socket(&mut sockets);
    for ms in [1, 2] {
        let mac = datagram_mac(&mut iface, &mut dev, &mut sockets, h, host, t(ms));
        assert_eq!(mac, NEW_MAC);
    }
    assert!(iface.remove_ipv4_addr(other));
    let mac = datagram_mac(&mut iface, &mut dev, &mut sockets, h, host, t(3));
    assert_eq!(mac, GATEWAY_MAC, "off-link now");
}

/// A datagram to the subnet broadcast address of a network added after
/// unicast traffic went out goes to the broadcast MAC.
#[test]
fn address_added_makes_subnet_broadcast() {
    let (mut iface, mut dev, mut sockets) = setup();
    let bcast = Ipv4Addr::new(192, 168, 7, 255);
    iface.routes_mut().add_default_ipv4_route(GATEWAY).unwrap();
    learn(
        &mut iface,
        &mut dev,
        &mut sockets,
        GATEWAY,
        GATEWAY_MAC,
        t(0),
    );
    let h = udp_socket(&mut sockets);
    for ms in [1, 2] {
        let mac = datagram_mac(&mut iface, &mut dev, &mut sockets, h, bcast, t(ms));
        assert_eq!(mac, GATEWAY_MAC);
    }
    iface
        .add_ipv4_addr(Ipv4Cidr::new(Ipv4Addr::new(192, 168, 7, 1), 24).unwrap())
        .unwrap();
    let mac = datagram_mac(&mut iface, &mut dev, &mut sockets, h, bcast, t(3));
    assert_eq!(mac, EthernetAddress::BROADCAST);
}

/// Packets to different destinations each go to their own neighbour (the
/// cache holds one; a miss resolves).
#[test]
fn destinations_alternate() {
    let (mut iface, mut dev, mut sockets) = setup();
    let other = Ipv4Addr::new(10, 0, 0, 3);
    learn(&mut iface, &mut dev, &mut sockets, PEER_IP, PEER_MAC, t(0));
    learn(&mut iface, &mut dev, &mut sockets, other, NEW_MAC, t(0));
    let h = udp_socket(&mut sockets);
    let mut seen: Vec<EthernetAddress> = Vec::new();
    for ms in 1..=4 {
        let dst = if ms % 2 == 1 { PEER_IP } else { other };
        seen.push(datagram_mac(
            &mut iface,
            &mut dev,
            &mut sockets,
            h,
            dst,
            t(ms),
        ));
    }
    assert_eq!(seen, [PEER_MAC, NEW_MAC, PEER_MAC, NEW_MAC]);
}
