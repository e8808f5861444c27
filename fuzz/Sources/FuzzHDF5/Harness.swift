import Foundation
import KerasIO
import Layers
import Models

// Reads arbitrary bytes as a Keras HDF5 file, both ways ftune opens one: as a full model
// (`model_config` + weights, Keras 2) and as weights loaded into a fixed graph (Keras 2
// weights/model files, Keras 3 `.weights.h5`, not strict, so every matching weight is read).
// libhdf5 opens files by name, so the input goes to a per-process scratch file (in /dev/shm
// when there is one). A failure must be a thrown error; anything else is a finding.

private let scratch: String = {
  let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
  return "\(dir)/ftune-fuzz-\(getpid()).h5"
}()

/// The fixtures' functional model (Tests/KerasIOTests/Fixtures.swift, tools/fixtures/
/// kerasio_fixtures.py), which the Keras 2 and Keras 3 seed files hold weights for.
private func functionalGraph() throws -> Graph {
  let g = Graph(name: "func", seed: 7)
  let x = try g.input("img", shape: [8, 8, 3])
  var a = try g.add(Conv2D("stem_conv", filters: 4, kernelSize: (3, 3), padding: .same), x)
  a = try g.add(BatchNormalization("stem_bn", epsilon: 1.001e-5), a)
  a = try g.add(Activation("stem_relu", .relu), a)
  var b = try g.add(Conv2D("res_conv", filters: 4, kernelSize: (3, 3), padding: .same), a)
  b = try g.add(BatchNormalization("res_bn"), b)
  var s = try g.add(Add("res_add"), a, b)
  s = try g.add(ReLU("res_out"), s)
  let c = try g.add(SeparableConv2D("sep", filters: 5, kernelSize: (3, 3), padding: .same), s)
  let g1 = try g.add(GlobalAveragePooling2D("gap"), c)
  let g2 = try g.add(GlobalMaxPooling2D("gmp"), s)
  let cat = try g.add(Concatenate("cat"), g1, g2)
  try g.add(Dense("head", units: 3, activation: .sigmoid), cat)
  return g
}

func fuzzOne(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
  guard FileManager.default.createFile(
    atPath: scratch, contents: Data(buffer: input))
  else { return 0 }
  defer { try? FileManager.default.removeItem(atPath: scratch) }
  _ = try? KerasModel.load(path: scratch)
  if let graph = try? functionalGraph() {
    _ = try? KerasWeights.load(into: graph, from: scratch, strict: false)
  }
  return 0
}
