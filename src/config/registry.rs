//! The run-time registry: every tunable knob under its Linux sysctl name,
//! with a description, a kind and bounds, readable and settable by name.
//!
//! ```
//! use ferrotcp::config::{Config, registry};
//!
//! let mut cfg = Config::default();
//! assert_eq!(registry::get(&cfg, "net.ipv4.ip_default_ttl"), Ok(registry::Value::Int(64)));
//! registry::set_str(&mut cfg, "net.ipv4.ip_local_port_range", "40000 50000").unwrap();
//! assert_eq!(cfg.local_port_range, (40000, 50000));
//! assert!(registry::set_str(&mut cfg, "net.ipv4.ip_default_ttl", "0").is_err());
//! ```

use core::fmt;

use super::Config;

/// A knob's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Value {
    /// An integer (booleans are 0 / 1, as in sysctl).
    Int(i64),
    /// An inclusive range, written `"lo hi"`.
    Range(i64, i64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            // sysctl separates the two numbers with a tab.
            Value::Range(lo, hi) => write!(f, "{lo}\t{hi}"),
        }
    }
}

/// What values a knob takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Kind {
    /// An integer within `min..=max`.
    Int {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// 0 or 1.
    Bool,
    /// Two integers `lo <= hi`, both within `min..=max`.
    Range {
        /// Smallest accepted bound.
        min: i64,
        /// Largest accepted bound.
        max: i64,
    },
}

/// One knob of the registry.
#[derive(Clone, Copy)]
pub struct Knob {
    /// The Linux sysctl name.
    pub name: &'static str,
    /// What it controls, and its unit.
    pub description: &'static str,
    /// The values it takes.
    pub kind: Kind,
    get: fn(&Config) -> Value,
    set: fn(&mut Config, Value),
}

impl fmt::Debug for Knob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Knob")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish()
    }
}

impl Knob {
    /// The knob's current value in `cfg`.
    pub fn get(&self, cfg: &Config) -> Value {
        (self.get)(cfg)
    }

    /// The knob's value in a default configuration.
    pub fn default_value(&self) -> Value {
        (self.get)(&Config::default())
    }

    /// Check `value` against the knob's kind and bounds.
    pub fn validate(&self, value: Value) -> Result<(), RegistryError> {
        match (self.kind, value) {
            (Kind::Int { min, max }, Value::Int(v)) if (min..=max).contains(&v) => Ok(()),
            (Kind::Bool, Value::Int(0 | 1)) => Ok(()),
            (Kind::Range { min, max }, Value::Range(lo, hi))
                if lo <= hi && (min..=max).contains(&lo) && (min..=max).contains(&hi) =>
            {
                Ok(())
            }
            (Kind::Int { .. } | Kind::Bool, Value::Int(_))
            | (Kind::Range { .. }, Value::Range(..)) => Err(RegistryError::OutOfRange),
            _ => Err(RegistryError::WrongKind),
        }
    }
}

/// Why a registry operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RegistryError {
    /// No knob has that name.
    UnknownName,
    /// The value is outside the knob's bounds.
    OutOfRange,
    /// The value is of the wrong shape (a range for an integer knob ...).
    WrongKind,
    /// The text is not a value.
    BadSyntax,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RegistryError::UnknownName => "unknown knob",
            RegistryError::OutOfRange => "value out of range",
            RegistryError::WrongKind => "value of the wrong kind",
            RegistryError::BadSyntax => "not a value",
        })
    }
}

impl core::error::Error for RegistryError {}

macro_rules! int_knob {
    ($name:literal, $desc:literal, $min:expr, $max:expr, $($field:ident).+) => {
        Knob {
            name: $name,
            description: $desc,
            kind: Kind::Int { min: $min, max: $max },
            get: |c| Value::Int(i64::from(c.$($field).+)),
            // Only called after `validate`, so the value is within bounds
            // that fit the field's type.
            set: |c, v| {
                if let Value::Int(v) = v
                    && let Ok(v) = v.try_into()
                {
                    c.$($field).+ = v;
                }
            },
        }
    };
}

macro_rules! bool_knob {
    ($name:literal, $desc:literal, $($field:ident).+) => {
        Knob {
            name: $name,
            description: $desc,
            kind: Kind::Bool,
            get: |c| Value::Int(i64::from(c.$($field).+)),
            set: |c, v| {
                if let Value::Int(v) = v {
                    c.$($field).+ = v != 0;
                }
            },
        }
    };
}

/// Every knob, sorted by name.
static KNOBS: &[Knob] = &[
    bool_knob!(
        "net.ipv4.icmp_echo_ignore_all",
        "ignore every ICMP echo request",
        ipv4.icmp_echo_ignore_all
    ),
    bool_knob!(
        "net.ipv4.icmp_echo_ignore_broadcasts",
        "ignore ICMP echo requests sent to broadcast or multicast",
        ipv4.icmp_echo_ignore_broadcasts
    ),
    int_knob!(
        "net.ipv4.icmp_msgs_burst",
        "depth of the global ICMP token bucket (messages)",
        1,
        1_000_000,
        ipv4.icmp_msgs_burst
    ),
    int_knob!(
        "net.ipv4.icmp_msgs_per_sec",
        "refill rate of the global ICMP token bucket (messages/s)",
        0,
        1_000_000,
        ipv4.icmp_msgs_per_sec
    ),
    int_knob!(
        "net.ipv4.icmp_ratelimit",
        "minimum interval between ICMP errors to one destination (ms)",
        0,
        3_600_000,
        ipv4.icmp_ratelimit_ms
    ),
    int_knob!(
        "net.ipv4.ip_default_ttl",
        "TTL of locally generated IPv4 packets",
        1,
        255,
        ipv4.default_ttl
    ),
    Knob {
        name: "net.ipv4.ip_local_port_range",
        description: "ephemeral port range for outgoing connections (lo hi)",
        kind: Kind::Range {
            min: 1,
            max: 65_535,
        },
        get: |c| {
            Value::Range(
                i64::from(c.local_port_range.0),
                i64::from(c.local_port_range.1),
            )
        },
        set: |c, v| {
            if let Value::Range(lo, hi) = v
                && let (Ok(lo), Ok(hi)) = (lo.try_into(), hi.try_into())
            {
                c.local_port_range = (lo, hi);
            }
        },
    },
    int_knob!(
        "net.ipv4.ipfrag_high_thresh",
        "memory for IPv4 reassembly (bytes)",
        0,
        i32::MAX as i64,
        ipv4.ipfrag_high_thresh
    ),
    int_knob!(
        "net.ipv4.ipfrag_time",
        "IPv4 reassembly timeout (s)",
        1,
        3_600,
        ipv4.ipfrag_time_s
    ),
    int_knob!(
        "net.ipv4.min_pmtu",
        "lowest path MTU accepted from ICMP (bytes)",
        68,
        65_535,
        ipv4.min_pmtu
    ),
    int_knob!(
        "net.ipv4.mtu_expires",
        "lifetime of a learned path MTU (s)",
        1,
        86_400,
        ipv4.mtu_expires_s
    ),
    int_knob!(
        "net.ipv4.neigh.default.base_reachable_time_ms",
        "base REACHABLE time of a neighbour (ms)",
        1,
        3_600_000,
        neighbor.base_reachable_time_ms
    ),
    int_knob!(
        "net.ipv4.neigh.default.delay_first_probe_time",
        "time in DELAY before the first probe (s)",
        1,
        3_600,
        neighbor.delay_first_probe_time_s
    ),
    int_knob!(
        "net.ipv4.neigh.default.gc_stale_time",
        "how long an unused STALE entry is kept (s)",
        1,
        86_400,
        neighbor.gc_stale_time_s
    ),
    int_knob!(
        "net.ipv4.neigh.default.mcast_solicit",
        "broadcast/multicast solicitations before failing",
        0,
        255,
        neighbor.mcast_solicit
    ),
    int_knob!(
        "net.ipv4.neigh.default.retrans_time_ms",
        "interval between solicitations (ms)",
        1,
        3_600_000,
        neighbor.retrans_time_ms
    ),
    int_knob!(
        "net.ipv4.neigh.default.ucast_solicit",
        "unicast probes before failing",
        0,
        255,
        neighbor.ucast_solicit
    ),
    int_knob!(
        "net.ipv4.neigh.default.unres_qlen",
        "packets queued per unresolved neighbour",
        0,
        64,
        neighbor.unres_qlen
    ),
    int_knob!(
        "net.ipv4.tcp_keepalive_intvl",
        "interval between unanswered TCP keep-alive probes (s)",
        1,
        32_767,
        tcp.keepalive_intvl_s
    ),
    int_knob!(
        "net.ipv4.tcp_keepalive_probes",
        "unanswered TCP keep-alive probes before the connection fails",
        1,
        127,
        tcp.keepalive_probes
    ),
    int_knob!(
        "net.ipv4.tcp_keepalive_time",
        "idle time before the first TCP keep-alive probe (s)",
        1,
        32_767,
        tcp.keepalive_time_s
    ),
    int_knob!(
        "net.ipv4.tcp_max_syn_backlog",
        "half-open connections (SYN-RECEIVED) kept per listener",
        1,
        65_535,
        tcp.max_syn_backlog
    ),
    int_knob!(
        "net.ipv4.tcp_retries1",
        "retransmissions of a segment before a delivery problem is reported",
        0,
        255,
        tcp.retries1
    ),
    int_knob!(
        "net.ipv4.tcp_retries2",
        "retransmissions of a segment before the connection fails",
        0,
        255,
        tcp.retries2
    ),
    int_knob!(
        "net.ipv4.tcp_rto_max_ms",
        "upper bound of the TCP retransmission timeout (ms)",
        1_000,
        120_000,
        tcp.rto_max_ms
    ),
    int_knob!(
        "net.ipv4.tcp_rto_min_us",
        "lower bound of the TCP retransmission timeout (us)",
        1,
        120_000_000,
        tcp.rto_min_us
    ),
    int_knob!(
        "net.ipv4.tcp_syn_retries",
        "SYN retransmissions before an active open fails",
        1,
        127,
        tcp.syn_retries
    ),
    int_knob!(
        "net.ipv4.tcp_synack_retries",
        "SYN-ACK retransmissions before a half-open connection is dropped",
        0,
        255,
        tcp.synack_retries
    ),
    int_knob!(
        "net.ipv4.tcp_syncookies",
        "SYN cookies (0 never, 1 when a listener overflows, 2 always)",
        0,
        2,
        tcp.syncookies
    ),
    int_knob!(
        "net.ipv6.auto_flowlabels",
        "generate RFC 6437 flow labels (0 off, 1 on)",
        0,
        3,
        ipv6.auto_flowlabels
    ),
    bool_knob!(
        "net.ipv6.conf.default.accept_ra",
        "process router advertisements",
        ipv6.accept_ra
    ),
    bool_knob!(
        "net.ipv6.conf.default.autoconf",
        "form SLAAC addresses from RA prefixes",
        ipv6.autoconf
    ),
    int_knob!(
        "net.ipv6.conf.default.dad_transmits",
        "neighbour solicitations sent for DAD (0 disables DAD)",
        0,
        255,
        ipv6.dad_transmits
    ),
    bool_knob!(
        "net.ipv6.conf.default.enhanced_dad",
        "RFC 7527 nonce in DAD solicitations",
        ipv6.enhanced_dad
    ),
    int_knob!(
        "net.ipv6.conf.default.hop_limit",
        "hop limit of locally generated IPv6 packets",
        1,
        255,
        ipv6.hop_limit
    ),
    bool_knob!(
        "net.ipv6.conf.default.optimistic_dad",
        "RFC 4429 optimistic DAD",
        ipv6.optimistic_dad
    ),
    int_knob!(
        "net.ipv6.conf.default.router_solicitation_interval",
        "initial interval between router solicitations (s)",
        1,
        3_600,
        ipv6.router_solicitation_interval_s
    ),
    int_knob!(
        "net.ipv6.conf.default.router_solicitation_max_interval",
        "RFC 7559 backoff ceiling between router solicitations (s)",
        1,
        86_400,
        ipv6.router_solicitation_max_interval_s
    ),
    int_knob!(
        "net.ipv6.conf.default.router_solicitations",
        "router solicitations to send (-1: without end)",
        -1,
        255,
        ipv6.router_solicitations
    ),
    int_knob!(
        "net.ipv6.conf.default.use_tempaddr",
        "RFC 8981 temporary addresses (<=0 off, 1 make, 2 prefer)",
        -1,
        2,
        ipv6.use_tempaddr
    ),
    int_knob!(
        "net.ipv6.icmp.ratelimit",
        "minimum interval between ICMPv6 errors to one destination (ms)",
        0,
        3_600_000,
        ipv6.icmp_ratelimit_ms
    ),
    int_knob!(
        "net.ipv6.ip6frag_high_thresh",
        "memory for IPv6 reassembly (bytes)",
        0,
        i32::MAX as i64,
        ipv6.ip6frag_high_thresh
    ),
    int_knob!(
        "net.ipv6.ip6frag_time",
        "IPv6 reassembly timeout (s)",
        1,
        3_600,
        ipv6.ip6frag_time_s
    ),
];

/// Every knob, sorted by name.
pub fn knobs() -> impl Iterator<Item = &'static Knob> {
    KNOBS.iter()
}

/// The knob called `name`.
pub fn describe(name: &str) -> Option<&'static Knob> {
    KNOBS
        .binary_search_by(|k| k.name.cmp(name))
        .ok()
        .and_then(|i| KNOBS.get(i))
}

/// The value of `name` in `cfg`.
pub fn get(cfg: &Config, name: &str) -> Result<Value, RegistryError> {
    describe(name)
        .map(|k| k.get(cfg))
        .ok_or(RegistryError::UnknownName)
}

/// Set `name` to `value` after validating it; `cfg` is unchanged on error.
pub fn set(cfg: &mut Config, name: &str, value: Value) -> Result<(), RegistryError> {
    let knob = describe(name).ok_or(RegistryError::UnknownName)?;
    knob.validate(value)?;
    (knob.set)(cfg, value);
    Ok(())
}

/// Set `name` from text as `sysctl -w` takes it: `"64"`, `"32768 60999"`.
pub fn set_str(cfg: &mut Config, name: &str, text: &str) -> Result<(), RegistryError> {
    let knob = describe(name).ok_or(RegistryError::UnknownName)?;
    let value = parse_value(knob.kind, text)?;
    set(cfg, name, value)
}

fn parse_int(s: &str) -> Result<i64, RegistryError> {
    s.parse().map_err(|_| RegistryError::BadSyntax)
}

fn parse_value(kind: Kind, text: &str) -> Result<Value, RegistryError> {
    let mut parts = text.split_ascii_whitespace();
    let first = parts.next().ok_or(RegistryError::BadSyntax)?;
    let value = match kind {
        Kind::Int { .. } | Kind::Bool => Value::Int(parse_int(first)?),
        Kind::Range { .. } => {
            let second = parts.next().ok_or(RegistryError::BadSyntax)?;
            Value::Range(parse_int(first)?, parse_int(second)?)
        }
    };
    if parts.next().is_some() {
        return Err(RegistryError::BadSyntax);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_defaults_validate() {
        for w in KNOBS.windows(2) {
            assert!(w[0].name < w[1].name, "{} >= {}", w[0].name, w[1].name);
        }
        for k in KNOBS {
            assert_eq!(k.validate(k.default_value()), Ok(()), "{}", k.name);
            assert!(!k.description.is_empty());
            assert_eq!(describe(k.name).map(|d| d.name), Some(k.name));
        }
    }

    #[test]
    fn linux_defaults() {
        let c = Config::default();
        let expect = [
            ("net.ipv4.ip_default_ttl", Value::Int(64)),
            ("net.ipv4.ip_local_port_range", Value::Range(32768, 60999)),
            ("net.ipv4.icmp_ratelimit", Value::Int(1000)),
            ("net.ipv4.icmp_msgs_per_sec", Value::Int(1000)),
            ("net.ipv4.icmp_msgs_burst", Value::Int(50)),
            ("net.ipv4.icmp_echo_ignore_broadcasts", Value::Int(1)),
            ("net.ipv4.ipfrag_time", Value::Int(30)),
            ("net.ipv6.ip6frag_time", Value::Int(60)),
            (
                "net.ipv4.neigh.default.base_reachable_time_ms",
                Value::Int(30000),
            ),
            ("net.ipv4.neigh.default.retrans_time_ms", Value::Int(1000)),
            ("net.ipv6.conf.default.hop_limit", Value::Int(64)),
            ("net.ipv6.conf.default.dad_transmits", Value::Int(1)),
            ("net.ipv6.conf.default.router_solicitations", Value::Int(-1)),
            ("net.ipv6.conf.default.use_tempaddr", Value::Int(0)),
            ("net.ipv4.tcp_syncookies", Value::Int(1)),
            ("net.ipv4.tcp_max_syn_backlog", Value::Int(128)),
            ("net.ipv4.tcp_rto_min_us", Value::Int(200_000)),
            ("net.ipv4.tcp_rto_max_ms", Value::Int(120_000)),
            ("net.ipv4.tcp_retries1", Value::Int(3)),
            ("net.ipv4.tcp_retries2", Value::Int(15)),
            ("net.ipv4.tcp_syn_retries", Value::Int(6)),
            ("net.ipv4.tcp_synack_retries", Value::Int(5)),
            ("net.ipv4.tcp_keepalive_time", Value::Int(7200)),
            ("net.ipv4.tcp_keepalive_intvl", Value::Int(75)),
            ("net.ipv4.tcp_keepalive_probes", Value::Int(9)),
        ];
        for (name, v) in expect {
            assert_eq!(get(&c, name), Ok(v), "{name}");
        }
    }

    #[test]
    fn set_validates_and_leaves_config_alone_on_error() {
        let mut c = Config::default();
        let before = c;
        assert_eq!(
            set_str(&mut c, "net.ipv4.ip_default_ttl", "256"),
            Err(RegistryError::OutOfRange)
        );
        assert_eq!(
            set_str(&mut c, "net.ipv4.ip_default_ttl", "x"),
            Err(RegistryError::BadSyntax)
        );
        assert_eq!(
            set_str(&mut c, "net.ipv4.ip_default_ttl", "1 2"),
            Err(RegistryError::BadSyntax)
        );
        assert_eq!(
            set_str(&mut c, "net.ipv4.nope", "1"),
            Err(RegistryError::UnknownName)
        );
        assert_eq!(
            set_str(&mut c, "net.ipv4.ip_local_port_range", "50000 40000"),
            Err(RegistryError::OutOfRange)
        );
        assert_eq!(
            set_str(&mut c, "net.ipv4.ip_local_port_range", "0 40000"),
            Err(RegistryError::OutOfRange)
        );
        assert_eq!(
            set(&mut c, "net.ipv4.ip_default_ttl", Value::Range(1, 2)),
            Err(RegistryError::WrongKind)
        );
        assert_eq!(
            set_str(&mut c, "net.ipv6.conf.default.accept_ra", "2"),
            Err(RegistryError::OutOfRange)
        );
        assert_eq!(c, before);

        set_str(&mut c, "net.ipv4.ip_default_ttl", "255").unwrap();
        assert_eq!(c.ipv4.default_ttl, 255);
        set_str(&mut c, "net.ipv6.conf.default.accept_ra", "0").unwrap();
        assert!(!c.ipv6.accept_ra);
        set_str(&mut c, "net.ipv4.icmp_echo_ignore_all", "1").unwrap();
        assert!(c.ipv4.icmp_echo_ignore_all);
        set_str(&mut c, "net.ipv4.ip_local_port_range", " 1024\t2048 ").unwrap();
        assert_eq!(c.local_port_range, (1024, 2048));
        assert_eq!(
            format!("{}", get(&c, "net.ipv4.ip_local_port_range").unwrap()),
            "1024\t2048"
        );
    }

    #[test]
    fn every_knob_round_trips_its_bounds() {
        for k in KNOBS {
            let mut c = Config::default();
            let (lo, hi) = match k.kind {
                Kind::Int { min, max } | Kind::Range { min, max } => (min, max),
                Kind::Bool => (0, 1),
            };
            for v in [lo, hi] {
                let value = match k.kind {
                    Kind::Range { .. } => Value::Range(v, v),
                    _ => Value::Int(v),
                };
                set(&mut c, k.name, value).unwrap();
                assert_eq!(k.get(&c), value, "{}", k.name);
            }
        }
    }
}
