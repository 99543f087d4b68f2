//! Segment-level tests: a segment in, the segments out, explicit times.
//! Named after the RFC rule they check.

use core::net::{IpAddr, Ipv4Addr};
use std::vec;
use std::vec::Vec;

use super::*;
use crate::socket::{IpMeta, PollAt};
use crate::wire::IpEcn;
use crate::wire::tcp::{Control, Repr, TcpTimestamp};

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
const REMOTE: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
const LOCAL_PORT: u16 = 80;
const REMOTE_PORT: u16 = 49500;
const OUR_ISS: TcpSeqNumber = TcpSeqNumber(1_000_000);
const PEER_ISS: TcpSeqNumber = TcpSeqNumber(5_000);

fn t(ms: i64) -> Instant {
    Instant::from_millis(ms)
}

fn meta() -> IpMeta {
    IpMeta {
        src_addr: REMOTE,
        dst_addr: LOCAL,
        hop_limit: 64,
        dscp: 0,
        ecn: IpEcn::NotEct,
    }
}

fn socket(rx: usize, tx: usize) -> Socket<'static> {
    Socket::new(
        RingBuffer::new(vec![0u8; rx]),
        RingBuffer::new(vec![0u8; tx]),
    )
}

fn seg<'p>(
    control: Control,
    seq: TcpSeqNumber,
    ack: Option<TcpSeqNumber>,
    payload: &'p [u8],
) -> Repr<'p> {
    Repr {
        src_port: REMOTE_PORT,
        dst_port: LOCAL_PORT,
        control,
        psh: false,
        seq_number: seq,
        ack_number: ack,
        window_len: 65535,
        urgent_at: None,
        ece: false,
        cwr: false,
        ae: false,
        window_scale: None,
        max_seg_size: None,
        sack_permitted: false,
        sack_ranges: [None; 4],
        timestamp: None,
        fast_open_cookie: None,
        accecn: None,
        payload,
    }
}

/// A copy of `r` without its payload.
fn own(r: &Repr<'_>) -> Repr<'static> {
    Repr {
        src_port: r.src_port,
        dst_port: r.dst_port,
        control: r.control,
        psh: r.psh,
        seq_number: r.seq_number,
        ack_number: r.ack_number,
        window_len: r.window_len,
        urgent_at: r.urgent_at,
        ece: r.ece,
        cwr: r.cwr,
        ae: r.ae,
        window_scale: r.window_scale,
        max_seg_size: r.max_seg_size,
        sack_permitted: r.sack_permitted,
        sack_ranges: r.sack_ranges,
        timestamp: r.timestamp,
        fast_open_cookie: r.fast_open_cookie,
        accecn: r.accecn,
        payload: &[],
    }
}

/// Everything the socket sends at `now`, as owned (repr fields, payload).
fn drain(s: &mut Socket<'_>, now: Instant) -> Vec<(Repr<'static>, Vec<u8>)> {
    let mut out = Vec::new();
    for _ in 0..64 {
        let due = match s.poll_at() {
            PollAt::Now => true,
            PollAt::Time(at) => at <= now,
            PollAt::Ingress => false,
        };
        if !due {
            break;
        }
        let before = out.len();
        let _: Result<(), ()> = s.dispatch(now, |t| {
            let mut data = t.repr.payload.to_vec();
            data.extend_from_slice(t.payload_tail);
            out.push((own(t.repr), data));
            Ok(())
        });
        if out.len() == before {
            break;
        }
    }
    out
}

/// A socket in ESTABLISHED after a passive open with a plain SYN.
fn established(rx: usize, tx: usize) -> Socket<'static> {
    let mut s = socket(rx, tx);
    s.listen(LOCAL_PORT).unwrap();
    let mut syn = seg(Control::Syn, PEER_ISS, None, &[]);
    syn.max_seg_size = Some(1460);
    assert!(s.process(t(0), &meta(), &syn, OUR_ISS, 1460).is_none());
    let out = drain(&mut s, t(0));
    assert_eq!(out.len(), 1);
    s.process(
        t(1),
        &meta(),
        &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.state(), State::Established);
    s
}

#[test]
fn rfc9293_3_10_7_2_syn_gets_syn_ack_with_options() {
    let mut s = socket(100_000, 4096);
    s.listen(LOCAL_PORT).unwrap();
    let mut syn = seg(Control::Syn, PEER_ISS, None, &[]);
    syn.max_seg_size = Some(1400);
    syn.window_scale = Some(7);
    syn.sack_permitted = true;
    syn.timestamp = Some(TcpTimestamp {
        tsval: 777,
        tsecr: 0,
    });
    assert!(s.accepts(&meta(), &syn));
    assert!(s.process(t(0), &meta(), &syn, OUR_ISS, 1460).is_none());
    assert_eq!(s.state(), State::SynReceived);
    let out = drain(&mut s, t(0));
    assert_eq!(out.len(), 1);
    let (synack, _) = &out[0];
    assert_eq!(synack.control, Control::Syn);
    assert_eq!(synack.seq_number, OUR_ISS);
    assert_eq!(synack.ack_number, Some(PEER_ISS + 1));
    assert_eq!(synack.max_seg_size, Some(1460));
    // RFC 7323 §2.2: our shift covers a 100 kB buffer (1).
    assert_eq!(synack.window_scale, Some(1));
    // RFC 2018 §2 (without `socket-tcp-sack` the offer is ignored).
    assert_eq!(synack.sack_permitted, super::SACK);
    assert_eq!(synack.timestamp.map(|t| t.tsecr), Some(777));
    // The sender MSS is the smaller of the peer's and the route's.
    assert_eq!(s.info().mss, 1400);
}

#[test]
fn rfc9293_3_10_7_2_ack_in_listen_is_reset() {
    let mut s = socket(1024, 1024);
    s.listen(LOCAL_PORT).unwrap();
    let ack = seg(Control::None, PEER_ISS, Some(TcpSeqNumber(42)), &[]);
    let reply = s.process(t(0), &meta(), &ack, OUR_ISS, 1460).unwrap();
    assert_eq!(
        reply,
        Reply {
            seq: TcpSeqNumber(42),
            ack: None,
            rst: true
        }
    );
    assert_eq!(s.state(), State::Listen);
    // A RST in LISTEN is ignored.
    assert!(
        s.process(
            t(0),
            &meta(),
            &seg(Control::Rst, PEER_ISS, None, &[]),
            OUR_ISS,
            1460
        )
        .is_none()
    );
}

#[test]
fn rfc9293_3_10_7_3_active_open() {
    let mut s = socket(4096, 4096);
    let local = IpEndpoint::new(LOCAL, LOCAL_PORT);
    let remote = IpEndpoint::new(REMOTE, REMOTE_PORT);
    s.connect_with_iss(t(0), remote, local, OUR_ISS, 1460)
        .unwrap();
    let out = drain(&mut s, t(0));
    assert_eq!(out.len(), 1);
    let (syn, _) = &out[0];
    assert_eq!(
        (syn.control, syn.seq_number, syn.ack_number),
        (Control::Syn, OUR_ISS, None)
    );
    assert!(syn.window_scale.is_some() && syn.timestamp.is_some());
    assert_eq!(syn.sack_permitted, super::SACK);
    // RFC 9293 §3.7.1: the SYN offers the MSS our route allows, not the
    // 536-byte default.
    assert_eq!(syn.max_seg_size, Some(1460));
    // A bad ACK in SYN-SENT is answered with <SEQ=SEG.ACK><CTL=RST>.
    let mut bad = seg(Control::Syn, PEER_ISS, Some(OUR_ISS + 5), &[]);
    bad.src_port = REMOTE_PORT;
    let r = s.process(t(1), &meta(), &bad, OUR_ISS, 1460).unwrap();
    assert_eq!(r.seq, OUR_ISS + 5);
    // The SYN-ACK: ESTABLISHED and an ACK.
    let synack = seg(Control::Syn, PEER_ISS, Some(OUR_ISS + 1), &[]);
    assert!(s.process(t(2), &meta(), &synack, OUR_ISS, 1460).is_none());
    assert_eq!(s.state(), State::Established);
    let out = drain(&mut s, t(2));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0.ack_number, Some(PEER_ISS + 1));
    assert_eq!(out[0].0.seq_number, OUR_ISS + 1);
}

/// RFC 9293 §3.8.6.2.2 / RFC 7323 §2.4: the window offered after an
/// active open is the receive buffer, whatever the peer's ISS (the right
/// edge remembered from SYN-SENT, before RCV.NXT was known, is not an
/// offer).
#[test]
fn rfc9293_3_8_6_2_2_active_open_offers_only_the_buffer() {
    for peer_iss in [0u32, 10, 0x7fff_0000, 0x8000_0000, 0xf000_0000, 0xffff_fff0] {
        let mut s = socket(4096, 4096);
        let local = IpEndpoint::new(LOCAL, LOCAL_PORT);
        let remote = IpEndpoint::new(REMOTE, REMOTE_PORT);
        s.connect_with_iss(t(0), remote, local, OUR_ISS, 1460)
            .unwrap();
        drain(&mut s, t(0));
        let peer_iss = TcpSeqNumber(peer_iss);
        let synack = seg(Control::Syn, peer_iss, Some(OUR_ISS + 1), &[]);
        assert!(s.process(t(2), &meta(), &synack, OUR_ISS, 1460).is_none());
        let out = drain(&mut s, t(2));
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].0.window_len, 4096,
            "peer ISS {peer_iss:?}: the ACK offers the 4096-byte buffer"
        );
    }
}

#[test]
fn rfc9293_3_7_1_active_open_syn_offers_the_route_mss() {
    for mss in [1460usize, 1440, 8960] {
        let mut s = socket(4096, 4096);
        let local = IpEndpoint::new(LOCAL, LOCAL_PORT);
        let remote = IpEndpoint::new(REMOTE, REMOTE_PORT);
        s.connect_with_iss(t(0), remote, local, OUR_ISS, mss)
            .unwrap();
        let out = drain(&mut s, t(0));
        assert_eq!(out[0].0.max_seg_size, Some(mss as u16), "mss {mss}");
    }
}

#[test]
fn rfc5961_3_2_rst_must_match_rcv_nxt_exactly() {
    let mut s = established(4096, 4096);
    // In window but not exact: challenge ACK, connection kept.
    s.process(
        t(10),
        &meta(),
        &seg(Control::Rst, PEER_ISS + 100, None, &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.state(), State::Established);
    let out = drain(&mut s, t(10));
    assert_eq!(out.len(), 1, "challenge ACK");
    assert_eq!(out[0].0.ack_number, Some(PEER_ISS + 1));
    // Exact: reset.
    s.process(
        t(11),
        &meta(),
        &seg(Control::Rst, PEER_ISS + 1, None, &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.state(), State::Closed);
    assert_eq!(s.take_error(), Some(TcpError::Reset));
}

#[test]
fn rfc5961_4_2_syn_in_established_gets_challenge_ack() {
    let mut s = established(4096, 4096);
    s.process(
        t(10),
        &meta(),
        &seg(Control::Syn, PEER_ISS + 1, None, &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.state(), State::Established);
    let out = drain(&mut s, t(10));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0.control, Control::None);
}

#[test]
fn rfc5961_5_2_ack_beyond_snd_nxt_is_challenged() {
    let mut s = established(4096, 4096);
    s.process(
        t(10),
        &meta(),
        &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1000), b"x"),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.recv_queue(), 0, "data of an unacceptable ACK is dropped");
    assert_eq!(drain(&mut s, t(10)).len(), 1);
}

#[test]
fn rfc9293_3_10_7_4_in_order_data_delayed_ack_then_every_second_segment() {
    let mut s = established(100_000, 4096);
    let data = vec![7u8; 1460];
    // Quick-ACK at the start of the connection: the first segments are
    // ACKed at once; after that every second full segment.
    let mut seq = PEER_ISS + 1;
    let mut acks = 0;
    for i in 0..10 {
        s.process(
            t(10 + i),
            &meta(),
            &seg(Control::None, seq, Some(OUR_ISS + 1), &data),
            OUR_ISS,
            1460,
        );
        seq += data.len();
        acks += drain(&mut s, t(10 + i)).len();
    }
    assert_eq!(s.recv_queue(), 14_600);
    assert!((5..=9).contains(&acks), "acks: {acks}");
    // A lone small segment: ACK delayed, sent by the timer.
    s.process(
        t(100),
        &meta(),
        &seg(Control::None, seq, Some(OUR_ISS + 1), b"tail"),
        OUR_ISS,
        1460,
    );
    assert!(drain(&mut s, t(100)).is_empty());
    assert_eq!(s.poll_at(), PollAt::Time(t(100) + ACK_DELAY));
    let out = drain(&mut s, t(100) + ACK_DELAY);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0.ack_number, Some(seq + 4));
}

/// RFC 5681 §4.2 / RFC 9293 §3.8.6.3: with timestamps a full-sized
/// segment carries 1448 bytes (RFC 6691 §2: the MSS of 1460 less 12 bytes
/// of options); every second one is still ACKed at once. (Counting only
/// 1460-byte segments as full left every ACK to the 40 ms timer once the
/// quick-ACK start was over, whenever no data of ours could carry it.)
#[test]
fn rfc5681_4_2_every_second_full_segment_with_timestamps_is_acked_at_once() {
    let mut s = socket(1 << 20, 4096);
    s.listen(LOCAL_PORT).unwrap();
    let mut syn = seg(Control::Syn, PEER_ISS, None, &[]);
    syn.max_seg_size = Some(1460);
    syn.timestamp = Some(TcpTimestamp {
        tsval: 100,
        tsecr: 0,
    });
    s.process(t(0), &meta(), &syn, OUR_ISS, 1460);
    assert_eq!(drain(&mut s, t(0)).len(), 1);
    let mut ack = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]);
    ack.timestamp = Some(TcpTimestamp {
        tsval: 101,
        tsecr: 1,
    });
    s.process(t(1), &meta(), &ack, OUR_ISS, 1460);
    assert_eq!(s.state(), State::Established);
    let data = vec![7u8; 1448];
    let mut seq = PEER_ISS + 1;
    let mut acked_at_once = Vec::new();
    for i in 0..12 {
        let mut d = seg(Control::None, seq, Some(OUR_ISS + 1), &data);
        d.timestamp = Some(TcpTimestamp {
            tsval: 102 + i,
            tsecr: 1,
        });
        s.process(t(10 + i64::from(i)), &meta(), &d, OUR_ISS, 1460);
        seq += data.len();
        let out = drain(&mut s, t(10 + i64::from(i)));
        assert!(out.len() <= 1);
        if let Some((a, _)) = out.first() {
            assert_eq!(a.ack_number, Some(seq), "an ACK covers all data");
            acked_at_once.push(i);
        }
    }
    // Quick ACKs for the first four segments (4 * 1448 < 4 * 1460), then
    // every second segment, none left to the delayed-ACK timer at the end.
    assert_eq!(acked_at_once, [0, 1, 2, 3, 5, 7, 9, 11]);
    assert_eq!(s.pending.ack_delayed, None);
}

/// RFC 2018 §4: SACK options "SHOULD be included in all ACKs which do not
/// ACK the highest sequence number in the data receiver's queue" — data
/// segments too. A receiver holding out-of-order data while it sends full
/// segments (a bidirectional transfer) makes room for its SACK blocks in
/// each of them, TSO super-segments included (every segment cut from one
/// carries the blocks: its segment size leaves room for them). Before, a
/// full segment left no room, the ACK that out-of-order data is owed went
/// out without blocks and the peer's SACK recovery never started.
#[test]
fn rfc2018_4_full_data_segments_make_room_for_sack_blocks() {
    for tso in [0, 65_535] {
        let mut s = socket(100_000, 100_000);
        s.listen(LOCAL_PORT).unwrap();
        let mut syn = seg(Control::Syn, PEER_ISS, None, &[]);
        syn.sack_permitted = true;
        syn.max_seg_size = Some(1460);
        s.process(t(0), &meta(), &syn, OUR_ISS, 1460);
        drain(&mut s, t(0));
        s.process(
            t(1),
            &meta(),
            &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]),
            OUR_ISS,
            1460,
        );
        s.tso_max_size = tso;
        s.send_slice(&[7u8; 10_000]).unwrap();
        // Bytes 100..200 of the peer's data arrive before 0..100.
        let base = PEER_ISS + 1;
        s.process(
            t(2),
            &meta(),
            &seg(Control::None, base + 100, Some(OUR_ISS + 1), &[1u8; 100]),
            OUR_ISS,
            1460,
        );
        let mut out = Vec::new();
        let _: Result<(), ()> = s.dispatch(t(2), |t| {
            out.push((
                own(t.repr),
                t.repr.payload.len() + t.payload_tail.len(),
                t.segment_size,
            ));
            Ok(())
        });
        let (repr, len, segment_size) = &out[0];
        assert_eq!(repr.ack_number, Some(base));
        if !super::SACK {
            continue;
        }
        assert_eq!(
            repr.sack_ranges[0],
            Some(((base + 100).0, (base + 200).0)),
            "tso {tso}: the first data segment carries the SACK block"
        );
        // One block: 12 bytes of options beside none other.
        assert!(*len > 0);
        let per_segment = segment_size.map_or(*len, usize::from);
        assert!(per_segment + 12 <= 1460, "tso {tso}: {per_segment} bytes");
        assert_eq!(segment_size.is_some(), tso != 0, "tso {tso}");
    }
}

/// Out-of-order data is ACKed at once (RFC 5681 §4.2) with a SACK block
/// (RFC 2018 §4), a duplicate with a D-SACK (RFC 2883 §4). Without
/// `socket-tcp-sack` SACK was never agreed: the same ACKs, no blocks.
#[test]
fn rfc2018_out_of_order_data_is_acked_at_once_with_sack() {
    let sack = |b: (TcpSeqNumber, TcpSeqNumber)| super::SACK.then_some((b.0.0, b.1.0));
    let mut s = socket(100_000, 4096);
    s.listen(LOCAL_PORT).unwrap();
    let mut syn = seg(Control::Syn, PEER_ISS, None, &[]);
    syn.sack_permitted = true;
    s.process(t(0), &meta(), &syn, OUR_ISS, 1460);
    drain(&mut s, t(0));
    s.process(
        t(1),
        &meta(),
        &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]),
        OUR_ISS,
        1460,
    );
    // Bytes 100..200 arrive before 0..100.
    let base = PEER_ISS + 1;
    s.process(
        t(2),
        &meta(),
        &seg(Control::None, base + 100, Some(OUR_ISS + 1), &[1u8; 100]),
        OUR_ISS,
        1460,
    );
    let out = drain(&mut s, t(2));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0.ack_number, Some(base));
    assert_eq!(out[0].0.sack_ranges[0], sack((base + 100, base + 200)));
    // The hole fills: everything is delivered in order, ACKed at once.
    s.process(
        t(3),
        &meta(),
        &seg(Control::None, base, Some(OUR_ISS + 1), &[0u8; 100]),
        OUR_ISS,
        1460,
    );
    let out = drain(&mut s, t(3));
    assert_eq!(out[0].0.ack_number, Some(base + 200));
    assert_eq!(out[0].0.sack_ranges[0], None);
    let mut buf = [9u8; 300];
    assert_eq!(s.recv_slice(&mut buf), Ok(200));
    assert!(buf[..100].iter().all(|&b| b == 0) && buf[100..200].iter().all(|&b| b == 1));
    // RFC 2883: a duplicate below rcv_nxt gets a D-SACK.
    s.process(
        t(4),
        &meta(),
        &seg(Control::None, base, Some(OUR_ISS + 1), &[0u8; 100]),
        OUR_ISS,
        1460,
    );
    let out = drain(&mut s, t(4));
    assert_eq!(out[0].0.ack_number, Some(base + 200));
    assert_eq!(out[0].0.sack_ranges[0], sack((base, base + 100)));
}

#[test]
fn rfc9293_3_10_7_4_pure_ack_after_rto_carries_the_highest_seq_sent() {
    let mut s = established(8192, 8192);
    s.send_slice(&[7u8; 2920]).unwrap();
    let out = drain(&mut s, t(10));
    assert_eq!(out.iter().map(|(_, d)| d.len()).sum::<usize>(), 2920);
    let PollAt::Time(rto) = s.poll_at() else {
        panic!()
    };
    let out = drain(&mut s, rto);
    assert_eq!(out[0].0.seq_number, OUR_ISS + 1);
    // Data from the peer: the ACK we owe it must not carry the rewound
    // snd_nxt, or the peer (whose RCV.NXT is past it) drops it unread.
    s.process(
        rto,
        &meta(),
        &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), b"x"),
        OUR_ISS,
        1460,
    );
    let out = drain(&mut s, rto + Duration::from_millis(100));
    let ack = out
        .iter()
        .find(|(r, d)| d.is_empty() && r.ack_number == Some(PEER_ISS + 2))
        .expect("an ACK of the byte");
    assert_eq!(ack.0.seq_number, OUR_ISS + 1 + 2920);
}

#[test]
fn rfc6298_retransmission_timeout_backs_off() {
    let mut s = established(4096, 4096);
    s.send_slice(b"hello").unwrap();
    let out = drain(&mut s, t(10));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1, b"hello");
    // No ACK: the first RTO (1 s initial, RFC 6298 §2.1) resends.
    let PollAt::Time(rto1) = s.poll_at() else {
        panic!()
    };
    assert_eq!(rto1, t(10) + Duration::from_secs(1));
    let out = drain(&mut s, rto1);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1, b"hello");
    assert_eq!(out[0].0.seq_number, OUR_ISS + 1);
    // RFC 6298 §5.5: the timer doubles.
    let PollAt::Time(rto2) = s.poll_at() else {
        panic!()
    };
    assert_eq!(rto2, rto1 + Duration::from_secs(2));
    assert_eq!(s.info().rto_events, 1);
    // The ACK stops the timer.
    s.process(
        rto2,
        &meta(),
        &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 6), &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.send_queue(), 0);
    assert_eq!(s.poll_at(), PollAt::Ingress);
}

#[test]
fn rfc9293_passive_close_and_last_ack() {
    let mut s = established(4096, 4096);
    s.process(
        t(10),
        &meta(),
        &seg(Control::Fin, PEER_ISS + 1, Some(OUR_ISS + 1), &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.state(), State::CloseWait);
    assert_eq!(s.recv_slice(&mut [0u8; 8]), Err(RecvError::Finished));
    let out = drain(&mut s, t(10));
    assert_eq!(out[0].0.ack_number, Some(PEER_ISS + 2));
    s.close();
    assert_eq!(s.state(), State::LastAck);
    let out = drain(&mut s, t(11));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0.control, Control::Fin);
    assert_eq!(out[0].0.seq_number, OUR_ISS + 1);
    s.process(
        t(12),
        &meta(),
        &seg(Control::None, PEER_ISS + 2, Some(OUR_ISS + 2), &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn rfc9293_active_close_time_wait_and_rfc1337() {
    let mut s = established(4096, 4096);
    s.close();
    let out = drain(&mut s, t(10));
    assert_eq!(out[0].0.control, Control::Fin);
    s.process(
        t(11),
        &meta(),
        &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 2), &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.state(), State::FinWait2);
    s.process(
        t(12),
        &meta(),
        &seg(Control::Fin, PEER_ISS + 1, Some(OUR_ISS + 2), &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.state(), State::TimeWait);
    assert_eq!(drain(&mut s, t(12)).len(), 1, "the FIN is ACKed");
    // RFC 1337: a RST does not end TIME-WAIT early.
    s.process(
        t(13),
        &meta(),
        &seg(Control::Rst, PEER_ISS + 2, None, &[]),
        OUR_ISS,
        1460,
    );
    assert_eq!(s.state(), State::TimeWait);
    // 2*MSL later: closed.
    drain(&mut s, t(12) + TIME_WAIT);
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn rfc7323_5_paws_drops_old_timestamps() {
    let mut s = socket(4096, 4096);
    s.listen(LOCAL_PORT).unwrap();
    let mut syn = seg(Control::Syn, PEER_ISS, None, &[]);
    syn.timestamp = Some(TcpTimestamp {
        tsval: 1000,
        tsecr: 0,
    });
    s.process(t(0), &meta(), &syn, OUR_ISS, 1460);
    drain(&mut s, t(0));
    let mut ack = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]);
    ack.timestamp = Some(TcpTimestamp {
        tsval: 1001,
        tsecr: 1,
    });
    s.process(t(1), &meta(), &ack, OUR_ISS, 1460);
    let mut old = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), b"stale");
    old.timestamp = Some(TcpTimestamp {
        tsval: 900,
        tsecr: 1,
    });
    s.process(t(2), &meta(), &old, OUR_ISS, 1460);
    assert_eq!(s.recv_queue(), 0);
    assert_eq!(drain(&mut s, t(2)).len(), 1, "ACKed, not accepted");
}

#[test]
fn rfc9293_3_8_6_1_zero_window_probing() {
    let mut s = established(4096, 4096);
    // The peer closes its window.
    let mut zero = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]);
    zero.window_len = 0;
    s.process(t(5), &meta(), &zero, OUR_ISS, 1460);
    s.send_slice(b"waiting").unwrap();
    assert!(drain(&mut s, t(10)).is_empty(), "nothing fits the window");
    let PollAt::Time(probe_at) = s.poll_at() else {
        panic!("{:?}", s.poll_at())
    };
    let out = drain(&mut s, probe_at);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1, b"w", "a one-byte probe");
    // The window opens: the data goes.
    let mut open = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]);
    open.window_len = 1000;
    s.process(probe_at, &meta(), &open, OUR_ISS, 1460);
    let out = drain(&mut s, probe_at);
    assert_eq!(out.iter().map(|o| o.1.len()).sum::<usize>(), 7);
}

#[test]
fn rfc9293_3_8_6_1_the_ack_of_an_accepted_probe_byte_opens_the_window() {
    // The receiver's window opened while its update was lost: it takes the
    // probe's byte and ACKs it (SND.UNA + 1) with the open window. That
    // ACK is acceptable (the byte was sent); before, it counted as ACKing
    // data not yet sent (RFC 9293 §3.10.7.4: challenge ACK, drop), so the
    // window was never learnt and every later probe went the same way.
    let mut s = established(4096, 4096);
    let mut zero = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]);
    zero.window_len = 0;
    s.process(t(5), &meta(), &zero, OUR_ISS, 1460);
    s.send_slice(b"waiting").unwrap();
    assert!(drain(&mut s, t(10)).is_empty());
    let PollAt::Time(probe_at) = s.poll_at() else {
        panic!("{:?}", s.poll_at())
    };
    let out = drain(&mut s, probe_at);
    assert_eq!(out[0].1, b"w");
    let mut took = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 2), &[]);
    took.window_len = 1000;
    let reply = s.process(probe_at, &meta(), &took, OUR_ISS, 1460);
    assert!(reply.is_none());
    assert_eq!(s.snd_una, OUR_ISS + 2, "the probe byte is acknowledged");
    let out = drain(&mut s, probe_at);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].0.seq_number, OUR_ISS + 2);
    assert_eq!(out[0].1, b"aiting", "the rest goes in the open window");
}

#[test]
fn rfc9293_3_8_6_1_a_closed_connection_still_probes_the_window() {
    // close() with data queued behind a closed window (FIN-WAIT-1): the
    // persist timer runs as in ESTABLISHED, so a lost window update does
    // not leave the data and the FIN waiting forever.
    let mut s = established(4096, 4096);
    let mut zero = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]);
    zero.window_len = 0;
    s.process(t(5), &meta(), &zero, OUR_ISS, 1460);
    s.send_slice(b"waiting").unwrap();
    s.close();
    assert_eq!(s.state(), State::FinWait1);
    assert!(drain(&mut s, t(10)).is_empty(), "nothing fits the window");
    let PollAt::Time(probe_at) = s.poll_at() else {
        panic!("no persist timer: {:?}", s.poll_at())
    };
    let out = drain(&mut s, probe_at);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1, b"w", "a one-byte probe");
}

#[test]
fn rfc5681_fast_retransmit_on_three_duplicate_acks() {
    let mut s = established(4096, 100_000);
    s.set_nodelay(true);
    s.send_slice(&vec![1u8; 5 * 1460]).unwrap();
    let out = drain(&mut s, t(10));
    assert_eq!(out.len(), 5, "IW10 lets five segments go");
    let dup = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]);
    for i in 0..3 {
        s.process(t(20 + i), &meta(), &dup, OUR_ISS, 1460);
    }
    let out = drain(&mut s, t(23));
    assert!(!out.is_empty());
    assert_eq!(
        out[0].0.seq_number,
        OUR_ISS + 1,
        "the first unacked segment is resent"
    );
    assert_eq!(s.info().fast_retransmits, 1);
}

/// Two sockets wired back to back (no interface): every segment one
/// dispatches is processed by the other.
fn shuttle(from: &mut Socket<'_>, to: &mut Socket<'_>, now: Instant, to_meta: &IpMeta) -> usize {
    let mut segs: Vec<(Repr<'static>, Vec<u8>)> = Vec::new();
    for _ in 0..256 {
        let due = match from.poll_at() {
            PollAt::Now => true,
            PollAt::Time(at) => at <= now,
            PollAt::Ingress => false,
        };
        if !due {
            break;
        }
        let before = segs.len();
        let _: Result<(), ()> = from.dispatch(now, |t| {
            let mut data = t.repr.payload.to_vec();
            data.extend_from_slice(t.payload_tail);
            segs.push((own(t.repr), data));
            Ok(())
        });
        if segs.len() == before {
            break;
        }
    }
    let n = segs.len();
    for (repr, data) in segs {
        let mut r = repr;
        r.payload = &data;
        let _ = to.process(now, to_meta, &r, OUR_ISS, 1460);
    }
    n
}

#[test]
fn bulk_through_small_rings_keeps_every_byte() {
    let mut a = socket(3000, 5000);
    let mut b = socket(7000, 3000);
    let a_ep = IpEndpoint::new(REMOTE, REMOTE_PORT);
    let b_ep = IpEndpoint::new(LOCAL, LOCAL_PORT);
    let to_b = meta();
    let to_a = IpMeta {
        src_addr: LOCAL,
        dst_addr: REMOTE,
        ..meta()
    };
    b.listen(LOCAL_PORT).unwrap();
    a.connect_with_iss(t(0), b_ep, a_ep, PEER_ISS, 1460)
        .unwrap();
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let (mut sent, mut got) = (0, Vec::new());
    let mut now = t(0);
    for _ in 0..20_000 {
        if a.may_send() && sent < data.len() {
            sent += a.send_slice(&data[sent..]).unwrap();
        }
        shuttle(&mut a, &mut b, now, &to_b);
        let mut buf = [0u8; 1000];
        while let Ok(n) = b.recv_slice(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        shuttle(&mut b, &mut a, now, &to_a);
        if got.len() == data.len() {
            break;
        }
        now += Duration::from_millis(1);
    }
    let first = got.iter().zip(&data).position(|(x, y)| x != y);
    assert_eq!(first, None, "first difference");
    assert_eq!(got.len(), data.len());
}

#[test]
fn retransmitted_syn_in_syn_received_resends_the_syn_ack() {
    let mut s = socket(4096, 4096);
    s.listen(LOCAL_PORT).unwrap();
    let syn = seg(Control::Syn, PEER_ISS, None, &[]);
    s.process(t(0), &meta(), &syn, OUR_ISS, 1460);
    assert_eq!(drain(&mut s, t(0)).len(), 1);
    // The SYN-ACK was lost; the peer retransmits its SYN.
    s.process(t(1000), &meta(), &syn, OUR_ISS, 1460);
    let out = drain(&mut s, t(1000));
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].0.control, out[0].0.seq_number, out[0].0.ack_number),
        (Control::Syn, OUR_ISS, Some(PEER_ISS + 1))
    );
    assert_eq!(s.state(), State::SynReceived);
}

/// A connection we closed first, now in TIME-WAIT: the peer's last
/// segment (its FIN) carried TSval 105 if `timestamps`; RCV.NXT is
/// PEER_ISS + 2.
fn time_wait(timestamps: bool) -> Socket<'static> {
    let ts = |tsval: u32| timestamps.then_some(TcpTimestamp { tsval, tsecr: 1 });
    let mut s = socket(4096, 4096);
    s.listen(LOCAL_PORT).unwrap();
    let mut syn = seg(Control::Syn, PEER_ISS, None, &[]);
    syn.timestamp = ts(100);
    s.process(t(0), &meta(), &syn, OUR_ISS, 1460);
    drain(&mut s, t(0));
    let mut ack = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]);
    ack.timestamp = ts(101);
    s.process(t(1), &meta(), &ack, OUR_ISS, 1460);
    s.close();
    let out = drain(&mut s, t(2));
    assert_eq!(out[0].0.control, Control::Fin);
    let mut fin = seg(Control::Fin, PEER_ISS + 1, Some(OUR_ISS + 2), &[]);
    fin.timestamp = ts(105);
    s.process(t(3), &meta(), &fin, OUR_ISS, 1460);
    assert_eq!(s.state(), State::TimeWait);
    assert_eq!(s.ts_ok, timestamps);
    s
}

/// RFC 6191 §2 (RFC 9293 §3.6.1 without timestamps): which SYNs may open
/// a new incarnation of a 4-tuple in TIME-WAIT.
#[test]
fn rfc6191_2_syn_reusing_a_time_wait_tuple() {
    let rcv_nxt = PEER_ISS + 2;
    // (timestamps before, the SYN's TSval, its sequence number, reused)
    let cases = [
        // A newer timestamp: yes, whatever the sequence number.
        (true, Some(106), PEER_ISS, true),
        (true, Some(100_000), rcv_nxt + 1_000_000, true),
        // The same timestamp: only with a greater sequence number.
        (true, Some(105), rcv_nxt + 1, true),
        (true, Some(105), rcv_nxt, false),
        // An older timestamp (PAWS): no.
        (true, Some(104), rcv_nxt + 1_000_000, false),
        // Timestamps before, none now: the sequence number decides.
        (true, None, rcv_nxt + 1, true),
        (true, None, rcv_nxt, false),
        (true, None, PEER_ISS, false),
        // No timestamps before: a SYN with them is honoured ...
        (false, Some(1), PEER_ISS, true),
        // ... one without needs a greater sequence number.
        (false, None, rcv_nxt + 1, true),
        (false, None, rcv_nxt, false),
        (false, None, rcv_nxt - 100, false),
    ];
    for (timestamps, tsval, seq, reused) in cases {
        let mut s = time_wait(timestamps);
        let mut syn = seg(Control::Syn, seq, None, &[]);
        syn.timestamp = tsval.map(|tsval| TcpTimestamp { tsval, tsecr: 0 });
        let case = (timestamps, tsval, seq.0.wrapping_sub(rcv_nxt.0) as i32);
        assert_eq!(s.time_wait_reusable(&syn), reused, "{case:?}");
        if reused {
            s.end_time_wait();
            assert_eq!(s.state(), State::Closed, "{case:?}");
        } else {
            // Not a new incarnation: RFC 9293 §3.10.7.4 (an ACK, the 2MSL
            // timer untouched), and TIME-WAIT goes on.
            let until = s.time_wait_until;
            assert!(s.process(t(10), &meta(), &syn, OUR_ISS, 1460).is_none());
            assert_eq!(s.state(), State::TimeWait, "{case:?}");
            assert_eq!(s.time_wait_until, until, "{case:?}");
            let out = drain(&mut s, t(10));
            assert_eq!(out.len(), 1, "{case:?}");
            assert_eq!(out[0].0.control, Control::None);
            assert_eq!(out[0].0.ack_number, Some(rcv_nxt));
        }
    }
    // Only a SYN without ACK, only in TIME-WAIT.
    let s = time_wait(true);
    let mut syn_ack = seg(Control::Syn, rcv_nxt + 1, Some(OUR_ISS + 2), &[]);
    syn_ack.timestamp = Some(TcpTimestamp {
        tsval: 200,
        tsecr: 0,
    });
    assert!(!s.time_wait_reusable(&syn_ack));
    let e = established(4096, 4096);
    assert!(!e.time_wait_reusable(&seg(Control::Syn, PEER_ISS + 100, None, &[])));
}

/// ESTABLISHED after a passive open with timestamps: the peer's SYN had
/// TSval 100, its ACK TSval 101 (echoing our SYN-ACK's 1, at 1 ms: an RTT
/// sample of 0, so the RTO is at its 200 ms floor).
fn established_ts(rx: usize, tx: usize) -> Socket<'static> {
    let mut s = socket(rx, tx);
    s.listen(LOCAL_PORT).unwrap();
    let mut syn = seg(Control::Syn, PEER_ISS, None, &[]);
    syn.max_seg_size = Some(1460);
    syn.timestamp = Some(TcpTimestamp {
        tsval: 100,
        tsecr: 0,
    });
    s.process(t(0), &meta(), &syn, OUR_ISS, 1460);
    assert_eq!(drain(&mut s, t(0)).len(), 1);
    let mut ack = seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &[]);
    ack.timestamp = Some(TcpTimestamp {
        tsval: 101,
        tsecr: 1,
    });
    s.process(t(1), &meta(), &ack, OUR_ISS, 1460);
    assert_eq!(s.state(), State::Established);
    s
}

fn with_ts(mut r: Repr<'_>, tsval: u32, tsecr: u32) -> Repr<'_> {
    r.timestamp = Some(TcpTimestamp { tsval, tsecr });
    r
}

/// RFC 7323 §4.3 / §5.3 R3: a retransmission of the segment our last ACK
/// covered (its ACK was lost) is the newest measurement: the ACK it draws
/// echoes its TSval, not the original's (which would hand the sender an
/// RTT sample spanning its retransmission timeout). A segment wholly below
/// Last.ACK.sent changes nothing.
#[test]
fn rfc7323_4_3_retransmission_of_the_acked_segment_is_echoed() {
    let mut s = established_ts(4096, 4096);
    let data = [1u8; 100];
    let first = with_ts(
        seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &data),
        200,
        1,
    );
    s.process(t(10), &meta(), &first, OUR_ISS, 1460);
    let out = drain(&mut s, t(10));
    assert_eq!(out.len(), 1, "quick ACK");
    assert_eq!(out[0].0.timestamp.map(|ts| ts.tsecr), Some(200));
    let second = with_ts(
        seg(Control::None, PEER_ISS + 101, Some(OUR_ISS + 1), &data),
        210,
        1,
    );
    s.process(t(20), &meta(), &second, OUR_ISS, 1460);
    assert_eq!(drain(&mut s, t(20)).len(), 1);
    // Both ACKs lost; the peer's timeout resends the second segment.
    let again = with_ts(
        seg(Control::None, PEER_ISS + 101, Some(OUR_ISS + 1), &data),
        900,
        1,
    );
    s.process(t(900), &meta(), &again, OUR_ISS, 1460);
    let out = drain(&mut s, t(900));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0.ack_number, Some(PEER_ISS + 201));
    assert_eq!(out[0].0.timestamp.map(|ts| ts.tsecr), Some(900));
    // The first segment again (wholly below Last.ACK.sent): still 900.
    let old = with_ts(
        seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &data),
        950,
        1,
    );
    s.process(t(950), &meta(), &old, OUR_ISS, 1460);
    let out = drain(&mut s, t(950));
    assert_eq!(out[0].0.timestamp.map(|ts| ts.tsecr), Some(900));
    assert_eq!(s.recv_queue(), 200);
}

/// RFC 7323 §4.3: a retransmitted SYN in SYN-RECEIVED refreshes the echo,
/// so the SYN-ACK sent again answers it and not the first SYN.
#[test]
fn rfc7323_4_3_retransmitted_syn_is_echoed_by_the_syn_ack() {
    let mut s = socket(4096, 4096);
    s.listen(LOCAL_PORT).unwrap();
    let syn = with_ts(seg(Control::Syn, PEER_ISS, None, &[]), 100, 0);
    s.process(t(0), &meta(), &syn, OUR_ISS, 1460);
    assert_eq!(
        drain(&mut s, t(0))[0].0.timestamp.map(|ts| ts.tsecr),
        Some(100)
    );
    let again = with_ts(seg(Control::Syn, PEER_ISS, None, &[]), 1100, 0);
    s.process(t(1000), &meta(), &again, OUR_ISS, 1460);
    let out = drain(&mut s, t(1000));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0.control, Control::Syn);
    assert_eq!(out[0].0.timestamp.map(|ts| ts.tsecr), Some(1100));
}

/// RFC 6298 §3 (Karn) with RFC 7323 timestamps: after a retransmission
/// timeout, an ACK echoing a TSval from before it gives no RTT sample (it
/// would span the timeout), though it ends the backoff; an echo of the
/// retransmission does.
#[test]
fn rfc6298_3_echo_from_before_a_timeout_is_no_rtt_sample() {
    for echo_retransmission in [false, true] {
        let mut s = established_ts(4096, 4096);
        assert_eq!(s.rtt.srtt(), Some(Duration::ZERO));
        s.send_slice(&[5u8; 100]).unwrap();
        let out = drain(&mut s, t(100));
        assert_eq!(out[0].0.timestamp.map(|ts| ts.tsval), Some(100));
        // No ACK: the timer (200 ms) expires, the segment goes again.
        assert_eq!(s.poll_at(), PollAt::Time(t(300)));
        let out = drain(&mut s, t(300));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0.timestamp.map(|ts| ts.tsval), Some(300));
        assert_eq!(s.rtt.rto(), Duration::from_millis(400), "backed off");
        // The peer's ACK for the original was lost; the one that arrives
        // (late) echoes the original, or the retransmission.
        let tsecr = if echo_retransmission { 300 } else { 100 };
        let ack = with_ts(
            seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 101), &[]),
            500,
            tsecr,
        );
        s.process(t(2_100), &meta(), &ack, OUR_ISS, 1460);
        assert_eq!(s.send_queue(), 0);
        if echo_retransmission {
            // 1.8 s: a real (if slow) round trip of the retransmission.
            assert_eq!(s.rtt.srtt(), Some(Duration::from_millis(225)));
        } else {
            assert_eq!(s.rtt.srtt(), Some(Duration::ZERO), "no sample");
            assert_eq!(s.rtt.rto(), Duration::from_millis(200));
        }
    }
}

/// The receive fast path (`prewrite_payload`, run by the interface before
/// `process`): a payload copied and verified in the free space is only
/// marked received by `take_data` for the segment it came with; a segment
/// `process` refuses leaves nothing behind once the interface forgets the
/// copy, even when the next segment's payload sits in the same buffer (a
/// device that reuses its receive buffer).
#[test]
fn rfc9293_3_10_7_4_prewritten_payload_counts_only_for_its_own_segment() {
    let mut s = established(4096, 4096);
    let mut buf = *b"hello, world";
    // The complement of the payload's sum (native order), so that the
    // whole folds to 0xffff: a checksum that verifies.
    let init = |p: &[u8]| u64::from(!crate::wire::checksum::data(p).to_be());
    // A wrong checksum: reported, nothing remembered.
    assert_ne!(s.prewrite_payload(PEER_ISS + 1, &buf, 0), Some(0xffff));
    assert_eq!(s.rx_prewritten, 0);
    // Not the next expected segment: not for the fast path.
    assert_eq!(s.prewrite_payload(PEER_ISS + 2, &buf, init(&buf)), None);
    // Verified and copied, then refused (RFC 5961 §5.2: an ACK beyond
    // SND.NXT), then forgotten as the interface does after `process`.
    assert_eq!(
        s.prewrite_payload(PEER_ISS + 1, &buf, init(&buf)),
        Some(0xffff)
    );
    s.process(
        t(10),
        &meta(),
        &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1000), &buf),
        OUR_ISS,
        1460,
    );
    s.forget_prewrite();
    assert_eq!(s.recv_queue(), 0, "a refused segment delivers nothing");
    // The next segment, same sequence number, other bytes in the same
    // buffer, not prewritten: its own bytes are copied in.
    buf.copy_from_slice(b"HELLO, WORLD");
    s.process(
        t(11),
        &meta(),
        &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1), &buf),
        OUR_ISS,
        1460,
    );
    let mut got = [0u8; 32];
    let n = s.recv_slice(&mut got).unwrap();
    assert_eq!(&got[..n], b"HELLO, WORLD");
    // And a prewritten segment that is accepted is delivered as written.
    let next = *b"second";
    assert_eq!(
        s.prewrite_payload(PEER_ISS + 13, &next, init(&next)),
        Some(0xffff)
    );
    s.process(
        t(12),
        &meta(),
        &seg(Control::None, PEER_ISS + 13, Some(OUR_ISS + 1), &next),
        OUR_ISS,
        1460,
    );
    s.forget_prewrite();
    let n = s.recv_slice(&mut got).unwrap();
    assert_eq!(&got[..n], b"second");
}

/// RFC 9293 §3.8.6.2.2: after the application reads, a window update goes
/// out on its own only when the window opened by min(half the buffer, one
/// MSS) and at least doubles what the peer may still send; with plenty
/// left the next ACK carries it.
#[test]
fn rfc9293_3_8_6_2_2_window_update_after_read_only_when_it_matters() {
    let seg1 = vec![1u8; 1460];
    let receive_two = |s: &mut Socket<'static>, at: i64| -> Vec<(Repr<'static>, Vec<u8>)> {
        for k in 0..2usize {
            s.process(
                t(at),
                &meta(),
                &seg(
                    Control::None,
                    PEER_ISS + 1 + k * 1460,
                    Some(OUR_ISS + 1),
                    &seg1,
                ),
                OUR_ISS,
                1460,
            );
        }
        drain(s, t(at))
    };
    let mut got = vec![0u8; 8192];
    // Ample window left (64 KiB buffer, 2,920 bytes in flight): the read
    // sends nothing.
    let mut big = established(65536, 4096);
    let acks = receive_two(&mut big, 10);
    assert_eq!(acks.len(), 1, "every second full segment is ACKed");
    assert_eq!(
        acks[0].0.window_len,
        65535 - 2920 + 1,
        "window after two segments"
    );
    assert_eq!(big.recv_slice(&mut got).unwrap(), 2920);
    assert!(
        drain(&mut big, t(11)).is_empty(),
        "no window update with 62,616 bytes still open"
    );
    // Little left (4 KiB buffer): the read opens the window to the whole
    // buffer, more than twice the 1,176 bytes the peer may still send.
    let mut small = established(4096, 4096);
    let acks = receive_two(&mut small, 10);
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].0.window_len, 4096 - 2920);
    assert_eq!(small.recv_slice(&mut got).unwrap(), 2920);
    let update = drain(&mut small, t(11));
    assert_eq!(update.len(), 1, "a window update");
    assert_eq!(update[0].0.window_len, 4096);
    assert_eq!(update[0].0.ack_number, Some(PEER_ISS + 1 + 2920));
}

/// Like `drain`, with each segment's TSO segment size.
fn drain_tso(s: &mut Socket<'_>, now: Instant) -> Vec<(Repr<'static>, usize, Option<u16>)> {
    let mut out = Vec::new();
    for _ in 0..64 {
        let due = match s.poll_at() {
            PollAt::Now => true,
            PollAt::Time(at) => at <= now,
            PollAt::Ingress => false,
        };
        if !due {
            break;
        }
        let before = out.len();
        let _: Result<(), ()> = s.dispatch(now, |t| {
            let len = t.repr.payload.len() + t.payload_tail.len();
            out.push((own(t.repr), len, t.segment_size));
            Ok(())
        });
        if out.len() == before {
            break;
        }
    }
    out
}

/// TCP segmentation offload: with a device that cuts super-segments, one
/// dispatch sends the whole congestion window as one segment of whole
/// MSS, counted in flight byte for byte (RFC 5681 §3.1 counts bytes: a
/// super-segment of k MSS is k segments to cwnd); the ACK grows cwnd as
/// for k segments under RFC 3465 §2.2 (at most L = 2 SMSS per ACK); an
/// RTO retransmits one MSS, not the super-segment.
#[test]
fn tso_a_super_segment_is_the_congestion_window_in_whole_segments() {
    let mut s = established(4096, 200_000);
    s.tso_max_size = 65_535;
    s.send_slice(&vec![1u8; 100_000]).unwrap();
    let iw = s.cc.cwnd();
    assert_eq!(iw, 10 * 1460, "RFC 6928 IW10 of 1460-byte segments");
    let out = drain_tso(&mut s, t(10));
    assert_eq!(out.len(), 1, "one super-segment: {out:?}");
    assert_eq!((out[0].1, out[0].2), (iw, Some(1460)));
    assert_eq!(out[0].0.seq_number, OUR_ISS + 1);
    assert_eq!(s.in_flight(), iw);

    // The peer ACKs the lot at once (it received one super-frame).
    s.process(
        t(20),
        &meta(),
        &seg(Control::None, PEER_ISS + 1, Some(OUR_ISS + 1 + iw), &[]),
        OUR_ISS,
        1460,
    );
    let cwnd = s.cc.cwnd();
    assert_eq!(cwnd, iw + 2 * 1460, "slow start, RFC 3465 L = 2");
    let out = drain_tso(&mut s, t(20));
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].1, out[0].2), (cwnd - cwnd % 1460, Some(1460)));
    assert_eq!(s.in_flight(), cwnd - cwnd % 1460);

    // No ACK: the RTO resends from snd_una one MSS at a time.
    let PollAt::Time(rto) = s.poll_at() else {
        panic!("the retransmission timer runs")
    };
    let out = drain_tso(&mut s, rto);
    assert_eq!(out.len(), 1, "cwnd is one segment after an RTO");
    assert_eq!((out[0].1, out[0].2), (1460, None));
    assert_eq!(out[0].0.seq_number, OUR_ISS + 1 + iw);
    assert_eq!(s.cc.cwnd(), 1460);
}

/// The tail of the data shorter than one MSS: Nagle (RFC 9293 §3.7.4)
/// holds it back behind the super-segment's full segments until they are
/// acknowledged, as it would behind the same segments sent one by one;
/// with TCP_NODELAY it goes in the super-segment.
#[test]
fn tso_nagle_holds_the_partial_tail_of_a_super_segment() {
    let mut s = established(4096, 200_000);
    s.tso_max_size = 65_535;
    s.send_slice(&vec![2u8; 3 * 1460 + 500]).unwrap();
    let out = drain_tso(&mut s, t(10));
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].1, out[0].2), (3 * 1460, Some(1460)));
    s.process(
        t(20),
        &meta(),
        &seg(
            Control::None,
            PEER_ISS + 1,
            Some(OUR_ISS + 1 + 3 * 1460),
            &[],
        ),
        OUR_ISS,
        1460,
    );
    let out = drain_tso(&mut s, t(20));
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].1, out[0].2), (500, None));

    let mut s = established(4096, 200_000);
    s.tso_max_size = 65_535;
    s.set_nodelay(true);
    s.send_slice(&vec![2u8; 3 * 1460 + 500]).unwrap();
    let out = drain_tso(&mut s, t(10));
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].1, out[0].2), (3 * 1460 + 500, Some(1460)));
}

/// A segment of several MSS coalesced on the way (a TAP's GSO frame,
/// GRO/LRO) counts as the full-sized segments it holds: RFC 5681 §4.2
/// wants an ACK for at least every second one, so it is ACKed at once
/// even past the quick-ACK start, where one full segment alone waits.
#[test]
fn rfc5681_4_2_a_coalesced_segment_of_two_mss_is_acked_at_once() {
    let mut s = established(200_000, 4096);
    let full = vec![3u8; 1460];
    let mut seq = PEER_ISS + 1;
    // Past the quick-ACK start.
    for i in 0..8 {
        s.process(
            t(10 + i),
            &meta(),
            &seg(Control::None, seq, Some(OUR_ISS + 1), &full),
            OUR_ISS,
            1460,
        );
        seq += full.len();
        drain(&mut s, t(10 + i));
    }
    s.process(
        t(30),
        &meta(),
        &seg(Control::None, seq, Some(OUR_ISS + 1), &full),
        OUR_ISS,
        1460,
    );
    seq += full.len();
    assert!(drain(&mut s, t(30)).is_empty(), "one full segment waits");
    drain(&mut s, t(30) + ACK_DELAY);
    let double = vec![4u8; 2 * 1460];
    s.process(
        t(100),
        &meta(),
        &seg(Control::None, seq, Some(OUR_ISS + 1), &double),
        OUR_ISS,
        1460,
    );
    let out = drain(&mut s, t(100));
    assert_eq!(out.len(), 1, "ACKed at once");
    assert_eq!(out[0].0.ack_number, Some(seq + double.len()));
    assert_eq!(s.rcv_mss, 1460, "no rcv_mss estimate beyond our MSS");
}

/// The data sent by `s` at each retransmission timeout from `from` on,
/// with no ACK ever, until the connection fails: the times (ms) of the
/// retransmissions and of the failure.
fn retransmit_until_failure(s: &mut Socket<'_>, from: Instant) -> (Vec<i64>, i64) {
    let mut sent = Vec::new();
    let mut now = from;
    for _ in 0..64 {
        let PollAt::Time(at) = s.poll_at() else {
            break;
        };
        now = at;
        let out = drain(s, now);
        if s.take_error() == Some(TcpError::TimedOut) {
            assert!(out.iter().all(|(r, _)| r.control == Control::Rst));
            return (sent, now.total_millis());
        }
        assert_eq!(out.len(), 1, "one retransmission per timeout");
        sent.push(now.total_millis());
    }
    panic!("no failure by {now}: {sent:?}");
}

#[test]
fn rfc1122_4_2_3_5_retries2_is_a_time_from_the_rto_floor() {
    // `tcp_retries2` 3 with `tcp_rto_min` 200 ms: 0.2 + 0.4 + 0.8 + 1.6 =
    // 3 s. This path's RTO is 1 s (no RTT sample yet): one retransmission
    // at 1.01 s, and the next timeout (3.01 s, 3 s after the data went
    // out) ends the connection. Counting would have resent three times.
    let mut s = established(4096, 4096);
    s.config.retries2 = 3;
    s.send_slice(b"hello").unwrap();
    assert_eq!(drain(&mut s, t(10)).len(), 1);
    let (sent, failed) = retransmit_until_failure(&mut s, t(10));
    assert_eq!(sent, [1010]);
    assert_eq!(failed, 3010);
    // Linux's default, 15: 924.6 s. RTOs of 1, 2, 4, ... 64 s, then 120 s
    // (`tcp_rto_max`): the 14th timeout, 967 s after the data, is the
    // first past it; 13 retransmissions (counting: 15).
    let mut s = established(4096, 4096);
    s.send_slice(b"hello").unwrap();
    assert_eq!(drain(&mut s, t(10)).len(), 1);
    let (sent, failed) = retransmit_until_failure(&mut s, t(10));
    assert_eq!(sent.len(), 13, "{sent:?}");
    assert_eq!(failed, 967_010);
    // The time itself: Linux's 924.6 s for 15.
    assert_eq!(
        super::retries_budget(&s.config, 15),
        Duration::from_millis(924_600)
    );
}

/// Header prediction (`fast.rs`) does to a socket exactly what `process`
/// does for the same segment, and declines every segment it does not
/// predict: a seeded stream of segments around the predicted one (in
/// order or not, new ACKs or old, other windows, stale or fresh or missing
/// timestamps, empty or oversized payloads), with our own data in flight,
/// reads and timers between them, goes to one socket through the fast path
/// first (the general path when declined) and to its twin through the
/// general path only. The two stay equal in every field (their `Debug`)
/// and send the same segments.
#[test]
fn header_prediction_does_what_the_general_path_does() {
    use crate::wire::checksum;
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut rand = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let data: Vec<u8> = (0..4000u32).map(|i| (i * 7) as u8).collect();
    for timestamps in [true, false] {
        let twin = || {
            if timestamps {
                established_ts(16 * 1448, 8192)
            } else {
                established(16 * 1448, 8192)
            }
        };
        let (mut fast, mut slow) = (twin(), twin());
        let (mut now, mut frame) = (2i64, vec![0u8; 4096]);
        // Predicted: data only, ACKs only, data with an ACK of new data.
        let mut hits = [0; 3];
        let (mut dup_acks, mut recoveries) = (0, 0);
        let mut sink = [0u8; 3000];
        for round in 0..2000 {
            let r = rand();
            now += (r % 40) as i64;
            let (rcv_nxt, snd_una) = (slow.rcv_nxt, slow.snd_una);
            let seq = match (r >> 8) % 8 {
                0 => rcv_nxt + 700,
                1 => rcv_nxt - 300,
                _ => rcv_nxt,
            };
            let outstanding = (slow.snd_max - snd_una).max(0) as u64;
            let ack = match (r >> 12) % 8 {
                0 => snd_una + ((r >> 40) % 3000) as usize,
                1 | 2 => snd_una + ((r >> 40) % (outstanding + 1)) as usize,
                3 => snd_una - 1,
                _ => snd_una,
            };
            let window_len = match (r >> 16) % 8 {
                0 => 0,
                1 => 5000,
                _ => 65535,
            };
            let len = match (r >> 20) % 8 {
                0 | 1 => 0,
                2 => 1448,
                3 => 4000,
                _ => 1 + ((r >> 24) % 1448) as usize,
            };
            // Now and then three duplicate ACKs in a row (fast recovery,
            // whose ACKs take the general path).
            if (r >> 58) % 16 == 0 {
                dup_acks = 3;
            }
            let (ack, len, window_len) = if dup_acks > 0 {
                dup_acks -= 1;
                (snd_una, 0, u16::try_from(slow.snd_wnd).unwrap_or(u16::MAX))
            } else {
                (ack, len, window_len)
            };
            let mut repr = seg(Control::None, seq, Some(ack), &data[..len]);
            repr.window_len = window_len;
            repr.psh = (r >> 28) % 2 == 0;
            let has_ts = timestamps != ((r >> 30) % 16 == 0);
            if has_ts {
                let tsval = match (r >> 34) % 8 {
                    0 => slow.ts_recent.wrapping_sub(5),
                    1 => slow.ts_recent,
                    _ => slow.ts_recent.wrapping_add((r >> 48) as u32 % 50),
                };
                repr.timestamp = Some(TcpTimestamp { tsval, tsecr: 1 });
            }
            // The frame the interface would read it from.
            let wire = &mut frame[..repr.header_len() + len];
            repr.emit(
                &mut crate::wire::tcp::Packet::new_unchecked(&mut *wire),
                &REMOTE,
                &LOCAL,
                crate::wire::Checksum::Both,
            );
            let init = checksum::pseudo_header_and_words(
                &REMOTE,
                &LOCAL,
                crate::wire::IpProtocol::Tcp,
                wire.len() as u32,
                &wire[..repr.header_len()],
            );
            let predicted = Predicted {
                seq,
                ack,
                window_len,
                timestamp: repr.timestamp,
                payload: &data[..len],
            };
            if fast.receive_predicted(t(now), &predicted, init).is_some() {
                let new_ack = ack.gt(snd_una);
                hits[usize::from(new_ack) + usize::from(new_ack && len > 0)] += 1;
            } else {
                fast.process(t(now), &meta(), &repr, OUR_ISS, 1460);
            }
            slow.process(t(now), &meta(), &repr, OUR_ISS, 1460);
            assert_eq!(
                format!("{fast:?}"),
                format!("{slow:?}"),
                "round {round}: {repr:?}"
            );
            recoveries += usize::from(slow.cc.in_recovery());
            // Our own data, reads and timers, the same for both.
            if (r >> 52) % 4 == 0 {
                let n = ((r >> 54) % 3000) as usize;
                assert_eq!(fast.send_slice(&data[..n]), slow.send_slice(&data[..n]));
            }
            if (r >> 56) % 3 == 0 {
                assert_eq!(fast.recv_slice(&mut sink), slow.recv_slice(&mut sink));
            }
            assert_eq!(
                drain(&mut fast, t(now)),
                drain(&mut slow, t(now)),
                "round {round}"
            );
            if fast.state() != State::Established {
                break;
            }
        }
        assert!(hits.iter().all(|&h| h > 20), "predicted: {hits:?}");
        assert!(recoveries > 20, "{recoveries} rounds in fast recovery");
    }
}
