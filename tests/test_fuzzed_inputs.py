"""Every reader on mutated real samples (Hypothesis, fixed seed): truncated, bytes flipped, re-encoded, records
duplicated, dropped or swapped, a huge field, deep nesting. Whatever the damage, a reader either returns records or
raises `XltBenchError` (one line naming the file, what the CLI prints with exit 2); any other exception is a
traceback a user would see, and fails here.

The readers: each data format of the built-in suites (on a copy of a real sample and its companion files), and the
files xlt-bench writes and reads back (results.json, fragments, samples), study designs, model manifests and label
maps. And `eval` itself on a damaged data file beside a finished unit: exit 0 or 2 with one error line, the finished
unit byte for byte as it was, nothing written outside the run folder.

`XLT_FUZZ_EXAMPLES` sets the number of cases per reader (default 60, eval a third of that: the whole module takes
about a minute in CI); the seed is fixed, so a failure reproduces.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from xlt_bench.data.formats import DataSource
from xlt_bench.errors import XltBenchError
from xlt_bench.registry import load_registry

FIXTURES = Path(__file__).parent / "fixtures" / "data"
EXAMPLES = int(os.environ.get("XLT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` with one kind of damage a file meets on its way: a cut, flipped bytes, another encoding,
    records duplicated, dropped or swapped, a huge field, deep nesting."""
    lines = original.split(b"\n")
    kind = draw(
        st.sampled_from(["truncate", "flip", "utf16", "latin1", "duplicate", "drop", "swap", "huge", "nest", "insert"])
    )
    at = draw(st.integers(0, max(len(original) - 1, 0)))
    line = draw(st.integers(0, max(len(lines) - 1, 0)))
    if kind == "truncate":
        return original[:at]
    if kind == "flip":
        return original[:at] + bytes([original[at] ^ draw(st.integers(1, 255))]) + original[at + 1 :]
    if kind == "utf16":
        return original.decode("utf-8").encode("utf-16")
    if kind == "latin1":
        return original.decode("utf-8").encode("latin-1", errors="replace")
    if kind == "duplicate":
        return b"\n".join(lines[: line + 1] + lines[line:])
    if kind == "drop":
        return b"\n".join(lines[:line] + lines[line + 1 :])
    if kind == "swap":
        other = draw(st.integers(0, max(len(lines) - 1, 0)))
        lines[line], lines[other] = lines[other], lines[line]
        return b"\n".join(lines)
    if kind == "huge":
        return original[:at] + b"x" * 2_000_000 + original[at:]
    if kind == "nest":
        depth = draw(st.sampled_from([50, 5_000, 200_000]))
        return original[:at] + b"[" * depth + b"]" * depth + original[at:]
    return original[:at] + draw(st.binary(min_size=1, max_size=40)) + original[at:]


def _head(path: Path, lines: int) -> bytes:
    """The first `lines` lines of a sample, ending at a record boundary (a blank line) when there is one."""
    kept = path.read_bytes().split(b"\n")[:lines]
    while b"" in kept and kept[-1] != b"":
        kept.pop()
    return b"\n".join(kept).rstrip(b"\n") + b"\n"


def _small_squad(path: Path) -> bytes:
    document = json.loads(path.read_text(encoding="utf-8"))
    article = document["data"][0]
    return json.dumps(
        {"version": document.get("version", "1.1"), "data": [{**article, "paragraphs": article["paragraphs"][:2]}]}
    ).encode()


@pytest.fixture(scope="module")
def samples(real_samples: Path) -> dict[str, tuple[str, str, dict[str, bytes]]]:
    """format -> (language, split, {file name: content}); the first file is the one the reader is given."""
    tatoeba, afriqa = real_samples / "tatoeba" / "v1", real_samples / "afriqa" / "data" / "gold_passages" / "hau"
    ewt = real_samples / "udpos" / "ud-treebanks-v2.5" / "UD_English-EWT" / "en_ewt-ud-test.conllu"
    hausa = real_samples / "masakhaner2" / "MasakhaNER2.0" / "data" / "hau" / "test.txt"
    passages = "gold_span_passages.afriqa.hau.en.test.json"
    bucc = {
        "bucc2018-de-en.training.de": b"de-1\tEin Satz.\nde-2\tZwei Saetze.\nde-3\tDrei.\n",
        "bucc2018-de-en.training.en": b"en-1\tA sentence.\nen-2\tTwo sentences.\n",
        "bucc2018-de-en.training.gold": b"de-1\ten-1\nde-2\ten-2\n",
    }
    return {
        "ud-conllu": ("en", "test", {ewt.name: _head(ewt, 120)}),
        "squad-json": ("en", "test", {"xquad.en.json": _small_squad(real_samples / "xquad" / "xquad.en.json")}),
        "tatoeba-laser": (
            "de",
            "test",
            {name: _head(tatoeba / name, 30) for name in ("tatoeba.deu-eng.deu", "tatoeba.deu-eng.eng")},
        ),
        "panx-raw": ("de", "test", {"de-test": (FIXTURES / "panx_dataset" / "de-test").read_bytes()}),
        "xnli-tsv": ("en", "test", {"xnli.test.tsv": _head(FIXTURES / "XNLI-1.0" / "xnli.test.tsv", 20)}),
        "pawsx-tsv": ("de", "test", {"test_2k.tsv": _head(FIXTURES / "x-final" / "de" / "test_2k.tsv", 20)}),
        "xcopa-jsonl": ("et", "test", {"test.et.jsonl": _head(real_samples / "xcopa/data/et/test.et.jsonl", 20)}),
        "masakhaner": ("hau", "test", {"test.txt": _head(hausa, 200)}),
        "afriqa-gold-passages": ("ha", "test", {passages: _head(afriqa / passages, 10)}),
        "bucc2018": ("de", "test", bucc),
    }


@contextmanager
def folder(files: dict[str, bytes]) -> Iterator[Path]:
    """A fresh temporary folder holding `files` (Hypothesis runs many cases per test: tmp_path is per test)."""
    root = Path(tempfile.mkdtemp(prefix="xlt-fuzz-"))
    try:
        for name, content in files.items():
            (root / name).write_bytes(content)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def survives(read: Callable[[], object]) -> None:
    """`read()` returns, or raises a one-line `XltBenchError` (or an `OSError` naming its file, which the CLI prints
    as one line too); anything else propagates and fails the test."""
    try:
        read()
    except XltBenchError as error:
        assert "\n" not in str(error) and str(error), repr(error)
    except OSError as error:
        assert error.filename is not None and error.strerror, repr(error)


REGISTRY = load_registry()


@pytest.mark.parametrize(
    "fmt",
    ["ud-conllu", "squad-json", "tatoeba-laser", "panx-raw", "xnli-tsv", "pawsx-tsv", "xcopa-jsonl", "masakhaner",
     "afriqa-gold-passages", "bucc2018"],
)  # fmt: skip
def test_every_data_format_survives_damaged_files(fmt: str, samples: dict, real_samples: Path):
    language, split, files = samples[fmt]
    names = list(files)

    @FUZZ
    @seed(20261207)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        damaged = data.draw(st.sampled_from(names))
        content = data.draw(mutated(files[damaged]))
        with folder({**files, damaged: content}) as root:
            source = DataSource(fmt, (root / names[0],))
            survives(lambda: list(REGISTRY.formats[fmt].read(source, language, split)))

    check()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> dict[str, bytes]:
    """Files eval writes and later reads back, from a real tiny run: results.json, a fragment, a samples file."""
    from helpers import run_main, xnli_eval

    from xlt_bench.testing import tiny_checkpoint

    root = tmp_path_factory.mktemp("written")
    labels = ("entailment", "neutral", "contradiction")
    tiny_checkpoint(root / "ckpt" / "xnli", head="sequence-classification", labels=labels, tokenizer=tokenizer)
    result = run_main(*xnli_eval(root / "ckpt", root / "run", "--quiet", "--languages", "de"))
    assert result.returncode == 0, result.stderr
    run = root / "run"
    return {
        "results.json": (run / "results.json").read_bytes(),
        "fragment": (run / "fragments" / "xnli" / "test-de.json").read_bytes(),
        "samples": (run / "samples" / "xnli" / "test-de.jsonl").read_bytes(),
    }


def _read_written(kind: str, path: Path) -> object:
    from xlt_bench.files import read_json
    from xlt_bench.metrics.accuracy import ACCURACY_STATISTICS
    from xlt_bench.run_results import Fragment, RunResults
    from xlt_bench.samples import read_statistics

    if kind == "results.json":
        return RunResults.read(path)
    if kind == "fragment":
        return Fragment.from_json(read_json(path), path)
    return read_statistics(path, ACCURACY_STATISTICS)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["results.json", "fragment", "samples"])
def test_the_files_eval_reads_back_survive_damage(kind: str, written: dict[str, bytes]):
    @FUZZ
    @seed(20261207)
    @given(mutated(written[kind]))
    def check(content: bytes) -> None:
        with folder({"file.json": content}) as root:
            survives(lambda: _read_written(kind, root / "file.json"))

    check()


DESIGN = b"""name: intermediate training
contrasts:
  - {name: mnli, baseline: {regime: direct}, candidate: {intermediate: mnli}}
languages: {script: [Latn, Cyrl]}
group_by: [family]
"""
MANIFEST = b"""xnli: {path: ckpt/xnli, label_map: {LABEL_0: entailment}}
pawsx: ckpt/pawsx
tatoeba: {path: someone/encoder, revision: main, inference: {pooling: cls, layer: -1}}
"""
LABEL_MAP = b'{"xnli": {"LABEL_0": "entailment", "LABEL_1": "neutral"}}\n'


def _read_config(kind: str, path: Path) -> object:
    from xlt_bench.labels import parse_label_maps
    from xlt_bench.leaderboard.study.design import Design
    from xlt_bench.task_checkpoints import choose_checkpoints

    if kind == "design":
        return Design.read(path)
    if kind == "manifest":
        return choose_checkpoints(str(path), list(REGISTRY.suite_tasks("xtreme")))
    return parse_label_maps([str(path)])


@pytest.mark.parametrize(
    ("kind", "original"), [("design", DESIGN), ("manifest", MANIFEST), ("label map", LABEL_MAP)], ids=str
)
def test_designs_manifests_and_label_maps_survive_damage(kind: str, original: bytes):
    @FUZZ
    @seed(20261207)
    @given(mutated(original))
    def check(content: bytes) -> None:
        with folder({"file.yaml": content}) as root:
            survives(lambda: _read_config(kind, root / "file.yaml"))

    check()


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory, tokenizer) -> Path:
    """Per-task checkpoints (xnli, pawsx) and a run folder whose xnli/de unit is finished."""
    from helpers import run_main, xnli_eval

    from xlt_bench.testing import tiny_checkpoint

    root = tmp_path_factory.mktemp("finished")
    labels = ("entailment", "neutral", "contradiction")
    tiny_checkpoint(root / "ckpt" / "xnli", head="sequence-classification", labels=labels, tokenizer=tokenizer)
    tiny_checkpoint(root / "ckpt" / "pawsx", head="sequence-classification", labels=("0", "1"), tokenizer=tokenizer)
    result = run_main(*xnli_eval(root / "ckpt", root / "run", "--quiet", "--languages", "de"))
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.slow
def test_eval_on_damaged_data_exits_0_or_2_in_one_line_and_leaves_finished_units_alone(finished: Path):
    from helpers import run_main

    original = _head(FIXTURES / "x-final" / "de" / "test_2k.tsv", 20)

    @settings(FUZZ, max_examples=max(EXAMPLES // 3, 5))
    @seed(20261207)
    @given(mutated(original))
    def check(content: bytes) -> None:
        with folder({}) as root:
            shutil.copytree(finished / "run", root / "run")
            (root / "data" / "x-final" / "de").mkdir(parents=True)
            (root / "data" / "x-final" / "de" / "test_2k.tsv").write_bytes(content)
            before = {p: p.read_bytes() for p in (root / "run").rglob("*") if p.is_file() and "xnli" in p.as_posix()}
            args = ["eval", "--model", str(finished / "ckpt"), "--tasks", "xtreme/pawsx", "--languages", "de"]
            result = run_main(*args, "--data-dir", str(root / "data"), "--output", str(root / "run"), "--quiet")
            assert result.returncode in (0, 2) and "Traceback" not in result.stderr, result.stderr
            if result.returncode == 2:
                errors = [line for line in result.stderr.splitlines() if line.startswith("xlt-bench: error: ")]
                assert len(errors) == 1, result.stderr
            assert {p: p.read_bytes() for p in before} == before  # the finished xnli/de unit is untouched
            assert sorted(p.name for p in root.iterdir()) == ["data", "run"]  # nothing written beside the folder

    check()
