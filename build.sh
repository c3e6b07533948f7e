#!/usr/bin/env bash
# ./build.sh        build, generate RTL for configs/default.yaml, co-simulate the default workload, print the report
# ./build.sh test   build and run every test
set -euo pipefail
cd "$(dirname "$0")"

DEFAULT_WORKLOAD="gemm:M=256,N=256,K=256"

# Every Debian package the build, the tests and the documented commands use: .ci/packages.
source .ci/prerequisites.sh

build() {
  echo "==> building (Release)"
  dotnet build HwGen.sln -c Release -nologo -v quiet -clp:ErrorsOnly
}

ensure_packages || exit $?
build

case "${1:-}" in
  "")
    echo "==> generating rtl-out/default"
    ./hwgen generate configs/default.yaml
    echo "==> co-simulating ${DEFAULT_WORKLOAD} on configs/default.yaml"
    ./hwgen sim configs/default.yaml --workload "${DEFAULT_WORKLOAD}" --json rtl-out/default/last-sim.json
    echo "==> a real sentence through MiniLM on configs/default.yaml (co-simulation, cosine against ONNX Runtime)"
    ./hwgen run configs/default.yaml --model minilm --text "The accelerator runs a real sentence through MiniLM."
    ;;
  test)
    results="$(mktemp -d)"
    set +e
    dotnet test HwGen.sln -c Release --no-build -nologo --logger "trx;LogFileName=results.trx" --results-directory "$results" "${@:2}"
    status=$?
    set -e
    trx="$(find "$results" -name '*.trx' | head -n 1)"
    if [[ -n "$trx" ]]; then
      counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
      get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
      total=$(get total); executed=$(get executed); passed=$(get passed); failed=$(get failed)
      skipped=$(( ${total:-0} - ${executed:-0} ))
      echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"
    fi
    exit $status
    ;;
  *)
    echo "usage: ./build.sh [test]" >&2
    exit 2
    ;;
esac
