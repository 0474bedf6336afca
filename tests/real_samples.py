"""The small real benchmark samples the tests read, packaged in the repository so a fresh clone runs every test.

They are cut from the workspace's `../shared/data` (real files in their original on-disk formats, listed with
source repository, commit and blob id in its `MANIFEST.tsv`), which a user's clone does not have. Only the files
the tests read are packaged, each byte for byte as it is there (whole upstream files, or the prefixes the workspace
cut on record boundaries), one deterministic `.tar.gz` per dataset folder in `tests/samples/` (sorted members,
no owners, mtime 0, so a rebuild from the same files gives the same bytes), with `NOTICE` giving each file's
source, commit, licence and copy kind.

`python tests/real_samples.py [SHARED_DATA]` rebuilds them; `unpack(folder)` (the `real_samples` fixture) writes
them out below a folder in the original layout, where the tests read them.
"""

from __future__ import annotations

import csv
import gzip
import io
import posixpath
import sys
import tarfile
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "samples"
# dataset folder of ../shared/data -> its licence, as its README ("Licenses at a glance") states it
LICENCES = {
    "afriqa": "CC BY 4.0",
    "lareqa": "CC BY-SA 4.0 (XQuAD-derived)",
    "masakhaner2": "CC BY-NC 4.0 (non-commercial)",
    "tatoeba": "Tatoeba corpus terms, CC BY 2.0 FR (https://tatoeba.org/eng/terms_of_use)",
    "udpos": "per treebank: CC BY-SA 4.0 (EWT, German-GSD, Japanese-GSD, French-GSD, Chinese-GSD), "
    "CC BY-SA 3.0 (Hindi-PUD, Arabic-PUD)",
    "xcopa": "CC BY 4.0",
    "xquad": "CC BY-SA 4.0",
    "xtreme_mock_test_data": "Apache-2.0 (google-research/xtreme; mock labels and predictions)",
}
# what no test reads: the AfriQA question files (the task reads the gold-passage files, which hold the questions)
LEFT_OUT = ("afriqa/data/queries/",)
MANY = 20  # a folder of more files than this from one source is one NOTICE line


def _manifest(shared: Path) -> list[dict[str, str]]:
    with open(shared / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [row for row in rows if not row["local_path"].startswith(LEFT_OUT)]


def _archive(shared: Path, paths: list[str]) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as zipped:
        with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for path in sorted(paths):
                content = (shared / path).read_bytes()
                info = tarfile.TarInfo(path)
                info.size, info.mode, info.mtime = len(content), 0o644, 0
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _notice(rows: list[dict[str, str]]) -> str:
    lines = [
        "Real benchmark samples packaged for the tests",
        "=============================================",
        "",
        "Each file below is byte-identical to the copy in the xlt-bench workspace's shared/data folder: a whole",
        'upstream file ("identical") or a prefix cut on record boundaries and written back in the source\'s own',
        'serialisation ("subset/derived"). They keep their original licences, which apply to this copy; share-alike',
        "licences apply to the subsets as distributed here. They are used only to test xlt-bench.",
        "Rebuild: python tests/real_samples.py PATH/TO/shared/data",
    ]
    for folder in sorted({row["local_path"].split("/", 1)[0] for row in rows}):
        lines += ["", f"{folder}.tar.gz - licence: {LICENCES[folder]}"]
        members = [row for row in rows if row["local_path"].startswith(f"{folder}/")]
        origins = {(row["source_repo"], row["source_commit"], row["copy"]) for row in members}
        if len(members) > MANY and len(origins) == 1:  # XTREME's mock submission folder: one line, not 346
            (repo, commit, copy) = origins.pop()
            below = posixpath.commonpath([row["source_path"] for row in members])
            lines.append(f"  {len(members)} files, {copy}, from {repo}@{commit[:12]}:{below}/ (same relative paths)")
            continue
        for row in members:
            source = f"{row['source_repo']}@{row['source_commit'][:12]}:{row['source_path']}"
            lines.append(f"  {row['local_path']}  {row['bytes']} bytes  {row['copy']}  from {source}")
    return "\n".join(lines) + "\n"


def build(shared: Path) -> None:
    """Write `tests/samples/<folder>.tar.gz` and `NOTICE` from the files of `shared` its MANIFEST lists."""
    rows = _manifest(shared)
    SAMPLES.mkdir(exist_ok=True)
    for stale in SAMPLES.glob("*.tar.gz"):
        stale.unlink()
    for folder in sorted({row["local_path"].split("/", 1)[0] for row in rows}):
        paths = [row["local_path"] for row in rows if row["local_path"].startswith(f"{folder}/")]
        (SAMPLES / f"{folder}.tar.gz").write_bytes(_archive(shared, paths))
    (SAMPLES / "NOTICE").write_text(_notice(rows), encoding="utf-8")


def unpack(target: Path) -> Path:
    """The packaged samples written out below `target` in their original layout (`target/xquad/xquad.en.json`...)."""
    for archive in sorted(SAMPLES.glob("*.tar.gz")):
        with tarfile.open(archive) as members:
            members.extractall(target, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    return target


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data")
