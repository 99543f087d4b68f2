//! Wireshark as an independent oracle for the wire layer's emitters.
//!
//! Every frame of `tests/support/catalogue.rs` (built only with ferrotcp
//! Reprs) is written to a pcap, and tshark must
//!
//! 1. find no malformed packet and no expert item of severity warning or
//!    above, with IP, TCP and UDP checksum verification turned on (ICMP,
//!    ICMPv6 and IGMP checksums are always verified), except the few
//!    warnings listed in [`EXPECTED_WARNINGS`], each explained; and
//! 2. decode, field by field, the values the catalogue says it built.
//!
//! tshark missing: the tests fail when `CI=true`, else they print why they
//! are skipped and pass.

#[path = "support/catalogue.rs"]
mod catalogue;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use ferrotcp::time::Instant;
use ferrotcp_phy::pcap::{LinkType, PcapWriter};

use catalogue::Sample;

/// Expert warnings that are right for a frame seen out of context. Each is
/// matched by sample name and the exact start of the expert message; any
/// other warning fails the test.
const EXPECTED_WARNINGS: &[(&str, &str, &str)] = &[];

fn tshark_available() -> bool {
    let found = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "tshark not installed and CI=true (ci/install-deps.sh installs it)"
        );
        println!("skipped: tshark not installed (ci/install-deps.sh installs it)");
    }
    found
}

/// Write the samples to a fresh pcap file, one millisecond apart.
fn write_pcap(tag: &str, samples: &[Sample]) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("ferrotcp-tshark-{tag}-{}.pcap", std::process::id()));
    let file = std::fs::File::create(&path).expect("create pcap");
    let mut w =
        PcapWriter::new(std::io::BufWriter::new(file), LinkType::Ethernet).expect("pcap header");
    for (i, s) in samples.iter().enumerate() {
        let at = Instant::from_millis(1_000 + i as i64);
        w.write_frame(at, &s.frame).expect("pcap frame");
    }
    w.flush().expect("flush pcap");
    path
}

/// Run tshark on `path` with checksum verification on and `extra`
/// arguments; return stdout lines.
fn tshark(path: &PathBuf, extra: &[&str]) -> Vec<String> {
    let out = Command::new("tshark")
        .arg("-n")
        .arg("-r")
        .arg(path)
        .args([
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
        ])
        .args(extra)
        .output()
        .expect("run tshark");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn catalogue_names_are_unique_and_frames_padded() {
    let samples = catalogue::all();
    let mut seen = std::collections::HashSet::new();
    for s in &samples {
        assert!(seen.insert(s.name), "duplicate sample name {}", s.name);
        assert!(s.frame.len() >= 60, "{} is a runt", s.name);
        assert!(!s.fields.is_empty(), "{} checks no field", s.name);
    }
}

/// Run tshark's expert pass over `samples` and return one line per
/// malformed frame or unexpected warning/error.
fn expert_complaints(tag: &str, samples: &[Sample]) -> (Vec<String>, Vec<String>) {
    let path = write_pcap(tag, samples);
    let lines = tshark(
        &path,
        &[
            "-Y",
            "_ws.malformed || _ws.expert.severity >= warning",
            "-T",
            "fields",
            "-E",
            "separator=/t",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=|",
            "-e",
            "frame.number",
            "-e",
            "_ws.expert.severity",
            "-e",
            "_ws.expert.message",
            "-e",
            "_ws.malformed",
        ],
    );
    let _ = std::fs::remove_file(&path);
    let mut bad = Vec::new();
    for line in &lines {
        let cols: Vec<&str> = line.split('\t').collect();
        let frame: usize = cols.first().and_then(|c| c.parse().ok()).unwrap_or(0);
        let name = frame
            .checked_sub(1)
            .and_then(|i| samples.get(i))
            .map_or("?", |s| s.name);
        let severities: Vec<&str> = cols.get(1).map_or(vec![], |c| c.split('|').collect());
        let messages: Vec<&str> = cols.get(2).map_or(vec![], |c| c.split('|').collect());
        if cols.get(3).is_some_and(|c| !c.is_empty()) {
            bad.push(format!("frame {frame} ({name}): malformed"));
        }
        for (sev, msg) in severities.iter().zip(&messages) {
            // Severities print as their value: 0x00600000 warning,
            // 0x00800000 error (epan/proto.h PI_WARN, PI_ERROR).
            let level = u32::from_str_radix(sev.trim_start_matches("0x"), 16)
                .ok()
                .or_else(|| sev.parse().ok())
                .unwrap_or(u32::MAX);
            if level < 0x0060_0000 {
                continue;
            }
            let allowed = EXPECTED_WARNINGS
                .iter()
                .any(|(n, m, _)| *n == name && msg.starts_with(m));
            if !allowed {
                bad.push(format!("frame {frame} ({name}): [{sev}] {msg}"));
            }
        }
    }
    (bad, lines)
}

/// RFC 1071 / RFC 9293 §3.1 / RFC 768 / RFC 8200 §8.1 checksums and every
/// header field: Wireshark finds nothing malformed and no warning.
#[test]
fn tshark_finds_no_malformed_frame_or_warning() {
    if !tshark_available() {
        return;
    }
    let (bad, lines) = expert_complaints("expert", &catalogue::all());
    assert!(
        bad.is_empty(),
        "tshark complaints:\n{}\n(raw lines:\n{})",
        bad.join("\n"),
        lines.join("\n")
    );
}

/// The oracle can fail: a flipped payload bit (TCP checksum), a flipped
/// header bit (IPv4 header checksum) and a cut option are all reported.
#[test]
fn tshark_oracle_reports_corrupted_frames() {
    if !tshark_available() {
        return;
    }
    let mut samples: Vec<Sample> = catalogue::all()
        .into_iter()
        .filter(|s| {
            matches!(
                s.name,
                "tcp-v4-syn-options" | "udp-v4" | "ipv4-options-icmp-echo"
            )
        })
        .collect();
    assert_eq!(samples.len(), 3);
    // TCP: the last byte of the options (a NOP) becomes End of List: the
    // checksum no longer matches.
    let tcp_end = 14 + 20 + 40 - 1;
    samples[0].frame[tcp_end] ^= 0x01;
    // UDP: flip a payload bit.
    let udp_last = 14 + 20 + 8 + catalogue::TEXT.len() - 1;
    samples[1].frame[udp_last] ^= 0x20;
    // IPv4: TTL changes under the header checksum.
    samples[2].frame[14 + 8] ^= 0x01;
    let (bad, _) = expert_complaints("corrupt", &samples);
    for s in &samples {
        assert!(
            bad.iter().any(|b| b.contains(s.name)),
            "{} not reported; complaints: {bad:?}",
            s.name
        );
    }
}

/// Each catalogue field decodes to the value the Repr was built with.
#[test]
fn tshark_decodes_catalogue_fields() {
    if !tshark_available() {
        return;
    }
    let samples = catalogue::all();
    let path = write_pcap("fields", &samples);
    let mut names: Vec<&str> = Vec::new();
    for s in &samples {
        for (f, _) in &s.fields {
            if !names.contains(f) {
                names.push(f);
            }
        }
    }
    let mut args: Vec<&str> = vec![
        // Absolute sequence numbers, as the Repr holds them.
        "-o",
        "tcp.relative_sequence_numbers:FALSE",
        "-T",
        "fields",
        "-E",
        "separator=/t",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
        "-e",
        "frame.number",
    ];
    for n in &names {
        args.push("-e");
        args.push(n);
    }
    let lines = tshark(&path, &args);
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        lines.len(),
        samples.len(),
        "one line per frame:\n{}",
        lines.join("\n")
    );
    let column: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i + 1)).collect();
    let mut bad = Vec::new();
    for (s, line) in samples.iter().zip(&lines) {
        let cols: Vec<&str> = line.split('\t').collect();
        for (field, want) in &s.fields {
            let got = cols.get(column[field]).copied().unwrap_or("");
            if got != want {
                bad.push(format!("{}: {field} = {got:?}, want {want:?}", s.name));
            }
        }
    }
    assert!(bad.is_empty(), "field mismatches:\n{}", bad.join("\n"));
}
