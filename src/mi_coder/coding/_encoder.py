"""Serve the accurate tier: a fine-tuned transformer in ONNX, run by onnxruntime and tokenizers (no torch).

A model folder (written by `mi_coder.training._fine_tune`) holds model_int8.onnx and/or model_fp32.onnx,
tokenizer.json and encoder.json (codes order, how an utterance and its previous turns become a text
pair, the SHA-256 of each ONNX file). An ONNX file holds no code, but a swapped or corrupted file
would code silently wrong, so, like the linear model, it loads only when its SHA-256 is pinned by
the caller (`sha256=`), listed in the user's allow-list (`mi_coder.coding._modelio.trusted_hashes`), or
`trusted=True` for a model you trained yourself. The hashed bytes are the bytes the session runs.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import ALL_CODES, CODES, side_codes
from ._encoder_input import PairEncoder
from ..errors import InputError, ModelIntegrityError

CONFIG_NAME = "encoder.json"
FORMAT = 1
THREADS = 2  # rows run at once by an encoder made without `threads`; `stream` workers set their share


class EncoderCoder:
    """Per-side code probabilities from an exported encoder folder; the input is `MICoder.side_proba`'s."""

    def __init__(self, path, sha256: str | None = None, trusted: bool = False, model_file: str | None = None,
                 threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from ._modelio import check_pin

        path = Path(path)
        config_path = path / CONFIG_NAME
        if not config_path.is_file():
            raise InputError(f"{path}: no {CONFIG_NAME}; point at a folder written by mi_coder.training (train_encoder)")
        config = json.loads(config_path.read_text(encoding="utf-8"))
        if config.get("format") != FORMAT or list(config.get("codes", ())) != list(ALL_CODES):
            raise ModelIntegrityError(f"{config_path}: format {config.get('format')} or codes order is not "
                                      f"the one this mi_coder version reads")
        model_file = model_file or config["model"]
        model_path = path / model_file
        if not model_path.is_file():
            raise InputError(f"{model_path}: model file not found")
        data = model_path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        recorded = config.get("files", {}).get(model_file)
        if recorded is not None and recorded != digest:
            raise ModelIntegrityError(f"{model_path}: SHA-256 {digest[:12]}… is not the one {CONFIG_NAME} records "
                                      f"({recorded[:12]}…); refusing a mismatched folder")
        if not trusted:
            check_pin(model_path, digest, sha256)
        options = ort.SessionOptions()
        threads = THREADS if threads is None else threads
        # One core a run, `threads` runs at once (onnxruntime releases the GIL): on a 1-row input, two
        # rows side by side code about a quarter faster than one row on two cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(path / config.get("tokenizer", "tokenizer.json")))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self.encoder = PairEncoder(tokenizer, max_length=config["max_length"],
                                   context_turns=config["context_turns"], context_reserve=config["context_reserve"],
                                   next_tokens=config.get("next_tokens", 0),
                                   tail_tokens=config.get("tail_tokens", 0))
        self.config = config
        self.path = path
        self.threads = int(threads)
        self.model_file = model_file
        self.model_sha256_ = digest
        self._inputs = [i.name for i in self.session.get_inputs()]
        self._columns = {side: [ALL_CODES.index(c) for c in codes] for side, codes in CODES.items()}

    def __getstate__(self):
        """What a copy or a pickle keeps: where the folder is and its pinned hash (the session is rebuilt)."""
        return {"path": str(self.path), "sha256": self.model_sha256_, "model_file": self.model_file,
                "threads": self.threads}

    def __setstate__(self, state):
        self.__init__(state["path"], sha256=state["sha256"], model_file=state["model_file"],
                      threads=state["threads"])

    def __repr__(self) -> str:
        return f"EncoderCoder({str(self.path)!r}, sha256={self.model_sha256_[:16]!r}…)"

    def side_proba(self, X: pd.DataFrame, rows=None) -> dict[str, np.ndarray]:
        """{'counsellor': (n, 9), 'client': (n, 3)}; other-side and blank rows NaN.

        `X` has columns text, side, transcript, rows in conversation order: each utterance reads the
        previous non-blank turns of its transcript. Each utterance runs alone: int8 models scale their
        activations per run, so a batch would make a code depend on the rows that share it. `rows`
        (positions): code only these, the others still read as context (NaN in the output).
        """
        from ._estimator import check_utterances, has_text

        X = check_utterances(X)
        present = has_text(X)
        if rows is not None:
            present = present & np.isin(np.arange(len(X)), rows)
        sides = X["side"].to_numpy(dtype=object)
        out = {side: np.full((len(X), len(codes)), np.nan) for side, codes in CODES.items()}
        rows = np.flatnonzero(present)
        if not len(rows):
            return out
        encoded = self.encoder.encode(X["text"].to_numpy(dtype=object), sides, X["transcript"].to_numpy(dtype=object),
                                      rows)
        if self.threads > 1 and len(encoded) > 1:
            pool = ThreadPoolExecutor(self.threads)
            try:
                logits = np.array(list(pool.map(self._run, encoded)))
            finally:  # on Ctrl-C, drop the rows not started instead of running them all
                pool.shutdown(cancel_futures=True)
        else:
            logits = np.array([self._run(row) for row in encoded])
        for side, columns in self._columns.items():
            mine = sides[rows] == side
            if mine.any():
                out[side][rows[mine]] = _softmax(logits[mine][:, columns])
        return out

    def _run(self, row) -> np.ndarray:
        """The logits of one encoded row, run alone."""
        feed = self.encoder.batch([row])
        return self.session.run(["logits"], {k: v for k, v in feed.items() if k in self._inputs})[0][0]

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The code of every row ('' for blank rows)."""
        proba = self.side_proba(X)
        from ._estimator import check_utterances

        return side_codes(proba, check_utterances(X)["side"].to_numpy())


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
