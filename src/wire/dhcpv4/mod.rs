//! DHCPv4 (RFC 2131, RFC 2132) and its BOOTP framing (RFC 951, RFC 1542),
//! with client identifiers of RFC 4361 / RFC 6842, classless static routes
//! (RFC 3442), rapid commit (RFC 4039), long options (RFC 3396) and
//! auto-configure (RFC 2563).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +---------------+---------------+---------------+---------------+
//! |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
//! +---------------+---------------+---------------+---------------+
//! |                            xid (4)                            |
//! +-------------------------------+-------------------------------+
//! |           secs (2)            |           flags (2)           |
//! +-------------------------------+-------------------------------+
//! |                          ciaddr  (4)                          |
//! +---------------------------------------------------------------+
//! |                          yiaddr  (4)                          |
//! +---------------------------------------------------------------+
//! |                          siaddr  (4)                          |
//! +---------------------------------------------------------------+
//! |                          giaddr  (4)                          |
//! +---------------------------------------------------------------+
//! |                          chaddr  (16)                         |
//! +---------------------------------------------------------------+
//! |                          sname   (64)                         |
//! +---------------------------------------------------------------+
//! |                          file    (128)                        |
//! +---------------------------------------------------------------+
//! |                 magic cookie 99.130.83.99 (4)                 |
//! +---------------------------------------------------------------+
//! |                          options (variable)                   |
//! +---------------------------------------------------------------+
//! ```
//!
//! The buffer a [`Packet`] wraps is the UDP payload. The options area runs
//! from byte 240 to the end of that payload; with the Option Overload
//! option (RFC 2132 §9.3) it continues into `file` and then `sname`, and
//! [`Packet::options`] walks all of them in that order (the "aggregate
//! option buffer" order of RFC 3396 §5).
//!
//! # Long options (RFC 3396)
//!
//! An option longer than 255 bytes is sent as several instances of the
//! same code whose data must be concatenated. Concatenating needs a
//! buffer, so the iterators yield every instance separately, and
//! [`Packet::concat_option`] concatenates the instances of one code into a
//! caller-supplied buffer. [`Repr::parse`] never concatenates: it rejects
//! a message in which an option it interprets appears more than once with
//! [`Error::Unsupported`] rather than reading only the first piece.
//! [`Repr::emit`] never splits: each option value must fit in 255 bytes.

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv4Addr;

use super::address::EthernetAddress;
use super::{Error, Result};

mod option;
mod repr;

pub use self::option::{
    AutoConfigure, ClasslessRoutes, ClasslessRoutesIter, ClientIdentifier, DhcpOption,
    Ipv4AddrList, Ipv4AddrListIter, Options, Overload, RawOption, RawOptions, kind,
};
pub use self::repr::{MAX_DNS_SERVERS, MAX_ROUTERS, Repr};

mod field {
    use crate::wire::field::{Field, Rest};
    pub(crate) const OP: usize = 0;
    pub(crate) const HTYPE: usize = 1;
    pub(crate) const HLEN: usize = 2;
    pub(crate) const HOPS: usize = 3;
    pub(crate) const XID: Field = 4..8;
    pub(crate) const SECS: Field = 8..10;
    pub(crate) const FLAGS: Field = 10..12;
    pub(crate) const CIADDR: Field = 12..16;
    pub(crate) const YIADDR: Field = 16..20;
    pub(crate) const SIADDR: Field = 20..24;
    pub(crate) const GIADDR: Field = 24..28;
    pub(crate) const CHADDR: Field = 28..44;
    pub(crate) const SNAME: Field = 44..108;
    pub(crate) const FILE: Field = 108..236;
    pub(crate) const MAGIC: Field = 236..240;
    pub(crate) const OPTIONS: Rest = 240..;
}

/// The fixed BOOTP header length, without the magic cookie (RFC 951,
/// RFC 2131 §2).
pub const BOOTP_HEADER_LEN: usize = 236;

/// The fixed header plus the magic cookie: where the options start
/// (RFC 2131 §3).
pub const HEADER_LEN: usize = BOOTP_HEADER_LEN + 4;

/// The magic cookie 99.130.83.99 that starts the options (RFC 2131 §3,
/// RFC 2132 §2).
pub const MAGIC_COOKIE: u32 = 0x6382_5363;

/// The smallest BOOTP message relay agents and many servers accept; emitted
/// messages are zero-padded up to it (RFC 1542 §2.1).
pub const MIN_MESSAGE_LEN: usize = 300;

/// The smallest value a Maximum DHCP Message Size option may carry
/// (RFC 2132 §9.10).
pub const MIN_MAX_MESSAGE_SIZE: u16 = 576;

/// The UDP port DHCP servers listen on (RFC 2131 §4.1).
pub const SERVER_PORT: u16 = 67;
/// The UDP port DHCP clients listen on (RFC 2131 §4.1).
pub const CLIENT_PORT: u16 = 68;

/// The BROADCAST bit of `flags` (RFC 1542 §3.1.1, RFC 2131 §2 figure 2).
pub const FLAG_BROADCAST: u16 = 0x8000;

/// The hardware type of Ethernet in `htype` (RFC 1700 "ARP hardware type").
pub const HTYPE_ETHERNET: u8 = 1;

/// The lease time that means "infinite" (RFC 2131 §3.3).
pub const INFINITE_LEASE: u32 = 0xffff_ffff;

/// The BOOTP `op` field (RFC 951, RFC 2131 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OpCode {
    /// BOOTREQUEST (1): client to server.
    Request,
    /// BOOTREPLY (2): server to client.
    Reply,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for OpCode {
    fn from(v: u8) -> Self {
        match v {
            1 => OpCode::Request,
            2 => OpCode::Reply,
            other => OpCode::Unknown(other),
        }
    }
}

impl From<OpCode> for u8 {
    fn from(v: OpCode) -> u8 {
        match v {
            OpCode::Request => 1,
            OpCode::Reply => 2,
            OpCode::Unknown(other) => other,
        }
    }
}

/// The DHCP Message Type option value (RFC 2132 §9.6, RFC 3203, RFC 4388
/// §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MessageType {
    /// DHCPDISCOVER (1).
    Discover,
    /// DHCPOFFER (2).
    Offer,
    /// DHCPREQUEST (3).
    Request,
    /// DHCPDECLINE (4).
    Decline,
    /// DHCPACK (5).
    Ack,
    /// DHCPNAK (6).
    Nak,
    /// DHCPRELEASE (7).
    Release,
    /// DHCPINFORM (8).
    Inform,
    /// DHCPFORCERENEW (9, RFC 3203).
    ForceRenew,
    /// DHCPLEASEQUERY (10, RFC 4388).
    LeaseQuery,
    /// DHCPLEASEUNASSIGNED (11, RFC 4388).
    LeaseUnassigned,
    /// DHCPLEASEUNKNOWN (12, RFC 4388).
    LeaseUnknown,
    /// DHCPLEASEACTIVE (13, RFC 4388).
    LeaseActive,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for MessageType {
    fn from(v: u8) -> Self {
        match v {
            1 => MessageType::Discover,
            2 => MessageType::Offer,
            3 => MessageType::Request,
            4 => MessageType::Decline,
            5 => MessageType::Ack,
            6 => MessageType::Nak,
            7 => MessageType::Release,
            8 => MessageType::Inform,
            9 => MessageType::ForceRenew,
            10 => MessageType::LeaseQuery,
            11 => MessageType::LeaseUnassigned,
            12 => MessageType::LeaseUnknown,
            13 => MessageType::LeaseActive,
            other => MessageType::Unknown(other),
        }
    }
}

impl From<MessageType> for u8 {
    fn from(v: MessageType) -> u8 {
        match v {
            MessageType::Discover => 1,
            MessageType::Offer => 2,
            MessageType::Request => 3,
            MessageType::Decline => 4,
            MessageType::Ack => 5,
            MessageType::Nak => 6,
            MessageType::Release => 7,
            MessageType::Inform => 8,
            MessageType::ForceRenew => 9,
            MessageType::LeaseQuery => 10,
            MessageType::LeaseUnassigned => 11,
            MessageType::LeaseUnknown => 12,
            MessageType::LeaseActive => 13,
            MessageType::Unknown(other) => other,
        }
    }
}

impl MessageType {
    /// The `op` this message travels with: BOOTREQUEST for what clients
    /// (and leasequery requestors) send, BOOTREPLY for what servers send
    /// (RFC 2131 §4.1, RFC 3203 §6, RFC 4388 §6.1); `None` for unknown
    /// types.
    pub const fn opcode(&self) -> Option<OpCode> {
        match self {
            MessageType::Discover
            | MessageType::Request
            | MessageType::Decline
            | MessageType::Release
            | MessageType::Inform
            | MessageType::LeaseQuery => Some(OpCode::Request),
            MessageType::Offer
            | MessageType::Ack
            | MessageType::Nak
            | MessageType::ForceRenew
            | MessageType::LeaseUnassigned
            | MessageType::LeaseUnknown
            | MessageType::LeaseActive => Some(OpCode::Reply),
            MessageType::Unknown(_) => None,
        }
    }
}

/// A view over a BOOTP/DHCP message (the UDP payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
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

    /// Check that the buffer holds the fixed header and the magic cookie
    /// (240 bytes). The cookie's value is checked by [`Repr::parse`] and by
    /// the option iterators, not here, so that plain BOOTP messages
    /// (RFC 951 vendor area) can still be looked at.
    ///
    /// Option lengths are validated by the option iterators.
    pub fn check_len(&self) -> Result<()> {
        if self.buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Give back the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The `op` field.
    pub fn opcode(&self) -> OpCode {
        OpCode::from(self.buffer.as_ref()[field::OP])
    }
    /// The hardware address type `htype` (1 for Ethernet).
    pub fn hardware_type(&self) -> u8 {
        self.buffer.as_ref()[field::HTYPE]
    }
    /// The hardware address length `hlen` (6 for Ethernet).
    pub fn hardware_len(&self) -> u8 {
        self.buffer.as_ref()[field::HLEN]
    }
    /// The `hops` relay counter.
    pub fn hops(&self) -> u8 {
        self.buffer.as_ref()[field::HOPS]
    }
    /// The transaction id `xid`.
    pub fn transaction_id(&self) -> u32 {
        NetworkEndian::read_u32(&self.buffer.as_ref()[field::XID])
    }
    /// Seconds elapsed since the client began acquisition or renewal.
    pub fn secs(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::SECS])
    }
    /// The whole `flags` field.
    pub fn flags(&self) -> u16 {
        NetworkEndian::read_u16(&self.buffer.as_ref()[field::FLAGS])
    }
    /// The BROADCAST flag: the client cannot receive unicast before it is
    /// configured (RFC 1542 §3.1.1). The other flag bits must be zero and
    /// are ignored on receipt.
    pub fn broadcast_flag(&self) -> bool {
        self.flags() & FLAG_BROADCAST != 0
    }
    /// The client's current address `ciaddr`.
    pub fn client_ip(&self) -> Ipv4Addr {
        read_addr(&self.buffer.as_ref()[field::CIADDR])
    }
    /// The address the server assigns, `yiaddr`.
    pub fn your_ip(&self) -> Ipv4Addr {
        read_addr(&self.buffer.as_ref()[field::YIADDR])
    }
    /// The next server to use in bootstrap, `siaddr`.
    pub fn server_ip(&self) -> Ipv4Addr {
        read_addr(&self.buffer.as_ref()[field::SIADDR])
    }
    /// The relay agent's address, `giaddr`.
    pub fn relay_agent_ip(&self) -> Ipv4Addr {
        read_addr(&self.buffer.as_ref()[field::GIADDR])
    }
    /// The 16 bytes of `chaddr`.
    pub fn client_hardware_field(&self) -> &[u8] {
        &self.buffer.as_ref()[field::CHADDR]
    }
    /// The client hardware address as an Ethernet address, if `htype` is
    /// Ethernet and `hlen` is 6.
    pub fn client_hardware_address(&self) -> Option<EthernetAddress> {
        if self.hardware_type() == HTYPE_ETHERNET && self.hardware_len() == 6 {
            EthernetAddress::from_bytes(self.client_hardware_field())
        } else {
            None
        }
    }
    /// The magic cookie field (should be [`MAGIC_COOKIE`]).
    pub fn magic_number(&self) -> u32 {
        NetworkEndian::read_u32(&self.buffer.as_ref()[field::MAGIC])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The `sname` field (64 bytes): a NUL-terminated server host name, or
    /// options when overloaded.
    pub fn server_name(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::SNAME]
    }
    /// The `file` field (128 bytes): a NUL-terminated boot file name, or
    /// options when overloaded.
    pub fn boot_file(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::FILE]
    }
    /// The options field: everything after the magic cookie.
    pub fn options_field(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::OPTIONS]
    }

    /// Every option instance as raw code + data, across the options field
    /// and, when overloaded, `file` then `sname` (RFC 2131 §4.1, RFC 2132
    /// §9.3).
    pub fn raw_options(&self) -> RawOptions<'a> {
        RawOptions::new(
            self.magic_number() == MAGIC_COOKIE,
            self.options_field(),
            self.boot_file(),
            self.server_name(),
        )
    }

    /// Every option, typed and validated, across the options field and,
    /// when overloaded, `file` then `sname`. Pad is skipped; End ends an
    /// area. See [`Options`] for the errors.
    pub fn options(&self) -> Options<'a> {
        Options::new(self.raw_options())
    }

    /// Concatenate every instance of option `code` into `buf`, in the
    /// order of RFC 3396 §5 (options field, `file`, `sname`), and return
    /// the aggregate value, or `None` if the option is absent.
    ///
    /// Errors: framing errors of [`RawOptions`]; [`Error::Truncated`] if
    /// `buf` is too small.
    pub fn concat_option<'b>(&self, code: u8, buf: &'b mut [u8]) -> Result<Option<&'b [u8]>> {
        let mut len = 0usize;
        let mut found = false;
        for opt in self.raw_options() {
            let opt = opt?;
            if opt.kind != code {
                continue;
            }
            found = true;
            let end = len.checked_add(opt.data.len()).ok_or(Error::Truncated)?;
            buf.get_mut(len..end)
                .ok_or(Error::Truncated)?
                .copy_from_slice(opt.data);
            len = end;
        }
        if !found {
            return Ok(None);
        }
        Ok(buf.get(..len))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Set the `op` field.
    pub fn set_opcode(&mut self, v: OpCode) {
        self.buffer.as_mut()[field::OP] = v.into()
    }
    /// Set `htype`.
    pub fn set_hardware_type(&mut self, v: u8) {
        self.buffer.as_mut()[field::HTYPE] = v
    }
    /// Set `hlen`.
    pub fn set_hardware_len(&mut self, v: u8) {
        self.buffer.as_mut()[field::HLEN] = v
    }
    /// Set `hops`.
    pub fn set_hops(&mut self, v: u8) {
        self.buffer.as_mut()[field::HOPS] = v
    }
    /// Set the transaction id.
    pub fn set_transaction_id(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::XID], v)
    }
    /// Set `secs`.
    pub fn set_secs(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::SECS], v)
    }
    /// Set the whole `flags` field.
    pub fn set_flags(&mut self, v: u16) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::FLAGS], v)
    }
    /// Set or clear the BROADCAST flag, keeping the other bits.
    pub fn set_broadcast_flag(&mut self, v: bool) {
        let f = self.flags() & !FLAG_BROADCAST;
        self.set_flags(if v { f | FLAG_BROADCAST } else { f })
    }
    /// Set `ciaddr`.
    pub fn set_client_ip(&mut self, v: Ipv4Addr) {
        self.buffer.as_mut()[field::CIADDR].copy_from_slice(&v.octets())
    }
    /// Set `yiaddr`.
    pub fn set_your_ip(&mut self, v: Ipv4Addr) {
        self.buffer.as_mut()[field::YIADDR].copy_from_slice(&v.octets())
    }
    /// Set `siaddr`.
    pub fn set_server_ip(&mut self, v: Ipv4Addr) {
        self.buffer.as_mut()[field::SIADDR].copy_from_slice(&v.octets())
    }
    /// Set `giaddr`.
    pub fn set_relay_agent_ip(&mut self, v: Ipv4Addr) {
        self.buffer.as_mut()[field::GIADDR].copy_from_slice(&v.octets())
    }
    /// Write an Ethernet address into `chaddr` (zero-filling the other 10
    /// bytes) and set `htype` = 1, `hlen` = 6.
    pub fn set_client_hardware_address(&mut self, v: EthernetAddress) {
        self.set_hardware_type(HTYPE_ETHERNET);
        self.set_hardware_len(6);
        let chaddr = &mut self.buffer.as_mut()[field::CHADDR];
        chaddr.fill(0);
        chaddr[..6].copy_from_slice(v.as_bytes());
    }
    /// The 16 bytes of `chaddr`, writable.
    pub fn client_hardware_field_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::CHADDR]
    }
    /// The `sname` field, writable.
    pub fn server_name_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::SNAME]
    }
    /// The `file` field, writable.
    pub fn boot_file_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::FILE]
    }
    /// Set the magic cookie field.
    pub fn set_magic_number(&mut self, v: u32) {
        NetworkEndian::write_u32(&mut self.buffer.as_mut()[field::MAGIC], v)
    }
    /// The options field, writable.
    pub fn options_field_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::OPTIONS]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// An address from a 4-byte field (callers pass exactly 4 bytes).
fn read_addr(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::from(NetworkEndian::read_u32(b))
}

#[cfg(test)]
mod tests;
