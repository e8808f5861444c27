import Augment
import Dataset
import Foundation
import HDF5
import ImageIO
import Models
import TensorCore
import Training

/// The typed, validated form of `RunOptions` for training; every error names the option.
public struct TrainSettings: Sendable {
  public var base: String
  public var weights: String
  public var partial: Bool
  public var freeze: String
  public var classes: [String]?
  public var data: String
  public var validationSplit: Double
  public var size: Int?
  public var preprocessing: Preprocessing?
  public var augment: [String]
  public var optimizer: String
  public var momentum: Float
  public var weightDecay: Float
  public var training: TrainingOptions
  /// "balanced", explicit weights, or nil.
  public var classWeights: ClassWeights?
  public var dropout: Float
  public var hidden: Int
  public var cache: Bool
  public var cacheDir: String?
  public var cacheVariants: Int
  public var out: String?
  /// `--bad-images`: stop at a file that cannot be used, or leave such files out.
  public var badImages: BadImagePolicy = .error
  /// `--allow-external-hdf5`: a command-line choice only, never a recipe key, so a recipe
  /// from elsewhere cannot make ftune read outside the model files.
  public var hdf5Trust: HDF5Trust = .fileOnly

  public enum ClassWeights: Sendable, Equatable {
    case balanced
    case explicit([Float])
  }

  public init(_ o: RunOptions) throws {
    func bad(_ option: RunOption, _ hint: String) -> WorkflowError {
      WorkflowError.badValue(option: option.name, value: o[option], hint: hint)
    }
    func int(_ option: RunOption, min: Int = 0) throws -> Int {
      guard let v = Int(o[option]), v >= min else {
        throw bad(option, "use a whole number ≥ \(min)")
      }
      return v
    }
    func float(_ option: RunOption, min: Float = 0, max: Float = .infinity) throws -> Float {
      guard let v = Float(o[option]), v.isFinite, v >= min, v <= max else {
        throw bad(option, "use a number from \(min) to \(max)")
      }
      return v
    }
    base = o[.base]
    guard !base.isEmpty else {
      throw WorkflowError.missingOption(
        RunOption.base.name,
        hint: "name a zoo network (vgg16, resnet50, mobilenet_v2, ...) or a Keras model file")
    }
    weights = o[.weights]
    switch o[.partial].lowercased() {
    case "false", "no", "off", "": partial = false
    case "true", "yes", "on": partial = true
    default: throw bad(.partial, "use true or false")
    }
    freeze = o[.freeze].isEmpty ? "all" : o[.freeze]
    let cls = o[.classes].split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    classes = cls.isEmpty ? nil : cls
    data = o[.data]
    validationSplit = Double(try float(.valSplit, max: 0.9))
    size = o[.size].isEmpty ? nil : try int(.size, min: 1)
    if o[.preprocess].isEmpty {
      preprocessing = nil
    } else {
      guard let p = Preprocessing(rawValue: o[.preprocess]) else {
        throw bad(.preprocess, "use caffe, tf, torch or none")
      }
      preprocessing = p
    }
    augment = o[.augment].split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces).lowercased()
    }.filter { !$0.isEmpty && $0 != "none" }
    for a in augment where !AugmentSpec.known.contains(a) {
      throw bad(
        .augment,
        "'\(a)' is not an augmentation; use \(AugmentSpec.known.joined(separator: ", "))")
    }
    optimizer = o[.optimizer].lowercased()
    guard ["sgd", "adam"].contains(optimizer) else { throw bad(.optimizer, "use sgd or adam") }
    momentum = try float(.momentum, max: 1)
    weightDecay = try float(.weightDecay)

    var t = TrainingOptions()
    t.epochs = try int(.epochs, min: 1)
    t.batchSize = try int(.batch, min: 1)
    t.learningRate = try float(.lr)
    do {
      t.schedule = try LRSchedule(parsing: o[.schedule])
      t.unfreezeAt = try o[.unfreezeAt].split(separator: ",").map {
        try UnfreezeStep(parsing: String($0))
      }
    } catch let e as TrainingError {
      throw WorkflowError.badValue(
        option: "\(RunOption.schedule.name)/\(RunOption.unfreezeAt.name)", value: "",
        hint: e.description)
    }
    t.warmupEpochs = try int(.warmup)
    t.baseLRMultiplier = try float(.baseLRMult)
    t.earlyStoppingPatience = o[.patience].isEmpty ? nil : try int(.patience, min: 1)
    guard let seed = UInt64(o[.seed]) else { throw bad(.seed, "use a whole number ≥ 0") }
    t.seed = seed
    training = t

    switch o[.classWeights].lowercased() {
    case "", "none": classWeights = nil
    case "balanced", "auto": classWeights = .balanced
    default:
      let ws = o[.classWeights].split(separator: ",").map { Float($0) }
      guard ws.allSatisfy({ $0 != nil && $0! >= 0 }) else {
        throw bad(.classWeights, "use 'balanced' or one non-negative number per class")
      }
      classWeights = .explicit(ws.compactMap { $0 })
    }
    dropout = try float(.dropout, max: 0.99)
    hidden = try int(.hidden)
    switch o[.cache].lowercased() {
    case "auto", "on", "true", "yes": cache = true
    case "off", "false", "no": cache = false
    default: throw bad(.cache, "use auto or off")
    }
    cacheDir = o[.cacheDir].isEmpty ? nil : o[.cacheDir]
    cacheVariants = try int(.cacheVariants, min: 1)
    out = o[.out].isEmpty ? nil : o[.out]
    guard let policy = BadImagePolicy(rawValue: o[.badImages]) else {
      throw bad(.badImages, "use error or skip")
    }
    badImages = policy
  }

  /// Per-class loss weights for these class counts.
  public func lossWeights(counts: [Int]) throws -> [Float]? {
    switch classWeights {
    case nil: return nil
    case .balanced:
      // sklearn/Keras-tutorial "balanced": n_samples / (n_classes * n_c).
      let total = Float(counts.reduce(0, +))
      return counts.map { $0 > 0 ? total / (Float(counts.count) * Float($0)) : 0 }
    case .explicit(let ws):
      guard ws.count == counts.count else {
        throw WorkflowError.badValue(
          option: RunOption.classWeights.name, value: ws.map { "\($0)" }.joined(separator: ","),
          hint: "give one weight per class (\(counts.count))")
      }
      return ws
    }
  }
}
