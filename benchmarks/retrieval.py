"""Speed, memory and recall of the faiss searches behind BUCC and Tatoeba: exact (flat) vs IVF vs HNSW.

Synthetic L2-normalised embeddings where every query has a noisy copy in the corpus (as translations do), searched
with `xlt_bench.retrieval.knn` (k = 4, as BUCC's margin scoring) in chunks. Prints wall time, peak resident memory
growth, recall@1 against the exact search, and the size an n x m similarity matrix would have needed.
Usage: `python benchmarks/retrieval.py [n] [dim]` (default 50000 x 50000, dim 256; BUCC de-en is ~400k x 400k).
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np

from xlt_bench.retrieval import knn, normalize


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    dim = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    rng = np.random.default_rng(0)
    corpus = normalize(rng.normal(size=(n, dim)).astype(np.float32))
    # noise of norm ~1: a query's cosine to its own translation is ~0.7, to unrelated rows ~0
    noise = rng.normal(scale=1 / np.sqrt(dim), size=(n, dim)).astype(np.float32)
    queries = normalize(corpus[rng.permutation(n)] + noise)
    full = n * n * 4 / 2**30
    print(f"{n} queries x {n} corpus rows, dim {dim}; an n x m float32 similarity matrix would need {full:.1f} GiB")
    print(f"{'index':<6} {'seconds':>8} {'x flat':>7} {'recall@1':>9} {'peak RSS MiB':>13}")
    exact = None
    for index in ("flat", "ivf", "hnsw"):
        start = time.perf_counter()
        _, found = knn(queries, corpus, 4, index=index)
        seconds = time.perf_counter() - start
        if exact is None:
            exact, flat_seconds = found[:, 0], seconds
        recall = float(np.mean(found[:, 0] == exact))
        print(f"{index:<6} {seconds:>8.2f} {seconds / flat_seconds:>7.2f} {recall:>9.4f} {peak_mb():>13.0f}")


if __name__ == "__main__":
    main()
