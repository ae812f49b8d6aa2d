-- PostgreSQL translation of migrations/sqlite/0013_drop_survey_note.sql (keep both in step; migrations/README.md).
-- The survey's optional free-text note is gone: nobody ever read it (it was shown to no one, used for nothing), so
-- it is not collected any more, and what people had written is deleted with the column.
--
-- SQLite overwrites the freed pages (PRAGMA secure_delete). PostgreSQL has no such setting, and DROP COLUMN only
-- hides the column: its values stay in the rows on disk until each row is rewritten. So the notes are cleared, the
-- column dropped, and the table rewritten (CLUSTER on its primary key runs inside the migration's transaction, unlike
-- VACUUM FULL; SET WITHOUT CLUSTER then forgets the clustering): the new file holds no note and the old one is
-- removed at commit. PostgreSQL does not overwrite the old file's blocks nor the WAL that recorded the notes
-- (migrations/README.md, "PostgreSQL"). In practice no PostgreSQL database ever held a note: this migration predates
-- PostgreSQL support, so it runs on an empty table.
UPDATE participants SET note = NULL WHERE note IS NOT NULL;
ALTER TABLE participants DROP COLUMN note;
CLUSTER participants USING participants_pkey;
ALTER TABLE participants SET WITHOUT CLUSTER;
