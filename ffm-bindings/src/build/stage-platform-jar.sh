#!/usr/bin/env bash
# Stages the platform jar's content: copies the optimized libquiche that build-libquiche.sh left in
# the cache into OUT/META-INF/native/CLASSIFIER/, with libquiche.properties describing it (the
# layout io.quicheengine.ffi.PlatformJar reads). Maven packs OUT as the ffm-bindings jar with that
# classifier; when nothing is staged (no optimized build, or one built with other patches) the jar
# is not attached, and this says so.
#
# Usage: stage-platform-jar.sh VERSION CLASSIFIER OUT
set -u -o pipefail

version="${1:?usage: stage-platform-jar.sh VERSION CLASSIFIER OUT}"
classifier="${2:?usage: stage-platform-jar.sh VERSION CLASSIFIER OUT}"
out="${3:?usage: stage-platform-jar.sh VERSION CLASSIFIER OUT}"
here="$(cd "$(dirname "$0")" && pwd)"
say() { echo "[libquiche] $*"; }

# A stale library from an earlier run must never be packed.
rm -rf "$out"

case "$(uname -s)" in
  Darwin) lib_name=libquiche.dylib ;;
  *) lib_name=libquiche.so ;;
esac
dir="$(bash "$here/build-libquiche.sh" --print-cache-dir)/quiche-$version-release"

not_attached() {
  say "platform jar ($classifier) NOT attached: $1. Consumers of this build get the optimized libquiche only from the cache of the machine that built it."
  exit 0
}
case "$classifier" in
  linux-x86_64|linux-aarch_64|osx-x86_64|osx-aarch_64) ;;
  *) not_attached "no platform jar is built for this OS/CPU (native.classifier=$classifier)" ;;
esac
[ -f "$dir/$lib_name" ] && [ -f "$dir/BUILD_OK" ] || not_attached "no optimized libquiche $version in $dir (needs cargo and cmake; see the build-libquiche line above)"

# The patch id as build-libquiche.sh computes it: a cached library built from other patches is stale.
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; }
patches=()
for p in "$here/patches/quiche-$version"/*.patch; do
  [ -f "$p" ] && patches+=("$p")
done
patch_id=none
patch_names=none
if [ ${#patches[@]} -gt 0 ]; then
  patch_id=$(cat "${patches[@]}" | sha256 | cut -c1-16)
  patch_names=$(for p in "${patches[@]}"; do basename "$p"; done | paste -sd, -)
fi
grep -q "patches=$patch_id " "$dir/BUILD_OK" || not_attached "the cached libquiche in $dir was built from other patches than patches/quiche-$version (its rebuild failed?)"

target="$out/META-INF/native/$classifier"
mkdir -p "$target"
cp "$dir/$lib_name" "$target/$lib_name"
{
  echo "# The optimized libquiche in this jar, as build-libquiche.sh recorded it: $(cat "$dir/BUILD_OK")"
  echo "version=$version"
  echo "build=release"
  echo "classifier=$classifier"
  echo "patches.id=$patch_id"
  echo "patches=$patch_names"
} >"$target/libquiche.properties"
say "platform jar ($classifier) packs $dir/$lib_name ($(wc -c <"$dir/$lib_name" | tr -d ' ') bytes, patches $patch_id)"
