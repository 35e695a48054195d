"""Who is responsible: a probability per party plus ``unknown``, with the reasons in words.

The evidence, strongest first:

* **a firing position** (a launch paired with the impact, or the launch point of a radar track):
  the party holding the ground there fired, with the pairing's probability ``q``. Control of the
  ground is itself uncertain near the line (the position's error ellipse against the areas of the
  agreement, :class:`~ceasewatch.agreement.locate.Locator`), so
  ``P(party) = q · C_fire(party) + (1 − q) · prior(impact)``.
* **a launch heard alone**: the party holding the ground at the launch (``C_launch``), weighed by
  how sure the stage is that it is a launch (:attr:`Priors.launch_is_launch`).
* **an impact alone** (a drone strike, or a shot whose launch was not heard): fire is aimed
  across the line, but short rounds fall on their own side. ``prior(impact)`` gives the party
  across the line from the impact :attr:`Priors.across_line` and the party holding the impact's
  ground the rest; both are weighed by ``C_impact``.
* **weapons standing somewhere**: the party holding that ground (:attr:`Priors.presence_own`).
* **a drone or aircraft over a zone**: weak; the party across the line from where it was seen
  (:attr:`Priors.flight_across`).

Ground no party holds (sea, a third country) goes to ``unknown``. The priors are frequencies
fitted on simulated seeds that the benchmarks do not score (``bench/adjudication.py --train``);
a deployment would refit them on verified cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ceasewatch.adjudication.types import UNKNOWN


@dataclass(frozen=True)
class Priors:
    """Frequencies from the training seeds (5 and 11, peak-day; bench/adjudication.py --train,
    bench/results/adjudication-priors.json), with add-one smoothing where they are few.

    ``presence_seen_once`` is about whether it happened, not who did it, and is used by
    adjudicate.py; it sits here so that one refit on verified cases updates every frequency."""

    across_line: float = 0.96  # impacts with no firing position fired from across: 520 of 538
    launch_is_launch: float = 0.88  # lone launches fired by the ground's holder: 23 of 26
    presence_own: float = 0.93  # weapons seen standing belong to the ground's holder: 12 of 12
    flight_across: float = 0.4  # drones seen over a zone came from across the line: 3 of 8
    presence_seen_once: float = 0.1  # a restricted weapon sighted once was really there: 4 of 49


@dataclass(frozen=True)
class Ground:
    """Who holds the ground at one position: party → probability, plus :data:`UNKNOWN` for
    ground no party holds; with the words for the reason."""

    control: Mapping[str, float]
    words: str  # e.g. "RU-held ground, 2.1 km from the line"

    def likely(self) -> str:
        return max(sorted(self.control), key=lambda k: self.control[k])


@dataclass(frozen=True)
class Attribution:
    responsible: tuple[tuple[str, float], ...]  # parties in the agreement's order, UNKNOWN last
    reasons: tuple[str, ...]
    basis: str  # firing_position | impact_only | launch | presence | flight


def attribute(
    kind: str,
    parties: tuple[str, str],
    impact: Ground,
    firing: Ground | None,
    firing_probability: float,
    priors: Priors,
) -> Attribution:
    """The responsibility for an incident of ``kind`` between the two parties of the line."""
    a, b = parties
    across = {a: b, b: a}
    impact_prior = _mix(
        {across[p]: priors.across_line * impact.control.get(p, 0.0) for p in parties},
        {p: (1.0 - priors.across_line) * impact.control.get(p, 0.0) for p in parties},
    )
    impact_prior[UNKNOWN] = impact.control.get(UNKNOWN, 0.0)
    reasons: list[str] = []
    basis = "flight"
    if kind in ("shot", "impact", "blast", "unknown") and firing is not None:
        q = firing_probability
        basis = "firing_position"
        fire = dict(firing.control)
        result = _mix(_scale(fire, q), _scale(impact_prior, 1.0 - q))
        reasons.append(
            f"fired from {firing.words} (that this firing position belongs to the impact: {q:.2f})"
        )
        if q < 0.999:
            reasons.append(
                f"otherwise, as for any impact on {impact.words}: fire comes from across the "
                f"line with probability {priors.across_line:.2f}"
            )
    elif kind in ("shot", "impact", "blast", "unknown"):
        result = impact_prior
        basis = "impact_only"
        reasons.append(
            f"impact on {impact.words} with no firing position: fire comes from across the "
            f"line with probability {priors.across_line:.2f} (short rounds fall on their own "
            "side)"
        )
    elif kind == "launch":
        q = priors.launch_is_launch
        basis = "launch"
        result = _mix(_scale(dict(impact.control), q), _scale(impact_prior, 1.0 - q))
        reasons.append(f"outgoing fire heard from {impact.words}")
    elif kind == "presence":
        q = priors.presence_own
        basis = "presence"
        result = _mix(
            _scale(dict(impact.control), q),
            {across[p]: (1.0 - q) * impact.control.get(p, 0.0) for p in parties},
        )
        reasons.append(f"weapons seen on {impact.words}")
    else:  # flight and anything else: weak
        q = priors.flight_across
        result = _mix(
            {across[p]: q * impact.control.get(p, 0.0) for p in parties},
            {p: (1.0 - q) * impact.control.get(p, 0.0) for p in parties},
        )
        result[UNKNOWN] = impact.control.get(UNKNOWN, 0.0)
        reasons.append(
            f"seen over {impact.words}; drones are flown from across the line with "
            f"probability {q:.2f}"
        )
    return Attribution(_normalised(result, parties), tuple(reasons), basis)


def _scale(p: Mapping[str, float], factor: float) -> dict[str, float]:
    return {k: v * factor for k, v in p.items()}


def _mix(first: Mapping[str, float], second: Mapping[str, float]) -> dict[str, float]:
    out = dict(first)
    for k, v in second.items():
        out[k] = out.get(k, 0.0) + v
    return out


def _normalised(p: Mapping[str, float], parties: tuple[str, str]) -> tuple[tuple[str, float], ...]:
    keys = (*parties, UNKNOWN)
    values = [max(p.get(k, 0.0), 0.0) for k in keys]
    total = sum(values)
    if total <= 0.0:
        return tuple((k, 1.0 if k == UNKNOWN else 0.0) for k in keys)
    rounded = [round(v / total, 4) for v in values]
    rounded[-1] = round(1.0 - sum(rounded[:-1]), 4)  # the rounding rest goes to unknown
    if rounded[-1] < 0.0:  # the parties' rounding overshot: take it from the largest
        top = max(range(len(parties)), key=lambda i: rounded[i])
        rounded[top] = round(rounded[top] + rounded[-1], 4)
        rounded[-1] = 0.0
    return tuple(zip(keys, rounded, strict=True))
