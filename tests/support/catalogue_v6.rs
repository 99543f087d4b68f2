//! The IPv6 half of the catalogue: extension headers, ICMPv6, NDP, MLD.
//! A child module of `catalogue.rs`, which holds the builders.

use super::*;

pub(super) fn ipv6_ext_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    let mld_like = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);

    // RFC 8200 §4.3, RFC 2711: Hop-by-Hop with Router Alert and PadN,
    // carrying UDP.
    let d = udp(v6(IP6_HOST), v6(mld_like), 40000, 40001, TEXT);
    let payload = ipv6_options_header(IpProtocol::Udp, &[Ipv6Option::RouterAlert(0)], &d);
    out.push(Sample {
        name: "ipv6-hop-by-hop-router-alert",
        frame: ethernet(
            mcast6(mld_like),
            EtherType::Ipv6,
            &ipv6(IP6_HOST, mld_like, IpProtocol::HopByHop, 1, &payload),
        ),
        fields: vec![
            ("ipv6.nxt", s(0)),
            ("ipv6.hopopts.nxt", s(17)),
            ("ipv6.opt.type", s("0x05,0x01")),
            ("ipv6.opt.router_alert", s(0)),
            ("udp.dstport", s(40001)),
        ],
    });

    // RFC 8200 §4.6: Destination Options with an experimental option
    // (RFC 4727 type 0x1e: action "skip", RFC 8200 §4.2) and padding.
    let exp = [0xfe, 0xed];
    let d = udp(v6(IP6_HOST), v6(IP6_PEER), 40000, 40001, TEXT);
    let payload = ipv6_options_header(
        IpProtocol::Udp,
        &[Ipv6Option::Unknown {
            kind: Ipv6OptionType(0x1e),
            data: &exp,
        }],
        &d,
    );
    out.push(Sample {
        name: "ipv6-destination-options",
        frame: ethernet(
            MAC_PEER,
            EtherType::Ipv6,
            &ipv6(IP6_HOST, IP6_PEER, IpProtocol::Ipv6Opts, 64, &payload),
        ),
        fields: vec![
            ("ipv6.nxt", s(60)),
            ("ipv6.dstopts.nxt", s(17)),
            ("ipv6.opt.type", s("0x1e,0x01")),
        ],
    });

    // RFC 6275 §6.4: a Type 2 Routing header (Segments Left 1, the home
    // address), carrying UDP. RFC 8200 §8.1: the upper-layer checksum uses
    // the final destination, the home address.
    let home = Ipv6Addr::new(0x2001, 0xdb8, 0xface, 0, 0, 0, 0, 1);
    let d = udp(v6(IP6_PEER), v6(home), 40000, 40001, TEXT);
    let rt = routing::Repr::Type2 {
        next_header: IpProtocol::Udp,
        segments_left: 1,
        home_address: home,
    };
    let payload = ipv6_routing_header(&rt, &d);
    out.push(Sample {
        name: "ipv6-routing-type2",
        frame: ethernet(
            MAC_HOST,
            EtherType::Ipv6,
            &ipv6(IP6_PEER, IP6_HOST, IpProtocol::Ipv6Route, 64, &payload),
        ),
        fields: vec![
            ("ipv6.routing.type", s(2)),
            ("ipv6.routing.segleft", s(1)),
            ("ipv6.routing.mipv6.home_address", s(home)),
            ("udp.srcport", s(40000)),
        ],
    });

    // RFC 8200 §4.5: one UDP datagram in two fragments.
    let data: Vec<u8> = TEXT.iter().chain(TEXT).copied().collect();
    let dgram = udp(v6(IP6_HOST), v6(IP6_PEER), 40000, 40001, &data);
    let ident = 0x0bad_cafe;
    let first = fragment::Repr {
        next_header: IpProtocol::Udp,
        frag_offset: 0,
        more_frags: true,
        ident,
    };
    let later = fragment::Repr {
        frag_offset: 24,
        more_frags: false,
        ..first
    };
    for (name, repr, bytes) in [
        ("ipv6-fragment-first", first, &dgram[..24]),
        ("ipv6-fragment-later", later, &dgram[24..]),
    ] {
        let payload = ipv6_fragment_header(&repr, bytes);
        let mut fields = vec![
            ("ipv6.fraghdr.nxt", s(17)),
            // The field counts 8-octet units.
            ("ipv6.fraghdr.offset", s(repr.frag_offset / 8)),
            ("ipv6.fraghdr.more", s(u8::from(repr.more_frags))),
            ("ipv6.fraghdr.ident", format!("{ident:#010x}")),
        ];
        if !repr.more_frags {
            fields.push(("udp.length", s(dgram.len())));
        }
        out.push(Sample {
            name,
            frame: ethernet(
                MAC_PEER,
                EtherType::Ipv6,
                &ipv6(IP6_HOST, IP6_PEER, IpProtocol::Ipv6Frag, 64, &payload),
            ),
            fields,
        });
    }
    out
}

/// Ethernet + IPv6 + ICMPv6, hop limit `hop_limit`.
fn eth_icmpv6(
    dst_mac: EthernetAddress,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    hop_limit: u8,
    repr: &icmpv6::Repr<'_>,
) -> Vec<u8> {
    let msg = icmpv6(repr, src, dst);
    ethernet(
        dst_mac,
        EtherType::Ipv6,
        &ipv6(src, dst, IpProtocol::Icmpv6, hop_limit, &msg),
    )
}

/// The solicited-node multicast address of `a` (RFC 4291 §2.7.1).
fn solicited_node(a: Ipv6Addr) -> Ipv6Addr {
    let o = a.octets();
    Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    )
}

pub(super) fn icmpv6_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    let echo = icmpv6::Repr::EchoRequest {
        ident: 0x4242,
        seq_no: 3,
        data: TEXT,
    };
    out.push(Sample {
        name: "icmpv6-echo-request",
        frame: eth_icmpv6(MAC_PEER, IP6_HOST, IP6_PEER, 64, &echo),
        fields: vec![
            ("icmpv6.type", s(128)),
            ("icmpv6.echo.identifier", s("0x4242")),
            ("icmpv6.echo.sequence_number", s(3)),
        ],
    });

    // RFC 4443 §3.2 / RFC 8201: Packet Too Big quoting the whole (small)
    // invoking packet.
    let d = udp(v6(IP6_HOST), v6(IP6_PEER), 40000, 40001, TEXT);
    let invoking = ipv6(IP6_HOST, IP6_PEER, IpProtocol::Udp, 64, &d);
    let ptb = icmpv6::Repr::PktTooBig {
        mtu: 1400,
        data: icmpv6::truncate_error_data(&invoking, ipv6::HEADER_LEN),
    };
    out.push(Sample {
        name: "icmpv6-packet-too-big",
        frame: eth_icmpv6(MAC_HOST, LL_ROUTER, IP6_HOST, 64, &ptb),
        fields: vec![
            ("icmpv6.type", s(2)),
            ("icmpv6.mtu", s(1400)),
            ("ipv6.src", list(&[LL_ROUTER, IP6_HOST])),
        ],
    });

    // RFC 4443 §3.4 code 1: an unrecognised Next Header (253, RFC 3692
    // experimentation), the pointer at the IPv6 Next Header field.
    let invoking = ipv6(IP6_HOST, IP6_PEER, IpProtocol(253), 64, TEXT);
    let pp = icmpv6::Repr::ParamProblem {
        reason: icmpv6::ParamProblem::UnrecognizedNxtHdr,
        pointer: 6,
        data: &invoking,
    };
    out.push(Sample {
        name: "icmpv6-param-problem",
        frame: eth_icmpv6(MAC_HOST, IP6_PEER, IP6_HOST, 64, &pp),
        fields: vec![
            ("icmpv6.type", s(4)),
            ("icmpv6.code", s(1)),
            ("icmpv6.pointer", s(6)),
        ],
    });
    out
}

pub(super) fn ndisc_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    let all_routers = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
    let all_nodes = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

    // RFC 4861 §4.1, hop limit 255 (§6.1.1).
    let rs = icmpv6::Repr::Ndisc(ndisc::Repr::RouterSolicit {
        lladdr: Some(MAC_HOST),
    });
    out.push(Sample {
        name: "ndp-router-solicit",
        frame: eth_icmpv6(mcast6(all_routers), LL_HOST, all_routers, 255, &rs),
        fields: vec![
            ("icmpv6.type", s(133)),
            ("ipv6.hlim", s(255)),
            ("icmpv6.opt.src_linkaddr", s(MAC_HOST)),
        ],
    });

    // RFC 4861 §4.2 with SLLA, MTU (§4.6.4), Prefix Information (§4.6.2)
    // and RDNSS (RFC 8106 §5.1); RFC 4191 §2.2 high preference.
    let prefix = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0);
    let dns = [IP6_PEER];
    let mut dns_bytes = vec![0u8; 16];
    dns_bytes.copy_from_slice(&IP6_PEER.octets());
    let rdnss = ndisc::Rdnss {
        lifetime: 600,
        addresses: Ipv6AddrList::new_checked(&dns_bytes).expect("one address"),
    };
    let options = [
        NdiscOption::SourceLinkLayerAddr(MAC_PEER),
        NdiscOption::Mtu(1500),
        NdiscOption::PrefixInformation(PrefixInformation {
            prefix_len: 64,
            on_link: true,
            autonomous: true,
            valid_lifetime: 86400,
            preferred_lifetime: 14400,
            prefix,
        }),
        NdiscOption::Rdnss(rdnss),
    ];
    let mut opts = vec![0u8; ndisc::options_len(&options)];
    ndisc::emit_options(&mut opts, &options);
    let ra = icmpv6::Repr::Ndisc(ndisc::Repr::RouterAdvert {
        hop_limit: 64,
        managed: false,
        other: true,
        router_pref: ndisc::RouterPreference::High,
        router_lifetime: 1800,
        reachable_time: 30000,
        retrans_time: 1000,
        options: NdiscOptions::new_checked(&opts).expect("valid options"),
    });
    out.push(Sample {
        name: "ndp-router-advert",
        frame: eth_icmpv6(mcast6(all_nodes), LL_ROUTER, all_nodes, 255, &ra),
        fields: vec![
            ("icmpv6.type", s(134)),
            ("icmpv6.nd.ra.cur_hop_limit", s(64)),
            ("icmpv6.nd.ra.flag.o", s(1)),
            ("icmpv6.nd.ra.flag.prf", s(1)),
            ("icmpv6.nd.ra.router_lifetime", s(1800)),
            ("icmpv6.nd.ra.reachable_time", s(30000)),
            ("icmpv6.opt.type", list(&[1, 5, 3, 25])),
            ("icmpv6.opt.mtu", s(1500)),
            ("icmpv6.opt.prefix", s(prefix)),
            ("icmpv6.opt.prefix.length", s(64)),
            ("icmpv6.opt.prefix.valid_lifetime", s(86400)),
            ("icmpv6.opt.rdnss", list(&dns)),
            ("icmpv6.opt.rdnss.lifetime", s(600)),
        ],
    });

    // RFC 4862 §5.4.2 / RFC 7527 §4.1: a DAD probe, from ::, to the
    // solicited-node group, with a Nonce and no SLLA.
    let nonce = [0x6e, 0x6f, 0x6e, 0x63, 0x65, 0x21];
    let target = LL_HOST;
    let ns = icmpv6::Repr::Ndisc(ndisc::Repr::NeighborSolicit {
        target_addr: target,
        lladdr: None,
        nonce: Some(nonce),
    });
    let snm = solicited_node(target);
    out.push(Sample {
        name: "ndp-neighbor-solicit-nonce",
        frame: eth_icmpv6(mcast6(snm), Ipv6Addr::UNSPECIFIED, snm, 255, &ns),
        fields: vec![
            ("icmpv6.type", s(135)),
            ("icmpv6.nd.ns.target_address", s(target)),
            ("icmpv6.opt.nonce", hex(&nonce)),
        ],
    });

    // RFC 4861 §4.4: a solicited, overriding answer with TLLA.
    let na = icmpv6::Repr::Ndisc(ndisc::Repr::NeighborAdvert {
        router: false,
        solicited: true,
        override_: true,
        target_addr: LL_HOST,
        lladdr: Some(MAC_HOST),
    });
    out.push(Sample {
        name: "ndp-neighbor-advert",
        frame: eth_icmpv6(MAC_PEER, LL_HOST, LL_ROUTER, 255, &na),
        fields: vec![
            ("icmpv6.type", s(136)),
            ("icmpv6.nd.na.flag.r", s(0)),
            ("icmpv6.nd.na.flag.s", s(1)),
            ("icmpv6.nd.na.flag.o", s(1)),
            ("icmpv6.nd.na.target_address", s(LL_HOST)),
            ("icmpv6.opt.target_linkaddr", s(MAC_HOST)),
        ],
    });

    // RFC 4861 §4.5: redirect IP6_PEER to a better link-local first hop,
    // with TLLA and the redirected packet (a whole one: 40 + 8 + 24 bytes
    // is a multiple of 8 with the option's 8-byte header).
    let better = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 3);
    let body: Vec<u8> = TEXT.iter().chain(b".").copied().collect();
    let d = udp(v6(IP6_HOST), v6(IP6_PEER), 40000, 40001, &body);
    let redirected = ipv6(IP6_HOST, IP6_PEER, IpProtocol::Udp, 64, &d);
    let rd = icmpv6::Repr::Ndisc(ndisc::Repr::Redirect {
        target_addr: better,
        dest_addr: IP6_PEER,
        lladdr: Some(EthernetAddress([0x02, 0, 0, 0, 0, 3])),
        redirected_hdr: Some(&redirected),
    });
    out.push(Sample {
        name: "ndp-redirect",
        frame: eth_icmpv6(MAC_HOST, LL_ROUTER, LL_HOST, 255, &rd),
        fields: vec![
            ("icmpv6.type", s(137)),
            ("icmpv6.nd.rd.target_address", s(better)),
            ("icmpv6.opt.type", list(&[2, 4])),
            ("ipv6.dst", list(&[LL_HOST, IP6_PEER])),
        ],
    });
    out
}

/// An MLD message in IPv6 with hop limit 1 and a Hop-by-Hop Router Alert
/// (RFC 2710 §3, RFC 3810 §5, RFC 2711 value 0 = MLD).
fn mld_frame(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> Vec<u8> {
    let payload = ipv6_options_header(IpProtocol::Icmpv6, &[Ipv6Option::RouterAlert(0)], msg);
    ethernet(
        mcast6(dst),
        EtherType::Ipv6,
        &ipv6(src, dst, IpProtocol::HopByHop, 1, &payload),
    )
}

pub(super) fn mld_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 3);
    let group_b = Ipv6Addr::new(0xff05, 0, 0, 0, 0, 0, 0, 0x1234);
    let mldv2_routers = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);

    let report = icmpv6::Repr::Mld(mld::Repr::Report { mcast_addr: group });
    out.push(Sample {
        name: "mldv1-report",
        frame: mld_frame(LL_HOST, group, &icmpv6(&report, LL_HOST, group)),
        fields: vec![
            ("icmpv6.type", s(131)),
            ("icmpv6.mld.multicast_address", s(group)),
            ("ipv6.opt.router_alert", s(0)),
        ],
    });

    // RFC 3810 §5.1: a Multicast-Address-and-Source-Specific Query, max
    // response 10 s, QRV 2, QQIC 125, two sources.
    let mut src_bytes = Vec::new();
    for a in [IP6_HOST, IP6_PEER] {
        src_bytes.extend_from_slice(&a.octets());
    }
    let code = mld::encode_max_resp_code(10_000);
    let query = icmpv6::Repr::Mld(mld::Repr::Query {
        max_resp_code: code,
        mcast_addr: group_b,
        version: mld::MldVersion::V2,
        s_flag: false,
        qrv: 2,
        qqic: mld::encode_qqic(125),
        sources: Ipv6AddrList::new_checked(&src_bytes).expect("two addresses"),
    });
    out.push(Sample {
        name: "mldv2-query",
        frame: mld_frame(LL_ROUTER, group_b, &icmpv6(&query, LL_ROUTER, group_b)),
        fields: vec![
            ("icmpv6.type", s(130)),
            ("icmpv6.mld.maximum_response_code", s(code)),
            ("icmpv6.mld.flag.qrv", s(2)),
            ("icmpv6.mld.qqi", s(125)),
            ("icmpv6.mld.nb_sources", s(2)),
            ("icmpv6.mld.source_address", list(&[IP6_HOST, IP6_PEER])),
        ],
    });

    // RFC 3810 §5.2: two records, join `group` (EXCLUDE {}) and allow one
    // source for `group_b`.
    let records = [
        mld::AddressRecordRepr {
            record_type: mld::RecordType::ChangeToExcludeMode,
            mcast_addr: group,
            sources: &[],
        },
        mld::AddressRecordRepr {
            record_type: mld::RecordType::AllowNewSources,
            mcast_addr: group_b,
            sources: &[IP6_PEER],
        },
    ];
    let mut msg = vec![0u8; mld::report_v2_buffer_len(&records)];
    mld::emit_report_v2(
        &mut icmpv6::Packet::new_unchecked(&mut msg[..]),
        &records,
        &LL_HOST,
        &mldv2_routers,
        Checksum::Both,
    );
    out.push(Sample {
        name: "mldv2-report",
        frame: mld_frame(LL_HOST, mldv2_routers, &msg),
        fields: vec![
            ("icmpv6.type", s(143)),
            ("icmpv6.mldr.nb_mcast_records", s(2)),
            ("icmpv6.mldr.mar.record_type", list(&[4, 5])),
            ("icmpv6.mldr.mar.multicast_address", list(&[group, group_b])),
            ("icmpv6.mldr.mar.source_address", s(IP6_PEER)),
        ],
    });
    out
}
