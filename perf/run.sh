#!/usr/bin/env bash
# quiche-engine benchmarks: builds the perf module when its sources changed, runs, writes a report.
#
#   perf/run.sh [quick|full] [BenchMain options]   the end-to-end set and report (default: quick, a few minutes;
#                                                    full moves >= 1 GiB per bulk case)
#       options: --systems raw,udp,engine,netty,seed  --strategies busy-spin,yielding,backoff,blocking
#                --clients loop,app-thread (where the engine's clients run: listeners on its loop, or an app thread)
#                --no-two-process  --bulk-mib N  --pings N  --seed-seconds N  --jmh DIR|none  --out DIR
#   perf/run.sh jmh [quick] [--only handoff,read,downcall]
#                                                  JMH microbenchmarks with -prof gc (about 5 min; quick about 3)
#   perf/run.sh orders [--seconds N] [--warmup-seconds N] [--strategies busy-spin,yielding,backoff,blocking]
#                      [--placements invoker,invoker-listener,loop-listener,app-thread]
#                                                  order-entry ping-pong (64 B order, 32 B ack): the client's logic on the
#                                                  app thread driving an invoker engine (polling, or listeners inside doWork), in loop-thread listeners, or on an
#                                                  app thread beside the loop (default about 1 min; results/<stamp>-orders/)
#   perf/run.sh engine [EngineMain options]        just our engine, one line per run (e.g. --strategies blocking --clients loop --skip seed)
#   perf/run.sh server --port P --mode sink|echo --wait-strategy S
#                                                  the engine's server alone, for two-process runs by hand
#   perf/run.sh main CLASS [args]                  any main of the perf module, with the JVM flags it needs
#
# Results go to perf/results/<timestamp>/ (results.json, report.md, *.png) and perf/results/<timestamp>-jmh/.
# The newest JMH results are folded into the next end-to-end report.
# Environment: JAVA_HOME (a JDK 25+; found under /usr/lib/jvm when unset or older), PERF_SKIP_BUILD=1 to never build,
# PERF_JAVA_OPTS for extra JVM options (e.g. -Dquiche.library=fallback to measure the debug build, labelled in the report).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

find_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && "$(java_major "$JAVA_HOME/bin/java")" -ge 25 ]]; then
    echo "$JAVA_HOME"; return
  fi
  for dir in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [[ -x "$dir/bin/java" && "$(java_major "$dir/bin/java")" -ge 25 ]]; then
      echo "$dir"; return
    fi
  done
  echo "perf/run.sh: no JDK 25 or newer found; set JAVA_HOME" >&2
  exit 1
}

case "${1:-}" in
  -h|--help|help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 0 ;;
esac

JAVA_HOME=$(find_java)
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
MARKER=perf/target/.run-sh-built

needs_build() {
  [[ ! -f "$MARKER" || ! -d perf/target/classes || ! -d perf/target/lib ]] && return 0
  [[ -n "$(find pom.xml ffm-bindings/pom.xml core/pom.xml perf/pom.xml ffm-bindings/src/main core/src/main perf/src/main \
      -newer "$MARKER" -type f -print -quit 2>/dev/null)" ]]
}

if [[ "${PERF_SKIP_BUILD:-0}" != 1 ]] && needs_build; then
  echo "perf/run.sh: building ffm-bindings, core and perf (sources changed)..."
  ./mvnw -B -q -ntp -pl perf -am package -DskipTests
  touch "$MARKER"
fi

FLAGS=(--enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
       --sun-misc-unsafe-memory-access=allow -Djava.awt.headless=true)
# shellcheck disable=SC2206
EXTRA=(${PERF_JAVA_OPTS:-})
CP="perf/target/classes:perf/target/lib/*"
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS=perf/results

run_main() {
  local class=$1; shift
  exec "$JAVA" "${FLAGS[@]}" "${EXTRA[@]}" -cp "$CP" "$class" "$@"
}

case "${1:-quick}" in
  quick|full)
    mode=${1:-quick}; [[ $# -gt 0 ]] && shift
    run_main io.quicheengine.perf.report.BenchMain "$mode" --out "$RESULTS/$STAMP" "$@" ;;
  jmh)
    shift
    args=()
    if [[ "${1:-}" == quick ]]; then args+=(--quick); shift; fi
    run_main io.quicheengine.perf.jmh.JmhMain --out "$RESULTS/$STAMP-jmh" "${args[@]}" "$@" ;;
  orders)
    shift; run_main io.quicheengine.perf.orders.OrdersMain --out "$RESULTS/$STAMP-orders" "$@" ;;
  engine)
    shift; run_main io.quicheengine.perf.engine.EngineMain "$@" ;;
  server)
    shift; run_main io.quicheengine.perf.engine.EngineServerMain "$@" ;;
  main)
    shift; cls=$1; shift; run_main "$cls" "$@" ;;
  -*)
    run_main io.quicheengine.perf.report.BenchMain quick --out "$RESULTS/$STAMP" "$@" ;;
  *)
    echo "perf/run.sh: unknown command '$1' (try perf/run.sh help)" >&2; exit 2 ;;
esac
