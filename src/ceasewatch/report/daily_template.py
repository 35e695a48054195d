# ruff: noqa: E501 — the template and CSS are text, kept one rule or element a line
"""The HTML template of a report edition (Jinja2, autoescaped) with its CSS inline: no external
asset, so the HTML opens offline and WeasyPrint fetches nothing. DejaVu Sans renders the
Ukrainian and Russian place names."""

from __future__ import annotations

CSS = """
@page { size: A4; margin: 16mm 14mm 22mm 14mm;
  @bottom-left { content: element(footer); }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font: 7.5pt "DejaVu Sans"; color: #444; width: 20mm; white-space: nowrap; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.35; color: #111; max-width: 190mm; margin: auto; }
h1 { font-size: 15pt; margin: 0 0 2pt 0; }
h2 { font-size: 11pt; margin: 12pt 0 4pt 0; border-bottom: 0.6pt solid #888; page-break-after: avoid; }
.meta { font-size: 8pt; color: #333; margin: 0; overflow-wrap: anywhere; }
.banner { font-size: 8pt; font-weight: bold; padding: 2pt 5pt; margin: 4pt 0; border: 0.8pt solid #111; display: inline-block; }
.banner.restricted { background: #fbe3d6; }
table { border-collapse: collapse; width: 100%; margin: 3pt 0; }
th, td { border-bottom: 0.4pt solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; font-size: 8pt; }
th { background: #eee; }
td.n { text-align: right; white-space: nowrap; }
.counts { display: flex; gap: 10pt; align-items: flex-start; }
.counts table { width: auto; }
ol.incidents li { margin-bottom: 5pt; page-break-inside: avoid; }
.sev { font-size: 7pt; font-weight: bold; text-transform: uppercase; }
.sev.critical { color: #a00; }
.detail { font-size: 7.5pt; color: #333; }
.ids { font-family: "DejaVu Sans Mono", monospace; font-size: 6.5pt; color: #555; overflow-wrap: anywhere; }
td.ids { white-space: nowrap; }
img { max-width: 100%; }
figure { margin: 4pt 0; page-break-inside: avoid; }
figcaption { font-size: 7.5pt; color: #333; }
.footer { position: running(footer); font-size: 6.5pt; color: #444; }
footer.end { font-size: 7.5pt; color: #333; border-top: 0.6pt solid #888; margin-top: 10pt; padding-top: 4pt; overflow-wrap: anywhere; }
/* Browsers only (WeasyPrint lays out for print): larger type, wide tables scroll in their box; the phone rules are nested because WeasyPrint warns on a width query. */
@media screen {
  body { font-size: 15px; line-height: 1.45; max-width: 860px; padding: 24px 20px 40px; }
  h1 { font-size: 24px; margin-bottom: 6px; }
  h2 { font-size: 18px; margin: 28px 0 8px 0; }
  .meta, .banner, .detail, figcaption, footer.end { font-size: 13px; }
  th, td { font-size: 13px; padding: 4px 6px; }
  .sev { font-size: 11px; }
  .ids { font-size: 12px; }
  .footer { display: none; }
  .scroll { overflow-x: auto; }
  .scroll + .scroll { margin-top: 12px; }
  .counts { flex-wrap: wrap; gap: 16px; }
  figure { margin: 16px 0; }
  @media (max-width: 600px) {
    body { padding: 12px 12px 32px; }
    h1 { font-size: 20px; }
    h2 { font-size: 16px; }
    th, td { padding: 3px 4px; }
    p { margin: 10px 0; }
    .scroll th, .scroll td { white-space: nowrap; }
    .scroll td.detail { white-space: normal; min-width: 15em; }
    table.sectors tr { display: flex; flex-wrap: wrap; border-bottom: 1px solid #bbb; }
    table.sectors tr:first-child { background: #eee; }
    table.sectors th, table.sectors td { flex: 0 0 5.8em; border-bottom: none; white-space: normal; background: none; }
    table.sectors :is(th, td):first-child { flex: 1 1 0; }
    table.sectors :is(th, td):last-child { flex: 1 0 100%; }
  }
}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Report {{ r.number }} — {{ r.title }}</title>
<style>{{ css | safe }}</style></head>
<body>
<div class="footer">Report {{ r.number }} · {{ edition_name }} · cut-off {{ cutoff }} · checkpoint {{ checkpoint }}</div>
<h1>{{ r.title }}</h1>
<p class="meta">Report <b>{{ r.number }}</b> · window {{ start }} to {{ end }} · cut-off <b>{{ cutoff }}</b></p>
<p class="meta">Agreement {{ r.agreement }} ({{ r.agreement_digest }}) · log checkpoint: {{ checkpoint }}</p>
<div class="banner {{ 'restricted' if r.edition != 'public' else '' }}">{{ edition_name }}</div>

<h2>1. Summary</h2>
{% for line in r.summary %}<p>{{ line }}</p>{% endfor %}
{% if r.after_cutoff %}<p>{{ r.after_cutoff }} violation{{ ' stated after the cut-off is' if r.after_cutoff == 1 else 's stated after the cut-off are' }} left to the next report.</p>{% endif %}

<figure><img alt="Map of the line, sectors and violations" src="{{ map_uri }}">
<figcaption>Map: line of contact, areas held, zones and sectors; sectors hatched where coverage was partial or absent.
{% if r.points %}Each dot is a violation, coloured by its most likely responsible party.{% else %}Numbers are violations per sector; no positions finer than the sector are shown in this edition.{% endif %}</figcaption></figure>

<h2>2. Violations by sector, with what could be observed there</h2>
<div class="scroll"><table class="sectors"><tr><th>sector</th><th>violations</th>{% for pid, _ in r.parties %}<th>most likely {{ pid }}</th>{% endfor %}<th>coverage</th></tr>
{% for s in r.sectors %}<tr><td>{{ s.name }}</td><td class="n">{{ "{:,}".format(s.violations) }}</td>
{% for pid, _ in r.parties %}<td class="n">{{ "{:,}".format(dict(s.by_party).get(pid, 0)) }}</td>{% endfor %}
<td>{{ s.statement }}</td></tr>{% endfor %}
</table></div>
<p class="detail">{{ r.coverage_window }}.</p>

<h2>3. Violations by type, responsible party and severity</h2>
<div class="counts">
<table><tr><th>type</th><th>n</th></tr>{% for c, n in r.by_category %}<tr><td>{{ category_words(c, n) }}</td><td class="n">{{ "{:,}".format(n) }}</td></tr>{% endfor %}</table>
<table><tr><th>most likely responsible</th><th>n</th></tr>{% for p, n in r.by_party %}<tr><td>{{ p }}</td><td class="n">{{ "{:,}".format(n) }}</td></tr>{% endfor %}</table>
<table><tr><th>severity</th><th>n</th></tr>{% for s, n in r.by_severity %}<tr><td>{{ s }}</td><td class="n">{{ "{:,}".format(n) }}</td></tr>{% endfor %}</table>
</div>
<figure><img alt="Violations per hour by party" src="{{ trend_uri }}">
<figcaption>Violations per {{ 'hour' if r.trend_bin_s < 86400 else 'day' }} by most likely responsible party.</figcaption></figure>

<h2>4. Notable incidents</h2>
<p class="detail">High and critical severity; one paragraph per matter (a cluster of linked violations), in time order.</p>
{% if r.incidents %}<ol class="incidents">{% for i in r.incidents %}
<li><span class="sev {{ i.severity }}">{{ i.severity }}</span> {{ i.text_place }}
<div class="detail">Escalation: {{ i.escalation }}.</div>
{% for reason in i.reasons %}<div class="detail">Evidence: {{ reason }}</div>{% endfor %}
{% if i.violation_ids %}<div class="ids">violations: {{ i.violation_ids | join(", ") }}</div>{% endif %}
{% if i.evidence_ids %}<div class="ids">records: {{ i.evidence_ids | join(", ") }}</div>{% endif %}
</li>{% endfor %}</ol>{% else %}<p>None.</p>{% endif %}
{% if r.incidents_left_out %}<p class="detail">{{ r.incidents_left_out }} further notable matters are counted above and listed in the violation data.</p>{% endif %}

<h2>5. Complaints received and their outcome</h2>
{% if r.complaints %}<div class="scroll"><table><tr><th>complaint</th><th>submitted</th><th>by</th><th>against</th><th>type</th><th>outcome</th><th>answer</th></tr>
{% for c in r.complaints %}<tr><td class="ids">{{ c.complaint_id }}</td><td>{{ c.t_submitted[11:16] if single_day else c.t_submitted[:16] }}</td><td>{{ c.party }}</td><td>{{ c.alleged_party }}</td><td>{{ c.category }}</td><td>{{ c.outcome }}{{ ' (late)' if c.late }}</td><td class="detail">{{ c.reason }}</td></tr>{% endfor %}</table></div>{% endif %}
{% if r.complaint_records %}<div class="scroll"><table><tr><th>party</th><th>scope</th><th>submitted</th><th>corroborated</th><th>contradicted</th><th>unverifiable</th><th>duplicate</th><th>late</th><th>accurate of decided</th></tr>
{% for p in r.complaint_records %}<tr><td>{{ p.party }}</td><td>{{ p.scope }}</td><td class="n">{{ p.submitted }}</td><td class="n">{{ p.corroborated }}</td><td class="n">{{ p.contradicted }}</td><td class="n">{{ p.unverifiable }}</td><td class="n">{{ p.duplicate }}</td><td class="n">{{ p.late }}</td><td class="n">{{ '—' if p.accurate_share is none else '{:.0%}'.format(p.accurate_share) }}</td></tr>{% endfor %}</table></div>
{% else %}<p>None received.</p>{% endif %}

<h2>6. Escalation</h2>
{% for line in r.escalation %}<p>{{ line }}</p>{% endfor %}

<h2>Confidence scale</h2>
<p class="detail">Probabilities are put in words by one scale, the same in every report:</p>
<ul class="detail">{% for line in r.scale %}<li>{{ line }}</li>{% endfor %}</ul>

<footer class="end"><b>Sources.</b> {% for s in r.sources %}{{ s }} {% endfor %}<br>
Report {{ r.number }}, {{ edition_name }}; cut-off {{ cutoff }}; made from log checkpoint {{ checkpoint }}; ceasewatch {{ version }}.</footer>
</body></html>
"""
