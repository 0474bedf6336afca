"""The one progress line of an `eval` run, above the per-unit bars, and the summary line it ends with.

    units 2/5 |████████▍          | 1.2k/2.9k ex [00:41<00:58, 29.3 ex/s]
    udpos/de: 37%|███▋      | 74/200

The line counts units done of those this invocation runs (units kept from the folder are not counted) and
examples; its rate and remaining time are tqdm's, from examples, so a large unit weighs what it costs. A unit's
examples are known once they are loaded, just before its model pass; until then each unit not yet loaded is
assumed to hold as many as the loaded ones did on average (before the first: one unit, one example's weight). The
per-unit bars (`batching.batched_outputs`) are nested beneath it (tqdm positions), on the same stream.

The bars are drawn only on a terminal (a log file gets no carriage-return frames); the summary line is printed
either way, on stderr, unless progress is off (`--quiet`, `xlt_bench.evaluate`'s default).
"""

from __future__ import annotations

import math
import sys
import time
from typing import IO, Any


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed stream, or an object without isatty
        return False


class RunProgress:
    """Progress of the units one invocation runs; `kept` units are the folder's finished ones, never re-run."""

    def __init__(
        self, units: int, kept: int, progress: bool, stream: IO[str] | None = None, began: float | None = None
    ) -> None:
        """`progress`: the bar (on a terminal) and the summary; `stream`: where (default stderr); `began`: the
        `time.perf_counter()` the summary's elapsed time counts from (default now)."""
        from tqdm.auto import tqdm

        self.stream = stream if stream is not None else sys.stderr
        self.units, self.kept, self.summary = units, kept, progress
        self.done = self.ran = self.examples = 0
        self.sizes: list[int] = []  # example counts of the units loaded so far
        self.current: int | None = None  # examples of the unit running now, once loaded
        self.began = time.perf_counter() if began is None else began
        self.bar = tqdm(
            total=units,
            desc=self._description(),
            unit=" ex",
            smoothing=0,  # the rate of the whole run: units differ too much for a moving average
            mininterval=0,  # updated twice a unit: each update drawn
            miniters=0,  # (not tqdm's dynamic minimum, which skips a unit smaller than the largest so far)
            position=0,
            leave=False,
            file=self.stream,
            dynamic_ncols=True,
            disable=not (progress and is_terminal(self.stream)),
        )

    def _description(self) -> str:
        return f"units {self.done}/{self.units}"

    def _estimate(self) -> float:
        """Examples of the whole run as now known: done + the running unit's + an average for each one to come."""
        waiting = self.units - self.done - (self.current is not None)
        mean = sum(self.sizes) / len(self.sizes) if self.sizes else 1
        return self.examples + (self.current or 0) + waiting * mean

    def _refresh(self, advance: int = 0) -> None:
        self.bar.set_description_str(self._description(), refresh=False)
        self.bar.total = max(math.ceil(self._estimate()), self.bar.n + advance)
        if advance:
            self.bar.update(advance)  # and redraws
        else:
            self.bar.refresh()

    def loaded(self, examples: int) -> None:
        """The running unit's examples are known (loaded, before its model pass)."""
        self.current = examples
        self.sizes.append(examples)
        self._refresh()

    def finished(self, ran: bool) -> None:
        """The running unit is saved (`ran`) or was skipped."""
        examples = (self.current or 0) if ran else 0
        self.done += 1
        self.ran += ran
        self.examples += examples
        self.current = None
        self._refresh(examples)

    def close(self) -> None:
        """Remove the bar (the units are over, or the run was stopped)."""
        self.bar.close()

    def summarize(self, skipped: int) -> None:
        """The summary line of a run that scored: units run, kept, skipped; examples; elapsed."""
        from tqdm import tqdm

        if self.summary:
            elapsed = tqdm.format_interval(time.perf_counter() - self.began)
            print(
                f"xlt-bench: eval: {self.ran} units run, {self.kept} kept, {skipped} skipped; "
                f"{self.examples:,} examples in {elapsed}",
                file=self.stream,
            )
