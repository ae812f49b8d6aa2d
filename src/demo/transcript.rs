//! The demo's transcript: what each person sees in Slack, read back from what the fake Slack received.
//!
//! Every message, update and reply printed here is a Web API call Tandem really made (taken from
//! [`FakeSlack::calls_since`]), rendered as text by [`crate::views::text`]. Forms are the modals Slack holds
//! ([`FakeSlack::last_modal_for`]) with the values the person submitted. To stay readable, the first message of each
//! kind is shown in full and later ones as their one-line notification, unless `full` is set.

use crate::sandbox::{Call, DriverResponse, FakeSlack};
use crate::views::text;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

/// Where the transcript goes: stdout for the command, a sink or a buffer for tests.
pub type Out<'a> = &'a mut (dyn Write + Send);

/// Lines are wrapped to this many characters (plus the indent).
const WIDTH: usize = 100;

pub struct Transcript<'a> {
    out: Out<'a>,
    enabled: bool,
    full: bool,
    fake: FakeSlack,
    cursor: usize,
    shapes: HashSet<String>,
    forms: HashSet<String>,
    /// What each posted message showed, by (channel, ts), to print only what an update changed.
    posted: HashMap<(String, String), Vec<String>>,
    channel_names: BTreeMap<String, String>,
    /// Messages whose updates are printed in full (a proposal's new version), by (channel, ts).
    expand: HashSet<(String, String)>,
    /// A day's label, printed before the first line of that day (quiet days print nothing).
    pending_day: Option<String>,
}

impl<'a> Transcript<'a> {
    pub fn new(out: Out<'a>, enabled: bool, full: bool, fake: FakeSlack) -> Self {
        Self {
            out,
            enabled,
            full,
            cursor: fake.call_count(),
            fake,
            shapes: HashSet::new(),
            forms: HashSet::new(),
            posted: HashMap::new(),
            channel_names: BTreeMap::new(),
            expand: HashSet::new(),
            pending_day: None,
        }
    }

    /// Shows `label` (e.g. `#program-managers`) for a channel ID.
    pub fn name_channel(&mut self, id: &str, label: &str) {
        self.channel_names.insert(id.to_string(), label.to_string());
    }

    /// Prints the updates of the message at (`channel`, `ts`) in full, rather than only what changed, until
    /// [`Self::collapse_updates`].
    pub fn expand_updates(&mut self, channel: &str, ts: &str) {
        self.expand.insert((channel.to_string(), ts.to_string()));
    }

    /// Back to printing only what an update of the message at (`channel`, `ts`) changed.
    pub fn collapse_updates(&mut self, channel: &str, ts: &str) {
        self.expand.remove(&(channel.to_string(), ts.to_string()));
    }

    /// Starts a simulated day: its label is printed before whatever happens that day.
    pub fn day(&mut self, label: &str) {
        self.pending_day = Some(label.to_string());
    }

    fn day_label(&mut self) -> std::io::Result<()> {
        if let Some(day) = self.pending_day.take() {
            writeln!(self.out)?;
            writeln!(self.out, "{day}")?;
        }
        Ok(())
    }

    /// Writes one line, as is (when the transcript is on).
    pub fn line(&mut self, s: &str) -> std::io::Result<()> {
        if self.enabled {
            if s.is_empty() && self.pending_day.is_some() {
                // The day's label brings its own blank line.
                return Ok(());
            }
            self.day_label()?;
            writeln!(self.out, "{s}")?;
        }
        Ok(())
    }

    /// Writes `s` wrapped, every line starting with `prefix` (the first with `first` instead).
    fn wrapped(&mut self, first: &str, prefix: &str, s: &str) -> std::io::Result<()> {
        if !self.enabled {
            return Ok(());
        }
        self.day_label()?;
        let width = WIDTH.saturating_sub(prefix.chars().count()).max(40);
        for (i, l) in s.lines().flat_map(|l| text::wrap(l, width)).enumerate() {
            let lead = if i == 0 { first } else { prefix };
            writeln!(self.out, "{lead}{l}")?;
        }
        Ok(())
    }

    /// A section heading.
    pub fn heading(&mut self, s: &str) -> std::io::Result<()> {
        self.line("")?;
        self.line(&format!("━━ {s} ━━"))
    }

    /// A narrator's line (what happens off Slack).
    pub fn note(&mut self, s: &str) -> std::io::Result<()> {
        self.wrapped("  ", "  ", s)
    }

    fn name(&self, user: &str) -> String {
        self.fake
            .user(user)
            .map(|u| u.name)
            .unwrap_or_else(|| user.to_string())
    }

    fn names(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |id: &str| self.fake.user(id).map(|u| u.name)
    }

    /// Something a person does in Slack: `▸ Priya Raman types /mentor join`.
    pub fn act(&mut self, user: &str, what: &str) -> std::io::Result<()> {
        let s = format!("{} {what}", self.name(user));
        self.wrapped("  ▸ ", "      ", &s)
    }

    /// Tandem's direct answer to a command or button (what only that person sees), if it had one.
    pub fn reply(&mut self, user: &str, r: &DriverResponse) -> std::io::Result<()> {
        let body = r.json();
        if body.get("text").is_none() && body.get("blocks").is_none() {
            return Ok(());
        }
        let who = self.name(user);
        self.message(&format!("↩ Tandem, only {who} sees this"), &body)?;
        Ok(())
    }

    /// A modal the person filled in and submitted: in full the first time a form is seen, then its answers on a line.
    pub fn form(&mut self, user: &str, view: &Value, values: &Value) -> std::io::Result<()> {
        let names = self.names();
        let title = text::text_object(&view["title"], &names);
        let key = view["callback_id"].as_str().unwrap_or_default().to_string();
        if self.full || !self.forms.contains(&key) {
            let lines = text::view(view, Some(values), &names);
            drop(names);
            self.forms.insert(key);
            let who = self.name(user);
            self.wrapped(
                "    ┌ ",
                "    ┌ ",
                &format!("the form Slack shows {who}, as filled in:"),
            )?;
            for l in lines {
                self.wrapped("    │ ", "    │ ", &l)?;
            }
            self.line("    └")
        } else {
            let answers = text::answers(view, values, &names).join(" · ");
            drop(names);
            self.wrapped("    ┆ ", "    ┆ ", &format!("“{title}”: {answers}"))
        }
    }

    /// A view (a Home tab) in full.
    pub fn view(&mut self, v: &Value) -> std::io::Result<()> {
        let names = self.names();
        let lines = text::view(v, None, &names);
        drop(names);
        for l in lines {
            self.wrapped("    │ ", "    │ ", &l)?;
        }
        Ok(())
    }

    /// Who sees a message posted to `channel`.
    fn audience(&self, channel: &str) -> String {
        if let Some(label) = self.channel_names.get(channel) {
            return label.clone();
        }
        if channel.starts_with('U') || channel.starts_with('W') {
            return format!("{} (DM)", self.name(channel));
        }
        match self.fake.members_of(channel) {
            Some(m) if m.len() == 1 => format!("{} (DM)", self.name(&m[0])),
            Some(m) if m.len() > 1 => {
                let names: Vec<String> = m.iter().map(|u| self.name(u)).collect();
                format!("group DM {}", names.join(" + "))
            }
            _ => format!("#{channel}"),
        }
    }

    /// A message's kind, for "in full the first time": its blocks' types, block and action IDs (digits dropped) and
    /// the start of its text without mentions.
    fn shape(m: &Value) -> String {
        let mut key = String::new();
        for b in m["blocks"].as_array().into_iter().flatten() {
            key.push_str(b["type"].as_str().unwrap_or_default());
            key.push_str(b["block_id"].as_str().unwrap_or_default());
            for e in b["elements"].as_array().into_iter().flatten() {
                key.push_str(e["action_id"].as_str().unwrap_or_default());
            }
            key.push('|');
        }
        let without_mentions = text::mrkdwn(m["text"].as_str().unwrap_or_default(), &|_| {
            Some(String::new())
        });
        key.extend(
            without_mentions
                .chars()
                .filter(|c| c.is_alphabetic())
                .take(16),
        );
        key.retain(|c| !c.is_ascii_digit());
        key
    }

    /// Prints a message under a header line: in full, or (seen its kind before) as its notification.
    fn message(&mut self, header: &str, m: &Value) -> std::io::Result<Vec<String>> {
        let names = self.names();
        let lines = text::message(m, &names);
        let brief = text::notification(m, &names);
        drop(names);
        let shape = Self::shape(m);
        if self.full || self.shapes.insert(shape) {
            self.wrapped("  ", "  ", &format!("{header}:"))?;
            for l in &lines {
                self.wrapped("    │ ", "    │ ", l)?;
            }
        } else {
            self.wrapped("  ", "      ", &format!("{header}: {brief}"))?;
        }
        Ok(lines)
    }

    /// Prints what Tandem sent to Slack since the last flush. Concurrent deliveries (a batch of check-ins) are
    /// grouped by audience in a stable order; replies to the person who acted come first.
    pub fn flush(&mut self) -> std::io::Result<()> {
        let calls = self.fake.calls_since(self.cursor);
        self.cursor += calls.len();
        let mut shown: Vec<(String, Call)> = calls
            .into_iter()
            .filter(|c| c.status == 200 && c.error.is_none())
            .filter_map(|c| {
                let rank = match c.method.as_str() {
                    "response_url" => String::new(),
                    "chat.postMessage" | "chat.update" | "chat.postEphemeral" => {
                        let channel = c.body["channel"].as_str().unwrap_or_default();
                        let channel = c.answer["channel"].as_str().unwrap_or(channel);
                        format!("~{}", self.audience(channel))
                    }
                    "files.completeUploadExternal" => {
                        let channel = c.body["channel_id"].as_str().unwrap_or_default();
                        format!("~{}", self.audience(channel))
                    }
                    _ => return None,
                };
                Some((rank, c))
            })
            .collect();
        shown.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, c) in shown {
            self.render(&c)?;
        }
        Ok(())
    }

    fn render(&mut self, c: &Call) -> std::io::Result<()> {
        let body = &c.body;
        match c.method.as_str() {
            "response_url" => {
                self.message(
                    "↩ Tandem replies, only the person who acted sees this",
                    body,
                )?;
            }
            "chat.postEphemeral" => {
                let who = self.name(body["user"].as_str().unwrap_or_default());
                self.message(&format!("✉ Tandem → {who}, only they see this"), body)?;
            }
            "chat.postMessage" => {
                let channel = c.answer["channel"]
                    .as_str()
                    .or(body["channel"].as_str())
                    .unwrap_or_default()
                    .to_string();
                let header = format!("✉ Tandem → {}", self.audience(&channel));
                let lines = self.message(&header, body)?;
                if let Some(ts) = c.answer["ts"].as_str() {
                    self.posted.insert((channel, ts.to_string()), lines);
                }
            }
            "files.completeUploadExternal" => {
                let audience = self.audience(body["channel_id"].as_str().unwrap_or_default());
                let names: Vec<&str> = c.answer["files"]
                    .as_array()
                    .map(|fs| fs.iter().filter_map(|f| f["name"].as_str()).collect())
                    .unwrap_or_default();
                let comment = body["initial_comment"].as_str().unwrap_or_default();
                self.wrapped(
                    "  ",
                    "      ",
                    &format!("📎 Tandem → {audience}: {} {comment}", names.join(", ")),
                )?;
            }
            "chat.update" => {
                let channel = body["channel"].as_str().unwrap_or_default().to_string();
                let ts = body["ts"].as_str().unwrap_or_default().to_string();
                let names = self.names();
                let lines = text::message(body, &names);
                drop(names);
                let key = (channel.clone(), ts);
                if self.expand.contains(&key) {
                    let audience = self.audience(&channel);
                    self.wrapped(
                        "  ",
                        "  ",
                        &format!("↻ Tandem replaces its message in {audience} with:"),
                    )?;
                    for l in &lines {
                        self.wrapped("    │ ", "    │ ", l)?;
                    }
                    self.posted.insert(key, lines);
                    return Ok(());
                }
                let before = self.posted.insert(key, lines.clone()).unwrap_or_default();
                let changed: Vec<&String> = lines
                    .iter()
                    .filter(|l| !before.contains(l) && !l.trim().is_empty())
                    .collect();
                if !changed.is_empty() {
                    let audience = self.audience(&channel);
                    let what = changed
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" · ");
                    self.wrapped(
                        "  ",
                        "      ",
                        &format!("↻ Tandem updates its message in {audience}: {what}"),
                    )?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
