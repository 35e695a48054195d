"""Writing a drawn figure to a PNG or SVG file: one check of the name, one way to save.

SVG text stays text (searchable) and carries no date, so the same figure gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from ceasewatch.errors import InputError

FORMATS = {".png": "png", ".svg": "svg"}


def figure_format(out: Path) -> str:
    """The format to write ``out`` in, by its suffix; a clear error for any other name."""
    fmt = FORMATS.get(Path(out).suffix.lower())
    if fmt is None:
        suffix = Path(out).suffix or "a file without a suffix"
        raise InputError(
            f"{out}: cannot draw a map as {suffix!r}; name the file with {' or '.join(FORMATS)}"
        )
    return fmt


def save_figure(figure: Figure, out: Path, *, salt: str, dpi: int) -> Path:
    """Write ``figure`` to ``out`` (creating its folder); ``salt`` fixes SVG element ids."""
    out = Path(out)
    fmt = figure_format(out)
    metadata = {"Date": None} if fmt == "svg" else {}  # same input, same bytes
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
            figure.savefig(out, format=fmt, dpi=dpi, metadata=metadata)
    except OSError as exc:
        raise InputError(
            f"{out}: cannot write the map ({exc.strerror or exc}); choose a writable place"
        ) from exc
    return out
