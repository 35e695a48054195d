"""Progress for long commands, on standard error: a bar over named stages with the current
step beside it in a terminal, and one plain line per stage elsewhere (CI logs, pipes)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

Callbacks = tuple[Callable[[str], None], Callable[[str], None]]


@contextmanager
def stage_progress(stages: Sequence[str]) -> Iterator[Callbacks]:
    """Yield ``(stage, say)``: call ``stage(name)`` as each of ``stages`` starts and
    ``say(message)`` for each step within it."""
    if not sys.stderr.isatty():
        with _plain(stages) as callbacks:
            yield callbacks
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.fields[stage]:<17}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("[dim]{task.fields[step]}"),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("demo", total=len(stages), stage="starting", step="")
        seen: list[str] = []

        def stage(name: str) -> None:
            if seen:
                bar.advance(task)
            seen.append(name)
            bar.update(task, stage=name, step="")

        def say(message: str) -> None:
            bar.update(task, step=message[:60])

        yield stage, say
        bar.update(task, completed=len(stages), stage="done", step="")


@contextmanager
def _plain(stages: Sequence[str]) -> Iterator[Callbacks]:
    started = time.perf_counter()
    count = len(stages)
    seen: list[str] = []

    def stage(name: str) -> None:
        seen.append(name)
        elapsed = time.perf_counter() - started
        print(f"[{len(seen)}/{count}] {name} (at {elapsed:.0f} s)", file=sys.stderr, flush=True)

    yield stage, lambda _message: None
    print(f"done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
