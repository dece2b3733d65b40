import Foundation
import MediaformCore

#if canImport(Glibc)
import Glibc
#endif

/// Small POSIX helpers with the durability guarantees the state needs: written, synced, renamed, directory synced.
enum FileIO {
    /// A descriptor open for reading `path`, or nil when it does not exist.
    static func openForReading(_ path: String) throws(StateError) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .io(path: path, operation: "open", reason: String(cString: strerror(errno)))
        }
        return fd
    }

    /// Reads a whole file, or nil when it does not exist.
    static func read(_ path: String) throws(StateError) -> Data? {
        guard let fd = try openForReading(path) else { return nil }
        defer { close(fd) }
        // Sized by fstat: a state of 100 MB is read straight into place, not grown by copies.
        var info = stat()
        let expected = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        var data = Data(count: expected)
        var filled = 0
        while true {
            if filled == data.count { data.count += max(1 << 16, data.count / 4) }  // Grew since fstat.
            let n = data.withUnsafeMutableBytes { buffer in
                buffer.baseAddress.map { Glibc.read(fd, $0 + filled, buffer.count - filled) } ?? 0
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            filled += n
        }
        data.count = filled
        return data
    }

    /// Writes all of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: some ContiguousBytes, path: String) throws(StateError) {
        let result: Int32 = bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return 0 }
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return 0
        }
        if result != 0 { throw .io(path: path, operation: "write", reason: String(cString: strerror(result))) }
    }

    static func sync(_ fd: Int32, path: String) throws(StateError) {
        if fsync(fd) != 0 { throw .io(path: path, operation: "sync", reason: String(cString: strerror(errno))) }
    }

    /// Syncs a directory so that a rename or a new file in it survives a power cut.
    static func syncDirectory(_ directory: String) {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Replaces `path` atomically with `bytes` (mode 0600 unless told): a temporary file in the same directory,
    /// synced, then renamed over the target, then the directory synced. A crash leaves either the old or the new
    /// file.
    /// - Parameter beforeRename: a test hook run between the sync and the rename.
    static func writeAtomically(
        _ path: String, _ bytes: some ContiguousBytes, mode: mode_t = 0o600, beforeRename: () -> Void = {}
    ) throws(StateError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = ProjectLoader.join(directory, ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 { throw .io(path: temporary, operation: "create", reason: String(cString: strerror(errno))) }
        do throws(StateError) {
            try writeAll(fd, bytes, path: temporary)
            try sync(fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        beforeRename()
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: path, operation: "replace", reason: reason)
        }
        syncDirectory(directory)
    }

    /// Creates a directory (and parents) if needed.
    static func makeDirectory(_ path: String) throws(StateError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io(path: path, operation: "create the directory", reason: error.localizedDescription)
        }
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func userName() -> String {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(getuid())"
    }

    /// True when a process with this pid exists on this host.
    static func processIsAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        // A killed process not yet reaped still answers kill(0): a zombie is dead for our purposes.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"), stat.index(close, offsetBy: 2) < stat.endIndex,
            stat[stat.index(close, offsetBy: 2)] == "Z"
        {
            return false
        }
        return true
    }
}
