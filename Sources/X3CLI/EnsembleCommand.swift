import ArgumentParser
import X3Core
import X3Network

struct EnsembleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ensemble",
        abstract: "Combine models of the same property into one ensemble file.",
        discussion: """
            The members must predict the same targets on the same windows (radius and
            step); they may differ in anything else, e.g. models trained with other seeds
            or on other cross-validation folds (x3mat train --folds K --fold I). Given an
            ensemble, predict, screen and explain report the members' mean and, as its
            uncertainty, their standard deviation (sample, n - 1): columns TARGET_std in
            the CSV files, "± ..." in the summaries. An ensemble given as a member adds
            its members. The card is the first member's (x3mat card --set replaces it).

            Example:
              x3mat ensemble runs/fold0/model.safetensors runs/fold1/model.safetensors \\
                  runs/fold2/model.safetensors -o iza-cv.safetensors
            """)

    @Argument(help: "Two or more models (names of shipped models or model files).") var models: [String]
    @Option(name: .shortAndLong, help: "The ensemble file to write (atomically).") var output: String

    func run() throws { try exitingOnError(combine) }

    func combine() throws {
        guard models.count >= 2 else { throw X3Error(.invalidArgument, "give two or more models to combine") }
        var members: [EquiformerModel<Float>] = []
        for name in models { members += try ModelFile.loadEnsemble(path: try ModelSearchPath.resolve(name)).members }
        let ensemble = try ModelEnsemble(members: members)
        try ModelFile.save(ensemble, path: output)
        print("wrote \(output): an ensemble of \(ensemble.count) models predicting \(ensemble.config.targets.joined(separator: ", "))")
    }
}
