"""Hyper-parameter search for `x3mat.train` with Optuna: TPE sampling, median pruning on
the per-epoch validation MAE, every trial a real training run. Resumable: the study lives
in WORKDIR/study.journal (Optuna's journal storage: an append-only text log, safe for
several processes and small enough to keep with the results); rerunning the command
continues it (a trial interrupted by a kill is marked failed and a new one starts; the
sampler's seed is offset by the number of trials already in the study, so a rerun does not
draw the same random start-up configurations again).

  python3 benchmarks/search.py DATA_DIR TARGET WORKDIR [--trials 20] [--epochs 20]
      [--trial-budget 900] [--test 0] [--folds 0 --fold 0] [--limit 0] [--threads 2] [--fixed KEY=VALUE ...]
      [--validation-windows 16] [--per-volume]
      [--sampler-seed K] [--enqueue-defaults [--x3mat build/bin/x3mat]]

Several workers may share one study: start each with the same WORKDIR and its own
--sampler-seed (e.g. two at --threads 1, each pinned to a CPU with taskset); a trial a
kill interrupted then stays "running" in the study until the next start without
--sampler-seed marks it failed.

Each trial trains in WORKDIR/trial-N with a sampled model configuration and training
options (the search space is SPACE below) for at most --epochs epochs and --trial-budget
seconds, on the same seeded split (--test holds a test set out of every trial, as
benchmarks/cross_validation.py does with the same fraction and seed; --folds/--fold pick
a cross-validation fold of the rest). The
trainer validates after every epoch on a fixed subset of --validation-windows windows per
validation structure (0: all of them, one per orbit of the crystal's symmetry: exact, and
cheap for symmetric frameworks; a subset's MAE is noisier and biased upward); each epoch's MAE is reported to Optuna, which stops trials whose MAE is worse
than the median of earlier trials at that epoch. A trial's value is its best per-epoch
validation MAE (the first target's units). `--fixed key=value` pins a parameter (e.g.
window_step=3 for QMOF) instead of searching it.

--enqueue-defaults makes the library's defaults (`x3mat options`) the first trial, so the
search starts from the configuration the shipped models use. At the end (and on every
rerun) it prints the best trials as a Markdown table and writes
WORKDIR/best.json: the best trial's configuration and options, ready for `x3mat train`
(`--config` takes the "config" object written to WORKDIR/best-config.json;
WORKDIR/best-train-args.txt has both as `x3mat train` arguments).
Needs optuna (pip install optuna) and the x3mat Python package.
"""
import argparse
import fcntl
import json
import pathlib
import shutil
import subprocess
import time

import optuna

import x3mat

# name: (kind, choices or (low, high), where: "config" or "options")
SPACE = {
    "lmax": ("int", (2, 4), "config"),
    "channels": ("cat", [16, 32, 48, 64], "config"),
    "blocks": ("int", (1, 4), "config"),
    "cutoff": ("float", (4.0, 6.0), "config"),
    "max_neighbours": ("cat", [12, 16, 20, 24], "config"),
    "window_radius": ("cat", [5.0, 6.0, 7.0, 8.0], "config"),
    "window_step": ("cat", [2.0, 2.5, 3.0], "config"),
    "activation": ("cat", ["gate", "s2"], "config"),
    "learning_rate": ("log", (3e-4, 5e-3), "options"),
    "weight_decay": ("log", (1e-6, 1e-2), "options"),
    "warmup_fraction": ("float", (0.0, 0.1), "options"),
    "final_learning_rate_fraction": ("log", (0.005, 0.2), "options"),
    "windows_per_structure": ("cat", [2, 4, 8, 16], "options"),
    "batch_structures": ("cat", [4, 8, 16], "options"),
    "loss": ("cat", ["l1", "mse"], "options"),
    "ema_decay": ("cat", [0.0, 0.9, 0.98, 0.995], "options"),  # per step; 0 = no moving average
}


def storage(workdir):
    """The study's storage: WORKDIR/study.journal."""
    path = pathlib.Path(workdir).resolve() / "study.journal"
    return optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(path)))


def parse_fixed(items):
    fixed = {}
    for item in items:
        key, _, text = item.partition("=")
        if key not in SPACE:
            raise SystemExit(f"--fixed {item}: {key} is not a searched parameter ({', '.join(SPACE)})")
        try:
            fixed[key] = json.loads(text)
        except json.JSONDecodeError:
            fixed[key] = text
    return fixed


def library_defaults(cli):
    """Each searched parameter's default, as `x3mat options model training --json` gives it."""
    sets = json.loads(subprocess.run([cli, "options", "model", "training", "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    defaults = {item["key"]: item["default"] for items in sets.values() for item in items}
    return {name: defaults[name] for name in SPACE}


def sample(trial, fixed):
    config, options = {}, {}
    for name, (kind, values, where) in SPACE.items():
        if name in fixed:
            value = fixed[name]
        elif kind == "int":
            value = trial.suggest_int(name, *values)
        elif kind == "float":
            value = trial.suggest_float(name, *values)
        elif kind == "log":
            value = trial.suggest_float(name, *values, log=True)
        else:
            value = trial.suggest_categorical(name, values)
        (config if where == "config" else options)[name] = value
    config["mmax"] = min(2, config["lmax"])
    return config, options


def objective(args, fixed, trial):
    config, options = sample(trial, fixed)
    if args.per_volume:
        config["per_volume"] = [True]
    directory = pathlib.Path(args.workdir) / f"trial-{trial.number}"
    shutil.rmtree(directory, ignore_errors=True)
    best = [float("inf")]
    pruned = [False]

    def progress(p):
        if p.phase != "epoch_end" or p.validation_mae is None:
            return True
        best[0] = min(best[0], p.validation_mae)
        trial.report(p.validation_mae, p.epoch)
        if trial.should_prune():
            pruned[0] = True
            return False
        return True

    run_settings = {k: v for k, v in (("limit", args.limit), ("threads", args.threads)) if v > 0}
    started = time.perf_counter()
    run = x3mat.train(args.data_dir, args.target, directory, config=config, progress=progress,
                      epochs=args.epochs, validation_windows=args.validation_windows, seed=args.seed, test_fraction=args.test,
                      folds=args.folds, fold=args.fold,
                      time_budget=args.trial_budget, **run_settings, **options)
    trial.set_user_attr("seconds", round(time.perf_counter() - started, 1))
    trial.set_user_attr("epochs_run", len(run.metrics))
    trial.set_user_attr("config", config)
    trial.set_user_attr("options", options)
    if pruned[0]:
        raise optuna.TrialPruned()
    if best[0] == float("inf"):
        raise RuntimeError(f"trial {trial.number}: no validation epoch finished within the budget")
    return best[0]


def report(study, workdir, target, cli):
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    counts = {s.name.lower(): sum(t.state == s for t in study.trials) for s in optuna.trial.TrialState}
    print(f"{len(study.trials)} trials: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
    if not done:
        return
    done.sort(key=lambda t: t.value)
    names = list(SPACE)
    print(f"\n| trial | validation MAE ({target}) | epochs | s | " + " | ".join(names) + " |")
    print("| ---: | ---: | ---: | ---: | " + " | ".join("---" for _ in names) + " |")
    for t in done[:10]:
        values = {**t.user_attrs.get("config", {}), **t.user_attrs.get("options", {})}
        cells = [f"{values[n]:.3g}" if isinstance(values.get(n), float) else str(values.get(n)) for n in names]
        print(f"| {t.number} | {t.value:.4f} | {t.user_attrs.get('epochs_run')} | {t.user_attrs.get('seconds')} | "
              + " | ".join(cells) + " |")
    best = done[0]
    out = {"trial": best.number, "validation_mae": best.value, "config": best.user_attrs["config"],
           "options": best.user_attrs["options"]}
    (pathlib.Path(workdir) / "best.json").write_text(json.dumps(out, indent=2) + "\n")
    (pathlib.Path(workdir) / "best-config.json").write_text(json.dumps(best.user_attrs["config"], indent=2) + "\n")
    if pathlib.Path(cli).exists():
        (pathlib.Path(workdir) / "best-train-args.txt").write_text(" ".join(train_args(cli, workdir, best)) + "\n")


def train_args(cli, workdir, trial):
    """`x3mat train` arguments for a trial's configuration and options (flags as `x3mat
    options training` names them)."""
    sets = json.loads(subprocess.run([cli, "options", "training", "--json"], check=True, capture_output=True,
                                     text=True).stdout)
    flags = {item["key"]: item["flag"] for items in sets.values() for item in items if item.get("flag")}
    args = ["--config", str(pathlib.Path(workdir).resolve() / "best-config.json")]
    for key, value in trial.user_attrs["options"].items():
        args += [flags[key], str(value)]
    return args


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir")
    ap.add_argument("target")
    ap.add_argument("workdir")
    ap.add_argument("--trials", type=int, default=20, help="trials to run in this invocation")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--trial-budget", type=float, default=900, help="seconds per trial")
    ap.add_argument("--test", type=float, default=0.0, help="fraction held out as a test set no trial sees")
    ap.add_argument("--folds", type=int, default=0)
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="use the first N labelled structures (0 = all)")
    ap.add_argument("--seed", type=int, default=0, help="seeds the split and each training")
    ap.add_argument("--sampler-seed", type=int, help="seeds Optuna's sampler (default: --seed); give each "
                    "parallel worker its own")
    ap.add_argument("--threads", type=int, default=0, help="0 = X3MAT_NUM_THREADS or all CPUs")
    ap.add_argument("--validation-windows", type=int, default=16,
                    help="windows per validation structure in the per-epoch validation (0 = all)")
    ap.add_argument("--per-volume", action="store_true",
                    help="every trial learns the target per volume (x3mat train --per-volume): for per-mass targets")
    ap.add_argument("--fixed", nargs="*", default=[], metavar="KEY=VALUE")
    ap.add_argument("--enqueue-defaults", action="store_true",
                    help="run the library's default configuration and options first (once per study)")
    ap.add_argument("--x3mat", default="build/bin/x3mat",
                    help="the CLI, for --enqueue-defaults and best-train-args.txt")
    args = ap.parse_args()
    fixed = parse_fixed(args.fixed)
    pathlib.Path(args.workdir).mkdir(parents=True, exist_ok=True)
    seed = args.seed if args.sampler_seed is None else args.sampler_seed
    # workers started together would race to create the study: one at a time
    with open(pathlib.Path(args.workdir) / "study.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        study = optuna.create_study(study_name=args.target, storage=storage(args.workdir), load_if_exists=True, direction="minimize",
                                    pruner=optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=3))
        # A worker started again on a study must not draw again the random start-up configurations it drew
        # before, so the sampler's seed also counts the trials already in the study (a new study: the seed itself).
        study.sampler = optuna.samplers.TPESampler(seed=seed + 1000 * len(study.trials), n_startup_trials=8)
        if args.enqueue_defaults:  # the library's defaults as a trial, a known baseline for the sampler
            defaults = library_defaults(args.x3mat)
            study.enqueue_trial({k: v for k, v in defaults.items() if k not in fixed}, skip_if_exists=True)
    if args.sampler_seed is None:  # a single worker: trials still running were interrupted by a kill
        for t in study.trials:
            if t.state == optuna.trial.TrialState.RUNNING:
                study.tell(t.number, state=optuna.trial.TrialState.FAIL)
    study.optimize(lambda trial: objective(args, fixed, trial), n_trials=args.trials, catch=(RuntimeError,))
    report(study, args.workdir, args.target, args.x3mat)


if __name__ == "__main__":
    main()
