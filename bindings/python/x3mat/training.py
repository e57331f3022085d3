"""Training (x3_train): fit a model to a folder of CIFs and a CSV of labels."""
from __future__ import annotations

import csv
import ctypes
import json
import math
import os
from dataclasses import dataclass

from ._lib import PROGRESS_CALLBACK, c_text, lib

PHASES = {0: "windows", 1: "training", 2: "validating", 3: "epoch_end"}


@dataclass
class Progress:
    """What the trainer reports: phase ("windows", "training", "validating",
    "epoch_end"), the epoch in progress (from 1) of `epochs`, optimizer `step` of
    `steps_per_epoch`, `done`/`total` within the phase, the epoch's mean training `loss`
    (normalised targets), the latest `validation_mae` of the first target (its units; None
    before one), `elapsed` and `eta` seconds (eta None when unknown)."""
    phase: str
    epoch: int
    epochs: int
    step: int
    steps_per_epoch: int
    done: int
    total: int
    loss: float
    validation_mae: float | None
    elapsed: float
    eta: float | None


@dataclass
class TrainingRun:
    """The outcome of `train`: whether it ran to its last epoch, where the best model is,
    the per-epoch metrics log (list of dicts of floats) and, when finished, the final
    evaluation (evaluation.json: metrics of the best model on all windows)."""
    finished: bool
    directory: str
    model_path: str
    metrics: list
    evaluation: dict | None


def _nan_to_none(x: float) -> float | None:
    return None if math.isnan(x) else x


def train(data_dir, targets, output_dir, *, config: dict | None = None, resume: bool = False,
          init=None, progress=None, **options) -> TrainingRun:
    """Trains a model, as `x3mat train` does (see x3_train in include/x3mat.h).

    targets: a label column or a list of them. config: model configuration keys (as
    Model.create). options: training options, with their defaults (`x3mat options
    training` gives each one's range and meaning): epochs (60), batch_structures (8),
    windows_per_structure (4; 0 = all), learning_rate (0.002), weight_decay (1e-4),
    warmup_fraction (0.05), final_learning_rate_fraction (0.02), clip_norm (5),
    loss ("l1"; or "mse"), ema_decay (0 = off; else validation and the saved models use a
    moving average of the weights), snapshots (1; n >= 2: a snapshot ensemble, the schedule
    restarted n times and each cycle's final weights kept, together in
    ensemble.safetensors with its spread calibrated on validation), calibration
    ("likelihood"; sqrt(mean z²), or "coverage": ±1σ holds 68.27 % of the validation
    labels), validation_fraction (0.2), test_fraction (0), folds (0; k >= 2 for
    k-fold cross-validation), fold (0; the fold held out), seed (0),
    validation_windows (0 = all), training_limit (0 = all), symmetry (True),
    symmetry_tolerance (0.01, Å); and run settings labels, id_column, limit, threads,
    time_budget (seconds).
    init: a model file to start from (its weights, configuration and target
    normalisation; as `x3mat train --init`): no config then, targets must be the model's
    in its order, and the split comes from the options as in any run.
    progress: called with a `Progress`; return False to stop (a checkpoint is written;
    call again with resume=True to continue). An exception raised in it stops training
    and is raised again here."""
    if isinstance(targets, str):
        targets = [targets]
    opts = dict(options)
    if resume:
        opts["resume"] = True
    if init is not None:
        opts["init"] = os.fspath(init)
    raised = []

    def relay(p, _user):
        """The C callback: hands the progress to `progress`, stops on its request."""
        if progress is None:
            return 0
        try:
            q = p.contents
            keep_going = progress(Progress(PHASES.get(q.phase, str(q.phase)), q.epoch, q.epochs, q.step, q.steps_per_epoch,
                                           q.done, q.total, q.loss, _nan_to_none(q.validation_mae), q.elapsed,
                                           _nan_to_none(q.eta)))
            return 1 if keep_going is False else 0
        except BaseException as e:  # stop training, raise after x3_train returns
            raised.append(e)
            return 1

    callback = PROGRESS_CALLBACK(relay)
    finished = ctypes.c_int32()
    out = os.fspath(output_dir)
    lib.x3_train(c_text(data_dir, "data directory"), c_text(",".join(targets), "targets"),
                 c_text(out, "output directory"),
                 c_text(json.dumps(config or {}), "configuration"), c_text(json.dumps(opts), "options"), callback, None, ctypes.byref(finished))
    if raised:
        raise raised[0]
    metrics = []
    path = os.path.join(out, "metrics.csv")
    if os.path.exists(path):
        with open(path, newline="") as f:
            metrics = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]
    evaluation = None
    path = os.path.join(out, "evaluation.json")
    if finished.value and os.path.exists(path):
        with open(path) as f:
            evaluation = json.load(f)
    return TrainingRun(bool(finished.value), out, os.path.join(out, "model.safetensors"), metrics, evaluation)
