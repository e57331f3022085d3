import ArgumentParser
import X3Core
import X3Network

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models found by name, folder by folder, in search order.",
        discussion: """
            A model NAME is the file NAME.safetensors in the first folder that has it:
            each folder of $X3MAT_MODEL_PATH (separated by ':'), the models beside the
            library (a Python wheel's), PREFIX/share/x3mat/models of an installation, and
            the source tree's models/. A later folder's model of the same name is hidden
            (marked). `x3mat info NAME` prints a model's card.
            """)

    func run() throws {
        var seen = Set<String>()
        for folder in ModelSearchPath.folders() {
            let names = ((try? FileIO.list(directory: folder, suffix: ".safetensors")) ?? []).map { String($0.dropLast(12)) }
            print("\(folder)\(FileIO.isDirectory(folder) ? "" : "  (absent)")")
            for name in names {
                let hidden = seen.contains(name)
                seen.insert(name)
                var line = "  " + name.padding(20) + "  "
                do {
                    let m = try ModelFile.loadEnsemble(path: folder + "/" + name + ".safetensors")
                    if let card = m.card {
                        line += card.targets.map { "\($0.name) (\($0.unit))" }.joined(separator: ", ")
                            + ": " + card.description
                    } else {
                        line += m.config.targets.joined(separator: ", ") + " (no model card)"
                    }
                    if m.count > 1 { line += " [ensemble of \(m.count)]" }
                } catch let e as X3Error {
                    line += "unreadable: \(e.message)"
                }
                print(line + (hidden ? "  [hidden by the folder above]" : ""))
            }
        }
    }
}

extension String {
    /// The string padded with spaces to at least `width` characters.
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: Swift.max(0, width - count)) }
}
