"""How a checkpoint was trained, as `eval` records it in `results.json` (`lineage`) and studies group runs by it.

Phang et al. 2020 and the work after it vary the base model, the English intermediate tasks and their order, how
much intermediate data, the training regime (sequential English-only, interleaved, multilingual), the training
languages and the fine-tuning seed. `Lineage` holds exactly those, given on the `eval` command line:

    --base xlm-roberta-large --intermediate mnli:50k,squad --regime sequential --train-languages en
    --train-seed 3 --tag lr=1e-5 --label xlmr-mnli50k-squad-s3

A run without intermediate tasks is direct fine-tuning. Every field but `label` and `train_seed` says which
*condition* a run belongs to (`condition`); runs of one condition that differ only in `train_seed` are seeds of it.
Files written before a field existed read it as unknown (None, or empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError, expect

SIZE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>[kKmM]?)$")
UNITS = {"": 1, "k": 1_000, "m": 1_000_000}


def parse_size(text: str, where: str) -> int:
    """`50k` -> 50000, `1.5M` -> 1500000, `2000` -> 2000: a number of intermediate training examples."""
    match = SIZE.match(text.strip())
    if match is None:
        raise XltBenchError(f"{where}: {text!r} is not a size (a number of examples such as 2000, 50k or 1.5M)")
    size = float(match["number"]) * UNITS[match["unit"].lower()]
    if size != int(size) or size <= 0:
        raise XltBenchError(f"{where}: {text!r} is not a whole, positive number of examples")
    return int(size)


def parse_intermediate(text: str, where: str = "--intermediate") -> tuple[tuple[str, ...], dict[str, int]]:
    """`mnli:50k,squad` -> (("mnli", "squad"), {"mnli": 50000}): the tasks in training order, and the sizes given."""
    tasks, sizes = [], {}
    for item in (part.strip() for part in text.split(",")):
        name, _, size = item.partition(":")
        if not name:
            raise XltBenchError(f"{where}: {text!r} has an empty task name (expected TASK[:SIZE],...)")
        if name in tasks:
            raise XltBenchError(f"{where}: {name!r} is listed twice")
        tasks.append(name)
        if size:
            sizes[name] = parse_size(size, f"{where} {name}")
    return tuple(tasks), sizes


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


@dataclass(frozen=True)
class Lineage:
    """`--label`, `--base`, `--intermediate` (order kept; sizes in examples where given), `--regime`,
    `--train-languages`, `--train-seed` (the fine-tuning seed, not `eval --seed`) and `--tag KEY=VALUE` pairs."""

    label: str | None = None
    base: str | None = None
    intermediate: tuple[str, ...] = ()
    intermediate_sizes: dict[str, int] = field(default_factory=dict)
    regime: str | None = None
    train_languages: tuple[str, ...] = ()
    train_seed: int | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def direct(self) -> bool:
        return not self.intermediate

    @property
    def intermediate_size(self) -> int | None:
        """Examples over all intermediate tasks; 0 for direct runs, None when a task's size was not given."""
        if any(task not in self.intermediate_sizes for task in self.intermediate):
            return None
        return sum(self.intermediate_sizes[task] for task in self.intermediate)

    @property
    def condition(self) -> dict[str, Any]:
        """What distinguishes a training condition: everything but the label and the fine-tuning seed."""
        recorded = self.to_json()
        return {key: recorded[key] for key in recorded if key not in ("label", "train_seed", "direct")}

    def signature(self) -> dict[str, Any]:
        """The lineage part of a run folder's signature. Fields that are unset are left out, so folders written
        before they existed keep matching an `eval` that does not give them."""
        recorded = self.to_json()
        kept = {"label": self.label, "base": self.base, "intermediate": list(self.intermediate)}
        return kept | {key: value for key, value in recorded.items() if key not in kept and key != "direct" and value}

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "base": self.base,
            "intermediate": list(self.intermediate),
            "direct": self.direct,
            "intermediate_sizes": dict(self.intermediate_sizes),
            "regime": self.regime,
            "train_languages": list(self.train_languages),
            "train_seed": self.train_seed,
            "tags": dict(self.tags),
        }

    @classmethod
    def from_json(cls, value: Any, file: Path | str, name: str = "lineage") -> Lineage:
        value = {} if value is None else value
        expect(isinstance(value, dict), file, name, "an object", value)
        for key in ("label", "base", "regime"):
            expect(
                value.get(key) is None or isinstance(value[key], str), file, f"{name}.{key}", "a string", value.get(key)
            )
        for key in ("intermediate", "train_languages"):
            expect(
                value.get(key) is None or _strings(value[key]), file, f"{name}.{key}", "a list of names", value.get(key)
            )
        sizes = value.get("intermediate_sizes") or {}
        ok = isinstance(sizes, dict) and all(isinstance(n, int) and not isinstance(n, bool) for n in sizes.values())
        expect(ok, file, f"{name}.intermediate_sizes", "an object of example counts", sizes)
        seed = value.get("train_seed")
        expect(
            seed is None or (isinstance(seed, int) and not isinstance(seed, bool)),
            file,
            f"{name}.train_seed",
            "an integer",
            seed,
        )
        tags = value.get("tags") or {}
        ok = isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values())
        expect(ok, file, f"{name}.tags", "an object of strings", tags)
        return cls(
            label=value.get("label"),
            base=value.get("base"),
            intermediate=tuple(value.get("intermediate") or ()),
            intermediate_sizes=dict(sizes),
            regime=value.get("regime"),
            train_languages=tuple(value.get("train_languages") or ()),
            train_seed=seed,
            tags=dict(tags),
        )
