#!/usr/bin/env bash
# The comparisons of benchmarks/README.md ("Comparisons on Fashion-MNIST"), on the real
# Fashion-MNIST (apt-get install dataset-fashion-mnist), with the exact commands; each line
# of the log gives the load average before the command and its wall time after it.
#
#   bash benchmarks/compare.sh OUT_FOLDER [PART...]     parts: activations optimizers lr
#   REPEATS=2 bash benchmarks/compare.sh OUT activations   jobs 1 and 2 interleaved, twice
set -euo pipefail
out=${1:?usage: bash benchmarks/compare.sh OUT_FOLDER [activations|optimizers|lr ...]}
shift
parts=${*:-activations optimizers lr}
mlp=(--model mlp --hidden 256,128 --epochs 5 --seeds 0,1,2 --out "$out")

timed() {  # timed NAME COMMAND...: run it, saying the load before and the wall time after
    local name=$1 started
    shift
    echo "== $name: $(uptime | sed 's/.*load average/load average/')"
    echo "   $*"
    started=$(date +%s)
    "$@" | tail -n 1
    echo "   $name took $(($(date +%s) - started)) s; after: $(uptime | sed 's/.*load average/load average/')"
}

for part in $parts; do
    case $part in
    activations)  # the homework's question, with one job and with two, interleaved
        for repeat in $(seq "${REPEATS:-1}"); do
            for jobs in 1 2; do
                timed "activations-jobs$jobs-$repeat" uv run glassnet compare \
                    --vary activation=relu,tanh,sigmoid,leaky_relu,elu,gelu "${mlp[@]}" \
                    --jobs "$jobs" --name "activations-jobs$jobs-$repeat"
            done
        done ;;
    optimizers)  # the answer sheet's question, at two learning rates (each optimizer has its own best)
        timed optimizers uv run glassnet compare --vary optimizer=sgd,momentum,nesterov,rmsprop,adam \
            --vary lr=1e-2,1e-3 "${mlp[@]}" --jobs 2 --name optimizers ;;
    lr)  # the lecture's loss-vs-epoch picture: plain SGD with rates from too high to too low
        timed learning-rates uv run glassnet compare --vary lr=1,0.3,0.03,0.003,0.0003 --optimizer sgd \
            "${mlp[@]}" --jobs 2 --name learning-rates ;;
    *) echo "unknown part: $part (activations, optimizers, lr)" >&2; exit 2 ;;
    esac
done
