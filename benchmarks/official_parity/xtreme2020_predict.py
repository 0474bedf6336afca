"""Run google-research/xtreme's OWN prediction code (commit 9e562ff, June 2020) on a checkpoint.

Reference driver: it sets up the folder layout the official scripts expect, converts the
checkpoint to what transformers 2.8 reads, runs the official scripts as subprocesses with
their own flags, and copies their prediction file out. Nothing is written into --model.

Why: the parity check (compare.py xtreme ...) needs XTREME's 2020 scripts' own predictions, item by item,
for the same checkpoints xlt-bench reads; they only run with transformers 2.8, so this driver runs in its own
venv (README.md, "Reference environments") and never imports xlt_bench.

Usage (with the transformers-2.8 venv's python; XTREME = a checkout of google-research/xtreme at 9e562ff,
given as --xtreme or $XTREME2020_DIR):
  xtreme2020_predict.py tag --model-type bert|xlmr --model DIR --input FILE --labels LABELS.txt --output OUT.txt
                            [--task udpos|panx] [--lang en] [--workdir DIR] [--xtreme XTREME]
  xtreme2020_predict.py qa  --model-type bert|xlmr --model DIR --input squad.json --output predictions.json
                            [--lang en] [--cased] [--workdir DIR] [--xtreme XTREME]

tag
  FILE: XTREME's tagging text format: one token per line (`token` or `token<TAB>label`),
  a blank line between sentences (as download/udpos/test-LANG.tsv written by
  utils_preprocess.py --task udpos). A label column is dropped: XTREME's test split has
  none (utils_preprocess then fills in X for udpos, O for panx); labels never change
  predictions. Runs of blank lines count as one break; leading/trailing ones are ignored.
  Steps, as scripts/preprocess_udpos.sh (preprocess_panx.sh) + scripts/train_udpos.sh
  (train_panx.sh) do them:
   1. utils_preprocess.py --task udpos_tokenize (panx_tokenize) --model_name_or_path model
      --model_type bert|xlmr --max_len 128 --languages LANG  (no --do_lower_case: the
      scripts pass it only for XLM models). This writes data/LANG/test.model and
      test.model.idx: tokens with no sub-word become the unk token and sentences longer
      than 126 (XLM-R: 125) sub-words are split; the .idx file joins them back later.
   2. third_party/run_tag.py --data_dir data --model_type bert|xlmr --labels labels.txt
      --model_name_or_path model --output_dir model --max_seq_length 128
      --num_train_epochs 10 --gradient_accumulation_steps 4 --per_gpu_train_batch_size 8
      --save_steps 500 (panx: 1000) --seed 1 --learning_rate 2e-5 --do_predict
      --predict_langs LANG --log_file train.log --eval_all_checkpoints --overwrite_output_dir
      --save_only_best_checkpoint --no_cuda
      udpos: per_gpu_eval_batch_size = argparse default 8; panx: --per_gpu_eval_batch_size 32
      --train_langs en --eval_patience -1.
      Left out: --do_train --do_eval --do_predict_dev --evaluate_during_training (training
      and dev evaluation); the training-only flags above are kept though they do nothing here.
      Added: --no_cuda. Other argparse defaults in force: adam etc. unused; local_rank -1.
      run_tag --do_predict loads the tokenizer from --output_dir and the model from
      output_dir/checkpoint-best if present, else output_dir; here both are the converted
      copy "model" (what a finished train_udpos.sh run leaves in its output folder).
   3. It writes model/test_LANG_predictions.txt (save_predictions): one tag per token,
      blank line between sentences; copied to OUT.txt (plus a final newline) after checking
      it has exactly the input's sentences and tokens.
  Labels: run_tag's get_labels() puts "O" first when the labels file has no "O" (so XTREME's
  UD-POS models have 18 outputs, index 0 = "O", never a gold tag). If the checkpoint's
  id2label equals the labels file without that "O", the converted copy gets an extra row 0
  in the classifier (weight 0, bias -1e9): its logit can never win, the other logits are
  untouched, so argmax is exactly the checkpoint's. Any other mismatch is an error.

qa
  As scripts/predict_qa.sh does it (flags it passes, then argparse defaults of run_squad.py):
    third_party/run_squad.py --model_type bert|xlm-roberta --model_name_or_path model --do_eval
      --do_lower_case --eval_lang LANG --predict_file squad.json --output_dir pred --no_cuda
    defaults: max_seq_length 384, doc_stride 128, max_query_length 64, n_best_size 20,
      max_answer_length 30, per_gpu_eval_batch_size 8, threads 1, seed 42,
      version_2_with_negative off, null_score_diff_threshold 0.0, data_dir none.
  NOTE: predict_qa.sh at 9e562ff passes --do_lower_case for EVERY model (mBERT cased and
  XLM-R included; it was removed upstream in Aug 2021). With BERT it lower-cases and strips
  accents in the tokenizer; for both it makes get_final_text() lower-case the context when
  mapping the answer back. --cased leaves the flag out (a deviation from the script).
  Writes pred/predictions_LANG_.json (question id -> answer text), copied to --output.

Checkpoint conversion (into a temp folder "model"): model.safetensors -> pytorch_model.bin
(same key names: bert.* / roberta.* plus classifier.* / qa_outputs.*; checked against the
transformers-2.8 model, only the unused pooler may be missing); config.json rewritten
with the fields transformers 2.8 reads (_num_labels, id2label, label2id, ...); tokenizer:
vocab.txt (BERT) or sentencepiece.bpe.model (XLM-R), plus tokenizer_config.json
{"do_lower_case": ..., "max_len": 512} as 2.8's save_pretrained writes it for these models.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

MODEL_NAME = "model"  # --model_name_or_path; also the file suffix test.<model_name_or_path>

BERT_SPECIAL = {
    "unk_token": "[UNK]",
    "sep_token": "[SEP]",
    "pad_token": "[PAD]",
    "cls_token": "[CLS]",
    "mask_token": "[MASK]",
}
XLMR_SPECIAL = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}

# Fields transformers 2.8 BertConfig / RobertaConfig read. Anything else in a newer config
# either has no effect at inference here or is checked below.
CONFIG_KEYS = [
    "architectures",
    "model_type",
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "hidden_act",
    "hidden_dropout_prob",
    "attention_probs_dropout_prob",
    "max_position_embeddings",
    "type_vocab_size",
    "initializer_range",
    "layer_norm_eps",
    "pad_token_id",
    "bos_token_id",
    "eos_token_id",
]


def log(msg: str) -> None:
    print("[xtreme2020_predict] " + msg, file=sys.stderr, flush=True)


def run(cmd: list[str], cwd: str, logfile: str) -> float:
    log("running: " + " ".join(cmd) + "   (cwd " + cwd + ", log " + logfile + ")")
    env = dict(os.environ)
    env["CUDA_VISIBLE_DEVICES"] = ""
    env.pop("PYTHONPATH", None)
    t0 = time.time()
    with open(logfile, "w") as f:
        p = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, env=env)
    dt = time.time() - t0
    if p.returncode != 0:
        with open(logfile) as f:
            tail = f.readlines()[-40:]
        sys.stderr.write("".join(tail))
        raise SystemExit(f"command failed (rc {p.returncode}): {' '.join(cmd)}")
    log(f"done in {dt:.1f} s")
    return dt


# ---------------------------------------------------------------- checkpoint conversion


def load_state_dict(model_dir: str) -> dict:
    import torch

    st = os.path.join(model_dir, "model.safetensors")
    if os.path.exists(st):
        from safetensors.torch import load_file

        return load_file(st)
    pt = os.path.join(model_dir, "pytorch_model.bin")
    if os.path.exists(pt):
        return torch.load(pt, map_location="cpu")
    raise SystemExit("no model.safetensors or pytorch_model.bin in " + model_dir)


def convert_checkpoint(src: str, dst: str, model_type: str, task: str, labels: list[str] | None = None) -> str:
    """Write a transformers-2.8 readable copy of checkpoint `src` into `dst`."""
    import torch

    os.makedirs(dst)
    with open(os.path.join(src, "config.json")) as f:
        cfg = json.load(f)
    tok_cfg = {}
    if os.path.exists(os.path.join(src, "tokenizer_config.json")):
        with open(os.path.join(src, "tokenizer_config.json")) as f:
            tok_cfg = json.load(f)

    # --- checks that the newer config has nothing 2.8 would silently ignore
    if cfg.get("position_embedding_type", "absolute") not in (None, "absolute"):
        raise SystemExit(f"position_embedding_type {cfg['position_embedding_type']!r} unsupported by transformers 2.8")
    if cfg.get("is_decoder") or cfg.get("add_cross_attention"):
        raise SystemExit("decoder configs are not supported")
    if cfg.get("hidden_act") not in ("gelu", "relu", "swish", "gelu_new", "tanh"):
        raise SystemExit(f"hidden_act {cfg.get('hidden_act')!r} unknown to transformers 2.8")
    expect_mt = {"bert": ("bert",), "xlmr": ("xlm-roberta", "roberta")}[model_type]
    if cfg.get("model_type") not in expect_mt:
        raise SystemExit(f"config model_type {cfg.get('model_type')!r} does not fit --model-type {model_type}")
    if model_type == "xlmr" and cfg.get("pad_token_id", 1) != 1:
        raise SystemExit(f"transformers 2.8 RoBERTa hard-codes padding_idx 1; config has {cfg.get('pad_token_id')!r}")

    sd = load_state_dict(src)
    sd = {k: v.contiguous() for k, v in sd.items()}

    new_cfg = {k: cfg[k] for k in CONFIG_KEYS if k in cfg}
    head = "classifier" if task == "tag" else "qa_outputs"
    n_out = sd[head + ".weight"].shape[0]
    if task == "tag":
        id2label = cfg.get("id2label")
        ck_labels = [id2label[str(i)] for i in range(len(id2label))] if id2label else None
        if ck_labels is None or len(ck_labels) != n_out:
            raise SystemExit(f"checkpoint has {n_out} outputs but id2label {id2label!r}")
        if ck_labels == labels:
            pass
        elif labels[0] == "O" and ck_labels == labels[1:]:
            # run_tag.get_labels() prepended "O" (absent from the labels file): add an output
            # row that can never be the argmax, so predictions are the checkpoint's own.
            log(
                "labels file has no 'O': run_tag.get_labels() puts 'O' at index 0; adding a never-winning "
                "output row 0 (weight 0, bias -1e9) to the converted copy"
            )
            w, b = sd[head + ".weight"], sd[head + ".bias"]
            sd[head + ".weight"] = torch.cat([torch.zeros_like(w[:1]), w], 0).contiguous()
            sd[head + ".bias"] = torch.cat([torch.full_like(b[:1], -1e9), b], 0).contiguous()
        else:
            raise SystemExit(f"label order mismatch:\n  run_tag labels: {labels!r}\n  checkpoint:     {ck_labels!r}")
        out_labels = labels
    else:
        if n_out != 2:
            raise SystemExit(f"QA head has {n_out} outputs, expected 2")
        out_labels = ["LABEL_0", "LABEL_1"]
    new_cfg["_num_labels"] = len(out_labels)  # what 2.8's save_pretrained writes
    new_cfg["id2label"] = {str(i): label for i, label in enumerate(out_labels)}
    new_cfg["label2id"] = {label: i for i, label in enumerate(out_labels)}
    with open(os.path.join(dst, "config.json"), "w") as f:
        json.dump(new_cfg, f, indent=2, sort_keys=True)
    torch.save(sd, os.path.join(dst, "pytorch_model.bin"))

    # --- tokenizer files
    if model_type == "bert":
        shutil.copy(os.path.join(src, "vocab.txt"), os.path.join(dst, "vocab.txt"))
        special = BERT_SPECIAL
        if tok_cfg.get("do_lower_case"):
            log(
                "WARNING: checkpoint tokenizer_config says do_lower_case=true; the XTREME tag scripts never "
                "pass --do_lower_case for BERT (mBERT cased)"
            )
        if tok_cfg.get("tokenize_chinese_chars", True) is False or tok_cfg.get("strip_accents") not in (None,):
            log(
                "WARNING: tokenizer options "
                f"{ {k: tok_cfg.get(k) for k in ('tokenize_chinese_chars', 'strip_accents')}!r} "
                "not reproducible with transformers 2.8 BertTokenizer"
            )
    else:
        spm = os.path.join(src, "sentencepiece.bpe.model")
        if not os.path.exists(spm):
            raise SystemExit("no sentencepiece.bpe.model in " + src)
        shutil.copy(spm, os.path.join(dst, "sentencepiece.bpe.model"))
        special = XLMR_SPECIAL
    for k, v in special.items():
        if k in tok_cfg and tok_cfg[k] != v:
            raise SystemExit(f"tokenizer {k} is {tok_cfg[k]!r}; transformers 2.8 default is {v!r}")
    # as transformers 2.8 save_pretrained writes it for bert-base-multilingual-cased / xlm-roberta-*
    with open(os.path.join(dst, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": False, "max_len": 512} if model_type == "bert" else {"max_len": 512}, f)
    return dst


def verify_converted(dst: str, model_type: str, task: str, xtreme: str) -> None:
    """Load the converted copy the way the official scripts do and check keys / vocab size."""
    sys.path.insert(0, os.path.join(xtreme, "third_party"))
    import transformers
    from transformers import (
        BertForQuestionAnswering,
        BertForTokenClassification,
        BertTokenizer,
        XLMRobertaForTokenClassification,
        XLMRobertaTokenizer,
    )

    if task == "tag":
        cls = {"bert": BertForTokenClassification, "xlmr": XLMRobertaForTokenClassification}[model_type]
    else:
        if model_type == "bert":
            cls = BertForQuestionAnswering
        else:
            from xlm_roberta import XLMRobertaForQuestionAnswering as cls  # xtreme's own class
    tok_cls = BertTokenizer if model_type == "bert" else XLMRobertaTokenizer
    model, info = cls.from_pretrained(dst, output_loading_info=True)
    bad_missing = [k for k in info["missing_keys"] if ".pooler." not in "." + k]
    if bad_missing or info["unexpected_keys"] or info.get("error_msgs"):
        raise SystemExit(
            f"state dict does not fit transformers {transformers.__version__} {cls.__name__}: "
            f"missing {info['missing_keys']!r} unexpected {info['unexpected_keys']!r} errors {info.get('error_msgs')!r}"
        )
    tok = tok_cls.from_pretrained(dst)
    if len(tok) != model.config.vocab_size:
        raise SystemExit(f"tokenizer has {len(tok)} entries, model vocab_size {model.config.vocab_size}")
    log(f"converted checkpoint OK ({cls.__name__}, {tok_cls.__name__}; missing only {info['missing_keys']!r})")


# ---------------------------------------------------------------- tagging


def read_sentences(path: str) -> list[list[str]]:
    sents, cur = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip() == "":  # utils_preprocess: line.strip() empty -> sentence break
                if cur:
                    sents.append(cur)
                    cur = []
            else:
                cur.append(line)
    if cur:
        sents.append(cur)
    return sents


def get_labels(path: str) -> list[str]:  # third_party/utils_tag.get_labels, verbatim semantics
    with open(path) as f:
        labels = f.read().splitlines()
    if "O" not in labels:
        labels = ["O"] + labels
    return labels


def cmd_tag(args: argparse.Namespace, work: str) -> None:
    sents = read_sentences(args.input)
    if not sents:
        raise SystemExit("no sentences in " + args.input)
    n_tok = sum(len(s) for s in sents)
    log(f"{len(sents)} sentences, {n_tok} tokens")
    labels = get_labels(args.labels)
    shutil.copy(args.labels, os.path.join(work, "labels.txt"))
    convert_checkpoint(args.model, os.path.join(work, MODEL_NAME), args.model_type, "tag", labels)
    verify_converted(os.path.join(work, MODEL_NAME), args.model_type, "tag", args.xtreme)

    for s in sents:
        for line in s:
            tok = line.split("\t")[0]
            if tok.strip() == "":
                raise SystemExit(f"empty token in input line {line!r}")
            if len(tok.split()) != 1:
                log(
                    f"WARNING: token {tok!r} contains whitespace; utils_preprocess keeps only its first piece "
                    "(official behaviour; XTREME's udpos conversion removes spaces inside words)"
                )
    raw = os.path.join(work, "raw")
    os.makedirs(raw)
    with open(os.path.join(raw, f"test-{args.lang}.tsv"), "w", encoding="utf-8") as f:
        f.write("\n\n".join("\n".join(line.split("\t")[0] for line in s) for s in sents) + "\n")
    data = os.path.join(work, "data")
    timings = {}
    timings["preprocess"] = run(
        [
            sys.executable,
            os.path.join(args.xtreme, "utils_preprocess.py"),
            "--data_dir",
            raw + "/",
            "--task",
            f"{args.task}_tokenize",
            "--model_name_or_path",
            MODEL_NAME,
            "--model_type",
            args.model_type,
            "--max_len",
            "128",
            "--output_dir",
            data,
            "--languages",
            args.lang,
        ],
        work,
        os.path.join(work, "preprocess.log"),
    )
    if not os.path.exists(os.path.join(data, args.lang, "test." + MODEL_NAME)):
        raise SystemExit("utils_preprocess.py wrote no test file")

    flags = [
        sys.executable,
        os.path.join(args.xtreme, "third_party", "run_tag.py"),
        "--data_dir",
        data,
        "--model_type",
        args.model_type,
        "--labels",
        os.path.join(work, "labels.txt"),
        "--model_name_or_path",
        MODEL_NAME,
        "--output_dir",
        MODEL_NAME,
        "--max_seq_length",
        "128",
        "--num_train_epochs",
        "10",
        "--gradient_accumulation_steps",
        "4",
        "--per_gpu_train_batch_size",
        "8",
    ]
    if args.task == "panx":
        flags += ["--per_gpu_eval_batch_size", "32"]
    flags += [
        "--save_steps",
        "1000" if args.task == "panx" else "500",
        "--seed",
        "1",
        "--learning_rate",
        "2e-5",
        "--do_predict",
        "--predict_langs",
        args.lang,
    ]
    if args.task == "panx":
        flags += ["--train_langs", "en"]
    flags += ["--log_file", os.path.join(work, "train.log"), "--eval_all_checkpoints"]
    if args.task == "panx":
        flags += ["--eval_patience", "-1"]
    flags += ["--overwrite_output_dir", "--save_only_best_checkpoint", "--no_cuda"]
    timings["run_tag"] = run(flags, work, os.path.join(work, "run_tag.stdout"))

    pred_file = os.path.join(work, MODEL_NAME, f"test_{args.lang}_predictions.txt")
    pred = read_sentences(pred_file)
    if [len(s) for s in pred] != [len(s) for s in sents]:
        raise SystemExit(
            f"prediction file {pred_file} does not match the input: {len(pred)} vs {len(sents)} sentences, "
            f"{sum(map(len, pred))} vs {n_tok} tokens"
        )
    with open(args.output, "w", encoding="utf-8") as f:
        f.write("\n\n".join("\n".join(s) for s in pred) + "\n")
    rounded = {k: round(v, 1) for k, v in timings.items()}
    log(f"wrote {args.output} ({len(pred)} sentences, {n_tok} tags); timings {rounded}")


# ---------------------------------------------------------------- QA


def cmd_qa(args: argparse.Namespace, work: str) -> None:
    with open(args.input, encoding="utf-8") as f:
        data = json.load(f)["data"]
    qids = [qa["id"] for a in data for p in a["paragraphs"] for qa in p["qas"]]
    log(f"{len(qids)} questions")
    convert_checkpoint(args.model, os.path.join(work, MODEL_NAME), args.model_type, "qa")
    verify_converted(os.path.join(work, MODEL_NAME), args.model_type, "qa", args.xtreme)
    pred_dir = os.path.join(work, "pred")
    os.makedirs(pred_dir)
    flags = [
        sys.executable,
        os.path.join(args.xtreme, "third_party", "run_squad.py"),
        "--model_type",
        {"bert": "bert", "xlmr": "xlm-roberta"}[args.model_type],
        "--model_name_or_path",
        MODEL_NAME,
        "--do_eval",
    ]
    if not args.cased:
        flags += ["--do_lower_case"]
    flags += [
        "--eval_lang",
        args.lang,
        "--predict_file",
        os.path.abspath(args.input),
        "--output_dir",
        pred_dir,
        "--no_cuda",
    ]
    dt = run(flags, work, os.path.join(work, "run_squad.log"))
    pred_file = os.path.join(pred_dir, f"predictions_{args.lang}_.json")
    with open(pred_file, encoding="utf-8") as f:
        pred = json.load(f)
    if sorted(pred) != sorted(set(qids)):
        raise SystemExit(f"prediction ids do not match the question ids ({len(pred)} vs {len(set(qids))})")
    shutil.copy(pred_file, args.output)
    log(f"wrote {args.output} ({len(pred)} answers); run_squad {dt:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("tag", "qa"):
        p = sub.add_parser(name)
        p.add_argument("--model-type", required=True, choices=["bert", "xlmr"])
        p.add_argument("--model", required=True, help="checkpoint folder (read only)")
        p.add_argument("--input", required=True)
        p.add_argument("--output", required=True)
        p.add_argument(
            "--xtreme",
            default=os.environ.get("XTREME2020_DIR"),
            help="google-research/xtreme checkout at 9e562ff (default: $XTREME2020_DIR)",
        )
        p.add_argument("--lang", default="en", help="language code used in the scripts' file names (default en)")
        p.add_argument(
            "--workdir", help="keep all intermediate files here (must not exist); default: a temp dir, removed"
        )
        if name == "tag":
            p.add_argument("--labels", required=True)
            p.add_argument("--task", default="udpos", choices=["udpos", "panx"])
        else:
            p.add_argument(
                "--cased",
                action="store_true",
                help="leave out --do_lower_case, which predict_qa.sh at 9e562ff passes for all models",
            )
    args = ap.parse_args()
    if not args.xtreme or not os.path.isfile(os.path.join(args.xtreme, "third_party", "run_tag.py")):
        ap.error(f"--xtreme / $XTREME2020_DIR {args.xtreme!r} is not an xtreme checkout (no third_party/run_tag.py)")
    args.xtreme = os.path.abspath(args.xtreme)
    args.model = os.path.abspath(args.model)
    args.input = os.path.abspath(args.input)
    args.output = os.path.abspath(args.output)
    if args.cmd == "tag":
        args.labels = os.path.abspath(args.labels)
    if args.workdir:
        work = os.path.abspath(args.workdir)
        os.makedirs(work)
    else:
        work = tempfile.mkdtemp(prefix="xtreme2020-")
    try:
        (cmd_tag if args.cmd == "tag" else cmd_qa)(args, work)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
