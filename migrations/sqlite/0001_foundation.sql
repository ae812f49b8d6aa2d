-- Slack event IDs already handled, so a retried or repeated event has its effect once.
-- Pruned after a day (Slack retries for at most about five minutes).
CREATE TABLE handled_events (
    event_id     TEXT PRIMARY KEY NOT NULL,
    received_at  INTEGER NOT NULL          -- unix seconds
) STRICT;

CREATE INDEX handled_events_received_at ON handled_events (received_at);
