//! The App Home tab: what the program is, and how to take part.

use super::{context, divider, header, section};
use serde_json::{Value, json};

/// The Home tab for someone who has not joined.
pub fn home_not_enrolled() -> Value {
    json!({
        "type": "home",
        "blocks": [
            header("Tandem: reverse mentoring"),
            section("Attorneys of different generations teach each other. A junior associate shows a partner the newest \
                     e-discovery platform or AI drafting tool; the partner shows the associate how to handle a difficult \
                     client or run a project team. *Each of you is both teacher and student.*"),
            section("*How it works*\n1. Opt in with `/mentor join` and answer a short survey: what you can teach, what you \
                     want to learn, how much time you have.\n2. Program admins review the proposed pairs before anyone is \
                     introduced.\n3. You and your partner get a group DM with guidelines: agree an objective, how often \
                     you will meet, and by when.\n4. Tandem checks in now and then, and otherwise steps back."),
            divider(),
            context("Taking part is voluntary. Your answers are seen only by you and used only for matching; \
                     `/mentor leave` deletes them. Type `/mentor help` for every command."),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_explains_the_program_and_offers_join() {
        let v = home_not_enrolled();
        assert_eq!(v["type"], "home");
        let all = v.to_string();
        assert!(all.contains("/mentor join") && all.contains("both teacher and student"));
    }
}
