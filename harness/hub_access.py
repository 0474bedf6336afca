"""Whether the Hugging Face Hub can be reached, asked once per run instead of once per dataset.

Without a network, `datasets` retries every Hub dataset for about 23 s and prints a line per retry: over Tatoeba's 36
languages that is 14 minutes of noise before the run even starts. So `eval` probes the Hub once (one HEAD request,
a few seconds at most) before its first Hub access. When the Hub is unreachable, or with `--offline` (or
`HF_HUB_OFFLINE=1`), the Hugging Face libraries are put in offline mode for the rest of the process: copies already
in their caches still load, and everything else fails at once with one reason.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request

from xlt_bench.errors import warn

PROBE_TIMEOUT = 5.0


def go_offline() -> None:
    """Offline mode for huggingface_hub, datasets and transformers in this process (and in processes it starts)."""
    import datasets
    import huggingface_hub.constants

    os.environ["HF_HUB_OFFLINE"] = os.environ["HF_DATASETS_OFFLINE"] = "1"
    huggingface_hub.constants.HF_HUB_OFFLINE = True
    datasets.config.HF_HUB_OFFLINE = datasets.config.HF_DATASETS_OFFLINE = True


class HubAccess:
    """Probes the Hub at the first call of `reachable()` and remembers the answer for the run."""

    def __init__(self, offline: bool = False) -> None:
        from_environment = os.environ.get("HF_HUB_OFFLINE", "").upper() in ("1", "ON", "YES", "TRUE")
        self.reason: str | None = "--offline" if offline else "HF_HUB_OFFLINE is set" if from_environment else None
        self.probed = self.reason is not None
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


def probe(timeout: float = PROBE_TIMEOUT) -> str | None:
    """Why the Hub endpoint (`HF_ENDPOINT`) cannot be reached, or None when it answers (any HTTP status)."""
    from huggingface_hub.constants import ENDPOINT

    request = urllib.request.Request(f"{ENDPOINT}/api/datasets?limit=1", method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None  # it answered
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return f"{ENDPOINT}: {reason}"
