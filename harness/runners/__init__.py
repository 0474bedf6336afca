"""The built-in runners, one module per task type, registered through `xlt_register_runners` as a plugin's are.

The contract every runner follows (and a plugin's new task type implements) is `xlt_bench.runners.base`:
`Runner` and the `Job` it is given. `list types` shows every registered type with its runner and parameters.
"""

from __future__ import annotations

from collections.abc import Callable

from xlt_bench.hookspecs import hookimpl
from xlt_bench.runners.base import Job, Runner, predict_and_score
from xlt_bench.runners.bitext_mining import BitextMiningRunner
from xlt_bench.runners.bitext_retrieval import BitextRetrievalRunner
from xlt_bench.runners.classification import ClassificationRunner
from xlt_bench.runners.extractive_qa import ExtractiveQARunner
from xlt_bench.runners.generation import GenerationRunner
from xlt_bench.runners.multiple_choice import MultipleChoiceRunner
from xlt_bench.runners.ranking import RankingRunner
from xlt_bench.runners.relevance import RelevanceRunner
from xlt_bench.runners.tagging import TaggingRunner

__all__ = ["Job", "Runner", "predict_and_score", "BUILTIN_RUNNERS"]

BUILTIN_RUNNERS: tuple[type[Runner], ...] = (
    ClassificationRunner,
    TaggingRunner,
    ExtractiveQARunner,
    MultipleChoiceRunner,
    BitextRetrievalRunner,
    BitextMiningRunner,
    RankingRunner,
    RelevanceRunner,
    GenerationRunner,
)


@hookimpl
def xlt_register_runners(register: Callable[[type[Runner]], None]) -> None:
    for runner in BUILTIN_RUNNERS:
        register(runner)
