//! Reads criterion's saved medians and prints ferrotcp/smoltcp ratios.
//! Shared by the benches through `#[path]`; no serde needed for the one
//! number we want.
// Each bench uses a part of this module.
#![allow(dead_code)]

use std::path::PathBuf;

fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// The median (ns) criterion stored for `group/function/parameter`.
pub fn median_ns(group: &str, function: &str, parameter: &str) -> Option<f64> {
    let mut p = criterion_dir().join(group).join(function);
    if !parameter.is_empty() {
        p = p.join(parameter);
    }
    let text = std::fs::read_to_string(p.join("new").join("estimates.json")).ok()?;
    let at = text.find("\"median\"")?;
    let rest = &text[at..];
    let pe = rest.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let num: String = rest[pe..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        .collect();
    num.parse().ok()
}

/// Print one line per (group, parameter): medians and smoltcp/ferrotcp, so
/// a ratio above 1 means ferrotcp is faster.
pub fn print_ratios(title: &str, rows: &[(&str, &str)]) {
    println!("\n{title}: median time, ratio = smoltcp / ferrotcp (>1: ferrotcp faster)");
    for (group, param) in rows {
        match (
            median_ns(group, "ferrotcp", param),
            median_ns(group, "smoltcp", param),
        ) {
            (Some(f), Some(s)) => println!(
                "  {group:<28} {param:>8}  ferrotcp {f:>12.1} ns  smoltcp {s:>12.1} ns  ratio {:.2}x",
                s / f
            ),
            _ => println!("  {group:<28} {param:>8}  (no measurement: filtered out?)"),
        }
    }
}

/// A paired measurement of two closures doing the same work: rounds of
/// `batch` calls of one then `batch` calls of the other (the order
/// alternating round by round), so that load from other processes on a
/// shared machine falls on both sides of each round alike. Returns the
/// median nanoseconds per call of each side and the median, first and
/// third quartile of the per-round ratio `smoltcp / ferrotcp`.
pub struct Paired {
    /// Median ns per call, ferrotcp.
    pub ferrotcp_ns: f64,
    /// Median ns per call, smoltcp.
    pub smoltcp_ns: f64,
    /// Median per-round ratio (>1: ferrotcp faster).
    pub ratio: f64,
    /// First quartile of the per-round ratio.
    pub q1: f64,
    /// Third quartile of the per-round ratio.
    pub q3: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Run `ferrotcp` and `smoltcp` as a paired measurement (see [`Paired`]):
/// the batch size is calibrated so that one batch takes about 1 ms;
/// `PAIRED_ROUNDS` (default 301) rounds.
pub fn paired(mut ferrotcp: impl FnMut(), mut smoltcp: impl FnMut()) -> Paired {
    use std::time::Instant;
    let rounds: usize = std::env::var("PAIRED_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(301);
    // Warm up and calibrate on the slower of the two.
    let mut batch = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..batch {
            ferrotcp();
            smoltcp();
        }
        if t.elapsed().as_micros() >= 2000 || batch >= 1 << 24 {
            break;
        }
        batch *= 2;
    }
    fn time<F: FnMut()>(f: &mut F, n: usize) -> f64 {
        let t = std::time::Instant::now();
        for _ in 0..n {
            f();
        }
        t.elapsed().as_nanos() as f64 / n as f64
    }
    let (mut fs, mut ss, mut rs) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..rounds {
        let (f, s) = if r % 2 == 0 {
            let f = time(&mut ferrotcp, batch);
            (f, time(&mut smoltcp, batch))
        } else {
            let s = time(&mut smoltcp, batch);
            (time(&mut ferrotcp, batch), s)
        };
        fs.push(f);
        ss.push(s);
        rs.push(s / f);
    }
    let ratio = median(&mut rs);
    Paired {
        ferrotcp_ns: median(&mut fs),
        smoltcp_ns: median(&mut ss),
        ratio,
        q1: rs[rs.len() / 4],
        q3: rs[rs.len() * 3 / 4],
    }
}

/// Print the header of a paired-measurement table.
pub fn print_paired_header(title: &str) {
    println!(
        "\n{title}: paired rounds, medians; ratio = smoltcp / ferrotcp (>1: ferrotcp faster), [q1, q3] of the per-round ratio"
    );
}

/// Print one paired-measurement row.
pub fn print_paired(group: &str, param: &str, p: &Paired) {
    println!(
        "  {group:<28} {param:>8}  ferrotcp {:>10.1} ns  smoltcp {:>10.1} ns  ratio {:.2}x  [{:.2}, {:.2}]",
        p.ferrotcp_ns, p.smoltcp_ns, p.ratio, p.q1, p.q3
    );
}

/// Whether the paired case `name` is selected by the bench's command line:
/// the first argument that is not a flag filters by substring, as
/// criterion's does; `PAIRED=0` turns paired measurement off, and it only
/// runs under `cargo bench`.
pub fn paired_selected(name: &str) -> bool {
    if std::env::var("PAIRED").is_ok_and(|v| v == "0") {
        return false;
    }
    // Only under `cargo bench` (which passes `--bench`), and not when
    // profiling or listing.
    let all: Vec<String> = std::env::args().collect();
    if !all.iter().any(|a| a == "--bench")
        || all
            .iter()
            .any(|a| a == "--profile-time" || a == "--list" || a == "--test")
    {
        return false;
    }
    // `PAIRED_FILTER` (may be empty: everything) overrides the command
    // line, so that a criterion filter that matches nothing skips criterion
    // and keeps the paired cases.
    if let Ok(f) = std::env::var("PAIRED_FILTER") {
        return name.contains(&f);
    }
    let mut args = std::env::args().skip(1);
    let mut filter = None;
    while let Some(a) = args.next() {
        if a.starts_with("--") {
            // Flags criterion takes a value for.
            if matches!(
                a.as_str(),
                "--warm-up-time"
                    | "--measurement-time"
                    | "--sample-size"
                    | "--profile-time"
                    | "--save-baseline"
                    | "--baseline"
                    | "--load-baseline"
                    | "--nresamples"
                    | "--noise-threshold"
                    | "--confidence-level"
                    | "--significance-level"
                    | "--output-format"
                    | "--color"
                    | "--format"
            ) {
                args.next();
            }
            continue;
        }
        filter = Some(a);
        break;
    }
    filter.is_none_or(|f| name.contains(&f))
}
