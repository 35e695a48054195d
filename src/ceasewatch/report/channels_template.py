# ruff: noqa: E501 — the template is text, kept one element a line
"""The HTML template of the real-world channels report (Jinja2, autoescaped). It uses the
daily report's CSS (:data:`ceasewatch.report.daily_template.CSS`), so both read alike on
paper and on screen."""

from __future__ import annotations

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Real-world channels — control maps, excess fire, news reports</title>
<style>{{ css | safe }}
figure.tall img { display: block; max-height: 125mm; margin: 0 auto; }
@media screen { figure.tall img { max-height: 640px; } }</style></head>
<body>
<div class="footer">Real-world channels · sources: {{ credits | join("; ") }}</div>
<h1>Real-world channels</h1>
<p class="meta">Three public sources the mechanism can read beside its own sensors: control maps {{ c.line.t_from }} → {{ c.line.t_to }}; satellite fire {{ c.fire.year }} against {{ c.fire.baseline }}; news reports of {{ c.reports.month }}.</p>
<p class="meta">Sources: {{ credits | join("; ") }}.</p>

<h2>1. Ground that changed hands (control maps)</h2>
{% set L = c.line %}
<p>Between the maps of <b>{{ L.t_from }}</b> and <b>{{ L.t_to }}</b>:
{% for party, km2 in L.gained_km2 %}<b>{{ party }}</b> gained <b>{{ "{:,.1f}".format(km2) }} km²</b>{{ "; " if not loop.last else "" }}{% endfor %}
(net {{ "{:+,.1f}".format(L.net_km2) }} km², over {{ L.changes | length }} areas of at least {{ "{:g}".format(L.min_area_km2) }} km²; residual {{ "{:+,.1f}".format(L.residual_km2) }} km² in slivers and smaller pieces).</p>
<figure class="tall"><img alt="Map of the areas that changed hands" src="{{ line_map_uri }}">
<figcaption>Areas that changed hands, coloured by the party that gained them, over the old and new line. Source: {{ credits[0] }}.</figcaption></figure>
<p class="detail"><b>Can show:</b> where ground changed hands between two month-end maps, by whom, how much and how deep — the evidence for the agreement's rule against crossing the line.
<b>Cannot show:</b> when within the month it happened, or advances of less than about 400 m, which look like the map-makers' redraw noise; the maps are one open-source team's judgment, so a change is evidence, not proof.</p>
<p class="detail">Source: {{ credits[0] }}.</p>
{% if L.changes %}<p class="detail">Every area of at least {{ "{:g}".format(L.min_area_km2) }} km² that changed hands, largest first; depth is how far it reaches beyond the old line.</p>
<div class="scroll"><table><thead><tr><th>change</th><th>gained by</th><th>km²</th><th>place</th><th>oblast</th><th>depth km</th></tr></thead>
{% for r in L.changes %}<tr><td class="ids">{{ r.change_id }}</td><td>{{ r.party_gained }}</td><td class="n">{{ "{:,.2f}".format(r.area_km2) }}</td><td>{{ r.place or "—" }}</td><td>{{ r.oblast or "—" }}</td><td class="n">{{ "{:.1f}".format(r.depth_km) }}</td></tr>{% endfor %}
</table></div>{% else %}<p>No area of at least {{ "{:g}".format(L.min_area_km2) }} km² changed hands.</p>{% endif %}

<h2>2. Excess fire (satellite thermal anomalies)</h2>
{% set F = c.fire %}
<p>Every 10 km cell-day of <b>{{ F.year }}</b> with fire, scored against the seasonal baseline of <b>{{ F.baseline }}</b>: <b>{{ "{:,}".format(F.excess) }}</b> of {{ "{:,}".format(F.cell_days) }} cell-days in excess (p ≥ {{ "{:g}".format(F.threshold) }}).</p>
<table><tr><th></th><th>cell-days with fire</th><th>in excess</th><th>share in excess</th><th>share of all excess</th></tr>
<tr><td>within {{ "{:g}".format(F.within_km) }} km of the {{ F.line_label }}</td><td class="n">{{ "{:,}".format(F.near_cell_days) }}</td><td class="n">{{ "{:,}".format(F.near_excess) }}</td><td class="n">{{ share(F.near_excess, F.near_cell_days) }}</td><td class="n">{{ share(F.near_excess, F.excess) }}</td></tr>
<tr><td>elsewhere</td><td class="n">{{ "{:,}".format(F.far_cell_days) }}</td><td class="n">{{ "{:,}".format(F.far_excess) }}</td><td class="n">{{ share(F.far_excess, F.far_cell_days) }}</td><td class="n">{{ share(F.far_excess, F.excess) }}</td></tr>
</table>
<figure><img alt="Map of cells with excess fire" src="{{ fire_map_uri }}">
<figcaption>Cells with at least one day of excess fire, sized by how many. Source: {{ credits[1] }}.</figcaption></figure>
<figure><img alt="Excess fire cells per day near the line and elsewhere" src="{{ fire_series_uri }}">
<figcaption>Cells in excess per day, near the line and elsewhere. Source: {{ credits[1] }}.</figcaption></figure>
<p class="detail"><b>Can show:</b> where and when the satellites saw more fire than the season and the place normally give — shelling sets fields, forests and buildings alight.
<b>Cannot show:</b> who caused a fire or what it was; changes in farm burning and in the satellite mix between the two years also read as excess (even the weeks before the invasion flag well above the nominal rate), {% if F.line_of_year %}and the front moved through the year while the line used here is that of one day.{% else %}and the line used here is today's, not the one of the scored year.{% endif %}
{% if F.days_raised %}The baseline was raised on {{ F.days_raised }} days, up to {{ "{:g}".format(F.factor_max) }}×, where land over 50 km from the front burned more than in {{ F.baseline }}.{% endif %}</p>
<p class="detail">Source: {{ credits[1] }}.</p>

<h2>3. Open-source news reports</h2>
{% set R = c.reports %}
<p>News-event reports of <b>{{ R.month }}</b>: <b>{{ "{:,}".format(R.raw) }}</b> raw reports became <b>{{ "{:,}".format(R.distinct) }}</b> distinct events once near-duplicates were collapsed ({{ "{:,}".format(R.rejected) }} rows rejected).</p>
<table style="width:auto"><tr><th>type</th><th>raw reports</th><th>distinct events</th></tr>
{% for kind, raw, distinct in R.by_type %}<tr><td>{{ kind }}</td><td class="n">{{ "{:,}".format(raw) }}</td><td class="n">{{ "{:,}".format(distinct) }}</td></tr>{% endfor %}
</table>
{% if R.incidents == 0 %}<p>Checked against the sensors: there are no sensor incidents for {{ R.month[:4] }} in this demo, so no event is corroborated or contradicted:
{% else %}<p>Checked against {{ "{:,}".format(R.incidents) }} sensor incidents:
{% endif %}{% for status, n in R.findings %}{{ status.replace("_", " ") }} {{ "{:,}".format(n) }}{{ ", " if not loop.last else "." }}{% endfor %}</p>
<p class="detail"><b>Can show:</b> what the press reported, in Ukrainian and Russian, as distinct events with a place and a time, ready to be checked against the sensors where they watched.
<b>Cannot show:</b> what nobody reported. Over a month, about nine in ten pairs of reports of one event stay apart (a strike and the reactions to it, a front summary and a village's report share few words; what is joined is one event about nine times in ten), so the distinct events are an upper bound on the real ones; reports dated by day only meet reports of the same day.</p>
<p class="detail">Source: {{ credits[2] }}.</p>

<footer class="end"><b>Sources.</b> {% for s in sources %}{{ s }} {% endfor %}<br>
Real-world channels; ceasewatch {{ version }}.</footer>
</body></html>
"""
