import X3Inference
import X3Sites

extension SiteCatalogue {
    /// The sites of one predicted structure: its windows grouped by the WL hash of their
    /// bond graphs (atoms dropped or contracted as `removal` says), each window carrying
    /// its contributions; the windows of an orbit share their representative's graph.
    public convenience init(_ p: StructurePrediction, removal: [Int: RemovalMode], threads: Int) throws {
        try self.init(options: SiteGraphOptions(removal: removal), targets: p.targets)
        try add(p.windows, structure: p.id, values: p.contributions, sameAs: p.representatives, threads: threads)
    }
}
