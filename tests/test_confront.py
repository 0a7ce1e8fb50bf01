"""MITI 4.2.1's Confront as a code (issue #31): learnt from the corpora's labels, never a reflection, MI non-adherent."""

import numpy as np
import pandas as pd
import pytest

from mi_coder.codes import ANNOMI_COARSE_OF, COARSE_OF, COUNSELLOR_CODES, allowed_codes, mibot_code, welivita_code
from mi_coder.coding._estimator import no_mi_inconsistent_reflections
from mi_coder.coding._phrases import confronting, directing, phrase_hits

EXAMPLES = ["But you keep saying that and you're still smoking.", "You're in denial about how much you drink."]
# As captions write them (no punctuation, lower case), and as chats and some speech-to-text write them (no apostrophes)
TRANSCRIBED = ["but you keep saying that and you're still smoking", "you're in denial about how much you drink",
               "but you keep saying that and youre still smoking", "youre in denial about how much you drink"]


def test_confront_is_a_counsellor_code_compared_as_other_where_a_corpus_has_none():
    from mi_coder.training._evaluate import coarse_6

    assert COUNSELLOR_CODES[-1] == "confront" and COARSE_OF["confront"] == "confront"
    assert ANNOMI_COARSE_OF["confront"] == "other" and coarse_6("confront") == "other"
    assert welivita_code("Confront") == "confront" and welivita_code("Warn") == welivita_code("Direct") == "advice"
    assert set(allowed_codes(mibot_code("MIIN"))) == {"advice", "confront"}


def test_annomi_low_quality_other_is_other_or_confront(data_dir):
    from mi_coder.training import read_corpora

    frame = read_corpora(data_dir, ("annomi",))
    low = frame["mi_quality"].eq("low") & frame["side"].eq("counsellor")
    assert frame.loc[low, "code"].eq("other").sum() == 0 and frame.loc[low, "code"].eq("other|confront").any()
    assert frame.loc[~low & frame["side"].eq("counsellor"), "code"].eq("other").any()


def test_confronting_wording_is_found_as_whole_words_any_case():
    assert confronting(EXAMPLES + TRANSCRIBED + ["YOU'RE IN DENIAL", "you\u2019re in denial"]).all()
    assert not confronting(["you keep going", "It sounds like you're worried", "you're in denialism"]).any()
    # as spaCy splits words: "we can" is not in "we can't"
    assert phrase_hits(["we can't", "we can try"], ("collaboration",))["collaboration"].tolist() == [False, True]


def test_warnings_and_directives_are_found_but_not_reflective_stems_or_requests_to_say_more():
    said = ["If you keep drinking you'll end up in hospital.", "Take the breaks you are offered.",
            "I see. Give him the time and space he needs.", "You need to force yourself to seek help.",
            "dont let them talk you into it", "tell me more", "Let me check I have this right.",
            "It sounds like you need to stop.", "Let's look at it together.", "Going to the gym helped you."]
    assert directing(said).tolist() == [True] * 5 + [False] * 5


def test_a_confronting_or_directing_utterance_gets_its_reflections_probability_as_confront_or_advice():
    k = len(COUNSELLOR_CODES)
    p = np.full((4, k), 0.02)
    p[:, COUNSELLOR_CODES.index("simple_reflection")] = 0.6
    p /= p.sum(axis=1, keepdims=True)
    proba = {"counsellor": p.copy(), "client": np.full((4, 3), np.nan)}
    X = pd.DataFrame({"text": [EXAMPLES[0], "It sounds like you're worried.", EXAMPLES[1],
                               "If you keep drinking you will lose your job."]})
    out = no_mi_inconsistent_reflections(proba, X)["counsellor"]
    codes = np.asarray(COUNSELLOR_CODES)[out.argmax(axis=1)]
    assert codes.tolist() == ["confront", "simple_reflection", "confront", "advice"]
    assert np.allclose(out.sum(axis=1), 1)


def test_a_confront_code_is_mi_non_adherent():
    from mi_coder.summary._adherence import adherence_flags

    flags = adherence_flags(["Well, that is just not how it works.", "Good job."], ["confront", "affirmation"],
                            [True, True], ["t", "t"])
    assert flags["mi_non_adherent"].tolist() == [1, 0] and flags["mi_adherent"].tolist() == [0, 1]


@pytest.mark.parametrize("tier", ["fast", "accurate"])
def test_the_examples_are_never_reflections_with_either_tier(tier):
    from conftest import SHIPPED_MODEL

    if not SHIPPED_MODEL.is_file():
        pytest.skip("no shipped model in models/")
    import mi_coder

    coder = mi_coder.load(tier)
    assert {coder.code(text) for text in EXAMPLES + TRANSCRIBED} <= {"confront", "advice"}
