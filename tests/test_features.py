"""Context features: the other side's last turn and the overlap a reflection shows."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mi_coder.coding._features import CONTEXT_NUMBERS, DENSE_COLUMNS, OTHER_CUES, SAME_CUES, LinearFeaturizer, context_table
from mi_coder.coding._preprocess import analyse


def test_counsellor_row_sees_clients_last_turn():
    table = context_table(
        ["How are you?", "I keep drinking too much at night.", "You're drinking too much at night."],
        ["counsellor", "client", "counsellor"], ["a", "a", "a"])
    assert table.loc[2, "other_text"] == "i keep drinking too much at night ."
    assert table.loc[0, "other_text"] == ""
    assert table.loc[2, "overlap_own"] > 0.5  # a reflection echoes the client's words
    assert table.loc[2, "has_other"] == 1 and table.loc[0, "has_other"] == 0


def test_context_does_not_cross_conversations():
    table = context_table(["I drink a lot.", "You drink a lot."], ["client", "counsellor"], ["a", "b"])
    assert table.loc[1, "other_text"] == ""
    assert table.loc[1, "overlap_own"] == 0


def test_consecutive_turns_of_the_other_side_are_joined():
    table = context_table(["I smoke.", "I drink.", "You smoke and drink."],
                          ["client", "client", "counsellor"], [1, 1, 1])
    assert table.loc[2, "other_text"] == "i smoke . i drink ."
    assert table.loc[1, "consecutive"] == 1


def test_feature_union_fits_and_transforms():
    texts = ["What brings you here?", "My drinking.", "You're worried about drinking.", "Yes."] * 3
    sides = ["counsellor", "client"] * 6
    table = context_table(texts, sides, [0] * 12)
    X = LinearFeaturizer(word_min_df=1).make("counsellor").fit_transform(table)
    assert X.shape[0] == 12
    assert X.shape[1] > len(DENSE_COLUMNS)
    assert np.isfinite(X.toarray()).all()
    # The client side reads character n-grams too, and only its own cue counts.
    client = LinearFeaturizer(word_min_df=1).make("client")
    assert "chars" in [name for name, _, _ in client.transformers]
    assert len(client.transformers[-1][2]) < len(DENSE_COLUMNS)


def reference_context(texts, sides, conversations):
    """The context columns by a plain loop over the rows: the definition the table follows."""
    tokens, cues, content = analyse(texts)
    stems = [frozenset(content[i].indices) for i in range(len(texts))]
    rows = []
    last_run = {"counsellor": [], "client": []}
    previous_conv, previous_side, turn = object(), None, 0
    for i, side in enumerate(sides):
        if conversations[i] != previous_conv:
            last_run = {"counsellor": [], "client": []}
            previous_conv, previous_side, turn = conversations[i], None, 0
        run = last_run["client" if side == "counsellor" else "counsellor"]
        row = {"other_text": " ".join(tokens[j] for j in run[-3:]), "has_other": float(bool(run)),
               "consecutive": float(previous_side == side), "turn_log": np.log1p(turn)}
        other_words = frozenset().union(*(stems[j] for j in run))
        shared = len(stems[i] & other_words)
        row["overlap_own"] = shared / len(stems[i]) if stems[i] and run else 0.0
        row["overlap_other"] = shared / len(other_words) if other_words else 0.0
        row["overlap_count"] = np.log1p(shared)
        row["other_tokens_log"] = np.log1p(sum(len(tokens[j].split()) for j in run[-3:])) if run else 0.0
        row["other_cues"] = cues[run].sum(axis=0) if run else np.zeros(cues.shape[1])
        own = last_run[side]
        row["same_cues"] = cues[own[-1]] if own else np.zeros(cues.shape[1])
        if previous_side == side:
            own.append(i)
        else:
            last_run[side] = [i]
        previous_side, turn = side, turn + 1
        rows.append(row)
    return rows


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["I drink a lot.", "You drink a lot?", "Mm-hmm.", "", "Tell me more.",
                                           "I want to stop drinking wine"]),
                          st.sampled_from(["counsellor", "client"]), st.sampled_from(["a", "b", 3])),
                min_size=1, max_size=25))
def test_context_table_matches_the_row_by_row_definition(rows):
    texts, sides, conversations = map(list, zip(*rows))
    table = context_table(texts, sides, conversations)
    for i, expected in enumerate(reference_context(texts, sides, conversations)):
        assert table.loc[i, "other_text"] == expected["other_text"]
        np.testing.assert_allclose(table.loc[i, OTHER_CUES].to_numpy(float), expected["other_cues"], rtol=1e-6)
        np.testing.assert_allclose(table.loc[i, SAME_CUES].to_numpy(float), expected["same_cues"], rtol=1e-6)
        for name in CONTEXT_NUMBERS:
            assert table.loc[i, name] == pytest.approx(expected[name], rel=1e-6, abs=1e-6), name
