"""Shared test setup: offline Hugging Face, a per-session datasets cache, the real samples and tiny checkpoints."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Never touch the Hub from tests (a Hub name otherwise burns ~30 s in retries) and keep caches per session.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# Per-session caches, set before any test module imports `datasets` (it reads HF_DATASETS_CACHE at import): tests
# never read or write the user's ~/.cache (Arrow tables, embeddings, file hashes).
CACHES = Path(tempfile.mkdtemp(prefix="xlt-bench-tests-"))
os.environ["HF_DATASETS_CACHE"] = str(CACHES / "hf-datasets")
os.environ["XLT_BENCH_CACHE"] = str(CACHES / "xlt-bench")

pytest_plugins = ["http_server", "local_hub"]  # real servers on 127.0.0.1: `http_server` (downloads), `local_hub`

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds checkpoints and runs models (seconds each); still run in CI")


@pytest.fixture(scope="session", autouse=True)
def _caches() -> Iterator[None]:
    yield
    shutil.rmtree(CACHES, ignore_errors=True)


@pytest.fixture(scope="session")
def real_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real benchmark samples packaged in `tests/samples/` (`real_samples.py`), unpacked once per session in
    their original layout: what every clone has, so no test depends on files beside the checkout."""
    from real_samples import unpack

    return unpack(tmp_path_factory.mktemp("real-samples"))


@pytest.fixture
def world_tmp() -> Iterator[Path]:
    """A fresh folder every user may enter and write (`tmp_path`'s parents are root's alone), for the tests that run
    a check as an unprivileged user (`helpers.error_as_unprivileged`)."""
    folder = Path(tempfile.mkdtemp(prefix="xlt-bench-world-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def sentences(real_samples: Path) -> list[str]:
    """A few hundred real sentences in several scripts, to train tiny tokenizers on."""
    lines: list[str] = []
    for path in sorted((real_samples / "tatoeba" / "v1").glob("tatoeba.*")):
        lines += path.read_text(encoding="utf-8").splitlines()[:60]
    return lines


@pytest.fixture(scope="session")
def tokenizer(sentences: list[str]):
    from xlt_bench.testing import tiny_tokenizer

    return tiny_tokenizer(sentences)


@pytest.fixture(scope="session")
def driver(tmp_path_factory):
    """Headless Chromium through the system ChromeDriver, with the browser console log kept (skipped without
    selenium or the system binaries); one browser for the session, shared by the HTML page tests."""
    webdriver = pytest.importorskip("selenium.webdriver")
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not binary.is_file():
            pytest.skip(f"{binary} not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    browser.set_window_size(1400, 2000)
    yield browser
    browser.quit()
