"""Offline stand-ins for `evaluate.load("seqeval")` and `evaluate.load("squad")`.

run_ner.py / run_qa.py call `evaluate.load(...)` at start-up, which downloads the
metric script from the Hugging Face Hub.  The Hub is not reachable here, so
`hf_examples_entry.py` monkeypatches `evaluate.load` to return these objects instead.

They only compute *metrics*; they never touch the predictions the scripts write
(run_ner's predictions.txt is written from the argmax of the logits, run_qa's
predict_predictions.json by utils_qa.postprocess_qa_predictions, both before /
independently of the metric).  They follow the logic of the Hub metrics
(evaluate-metric/seqeval and evaluate-metric/squad) closely enough for the
logged numbers to be meaningful, but any exception inside them is swallowed
(metrics -> NaN) so that a metric problem can never abort a prediction run.
"""

import collections
import math
import re
import string
import warnings


class _LocalSeqeval:
    name = "seqeval(local)"

    def compute(
        self,
        predictions: list[list[str]] | None = None,
        references: list[list[str]] | None = None,
        suffix: bool = False,
        scheme: str | None = None,
        mode: str | None = None,
        sample_weight: list[int] | None = None,
        zero_division: str | int = "warn",
        **kwargs: object,
    ) -> dict:
        try:
            from seqeval.metrics import accuracy_score, classification_report

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                report = classification_report(
                    y_true=references,
                    y_pred=predictions,
                    suffix=suffix,
                    output_dict=True,
                    scheme=scheme,
                    mode=mode,
                    sample_weight=sample_weight,
                    zero_division=zero_division,
                )
                report.pop("macro avg", None)
                report.pop("weighted avg", None)
                overall = report.pop("micro avg")
                scores = {
                    t: {"precision": s["precision"], "recall": s["recall"], "f1": s["f1-score"], "number": s["support"]}
                    for t, s in report.items()
                }
                scores["overall_precision"] = overall["precision"]
                scores["overall_recall"] = overall["recall"]
                scores["overall_f1"] = overall["f1-score"]
                scores["overall_accuracy"] = accuracy_score(y_true=references, y_pred=predictions)
                return scores
        except Exception as e:  # metrics are irrelevant for the reference predictions
            print(f"[hf_examples_metrics] seqeval failed ({e!r}); returning NaN metrics")
            nan = float("nan")
            return {"overall_precision": nan, "overall_recall": nan, "overall_f1": nan, "overall_accuracy": nan}


def _normalize_answer(s):
    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def _f1(prediction, ground_truth):
    p = _normalize_answer(prediction).split()
    g = _normalize_answer(ground_truth).split()
    common = collections.Counter(p) & collections.Counter(g)
    num_same = sum(common.values())
    if num_same == 0:
        return 0.0
    precision = num_same / len(p)
    recall = num_same / len(g)
    return 2 * precision * recall / (precision + recall)


def _em(prediction, ground_truth):
    return float(_normalize_answer(prediction) == _normalize_answer(ground_truth))


class _LocalSquad:
    """SQuAD v1.1 exact_match / f1 (same formulas as the official v1.1 script)."""

    name = "squad(local)"

    def compute(
        self, predictions: list[dict] | None = None, references: list[dict] | None = None, **kwargs: object
    ) -> dict:
        try:
            pred = {p["id"]: p["prediction_text"] for p in predictions}
            em = f1 = 0.0
            n = 0
            for ref in references:
                golds = list(ref["answers"]["text"]) or [""]
                if ref["id"] not in pred:
                    continue
                n += 1
                em += max(_em(pred[ref["id"]], g) for g in golds)
                f1 += max(_f1(pred[ref["id"]], g) for g in golds)
            return {"exact_match": 100.0 * em / max(n, 1), "f1": 100.0 * f1 / max(n, 1)}
        except Exception as e:
            print(f"[hf_examples_metrics] squad failed ({e!r}); returning NaN metrics")
            return {"exact_match": math.nan, "f1": math.nan}


LOCAL_METRICS = {
    "seqeval": _LocalSeqeval,
    "squad": _LocalSquad,
}


def patch_evaluate_load() -> None:
    import evaluate

    original = evaluate.load

    def load(path: str, *args: object, **kwargs: object) -> object:
        key = str(path).rstrip("/").split("/")[-1]
        if key in LOCAL_METRICS:
            return LOCAL_METRICS[key]()
        return original(path, *args, **kwargs)

    evaluate.load = load
    evaluate._original_load = original
