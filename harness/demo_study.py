"""`xlt-bench demo --study`: a small intermediate-task study trained, evaluated and analysed offline.

The questions of Phang et al. 2020 at toy scale, on the demo's tiny base encoder (`xlt_bench.demo`), with English
UD-POS as the target task evaluated zero-shot on UD in seven languages:

- direct: base -> POS with fine-tuning seeds 1 and 2 (how far the seed alone moves a score);
- A = English extractive QA on XQuAD-en (`xquad-en`) on a quarter, half and all of its questions (a scaling curve);
- B = English dependency relations (`ud-deprel`: each word's universal DEPREL in the English UD sentences the
  target is trained on), a second English task that is not the target;
- A -> B and B -> A with the same sizes (an order contrast). Every intermediate regime is sequential.

Each intermediate encoder is trained once and reused by every condition that starts with it. Each condition is a
checkpoint under `models/` and an `eval` run folder under `runs/` whose lineage records the design; `xlt-bench
study`'s analysis of those runs is written as `study.json`, `study.md` and `study.html`. Tiny models give tiny
effects: expect most intervals to include 0, which the report says rather than reading a direction into noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xlt_bench.demo import (
    UD_LANGUAGES,
    Phases,
    build_base,
    demo_command,
    english_pos,
    qa_examples,
    train_qa,
    train_tagger,
    training_threads,
)
from xlt_bench.files import numbered_lines

QA, DEPREL = "xquad-en", "ud-deprel"
BASE = "demo-tiny-base"

Step = tuple[str, int]  # an intermediate task and how many examples it is trained on


@dataclass(frozen=True)
class Condition:
    """One model of the design: its intermediate tasks in training order with their sizes, and the fine-tuning
    seed of its target task."""

    name: str
    steps: tuple[Step, ...] = ()
    train_seed: int = 1


def deprel_sentences(path: Path) -> list[tuple[list[str], list[str]]]:
    """(words, relations) per sentence of a CoNLL-U file: the syntactic words (multiword ranges and empty nodes are
    skipped) and each one's DEPREL without its subtype (`nmod:poss` -> `nmod`)."""
    sentences: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    relations: list[str] = []
    for _, line in [*numbered_lines(path), (0, "")]:
        if not line.strip():
            if words:
                sentences.append((words, relations))
            words, relations = [], []
        elif not line.startswith("#"):
            columns = line.split("\t")
            if columns[0].isdigit():
                words.append(columns[1])
                relations.append(columns[7].split(":")[0])
    return sentences


def study_design(questions: int, sentences: int) -> list[Condition]:
    """The conditions, given how many QA questions and dependency-annotated sentences the packaged data hold."""
    sizes = sorted({max(1, questions // 4), max(1, questions // 2), questions})
    both = {QA: (QA, questions), DEPREL: (DEPREL, sentences)}
    return [
        Condition("direct-seed1"),
        Condition("direct-seed2", train_seed=2),
        *(Condition(f"{QA}-{size}", ((QA, size),)) for size in sizes),
        Condition(DEPREL, (both[DEPREL],)),
        Condition(f"{QA}+{DEPREL}", (both[QA], both[DEPREL])),
        Condition(f"{DEPREL}+{QA}", (both[DEPREL], both[QA])),
    ]


@dataclass
class IntermediateEncoders:
    """Encoders after a sequence of intermediate tasks, each prefix of a sequence trained once under
    `models/encoders/` and reused."""

    models: Path
    data: Path
    relations: list[tuple[list[str], list[str]]]
    epochs: int
    seed: int
    progress: bool
    trained: dict[tuple[Step, ...], Path] = field(default_factory=dict)

    def encoder(self, steps: tuple[Step, ...]) -> Path:
        if not steps:
            return self.models / "base"
        if steps not in self.trained:
            previous = self.encoder(steps[:-1])
            folder = self.models / "encoders" / "+".join(f"{task}-{size}" for task, size in steps)
            task, size = steps[-1]
            if task == QA:
                train_qa(previous, folder, self.data, self.epochs, self.seed, self.progress, examples=size)
            else:
                labels = sorted({relation for _, tags in self.relations for relation in tags})
                train_tagger(
                    previous,
                    folder,
                    self.relations[:size],
                    self.epochs,
                    self.seed,
                    self.progress,
                    labels=labels,
                    task="English UD-DEPREL",
                    encoder_only=True,
                )
            self.trained[steps] = folder
        return self.trained[steps]


def run_study_demo(
    registry, output: Path, *, steps: int, epochs: int, seed: int, threads: int | None, progress: bool
) -> dict[str, Path]:
    """Train, evaluate and analyse the study's conditions with `threads` torch threads; returns the run folders
    (by condition) and the report's files (`json`, `markdown`, `html`)."""
    with training_threads(steps, epochs, threads) as count:
        phases = Phases(5, progress)
        phases.say(f"xlt-bench demo --study: torch computes with {count} thread{'s' * (count > 1)} (--threads)")
        command = demo_command(["--study"], steps, epochs, seed, count)
        runs = build_and_evaluate_study(
            registry, output, steps=steps, epochs=epochs, seed=seed, command=command, phases=phases
        )
        phases.start(f"study report over {len(runs)} runs (paired bootstrap, 1000 resamples)")
        files = _write_report(registry, output, runs)
        phases.finish()
    return {**runs, **files}


def build_and_evaluate_study(
    registry, output: Path, *, steps: int, epochs: int, seed: int, command: list[str], phases: Phases
) -> dict[str, Path]:
    """Phases 1 to 4: base, intermediate encoders, target taggers, then `eval` of each on UD-POS; returns the run
    folders by condition name."""
    from xlt_bench.evaluation import EvalConfig, run_eval
    from xlt_bench.lineage import Lineage

    data = build_base(output, steps, seed, phases)
    models, progress = output / "models", phases.progress
    relations = deprel_sentences(next((data / "ud").rglob("en_ewt-ud-test.conllu")))
    design = study_design(len(qa_examples(data)), len(relations))
    encoders = IntermediateEncoders(models, data, relations, epochs, seed, progress)
    intermediate = [condition for condition in design if condition.steps]
    phases.start(f"intermediate tasks of {', '.join(condition.name for condition in intermediate)}")
    for condition in intermediate:
        encoders.encoder(condition.steps)
    phases.start(f"target: English UD-POS on {len(design)} conditions")
    sentences = english_pos(data)
    for condition in design:
        encoder = encoders.encoder(condition.steps)
        train_tagger(encoder, models / condition.name, sentences, epochs, condition.train_seed, progress)
    phases.start(f"xlt-bench eval of the {len(design)} conditions on udpos")
    runs = {}
    for condition in design:
        runs[condition.name] = output / "runs" / condition.name
        lineage = Lineage(
            label=f"demo-{condition.name}",
            base=BASE,
            intermediate=tuple(task for task, _ in condition.steps),
            intermediate_sizes=dict(condition.steps),
            regime="sequential" if condition.steps else None,
            train_languages=("en",),
            train_seed=condition.train_seed,
        )
        config = EvalConfig(
            model=str(models / condition.name),
            output=runs[condition.name],
            tasks=["udpos"],
            languages=list(UD_LANGUAGES),
            data_dir=data,
            cache_dir=output / "cache",
            lineage=lineage,
            command=command,
        )
        run_eval(registry, config, progress=progress)
    return runs


def _write_report(registry, output: Path, runs: dict[str, Path]) -> dict[str, Path]:
    """Phase 5: the study of the runs (designs found from their lineage) as JSON, Markdown and HTML."""
    from xlt_bench.leaderboard.study.analysis import study_runs
    from xlt_bench.leaderboard.study.output import write_study

    return write_study(study_runs(list(runs.values()), registry), output)
