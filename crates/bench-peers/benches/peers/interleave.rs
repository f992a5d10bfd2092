//! N contestants measured interleaved, so that every one of them sees the same load on a
//! shared machine (the `through_layer_paired` idea of keyward-tower's `benches/layer.rs`,
//! for N instead of two).
//!
//! A row is many rounds. In each round every contestant runs a batch of `batch` calls, in an
//! order rotated by one each round (so each goes first, second, ... equally often), and its
//! time per call is recorded. A contestant's result is the median of its per-round times; a
//! ratio of two contestants is the median of their per-round ratios, so a load change that
//! hits a whole round cancels out of it.

use std::time::{Duration, Instant};

/// How long a row is measured: `KEYWARD_PEERS_SECONDS` (default 2, at most 300: the verify
/// rows' tokens are issued once and live 15 minutes) after a warm-up of a tenth of that (at
/// least 0.2 s), which also picks the batch size.
pub struct Settings {
    pub measure: Duration,
    pub warm_up: Duration,
    /// The shortest contestant's batch lasts at least this long, so that reading the clock
    /// (tens of nanoseconds) is a small part of the shortest sample.
    pub batch_floor: Duration,
}

impl Settings {
    pub fn from_env() -> Self {
        let seconds = std::env::var("KEYWARD_PEERS_SECONDS").map_or(2.0, |value| {
            value
                .parse::<f64>()
                .ok()
                .filter(|seconds| *seconds > 0.0 && *seconds <= 300.0)
                .unwrap_or_else(|| panic!("KEYWARD_PEERS_SECONDS={value}: 0 to 300 seconds wanted"))
        });
        let measure = Duration::from_secs_f64(seconds);
        Self {
            measure,
            warm_up: (measure / 10).max(Duration::from_millis(200)),
            batch_floor: Duration::from_micros(50),
        }
    }
}

/// Per-call times in nanoseconds, `[contestant][round]`.
pub struct Measured {
    pub per_call: Vec<Vec<f64>>,
    pub batch: u32,
}

/// Runs `contestants` interleaved as the module says.
pub fn interleaved(contestants: &[&dyn Fn()], settings: &Settings) -> Measured {
    // Warm-up: rounds of one call each; the fastest contestant's median picks the batch.
    let warm = rounds(contestants, 1, settings.warm_up);
    let fastest = warm
        .per_call
        .iter()
        .map(|times| median(times.clone()))
        .fold(f64::INFINITY, f64::min);
    let batch = (settings.batch_floor.as_secs_f64() * 1e9 / fastest).ceil();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped to 1..=1e6
    let batch = batch.clamp(1.0, 1e6) as u32;
    rounds(contestants, batch, settings.measure)
}

fn rounds(contestants: &[&dyn Fn()], batch: u32, length: Duration) -> Measured {
    let count = contestants.len();
    let mut per_call = vec![Vec::new(); count];
    let started = Instant::now();
    let mut round = 0;
    // At least a few rounds, however slow the contestants, so a median exists.
    while started.elapsed() < length || round < 5 {
        for offset in 0..count {
            let index = (round + offset) % count;
            let run = contestants[index];
            let start = Instant::now();
            for _ in 0..batch {
                run();
            }
            per_call[index].push(start.elapsed().as_secs_f64() * 1e9 / f64::from(batch));
        }
        round += 1;
    }
    Measured { per_call, batch }
}

/// The median (the upper one of an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

impl Measured {
    pub fn rounds(&self) -> usize {
        self.per_call.first().map_or(0, Vec::len)
    }

    /// The median time per call of contestant `index`, in nanoseconds.
    pub fn median(&self, index: usize) -> f64 {
        median(self.per_call[index].clone())
    }

    /// The median over rounds of contestant `a`'s time over contestant `b`'s.
    pub fn ratio(&self, a: usize, b: usize) -> f64 {
        median(
            self.per_call[a]
                .iter()
                .zip(&self.per_call[b])
                .map(|(a, b)| a / b)
                .collect(),
        )
    }
}
