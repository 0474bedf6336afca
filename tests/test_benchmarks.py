"""The benchmark scripts still run and print their tables (smoke test in their quick modes; no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run_script(name: str, *args: str) -> list[str]:
    done = subprocess.run([sys.executable, str(BENCHMARKS / name), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.slow
def test_throughput_quick_prints_every_task_with_agreeing_predictions(real_samples: Path) -> None:
    lines = run_script("throughput.py", "--quick", "--runs", "1", "--data-dir", str(real_samples))
    header = next(line for line in lines if line.startswith("task"))
    assert "hand/harness" in header and "results.json s" in header
    rows = {line.split()[0]: line.split() for line in lines[lines.index(header) + 1 :]}
    assert sorted(rows) == ["tatoeba", "udpos", "xquad"]
    for task, row in rows.items():
        assert row[2] == "8", task  # examples: --quick reads 8 of one language
        assert row[-1] == "100.0%", f"{task}: the harness and the hand loop predict differently"


def test_bucc_scale_prints_the_case_and_finds_the_planted_pairs() -> None:
    lines = run_script("bucc_scale.py", "--sizes", "2000", "--indexes", "flat")
    row = next(line.split() for line in lines if line.split()[:2] == ["2000", "flat"])
    assert row[-1] == "100.0%"  # every planted pair mined
    assert not any(line.startswith("skipped") for line in lines)


def test_suite_cost_counts_every_xtreme_task_but_bucc(real_samples: Path) -> None:
    lines = run_script("suite_cost.py", "--data-dir", str(real_samples))
    rows = {line.split("|")[1].strip(): line.split("|") for line in lines if line.startswith("| ")}
    assert set(rows) - {"task", "all but bucc2018"} == {
        "xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "tatoeba"
    }  # fmt: skip
    assert rows["xquad"][3].strip() == "13,090"  # 11 x 1,190, six of them counted in the shared files
    assert "computed from the files for 6 languages" in rows["xquad"][5]
    assert any("estimate, not measured" in line for line in lines)


def test_leaderboard_and_study_benchmarks_print_their_tables() -> None:
    board = run_script("leaderboard.py", "20")
    assert board[1].split()[:4] == ["9", "tasks", "x", "40"] and board[2].startswith("overall delta")
    rows = [line.split() for line in run_script("study.py", "20")[1:]]
    assert [row[:2] for row in rows] == [["leaderboard", "2"], ["study", "2"], ["study", "4"], ["study", "8"]]
    assert all(int(row[3]) > 0 for row in rows[1:])  # every study made estimates
