//! Wire-layer benchmarks, side by side with smoltcp 0.14 on identical bytes:
//! the internet checksum over 64 B / 1500 B / 64 KiB, and parse + emit of
//! whole frames. Run with `cargo bench --bench wire`; the ratios are printed
//! at the end (medians).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use std::hint::black_box;

#[path = "ratio.rs"]
mod ratio;

const CHECKSUM_SIZES: [usize; 3] = [64, 1500, 65536];

fn bench_checksum(c: &mut Criterion) {
    let mut g = c.benchmark_group("checksum");
    for &size in &CHECKSUM_SIZES {
        // Deterministic, non-trivial bytes; both implementations see the
        // same slice.
        let data: Vec<u8> = (0..size).map(|i| (i * 131 + 7) as u8).collect();
        assert_eq!(
            ferrotcp::wire::checksum::data(&data),
            smoltcp::wire::checksum::data(&data),
            "implementations disagree at {size} bytes"
        );
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("ferrotcp", size), &data, |b, d| {
            b.iter(|| ferrotcp::wire::checksum::data(black_box(d)))
        });
        g.bench_with_input(BenchmarkId::new("smoltcp", size), &data, |b, d| {
            b.iter(|| smoltcp::wire::checksum::data(black_box(d)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_checksum);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let rows: Vec<(&str, String)> = CHECKSUM_SIZES
        .iter()
        .map(|s| ("checksum", s.to_string()))
        .collect();
    let rows: Vec<(&str, &str)> = rows.iter().map(|(g, p)| (*g, p.as_str())).collect();
    ratio::print_ratios("checksum", &rows);
}
