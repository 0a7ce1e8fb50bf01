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
    from mi_coder.coding._pins import ACCURATE_ENCODER_SHA256, SHIPPED_SHA256
    from mi_coder.coding._tiers import tier_id

    text = report.read_text(encoding="utf-8")  # coded by the default tier, the accurate one
    assert "coded.csv" in text and tier_id(SHIPPED_SHA256, ACCURATE_ENCODER_SHA256)[:16] in text
    assert "Known accuracy" in text and "the accurate tier: a fine-tuned transformer" in text
    assert "href='#model'" in text and "id='model'" in text
    rows = re.findall(r"<tr id='r(\d+)'", text)
    assert rows[:3] == ["2", "3", "4"]  # the file's row numbers, header = 1
    links = re.findall(r"href='#r(\d+)'", text)
    assert links and set(links) <= set(rows)  # every timeline mark opens its utterance
    assert "review-only" in text  # the review-only view
    assert "too few to tell" in text  # an 18-turn chat rests its scores on few utterances


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


def _hand_coded(path, middle: float = 0.35):
    """Three chats of one coach, coded by hand: a normal one resting its % open questions on one question,
    one with no questions, and one with no client turns. Confidences cycle through 0.2, `middle`, 0.9."""
    import pandas as pd

    rows = []
    normal = [("counsellor", "open_question"), ("client", "change_talk"), ("counsellor", "simple_reflection"),
              ("client", "change_talk"), ("counsellor", "complex_reflection"), ("client", "sustain_talk"),
              ("counsellor", "complex_reflection"), ("client", "change_talk"), ("counsellor", "simple_reflection"),
              ("client", "change_talk"), ("counsellor", "complex_reflection"), ("client", "neutral")]
    no_questions = [("counsellor", "advice"), ("client", "neutral"), ("counsellor", "affirmation"),
                    ("client", "neutral"), ("counsellor", "advice")]
    no_client = [("counsellor", "advice"), ("counsellor", "information"), ("counsellor", "affirmation")]
    tiny = [("client", "neutral"), ("counsellor", "advice")]
    confidence = {0: 0.2, 1: middle, 2: 0.9}
    for chat, date, turns in (("normal", "2026-01-01", normal), ("no-questions", "2026-02-01", no_questions),
                              ("no-client", "2026-03-01", no_client), ("tiny", "2026-04-01", tiny)):
        rows += [{"conversation_id": chat, "coach": "Alex", "session_date": date, "speaker": side,
                  "text": f"utterance {i}", "mi_code": code, "mi_confidence": confidence[i % 3], "mi_side": side}
                 for i, (side, code) in enumerate(turns)]
    pd.DataFrame(rows).to_csv(path, index=False)


def _cells(text, transcript):
    """The index cells of one transcript's row."""
    row = re.search(rf"<tr class='row'><td data-v='{transcript}'>.*?</tr>", text).group(0)
    return re.findall(r"<td[^>]*>.*?</td>", row)


def test_report_shows_empty_and_too_few_scores_as_such(tmp_path, capsys):
    coded, html = tmp_path / "coded.csv", tmp_path / "r.html"
    _hand_coded(coded)
    assert main(["report", str(coded), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    # index columns: transcript, counsellor, session, utterances, R:Q, %CR, %OQ, %CT, P(good)
    no_q = _cells(text, "no-questions")
    assert "no questions asked" in no_q[4] and "data-v=''" in no_q[4]  # empty: sorts last
    assert "no change or sustain talk" in _cells(text, "no-client")[7]
    open_q = _cells(text, "normal")[6]  # 100% open questions, resting on one question
    assert "too few (n = 1)" in open_q and "class='good'" not in open_q
    detail = text[text.index("Transcript normal"):text.index("Transcript no-questions")]
    row = re.search(r"<tr><td>% open questions</td>.*?</tr>", detail, re.S).group(0)
    assert "too few to tell (n = 1)" in row and "likely" not in row and "class='good'" not in row
    assert "no questions asked" in text[text.index("Transcript no-questions"):text.index("Transcript no-client")]
    reflected = re.search(r"<tr><td>% change talk reflected</td>.*?</tr>", detail, re.S).group(0)
    assert "100%" in reflected and "4 of 4 change-talk utterances answered with a reflection" in reflected
    assert "no change talk" in text[text.index("Transcript no-client"):]
    people = text[text.index("Counsellors over sessions"):text.index("Transcript normal")]
    assert "fill='white'" in people and "missing point is an empty score" in people  # too few: hollow

    assert main(["summarize", str(coded)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"% open questions\s+100%\s+too few to tell \(n = 1\)\s*\n", out)  # no band beside it
    assert re.search(r"reflections : questions\s+–\s+no questions asked", out)
    assert re.search(r"% change talk reflected\s+100%\s+too few to tell \(n = 4\)\s*\n", out)
    assert re.search(r"P\(good MI session\)\s+–\s+too short to judge \(1 counsellor utterances; needs \d+\)", out)


def test_a_chat_too_short_for_the_quality_estimate_says_so_everywhere(tmp_path):
    import pandas as pd

    coded, html, summary = tmp_path / "coded.csv", tmp_path / "r.html", tmp_path / "s.csv"
    _hand_coded(coded)
    assert main(["report", str(coded), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "too short to judge" in _cells(text, "tiny")[8] and "data-v=''" in _cells(text, "tiny")[8]
    assert "too short to judge" in text[text.index("Transcript tiny"):]
    # The 12-turn session (6 counsellor utterances) gets an estimate only if the shipped model's evidence
    # reaches that short (its `min_counsellor`, fitted at training from held-out windows).
    enough = 6 >= _shipped_info()["quality"].get("length", {}).get("min_counsellor", 3)
    assert ("%" in _cells(text, "normal")[8]) == enough
    assert main(["summarize", str(coded), "-o", str(summary)]) == 0
    table = pd.read_csv(summary, keep_default_na=False).set_index("conversation_id")
    assert table.loc["tiny", "mi_quality_probability"] == "" and table.loc["tiny", "mi_quality_reason"].startswith(
        "too short to judge")
    if enough:
        assert table.loc["normal", "mi_quality_reason"] == "" and float(table.loc["normal", "mi_quality_probability"]) > 0
    else:
        assert table.loc["normal", "mi_quality_reason"].startswith("too short to judge")


def _shipped_info() -> dict:
    """The default tier's manifest info (what a report of a file it coded, or of a hand-coded file, reads)."""
    import json

    from mi_coder.coding._tiers import default_manifest_path

    return json.loads(default_manifest_path().read_text())["info"]


def test_the_review_marks_follow_the_stated_thresholds(tmp_path):
    from mi_coder.report._html import REVIEW_FALLBACK

    thresholds = _shipped_info().get("review", REVIEW_FALLBACK)

    coded, html = tmp_path / "coded.csv", tmp_path / "r.html"
    low, high = sorted(thresholds[side]["threshold"] for side in ("counsellor", "client"))
    assert high - low >= 0.005, "the sides' thresholds are too close to tell them apart here"
    middle = round((low + high) / 2, 3)  # below one side's threshold, above the other's
    _hand_coded(coded, middle)
    assert main(["report", str(coded), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    marked = int(re.search(r"(\d+) marked for review", text).group(1))
    rows = re.findall(r"<tr id='r\d+' class='utt( review)?'.*?<td class='code'>(\w+)</td><td class='num'>([\d.]+)", text)
    expected = sum((float(c) < thresholds["counsellor" if code in ("advice", "information", "affirmation",
                    "open_question", "simple_reflection", "complex_reflection") else "client"]["threshold"])
                   for _, code, c in rows)
    assert marked == expected == sum(bool(r) for r, _, _ in rows) and 0 < marked < len(rows)
    at_middle = {code: bool(r) for r, code, c in rows if c == f"{middle:.2f}"}
    assert at_middle["complex_reflection"] != at_middle["change_talk"]  # each side by its own threshold
    assert f"counsellor codes with confidence below {thresholds['counsellor']['threshold']:.2f}" in text
    assert "probably wrong" in text and "over AnnoMI's 4 coarse classes (question, reflection" in text


def test_report_of_a_list_of_chatbot_replies(tmp_path):
    replies, coded, html = tmp_path / "replies.csv", tmp_path / "coded.csv", tmp_path / "r.html"
    replies.write_text("text\nYou should exercise more.\nTry drinking more water.\nIt is okay to feel sad.\n")
    assert main(["code", str(replies), "-o", str(coded), "--quiet"]) == 0
    assert main(["report", str(coded), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "no change or sustain talk" in text and "3 utterances" in text


def test_report_of_annomi_transcripts_coded_by_the_shipped_model(tmp_path, data_dir):
    import pandas as pd

    annomi = pd.read_csv(data_dir / "annomi" / "AnnoMI-full.csv")
    annomi = annomi[annomi["annotator_id"] == annomi["annotator_id"].iloc[0]]
    sizes = annomi.groupby("transcript_id").size().sort_values()
    keep = list(sizes.index[:6]) + list(sizes.index[-1:])  # the shortest transcripts and the longest
    sample, coded, html = tmp_path / "annomi.csv", tmp_path / "coded.csv", tmp_path / "r.html"
    annomi[annomi["transcript_id"].isin(keep)][["transcript_id", "interlocutor", "utterance_text"]].to_csv(
        sample, index=False)
    assert main(["code", str(sample), "-o", str(coded), "--quiet"]) == 0
    assert main(["report", str(coded), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert text.count("<tr class='row'>") == len(keep)
    summary = pd.read_csv(coded)
    assert summary["transcript_id"].nunique() == len(keep)


@pytest.fixture
def coded_many(tmp_path):
    """A coded file of n short hand-coded transcripts."""
    import pandas as pd

    def make(n):
        turns = [("counsellor", "open_question"), ("client", "change_talk"), ("counsellor", "complex_reflection")]
        rows = [{"conversation_id": f"s{t}", "speaker": side, "text": f"utterance {i}", "mi_code": code,
                 "mi_confidence": 0.9, "mi_side": side} for t in range(n) for i, (side, code) in enumerate(turns)]
        path = tmp_path / "coded.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        return path
    return make


def test_a_report_over_many_transcripts_is_an_index_and_a_page_each(tmp_path, coded_many):
    """#29 item 6: a report of 1,667 sessions was one 101 MB page no browser opened; above 50 transcripts
    each is a page of its own, linked from the index, written whole or not at all."""
    from mi_coder.cli import main
    from mi_coder.report._html import ONE_FILE_LIMIT

    src, out = coded_many(ONE_FILE_LIMIT + 1), tmp_path / "team.html"
    assert main(["report", str(src), "-o", str(out), "--quiet"]) == 0
    pages = sorted((tmp_path / "team_transcripts").iterdir())
    assert len(pages) == ONE_FILE_LIMIT + 1
    index = out.read_text(encoding="utf-8")
    assert index.count("href='team_transcripts/t") >= ONE_FILE_LIMIT + 1 and "<h3>Utterances</h3>" not in index
    page = pages[0].read_text(encoding="utf-8")
    assert "href='../team.html'" in page and "<h3>Utterances</h3>" in page
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # nothing left behind
    assert main(["report", str(src), "-o", str(tmp_path / "one.html"), "--one-file", "--quiet"]) == 0
    assert (tmp_path / "one.html").read_text(encoding="utf-8").count("<h3>Utterances</h3>") == ONE_FILE_LIMIT + 1
    assert not (tmp_path / "one_transcripts").exists()
