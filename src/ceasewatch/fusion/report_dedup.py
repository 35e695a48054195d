"""Near-duplicate open-source reports collapsed into distinct events.

Many outlets (and VIINA's one-row-per-place geocoding) report one real-world event many times,
in Ukrainian and in Russian. Two reports are the same event when

* **time** — the middles of their time windows lie at most :data:`WINDOW_S` apart (a date-only
  report spans its day, so it meets timed reports of the same day, not of the next);
* **space** — their points lie at most :data:`NEAR_M` apart, or both name the same settlement;
* **text** — their headlines are identical after normalisation, or the IDF-weighted Jaccard
  similarity of their word keys reaches :data:`SAME_TEXT` (a word key is the first
  :data:`KEY_LETTERS` letters of the word's consonant skeleton, so Ukrainian and Russian spellings
  of a place or verb meet: Харкові / Харькове → ``xrkv``). Sharing a VIINA event code lowers the
  bar to :data:`SAME_TEXT_WITH_CODE`.

Two reports whose headlines name mostly different settlements never share an event (a
cannot-link): links are added strongest first and a link that would join two groups holding
such a pair is skipped. The result is deterministic and ignores input order. The thresholds were
chosen on tuning pairs from another month (docs/open-source-reports.md), not on the test pairs.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ceasewatch.fusion.report_places import PlaceIndex
from ceasewatch.model.geo import LocalProjection
from ceasewatch.model.translit import skeleton, words

WINDOW_S = 12 * 3600.0
NEAR_M = 15_000.0
SAME_TEXT = 0.25
SAME_TEXT_WITH_CODE = 0.2
KEY_LETTERS = 4
PLACE_OVERLAP = 0.34
_UKRAINE = LocalProjection.for_bounds(22.0, 44.0, 40.5, 52.5)
_NOISE = re.compile(r"^(дополнено|оновлено|updated|live)\s*", re.IGNORECASE)
_GENERIC_CODES = frozenset({"loc"})


@dataclass(frozen=True)
class Item:
    """One report as dedup sees it."""

    report_id: str
    mid_s: float  # middle of the time window, seconds since the epoch
    x_m: float
    y_m: float
    settlement: str
    headline_key: str
    keys: frozenset[str]
    codes: frozenset[str]
    places: frozenset[str] = frozenset()


def _epoch_s(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def normalise(headline: str) -> str:
    """Lower case, words only: the form in which two headlines count as identical."""
    return " ".join(w.lower() for w in words(_NOISE.sub("", headline.strip())))


def word_keys(headline: str) -> frozenset[str]:
    return frozenset(k[:KEY_LETTERS] for k in (skeleton(w) for w in words(headline)) if len(k) >= 2)


def prepare(
    records: Sequence[Mapping[str, object]], places: PlaceIndex | None = None
) -> list[Item]:
    """Items of report records (reports.jsonl fields plus ``headline`` or ``text``); with a
    place index, the settlements each headline names (for the place-conflict rule)."""
    lon = [float(r["observer"][0]) for r in records]  # type: ignore[index]
    lat = [float(r["observer"][1]) for r in records]  # type: ignore[index]
    x, y = _UKRAINE.to_xy(lon, lat)
    items = []
    for i, r in enumerate(records):
        start = _epoch_s(str(r["t_start"]))
        end = _epoch_s(str(r.get("t_end") or r["t_start"]))
        headline = str(r.get("headline") or r.get("text") or "")
        items.append(
            Item(
                str(r["report_id"]),
                (start + end) / 2.0,
                float(x[i]),
                float(y[i]),
                str(r.get("settlement") or ""),
                normalise(headline),
                word_keys(headline),
                frozenset(str(c) for c in r.get("viina_event_types") or ()),  # type: ignore[attr-defined]
                places.mentions(headline) if places is not None else frozenset(),
            )
        )
    return items


def idf_weights(items: Iterable[Item]) -> dict[str, float]:
    """Inverse document frequency of each word key over the batch (rare words weigh more)."""
    counts: Counter[str] = Counter()
    n = 0
    for item in items:
        counts.update(item.keys)
        n += 1
    return {k: math.log((1 + n) / (1 + c)) + 1.0 for k, c in counts.items()}


def text_similarity(a: Item, b: Item, idf: Mapping[str, float]) -> float:
    """IDF-weighted Jaccard similarity of the two headlines' word keys (0–1)."""
    if a.headline_key and a.headline_key == b.headline_key:
        return 1.0
    union = a.keys | b.keys
    if not union:
        return 0.0
    shared = sum(idf.get(k, 1.0) for k in a.keys & b.keys)
    return shared / sum(idf.get(k, 1.0) for k in union)


def near(a: Item, b: Item) -> bool:
    """In the blocking window: close in time, and close in space or in the same settlement."""
    if abs(a.mid_s - b.mid_s) > WINDOW_S:
        return False
    if a.settlement and a.settlement == b.settlement:
        return True
    return math.hypot(a.x_m - b.x_m, a.y_m - b.y_m) <= NEAR_M


def conflict(a: Item, b: Item) -> bool:
    """The headlines name mostly different settlements (fewer than :data:`PLACE_OVERLAP` of the
    places either names are shared): different events, however alike the wording."""
    if not a.places or not b.places or a.headline_key == b.headline_key:
        return False
    return len(a.places & b.places) < PLACE_OVERLAP * len(a.places | b.places)


def link_score(a: Item, b: Item, idf: Mapping[str, float]) -> float | None:
    """The text similarity when the pair rule links the two reports, else None (assumes
    :func:`near`)."""
    if conflict(a, b):
        return None
    score = text_similarity(a, b, idf)
    shared_code = bool((a.codes & b.codes) - _GENERIC_CODES)
    return score if score >= (SAME_TEXT_WITH_CODE if shared_code else SAME_TEXT) else None


def candidate_pairs(items: Sequence[Item]) -> Iterable[tuple[int, int]]:
    """Index pairs inside the blocking window (sweep over time)."""
    order = sorted(range(len(items)), key=lambda i: (items[i].mid_s, items[i].report_id))
    for pos, i in enumerate(order):
        for j in order[pos + 1 :]:
            if items[j].mid_s - items[i].mid_s > WINDOW_S:
                break
            if near(items[i], items[j]):
                yield (i, j) if items[i].report_id < items[j].report_id else (j, i)


def cluster(items: Sequence[Item], rule: str = "text") -> list[list[int]]:
    """Distinct events as sorted index lists.

    ``rule`` ``"text"``: links are taken strongest first (ties by report id) and join two groups
    unless some report of one conflicts with some report of the other (:func:`conflict`), so a
    chain of similar template headlines cannot merge reports that name different villages.
    Baselines: ``"exact"`` (identical normalised headline inside the window) and ``"window"``
    (every pair inside the window), both plain connected components."""
    idf = idf_weights(items)
    links: list[tuple[float, str, str, int, int]] = []
    cannot: set[tuple[int, int]] = set()
    for i, j in candidate_pairs(items):
        a, b = items[i], items[j]
        if rule == "text":
            if conflict(a, b):
                cannot.add((min(i, j), max(i, j)))
                continue
            score = link_score(a, b, idf)
        elif rule == "exact":
            score = 1.0 if a.headline_key == b.headline_key else None
        elif rule == "window":
            score = 1.0
        else:
            raise ValueError(f"unknown rule {rule!r}")
        if score is not None:
            links.append((-score, a.report_id, b.report_id, i, j))
    group = list(range(len(items)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(items))}
    for _score, _a, _b, i, j in sorted(links):
        gi, gj = group[i], group[j]
        if gi == gj:
            continue
        if cannot and any(
            (min(x, y), max(x, y)) in cannot for x in members[gi] for y in members[gj]
        ):
            continue
        keep, drop = min(gi, gj), max(gi, gj)
        for k in members[drop]:
            group[k] = keep
        members[keep].extend(members.pop(drop))
    return sorted(
        (sorted(g, key=lambda k: items[k].report_id) for g in members.values()),
        key=lambda g: items[g[0]].report_id,
    )


def distinct_events(
    records: Sequence[Mapping[str, object]],
    rule: str = "text",
    places: PlaceIndex | None = None,
) -> list[dict[str, object]]:
    """Distinct events (events.jsonl records) with their member reports, ordered by time."""
    items = prepare(records, places)
    events = []
    for group in cluster(items, rule):
        members = [records[i] for i in group]
        ids = [items[i].report_id for i in group]
        lons = sorted(float(m["observer"][0]) for m in members)  # type: ignore[index]
        lats = sorted(float(m["observer"][1]) for m in members)  # type: ignore[index]
        categories = Counter(str(m.get("category") or "unknown") for m in members)
        known = [c for c, _n in categories.most_common() if c != "unknown"]
        outlets = {str(m["source_outlet"]) for m in members if m.get("source_outlet")}
        events.append(
            {
                "event_id": "rev-" + hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16],
                "kind": "reported",
                "t_start": min(str(m["t_start"]) for m in members),
                "t_end": max(str(m.get("t_end") or m["t_start"]) for m in members),
                "position": [lons[len(lons) // 2], lats[len(lats) // 2]],
                "category": known[0] if known else "unknown",
                "categories": dict(sorted(categories.items())),
                "oblast": str(members[0].get("oblast") or ""),
                "places": sorted({str(m.get("settlement") or "") for m in members} - {""}),
                "report_ids": ids,
                "n_reports": len(ids),
                "n_headlines": len({items[i].headline_key for i in group}),
                "n_outlets": len(outlets) if outlets else None,
                "headline": str(members[0].get("headline") or members[0].get("text") or ""),
            }
        )
    return sorted(events, key=lambda e: (str(e["t_start"]), str(e["event_id"])))
