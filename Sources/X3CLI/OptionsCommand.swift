import ArgumentParser
import X3Core
import X3Interpret
import X3Network
import X3Training

struct OptionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "options",
        abstract: "List the keys of a model configuration, training options or explain options, with defaults and ranges.",
        discussion: """
            These are the keys of the JSON objects that model files store, that
            'x3mat train --config FILE' reads, and that the C, Python and Fortran
            interfaces take (x3_model_create, x3_train, x3_model_explain). Unknown keys
            are an error. The flag column names the x3mat flag that sets a key.

            Examples:
              x3mat options model
              x3mat options training --json
            """)

    enum OptionSet: String, ExpressibleByArgument, CaseIterable {
        case model, training, explain
    }

    @Argument(help: "model, training or explain (default: all three).") var sets: [OptionSet] = []
    @Flag(help: "Print JSON: for each set, a list of {key, kind, default, range, unit, doc, flag}.") var json = false

    func run() throws {
        let chosen = sets.isEmpty ? OptionSet.allCases : sets
        let described: [(String, JSONValue)] = chosen.map { set in
            switch set {
            case .model: return (set.rawValue, ModelConfig.schema.description(defaults: ModelConfig()))
            case .training: return (set.rawValue, TrainingOptions.schema.description(defaults: TrainingOptions()))
            case .explain: return (set.rawValue, ExplainOptions.schema(targets: []).description(defaults: ExplainOptions()))
            }
        }
        if json {
            print(JSONValue.object(described).text)
            return
        }
        for (name, fields) in described {
            print("\(name):")
            for f in fields.array ?? [] {
                let unit = f["unit"]?.string ?? "", range = f["range"]?.string ?? ""
                let dflt = f["default"].map { $0.string ?? $0.text } ?? ""
                let flag = f["flag"]?.string.map { "  [\($0)]" } ?? ""
                print("  \(f["key"]?.string ?? "")  \(f["kind"]?.string ?? "")\(range.isEmpty ? "" : " in " + range)"
                      + "\(unit.isEmpty ? "" : " " + unit), default \(dflt)\(flag)")
                print("      \(f["doc"]?.string ?? "")")
            }
        }
    }
}

/// A flag's help from the option it sets: the schema's doc (and `extra`), and its
/// default (booleans as the flags spell them: on or off).
func flagHelp<Options>(_ schema: OptionSchema<Options>, _ key: String, defaults: Options, extra: String = "",
                       valueName: String? = nil) -> ArgumentHelp {
    guard let f = schema.field(key) else { preconditionFailure("no option '\(key)' in the \(schema.name)") }
    var d = f.defaultText ?? f.text(of: defaults)
    if f.kind == "boolean" { d = d == "true" ? "on" : "off" }
    let doc = f.unit.isEmpty || !f.doc.hasSuffix(".") ? f.doc : f.doc.dropLast() + ", in \(f.unit)."
    return ArgumentHelp("\(doc)\(extra.isEmpty ? "" : " " + extra) (default: \(d))", valueName: valueName)
}
