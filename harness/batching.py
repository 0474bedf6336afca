"""Length-sorted dynamic batches and the batched model pass (forward or generate) every runner shares.

Examples are sorted by token count, longest first (an out-of-memory error shows up on the first batch, not after
an hour), grouped into batches of `batch_size` sequences or of a token budget (`xlt_bench.batch_sizing`: `--batch-size
N|auto`, `--max-tokens`), padded only to the longest member, and run under `torch.inference_mode`. Outputs come back
in the original order, so the batching never changes predictions beyond floating-point noise. Runners tokenize a
whole unit before calling in: the loop only pads, copies and runs. On CUDA each batch is copied from pinned host
memory without blocking, so the copy overlaps the work still queued on the device. Under torchrun the batches
(the same ones on every process) are dealt to the processes and their outputs gathered back in order
(`distributed`), so the number of processes changes nothing at all.

A checkpoint whose absolute position embeddings are shorter than the inputs (`max_position_embeddings` smaller
than the task's `max_length`) is refused in one line before its first batch, and an error the model's own pass
raises (an index out of range, CUDA out of memory) is one line naming the task and language, not a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import IO, Any

from xlt_bench.batch_sizing import BatchSizing
from xlt_bench.distributed import gathered, my_batches
from xlt_bench.errors import XltBenchError, first_line, warn

MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")  # the tokenizer outputs an encoder pass reads
CHARACTERS_PER_TOKEN = 1000  # far beyond any sub-token: WordPiece gives up on words over 100 characters ([UNK])
# where the per-unit bars go: the stream of the run's own progress line (`run_progress`), which they nest beneath;
# None: stderr
PROGRESS_STREAM: ContextVar[IO[str] | None] = ContextVar("progress_stream", default=None)


def within_reach(texts: Sequence[str], max_length: int) -> list[str]:
    """`texts` cut to `CHARACTERS_PER_TOKEN` × `max_length` characters, for tokenising with truncation: the
    tokenizer reads a whole text before it truncates, so one 100 MB line would abort the process, and no sub-token
    of the kept `max_length` can lie past the cut, so the tokens kept are the same."""
    reach = CHARACTERS_PER_TOKEN * max_length
    if longer := sum(len(text) > reach for text in texts):
        warn(f"{longer} text(s) longer than {reach:,} characters cut there before tokenising (max_length {max_length})")
    return [text[:reach] for text in texts]


def length_sorted_batches(
    lengths: Sequence[int], batch_size: int | None, max_tokens: int | None = None
) -> list[list[int]]:
    """Indices grouped into batches of similar length, longest batch first: `batch_size` each, or as many as keep
    rows x the batch's longest length within `max_tokens` (both bounds hold when both are given). Deterministic:
    ties in length keep the original order."""
    sizing = BatchSizing(rows=batch_size, max_tokens=max_tokens)
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches, start = [], 0
    while start < len(order):
        end = start + sizing.rows_for(lengths[order[start]])
        batches.append(order[start:end])
        start = end
    return batches


def _logits(outputs: Any, batch: dict[str, Any]) -> Any:
    return outputs.logits


def padded(tokenizer: Any, features: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One tensor batch padded to its longest member; a feature may hold several sequences (multiple choice:
    a list of id lists per example), which come back as (batch, choices, length) tensors."""
    if not isinstance(features[0]["input_ids"][0], list):
        return tokenizer.pad(list(features), return_tensors="pt")
    choices = len(features[0]["input_ids"])
    flat = [{k: f[k][c] for k in f} for f in features for c in range(choices)]
    batch = tokenizer.pad(flat, return_tensors="pt")
    return {name: tensor.view(len(features), choices, -1) for name, tensor in batch.items()}


def _length(feature: dict[str, Any]) -> int:
    ids = feature["input_ids"]
    return max(len(sequence) for sequence in ids) if ids and isinstance(ids[0], list) else len(ids)


def usable_positions(model: Any) -> tuple[int, str] | None:
    """How many tokens one sequence may have for the model's absolute position embeddings, and how that follows
    from its config; None when the model has none that the harness can find (relative or rotary positions, a model
    that is not a transformers encoder).

    RoBERTa-style embeddings (XLM-R, CamemBERT, ...) number positions from `padding_idx + 1`, so they read
    `max_position_embeddings - padding_idx - 1` tokens (XLM-R: 514 - 1 - 1 = 512); BERT-style ones read
    `max_position_embeddings`."""
    config = getattr(model, "config", None)
    if getattr(config, "position_embedding_type", None) not in (None, "absolute"):
        return None
    embeddings = getattr(getattr(model, "base_model", model), "embeddings", None)
    count = getattr(getattr(embeddings, "position_embeddings", None), "num_embeddings", None)
    if not isinstance(count, int):
        return None
    padding = getattr(embeddings, "padding_idx", None)
    if isinstance(padding, int) and padding >= 0:
        return count - padding - 1, f"max_position_embeddings {count}, numbered after padding_idx {padding}"
    return count, f"max_position_embeddings {count}"


def _checkpoint(model: Any) -> str:
    return str(getattr(model, "name_or_path", "") or "the checkpoint")


def _check_positions(model: Any, longest: int, description: str) -> None:
    usable = usable_positions(model)
    if usable is not None and longest > usable[0]:
        raise XltBenchError(
            f"{description}: {_checkpoint(model)} reads at most {usable[0]} tokens a sequence ({usable[1]}), but "
            f"this task's inputs have up to {longest} tokens (its max_length is longer than the checkpoint's "
            "position embeddings)"
        )


def _forward_failed(error: BaseException, model: Any, length: int, size: int, description: str) -> XltBenchError:
    """An error of the model's own pass over a batch of `size` sequences of `length` tokens, in one line."""
    reason = f"{description}: {_checkpoint(model)} failed on a batch of {size} x {length} tokens: {first_line(error)}"
    usable = usable_positions(model)
    if usable is not None and length > usable[0]:
        reason += f" (it reads at most {usable[0]} tokens a sequence: {usable[1]})"
    return XltBenchError(reason)


def to_device(batch: dict[str, Any], device: str) -> dict[str, Any]:
    """The batch's tensors on `device`; to CUDA from pinned host memory without blocking (the copy overlaps the
    device's queued work; reading the outputs back synchronises)."""
    if not str(device).startswith("cuda"):
        return {name: tensor.to(device) for name, tensor in batch.items()}
    return {name: tensor.pin_memory().to(device, non_blocking=True) for name, tensor in batch.items()}


def _passes_that_fit(
    run: Callable[..., Any],
    loaded: Any,
    batch: list[dict[str, Any]],
    lengths: Sequence[int],
    sizing: BatchSizing,
    description: str,
    model_options: dict[str, Any],
) -> Iterator[tuple[slice, Any, dict[str, Any]]]:
    """The batch (longest first) run in passes of as many rows as `sizing` allows: (its rows, outputs, tensors) for
    each. A pass that runs out of memory is retried smaller (`BatchSizing.back_off`), from the same row."""
    import torch

    start = 0
    while start < len(batch):
        size = min(len(batch) - start, sizing.rows_for(lengths[start]))
        tensors = to_device(padded(loaded.tokenizer, batch[start : start + size]), loaded.device)
        out_of_memory = False
        try:
            outputs = run(**tensors, **model_options)
        except torch.OutOfMemoryError:
            out_of_memory = True
        except (IndexError, RuntimeError) as error:
            raise _forward_failed(error, loaded.model, lengths[start], size, description) from error
        if out_of_memory:  # handled out of the except block, so that the failed pass's memory can be freed
            del tensors
            torch.cuda.empty_cache()
            sizing.back_off(size, lengths[start], description)
            continue
        sizing.ran(size, sum(lengths[start : start + size]))
        yield slice(start, start + size), outputs, tensors
        start += size


def batched_outputs(
    loaded: Any,
    features: Sequence[dict[str, Any]],
    batch_size: int | BatchSizing,
    description: str,
    progress: bool,
    select: Callable[[Any, dict[str, Any]], Any] = _logits,
    forward: Callable[..., Any] | None = None,
    **model_options: Any,
) -> list[Any]:
    """Run the model over tokenised `features` (dicts of id lists), one CPU tensor per feature (float32 when the
    output is floating point).

    `forward` is what runs on each batch (default: the model's forward pass; `model.generate` for generation), called
    as `forward(**batch, **model_options)`; `select(outputs, batch)` picks what to keep from its outputs (default:
    `outputs.logits`). Rows are padded to the batch's longest feature, so callers use only the first
    `len(input_ids)` positions (generated ids: padded to the batch's longest output).

    `batch_size` is a count of sequences or a `BatchSizing` (`--batch-size auto`, `--max-tokens`), which also
    records what ran. Inputs longer than the model's position embeddings (`usable_positions`) are an `XltBenchError`
    before the first batch runs; an `IndexError` or `RuntimeError` of the model's pass (`forward`) is one too, naming
    `description`, the batch's shape and the error's first line; running out of memory is halved and retried
    (auto) or one line saying what to pass. Errors of `select` are not caught.
    """
    import torch
    from tqdm.auto import tqdm

    run = forward or loaded.model
    results: list[Any] = [None] * len(features)
    lengths = [_length(f) for f in features]
    if lengths:
        _check_positions(loaded.model, max(lengths), description)
    sizing = batch_size if isinstance(batch_size, BatchSizing) else BatchSizing(rows=batch_size)
    batches = length_sorted_batches(lengths, sizing.rows, sizing.max_tokens)
    mine = my_batches(batches, lengths)  # all of them, except under torchrun (`distributed` module docstring)
    computed: dict[int, list[Any]] = {}
    total = sum(len(batches[position]) for position in mine)
    bar = tqdm(total=total, desc=description, disable=not progress, leave=False, file=PROGRESS_STREAM.get())
    with torch.inference_mode(), bar:
        for position in mine:
            indices = batches[position]
            batch, batch_lengths = [features[i] for i in indices], [lengths[i] for i in indices]
            rows_of_batch: list[Any] = [None] * len(indices)
            for rows, outputs, tensors in _passes_that_fit(
                run, loaded, batch, batch_lengths, sizing, description, model_options
            ):
                kept = select(outputs, tensors).cpu()
                kept = kept.float() if kept.is_floating_point() else kept
                for row, member in enumerate(range(len(indices))[rows]):
                    rows_of_batch[member] = kept[row]
            computed[position] = rows_of_batch
            bar.update(len(indices))
    for indices, kept in zip(batches, gathered(computed, len(batches))):
        for row, index in enumerate(indices):
            results[index] = kept[row]
    return results
