"""Who may do what: one table (operation × role → scope), enforced in one place.

Every route of the service names its operation; :func:`scope_of` looks the caller's role up in
:data:`POLICY` and refuses what the table does not grant. A route whose operation has no row
fails the test suite (``tests/api/test_policy.py``), and a role missing from a row is refused:
the table is an allowlist. What each role then sees of a row is decided by
:mod:`ceasewatch.api.views`, also in one place.

Scopes:

- ``all`` — every row of the kind, in the role's view;
- ``own`` — rows that belong to the caller: a contributor's own sensors and their records, a
  party's own complaints;
- ``concerning`` — violations that concern the caller's party (responsibility ≥ 0.05, or named
  in one of its complaints);
- ``aggregate`` — counts only, coarsened to sector and day, cells under
  :data:`MIN_CELL_COUNT` withheld.
"""

from __future__ import annotations

from enum import StrEnum

from ceasewatch.api.tokens import Principal, Role


class Scope(StrEnum):
    ALL = "all"
    OWN = "own"
    CONCERNING = "concerning"
    AGGREGATE = "aggregate"


MIN_CELL_COUNT = 3  # public counts: a cell with fewer violations is withheld
CONCERN_THRESHOLD = 0.05  # a party with at least this responsibility is concerned

OP, AN, CO, PA, PU = Role.OPERATOR, Role.ANALYST, Role.CONTRIBUTOR, Role.PARTY, Role.PUBLIC
ALL, OWN, CON, AGG = Scope.ALL, Scope.OWN, Scope.CONCERNING, Scope.AGGREGATE

POLICY: dict[str, dict[Role, Scope]] = {
    # service and log: anyone can check the log grows honestly
    "health": {OP: ALL, AN: ALL, CO: ALL, PA: ALL, PU: ALL},
    "whoami": {OP: ALL, AN: ALL, CO: ALL, PA: ALL, PU: ALL},
    "metrics": {OP: ALL},  # request counts and times, for the operator's monitoring
    "checkpoint": {OP: ALL, AN: ALL, CO: ALL, PA: ALL, PU: ALL},
    "agreement": {OP: ALL, AN: ALL, CO: ALL, PA: ALL, PU: ALL},  # the map's layers
    "consistency_proof": {OP: ALL, AN: ALL, CO: ALL, PA: ALL, PU: ALL},
    # a log entry and its inclusion proof: only entries the caller may see
    "log_entry": {OP: ALL, AN: ALL, CO: OWN, PA: OWN},
    "inclusion_proof": {OP: ALL, AN: ALL, CO: OWN, PA: OWN},
    # findings
    "violations": {OP: ALL, AN: ALL, PA: CON},
    "violation": {OP: ALL, AN: ALL, PA: CON},
    "stream": {OP: ALL, AN: ALL, PA: CON},  # violations as they appear (Server-Sent Events)
    "incidents": {OP: ALL, AN: ALL},
    "incident": {OP: ALL, AN: ALL},
    "aggregates": {OP: AGG, AN: AGG, CO: AGG, PA: AGG, PU: AGG},
    "coverage": {OP: ALL, AN: ALL, CO: AGG, PA: AGG, PU: AGG},
    "report": {OP: ALL, AN: ALL, CO: AGG, PA: CON, PU: AGG},
    "export": {OP: ALL, AN: ALL, PA: CON, PU: AGG, CO: AGG},
    # raw data and the sensor registry
    "sensors": {OP: ALL, AN: ALL, CO: OWN},
    "records": {OP: ALL, AN: ALL, CO: OWN},
    # complaints and review
    "complaints": {OP: ALL, AN: ALL, PA: OWN},
    "complaint_submit": {OP: ALL, PA: OWN},
    "review": {AN: ALL},
    # ingest
    "ingest": {OP: ALL, CO: OWN},
}


class Denied(Exception):
    """The table grants this role nothing for this operation."""

    def __init__(self, operation: str, principal: Principal) -> None:
        who = principal.role.value
        super().__init__(f"a {who} token may not use {operation}")
        self.operation = operation


def scope_of(operation: str, principal: Principal) -> Scope:
    """The scope the table grants ``principal`` for ``operation``, or :class:`Denied`."""
    row = POLICY.get(operation)
    if row is None:  # a route without a row: refused, and the test suite fails
        raise Denied(operation, principal)
    scope = row.get(principal.role)
    if scope is None:
        raise Denied(operation, principal)
    return scope
