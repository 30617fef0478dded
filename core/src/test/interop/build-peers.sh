#!/usr/bin/env bash
# Builds the interop peers (quic-go/ with Go, quinn/ with cargo; dependencies from the Go module
# proxy and crates.io, pinned by go.sum and Cargo.lock) once into a cache keyed by a hash of their
# sources. The interop tests (core/src/test/java/io/quicheengine/interop) run these binaries.
#
#   build-peers.sh [RESULT_FILE]
#
# Without RESULT_FILE: prints the directory holding bin/quic-go-peer and bin/quinn-peer on its last
# line and exits 0, or prints "FAILED: reason" and exits 1. With RESULT_FILE (how Maven runs it):
# always exits 0 and writes "peers=DIR" or "failure=reason" there, so a missing Go or cargo fails
# the interop tests with that reason instead of the whole build.
#
# Cache: $QUICHE_ENGINE_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/quiche-engine (the rule of
# ffm-bindings/src/build/build-libquiche.sh), in interop-HASH/.
set -u -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
result_file="${1:-}"
cache_root="${QUICHE_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/quiche-engine}"
say() { echo "[interop-peers] $*"; }

finish_ok() {
  if [ -n "$result_file" ]; then
    mkdir -p "$(dirname "$result_file")" && echo "peers=$1" >"$result_file"
  fi
  say "peers ready: $1/bin (quic-go-peer, quinn-peer)"
  echo "$1"
  exit 0
}
fail() {
  say "FAILED: $1"
  if [ -n "$result_file" ]; then
    mkdir -p "$(dirname "$result_file")" && echo "failure=$1" >"$result_file"
    exit 0
  fi
  echo "FAILED: $1"
  exit 1
}

sources=(build-peers.sh quic-go/go.mod quic-go/go.sum quic-go/main.go quinn/Cargo.toml quinn/Cargo.lock quinn/src/main.rs)
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; }
hash=$(cd "$here" && for f in "${sources[@]}"; do echo "== $f"; cat "$f"; done | sha256 | cut -c1-16) \
  || fail "cannot read the peer sources in $here"
dir="$cache_root/interop-$hash"
cached() { [ -x "$dir/bin/quic-go-peer" ] && [ -x "$dir/bin/quinn-peer" ] && [ -f "$dir/BUILD_OK" ]; }

if cached; then
  finish_ok "$dir"
fi
command -v go >/dev/null 2>&1 || fail "go not found on PATH: the quic-go interop peer needs Go >= 1.26 (https://go.dev/doc/install)"
command -v cargo >/dev/null 2>&1 || fail "cargo not found on PATH: the quinn interop peer needs Rust >= 1.85 (rustup)"

mkdir -p "$dir/bin" || fail "cannot create the cache directory $dir"
# Two runs at once (two Maven builds, an IDE) must not both build into one directory.
exec 9>"$dir/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  cached && finish_ok "$dir"
fi

log="$dir/build.log"
: >"$log"
start=$(date +%s)
say "building the interop peers once (quic-go, then quinn; about 2-4 min cold on 2 cores); cache: $dir"
(
  while sleep 30; do
    say "still building... $(( $(date +%s) - start ))s, last step: $(grep -E 'Compiling|go: downloading|Downloaded' "$log" | tail -n 1 | sed 's/^ *//')"
  done
) &
heartbeat=$!
trap 'kill $heartbeat 2>/dev/null' EXIT

reason() { grep -E "^error|error:|cannot|go: " "$log" | head -n 1; }

# GOTOOLCHAIN=local: an older Go says so instead of fetching a newer toolchain.
(cd "$here/quic-go" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath -o "$dir/bin/quic-go-peer.tmp" .) >>"$log" 2>&1 \
  || fail "go build of the quic-go peer failed: $(reason) (full log: $log)"
go_done=$(date +%s)
say "quic-go peer built in $(( go_done - start ))s"

# One target directory for every hash: a changed peer recompiles only itself, not its dependencies.
(cd "$here/quinn" && CARGO_TARGET_DIR="$cache_root/interop-cargo-target" cargo build --release --locked) >>"$log" 2>&1 \
  || fail "cargo build of the quinn peer failed: $(reason) (full log: $log)"
cp "$cache_root/interop-cargo-target/release/quinn-peer" "$dir/bin/quinn-peer.tmp" || fail "cannot copy the quinn peer into $dir/bin"
say "quinn peer built in $(( $(date +%s) - go_done ))s"

kill $heartbeat 2>/dev/null
mv -f "$dir/bin/quic-go-peer.tmp" "$dir/bin/quic-go-peer" && mv -f "$dir/bin/quinn-peer.tmp" "$dir/bin/quinn-peer" \
  || fail "cannot install the peers in $dir/bin"
echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $(( $(date +%s) - start ))s with $(go version) and $(cargo --version)" >"$dir/BUILD_OK"
finish_ok "$dir"
