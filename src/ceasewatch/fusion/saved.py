"""Keeping a fusion of the log in the store, and reading it back.

A kept fusion is one run (:class:`~ceasewatch.fusion.results.ResultRun`, stage ``fusion``): its
inputs are the log's size and root, the agreement's id, version and digest, the software version
and the speed of sound; its summary is ``fuse-summary.jsonl`` with the counts of the rest. Its
items are what ``ceasewatch fuse`` writes, one row each, in file order: ``events``
(events.jsonl), ``incidents`` (incidents.jsonl) and ``rejected`` (rejected.jsonl: every record
the stage did not use, with the reason). The run id is a content hash of the inputs and the
items, so a rerun that finds the same is kept once; a different result is a new run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ceasewatch.fusion.from_log import LogFusion
from ceasewatch.fusion.results import ResultItem, ResultRun, ResultStore
from ceasewatch.fusion.sources.base import Rejection

STAGE = "fusion"
ITEM_KINDS = ("events", "incidents", "rejected")


@dataclass(frozen=True)
class SavedFusion:
    """A kept fusion run, read back: the rows of events.jsonl, incidents.jsonl, rejected.jsonl."""

    run: ResultRun
    events: tuple[dict[str, Any], ...]
    incidents: tuple[dict[str, Any], ...]
    rejected: tuple[Rejection, ...]

    @property
    def inputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run.inputs))

    @property
    def summary(self) -> dict[str, Any]:
        return dict(json.loads(self.run.summary))


def fusion_items(fusion: LogFusion) -> list[ResultItem]:
    """The rows of one fusion, in the order of the files ``ceasewatch fuse`` writes."""
    fused = fusion.fused
    items = _items("events", ((e["event_id"], e) for e in fused.events))
    items += _items("incidents", ((i["incident_id"], i) for i in fused.incidents_json()))
    rejected = ((f"{r.stream}:{r.record_id}", r.to_json()) for r in fused.rejected)
    items += _items("rejected", rejected)
    return items


def save_fusion(store: ResultStore, fusion: LogFusion, created_ns: int) -> tuple[ResultRun, bool]:
    """Keep a fusion in the store: the run and ``True``, or, when the same run (same inputs,
    same results) was kept before, that run as kept and ``False``."""
    items = fusion_items(fusion)
    inputs = _text(fusion.inputs)
    digest = hashlib.sha256(inputs.encode())
    for item in items:
        digest.update(f"\n{item.kind}\n{item.body}".encode())
    run = ResultRun(
        "fu-" + digest.hexdigest()[:16],
        STAGE,
        fusion.log_size,
        inputs,
        _text(fusion.summary()),
        created_ns,
    )
    with store.write() as writer:
        if writer.add_result_run(run, items):
            return run, True
        kept = [r for r in writer.result_runs(STAGE) if r.run_id == run.run_id]
    return kept[0], False


def load_fusion(store: ResultStore, run_id: str | None = None) -> SavedFusion | None:
    """A kept fusion run (the latest when ``run_id`` is not given), or ``None`` if there is none."""
    with store.read() as reader:
        runs = reader.result_runs(STAGE)
        chosen = [r for r in runs if run_id is None or r.run_id == run_id]
        if not chosen:
            return None
        run = chosen[-1]
        rows = {kind: reader.result_items(run.run_id, kind) for kind in ITEM_KINDS}
    rejected = (json.loads(row.body) for row in rows["rejected"])
    return SavedFusion(
        run,
        tuple(json.loads(row.body) for row in rows["events"]),
        tuple(json.loads(row.body) for row in rows["incidents"]),
        tuple(Rejection(r["stream"], r["record_id"], r["reason"]) for r in rejected),
    )


def _items(kind: str, pairs: Iterable[tuple[str, Mapping[str, Any]]]) -> list[ResultItem]:
    return [ResultItem(kind, n, item_id, _text(body)) for n, (item_id, body) in enumerate(pairs)]


def _text(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
