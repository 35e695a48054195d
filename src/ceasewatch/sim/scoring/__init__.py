"""Scoring a pipeline run against the simulator's truth (``ceasewatch score``,
docs/scoring.md)."""

from ceasewatch.sim.scoring.score import ScoreReport, run_score, score, write_score

__all__ = ["ScoreReport", "run_score", "score", "write_score"]
