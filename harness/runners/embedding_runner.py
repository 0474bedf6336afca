"""What the three embedding runners (bitext retrieval, bitext mining, ranking) share: sentence embeddings straight
from an encoder (no task head; a head, if there is one, is dropped), from one layer, pooled, searched with faiss.

Inference parameters they all read: `pooling` ("mean" or "cls", required), `layer` (an index into the hidden
states or "auto", the task's choice by default), `index` (the faiss index: "flat" is exact; "ivf", "hnsw"), and the
prompt encoders such as e5 were trained with, as MTEB passes it: `query_prefix` (put before every query; bitext:
before the sentences of both sides, which play both roles; ranking also reads `passage_prefix` for its
candidates). Each is recorded with the results.

`xlt_bench.embeddings` and `xlt_bench.retrieval` (numpy, faiss) are imported where they are used: registering tasks
checks their runner's parameters, and that must not make `list` or `--help` slower.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from xlt_bench.runners.base import Job, Runner

POOLINGS = ("mean", "cls")
INDEXES = ("flat", "ivf", "hnsw")


class EmbeddingRunner(Runner):
    """Base of the runners that compare sentence embeddings; subclasses say which lengths they read."""

    role = "encoder"
    inference_optional: ClassVar[tuple[str, ...]] = ("layer", "index", "query_prefix")

    def inference_problems(self, inference: Mapping[str, Any]) -> list[str]:
        found = []
        for name, allowed in (("pooling", POOLINGS), ("index", INDEXES)):
            if name in inference and inference[name] not in allowed:
                found.append(f"{name} {inference[name]!r}; expected one of {', '.join(allowed)}")
        layer = inference.get("layer", "auto")
        if layer != "auto" and (isinstance(layer, bool) or not isinstance(layer, int)):
            found.append(f"layer {layer!r}; expected a layer index (e.g. 8, -1) or 'auto'")
        for name in ("query_prefix", "passage_prefix"):
            if name in self.reads() and not isinstance(inference.get(name, ""), str):
                found.append(f"{name} {inference[name]!r}; expected text")
        return found

    def embedder(self, job: Job, max_length: int, prefix: str = "") -> Any:
        """`embed(texts, description)`: embeddings of `texts` (with `prefix` put before each) from the job's
        model, cached on disk; records the layer, pooling and index in `job.details`."""
        from xlt_bench.embeddings import encode, resolve_layer

        inference = job.inference
        layer = resolve_layer(inference.get("layer", "auto"), job.loaded.model.config.num_hidden_layers)
        job.details.update(layer=layer, pooling=inference["pooling"], index=self.index(job))

        def embed(texts: list[str], description: str) -> Any:
            return encode(
                job.loaded,
                [prefix + text for text in texts],
                checkpoint=job.plan.checkpoint_hash,
                layer=layer,
                pooling=inference["pooling"],
                max_length=max_length,
                batch_size=job.batch_size,
                progress=job.progress,
                cache_dir=job.cache_dir,
                description=description,
            )

        return embed

    @staticmethod
    def index(job: Job) -> str:
        return job.inference.get("index", "flat")
