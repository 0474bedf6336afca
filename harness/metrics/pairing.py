"""Metric inputs paired item by item: a metric called on lists of different lengths is a caller's bug, never a
score over the shorter list (`zip` would silently drop the rest). `eval` checks runner output before any metric
runs (`Runner.prediction_problems`); this guards metrics called directly, by `score` or by a plugin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def paired(gold: Sequence[Any], predictions: Sequence[Any]) -> list[tuple[Any, Any]]:
    """(gold, prediction) pairs; `ValueError` when the two lists differ in length."""
    if len(gold) != len(predictions):
        raise ValueError(f"{len(predictions)} predictions for {len(gold)} gold items; a metric pairs them one to one")
    return list(zip(gold, predictions))
