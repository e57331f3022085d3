// Shared machinery of the C API: status mapping, the thread-local last error, the
// registry of live handles, and safe copying into caller buffers. Every exported
// function funnels through `guarded`, so no Swift error escapes the C boundary.
import CX3Support
import X3Core

/// Runs `body`, turning any thrown error into a status and this thread's last error.
@inline(__always)
func guarded(_ function: StaticString, _ body: () throws -> Void) -> Int32 {
    // #function is "x3_name(_:_:)"; messages use the C name.
    func name() -> Substring { String(describing: function).prefix { $0 != "(" } }
    do {
        try body()
        return X3Status.ok.rawValue
    } catch let e as X3Error {
        x3s_set_last_error("\(name()): \(e.message)")
        return e.status.rawValue
    } catch {
        x3s_set_last_error("\(name()): unexpected error: \(error)")
        return X3Status.internal.rawValue
    }
}

func nullArgument(_ name: String) -> X3Error {
    X3Error(.nullArgument, "argument '\(name)' is NULL")
}

/// Reads a required C string argument.
func string(_ p: UnsafePointer<CChar>?, _ name: String) throws -> String {
    guard let p else { throw nullArgument(name) }
    return String(cString: p)
}

/// Live handles, so a freed or foreign pointer is reported instead of dereferenced.
final class HandleRegistry: Sendable {
    private let live = ForkSafeMutex(Set<UInt>())

    func register(_ object: AnyObject) -> OpaquePointer {
        let raw = Unmanaged.passRetained(object).toOpaque()
        live.withLock { _ = $0.insert(UInt(bitPattern: raw)) }
        return OpaquePointer(raw)
    }

    /// The object behind a handle, if the handle is live and of type T.
    func object<T: AnyObject>(_ handle: OpaquePointer?, as: T.Type, name: String) throws -> T {
        guard let handle else { throw nullArgument(name) }
        let raw = UnsafeMutableRawPointer(handle)
        let isLive = live.withLock { $0.contains(UInt(bitPattern: raw)) }
        guard isLive else {
            throw X3Error(.invalidArgument, "argument '\(name)' is not a live libx3mat handle (freed twice, or never created?)")
        }
        guard let t = Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? T else {
            throw X3Error(.invalidArgument, "argument '\(name)' is a handle of another type")
        }
        return t
    }

    /// Releases a live handle; returns false for NULL or a handle that is not live.
    func release(_ handle: OpaquePointer?) -> Bool {
        guard let handle else { return false }
        let raw = UnsafeMutableRawPointer(handle)
        let removed = live.withLock { $0.remove(UInt(bitPattern: raw)) != nil }
        if removed { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        return removed
    }
}

let handles = HandleRegistry()

/// Copies `text` into a caller buffer under the string-out convention of x3mat.h.
func copyOut(_ text: String, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
             _ length: UnsafeMutablePointer<Int64>?) throws {
    let utf8 = Array(text.utf8)
    length?.pointee = Int64(utf8.count)
    guard capacity >= 0 else { throw X3Error(.invalidArgument, "capacity \(capacity) is negative") }
    guard capacity > Int64(utf8.count) else {
        throw X3Error(.bufferTooSmall, "the string needs \(utf8.count + 1) bytes with its NUL; capacity is \(capacity)")
    }
    guard let buffer else { throw nullArgument("buffer") }
    utf8.withUnsafeBufferPointer { src in
        UnsafeMutableRawPointer(buffer).copyMemory(from: src.baseAddress!, byteCount: src.count)
    }
    buffer[utf8.count] = 0
}

/// Checks an array-out argument: at least `needed` elements and non-NULL (NULL is
/// accepted, and nil returned, only when nothing is to be written).
func checkOut<T>(_ p: UnsafeMutablePointer<T>?, _ capacity: Int64, needed: Int, _ name: String) throws
    -> UnsafeMutablePointer<T>?
{
    guard capacity >= 0 else { throw X3Error(.invalidArgument, "capacity \(capacity) is negative") }
    guard capacity >= Int64(needed) else {
        throw X3Error(.bufferTooSmall, "'\(name)' needs \(needed) elements; capacity is \(capacity)")
    }
    if needed == 0 { return nil }
    guard let p else { throw nullArgument(name) }
    return p
}

/// Sets an output pointer, checking it first.
func output<T>(_ p: UnsafeMutablePointer<T>?, _ name: String) throws -> UnsafeMutablePointer<T> {
    guard let p else { throw nullArgument(name) }
    return p
}
