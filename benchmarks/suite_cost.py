"""What evaluating the whole XTREME suite costs, on paper: examples and tokens per task, GPU time on 1 and 8 GPUs.

Counts are computed from the whole files in `--data-dir` (the samples in `../shared/data`: Tatoeba for 8
languages, XQuAD for 6) and taken, for everything else, from the sizes Hugging Face `datasets` published for its
XTREME loader (`CACHED_SIZES`, quoted below with its source); each row says which. XLM-R's vocabulary is not
available offline, so tokens are estimated, not tokenised: UTF-8 text bytes / 4 for sentence and QA tasks (QA: the
context is read once per question; window overlap not counted) and 1.5 sub-words per word for the tagging tasks.
BUCC is left out: its mining corpora (hundreds of thousands of sentences per side) are not in either source, and
its search cost is measured by `benchmarks/bucc_scale.py`.

GPU time is an estimate from FLOPs, not a measurement: 2 x non-embedding parameters x tokens for one forward pass
(XLM-R large: 24 layers x 12 x 1024^2 = 302M; the 256M embedding parameters are a lookup), divided by the GPU's
dense bf16 peak times an assumed utilisation. 8 GPUs: the (task, language) units are independent, so the time
divides by 8 (load imbalance and per-process model loading ignored).
Usage: `python benchmarks/suite_cost.py [--data-dir ../shared/data] [--peak-tflops 312] [--utilisation 0.3]`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from xlt_bench.plugins.xtreme import TATOEBA_CODES

REPO = Path(__file__).resolve().parents[1]
# the UD languages' config names in `SOURCE` (`udpos.<Name>`)
UD_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "kk": "Kazakh", "ko": "Korean", "mr": "Marathi", "nl": "Dutch", "pt": "Portuguese", "ru": "Russian",
    "ta": "Tamil", "te": "Telugu", "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "ur": "Urdu",
    "vi": "Vietnamese", "yo": "Yoruba", "zh": "Chinese",
}  # fmt: skip
SOURCE = "published: HF datasets' xtreme 1.0.0 sizes"
# <config> <num_bytes> <num_examples> of XTREME's evaluation split, quoted from `SOURCE`
# (datasets/xtreme/urls_checksums/cached_sizes.txt). That version yielded one row per *word* for PAN-X and
# UD-POS (PAN-X af: 10,808 rows where XTREME has 1,000 test sentences), so their rows are words.
CACHED_SIZES = """
XNLI 20406358 75150
PAWS-X.de 511233 2001
PAWS-X.en 481777 2001
PAWS-X.fr 522070 2001
PAWS-X.ja 655679 2001
PAWS-X.ko 549013 2000
PAWS-X.zh 461677 2001
MLQA.ar.ar 8374784 5335
MLQA.de.de 4371752 4517
MLQA.en.en 14019110 11590
MLQA.es.es 4400903 5253
MLQA.hi.hi 11816625 4918
MLQA.vi.vi 7928955 5495
MLQA.zh.zh 4428780 5137
tydiqa 5013731 5077
XQuAD.ar 1724140 1190
XQuAD.de 1284642 1190
XQuAD.el 2208031 1190
XQuAD.en 1117464 1190
XQuAD.es 1274840 1190
XQuAD.hi 2684316 1190
XQuAD.th 2856300 1190
XQuAD.tr 1212104 1190
XQuAD.vi 1478580 1190
XQuAD.zh 985582 1190
PAN-X.af 230065 10808
PAN-X.ar 1684298 64347
PAN-X.bg 2097996 83463
PAN-X.bn 150549 4377
PAN-X.de 2128618 97646
PAN-X.el 2305371 90666
PAN-X.en 1752476 80326
PAN-X.es 1469168 64727
PAN-X.et 1810095 80485
PAN-X.eu 2012495 90661
PAN-X.fa 1663304 59491
PAN-X.fi 1907654 83660
PAN-X.fr 1528309 68754
PAN-X.he 2107059 85422
PAN-X.hi 182559 6005
PAN-X.hu 2013482 90302
PAN-X.id 1399565 61834
PAN-X.it 1738028 80871
PAN-X.ja 5869830 306959
PAN-X.jv 15095 678
PAN-X.ka 2609648 81922
PAN-X.kk 214406 7936
PAN-X.ko 1920149 80841
PAN-X.ml 258857 6727
PAN-X.mr 237368 7356
PAN-X.ms 134393 5874
PAN-X.my 35214 756
PAN-X.nl 1827388 85122
PAN-X.pt 1431723 63647
PAN-X.ru 1898675 71288
PAN-X.sw 126816 5786
PAN-X.ta 259651 7237
PAN-X.te 273674 8155
PAN-X.th 12558245 649606
PAN-X.tl 108714 4627
PAN-X.tr 1718270 75731
PAN-X.ur 142774 5027
PAN-X.vi 1460271 64967
PAN-X.yo 12432 503
PAN-X.zh 3942438 207505
udpos.Afrikaans 171712 10065
udpos.Arabic 1047230 52879
udpos.Basque 439361 24374
udpos.Bulgarian 334964 15724
udpos.Chinese 1215720 73131
udpos.Dutch 390404 22634
udpos.English 1397273 84986
udpos.Estonian 1056794 58596
udpos.Finnish 1012241 53260
udpos.French 1686833 103429
udpos.German 7219099 406668
udpos.Greek 1015172 45195
udpos.Hebrew 280783 15137
udpos.Hindi 1389605 59259
udpos.Hungarian 192942 10448
udpos.Indonesian 555818 31680
udpos.Italian 1383742 84640
udpos.Japanese 916185 53592
udpos.Kazakh 227986 10141
udpos.Korean 1148823 56627
udpos.Marathi 8807 376
udpos.Persian 321592 16122
udpos.Portuguese 1123234 69417
udpos.Russian 4211258 192457
udpos.Spanish 1477844 88820
udpos.Tagalog 4798 292
udpos.Tamil 70721 2183
udpos.Telugu 18807 721
udpos.Thai 556836 22322
udpos.Turkish 822294 44739
udpos.Urdu 287272 14806
udpos.Vietnamese 209717 11955
udpos.Yoruba 45119 2664
tatoeba.afr 143276 1000
tatoeba.ara 156291 1000
tatoeba.cmn 152572 1000
tatoeba.deu 189208 1000
tatoeba.fra 163659 1000
tatoeba.hin 206199 1000
tatoeba.jpn 176724 1000
tatoeba.spa 155907 1000
tatoeba.swh 53098 390
tatoeba.bul 185920 1000
tatoeba.ben 175344 1000
tatoeba.ell 162602 1000
tatoeba.est 143369 1000
tatoeba.eus 149709 1000
tatoeba.pes 177360 1000
tatoeba.fin 159310 1000
tatoeba.heb 167141 1000
tatoeba.hun 152530 1000
tatoeba.ind 158485 1000
tatoeba.ita 149474 1000
tatoeba.jav 31074 205
tatoeba.kat 134564 746
tatoeba.kaz 95279 575
tatoeba.kor 162780 1000
tatoeba.mal 152184 687
tatoeba.mar 184183 1000
tatoeba.nld 156904 1000
tatoeba.por 158826 1000
tatoeba.rus 176113 1000
tatoeba.tam 65133 307
tatoeba.tha 109043 548
tatoeba.tgl 151779 1000
tatoeba.tur 155526 1000
tatoeba.urd 172353 1000
tatoeba.vie 175048 1000
"""
# Not in that file: PAWS-X es (XTREME Table 1: 2,000 per language; bytes: the mean of the other six), XQuAD ru
# (1,190, as every XQuAD language; bytes: the mean of the other XQuAD languages) and Tatoeba tel (234 lines in
# LASER's file, per ../shared/data/README.md; bytes: 234 x the mean bytes per pair of the other languages).
TATOEBA_TEL_LINES = 234
BYTES_PER_TOKEN = 4.0
TOKENS_PER_WORD = 1.5
XLMR_LARGE_FLOPS_PER_TOKEN = 2 * 24 * 12 * 1024**2


@dataclass
class TaskCost:
    """One task's examples (None: not counted), text size and where the counts come from."""

    task: str
    languages: int
    examples: int | None
    tokens: float
    basis: str
    source: str


def published() -> dict[str, tuple[int, int]]:
    """config -> (bytes, rows) from `CACHED_SIZES`."""
    sizes = {}
    for line in CACHED_SIZES.strip().splitlines():
        config, size, rows = line.split()
        sizes[config] = (int(size), int(rows))
    return sizes


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def tatoeba_cost(sizes: dict[str, tuple[int, int]], data_dir: Path) -> TaskCost:
    """Computed from LASER's whole files where `data_dir` has them, published sizes for the rest."""
    folder = data_dir / "tatoeba" / "v1"
    computed, examples, text_bytes = [], 0, 0.0
    for code in TATOEBA_CODES.values():
        files = [folder / f"tatoeba.{code}-eng.{code}", folder / f"tatoeba.{code}-eng.eng"]
        if all(path.is_file() for path in files):
            computed.append(code)
            examples += len(files[0].read_text(encoding="utf-8").splitlines())
            text_bytes += sum(path.stat().st_size for path in files)
    known = {code: sizes[f"tatoeba.{code}"] for code in TATOEBA_CODES.values() if f"tatoeba.{code}" in sizes}
    per_pair = mean(size / rows for size, rows in known.values())
    for code in set(TATOEBA_CODES.values()) - set(computed):
        size, rows = known.get(code, (round(TATOEBA_TEL_LINES * per_pair), TATOEBA_TEL_LINES))  # tel: not listed
        examples += rows
        text_bytes += size
    basis = f"bytes; computed from the files for {len(computed)} languages ({', '.join(sorted(computed))}), the rest"
    return TaskCost("tatoeba", len(TATOEBA_CODES), examples, text_bytes / BYTES_PER_TOKEN, basis, SOURCE)


def xquad_cost(sizes: dict[str, tuple[int, int]], data_dir: Path, languages: tuple[str, ...]) -> TaskCost:
    """Questions and context + question bytes from the whole files in `data_dir`, published sizes for the rest."""
    computed, examples, text_bytes = [], 0, 0.0
    for language in languages:
        path = data_dir / "xquad" / f"xquad.{language}.json"
        if not path.is_file():
            continue
        computed.append(language)
        for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
            for paragraph in article["paragraphs"]:
                context = len(paragraph["context"].encode())
                for qa in paragraph["qas"]:
                    examples += 1
                    text_bytes += context + len(qa["question"].encode())
    listed = [sizes[f"XQuAD.{language}"][0] for language in languages if f"XQuAD.{language}" in sizes]
    for language in set(languages) - set(computed):
        examples += 1190
        text_bytes += sizes.get(f"XQuAD.{language}", (mean(listed), 0))[0]
    basis = f"bytes; computed from the files for {len(computed)} languages ({', '.join(sorted(computed))}), the rest"
    return TaskCost("xquad", len(languages), examples, text_bytes / BYTES_PER_TOKEN, basis, SOURCE)


def suite_costs(data_dir: Path) -> list[TaskCost]:
    from xlt_bench.registry import load_registry

    registry = load_registry()
    languages = {task.name: task.languages for task in registry.suite_tasks("xtreme")}
    sizes = published()

    def sum_of(prefix: str) -> tuple[int, int, int]:
        """(bytes, rows, configs) over the configs that start with `prefix`."""
        chosen = [value for config, value in sizes.items() if config.startswith(prefix)]
        return sum(size for size, _ in chosen), sum(rows for _, rows in chosen), len(chosen)

    xnli_bytes, xnli_rows, _ = sum_of("XNLI")
    paws_bytes, _, paws_configs = sum_of("PAWS-X.")
    paws_bytes += paws_bytes / paws_configs * (len(languages["pawsx"]) - paws_configs)  # es: not in the file
    mlqa_bytes, mlqa_rows, _ = sum_of("MLQA.")
    tydiqa_bytes, tydiqa_rows, _ = sum_of("tydiqa")
    panx_words = sum(sizes[f"PAN-X.{language}"][1] for language in languages["panx"])
    ud_words = sum(sizes[f"udpos.{UD_NAMES[language]}"][1] for language in languages["udpos"])
    paws_source = "published: XTREME paper Table 1 (2,000 a language); bytes " + SOURCE.removeprefix("published: ")
    return [
        TaskCost("xnli", 15, xnli_rows, xnli_bytes / BYTES_PER_TOKEN, "bytes", SOURCE),
        TaskCost("pawsx", 7, 2000 * 7, paws_bytes / BYTES_PER_TOKEN, "bytes", paws_source),
        TaskCost("udpos", 33, None, ud_words * TOKENS_PER_WORD, f"{ud_words:,} words", SOURCE),
        TaskCost("panx", 40, None, panx_words * TOKENS_PER_WORD, f"{panx_words:,} words", SOURCE),
        xquad_cost(sizes, data_dir, languages["xquad"]),
        TaskCost("mlqa", 7, mlqa_rows, mlqa_bytes / BYTES_PER_TOKEN, "bytes", SOURCE),
        TaskCost("tydiqa", 9, tydiqa_rows, tydiqa_bytes / BYTES_PER_TOKEN, "bytes", SOURCE),
        tatoeba_cost(sizes, data_dir),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--peak-tflops", type=float, default=312.0, help="dense bf16 peak (A100: 312)")
    parser.add_argument("--utilisation", type=float, default=0.3, help="assumed share of the peak reached")
    args = parser.parse_args()
    costs = suite_costs(args.data_dir)
    print("| task | languages | examples | tokens (estimate) | counted from |")
    print("|---|---:|---:|---:|---|")
    for cost in costs:
        examples = f"{cost.examples:,}" if cost.examples is not None else "not counted"
        print(
            f"| {cost.task} | {cost.languages} | {examples} | {cost.tokens / 1e6:.1f}M | {cost.basis}; {cost.source} |"
        )
    tokens = sum(cost.tokens for cost in costs)
    seconds = tokens * XLMR_LARGE_FLOPS_PER_TOKEN / (args.peak_tflops * 1e12 * args.utilisation)
    print(f"| all but bucc2018 | | | {tokens / 1e6:.1f}M | |")
    gpu = f"{args.peak_tflops:g} TFLOP/s peak x {args.utilisation:.0%} utilisation"
    print(
        f"\nXLM-R large forward passes, {gpu} (estimate, not measured): {seconds / 60:.1f} min on 1 GPU, "
        f"{seconds / 60 / 8:.1f} min on 8 GPUs"
    )


if __name__ == "__main__":
    main()
