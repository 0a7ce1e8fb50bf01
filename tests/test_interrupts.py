"""Interrupted runs end promptly and leave nothing behind: no temporary file, no live worker (issue #20).

The acceptance run of the issue: Ctrl-C with the default jobs, Ctrl-C --jobs 1, SIGTERM --jobs 1 and
SIGTERM --jobs 2, each sent once the temporary output has data, in a row;
`MI_CODER_INTERRUPT_ROUNDS=10` repeats the four that many times.
"""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from conftest import EXAMPLES, SHIPPED_MODEL

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")]

DEADLINE_S = 10  # from the signal to the end of the process and of every worker
CASES = [("ctrl-c", None), ("ctrl-c", 1), ("sigterm", 1), ("sigterm", 2)]


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """About 70,000 utterances (over 5 MB, so the default is one job per core): coding takes many seconds."""
    frames = [pd.read_csv(EXAMPLES / name, dtype=str) for name in ("counselling_session.csv", "peer_support_chat.csv")]
    frames = [f.rename(columns={"conversation_id": "transcript_id", "turn": "utterance_id", "speaker": "interlocutor",
                                "text": "utterance_text"}) for f in frames]
    one = pd.concat(frames, ignore_index=True)
    copies = 70_000 // len(one) + 1
    big = pd.concat([one.assign(transcript_id=one["transcript_id"] + f"-{i}") for i in range(copies)])
    path = tmp_path_factory.mktemp("big") / "big.csv"
    big.to_csv(path, index=False)
    assert path.stat().st_size > 5_000_000
    return path


def interrupt(source, folder, how: str, jobs) -> dict:
    """Start `mi-coder code`, send the signal once the temporary output has data; what was left and how long it took."""
    psutil = pytest.importorskip("psutil")
    out = folder / "out.csv"
    command = [sys.executable, "-m", "mi_coder.cli", "code", str(source), "-o", str(out), "--quiet"]
    command += [] if jobs is None else ["--jobs", str(jobs)]
    # Its own session, as a terminal's foreground job: Ctrl-C goes to the whole group, workers included.
    process = subprocess.Popen(command, cwd=folder, stderr=subprocess.PIPE, start_new_session=True)
    try:
        parent = psutil.Process(process.pid)
        deadline = time.time() + 180
        while time.time() < deadline and not any(p.name.startswith(".tmp-") and p.stat().st_size
                                                 for p in folder.iterdir()):
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.05)
        children = parent.children(recursive=True)
        start = time.monotonic()
        if how == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            return {"ended_s": None, "left": [p.name for p in folder.iterdir()], "alive": len(children)}
        ended = time.monotonic() - start
        _, alive = psutil.wait_procs(children, timeout=max(0.0, DEADLINE_S - ended))
        return {"ended_s": ended, "all_s": time.monotonic() - start, "rc": process.returncode, "err": err.decode(),
                "left": [p.name for p in folder.iterdir()], "alive": len(alive), "workers": len(children)}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_four_interrupted_runs_in_a_row_end_promptly_and_leave_nothing(big_file, tmp_path):
    rounds = int(os.environ.get("MI_CODER_INTERRUPT_ROUNDS", "1"))
    results = []
    for round_ in range(rounds):
        for how, jobs in CASES:
            folder = tmp_path / f"{round_}-{how}-{jobs}"
            folder.mkdir()
            result = interrupt(big_file, folder, how, jobs)
            results.append((how, jobs, result))
            print(how, jobs, {k: (round(v, 2) if isinstance(v, float) else v) for k, v in result.items()
                              if k != "err"}, flush=True)
            assert result["ended_s"] is not None and result["all_s"] < DEADLINE_S, (how, jobs, result)
            assert result["left"] == [] and result["alive"] == 0, (how, jobs, result)
            assert result["rc"] == (130 if how == "ctrl-c" else 143), (how, jobs, result)
            assert ("interrupted" if how == "ctrl-c" else "terminated") in result["err"]
            assert jobs != 2 or result["workers"] >= 2  # the parallel run did have workers to end
