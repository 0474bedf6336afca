"""What the repository promises about itself: every declared dependency floor is the one tox's `floor` environment
tests, and the data-source table of docs/suites.md is what `xlt-bench list sources` prints."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from helpers import run_main

REPO = Path(__file__).resolve().parents[1]
NOT_OURS = {"pyarrow", "accelerate"}  # pinned in the floor environment for datasets and Trainer (tox.ini says why)
PINNED_EVERYWHERE = {"torch"}  # its floor is not tested: every environment pins the local CPU wheel


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def declared_floors() -> dict[str, str]:
    setup = (REPO / "setup.py").read_text(encoding="utf-8")
    block = setup[setup.index("install_requires=[") : setup.index("],", setup.index("install_requires=["))]
    requirements = re.findall(r'"([^"]+)"', block)
    return {_name(req): req.split(">=", 1)[1] for req in requirements if ">=" in req}


def floor_pins() -> dict[str, str]:
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(REPO / "tox.ini", encoding="utf-8")
    lines = [line.strip() for line in tox["testenv:floor"]["deps"].splitlines() if line.strip()]
    return {_name(line): line.split("==", 1)[1] for line in lines}


def test_the_floor_environment_pins_every_declared_lower_bound():
    floors, pins = declared_floors(), floor_pins()
    assert {"transformers", "datasets", "huggingface-hub", "numpy", "faiss-cpu", "pluggy"} <= set(floors)
    assert {name: pins.get(name) for name in floors if name not in PINNED_EVERYWHERE} == {
        name: version for name, version in floors.items() if name not in PINNED_EVERYWHERE
    }
    assert set(pins) - set(floors) == NOT_OURS  # nothing pinned that setup.py does not declare
    assert pins["torch"] == "2.13.0"  # the local CPU wheel, as in every environment


def test_the_docs_list_the_data_sources_the_plugins_declare():
    page = (REPO / "docs" / "suites.md").read_text(encoding="utf-8")
    start, end = "<!-- sources: xlt-bench list sources --markdown -->\n", "<!-- /sources -->"
    assert start in page and end in page, "docs/suites.md's data-source table has lost its markers"
    table = page[page.index(start) + len(start) : page.index(end)].strip()
    listed = run_main("list", "sources", "--markdown")
    assert listed.returncode == 0, listed.stderr
    assert table == listed.stdout.strip(), "docs/suites.md table is stale: paste `xlt-bench list sources --markdown`"


def test_every_built_in_task_and_language_has_a_pinned_source_or_a_reason():
    from xlt_bench.registry import load_registry
    from xlt_bench.source_table import source_rows

    registry = load_registry()
    built_in = {"xtreme", "xtreme-r", "masakhane", "xglue"}
    tasks = [
        task for task in registry.tasks.values() if registry.origin[("tasks", f"{task.suite}/{task.name}")] in built_in
    ]
    assert len(tasks) == 33
    for task in tasks:
        for source in task.hub:
            assert re.fullmatch(r"[0-9a-f]{40}", source.revision or ""), (task.name, source.path)
        for release in task.releases:
            assert release.sha256 and len(release.sha256) == 64, (task.name, release.url)
            assert release.size or release.url.endswith("ud-treebanks-v2.7.tgz"), release.url  # its size is unpublished
            if "githubusercontent" in release.url:
                assert re.search(r"/[0-9a-f]{40}/", release.url), release.url  # a commit, never a branch
    rows = source_rows(tasks)
    assert [(row.task, row.source) for row in rows if row.kind == "none"] == [
        ("xtreme-r/mewslix", source_rows([registry.task("xtreme-r/mewslix")])[0].source)
    ]
    assert "get-mewsli-x.sh" in rows[[row.task for row in rows].index("xtreme-r/mewslix")].source
