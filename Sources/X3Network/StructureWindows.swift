import X3Core
import X3Windows

extension GraphBatch.Window {
    /// The windows of a `Windows` value, as the network takes them.
    public static func all(_ ws: Windows) -> [GraphBatch.Window] {
        (0..<ws.count).map { GraphBatch.Window(ws, $0) }
    }

    /// Window `w` of a `Windows` value.
    public init(_ ws: Windows, _ w: Int) {
        let r = ws.atomRange(w)
        self.init(atomicNumbers: Array(ws.atomicNumbers[r]), positions: r.map { ws.position($0) })
    }
}
