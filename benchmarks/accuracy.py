"""The accuracy table (per code, per corpus) of a model, from the held-out evaluation stored with it.

    python benchmarks/accuracy.py [models/default.json]    # what `mi-coder train` measured
    mi-coder evaluate                                        # the same evaluation, run again

`mi-coder train` cross-validates the recipe by transcript (5 folds over AnnoMI + ESConv, each
utterance scored once) before fitting the final model, and stores every score in the manifest.
"""

import json
import sys
from pathlib import Path

from mi_coder.evaluate import format_report

path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "models" / "default.json")
info = json.loads(path.read_text())["info"]
if "evaluation" not in info:
    sys.exit(f"{path}: no stored evaluation; train with `mi-coder train --folds 5`")
manifest = json.loads(path.read_text())
print(f"model: {path.name}, trained on {info['training_rows']}, parameters {manifest.get('params')}, "
      f"training {info.get('training')}")
print(format_report(info["evaluation"]))
if "quality" in info:
    q = info["quality"]["evaluation"]
    print(f"\nsession quality (mi_quality_probability): AUC {q['auc']:.3f} for AnnoMI's high vs low quality, "
          f"{q['folds']}-fold transcript-grouped CV over held-out codes of {q['transcripts']} transcripts "
          f"({q['good']} high)")
