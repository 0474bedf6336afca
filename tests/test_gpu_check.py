"""benchmarks/gpu_check.sh stays runnable: its Python half on a tiny CPU model, and its refusal without CUDA."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from helpers import run_main

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", BENCHMARKS / "gpu_check.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_python_half_runs_a_tiny_dry_run_on_cpu(tmp_path: Path, capsys):
    check = gpu_check()
    assert check.main(["prepare", str(tmp_path), "--tiny"]) == 0
    assert (tmp_path / "manifest.yaml").read_text() == "panx: tagger\ntatoeba: tagger\nxquad: qa\n"
    run = tmp_path / "runs" / "1gpu-bfloat16"
    options = ["--suite", "xtreme", "--model", str(tmp_path / "manifest.yaml"), "--tasks", ",".join(check.TASKS)]
    options += ["--languages", "de", "--data-dir", str(tmp_path / "data"), "--batch-size", "auto", "--device", "cpu"]
    result = run_main("eval", *options, "--dtype", "bfloat16", "--output", str(run), "--quiet")
    assert result.returncode == 0, result.stderr
    capsys.readouterr()
    assert check.main(["report", str(run)]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = ["run", "task", "dtype", "asked", "batch", "OOM", "examples", "seconds", "ex/s", "seq/s", "tokens/s"]
    assert lines[0].split() == header
    rows = {line.split()[1]: line.split() for line in lines[2:]}
    assert set(rows) == {"tagging", "QA", "retrieval"}
    assert rows["tagging"][3:8] == ["bfloat16", "auto", "24", "0", "24"]  # all 24 sentences in one pass, no OOM
    assert rows["QA"][4] == "auto" and float(rows["QA"][-1].replace(",", "")) > 0  # tokens/s measured


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA machine would run the whole check")
def test_the_script_refuses_in_one_line_without_cuda():
    env = {**os.environ, "PYTHON": sys.executable}
    script = ["bash", str(BENCHMARKS / "gpu_check.sh")]
    result = subprocess.run(script, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "gpu_check: no CUDA GPU on this machine (nvidia-smi and torch.cuda find none); nothing measured"
    ]
