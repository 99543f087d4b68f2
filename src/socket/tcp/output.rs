//! What a TCP socket sends and when: the handshake, data within the
//! windows (Nagle, SWS avoidance, limited transmit), FIN, ACKs (delayed
//! and immediate, with SACK blocks and timestamps), retransmission on RTO
//! and fast retransmit, zero-window probes, keep-alives — and `poll_at`,
//! the earliest of the socket's timers.

use core::cell::Cell;

use super::{MAX_WINDOW_SCALE, Socket, State, TcpError, ts_clock};
use crate::socket::{IpEndpoint, PollAt};
use crate::time::{Duration, Instant};
use crate::wire::tcp::{Control, Repr, TcpSeqNumber, TcpTimestamp};

/// A segment for the interface to send.
#[derive(Debug)]
pub(crate) struct TcpTransmit<'p> {
    pub(crate) local: IpEndpoint,
    pub(crate) remote: IpEndpoint,
    pub(crate) hop_limit: Option<u8>,
    /// The segment; its data is `repr.payload` then `payload_tail`
    /// (borrowed: a 160-byte `Repr` is not moved per segment).
    pub(crate) repr: &'p Repr<'p>,
    /// The rest of the data when it wraps around the send buffer's end.
    pub(crate) payload_tail: &'p [u8],
    /// A super-segment of more than one MSS of data, for a device with
    /// TCP segmentation offload: the payload of each segment it is cut
    /// into (the MSS less the options every segment carries).
    pub(crate) segment_size: Option<u16>,
    /// Set by the interface when it cut a super-segment itself (software
    /// segmentation, a device without TSO) and the device took only the
    /// first pieces: the data bytes that went. `None`: all of it.
    pub(crate) sent: Cell<Option<usize>>,
}

/// The persist timer's ceiling (RFC 9293 §3.8.6.1; Linux caps the probe
/// interval at `tcp_rto_max`).
const PERSIST_MAX: Duration = Duration::from_secs(60);

/// What the next data segment holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plan {
    /// Offset of the first byte in the send buffer.
    offset: usize,
    /// Data bytes.
    len: usize,
    /// Whether our FIN goes with it.
    fin: bool,
}

impl Socket<'_> {
    /// The sequence number of the first byte in the send buffer.
    fn buffer_start(&self) -> TcpSeqNumber {
        // After the SYN is acknowledged snd_una is the buffer's first byte;
        // before, the first byte is iss + 1.
        if self.snd_una == self.iss {
            self.iss + 1
        } else {
            self.snd_una
        }
    }

    /// What `dispatch` would send as data / FIN now, if anything.
    fn plan(&self) -> Option<Plan> {
        if !self.state.may_send_data() {
            return None;
        }
        let offset = usize::try_from(self.snd_nxt - self.buffer_start()).unwrap_or(0);
        let buffered = self.tx_buffer.len();
        let unsent = buffered.saturating_sub(offset);
        let in_flight = self.in_flight();
        let mut window = self.snd_wnd.min(self.cc.cwnd());
        // RFC 3042 limited transmit: the first two duplicate ACKs may each
        // send one new segment beyond cwnd (still within the peer window).
        if !self.cc.in_recovery() && (1..=2).contains(&self.dup_acks) {
            window = self
                .snd_wnd
                .min(self.cc.cwnd() + self.dup_acks as usize * self.mss);
        }
        let usable = window.saturating_sub(in_flight);
        // A full segment: the MSS less its options, SACK blocks included.
        let max_payload = self.segment_payload();
        let mut len = unsent.min(usable).min(self.max_segment_data(max_payload));
        if len > max_payload
            && len % max_payload != 0
            && !(len == unsent && (!self.nagle || self.fin_queued))
        {
            // A super-segment (TSO) ends on a full segment: its partial
            // tail would be held back by Nagle or SWS avoidance if the
            // segments went one by one (behind full segments in flight), so
            // it waits here too. Without Nagle, or with our FIN, the last of
            // the data goes.
            len -= len % max_payload;
        }
        if len > 0 && len < max_payload && len < unsent {
            // Sender SWS avoidance (RFC 9293 §3.8.6.2.1): a partial segment
            // only when it is at least half the peer's largest window.
            if len < self.max_snd_wnd / 2 {
                len = 0;
            }
        }
        if len > 0 && len < max_payload && self.nagle && in_flight > 0 && !self.fin_queued {
            // Nagle (RFC 9293 §3.7.4): no small segment while data is
            // unacknowledged.
            len = 0;
        }
        let fin =
            self.fin_queued && len == unsent && self.fin_seq.is_none_or(|f| self.snd_nxt.le(f));
        (len > 0 || fin).then_some(Plan { offset, len, fin })
    }

    /// The most data a segment carries: the MSS less the options every
    /// segment has (RFC 6691 §2: the MSS excludes TCP options; timestamps
    /// take 12 bytes with padding).
    pub(crate) fn max_payload(&self) -> usize {
        let options = if self.ts_ok { 12 } else { 0 };
        self.mss.saturating_sub(options).max(1)
    }

    /// The bytes of the SACK option the next segment owes (RFC 2018 §4:
    /// in every ACK while out-of-order data is held; RFC 2883 §4: a
    /// pending D-SACK): two NOPs, kind, length and 8 bytes a block (RFC
    /// 2018 §3); 0 when there is nothing to report.
    fn sack_option_len(&self) -> usize {
        if !self.sack_ok || (self.assembler.is_empty() && !self.sack.has_dsack()) {
            return 0;
        }
        let max = if self.ts_ok { 3 } else { 4 };
        match self.sack.blocks(self.rcv_nxt, &self.assembler, max).len() {
            0 => 0,
            n => 4 + 8 * n,
        }
    }

    /// The data of a full segment now: `max_payload` less the room its
    /// SACK blocks take (RFC 2018 §4: they go in data segments too; Linux
    /// shrinks its current MSS alike), so an ACK owed with blocks never
    /// leaves without them for lack of room.
    fn segment_payload(&self) -> usize {
        self.max_payload()
            .saturating_sub(self.sack_option_len())
            .max(1)
    }

    /// The most data one segment built now may carry: one full segment
    /// (`max_payload`), or with TCP segmentation offload as many as the
    /// device's super-segment holds. A retransmission (after an RTO,
    /// snd_nxt below snd_max) goes one segment at a time.
    fn max_segment_data(&self, max_payload: usize) -> usize {
        if self.tso_max_size == 0 || self.snd_nxt.lt(self.snd_max) {
            return max_payload;
        }
        let ip_header = if self.remote.addr.is_ipv6() { 40 } else { 20 };
        let tcp_header = 20 + if self.ts_ok { 12 } else { 0 } + self.sack_option_len();
        // An IPv4 / IPv6 length field holds at most 65,535 (no jumbograms).
        let room = self
            .tso_max_size
            .min(usize::from(u16::MAX))
            .saturating_sub(ip_header + tcp_header);
        (room / max_payload).max(1) * max_payload
    }

    /// Where the next retransmission starts and how long the hole there
    /// is: the first un-SACKed byte at or after max(snd_una, HighRxt)
    /// below the highest SACKed byte; snd_una without SACK information.
    fn next_hole(&self) -> (TcpSeqNumber, usize) {
        if !self.sack_ok || self.scoreboard.is_empty() {
            return (self.snd_una, usize::MAX);
        }
        let from = usize::try_from(self.high_rxt.max(self.snd_una) - self.snd_una).unwrap_or(0);
        let mut pos = from;
        for (start, end) in self.scoreboard.iter() {
            if pos < start {
                return (self.snd_una + pos, start - pos);
            }
            pos = pos.max(end);
        }
        // No hole below the highest SACKed byte after HighRxt: resend the
        // first unacknowledged segment again.
        (self.snd_una, usize::MAX)
    }

    /// Whether unsent data waits on the window with nothing in flight (so
    /// no ACK will come to open it) and no persist timer runs.
    fn persist_needed(&self) -> bool {
        // RFC 9293 §3.8.6.1: probe in every state that still has data to
        // send — after `close` too (FIN-WAIT-1, CLOSING, LAST-ACK: the FIN
        // waits behind the data). Without it a lost window update left a
        // closed-with-data connection waiting forever.
        self.persist_at.is_none()
            && self.in_flight() == 0
            && !self.tx_buffer.is_empty()
            && self.state.may_send_data()
            && self.plan().is_none()
    }

    /// The window to advertise, never shrinking the right edge we already
    /// offered (RFC 9293 §3.8.6.2.2 / RFC 7323 §2.4).
    fn window_to_advertise(&self) -> usize {
        let mut wnd = self.rcv_window();
        // Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): do not advertise
        // tiny increases.
        let threshold = (self.rx_buffer.capacity() / 2).min(self.local_mss);
        let offered = self.advertised_window_remaining();
        if wnd < offered + threshold && wnd > offered {
            wnd = offered;
        }
        wnd.max(offered)
    }

    /// The segment skeleton: ports, sequence numbers, window, timestamps.
    fn segment<'p>(
        &self,
        now: Instant,
        control: Control,
        seq: TcpSeqNumber,
        payload: &'p [u8],
    ) -> Repr<'p> {
        let syn = control == Control::Syn;
        let wnd = self.window_to_advertise();
        // RFC 7323 §2.2: SYN windows are never scaled.
        let shift = if syn { 0 } else { self.rcv_wnd_shift };
        let window_len = u16::try_from(wnd >> shift).unwrap_or(u16::MAX);
        Repr {
            src_port: self.local.port,
            dst_port: self.remote.port,
            control,
            psh: false,
            seq_number: seq,
            ack_number: (self.state != State::SynSent).then_some(self.rcv_nxt),
            window_len,
            urgent_at: None,
            ece: false,
            cwr: false,
            ae: false,
            window_scale: None,
            max_seg_size: None,
            sack_permitted: false,
            sack_ranges: [None; 4],
            timestamp: self.ts_ok.then_some(TcpTimestamp {
                tsval: ts_clock(now).max(1),
                tsecr: self.ts_recent,
            }),
            fast_open_cookie: None,
            accecn: None,
            payload,
        }
    }

    /// Run due timers. Returns `false` if the connection ended.
    fn run_timers(&mut self, now: Instant) {
        if let Some(t) = self.time_wait_until
            && now >= t
        {
            self.set_state(State::Closed);
            return;
        }
        if let (Some(limit), true) = (self.timeout, self.in_flight() > 0)
            && now.saturating_duration_since(self.last_activity) >= limit
        {
            self.error = Some(TcpError::TimedOut);
            self.pending.rst = matches!(
                self.state,
                State::Established | State::CloseWait | State::FinWait1
            );
            if !self.pending.rst {
                self.set_state(State::Closed);
            }
            return;
        }
        if let Some(t) = self.rtx_at
            && now >= t
        {
            self.on_retransmit_timeout(now);
        }
        if let Some(t) = self.pending.ack_delayed
            && now >= t
        {
            self.pending.ack_now = true;
            self.pending.ack_delayed = None;
        }
    }

    /// RFC 6298 §5.4-5.6: back off, collapse cwnd, go back to snd_una.
    fn on_retransmit_timeout(&mut self, now: Instant) {
        self.retransmissions += 1;
        // RFC 1122 §4.2.3.5 R2, per state: `tcp_syn_retries` for our SYN
        // and `tcp_synack_retries` for our SYN-ACK count retransmissions;
        // `tcp_retries2` for data is the time that many doubling RTOs from
        // `tcp_rto_min` take, counted from when the oldest unacknowledged
        // data went out (as Linux: a path with a long RTO gives up after
        // fewer retransmissions, not after a longer time).
        let expired = match self.state {
            State::SynSent => self.retransmissions > u32::from(self.config.syn_retries),
            State::SynReceived => self.retransmissions > u32::from(self.config.synack_retries),
            // At least one retransmission goes, however long the RTO.
            _ => {
                let rto = self.rtt.rto();
                let start = *self
                    .rtx_start
                    .get_or_insert_with(|| now.checked_sub(rto).unwrap_or(now));
                self.retransmissions > 1
                    && now.saturating_duration_since(start)
                        >= super::retries_budget(&self.config, self.config.retries2)
            }
        };
        if expired {
            self.error = Some(TcpError::TimedOut);
            self.pending.rst = !matches!(self.state, State::SynSent);
            if !self.pending.rst {
                self.set_state(State::Closed);
            }
            self.rtx_at = None;
            return;
        }
        self.rtt.on_timeout();
        self.rto_echo_floor = Some((ts_clock(now), self.snd_max));
        let in_flight = self.in_flight();
        self.cc.on_rto(in_flight, self.snd_max);
        self.rtt_sampler.on_retransmit();
        self.snd_nxt = self.snd_una;
        self.dup_acks = 0;
        // RFC 6675 §5.1: after an RTO, SACK information is not trusted.
        self.scoreboard.clear();
        self.high_rxt = self.snd_una;
        self.info.rto_events += 1;
        self.rtx_at = Some(now + self.rtt.rto());
    }

    /// Send at most one segment through `emit`. On `Err` nothing changes
    /// and the same segment is tried at the next poll.
    pub(crate) fn dispatch<F, E>(&mut self, now: Instant, emit: F) -> Result<(), E>
    where
        F: FnOnce(&TcpTransmit<'_>) -> Result<(), E>,
    {
        self.now = now;
        if matches!(self.state, State::Closed | State::Listen) {
            return Ok(());
        }
        self.run_timers(now);
        if self.state == State::Closed {
            return Ok(());
        }
        let local = self.local;
        let remote = self.remote;
        let hop_limit = self.hop_limit;

        // An abort: RST and forget.
        if self.pending.rst {
            let mut repr = self.segment(now, Control::Rst, self.snd_nxt, &[]);
            repr.timestamp = None;
            emit(&TcpTransmit {
                local,
                remote,
                hop_limit,
                repr: &repr,
                payload_tail: &[],
                segment_size: None,
                sent: Cell::new(None),
            })?;
            self.set_state(State::Closed);
            return Ok(());
        }

        // The handshake: SYN or SYN-ACK, sent once per RTO.
        if matches!(self.state, State::SynSent | State::SynReceived) && self.snd_nxt == self.iss {
            let mut repr = self.segment(now, Control::Syn, self.iss, &[]);
            // RFC 9293 §3.7.1: our MSS; RFC 7323 §2.2 window scale (in a
            // SYN-ACK only if the peer offered it); timestamps; SACK.
            repr.max_seg_size = Some(u16::try_from(self.local_mss).unwrap_or(u16::MAX));
            let syn_ack = self.state == State::SynReceived;
            if !syn_ack || self.peer.window_scale.is_some() {
                if !syn_ack {
                    self.rcv_wnd_shift = super::input::window_shift_for(self.rx_buffer.capacity());
                }
                repr.window_scale = Some(self.rcv_wnd_shift.min(MAX_WINDOW_SCALE));
            }
            // RFC 2018 §2 (only with `socket-tcp-sack`).
            repr.sack_permitted = super::SACK && (!syn_ack || self.peer.sack_permitted);
            if !syn_ack {
                repr.timestamp = Some(TcpTimestamp {
                    tsval: ts_clock(now).max(1),
                    tsecr: 0,
                });
            }
            repr.window_len = u16::try_from(self.rx_buffer.window()).unwrap_or(u16::MAX);
            emit(&TcpTransmit {
                local,
                remote,
                hop_limit,
                repr: &repr,
                payload_tail: &[],
                segment_size: None,
                sent: Cell::new(None),
            })?;
            self.snd_nxt = self.iss + 1;
            self.snd_max = self.snd_max.max(self.snd_nxt);
            self.rcv_adv = self.rcv_nxt + self.rx_buffer.window();
            if self.rtx_at.is_none() {
                self.rtx_at = Some(now + self.rtt.rto());
            }
            self.last_send = now;
            return Ok(());
        }

        // RFC 5681 §4.1: restart from the initial window after an idle
        // period longer than the RTO.
        if self.in_flight() == 0 && now.saturating_duration_since(self.last_send) > self.rtt.rto() {
            self.cc.on_idle(
                now,
                now.saturating_duration_since(self.last_send),
                self.rtt.rto(),
            );
        }

        // Fast retransmit / partial ACK: one segment from snd_una.
        if self.pending.retransmit_one {
            self.pending.retransmit_one = false;
            // With SACK, resend the first hole at or after HighRxt (RFC
            // 6675 §4 NextSeg rule 1); without, the first unacked segment.
            let (start, hole) = self.next_hole();
            let outstanding = usize::try_from(self.snd_max - start).unwrap_or(0);
            let offset = usize::try_from(start - self.buffer_start()).unwrap_or(0);
            let data_left = self.tx_buffer.len().saturating_sub(offset);
            let len = outstanding
                .min(data_left)
                .min(self.segment_payload())
                .min(hole);
            let fin = self.fin_seq.is_some_and(|f| start + len == f) && len < outstanding;
            if len > 0 || fin {
                let seq = start;
                self.high_rxt = start + len;
                let payload = self.tx_buffer.get_allocated(offset, len);
                let payload_tail = self
                    .tx_buffer
                    .get_allocated(offset + payload.len(), len - payload.len());
                let control = if fin { Control::Fin } else { Control::None };
                let mut repr = self.segment(now, control, seq, payload);
                let room = self.max_payload().saturating_sub(len);
                self.add_sack_blocks(&mut repr, room);
                if let Err(e) = emit(&TcpTransmit {
                    local,
                    remote,
                    hop_limit,
                    repr: &repr,
                    payload_tail,
                    segment_size: None,
                    sent: Cell::new(None),
                }) {
                    self.pending.retransmit_one = true;
                    return Err(e);
                }
                self.info.retransmits += 1;
                self.info.bytes_sent += len as u64;
                self.rtt_sampler.on_retransmit();
                self.rtx_at = Some(now + self.rtt.rto());
                self.after_ack_sent(now);
                self.last_send = now;
                return Ok(());
            }
        }

        let plan = self.plan();
        let keep_alive_due =
            self.keep_alive_at.is_some_and(|t| now >= t) && self.state == State::Established;
        let persist_due = self.persist_at.is_some_and(|t| now >= t);
        if plan.is_none() && !self.pending.ack_now && !keep_alive_due && !persist_due {
            // Data waiting that the window (zero, or too small to pass SWS
            // avoidance) holds back, with nothing in flight to bring an
            // ACK: arm the persist / override timer (RFC 9293 §3.8.6.1,
            // §3.8.6.2.1).
            if self.persist_needed() {
                self.persist_at = Some(now + self.rtt.rto());
            }
            return Ok(());
        }

        if let Some(plan) = plan {
            let seq = self.snd_nxt;
            // The data may wrap around the ring: two slices, one segment.
            let payload = self.tx_buffer.get_allocated(plan.offset, plan.len);
            let payload_tail = self
                .tx_buffer
                .get_allocated(plan.offset + payload.len(), plan.len - payload.len());
            let control = if plan.fin {
                Control::Fin
            } else {
                Control::None
            };
            let mut repr = self.segment(now, control, seq, payload);
            repr.psh = plan.offset + plan.len == self.tx_buffer.len() && plan.len > 0;
            // SACK blocks in the room each segment leaves below the MSS
            // (`segment_payload` keeps it for the blocks owed).
            let segment_payload = self.segment_payload();
            let room = self
                .max_payload()
                .saturating_sub(plan.len.min(segment_payload));
            self.add_sack_blocks(&mut repr, room);
            let t = TcpTransmit {
                local,
                remote,
                hop_limit,
                repr: &repr,
                payload_tail,
                segment_size: (plan.len > segment_payload)
                    .then(|| u16::try_from(segment_payload).ok())
                    .flatten(),
                sent: Cell::new(None),
            };
            emit(&t)?;
            // A super-segment the interface cut itself may have gone only
            // in part (the device filled up): what went is what was sent,
            // the rest goes next time; the FIN only with the last byte.
            let len = t.sent.get().map_or(plan.len, |n| n.min(plan.len));
            let fin = plan.fin && len == plan.len;
            let retransmit = seq.lt(self.snd_max);
            self.snd_nxt = seq + len + usize::from(fin);
            if fin {
                self.fin_seq = Some(seq + len);
            }
            if retransmit {
                self.info.retransmits += 1;
                self.rtt_sampler.on_retransmit();
            } else if len > 0 {
                self.rtt_sampler.on_send(now, seq, len + usize::from(fin));
            }
            self.snd_max = self.snd_max.max(self.snd_nxt);
            self.info.bytes_sent += len as u64;
            if self.rtx_at.is_none() {
                self.rtx_at = Some(now + self.rtt.rto());
            }
            self.after_ack_sent(now);
            self.last_send = now;
            return Ok(());
        }

        if persist_due && self.snd_wnd > 0 && self.in_flight() == 0 {
            // RFC 9293 §3.8.6.2.1: the override timeout: send what the
            // (small) window allows rather than wait for it to grow.
            let offset = usize::try_from(self.snd_nxt - self.buffer_start()).unwrap_or(0);
            let unsent = self.tx_buffer.len().saturating_sub(offset);
            let len = unsent.min(self.snd_wnd).min(self.max_payload());
            if len > 0 {
                let seq = self.snd_nxt;
                let payload = self.tx_buffer.get_allocated(offset, len);
                let payload_tail = self
                    .tx_buffer
                    .get_allocated(offset + payload.len(), len - payload.len());
                let repr = self.segment(now, Control::None, seq, payload);
                emit(&TcpTransmit {
                    local,
                    remote,
                    hop_limit,
                    repr: &repr,
                    payload_tail,
                    segment_size: None,
                    sent: Cell::new(None),
                })?;
                self.snd_nxt = seq + len;
                self.snd_max = self.snd_max.max(self.snd_nxt);
                self.info.bytes_sent += len as u64;
                self.rtx_at = Some(now + self.rtt.rto());
                self.persist_at = None;
                self.after_ack_sent(now);
                self.last_send = now;
                return Ok(());
            }
        }

        if persist_due {
            // RFC 9293 §3.8.6.1: probe the zero window with one byte.
            let offset = usize::try_from(self.snd_una - self.buffer_start()).unwrap_or(0);
            let payload = self.tx_buffer.get_allocated(offset, 1);
            let repr = self.segment(now, Control::None, self.snd_una, payload);
            emit(&TcpTransmit {
                local,
                remote,
                hop_limit,
                repr: &repr,
                payload_tail: &[],
                segment_size: None,
                sent: Cell::new(None),
            })?;
            // RFC 9293 §3.8.6.1: the probe's byte is data sent. A receiver
            // whose window has opened takes it and ACKs SND.UNA + 1: that
            // ACK must be acceptable, not "something not yet sent"
            // (§3.10.7.4, refused with a challenge ACK), or the window it
            // opens is never learnt and every later probe is refused alike.
            self.snd_max = self.snd_max.max(self.snd_una + payload.len());
            self.persist_backoff = self.persist_backoff.saturating_add(1).min(16);
            let delay = self
                .rtt
                .rto()
                .saturating_mul(1 << self.persist_backoff.min(10))
                .min(PERSIST_MAX);
            self.persist_at = Some(now + delay);
            self.after_ack_sent(now);
            return Ok(());
        }

        if keep_alive_due && !self.pending.ack_now {
            // RFC 9293 §3.8.4: a probe with SEG.SEQ = SND.NXT - 1.
            self.keep_alive_probes += 1;
            // RFC 1122 §4.2.3.6 / Linux `tcp_keepalive_probes`.
            if self.keep_alive_probes > u32::from(self.config.keepalive_probes) {
                self.error = Some(TcpError::KeepAliveTimedOut);
                self.pending.rst = true;
                return Ok(());
            }
            let repr = self.segment(now, Control::None, self.snd_nxt - 1, &[]);
            emit(&TcpTransmit {
                local,
                remote,
                hop_limit,
                repr: &repr,
                payload_tail: &[],
                segment_size: None,
                sent: Cell::new(None),
            })?;
            // Probes `tcp_keepalive_intvl` apart (or the idle time, if
            // the application chose a shorter one).
            let intvl = Duration::from_secs(u64::from(self.config.keepalive_intvl_s));
            let interval = self.keep_alive.unwrap_or(intvl).min(intvl);
            self.keep_alive_at = Some(now + interval);
            return Ok(());
        }

        // A pure ACK. Its SEQ is the highest sequence number sent, not
        // snd_nxt: after a retransmission timeout snd_nxt has gone back to
        // snd_una, and an ACK with that old SEQ falls below the peer's
        // RCV.NXT, is unacceptable there (RFC 9293 §3.10.7.4) and is
        // dropped unread, so the peer never learns what we received.
        let mut repr = self.segment(now, Control::None, self.snd_max, &[]);
        self.add_sack_blocks(&mut repr, usize::MAX);
        emit(&TcpTransmit {
            local,
            remote,
            hop_limit,
            repr: &repr,
            payload_tail: &[],
            segment_size: None,
            sent: Cell::new(None),
        })?;
        self.after_ack_sent(now);
        Ok(())
    }

    fn add_sack_blocks(&self, repr: &mut Repr<'_>, room: usize) {
        if !self.sack_ok {
            return;
        }
        // RFC 2018 §3: three blocks fit beside timestamps, four without;
        // each takes 8 bytes plus 4 for the option header and padding.
        let fit = room.saturating_sub(4) / 8;
        let max = if repr.timestamp.is_some() { 3 } else { 4 }.min(fit);
        if max == 0 {
            return;
        }
        for (slot, (l, r)) in
            repr.sack_ranges
                .iter_mut()
                .zip(self.sack.blocks(self.rcv_nxt, &self.assembler, max))
        {
            *slot = Some((l.0, r.0));
        }
    }

    fn after_ack_sent(&mut self, _now: Instant) {
        // RFC 2883: a D-SACK is reported once.
        self.sack.on_ack_sent(self.rcv_nxt);
        self.pending.ack_now = false;
        self.pending.ack_delayed = None;
        self.pending.unacked_segments = 0;
        self.last_ack_sent = self.rcv_nxt;
        let wnd = self.window_to_advertise();
        self.rcv_adv = self.rcv_nxt + wnd;
    }

    /// When the socket next needs `dispatch`.
    pub(crate) fn poll_at(&self) -> PollAt {
        match self.state {
            State::Closed | State::Listen => return PollAt::Ingress,
            _ => {}
        }
        if self.pending.rst || self.pending.ack_now || self.pending.retransmit_one {
            return PollAt::Now;
        }
        if matches!(self.state, State::SynSent | State::SynReceived) && self.snd_nxt == self.iss {
            return PollAt::Now;
        }
        if self.plan().is_some() {
            return PollAt::Now;
        }
        let timeout = self
            .timeout
            .filter(|_| self.in_flight() > 0)
            .map(|t| self.last_activity + t);
        let keep_alive = self
            .keep_alive_at
            .filter(|_| self.state == State::Established);
        // A zero window with data waiting arms the persist timer in
        // dispatch: ask for it now.
        let arm_persist =
            (self.persist_needed() && self.state != State::TimeWait).then_some(self.now);
        [
            self.rtx_at,
            self.persist_at,
            self.pending.ack_delayed,
            self.time_wait_until,
            keep_alive,
            timeout,
            arm_persist,
        ]
        .into_iter()
        .flatten()
        .min()
        .map_or(PollAt::Ingress, PollAt::Time)
    }
}
