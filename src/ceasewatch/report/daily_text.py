"""A report edition as plain text: the same sections as the HTML and PDF, in the same order.

It is what the golden-file tests compare, and a readable form for e-mail and terminals.
"""

from __future__ import annotations

from ceasewatch.model.time import format_ns
from ceasewatch.report.daily_types import Record
from ceasewatch.report.daily_words import category_words, plural


def report_text(record: Record) -> str:
    out: list[str] = []
    add = out.append
    add(f"{record.title}")
    add(f"Report {record.number} — {edition_name(record.edition)}")
    add(f"Window: {format_ns(record.start_ns, 0)} to {format_ns(record.end_ns, 0)}; "
        f"cut-off {format_ns(record.cutoff_ns, 0)}")  # fmt: skip
    add(f"Agreement: {record.agreement} ({record.agreement_digest})")
    add(f"Log checkpoint: {checkpoint_line(record.checkpoint)}")
    add("")
    add("1. Summary")
    out.extend(f"  {line}" for line in record.summary)
    if record.after_cutoff:
        verb = "is" if record.after_cutoff == 1 else "are"
        add(f"  {plural(record.after_cutoff, 'violation')} stated after the cut-off {verb} left "
            "to the next report.")  # fmt: skip
    add("")
    add("2. Violations by sector, with what could be observed there")
    for s in record.sectors:
        parties = ", ".join(f"{p} {n:,}" for p, n in s.by_party) or "none"
        add(f"  {s.name}: {s.violations:,} ({parties}). {s.statement}")
    add(f"  ({record.coverage_window})")
    add("")
    add("3. Violations by type, by most likely responsible party and by severity")
    out.extend(f"  {category_words(c, n)}: {n:,}" for c, n in record.by_category)
    out.extend(f"  most likely {party}: {n:,}" for party, n in record.by_party)
    out.extend(f"  {severity}: {n:,}" for severity, n in record.by_severity)
    add("")
    add("4. Notable incidents (high and critical severity, one paragraph per matter)")
    if not record.incidents:
        add("  None.")
    for number, i in enumerate(record.incidents, 1):
        add(f"  4.{number} [{i.severity}] {i.text_place}")
        add(f"       Escalation: {i.escalation}.")
        out.extend(f"       Evidence: {reason}" for reason in i.reasons)
        if i.violation_ids:
            add(f"       Violations: {', '.join(i.violation_ids)}")
        if i.evidence_ids:
            add(f"       Records: {', '.join(i.evidence_ids)}")
    if record.incidents_left_out:  # the least severe, not always the smallest: no "fewer"
        verb = "is" if record.incidents_left_out == 1 else "are"
        add(f"  {plural(record.incidents_left_out, 'further notable matter')} {verb} counted "
            "above and listed in the violation data.")  # fmt: skip
    add("")
    add("5. Complaints received and their outcome")
    for c in record.complaints:
        late = " (answered late)" if c.late else ""
        add(f"  {c.complaint_id} {c.t_submitted} {c.party} against {c.alleged_party}, "
            f"{c.category}: {c.outcome}{late}. {c.reason}")  # fmt: skip
    for r in record.complaint_records:
        share = "—" if r.accurate_share is None else f"{r.accurate_share:.0%}"
        add(f"  {r.party} {r.scope}: {r.submitted:,} submitted, {r.corroborated:,} corroborated, "
            f"{r.contradicted:,} contradicted, {r.unverifiable:,} unverifiable, "
            f"{r.duplicate:,} duplicate, {r.late:,} late; accurate {share} of decided")  # fmt: skip
    if not record.complaint_records:
        add("  None.")
    add("")
    add("6. Escalation")
    out.extend(f"  {line}" for line in record.escalation)
    add("")
    add("Confidence scale")
    out.extend(f"  {line}" for line in record.scale)
    add("")
    add("Sources")
    out.extend(f"  {line}" for line in record.sources)
    return "\n".join(out) + "\n"


def edition_name(edition: str) -> str:
    if edition == "public":
        return "public edition (aggregates by sector)"
    if edition.startswith("party:"):
        return f"edition for party {edition.removeprefix('party:')} (restricted)"
    return "full edition of the coordination cell (restricted)"


def checkpoint_line(checkpoint: str | None) -> str:
    """The checkpoint's body (origin, size, root) on one line, or why there is none."""
    if not checkpoint:
        return "none given (the report was made from files, not from the evidence log)"
    body = checkpoint.strip().split("\n\n")[0].splitlines()
    return " / ".join(body[:3])
