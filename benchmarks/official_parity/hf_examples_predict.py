"""Reference predictions from Hugging Face's own example scripts (offline, CPU).

    hf_examples_predict.py ner --model DIR --input FILE.json --output OUT.txt --scripts-dir DIR [--max-seq-length N]
    hf_examples_predict.py qa  --model DIR --input squad.json --output predictions.json --scripts-dir DIR
                               [--max-seq-length 384] [--doc-stride 128]

Why: the parity check (compare.py hf ...) needs the predictions of Hugging Face's own example scripts, item by
item, for the same checkpoints xlt-bench reads. --scripts-dir (or $HF_EXAMPLES_DIR) holds run_ner.py, run_qa.py,
utils_qa.py and trainer_qa.py from transformers commit d6a6c82680cba9c51decdacac6dd6315ea4a766a, flat or in the
examples/pytorch layout (token-classification/, question-answering/); README.md says where to get them. They are
run unmodified, as subprocesses, through hf_examples_entry.py, whose only change is an offline stand-in for
`evaluate.load` (hf_examples_metrics.py).

ner: FILE.json is JSON lines {"tokens": [...], "ner_tags": [...]} with label
     strings from the model's config.id2label.  run_ner.py --do_predict writes
     predictions.txt (one line per sentence, space-separated tags, one tag per
     word that got at least one sub-token); it is copied to --output.
qa:  squad.json is SQuAD v1.1 ({"data": [{"title", "paragraphs": [{"context",
     "qas": [...]}]}]}); it is flattened to the records run_qa.py reads (id,
     title, context, question, answers) under {"data": [...]} (run_qa always
     calls load_dataset("json", ..., field="data")).  run_qa.py --do_predict
     writes predict_predictions.json (id -> answer text); copied to --output.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ENTRY = os.path.join(HERE, "hf_examples_entry.py")


def _script(a: argparse.Namespace, sub: str, name: str) -> str:
    """scripts dir in the examples layout (<dir>/<sub>/<name>) or flat (<dir>/<name>)."""
    for p in (os.path.join(a.scripts_dir, sub, name), os.path.join(a.scripts_dir, name)):
        if os.path.isfile(p):
            return os.path.abspath(p)
    raise SystemExit(f"{name} not found under {a.scripts_dir}")


def _env(tmp: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_EVALUATE_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        CUDA_VISIBLE_DEVICES="",
        # fresh datasets cache per run: no stale Arrow/map caches between runs
        HF_DATASETS_CACHE=os.path.join(tmp, "datasets_cache"),
        TOKENIZERS_PARALLELISM="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def _common_training_flags(out_dir: str, batch_size: int) -> list[str]:
    return [
        "--output_dir",
        out_dir,
        "--do_predict",
        "--per_device_eval_batch_size",
        str(batch_size),
        "--use_cpu",
        "--report_to",
        "none",
        "--dataloader_num_workers",
        "0",
    ]


def _run(cmd: list[str], tmp: str, log_path: str) -> float:
    t0 = time.time()
    with open(log_path, "w") as log:
        proc = subprocess.run(cmd, env=_env(tmp), stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    dt = time.time() - t0
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-6000:]
        sys.stderr.write(tail + "\n")
        raise SystemExit(f"script failed (rc={proc.returncode}); full log: {log_path}")
    return dt


def _model_labels(model_dir: str) -> list[str]:
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    id2label = cfg.get("id2label")
    if not id2label:
        raise SystemExit(f"{model_dir}/config.json has no id2label")
    return [id2label[str(i)] for i in range(len(id2label))]


def cmd_ner(a: argparse.Namespace) -> None:
    model = os.path.abspath(a.model)
    labels = _model_labels(model)
    tmp = os.path.abspath(tempfile.mkdtemp(prefix="hf_ner_", dir=a.work_dir))
    out_dir = os.path.join(tmp, "out")

    # test file: the input, re-written as <name>.json (run_ner picks the `json`
    # loader from the file extension; .jsonl would not work).  Missing ner_tags
    # are filled with a placeholder label: labels only decide which sub-tokens
    # are kept (first sub-token of each word), never the predicted tag.
    n_sent = n_words = 0
    test_path = os.path.join(tmp, "test.json")
    word_counts = []
    with open(a.input, encoding="utf-8") as fin, open(test_path, "w", encoding="utf-8") as fout:
        for line in fin:
            if not line.strip():
                continue
            ex = json.loads(line)
            toks = ex["tokens"]
            tags = ex.get("ner_tags") or [labels[0]] * len(toks)
            if len(tags) != len(toks):
                raise SystemExit(f"sentence {n_sent}: {len(toks)} tokens but {len(tags)} tags")
            bad = set(tags) - set(labels)
            if bad:
                raise SystemExit(f"sentence {n_sent}: labels {sorted(bad)} not in the model's id2label")
            fout.write(json.dumps({"tokens": toks, "ner_tags": tags}, ensure_ascii=False) + "\n")
            n_sent += 1
            n_words += len(toks)
            word_counts.append(len(toks))

    # run_ner needs a train split even with --do_predict only: it builds its
    # label list from raw_datasets["train"] (sorted set of tags), then, if that
    # set equals the model's label set, re-orders it to the model's id2label.
    # A one-sentence "train" file containing every model label makes that
    # happen whatever labels the input happens to contain (it is never
    # tokenized or trained on: --do_train is off).  It also needs a
    # validation split for column names when --do_train is off: the input.
    labels_path = os.path.join(tmp, "labels.json")
    with open(labels_path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"tokens": labels, "ner_tags": labels}, ensure_ascii=False) + "\n")

    cmd = [
        a.python,
        ENTRY,
        _script(a, "token-classification", "run_ner.py"),
        "--model_name_or_path",
        model,
        "--train_file",
        labels_path,
        "--validation_file",
        test_path,
        "--test_file",
        test_path,
        "--text_column_name",
        "tokens",
        "--label_column_name",
        "ner_tags",
    ] + _common_training_flags(out_dir, a.batch_size)
    if a.max_seq_length is not None:
        cmd += ["--max_seq_length", str(a.max_seq_length)]
    dt = _run(cmd, tmp, os.path.join(tmp, "run_ner.log"))

    pred_file = os.path.join(out_dir, "predictions.txt")
    shutil.copyfile(pred_file, a.output)
    with open(pred_file, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != n_sent:
        sys.stderr.write(f"WARNING: {len(lines)} prediction lines for {n_sent} sentences\n")
    short = [
        (i, len(line.split()), word_counts[i])
        for i, line in enumerate(lines[:n_sent])
        if len(line.split()) != word_counts[i]
    ]
    report = {
        "task": "ner",
        "model": model,
        "input": os.path.abspath(a.input),
        "output": os.path.abspath(a.output),
        "sentences": n_sent,
        "words": n_words,
        "prediction_lines": len(lines),
        "predicted_tags": sum(len(line.split()) for line in lines),
        "sentences_with_fewer_tags_than_words": len(short),
        "first_short_sentences(index,tags,words)": short[:10],
        "seconds": round(dt, 1),
        "work_dir": tmp,
    }
    _finish(a, tmp, report)


def _flatten_squad(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        squad = json.load(f)
    rows = []
    for article in squad["data"]:
        title = article.get("title", "")
        for para in article["paragraphs"]:
            ctx = para["context"]
            for qa in para["qas"]:
                ans = qa.get("answers", [])
                rows.append(
                    {
                        "id": str(qa["id"]),
                        "title": title,
                        "context": ctx,
                        "question": qa["question"],
                        "answers": {
                            "text": [x["text"] for x in ans],
                            "answer_start": [int(x["answer_start"]) for x in ans],
                        },
                    }
                )
    return rows


def cmd_qa(a: argparse.Namespace) -> None:
    model = os.path.abspath(a.model)
    tmp = os.path.abspath(tempfile.mkdtemp(prefix="hf_qa_", dir=a.work_dir))
    out_dir = os.path.join(tmp, "out")
    rows = _flatten_squad(a.input)
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate question ids in input")
    test_path = os.path.join(tmp, "test.json")
    with open(test_path, "w", encoding="utf-8") as f:
        json.dump({"data": rows}, f, ensure_ascii=False)

    cmd = [
        a.python,
        ENTRY,
        _script(a, "question-answering", "run_qa.py"),
        "--model_name_or_path",
        model,
        "--test_file",
        test_path,
        "--max_seq_length",
        str(a.max_seq_length),
        "--doc_stride",
        str(a.doc_stride),
    ] + _common_training_flags(out_dir, a.batch_size)
    dt = _run(cmd, tmp, os.path.join(tmp, "run_qa.log"))

    pred_file = os.path.join(out_dir, "predict_predictions.json")
    shutil.copyfile(pred_file, a.output)
    with open(pred_file, encoding="utf-8") as f:
        preds = json.load(f)
    report = {
        "task": "qa",
        "model": model,
        "input": os.path.abspath(a.input),
        "output": os.path.abspath(a.output),
        "questions": len(ids),
        "predictions": len(preds),
        "missing_ids": len(set(ids) - set(preds)),
        "extra_ids": len(set(preds) - set(ids)),
        "empty_answers": sum(1 for v in preds.values() if v == ""),
        # utils_qa's fallback when no valid span exists: the literal text "empty"
        "literal_empty_fallback": sum(1 for v in preds.values() if v == "empty"),
        "seconds": round(dt, 1),
        "work_dir": tmp,
    }
    _finish(a, tmp, report)


def _finish(a: argparse.Namespace, tmp: str, report: dict) -> None:
    if not a.keep:
        report["work_dir"] += " (deleted; use --keep)"
    sys.stderr.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="task", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--model", required=True)
        sp.add_argument("--input", required=True)
        sp.add_argument("--output", required=True)
        sp.add_argument("--batch-size", type=int, default=32, help="--per_device_eval_batch_size (default 32)")
        sp.add_argument("--python", default=sys.executable, help="interpreter for the scripts (default: this one)")
        sp.add_argument("--work-dir", default=None, help="parent of the temporary run folder (default: system tmp)")
        sp.add_argument("--keep", action="store_true", help="keep the temporary folder (log, output_dir)")
        sp.add_argument(
            "--scripts-dir",
            default=os.environ.get("HF_EXAMPLES_DIR"),
            required="HF_EXAMPLES_DIR" not in os.environ,
            help="where run_ner.py / run_qa.py (+utils_qa.py, trainer_qa.py) are (default: $HF_EXAMPLES_DIR)",
        )

    n = sub.add_parser("ner", help="run_ner.py --do_predict")
    common(n)
    n.add_argument(
        "--max-seq-length",
        type=int,
        default=None,
        help="run_ner --max_seq_length (default: not passed = script default None)",
    )
    q = sub.add_parser("qa", help="run_qa.py --do_predict")
    common(q)
    q.add_argument("--max-seq-length", type=int, default=384)
    q.add_argument("--doc-stride", type=int, default=128)

    a = p.parse_args(argv)
    {"ner": cmd_ner, "qa": cmd_qa}[a.task](a)


if __name__ == "__main__":
    main()
