/// Problems a caller of Reports can cause; each message names what is wrong and what to do.
public enum ReportError: Error, Equatable, CustomStringConvertible {
  /// Labels and predictions differ in length.
  case lengthMismatch(labels: Int, predictions: Int)
  /// A label or prediction index is outside `0..<classCount`.
  case classIndexOutOfRange(what: String, position: Int, value: Int, classCount: Int)
  /// A label or prediction names a class that is not in the class list.
  case unknownClass(what: String, position: Int, name: String, classes: [String])
  /// The class list is empty or names a class twice.
  case invalidClasses([String])
  /// Writing a report file failed.
  case writeFailed(path: String, reason: String)
  /// A row of predicted probabilities has the wrong length or a negative or non-finite value.
  case invalidProbabilities(position: Int, classCount: Int)

  public var description: String {
    switch self {
    case .lengthMismatch(let labels, let predictions):
      return "confusion matrix: got \(labels) labels but \(predictions) predictions; "
        + "pass one prediction per labelled example"
    case .classIndexOutOfRange(let what, let position, let value, let classCount):
      return "confusion matrix: \(what) #\(position) is class index \(value), but there are "
        + "only \(classCount) classes (valid: 0...\(classCount - 1)); check the class list"
    case .unknownClass(let what, let position, let name, let classes):
      return "confusion matrix: \(what) #\(position) is '\(name)', which is not one of the "
        + "classes \(classes.joined(separator: ", ")); add it to --classes or fix the data"
    case .invalidClasses(let classes):
      return classes.isEmpty
        ? "confusion matrix: the class list is empty; name at least one class"
        : "confusion matrix: class names must be unique, got "
          + classes.joined(separator: ", ")
    case .invalidProbabilities(let position, let classCount):
      return "metrics: example #\(position) needs \(classCount) finite, non-negative class"
        + " probabilities; check that the model's output has one unit per class"
    case .writeFailed(let path, let reason):
      return "could not write \(path): \(reason); check that the directory exists and is "
        + "writable"
    }
  }
}
