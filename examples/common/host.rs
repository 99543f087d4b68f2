//! What the examples that run on a real interface share: the clock, a
//! seed from it, and a logger to stderr.

use std::time::SystemTime;

use ferrotcp::time::{Duration, Instant};

/// The stack's clock: monotonic, counted from the Unix time at start (so
/// pcap timestamps read as wall-clock time).
#[derive(Debug)]
pub struct Clock {
    start: std::time::Instant,
    base: Instant,
}

impl Clock {
    /// A clock that starts now.
    pub fn new() -> Clock {
        Clock {
            start: std::time::Instant::now(),
            base: Instant::from(SystemTime::now()),
        }
    }

    /// The time now.
    pub fn now(&self) -> Instant {
        self.base + Duration::from(self.start.elapsed())
    }
}

/// A seed that differs from run to run (clock and process id).
pub fn seed_from_clock() -> u64 {
    let t = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    t ^ u64::from(std::process::id()).rotate_left(32)
}

struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        eprintln!(
            "{:<5} {}: {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

static LOGGER: StderrLogger = StderrLogger;

/// Log to stderr: warnings, or with `verbose` 1 info, 2 debug, 3 trace.
pub fn init_logger(verbose: u8) {
    let level = match verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    };
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}
