"""`xlt_bench.evaluate`: `eval` as a function, for models researchers hold in memory during and after training.

It builds the same `EvalConfig` the command line builds and calls the same `run_eval`, so signatures, resumes,
skips, scores and the files in the run folder are those `xlt-bench eval` would give; there is no second
implementation. A model in memory is evaluated where it is (`held_model`); its training mode is restored after.

Errors are exceptions: `XltBenchError` (one line, the same the command prints) for what the caller can fix.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.lineage import Lineage
from xlt_bench.run_results import RunResults


def evaluate(
    model: str | os.PathLike[str] | Any,
    tokenizer: Any = None,
    *,
    suite: str | None = None,
    tasks: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    split: str = "test",
    output: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    batch_size: int | str | None = 32,
    inference: Mapping[str, Any] | None = None,
    lineage: Lineage | None = None,
    plugins: Sequence[str] = (),
    registry: Any = None,
    progress: bool = False,
    **options: Any,
) -> RunResults | None:
    """Evaluate `model` and return the run's `RunResults` (what `results.json` holds); None on the ranks other
    than 0 of a data-parallel run (`torchrun`), whose rank 0 returns them.

    `model`: a checkpoint folder, manifest or Hub id (as `eval --model`), or a `transformers.PreTrainedModel` in
    memory with its `tokenizer`, on whatever device it is. `output`: the run folder (resumed as `eval` resumes it);
    None evaluates in a temporary folder that is deleted afterwards. `tasks`, `languages`, `split`, `data_dir`,
    `limit`, `batch_size`, `inference` (`{"max_length": 256}`), `lineage` (label, base, intermediate, tags) are
    `eval`'s options; `options` takes any other `EvalConfig` field (`max_tokens`, `seed`, `overwrite`,
    `cache_dir`, `offline`, `seqeval_rules`, `device` for a checkpoint path, ...). `plugins` are `-p` names;
    `registry` a registry already loaded (`xlt_bench.registry.load_registry`), reused across calls.
    """
    from xlt_bench.evaluation import EvalConfig, run_eval
    from xlt_bench.held_model import HeldModel
    from xlt_bench.registry import load_registry

    if not isinstance(model, (str, os.PathLike)):
        if tokenizer is None:
            raise XltBenchError(f"evaluate: a model in memory ({type(model).__name__}) needs its tokenizer")
        if "device" in options or options.get("dtype", "auto") != "auto":
            raise XltBenchError("evaluate: a model in memory runs on its own device and dtype; move it first")
        model = HeldModel(model, tokenizer)
    elif tokenizer is not None:
        raise XltBenchError("evaluate: a tokenizer goes with a model in memory; a checkpoint brings its own")
    registry = registry or load_registry(plugins)
    held = model if isinstance(model, HeldModel) else None
    with ExitStack() as stack:
        folder = output if output is not None else stack.enter_context(tempfile.TemporaryDirectory(prefix="xlt-"))
        config = EvalConfig(
            model=model if held else str(model),
            suite=registry.suite_for(suite, tasks),
            tasks=list(tasks) if tasks is not None else None,
            languages=list(languages) if languages is not None else None,
            split=split,
            output=Path(folder),
            data_dir=Path(data_dir) if data_dir is not None else None,
            limit=limit,
            batch_size=batch_size,
            inference=dict(inference or {}),
            lineage=lineage or Lineage(),
            device=held.device if held else options.pop("device", "auto"),
            command=["xlt_bench.evaluate", str(model)],
            **options,
        )
        training = held is not None and held.model.training
        try:
            run = run_eval(registry, config, progress=progress)
        finally:
            if training:
                held.model.train()
        return RunResults.read(run.results_path) if run is not None else None
