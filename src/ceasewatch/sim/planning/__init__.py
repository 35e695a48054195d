"""Network planning: where the sensors should go (``ceasewatch plan``)."""

from ceasewatch.sim.planning.plan import Plan, plan, run_plan

__all__ = ["Plan", "plan", "run_plan"]
