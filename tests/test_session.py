"""Session features: the rest of the session's first-stage probabilities, whole or causal."""

import numpy as np
import pytest

from mi_coder.codes import COUNSELLOR_CODES
from mi_coder.coding._session import COLUMNS, session_columns


def toy():
    # transcript a: counsellor, client, counsellor; transcript b: counsellor
    sides = np.array(["counsellor", "client", "counsellor", "counsellor"], dtype=object)
    c = np.full((4, len(COUNSELLOR_CODES)), np.nan)
    k = np.full((4, 3), np.nan)
    c[0] = np.eye(len(COUNSELLOR_CODES))[0]          # an open question
    c[2] = np.eye(len(COUNSELLOR_CODES))[3]          # a complex reflection
    c[3] = np.eye(len(COUNSELLOR_CODES))[5]          # advice, alone in its transcript
    k[1] = [0.6, 0.1, 0.3]
    return {"counsellor": c, "client": k}, sides, ["a", "a", "a", "b"]


def test_whole_session_means_leave_the_utterance_itself_out():
    proba, sides, transcripts = toy()
    s = session_columns(proba, sides, transcripts, "whole")
    assert s.shape == (4, len(COLUMNS))
    mean = {name: s[:, COLUMNS.index(name)] for name in COLUMNS}
    assert mean["session_mean_complex_reflection"][0] == 1 and mean["session_mean_open_question"][0] == 0
    assert mean["session_mean_open_question"][2] == 1  # the other counsellor utterance, earlier
    assert mean["session_mean_change_talk"][0] == pytest.approx(0.6)
    assert mean["session_mean_advice"][:3].sum() == 0  # transcript b never leaks into a
    assert s[3, :11].sum() == 0 and mean["session_log_n_counsellor"][3] == 0


def test_causal_form_sees_only_earlier_utterances():
    proba, sides, transcripts = toy()
    s = session_columns(proba, sides, transcripts, "causal")
    col = COLUMNS.index
    assert s[0, col("session_mean_complex_reflection")] == 0  # the reflection comes later
    assert s[2, col("session_mean_open_question")] == 1
    assert s[2, col("previous_change_talk")] == pytest.approx(0.6)
    assert s[2, col("previous_open_question")] == 1 and s[0, col("previous_open_question")] == 0


def test_unknown_form_is_refused():
    proba, sides, transcripts = toy()
    with pytest.raises(ValueError, match="whole, causal"):
        session_columns(proba, sides, transcripts, "future")


@pytest.mark.slow
def test_a_session_stage_fits_and_codes_whole_transcripts(corpus_slice):
    from mi_coder import MICoder
    from mi_coder.training._corpora import estimator_input

    X, y = estimator_input(corpus_slice)
    coder = MICoder(session="whole", session_folds=2).fit(X, y, groups=corpus_slice["group"])
    assert set(coder.stages_) == {"counsellor"}
    proba = coder.side_proba(X)
    present = X["text"].str.strip().ne("").to_numpy()
    counsellor = (X["side"] == "counsellor").to_numpy() & present
    assert np.allclose(proba["counsellor"][counsellor].sum(axis=1), 1)
    # The second stage changes some counsellor codes relative to the first, and no client code.
    first_stage = MICoder(**{**coder.get_params(), "session": None}).fit(X, y)
    first = first_stage.side_proba(X)
    assert not np.allclose(first["counsellor"][counsellor], proba["counsellor"][counsellor])
    client = (X["side"] == "client").to_numpy() & present
    assert np.allclose(first["client"][client], proba["client"][client])
    # Live coding: each row as if its transcript ended there, which is what coding a prefix gives.
    one = X[X["transcript"] == X["transcript"].iloc[0]].reset_index(drop=True)
    live = coder.side_proba(one, live=True)["counsellor"]
    whole = coder.side_proba(one)["counsellor"]
    rows = np.flatnonzero((one["side"] == "counsellor").to_numpy() & one["text"].str.strip().ne("").to_numpy())
    for k in rows[:: max(1, len(rows) // 6)]:
        assert np.allclose(coder.side_proba(one.iloc[: k + 1])["counsellor"][k], live[k])
    assert not np.allclose(live[rows[:-1]], whole[rows[:-1]])  # later turns change earlier codes
    # With no session around it (code(text), a one-line transcript) an utterance keeps its first-stage code.
    lone = one.iloc[[rows[1]]].reset_index(drop=True)
    assert np.allclose(coder.side_proba(lone)["counsellor"], first_stage.side_proba(lone)["counsellor"])
    assert np.allclose(coder.side_proba(lone, live=True)["counsellor"], first_stage.side_proba(lone)["counsellor"])
