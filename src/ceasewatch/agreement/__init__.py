"""The ceasefire as checkable data: parties, areas, lines, zones, rules and the escalation ladder.

``load_agreement(path)`` reads a document (docs/agreement.md) and returns an
:class:`Agreement` or raises :class:`~ceasewatch.errors.AgreementError` listing every problem.
"""

from ceasewatch.agreement.parse import load_agreement, parse_agreement
from ceasewatch.agreement.types import Agreement

__all__ = ["Agreement", "load_agreement", "parse_agreement"]
