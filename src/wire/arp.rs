//! ARP (RFC 826), with the operation codes and reserved values of the IANA
//! registry governed by RFC 5494.
//!
//! ```text
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! | Hardware Type   | Protocol Type   |
//! +--------+--------+--------+--------+
//! |  HLEN  |  PLEN  |   Operation     |
//! +--------+--------+--------+--------+
//! | Sender Hardware Address (HLEN)    |
//! | Sender Protocol Address (PLEN)    |
//! | Target Hardware Address (HLEN)    |
//! | Target Protocol Address (PLEN)    |
//! +-----------------------------------+
//! ```
//!
//! The view is generic over HLEN and PLEN; [`Repr`] only speaks Ethernet
//! (HLEN 6) and IPv4 (PLEN 4), the 28-byte body.

use byteorder::{ByteOrder, NetworkEndian};
use core::net::Ipv4Addr;

use super::address::EthernetAddress;
use super::ethernet::EtherType;
use super::{Error, Result};

/// An ARP hardware type (`ar$hrd`, IANA "Hardware Types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Hardware {
    /// Ethernet (1, RFC 826).
    Ethernet,
    /// Any other value.
    Unknown(u16),
}

impl From<u16> for Hardware {
    fn from(v: u16) -> Self {
        match v {
            1 => Hardware::Ethernet,
            other => Hardware::Unknown(other),
        }
    }
}

impl From<Hardware> for u16 {
    fn from(h: Hardware) -> u16 {
        match h {
            Hardware::Ethernet => 1,
            Hardware::Unknown(v) => v,
        }
    }
}

/// An ARP operation code (`ar$op`, IANA "Operation Codes", RFC 5494).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Operation {
    /// REQUEST (1, RFC 826).
    Request,
    /// REPLY (2, RFC 826).
    Reply,
    /// request Reverse (3, RFC 903).
    RequestReverse,
    /// reply Reverse (4, RFC 903).
    ReplyReverse,
    /// InARP-Request (8, RFC 2390).
    InRequest,
    /// InARP-Reply (9, RFC 2390).
    InReply,
    /// ARP-NAK (10, RFC 1577).
    Nak,
    /// A reserved value, 0 or 65535 (RFC 5494): never valid on the wire.
    /// [`From<u16>`] produces it only for those two values.
    Reserved(u16),
    /// An experimental value, OP_EXP1 (24) or OP_EXP2 (25) (RFC 5494).
    /// [`From<u16>`] produces it only for those two values.
    Experimental(u16),
    /// Any other value.
    Unknown(u16),
}

/// RFC 5494: operation codes 0 and 65535 are reserved.
const OP_RESERVED: [u16; 2] = [0, 65535];
/// RFC 5494: OP_EXP1 and OP_EXP2, for experiments.
const OP_EXPERIMENTAL: [u16; 2] = [24, 25];

impl From<u16> for Operation {
    fn from(v: u16) -> Self {
        match v {
            1 => Operation::Request,
            2 => Operation::Reply,
            3 => Operation::RequestReverse,
            4 => Operation::ReplyReverse,
            8 => Operation::InRequest,
            9 => Operation::InReply,
            10 => Operation::Nak,
            v if OP_RESERVED.contains(&v) => Operation::Reserved(v),
            v if OP_EXPERIMENTAL.contains(&v) => Operation::Experimental(v),
            other => Operation::Unknown(other),
        }
    }
}

impl From<Operation> for u16 {
    fn from(op: Operation) -> u16 {
        match op {
            Operation::Request => 1,
            Operation::Reply => 2,
            Operation::RequestReverse => 3,
            Operation::ReplyReverse => 4,
            Operation::InRequest => 8,
            Operation::InReply => 9,
            Operation::Nak => 10,
            Operation::Reserved(v) | Operation::Experimental(v) | Operation::Unknown(v) => v,
        }
    }
}

mod field {
    use crate::wire::field::Field;
    pub(crate) const HTYPE: Field = 0..2;
    pub(crate) const PTYPE: Field = 2..4;
    pub(crate) const HLEN: usize = 4;
    pub(crate) const PLEN: usize = 5;
    pub(crate) const OPER: Field = 6..8;

    // The address fields follow at offsets that depend on HLEN and PLEN.
    pub(crate) const fn sha(hlen: u8, _plen: u8) -> Field {
        let start = 8;
        start..start + hlen as usize
    }
    pub(crate) const fn spa(hlen: u8, plen: u8) -> Field {
        let start = sha(hlen, plen).end;
        start..start + plen as usize
    }
    pub(crate) const fn tha(hlen: u8, plen: u8) -> Field {
        let start = spa(hlen, plen).end;
        start..start + hlen as usize
    }
    pub(crate) const fn tpa(hlen: u8, plen: u8) -> Field {
        let start = tha(hlen, plen).end;
        start..start + plen as usize
    }
}

/// The fixed part of the header, before the addresses.
pub const HEADER_LEN: usize = 8;

/// The length of an Ethernet/IPv4 ARP body (8 + 2·6 + 2·4).
pub const ETHERNET_IPV4_LEN: usize = 28;

/// A view over an ARP packet.
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

    /// Check that the buffer holds the fixed header and the four addresses
    /// of the lengths HLEN and PLEN claim (8 + 2·HLEN + 2·PLEN bytes).
    ///
    /// Trailing bytes (Ethernet padding) are allowed and ignored.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        if len < self.packet_len() {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Give back the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The length HLEN and PLEN imply: 8 + 2·HLEN + 2·PLEN.
    pub fn packet_len(&self) -> usize {
        field::tpa(self.hardware_len(), self.protocol_len()).end
    }

    /// The hardware type (`ar$hrd`).
    pub fn hardware_type(&self) -> Hardware {
        Hardware::from(NetworkEndian::read_u16(&self.buffer.as_ref()[field::HTYPE]))
    }
    /// The protocol type (`ar$pro`), an EtherType.
    pub fn protocol_type(&self) -> EtherType {
        EtherType::from(NetworkEndian::read_u16(&self.buffer.as_ref()[field::PTYPE]))
    }
    /// The hardware address length (`ar$hln`).
    pub fn hardware_len(&self) -> u8 {
        self.buffer.as_ref()[field::HLEN]
    }
    /// The protocol address length (`ar$pln`).
    pub fn protocol_len(&self) -> u8 {
        self.buffer.as_ref()[field::PLEN]
    }
    /// The operation (`ar$op`).
    pub fn operation(&self) -> Operation {
        Operation::from(NetworkEndian::read_u16(&self.buffer.as_ref()[field::OPER]))
    }
    /// The sender hardware address (`ar$sha`), HLEN bytes.
    pub fn source_hardware_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[field::sha(self.hardware_len(), self.protocol_len())]
    }
    /// The sender protocol address (`ar$spa`), PLEN bytes.
    pub fn source_protocol_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[field::spa(self.hardware_len(), self.protocol_len())]
    }
    /// The target hardware address (`ar$tha`), HLEN bytes.
    pub fn target_hardware_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[field::tha(self.hardware_len(), self.protocol_len())]
    }
    /// The target protocol address (`ar$tpa`), PLEN bytes.
    pub fn target_protocol_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[field::tpa(self.hardware_len(), self.protocol_len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Set the hardware type.
    pub fn set_hardware_type(&mut self, v: Hardware) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::HTYPE], u16::from(v))
    }
    /// Set the protocol type.
    pub fn set_protocol_type(&mut self, v: EtherType) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::PTYPE], u16::from(v))
    }
    /// Set the hardware address length.
    pub fn set_hardware_len(&mut self, v: u8) {
        self.buffer.as_mut()[field::HLEN] = v
    }
    /// Set the protocol address length.
    pub fn set_protocol_len(&mut self, v: u8) {
        self.buffer.as_mut()[field::PLEN] = v
    }
    /// Set the operation.
    pub fn set_operation(&mut self, v: Operation) {
        NetworkEndian::write_u16(&mut self.buffer.as_mut()[field::OPER], u16::from(v))
    }
    /// Set the sender hardware address; `v` must be HLEN bytes.
    pub fn set_source_hardware_addr(&mut self, v: &[u8]) {
        let r = field::sha(self.hardware_len(), self.protocol_len());
        self.buffer.as_mut()[r].copy_from_slice(v)
    }
    /// Set the sender protocol address; `v` must be PLEN bytes.
    pub fn set_source_protocol_addr(&mut self, v: &[u8]) {
        let r = field::spa(self.hardware_len(), self.protocol_len());
        self.buffer.as_mut()[r].copy_from_slice(v)
    }
    /// Set the target hardware address; `v` must be HLEN bytes.
    pub fn set_target_hardware_addr(&mut self, v: &[u8]) {
        let r = field::tha(self.hardware_len(), self.protocol_len());
        self.buffer.as_mut()[r].copy_from_slice(v)
    }
    /// Set the target protocol address; `v` must be PLEN bytes.
    pub fn set_target_protocol_addr(&mut self, v: &[u8]) {
        let r = field::tpa(self.hardware_len(), self.protocol_len());
        self.buffer.as_mut()[r].copy_from_slice(v)
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed ARP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Repr {
    /// Ethernet hardware addresses, IPv4 protocol addresses.
    EthernetIpv4 {
        /// The operation.
        operation: Operation,
        /// The sender hardware address.
        source_hardware_addr: EthernetAddress,
        /// The sender protocol address.
        source_protocol_addr: Ipv4Addr,
        /// The target hardware address (all zero in a request).
        target_hardware_addr: EthernetAddress,
        /// The target protocol address.
        target_protocol_addr: Ipv4Addr,
    },
}

fn ipv4_from(b: &[u8]) -> Option<Ipv4Addr> {
    let o: [u8; 4] = b.try_into().ok()?;
    Some(Ipv4Addr::from(o))
}

impl Repr {
    /// Parse an Ethernet/IPv4 ARP packet.
    ///
    /// Other hardware or protocol types, or address lengths other than 6
    /// and 4, give [`Error::Unsupported`]; the reserved operation codes 0
    /// and 65535 give [`Error::BadField`]. Other operation codes are
    /// returned as they are: what to answer is the interface's decision.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&T>) -> Result<Repr> {
        packet.check_len()?;
        // RFC 826: this stack resolves IPv4 (ar$pro = 0x0800) over Ethernet
        // (ar$hrd = 1) only.
        if packet.hardware_type() != Hardware::Ethernet
            || packet.protocol_type() != EtherType::Ipv4
            || packet.hardware_len() != 6
            || packet.protocol_len() != 4
        {
            return Err(Error::Unsupported);
        }
        let operation = packet.operation();
        // RFC 5494: 0 and 65535 are reserved and never sent.
        if let Operation::Reserved(_) = operation {
            return Err(Error::BadField);
        }
        // The lengths were checked to be 6 and 4 above and the buffer to hold
        // them in check_len, so the conversions cannot fail; they still
        // report Truncated instead of panicking.
        Ok(Repr::EthernetIpv4 {
            operation,
            source_hardware_addr: EthernetAddress::from_bytes(packet.source_hardware_addr())
                .ok_or(Error::Truncated)?,
            source_protocol_addr: ipv4_from(packet.source_protocol_addr())
                .ok_or(Error::Truncated)?,
            target_hardware_addr: EthernetAddress::from_bytes(packet.target_hardware_addr())
                .ok_or(Error::Truncated)?,
            target_protocol_addr: ipv4_from(packet.target_protocol_addr())
                .ok_or(Error::Truncated)?,
        })
    }

    /// The bytes `emit` writes.
    pub const fn buffer_len(&self) -> usize {
        match self {
            Repr::EthernetIpv4 { .. } => ETHERNET_IPV4_LEN,
        }
    }

    /// Write the packet into a buffer of at least `buffer_len()` bytes.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        match *self {
            Repr::EthernetIpv4 {
                operation,
                source_hardware_addr,
                source_protocol_addr,
                target_hardware_addr,
                target_protocol_addr,
            } => {
                packet.set_hardware_type(Hardware::Ethernet);
                packet.set_protocol_type(EtherType::Ipv4);
                packet.set_hardware_len(6);
                packet.set_protocol_len(4);
                packet.set_operation(operation);
                packet.set_source_hardware_addr(source_hardware_addr.as_bytes());
                packet.set_source_protocol_addr(&source_protocol_addr.octets());
                packet.set_target_hardware_addr(target_hardware_addr.as_bytes());
                packet.set_target_protocol_addr(&target_protocol_addr.octets());
            }
        }
    }
}

#[cfg(test)]
// Tests link std; `alloc` is not always enabled, so std's re-exports it is.
#[allow(clippy::std_instead_of_alloc)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    const MAC_A: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x00, 0x00, 0x0a]);
    const IP_A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);
    const IP_B: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 11);

    // Built by hand from RFC 826: ar$hrd 1, ar$pro 0x0800, ar$hln 6,
    // ar$pln 4, ar$op 1 (REQUEST), sha 02:00:00:00:00:0a, spa 192.0.2.10,
    // tha 00:00:00:00:00:00, tpa 192.0.2.11.
    static REQUEST: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xc0,
        0x00, 0x02, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x0b,
    ];

    fn request() -> Repr {
        Repr::EthernetIpv4 {
            operation: Operation::Request,
            source_hardware_addr: MAC_A,
            source_protocol_addr: IP_A,
            target_hardware_addr: EthernetAddress::UNSPECIFIED,
            target_protocol_addr: IP_B,
        }
    }

    #[test]
    fn codepoints() {
        for v in 0..=u16::MAX {
            assert_eq!(u16::from(Operation::from(v)), v);
            assert_eq!(u16::from(Hardware::from(v)), v);
        }
        assert_eq!(Operation::from(0), Operation::Reserved(0));
        assert_eq!(Operation::from(65535), Operation::Reserved(65535));
        assert_eq!(Operation::from(24), Operation::Experimental(24));
        assert_eq!(Operation::from(25), Operation::Experimental(25));
        assert_eq!(Operation::from(5), Operation::Unknown(5));
        assert_eq!(Operation::from(10), Operation::Nak);
        assert_eq!(Operation::from(8), Operation::InRequest);
        assert_eq!(Operation::from(9), Operation::InReply);
        assert_eq!(Operation::from(3), Operation::RequestReverse);
        assert_eq!(Operation::from(4), Operation::ReplyReverse);
        assert_eq!(Hardware::from(1), Hardware::Ethernet);
    }

    #[test]
    fn parse_vector() {
        let p = Packet::new_checked(&REQUEST[..]).unwrap();
        assert_eq!(p.hardware_type(), Hardware::Ethernet);
        assert_eq!(p.protocol_type(), EtherType::Ipv4);
        assert_eq!(p.hardware_len(), 6);
        assert_eq!(p.protocol_len(), 4);
        assert_eq!(p.packet_len(), 28);
        assert_eq!(p.operation(), Operation::Request);
        assert_eq!(p.source_hardware_addr(), MAC_A.as_bytes());
        assert_eq!(p.source_protocol_addr(), &IP_A.octets());
        assert_eq!(p.target_hardware_addr(), &[0; 6]);
        assert_eq!(p.target_protocol_addr(), &IP_B.octets());
        assert_eq!(Repr::parse(&p), Ok(request()));
    }

    #[test]
    fn emit_vector() {
        let r = request();
        let mut buf = vec![0xa5u8; r.buffer_len()];
        r.emit(&mut Packet::new_unchecked(&mut buf[..]));
        assert_eq!(&buf[..], &REQUEST[..]);
    }

    #[test]
    fn padding_is_ignored() {
        let mut b = REQUEST.to_vec();
        b.extend_from_slice(&[0; 18]);
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(Repr::parse(&p), Ok(request()));
    }

    #[test]
    fn truncated_at_every_length() {
        for n in 0..REQUEST.len() {
            assert_eq!(
                Packet::new_checked(&REQUEST[..n]).err(),
                Some(Error::Truncated),
                "{n}"
            );
            assert_eq!(
                Repr::parse(&Packet::new_unchecked(&REQUEST[..n])),
                Err(Error::Truncated)
            );
        }
    }

    #[test]
    fn other_lengths() {
        // A generic view: HLEN 8, PLEN 16 (e.g. a made-up 64-bit hardware
        // and IPv6 protocol) needs 8 + 16 + 32 = 56 bytes.
        let mut b = [0u8; 56];
        b[4] = 8;
        b[5] = 16;
        b[8] = 0x11; // first sha byte
        b[16] = 0x22; // first spa byte
        b[32] = 0x33; // first tha byte
        b[40] = 0x44; // first tpa byte
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.source_hardware_addr().len(), 8);
        assert_eq!(p.source_hardware_addr()[0], 0x11);
        assert_eq!(p.source_protocol_addr()[0], 0x22);
        assert_eq!(p.target_hardware_addr()[0], 0x33);
        assert_eq!(p.target_protocol_addr()[0], 0x44);
        assert_eq!(p.target_protocol_addr().len(), 16);
        assert_eq!(Packet::new_checked(&b[..55]).err(), Some(Error::Truncated));
        // Maximum lengths: 8 + 2*255 + 2*255 bytes.
        let mut b = vec![0u8; 1028];
        b[4] = 255;
        b[5] = 255;
        assert!(Packet::new_checked(&b[..]).is_ok());
        assert_eq!(
            Packet::new_checked(&b[..1027]).err(),
            Some(Error::Truncated)
        );
    }

    #[test]
    fn malformed() {
        // Each field Repr does not speak, one at a time.
        for (i, v) in [(1, 6u8), (2, 0x86), (3, 0xdd), (4, 8), (5, 16)] {
            let mut b = REQUEST.to_vec();
            b[i] = v;
            b.resize(64, 0);
            let p = Packet::new_checked(&b[..]).unwrap();
            assert_eq!(Repr::parse(&p), Err(Error::Unsupported), "byte {i}");
        }
        // Reserved opcodes.
        for op in [0u16, 65535] {
            let mut b = REQUEST;
            b[6..8].copy_from_slice(&op.to_be_bytes());
            let p = Packet::new_checked(&b[..]).unwrap();
            assert_eq!(Repr::parse(&p), Err(Error::BadField));
        }
        // Experimental and unknown opcodes parse; the interface decides.
        for op in [24u16, 25, 5] {
            let mut b = REQUEST;
            b[6..8].copy_from_slice(&op.to_be_bytes());
            let p = Packet::new_checked(&b[..]).unwrap();
            assert!(matches!(
                Repr::parse(&p),
                Ok(Repr::EthernetIpv4 { operation, .. }) if u16::from(operation) == op
            ));
        }
    }

    fn operations() -> impl Strategy<Value = Operation> {
        (1u16..65535).prop_map(Operation::from)
    }

    proptest! {
        #[test]
        fn round_trip(op in operations(), sha in any::<[u8; 6]>(), spa in any::<[u8; 4]>(),
                      tha in any::<[u8; 6]>(), tpa in any::<[u8; 4]>()) {
            let r = Repr::EthernetIpv4 {
                operation: op,
                source_hardware_addr: EthernetAddress(sha),
                source_protocol_addr: Ipv4Addr::from(spa),
                target_hardware_addr: EthernetAddress(tha),
                target_protocol_addr: Ipv4Addr::from(tpa),
            };
            let mut buf = vec![0u8; r.buffer_len()];
            r.emit(&mut Packet::new_unchecked(&mut buf[..]));
            let p = Packet::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Repr::parse(&p).unwrap(), r);
        }

        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..80)) {
            if let Ok(p) = Packet::new_checked(&data[..]) {
                let _ = (p.hardware_type(), p.protocol_type(), p.hardware_len(), p.protocol_len(), p.operation());
                let _ = (p.source_hardware_addr(), p.source_protocol_addr(), p.target_hardware_addr(), p.target_protocol_addr());
                let _ = Repr::parse(&p);
            }
            let _ = Repr::parse(&Packet::new_unchecked(&data[..]));
            let v: Vec<u8> = data;
            let _ = Packet::new_checked(&v[..]);
        }

        #[test]
        fn small_lengths_never_panic(hlen in 0u8..8, plen in 0u8..8, body in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut b = vec![0, 1, 8, 0, hlen, plen, 0, 1];
            b.extend_from_slice(&body);
            if let Ok(p) = Packet::new_checked(&b[..]) {
                let _ = (p.source_hardware_addr(), p.source_protocol_addr(), p.target_hardware_addr(), p.target_protocol_addr());
                let _ = Repr::parse(&p);
            }
        }
    }
}
