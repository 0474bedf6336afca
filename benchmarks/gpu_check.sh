#!/usr/bin/env bash
# The GPU path, measured (< 5 minutes on one H100/H200-class GPU): an XLM-R-large-shaped encoder built from its
# config (random weights, no download) runs PAN-X tagging, XQuAD QA and Tatoeba retrieval through
# `xlt-bench eval --batch-size auto` in float32 and bfloat16, again on two GPUs with torch.distributed when
# `nvidia-smi -L` lists two, and prints examples/s, sequences/s and tokens/s (benchmarks/gpu_check.py).
#
# Usage: benchmarks/gpu_check.sh [--dry-run]
#   --dry-run      a tiny model on CPU: checks the script itself, measures nothing
#   PYTHON         the interpreter with xlt-bench and a CUDA build of torch installed (default: python)
#   GPU_CHECK_DIR  where checkpoints, data and run folders go (default: a new temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python}
gpus=0
if [[ ${1:-} == --dry-run ]]; then
    tiny=(--tiny)
    device=cpu
else
    tiny=()
    device=auto
    if ! gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU') \
        || ! "$python" -c 'import sys, torch; sys.exit(not torch.cuda.is_available())' 2>/dev/null; then
        echo "gpu_check: no CUDA GPU on this machine (nvidia-smi and torch.cuda find none); nothing measured" >&2
        exit 1
    fi
fi
work=${GPU_CHECK_DIR:-$(mktemp -d -t xlt-bench-gpu-check.XXXXXX)}
"$python" benchmarks/gpu_check.py prepare "$work" "${tiny[@]}"
options=(--suite xtreme --model "$work/manifest.yaml" --tasks panx,xquad,tatoeba --languages de
    --data-dir "$work/data" --batch-size auto --device "$device" --quiet)
runs=()
for dtype in float32 bfloat16; do
    run=$work/runs/1gpu-$dtype
    "$python" -m xlt_bench eval "${options[@]}" --dtype "$dtype" --output "$run" --cache-dir "$work/cache-1-$dtype" >/dev/null
    runs+=("$run")
    if ((gpus >= 2)); then  # data parallel: batches dealt to the two ranks, outputs gathered
        run=$work/runs/2gpu-$dtype
        "$python" -m torch.distributed.run --nproc_per_node=2 -m xlt_bench eval "${options[@]}" --dtype "$dtype" \
            --output "$run" --cache-dir "$work/cache-2-$dtype" >/dev/null
        runs+=("$run")
    fi
done
"$python" benchmarks/gpu_check.py report "${runs[@]}"
echo "gpu_check: checkpoints, data and run folders in $work"
