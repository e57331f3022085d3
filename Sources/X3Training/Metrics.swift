import X3Core

/// Regression metrics of predictions against labels, in the target's units.
public struct RegressionMetrics: Sendable, Equatable {
    public let count: Int
    /// Mean absolute error.
    public let mae: Double
    /// Root mean squared error.
    public let rmse: Double
    /// Coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (ȳ the mean of these labels;
    /// NaN when the labels are all equal).
    public let r2: Double

    public init(count: Int, mae: Double, rmse: Double, r2: Double) {
        self.count = count; self.mae = mae; self.rmse = rmse; self.r2 = r2
    }

    public init(predicted: [Double], actual: [Double]) {
        precondition(predicted.count == actual.count)
        count = actual.count
        guard count > 0 else { mae = .nan; rmse = .nan; r2 = .nan; return }
        let n = Double(count)
        let mean = actual.reduce(0, +) / n
        var abs = 0.0, sq = 0.0, tot = 0.0
        for (p, y) in zip(predicted, actual) {
            abs += Swift.abs(p - y)
            sq += (p - y) * (p - y)
            tot += (y - mean) * (y - mean)
        }
        mae = abs / n
        rmse = (sq / n).squareRoot()
        r2 = tot > 0 ? 1 - sq / tot : .nan
    }
}

/// A seeded split of a dataset's structures into training, validation and test sets.
public struct DataSplit: Sendable, Equatable {
    public var train: [Int], validation: [Int], test: [Int]

    public init(train: [Int], validation: [Int], test: [Int]) {
        self.train = train; self.validation = validation; self.test = test
    }

    /// Shuffles 0..<count with SplitMix64(seed) (Fisher–Yates), then takes
    /// round(validation × count) structures for validation, round(test × count) for the
    /// test set and the rest for training; each set is returned in ascending order.
    /// A non-zero fraction gets at least one structure; training keeps at least one.
    ///
    /// With folds = k ≥ 2 (cross-validation), the test set is the first round(test ×
    /// count) of the same shuffle, the other r structures are cut into k consecutive
    /// folds (fold i: positions ⌊i r / k⌋ ..< ⌊(i + 1) r / k⌋ of them, sizes differing by
    /// at most one), fold `fold` is the validation set and the others are training;
    /// `validation` is not used. The k splits of one seed validate on every structure
    /// outside the test set exactly once.
    public static func make(count: Int, validation: Double, test: Double, seed: UInt64, folds: Int = 0,
                            fold: Int = 0) throws -> DataSplit {
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed ^ 0x5EED_5B11_7000_0001)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        func size(_ f: Double) -> Int { f > 0 ? max(1, Int((f * Double(count)).rounded())) : 0 }
        if folds >= 2 {
            precondition(fold >= 0 && fold < folds)
            let nt = size(test), r = count - nt
            guard r >= folds else {
                throw X3Error(.invalidArgument, "\(count) structures, \(nt) of them for test, cannot be cut into \(folds) folds")
            }
            let lo = nt + fold * r / folds, hi = nt + (fold + 1) * r / folds
            return DataSplit(train: (order[nt..<lo] + order[hi...]).sorted(), validation: order[lo..<hi].sorted(),
                             test: order[..<nt].sorted())
        }
        let nv = size(validation), nt = size(test)
        guard count - nv - nt >= 1 else {
            throw X3Error(.invalidArgument, "\(count) structures cannot be split into \(nv) for validation, \(nt) for test and at least one for training")
        }
        return DataSplit(train: order[(nv + nt)...].sorted(), validation: order[..<nv].sorted(),
                         test: order[nv..<(nv + nt)].sorted())
    }

    /// The first `limit` training structures of a seeded shuffle (ascending); a smaller
    /// limit takes a subset of a larger one's. 0 or a limit ≥ the training set keeps all.
    public func limitingTraining(to limit: Int, seed: UInt64) -> DataSplit {
        guard limit > 0 && limit < train.count else { return self }
        var order = train
        var rng = SplitMix64(seed: seed ^ 0x7A1_11A1_7000_0002)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return DataSplit(train: order[..<limit].sorted(), validation: validation, test: test)
    }
}
