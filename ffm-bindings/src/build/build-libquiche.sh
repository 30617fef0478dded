#!/usr/bin/env bash
# Builds the optimized libquiche (the `quiche` crate from crates.io, `cargo build --release
# --features ffi,qlog`) once into a cache outside the work tree, keyed by version. Later builds,
# tests, benchmarks and the `quic` launcher reuse it. QuicheLibrary looks in the same place.
# The project's fixes in patches/quiche-VERSION/*.patch are applied to the crate's sources first;
# a cached library built with another set of patches is rebuilt.
#
# Never fails the Maven build: without cargo, or when the build fails, it says why in one line
# and the loader falls back to the debug library inside jetty-quiche-native.
#
# Cache: the first set and non-empty of $QUICHE_ENGINE_CACHE, $XDG_CACHE_HOME/quiche-engine,
# $HOME/.cache/quiche-engine, and last the account's home directory (what Java calls user.home)
# + /.cache/quiche-engine. QuicheLibrary.cacheDirectory() follows the same rule; keep them in step
# (QuicheLibraryTest runs `build-libquiche.sh --print-cache-dir` under several environments).
set -u -o pipefail

cache_root_dir() {
  if [ -n "${QUICHE_ENGINE_CACHE:-}" ]; then
    echo "$QUICHE_ENGINE_CACHE"
  elif [ -n "${XDG_CACHE_HOME:-}" ]; then
    echo "$XDG_CACHE_HOME/quiche-engine"
  elif [ -n "${HOME:-}" ]; then
    echo "$HOME/.cache/quiche-engine"
  else
    # With HOME unset, bash expands ~ from the password database, as the JVM sets user.home.
    echo "$(unset HOME; echo ~)/.cache/quiche-engine"
  fi
}

if [ "${1:-}" = "--print-cache-dir" ]; then
  cache_root_dir
  exit 0
fi

version="${1:?usage: build-libquiche.sh VERSION | --print-cache-dir}"
cache_root="$(cache_root_dir)"
dir="$cache_root/quiche-$version-release"
case "$(uname -s)" in
  Darwin) lib_name=libquiche.dylib ;;
  *) lib_name=libquiche.so ;;
esac
say() { echo "[libquiche] $*"; }

patches=()
for p in "$(cd "$(dirname "$0")" && pwd)/patches/quiche-$version"/*.patch; do
  [ -f "$p" ] && patches+=("$p")
done
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; }
patch_id=none
patch_names=none
if [ ${#patches[@]} -gt 0 ]; then
  patch_id=$(cat "${patches[@]}" | sha256 | cut -c1-16)
  patch_names=$(for p in "${patches[@]}"; do basename "$p"; done | paste -sd, -)
fi
cached() { [ -f "$dir/$lib_name" ] && grep -q "patches=$patch_id" "$dir/BUILD_OK" 2>/dev/null; }

if cached; then
  say "optimized libquiche $version cached at $dir/$lib_name"
  exit 0
fi
if ! command -v cargo >/dev/null 2>&1; then
  say "optimized build skipped: cargo not found on PATH; the engine will use the debug fallback (slow). Install Rust (rustup), cmake and a C compiler for full speed."
  exit 0
fi
if ! command -v cmake >/dev/null 2>&1; then
  say "optimized build skipped: cmake not found on PATH (BoringSSL needs it); the engine will use the debug fallback (slow)."
  exit 0
fi
# boring-sys (quiche's BoringSSL since 0.25) runs `git init` in its copy of the BoringSSL sources.
if ! command -v git >/dev/null 2>&1; then
  say "optimized build skipped: git not found on PATH (the boring-sys build runs it); the engine will use the debug fallback (slow)."
  exit 0
fi

mkdir -p "$dir"
# Two builds starting at once (two Maven runs, CI and an IDE) must not both compile into one tree.
exec 9>"$dir/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  if cached; then
    say "optimized libquiche $version built by a concurrent run: $dir/$lib_name"
    exit 0
  fi
fi

log="$dir/build.log"
: >"$log"
fail() {
  local reason
  # bindgen's and the C compiler's own words say more than cargo's "failed to run custom build command".
  reason=$(grep -m 1 -E "Unable to (find libclang|generate bindings)|fatal error:" "$log" | sed 's/^ *//')
  [ -n "$reason" ] || reason=$(grep -E "^error|error:|Error" "$log" | head -n 1)
  say "optimized build FAILED: ${reason:-$1} (full log: $log); the engine will use the debug fallback (slow)."
  exit 0
}

say "building optimized libquiche $version once (cargo build --release; BoringSSL included, about 3-8 min on 2 cores)."
say "cache: $dir"

# Fetch the crate source through cargo, so registry mirrors and proxies configured for cargo apply.
fetch="$dir/fetch"
mkdir -p "$fetch/src"
cat >"$fetch/Cargo.toml" <<EOF
[package]
name = "quiche-engine-fetch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
quiche = { version = "=$version", default-features = false }
EOF
: >"$fetch/src/lib.rs"
cargo fetch --manifest-path "$fetch/Cargo.toml" >>"$log" 2>&1 || fail "cargo fetch of quiche $version failed"
manifest=$(cargo metadata --format-version 1 --manifest-path "$fetch/Cargo.toml" 2>>"$log" \
  | grep -o "\"manifest_path\":\"[^\"]*quiche-$version/Cargo.toml\"" | head -n 1 | sed 's/^"manifest_path":"//; s/"$//')
[ -n "$manifest" ] && [ -f "$manifest" ] || fail "could not locate the quiche $version sources after cargo fetch"

src="$dir/src"
rm -rf "$src"
cp -R "$(dirname "$manifest")" "$src" || fail "could not copy the quiche sources to $src"
for p in ${patches[@]+"${patches[@]}"}; do
  if command -v patch >/dev/null 2>&1; then
    patch -d "$src" -p1 --forward --quiet <"$p" >>"$log" 2>&1
  else
    (cd "$src" && git apply -p1 "$p") >>"$log" 2>&1
  fi || fail "patch $(basename "$p") does not apply to quiche $version"
  say "applied $(basename "$p")"
done

# boring-sys generates BoringSSL's Rust bindings with bindgen, which loads libclang at run time
# (clang-sys searches LIBCLANG_PATH, llvm-config and the usual library directories). Many machines
# have no libclang (Debian's libclang-cpp is not it), and only this script may install anything:
# it unpacks Debian's libclang into the cache (apt-get download needs no root), or else takes the
# self-contained libclang of PyPI's `libclang` wheel. Each sets what bindgen needs and says so once.
libclang_dir="$dir/libclang"
system_libclang() {
  local f llvm_lib=""
  command -v llvm-config >/dev/null 2>&1 && llvm_lib="$(llvm-config --libdir 2>/dev/null)"
  for f in ${llvm_lib:+"$llvm_lib"/libclang*} /usr/lib/llvm-*/lib/libclang*.so* /usr/lib64/llvm*/lib*/libclang*.so* \
           /usr/lib/*-linux-gnu/libclang*.so* /usr/lib64/libclang*.so* /usr/lib/libclang*.so* /usr/local/lib/libclang*.so* \
           /opt/homebrew/opt/llvm/lib/libclang.dylib /usr/local/opt/llvm/lib/libclang.dylib \
           /Library/Developer/CommandLineTools/usr/lib/libclang.dylib; do
    # libclang-cpp is the C++ library, not the C API that bindgen loads.
    case "$(basename "$f")" in libclang-cpp*) continue ;; esac
    [ -e "$f" ] && { echo "$f"; return 0; }
  done
  return 1
}
# Debian's libclang1-N (+ libclang-common-N-dev for the compiler's own headers such as stddef.h),
# and libllvmN when it is not installed. Prefers an N whose libllvm is already installed.
libclang_from_apt() {
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 || return 1
  local n pkgs tmp deb lib res
  n=$(dpkg-query -W -f='${Package} ${Status}\n' 'libllvm[0-9]*' 2>/dev/null | grep ' installed$' | sed -n 's/^libllvm\([0-9][0-9]*\) .*/\1/p' | sort -n | tail -n 1)
  pkgs="libclang1-$n libclang-common-$n-dev"
  if [ -z "$n" ]; then
    n=$(apt-cache pkgnames libclang1- 2>/dev/null | sed -n 's/^libclang1-\([0-9][0-9]*\)$/\1/p' | sort -n | tail -n 1)
    [ -n "$n" ] || return 1
    pkgs="libclang1-$n libclang-common-$n-dev libllvm$n"
  fi
  tmp="$libclang_dir/download"
  rm -rf "$tmp" "$libclang_dir/apt"
  mkdir -p "$tmp" "$libclang_dir/apt"
  # shellcheck disable=SC2086
  (cd "$tmp" && apt-get download $pkgs) >>"$log" 2>&1 || return 1
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$libclang_dir/apt" >>"$log" 2>&1 || return 1; done
  rm -rf "$tmp"
  lib=$(ls -d "$libclang_dir/apt/usr/lib/llvm-$n/lib" 2>/dev/null)
  res=$(ls -d "$libclang_dir/apt/usr/lib/llvm-$n/lib/clang/"*/ 2>/dev/null | head -n 1)
  [ -n "$lib" ] && [ -n "$res" ] && ls "$lib"/libclang*.so* >/dev/null 2>&1 || return 1
  # Debian's libclang looks for its headers where the package installs them, not next to itself.
  printf 'LIBCLANG_PATH=%s\nRESOURCE_DIR=%s\nLIBLLVM_DIR=%s\nSOURCE=Debian %s\n' "$lib" "${res%/}" \
    "$(ls -d "$libclang_dir"/apt/usr/lib/*-linux-gnu 2>/dev/null | head -n 1)" "$pkgs" >"$libclang_dir/env"
}
# PyPI's `libclang` wheel: one self-contained libclang.so, without the compiler's headers; those of
# the system's C compiler (gcc -print-file-name=include) stand in for them.
libclang_from_pip() {
  command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1 || return 1
  local tmp so res
  tmp="$libclang_dir/download"
  rm -rf "$tmp" "$libclang_dir/pip"
  mkdir -p "$tmp" "$libclang_dir/pip"
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" libclang >>"$log" 2>&1 || return 1
  python3 -m zipfile -e "$tmp"/libclang-*.whl "$libclang_dir/pip" >>"$log" 2>&1 || return 1
  rm -rf "$tmp"
  so=$(find "$libclang_dir/pip" -path '*/clang/native/libclang.*' 2>/dev/null | head -n 1)
  res=$(cc -print-file-name=include 2>/dev/null)
  [ -n "$so" ] && [ -d "$res" ] || return 1
  printf 'LIBCLANG_PATH=%s\nISYSTEM=%s\nSOURCE=the PyPI libclang wheel\n' "$(dirname "$so")" "$res" >"$libclang_dir/env"
}
# Exports what $libclang_dir/env says and sets libclang_source (not in a subshell: the exports must stay).
use_libclang_env() {
  local key value
  while IFS='=' read -r key value; do
    case "$key" in
      LIBCLANG_PATH) export LIBCLANG_PATH="$value" ;;
      RESOURCE_DIR) export BINDGEN_EXTRA_CLANG_ARGS="-resource-dir=$value" ;;
      ISYSTEM) export BINDGEN_EXTRA_CLANG_ARGS="-isystem $value" ;;
      LIBLLVM_DIR) [ -n "$value" ] && export LD_LIBRARY_PATH="$value${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ;;
      SOURCE) libclang_source="$value" ;;
    esac
  done <"$libclang_dir/env"
}
if [ -n "${LIBCLANG_PATH:-}" ]; then
  say "libclang for bindgen: LIBCLANG_PATH=$LIBCLANG_PATH (from the environment)"
elif found=$(system_libclang); then
  say "libclang for bindgen: $found (installed)"
elif [ -f "$libclang_dir/env" ]; then
  use_libclang_env
  say "libclang for bindgen: $libclang_source in $libclang_dir (unpacked by an earlier build)"
elif libclang_from_apt || libclang_from_pip; then
  use_libclang_env
  say "libclang for bindgen: none installed, so unpacked $libclang_source into $libclang_dir (once)"
else
  rm -rf "$libclang_dir"
  say "optimized build FAILED: no libclang installed, and neither apt-get download nor pip could fetch one (boring-sys runs bindgen, which needs it; details: $log). Install libclang (Debian: libclang1-NN and libclang-common-NN-dev) or set LIBCLANG_PATH; the engine will use the debug fallback (slow)."
  exit 0
fi

# A heartbeat: BoringSSL's cmake build prints nothing for minutes.
start=$(date +%s)
(
  while sleep 30; do
    say "still building... $(( $(date +%s) - start ))s, last step: $(grep -E 'Compiling|Building' "$log" | tail -n 1 | sed 's/^ *//')"
  done
) &
heartbeat=$!
trap 'kill $heartbeat 2>/dev/null' EXIT

(cd "$src" && CARGO_TARGET_DIR="$dir/target" cargo build --release --locked --features ffi,qlog) >>"$log" 2>&1
status=$?
kill "$heartbeat" 2>/dev/null
[ $status -eq 0 ] || fail "cargo build exited with status $status"

built="$dir/target/release/$lib_name"
[ -f "$built" ] || fail "cargo reported success but $built is missing"
# Copy, then rename: a JVM loading the library never sees a half-written file.
cp "$built" "$dir/$lib_name.tmp.$$" && mv -f "$dir/$lib_name.tmp.$$" "$dir/$lib_name" || fail "could not install $lib_name"
cp "$src/include/quiche.h" "$dir/quiche.h"
echo "quiche $version release features=ffi,qlog patches=$patch_id ($patch_names) built $(date -u +%Y-%m-%dT%H:%M:%SZ) with $(cargo --version)" >"$dir/BUILD_OK"
# The intermediate objects are large (~1 GiB) and not needed again.
rm -rf "$dir/target" "$src" "$fetch"
say "built optimized libquiche $version in $(( $(date +%s) - start ))s: $dir/$lib_name"
