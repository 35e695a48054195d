"""Typed identifiers. Plain strings at run time; distinct types for the reader and for mypy."""

from __future__ import annotations

from typing import NewType

AgreementId = NewType("AgreementId", str)
PartyId = NewType("PartyId", str)
LineId = NewType("LineId", str)
ZoneId = NewType("ZoneId", str)
RuleId = NewType("RuleId", str)
SiteId = NewType("SiteId", str)
HubId = NewType("HubId", str)
SectorId = NewType("SectorId", str)
WeaponClass = NewType("WeaponClass", str)
RecipientId = NewType("RecipientId", str)
