import ArgumentParser
import X3Core
import X3Network

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe structures (formula, cell, volume, density, warnings) or models (card, configuration).",
        discussion: """
            Each argument is a CIF file, or a model: a shipped model's name or a model file
            (.safetensors). For a model: its card (what it predicts, units, conditions,
            strong end, training data and licence, validation metrics), its file, size
            and windows.

            Examples:
              x3mat info LTA.cif
              x3mat info iza-ar-uptake
            """)

    @Argument(help: "CIF files, model names or model files.")
    var files: [String]

    @Option(help: "Data block to read, its name without 'data_' (default: the first).")
    var block: String?

    @Flag(help: "Also print every atom (label, element, fractional x y z).")
    var atoms = false

    func run() throws {
        var failures = 0
        for path in files {
            do {
                if ModelSearchPath.isName(path) || path.hasSuffix(".safetensors") {
                    try describeModel(path)
                } else {
                    try describeStructure(path)
                }
            } catch let e as X3Error {
                failures += 1
                printError("error: \(e.message)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    func describeModel(_ spec: String) throws {
        let file = try ModelSearchPath.resolve(spec)
        let e = try ModelFile.loadEnsemble(path: file)
        let m = e.members[0], c = m.config
        print("\(spec)")
        print("  file      \(file)")
        if e.count > 1 {
            var scale = ""
            if e.spreadScale.contains(where: { $0 != 1 }) {
                scale = " times the spread scale (" + zip(c.targets, e.spreadScale).map { "\($0) \(g4($1))" }.joined(separator: ", ")
                    + (e.spreadCalibration.map { "; fitted by \($0.rawValue): \($0.meaning)" } ?? "; rule not recorded") + ")"
            }
            print("  ensemble  \(e.count) members: predictions are their mean, uncertainties their standard deviation"
                  + "\(scale); member 0 below")
        }
        if let card = m.card {
            for line in card.summary.split(separator: "\n") { print("  \(line)") }
        } else {
            print("  (no model card: targets \(c.targets.joined(separator: ", ")); add one with x3mat card)")
        }
        print("  network   lmax \(c.lmax), mmax \(c.mmax), \(c.channels) channels, \(c.blocks) blocks, "
              + "\(m.params.count) parameters; cutoff \(fixed(c.cutoff, 2)) Å, ≤ \(c.maxNeighbours) neighbours")
        print("  windows   radius \(fixed(c.windowRadius, 2)) Å, step \(fixed(c.windowStep, 2)) Å")
        let perVolume = zip(c.targets, c.perVolume).filter(\.1).map(\.0)
        if !perVolume.isEmpty {
            print("  per volume \(perVolume.joined(separator: ", ")): learnt as value × density (g/cm³); each "
                  + "structure's outputs are divided by its density")
        }
    }

    func describeStructure(_ path: String) throws {
        let s = try CIFReader.read(path: path, options: CIFReadOptions(block: block))
        let p = s.lattice.parameters
        print("\(path)")
        print("  name      \(s.name)")
        print("  formula   \(s.formula)   (\(s.count) atoms in the cell)")
        print("  cell      a=\(fixed(p.a, 4)) b=\(fixed(p.b, 4)) c=\(fixed(p.c, 4)) Å   "
              + "alpha=\(fixed(p.alpha, 3)) beta=\(fixed(p.beta, 3)) gamma=\(fixed(p.gamma, 3))°")
        print("  volume    \(fixed(s.lattice.volume, 3)) Å³")
        print("  density   \(fixed(s.density, 4)) g/cm³")
        for w in s.warnings { print("  warning   \(w)") }
        if atoms {
            for i in 0..<s.count {
                let f = s.fractionalPositions[i]
                print("  \(s.labels[i])\t\(Elements.all[s.atomicNumbers[i] - 1].symbol)\t"
                      + "\(fixed(f.x, 6)) \(fixed(f.y, 6)) \(fixed(f.z, 6))")
            }
        }
    }
}
