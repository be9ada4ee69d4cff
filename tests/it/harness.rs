//! The harness of the one test binary (libtest-mimic, `harness = false`): the same output and
//! summary line as libtest, plus what libtest cannot do on stable: a test whose real peer (curl,
//! openssl, kubectl, Envoy) is missing ends *ignored, with the reason*, instead of passing
//! silently. Under `CI=true` a missing peer fails its test (`common::require_tool`).
use std::cell::{Cell, RefCell};
use std::panic::{self, PanicHookInfo};
use std::sync::Mutex;

use libtest_mimic::{Completion, Failed, Trial};

/// One test: its libtest name (`module::function`), the function, and a reason to ignore it
/// unless `--ignored` is given (libtest's `#[ignore = "…"]`).
pub struct Test {
    pub name: &'static str,
    pub run: fn(),
    pub ignore: Option<&'static str>,
}

/// Unwinds out of the running test, which then ends ignored with `reason`. No panic message is
/// printed (`resume_unwind` skips the panic hook).
pub fn skip(reason: String) -> ! {
    panic::resume_unwind(Box::new(Skip(reason)))
}

struct Skip(String);

thread_local! {
    /// Set while a trial runs on this thread: its panic message is kept for the report.
    static IN_TRIAL: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The tests that a missing peer ignored, for the note under the summary.
static SKIPPED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// A test's panic is its failure message (as libtest prints it under `failures:`); panics on
/// other threads print as usual.
pub fn install_panic_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
        if !IN_TRIAL.get() {
            return default(info);
        }
        let message = match (
            info.payload().downcast_ref::<&str>(),
            info.payload().downcast_ref::<String>(),
        ) {
            (Some(text), _) => (*text).to_string(),
            (_, Some(text)) => text.clone(),
            _ => "Box<dyn Any>".to_string(),
        };
        let location = info
            .location()
            .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let thread = std::thread::current();
        let mut text = format!(
            "thread '{}' panicked{location}:\n{message}",
            thread.name().unwrap_or("<unnamed>")
        );
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            text.push_str(&format!("\n{}", std::backtrace::Backtrace::force_capture()));
        }
        LAST_PANIC.set(Some(text));
    }));
}

/// The libtest-mimic trial for one test.
pub fn trial(test: &Test) -> Trial {
    let (name, run) = (test.name, test.run);
    Trial::ignorable_test(name, move || {
        IN_TRIAL.set(true);
        LAST_PANIC.set(None);
        let result = panic::catch_unwind(run);
        IN_TRIAL.set(false);
        let payload = match result {
            Ok(()) => return Ok(Completion::Completed),
            Err(payload) => payload,
        };
        match payload.downcast::<Skip>() {
            Ok(skip) => {
                if let Ok(mut skipped) = SKIPPED.lock() {
                    skipped.push((name.to_string(), skip.0.clone()));
                }
                Ok(Completion::ignored_with(skip.0))
            }
            Err(_) => Err(Failed::from(
                LAST_PANIC
                    .take()
                    .unwrap_or_else(|| "the test panicked".to_string()),
            )),
        }
    })
    .with_ignored_flag(test.ignore.is_some())
}

/// Under the summary: which tests a missing peer ignored, and why, so that a run without the
/// peers never reads as complete.
pub fn print_skipped() {
    let Ok(mut skipped) = SKIPPED.lock() else {
        return;
    };
    if skipped.is_empty() {
        return;
    }
    skipped.sort();
    println!(
        "{} test(s) ignored because a real peer is missing (install it, or run `bash .ci/run`):",
        skipped.len()
    );
    for (name, reason) in skipped.iter() {
        println!("    {name}: {reason}");
    }
    println!();
}

/// A test of the harness itself: this binary, run with a PATH that has `sh` and no openssl,
/// reports an openssl test ignored with the reason, counts it in libtest's summary line, and
/// lists it under the summary; with `CI=true` the same test fails.
pub(crate) fn a_missing_peer_is_reported_ignored_with_the_reason() {
    let bin = crate::common::tempdir();
    let sh = std::process::Command::new("sh")
        .args(["-c", "command -v sh"])
        .output()
        .expect("sh");
    let sh = String::from_utf8_lossy(&sh.stdout).trim().to_string();
    std::os::unix::fs::symlink(&sh, bin.path().join("sh")).expect("symlink sh");
    let run = |ci: bool| {
        let mut cmd = std::process::Command::new(std::env::current_exe().expect("test binary"));
        cmd.args([
            "--exact",
            "cert_inspect::shows_the_page_v1_openssl_certificates",
        ])
        .env("PATH", bin.path())
        .env_remove("CI");
        if ci {
            cmd.env("CI", "true");
        }
        cmd.output().expect("the test binary runs")
    };
    let out = run(false);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(
            "test cert_inspect::shows_the_page_v1_openssl_certificates ... ignored (openssl is not installed"
        ),
        "{text}"
    );
    assert!(
        text.contains("test result: ok. 0 passed; 0 failed; 1 ignored; 0 measured;"),
        "{text}"
    );
    assert!(
        text.contains("1 test(s) ignored because a real peer is missing"),
        "{text}"
    );
    let ci = run(true);
    let text = String::from_utf8_lossy(&ci.stdout).into_owned();
    assert!(!ci.status.success(), "{text}");
    assert!(text.contains("openssl is required in CI"), "{text}");
    assert!(
        text.contains("test result: FAILED. 0 passed; 1 failed;"),
        "{text}"
    );
}

/// `#[test]` does nothing in this binary (it has its own harness): a test written so would never
/// run. Every test is a `pub(crate) fn` in `TESTS` (tests/it/main.rs).
pub(crate) fn no_test_attributes_are_left() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let mut stack = vec![dir];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("tests/it").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                for (i, line) in text.lines().enumerate() {
                    let line = line.trim();
                    if line == "#[test]" || line.starts_with("#[ignore") {
                        found.push(format!("{}:{}", path.display(), i + 1));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "#[test]/#[ignore] do nothing here: make the fn pub(crate) and list it in TESTS in tests/it/main.rs (ignore: Some(reason)): {found:?}"
    );
}
