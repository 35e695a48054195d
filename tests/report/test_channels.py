"""The real-world channels report: rendered from small made-up figures, every number it prints
traces back to them, and every source is credited in the HTML and in the PDF's text."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ceasewatch.report.channels import (
    CREDITS,
    ChangeRow,
    Channels,
    FireChannel,
    LineChannel,
    ReportsChannel,
    render_channels_html,
    write_channels,
)


def _png() -> bytes:
    figure = Figure(figsize=(2, 1), dpi=40)
    FigureCanvasAgg(figure)
    figure.subplots().plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _channels() -> Channels:
    png = _png()
    line = LineChannel(
        t_from="2025-12-01", t_to="2025-12-31",
        gained_km2=(("RU", 37.25), ("UA", 3.5)), net_km2=33.75, residual_km2=1.25,
        min_area_km2=1.0,
        changes=(
            ChangeRow("lc-aaaa", "RU", 30.0, "3 km SE of Pokrovsk", "Donetsk", 4.5),
            ChangeRow("lc-bbbb", "RU", 7.25, "", "Zaporizhia", 1.25),
            ChangeRow("lc-cccc", "UA", 3.5, "2 km N of Kupiansk", "Kharkiv", 0.75),
        ),
        map_png=png,
    )  # fmt: skip
    fire = FireChannel(
        baseline="2021", year="2022", threshold=0.99, within_km=10.0, line_label="line of ua-2026",
        near_cell_days=440, near_excess=100, far_cell_days=1600, far_excess=300,
        map_png=png, series_png=png,
    )  # fmt: skip
    reports = ReportsChannel(
        month="2025-08", raw=530, distinct=410, rejected=6,
        by_type=(("explosion/impact", 320, 250), ("unknown", 210, 160)),
        findings=(("no_coverage", 250), ("not_checkable", 160)), incidents=0,
    )  # fmt: skip
    return Channels(line, fire, reports)


def _words(page: str) -> str:
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    body = re.sub(r'src="data:[^"]*"', " ", body)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_every_figure_printed_comes_from_the_inputs() -> None:
    channels = _channels()
    text = _words(render_channels_html(channels))
    # The figures the inputs give, as the report writes them.
    expected = {
        "37.2", "3.5", "+33.8", "+1.2", "1", "30.00", "7.25", "3.50", "4.5", "1.2", "0.8",
        "3", "2",  # the places: "3 km SE of Pokrovsk", "2 km N of Kupiansk"
        "0.99", "10", "440", "100", "1,600", "300", "2,040", "400", "22.7%", "18.8%", "25.0%",
        "75.0%", "530", "410", "6", "320", "250", "210", "160",
        "2021", "2022", "2025",
    }  # fmt: skip
    # The report's own fixed words: "about 400 m", "four in ten", licences.
    fixed = {"400", "2.0", "1.0", "4.0"}
    # A number is a run of digits not glued to a word, an id, a date or a version.
    number = r"(?<![\w.\-/:])[+−-]?\d(?:[\d,]*\d)?(?:\.\d+)?%?(?![\w\-/:]|\.\d)"
    stray = {n for n in re.findall(number, text) if n not in expected | fixed}
    assert not stray, f"figures not from the inputs: {sorted(stray)}"
    for figure in ("RU</b> gained <b>37.2 km²", "UA</b> gained <b>3.5 km²"):
        assert figure in render_channels_html(channels)
    assert "530 raw reports became 410 distinct events" in " ".join(text.split())
    assert "no sensor incidents for 2025 in this demo" in text
    assert "no coverage 250" in text and "not checkable 160" in text
    for row in channels.line.changes:
        assert row.change_id in text
    assert "—" in text  # the change with no settlement near says so rather than inventing one


def test_every_source_is_credited_in_each_section_and_the_footer() -> None:
    text = " ".join(_words(render_channels_html(_channels())).split())
    assert CREDITS == (
        "DeepStateMap via cyterat/deepstate-map-data",
        "NASA FIRMS / LANCE",
        "VIINA 2.0 (Zhukov & Ayers), ODbL 1.0",
    )
    footer = text[text.index("Sources.") :]
    for credit in CREDITS:
        assert text.count(f"Source: {credit}") >= 1
        assert credit in footer
    assert "geoBoundaries" in footer and "GeoNames (CC BY 4.0)" in footer
    for limit in ("Cannot show:", "Can show:"):
        assert text.count(limit) == 3


def test_the_pdf_carries_the_three_credits(tmp_path: Path) -> None:
    html_path, pdf_path = write_channels(_channels(), tmp_path / "real-data")
    assert html_path.name == "channels.html" and pdf_path.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        run = ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"]
        text = subprocess.run(run, capture_output=True, check=True).stdout.decode("utf-8")
    else:
        pypdf = pytest.importorskip("pypdf")
        text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf_path).pages)
    flat = " ".join(text.split())
    for credit in CREDITS:
        assert credit in flat, credit
    assert "Real-world channels" in flat and "lc-aaaa" in flat
