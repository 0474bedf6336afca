"""xlt-bench: one harness for zero-shot cross-lingual transfer benchmarks.

The repository keeps the design card's top level (harness/ plugins/ baselines/ leaderboard/) and installs it
under the single import name `xlt_bench`.
"""

import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent
VERSION = re.search(r'^__version__ = "([^"]+)"', (HERE / "harness" / "__init__.py").read_text(), re.M).group(1)

setup(
    name="xlt-bench",
    version=VERSION,
    description="Zero-shot cross-lingual transfer benchmarks (XTREME, XTREME-R, XGLUE, Masakhane) as pluggy plugins",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    package_dir={
        "xlt_bench": "harness",
        "xlt_bench.plugins": "plugins",
        "xlt_bench.leaderboard": "leaderboard",
        "xlt_bench.baselines": "baselines",
    },
    packages=[
        "xlt_bench",
        "xlt_bench.data",
        "xlt_bench.metrics",
        "xlt_bench.runners",
        "xlt_bench.plugins",
        "xlt_bench.leaderboard",
        "xlt_bench.leaderboard.study",
        "xlt_bench.baselines",
    ],
    package_data={
        "xlt_bench.baselines": ["*.json"],
        "xlt_bench": ["language_table.tsv", "demo_data/NOTICE", "demo_data/*/*.gz", "demo_data/*/*/*.gz"],
    },
    # Every lower bound is tested: tox's `floor` environment pins exactly these (tests/test_packaging.py checks).
    install_requires=[
        "pluggy>=1.3.0",
        "filelock>=3.12.0",  # one writer per run folder (an OS lock, not a PID file)
        "pyyaml>=6.0.1",
        "tqdm>=4.66.3",  # datasets 4.3's own floor
        "numpy>=1.24.0",
        "faiss-cpu>=1.7.4",
        "datasets>=4.3.0",  # Dataset.from_generator(fingerprint=...)
        "huggingface_hub>=0.25.0",  # the Hub probe and revision resolution; datasets 4.3's own floor
        "transformers>=4.40.0",
        "torch>=2.1",  # install with an explicit pin (see README) so pip does not pull a CUDA build
        "sacrebleu>=2.3.0",  # XGLUE QG/NTG: the official scorer's corpus BLEU
    ],
    extras_require={
        "test": [
            "pytest>=8",
            "seqeval>=1.2",
            "tokenizers>=0.15",
            "selenium>=4.10",
            "Unidecode>=1.3",
            "setuptools>=77",  # tests/test_plugin_kit.py builds the example plugin offline (--no-build-isolation)
            "scikit-learn>=1.0",  # sklearn's ndcg_score: the oracle for the XGLUE WPR nDCG
            "hypothesis>=6.100",  # tests/test_fuzzed_inputs.py: every reader on mutated real samples
            "accelerate>=0.26",  # transformers.Trainer needs it: tests/test_trainer_callback.py trains a tiny model
        ],
        "lint": ["ruff>=0.5"],
        "docs": ["mkdocs>=1.6"],  # the documentation site (mkdocs.yml): `mkdocs build --strict`, tox's `docs`
        "afriqa": ["Unidecode>=1.3"],  # AfriQA's official answer normalisation; GPL-2.0-or-later, so optional
        "gpu": ["faiss-gpu-cu12>=1.8"],  # exact faiss search on GPUs (the same `faiss` module as faiss-cpu)
    },
    entry_points={
        "console_scripts": ["xlt-bench = xlt_bench.cli:main"],
        "xlt_bench": [
            "xtreme = xlt_bench.plugins.xtreme",
            "xtreme-r = xlt_bench.plugins.xtreme_r",
            "masakhane = xlt_bench.plugins.masakhane",
            "xglue = xlt_bench.plugins.xglue",
        ],
    },
)
