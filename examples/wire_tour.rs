//! A tour of ferrotcp's wire layer, with no setup: build one frame of every
//! kind in the catalogue (ARP, IPv4 with options and fragments, ICMPv4,
//! IGMP, UDP, TCP with every option, IPv6 extension headers, ICMPv6, NDP,
//! MLD, DHCPv4, 802.3 SNAP), parse each back through the whole chain
//! (Ethernet -> IPv4 / IPv6 and its extension headers -> transport) and
//! print one line per frame.
//!
//! ```text
//! cargo run --example wire_tour                  # print the tour
//! cargo run --example wire_tour -- --pcap t.pcap # also write a pcap
//! cargo run --example wire_tour -- --seeds DIR   # one file per frame
//! ```
//!
//! Open the pcap in Wireshark to compare its dissection with ours. The
//! exit status is non-zero if any frame fails to parse.

#[path = "../tests/support/catalogue.rs"]
mod catalogue;

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv6Addr};
use std::process::ExitCode;

use ferrotcp::time::Instant;
use ferrotcp::wire::checksum::Checksum;
use ferrotcp::wire::ethernet::{self, EtherType};
use ferrotcp::wire::ip::IpProtocol;
use ferrotcp::wire::ipv6ext::{ChainItem, HeaderChain, Ipv6Option, fragment, hopopts, routing};
use ferrotcp::wire::tcp::{Control, TcpOption};
use ferrotcp::wire::{Error, arp, dhcpv4, icmpv4, icmpv6, igmp, ipv4, ipv6, mld, ndisc, tcp, udp};
use ferrotcp_phy::pcap::{LinkType, PcapWriter};

type Result<T> = core::result::Result<T, Error>;

/// One line for a whole Ethernet frame.
fn dissect(frame: &[u8]) -> Result<String> {
    let eth = ethernet::Frame::new_checked(frame)?;
    let repr = ethernet::Repr::parse(&eth)?;
    let (ethertype, payload) = eth.network_payload()?;
    let mut line = String::new();
    if eth.is_ieee802_3() {
        line.push_str("802.3 LLC/SNAP ");
    }
    match ethertype {
        EtherType::Arp => line.push_str(&dissect_arp(payload)?),
        EtherType::Ipv4 => line.push_str(&dissect_ipv4(payload)?),
        EtherType::Ipv6 => line.push_str(&dissect_ipv6(payload)?),
        other => {
            let _ = write!(line, "{} > {} {other}", repr.src_addr, repr.dst_addr);
        }
    }
    Ok(line)
}

fn dissect_arp(payload: &[u8]) -> Result<String> {
    let p = arp::Packet::new_checked(payload)?;
    let arp::Repr::EthernetIpv4 {
        operation,
        source_hardware_addr,
        source_protocol_addr,
        target_protocol_addr,
        ..
    } = arp::Repr::parse(&p)?
    else {
        return Err(Error::Unsupported);
    };
    Ok(match operation {
        arp::Operation::Request => {
            format!("ARP who-has {target_protocol_addr} tell {source_protocol_addr}")
        }
        arp::Operation::Reply => {
            format!("ARP {source_protocol_addr} is-at {source_hardware_addr}")
        }
        other => format!("ARP op {}", u16::from(other)),
    })
}

fn dissect_ipv4(payload: &[u8]) -> Result<String> {
    let p = ipv4::Packet::new_checked(payload)?;
    let ip = ipv4::Repr::parse(&p, Checksum::Both)?;
    let mut line = format!("IPv4 {} > {} ttl={}", ip.src_addr, ip.dst_addr, ip.ttl);
    for o in ip.options_iter() {
        match o? {
            ipv4::Ipv4Option::RouterAlert(v) => {
                let _ = write!(line, " ra={v}");
            }
            ipv4::Ipv4Option::RecordRoute { data, .. } => {
                let _ = write!(line, " rr[{}]", data.len() / 4);
            }
            ipv4::Ipv4Option::Timestamp { flags, data, .. } => {
                let _ = write!(line, " ts[flag {flags}, {}]", data.len() / 4);
            }
            ipv4::Ipv4Option::EndOfList | ipv4::Ipv4Option::NoOperation => {}
            other => {
                let _ = write!(line, " opt{}", other.option_type().0);
            }
        }
    }
    if ip.more_frags || ip.frag_offset != 0 {
        // RFC 791 §3.2: the transport header is only whole after
        // reassembly.
        let _ = write!(
            line,
            " frag id={:#06x} off={}{} {} {}B",
            ip.ident,
            ip.frag_offset,
            if ip.more_frags { " MF" } else { "" },
            ip.protocol,
            ip.payload_len
        );
        return Ok(line);
    }
    let src = IpAddr::V4(ip.src_addr);
    let dst = IpAddr::V4(ip.dst_addr);
    line.push(' ');
    line.push_str(&match ip.protocol {
        IpProtocol::Icmp => dissect_icmpv4(p.payload())?,
        IpProtocol::Igmp => dissect_igmp(p.payload())?,
        other => dissect_transport(other, p.payload(), src, dst)?,
    });
    Ok(line)
}

fn dissect_icmpv4(payload: &[u8]) -> Result<String> {
    let p = icmpv4::Packet::new_checked(payload)?;
    Ok(match icmpv4::Repr::parse(&p, Checksum::Both)? {
        icmpv4::Repr::EchoRequest {
            ident,
            seq_no,
            data,
        } => format!(
            "ICMP echo request id={ident:#06x} seq={seq_no} {}B",
            data.len()
        ),
        icmpv4::Repr::EchoReply {
            ident,
            seq_no,
            data,
        } => format!(
            "ICMP echo reply id={ident:#06x} seq={seq_no} {}B",
            data.len()
        ),
        icmpv4::Repr::DstUnreachable {
            reason,
            next_hop_mtu,
            data,
        } => format!(
            "ICMP unreachable {reason:?} mtu={next_hop_mtu} quoting [{}]",
            quoted_ipv4(data)
        ),
        icmpv4::Repr::TimeExceeded { reason, data } => {
            format!(
                "ICMP time exceeded {reason:?} quoting [{}]",
                quoted_ipv4(data)
            )
        }
        icmpv4::Repr::ParamProblem {
            reason,
            pointer,
            data,
        } => format!(
            "ICMP parameter problem {reason:?} pointer={pointer} quoting [{}]",
            quoted_ipv4(data)
        ),
        other => format!("ICMP {:?}", other.msg_type()),
    })
}

/// The invoking datagram of an ICMPv4 error: addresses and protocol only
/// (it is cut after 8 bytes of payload).
fn quoted_ipv4(data: &[u8]) -> String {
    let p = ipv4::Packet::new_unchecked(data);
    if data.len() < ipv4::HEADER_LEN || p.version() != 4 {
        return "?".into();
    }
    format!("{} > {} {}", p.src_addr(), p.dst_addr(), p.protocol())
}

fn dissect_igmp(payload: &[u8]) -> Result<String> {
    let p = igmp::Packet::new_checked(payload)?;
    let r = igmp::Repr::parse(&p, Checksum::Both)?;
    Ok(match r {
        igmp::Repr::Query {
            version,
            max_resp_time,
            group_addr,
            qrv,
            qqi,
            ..
        } => {
            let sources: Vec<String> = r.query_sources().map(|a| a.to_string()).collect();
            format!(
                "IGMP{} query group={group_addr} max_resp={max_resp_time}ds qrv={qrv} qqi={qqi}s sources=[{}]",
                igmp_version(version),
                sources.join(",")
            )
        }
        igmp::Repr::Report {
            version,
            group_addr,
        } => format!("IGMP{} report {group_addr}", igmp_version(version)),
        igmp::Repr::Leave { group_addr } => format!("IGMPv2 leave {group_addr}"),
        igmp::Repr::V3Report { .. } => {
            let mut s = String::from("IGMPv3 report");
            for rec in r.group_records() {
                let rec = rec?;
                let srcs: Vec<String> = rec.source_iter().map(|a| a.to_string()).collect();
                let _ = write!(
                    s,
                    " {:?}({} [{}])",
                    rec.record_type,
                    rec.group_addr,
                    srcs.join(",")
                );
            }
            s
        }
    })
}

/// UDP (and DHCP on ports 67/68) or TCP, over either IP version.
fn dissect_transport(
    proto: IpProtocol,
    payload: &[u8],
    src: IpAddr,
    dst: IpAddr,
) -> Result<String> {
    match proto {
        IpProtocol::Udp => {
            let p = udp::Packet::new_checked(payload)?;
            let r = udp::Repr::parse(&p, &src, &dst, Checksum::Both, false)?;
            let mut line = format!("UDP {} > {} {}B", r.src_port, r.dst_port, p.payload().len());
            let ports = [r.src_port, r.dst_port];
            if ports.contains(&dhcpv4::SERVER_PORT) && ports.contains(&dhcpv4::CLIENT_PORT) {
                line.push(' ');
                line.push_str(&dissect_dhcp(p.payload())?);
            }
            Ok(line)
        }
        IpProtocol::Tcp => dissect_tcp(payload, src, dst),
        other => Ok(format!("{other} {}B", payload.len())),
    }
}

fn dissect_tcp(payload: &[u8], src: IpAddr, dst: IpAddr) -> Result<String> {
    let p = tcp::Packet::new_checked(payload)?;
    let r = tcp::Repr::parse(&p, &src, &dst, Checksum::Both)?;
    let mut flags = Vec::new();
    match r.control {
        Control::Syn => flags.push("SYN"),
        Control::Fin => flags.push("FIN"),
        Control::Rst => flags.push("RST"),
        Control::None => {}
    }
    for (on, name) in [
        (r.psh, "PSH"),
        (r.ack_number.is_some(), "ACK"),
        (r.ece, "ECE"),
        (r.cwr, "CWR"),
        (r.ae, "AE"),
    ] {
        if on {
            flags.push(name);
        }
    }
    let mut line = format!(
        "TCP {} > {} [{}] seq={}",
        r.src_port,
        r.dst_port,
        flags.join(" "),
        r.seq_number.0
    );
    if let Some(a) = r.ack_number {
        let _ = write!(line, " ack={}", a.0);
    }
    let _ = write!(line, " win={}", r.window_len);
    if let Some(m) = r.max_seg_size {
        let _ = write!(line, " mss={m}");
    }
    if let Some(w) = r.window_scale {
        let _ = write!(line, " ws={w}");
    }
    if r.sack_permitted {
        line.push_str(" sackOK");
    }
    if let Some(ts) = r.timestamp {
        let _ = write!(line, " ts={}/{}", ts.tsval, ts.tsecr);
    }
    let blocks: Vec<String> = r
        .sack_ranges
        .iter()
        .flatten()
        .map(|(l, h)| format!("{l}-{h}"))
        .collect();
    if !blocks.is_empty() {
        let _ = write!(line, " sack=[{}]", blocks.join(","));
    }
    if let Some(c) = r.fast_open_cookie {
        let hex: String = c.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        let _ = write!(line, " tfo={hex}");
    }
    if let Some(a) = r.accecn {
        let _ = write!(
            line,
            " accecn{}(ee0b={:?} eceb={:?} ee1b={:?})",
            u8::from(a.order == tcp::AccEcnOrder::Order1),
            a.ee0b,
            a.eceb,
            a.ee1b
        );
    }
    // Options the Repr does not keep are still walked (and counted).
    let unknown = p
        .option_iter()
        .filter(|o| matches!(o, Ok(TcpOption::Unknown { .. })))
        .count();
    if unknown > 0 {
        let _ = write!(line, " +{unknown} unknown options");
    }
    let _ = write!(line, " len={}", r.payload.len());
    Ok(line)
}

fn dissect_dhcp(payload: &[u8]) -> Result<String> {
    let p = dhcpv4::Packet::new_checked(payload)?;
    let r = dhcpv4::Repr::parse(&p)?;
    let mut line = format!(
        "DHCP {:?} xid={:#010x} chaddr={}",
        r.message_type, r.transaction_id, r.client_hardware_address
    );
    if !r.your_ip.is_unspecified() {
        let _ = write!(line, " yiaddr={}", r.your_ip);
    }
    if let Some(a) = r.requested_ip {
        let _ = write!(line, " requested={a}");
    }
    if let Some(a) = r.server_identifier {
        let _ = write!(line, " server={a}");
    }
    if let Some(t) = r.lease_duration {
        let _ = write!(line, " lease={t}s");
    }
    if let Some(m) = r.subnet_mask {
        let _ = write!(line, " mask={m}");
    }
    if let Some(c) = r.client_identifier {
        let _ = write!(line, " client-id[{}B]", c.len());
    }
    if let Some(prl) = r.parameter_request_list {
        let _ = write!(line, " prl={prl:?}");
    }
    if let Some(m) = r.max_size {
        let _ = write!(line, " max={m}");
    }
    if let Some(routes) = r.classless_routes() {
        let rs: Vec<String> = routes
            .iter()
            .map(|(c, gw)| format!("{}/{} via {gw}", c.address(), c.prefix_len()))
            .collect();
        let _ = write!(line, " routes=[{}]", rs.join(", "));
    }
    if r.rapid_commit {
        line.push_str(" rapid-commit");
    }
    Ok(line)
}

fn dissect_ipv6(payload: &[u8]) -> Result<String> {
    let p = ipv6::Packet::new_checked(payload)?;
    let ip = ipv6::Repr::parse(&p)?;
    let mut line = format!(
        "IPv6 {} > {} hlim={}",
        ip.src_addr, ip.dst_addr, ip.hop_limit
    );
    let data = p.payload();
    // RFC 8200 §8.1: the upper-layer checksum uses the final destination,
    // which a Routing header may name.
    let mut final_dst = ip.dst_addr;
    for item in HeaderChain::new(ip.next_header, data) {
        match item? {
            ChainItem::Header(h) => line.push_str(&dissect_ext(&h, &mut final_dst)?),
            ChainItem::UpperLayer {
                protocol,
                offset,
                first_fragment,
            } => {
                let upper = &data[offset..];
                if first_fragment {
                    let _ = write!(line, " {protocol} {}B (first fragment)", upper.len());
                    return Ok(line);
                }
                line.push(' ');
                line.push_str(&match protocol {
                    IpProtocol::Icmpv6 => dissect_icmpv6(upper, ip.src_addr, final_dst)?,
                    other => dissect_transport(
                        other,
                        upper,
                        IpAddr::V6(ip.src_addr),
                        IpAddr::V6(final_dst),
                    )?,
                });
            }
            ChainItem::NonFirstFragment {
                next_header,
                offset,
            } => {
                let _ = write!(
                    line,
                    " {next_header} {}B (fragment data)",
                    data.len() - offset
                );
            }
        }
    }
    Ok(line)
}

fn dissect_ext(
    h: &ferrotcp::wire::ipv6ext::ExtHeader<'_>,
    final_dst: &mut Ipv6Addr,
) -> Result<String> {
    Ok(match h.kind {
        IpProtocol::HopByHop | IpProtocol::Ipv6Opts => {
            let v = hopopts::Header::new_checked(h.bytes)?;
            let r = hopopts::Repr::parse(&v)?;
            let mut opts = Vec::new();
            for o in r.options_iter() {
                let (_, o) = o?;
                opts.push(match o {
                    Ipv6Option::Pad1 => "Pad1".to_string(),
                    Ipv6Option::PadN(n) => format!("PadN({n})"),
                    Ipv6Option::RouterAlert(v) => format!("RA={v}"),
                    Ipv6Option::Jumbo(v) => format!("Jumbo={v}"),
                    Ipv6Option::Unknown { kind, data } => {
                        format!("opt{:#04x}[{}B {:?}]", kind.0, data.len(), kind.action())
                    }
                });
            }
            let name = if h.kind == IpProtocol::HopByHop {
                "HBH"
            } else {
                "DST"
            };
            format!(" +{name}({})", opts.join(" "))
        }
        IpProtocol::Ipv6Route => {
            let v = routing::Header::new_checked(h.bytes)?;
            match routing::Repr::parse(&v)? {
                routing::Repr::Type2 {
                    segments_left,
                    home_address,
                    ..
                } => {
                    if segments_left > 0 {
                        *final_dst = home_address;
                    }
                    format!(" +RT2(left={segments_left} home={home_address})")
                }
                r => format!(
                    " +RT{}(left={})",
                    u8::from(r.routing_type()),
                    r.segments_left()
                ),
            }
        }
        IpProtocol::Ipv6Frag => {
            let v = fragment::Header::new_checked(h.bytes)?;
            let r = fragment::Repr::parse(&v)?;
            format!(
                " +FRAG(id={:#010x} off={}{})",
                r.ident,
                r.frag_offset,
                if r.more_frags { " M" } else { "" }
            )
        }
        other => format!(" +{other}"),
    })
}

fn dissect_icmpv6(payload: &[u8], src: Ipv6Addr, dst: Ipv6Addr) -> Result<String> {
    let p = icmpv6::Packet::new_checked(payload)?;
    Ok(match icmpv6::Repr::parse(&p, &src, &dst, Checksum::Both)? {
        icmpv6::Repr::EchoRequest {
            ident,
            seq_no,
            data,
        } => format!(
            "ICMPv6 echo request id={ident:#06x} seq={seq_no} {}B",
            data.len()
        ),
        icmpv6::Repr::EchoReply {
            ident,
            seq_no,
            data,
        } => format!(
            "ICMPv6 echo reply id={ident:#06x} seq={seq_no} {}B",
            data.len()
        ),
        icmpv6::Repr::PktTooBig { mtu, data } => {
            format!("ICMPv6 packet too big mtu={mtu} quoting {}B", data.len())
        }
        icmpv6::Repr::ParamProblem {
            reason, pointer, ..
        } => format!("ICMPv6 parameter problem {reason:?} pointer={pointer}"),
        icmpv6::Repr::DstUnreachable { reason, .. } => format!("ICMPv6 unreachable {reason:?}"),
        icmpv6::Repr::TimeExceeded { reason, .. } => format!("ICMPv6 time exceeded {reason:?}"),
        icmpv6::Repr::Ndisc(n) => dissect_ndisc(&n),
        icmpv6::Repr::Mld(m) => dissect_mld(&m),
    })
}

fn dissect_ndisc(n: &ndisc::Repr<'_>) -> String {
    match *n {
        ndisc::Repr::RouterSolicit { lladdr } => {
            format!("NDP router solicitation slla={}", mac(lladdr))
        }
        ndisc::Repr::RouterAdvert {
            hop_limit,
            managed,
            other,
            router_pref,
            router_lifetime,
            options,
            ..
        } => {
            let mut line = format!(
                "NDP router advertisement hlim={hop_limit} M={} O={} prf={router_pref:?} lifetime={router_lifetime}s",
                u8::from(managed),
                u8::from(other)
            );
            if let Some(a) = options.source_lladdr() {
                let _ = write!(line, " slla={a}");
            }
            if let Some(m) = options.mtu() {
                let _ = write!(line, " mtu={m}");
            }
            for pi in options.prefix_infos() {
                let _ = write!(
                    line,
                    " prefix={}/{}{}{}",
                    pi.prefix,
                    pi.prefix_len,
                    if pi.on_link { " L" } else { "" },
                    if pi.autonomous { " A" } else { "" }
                );
            }
            for r in options.rdnss() {
                let addrs: Vec<String> = r.addresses.iter().map(|a| a.to_string()).collect();
                let _ = write!(line, " rdnss=[{}] {}s", addrs.join(","), r.lifetime);
            }
            line
        }
        ndisc::Repr::NeighborSolicit {
            target_addr,
            lladdr,
            nonce,
        } => {
            let mut line = format!("NDP neighbor solicitation who-has {target_addr}");
            if let Some(a) = lladdr {
                let _ = write!(line, " slla={a}");
            }
            if let Some(n) = nonce {
                let hex: String = n.iter().map(|b| format!("{b:02x}")).collect();
                let _ = write!(line, " nonce={hex}");
            }
            line
        }
        ndisc::Repr::NeighborAdvert {
            router,
            solicited,
            override_,
            target_addr,
            lladdr,
        } => format!(
            "NDP neighbor advertisement {target_addr} R={} S={} O={} tlla={}",
            u8::from(router),
            u8::from(solicited),
            u8::from(override_),
            mac(lladdr)
        ),
        ndisc::Repr::Redirect {
            target_addr,
            dest_addr,
            redirected_hdr,
            ..
        } => format!(
            "NDP redirect {dest_addr} via {target_addr} (redirected header {}B)",
            redirected_hdr.map_or(0, <[u8]>::len)
        ),
    }
}

fn dissect_mld(m: &mld::Repr<'_>) -> String {
    match *m {
        mld::Repr::Query {
            mcast_addr,
            version,
            qrv,
            qqic,
            sources,
            ..
        } => {
            let srcs: Vec<String> = sources.iter().map(|a| a.to_string()).collect();
            format!(
                "MLD{} query {mcast_addr} max_resp={}ms qrv={qrv} qqi={}s sources=[{}]",
                if version == mld::MldVersion::V1 {
                    "v1"
                } else {
                    "v2"
                },
                m.max_resp_delay_ms().unwrap_or(0),
                mld::decode_qqic(qqic),
                srcs.join(",")
            )
        }
        mld::Repr::Report { mcast_addr } => format!("MLDv1 report {mcast_addr}"),
        mld::Repr::Done { mcast_addr } => format!("MLDv1 done {mcast_addr}"),
        mld::Repr::ReportV2 { records } => {
            let mut line = String::from("MLDv2 report");
            for r in records.iter().flatten() {
                let srcs: Vec<String> = r.sources.iter().map(|a| a.to_string()).collect();
                let _ = write!(
                    line,
                    " {:?}({} [{}])",
                    r.record_type,
                    r.mcast_addr,
                    srcs.join(",")
                );
            }
            line
        }
    }
}

fn mac(a: Option<ferrotcp::wire::EthernetAddress>) -> String {
    a.map_or_else(|| "none".to_string(), |a| a.to_string())
}

fn igmp_version(v: igmp::Version) -> &'static str {
    match v {
        igmp::Version::V1 => "v1",
        igmp::Version::V2 => "v2",
        igmp::Version::V3 => "v3",
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: wire_tour [--pcap FILE] [--seeds DIR]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut pcap_path = None;
    let mut seeds_dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--pcap" => match args.next() {
                Some(p) => pcap_path = Some(p),
                None => return usage(),
            },
            "--seeds" => match args.next() {
                Some(d) => seeds_dir = Some(d),
                None => return usage(),
            },
            _ => return usage(),
        }
    }

    let samples = catalogue::all();
    let mut failed = 0;
    for s in &samples {
        match dissect(&s.frame) {
            Ok(line) => println!("{:<30} {line}", s.name),
            Err(e) => {
                failed += 1;
                println!("{:<30} PARSE ERROR: {e}", s.name);
            }
        }
    }

    if let Some(path) = pcap_path {
        let written = std::fs::File::create(&path).and_then(|f| {
            let mut w = PcapWriter::new(std::io::BufWriter::new(f), LinkType::Ethernet)?;
            for (i, s) in samples.iter().enumerate() {
                w.write_frame(Instant::from_millis(1_000 + i as i64), &s.frame)?;
            }
            w.flush()
        });
        match written {
            Ok(()) => eprintln!("wrote {} frames to {path}", samples.len()),
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(dir) = seeds_dir {
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            samples
                .iter()
                .try_for_each(|s| std::fs::write(format!("{dir}/{}", s.name), &s.frame))
        });
        if let Err(e) = written {
            eprintln!("{dir}: {e}");
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {} seeds to {dir}", samples.len());
    }

    if failed > 0 {
        eprintln!("{failed} frame(s) failed to parse");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
