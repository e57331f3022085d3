// x3_wl_hash, x3_windows_bond_graph, x3_windows_site_hashes, x3_catalogue_*: site identity
// through the C ABI.
import CX3Support
import X3Core
import X3Sites
import X3Windows

private func siteOptions(_ tolerance: Double, _ remove: UnsafePointer<CChar>?, _ iterations: Int32,
                         _ digestSize: Int32) throws -> SiteGraphOptions {
    let removal = try SiteGraphOptions.parseRemoval(remove.map { String(cString: $0) } ?? "")
    let o = SiteGraphOptions(tolerance: tolerance, removal: removal, iterations: Int(iterations),
                             digestSize: Int(digestSize))
    try o.validate()
    return o
}

@_cdecl("x3_wl_hash")
public func x3_wl_hash(_ nnodes: Int64, _ labels: UnsafePointer<UnsafePointer<CChar>?>?, _ nedges: Int64,
                       _ edges: UnsafePointer<Int64>?, _ iterations: Int32, _ digestSize: Int32,
                       _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                       _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        guard nnodes >= 0, nnodes <= maxArrayAtoms else { throw X3Error(.invalidArgument, "nnodes = \(nnodes) is out of range") }
        guard nedges >= 0, nedges <= 10 * maxArrayAtoms else { throw X3Error(.invalidArgument, "nedges = \(nedges) is out of range") }
        try WLHash.validate(iterations: Int(iterations), digestSize: Int(digestSize))
        if nnodes > 0 && labels == nil { throw nullArgument("labels") }
        if nedges > 0 && edges == nil { throw nullArgument("edges") }
        var ls: [String] = []
        for i in 0..<Int(nnodes) {
            guard let l = labels![i] else { throw X3Error(.nullArgument, "labels[\(i)] is NULL") }
            ls.append(String(cString: l))
        }
        var es: [(Int, Int)] = []
        for k in 0..<Int(nedges) {
            let u = edges![2 * k], v = edges![2 * k + 1]
            guard u >= 0, v >= 0, u < nnodes, v < nnodes else {
                throw X3Error(.indexOutOfRange, "edge \(k) = (\(u), \(v)) names a node outside 0..<\(nnodes)")
            }
            es.append((Int(u), Int(v)))
        }
        let g = try LabelledGraph(labels: ls, edges: es)
        try copyOut(try WLHash.hash(g, iterations: Int(iterations), digestSize: Int(digestSize)), buffer, capacity, length)
    }
}

private func windowsArgument(_ h: OpaquePointer?) throws -> Windows {
    try handles.object(h, as: WindowsBox.self, name: "windows").windows
}

@_cdecl("x3_windows_bond_graph")
public func x3_windows_bond_graph(_ w: OpaquePointer?, _ window: Int64, _ tolerance: Double,
                                  _ remove: UnsafePointer<CChar>?, _ nnodes: UnsafeMutablePointer<Int64>?,
                                  _ nedges: UnsafeMutablePointer<Int64>?, _ nodeAtoms: UnsafeMutablePointer<Int32>?,
                                  _ nodeCapacity: Int64, _ edges: UnsafeMutablePointer<Int64>?,
                                  _ edgeCapacity: Int64) -> Int32 {
    guarded(#function) {
        let ws = try windowsArgument(w)
        guard window >= 0, window < Int64(ws.count) else {
            throw X3Error(.indexOutOfRange, "window index \(window) is outside 0..<\(ws.count)")
        }
        let options = try siteOptions(tolerance, remove, 3, 16)
        let g = BondGraphs.graph(ws, window: Int(window), options: options)
        let e = g.graph.edges
        nnodes?.pointee = Int64(g.atoms.count)
        nedges?.pointee = Int64(e.count)
        let nodesOut = try checkOut(nodeAtoms, nodeCapacity, needed: g.atoms.count, "node_atoms")
        let edgesOut = try checkOut(edges, edgeCapacity, needed: 2 * e.count, "edges")
        if let nodesOut { for (i, a) in g.atoms.enumerated() { nodesOut[i] = Int32(a) } }
        if let edgesOut { for (k, (u, v)) in e.enumerated() { edgesOut[2 * k] = Int64(u); edgesOut[2 * k + 1] = Int64(v) } }
    }
}

@_cdecl("x3_windows_site_hashes")
public func x3_windows_site_hashes(_ w: OpaquePointer?, _ tolerance: Double, _ remove: UnsafePointer<CChar>?,
                                   _ iterations: Int32, _ digestSize: Int32, _ hashes: UnsafeMutablePointer<CChar>?,
                                   _ capacity: Int64) -> Int32 {
    guarded(#function) {
        let ws = try windowsArgument(w)
        let options = try siteOptions(tolerance, remove, iterations, digestSize)
        let stride = 2 * Int(digestSize) + 1
        guard let out = try checkOut(hashes, capacity, needed: ws.count * stride, "hashes") else { return }
        let hs = try BondGraphs.hashes(ws, options: options)
        for (i, h) in hs.enumerated() {
            var k = i * stride
            for b in h.utf8 { out[k] = CChar(bitPattern: b); k += 1 }
            out[k] = 0
        }
    }
}

// ---- catalogue ---------------------------------------------------------------------

final class CatalogueBox {
    let catalogue: SiteCatalogue
    init(_ c: SiteCatalogue) { catalogue = c }
}

private func catalogueArg(_ h: OpaquePointer?) throws -> SiteCatalogue {
    try handles.object(h, as: CatalogueBox.self, name: "catalogue").catalogue
}

@_cdecl("x3_catalogue_new")
public func x3_catalogue_new(_ tolerance: Double, _ remove: UnsafePointer<CChar>?, _ iterations: Int32,
                             _ digestSize: Int32, _ ntargets: Int64,
                             _ targetNames: UnsafePointer<UnsafePointer<CChar>?>?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded(#function) {
        let o = try output(out, "out")
        let options = try siteOptions(tolerance, remove, iterations, digestSize)
        guard ntargets >= 0, ntargets <= 1000 else { throw X3Error(.invalidArgument, "ntargets = \(ntargets); use 0...1000") }
        if ntargets > 0 && targetNames == nil { throw nullArgument("target_names") }
        var names: [String] = []
        for i in 0..<Int(ntargets) {
            guard let p = targetNames![i] else { throw X3Error(.nullArgument, "target_names[\(i)] is NULL") }
            names.append(String(cString: p))
        }
        o.pointee = handles.register(CatalogueBox(try SiteCatalogue(options: options, targets: names)))
    }
}

@_cdecl("x3_catalogue_free")
public func x3_catalogue_free(_ c: OpaquePointer?) {
    if c != nil && !handles.release(c) {
        x3s_set_last_error("x3_catalogue_free: argument 'catalogue' is not a live libx3mat handle (freed twice?); ignored")
    }
}

@_cdecl("x3_catalogue_add")
public func x3_catalogue_add(_ c: OpaquePointer?, _ structureID: UnsafePointer<CChar>?, _ w: OpaquePointer?,
                             _ values: UnsafePointer<Double>?, _ nvalues: Int64) -> Int32 {
    guarded(#function) {
        let cat = try catalogueArg(c)
        let id = try string(structureID, "structure_id")
        let ws = try windowsArgument(w)
        // The count is checked before anything is read from `values`.
        let expected = ws.count * cat.targets.count
        guard nvalues == Int64(expected) else {
            throw X3Error(.invalidArgument,
                "the catalogue has \(cat.targets.count) target(s); give \(expected) values (windows × targets), not \(nvalues)")
        }
        var vs: [Double]? = nil
        if !cat.targets.isEmpty {
            guard let values else {
                if expected == 0 { try cat.add(ws, structure: id, values: []); return }
                throw nullArgument("values")
            }
            vs = Array(UnsafeBufferPointer(start: values, count: expected))
        }
        try cat.add(ws, structure: id, values: vs)
    }
}

@_cdecl("x3_catalogue_counts")
public func x3_catalogue_counts(_ c: OpaquePointer?, _ sites: UnsafeMutablePointer<Int64>?,
                                _ windows: UnsafeMutablePointer<Int64>?, _ structures: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let cat = try catalogueArg(c)
        sites?.pointee = Int64(cat.sites.count)
        windows?.pointee = Int64(cat.windowCount)
        structures?.pointee = Int64(cat.structureCount)
    }
}

@_cdecl("x3_catalogue_json")
public func x3_catalogue_json(_ c: OpaquePointer?, _ rankBy: Int32, _ top: Int64,
                              _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                              _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded(#function) {
        let cat = try catalogueArg(c)
        try copyOut(try cat.json(rankedBy: rankBy < 0 ? nil : Int(rankBy), top: top <= 0 ? nil : Int(top)),
                    buffer, capacity, length)
    }
}

@_cdecl("x3_catalogue_write")
public func x3_catalogue_write(_ c: OpaquePointer?, _ directory: UnsafePointer<CChar>?, _ rankBy: Int32,
                               _ top: Int64) -> Int32 {
    guarded(#function) {
        let cat = try catalogueArg(c)
        try cat.write(directory: try string(directory, "directory"), rankedBy: rankBy < 0 ? nil : Int(rankBy),
                      top: top <= 0 ? nil : Int(top))
    }
}
