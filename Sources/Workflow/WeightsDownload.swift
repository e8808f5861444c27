import CCrypto
import Foundation
import Models
import Runtime
import TensorCore

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Fetches a Keras ImageNet weight file on first use, as `keras.utils.get_file` does: from the
/// address Keras's own source names, checked against Keras's hash, into `~/.keras/models/`.
///
/// The bytes go to a hidden `.NAME.part` beside the target; a run that is interrupted (or a
/// connection that drops) leaves only that file, and the next run resumes it with an HTTP
/// `Range` request. The file gets its real name only once its hash matched (a rename), so
/// `~/.keras/models/` never holds half a file under Keras's name.
public enum WeightsDownload {
  /// Environment variable that replaces the folder of every weights address (tests serve
  /// files from 127.0.0.1; a mirror inside a firewall works the same way).
  public static let baseURLVariable = "FTUNE_WEIGHTS_URL"

  /// Where `file` is downloaded from: Keras's address, or `$FTUNE_WEIGHTS_URL/` followed by
  /// that address's last component.
  public static func origin(of file: KerasWeightsFile, environment: [String: String]) -> String {
    guard let base = environment[baseURLVariable], !base.isEmpty else { return file.origin }
    let remoteName = file.origin.split(separator: "/").last.map(String.init) ?? file.fileName
    return (base.hasSuffix("/") ? base : base + "/") + remoteName
  }

  /// Downloads `file` to `destination` (resuming a `.part` left by an earlier try), checks its
  /// hash and renames it into place. `progress` gets (bytes so far, total bytes if known).
  public static func fetch(
    _ file: KerasWeightsFile, to destination: String, environment: [String: String],
    progress: (Int64, Int64?) -> Void = { _, _ in }
  ) throws {
    let address = origin(of: file, environment: environment)
    guard let url = URL(string: address), url.scheme != nil else {
      throw WeightsDownloadError.unreachable(
        file: file.fileName, url: address, destination: destination, reason: "not a URL")
    }
    try AtomicFile.createFolder(for: destination)
    let target = URL(fileURLWithPath: destination)
    let part = target.deletingLastPathComponent()
      .appendingPathComponent(".\(target.lastPathComponent).part").path
    try transfer(url, to: part, file: file, destination: destination, progress: progress)
    if let expected = file.fileHash {
      let actual = try FileHash.hex(of: part, algorithm: FileHash.algorithm(for: expected))
      guard actual == expected.lowercased() else {
        unlink(part)
        throw WeightsDownloadError.hashMismatch(
          file: file.fileName, url: address, expected: expected, actual: actual)
      }
    }
    guard rename(part, destination) == 0 else {
      throw AtomicFileError.writeFailed(path: destination, reason: String(cString: strerror(errno)))
    }
  }

  /// One HTTP GET into `part`, from its current length on when it already holds bytes.
  static func transfer(
    _ url: URL, to part: String, file: KerasWeightsFile, destination: String,
    progress: (Int64, Int64?) -> Void
  ) throws {
    let existing = (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int64)
      .flatMap { $0 } ?? 0
    var request = URLRequest(url: url, timeoutInterval: 60)
    if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
    let sink = try DownloadSink(path: part, resumeFrom: existing)
    let session = URLSession(configuration: .ephemeral, delegate: sink, delegateQueue: nil)
    defer { session.finishTasksAndInvalidate() }
    session.dataTask(with: request).resume()
    while !sink.wait(seconds: 0.2) {
      let (got, total) = sink.counts
      progress(got, total)
    }
    let (got, total) = sink.counts
    progress(got, total)
    let fail = { (reason: String) in
      WeightsDownloadError.unreachable(
        file: file.fileName, url: url.absoluteString, destination: destination, reason: reason)
    }
    if let status = sink.status, !(200..<300).contains(status) {
      unlink(part)
      throw fail("the server answered HTTP \(status)")
    }
    if let total, got < total {
      throw WeightsDownloadError.interrupted(
        file: file.fileName, url: url.absoluteString, received: got, total: total)
    }
    if let error = sink.failure { throw fail(error) }
  }
}

/// Receives the body of one download into a file, from URLSession's delegate queue.
private final class DownloadSink: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  private let lock = NSLock()
  private let done = DispatchSemaphore(value: 0)
  private let path: String
  private var handle: FileHandle?
  private var received: Int64
  private var total: Int64?
  private(set) var status: Int?
  private(set) var failure: String?

  init(path: String, resumeFrom: Int64) throws {
    self.path = path
    self.received = resumeFrom
  }

  var counts: (Int64, Int64?) { lock.withLock { (received, total) } }

  func wait(seconds: Double) -> Bool { done.wait(timeout: .now() + seconds) == .success }

  func urlSession(
    _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
  ) {
    let http = response as? HTTPURLResponse
    let code = http?.statusCode ?? 200
    let writable = lock.withLock { () -> Bool in
      status = code
      // 206: the server continues the .part; 200: it sends the whole file again.
      if code == 200 { received = 0 }
      let length = response.expectedContentLength
      total = length >= 0 ? received + length : nil
      if (200..<300).contains(code) {
        if code != 206 { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        if handle == nil { failure = "cannot write \(path)" }
      }
      return handle != nil
    }
    completionHandler(writable ? .allow : .cancel)
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    lock.withLock {
      do {
        try handle?.write(contentsOf: data)
        received += Int64(data.count)
      } catch {
        failure = "cannot write \(path): \(error.localizedDescription)"
        dataTask.cancel()
      }
    }
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
    lock.withLock {
      try? handle?.close()
      handle = nil
      if let error, failure == nil, (status.map { (200..<300).contains($0) } ?? true) {
        failure = error.localizedDescription
      }
    }
    done.signal()
  }
}

/// The hashes `keras.utils.get_file` checks: SHA-256, or MD5 for Keras's older 32-digit ones.
enum FileHash {
  enum Algorithm { case sha256, md5 }

  /// Keras's `hash_algorithm="auto"`: SHA-256 when the hash has 64 hex digits, else MD5.
  static func algorithm(for hash: String) -> Algorithm { hash.count == 64 ? .sha256 : .md5 }

  /// Lower-case hex digest of the file at `path`, read in 4 MiB chunks.
  static func hex(of path: String, algorithm: Algorithm) throws -> String {
    guard let input = FileHandle(forReadingAtPath: path), let ctx = EVP_MD_CTX_new() else {
      throw AtomicFileError.writeFailed(path: path, reason: "cannot read it back to check it")
    }
    defer {
      EVP_MD_CTX_free(ctx)
      try? input.close()
    }
    EVP_DigestInit_ex(ctx, algorithm == .sha256 ? EVP_sha256() : EVP_md5(), nil)
    while let chunk = try input.read(upToCount: 1 << 22), !chunk.isEmpty {
      chunk.withUnsafeBytes { _ = EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
    }
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    EVP_DigestFinal_ex(ctx, &digest, &length)
    return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
  }
}

/// A weights download that failed; each says which file, where it goes, and how to get it.
public enum WeightsDownloadError: Error, Equatable, CustomStringConvertible {
  case unreachable(file: String, url: String, destination: String, reason: String)
  case interrupted(file: String, url: String, received: Int64, total: Int64)
  case hashMismatch(file: String, url: String, expected: String, actual: String)

  public var description: String {
    switch self {
    case .unreachable(let file, let url, let destination, let reason):
      return "cannot download \(file) from \(url) (\(reason)). Offline? On a machine that is"
        + " online, fetch \(url) (curl -LO, or run the Keras constructor once: Keras keeps it"
        + " in ~/.keras/models/), then copy \(file) to \(destination); or pass --weights FILE"
        + " (data/fetch-weights.sh fetches real weights into data/fetched/weights/), or"
        + " --weights random to start from random weights"
    case .interrupted(let file, let url, let received, let total):
      return "download of \(file) from \(url) stopped at \(received) of \(total) bytes; run"
        + " the command again to resume it"
    case .hashMismatch(let file, let url, let expected, let actual):
      return "\(file) from \(url) is damaged: its hash is \(actual), Keras expects \(expected);"
        + " the download was deleted, run the command again"
    }
  }
}
