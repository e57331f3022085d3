import Testing
import X3Core
import X3Sites
import X3TestSupport
import X3Windows

/// WL hashing of graphs and windows: a published NetworkX value, and symmetry facts.
struct SiteHashTests {
    /// NetworkX's documentation (weisfeiler_lehman_graph_hash) hashes the graph with edges
    /// 1–2, 2–3, 3–1, 1–4 and no attributes to 'c045439172215f49e0bef8c3d26c6b61'
    /// (iterations 3, digest 16). Without attributes NetworkX starts from the degrees and
    /// runs one iteration fewer, so that equals our hash with labels = degrees, 2 iterations.
    @Test func networkxDocumentationExample() throws {
        let g = try LabelledGraph(labels: ["3", "2", "2", "1"], edges: [(0, 1), (1, 2), (2, 0), (0, 3)])
        #expect(try WLHash.hash(g, iterations: 2, digestSize: 16) == "c045439172215f49e0bef8c3d26c6b61")
    }

    @Test func graphsCollapseDuplicateEdgesAndRejectBadInput() throws {
        let g = try LabelledGraph(labels: ["A", "B"], edges: [(0, 1), (1, 0), (0, 1)])
        #expect(g.edgeCount == 1 && g.neighbours == [[1], [0]])
        let loop = try LabelledGraph(labels: ["A"], edges: [(0, 0), (0, 0)])
        #expect(loop.neighbours == [[0]] && loop.edgeCount == 1)
        #expect(throws: X3Error.self) { try LabelledGraph(labels: ["A"], edges: [(0, 1)]) }
        #expect(throws: X3Error.self) { try LabelledGraph(labels: ["Å"], edges: []) }
        #expect(throws: X3Error.self) { try WLHash.hash(g, iterations: 0, digestSize: 16) }
        #expect(throws: X3Error.self) { try WLHash.hash(g, iterations: 3, digestSize: 65) }
    }

    @Test func removalSpecParses() throws {
        #expect(try SiteGraphOptions.parseRemoval("H:delete, o:CONTRACT") == [1: .delete, 8: .contract])
        #expect(try SiteGraphOptions.parseRemoval("") == [:])
        #expect(throws: X3Error.self) { try SiteGraphOptions.parseRemoval("H") }
        #expect(throws: X3Error.self) { try SiteGraphOptions.parseRemoval("Qq:delete") }
        #expect(throws: X3Error.self) { try SiteGraphOptions.parseRemoval("H:delete,H:contract") }
    }

    /// Contraction of a bridging atom bonds its neighbours; deletion does not.
    @Test func contractionBridgesAndDeletionCuts() {
        // Si0 – O1 – Si2, plus H3 on O1
        let z: [Int32] = [14, 8, 14, 1]
        let adj: [[Int32]] = [[1], [0, 2, 3], [1], [1]]
        let contracted = BondGraphs.graph(z: z, adjacency: adj, removal: [8: .contract, 1: .delete])
        #expect(contracted.atoms == [0, 2] && contracted.graph.edges.map { [$0.0, $0.1] } == [[0, 1]])
        let deleted = BondGraphs.graph(z: z, adjacency: adj, removal: [8: .delete])
        #expect(deleted.atoms == [0, 2, 3] && deleted.graph.edgeCount == 0)
    }
}

/// Facts on real zeolites and MOFs from ../shared/data.
@Suite(.enabled(if: sharedData != nil, "../shared/data not found (set X3MAT_SHARED_DATA)"))
struct SiteDataTests {
    static let interrupted: Set<String> = ["IFT", "IFU", "IRY", "ITV", "PAR", "SVR", "SYT", "WEN"]

    /// With the default tolerance (1.2), in every fully connected IZA framework every Si
    /// bonds exactly four O, every O two Si, and no Si–Si or O–O bond appears (full window
    /// graphs); with O contracted, every T atom whose whole T–O–T shell lies inside the
    /// window (|r| ≤ R − 3.4 Å) has degree 4.
    @Test func zeoliteWindowGraphsAreTetrahedralNetworks() throws {
        let dir = sharedData! + "/iza/cif"
        let radius = 6.0
        var checkedDeep = 0
        for name in try FileIO.list(directory: dir, suffix: ".cif") {
            let id = String(name.dropLast(4))
            if Self.interrupted.contains(id) { continue }
            let s = try CIFReader.read(path: "\(dir)/\(name)")
            let ws = try WindowSampler.sample(s, radius: radius, step: 4)
            let contract = SiteGraphOptions(removal: [8: .contract])
            for w in 0..<ws.count {
                let r = ws.atomRange(w)
                let full = BondGraphs.graph(ws, window: w, options: SiteGraphOptions())
                for (k, i) in full.atoms.enumerated() {
                    let z = ws.atomicNumbers[r.lowerBound + i]
                    let nbrZ = full.graph.neighbours[k].map { ws.atomicNumbers[r.lowerBound + full.atoms[Int($0)]] }
                    #expect(!nbrZ.contains(z), "\(id) window \(w): \(z == 14 ? "Si–Si" : "O–O") bond")
                    let d = norm(ws.position(r.lowerBound + i))
                    if z == 14 && d <= radius - 2.0 { #expect(nbrZ.count == 4, "\(id): Si with \(nbrZ.count) O") }
                    if z == 8 && d <= radius - 3.4 { #expect(nbrZ.count == 2, "\(id): O with \(nbrZ.count) Si") }
                }
                let t = BondGraphs.graph(ws, window: w, options: contract)
                for (k, i) in t.atoms.enumerated() where norm(ws.position(r.lowerBound + i)) <= radius - 3.4 {
                    #expect(t.graph.neighbours[k].count == 4, "\(id) window \(w): T atom of degree \(t.graph.neighbours[k].count)")
                    checkedDeep += 1
                }
            }
        }
        #expect(checkedDeep > 1000)
    }

    /// Window centres related by a space-group operator of the framework's CIF see the
    /// same atoms up to an isometry, so their hashes agree (O contracted, and full graphs).
    @Test(arguments: ["LTA", "FAU", "MEL", "SOD", "LEV", "MOR", "ABW"])
    func symmetryEquivalentCentresHaveTheSameHash(id: String) throws {
        let path = sharedData! + "/iza/cif/\(id).cif"
        let s = try CIFReader.read(path: path)
        let ops = try CIFReader.symmetryOperations(path: path)
        #expect(ops.count > 1)
        var rng = SplitMix(state: 11)
        var centres: [Vec3] = []
        for _ in 0..<12 {
            let c = Vec3(Double.random(in: 0..<1, using: &rng), Double.random(in: 0..<1, using: &rng),
                         Double.random(in: 0..<1, using: &rng))
            centres.append(c)
            for _ in 0..<3 { centres.append(ops[Int.random(in: 0..<ops.count, using: &rng)].apply(c)) }
        }
        let ws = try WindowSampler.sample(s, radius: 6, centres: centres, coordinates: .fractional)
        for options in [SiteGraphOptions(removal: [8: .contract]), SiteGraphOptions()] {
            let h = try BondGraphs.hashes(ws, options: options)
            for k in stride(from: 0, to: centres.count, by: 4) {
                #expect(Set(h[k..<(k + 4)]).count == 1, "\(id): centre \(k) and its images differ")
            }
            #expect(Set(h).count > 1, "\(id): all random centres hash alike")
        }
    }

    /// Deleting H from MOF windows removes the H nodes and leaves every bond between the
    /// other atoms as it was (CoRE MOFs, R = 6 Å).
    @Test func deletingHydrogenKeepsHeavyAtomBonds() throws {
        let dir = sharedData! + "/coremof/cif"
        for name in try FileIO.list(directory: dir, suffix: ".cif").prefix(15) {
            let s = try CIFReader.read(path: "\(dir)/\(name)")
            guard s.atomicNumbers.contains(1) else { continue }
            let ws = try WindowSampler.sample(s, radius: 6, step: 3)
            for w in 0..<ws.count {
                let r = ws.atomRange(w)
                let full = BondGraphs.graph(ws, window: w, options: SiteGraphOptions())
                let noH = BondGraphs.graph(ws, window: w, options: SiteGraphOptions(removal: [1: .delete]))
                let heavy = full.atoms.filter { ws.atomicNumbers[r.lowerBound + $0] != 1 }
                #expect(noH.atoms == heavy)
                let fullEdges = Set(full.graph.edges.map { [full.atoms[$0.0], full.atoms[$0.1]] }
                    .filter { e in e.allSatisfy { ws.atomicNumbers[r.lowerBound + $0] != 1 } })
                let kept = Set(noH.graph.edges.map { [noH.atoms[$0.0], noH.atoms[$0.1]] })
                #expect(fullEdges == kept, "\(name) window \(w)")
            }
        }
    }
}
