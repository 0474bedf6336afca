"""What the three embedding runners (bitext retrieval, bitext mining, ranking) share: sentence embeddings straight
from an encoder (no task head; a head, if there is one, is dropped), from one layer, pooled, searched with faiss.

Inference parameters they all read: `pooling` ("mean" or "cls", required), `layer` (an index into the hidden
states or "auto", below), `index` (the faiss index: "flat" is exact; "ivf", "hnsw"), and the
prompt encoders such as e5 were trained with, as MTEB passes it: `query_prefix` (put before every query; bitext:
before the sentences of both sides, which play both roles; ranking also reads `passage_prefix` for its
candidates). Each is recorded with the results.

`layer: "auto"` follows `procedure` (`xlt_bench.procedures`): under `xtreme` the layer XTREME's 2020
`run_retrieval.py` read, which a task declares as `xtreme_layer`: per model type (`"*"` for any other) the script's
(`--num_layers`, `--specific_layer`), the layer being counted within the last `num_layers` hidden states (BUCC: (12, 7)
for every model, as `run_bucc2018.sh` never passes `--num_layers`: mBERT reads hidden_states[8], XLM-R large [20];
Tatoeba: XLM-R (24, 13), i.e. [14] of 24). A model too shallow for the script's slice (the script fails there), or a
task without `xtreme_layer`, reads round(7/12 × layers) (Phang et al.'s layer 14 of 24, scaled). Under `hf` it is the
last layer. A checkpoint that declares how it embeds sentences (sentence-transformers' `modules.json`,
`xlt_bench.sentence_encoders`) gets its last layer, its pooling and its prompts whatever the procedure, unless they
are given on the command line (`checkpoint_inference`).

`xlt_bench.embeddings` and `xlt_bench.retrieval` (numpy, faiss) are imported where they are used: registering tasks
checks their runner's parameters, and that must not make `list` or `--help` slower.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from xlt_bench.procedures import DEFAULT_PROCEDURE, procedure_of, procedure_problems
from xlt_bench.runners.base import Job, Runner

POOLINGS = ("mean", "cls")
INDEXES = ("flat", "ivf", "hnsw")


class EmbeddingRunner(Runner):
    """Base of the runners that compare sentence embeddings; subclasses say which lengths they read."""

    role = "encoder"
    inference_optional: ClassVar[tuple[str, ...]] = ("layer", "index", "query_prefix", "procedure", "xtreme_layer")
    inference_defaults: ClassVar[Mapping[str, Any]] = {"procedure": DEFAULT_PROCEDURE}

    def checkpoint_inference(self, path: str, revision: str | None = None) -> dict[str, Any]:
        """What a sentence encoder's own declaration sets: its last layer, pooling and prompts (and, recorded, the
        declared modules that are not run)."""
        from xlt_bench.sentence_encoders import declared_encoding

        declared = declared_encoding(path, revision)
        if declared is None:
            return {}
        found: dict[str, Any] = {"layer": -1, "pooling": declared.pooling, "query_prefix": declared.query_prefix}
        if "passage_prefix" in self.reads():
            found["passage_prefix"] = declared.passage_prefix
        if declared.not_applied:
            found["modules_not_applied"] = list(declared.not_applied)
        return found

    def inference_problems(self, inference: Mapping[str, Any]) -> list[str]:
        found = super().inference_problems(inference) + procedure_problems(inference)
        for name, allowed in (("pooling", POOLINGS), ("index", INDEXES)):
            if name in inference and inference[name] not in allowed:
                found.append(f"{name} {inference[name]!r}; expected one of {', '.join(allowed)}")
        layer = inference.get("layer", "auto")
        if layer != "auto" and (isinstance(layer, bool) or not isinstance(layer, int)):
            found.append(f"layer {layer!r}; expected a layer index (e.g. 8, -1) or 'auto'")
        rule = inference.get("xtreme_layer", {"*": (12, 7)})
        if not (
            isinstance(rule, Mapping)
            and "*" in rule
            and all(
                isinstance(v, (list, tuple)) and len(v) == 2 and all(type(n) is int for n in v) for v in rule.values()
            )
        ):
            found.append(f"xtreme_layer {rule!r}; expected {{model type or '*': (num_layers, specific_layer)}}")
        for name in ("query_prefix", "passage_prefix"):
            if name in self.reads() and not isinstance(inference.get(name, ""), str):
                found.append(f"{name} {inference[name]!r}; expected text")
        return found

    def embedder(self, job: Job, max_length: int, prefix: str = "") -> Any:
        """`embed(texts, description)`: embeddings of `texts` (with `prefix` put before each) from the job's
        model, cached on disk; records the layer, pooling and index in `job.details`."""
        from xlt_bench.embeddings import encode, resolve_layer, xtreme_layer

        inference, config = job.inference, job.loaded.model.config
        requested = inference.get("layer", "auto")
        if requested == "auto" and procedure_of(inference) == "hf":
            requested = -1
        elif requested == "auto" and "xtreme_layer" in inference:
            requested = xtreme_layer(inference["xtreme_layer"], config.model_type, config.num_hidden_layers)
        layer = resolve_layer(requested, config.num_hidden_layers)
        job.details.update(layer=layer, pooling=inference["pooling"], index=self.index(job))
        if "modules_not_applied" in inference:
            job.details["modules_not_applied"] = inference["modules_not_applied"]

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
