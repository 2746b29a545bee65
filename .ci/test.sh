#!/usr/bin/env bash
# Builds and runs every test: the normal build, the ASan/UBSan build, and the libFuzzer
# harnesses for a short run each over their corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPXE_SANITIZE=ON
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

if command -v clang++ >/dev/null; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPXE_FUZZ=ON -DPXE_BUILD_TESTS=OFF -DPXE_WERROR=OFF
  cmake --build build-fuzz -j"$jobs"
  for f in build-fuzz/fuzz/fuzz_*; do
    name=$(basename "$f"); corpus=tests/fuzz/corpus/${name#fuzz_}
    mkdir -p "$corpus"
    work=$(mktemp -d)
    echo "fuzzing $name for 20 s"
    "$f" -max_total_time=20 -print_final_stats=0 "$work" "$corpus" >/dev/null 2>"$work/log" ||
      { tail -50 "$work/log"; exit 1; }
    rm -rf "$work"
  done
fi
