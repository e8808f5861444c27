import Foundation
import Layers
import Models
import Runtime
import TensorCore

/// A training checkpoint written after every epoch (`checkpoint.ftck` in the run directory):
/// every parameter and state tensor by `layer/weight` name, the optimizer's state, the
/// history so far and the early-stopping counters, so `--resume` continues exactly.
///
/// Layout: magic `FTCKPT1\n`, a UInt64 little-endian header length, a JSON header, then the
/// tensors as little-endian Float32 in header order.
public struct Checkpoint: Codable, Equatable {
  public struct Entry: Codable, Equatable {
    public var name: String
    public var shape: [Int]
  }

  /// Completed epochs (1-based count).
  public var epoch: Int
  public var history: [EpochMetrics]
  public var bestValLoss: Float?
  public var bestEpoch: Int
  /// Weight layers still frozen (after any gradual unfreezing); nil when never changed.
  public var freeze: Int?
  /// Set when the run stopped inside an epoch (Ctrl-C): where to continue it.
  public var partial: PartialEpoch?
  public var entries: [Entry] = []
  public var optimizerStateCounts: [Int] = []
  /// Not in the JSON header: the tensors follow it.
  public var tensors: [[Float]] = []
  public var optimizerState: [[Float]] = []

  enum CodingKeys: String, CodingKey {
    case epoch, history, bestValLoss, bestEpoch, freeze, partial, entries, optimizerStateCounts
  }

  static let magic = Data("FTCKPT1\n".utf8)

  /// An epoch stopped after `step` of its batches, with its running sums, so a resumed run
  /// finishes it exactly as an uninterrupted one would (sums as bit patterns: no rounding).
  public struct PartialEpoch: Codable, Equatable {
    public var epoch: Int
    public var step: Int
    public var lossSumBits: UInt64
    public var correct: Int
    public var seen: Int

    public init(epoch: Int, step: Int, lossSum: Double, correct: Int, seen: Int) {
      self.epoch = epoch
      self.step = step
      self.lossSumBits = lossSum.bitPattern
      self.correct = correct
      self.seen = seen
    }

    public var lossSum: Double { Double(bitPattern: lossSumBits) }
  }

  public init(
    epoch: Int, history: [EpochMetrics], bestValLoss: Float?, bestEpoch: Int, freeze: Int?
  ) {
    self.epoch = epoch
    self.history = history
    self.bestValLoss = bestValLoss
    self.bestEpoch = bestEpoch
    self.freeze = freeze
  }

  /// Captures every weight of `graph` (trainable and state) in graph order.
  public mutating func capture(_ graph: Graph) {
    entries = []
    tensors = []
    for layer in graph.layers {
      for p in layer.weights {
        entries.append(Entry(name: "\(layer.name)/\(p.name)", shape: p.value.shape))
        tensors.append(p.value.scalars)
      }
    }
  }

  /// Puts the captured weights back into `graph`; every name and shape must match.
  public func restore(into graph: Graph, path: String) throws {
    var byName: [String: (Entry, [Float])] = [:]
    for (e, t) in zip(entries, tensors) { byName[e.name] = (e, t) }
    for layer in graph.layers {
      for p in layer.weights {
        let key = "\(layer.name)/\(p.name)"
        guard let (e, t) = byName[key] else {
          throw TrainingError.checkpoint(path: path, reason: "it has no weight '\(key)'")
        }
        guard e.shape == p.value.shape else {
          throw TrainingError.checkpoint(
            path: path, reason: "'\(key)' has shape \(e.shape), the model \(p.value.shape)")
        }
        p.value = try Tensor(shape: e.shape, scalars: t)
      }
    }
  }

  public func write(to url: URL) throws {
    var header = self
    header.optimizerStateCounts = optimizerState.map(\.count)
    let json = try JSONEncoder().encode(header)
    var data = Checkpoint.magic
    var length = UInt64(json.count).littleEndian
    data.append(Data(bytes: &length, count: 8))
    data.append(json)
    for array in tensors + optimizerState {
      array.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
    }
    try AtomicFile.createFolder(for: url.path)
    try AtomicFile.write(data, to: url)
  }

  public static func read(from url: URL) throws -> Checkpoint {
    let path = url.path
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw TrainingError.checkpoint(path: path, reason: "cannot be read")
    }
    let m = magic.count
    guard data.count >= m + 8, data.prefix(m) == magic else {
      throw TrainingError.checkpoint(path: path, reason: "is not an ftune checkpoint")
    }
    let bytes = [UInt8](data)
    var length: UInt64 = 0
    for i in 0..<8 { length |= UInt64(bytes[m + i]) << (8 * UInt64(i)) }
    let start = m + 8
    guard length < UInt64(bytes.count - start) + 1 else {
      throw TrainingError.checkpoint(path: path, reason: "is truncated")
    }
    var cp: Checkpoint
    do {
      cp = try JSONDecoder().decode(
        Checkpoint.self, from: Data(bytes[start..<(start + Int(length))]))
    } catch {
      throw TrainingError.checkpoint(path: path, reason: "has a damaged header")
    }
    var offset = start + Int(length)
    let counts = cp.entries.map { $0.shape.reduce(1, *) } + cp.optimizerStateCounts
    var arrays: [[Float]] = []
    for count in counts {
      let end = offset + count * 4
      guard count >= 0, end <= bytes.count else {
        throw TrainingError.checkpoint(path: path, reason: "is truncated")
      }
      let array = bytes[offset..<end].withUnsafeBytes { raw in
        (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(
          fromByteOffset: $0 * 4, as: UInt32.self))) }
      }
      arrays.append(array)
      offset = end
    }
    cp.tensors = Array(arrays.prefix(cp.entries.count))
    cp.optimizerState = Array(arrays.dropFirst(cp.entries.count))
    return cp
  }
}

