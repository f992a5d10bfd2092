//! Waking async waiters at a deadline without an async runtime: one shared timer thread,
//! started on first use, that wakes each registered waker once its instant has passed.

use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::task::Waker;
use std::time::Instant;

struct Timer {
    due: Mutex<Vec<(Instant, Waker)>>,
    changed: Condvar,
}

static TIMER: OnceLock<Option<&'static Timer>> = OnceLock::new();

/// Arranges for `waker` to be woken at `deadline` (or soon after). `false` if no timer thread
/// could be started: the caller must then treat the deadline as passed, never wait unbounded.
pub(super) fn wake_at(deadline: Instant, waker: Waker) -> bool {
    let Some(timer) = *TIMER.get_or_init(start) else {
        return false;
    };
    let mut due = timer.due.lock().unwrap_or_else(PoisonError::into_inner);
    due.push((deadline, waker));
    drop(due);
    timer.changed.notify_one();
    true
}

fn start() -> Option<&'static Timer> {
    let timer: &'static Timer = Box::leak(Box::new(Timer {
        due: Mutex::new(Vec::new()),
        changed: Condvar::new(),
    }));
    std::thread::Builder::new()
        .name("keyward-jwks-wait".into())
        .spawn(move || run(timer))
        .ok()
        .map(|_| timer)
}

fn run(timer: &'static Timer) {
    let mut due = timer.due.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        let now = Instant::now();
        let mut ripe = Vec::new();
        due.retain(|(at, waker)| {
            let keep = *at > now;
            if !keep {
                ripe.push(waker.clone());
            }
            keep
        });
        if !ripe.is_empty() {
            // Woken outside the lock (a waker may poll at once and register again); then look
            // again, since deadlines may have been added meanwhile.
            drop(due);
            for waker in ripe {
                waker.wake();
            }
            due = timer.due.lock().unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        due = match due.iter().map(|(at, _)| *at).min() {
            Some(next) => {
                let left = next.saturating_duration_since(now);
                timer
                    .changed
                    .wait_timeout(due, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            None => timer
                .changed
                .wait(due)
                .unwrap_or_else(PoisonError::into_inner),
        };
    }
}
