"""Atomic writes (umask, symlinks, FIFOs, one-line failures) and memoised content hashes."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from xlt_bench import files
from xlt_bench.errors import XltBenchError
from xlt_bench.files import ContentHashes, write_atomic


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_respect_the_umask(tmp_path: Path, umask: int, mode: int):
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "a" / "b.txt", "x\n")
    finally:
        os.umask(previous)
    assert (tmp_path / "a" / "b.txt").stat().st_mode & 0o777 == mode
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.txt"]  # no temporary left behind


def test_a_symlink_stays_a_link_and_a_fifo_is_written_through(tmp_path: Path):
    (tmp_path / "real.html").write_text("old")
    (tmp_path / "link.html").symlink_to("real.html")
    write_atomic(tmp_path / "link.html", "new")
    assert (tmp_path / "link.html").is_symlink() and (tmp_path / "real.html").read_text() == "new"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_atomic(fifo, "through the pipe")
    reader.join(timeout=10)
    assert received == ["through the pipe"] and fifo.exists() and not fifo.is_file()


def test_a_failed_write_names_the_target_not_its_temporary(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError) as error:
        write_atomic(tmp_path / "file" / "out.json", "{}")
    assert error.value.filename == str(tmp_path / "file")


def test_content_hashes_are_remembered_on_disk_until_the_file_changes(tmp_path: Path, monkeypatch):
    data = tmp_path / "data.txt"
    data.write_text("NOUN VERB\n")
    calls: list[Path] = []
    real = files.sha256_of

    def counted(path: Path) -> str:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(files, "sha256_of", counted)
    first = ContentHashes(tmp_path / "memo")(data)
    assert first == hashlib.sha256(b"NOUN VERB\n").hexdigest() and len(calls) == 1
    assert ContentHashes(tmp_path / "memo")(data) == first and len(calls) == 1  # a new process: read from the memo
    data.write_text("VERB NOUN\n")  # same size, new mtime
    assert ContentHashes(tmp_path / "memo")(data) != first and len(calls) == 2
    for entry in (tmp_path / "memo").rglob("*.json"):
        entry.write_text('{"path": 1}')  # damaged: ignored and rewritten
    assert ContentHashes(tmp_path / "memo")(data) == hashlib.sha256(b"VERB NOUN\n").hexdigest() and len(calls) == 3


def test_json_readers_name_the_file_and_line(tmp_path: Path):
    document = tmp_path / "a.json"
    document.write_text('{"a": 1,\n "b": }\n', encoding="utf-8")
    with pytest.raises(XltBenchError, match=rf"^{document}:2: invalid JSON \(Expecting value\)$"):
        files.read_json(document)
    lines = tmp_path / "a.jsonl"
    lines.write_text('{"a": 1}\r\n\r\n[2]\r\n{"b"\r\n', encoding="utf-8")
    records = files.json_lines(lines)
    assert [next(records), next(records)] == [(1, {"a": 1}), (3, [2])]  # blank lines skipped, CRLF tolerated
    with pytest.raises(XltBenchError, match=rf"^{lines}:4: invalid JSON"):
        next(records)


def test_text_readers_refuse_unreadable_files_in_one_line(tmp_path: Path):
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")
    with pytest.raises(XltBenchError, match=r"latin1.txt: not UTF-8 text"):
        files.read_text(tmp_path / "latin1.txt")
    with pytest.raises(XltBenchError, match=r"missing.json: file not found$"):
        files.read_json(tmp_path / "missing.json")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(XltBenchError, match=r"is a directory, expected a file$"):
        list(files.numbered_lines(tmp_path / "folder.txt"))
    (tmp_path / "crlf.txt").write_bytes(b"one\r\ntwo\rthree\n")
    assert list(files.numbered_lines(tmp_path / "crlf.txt")) == [(1, "one"), (2, "two"), (3, "three")]


def test_yaml_that_does_not_parse_says_what_the_file_was_for(tmp_path: Path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text("pawsx: [\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=rf"^{manifest}: cannot parse the model manifest \("):
        files.read_yaml(manifest, "the model manifest")
    manifest.write_bytes(b"pawsx: \xff\n")
    with pytest.raises(XltBenchError, match=rf"^{manifest}: cannot parse the model manifest \("):
        files.read_yaml(manifest, "the model manifest")
    manifest.write_text("pawsx: ckpt/pawsx\n", encoding="utf-8")
    assert files.read_yaml(manifest, "the model manifest") == {"pawsx": "ckpt/pawsx"}


def test_json_nested_past_the_limit_is_one_line_not_a_recursion_error(tmp_path: Path):
    deep = tmp_path / "results.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(XltBenchError, match=rf"^{deep}: JSON nested more than 100 levels deep"):
        files.read_json(deep)
    deep.write_text('{"a": "[[[[' + "[" * 500 + '", "b": [[1]]}', encoding="utf-8")  # brackets in a string
    assert files.read_json(deep)["b"] == [[1]]


def test_a_yaml_alias_bomb_or_a_document_containing_itself_is_refused_before_it_is_walked(tmp_path: Path):
    bomb = tmp_path / "design.yaml"
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for name, previous in zip("bcdefghi", "abcdefgh"):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match=r"the study design expands to [\d,]+ values through its aliases"):
        files.read_yaml(bomb, "the study design")
    bomb.write_text("a: &a [*a]\n", encoding="utf-8")
    with pytest.raises(XltBenchError, match="contains itself through an alias"):
        files.read_yaml(bomb, "the study design")
    bomb.write_text("base: &base {pooling: cls}\ntatoeba: {path: x, inference: *base}\n", encoding="utf-8")
    assert files.read_yaml(bomb, "the model manifest")["tatoeba"]["inference"] == {"pooling": "cls"}  # shared: fine


def test_a_link_planted_in_a_folder_xlt_bench_writes_is_refused_and_the_memo_is_bypassed(tmp_path: Path):
    outside = tmp_path / "outside.txt"
    outside.write_text("someone else's file\n")
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "study.html").symlink_to(outside)
    with pytest.raises(XltBenchError, match=rf"^{folder / 'study.html'}: a symbolic link inside the study folder"):
        files.confined(folder, folder / "study.html", "the study folder")
    (folder / "sub").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(XltBenchError, match="sub: a symbolic link inside the study folder"):
        files.confined(folder, folder / "sub" / "outside.txt", "the study folder")
    data, memo = tmp_path / "gold.txt", tmp_path / "memo"
    data.write_text("NOUN\n")
    ContentHashes(memo)(data)
    [entry] = memo.rglob("*.json")
    entry.unlink()
    entry.symlink_to(outside)
    assert ContentHashes(memo)(data) == hashlib.sha256(b"NOUN\n").hexdigest()
    assert outside.read_text() == "someone else's file\n" and entry.is_symlink()
