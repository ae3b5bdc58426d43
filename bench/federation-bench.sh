#!/usr/bin/env bash
# Federation protocol benchmarks: upload throughput next to a raw socket, coordinator heap with
# 10,000 registered clients, and round turnaround at 10, 100 and 1,000 clients per round.
# Prints Markdown tables (the rows in BENCHMARKS.md). Takes a few minutes; run it on an idle machine.
#   bench/federation-bench.sh            # all three
#   bench/federation-bench.sh upload     # one of: upload, heap, turnaround
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
mvn -o -q -pl bench -am package -DskipTests
jar=bench/target/benchmarks.jar
if [[ "$what" == all || "$what" == upload ]]; then
  java -cp "$jar" io.fedtt.bench.federation.UploadThroughputBenchmark 300
fi
if [[ "$what" == all || "$what" == heap ]]; then
  java -Xmx1g -cp "$jar" io.fedtt.bench.federation.CoordinatorHeapBenchmark 10000
fi
if [[ "$what" == all || "$what" == turnaround ]]; then
  java -cp "$jar" io.fedtt.bench.federation.RoundTurnaroundBenchmark 10,100,1000 200,60,12
fi
