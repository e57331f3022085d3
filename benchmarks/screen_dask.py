"""x3mat.screen on a Dask LocalCluster of W worker processes × 1 thread against one
process with W libx3mat threads, alternating, on the same structures and model. Prints
per run the wall time (the cluster's start-up separately), structures/s and windows/s,
then each side's median and the ratio of medians; the two sides' results are checked
equal to the bit.

    taskset -c 0,1 env -u OPENBLAS_CORETYPE python3 benchmarks/screen_dask.py \
        [INPUT ../shared/data/iza] [MODEL iza-ar-uptake] [WORKERS 2] [ROUNDS 2] [PARTITION 8]
"""
import os
import platform
import statistics
import sys
import time

import pandas as pd
from distributed import Client, LocalCluster

import x3mat


def main(inputs="../shared/data/iza", model="iza-ar-uptake", workers="2", rounds="2", partition="8"):
    workers, rounds, partition = int(workers), int(rounds), int(partition)
    n = len(x3mat.expand_inputs(inputs))
    cpus = sorted(os.sched_getaffinity(0))
    print(f"machine: {platform.processor() or platform.machine()}, CPUs {cpus}; {n} structures from {inputs}; "
          f"model {model}; partitions of {partition}; x3mat {x3mat.library_version()}, "
          f"pandas {pd.__version__}")
    times = {"one process": [], "cluster": []}
    results = {}
    for r in range(rounds):
        for side in (["one process", "cluster"] if r % 2 == 0 else ["cluster", "one process"]):
            if side == "one process":
                t0 = time.perf_counter()
                frame = x3mat.screen(inputs, model, threads=workers, partition_size=partition)
                wall, startup = time.perf_counter() - t0, 0.0
            else:
                t0 = time.perf_counter()
                with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, Client(cluster) as client:
                    startup = time.perf_counter() - t0
                    t1 = time.perf_counter()
                    frame = x3mat.screen(inputs, model, client=client, threads=1, partition_size=partition)
                    wall = time.perf_counter() - t1
            windows = int(frame["evaluated"].sum())
            times[side].append(wall)
            results[side] = frame
            print(f"round {r + 1} {side:11s}: {wall:6.1f} s (+ {startup:.1f} s cluster start-up), "
                  f"{n / wall:.2f} structures/s, {windows / wall:.0f} windows/s")
    pd.testing.assert_frame_equal(results["one process"], results["cluster"], check_exact=True)
    a, b = statistics.median(times["one process"]), statistics.median(times["cluster"])
    print(f"medians: one process × {workers} threads {a:.1f} s (runs {min(times['one process']):.1f}–"
          f"{max(times['one process']):.1f}), cluster {workers} × 1 {b:.1f} s (runs {min(times['cluster']):.1f}–"
          f"{max(times['cluster']):.1f}); cluster / one process throughput {a / b:.2f}; results equal to the bit")


if __name__ == "__main__":
    main(*sys.argv[1:])
