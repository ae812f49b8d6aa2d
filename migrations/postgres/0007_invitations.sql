-- PostgreSQL translation of migrations/sqlite/0007_invitations.sql (keep both in step; migrations/README.md).
-- Invitations to opt in (`/mentor invite`, `tandem invite --csv`): one row per person, the latest invitation. An
-- invitation enrols nobody; it records that the person was sent (or is about to be sent) a DM with a Join button, so
-- that nobody is invited twice within 30 days, and the supervisor an HR export named for them, which pre-fills
-- "who I report to" in their survey. When the DM is about to go out and Slack says the account is a bot's or
-- deactivated, the row says so instead (and that account is not invited again while the row lasts). The row is
-- deleted when the person joins or leaves, and by retention (README, "Data protection").
CREATE TABLE invitations (
    user_id     TEXT PRIMARY KEY NOT NULL,
    invited_at  BIGINT NOT NULL,           -- unix seconds
    invited_by  TEXT NOT NULL,             -- the admin's user ID, or `tandem invite` for the command line
    source      TEXT NOT NULL,             -- `#general`, `@lawyers` or the CSV file's name
    reports_to  TEXT,                      -- a user ID, from the HR export's supervisor_email
    status      TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'bot', 'deactivated')),
    sent_at     BIGINT                     -- when Slack accepted the DM
);
CREATE INDEX invitations_invited_at ON invitations (invited_at);
CREATE INDEX invitations_reports_to ON invitations (reports_to);
