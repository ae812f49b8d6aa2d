//! Safe mrkdwn for mentions and free text, shared by the pair lifecycle views ([`super::intro`], [`super::plan`],
//! [`super::checkin`], [`super::closing`]). The Block Kit builders are in [`super::blocks`].

/// A user mention, `<@U123>`. Anything but letters and digits is dropped, so an odd ID cannot inject mrkdwn.
pub(crate) fn mention(user_id: &str) -> String {
    let id: String = user_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("<@{id}>")
}

/// Escapes text for mrkdwn, so that `<`, `>` and `&` show as typed (no stray links or mentions).
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Free text as an escaped mrkdwn block quote, one `>` per line.
pub(crate) fn quote(s: &str) -> String {
    escape(s)
        .lines()
        .map(|l| format!(">{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_free_text_cannot_inject_mrkdwn() {
        assert_eq!(mention("U0ABC123"), "<@U0ABC123>");
        assert_eq!(mention("U1> <!channel"), "<@U1channel>");
        assert_eq!(escape("a <b> & c"), "a &lt;b&gt; &amp; c");
        assert_eq!(quote("one\n<!here>"), ">one\n>&lt;!here&gt;");
    }
}
