import Foundation
import ImageIO
import TensorCore

/// What to do with a file that fails to decode (`--bad-images error|skip`).
public enum BadImagePolicy: String, Sendable, Codable, CaseIterable {
  /// Stop with the error (the default: a silently smaller data set is a surprise).
  case error
  /// Report the file and leave it out.
  case skip
}

/// Problems with an image folder a user can cause; each names the folder and what to do.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
  case missingDirectory(path: String)
  case missingClass(name: String, path: String, available: [String])
  case emptyClass(name: String, path: String)
  /// Every file of the class was left out by `--bad-images skip`.
  case allSkipped(name: String, path: String, count: Int)
  case noClasses(path: String)
  case badImage(ImageError)
  case invalidSplit(String)

  public var description: String {
    switch self {
    case .missingDirectory(let path):
      return "\(path): no such image folder; pass --data DIR with one sub-folder per class"
    case .missingClass(let name, let path, let available):
      let list = available.isEmpty ? "none" : available.joined(separator: ", ")
      return "class '\(name)': folder \(path) does not exist (folders found: \(list)); "
        + "create it or fix --classes"
    case .emptyClass(let name, let path):
      return "class '\(name)': folder \(path) has no .jpg/.jpeg/.png images; "
        + "add some or leave the class out of --classes"
    case .allSkipped(let name, let path, let count):
      return "class '\(name)': all \(count) images in \(path) cannot be used (listed above);"
        + " replace them or leave the class out of --classes"
    case .noClasses(let path):
      return "\(path): no class sub-folders found; put images in \(path)/<class>/"
    case .badImage(let error):
      return "\(error) (or pass --bad-images skip to leave bad files out)"
    case .invalidSplit(let message):
      return message
    }
  }
}

/// An image folder laid out as `DIR/<class>/**/*.{jpg,jpeg,png}` (searched recursively,
/// symlinks followed, paths sorted), with class indices in `classes` order.
public struct ImageDataset: Sendable {
  /// One file and its class index.
  public struct Sample: Sendable, Equatable, Hashable {
    public let path: String
    public let label: Int

    public init(path: String, label: Int) {
      self.path = path
      self.label = label
    }
  }

  public let root: String
  /// Class names; a sample's `label` indexes this array.
  public let classes: [String]
  /// All samples, grouped by class in `classes` order, paths sorted within a class.
  public let samples: [Sample]

  /// Image file extensions recognised (case-insensitive).
  public static let extensions: Set<String> = ["jpg", "jpeg", "png"]

  /// Scans `directory`. `classes` chooses and orders the class folders; by default every
  /// sub-folder, sorted by name (as Keras does). A missing or empty class folder is an error.
  public init(directory: String, classes: [String]? = nil) throws {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      throw DatasetError.missingDirectory(path: directory)
    }
    let available = ((try? fm.contentsOfDirectory(atPath: directory)) ?? [])
      .filter { !$0.hasPrefix(".") && ImageDataset.isDirectory(directory + "/" + $0) }
      .sorted()
    let chosen = classes ?? available
    guard !chosen.isEmpty else { throw DatasetError.noClasses(path: directory) }
    var samples = [Sample]()
    for (label, name) in chosen.enumerated() {
      let path = directory + "/" + name
      guard ImageDataset.isDirectory(path) else {
        throw DatasetError.missingClass(name: name, path: path, available: available)
      }
      var visited = Set<String>()
      let files = ImageDataset.imageFiles(in: path, visited: &visited).sorted()
      guard !files.isEmpty else { throw DatasetError.emptyClass(name: name, path: path) }
      samples += files.map { Sample(path: $0, label: label) }
    }
    self.init(root: directory, classes: chosen, samples: samples)
  }

  init(root: String, classes: [String], samples: [Sample]) {
    self.root = root
    self.classes = classes
    self.samples = samples
  }

  /// Number of samples per class, in `classes` order.
  public var countsPerClass: [Int] {
    var counts = [Int](repeating: 0, count: classes.count)
    for sample in samples { counts[sample.label] += 1 }
    return counts
  }

  /// A stratified train/validation split: within each class the files are shuffled with a
  /// generator derived from `seed` and the class index, and `round(n * validationFraction)`
  /// of them go to validation (at least one when the fraction is positive and n >= 2, and at
  /// least one stays for training). Both halves keep the dataset's order.
  public func split(validationFraction: Double, seed: UInt64)
    throws -> (train: [Sample], validation: [Sample])
  {
    guard validationFraction >= 0, validationFraction < 1 else {
      throw DatasetError.invalidSplit(
        "validation fraction \(validationFraction) must be in [0, 1); try 0.2")
    }
    var validation = Set<Sample>()
    let base = SeededRNG(seed: seed)
    for label in classes.indices {
      var members = samples.filter { $0.label == label }
      var rng = base.derived(UInt64(label))
      members.shuffle(using: &rng)
      var take = Int((Double(members.count) * validationFraction).rounded())
      if validationFraction > 0, members.count >= 2 { take = max(take, 1) }
      take = min(take, max(members.count - 1, 0))
      validation.formUnion(members.prefix(take))
    }
    return (samples.filter { !validation.contains($0) }, samples.filter { validation.contains($0) })
  }

  /// Decodes a sample, applying the bad-file policy: `nil` (after calling `report`) when the
  /// file is bad and `policy` is `.skip`; a `DatasetError.badImage` when it is `.error`.
  public static func load(
    _ sample: Sample, options: DecodeOptions = DecodeOptions(), policy: BadImagePolicy = .error,
    report: (ImageError) -> Void = { _ in }
  ) throws -> Image? {
    do {
      return try Image.decode(file: sample.path, options: options)
    } catch let error as ImageError {
      if policy == .skip {
        report(error)
        return nil
      }
      throw DatasetError.badImage(error)
    }
  }

  static func isDirectory(_ path: String) -> Bool {
    var flag: ObjCBool = false
    // fileExists follows symlinks, so a linked folder counts as a folder.
    return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
  }

  /// Image files under `path`, recursively; `visited` holds resolved folders so a symlink
  /// loop is walked once.
  static func imageFiles(in path: String, visited: inout Set<String>) -> [String] {
    let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    guard visited.insert(resolved).inserted else { return [] }
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    var files = [String]()
    for name in names where !name.hasPrefix(".") {
      let child = path + "/" + name
      if isDirectory(child) {
        files += imageFiles(in: child, visited: &visited)
      } else if extensions.contains((name as NSString).pathExtension.lowercased()) {
        files.append(child)
      }
    }
    return files
  }
}
