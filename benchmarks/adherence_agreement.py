"""How often the MITI adherence columns agree with people: Welivita's expert-checked forum replies.

    python benchmarks/adherence_agreement.py [--folds 3] [--oof held_out.npz] [--data-dir DIR]

Welivita & Pu's labels separate advice with and without permission, directing, emphasising
autonomy and confronting. Each Welivita thread is coded by a model that never saw it (grouped
cross-validation of the shipped recipe's first stage over every shared corpus, or the held-out
probabilities saved by an earlier run with --save, or one held-out fold's, as
`benchmarks/tier_comparison.py` caches them), then `adherence.adherence_flags` turns the
codes and cue rules into the summary's adherence flags. For each human label the table gives how
many sentences carry it and the share the flags put where MITI puts that label.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from mi_coder.summary._adherence import ADHERENCE_COUNTS, adherence_flags
from mi_coder.codes import COUNSELLOR, side_codes
from mi_coder.coding import MICoder
from mi_coder.training import CORPORA, read_corpora
from mi_coder.training import cross_validate

# Where MITI 4.2.1 puts each Welivita label among the adherence flags.
EXPECTED = {
    "Advise with Permission": "advice_with_permission",
    "Advise without Permission": "advice_without_permission",
    "Direct": "mi_non_adherent",
    "Warn": "mi_non_adherent",
    "Confront": "mi_non_adherent",
    "Emphasize Autonomy": "mi_adherent",
    "Affirm": "mi_adherent",
    "Support": "mi_adherent",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--oof", help="held-out probabilities (npz with counsellor and client arrays) to reuse")
    parser.add_argument("--save", help="write the held-out probabilities to this npz")
    parser.add_argument("--data-dir")
    args = parser.parse_args()

    frame = read_corpora(args.data_dir, CORPORA)
    if args.oof:
        proba = {k: v for k, v in np.load(args.oof).items() if k in ("counsellor", "client")}
    else:
        proba = cross_validate(frame, MICoder(session=None), n_splits=args.folds)
        if args.save:
            np.savez_compressed(args.save, **proba)
    predicted = side_codes(proba, frame["side"].to_numpy())
    coded = ~np.isnan(proba["counsellor"]).all(axis=1) | ~np.isnan(proba["client"]).all(axis=1)
    held = frame["conversation"].isin(set(frame.loc[coded, "conversation"])).to_numpy()  # whole threads held out
    welivita = (frame["corpus"] == "welivita").to_numpy() & held
    part = frame[welivita]
    flags = adherence_flags(part["text"].to_numpy(), predicted[welivita],
                            part["side"].eq(COUNSELLOR).to_numpy(), part["conversation"].to_numpy())
    flags.index = part.index
    labelled = part["label"].isin(list(EXPECTED))
    rows = []
    for label, flag in EXPECTED.items():
        mask = labelled & part["label"].eq(label)
        n = int(mask.sum())
        share = {f: float(flags.loc[mask, f].mean()) if n else float("nan") for f in ADHERENCE_COUNTS}
        rows.append({"human label": label, "sentences": n, "expected flag": flag,
                     "agree": share[flag], **{f"share {f}": v for f, v in share.items()}})
    table = pd.DataFrame(rows)
    print(f"Welivita forum replies, coded by held-out models ({'saved' if args.oof else f'{args.folds}-fold'} "
          "grouped CV); share of sentences of each human label that the adherence flags mark")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    # Sentence-level agreement of the two advice flags with the human permission labels.
    advice = part["label"].isin(["Advise with Permission", "Advise without Permission", "Direct", "Warn"])
    human_without = part["label"].isin(["Advise without Permission", "Direct", "Warn"])
    coded_without = flags["advice_without_permission"].eq(1)
    both = advice & (flags["advice_with_permission"] + flags["advice_without_permission"]).gt(0)
    print(f"\nhuman advice sentences coded as advice: {both.sum()}/{advice.sum()} "
          f"({both.sum() / max(advice.sum(), 1):.2f}); of those, permission status agrees on "
          f"{(human_without[both] == coded_without[both]).mean():.2f}")


if __name__ == "__main__":
    main()
