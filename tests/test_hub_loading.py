"""The Hub path end to end, with the real `datasets` and `huggingface_hub` against a local Hub (`local_hub.py`): the
built-in Hub copies read at their pinned commits (PAN-X from `google/xtreme`, XTREME-R's new PAN-X languages from
`unimelb-nlp/wikiann`'s `refs/convert/parquet` branch), the commit recorded; a branch resolved to its commit and
remembered for offline runs; what a Hub dataset can get wrong (a loading script, a renamed column, a label outside
its ClassLabel, a missing config or split) as one reason per unit; a checkpoint read from the Hub at one commit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from local_hub import LocalHub, hub_env, parquet_bytes, parquet_repo

from xlt_bench.plugins.xtreme import PANX_TAGS, XTREME_HUB_COMMIT
from xlt_bench.plugins.xtreme_r import WIKIANN_COMMIT
from xlt_bench.testing import tiny_checkpoint

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures" / "data"


def ner_rows(count: int, tags: list[int] | None = None, column: str = "ner_tags"):
    """`count` PAN-X-shaped rows (tokens, ClassLabel tags, langs) as a `datasets.Dataset`."""
    import datasets

    features = datasets.Features(
        {
            "tokens": datasets.Sequence(datasets.Value("string")),
            column: datasets.Sequence(datasets.ClassLabel(names=list(PANX_TAGS))),
            "langs": datasets.Sequence(datasets.Value("string")),
        }
    )
    rows = {"tokens": [["Berlin", "liegt", "hier"]] * count, column: [tags or [5, 0, 0]] * count}
    return datasets.Dataset.from_dict({**rows, "langs": [["de"] * 3] * count}, features=features)


def xlt_bench(hub: LocalHub, home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`xlt-bench ARGS` in a fresh process that sees only the local Hub."""
    command = [sys.executable, "-m", "xlt_bench", *args]
    return subprocess.run(command, capture_output=True, text=True, env=hub_env(hub, home, **env), timeout=600)


@pytest.fixture
def tagger(tokenizer, tmp_path: Path) -> Path:
    return tiny_checkpoint(tmp_path / "tagger", head="token-classification", labels=PANX_TAGS, tokenizer=tokenizer)


def test_panx_is_read_at_its_pinned_commits_and_they_are_recorded(local_hub: LocalHub, tagger: Path, tmp_path: Path):
    pinned = parquet_repo({"PAN-X.de": {"test": ner_rows(3), "validation": ner_rows(1)}})
    assert local_hub.add("datasets", "google/xtreme", pinned, commit=XTREME_HUB_COMMIT) == XTREME_HUB_COMMIT
    local_hub.add("datasets", "google/xtreme", parquet_repo({"PAN-X.de": {"test": ner_rows(5)}}))  # main moves on
    conversion = {"qu/test/0000.parquet": parquet_bytes(ner_rows(2)), ".gitattributes": b""}  # no card
    local_hub.add("datasets", "unimelb-nlp/wikiann", conversion, ref="refs/convert/parquet", commit=WIKIANN_COMMIT)
    run = tmp_path / "run"
    args = ["eval", "--model", str(tagger), "--suite", "xtreme-r", "--tasks", "panx", "--languages", "de,qu"]
    result = xlt_bench(local_hub, tmp_path, *args, "--output", str(run), "--quiet")
    assert result.returncode == 0, result.stderr
    panx = json.loads((run / "results.json").read_text())["tasks"]["panx"]
    assert panx["examples"] == {"de": 3, "qu": 2}  # the pinned commit's rows, not main's five
    assert panx["data"] == {
        "de": ["hub", "google/xtreme", "PAN-X.de", "test", XTREME_HUB_COMMIT],
        "qu": ["hub", "unimelb-nlp/wikiann", "qu", "test", WIKIANN_COMMIT],
    }
    fragment = json.loads(next((run / "fragments").glob("panx/*qu*.json")).read_text())
    assert fragment["data"] == f"hub:unimelb-nlp/wikiann/qu@{WIKIANN_COMMIT} [test]"

    fetched = xlt_bench(local_hub, tmp_path, "prefetch", "--suite", "xtreme-r", "--tasks", "panx", "--languages", "de")
    assert fetched.returncode == 0 and "0 fetched, 1 cached, 0 failed" in fetched.stdout, fetched.stdout


PLUGIN = """
from xlt_bench import hookimpl
from xlt_bench.tasks import HubSource, Suite, Task

TAGS = {tags!r}
TASKS = [
    Task(name=name, suite="hubby", type="tagging", languages=("de",), metric="seqeval", main_metrics=("f1",),
         labels=TAGS, inference={{"max_length": 64}},
         hub=HubSource(path=f"someone/{{name}}", config=config, splits={{"test": split}},
                       fields={{"tokens": "tokens", "tags": "ner_tags"}}, revision=revision))
    for name, config, split, revision in {tasks!r}
]

@hookimpl
def xlt_register_suites(register):
    register(Suite(name="hubby", description="Hub copies that go wrong", tasks=tuple(t.name for t in TASKS)))

@hookimpl
def xlt_register_tasks(register):
    for task in TASKS:
        register(task)
"""


def plugin(folder: Path, tasks: list[tuple[str, str, str, str | None]]) -> dict[str, str]:
    (folder / "hubby.py").write_text(textwrap.dedent(PLUGIN.format(tags=PANX_TAGS, tasks=tasks)), encoding="utf-8")
    return {"PYTHONPATH": str(folder)}


def test_what_a_hub_dataset_gets_wrong_is_one_reason_for_its_unit(local_hub: LocalHub, tagger: Path, tmp_path: Path):
    good = parquet_repo({"de": {"test": ner_rows(2)}})
    repos = {
        "good": good,
        "scripted": {"scripted.py": b"import datasets\n", "README.md": b"# a loading script\n"},
        "renamed": parquet_repo({"de": {"test": ner_rows(2, column="tags")}}),
        "outside": parquet_repo({"de": {"test": ner_rows(2, tags=[5, -1, 0])}}),
    }
    commits = {name: local_hub.add("datasets", f"someone/{name}", files) for name, files in repos.items()}
    commits["noconfig"] = local_hub.add("datasets", "someone/noconfig", good)
    commits["nosplit"] = local_hub.add("datasets", "someone/nosplit", good)
    tasks = [(name, "de", "test", commits[name]) for name in ("good", "scripted", "renamed", "outside")]
    tasks += [("noconfig", "xx", "test", commits["noconfig"]), ("nosplit", "de", "dev", commits["nosplit"])]
    env = plugin(tmp_path, tasks)
    args = ["-p", "hubby", "eval", "--model", str(tagger), "--suite", "hubby", "--output", str(tmp_path / "run")]
    result = xlt_bench(local_hub, tmp_path, *args, "--quiet", **env)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    skips = {line.split(":", 1)[0].removeprefix("skipped "): line for line in result.stdout.splitlines()}
    where = {name: f"hub:someone/{name}/{config}@{commits[name]} [{split}]" for name, config, split, _ in tasks}
    assert f"{where['scripted']} is a loading script, which datasets " in skips["scripted/de"]
    assert f"{where['renamed']}: no column 'ner_tags' (it has tokens, tags, langs)" in skips["renamed/de"]
    assert f"{where['outside']}: row 0, column 'ner_tags': label id -1 is not one of the 7 names" in skips["outside/de"]
    assert where["noconfig"] in skips["noconfig/de"] and "xx" in skips["noconfig/de"].split(where["noconfig"])[1]
    assert where["nosplit"] in skips["nosplit/de"] and "dev" in skips["nosplit/de"].split(where["nosplit"])[1]
    assert all(len(line) < 600 for line in skips.values())
    assert json.loads((tmp_path / "run" / "results.json").read_text())["tasks"]["good"]["examples"] == {"de": 2}

    strict = xlt_bench(local_hub, tmp_path, *args[:-2], "--output", str(tmp_path / "strict"), "--strict", **env)
    errors = [line for line in strict.stderr.splitlines() if line.startswith("xlt-bench: error:")]
    assert strict.returncode == 2 and "Traceback" not in strict.stderr
    assert errors == [f"xlt-bench: error: scripted/de: {skips['scripted/de'].split(': ', 1)[1]} (--strict)"]


def test_a_branch_is_read_at_the_commit_it_names_and_offline_at_the_one_it_named(
    local_hub: LocalHub, tagger: Path, tmp_path: Path
):
    first = local_hub.add("datasets", "someone/moving", parquet_repo({"de": {"test": ner_rows(2)}}))
    env = plugin(tmp_path, [("moving", "de", "test", None)])
    args = ["-p", "hubby", "eval", "--model", str(tagger), "--suite", "hubby", "--quiet"]
    online = xlt_bench(local_hub, tmp_path, *args, "--output", str(tmp_path / "online"), **env)
    assert online.returncode == 0, online.stderr
    recorded = json.loads((tmp_path / "online" / "results.json").read_text())["tasks"]["moving"]["data"]["de"]
    assert recorded == ["hub", "someone/moving", "de", "test", first]
    local_hub.add("datasets", "someone/moving", parquet_repo({"de": {"test": ner_rows(4)}}))  # main moves on
    offline = xlt_bench(local_hub, tmp_path, *args, "--output", str(tmp_path / "offline"), "--offline", **env)
    assert offline.returncode == 0, offline.stderr
    document = json.loads((tmp_path / "offline" / "results.json").read_text())["tasks"]["moving"]
    assert document["data"]["de"][-1] == first and document["examples"] == {"de": 2}
    assert f"dataset:someone/moving@main is read at commit {first}, the one it named when last resolved" in (
        offline.stderr
    )


def test_a_hub_checkpoint_is_read_at_one_commit_and_recorded(local_hub: LocalHub, tagger: Path, tmp_path: Path):
    files = {path.name: path.read_bytes() for path in tagger.iterdir() if path.is_file()}
    commit = local_hub.add("models", "someone/tiny-tagger", files)
    manifest = tmp_path / "models.yaml"
    manifest.write_text("panx: {path: someone/tiny-tagger, revision: main}\n", encoding="utf-8")
    args = ["eval", "--model", str(manifest), "--tasks", "xtreme/panx", "--languages", "de"]
    result = xlt_bench(local_hub, tmp_path, *args, "--data-dir", str(FIXTURES), "--output", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    fragment = json.loads(next((tmp_path / "run" / "fragments").glob("panx/*.json")).read_text())
    assert fragment["checkpoint"]["revision"] == "main" and fragment["checkpoint"]["commit"] == commit
    assert fragment["checkpoint"]["hash"] == f"hub:{commit}"
    resolves = {path.split("/resolve/")[1].split("/")[0] for _, path in local_hub.requests if "/resolve/" in path}
    assert resolves <= {"main", commit}  # config at main, then everything at the commit it named


def test_a_hub_that_answers_503_is_unreachable_saying_which_host(local_hub: LocalHub, tmp_path: Path):
    local_hub.status = 503
    code = "from xlt_bench.hub_access import probe; print(probe())"
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=hub_env(local_hub, tmp_path)
    )
    assert answer.stdout.startswith(f"127.0.0.1:{local_hub.server_port}: ") and "503" in answer.stdout, answer.stdout
    assert len(local_hub.requests) == 3  # huggingface_hub's own retries: the first try and two more


def test_a_hub_sentence_encoder_is_read_with_its_own_declaration_online_and_offline(
    local_hub: LocalHub, tokenizer, real_samples: Path, tmp_path: Path
):
    encoder = tiny_checkpoint(tmp_path / "encoder", head="encoder", tokenizer=tokenizer, layers=3)
    files = {path.name: path.read_bytes() for path in encoder.iterdir() if path.is_file()}
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
        {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    files["modules.json"] = json.dumps(modules).encode()
    pooling = {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}
    files["1_Pooling/config.json"] = json.dumps(pooling).encode()
    local_hub.add("models", "someone/sentence-encoder", files)
    args = ["eval", "--model", "someone/sentence-encoder", "--tasks", "xtreme/tatoeba", "--languages", "de", "--quiet"]
    args += ["--data-dir", str(real_samples / "tatoeba")]
    online = xlt_bench(local_hub, tmp_path, *args, "--output", str(tmp_path / "online"))
    assert online.returncode == 0, online.stderr
    task = json.loads((tmp_path / "online" / "results.json").read_text())["tasks"]["tatoeba"]
    assert task["procedure"] == {"name": "xtreme", "layer": 3, "pooling": "cls", "modules_not_applied": ["2_Dense"]}
    offline = xlt_bench(local_hub, tmp_path, *args, "--offline", "--output", str(tmp_path / "offline"))
    assert offline.returncode == 0, offline.stderr
    again = json.loads((tmp_path / "offline" / "results.json").read_text())["tasks"]["tatoeba"]
    assert {**again, "seconds": None} == {**task, "seconds": None}  # modules.json read from the Hub cache
