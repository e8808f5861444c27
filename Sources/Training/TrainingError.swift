/// Problems a user can cause while configuring or running training; each message names the
/// option, file or layer and says what to do.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
  case badOption(option: String, value: String, hint: String)
  case emptyDataset(what: String)
  case labelOutOfRange(label: Int, classes: Int)
  case outputShape(expected: Int, got: [Int])
  case checkpoint(path: String, reason: String)
  case nonFiniteLoss(epoch: Int, step: Int)

  public var description: String {
    switch self {
    case .badOption(let option, let value, let hint):
      return "\(option) \(value): \(hint)"
    case .emptyDataset(let what):
      return "the \(what) set is empty: add images to the class folders or lower --val-split"
    case .labelOutOfRange(let label, let classes):
      return "label \(label) is outside the \(classes) classes: check --classes"
    case .outputShape(let expected, let got):
      return "the model outputs shape \(got) but there are \(expected) classes:"
        + " the head must end in Dense(\(expected), softmax)"
    case .checkpoint(let path, let reason):
      return "checkpoint \(path): \(reason); delete it or run without --resume"
    case .nonFiniteLoss(let epoch, let step):
      return "the loss became NaN/inf at epoch \(epoch), step \(step): lower --lr"
    }
  }
}
