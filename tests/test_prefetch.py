"""`xlt-bench prefetch` against a local HTTP server serving releases built from fixtures in the original formats,
then `eval` without --data-dir reading the prefetched files."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

import pytest
from helpers import run_main
from http_server import Server

from xlt_bench.testing import tiny_checkpoint

DATA = Path(__file__).parent / "fixtures" / "data"


def tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


PLUGIN = """
from xlt_bench import hookimpl
from xlt_bench.tasks import DataFiles, Release, Suite, Task

TASKS = [
    Task(name="{module}-nli", suite="{module}", type="classification", languages=("de", "en"),
         metric="accuracy", main_metrics=("accuracy",), labels=("entailment", "neutral", "contradiction"),
         data=(DataFiles("xnli-tsv", {{"test": ("xnli.test.tsv",)}}),), releases=({nli_release},),
         inference={{"max_length": 64}}),
    {more_tasks}
]

@hookimpl
def xlt_register_suites(register):
    register(Suite(name="{module}", description="prefetch test", tasks=tuple(task.name for task in TASKS)))

@hookimpl
def xlt_register_tasks(register):
    for task in TASKS:
        register(task)
"""


def plugin(folder: Path, module: str, nli_release: str, more_tasks: str = "") -> None:
    """A plugin module `module` whose XNLI-style task has the release `nli_release` (Python source), plus
    `more_tasks` (source of further `Task(...),` entries)."""
    source = PLUGIN.format(module=module, nli_release=nli_release, more_tasks=more_tasks)
    (folder / f"{module}.py").write_text(source, encoding="utf-8")


def write_plugin(folder: Path, module: str, server: Server, archive_sha: str, tatoeba_sha: str) -> None:
    """A plugin whose releases live on the test server: an XNLI-style archive and a LASER-style plain file pair."""
    bitext = f"""Task(name="{module}-bitext", suite="{module}", type="bitext_retrieval", languages=("de",),
         metric="accuracy", main_metrics=("accuracy",),
         data=(DataFiles("tatoeba-laser", {{"test": ("tatoeba.deu-eng.deu",)}}),),
         releases=(Release("{server.url("/files/tatoeba.deu-eng.deu")}", "{tatoeba_sha}"),
                   Release("{server.url("/files/tatoeba.deu-eng.eng")}")),
         inference={{"layer": "auto", "pooling": "mean", "max_length": 64}}),"""
    archive = f'Release("{server.url("/redirect302/flaky/XNLI-1.0.tar.gz")}", "{archive_sha}", extract=True)'
    plugin(folder, module, archive, bitext)


@pytest.fixture
def served(http_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Server, str]:
    xnli = (DATA / "XNLI-1.0" / "xnli.test.tsv").read_bytes()
    german, english = b"Ich habe Hunger.\nWo ist der Bahnhof?\n", b"I am hungry.\nWhere is the station?\n"
    http_server.files = {
        "XNLI-1.0.tar.gz": tar_gz({"XNLI-1.0/xnli.test.tsv": xnli}),
        "tatoeba.deu-eng.deu": german,
        "tatoeba.deu-eng.eng": english,
    }
    module = f"prefetchplugin{abs(hash(tmp_path)) % 10**8}"
    archive_sha = hashlib.sha256(http_server.files["XNLI-1.0.tar.gz"]).hexdigest()
    write_plugin(tmp_path, module, http_server, archive_sha, hashlib.sha256(german).hexdigest())
    monkeypatch.syspath_prepend(str(tmp_path))
    yield http_server, module
    sys.modules.pop(module, None)


def test_prefetch_then_eval_offline_without_data_dir(served, tokenizer, tmp_path: Path):
    server, module = served
    cache = tmp_path / "cache"
    result = run_main("-p", module, "prefetch", "--suite", module, "--cache-dir", str(cache), "--quiet")
    assert result.returncode == 0, result.stderr
    assert (cache / "data" / module / f"{module}-nli" / "XNLI-1.0" / "xnli.test.tsv").is_file()
    assert (cache / "data" / module / f"{module}-bitext" / "tatoeba.deu-eng.eng").is_file()
    # the cut-off first reply was resumed with a range request after the redirect
    assert ("/flaky/XNLI-1.0.tar.gz", None) in server.requests
    assert any(path == "/flaky/XNLI-1.0.tar.gz" and rng for path, rng in server.requests)
    assert f"{module}-nli" in result.stdout and "eval without --data-dir reads" in result.stdout

    before = len(server.requests)
    again = run_main("-p", module, "prefetch", "--suite", module, "--cache-dir", str(cache), "--quiet")
    assert again.returncode == 0 and len(server.requests) == before  # verified copies: no network

    ckpt = tmp_path / "ckpt"
    tiny_checkpoint(
        ckpt / f"{module}-nli",
        head="sequence-classification",
        tokenizer=tokenizer,
        labels=("entailment", "neutral", "contradiction"),
    )
    tiny_checkpoint(ckpt / f"{module}-bitext", head="encoder", tokenizer=tokenizer)
    run = tmp_path / "run"
    evaluated = run_main(
        "-p",
        module,
        "eval",
        "--model",
        str(ckpt),
        "--suite",
        module,
        "--cache-dir",
        str(cache),
        "--output",
        str(run),
        "--quiet",
    )
    assert evaluated.returncode == 0, evaluated.stderr
    document = json.loads((run / "results.json").read_text())
    assert document["tasks"][f"{module}-nli"]["examples"] == {"de": 5, "en": 6}
    assert document["tasks"][f"{module}-bitext"]["examples"] == {"de": 2}
    assert document["score"] is not None
    assert len(server.requests) == before  # eval read the cache only


def test_a_checksum_mismatch_is_reported_and_the_other_files_are_fetched(served, tmp_path: Path):
    server, module = served
    server.files["tatoeba.deu-eng.deu"] = b"tampered\n"
    result = run_main(
        "-p",
        module,
        "prefetch",
        "--suite",
        module,
        "--tasks",
        f"{module}-bitext",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--quiet",
    )
    assert result.returncode == 1 and result.stderr == ""  # measured and reported, not a usage error
    [failed] = [line for line in result.stdout.splitlines() if " failed " in line]
    assert "tatoeba.deu-eng.deu" in failed and "sha256 mismatch: expected" in failed
    assert "1 fetched, 0 cached, 1 failed" in result.stdout  # the .eng file came anyway
    folder = tmp_path / "cache" / "data" / module / f"{module}-bitext"
    assert not (folder / "tatoeba.deu-eng.deu").exists() and (folder / "tatoeba.deu-eng.eng").is_file()


def test_the_xtreme_plugin_declares_verified_releases():
    from xlt_bench.plugins.xtreme import TASKS

    releases = {task.name: task.releases for task in TASKS}
    assert releases["panx"] == ()  # from its faithful Hub copy instead
    assert {len(releases[name]) for name in ("xnli", "pawsx", "udpos", "mlqa", "tydiqa")} == {1}
    assert len(releases["tatoeba"]) == 72 and len(releases["bucc2018"]) == 8 and len(releases["xquad"]) == 11
    every = [release for task_releases in releases.values() for release in task_releases]
    assert all(release.sha256 and len(release.sha256) == 64 and release.size for release in every)
    assert sorted(r.url.rsplit("/", 1)[1] for r in releases["udpos"]) == ["ud-treebanks-v2.5.tgz"]


def test_shared_sample_files_match_the_recorded_checksums(real_samples: Path):
    """The whole-file copies among the packaged samples are byte-identical to what prefetch would download."""
    from xlt_bench.files import sha256_of
    from xlt_bench.plugins.xtreme import TASKS

    checked = 0
    for task in TASKS:
        for release in task.releases:
            local = list(real_samples.rglob(release.url.rsplit("/", 1)[1]))
            if local:
                assert sha256_of(local[0]) == release.sha256 and local[0].stat().st_size == release.size
                checked += 1
    assert checked == 22  # 16 Tatoeba files, 6 XQuAD files


def manual_plugin(folder: Path, module: str, server: Server, archive: bytes) -> None:
    """A plugin whose only release cannot be downloaded by a program (its URL answers 409, as XGLUE's)."""
    release = (
        f'Release("{server.url("/status409/gated.tar.gz")}", "{hashlib.sha256(archive).hexdigest()}", {len(archive)}, '
        'extract=True, manual="accept the terms at example.org")'
    )
    plugin(folder, module, release)


def test_a_release_only_a_person_can_download_is_taken_from_the_file_given(
    http_server, tokenizer, tmp_path, monkeypatch
):
    archive = tar_gz({"gated/XNLI-1.0/xnli.test.tsv": (DATA / "XNLI-1.0" / "xnli.test.tsv").read_bytes()})
    module = f"manualplugin{abs(hash(tmp_path)) % 10**8}"
    manual_plugin(tmp_path, module, http_server, archive)
    monkeypatch.syspath_prepend(str(tmp_path))
    cache = ["--cache-dir", str(tmp_path / "cache")]
    asked = run_main("-p", module, "prefetch", "--suite", module, *cache, "--quiet")
    assert asked.returncode == 1 and http_server.requests == []  # never tried: a program may not download it
    [failed] = [line for line in asked.stdout.splitlines() if " failed " in line]
    sha = hashlib.sha256(archive).hexdigest()
    assert f"accept the terms at example.org: gated.tar.gz (sha256 {sha}, {len(archive):,} bytes); then " in failed
    assert f"`xlt-bench prefetch --suite {module} --from gated.tar.gz`" in failed

    copy = tmp_path / "Downloads" / "renamed-by-the-browser.tar.gz"
    copy.parent.mkdir()
    copy.write_bytes(archive)
    given = run_main("-p", module, "prefetch", "--suite", module, "--from", str(copy), *cache, "--quiet")
    assert given.returncode == 0 and "1 fetched, 0 cached, 0 failed" in given.stdout, given.stdout + given.stderr
    assert copy.read_bytes() == archive  # left where it was
    again = run_main("-p", module, "prefetch", "--suite", module, *cache, "--quiet")
    assert again.returncode == 0 and "0 fetched, 1 cached, 0 failed" in again.stdout

    ckpt = tiny_checkpoint(
        tmp_path / "ckpt",
        head="sequence-classification",
        tokenizer=tokenizer,
        labels=("entailment", "neutral", "contradiction"),
    )
    run = run_main(
        "-p",
        module,
        "eval",
        "--model",
        str(ckpt),
        "--suite",
        module,
        *cache,
        "--output",
        str(tmp_path / "run"),
        "--quiet",
    )
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "run" / "results.json").read_text())["tasks"][f"{module}-nli"]["examples"] == {
        "de": 5,
        "en": 6,
    }

    tampered = tmp_path / "tampered.tar.gz"
    tampered.write_bytes(archive[:-1] + b"x")
    refused = run_main("-p", module, "prefetch", "--suite", module, "--from", str(tampered), *cache, "--quiet")
    assert refused.returncode == 2 and refused.stderr.startswith(f"xlt-bench: error: --from {tampered}: not a release")


def test_eval_online_downloads_the_release_files_it_lacks(served, tokenizer, tmp_path, monkeypatch):
    server, module = served
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # online, as a user's machine: the Hub is never needed here
    ckpt = tmp_path / "ckpt"
    tiny_checkpoint(ckpt / f"{module}-bitext", head="encoder", tokenizer=tokenizer)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    args = ["-p", module, "eval", "--model", str(ckpt), "--suite", module, "--tasks", f"{module}-bitext", *cache]
    result = run_main(*args, "--output", str(tmp_path / "run"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert f"{module}-bitext: downloading its release files into {tmp_path / 'cache'}" in result.stderr
    assert {path for path, _ in server.requests} == {"/files/tatoeba.deu-eng.deu", "/files/tatoeba.deu-eng.eng"}
    document = json.loads((tmp_path / "run" / "results.json").read_text())
    assert document["tasks"][f"{module}-bitext"]["examples"] == {"de": 2}
