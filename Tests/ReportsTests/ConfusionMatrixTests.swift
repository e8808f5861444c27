import Testing

@testable import Reports

@Suite struct ConfusionMatrixTests {
  // Hand example: 10 examples, 3 classes (numbers cross-checked with NumPy).
  //            predicted 0  1  2
  //   true 0             2  1  1
  //   true 1             1  2  0
  //   true 2             0  0  3
  let labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
  let predictions = [0, 0, 1, 2, 1, 1, 0, 2, 2, 2]
  let classes = ["cat", "dog", "none"]

  @Test func countsAndMetricsOfTheHandExample() throws {
    let m = try ConfusionMatrix(labels: labels, predictions: predictions, classes: classes)
    #expect(m.counts == [[2, 1, 1], [1, 2, 0], [0, 0, 3]])
    #expect(m.total == 10 && m.correct == 7)
    #expect(m.accuracy == 0.7)
    let tol = 1e-12
    #expect(abs(m.precision(0) - 2.0 / 3) < tol)
    #expect(abs(m.recall(0) - 0.5) < tol)
    #expect(abs(m.f1(0) - 4.0 / 7) < tol)
    #expect(abs(m.precision(1) - 2.0 / 3) < tol && abs(m.recall(1) - 2.0 / 3) < tol)
    #expect(abs(m.precision(2) - 0.75) < tol && m.recall(2) == 1)
    #expect(abs(m.f1(2) - 6.0 / 7) < tol)
    #expect(abs(m.macroPrecision - 25.0 / 36) < tol)
    #expect(abs(m.macroRecall - 13.0 / 18) < tol)
    #expect(abs(m.macroF1 - 44.0 / 63) < tol)
    #expect(m.support(0) == 4 && m.predicted(0) == 3)
    #expect(m.rowNormalized[0] == [0.5, 0.25, 0.25])
  }

  @Test func namesAndIndicesGiveTheSameMatrix() throws {
    let byIndex = try ConfusionMatrix(labels: labels, predictions: predictions, classes: classes)
    let byName = try ConfusionMatrix(
      labels: labels.map { classes[$0] }, predictions: predictions.map { classes[$0] },
      classes: classes)
    #expect(byIndex == byName)
    var added = try ConfusionMatrix(classes: classes)
    for (t, p) in zip(labels, predictions) { try added.add(label: t, prediction: p) }
    #expect(added == byIndex)
  }

  @Test func undefinedMetricsAreZero() throws {
    // Class 1 is never predicted and class 2 never occurs.
    let m = try ConfusionMatrix(labels: [0, 1], predictions: [0, 0], classes: classes)
    #expect(m.precision(1) == 0 && m.recall(2) == 0 && m.f1(1) == 0)
    #expect(m.rowNormalized[2] == [0, 0, 0])
    #expect(try ConfusionMatrix(classes: ["a"]).accuracy == 0)
  }

  @Test func badInputThrowsAnActionableError() {
    #expect(throws: ReportError.lengthMismatch(labels: 2, predictions: 1)) {
      try ConfusionMatrix(labels: [0, 1], predictions: [0], classes: self.classes)
    }
    #expect(
      throws: ReportError.classIndexOutOfRange(
        what: "prediction", position: 1, value: 3, classCount: 3)
    ) {
      try ConfusionMatrix(labels: [0, 1], predictions: [0, 3], classes: self.classes)
    }
    #expect(throws: ReportError.invalidClasses(["a", "a"])) {
      try ConfusionMatrix(classes: ["a", "a"])
    }
    do {
      _ = try ConfusionMatrix(labels: ["cat"], predictions: ["cow"], classes: classes)
      Issue.record("expected an error")
    } catch let error as ReportError {
      #expect(error.description.contains("'cow'"))
      #expect(error.description.contains("cat, dog, none"))
    } catch {
      Issue.record("unexpected \(error)")
    }
  }

  @Test func countsCSVAndMetricsTables() throws {
    let m = try ConfusionMatrix(labels: labels, predictions: predictions, classes: classes)
    #expect(
      m.countsCSV.render() == """
        true\\predicted,cat,dog,none
        cat,2,1,1
        dog,1,2,0
        none,0,0,3

        """)
    #expect(
      m.metricsMarkdown(fractionDigits: 2).render() == """
        | class     | precision | recall |   f1 | support |
        | :-------- | --------: | -----: | ---: | ------: |
        | cat       |      0.67 |   0.50 | 0.57 |       4 |
        | dog       |      0.67 |   0.67 | 0.67 |       3 |
        | none      |      0.75 |   1.00 | 0.86 |       3 |
        | macro avg |      0.69 |   0.72 | 0.70 |      10 |
        | accuracy  |           |        | 0.70 |      10 |

        """)
  }
}
