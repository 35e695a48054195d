"""The FIRMS plugin: rows as fires, ids as the truth names them, fires set by impacts."""

from __future__ import annotations

from ceasewatch.agreement import Agreement
from ceasewatch.fusion.sources.base import FusionContext, Hypothesis, Spot
from ceasewatch.fusion.sources.firms import FirmsPlugin
from ceasewatch.fusion.spread import Spread
from ceasewatch.model.time import parse_ns
from tests.fusion.handmade import moved

SPOT = (35.30, 48.20)


def row(where: tuple[float, float], hhmm: str = "1012", **extra: object) -> dict:
    return {"latitude": f"{where[1]:.5f}", "longitude": f"{where[0]:.5f}", "acq_date": "2026-02-18",
            "acq_time": hhmm, "scan": "0.4", "track": "0.38", "satellite": "N", "confidence": "n",
            "frp": "3.1", **extra}  # fmt: skip


def test_rows_are_named_like_the_truth_and_grouped_into_fires(toy: Agreement) -> None:
    rows = [
        row(SPOT),
        row(moved(*SPOT, 90.0, 400.0)),
        row(moved(*SPOT, 0, 20_000)),
        row(SPOT, "1330"),
    ]
    plugin, context = FirmsPlugin(), FusionContext(toy)
    observed = plugin.observe(rows, context)
    assert [o.record_id for o in observed.observations] == [f"firms.csv:{n}" for n in (1, 2, 3, 4)]
    assert observed.observations[0].t_start_ns == parse_ns("2026-02-18T10:12:00Z")
    placement = plugin.place(observed.observations, [], context)
    fires = sorted(len(p.records) for p in placement.phases)
    assert fires == [1, 3] and all(p.kind == "fire" for p in placement.phases)


def test_a_bad_row_is_rejected_alone(toy: Agreement) -> None:
    rows = [row(SPOT, latitude="north"), row(SPOT, acq_time="25h"), row(SPOT, record_id="x:7")]
    observed = FirmsPlugin().observe(rows, FusionContext(toy))
    assert [o.record_id for o in observed.observations] == ["x:7"]
    assert "'latitude' must be a decimal number" in observed.rejected[0].reason
    assert "write YYYY-MM-DD and HHMM" in observed.rejected[1].reason


def test_a_fire_after_a_nearby_impact_was_set_by_it(toy: Agreement) -> None:
    plugin, context = FirmsPlugin(), FusionContext(toy)
    [obs] = plugin.observe([row(moved(*SPOT, 10.0, 300.0))], context).observations
    impact = Spot(*SPOT, Spread.circular(40), parse_ns("2026-02-18T09:00:00Z"), 0.1)
    relation = plugin.relate(obs, Hypothesis("k", "shot", impact.t_ns, impact.t_ns, impact))
    assert relation is not None and relation.same_happening
    assert "1.2 h after it" in relation.reason
    later = Spot(*SPOT, Spread.circular(40), parse_ns("2026-02-18T11:00:00Z"), 0.1)
    assert plugin.relate(obs, Hypothesis("k", "shot", later.t_ns, later.t_ns, later)) is None
