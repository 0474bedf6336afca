"""Files the harness reads, writes and trusts later: one-line read errors, atomic writes that respect the umask,
and sha256 content hashes.

Every reader of user files goes through `reading` (directly or through `read_text`, `numbered_lines`, `read_json`,
`json_lines`, `read_yaml`), so a wrong encoding, a missing or unreadable file, a folder where a file was expected or
a syntax error is one line naming the file (and the line, where the parser says), never a traceback.

A run folder is read back by resumes, `score`, `compare` and the leaderboard, so every file appears whole or not at
all (`write_atomic`: a temporary sibling renamed over the target) and with the permissions any other tool would give
it (0644 under umask 022). What a result was computed from is identified by content, not by name and size: a gold
tag edited in place keeps the file's size. Hashing gigabytes at every resume would be slow, so `ContentHashes`
remembers a file's hash under (resolved path, size, mtime_ns), in memory and in the cache folder.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from xlt_bench.errors import XltBenchError, first_line

_CHUNK = 1 << 20


def read_failure(path: Path | str, error: BaseException) -> XltBenchError | None:
    """The one-line error for a file that could not be read as UTF-8 text, or None when `error` is not about reading.

    Every reader goes through here (`reading` and the readers built on it, and `load_examples` for plugin readers), so a
    wrong encoding, a missing or unreadable file, or a folder where a file was expected never shows a traceback."""
    if isinstance(error, UnicodeDecodeError):
        return XltBenchError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})")
    if not isinstance(error, OSError):
        return None
    path = error.filename or path  # the file the system call was about, which may be a companion file
    if isinstance(error, FileNotFoundError):
        return XltBenchError(f"{path}: file not found")
    if isinstance(error, IsADirectoryError):
        return XltBenchError(f"{path}: is a directory, expected a file")
    if isinstance(error, PermissionError):
        return XltBenchError(f"{path}: permission denied (expected a readable file)")
    return XltBenchError(f"{path}: cannot be read ({error.strerror or error})")


@contextmanager
def reading(path: Path | str) -> Iterator[None]:
    """Read `path` inside this block: decoding and OS errors become `read_failure`'s one-line error."""
    try:
        yield
    except (OSError, UnicodeDecodeError) as error:
        raise read_failure(path, error) from None


def read_text(path: Path | str) -> str:
    """The whole of a UTF-8 text file, newlines universal (as `open()` reads it)."""
    with reading(path), open(path, encoding="utf-8") as handle:
        return handle.read()


def numbered_lines(path: Path | str) -> Iterator[tuple[int, str]]:
    """(line number, line without its newline) for every line of a UTF-8 text file."""
    with reading(path), open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, line.rstrip("\n")


MAX_DEPTH = 100  # arrays and objects inside each other: xlt-bench's own files nest a few levels; more is no result
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings skipped), without recursion."""
    deepest = depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def too_deep(text: str) -> bool:
    """Whether a JSON text nests deeper than `MAX_DEPTH` (a parser would recurse into it)."""
    return _depth(text) > MAX_DEPTH


def check_depth(text: str, where: Path | str) -> None:
    """Refuse a JSON text nested deeper than `MAX_DEPTH` before any parser recurses into it."""
    if too_deep(text):
        raise XltBenchError(f"{where}: JSON nested more than {MAX_DEPTH} levels deep; not a file xlt-bench reads")


def parse_json(text: str, path: Path | str, line: int | None = None) -> Any:
    """`json.loads`, a value nested deeper than `MAX_DEPTH` refused up front (the parser and the readers after it
    recurse: a file nested 100,000 deep would be a RecursionError traceback); errors name `path` (and `line`)."""
    check_depth(text, f"{path}:{line}" if line is not None else path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise XltBenchError(f"{path}:{line or error.lineno}: invalid JSON ({error.msg})") from None


def read_json(path: Path | str) -> Any:
    """A JSON file's value; invalid JSON is `<path>:<line>: invalid JSON (<reason>)`."""
    return parse_json(read_text(path), path)


def json_lines(path: Path | str) -> Iterator[tuple[int, Any]]:
    """(line number, value) for every non-blank line of a JSON-lines file; invalid JSON names its line."""
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        yield number, parse_json(line, path, number)


MAX_YAML_NODES = 100_000  # values a YAML document may expand to: manifests and designs hold a few hundred


def _expanded_size(value: Any) -> int | None:
    """How many values `value` stands for once YAML aliases are expanded (each shared list or mapping counted at
    every place it is used, computed once per object, without recursion); None when it contains itself."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, finished = stack.pop()
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        nested = [child for child in children if isinstance(child, (list, dict))]
        if finished:
            visiting.discard(id(node))
            sizes[id(node)] = 1 + len(children) - len(nested) + sum(sizes[id(child)] for child in nested)
            continue
        if id(node) in sizes:
            continue
        if id(node) in visiting:
            return None
        visiting.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in nested if id(child) not in sizes)
    return sizes.get(id(value), 1)


def read_yaml(path: Path | str, what: str) -> Any:
    """A YAML (or JSON) file's value; one that does not parse, or is not UTF-8, is `<path>: cannot parse <what>`.
    Aliases may share values, but a document that expands to more than `MAX_YAML_NODES` values (an alias bomb:
    463 bytes can stand for billions) or contains itself is refused before anything walks it."""
    import yaml  # only the commands that read manifests and label maps pay for it

    with reading(path):
        try:
            document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise XltBenchError(f"{path}: cannot parse {what} ({first_line(error)})") from None
        except RecursionError:
            raise XltBenchError(f"{path}: cannot parse {what} (nested too deeply)") from None
    if isinstance(document, (list, dict)):
        size = _expanded_size(document)
        if size is None:
            raise XltBenchError(f"{path}: {what} contains itself through an alias; expected a finite document")
        if size > MAX_YAML_NODES:
            raise XltBenchError(
                f"{path}: {what} expands to {size:,} values through its aliases; at most {MAX_YAML_NODES:,} are read"
            )
    return document


def utf8_path(path: Path | str, what: str) -> Path:
    """`path`, refused in one line when its name is not valid UTF-8 (it could not be recorded in results.json)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise XltBenchError(f"{what} {str(path)!r}: the path is not valid UTF-8; rename it") from None
    return Path(path)


def confined(root: Path, path: Path, where: str) -> Path:
    """`path`, when writing it cannot reach outside `root` (a run folder, a cache, a study's output folder): no file
    or folder between `root` and it is a symbolic link (a shared folder is one other users and CI jobs write into,
    and a planted link would make xlt-bench overwrite whatever it points at), and it is not a folder or a device.
    `root` itself may be a link: that is the user's own choice of folder. `where` names it in the error."""
    current = Path(root)
    for part in Path(path).relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise XltBenchError(
                f"{current}: a symbolic link inside {where} (to {os.readlink(current)}); xlt-bench writes only real "
                "files and folders there, so remove the link (nothing was written)"
            )
    if Path(path).exists() and not Path(path).is_file():
        raise XltBenchError(f"{path}: not a regular file; xlt-bench writes its own files there, so remove it")
    return Path(path)


@contextmanager
def atomic_file(path: Path, binary: bool = False) -> Iterator[IO]:
    """A handle to write `path` through, so that readers see the old file or the whole new one, never a partial
    one: a temporary sibling (`.<name>.<random>.tmp`, unique per writer) renamed over `path` when the block ends.

    A symlink to a file keeps being a link (the file it points at is replaced), and a path that is not a regular
    file (`/dev/stdout`, a FIFO) is written straight through: there is nothing to rename over there.
    """
    path = Path(path)
    text_mode = {} if binary else {"encoding": "utf-8", "newline": "\n"}
    mode = "wb" if binary else "w"
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        with open(path, mode, **text_mode) as out:
            yield out
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file stands where a folder is needed
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent)) from None
    try:
        # os.open applies the umask to 0o666, as open() does; tempfile.mkstemp would force 0600 on every result file
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:  # name the target, not its temporary name (the CLI prints "<file>: <reason>")
        raise type(error)(error.errno, error.strerror, str(path)) from None
    try:
        with os.fdopen(handle, mode, **text_mode) as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` as UTF-8 through `atomic_file`."""
    with atomic_file(path) as out:
        out.write(text)


def is_temporary(path: Path) -> bool:
    """A leftover of `write_atomic` interrupted by a hard kill (safe to delete while holding the folder's lock)."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ContentHashes:
    """sha256 of files, memoised by (resolved path, size, mtime_ns) in memory and, with `folder`, on disk.

    A memo entry is only a shortcut: one that is unreadable, foreign or stale is ignored and rewritten, and a
    folder that cannot be written only costs re-hashing next time. `write=False` only reads the folder (the ranks
    of a data-parallel run other than 0).
    """

    def __init__(self, folder: Path | None = None, write: bool = True) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.write = write
        self.known: dict[tuple[str, int, int], str] = {}

    def __call__(self, path: Path) -> str:
        resolved = Path(path).resolve()
        stat = resolved.stat()
        key = (str(resolved), stat.st_size, stat.st_mtime_ns)
        if key in self.known:
            return self.known[key]
        entry = self._entry(key[0])
        digest = self._remembered(entry, key) or sha256_of(resolved)
        self.known[key] = digest
        if self.write:
            self._remember(entry, key, digest)
        return digest

    def _entry(self, path: str) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()
        try:
            return confined(self.folder, self.folder / name[:2] / f"{name}.json", "the cache")
        except XltBenchError:  # a link planted in the memo: hash again rather than read or write through it
            return None

    @staticmethod
    def _remembered(entry: Path | None, key: tuple[str, int, int]) -> str | None:
        if entry is None:
            return None
        try:
            memo = json.loads(entry.read_text(encoding="utf-8"))
            if [memo["path"], memo["size"], memo["mtime_ns"]] == list(key) and len(memo["sha256"]) == 64:
                return str(memo["sha256"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    @staticmethod
    def _remember(entry: Path | None, key: tuple[str, int, int], digest: str) -> None:
        if entry is None:
            return
        try:
            write_atomic(entry, json.dumps({"path": key[0], "size": key[1], "mtime_ns": key[2], "sha256": digest}))
        except OSError:  # an unwritable memo only costs hashing again next time
            pass
