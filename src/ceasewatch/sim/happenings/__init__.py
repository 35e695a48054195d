"""Everything that really happens in a run: the parties' fire and other activity, the clutter,
and the rules each happening breaks."""

from ceasewatch.sim.happenings.generate import Generated, generate

__all__ = ["Generated", "generate"]
