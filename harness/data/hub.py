"""Examples from a Hugging Face Hub dataset split (`datasets.load_dataset`), for tasks whose Hub copy is faithful.

`fields` maps example keys to dataset columns (ClassLabel ids become label names, renamed by `label_values`);
`filters` keeps rows whose column equals the value (e.g. XNLI's single config holds all languages); `data_dir`
loads the files below one folder of the repository instead of a named config (the Hub's `refs/convert/parquet`
branch). The source's revision is a commit by the time it gets here (`hub_access.HubAccess.pinned`).

What the Hub serves can change shape under a pinned task: a loading script in place of data files (`datasets` >= 4
runs none), a config, split or column renamed, labels outside the names of their ClassLabel. Each is one line naming
the dataset, config, revision and column (`HubDataProblem`), checked before the first row is used: the unit is
skipped with that reason (`--strict`: an error), nothing is scored from a misread column, and no label id is read
modulo the names (a -1 would otherwise index the last name). Network and cache failures are `HubUnavailable`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlt_bench.data.formats import DataUnavailable
from xlt_bench.errors import first_line

SCRIPT_MESSAGE = "Dataset scripts are no longer supported"  # datasets >= 4, for a repository holding a loading script
# what `datasets` says when the network is the problem, not the dataset (class names across its versions)
_NETWORK_ERRORS = ("ConnectionError", "OfflineModeIsEnabled", "ConnectError", "Timeout", "ReadTimeout")


class HubUnavailable(DataUnavailable):
    """A Hub dataset that could not be reached (no network, not cached): `eval` says why once."""


class HubDataProblem(DataUnavailable):
    """A Hub dataset that was reached but is not what the task declares (script, config, split, column, labels)."""


def _label_names(feature: Any) -> list[str] | None:
    names = getattr(feature, "names", None)
    if names is None and hasattr(feature, "feature"):  # Sequence(ClassLabel) / List(ClassLabel)
        names = getattr(feature.feature, "names", None)
    return names


def _load(source, data_dir: str | None):
    """`datasets.load_dataset` for the source's coordinates, its failures sorted into reached/not reached."""
    import datasets

    path, config, split = source.hub
    where = source.describe()
    options: dict[str, Any] = {"split": split, "revision": source.revision}
    if data_dir:
        options["data_dir"] = data_dir
    try:
        return datasets.load_dataset(path, None if data_dir else config, **options)
    except Exception as error:  # whatever datasets raises; sorted by what it means for the user
        reason = first_line(error)[:240] or type(error).__name__
        if SCRIPT_MESSAGE in reason:
            raise HubDataProblem(
                f"{where} is a loading script, which datasets {datasets.__version__} cannot run (only data files "
                "load); pass --data-dir with the original release"
            ) from None
        causes = {type(error).__name__, type(error.__cause__).__name__, type(error.__context__).__name__}
        if causes & set(_NETWORK_ERRORS) or "Couldn't reach" in reason:
            raise HubUnavailable(f"could not load {where} from the Hugging Face Hub ({reason})") from None
        raise HubDataProblem(f"{where}: {reason}") from None


def _check_columns(dataset, where: str, columns: list[str]) -> None:
    missing = [column for column in columns if column not in dataset.column_names]
    if missing:
        raise HubDataProblem(
            f"{where}: no column {missing[0]!r} (it has {', '.join(dataset.column_names)}); the task reads "
            f"{', '.join(columns)}"
        )


def _label(value: Any, names: list[str], where: str, column: str, row: int) -> str:
    if not isinstance(value, int) or not 0 <= value < len(names):
        raise HubDataProblem(
            f"{where}: row {row}, column {column!r}: label id {value!r} is not one of the {len(names)} names of its "
            f"ClassLabel (0..{len(names) - 1})"
        )
    return names[value]


def read_hub(
    source,
    language: str,
    split: str,
    fields: Mapping[str, str],
    filters: Mapping[str, str] | None = None,
    label_values: Mapping[str, str] | None = None,
    data_dir: str | None = None,
    **_: object,
) -> Iterator[dict]:
    dataset = _load(source, data_dir)
    where = source.describe()
    _check_columns(dataset, where, list(dict.fromkeys([*fields.values(), *(filters or {})])))
    names = {column: _label_names(dataset.features[column]) for column in fields.values()}
    renamed = dict(label_values or {})
    for index, row in enumerate(dataset):
        if filters and any(str(row[column]) != value for column, value in filters.items()):
            continue
        example: dict[str, Any] = {"id": f"{language}-{index}"}
        for key, column in fields.items():
            value, labels = row[column], names[column]
            if labels is not None:
                if isinstance(value, list):
                    names_read = (_label(item, labels, where, column, index) for item in value)
                    value = [renamed.get(name, name) for name in names_read]
                else:
                    value = _label(value, labels, where, column, index)
                    value = renamed.get(value, value)
            example[key] = value
        yield example
