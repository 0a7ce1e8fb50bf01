"""The accuracy table of the shipped tiers, per domain and per code, from the held-out evaluation stored with them.

    python benchmarks/accuracy.py [models/default.json [models/accurate.json]]   # what training measured
    mi-coder evaluate                                                            # the fast tier's, run again

`mi-coder train` cross-validates the fast recipe by group (5 folds over every shared corpus: an AnnoMI
source video, a forum thread, a chat never straddles folds; each utterance scored once) and stores
every score in the manifest. `mi-coder train --tier accurate` stores the accurate tier's, measured
on the one grouped fold its encoder did not learn from (`python benchmarks/tier_comparison.py`
compares both tiers on that same fold). MIBot's labels are an LLM's (silver): read them as agreement
with that LLM, not accuracy.
"""

import argparse
import json
import sys
from pathlib import Path

from mi_coder.training import format_report, headline

MODELS = Path(__file__).resolve().parent.parent / "models"
# (label, headline key) of the per-domain table the issues set targets on.
DOMAIN_ROWS = [
    ("AnnoMI counsellor coarse-4 macro-F1", "annomi_coarse4_macro_f1"),
    ("AnnoMI client macro-F1", "client_macro_f1"),
    ("AnnoMI open/closed accuracy", "open_vs_closed_accuracy"),
    ("ESConv supporter coarse-6 macro-F1", "esconv_coarse6_macro_f1"),
    ("ESConv affirmation F1", "esconv_affirmation_f1"),
    ("Welivita forum replies coarse-6 macro-F1", "welivita_coarse6_macro_f1"),
    ("Welivita affirmation F1", "welivita_affirmation_f1"),
    ("Welivita advice F1", "welivita_advice_f1"),
    ("Welivita open/closed accuracy", "welivita_open_vs_closed_accuracy"),
    ("MIBot chatbot client macro-F1 (silver)", "mibot_silver_client_macro_f1"),
    ("MIBot question vs reflection accuracy (silver)", "mibot_silver_question_reflection_accuracy"),
    ("Reddit advice F1", "reddit_advice_f1"),
    ("Welivita confront F1", "welivita_confront_f1"),
    ("all full-scheme corpora, counsellor every-code macro-F1", "counsellor_macro_f1"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifests", nargs="*", type=Path,
                        help="tier manifests to print (default: models/default.json and models/accurate.json)")
    paths = parser.parse_args().manifests or [p for p in (MODELS / "default.json", MODELS / "accurate.json")
                                              if p.is_file()]
    manifests = {p.stem: json.loads(p.read_text()) for p in paths}
    flat = {}
    for name, manifest in manifests.items():
        info = manifest["info"]
        if "evaluation" not in info:
            sys.exit(f"{name}: no stored evaluation; train with `mi-coder train --folds 5`")
        flat[name] = headline(info["evaluation"])
        if "evaluation_unpunctuated" in info:  # the same held-out rows without punctuation and case
            flat[f"{name} unpunct."] = headline(info["evaluation_unpunctuated"])
        scope = (f"fold {info['training']['holdout_fold']} of 5 (grouped)" if manifest.get("tier") == "accurate"
                 else f"{info['training'].get('folds')}-fold grouped CV")
        print(f"{name}: {scope}; trained on {info.get('training_rows', info['training'])}")
    print(f"\n{'score':<56}" + "".join(f"{n:>18}" for n in flat))
    for label, key in DOMAIN_ROWS:
        values = [flat[n].get(key) for n in flat]
        if any(v is not None for v in values):
            print(f"{label:<56}" + "".join(f"{v:>18.3f}" if v is not None else f"{'–':>18}" for v in values))
    for name, manifest in manifests.items():
        info = manifest["info"]
        print(f"\n===== {name} =====")
        print(format_report(info["evaluation"]))
        if "quality" in info and info["quality"] and name == "default":
            q = info["quality"]["evaluation"]
            print(f"\nsession quality (mi_quality_probability): AUC {q['auc']:.3f} for AnnoMI's high vs low quality, "
                  f"{q['folds']}-fold transcript-grouped CV over held-out codes of {q['transcripts']} transcripts "
                  f"({q['good']} high)")


if __name__ == "__main__":
    main()
