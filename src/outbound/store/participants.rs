//! Participants: survey answers, time zone, pause state; the modals opened for them; leaving.

use super::pairs::{current_pair_of_on, current_pairs_of_on};
use super::{Conn, Dialect, Store, StoreError, Tx};
use crate::domain::forms::survey::{Answers, parse_role, role_value};
use crate::domain::model::{Departure, PairView, Participant};
use crate::domain::schedule::Cadence;

/// A `participants` row as stored; the skills live in `participant_skills`.
#[derive(sqlx::FromRow)]
struct ParticipantRow {
    user_id: String,
    role: String,
    years: i64,
    practice_group: String,
    hours_per_month: i64,
    cadence: String,
    reports_to: Option<String>,
    tz: String,
    capacity: i64,
    paused: bool,
    paused_until: Option<i64>,
    joined_at: i64,
    display_name: Option<String>,
    /// `direction:skill` items separated by U+001F (see [`select_participants`]); `None` without skills.
    skills: Option<String>,
}

/// `SELECT <every participant column>, <their skills> FROM participants <rest>`, as a static string for each engine
/// (`match`ed on a [`Dialect`]). The skills come in the same row, as `direction:skill` items joined by the unit
/// separator (U+001F; skill IDs are ASCII letters, digits and `_`), so that reading everyone costs one row per person
/// rather than one per skill. `paused` is a 0/1 integer, read as a boolean.
macro_rules! select_participants {
    ($dialect:expr, $rest:literal) => {
        select_participants!($dialect, with "", $rest)
    };
    ($dialect:expr, with $with:literal, $rest:literal) => {
        match $dialect {
            Dialect::Sqlite => select_participants!(@ "group_concat", "char(31)", $with, $rest),
            Dialect::Postgres => select_participants!(@ "string_agg", "chr(31)", $with, $rest),
        }
    };
    (@ $agg:literal, $sep:literal, $with:literal, $rest:literal) => {
        concat!(
            $with,
            "SELECT user_id, role, years, practice_group, hours_per_month, cadence, reports_to, tz, capacity, ",
            "paused <> 0 AS paused, paused_until, joined_at, display_name, ",
            "(SELECT ", $agg, "(s.direction || ':' || s.skill, ", $sep, ") FROM participant_skills s WHERE s.user_id = participants.user_id) AS skills ",
            "FROM participants ",
            $rest
        )
    };
}

/// Splits a row's `skills` column into what the person can teach and wants to learn, each sorted by skill ID.
fn split_skills(skills: Option<&str>) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let (mut teach, mut learn) = (Vec::new(), Vec::new());
    for item in skills
        .unwrap_or_default()
        .split('\u{1f}')
        .filter(|i| !i.is_empty())
    {
        match item.split_once(':') {
            Some(("teach", skill)) => teach.push(skill.to_string()),
            Some(("learn", skill)) => learn.push(skill.to_string()),
            _ => {
                return Err(StoreError::Corrupt(
                    "participant_skills has an unknown direction".into(),
                ));
            }
        }
    }
    teach.sort_unstable();
    learn.sort_unstable();
    Ok((teach, learn))
}

/// An enrolled person as a report counts them: what decides their side, when they joined, whether they are paused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPerson {
    pub user_id: String,
    pub display_name: Option<String>,
    pub role: crate::domain::matching::Role,
    pub years: u8,
    pub joined_at: i64,
    /// Paused as of the time asked for.
    pub paused: bool,
}

impl ParticipantRow {
    fn into_participant(self) -> Result<Participant, StoreError> {
        let (teach, learn) = split_skills(self.skills.as_deref())?;
        let bad =
            |what: &str| StoreError::Corrupt(format!("participants.{what} has an unknown value"));
        Ok(Participant {
            user_id: self.user_id,
            answers: Answers {
                role: parse_role(&self.role).ok_or_else(|| bad("role"))?,
                years: u8::try_from(self.years).map_err(|_| bad("years"))?,
                practice_group: self.practice_group,
                teach,
                learn,
                hours_per_month: u8::try_from(self.hours_per_month)
                    .map_err(|_| bad("hours_per_month"))?,
                cadence: Cadence::parse(&self.cadence).map_err(|_| bad("cadence"))?,
                reports_to: self.reports_to,
            },
            tz: self.tz,
            capacity: u8::try_from(self.capacity).unwrap_or(u8::MAX),
            paused: self.paused,
            paused_until: self.paused_until,
            joined_at: self.joined_at,
            display_name: self.display_name,
        })
    }
}

async fn participant_on(c: Conn<'_>, user_id: &str) -> Result<Option<Participant>, StoreError> {
    let row: Option<ParticipantRow> = match c {
        Conn::Sqlite(c) => {
            sqlx::query_as(select_participants!(Dialect::Sqlite, "WHERE user_id = $1"))
                .bind(user_id)
                .fetch_optional(c)
                .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_as(select_participants!(
                Dialect::Postgres,
                "WHERE user_id = $1"
            ))
            .bind(user_id)
            .fetch_optional(c)
            .await?
        }
    };
    row.map(ParticipantRow::into_participant).transpose()
}

impl Tx {
    /// Locks `user_id`'s participant row until this transaction ends, for a flow that reads the person's state and
    /// decides from it (resume, leave): on PostgreSQL `SELECT … FOR UPDATE` (a second such flow waits, then sees the
    /// first one's outcome); a no-op on SQLite, whose write transaction holds the whole database. Call it before the
    /// reads.
    pub async fn lock_participant(&mut self, user_id: &str) -> Result<(), StoreError> {
        if let Conn::Postgres(c) = self.conn() {
            sqlx::query("SELECT user_id FROM participants WHERE user_id = $1 FOR UPDATE")
                .bind(user_id)
                .fetch_optional(c)
                .await?;
        }
        Ok(())
    }

    /// Someone's record, if they are enrolled, read in this transaction.
    pub async fn participant(&mut self, user_id: &str) -> Result<Option<Participant>, StoreError> {
        participant_on(self.conn(), user_id).await
    }
}

impl Store {
    /// Someone's record, if they are enrolled.
    pub async fn participant(&self, user_id: &str) -> Result<Option<Participant>, StoreError> {
        participant_on(self.acquire().await?.conn(), user_id).await
    }

    /// Everyone enrolled, ordered by user ID.
    pub async fn participants(&self) -> Result<Vec<Participant>, StoreError> {
        let sql = select_participants!(self.dialect(), "ORDER BY user_id");
        let rows: Vec<ParticipantRow> =
            on_db!(self.pool(), |p| sqlx::query_as(sql).fetch_all(p).await?);
        rows.into_iter()
            .map(ParticipantRow::into_participant)
            .collect()
    }

    /// The people a matching round can consider, ordered by user ID: everyone enrolled but those whose current
    /// (active or at-risk) pairs already take all they can (`capacity`, or one pair for someone with none).
    /// `rounds::build_round` applies the exact rule by side; this only spares reading everyone else, which in a
    /// big program is most people.
    pub async fn round_candidates(&self) -> Result<Vec<Participant>, StoreError> {
        let sql = select_participants!(
            self.dialect(),
            with "WITH busy AS (SELECT who, COUNT(*) AS n FROM (
                 SELECT junior_id AS who FROM pairs WHERE status IN ('active', 'at_risk') AND junior_id IS NOT NULL
                 UNION ALL
                 SELECT senior_id FROM pairs WHERE status IN ('active', 'at_risk') AND senior_id IS NOT NULL
             ) AS members GROUP BY who) ",
            "LEFT JOIN busy ON busy.who = participants.user_id
             WHERE COALESCE(busy.n, 0) < CASE WHEN participants.capacity > 1 THEN participants.capacity ELSE 1 END
             ORDER BY user_id"
        );
        let rows: Vec<ParticipantRow> =
            on_db!(self.pool(), |p| sqlx::query_as(sql).fetch_all(p).await?);
        rows.into_iter()
            .map(ParticipantRow::into_participant)
            .collect()
    }

    /// Everyone enrolled as a report counts them (no answers, no skills), ordered by user ID.
    pub async fn report_people(&self, now: i64) -> Result<Vec<ReportPerson>, StoreError> {
        let rows: Vec<(String, Option<String>, String, i64, i64, bool)> =
            on_db!(self.pool(), |p| {
                sqlx::query_as(
                    "SELECT user_id, display_name, role, years, joined_at,
                        paused <> 0 AND (paused_until IS NULL OR paused_until > $1) AS paused_now
                 FROM participants ORDER BY user_id",
                )
                .bind(now)
                .fetch_all(p)
                .await?
            });
        let bad =
            |what: &str| StoreError::Corrupt(format!("participants.{what} has an unknown value"));
        rows.into_iter()
            .map(|(user_id, display_name, role, years, joined_at, paused)| {
                Ok(ReportPerson {
                    user_id,
                    display_name,
                    role: parse_role(&role).ok_or_else(|| bad("role"))?,
                    years: u8::try_from(years).map_err(|_| bad("years"))?,
                    joined_at,
                    paused,
                })
            })
            .collect()
    }

    pub async fn set_timezone(&self, user_id: &str, tz: &str) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("UPDATE participants SET tz = $1 WHERE user_id = $2")
                .bind(tz)
                .bind(user_id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Remembers the survey modal opened for `user_id`.
    pub async fn record_survey_view(
        &self,
        view_id: &str,
        user_id: &str,
        nonce: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query(
                "INSERT INTO survey_views (view_id, user_id, nonce, opened_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (view_id) DO UPDATE SET user_id = excluded.user_id, nonce = excluded.nonce,
                   opened_at = excluded.opened_at",
            )
            .bind(view_id)
            .bind(user_id)
            .bind(nonce)
            .bind(now)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// True when Tandem opened this view for this user with this nonce.
    pub async fn is_survey_view_of(
        &self,
        view_id: &str,
        user_id: &str,
        nonce: &str,
    ) -> Result<bool, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM survey_views WHERE view_id = $1 AND user_id = $2 AND nonce = $3)",
            )
            .bind(view_id)
            .bind(user_id)
            .bind(nonce)
            .fetch_one(p)
            .await?
        }))
    }

    /// Forgets survey modals opened more than a day ago and never submitted.
    pub async fn prune_survey_views(&self, now: i64) -> Result<u64, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query("DELETE FROM survey_views WHERE opened_at < $1")
                .bind(now - 24 * 3600)
                .execute(p)
                .await?
                .rows_affected()
        }))
    }

    /// Starts a pair (used by approval; also by tests).
    pub async fn create_pair(
        &self,
        junior_id: &str,
        senior_id: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_scalar("INSERT INTO pairs (junior_id, senior_id, status, created_at) VALUES ($1, $2, 'active', $3) RETURNING id")
                .bind(junior_id)
                .bind(senior_id)
                .bind(now)
                .fetch_one(p)
                .await?
        }))
    }

    /// The pair someone is in now (active or at risk), if any.
    pub async fn current_pair(&self, user_id: &str) -> Result<Option<PairView>, StoreError> {
        let pair = current_pair_of_on(self.acquire().await?.conn(), user_id).await?;
        Ok(pair.map(|p| PairView {
            id: p.id,
            partner: p.partner_of(user_id).map(str::to_owned),
            as_junior: p.junior_id.as_deref() == Some(user_id),
            status: p.status,
        }))
    }
}

impl Tx {
    /// Stores someone's answers (insert or update). Returns `true` when they were not enrolled before: the insert that
    /// made their row says so, so two submissions at once (PostgreSQL) count one enrolment.
    pub async fn save_answers(
        &mut self,
        user_id: &str,
        a: &Answers,
        now: i64,
    ) -> Result<bool, StoreError> {
        on_conn!(self.conn(), |c| {
            let new = sqlx::query(
                "INSERT INTO participants (user_id, role, years, practice_group, hours_per_month, cadence, reports_to, joined_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(role_value(a.role))
            .bind(i64::from(a.years))
            .bind(&a.practice_group)
            .bind(i64::from(a.hours_per_month))
            .bind(a.cadence.as_str())
            .bind(&a.reports_to)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
                == 1;
            if !new {
                sqlx::query(
                    "UPDATE participants SET role = $2, years = $3, practice_group = $4, hours_per_month = $5,
                       cadence = $6, reports_to = $7, updated_at = $8
                     WHERE user_id = $1",
                )
                .bind(user_id)
                .bind(role_value(a.role))
                .bind(i64::from(a.years))
                .bind(&a.practice_group)
                .bind(i64::from(a.hours_per_month))
                .bind(a.cadence.as_str())
                .bind(&a.reports_to)
                .bind(now)
                .execute(&mut *c)
                .await?;
            }
            sqlx::query("DELETE FROM participant_skills WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            for (direction, skills) in [("teach", &a.teach), ("learn", &a.learn)] {
                for skill in skills {
                    sqlx::query(
                        "INSERT INTO participant_skills (user_id, direction, skill) VALUES ($1, $2, $3)",
                    )
                    .bind(user_id)
                    .bind(direction)
                    .bind(skill)
                    .execute(&mut *c)
                    .await?;
                }
            }
            if new {
                sqlx::query("INSERT INTO program_events (kind, at) VALUES ('joined', $1)")
                    .bind(now)
                    .execute(&mut *c)
                    .await?;
            }
            Ok(new)
        })
    }

    /// Pauses someone until `until` (or until they resume). Returns `false` when they are not enrolled.
    pub async fn pause(
        &mut self,
        user_id: &str,
        until: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        on_conn!(self.conn(), |c| {
            let done = sqlx::query("UPDATE participants SET paused = 1, paused_until = $1, updated_at = $2 WHERE user_id = $3")
                .bind(until)
                .bind(now)
                .bind(user_id)
                .execute(&mut *c)
                .await?
                .rows_affected();
            if done == 1 {
                sqlx::query("INSERT INTO program_events (kind, at) VALUES ('paused', $1)")
                    .bind(now)
                    .execute(&mut *c)
                    .await?;
            }
            Ok(done == 1)
        })
    }

    /// Ends someone's pause. Returns `false` when they are not enrolled.
    pub async fn resume(&mut self, user_id: &str, now: i64) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query("UPDATE participants SET paused = 0, paused_until = NULL, updated_at = $1 WHERE user_id = $2")
                .bind(now)
                .bind(user_id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    pub async fn forget_survey_views(&mut self, user_id: &str) -> Result<(), StoreError> {
        on_conn!(self.conn(), |c| {
            sqlx::query("DELETE FROM survey_views WHERE user_id = $1")
                .bind(user_id)
                .execute(c)
                .await?;
        });
        Ok(())
    }

    /// Deletes everything Tandem holds about `user_id`: answers, skills, open modals, and their ID in every pair and
    /// in others' `reports_to`. Active pairs end. Only an anonymous 'left' count remains.
    pub async fn delete_participant(
        &mut self,
        user_id: &str,
        now: i64,
    ) -> Result<Departure, StoreError> {
        let mut departure = Departure::default();
        let cancel_their_messages = match self.dialect() {
            Dialect::Sqlite => {
                "UPDATE jobs SET state = 'cancelled', key = NULL, payload = '{}' WHERE state = 'pending' AND kind IN ('unmatched_note', 'invite') AND json_extract(payload, '$.user') = $1"
            }
            Dialect::Postgres => {
                "UPDATE jobs SET state = 'cancelled', key = NULL, payload = '{}' WHERE state = 'pending' AND kind IN ('unmatched_note', 'invite') AND CAST(payload AS jsonb) ->> 'user' = $1"
            }
        };
        let current = current_pairs_of_on(self.conn(), user_id).await?;
        on_conn!(self.conn(), |c| {
            for pair in current {
                // Only a pair still current ends here (on PostgreSQL another transaction, the partner's own leaving,
                // may have ended it since it was read).
                let ended = sqlx::query(
                    "UPDATE pairs SET status = 'ended', ended_at = $1 WHERE id = $2 AND status IN ('active', 'at_risk')",
                )
                .bind(now)
                .bind(pair.id)
                .execute(&mut *c)
                .await?
                .rows_affected();
                if ended == 1 {
                    let partner = pair.partner_of(user_id).map(str::to_owned);
                    departure.ended_pairs.push((pair.id, partner));
                }
            }
            sqlx::query("UPDATE proposals SET status = 'stale', decided_at = $1, body = '{}' WHERE status IN ('computing', 'open') AND body LIKE '%' || $2 || '%'")
                .bind(now)
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            sqlx::query("UPDATE pairs SET explanation = NULL, end_reason = NULL WHERE junior_id = $1 OR senior_id = $1")
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            for statement in [
                "UPDATE checkin_answers SET user_id = NULL, covered = NULL WHERE user_id = $1",
                "UPDATE feedback SET user_id = NULL, learned = NULL WHERE user_id = $1",
                "DELETE FROM help_requests WHERE user_id = $1",
                "DELETE FROM exclusions WHERE user_a = $1 OR user_b = $1",
                "UPDATE exclusions SET added_by = NULL WHERE added_by = $1",
                "DELETE FROM plans WHERE pair_id IN (SELECT id FROM pairs WHERE junior_id = $1 OR senior_id = $1)",
                "UPDATE jobs SET state = 'cancelled', key = NULL WHERE state = 'pending' AND pair_id IN (SELECT id FROM pairs WHERE (junior_id = $1 OR senior_id = $1) AND status = 'ended')",
                cancel_their_messages,
                "UPDATE pairs SET junior_id = NULL WHERE junior_id = $1",
                "UPDATE pairs SET senior_id = NULL WHERE senior_id = $1",
                "UPDATE participants SET reports_to = NULL WHERE reports_to = $1",
                "DELETE FROM invitations WHERE user_id = $1",
                "UPDATE invitations SET reports_to = NULL WHERE reports_to = $1",
                "DELETE FROM survey_views WHERE user_id = $1",
                "DELETE FROM participant_skills WHERE user_id = $1",
                "DELETE FROM participants WHERE user_id = $1",
            ] {
                sqlx::query(statement)
                    .bind(user_id)
                    .execute(&mut *c)
                    .await?;
            }
            sqlx::query("INSERT INTO program_events (kind, at) VALUES ('left', $1)")
                .bind(now)
                .execute(&mut *c)
                .await?;
        });
        Ok(departure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::matching::Role;

    use crate::outbound::store::test_store as store;

    fn answers() -> Answers {
        Answers {
            role: Role::Associate,
            years: 3,
            practice_group: "Tax".into(),
            teach: vec!["ai_drafting".into(), "ediscovery".into()],
            learn: vec!["negotiation".into()],
            hours_per_month: 2,
            cadence: Cadence::Weekly,
            reports_to: Some("U0BOSS".into()),
        }
    }

    #[tokio::test]
    async fn answers_round_trip_and_update_in_place() {
        let (_d, s) = store().await;
        assert!(
            in_tx!(s, save_answers("U1", &answers(), 100))
                .await
                .unwrap()
        );
        let p = s.participant("U1").await.unwrap().unwrap();
        assert_eq!(p.answers, answers());
        assert_eq!(
            (p.tz.as_str(), p.capacity, p.paused, p.joined_at),
            ("UTC", 1, false, 100)
        );
        let mut changed = answers();
        changed.teach = vec!["social_media".into()];
        changed.reports_to = None;
        assert!(
            !in_tx!(s, save_answers("U1", &changed, 200)).await.unwrap(),
            "an update is not a new enrolment"
        );
        let p = s.participant("U1").await.unwrap().unwrap();
        assert_eq!(p.answers, changed);
        assert_eq!(p.joined_at, 100);
        assert_eq!(s.participants().await.unwrap(), vec![p]);
    }

    #[tokio::test]
    async fn everyone_is_read_with_their_own_skills_sorted() {
        let (_d, s) = store().await;
        let mut two = answers();
        two.teach = vec!["social_media".into(), "ai_drafting".into()];
        two.learn = vec![];
        in_tx!(s, save_answers("U2", &two, 0)).await.unwrap();
        in_tx!(s, save_answers("U1", &answers(), 0)).await.unwrap();
        let all = s.participants().await.unwrap();
        let skills: Vec<_> = all
            .iter()
            .map(|p| (p.user_id.as_str(), &p.answers.teach, &p.answers.learn))
            .collect();
        assert_eq!(
            skills,
            vec![
                ("U1", &answers().teach, &answers().learn),
                (
                    "U2",
                    &vec!["ai_drafting".to_string(), "social_media".to_string()],
                    &vec![]
                ),
            ]
        );
    }

    #[test]
    fn a_skills_column_is_split_by_direction_and_refused_when_malformed() {
        assert_eq!(split_skills(None).unwrap(), (vec![], vec![]));
        assert_eq!(
            split_skills(Some("learn:b\u{1f}teach:z\u{1f}teach:a")).unwrap(),
            (vec!["a".into(), "z".into()], vec!["b".into()])
        );
        assert!(split_skills(Some("mentor:a")).is_err());
        assert!(split_skills(Some("teach")).is_err());
    }

    #[tokio::test]
    async fn a_pause_with_an_end_ends_by_itself() {
        let (_d, s) = store().await;
        in_tx!(s, save_answers("U1", &answers(), 0)).await.unwrap();
        assert!(
            !in_tx!(s, pause("U9", None, 0)).await.unwrap(),
            "not enrolled"
        );
        assert!(in_tx!(s, pause("U1", Some(1000), 10)).await.unwrap());
        let p = s.participant("U1").await.unwrap().unwrap();
        assert!(p.is_paused(999) && !p.is_paused(1000));
        in_tx!(s, pause("U1", None, 10)).await.unwrap();
        assert!(
            s.participant("U1")
                .await
                .unwrap()
                .unwrap()
                .is_paused(i64::MAX)
        );
        in_tx!(s, resume("U1", 20)).await.unwrap();
        assert!(!s.participant("U1").await.unwrap().unwrap().is_paused(20));
    }
}
