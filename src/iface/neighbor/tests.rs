use super::*;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

const MAC_A: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x0a]);
const MAC_B: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x0b]);
const OUR_V6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
const OUR_V4: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 1);

fn v6(n: u16) -> IpAddr {
    IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, n))
}

fn v4(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 168, 1, n))
}

fn ms(t: i64) -> Instant {
    Instant::from_millis(t)
}

/// A minimal IP packet from one of our addresses to `dst`'s family, ending
/// in `tag`.
fn pkt(dst: IpAddr, tag: u8) -> Vec<u8> {
    match dst {
        IpAddr::V6(_) => {
            let mut p = vec![0u8; 41];
            p[0] = 0x60;
            p[8..24].copy_from_slice(&OUR_V6.octets());
            p[40] = tag;
            p
        }
        IpAddr::V4(_) => {
            let mut p = vec![0u8; 21];
            p[0] = 0x45;
            p[12..16].copy_from_slice(&OUR_V4.octets());
            p[20] = tag;
            p
        }
    }
}

fn cache_with(
    entries: usize,
    slots: usize,
    slot_size: usize,
    config: NeighborConfig,
) -> NeighborCache<'static> {
    NeighborCache::new(
        vec![NeighborEntry::EMPTY; entries],
        vec![PendingSlot::EMPTY; slots],
        vec![0u8; slots * slot_size],
        config,
        Rand::new(1),
        Instant::ZERO,
    )
}

fn cache() -> NeighborCache<'static> {
    cache_with(4, 8, 64, NeighborConfig::default())
}

fn poll(c: &mut NeighborCache<'_>, now: Instant) -> Vec<Action> {
    let mut v = Vec::new();
    c.poll(now, |a| v.push(a));
    v
}

fn ready(c: &mut NeighborCache<'_>) -> Vec<(IpAddr, EthernetAddress, u8)> {
    let mut v = Vec::new();
    while let Some(r) = c.pop_ready() {
        v.push((r.target, r.hardware_addr, *r.packet.last().unwrap()));
    }
    v
}

fn unreachable(c: &mut NeighborCache<'_>) -> Vec<(IpAddr, u8)> {
    let mut v = Vec::new();
    while let Some(r) = c.pop_unreachable() {
        v.push((r.target, *r.packet.last().unwrap()));
    }
    v
}

fn state(c: &NeighborCache<'_>, ip: IpAddr) -> Option<(NudState, Option<EthernetAddress>)> {
    c.get(ip).map(|i| (i.state, i.hardware_addr))
}

fn solicit(target: IpAddr, unicast: Option<EthernetAddress>) -> Action {
    let source = match target {
        IpAddr::V6(_) => IpAddr::V6(OUR_V6),
        IpAddr::V4(_) => IpAddr::V4(OUR_V4),
    };
    Action::Solicit {
        target,
        unicast,
        source: Some(source),
    }
}

/// Bring `ip` into `want` at `now` (cached address MAC_A unless
/// INCOMPLETE) through the public API only.
fn enter(c: &mut NeighborCache<'_>, now: Instant, ip: IpAddr, want: NudState) {
    match want {
        NudState::Incomplete => c.queue(now, ip, &pkt(ip, 1)).unwrap(),
        _ => {
            assert_eq!(
                c.neighbor_solicitation(now, ip, Some(MAC_A)),
                Merge::Created
            );
            match want {
                NudState::Stale => {}
                NudState::Reachable => assert!(c.confirm(now, ip)),
                NudState::Delay => assert_eq!(c.lookup(now, ip), Lookup::Stale(MAC_A)),
                NudState::Probe => {
                    assert_eq!(c.lookup(now, ip), Lookup::Stale(MAC_A));
                    let t = now + Duration::from_secs(5);
                    assert_eq!(
                        poll(c, t),
                        vec![Action::Solicit {
                            target: ip,
                            unicast: Some(MAC_A),
                            source: None
                        }]
                    );
                }
                NudState::Incomplete => unreachable!(),
            }
        }
    }
    assert_eq!(c.get(ip).unwrap().state, want);
}

const RESOLVED: [NudState; 4] = [
    NudState::Reachable,
    NudState::Stale,
    NudState::Delay,
    NudState::Probe,
];

// ---- RFC 4861 Appendix C, row by row ----

#[test]
fn rfc4861_c_packet_to_send_creates_incomplete_and_solicits_at_once() {
    let mut c = cache();
    let ip = v6(2);
    assert_eq!(c.lookup(ms(0), ip), Lookup::NotFound);
    c.queue(ms(0), ip, &pkt(ip, 1)).unwrap();
    assert_eq!(state(&c, ip), Some((NudState::Incomplete, None)));
    assert_eq!(c.poll_at(), Some(ms(0)));
    assert_eq!(poll(&mut c, ms(0)), vec![solicit(ip, None)]);
    assert_eq!(c.lookup(ms(1), ip), Lookup::Incomplete);
    assert_eq!(c.counters().solicitations_multicast, 1);
}

#[test]
fn rfc4861_7_2_2_retransmit_every_retrans_timer_then_fail_with_packets_handed_back() {
    for ip in [v6(2), v4(2)] {
        let mut c = cache();
        c.queue(ms(0), ip, &pkt(ip, 1)).unwrap();
        c.queue(ms(10), ip, &pkt(ip, 2)).unwrap();
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        for t in (0..=4000).step_by(100) {
            for a in poll(&mut c, ms(t)) {
                match a {
                    Action::Solicit { unicast: None, .. } => sent.push(t),
                    Action::Failed { target, queued } => failed.push((t, target, queued)),
                    other => panic!("{other:?}"),
                }
            }
        }
        // MAX_MULTICAST_SOLICIT = 3, one per RetransTimer (1 s), then one
        // more RetransTimer of waiting.
        assert_eq!(sent, vec![0, 1000, 2000]);
        assert_eq!(failed, vec![(3000, ip, 2)]);
        assert_eq!(c.get(ip), None);
        assert_eq!(unreachable(&mut c), vec![(ip, 1), (ip, 2)]);
        assert_eq!(c.pop_unreachable(), None);
        assert_eq!(c.counters().failures, 1);
        assert_eq!(c.poll_at(), None);
    }
}

#[test]
fn rfc4861_7_2_2_solicitation_source_is_the_queued_packets_source() {
    let mut c = cache();
    c.queue(ms(0), v4(9), &pkt(v4(9), 1)).unwrap();
    assert_eq!(poll(&mut c, ms(0)), vec![solicit(v4(9), None)]);
    // A packet without a parsable source leaves no hint.
    c.queue(ms(0), v4(8), &[0xff]).unwrap();
    assert_eq!(
        poll(&mut c, ms(0)),
        vec![Action::Solicit {
            target: v4(8),
            unicast: None,
            source: None
        }]
    );
}

#[test]
fn rfc4861_7_2_2_one_solicitation_per_retrans_timer_per_neighbor() {
    let mut c = cache();
    let (a, b) = (v6(2), v6(3));
    let mut log = Vec::new();
    for t in (0..2500).step_by(100) {
        // Traffic to both keeps arriving; it must not add solicitations.
        if t < 300 {
            c.queue(ms(t), a, &pkt(a, t as u8)).unwrap();
        }
        if t == 500 {
            c.queue(ms(t), b, &pkt(b, 0)).unwrap();
        }
        for act in poll(&mut c, ms(t)) {
            if let Action::Solicit { target, .. } = act {
                log.push((t, target));
            }
        }
    }
    // Per neighbour, not interface-wide: b's first solicitation is not
    // held back by a's.
    assert_eq!(log, vec![(0, a), (500, b), (1000, a), (1500, b), (2000, a)]);
}

#[test]
fn rfc4861_c_na_on_incomplete() {
    // (S, O, tlla) -> expected state; queued packets released when
    // resolved.
    let rows: [(bool, bool, Option<EthernetAddress>, Option<NudState>); 6] = [
        (false, false, Some(MAC_B), Some(NudState::Stale)),
        (false, true, Some(MAC_B), Some(NudState::Stale)),
        (true, false, Some(MAC_B), Some(NudState::Reachable)),
        (true, true, Some(MAC_B), Some(NudState::Reachable)),
        // RFC 4861 §7.2.5: no TLLA while INCOMPLETE: silently discard.
        (true, true, None, None),
        (false, false, None, None),
    ];
    for (s, o, tlla, want) in rows {
        let mut c = cache();
        let ip = v6(2);
        enter(&mut c, ms(0), ip, NudState::Incomplete);
        let flags = NaFlags {
            router: true,
            solicited: s,
            override_: o,
        };
        let merge = c.neighbor_advertisement(ms(100), ip, tlla, flags);
        match want {
            Some(st) => {
                assert_eq!(merge, Merge::Updated);
                assert_eq!(state(&c, ip), Some((st, Some(MAC_B))), "{s} {o}");
                assert!(c.get(ip).unwrap().is_router);
                assert_eq!(ready(&mut c), vec![(ip, MAC_B, 1)]);
                assert_eq!(c.counters().resolutions, 1);
            }
            None => {
                assert_eq!(merge, Merge::Ignored);
                assert_eq!(state(&c, ip), Some((NudState::Incomplete, None)));
                assert_eq!(ready(&mut c), vec![]);
            }
        }
    }
}

/// The expected outcome of an NA on a resolved entry cached with MAC_A.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Unchanged,
    To(NudState, EthernetAddress),
}

#[test]
fn rfc4861_c_na_on_resolved_entries_full_table() {
    use Expect::*;
    use NudState::*;
    // (S, O, tlla) for each of REACHABLE, STALE, DELAY, PROBE.
    #[rustfmt::skip]
    let rows: [(bool, bool, Option<EthernetAddress>, [Expect; 4]); 10] = [
        // S=1 O=0 same address: REACHABLE.
        (true, false, Some(MAC_A), [To(Reachable, MAC_A); 4]),
        // S=1 O=0 different: REACHABLE -> STALE (address kept), others
        // unchanged (§7.2.5 I/II).
        (true, false, Some(MAC_B), [To(Stale, MAC_A), Unchanged, Unchanged, Unchanged]),
        // S=1 O=1: record address, REACHABLE.
        (true, true, Some(MAC_A), [To(Reachable, MAC_A); 4]),
        (true, true, Some(MAC_B), [To(Reachable, MAC_B); 4]),
        // S=0 O=0 same: unchanged.
        (false, false, Some(MAC_A), [Unchanged; 4]),
        // S=0 O=0 different: REACHABLE -> STALE only (§7.2.5 I).
        (false, false, Some(MAC_B), [To(Stale, MAC_A), Unchanged, Unchanged, Unchanged]),
        // S=0 O=1 same: unchanged.
        (false, true, Some(MAC_A), [Unchanged; 4]),
        // S=0 O=1 different: record, STALE.
        (false, true, Some(MAC_B), [To(Stale, MAC_B); 4]),
        // No TLLA: S=1 -> REACHABLE (§7.2.5 text), S=0 -> unchanged.
        (true, false, None, [To(Reachable, MAC_A); 4]),
        (false, true, None, [Unchanged; 4]),
    ];
    for (s, o, tlla, expects) in rows {
        for (from, expect) in RESOLVED.into_iter().zip(expects) {
            let mut c = cache();
            let ip = v6(2);
            enter(&mut c, ms(0), ip, from);
            let flags = NaFlags {
                router: false,
                solicited: s,
                override_: o,
            };
            c.neighbor_advertisement(ms(200), ip, tlla, flags);
            let got = state(&c, ip).unwrap();
            let want = match expect {
                Unchanged => (from, Some(MAC_A)),
                To(st, mac) => (st, Some(mac)),
            };
            assert_eq!(got, want, "from {from:?} S={s} O={o} tlla={tlla:?}");
            if got.0 == Reachable && from != Reachable {
                assert_eq!(
                    c.get(ip).unwrap().deadline,
                    Some(ms(200) + c.reachable_time(IpVersion::Ipv6))
                );
            }
        }
    }
}

#[test]
fn rfc4861_7_2_5_override_clear_different_address_is_not_recorded() {
    let mut c = cache();
    let ip = v6(2);
    enter(&mut c, ms(0), ip, NudState::Stale);
    let na = NaFlags {
        router: false,
        solicited: false,
        override_: false,
    };
    assert_eq!(
        c.neighbor_advertisement(ms(1), ip, Some(MAC_B), na),
        Merge::Ignored
    );
    assert_eq!(c.lookup(ms(2), ip), Lookup::Stale(MAC_A));
    // With Override the same advertisement wins.
    let na = NaFlags {
        override_: true,
        ..na
    };
    assert_eq!(
        c.neighbor_advertisement(ms(3), ip, Some(MAC_B), na),
        Merge::Updated
    );
    assert_eq!(state(&c, ip), Some((NudState::Stale, Some(MAC_B))));
}

#[test]
fn rfc4861_7_2_5_na_without_entry_is_discarded() {
    let mut c = cache();
    let na = NaFlags {
        router: true,
        solicited: true,
        override_: true,
    };
    assert_eq!(
        c.neighbor_advertisement(ms(0), v6(2), Some(MAC_A), na),
        Merge::Ignored
    );
    assert!(c.is_empty());
}

#[test]
fn rfc4861_7_2_5_router_flag_cleared_reports_router_lost() {
    let mut c = cache();
    let ip = v6(2);
    assert_eq!(
        c.router_advertisement(ms(0), ip, Some(MAC_A)),
        Merge::Created
    );
    assert!(c.get(ip).unwrap().is_router);
    let na = NaFlags {
        router: true,
        solicited: true,
        override_: false,
    };
    assert_eq!(
        c.neighbor_advertisement(ms(1), ip, Some(MAC_A), na),
        Merge::Updated
    );
    let na = NaFlags {
        router: false,
        ..na
    };
    assert_eq!(
        c.neighbor_advertisement(ms(2), ip, Some(MAC_A), na),
        Merge::RouterLost
    );
    assert!(!c.get(ip).unwrap().is_router);
    // Ignored advertisements (O=0, different, not REACHABLE) do not touch
    // the flag.
    c.router_advertisement(ms(3), ip, None);
    assert!(c.get(ip).unwrap().is_router);
    let lookup = c.lookup(ms(3), ip);
    assert_eq!(lookup, Lookup::Reachable(MAC_A));
    assert_eq!(
        c.neighbor_advertisement(ms(4), ip, Some(MAC_B), NaFlags::default()),
        Merge::Updated
    ); // REACHABLE -> STALE, nothing else.
    assert!(c.get(ip).unwrap().is_router);
    assert_eq!(
        c.neighbor_advertisement(ms(5), ip, Some(MAC_B), NaFlags::default()),
        Merge::Ignored
    );
    assert!(c.get(ip).unwrap().is_router);
}

#[test]
fn rfc4861_c_ns_ra_redirect_with_and_without_link_layer_address() {
    type Recv = fn(&mut NeighborCache<'static>, Instant, IpAddr, Option<EthernetAddress>) -> Merge;
    let receivers: [(&str, Recv); 3] = [
        ("ns", |c, t, ip, m| c.neighbor_solicitation(t, ip, m)),
        ("ra", |c, t, ip, m| c.router_advertisement(t, ip, m)),
        ("redirect", |c, t, ip, m| c.redirect(t, ip, m, false)),
    ];
    for (name, recv) in receivers {
        // No entry: created STALE with an address, nothing without.
        let mut c = cache();
        assert_eq!(recv(&mut c, ms(0), v6(2), None), Merge::Ignored, "{name}");
        assert!(c.is_empty());
        assert_eq!(recv(&mut c, ms(0), v6(2), Some(MAC_A)), Merge::Created);
        assert_eq!(state(&c, v6(2)), Some((NudState::Stale, Some(MAC_A))));

        // INCOMPLETE: with an address -> STALE, queued packets sent.
        let mut c = cache();
        enter(&mut c, ms(0), v6(2), NudState::Incomplete);
        recv(&mut c, ms(1), v6(2), None);
        assert_eq!(state(&c, v6(2)), Some((NudState::Incomplete, None)));
        recv(&mut c, ms(1), v6(2), Some(MAC_B));
        assert_eq!(state(&c, v6(2)), Some((NudState::Stale, Some(MAC_B))));
        assert_eq!(ready(&mut c), vec![(v6(2), MAC_B, 1)]);

        for from in RESOLVED {
            // Without address or with the same one: unchanged.
            for mac in [None, Some(MAC_A)] {
                let mut c = cache();
                enter(&mut c, ms(0), v6(2), from);
                recv(&mut c, ms(100), v6(2), mac);
                assert_eq!(state(&c, v6(2)), Some((from, Some(MAC_A))), "{name}");
            }
            // A different address: recorded, STALE.
            let mut c = cache();
            enter(&mut c, ms(0), v6(2), from);
            recv(&mut c, ms(100), v6(2), Some(MAC_B));
            assert_eq!(state(&c, v6(2)), Some((NudState::Stale, Some(MAC_B))));
        }
    }
}

#[test]
fn rfc4861_is_router_rules_for_ns_ra_redirect() {
    let mut c = cache();
    let ip = v6(2);
    // §7.2.3: an NS creates the entry with IsRouter FALSE ...
    c.neighbor_solicitation(ms(0), ip, Some(MAC_A));
    assert!(!c.get(ip).unwrap().is_router);
    // §6.3.4: an RA sets it, with or without SLLA.
    c.router_advertisement(ms(1), ip, None);
    assert!(c.get(ip).unwrap().is_router);
    // §7.2.3: ... and never modifies an existing entry's flag.
    c.neighbor_solicitation(ms(2), ip, Some(MAC_B));
    assert!(c.get(ip).unwrap().is_router);
    // §8.3: a redirect to the destination itself leaves it unchanged,
    c.redirect(ms(3), ip, None, false);
    assert!(c.get(ip).unwrap().is_router);
    // creates new entries with FALSE,
    c.redirect(ms(3), v6(3), Some(MAC_A), false);
    assert!(!c.get(v6(3)).unwrap().is_router);
    // and a redirect to a different target marks the target a router.
    c.redirect(ms(4), v6(3), None, true);
    assert!(c.get(v6(3)).unwrap().is_router);
    c.redirect(ms(4), v6(4), Some(MAC_A), true);
    assert!(c.get(v6(4)).unwrap().is_router);
}

#[test]
fn rfc4861_7_3_1_upper_layer_confirmation() {
    for from in RESOLVED {
        let mut c = cache();
        enter(&mut c, ms(0), v6(2), from);
        assert!(c.confirm(ms(500), v6(2)));
        let info = c.get(v6(2)).unwrap();
        assert_eq!(info.state, NudState::Reachable, "{from:?}");
        assert_eq!(
            info.deadline,
            Some(ms(500) + c.reachable_time(IpVersion::Ipv6))
        );
    }
    let mut c = cache();
    enter(&mut c, ms(0), v6(2), NudState::Incomplete);
    assert!(!c.confirm(ms(1), v6(2)));
    assert!(!c.confirm(ms(1), v6(3)));
    assert_eq!(c.get(v6(2)).unwrap().state, NudState::Incomplete);
}

#[test]
fn rfc4861_7_3_3_reachable_becomes_stale_after_reachable_time() {
    let mut c = cache();
    let ip = v6(2);
    enter(&mut c, ms(0), ip, NudState::Reachable);
    let r = c.reachable_time(IpVersion::Ipv6);
    assert_eq!(c.poll_at(), Some(ms(0) + r));
    assert_eq!(poll(&mut c, ms(0) + r - Duration::from_micros(1)), vec![]);
    assert_eq!(
        c.lookup(ms(0) + r - Duration::from_micros(1), ip),
        Lookup::Reachable(MAC_A)
    );
    assert_eq!(poll(&mut c, ms(0) + r), vec![]);
    assert_eq!(c.get(ip).unwrap().state, NudState::Stale);

    // Without a poll, a lookup past ReachableTime sees STALE and so
    // starts DELAY.
    let mut c = cache();
    enter(&mut c, ms(0), ip, NudState::Reachable);
    assert_eq!(c.lookup(ms(0) + r, ip), Lookup::Stale(MAC_A));
    assert_eq!(c.get(ip).unwrap().state, NudState::Delay);
}

#[test]
fn rfc4861_7_3_3_stale_send_delay_probe_then_solicited_na_reachable() {
    let mut c = cache();
    let ip = v6(2);
    enter(&mut c, ms(0), ip, NudState::Stale);
    // Sending to STALE: DELAY for DELAY_FIRST_PROBE_TIME (5 s).
    assert_eq!(c.lookup(ms(10_000), ip), Lookup::Stale(MAC_A));
    let info = c.get(ip).unwrap();
    assert_eq!(info.state, NudState::Delay);
    assert_eq!(info.deadline, Some(ms(15_000)));
    // Further sends in DELAY do not restart the timer.
    assert_eq!(c.lookup(ms(12_000), ip), Lookup::Stale(MAC_A));
    assert_eq!(poll(&mut c, ms(14_999)), vec![]);
    assert_eq!(c.poll_at(), Some(ms(15_000)));
    // DELAY expiry: PROBE with a unicast solicitation to the cached
    // address.
    assert_eq!(
        poll(&mut c, ms(15_000)),
        vec![Action::Solicit {
            target: ip,
            unicast: Some(MAC_A),
            source: None
        }]
    );
    assert_eq!(c.get(ip).unwrap().state, NudState::Probe);
    // Still sendable to the cached address while probing.
    assert_eq!(c.lookup(ms(15_100), ip), Lookup::Stale(MAC_A));
    let na = NaFlags {
        router: false,
        solicited: true,
        override_: false,
    };
    c.neighbor_advertisement(ms(15_200), ip, Some(MAC_A), na);
    assert_eq!(c.get(ip).unwrap().state, NudState::Reachable);
    assert_eq!(c.lookup(ms(15_300), ip), Lookup::Reachable(MAC_A));
    assert_eq!(c.counters().solicitations_unicast, 1);
}

#[test]
fn rfc4861_7_3_3_probe_retransmits_then_entry_deleted() {
    let mut c = cache();
    let ip = v6(2);
    enter(&mut c, ms(0), ip, NudState::Probe); // first probe at 5 s
    let mut log = Vec::new();
    for t in (5_100..=9_000).step_by(100) {
        for a in poll(&mut c, ms(t)) {
            log.push((t, a));
        }
    }
    let probe = Action::Solicit {
        target: ip,
        unicast: Some(MAC_A),
        source: None,
    };
    assert_eq!(
        log,
        vec![
            (6_000, probe),
            (7_000, probe),
            (
                8_000,
                Action::Failed {
                    target: ip,
                    queued: 0
                }
            ),
        ]
    );
    assert_eq!(c.get(ip), None);
    assert_eq!(c.counters().failures, 1);
    assert_eq!(c.counters().solicitations_unicast, 3);
    // Subsequent traffic recreates the entry and resolves again.
    assert_eq!(c.lookup(ms(9_000), ip), Lookup::NotFound);
}

#[test]
fn rfc4861_7_3_3_delay_confirmed_before_expiry_is_reachable_without_probe() {
    let mut c = cache();
    let ip = v6(2);
    enter(&mut c, ms(0), ip, NudState::Delay);
    assert!(c.confirm(ms(4_000), ip));
    assert_eq!(poll(&mut c, ms(5_000)), vec![]);
    assert_eq!(c.get(ip).unwrap().state, NudState::Reachable);
}

// ---- queueing (RFC 1122 §2.3.2.2) ----

#[test]
fn rfc1122_2_3_2_2_first_packet_queued_and_released_in_order() {
    let mut c = cache();
    let ip = v4(2);
    assert_eq!(c.lookup(ms(0), ip), Lookup::NotFound);
    for tag in 1..=3 {
        c.queue(ms(tag.into()), ip, &pkt(ip, tag)).unwrap();
    }
    assert_eq!(c.get(ip).unwrap().queued, 3);
    assert_eq!(ready(&mut c), vec![]);
    // ARP reply to us: REACHABLE, queue released in order.
    assert_eq!(c.arp_learn(ms(50), ip, MAC_A, true), Merge::Updated);
    assert_eq!(c.poll_at(), Some(ms(50)));
    assert!(c.has_released());
    assert_eq!(
        ready(&mut c),
        vec![(ip, MAC_A, 1), (ip, MAC_A, 2), (ip, MAC_A, 3)]
    );
    assert!(!c.has_released());
    assert_eq!(c.lookup(ms(60), ip), Lookup::Reachable(MAC_A));
    assert_eq!(c.counters().queue_drops, 0);
}

#[test]
fn rfc1122_2_3_2_2_overflow_drops_the_oldest() {
    let mut c = cache();
    let ip = v6(2);
    for tag in 1..=5 {
        c.queue(ms(0), ip, &pkt(ip, tag)).unwrap();
    }
    assert_eq!(c.get(ip).unwrap().queued, 3);
    assert_eq!(c.counters().queue_drops, 2);
    c.neighbor_solicitation(ms(1), ip, Some(MAC_A));
    assert_eq!(
        ready(&mut c),
        vec![(ip, MAC_A, 3), (ip, MAC_A, 4), (ip, MAC_A, 5)]
    );
}

#[test]
fn released_packets_go_before_new_traffic() {
    let mut c = cache();
    let ip = v6(2);
    c.queue(ms(0), ip, &pkt(ip, 1)).unwrap();
    c.neighbor_advertisement(
        ms(1),
        ip,
        Some(MAC_A),
        NaFlags {
            router: false,
            solicited: true,
            override_: false,
        },
    );
    // Packet 1 waits in the pool: a new packet must queue behind it.
    assert_eq!(c.lookup(ms(2), ip), Lookup::Incomplete);
    c.queue(ms(2), ip, &pkt(ip, 2)).unwrap();
    assert_eq!(ready(&mut c), vec![(ip, MAC_A, 1), (ip, MAC_A, 2)]);
    assert_eq!(c.lookup(ms(3), ip), Lookup::Reachable(MAC_A));
}

#[test]
fn queue_errors_are_counted_and_still_start_resolution() {
    let mut c = cache_with(4, 2, 30, NeighborConfig::default());
    let mcast = IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1));
    assert_eq!(c.queue(ms(0), mcast, &[0]), Err(QueueError::Unaddressable));
    let bcast = IpAddr::V4(Ipv4Addr::BROADCAST);
    assert_eq!(c.queue(ms(0), bcast, &[0]), Err(QueueError::Unaddressable));
    assert_eq!(c.lookup(ms(0), mcast), Lookup::NotFound);
    // 41 bytes > 30-byte slots.
    assert_eq!(
        c.queue(ms(0), v6(2), &pkt(v6(2), 1)),
        Err(QueueError::TooLarge)
    );
    assert_eq!(c.get(v6(2)).unwrap().state, NudState::Incomplete);
    assert_eq!(poll(&mut c, ms(0)).len(), 1);
    assert_eq!(c.counters().queue_drops, 3);

    let config = NeighborConfig {
        unres_qlen: 0,
        ..NeighborConfig::default()
    };
    let mut c = cache_with(4, 2, 64, config);
    assert_eq!(c.queue(ms(0), v6(2), &[1]), Err(QueueError::NoBuffer));
    assert_eq!(c.get(v6(2)).unwrap().state, NudState::Incomplete);

    let mut c = cache_with(0, 2, 64, NeighborConfig::default());
    assert_eq!(c.queue(ms(0), v6(2), &[1]), Err(QueueError::CacheFull));
}

#[test]
fn pool_exhaustion_keeps_each_neighbors_latest_packet() {
    let mut c = cache_with(4, 2, 64, NeighborConfig::default());
    let (a, b, d) = (v6(2), v6(3), v6(4));
    c.queue(ms(0), a, &pkt(a, 1)).unwrap();
    c.queue(ms(1), a, &pkt(a, 2)).unwrap();
    // Pool full; a holds two, so its oldest makes room for b.
    c.queue(ms(2), b, &pkt(b, 1)).unwrap();
    assert_eq!((c.get(a).unwrap().queued, c.get(b).unwrap().queued), (1, 1));
    // Everyone holds one: d's packet cannot take theirs.
    assert_eq!(c.queue(ms(3), d, &pkt(d, 1)), Err(QueueError::NoBuffer));
    // b's newer packet replaces b's older one.
    c.queue(ms(4), b, &pkt(b, 2)).unwrap();
    c.neighbor_solicitation(ms(5), a, Some(MAC_A));
    c.neighbor_solicitation(ms(5), b, Some(MAC_B));
    assert_eq!(ready(&mut c), vec![(a, MAC_A, 2), (b, MAC_B, 2)]);
    assert_eq!(c.counters().queue_drops, 3);
}

#[test]
fn unclaimed_unreachable_packets_are_reclaimed_first() {
    let mut c = cache_with(4, 1, 64, NeighborConfig::default());
    c.queue(ms(0), v6(2), &pkt(v6(2), 1)).unwrap();
    for t in [0, 1000, 2000, 3000] {
        poll(&mut c, ms(t));
    }
    assert_eq!(c.get(v6(2)), None);
    // The handed-back packet was never popped; new traffic reclaims it.
    c.queue(ms(3001), v6(3), &pkt(v6(3), 7)).unwrap();
    assert_eq!(unreachable(&mut c), vec![]);
    c.neighbor_solicitation(ms(3002), v6(3), Some(MAC_A));
    assert_eq!(ready(&mut c), vec![(v6(3), MAC_A, 7)]);
}

// ---- ARP (RFC 826) ----

#[test]
fn rfc826_merge_updates_only_existing_entries() {
    let mut c = cache();
    let ip = v4(2);
    // Not the target: no entry is created.
    assert_eq!(c.arp_update(ms(0), ip, MAC_A), Merge::Ignored);
    assert!(c.is_empty());
    // We are the target of a request: added, STALE.
    assert_eq!(c.arp_learn(ms(1), ip, MAC_A, false), Merge::Created);
    assert_eq!(state(&c, ip), Some((NudState::Stale, Some(MAC_A))));
    // Gratuitous ARP with a new address: merged (recorded, STALE).
    c.confirm(ms(2), ip);
    assert_eq!(c.arp_update(ms(3), ip, MAC_B), Merge::Updated);
    assert_eq!(state(&c, ip), Some((NudState::Stale, Some(MAC_B))));
    // The same address again: unchanged.
    c.confirm(ms(4), ip);
    c.arp_update(ms(5), ip, MAC_B);
    assert_eq!(c.get(ip).unwrap().state, NudState::Reachable);
    // A reply to us confirms reachability, and creates when new.
    assert_eq!(c.arp_learn(ms(6), v4(3), MAC_A, true), Merge::Created);
    assert_eq!(state(&c, v4(3)), Some((NudState::Reachable, Some(MAC_A))));
    // Group addresses are never cached.
    assert_eq!(
        c.arp_learn(ms(7), v4(4), EthernetAddress::BROADCAST, true),
        Merge::Ignored
    );
    assert_eq!(c.arp_learn(ms(7), v4(255), MAC_A, false), Merge::Created);
    assert_eq!(
        c.arp_learn(ms(7), IpAddr::V4(Ipv4Addr::BROADCAST), MAC_A, false),
        Merge::Ignored
    );
}

#[test]
fn rfc826_merge_resolves_incomplete_entry() {
    let mut c = cache();
    let ip = v4(2);
    c.queue(ms(0), ip, &pkt(ip, 9)).unwrap();
    // Any ARP packet from the neighbour (even not for us) resolves it.
    assert_eq!(c.arp_update(ms(5), ip, MAC_B), Merge::Updated);
    assert_eq!(state(&c, ip), Some((NudState::Stale, Some(MAC_B))));
    assert_eq!(ready(&mut c), vec![(ip, MAC_B, 9)]);
    assert_eq!(c.counters().resolutions, 1);
}

// ---- replacement, removal, gc ----

#[test]
fn eviction_replaces_least_recently_used_resolved_entry() {
    let mut c = cache_with(2, 4, 64, NeighborConfig::default());
    c.neighbor_solicitation(ms(0), v6(2), Some(MAC_A));
    c.neighbor_solicitation(ms(1), v6(3), Some(MAC_A));
    c.lookup(ms(2), v6(2)); // v6(2) used more recently
    assert_eq!(
        c.neighbor_solicitation(ms(3), v6(4), Some(MAC_B)),
        Merge::Created
    );
    assert!(c.get(v6(3)).is_none());
    assert!(c.get(v6(2)).is_some() && c.get(v6(4)).is_some());
    assert_eq!(c.counters().evictions, 1);
}

#[test]
fn eviction_prefers_resolved_over_unresolved_even_if_newer() {
    let mut c = cache_with(2, 4, 64, NeighborConfig::default());
    c.queue(ms(0), v6(2), &pkt(v6(2), 1)).unwrap();
    c.neighbor_solicitation(ms(5), v6(3), Some(MAC_A));
    c.queue(ms(6), v6(4), &pkt(v6(4), 1)).unwrap();
    assert!(c.get(v6(3)).is_none());
    assert_eq!(c.get(v6(2)).unwrap().queued, 1);
    assert_eq!(c.counters().evicted_packets, 0);
}

#[test]
fn learning_never_evicts_unresolved_entries() {
    let mut c = cache_with(2, 4, 64, NeighborConfig::default());
    c.queue(ms(0), v6(2), &pkt(v6(2), 1)).unwrap();
    c.queue(ms(0), v6(3), &pkt(v6(3), 1)).unwrap();
    assert_eq!(
        c.neighbor_solicitation(ms(1), v6(4), Some(MAC_A)),
        Merge::Ignored
    );
    assert_eq!(c.arp_learn(ms(1), v4(4), MAC_A, true), Merge::Ignored);
    assert_eq!(c.counters().table_full, 2);
    assert_eq!(c.len(), 2);
}

#[test]
fn eviction_of_unresolved_prefers_empty_queue_then_hands_packets_back() {
    let mut c = cache_with(2, 4, 30, NeighborConfig::default());
    c.queue(ms(0), v4(2), &pkt(v4(2), 1)).unwrap();
    // Too large: v4(3) is INCOMPLETE with nothing queued.
    assert_eq!(c.queue(ms(1), v4(3), &[0u8; 31]), Err(QueueError::TooLarge));
    c.queue(ms(2), v4(4), &pkt(v4(4), 1)).unwrap();
    assert!(c.get(v4(3)).is_none());
    assert_eq!(c.counters().evicted_packets, 0);
    // Only unresolved entries with packets left: the LRU one goes, its
    // packet handed back and counted.
    c.queue(ms(3), v4(5), &pkt(v4(5), 1)).unwrap();
    assert!(c.get(v4(2)).is_none());
    assert_eq!(c.counters().evicted_packets, 1);
    assert_eq!(c.counters().evictions, 2);
    assert_eq!(unreachable(&mut c), vec![(v4(2), 1)]);
}

#[test]
fn remove_retain_flush() {
    let mut c = cache();
    c.queue(ms(0), v6(2), &pkt(v6(2), 1)).unwrap();
    c.neighbor_solicitation(ms(0), v4(3), Some(MAC_A));
    c.neighbor_solicitation(ms(0), v6(4), Some(MAC_A));
    assert!(c.remove(v6(2)));
    assert!(!c.remove(v6(2)));
    assert_eq!(c.counters().queue_drops, 1);
    c.retain(|ip| ip.is_ipv6());
    assert!(c.get(v4(3)).is_none() && c.get(v6(4)).is_some());
    c.queue(ms(1), v6(5), &pkt(v6(5), 1)).unwrap();
    c.flush();
    assert!(c.is_empty());
    assert_eq!(c.pool.occupied, 0);
    assert_eq!(c.poll_at(), None);
}

#[test]
fn gc_collects_unused_stale_entries_after_gc_stale_time() {
    let mut c = cache();
    let ip = v6(2);
    enter(&mut c, ms(0), ip, NudState::Stale);
    assert_eq!(c.poll_at(), Some(ms(60_000)));
    poll(&mut c, ms(59_999));
    assert!(c.get(ip).is_some());
    poll(&mut c, ms(60_000));
    assert!(c.get(ip).is_none());
    assert_eq!(c.counters().gc_removals, 1);

    // gc_stale_time 0: never collected.
    let config = NeighborConfig {
        gc_stale_time_s: 0,
        ..NeighborConfig::default()
    };
    let mut c = cache_with(2, 2, 64, config);
    enter(&mut c, ms(0), ip, NudState::Stale);
    assert_eq!(c.poll_at(), None);
}

// ---- ReachableTime (RFC 4861 §6.3.2) ----

#[test]
fn rfc4861_6_3_2_reachable_time_is_random_within_half_to_one_and_a_half_base() {
    let (lo, hi) = (Duration::from_secs(15), Duration::from_secs(45));
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..500 {
        let c = NeighborCache::new(
            vec![NeighborEntry::EMPTY; 1],
            vec![PendingSlot::EMPTY; 1],
            vec![0u8; 1],
            NeighborConfig::default(),
            Rand::new(seed),
            Instant::ZERO,
        );
        for v in [IpVersion::Ipv4, IpVersion::Ipv6] {
            let r = c.reachable_time(v);
            assert!(lo <= r && r < hi, "{r}");
            seen.insert(r);
        }
    }
    assert!(seen.len() > 900);
    assert!(*seen.first().unwrap() < Duration::from_secs(16));
    assert!(*seen.last().unwrap() > Duration::from_secs(44));
}

#[test]
fn rfc4861_6_3_4_ra_timers_apply_to_ipv6_only() {
    let mut c = cache();
    let v4_before = c.reachable_time(IpVersion::Ipv4);
    c.set_base_reachable_time(ms(0), IpVersion::Ipv6, 10_000);
    let r = c.reachable_time(IpVersion::Ipv6);
    assert!(Duration::from_secs(5) <= r && r < Duration::from_secs(15));
    assert_eq!(c.reachable_time(IpVersion::Ipv4), v4_before);
    c.set_base_reachable_time(ms(0), IpVersion::Ipv6, 0);
    assert_eq!(c.reachable_time(IpVersion::Ipv6), r);
    c.set_retrans_timer(IpVersion::Ipv6, 250);
    c.set_retrans_timer(IpVersion::Ipv6, 0);
    assert_eq!(c.retrans_timer(IpVersion::Ipv6), Duration::from_millis(250));
    assert_eq!(c.retrans_timer(IpVersion::Ipv4), Duration::from_secs(1));
    c.queue(ms(0), v6(2), &pkt(v6(2), 1)).unwrap();
    poll(&mut c, ms(0));
    assert_eq!(c.poll_at(), Some(ms(250)));
}

#[test]
fn rfc4861_6_3_2_reachable_time_recomputed_every_few_hours() {
    let mut c = cache();
    let first = c.reachable_time(IpVersion::Ipv6);
    enter(&mut c, ms(0), v6(2), NudState::Reachable);
    assert_eq!(c.reachable_time(IpVersion::Ipv6), first);
    let later = Instant::ZERO + REACHABLE_TIME_RECOMPUTE;
    assert!(c.confirm(later, v6(2)));
    let second = c.reachable_time(IpVersion::Ipv6);
    assert_ne!(first, second);
    assert_eq!(c.get(v6(2)).unwrap().deadline, Some(later + second));
}

// ---- bounds ----

#[test]
fn flood_of_distinct_addresses_stays_bounded() {
    let mut c = cache_with(8, 4, 64, NeighborConfig::default());
    for i in 0..20_000u32 {
        let now = Instant::from_millis(i64::from(i));
        let ip = IpAddr::V6(Ipv6Addr::from(
            0xfe80_0000_0000_0000_0000_0000_0001_0000 + u128::from(i),
        ));
        if i % 2 == 0 {
            let _ = c.queue(now, ip, &pkt(ip, 0));
        } else {
            c.neighbor_solicitation(now, ip, Some(MAC_A));
        }
        poll(&mut c, now);
        assert!(c.len() <= 8);
        assert!(c.pool.occupied <= 4);
    }
    // Every new address took an entry by replacement or was refused and
    // counted; own traffic replaced entries, learning never replaced an
    // unresolved one.
    let k = c.counters();
    assert_eq!(c.len(), 8);
    assert!(
        k.evictions + k.table_full + k.failures >= 20_000 - 8,
        "{k:?}"
    );
    assert!(k.evictions >= 9_990, "{k:?}");
}

#[derive(Debug, Clone)]
enum Op {
    Advance(u16),
    Lookup(u8),
    Queue(u8, u8),
    Ns(u8, Option<u8>),
    Na(u8, Option<u8>, bool, bool, bool),
    Ra(u8, Option<u8>),
    Redirect(u8, Option<u8>, bool),
    ArpUpdate(u8, u8),
    ArpLearn(u8, u8, bool),
    Confirm(u8),
    Remove(u8),
    Flush,
    PopReady,
    PopUnreachable,
    Poll,
}

fn op() -> impl Strategy<Value = Op> {
    let ip = 0u8..12;
    let mac = proptest::option::of(0u8..3);
    prop_oneof![
        (0u16..3000).prop_map(Op::Advance),
        ip.clone().prop_map(Op::Lookup),
        (ip.clone(), 0u8..80).prop_map(|(i, l)| Op::Queue(i, l)),
        (ip.clone(), mac.clone()).prop_map(|(i, m)| Op::Ns(i, m)),
        (
            ip.clone(),
            mac.clone(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(i, m, r, s, o)| Op::Na(i, m, r, s, o)),
        (ip.clone(), mac.clone()).prop_map(|(i, m)| Op::Ra(i, m)),
        (ip.clone(), mac.clone(), any::<bool>()).prop_map(|(i, m, r)| Op::Redirect(i, m, r)),
        (ip.clone(), 0u8..3).prop_map(|(i, m)| Op::ArpUpdate(i, m)),
        (ip.clone(), 0u8..3, any::<bool>()).prop_map(|(i, m, c)| Op::ArpLearn(i, m, c)),
        ip.clone().prop_map(Op::Confirm),
        ip.prop_map(Op::Remove),
        Just(Op::Flush),
        Just(Op::PopReady),
        Just(Op::PopUnreachable),
        Just(Op::Poll),
    ]
}

/// Even indices are IPv6, odd IPv4; 10 and 11 are not unicast.
fn addr(i: u8) -> IpAddr {
    match i {
        10 => IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1)),
        11 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        i if i % 2 == 0 => v6(u16::from(i) + 2),
        i => v4(i + 2),
    }
}

fn mac(i: u8) -> EthernetAddress {
    match i {
        0 => MAC_A,
        1 => MAC_B,
        _ => EthernetAddress::BROADCAST,
    }
}

fn check_invariants(c: &NeighborCache<'_>, now: Instant, polled: bool) {
    let infos: Vec<NeighborInfo> = c.iter().collect();
    assert!(infos.len() <= c.capacity());
    let mut ips: Vec<IpAddr> = infos.iter().map(|i| i.protocol_addr).collect();
    ips.sort();
    ips.dedup();
    assert_eq!(ips.len(), infos.len(), "duplicate entries");
    for i in &infos {
        assert!(is_addressable(&i.protocol_addr));
        assert_eq!(i.state == NudState::Incomplete, i.hardware_addr.is_none());
        assert!(i.hardware_addr.is_none_or(|m| m.is_unicast()));
        assert!(i.queued <= c.config().unres_qlen as usize);
        if i.state != NudState::Incomplete {
            assert_eq!(i.queued, 0);
        }
        if polled {
            // poll ran every due timer.
            assert!(i.deadline.is_none_or(|d| d > now), "{i:?} at {now}");
        }
    }
    let occupied = c
        .pool
        .slots
        .iter()
        .filter(|s| s.state != SlotState::Free)
        .count();
    assert_eq!(occupied, c.pool.occupied);
    for s in c.pool.slots.iter() {
        assert!(s.len <= c.slot_size());
        if let SlotState::Pending(ip) = s.state {
            // Every pending packet belongs to an unresolved entry.
            assert_eq!(c.get(ip).map(|i| i.state), Some(NudState::Incomplete));
        }
    }
}

proptest! {
    #[test]
    fn any_event_sequence_never_panics_and_stays_bounded(
        ops in proptest::collection::vec(op(), 1..200),
        seed in any::<u64>(),
    ) {
        let mut c = NeighborCache::new(
            vec![NeighborEntry::EMPTY; 4],
            vec![PendingSlot::EMPTY; 5],
            vec![0u8; 5 * 64],
            NeighborConfig::default(),
            Rand::new(seed),
            Instant::ZERO,
        );
        let mut now = Instant::ZERO;
        for op in ops {
            let mut polled = false;
            match op {
                Op::Advance(d) => now += Duration::from_millis(u64::from(d)),
                Op::Lookup(i) => { c.lookup(now, addr(i)); }
                Op::Queue(i, len) => {
                    let mut p = pkt(addr(i), 0);
                    p.resize(usize::from(len), 0);
                    let _ = c.queue(now, addr(i), &p);
                }
                Op::Ns(i, m) => { c.neighbor_solicitation(now, addr(i), m.map(mac)); }
                Op::Na(i, m, router, solicited, override_) => {
                    let flags = NaFlags { router, solicited, override_ };
                    c.neighbor_advertisement(now, addr(i), m.map(mac), flags);
                }
                Op::Ra(i, m) => { c.router_advertisement(now, addr(i), m.map(mac)); }
                Op::Redirect(i, m, r) => { c.redirect(now, addr(i), m.map(mac), r); }
                Op::ArpUpdate(i, m) => { c.arp_update(now, addr(i), mac(m)); }
                Op::ArpLearn(i, m, conf) => { c.arp_learn(now, addr(i), mac(m), conf); }
                Op::Confirm(i) => { c.confirm(now, addr(i)); }
                Op::Remove(i) => { c.remove(addr(i)); }
                Op::Flush => c.flush(),
                Op::PopReady => { let _ = c.pop_ready(); }
                Op::PopUnreachable => { let _ = c.pop_unreachable(); }
                Op::Poll => {
                    c.poll(now, |a| {
                        let (Action::Solicit { target, .. } | Action::Failed { target, .. }) = a;
                        assert!(is_addressable(&target));
                    });
                    polled = true;
                }
            }
            check_invariants(&c, now, polled);
        }
    }
}
