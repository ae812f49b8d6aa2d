//! What the program team may read of the pairs' own words (`/mentor feedback`), pure: the "what I learned" answers
//! and meeting notes of pairs that have closed, without names or dates, shuffled, and only once enough people wrote
//! that no one can be recognised by elimination; the rating and usefulness distributions under the same rule.

use super::reports::MIN_PEOPLE;
use super::rng::SeededRng;

/// One piece of free text and who wrote it (a user ID, or a stand-in for someone who left). The author is used only
/// to count distinct people; it never leaves this module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub author: String,
    pub text: String,
}

/// One score (1 to 5) and who gave it (counted, never shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub author: String,
    pub score: u8,
}

/// Everything `/mentor feedback` reads, from closed pairs only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackInput {
    /// "What I learned", from the closing feedback.
    pub learned: Vec<Written>,
    /// "What we covered", from the meetings logged at check-ins.
    pub covered: Vec<Written>,
    /// The closing ratings (1 to 5).
    pub ratings: Vec<Scored>,
    /// How useful each logged meeting was (1 to 5).
    pub usefulness: Vec<Scored>,
}

/// How many answers gave each score, 1 to 5 (index 0 is a score of 1), from how many people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Distribution {
    pub counts: [u32; 5],
    pub people: usize,
}

/// A figure or text list as it may be shown: withheld when it comes from fewer than [`MIN_PEOPLE`] people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown<T> {
    Shown(T),
    /// Fewer than [`MIN_PEOPLE`] people wrote or answered; how many answers there are is not said either.
    TooFew,
}

/// What `/mentor feedback` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackDigest {
    /// What people learned, shuffled, without authors.
    pub learned: Shown<Vec<String>>,
    /// Meeting notes, shuffled, without authors.
    pub covered: Shown<Vec<String>>,
    pub ratings: Shown<Distribution>,
    pub usefulness: Shown<Distribution>,
}

fn distinct<'a>(authors: impl Iterator<Item = &'a str>) -> usize {
    authors.collect::<std::collections::BTreeSet<_>>().len()
}

/// The texts, trimmed, blanks dropped, in an order that says nothing about who wrote them or when: shown only when
/// at least [`MIN_PEOPLE`] different people wrote at least [`MIN_PEOPLE`] texts.
fn texts(written: &[Written], rng: &mut SeededRng) -> Shown<Vec<String>> {
    let kept: Vec<&Written> = written
        .iter()
        .filter(|w| !w.text.trim().is_empty())
        .collect();
    if kept.len() < MIN_PEOPLE || distinct(kept.iter().map(|w| w.author.as_str())) < MIN_PEOPLE {
        return Shown::TooFew;
    }
    let mut out: Vec<String> = kept.iter().map(|w| w.text.trim().to_string()).collect();
    // Sorting first makes the shuffle depend on the seed alone, not on the order the store returned (which follows
    // time and so could date an answer).
    out.sort_unstable();
    rng.shuffle(&mut out);
    Shown::Shown(out)
}

fn distribution(scores: &[Scored]) -> Shown<Distribution> {
    let people = distinct(scores.iter().map(|s| s.author.as_str()));
    if people < MIN_PEOPLE {
        return Shown::TooFew;
    }
    let mut counts = [0u32; 5];
    for s in scores {
        if let Some(c) = usize::from(s.score)
            .checked_sub(1)
            .and_then(|i| counts.get_mut(i))
        {
            *c += 1;
        }
    }
    Shown::Shown(Distribution { counts, people })
}

/// The digest of `input`, with the texts shuffled by `seed`.
pub fn digest(input: &FeedbackInput, seed: u64) -> FeedbackDigest {
    let mut rng = SeededRng::new(seed);
    FeedbackDigest {
        learned: texts(&input.learned, &mut rng),
        covered: texts(&input.covered, &mut rng),
        ratings: distribution(&input.ratings),
        usefulness: distribution(&input.usefulness),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(author: &str, text: &str) -> Written {
        Written {
            author: author.into(),
            text: text.into(),
        }
    }

    fn s(author: &str, score: u8) -> Scored {
        Scored {
            author: author.into(),
            score,
        }
    }

    #[test]
    fn texts_from_fewer_than_three_people_are_withheld() {
        let input = FeedbackInput {
            learned: vec![w("A", "one"), w("A", "two"), w("B", "three"), w("C", "  ")],
            ..Default::default()
        };
        assert_eq!(
            digest(&input, 1).learned,
            Shown::TooFew,
            "a blank text does not count"
        );
        let mut more = input.clone();
        more.learned.push(w("C", "four"));
        let Shown::Shown(mut shown) = digest(&more, 1).learned else {
            panic!("three people wrote")
        };
        shown.sort();
        assert_eq!(shown, vec!["four", "one", "three", "two"]);
    }

    #[test]
    fn the_order_depends_on_the_seed_not_on_when_it_was_written() {
        let written: Vec<Written> = (0..20)
            .map(|i| w(&format!("U{i}"), &format!("text {i:02}")))
            .collect();
        let mut reversed = written.clone();
        reversed.reverse();
        let a = FeedbackInput {
            covered: written,
            ..Default::default()
        };
        let b = FeedbackInput {
            covered: reversed,
            ..Default::default()
        };
        assert_eq!(digest(&a, 7).covered, digest(&b, 7).covered);
        let Shown::Shown(order) = digest(&a, 7).covered else {
            panic!("20 people")
        };
        let sorted: Vec<String> = (0..20).map(|i| format!("text {i:02}")).collect();
        assert_ne!(order, sorted, "shuffled");
        assert_ne!(digest(&a, 7).covered, digest(&a, 8).covered);
    }

    #[test]
    fn distributions_count_each_score_and_need_three_people() {
        let two = [s("A", 5), s("A", 4), s("B", 5)];
        assert_eq!(
            digest(
                &FeedbackInput {
                    ratings: two.to_vec(),
                    ..Default::default()
                },
                0
            )
            .ratings,
            Shown::TooFew
        );
        let mut three = two.to_vec();
        three.push(s("C", 1));
        three.push(s("C", 9)); // out of range: not counted anywhere
        assert_eq!(
            digest(
                &FeedbackInput {
                    usefulness: three,
                    ..Default::default()
                },
                0
            )
            .usefulness,
            Shown::Shown(Distribution {
                counts: [1, 0, 0, 1, 2],
                people: 3
            })
        );
    }
}
