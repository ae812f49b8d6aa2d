//! The program's shared types: what the store keeps, the flows decide on, the reports count and the views show.
//! Plain data with their store spellings; no I/O.

use crate::domain::forms::survey::Answers;
use serde::{Deserialize, Serialize};

/// Defines a unit enum with one spelling per variant (as stored), `as_str`, `parse` and `TryFrom<String>`.
macro_rules! spelled {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v,)+];
            /// The stored spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)+ }
            }
            /// Parses the stored spelling.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$v),)+ _ => None }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $name::parse(&s).ok_or_else(|| format!("unknown {} '{}'", stringify!($name), s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spelled! {
    /// A pair's state.
    pub enum PairStatus {
        Active = "active",
        AtRisk = "at_risk",
        Completed = "completed",
        Ended = "ended",
    }
}

impl PairStatus {
    /// Active or at risk: the pair is still running.
    pub fn is_current(self) -> bool {
        matches!(self, PairStatus::Active | PairStatus::AtRisk)
    }
}

spelled! {
    /// Which side of a pair a person is on.
    pub enum Side {
        /// The more junior person, who teaches technology "up".
        ReverseMentor = "reverse_mentor",
        /// The senior attorney, who teaches practice skills "down".
        Senior = "senior",
    }
}

impl Side {
    /// Human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            Side::ReverseMentor => "reverse mentor",
            Side::Senior => "senior",
        }
    }
}

spelled! {
    /// A person's answer to a check-in (there is no free-text answer). Reports count "no answer" as `None`.
    pub enum CheckinAnswer {
        /// "We met".
        Met = "met",
        /// "Not yet".
        NotYet = "not_yet",
        /// "We need help".
        NeedHelp = "need_help",
    }
}

spelled! {
    /// A matching proposal's state.
    pub enum ProposalStatus {
        /// The round is being computed (by a job).
        Computing = "computing",
        /// Shown to the admin, waiting for a decision.
        Open = "open",
        Approved = "approved",
        Discarded = "discarded",
        /// It no longer held when approved, or someone in it left.
        Stale = "stale",
    }
}

spelled! {
    /// What a durable job does. Each kind maps to one flow step (`crate::jobs::kinds`).
    pub enum JobKind {
        /// Open the pair's group DM and introduce them.
        Intro = "intro",
        /// One gentle reminder when a pair has no plan.
        PlanReminder = "plan_reminder",
        /// Ask a pair whether they met.
        Checkin = "checkin",
        /// Suggestions for a pair that stalled.
        Nudge = "nudge",
        /// Tell the admins privately that someone in a pair asked for help (with what they wrote).
        HelpAlert = "help_alert",
        /// Tell the admins privately that a pair went at risk (once per at-risk episode).
        RiskAlert = "risk_alert",
        /// Thank a pair on their end date and ask for feedback.
        Closing = "closing",
        /// The managers' scheduled summary.
        Summary = "summary",
        /// Compute a matching round and send it to the admin for review.
        ComputeRound = "compute_round",
        /// Replace the review message of a proposal: with the decision, or with its current version.
        ProposalUpdate = "proposal_update",
        /// Re-render a check-in message with who answered what.
        CheckinRefresh = "checkin_refresh",
        /// Post one message (a DM to a person, or a channel), rendered when it was decided.
        Message = "message",
        /// Re-publish someone's Home tab from their current standing.
        HomeRefresh = "home_refresh",
        /// After a survey: time zone and name from Slack, the confirmation DM, the Home tab.
        Welcome = "welcome",
        /// `/mentor mydata`: the person's data as a summary DM and a JSON file.
        SubjectAccess = "subject_access",
        /// `/mentor report`: the weekly chart as a file in the admin's DM.
        ReportChart = "report_chart",
        /// The end-of-cohort report, once the last pair of a matching round has closed.
        CohortReport = "cohort_report",
        /// A saved plan with a first meeting: the calendar invite (`.ics`) in the pair's group DM.
        PlanCalendar = "plan_calendar",
        /// An invitation to opt in: a DM with a Join button (`/mentor invite`, `tandem invite`).
        Invite = "invite",
        /// `TANDEM_ROUND_CRON` fired: start a matching round (the proposal goes to the admins for review).
        ScheduledRound = "scheduled_round",
        /// After approval: tell one person left out of the round why, and when the next round is.
        UnmatchedNote = "unmatched_note",
    }
}

spelled! {
    /// What an admin did, as the audit log spells it. A new admin action gets a spelling here (the table has no
    /// CHECK on it, so nothing else changes).
    pub enum AuditAction {
        /// `/mentor match`: a matching round was started.
        StartRound = "match",
        /// A proposal was approved (or found stale on approval).
        Approve = "approve",
        /// A proposal was discarded.
        Discard = "discard",
        /// A pair was removed from a proposal (the rest re-matched without it, for that round only).
        RemovePair = "remove_pair",
        /// `/mentor exclude @a @b`.
        Exclude = "exclude",
        /// `/mentor unexclude @a @b`.
        Unexclude = "unexclude",
        /// `/mentor capacity @senior N`.
        Capacity = "capacity",
        /// `/mentor report`: the managers' summary was shown to an admin.
        Report = "report",
        /// `/mentor feedback`: the pairs' anonymous words were shown to an admin.
        Feedback = "feedback",
        /// `/mentor invite` or `tandem invite`: invitations to opt in were queued.
        Invite = "invite",
        /// *Message them* on a help or at-risk alert: Tandem posted the admin's message to a pair.
        MessagePair = "message_pair",
        /// *End the pair kindly* on a help or at-risk alert.
        EndPair = "end_pair",
        /// *Re-match both* on a help or at-risk alert: the pair ended and both wait for the next round.
        Rematch = "rematch",
    }
}

impl AuditAction {
    /// What the action was, in a few words for people.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::StartRound => "started a matching round",
            AuditAction::Approve => "approved a proposal",
            AuditAction::Discard => "discarded a proposal",
            AuditAction::RemovePair => "removed a pair from a proposal",
            AuditAction::Exclude => "excluded a pairing",
            AuditAction::Unexclude => "removed an exclusion",
            AuditAction::Capacity => "set a capacity",
            AuditAction::Report => "ran the report",
            AuditAction::Feedback => "read the anonymous feedback",
            AuditAction::Invite => "sent invitations",
            AuditAction::MessagePair => "messaged a pair",
            AuditAction::EndPair => "ended a pair",
            AuditAction::Rematch => "ended a pair to re-match both",
        }
    }
}

/// One admin action for the audit log: who, what, on whom (user IDs, when the action names anyone) and a short
/// detail (a proposal number, a capacity). Never a participant's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub actor: String,
    pub action: AuditAction,
    pub subject: Option<String>,
    pub other: Option<String>,
    pub detail: String,
}

impl AuditEntry {
    pub fn new(actor: &str, action: AuditAction) -> AuditEntry {
        AuditEntry {
            actor: actor.to_string(),
            action,
            subject: None,
            other: None,
            detail: String::new(),
        }
    }
    /// The person the action concerns.
    pub fn on(mut self, user: &str) -> AuditEntry {
        self.subject = Some(user.to_string());
        self
    }
    /// The second person (an exclusion names two).
    pub fn and(mut self, user: &str) -> AuditEntry {
        self.other = Some(user.to_string());
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> AuditEntry {
        self.detail = detail.into();
        self
    }
}

/// Two people an admin excluded from ever being paired (`/mentor exclusions` lists them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub a: String,
    pub b: String,
    /// Unix seconds when it was added.
    pub at: i64,
    /// The admin who added it, when known (the audit log of an old exclusion may be past retention).
    pub added_by: Option<String>,
}

/// An audit log row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub entry: AuditEntry,
}

/// The payload of a [`JobKind::Message`] job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessagePayload {
    /// A user ID (a DM) or a channel ID.
    pub to: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<serde_json::Value>,
}

/// The payload of the jobs that concern one person ([`JobKind::HomeRefresh`], [`JobKind::Welcome`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPayload {
    pub user: String,
    /// For [`JobKind::Welcome`]: the person had not answered the survey before.
    #[serde(default)]
    pub first_time: bool,
}

/// The payload of [`JobKind::ComputeRound`] and [`JobKind::ProposalUpdate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalPayload {
    pub proposal_id: i64,
    /// The admin who asked for the round (the review goes to them).
    #[serde(default)]
    pub admin: String,
    /// For [`JobKind::ProposalUpdate`]: what the review message becomes; empty: the proposal as it is when the
    /// job runs (its current version, or a note that it is being re-matched; nothing once decided).
    #[serde(default)]
    pub text: String,
    /// For [`JobKind::ComputeRound`]: the round was started by `TANDEM_ROUND_CRON`, so the review goes to every
    /// admin (`admin` is empty).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scheduled: bool,
}

/// The payload of [`JobKind::UnmatchedNote`]: who was left out of which round, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchedPayload {
    pub user: String,
    pub proposal_id: i64,
    pub reason: crate::domain::matching::UnmatchedReason,
    /// The working slot the note waits for (unix seconds): the job's due time may move on after a retry, this
    /// does not. Missing in notes queued before it existed (their due time is the approval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<i64>,
    /// Its first slot (unix seconds), kept when the note waits again after an outage: how late it is counts from
    /// here ([`crate::domain::lateness`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
}

/// The payload of [`JobKind::Invite`]: who is invited, and the working slot in their zone the DM waits for once the
/// job has learnt that zone (unix seconds; `None` until then: the job is due when the invitation was decided).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePayload {
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<i64>,
}

/// The payload of [`JobKind::CheckinRefresh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinPayload {
    pub checkin_id: i64,
}

/// The payload of [`JobKind::PlanCalendar`]: the `SEQUENCE` of the invite decided with the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarPayload {
    pub sequence: u32,
}

/// The payload of [`JobKind::HelpAlert`]: the help request. (A job queued by an earlier version names the check-in
/// instead, whose "we need help" answer says who asked.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HelpPayload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkin_id: Option<i64>,
}

/// The payload of [`JobKind::Nudge`]: which nudge of the at-risk episode it is (1 or 2; an earlier version's job
/// has none and is the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NudgePayload {
    #[serde(default = "first_nudge")]
    pub nth: u8,
}

fn first_nudge() -> u8 {
    1
}

/// A person who opted in, with their survey answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub user_id: String,
    pub answers: Answers,
    /// IANA time zone from Slack's profile (UTC until known).
    pub tz: String,
    /// How many reverse mentors this person takes at once when on the senior side.
    pub capacity: u8,
    pub paused: bool,
    /// Unix seconds when a pause ends by itself; `None` while paused means until they resume.
    pub paused_until: Option<i64>,
    pub joined_at: i64,
    /// The person's name in Slack, once known (for tables and reports; Slack messages use mentions).
    pub display_name: Option<String>,
}

impl Participant {
    /// Paused at `now`: a pause with an end date has ended once that date has passed.
    pub fn is_paused(&self, now: i64) -> bool {
        self.paused && self.paused_until.is_none_or(|until| until > now)
    }
}

/// What leaving did: the pairs that were active, with the partner who stays.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Departure {
    pub ended_pairs: Vec<(i64, Option<String>)>,
}

/// A pair as a participant sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairView {
    pub id: i64,
    pub partner: Option<String>,
    /// True when the participant is the reverse mentor (junior) in this pair.
    pub as_junior: bool,
    pub status: PairStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_parses_back() {
        for k in JobKind::ALL {
            assert_eq!(JobKind::parse(k.as_str()), Some(*k));
        }
        for s in PairStatus::ALL {
            assert_eq!(PairStatus::try_from(s.as_str().to_string()), Ok(*s));
        }
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
        }
        for s in ProposalStatus::ALL {
            assert_eq!(ProposalStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(JobKind::parse("Intro"), None);
        assert!(PairStatus::try_from("paused".to_string()).is_err());
        assert!(PairStatus::AtRisk.is_current() && !PairStatus::Ended.is_current());
    }
}
