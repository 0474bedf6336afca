"""Resumable, checksummed downloads of the official releases, and safe extraction of their archives.

The releases are large and hosted on servers that drop connections, so a download resumes from its `.part` file
with an HTTP range request instead of starting over, and only a complete file is ever renamed to its final name.
A silently truncated or changed archive would change scores, so every file is checked against its sha256.
`sha256=None` means the expected checksum is not known to us: the first download cannot be verified, but its
checksum is computed and stored next to the file (`<file>.sha256`) so that a later run detects a change.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tqdm.auto import tqdm

from xlt_bench.errors import XltBenchError
from xlt_bench.files import read_text, sha256_of, write_atomic

_CHUNK = 1 << 20
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)")
# Interruptions while the body streams in; they leave a resumable `.part`.
_TRANSFER_ERRORS = (OSError, http.client.HTTPException)
# Python >= 3.12 warns without a filter and 3.14 defaults to "data"; our own checks cover older versions.
_TAR_FILTER = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


@dataclass(frozen=True)
class Download:
    """One file of a release: where it is and, when we know them, its checksum and size."""

    url: str
    sha256: str | None = None
    size: int | None = None
    filename: str | None = None


class _Incomplete(Exception):
    """The body ended before the announced size; the `.part` keeps what arrived, for the next attempt."""

    def __init__(self, got: int, total: int | None) -> None:
        super().__init__(got, total)
        self.got, self.total = got, total


def target_path(item: Download, folder: Path) -> Path:
    """Where `fetch` puts `item` below `folder`."""
    return Path(folder) / (item.filename or _url_filename(item.url))


def _expected_sha256(item: Download, target: Path) -> str | None:
    """The published checksum, else the one recorded at the first download (`<file>.sha256`), else None."""
    sidecar = target.with_name(f"{target.name}.sha256")
    recorded = read_text(sidecar).split()[0] if sidecar.is_file() else None
    return item.sha256.lower() if item.sha256 else recorded


def verified_copy(item: Download, folder: Path) -> Path | None:
    """The copy of `item` already below `folder` when it matches its checksum; None when there is none to trust."""
    target = target_path(item, folder)
    expected = _expected_sha256(item, target)
    return target if expected and target.is_file() and sha256_of(target) == expected else None


def fetch(item: Download, folder: Path, progress: bool = True, retries: int = 3, timeout: float = 60.0) -> Path:
    """`folder/<filename>`, downloaded (or resumed) and verified unless a verified copy is already there."""
    copy = verified_copy(item, folder)
    if copy is not None:
        return copy
    target = target_path(item, folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f"{target.name}.part")
    attempts = max(retries, 0) + 1
    for attempt in range(1, attempts + 1):
        try:
            _transfer(item.url, part, target.name, progress, timeout)
            break
        except _Incomplete as incomplete:
            if attempt == attempts:
                of = f"{incomplete.total} bytes" if incomplete.total is not None else "an unknown number of bytes"
                raise XltBenchError(
                    f"{item.url}: download incomplete after {attempts} attempt{'s' if attempts > 1 else ''} "
                    f"(got {incomplete.got} of {of}); run the command again to resume"
                ) from None
            time.sleep(0.2 * attempt)
    return _accept(item, part, target, item.url)


def adopt(item: Download, folder: Path, source: Path) -> Path:
    """A copy of `item` obtained by hand (`prefetch --from FILE`), checked against its size and checksum exactly as
    a download is, and placed where `fetch` puts it (the file given is left as it is)."""
    target = target_path(item, folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f"{target.name}.part")
    try:
        shutil.copyfile(source, part)
    except OSError as error:
        part.unlink(missing_ok=True)
        raise XltBenchError(f"{source}: cannot copy it into {target.parent} ({error.strerror or error})") from None
    return _accept(item, part, target, str(source))


def _accept(item: Download, part: Path, target: Path, origin: str) -> Path:
    """Rename a complete `part` to `target` if its size and sha256 are those expected (else delete it and say so,
    naming `origin`, the URL or file it came from), and record its checksum beside it."""
    sidecar = target.with_name(f"{target.name}.sha256")
    expected = _expected_sha256(item, target)
    size = part.stat().st_size
    if item.size is not None and size != item.size:
        part.unlink()
        raise XltBenchError(f"{origin}: expected {item.size} bytes, got {size}")
    actual = sha256_of(part)
    if expected and actual != expected:
        part.unlink()
        recorded = "" if item.sha256 else f" (recorded in {sidecar} at the first download; delete it to accept)"
        raise XltBenchError(f"{origin}: sha256 mismatch: expected {expected}, got {actual}{recorded}")
    os.replace(part, target)
    write_atomic(sidecar, f"{actual}  {target.name}\n")
    return target


def _url_filename(url: str) -> str:
    name = urllib.parse.unquote(PurePosixPath(urllib.parse.urlsplit(url).path).name)
    if not name:
        raise XltBenchError(f"{url}: no file name in the URL; give Download.filename")
    return name


def _transfer(url: str, part: Path, name: str, progress: bool, timeout: float) -> None:
    """Append the rest of `url` to `part` (all of it when the server ignores the range); raise `_Incomplete`."""
    offset = part.stat().st_size if part.is_file() else 0
    response = _open(url, offset, timeout)
    if response is None:  # the server says `part` already holds the whole file
        return
    with response:
        total = _total(url, response, offset)
        if response.status != 206:
            offset = 0
        got = offset
        bar = tqdm(
            total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024, desc=name, disable=not progress
        )
        with bar, open(part, "ab" if offset else "wb") as out:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except _TRANSFER_ERRORS:  # only the network: a full disk must not be retried
                    raise _Incomplete(got, total) from None
                if not chunk:
                    break
                out.write(chunk)
                got += len(chunk)
                bar.update(len(chunk))
    if total is not None and got < total:
        raise _Incomplete(got, total)


def _open(url: str, offset: int, timeout: float) -> http.client.HTTPResponse | None:
    """The response for `url` from byte `offset` on, or None when `offset` is already the whole file."""
    # `add_header` (not `add_unredirected_header`) so that urllib sends the range again after a redirect;
    # identity encoding keeps byte offsets meaningful.
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity", "User-Agent": "xlt-bench"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    opener = urllib.request.build_opener()  # reads the proxy settings now, not at the first download of the process
    try:
        return opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 416 and offset:
            match = _CONTENT_RANGE.fullmatch(error.headers.get("Content-Range", "").strip())
            if match and match.group(2) == str(offset):
                return None
            return _open(url, 0, timeout)  # the `.part` is longer than the file: start over
        raise XltBenchError(f"{url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise XltBenchError(f"{url}: cannot connect ({error.reason})") from None
    except _TRANSFER_ERRORS as error:
        raise XltBenchError(f"{url}: cannot connect ({error or type(error).__name__})") from None


def _total(url: str, response: http.client.HTTPResponse, offset: int) -> int | None:
    """The size of the whole file as announced by the server, or None when it does not say."""
    if response.status == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
        if not match or match.group(1) is None or int(match.group(1)) != offset:
            raise XltBenchError(f"{url}: unexpected Content-Range for bytes={offset}-")
        return None if match.group(2) == "*" else int(match.group(2))
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _wanted(name: str, members: str | None) -> bool:
    return members is None or name.removeprefix("./").startswith(members.strip("/") + "/")


def extract(archive: Path, into: Path, members: str | None = None) -> list[Path]:
    """Extract a zip or tar (plain, gzip, bzip2) archive into `into`; the regular files it holds, sorted.

    `members`: only the members below this path inside the archive (one archive serving several tasks). A marker
    `into/.extracted-<archive name>[-<members>]` lists the files of a completed extraction, so a second call does
    nothing. Several archives (or parts of one) may share `into`.
    """
    archive, into = Path(archive), Path(into)
    part = f"-{members.strip('/').replace('/', '_')}" if members else ""
    marker = into / f".extracted-{archive.name}{part}"
    if marker.is_file():
        return [into / line for line in read_text(marker).splitlines()]
    if not archive.is_file():
        raise XltBenchError(f"{archive}: file not found")

    into.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=into.parent, prefix=f".{into.name}.", suffix=".tmp"))
    try:
        root = os.path.realpath(staging)
        try:
            if tarfile.is_tarfile(archive):  # first: a tar whose last member is a zip passes `is_zipfile`
                with tarfile.open(archive) as handle:
                    # A generator, so that each member is checked after the links before it exist on disk.
                    chosen = (_checked(archive, m, root) for m in handle if _wanted(m.name, members))
                    handle.extractall(staging, members=chosen, **_TAR_FILTER)
            elif zipfile.is_zipfile(archive):
                with zipfile.ZipFile(archive) as handle:
                    infos = [info for info in handle.infolist() if _wanted(info.filename, members)]
                    for info in infos:  # zipfile creates no links: the names are all there is to check
                        _check_inside(archive, info.filename, os.path.join(root, info.filename), root)
                    handle.extractall(staging, members=infos)
            else:
                raise XltBenchError(f"{archive}: not a zip or tar archive")
        except (tarfile.TarError, zipfile.BadZipFile, EOFError) as error:
            raise XltBenchError(f"{archive}: cannot extract ({error})") from None
        files = sorted(
            Path(folder, name).relative_to(staging).as_posix()
            for folder, _, names in os.walk(staging)
            for name in names
            if not os.path.islink(os.path.join(folder, name))
        )
        if members and not files:
            raise XltBenchError(f"{archive}: no member below {members!r}")
        if into.exists():
            _merge(staging, into)
        else:
            os.replace(staging, into)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_atomic(marker, "".join(f"{name}\n" for name in files))
    return [into / name for name in files]


def _checked(archive: Path, member: tarfile.TarInfo, root: str) -> tarfile.TarInfo:
    path = os.path.join(root, member.name)
    _check_inside(archive, member.name, path, root)
    if member.issym():
        _check_inside(archive, member.name, os.path.join(os.path.dirname(path), member.linkname), root, "links")
    elif member.islnk():
        _check_inside(archive, member.name, os.path.join(root, member.linkname), root, "links")
    elif not (member.isfile() or member.isdir()):
        raise XltBenchError(f"{archive}: member {member.name!r} is a device or pipe, expected files and folders")
    return member


def _check_inside(archive: Path, name: str, path: str, root: str, what: str = "would be written") -> None:
    """Refuse a member that is absolute or whose real path (following links extracted so far) leaves `root`."""
    if os.path.isabs(name) or name.startswith(("/", "\\")):
        raise XltBenchError(f"{archive}: member {name!r} has an absolute path")
    if os.path.commonpath([root, os.path.realpath(path)]) != root:
        raise XltBenchError(f"{archive}: member {name!r} {what} outside the extraction folder")


def _merge(source: Path, target: Path) -> None:
    """Move the tree `source` into the existing folder `target`, replacing files of the same name."""
    for entry in source.iterdir():
        destination = target / entry.name
        if entry.is_dir() and not entry.is_symlink() and destination.is_dir() and not destination.is_symlink():
            _merge(entry, destination)
        else:
            os.replace(entry, destination)
