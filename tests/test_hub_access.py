"""The Hugging Face Hub is probed once per run: unreachable (or `--offline`), Hub units fail at once from the cache
with one reason, instead of `datasets` retrying every language for ~23 s."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from xlt_bench.plugins.xtreme import PANX_TAGS
from xlt_bench.plugins.xtreme import XTREME_HUB_COMMIT as COMMIT
from xlt_bench.testing import tiny_checkpoint

pytestmark = pytest.mark.slow


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def test_probe_says_which_host_failed_and_accepts_any_http_answer(http_server):
    # huggingface_hub reads HF_ENDPOINT at import, so the endpoints are checked in fresh interpreters
    code = "from xlt_bench.hub_access import probe; print(probe())"
    port = _closed_port()
    for endpoint, expected in (
        (f"http://127.0.0.1:{port}", f"127.0.0.1:{port}: Connect"),  # the client's own error class
        (http_server.url(""), "None"),  # a 404 is an answer
    ):
        env = {**os.environ, "HF_ENDPOINT": endpoint, "HF_HUB_OFFLINE": "0", "HF_HUB_ETAG_TIMEOUT": "2"}
        answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert expected in answer.stdout, answer.stdout + answer.stderr
        assert ("refused" in answer.stdout.lower()) == (expected != "None")


@pytest.mark.parametrize("offline", [False, True], ids=["unreachable", "--offline"])
def test_hub_units_fail_fast_with_one_reason(tokenizer, tmp_path: Path, offline: bool):
    tiny_checkpoint(tmp_path / "ckpt" / "panx", head="token-classification", labels=PANX_TAGS, tokenizer=tokenizer)
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")}
    env.update(HF_ENDPOINT=f"http://127.0.0.1:{_closed_port()}", HF_DATASETS_CACHE=str(tmp_path / "hf"))
    env.update(XLT_BENCH_CACHE=str(tmp_path / "cache"))
    args = ["eval", "--model", str(tmp_path / "ckpt"), "--tasks", "xtreme/panx", "--languages", "de,en,fr"]
    args += ["--output", str(tmp_path / "run"), "--quiet", *(["--offline"] if offline else [])]
    result = subprocess.run([sys.executable, "-m", "xlt_bench", *args], capture_output=True, text=True, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    reason = "--offline" if offline else "the Hugging Face Hub is not reachable (127.0.0.1:"
    lines = result.stderr.strip().splitlines()
    warnings = [line for line in lines if line.startswith("xlt-bench: warning:")]
    assert len(warnings) == (0 if offline else 1) and all(reason in w for w in warnings)
    assert [line for line in lines if line not in warnings] == [lines[-1]]  # no retry lines, one error
    assert lines[-1].startswith(
        f"xlt-bench: error: nothing was scored for panx: panx/en: hub:google/xtreme/PAN-X.en@{COMMIT}"
    )
    assert f"is not in the local datasets cache and {reason}" in lines[-1] and "and 0 more" not in lines[-1]


def test_prefetch_of_a_hub_copy_fails_at_once_when_the_hub_is_unreachable(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")}
    env.update(HF_ENDPOINT=f"http://127.0.0.1:{_closed_port()}", HF_DATASETS_CACHE=str(tmp_path / "hf"))
    args = ["prefetch", "--suite", "xtreme", "--tasks", "panx", "--cache-dir", str(tmp_path / "cache"), "--quiet"]
    result = subprocess.run([sys.executable, "-m", "xlt_bench", *args], capture_output=True, text=True, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr  # every language reported, none fetched
    failed = [line for line in result.stdout.splitlines() if " failed " in line]
    assert len(failed) == 40 and all("the Hugging Face Hub is not reachable (127.0.0.1:" in line for line in failed)
    assert "0 fetched, 0 cached, 40 failed" in result.stdout
    assert len(result.stderr.strip().splitlines()) == 1  # the one warning of the one probe
