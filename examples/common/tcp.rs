//! The TCP services of the `stack` example: echo (RFC 862), discard
//! (RFC 863), daytime (RFC 867) and character generator (RFC 864), on
//! IPv4 and IPv6 alike, several connections at once per service.
//!
//! A ferrotcp TCP socket carries one connection. Each service keeps
//! [`LISTENERS`] sockets listening on its port (the interface hands a SYN
//! to the first listening socket that accepts it); when one of them takes
//! a connection, another socket is armed in its place, reusing a socket
//! whose connection has ended or adding a new one, up to
//! [`MAX_SOCKETS`] per service. When that bound is reached a socket in
//! TIME-WAIT is recycled; if there is none, the service has fewer
//! listeners until a connection ends (counted in `listen_exhausted`).

use ferrotcp::socket::tcp::{self, RecvError, State};
use ferrotcp::socket::{IpEndpoint, SocketHandle, SocketSet};

use super::{DAYTIME_PORT, DISCARD_PORT, ECHO_PORT};

/// RFC 864: the character generator service.
pub const CHARGEN_PORT: u16 = 19;

/// Listening sockets kept armed per service.
pub const LISTENERS: usize = 4;
/// Sockets per service at most (listening, connected, TIME-WAIT).
pub const MAX_SOCKETS: usize = 16;
/// Receive and send buffer of an echo socket: room for the window a
/// bulk transfer needs on a LAN (window scaling makes it usable).
const ECHO_BUFFER: usize = 256 * 1024;
/// Buffers of the other services.
const SMALL_BUFFER: usize = 64 * 1024;

/// RFC 864 §"TCP Based Character Generator Service": lines of 72
/// printing characters, each line starting one character later in the
/// 95 printable ASCII characters, followed by CR LF.
const CHARGEN_LINE: usize = 72;
/// The printable ASCII characters (space to tilde).
const CHARGEN_CHARS: usize = 95;
/// One full period of the pattern: 95 lines of 72 characters and CR LF.
pub const CHARGEN_PERIOD: usize = CHARGEN_CHARS * (CHARGEN_LINE + 2);

/// Byte `pos` of the RFC 864 pattern (the stream starts at line 0,
/// character `' '`).
pub fn chargen_byte(pos: usize) -> u8 {
    let pos = pos % CHARGEN_PERIOD;
    let line = pos / (CHARGEN_LINE + 2);
    let col = pos % (CHARGEN_LINE + 2);
    match col {
        CHARGEN_LINE => b'\r',
        c if c > CHARGEN_LINE => b'\n',
        // `(line + col) % 95 < 95`, so the sum stays in 32..=126.
        c => b' ' + ((line + c) % CHARGEN_CHARS) as u8,
    }
}

/// The four TCP services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpService {
    /// RFC 862: what arrives is sent back.
    Echo,
    /// RFC 863: what arrives is thrown away.
    Discard,
    /// RFC 867: one line with the date and time, then close.
    Daytime,
    /// RFC 864: the rotating pattern until the client closes.
    Chargen,
}

impl TcpService {
    /// Every service.
    pub const ALL: [TcpService; 4] = [
        TcpService::Echo,
        TcpService::Discard,
        TcpService::Daytime,
        TcpService::Chargen,
    ];

    /// Its well-known port.
    pub fn port(self) -> u16 {
        match self {
            TcpService::Echo => ECHO_PORT,
            TcpService::Discard => DISCARD_PORT,
            TcpService::Daytime => DAYTIME_PORT,
            TcpService::Chargen => CHARGEN_PORT,
        }
    }

    /// Its name, for printing.
    pub fn name(self) -> &'static str {
        match self {
            TcpService::Echo => "echo",
            TcpService::Discard => "discard",
            TcpService::Daytime => "daytime",
            TcpService::Chargen => "chargen",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn buffer(self) -> usize {
        match self {
            TcpService::Echo => ECHO_BUFFER,
            _ => SMALL_BUFFER,
        }
    }
}

/// What the TCP services did, per service (indexed like
/// [`TcpService::ALL`]) and in total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpServiceCounters {
    /// Connections accepted.
    pub accepted: [u64; 4],
    /// Connections that ended (closed, reset or timed out).
    pub ended: [u64; 4],
    /// Of those, ended by an error (reset, time-out, ICMP).
    pub errors: [u64; 4],
    /// Bytes received from clients.
    pub bytes_in: [u64; 4],
    /// Bytes queued to clients.
    pub bytes_out: [u64; 4],
    /// Times a service could not arm a listener (all its sockets busy).
    pub listen_exhausted: u64,
    /// TIME-WAIT sockets recycled to arm a listener.
    pub time_wait_recycled: u64,
}

/// One thing a TCP service did, for logging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpServiceEvent {
    /// A connection from `peer` was accepted.
    Accepted {
        /// Which service.
        service: TcpService,
        /// The client.
        peer: IpEndpoint,
    },
    /// The connection from `peer` ended.
    Ended {
        /// Which service.
        service: TcpService,
        /// The client.
        peer: IpEndpoint,
        /// Bytes received from it.
        bytes_in: u64,
        /// Bytes queued to it.
        bytes_out: u64,
        /// Why it ended badly, if it did.
        error: Option<tcp::TcpError>,
    },
}

/// One socket a service owns.
#[derive(Debug)]
struct Slot {
    handle: SocketHandle,
    service: TcpService,
    /// The client, once the socket has left LISTEN.
    peer: Option<IpEndpoint>,
    bytes_in: u64,
    bytes_out: u64,
    /// Daytime: the line has been queued.
    answered: bool,
    /// Chargen: the position in the pattern.
    chargen_pos: usize,
}

/// The TCP echo, discard, daytime and chargen services.
#[derive(Debug)]
pub struct TcpServices {
    slots: Vec<Slot>,
    scratch: Vec<u8>,
    counters: TcpServiceCounters,
    /// The last time `listen_exhausted` was counted, per service (counted
    /// once per episode, not once per `serve`).
    exhausted: [bool; 4],
}

impl TcpServices {
    /// Open [`LISTENERS`] listening sockets per service in `sockets`.
    pub fn new(sockets: &mut SocketSet<'static>) -> TcpServices {
        let mut s = TcpServices {
            slots: Vec::new(),
            scratch: vec![0; 64 * 1024],
            counters: TcpServiceCounters::default(),
            exhausted: [false; 4],
        };
        s.arm(sockets);
        s
    }

    /// The counters so far.
    pub fn counters(&self) -> TcpServiceCounters {
        self.counters
    }

    /// Connections open now (not listening, not closed).
    pub fn open_connections(&self, sockets: &SocketSet<'static>) -> usize {
        self.slots
            .iter()
            .filter(|s| {
                sockets
                    .get::<tcp::Socket>(s.handle)
                    .is_ok_and(|t| t.is_active())
            })
            .count()
    }

    /// Move data on every connection, notice new and ended connections,
    /// and re-arm the listeners. `daytime` gives the daytime line;
    /// `event` hears about connections. Returns how much happened (bytes
    /// moved plus connection events): non-zero means the interface has
    /// something new to send.
    pub fn serve(
        &mut self,
        sockets: &mut SocketSet<'static>,
        daytime: impl Fn() -> String,
        mut event: impl FnMut(TcpServiceEvent),
    ) -> usize {
        let mut work = 0;
        let c = &mut self.counters;
        for slot in &mut self.slots {
            let Ok(s) = sockets.get_mut::<tcp::Socket>(slot.handle) else {
                continue;
            };
            let i = slot.service.index();
            if slot.peer.is_none() && !matches!(s.state(), State::Listen | State::Closed) {
                let peer = s
                    .remote_endpoint()
                    .unwrap_or_else(|| IpEndpoint::new(std::net::Ipv4Addr::UNSPECIFIED.into(), 0));
                slot.peer = Some(peer);
                c.accepted[i] += 1;
                work += 1;
                event(TcpServiceEvent::Accepted {
                    service: slot.service,
                    peer,
                });
            }
            let (bytes_in, bytes_out) = match slot.service {
                TcpService::Echo => echo(s, &mut self.scratch),
                TcpService::Discard => (drain(s, &mut self.scratch), 0),
                TcpService::Daytime => {
                    let bytes_in = drain(s, &mut self.scratch);
                    let mut out = 0;
                    // RFC 867: "Once a connection is established the
                    // current date and time is sent out the connection
                    // ... The service closes the connection after sending
                    // the quote."
                    if !slot.answered && s.may_send() {
                        let line = daytime();
                        out = s.send_slice(line.as_bytes()).unwrap_or(0);
                        slot.answered = true;
                        s.close();
                    }
                    (bytes_in, out)
                }
                TcpService::Chargen => {
                    let bytes_in = drain(s, &mut self.scratch);
                    // RFC 864: send "until the calling user terminates"
                    // (drain() has closed our side once the client's FIN
                    // arrived, and may_send() is then false).
                    let pos = slot.chargen_pos;
                    let out = s
                        .send(|buf| {
                            for (k, b) in buf.iter_mut().enumerate() {
                                *b = chargen_byte(pos + k);
                            }
                            (buf.len(), buf.len())
                        })
                        .unwrap_or(0);
                    slot.chargen_pos = (pos + out) % CHARGEN_PERIOD;
                    (bytes_in, out)
                }
            };
            slot.bytes_in += bytes_in as u64;
            slot.bytes_out += bytes_out as u64;
            c.bytes_in[i] += bytes_in as u64;
            c.bytes_out[i] += bytes_out as u64;
            work += bytes_in + bytes_out;

            // Ended: closed, or back in LISTEN (a reset in SYN-RECEIVED).
            if matches!(s.state(), State::Closed | State::Listen) && slot.peer.is_some()
                || s.state() == State::Closed
            {
                let error = s.take_error();
                if let Some(peer) = slot.peer.take() {
                    c.ended[i] += 1;
                    if error.is_some() {
                        c.errors[i] += 1;
                    }
                    work += 1;
                    event(TcpServiceEvent::Ended {
                        service: slot.service,
                        peer,
                        bytes_in: slot.bytes_in,
                        bytes_out: slot.bytes_out,
                        error,
                    });
                }
                slot.bytes_in = 0;
                slot.bytes_out = 0;
                slot.answered = false;
                slot.chargen_pos = 0;
            }
        }
        self.arm(sockets);
        work
    }

    /// Keep [`LISTENERS`] sockets listening per service: reuse closed
    /// sockets, add new ones up to [`MAX_SOCKETS`], then recycle TIME-WAIT
    /// ones; drop closed sockets nobody needs.
    fn arm(&mut self, sockets: &mut SocketSet<'static>) {
        for service in TcpService::ALL {
            let state = |sockets: &SocketSet<'static>, h| {
                sockets
                    .get::<tcp::Socket>(h)
                    .map_or(State::Closed, |t| t.state())
            };
            let mine = |s: &&Slot| s.service == service;
            let listening = self
                .slots
                .iter()
                .filter(mine)
                .filter(|s| state(sockets, s.handle) == State::Listen)
                .count();
            let mut short = LISTENERS.saturating_sub(listening);
            // Closed sockets first.
            for slot in self.slots.iter().filter(mine) {
                if short == 0 {
                    break;
                }
                if state(sockets, slot.handle) == State::Closed
                    && slot.peer.is_none()
                    && let Ok(t) = sockets.get_mut::<tcp::Socket>(slot.handle)
                    && t.listen(service.port()).is_ok()
                {
                    short -= 1;
                }
            }
            // Then new sockets.
            while short > 0 && self.slots.iter().filter(mine).count() < MAX_SOCKETS {
                let mut t = tcp::Socket::new(
                    tcp::SocketBuffer::new(vec![0u8; service.buffer()]),
                    tcp::SocketBuffer::new(vec![0u8; service.buffer()]),
                );
                if t.listen(service.port()).is_err() {
                    break;
                }
                let Ok(handle) = sockets.add(t) else { break };
                self.slots.push(Slot {
                    handle,
                    service,
                    peer: None,
                    bytes_in: 0,
                    bytes_out: 0,
                    answered: false,
                    chargen_pos: 0,
                });
                short -= 1;
            }
            // Then TIME-WAIT sockets: our side is done; the 2 MSL wait
            // only guards against old duplicates of that connection.
            for slot in self.slots.iter_mut().filter(|s| s.service == service) {
                if short == 0 {
                    break;
                }
                if let Ok(t) = sockets.get_mut::<tcp::Socket>(slot.handle)
                    && t.state() == State::TimeWait
                {
                    t.abort();
                    slot.peer = None;
                    if t.listen(service.port()).is_ok() {
                        self.counters.time_wait_recycled += 1;
                        short -= 1;
                    }
                }
            }
            let i = service.index();
            if short > 0 {
                if !self.exhausted[i] {
                    self.counters.listen_exhausted += 1;
                    self.exhausted[i] = true;
                }
            } else {
                self.exhausted[i] = false;
            }
            // Closed sockets beyond the listeners: give their memory back.
            let mut k = 0;
            while k < self.slots.len() {
                let slot = &self.slots[k];
                if slot.service == service
                    && slot.peer.is_none()
                    && state(sockets, slot.handle) == State::Closed
                {
                    let _ = sockets.remove(slot.handle);
                    self.slots.swap_remove(k);
                } else {
                    k += 1;
                }
            }
        }
    }
}

/// RFC 862: send back what arrived, as far as the send buffer has room
/// (the rest waits in the receive buffer: flow control reaches the
/// client). Close once the client has closed and everything is queued.
fn echo(s: &mut tcp::Socket<'static>, scratch: &mut [u8]) -> (usize, usize) {
    let mut moved = 0;
    loop {
        if !s.may_send() {
            break;
        }
        let room = ECHO_BUFFER
            .saturating_sub(s.send_queue())
            .min(scratch.len());
        if room == 0 {
            break;
        }
        match s.recv_slice(&mut scratch[..room]) {
            Ok(0) => break,
            Ok(n) => {
                // `room` bytes fit, so all `n` are taken.
                let taken = s.send_slice(&scratch[..n]).unwrap_or(0);
                moved += taken;
                if taken < n {
                    break;
                }
            }
            Err(RecvError::Finished) => {
                s.close();
                break;
            }
            Err(RecvError::InvalidState) => break,
        }
    }
    (moved, moved)
}

/// Read and throw away what arrived; close once the client has closed.
fn drain(s: &mut tcp::Socket<'static>, scratch: &mut [u8]) -> usize {
    let mut total = 0;
    loop {
        match s.recv_slice(scratch) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(RecvError::Finished) => {
                s.close();
                break;
            }
            Err(RecvError::InvalidState) => break,
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc864_chargen_lines_rotate() {
        let line = |n: usize| -> Vec<u8> {
            (0..CHARGEN_LINE + 2)
                .map(|k| chargen_byte(n * (CHARGEN_LINE + 2) + k))
                .collect()
        };
        // RFC 864's sample: the first line starts with the space, the
        // second with '!'.
        let first = line(0);
        assert_eq!(&first[..4], b" !\"#");
        assert_eq!(&first[CHARGEN_LINE..], b"\r\n");
        assert_eq!(first[CHARGEN_LINE - 1], b' ' + 71);
        assert_eq!(&line(1)[..3], b"!\"#");
        // The 95th line wraps: it starts with '~' and continues with ' '.
        assert_eq!(&line(94)[..2], b"~ ");
        assert_eq!(line(95), first);
        assert!((0..CHARGEN_PERIOD).all(|p| {
            let b = chargen_byte(p);
            (32..=126).contains(&b) || b == b'\r' || b == b'\n'
        }));
    }
}
