-- Matching: names for tables and explanations, admin exclusions, proposals under review, and what a pair was
-- proposed with.

ALTER TABLE participants ADD COLUMN display_name TEXT;

-- Pairs that must never be proposed (ethical walls, conflicts). user_a < user_b. Deleted when either person leaves.
CREATE TABLE exclusions (
    user_a      TEXT NOT NULL,
    user_b      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_a, user_b),
    CHECK (user_a < user_b)
) STRICT;

-- A proposal an admin reviews before anyone is introduced. `body` is the proposal as JSON while it is open; it is
-- emptied once decided (the approved pairs live in `pairs`). `channel`/`ts` locate the review message.
CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY,
    status      TEXT NOT NULL CHECK (status IN ('computing', 'open', 'approved', 'discarded', 'stale')),
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    channel     TEXT,
    ts          TEXT,
    body        TEXT NOT NULL DEFAULT '{}'
) STRICT;
-- One proposal at a time.
CREATE UNIQUE INDEX proposals_one_open ON proposals ((1)) WHERE status IN ('computing', 'open');

ALTER TABLE pairs ADD COLUMN proposal_id INTEGER REFERENCES proposals (id);
ALTER TABLE pairs ADD COLUMN score INTEGER;
-- JSON {"for_senior": "...", "for_junior": "..."}; emptied when either person leaves.
ALTER TABLE pairs ADD COLUMN explanation TEXT;
