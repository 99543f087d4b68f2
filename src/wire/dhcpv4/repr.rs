//! The high-level representation of a DHCP message.

use core::net::Ipv4Addr;

use super::option::{AutoConfigure, ClasslessRoutes, ClientIdentifier, DhcpOption, kind};
use super::{
    FLAG_BROADCAST, HEADER_LEN, MAGIC_COOKIE, MIN_MAX_MESSAGE_SIZE, MIN_MESSAGE_LEN, MessageType,
    OpCode, Packet,
};
use crate::wire::address::EthernetAddress;
use crate::wire::{Error, Result};

/// How many routers a [`Repr`] keeps (the first ones, in preference order).
pub const MAX_ROUTERS: usize = 3;
/// How many DNS servers a [`Repr`] keeps (the first ones).
pub const MAX_DNS_SERVERS: usize = 3;

/// A parsed DHCP message over Ethernet (`htype` 1, `hlen` 6).
///
/// The `op` field follows from [`MessageType::opcode`]. `hops`, `sname`
/// and `file` are not represented (emitted as zero); options that are not
/// fields here are skipped by `parse` and not emitted.
///
/// Per-message-type rules (RFC 2131 §4.3.1 table 3, e.g. a DHCPOFFER
/// must carry a server identifier and a lease time; RFC 6842: a server
/// echoes the client identifier) are for the client and server state
/// machines to enforce, not for `parse`. Likewise RFC 3442 ("DHCP Client
/// Behavior": a client that receives Classless Static Routes MUST ignore
/// Router) is the client's rule: both options are reported here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Repr<'a> {
    /// The DHCP Message Type option (RFC 2132 §9.6).
    pub message_type: MessageType,
    /// `xid`.
    pub transaction_id: u32,
    /// `secs`.
    pub secs: u16,
    /// `chaddr`.
    pub client_hardware_address: EthernetAddress,
    /// `ciaddr`.
    pub client_ip: Ipv4Addr,
    /// `yiaddr`.
    pub your_ip: Ipv4Addr,
    /// `siaddr`.
    pub server_ip: Ipv4Addr,
    /// `giaddr`.
    pub relay_agent_ip: Ipv4Addr,
    /// The BROADCAST flag (RFC 1542 §3.1.1).
    pub broadcast: bool,
    /// Requested IP Address (50).
    pub requested_ip: Option<Ipv4Addr>,
    /// Server Identifier (54).
    pub server_identifier: Option<Ipv4Addr>,
    /// Subnet Mask (1).
    pub subnet_mask: Option<Ipv4Addr>,
    /// Router (3): the first [`MAX_ROUTERS`] routers; empty if absent.
    pub router: heapless::Vec<Ipv4Addr, MAX_ROUTERS>,
    /// Domain Name Server (6): the first [`MAX_DNS_SERVERS`]; empty if
    /// absent.
    pub dns_servers: heapless::Vec<Ipv4Addr, MAX_DNS_SERVERS>,
    /// IP Address Lease Time (51), seconds ([`super::INFINITE_LEASE`] is
    /// infinite).
    pub lease_duration: Option<u32>,
    /// Renewal (T1) Time Value (58), seconds.
    pub renew_duration: Option<u32>,
    /// Rebinding (T2) Time Value (59), seconds.
    pub rebind_duration: Option<u32>,
    /// Client-identifier (61), the whole value (type byte first); see
    /// [`ClientIdentifier`].
    pub client_identifier: Option<&'a [u8]>,
    /// Parameter Request List (55): option codes.
    pub parameter_request_list: Option<&'a [u8]>,
    /// Maximum DHCP Message Size (57).
    pub max_size: Option<u16>,
    /// Rapid Commit (80, RFC 4039).
    pub rapid_commit: bool,
    /// Classless Static Route (121, RFC 3442), raw; see
    /// [`Repr::classless_routes`].
    pub classless_static_routes: Option<&'a [u8]>,
    /// Host Name (12).
    pub host_name: Option<&'a [u8]>,
    /// Domain Name (15).
    pub domain_name: Option<&'a [u8]>,
    /// Message (56), e.g. why a DHCPNAK was sent.
    pub message: Option<&'a [u8]>,
    /// Auto-Configure (116, RFC 2563).
    pub auto_configure: Option<AutoConfigure>,
}

/// Fail with `Unsupported` if the option was already seen: RFC 3396 says
/// repeated instances must be concatenated, which needs a buffer.
fn once<V>(slot: &mut Option<V>, v: V) -> Result<()> {
    if slot.is_some() {
        return Err(Error::Unsupported);
    }
    *slot = Some(v);
    Ok(())
}

impl<'a> Repr<'a> {
    /// A message of type `message_type` from/to `client_hardware_address`
    /// with every other field zero or absent.
    pub fn new(
        message_type: MessageType,
        transaction_id: u32,
        client_hardware_address: EthernetAddress,
    ) -> Repr<'a> {
        Repr {
            message_type,
            transaction_id,
            secs: 0,
            client_hardware_address,
            client_ip: Ipv4Addr::UNSPECIFIED,
            your_ip: Ipv4Addr::UNSPECIFIED,
            server_ip: Ipv4Addr::UNSPECIFIED,
            relay_agent_ip: Ipv4Addr::UNSPECIFIED,
            broadcast: false,
            requested_ip: None,
            server_identifier: None,
            subnet_mask: None,
            router: heapless::Vec::new(),
            dns_servers: heapless::Vec::new(),
            lease_duration: None,
            renew_duration: None,
            rebind_duration: None,
            client_identifier: None,
            parameter_request_list: None,
            max_size: None,
            rapid_commit: false,
            classless_static_routes: None,
            host_name: None,
            domain_name: None,
            message: None,
            auto_configure: None,
        }
    }

    /// Parse and validate a message.
    ///
    /// Errors:
    /// * [`Error::Truncated`]: shorter than 240 bytes, or the options field
    ///   lacks End;
    /// * [`Error::BadField`]: `op` is neither BOOTREQUEST nor BOOTREPLY,
    ///   `hlen` exceeds 16, the magic cookie is wrong, or `op` does not
    ///   match the message type;
    /// * [`Error::Unsupported`]: a hardware type other than Ethernet with
    ///   `hlen` 6, or an interpreted option repeated (RFC 3396
    ///   concatenation, see the module docs);
    /// * [`Error::BadOption`]: a malformed option (see
    ///   [`super::Options`]);
    /// * [`Error::Unrecognized`]: no DHCP Message Type option (a plain
    ///   BOOTP message, RFC 2131 §4.1), or an unknown message type.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&'a T>) -> Result<Repr<'a>> {
        packet.check_len()?;
        let op = packet.opcode();
        // RFC 951: op is 1 (BOOTREQUEST) or 2 (BOOTREPLY).
        if let OpCode::Unknown(_) = op {
            return Err(Error::BadField);
        }
        // RFC 2131 §2: chaddr is 16 bytes, so hlen cannot exceed it.
        if packet.hardware_len() > 16 {
            return Err(Error::BadField);
        }
        let client_hardware_address = match packet.client_hardware_address() {
            Some(mac) => mac,
            None => return Err(Error::Unsupported),
        };
        // RFC 2131 §3: the options start with the magic cookie.
        if packet.magic_number() != MAGIC_COOKIE {
            return Err(Error::BadField);
        }

        let mut message_type = None;
        let mut repr = Repr::new(MessageType::Unknown(0), 0, client_hardware_address);
        let (mut routers_seen, mut dns_seen, mut rapid_seen) = (false, false, false);
        for opt in packet.options() {
            match opt? {
                DhcpOption::MessageType(t) => once(&mut message_type, t)?,
                DhcpOption::RequestedIp(a) => once(&mut repr.requested_ip, a)?,
                DhcpOption::ServerIdentifier(a) => once(&mut repr.server_identifier, a)?,
                DhcpOption::SubnetMask(a) => once(&mut repr.subnet_mask, a)?,
                DhcpOption::Router(list) => {
                    if core::mem::replace(&mut routers_seen, true) {
                        return Err(Error::Unsupported);
                    }
                    // Keep the first MAX_ROUTERS, in preference order.
                    for a in list.iter().take(MAX_ROUTERS) {
                        let _ = repr.router.push(a);
                    }
                }
                DhcpOption::DomainNameServer(list) => {
                    if core::mem::replace(&mut dns_seen, true) {
                        return Err(Error::Unsupported);
                    }
                    for a in list.iter().take(MAX_DNS_SERVERS) {
                        let _ = repr.dns_servers.push(a);
                    }
                }
                DhcpOption::LeaseTime(v) => once(&mut repr.lease_duration, v)?,
                DhcpOption::RenewalTime(v) => once(&mut repr.renew_duration, v)?,
                DhcpOption::RebindingTime(v) => once(&mut repr.rebind_duration, v)?,
                DhcpOption::ClientIdentifier(c) => once(&mut repr.client_identifier, c.as_bytes())?,
                DhcpOption::ParameterRequestList(d) => once(&mut repr.parameter_request_list, d)?,
                DhcpOption::MaxMessageSize(v) => once(&mut repr.max_size, v)?,
                DhcpOption::RapidCommit => {
                    if core::mem::replace(&mut rapid_seen, true) {
                        return Err(Error::Unsupported);
                    }
                    repr.rapid_commit = true;
                }
                DhcpOption::ClasslessStaticRoute(r) => {
                    once(&mut repr.classless_static_routes, r.as_bytes())?
                }
                DhcpOption::HostName(d) => once(&mut repr.host_name, d)?,
                DhcpOption::DomainName(d) => once(&mut repr.domain_name, d)?,
                DhcpOption::Message(d) => once(&mut repr.message, d)?,
                DhcpOption::AutoConfigure(a) => once(&mut repr.auto_configure, a)?,
                // Overload is handled by the iterator; others are not ours.
                DhcpOption::Overload(_)
                | DhcpOption::Pad
                | DhcpOption::End
                | DhcpOption::Unknown { .. } => {}
            }
        }
        // RFC 2131 §4.1 / RFC 1534: without a message type it is BOOTP.
        let message_type = message_type.ok_or(Error::Unrecognized)?;
        let Some(expected_op) = message_type.opcode() else {
            return Err(Error::Unrecognized);
        };
        if op != expected_op {
            return Err(Error::BadField);
        }
        repr.message_type = message_type;
        repr.transaction_id = packet.transaction_id();
        repr.secs = packet.secs();
        repr.client_ip = packet.client_ip();
        repr.your_ip = packet.your_ip();
        repr.server_ip = packet.server_ip();
        repr.relay_agent_ip = packet.relay_agent_ip();
        repr.broadcast = packet.broadcast_flag();
        Ok(repr)
    }

    /// The classless static routes, if present and well-formed.
    pub fn classless_routes(&self) -> Option<ClasslessRoutes<'a>> {
        self.classless_static_routes
            .and_then(|d| ClasslessRoutes::new(d).ok())
    }

    /// Visit every option `emit` writes, in order. Fails with the error
    /// `emit` reports for a field its option's RFC forbids.
    fn for_each_option(&self, mut f: impl FnMut(Item<'_>) -> Result<()>) -> Result<()> {
        f(Item::Option(DhcpOption::MessageType(self.message_type)))?;
        if let Some(a) = self.server_identifier {
            f(Item::Option(DhcpOption::ServerIdentifier(a)))?;
        }
        if let Some(c) = self.client_identifier {
            f(Item::Option(DhcpOption::ClientIdentifier(
                ClientIdentifier::new(c)?,
            )))?;
        }
        if let Some(a) = self.requested_ip {
            f(Item::Option(DhcpOption::RequestedIp(a)))?;
        }
        if let Some(d) = self.parameter_request_list {
            f(Item::Option(DhcpOption::ParameterRequestList(non_empty(
                d,
            )?)))?;
        }
        if let Some(v) = self.max_size {
            // RFC 2132 §9.10: at least 576.
            if v < MIN_MAX_MESSAGE_SIZE {
                return Err(Error::BadOption);
            }
            f(Item::Option(DhcpOption::MaxMessageSize(v)))?;
        }
        if let Some(v) = self.lease_duration {
            f(Item::Option(DhcpOption::LeaseTime(v)))?;
        }
        if let Some(v) = self.renew_duration {
            f(Item::Option(DhcpOption::RenewalTime(v)))?;
        }
        if let Some(v) = self.rebind_duration {
            f(Item::Option(DhcpOption::RebindingTime(v)))?;
        }
        if let Some(a) = self.subnet_mask {
            f(Item::Option(DhcpOption::SubnetMask(a)))?;
        }
        if !self.router.is_empty() {
            f(Item::Addresses(kind::ROUTER, &self.router))?;
        }
        if !self.dns_servers.is_empty() {
            f(Item::Addresses(kind::DOMAIN_NAME_SERVER, &self.dns_servers))?;
        }
        if let Some(d) = self.host_name {
            f(Item::Option(DhcpOption::HostName(non_empty(d)?)))?;
        }
        if let Some(d) = self.domain_name {
            f(Item::Option(DhcpOption::DomainName(non_empty(d)?)))?;
        }
        if let Some(d) = self.message {
            f(Item::Option(DhcpOption::Message(non_empty(d)?)))?;
        }
        if let Some(d) = self.classless_static_routes {
            f(Item::Option(DhcpOption::ClasslessStaticRoute(
                ClasslessRoutes::new(d)?,
            )))?;
        }
        if self.rapid_commit {
            f(Item::Option(DhcpOption::RapidCommit))?;
        }
        if let Some(a) = self.auto_configure {
            f(Item::Option(DhcpOption::AutoConfigure(a)))?;
        }
        Ok(())
    }

    /// The options' length, End included, or `None` if a field could not
    /// be emitted (see [`Repr::emit`]).
    fn options_len(&self) -> Option<usize> {
        let mut len = 1; // End
        self.for_each_option(|item| {
            len += item.buffer_len();
            Ok(())
        })
        .ok()?;
        Some(len)
    }

    /// The bytes `emit` writes: the header, the cookie, the options, End,
    /// then zero padding up to 300 bytes (RFC 1542 §2.1: the BOOTP minimum
    /// that relay agents and many servers require).
    ///
    /// A Repr that `emit` would reject counts only the header and End.
    pub fn buffer_len(&self) -> usize {
        let options = self.options_len().unwrap_or(1);
        (HEADER_LEN + options).max(MIN_MESSAGE_LEN)
    }

    /// Write the message into the first [`Self::buffer_len`] bytes of
    /// `packet`, options in the options field only (never overloaded,
    /// never split), followed by End and zero padding.
    ///
    /// Errors, before anything is written:
    /// * [`Error::Truncated`]: `packet` is shorter than `buffer_len()`;
    /// * [`Error::BadField`]: an unknown message type (no `op` for it);
    /// * [`Error::BadOption`]: a field its option's RFC forbids (an empty
    ///   host name, domain name, message or parameter request list, a
    ///   client identifier or classless routes that do not validate, a
    ///   maximum size below 576);
    /// * [`Error::BadLength`]: an option value longer than 255 bytes.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) -> Result<()> {
        let op = self.message_type.opcode().ok_or(Error::BadField)?;
        // Validate every option (and its length) before writing.
        self.for_each_option(|item| {
            if item.buffer_len() > 2 + 255 {
                return Err(Error::BadLength);
            }
            Ok(())
        })?;
        let len = self.buffer_len();
        let buf = packet
            .buffer
            .as_mut()
            .get_mut(..len)
            .ok_or(Error::Truncated)?;
        buf.fill(0);
        let mut p = Packet::new_unchecked(&mut *buf);
        p.set_opcode(op);
        p.set_client_hardware_address(self.client_hardware_address);
        p.set_hops(0);
        p.set_transaction_id(self.transaction_id);
        p.set_secs(self.secs);
        p.set_flags(if self.broadcast { FLAG_BROADCAST } else { 0 });
        p.set_client_ip(self.client_ip);
        p.set_your_ip(self.your_ip);
        p.set_server_ip(self.server_ip);
        p.set_relay_agent_ip(self.relay_agent_ip);
        p.set_magic_number(MAGIC_COOKIE);

        let out = p.options_field_mut();
        let mut pos = 0;
        self.for_each_option(|item| {
            let dst = out.get_mut(pos..).ok_or(Error::Truncated)?;
            pos += match item {
                Item::Option(o) => o.emit(dst)?,
                Item::Addresses(code, addrs) => {
                    let n = item.buffer_len();
                    let dst = dst.get_mut(..n).ok_or(Error::Truncated)?;
                    dst[0] = code;
                    dst[1] = u8::try_from(n - 2).map_err(|_| Error::BadLength)?;
                    for (chunk, a) in dst[2..].chunks_exact_mut(4).zip(addrs) {
                        chunk.copy_from_slice(&a.octets());
                    }
                    n
                }
            };
            Ok(())
        })?;
        *out.get_mut(pos).ok_or(Error::Truncated)? = kind::END;
        Ok(())
    }
}

/// One option as `emit` writes it.
#[derive(Clone, Copy)]
enum Item<'r> {
    /// An option encoded by [`DhcpOption::emit`].
    Option(DhcpOption<'r>),
    /// An address list (Router, Domain Name Server) from a `Repr` vector.
    Addresses(u8, &'r [Ipv4Addr]),
}

impl Item<'_> {
    fn buffer_len(&self) -> usize {
        match self {
            Item::Option(o) => o.buffer_len(),
            Item::Addresses(_, a) => 2 + 4 * a.len(),
        }
    }
}

/// RFC 2132: the variable-length options have a minimum length of 1.
fn non_empty(d: &[u8]) -> Result<&[u8]> {
    if d.is_empty() {
        return Err(Error::BadOption);
    }
    Ok(d)
}
