#!/usr/bin/env bash
# Builds and runs every test: the normal build, the ASan/UBSan build, and the libFuzzer
# harnesses for a short run each over their corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
jobs=$(nproc)
# CI runs as root with every peer program installed: a skipped test is a check that did not run,
# so the shared gtest main (tests/support/gtest_main.cpp) turns it into a failure.
export PXE_NO_SKIP=1

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
  # One harness per core at a time: each is single-threaded, so the run takes half the time with
  # the same 20 s per harness.
  fuzz_one() {
    f=$1; name=$(basename "$f"); corpus=tests/fuzz/corpus/${name#fuzz_}
    mkdir -p "$corpus"
    work=$(mktemp -d)
    echo "fuzzing $name for 20 s"
    # -timeout flags an input that takes 10 s (a quadratic path on a 64 KiB input does);
    # the fuzz build has -fno-sanitize-recover=all, so a UBSan finding stops the run too.
    "$f" -max_total_time=20 -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
      "$work" "$corpus" >/dev/null 2>"$work/log" ||
      { echo "$name found a problem:"; tail -50 "$work/log"; rm -rf "$work"; return 1; }
    rm -rf "$work"
  }
  export -f fuzz_one
  printf '%s\n' build-fuzz/fuzz/fuzz_* | xargs -P "$jobs" -I{} bash -euo pipefail -c 'fuzz_one "$1"' _ {}
fi
