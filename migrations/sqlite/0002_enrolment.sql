-- Enrolment: the survey answers of people who opted in, the modals Tandem opened, pairs, and anonymous counts.

-- One row per person who opted in. Deleted (with their skills) when they leave.
CREATE TABLE participants (
    user_id          TEXT PRIMARY KEY NOT NULL,
    role             TEXT NOT NULL,
    years            INTEGER NOT NULL CHECK (years BETWEEN 0 AND 70),
    practice_group   TEXT NOT NULL,
    hours_per_month  INTEGER NOT NULL CHECK (hours_per_month IN (1, 2, 4, 6)),
    cadence          TEXT NOT NULL CHECK (cadence IN ('weekly', 'biweekly', 'monthly')),
    reports_to       TEXT,
    note             TEXT,
    tz               TEXT NOT NULL DEFAULT 'UTC',
    capacity         INTEGER NOT NULL DEFAULT 1 CHECK (capacity >= 0),
    paused           INTEGER NOT NULL DEFAULT 0,      -- 1 while paused
    paused_until     INTEGER,                         -- unix seconds; NULL = until they resume
    joined_at        INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE participant_skills (
    user_id    TEXT NOT NULL REFERENCES participants (user_id) ON DELETE CASCADE,
    direction  TEXT NOT NULL CHECK (direction IN ('teach', 'learn')),
    skill      TEXT NOT NULL,
    PRIMARY KEY (user_id, direction, skill)
) STRICT;

-- Survey modals Tandem opened: a submission must come from the same user, for the same view, with the same nonce.
CREATE TABLE survey_views (
    view_id    TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    opened_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX survey_views_user ON survey_views (user_id);

-- Pairs. junior_id is the reverse mentor, senior_id the senior attorney. When someone leaves, their ID is removed
-- from every pair (set to NULL), so no row keeps it.
CREATE TABLE pairs (
    id           INTEGER PRIMARY KEY,
    junior_id    TEXT,
    senior_id    TEXT,
    status       TEXT NOT NULL CHECK (status IN ('active', 'at_risk', 'completed', 'ended')),
    created_at   INTEGER NOT NULL,
    ended_at     INTEGER
) STRICT;
CREATE INDEX pairs_junior ON pairs (junior_id);
CREATE INDEX pairs_senior ON pairs (senior_id);

-- Anonymous program events for counts over time ('joined', 'left', 'paused', 'resumed'): no user ID.
CREATE TABLE program_events (
    id    INTEGER PRIMARY KEY,
    kind  TEXT NOT NULL,
    at    INTEGER NOT NULL
) STRICT;
CREATE INDEX program_events_at ON program_events (at);
