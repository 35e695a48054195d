"""The composition root: wires the stages for one run of the demo, and fusion over a store.

The demo (:func:`.demo.run_demo`) simulates a scenario on the real line, ingests what the
sources sent into an embedded log, signs a checkpoint, exports the log, verifies the export as a
party would, and shows that a copy with one entry removed is caught (:func:`.stages.evidence_demo`);
then it fuses what the store holds (:func:`.stages.fusion_demo`) with
:func:`.stages.fuse_store`, which ``ceasewatch fuse --state`` runs too; then it adjudicates the
incidents under the agreement, with coverage from the sensors' status reports and answers to
the parties' complaints (:func:`.stages.adjudication_demo`); then it writes the report and logs
the alerts due (:func:`.stages.readable_demo`). :mod:`.summary` is the one-screen summary.
"""

from ceasewatch.pipeline.stages import (
    DEMO_ORIGIN,
    DEMO_SCENARIO,
    DEMO_SEED,
    StoreFusion,
    adjudication_demo,
    evidence_demo,
    fuse_store,
    fusion_demo,
    readable_demo,
)

__all__ = [
    "DEMO_ORIGIN",
    "DEMO_SCENARIO",
    "DEMO_SEED",
    "StoreFusion",
    "adjudication_demo",
    "evidence_demo",
    "fuse_store",
    "fusion_demo",
    "readable_demo",
]
