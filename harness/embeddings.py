"""Sentence embeddings from any encoder checkpoint, cached on disk so retrieval tasks never re-encode.

- `layer` is a `hidden_states` index (0 = the embedding layer, negative counts from the top); "auto" (what the
  runner passes when neither the procedure nor the task decides) scales Phang et al.'s (jiant's) choice of layer 14
  of XLM-R large's 24 to the model's depth: round(7/12 * layers). `xtreme_layer` is XTREME's 2020 rule.
- `pooling` "mean" averages every non-padding position, special tokens included (as XTREME's 2020 code and jiant
  do); "cls" takes the first position. Inputs are truncated to `max_length` tokens (512 in both codebases).
- The cache key is (checkpoint hash, dtype it ran in, layer, pooling, max length, the sentences themselves), so
  Tatoeba, BUCC and any later retrieval task share encoder passes over identical sentences, a re-run reads the `.npy`
  back, and a bfloat16 pass never stands in for a float32 one.
- A cache file is only a shortcut: one that is unreadable (truncated, garbage, a pickled object array: never
  unpickled), not float32 or of the wrong shape (rows != sentences, width != the model's hidden size) is discarded
  with a warning and recomputed. Files are written atomically (`files.atomic_file`), so readers never see half a
  file; a cache folder that cannot be written costs a warning, not the run.
- Under torchrun every rank encodes its share of the batches and gets all the rows (`batching.batched_outputs`);
  only rank 0 writes or discards cache files, and the cache is read only when every rank finds the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import numpy as np

from xlt_bench.batch_sizing import BatchSizing
from xlt_bench.batching import batched_outputs, padded, to_device, within_reach
from xlt_bench.distributed import everyone, is_writer
from xlt_bench.errors import XltBenchError, warn
from xlt_bench.files import atomic_file, confined
from xlt_bench.layer_forward import exact, stopping_forward
from xlt_bench.runners.embedding_runner import POOLINGS


def resolve_layer(requested: int | str, num_layers: int) -> int:
    """The absolute `hidden_states` index for `requested` ("auto", an index, or a negative index from the top)."""
    if requested == "auto":
        return round(7 * num_layers / 12)
    layer = int(requested)
    absolute = layer if layer >= 0 else num_layers + 1 + layer
    if not 0 <= absolute <= num_layers:
        raise XltBenchError(f"--layer {requested}: the model has hidden states 0..{num_layers} (negative from the top)")
    return absolute


def xtreme_layer(rule: Any, model_type: str, num_layers: int) -> int | str:
    """The `hidden_states` index XTREME's `run_retrieval.py` read: `rule` maps a model type (`"*"`: any other) to
    the script's (`--num_layers`, `--specific_layer`), the layer being counted within the last `num_layers` hidden
    states. "auto" where the model is too shallow for that (the script itself fails there)."""
    window, specific = rule.get(model_type, rule["*"])
    states = num_layers + 1
    if specific >= min(window, states):
        return "auto"
    return states - min(window, states) + specific


def _pass_to(loaded: Any, layer: int, features: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """`batched_outputs`' options for a pass that computes `hidden_states[layer]`: one that stops there
    (`layer_forward`) when it is exact for this model, else the full pass with every hidden state."""
    stopping = stopping_forward(loaded.model, layer)
    if stopping is not None and exact(
        loaded.model, layer, stopping, to_device(padded(loaded.tokenizer, features[:1]), loaded.device)
    ):
        return {"forward": stopping}
    return {"output_hidden_states": True}


def _key(checkpoint: str, dtype: str, layer: int, pooling: str, max_length: int, sentences: Sequence[str]) -> str:
    digest = hashlib.sha256(json.dumps([checkpoint, dtype, layer, pooling, max_length]).encode())
    for sentence in sentences:
        digest.update(sentence.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def _cache_file(cache_dir: Path, key: str) -> Path | None:
    """Where this pass's embeddings are cached; None, with a warning, when a link or special file was planted on
    the way: the cache is neither read nor written through it (`files.confined`)."""
    path = cache_dir / "embeddings" / key[:2] / f"{key}.npy"
    try:
        return confined(cache_dir, path, "the cache")
    except XltBenchError as error:
        warn(f"{error}; encoding without the embedding cache")
        return None


def _misfit(stored: Any, rows: int, width: int | None) -> str | None:
    """Why a stored array is not the embeddings of this pass (None when it fits)."""
    if not isinstance(stored, np.ndarray):
        return "not a .npy array"
    if stored.dtype != np.float32:
        return f"dtype {stored.dtype}, expected float32"
    if stored.ndim != 2 or stored.shape[0] != rows or (width is not None and stored.shape[1] != width):
        return f"shape {stored.shape}, expected ({rows}, {width if width is not None else 'hidden size'})"
    return None


def _cached(path: Path, rows: int, width: int | None) -> np.ndarray | None:
    """The embeddings stored at `path` when they fit this pass; a file that does not is discarded with a warning."""
    try:
        stored = np.load(path, mmap_mode="r", allow_pickle=False)  # header only; rows are read once it fits
    except (FileNotFoundError, NotADirectoryError):  # not cached (yet)
        return None
    except Exception as error:  # whatever a damaged file makes numpy raise: ValueError, EOFError, SyntaxError...
        problem = f"unreadable: {type(error).__name__}: {str(error).strip()[:120]}"
    else:
        problem = _misfit(stored, rows, width)
        if problem is None:
            return np.array(stored)
        if hasattr(stored, "close"):  # an .npz archive
            stored.close()
        del stored
    warn(f"{path}: discarding a corrupt embedding cache file ({problem}); encoding again")
    if is_writer():
        with suppress(OSError):
            path.unlink()  # else replaced below, or discarded again by the next run
    return None


def _store(path: Path, embeddings: np.ndarray) -> None:
    """Write `embeddings` to `path` atomically; a cache that cannot be written is a warning (the run has them)."""
    try:
        with atomic_file(path, binary=True) as out:
            np.save(out, embeddings, allow_pickle=False)
    except OSError as error:
        warn(f"{path}: cannot write the embedding cache ({error.strerror or error}); continuing without it")


def encode(
    loaded: Any,
    sentences: Sequence[str],
    *,
    checkpoint: str,
    layer: int,
    pooling: str,
    max_length: int,
    batch_size: int | BatchSizing,
    description: str,
    progress: bool,
    cache_dir: Path | None,
) -> np.ndarray:
    """(len(sentences), hidden size) float32 embeddings, read from the cache when this exact pass was done before."""
    if pooling not in POOLINGS:
        raise XltBenchError(f"--pooling {pooling}: expected one of {', '.join(POOLINGS)}")
    path = None
    if cache_dir is not None and checkpoint:
        key = _key(checkpoint, str(loaded.dtype), layer, pooling, max_length, sentences)
        path = _cache_file(Path(cache_dir), key)
        cached = path and _cached(path, len(sentences), getattr(loaded.model.config, "hidden_size", None))
        if everyone(cached is not None):  # under torchrun, either all ranks read the cache or all encode
            return cached
    if not sentences:
        return np.zeros((0, loaded.model.config.hidden_size), dtype=np.float32)
    encoded = loaded.tokenizer(within_reach(sentences, max_length), truncation=True, max_length=max_length)
    features = [{name: encoded[name][i] for name in encoded} for i in range(len(sentences))]

    def pool(outputs: Any, batch: dict[str, Any]) -> Any:
        hidden = outputs.hidden_states[layer]
        if pooling == "cls":
            return hidden[:, 0]
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(dim=1) / mask.sum(dim=1)

    rows = batched_outputs(
        loaded, features, batch_size, description, progress, pool, **_pass_to(loaded, layer, features)
    )
    embeddings = np.stack([row.numpy() for row in rows]).astype(np.float32)
    if path is not None and is_writer():
        _store(path, embeddings)
    return embeddings
