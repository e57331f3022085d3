import X3Core

/// Every hyperparameter of the network (stored with the weights in model files).
public struct ModelConfig: Sendable, Equatable {
    /// Highest degree of the node features, and highest order |m| kept by SO(2) convolutions.
    public var lmax = 3, mmax = 2
    /// Node feature channels C (per coefficient).
    public var channels = 32
    /// Channels of the first SO(2) convolution of attention (and of its gate).
    public var attentionChannels = 32
    public var heads = 4
    /// Value channels per head (the second convolution outputs heads × this).
    public var valueChannelsPerHead = 8
    public var ffnChannels = 64
    public var blocks = 2
    /// Gaussian radial basis functions, hidden width of the radial MLPs, and the width of
    /// the source/target element embeddings that join the radial basis on each edge.
    public var radialBasis = 16, radialHidden = 32, edgeEmbedding = 8
    /// Internal edge cutoff (Å) and neighbour cap per target node.
    public var cutoff = 5.0
    public var maxNeighbours = 20
    /// A probe node at the window centre (else the readout pools the atom nodes).
    public var probe = true
    /// Divides the sum of edge-degree embeddings over incoming edges.
    public var averageDegree = 16.0
    public var readoutHidden = 32
    /// "gate" (exactly equivariant) or "s2" (separable S2-grid activation, equivariant up
    /// to the grid: `s2Resolution` Gauss–Legendre latitudes × twice as many longitudes).
    public var activation = "gate"
    public var s2Resolution = 12
    /// Target names; changing their number resets the normalisation to the identity.
    public var targets: [String] = ["y"] {
        didSet {
            if targetMean.count != targets.count { targetMean = Array(repeating: 0, count: targets.count) }
            if targetStd.count != targets.count { targetStd = Array(repeating: 1, count: targets.count) }
            if perVolume.count != targets.count { perVolume = Array(repeating: false, count: targets.count) }
        }
    }
    /// Target normalisation: the network predicts (y − mean)/std per target; outputs are
    /// mapped back with these (identity by default; set by training).
    public var targetMean: [Double] = [0], targetStd: [Double] = [1]
    /// Per target: the network predicts a per-volume quantity, the target times the
    /// framework's density (g/cm³), and `contributionScale` divides it by the structure's
    /// density. For per-mass targets such as uptakes in mol/kg: the windows tile the cell
    /// evenly, so the mean of their outputs is a volume average, which a per-volume
    /// quantity (mol/L) is and a per-mass one is not. Contributions stay in the target's
    /// units and the property stays their mean.
    public var perVolume: [Bool] = [false]
    /// How structures are cut into windows for this model (Å).
    public var windowRadius = 6.0, windowStep = 2.0
    public var seed: UInt64 = 0

    /// The default: sized for a 2-core CPU (0.3 M parameters; about 100 zeolite windows/s
    /// forward and 42 forward+backward on 2 cores, BENCHMARKS.md).
    public init() {}

    /// A configuration close to the paper's (lmax 6, 128 channels, 8 blocks; 28 M
    /// parameters; about 2.3 windows/s forward on 2 cores).
    public static var large: ModelConfig {
        var c = ModelConfig()
        c.lmax = 6; c.mmax = 2; c.channels = 128; c.attentionChannels = 64; c.heads = 8; c.valueChannelsPerHead = 16
        c.ffnChannels = 128; c.blocks = 8; c.radialHidden = 64
        return c
    }

    /// Most parameters a model may have: 2³⁰ (4 GiB of F32 weights).
    public static let maxParameters = 1 << 30

    /// Throws `invalidArgument` naming the first key outside its range (`schema`).
    public func validate() throws { try Self.schema.validate(self) }
}

extension ModelConfig {
    /// Every hyperparameter: JSON key, kind, range and meaning. Model files store
    /// `json`; `init(json:source:)`, `validate()` and `x3mat options model` use it.
    public static let schema = OptionSchema<ModelConfig>(
        name: "model configuration", keyWord: "configuration key",
        fields: [
            .integer("lmax", \.lmax, 0...SphericalHarmonics.maxDegree, doc: "Highest degree l of the node features."),
            .integer("mmax", \.mmax, 0...SphericalHarmonics.maxDegree,
                     doc: "Highest order |m| kept by the SO(2) convolutions (at most lmax)."),
            .integer("channels", \.channels, 1...4096, doc: "Node feature channels per coefficient."),
            .integer("attention_channels", \.attentionChannels, 1...4096,
                     doc: "Channels of attention's first SO(2) convolution and of its gate."),
            .integer("heads", \.heads, 1...4096, doc: "Attention heads."),
            .integer("value_channels_per_head", \.valueChannelsPerHead, 1...4096,
                     doc: "Value channels per head (the second convolution outputs heads × this)."),
            .integer("ffn_channels", \.ffnChannels, 1...4096, doc: "Hidden channels of the feed-forward network."),
            .integer("blocks", \.blocks, 1...256, doc: "Transformer blocks."),
            .integer("radial_basis", \.radialBasis, 2...4096, doc: "Gaussian radial basis functions on each edge."),
            .integer("radial_hidden", \.radialHidden, 1...4096, doc: "Hidden width of the radial MLPs."),
            .integer("edge_embedding", \.edgeEmbedding, 1...4096,
                     doc: "Width of the source and target element embeddings joined to the radial basis."),
            .number("cutoff", \.cutoff, .above(0, atMost: 20), unit: "Å", doc: "Edge cutoff inside a window."),
            .integer("max_neighbours", \.maxNeighbours, 1...4096, doc: "Most incoming edges per node (the nearest kept)."),
            .boolean("probe", \.probe, doc: "A probe node at the window centre carries the readout (else the atom nodes are pooled)."),
            .number("average_degree", \.averageDegree, .above(0), doc: "Divides the sum of edge-degree embeddings over incoming edges."),
            .integer("readout_hidden", \.readoutHidden, 1...4096, doc: "Hidden width of the readout MLP."),
            OptionField(key: "targets", kind: "list of names", range: "1 to 64 names",
                        doc: "Target names; giving a different number resets target_mean and target_std to 0 and 1.",
                        read: { .array($0.targets.map { .string($0) }) },
                        write: { c, v, what, source in
                            guard let a = v.array, a.allSatisfy({ $0.string != nil }) else {
                                throw X3Error(.parse, "\(source): \(what) 'targets' must be an array of names")
                            }
                            c.targets = a.map { $0.string! }
                        },
                        check: { (1...64).contains($0.targets.count) ? nil : "give 1...64 target names" }),
            numbers("target_mean", \.targetMean, doc: "Per target: the mean the network's outputs are shifted by (set by training).",
                    positive: false),
            numbers("target_std", \.targetStd, doc: "Per target: the scale the network's outputs are multiplied by (set by training).",
                    positive: true),
            OptionField(key: "per_volume", kind: "list of booleans", range: "one per target",
                        doc: "Per target: the network predicts target × density (g/cm³), divided by each structure's density "
                            + "(for per-mass targets such as mol/kg, so that the windows' mean is a volume average).",
                        read: { .array($0.perVolume.map { .bool($0) }) },
                        write: { c, v, what, source in
                            guard let a = v.array, a.allSatisfy({ $0.bool != nil }) else {
                                throw X3Error(.parse, "\(source): \(what) 'per_volume' must be an array of true/false")
                            }
                            c.perVolume = a.map { $0.bool! }
                        },
                        check: { _ in nil }),
            .number("window_radius", \.windowRadius, .above(0, atMost: 30), unit: "Å", doc: "Radius of the spherical windows.",
                    flag: "--window-radius"),
            .number("window_step", \.windowStep, .from(0.1, atMost: 30), unit: "Å", doc: "Step of the window grid.",
                    flag: "--window-step"),
            .choice("activation", \.activation, ["gate", "s2"],
                    doc: "gate: exactly equivariant gated activation; s2: separable activation on an S2 grid (equivariant up to the grid)."),
            .integer("s2_resolution", \.s2Resolution, 2...64,
                     doc: "Gauss–Legendre latitudes of the S2 grid (twice as many longitudes)."),
            .seed("seed", \.seed, doc: "Seeds the initial weights.", flag: "--seed"),
        ],
        rules: [
            { $0.mmax <= $0.lmax ? nil : "mmax = \($0.mmax) exceeds lmax = \($0.lmax)" },
            { $0.targetMean.count == $0.targets.count && $0.targetStd.count == $0.targets.count
                ? nil : "target_mean and target_std need one value per target (\($0.targets.count))" },
            { $0.perVolume.count == $0.targets.count ? nil : "per_volume needs one value per target (\($0.targets.count))" },
        ])

    private static func numbers(_ key: String, _ path: WritableKeyPath<ModelConfig, [Double]>, doc: String,
                                positive: Bool) -> OptionField<ModelConfig> {
        OptionField(key: key, kind: "list of numbers", range: positive ? "each in (0, ∞)" : "each finite", doc: doc,
                    read: { .array($0[keyPath: path].map { .number($0) }) },
                    write: { c, v, what, source in
                        guard let a = v.array else { throw X3Error(.parse, "\(source): \(what) '\(key)' must be an array of numbers") }
                        c[keyPath: path] = try a.map { try $0.number(key: key, what: what, source: source) }
                    },
                    check: { $0[keyPath: path].allSatisfy { $0.isFinite && (!positive || $0 > 0) }
                        ? nil : positive ? "each must be positive" : "each must be finite" })
    }

    /// Per target, the factor that turns the network's denormalised output for a window of
    /// a structure of `density` (g/cm³) into a contribution in the target's units: 1/density
    /// for `perVolume` targets, else 1.
    public func contributionScale(density: Double) -> [Double] {
        perVolume.map { $0 ? 1 / density : 1 }
    }

    /// Every hyperparameter as a JSON object (stored in model files).
    public var json: JSONValue { Self.schema.json(self) }

    /// A configuration from JSON: missing keys keep their defaults, unknown keys are an
    /// error (they are usually typos). Validated; errors name `source`.
    public init(json: JSONValue, source: String) throws {
        self.init()
        try Self.schema.read(json, into: &self, source: source)
        do { try validate() } catch let e as X3Error { throw X3Error(e.status, "\(source): \(e.message)") }
    }
}
