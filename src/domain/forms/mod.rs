//! Slack forms: the survey and the pair's forms (plan, "we met", feedback), their validation, and the state values
//! Slack would send for given answers (used by the sandbox, the demo and the views' tests); [`state`] reads and
//! builds `view.state.values` for all of them.

pub mod help;
pub mod pair_forms;
pub mod pair_values;
pub mod state;
pub mod survey;
pub mod survey_values;
