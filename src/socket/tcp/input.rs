//! Segment arrival: RFC 9293 §3.10.7, with the RFC 5961 hardening, RFC
//! 7323 timestamps and PAWS, RFC 1337 TIME-WAIT rules, and the receive
//! side of SACK.

use super::{
    DEFAULT_MSS_V4, DEFAULT_MSS_V6, MAX_WINDOW_SCALE, PeerOptions, Socket, State, TIME_WAIT,
    TcpError, ts_clock,
};
use crate::socket::{IpEndpoint, IpMeta};
use crate::time::{Duration, Instant};
use crate::wire::tcp::{Control, Repr, TcpSeqNumber, TcpTimestamp};

/// A segment the interface must send at once in answer to one it handed
/// over, built from the received segment rather than socket state (RSTs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) seq: TcpSeqNumber,
    pub(crate) ack: Option<TcpSeqNumber>,
    pub(crate) rst: bool,
}

impl Reply {
    /// The RST RFC 9293 §3.10.7.1 sends in answer to `repr`: `<SEQ=SEG.ACK>
    /// <CTL=RST>` if it had an ACK, else `<SEQ=0><ACK=SEG.SEQ+SEG.LEN>
    /// <CTL=RST,ACK>`. Never in answer to a RST.
    pub(crate) fn rst_for(repr: &Repr<'_>) -> Option<Reply> {
        if repr.control == Control::Rst {
            return None;
        }
        Some(match repr.ack_number {
            Some(ack) => Reply {
                seq: ack,
                ack: None,
                rst: true,
            },
            None => Reply {
                seq: TcpSeqNumber(0),
                ack: Some(repr.seq_number + repr.segment_len()),
                rst: true,
            },
        })
    }
}

/// Challenge ACKs allowed per second (RFC 5961 §7; Linux
/// `tcp_challenge_ack_limit` is 1000).
const CHALLENGE_ACK_LIMIT: u32 = 1000;

impl Socket<'_> {
    /// Whether a segment from `ip.src_addr` to `ip.dst_addr` belongs here.
    pub(crate) fn accepts(&self, ip: &IpMeta, repr: &Repr<'_>) -> bool {
        match self.state {
            State::Closed => false,
            State::Listen => {
                repr.dst_port == self.listen_endpoint.port
                    && self.listen_endpoint.addr.is_none_or(|a| a == ip.dst_addr)
            }
            _ => {
                self.local.port == repr.dst_port
                    && self.remote.port == repr.src_port
                    && self.local.addr == ip.dst_addr
                    && self.remote.addr == ip.src_addr
            }
        }
    }

    /// Take a segment. `iss` is the initial sequence number to use if it
    /// opens a connection (RFC 6528, computed by the caller); `mss` the
    /// MSS our route allows. Returns a RST to send, if any; everything
    /// else the socket sends through `dispatch`.
    pub(crate) fn process(
        &mut self,
        now: Instant,
        ip: &IpMeta,
        repr: &Repr<'_>,
        iss: TcpSeqNumber,
        mss: usize,
    ) -> Option<Reply> {
        self.now = now;
        match self.state {
            State::Closed => Reply::rst_for(repr),
            State::Listen => self.process_listen(now, ip, repr, iss, mss),
            State::SynSent => self.process_syn_sent(now, repr),
            _ => self.process_synchronized(now, repr),
        }
    }

    /// RFC 9293 §3.10.7.2.
    fn process_listen(
        &mut self,
        now: Instant,
        ip: &IpMeta,
        repr: &Repr<'_>,
        iss: TcpSeqNumber,
        mss: usize,
    ) -> Option<Reply> {
        match repr.control {
            // "An incoming RST segment could not be valid ... ignored."
            Control::Rst => None,
            // "Any acknowledgment is bad if it arrives on a connection
            // still in the LISTEN state": <SEQ=SEG.ACK><CTL=RST>.
            _ if repr.ack_number.is_some() => Reply::rst_for(repr),
            Control::Syn => {
                self.local = IpEndpoint::new(ip.dst_addr, repr.dst_port);
                self.remote = IpEndpoint::new(ip.src_addr, repr.src_port);
                self.irs = repr.seq_number;
                self.rcv_nxt = repr.seq_number + 1;
                self.last_ack_sent = self.rcv_nxt;
                self.iss = iss;
                self.snd_una = iss;
                self.snd_nxt = iss;
                self.snd_max = iss;
                self.take_syn_options(repr, mss);
                self.update_window(repr, true);
                self.last_activity = now;
                self.set_state(State::SynReceived);
                None
            }
            _ => None,
        }
    }

    /// Record what the peer's SYN offered (RFC 9293 §3.7.1 MSS, RFC 7323
    /// window scale and timestamps, RFC 2018 SACK-permitted).
    fn take_syn_options(&mut self, repr: &Repr<'_>, route_mss: usize) {
        let default = if self.remote.addr.is_ipv6() {
            DEFAULT_MSS_V6
        } else {
            DEFAULT_MSS_V4
        };
        self.peer = PeerOptions {
            mss: repr.max_seg_size,
            window_scale: repr.window_scale,
            sack_permitted: super::SACK && repr.sack_permitted,
            timestamps: repr.timestamp.is_some(),
        };
        // RFC 9293 §3.7.1: send at most the peer's MSS (536 / 1220 when
        // absent), and at most what our route allows.
        let peer_mss = repr.max_seg_size.map_or(default, usize::from);
        self.local_mss = route_mss;
        self.set_mss(peer_mss.min(route_mss));
        // RFC 7323 §2.2: scaling only when both sides sent the option; our
        // shift is chosen from the buffer (the smallest that covers it).
        match repr.window_scale {
            Some(ws) => {
                self.snd_wnd_shift = ws.min(MAX_WINDOW_SCALE);
                self.rcv_wnd_shift = window_shift_for(self.rx_buffer.capacity());
            }
            None => {
                self.snd_wnd_shift = 0;
                self.rcv_wnd_shift = 0;
            }
        }
        self.sack_ok = self.peer.sack_permitted;
        if let Some(ts) = repr.timestamp {
            self.ts_ok = true;
            self.ts_recent = ts.tsval;
            self.ts_recent_at = self.now;
        } else {
            self.ts_ok = false;
        }
    }

    /// RFC 9293 §3.10.7.3.
    fn process_syn_sent(&mut self, now: Instant, repr: &Repr<'_>) -> Option<Reply> {
        // First: the ACK bit.
        if let Some(ack) = repr.ack_number {
            // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless
            // the RST bit is set)".
            if ack.le(self.iss) || ack.gt(self.snd_max) {
                return Reply::rst_for(repr);
            }
        }
        // Second: the RST bit (RFC 5961 §3.2: only with an acceptable ACK).
        if repr.control == Control::Rst {
            if repr.ack_number.is_some() {
                self.error = Some(TcpError::Refused);
                self.set_state(State::Closed);
            }
            return None;
        }
        if repr.control != Control::Syn {
            return None;
        }
        // Fourth: the SYN bit.
        self.irs = repr.seq_number;
        self.rcv_nxt = repr.seq_number + 1;
        self.last_ack_sent = self.rcv_nxt;
        // Nothing has been offered in the peer's sequence space yet (the
        // right edge noted when our SYN left was relative to an unknown
        // RCV.NXT): the window is the buffer (RFC 9293 §3.8.6.2.2).
        self.rcv_adv = self.rcv_nxt;
        let route_mss = self.mss;
        self.take_syn_options(repr, route_mss);
        self.last_activity = now;
        match repr.ack_number {
            Some(ack) => {
                // Our SYN is acknowledged: ESTABLISHED, ACK it.
                let syn_timed_out = self.retransmissions > 0;
                self.ack_advanced(now, ack, repr.timestamp);
                self.rtt.on_handshake_complete(syn_timed_out);
                self.update_window(repr, true);
                self.set_state(State::Established);
                self.pending.ack_now = true;
            }
            None => {
                // Simultaneous open: SYN-RECEIVED, send SYN-ACK (the SYN is
                // resent with an ACK by dispatch).
                self.snd_nxt = self.iss;
                self.update_window(repr, true);
                self.set_state(State::SynReceived);
            }
        }
        None
    }

    /// RFC 9293 §3.10.7.4: every synchronized state, and SYN-RECEIVED.
    fn process_synchronized(&mut self, now: Instant, repr: &Repr<'_>) -> Option<Reply> {
        let seg_len = repr.segment_len();
        // A retransmitted SYN in SYN-RECEIVED: our SYN-ACK was lost; send
        // it again (as Linux does) rather than an ACK the peer in SYN-SENT
        // would ignore.
        if self.state == State::SynReceived
            && repr.control == Control::Syn
            && repr.ack_number.is_none()
            && repr.seq_number + 1 == self.rcv_nxt
        {
            // RFC 7323 §4.3: the SYN-ACK echoes the newest SYN's TSval, or
            // the peer's first RTT sample spans its SYN timeouts.
            if self.ts_ok
                && let Some(ts) = repr.timestamp
                && (ts.tsval.wrapping_sub(self.ts_recent) as i32) > 0
            {
                self.ts_recent = ts.tsval;
                self.ts_recent_at = now;
            }
            self.snd_nxt = self.iss;
            return None;
        }
        // RFC 7323 §5.3 (PAWS): a segment with a TSval older than
        // TS.Recent is a duplicate from an earlier incarnation: drop it
        // and ACK (unless it is a RST). TS.Recent older than 24 days is
        // invalid (R3).
        if self.ts_ok
            && repr.control != Control::Rst
            && let Some(ts) = repr.timestamp
            && (ts.tsval.wrapping_sub(self.ts_recent) as i32) < 0
            && now.saturating_duration_since(self.ts_recent_at) < Duration::from_secs(24 * 86_400)
        {
            self.pending.ack_now = true;
            return None;
        }

        // First: is the segment acceptable (the four cases of the table)?
        // RCV.WND is the window we advertised: it never shrinks (RFC 9293
        // §3.8.6.2.2), even when window-scale rounding (RFC 7323 §2.4) or
        // a fuller buffer leaves less free space; a peer whose SND.NXT sits
        // at the old right edge must still be heard (its ACKs).
        let wnd = self.rcv_window().max(self.advertised_window_remaining());
        let seq = repr.seq_number;
        let acceptable = match (seg_len, wnd) {
            (0, 0) => seq == self.rcv_nxt,
            (0, _) => seq.in_window(self.rcv_nxt, wnd),
            (_, 0) => false,
            (n, _) => {
                seq.in_window(self.rcv_nxt, wnd) || (seq + (n - 1)).in_window(self.rcv_nxt, wnd)
            }
        };
        // A zero window still takes ACKs, RSTs and FIN-only probes' ACK
        // information (RFC 9293 §3.10.7.4: "special allowance should be
        // made to accept valid ACKs, URGs, and RSTs").
        let zero_window_probe = !acceptable && wnd == 0 && seq == self.rcv_nxt;
        if !acceptable && !zero_window_probe {
            // RFC 7323 §4.3, §5.3 R3: a retransmission of the segment our
            // last ACK covered (it ends at or after Last.ACK.sent, as
            // Linux's window check with RCV.WUP lets it through) is the
            // newest measurement: echo its TSval. Echoing the original's
            // instead hands the sender an RTT sample that includes its
            // retransmission timeouts (seconds, then tens of seconds under
            // heavy loss, each inflating the next RTO).
            if self.ts_ok
                && seg_len > 0
                && let Some(ts) = repr.timestamp
                && seq.le(self.last_ack_sent)
                && (seq + seg_len).ge(self.last_ack_sent)
                && (ts.tsval.wrapping_sub(self.ts_recent) as i32) >= 0
            {
                self.ts_recent = ts.tsval;
                self.ts_recent_at = now;
            }
            if repr.control != Control::Rst {
                // "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" (and a D-SACK for
                // data wholly below rcv_nxt, RFC 2883 §4).
                if seg_len > 0 && (seq + seg_len).le(self.rcv_nxt) {
                    self.sack.on_duplicate(seq, seq + repr.payload.len());
                }
                self.pending.ack_now = true;
            }
            // TIME-WAIT: a retransmitted FIN restarts the 2MSL timer.
            if self.state == State::TimeWait && repr.control == Control::Fin {
                self.time_wait_until = Some(now + TIME_WAIT);
            }
            return None;
        }

        // Second: the RST bit (RFC 5961 §3.2).
        if repr.control == Control::Rst {
            // RFC 1337: TIME-WAIT ignores RSTs (assassination hazard).
            if self.state == State::TimeWait {
                return None;
            }
            if seq == self.rcv_nxt {
                self.error = Some(match self.state {
                    State::SynReceived => TcpError::Refused,
                    _ => TcpError::Reset,
                });
                self.set_state(State::Closed);
            } else {
                self.challenge_ack(now);
            }
            return None;
        }

        // Fourth: a SYN in a synchronized state (RFC 5961 §4.2: challenge
        // ACK instead of a reset).
        if repr.control == Control::Syn {
            self.challenge_ack(now);
            return None;
        }

        // Fifth: the ACK field.
        let ack = repr.ack_number?;
        if self.state == State::SynReceived {
            // "If SND.UNA < SEG.ACK =< SND.NXT then enter ESTABLISHED";
            // otherwise <SEQ=SEG.ACK><CTL=RST>.
            if ack.gt(self.snd_una) && ack.le(self.snd_max) {
                // RFC 6298 §5.7: a SYN that timed out leaves RTO at 3 s.
                self.rtt.on_handshake_complete(self.retransmissions > 0);
                self.set_state(State::Established);
                self.update_window(repr, true);
            } else {
                return Reply::rst_for(repr);
            }
        }
        // RFC 5961 §5.2: acceptable range (SND.UNA - MAX.SND.WND) <= SEG.ACK
        // <= SND.NXT; anything else gets a challenge ACK and is dropped.
        let lower = self.snd_una - self.max_snd_wnd.min(0x7fff_ffff);
        if ack.lt(lower) || ack.gt(self.snd_max) {
            self.challenge_ack(now);
            return None;
        }
        self.heard_from_peer(now);
        if ack.gt(self.snd_una) {
            self.scoreboard
                .shift(usize::try_from(ack - self.snd_una).unwrap_or(0));
        }
        let new_sack = self.record_sack_blocks(repr, ack.max(self.snd_una));
        if ack.gt(self.snd_una) {
            self.ack_advanced(now, ack, repr.timestamp);
        } else if ack == self.snd_una
            && repr.control == Control::None
            && self.in_flight() > 0
            && ((repr.payload.is_empty()
                && usize::from(repr.window_len) << self.snd_wnd_shift == self.snd_wnd)
                || new_sack)
        {
            // RFC 5681 §2: a duplicate ACK. RFC 6675 §2: with SACK, an ACK
            // that SACKs octets not SACKed before is one too, even when it
            // carries data or another window (the peer's ACKs ride on its
            // own data in a transfer both ways; only they report the loss).
            self.on_duplicate_ack(now);
        }
        self.update_window(repr, false);
        if self.ts_ok
            && let Some(ts) = repr.timestamp
            && seq.le(self.last_ack_sent)
        {
            // RFC 7323 §4.3, §5.3 R3: TS.Recent from a segment at or below
            // Last.ACK.sent (with delayed ACKs: the earliest unacknowledged
            // segment's TSval is echoed).
            self.ts_recent = ts.tsval;
            self.ts_recent_at = now;
        }

        // Our FIN acknowledged?
        let fin_acked = self.fin_seq.is_some_and(|f| self.snd_una.gt(f));
        match self.state {
            State::FinWait1 if fin_acked => self.set_state(State::FinWait2),
            State::Closing if fin_acked => self.enter_time_wait(now),
            State::LastAck if fin_acked => {
                self.set_state(State::Closed);
                return None;
            }
            State::TimeWait => {
                // A retransmitted FIN: ACK it and restart 2MSL.
                if repr.control == Control::Fin {
                    self.pending.ack_now = true;
                    self.time_wait_until = Some(now + TIME_WAIT);
                }
                return None;
            }
            _ => {}
        }

        // Seventh: the segment text.
        if !repr.payload.is_empty()
            && matches!(
                self.state,
                State::Established | State::FinWait1 | State::FinWait2
            )
        {
            self.take_data(now, repr);
        }

        // Eighth: the FIN bit, once every byte before it has arrived.
        if repr.control == Control::Fin
            && (seq + repr.payload.len()) == self.rcv_nxt
            && !self.fin_received
        {
            self.rcv_nxt += 1;
            self.fin_received = true;
            self.pending.ack_now = true;
            match self.state {
                State::SynReceived | State::Established => self.set_state(State::CloseWait),
                State::FinWait1 => {
                    if fin_acked {
                        self.enter_time_wait(now);
                    } else {
                        self.set_state(State::Closing);
                    }
                }
                State::FinWait2 => self.enter_time_wait(now),
                _ => {}
            }
        }
        None
    }

    /// Whether `repr`, a SYN for this connection's 4-tuple, may open a new
    /// incarnation although this one is in TIME-WAIT (RFC 6191 §2; RFC
    /// 9293 §3.6.1 / RFC 1122 §4.2.2.13 without timestamps). If so the
    /// interface ends the TIME-WAIT and hands the SYN to a listener;
    /// otherwise it is processed here (RFC 9293 §3.10.7.4: an ACK, or a
    /// challenge ACK per RFC 5961 §4.2), as Linux does, where RFC 6191
    /// would drop it silently.
    pub(crate) fn time_wait_reusable(&self, repr: &Repr<'_>) -> bool {
        if self.state != State::TimeWait
            || repr.control != Control::Syn
            || repr.ack_number.is_some()
        {
            return false;
        }
        // "Greater than the last sequence number seen" in that direction.
        let newer_seq = repr.seq_number.gt(self.rcv_nxt);
        match (self.ts_ok, repr.timestamp) {
            // RFC 6191 §2, the previous incarnation used timestamps and the
            // new one would: a greater TSval, or an equal one with a
            // greater sequence number.
            (true, Some(ts)) => {
                let d = ts.tsval.wrapping_sub(self.ts_recent) as i32;
                d > 0 || (d == 0 && newer_seq)
            }
            // Timestamps before but not now: the sequence number decides.
            (true, None) => newer_seq,
            // No timestamps before: a SYN with them is honoured (PAWS
            // protects the new incarnation); without, the sequence number
            // decides.
            (false, Some(_)) => true,
            (false, None) => newer_seq,
        }
    }

    /// End TIME-WAIT early for a new incarnation (RFC 6191).
    pub(crate) fn end_time_wait(&mut self) {
        if self.state == State::TimeWait {
            self.set_state(State::Closed);
        }
    }

    fn enter_time_wait(&mut self, now: Instant) {
        self.set_state(State::TimeWait);
        self.rtx_at = None;
        self.time_wait_until = Some(now + TIME_WAIT);
    }

    /// RFC 5961 §7: challenge ACKs, rate limited.
    fn challenge_ack(&mut self, now: Instant) {
        let (since, count) = self.challenge_acks;
        if now.saturating_duration_since(since) >= Duration::from_secs(1) {
            self.challenge_acks = (now, 1);
        } else if count >= CHALLENGE_ACK_LIMIT {
            return;
        } else {
            self.challenge_acks = (since, count + 1);
        }
        self.pending.ack_now = true;
    }

    /// An acceptable segment with an acceptable ACK arrived: the peer is
    /// alive (keep-alive restarts, RFC 1122 §4.2.3.6).
    #[inline]
    pub(super) fn heard_from_peer(&mut self, now: Instant) {
        self.last_activity = now;
        self.keep_alive_probes = 0;
        if let Some(k) = self.keep_alive {
            self.keep_alive_at = Some(now + k);
        }
    }

    /// RFC 9293 §3.10.7.4 "fifth": update the send window when the
    /// segment is newer (SND.WL1 < SEG.SEQ, or equal and SND.WL2 =< SEG.ACK).
    fn update_window(&mut self, repr: &Repr<'_>, syn: bool) {
        let ack = repr.ack_number.unwrap_or(self.snd_una);
        // RFC 7323 §2.2: the window field of a SYN is never scaled.
        let shift = if repr.control == Control::Syn {
            0
        } else {
            self.snd_wnd_shift
        };
        self.update_send_window(
            repr.seq_number,
            ack,
            usize::from(repr.window_len) << shift,
            syn,
        );
    }

    /// [`Socket::update_window`] for a segment with `seq`, `ack` and a
    /// window of `window` bytes (scaled); `force`: a SYN's, always taken.
    #[inline]
    pub(super) fn update_send_window(
        &mut self,
        seq: TcpSeqNumber,
        ack: TcpSeqNumber,
        window: usize,
        force: bool,
    ) {
        let newer = force || self.snd_wl1.lt(seq) || (self.snd_wl1 == seq && self.snd_wl2.le(ack));
        if !newer {
            return;
        }
        self.snd_wnd = window;
        self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
        self.snd_wl1 = seq;
        self.snd_wl2 = ack;
        if self.snd_wnd > 0 {
            self.persist_at = None;
            self.persist_backoff = 0;
        }
    }

    /// `ack` acknowledges new data (or our SYN / FIN); `timestamp`: the
    /// segment's, if it had one.
    pub(super) fn ack_advanced(
        &mut self,
        now: Instant,
        ack: TcpSeqNumber,
        timestamp: Option<TcpTimestamp>,
    ) {
        let acked = usize::try_from(ack - self.snd_una).unwrap_or(0);
        // Bytes of data, not counting the SYN (first byte after ISS) and the
        // FIN (past the data).
        let syn = usize::from(self.snd_una == self.iss && acked > 0);
        let data_in_buffer = self.tx_buffer.len();
        let data_acked = (acked - syn).min(data_in_buffer);
        self.tx_buffer.dequeue_allocated(data_acked);
        let in_flight_before = self.in_flight();
        self.snd_una = ack;
        if self.snd_nxt.lt(ack) {
            self.snd_nxt = ack;
        }
        self.info.bytes_acked += data_acked as u64;
        // RTT: from the echoed timestamp (RFC 7323 §4), else Karn-safe
        // sampling of one un-retransmitted segment (RFC 6298 §3).
        let sample = match (self.ts_ok, timestamp) {
            (true, Some(ts)) if ts.tsecr != 0 => {
                // RFC 6298 §3 (Karn) where timestamps cannot help: an
                // echo of a TSval from before our last retransmission
                // timeout. The peer echoes the last segment that advanced
                // its window (RFC 7323 §4.3), which after a timeout may be
                // one sent long before it whose ACK was lost; the "RTT"
                // would span the timeout(s) (seconds, tens of seconds under
                // heavy loss), inflate the RTO, and with it every later
                // timeout. Segments sent after the timeout give the sample.
                let before_timeout = self
                    .rto_echo_floor
                    .is_some_and(|(floor, _)| (ts.tsecr.wrapping_sub(floor) as i32) < 0);
                let ms = ts_clock(now).wrapping_sub(ts.tsecr);
                (ms < 60_000 && !before_timeout).then(|| Duration::from_millis(u64::from(ms)))
            }
            _ => self.rtt_sampler.on_ack(now, ack),
        };
        if self.rto_echo_floor.is_some_and(|(_, high)| ack.ge(high)) {
            self.rto_echo_floor = None;
        }
        if let Some(rtt) = sample {
            if self.ts_ok {
                // RFC 7323 Appendix G: many samples per RTT from
                // timestamps; weigh each accordingly.
                let n = super::rtt::expected_samples(in_flight_before, self.mss);
                self.rtt.on_sample_scaled(rtt, n);
            } else {
                self.rtt.on_sample(rtt);
            }
        }
        self.rtt.reset_backoff();
        self.retransmissions = 0;
        self.rtx_start = None;
        // Congestion control (RFC 5681, RFC 6582).
        if self.cc.in_recovery() {
            if self.cc.is_full_ack(ack) {
                self.cc.on_full_ack(self.in_flight());
            } else {
                self.cc.on_partial_ack(acked);
                // RFC 6582 §3.2: retransmit the first unacknowledged
                // segment — that one only, not the whole flight.
                self.pending.retransmit_one = true;
            }
        } else {
            self.cc.on_ack(now, acked, in_flight_before);
        }
        self.dup_acks = 0;
        // RFC 6298 §5.3: restart the timer when new data is acked; stop it
        // when everything is.
        self.rtx_at = if self.in_flight() > 0 {
            Some(now + self.rtt.rto())
        } else {
            None
        };
    }

    /// Add the SACK blocks of `repr` that lie in (`base`, snd_max] to the
    /// scoreboard (D-SACK blocks below `base` are ignored here). Returns
    /// whether they SACKed octets not SACKed before.
    fn record_sack_blocks(&mut self, repr: &Repr<'_>, base: TcpSeqNumber) -> bool {
        if !self.sack_ok {
            return false;
        }
        let mut new = false;
        for (l, r) in repr.sack_ranges.iter().flatten() {
            let (l, r) = (TcpSeqNumber(*l), TcpSeqNumber(*r));
            if l.ge(base) && r.gt(l) && r.le(self.snd_max) {
                let offset = usize::try_from(l - base).unwrap_or(0);
                let len = usize::try_from(r - l).unwrap_or(0);
                let fresh = !self
                    .scoreboard
                    .iter()
                    .any(|(s, e)| s <= offset && offset + len <= e);
                // A full scoreboard only costs precision (and a block it
                // could not take is no news: the same block again would
                // look new each time).
                new |= self.scoreboard.add(offset, len).is_ok() && fresh;
            }
        }
        new
    }

    /// RFC 5681 §3.2 / RFC 6582: three duplicate ACKs start fast
    /// retransmit and recovery; RFC 3042 limited transmit lets the first
    /// two send new data (handled in output).
    fn on_duplicate_ack(&mut self, now: Instant) {
        self.dup_acks = self.dup_acks.saturating_add(1);
        if self.cc.in_recovery() {
            self.cc.on_dup_ack_in_recovery();
            // RFC 6675 §5 (NextSeg rule 1): while SACK shows holes, each
            // duplicate ACK lets the next hole be resent.
            if self.sack_ok && !self.scoreboard.is_empty() {
                self.pending.retransmit_one = true;
            }
        } else if self.dup_acks == 3 {
            // RFC 6582 §3.2 step 2: only if the ACK covers more than
            // `recover` (avoid multiple fast retransmits); the controller
            // decides.
            let in_flight = self.in_flight();
            if self
                .cc
                .on_fast_retransmit(now, in_flight, self.snd_una, self.snd_max)
            {
                // RFC 5681 §3.2 step 2: retransmit the lost segment (one
                // segment; new data follows as cwnd allows).
                self.pending.retransmit_one = true;
                self.high_rxt = self.snd_una;
                self.info.fast_retransmits += 1;
            }
        }
    }

    /// Accept in-window data: in order into the buffer, out of order into
    /// the free space with the assembler and SACK state tracking it.
    fn take_data(&mut self, now: Instant, repr: &Repr<'_>) {
        let offset = repr.seq_number - self.rcv_nxt;
        let mut data = repr.payload;
        let offset = if offset < 0 {
            // Partly old: drop the duplicate head (D-SACK it).
            let skip = offset.unsigned_abs() as usize;
            self.sack.on_duplicate(repr.seq_number, self.rcv_nxt);
            data = data.get(skip..).unwrap_or(&[]);
            0
        } else {
            offset as usize
        };
        let window = self.rcv_window();
        if offset >= window {
            self.pending.ack_now = true;
            return;
        }
        let room = window - offset;
        if data.len() > room {
            data = &data[..room];
        }
        if offset == 0 {
            // A payload `prewrite_payload` already copied (and verified)
            // in place is only marked received; anything else is copied.
            let pre = core::mem::take(&mut self.rx_prewritten);
            let n = if pre >= data.len() && core::ptr::eq(data.as_ptr(), repr.payload.as_ptr()) {
                self.rx_buffer.enqueue_unallocated(data.len())
            } else {
                self.rx_buffer.enqueue_slice(data)
            };
            let mut advanced = n;
            // Out-of-order data that is now contiguous.
            self.assembler.shift(n);
            let more = self.assembler.remove_front();
            if more > 0 {
                advanced += self.rx_buffer.enqueue_unallocated(more);
            }
            self.rcv_nxt += advanced;
            self.info.bytes_received += advanced as u64;
            if more > 0 || !self.assembler.is_empty() {
                // Filling a hole: ACK at once (RFC 5681 §4.2).
                self.pending.ack_now = true;
            } else {
                self.schedule_ack(now, data.len());
            }
        } else {
            // RFC 2883 §4: data we already hold out of order is reported
            // as a D-SACK.
            let start = self.rcv_nxt + offset;
            if let Some((l, r)) = super::sack::first_duplicate(
                self.rcv_nxt,
                &self.assembler,
                start,
                start + data.len(),
            ) {
                self.sack.on_duplicate(l, r);
            }
            let written = self.rx_buffer.write_unallocated(offset, data);
            if self.assembler.add(offset, written).is_err() {
                // Too many holes to track: drop it, the peer resends.
                self.pending.ack_now = true;
                return;
            }
            self.sack
                .on_segment(repr.seq_number, repr.seq_number + written);
            // RFC 5681 §4.2: out-of-order data is ACKed immediately.
            self.pending.ack_now = true;
        }
    }

    /// Delayed ACK (RFC 9293 §3.8.6.3, RFC 5681 §4.2): ACK every second
    /// full-sized segment at once, otherwise within ACK_DELAY.
    pub(super) fn schedule_ack(&mut self, now: Instant, len: usize) {
        let options = if self.ts_ok { 12 } else { 0 };
        let effective = self.local_mss.saturating_sub(options).max(1);
        // A segment longer than our MSS is several segments coalesced on
        // the way (a TAP's GSO frame, GRO/LRO): it estimates no `rcv_mss`
        // beyond ours, and counts as the full-sized segments it holds.
        self.rcv_mss = self.rcv_mss.max(len.min(effective));
        let full = self.full_segment_len();
        if len >= full {
            let segments = u32::try_from(len / full).unwrap_or(u32::MAX);
            self.pending.unacked_segments = self.pending.unacked_segments.saturating_add(segments);
        }
        if self.pending.unacked_segments >= 2 || !self.nagle_peer_quickack() {
            self.pending.ack_now = true;
        } else if self.pending.ack_delayed.is_none() {
            self.pending.ack_delayed = Some(now + super::ACK_DELAY);
        }
    }

    /// The payload of a full-sized segment from the peer (RFC 5681 §4.2,
    /// RFC 9293 §3.8.6.3 count them for the ACK-every-second-segment
    /// rule): our MSS less the options every segment carries (RFC 6691
    /// §2: 1448 bytes, not 1460, with timestamps), or less when the peer's
    /// largest segment so far was smaller (its own MTU or MSS), but never
    /// below 536 bytes (RFC 9293 §3.7.1) as Linux estimates `rcv_mss`.
    fn full_segment_len(&self) -> usize {
        let options = if self.ts_ok { 12 } else { 0 };
        let effective = self.local_mss.saturating_sub(options).max(1);
        self.rcv_mss
            .max(DEFAULT_MSS_V4.min(effective))
            .min(effective)
    }

    /// Quick ACKs at the start of a connection, so the peer's slow start is
    /// not held back (Linux quickack mode): the first few segments.
    fn nagle_peer_quickack(&self) -> bool {
        self.info.bytes_received > (4 * self.local_mss) as u64
    }
}

/// The smallest window shift that lets `capacity` be advertised (RFC 7323
/// §2.3).
pub(crate) fn window_shift_for(capacity: usize) -> u8 {
    let mut shift = 0u8;
    while shift < MAX_WINDOW_SCALE && (capacity >> shift) > usize::from(u16::MAX) {
        shift += 1;
    }
    shift
}
