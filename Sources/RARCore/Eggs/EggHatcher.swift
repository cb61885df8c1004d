import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct EggHatchOptions: Sendable {
    public var into: String
    /// Replace existing regular files that the egg also carries.
    public var force = false
    public var keyring: EggKeyring?
    /// Refuse anything whose every signature is not verified (unsigned eggs included).
    public var requireVerified = false
    public var limits = EggLimits.default
    public init(into: String) { self.into = into }
}

public struct EggHatchResult: Sendable {
    public var report: EggReport
    public var destination: String
    /// Relative paths written (empty for sessions and invites).
    public var written: [String] = []
    /// Existing files replaced (only with --force).
    public var replaced: [String] = []
    /// Sessions and invites: what the egg points to instead of files.
    public var pointer: [(String, JSONValue)] = []

    public func json() -> JSONValue {
        .object([
            ("destination", .string(destination)), ("written", .array(written.map(JSONValue.string))),
            ("replaced", .array(replaced.map(JSONValue.string))), ("pointer", .object(pointer)), ("inspection", report.json()),
        ])
    }
}

/// A refused hatch: the error plus whatever the inspection found (conflicts are listed in it).
public struct EggHatchFailure: Error, Sendable {
    public let error: EggError
    public let report: EggReport
    public var conflicts: [String] = []
}

/// Staged extraction (eggs.md §3.8 and §9): validate everything, write into a sibling temp
/// directory, then move into place. On any error nothing is left behind.
public enum EggHatcher {
    public static func hatch(_ bytes: [UInt8], options o: EggHatchOptions) throws(EggHatchFailure) -> EggHatchResult {
        let analysis = EggInspector.analyze(bytes, keyring: o.keyring, limits: o.limits)
        var report = analysis.report
        func refuse(_ e: EggError, conflicts: [String] = []) -> EggHatchFailure {
            var r = report
            if r.errorCode == nil { r.fail(e) }
            return EggHatchFailure(error: e, report: r, conflicts: conflicts)
        }
        if let e = report.error, !report.accepted { throw refuse(e) }
        if o.requireVerified && report.trustStatus != "VERIFIED" {
            throw refuse(EggError("egg-not-accepted", "--require-verified: egg trust is \(report.trustStatus) (signature \(report.signatureStatus))"))
        }
        let dest = EggFiles.absolute(o.into)
        var result = EggHatchResult(report: report, destination: dest)

        // Decide what to write.
        var files: [(path: String, data: ArraySlice<UInt8>)] = []
        if let egg = analysis.strict {
            if egg.manifest.variant.isJSON {
                result.pointer = report.details
                if egg.manifest.variant == .invite {
                    result.pointer.append(("note", "verified invite: record the target; nothing is written"))
                } else {
                    result.pointer.append(("note", "session: mount the runtime in a sandbox; nothing is written"))
                }
                return result
            }
            files = egg.members.map { ($0.name, egg.bytes[$0.range]) }
        } else if let plan = analysis.legacyPlan {
            if plan.files.isEmpty {
                result.pointer = plan.details
                return result
            }
            files = plan.files.map { ($0.path, $0.data[...]) }
        } else {
            throw refuse(EggError("unrecognized-egg", "nothing to hatch"))
        }

        // Limits before anything is written.
        let total = files.reduce(0) { $0 + $1.data.count }
        if files.count > o.limits.maxEntries || total > o.limits.maxTotalBytes || files.contains(where: { $0.data.count > o.limits.maxEntryBytes }) {
            throw refuse(EggError("egg-limit-exceeded", "\(files.count) files / \(total) bytes exceed the hatch limits"))
        }
        for f in files {
            do { try EggPath.validate(f.path) } catch { throw refuse(error) }
        }
        if let e = EggInspector.unsafePlanPath(files.map(\.path)) { throw refuse(e) }

        // The destination and conflicts.
        let destKind = EggFiles.kind(dest)
        let parent = (dest as NSString).deletingLastPathComponent
        switch destKind {
        case .missing: break
        case .directory: break
        case .symlink: throw refuse(EggError("extraction-path-escape", "destination \(dest) is a symlink"))
        default: throw refuse(EggError("destination-exists", "destination \(dest) exists and is not a directory"))
        }
        var replaceable: [String] = []
        if destKind == .directory {
            var conflicts: [String] = []
            var hard: [String] = []
            for f in files {
                let segs = f.path.split(separator: "/").map(String.init)
                var cur = dest
                for (i, s) in segs.enumerated() {
                    cur += "/" + s
                    let k = EggFiles.kind(cur)
                    let last = i == segs.count - 1
                    if k == .missing { break }
                    if last {
                        if k == .file { conflicts.append(f.path) } else { hard.append("\(f.path) (exists and is not a regular file)") }
                    } else if k != .directory {
                        hard.append("\(segs[0...i].joined(separator: "/")) (in the way of \(f.path))")
                        break
                    }
                }
                // Names that differ only by case/normalisation from an existing entry.
                let dir = segs.count > 1 ? dest + "/" + segs.dropLast().joined(separator: "/") : dest
                if let names = EggFiles.list(dir), let last = segs.last {
                    let key = EggPath.foldKey(last)
                    if let other = names.first(where: { EggPath.foldKey($0) == key && !Bytes.same($0, last) }) {
                        hard.append("\(f.path) (clashes with existing '\(other)' by case or normalisation)")
                    }
                }
            }
            if !hard.isEmpty {
                throw refuse(EggError("destination-conflict", "cannot hatch over: \(hard.joined(separator: ", "))"), conflicts: hard + conflicts)
            }
            if !conflicts.isEmpty && !o.force {
                throw refuse(EggError("destination-conflict", "\(conflicts.count) file(s) already exist (use --force to replace): \(conflicts.joined(separator: ", "))"),
                             conflicts: conflicts)
            }
            replaceable = conflicts
        } else {
            do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw refuse(EggError("io-write-failed", "cannot create \(parent)"))
            }
        }

        // Stage next to the destination (same file system, so renames are atomic).
        var template = Array((parent + "/.\((dest as NSString).lastPathComponent).rar-stage-XXXXXX").utf8CString)
        guard let stagePtr = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw refuse(EggError("io-write-failed", "cannot create a staging directory in \(parent)"))
        }
        let stage = String(cString: stagePtr)
        let tree = stage + "/tree"
        defer { EggFiles.removeTree(stage) }
        do throws(EggError) {
            guard mkdir(tree, 0o755) == 0 else { throw EggError("io-write-failed", "cannot create \(tree)") }
            for f in files {
                let segs = f.path.split(separator: "/").map(String.init)
                try EggFiles.makeDirectories(tree, Array(segs.dropLast()))
                try EggFiles.createExclusive(tree + "/" + f.path, f.data)
            }
        } catch {
            throw refuse(error)
        }

        // Commit.
        if destKind == .missing {
            if rename(tree, dest) != 0 {
                throw refuse(EggError(errno == ENOTEMPTY || errno == EEXIST ? "destination-exists" : "io-write-failed",
                                      "cannot move the staged hatch to \(dest): \(String(cString: strerror(errno)))"))
            }
        } else {
            // Per file: link() never replaces; --force moves old files aside first, restored on failure.
            let backup = stage + "/backup"
            if o.force && mkdir(backup, 0o700) != 0 { throw refuse(EggError("io-write-failed", "cannot create \(backup)")) }
            var placed: [String] = []
            var movedAside: [String] = []
            let replaceSet = Set(replaceable.map(ByteKey.init))
            func rollback() {
                for p in placed.reversed() { unlink(dest + "/" + p) }
                for p in movedAside { rename(backup + "/" + p, dest + "/" + p) }
            }
            do throws(EggError) {
                for f in files {
                    let segs = f.path.split(separator: "/").map(String.init)
                    try EggFiles.makeDirectories(dest, Array(segs.dropLast()))
                    let target = dest + "/" + f.path
                    if replaceSet.contains(ByteKey(f.path)) {
                        try EggFiles.makeDirectories(backup, Array(segs.dropLast()))
                        guard EggFiles.kind(target) == .file, rename(target, backup + "/" + f.path) == 0 else {
                            throw EggError("io-write-failed", "cannot move aside \(target)")
                        }
                        movedAside.append(f.path)
                    }
                    if link(tree + "/" + f.path, target) != 0 {
                        // Another file system (a mount point as destination): exclusive create instead.
                        guard errno == EXDEV else {
                            throw EggError(errno == EEXIST ? "destination-conflict" : "io-write-failed", "cannot place \(target): \(String(cString: strerror(errno)))")
                        }
                        try EggFiles.createExclusive(target, f.data)
                    }
                    placed.append(f.path)
                }
            } catch {
                rollback()
                throw refuse(error)
            }
            result.replaced = movedAside
        }
        result.written = files.map(\.path)
        report.checks.append(EggCheck(step: "hatch", status: "PASS", detail: "\(files.count) file(s) written to \(dest)"))
        result.report = report
        return result
    }
}
