"""`TransferCallback`: zero-shot cross-lingual dev scores while a `transformers.Trainer` trains.

Each evaluation is `xlt_bench.evaluate` on the model in memory (no checkpoint saved or reloaded), into a run folder
of its own (`<output_dir>/xlt-bench/step-<N>/`, labelled `step-<N>`), so every step's numbers can be put on a
leaderboard or in a study later. Scores go through the Trainer's own `log`, so whatever `report_to` names
(TensorBoard, W&B, ...) receives them without xlt-bench depending on it:

- `eval_xlt/<task>/<language>`: the task's main score in that language;
- `eval_xlt/<task>/mean`: its mean over the languages evaluated (partial: not the task's official score);
- `eval_xlt/target_mean`: the mean over `select_by`'s languages (default: every language evaluated but English),
  the number to select a checkpoint by. Zero-shot model selection is contested (Keung et al. 2020, "Don't use
  English dev"): this callback lets you choose which languages' dev data you are willing to use.

The scores are added to the metrics of the Trainer's own evaluation too, so `metric_for_best_model=
"xlt/target_mean"` with `load_best_model_at_end=True` keeps the best checkpoint by target-language dev score;
`best_checkpoint=folder` saves the best model and tokenizer there whatever the Trainer's strategy.
Evaluations run in the main process only; multi-process (DDP) training is refused at the start.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from statistics import mean
from typing import Any

from transformers import TrainerCallback

from xlt_bench.errors import XltBenchError
from xlt_bench.lineage import Lineage
from xlt_bench.python_api import evaluate
from xlt_bench.run_results import RunResults
from xlt_bench.scoring import main_score

PREFIX = "eval_xlt"


class TransferCallback(TrainerCallback):
    """Evaluate `tasks` on `languages`' `split` at each Trainer evaluation, or every `every_n_steps` steps.

    `trainer` is the Trainer this callback reports through (`trainer.add_callback(TransferCallback(trainer, ...))`);
    the other keywords are `xlt_bench.evaluate`'s (`data_dir`, `limit`, `batch_size`, `inference`, ...).
    """

    def __init__(
        self,
        trainer: Any,
        *,
        tasks: Sequence[str],
        languages: Sequence[str] | None = None,
        split: str = "dev",
        every_n_steps: int | None = None,
        select_by: Sequence[str] | None = None,
        output: str | Path | None = None,
        best_checkpoint: str | Path | None = None,
        tokenizer: Any = None,
        **options: Any,
    ) -> None:
        from xlt_bench.registry import load_registry

        if every_n_steps is not None and (type(every_n_steps) is not int or every_n_steps < 1):
            raise XltBenchError(f"TransferCallback: every_n_steps {every_n_steps!r}; expected a positive whole number")
        self.trainer = trainer
        self.tasks, self.languages, self.split = list(tasks), languages, split
        self.every_n_steps, self.select_by = every_n_steps, list(select_by) if select_by else None
        self.output = Path(output) if output is not None else Path(trainer.args.output_dir) / "xlt-bench"
        self.best_checkpoint = Path(best_checkpoint) if best_checkpoint is not None else None
        self.tokenizer = tokenizer
        self.options = options
        self.registry = load_registry(options.pop("plugins", ()))
        self.history: list[dict[str, float]] = []  # the scores of each evaluation, with its "step"
        self.best: dict[str, float] | None = None  # {"step": ..., "target_mean": ...} of the best so far
        self._last: tuple[int, dict[str, float]] | None = None

    # -- Trainer events -----------------------------------------------------------------------------------------

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if args.world_size > 1:
            raise XltBenchError(
                f"TransferCallback: training runs in {args.world_size} processes; evaluate its checkpoints with "
                "`xlt-bench eval` (data-parallel under torchrun) instead"
            )

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.every_n_steps and state.global_step % self.every_n_steps == 0:
            self.trainer.log(self.scores(state.global_step))

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict | None = None, **kwargs: Any) -> None:
        fresh = self._last is None or self._last[0] != state.global_step
        scores = self.scores(state.global_step)
        if metrics is not None:
            metrics.update(scores)  # what metric_for_best_model reads
        if fresh:
            self.trainer.log(scores)

    # -- evaluation ---------------------------------------------------------------------------------------------

    def scores(self, step: int) -> dict[str, float]:
        """This step's scores (computed once per step), as logged."""
        if self._last is not None and self._last[0] == step:
            return self._last[1]
        results = evaluate(
            self.trainer.model,
            self._tokenizer(),
            tasks=self.tasks,
            languages=self.languages,
            split=self.split,
            output=self.output / f"step-{step}",
            lineage=Lineage(label=f"step-{step}", tags={"step": str(step)}),
            registry=self.registry,
            **self.options,
        )
        assert results is not None  # one process (on_train_begin)
        scores = self._flatten(results)
        self._last = (step, scores)
        self.history.append({"step": step, **scores})
        self._keep_if_best(step, scores)
        return scores

    def _tokenizer(self) -> Any:
        """The tokenizer given, else the Trainer's (`processing_class` since transformers 4.46, `tokenizer` before)."""
        found = (
            self.tokenizer
            or getattr(self.trainer, "processing_class", None)
            or getattr(self.trainer, "tokenizer", None)
        )
        if found is None:
            raise XltBenchError("TransferCallback: the Trainer has no tokenizer; pass tokenizer=")
        return found

    def _flatten(self, results: RunResults) -> dict[str, float]:
        scores: dict[str, float] = {}
        targets: list[float] = []
        for name, result in results.tasks.items():
            task = self.registry.task(name, results.suite)
            per_language = {language: main_score(task, metrics) for language, metrics in result.languages.items()}
            scores.update({f"{PREFIX}/{name}/{language}": value for language, value in per_language.items()})
            if per_language:
                scores[f"{PREFIX}/{name}/mean"] = mean(per_language.values())
            chosen = self.select_by or [language for language in per_language if language != "en"] or ["en"]
            targets += [value for language, value in per_language.items() if language in chosen]
        scores[f"{PREFIX}/target_mean"] = mean(targets) if targets else math.nan
        return scores

    def _keep_if_best(self, step: int, scores: dict[str, float]) -> None:
        score = scores[f"{PREFIX}/target_mean"]
        if math.isnan(score) or (self.best is not None and score <= self.best["target_mean"]):
            return
        self.best = {"step": step, "target_mean": score}
        if self.best_checkpoint is not None:
            self.trainer.model.save_pretrained(self.best_checkpoint)
            self._tokenizer().save_pretrained(self.best_checkpoint)
