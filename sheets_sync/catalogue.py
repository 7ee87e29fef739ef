"""The rule catalogue: for every rule id, when it fires and what to do about it.

``RULES`` in :mod:`sheets_sync.findings` says how severe each rule is; this module
says what each one means, in the words a person fixing the sheet needs.
``docs/rules.md`` is rendered from it, so the page cannot list a rule the code
does not have, nor miss one it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheets_sync.config import RulesConfig
from sheets_sync.findings import RULES

# Thresholds are quoted from the defaults so that the page follows the code.
_D = RulesConfig()


@dataclass(frozen=True)
class RuleDoc:
    """What one rule means: when it fires, and what to do about it."""

    when: str
    action: str


#: Rule id prefix -> (section title, what the rules of that area look at), in page order.
AREAS: dict[str, tuple[str, str]] = {
    "RACI": ("RACI", "Who is Responsible and Accountable for each task on the RACI tab."),
    "REVIEW": ("Reviews", "Whether each goal is reviewed on its Review cadence."),
    "KPI": (
        "KPIs",
        "The Status of each KPI, computed from its readings in KPI Log, and readings that "
        "look wrong.",
    ),
    "GOAL": ("Goals", "Whether each goal is measurable and owned on both sides."),
    "REF": ("References", "Ids and names that must exist on another tab."),
    "TABLE": ("Tabs and headers", "Whether each tab and column of the template is there."),
    "VALUE": ("Values", "Whether each cell holds what its column's type allows."),
    "KEY": ("Keys", "Whether each row's id is its own."),
    "SECURITY": (
        "Security",
        "Formulas that reach outside the workbook or start other programs.",
    ),
}

CATALOGUE: dict[str, RuleDoc] = {
    "RACI-NO-A": RuleDoc(
        "A task row's role columns hold no A and no A/R: nobody is Accountable for it. "
        "Reported on the row's Accountable cell.",
        "Mark exactly one person (or role) A, or A/R when that person also does the work.",
    ),
    "RACI-MULTI-A": RuleDoc(
        "More than one role column of a task row holds A or A/R. Accountable lists them all.",
        "Keep exactly one A; make the others R (they do the work) or C (they are consulted).",
    ),
    "RACI-NO-R": RuleDoc(
        "A task row's role columns hold no R and no A/R: nobody is Responsible for doing it.",
        "Mark who does the work R; A/R counts when the Accountable person does it.",
    ),
    "RACI-BAD-VALUE": RuleDoc(
        "A role-column cell holds something other than R, A, C, I or A/R. Case and spaces "
        "do not matter and R/A reads as A/R; the cell is not counted as any role.",
        "Replace it with one of R, A, C, I, A/R (the dropdown offers them), or clear it.",
    ),
    "RACI-UNKNOWN-PERSON": RuleDoc(
        "A RACI column outside the template is read as a role column because every filled "
        "cell holds a RACI code, but its header is not a Person or a Role in People. "
        "Reported once, on the column's header cell.",
        "Add the person (or role) to People, or correct the header's spelling.",
    ),
    "RACI-IGNORED-COLUMN": RuleDoc(
        "A RACI column outside the template is not a role column: its header is not a "
        "Person or Role in People, and its cells are empty or hold other values than R, A, "
        "C, I, A/R. The column is kept as it is and ignored.",
        "Nothing, when it is a column of your own (notes, links). If it was meant to be a "
        "role column, head it with a Person or Role from People.",
    ),
    "RACI-TOO-MANY-R": RuleDoc(
        f"More than `rules.max_responsible` (default {_D.max_responsible}) role columns "
        "of a task row hold R or A/R.",
        "Name fewer Responsible people, or split the task into tasks each a few people do.",
    ),
    "RACI-OVERLOAD": RuleDoc(
        "A person (or role) is Accountable (A or A/R) for more than "
        f"`rules.max_accountable` (default {_D.max_accountable}) tasks. Reported once, on "
        "that role column's header cell.",
        "Share the load: make someone else Accountable for some of those tasks.",
    ),
    "REVIEW-OVERDUE": RuleDoc(
        "A goal's Review status is Overdue: the as-of date is more than "
        f"`rules.stale_grace_days` (default {_D.stale_grace_days}) days past its Next "
        "review, which is its Last review plus its Review cadence.",
        "Hold the review, then add a row to Reviews with its Date and the Goal ID.",
    ),
    "REVIEW-NEVER": RuleDoc(
        "Reviews holds no review of the goal dated on or before the as-of date, and the "
        "goal has no Start date or started more than one Review cadence plus "
        "`rules.stale_grace_days` ago. A goal that has just started is left alone.",
        "Hold a first review and log it in Reviews.",
    ),
    "KPI-STALE": RuleDoc(
        "A KPI's Status is Stale: its latest reading's Date plus its Cadence plus "
        f"`rules.stale_grace_days` (default {_D.stale_grace_days}) is before the as-of "
        "date. A KPI that is Achieved, or an increase/decrease KPI past its Due date, "
        "takes that status instead.",
        "Log a current reading in KPI Log.",
    ),
    "KPI-NO-DATA": RuleDoc(
        "A KPI's Status is No data: KPI Log holds no reading of it with a readable Date "
        "(on or before the as-of date), KPI ID and Value. An increase or decrease KPI past "
        "its Due date is Overdue instead.",
        "Log its first reading in KPI Log.",
    ),
    "KPI-OFF-TRACK": RuleDoc(
        "A KPI's Status is Off track. For an increase or decrease KPI, its pace (how far "
        "the latest value has come from Baseline, against how far it should have come by "
        "that reading's date) is below `rules.at_risk_ratio` (default "
        f"{_D.at_risk_ratio:g}). For a maintain above / maintain below KPI, its latest "
        "value is on the wrong side of Target. At risk, between the two ratios, colours "
        "the Status cell but is not a finding.",
        "Agree a recovery plan with the KPI's Owner; if the Target or dates were wrong, "
        "agree new ones and change them.",
    ),
    "KPI-OVERDUE": RuleDoc(
        "An increase or decrease KPI's Due date is before the as-of date and its latest "
        "value has not reached Target (or it has no reading). Maintain KPIs are never "
        "Overdue: their Due date is not used.",
        "Achieve it and log the reading, or agree a new Due date and change it.",
    ),
    "KPI-OFF-TRACK-PERSISTENT": RuleDoc(
        "A KPI's History cell is Off track or Overdue in each of the last 3 periods (the "
        "current one included, as this sync computes it), and its goal has no review dated "
        "on or after the first day of the first of those periods: it has been off track "
        "for three periods and nobody has met about it. Needs the History tab: a period "
        "with no column there does not count.",
        "Hold a review of the goal with both owners and log it in Reviews: agree a "
        "recovery plan, or change the KPI's Target or dates if they were wrong.",
    ),
    "KPI-READING-IMPLAUSIBLE": RuleDoc(
        "A reading's Value in KPI Log is more than 10 times the KPI's Baseline-to-Target "
        "distance away from its Baseline (10 times the Target, at least 10, when Baseline "
        "equals Target); for a maintain above / maintain below KPI, more than 10 times its "
        "Target (at least 10) away from zero. 12,500,000 against a Target of 12,500 is one. "
        "Reported on the reading's Value cell. The reading still counts for the Status.",
        "Check the Value for extra digits, a wrong unit or a value meant for another KPI, "
        "and correct it.",
    ),
    "KPI-DUPLICATE-READING": RuleDoc(
        "KPI Log holds two or more readings of one KPI on one Date (KPI IDs match ignoring "
        "case). Reported on the Date cell of each row after the first, naming the others. "
        "Every reading stays: when that Date is the KPI's latest, the lowest of the rows "
        "counts.",
        "Delete the wrong reading, or correct its Date if it belongs to another day.",
    ),
    "KPI-CONFIDENCE-MISMATCH": RuleDoc(
        "The KPI's latest reading in KPI Log has Confidence High while its Status is Off "
        "track or Overdue, or Low while its Status is On track or Achieved: the person "
        "closest to it sees something the numbers do not. Not reported for a Closed or "
        "Dropped KPI.",
        "Ask the KPI's Owner what lies behind the confidence, and agree whether the plan, "
        "the target or the reading needs to change.",
    ),
    "KPI-CONFIDENCE-DROP": RuleDoc(
        "The last three readings of the KPI that carry a Confidence go High, Medium, Low "
        "(readings without a Confidence are skipped, not counted as a drop). Not reported "
        "for a Closed or Dropped KPI.",
        "Meet about the KPI before its numbers show the trouble: agree what changed and "
        "what to do.",
    ),
    "GOAL-NO-KPI": RuleDoc(
        "No row of KPIs names the goal's Goal ID, so its Status is No data (Overdue after "
        "its Due date). Reported only when the KPIs tab exists.",
        "Add at least one measurable KPI for the goal in KPIs.",
    ),
    "GOAL-ONE-SIDED": RuleDoc(
        "A goal with an Owner has no Partner owner, or its Owner and Partner owner have "
        "the same Organization in People.",
        "Name someone from the other organization as Partner owner.",
    ),
    "GOAL-CLOSED-NO-OUTCOME": RuleDoc(
        "A goal's State is Closed and its Outcome is blank.",
        "Record how the goal ended in its Outcome: Achieved, Partially achieved or Missed.",
    ),
    "REF-UNKNOWN": RuleDoc(
        "A reference cell names something that is not there. A person column (Owner, "
        "Partner owner) must name a Person in People; a goal column (Goal ID on KPIs, RACI "
        "and Reviews) a Goal ID in Goals; a kpi column (KPI ID on KPI Log) a KPI ID in "
        "KPIs. Case does not matter. Not reported while the named tab is missing.",
        "Correct the spelling, or add the missing row to the tab it names.",
    ),
    "TABLE-MISSING-TAB": RuleDoc(
        "A tab of the template is not in the workbook (tab names are matched ignoring case "
        "and spacing).",
        "Run `sheets-sync provision`: it adds the tab with its headers and leaves the rest "
        "alone. If you renamed the tab, rename it back instead.",
    ),
    "TABLE-HEADER-ROW": RuleDoc(
        "An input tab has something other than its headers on row 1: its headers are on a "
        "lower row (a title above them), or none of the template's headers are near the "
        "top (it is a different table with the tab's name). Such a tab is neither read nor "
        "written; the finding names where its headers seem to be.",
        "Delete the rows above the headers (move the title elsewhere), or rename a "
        "different table's tab, then run `sheets-sync provision`.",
    ),
    "TABLE-MISSING-COLUMN": RuleDoc(
        "A column of the template has no header on row 1 (headers are matched ignoring "
        "case and spacing, in any position). An error for a key, required, conditionally "
        "required or computed column; a warning for an optional one. A computed column "
        "that the sync puts back itself is not reported.",
        "Type the header back, in any position; for a computed column, run "
        "`sheets-sync provision`.",
    ),
    "TABLE-DUPLICATE-HEADER": RuleDoc(
        "The same header (ignoring case and spacing) appears twice on row 1. The leftmost "
        "is used and the other is ignored.",
        "Rename or delete the other column.",
    ),
    "VALUE-REQUIRED": RuleDoc(
        "A row holds something but its key or a required cell is blank; on KPIs, "
        "Baseline, Start date and Due date are required for an increase or decrease KPI.",
        "Fill in the cell the finding names.",
    ),
    "VALUE-TYPE": RuleDoc(
        "A cell cannot be read as its column's type: a date that is not a date (or does "
        "not exist, like 31/02), a number that is not a number, an email that is not an "
        "address, an error value such as #REF!, or true/false where an id belongs. The "
        "cell counts as blank.",
        "Retype it; dates read best as 2026-11-03 or 3 Nov 2026.",
    ),
    "VALUE-ENUM": RuleDoc(
        "A cell of an enum column (Direction, Cadence, Review cadence) is not one of its "
        "allowed values (case and spacing do not matter). sheets-sync never rewrites it.",
        "Pick a value from the cell's dropdown; the template reference lists them.",
    ),
    "VALUE-RANGE": RuleDoc(
        "An increase KPI's Target is below its Baseline, or a decrease KPI's Target is "
        "above it. The KPI's computed columns are left blank until it is fixed.",
        "Fix the Target, the Baseline or the Direction.",
    ),
    "VALUE-UNCALCULATED": RuleDoc(
        "An input cell holds a formula whose result was never stored in the file (a "
        "program that does not calculate wrote it). The cell counts as blank. A DDE formula "
        "is not reported here but as SECURITY-EXTERNAL-FORMULA, and must not be opened.",
        "Open the workbook in a spreadsheet program and save it, or type the value.",
    ),
    "KEY-DUPLICATE": RuleDoc(
        "A row's key (Person, Goal ID, KPI ID, Task ID) repeats an earlier row's, ignoring "
        "case. The first row is used; this one gets no computed values and references "
        "reach the first.",
        "Give the row its own id, or delete it if it is a copy.",
    ),
    "SECURITY-EXTERNAL-FORMULA": RuleDoc(
        "A formula on an input tab can reach outside the workbook: IMPORTXML, IMPORTDATA, "
        "IMPORTHTML, IMPORTFEED, IMPORTRANGE, IMAGE, or a HYPERLINK to anything but a cell "
        "of this workbook; or a DDE formula (DDE, DDEAUTO, or the shape "
        "`=cmd|' /C calc'!A0`), which can start a program on the computer that opens the file.",
        "Replace the formula with a typed value. For a DDE formula, do not open the file in "
        "a desktop spreadsheet program to fix it: delete the formula and type the value.",
    ),
}


def area_of(rule: str) -> str:
    """The area a rule id belongs to: the part before its first dash."""
    return rule.split("-", 1)[0]


def rules_markdown() -> str:
    """docs/rules.md: every rule id with its severity, when it fires and what to do."""
    lines = [
        "# Rule catalogue",
        "",
        "<!-- Generated from RULES (sheets_sync/findings.py) and the catalogue "
        "(sheets_sync/catalogue.py) by `python -m sheets_sync.docs_pages docs/` "
        "(or `make docs`); edit those, not this page. -->",
        "",
        "Every problem sheets-sync finds is a *finding* with a stable rule id. Findings are "
        "listed on the Issues tab (with a link to the cell), in the Issues column of the row "
        "concerned, and by `sheets-sync check` and `sheets-sync report`.",
        "",
        "Severities: **error**: the data is wrong or incomplete where the partnership "
        "relies on it, and `sheets-sync check` exits 1; **warning**: something needs "
        "attention soon; **info**: worth knowing, nothing is wrong. `sheets-sync sync` exits "
        "0 whatever it finds, unless `--fail-on error` or `--fail-on warning` says otherwise.",
        "",
        "| Rule | Severity | Area |",
        "| --- | --- | --- |",
    ]
    for rule in sorted(RULES, key=_order):
        title = AREAS[area_of(rule)][0]
        lines.append(f"| [{rule}](#{rule.lower()}) | {RULES[rule].label} | {title} |")
    for prefix, (title, about) in AREAS.items():
        ids = [rule for rule in sorted(RULES, key=_order) if area_of(rule) == prefix]
        if not ids:
            continue
        lines += ["", f"## {title}", "", about]
        for rule in ids:
            doc = CATALOGUE[rule]
            lines += [
                "",
                f"### {rule}",
                "",
                f"Severity: **{RULES[rule].label}**",
                "",
                f"When: {doc.when}",
                "",
                f"What to do: {doc.action}",
            ]
    return "\n".join(lines) + "\n"


def _order(rule: str) -> tuple[int, int]:
    """Area order of the page, then the order RULES lists them in."""
    return list(AREAS).index(area_of(rule)), list(RULES).index(rule)


__all__ = ["AREAS", "CATALOGUE", "RuleDoc", "area_of", "rules_markdown"]
