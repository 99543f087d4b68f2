//! Tests for the DHCPv4 view, options and Repr.
//!
//! Every vector is built by hand from the field layout of RFC 2131 §2
//! (figure 1) and the option encodings of RFC 2132 / RFC 3442 / RFC 4039:
//! `header()` writes the fixed part field by field, the options are
//! listed byte by byte beside the option they encode, and `pad300()` adds
//! the zero padding of RFC 1542 §2.1.

use super::*;
use crate::wire::address::Ipv4Cidr;
use proptest::prelude::*;
extern crate alloc;
use alloc::vec;
use alloc::vec::Vec;

const MAC: [u8; 6] = [0x02, 0x00, 0x5e, 0x10, 0x20, 0x30];
const XID: [u8; 4] = [0x1f, 0x2e, 0x3d, 0x4c];
const SERVER: [u8; 4] = [192, 168, 7, 1];
const YOUR: [u8; 4] = [192, 168, 7, 23];

/// The 240-byte fixed part: op, htype 1, hlen 6, hops 0, xid, secs,
/// flags, ciaddr, yiaddr, siaddr, giaddr, chaddr (MAC + 10 zeros), sname
/// and file all zero, then the magic cookie 99.130.83.99.
#[allow(clippy::too_many_arguments)]
fn header(
    op: u8,
    secs: u16,
    flags: u16,
    ciaddr: [u8; 4],
    yiaddr: [u8; 4],
    siaddr: [u8; 4],
    giaddr: [u8; 4],
) -> Vec<u8> {
    let mut v = vec![op, 1, 6, 0];
    v.extend_from_slice(&XID);
    v.extend_from_slice(&secs.to_be_bytes());
    v.extend_from_slice(&flags.to_be_bytes());
    for a in [ciaddr, yiaddr, siaddr, giaddr] {
        v.extend_from_slice(&a);
    }
    v.extend_from_slice(&MAC);
    v.extend_from_slice(&[0; 10]);
    v.extend_from_slice(&[0; 64]); // sname
    v.extend_from_slice(&[0; 128]); // file
    v.extend_from_slice(&[99, 130, 83, 99]);
    assert_eq!(v.len(), 240);
    v
}

/// Append the options (which end with End) and pad with zeros to 300.
fn pad300(mut v: Vec<u8>, opts: &[u8]) -> Vec<u8> {
    v.extend_from_slice(opts);
    if v.len() < 300 {
        v.resize(300, 0);
    }
    v
}

/// DHCPDISCOVER, broadcast flag set, secs 3.
fn discover_opts() -> Vec<u8> {
    let mut o = vec![53, 1, 1]; // message type: Discover
    o.extend_from_slice(&[61, 7, 1]); // client id: type 1 (Ethernet) + MAC
    o.extend_from_slice(&MAC);
    o.extend_from_slice(&[55, 5, 1, 3, 6, 15, 121]); // PRL
    o.extend_from_slice(&[57, 2, 0x05, 0xdc]); // max size 1500
    o.extend_from_slice(&[12, 4, b'f', b't', b'c', b'p']); // host name
    o.extend_from_slice(&[80, 0]); // rapid commit
    o.push(255);
    o
}
fn discover() -> Vec<u8> {
    pad300(
        header(1, 3, 0x8000, [0; 4], [0; 4], [0; 4], [0; 4]),
        &discover_opts(),
    )
}

/// DHCPOFFER of 192.168.7.23 from 192.168.7.1.
fn offer_opts() -> Vec<u8> {
    let mut o = vec![53, 1, 2]; // Offer
    o.extend_from_slice(&[54, 4, 192, 168, 7, 1]); // server id
    o.extend_from_slice(&[61, 7, 1]); // client id echoed (RFC 6842)
    o.extend_from_slice(&MAC);
    o.extend_from_slice(&[51, 4, 0, 0, 0x0e, 0x10]); // lease 3600 s
    o.extend_from_slice(&[58, 4, 0, 0, 0x07, 0x08]); // T1 1800 s
    o.extend_from_slice(&[59, 4, 0, 0, 0x0c, 0x4e]); // T2 3150 s
    o.extend_from_slice(&[1, 4, 255, 255, 255, 0]); // subnet mask /24
    o.extend_from_slice(&[3, 4, 192, 168, 7, 1]); // router
    o.extend_from_slice(&[6, 8, 192, 168, 7, 1, 9, 9, 9, 9]); // DNS x2
    o.push(255);
    o
}
fn offer() -> Vec<u8> {
    pad300(
        header(2, 0, 0x8000, [0; 4], YOUR, SERVER, [0; 4]),
        &offer_opts(),
    )
}

/// RFC 3442 routes of the Ack: 10.0.0.0/8 via .254 (width 8, one octet),
/// default via .1 (width 0, no octet), 172.16.32.0/20 via .2 (width 20,
/// three octets), 192.168.7.9/32 on-link (width 32, four octets, router 0).
const ROUTES: [u8; 28] = [
    8, 10, 192, 168, 7, 254, //
    0, 192, 168, 7, 1, //
    20, 172, 16, 32, 192, 168, 7, 2, //
    32, 192, 168, 7, 9, 0, 0, 0, 0,
];
/// DHCPACK with classless static routes, to a renewing client (ciaddr
/// set, unicast).
fn ack_opts() -> Vec<u8> {
    let mut o = vec![53, 1, 5]; // Ack
    o.extend_from_slice(&[54, 4, 192, 168, 7, 1]); // server id
    o.extend_from_slice(&[51, 4, 0, 1, 0x51, 0x80]); // lease 86400 s
    o.extend_from_slice(&[1, 4, 255, 255, 255, 0]); // subnet mask
    o.extend_from_slice(&[15, 7, b'e', b'x', b'a', b'm', b'p', b'l', b'e']); // domain
    o.extend_from_slice(&[121, 28]); // classless routes
    o.extend_from_slice(&ROUTES);
    o.extend_from_slice(&[116, 1, 0]); // do not auto-configure
    o.push(255);
    o
}
fn ack() -> Vec<u8> {
    pad300(header(2, 0, 0, YOUR, YOUR, [0; 4], [0; 4]), &ack_opts())
}

/// DHCPNAK with a message.
fn nak_opts() -> Vec<u8> {
    let mut o = vec![53, 1, 6]; // Nak
    o.extend_from_slice(&[54, 4, 192, 168, 7, 1]); // server id
    o.extend_from_slice(&[56, 9]); // message
    o.extend_from_slice(b"bad lease");
    o.push(255);
    o
}
fn nak() -> Vec<u8> {
    pad300(
        header(2, 0, 0x8000, [0; 4], [0; 4], [0; 4], [0; 4]),
        &nak_opts(),
    )
}

/// DHCPOFFER with Option Overload 3: message type + overload in the
/// options field, server id + lease in `file`, mask + router in `sname`.
fn overloaded() -> Vec<u8> {
    let mut v = header(2, 0, 0, [0; 4], YOUR, SERVER, [0; 4]);
    // file: bytes 108..236
    let file = [54, 4, 192, 168, 7, 1, 51, 4, 0, 0, 0x0e, 0x10, 255];
    v[108..108 + file.len()].copy_from_slice(&file);
    // sname: bytes 44..108, with a Pad before the first option.
    let sname = [0, 1, 4, 255, 255, 255, 0, 3, 4, 192, 168, 7, 1, 255];
    v[44..44 + sname.len()].copy_from_slice(&sname);
    pad300(v, &[53, 1, 2, 52, 1, 3, 255])
}

fn parse(b: &[u8]) -> Result<Repr<'_>> {
    Repr::parse(&Packet::new_checked(b)?)
}

fn mac() -> EthernetAddress {
    EthernetAddress(MAC)
}

fn client_id() -> [u8; 7] {
    [1, MAC[0], MAC[1], MAC[2], MAC[3], MAC[4], MAC[5]]
}

fn discover_repr(cid: &[u8]) -> Repr<'_> {
    Repr {
        secs: 3,
        broadcast: true,
        client_identifier: Some(cid),
        parameter_request_list: Some(&[1, 3, 6, 15, 121]),
        max_size: Some(1500),
        host_name: Some(b"ftcp"),
        rapid_commit: true,
        ..Repr::new(MessageType::Discover, 0x1f2e3d4c, mac())
    }
}

fn offer_repr(cid: &[u8]) -> Repr<'_> {
    Repr {
        broadcast: true,
        your_ip: Ipv4Addr::from(YOUR),
        server_ip: Ipv4Addr::from(SERVER),
        server_identifier: Some(Ipv4Addr::from(SERVER)),
        client_identifier: Some(cid),
        lease_duration: Some(3600),
        renew_duration: Some(1800),
        rebind_duration: Some(3150),
        subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
        router: heapless::Vec::from_slice(&[Ipv4Addr::from(SERVER)]).unwrap(),
        dns_servers: heapless::Vec::from_slice(&[
            Ipv4Addr::from(SERVER),
            Ipv4Addr::new(9, 9, 9, 9),
        ])
        .unwrap(),
        ..Repr::new(MessageType::Offer, 0x1f2e3d4c, mac())
    }
}

fn ack_repr() -> Repr<'static> {
    Repr {
        client_ip: Ipv4Addr::from(YOUR),
        your_ip: Ipv4Addr::from(YOUR),
        server_identifier: Some(Ipv4Addr::from(SERVER)),
        lease_duration: Some(86400),
        subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
        domain_name: Some(b"example"),
        classless_static_routes: Some(&ROUTES),
        auto_configure: Some(AutoConfigure::DoNotAutoConfigure),
        ..Repr::new(MessageType::Ack, 0x1f2e3d4c, mac())
    }
}

fn nak_repr() -> Repr<'static> {
    Repr {
        broadcast: true,
        server_identifier: Some(Ipv4Addr::from(SERVER)),
        message: Some(b"bad lease"),
        ..Repr::new(MessageType::Nak, 0x1f2e3d4c, mac())
    }
}

/// (vector, offset just past its End in the options field)
fn vectors() -> Vec<(Vec<u8>, usize)> {
    vec![
        (discover(), 240 + discover_opts().len()),
        (offer(), 240 + offer_opts().len()),
        (ack(), 240 + ack_opts().len()),
        (nak(), 240 + nak_opts().len()),
        (overloaded(), 247),
    ]
}

fn emit_vec(r: &Repr) -> Vec<u8> {
    let mut buf = vec![0xa5; r.buffer_len()];
    r.emit(&mut Packet::new_unchecked(&mut buf[..])).unwrap();
    buf
}

#[test]
fn discover_view() {
    let b = discover();
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.opcode(), OpCode::Request);
    assert_eq!(p.hardware_type(), 1);
    assert_eq!(p.hardware_len(), 6);
    assert_eq!(p.hops(), 0);
    assert_eq!(p.transaction_id(), 0x1f2e3d4c);
    assert_eq!(p.secs(), 3);
    assert_eq!(p.flags(), 0x8000);
    assert!(p.broadcast_flag());
    assert_eq!(p.client_ip(), Ipv4Addr::UNSPECIFIED);
    assert_eq!(p.client_hardware_address(), Some(mac()));
    assert_eq!(&p.client_hardware_field()[6..], &[0; 10]);
    assert_eq!(p.magic_number(), MAGIC_COOKIE);
    assert_eq!(p.server_name(), &[0; 64][..]);
    assert_eq!(p.boot_file(), &[0; 128][..]);
    let opts: Vec<_> = p.options().collect::<Result<_>>().unwrap();
    let cid = client_id();
    assert_eq!(
        opts,
        vec![
            DhcpOption::MessageType(MessageType::Discover),
            DhcpOption::ClientIdentifier(ClientIdentifier::new(&cid).unwrap()),
            DhcpOption::ParameterRequestList(&[1, 3, 6, 15, 121]),
            DhcpOption::MaxMessageSize(1500),
            DhcpOption::HostName(b"ftcp"),
            DhcpOption::RapidCommit,
        ]
    );
    let c = ClientIdentifier::new(&cid).unwrap();
    assert_eq!(c.id_type(), 1);
    assert_eq!(c.identifier(), &MAC);
    assert_eq!(c.iaid(), None);
    assert_eq!(c.duid(), None);
}

#[test]
fn parse_vectors() {
    let cid = client_id();
    assert_eq!(parse(&discover()).unwrap(), discover_repr(&cid));
    assert_eq!(parse(&offer()).unwrap(), offer_repr(&cid));
    assert_eq!(parse(&ack()).unwrap(), ack_repr());
    assert_eq!(parse(&nak()).unwrap(), nak_repr());
}

#[test]
fn emit_vectors() {
    let cid = client_id();
    assert_eq!(emit_vec(&discover_repr(&cid)), discover());
    assert_eq!(emit_vec(&offer_repr(&cid)), offer());
    assert_eq!(emit_vec(&ack_repr()), ack());
    assert_eq!(emit_vec(&nak_repr()), nak());
}

#[test]
fn ack_routes() {
    let b = ack();
    let r = parse(&b).unwrap();
    let routes: Vec<_> = r.classless_routes().unwrap().iter().collect();
    let c = |a, l| Ipv4Cidr::new(a, l).unwrap();
    let expected = vec![
        (
            c(Ipv4Addr::new(10, 0, 0, 0), 8),
            Ipv4Addr::new(192, 168, 7, 254),
        ),
        (c(Ipv4Addr::UNSPECIFIED, 0), Ipv4Addr::new(192, 168, 7, 1)),
        (
            c(Ipv4Addr::new(172, 16, 32, 0), 20),
            Ipv4Addr::new(192, 168, 7, 2),
        ),
        (c(Ipv4Addr::new(192, 168, 7, 9), 32), Ipv4Addr::UNSPECIFIED),
    ];
    assert_eq!(routes, expected);
    assert_eq!(ClasslessRoutes::encoded_len(&expected), ROUTES.len());
    let mut buf = [0u8; 28];
    assert_eq!(ClasslessRoutes::encode(&expected, &mut buf), Ok(28));
    assert_eq!(buf, ROUTES);
    assert_eq!(
        ClasslessRoutes::encode(&expected, &mut buf[..27]),
        Err(Error::Truncated)
    );
    // Host bits are cleared on encode.
    let mut b = [0u8; 7];
    let n = ClasslessRoutes::encode(
        &[(c(Ipv4Addr::new(10, 1, 2, 3), 9), Ipv4Addr::new(1, 2, 3, 4))],
        &mut b,
    )
    .unwrap();
    assert_eq!(&b[..n], &[9, 10, 0, 1, 2, 3, 4]);
}

#[test]
fn overloaded_message() {
    let b = overloaded();
    let p = Packet::new_checked(&b[..]).unwrap();
    let opts: Vec<_> = p.options().collect::<Result<_>>().unwrap();
    assert_eq!(
        opts,
        vec![
            DhcpOption::MessageType(MessageType::Offer),
            DhcpOption::Overload(Overload::Both),
            // file first (RFC 3396 §5) ...
            DhcpOption::ServerIdentifier(Ipv4Addr::from(SERVER)),
            DhcpOption::LeaseTime(3600),
            // ... then sname.
            DhcpOption::SubnetMask(Ipv4Addr::new(255, 255, 255, 0)),
            DhcpOption::Router(Ipv4AddrList::new(&SERVER).unwrap()),
        ]
    );
    let r = parse(&b).unwrap();
    assert_eq!(
        r,
        Repr {
            your_ip: Ipv4Addr::from(YOUR),
            server_ip: Ipv4Addr::from(SERVER),
            server_identifier: Some(Ipv4Addr::from(SERVER)),
            lease_duration: Some(3600),
            subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
            router: heapless::Vec::from_slice(&[Ipv4Addr::from(SERVER)]).unwrap(),
            ..Repr::new(MessageType::Offer, 0x1f2e3d4c, mac())
        }
    );
    // Overload 1: only `file` is walked; sname holds junk that would fail.
    let mut b1 = b.clone();
    b1[245] = 1;
    b1[44..48].copy_from_slice(&[1, 200, 0, 0]);
    let n = Packet::new_checked(&b1[..]).unwrap().options().count();
    assert_eq!(n, 4);
    assert!(parse(&b1).is_ok());
    // Overload 2: only sname; file junk ignored.
    let mut b2 = b.clone();
    b2[245] = 2;
    b2[108..112].copy_from_slice(&[1, 200, 0, 0]);
    let r2 = parse(&b2).unwrap();
    assert_eq!(r2.lease_duration, None);
    assert_eq!(r2.router.len(), 1);
    // Without End, the fixed `file` / `sname` areas end at their boundary.
    let mut b3 = b.clone();
    b3[108..236].fill(0);
    b3[108 + 122..236].copy_from_slice(&[51, 4, 0, 0, 0x0e, 0x10]);
    b3[44..108].fill(0);
    b3[44 + 58..108].copy_from_slice(&[54, 4, 192, 168, 7, 1]);
    let r3 = parse(&b3).unwrap();
    assert_eq!(r3.lease_duration, Some(3600));
    assert_eq!(r3.server_identifier, Some(Ipv4Addr::from(SERVER)));
    // ... but an option may not run past it.
    let mut b4 = b.clone();
    b4[108..236].fill(0);
    b4[108 + 124..236].copy_from_slice(&[51, 4, 0, 0]);
    assert_eq!(parse(&b4), Err(Error::BadOption));
    // An Overload inside `file` does not switch areas on.
    let mut b5 = b.clone();
    b5[245] = 1;
    b5[108..115].copy_from_slice(&[52, 1, 2, 255, 0, 0, 0]);
    b5[44..48].copy_from_slice(&[1, 200, 0, 0]);
    let items: Vec<_> = Packet::new_checked(&b5[..]).unwrap().options().collect();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i.is_ok()));
}

#[test]
fn overload_malformed() {
    for bad in [[52, 1, 0], [52, 1, 4], [52, 0, 255]] {
        let mut o = vec![53, 1, 2];
        o.extend_from_slice(&bad);
        o.push(255);
        let b = pad300(header(2, 0, 0, [0; 4], YOUR, SERVER, [0; 4]), &o);
        assert_eq!(parse(&b), Err(Error::BadOption), "{bad:?}");
    }
    // Twice in the options field.
    let o = [53, 1, 2, 52, 1, 1, 52, 1, 1, 255];
    let b = pad300(header(2, 0, 0, [0; 4], YOUR, SERVER, [0; 4]), &o);
    assert_eq!(parse(&b), Err(Error::BadOption));
}

#[test]
fn truncation_at_every_length() {
    for (v, end) in vectors() {
        let full = parse(&v).unwrap();
        for n in 0..v.len() {
            let r = parse(&v[..n]);
            if n < HEADER_LEN {
                assert_eq!(r, Err(Error::Truncated), "n = {n}");
            } else if n < end {
                assert!(
                    matches!(r, Err(Error::Truncated) | Err(Error::BadOption)),
                    "n = {n}: {r:?}"
                );
            } else {
                // Past End only the padding is cut.
                assert_eq!(r.as_ref(), Ok(&full), "n = {n}");
            }
            // The iterators end after at most one error, whatever n.
            if let Ok(p) = Packet::new_checked(&v[..n]) {
                let errs = p.options().filter(|o| o.is_err()).count();
                assert!(errs <= 1);
            }
        }
    }
}

#[test]
fn cookie_wrong() {
    for (mut v, _) in vectors() {
        v[236] ^= 0x01;
        assert_eq!(parse(&v), Err(Error::BadField));
        let p = Packet::new_checked(&v[..]).unwrap();
        let items: Vec<_> = p.options().collect();
        assert_eq!(items, vec![Err(Error::BadField)]);
    }
}

#[test]
fn header_malformed() {
    let d = discover();
    let with = |i: usize, val: u8| {
        let mut b = d.clone();
        b[i] = val;
        b
    };
    // op neither 1 nor 2.
    for op in [0u8, 3, 255] {
        assert_eq!(parse(&with(0, op)), Err(Error::BadField));
    }
    // op does not match the message type.
    assert_eq!(parse(&with(0, 2)), Err(Error::BadField));
    let mut o = offer();
    o[0] = 1;
    assert_eq!(parse(&o), Err(Error::BadField));
    // hlen > 16.
    assert_eq!(parse(&with(2, 17)), Err(Error::BadField));
    // Not Ethernet.
    assert_eq!(parse(&with(1, 6)), Err(Error::Unsupported));
    assert_eq!(parse(&with(2, 8)), Err(Error::Unsupported));
    // No message type: BOOTP.
    let b = pad300(header(1, 0, 0, [0; 4], [0; 4], [0; 4], [0; 4]), &[255]);
    assert_eq!(parse(&b), Err(Error::Unrecognized));
    // Unknown message type.
    assert_eq!(parse(&with(242, 200)), Err(Error::Unrecognized));
    // Leasequery (RFC 4388) is recognised, in a BOOTREQUEST.
    let lq = with(242, 10);
    assert_eq!(parse(&lq).unwrap().message_type, MessageType::LeaseQuery);
    // Other flag bits are ignored (RFC 1542 §3.1.1).
    assert!(parse(&with(11, 0xff)).unwrap().broadcast);
}

/// Insert `opt` in the Discover's options, before End.
fn discover_with(opt: &[u8]) -> Vec<u8> {
    let mut o = discover_opts();
    o.pop();
    o.extend_from_slice(opt);
    o.push(255);
    pad300(header(1, 3, 0x8000, [0; 4], [0; 4], [0; 4], [0; 4]), &o)
}

#[test]
fn every_option_malformed() {
    let cases: &[&[u8]] = &[
        &[1, 3, 255, 255, 255],
        &[1, 5, 255, 255, 255, 0, 0],
        &[3, 0],
        &[3, 5, 1, 2, 3, 4, 5],
        &[6, 0],
        &[6, 6, 1, 2, 3, 4, 5, 6],
        &[12, 0],
        &[15, 0],
        &[50, 3, 1, 2, 3],
        &[51, 5, 0, 0, 0, 0, 0],
        &[53, 0],
        &[53, 2, 1, 1],
        &[54, 3, 1, 2, 3],
        &[55, 0],
        &[56, 0],
        &[57, 1, 5],
        &[57, 3, 5, 0xdc, 0],
        &[57, 2, 0x02, 0x3f], // 575 < 576
        &[58, 2, 0, 0],
        &[59, 8, 0, 0, 0, 0, 0, 0, 0, 0],
        &[61, 0],
        &[61, 1, 1],
        &[61, 6, 255, 0, 0, 0, 1, 0], // RFC 4361 form without a DUID type
        &[80, 1, 0],
        &[116, 0],
        &[116, 1, 2],
        &[116, 2, 0, 0],
        &[121, 4, 0, 10, 0, 0],
        &[121, 5, 33, 10, 0, 0, 1],
        &[121, 5, 8, 10, 1, 2, 3],
        &[121, 6, 9, 10, 0, 1, 2, 3],
        &[121, 10, 0, 1, 2, 3, 4, 24, 10, 0, 0, 1],
        &[52, 1, 0],
        // Length running past the options field.
        &[200, 250],
    ];
    for case in cases {
        let b = discover_with(case);
        assert_eq!(parse(&b), Err(Error::BadOption), "{case:?}");
        let p = Packet::new_checked(&b[..]).unwrap();
        let items: Vec<_> = p.options().collect();
        assert_eq!(items.last(), Some(&Err(Error::BadOption)), "{case:?}");
        assert_eq!(items.iter().filter(|i| i.is_err()).count(), 1);
    }
    // Length byte missing at the very end of the buffer.
    let mut b = header(1, 0, 0, [0; 4], [0; 4], [0; 4], [0; 4]);
    b.extend_from_slice(&[53, 1, 1, 200]);
    assert_eq!(parse(&b), Err(Error::BadOption));
    // No End at all.
    let mut b = header(1, 0, 0, [0; 4], [0; 4], [0; 4], [0; 4]);
    b.extend_from_slice(&[53, 1, 1]);
    assert_eq!(parse(&b), Err(Error::Truncated));
}

#[test]
fn options_accepted() {
    // Unknown options are kept raw by the iterator and skipped by parse.
    let b = discover_with(&[224, 3, 1, 2, 3, 0, 0]);
    let p = Packet::new_checked(&b[..]).unwrap();
    assert!(p.options().any(|o| o
        == Ok(DhcpOption::Unknown {
            kind: 224,
            data: &[1, 2, 3]
        })));
    let cid = client_id();
    assert_eq!(parse(&b).unwrap(), discover_repr(&cid));
    // RFC 4361 client identifier: type 255, IAID, DUID-LL.
    let id = [255, 0, 0, 0, 7, 0, 3, 0, 1, 2, 0, 94, 16, 32, 48];
    let mut opt = vec![61, id.len() as u8];
    opt.extend_from_slice(&id);
    let mut o = vec![53, 1, 1];
    o.extend_from_slice(&opt);
    o.push(255);
    let b = pad300(header(1, 0, 0, [0; 4], [0; 4], [0; 4], [0; 4]), &o);
    let r = parse(&b).unwrap();
    let c = ClientIdentifier::new(r.client_identifier.unwrap()).unwrap();
    assert_eq!(c.id_type(), 255);
    assert_eq!(c.iaid(), Some(7));
    assert_eq!(c.duid(), Some(&id[5..]));
    // More routers than a Repr keeps: the first ones.
    let b = discover_with(&[3, 16, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]);
    let r = parse(&b).unwrap();
    assert_eq!(
        &r.router[..],
        &[
            Ipv4Addr::new(1, 1, 1, 1),
            Ipv4Addr::new(2, 2, 2, 2),
            Ipv4Addr::new(3, 3, 3, 3)
        ]
    );
    // Auto-configure 1.
    let b = discover_with(&[116, 1, 1]);
    assert_eq!(
        parse(&b).unwrap().auto_configure,
        Some(AutoConfigure::AutoConfigure)
    );
}

#[test]
fn long_options_rfc3396() {
    // Client identifier split in two instances: the options field holds
    // the first, `file` (overload 1) the second.
    let mut v = header(1, 0, 0, [0; 4], [0; 4], [0; 4], [0; 4]);
    v[108..115].copy_from_slice(&[61, 4, 4, 5, 6, 7, 255]);
    let b = pad300(v, &[53, 1, 1, 61, 3, 1, 2, 3, 52, 1, 1, 255]);
    let p = Packet::new_checked(&b[..]).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(
        p.concat_option(kind::CLIENT_IDENTIFIER, &mut buf),
        Ok(Some(&[1u8, 2, 3, 4, 5, 6, 7][..]))
    );
    assert_eq!(
        p.concat_option(kind::CLIENT_IDENTIFIER, &mut buf[..6]),
        Err(Error::Truncated)
    );
    assert_eq!(p.concat_option(kind::ROUTER, &mut buf), Ok(None));
    // parse does not read just the first piece.
    assert_eq!(parse(&b), Err(Error::Unsupported));
    // Same for every interpreted option that appears twice.
    let twice: &[&[u8]] = &[
        &[53, 1, 1],
        &[61, 2, 0, 1],
        &[55, 1, 3],
        &[57, 2, 2, 64],
        &[12, 1, b'x'],
        &[80, 0],
        &[3, 4, 1, 2, 3, 4, 3, 4, 1, 2, 3, 4],
        &[6, 4, 1, 2, 3, 4, 6, 4, 1, 2, 3, 4],
    ];
    for t in twice {
        assert_eq!(parse(&discover_with(t)), Err(Error::Unsupported), "{t:?}");
    }
    // Repeated unknown options are fine.
    assert!(parse(&discover_with(&[224, 1, 1, 224, 1, 2])).is_ok());
}

#[test]
fn emit_rules() {
    let cid = client_id();
    let r = discover_repr(&cid);
    // At least 300 bytes (RFC 1542 §2.1).
    assert_eq!(r.buffer_len(), 300);
    assert_eq!(Repr::new(MessageType::Release, 1, mac()).buffer_len(), 300);
    // Larger messages are not padded.
    let long = [b'a'; 200];
    let big = Repr {
        host_name: Some(&long),
        ..r.clone()
    };
    assert_eq!(big.buffer_len(), 240 + discover_opts().len() + 196);
    let out = emit_vec(&big);
    assert_eq!(parse(&out).unwrap(), big);
    // Too small a buffer.
    let mut buf = vec![0u8; 299];
    assert_eq!(
        r.emit(&mut Packet::new_unchecked(&mut buf[..])),
        Err(Error::Truncated)
    );
    let check = |r: Repr, e: Error| {
        let mut buf = vec![0u8; r.buffer_len() + 300];
        assert_eq!(r.emit(&mut Packet::new_unchecked(&mut buf[..])), Err(e));
    };
    check(
        Repr::new(MessageType::Unknown(99), 1, mac()),
        Error::BadField,
    );
    let base = Repr::new(MessageType::Discover, 1, mac());
    check(
        Repr {
            host_name: Some(b""),
            ..base.clone()
        },
        Error::BadOption,
    );
    check(
        Repr {
            max_size: Some(575),
            ..base.clone()
        },
        Error::BadOption,
    );
    check(
        Repr {
            client_identifier: Some(&[1]),
            ..base.clone()
        },
        Error::BadOption,
    );
    check(
        Repr {
            classless_static_routes: Some(&[33, 0, 0, 0, 0]),
            ..base.clone()
        },
        Error::BadOption,
    );
    let long = [b'a'; 256];
    check(
        Repr {
            message: Some(&long),
            ..base.clone()
        },
        Error::BadLength,
    );
    // Every message type emits with the right op and parses back.
    for t in [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] {
        let r = Repr::new(MessageType::from(t), 7, mac());
        let out = emit_vec(&r);
        assert_eq!(out[0], u8::from(MessageType::from(t).opcode().unwrap()));
        assert_eq!(parse(&out).unwrap(), r);
    }
}

#[test]
fn setters() {
    let mut b = vec![0u8; 300];
    let mut p = Packet::new_unchecked(&mut b[..]);
    p.set_opcode(OpCode::Reply);
    p.set_client_hardware_address(mac());
    p.set_hops(2);
    p.set_transaction_id(9);
    p.set_secs(4);
    p.set_flags(0x0001);
    p.set_broadcast_flag(true);
    p.set_client_ip(Ipv4Addr::new(1, 2, 3, 4));
    p.set_your_ip(Ipv4Addr::new(5, 6, 7, 8));
    p.set_server_ip(Ipv4Addr::new(9, 10, 11, 12));
    p.set_relay_agent_ip(Ipv4Addr::new(13, 14, 15, 16));
    p.set_magic_number(MAGIC_COOKIE);
    p.server_name_mut()[0] = b's';
    p.boot_file_mut()[0] = b'f';
    p.client_hardware_field_mut()[15] = 1;
    p.options_field_mut()[0] = 255;
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.opcode(), OpCode::Reply);
    assert_eq!(p.hops(), 2);
    assert_eq!(p.flags(), 0x8001);
    assert_eq!(p.relay_agent_ip(), Ipv4Addr::new(13, 14, 15, 16));
    assert_eq!(p.server_ip(), Ipv4Addr::new(9, 10, 11, 12));
    assert_eq!(p.server_name()[0], b's');
    assert_eq!(p.boot_file()[0], b'f');
    assert_eq!(p.options().count(), 0);
    let mut b = b.clone();
    let mut p = Packet::new_unchecked(&mut b[..]);
    p.set_broadcast_flag(false);
    assert_eq!(p.flags(), 0x0001);
    assert_eq!(p.into_inner().len(), 300);
}

#[test]
fn option_emit() {
    let cid = client_id();
    let opts = [
        DhcpOption::Pad,
        DhcpOption::SubnetMask(Ipv4Addr::new(255, 255, 0, 0)),
        DhcpOption::Router(Ipv4AddrList::new(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap()),
        DhcpOption::DomainNameServer(Ipv4AddrList::new(&[1, 2, 3, 4]).unwrap()),
        DhcpOption::HostName(b"h"),
        DhcpOption::DomainName(b"d"),
        DhcpOption::RequestedIp(Ipv4Addr::new(10, 0, 0, 9)),
        DhcpOption::LeaseTime(INFINITE_LEASE),
        DhcpOption::Overload(Overload::File),
        DhcpOption::MessageType(MessageType::Inform),
        DhcpOption::ServerIdentifier(Ipv4Addr::new(10, 0, 0, 1)),
        DhcpOption::ParameterRequestList(&[1, 2]),
        DhcpOption::Message(b"m"),
        DhcpOption::MaxMessageSize(576),
        DhcpOption::RenewalTime(5),
        DhcpOption::RebindingTime(6),
        DhcpOption::ClientIdentifier(ClientIdentifier::new(&cid).unwrap()),
        DhcpOption::RapidCommit,
        DhcpOption::AutoConfigure(AutoConfigure::AutoConfigure),
        DhcpOption::ClasslessStaticRoute(ClasslessRoutes::new(&ROUTES).unwrap()),
        DhcpOption::Unknown {
            kind: 250,
            data: &[],
        },
        DhcpOption::End,
    ];
    let mut buf = vec![0u8; 512];
    let mut pos = 0;
    for o in &opts {
        let n = o.emit(&mut buf[pos..]).unwrap();
        assert_eq!(n, o.buffer_len());
        pos += n;
        assert_eq!(o.emit(&mut [0u8; 300][..n - 1]), Err(Error::Truncated));
    }
    let parsed: Vec<_> = RawOptions::single(&buf[..pos])
        .map(|r| r.and_then(DhcpOption::parse))
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(&parsed[..], &opts[1..opts.len() - 1]);
    let long = [0u8; 256];
    assert_eq!(
        DhcpOption::Unknown {
            kind: 9,
            data: &long
        }
        .emit(&mut [0u8; 300]),
        Err(Error::BadLength)
    );
}

#[test]
fn enums() {
    for v in 0..=255u8 {
        assert_eq!(u8::from(MessageType::from(v)), v);
        assert_eq!(u8::from(OpCode::from(v)), v);
        if let Some(o) = Overload::from_value(v) {
            assert_eq!(o.value(), v);
        }
    }
    assert_eq!(MessageType::from(200).opcode(), None);
}

/// Touch every accessor and walk every iterator to the end.
fn exercise(data: &[u8]) {
    if let Ok(p) = Packet::new_checked(data) {
        let _ = (p.opcode(), p.hardware_type(), p.hardware_len(), p.hops());
        let _ = (p.transaction_id(), p.secs(), p.flags(), p.broadcast_flag());
        let _ = (
            p.client_ip(),
            p.your_ip(),
            p.server_ip(),
            p.relay_agent_ip(),
        );
        let _ = (p.client_hardware_address(), p.client_hardware_field());
        let _ = (
            p.server_name(),
            p.boot_file(),
            p.magic_number(),
            p.options_field(),
        );
        for o in p.raw_options() {
            let _ = o;
        }
        for o in p.options().flatten() {
            match o {
                DhcpOption::Router(l) | DhcpOption::DomainNameServer(l) => {
                    assert_eq!(l.iter().count(), l.len());
                }
                DhcpOption::ClientIdentifier(c) => {
                    let _ = (c.id_type(), c.identifier(), c.iaid(), c.duid());
                }
                DhcpOption::ClasslessStaticRoute(r) => {
                    let n: usize = r
                        .iter()
                        .map(|(c, _)| 1 + (c.prefix_len() as usize).div_ceil(8) + 4)
                        .sum();
                    assert_eq!(n, r.as_bytes().len());
                }
                _ => {}
            }
        }
        let mut buf = [0u8; 64];
        let _ = p.concat_option(kind::CLIENT_IDENTIFIER, &mut buf);
        if let Ok(r) = Repr::parse(&p) {
            let _ = r.classless_routes().map(|c| c.iter().count());
            let mut out = vec![0u8; r.buffer_len()];
            r.emit(&mut Packet::new_unchecked(&mut out[..])).unwrap();
            assert_eq!(parse(&out).unwrap(), r);
        }
    }
}

fn message_type() -> impl Strategy<Value = MessageType> {
    (1u8..=13).prop_map(MessageType::from)
}

fn ipv4() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn bytes(min: usize, max: usize) -> impl Strategy<Value = Option<Vec<u8>>> {
    proptest::option::of(proptest::collection::vec(any::<u8>(), min..max))
}

proptest! {
    #[test]
    fn round_trip(
        mt in message_type(),
        xid in any::<u32>(),
        secs in any::<u16>(),
        mac in any::<[u8; 6]>(),
        addrs in any::<[u32; 4]>(),
        broadcast in any::<bool>(),
        opt_addrs in proptest::option::of(ipv4()),
        server_id in proptest::option::of(ipv4()),
        mask in proptest::option::of(ipv4()),
        routers in proptest::collection::vec(ipv4(), 0..=MAX_ROUTERS),
        dns in proptest::collection::vec(ipv4(), 0..=MAX_DNS_SERVERS),
        times in any::<[Option<u32>; 3]>(),
        cid in proptest::option::of((0u8..=254, proptest::collection::vec(any::<u8>(), 1..40))),
        prl in bytes(1, 40),
        max_size in proptest::option::of(576u16..),
        rapid in any::<bool>(),
        routes in proptest::option::of(proptest::collection::vec((any::<u32>(), 0u8..=32, any::<u32>()), 1..8)),
        host in bytes(1, 64),
        domain in bytes(1, 64),
        message in bytes(1, 64),
        auto in proptest::option::of(any::<bool>()),
    ) {
        let cid: Option<Vec<u8>> = cid.map(|(t, mut d)| { d.insert(0, t); d });
        let routes: Option<Vec<u8>> = routes.map(|rs| {
            let rs: Vec<_> = rs
                .into_iter()
                .map(|(a, w, g)| (Ipv4Cidr::new(Ipv4Addr::from(a), w).unwrap(), Ipv4Addr::from(g)))
                .collect();
            let mut buf = vec![0u8; ClasslessRoutes::encoded_len(&rs)];
            ClasslessRoutes::encode(&rs, &mut buf).unwrap();
            buf
        });
        let r = Repr {
            secs,
            client_ip: Ipv4Addr::from(addrs[0]),
            your_ip: Ipv4Addr::from(addrs[1]),
            server_ip: Ipv4Addr::from(addrs[2]),
            relay_agent_ip: Ipv4Addr::from(addrs[3]),
            broadcast,
            requested_ip: opt_addrs,
            server_identifier: server_id,
            subnet_mask: mask,
            router: heapless::Vec::from_slice(&routers).unwrap(),
            dns_servers: heapless::Vec::from_slice(&dns).unwrap(),
            lease_duration: times[0],
            renew_duration: times[1],
            rebind_duration: times[2],
            client_identifier: cid.as_deref(),
            parameter_request_list: prl.as_deref(),
            max_size,
            rapid_commit: rapid,
            classless_static_routes: routes.as_deref(),
            host_name: host.as_deref(),
            domain_name: domain.as_deref(),
            message: message.as_deref(),
            auto_configure: auto.map(|a| if a { AutoConfigure::AutoConfigure } else { AutoConfigure::DoNotAutoConfigure }),
            ..Repr::new(mt, xid, EthernetAddress(mac))
        };
        let len = r.buffer_len();
        prop_assert!(len >= MIN_MESSAGE_LEN);
        let mut buf = vec![0u8; len];
        r.emit(&mut Packet::new_unchecked(&mut buf[..])).unwrap();
        prop_assert_eq!(parse(&buf).unwrap(), r);
    }

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        exercise(&data);
    }

    #[test]
    fn random_options_never_panic(
        base in 0usize..5,
        overload in 0u8..5,
        opts in proptest::collection::vec(any::<u8>(), 0..120),
        file in proptest::collection::vec(any::<u8>(), 0..128),
        sname in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        // A valid header, then random options; an overload option points
        // the iterator at random `file` / `sname` contents.
        let mut v = vectors()[base].0[..240].to_vec();
        v[108..108 + file.len()].copy_from_slice(&file);
        v[44..44 + sname.len()].copy_from_slice(&sname);
        v.extend_from_slice(&[53, 1, 1, 52, 1, overload]);
        v.extend_from_slice(&opts);
        exercise(&v);
        // Random well-framed options: only typing can fail.
        let mut w = vectors()[base].0[..240].to_vec();
        let mut rest = &opts[..];
        while let [k, tail @ ..] = rest {
            let n = usize::from(*tail.first().unwrap_or(&0)).min(tail.len().saturating_sub(1));
            if *k != 0 && *k != 255 && *k != 52 {
                w.push(*k);
                w.push(n as u8);
                w.extend_from_slice(&tail[1.min(tail.len())..1.min(tail.len()) + n]);
            }
            rest = &tail[(1 + n).min(tail.len())..];
        }
        w.push(255);
        exercise(&w);
    }
}
