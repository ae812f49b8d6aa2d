-- Calendar invites (issue 13): the SEQUENCE (RFC 5545) of the latest calendar invite decided for each pair. The
-- first invite is 0; every change of plan that carries a first meeting sends the same UID with the next number, so
-- a calendar replaces the event instead of adding another. No personal data: e-mail addresses are read from Slack
-- when the file is made and never stored.
CREATE TABLE calendar_invites (
    pair_id     INTEGER PRIMARY KEY REFERENCES pairs (id) ON DELETE CASCADE,
    sequence    INTEGER NOT NULL CHECK (sequence >= 0),
    updated_at  INTEGER NOT NULL
) STRICT;
