"""Seeded scenarios on the real line: what real sources would send, with the ground truth, and
the metrics that score a pipeline run against that truth."""
