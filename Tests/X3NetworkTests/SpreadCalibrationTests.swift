import Testing
import X3Network

/// The two rules that fit an ensemble's spread scale to standardised errors z.
struct SpreadCalibrationTests {
    static let z = [0.5, -1, 2, -4, 8]

    /// By hand: mean z² = (0.25 + 1 + 4 + 16 + 64) / 5 = 17.05.
    @Test func likelihoodIsTheRootMeanSquareOfZ() {
        #expect(abs(SpreadCalibration.likelihood.factor(Self.z) - Double(17.05).squareRoot()) <= 1e-15)
    }

    /// |z| sorted is 0.5, 1, 2, 4, 8; the 68.27th percentile sits at position 0.682689… × 4
    /// = 2.730758 between order statistics 2 and 4, giving 2 + 0.730758 × 2. NumPy's
    /// `np.quantile([0.5, 1, 2, 4, 8], math.erf(1 / math.sqrt(2)))` prints 3.461515937096687.
    @Test func coverageIsTheLinearlyInterpolatedQuantileOfAbsoluteZ() {
        #expect(abs(SpreadCalibration.oneSigmaShare - 0.682_689_492_137_085_9) <= 1e-16)
        #expect(abs(SpreadCalibration.coverage.factor(Self.z) - 3.461515937096687) <= 1e-14)
        #expect(SpreadCalibration.coverage.factor([-2.5]) == 2.5)
    }

    /// Both rules are scale-equivariant, so refitting on the calibrated errors z / f gives 1:
    /// a calibrated ensemble calibrated again on the same structures keeps its scale.
    @Test(arguments: SpreadCalibration.allCases)
    func refittingOnCalibratedErrorsGivesOne(rule: SpreadCalibration) {
        let f = rule.factor(Self.z)
        #expect(abs(rule.factor(Self.z.map { $0 / f }) - 1) <= 1e-14)
        #expect(abs(rule.factor(Self.z.map { 3 * $0 }) - 3 * f) <= 1e-13)
    }

    /// After the coverage rule, ±1σ holds the Gaussian share of the structures up to the
    /// granularity of n: of 101 errors 1 … 101 (quantile 69.27, between 69 and 70) the first
    /// 69 lie within, 68.3 %; the likelihood rule (√(mean z²) = 58.7) keeps only 58.
    @Test func coverageLeavesTheGaussianShareWithinOneSigma() {
        let z = (1...101).map(Double.init)
        let within = { (f: Double) in z.filter { $0 / f <= 1 }.count }
        #expect(within(SpreadCalibration.coverage.factor(z)) == 69)
        #expect(within(SpreadCalibration.likelihood.factor(z)) == 58)
    }
}
