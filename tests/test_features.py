"""Context features: the other side's last turn and the overlap a reflection shows."""

import numpy as np

from mi_coder.features import DENSE_COLUMNS, context_table, make_features


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
    X = make_features(char_ngrams=False).fit_transform(table)
    assert X.shape[0] == 12
    assert X.shape[1] > len(DENSE_COLUMNS)
    assert np.isfinite(X.toarray()).all()
