"""How many sequences one forward pass takes: `--batch-size N|auto` and `--max-tokens N`.

- `--batch-size N`: at most N sequences a pass.
- `--batch-size auto` (as lm-eval's `--batch_size auto`): the most that fit in the accelerator's memory. Passes start
  at `AUTO_CEILING` sequences (or all of them, when fewer); a pass that raises `torch.OutOfMemoryError` is retried
  with half as many, and the size found is kept for the rest of the unit and for the next units of the same model
  (sizes only shrink). Each back-off is recorded with the result. On CPU an allocation failure is no
  `OutOfMemoryError`, so there `auto` simply means the ceiling.
- `--max-tokens N`: batches formed by a token budget: rows x the batch's longest sequence (what padding makes the
  model read) stays <= N, so batches of short sentences are wide and batches of long ones narrow. With
  `--batch-size` as well, both bounds hold; with `auto`, an out-of-memory error halves the budget.

Batches only change which sequences are padded together: the outputs are the same up to floating-point noise (a
few units in the last place of float32, more in bfloat16), not byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlt_bench.errors import XltBenchError

AUTO_CEILING = 512  # sequences in the first pass of `--batch-size auto`


@dataclass
class BatchSizing:
    """The bounds on one pass (`rows` sequences, `max_tokens` padded tokens; None: unbounded) and what passes ran."""

    rows: int | None = 32
    max_tokens: int | None = None
    auto: bool = False  # halve on out-of-memory errors instead of failing
    out_of_memory: list[list[int]] = field(default_factory=list)  # [rows, length] of each pass that did not fit
    largest: int = 0  # most sequences one pass held
    sequences: int = 0  # sequences run (a sequence re-run after a back-off counts once)
    tokens: int = 0  # their lengths in tokens, padding excluded

    def __post_init__(self) -> None:
        if self.rows is None and self.max_tokens is None:
            raise ValueError("a batch needs a row count or a token budget")
        for name in ("rows", "max_tokens"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1")

    @classmethod
    def from_options(cls, batch_size: int | str | None, max_tokens: int | None) -> BatchSizing:
        """What `--batch-size` (a count, "auto", or None: only the budget bounds) and `--max-tokens` ask for."""
        if batch_size == "auto":
            return cls(rows=AUTO_CEILING, max_tokens=max_tokens, auto=True)
        return cls(rows=batch_size if isinstance(batch_size, int) else None, max_tokens=max_tokens)

    def fresh(self) -> BatchSizing:
        """The same bounds (as far as back-offs brought them) with an empty record: the sizing of the next unit."""
        return BatchSizing(rows=self.rows, max_tokens=self.max_tokens, auto=self.auto)

    def _budget(self, length: int) -> int | None:
        """How many sequences of `length` tokens the token budget allows (None: no budget); at least one."""
        return None if self.max_tokens is None else max(1, self.max_tokens // max(1, length))

    def rows_for(self, length: int) -> int:
        """How many sequences of `length` tokens (the longest of the pass) one pass may take; at least one."""
        return min(bound for bound in (self.rows, self._budget(length)) if bound is not None)

    def ran(self, rows: int, tokens: int) -> None:
        """Record a pass that fitted."""
        self.largest = max(self.largest, rows)
        self.sequences += rows
        self.tokens += tokens

    def back_off(self, rows: int, length: int, description: str) -> None:
        """After a pass of `rows` x `length` tokens ran out of memory: halve the bound that held it (auto), or
        raise the one-line error that says what to do."""
        if not self.auto:
            raise XltBenchError(
                f"{description}: a batch of {rows} x {length} tokens does not fit in memory; pass a smaller "
                "--batch-size (or --max-tokens), or --batch-size auto"
            )
        if rows == 1:
            raise XltBenchError(
                f"{description}: one sequence of {length} tokens does not fit in memory even alone (--batch-size auto "
                "backed off to 1); use a device with more memory, a lower --dtype, or shorter inputs (max_length)"
            )
        self.out_of_memory.append([rows, length])
        budget = self._budget(length)
        if budget is not None and (self.rows is None or budget < self.rows):
            self.max_tokens = rows * length // 2  # the budget held the pass: halve it
        else:
            self.rows = rows // 2

    @property
    def dynamic(self) -> bool:
        """Whether passes are sized as they run (auto, a token budget) rather than by a fixed count."""
        return self.auto or self.max_tokens is not None

    def batch_size(self) -> int | None:
        """The batch size a result records: the fixed count asked for, else the most sequences one pass held (None
        when nothing ran, e.g. embeddings read from the cache)."""
        return (self.largest or None) if self.dynamic else self.rows

    def record(self) -> dict[str, Any]:
        """What a result's `details` say about its batches."""
        asked = {"batch_size": "auto" if self.auto else self.rows, "max_tokens": self.max_tokens}
        return {**asked, "out_of_memory": self.out_of_memory, "sequences": self.sequences, "tokens": self.tokens}
