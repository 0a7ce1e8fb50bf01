"""Writes the three notebooks from the cell sources below (outputs stripped): python notebooks/make_notebooks.py"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """import os, shutil, tempfile
from pathlib import Path
import pandas as pd
import matplotlib.pyplot as plt   # figures show inline in Jupyter
import mi_coder
from mi_coder.training import default_data_dir

ROOT = Path(mi_coder.__file__).resolve().parents[2]   # the checkout (pip install -e .)
WORK = Path(tempfile.mkdtemp(prefix="mi_coder_nb_"))  # everything this notebook writes goes here (removed at the end)
DATA = default_data_dir()                              # ../shared/data, or $MI_CODER_DATA"""

NOTEBOOKS = {
    "01_quickstart.ipynb": [
        new_markdown_cell("# 01 Quickstart: code a transcript and read its summary\n\n"
                          "Codes the illustrative counselling session in `data/` with the shipped model, "
                          "prints the MITI/MISC summary, and plots the code counts and the session timeline."),
        new_code_cell(SETUP),
        new_code_cell('session = pd.read_csv(ROOT / "data" / "counselling_session.csv")\n'
                      'coder = mi_coder.load()   # SHA-256 checked before unpickling\n'
                      'coded = coder.code_frame(session, probabilities=True)\n'
                      'coded[["interlocutor", "utterance_text", "mi_code", "mi_confidence"]].head(10)'),
        new_code_cell('coder.code("It sounds like you\'re worried about your drinking.")'),
        new_markdown_cell("Confronting, warning and directing are MI non-adherent (MITI 4.2.1 Confront and Persuade): "
                          "they are coded `confront` or `advice`, never reflections, and the summary counts them."),
        new_code_cell('for line in ["But you keep saying that and you\'re still smoking.",\n'
                      '             "You\'re in denial about how much you drink.",\n'
                      '             "If you keep drinking like this you will lose your liver."]:\n'
                      '    print(coder.code(line), "<-", line)'),
        new_code_cell('summary = mi_coder.summarize(coded)\n'
                      'summary.T'),
        new_code_cell('summary[["confront", "advice_without_permission", "mi_adherent", "mi_non_adherent", '
                      '"mi_quality_probability", "mi_quality_evidence"]]'),
        new_markdown_cell("Each ratio has a 90% interval (`_low`, `_high`) and the probability of its MITI band, "
                          "from the model's held-out error rates. Counts of every code:"),
        new_code_cell('counts = coded["mi_code"].value_counts()\n'
                      'ax = counts.plot.barh(figsize=(6, 4), title="Code counts")\n'
                      'ax.invert_yaxis()\n'
                      'plt.tight_layout()'),
        new_code_cell('codes = list(mi_coder.COUNSELLOR_CODES)\n'
                      'fig, ax = plt.subplots(figsize=(9, 3.5))\n'
                      'for i, code in enumerate(coded["mi_code"]):\n'
                      '    if code in codes:\n'
                      '        ax.scatter(i, codes.index(code), color="tab:blue")\n'
                      '    elif code in ("change_talk", "sustain_talk"):\n'
                      '        ax.scatter(i, -1.5 if code == "change_talk" else -2.5,\n'
                      '                   color="tab:green" if code == "change_talk" else "tab:red", marker="s")\n'
                      'ax.set_yticks(list(range(len(codes))) + [-1.5, -2.5], codes + ["change talk", "sustain talk"])\n'
                      'ax.set_xlabel("utterance"); ax.set_title("Session timeline")\n'
                      'plt.tight_layout()'),
        new_code_cell('out = WORK / "coded.csv"\n'
                      'coded.to_csv(out, index=False)\n'
                      'print("also from the shell: mi-coder code data/counselling_session.csv -o coded.csv; "\n'
                      '      "mi-coder summarize coded.csv -o summary.csv; mi-coder report coded.csv -o report.html")'),
    ],
    "02_train_and_evaluate.ipynb": [
        new_markdown_cell("# 02 Train and evaluate on your own MI-coded data\n\n"
                          "Your data has its own labels: map them to mi_coder's codes, evaluate the recipe by "
                          "transcript-grouped cross-validation (never random rows), look at the confusion matrix, "
                          "then train, save and load a model. Here AnnoMI's own columns stand in for yours, on a "
                          "slice of transcripts so the notebook runs in a few minutes."),
        new_code_cell(SETUP),
        new_code_cell('raw = pd.read_csv(DATA / "annomi" / "AnnoMI-full.csv")\n'
                      'raw = raw[raw["transcript_id"].isin(sorted(raw["transcript_id"].unique())[:30])]\n'
                      'raw[["transcript_id", "interlocutor", "main_therapist_behaviour", "question_subtype", "client_talk_type"]].head()'),
        new_markdown_cell("Map your label columns to the SPEC's codes (here: AnnoMI's scheme)."),
        new_code_cell('def my_code(row):\n'
                      '    if row["interlocutor"] == "client":\n'
                      '        return {"change": "change_talk", "sustain": "sustain_talk", "neutral": "neutral"}.get(row["client_talk_type"])\n'
                      '    b = row["main_therapist_behaviour"]\n'
                      '    if b == "question":\n'
                      '        return f"{row[\'question_subtype\']}_question"\n'
                      '    if b == "reflection":\n'
                      '        return f"{row[\'reflection_subtype\']}_reflection"\n'
                      '    if b == "therapist_input":\n'
                      '        return "advice" if row["therapist_input_subtype"] in ("advice", "options") else "information"\n'
                      '    return "other"\n'
                      '\n'
                      'mine = pd.DataFrame({"transcript_id": raw["transcript_id"], "speaker": raw["interlocutor"],\n'
                      '                     "text": raw["utterance_text"], "code": raw.apply(my_code, axis=1)})\n'
                      'mine = mine[mine["code"].notna() & ~mine["code"].str.startswith("nan")]\n'
                      'path = WORK / "mine.csv"\n'
                      'mine.to_csv(path, index=False)\n'
                      'mine["code"].value_counts()'),
        new_code_cell('from mi_coder.training._corpora import read_coded_csv\n'
                      'from mi_coder.training._evaluate import cross_validate, score, format_report\n'
                      'from mi_coder import MICoder\n'
                      '\n'
                      'frame = read_coded_csv(path, "code")\n'
                      'recipe = MICoder(counsellor_C=4.0)   # a scikit-learn estimator: every hyper-parameter is here\n'
                      'proba = cross_validate(frame, recipe, n_splits=3)   # folds never split a transcript\n'
                      'results = score(frame, proba)\n'
                      'print(format_report(results)[:1500])'),
        new_code_cell('r = results["counsellor_codes"]\n'
                      'matrix = pd.DataFrame(r["confusion"], index=r["labels"], columns=r["labels"])\n'
                      'matrix = matrix.loc[matrix.sum(axis=1) > 0]\n'
                      'fig, ax = plt.subplots(figsize=(7, 5))\n'
                      'ax.imshow(matrix.div(matrix.sum(axis=1), axis=0), cmap="Blues")\n'
                      'ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=45, ha="right")\n'
                      'ax.set_yticks(range(len(matrix.index)), matrix.index)\n'
                      'ax.set_xlabel("predicted"); ax.set_ylabel("expert"); ax.set_title("Counsellor confusion (row-normalised)")\n'
                      'plt.tight_layout()'),
        new_code_cell('from mi_coder.training._fast import train\n'
                      'from mi_coder import save_model\n'
                      '\n'
                      'model = train(frame, recipe, folds=3)   # 3 grouped folds estimate the confusions used for intervals\n'
                      'manifest = save_model(model, WORK / "mine.joblib")\n'
                      'print(manifest["sha256"])\n'
                      'again = mi_coder.load(WORK / "mine.joblib", sha256=manifest["sha256"])   # pinned: refused if it changed\n'
                      'again.code("What would you like to talk about today?")'),
    ],
    "03_validate_against_experts.ipynb": [
        new_markdown_cell("# 03 Validate against expert coding\n\n"
                          "Do the model's per-transcript summaries agree with the experts'? Each AnnoMI transcript "
                          "below is coded by a model that never saw it (grouped cross-validation on a slice of "
                          "transcripts, for speed; `benchmarks/summary_agreement.py` does all of them)."),
        new_code_cell(SETUP),
        new_code_cell('import numpy as np\n'
                      'from mi_coder.codes import CODES, side_codes\n'
                      'from mi_coder.training._corpora import read_corpora\n'
                      'from mi_coder.training._evaluate import cross_validate\n'
                      'from mi_coder.summary._validate import agreement\n'
                      '\n'
                      'frame = read_corpora(DATA, corpora=("annomi",))\n'
                      'frame = frame[frame["group"].isin(sorted(frame["group"].unique())[:36])].reset_index(drop=True)\n'
                      'proba = cross_validate(frame, n_splits=4)\n'
                      'predicted = side_codes(proba, frame["side"].to_numpy())   # each row coded by its own side\n'
                      'coded = frame.assign(mi_code=predicted, expert=frame["code"].fillna(""),\n'
                      '                     transcript_id=frame["conversation"])\n'
                      'coded["expert"] = coded["expert"].where(coded["expert"].isin(sum(CODES.values(), ())), "")\n'
                      'expert = mi_coder.summarize(coded, code_col="expert", confusion=None)\n'
                      'model = mi_coder.summarize(coded, confusion=None)\n'
                      'agreement(expert, model, "transcript_id")'),
        new_code_cell('from mi_coder.summary._scores import SCORES\n'
                      'both = expert.merge(model, on="transcript_id", suffixes=("_expert", "_model"))\n'
                      'fig, axes = plt.subplots(1, len(SCORES), figsize=(14, 3.5))\n'
                      'for ax, name in zip(axes, SCORES):\n'
                      '    ax.scatter(both[f"{name}_expert"], both[f"{name}_model"], alpha=0.6)\n'
                      '    top = np.nanmax(both[[f"{name}_expert", f"{name}_model"]].to_numpy()) * 1.05\n'
                      '    ax.plot([0, top], [0, top], color="grey", lw=0.8)\n'
                      '    ax.set_title(name, fontsize=9); ax.set_xlabel("experts"); ax.set_ylabel("model")\n'
                      'plt.tight_layout()'),
        new_code_cell('from sklearn.metrics import roc_auc_score\n'
                      'quality = frame.groupby("conversation")["mi_quality"].first()\n'
                      'for label, table in (("experts", expert), ("model", model)):\n'
                      '    t = table.set_index("transcript_id").join(quality).dropna(subset=["reflection_to_question"])\n'
                      '    print(label, "AUC of R:Q for high vs low MI quality:",\n'
                      '          round(roc_auc_score(t["mi_quality"] == "high", t["reflection_to_question"]), 3))'),
        new_markdown_cell("From the shell, with your own expert-coded CSV: "
                          "`mi-coder validate experts.csv --code-col code --plot validation.svg`."),
    ],
}


CLEAN_UP = [new_markdown_cell("Coded transcripts are health data: remove what this notebook wrote."),
            new_code_cell("shutil.rmtree(WORK)")]


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        cells = cells + CLEAN_UP
        nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                "language": "python"}})
        nbformat.write(nb, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
