import Foundation
import ImageIO
import Testing

@testable import Dataset

/// Builds a throw-away image folder from the committed test images.
private struct TempTree {
  let root: String
  init() throws {
    root = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-ds-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
  }
  func add(_ relative: String, from fixture: String = "photo.png") throws {
    let target = root + "/" + relative
    try FileManager.default.createDirectory(
      atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: Fixtures.path(fixture), toPath: target)
  }
  func mkdir(_ relative: String) throws {
    try FileManager.default.createDirectory(
      atPath: root + "/" + relative, withIntermediateDirectories: true)
  }
  func remove() { try? FileManager.default.removeItem(atPath: root) }
}

@Suite struct DatasetTests {
  @Test func scansRecursivelyFollowsSymlinksAndSortsPaths() throws {
    let tree = try TempTree()
    defer { tree.remove() }
    try tree.add("cats/b.jpg", from: "photo.jpg")
    try tree.add("cats/a.PNG")
    try tree.add("cats/deep/c.jpeg", from: "photo.jpg")
    try tree.add("cats/notes.txt", from: "not-an-image.png")
    try tree.add("dogs/x.png")
    try tree.add("elsewhere/y.png")
    try FileManager.default.createSymbolicLink(
      atPath: tree.root + "/dogs/linked", withDestinationPath: tree.root + "/elsewhere")
    // A loop back to the class folder must not recurse forever.
    try FileManager.default.createSymbolicLink(
      atPath: tree.root + "/dogs/loop", withDestinationPath: tree.root + "/dogs")
    let ds = try ImageDataset(directory: tree.root, classes: ["dogs", "cats"])
    #expect(ds.classes == ["dogs", "cats"])
    #expect(ds.countsPerClass == [2, 3])
    let names = ds.samples.map { String($0.path.dropFirst(tree.root.count + 1)) }
    #expect(names == ["dogs/linked/y.png", "dogs/x.png", "cats/a.PNG", "cats/b.jpg",
                      "cats/deep/c.jpeg"])
    #expect(ds.samples.map(\.label) == [0, 0, 1, 1, 1])
    // Default: every folder, sorted.
    #expect(try ImageDataset(directory: tree.root).classes == ["cats", "dogs", "elsewhere"])
  }

  @Test func missingAndEmptyClassFoldersAreErrorsNamingTheFolder() throws {
    let tree = try TempTree()
    defer { tree.remove() }
    try tree.add("cats/a.png")
    try tree.mkdir("empty")
    do {
      _ = try ImageDataset(directory: tree.root, classes: ["cats", "dogs"])
      Issue.record("missing class accepted")
    } catch let error as DatasetError {
      #expect(error.description.contains(tree.root + "/dogs"))
      #expect(error == .missingClass(
        name: "dogs", path: tree.root + "/dogs", available: ["cats", "empty"]))
    }
    #expect(throws: DatasetError.emptyClass(name: "empty", path: tree.root + "/empty")) {
      try ImageDataset(directory: tree.root, classes: ["cats", "empty"])
    }
    #expect(throws: DatasetError.missingDirectory(path: tree.root + "/nope")) {
      try ImageDataset(directory: tree.root + "/nope")
    }
  }

  @Test func stratifiedSplitIsSeededAndKeepsClassProportions() throws {
    let tree = try TempTree()
    defer { tree.remove() }
    for i in 0..<10 { try tree.add("a/\(i).png") }
    for i in 0..<5 { try tree.add("b/\(i).png") }
    let ds = try ImageDataset(directory: tree.root)
    let (train, val) = try ds.split(validationFraction: 0.2, seed: 3)
    #expect(val.filter { $0.label == 0 }.count == 2)
    #expect(val.filter { $0.label == 1 }.count == 1)
    #expect(Set(train).isDisjoint(with: val) && train.count + val.count == 15)
    let again = try ds.split(validationFraction: 0.2, seed: 3)
    #expect(again.validation == val)
    let other = try ds.split(validationFraction: 0.2, seed: 4)
    let seeds = (5..<15).map { try! ds.split(validationFraction: 0.2, seed: UInt64($0)).1 }
    #expect(([other.validation] + seeds).contains { $0 != val })
    #expect(throws: DatasetError.self) { try ds.split(validationFraction: 1.5, seed: 0) }
  }

  @Test func badImagePolicyFailsByDefaultAndSkipsOnRequest() throws {
    let bad = ImageDataset.Sample(path: Fixtures.path("truncated.jpg"), label: 0)
    do {
      _ = try ImageDataset.load(bad)
      Issue.record("bad file accepted")
    } catch let error as DatasetError {
      #expect(error.description.contains(bad.path))
      #expect(error.description.contains("--bad-images skip"))
    }
    var reported = [String]()
    let skipped = try ImageDataset.load(bad, policy: .skip) { reported.append($0.path ?? "") }
    #expect(skipped == nil && reported == [bad.path])
    let good = ImageDataset.Sample(path: Fixtures.path("photo.png"), label: 0)
    #expect(try ImageDataset.load(good, policy: .skip)?.width == 16)
  }
}
