#!/usr/bin/env python3
"""Writes the model cards of the shipped models into their files (`x3mat card --set`).

The descriptive text is below; the metrics are computed here with NumPy from
NAME.predictions.csv (the model's prediction for every held-out structure it is measured
on, from all of its windows: a single run's test set, or its validation set when it has
none, or for an ensemble of cross-validation folds the test set none of its members
saw), the training size from NAME.split.csv and the held-out size from
NAME.predictions.csv, so the card states what the shipped files show. The card names the
held-out set `test` when the split has one, else `validation`.

    python3 models/cards.py build/bin/x3mat
"""
import csv
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent

CARDS = {
    "iza-ar-uptake": {
        "description": "Argon uptake of all-silica zeolites from their framework structure: an ensemble of the 5 "
                       "models of a 5-fold cross-validation (prediction: their mean; uncertainty: their spread "
                       "times a scale calibrated on held-out structures so that ±1σ holds 68 % of them). Learnt "
                       "per volume (uptake x density). "
                       "Metrics: the 38 test structures none of the members saw.",
        "targets": [{"name": "ar_uptake_mol_kg", "unit": "mol/kg",
                     "conditions": "Ar at 87 K and 1 atm, GCMC (RASPA) in the rigid framework", "strong": "high"}],
        "source": "IZA-SC Database of Zeolite Structures (frameworks); Sarkisov et al., "
                  "SarkisovGitHub/IZA_Zeolites (GCMC uptakes)",
        "licence": "IZA-SC structures: cite the database; uptakes: public data of Sarkisov et al.",
        "command": "python3 benchmarks/cross_validation.py ../shared/data/iza ar_uptake_mol_kg runs/cv-iza-pv --folds 5 "
                   "--test 0.2 --jobs 2 --calibration coverage -- --per-volume ar_uptake_mol_kg --epochs 55 "
                   "--validation-windows 16; "
                   "python3 models/ship_ensemble.py runs/cv-iza-pv iza-ar-uptake ../shared/data/iza ar_uptake_mol_kg",
    },
    "qmof-band-gap": {
        "description": "Band gap of metal-organic frameworks (PBE, QMOF) from their structure: a snapshot ensemble "
                       "of 3 models drawn around one trained model by three one-epoch learning-rate cycles "
                       "(prediction: their mean; uncertainty: their spread times a scale calibrated on the validation "
                       "set so that ±1σ holds 68 % of it). Metrics: the test set (20 % of the structures, seeded), "
                       "which chose neither the weights, the epochs nor the scale.",
        "targets": [{"name": "band_gap_eV", "unit": "eV",
                     "conditions": "PBE band gap of the relaxed structure (QMOF)", "strong": "low"}],
        "source": "QMOF database, Rosen et al., Matter 2021 (all 4,639 structures of the shared set); band gaps "
                  "as distributed with MOFormer",
        "licence": "QMOF: CC BY 4.0; MOFormer distribution: Apache-2.0",
        "command": "x3mat train ../shared/data/qmof --target band_gap_eV --output runs/qmof-full --test 0.2 "
                   "--validation 0.1 --window-radius 6 --window-step 3 --validation-windows 16 --epochs 7 --threads 2; "
                   "x3mat train ../shared/data/qmof --target band_gap_eV --init runs/qmof-full/model.safetensors "
                   "--output runs/qmof-fge3 --test 0.2 --validation 0.1 --validation-windows 16 --epochs 3 "
                   "--snapshots 3 --learning-rate 5e-4 --calibration coverage --threads 2; "
                   "python3 models/ship_run.py runs/qmof-fge3 qmof-band-gap --ensemble --unit eV",
    },
    "coremof-co2-ch4": {
        "description": "CO2 and CH4 uptake of metal-organic frameworks (CoRE MOF 2019) from their structure: a "
                       "snapshot ensemble of 3 models drawn around one trained model by three short learning-rate "
                       "cycles (prediction: their mean; uncertainty: their spread times a scale calibrated on the "
                       "validation set so that ±1σ holds 68 % of it). Learnt per volume (uptake x density). Metrics: the test set (20 % of the "
                       "structures, seeded), which chose neither the weights, the epochs nor the scale.",
        "targets": [{"name": "co2_uptake_298K_0.15bar_mol_kg", "unit": "mol/kg",
                     "conditions": "CO2 at 298 K and 0.15 bar, GCMC (Moosavi et al. 2020)", "strong": "high"},
                    {"name": "ch4_uptake_298K_65bar_mol_kg", "unit": "mol/kg",
                     "conditions": "CH4 at 298 K and 65 bar, GCMC (Moosavi et al. 2020)", "strong": "high"}],
        "source": "CoRE MOF 2019, Chung et al., J. Chem. Eng. Data 2019 (all 2,369 structures of the shared set); "
                  "uptakes from Moosavi et al., Nat. Commun. 2020",
        "licence": "CoRE MOF 2019: CC BY 4.0",
        "command": "x3mat train ../shared/data/coremof --target co2_uptake_298K_0.15bar_mol_kg "
                   "--target ch4_uptake_298K_65bar_mol_kg --per-volume co2_uptake_298K_0.15bar_mol_kg "
                   "--per-volume ch4_uptake_298K_65bar_mol_kg --output runs/coremof-24 --test 0.2 --validation 0.1 "
                   "--window-radius 6 --window-step 3 --validation-windows 16 --epochs 24 --threads 2; "
                   "x3mat train ../shared/data/coremof --target co2_uptake_298K_0.15bar_mol_kg "
                   "--target ch4_uptake_298K_65bar_mol_kg --init runs/coremof-24/model.safetensors "
                   "--output runs/coremof-fge3 --test 0.2 --validation 0.1 --validation-windows 16 --epochs 6 "
                   "--snapshots 3 --learning-rate 5e-4 --calibration coverage --threads 2; "
                   "python3 models/ship_run.py runs/coremof-fge3 coremof-co2-ch4 --ensemble --unit mol/kg",
    },
}


def metrics(rows, target):
    y = np.array([float(r[f"{target}_true"]) for r in rows])
    p = np.array([float(r[f"{target}_predicted"]) for r in rows])
    err = p - y
    r2 = 1 - np.sum(err ** 2) / np.sum((y - y.mean()) ** 2)
    return {"mae": float(np.mean(np.abs(err))), "rmse": float(np.sqrt(np.mean(err ** 2))), "r2": float(r2)}


def card(name):
    spec = CARDS[name]
    with open(HERE / f"{name}.split.csv") as f:
        sets = [r["set"] for r in csv.DictReader(f)]
    with open(HERE / f"{name}.predictions.csv") as f:
        rows = list(csv.DictReader(f))
    held_out = "test" if "test" in sets else "validation"
    targets = [dict(t, **{held_out: metrics(rows, t["name"])}) for t in spec["targets"]]
    return {
        "description": spec["description"], "targets": targets,
        "training_data": {"source": spec["source"], "licence": spec["licence"], "structures": len(sets),
                          "training": sets.count("train"), held_out: len(rows)},
        "command": spec["command"],
    }


def main():
    cli = sys.argv[1] if len(sys.argv) > 1 else "x3mat"
    for name in CARDS:
        model = HERE / f"{name}.safetensors"
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump(card(name), f, indent=1)
            f.flush()
            subprocess.run([cli, "card", str(model), "--set", f.name, "--output", str(model)], check=True)


if __name__ == "__main__":
    main()
