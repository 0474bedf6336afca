"""What a local transformers checkpoint must be before and after it is loaded: complete, safe to read, and the model
its config.json describes.

transformers loads surprisingly much without complaint: with no tokenizer files it builds a 5-token tokenizer, with
weights of another model it fills the missing parameters with random numbers and prints a report, and a pickle
`.bin` is a program. A run that loads such a checkpoint ends with numbers, so the built-in model adapters refuse it
in one line: `check_checkpoint_files` while `eval` plans (before any unit runs, from the files and the safetensors
headers alone), `check_loading_info` after loading (what only transformers' loading can tell).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError
from xlt_bench.files import read_json

WEIGHT_FILES = (  # in the order transformers looks for them
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "prophetnet.tokenizer")
TOKENIZER_SUFFIXES = (".model", ".spm", ".tiktoken")  # sentencepiece.bpe.model, spiece.model, source.spm, ...
BYTE_TOKENIZERS = ("ByT5Tokenizer", "CanineTokenizer", "PerceiverTokenizer")  # bytes or characters: no vocabulary


def _json_object(file: Path) -> dict[str, Any]:
    document = read_json(file)
    if not isinstance(document, dict):
        raise XltBenchError(f"{file}: expected a JSON object")
    return document


def _check_safetensors(file: Path) -> dict[str, tuple[int, ...]]:
    """A safetensors file is an 8-byte little-endian header length, that JSON header, then the tensors' bytes at
    the header's `data_offsets` (counted from the header's end): a truncated or corrupt file shows in the header.

    Returns the tensors' names and shapes, as the header gives them."""
    size = file.stat().st_size
    with open(file, "rb") as handle:
        length = int.from_bytes(handle.read(8), "little")
        if size < 8 or length > min(size - 8, 100_000_000):  # safetensors' own limit on the header
            raise XltBenchError(
                f"{file}: not a safetensors file or truncated (header length {length if size >= 8 else '?'}, "
                f"file size {size} bytes)"
            )
        try:
            header = json.loads(handle.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError):
            header = None
    if not isinstance(header, dict):
        raise XltBenchError(f"{file}: corrupt safetensors file (its header is not a JSON object)")
    for name, tensor in header.items():
        if name == "__metadata__":
            continue
        offsets = tensor.get("data_offsets") if isinstance(tensor, dict) else None
        valid = isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(at, int) for at in offsets)
        if not (valid and 0 <= offsets[0] <= offsets[1]):
            raise XltBenchError(f"{file}: corrupt safetensors file (tensor {name!r} has no valid data_offsets)")
        if 8 + length + offsets[1] > size:
            raise XltBenchError(
                f"{file}: truncated safetensors file (tensor {name!r} ends at byte {8 + length + offsets[1]}, "
                f"the file has {size})"
            )
    return {
        name: tuple(tensor["shape"])
        for name, tensor in header.items()
        if name != "__metadata__" and isinstance(tensor.get("shape"), list)
    }


def check_checkpoint_files(path: str, trust_remote_code: bool, auto_class: str | None = None) -> None:
    """Refuse a local checkpoint folder that transformers would load wrongly, unsafely or only halfway, while
    `eval` plans (before any task ran), each with a one-line `XltBenchError` naming the file:

    - no tokenizer files: transformers 5 then silently builds a tokenizer of the 5 special tokens out of
      `tokenizer_config.json` (or nothing), every word becomes `<unk>`, and the run ends with numbers;
    - no weights, a missing shard, or a truncated or corrupt safetensors file, which transformers reports only
      while loading;
    - only pickle weights (`pytorch_model.bin`): transformers 5 reads them with `torch.load(weights_only=True)`,
      whose restricted unpickler refuses objects other than tensors, but a pickle is a program, that unpickler
      has been bypassed before (CVE-2025-32434), and safetensors need no unpickler at all: they load only with
      `--trust-remote-code`.

    Weights are looked for in the order transformers looks for them (`WEIGHT_FILES`), so a `.bin` beside
    `model.safetensors` is never read and not refused.

    With `auto_class` (the built-in adapters pass theirs), safetensors weights are also compared with the model
    config.json describes, from the headers' tensor names and shapes (`_check_weights_fit`): weights of another
    architecture, a bare encoder's weights under a config with a task head, or tensors of other shapes than the
    config gives are refused here; `load_transformers` checks what loading reports, exactly, again.
    """
    folder = Path(path)
    names = {file.name for file in folder.iterdir() if file.is_file()}
    tokenizer_config = _json_object(folder / "tokenizer_config.json") if "tokenizer_config.json" in names else {}
    if not (
        names.intersection(TOKENIZER_FILES)
        or any(name.endswith(TOKENIZER_SUFFIXES) for name in names)
        or tokenizer_config.get("tokenizer_class") in BYTE_TOKENIZERS
        or (trust_remote_code and "auto_map" in tokenizer_config)  # its own tokenizer code reads its own files
    ):
        raise XltBenchError(
            f"{folder}: no tokenizer files (looked for {', '.join(TOKENIZER_FILES)}, "
            f"*{', *'.join(TOKENIZER_SUFFIXES)}, or a tokenizer_config.json naming {' or '.join(BYTE_TOKENIZERS)})"
        )
    weights = next((folder / name for name in WEIGHT_FILES if name in names), None)
    if weights is None:
        raise XltBenchError(f"{folder}: no model weights (looked for {', '.join(WEIGHT_FILES)})")
    if weights.name.startswith("pytorch_model") and not trust_remote_code:
        raise XltBenchError(
            f"{weights}: pickle weights can run code when loaded and there is no model.safetensors; convert the "
            "checkpoint to safetensors (save_pretrained it once where you trust it) or pass --trust-remote-code"
        )
    shards = [weights]
    if weights.name.endswith(".index.json"):
        weight_map = _json_object(weights).get("weight_map")
        if not isinstance(weight_map, dict):
            raise XltBenchError(f"{weights}: expected a 'weight_map' of tensor name to shard file")
        shards = [folder / name for name in dict.fromkeys(weight_map.values())]
        if missing := [shard.name for shard in shards if not shard.is_file()]:
            raise XltBenchError(f"{weights}: lists shards that are not in the folder: {', '.join(missing)}")
    tensors: dict[str, tuple[int, ...]] = {}
    for shard in shards:
        if shard.suffix == ".safetensors":
            tensors.update(_check_safetensors(shard))
    if auto_class is not None and tensors and all(shard.suffix == ".safetensors" for shard in shards):
        _check_weights_fit(folder, auto_class, tensors, trust_remote_code)


def _few(names: Iterable[str], shown: int = 3) -> str:
    names = list(names)
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _meta_model(folder: Path, auto_class: str, trust_remote_code: bool) -> Any | None:
    """The model `auto_class` would build from the folder's config.json, on torch's meta device (no memory, no
    weights); None where that cannot be known without the checkpoint's own code or cannot be built."""
    import torch
    import transformers

    try:
        config = transformers.AutoConfig.from_pretrained(str(folder), trust_remote_code=trust_remote_code)
    except (OSError, ValueError, TypeError, AttributeError):
        return None  # `inspect_checkpoint` read it already; a config it reads differently is not ours to judge
    if getattr(config, "auto_map", None) or getattr(config, "quantization_config", None):
        return None  # the checkpoint's own classes, or quantised tensors whose shapes differ by design
    auto = getattr(transformers, auto_class)
    if type(config) not in auto._model_mapping:
        return None
    verbosity = transformers.utils.logging.get_verbosity()
    transformers.utils.logging.set_verbosity_error()
    try:
        with torch.device("meta"):
            return auto.from_config(config)
    except Exception:  # noqa: BLE001 - a best-effort early check: the load itself reports what this cannot build
        return None
    finally:
        transformers.utils.logging.set_verbosity(verbosity)


def _check_weights_fit(folder: Path, auto_class: str, tensors: dict[str, tuple[int, ...]], trust: bool) -> None:
    """Refuse, before loading, weights that cannot be the model config.json describes, from the safetensors
    headers alone, in the cases a name-and-shape comparison decides reliably (transformers renames some legacy
    tensor names when loading, so a single absent tensor is left to `load_transformers` to find):

    - none of the base model's tensors (`roberta.*`...) is there: the weights are another architecture's
      (config.json's `model_type` changed, or the wrong weights file);
    - for a task head (not "encoder" nor "seq2seq", whose tied output layer is not saved): none of the head's
      tensors (`classifier.*`...) is there, e.g. a bare encoder's weights under a `*ForSequenceClassification`
      config, whose head transformers would fill with random numbers;
    - a tensor of the same name has another shape (`hidden_size`, the number of labels, ... edited).

    The base model's tensors may be saved with its prefix or without it, as transformers accepts both.
    """
    model = _meta_model(folder, auto_class, trust)
    if model is None:
        return
    name = type(model).__name__
    expected = {key: tuple(value.shape) for key, value in model.state_dict().items()}
    prefix = f"{model.base_model_prefix}." if model.base_model_prefix else ""
    expects_prefix = bool(prefix) and any(key.startswith(prefix) for key in expected)
    has_prefix = bool(prefix) and any(key.startswith(prefix) for key in tensors)
    found = tensors
    if expects_prefix and not has_prefix:  # a base model's weights under a model with a head
        found = {prefix + key: shape for key, shape in tensors.items()}
    elif has_prefix and not expects_prefix:  # a model with a head's weights under its base model
        found = {key.removeprefix(prefix): shape for key, shape in tensors.items() if key.startswith(prefix)}
    base = [key for key in expected if not expects_prefix or key.startswith(prefix)]
    head = [key for key in expected if expects_prefix and not key.startswith(prefix)]
    if base and not any(key in found for key in base):
        saved = _few(sorted(tensors, key=lambda key: ("embeddings" not in key, key)))
        raise XltBenchError(
            f"{folder}: its weights ({saved}) hold none of the tensors of the {name} its config.json "
            f"describes (model_type {model.config.model_type}: {_few(base)}); the weights and config.json belong "
            "to different models"
        )
    if auto_class not in ("AutoModel", "AutoModelForSeq2SeqLM") and head and not any(key in found for key in head):
        raise XltBenchError(
            f"{folder}: its weights have no {name} head ({_few(head)}), which transformers would fill with random "
            "numbers; the weights are a bare encoder's or another task's, not those of the fine-tuned model "
            "config.json describes"
        )
    mismatched = [(key, found[key], shape) for key, shape in expected.items() if key in found and found[key] != shape]
    if mismatched:
        raise XltBenchError(f"{folder}: {_shapes_differ(mismatched, name, model.config, head)}")


def _shapes_differ(mismatched: list[tuple[str, Any, Any]], name: str, config: Any, head: Iterable[str]) -> str:
    """What differs between the weights' tensors and the model config.json describes, in one line (the base
    model's tensors first; the number of labels when only the head's output layer differs)."""
    head = set(head)
    mismatched = sorted(mismatched, key=lambda item: item[0] in head)
    shown = "; ".join(
        f"{key} {list(saved)} in the weights, {list(wanted)} in {name}" for key, saved, wanted in mismatched[:2]
    )
    more = f" (and {len(mismatched) - 2} more)" if len(mismatched) > 2 else ""
    hint = ""
    if all(key in head for key, _, _ in mismatched) and getattr(config, "id2label", None):
        hint = f"; config.json's id2label has {len(config.id2label)} labels"
    return f"its weights do not fit the model its config.json describes: {shown}{more}{hint}"


_NUMBER = re.compile(r"(?<=\.)\d+(?=\.)")


def check_loading_info(path: str, model: Any, info: dict[str, Any], encoder: bool) -> None:
    """Refuse, in one line, weights that left parameters of `model` random, or that were meant for a larger model:

    - tensors of another shape than the model's (transformers was told to report them, not to raise a
      `RuntimeError` telling to pass `ignore_mismatched_sizes`);
    - parameters the weights have no values for ("missing", randomly initialised): always wrong for a model with
      a task head; for an encoder (`encoder`: hidden states for embeddings) only a missing pooler is expected;
    - unused tensors that are more of the model's own repeated blocks (`encoder.layer.3.*` for a 2-layer model):
      config.json describes a smaller model than the weights. Other unused tensors (a task head or pooler the
      model does not have, a legacy buffer) are expected and ignored.
    """
    name = type(model).__name__
    if mismatched := sorted(info.get("mismatched_keys") or (), key=lambda item: item[0]):
        prefix = f"{model.base_model_prefix}." if model.base_model_prefix else ""
        head = [key for key in model.state_dict() if prefix and not key.startswith(prefix)]
        described = [(key, tuple(saved), tuple(wanted)) for key, saved, wanted in mismatched]
        raise XltBenchError(f"{path}: {_shapes_differ(described, name, model.config, head)}")
    own, prefix = set(model.state_dict()), f"{model.base_model_prefix}." if model.base_model_prefix else ""
    # the model's own names (transformers 4 reports a base model's keys with the head checkpoint's prefix)
    missing = sorted(
        key.removeprefix(prefix) if key.removeprefix(prefix) in own else key for key in info.get("missing_keys") or ()
    )
    if encoder:
        missing = [key for key in missing if "pooler" not in key.split(".")]
    if missing:
        raise XltBenchError(
            f"{path}: its weights have no values for {len(missing)} parameters of {name} ({_few(missing)}), which "
            "transformers would fill with random numbers; the weights do not match its config.json "
            f"(model_type {getattr(model.config, 'model_type', '?')})"
        )
    blocks = {_NUMBER.sub("#", key.removeprefix(prefix)) for key in model.state_dict()}
    unused = sorted(
        key for key in info.get("unexpected_keys") or () if _NUMBER.sub("#", key.removeprefix(prefix)) in blocks
    )
    if unused:
        raise XltBenchError(
            f"{path}: its weights hold {len(unused)} tensors of blocks that the {name} its config.json describes "
            f"does not have ({_few(unused)}); config.json describes a smaller model than the weights "
            f"(num_hidden_layers {getattr(model.config, 'num_hidden_layers', '?')})"
        )
