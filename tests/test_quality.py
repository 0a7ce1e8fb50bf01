"""The session-quality estimate: MITI evidence, a grouped-CV-checked logistic model, intervals."""

import numpy as np
import pandas as pd
import pytest

from mi_coder.codes import ALL_CODES, CLIENT_CODES, COUNSELLOR_CODES
from mi_coder.summary._quality import fit_quality, quality_columns, shares

CODES = list(COUNSELLOR_CODES + CLIENT_CODES)


def test_shares_are_per_side_and_zero_for_an_absent_side():
    counts = np.zeros((1, len(ALL_CODES)))
    counts[0, CODES.index("open_question")] = 1
    counts[0, CODES.index("complex_reflection")] = 3
    s = shares(counts)[0]
    assert s[CODES.index("complex_reflection")] == 0.75 and s[len(COUNSELLOR_CODES):].sum() == 0


def synthetic_sessions(n=60, seed=0):
    """Good sessions reflect more and advise less; the model must find that."""
    rng = np.random.default_rng(seed)
    good = np.arange(n) % 3 != 0
    rows = []
    for g in good:
        p = np.array([2, 3, 2, 4 if g else 1, 1, 1 if g else 4, 2, 2, 0 if g else 1], dtype=float)
        c = rng.multinomial(40, p / p.sum())
        k = rng.multinomial(30, [0.4, 0.2, 0.4] if g else [0.2, 0.4, 0.4])
        rows.append(np.concatenate([c, k]))
    return pd.DataFrame(rows, columns=CODES), good


def test_fit_quality_separates_sessions_and_reports_its_held_out_auc():
    counts, good = synthetic_sessions()
    model = fit_quality(counts, good, groups=np.arange(len(good)))
    assert model["evaluation"]["auc"] > 0.9 and model["evaluation"]["transcripts"] == 60
    out = quality_columns(counts, model)
    p = out["mi_quality_probability"]
    assert p[good].mean() > 0.7 > 0.3 > p[~good].mean()
    assert (out["mi_quality_probability_low"] <= p + 1e-9).all() and (p <= out["mi_quality_probability_high"] + 1e-9).all()


def test_short_sessions_get_wide_intervals_and_no_counsellor_gets_none():
    counts, good = synthetic_sessions()
    model = fit_quality(counts, good, groups=np.arange(len(good)))
    long = counts.iloc[[1]]
    short = (long // 5).rename(index=lambda i: "short")  # still above the minimum of counsellor utterances
    empty = pd.DataFrame([[0] * len(COUNSELLOR_CODES) + [3, 0, 1]], columns=CODES, index=["client only"])
    out = quality_columns(pd.concat([long, short, empty]), model)
    width = out["mi_quality_probability_high"] - out["mi_quality_probability_low"]
    assert width.iloc[1] > width.iloc[0]
    assert np.isnan(out["mi_quality_probability"].iloc[2])


def test_summarize_adds_the_quality_of_the_model_that_coded_the_table():
    from mi_coder.summary import summarize

    counts, good = synthetic_sessions()
    model = fit_quality(counts, good, groups=np.arange(len(good)))
    coded = pd.DataFrame({"transcript_id": "t", "mi_code": ["complex_reflection"] * 5 + ["open_question", "change_talk"]})
    coded.attrs["mi_confusion"] = None
    s = summarize(coded, confusion={"confusion": None, "quality": model}).iloc[0]
    assert 0 <= s["mi_quality_probability_low"] <= s["mi_quality_probability"] <= s["mi_quality_probability_high"] <= 1
    assert "mi_quality_probability" not in summarize(coded, confusion=None).columns


@pytest.mark.slow
def test_training_stores_a_quality_model_when_both_labels_are_there(corpus_slice):
    """The slice's AnnoMI transcripts: too few low-quality ones to learn from, so no quality model."""
    from mi_coder.training import fit_session_quality

    nothing = {"counsellor": np.full((len(corpus_slice), len(COUNSELLOR_CODES)), 1 / len(COUNSELLOR_CODES)), "client": np.full((len(corpus_slice), 3), 1 / 3)}
    labels = corpus_slice.groupby("group")["mi_quality"].first().dropna()
    result = fit_session_quality(corpus_slice, nothing)
    assert (result is None) == (min(labels.eq("high").sum(), labels.eq("low").sum()) < 5)


def synthetic_sequences(n=60, length=80, seed=1):
    """Coded sessions as sequences: good ones reflect and open-ask more, poor ones advise and close-ask."""
    rng = np.random.default_rng(seed)
    good = np.arange(n) % 3 != 0
    sequences = {}
    for i, g in enumerate(good):
        p = np.array([3, 2, 2, 4, 1, 1, 2, 2] if g else [1, 3, 2, 1, 1, 4, 2, 2], dtype=float)
        codes = []
        for turn in range(length):
            if turn % 2:
                codes.append(CODES[len(COUNSELLOR_CODES) + rng.choice(3, p=[0.4, 0.2, 0.4] if g else [0.2, 0.4, 0.4])])
            else:
                codes.append(CODES[rng.choice(8, p=p / p.sum())])
        sequences[f"s{i}"] = codes
    counts = pd.DataFrame([pd.Series(s).value_counts().reindex(CODES, fill_value=0) for s in sequences.values()],
                          index=list(sequences))
    return sequences, counts, good


def test_window_counts_cut_consecutive_windows():
    from mi_coder.summary._quality import window_counts

    out = window_counts({"a": ["open_question"] * 25 + ["change_talk"] * 20}, lengths=(10, 20))
    assert list(out["length"]) == [10, 10, 10, 10, 20, 20]
    assert out.iloc[2]["open_question"] == 5 and out.iloc[2]["change_talk"] == 5
    assert out[CODES].sum(axis=1).tolist() == [10, 10, 10, 10, 20, 20]


def test_length_calibration_pulls_short_chats_to_the_base_rate_and_withholds_the_shortest():
    from mi_coder.summary._quality import window_counts

    sequences, counts, good = synthetic_sequences()
    model = fit_quality(counts, good, groups=np.arange(len(good)), windows=window_counts(sequences))
    length = model["length"]
    assert length["base"] == pytest.approx(good.mean()) and length["k"] > 0 and length["min_counsellor"] >= 1
    # one session's mix at full length and cut to a few utterances: the short one is less sure
    strong = counts.iloc[[int(np.argmax(good))]]
    short = (strong * 5 // strong.to_numpy().sum() + (strong > 0)).rename(index=lambda i: "short")
    base = length["base"]
    out = quality_columns(pd.concat([strong, short]), model, prior=base)  # at the prior it learnt
    p = out["mi_quality_probability"]
    if not np.isnan(p.iloc[1]):
        assert abs(p.iloc[1] - base) < abs(p.iloc[0] - base)
    tiny = pd.DataFrame([[0] * 5 + [1] + [0] * (len(CODES) - 6)], columns=CODES, index=["one advice"])
    if length["min_counsellor"] > 1:
        row = quality_columns(tiny, model).iloc[0]
        assert np.isnan(row["mi_quality_probability"]) and row["mi_quality_reason"].startswith("too short to judge")


def test_a_stored_model_without_length_calibration_still_works():
    counts, good = synthetic_sessions()
    model = fit_quality(counts, good, groups=np.arange(len(good)))
    assert "length" not in model
    out = quality_columns(counts, model)
    assert out["mi_quality_probability"].notna().sum() >= 1 and "mi_quality_reason" in out


def test_the_estimate_is_at_even_odds_unless_a_prior_is_given():
    """Its prior was AnnoMI's share of good sessions (87%), which no caseload has: issue #31."""
    from mi_coder.errors import InputError
    from mi_coder.summary._quality import _logit

    counts, good = synthetic_sessions()
    model = fit_quality(counts, good, groups=np.arange(len(good)), windows=None)
    model["length"] = {"base": 0.8, "k": 5.0, "min_counsellor": 3}
    even = quality_columns(counts, model)
    learnt = quality_columns(counts, model, prior=0.8)
    assert set(even["mi_quality_prior"]) == {0.5} and set(learnt["mi_quality_prior"]) == {0.8}
    shift = _logit(learnt["mi_quality_probability"]) - _logit(even["mi_quality_probability"])
    readable = even["mi_quality_probability"].between(0.02, 0.98)  # 4 decimals hide the odds near 0 and 1
    assert np.allclose(shift[readable], _logit(0.8), atol=0.01)  # Bayes' rule on the odds, row by row
    assert (even["mi_quality_probability"] < learnt["mi_quality_probability"]).all()
    for bad in (0, 1, 1.5, "half"):
        with pytest.raises(InputError, match="between 0 and 1"):
            quality_columns(counts, model, prior=bad)


def test_every_session_with_ten_counsellor_utterances_gets_an_estimate():
    """A model whose windows asked for 20 once withheld it from most sessions from elsewhere."""
    counts, good = synthetic_sessions()
    model = fit_quality(counts, good, groups=np.arange(len(good)))
    model["length"] = {"base": 0.7, "k": 5.0, "min_counsellor": 20}
    row = counts.iloc[[1]] * 0
    row.iloc[0, :8] = [2, 2, 2, 2, 1, 1, 0, 0]  # 10 counsellor utterances
    assert quality_columns(row, model)["mi_quality_probability"].notna().all()
    row.iloc[0, 0] = 1  # 9
    out = quality_columns(row, model).iloc[0]
    assert np.isnan(out["mi_quality_probability"]) and "needs 10" in out["mi_quality_reason"]


def test_summarize_and_report_take_the_prior_and_say_which(tmp_path, capsys):
    from mi_coder.cli import main

    from conftest import EXAMPLES, SHIPPED_MODEL
    if not SHIPPED_MODEL.is_file():
        pytest.skip("no shipped model")
    coded, out = tmp_path / "coded.csv", tmp_path / "s.csv"
    assert main(["code", str(EXAMPLES / "counselling_session.csv"), "-o", str(coded), "--quiet", "--tier", "fast"]) == 0
    assert main(["summarize", str(coded), "-o", str(out), "--quality-prior", "0.3"]) == 0
    assert pd.read_csv(out)["mi_quality_prior"].tolist() == [0.3]
    assert main(["summarize", str(coded)]) == 0 and "at even odds" in capsys.readouterr().out
    assert main(["summarize", str(coded), "--quality-prior", "2"]) == 2
    assert "--quality-prior" in capsys.readouterr().err
    assert main(["report", str(coded), "-o", str(tmp_path / "r.html"), "--quality-prior", "0.3"]) == 0
    assert "assuming 30% of sessions are good" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_the_evidence_is_miti_scores_and_a_stored_model_of_code_shares_still_reads():
    """#31: the estimate read AnnoMI's exact code mix; it now reads MITI scores that carry across registers."""
    from mi_coder.summary._quality import EVIDENCE, SHARES, evidence

    counts = np.zeros((1, len(ALL_CODES)))
    for code, n in (("open_question", 1), ("closed_question", 1), ("complex_reflection", 3), ("advice", 5)):
        counts[0, CODES.index(code)] = n
    row = dict(zip(EVIDENCE, evidence(counts)[0]))
    assert row["log_reflection_to_question"] == pytest.approx(np.log(3.5 / 2.5))
    assert row["advice_rate"] == 0.5 and row["pct_change_talk"] == 0.5  # no client talk: even, not infinite
    assert evidence(counts, SHARES[:2])[0].tolist() == [0.1, 0.1]  # the share features of older models
    sessions, good = synthetic_sessions()
    model = fit_quality(sessions, good, groups=np.arange(len(good)))
    assert model["features"] == list(EVIDENCE)
    named = quality_columns(sessions, model)["mi_quality_evidence"]
    assert named.str.match(r"^[+-][a-z_]+(; [+-][a-z_]+)?$").all()


def test_change_talk_reflected_is_evidence_where_the_counts_have_it():
    from mi_coder.summary._quality import EVIDENCE, REFLECTED, SEQUENCE_EVIDENCE, evidence, window_counts

    counts, good = synthetic_sessions()
    # good sessions answer more of their change talk with a reflection
    counts[REFLECTED] = np.where(good, counts["change_talk"] * 3 // 4, counts["change_talk"] // 4)
    assert fit_quality(counts, good, groups=np.arange(len(good)))["features"] == list(EVIDENCE)  # not by default
    model = fit_quality(counts, good, groups=np.arange(len(good)), names=EVIDENCE + SEQUENCE_EVIDENCE)
    assert model["features"][-1] == "pct_change_talk_reflected" and model["coef"][-1] > 0
    out = quality_columns(counts, model)
    p = out["mi_quality_probability"]
    assert ((out["mi_quality_probability_low"] <= p + 1e-9) & (p <= out["mi_quality_probability_high"] + 1e-9)).all()
    # a table without the count fits without that evidence, and a model that reads it refuses such a table
    plain = fit_quality(counts[CODES], good, groups=np.arange(len(good)), names=EVIDENCE + SEQUENCE_EVIDENCE)
    assert "pct_change_talk_reflected" not in plain["features"]
    with pytest.raises(ValueError, match=REFLECTED):
        evidence(counts[CODES].to_numpy(), model["features"])
    windows = window_counts({"a": ["change_talk", "simple_reflection", "change_talk", "complex_reflection",
                                   "open_question", "change_talk"]}, lengths=(3, 6))
    assert windows[REFLECTED].tolist() == [1, 0, 2]  # read inside each window only
