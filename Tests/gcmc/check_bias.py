"""The insertion bias changes how x3mat-gcmc samples, not what it samples: the same
framework and conditions simulated with uniform and with model-guided (biased) insertion
give the same uptake. Run away from saturation (a temperature where the loading is well
below capacity), where a wrong acceptance correction would move the mean the most, with
plain one-trial insertion so that the bias alone decides where trials go.

Pass criterion: |uptake_biased - uptake_uniform| <= 3 sqrt(err_biased^2 + err_uniform^2)
(block errors), and the biased run's insertion acceptance is reported.

    check_bias.py X3MAT_GCMC SHARED_DATA FRAMEWORK [program options...]
"""
import math
import re
import subprocess
import sys

program, shared, framework, *options = sys.argv[1:]


def run(extra):
    out = subprocess.run([program, f"{shared}/iza/cif/{framework}.cif", "--quiet", "--trials", "1", *options, *extra],
                         capture_output=True, text=True, env={"X3MAT_SHARED_DATA": shared, "PATH": "/usr/bin:/bin"})
    print(out.stdout)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        sys.exit(f"x3mat-gcmc failed with status {out.returncode}")
    fields = dict(re.findall(r"(\w+)=\s*(\S+)", re.search(r"^RESULT .*$", out.stdout, re.M).group(0)))
    acceptance = float(re.search(r"insertion\s*: \d+ attempts, acceptance ([0-9.]+)", out.stdout).group(1))
    return float(fields["simulated"]), float(fields["error"]), acceptance


uniform = run([])
biased = run(["--biased-insertion"])
tolerance = 3 * math.hypot(uniform[1], biased[1])
print(f"uniform {uniform[0]:.4f} +- {uniform[1]:.4f} (insertion acceptance {uniform[2]:.4f}); "
      f"biased {biased[0]:.4f} +- {biased[1]:.4f} (acceptance {biased[2]:.4f}); "
      f"|difference| {abs(uniform[0] - biased[0]):.4f}, tolerance {tolerance:.4f}")
if not abs(uniform[0] - biased[0]) <= tolerance:
    sys.exit("the bias changed the uptake")
print("ok")
