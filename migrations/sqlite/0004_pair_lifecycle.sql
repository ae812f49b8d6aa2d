-- The life of a pair after approval: its group DM, plan, check-ins and answers, closing feedback, and the durable
-- jobs that deliver every scheduled message.

ALTER TABLE pairs ADD COLUMN channel TEXT;            -- the pair's group DM
ALTER TABLE pairs ADD COLUMN last_met_at INTEGER;     -- the last "we met" answer
ALTER TABLE pairs ADD COLUMN end_reason TEXT;         -- given with /mentor end; only admins see it

CREATE TABLE plans (
    pair_id        INTEGER PRIMARY KEY REFERENCES pairs (id) ON DELETE CASCADE,
    objective      TEXT NOT NULL,
    cadence        TEXT NOT NULL CHECK (cadence IN ('weekly', 'biweekly', 'monthly')),
    end_date       TEXT NOT NULL,                     -- YYYY-MM-DD
    first_meeting  TEXT,                              -- YYYY-MM-DD
    updated_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE checkins (
    id       INTEGER PRIMARY KEY,
    pair_id  INTEGER NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    job_id   INTEGER UNIQUE,                          -- the job that sent it (a re-run finds it again)
    since    INTEGER NOT NULL,                        -- "did you meet since …"
    sent_at  INTEGER NOT NULL,
    channel  TEXT,
    ts       TEXT
) STRICT;
CREATE INDEX checkins_pair ON checkins (pair_id, sent_at);

-- One answer per person per check-in. When someone leaves, user_id and free text are cleared: the count stays.
CREATE TABLE checkin_answers (
    checkin_id   INTEGER NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    user_id      TEXT,
    answer       TEXT NOT NULL CHECK (answer IN ('met', 'not_yet', 'need_help')),
    minutes      INTEGER,
    covered      TEXT,
    usefulness   INTEGER,
    answered_at  INTEGER NOT NULL,
    UNIQUE (checkin_id, user_id)
) STRICT;

CREATE TABLE feedback (
    pair_id    INTEGER NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    user_id    TEXT,
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    learned    TEXT,
    recommend  INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    UNIQUE (pair_id, user_id)
) STRICT;

-- Durable jobs: what to do, for which pair, when; claimed atomically by the worker. `key` makes scheduling
-- idempotent (one pending check-in per pair, one closing per pair, ...).
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    pair_id     INTEGER REFERENCES pairs (id) ON DELETE CASCADE,
    payload     TEXT NOT NULL DEFAULT '{}',
    due_at      INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    key         TEXT UNIQUE,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX jobs_due ON jobs (state, due_at);
CREATE INDEX jobs_pair ON jobs (pair_id, state);

-- Every message a job delivered, recorded right after Slack accepted it: a re-run skips what is recorded, so a
-- crash between sending and recording repeats at most that one message.
CREATE TABLE deliveries (
    job_id   INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step     TEXT NOT NULL,
    channel  TEXT,
    ts       TEXT,
    at       INTEGER NOT NULL,
    PRIMARY KEY (job_id, step)
) STRICT;
