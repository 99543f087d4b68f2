//! The `net.ipv4.tcp_*` knobs, set by name through the registry on the
//! interface's configuration, change what a connection does: retries
//! (RFC 1122 §4.2.3.5 R1 and R2), RTO bounds (RFC 6298 §2.4, §2.5) and
//! keep-alive (RFC 1122 §4.2.3.6). Frames between two interfaces, explicit
//! virtual times.

use std::vec::Vec;

use super::listener::{Pair, tcp_of};
use crate::config::registry;
use crate::socket::SocketHandle;
use crate::socket::tcp::{Socket as TcpSocket, State, TcpError};
use crate::time::{Duration, Instant};
use crate::wire::tcp::Control;

/// One TCP segment seen on the link.
#[derive(Debug, Clone, Copy)]
struct Seen {
    at: Instant,
    from_a: bool,
    control: Control,
    ack: bool,
    len: usize,
}

/// Two interfaces, the clock at 10 s (a timestamp clock of 0 would be
/// echoed as 1 and give no RTT sample).
fn pair() -> Pair {
    let mut p = Pair::new();
    p.now = Instant::from_secs(10);
    p
}

/// Record the segments both nodes are about to send (the run loop moves
/// them after `step`).
fn record(p: &Pair, log: &mut Vec<Seen>) {
    for (from_a, frames) in [(true, &p.a.dev.tx), (false, &p.b.dev.tx)] {
        for f in frames {
            if let Some(t) = tcp_of(f) {
                log.push(Seen {
                    at: p.now,
                    from_a,
                    control: t.control,
                    ack: t.ack_number.is_some(),
                    len: t.payload.len(),
                });
            }
        }
    }
}

fn set(cfg: &mut crate::config::Config, name: &str, value: &str) {
    registry::set_str(cfg, name, value).unwrap();
    assert_eq!(
        registry::get(cfg, name).map(|v| std::format!("{v}")),
        Ok(value.into()),
        "{name}"
    );
}

fn a_sock(p: &mut Pair, h: SocketHandle) -> &mut TcpSocket<'static> {
    p.a.sockets.get_mut::<TcpSocket>(h).unwrap()
}

/// Seconds, to the millisecond.
fn secs(d: Duration) -> f64 {
    d.total_millis() as f64 / 1e3
}

/// Run `p` with nothing lost for `d` (the handshake's last frames).
fn settle(p: &mut Pair, d: Duration) {
    let until = p.now + d;
    p.run(
        d + Duration::from_secs(1),
        &mut super::listener::pass,
        |p| p.now >= until,
    );
}

/// An active open to a peer that never answers: SYNs at 0, 1, 3 ... s
/// (RFC 6298 §5.5 doubling from the initial 1 s), `syn_retries` of them
/// after the first, then `TimedOut` one more RTO later.
fn syn_attempts(syn_retries: Option<&str>) -> (Vec<f64>, f64) {
    let mut p = pair();
    p.warm_up();
    if let Some(v) = syn_retries {
        set(p.a.iface.config_mut(), "net.ipv4.tcp_syn_retries", v);
    }
    let start = p.now;
    let h = p.client(1024);
    let mut log = Vec::new();
    // Every TCP frame from A is lost.
    let mut drop_tcp_from_a = |from_a: bool, f: &[u8]| !(from_a && tcp_of(f).is_some());
    p.run(Duration::from_secs(400), &mut drop_tcp_from_a, |p| {
        record(p, &mut log);
        p.a.sockets.get::<TcpSocket>(h).unwrap().state() == State::Closed
    });
    assert_eq!(a_sock(&mut p, h).take_error(), Some(TcpError::TimedOut));
    let syns = log
        .iter()
        .filter(|s| s.from_a && s.control == Control::Syn)
        .map(|s| secs(s.at - start))
        .collect();
    (syns, secs(p.now - start))
}

#[test]
fn tcp_syn_retries_2_three_syns_then_timed_out_at_7_s() {
    let (syns, failed) = syn_attempts(Some("2"));
    assert_eq!(syns, [0.0, 1.0, 3.0]);
    assert_eq!(failed, 7.0);
    // Linux's default, 6: seven SYNs, ETIMEDOUT after 127 s.
    let (syns, failed) = syn_attempts(None);
    assert_eq!(syns, [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]);
    assert_eq!(failed, 127.0);
}

/// A listener whose SYN-ACKs never arrive: `tcp_synack_retries`
/// retransmissions, then the half-open connection is given up.
fn synack_times(synack_retries: &str) -> Vec<f64> {
    let mut p = pair();
    p.warm_up();
    set(
        p.b.iface.config_mut(),
        "net.ipv4.tcp_synack_retries",
        synack_retries,
    );
    let _l = p.listener(4, 1, 1024);
    let start = p.now;
    let h = p.client(1024);
    let mut log = Vec::new();
    let mut syns_from_a = 0;
    // A's first SYN arrives; everything after it, and all of B's TCP, is
    // lost.
    let mut filter = |from_a: bool, f: &[u8]| match tcp_of(f) {
        Some(_) if from_a => {
            syns_from_a += 1;
            syns_from_a == 1
        }
        Some(_) => false,
        None => true,
    };
    p.run(Duration::from_secs(100), &mut filter, |p| {
        record(p, &mut log);
        p.now >= start + Duration::from_secs(90)
    });
    a_sock(&mut p, h).abort();
    log.iter()
        .filter(|s| !s.from_a && s.control == Control::Syn && s.ack)
        .map(|s| secs(s.at - start))
        .collect()
}

#[test]
fn tcp_synack_retries_bounds_the_syn_ack_retransmissions() {
    let t = synack_times("1");
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!(t[1] - t[0], 1.0, "{t:?}");
    // Linux's default, 5: six SYN-ACKs, 1, 2, 4, 8, 16 s apart.
    let t = synack_times("5");
    let gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps, [1.0, 2.0, 4.0, 8.0, 16.0], "{t:?}");
}

/// An established connection whose peer stops answering: the times of
/// A's data transmissions after `send` and when it failed, with the
/// knobs in `knobs` set on A first.
fn data_retransmissions(knobs: &[(&str, &str)]) -> (Vec<f64>, f64, Vec<(f64, bool)>) {
    let mut p = pair();
    p.warm_up();
    for (name, value) in knobs {
        set(p.a.iface.config_mut(), name, value);
    }
    let _l = p.listener(4, 1, 4096);
    let h = p.client(4096);
    p.run(Duration::from_secs(2), &mut super::listener::pass, |p| {
        p.a.sockets.get::<TcpSocket>(h).unwrap().state() == State::Established
    });
    // Let the handshake's ACK settle, then cut B -> A and send.
    settle(&mut p, Duration::from_millis(100));
    assert!(a_sock(&mut p, h).info().rtt.is_some());
    a_sock(&mut p, h).send_slice(&[7u8; 100]).unwrap();
    let start = p.now;
    let mut log = Vec::new();
    let mut problems = Vec::new();
    let mut cut = |from_a: bool, f: &[u8]| from_a || tcp_of(f).is_none();
    p.run(Duration::from_secs(2_000), &mut cut, |p| {
        record(p, &mut log);
        let s = p.a.sockets.get::<TcpSocket>(h).unwrap();
        problems.push((secs(p.now - start), s.delivery_problem()));
        s.state() == State::Closed
    });
    assert_eq!(a_sock(&mut p, h).take_error(), Some(TcpError::TimedOut));
    let data = log
        .iter()
        .filter(|s| s.from_a && s.len > 0)
        .map(|s| secs(s.at - start))
        .collect();
    (data, secs(p.now - start), problems)
}

/// Whether `problems` says a delivery problem at `at` seconds (the last
/// observation at or before it).
fn problem_at(problems: &[(f64, bool)], at: f64) -> bool {
    problems
        .iter()
        .rev()
        .find(|(t, _)| *t <= at)
        .is_some_and(|(_, p)| *p)
}

#[test]
fn tcp_rto_min_us_rto_max_ms_and_retries2_shape_the_retransmissions() {
    // RTO floor 500 ms, ceiling 1 s, three retransmissions: sends at 0,
    // 0.5, 1.5 (doubled to 1 s), 2.5 (capped at 1 s), failure at 3.5.
    let (data, failed, _) = data_retransmissions(&[
        ("net.ipv4.tcp_rto_min_us", "500000"),
        ("net.ipv4.tcp_rto_max_ms", "1000"),
        ("net.ipv4.tcp_retries2", "3"),
    ]);
    assert_eq!(data, [0.0, 0.5, 1.5, 2.5]);
    assert_eq!(failed, 3.5);
    // Linux's RTO floor (200 ms) with two retries: 0, 0.2, 0.6; 1.4.
    let (data, failed, _) = data_retransmissions(&[("net.ipv4.tcp_retries2", "2")]);
    assert_eq!(data, [0.0, 0.2, 0.6]);
    assert!((failed - 1.4).abs() < 1e-9, "{failed}");
}

#[test]
fn tcp_retries1_reports_a_delivery_problem() {
    let knobs = [
        ("net.ipv4.tcp_rto_min_us", "1000000"),
        ("net.ipv4.tcp_retries2", "4"),
    ];
    // Retransmissions at 1, 3, 7, 15 s; failure at 31 s.
    let (data, failed, problems) =
        data_retransmissions(&[knobs[0], knobs[1], ("net.ipv4.tcp_retries1", "2")]);
    assert_eq!(data, [0.0, 1.0, 3.0, 7.0, 15.0]);
    assert_eq!(failed, 31.0);
    assert!(!problem_at(&problems, 0.5));
    assert!(!problem_at(&problems, 2.0), "one retransmission: not yet");
    assert!(problem_at(&problems, 3.0), "two: R1 reached");
    assert!(problem_at(&problems, 20.0));
    // Linux's default, 3: the third retransmission (7 s) reports it.
    let (_, _, problems) = data_retransmissions(&knobs);
    assert!(!problem_at(&problems, 5.0));
    assert!(problem_at(&problems, 7.0));
}

#[test]
fn tcp_keepalive_time_intvl_and_probes() {
    let mut p = pair();
    p.warm_up();
    set(p.a.iface.config_mut(), "net.ipv4.tcp_keepalive_time", "10");
    set(p.a.iface.config_mut(), "net.ipv4.tcp_keepalive_intvl", "2");
    set(p.a.iface.config_mut(), "net.ipv4.tcp_keepalive_probes", "3");
    let _l = p.listener(4, 1, 1024);
    let h = p.client(1024);
    p.run(Duration::from_secs(2), &mut super::listener::pass, |p| {
        p.a.sockets.get::<TcpSocket>(h).unwrap().state() == State::Established
    });
    settle(&mut p, Duration::from_millis(100));
    a_sock(&mut p, h).enable_keep_alive();
    let start = p.now;
    let mut log = Vec::new();
    // The peer vanishes: nothing it sends arrives.
    let mut cut = |from_a: bool, f: &[u8]| from_a || tcp_of(f).is_none();
    p.run(Duration::from_secs(100), &mut cut, |p| {
        record(p, &mut log);
        p.a.sockets.get::<TcpSocket>(h).unwrap().state() == State::Closed
    });
    assert_eq!(
        a_sock(&mut p, h).take_error(),
        Some(TcpError::KeepAliveTimedOut)
    );
    let from_a: Vec<(f64, Control)> = log
        .iter()
        .filter(|s| s.from_a)
        .map(|s| (secs(s.at - start), s.control))
        .collect();
    // Idle 10 s after the socket's last event (the handshake, a moment
    // before keep-alive was turned on), three probes 2 s apart, then the
    // RST 2 s later.
    let controls: Vec<Control> = from_a.iter().map(|s| s.1).collect();
    assert_eq!(
        controls,
        [Control::None, Control::None, Control::None, Control::Rst]
    );
    assert!(from_a[0].0 > 8.0 && from_a[0].0 <= 10.0, "{from_a:?}");
    let gaps: Vec<f64> = from_a
        .windows(2)
        .map(|w| ((w[1].0 - w[0].0) * 1e3).round() / 1e3)
        .collect();
    assert_eq!(gaps, [2.0, 2.0, 2.0]);
}
