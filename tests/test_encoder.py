"""The accurate tier: serving on a tiny hand-built ONNX model (no torch), and (slow) the training wiring."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")
onnx = pytest.importorskip("onnx")

from mi_coder.codes import ALL_CODES, CLIENT_CODES, COUNSELLOR_CODES, allowed_codes  # noqa: E402
from mi_coder.coding._encoder_input import PairEncoder, length_batches  # noqa: E402
from mi_coder.errors import ModelIntegrityError  # noqa: E402

WORDS = ["counsellor", "client", ":", "great", "quit", "smoke", "why", "you", "feel", "want", "to", "i", "do", "next"]
# Each of these words pushes one code's logit up by 5; every other token adds nothing.
CUE = {"great": "affirmation", "why": "open_question", "quit": "change_talk", "smoke": "sustain_talk"}


def tiny_tokenizer():
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel

    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + WORDS)}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return tokenizer


def tiny_onnx(path, vocab_size: int):
    """logits = Σ_tokens mask · table[input_ids] + Σ_tokens mask · types · 0: a bag of cue words, 11 outputs."""
    from onnx import TensorProto, helper, numpy_helper

    table = np.zeros((vocab_size, len(ALL_CODES)), dtype=np.float32)
    for word, code in CUE.items():
        table[4 + WORDS.index(word), ALL_CODES.index(code)] = 5.0
    table[4 + WORDS.index("smoke"), ALL_CODES.index("advice")] = 50.0  # never shows on the client side
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["emb"]),
         helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
         helper.make_node("Cast", ["token_type_ids"], ["typef"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["typef", "zero"], ["typez"]),
         helper.make_node("Add", ["maskf", "typez"], ["weight"]),
         helper.make_node("Unsqueeze", ["weight", "axis2"], ["weight3"]),
         helper.make_node("Mul", ["emb", "weight3"], ["masked"]),
         helper.make_node("ReduceSum", ["masked", "axis1"], ["logits"], keepdims=0)],
        "tiny",
        [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "length"])
         for n in ("input_ids", "attention_mask", "token_type_ids")],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", len(ALL_CODES)])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(np.float32(0.0), "zero"),
         numpy_helper.from_array(np.array([2], np.int64), "axis2"),
         numpy_helper.from_array(np.array([1], np.int64), "axis1")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


@pytest.fixture()
def folder(tmp_path):
    """A model folder as `encoder_train.export_onnx` writes it, with the tiny model and tokenizer."""
    tokenizer = tiny_tokenizer()
    tiny_onnx(tmp_path / "model_int8.onnx", tokenizer.get_vocab_size())
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    sha = hashlib.sha256((tmp_path / "model_int8.onnx").read_bytes()).hexdigest()
    encoder = PairEncoder(tokenizer, max_length=16)
    config = {"format": 1, "codes": list(ALL_CODES), **encoder.config(), "tokenizer": "tokenizer.json",
              "model": "model_int8.onnx", "sha256": sha, "files": {"model_int8.onnx": sha}}
    (tmp_path / "encoder.json").write_text(json.dumps(config))
    return tmp_path, sha


def utterances(rows):
    return pd.DataFrame(rows, columns=["text", "side", "transcript"])


def test_per_side_probabilities_and_blank_rows(folder):
    from mi_coder.coding import EncoderCoder

    path, sha = folder
    coder = EncoderCoder(path, sha256=sha)
    X = utterances([("why do you smoke", "counsellor", 1), ("", "client", 1), ("   ", "counsellor", 1),
                    ("i want to quit", "client", 1), ("you do great", "therapist", 3), (None, "client", 2),
                    ("i smoke", "client", 2)])
    proba = coder.side_proba(X)
    assert proba["counsellor"].shape == (7, len(COUNSELLOR_CODES)) and proba["client"].shape == (7, 3)
    counsellor, client = [0, 4], [3, 6]
    np.testing.assert_allclose(proba["counsellor"][counsellor].sum(axis=1), 1.0)
    np.testing.assert_allclose(proba["client"][client].sum(axis=1), 1.0)
    assert np.isnan(proba["counsellor"][[1, 2, 3, 5, 6]]).all() and np.isnan(proba["client"][[0, 1, 2, 4, 5]]).all()
    # "smoke" pushes sustain_talk (5) and advice (50): a counsellor's is advice, a client's is sustain talk,
    # and the client's softmax runs over the 3 client codes only (else the advice logit would swamp it).
    assert COUNSELLOR_CODES[proba["counsellor"][0].argmax()] == "advice"
    assert CLIENT_CODES[proba["client"][6].argmax()] == "sustain_talk"
    assert CLIENT_CODES[proba["client"][3].argmax()] == "change_talk"
    assert list(coder.predict(X)) == ["advice", "", "", "change_talk", "affirmation", "", "sustain_talk"]


def test_context_is_previous_turns_of_the_same_transcript(folder):
    from mi_coder.coding import EncoderCoder

    path, sha = folder
    coder = EncoderCoder(path, sha256=sha)
    alone = coder.side_proba(utterances([("you feel", "counsellor", 1)]))["counsellor"][0]
    after = coder.side_proba(utterances([("i quit great", "client", 1), ("", "client", 1),
                                         ("you feel", "counsellor", 1)]))["counsellor"][2]
    other = coder.side_proba(utterances([("i quit great", "client", 1), ("you feel", "counsellor", 2)]))
    assert after[COUNSELLOR_CODES.index("affirmation")] > alone[COUNSELLOR_CODES.index("affirmation")] + 0.5
    np.testing.assert_allclose(other["counsellor"][1], alone)


def test_coding_some_rows_still_reads_the_others_as_context(folder):
    from mi_coder.coding import EncoderCoder

    path, sha = folder
    coder = EncoderCoder(path, sha256=sha)
    X = utterances([("i quit great", "client", 1), ("you feel", "counsellor", 1), ("why", "counsellor", 1)])
    every = coder.side_proba(X)
    some = coder.side_proba(X, rows=[1])
    np.testing.assert_allclose(some["counsellor"][1], every["counsellor"][1])  # row 0 still its context
    assert np.isnan(some["client"][0]).all() and np.isnan(some["counsellor"][2]).all()


def test_hash_pin(folder, allow_list):
    from mi_coder.coding import EncoderCoder
    from mi_coder.coding import trust_model

    path, sha = folder
    with pytest.raises(ModelIntegrityError, match="does not match"):
        EncoderCoder(path, sha256="0" * 64)
    with pytest.raises(ModelIntegrityError, match="not pinned"):
        EncoderCoder(path)
    EncoderCoder(path, trusted=True)
    trust_model(sha, "test_encoder tiny model")
    EncoderCoder(path)  # now in the allow-list
    # A swapped model file no longer matches the hash its folder records, even for a trusted caller.
    data = (path / "model_int8.onnx").read_bytes()
    (path / "model_int8.onnx").write_bytes(data + b"\0")
    with pytest.raises(ModelIntegrityError, match="records"):
        EncoderCoder(path, trusted=True)


def test_pair_encoder_truncation_and_order():
    tokenizer = tiny_tokenizer()
    encoder = PairEncoder(tokenizer, max_length=12, context_turns=2, context_reserve=4)
    vocab = tokenizer.get_vocab()
    encoded = encoder.encode(["why", "i quit", "you feel great great great great great great great great", "i smoke"],
                             ["counsellor", "client", "counsellor", "client"], [1, 1, 1, 1])
    ids, first = encoded[3]
    words = [tokenizer.id_to_token(i) for i in ids]
    # The utterance first; then the newest previous turn, cut at max_length; [SEP] last.
    assert words[:first] == ["[CLS]", "client", ":", "i", "smoke", "[SEP]"]
    assert words[first:] == ["counsellor", ":", "you", "feel", "great", "[SEP]"] and len(ids) == 12
    ids, first = encoded[2]  # a long utterance keeps room for `context_reserve` context tokens
    assert first == 12 - 1 - 4 and len(ids) == 12
    assert [tokenizer.id_to_token(i) for i in encoded[0][0]] == ["[CLS]", "counsellor", ":", "why", "[SEP]"]
    batch = encoder.batch(encoded)
    assert batch["input_ids"].shape == (4, 12) and batch["token_type_ids"][3].tolist() == [0] * 6 + [1] * 6
    assert vocab["[PAD]"] == batch["input_ids"][0, -1] and batch["attention_mask"][0].sum() == 5


def test_a_long_utterance_keeps_its_head_and_the_question_at_its_end():
    tokenizer = tiny_tokenizer()
    long = "you feel great great great great great great great great do you want to quit"
    kept = {}
    for tail in (0, 5, 50):
        encoder = PairEncoder(tokenizer, max_length=16, context_turns=0, tail_tokens=tail)
        ids, _ = encoder.encode([long], ["counsellor"], [1])[0]
        kept[tail] = [tokenizer.id_to_token(i) for i in ids[3:-1]]  # the utterance without [CLS] side : … [SEP]
    assert len(kept[0]) == len(kept[5]) == 11 and kept[0][-1] == "do"  # the head alone loses the question
    assert kept[5] == ["you", "feel"] + ["great"] * 4 + ["do", "you", "want", "to", "quit"]
    assert kept[50] == kept[5]  # the tail takes at most half the room
    assert PairEncoder(tokenizer).tail_tokens == 0 and "tail_tokens" not in PairEncoder(tokenizer).config()


def test_pair_encoder_can_read_the_start_of_the_next_turn():
    tokenizer = tiny_tokenizer()
    encoder = PairEncoder(tokenizer, max_length=14, context_turns=2, context_reserve=2, next_tokens=4)
    assert encoder.config()["next_tokens"] == 4 and "next_tokens" not in PairEncoder(tokenizer).config()
    encoded = encoder.encode(["why", "i quit", " ", "you feel great", "i smoke"],
                             ["counsellor", "client", "client", "counsellor", "client"], [1, 1, 1, 1, 2])

    def words(k):
        ids, first = encoded[k]
        return [tokenizer.id_to_token(i) for i in ids[first:]]

    # The next non-blank turn of the same transcript first, cut to `next_tokens`; then the previous turns.
    assert words(0) == ["next", "client", ":", "i", "[SEP]"]
    assert words(1) == ["next", "counsellor", ":", "you", "counsellor", ":", "why", "[SEP]"]
    assert words(3) == ["client", ":", "i", "quit", "counsellor", ":", "[SEP]"]  # the last turn of its transcript
    assert encoded[4][0] == encoded[4][0][: encoded[4][1]]  # alone in its transcript: no second segment
    # A long utterance leaves room for the next turn's tokens on top of `context_reserve`.
    long = encoder.encode(["why", "you feel great " * 6, "i quit"], ["client", "counsellor", "client"], [1, 1, 1])
    assert long[1][1] == 14 - 1 - (2 + 4) and len(long[1][0]) == 14


def test_allowed_codes_and_batches():
    assert allowed_codes("question") == ("open_question", "closed_question")
    assert allowed_codes("affirmation|advice|other") == ("affirmation", "advice", "other")
    assert allowed_codes("neutral") == ("neutral",)
    lengths = np.array([5, 1, 9, 3, 7, 2, 8])
    batches = length_batches(lengths, 3, np.random.default_rng(0), chunk_batches=1)
    assert sorted(np.concatenate(batches).tolist()) == list(range(7))
    assert [lengths[b].tolist() for b in length_batches(lengths, 3)] == [[1, 2, 3], [5, 7, 8], [9]]


def test_soft_targets_mix_into_the_partial_label_loss():
    """(1 - distil) * the label's loss + distil * the cross-entropy to the teacher; no label: the teacher alone."""
    torch = pytest.importorskip("torch")
    from mi_coder.training._fine_tune import label_targets, partial_label_loss, side_index, side_masks

    sides = ["counsellor", "counsellor", "client"]
    allowed = torch.from_numpy(label_targets(["question", None, "neutral"], sides))
    assert not allowed[1].any()
    logits = torch.randn(3, len(ALL_CODES))
    side, masks = torch.from_numpy(side_index(sides)), side_masks()
    soft = torch.zeros(3, len(ALL_CODES))
    soft[0, ALL_CODES.index("open_question")] = 0.8
    soft[0, ALL_CODES.index("advice")] = 0.2
    soft[1, ALL_CODES.index("affirmation")] = 1.0  # row 2: no teacher, its label only
    log_p = torch.log_softmax(logits.masked_fill(~masks[side], float("-inf")), -1)
    hard = -torch.logsumexp(log_p.masked_fill(~allowed, float("-inf")), -1)
    cross0 = -(0.8 * log_p[0, ALL_CODES.index("open_question")] + 0.2 * log_p[0, ALL_CODES.index("advice")])
    expected = ((0.7 * hard[0] + 0.3 * cross0) - log_p[1, ALL_CODES.index("affirmation")] + hard[2]) / 3
    got = partial_label_loss(logits, side, allowed, torch.ones(3), masks, soft, distil=0.3)
    torch.testing.assert_close(got, expected)
    plain = partial_label_loss(logits[[0, 2]], side[[0, 2]], allowed[[0, 2]], torch.ones(2), masks)
    torch.testing.assert_close(plain, (hard[0] + hard[2]) / 2)


def synthetic_frame(n_conversations: int = 8) -> pd.DataFrame:
    """~64 coded rows with full, coarse and partial labels, in conversation order."""
    rows = []
    turns = [("counsellor", "why do you smoke", "open_question"), ("client", "i smoke", "sustain_talk"),
             ("counsellor", "you feel great", "question"), ("client", "i want to quit", "change_talk"),
             ("counsellor", "great", "affirmation|advice|other"), ("client", "i do", "neutral"),
             ("counsellor", "you want to quit", "reflection"), ("client", "", None),
             ("counsellor", "do you", "closed_question")]
    for c in range(n_conversations):
        for side, text, code in turns:
            rows.append(("tiny", f"g{c // 2}", f"c{c}", side, text, code))
    return pd.DataFrame(rows, columns=["corpus", "group", "conversation", "side", "text", "code"])


@pytest.mark.slow
def test_training_resumes_and_exports(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from transformers import BertConfig

    from mi_coder.coding import EncoderCoder
    from mi_coder.training._fine_tune import CHECKPOINT, train_encoder

    frame = synthetic_frame()
    tokenizer = tiny_tokenizer()
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    kwargs = dict(epochs=2, max_length=24, batch_size=8, base=config, tokenizer=tokenizer, checkpoint_every=3,
                  corpus_weights=np.ones(len(frame)), bf16=False)
    whole = train_encoder(frame, tmp_path / "whole", **kwargs)
    assert whole["rows"] == 64 and whole["steps"] == 16 and whole["resumed"] == 0

    class Killed(Exception):
        pass

    def kill_at_7(step, total, info):
        if step == 7:
            raise Killed

    with pytest.raises(Killed):
        train_encoder(frame, tmp_path / "killed", progress=kill_at_7, export=False, **kwargs)
    resumed = train_encoder(frame, tmp_path / "killed", **kwargs)
    assert resumed["resumed"] == 1 and resumed["steps"] == 16 and resumed["examples"] == whole["examples"]
    a = torch.load(tmp_path / "whole" / CHECKPOINT, weights_only=False)["model"]
    b = torch.load(tmp_path / "killed" / CHECKPOINT, weights_only=False)["model"]
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=0, atol=1e-6, msg=name)
    with pytest.raises(ValueError, match="another run"):
        train_encoder(frame, tmp_path / "whole", **{**kwargs, "lr": 1e-3})

    folder = tmp_path / "whole"
    config = json.loads((folder / "encoder.json").read_text())
    assert config["model"] == "model_int8.onnx" and set(config["files"]) == {"model_fp32.onnx", "model_int8.onnx"}
    X = frame.rename(columns={"conversation": "transcript"})[["text", "side", "transcript"]]
    for name, sha in config["files"].items():
        proba = EncoderCoder(folder, sha256=sha, model_file=name).side_proba(X)
        coded = X["text"].str.strip().ne("").to_numpy()
        for side, p in proba.items():
            mine = coded & (X["side"] == side).to_numpy()
            np.testing.assert_allclose(p[mine].sum(axis=1), 1.0, rtol=1e-6)
            assert np.isnan(p[~mine]).all()


def test_the_accurate_tier_mixes_the_encoder_into_the_linear_coder(folder, tiny_model, monkeypatch, tmp_path):
    """MICoder(encoder=...) mixes log-linearly, survives clone, and load('accurate') pins and names the tier."""
    from sklearn.base import clone

    import mi_coder
    from mi_coder import tiers
    from mi_coder.coding import mix
    from mi_coder.coding import EncoderCoder
    from mi_coder.coding import load_model

    path, sha = folder
    linear = load_model(tiny_model)
    X = utterances([("why do you want to quit", "counsellor", "t"), ("i want to quit", "client", "t")])
    encoder = EncoderCoder(path, sha256=sha)
    alone, enc = linear.side_proba(X), encoder.side_proba(X)
    both = clone(linear).set_params(encoder=encoder, encoder_weight=0.5)
    both.__dict__.update({k: v for k, v in linear.__dict__.items() if k.endswith("_")})
    mixed = both.side_proba(X)
    expected = mix(alone, enc, 0.5)
    np.testing.assert_allclose(mixed["counsellor"][0], expected["counsellor"][0])
    # the mix floors each probability at 1e-9 (a code the tiny model never saw, confront, has less)
    geometric = np.sqrt(np.clip(alone["counsellor"][0], 1e-9, 1) * np.clip(enc["counsellor"][0], 1e-9, 1))
    np.testing.assert_allclose(mixed["counsellor"][0], geometric / geometric.sum(), rtol=1e-6)
    per_side = mix(alone, enc, {"counsellor": 0.5, "client": 0.9})  # one weight per side
    np.testing.assert_allclose(per_side["counsellor"][0], expected["counsellor"][0])
    np.testing.assert_allclose(per_side["client"][1], mix(alone, enc, 0.9)["client"][1])
    assert not np.allclose(per_side["client"][1], expected["client"][1])
    assert clone(both).get_params()["encoder"].model_sha256_ == sha  # a copy reloads the pinned folder

    # The shipped accurate tier: the pinned linear model plus the pinned encoder folder, named by both hashes.
    shipped = tmp_path / "models"
    shipped.mkdir()
    (shipped / "accurate").symlink_to(path, target_is_directory=True)
    weight = {"counsellor": 0.3, "client": 0.4}
    (shipped / "accurate.json").write_text(json.dumps({"sha256": "x", "mix_weight": weight,
                                                       "info": {"confusion": None}}))
    monkeypatch.setattr(tiers, "accurate_dir", lambda: shipped / "accurate")
    monkeypatch.setenv("MI_CODER_MODEL", str(tiny_model))
    monkeypatch.setattr("mi_coder.coding._pins.ACCURATE_ENCODER_SHA256", sha)
    coder = mi_coder.load("accurate")
    assert coder.encoder_weight == {"counsellor": 0.3, "client": 0.4}
    assert coder.model_sha256_ == tiers.tier_id(linear.model_sha256_, sha)
    monkeypatch.setattr("mi_coder.coding._pins.ACCURATE_ENCODER_SHA256", "0" * 64)
    with pytest.raises(ModelIntegrityError):
        mi_coder.load("accurate")


@pytest.mark.slow
def test_building_the_accurate_tier_writes_what_tiers_load(tmp_path, corpus_slice, tiny_model, monkeypatch):
    """`mi-coder train --tier accurate`'s steps on a tiny random encoder: folder, manifest, pins, loading."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from transformers import BertConfig

    import mi_coder
    from mi_coder import tiers
    from mi_coder.training._accurate import MIX_WEIGHT, build_accurate
    from mi_coder.coding import read_manifest

    tokenizer = tiny_tokenizer()
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    out = tmp_path / "models" / "accurate"
    manifest = build_accurate(corpus_slice, out, fast_model=tiny_model, max_length=24, base=config,
                              tokenizer=tokenizer, batch_size=64, bf16=False, subsample={"esconv": 200})
    assert sorted(p.name for p in out.iterdir()) == ["encoder.json", "model_int8.onnx", "tokenizer.json"]
    assert manifest["mix_weight"] == MIX_WEIGHT and manifest["fast_sha256"] == read_manifest(tiny_model)["sha256"]
    assert manifest["info"]["evaluation"]["annomi_coarse_4"]["n"] > 0  # scored on the held-out fold only
    assert manifest["info"]["confusion"]["counsellor"]["counts"]
    monkeypatch.setattr(tiers, "accurate_dir", lambda: out)
    monkeypatch.setenv("MI_CODER_MODEL", str(tiny_model))
    monkeypatch.setattr("mi_coder.coding._pins.ACCURATE_ENCODER_SHA256", manifest["encoder_sha256"])
    coder = mi_coder.load("accurate")
    assert coder.model_sha256_ == manifest["sha256"]
    coded = coder.code_frame(corpus_slice[["text", "side", "conversation"]].head(40).rename(
        columns={"side": "speaker"}))
    assert coded["mi_model"].iloc[0] == manifest["sha256"][:16]
    summary = mi_coder.summarize(coded, confusion="accurate")
    assert "reflection_to_question_low" in summary.columns


@pytest.mark.slow
def test_a_distilled_accurate_tier_learns_from_its_teacher_and_its_uncoded_rows(tmp_path, corpus_slice, tiny_model):
    """`--teacher`: the teacher trains first, labels the student's rows (cached), and the student reads
    uncoded rows too; the manifest records the teacher."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from transformers import BertConfig

    from mi_coder.training._accurate import build_accurate

    tokenizer = tiny_tokenizer()
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    teacher = BertConfig(**{**config.to_dict(), "hidden_size": 48, "intermediate_size": 96})
    out = tmp_path / "accurate"
    kwargs = dict(fast_model=tiny_model, max_length=24, base=config, tokenizer=tokenizer, batch_size=64,
                  bf16=False, subsample={"esconv": 200}, teacher=teacher)
    manifest = build_accurate(corpus_slice, out, **kwargs)
    work = tmp_path / "accurate-work"
    taught = manifest["info"]["training"]["teacher"]
    assert taught["rows"] < manifest["info"]["training"]["rows"]  # the student also reads uncoded client rows
    soft = np.load(next((work / "teacher").glob("soft_*.npz")))["soft"]
    labelled = ~np.isnan(soft).any(axis=1)
    np.testing.assert_allclose(soft[labelled].sum(axis=1), 1.0, rtol=1e-5)
    assert corpus_slice["code"].isna().to_numpy()[labelled].any()
    again = build_accurate(corpus_slice, out, **kwargs)  # resumes: nothing retrained, the same encoder
    assert again["encoder_sha256"] == manifest["encoder_sha256"]


def test_the_accurate_tier_without_its_runtime_says_what_to_install(monkeypatch, capsys, tmp_path):
    """An environment that lost onnxruntime: one line naming what to install, exit 2, no output."""
    import builtins

    from mi_coder.cli import main

    real_import = builtins.__import__

    def no_onnxruntime(name, *args, **kwargs):
        if name == "onnxruntime" or name.startswith("onnxruntime."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnxruntime)
    from mi_coder import pins

    if not pins.ACCURATE_ENCODER_SHA256:
        pytest.skip("this checkout ships no accurate tier")
    out = tmp_path / "coded.csv"
    from conftest import EXAMPLES

    assert main(["code", str(EXAMPLES / "peer_support_chat.csv"), "-o", str(out), "--tier", "accurate", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install onnxruntime tokenizers" in err[0] and "--tier fast" in err[0]
    assert not out.exists()


def test_an_accurate_code_does_not_depend_on_the_rows_coded_with_it():
    """int8 activations are scaled per run: coding a row alone or among a file's rows must agree."""
    from mi_coder import pins
    from mi_coder.coding import EncoderCoder
    from mi_coder.coding._tiers import accurate_dir
    from conftest import EXAMPLES

    if not pins.ACCURATE_ENCODER_SHA256:
        pytest.skip("this checkout ships no accurate tier")
    from mi_coder.io import Layout

    table = pd.read_csv(EXAMPLES / "peer_support_chat.csv")
    X = Layout.resolve(table).utterances(table)
    encoder = EncoderCoder(accurate_dir(), sha256=pins.ACCURATE_ENCODER_SHA256)
    together = encoder.side_proba(X)
    for n in (3, len(X) - 1):
        alone = encoder.side_proba(X.iloc[: n + 1])
        for side, p in alone.items():
            np.testing.assert_allclose(p[n], together[side][n], atol=1e-6)
    # rows run side by side on threads (the default) or one after another: the same numbers
    one_at_a_time = EncoderCoder(accurate_dir(), sha256=pins.ACCURATE_ENCODER_SHA256, threads=1).side_proba(X)
    assert encoder.threads > 1
    for side, p in one_at_a_time.items():
        np.testing.assert_allclose(p, together[side], atol=1e-6)


def test_the_pair_encoder_reads_an_mpnet_style_vocabulary():
    """all-mpnet-base-v2 (issue #32's teacher) marks a pair with <s> … </s> and pads with <pad>."""
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel

    vocab = {w: i for i, w in enumerate(["<s>", "<pad>", "</s>", "[UNK]"] + WORDS)}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    encoder = PairEncoder(tokenizer, max_length=16)
    (ids, first), = encoder.encode(["why", "i want to quit"], ["client", "counsellor"], [0, 0], [1])
    assert ids[0] == vocab["<s>"] and ids[first - 1] == vocab["</s>"] and ids[-1] == vocab["</s>"]
    batch = encoder.batch([(ids, first), (ids[:first], first)])
    assert batch["input_ids"][1, first] == vocab["<pad>"]


def test_unpunctuated_copies_read_as_speech_to_text_writes():
    import pandas as pd

    from mi_coder.training._corpora import unpunctuate, unpunctuated_conversations

    assert unpunctuate("So, you're worried? 'Yes' -- it's fine... OK!") == "so you're worried yes it's fine ok"
    frame = pd.DataFrame({"conversation": ["a", "a", "b", "b"], "text": ["Why?", "Fine.", "How, then?", "OK!"]})
    copy = unpunctuated_conversations(frame, 0.5, seed=1)
    changed = copy["text"].ne(frame["text"])
    assert copy.groupby("conversation")["text"].apply(lambda t: t.str.contains(r"[?.,!]").any()).sum() == 1
    assert changed.groupby(frame["conversation"]).all().sum() == 1 and frame["text"].iloc[0] == "Why?"
