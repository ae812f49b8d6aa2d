//! What a Slack ID looks like, for checking configuration and form input before it reaches Slack.

/// A Slack user ID (U… or W…) or channel ID (C…, G…, D…): upper-case letters and digits after the prefix.
pub fn looks_like_slack_id(value: &str, prefixes: &[char]) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some(c) if prefixes.contains(&c))
        && value.len() >= 3
        && value.len() <= 32
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_need_a_known_prefix_and_upper_case_letters_or_digits() {
        for ok in ["U0ABC123", "W12", "UA1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P"] {
            assert!(looks_like_slack_id(ok, &['U', 'W']), "{ok}");
        }
        for bad in [
            "",
            "U1",
            "C0ABC123",
            "u0abc123",
            "U0abc",
            "U0 ABC",
            "#general",
            "U1> <!channel",
        ] {
            assert!(!looks_like_slack_id(bad, &['U', 'W']), "{bad}");
        }
        assert!(!looks_like_slack_id(
            &format!("U{}", "A".repeat(32)),
            &['U']
        ));
        assert!(looks_like_slack_id("C0CHANNEL", &['C', 'G']));
    }
}
