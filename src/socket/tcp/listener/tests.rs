//! The listener's bookkeeping through the socket set, without an
//! interface (the two-stack tests are in `iface/tests/listener.rs`).

use std::vec;
use std::vec::Vec;

use super::*;
use crate::socket::udp;
use crate::storage::{PacketMetadata, RingBuffer};
use crate::wire::IpEcn;

fn tcp(rx: usize) -> Socket<'static> {
    Socket::new(
        RingBuffer::new(vec![0u8; rx]),
        RingBuffer::new(vec![0u8; 64]),
    )
}

fn set_with_listener(slots: usize) -> (SocketSet<'static>, SocketHandle) {
    let mut set = SocketSet::new(Vec::new());
    let l = set
        .add(Listener::new(vec![ListenerSlot::EMPTY; slots]))
        .unwrap();
    set.get_mut::<Listener>(l).unwrap().listen(80).unwrap();
    (set, l)
}

fn ip() -> IpMeta {
    IpMeta {
        src_addr: core::net::Ipv4Addr::new(10, 0, 0, 2).into(),
        dst_addr: core::net::Ipv4Addr::new(10, 0, 0, 1).into(),
        hop_limit: 64,
        dscp: 0,
        ecn: IpEcn::NotEct,
    }
}

fn syn(src_port: u16, seq: u32) -> Repr<'static> {
    Repr {
        src_port,
        dst_port: 80,
        control: Control::Syn,
        psh: false,
        seq_number: TcpSeqNumber(seq as i32 as u32),
        ack_number: None,
        window_len: 8192,
        urgent_at: None,
        ece: false,
        cwr: false,
        ae: false,
        window_scale: Some(7),
        max_seg_size: Some(1460),
        sack_permitted: true,
        sack_ranges: [None; 4],
        timestamp: None,
        fast_open_cookie: None,
        accecn: None,
        payload: &[],
    }
}

fn input(now: Instant, syncookies: u8) -> ListenerInput {
    ListenerInput {
        now,
        iss: TcpSeqNumber(1000),
        route_mss: 1460,
        cookies: SynCookies::new([9; 16]),
        syncookies,
        max_syn_backlog: 128,
        tcp: crate::config::TcpConfig::default(),
    }
}

fn listener_slot(set: &SocketSet<'_>, l: SocketHandle) -> usize {
    assert!(set.get::<Listener>(l).is_ok());
    l.index()
}

#[test]
fn listen_needs_a_port_and_a_closed_listener() {
    let mut l = Listener::new(vec![ListenerSlot::EMPTY; 2]);
    assert_eq!(l.listen(0), Err(ListenError::Unaddressable));
    assert!(!l.is_listening());
    l.listen(80).unwrap();
    assert_eq!(l.listen(81), Err(ListenError::InvalidState));
    assert_eq!(l.endpoint().port, 80);
    assert_eq!(l.capacity(), 2);
    assert_eq!(l.syn_backlog(), 2);
    l.close();
    assert!(!l.is_listening());
    l.listen(81).unwrap();
}

#[test]
fn add_spare_checks_handles_state_and_room() {
    let (mut set, l) = set_with_listener(2);
    let a = set.add(tcp(1024)).unwrap();
    let b = set.add(tcp(2048)).unwrap();
    let c = set.add(tcp(1024)).unwrap();
    let u = set
        .add(udp::Socket::new(
            udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; 1], vec![0u8; 8]),
            udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; 1], vec![0u8; 8]),
        ))
        .unwrap();
    assert_eq!(set.add_spare(a, b), Err(ListenerError::WrongType));
    assert_eq!(set.add_spare(l, u), Err(ListenerError::WrongType));
    set.add_spare(l, a).unwrap();
    assert_eq!(set.add_spare(l, a), Err(ListenerError::Duplicate));
    set.get_mut::<Socket>(b).unwrap().listen(81).unwrap();
    assert_eq!(set.add_spare(l, b), Err(ListenerError::NotClosed));
    set.get_mut::<Socket>(b).unwrap().close();
    set.add_spare(l, b).unwrap();
    assert_eq!(set.add_spare(l, c), Err(ListenerError::Full));
    set.remove(c).unwrap();
    assert_eq!(set.add_spare(l, c), Err(ListenerError::InvalidHandle));
    let listener = set.get::<Listener>(l).unwrap();
    assert_eq!(listener.spare_count(), 2);
    // The cookie offers the smallest spare's window, the largest one's
    // shift.
    assert_eq!(listener.cookie_window(), 1024);
    assert_eq!(listener.cookie_window_shift(), 0);
}

#[test]
fn accept_on_an_empty_listener_or_another_socket_is_none() {
    let (mut set, l) = set_with_listener(2);
    assert_eq!(set.accept(l), None);
    let t = set.add(tcp(64)).unwrap();
    assert_eq!(set.accept(t), None);
}

#[test]
fn rfc9293_3_10_7_2_syn_puts_a_spare_in_syn_received() {
    let (mut set, l) = set_with_listener(2);
    let a = set.add(tcp(1024)).unwrap();
    set.add_spare(l, a).unwrap();
    let i = listener_slot(&set, l);
    let r = process(&mut set, i, &ip(), &syn(5000, 77), &input(Instant::ZERO, 1));
    assert_eq!(r, None, "the spare sends its SYN-ACK itself");
    let s = set.get::<Socket>(a).unwrap();
    assert_eq!(s.state(), State::SynReceived);
    assert_eq!(s.iss, TcpSeqNumber(1000));
    assert_eq!(s.rcv_nxt, TcpSeqNumber(78));
    let listener = set.get::<Listener>(l).unwrap();
    assert_eq!(listener.syn_queue_len(), 1);
    assert_eq!(listener.spare_count(), 0);
    assert_eq!(listener.counters().syns_received, 1);
}

#[test]
fn rfc4987_3_6_no_spare_means_a_cookie_syn_ack_with_the_agreed_options() {
    let (mut set, l) = set_with_listener(2);
    let i = listener_slot(&set, l);
    let now = Instant::from_secs(100);
    let inp = input(now, 1);
    let Some(ListenerReply::SynAck(r)) = process(&mut set, i, &ip(), &syn(5000, 77), &inp) else {
        panic!("expected a cookie SYN-ACK");
    };
    assert_eq!(r.control, Control::Syn);
    assert_eq!(r.ack_number, Some(TcpSeqNumber(78)));
    assert_eq!((r.src_port, r.dst_port), (80, 5000));
    assert_eq!(r.max_seg_size, Some(1460));
    assert_eq!(r.sack_permitted, crate::socket::tcp::SACK);
    assert!(r.window_scale.is_some());
    assert_eq!(r.timestamp, None, "a cookie keeps no timestamp state");
    let local = IpEndpoint::new(ip().dst_addr, 80);
    let remote = IpEndpoint::new(ip().src_addr, 5000);
    let info = inp
        .cookies
        .decode(now, local, remote, TcpSeqNumber(77), r.seq_number)
        .expect("the ISS is a cookie");
    assert_eq!(info.mss, 1460);
    assert_eq!(info.options.window_scale, Some(7));
    let c = set.get::<Listener>(l).unwrap().counters();
    assert_eq!((c.syn_queue_overflows, c.cookies_sent), (1, 1));
}

#[test]
fn rfc4987_3_6_cookie_ack_opens_an_established_connection_with_its_data() {
    let (mut set, l) = set_with_listener(2);
    let i = listener_slot(&set, l);
    let now = Instant::from_secs(100);
    let inp = input(now, 2);
    let spare = set.add(tcp(4096)).unwrap();
    set.add_spare(l, spare).unwrap();
    let Some(ListenerReply::SynAck(r)) = process(&mut set, i, &ip(), &syn(5000, 77), &inp) else {
        panic!("tcp_syncookies=2: always a cookie");
    };
    assert_eq!(
        set.get::<Socket>(spare).unwrap().state(),
        State::Closed,
        "a cookie keeps no state"
    );
    let mut ack = syn(5000, 78);
    ack.control = Control::None;
    ack.ack_number = Some(r.seq_number + 1);
    ack.window_scale = None;
    ack.max_seg_size = None;
    ack.sack_permitted = false;
    ack.window_len = 100; // << 7 = 12800 bytes
    ack.payload = b"hello";
    let later = Instant::from_secs(150);
    let got = process(&mut set, i, &ip(), &ack, &input(later, 2));
    assert_eq!(got, None);
    assert_eq!(set.accept(l), Some(spare));
    let s = set.get_mut::<Socket>(spare).unwrap();
    assert_eq!(s.state(), State::Established);
    assert_eq!(s.snd_wnd, 100 << 7);
    assert_eq!(s.mss, 1460);
    assert_eq!(s.sack_ok, crate::socket::tcp::SACK);
    assert!(!s.ts_ok);
    let mut buf = [0u8; 16];
    assert_eq!(s.recv_slice(&mut buf), Ok(5));
    assert_eq!(&buf[..5], b"hello");
}

#[test]
fn rfc4987_3_6_stale_cookie_is_refused_with_a_rst() {
    let (mut set, l) = set_with_listener(2);
    let i = listener_slot(&set, l);
    let spare = set.add(tcp(4096)).unwrap();
    set.add_spare(l, spare).unwrap();
    let minted = Instant::from_secs(64 * 10);
    let Some(ListenerReply::SynAck(r)) =
        process(&mut set, i, &ip(), &syn(5000, 77), &input(minted, 2))
    else {
        panic!("cookie expected");
    };
    let mut ack = syn(5000, 78);
    ack.control = Control::None;
    ack.ack_number = Some(r.seq_number + 1);
    // A fresh SYN keeps cookie checking on; the original cookie is three
    // periods old by then.
    let late = minted + Duration::from_secs(64 * 3);
    let _ = process(&mut set, i, &ip(), &syn(6000, 1), &input(late, 2));
    let got = process(&mut set, i, &ip(), &ack, &input(late, 2));
    assert_eq!(
        got,
        Some(ListenerReply::Rst(Reply {
            seq: r.seq_number + 1,
            ack: None,
            rst: true
        }))
    );
    assert_eq!(set.get::<Listener>(l).unwrap().counters().cookies_failed, 1);
    assert_eq!(set.accept(l), None);
}

#[test]
fn rfc9293_3_10_7_2_rst_is_ignored_and_syn_ack_is_reset() {
    let (mut set, l) = set_with_listener(1);
    let i = listener_slot(&set, l);
    let mut rst = syn(5000, 1);
    rst.control = Control::Rst;
    assert_eq!(
        process(&mut set, i, &ip(), &rst, &input(Instant::ZERO, 1)),
        None
    );
    let mut syn_ack = syn(5000, 1);
    syn_ack.ack_number = Some(TcpSeqNumber(42));
    assert!(matches!(
        process(&mut set, i, &ip(), &syn_ack, &input(Instant::ZERO, 1)),
        Some(ListenerReply::Rst(Reply {
            seq: TcpSeqNumber(42),
            ..
        }))
    ));
    let mut bare = syn(5000, 1);
    bare.control = Control::None;
    assert_eq!(
        process(&mut set, i, &ip(), &bare, &input(Instant::ZERO, 1)),
        None
    );
    assert_eq!(set.get::<Listener>(l).unwrap().counters().syns_received, 0);
}

#[test]
fn removed_spares_and_accepted_sockets_are_forgotten() {
    let (mut set, l) = set_with_listener(2);
    let i = listener_slot(&set, l);
    let a = set.add(tcp(1024)).unwrap();
    let b = set.add(tcp(1024)).unwrap();
    set.add_spare(l, a).unwrap();
    set.add_spare(l, b).unwrap();
    set.remove(a).unwrap();
    // The SYN finds `a` gone and takes `b`.
    let _ = process(&mut set, i, &ip(), &syn(5000, 1), &input(Instant::ZERO, 0));
    assert_eq!(set.get::<Socket>(b).unwrap().state(), State::SynReceived);
    let listener = set.get::<Listener>(l).unwrap();
    assert_eq!((listener.spare_count(), listener.syn_queue_len()), (0, 1));
    // Now nothing is free and cookies are off: dropped and counted.
    let r = process(&mut set, i, &ip(), &syn(5001, 1), &input(Instant::ZERO, 0));
    assert_eq!(r, None);
    let c = set.get::<Listener>(l).unwrap().counters();
    assert_eq!((c.syns_dropped, c.cookies_sent), (1, 0));
}
