"""How a checkpoint folder declares that it embeds sentences, the way sentence-transformers saves a model.

A model trained for sentence embeddings (multilingual-e5, LaBSE, ...) read at a middle layer with another pooling
loses a lot (multilingual-e5-small on Tatoeba: de 92.7 at layer 7, 97.1 at its last; sw 61.8 against 81.3), so its
own declaration is the embedding runners' default: the last layer, its Pooling module's mode and its prompts.
Files read: `modules.json` (the module list), the Pooling module's `config.json`, `config_sentence_transformers.json`
(`prompts`), from a checkpoint folder or, for a Hub checkpoint id, from the Hub at the commit its config was read at
(offline: from the Hub cache, where a file the Hub said it lacks is remembered as lacking; a file never asked for is
taken as absent, so a model cached by another tool reads as undeclared until one online run).

Modules after Pooling other than Normalize (LaBSE's Dense projection) are not applied: cosine retrieval then ranks
the pooled vectors themselves, and `declared_encoding` names what it left out (`SentenceEncoding.not_applied`,
recorded with the task's procedure).
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
    not_applied: tuple[str, ...] = ()  # the declared modules xlt-bench does not run (e.g. "2_Dense")


Reader = Callable[[str], "Path | None"]  # a file of the checkpoint by relative path, or None when it has none


def _json(path: Path, shown: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise XltBenchError(f"{shown}: not readable JSON ({error})") from None


def _folder_reader(folder: Path) -> Reader:
    return lambda relative: folder / relative if (folder / relative).is_file() else None


def _hub_reader(repo: str, revision: str | None) -> Reader:
    """Files of a Hub model repository, downloaded into (or, offline, read from) the Hub cache."""

    def read(relative: str) -> Path | None:
        from huggingface_hub import constants, hf_hub_download, try_to_load_from_cache
        from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError

        if constants.HF_HUB_OFFLINE:
            cached = try_to_load_from_cache(repo, relative, revision=revision)
            return Path(cached) if isinstance(cached, str) else None
        try:
            return Path(hf_hub_download(repo, relative, revision=revision))
        except EntryNotFoundError:
            return None
        except (OSError, HfHubHTTPError) as error:
            raise XltBenchError(f"hub:{repo}/{relative}: not readable from the Hub ({error})") from None

    return read


def _pooling(path: Path | None, shown: str) -> str:
    if path is None:
        raise XltBenchError(f"{shown}: missing (the Pooling module's config, declared in modules.json)")
    config = _json(path, shown)
    expect(isinstance(config, dict), shown, "(top level)", "an object of pooling_mode_* flags", config)
    if isinstance(config.get("pooling_mode"), str):  # the newer single-string form
        modes = [config["pooling_mode"]]
        names = {"cls": "cls", "mean": "mean"}
    else:
        # a flag left out takes `Pooling.__init__`'s default, which is True for mean tokens only
        defaults = {"pooling_mode_mean_tokens": True}
        modes = [key for key in (*POOLING_MODES, *OTHER_MODES) if config.get(key, defaults.get(key, False)) is True]
        names = POOLING_MODES
    if len(modes) != 1 or modes[0] not in names:
        listed = ", ".join(modes) or "none"
        raise XltBenchError(
            f"{shown}: pooling mode {listed}; xlt-bench pools with mean or cls only (pass --pooling to choose one)"
        )
    return names[modes[0]]


def declared_encoding(checkpoint: str | Path, revision: str | None = None) -> SentenceEncoding | None:
    """The sentence-transformers declaration of a checkpoint folder, or of a Hub checkpoint id at `revision` (the
    commit its config was read at); None when it has no `modules.json`."""
    folder = Path(checkpoint)
    if folder.is_dir():
        read, root = _folder_reader(folder), str(folder)
    else:
        read, root = _hub_reader(str(checkpoint), revision), f"hub:{checkpoint}"
    modules_file = read("modules.json")
    if modules_file is None:
        return None
    shown = f"{root}/modules.json"
    modules = _json(modules_file, shown)
    expect(isinstance(modules, list), shown, "(top level)", "a list of modules", modules)
    pooling, not_applied = None, []
    for number, module in enumerate(modules):
        expect(isinstance(module, dict), shown, f"[{number}]", "a module object", module)
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        relative = str(module.get("path", ""))
        if kind == "Pooling":
            config = f"{relative}/config.json".lstrip("/")
            pooling = _pooling(read(config), f"{root}/{config}")
        elif pooling is not None and kind != "Normalize":
            not_applied.append(relative or kind)
    if pooling is None:
        raise XltBenchError(f"{shown}: declares no Pooling module (pass --pooling and --layer to choose)")
    prompts: dict[str, Any] = {}
    settings_file = read("config_sentence_transformers.json")
    if settings_file is not None:
        shown = f"{root}/config_sentence_transformers.json"
        settings = _json(settings_file, shown)
        expect(isinstance(settings, dict), shown, "(top level)", "an object", settings)
        prompts = settings.get("prompts") or {}
        expect(isinstance(prompts, dict), shown, "prompts", "an object of prompt texts", prompts)
        for name, text in prompts.items():
            expect(isinstance(text, str), shown, f"prompts.{name}", "text", text)
    return SentenceEncoding(
        pooling=pooling,
        query_prefix=prompts.get("query", ""),
        passage_prefix=prompts.get("passage", prompts.get("document", "")),
        not_applied=tuple(not_applied),
    )
