"""The Hugging Face Hub as a run sees it: reachable or not (asked once), and which commit a revision names.

Without a network, `datasets` retries every Hub dataset for about 23 s and prints a line per retry: over Tatoeba's 36
languages that is 14 minutes of noise before the run even starts. So `eval` and `prefetch` probe the Hub once, before
their first Hub access, with `huggingface_hub`'s own HTTP client: its timeouts (`HF_HUB_ETAG_TIMEOUT`), retries
with back-off on timeouts, refused connections and 503s, `HF_ENDPOINT`, the proxy settings of the environment and
`HF_HUB_OFFLINE`, so the probe fails exactly where the libraries' own requests would, and says which host failed.
When the Hub is unreachable, or with `--offline` (or `HF_HUB_OFFLINE=1`), the Hugging Face libraries are put in
offline mode for the rest of the process: copies already in their caches still load, everything else fails at once
with one reason.

A Hub dataset is read at a commit, never at a moving branch: `HubSource.revision` (a branch, a tag, or a commit id,
as every built-in source pins) is resolved to its commit when the run is planned (`HubAccess.pinned`), and that
commit is what the run records and what `datasets` loads. A resolution made online is remembered in the cache
(`hub-commits.json`), so an offline run reads the same commit from the caches, and says which one.
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.parse
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from xlt_bench.data.formats import DataSource, DataUnavailable
from xlt_bench.errors import XltBenchError, first_line, warn
from xlt_bench.files import confined, write_atomic

COMMIT = re.compile(r"^[0-9a-f]{40}$")
PROBE_RETRIES = 2  # after the first try: ~3 s of back-off on top of the timeouts before the Hub counts as unreachable
COMMITS_FILE = "hub-commits.json"


def go_offline() -> None:
    """Offline mode for huggingface_hub, datasets and transformers in this process (and in processes it starts).
    `datasets` is imported only when it already is: it reads the environment variable when it is imported."""
    import sys

    import huggingface_hub.constants

    os.environ["HF_HUB_OFFLINE"] = os.environ["HF_DATASETS_OFFLINE"] = "1"
    huggingface_hub.constants.HF_HUB_OFFLINE = True
    if "datasets" in sys.modules:
        datasets = sys.modules["datasets"]
        datasets.config.HF_HUB_OFFLINE = datasets.config.HF_DATASETS_OFFLINE = True


def offline_by_environment() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").upper() in ("1", "ON", "YES", "TRUE")


class HubAccess:
    """Probes the Hub at the first call of `reachable()`, remembers the answer for the run, and resolves revisions
    to commits (`commit`, `pinned`), remembered in `cache/hub-commits.json` when `cache` is given."""

    def __init__(self, offline: bool = False, cache: Path | None = None) -> None:
        environment = "HF_HUB_OFFLINE is set" if offline_by_environment() else None
        self.reason: str | None = "--offline" if offline else environment
        self.probed = self.reason is not None
        self.cache = Path(cache) if cache is not None else None
        self.memo = self.cache / COMMITS_FILE if self.cache is not None else None
        self.commits: dict[str, str] = {}
        if offline:
            go_offline()

    def reachable(self) -> bool:
        if not self.probed:
            self.probed = True
            problem = probe()
            if problem is not None:
                self.reason = f"the Hugging Face Hub is not reachable ({problem})"
                warn(f"{self.reason}: Hub datasets and checkpoints are read from the local caches only")
                go_offline()
        return self.reason is None

    def commit(self, repo: str, revision: str | None, repo_type: str = "dataset") -> str:
        """The commit id `revision` (None: the main branch) of a Hub repository names; raises DataUnavailable."""
        if revision is not None and COMMIT.match(revision):
            return revision
        key = f"{repo_type}:{repo}@{revision or 'main'}"
        if key in self.commits:
            return self.commits[key]
        if self.reachable():
            commit = _resolve(repo, revision, repo_type)
            self._remember(key, commit)
        else:
            commit = self._remembered(key)
            warn(f"{key} is read at commit {commit}, the one it named when last resolved online ({self.reason})")
        self.commits[key] = commit
        return commit

    def pinned(self, source: DataSource) -> DataSource:
        """A Hub `source` with its revision resolved to a commit (local sources unchanged)."""
        if not source.hub:
            return source
        return replace(source, revision=self.commit(source.hub[0], source.revision))

    def _stored(self) -> dict[str, dict[str, str]]:
        if self.memo is None or self.memo.is_symlink() or not self.memo.is_file():
            return {}  # a link planted in the cache is neither read nor written through (`_remember` says so)
        try:
            stored = json.loads(self.memo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # only a memo: rewritten at the next online resolution
        return stored if isinstance(stored, dict) else {}

    def _remember(self, key: str, commit: str) -> None:
        if self.memo is None:
            return
        stored = self._stored()
        stored[key] = {"commit": commit, "resolved": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        try:
            write_atomic(confined(self.cache, self.memo, "the cache"), json.dumps(stored, indent=1, sort_keys=True))
        except XltBenchError as error:
            warn(f"{error}; {key} is commit {commit} for this run only")
        except OSError as error:  # the next offline run cannot read this revision: say so, carry on
            warn(f"{self.memo}: cannot remember that {key} is commit {commit} ({error.strerror or error})")

    def _remembered(self, key: str) -> str:
        entry = self._stored().get(key)
        if isinstance(entry, dict) and isinstance(entry.get("commit"), str) and COMMIT.match(entry["commit"]):
            return entry["commit"]
        raise DataUnavailable(
            f"{key}: cannot tell which commit this revision names, {self.reason}; run once online, or pin the "
            "revision to a commit id"
        )


def _resolve(repo: str, revision: str | None, repo_type: str) -> str:
    from huggingface_hub import HfApi
    from huggingface_hub.utils import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

    where = f"hub:{repo}@{revision or 'main'}"
    try:
        info = HfApi().repo_info(repo, revision=revision, repo_type=repo_type)
    except RevisionNotFoundError:
        raise DataUnavailable(f"{where}: the {repo_type} repository has no revision {revision!r}") from None
    except RepositoryNotFoundError:
        raise DataUnavailable(f"{where}: no such {repo_type} repository on the Hub (or it is private)") from None
    except (HfHubHTTPError, OSError, ValueError) as error:
        raise DataUnavailable(f"{where}: cannot resolve the revision ({first_line(error)[:200]})") from None
    return info.sha


def _root_cause(error: BaseException) -> BaseException:
    """The innermost error under an HTTP client's wrappers (requests' MaxRetryError chain, httpx's ConnectError):
    `[Errno 111] Connection refused`, `timed out`, a DNS failure."""
    seen = [error]
    while len(seen) < 10:
        inner = getattr(seen[-1], "reason", None)
        inner = inner if isinstance(inner, BaseException) else seen[-1].__cause__ or seen[-1].__context__
        if inner is None or inner in seen:
            break
        seen.append(inner)
    return seen[-1]


def probe() -> str | None:
    """Why the Hub endpoint cannot be reached through huggingface_hub's client (host and error), or None when it
    answers (any HTTP status: an answer is reachability)."""
    from huggingface_hub import constants
    from huggingface_hub.utils import http_backoff

    url = f"{constants.ENDPOINT}/api/datasets?limit=1"
    client_log = logging.getLogger("huggingface_hub")  # its line per retry: the probe says it once, in one line
    level = client_log.level
    client_log.setLevel(logging.ERROR)
    try:
        http_backoff("HEAD", url, max_retries=PROBE_RETRIES, base_wait_time=1, timeout=constants.HF_HUB_ETAG_TIMEOUT)
    except Exception as error:  # the client's own connection, timeout, proxy and offline-mode errors
        root = _root_cause(error)
        return f"{urllib.parse.urlsplit(url).netloc}: {type(root).__name__}: {first_line(root)[:160]}"
    finally:
        client_log.setLevel(level)
    return None
