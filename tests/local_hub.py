"""A local imitation of the Hugging Face Hub, so tests run the real `huggingface_hub`, `datasets` and `transformers`
loading code (revisions, parquet configs, ClassLabel features, script repositories, the `refs/convert/parquet`
branch, unreachable or failing endpoints) without any network.

It serves dataset and model repositories from memory, each a set of commits (complete file trees) and refs
(`main`, `refs/convert/parquet`, ...), over the HTTP API the clients call: repository info at a revision
(`/api/{datasets,models}/<repo>/revision/<rev>`), tree listings and paths-info (for `HfFileSystem`), file downloads
with ranges (`/<datasets/><repo>/resolve/<rev>/<path>`), and the error codes of the real Hub (`X-Error-Code`
`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`), which the clients turn into their own exceptions. The
libraries read `HF_ENDPOINT` when they are imported, so a test runs its client in a subprocess with `hub_env`.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from http_server import serving


@dataclass
class Repo:
    """One repository: its commits (id -> {path: bytes}, in order) and refs (name -> commit id)."""

    kind: str  # "datasets" or "models"
    name: str
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)

    def commit_of(self, revision: str) -> str | None:
        if revision in self.refs:
            return self.refs[revision]
        return revision if revision in self.commits else None


class LocalHub(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.repos: dict[tuple[str, str], Repo] = {}
        self.requests: list[tuple[str, str]] = []
        self.status: int | None = None  # answer every request with this status (a Hub that is down)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def add(
        self, kind: str, name: str, files: Mapping[str, bytes], ref: str = "main", commit: str | None = None
    ) -> str:
        """A new commit of `name` (`kind`: "datasets" or "models") holding exactly `files`, on `ref`; its id
        (`commit`, when a test needs the id a task pins)."""
        repo = self.repos.setdefault((kind, name), Repo(kind, name))
        digest = hashlib.sha1(json.dumps([name, ref, len(repo.commits)]).encode())
        for path in sorted(files):
            digest.update(path.encode() + b"\0" + files[path])
        commit = commit or digest.hexdigest()
        repo.commits[commit] = dict(files)
        repo.refs[ref] = commit
        return commit


def _oid(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()  # git's blob id, as the Hub gives


class _Handler(http.server.BaseHTTPRequestHandler):
    server: LocalHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_POST(self) -> None:
        self._answer(head=False)

    # -- answers ----------------------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None, head: bool = False):
        self.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _json(self, value: object, head: bool = False) -> None:
        self._send(200, json.dumps(value).encode(), {"Content-Type": "application/json"}, head)

    def _error(self, status: int, code: str, message: str, head: bool = False) -> None:
        body = json.dumps({"error": message}).encode()
        headers = {"Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": message}
        self._send(status, body, headers, head)

    def _answer(self, head: bool) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        self.server.requests.append((self.command, self.path))
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        if self.server.status is not None:
            return self._send(self.server.status, b"unavailable", head=head)
        parts = [urllib.parse.unquote(part) for part in parsed.path.strip("/").split("/")]
        query = urllib.parse.parse_qs(parsed.query)
        if parts[:1] == ["api"] and parts[1:2] in (["datasets"], ["models"]) and len(parts) == 2:
            return self._json([], head)  # a listing: what a reachability probe asks for
        if parts[:1] == ["api"] and len(parts) >= 4:
            return self._api(parts[1], "/".join(parts[2:4]), parts[4:], query, payload, head)
        kind = "datasets" if parts[:1] == ["datasets"] else "models"
        parts = parts[1:] if kind == "datasets" else parts
        if len(parts) >= 5 and parts[2] == "resolve":
            return self._file("/".join(parts[:2]), kind, parts[3], "/".join(parts[4:]), head)
        self._error(404, "EntryNotFound", f"no route {parsed.path}", head)

    def _repo(self, kind: str, name: str, revision: str, head: bool) -> tuple[Repo, str] | None:
        repo = self.server.repos.get((kind, name))
        if repo is None:
            self._error(404, "RepoNotFound", f"Repository Not Found for url: {self.path}", head)
            return None
        commit = repo.commit_of(revision)
        if commit is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", head)
            return None
        return repo, commit

    def _api(self, kind: str, name: str, rest: list[str], query, payload: bytes, head: bool) -> None:
        revision = rest[1] if len(rest) >= 2 and rest[0] in ("revision", "tree", "paths-info") else "main"
        found = self._repo(kind, name, revision, head)
        if found is None:
            return
        repo, commit = found
        files = repo.commits[commit]
        if not rest or rest[0] == "revision":
            return self._json(_info(repo, commit), head)
        if rest[0] == "tree":
            below = "/".join(rest[2:]).strip("/")
            recursive = query.get("recursive", ["false"])[0].lower() in ("true", "1")
            return self._json(_tree(files, below, recursive), head)
        if rest[0] == "paths-info":
            try:
                asked = json.loads(payload)["paths"]
            except ValueError:  # a form body (older clients)
                asked = urllib.parse.parse_qs(payload.decode()).get("paths", [])
            return self._json([_entry(path, files) for path in asked if _entry(path, files) is not None], head)
        self._error(404, "EntryNotFound", f"no API route {rest[0]}", head)

    def _file(self, name: str, kind: str, revision: str, path: str, head: bool) -> None:
        found = self._repo(kind, name, revision, head)
        if found is None:
            return
        repo, commit = found
        content = repo.commits[commit].get(path)
        if content is None:
            return self._error(404, "EntryNotFound", f"Entry not found: {path}", head)
        headers = {"X-Repo-Commit": commit, "ETag": f'"{_oid(content)}"', "Accept-Ranges": "bytes"}
        wanted = self.headers.get("Range")
        if wanted and wanted.startswith("bytes="):
            start_text, _, end_text = wanted.removeprefix("bytes=").partition("-")
            start = int(start_text or 0)
            end = min(int(end_text), len(content) - 1) if end_text else len(content) - 1
            headers["Content-Range"] = f"bytes {start}-{end}/{len(content)}"
            return self._send(206, content[start : end + 1], headers, head)
        self._send(200, content, headers, head)


def _info(repo: Repo, commit: str) -> dict:
    return {
        "id": repo.name,
        "_id": repo.name,
        "author": repo.name.split("/")[0],
        "sha": commit,
        "private": False,
        "disabled": False,
        "gated": False,
        "downloads": 0,
        "likes": 0,
        "tags": [],
        "lastModified": "2024-02-22T00:00:00.000Z",
        "createdAt": "2023-01-01T00:00:00.000Z",
        "siblings": [{"rfilename": path} for path in sorted(repo.commits[commit])],
    }


def _entry(path: str, files: Mapping[str, bytes]) -> dict | None:
    path = path.strip("/")
    if path in files:
        return {"type": "file", "path": path, "size": len(files[path]), "oid": _oid(files[path])}
    if any(name.startswith(f"{path}/") for name in files) or path == "":
        return {"type": "directory", "path": path, "size": 0, "oid": hashlib.sha1(path.encode()).hexdigest()}
    return None


def _tree(files: Mapping[str, bytes], below: str, recursive: bool) -> list[dict]:
    prefix = f"{below}/" if below else ""
    entries: dict[str, dict] = {}
    for name in sorted(files):
        if not name.startswith(prefix):
            continue
        parts = name[len(prefix) :].split("/")
        for depth in range(1, len(parts)):  # the folders on the way
            if recursive or depth == 1:
                folder = prefix + "/".join(parts[:depth])
                entries.setdefault(folder, _entry(folder, files))
        if recursive or len(parts) == 1:
            entries[name] = _entry(name, files)
    return list(entries.values())


def hub_env(hub: LocalHub, home: Path, **extra: str) -> dict[str, str]:
    """The environment of a client process talking to `hub` only: its own caches below `home`, online."""
    env = {key: value for key, value in os.environ.items() if key not in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")}
    env.update(
        HF_ENDPOINT=hub.url,
        HF_HOME=str(home / "hf"),
        HF_DATASETS_CACHE=str(home / "hf-datasets"),
        XLT_BENCH_CACHE=str(home / "xlt-bench"),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_ETAG_TIMEOUT="3",
        no_proxy="*",
        NO_PROXY="*",
    )
    env.update(extra)
    return env


@pytest.fixture
def local_hub() -> Iterator[LocalHub]:
    yield from serving(LocalHub())


def parquet_bytes(dataset) -> bytes:
    """A `datasets.Dataset` as the Hub's converter writes it: parquet with the features in the schema metadata."""
    import io

    buffer = io.BytesIO()
    dataset.to_parquet(buffer)
    return buffer.getvalue()


def parquet_repo(configs: Mapping[str, Mapping[str, object]], card: bool = True) -> dict[str, bytes]:
    """A repository laid out as the Hub's "Convert dataset to Parquet" leaves it: per config and split
    `<config>/<split>-00000-of-00001.parquet`, and a README card whose `configs:` name the files and whose
    `dataset_info:` gives the features (ClassLabel names included). `card=False`: the files alone."""
    import yaml

    files: dict[str, bytes] = {}
    configs_yaml, infos_yaml = [], []
    for config, splits in configs.items():
        data_files = []
        for split, dataset in splits.items():
            files[f"{config}/{split}-00000-of-00001.parquet"] = parquet_bytes(dataset)
            data_files.append({"split": split, "path": f"{config}/{split}-*"})
        configs_yaml.append({"config_name": config, "data_files": data_files})
        features = next(iter(splits.values())).features
        splits_yaml = [
            {"name": split, "num_bytes": 0, "num_examples": len(dataset)} for split, dataset in splits.items()
        ]
        infos_yaml.append({"config_name": config, "features": features._to_yaml_list(), "splits": splits_yaml})
    if card:
        header = yaml.safe_dump({"configs": configs_yaml, "dataset_info": infos_yaml}, sort_keys=False)
        files["README.md"] = f"---\n{header}---\n\n# A local copy for tests\n".encode()
    return files
