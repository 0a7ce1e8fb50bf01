"""`MICoder`: the scikit-learn estimator that codes utterances, and its convenience API (code, code_frame).

Input is a DataFrame of utterances with columns `text`, `side` ('counsellor'/'client') and
`transcript` (rows of a transcript in conversation order), as `Layout.utterances` builds from a
user's table. The steps: context features (`features.ContextFeatures`), a text featurizer per side
(`featurizer`, by default `features.LinearFeaturizer`), then the classifiers of `mi_coder.coding._classifiers`.
`classes_` are the 8 counsellor codes then the 3 client codes; a row's probabilities are spread
over its own side's codes only.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ..codes import (ALL_CODES, CLIENT, CODES, COARSE_OF, COUNSELLOR, COUNSELLOR_CODES, allowed_codes, best_codes,
                    is_partial, side_codes, side_name)
from ..io._columns import MODEL_COLUMN, SIDE_COLUMN, TRANSCRIPT_COLUMN, Layout
from ..errors import InputError
from ._features import ContextFeatures, LinearFeaturizer, without_context
from ._classifiers import CodeOrderClassifier, HierarchicalClassifier
from ._phrases import mi_inconsistent

UTTERANCE_COLUMNS = ("text", "side", "transcript")
FEATURIZE_ROWS = 10_000  # rows featurized at once by code_frame (whole transcripts): bounds memory


class MICoder(ClassifierMixin, BaseEstimator):
    """Codes counsellor and client utterances with MI codes; a scikit-learn classifier over utterance tables.

    Parameters are the whole recipe (recorded in a saved model's manifest): the text `featurizer`
    (None: `LinearFeaturizer()`), the inverse regularisation of the counsellor's coarse and
    subtype classifiers and of the client's, and the share of training rows added again without
    their context (`context_dropout`) so that a lone utterance is coded sensibly. `session`
    ('whole', 'causal' or None) adds a second stage that re-decides each counsellor utterance's
    coarse class from what the rest of its session says (see `mi_coder.coding._session`). `encoder` (an
    `encoder.EncoderCoder`, fine-tuned apart: `fit` leaves it as it is) makes the accurate tier: its
    probabilities are mixed log-linearly with these, `encoder_weight` the encoder's share (one number,
    or one per side: {'counsellor': w, 'client': w}).
    """

    def __init__(self, featurizer=None, counsellor_C: float = 4.0, subtype_C: float = 1.0, client_C: float = 0.3,
                 context_dropout: float = 0.2, session: str | None = None, session_folds: int = 3,
                 random_state: int = 0, encoder=None, encoder_weight: float | dict = 0.5):
        self.featurizer = featurizer
        self.counsellor_C = counsellor_C
        self.subtype_C = subtype_C
        self.client_C = client_C
        self.context_dropout = context_dropout
        self.session = session
        self.session_folds = session_folds
        self.random_state = random_state
        self.encoder = encoder
        self.encoder_weight = encoder_weight

    def __setstate__(self, state):
        """Models saved before the accurate tier existed have no encoder parameters: they had none."""
        state.setdefault("encoder", None)
        state.setdefault("encoder_weight", 0.5)
        super().__setstate__(state)

    # -- scikit-learn API ---------------------------------------------------------------------------

    def _classifier(self, side: str, featurizer=None):
        if side == COUNSELLOR:
            return HierarchicalClassifier(
                LogisticRegression(C=self.counsellor_C, max_iter=3000, class_weight="balanced"),
                LogisticRegression(C=self.subtype_C, max_iter=3000, class_weight="balanced"),
                subtype_only=getattr(featurizer, "subtype_only", lambda side: 0)(side))
        return CodeOrderClassifier(LogisticRegression(C=self.client_C, max_iter=3000, class_weight="balanced"))

    def fit(self, X: pd.DataFrame, y, sample_weight=None, groups=None):
        """Fit both sides on the rows of `X` whose `y` is a code; uncoded rows are context only.

        `y` holds codes (or `question`/`reflection` where the subtype is unknown) or None. With a
        `session` stage, first-stage probabilities of the training rows come from `session_folds`
        folds that keep `groups` (default: the transcript column) together, so no label leaks.
        """
        X = check_utterances(X)
        y = np.asarray(pd.Series(list(y), dtype=object).where(lambda v: v.notna(), None), dtype=object)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        weight = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        partial = np.array([is_partial(v) for v in y], dtype=bool)
        if partial.any():
            y = self._resolve_partial(X, y, weight, partial)
        self.context_ = ContextFeatures()
        table = self.context_.transform(X)
        featurizer = self.featurizer_ = clone(self.featurizer) if self.featurizer is not None else LinearFeaturizer()
        present = has_text(X)
        coded = present & np.array([v is not None and v != "" for v in y])
        sides = X["side"].to_numpy()
        rng = np.random.default_rng(self.random_state)
        self.pipelines_ = {}
        for side in (COUNSELLOR, CLIENT):
            rows = np.flatnonzero(coded & (sides == side))
            if not len(rows):
                raise InputError(f"no coded {side} utterances to train on; check the code and speaker columns")
            alone = rows[rng.random(len(rows)) < self.context_dropout]
            features = pd.concat([table.iloc[rows], without_context(table.iloc[alone])], ignore_index=True)
            both = np.concatenate([rows, alone])
            pipe = Pipeline([("features", featurizer.make(side)), ("classify", self._classifier(side, featurizer))])
            pipe.fit(features, y[both], classify__sample_weight=weight[both])
            self.pipelines_[side] = pipe
        self.stages_ = {}
        if self.session is not None:
            self._fit_session(X, y, weight, groups, table, coded)
        self.classes_ = np.array(ALL_CODES, dtype=object)
        return self

    def _resolve_partial(self, X, y, weight, partial) -> np.ndarray:
        """Partial labels ('affirmation|advice|other') resolved to the coarse class a first stage fitted on the
        other labels finds most likely among those allowed (one hard-EM step; rows stay context meanwhile).
        """
        known = np.where(partial, None, y)
        first = clone(self).set_params(session=None).fit(X, known, sample_weight=weight)
        proba = first.side_proba(X)
        y = y.copy()
        for i in np.flatnonzero(partial):
            side = X["side"].iat[i]
            allowed = allowed_codes(y[i])
            coarse: dict[str, float] = {}
            for j, code in enumerate(CODES[side]):
                if code in allowed:
                    coarse[COARSE_OF[code]] = coarse.get(COARSE_OF[code], 0.0) + proba[side][i, j]
            y[i] = max(coarse, key=coarse.get) if coarse and not np.isnan(list(coarse.values())).any() else None
        return y

    def _fit_session(self, X, y, weight, groups, table, coded) -> None:
        """The second stage: the counsellor's first-stage features plus session features from held-out probabilities.

        It re-decides the counsellor's coarse class only: question or reflection, advice or
        information… (what a session's style tells); open/closed and simple/complex stay the first
        stage's, read from the utterance itself. Client codes stay the first stage's: a client stage
        cost client macro-F1 0.01 and % change talk Spearman in grouped CV (see the model card).
        """
        import scipy.sparse as sp
        from sklearn.model_selection import GroupKFold

        from ._session import session_columns

        groups = X["transcript"].to_numpy() if groups is None else np.asarray(groups)
        held = {side: np.full((len(X), len(CODES[side])), np.nan) for side in CODES}
        first = clone(self).set_params(session=None)
        for train, test in GroupKFold(n_splits=self.session_folds).split(X, groups=groups):
            part = clone(first).fit(X.iloc[train], y[train], sample_weight=weight[train])
            proba = part.side_proba(X.iloc[test])
            for side in CODES:
                held[side][test] = proba[side]
        # The whole form also learns from each row's causal view (earlier utterances only, none for
        # the first): live coding and `code(text)` without context see such partial sessions.
        forms = ("whole", "causal") if self.session == "whole" else ("causal",)
        sessions = [session_columns(held, X["side"].to_numpy(), X["transcript"].to_numpy(), form) for form in forms]
        self.session_scale_ = np.maximum(np.abs(np.vstack(sessions)).max(axis=0), 1e-6)
        rows = np.flatnonzero(coded & (X["side"].to_numpy() == COUNSELLOR))
        matrix = self.pipelines_[COUNSELLOR].named_steps["features"].transform(table.iloc[rows])
        features = sp.vstack([self._with_session(matrix, session[rows]) for session in sessions], format="csr")
        coarse = np.array([COARSE_OF[v] for v in y[rows]], dtype=object)
        stage = LogisticRegression(C=self.counsellor_C, max_iter=3000, class_weight="balanced")
        self.stages_[COUNSELLOR] = stage.fit(features, np.tile(coarse, len(forms)),
                                             sample_weight=np.tile(weight[rows], len(forms)) / len(forms))

    def _with_session(self, features, session: np.ndarray):
        """The counsellor's first-stage features (the coarse classifier's columns) with the scaled session columns."""
        import scipy.sparse as sp

        features = self.pipelines_[COUNSELLOR].named_steps["classify"].coarse_columns(features)
        return sp.hstack([features, sp.csr_matrix(session / self.session_scale_)], format="csr")

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """(n, 11) probabilities in `classes_` order; a row's mass is on its side's codes, NaN for blank text."""
        by_side = self.side_proba(X)
        return np.hstack([by_side[COUNSELLOR], by_side[CLIENT]])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The code of each row ('' for blank text)."""
        X = check_utterances(X)
        return side_codes(self.side_proba(X), X["side"].to_numpy())

    def side_proba(self, X: pd.DataFrame, live: bool = False) -> dict[str, np.ndarray]:
        """Probabilities per side: {'counsellor': (n, 8), 'client': (n, 3)}; other-side and blank rows NaN.

        With a session stage, every transcript's rows must be in `X` (a chunk of whole transcripts).
        `live=True` codes each row as if its transcript ended there (the session stage reads only
        earlier utterances), as coding turn by turn must.
        """
        check_is_fitted(self, "pipelines_")
        X = check_utterances(X)
        present = has_text(X)
        out = {side: np.full((len(X), len(CODES[side])), np.nan) for side in CODES}
        if not present.any():
            return out
        table = ContextFeatures().transform(X[present])
        rows = np.flatnonzero(present)
        sides = X["side"].to_numpy()[present]
        masks = {side: sides == side for side in CODES}
        features = {}
        for side, mask in masks.items():
            if mask.any():  # featurized once; the session stage reads the same matrix
                features[side] = self.pipelines_[side].named_steps["features"].transform(table[mask])
                out[side][rows[mask]] = self.pipelines_[side].named_steps["classify"].predict_proba(features[side])
        if getattr(self, "stages_", None) and COUNSELLOR in features:
            from ._session import COUNTS, session_columns

            first = {side: p[present] for side, p in out.items()}
            session = session_columns(first, sides, X["transcript"].to_numpy()[present],
                                      "causal" if live else self.session)
            mask, stage = masks[COUNSELLOR], self.stages_[COUNSELLOR]
            coarse = stage.predict_proba(self._with_session(features[COUNSELLOR], session[mask]))
            first_stage = self.pipelines_[COUNSELLOR].named_steps["classify"]
            proba = first_stage.leaf_proba(coarse, stage.classes_, features[COUNSELLOR])
            # An utterance with no session around it (`code(text)`, a one-line transcript, or live the
            # first turn) keeps its first-stage code: the stage learnt such rows from session openers,
            # which are mostly greetings, and would pull a lone "you're doing great" to `other`.
            alone = (session[mask][:, COUNTS] == 0).all(axis=1)
            out[COUNSELLOR][rows[mask][~alone]] = proba[~alone]
        if getattr(self, "encoder", None) is not None:
            out = mix(out, self.encoder.side_proba(X), self.encoder_weight)
        return no_mi_inconsistent_reflections(out, X)

    # -- the SPEC's convenience API -----------------------------------------------------------------

    def code(self, text: str, side: str = COUNSELLOR, context=(), return_proba: bool = False):
        """The code of one utterance.

        Args:
            text: the utterance.
            side: who says it: 'counsellor' (default) or 'client', or any speaker value of the side
                vocabulary ('therapist', 'coach', 'patient', 'seeker', …).
            context: earlier turns of the conversation as (side, text) pairs, oldest first; a
                reflection is told from what the client said just before.
            return_proba: if True, return a `Coded` (code, confidence, probabilities) instead of
                the code alone.

        Returns the code ('' for blank text), or a `Coded` with `return_proba=True`.
        """
        if not isinstance(text, str):
            raise TypeError(f"code() codes one utterance (a str), not a {type(text).__name__}; for many, put "
                            f"them in a DataFrame and use code_frame()")
        side = side_name(side)
        context = [(side_name(s), t) for s, t in _turns(context)]
        X = utterance_frame([t for _, t in context] + [text], [s for s, _ in context] + [side])
        proba = self.side_proba(X)[side][-1:]
        code, confidence = best_codes(proba, side)
        if not return_proba:
            return str(code[0])
        probabilities = {} if not code[0] else {c: float(p) for c, p in zip(CODES[side], proba[0])}
        return Coded(str(code[0]), None if not code[0] else float(confidence[0]), probabilities)

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:
        """scikit-learn's repr, then what a loaded model is: its file's hash, training data and held-out scores."""
        text = super().__repr__(N_CHAR_MAX)
        info = getattr(self, "info", None)
        if not info or not hasattr(self, "pipelines_"):
            return text
        versions = info.get("versions", {})
        lines = [text, f"  model {getattr(self, 'model_sha256_', 'unsaved')[:16]}, written by mi_coder "
                       f"{versions.get('mi_coder', '?')}"]
        if info.get("conversations"):
            lines.append("  trained on " + ", ".join(f"{n} {c} transcripts" for c, n in info["conversations"].items()))
        evaluation = info.get("evaluation") or {}
        scores = [(name, evaluation.get(key, {}).get("macro_f1")) for name, key in
                  (("AnnoMI coarse-4 macro-F1", "annomi_coarse_4"), ("client macro-F1", "client_3"))]
        scores.append(("open/closed accuracy", evaluation.get("open_vs_closed_accuracy")))
        if any(v is not None for _, v in scores):
            lines.append("  held-out (transcript-grouped CV): " + ", ".join(
                f"{name} {v:.3f}" for name, v in scores if v is not None))
        return "\n".join(lines)

    def code_frame(self, frame: pd.DataFrame, text_col=None, speaker_col=None, transcript_col=None,
                   counsellor_values=None, client_values=None, probabilities: bool = False,
                   source: str = "input", layout: Layout | None = None,
                   independent: bool | None = None) -> pd.DataFrame:
        """A copy of `frame` with `mi_code`, `mi_confidence`, `mi_side`, `mi_model` (and `p_<code>`), rows in order.

        Columns and speaker values are found as the contract says (or taken from `layout`); rows
        are coded within their transcript in file order, in chunks of whole transcripts. A frame
        with neither a speaker nor a transcript column is a list of independent utterances, each
        coded as `code(text)` codes it; `independent=False` reads it as one conversation, True any frame so.
        """
        layout = layout or Layout.resolve(frame, text_col, speaker_col, transcript_col, counsellor_values,
                                          client_values, source=source, independent=independent)
        utterances = layout.utterances(frame)
        order = np.argsort(utterances["transcript"].to_numpy(), kind="stable")
        ordered = utterances.iloc[order]
        proba = {s: np.empty((len(frame), len(CODES[s]))) for s in CODES}
        for start, stop in chunks(ordered["transcript"].to_numpy(), FEATURIZE_ROWS):
            part = self.side_proba(ordered.iloc[start:stop])
            for s in CODES:
                proba[s][order[start:stop]] = part[s]
        side = utterances["side"].to_numpy()
        codes = np.full(len(frame), "", dtype=object)
        confidence = np.full(len(frame), np.nan)
        result = frame.copy()
        p_columns = {}
        for s in CODES:
            mask = side == s
            codes[mask], confidence[mask] = best_codes(proba[s][mask], s)
            for j, code in enumerate(CODES[s]):
                p_columns[f"p_{code}"] = np.where(mask, proba[s][:, j], np.nan)
        result["mi_code"] = codes
        result["mi_confidence"] = np.round(confidence, 4)
        result[SIDE_COLUMN] = side
        result[TRANSCRIPT_COLUMN] = (layout.transcripts(frame).fillna("").to_numpy(dtype=object)
                                     if layout.transcript is not None and not layout.independent else "")
        # Which model coded the rows, so summaries take their intervals from its confusions.
        result[MODEL_COLUMN] = getattr(self, "model_sha256_", "")[:16]
        if probabilities:
            for name, values in p_columns.items():
                result[name] = np.round(values, 4)
        result.attrs["mi_confusion"] = getattr(self, "info", {}).get("confusion")
        result.attrs["mi_quality"] = getattr(self, "info", {}).get("quality")
        return result


Coder = MICoder  # the name of 0.1


class Coded(NamedTuple):
    """One coded utterance: its code, the model's probability for it, and every code's probability."""

    code: str
    confidence: float | None
    probabilities: dict


REFLECTIONS = [COUNSELLOR_CODES.index(c) for c in ("simple_reflection", "complex_reflection")]


def no_mi_inconsistent_reflections(proba: dict, X: pd.DataFrame) -> dict:
    """MITI 4.2.1 never codes MI-inconsistent speech as listening: a counsellor utterance with confronting
    wording (`_phrases.confronting`: "But you keep saying that") gets its reflections' probability as
    `confront`'s, one that warns or directs (`_phrases.directing`: "If you keep drinking you'll…") as
    `advice`'s (Persuade)."""
    rows = np.flatnonzero(~np.isnan(proba[COUNSELLOR][:, 0]))
    if not len(rows):
        return proba
    confronts, directs = mi_inconsistent(X["text"].to_numpy()[rows])
    p = proba[COUNSELLOR]
    for hit, code in ((rows[confronts], "confront"), (rows[directs & ~confronts], "advice")):
        if len(hit):
            p[hit, COUNSELLOR_CODES.index(code)] += p[np.ix_(hit, REFLECTIONS)].sum(axis=1)
            p[np.ix_(hit, REFLECTIONS)] = 0.0
    return proba


def mix(linear: dict, encoder: dict, weight: float | dict) -> dict:
    """Log-linear mixture per side: p ∝ linear^(1 - w) · encoder^w, w = `weight` or `weight[side]` (NaN rows
    stay NaN)."""
    out = {}
    for side, p in linear.items():
        w = weight[side] if isinstance(weight, dict) else weight
        log = (1 - w) * np.log(np.clip(p, 1e-9, 1)) + w * np.log(np.clip(encoder[side], 1e-9, 1))
        e = np.exp(log - np.max(log, axis=1, keepdims=True, initial=-np.inf, where=~np.isnan(log)))
        out[side] = e / e.sum(axis=1, keepdims=True)
    return out


def _turns(context) -> list:
    """`code()`'s context as a list of (side, text) pairs; a TypeError saying so for anything else."""
    if isinstance(context, (str, bytes)):
        raise TypeError("context holds the earlier turns as (side, text) pairs, oldest first, e.g. "
                        "[('client', '...'), ('counsellor', '...')]; got a single string")
    turns = list(context)
    for n, turn in enumerate(turns):
        if isinstance(turn, (str, bytes)) or not isinstance(turn, (tuple, list)) or len(turn) != 2:
            what = f"a {type(turn).__name__}" + (f" of {len(turn)} values" if isinstance(turn, (tuple, list)) else "")
            raise TypeError(f"context item {n} is {what}, not a (side, text) pair; give the earlier turns as "
                            f"pairs, oldest first, e.g. [('client', '...'), ('counsellor', '...')]")
        if not isinstance(turn[1], str):
            raise TypeError(f"context item {n}: the text of a (side, text) pair must be a str, not a "
                            f"{type(turn[1]).__name__}")
    return turns


def check_utterances(X) -> pd.DataFrame:
    """X as the estimator reads it: a DataFrame with text, side and transcript columns (sides normalised)."""
    if not isinstance(X, pd.DataFrame):
        raise TypeError("MICoder reads a DataFrame with columns text, side, transcript "
                        "(see mi_coder.Layout.utterances); got " + type(X).__name__)
    missing = [c for c in UTTERANCE_COLUMNS if c not in X.columns]
    if missing:
        raise ValueError(f"MICoder input lacks column(s) {', '.join(missing)}; it needs text, side, transcript")
    sides = X["side"].to_numpy()
    if not np.isin(sides, (COUNSELLOR, CLIENT)).all():
        X = X.assign(side=[side_name(s) for s in sides])
    return X


def has_text(X: pd.DataFrame) -> np.ndarray:
    """Rows whose text is not blank: only they are coded and make context."""
    return X["text"].fillna("").astype(str).str.strip().ne("").to_numpy()


def utterance_frame(texts, sides, transcripts=None) -> pd.DataFrame:
    """The estimator's input from parallel lists (one transcript unless `transcripts` is given)."""
    texts = list(texts)
    return pd.DataFrame({"text": texts, "side": [side_name(s) for s in sides],
                         "transcript": [0] * len(texts) if transcripts is None else list(transcripts)})


def chunks(conversation: np.ndarray, size: int):
    """(start, stop) slices of about `size` rows that never split a run of equal conversation keys."""
    n = len(conversation)
    start = 0
    while start < n:
        stop = min(start + size, n)
        while stop < n and conversation[stop] == conversation[stop - 1]:
            stop += 1
        yield start, stop
        start = stop
