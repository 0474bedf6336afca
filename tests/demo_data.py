"""Builds (and checks) the small real data that ships with `xlt-bench demo`, from the samples in ../shared/data.

Every packaged file is a prefix of a real file, cut on record boundaries and written back in the source's own
serialisation, then gzipped: UD CoNLL-U sentences, LASER Tatoeba lines, and XQuAD articles (re-serialised exactly
as the originals are: 2-space indent, ASCII escapes). Run `python tests/demo_data.py` to rebuild after changing
the selection; `tests/test_demo.py` checks the packaged files against a rebuild.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "harness" / "demo_data"
UD = {"en": ("UD_English-EWT", 200), "de": ("UD_German-GSD", 100), "fr": ("UD_French-GSD", 100),
      "zh": ("UD_Chinese-GSD", 100), "ar": ("UD_Arabic-PUD", 100), "hi": ("UD_Hindi-PUD", 100),
      "ja": ("UD_Japanese-GSD", 100)}  # fmt: skip
XQUAD_LANGUAGES, XQUAD_ARTICLES = ("en", "de", "es", "ar", "zh", "hi"), 8
TATOEBA, TATOEBA_LINES = ("deu", "fra", "spa", "cmn", "ara", "hin"), 300


def demo_files(shared: Path) -> dict[str, bytes]:
    """{packaged relative path (without .gz): content} for the demo, cut from the shared real samples."""
    files: dict[str, bytes] = {}
    for folder, sentences in UD.values():
        source = next((shared / "udpos" / "ud-treebanks-v2.5" / folder).glob("*-ud-test.conllu"))
        blocks = source.read_text(encoding="utf-8").split("\n\n")[:sentences]
        files[f"ud/{folder}/{source.name}"] = ("\n\n".join(blocks) + "\n\n").encode("utf-8")
    for language in XQUAD_LANGUAGES:
        document = json.loads((shared / "xquad" / f"xquad.{language}.json").read_text(encoding="utf-8"))
        subset = {"data": document["data"][:XQUAD_ARTICLES], "version": document["version"]}
        files[f"xquad/xquad.{language}.json"] = (json.dumps(subset, indent=2) + "\n").encode("utf-8")
    for code in TATOEBA:
        for side in (code, "eng"):
            name = f"tatoeba.{code}-eng.{side}"
            lines = (shared / "tatoeba" / "v1" / name).read_text(encoding="utf-8").splitlines(keepends=True)
            files[f"tatoeba/{name}"] = "".join(lines[:TATOEBA_LINES]).encode("utf-8")
    return files


def build(shared: Path) -> None:
    for relative, content in demo_files(shared).items():
        target = PACKAGE / f"{relative}.gz"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(gzip.compress(content, mtime=0))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data")
