-- Pairs in trouble: private help requests, and how far a stalled pair's nudges have gone.

-- "We need help" at a check-in, asked privately: only the program admins see it. `user_id` is who asked and `text`
-- what they wrote (optional); `may_tell` is whether the other person may be told that they asked. Deleted when the
-- person who asked leaves; `text` is cleared by retention once the pair ended long enough ago.
CREATE TABLE help_requests (
    id          INTEGER PRIMARY KEY,
    pair_id     INTEGER NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    checkin_id  INTEGER NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    user_id     TEXT,
    text        TEXT,
    may_tell    INTEGER NOT NULL CHECK (may_tell IN (0, 1)),
    at          INTEGER NOT NULL,                 -- unix seconds
    UNIQUE (checkin_id, user_id)
) STRICT;
CREATE INDEX help_requests_pair ON help_requests (pair_id);
CREATE INDEX help_requests_user ON help_requests (user_id);

-- The current at-risk episode of a pair: how many nudges it brought (at most 2) and when the last one was queued.
-- Both are reset when the pair meets again.
ALTER TABLE pairs ADD COLUMN nudges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pairs ADD COLUMN nudged_at INTEGER;
