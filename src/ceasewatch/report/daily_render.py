"""A report edition → HTML (Jinja2, autoescaped, CSS and pictures inline) → PDF (WeasyPrint).

The PDF is made from the same HTML. WeasyPrint gets a URL fetcher that refuses everything but
``data:`` and ``file:`` URLs, so rendering never touches the network. Jinja2 and WeasyPrint are
imported inside the functions that need them.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from ceasewatch import __version__
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.time import format_ns
from ceasewatch.report.daily_figures import map_png, trend_png
from ceasewatch.report.daily_template import CSS, TEMPLATE
from ceasewatch.report.daily_text import checkpoint_line, edition_name
from ceasewatch.report.daily_types import Record
from ceasewatch.report.daily_words import category_words


def render_html(record: Record, agreement: Agreement) -> str:
    """The edition ``record`` as one self-contained HTML document."""
    from jinja2 import Environment

    env = Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string(TEMPLATE)
    return template.render(
        r=record,
        css=CSS,
        edition_name=edition_name(record.edition),
        start=_minute(record.start_ns),
        end=_minute(record.end_ns),
        cutoff=_minute(record.cutoff_ns),
        checkpoint=checkpoint_line(record.checkpoint),
        map_uri=_data_uri(map_png(record, agreement)),
        trend_uri=_data_uri(trend_png(record)),
        category_words=category_words,
        dict=dict,
        single_day=record.end_ns - record.start_ns <= 86_400 * 10**9,
        version=__version__,
    )


def render_pdf(html: str) -> bytes:
    """The HTML as a PDF (A4), fetching nothing from the network."""
    from weasyprint import HTML

    return bytes(HTML(string=html, url_fetcher=local_only_fetcher(), base_url=".").write_pdf())


def local_only_fetcher() -> Any:
    """WeasyPrint's fetcher allowed ``data:`` and ``file:`` URLs only; anything else refused."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data", "file"), timeout=1)


def write_edition(record: Record, agreement: Agreement, out: Path, slug: str) -> tuple[Path, Path]:
    """Write report-<number>-<slug>.html and .pdf into ``out``; return both paths."""
    html = render_html(record, agreement)
    pdf = render_pdf(html)
    stem = f"report-{record.number}-{slug}"
    try:
        out.mkdir(parents=True, exist_ok=True)
        html_path, pdf_path = out / f"{stem}.html", out / f"{stem}.pdf"
        html_path.write_text(html, encoding="utf-8")
        pdf_path.write_bytes(pdf)
    except OSError as exc:
        raise InputError(
            f"{out}: cannot write the report ({exc}); choose a writable folder"
        ) from exc
    return html_path, pdf_path


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _minute(t_ns: int) -> str:
    text = format_ns(t_ns, 0)
    return f"{text[:10]} {text[11:16]} UTC"
