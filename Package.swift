// swift-tools-version:6.0
//
// libx3mat: interpretable, symmetry-aware machine learning for nanoporous materials.
// The package is the one source of truth for the source list: CMake drives `swift build`
// and never lists Swift files itself.
import PackageDescription

/// Absolute path of the package root, so linker scripts resolve whatever the working
/// directory of the build (CMake calls `swift build --package-path`).
let packageRoot = String(#filePath.dropLast("/Package.swift".count))

// Library version (keep in step with include/x3mat.h and CMakeLists.txt; a test checks).
let soname = "libx3mat.so.0"

let package = Package(
    name: "x3mat",
    products: [
        // ---- Public API -------------------------------------------------------------
        // libx3mat.so: the stable C ABI declared in include/x3mat.h.
        .library(name: "x3mat", type: .dynamic, targets: ["X3CAPI"]),
        // The command-line tool; CMake installs it as `bin/x3mat`.
        .executable(name: "x3mat-cli", targets: ["X3CLI"]),
        .executable(name: "x3mat-bench", targets: ["X3Bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // ---- Public API -------------------------------------------------------------
        .target(
            name: "X3CAPI",
            dependencies: ["X3Core", "X3Windows", "X3Symmetry", "X3Sites", "X3Network", "X3Inference", "X3Training",
                           "X3Interpret", "CX3Support"],
            exclude: ["exports.map"],
            linkerSettings: [
                .unsafeFlags([
                    // Swift runtime linked in: the .so loads where no Swift toolchain is.
                    "-static-stdlib",
                    "-Xlinker", "-soname=\(soname)",
                    // Export the x3_* functions of include/x3mat.h and nothing else.
                    "-Xlinker", "--version-script=\(packageRoot)/Sources/X3CAPI/exports.map",
                ]),
            ]
        ),
        .executableTarget(
            name: "X3CLI",
            dependencies: [
                "X3Core", "X3Windows", "X3Symmetry", "X3Sites", "X3Network", "X3Inference", "X3Training", "X3Interpret",
                "CX3Support", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // ---- Implementation -----------------------------------------------------------
        // Crystal structures: lattice maths, elements, CIF reading and writing.
        .target(name: "X3Core", dependencies: ["CX3Support"]),
        // Detection windows: every periodic image within R of grid or given centres.
        .target(name: "X3Windows", dependencies: ["X3Core"]),
        // Crystal symmetry: the operations of a structure (its CIF's, or spglib's), the
        // symmetry-adapted window grid and its orbits.
        .target(name: "X3Symmetry", dependencies: ["X3Core", "X3Windows", "CSpglib"]),
        // Site identity: window bond graphs, NetworkX-compatible WL hashes (BLAKE2b), the
        // site catalogue.
        .target(name: "X3Sites", dependencies: ["X3Core", "X3Windows"]),
        // The equivariant network: SO(3) maths (harmonics, Wigner-D, edge frames, layouts), …
        .target(name: "X3Network", dependencies: ["X3Core", "X3Windows", "CX3Support"]),
        // Inference: the one engine that evaluates a model on structures (windows packed
        // into batches across structures, streamed in input order), prediction tables.
        .target(name: "X3Inference", dependencies: ["X3Core", "X3Windows", "X3Symmetry", "X3Network"]),
        // Training: labelled datasets, the trainer, metrics.
        .target(name: "X3Training", dependencies: ["X3Core", "X3Windows", "X3Symmetry", "X3Network", "X3Inference"]),
        // Interpretation: contribution and selectivity maps (cube, XSF), histograms, a
        // structure's explanation (maps, classes, strongest sites).
        .target(name: "X3Interpret", dependencies: ["X3Core", "X3Windows", "X3Symmetry", "X3Sites", "X3Network", "X3Inference"]),
        // C where C is the right tool: thread-local error storage, CPU feature detection
        // and the OpenBLAS loader (which must set OPENBLAS_CORETYPE before OpenBLAS starts).
        .target(name: "CX3Support", linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread"), .linkedLibrary("m")]),
        // spglib's C API (Debian's libsymspg-dev), linked as a system library.
        .systemLibrary(name: "CSpglib", pkgConfig: "spglib", providers: [.apt(["libsymspg-dev"])]),

        // ---- Benchmarks (benchmarks/run.sh) ----------------------------------------------
        .executableTarget(name: "X3Bench", dependencies: ["X3Core", "X3Windows", "X3Sites", "X3Network", "X3Inference", "X3Training", "X3Interpret", "CX3Support"], path: "benchmarks/X3Bench"),

        // ---- Tests --------------------------------------------------------------------
        .target(name: "X3TestSupport", dependencies: ["X3Core", "X3Network"], path: "Tests/X3TestSupport"),
        .testTarget(name: "X3CoreTests", dependencies: ["X3Core", "X3TestSupport"]),
        .testTarget(name: "X3WindowsTests", dependencies: ["X3Core", "X3Windows", "X3TestSupport"]),
        .testTarget(name: "X3SymmetryTests", dependencies: ["X3Core", "X3Windows", "X3Symmetry", "X3Sites", "X3TestSupport"]),
        .testTarget(name: "X3SitesTests", dependencies: ["X3Core", "X3Windows", "X3Sites", "X3TestSupport"],
                    exclude: ["make_blake2b_vectors.py"]),
        .testTarget(name: "X3InferenceTests", dependencies: ["X3Core", "X3Windows", "X3Network", "X3Inference", "X3TestSupport"]),
        .testTarget(name: "X3TrainingTests", dependencies: ["X3Core", "X3Network", "X3Inference", "X3Training", "X3TestSupport"]),
        .testTarget(name: "X3InterpretTests",
                    dependencies: ["X3Core", "X3Windows", "X3Symmetry", "X3Network", "X3Inference", "X3Training",
                                   "X3Interpret", "X3TestSupport"]),
        .testTarget(name: "X3NetworkTests", dependencies: ["X3Core", "X3Network", "X3TestSupport", "CX3Support"],
                    exclude: ["make_sh_reference.py"]),
        // The C API is tested through the built libx3mat.so, as users reach it:
        // Tests/c (C programs run by CTest) and bindings/python/tests (pytest).
    ]
)

// ---- Fuzzing (scripts/fuzz.sh) ---------------------------------------------------------
// The libFuzzer entry point has no main of its own (libFuzzer supplies it), so the target
// exists only in builds with `--sanitize=fuzzer`, which scripts/fuzz.sh marks with
// X3MAT_FUZZ=1.
if Context.environment["X3MAT_FUZZ"] != nil {
    package.products.append(.executable(name: "x3mat-fuzz", targets: ["X3Fuzz"]))
    package.targets.append(.executableTarget(name: "X3Fuzz", dependencies: ["X3CAPI"]))
}
