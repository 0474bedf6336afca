"""`eval --config run.yaml`: flags from a file, overridden by the command line, one-line errors naming file and key,
and the `config.yaml` each run folder gets, which repeats (resumes) the run from anywhere."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from helpers import FIXTURE_DATA, run_main

from xlt_bench.cli import build_parser
from xlt_bench.testing import tiny_checkpoint

XNLI_LABELS = ("entailment", "neutral", "contradiction")


def parsed(*argv: str):
    return build_parser().parse_args(["eval", *argv])


def config_file(folder: Path, text: str, name: str = "run.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def one_error_line(result) -> str:
    assert result.returncode == 2, result.stdout
    lines = [line for line in result.stderr.splitlines() if not line.startswith("xlt-bench: warning")]
    assert len(lines) == 1 and lines[0].startswith("xlt-bench: error: "), result.stderr
    return lines[0]


def test_flags_come_from_the_file_and_the_command_line_overrides_them(tmp_path: Path):
    path = config_file(
        tmp_path / "project",
        "model: ckpt\noutput: runs/x\ndata-dir: data\nmax_tokens: 4096\nseed: 7\nlanguages: [de, en]\n"
        "tasks: xtreme/xnli\nstrict: true\ntag: {lr: 1e-5, data: filtered}\ninference: {layer: 8}\npooling: mean\n"
        "label_map: {pawsx: {LABEL_0: '0'}}\nbatch_size: null\n",
    )
    args = parsed("--config", str(path))
    project = str(tmp_path / "project")
    assert args.output == f"{project}/runs/x" and args.data_dir == f"{project}/data"  # beside the file
    assert args.model == "ckpt"  # no such folder there: a Hub id, as written
    assert (args.max_tokens, args.seed, args.strict) == (4096, 7, True)
    assert (args.languages, args.tasks) == ("de,en", "xtreme/xnli")  # as the command line's comma-separated text
    assert args.tag == [("lr", "1e-5"), ("data", "filtered")]
    assert args.inference == [("layer", 8), ("pooling", "mean")]
    assert args.label_map == [{"pawsx": {"LABEL_0": "0"}}]
    assert args.batch_size is None and args.split == "test" and args.device == "auto"  # defaults
    (tmp_path / "project" / "ckpt").mkdir()
    assert parsed("--config", str(path)).model == f"{project}/ckpt"
    # the command line wins: single flags replace, repeatable KEY=VALUE flags replace per key
    args = parsed(
        "--config", str(path), "--seed", "1234", "--languages", "fr", "--output", "elsewhere", "--tag", "data=raw",
        "--layer", "6", "--inference", "index=flat",
    )  # fmt: skip
    assert args.seed == 1234  # given, though it is the flag's default
    assert args.languages == "fr" and args.output == "elsewhere"  # a path given here stays relative to the cwd
    assert args.tag == [("lr", "1e-5"), ("data", "raw")]
    assert args.inference == [("pooling", "mean"), ("layer", 6), ("index", "flat")]
    assert not hasattr(args, "layer")  # the shorthands live in `inference`


def test_without_a_file_the_flags_parse_as_before():
    args = parsed("--model", "m", "--output", "o", "--layer", "3")
    assert (args.config, args.seed, args.batch_size, args.label_map, args.tag) == (None, 1234, None, None, None)
    assert args.inference == [("layer", 3)] and args.quiet is False and args.split == "test"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max_token: 4\n", "run.yaml: unknown key 'max_token'; did you mean 'max_tokens'?"),
        ("zzz: 4\n", "run.yaml: unknown key 'zzz'; keys are eval's flags: base, batch_size, cache_dir,"),
        ("config: other.yaml\n", "run.yaml: unknown key 'config'"),
        ("max-tokens: abc\n", "run.yaml: max-tokens: expected a positive integer, got 'abc'"),
        ("strict: 1\n", "run.yaml: strict: expected true or false, got 1"),
        ("split: train\n", "run.yaml: split: expected one of test, dev, got 'train'"),
        ("tasks: {xnli: 1}\n", "run.yaml: tasks: expected a single value, got a mapping"),
        ("seed: [1]\n", "run.yaml: seed: expected a single value, got a list"),
        ("tag: [lr]\n", "run.yaml: tag: expected KEY=VALUE (e.g. lr=1e-5), got 'lr'"),
        ("inference: [layer=1, layer=2]\n", "run.yaml: inference: layer is given twice"),
        ("inference: {layer: 2020-01-01}\n", "run.yaml: inference.layer: expected a JSON value"),
        ("layer: 8\ninference: {layer: 6}\n", "run.yaml: layer is given twice (as layer and in inference)"),
        ("max_tokens: 1\nmax-tokens: 2\n", "run.yaml: max-tokens is given twice"),
        ("- model\n", "run.yaml: expected a mapping of eval flags (e.g. max_tokens: 4096), got a list"),
        ("model: [unclosed\n", "run.yaml: cannot parse eval config"),
    ],
)
def test_a_bad_config_is_one_line_naming_the_file_and_the_key(tmp_path: Path, text: str, expected: str):
    path = config_file(tmp_path, text)
    line = one_error_line(run_main("eval", "--config", str(path), "--model", "m", "--output", str(tmp_path / "o")))
    assert line.startswith(f"xlt-bench: error: {tmp_path}/{expected}"), line


def test_model_and_output_are_required_here_or_there(tmp_path: Path):
    line = one_error_line(run_main("eval", "--output", "o"))
    assert "the following arguments are required: --model (or as keys of --config)" in line
    path = config_file(tmp_path, "model: m\n")
    assert "required: --output" in one_error_line(run_main("eval", "--config", str(path)))
    assert "--config" in one_error_line(run_main("eval", "--config", str(tmp_path / "missing.yaml"), "--model", "m"))


@pytest.fixture(scope="module")
def xnli_model(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> Path:
    root = tmp_path_factory.mktemp("ckpt")
    tiny_checkpoint(root / "xnli", head="sequence-classification", labels=XNLI_LABELS, tokenizer=tokenizer, seed=1)
    return root


def stamps(run: Path) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in (run / "fragments" / "xnli").iterdir()}


@pytest.mark.slow
def test_a_run_repeats_from_its_config_yaml(xnli_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(FIXTURE_DATA, project / "data")
    path = config_file(
        project,
        f"model: {xnli_model}\ntasks: [xtreme/xnli]\ndata_dir: data\noutput: runs/x\nbatch-size: 2\n"
        "tag: {lr: 1e-5}\nlabel: tiny\nquiet: true\n",
    )
    monkeypatch.chdir(tmp_path)  # relative paths of the file are relative to its folder, not to the cwd
    first = run_main("eval", "--config", str(path))
    assert first.returncode == 0, first.stderr
    run = project / "runs" / "x"
    written = yaml.safe_load((run / "config.yaml").read_text())
    assert (run / "config.yaml").read_text().startswith("# the configuration of this run")
    assert written["output"] == str(run) and written["data_dir"] == str(project / "data")
    assert written["model"] == str(xnli_model) and written["tasks"] == ["xtreme/xnli"] and written["suite"] == "xtreme"
    assert written["batch_size"] == 2 and written["tag"] == {"lr": "1e-5"} and written["label"] == "tiny"
    assert "quiet" not in written and "overwrite" not in written and "config" not in written
    assert set(json.loads((run / "results.json").read_text())["tasks"]["xnli"]["languages"]) == {"de", "en", "fr"}
    before = stamps(run)
    monkeypatch.chdir(run / "fragments")  # from anywhere
    again = run_main("eval", "--config", "../config.yaml")
    assert again.returncode == 0, again.stderr
    assert stamps(run) == before  # every unit kept, nothing re-run
    assert "xlt-bench: eval:" not in first.stderr  # quiet: true
    # (config.yaml does not record quiet) the languages without fixture data are skipped again
    assert "xlt-bench: eval: 0 units run, 3 kept, 12 skipped; 0 examples in 00:00" in again.stderr
    assert yaml.safe_load((run / "config.yaml").read_text()) == written
    # its flags are overridable like any config's
    other = tmp_path / "y"
    narrowed = run_main("eval", "--config", str(run / "config.yaml"), "--languages", "de", "--output", str(other))
    assert narrowed.returncode == 0, narrowed.stderr
    assert list(json.loads((other / "results.json").read_text())["tasks"]["xnli"]["languages"]) == ["de"]
    assert yaml.safe_load((other / "config.yaml").read_text()) == {**written, "languages": ["de"], "output": str(other)}
    assert stamps(run) == before
    # the folder's other readers do not mind config.yaml
    for command in (["leaderboard", str(run), str(other)], ["compare", str(run), str(run)]):
        result = run_main(*command)
        assert result.returncode == 0 and "config.yaml" not in result.stderr, result.stderr
    scored = run_main("score", "--predictions", str(run / "predictions"), "--gold", str(run / "labels"), "--json")
    assert scored.returncode == 0 and set(json.loads(scored.stdout)["tasks"]["xnli"]["languages"]) == {"de", "en", "fr"}


@pytest.mark.slow
def test_config_yaml_is_written_inside_the_jail(xnli_model: Path, tmp_path: Path):
    run, outside = tmp_path / "run", tmp_path / "outside.txt"
    run.mkdir()
    outside.write_text("mine\n")
    (run / "config.yaml").symlink_to(outside)
    args = ["eval", "--model", str(xnli_model), "--tasks", "xtreme/xnli", "--data-dir", str(FIXTURE_DATA)]
    line = one_error_line(run_main(*args, "--output", str(run), "--quiet"))
    assert "config.yaml: a symbolic link inside the run folder" in line
    assert outside.read_text() == "mine\n" and not (run / "fragments").exists()
