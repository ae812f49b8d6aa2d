-- PostgreSQL translation of migrations/sqlite/0008_calendar.sql (keep both in step; migrations/README.md).
-- Calendar invites (issue 13): the SEQUENCE (RFC 5545) of the latest calendar invite decided for each pair. The
-- first invite is 0; every change of plan that carries a first meeting sends the same UID with the next number, so
-- a calendar replaces the event instead of adding another. No personal data: e-mail addresses are read from Slack
-- when the file is made and never stored.
-- pair_id is the pair's ID (in SQLite an INTEGER PRIMARY KEY, i.e. the rowid): never generated here.
CREATE TABLE calendar_invites (
    pair_id     BIGINT PRIMARY KEY REFERENCES pairs (id) ON DELETE CASCADE,
    sequence    BIGINT NOT NULL CHECK (sequence >= 0),
    updated_at  BIGINT NOT NULL
);
