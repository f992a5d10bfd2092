//! Measuring what each bcrypt cost costs on this machine, to choose one at deploy time.

use std::time::{Duration, Instant};

use super::{Cost, PasswordHasher};

/// The result of [`PasswordHasher::calibrate`]: the time one hash took at each cost tried, and
/// the highest cost that stayed under the target.
///
/// ```no_run
/// use keyward::password::PasswordHasher;
/// use std::time::Duration;
///
/// let calibration = PasswordHasher::calibrate(Duration::from_millis(250));
/// for (cost, took) in calibration.timings() {
///     println!("cost {cost:>2}: {:>7.1} ms", took.as_secs_f64() * 1000.0);
/// }
/// let hasher = PasswordHasher::new().with_cost(calibration.cost());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calibration {
    cost: Cost,
    within_target: bool,
    timings: Vec<(Cost, Duration)>,
}

impl Calibration {
    /// The highest cost whose hash took less than the target, or [`Cost::MIN`] when even that
    /// took longer (see [`is_within_target`](Self::is_within_target)).
    ///
    /// ```no_run
    /// # use keyward::password::PasswordHasher;
    /// # use std::time::Duration;
    /// let cost = PasswordHasher::calibrate(Duration::from_millis(100)).cost();
    /// ```
    pub fn cost(&self) -> Cost {
        self.cost
    }

    /// Whether [`cost`](Self::cost) really stayed under the target.
    ///
    /// ```no_run
    /// # use keyward::password::PasswordHasher;
    /// # use std::time::Duration;
    /// assert!(!PasswordHasher::calibrate(Duration::from_nanos(1)).is_within_target());
    /// ```
    pub fn is_within_target(&self) -> bool {
        self.within_target
    }

    /// Each cost tried, in increasing order, with the time one hash took.
    ///
    /// ```no_run
    /// # use keyward::password::PasswordHasher;
    /// # use std::time::Duration;
    /// let calibration = PasswordHasher::calibrate(Duration::from_millis(50));
    /// assert_eq!(calibration.timings()[0].0.get(), 4);
    /// ```
    pub fn timings(&self) -> &[(Cost, Duration)] {
        &self.timings
    }
}

impl PasswordHasher {
    /// Measures one hash at each cost from 4 upwards until a hash takes `target` or longer, and
    /// returns the timings and the highest cost that stayed under it.
    ///
    /// This is a deploy-time tool (run it once on the production hardware, then configure the
    /// cost it recommends); never call it per request. It takes up to about twice `target` in
    /// total, since each step up doubles the work. Timings come from one run on a possibly busy
    /// machine: leave headroom, and confirm with the criterion benchmarks (`cargo bench`).
    ///
    /// ```no_run
    /// use keyward::password::PasswordHasher;
    /// use std::time::Duration;
    ///
    /// let cost = PasswordHasher::calibrate(Duration::from_millis(250)).cost();
    /// println!("configure cost {cost}");
    /// ```
    pub fn calibrate(target: Duration) -> Calibration {
        let mut timings = Vec::new();
        let mut best = None;
        let costs = std::iter::successors(Some(Cost::MIN), |cost| Cost::new(cost.get() + 1).ok());
        for cost in costs {
            let hasher = PasswordHasher::new().with_cost(cost);
            let start = Instant::now();
            // A fixed, valid password: hashing cannot fail except for lack of randomness, and
            // then the time measured is still the time spent.
            let _ = hasher.hash("calibration password");
            let took = start.elapsed();
            timings.push((cost, took));
            if took >= target {
                break;
            }
            best = Some(cost);
        }
        Calibration {
            cost: best.unwrap_or(Cost::MIN),
            within_target: best.is_some(),
            timings,
        }
    }
}
