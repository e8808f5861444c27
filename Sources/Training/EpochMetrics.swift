/// One epoch's numbers, as written to `metrics.csv` and the progress lines.
public struct EpochMetrics: Codable, Equatable, Sendable {
  /// 1-based epoch number.
  public var epoch: Int
  public var trainLoss: Float
  public var trainAccuracy: Float
  /// NaN-free: without a validation set these repeat the training numbers (see `hasValidation`).
  public var valLoss: Float
  public var valAccuracy: Float
  public var hasValidation: Bool
  public var learningRate: Float
  public var seconds: Double
  public var imagesPerSecond: Double

  public init(
    epoch: Int, trainLoss: Float, trainAccuracy: Float, valLoss: Float, valAccuracy: Float,
    hasValidation: Bool, learningRate: Float, seconds: Double, imagesPerSecond: Double
  ) {
    self.epoch = epoch
    self.trainLoss = trainLoss
    self.trainAccuracy = trainAccuracy
    self.valLoss = valLoss
    self.valAccuracy = valAccuracy
    self.hasValidation = hasValidation
    self.learningRate = learningRate
    self.seconds = seconds
    self.imagesPerSecond = imagesPerSecond
  }

  /// Header of `metrics.csv`.
  public static let csvHeader =
    "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds,images_per_second"

  /// One `metrics.csv` row.
  public var csvRow: String {
    [
      "\(epoch)", "\(trainLoss)", "\(trainAccuracy)", "\(valLoss)", "\(valAccuracy)",
      "\(learningRate)", String(format3(seconds)), String(format3(imagesPerSecond)),
    ].joined(separator: ",")
  }
}

func format3(_ x: Double) -> String {
  let scaled = (x * 1000).rounded() / 1000
  return "\(scaled)"
}
