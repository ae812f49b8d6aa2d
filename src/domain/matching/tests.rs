//! Unit tests of the matching core.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::domain::rng::SeededRng;

fn strs(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| (*s).to_owned()).collect()
}

/// A participant with neutral defaults.
fn person(id: &str, role: Role, years: u8, teach: &[&str], learn: &[&str]) -> Participant {
    Participant {
        id: id.to_owned(),
        name: format!("{id} Person"),
        role,
        years,
        can_teach: strs(teach),
        wants_to_learn: strs(learn),
        hours_per_month: 2,
        cadence: Cadence::Monthly,
        practice_group: "Litigation".to_owned(),
        utc_offset_minutes: 0,
        reports_to: None,
        capacity: 1,
        paused: false,
    }
}

fn junior(id: &str, teach: &[&str], learn: &[&str]) -> Participant {
    person(id, Role::Associate, 2, teach, learn)
}

fn senior(id: &str, teach: &[&str], learn: &[&str]) -> Participant {
    person(id, Role::Partner, 20, teach, learn)
}

fn pair_ids(p: &Proposal) -> Vec<(String, String)> {
    p.pairs
        .iter()
        .map(|x| (x.senior_id.clone(), x.junior_id.clone()))
        .collect()
}

fn reason_of(p: &Proposal, id: &str) -> Option<UnmatchedReason> {
    p.unmatched.iter().find(|u| u.id == id).map(|u| u.reason)
}

// ---------------------------------------------------------------- solver

/// Best total over all ways to assign min(rows, cols) rows injectively.
fn brute_lsap(m: &[Vec<i64>]) -> i64 {
    fn go(m: &[Vec<i64>], r: usize, used: &mut Vec<bool>, skips: usize) -> Option<i64> {
        if r == m.len() {
            return Some(0);
        }
        let mut best: Option<i64> = None;
        for c in 0..used.len() {
            if !used[c] {
                used[c] = true;
                if let Some(t) = go(m, r + 1, used, skips) {
                    best = Some(best.map_or(t + m[r][c], |b: i64| b.max(t + m[r][c])));
                }
                used[c] = false;
            }
        }
        if skips > 0
            && let Some(t) = go(m, r + 1, used, skips - 1)
        {
            best = Some(best.map_or(t, |b: i64| b.max(t)));
        }
        best
    }
    let cols = m.first().map_or(0, Vec::len);
    let skips = m.len().saturating_sub(cols);
    go(m, 0, &mut vec![false; cols], skips).unwrap_or(0)
}

#[test]
fn solver_matches_brute_force_on_random_matrices() {
    let mut rng = SeededRng::new(7);
    for case in 0..400 {
        let rows = 1 + rng.below(6) as usize;
        let cols = 1 + rng.below(6) as usize;
        // Small entries are solved in 32 bits where they are stored; entries of 2^30 are stored in 32 bits but
        // solved in 64; entries of 2^39 are stored and solved in 64.
        let range: u64 = [3, 10, 1000, 1 << 30, 1 << 39][case % 5];
        let m: Vec<Vec<i64>> = (0..rows)
            .map(|_| {
                (0..cols)
                    .map(|_| rng.below(2 * range + 1) as i64 - range as i64)
                    .collect()
            })
            .collect();
        let a = solve_max_rows(&m).expect("valid matrix");
        assert_eq!(a.len(), rows);
        let assigned: Vec<usize> = a.iter().flatten().copied().collect();
        assert_eq!(assigned.len(), rows.min(cols), "case {case}");
        let distinct: BTreeSet<usize> = assigned.iter().copied().collect();
        assert_eq!(distinct.len(), assigned.len(), "case {case}");
        let dm = DenseMatrix::from_rows(&m).expect("valid");
        assert_eq!(
            assignment_total(&dm, &a),
            brute_lsap(&m),
            "case {case}: {m:?}"
        );
    }
}

#[test]
fn a_matrix_is_stored_in_32_bits_while_it_can_be_and_solved_the_same_either_way() {
    let mut rng = SeededRng::new(11);
    for case in 0..60 {
        let (rows, cols) = (2 + rng.below(9) as usize, 9 + rng.below(9) as usize);
        let m: Vec<Vec<i64>> = (0..rows)
            .map(|_| (0..cols).map(|_| rng.below(200) as i64 - 50).collect())
            .collect();
        let narrow = DenseMatrix::from_rows(&m).expect("valid");
        assert_eq!(narrow.entry_bytes(), 4);
        // Every entry moved by the same amount: the same costs, so the same assignment; stored in 64 bits past
        // 2^31, and solved in 64 bits past 2^25 in either storage.
        for shift in [1_i64 << 28, 1 << 35, -(1 << 26)] {
            let moved: Vec<Vec<i64>> = m
                .iter()
                .map(|r| r.iter().map(|x| x + shift).collect())
                .collect();
            let dm = DenseMatrix::from_rows(&moved).expect("valid");
            assert_eq!(dm.entry_bytes(), if shift > 1 << 31 { 8 } else { 4 });
            assert_eq!(
                solve_max(&dm),
                solve_max(&narrow),
                "case {case}, shift {shift}"
            );
        }
    }
    // Setting one entry past 32 bits widens the storage and keeps every other entry.
    let mut m = DenseMatrix::from_rows(&[vec![1, -2, 3], vec![4, 5, -6]]).expect("valid");
    m.set(1, 1, 1 << 33);
    assert_eq!(m.entry_bytes(), 8);
    assert_eq!(m.to_vec(), vec![1, -2, 3, 4, 1 << 33, -6]);
    assert_eq!(
        m,
        DenseMatrix::from_rows(&[vec![1, -2, 3], vec![4, 1 << 33, -6]]).expect("valid")
    );
}

#[test]
fn solver_edge_cases() {
    assert_eq!(
        solve_max_rows(&[]).expect("empty"),
        Vec::<Option<usize>>::new()
    );
    assert_eq!(
        solve_max_rows(&[vec![], vec![]]).expect("0 cols"),
        vec![None, None]
    );
    assert_eq!(solve_max_rows(&[vec![5]]).expect("1x1"), vec![Some(0)]);
    // Ties: deterministic, lowest index.
    assert_eq!(
        solve_max_rows(&[vec![1, 1], vec![1, 1]]).expect("ties"),
        solve_max_rows(&[vec![1, 1], vec![1, 1]]).expect("ties")
    );
    assert!(matches!(
        solve_max_rows(&[vec![1, 2], vec![3]]),
        Err(MatrixError::Ragged { row: 1, .. })
    ));
    assert!(matches!(
        solve_max_rows(&[vec![i64::MAX]]),
        Err(MatrixError::EntryTooLarge { row: 0, col: 0 })
    ));
    // Tall matrix: the best rows are picked.
    let a = solve_max_rows(&[vec![1], vec![9], vec![4]]).expect("tall");
    assert_eq!(a, vec![None, Some(0), None]);
}

// ------------------------------------------------------- random cohorts

const SKILLS_T: [&str; 3] = ["ediscovery", "ai_drafting", "clm_tools"];
const SKILLS_P: [&str; 3] = ["client_management", "negotiation", "networking"];

fn random_cohort(rng: &mut SeededRng, n: usize) -> (Vec<Participant>, Context) {
    let mut people = Vec::new();
    let roles = Role::ALL;
    for k in 0..n {
        let all: Vec<&str> = SKILLS_T.iter().chain(SKILLS_P.iter()).copied().collect();
        let pick = |rng: &mut SeededRng| -> Vec<String> {
            let mut v: Vec<String> = all
                .iter()
                .filter(|_| rng.chance(50))
                .map(|s| (*s).to_owned())
                .collect();
            rng.shuffle(&mut v);
            v
        };
        let mut p = Participant {
            id: format!("U{:02}", rng.below(90) * 100 + k as u64),
            name: format!("Person {k}"),
            role: *rng.pick(&roles).unwrap(),
            years: rng.below(30) as u8,
            can_teach: pick(rng),
            wants_to_learn: pick(rng),
            hours_per_month: *rng.pick(&[1u8, 2, 4, 6]).unwrap(),
            cadence: *rng
                .pick(&[Cadence::Weekly, Cadence::Biweekly, Cadence::Monthly])
                .unwrap(),
            practice_group: rng
                .pick(&["Litigation", "Corporate", "IP"])
                .unwrap()
                .to_string(),
            utc_offset_minutes: *rng.pick(&[-480, -300, 0, 60, 330, 540]).unwrap(),
            reports_to: None,
            capacity: *rng.pick(&[1u8, 1, 2, 2, 0]).unwrap(),
            paused: rng.chance(5),
        };
        if rng.chance(5) {
            p.can_teach.clear();
        }
        people.push(p);
    }
    let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
    for p in &mut people {
        if rng.chance(25) {
            p.reports_to = Some(rng.pick(&ids).unwrap().clone());
        }
    }
    let mut ctx = Context::default();
    ctx.config.min_gap_years = *rng.pick(&[0u8, 3, 5]).unwrap();
    ctx.config.min_hours = *rng.pick(&[1u8, 1, 2]).unwrap();
    ctx.config.side_rule.senior_min_years = *rng.pick(&[8u8, 12]).unwrap();
    if rng.chance(20) {
        ctx.config.weights.balance = 0;
        ctx.config.weights.cross_group = -40; // can make scores non-positive
    }
    for _ in 0..rng.below(3) {
        let a = rng.pick(&ids).unwrap().clone();
        let b = rng.pick(&ids).unwrap().clone();
        ctx.history.insert(&a, &b);
    }
    for _ in 0..rng.below(3) {
        let a = rng.pick(&ids).unwrap().clone();
        let b = rng.pick(&ids).unwrap().clone();
        ctx.exclusions.insert(&a, &b);
    }
    (people, ctx)
}

/// Independent oracle of the hard rules and the score, straight from the
/// fields: `Some(score)` if the pair is allowed.
fn oracle(a: &Participant, b: &Participant, ctx: &Context) -> Option<i64> {
    let cfg = &ctx.config;
    let sa = cfg.side_rule.side_of(a);
    let sb = cfg.side_rule.side_of(b);
    if sa == sb || a.paused || b.paused {
        return None;
    }
    let (j, s) = if sa == Side::Senior { (b, a) } else { (a, b) };
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    let up = set(&j.can_teach)
        .intersection(&set(&s.wants_to_learn))
        .count();
    let down = set(&s.can_teach)
        .intersection(&set(&j.wants_to_learn))
        .count();
    let ok = a.reports_to.as_deref() != Some(b.id.as_str())
        && b.reports_to.as_deref() != Some(a.id.as_str())
        && !ctx.history.contains(&a.id, &b.id)
        && !ctx.exclusions.contains(&a.id, &b.id)
        && s.capacity > 0
        && a.hours_per_month >= cfg.min_hours
        && b.hours_per_month >= cfg.min_hours
        && i32::from(s.years) - i32::from(j.years) >= i32::from(cfg.min_gap_years)
        && up >= 1
        && down >= 1;
    let w = &cfg.weights;
    let diff = (a.utc_offset_minutes - b.utc_offset_minutes).abs() % 1440;
    let diff = diff.min(1440 - diff);
    let overlap_hours = (i64::from(cfg.work_day_minutes) - i64::from(diff)).max(0) / 60;
    let score = w.teach_up * up as i64
        + w.teach_down * down as i64
        + w.balance * up.min(down) as i64
        + if a.practice_group.to_lowercase() != b.practice_group.to_lowercase() {
            w.cross_group
        } else {
            0
        }
        + if a.hours_per_month == b.hours_per_month {
            w.same_hours
        } else {
            0
        }
        + if a.cadence == b.cadence {
            w.same_cadence
        } else {
            0
        }
        + w.overlap_per_hour * overlap_hours;
    (ok && score > 0).then_some(score)
}

/// Best total over every valid assignment (each junior: nobody or an
/// allowed senior with capacity left).
fn brute_cohort(people: &[Participant], ctx: &Context) -> i64 {
    let side = |p: &Participant| ctx.config.side_rule.side_of(p);
    let js: Vec<&Participant> = people
        .iter()
        .filter(|p| side(p) == Side::ReverseMentor)
        .collect();
    let ss: Vec<&Participant> = people.iter().filter(|p| side(p) == Side::Senior).collect();
    let score: Vec<Vec<Option<i64>>> = js
        .iter()
        .map(|j| {
            ss.iter()
                .map(|s| pair_verdict(j, s, ctx).ok().map(|b| b.total))
                .collect()
        })
        .collect();
    fn go(k: usize, score: &[Vec<Option<i64>>], cap: &mut [u8]) -> i64 {
        if k == score.len() {
            return 0;
        }
        let mut best = go(k + 1, score, cap);
        for s in 0..cap.len() {
            if let Some(w) = score[k][s]
                && cap[s] > 0
            {
                cap[s] -= 1;
                best = best.max(w + go(k + 1, score, cap));
                cap[s] += 1;
            }
        }
        best
    }
    let mut cap: Vec<u8> = ss.iter().map(|s| s.capacity).collect();
    go(0, &score, &mut cap)
}

fn assert_valid(people: &[Participant], ctx: &Context, p: &Proposal) {
    let by_id: BTreeMap<&str, &Participant> = people.iter().map(|x| (x.id.as_str(), x)).collect();
    let mut load: BTreeMap<&str, u8> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for pair in &p.pairs {
        let (j, s) = (
            by_id[pair.junior_id.as_str()],
            by_id[pair.senior_id.as_str()],
        );
        assert_eq!(oracle(j, s, ctx), Some(pair.score), "{j:?} {s:?}");
        assert_eq!(ctx.config.side_rule.side_of(s), Side::Senior);
        *load.entry(&s.id).or_default() += 1;
        assert!(load[s.id.as_str()] <= s.capacity, "capacity of {}", s.id);
        assert!(seen.insert(j.id.clone()), "junior twice");
        assert!(pair.score > 0);
        assert_eq!(Ok(pair.breakdown.clone()), pair_verdict(j, s, ctx));
    }
    // Everyone appears exactly once: in a pair or unmatched.
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for pair in &p.pairs {
        all.insert(&pair.junior_id);
        all.insert(&pair.senior_id);
    }
    for u in &p.unmatched {
        assert!(all.insert(&u.id), "{} both matched and unmatched", u.id);
    }
    assert_eq!(all.len(), people.len());
    assert_eq!(p.total_score, p.pairs.iter().map(|x| x.score).sum::<i64>());
}

#[test]
fn proposal_is_optimal_against_brute_force() {
    let mut rng = SeededRng::new(2024);
    let mut nonzero = 0;
    for case in 0..300 {
        let n = 2 + rng.below(7) as usize;
        let (people, ctx) = random_cohort(&mut rng, n);
        let p = propose(&people, &ctx).expect("proposal");
        assert_valid(&people, &ctx, &p);
        let best = brute_cohort(&people, &ctx);
        assert_eq!(p.total_score, best, "case {case}: {people:#?}");
        if best > 0 {
            nonzero += 1;
        }
    }
    assert!(nonzero > 100, "generator too sparse: {nonzero}");
}

#[test]
fn larger_random_cohorts_keep_every_rule() {
    let mut rng = SeededRng::new(99);
    for _ in 0..20 {
        let n = 30 + rng.below(60) as usize;
        let (people, ctx) = random_cohort(&mut rng, n);
        let p = propose(&people, &ctx).expect("proposal");
        assert_valid(&people, &ctx, &p);
    }
}

#[test]
fn pair_verdict_agrees_with_oracle() {
    let mut rng = SeededRng::new(5);
    for _ in 0..200 {
        let (people, ctx) = random_cohort(&mut rng, 6);
        for a in &people {
            for b in &people {
                if a.id != b.id {
                    assert_eq!(
                        pair_verdict(a, b, &ctx).ok().map(|x| x.total),
                        oracle(a, b, &ctx),
                        "{a:?} {b:?}"
                    );
                    assert_eq!(
                        pair_verdict(a, b, &ctx).map(|x| x.total),
                        pair_verdict(b, a, &ctx).map(|x| x.total)
                    );
                }
            }
        }
    }
}

#[test]
fn cohort_matrix_fast_path_agrees_with_pair_verdict() {
    let mut rng = SeededRng::new(77);
    for case in 0..60 {
        let n = 2 + rng.below(40) as usize;
        let (people, ctx) = random_cohort(&mut rng, n);
        let by_id: BTreeMap<&str, &Participant> =
            people.iter().map(|x| (x.id.as_str(), x)).collect();
        let cm = cohort_matrix(&people, &ctx).expect("matrix");
        let (nr, nc) = (cm.matrix.rows(), cm.matrix.cols());
        // Scores are small: the cohort's matrix takes 4 bytes an entry.
        assert_eq!(cm.matrix.entry_bytes(), 4);
        let (nj, ns) = (cm.junior_ids.len(), cm.slot_senior_ids.len());
        assert_eq!(cm.rows_are_juniors, nj <= ns);
        assert_eq!(
            (nr, nc),
            if cm.rows_are_juniors {
                (nj, ns)
            } else {
                (ns, nj)
            }
        );
        for r in 0..nr {
            for c in 0..nc {
                let (ji, si) = if cm.rows_are_juniors { (r, c) } else { (c, r) };
                let j = by_id[cm.junior_ids[ji].as_str()];
                let s = by_id[cm.slot_senior_ids[si].as_str()];
                let want = pair_verdict(j, s, &ctx).map_or(0, |b| b.total);
                assert_eq!(cm.matrix.get(r, c), want, "case {case}: {j:?} {s:?}");
            }
        }
    }
}

// ---------------------------------------------------------- determinism

#[test]
fn deterministic_and_order_independent() {
    let mut rng = SeededRng::new(11);
    for _ in 0..30 {
        let (mut people, ctx) = random_cohort(&mut rng, 40);
        let a = propose(&people, &ctx).expect("a");
        let b = propose(&people, &ctx).expect("b");
        assert_eq!(a, b);
        rng.shuffle(&mut people);
        let c = propose(&people, &ctx).expect("c");
        assert_eq!(pair_ids(&a), pair_ids(&c));
        assert_eq!(a, c);
        assert_eq!(explain_all_csv(&people, &ctx), {
            people.reverse();
            explain_all_csv(&people, &ctx)
        });
    }
}

#[test]
fn ties_are_broken_the_same_way_every_time() {
    // Three identical juniors, two identical seniors: many optimal answers.
    let people: Vec<Participant> = ["c", "a", "b"]
        .iter()
        .map(|id| junior(id, &["ediscovery"], &["negotiation"]))
        .chain(
            ["z", "y"]
                .iter()
                .map(|id| senior(id, &["negotiation"], &["ediscovery"])),
        )
        .collect();
    let ctx = Context::default();
    let first = pair_ids(&propose(&people, &ctx).expect("p"));
    let mut rev = people.clone();
    rev.reverse();
    assert_eq!(first, pair_ids(&propose(&rev, &ctx).expect("p")));
    assert_eq!(first.len(), 2);
}

// ------------------------------------------------------------ hard rules

fn base_pair() -> (Participant, Participant) {
    (
        junior("J", &["ediscovery"], &["negotiation"]),
        senior("S", &["negotiation"], &["ediscovery"]),
    )
}

#[test]
fn base_pair_is_allowed_and_scored() {
    let (j, s) = base_pair();
    let ctx = Context::default();
    let b = pair_verdict(&j, &s, &ctx).expect("allowed");
    assert_eq!(b.teach_up_skills, strs(&["ediscovery"]));
    assert_eq!(b.teach_down_skills, strs(&["negotiation"]));
    assert_eq!(b.teach_up, 10);
    assert_eq!(b.teach_down, 10);
    assert_eq!(b.balance, 15);
    assert_eq!(b.cross_group, 0); // same group
    assert_eq!(b.same_hours, 3);
    assert_eq!(b.same_cadence, 3);
    assert_eq!(b.overlap_minutes, 540);
    assert_eq!(b.overlap, 9);
    assert_eq!(b.total, 10 + 10 + 15 + 3 + 3 + 9);
    assert_eq!(pair_verdict(&s, &j, &ctx), Ok(b));
}

#[test]
fn each_hard_rule_forbids() {
    let ctx = Context::default();
    let check = |j: Participant, s: Participant, ctx: &Context, want: Forbidden| {
        assert_eq!(pair_verdict(&j, &s, ctx), Err(want));
        assert_eq!(pair_verdict(&s, &j, ctx), Err(want));
        // And the cohort never pairs them.
        let p = propose(&[j, s], ctx).expect("proposal");
        assert!(p.pairs.is_empty(), "{want:?}");
        assert_eq!(p.unmatched.len(), 2);
    };
    let (j, s) = base_pair();
    assert_eq!(pair_verdict(&j, &j, &ctx), Err(Forbidden::SamePerson));

    let (mut j1, s1) = base_pair();
    j1.paused = true;
    check(j1, s1, &ctx, Forbidden::Paused);

    let (j2, _) = base_pair();
    let mut j2b = junior("K", &["negotiation"], &["ediscovery"]);
    j2b.years = 1;
    check(j2, j2b, &ctx, Forbidden::SameSide);

    let (mut j3, s3) = base_pair();
    j3.reports_to = Some("S".into());
    check(j3, s3, &ctx, Forbidden::ReportsTo);
    let (j3, mut s3) = base_pair();
    s3.reports_to = Some("J".into());
    check(j3, s3, &ctx, Forbidden::ReportsTo);

    let mut hist = ctx.clone();
    hist.history.insert("S", "J");
    check(j.clone(), s.clone(), &hist, Forbidden::PreviousPair);

    let mut excl = ctx.clone();
    excl.exclusions.insert("J", "S");
    check(j.clone(), s.clone(), &excl, Forbidden::Excluded);

    let (j5, mut s5) = base_pair();
    s5.capacity = 0;
    check(j5, s5, &ctx, Forbidden::NoCapacity);

    let mut hours = ctx.clone();
    hours.config.min_hours = 4;
    check(j.clone(), s.clone(), &hours, Forbidden::NotEnoughHours);

    let (mut j6, mut s6) = base_pair();
    j6.years = 10;
    s6.years = 14; // gap 4 < 5
    check(j6, s6, &ctx, Forbidden::SeniorityGap);

    let (mut j7, s7) = base_pair();
    j7.can_teach = strs(&["social_media"]);
    check(j7, s7, &ctx, Forbidden::NothingForSenior);

    let (mut j8, s8) = base_pair();
    j8.wants_to_learn = strs(&["courtroom_advocacy"]);
    check(j8, s8, &ctx, Forbidden::NothingForReverseMentor);

    let (mut j9, s9) = base_pair();
    j9.wants_to_learn.clear();
    j9.can_teach.clear();
    check(j9, s9, &ctx, Forbidden::NoSkillMatch);

    let mut neg = ctx.clone();
    neg.config.weights.teach_up = -100;
    check(j, s, &neg, Forbidden::ScoreNotPositive);
}

#[test]
fn forbidden_reasons_are_distinct_text() {
    let all = [
        Forbidden::SamePerson,
        Forbidden::Paused,
        Forbidden::SameSide,
        Forbidden::ReportsTo,
        Forbidden::PreviousPair,
        Forbidden::Excluded,
        Forbidden::NoCapacity,
        Forbidden::NotEnoughHours,
        Forbidden::SeniorityGap,
        Forbidden::NothingForSenior,
        Forbidden::NothingForReverseMentor,
        Forbidden::NoSkillMatch,
        Forbidden::ScoreNotPositive,
    ];
    let texts: BTreeSet<&str> = all.iter().map(Forbidden::reason).collect();
    assert_eq!(texts.len(), all.len());
    assert_eq!(Forbidden::ReportsTo.to_string(), "one reports to the other");
    assert_eq!(Forbidden::NoSkillMatch.rule(), "one_way");
}

#[test]
fn side_rule_by_role_or_years() {
    let rule = SideRule::default();
    assert_eq!(
        rule.side_of(&person("a", Role::Partner, 1, &[], &[])),
        Side::Senior
    );
    assert_eq!(
        rule.side_of(&person("a", Role::Associate, 12, &[], &[])),
        Side::Senior
    );
    assert_eq!(
        rule.side_of(&person("a", Role::Associate, 11, &[], &[])),
        Side::ReverseMentor
    );
    assert_eq!(
        rule.side_of(&person("a", Role::Counsel, 3, &[], &[])),
        Side::ReverseMentor
    );
    let custom = SideRule {
        senior_roles: vec![Role::Counsel],
        senior_min_years: 40,
    };
    assert_eq!(
        custom.side_of(&person("a", Role::Counsel, 3, &[], &[])),
        Side::Senior
    );
    assert_eq!(
        custom.side_of(&person("a", Role::Partner, 30, &[], &[])),
        Side::ReverseMentor
    );
}

#[test]
fn roles_serialize_snake_case_with_labels() {
    let names: Vec<String> = Role::ALL
        .iter()
        .map(|r| serde_json::to_string(r).expect("ser"))
        .collect();
    assert_eq!(
        names,
        [
            "\"partner\"",
            "\"of_counsel\"",
            "\"senior_associate\"",
            "\"associate\"",
            "\"junior_associate\"",
            "\"general_counsel\"",
            "\"deputy_gc\"",
            "\"senior_counsel\"",
            "\"counsel\"",
            "\"legal_operations\"",
            "\"paralegal\""
        ]
    );
    assert_eq!(Role::DeputyGc.label(), "Deputy general counsel");
    let labels: BTreeSet<&str> = Role::ALL.iter().map(|r| r.label()).collect();
    assert_eq!(labels.len(), Role::ALL.len());
}

#[test]
fn overlap_wraps_around_the_clock() {
    assert_eq!(overlap_minutes(0, 0, 540), 540);
    assert_eq!(overlap_minutes(-300, 60, 540), 180);
    assert_eq!(overlap_minutes(-300, 330, 540), 0);
    assert_eq!(overlap_minutes(840, -720, 540), 420); // 26 h apart = 2 h
}

// -------------------------------------------------------------- capacity

#[test]
fn capacity_two_takes_two_never_three() {
    let s = {
        let mut s = senior("S", &["negotiation"], &["ediscovery"]);
        s.capacity = 2;
        s
    };
    let js: Vec<Participant> = (0..4)
        .map(|k| junior(&format!("J{k}"), &["ediscovery"], &["negotiation"]))
        .collect();
    let mut people = js.clone();
    people.push(s.clone());
    let p = propose(&people, &Context::default()).expect("p");
    assert_eq!(p.pairs.len(), 2);
    assert!(p.pairs.iter().all(|x| x.senior_id == "S"));
    let left: Vec<_> = p
        .unmatched
        .iter()
        .map(|u| (u.id.as_str(), u.reason))
        .collect();
    assert_eq!(
        left,
        [
            ("J2", UnmatchedReason::PartnersTakenElsewhere),
            ("J3", UnmatchedReason::PartnersTakenElsewhere)
        ]
    );
    // With capacity 3 (or more juniors than slots otherwise) never above it.
    let mut people3 = js;
    let mut s3 = s;
    s3.capacity = 3;
    people3.push(s3);
    let p3 = propose(&people3, &Context::default()).expect("p");
    assert_eq!(p3.pairs.len(), 3);
}

#[test]
fn optimum_is_global_not_greedy() {
    // Greedy would give A the star senior X (score high), leaving B alone.
    // Optimal: A–Y and B–X.
    let a = junior(
        "A",
        &["ediscovery", "ai_drafting"],
        &["negotiation", "networking"],
    );
    let b = junior("B", &["ediscovery"], &["negotiation"]);
    let x = senior(
        "X",
        &["negotiation", "networking"],
        &["ediscovery", "ai_drafting"],
    );
    let y = senior("Y", &["networking"], &["ai_drafting"]);
    let ctx = Context::default();
    let p = propose(&[a, b, x, y], &ctx).expect("p");
    assert_eq!(
        pair_ids(&p),
        [
            ("X".to_owned(), "B".to_owned()),
            ("Y".to_owned(), "A".to_owned())
        ]
    );
}

// ---------------------------------------------------------- explanations

#[test]
fn explanation_sentences_use_labels_and_first_names() {
    let mut j = junior("U1", &["ediscovery", "ai_drafting"], &["client_management"]);
    j.name = "Priya Raman".into();
    let mut s = senior("U2", &["client_management"], &["ai_drafting", "ediscovery"]);
    s.name = "Morgan O'Neill".into();
    let mut ctx = Context::default();
    ctx.skill_labels
        .insert("ediscovery".into(), "Relativity".into());
    ctx.skill_labels
        .insert("ai_drafting".into(), "AI-assisted drafting".into());
    let p = propose(&[j, s], &ctx).expect("p");
    let e = &p.pairs[0].explanation;
    // Skills listed in id order: ai_drafting < ediscovery.
    assert_eq!(
        e.for_senior,
        "Priya can show you AI-assisted drafting and Relativity; you can show Priya client_management."
    );
    assert_eq!(
        e.for_junior,
        "Morgan can show you client_management; you can show Morgan AI-assisted drafting and Relativity."
    );
    assert_eq!(join_labels(&strs(&["a", "b", "c"])), "a, b and c");
    assert_eq!(join_labels(&strs(&["a"])), "a");
}

#[test]
fn the_score_reads_in_words_without_jargon() {
    let ctx = Context::default();
    let words = |j: &Participant, s: &Participant| {
        score_words(&pair_verdict(j, s, &ctx).expect("allowed"), &ctx.config)
    };
    let j = junior(
        "J",
        &["ediscovery", "ai_drafting"],
        &["negotiation", "networking"],
    );
    let s = senior(
        "S",
        &["negotiation", "networking"],
        &["ediscovery", "ai_drafting"],
    );
    // Same offset, cadence, hours and practice group (worth no points, so not said).
    assert_eq!(
        words(&j, &s),
        "each can teach the other 2 skills · same time zone · same cadence · same hours a month"
    );
    let mut far = senior("S", &["negotiation"], &["ediscovery"]);
    far.utc_offset_minutes = 5 * 60;
    far.cadence = Cadence::Weekly;
    far.hours_per_month = 4;
    far.practice_group = "Tax".into();
    assert_eq!(
        words(&j, &far),
        "each can teach the other 1 skill · 4 working hours in common · different practice groups"
    );
    let mut night = senior("S", &["negotiation"], &["ediscovery", "ai_drafting"]);
    night.utc_offset_minutes = 12 * 60;
    let w = words(&j, &night);
    assert!(
        w.starts_with("one can teach 2 skills, the other 1 · almost no working hours in common"),
        "{w}"
    );
    for jargon in ["balance", "overlap", "teach_up", "cross"] {
        assert!(!w.contains(jargon) && !words(&j, &far).contains(jargon));
    }
}

#[test]
fn unmatched_reasons_most_specific_first() {
    let ctx = Context::default();
    let reason = |people: &[Participant], id: &str| {
        reason_of(&propose(people, &ctx).expect("p"), id).expect("unmatched")
    };
    let (j, s) = base_pair();

    let mut paused = j.clone();
    paused.paused = true;
    assert_eq!(reason(&[paused, s.clone()], "J"), UnmatchedReason::Paused);

    assert_eq!(
        reason(std::slice::from_ref(&j), "J"),
        UnmatchedReason::NobodyOnOtherSide
    );

    let mut zero = s.clone();
    zero.capacity = 0;
    assert_eq!(
        reason(&[j.clone(), zero.clone()], "S"),
        UnmatchedReason::NoCapacity
    );
    assert_eq!(
        reason(&[j.clone(), zero], "J"),
        UnmatchedReason::NoSeniorWithTimeLeft
    );

    let mut close = j.clone();
    close.years = 11;
    let mut s_close = s.clone();
    s_close.years = 14;
    assert_eq!(
        reason(&[close, s_close], "J"),
        UnmatchedReason::NoSeniorityGap
    );

    let mut dull = j.clone();
    dull.can_teach = strs(&["social_media"]);
    assert_eq!(
        reason(&[dull.clone(), s.clone()], "J"),
        UnmatchedReason::NobodyWantsYourSkills
    );
    // From the senior's point of view: nobody teaches what they want.
    assert_eq!(
        reason(&[dull, s.clone()], "S"),
        UnmatchedReason::NobodyTeachesWhatYouWant
    );

    let mut boss = j.clone();
    boss.reports_to = Some("S".into());
    assert_eq!(
        reason(&[boss.clone(), s.clone()], "J"),
        UnmatchedReason::OnlyBlockedPartners
    );
    assert_eq!(
        reason(&[boss, s.clone()], "S"),
        UnmatchedReason::OnlyBlockedPartners
    );

    // Two juniors fit one senior, or two seniors one junior: the one left
    // out is in the same situation on either side, and gets the same reason.
    let j2 = junior("J2", &["ediscovery"], &["negotiation"]);
    let both = propose(&[j.clone(), j2, s.clone()], &ctx).expect("p");
    assert_eq!(both.pairs.len(), 1);
    assert_eq!(
        both.unmatched[0].reason,
        UnmatchedReason::PartnersTakenElsewhere
    );
    assert_eq!(
        both.unmatched[0].reason_text,
        "everyone who fits was paired with a better fit"
    );
    let s2 = senior("S2", &["negotiation"], &["ediscovery"]);
    let two = propose(&[j, s, s2], &ctx).expect("p");
    assert_eq!(
        (
            two.unmatched[0].reason,
            two.unmatched[0].reason_text.as_str()
        ),
        (
            UnmatchedReason::PartnersTakenElsewhere,
            both.unmatched[0].reason_text.as_str()
        )
    );

    let mut short = ctx.clone();
    short.config.min_hours = 4;
    let (mut j4, s4) = base_pair();
    j4.hours_per_month = 6;
    let p = propose(&[j4.clone(), s4.clone()], &short).expect("p");
    assert_eq!(
        reason_of(&p, "J"),
        Some(UnmatchedReason::PartnersShortOfHours)
    );
    assert_eq!(reason_of(&p, "S"), Some(UnmatchedReason::TooFewHours));
}

#[test]
fn duplicate_ids_are_rejected() {
    let (j, s) = base_pair();
    assert_eq!(
        propose(&[j.clone(), s, j], &Context::default()),
        Err(MatchError::DuplicateId("J".into()))
    );
}

// ----------------------------------------------------------- table / csv

#[test]
fn table_lists_pairs_totals_and_unmatched() {
    let (j, s) = base_pair();
    let lonely = junior("L", &["social_media"], &["negotiation"]);
    let p = propose(&[j, s, lonely], &Context::default()).expect("p");
    let mut ctx = Context::default();
    ctx.skill_labels
        .insert("ediscovery".into(), "E-discovery platforms".into());
    let t = render_table(&p, &ctx);
    assert!(t.contains("J Person (J)"), "{t}");
    assert!(t.contains("S Person (S)"), "{t}");
    assert!(
        t.contains("to the senior: E-discovery platforms | to the reverse mentor: negotiation"),
        "labels where the catalog has them: {t}"
    );
    assert!(t.contains("Total: 1 pairs, score 50, 1 unmatched"), "{t}");
    assert!(t.contains("L Person (L)"), "{t}");
    assert!(
        t.contains("nobody in this round wants to learn what they offer"),
        "{t}"
    );
}

#[test]
fn csv_lists_every_candidate_pair() {
    let (mut j, s) = base_pair();
    j.name = "Doe, Jane \"JD\"".into();
    let mut boss = senior("B", &["negotiation"], &["ediscovery"]);
    boss.name = "Boss".into();
    j.reports_to = Some("B".into());
    let other = junior("K", &["x"], &["y"]);
    let csv = explain_all_csv(&[s, j, boss, other], &Context::default());
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(
        lines,
        [
            "junior_id,junior_name,senior_id,senior_name,score,rule,reason,teach_up,teach_down",
            "J,\"Doe, Jane \"\"JD\"\"\",B,Boss,,supervisor,one reports to the other,1,1",
            "J,\"Doe, Jane \"\"JD\"\"\",S,S Person,50,,,1,1",
            "K,K Person,B,Boss,,one_way,neither can teach the other anything they want,0,0",
            "K,K Person,S,S Person,,one_way,neither can teach the other anything they want,0,0",
        ]
    );
}

// ---------------------------------------------------------------- roster

const GOOD: &str = r#"{
  "participants": [
    {"id": "U1", "name": "Ada Obi", "role": "associate", "years": 3,
     "can_teach": ["ediscovery"], "wants_to_learn": ["negotiation"],
     "hours_per_month": 2, "cadence": "biweekly", "practice_group": "Litigation",
     "utc_offset_minutes": 0, "reports_to": "U2"},
    {"id": "U2", "name": "Bo Lin", "role": "partner", "years": 25,
     "can_teach": ["negotiation"], "wants_to_learn": ["ediscovery"],
     "hours_per_month": 4, "cadence": "monthly", "practice_group": "Corporate",
     "utc_offset_minutes": 60, "capacity": 2},
    {"id": "U3", "name": "Cy Dee", "role": "of_counsel", "years": 30,
     "can_teach": ["negotiation"], "wants_to_learn": ["ediscovery"],
     "hours_per_month": 1, "cadence": "monthly", "practice_group": "IP",
     "utc_offset_minutes": 60, "paused": true}
  ],
  "history": [["U1", "U9"]],
  "exclusions": [["U2", "U3"]]
}"#;

#[test]
fn roster_parses_and_round_trips() {
    let r = parse_roster(GOOD).expect("valid");
    assert_eq!(r.participants.len(), 3);
    assert_eq!(r.participants[0].capacity, 1);
    assert_eq!(r.participants[1].capacity, 2);
    assert!(r.participants[2].paused);
    let again = parse_roster(&serde_json::to_string(&r).expect("ser")).expect("reparse");
    assert_eq!(r, again);
    let ctx = r.context(MatchConfig::default(), BTreeMap::new());
    assert!(ctx.history.contains("U9", "U1"));
    assert!(ctx.exclusions.contains("U3", "U2"));
    let p = propose(&r.participants, &ctx).expect("p");
    assert!(p.pairs.is_empty()); // U1 reports to U2, U3 paused
    assert_eq!(reason_of(&p, "U3"), Some(UnmatchedReason::Paused));
    assert_eq!(
        reason_of(&p, "U1"),
        Some(UnmatchedReason::OnlyBlockedPartners)
    );
}

fn roster_err(json: &str) -> String {
    parse_roster(json).expect_err("should fail").to_string()
}

#[test]
fn roster_errors_are_specific() {
    let e = roster_err(&GOOD.replace("\"reports_to\"", "\"manager\""));
    assert!(
        e.contains("unknown field `manager`") && e.contains("line 6"),
        "{e}"
    );
    let e = roster_err(&GOOD.replace("\"history\"", "\"histroy\""));
    assert!(e.contains("unknown field `histroy`"), "{e}");
    let e = roster_err(&GOOD.replace("\"of_counsel\"", "\"ofcounsel\""));
    assert!(e.contains("unknown variant `ofcounsel`"), "{e}");
    let e = roster_err(&GOOD.replace("\"hours_per_month\": 4", "\"hours_per_month\": 3"));
    assert!(
        e.contains("participants[1] (id \"U2\"): hours_per_month must be 1, 2, 4 or 6, got 3"),
        "{e}"
    );
    let e = roster_err(&GOOD.replace("\"id\": \"U3\"", "\"id\": \"U1\""));
    assert!(
        e.contains("participants[2] (id \"U1\"): id also used by participants[0]"),
        "{e}"
    );
    let e = roster_err(&GOOD.replace("\"utc_offset_minutes\": 0", "\"utc_offset_minutes\": 900"));
    assert!(e.contains("utc_offset_minutes must be between"), "{e}");
    let e = roster_err(&GOOD.replace("[\"U2\", \"U3\"]", "[\"U2\", \"U7\"]"));
    assert!(
        e.contains("exclusions[0]: unknown participant id \"U7\""),
        "{e}"
    );
    let e = roster_err(&GOOD.replace("[\"U1\", \"U9\"]", "[\"U1\", \"U1\"]"));
    assert!(e.contains("history[0]: a pair needs two different"), "{e}");
    let e = roster_err(&GOOD.replace("[\"U1\", \"U9\"]", "[\"U1\"]"));
    assert!(
        e.contains("expected an array of length 2 at line 16"),
        "{e}"
    );
    let e = roster_err(&GOOD.replace("\"years\": 3,", ""));
    assert!(e.contains("missing field `years`"), "{e}");
    let e = roster_err(&GOOD.replace(
        "[\"ediscovery\"], \"wants",
        "[\"ediscovery\", \"ediscovery\"], \"wants",
    ));
    assert!(
        e.contains("can_teach lists skill \"ediscovery\" twice"),
        "{e}"
    );
    let e = roster_err(&GOOD.replace("\"reports_to\": \"U2\"", "\"reports_to\": \"U1\""));
    assert!(
        e.contains("reports_to names the participant themself"),
        "{e}"
    );
    let e = roster_err("{\"participants\": [");
    assert!(e.contains("EOF"), "{e}");
    let e = roster_err(&GOOD.replace("\"years\": 3", "\"years\": -3"));
    assert!(e.contains("invalid value") && e.contains("line 3"), "{e}");
}

#[test]
fn example_roster_parses_and_matches() {
    let json = include_str!("../../../examples/roster.json");
    let r = parse_roster(json).expect("example roster is valid");
    assert!((35..=45).contains(&r.participants.len()));
    assert!(!r.history.is_empty() && !r.exclusions.is_empty());
    assert!(r.participants.iter().any(|p| p.reports_to.is_some()));
    let ctx = r.context(MatchConfig::default(), BTreeMap::new());
    let p = propose(&r.participants, &ctx).expect("p");
    assert_valid(&r.participants, &ctx, &p);
    assert!(
        p.pairs.len() >= 10,
        "{}",
        render_table(&p, &Context::default())
    );
    let json = serde_json::to_string(&p).expect("proposal serializes");
    assert!(json.contains("\"total_score\""));
}

#[test]
fn documented_roster_example_parses() {
    let doc = include_str!("../../../docs/roster-format.md");
    let start = doc.find("```json\n").expect("json block") + "```json\n".len();
    let len = doc[start..].find("```").expect("block end");
    let r = parse_roster(&doc[start..start + len]).expect("documented example is valid");
    assert_eq!(r.participants.len(), 2);
    let ctx = r.context(MatchConfig::default(), BTreeMap::new());
    let p = propose(&r.participants, &ctx).expect("p");
    // The only possible pair is excluded.
    assert!(p.pairs.is_empty());
    assert!(
        p.unmatched
            .iter()
            .all(|u| u.reason == UnmatchedReason::OnlyBlockedPartners)
    );
}

#[test]
fn an_unmatched_reason_is_stored_with_its_json_spelling_and_read_back() {
    for reason in UnmatchedReason::ALL {
        let json = serde_json::to_value(reason).unwrap();
        assert_eq!(json.as_str(), Some(reason.code()), "{reason:?}");
        assert_eq!(UnmatchedReason::parse_code(reason.code()), Some(reason));
    }
    let distinct: std::collections::BTreeSet<_> =
        UnmatchedReason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(distinct.len(), UnmatchedReason::ALL.len());
    assert_eq!(UnmatchedReason::parse_code("no_such_reason"), None);
}
