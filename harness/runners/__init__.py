"""One runner per task type: examples -> batches -> predictions in the metric's format.

A runner never knows which suite it serves. It declares the checkpoint head it needs (`head`, an architecture
name suffix, and `auto_class`, the transformers class that loads it), turns examples into gold labels in the
metric's shape (`gold`), predicts (`predict`), and pairs both per example for the per-sample log (`samples`).
"""

from __future__ import annotations

from xlt_bench.runners.classification import ClassificationRunner
from xlt_bench.runners.tagging import TaggingRunner
from xlt_bench.tasks import TaskType

RUNNERS = {
    TaskType.CLASSIFICATION: ClassificationRunner(),
    TaskType.TAGGING: TaggingRunner(),
}
