use super::*;
use std::vec::Vec;

fn send(port: &mut SimPort, now: Instant, bytes: &[u8]) {
    port.transmit(now)
        .expect("a port always gives a token")
        .consume(bytes.len(), |b| b.copy_from_slice(bytes));
}

fn recv(port: &mut SimPort, now: Instant) -> Option<Vec<u8>> {
    let (rx, _) = port.receive(now)?;
    Some(rx.consume(|b| b.to_vec()))
}

fn frame(i: u32, len: usize) -> Vec<u8> {
    let mut f = std::vec![0u8; len];
    f[..4].copy_from_slice(&i.to_be_bytes());
    f
}

fn id(f: &[u8]) -> u32 {
    u32::from_be_bytes([f[0], f[1], f[2], f[3]])
}

/// Jump from event to event, collecting (time in µs, id) of what `port`
/// receives.
fn drain(net: &SimNetwork, port: &mut SimPort) -> Vec<(i64, u32)> {
    let mut out = Vec::new();
    while let Some(t) = net.next_delivery() {
        let mut any = false;
        while let Some(f) = recv(port, t) {
            out.push((t.total_micros(), id(&f)));
            any = true;
        }
        assert!(any, "next_delivery {t} had nothing to deliver");
    }
    out
}

#[test]
fn delivers_after_the_delay_and_not_to_the_sender() {
    let (net, mut a, mut b) = SimNetwork::pair(SimConfig {
        delay: Duration::from_millis(10),
        ..SimConfig::default()
    });
    assert_eq!(net.next_delivery(), None);
    send(&mut a, Instant::from_millis(1), &frame(1, 60));
    assert_eq!(net.next_delivery(), Some(Instant::from_millis(11)));
    assert_eq!(recv(&mut b, Instant::from_micros(10_999)), None);
    assert_eq!(recv(&mut a, Instant::from_millis(11)), None);
    assert_eq!(id(&recv(&mut b, Instant::from_millis(11)).unwrap()), 1);
    assert_eq!(net.next_delivery(), None);
    let s = net.port_stats(0).unwrap();
    assert_eq!((s.sent, s.received), (1, 0));
    let s = net.port_stats(1).unwrap();
    assert_eq!((s.sent, s.received), (0, 1));
}

#[test]
fn bandwidth_serialises_frames_in_order() {
    // 1 Mbit/s: 1250 bytes take 10 ms on the line; then 5 ms propagation.
    let (net, mut a, mut b) = SimNetwork::pair(SimConfig {
        delay: Duration::from_millis(5),
        bits_per_second: Some(1_000_000),
        ..SimConfig::default()
    });
    for i in 0..3 {
        send(&mut a, Instant::ZERO, &frame(i, 1250));
    }
    // A later frame starts when the line is free again.
    send(&mut a, Instant::from_millis(100), &frame(3, 125));
    assert_eq!(
        drain(&net, &mut b),
        [(15_000, 0), (25_000, 1), (35_000, 2), (106_000, 3)]
    );
}

#[test]
fn queue_limit_tail_drops_and_counts() {
    let (net, mut a, mut b) = SimNetwork::pair(SimConfig {
        bits_per_second: Some(1_000_000),
        queue_limit: 2,
        ..SimConfig::default()
    });
    for i in 0..5 {
        send(&mut a, Instant::ZERO, &frame(i, 1250));
    }
    assert_eq!(net.port_stats(0).unwrap().queue_drops, 3);
    // The first frame has left the line at 10 ms: room for one more.
    send(&mut a, Instant::from_millis(10), &frame(5, 1250));
    send(&mut a, Instant::from_millis(10), &frame(6, 1250));
    let s = net.port_stats(0).unwrap();
    assert_eq!((s.sent, s.queue_drops), (3, 4));
    assert_eq!(drain(&net, &mut b), [(10_000, 0), (20_000, 1), (30_000, 5)]);
}

#[test]
fn hub_delivers_to_every_other_port() {
    let net = SimNetwork::new(SimConfig {
        delay: Duration::from_millis(1),
        ..SimConfig::default()
    });
    let mut ports: Vec<SimPort> = (0..3).map(|_| net.add_port()).collect();
    send(&mut ports[1], Instant::ZERO, &frame(42, 60));
    let t = net.next_delivery().unwrap();
    assert_eq!(recv(&mut ports[1], t), None);
    assert_eq!(id(&recv(&mut ports[0], t).unwrap()), 42);
    assert_eq!(id(&recv(&mut ports[2], t).unwrap()), 42);
    assert_eq!(net.next_delivery(), None);
    assert_eq!(ports[2].index(), 2);
}

#[test]
fn oversize_frames_are_dropped() {
    let (net, mut a, mut b) = SimNetwork::pair(SimConfig {
        mtu: 100,
        medium: Medium::Ip,
        ..SimConfig::default()
    });
    assert_eq!(a.capabilities().max_transmission_unit, 100);
    assert_eq!(a.capabilities().medium, Medium::Ip);
    send(&mut a, Instant::ZERO, &frame(0, 101));
    send(&mut a, Instant::ZERO, &frame(1, 100));
    assert_eq!(net.port_stats(0).unwrap().oversize, 1);
    assert_eq!(drain(&net, &mut b), [(0, 1)]);
}

fn lossy_run(seed: u64) -> (Vec<u32>, PortStats) {
    let (net, mut a, mut b) = SimNetwork::pair(SimConfig {
        delay: Duration::from_millis(1),
        queue_limit: 100_000,
        faults: FaultConfig {
            drop_percent: 30,
            hold_capacity: 100_000,
            ..FaultConfig::default()
        },
        seed,
        ..SimConfig::default()
    });
    for i in 0..10_000 {
        send(&mut a, Instant::ZERO, &frame(i, 60));
    }
    let got: Vec<u32> = drain(&net, &mut b).into_iter().map(|(_, i)| i).collect();
    (got, net.port_stats(1).unwrap())
}

#[test]
fn seeded_loss_is_in_range_and_reproducible() {
    let (got, stats) = lossy_run(7);
    let dropped = stats.faults.dropped;
    assert!((2_800..=3_200).contains(&dropped), "dropped {dropped}");
    assert_eq!(got.len() as u64, 10_000 - dropped);
    assert_eq!(stats.received, got.len() as u64);
    assert!(got.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(lossy_run(7).0, got);
    assert_ne!(lossy_run(8).0, got);
}

#[test]
fn faults_apply_per_receiving_port() {
    let net = SimNetwork::new(SimConfig {
        faults: FaultConfig {
            drop_percent: 50,
            ..SimConfig::default().faults
        },
        seed: 3,
        ..SimConfig::default()
    });
    let mut a = net.add_port();
    let mut b = net.add_port();
    let mut c = net.add_port();
    for i in 0..200 {
        send(&mut a, Instant::ZERO, &frame(i, 60));
    }
    let (mut at_b, mut at_c) = (Vec::new(), Vec::new());
    while let Some(t) = net.next_delivery() {
        while let Some(f) = recv(&mut b, t) {
            at_b.push(id(&f));
        }
        while let Some(f) = recv(&mut c, t) {
            at_c.push(id(&f));
        }
    }
    assert_eq!(
        at_b.len() as u64,
        200 - net.port_stats(1).unwrap().faults.dropped
    );
    assert_eq!(
        at_c.len() as u64,
        200 - net.port_stats(2).unwrap().faults.dropped
    );
    assert_ne!(at_b, at_c);
    assert!(!at_b.is_empty() && !at_c.is_empty());
}

#[test]
fn request_response_over_virtual_time() {
    // Two "stacks": a sends a request every time it has no reply pending;
    // b answers each request through the receive token. The clock only
    // ever jumps to the network's next delivery.
    let (net, mut a, mut b) = SimNetwork::pair(SimConfig {
        delay: Duration::from_millis(20),
        bits_per_second: Some(8_000_000), // 1 byte per µs
        ..SimConfig::default()
    });
    let mut now = Instant::ZERO;
    let mut replies = Vec::new();
    send(&mut a, now, &frame(0, 1000));
    while let Some(t) = net.next_delivery() {
        assert!(t >= now);
        now = t;
        if let Some((rx, tx)) = b.receive(now) {
            let req = rx.consume(id);
            tx.consume(100, |f| f[..4].copy_from_slice(&(req + 1000).to_be_bytes()));
        }
        if let Some(f) = recv(&mut a, now) {
            replies.push((now.total_micros(), id(&f)));
            if replies.len() < 3 {
                send(&mut a, now, &frame(replies.len() as u32, 1000));
            }
        }
    }
    // One round trip: 1000 µs + 20 ms out, 100 µs + 20 ms back.
    assert_eq!(replies, [(41_100, 1000), (82_200, 1001), (123_300, 1002)]);
}

#[test]
fn sim_faults_duplicate_and_delay() {
    let (net, mut a, mut b) = SimNetwork::pair(SimConfig {
        delay: Duration::from_millis(1),
        faults: FaultConfig {
            duplicate_percent: 100,
            delay: Duration::from_millis(2),
            ..SimConfig::default().faults
        },
        ..SimConfig::default()
    });
    send(&mut a, Instant::ZERO, &frame(5, 60));
    assert_eq!(drain(&net, &mut b), [(3_000, 5), (3_000, 5)]);
}
