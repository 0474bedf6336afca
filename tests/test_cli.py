"""The command line: listings, the score JSON contract, and one-line errors for bad input."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import run_cli, run_main

from xlt_bench.cli import _print_skips


def test_list_tasks_json_describes_the_nine_xtreme_tasks():
    result = run_cli("list", "tasks", "--suite", "xtreme", "--json")
    assert result.returncode == 0, result.stderr
    tasks = {task["name"]: task for task in json.loads(result.stdout)}
    assert list(tasks) == ["xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba"]
    assert tasks["udpos"]["type"] == "tagging" and len(tasks["udpos"]["languages"]) == 33
    assert tasks["panx"]["metric"] == "seqeval" and len(tasks["panx"]["languages"]) == 40
    assert tasks["xquad"]["main_metric"] == "mean(exact_match, f1)"
    assert tasks["tatoeba"]["data"][0]["patterns"] == {"test": ["tatoeba.{code}-eng.{code}"]}
    assert tasks["xnli"]["labels"] == ["entailment", "neutral", "contradiction"] and tasks["xnli"]["version"] == 1


def test_list_tasks_table_and_filters():
    result = run_cli("list", "tasks", "--type", "bitext_retrieval", "--language", "sw")
    assert result.returncode == 0
    assert "tatoeba" in result.stdout and "bucc2018" not in result.stdout
    assert "tatoeba (36): ar he vi" in result.stdout


def test_unknown_suite_suggests_the_right_name():
    result = run_cli("list", "tasks", "--suite", "xtrem")
    assert result.returncode == 2
    assert "unknown suite 'xtrem' (known: masakhane, xglue, xtreme, xtreme-r); did you mean 'xtreme'?" in result.stderr


@pytest.fixture
def mock(real_samples: Path, tmp_path: Path) -> Path:
    shutil.copytree(real_samples / "xtreme_mock_test_data", tmp_path / "mock")
    return tmp_path / "mock"


def score(mock: Path, *extra: str):
    return run_cli("score", "--predictions", str(mock / "predictions"), "--gold", str(mock / "labels"), *extra)


def one_error_line(result) -> str:
    assert result.returncode == 2, result.stdout
    lines = [line for line in result.stderr.splitlines() if not line.startswith("xlt-bench: warning")]
    assert len(lines) == 1 and lines[0].startswith("xlt-bench: error: "), result.stderr
    return lines[0]


def test_incomplete_task_is_scored_per_language_without_average(mock: Path):
    (mock / "labels" / "xnli" / "test-sw.tsv").unlink()
    result = score(mock, "--json")
    assert result.returncode == 0
    xnli = json.loads(result.stdout)["tasks"]["xnli"]
    assert xnli["complete"] is False and xnli["average"] is None and xnli["score"] is None
    assert len(xnli["languages"]) == 14 and "sw" not in xnli["languages"]
    assert json.loads(result.stdout)["score"] is None
    assert "xnli: no gold for sw; task incomplete, not averaged" in result.stderr
    assert "--strict" in one_error_line(score(mock, "--strict")) and "test-sw.tsv" in score(mock, "--strict").stderr


def test_missing_prediction_file_names_both_files(mock: Path):
    (mock / "predictions" / "pawsx" / "test-ko.tsv").unlink()
    line = one_error_line(score(mock))
    assert (
        "predictions/pawsx/test-ko.tsv: prediction file missing (gold: " in line and "labels/pawsx/test-ko.tsv" in line
    )


def test_line_count_mismatch_names_both_files(mock: Path):
    path = mock / "predictions" / "xnli" / "test-de.tsv"
    path.write_text(path.read_text() + "neutral\n")
    line = one_error_line(score(mock))
    assert (
        "predictions/xnli/test-de.tsv does not line up with" in line
        and "labels/xnli/test-de.tsv: 11 lines, expected 10" in line
    )


def test_tag_count_mismatch_names_the_sentence(mock: Path):
    path = mock / "predictions" / "udpos" / "test-en.tsv"
    path.write_text("PRON\nAUX\nPRON\n\nPRON\nAUX\nPRON\nPUNCT\n")
    line = one_error_line(score(mock))
    assert "predictions/udpos/test-en.tsv does not line up with" in line and "sentence 1 has 3 tags, expected 4" in line


def test_unknown_question_ids_and_bad_json(mock: Path):
    path = mock / "predictions" / "xquad" / "test-en.json"
    answers = json.loads(path.read_text())
    path.write_text(json.dumps({"not-a-real-id": "x", **answers}))
    assert "1 ids not in the gold file, e.g. 'not-a-real-id'" in one_error_line(score(mock))
    path.write_text('{\n  "a": "b",\n  oops\n}')
    assert "predictions/xquad/test-en.json:3: invalid JSON" in one_error_line(score(mock))
    path.write_text('{"56beb4343aeaaa14008c925c": 3}')
    assert "answer for id '56beb4343aeaaa14008c925c' is int, expected a string" in one_error_line(score(mock))


def test_not_a_folder():
    line = one_error_line(run_cli("score", "--predictions", "/nonexistent/p", "--gold", "/nonexistent/g"))
    assert line == "xlt-bench: error: --predictions /nonexistent/p: not a directory"


@pytest.mark.parametrize("args", [["list", "tasks", "--json"], ["list", "tasks"]], ids=["json", "table"])
def test_a_closed_pipe_ends_quietly(args: list[str]):
    """`xlt-bench list tasks --json | head -1`: the reader goes away mid-output; no BrokenPipeError traceback."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)  # smaller than the output, as after `head`
    process = subprocess.Popen([sys.executable, "-m", "xlt_bench", *args], stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        assert reader.read(100)
    error = process.stderr.read().decode()
    process.wait(timeout=60)
    assert error == "" and process.returncode == 141


def test_list_tasks_shows_the_registered_metric_and_the_main_metric():
    result = run_cli("list", "tasks", "--suite", "xtreme")
    assert result.returncode == 0, result.stderr
    header, _, *rows = result.stdout.splitlines()
    assert header.split()[:7] == ["task", "suite", "type", "langs", "metric", "main", "metric"]
    assert next(row for row in rows if row.startswith("udpos ")).split()[4:6] == ["seqeval", "f1"]


COMMANDS = ["plugins", "list", "score", "prefetch", "eval", "demo", "leaderboard", "compare"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_prints_its_help(command: str):
    result = run_main(command, "--help")
    assert result.returncode == 0 and result.stdout.startswith(f"usage: xlt-bench {command} ")


@pytest.mark.parametrize(
    "args, expected",
    [
        (["score", "--seqeval-rules", "2.0"], "--seqeval-rules: invalid choice: '2.0'"),
        (["prefetch", "--tasks"], "--tasks: expected one argument"),
        (["eval", "--model", "m", "--output", "o", "--quiet=yes"], "--quiet: ignored explicit argument 'yes'"),
        (["leaderboard", "--seed", "-1"], "--seed: expected an integer from 0 to 2**32 - 1, got '-1'"),
        (["compare", "a", "b", "--seed", "x"], "--seed: expected an integer from 0 to 2**32 - 1, got 'x'"),
    ],
)
def test_a_flag_commands_share_errs_in_one_line_of_the_command(args: list[str], expected: str):
    """Shared flags are argparse parents; their mistakes must still be one line that points at the command's help."""
    result = run_main(*args)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"xlt-bench: error: {expected}")
    assert result.stderr.endswith(f" (see 'xlt-bench {args[0]} --help')\n")


def test_eval_prints_skipped_tasks_the_first_five_languages_and_left_out_records(capsys):
    languages = {language: f"no {language} data" for language in ["af", "ar", "bg", "de", "el", "es", "et"]}
    run = SimpleNamespace(
        skipped={"panx": "no token classification head"},
        skipped_languages={"udpos": languages},
        skipped_examples={"afriqa": {"yor": {"no context": 1, "empty answer": 2}}},
    )
    _print_skips(run)
    assert capsys.readouterr().out.splitlines() == [
        "skipped panx: no token classification head",
        *(f"skipped udpos/{language}: no {language} data" for language in ["af", "ar", "bg", "de", "el"]),
        "skipped udpos: 2 more languages (reasons in results.json)",
        "afriqa/yor: records left out of scoring (no context: 1, empty answer: 2)",
    ]


def test_a_terminal_that_cannot_show_a_character_gets_an_escape_not_a_traceback():
    result = run_cli("leaderboard", "xlmr_large_xtreme", "--format", "md", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "(Hu et al., 2020) \\u2020" in result.stdout


def test_a_bug_keeps_its_traceback_and_exits_70_never_compares_regression_code(monkeypatch):
    from xlt_bench import cli

    def broken(registry, args):
        raise ZeroDivisionError("a bug")

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_handler(parser(), broken))
    result = run_main("plugins")
    assert result.returncode == cli.EXIT_BUG == 70
    assert "ZeroDivisionError: a bug" in result.stderr and "xlt-bench: internal error" in result.stderr


def _with_handler(parser, handler):
    """`parser` with every command's handler replaced by `handler`."""
    parser.set_defaults(handler=handler)
    for action in parser._subparsers._group_actions:
        for sub in action.choices.values():
            sub.set_defaults(handler=handler)
    return parser


def test_a_sigterm_that_lands_in_a_finaliser_still_stops_the_command(monkeypatch):
    """Python drops an exception raised while a finaliser runs ("Exception ignored in ..."); xlt-bench keeps it and
    ends as terminated, in one line, instead of exit 0."""
    import time

    from xlt_bench import cli

    class Finaliser:
        def __del__(self):
            raise cli.Terminated()

    def handler(registry, args):
        Finaliser()  # finalised at once: its Terminated cannot propagate from there
        time.sleep(0.01)
        return 0

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_handler(parser(), handler))
    result = run_main("plugins")
    assert result.returncode == cli.EXIT_TERMINATED
    assert result.stderr.strip().splitlines() == ["xlt-bench: terminated; finished (task, language) results are kept"]
