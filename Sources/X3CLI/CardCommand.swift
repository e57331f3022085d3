import ArgumentParser
import X3Core
import X3Network

struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Print a model's card as JSON, or write a copy of the model with a new card.",
        discussion: """
            The card says what a model is for; it is stored in the model file and printed
            by x3mat info. JSON keys: description; targets (in the model's order), each
            with name, unit, conditions, strong ("high" or "low") and optionally
            validation {mae, rmse, r2}; training_data {source, licence, structures,
            training, validation}; optionally command.

            Examples:
              x3mat card iza-ar-uptake > card.json
              x3mat card runs/iza/model.safetensors --set card.json -o my-model.safetensors
            """)

    @Argument(help: "A shipped model's name or a model file.") var model: String
    @Option(help: "A card (JSON file) to store in the model.") var set: String?
    @Option(name: .shortAndLong, help: "With --set: the model file to write (atomically).") var output: String?

    func run() throws { try exitingOnError(card) }

    func card() throws {
        let file = try ModelSearchPath.resolve(model)
        var m = try ModelFile.loadEnsemble(path: file)
        guard let set else {
            guard output == nil else { throw X3Error(.invalidArgument, "--output needs --set") }
            guard let card = m.card else { throw X3Error(.invalidArgument, "\(file) has no model card") }
            print(card.json.text)
            return
        }
        guard let output else { throw X3Error(.invalidArgument, "--set needs --output (the model file to write)") }
        let text = try FileIO.readBytes(path: set)
        m.card = try ModelCard(json: try JSONValue.parse(text, source: set), targets: m.config.targets, source: set)
        try ModelFile.save(m, path: output)
        print("wrote \(output): \(file) with the card of \(set)")
    }
}
