"""How a checkpoint folder declares that it embeds sentences, the way sentence-transformers saves a model.

A model trained for sentence embeddings (multilingual-e5, LaBSE, ...) read at a middle layer with another pooling
loses a lot (multilingual-e5-small on Tatoeba: de 92.7 at layer 7, 97.1 at its last; sw 61.8 against 81.3), so its
own declaration is the embedding runners' default: the last layer, its Pooling module's mode and its prompts.
Files read: `modules.json` (the module list), the Pooling module's `config.json`, `config_sentence_transformers.json`
(`prompts`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlt_bench.errors import XltBenchError, expect

POOLING_MODES = {"pooling_mode_cls_token": "cls", "pooling_mode_mean_tokens": "mean"}
OTHER_MODES = (
    "pooling_mode_max_tokens",
    "pooling_mode_mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens",
    "pooling_mode_lasttoken",
)


@dataclass(frozen=True)
class SentenceEncoding:
    """What a sentence encoder declares: its pooling (our names) and prompts; its layer is always the last."""

    pooling: str
    query_prefix: str = ""
    passage_prefix: str = ""


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise XltBenchError(f"{path}: not readable JSON ({error})") from None


def _pooling(path: Path) -> str:
    if not path.is_file():
        raise XltBenchError(f"{path}: missing (the Pooling module's config, declared in modules.json)")
    config = _json(path)
    expect(isinstance(config, dict), path, "(top level)", "an object of pooling_mode_* flags", config)
    if isinstance(config.get("pooling_mode"), str):  # the newer single-string form
        modes = [config["pooling_mode"]]
        names = {"cls": "cls", "mean": "mean"}
    else:
        # a flag left out takes `Pooling.__init__`'s default, which is True for mean tokens only
        defaults = {"pooling_mode_mean_tokens": True}
        modes = [key for key in (*POOLING_MODES, *OTHER_MODES) if config.get(key, defaults.get(key, False)) is True]
        names = POOLING_MODES
    if len(modes) != 1 or modes[0] not in names:
        shown = ", ".join(modes) or "none"
        raise XltBenchError(
            f"{path}: pooling mode {shown}; xlt-bench pools with mean or cls only (pass --pooling to choose one)"
        )
    return names[modes[0]]


def declared_encoding(folder: str | Path) -> SentenceEncoding | None:
    """The folder's sentence-transformers declaration, or None when it has no `modules.json`."""
    folder = Path(folder)
    modules_file = folder / "modules.json"
    if not modules_file.is_file():
        return None
    modules = _json(modules_file)
    expect(isinstance(modules, list), modules_file, "(top level)", "a list of modules", modules)
    pooling = None
    for number, module in enumerate(modules):
        expect(isinstance(module, dict), modules_file, f"[{number}]", "a module object", module)
        kind = str(module.get("type", ""))
        if kind.endswith(".Pooling"):
            pooling = _pooling(folder / str(module.get("path", "")) / "config.json")
    if pooling is None:
        raise XltBenchError(f"{modules_file}: declares no Pooling module (pass --pooling and --layer to choose)")
    prompts: dict[str, Any] = {}
    settings_file = folder / "config_sentence_transformers.json"
    if settings_file.is_file():
        settings = _json(settings_file)
        expect(isinstance(settings, dict), settings_file, "(top level)", "an object", settings)
        prompts = settings.get("prompts") or {}
        expect(isinstance(prompts, dict), settings_file, "prompts", "an object of prompt texts", prompts)
        for name, text in prompts.items():
            expect(isinstance(text, str), settings_file, f"prompts.{name}", "text", text)
    return SentenceEncoding(
        pooling=pooling,
        query_prefix=prompts.get("query", ""),
        passage_prefix=prompts.get("passage", prompts.get("document", "")),
    )
