"""Model adapters: how a checkpoint of one model family is recognised and loaded for what a runner needs.

A runner asks for a *role* ("sequence-classification", "token-classification", "question-answering",
"multiple-choice", "encoder", "seq2seq"); every registered adapter of that role is asked, in order, whether it
`fits` the checkpoint's `config.json` (nothing is loaded to find out), and the first that does loads it. Plugin
adapters are asked before the built-in ones, so a plugin can serve a model family the built-ins do not (an mT5
encoder for retrieval, a fairseq or ONNX export) or override how one is loaded, without touching any runner.

The built-ins (registered below through `xlt_register_model_adapters`, like any plugin's) load Hugging Face
transformers checkpoints with the `Auto*` class of the role, recognised by their `architectures` suffix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from xlt_bench.hookspecs import hookimpl

ROLES = (
    "encoder",
    "sequence-classification",
    "token-classification",
    "question-answering",
    "multiple-choice",
    "seq2seq",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass
class LoadedModel:
    """A model and tokenizer in evaluation mode on their device."""

    model: Any
    tokenizer: Any
    device: str
    dtype: str


@dataclass(frozen=True)
class ModelAdapter:
    """Recognises and loads checkpoints of one family for one runner role.

    `fits(config)` gets the checkpoint's `transformers` config (`AutoConfig.from_pretrained`) and says whether this
    adapter can load it; `load(path, device, dtype)` returns a `LoadedModel` in evaluation mode (`dtype` "auto"
    keeps the saved dtype). `accepts` says in words what fits, for the message shown when nothing does.
    """

    name: str
    role: str
    fits: Callable[[Any], bool]
    load: Callable[[str, str, str], LoadedModel]
    accepts: str
    description: str = ""

    def problems(self) -> list[str]:
        found = []
        if not _NAME.match(self.name or ""):
            found.append(f"name {self.name!r} must be lower-case letters, digits, '.', '_' or '-'")
        if self.role not in ROLES:
            found.append(f"role {self.role!r} is not one of {', '.join(ROLES)}")
        if not callable(self.fits) or not callable(self.load):
            found.append("fits and load must be callables")
        return found


def architectures(config: Any) -> list[str]:
    return list(getattr(config, "architectures", None) or [])


def _has_head(suffix: str, config: Any) -> bool:
    return any(name.endswith(suffix) for name in architectures(config))


def load_transformers(auto_class: str, path: str, device: str, dtype: str) -> LoadedModel:
    """Load with `transformers.<auto_class>`; on CPU, half precision (slow, partly unsupported) becomes float32."""
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()
    verbosity = transformers.utils.logging.get_verbosity()
    if auto_class == "AutoModel":  # an encoder for embeddings: a task head or pooler missing or unused is expected
        transformers.utils.logging.set_verbosity_error()
    try:
        model = getattr(transformers, auto_class).from_pretrained(path)
    finally:
        transformers.utils.logging.set_verbosity(verbosity)
    if dtype != "auto":
        model = model.to(getattr(torch, dtype))
    elif device == "cpu" and model.dtype in (torch.float16, torch.bfloat16):
        model = model.float()
    model = model.to(device).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    return LoadedModel(model, tokenizer, device, str(model.dtype).replace("torch.", ""))


def _head_adapter(role: str, suffix: str, auto_class: str) -> ModelAdapter:
    return ModelAdapter(
        name=f"transformers-{role}",
        role=role,
        fits=partial(_has_head, suffix),
        load=partial(load_transformers, auto_class),
        accepts=f"a *{suffix} checkpoint",
        description=f"Hugging Face transformers *{suffix} checkpoints ({auto_class})",
    )


BUILTIN_ADAPTERS = (
    _head_adapter("sequence-classification", "ForSequenceClassification", "AutoModelForSequenceClassification"),
    _head_adapter("token-classification", "ForTokenClassification", "AutoModelForTokenClassification"),
    _head_adapter("question-answering", "ForQuestionAnswering", "AutoModelForQuestionAnswering"),
    _head_adapter("multiple-choice", "ForMultipleChoice", "AutoModelForMultipleChoice"),
    ModelAdapter(
        name="transformers-seq2seq",
        role="seq2seq",
        fits=lambda config: bool(getattr(config, "is_encoder_decoder", False)),
        load=partial(load_transformers, "AutoModelForSeq2SeqLM"),
        accepts="an encoder-decoder checkpoint (config.is_encoder_decoder: mT5, mBART, ...)",
        description="Hugging Face transformers encoder-decoder checkpoints (AutoModelForSeq2SeqLM)",
    ),
    ModelAdapter(
        name="transformers-encoder",
        role="encoder",
        fits=lambda config: not getattr(config, "is_encoder_decoder", False),
        load=partial(load_transformers, "AutoModel"),
        accepts="any encoder-only transformers checkpoint (a task head, if present, is dropped)",
        description="Hugging Face transformers encoders (AutoModel); hidden states for sentence embeddings",
    ),
)


@hookimpl
def xlt_register_model_adapters(register: Callable[[ModelAdapter], None]) -> None:
    for adapter in BUILTIN_ADAPTERS:
        register(adapter)
