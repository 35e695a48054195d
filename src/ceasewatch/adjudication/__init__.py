"""Incidents × agreement → violations: which rule, did it occur, who is responsible, was it
deliberate; the answers to the parties' complaints; the coverage every count was made under; the
escalation state; the analysts' review. Deterministic: the same incidents, records and agreement
give byte-identical verdicts (docs/adjudication.md, docs/adr/0010-adjudication.md).
"""
