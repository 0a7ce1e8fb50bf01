"""Transcript-grouped cross-validation and the scores the issues and the model card report.

Folds never split a transcript: every annotated copy of an AnnoMI transcript (its `group`) and
every ESConv dialogue stays on one side. Each utterance is counted once in a score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from ..codes import ANNOMI_COARSE_CODES, ANNOMI_COARSE_OF, CLIENT, CLIENT_CODES, CODES, COARSE_CODES, COARSE_OF, \
    COUNSELLOR, COUNSELLOR_CODES, QUESTION, REFLECTION, best_codes
from ..coding._estimator import MICoder
from ._corpora import corpus_weights, estimator_input
from ..coding._session import DEFAULT_SESSION

# Welivita's labels of MITI 4.2.1's MI-inconsistent behaviours (Confront, and Persuade without permission).
MI_INCONSISTENT = ("Confront", "Warn", "Direct", "Advise without Permission")
# Corpora that code only part of the contract's scheme (see `headline_rows`).
PARTIAL_SCHEME = ("esconv", "mibot", "reddit_advice")


def cross_validate(frame: pd.DataFrame, coder: MICoder | None = None, n_splits: int = 5, seed: int = 0,
                   progress=None, weights: dict | None = None, live: bool = False, train_frame=None,
                   views: dict | None = None) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities per side for every row of a canonical frame, from transcript-grouped folds.

    Each fold fits a clone of `coder` (default: the shipped recipe) on the other folds' transcripts, with
    each corpus's rows weighted as `train` weighs them (`weights`, default `corpora.CORPUS_WEIGHTS`). `live=True`
    codes each held-out utterance as if its transcript ended there (see `MICoder.side_proba`).
    `train_frame` (the same rows, other texts: some unpunctuated) is what the folds learn from; each of
    `views` (name -> a text function, such as `corpora.unpunctuate`) also codes the held-out rows with
    their texts so changed, under keys `"<side>/<name>"`.
    """
    coder = coder if coder is not None else MICoder(session=DEFAULT_SESSION)
    X, y = estimator_input(frame)
    X_learn = X if train_frame is None else estimator_input(train_frame)[0]
    weight = corpus_weights(frame, weights)
    views = views or {}
    out = {view_key(side, name): np.full((len(frame), len(CODES[side])), np.nan)
           for name in (None,) + tuple(views) for side in (COUNSELLOR, CLIENT)}
    fold = fold_assignment(frame, n_splits, seed)
    for k in range(n_splits):
        train_idx, test_idx = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        fitted = clone(coder).fit(X_learn.iloc[train_idx].reset_index(drop=True), y[train_idx],
                                  sample_weight=weight[train_idx], groups=frame["group"].to_numpy()[train_idx])
        test_sides = frame["side"].to_numpy()[test_idx]
        for name, change in ((None, None),) + tuple(views.items()):
            held = X.iloc[test_idx].reset_index(drop=True)
            if change is not None:
                held = held.assign(text=held["text"].map(change))
            proba = fitted.side_proba(held, live=live)
            for side in (COUNSELLOR, CLIENT):
                mask = test_sides == side
                out[view_key(side, name)][test_idx[mask]] = proba[side][mask]
        if progress:
            progress(k + 1, n_splits)
    return out


def view_key(side: str, name: str | None = None) -> str:
    """The key of a side's held-out probabilities in one view: the side itself for the texts as they are,
    "<side>/<view>" for texts changed by a view (`cross_validate(..., views=)`)."""
    return f"{side}/{name}" if name else side


def view(proba: dict, name: str | None = None) -> dict:
    """One view's probabilities of `cross_validate(..., views=)` (None: the texts as they are), keyed by side
    as `score` reads them."""
    return {side: proba[view_key(side, name)] for side in (COUNSELLOR, CLIENT)}


def save_held_out(path, proba: dict) -> None:
    """Held-out probabilities of every view as one .npz (a view's "/" is stored as "__")."""
    np.savez_compressed(path, **{key.replace("/", "__"): value for key, value in proba.items()})


def load_held_out(path) -> dict:
    """What `save_held_out` wrote, keyed as `cross_validate` returns it."""
    with np.load(path) as stored:
        return {key.replace("__", "/"): stored[key] for key in stored.files}


def fold_assignment(frame: pd.DataFrame, n_splits: int = 5, seed: int = 0) -> np.ndarray:
    """The held-out fold of every row: groups (a video's transcripts, a thread, a chat) never straddle folds.

    Every tier is scored on these folds, so their scores compare on the same held-out rows.
    """
    fold = np.full(len(frame), -1)
    folds = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    for k, (_, test_idx) in enumerate(folds.split(frame, groups=frame["group"])):
        fold[test_idx] = k
    return fold


def once_per_utterance(frame: pd.DataFrame) -> np.ndarray:
    """Mask keeping the first annotated copy of each utterance (AnnoMI repeats some transcripts)."""
    if "utterance_id" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    # An annotated copy's conversation is its transcript plus '-a<annotator>'; a group may hold several
    # transcripts (an AnnoMI video), whose utterance ids repeat.
    transcript = frame["conversation"].astype(str).str.replace(r"-a\d+$", "", regex=True)
    key = transcript + "#" + frame["utterance_id"].astype(str)
    has_id = frame["utterance_id"].notna().to_numpy()
    return ~key.duplicated().to_numpy() | ~has_id


def _report(y_true, y_pred, labels) -> dict:
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=list(labels), zero_division=0)
    return {
        "n": int(len(y_true)),
        "macro_f1": float(np.mean(f)) if len(y_true) else float("nan"),
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if len(y_true) else float("nan"),
        "per_code": {c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                         "support": int(s[i])} for i, c in enumerate(labels)},
        "labels": list(labels),
        "confusion": confusion_matrix(y_true, y_pred, labels=list(labels)).tolist() if len(y_true) else [],
    }


def scored(frame: pd.DataFrame, proba: dict[str, np.ndarray], side: str, keep: np.ndarray | None = None):
    """(rows of `side` that are scored, predicted code of every row): each coded utterance once."""
    if keep is None:
        keep = once_per_utterance(frame) & frame["code"].notna().to_numpy()
    rows = keep & (frame["side"].to_numpy() == side) & ~np.isnan(proba[side]).any(axis=1)
    return rows, best_codes(proba[side], side)[0]


def headline_rows(frame: pd.DataFrame, rows: np.ndarray, side: str) -> np.ndarray:
    """Of a side's scored `rows`, those its headline macro-F1 counts: for the counsellor (`counsellor_8`),
    exact codes in corpora coded in the whole scheme; for the client (`client_3`), spoken corpora."""
    corpus = frame["corpus"].to_numpy()
    if side == COUNSELLOR:
        # The confusion of every code (which gives summaries their intervals) counts only corpora coded in the
        # contract's whole scheme (AnnoMI, Welivita, users' own CSVs), so a corpus that codes some codes
        # alone (ESConv's leaves, Reddit's advice) does not skew P(true | coded).
        return rows & ~np.isin(corpus, PARTIAL_SCHEME) & np.isin(frame["code"].to_numpy(), COUNSELLOR_CODES)
    return rows & (corpus != "mibot")


def coarse_6(code):
    """A code's coarse class as the coarse-6 scores count it: `confront` as `other`, as a corpus without a
    Confront code has it (the contract), so the scores compare with those of eight-code models."""
    coarse = COARSE_OF.get(code, code)
    return "other" if coarse == "confront" else coarse


def score(frame: pd.DataFrame, proba: dict[str, np.ndarray]) -> dict:
    """Every score of the evaluation, from probabilities aligned with `frame`'s rows."""
    keep = once_per_utterance(frame) & frame["code"].notna().to_numpy()
    corpus = frame["corpus"].to_numpy()
    truth = frame["code"].to_numpy().astype(object)
    results: dict = {"utterances_scored": int(keep.sum())}

    c_rows, c_pred = scored(frame, proba, COUNSELLOR, keep)
    fine = headline_rows(frame, c_rows, COUNSELLOR)
    results["counsellor_codes"] = _report(truth[fine], c_pred[fine], COUNSELLOR_CODES)

    coarse_truth = np.array([coarse_6(t) for t in truth], dtype=object)
    coarse_pred = np.array([coarse_6(p) for p in c_pred], dtype=object)
    coarse_known = np.isin(coarse_truth, COARSE_CODES)
    results["counsellor_coarse_6"] = _report(coarse_truth[c_rows & coarse_known], coarse_pred[c_rows & coarse_known],
                                             COARSE_CODES)

    # AnnoMI's 4-class scheme, on AnnoMI and users' own CSVs (spoken sessions coded with subtypes).
    annomi = c_rows & ~np.isin(corpus, PARTIAL_SCHEME + ("welivita",)) & np.isin(truth, COUNSELLOR_CODES)
    if annomi.any():
        a_truth, a_pred = truth[annomi], c_pred[annomi]
        results["annomi_coarse_4"] = _report([ANNOMI_COARSE_OF[t] for t in a_truth],
                                             [ANNOMI_COARSE_OF[p] for p in a_pred], ANNOMI_COARSE_CODES)
        seven = [c for c in COUNSELLOR_CODES if c != "affirmation"]
        results["annomi_7"] = _report(a_truth, np.where(a_pred == "affirmation", "other", a_pred), seven)
        results["open_vs_closed_accuracy"] = _subtype_accuracy(proba[COUNSELLOR][annomi], a_truth,
                                                               ("open_question", "closed_question"))
        results["simple_vs_complex_accuracy"] = _subtype_accuracy(proba[COUNSELLOR][annomi], a_truth,
                                                                  ("simple_reflection", "complex_reflection"))
    if "mi_quality" in frame.columns and annomi.any():
        # Warnings, directives and confrontations read as listening: the share of the counsellor's
        # non-reflections that are coded as reflections, in AnnoMI's low- and high-quality sessions.
        quality = frame["mi_quality"].to_numpy()
        for label in ("low", "high"):
            mine = annomi & (quality == label) & ~np.isin(coarse_truth, (REFLECTION,))
            if mine.any():
                results[f"annomi_{label}_quality_false_reflection_share"] = float(
                    np.mean(coarse_pred[mine] == REFLECTION))
    if "label" in frame.columns:
        # MITI's MI-inconsistent behaviours as the forum's coders (and MIBot's LLM) labelled them: how often
        # the coder calls them listening (a reflection) instead of confront or advice.
        label = frame["label"].astype("string").str.strip().fillna("").to_numpy()
        for name, rows in (("welivita", c_rows & (corpus == "welivita") & np.isin(label, MI_INCONSISTENT)),
                           ("mibot_silver", c_rows & (corpus == "mibot") & (label == "MIIN"))):
            if rows.any():
                results[f"{name}_mi_inconsistent_as_reflection_share"] = float(np.mean(coarse_pred[rows] == REFLECTION))
                results[f"{name}_mi_inconsistent_n"] = int(rows.sum())
    esconv = c_rows & (corpus == "esconv")
    if esconv.any():
        results["esconv_coarse_6"] = _report(coarse_truth[esconv], coarse_pred[esconv], COARSE_CODES)
    welivita = c_rows & (corpus == "welivita") & np.isin(truth, COUNSELLOR_CODES)
    if welivita.any():
        results["welivita_coarse_6"] = _report(coarse_truth[welivita], coarse_pred[welivita], COARSE_CODES)
        results["welivita_codes"] = _report(truth[welivita], c_pred[welivita], COUNSELLOR_CODES)
        results["welivita_confront"] = _report(np.where(truth[welivita] == "confront", "confront", "not confront"),
                                               np.where(c_pred[welivita] == "confront", "confront", "not confront"),
                                               ("confront", "not confront"))
        results["welivita_open_vs_closed_accuracy"] = _subtype_accuracy(
            proba[COUNSELLOR][welivita], truth[welivita], ("open_question", "closed_question"))
    mibot = c_rows & (corpus == "mibot") & np.isin(coarse_truth, (QUESTION, REFLECTION))
    if mibot.any():  # silver: only the LLM's question and reflection labels name one coarse class
        predicted = np.where(np.isin(coarse_pred[mibot], (QUESTION, REFLECTION)), coarse_pred[mibot], "other classes")
        results["mibot_silver_question_reflection"] = _report(coarse_truth[mibot], predicted,
                                                              (QUESTION, REFLECTION, "other classes"))
    reddit = c_rows & (corpus == "reddit_advice")
    if reddit.any():
        results["reddit_advice_2"] = _report(np.where(truth[reddit] == "advice", "advice", "not advice"),
                                             np.where(c_pred[reddit] == "advice", "advice", "not advice"),
                                             ("advice", "not advice"))

    k_rows, k_pred = scored(frame, proba, CLIENT, keep)
    spoken = headline_rows(frame, k_rows, CLIENT)
    results["client_3"] = _report(truth[spoken], k_pred[spoken], CLIENT_CODES)
    if (k_rows & (corpus == "mibot")).any():
        chat = k_rows & (corpus == "mibot")
        results["mibot_silver_client_3"] = _report(truth[chat], k_pred[chat], CLIENT_CODES)
    return results


def _subtype_accuracy(p: np.ndarray, truth, pair) -> float:
    """Accuracy of choosing between two sibling codes on rows whose truth is one of them."""
    index = [COUNSELLOR_CODES.index(c) for c in pair]
    mask = np.isin(truth, pair)
    if not mask.any():
        return float("nan")
    chosen = np.asarray(pair, dtype=object)[p[mask][:, index].argmax(axis=1)]
    return float(np.mean(chosen == np.asarray(truth)[mask]))


def headline(results: dict) -> dict[str, float]:
    """The figures the issues set targets on, flat."""
    flat = {
        "counsellor_macro_f1": results["counsellor_codes"]["macro_f1"],
        "client_macro_f1": results["client_3"]["macro_f1"],
    }
    if "annomi_coarse_4" in results:
        flat.update({
            "annomi_coarse4_macro_f1": results["annomi_coarse_4"]["macro_f1"],
            "annomi_7code_macro_f1": results["annomi_7"]["macro_f1"],
            "open_vs_closed_accuracy": results["open_vs_closed_accuracy"],
            "simple_vs_complex_accuracy": results["simple_vs_complex_accuracy"],
        })
    if "esconv_coarse_6" in results:
        flat.update({
            "esconv_coarse6_macro_f1": results["esconv_coarse_6"]["macro_f1"],
            "esconv_affirmation_f1": results["esconv_coarse_6"]["per_code"]["affirmation"]["f1"],
        })
    if "welivita_coarse_6" in results:
        flat.update({
            "welivita_coarse6_macro_f1": results["welivita_coarse_6"]["macro_f1"],
            "welivita_affirmation_f1": results["welivita_coarse_6"]["per_code"]["affirmation"]["f1"],
            "welivita_advice_f1": results["welivita_coarse_6"]["per_code"]["advice"]["f1"],
            "welivita_confront_f1": results["welivita_confront"]["per_code"]["confront"]["f1"],
            "welivita_open_vs_closed_accuracy": results["welivita_open_vs_closed_accuracy"],
        })
    if "mibot_silver_client_3" in results:
        flat["mibot_silver_client_macro_f1"] = results["mibot_silver_client_3"]["macro_f1"]
    if "mibot_silver_question_reflection" in results:
        flat["mibot_silver_question_reflection_accuracy"] = results["mibot_silver_question_reflection"]["accuracy"]
    if "reddit_advice_2" in results:
        flat["reddit_advice_f1"] = results["reddit_advice_2"]["per_code"]["advice"]["f1"]
    return flat


REPORT_SECTIONS = (
    ("counsellor_codes", "Counsellor, every code"),
    ("annomi_coarse_4", "Counsellor, AnnoMI coarse 4 classes (comparable to published work)"),
    ("annomi_7", "Counsellor, AnnoMI 7 codes (affirmation predictions counted as other)"),
    ("esconv_coarse_6", "ESConv supporter, 6 coarse codes"),
    ("welivita_coarse_6", "Welivita peer-support forum replies, 6 coarse codes"),
    ("welivita_codes", "Welivita peer-support forum replies, every code"),
    ("reddit_advice_2", "Reddit reply sentences, advice or not"),
    ("mibot_silver_question_reflection", "MIBot chatbot, question vs reflection (SILVER: an LLM's labels)"),
    ("client_3", "Client, 3 codes (AnnoMI and your own data)"),
    ("mibot_silver_client_3", "MIBot chatbot chats, client 3 codes (SILVER: an LLM's labels)"),
)


def format_report(results: dict) -> str:
    """The evaluation as plain text: per-code P/R/F1, macro-F1 and the confusion matrix per section."""
    lines = [f"utterances scored (each once): {results['utterances_scored']}"]
    for key, title in REPORT_SECTIONS:
        if key not in results:
            continue
        r = results[key]
        lines += ["", f"== {title}: macro-F1 {r['macro_f1']:.3f}, accuracy {r['accuracy']:.3f}, n={r['n']}",
                  f"{'code':<20}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
        for code, m in r["per_code"].items():
            lines.append(f"{code:<20}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{m['support']:>10d}")
        width = max(len(c) for c in r["labels"]) + 2
        lines += ["confusion (rows: expert code, columns: predicted)",
                  " " * width + "".join(f"{c[:9]:>10}" for c in r["labels"])]
        for code, row in zip(r["labels"], r["confusion"]):
            lines.append(f"{code:<{width}}" + "".join(f"{v:>10d}" for v in row))
    lines += ["", "headline:"] + [f"  {k}: {v:.3f}" for k, v in headline(results).items()]
    return "\n".join(lines)


def held_out_confusion(results: dict, frame: pd.DataFrame | None = None,
                       proba: dict[str, np.ndarray] | None = None) -> dict:
    """The confusion counts per side that summaries turn into intervals (see `mi_coder.summary._uncertainty`).

    Given the frame and its out-of-fold probabilities too, each side also gets the Dirichlet
    concentration of its transcripts' own confusions (`uncertainty.fit_concentration`).
    """
    out = {side: {"codes": results[key]["labels"], "counts": results[key]["confusion"]}
           for side, key in ((COUNSELLOR, "counsellor_codes"), (CLIENT, "client_3"))}
    if frame is not None and proba is not None:
        from ..summary._uncertainty import fit_concentration

        for side, codes in CODES.items():
            rows, predicted = scored(frame, proba, side)
            rows &= np.isin(frame["code"].to_numpy(), codes)  # the rows of the confusion counts
            out[side]["concentration"] = fit_concentration(
                frame["code"].to_numpy()[rows], predicted[rows], frame["group"].to_numpy()[rows], codes,
                out[side]["counts"])
    return out


REVIEW_ACCURACY = 1 / 3  # a code is "probably wrong" where held-out codes were wrong at least twice as often as right


def review_thresholds(frame: pd.DataFrame, proba: dict[str, np.ndarray], accuracy: float = REVIEW_ACCURACY) -> dict:
    """Per side, the confidence below which held-out codes were right less often than `accuracy`.

    Over held-out utterances whose expert code is one of the side's codes (not a coarse label), an
    increasing (isotonic) fit of "the code was right" on the confidence gives the threshold: the
    lowest confidence at which the fit reaches `accuracy`. Reports mark codes below it for review.
    Not 1/2: the coder is about as often right as its confidence says, and half its counsellor
    codes sit below 0.54, so "more likely wrong than right" would mark half of every transcript.
    """
    from sklearn.isotonic import IsotonicRegression

    out = {}
    truth = frame["code"].to_numpy().astype(object)
    for side, codes in CODES.items():
        rows, predicted = scored(frame, proba, side)
        rows &= np.isin(truth, codes)
        if rows.sum() < 50:
            continue
        confidence = np.nanmax(np.asarray(proba[side], dtype=float)[rows], axis=1)
        right = (predicted[rows] == truth[rows]).astype(float)
        fitted = IsotonicRegression(increasing=True, out_of_bounds="clip").fit(confidence, right).predict(confidence)
        above = confidence[fitted >= accuracy]
        threshold = float(above.min()) if len(above) else 1.0
        below = confidence < threshold
        out[side] = {"threshold": round(threshold, 3), "accuracy": accuracy, "utterances": int(rows.sum()),
                     "share_below": float(below.mean()),
                     "accuracy_below": float(right[below].mean()) if below.any() else float("nan"),
                     "accuracy_above": float(right[~below].mean()) if (~below).any() else float("nan")}
    return out
