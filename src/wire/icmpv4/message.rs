//! ICMPv4 message types and codes (RFC 792, RFC 1122 §3.2.2, RFC 1812
//! §5.2.7.1, RFC 6633, RFC 6918, IANA "ICMP Type Numbers").

/// Declare a byte-valued enum with an `Unknown(u8)` catch-all and the
/// `From` conversions both ways.
///
/// `Unknown(v)` with a `v` that has a name converts back to `v`, so it
/// re-parses as the named variant.
macro_rules! byte_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value without a name here.
            Unknown(u8),
        }

        impl From<u8> for $name {
            fn from(value: u8) -> Self {
                match value {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$name> for u8 {
            fn from(value: $name) -> u8 {
                match value {
                    $( $name::$variant => $value, )+
                    $name::Unknown(other) => other,
                }
            }
        }
    };
}

byte_enum! {
    /// The ICMPv4 type byte (IANA "ICMP Type Numbers").
    pub enum Message {
        /// Echo Reply (0), RFC 792.
        EchoReply = 0,
        /// Destination Unreachable (3), RFC 792.
        DstUnreachable = 3,
        /// Source Quench (4), RFC 792; deprecated by RFC 6633.
        SourceQuench = 4,
        /// Redirect (5), RFC 792.
        Redirect = 5,
        /// Alternate Host Address (6); deprecated by RFC 6918.
        AlternateHostAddress = 6,
        /// Echo (request) (8), RFC 792.
        EchoRequest = 8,
        /// Router Advertisement (9), RFC 1256.
        RouterAdvert = 9,
        /// Router Solicitation (10), RFC 1256.
        RouterSolicit = 10,
        /// Time Exceeded (11), RFC 792.
        TimeExceeded = 11,
        /// Parameter Problem (12), RFC 792.
        ParamProblem = 12,
        /// Timestamp (13), RFC 792.
        Timestamp = 13,
        /// Timestamp Reply (14), RFC 792.
        TimestampReply = 14,
        /// Information Request (15), RFC 792; deprecated by RFC 6918.
        InfoRequest = 15,
        /// Information Reply (16), RFC 792; deprecated by RFC 6918.
        InfoReply = 16,
        /// Address Mask Request (17), RFC 950; deprecated by RFC 6918.
        AddressMaskRequest = 17,
        /// Address Mask Reply (18), RFC 950; deprecated by RFC 6918.
        AddressMaskReply = 18,
        /// Traceroute (30), RFC 1393; deprecated by RFC 6918.
        Traceroute = 30,
        /// Datagram Conversion Error (31), RFC 1475; deprecated by RFC 6918.
        DatagramConversionError = 31,
        /// Mobile Host Redirect (32); deprecated by RFC 6918.
        MobileHostRedirect = 32,
        /// IPv6 Where-Are-You (33); deprecated by RFC 6918.
        Ipv6WhereAreYou = 33,
        /// IPv6 I-Am-Here (34); deprecated by RFC 6918.
        Ipv6IAmHere = 34,
        /// Mobile Registration Request (35); deprecated by RFC 6918.
        MobileRegistrationRequest = 35,
        /// Mobile Registration Reply (36); deprecated by RFC 6918.
        MobileRegistrationReply = 36,
        /// Domain Name Request (37), RFC 1788; deprecated by RFC 6918.
        DomainNameRequest = 37,
        /// Domain Name Reply (38), RFC 1788; deprecated by RFC 6918.
        DomainNameReply = 38,
        /// SKIP (39); deprecated by RFC 6918.
        Skip = 39,
        /// Photuris security failures (40), RFC 2521.
        Photuris = 40,
        /// Experimental mobility protocols such as Seamoby (41), RFC 4065.
        ExperimentalMobility = 41,
        /// Extended Echo Request (42), RFC 8335.
        ExtendedEchoRequest = 42,
        /// Extended Echo Reply (43), RFC 8335.
        ExtendedEchoReply = 43,
    }
}

impl Message {
    /// Whether this is an ICMP error message, i.e. one that carries the
    /// invoking datagram and must never be answered with another error.
    ///
    /// RFC 1122 §3.2.2 lists Destination Unreachable, Redirect, Source
    /// Quench, Time Exceeded and Parameter Problem. Datagram Conversion
    /// Error (RFC 1475 §8) and Photuris (RFC 2521 §2) also carry the
    /// invoking datagram and are counted as errors here, so that
    /// RFC 1122 §3.2.2 ("an ICMP error message MUST NOT be sent as the
    /// result of receiving an ICMP error message") errs on the safe side.
    pub const fn is_error(&self) -> bool {
        matches!(
            self,
            Message::DstUnreachable
                | Message::SourceQuench
                | Message::Redirect
                | Message::TimeExceeded
                | Message::ParamProblem
                | Message::DatagramConversionError
                | Message::Photuris
        )
    }

    /// Whether this type is obsolete: formally deprecated by RFC 6918 §2
    /// (types 6, 15–18, 30–39), or Source Quench, deprecated by RFC 6633 §2.
    ///
    /// A host recognises these and silently ignores them.
    pub const fn is_obsolete(&self) -> bool {
        matches!(
            self,
            Message::SourceQuench
                | Message::AlternateHostAddress
                | Message::InfoRequest
                | Message::InfoReply
                | Message::AddressMaskRequest
                | Message::AddressMaskReply
                | Message::Traceroute
                | Message::DatagramConversionError
                | Message::MobileHostRedirect
                | Message::Ipv6WhereAreYou
                | Message::Ipv6IAmHere
                | Message::MobileRegistrationRequest
                | Message::MobileRegistrationReply
                | Message::DomainNameRequest
                | Message::DomainNameReply
                | Message::Skip
        )
    }

    /// Whether this is a query message (a request or its reply).
    ///
    /// RFC 1122 §3.2.2 lists Echo, Information, Timestamp and Address Mask;
    /// Router Discovery (RFC 1256) and Extended Echo (RFC 8335) are
    /// request/reply exchanges too.
    pub const fn is_query(&self) -> bool {
        matches!(
            self,
            Message::EchoRequest
                | Message::EchoReply
                | Message::Timestamp
                | Message::TimestampReply
                | Message::InfoRequest
                | Message::InfoReply
                | Message::AddressMaskRequest
                | Message::AddressMaskReply
                | Message::RouterSolicit
                | Message::RouterAdvert
                | Message::ExtendedEchoRequest
                | Message::ExtendedEchoReply
        )
    }
}

byte_enum! {
    /// Destination Unreachable codes (RFC 792, RFC 1122 §3.2.2.1,
    /// RFC 1812 §5.2.7.1).
    pub enum DstUnreachable {
        /// Net unreachable (0).
        NetUnreachable = 0,
        /// Host unreachable (1).
        HostUnreachable = 1,
        /// Protocol unreachable (2).
        ProtoUnreachable = 2,
        /// Port unreachable (3).
        PortUnreachable = 3,
        /// Fragmentation needed and DF set (4); carries the next-hop MTU
        /// (RFC 1191 §4).
        FragRequired = 4,
        /// Source route failed (5).
        SrcRouteFailed = 5,
        /// Destination network unknown (6), RFC 1122.
        DstNetUnknown = 6,
        /// Destination host unknown (7), RFC 1122.
        DstHostUnknown = 7,
        /// Source host isolated (8), RFC 1122.
        SrcHostIsolated = 8,
        /// Communication with destination network administratively
        /// prohibited (9), RFC 1122.
        NetProhibited = 9,
        /// Communication with destination host administratively
        /// prohibited (10), RFC 1122.
        HostProhibited = 10,
        /// Network unreachable for type of service (11), RFC 1122.
        NetUnreachableForTos = 11,
        /// Host unreachable for type of service (12), RFC 1122.
        HostUnreachableForTos = 12,
        /// Communication administratively prohibited (13), RFC 1812.
        CommProhibited = 13,
        /// Host precedence violation (14), RFC 1812.
        HostPrecedenceViolation = 14,
        /// Precedence cutoff in effect (15), RFC 1812.
        PrecedenceCutoff = 15,
    }
}

impl DstUnreachable {
    /// Whether RFC 1122 §4.2.3.9 calls this a hard error for TCP (abort
    /// the connection): protocol unreachable, port unreachable and
    /// fragmentation needed (the latter is handled by PMTUD instead).
    pub const fn is_hard_error(&self) -> bool {
        matches!(
            self,
            DstUnreachable::ProtoUnreachable
                | DstUnreachable::PortUnreachable
                | DstUnreachable::FragRequired
        )
    }
}

byte_enum! {
    /// Time Exceeded codes (RFC 792).
    pub enum TimeExceeded {
        /// Time to live exceeded in transit (0).
        TtlExpired = 0,
        /// Fragment reassembly time exceeded (1).
        FragReassembly = 1,
    }
}

byte_enum! {
    /// Parameter Problem codes (RFC 792, RFC 1108, RFC 1812 §5.2.7.1 /
    /// IANA).
    pub enum ParamProblem {
        /// The pointer indicates the error (0), RFC 792.
        PointerIndicatesError = 0,
        /// A required option is missing (1), RFC 1108.
        MissingOption = 1,
        /// Bad length (2).
        BadLength = 2,
    }
}

byte_enum! {
    /// Redirect codes (RFC 792).
    pub enum Redirect {
        /// Redirect datagrams for the network (0); RFC 1122 §3.2.2.2: a
        /// host treats it as a host redirect.
        Net = 0,
        /// Redirect datagrams for the host (1).
        Host = 1,
        /// Redirect datagrams for the type of service and network (2).
        NetTos = 2,
        /// Redirect datagrams for the type of service and host (3).
        HostTos = 3,
    }
}
