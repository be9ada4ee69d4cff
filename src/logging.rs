//! Diagnostics on stderr through the `log` facade; `RUST_LOG` sets the level (`info` by default):
//! a plain level (`debug`) or `target=level` directives (`meshtls::proxy=debug,rustls=warn`).
use std::io::Write;

use log::{LevelFilter, Log, Metadata, Record};
use time::OffsetDateTime;

struct Logger {
    default: LevelFilter,
    directives: Vec<(String, LevelFilter)>,
}

impl Logger {
    fn level_for(&self, target: &str) -> LevelFilter {
        self.directives
            .iter()
            .filter(|(prefix, _)| target.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map_or(self.default, |(_, level)| *level)
    }
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level_for(metadata.target())
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let now = crate::proxy::admin::millis_rfc3339(OffsetDateTime::now_utc());
        let thread = std::thread::current();
        let _ = writeln!(
            std::io::stderr().lock(),
            "[{now}][{}][{}][{}] {}",
            thread.name().unwrap_or("-"),
            record.level().as_str().to_lowercase(),
            record.target(),
            record.args()
        );
    }

    fn flush(&self) {}
}

fn parse(spec: &str) -> Logger {
    let mut logger = Logger {
        default: LevelFilter::Info,
        // kube-client logs the errors it also returns, which meshtls reports once itself;
        // `RUST_LOG=kube_client=debug` (a later directive wins a tie) turns it back on
        // (release builds keep no trace level, and nothing below info that goes through tracing).
        directives: vec![("kube_client".to_string(), LevelFilter::Off)],
    };
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((target, level)) => {
                if let Ok(level) = level.parse() {
                    logger.directives.push((target.to_string(), level));
                }
            }
            None => {
                if let Ok(level) = part.parse() {
                    logger.default = level;
                }
            }
        }
    }
    logger
}

/// Installs the logger once; later calls do nothing.
pub fn init() {
    let logger = parse(&std::env::var("RUST_LOG").unwrap_or_default());
    let max = logger
        .directives
        .iter()
        .map(|(_, l)| *l)
        .chain(std::iter::once(logger.default))
        .max()
        .unwrap_or(LevelFilter::Info);
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_pick_the_longest_prefix() {
        let logger = parse("warn,meshtls=debug,meshtls::proxy::admin=error");
        assert_eq!(logger.level_for("rustls::server"), LevelFilter::Warn);
        assert_eq!(
            logger.level_for("meshtls::proxy::accept"),
            LevelFilter::Debug
        );
        assert_eq!(
            logger.level_for("meshtls::proxy::admin"),
            LevelFilter::Error
        );
    }
}
