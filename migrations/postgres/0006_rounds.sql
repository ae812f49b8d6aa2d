-- PostgreSQL translation of migrations/sqlite/0006_rounds.sql (keep both in step; migrations/README.md).
-- Matching rounds that start on schedule (TANDEM_ROUND_CRON): such a round's proposal is sent to every admin for
-- review, so it has one review message per admin. Each is kept here so that the decision replaces all of them (no
-- Approve button is left to press). `proposals.channel`/`ts` keep the first, as before.
CREATE TABLE proposal_reviews (
    proposal_id  BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,
    ts           TEXT NOT NULL,
    PRIMARY KEY (proposal_id, channel)
);
