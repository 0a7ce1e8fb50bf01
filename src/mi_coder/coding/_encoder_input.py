"""How the accurate tier turns an utterance and its previous turns into a BERT text pair (no torch, no onnxruntime).

Training (`encoder_train`) and serving (`encoder`) build their inputs here, so the two cannot drift:

    [CLS] <side> : <utterance> [SEP] <side> : <previous turn> <side> : <turn before> … [SEP]

The first segment (token type 0) is the utterance with its own side as a word ("counsellor" or
"client"); the second (token type 1) is the previous `context_turns` non-blank utterances of the same
transcript, newest first, each prefixed by its side. Every text is tokenized once. When a pair is longer
than `max_length`, the utterance keeps at most `max_length - 3 - min(len(context), context_reserve)`
tokens and the context fills what is left, losing its oldest tokens first.

With `next_tokens` > 0 the context segment opens with the first `next_tokens` tokens of the next
non-blank turn of the transcript, prefixed "next <side> :" (how a turn is answered tells a reflection
from a question, and change talk from sustain talk), and the utterance leaves room for them on top of
`context_reserve`.

With `tail_tokens` > 0 an utterance too long for its room keeps its first tokens and its last
`tail_tokens`: a long counsellor turn often ends with the question that decides its code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PAIR_FORMAT = "side_utterance__previous_turns_newest_first"
NEXT_PAIR_FORMAT = "side_utterance__next_turn_then_previous_turns_newest_first"
CONTEXT_TURNS = 3
CONTEXT_RESERVE = 16
TAIL_TOKENS = 14  # the last tokens a long utterance keeps (new encoders; a config without the key keeps none)


class PairEncoder:
    """Token ids of (utterance, context turns) pairs from a `tokenizers.Tokenizer` (a BERT WordPiece one)."""

    def __init__(self, tokenizer, max_length: int = 64, context_turns: int = CONTEXT_TURNS,
                 context_reserve: int = CONTEXT_RESERVE, next_tokens: int = 0, tail_tokens: int = 0):
        self.tokenizer = tokenizer
        self.max_length = int(max_length)
        self.context_turns = int(context_turns)
        self.context_reserve = int(context_reserve)
        self.next_tokens = int(next_tokens)
        self.tail_tokens = int(tail_tokens)
        self.cls = tokenizer.token_to_id("[CLS]")
        self.sep = tokenizer.token_to_id("[SEP]")
        self.pad = tokenizer.token_to_id("[PAD]") or 0
        if self.cls is None and tokenizer.token_to_id("<s>") is not None:  # MPNet and RoBERTa vocabularies
            self.cls, self.sep, self.pad = (tokenizer.token_to_id(t) for t in ("<s>", "</s>", "<pad>"))
        if self.cls is None or self.sep is None:
            raise ValueError("the tokenizer has no [CLS] or [SEP] token")
        self.prefix = {side: self._ids(f"{side} :") for side in ("counsellor", "client")}
        self.next_prefix = {side: self._ids(f"next {side} :") for side in ("counsellor", "client")}

    def config(self) -> dict:
        config = {"pair_format": PAIR_FORMAT, "max_length": self.max_length, "context_turns": self.context_turns,
                  "context_reserve": self.context_reserve}
        if self.next_tokens:
            config.update(pair_format=NEXT_PAIR_FORMAT, next_tokens=self.next_tokens)
        if self.tail_tokens:
            config["tail_tokens"] = self.tail_tokens
        return config

    def _ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def tokenize(self, texts) -> list[list[int]]:
        """WordPiece ids of each text without special tokens, each at most `max_length` long (its head and
        `tail_tokens` of its tail when longer)."""
        texts = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts]
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        return [self._fit(e.ids, self.max_length) for e in encodings]

    def _fit(self, ids: list[int], room: int) -> list[int]:
        """`ids` cut to `room` tokens: the head, or the head and the last `tail_tokens` (at most half the room)."""
        if len(ids) <= room:
            return ids
        tail = min(self.tail_tokens, room // 2)
        return ids[: room - tail] + (ids[-tail:] if tail else [])

    def encode(self, texts, sides, conversations, rows=None) -> list[tuple[list[int], int]]:
        """(ids, length of the first segment with [CLS] and [SEP]) for each row in `rows` (default: all).

        `texts`, `sides` and `conversations` are the whole table in conversation order; context is
        built from the non-blank rows of the same conversation before (and, with `next_tokens`, after) each row.
        """
        texts = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts]
        sides = list(sides)
        conv = pd.factorize(pd.Series(list(conversations), dtype=object))[0]
        n = len(texts)
        rows = range(n) if rows is None else rows
        wanted = np.zeros(n, dtype=bool)
        wanted[list(rows)] = True
        present = np.array([t.strip() != "" for t in texts], dtype=bool)
        # Which rows are needed: the wanted rows and up to `context_turns` present rows before each.
        need = wanted.copy()
        following = np.full(n, -1)  # the next present row of the same conversation (-1: none, or not read)
        if self.next_tokens:
            after = -1
            for i in range(n - 1, -1, -1):
                if i + 1 < n and conv[i + 1] != conv[i]:
                    after = -1
                following[i] = after
                if present[i]:
                    after = i
            need[following[wanted & (following >= 0)]] = True
        previous: dict[int, list[int]] = {}
        history: list[int] = []
        for i in range(n):
            if i and conv[i] != conv[i - 1]:
                history = []
            if wanted[i]:
                previous[i] = history[::-1][: self.context_turns]
                need[previous[i]] = True
            if present[i]:
                history.append(i)
                if len(history) > self.context_turns:
                    history.pop(0)
        index = np.flatnonzero(need)
        tokens = dict(zip(index.tolist(), self.tokenize([texts[i] for i in index])))
        budget = self.max_length - 3
        out = []
        for i in rows:
            prefix = self.prefix[sides[i]]
            ctx: list[int] = []
            if following[i] >= 0:
                j = following[i]
                ctx = (self.next_prefix[sides[j]] + tokens[j])[: self.next_tokens]
            head = len(ctx)  # the next turn's tokens come first and add to the context's reserve
            for j in previous[i]:
                ctx += self.prefix[sides[j]] + tokens[j]
                if len(ctx) >= budget:
                    break
            cut = budget - min(len(ctx), self.context_reserve + head)
            utt = (prefix + self._fit(tokens[i], max(cut - len(prefix), 0)))[:cut]
            ctx = ctx[: budget - len(utt)]
            first = [self.cls] + utt + [self.sep]
            out.append((first + ctx + [self.sep] if ctx else first, len(first)))
        return out

    def batch(self, encoded: list[tuple[list[int], int]]) -> dict[str, np.ndarray]:
        """Padded int64 arrays input_ids, attention_mask, token_type_ids of a list of `encode` rows."""
        width = max(len(ids) for ids, _ in encoded)
        input_ids = np.full((len(encoded), width), self.pad, dtype=np.int64)
        attention = np.zeros((len(encoded), width), dtype=np.int64)
        types = np.zeros((len(encoded), width), dtype=np.int64)
        for r, (ids, first) in enumerate(encoded):
            input_ids[r, : len(ids)] = ids
            attention[r, : len(ids)] = 1
            types[r, first: len(ids)] = 1
        return {"input_ids": input_ids, "attention_mask": attention, "token_type_ids": types}


def length_batches(lengths, batch_size: int, rng: np.random.Generator | None = None,
                   chunk_batches: int = 50) -> list[np.ndarray]:
    """Batches of row positions with similar lengths.

    With `rng`: shuffle, sort by length within chunks of `chunk_batches` batches, then shuffle the
    batches (training). Without: sorted by length (serving), which pads least.
    """
    lengths = np.asarray(lengths)
    if rng is None:
        order = np.argsort(lengths, kind="stable")
        return [order[i: i + batch_size] for i in range(0, len(order), batch_size)]
    order = rng.permutation(len(lengths))
    chunk = batch_size * chunk_batches
    batches = []
    for start in range(0, len(order), chunk):
        part = order[start: start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches += [part[i: i + batch_size] for i in range(0, len(part), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]
