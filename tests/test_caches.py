"""Corrupt, foreign or unwritable cache entries (embedding `.npy` files, the `datasets` Arrow cache) are discarded
with a warning and recomputed, with identical results, and never block a later run."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import error_as_unprivileged

import xlt_bench.embeddings
import xlt_bench.files
from xlt_bench.data.formats import DataFormat, DataSource
from xlt_bench.data.loading import CHECKSUMS, cache_entry, fingerprint, load_examples
from xlt_bench.data.xnli import read_xnli_tsv
from xlt_bench.errors import XltBenchError
from xlt_bench.testing import tiny_checkpoint

XNLI = Path(__file__).parent / "fixtures" / "data" / "XNLI-1.0" / "xnli.test.tsv"
WARNING = "xlt-bench: warning: "

# -- the embedding cache ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory, tokenizer):
    from transformers import AutoModel, AutoTokenizer

    from xlt_bench.model_adapters import LoadedModel

    path = tiny_checkpoint(tmp_path_factory.mktemp("encoder") / "encoder", head="encoder", tokenizer=tokenizer)
    model = AutoModel.from_pretrained(path).eval()
    return LoadedModel(model, AutoTokenizer.from_pretrained(path), "cpu", "float32")


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many encoder passes ran (each one appends)."""
    calls: list[int] = []
    real = xlt_bench.embeddings.batched_outputs
    monkeypatch.setattr(xlt_bench.embeddings, "batched_outputs", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


SENTENCES = ["Der Hund schläft.", "The dog sleeps.", "Le chien dort.", "猫が寝ている。"]


def embed(encoder, cache: Path, sentences: list[str] = SENTENCES) -> np.ndarray:
    return xlt_bench.embeddings.encode(
        encoder,
        sentences,
        checkpoint="sha256:tiny",
        layer=1,
        pooling="mean",
        max_length=32,
        batch_size=2,
        description="test",
        progress=False,
        cache_dir=cache,
    )


def cache_file(cache: Path) -> Path:
    [path] = (cache / "embeddings").rglob("*.npy")
    return path


class Exploit:
    """Unpickling this would create a file: the cache must never unpickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _object_array(path: Path) -> None:
    np.save(path, np.array([Exploit(path.with_name("unpickled"))], dtype=object), allow_pickle=True)


CORRUPTIONS = {
    "truncated": lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    "empty": lambda path: path.write_bytes(b""),
    "garbage": lambda path: path.write_bytes(os.urandom(path.stat().st_size)),
    "broken header": lambda path: path.write_bytes(path.read_bytes()[:20] + b"(((" + path.read_bytes()[23:]),
    "too few rows": lambda path: np.save(path, np.load(path)[:-1]),
    "wrong hidden size": lambda path: np.save(path, np.load(path)[:, :-2]),
    "float64": lambda path: np.save(path, np.load(path).astype(np.float64)),
    "one dimension": lambda path: np.save(path, np.load(path).ravel()),
    "pickled object array": _object_array,
    "npz archive": lambda path: path.write_bytes(_npz(np.load(path))),
}


def _npz(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, embeddings=array)
    return buffer.getvalue()


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_corrupt_embedding_file_is_discarded_recomputed_and_rewritten(
    encoder, passes: list[int], tmp_path: Path, capsys: pytest.CaptureFixture, corruption: str
):
    cache = tmp_path / "cache"
    first = embed(encoder, cache)
    path = cache_file(cache)
    assert embed(encoder, cache).tolist() == first.tolist() and len(passes) == 1  # read back
    CORRUPTIONS[corruption](path)
    capsys.readouterr()
    again = embed(encoder, cache)
    warning = capsys.readouterr().err
    assert warning.startswith(f"{WARNING}{path}: discarding a corrupt embedding cache file (")
    assert warning.endswith("; encoding again\n") and warning.count("\n") == 1
    assert len(passes) == 2 and again.dtype == np.float32
    np.testing.assert_allclose(again, first, rtol=0, atol=1e-6)
    rewritten = np.load(path, allow_pickle=False)
    assert rewritten.dtype == np.float32 and rewritten.tolist() == again.tolist()
    assert embed(encoder, cache).tolist() == again.tolist() and len(passes) == 2  # later runs are not blocked
    assert capsys.readouterr().err == ""
    assert not (path.parent / "unpickled").exists()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file left


def test_an_unwritable_embedding_cache_is_a_warning_not_a_failure(encoder, passes, tmp_path: Path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    embeddings = embed(encoder, blocker)
    warning = capsys.readouterr().err
    assert embeddings.shape == (len(SENTENCES), encoder.model.config.hidden_size)
    assert warning.startswith(f"{WARNING}{blocker / 'embeddings'}") and "cannot write the embedding cache" in warning
    assert warning.count("\n") == 1 and "Traceback" not in warning


def test_a_failed_write_leaves_no_temporary_file(encoder, passes, tmp_path: Path, capsys, monkeypatch):
    def failing_save(handle, array, allow_pickle=False):
        handle.write(b"\x93NUMPY partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlt_bench.embeddings.np, "save", failing_save)
    embeddings = embed(encoder, tmp_path / "cache")
    assert embeddings.shape[0] == len(SENTENCES)
    assert "cannot write the embedding cache (No space left on device)" in capsys.readouterr().err
    assert [p for p in (tmp_path / "cache").rglob("*") if p.is_file()] == []


def test_temporary_names_differ_between_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    names: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(  # embeddings are written through files.atomic_file
        xlt_bench.files.os, "replace", lambda a, b: names.append(Path(a).name) or real_replace(a, b)
    )
    path = tmp_path / "ab" / "key.npy"
    threads = [
        threading.Thread(target=xlt_bench.embeddings._store, args=(path, np.ones((2, 3), np.float32))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(names)) == 4 and all(name.startswith(".key.npy.") for name in names)
    assert np.load(path).tolist() == [[1.0] * 3] * 2 and sorted(p.name for p in path.parent.iterdir()) == ["key.npy"]


# -- the datasets Arrow cache -------------------------------------------------------------------------------


@pytest.fixture
def xnli(monkeypatch: pytest.MonkeyPatch):
    """The XNLI reader as a data format that counts how often it really reads the file."""
    reads: list[int] = []

    def read(source, language, split, **params):
        reads.append(1)
        yield from read_xnli_tsv(source, language, split, **params)

    return DataFormat("xnli-tsv", read, 2), DataSource("xnli-tsv", (XNLI,)), reads


def load(xnli, cache: Path | None):
    data_format, source, _ = xnli
    return load_examples(data_format, source, "de", "test", cache_dir=str(cache) if cache else None)


def entry(xnli, cache: Path | None) -> Path:
    data_format, source, _ = xnli
    return cache_entry(str(cache) if cache else None, fingerprint(data_format, source, "de", "test"))


def test_the_entry_is_where_datasets_writes_it_with_our_checksums(xnli, tmp_path: Path, monkeypatch):
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf")  # what $HF_DATASETS_CACHE sets
    for cache in (tmp_path / "explicit", None):
        examples = load(xnli, cache)
        folder = entry(xnli, cache)
        assert [Path(f["filename"]).parent for f in examples.cache_files] == [folder]
        assert str(folder).startswith(str(cache or tmp_path / "hf"))
        record = json.loads((folder / CHECKSUMS).read_text())
        assert sorted(record) == ["dataset_info.json", "generator-train.arrow"]
    assert len(xnli[2]) == 2


def _arrow(folder: Path) -> Path:
    [path] = folder.glob("generator-train*.arrow")
    return path


def _flip_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(b ^ 0x5A for b in data[middle : middle + 16])
    path.write_bytes(bytes(data))


def _foreign_arrow(folder: Path) -> None:
    """Another fingerprint's (valid) Arrow file in place of this one."""
    other = DataSource("xnli-tsv", (XNLI,))
    fr = load_examples(DataFormat("xnli-tsv", read_xnli_tsv, 2), other, "fr", "test", cache_dir=str(folder.parents[2]))
    shutil.copy(fr.cache_files[0]["filename"], _arrow(folder))


ARROW_CORRUPTIONS = {
    "arrow truncated": lambda folder: _arrow(folder).write_bytes(_arrow(folder).read_bytes()[:100]),
    "arrow emptied": lambda folder: _arrow(folder).write_bytes(b""),
    "arrow overwritten": lambda folder: _arrow(folder).write_bytes(os.urandom(_arrow(folder).stat().st_size)),
    "arrow bytes changed": lambda folder: _flip_middle(_arrow(folder)),
    "arrow deleted": lambda folder: _arrow(folder).unlink(),
    "arrow from another entry": _foreign_arrow,
    "dataset_info.json broken": lambda folder: (folder / "dataset_info.json").write_text("{not json"),
    "checksums missing (foreign entry)": lambda folder: (folder / CHECKSUMS).unlink(),
    "checksums garbage": lambda folder: (folder / CHECKSUMS).write_text("\x00\x01"),
}


@pytest.mark.parametrize("corruption", sorted(ARROW_CORRUPTIONS))
def test_a_corrupt_datasets_entry_is_discarded_and_regenerated(xnli, tmp_path: Path, capsys, corruption: str):
    cache = tmp_path / "cache"
    reads = xnli[2]
    first = load(xnli, cache).to_list()
    assert load(xnli, cache).to_list() == first and len(reads) == 1  # reused
    folder = entry(xnli, cache)
    ARROW_CORRUPTIONS[corruption](folder)
    capsys.readouterr()
    again = load(xnli, cache).to_list()
    warning = capsys.readouterr().err
    assert warning.startswith(f"{WARNING}{folder}: discarding a corrupt datasets cache entry (")
    assert warning.endswith(f"; reading {XNLI} again\n") and warning.count("\n") == 1
    assert again == first and len(reads) == 2
    assert load(xnli, cache).to_list() == first and len(reads) == 2  # the regenerated entry is trusted
    assert capsys.readouterr().err == ""


def test_text_changed_inside_an_arrow_file_is_caught_by_the_checksums(xnli, tmp_path: Path, capsys):
    import datasets

    cache = tmp_path / "cache"
    first = load(xnli, cache).to_list()
    folder = entry(xnli, cache)
    arrow = _arrow(folder)
    data = arrow.read_bytes()
    at = data.index(b"Gitarre")
    arrow.write_bytes(data[:at] + b"Geigen!" + data[at + 7 :])
    key = folder.parent.name.split("=", 1)[1]
    unchecked = datasets.Dataset.from_generator(lambda: iter(()), fingerprint=key, cache_dir=str(cache)).to_list()
    assert unchecked != first and "Geigen!" in json.dumps(unchecked)  # datasets alone reads the wrong text silently
    capsys.readouterr()
    assert load(xnli, cache).to_list() == first and len(xnli[2]) == 2
    assert "(generator-train.arrow differs from the file written)" in capsys.readouterr().err


def test_files_added_to_an_entry_are_ignored_as_datasets_ignores_them(xnli, tmp_path: Path, capsys):
    cache = tmp_path / "cache"
    first = load(xnli, cache).to_list()
    folder = entry(xnli, cache)
    (folder / "notes.txt").write_text("a foreign file")
    shutil.copy(_arrow(folder), folder / "cache-0123456789abcdef.arrow")  # what a later .map() would write
    capsys.readouterr()
    assert load(xnli, cache).to_list() == first and len(xnli[2]) == 1
    assert capsys.readouterr().err == ""


def test_a_deleted_dataset_info_is_regenerated_by_datasets_itself(xnli, tmp_path: Path, capsys):
    cache = tmp_path / "cache"
    first = load(xnli, cache).to_list()
    (entry(xnli, cache) / "dataset_info.json").unlink()
    assert load(xnli, cache).to_list() == first and len(xnli[2]) == 2
    assert load(xnli, cache).to_list() == first and len(xnli[2]) == 2


def test_a_second_failure_is_an_error_in_one_line(xnli, tmp_path: Path, monkeypatch):
    import datasets

    cache = tmp_path / "cache"
    load(xnli, cache)
    (entry(xnli, cache) / "dataset_info.json").write_text("{not json")
    real = datasets.Dataset.from_generator
    calls: list[int] = []

    def from_generator(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(datasets.Dataset, "from_generator", from_generator)
    with pytest.raises(XltBenchError) as raised:
        load(xnli, cache)
    message = str(raised.value)
    assert message == f"{cache}: cannot use this datasets cache folder (No space left on device); expected a " + (
        "writable folder (set HF_DATASETS_CACHE)"
    )
    assert len(calls) == 2


def test_an_unusable_cache_folder_is_one_line(xnli, tmp_path: Path, monkeypatch):
    import datasets

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(XltBenchError, match=rf"^{blocker / 'sub'}: cannot use this datasets cache folder \("):
        load(xnli, blocker / "sub")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", blocker / "hf")  # an unusable $HF_DATASETS_CACHE
    with pytest.raises(XltBenchError, match=rf"^{blocker / 'hf'}: cannot use this datasets cache folder"):
        load(xnli, None)


def test_a_read_only_cache_folder_is_one_line(xnli, world_tmp: Path):
    cache = world_tmp / "read-only"
    cache.mkdir()
    cache.chmod(0o555)
    message = error_as_unprivileged(lambda: load(xnli, cache), warm_up=lambda: load(xnli, world_tmp / "writable"))
    assert message is not None and message.startswith(f"{cache}: cannot use this datasets cache folder (Permission")


def test_the_pickle_payload_really_runs_when_unpickled(tmp_path: Path):
    """Guards the embedding test: its object array would create a file if the cache ever unpickled it."""
    _object_array(tmp_path / "payload.npy")
    np.load(tmp_path / "payload.npy", allow_pickle=True)
    assert (tmp_path / "unpickled").exists()


def test_a_link_planted_in_the_embedding_cache_is_neither_read_nor_written_through(
    encoder, passes, tmp_path: Path, capsys
):
    cache, outside = tmp_path / "cache", tmp_path / "outside.npy"
    first = embed(encoder, cache)
    path = cache_file(cache)
    np.save(outside, np.zeros_like(first))  # someone else's file, of the right shape: must not be served as ours
    path.unlink()
    path.symlink_to(outside)
    again = embed(encoder, cache)
    assert np.allclose(again, first) and len(passes) == 2  # encoded again, not read through the link
    assert np.load(outside).sum() == 0  # and the file it points at is untouched
    assert f"{path}: a symbolic link inside the cache" in capsys.readouterr().err
