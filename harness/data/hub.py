"""Examples from a Hugging Face Hub dataset split (`datasets.load_dataset`), for tasks whose Hub copy is faithful.

`fields` maps example keys to dataset columns (ClassLabel ids become label names); `filters` keeps rows whose
column equals the value (e.g. XNLI's single config holds all languages). Network or cache failures become a
one-line `DataUnavailable` that says how to run offline.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlt_bench.data.formats import DataUnavailable


def _label_names(feature: Any) -> list[str] | None:
    names = getattr(feature, "names", None)
    if names is None and hasattr(feature, "feature"):  # Sequence(ClassLabel) / List(ClassLabel)
        names = getattr(feature.feature, "names", None)
    return names


def read_hub(
    source, language: str, split: str, fields: Mapping[str, str], filters: Mapping[str, str] | None = None, **_: object
) -> Iterator[dict]:
    import datasets

    path, config, hub_split = source.hub
    try:
        dataset = datasets.load_dataset(path, config, split=hub_split)
    except Exception as error:  # network, auth, missing config: all mean "not available here"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataUnavailable(
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
                value = [labels[v] for v in value] if isinstance(value, list) else labels[value]
            example[key] = value
        yield example
