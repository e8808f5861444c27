import CHDF5
import Foundation
import Runtime
import TensorCore

/// HDF5 prints errors to stderr by default; ftune reports its own. The setting is per
/// thread in thread-safe builds, so every entry point calls this (it costs nothing).
func silenceHDF5() { ftune_h5_silence_errors() }

/// An open HDF5 file. Objects opened from it keep it alive; the file closes when the last
/// of them is released, so handles are closed deterministically by ownership.
public final class HDF5File {
  /// The path as the user gave it, used in every error message.
  public let path: String
  let id: hid_t
  /// What the file may point at outside itself (checked on every link and dataset opened).
  public let trust: HDF5Trust
  /// Access property lists for groups and datasets: file-only ones refuse to traverse
  /// external links, however they are reached (a soft link into an external one).
  let groupAccess: hid_t, datasetAccess: hid_t
  /// Links are looked up with the dataset list (a link access list too): libhdf5 refuses to
  /// open a dataset already open under another external-file prefix.
  var linkAccess: hid_t { datasetAccess }

  private init(path: String, id: hid_t, trust: HDF5Trust) {
    self.path = path
    self.id = id
    self.trust = trust
    let fileOnly: Int32 = trust.allowsOutsideData ? 0 : 1
    groupAccess = ftune_h5_access_plist(ftune_H5P_GROUP_ACCESS(), fileOnly)
    datasetAccess = ftune_h5_access_plist(ftune_H5P_DATASET_ACCESS(), fileOnly)
  }

  private var isOpen = true

  deinit {
    close()
    for plist in [groupAccess, datasetAccess] where plist >= 0 { H5Pclose(plist) }
  }

  /// Closes the file now (later calls do nothing).
  func close() {
    guard isOpen else { return }
    isOpen = false
    H5Fclose(id)
  }

  /// The root group `/`.
  public var root: HDF5Group {
    get throws { try HDF5Group(file: self, path: "/", parent: id, name: "/") }
  }

  /// Opens an existing file read-only; a missing file, a file that is not HDF5 and a
  /// truncated one each get their own error. `trust` says whether its objects may keep
  /// their data in, or link to, other files (`HDF5Trust`).
  public static func open(_ path: String, trust: HDF5Trust = .fileOnly) throws -> HDF5File {
    silenceHDF5()
    guard FileManager.default.fileExists(atPath: path) else {
      throw HDF5Error.fileNotFound(file: path)
    }
    try checkSymbolTables(path)
    let id = H5Fopen(path, ftune_H5F_ACC_RDONLY(), ftune_H5P_DEFAULT())
    guard id >= 0 else {
      throw hasSignature(path) ? HDF5Error.damaged(file: path) : HDF5Error.notHDF5(file: path)
    }
    return HDF5File(path: path, id: id, trust: trust)
  }

  /// Writes a new file atomically: `body` fills a temporary file next to `path`, which
  /// replaces `path` only once it is complete and closed. On error nothing is left behind.
  public static func write<R>(to path: String, _ body: (HDF5Group) throws -> R) throws -> R {
    silenceHDF5()
    return try AtomicFile.write(to: path) { temp in
      let fapl = ftune_h5_strong_close_fapl()
      defer { H5Pclose(fapl) }
      let id = H5Fcreate(temp, ftune_H5F_ACC_TRUNC(), ftune_H5P_DEFAULT(), fapl)
      guard id >= 0 else {
        throw HDF5Error.cannotCreate(file: path, reason: "the directory is missing or read-only")
      }
      let file = HDF5File(path: path, id: id, trust: .fileOnly)
      do {
        let result = try body(try file.root)
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
          throw HDF5Error.cannotCreate(file: path, reason: "writing failed (disk full?)")
        }
        // The strong close degree closes every object still open, so the file is complete.
        file.close()
        return result
      } catch {
        file.close()
        throw error
      }
    }
  }

  /// HDF5's signature sits at offset 0, 512, 1024, … (after an optional user block).
  private static func hasSignature(_ path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let magic = HDF5Bytes.signature
    var offset: UInt64 = 0
    while offset <= 1 << 20 {
      guard (try? handle.seek(toOffset: offset)) != nil,
        let bytes = try? handle.read(upToCount: 8), bytes.count == 8
      else { return false }
      if Array(bytes) == magic { return true }
      offset = offset == 0 ? 512 : offset * 2
    }
    return false
  }
}
