//! Subject access (`/mentor mydata`): everything Tandem holds about one person, as plain data that becomes a JSON
//! file (serde) and a readable summary (`views::subject_access`). About anyone else it holds only the partner's
//! name: never their answers, check-in answers, feedback or notes.

use serde::{Serialize, Serializer};

/// Everything Tandem holds about `user_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectData {
    pub user_id: String,
    /// When this was gathered.
    #[serde(serialize_with = "unix")]
    pub generated_at: i64,
    /// The survey answers and settings; `None` when not enrolled.
    pub profile: Option<Profile>,
    pub pairs: Vec<PairData>,
    /// Their own answers to check-ins (never their partner's).
    pub checkin_answers: Vec<OwnCheckinAnswer>,
    /// Their own closing feedback.
    pub feedback: Vec<OwnFeedback>,
    /// Their own private help requests (what they wrote goes only to the program admins).
    pub help_requests: Vec<OwnHelpRequest>,
    /// Messages Tandem has scheduled that will reach them.
    pub scheduled_messages: Vec<ScheduledMessage>,
    /// Their latest invitation to opt in, if Tandem keeps one.
    pub invitation: Option<InvitationData>,
}

impl SubjectData {
    /// True when Tandem holds nothing about the person.
    pub fn is_empty(&self) -> bool {
        self.profile.is_none()
            && self.pairs.is_empty()
            && self.checkin_answers.is_empty()
            && self.feedback.is_empty()
            && self.help_requests.is_empty()
            && self.scheduled_messages.is_empty()
            && self.invitation.is_none()
    }
}

/// An invitation to opt in (`/mentor invite`, `tandem invite`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvitationData {
    #[serde(serialize_with = "unix")]
    pub invited_at: i64,
    /// The admin's user ID, or `tandem invite` (the command line).
    pub invited_by: String,
    /// The channel, user group or HR file they were invited from.
    pub source: String,
    /// The supervisor an HR export named (a user ID), which pre-fills the survey.
    pub suggested_supervisor: Option<String>,
    /// `queued`, `sent`, `bot` or `deactivated`.
    pub status: String,
}

/// The survey answers and settings, with skills as their labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub display_name: Option<String>,
    pub role: String,
    pub years_in_practice: u8,
    pub practice_group: String,
    pub can_teach: Vec<String>,
    pub wants_to_learn: Vec<String>,
    pub hours_per_month: u8,
    pub cadence: String,
    /// The user ID of the person they report to, if given.
    pub reports_to: Option<String>,
    pub time_zone: String,
    pub capacity: u8,
    pub paused: bool,
    #[serde(serialize_with = "unix_opt")]
    pub paused_until: Option<i64>,
    #[serde(serialize_with = "unix")]
    pub joined_at: i64,
    /// Why the last approved matching round left them out, if it did and they have not been paired since.
    pub waiting_reason: Option<String>,
}

/// A pair they were in. The partner appears by name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairData {
    pub pair_id: i64,
    /// `reverse_mentor` or `senior`.
    pub side: String,
    /// The partner's name (or `<@ID>` when Tandem has no name); `None` when the partner has left.
    pub partner: Option<String>,
    pub status: String,
    #[serde(serialize_with = "unix")]
    pub started_at: i64,
    #[serde(serialize_with = "unix_opt")]
    pub ended_at: Option<i64>,
    #[serde(serialize_with = "unix_opt")]
    pub last_met_at: Option<i64>,
    pub plan: Option<PlanData>,
}

/// The pair's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanData {
    pub objective: String,
    pub cadence: String,
    /// `YYYY-MM-DD`.
    pub end_date: String,
    pub first_meeting: Option<String>,
}

/// One of their own check-in answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnCheckinAnswer {
    pub pair_id: i64,
    #[serde(serialize_with = "unix")]
    pub asked_at: i64,
    pub answer: String,
    pub minutes: Option<i64>,
    pub covered: Option<String>,
    pub usefulness: Option<i64>,
    #[serde(serialize_with = "unix")]
    pub answered_at: i64,
}

/// Their own closing feedback for a pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnFeedback {
    pub pair_id: i64,
    pub rating: i64,
    pub learned: Option<String>,
    pub would_recommend: bool,
    #[serde(serialize_with = "unix")]
    pub given_at: i64,
}

/// One of their own private help requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnHelpRequest {
    pub pair_id: i64,
    pub text: Option<String>,
    /// Whether they allowed the program team to tell the other person that they asked.
    pub other_may_be_told: bool,
    #[serde(serialize_with = "unix")]
    pub asked_at: i64,
}

/// A pending job that will message them (its kind and when; the payload is rendered only when it runs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledMessage {
    pub kind: String,
    pub pair_id: Option<i64>,
    #[serde(serialize_with = "unix")]
    pub due_at: i64,
}

/// Unix seconds as an RFC 3339 time (UTC).
pub fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| t.to_string())
}

fn unix<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

fn unix_opt<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// The JSON file: pretty-printed, so a person can read it too.
pub fn to_json(data: &SubjectData) -> String {
    serde_json::to_string_pretty(data).unwrap_or_else(|_| "{}".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_readable_in_the_json() {
        let d = SubjectData {
            user_id: "U1".into(),
            generated_at: 0,
            profile: None,
            pairs: vec![],
            checkin_answers: vec![],
            feedback: vec![OwnFeedback {
                pair_id: 1,
                rating: 5,
                learned: None,
                would_recommend: true,
                given_at: 86_400,
            }],
            help_requests: vec![],
            scheduled_messages: vec![],
            invitation: None,
        };
        let v: serde_json::Value = serde_json::from_str(&to_json(&d)).unwrap();
        assert_eq!(v["generated_at"], "1970-01-01T00:00:00Z");
        assert_eq!(v["feedback"][0]["given_at"], "1970-01-02T00:00:00Z");
        assert!(!d.is_empty());
    }
}
