"""Where a ceasewatch installation keeps its state: the home folder.

``$CEASEWATCH_HOME`` (default ``~/.ceasewatch``), outside any repository::

    evidence.sqlite       the embedded store (unless --store / $CEASEWATCH_STORE says otherwise)
    keys/log.key          the log's private signing key (created on first use, mode 0600)
    keys/witness.key      a witness's private key (only where a witness runs)
    quarantine/           rejected records, ready to fix and resend
    checkpoints/          every published checkpoint, by size
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.evidence.durable import write_durably
from ceasewatch.evidence.note import Signer

DEFAULT_ORIGIN = "ceasewatch.local/evidence"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def from_env(cls, override: Path | None = None) -> Home:
        if override is not None:
            return cls(override.expanduser())
        env = os.environ.get("CEASEWATCH_HOME")
        return cls(Path(env).expanduser() if env else Path.home() / ".ceasewatch")

    def store_url(self, override: str | None = None) -> str:
        return override or os.environ.get("CEASEWATCH_STORE") or str(self.root / "evidence.sqlite")

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    def key_path(self, role: str) -> Path:
        return self.root / "keys" / f"{role}.key"

    def signer(self, role: str, name: str | None = None) -> Signer:
        """The private key for ``role`` ("log" or "witness"), created on first use with
        ``name`` (the log's origin) from the operating system's random source."""
        path = self.key_path(role)
        if path.exists():
            try:
                signer = Signer.from_private_key_text(path.read_text(encoding="utf-8").strip())
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read the {role} key {path}: {exc}") from exc
            if name is not None and signer.name != name:
                raise InputError(
                    f"the {role} key {path} is named {signer.name!r}, not {name!r}; "
                    "use another --home for another log"
                )
            return signer
        signer = Signer.generate(name or DEFAULT_ORIGIN, os.urandom(32))
        write_private(path, signer.private_key_text() + "\n")
        return signer


def write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only, durably."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_durably(path, text.encode("utf-8"), mode=0o600)
