import Foundation
import TensorCore
import Testing

@testable import HDF5
@testable import KerasIO

@Suite struct HDF5Tests {
  @Test func writesAndReadsFloatsAndStrings() throws {
    let dir = try Fixtures.tempDirectory()
    let path = dir.appendingPathComponent("t.h5").path
    let t = try Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 4, 5, 6e-7])
    try HDF5File.write(to: path) { root in
      try root.writeDataset("a/b/x", t)
      try root.writeDataset("scalar", Tensor(zeros: [], value: 2.5))
      try root.setStringAttribute("names", ["conv1", "ünïcode", ""])
      try root.setStringAttribute("json", "{\"k\": 1}")
      try root.createGroup("empty").setStringAttribute("weight_names", [])
    }
    let root = try HDF5File.open(path).root
    #expect(try root.dataset("a/b/x").readTensor() == t)
    #expect(try root.dataset("scalar").readTensor().scalars == [2.5])
    #expect(try root.stringArrayAttribute("names") == ["conv1", "ünïcode", ""])
    #expect(try root.stringAttribute("json") == "{\"k\": 1}")
    #expect(try root.group("empty").stringArrayAttribute("weight_names") == [])
    #expect(try root.children() == ["a", "empty", "scalar"])
    #expect(try root.kind(of: "a/b") == .group)
    #expect(try root.kind(of: "a/b/x") == .dataset)
    #expect(try root.kind(of: "a/nothing/x") == nil)
  }

  /// Keras 2 files hold both kinds of strings: variable-length (tf_keras 2.x) and
  /// fixed-length (h5py `S` arrays in keras.applications files; the chunked fixture).
  @Test func readsFixedAndVariableLengthStringsWrittenByH5py() throws {
    let vlen = try HDF5File.open(Fixtures.path("k2_functional_weights.h5")).root
    let fixed = try HDF5File.open(Fixtures.path("k2_chunked_weights.h5")).root
    let names = try vlen.stringArrayAttribute("layer_names")
    #expect(names.first == "img")
    #expect(names.count == 13)
    #expect(try fixed.stringArrayAttribute("layer_names0") == Array(names[0..<5]))
    #expect(try chunkedStringAttribute(fixed, "layer_names") == names)
    #expect(try vlen.stringAttribute("keras_version") == "2.21.0")
  }

  @Test func readsFloat64DatasetsAsFloat32() throws {
    let root = try HDF5File.open(Fixtures.path("k1_old_style.h5")).root
    let bias = try root.dataset("dense_b/dense_b_b_1:0").readTensor()
    #expect(bias.scalars == [0.5, -0.5, 0.25])
  }

  @Test func missingFileNotHDF5AndTruncatedEachSaySo() throws {
    let dir = try Fixtures.tempDirectory()
    let missing = dir.appendingPathComponent("nope.h5").path
    #expect(throws: HDF5Error.fileNotFound(file: missing)) { try HDF5File.open(missing) }

    let text = dir.appendingPathComponent("text.h5").path
    try Data("not hdf5 at all".utf8).write(to: URL(fileURLWithPath: text))
    #expect(throws: HDF5Error.notHDF5(file: text)) { try HDF5File.open(text) }

    let truncated = dir.appendingPathComponent("cut.h5").path
    let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("k2_functional.h5")))
    try whole.prefix(3000).write(to: URL(fileURLWithPath: truncated))
    #expect(throws: HDF5Error.damaged(file: truncated)) { try HDF5File.open(truncated) }
    #expect(HDF5Error.damaged(file: truncated).description.contains("truncated"))
  }

  @Test func missingObjectsNameFileAndPath() throws {
    let path = Fixtures.path("k1_old_style.h5")
    let root = try HDF5File.open(path).root
    #expect(throws: HDF5Error.missingObject(file: path, object: "/conv_a/kernel")) {
      try root.group("conv_a").dataset("kernel")
    }
    #expect(throws: HDF5Error.missingObject(file: path, object: "/conv_a' attribute 'nope")) {
      try root.group("conv_a").stringArrayAttribute("nope")
    }
    #expect(throws: HDF5Error.self) { try root.group("conv_a").stringArrayAttribute("nope") }
  }

  @Test func failedWriteLeavesOldFileAndNoTemporaryFile() throws {
    struct Boom: Error {}
    let dir = try Fixtures.tempDirectory()
    let path = dir.appendingPathComponent("w.h5").path
    try HDF5File.write(to: path) { try $0.setStringAttribute("v", "first") }
    #expect(throws: Boom.self) {
      try HDF5File.write(to: path) { root in
        try root.setStringAttribute("v", "second")
        throw Boom()
      }
    }
    #expect(try HDF5File.open(path).root.stringAttribute("v") == "first")
    try HDF5File.write(to: path) { try $0.setStringAttribute("v", "third") }
    #expect(try HDF5File.open(path).root.stringAttribute("v") == "third")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["w.h5"])
  }

  @Test func writingIntoAMissingDirectoryNamesTheFile() throws {
    let path = "/nonexistent-ftune-dir/x.h5"
    #expect(throws: HDF5Error.self) { try HDF5File.write(to: path) { _ in } }
    do {
      try HDF5File.write(to: path) { _ in }
    } catch {
      #expect("\(error)".contains(path))
    }
  }

  @Test func naturalOrderAndSnakeCaseFollowKeras() {
    let names = ["conv2d_10", "conv2d_9", "conv2d", "conv2d_1", "batch_normalization_2"]
    #expect(names.sorted(by: naturalLess)
      == ["batch_normalization_2", "conv2d", "conv2d_1", "conv2d_9", "conv2d_10"])
    #expect(["10", "2", "0", "1"].sorted(by: naturalLess) == ["0", "1", "2", "10"])
    #expect(kerasSnakeCase("Conv2D") == "conv2d")
    #expect(kerasSnakeCase("BatchNormalization") == "batch_normalization")
    #expect(kerasSnakeCase("DepthwiseConv2D") == "depthwise_conv2d")
    #expect(kerasSnakeCase("SeparableConv2D") == "separable_conv2d")
    #expect(kerasSnakeCase("ReLU") == "re_lu")
    #expect(kerasSnakeCase("GlobalAveragePooling2D") == "global_average_pooling2d")
  }
}
