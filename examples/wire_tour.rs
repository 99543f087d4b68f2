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

use std::process::ExitCode;

use ferrotcp::time::Instant;
use ferrotcp_phy::pcap::{LinkType, PcapWriter};
use ferrotcp_phy::pretty::dissect;

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
