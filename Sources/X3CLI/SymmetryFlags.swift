import ArgumentParser
import X3Core
import X3Symmetry
import X3Inference

/// `--symmetry on|off` and `--symmetry-tolerance`, shared by the commands that evaluate a model.
struct SymmetryFlags: ParsableArguments {
    @Option(help: ArgumentHelp(
        "on: evaluate one window per orbit of the structure's space group, on the symmetry-adapted grid; off: every window of the plain grid.",
        valueName: "on|off"))
    var symmetry: String = "on"
    @Option(help: "Distance tolerance of the symmetry search and check, Å (0 < t ≤ \(CrystalSymmetry.maxTolerance)).")
    var symmetryTolerance: Double = CrystalSymmetry.defaultTolerance

    func options() throws -> SymmetryOptions {
        guard symmetry == "on" || symmetry == "off" else {
            throw X3Error(.invalidArgument, "--symmetry '\(symmetry)': use on or off")
        }
        try CrystalSymmetry.validate(tolerance: symmetryTolerance)
        return SymmetryOptions(enabled: symmetry == "on", tolerance: symmetryTolerance)
    }
}

/// "216 windows, 10 evaluated (Pm-3m, 48 operations from the file)" for a prediction.
func describeWindows(_ p: StructurePrediction) -> String {
    let o = p.orbits, sym = p.symmetry
    guard o.operations.count > 1 else {
        return "\(p.windows.count) windows" + (sym.source == .none ? "" : ", no symmetry on the grid")
    }
    let group = sym.spaceGroupSymbol.map { "\($0), " } ?? ""
    let from = sym.source == .file ? "from the file" : "found by spglib"
    return "\(p.windows.count) windows, \(o.count) evaluated (\(group)\(o.operations.count) operations \(from))"
}
