"""The analysts' review: the second-person rule, claims and their expiry, the fold over the log
(deterministic, orphaned and stale reviews), entries really in the log, and the commands."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ceasewatch.adjudication.review import (
    Review,
    ReviewState,
    current_violations,
    digest,
    new_review,
    read_reviews,
    read_violations,
    review_states,
    submit,
)
from ceasewatch.adjudication.types import Finding, Violation
from ceasewatch.commands.review import review_app
from ceasewatch.errors import InputError
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.model.time import parse_ns
from ceasewatch.store.sqlite import SqliteStore

T0 = parse_ns("2026-02-18T08:00:00Z")
MIN = 60 * 1_000_000_000
HOUR = 60 * MIN


def violation(vid: str = "vi-1", severity: str = "high", p: float = 0.97) -> dict[str, Any]:
    return {
        "violation_id": vid,
        "rule_id": "no-fire",
        "event_ids": ["ev-1"],
        "t": "2026-02-18T03:12:45.123456Z",
        "position": [37.99, 48.33],
        "place": "3 km SE of Horlivka",
        "p_occurred": p,
        "responsible": {"RU": 0.94, "UA": 0.05, "unknown": 0.01},
        "p_deliberate": None,
        "severity": severity,
        "status": "auto",
        "reasons": ["an impact located by 5 sensors"],
    }


class Desk:
    """Analysts at work on a list of violations, with the log as a plain list (pure core)."""

    def __init__(self, *violations: dict[str, Any]) -> None:
        self.violations = list(violations)
        self.entries: list[Review] = []

    def act(self, action: str, vid: str, analyst: str, at_ns: int, **kw: Any) -> Review:
        review = new_review(
            action,
            vid,
            analyst=analyst,
            at_ns=at_ns,
            violations=current_violations(self.violations),
            entries=self.entries,
            **kw,
        )
        review = replace(review, index=len(self.entries))
        self.entries.append(review)
        return review

    def decide(self, action: str, vid: str, analyst: str, at_ns: int = T0) -> Review:
        return self.act(action, vid, analyst, at_ns, reason=f"{analyst} looked at the imagery")

    def claim(self, vid: str, analyst: str, at_ns: int, hours: float = 4, **kw: Any) -> Review:
        return self.act("claim", vid, analyst, at_ns, until_ns=at_ns + int(hours * HOUR), **kw)

    def state(self, vid: str = "vi-1") -> ReviewState:
        return review_states(self.entries, self.violations)[vid]


# ---- the second-person rule -----------------------------------------------------------------


@pytest.mark.parametrize("severity", ["high", "critical"])
def test_high_severity_is_verified_only_by_two_different_analysts(severity: str) -> None:
    desk = Desk(violation(severity=severity))
    desk.decide("confirm", "vi-1", "anna")
    first = desk.state()
    assert first.status == "auto" and first.auto_status == "auto"
    assert first.human_status is None and first.awaiting_second
    assert "1 of 2 confirmations (anna)" in first.progress
    desk.decide("confirm", "vi-1", "bob", T0 + MIN)
    second = desk.state()
    assert second.status == "verified" and second.human_status == "verified"
    assert second.settled is not None and second.settled.analysts == ("anna", "bob")
    assert not second.awaiting_second and "verified by anna and bob" in second.progress


def test_the_same_analyst_cannot_be_the_second_confirmer() -> None:
    desk = Desk(violation())
    desk.decide("confirm", "vi-1", "anna")
    with pytest.raises(InputError, match=r"vi-1: anna already confirmed it \(entry 0\).*second"):
        desk.decide("confirm", "vi-1", "anna", T0 + MIN)
    assert len(desk.entries) == 1
    assert desk.state().status == "auto"


def test_the_fold_does_not_count_a_repeated_confirmation_written_anyway() -> None:
    """The fold is the authority: an entry that new_review would refuse (written by another
    tool, or in a race) is kept and reported, and does not count."""
    desk = Desk(violation())
    first = desk.decide("confirm", "vi-1", "anna")
    desk.entries.append(replace(first, at_ns=T0 + MIN, index=1))
    state = desk.state()
    assert state.status == "auto" and state.human_status is None
    assert [n.counted for n in state.reviews] == [True, False]
    assert "anna already confirmed" in state.reviews[1].note


@pytest.mark.parametrize("severity", ["low", "medium"])
def test_low_and_medium_severity_need_one_analyst(severity: str) -> None:
    desk = Desk(violation(severity=severity))
    desk.decide("confirm", "vi-1", "anna")
    assert desk.state().status == "verified"
    with pytest.raises(InputError, match="vi-1 is already verified by anna"):
        desk.decide("confirm", "vi-1", "bob")
    desk.decide("dismiss", "vi-1", "bob")
    assert desk.state().status == "dismissed"


def test_an_unknown_severity_is_treated_as_high() -> None:
    desk = Desk(violation(severity="grave"))
    desk.decide("confirm", "vi-1", "anna")
    assert desk.state().status == "auto"


def test_disputing_or_dismissing_high_severity_needs_a_second_analyst_to_agree() -> None:
    desk = Desk(violation())
    desk.decide("dispute", "vi-1", "anna")
    assert desk.state().status == "auto"
    assert "1 of 2 agreeing to dispute (anna)" in desk.state().progress
    desk.decide("dismiss", "vi-1", "bob")  # disagrees: neither outcome has two votes
    state = desk.state()
    assert state.status == "auto" and {v.action for v in state.pending} == {"dispute", "dismiss"}
    desk.decide("dispute", "vi-1", "carol")
    state = desk.state()
    assert state.status == "disputed"
    assert state.settled is not None and state.settled.analysts == ("anna", "carol")
    assert not state.pending


def test_an_analyst_may_change_their_vote_but_it_counts_once() -> None:
    desk = Desk(violation())
    desk.decide("confirm", "vi-1", "anna")
    desk.decide("dispute", "vi-1", "anna")
    assert [(v.analyst, v.action) for v in desk.state().pending] == [("anna", "dispute")]
    desk.decide("confirm", "vi-1", "bob")
    assert desk.state().status == "auto"  # anna no longer confirms
    desk.decide("confirm", "vi-1", "anna")
    assert desk.state().status == "verified"


def test_a_settled_verdict_can_be_reopened_by_two_analysts() -> None:
    desk = Desk(violation())
    desk.decide("confirm", "vi-1", "anna")
    desk.decide("confirm", "vi-1", "bob")
    with pytest.raises(InputError, match="vi-1 is already verified by anna and bob"):
        desk.decide("confirm", "vi-1", "carol")
    desk.decide("dismiss", "vi-1", "carol")
    state = desk.state()
    assert state.status == "verified" and "1 of 2 agreeing to dismiss (carol)" in state.progress
    desk.decide("dismiss", "vi-1", "dan")
    assert desk.state().status == "dismissed"


def test_a_decision_needs_a_reason_and_a_known_violation() -> None:
    desk = Desk(violation())
    with pytest.raises(InputError, match=r"vi-1: a reason is required to confirm.*--reason"):
        desk.act("confirm", "vi-1", "anna", T0, reason="   ")
    with pytest.raises(InputError, match=r"unknown violation vi-9.*review list"):
        desk.decide("confirm", "vi-9", "anna")
    with pytest.raises(InputError, match="--analyst"):
        desk.decide("confirm", "vi-1", " ")
    assert desk.entries == []


# ---- claims -----------------------------------------------------------------------------------


def test_a_claim_held_by_another_is_refused_naming_the_holder_and_expiry() -> None:
    desk = Desk(violation())
    desk.claim("vi-1", "anna", T0, hours=4)
    with pytest.raises(InputError, match=r"vi-1 is claimed by anna until 2026-02-18T12:00:00Z"):
        desk.claim("vi-1", "bob", T0 + HOUR)
    with pytest.raises(InputError, match="vi-1 is claimed by anna until"):
        desk.decide("confirm", "vi-1", "bob", T0 + HOUR)
    assert desk.state().assignee(T0 + HOUR) == "anna"
    desk.claim("vi-1", "anna", T0 + HOUR, hours=1)  # the holder may renew
    assert desk.state().claim is not None and desk.state().claim.until_ns == T0 + 2 * HOUR


def test_a_claim_expires() -> None:
    desk = Desk(violation())
    desk.claim("vi-1", "anna", T0, hours=4)
    assert desk.state().assignee(T0 + 4 * HOUR - 1) == "anna"
    assert desk.state().assignee(T0 + 4 * HOUR) is None
    desk.claim("vi-1", "bob", T0 + 5 * HOUR, hours=1)
    assert desk.state().assignee(T0 + 5 * HOUR) == "bob"
    desk.decide("confirm", "vi-1", "anna", T0 + 7 * HOUR)  # bob's claim ran out at 6 h
    assert desk.state().assignee(T0 + 10 * HOUR) is None


def test_release_and_assignment() -> None:
    desk = Desk(violation())
    desk.claim("vi-1", "lead", T0, assignee="anna")
    assert desk.state().assignee(T0) == "anna"
    with pytest.raises(InputError, match="only anna or lead can release it"):
        desk.act("release", "vi-1", "bob", T0 + MIN)
    desk.act("release", "vi-1", "lead", T0 + MIN)
    assert desk.state().assignee(T0 + MIN) is None
    with pytest.raises(InputError, match="vi-1 is not claimed"):
        desk.act("release", "vi-1", "lead", T0 + 2 * MIN)
    desk.claim("vi-1", "bob", T0 + 2 * MIN)
    assert desk.state().assignee(T0 + 2 * MIN) == "bob"


def test_a_decision_ends_the_deciders_claim_so_a_second_analyst_can_take_it() -> None:
    desk = Desk(violation())
    desk.claim("vi-1", "anna", T0)
    desk.decide("confirm", "vi-1", "anna", T0 + MIN)
    assert desk.state().claim is None
    desk.claim("vi-1", "bob", T0 + 2 * MIN)
    desk.decide("confirm", "vi-1", "bob", T0 + 3 * MIN)
    assert desk.state().status == "verified"


def test_two_claims_at_the_same_moment_the_first_in_the_log_wins() -> None:
    desk = Desk(violation())
    snapshot = current_violations(desk.violations)
    both = [
        new_review(
            "claim",
            "vi-1",
            analyst=name,
            at_ns=T0,
            violations=snapshot,
            entries=[],
            until_ns=T0 + HOUR,
        )  # fmt: skip
        for name in ("anna", "bob")
    ]  # each checked against the same, empty log: a race
    desk.entries = [replace(r, index=i) for i, r in enumerate(both)]
    state = desk.state()
    assert state.assignee(T0) == "anna"
    assert [n.counted for n in state.reviews] == [True, False]
    assert "claimed by anna" in state.reviews[1].note


# ---- the fold ---------------------------------------------------------------------------------


def _random_entries(seed: int, violations: list[dict[str, Any]], n: int) -> list[Review]:
    """Reviews written without the checks, valid and invalid alike, in random order."""
    rng = random.Random(seed)
    current = current_violations(violations)
    ids = [*current, "vi-gone"]
    entries = []
    for index in range(n):
        vid = rng.choice(ids)
        seen = current.get(vid)
        action = rng.choice(["claim", "release", "confirm", "dispute", "dismiss"])
        analyst = rng.choice(["anna", "bob", "carol"])
        at_ns = T0 + index * MIN + rng.randrange(-5, 5) * MIN
        entries.append(
            Review(
                action=action,
                violation_id=vid,
                analyst=analyst,
                at_ns=at_ns,
                reason=rng.choice([None, "seen on imagery"]),
                sha256=seen.sha256 if seen and rng.random() < 0.8 else "0" * 64,
                severity=rng.choice(["low", "high", "critical"]),
                auto_status="auto",
                assignee=rng.choice([analyst, "dan"]) if action == "claim" else None,
                until_ns=at_ns + rng.randrange(1, 90) * MIN if action == "claim" else None,
                index=index,
            )
        )
    return entries


def test_the_fold_is_deterministic_and_a_replay_of_the_entries_reproduces_it() -> None:
    violations = [violation(f"vi-{i}", severity) for i, severity in enumerate(["low", "high"] * 3)]
    entries = _random_entries(11, violations, 400)
    states = review_states(entries, violations)
    assert review_states(list(entries), [dict(v) for v in violations]) == states
    replayed = [Review.from_entry(r.index, json.loads(json.dumps(r.body()))) for r in entries]
    assert replayed == entries
    assert review_states(replayed, violations) == states
    as_json = [s.to_json(T0) for s in states.values()]
    assert as_json == [s.to_json(T0) for s in review_states(replayed, violations).values()]
    counted = [n.counted for s in states.values() for n in s.reviews]
    assert any(counted) and not all(counted)  # the random log exercises both
    assert review_states(entries[:200], violations) != states


def test_reviews_of_violations_no_longer_produced_are_orphaned_not_dropped() -> None:
    desk = Desk(violation("vi-1", "low"), violation("vi-2", "low"))
    desk.decide("confirm", "vi-2", "anna")
    desk.decide("dismiss", "vi-1", "bob")
    states = review_states(desk.entries, [violation("vi-1", "low"), violation("vi-3", "low")])
    assert list(states) == ["vi-1", "vi-3", "vi-2"]
    orphan = states["vi-2"]
    assert orphan.orphaned and orphan.auto_status is None and orphan.human_status == "verified"
    assert [n.review.analyst for n in orphan.decisions] == ["anna"]
    assert "orphaned" in orphan.progress
    assert not states["vi-1"].orphaned and states["vi-1"].status == "dismissed"
    assert states["vi-3"].progress == "not reviewed"


def test_a_review_of_a_verdict_that_changed_since_is_stale() -> None:
    desk = Desk(violation())
    desk.decide("confirm", "vi-1", "anna")
    desk.decide("confirm", "vi-1", "bob")
    assert not desk.state().stale
    desk.violations = [violation(p=0.71)]  # re-adjudicated: another automatic verdict
    state = desk.state()
    assert state.stale and "stale" in state.progress
    assert state.human_status == "verified" and state.status == "auto"  # both kept
    assert all(n.stale for n in state.decisions)
    desk.decide("confirm", "vi-1", "anna")  # confirming the new verdict is a new round
    state = desk.state()
    assert state.status == "auto" and "1 of 2 confirmations (anna)" in state.progress
    desk.decide("confirm", "vi-1", "bob")
    assert desk.state().status == "verified" and not desk.state().stale


def test_votes_on_an_older_verdict_do_not_add_up_with_votes_on_the_new_one() -> None:
    desk = Desk(violation())
    desk.decide("confirm", "vi-1", "anna")
    desk.violations = [violation(p=0.71)]
    assert desk.state().stale
    desk.decide("confirm", "vi-1", "bob")
    state = desk.state()
    assert state.status == "auto" and [v.analyst for v in state.pending] == ["bob"]
    assert "verdict changed since the earlier votes (entries 0)" in state.reviews[-1].note


def test_the_digest_is_of_the_canonical_json_as_seen() -> None:
    seen = violation()
    assert digest(seen) == digest(dict(reversed(list(seen.items()))))
    assert digest(seen) != digest(violation(p=0.96))
    record = Violation(
        violation_id="vi-1", rule_id="no-fire", incident_id="in-1", event_ids=("ev-1",),
        t_ns=T0, lon=37.99, lat=48.33, place=None, sector=None, category="shelling",
        p_occurred=0.97, responsible=(("RU", 0.9), ("unknown", 0.1)), p_deliberate=None,
        severity="high", status="auto", occurred=Finding(("located",)), who=Finding(()),
        deliberate=Finding(()),
    )  # fmt: skip
    assert digest(record) == digest(json.loads(json.dumps(record.to_json())))
    assert review_states([], [record])["vi-1"].sha256 == digest(record)


def test_a_violation_listed_twice_is_an_error() -> None:
    with pytest.raises(InputError, match="vi-1 appears twice"):
        review_states([], [violation(), violation()])


# ---- the log ----------------------------------------------------------------------------------


def _log(path: Path) -> EvidenceLog:
    return EvidenceLog(SqliteStore(path / "evidence.sqlite"), salts=random.Random(0).randbytes)


def test_every_decision_is_a_review_entry_of_the_log(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.append_event("receipt", {"name": "picks.jsonl"}, T0)  # entries of other kinds around
    violations = [violation()]
    done = submit(log, violations, "confirm", "vi-1", analyst="anna", at_ns=T0 + MIN,
                  reason="crater on the UAV image")  # fmt: skip
    assert done.review.index == 1 and done.note == "1 of 2 confirmations"
    log.append_event("custody", {"what": "export"}, T0 + 2 * MIN)
    with pytest.raises(InputError, match="anna already confirmed"):
        submit(log, violations, "confirm", "vi-1", analyst="anna", at_ns=T0 + 3 * MIN,
               reason="again")  # fmt: skip
    assert log.size() == 3  # a refused action appends nothing
    done = submit(log, violations, "confirm", "vi-1", analyst="bob", at_ns=T0 + 4 * MIN,
                  reason="two sensors agree")  # fmt: skip
    assert done.state.status == "verified" and done.review.index == 3

    with log.store.read() as reader:
        leaves = [json.loads(leaf) for leaf in reader.leaves(0, reader.size())]
        kinds = [reader.entry(i).kind for i in range(reader.size())]
    assert kinds == ["receipt", "review", "custody", "review"]
    entry = leaves[3]
    assert entry["format"] == "ceasewatch-evidence/1" and entry["kind"] == "review"
    assert entry["action"] == "confirm" and entry["analyst"] == "bob"
    assert entry["violation_id"] == "vi-1" and entry["reason"] == "two sensors agree"
    assert entry["at"] == "2026-02-18T08:04:00.000000000Z"
    assert entry["saw"] == {"sha256": digest(violation()), "severity": "high", "status": "auto"}

    reviews = read_reviews(log.store)
    assert [(r.index, r.analyst) for r in reviews] == [(1, "anna"), (3, "bob")]
    assert review_states(reviews, violations)["vi-1"] == done.state
    assert read_reviews(log.store, start=2) == reviews[1:]


def test_reading_violations_jsonl_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "violations.jsonl"
    path.write_text(json.dumps(violation()) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"violations.jsonl:3: not JSON"):
        read_violations(path)
    path.write_text(json.dumps(violation()) + "\n", encoding="utf-8")
    assert read_violations(path) == [violation()]
    with pytest.raises(InputError, match="no violations there"):
        read_violations(tmp_path / "missing.jsonl")


# ---- the commands -----------------------------------------------------------------------------


def test_the_review_commands_on_a_real_state_folder(tmp_path: Path) -> None:
    state = tmp_path / "state"
    SqliteStore(state / "evidence.sqlite").close()
    (state / "adjudication").mkdir()
    lines = [violation("vi-1", "high"), violation("vi-2", "low")]
    (state / "adjudication" / "violations.jsonl").write_text(
        "".join(json.dumps(v) + "\n" for v in lines), encoding="utf-8"
    )
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(review_app, [*args, "--state", str(state)])

    done = run("claim", "vi-1", "--analyst", "anna", "--hours", "2")
    assert done.exit_code == 0, done.output
    assert "vi-1: claimed for anna until" in done.output
    refused = run("claim", "vi-1", "--analyst", "bob")
    assert refused.exit_code == 2 and "vi-1 is claimed by anna until" in refused.output
    assert "Traceback" not in refused.output
    no_reason = run("confirm", "vi-1", "--analyst", "anna")
    assert no_reason.exit_code == 2 and "a reason is required" in no_reason.output
    first = run("confirm", "vi-1", "--analyst", "anna", "--reason", "crater on the UAV image")
    assert first.exit_code == 0, first.output
    assert "1 of 2 confirmations" in first.output and "status auto" in first.output
    again = run("confirm", "vi-1", "--analyst", "anna", "--reason", "sure")
    assert again.exit_code == 2 and "anna already confirmed" in again.output
    unknown = run("dismiss", "vi-7", "--analyst", "bob", "--reason", "clutter")
    assert unknown.exit_code == 2 and "unknown violation vi-7" in unknown.output
    assert run("claim", "vi-1", "--analyst", "bob").exit_code == 0  # anna's claim ended
    second = run("confirm", "vi-1", "--analyst", "bob", "--reason", "two sensors agree")
    assert second.exit_code == 0 and "status verified" in second.output
    assert run("claim", "vi-2", "--analyst", "lead", "--for", "carol").exit_code == 0
    assert run("release", "vi-2", "--analyst", "carol").exit_code == 0

    listed = run("list")
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if line.startswith("vi-1"))
    assert "verified by anna and bob" in row
    cells = [cell.strip() for cell in row.split("  ") if cell.strip()]
    assert cells[1:7] == ["2026-02-18 03:12", "no-fire", "0.97", "RU 0.94", "3 km SE of Horlivka",
                          "high"]  # fmt: skip
    assert "2 violations, 0 stale, 0 orphaned" in listed.output
    assert run("claim", "vi-2", "--analyst", "carol").exit_code == 0
    mine = run("list", "--mine", "carol", "--json")
    assert [s["violation_id"] for s in json.loads(mine.output)] == ["vi-2"]
    assert json.loads(mine.output)[0]["assignee"] == "carol"

    store = SqliteStore(state / "evidence.sqlite")
    try:
        reviews = read_reviews(store)
    finally:
        store.close()
    assert [(r.action, r.analyst) for r in reviews] == [
        ("claim", "anna"), ("confirm", "anna"), ("claim", "bob"), ("confirm", "bob"),
        ("claim", "lead"), ("release", "carol"), ("claim", "carol"),
    ]  # fmt: skip
    assert all(r.sha256 == digest(lines[0 if r.violation_id == "vi-1" else 1]) for r in reviews)


def test_the_commands_say_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        review_app, ["list", "--state", str(tmp_path / "nowhere")], catch_exceptions=False
    )
    assert result.exit_code == 2 and "no violations there" in result.output


def test_every_review_command_has_an_example() -> None:
    for command in review_app.registered_commands:
        assert "Example: ceasewatch review " in (command.callback.__doc__ or ""), command.name
