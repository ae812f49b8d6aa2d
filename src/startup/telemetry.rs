//! Logging: `RUST_LOG` filters, `TANDEM_LOG_FORMAT` picks pretty or JSON lines. Secrets never reach a log line: the
//! config's [`crate::context::config::Secret`] prints as `[redacted]`, and request bodies and tokens are not logged.
//! Colours only when standard error is a terminal, so a log file or a journal gets plain text.

use crate::context::config::LogFormat;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (as in tests) are no-ops.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
