"""The HTML report: self-contained (no URL), complete, and rendered by a headless browser."""

import re
import shutil
import subprocess

import pytest

from conftest import EXAMPLES, SHIPPED_MODEL
from mi_coder.cli import main

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    coded, html = tmp / "coded.csv", tmp / "report.html"
    assert main(["code", str(EXAMPLES / "peer_support_chat.csv"), "-o", str(coded), "--quiet"]) == 0
    assert main(["report", str(coded), "-o", str(html)]) == 0
    return html


def test_report_is_self_contained(report):
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"(?i)(https?:|//[a-z0-9.-]+\.[a-z]{2,}/|<script[^>]*src|<link|@import|url\()", text)
    assert text.count("<svg") >= 5  # counts, timeline and one per score
    assert "Transcript demo-chat" in text and "reflections : questions" in text
    assert "I went through something similar" in text  # the utterances are listed


def test_report_says_what_produced_it_and_links_rows(report):
    from mi_coder.pins import SHIPPED_SHA256

    text = report.read_text(encoding="utf-8")
    assert "coded.csv" in text and SHIPPED_SHA256[:16] in text and "Known accuracy" in text
    assert "href='#model'" in text and "id='model'" in text
    rows = re.findall(r"<tr id='r(\d+)'", text)
    assert rows[:3] == ["2", "3", "4"]  # the file's row numbers, header = 1
    links = re.findall(r"href='#r(\d+)'", text)
    assert links and set(links) <= set(rows)  # every timeline mark opens its utterance
    assert "review-only" in text  # the review-only view
    assert "too few utterances to tell" in text  # an 18-turn chat rests its scores on few utterances


def test_report_groups_sessions_by_counsellor(tmp_path):
    import pandas as pd

    coded = tmp_path / "coded.csv"
    assert main(["code", str(EXAMPLES / "counselling_session.csv"), "-o", str(coded), "--quiet"]) == 0
    one = pd.read_csv(coded, dtype=str)
    frame = pd.concat([one.assign(transcript_id=f"s{i}", coach=c, session_date=d) for i, (c, d) in
                       enumerate([("Alex", "2026-03-01"), ("Alex", "2026-01-01"), ("Bea", "2026-02-01")])])
    frame.to_csv(coded, index=False)
    html = tmp_path / "r.html"
    assert main(["report", str(coded), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "Counsellors over sessions" in text and "Alex: 2 session(s)" in text and "Bea: 1 session(s)" in text
    alex = text[text.index("Alex: 2 session(s)"):text.index("Bea: 1 session(s)")]
    assert alex.index("2026-01-01") < alex.index("2026-03-01")  # oldest first
    assert "all transcripts" in text and "sortBy" in text


def test_report_renders_in_headless_chromium(report, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed (.ci/run installs Debian's chromium)")
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1200,1600", report.as_uri()],
                   check=True, capture_output=True, timeout=120)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    from PIL import Image  # noqa: only when chromium exists; pillow comes with the dev extras

    image = Image.open(shot).convert("L")
    lo, hi = image.getextrema()
    assert hi - lo > 100  # not a blank page
