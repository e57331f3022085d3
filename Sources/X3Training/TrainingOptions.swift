import X3Core
import X3Symmetry

/// The discrepancy between a structure's label and the mean of its window contributions,
/// on normalised targets (SPEC, "Training").
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
    /// Fractions of the structures held out for validation and for a test set.
    public var validationFraction = 0.2, testFraction = 0.0
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

    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw X3Error(.invalidArgument, "training options: \(what)") } }
        try check(epochs >= 1 && epochs <= 1_000_000, "epochs = \(epochs); use at least 1")
        try check(batchStructures >= 1 && batchStructures <= 100_000, "batch_structures = \(batchStructures); use at least 1")
        try check(windowsPerStructure >= 0 && windowsPerStructure <= 1_000_000, "windows_per_structure = \(windowsPerStructure); use 0 (all) or more")
        try check(learningRate.isFinite && learningRate > 0 && learningRate < 1, "learning_rate = \(learningRate); use (0, 1)")
        try check(weightDecay.isFinite && weightDecay >= 0 && weightDecay < 1, "weight_decay = \(weightDecay); use [0, 1)")
        try check(warmupFraction >= 0 && warmupFraction < 1, "warmup_fraction = \(warmupFraction); use [0, 1)")
        try check(finalLearningRateFraction >= 0 && finalLearningRateFraction <= 1,
                  "final_learning_rate_fraction = \(finalLearningRateFraction); use [0, 1]")
        try check(clipNorm.isFinite && clipNorm >= 0, "clip_norm = \(clipNorm); use 0 (off) or a positive norm")
        try check(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1,
                  "validation_fraction = \(validationFraction), test_fraction = \(testFraction); each in [0, 1) and their sum below 1")
        try check(validationWindows >= 0, "validation_windows = \(validationWindows); use 0 (all) or more")
        try check(trainingLimit >= 0, "training_limit = \(trainingLimit); use 0 (all) or more")
        try check(symmetryTolerance.isFinite && symmetryTolerance > 0 && symmetryTolerance <= CrystalSymmetry.maxTolerance,
                  "symmetry_tolerance = \(symmetryTolerance); use (0, \(CrystalSymmetry.maxTolerance)] Å")
    }

    /// The options as JSON (stored in checkpoints; accepted by `init(json:)`).
    public var json: JSONValue {
        .object([
            ("epochs", .number(Double(epochs))), ("batch_structures", .number(Double(batchStructures))),
            ("windows_per_structure", .number(Double(windowsPerStructure))), ("learning_rate", .number(learningRate)),
            ("weight_decay", .number(weightDecay)), ("warmup_fraction", .number(warmupFraction)),
            ("final_learning_rate_fraction", .number(finalLearningRateFraction)), ("clip_norm", .number(clipNorm)),
            ("loss", .string(loss.rawValue)), ("validation_fraction", .number(validationFraction)),
            ("test_fraction", .number(testFraction)), ("seed", .string(String(seed))),
            ("validation_windows", .number(Double(validationWindows))), ("training_limit", .number(Double(trainingLimit))),
            ("symmetry", .bool(symmetry)), ("symmetry_tolerance", .number(symmetryTolerance)),
        ])
    }

    /// Options from JSON: missing keys keep their defaults, unknown keys are an error.
    /// The seed is a decimal string or an integer. Validated.
    public init(json: JSONValue, source: String) throws {
        self.init()
        guard let items = json.object else { throw X3Error(.parse, "\(source): training options must be a JSON object") }
        func num(_ k: String, _ v: JSONValue) throws -> Double { try v.number(key: k, what: "training option", source: source) }
        func int(_ k: String, _ v: JSONValue) throws -> Int { try v.integer(key: k, what: "training option", source: source) }
        for (k, v) in items {
            switch k {
            case "epochs": epochs = try int(k, v)
            case "batch_structures": batchStructures = try int(k, v)
            case "windows_per_structure": windowsPerStructure = try int(k, v)
            case "learning_rate": learningRate = try num(k, v)
            case "weight_decay": weightDecay = try num(k, v)
            case "warmup_fraction": warmupFraction = try num(k, v)
            case "final_learning_rate_fraction": finalLearningRateFraction = try num(k, v)
            case "clip_norm": clipNorm = try num(k, v)
            case "loss":
                guard let s = v.string, let l = LossKind(rawValue: s) else {
                    throw X3Error(.parse, "\(source): training option 'loss' must be \"l1\" or \"mse\"")
                }
                loss = l
            case "validation_fraction": validationFraction = try num(k, v)
            case "test_fraction": testFraction = try num(k, v)
            case "seed":
                if let s = v.string, let u = UInt64(s) { seed = u }
                else if let d = v.number, d >= 0, d == d.rounded(), d < 9e15 { seed = UInt64(d) }
                else { throw X3Error(.parse, "\(source): training option 'seed' must be a non-negative integer") }
            case "validation_windows": validationWindows = try int(k, v)
            case "training_limit": trainingLimit = try int(k, v)
            case "symmetry":
                guard let b = v.bool else { throw X3Error(.parse, "\(source): training option 'symmetry' must be true or false") }
                symmetry = b
            case "symmetry_tolerance": symmetryTolerance = try num(k, v)
            default: throw X3Error(.parse, "\(source): unknown training option '\(k)'")
            }
        }
        do { try validate() } catch let e as X3Error { throw X3Error(e.status, "\(source): \(e.message)") }
    }

    /// Learning rate at optimizer step `step` (0-based) of `total`: linear warm-up over
    /// the first warmupFraction of the steps, then cosine decay to
    /// learningRate × finalLearningRateFraction at the last step.
    public func learningRate(step: Int, total: Int) -> Double {
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
