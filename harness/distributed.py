"""Data-parallel `eval` over torch.distributed: one evaluation spread over the processes `torchrun` (or `accelerate
launch`, Slurm through either) starts, with results identical to one process.

The launcher's environment says who is who: `WORLD_SIZE` processes, this one `RANK` (its GPU: `LOCAL_RANK`),
meeting at `MASTER_ADDR:MASTER_PORT`. `process_group` joins them for the evaluation: NCCL when the device is CUDA,
gloo on CPU. Without those variables (a plain `xlt-bench eval`) every helper here is a no-op for one process.

What is split: each model pass (`batching.batched_outputs`) forms exactly the batches one process would, deals
them to the ranks balanced by padded tokens (`deal`), and gathers the outputs back in batch order (`gathered`), so
everything after the pass is the single-process code on the same numbers. Batches, not whole (task, language)
units, are dealt: every unit then finishes as fast as the ranks allow and the outputs never depend on the number
of processes; a unit with fewer batches than ranks leaves some ranks idle, which only costs time on tiny units.

Rank 0 (`is_writer`) is the only process that touches the run folder (lock, reconciliation, fragments,
results.json), the embedding cache and the hash memo, prints progress and results, and runs the faiss searches
(`from_writer` hands its answer to the others). A collective that waits longer than `TIMEOUT_VARIABLE` seconds
(default 1800), or whose peer died, ends this rank with one `XltBenchError` line naming the rank instead of a hang;
`torchrun` then stops the remaining ranks and names the one that failed first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from xlt_bench.errors import XltBenchError, first_line

TIMEOUT_VARIABLE = "XLT_BENCH_COLLECTIVE_TIMEOUT"
DEFAULT_TIMEOUT_S = 1800
T = TypeVar("T")


def _variable(name: str, default: int) -> int:
    text = os.environ.get(name, "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise XltBenchError(f"environment variable {name}={text!r}: expected an integer") from None


def world_size() -> int:
    """How many processes share the evaluation (`WORLD_SIZE`, 1 without a launcher)."""
    return max(1, _variable("WORLD_SIZE", 1))


def rank() -> int:
    """This process's rank (`RANK`, 0 without a launcher)."""
    return _variable("RANK", 0) if world_size() > 1 else 0


def is_writer() -> bool:
    """Whether this process writes the run folder and prints: rank 0."""
    return rank() == 0


def local_device(device: str) -> str:
    """The device of this rank: plain "cuda" becomes `cuda:LOCAL_RANK` under a launcher (one GPU per process)."""
    if world_size() > 1 and device == "cuda":
        return f"cuda:{_variable('LOCAL_RANK', 0)}"
    return device


def _active() -> bool:
    import torch.distributed as dist

    return world_size() > 1 and dist.is_available() and dist.is_initialized()


def _join(device: str) -> None:
    """Initialise the default process group from the launcher's variables: NCCL for CUDA devices, else gloo."""
    import torch
    import torch.distributed as dist

    if missing := [name for name in ("RANK", "MASTER_ADDR", "MASTER_PORT") if not os.environ.get(name)]:
        raise XltBenchError(
            f"WORLD_SIZE is {world_size()} but {' and '.join(missing)} unset; start data-parallel runs with torchrun "
            "or accelerate launch"
        )
    backend = "nccl" if device.startswith("cuda") else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(device)  # object collectives on NCCL go through the current device
    timeout = timedelta(seconds=_variable(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT_S))
    try:
        dist.init_process_group(backend, timeout=timeout)
    except (RuntimeError, ValueError) as error:
        raise XltBenchError(f"cannot join the other {world_size() - 1} processes: {first_line(error)}") from error


@contextmanager
def process_group(device: str) -> Iterator[None]:
    """Join the launcher's other processes for the block (nothing to do for one process); an `XltBenchError`
    raised in the block names this rank."""
    if world_size() == 1:
        yield
        return
    import torch.distributed as dist

    try:
        _join(device)
        try:
            yield
        finally:
            dist.destroy_process_group()
    except XltBenchError as error:
        raise XltBenchError(f"rank {rank()}: {error}") from error


def _collective(operation: Callable[[], T]) -> T:
    """A collective call whose failure (a dead peer, the timeout) is one line, not a hang or a traceback."""
    try:
        return operation()
    except RuntimeError as error:  # torch.distributed.DistBackendError and gloo's connection errors
        raise XltBenchError(
            f"lost contact with the other ranks: one failed (its error names it) or a collective waited longer than "
            f"${TIMEOUT_VARIABLE} seconds ({first_line(error)[:160]})"
        ) from error


def deal(costs: Sequence[int], ranks: int) -> list[list[int]]:
    """The positions of the batches each rank computes, balanced by cost (padded tokens): costliest first, each to
    the least loaded rank (the lowest on a tie); each share in batch order. Deterministic: every rank deals alike."""
    loads, shares = [0] * ranks, [[] for _ in range(ranks)]
    for position in sorted(range(len(costs)), key=lambda p: (-costs[p], p)):
        least = min(range(ranks), key=lambda r: (loads[r], r))
        shares[least].append(position)
        loads[least] += costs[position]
    return [sorted(share) for share in shares]


def my_batches(batches: Sequence[Sequence[int]], lengths: Sequence[int]) -> list[int]:
    """The positions in `batches` (lists of indices into `lengths`, in tokens) this rank computes."""
    if world_size() == 1:
        return list(range(len(batches)))
    costs = [len(batch) * max(lengths[i] for i in batch) for batch in batches]
    return deal(costs, world_size())[rank()]


def gathered(computed: dict[int, Any], count: int) -> list[Any]:
    """Every rank's outputs of the `count` batches, in batch order, on every rank; `computed` holds this rank's
    share by batch position."""
    if _active():
        import torch.distributed as dist

        shares: list[Any] = [None] * world_size()
        _collective(lambda: dist.all_gather_object(shares, computed))
        computed = {position: output for share in shares for position, output in share.items()}
    return [computed[position] for position in range(count)]


def everyone(holds: bool) -> bool:
    """Whether `holds` is true on every rank (an embedding cache hit is used only when all ranks have it)."""
    if not _active():
        return holds
    import torch.distributed as dist

    answers: list[Any] = [None] * world_size()
    _collective(lambda: dist.all_gather_object(answers, holds))
    return all(answers)


def from_writer(compute: Callable[[], T]) -> T:
    """`compute()` run on rank 0 only, its result handed to every rank (a faiss search, the run folder's plan)."""
    if not _active():
        return compute()
    import torch.distributed as dist

    box = [compute() if is_writer() else None]
    _collective(lambda: dist.broadcast_object_list(box, src=0))
    return box[0]
