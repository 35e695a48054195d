"""Reading what an alert run needs, with errors that name the file and the fix.

The edge of the stage: the adjudication folder (``escalation.jsonl``, ``violations.jsonl``), the
webhook secret file, and the ``--smtp`` / ``--mail-to`` option values.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceasewatch.alert.sinks import EVERYONE
from ceasewatch.alert.webhook import MIN_SECRET_BYTES
from ceasewatch.errors import InputError
from ceasewatch.fusion import files

ESCALATION = "escalation.jsonl"
VIOLATIONS = "violations.jsonl"
LEDGER = "alert-ledger.sqlite"


@dataclass(frozen=True)
class Inputs:
    folder: Path  # the adjudication folder
    rows: tuple[dict[str, Any], ...]  # escalation.jsonl
    violations: tuple[dict[str, Any], ...]  # violations.jsonl

    @property
    def as_of(self) -> str | None:
        """The book's own instant (every row carries the same ``as_of``)."""
        return str(self.rows[0]["as_of"]) if self.rows and "as_of" in self.rows[0] else None

    @property
    def agreement_ref(self) -> str | None:
        """``ua-2026@1`` from the rows' ``"agreement": "ua-2026 v1"``."""
        if not self.rows or "agreement" not in self.rows[0]:
            return None
        name, _, version = str(self.rows[0]["agreement"]).partition(" v")
        return f"{name}@{version}" if version else name


def adjudication_folder(folder: Path) -> Path:
    """``folder`` itself when it holds escalation.jsonl, else ``folder/adjudication``."""
    for candidate in (folder, folder / "adjudication"):
        if (candidate / ESCALATION).is_file():
            return candidate
    raise InputError(
        f"{folder}: no {ESCALATION} here or in {folder / 'adjudication'}; run "
        f"`ceasewatch adjudicate --state {folder}` first (it writes DIR/adjudication/{ESCALATION}) "
        "or give the folder adjudicate wrote into"
    )


def read_inputs(folder: Path) -> Inputs:
    where = adjudication_folder(folder)
    violations = where / VIOLATIONS
    if not violations.is_file():
        raise InputError(
            f"{violations}: missing; the alert words come from it — give the folder "
            "ceasewatch adjudicate wrote (it writes both files)"
        )
    return Inputs(where, tuple(read_jsonl(where / ESCALATION)), tuple(read_jsonl(violations)))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per line; a broken line stops with its number and the fix."""
    return files.read_jsonl(path, fix="adjudicate again to rewrite the file")


def read_secret(path: Path) -> bytes:
    """The webhook's shared secret: the file's bytes without surrounding whitespace.

    Refuses a missing or short secret, and a file that group or others may read.
    """
    fix = f"write one with `umask 077; openssl rand -hex 32 > {path}`"
    try:
        mode = path.stat().st_mode
        secret = path.read_bytes().strip()
    except OSError as error:
        raise InputError(
            f"{path}: cannot read the webhook secret ({error.strerror}); {fix}"
        ) from error
    if len(secret) < MIN_SECRET_BYTES:
        raise InputError(
            f"{path}: the webhook secret has {len(secret)} bytes, fewer than {MIN_SECRET_BYTES}; "
            f"{fix}"
        )
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(
            f"{path}: the webhook secret may be read by others (mode {stat.filemode(mode)}); "
            f"run `chmod 600 {path}`"
        )
    return secret


def host_port(text: str, option: str = "--smtp") -> tuple[str, int]:
    """``host:port`` (``[::1]:2525`` for IPv6) → (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"{option} {text!r}: give host:port, e.g. 127.0.0.1:2525")
    return host.strip("[]"), int(port)


def mail_to(values: list[str]) -> dict[str, tuple[str, ...]]:
    """``ADDRESS`` (everyone) or ``RECIPIENT=ADDRESS``, repeated → recipient → addresses."""
    out: dict[str, tuple[str, ...]] = {}
    for value in values:
        recipient, sep, address = value.partition("=")
        if not sep:
            recipient, address = EVERYONE, value
        if "@" not in address or not recipient:
            raise InputError(
                f"--mail-to {value!r}: give ADDRESS or RECIPIENT=ADDRESS, "
                "e.g. coordination-cell=cell@example.org"
            )
        out[recipient] = (*out.get(recipient, ()), address.strip())
    return out
