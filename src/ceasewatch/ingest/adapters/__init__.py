"""One adapter per exchange format of FORMATS.md; :data:`ADAPTERS` (by kind) and
:func:`detect_format` live in :mod:`.registry`.

Each adapter module states its format's rules in its docstring; the JSON Lines formats share
:mod:`.jsonl`, field checks live in :mod:`.checks`, strict JSON reading in :mod:`.strict_json`,
the GeoJSON walk in :mod:`.geojson_scan`.
"""

from __future__ import annotations

from ceasewatch.ingest.adapters.registry import ADAPTERS, HEAD_BYTES, detect_format

__all__ = ["ADAPTERS", "HEAD_BYTES", "detect_format"]
