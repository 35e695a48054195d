"""The daily report states nothing its data does not support.

Seeded scenarios (truth_scenario.py) with a known set of violations, clusters and complaints are
written as an adjudication folder, made into a record and rendered; the test then reads the
rendered HTML (and, for one seed, the PDF's text) and checks every figure against what the known
set says, computed in truth_scenario.py and here, never read from the record: the summary's
totals, the tables by sector, type, party and severity, each notable incident's time, count,
place, probabilities and party, the complaints, the escalation state and the count left to the
next report. The converse too: every number in the summary, the coverage statements and the
incident paragraphs is traced to the known set. The public edition's aggregates must be the
full edition's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ceasewatch.agreement.types import Agreement
from ceasewatch.model.places import Gazetteer
from ceasewatch.report.daily_types import Record

from .truth_scenario import (
    DAY_TEXT,
    NO_SECTOR,
    OUTCOMES,
    Matter,
    Scenario,
    Truth,
    make_scenario,
    most_likely,
    party_counts,
    truth,
)

SEEDS = (3, 11, 19, 27, 35, 43)
BUSY_SEED = 51  # a day with more notable matters than the report tells
CASES = (*((seed, False) for seed in SEEDS), (BUSY_SEED, True))  # (seed, busy)
PDF_SEED = 11

CATEGORY = {  # category → (one, many): the words a reader must see
    "explosion/impact": ("explosion (impact)", "explosions (impacts)"),
    "explosion/launch": ("explosion (outgoing fire)", "explosions (outgoing fire)"),
    "explosion/drone": ("munition dropped from a drone", "munitions dropped from drones"),
    "burst": ("burst of small-arms or heavy machine-gun fire",
              "bursts of small-arms or heavy machine-gun fire"),
    "interference": ("act of interference with the monitors",
                     "acts of interference with the monitors"),
    "weapon/withdrawal": ("weapon in violation of withdrawal lines",
                          "weapons in violation of withdrawal lines"),
    "drone/no_fly": ("drone or aircraft in a no-fly area", "drones or aircraft in a no-fly area"),
}  # fmt: skip
WEAPON = {
    "artillery_ge_100mm": "artillery of 100 mm or more",
    "artillery_lt_100mm": "artillery under 100 mm",
    "mortar": "mortar",
    "mlrs": "multiple-launch rockets",
    "tank": "tank guns",
    "small_arms": "small arms",
}
BASIS = {
    "firing_position": "firing position located",
    "launch": "outgoing fire heard at the launch point",
    "impact_only": "no firing position found; attributed from the impact's side of the line",
    "presence": "weapons seen on the party's ground",
    "flight": "flight track only (weak)",
}
ZONE_AND_SITE_RULES = {"heavy-weapons-withdrawal", "no-flight-security-zone", "protected-sites",
                       "no-fortification-contact-strip"}  # fmt: skip
NUMBER = re.compile(r"\d+(?:[.:]\d+)?")
PROBABILITY = re.compile(r"\b\d\.\d\d\b")


# --- reading the rendered HTML --------------------------------------------------------------


class Node:
    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag, self.attrs = tag, attrs
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self, skip: tuple[str, ...] = ()) -> str:
        parts = [
            c if isinstance(c, str) else c.text(skip)
            for c in self.children
            if isinstance(c, str) or c.tag not in skip
        ]
        return " ".join(" ".join(parts).split())

    def all(self, tag: str) -> list[Node]:
        found = []
        for c in self.children:
            if isinstance(c, Node):
                found += ([c] if c.tag == tag else []) + c.all(tag)
        return found


class _Builder(HTMLParser):
    VOID = {"meta", "img", "br", "link", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1 and self.stack.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.stack[-1].tag != "style":
            self.stack[-1].children.append(data)


def sections(html: str) -> dict[str, list[Node]]:
    """h2 title → the body's elements under it, in order."""
    builder = _Builder()
    builder.feed(html)
    body = builder.root.all("body")[0]
    out: dict[str, list[Node]] = {"": []}
    current = ""
    for child in body.children:
        if isinstance(child, Node):
            if child.tag == "h2":
                current = child.text()
                out[current] = []
            else:
                out[current].append(child)
    return out


def table_rows(table: Node) -> list[list[str]]:
    return [
        [cell.text() for cell in tr.children if isinstance(cell, Node)] for tr in table.all("tr")
    ]


@dataclass(frozen=True)
class Page:
    summary: list[str]
    sectors: list[list[str]]
    counts: dict[str, dict[str, int]]  # table head ("type", …) → label → n
    incidents: list[Node]
    incident_notes: list[str]
    complaint_tables: list[list[list[str]]]
    escalation: list[str]
    scale: list[str]


def read_page(html: str) -> Page:
    s = sections(html)
    by_number = {title.split(".")[0]: nodes for title, nodes in s.items()}
    counts = {}
    for table in next(n for n in by_number["3"] if "counts" in n.classes).all("table"):
        head, *rows = table_rows(table)
        counts[head[0]] = {label: int(n.replace(",", "")) for label, n in rows}
    incidents = [li for n in by_number["4"] for li in n.all("li")]
    return Page(
        summary=[n.text() for n in by_number["1"] if n.tag == "p"],
        sectors=table_rows(_tables(by_number["2"])[0]),
        counts=counts,
        incidents=incidents,
        incident_notes=[n.text() for n in by_number["4"] if n.tag == "p"],
        complaint_tables=[table_rows(n) for n in _tables(by_number["5"])],
        escalation=[n.text() for n in by_number["6"] if n.tag == "p"],
        scale=[li.text() for n in s["Confidence scale"] for li in n.all("li")],
    )


def _tables(nodes: list[Node]) -> list[Node]:
    """The tables among ``nodes`` and inside them (a table may sit in a scrolling div)."""
    return [t for n in nodes for t in ([n] if n.tag == "table" else n.all("table"))]


# --- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    scenario: Scenario
    truth: Truth
    sector_names: dict[str, str]
    full: Page
    public: Page


@pytest.fixture(scope="module", params=CASES, ids=[f"seed{s}{'-busy' * b}" for s, b in CASES])
def case(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    ua2026: Agreement,
    gazetteer: Gazetteer,
) -> Case:
    pytest.importorskip("jinja2")
    from ceasewatch.report.daily_render import render_html
    from ceasewatch.report.editions import edition

    seed, busy = request.param
    scenario = make_scenario(seed, ua2026, gazetteer, busy=busy)
    folder = tmp_path_factory.mktemp(f"adjudication-{seed}")
    record = build(scenario, folder, ua2026, gazetteer)
    names = {str(s.id): s.name for s in ua2026.sectors} | {NO_SECTOR: NO_SECTOR}
    return Case(
        scenario=scenario,
        truth=truth(scenario),
        sector_names=names,
        full=read_page(render_html(record, ua2026)),
        public=read_page(render_html(edition(record, "public"), ua2026)),
    )


def build(scenario: Scenario, folder: Path, agreement: Agreement, gazetteer: Gazetteer) -> Record:
    """The full record of the scenario's day, from its adjudication folder written to
    ``folder``, as ``ceasewatch report`` makes it."""
    from ceasewatch.model.time import parse_ns
    from ceasewatch.report.daily_inputs import read_adjudication
    from ceasewatch.report.daily_record import build_record, day_window

    start, end = day_window(DAY_TEXT)
    cutoff = scenario.cutoff
    return build_record(
        read_adjudication(scenario.write(folder)),
        agreement,
        start,
        end,
        cutoff_ns=None if cutoff is None else parse_ns(cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")),
        gazetteer=gazetteer,
    )


def _n(text: str) -> int:
    return int(text.replace(",", ""))


def _plural(n: int, one: str) -> str:
    return one if n == 1 else one + "s"


def scale_words(scale: list[str], p: Fraction | float) -> str:
    """The words the report's own printed scale gives ``p``."""
    grades = []
    for line in scale:
        m = re.fullmatch(
            r"(.+): probability (?:(\d\.\d\d) or more|(\d\.\d\d) to under \d\.\d\d|under \d\.\d\d)",
            line,
        )
        assert m, f"unreadable line of the confidence scale: {line!r}"
        grades.append((Fraction(m[2] or m[3] or "0"), m[1]))
    grades.sort(reverse=True)
    return next(words for bound, words in grades if Fraction(p) >= bound)


def check_probability(scale: list[str], words: str, stated: str, true: Fraction, what: str) -> None:
    """Words and figure agree with the true probability and with each other on the printed
    scale, and the figure is the true one to two decimals."""
    assert words == scale_words(scale, true), f"{what}: {words!r} for {float(true):.4f}"
    assert scale_words(scale, Fraction(stated)) == words, f"{what}: {words!r} ({stated})"
    assert abs(Fraction(stated) - true) < Fraction(1, 100), f"{what}: {stated} ≠ {float(true)}"


# --- summary, sectors, tables ---------------------------------------------------------------


N = r"(\d[\d,]*)"  # a count as printed: 1,234
SUMMARY = {  # each sentence of the summary that carries figures
    "total": re.compile(rf"The mechanism recorded {N} violations?: (.+)\."),
    "busiest": re.compile(r"Most violations were recorded in (.+)\."),
    "unseen": re.compile(r"Not observable \(no violations could have been seen there\): (.+)\."),
    "blind": re.compile(r"Not observable, so counts there are a lower bound: (.+)\."),
    "notable": re.compile(
        rf"{N} notable matters? of high or critical severity \({N} violations?\) are described "
        r"below\."
    ),
    "complaints": re.compile(rf"{N} complaints? received and answered: (.+)\."),
    "after": re.compile(
        rf"{N} violations? stated after the cut-off (?:is|are) left to the next report\."
    ),
}
SHARE = re.compile(rf"{N} (?:most likely by (\w+) \(.+\)|not attributed)")
NAMED = re.compile(rf"(.+?) \({N}\)(?:, |$)")  # "Donetsk (2), Kharkiv (1)"


def test_summary_states_the_known_totals(case: Case) -> None:
    t, names = case.truth, case.sector_names
    ids = {name: sector for sector, name in names.items()}
    by_sector = {names[k]: n for k, n in t.count("sector").items()}
    said: dict[str, re.Match[str]] = {}
    for line in case.full.summary:
        found = [(k, m) for k, pattern in SUMMARY.items() if (m := pattern.fullmatch(line))]
        if not found:
            assert not NUMBER.search(line), f"a figure the test cannot trace: {line!r}"
        said.update(found)
    expected = {"total", "notable"} | ({"busiest"} if t.reported else set())
    expected |= {"complaints"} if t.answers else set()
    expected |= {"after"} if t.after_cutoff else set()
    assert expected <= set(said), f"the summary lacks {expected - set(said)}"

    m = said["total"]
    assert _n(m[1]) == len(t.reported)
    shares = {}
    for part in m[2].split("; "):
        share = SHARE.fullmatch(part)
        assert share, part
        shares[share[2] or "unknown"] = _n(share[1])
    assert {k: v for k, v in shares.items() if v} == dict(t.count("party"))
    if m := said.get("busiest"):
        named = {name: _n(n) for name, n in NAMED.findall(m[1])}
        assert named and all(by_sector[name] == n for name, n in named.items()), m[0]
        left = [k for k, n in by_sector.items() if k not in named and n >= min(named.values())]
        assert not left, f"{m[0]!r} leaves out {left}, with as many or more"
    if m := said.get("unseen"):
        for name in m[1].split(", "):
            assert by_sector.get(name, 0) == 0, f"{m[0]!r}: {name} has {by_sector[name]}"
            assert _reading(case.scenario, ids[name]) == "not observable", m[0]
    if m := said.get("blind"):
        for name, n in NAMED.findall(m[1]):
            assert by_sector[name] == _n(n) > 0, m[0]
            assert _reading(case.scenario, ids[name]) == "not observable", m[0]
    m = said["notable"]
    assert (_n(m[1]), _n(m[2])) == (len(t.matters), sum(len(x.members) for x in t.matters))
    if m := said.get("complaints"):
        outcomes = Counter(a["outcome"] for a in t.answers)
        told = {outcome: _n(n) for n, outcome in re.findall(rf"{N} (\w+)", m[2])}
        assert _n(m[1]) == len(t.answers)
        assert told == {o: outcomes[o] for o in OUTCOMES if outcomes[o]}, m[0]
    if m := said.get("after"):
        assert _n(m[1]) == t.after_cutoff, m[0]


def _reading(scenario: Scenario, sector: str) -> str:
    rows = {r["sector"]: r for r in scenario.sectors or ()}
    return rows[sector]["reading"] if sector in rows else "coverage unknown"


def test_sector_table(case: Case) -> None:
    t, names = case.truth, case.sector_names
    head, *rows = case.full.sectors
    assert head[:2] == ["sector", "violations"] and head[-1] == "coverage"
    parties = [h.removeprefix("most likely ") for h in head[2:-1]]
    expected = {s for s in names if s != NO_SECTOR} | set(t.count("sector"))
    assert sorted(row[0] for row in rows) == sorted(names[s] for s in expected)
    cover = {r["sector"]: r for r in case.scenario.sectors or ()}
    for row in rows:
        sector = next(k for k, v in names.items() if v == row[0])
        mine = [v for v in t.reported if (v["sector"] or NO_SECTOR) == sector]
        assert _n(row[1]) == len(mine), row
        by = Counter(most_likely(v)[0] for v in mine)
        assert [_n(n) for n in row[2:-1]] == [by[p] for p in parties], row
        check_statement(row[-1], cover.get(sector), mine)


def check_statement(
    statement: str, cover: dict[str, Any] | None, mine: list[dict[str, Any]]
) -> None:
    """A sector's coverage statement against its sectors.jsonl row and its violations; every
    figure in it explained."""
    if cover is None:  # no sectors.jsonl row: nothing measured, so no figure to state
        assert statement.startswith("Coverage unknown"), statement
        assert not NUMBER.search(statement), f"a figure the test cannot trace: {statement!r}"
        return
    rest, reading = statement, cover["reading"]
    if reading == "no line here":
        assert statement.startswith("No line of contact here"), statement
    else:
        assert statement.startswith(reading.capitalize() + ":"), statement
    if "only zone and site violations can occur" in statement:
        others = [v["rule_id"] for v in mine if v["rule_id"] not in ZONE_AND_SITE_RULES]
        assert not others, f"{statement!r} beside violations of {sorted(set(others))}"
    if "No violations could have been seen" in statement:
        assert not mine, statement
    jammed = sum(v["category"] == "interference" for v in mine)
    checks = (
        (r"covered (\d+)% of its line", lambda n: abs(n - 100 * cover["line_observable"]) <= 0.5),
        (r"(\d+) hours? with under a fifth", lambda n: n == cover["blind_hours"]),
        (r"available (\d+)%", lambda n: abs(n - 100 * cover["sensors_available"]) <= 0.5),
        (rf"{N} acts? of interference", lambda n: n == jammed),
    )
    for pattern, holds in checks:
        if m := re.search(pattern, rest):
            assert holds(_n(m[1])), f"{statement!r} ({m[0]})"
            rest = rest.replace(m[0], "")
    assert not NUMBER.search(rest), f"a figure the test cannot trace: {statement!r}"


def test_type_party_and_severity_tables(case: Case) -> None:
    t, counts = case.truth, case.full.counts
    by_category = t.count("category")
    assert counts["type"] == {CATEGORY[c][n != 1]: n for c, n in by_category.items()}
    assert counts["most likely responsible"] == dict(t.count("party"))
    assert counts["severity"] == dict(t.count("severity"))
    assert sum(counts["severity"].values()) == len(t.reported)


# --- notable incidents ----------------------------------------------------------------------

FULL = re.compile(
    r"(?:At (?P<at>\d\d:\d\d)|Between (?P<first>\d\d:\d\d) and (?P<last>\d\d:\d\d)) UTC, "
    r"(?P<what>.+), (?P<place>[^,]+), in the (?P<sector>[^,]+?) sector\. "
    r"Occurred: (?P<occ_words>[a-z ]+) \(probability (?P<occ_p>\d\.\d\d)\)\. "
    r"Responsible: (?P<resp>.+?)\. Deliberate: not assessed\. Rule: (?P<rule>[\w-]+)\."
)
PUBLIC = re.compile(FULL.pattern.replace(r", (?P<place>[^,]+), in the", r", in the"))
RESPONSIBLE = re.compile(
    r"(?:(?P<party>\w+), (?P<words>[a-z ]+) \(probability (?P<p>\d\.\d\d)\)"
    r"|not attributed \(no party holds the ground\))(?:; (?P<basis>.+))?"
)
PLACE = re.compile(
    r"(?:(?P<km>\d+)(?:–(?P<km2>\d+))? km (?P<compass>[NSEW]{1,3}) of|in) (?P<town>.+?)"
    r"(?: \([^)]*\))?(?P<nearby> and nearby)?"
)


def paragraph(li: Node) -> tuple[str, str]:
    """(severity, the paragraph's words) of one incident's list item."""
    severity = next(n for n in li.all("span") if "sev" in n.classes).text()
    return severity, li.text(skip=("div", "span"))


def test_incident_paragraphs(case: Case) -> None:
    t, scale = case.truth, case.full.scale
    assert len(case.full.incidents) == len(t.matters)
    for li, matter in zip(case.full.incidents, t.matters, strict=True):
        severity, text = paragraph(li)
        m = FULL.fullmatch(text)
        assert m, f"unreadable paragraph: {text!r}"
        assert severity == matter.severity, text
        ids = next(d for d in li.all("div") if "ids" in d.classes).text()
        assert ids == "violations: " + ", ".join(v["violation_id"] for v in matter.members)
        check_span(m, matter)
        check_what(m["what"], matter)
        check_place(m["place"], matter)
        sectors = {v["sector"] or NO_SECTOR for v in matter.members}
        assert [m["sector"]] == [case.sector_names[s] for s in sectors], text
        assert {m["rule"]} == {v["rule_id"] for v in matter.members}
        check_probability(scale, m["occ_words"], m["occ_p"], matter.p_occurred, "occurred")
        check_responsible(scale, m["resp"], matter)
        check_details(li, matter, t)


def check_span(m: re.Match[str], matter: Matter) -> None:
    first, last = f"{matter.first:%H:%M}", f"{matter.last:%H:%M}"
    if m["at"]:
        assert first == last == m["at"], m.string
    else:
        assert (m["first"], m["last"]) == (first, last) and first != last, m.string


def check_what(what: str, matter: Matter) -> None:
    """What the matter was, e.g. "2 explosions (impacts) and 1 munition dropped from a drone,
    assessed as mortar, fired from RU-held ground": each count is the members' of that kind,
    each claim holds for all members unless counted."""
    members = matter.members
    parts = what.split(", ")
    claim_at = [p.startswith(("assessed as ", "of which ", "fired from ")) for p in parts]
    at = claim_at.index(True) if True in claim_at else len(parts)
    head, claims = ", ".join(parts[:at]), parts[at:]
    categories = Counter(v["category"] for v in members)
    told = {}
    for piece in re.split(r", | and ", head):
        counted = re.fullmatch(rf"{N} (.+)", piece)
        assert counted, f"{what!r}: unreadable {piece!r}"
        n, label = counted.groups()
        category = next((c for c in categories if CATEGORY[c][_n(n) != 1] == label), None)
        assert category, f"{what!r}: {label!r} is none of the members' kinds {dict(categories)}"
        told[category] = _n(n)
    assert told == dict(categories), f"{what!r} for {dict(categories)}"
    weapons = Counter(WEAPON[v["weapon"]] for v in members if v["weapon"])
    for claim in claims:
        if claim.startswith("assessed as "):
            label = claim.removeprefix("assessed as ")
            assert weapons == {label: len(members)}, f"{what!r} for {dict(weapons)}"
        elif claim.startswith("of which "):
            said = {}
            for piece in claim.removeprefix("of which ").split(" and "):
                counted = re.fullmatch(rf"{N} (?:assessed )?as (.+)", piece)
                assert counted, f"{what!r}: unreadable {piece!r}"
                said[counted[2]] = _n(counted[1])
            assert said == dict(weapons), f"{what!r} for {dict(weapons)}"
        elif claim.startswith("fired from "):
            for v in members:
                reasons = v["findings"]["responsible"]["reasons"]
                assert any(r.startswith(claim + ",") for r in reasons), f"{what!r}: {reasons}"
        else:
            raise AssertionError(f"{what!r}: a claim the test does not know: {claim!r}")


def check_place(place: str, matter: Matter) -> None:
    places = [v["place"] for v in matter.members]
    if place == "at a place not described by the gazetteer":
        assert places == [None] * len(places)
        return
    m = PLACE.fullmatch(place)
    assert m, f"unreadable place {place!r}"
    if m["km"]:
        there = f" km {m['compass']} of {m['town']}"
        kms = [int(p.split()[0]) for p in places if p and p.endswith(there)]
        assert kms and (int(m["km"]), int(m["km2"] or m["km"])) == (min(kms), max(kms)), (
            f"{place!r} for {places}"
        )
    else:
        kms = [0 for p in places if p == f"in {m['town']}"]
        assert kms, f"{place!r} for {places}"
    if not m["nearby"]:
        assert len(kms) == len(places), f"{place!r} for {places}"


def check_responsible(scale: list[str], text: str, matter: Matter) -> None:
    m = RESPONSIBLE.fullmatch(text)
    assert m, f"unreadable finding {text!r}"
    party = matter.party
    assert (m["party"] or "unknown") == party, text
    if party != "unknown":
        check_probability(scale, m["words"], m["p"], matter.mean_p(party), "responsible")
    bases = Counter(v["attribution_basis"] for v in matter.members)
    rest = m["basis"] or ""
    for basis, words in BASIS.items():
        said = re.search(r"(?:(\d+) of (\d+): )?" + re.escape(words), rest)
        if not said:
            continue
        if said[1]:
            assert (int(said[1]), int(said[2])) == (bases[basis], len(matter.members)), text
        else:
            assert bases == {basis: len(matter.members)}, f"{text!r} for {dict(bases)}"
        rest = rest.replace(said[0], "")
    assert rest.strip("; ") == "", f"{text!r}: a basis the test does not know: {rest!r}"


def check_details(li: Node, matter: Matter, t: Truth) -> None:
    """The escalation line is the cluster's; every evidence line is a member's reason."""
    details = [d.text() for d in li.all("div") if "detail" in d.classes]
    cluster = t.cluster_of.get(matter.members[0]["violation_id"])
    ladder = details[0]
    if cluster is None:
        assert ladder == "Escalation: not on the escalation ladder."
    else:
        m = re.fullmatch(
            r"Escalation: (\w+); notified: (.+?)(?:; next: (.+) at (\S+ \d\d:\d\d) UTC)?"
            r"(; escalated)?\.",
            ladder,
        )
        assert m and m[1] == cluster["state"] and m[2] == ", ".join(cluster["notified"]), ladder
        following = cluster["next"]
        assert (m[3], m[4]) == (
            (None, None) if following is None
            else (", ".join(following["notify"]), following["due"][:16].replace("T", " "))
        ), ladder  # fmt: skip
        assert bool(m[5]) == cluster["escalated"], ladder
    reasons = {r for v in matter.members for r in v["findings"]["responsible"]["reasons"]}
    for line in details[1:]:
        assert line.removeprefix("Evidence: ") in reasons, line


def test_every_figure_in_the_paragraphs_is_explained(case: Case) -> None:
    """Times, counts, distances and probabilities: each from the matter's known members."""
    for li, matter in zip(case.full.incidents, case.truth.matters, strict=True):
        _, text = paragraph(li)
        members = matter.members
        explained = {f"{matter.first:%H:%M}", f"{matter.last:%H:%M}", str(len(members))}
        for key in ("category", "weapon", "attribution_basis"):
            explained |= {str(n) for n in Counter(v[key] for v in members).values()}
        explained |= {p.split()[0] for v in members if (p := v["place"]) and " km " in p}
        explained |= {
            d for v in members if v["weapon"] for d in NUMBER.findall(WEAPON[v["weapon"]])
        }
        true = [matter.p_occurred] + [matter.mean_p(p) for p in ("UA", "RU")]
        for token in NUMBER.findall(text.replace(",", "")):
            if PROBABILITY.fullmatch(token):
                close = [p for p in true if abs(Fraction(token) - p) < Fraction(1, 100)]
                assert close, f"probability {token} traced to nothing in {text!r}"
            else:
                assert token in explained, f"{token} traced to nothing in {text!r}"


def test_notes_on_matters_left_out(case: Case) -> None:
    left = case.truth.left_out
    notes = [n for n in case.full.incident_notes if "further notable" in n]
    assert len(notes) == (1 if left else 0)
    for note in notes:
        m = re.match(r"(\d[\d,]*) further notable matters? (?:\((\d[\d,]*) violations?\) )?", note)
        assert m and _n(m[1]) == len(left), note
        if m[2]:
            assert _n(m[2]) == sum(len(x.members) for x in left), note
        if "of fewer violations" in note:
            fewest = min(len(x.members) for x in case.truth.matters)
            assert all(len(x.members) < fewest for x in left), note


# --- complaints, escalation -----------------------------------------------------------------


def test_complaints_and_records(case: Case) -> None:
    t = case.truth
    tables = {rows[0][0]: rows[1:] for rows in case.full.complaint_tables}
    assert [row[:6] for row in tables.get("complaint", [])] == [
        [a["complaint_id"], a["t_submitted"][11:16], a["party"], a["alleged_party"],
         a["category"], a["outcome"] + (" (late)" if a["late"] else "")]
        for a in t.answers
    ]  # fmt: skip
    assert [row[6] for row in tables.get("complaint", [])] == [a["reasons"][0] for a in t.answers]
    expected = {}
    for party in sorted({a["party"] for a in t.answers}):
        mine = [a for a in t.answers if a["party"] == party]
        expected[party, "in this report"] = party_counts(mine)
    for party, row in case.scenario.records["parties"].items():
        expected[party, "to date"] = row
    told = {}
    for party, scope, *numbers, share in tables.get("party", []):
        told[party, scope] = [_n(n) for n in numbers] + [share]
    assert told == {
        k: [r["submitted"], *(r[o] for o in OUTCOMES), r["late"],
            "—" if r["accurate_share"] is None else f"{r['accurate_share']:.0%}"]
        for k, r in expected.items()
    }  # fmt: skip


def test_escalation_section(case: Case) -> None:
    ladder, lines = case.truth.ladder, case.full.escalation
    if ladder is None:
        assert lines == ["No escalation state was given."]
        return
    m = re.fullmatch(
        r"(\d[\d,]*) matters? \(clusters of linked violations\) on the ladder: (.+); "
        r"(\d[\d,]*) escalated to the parties\.",
        lines[0],
    )
    assert m and _n(m[1]) == len(ladder), lines[0]
    states = {s: _n(n) for n, s in re.findall(r"(\d[\d,]*) (\w+)", m[2])}
    assert states == dict(Counter(c["state"] for c in ladder)), lines[0]
    assert _n(m[3]) == sum(c["escalated"] for c in ladder)
    notified = Counter(who for c in ladder for who in c["notified"])
    if notified:
        assert lines[1] == "Notified so far: " + ", ".join(
            f"{who} of {n}" for who, n in sorted(notified.items())
        ) + "."  # fmt: skip
    assert len(lines) == 1 + bool(notified)


# --- the public edition and the PDF ---------------------------------------------------------


def test_public_edition_has_the_full_aggregates(case: Case) -> None:
    full, public = case.full, case.public
    assert public.summary == full.summary
    assert public.sectors == full.sectors
    assert public.counts == full.counts
    assert public.escalation == full.escalation
    assert public.complaint_tables == [t for t in full.complaint_tables if t[0][0] == "party"]
    assert len(public.incidents) == len(full.incidents)
    for pub, whole in zip(public.incidents, full.incidents, strict=True):
        (sev_p, text_p), (sev_f, text_f) = paragraph(pub), paragraph(whole)
        p, f = PUBLIC.fullmatch(text_p), FULL.fullmatch(text_f)
        assert p and f, (text_p, text_f)
        assert sev_p == sev_f
        assert p.groupdict() == {k: v for k, v in f.groupdict().items() if k != "place"}


def test_pdf_says_what_the_html_says(
    tmp_path: Path, ua2026: Agreement, gazetteer: Gazetteer
) -> None:
    pytest.importorskip("weasyprint")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    from ceasewatch.report.daily_render import render_html, render_pdf

    scenario = make_scenario(PDF_SEED, ua2026, gazetteer)
    t = truth(scenario)
    html = render_html(build(scenario, tmp_path / "adjudication", ua2026, gazetteer), ua2026)
    path = tmp_path / "full.pdf"
    path.write_bytes(render_pdf(html))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    flat = " ".join(text.split())
    page = read_page(html)
    for line in page.summary:
        assert line in flat, f"the PDF lacks the summary's {line!r}"
    total = len(t.reported)
    assert f"The mechanism recorded {total} {_plural(total, 'violation')}" in flat
    after = t.after_cutoff
    assert (f"{after} {_plural(after, 'violation')} stated after the cut-off" in flat) == bool(
        after
    )
    incidents = flat.split("4. Notable incidents")[1].split("5. Complaints")[0]
    spans = re.findall(r"(?:At \d\d:\d\d|Between \d\d:\d\d and \d\d:\d\d) UTC", incidents)
    assert spans == [
        f"At {m.first:%H:%M} UTC" if f"{m.first:%H:%M}" == f"{m.last:%H:%M}"
        else f"Between {m.first:%H:%M} and {m.last:%H:%M} UTC"
        for m in t.matters
    ]  # fmt: skip
    findings = re.compile(
        r"(?:Occurred: [a-z ]+|Responsible: \w+, [a-z ]+) \(probability (\d\.\d\d)\)"
    )
    html_findings = [p for li in page.incidents for p in findings.findall(paragraph(li)[1])]
    assert findings.findall(incidents) == html_findings and html_findings


# --- the scenarios exercise what they claim to ---------------------------------------------


def test_the_seeds_cover_the_hard_cases(ua2026: Agreement, gazetteer: Gazetteer) -> None:
    """Without these the checks above would pass vacuously."""
    found: Counter[str] = Counter()
    for seed, busy in CASES:
        s = make_scenario(seed, ua2026, gazetteer, busy=busy)
        t = truth(s)
        ids = {v["violation_id"] for v in t.reported}
        found["after cut-off"] += t.after_cutoff > 0
        found["outside the day"] += any(v["t"][:10] != DAY_TEXT for v in s.violations)
        found["dismissed in the day"] += any(
            v["status"] == "dismissed" and v["t"][:10] == DAY_TEXT for v in s.violations
        )
        found["no escalation file"] += s.clusters is None
        found["unattributed matter"] += any(m.party == "unknown" for m in t.matters)
        found["mixed kinds"] += any(len({v["category"] for v in m.members}) > 1 for m in t.matters)
        found["several members"] += any(len(m.members) > 2 for m in t.matters)
        found["cluster across the cut-off"] += any(
            set(c["violation_ids"]) & ids and not set(c["violation_ids"]) <= ids
            for c in s.clusters or ()
        )
        found["complaints outside"] += len(t.answers) < len(s.answers)
        found["blind with violations"] += any(
            r["reading"] == "not observable" and r["sector"] in t.count("sector")
            for r in s.sectors or ()
        )
        found["matters left out"] += bool(t.left_out)
        found["probability on a bound"] += any(
            matter.mean_p(matter.party) in (Fraction("0.95"), Fraction("0.8"), Fraction("0.6"))
            for matter in t.matters
        )
    assert all(found[k] for k in found), dict(found)
    assert len(found) == 12
