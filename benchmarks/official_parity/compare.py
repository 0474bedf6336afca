"""Item-by-item parity of xlt-bench's procedures with the scripts they reproduce.

Why: `--procedure xtreme` claims XTREME's 2020 run_tag.py / run_squad.py predictions and `--procedure hf` those of
Hugging Face's run_ner.py / run_qa.py; only running the original code on the same checkpoints and inputs shows it.

    compare.py xtreme|hf tag|qa --models xlmr,bert [--languages en,zh,...] --work DIR --runs DIR [--cased]

--work holds the checkpoints of make_checkpoints.py (WORK/{model}-tag, WORK/{model}-qa) and the packaged samples,
unpacked into WORK/data on first use. For each model and language the xlt-bench run folder RUNS/{model}-{kind}-
{procedure}[-cased] is made with `xlt-bench eval` when its predictions are missing; the reference driver
(xtreme2020_predict.py in the transformers-2.8 venv, or hf_examples_predict.py with this interpreter) then predicts
the same items and one line per model and language says how many are identical. The report is also written to
RUNS/report-{procedure}-{kind}-{models}-{languages}[-cased].json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parents[1] / "tests" / "samples"
UPOS = "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()
LANGUAGES = {"tag": "en,zh,de,ar,fr,hi,ja", "qa": "en,zh,de,ar,es,hi"}


def unpack_samples(work: Path) -> Path:
    """WORK/data/udpos/ud-treebanks-v2.5/... and WORK/data/xquad/xquad.LANG.json, from tests/samples."""
    data = work / "data"
    for name in ("udpos", "xquad"):
        if not (data / name).is_dir():
            with tarfile.open(SAMPLES / f"{name}.tar.gz") as t:
                t.extractall(data, filter="data")
    return data


def ensure_run(args: argparse.Namespace, model: str, run: Path, needed: dict[str, Path]) -> None:
    """Run `xlt-bench eval` for the languages whose file in `needed` is missing."""
    missing = [lang for lang, path in needed.items() if not path.exists()]
    if not missing:
        return
    task = "udpos" if args.kind == "tag" else "xquad"
    xlt_bench = shutil.which("xlt-bench", path=str(Path(sys.executable).parent)) or "xlt-bench"
    cmd = [
        xlt_bench, "eval", "--model", str(args.work / f"{model}-{args.kind}"), "--suite", "xtreme",
        "--tasks", task, "--languages", ",".join(missing), "--data-dir", str(args.data / task),
        "--output", str(run), "--procedure", args.procedure, "--quiet", "--device", "cpu",
        "--cache-dir", str(args.work / "cache"),
    ]  # fmt: skip
    if args.cased:
        cmd += ["--inference", "lower_case=false"]
    print("running:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def xtreme_tag(args: argparse.Namespace, model: str, lang: str, rows: list[dict], tmp: Path) -> list[list[str]]:
    """run_tag.py's tags, one list per sentence."""
    src = tmp / "in.tsv"
    src.write_text(
        "".join("".join(f"{w}\t{t}\n" for w, t in zip(r["input"], r["gold"])) + "\n" for r in rows), encoding="utf-8"
    )
    labels = tmp / "labels.txt"
    labels.write_text("".join(t + "\n" for t in UPOS), encoding="utf-8")
    out = tmp / "out.txt"
    cmd = [
        *args.xtreme_driver, "tag", "--model-type", model, "--model", str(args.work / f"{model}-tag"),
        "--input", str(src), "--labels", str(labels), "--lang", lang, "--output", str(out), "--xtreme", args.xtreme,
    ]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    return [b.split("\n") for b in out.read_text(encoding="utf-8").strip("\n").split("\n\n")]


def hf_tag(args: argparse.Namespace, model: str, rows: list[dict], tmp: Path) -> list[list[str]]:
    """run_ner.py's tags, one list per sentence (words it drops on truncation are missing)."""
    src = tmp / "in.json"
    src.write_text(
        "".join(json.dumps({"tokens": r["input"], "ner_tags": r["gold"]}, ensure_ascii=False) + "\n" for r in rows),
        encoding="utf-8",
    )
    out = tmp / "out.txt"
    cmd = [
        *args.hf_driver, "ner", "--model", str(args.work / f"{model}-tag"), "--input", str(src),
        "--output", str(out), "--max-seq-length", "128", "--scripts-dir", args.hf_scripts,
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)
    return [line.split() for line in out.read_text(encoding="utf-8").splitlines()]


def reference_qa(args: argparse.Namespace, model: str, lang: str, tmp: Path) -> dict[str, str]:
    """run_squad.py's or run_qa.py's answers, question id -> text."""
    out = tmp / "pred.json"
    squad = str(args.data / "xquad" / f"xquad.{lang}.json")
    checkpoint = str(args.work / f"{model}-qa")
    if args.procedure == "xtreme":
        cmd = [
            *args.xtreme_driver, "qa", "--model-type", model, "--model", checkpoint, "--input", squad,
            "--lang", lang, "--output", str(out), "--xtreme", args.xtreme, *(["--cased"] if args.cased else []),
        ]  # fmt: skip
        run = subprocess.run(cmd, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
    else:
        cmd = [
            *args.hf_driver, "qa", "--model", checkpoint, "--input", squad, "--output", str(out),
            "--max-seq-length", "384", "--doc-stride", "128", "--scripts-dir", args.hf_scripts,
        ]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True)
    return json.loads(out.read_text(encoding="utf-8"))


def compare_tag(args: argparse.Namespace, model: str, lang: str, rows: list[dict]) -> tuple[str, list]:
    with tempfile.TemporaryDirectory() as tmp:
        if args.procedure == "xtreme":
            official = xtreme_tag(args, model, lang, rows, Path(tmp))
        else:
            official = hf_tag(args, model, rows, Path(tmp))
    assert len(official) == len(rows), (len(official), len(rows))
    tags = sum(a == b for r, o in zip(rows, official) for a, b in zip(r["prediction"], o))
    if args.procedure == "xtreme":
        same = sum(r["prediction"] == o for r, o in zip(rows, official))
        total = sum(len(r["prediction"]) for r in rows)
        bad = [(r["id"], len(r["input"])) for r, o in zip(rows, official) if r["prediction"] != o][:3]
        return f"sentences {same}/{len(rows)}, tags {tags}/{total} identical", bad
    same = sum(
        r["prediction"][: len(h)] == h and all(t == "O" for t in r["prediction"][len(h) :])
        for r, h in zip(rows, official)
    )
    truncated = sum(len(h) < len(r["input"]) for r, h in zip(rows, official))
    predicted = sum(map(len, official))
    text = f"sentences {same}/{len(rows)} identical; tags {tags}/{predicted} of predicted words; "
    return text + f"{truncated} truncated by run_ner", []


def compare_qa(args: argparse.Namespace, model: str, lang: str, ours: dict[str, str]) -> tuple[str, list]:
    with tempfile.TemporaryDirectory() as tmp:
        official = reference_qa(args, model, lang, Path(tmp))
    assert set(official) == set(ours), (len(official), len(ours))
    diff = [k for k in official if official[k] != ours[k]]
    return f"answers {len(official) - len(diff)}/{len(official)} identical", [
        (k, official[k], ours[k]) for k in diff[:4]
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("procedure", choices=["xtreme", "hf"])
    ap.add_argument("kind", choices=["tag", "qa"], help="tag: UD-POS; qa: XQuAD")
    ap.add_argument("--models", default="xlmr,bert", help="comma-separated: xlmr, bert (default both)")
    ap.add_argument("--languages", help="comma-separated (default tag: en,zh,de,ar,fr,hi,ja; qa: en,zh,de,ar,es,hi)")
    ap.add_argument("--work", type=Path, required=True, help="make_checkpoints.py's output folder")
    ap.add_argument("--runs", type=Path, required=True, help="parent of the xlt-bench run folders and reports")
    ap.add_argument("--cased", action="store_true", help="xtreme qa: run_squad.py without --do_lower_case")
    ap.add_argument(
        "--xtreme-python",
        default=os.environ.get("XTREME2020_PYTHON", "python"),
        help="interpreter of the transformers-2.8 venv (default: $XTREME2020_PYTHON)",
    )
    ap.add_argument("--xtreme", default=os.environ.get("XTREME2020_DIR"), help="xtreme checkout at 9e562ff")
    ap.add_argument("--hf-scripts", default=os.environ.get("HF_EXAMPLES_DIR"), help="HF example scripts (d6a6c82)")
    args = ap.parse_args()
    if args.cased and (args.procedure, args.kind) != ("xtreme", "qa"):
        ap.error("--cased applies to xtreme qa only")
    if args.procedure == "xtreme" and not args.xtreme:
        ap.error("xtreme needs --xtreme or $XTREME2020_DIR")
    if args.procedure == "hf" and not args.hf_scripts:
        ap.error("hf needs --hf-scripts or $HF_EXAMPLES_DIR")
    args.work, args.runs = args.work.resolve(), args.runs.resolve()
    args.data = unpack_samples(args.work)
    args.xtreme_driver = [args.xtreme_python, str(HERE / "xtreme2020_predict.py")]
    args.hf_driver = [sys.executable, str(HERE / "hf_examples_predict.py")]
    models = args.models.split(",")
    langs = (args.languages or LANGUAGES[args.kind]).split(",")
    suffix = "-cased" if args.cased else ""
    report = {}
    for model in models:
        run = args.runs / f"{model}-{args.kind}-{args.procedure}{suffix}"
        if args.kind == "tag":
            needed = {lang: run / "samples" / "udpos" / f"test-{lang}.jsonl" for lang in langs}
        else:
            needed = {lang: run / "predictions" / "xquad" / f"test-{lang}.json" for lang in langs}
        ensure_run(args, model, run, needed)
        for lang in langs:
            if args.kind == "tag":
                with open(needed[lang], encoding="utf-8") as f:
                    rows = [json.loads(line) for line in f]
                key = f"{model} udpos {lang}"
                report[key], bad = compare_tag(args, model, lang, rows)
            else:
                ours = json.loads(needed[lang].read_text(encoding="utf-8"))
                key = f"{model} xquad {lang}{' --cased' if args.cased else ''}"
                report[key], bad = compare_qa(args, model, lang, ours)
            print(key, report[key], bad, flush=True)
    name = f"report-{args.procedure}-{args.kind}-{'-'.join(models)}-{'-'.join(langs)}{suffix}.json"
    (args.runs / name).write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
