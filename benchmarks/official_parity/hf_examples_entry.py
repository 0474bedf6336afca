"""Run an unmodified Hugging Face example script as `__main__`, offline.

usage: python hf_examples_entry.py SCRIPT.py [script flags...]

The only intervention: `evaluate.load("seqeval"|"squad")` is monkeypatched to
local metric objects (hf_examples_metrics.py), because the real call downloads the
metric from the Hub.  Everything else (argument parsing, preprocessing, Trainer
prediction, post-processing, writing predictions) is the script's own code.
"""

import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(HERE)

from hf_examples_metrics import patch_evaluate_load  # noqa: E402


def main() -> None:
    script = os.path.abspath(sys.argv[1])
    patch_evaluate_load()
    # run_qa.py does `from trainer_qa import ...` / `from utils_qa import ...`
    sys.path.insert(0, os.path.dirname(script))
    sys.argv = [script] + sys.argv[2:]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
