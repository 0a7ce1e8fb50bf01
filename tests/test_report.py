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
    assert not re.search(r"(?i)(https?:|//[a-z0-9.-]+\.[a-z]{2,}/|<script|<link|@import|url\()", text)
    assert text.count("<svg") >= 5  # counts, timeline and one per score
    assert "Transcript demo-chat" in text and "reflection_to_question" in text
    assert "I went through something similar" in text  # the utterances are listed


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
