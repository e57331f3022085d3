import X3Core
import X3Network
import X3Symmetry

/// The discrepancy between a structure's label and the mean of its window contributions,
/// on normalised targets (`Trainer`).
public enum LossKind: String, Sendable, CaseIterable {
    /// Mean absolute error (the default).
    case l1
    /// Mean squared error.
    case mse
}

/// How a model is trained. Everything that decides the result is here and is stored in
/// each checkpoint, so a resumed run continues exactly as it began.
public struct TrainingOptions: Sendable, Equatable {
    /// Passes over the training structures.
    public var epochs = 60
    /// Structures per optimizer step.
    public var batchStructures = 8
    /// Windows drawn (grid points, uniformly without replacement, so orbits in proportion
    /// to their size) from each structure per step; the mean of their contributions is an
    /// unbiased estimate of the structure's prediction. 0 = all windows.
    public var windowsPerStructure = 4
    /// Peak learning rate of AdamW, reached after the warm-up.
    public var learningRate = 2e-3
    /// Decoupled weight decay of AdamW.
    public var weightDecay = 1e-4
    /// Fraction of all steps spent warming the learning rate up linearly from 0.
    public var warmupFraction = 0.05
    /// The cosine decay ends at learningRate × this.
    public var finalLearningRateFraction = 0.02
    /// The gradient is rescaled when its L2 norm exceeds this (0 = no clipping).
    public var clipNorm = 5.0
    public var loss = LossKind.l1
    /// Decay of an exponential moving average of the weights; 0 = off. After optimizer
    /// step n (from 0) the average moves toward the weights by a fraction 1 − d, with
    /// d = min(emaDecay, (1 + n) / (10 + n)) so that it does not lag far behind early on.
    /// When on, the per-epoch validation, the best model and the saved models use the
    /// averaged weights.
    public var emaDecay = 0.0
    /// A snapshot ensemble (Huang et al., ICLR 2017): with n ≥ 2 the learning-rate schedule
    /// (warm-up, cosine decay) runs n times over, each cycle epochs / n epochs long, and the
    /// weights at the end of each cycle (the moving average, when on) are kept as one member
    /// of an ensemble. 1 = one schedule, one model. `epochs` must be a multiple of it.
    public var snapshots = 1
    /// How a snapshot ensemble's spread is calibrated on the validation set when training
    /// ends (`SpreadCalibration`).
    public var calibration = SpreadCalibration.likelihood
    /// Fractions of the structures held out for validation and for a test set.
    public var validationFraction = 0.2, testFraction = 0.0
    /// k-fold cross-validation: with folds = k ≥ 2 the structures outside the test set
    /// are cut into k seeded folds and fold `fold` (0 ..< k) is the validation set, so k
    /// runs with folds 0 ..< k validate on every structure once (validationFraction is
    /// then not used). 0 = one split by validationFraction.
    public var folds = 0, fold = 0
    /// Seeds the split, the order of structures and the windows drawn.
    public var seed: UInt64 = 0
    /// Windows per validation structure used for the per-epoch validation (the same
    /// seeded subset every epoch); 0 = all windows. The final evaluation always uses all.
    public var validationWindows = 0
    /// Train on at most this many of the training structures (a seeded subset, nested:
    /// a smaller limit takes a prefix of a larger one's); 0 = all. The validation and test
    /// sets do not change, which makes data-efficiency curves comparable.
    public var trainingLimit = 0
    /// Windows on each structure's symmetry-adapted grid, one evaluated per orbit and
    /// weighted by the orbit's size (true, the default; see `WindowOrbits`), or every
    /// window of the plain grid (false). Predictions of the trained model use the same.
    public var symmetry = true
    /// Distance tolerance of the symmetry search and check, Å.
    public var symmetryTolerance = CrystalSymmetry.defaultTolerance

    public init() {}

    /// The symmetry options of prediction that match these.
    public var symmetryOptions: SymmetryOptions { SymmetryOptions(enabled: symmetry, tolerance: symmetryTolerance) }

    /// Throws `invalidArgument` naming the first option outside its range (`schema`).
    public func validate() throws { try Self.schema.validate(self) }

    /// Every option: JSON key, kind, range, meaning and `x3mat train` flag. Checkpoints
    /// store `json`; `init(json:source:)`, `validate()` and `x3mat options training` use it.
    public static let schema = OptionSchema<TrainingOptions>(
        name: "training options", keyWord: "training option",
        fields: [
            .integer("epochs", \.epochs, 1...1_000_000, doc: "Passes over the training structures.", flag: "--epochs"),
            .integer("batch_structures", \.batchStructures, 1...100_000, doc: "Structures per optimizer step.", flag: "--batch"),
            .integer("windows_per_structure", \.windowsPerStructure, 0...1_000_000,
                     doc: "Windows drawn from each structure per step; 0 = all.", flag: "--windows-per-structure"),
            .number("learning_rate", \.learningRate, .open(0, 1),
                    doc: "Peak learning rate of AdamW (linear warm-up, then cosine decay).", flag: "--learning-rate"),
            .number("weight_decay", \.weightDecay, .from(0, below: 1), doc: "Decoupled weight decay of AdamW.", flag: "--weight-decay"),
            .number("warmup_fraction", \.warmupFraction, .from(0, below: 1),
                    doc: "Fraction of the steps spent warming the learning rate up from 0.", flag: "--warmup-fraction"),
            .number("final_learning_rate_fraction", \.finalLearningRateFraction, .from(0, atMost: 1),
                    doc: "The cosine decay ends at the learning rate times this.", flag: "--final-learning-rate-fraction"),
            .number("clip_norm", \.clipNorm, .from(0), doc: "The gradient is rescaled when its L2 norm exceeds this; 0 = off.",
                    flag: "--clip-norm"),
            .choice("loss", \.loss, doc: "Loss on a structure's mean contribution.", flag: "--loss"),
            .number("ema_decay", \.emaDecay, .from(0, below: 1),
                    doc: "Exponential moving average of the weights (decay per step; 0 = off); when on, validation and the "
                        + "saved models use the averaged weights.", flag: "--ema-decay"),
            .integer("snapshots", \.snapshots, 1...1_000,
                     doc: "Snapshot ensemble: with n >= 2 the learning-rate schedule restarts n times (epochs / n epochs each) and "
                        + "the weights at the end of each cycle become one member of ensemble.safetensors; 1 = one model.",
                     flag: "--snapshots"),
            .choice("calibration", \.calibration,
                    doc: "How a snapshot ensemble's spread is calibrated on validation: \"likelihood\", sqrt(mean z²), or "
                        + "\"coverage\", so that ±1σ holds 68.27 % of the validation labels (robust to heavy-tailed errors).",
                    flag: "--calibration"),
            .number("validation_fraction", \.validationFraction, .from(0, below: 1),
                    doc: "Fraction of the structures held out for validation.", flag: "--validation"),
            .number("test_fraction", \.testFraction, .from(0, below: 1), doc: "Fraction of the structures held out for a test set.",
                    flag: "--test"),
            .integer("folds", \.folds, 0...1_000_000,
                     doc: "Cross-validation folds: with k >= 2 the structures outside the test set are cut into k seeded folds "
                        + "and fold `fold` is the validation set (validation_fraction is then not used); 0 = one split.",
                     flag: "--folds"),
            .integer("fold", \.fold, 0...999_999, doc: "The fold held out for validation (0 ..< folds) when folds >= 2.",
                     flag: "--fold"),
            .seed("seed", \.seed, doc: "Seeds the split, the order of structures and the windows drawn.", flag: "--seed"),
            .integer("validation_windows", \.validationWindows, 0...1_000_000_000,
                     doc: "Windows per validation structure in the per-epoch validation (a fixed seeded subset); 0 = all. "
                        + "The final evaluation uses all.", flag: "--validation-windows"),
            .integer("training_limit", \.trainingLimit, 0...1_000_000_000,
                     doc: "Train on at most this many training structures (a seeded, nested subset; validation unchanged); 0 = all.",
                     flag: "--training-limit"),
            .boolean("symmetry", \.symmetry,
                     doc: "Windows on each structure's symmetry-adapted grid, one evaluated per orbit and weighted by its size "
                        + "(else every window of the plain grid).", flag: "--symmetry"),
            .number("symmetry_tolerance", \.symmetryTolerance, .above(0, atMost: CrystalSymmetry.maxTolerance), unit: "Å",
                    doc: "Distance tolerance of the symmetry search and check.", flag: "--symmetry-tolerance"),
        ],
        rules: [
            { $0.validationFraction + $0.testFraction < 1 ? nil
                : "validation_fraction = \($0.validationFraction), test_fraction = \($0.testFraction); each in [0, 1) and their sum below 1" },
            { $0.epochs % $0.snapshots == 0 ? nil
                : "epochs = \($0.epochs), snapshots = \($0.snapshots): the epochs must be a multiple of the snapshots" },
            { $0.folds != 1 ? nil : "folds = 1: use 0 (one split by validation_fraction) or at least 2" },
            { $0.folds == 0 ? ($0.fold == 0 ? nil : "fold = \($0.fold) needs folds >= 2")
                : ($0.fold < $0.folds ? nil : "fold = \($0.fold): the folds are 0 ..< \($0.folds)") },
        ])

    /// The options as JSON (stored in checkpoints; accepted by `init(json:)`).
    public var json: JSONValue { Self.schema.json(self) }

    /// Options from JSON: missing keys keep their defaults, unknown keys are an error.
    /// The seed is an integer or a decimal string. Validated; errors name `source`.
    public init(json: JSONValue, source: String) throws {
        self.init()
        try Self.schema.read(json, into: &self, source: source)
        do { try validate() } catch let e as X3Error { throw X3Error(e.status, "\(source): \(e.message)") }
    }

    /// Learning rate at optimizer step `step` (0-based) of `total`. Each of the `snapshots`
    /// cycles (total / snapshots steps) warms up linearly over its first warmupFraction of
    /// steps, then decays as a cosine to learningRate × finalLearningRateFraction at its
    /// last step; with one snapshot that is the whole run.
    public func learningRate(step: Int, total: Int) -> Double {
        let cycle = max(1, total / snapshots)
        let (step, total) = (step - min(step / cycle, snapshots - 1) * cycle, cycle)
        let warm = warmupFraction > 0 ? max(1, Int((warmupFraction * Double(total)).rounded())) : 0
        if step < warm { return learningRate * Double(step + 1) / Double(warm) }
        let span = max(1, total - warm - 1)
        let p = min(1, Double(step - warm) / Double(span))
        let f = finalLearningRateFraction
        return learningRate * (f + (1 - f) * 0.5 * (1 + cos(Double.pi * p)))
    }
}

#if canImport(Glibc)
import Glibc
#endif
