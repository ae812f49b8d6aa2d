//! Matching benchmark (plain `Instant` timing, no harness).
//!
//! ```text
//! cargo bench --bench matching                      # 500, 2000, 5000, 20000
//! cargo bench --bench matching -- --sizes 500,5000  # chosen sizes
//! cargo bench --bench matching -- --dump DIR        # also write matrices for scipy
//! cargo bench --bench matching -- --repeat 3        # solve time = best of 3
//! ```
//!
//! Each size runs in a fresh child process (this same binary with
//! `--child N`), so the reported peak memory (`VmHWM` from
//! `/proc/self/status`) is that size's own peak, not cumulative.
//!
//! Cohorts are synthetic and seeded: 55 % reverse mentors; skills drawn
//! with a Zipf-like popularity (a few popular skills); 5 % "star" seniors
//! who teach most practice skills, so most reverse mentors want the same few
//! seniors; senior capacity 1 (70 %), 2 (25 %) or 3 (5 %); 10 % of reverse
//! mentors report to a senior; some history pairs and exclusions.
//!
//! Reported per size: `build` = score matrix construction
//! ([`cohort_matrix`]), `solve` = [`solve_max`] on that matrix (best of
//! `--repeat`, default 1),
//! `propose` = the whole [`propose`] call (build + solve + checks +
//! explanations + unmatched reasons), run separately afterwards.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tandem::domain::matching::{
    Cadence, Context, Participant, Role, assignment_total, cohort_matrix, propose, solve_max,
};
use tandem::domain::rng::SeededRng;

const SEED: u64 = 0x007A_4DE3_2024;
const DEFAULT_SIZES: [usize; 4] = [500, 2_000, 5_000, 20_000];

/// An index in `0..n` with weight 1/(k+1) (Zipf-like popularity).
fn zipf(rng: &mut SeededRng, n: usize) -> usize {
    let total: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
    let mut x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
    for k in 0..n {
        x -= 1.0 / (k + 1) as f64;
        if x <= 0.0 {
            return k;
        }
    }
    n - 1
}

const TECH: [&str; 10] = [
    "ai_drafting",
    "ediscovery",
    "ai_research",
    "clm_tools",
    "data_spreadsheets",
    "collaboration_tools",
    "legal_tech_eval",
    "cybersecurity_hygiene",
    "social_media",
    "remote_work",
];
const PRACTICE: [&str; 10] = [
    "client_management",
    "business_development",
    "negotiation",
    "writing_for_partners",
    "project_management",
    "courtroom_advocacy",
    "networking",
    "firm_culture",
    "delegation_feedback",
    "billing_matters",
];
const GROUPS: [&str; 8] = [
    "Litigation",
    "Corporate",
    "IP",
    "Employment",
    "Real Estate",
    "Tax",
    "Finance",
    "In-house Legal",
];

fn skills(rng: &mut SeededRng, from: &[&str], lo: u64, hi: u64) -> Vec<String> {
    let want = (lo + rng.below(hi - lo + 1)) as usize;
    let mut out: Vec<String> = Vec::new();
    let mut tries = 0;
    while out.len() < want && tries < 50 {
        let s = from[zipf(rng, from.len())];
        if !out.iter().any(|x| x == s) {
            out.push(s.to_owned());
        }
        tries += 1;
    }
    out
}

/// A seeded synthetic cohort of `n` people with survey-like answers.
fn cohort(n: usize, seed: u64) -> (Vec<Participant>, Context) {
    let mut rng = SeededRng::new(seed ^ n as u64);
    let mut people = Vec::with_capacity(n);
    for k in 0..n {
        let junior = rng.chance(55);
        let star = !junior && rng.chance(5);
        let (role, years) = if junior {
            (
                *rng.pick(&[
                    Role::Associate,
                    Role::JuniorAssociate,
                    Role::Counsel,
                    Role::LegalOperations,
                    Role::Paralegal,
                    Role::SeniorAssociate,
                ])
                .unwrap(),
                rng.below(10) as u8,
            )
        } else {
            (
                *rng.pick(&[
                    Role::Partner,
                    Role::OfCounsel,
                    Role::GeneralCounsel,
                    Role::DeputyGc,
                    Role::SeniorCounsel,
                ])
                .unwrap(),
                12 + rng.below(28) as u8,
            )
        };
        let (can_teach, wants_to_learn) = if junior {
            (
                skills(&mut rng, &TECH, 1, 3),
                skills(&mut rng, &PRACTICE, 1, 3),
            )
        } else if star {
            (
                skills(&mut rng, &PRACTICE, 5, 7),
                skills(&mut rng, &TECH, 2, 3),
            )
        } else {
            (
                skills(&mut rng, &PRACTICE, 1, 3),
                skills(&mut rng, &TECH, 1, 3),
            )
        };
        people.push(Participant {
            id: format!("U{:08X}", (rng.next_u64() as u32) ^ k as u32),
            name: format!("Person {k}"),
            role,
            years,
            can_teach,
            wants_to_learn,
            hours_per_month: *rng.pick(&[1, 2, 2, 4, 6]).unwrap(),
            cadence: *rng
                .pick(&[Cadence::Weekly, Cadence::Biweekly, Cadence::Monthly])
                .unwrap(),
            practice_group: rng.pick(&GROUPS).unwrap().to_string(),
            utc_offset_minutes: *rng
                .pick(&[-480, -300, -300, 0, 0, 60, 60, 330, 540])
                .unwrap(),
            reports_to: None,
            capacity: if junior {
                1
            } else {
                *rng.pick(&[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3])
                    .unwrap()
            },
            paused: rng.chance(2),
        });
    }
    // Dedupe ids (astronomically unlikely collisions) by suffixing.
    for (k, p) in people.iter_mut().enumerate() {
        p.id.push_str(&format!("{k:X}"));
    }
    let seniors: Vec<usize> = (0..n).filter(|&i| people[i].years >= 12).collect();
    let juniors: Vec<usize> = (0..n).filter(|&i| people[i].years < 12).collect();
    let mut ctx = Context::default();
    if !seniors.is_empty() && !juniors.is_empty() {
        for &j in &juniors {
            if rng.chance(10) {
                let s = *rng.pick(&seniors).unwrap();
                people[j].reports_to = Some(people[s].id.clone());
            }
        }
        for _ in 0..n / 50 {
            let (j, s) = (*rng.pick(&juniors).unwrap(), *rng.pick(&seniors).unwrap());
            ctx.history.insert(&people[j].id, &people[s].id);
        }
        for _ in 0..n / 200 {
            let (j, s) = (*rng.pick(&juniors).unwrap(), *rng.pick(&seniors).unwrap());
            ctx.exclusions.insert(&people[j].id, &people[s].id);
        }
    }
    (people, ctx)
}

fn vm_hwm_kib() -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Writes a C-order little-endian int64 `.npy` file.
fn write_npy(path: &Path, rows: usize, cols: usize, data: &[i64]) -> std::io::Result<()> {
    let mut header =
        format!("{{'descr': '<i8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // magic(6) + version(2) + len(2) + header + '\n' must be a multiple of 64.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut f = std::io::BufWriter::new(fs::File::create(path)?);
    f.write_all(b"\x93NUMPY\x01\x00")?;
    f.write_all(&(header.len() as u16).to_le_bytes())?;
    f.write_all(header.as_bytes())?;
    for x in data {
        f.write_all(&x.to_le_bytes())?;
    }
    f.flush()
}

/// Runs one size in this process and prints one `RESULT` line.
fn child(n: usize, dump: Option<PathBuf>, repeat: usize) {
    let (people, ctx) = cohort(n, SEED);
    let t = Instant::now();
    let cm = match cohort_matrix(&people, &ctx) {
        Ok(cm) => cm,
        Err(e) => {
            eprintln!("cohort_matrix failed: {e}");
            std::process::exit(2);
        }
    };
    let build = t.elapsed().as_secs_f64();
    // Best of `repeat` solves.
    let mut solve = f64::INFINITY;
    let mut a = Vec::new();
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        a = solve_max(&cm.matrix);
        solve = solve.min(t.elapsed().as_secs_f64());
    }
    let solver_total = assignment_total(&cm.matrix, &a);
    let (rows, cols) = (cm.matrix.rows(), cm.matrix.cols());
    let allowed = cm.matrix.to_vec().iter().filter(|&&x| x > 0).count();
    if let Some(dir) = dump {
        let stem = dir.join(format!("cohort_{n}"));
        let npy = stem.with_extension("npy");
        if let Err(e) = write_npy(&npy, rows, cols, &cm.matrix.to_vec()) {
            eprintln!("writing {}: {e}", npy.display());
            std::process::exit(2);
        }
        let meta = format!(
            "{{\"participants\": {n}, \"rows\": {rows}, \"cols\": {cols}, \"total\": {solver_total}, \"solve_seconds\": {solve}}}\n"
        );
        if let Err(e) = fs::write(stem.with_extension("json"), meta) {
            eprintln!("writing meta: {e}");
            std::process::exit(2);
        }
    }
    drop(cm);
    let t = Instant::now();
    let p = match propose(&people, &ctx) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("propose failed: {e}");
            std::process::exit(2);
        }
    };
    let prop = t.elapsed().as_secs_f64();
    assert_eq!(
        p.total_score, solver_total,
        "propose and raw solve disagree"
    );
    println!(
        "RESULT {n} {rows} {cols} {allowed} {build:.4} {solve:.4} {prop:.4} {} {} {} {}",
        p.pairs.len(),
        p.unmatched.len(),
        p.total_score,
        vm_hwm_kib()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes: Vec<usize> = DEFAULT_SIZES.to_vec();
    let mut dump: Option<PathBuf> = None;
    let mut child_n: Option<usize> = None;
    let mut repeat = 1usize;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--sizes" if i + 1 < args.len() => {
                sizes = args[i + 1]
                    .split(',')
                    .filter_map(|s| s.trim().parse().ok())
                    .collect();
                i += 1;
            }
            "--dump" if i + 1 < args.len() => {
                dump = Some(PathBuf::from(&args[i + 1]));
                i += 1;
            }
            "--repeat" if i + 1 < args.len() => {
                repeat = args[i + 1].parse().unwrap_or(1);
                i += 1;
            }
            "--child" if i + 1 < args.len() => {
                child_n = args[i + 1].parse().ok();
                i += 1;
            }
            _ => {} // e.g. cargo's `--bench`
        }
        i += 1;
    }
    if let Some(n) = child_n {
        child(n, dump, repeat);
        return;
    }
    if let Some(d) = &dump
        && let Err(e) = fs::create_dir_all(d)
    {
        eprintln!("creating {}: {e}", d.display());
        std::process::exit(2);
    }
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("current_exe: {e}");
            std::process::exit(2);
        }
    };
    println!("Tandem matching benchmark (seed {SEED:#x}; each size in its own process)");
    println!(
        "{:>7} {:>13} {:>9} {:>9} {:>9} {:>10} {:>6} {:>6} {:>9} {:>9}",
        "people",
        "matrix",
        "allowed%",
        "build s",
        "solve s",
        "propose s",
        "pairs",
        "unm.",
        "total",
        "peak MiB"
    );
    for n in sizes {
        let mut cmd = Command::new(&exe);
        cmd.arg("--child")
            .arg(n.to_string())
            .arg("--repeat")
            .arg(repeat.to_string());
        if let Some(d) = &dump {
            cmd.arg("--dump").arg(d);
        }
        let out = match cmd.output() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("running child for {n}: {e}");
                continue;
            }
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        let Some(line) = stdout.lines().find(|l| l.starts_with("RESULT ")) else {
            eprintln!(
                "size {n} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            continue;
        };
        let f: Vec<&str> = line.split_whitespace().skip(1).collect();
        let num = |k: usize| {
            f.get(k)
                .and_then(|x| x.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let (rows, cols) = (num(1), num(2));
        println!(
            "{:>7} {:>13} {:>9.1} {:>9.3} {:>9.3} {:>10.3} {:>6} {:>6} {:>9} {:>9.0}",
            n,
            format!("{rows}x{cols}"),
            100.0 * num(3) / (rows * cols).max(1.0),
            num(4),
            num(5),
            num(6),
            f.get(7).unwrap_or(&"?"),
            f.get(8).unwrap_or(&"?"),
            f.get(9).unwrap_or(&"?"),
            num(10) / 1024.0
        );
    }
}
