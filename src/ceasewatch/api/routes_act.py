"""Acting routes: an analyst's review actions, and a party's complaint. Both are appended to
the evidence log (a ``review`` entry; a ``complaints`` record), so every action is on the
record with who and when."""

from __future__ import annotations

import json
import os
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictStr

from ceasewatch.api.app import Access, guard
from ceasewatch.api.policy import Scope
from ceasewatch.errors import InputError, NotFoundError

router = APIRouter()


class ReviewIn(BaseModel):
    """One review action on a violation."""

    model_config = ConfigDict(strict=True, extra="forbid")
    action: Literal["claim", "release", "confirm", "dispute", "dismiss"]
    reason: StrictStr | None = Field(default=None, max_length=2000)
    # one constraint on the number itself, so the schema states it (strict floats take ints)
    hours: Annotated[StrictFloat, Field(gt=0, le=720)] | None = None


@router.post("/violations/{violation_id}/review", operation_id="review", tags=["review"])
def review(
    violation_id: str,
    body: Annotated[ReviewIn, Body()],
    access: Access = guard("review"),
) -> dict[str, Any]:
    """Claim, release, confirm, dispute or dismiss a violation (a reason is required to
    confirm, dispute or dismiss). The analyst is the token's subject."""
    from ceasewatch.adjudication.review import submit
    from ceasewatch.evidence.log import EvidenceLog
    from ceasewatch.model.time import NS_PER_S

    catalog = access.catalog
    if violation_id not in {str(v.get("violation_id")) for v in catalog.violations()}:
        raise NotFoundError(f"no violation {violation_id} in the current adjudication")
    log = EvidenceLog(catalog.store, salts=os.urandom)
    now_ns = time.time_ns()
    done = submit(
        log,
        catalog.violations(),
        body.action,
        violation_id,
        analyst=access.principal.subject,
        at_ns=now_ns,
        reason=body.reason,
        until_ns=None if body.hours is None else now_ns + int(body.hours * 3600 * NS_PER_S),
    )
    return {
        "violation_id": violation_id,
        "entry": done.review.index,
        "note": done.note,
        "status": done.state.status,
        "awaiting_second": done.state.awaiting_second,
    }


class ComplaintIn(BaseModel):
    """A party's complaint, as in FORMATS.md (Party complaints)."""

    model_config = ConfigDict(strict=True, extra="allow")
    complaint_id: StrictStr = Field(min_length=1, max_length=64)
    party: StrictStr = Field(min_length=1, max_length=16)
    alleged_party: StrictStr = Field(min_length=1, max_length=16)
    t_submitted: StrictStr = Field(min_length=1, max_length=40)
    category: StrictStr = Field(min_length=1, max_length=64)


@router.post("/complaints", operation_id="complaint_submit", tags=["complaints"])
def complaint_submit(
    body: Annotated[ComplaintIn, Body()],
    access: Access = guard("complaint_submit"),
) -> dict[str, Any]:
    """Submit a complaint: it is validated as ingest validates a complaints file and appended
    to the log. A party may complain only in its own name."""
    from ceasewatch.evidence.log import EvidenceLog
    from ceasewatch.ingest.run import ingest_bytes

    if access.scope is Scope.OWN and body.party != access.principal.party:
        raise InputError(
            f"party {body.party!r}: a {access.principal.party} token may submit "
            f"complaints of {access.principal.party} only"
        )
    data = json.dumps(body.model_dump(), ensure_ascii=False).encode("utf-8") + b"\n"
    log = EvidenceLog(access.catalog.store, salts=os.urandom)
    result = ingest_bytes(log, data, "complaint.jsonl", kind="complaints", clock_ns=time.time_ns)
    if result.rejected:
        raise InputError(" ".join(r.describe("complaint") for r in result.rejected))
    return {
        "complaint_id": body.complaint_id,
        "counts": dict(result.counts),
        "receipt": result.receipt_index,
    }
