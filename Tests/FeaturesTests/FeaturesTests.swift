import Foundation
import Layers
import Models
import Runtime
import TensorCore
import Testing

@testable import Features

/// y = x · w (element-wise over the features); its weight makes the cut key content-based.
final class ScaleLayer: Layer {
  let name: String
  var kerasClassName: String { "Scale" }
  var isFrozen = true
  let w: Parameter
  var samplesSeen = 0

  init(_ name: String, width: Int, value: Float) {
    self.name = name
    w = Parameter(name: "w", value: Tensor(zeros: [width], value: value))
  }

  var weights: [Parameter] { [w] }
  func build(_ s: [[Int]], rng: inout SeededRNG) throws -> [Int] { s[0] }
  func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = inputs[0]
    samplesSeen += x.shape[0]
    let d = w.value.count
    return Tensor(shape: x.shape) { x.scalars[$0] * self.w.value.scalars[$0 % d] }
  }
  func backward(_ g: Tensor, needsInputGradient: Bool) throws -> [Tensor] { [] }
}

func scaleNet(_ value: Float = 2) throws -> (Graph, ScaleLayer) {
  let g = Graph(name: "scale")
  let x = try g.input("input_1", shape: [3])
  let s = ScaleLayer("scale", width: 3, value: value)
  try g.add(s, x)
  return (g, s)
}

/// Layer options for keys whose test is not about them.
func noOptions(_ layer: any Layer) -> String { "" }

func tempDir() -> URL {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("ftune-features-\(UUID().uuidString)")
  try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Images are stand-ins: item i's "pixels" are [i, i+1, i+2] and its bytes hash is `h<i>`.
func inputs(_ values: [Float]) -> ([Int]) throws -> Tensor {
  { idx in try Tensor(shape: [idx.count, 3], scalars: idx.flatMap { i in
    (0..<3).map { values[i] + Float($0) } }) }
}

struct Interrupted: Error {}

@Suite struct FeatureCacheTests {
  @Test func sha256KnownVectors() {
    #expect(SHA256.hex([UInt8]()) ==
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(Array("abc".utf8)) ==
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    #expect(SHA256.hex(Array(two.utf8)) ==
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    // Incremental updates in odd pieces equal the one-shot digest.
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    var s = SHA256()
    s.update(bytes[0..<7])
    s.update(bytes[7..<130])
    s.update(bytes[130...])
    #expect(s.hexDigest() == SHA256.hex(bytes))
  }

  @Test func keyFollowsContent() throws {
    let (g1, _) = try scaleNet(2)
    let (g2, _) = try scaleNet(2)
    let (g3, _) = try scaleNet(3)
    let k1 = try FeatureKey(graph: g1, cut: 1, preprocessing: .caffe, size: 224, layerOptions: noOptions)
    #expect(try FeatureKey(graph: g2, cut: 1, preprocessing: .caffe, size: 224, layerOptions: noOptions) == k1)
    #expect(try FeatureKey(graph: g3, cut: 1, preprocessing: .caffe, size: 224, layerOptions: noOptions) != k1)
    #expect(try FeatureKey(graph: g1, cut: 1, preprocessing: .tf, size: 224, layerOptions: noOptions) != k1)
    #expect(try FeatureKey(graph: g1, cut: 1, preprocessing: .caffe, size: 160, layerOptions: noOptions) != k1)
    #expect(try FeatureKey(graph: g1, cut: 0, preprocessing: .caffe, size: 224, layerOptions: noOptions) != k1)
    // An option without a weight (what `layerOptions` describes) changes the key too.
    #expect(
      try FeatureKey(
        graph: g1, cut: 1, preprocessing: .caffe, size: 224,
        layerOptions: { $0.name == "scale" ? "offset=1" : "" }) != k1)
    #expect(throws: FeatureError.self) {
      try FeatureKey(graph: g1, cut: 5, preprocessing: .caffe, size: 224, layerOptions: noOptions)
    }
  }

  @Test func storeRoundTripAndDamagedEntries() throws {
    let dir = tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = FeatureStore(root: dir)
    let key = FeatureKey(hex: String(repeating: "ab", count: 32))
    let t = try Tensor(shape: [2, 1, 3], scalars: [1, -2, 3.5, 0, 1e-8, -7])
    try store.save(t, key: key, image: "cafe", variant: 0)
    #expect(store.load(key: key, image: "cafe", variant: 0) == t)
    #expect(store.load(key: key, image: "cafe", variant: 1) == nil)
    let url = store.url(key: key, image: "cafe", variant: 0)
    let data = try Data(contentsOf: url)
    try data.prefix(data.count - 3).write(to: url)
    #expect(store.load(key: key, image: "cafe", variant: 0) == nil)
    #expect(!FileManager.default.fileExists(atPath: url.path))
  }

  @Test func storeLocation() {
    let env = ["HOME": "/home/u", "FTUNE_CACHE_DIR": "/data/c"]
    #expect(FeatureStore.defaultRoot(environment: ["HOME": "/home/u"]).path
      == "/home/u/.cache/ftune/features")
    #expect(FeatureStore.defaultRoot(environment: env).path == "/data/c/features")
    #expect(FeatureStore.defaultRoot(cacheDir: "/x", environment: env).path == "/x/features")
  }

  @Test func changedImageRecomputesOnlyItsEntryAndChangedWeightsInvalidate() throws {
    let dir = tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = FeatureStore(root: dir)
    let (g, layer) = try scaleNet(2)
    let key = try FeatureKey(graph: g, cut: 1, preprocessing: .none, size: 3, layerOptions: noOptions)
    var items = (0..<5).map { FeatureItem(image: "h\($0)") }
    var values: [Float] = [0, 10, 20, 30, 40]
    let ex = FeatureExtractor(graph: g, cut: 1, key: key, store: store, batchSize: 2)
    let (f1, s1) = try ex.features(for: items, load: inputs(values))
    #expect(s1 == .init(reused: 0, computed: 5))
    #expect(f1.shape == [5, 3])
    #expect(Array(f1.scalars[3..<6]) == [20, 22, 24])

    // Image 3 changed on disk: new bytes, new hash; only its entry is recomputed, in its
    // fixed batch (items 2-3), so its features do not depend on what else was missing.
    items[3] = FeatureItem(image: "h3-edited")
    values[3] = 100
    layer.samplesSeen = 0
    let (f2, s2) = try ex.features(for: items, load: inputs(values))
    #expect(s2 == .init(reused: 4, computed: 1))
    #expect(layer.samplesSeen == 2)
    #expect(Array(f2.scalars[9..<12]) == [200, 202, 204])
    #expect(Array(f2.scalars[0..<9]) == Array(f1.scalars[0..<9]))

    // New weights: a new key, nothing reused.
    layer.w.value = Tensor(zeros: [3], value: 5)
    let key2 = try FeatureKey(graph: g, cut: 1, preprocessing: .none, size: 3, layerOptions: noOptions)
    #expect(key2 != key)
    let ex2 = FeatureExtractor(graph: g, cut: 1, key: key2, store: store, batchSize: 2)
    let (f3, s3) = try ex2.features(for: items, load: inputs(values))
    #expect(s3 == .init(reused: 0, computed: 5))
    #expect(Array(f3.scalars[3..<6]) == [50, 55, 60])
  }

  @Test func interruptedExtractionResumes() throws {
    let dir = tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = FeatureStore(root: dir)
    let (g, _) = try scaleNet(2)
    let key = try FeatureKey(graph: g, cut: 1, preprocessing: .none, size: 3, layerOptions: noOptions)
    let items = (0..<7).map { FeatureItem(image: "img\($0)") }
    let values: [Float] = [1, 2, 3, 4, 5, 6, 7]
    let ex = FeatureExtractor(graph: g, cut: 1, key: key, store: store, batchSize: 3)
    var batches = 0
    #expect(throws: Interrupted.self) {
      _ = try ex.features(for: items) { idx in
        batches += 1
        if batches == 2 { throw Interrupted() }
        return try inputs(values)(idx)
      }
    }
    // The first batch survived; the rest is computed on the next run, not the first three.
    let (f, s) = try ex.features(for: items, load: inputs(values))
    #expect(s == .init(reused: 3, computed: 4))
    #expect(Array(f.scalars[18..<21]) == [14, 16, 18])
  }

  @Test func featureFileRoundTrip() throws {
    let dir = tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("cache.h5")
    let file = FeatureFile(
      features: Tensor(shape: [3, 2, 2, 1]) { Float($0) * 0.5 },
      paths: ["a/1.jpg", "a/ü.png", "b/3.jpg"], labels: [0, 0, 1], classNames: ["a", "b"],
      attributes: ["base": "vgg16", "cut_layer": "block5_pool", "size": "224"])
    try file.write(to: url)
    let back = try FeatureFile.read(from: url)
    #expect(back == file)
    #expect(back.info.contains("a (2), b (1)"))
    #expect(back.info.contains("cut_layer: block5_pool"))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(leftovers == ["cache.h5"])

    let error = #expect(throws: FeatureError.self) {
      try FeatureFile.read(from: dir.appendingPathComponent("missing.h5"))
    }
    #expect(error?.description.contains("missing.h5") == true)

    // Not HDF5, and a feature file of another ftune format: typed errors naming the file
    // and saying what to do.
    let text = dir.appendingPathComponent("text.h5")
    try Data("not HDF5".utf8).write(to: text)
    #expect(throws: FeatureError.unreadable(
      path: text.path, reason: "it is not an HDF5 file (or is damaged)")) {
      try FeatureFile.read(from: text)
    }
    var future = file
    future.attributes["ftune_format"] = "features-2"
    let other = dir.appendingPathComponent("other.h5")
    try future.write(to: other)
    let stale = #expect(throws: FeatureError.otherFormat(
      path: other.path, found: "features-2", expected: FeatureFile.format)) {
      try FeatureFile.read(from: other)
    }
    #expect(stale?.description.contains("rerun the ftune cache command") == true)
  }

  @Test func pooling() throws {
    // [1, 2, 2, 2]: channel 0 = 1,2,3,4; channel 1 = -1,-2,-3,-4.
    let t = try Tensor(shape: [1, 2, 2, 2], scalars: [1, -1, 2, -2, 3, -3, 4, -4])
    #expect(FeaturePooling.avg.apply(t).scalars == [2.5, -2.5])
    #expect(FeaturePooling.max.apply(t).scalars == [4, -1])
    #expect(FeaturePooling.none.apply(t) == t)
  }
}
