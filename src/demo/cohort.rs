//! The demo's cast: fictional attorneys of a fictional firm and its clients' legal departments. Every name is
//! invented. The order alternates senior and junior attorneys, so that any first N of them make a balanced cohort;
//! two extra juniors at places 29 and 30 leave people waiting to be paired in the default cohort of 30.

use crate::domain::forms::survey::Answers;
use crate::domain::matching::Role;
use crate::domain::schedule::Cadence;

/// The program admin who runs matching (not a participant).
pub const ADMIN: Person = Person {
    id: "U0DEMOADMIN",
    name: "Morgan Ellery",
    role: Role::SeniorCounsel,
    years: 15,
    group: "Other",
    tz: "Europe/London",
    teach: &[],
    learn: &[],
    hours: 1,
    cadence: Cadence::Monthly,
    reports_to: None,
};

/// The Slack channel where the program managers read summaries.
pub const MANAGER_CHANNEL: &str = "C0MANAGERS";

/// One fictional attorney and the survey answers they give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub id: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub years: u8,
    pub group: &'static str,
    /// IANA time zone of their Slack profile.
    pub tz: &'static str,
    /// Skill IDs from the default catalog.
    pub teach: &'static [&'static str],
    pub learn: &'static [&'static str],
    pub hours: u8,
    pub cadence: Cadence,
    /// The user ID of the person they report to (also in the cast).
    pub reports_to: Option<&'static str>,
}

impl Person {
    /// The survey answers this person submits.
    pub fn answers(&self) -> Answers {
        let sorted = |ids: &[&str]| {
            let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
            v.sort();
            v
        };
        Answers {
            role: self.role,
            years: self.years,
            practice_group: self.group.to_string(),
            teach: sorted(self.teach),
            learn: sorted(self.learn),
            hours_per_month: self.hours,
            cadence: self.cadence,
            reports_to: self.reports_to.map(str::to_string),
        }
    }

    /// Their first name, for objectives and notes.
    pub fn first_name(&self) -> &'static str {
        self.name.split(' ').next().unwrap_or(self.name)
    }

    /// A short description for the transcript: `Partner, Litigation and disputes, London`.
    pub fn describe(&self) -> String {
        let city = self
            .tz
            .rsplit('/')
            .next()
            .unwrap_or(self.tz)
            .replace('_', " ");
        let city = if city == "Berlin" {
            "Frankfurt".to_string()
        } else {
            city
        };
        format!("{}, {}, {city}", self.role.label(), self.group)
    }
}

const W: Cadence = Cadence::Weekly;
const B: Cadence = Cadence::Biweekly;
const M: Cadence = Cadence::Monthly;

#[allow(clippy::too_many_arguments)]
const fn p(
    id: &'static str,
    name: &'static str,
    role: Role,
    years: u8,
    group: &'static str,
    tz: &'static str,
    teach: &'static [&'static str],
    learn: &'static [&'static str],
    hours: u8,
    cadence: Cadence,
    reports_to: Option<&'static str>,
) -> Person {
    Person {
        id,
        name,
        role,
        years,
        group,
        tz,
        teach,
        learn,
        hours,
        cadence,
        reports_to,
    }
}

const LIT: &str = "Litigation and disputes";
const CORP: &str = "Corporate and M&A";
const FIN: &str = "Finance and banking";
const RE: &str = "Real estate";
const EMP: &str = "Employment";
const IP: &str = "Intellectual property";
const TAX: &str = "Tax";
const REG: &str = "Regulatory and compliance";
const PC: &str = "Private client";
const INH: &str = "In-house legal";

const LON: &str = "Europe/London";
const NYC: &str = "America/New_York";
const FRA: &str = "Europe/Berlin";
const SIN: &str = "Asia/Singapore";
const CHI: &str = "America/Chicago";
const PAR: &str = "Europe/Paris";
const HKG: &str = "Asia/Hong_Kong";

/// The whole cast, in the order people join.
#[rustfmt::skip]
pub const CAST: [Person; 40] = [
    p("U0D01", "Margaret Ashworth", Role::Partner, 26, LIT, LON, &["courtroom_advocacy", "client_management", "negotiation"], &["ediscovery", "ai_research"], 2, W, None),
    p("U0D02", "Priya Raman", Role::Associate, 4, LIT, LON, &["ediscovery", "ai_research", "data_spreadsheets"], &["courtroom_advocacy", "client_management"], 4, W, None),
    p("U0D03", "Daniel Okafor", Role::Partner, 22, CORP, NYC, &["negotiation", "business_development", "project_management"], &["ai_drafting", "clm_tools"], 2, W, None),
    p("U0D04", "Lucas Moreau", Role::JuniorAssociate, 2, CORP, NYC, &["ai_drafting", "clm_tools", "collaboration_tools"], &["negotiation", "writing_for_partners"], 4, W, Some("U0D03")),
    p("U0D05", "Helena Brandt", Role::OfCounsel, 19, FIN, FRA, &["billing_matters", "writing_for_partners", "firm_culture"], &["data_spreadsheets", "legal_tech_eval"], 2, B, None),
    p("U0D06", "Aisha Bello", Role::Associate, 5, FIN, LON, &["data_spreadsheets", "legal_tech_eval", "ai_drafting"], &["writing_for_partners", "billing_matters"], 2, W, None),
    p("U0D07", "Richard Tan", Role::GeneralCounsel, 24, INH, SIN, &["business_development", "delegation_feedback", "client_management"], &["social_media", "remote_work"], 1, W, None),
    p("U0D08", "Mei Lin Koh", Role::Counsel, 6, INH, SIN, &["social_media", "remote_work", "collaboration_tools"], &["delegation_feedback", "firm_culture"], 2, W, None),
    p("U0D09", "Catherine Lindqvist", Role::Partner, 30, IP, LON, &["courtroom_advocacy", "networking", "firm_culture"], &["ai_research", "cybersecurity_hygiene"], 2, W, None),
    p("U0D10", "Jonah Fischer", Role::Associate, 3, IP, FRA, &["cybersecurity_hygiene", "ai_research", "ediscovery"], &["networking", "courtroom_advocacy"], 4, W, Some("U0D09")),
    p("U0D11", "Frances Oyelaran", Role::DeputyGc, 18, INH, NYC, &["project_management", "negotiation", "delegation_feedback"], &["clm_tools", "ai_drafting"], 2, B, None),
    p("U0D12", "Tomasz Nowicki", Role::LegalOperations, 4, INH, FRA, &["clm_tools", "data_spreadsheets", "legal_tech_eval"], &["project_management", "negotiation"], 4, W, None),
    p("U0D13", "Geoffrey Strand", Role::Partner, 28, RE, LON, &["client_management", "billing_matters", "business_development"], &["remote_work", "collaboration_tools"], 1, M, None),
    p("U0D14", "Sofia Castellano", Role::Associate, 3, RE, PAR, &["collaboration_tools", "remote_work", "social_media"], &["client_management", "business_development"], 2, W, None),
    p("U0D15", "Ingrid Halvorsen", Role::SeniorCounsel, 16, INH, FRA, &["negotiation", "writing_for_partners", "networking"], &["ai_drafting", "legal_tech_eval"], 2, W, None),
    p("U0D16", "Kwame Asante", Role::SeniorAssociate, 8, EMP, LON, &["ai_drafting", "legal_tech_eval", "ediscovery"], &["negotiation", "networking"], 2, W, None),
    p("U0D17", "Michael Deveraux", Role::Partner, 21, EMP, CHI, &["courtroom_advocacy", "delegation_feedback", "client_management"], &["ediscovery", "social_media"], 2, W, None),
    p("U0D18", "Zara Hussain", Role::JuniorAssociate, 1, EMP, CHI, &["social_media", "ediscovery", "ai_research"], &["courtroom_advocacy", "delegation_feedback"], 4, W, Some("U0D17")),
    p("U0D19", "Patricia Nakamura-Cole", Role::Partner, 25, TAX, HKG, &["billing_matters", "client_management", "writing_for_partners"], &["data_spreadsheets", "ai_research"], 2, B, None),
    p("U0D20", "Ravi Menon", Role::Associate, 4, TAX, SIN, &["data_spreadsheets", "ai_research", "cybersecurity_hygiene"], &["writing_for_partners", "billing_matters"], 2, W, None),
    p("U0D21", "Alistair Penrose", Role::OfCounsel, 20, REG, LON, &["firm_culture", "negotiation", "project_management"], &["cybersecurity_hygiene", "clm_tools"], 2, W, None),
    p("U0D22", "Hannah Vogel", Role::Associate, 5, REG, FRA, &["cybersecurity_hygiene", "clm_tools", "collaboration_tools"], &["firm_culture", "project_management"], 2, W, None),
    p("U0D23", "Beatrice Kowalczyk", Role::Partner, 23, PC, LON, &["networking", "business_development", "client_management"], &["social_media", "remote_work"], 1, B, None),
    p("U0D24", "Diego Salazar", Role::JuniorAssociate, 2, PC, NYC, &["social_media", "ai_drafting", "remote_work"], &["networking", "business_development"], 2, W, None),
    p("U0D25", "Howard Lindgren", Role::Partner, 29, LIT, NYC, &["courtroom_advocacy", "negotiation", "writing_for_partners"], &["ediscovery", "legal_tech_eval"], 2, W, None),
    p("U0D26", "Grace Obi", Role::Associate, 3, LIT, LON, &["ediscovery", "legal_tech_eval", "data_spreadsheets"], &["courtroom_advocacy", "writing_for_partners"], 4, W, None),
    p("U0D27", "Naomi Feldstein", Role::GeneralCounsel, 22, INH, NYC, &["delegation_feedback", "firm_culture", "business_development"], &["ai_research", "collaboration_tools"], 2, W, None),
    p("U0D28", "Felix Hartmann", Role::Counsel, 7, INH, FRA, &["ai_research", "collaboration_tools", "remote_work"], &["delegation_feedback", "business_development"], 2, W, None),
    p("U0D29", "Isla McTavish", Role::JuniorAssociate, 1, CORP, LON, &["ai_drafting", "social_media"], &["negotiation", "client_management"], 2, W, None),
    p("U0D30", "Amelia Ruiz", Role::Associate, 2, IP, NYC, &["legal_tech_eval", "ai_research"], &["courtroom_advocacy", "networking"], 2, B, None),
    p("U0D31", "Jonathan Whitcombe", Role::Partner, 24, FIN, LON, &["client_management", "billing_matters"], &["ai_drafting", "data_spreadsheets"], 2, W, None),
    p("U0D32", "Oliver Brandt-Nwosu", Role::Associate, 4, FIN, LON, &["data_spreadsheets", "ai_drafting"], &["client_management", "billing_matters"], 2, W, None),
    p("U0D33", "Elizabeth Marchetti", Role::Partner, 27, CORP, PAR, &["negotiation", "project_management"], &["clm_tools", "collaboration_tools"], 2, B, None),
    p("U0D34", "Chloe Armitage", Role::Associate, 3, CORP, LON, &["clm_tools", "collaboration_tools"], &["negotiation", "project_management"], 2, W, None),
    p("U0D35", "Charles Adeyemi", Role::SeniorCounsel, 17, INH, LON, &["delegation_feedback", "networking"], &["legal_tech_eval", "remote_work"], 2, W, None),
    p("U0D36", "Ethan Whitlow", Role::JuniorAssociate, 2, RE, NYC, &["remote_work", "legal_tech_eval"], &["networking", "delegation_feedback"], 2, W, None),
    p("U0D37", "Susan Achterberg", Role::Partner, 26, EMP, FRA, &["firm_culture", "client_management"], &["ai_research", "social_media"], 1, W, None),
    p("U0D38", "Noah Pemberton", Role::Associate, 5, EMP, LON, &["ai_research", "social_media"], &["firm_culture", "client_management"], 2, W, None),
    p("U0D39", "Robert Villanueva", Role::Partner, 23, RE, CHI, &["business_development", "billing_matters"], &["cybersecurity_hygiene", "ediscovery"], 2, B, None),
    p("U0D40", "Leila Haddad", Role::Associate, 3, RE, CHI, &["cybersecurity_hygiene", "ediscovery"], &["business_development", "billing_matters"], 2, W, None),
];

/// The smallest and largest cohorts the demo plays.
pub const MIN_PEOPLE: usize = 4;
pub const MAX_PEOPLE: usize = CAST.len();

/// The first `n` people of the cast.
pub fn cohort(n: usize) -> &'static [Person] {
    &CAST[..n.clamp(MIN_PEOPLE, MAX_PEOPLE)]
}

/// The person with this Slack ID (the admin included).
pub fn by_id(id: &str) -> Option<&'static Person> {
    if id == ADMIN.id {
        return Some(&ADMIN);
    }
    CAST.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Catalog;

    #[test]
    fn every_answer_is_valid_for_the_default_catalog() {
        let c = Catalog::default();
        let mut ids = std::collections::BTreeSet::new();
        for p in CAST {
            assert!(ids.insert(p.id), "{} twice", p.id);
            assert!(
                c.practice_groups.iter().any(|g| g == p.group),
                "{}",
                p.group
            );
            for s in p.teach.iter().chain(p.learn) {
                assert!(c.skill(s).is_some(), "{s}");
            }
            assert!(p.teach.iter().all(|s| !p.learn.contains(s)));
            assert!(crate::domain::forms::survey::HOURS.contains(&p.hours));
            assert!(p.tz.parse::<chrono_tz::Tz>().is_ok(), "{}", p.tz);
            if let Some(boss) = p.reports_to {
                let at = CAST.iter().position(|q| q.id == boss).unwrap();
                let me = CAST.iter().position(|q| q.id == p.id).unwrap();
                assert!(at < me, "a supervisor joins before their report");
            }
        }
    }
}
