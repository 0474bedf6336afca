"""Build the four tiny checkpoints the official-procedure parity check runs on.

Why: the check compares predictions item by item, so it needs checkpoints that every implementation can load and
that exercise both tokenizer families XTREME used, without downloading anything. This trains a 4,000-piece
sentencepiece unigram model (XLM-R style) and a 4,000-entry WordPiece vocabulary (BERT style) on the text of the
repository's packaged samples (tests/samples/udpos.tar.gz, xquad.tar.gz), then writes randomly initialised
tagging (17 UPOS tags) and extractive-QA checkpoints with `xlt_bench.testing.tiny_checkpoint`:

    OUT/xlmr-tag  OUT/xlmr-qa  OUT/bert-tag  OUT/bert-qa   (+ OUT/xlmr-tokenizer, OUT/spm.*, OUT/sentences.txt)

Each checkpoint folder also gets the files transformers 2.8 reads (sentencepiece.bpe.model / vocab.txt).
Usage: `python benchmarks/official_parity/make_checkpoints.py OUT [--samples tests/samples]`
"""

from __future__ import annotations

import argparse
import json
import shutil
import tarfile
from pathlib import Path

import sentencepiece as spm
from transformers import XLMRobertaTokenizer

from xlt_bench.testing import tiny_bert_tokenizer, tiny_checkpoint

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "samples"
UPOS = "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()


def sample_sentences(samples: Path) -> list[str]:
    """UD-POS sentence texts, then each XQuAD context followed by its questions."""
    sentences = []
    with tarfile.open(samples / "udpos.tar.gz") as t:
        for m in t.getmembers():
            for line in t.extractfile(m).read().decode().splitlines():
                if line.startswith("# text = "):
                    sentences.append(line[9:])
    with tarfile.open(samples / "xquad.tar.gz") as t:
        for m in t.getmembers():
            data = json.load(t.extractfile(m))
            for art in data["data"]:
                for p in art["paragraphs"]:
                    sentences.append(p["context"])
                    sentences += [q["question"] for q in p["qas"]]
    return sentences


def make_checkpoints(out: Path, samples: Path = SAMPLES) -> None:
    out.mkdir(parents=True, exist_ok=True)
    sentences = sample_sentences(samples)
    print(len(sentences))
    (out / "sentences.txt").write_text("\n".join(s.replace("\n", " ") for s in sentences), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(out / "sentences.txt"),
        model_prefix=str(out / "spm"),
        vocab_size=4000,
        model_type="unigram",
        character_coverage=0.9995,
        input_sentence_size=100000,
        shuffle_input_sentence=False,
        pad_id=-1,
        bos_id=1,
        eos_id=2,
        unk_id=0,
        user_defined_symbols=[],
        num_threads=1,
        seed_sentencepiece_size=100000,
    )
    spdir = out / "xlmr-tokenizer"
    spdir.mkdir(exist_ok=True)
    shutil.copy(out / "spm.model", spdir / "sentencepiece.bpe.model")
    xlmr = XLMRobertaTokenizer.from_pretrained(str(spdir))
    print(type(xlmr), len(xlmr), xlmr.tokenize("Hello  world, 北京大学"))
    bert = tiny_bert_tokenizer(sentences, vocab_size=4000)
    print(len(bert), bert.tokenize("Hello  world, 北京大学"))
    for name, tok in [("xlmr", xlmr), ("bert", bert)]:
        max_positions = 514 if name == "xlmr" else 512
        tiny_checkpoint(
            out / f"{name}-tag", head="token-classification", labels=UPOS, tokenizer=tok, seed=1,
            max_positions=max_positions,
        )  # fmt: skip
        tiny_checkpoint(
            out / f"{name}-qa", head="question-answering", tokenizer=tok, seed=2, max_positions=max_positions
        )
    for d in (out / "xlmr-tag", out / "xlmr-qa"):
        shutil.copy(spdir / "sentencepiece.bpe.model", d / "sentencepiece.bpe.model")
    vocab = sorted(bert.get_vocab().items(), key=lambda kv: kv[1])
    assert [i for _, i in vocab] == list(range(len(vocab)))
    for d in (out / "bert-tag", out / "bert-qa"):
        (d / "vocab.txt").write_text("".join(t + "\n" for t, _ in vocab), encoding="utf-8")
    for d in sorted(out.glob("*-*")):
        print(d, sorted(p.name for p in d.iterdir()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="output folder (created if missing)")
    ap.add_argument("--samples", type=Path, default=SAMPLES, help="folder with udpos.tar.gz and xquad.tar.gz")
    args = ap.parse_args()
    make_checkpoints(args.out, args.samples)


if __name__ == "__main__":
    main()
