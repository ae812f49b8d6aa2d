//! What people read about matching rounds: when the next one is (status, Home tab and the notes that mention it),
//! the kind note to someone left out of a round — in words meant for them, never the admins' reason text — and the
//! admins' note when a scheduled round could not start.

use super::blocks::{context, section};
use crate::domain::matching::UnmatchedReason;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// A date as Slack shows it to the reader (in their own time zone), with a fallback written in `tz` (the person's
/// zone from their profile; UTC when unknown), e.g. `Monday 11 May 2026`.
pub fn round_date(unix: i64, tz: &str) -> String {
    let zone = tz.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    let fallback = DateTime::<Utc>::from_timestamp(unix, 0)
        .map(|t| t.with_timezone(&zone).format("%A %-d %B %Y").to_string())
        .unwrap_or_default();
    format!("<!date^{unix}^{{date_long}}|{fallback}>")
}

/// One line on the next matching round, for `/mentor status` and the Home tab: its date, or who starts rounds when
/// none is scheduled.
pub fn next_round_line(next: Option<i64>, tz: &str) -> String {
    match next {
        Some(at) => format!("Next matching round: *{}*.", round_date(at, tz)),
        None => "Rounds are started by the program admins.".to_string(),
    }
}

/// How someone who is free to be paired can expect to be: on the next round's date, or when the admins next run
/// matching (no date is promised when none is scheduled).
pub fn considered_again(next: Option<i64>, tz: &str) -> String {
    match next {
        Some(at) => format!(
            "You will be considered in the next matching round, on {}.",
            round_date(at, tz)
        ),
        None => "You can be paired again when the program admins next run matching.".to_string(),
    }
}

/// Why someone was left out of a round, said to them: kind, specific, and with what they could change where there is
/// something. Never names an admin's exclusion (an ethical wall is not theirs to know of).
pub fn reason_for_person(reason: UnmatchedReason) -> &'static str {
    match reason {
        UnmatchedReason::Paused => {
            "You were taking a break from Tandem, so this round left you out, as you asked."
        }
        UnmatchedReason::NoCapacity => {
            "You are set to take no reverse mentor for now, so this round left you out. If you would like one, \
             tell a program admin."
        }
        UnmatchedReason::TooFewHours => {
            "This round asked for a little more time each month than you offered. If you can give more, \
             `/mentor profile` lets you change your hours."
        }
        UnmatchedReason::NobodyOnOtherSide => {
            "Tandem pairs a more junior colleague with a more senior one, and this round had nobody available on \
             the other side for you."
        }
        UnmatchedReason::PartnersShortOfHours => {
            "The colleagues who would suit you could not offer enough time each month this round."
        }
        UnmatchedReason::NoSeniorityGap => {
            "Tandem pairs people some years apart in their careers, and nobody available this round was far enough \
             from you in seniority."
        }
        UnmatchedReason::NobodyWantsYourSkills => {
            "Nobody available this round was looking to learn the skills you offered. Adding a skill or two you \
             could teach (`/mentor profile`) widens your chances."
        }
        UnmatchedReason::NobodyTeachesWhatYouWant => {
            "Nobody available this round could teach what you asked to learn. Adding another topic you would like \
             to learn (`/mentor profile`) widens your chances."
        }
        UnmatchedReason::LowScore => {
            "The colleagues available this round had too little in common with what you offer and want to learn \
             to make a good pair."
        }
        UnmatchedReason::OnlyBlockedPartners => {
            "The colleagues who would suit you best could not be paired with you this time, for example because of \
             a reporting line or because you have been paired before."
        }
        UnmatchedReason::NoSeniorWithTimeLeft => {
            "Every senior colleague who would suit you already has as many reverse mentors as they can take this \
             round."
        }
        UnmatchedReason::PartnersTakenElsewhere => {
            "The colleagues who would suit you were each paired with someone who suited them even more closely. \
             That is about the numbers this round, not about you."
        }
    }
}

/// The DM to someone left out of an approved round: `(fallback text, blocks)`. `next` is the next scheduled round
/// (unix seconds), `tz` the person's zone.
pub fn unmatched_dm(reason: UnmatchedReason, next: Option<i64>, tz: &str) -> (String, Value) {
    let opening = "*This Tandem matching round's pairs have been introduced, and you were not paired this time.*";
    let why = reason_for_person(reason);
    let next_text = match next {
        Some(at) => format!(
            "You stay enrolled and there is nothing you need to do: Tandem will consider you again in the next \
             matching round, on *{}*.",
            round_date(at, tz)
        ),
        None => "You stay enrolled. No further round is scheduled yet: a program admin will be in touch about what \
                 comes next."
            .to_string(),
    };
    let text = format!("{opening}\n{why}\n\n{next_text}");
    let blocks = json!([
        section(&format!("{opening}\n{why}")),
        section(&next_text),
        context(
            "`/mentor status` shows where you stand; `/mentor pause` takes a break from matching."
        ),
    ]);
    (text, blocks)
}

/// The admins' note when a scheduled round did not start because proposal `pending` is still being computed or
/// waiting for review.
pub fn round_skipped_note(
    due: i64,
    pending: i64,
    computing: bool,
    pending_since: i64,
    next: Option<i64>,
) -> String {
    let state = if computing {
        "is still being computed"
    } else {
        "is still waiting for review"
    };
    let after = match next {
        Some(at) => format!(" The next scheduled round is on {}.", round_date(at, "UTC")),
        None => String::new(),
    };
    format!(
        "The matching round scheduled for {} (`TANDEM_ROUND_CRON`) did not start: proposal #{pending}, from {}, {state}. \
         Approve or discard it; `/mentor match` then starts a fresh round whenever you like.{after}",
        round_date(due, "UTC"),
        round_date(pending_since, "UTC"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::limits::check_message_blocks;

    const EVERY_REASON: [UnmatchedReason; 12] = UnmatchedReason::ALL;

    #[test]
    fn each_reason_has_its_own_words_for_the_person_not_the_admins_text() {
        let mut seen = std::collections::BTreeSet::new();
        for r in EVERY_REASON {
            let words = reason_for_person(r);
            assert!(seen.insert(words), "{r:?} shares its wording");
            assert!(
                !words.contains(r.text()),
                "{r:?} repeats the admins' reason text"
            );
            assert!(words.ends_with('.'), "{r:?}");
            let lower = words.to_lowercase();
            assert!(
                !lower.contains("exclu") && !lower.contains("score"),
                "{r:?} says too much: {words}"
            );
        }
    }

    #[test]
    fn the_note_gives_the_next_round_as_a_date_in_the_persons_zone_or_says_an_admin_will_be_in_touch()
     {
        // 04:00 UTC on Monday 11 May is still Sunday 10 May in Chicago.
        let monday = DateTime::parse_from_rfc3339("2026-05-11T04:00:00Z")
            .unwrap()
            .timestamp();
        let (text, blocks) = unmatched_dm(
            UnmatchedReason::PartnersTakenElsewhere,
            Some(monday),
            "America/Chicago",
        );
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(
            text.contains(&format!(
                "<!date^{monday}^{{date_long}}|Sunday 10 May 2026>"
            )),
            "{text}"
        );
        assert!(text.contains("not about you") && !text.contains("admin will be in touch"));
        let (text, _) = unmatched_dm(
            UnmatchedReason::PartnersTakenElsewhere,
            Some(monday),
            "Asia/Tokyo",
        );
        assert!(text.contains("|Monday 11 May 2026>"), "{text}");
        let (text, blocks) = unmatched_dm(UnmatchedReason::NoSeniorityGap, None, "Europe/London");
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(
            text.contains("a program admin will be in touch") && !text.contains("<!date"),
            "{text}"
        );
        assert_eq!(
            round_date(monday, "Not/AZone"),
            format!("<!date^{monday}^{{date_long}}|Monday 11 May 2026>"),
            "an unknown zone falls back to UTC"
        );
    }

    #[test]
    fn without_a_schedule_no_next_round_is_promised() {
        assert_eq!(
            next_round_line(None, "UTC"),
            "Rounds are started by the program admins."
        );
        assert!(!considered_again(None, "UTC").contains("next matching round"));
        assert!(next_round_line(Some(0), "UTC").starts_with("Next matching round: *<!date^0^"));
        let note = round_skipped_note(0, 3, false, 0, None);
        assert!(note.contains("proposal #3") && note.contains("waiting for review"));
    }
}
