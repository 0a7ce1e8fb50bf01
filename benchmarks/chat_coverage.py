"""Do the summaries' intervals and the quality estimate hold on short written chats, not only AnnoMI?

    python benchmarks/chat_coverage.py --proba HELD_OUT.npz [--model models/default.joblib]

Welivita's forum threads are coded by experts in the contract's whole scheme, so each thread's
summary from the experts' codes can be compared with the one from held-out model codes (HELD_OUT.npz:
per-side probabilities aligned with `read_corpora(CORPORA)`'s rows, NaN where not held out, as
`benchmarks/tier_comparison.py` caches them). For every score, the table gives how many threads
have it from both, how many of those the summary calls "too few to tell", and how often the 90%
interval of the rest holds the experts' value; and the share of threads and MIBot chats the
quality estimate withholds as too short. The intervals use the model's stored held-out confusions.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from mi_coder.codes import ALL_CODES, side_codes
from mi_coder.training import CORPORA, read_corpora
from mi_coder.report._display import evidence
from mi_coder.summary import SCORES
from mi_coder.summary import model_info, summarize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proba", required=True)
    parser.add_argument("--model", default="default", help="whose confusions give the intervals")
    parser.add_argument("--data-dir")
    args = parser.parse_args()

    frame = read_corpora(args.data_dir, CORPORA)
    proba = {k: v for k, v in np.load(args.proba).items() if k in ("counsellor", "client")}
    held = ~np.isnan(proba["counsellor"]).all(axis=1) | ~np.isnan(proba["client"]).all(axis=1)
    conversations = set(frame.loc[held, "conversation"])
    frame = frame.assign(mi_code=side_codes(proba, frame["side"].to_numpy()), mi_side=frame["side"],
                         expert=frame["code"].where(frame["code"].isin(ALL_CODES), ""))
    info = model_info(args.model)
    rows = []
    for corpus in ("welivita", "mibot"):
        part = frame[(frame["corpus"] == corpus) & frame["conversation"].isin(conversations)]
        model = summarize(part, "conversation", "mi_code", confusion=info, text_col="text")
        quality = model["mi_quality_probability"].isna().mean() if "mi_quality_probability" in model else np.nan
        print(f"{corpus}: {len(model)} held-out chats, median {part.groupby('conversation').size().median():.0f} "
              f"utterances; quality estimate withheld as too short for {quality:.0%}")
        if corpus != "welivita":
            continue  # MIBot's labels are silver and partial: no expert summary to compare with
        expert = summarize(part, "conversation", "expert", confusion=None, text_col="text")
        merged = model.merge(expert, on="conversation", suffixes=("", "_expert"))
        for name in SCORES:
            if f"{name}_low" not in merged.columns:  # no interval for this score (no client codes in the threads)
                continue
            both = merged[name].notna() & merged[f"{name}_expert"].notna()
            states = [evidence(r, name)[0] for _, r in merged[both].iterrows()]
            judged = merged[both].loc[np.array([s == "ok" for s in states], dtype=bool)]
            holds = ((judged[f"{name}_low"] <= judged[f"{name}_expert"] + 1e-9)
                     & (judged[f"{name}_expert"] <= judged[f"{name}_high"] + 1e-9))
            rows.append({"score": name, "threads with it": int(both.sum()),
                         "too few to tell": int(len(states) - len(judged)),
                         "judged": len(judged), "interval holds experts'": float(holds.mean()) if len(judged) else np.nan})
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
