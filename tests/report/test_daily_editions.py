"""Editions from one record: what each removes, and that the public HTML and PDF carry no
sensor id, no evidence id and no position finer than the sector."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import fields
from pathlib import Path

import pytest

from ceasewatch.agreement.catalog import resolve
from ceasewatch.errors import InputError
from ceasewatch.report.daily_types import Record
from ceasewatch.report.editions import edition

from .daily_scenario import EVIDENCE_ID, FINE_LON, SENSOR_ID, scenario_record

FINE = re.compile(r"\d+\.\d{4,}")  # a coordinate to 4+ decimals


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Record:
    return scenario_record(tmp_path_factory.mktemp("adjudication"))


def test_public_removes_places_ids_and_points(record: Record) -> None:
    public = edition(record, "public")
    assert public.edition == "public" and public.points == () and public.complaints == ()
    for i in public.incidents:
        assert i.positions == () and i.evidence_ids == () and i.violation_ids == ()
        assert i.reasons == () and i.key == "" and "Horlivka" not in i.text_place
    assert public.sectors == record.sectors and public.by_party == record.by_party


def test_party_edition_keeps_what_concerns_it(record: Record) -> None:
    ru = edition(record, "party:RU")
    assert {c.party for c in ru.complaints} == {"RU"}
    assert all("RU" in i.concerns and i.evidence_ids == () for i in ru.incidents)
    assert all("RU" in p.concerns for p in ru.points)
    assert len(ru.points) == 4  # RU holds at least 0.05 of every one
    ua = edition(record, "party:UA")
    assert len(ua.points) == 3  # the 03:40 round puts only 0.03 on UA
    assert {c.party for c in ua.complaints} == {"UA"}
    with pytest.raises(InputError, match="party:UA"):
        edition(record, "party:XX")
    with pytest.raises(InputError, match="public"):
        edition(record, "secret")
    with pytest.raises(InputError, match="full record"):
        edition(ru, "public")


def test_full_is_the_record(record: Record) -> None:
    assert edition(record, "full") is record
    assert {f.name for f in fields(Record)} >= {"checkpoint", "cutoff_ns", "number"}


@pytest.fixture(scope="module")
def rendered(record: Record, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("weasyprint")
    pytest.importorskip("jinja2")
    from ceasewatch.report.daily_render import write_edition

    out = tmp_path_factory.mktemp("reports")
    agreement = resolve("ua-2026")
    paths = {}
    for name in ("public", "full"):
        html, pdf = write_edition(edition(record, name), agreement, out, name)
        paths[name + ".html"], paths[name + ".pdf"] = html, pdf
    return paths


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        ).stdout.decode("utf-8")
    pypdf = pytest.importorskip("pypdf")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def _visible_html(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return re.sub(r'src="data:[^"]*"', 'src=""', text)  # the PNGs' base64 is not text


def test_public_html_and_pdf_leak_nothing(rendered: dict[str, Path]) -> None:
    for text in (_visible_html(rendered["public.html"]), _pdf_text(rendered["public.pdf"])):
        assert SENSOR_ID not in text
        assert EVIDENCE_ID not in text and "ev-5e1f" not in text
        assert FINE_LON not in text and not FINE.search(text)
        assert "vi-0000" not in text and "km SE of Horlivka" not in text
        assert "Report 2026-049" in text and "public edition" in text
        assert "q2s8fKcLs4TBHH3ZyqFDNDc0j1oyXK+cjC/NpdFOS1I=" in text.replace("\n", "")


def test_full_pdf_has_cyrillic_place_and_ids(rendered: dict[str, Path]) -> None:
    text = _pdf_text(rendered["full.pdf"])
    assert "Горлівка" in text
    assert "vi-0000000000000001" in text
    assert rendered["full.pdf"].read_bytes().startswith(b"%PDF")


def test_html_is_self_contained(rendered: dict[str, Path]) -> None:
    html = rendered["full.html"].read_text(encoding="utf-8")
    assert "<style>" in html and "&#34;" not in html.split("</style>")[0]
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert html.count('src="data:image/png;base64,') == 2


def test_fetcher_refuses_the_network() -> None:
    pytest.importorskip("weasyprint")
    from ceasewatch.report.daily_render import render_pdf

    html = '<html><body><img src="http://127.0.0.1:9/x.png"><p>ok</p></body></html>'
    assert render_pdf(html).startswith(b"%PDF")  # the image is refused, the PDF still made
