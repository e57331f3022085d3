"""Shares of perf samples by kernel group, before and after: the profile tables of
BENCHMARKS.md ("Network speed against PyTorch EquiformerV2").

    perf record -e cpu-clock -o before.data x3mat-bench peer small 8 2 10   (each build)
    python3 benchmarks/profile_groups.py before.data after.data

Each symbol of `perf report --sort symbol` goes to the first group whose pattern it
matches; kernel symbols ([k]) to "kernel"; the rest to "other".
"""
import re, subprocess, sys, collections
groups = [
    ("sgemm (kernel, packing, beta)", r"sgemm|SKYLAKEX"),
    ("SiLU kernels", r"silu_"),
    ("S2 activation, fused kernel", r"^s2_(run|body|forward|backward)_"),
    ("edge rotations (C kernels)", r"rotate_"),
    ("elementwise products and sums (C kernels)", r"^(mul|mul_add|add|sum_rows)_(4|8|16)$"),
    ("memset / memmove", r"memset|memmove|memcpy"),
    ("Wigner-D matrices", r"WignerD"),
    ("block forward loops (inlined)", r"forwardBlock"),
    ("block backward loops (inlined)", r"backwardBlock"),
    ("SO(2) convolution (modulate, bias)", r"SO2Convolution"),
    ("S2 activation on panels (gather, scatter)", r"S2Activation"),
    ("norms, gates, Linear, radial MLP", r"LayerNorm|EquivariantRMSNorm|Linear|RadialMLP|SO3Linear|GateActivation|^layer_norm_|^gate_"),
    ("kernel (page faults, memory)", r"^\[k\]"),
]
def shares(path: str) -> "collections.OrderedDict[str, float]":
    """Percent of samples per group in one perf.data file."""
    out = subprocess.run(["perf", "report", "-i", path, "--no-children", "--sort", "symbol", "--stdio", "-g", "none",
                          "--percent-limit", "0"], capture_output=True, text=True).stdout
    acc = collections.OrderedDict((g, 0.0) for g, _ in groups); acc["other"] = 0.0
    for line in out.splitlines():
        m = re.match(r"\s+([0-9.]+)%\s+(\[[.k]\])\s+(\S+)", line)
        if not m: continue
        pct, kind, sym = float(m.group(1)), m.group(2), m.group(3)
        name = kind + " " + sym if kind == "[k]" else sym
        for g, pat in groups:
            if re.search(pat, sym if kind != "[k]" else "[k]"):
                acc[g] += pct; break
        else:
            acc["other"] += pct
    return acc
if __name__ == "__main__":
    b, a = shares(sys.argv[1]), shares(sys.argv[2])
    print("| kernel | before | after |\n| --- | ---: | ---: |")
    for g in b:
        print(f"| {g} | {b[g]:.1f} % | {a[g]:.1f} % |")
