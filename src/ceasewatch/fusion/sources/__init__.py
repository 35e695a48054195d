"""Cross-source plugins: one per stream of evidence other than acoustic picks.

The contract is :class:`~ceasewatch.fusion.sources.base.SourcePlugin`. :func:`default_plugins`
lists them in the order the stage runs them — radar first (it may make impacts that the others
then refer to), complaints last. Adding a source: write one module with a class that has
``stream``, ``reach_m``, ``reach_s``, ``observe``, ``place`` and ``relate``, and add it here.
"""

from __future__ import annotations

from ceasewatch.fusion.sources.base import SourcePlugin
from ceasewatch.fusion.sources.complaints import ComplaintsPlugin
from ceasewatch.fusion.sources.detections import DetectionsPlugin
from ceasewatch.fusion.sources.firms import FirmsPlugin
from ceasewatch.fusion.sources.reports import ReportsPlugin
from ceasewatch.fusion.sources.tracks import TracksPlugin


def default_plugins() -> tuple[SourcePlugin, ...]:
    """The plugins of the streams of FORMATS.md, in running order."""
    return (TracksPlugin(), DetectionsPlugin(), FirmsPlugin(), ReportsPlugin(), ComplaintsPlugin())


STREAMS = tuple(p.stream for p in default_plugins())

__all__ = ["STREAMS", "SourcePlugin", "default_plugins"]
