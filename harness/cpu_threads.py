"""How many threads torch computes with on the CPU, and how they wait.

torch's default is the machine's core count whatever share of it this process may use, and its OpenMP threads
spin while they wait for work. On a machine shared with other CPU-bound work a spinning thread takes the core its
partner needs: measured on 2 loaded cores, a demo training step took 3.3 s with 2 spinning threads, 0.8 s with 2
sleeping ones and 0.9 s with one thread (`benchmarks/demo_time.py`). `torch_threads` sets an explicit count, by
default the CPUs this process may run on, and lets waiting threads sleep.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one, else every CPU)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return os.cpu_count() or 1


@contextmanager
def torch_threads(threads: int | None = None) -> Iterator[int]:
    """torch's intra-op thread count set to `threads` (default `available_cpus()`) for the block, then restored;
    yields the count in use.

    Waiting threads sleep (`OMP_WAIT_POLICY=PASSIVE` unless the environment sets it): OpenMP reads it once, when
    torch is first imported, so this only takes effect where that import happens here.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    count = available_cpus() if threads is None else threads
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield count
    finally:
        torch.set_num_threads(previous)
