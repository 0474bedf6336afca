"""Model adapters: how a checkpoint of one model family is recognised and loaded for what a runner needs.

A runner asks for a *role* ("sequence-classification", "token-classification", "question-answering",
"multiple-choice", "encoder", "seq2seq"); every registered adapter of that role is asked, in order, whether it
`fits` the checkpoint's `config.json` (nothing is loaded to find out), and the first that does loads it. Plugin
adapters are asked before the built-in ones, so a plugin can serve a model family the built-ins do not (an mT5
encoder for retrieval, a fairseq or ONNX export) or override how one is loaded, without touching any runner.

The built-ins (registered below through `xlt_register_model_adapters`, like any plugin's) load Hugging Face
transformers checkpoints with the `Auto*` class of the role, recognised by their `architectures` suffix, after
`check_checkpoint_files` found a local folder complete and safe to load.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from xlt_bench.checkpoint_checks import check_checkpoint_files, check_loading_info
from xlt_bench.errors import XltBenchError, first_line
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
    keeps the saved dtype). A `load` whose signature accepts a `trust_remote_code` keyword (or `**kwargs`) also
    gets the user's `--trust-remote-code` (False by default) and must pass it on to every `from_pretrained`, so
    that a checkpoint's own code never runs and transformers never asks on stdin; other loaders are called as
    before; one that accepts a `revision` keyword (or `**kwargs`) gets the user's `--revision` for a Hub id, and
    must pass it on likewise (without one, `--revision` is refused). `check(folder, trust_remote_code)`, when
    given, looks at a local checkpoint folder's files while `eval` plans, before anything is loaded, and raises
    `XltBenchError` naming what is missing or unsafe (the built-ins use `check_checkpoint_files`). `accepts` says
    in words what fits, for the message shown when nothing does.
    """

    name: str
    role: str
    fits: Callable[[Any], bool]
    load: Callable[..., LoadedModel]
    accepts: str
    description: str = ""
    check: Callable[[str, bool], None] | None = None

    def problems(self) -> list[str]:
        found = []
        if not _NAME.match(self.name or ""):
            found.append(f"name {self.name!r} must be lower-case letters, digits, '.', '_' or '-'")
        if self.role not in ROLES:
            found.append(f"role {self.role!r} is not one of {', '.join(ROLES)}")
        if not callable(self.fits) or not callable(self.load):
            found.append("fits and load must be callables")
        if self.check is not None and not callable(self.check):
            found.append("check must be a callable or None")
        return found


def architectures(config: Any) -> list[str]:
    """The config's `architectures` class names; one written as a string (not a list) is one name."""
    names = getattr(config, "architectures", None) or []
    if isinstance(names, str):
        return [names]
    return [str(name) for name in names] if isinstance(names, (list, tuple)) else []


def _has_head(suffix: str, config: Any) -> bool:
    return any(name.endswith(suffix) for name in architectures(config))


@contextmanager
def _checkpoint_errors(path: str, what: str) -> Iterator[None]:
    """transformers' and safetensors' complaints about a checkpoint's files, as one-line `XltBenchError`s."""
    from safetensors import SafetensorError

    try:
        yield
    except (pickle.UnpicklingError, OSError, ValueError, RuntimeError, SafetensorError) as error:
        causes, cause = [], error
        while cause is not None and len(causes) < 8:  # transformers 4 wraps torch's refusal in an OSError
            causes.append(cause)
            cause = cause.__cause__ or cause.__context__
        if any(isinstance(cause, pickle.UnpicklingError) for cause in causes):
            raise XltBenchError(
                f"{path}: torch refused to unpickle its {what} (they hold objects other than tensors, which could "
                "run code); convert the checkpoint to safetensors where you trust it"
            ) from None
        raise XltBenchError(f"{path}: cannot load its {what}: {first_line(error)}") from None


def _dtype_keyword(version: str) -> str:
    """`from_pretrained`'s name for the dtype: `dtype` since transformers 4.56, `torch_dtype` before (which reads
    `dtype` as an argument of the model's constructor and fails)."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return "dtype" if (major, minor) >= (4, 56) else "torch_dtype"


def load_transformers(
    auto_class: str, path: str, device: str, dtype: str, *, trust_remote_code: bool = False, revision: str | None = None
) -> LoadedModel:
    """Load with `transformers.<auto_class>` in `dtype`: "auto" keeps the dtype the weights were saved in, on every
    device (so numbers are comparable across machines), others load straight into that dtype (no float32 copy
    first). bfloat16 and float16 also run on CPU (slowly).

    `trust_remote_code` is always passed explicitly: left to transformers (None), a checkpoint with its own code
    makes it ask "[y/N]" on stdin, and a yes runs that code. A tokenizer far smaller than the model's embedding
    (the wrong or a made-up tokenizer, e.g. a Hub repo without tokenizer files) is refused, and so are weights
    that do not fit the model config.json describes (`checkpoint_checks.check_loading_info`): transformers would
    fill what they lack with random numbers and print a report, and the run would end with numbers. Its report is
    not shown: what it says is either refused in one line or expected. `revision` (`--revision`) pins the version
    of a Hub checkpoint id, for the tokenizer and the weights alike.
    """
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()
    verbosity = transformers.utils.logging.get_verbosity()
    with _checkpoint_errors(path, "tokenizer"):
        tokenizer = transformers.AutoTokenizer.from_pretrained(
            path, trust_remote_code=trust_remote_code, revision=revision
        )
    transformers.utils.logging.set_verbosity_error()
    try:
        with _checkpoint_errors(path, f"weights ({auto_class})"):
            model, info = getattr(transformers, auto_class).from_pretrained(
                path,
                trust_remote_code=trust_remote_code,
                revision=revision,
                output_loading_info=True,
                ignore_mismatched_sizes=True,
                **{_dtype_keyword(transformers.__version__): dtype if dtype == "auto" else getattr(torch, dtype)},
            )
    finally:
        transformers.utils.logging.set_verbosity(verbosity)
    check_loading_info(path, model, info, encoder=auto_class == "AutoModel")
    vocab_size = getattr(model.config, "vocab_size", None)
    if isinstance(vocab_size, int) and len(tokenizer) < vocab_size / 2:
        raise XltBenchError(
            f"{path}: its tokenizer has {len(tokenizer)} tokens for a model embedding {vocab_size}; its tokenizer "
            "files are missing or belong to another model"
        )
    model = model.to(device).eval()
    return LoadedModel(model, tokenizer, device, str(model.dtype).replace("torch.", ""))


def _head_adapter(role: str, suffix: str, auto_class: str) -> ModelAdapter:
    return ModelAdapter(
        name=f"transformers-{role}",
        role=role,
        fits=partial(_has_head, suffix),
        load=partial(load_transformers, auto_class),
        accepts=f"a *{suffix} checkpoint",
        description=f"Hugging Face transformers *{suffix} checkpoints ({auto_class})",
        check=partial(check_checkpoint_files, auto_class=auto_class),
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
        check=partial(check_checkpoint_files, auto_class="AutoModelForSeq2SeqLM"),
    ),
    ModelAdapter(
        name="transformers-encoder",
        role="encoder",
        fits=lambda config: not getattr(config, "is_encoder_decoder", False),
        load=partial(load_transformers, "AutoModel"),
        accepts="any encoder-only transformers checkpoint (a task head, if present, is dropped)",
        description="Hugging Face transformers encoders (AutoModel); hidden states for sentence embeddings",
        check=partial(check_checkpoint_files, auto_class="AutoModel"),
    ),
)


@hookimpl
def xlt_register_model_adapters(register: Callable[[ModelAdapter], None]) -> None:
    for adapter in BUILTIN_ADAPTERS:
        register(adapter)
