//! The step list on stderr (`demo`): a spinner and timings on a terminal, plain lines otherwise.
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{GREEN, RED, duration_text, paint, use_colour};

/// Erases the rest of the terminal line (ECMA-48 EL).
const CLEAR_LINE: &str = "\x1b[K";

/// The step list on stderr: a spinner and timings on a terminal, plain lines otherwise.
pub struct Progress {
    terminal: bool,
    colour: bool,
    total: usize,
    pub index: usize,
    /// `4/7 sidecar`: the first step that failed.
    pub failed: Option<String>,
}

impl Progress {
    /// A list of `total` steps; a spinner when stderr is a `terminal`.
    pub fn new(total: usize, terminal: bool) -> Progress {
        Progress {
            terminal,
            colour: use_colour(terminal),
            total,
            index: 0,
            failed: None,
        }
    }

    /// Runs one step, showing it as running, then done (✔) or failed (✘) with its time.
    /// `f` returns the step's value and a note shown after the time.
    pub fn step<T: StepValue>(
        &mut self,
        label: &'static str,
        f: impl FnOnce() -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        self.index += 1;
        let index = self.index;
        let total = self.total;
        let started = Instant::now();
        let done = Arc::new(AtomicBool::new(false));
        let spinner = self.terminal.then(|| {
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
                // Bounded by the step: it stops as soon as `done` is set.
                for frame in FRAMES.iter().cycle() {
                    if done.load(Ordering::Relaxed) {
                        break;
                    }
                    let _ = write!(io::stderr(), "\r{frame} {index}/{total} {label}");
                    let _ = io::stderr().flush();
                    // Woken early when the step ends, so a fast step is not slowed down.
                    std::thread::park_timeout(Duration::from_millis(80));
                }
            })
        });
        let result = f();
        let ok = result.as_ref().is_ok_and(StepValue::ok);
        if !ok && self.failed.is_none() {
            self.failed = Some(format!("{index}/{total} {label}"));
        }
        done.store(true, Ordering::Relaxed);
        if let Some(spinner) = spinner {
            spinner.thread().unpark();
            let _ = spinner.join();
        }
        let elapsed = duration_text(started.elapsed());
        let mark = match ok {
            true => paint("✔", GREEN, self.colour),
            false => paint("✘", RED, self.colour),
        };
        let note = match &result {
            Ok(value) => value.note(),
            Err(e) => format!("{e:#}"),
        };
        let note = if note.is_empty() {
            String::new()
        } else {
            format!("  {note}")
        };
        let line = if self.terminal {
            format!("\r{mark} {index}/{total} {label:<20} {elapsed:>7}{note}{CLEAR_LINE}")
        } else {
            let word = if ok { "ok" } else { "FAILED" };
            format!("[{index}/{total}] {label}: {word} ({elapsed}){note}")
        };
        let _ = writeln!(io::stderr(), "{line}");
        result
    }
}

/// A step's value and the note printed after its time.
pub trait StepValue {
    fn note(&self) -> String;

    /// Whether the step succeeded (a step can finish and still fail, e.g. a FAILed check).
    fn ok(&self) -> bool {
        true
    }
}

impl StepValue for String {
    fn note(&self) -> String {
        self.clone()
    }
}

impl<A> StepValue for (A, String) {
    fn note(&self) -> String {
        self.1.clone()
    }
}
