"""A run folder never lies: one configuration, one writer, content-identified data, intact files, and nothing
finished lost to a conflict, a second writer, SIGTERM or `kill -9`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FIXTURE_DATA, run_main, xnli_eval

from xlt_bench.plugins.xtreme import UPOS_TAGS
from xlt_bench.testing import tiny_checkpoint

pytestmark = pytest.mark.slow
DATA = FIXTURE_DATA
XNLI_LABELS = ("entailment", "neutral", "contradiction")
UD_LANGUAGES = "ar,de,en,fr,hi,ja,zh"


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> Path:
    root = tmp_path_factory.mktemp("ckpt")
    tiny_checkpoint(root / "xnli", head="sequence-classification", labels=XNLI_LABELS, tokenizer=tokenizer, seed=1)
    tiny_checkpoint(root / "udpos", head="token-classification", labels=UPOS_TAGS, tokenizer=tokenizer, seed=3)
    return root


@pytest.fixture(scope="module")
def other_ckpt(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> Path:
    root = tmp_path_factory.mktemp("other")
    tiny_checkpoint(root / "xnli", head="sequence-classification", labels=XNLI_LABELS, tokenizer=tokenizer, seed=9)
    return root


def xnli(ckpt: Path, run: Path, *extra: str, data: Path = DATA):
    return run_main(*xnli_eval(ckpt, run, "--quiet", *extra, data=data))


def snapshot(run: Path) -> dict[str, bytes]:
    """Every file of a run folder but its lock files, by relative path."""
    return {
        p.relative_to(run).as_posix(): p.read_bytes()
        for p in sorted(run.rglob("*"))
        if p.is_file() and not p.name.startswith(".lock")
    }


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "xlt_bench", *args]


def test_the_whole_plan_is_checked_before_anything_is_written(ckpt: Path, other_ckpt: Path, tmp_path: Path):
    run = tmp_path / "run"
    assert xnli(ckpt, run, "--languages", "de").returncode == 0
    before = snapshot(run)
    # another checkpoint and one more language: refused up front, the new language is not written either
    refused = xnli(other_ckpt, run, "--languages", "de,en")
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "already holds xnli/de" in refused.stderr
    assert "(differs in: checkpoint)" in refused.stderr and "--overwrite" in refused.stderr
    assert snapshot(run) == before
    # a language the folder does not hold yet, with another checkpoint for the same task: still one configuration
    mixed = xnli(other_ckpt, run, "--languages", "en")
    assert mixed.returncode == 2 and "already holds xnli/de" in mixed.stderr and snapshot(run) == before


def test_limit_and_lineage_are_part_of_every_units_identity(ckpt: Path, tmp_path: Path):
    run = tmp_path / "run"
    assert xnli(ckpt, run, "--languages", "de", "--limit", "2").returncode == 0
    before = snapshot(run)
    full = xnli(ckpt, run, "--languages", "en")
    assert full.returncode == 2 and "(differs in: limit 2 here, none requested)" in full.stderr
    relabelled = xnli(ckpt, run, "--languages", "de", "--limit", "2", "--label", "mine")
    assert relabelled.returncode == 2 and 'lineage.label none here, "mine" requested' in relabelled.stderr
    assert snapshot(run) == before
    document = json.loads((run / "results.json").read_text())
    assert document["config"]["limit"] == 2 and document["tasks"]["xnli"]["limit"] == 2


def test_a_study_lineage_is_recorded_and_part_of_the_folder_identity(ckpt: Path, tmp_path: Path):
    run = tmp_path / "run"
    lineage = ["--base", "xlmr", "--intermediate", "mnli:50k,squad", "--regime", "sequential"]
    lineage += ["--train-languages", "en", "--train-seed", "3", "--tag", "lr=1e-5"]
    assert xnli(ckpt, run, "--languages", "de", *lineage).returncode == 0
    recorded = json.loads((run / "results.json").read_text())["lineage"]
    assert recorded["intermediate"] == ["mnli", "squad"] and recorded["intermediate_sizes"] == {"mnli": 50000}
    assert recorded["regime"] == "sequential" and recorded["train_languages"] == ["en"]
    assert recorded["train_seed"] == 3 and recorded["tags"] == {"lr": "1e-5"} and not recorded["direct"]
    before = snapshot(run)
    interleaved = [value if value != "sequential" else "interleaved" for value in lineage]
    other_regime = xnli(ckpt, run, "--languages", "en", *interleaved)
    assert other_regime.returncode == 2 and "lineage.regime" in other_regime.stderr and snapshot(run) == before
    for flag, value, expected in (
        ("--intermediate", "mnli:5x", "'5x' is not a size"),
        ("--intermediate", "mnli,mnli", "'mnli' is listed twice"),
        ("--tag", "lr", "expected KEY=VALUE"),
        ("--train-seed", "x", "--train-seed"),
    ):
        wrong = xnli(ckpt, tmp_path / "other", "--languages", "de", flag, value)
        assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and expected in wrong.stderr, wrong.stderr


def test_overwrite_removes_the_other_configuration_instead_of_mixing(ckpt: Path, tmp_path: Path):
    run = tmp_path / "run"
    assert xnli(ckpt, run, "--languages", "de,en", "--label", "a").returncode == 0
    assert xnli(ckpt, run, "--languages", "de", "--label", "b", "--overwrite").returncode == 0
    assert not (run / "fragments" / "xnli" / "test-en.json").exists()
    assert not (run / "predictions" / "xnli" / "test-en.tsv").exists()
    document = json.loads((run / "results.json").read_text())
    assert list(document["tasks"]["xnli"]["languages"]) == ["de"] and document["lineage"]["label"] == "b"


def test_a_same_size_gold_edit_makes_the_unit_stale(ckpt: Path, tmp_path: Path, real_samples: Path):
    data = tmp_path / "ud"
    shutil.copytree(real_samples / "udpos" / "ud-treebanks-v2.5" / "UD_German-GSD", data / "UD_German-GSD")
    treebank = next(data.rglob("*.conllu"))
    run = tmp_path / "run"
    args = [
        "eval",
        "--model",
        str(ckpt),
        "--tasks",
        "xtreme/udpos",
        "--languages",
        "de,en",
        "--output",
        str(run),
        "--quiet",
    ]
    first = run_main(*args, "--data-dir", str(data))
    assert first.returncode == 0, first.stderr
    labels = run / "labels" / "udpos" / "test-de.tsv"
    verbs = labels.read_text().count("VERB")
    text = treebank.read_text(encoding="utf-8")
    edited = text.replace("\tNOUN\t", "\tVERB\t", 1)
    assert edited != text and len(edited.encode()) == len(text.encode())
    treebank.write_text(edited, encoding="utf-8")
    again = run_main(*args, "--data-dir", str(data))
    assert again.returncode == 0, again.stderr
    assert "the data of udpos/de changed since it was scored" in again.stderr
    assert labels.read_text().count("VERB") == verbs + 1


def test_missing_or_altered_output_files_are_redone_with_a_warning(ckpt: Path, tmp_path: Path):
    run = tmp_path / "run"
    assert xnli(ckpt, run, "--languages", "de,en").returncode == 0
    expected = snapshot(run)
    (run / "predictions" / "xnli" / "test-de.tsv").unlink()
    samples = run / "samples" / "xnli" / "test-en.jsonl"
    samples.write_text(samples.read_text() + "{}\n")
    again = xnli(ckpt, run, "--languages", "de,en")
    assert again.returncode == 0
    assert "predictions/xnli/test-de.tsv is missing; redoing xnli/de" in again.stderr
    assert "samples/xnli/test-en.jsonl was changed after it was written; redoing xnli/en" in again.stderr
    redone = snapshot(run)
    for name in ("predictions/xnli/test-de.tsv", "samples/xnli/test-en.jsonl", "labels/xnli/test-de.tsv"):
        assert redone[name] == expected[name]
    # a damaged fragment is reported and its unit redone, never trusted or fatal
    (run / "fragments" / "xnli" / "test-de.json").write_text("{ not json")
    damaged = xnli(ckpt, run, "--languages", "de,en")
    assert damaged.returncode == 0 and "fragments/xnli/test-de.json: invalid JSON" in damaged.stderr
    assert json.loads((run / "fragments" / "xnli" / "test-de.json").read_text())["language"] == "de"


def test_a_symbolic_link_planted_in_the_run_folder_is_refused_and_nothing_outside_is_written(
    ckpt: Path, tmp_path: Path
):
    run, outside = tmp_path / "run", tmp_path / "outside"
    assert xnli(ckpt, run, "--languages", "de").returncode == 0
    outside.mkdir()
    (outside / "test-de.jsonl").write_text("someone else's file\n")
    (outside / "keep.txt").write_text("someone else's file\n")
    predictions = run / "predictions" / "xnli" / "test-de.tsv"
    predictions.unlink()
    predictions.symlink_to(outside / "keep.txt")  # a file link: eval would replace what it points at
    again = xnli(ckpt, run, "--languages", "de")
    assert again.returncode == 2, again.stderr
    assert f"{predictions}: a symbolic link inside the run folder (to {outside / 'keep.txt'})" in again.stderr
    predictions.unlink()
    shutil.rmtree(run / "samples" / "xnli")
    (run / "samples" / "xnli").symlink_to(outside, target_is_directory=True)  # a folder link, under --overwrite
    overwritten = xnli(ckpt, run, "--languages", "de", "--overwrite")
    assert overwritten.returncode == 2 and "samples/xnli: a symbolic link inside the run folder" in overwritten.stderr
    assert {p.name: p.read_text() for p in outside.iterdir()} == dict.fromkeys(
        ("test-de.jsonl", "keep.txt"), "someone else's file\n"
    )


def test_created_is_kept_updated_moves_and_files_respect_the_umask(ckpt: Path, tmp_path: Path):
    run = tmp_path / "run"
    previous = os.umask(0o022)
    try:
        assert xnli(ckpt, run, "--languages", "de").returncode == 0
        first = json.loads((run / "results.json").read_text())
        time.sleep(1.1)  # results.json times have a resolution of one second
        assert xnli(ckpt, run, "--languages", "de,en").returncode == 0
    finally:
        os.umask(previous)
    second = json.loads((run / "results.json").read_text())
    assert second["created"] == first["created"] and second["updated"] > first["updated"]
    modes = {p.relative_to(run).as_posix(): p.stat().st_mode & 0o777 for p in run.rglob("*") if p.is_file()}
    assert modes and set(modes.values()) == {0o644}, modes


def test_a_second_writer_is_refused_naming_the_holder_or_waits(ckpt: Path, tmp_path: Path):
    run = tmp_path / "run"
    hold = (
        "import sys, time\nfrom pathlib import Path\nfrom xlt_bench.run_folder import RunStore\n"
        "with RunStore(Path(sys.argv[1]), 'test').writer(['xlt-bench', 'eval', 'holder']):\n"
        "    print('holding', flush=True)\n    time.sleep(float(sys.argv[2]))\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, str(run), "4"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        refused = xnli(ckpt, run, "--languages", "de")
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1
        assert f"is in use by another xlt-bench eval (pid {holder.pid} on " in refused.stderr
        assert "xlt-bench eval holder" in refused.stderr and "--wait" in refused.stderr
        assert not (run / "fragments").exists()
        waited = xnli(ckpt, run, "--languages", "de", "--wait")
        assert waited.returncode == 0 and "waiting for the xlt-bench eval using" in waited.stderr
        assert holder.poll() == 0  # the holder had finished before the waiting run could start
    finally:
        holder.kill()
        holder.wait()


def test_two_concurrent_evals_on_one_folder_one_is_refused(ckpt: Path, tmp_path: Path, real_samples: Path):
    run = tmp_path / "run"
    args = cli(
        "eval", "--model", str(ckpt), "--tasks", "xtreme/udpos", "--languages", UD_LANGUAGES, "--batch-size", "1"
    )
    args += ["--data-dir", str(real_samples / "udpos"), "--output", str(run), "--quiet"]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not (run / ".lock.owner").exists() and first.poll() is None:
        time.sleep(0.05)
    second = subprocess.run(args, capture_output=True, text=True)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert f"is in use by another xlt-bench eval (pid {first.pid} on" in second.stderr
    results = json.loads((run / "results.json").read_text())
    assert sorted(results["tasks"]["udpos"]["languages"]) == UD_LANGUAGES.split(",")


def _interrupted(ckpt: Path, run: Path, data: Path, how: int) -> tuple[subprocess.CompletedProcess, dict[str, bytes]]:
    """Start a 7-language UD-POS run, deliver `how` once the first unit is finished, return what was left."""
    args = cli(
        "eval", "--model", str(ckpt), "--tasks", "xtreme/udpos", "--languages", UD_LANGUAGES, "--batch-size", "1"
    )
    args += ["--data-dir", str(data), "--output", str(run), "--quiet"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not list((run / "fragments").glob("*/*.json")) and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(how)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(args, process.returncode, out, err), snapshot(run)


def _comparable(files: dict[str, bytes]) -> dict[str, object]:
    """A run folder's files with what legitimately differs between two runs (timings, times) left out."""
    kept: dict[str, object] = {}
    for name, content in files.items():
        if name in ("results.json", "config.yaml"):
            continue
        if name.startswith("fragments/"):
            fragment = json.loads(content)
            kept[name] = {k: v for k, v in fragment.items() if k not in ("seconds", "finished", "digest")}
        else:
            kept[name] = content
    return kept


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_an_interrupted_run_resumes_to_the_same_files(ckpt: Path, tmp_path: Path, real_samples: Path, how: int):
    data = real_samples / "udpos"
    reference = tmp_path / "reference"
    args = ["eval", "--model", str(ckpt), "--tasks", "xtreme/udpos", "--languages", UD_LANGUAGES, "--batch-size", "1"]
    assert run_main(*args, "--data-dir", str(data), "--output", str(reference), "--quiet").returncode == 0
    run = tmp_path / "run"
    stopped, left = _interrupted(ckpt, run, data, how)
    if how == signal.SIGTERM:
        assert stopped.returncode == 143 and "Traceback" not in stopped.stderr
        assert stopped.stderr.strip().splitlines() == [
            "xlt-bench: terminated; finished (task, language) results are kept"
        ]
    else:
        assert stopped.returncode == -signal.SIGKILL
    finished = [name for name in left if name.startswith("fragments/")]
    assert finished, "the run was stopped before its first unit finished"
    stamps = {name: (run / name).stat().st_mtime_ns for name in finished}
    resumed = run_main(*args, "--data-dir", str(data), "--output", str(run), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert {name: (run / name).stat().st_mtime_ns for name in finished} == stamps  # finished units untouched
    assert not [p for p in run.rglob("*.tmp")]
    assert _comparable(snapshot(run)) == _comparable(snapshot(reference))


def test_a_task_with_list_valued_metric_parameters_resumes(tokenizer, tmp_path: Path, real_samples: Path):
    """MasakhaNER's `types` are a tuple in the plan and a list once read back: equal all the same."""
    from xlt_bench.plugins.masakhane import THREE_TYPES

    tiny_checkpoint(
        tmp_path / "ckpt" / "masakhaner2", head="token-classification", labels=THREE_TYPES, tokenizer=tokenizer
    )
    args = ["eval", "--model", str(tmp_path / "ckpt"), "--suite", "masakhane", "--tasks", "masakhaner2"]
    args += ["--languages", "hau", "--limit", "5", "--data-dir", str(real_samples / "masakhaner2")]
    args += ["--output", str(tmp_path / "run"), "--quiet"]
    assert run_main(*args).returncode == 0
    fragment = tmp_path / "run" / "fragments" / "masakhaner2" / "test-hau.json"
    stamp = fragment.stat().st_mtime_ns
    again = run_main(*args)
    assert again.returncode == 0, again.stderr
    assert fragment.stat().st_mtime_ns == stamp and "redoing" not in again.stderr


def _refresh_digest(path: Path, **changes: object) -> None:
    """Edit a fragment the way a careful forger would: the change and a recomputed digest."""
    from xlt_bench.run_results import content_digest

    fragment = json.loads(path.read_text())
    fragment.update(changes)
    fragment["digest"] = content_digest(fragment)
    path.write_text(json.dumps(fragment))


def test_a_fragment_edited_by_hand_is_not_trusted_and_never_deletes_outside_the_folder(ckpt: Path, tmp_path: Path):
    run = tmp_path / "run"
    assert xnli(ckpt, run, "--languages", "de,en").returncode == 0
    de, en = (run / "fragments" / "xnli" / f"test-{lang}.json" for lang in ("de", "en"))
    document = json.loads(de.read_text())
    document["metrics"]["accuracy"] = 99.0
    de.write_text(json.dumps(document))
    edited = xnli(ckpt, run, "--languages", "de,en")
    assert edited.returncode == 0 and "test-de.json: changed after it was written" in edited.stderr
    assert json.loads(de.read_text())["metrics"]["accuracy"] != 99.0  # recomputed
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    files = json.loads(en.read_text())["files"]
    _refresh_digest(en, files={**files, str(victim): "0" * 64, "../victim.txt": "0" * 64})
    overwritten = xnli(ckpt, run, "--languages", "de,en", "--label", "other", "--overwrite")
    assert overwritten.returncode == 0 and "test-en.json: lists files outside the run folder" in overwritten.stderr
    assert victim.read_text() == "keep me"


def test_results_json_never_reports_removed_or_vanished_results(ckpt: Path, tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA / "XNLI-1.0", data / "XNLI-1.0")
    run = tmp_path / "run"
    assert xnli(ckpt, run, data=data).returncode == 0
    assert sorted(json.loads((run / "results.json").read_text())["tasks"]["xnli"]["languages"]) == ["de", "en", "fr"]
    # every French line leaves the data: its old result describes nothing any more and goes
    tsv = data / "XNLI-1.0" / "xnli.test.tsv"
    tsv.write_text("".join(line for line in tsv.read_text().splitlines(True) if not line.startswith("fr\t")))
    again = xnli(ckpt, run, data=data)
    assert again.returncode == 0 and "removed the previous result of xnli/fr: its data changed" in again.stderr
    assert sorted(json.loads((run / "results.json").read_text())["tasks"]["xnli"]["languages"]) == ["de", "en"]
    # --overwrite into another configuration removes the old results first; a failure then leaves no stale report
    tsv.write_text(tsv.read_text() + "de\tbroken line\n")
    failed = xnli(ckpt, run, "--limit", "2", "--overwrite", data=data)
    assert failed.returncode == 2 and "xnli.test.tsv:" in failed.stderr
    assert not (run / "results.json").exists() and not list((run / "fragments").glob("*/*.json"))


def test_the_run_keeps_its_name_when_a_later_invocation_adds_a_task(ckpt: Path, tmp_path: Path, real_samples: Path):
    run = tmp_path / "run"
    assert xnli(ckpt / "xnli", run).returncode == 0  # label by default: the checkpoint folder's name, "xnli"
    udpos = ["eval", "--model", str(ckpt / "udpos"), "--tasks", "xtreme/udpos", "--languages", "de", "--quiet"]
    assert run_main(*udpos, "--data-dir", str(real_samples / "udpos"), "--output", str(run)).returncode == 0
    document = json.loads((run / "results.json").read_text())
    assert document["lineage"]["label"] == "xnli" and set(document["tasks"]) >= {"xnli", "udpos"}


def test_a_run_folder_inside_its_checkpoint_folder_resumes(ckpt: Path, tmp_path: Path):
    model = tmp_path / "model"
    shutil.copytree(ckpt / "xnli", model)
    args = xnli_eval(model, model / "eval")
    assert run_main(*args, "--quiet").returncode == 0
    again = run_main(*args, "--quiet")
    assert again.returncode == 0, again.stderr  # its own outputs are not part of the checkpoint
