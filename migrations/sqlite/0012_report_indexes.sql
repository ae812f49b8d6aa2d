-- The managers' report counts the skills market in SQL (who wants and who teaches each skill): with this index the
-- count reads the skills in skill order instead of sorting every participant's skills on each report.
CREATE INDEX participant_skills_by_skill ON participant_skills (skill, direction, user_id);
