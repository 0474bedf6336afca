"""A model and tokenizer the caller already holds in memory (during or after training), evaluated where they are.

`xlt_bench.evaluate(model, tokenizer, ...)` and the Trainer callback hand `eval` a `HeldModel` instead of a
checkpoint path. Everything else runs as for a checkpoint folder — the same adapters decide which tasks the model
fits (from `model.config`, as from a saved `config.json`), the same label matching, signatures and run folder —
except loading: the model is used on its own device and in its own dtype, never copied, moved or reloaded.

What identifies it in unit signatures (so that a resumed run folder recognises the same weights, and a later
training step is a different checkpoint) is a sha256 over its parameters and buffers and its tokenizer's
tokenization pipeline, computed once per `HeldModel`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from xlt_bench.model_adapters import LoadedModel


@dataclass(eq=False)
class HeldModel:
    """A `PreTrainedModel` and its tokenizer, as the caller holds them."""

    model: Any
    tokenizer: Any
    _digest: str | None = field(default=None, init=False, repr=False)

    @property
    def name(self) -> str:
        """The name the model was loaded under, else its class: the run's label when none is given."""
        return str(getattr(self.model.config, "_name_or_path", "") or type(self.model).__name__).rstrip("/")

    def __str__(self) -> str:  # what results.json records as `model`
        return f"in memory: {type(self.model).__name__} ({self.name})"

    @property
    def device(self) -> str:
        parameter = next(self.model.parameters(), None)
        return str(parameter.device) if parameter is not None else "cpu"

    @property
    def digest(self) -> str:
        """sha256 over the state dict (names, dtypes, shapes, bytes) and the tokenizer's pipeline."""
        if self._digest is None:
            self._digest = "sha256:" + _weights_digest(self.model, self.tokenizer)
        return self._digest

    def loaded(self) -> LoadedModel:
        """The model in evaluation mode where it is (the caller restores training mode: `python_api.evaluate`)."""
        self.model.eval()
        return LoadedModel(self.model, self.tokenizer, self.device, str(self.model.dtype).replace("torch.", ""))


def _weights_digest(model: Any, tokenizer: Any) -> str:
    import torch

    digest = hashlib.sha256(type(model).__name__.encode())
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            digest.update(f"\0{name}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
            digest.update(tensor.detach().reshape(-1).contiguous().view(torch.uint8).cpu().numpy().tobytes())
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:  # what splits text into ids, without the truncation and padding each call sets
        pipeline = {k: v for k, v in json.loads(backend.to_str()).items() if k not in ("truncation", "padding")}
    else:
        pipeline = sorted(tokenizer.get_vocab().items())
    digest.update(f"\0{type(tokenizer).__name__}\0{json.dumps(pipeline)}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
