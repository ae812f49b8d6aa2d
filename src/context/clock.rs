//! The business clock. Pause expiry, schedules and reports ask it for "now", so tests and the demo can move time
//! without sleeping. (Request signatures are checked against the real system time: that is transport freshness.)

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub enum Clock {
    /// The system clock.
    System,
    /// A clock that only moves when told to.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    pub fn manual(start: DateTime<Utc>) -> Self {
        Clock::Manual(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(t) = self {
            let mut guard = t.lock().unwrap_or_else(|p| p.into_inner());
            *guard += by;
        }
    }

    /// Sets a manual clock (no effect on the system clock).
    pub fn set(&self, to: DateTime<Utc>) {
        if let Clock::Manual(t) = self {
            *t.lock().unwrap_or_else(|p| p.into_inner()) = to;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .to_utc();
        let c = Clock::manual(start);
        assert_eq!(c.now(), start);
        c.advance(Duration::days(7));
        assert_eq!(c.now(), start + Duration::days(7));
        let shared = c.clone();
        shared.set(start);
        assert_eq!(c.now(), start, "clones share one time");
    }
}
