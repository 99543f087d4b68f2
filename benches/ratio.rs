//! Reads criterion's saved medians and prints ferrotcp/smoltcp ratios.
//! Shared by the benches through `#[path]`; no serde needed for the one
//! number we want.

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
