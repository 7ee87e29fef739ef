"""The demo's sample partnership: people, goals, KPIs and their trajectories, RACI tasks.

Two organisations working on seven goals for a year. Dates are offsets in days from
the demo's as-of date (:mod:`sheets_sync.demo.rows` lays them out), and a few
problems are planted on purpose (:data:`DEMO_PROBLEMS`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

#: Seed of every random stream used here (one stream per KPI / goal, derived from it).
DEMO_SEED = 20240611

#: Rule id -> where the demo data deliberately triggers it.
DEMO_PROBLEMS: dict[str, str] = {
    "RACI-NO-A": "T7 (Pilot automated triage rules) has Responsible people but no Accountable",
    "RACI-MULTI-A": (
        "T13 (Recruit pilot patients) has two Accountable: Chloe Martin and Hugo Laurent"
    ),
    "REVIEW-OVERDUE": "G3 (monthly reviews) was last reviewed about 75 days before the as-of date",
    "KPI-OFF-TRACK": (
        "K5 is well below pace (pace ratio ~0.48); K10 response time is above its ceiling"
    ),
    "KPI-STALE": "K7 (weekly) has had no reading for about two months",
    "KPI-OVERDUE": "K13 (G6) passed its due date 14 days ago short of its target",
    "GOAL-ONE-SIDED": "G6 has no Partner owner",
    "VALUE-TYPE": "a KPI Log row for K1 has the impossible date '31/02/<year>' in Date",
    "KPI-CONFIDENCE-DROP": "K5's last three check-ins went from High to Medium to Low confidence",
}

#: Findings the demo's people acknowledge or snooze on the Issues tab once it is made:
#: (rule, key, column typed in, value: a Person, or days after as_of, comment).
DEMO_ACKNOWLEDGED: tuple[tuple[str, str, str, str | int, str], ...] = (
    ("KPI-OFF-TRACK", "K10", "Acknowledged by", "Hugo Laurent",
     "Accepted: response times recover when the new servers arrive"),
    ("KPI-OVERDUE", "K13", "Snooze until", 21,
     "A six-week extension goes to the board this month"),
)

#: The KPI whose last three check-ins carry a falling Confidence (KPI-CONFIDENCE-DROP).
CONFIDENCE_DROP = ("K5", ("High", "Medium", "Low"))

NORTHWIND = "Northwind Health"
CONTOSO = "Contoso Labs"

#: (Person, Email, Organization, Role)
PEOPLE: tuple[tuple[str, str, str, str], ...] = (
    ("Ana Ruiz", "ana.ruiz@northwindhealth.org", NORTHWIND, "Partnership lead"),
    ("Ben Okafor", "ben.okafor@northwindhealth.org", NORTHWIND, "Programme manager"),
    ("Chloe Martin", "chloe.martin@northwindhealth.org", NORTHWIND, "Clinical lead"),
    ("David Chen", "david.chen@northwindhealth.org", NORTHWIND, "Data analyst"),
    ("Priya Shah", "priya.shah@northwindhealth.org", NORTHWIND, "Operations manager"),
    ("Elena Petrova", "elena.petrova@contosolabs.com", CONTOSO, "Partnership lead"),
    ("Farid Haddad", "farid.haddad@contosolabs.com", CONTOSO, "Product manager"),
    ("Grace Kim", "grace.kim@contosolabs.com", CONTOSO, "Data scientist"),
    ("Hugo Laurent", "hugo.laurent@contosolabs.com", CONTOSO, "Engineering lead"),
    ("Isabel Moreau", "isabel.moreau@contosolabs.com", CONTOSO, "Customer success manager"),
)
ORG = {p[0]: p[2] for p in PEOPLE}


@dataclass(frozen=True)
class Goal:
    gid: str
    text: str
    owner: str
    partner: str | None
    start: int  # days relative to as_of
    due: int
    cadence: str
    review_lag: int  # days between the last review and as_of
    decisions: tuple[str, ...]
    next_steps: tuple[str, ...]
    state: str | None = None  # blank: Active
    outcome: str | None = None


# fmt: off
GOALS: tuple[Goal, ...] = (
    Goal(
        "G1", "Launch joint onboarding programme", "Ana Ruiz", "Elena Petrova",
        -330, 90, "monthly", 3,
        ("Agreed cohort size of 10 organisations", "Moved webinar to Thursdays",
         "Approved revised welcome pack", "Keep current pace"),
        ("Ben to chase late sign-ups", "Isabel to send the feedback survey",
         "Update the onboarding handbook", "Book next cohort kick-off"),
    ),
    Goal(
        "G2", "Reduce referral waiting times", "Chloe Martin", "Farid Haddad",
        -300, 120, "biweekly", 2,
        ("Extend triage pilot to two more clinics", "Escalate backlog to operations board",
         "Prioritise urgent referrals first", "No change this cycle"),
        ("Farid to fix the duplicate-referral bug", "Chloe to review triage rules",
         "Share weekly backlog numbers", "Agree staffing for evening triage"),
    ),
    Goal(
        "G3", "Share anonymised outcomes data monthly", "David Chen", "Grace Kim",
        -320, 60, "monthly", 75,
        ("Adopt the shared data dictionary", "Drop free-text fields from extract",
         "Accept the audit findings"),
        ("Grace to rerun the completeness check", "David to automate the extract",
         "Confirm retention period with IG"),
    ),
    Goal(
        "G4", "Co-develop remote monitoring pilot", "Hugo Laurent", "Chloe Martin",
        -280, 150, "quarterly", 20,
        ("Go with the wrist-worn device", "Pause recruitment at the second site",
         "Lower the alert threshold for heart rate"),
        ("Hugo to ship the alert integration", "Chloe to brief ward nurses",
         "Grace to report false-positive trend"),
    ),
    Goal(
        "G5", "Improve patient satisfaction with digital services", "Isabel Moreau", "Ben Okafor",
        -310, 100, "monthly", 6,
        ("Publish the new help centre", "Add live chat during clinic hours",
         "Keep the survey at quarter end"),
        ("Isabel to analyse survey comments", "Ben to update the FAQ",
         "Review ticket categories"),
    ),
    Goal(
        # One-sided on purpose: nobody from Contoso Labs co-owns it (GOAL-ONE-SIDED).
        "G6", "Train clinical staff on the shared platform", "Priya Shah", None,
        -270, -14, "biweekly", 4,
        ("Add two extra training sessions", "Make the e-learning module mandatory",
         "Accept a short extension"),
        ("Priya to chase ward managers", "Publish attendance by ward",
         "Record the session for night staff"),
    ),
    Goal(
        "G7", "Secure joint funding for phase two", "Ben Okafor", "Elena Petrova",
        -360, 200, "quarterly", 40,
        ("Target the regional innovation fund", "Share bid-writing costs 50/50"),
        ("Elena to draft the budget section", "Ben to collect letters of support"),
    ),
    Goal(
        # Closed on purpose: done and reviewed, it raises nothing and reads Closed.
        "G8", "Hold the joint partnership launch event", "Elena Petrova", "Ana Ruiz",
        -360, -200, "monthly", 190,
        ("Book the conference centre", "Invite the regional press"),
        ("Elena to send the thank-you notes", "Ana to circulate the photos"),
        state="Closed", outcome="Achieved",
    ),
)
# fmt: on

#: (p, f) -> noise-free value, where p runs 0..1 over the KPI's readings and f is the
#: pacing fraction of the status rules at the reading's date.
Level = Callable[[float, float], float]


def _pace(baseline: float, target: float, m_start: float, m_end: float) -> Level:
    """Track the pace line scaled by a factor drifting from ``m_start`` to ``m_end``."""

    def level(p: float, f: float) -> float:
        return baseline + (target - baseline) * f * (m_start + (m_end - m_start) * p)

    return level


def _ahead(baseline: float, target: float, speed: float, cap: float) -> Level:
    """Run ahead of the pace line and level off past the target (an Achieved KPI)."""

    def level(p: float, f: float) -> float:
        return baseline + (target - baseline) * min(cap, f * speed)

    return level


def _drift(start: float, end: float, power: float = 1.0) -> Level:
    """Move from ``start`` to ``end`` over the readings (maintain-above/below KPIs)."""

    def level(p: float, f: float) -> float:
        return start + (end - start) * math.pow(p, power)

    return level


@dataclass(frozen=True)
class Kpi:
    kid: str
    gid: str
    text: str
    unit: str
    direction: str
    baseline: float | None
    target: float
    start: int
    due: int
    cadence: str  # weekly or monthly
    owner: str
    level: Level
    noise: float  # half-width of the uniform noise added to each reading
    decimals: int
    lag: int  # days between the latest reading and as_of
    cumulative: bool = False  # counts never go down
    ceiling: float | None = None


# fmt: off
# Trajectories are chosen so the latest reading lands well inside its status band
# (the status rules: on track >= 0.95, at risk >= 0.75) whatever the noise.
KPIS: tuple[Kpi, ...] = (
    Kpi("K1", "G1", "Organisations enrolled in joint onboarding", "organisations", "increase",
         0, 40, -330, 90, "weekly", "Ana Ruiz", _pace(0, 40, 1.1, 1.07), 0.6, 0, 2,
         cumulative=True),
    Kpi("K2", "G1", "Onboarding completion rate", "%", "increase",
         55, 85, -330, 90, "monthly", "Isabel Moreau", _pace(55, 85, 0.9, 1.07), 0.8, 1, 5,
         ceiling=100),
    Kpi("K3", "G1", "Cost per onboarded organisation", "£", "decrease",
         1800, 1200, -300, 90, "monthly", "Priya Shah", _pace(1800, 1200, 1.0, 1.05), 12, 0, 8),
    Kpi("K4", "G2", "Median referral wait", "days", "decrease",
         42, 21, -300, 120, "weekly", "Chloe Martin", _pace(42, 21, 1.0, 0.85), 0.35, 1, 1),
    Kpi("K5", "G2", "Referrals triaged within 14 days", "%", "increase",
         38, 75, -300, 120, "weekly", "Farid Haddad", _pace(38, 75, 1.05, 0.45), 0.9, 1, 3),
    Kpi("K6", "G3", "Data requests answered within SLA", "%", "maintain above",
         None, 95, -320, 60, "monthly", "David Chen", _drift(94.0, 98.0), 1.5, 1, 4,
         ceiling=100),
    # Stale on purpose: readings stop about two months before as_of.
    Kpi("K7", "G3", "Records with complete outcome fields", "%", "increase",
         62, 90, -320, 60, "weekly", "Grace Kim", _pace(62, 90, 1.0, 1.02), 0.7, 1, 61),
    Kpi("K8", "G4", "Patients enrolled in remote monitoring", "patients", "increase",
         0, 250, -280, 150, "weekly", "Hugo Laurent", _pace(0, 250, 0.8, 1.04), 2.5, 0, 0,
         cumulative=True),
    Kpi("K9", "G4", "False-positive device alerts", "%", "decrease",
         18, 8, -280, 150, "monthly", "Grace Kim", _pace(18, 8, 0.9, 1.09), 0.25, 1, 10),
    Kpi("K10", "G4", "Average platform response time", "ms", "maintain below",
         None, 400, -280, 150, "weekly", "Hugo Laurent", _drift(330, 470, 2.0), 10, 0, 4),
    # Achieved on purpose: ran ahead of plan and passed its target.
    Kpi("K11", "G5", "Patient satisfaction with digital services", "score /10", "increase",
         6.8, 8.0, -310, 100, "monthly", "Isabel Moreau", _ahead(6.8, 8.0, 1.6, 1.1), 0.04, 1, 2),
    Kpi("K12", "G5", "Support tickets per 1,000 users", "tickets", "maintain below",
         None, 12, -310, 100, "weekly", "Ben Okafor", _drift(11.0, 8.5), 0.6, 1, 6),
    # Overdue on purpose: its goal's due date passed short of the target.
    Kpi("K13", "G6", "Clinical staff trained on the platform", "staff", "increase",
         0, 120, -270, -14, "weekly", "Priya Shah", _pace(0, 120, 1.0, 0.88), 2, 0, 5,
         cumulative=True),
    Kpi("K14", "G7", "Funding secured", "£k", "increase",
         0, 500, -360, 200, "monthly", "Ben Okafor", _pace(0, 500, 0.9, 1.03), 6, 0, 12,
         cumulative=True),
    Kpi("K15", "G2", "Referrals waiting more than six weeks", "referrals", "maintain below",
         None, 25, -300, 120, "weekly", "Priya Shah", _drift(41, 17, 0.7), 1.2, 0, 2),
)
# fmt: on

NOTES = (
    "Holiday week, low activity",
    "Includes late submissions",
    "Revised after data cleanse",
    "Estimate, confirm next time",
    "Source system outage on Monday",
    "Figures checked with partner",
)

# fmt: off
#: (Task ID, Task, Goal ID, due offset, {person: role}). T7 and T13 are wrong on purpose.
TASKS: tuple[tuple[str, str, str, int, dict[str, str]], ...] = (
    ("T1", "Agree onboarding programme scope", "G1", -250,
     {"Ana Ruiz": "A", "Elena Petrova": "R", "Ben Okafor": "C", "Isabel Moreau": "I"}),
    ("T2", "Design onboarding curriculum", "G1", -180,
     {"Ben Okafor": "A/R", "Isabel Moreau": "R", "Elena Petrova": "C", "Ana Ruiz": "I"}),
    ("T3", "Recruit first cohort of organisations", "G1", -90,
     {"Isabel Moreau": "A", "Ben Okafor": "R", "Priya Shah": "R", "Ana Ruiz": "I"}),
    ("T4", "Publish onboarding handbook", "G1", 30,
     {"Elena Petrova": "A", "Isabel Moreau": "R", "Ben Okafor": "C"}),
    ("T5", "Map current referral pathway", "G2", -200,
     {"Chloe Martin": "A", "Farid Haddad": "R", "Priya Shah": "R", "Ana Ruiz": "I"}),
    ("T6", "Build referral triage dashboard", "G2", -60,
     {"Farid Haddad": "A/R", "Grace Kim": "R", "Chloe Martin": "C", "David Chen": "C"}),
    ("T7", "Pilot automated triage rules", "G2", 20,
     {"Farid Haddad": "R", "Grace Kim": "R", "Chloe Martin": "C", "Elena Petrova": "I"}),
    ("T8", "Evaluate triage pilot outcomes", "G2", 100,
     {"Chloe Martin": "A", "David Chen": "R", "Farid Haddad": "C"}),
    ("T9", "Sign data-sharing agreement", "G3", -280,
     {"Ana Ruiz": "R/A", "Elena Petrova": "C", "David Chen": "I", "Grace Kim": "I"}),
    ("T10", "Automate monthly outcomes extract", "G3", -120,
     {"David Chen": "A", "Grace Kim": "R", "Hugo Laurent": "C"}),
    ("T11", "Audit completeness of outcome fields", "G3", 15,
     {"Grace Kim": "A", "David Chen": "R", "Chloe Martin": "I"}),
    ("T12", "Select remote monitoring devices", "G4", -150,
     {"Hugo Laurent": "A", "Grace Kim": "R", "Chloe Martin": "C", "Priya Shah": "I"}),
    ("T13", "Recruit pilot patients", "G4", -30,
     {"Chloe Martin": "A", "Hugo Laurent": "A", "Priya Shah": "R", "Isabel Moreau": "I"}),
    ("T14", "Integrate device alerts with clinical system", "G4", 45,
     {"Hugo Laurent": "A/R", "Grace Kim": "R", "David Chen": "C"}),
    ("T15", "Write interim pilot evaluation report", "G4", 120,
     {"Grace Kim": "A", "Chloe Martin": "R", "Hugo Laurent": "C", "Ana Ruiz": "I"}),
    ("T16", "Run digital services satisfaction survey", "G5", -45,
     {"Isabel Moreau": "A", "Ben Okafor": "R", "Chloe Martin": "I"}),
    ("T17", "Redesign patient help centre", "G5", 60,
     {"Isabel Moreau": "A", "Hugo Laurent": "R", "Ben Okafor": "C"}),
    ("T18", "Deliver platform training sessions", "G6", -21,
     {"Priya Shah": "A/R", "Isabel Moreau": "R", "Chloe Martin": "C"}),
    ("T19", "Publish training materials in the LMS", "G6", -10,
     {"Priya Shah": "A", "Ben Okafor": "R", "Isabel Moreau": "C"}),
    ("T20", "Submit joint funding bid", "G7", 75,
     {"Ben Okafor": "A", "Elena Petrova": "R", "Ana Ruiz": "C", "Farid Haddad": "C"}),
)
# fmt: on
