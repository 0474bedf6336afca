"""A forward pass that stops at the hidden state it is asked for: embedding tasks read one layer
(`hidden_states[layer]`), so the layers above it, and every other layer's hidden states, are work no number needs
(42 % of the forward FLOPs of a 12-layer encoder at the default layer 7).

The pass runs the model's own `forward` and stops it, by an exception from a forward hook, right after the
transformer block whose output is `hidden_states[layer]`: the block stack is the model's `nn.ModuleList` of
`config.num_hidden_layers` blocks. Nothing is recomputed or reimplemented, so the values are those of the full pass
bit for bit — and that is checked, not assumed: the first time a (model, layer) is used, one short probe batch runs
both ways and must give identical tensors, else the full pass is used (a model whose hidden states are not its
blocks' outputs, e.g. one with a norm after the last block, or with no such block list).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

_VERIFIED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> {layer: the truncated pass is exact}


class _Reached(Exception):  # noqa: N818 (a signal, not an error)
    def __init__(self, hidden: Any) -> None:
        self.hidden = hidden


def block_stack(model: Any) -> Any | None:
    """The model's list of transformer blocks (BERT/XLM-R's `encoder.layer`, ...), or None."""
    import torch

    count = getattr(model.config, "num_hidden_layers", None)
    for _, module in model.named_modules():
        if isinstance(module, torch.nn.ModuleList) and len(module) == count:
            return module
    return None


def stopping_forward(model: Any, layer: int) -> Callable[..., Any] | None:
    """A forward for `batching.batched_outputs` whose outputs' `hidden_states[layer]` (an absolute index, 1 or more)
    is the model's, computed without the blocks above it; None when the model has no block stack (the caller runs
    the full pass). Call `exact` before relying on it."""
    stack = block_stack(model)
    if stack is None or not 1 <= layer <= len(stack):
        return None
    block = stack[layer - 1]

    def forward(**batch: Any) -> Any:
        def stop(module: Any, inputs: Any, output: Any) -> None:
            raise _Reached(output[0] if isinstance(output, tuple) else output)

        handle = block.register_forward_hook(stop)
        try:
            model(**batch)
        except _Reached as reached:
            return SimpleNamespace(hidden_states={layer: reached.hidden})
        finally:
            handle.remove()
        raise RuntimeError(f"the forward pass never reached block {layer - 1}")

    return forward


def exact(model: Any, layer: int, forward: Callable[..., Any], probe: dict[str, Any]) -> bool:
    """Whether `forward` gives the full pass's `hidden_states[layer]` bit for bit on `probe` (a batch of tensors),
    remembered per (model, layer)."""
    import torch

    known = _VERIFIED.setdefault(model, {})
    if layer not in known:
        with torch.inference_mode():
            full = model(**probe, output_hidden_states=True).hidden_states[layer]
            known[layer] = torch.equal(full, forward(**probe).hidden_states[layer])
    return known[layer]
