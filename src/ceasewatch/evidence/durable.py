"""Writing a file whole or not at all, and durably: what every evidence file on disk needs
(exports, published checkpoints, quarantine files, keys)."""

from __future__ import annotations

import os
from pathlib import Path


def write_durably(path: Path, content: bytes, *, mode: int = 0o644) -> None:
    """Write ``content`` to ``path`` through a temporary file that is fsynced and renamed over
    it, then fsync the folder, so a crash leaves the old file or the new one, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync_folder(path.parent)


def sync_folder(directory: Path) -> None:
    """Make renames in ``directory`` durable (where the platform lets a folder be opened)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
