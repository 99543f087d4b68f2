//! ICMPv4 (RFC 792) with the host rules of RFC 1122 §3.2.2, the next-hop
//! MTU of RFC 1191 §4, the error sizing of RFC 1812 §4.3.2.3 and the
//! deprecations of RFC 6633 (Source Quench) and RFC 6918 (obsolete types).
//!
//! ```text
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |  Type  |  Code  |    Checksum     |
//! +--------+--------+--------+--------+
//! |          Rest of header           |
//! +--------+--------+--------+--------+
//! |  Data ...
//! +--------+-
//!
//! Rest of header, by type:
//!   Echo / Echo Reply / Timestamp:   | Identifier | Sequence Number |
//!   Dst Unreachable, code 4:         |   unused   |  Next-Hop MTU   |
//!   Parameter Problem:               | Pointer |       unused       |
//!   Redirect:                        |   Gateway Internet Address   |
//!
//! Timestamp / Timestamp Reply data: Originate, Receive, Transmit
//! Timestamps (32 bits each, milliseconds since midnight UT).
//! ```
//!
//! ICMP has no length field: the message is the whole IP payload, and the
//! checksum covers all of it.

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv4Addr;

use super::checksum::{self, Checksum};
use super::{Error, Result};

mod message;

pub use self::message::{DstUnreachable, Message, ParamProblem, Redirect, TimeExceeded};

mod field {
    use crate::wire::field::{Field, Rest};
    pub(crate) const TYPE: usize = 0;
    pub(crate) const CODE: usize = 1;
    pub(crate) const CHECKSUM: Field = 2..4;
    pub(crate) const REST_OF_HEADER: Field = 4..8;

    // Echo, Echo Reply, Timestamp, Timestamp Reply (RFC 792).
    pub(crate) const ECHO_IDENT: Field = 4..6;
    pub(crate) const ECHO_SEQNO: Field = 6..8;

    // Destination Unreachable, code 4 (RFC 1191 §4).
    pub(crate) const NEXT_HOP_MTU: Field = 6..8;

    // Parameter Problem (RFC 792).
    pub(crate) const POINTER: usize = 4;

    // Redirect (RFC 792).
    pub(crate) const GATEWAY: Field = 4..8;

    // Timestamp, Timestamp Reply (RFC 792).
    pub(crate) const ORIGINATE_TIMESTAMP: Field = 8..12;
    pub(crate) const RECEIVE_TIMESTAMP: Field = 12..16;
    pub(crate) const TRANSMIT_TIMESTAMP: Field = 16..20;

    pub(crate) const DATA: Rest = 8..;
}

/// The ICMPv4 header length (type, code, checksum, rest of header).
pub const HEADER_LEN: usize = field::REST_OF_HEADER.end;

/// The length of a Timestamp or Timestamp Reply message (RFC 792).
pub const TIMESTAMP_LEN: usize = field::TRANSMIT_TIMESTAMP.end;

/// How many octets of the invoking datagram's data, past its IP header,
/// an error message must carry at least (RFC 792; RFC 1122 §3.2.2: "the
/// Internet header and at least the first 8 data octets").
pub const INVOKING_DATA_LEN: usize = 8;

/// The minimum IPv4 header length (RFC 791 §3.1: IHL of 5 words).
const IPV4_MIN_HEADER_LEN: usize = 20;

/// The largest IP datagram an ICMP error message should make
/// (RFC 1812 §4.3.2.3: "as much of the original datagram as possible
/// without the length of the ICMP datagram exceeding 576 bytes").
pub const ERROR_DATAGRAM_MAX_LEN: usize = 576;

/// How many bytes of an invoking datagram of `invoking_len` bytes fit in an
/// ICMP error message sent with an IP header of `ip_header_len` bytes,
/// keeping the whole datagram within [`ERROR_DATAGRAM_MAX_LEN`]
/// (RFC 1812 §4.3.2.3).
///
/// Saturates at zero for an absurd `ip_header_len`.
pub const fn invoking_len_for_error(invoking_len: usize, ip_header_len: usize) -> usize {
    let room = ERROR_DATAGRAM_MAX_LEN
        .saturating_sub(ip_header_len)
        .saturating_sub(HEADER_LEN);
    if invoking_len < room {
        invoking_len
    } else {
        room
    }
}

/// A view over an ICMPv4 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

/// Read a big-endian `u32` from `range`, or 0 when the buffer is shorter:
/// type-specific fields past the 8-byte header stay panic-free on messages
/// of another type.
fn read_u32_or_zero(buf: &[u8], range: core::ops::Range<usize>) -> u32 {
    buf.get(range).map_or(0, NetworkEndian::read_u32)
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wrap a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wrap a buffer and check that every accessor is safe.
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Check that the buffer holds the 8-byte header, and the three
    /// timestamps for Timestamp and Timestamp Reply (RFC 792).
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        if matches!(
            self.msg_type(),
            Message::Timestamp | Message::TimestampReply
        ) && len < TIMESTAMP_LEN
        {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Give back the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The message type.
    #[inline]
    pub fn msg_type(&self) -> Message {
        Message::from(self.buffer.as_ref()[field::TYPE])
    }
    /// The raw code byte; its meaning depends on the type.
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref()[field::CODE]
    }
    /// The checksum field.
    pub fn checksum(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::CHECKSUM])
    }
    /// The 32-bit "rest of header" word, whatever the type.
    pub fn rest_of_header(&self) -> u32 {
        NetworkEndian::read_u32(&self.buffer.as_ref()[field::REST_OF_HEADER])
    }
    /// The identifier of an Echo, Echo Reply, Timestamp or Timestamp Reply.
    pub fn echo_ident(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::ECHO_IDENT])
    }
    /// The sequence number of an Echo, Echo Reply, Timestamp or Timestamp
    /// Reply.
    pub fn echo_seq_no(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::ECHO_SEQNO])
    }
    /// The next-hop MTU of a Destination Unreachable, code 4: the low 16
    /// bits of the rest-of-header word (RFC 1191 §4). Zero from a router
    /// that predates RFC 1191.
    pub fn next_hop_mtu(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::NEXT_HOP_MTU])
    }
    /// The octet pointer of a Parameter Problem (RFC 792).
    pub fn pointer(&self) -> u8 {
        self.buffer.as_ref()[field::POINTER]
    }
    /// The gateway address of a Redirect (RFC 792).
    pub fn gateway(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.rest_of_header())
    }
    /// The Originate Timestamp of a Timestamp (Reply); 0 if the message is
    /// too short to hold it.
    pub fn originate_timestamp(&self) -> u32 {
        read_u32_or_zero(self.buffer.as_ref(), field::ORIGINATE_TIMESTAMP)
    }
    /// The Receive Timestamp of a Timestamp (Reply); 0 if the message is
    /// too short to hold it.
    pub fn receive_timestamp(&self) -> u32 {
        read_u32_or_zero(self.buffer.as_ref(), field::RECEIVE_TIMESTAMP)
    }
    /// The Transmit Timestamp of a Timestamp (Reply); 0 if the message is
    /// too short to hold it.
    pub fn transmit_timestamp(&self) -> u32 {
        read_u32_or_zero(self.buffer.as_ref(), field::TRANSMIT_TIMESTAMP)
    }

    /// Whether the checksum over the whole message verifies (RFC 792).
    pub fn verify_checksum(&self) -> bool {
        checksum::data(self.buffer.as_ref()) == 0xffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// Everything after the 8-byte header: the echo data, or the invoking
    /// datagram of an error message.
    pub fn data(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::DATA]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Set the message type.
    pub fn set_msg_type(&mut self, v: Message) {
        self.buffer.as_mut()[field::TYPE] = u8::from(v)
    }
    /// Set the code byte.
    pub fn set_msg_code(&mut self, v: u8) {
        self.buffer.as_mut()[field::CODE] = v
    }
    /// Set the checksum field.
    pub fn set_checksum(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::CHECKSUM], v)
    }
    /// Set the whole rest-of-header word.
    pub fn set_rest_of_header(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::REST_OF_HEADER], v)
    }
    /// Set the echo identifier.
    pub fn set_echo_ident(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::ECHO_IDENT], v)
    }
    /// Set the echo sequence number.
    pub fn set_echo_seq_no(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::ECHO_SEQNO], v)
    }
    /// Set the next-hop MTU (low 16 bits of the rest-of-header word).
    pub fn set_next_hop_mtu(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::NEXT_HOP_MTU], v)
    }
    /// Set the Parameter Problem pointer.
    pub fn set_pointer(&mut self, v: u8) {
        self.buffer.as_mut()[field::POINTER] = v
    }
    /// Set the Redirect gateway address.
    pub fn set_gateway(&mut self, v: Ipv4Addr) {
        self.buffer.as_mut()[field::GATEWAY].copy_from_slice(&v.octets())
    }
    /// Set the Originate Timestamp (the buffer must hold 20 bytes).
    pub fn set_originate_timestamp(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::ORIGINATE_TIMESTAMP], v)
    }
    /// Set the Receive Timestamp (the buffer must hold 20 bytes).
    pub fn set_receive_timestamp(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::RECEIVE_TIMESTAMP], v)
    }
    /// Set the Transmit Timestamp (the buffer must hold 20 bytes).
    pub fn set_transmit_timestamp(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::TRANSMIT_TIMESTAMP], v)
    }
    /// Everything after the 8-byte header.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::DATA]
    }

    /// Compute and store the checksum over the whole buffer (RFC 792).
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = checksum::finish(checksum::data(self.buffer.as_ref()));
        self.set_checksum(c);
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed ICMPv4 message.
///
/// Error messages carry the invoking datagram raw (`data`): its IPv4
/// header followed by at least [`INVOKING_DATA_LEN`] bytes of its payload,
/// as checked by [`Repr::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Repr<'a> {
    /// Echo (request), type 8.
    EchoRequest {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data, echoed back by the reply.
        data: &'a [u8],
    },
    /// Echo Reply, type 0.
    EchoReply {
        /// Identifier, copied from the request.
        ident: u16,
        /// Sequence number, copied from the request.
        seq_no: u16,
        /// Data, copied from the request.
        data: &'a [u8],
    },
    /// Destination Unreachable, type 3.
    DstUnreachable {
        /// The code.
        reason: DstUnreachable,
        /// The next-hop MTU (RFC 1191 §4); 0 unless `reason` is
        /// [`DstUnreachable::FragRequired`], and 0 from an old router.
        next_hop_mtu: u16,
        /// The invoking datagram (IPv4 header + at least 8 bytes).
        data: &'a [u8],
    },
    /// Time Exceeded, type 11.
    TimeExceeded {
        /// The code.
        reason: TimeExceeded,
        /// The invoking datagram (IPv4 header + at least 8 bytes).
        data: &'a [u8],
    },
    /// Parameter Problem, type 12.
    ParamProblem {
        /// The code.
        reason: ParamProblem,
        /// The offset of the offending octet in the invoking datagram.
        pointer: u8,
        /// The invoking datagram (IPv4 header + at least 8 bytes).
        data: &'a [u8],
    },
    /// Redirect, type 5.
    Redirect {
        /// The code.
        reason: Redirect,
        /// The gateway to use instead.
        gateway: Ipv4Addr,
        /// The invoking datagram (IPv4 header + at least 8 bytes).
        data: &'a [u8],
    },
    /// Timestamp, type 13.
    Timestamp {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Originate Timestamp (ms since midnight UT, RFC 792).
        originate: u32,
        /// Receive Timestamp.
        receive: u32,
        /// Transmit Timestamp.
        transmit: u32,
    },
    /// Timestamp Reply, type 14.
    TimestampReply {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Originate Timestamp, copied from the request.
        originate: u32,
        /// Receive Timestamp.
        receive: u32,
        /// Transmit Timestamp.
        transmit: u32,
    },
}

/// Check that an error message's data holds a plausible invoking IPv4
/// datagram: a whole IPv4 header and at least 8 octets after it
/// (RFC 792; RFC 1122 §3.2.2), so that the transport layer can find its
/// ports.
fn check_invoking(data: &[u8]) -> Result<()> {
    let Some(&first) = data.first() else {
        return Err(Error::Truncated);
    };
    // RFC 791 §3.1: version 4.
    if first >> 4 != 4 {
        return Err(Error::BadVersion);
    }
    let header_len = usize::from(first & 0x0f) * 4;
    // RFC 791 §3.1: IHL is at least 5 words.
    if header_len < IPV4_MIN_HEADER_LEN {
        return Err(Error::BadLength);
    }
    if data.len() < header_len + INVOKING_DATA_LEN {
        return Err(Error::Truncated);
    }
    Ok(())
}

impl<'a> Repr<'a> {
    /// Parse and validate a message; the buffer is the whole IP payload.
    ///
    /// * The checksum is verified when `checksum.rx()`.
    /// * Echo and Timestamp messages must have code 0 (RFC 792), else
    ///   `BadField`.
    /// * Error messages must carry an IPv4 header and 8 octets of its data
    ///   (RFC 1122 §3.2.2): `Truncated`, `BadVersion` or `BadLength`
    ///   otherwise. Unknown codes are kept as `Unknown(_)`, for the
    ///   transport layer to treat as it sees fit.
    /// * Types recognised but not handled here — obsolete ones (RFC 6918
    ///   §2, Source Quench per RFC 6633 §2: "hosts MUST silently discard"),
    ///   Router Discovery, Photuris, Extended Echo — give `Unsupported`.
    /// * Unknown types give `Unrecognized` (RFC 1122 §3.2.2: "silently
    ///   discarded").
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        checksum: Checksum,
    ) -> Result<Repr<'a>> {
        packet.check_len()?;
        if checksum.rx() && !packet.verify_checksum() {
            return Err(Error::BadChecksum);
        }
        let code = packet.msg_code();
        let data = packet.data();
        match packet.msg_type() {
            // RFC 792: Echo and Timestamp messages have code 0.
            Message::EchoRequest
            | Message::EchoReply
            | Message::Timestamp
            | Message::TimestampReply
                if code != 0 =>
            {
                Err(Error::BadField)
            }
            Message::EchoRequest => Ok(Repr::EchoRequest {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            }),
            Message::EchoReply => Ok(Repr::EchoReply {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            }),
            Message::Timestamp => Ok(Repr::Timestamp {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                originate: packet.originate_timestamp(),
                receive: packet.receive_timestamp(),
                transmit: packet.transmit_timestamp(),
            }),
            Message::TimestampReply => Ok(Repr::TimestampReply {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                originate: packet.originate_timestamp(),
                receive: packet.receive_timestamp(),
                transmit: packet.transmit_timestamp(),
            }),
            Message::DstUnreachable => {
                check_invoking(data)?;
                let reason = DstUnreachable::from(code);
                // RFC 1191 §4: the MTU field exists for code 4 only; the
                // word is "unused" otherwise (RFC 4884 puts a length in
                // it, which is not interpreted here).
                let next_hop_mtu = match reason {
                    DstUnreachable::FragRequired => packet.next_hop_mtu(),
                    _ => 0,
                };
                Ok(Repr::DstUnreachable {
                    reason,
                    next_hop_mtu,
                    data,
                })
            }
            Message::TimeExceeded => {
                check_invoking(data)?;
                Ok(Repr::TimeExceeded {
                    reason: TimeExceeded::from(code),
                    data,
                })
            }
            Message::ParamProblem => {
                check_invoking(data)?;
                Ok(Repr::ParamProblem {
                    reason: ParamProblem::from(code),
                    pointer: packet.pointer(),
                    data,
                })
            }
            Message::Redirect => {
                check_invoking(data)?;
                Ok(Repr::Redirect {
                    reason: Redirect::from(code),
                    gateway: packet.gateway(),
                    data,
                })
            }
            Message::Unknown(_) => Err(Error::Unrecognized),
            // RFC 6918 §2, RFC 6633 §2: recognised, counted, ignored; and
            // the known types this module does not build a Repr for.
            _ => Err(Error::Unsupported),
        }
    }

    /// The message type this repr emits.
    pub const fn msg_type(&self) -> Message {
        match self {
            Repr::EchoRequest { .. } => Message::EchoRequest,
            Repr::EchoReply { .. } => Message::EchoReply,
            Repr::DstUnreachable { .. } => Message::DstUnreachable,
            Repr::TimeExceeded { .. } => Message::TimeExceeded,
            Repr::ParamProblem { .. } => Message::ParamProblem,
            Repr::Redirect { .. } => Message::Redirect,
            Repr::Timestamp { .. } => Message::Timestamp,
            Repr::TimestampReply { .. } => Message::TimestampReply,
        }
    }

    /// The data after the 8-byte header (empty for Timestamp messages,
    /// whose timestamps are written by `emit`).
    pub const fn data(&self) -> &'a [u8] {
        match *self {
            Repr::EchoRequest { data, .. }
            | Repr::EchoReply { data, .. }
            | Repr::DstUnreachable { data, .. }
            | Repr::TimeExceeded { data, .. }
            | Repr::ParamProblem { data, .. }
            | Repr::Redirect { data, .. } => data,
            Repr::Timestamp { .. } | Repr::TimestampReply { .. } => &[],
        }
    }

    /// The bytes `emit` writes: the whole ICMP message.
    pub const fn buffer_len(&self) -> usize {
        match self {
            Repr::Timestamp { .. } | Repr::TimestampReply { .. } => TIMESTAMP_LEN,
            _ => HEADER_LEN + self.data().len(),
        }
    }

    /// Write the message, copying `data`, and fill the checksum when
    /// `checksum.tx()` (else leave it zero for the device).
    ///
    /// `packet` must hold at least `buffer_len()` bytes; only that many are
    /// written and summed, so pass a buffer of exactly `buffer_len()` bytes
    /// for the message to verify on its own. For an error message the
    /// caller sizes `data` (see [`invoking_len_for_error`]).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>, checksum: Checksum) {
        let len = self.buffer_len();
        let mut packet = Packet::new_unchecked(&mut packet.buffer.as_mut()[..len]);
        packet.set_msg_type(self.msg_type());
        packet.set_checksum(0);
        match *self {
            Repr::EchoRequest { ident, seq_no, .. } | Repr::EchoReply { ident, seq_no, .. } => {
                packet.set_msg_code(0);
                packet.set_echo_ident(ident);
                packet.set_echo_seq_no(seq_no);
            }
            Repr::Timestamp {
                ident,
                seq_no,
                originate,
                receive,
                transmit,
            }
            | Repr::TimestampReply {
                ident,
                seq_no,
                originate,
                receive,
                transmit,
            } => {
                packet.set_msg_code(0);
                packet.set_echo_ident(ident);
                packet.set_echo_seq_no(seq_no);
                packet.set_originate_timestamp(originate);
                packet.set_receive_timestamp(receive);
                packet.set_transmit_timestamp(transmit);
            }
            Repr::DstUnreachable {
                reason,
                next_hop_mtu,
                ..
            } => {
                packet.set_msg_code(u8::from(reason));
                // RFC 1191 §4: unused high half is zero; the MTU is in the
                // low half (callers leave it 0 for other codes).
                packet.set_rest_of_header(0);
                packet.set_next_hop_mtu(next_hop_mtu);
            }
            Repr::TimeExceeded { reason, .. } => {
                packet.set_msg_code(u8::from(reason));
                packet.set_rest_of_header(0);
            }
            Repr::ParamProblem {
                reason, pointer, ..
            } => {
                packet.set_msg_code(u8::from(reason));
                packet.set_rest_of_header(0);
                packet.set_pointer(pointer);
            }
            Repr::Redirect {
                reason, gateway, ..
            } => {
                packet.set_msg_code(u8::from(reason));
                packet.set_gateway(gateway);
            }
        }
        let data = self.data();
        packet.data_mut()[..data.len()].copy_from_slice(data);
        if checksum.tx() {
            packet.fill_checksum();
        }
    }
}

#[cfg(test)]
mod tests;
