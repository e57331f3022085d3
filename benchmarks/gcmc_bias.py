"""Model-guided (biased) against uniform insertion in x3mat-gcmc: same framework, same
cycles, seeds 1..S, the two modes alternated on one pinned core.

    python3 benchmarks/gcmc_bias.py FRAMEWORK INIT CYCLES SEEDS CORE [extra x3mat-gcmc options]

Per mode: the uptake (mean over seeds), the error of one run estimated two ways (the
standard deviation of the seeds' uptakes, and the mean block error), insertion acceptance,
Monte Carlo seconds per run, and the efficiency 1 / (error^2 x seconds) -- the inverse of
the time needed for a given error -- from each error estimate. The bias must not change
the uptake (difference within the errors); the efficiency ratio says whether it pays.
"""
import math
import os
import re
import statistics
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get("X3MAT_SHARED_DATA", os.path.join(here, "../../shared/data"))
program = os.environ.get("X3MAT_GCMC", os.path.join(here, "../build/bin/x3mat-gcmc"))
framework, init, cycles, seeds, core, *extra = sys.argv[1:]

results = {"uniform": [], "biased": []}
for seed in range(1, int(seeds) + 1):
    for mode in ("uniform", "biased"):
        cmd = ["taskset", "-c", core, program, f"{shared}/iza/cif/{framework}.cif", "--init-cycles", init,
               "--cycles", cycles, "--seed", str(seed), "--quiet", *extra]
        if mode == "biased":
            cmd.append("--biased-insertion")
        out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                             env=dict(os.environ, X3MAT_SHARED_DATA=shared)).stdout
        fields = dict(re.findall(r"(\w+)=\s*(\S+)", re.search(r"^RESULT .*$", out, re.M).group(0)))
        acceptance = float(re.search(r"insertion\s*: \d+ attempts, acceptance ([0-9.]+)", out).group(1))
        results[mode].append(dict(uptake=float(fields["simulated"]), error=float(fields["error"]),
                                  seconds=float(fields["mc_seconds"]), acceptance=acceptance))
        print(f"seed {seed} {mode:8s} uptake {results[mode][-1]['uptake']:.4f} +- {results[mode][-1]['error']:.4f} "
              f"acceptance {acceptance:.5f} MC {results[mode][-1]['seconds']:.1f} s", flush=True)

print()
print(f"{framework}, {init} + {cycles} cycles, {seeds} seeds per mode {' '.join(extra)}")
print("| insertion | uptake (mol/kg) ± its standard error | sd of seeds | mean block error | insertion acceptance "
      "| MC s per run | efficiency (sd of seeds) | efficiency (block error) |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
eff = {}
for mode, rs in results.items():
    u = [r["uptake"] for r in rs]
    block = statistics.mean(r["error"] for r in rs)
    sd = statistics.stdev(u) if len(u) > 1 else float("nan")
    sec = statistics.mean(r["seconds"] for r in rs)
    eff[mode] = (1 / (sd ** 2 * sec), 1 / (block ** 2 * sec))
    print(f"| {mode} | {statistics.mean(u):.4f} ± {sd / math.sqrt(len(u)):.4f} | {sd:.4f} | {block:.4f} | "
          f"{statistics.mean(r['acceptance'] for r in rs):.5f} | {sec:.1f} | {eff[mode][0]:.3g} | {eff[mode][1]:.3g} |")
print(f"efficiency ratio biased / uniform: {eff['biased'][0] / eff['uniform'][0]:.2f} (sd of seeds), "
      f"{eff['biased'][1] / eff['uniform'][1]:.2f} (block errors)")
