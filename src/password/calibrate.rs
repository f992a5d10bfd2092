//! Measuring what each bcrypt cost or Argon2id setting costs on this machine, to choose one at
//! deploy time.

use std::time::{Duration, Instant};

use super::{
    Argon2Params, Argon2ParamsProblem, Cost, PasswordAlgorithm, PasswordError, PasswordHasher,
};

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

/// The result of [`PasswordHasher::calibrate_argon2`]: Argon2id parameters for this machine,
/// and the time one hash took at each number of iterations tried.
///
/// ```no_run
/// use keyward::password::{PasswordAlgorithm, PasswordHasher};
/// use std::time::Duration;
///
/// let calibration = PasswordHasher::calibrate_argon2(Duration::from_millis(250), 64 * 1024)?;
/// for (iterations, took) in calibration.timings() {
///     println!("t={iterations:>3}: {:>7.1} ms", took.as_secs_f64() * 1000.0);
/// }
/// let hasher = PasswordHasher::new()
///     .with_algorithm(PasswordAlgorithm::Argon2id)
///     .with_argon2_params(calibration.params());
/// # Ok::<(), keyward::password::PasswordError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argon2Calibration {
    params: Argon2Params,
    within_target: bool,
    timings: Vec<(u32, Duration)>,
}

impl Argon2Calibration {
    /// The parameters to configure: the whole memory budget, one lane, and the most iterations
    /// whose hash took less than the target (or the fewest OWASP allows at that memory, when
    /// even those took longer: see [`is_within_target`](Self::is_within_target)).
    ///
    /// ```no_run
    /// # use keyward::password::PasswordHasher;
    /// # use std::time::Duration;
    /// let params = PasswordHasher::calibrate_argon2(Duration::from_millis(100), 19 * 1024)?.params();
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn params(&self) -> Argon2Params {
        self.params
    }

    /// Whether [`params`](Self::params) really stayed under the target.
    ///
    /// ```no_run
    /// # use keyward::password::PasswordHasher;
    /// # use std::time::Duration;
    /// assert!(!PasswordHasher::calibrate_argon2(Duration::from_nanos(1), 19 * 1024)?.is_within_target());
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn is_within_target(&self) -> bool {
        self.within_target
    }

    /// Each iteration count tried at the chosen memory, in the order tried, with the time one
    /// hash took.
    ///
    /// ```no_run
    /// # use keyward::password::PasswordHasher;
    /// # use std::time::Duration;
    /// let calibration = PasswordHasher::calibrate_argon2(Duration::from_millis(50), 19 * 1024)?;
    /// assert_eq!(calibration.timings()[0].0, 2); // OWASP's fewest passes at 19 MiB
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn timings(&self) -> &[(u32, Duration)] {
        &self.timings
    }
}

impl PasswordHasher {
    /// Chooses Argon2id parameters for this machine from a time budget per hash and a memory
    /// budget per hash (in KiB): all of the memory (Argon2's advice: spend memory first, then
    /// time), one lane, and as many iterations as fit in `target`.
    ///
    /// keyward computes lanes one after the other on the calling thread, so more lanes would
    /// not make a hash faster here; one lane is OWASP's setting. Measures one hash at the
    /// fewest iterations OWASP allows at that memory, estimates the iterations that fit, then
    /// measures downwards from the estimate until one fits: a few hashes in total, about three
    /// times `target`. A deploy-time tool, like [`calibrate`](Self::calibrate); leave headroom
    /// for a busy machine, and remember that every concurrent login holds the memory budget.
    ///
    /// # Errors
    ///
    /// [`PasswordError::InvalidArgon2Params`] with
    /// [`BelowOwaspMinimum`](crate::password::Argon2ParamsProblem::BelowOwaspMinimum) when the
    /// memory budget is below OWASP's smallest configuration (7 MiB). A budget above 4 GiB is
    /// taken as 4 GiB.
    ///
    /// ```no_run
    /// use keyward::password::PasswordHasher;
    /// use std::time::Duration;
    ///
    /// let params = PasswordHasher::calibrate_argon2(Duration::from_millis(250), 64 * 1024)?.params();
    /// println!("configure {params}");
    /// # Ok::<(), keyward::password::PasswordError>(())
    /// ```
    pub fn calibrate_argon2(
        target: Duration,
        memory_kib: u32,
    ) -> Result<Argon2Calibration, PasswordError> {
        let memory_kib = memory_kib.min(Argon2Params::MAX_MEMORY_KIB);
        let at = |iterations| Argon2Params::new(memory_kib, iterations, 1);
        let (fewest, floor) = (1..=5)
            .find_map(|t| at(t).ok().map(|params| (t, params)))
            .ok_or(PasswordError::InvalidArgon2Params(
                Argon2ParamsProblem::BelowOwaspMinimum,
            ))?;
        let mut timings = Vec::new();
        let time = |params: Argon2Params| {
            let hasher = PasswordHasher::new()
                .with_algorithm(PasswordAlgorithm::Argon2id)
                .with_argon2_params(params);
            let start = Instant::now();
            let _ = hasher.hash("calibration password");
            start.elapsed()
        };
        let took = time(floor);
        timings.push((fewest, took));
        if took >= target {
            return Ok(Argon2Calibration {
                params: floor,
                within_target: false,
                timings,
            });
        }
        // Time grows linearly with the passes over memory.
        let per_pass = took.as_nanos() / u128::from(fewest);
        let estimate = (target.as_nanos() / per_pass.max(1))
            .clamp(u128::from(fewest), u128::from(Argon2Params::MAX_ITERATIONS));
        let mut iterations = u32::try_from(estimate).unwrap_or(Argon2Params::MAX_ITERATIONS);
        let mut best = floor;
        while iterations > fewest {
            let Ok(params) = at(iterations) else { break };
            let took = time(params);
            timings.push((iterations, took));
            if took < target {
                best = params;
                break;
            }
            iterations -= 1;
        }
        Ok(Argon2Calibration {
            params: best,
            within_target: true,
            timings,
        })
    }
}
