"""Examples from a Hugging Face Hub dataset split (`datasets.load_dataset`), for tasks whose Hub copy is faithful.

`fields` maps example keys to dataset columns (ClassLabel ids become label names, renamed by `label_values`);
`filters` keeps rows whose column equals the value (e.g. XNLI's single config holds all languages). Loading
scripts (`trust_remote_code`) run only after `check_remote_code` allowed them. Network or cache failures become a
one-line `DataUnavailable` that says how to run offline.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlt_bench.data.formats import DataUnavailable
from xlt_bench.errors import warn


class HubUnavailable(DataUnavailable):
    """A Hub dataset that could not be loaded (no network, not cached, no such config): `eval` says why once."""


def _label_names(feature: Any) -> list[str] | None:
    names = getattr(feature, "names", None)
    if names is None and hasattr(feature, "feature"):  # Sequence(ClassLabel) / List(ClassLabel)
        names = getattr(feature.feature, "names", None)
    return names


def check_remote_code(source, allowed: bool) -> None:
    """Refuse a Hub loading script unless the user allowed remote code (`--trust-remote-code`), and say so when
    one runs: its code comes from the Hub and runs with the user's rights."""
    if not (source.hub and source.params.get("trust_remote_code")):
        return
    if not allowed:
        raise DataUnavailable(
            f"{source.describe()} is a loading script that runs code from the Hub; pass --trust-remote-code to allow "
            "it, or --data-dir with the original release"
        )
    warn(f"running the Hub loading script of {source.hub[0]} (--trust-remote-code)")


def read_hub(
    source,
    language: str,
    split: str,
    fields: Mapping[str, str],
    filters: Mapping[str, str] | None = None,
    label_values: Mapping[str, str] | None = None,
    trust_remote_code: bool = False,
    **_: object,
) -> Iterator[dict]:
    import datasets

    path, config, hub_split = source.hub
    options: dict[str, Any] = {"trust_remote_code": True} if trust_remote_code else {}  # only when the user allowed it
    if source.revision:
        options["revision"] = source.revision
    try:
        dataset = datasets.load_dataset(path, config, split=hub_split, **options)
    except Exception as error:  # network, auth, missing config: all mean "not available here"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise HubUnavailable(
            f"could not load {source.describe()} from the Hugging Face Hub ({reason[:200]}); "
            "load it once while online so the datasets cache has it, or pass --data-dir with the original release"
        ) from None
    names = {column: _label_names(dataset.features[column]) for column in fields.values()}
    for index, row in enumerate(dataset):
        if filters and any(str(row[column]) != value for column, value in filters.items()):
            continue
        example: dict[str, Any] = {"id": f"{language}-{index}"}
        for key, column in fields.items():
            value, labels = row[column], names[column]
            if labels is not None:
                relabel = {**{name: name for name in labels}, **(label_values or {})}
                value = [relabel[labels[v]] for v in value] if isinstance(value, list) else relabel[labels[value]]
            example[key] = value
        yield example
