"""The digest that names one exact version of an agreement.

``sha256:`` over the RFC 8785 canonical JSON of the document's data together with the SHA-256 of
every GeoJSON file it references. Comments, key order and formatting of the YAML do not change
it; any change of meaning or geometry does. An amendment records the digest of the version it
supersedes, so a version edited in place after being superseded is detected
(docs/adr/0004-versions-and-digests.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import rfc8785


def agreement_digest(data: Any, file_digests: Mapping[str, str]) -> str:
    payload = {"document": data, "geometry_files": dict(sorted(file_digests.items()))}
    return "sha256:" + hashlib.sha256(rfc8785.dumps(payload)).hexdigest()
