import Testing

@testable import Reports

@Suite struct NiceScaleTests {
  @Test func niceNumbersFollowHeckbert() {
    #expect(NiceScale.niceNumber(0.35, round: false) == 0.5)
    #expect(NiceScale.niceNumber(150, round: false) == 200)
    #expect(NiceScale.niceNumber(2.5, round: true) == 2)
    #expect(NiceScale.niceNumber(4, round: true) == 5)
    #expect(abs(NiceScale.niceNumber(0.071, round: true) - 0.1) < 1e-15)
  }

  @Test func zeroToHundred() {
    let s = NiceScale(min: 0, max: 100, maxTicks: 6)
    #expect(s.ticks == [0, 20, 40, 60, 80, 100])
    #expect(s.labels == ["0", "20", "40", "60", "80", "100"])
    #expect(s.lower == 0 && s.upper == 100)
  }

  @Test func accuracyRangeRoundsOutwardToTenths() {
    let s = NiceScale(min: 0.62, max: 0.97, maxTicks: 6)
    #expect(s.step == 0.1)
    #expect(s.ticks == [0.6, 0.7, 0.8, 0.9, 1.0])
    #expect(s.labels == ["0.6", "0.7", "0.8", "0.9", "1.0"])
  }

  @Test func rangeAcrossZeroHasNoNegativeZero() {
    let s = NiceScale(min: -3.2, max: 7.9, maxTicks: 6)
    #expect(s.ticks == [-5, 0, 5, 10])
    let t = NiceScale(min: -1, max: 1, maxTicks: 6)
    #expect(t.labels == ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
  }

  @Test func smallValuesGetEnoughDecimals() {
    let s = NiceScale(min: 0.0012, max: 0.0087, maxTicks: 6)
    #expect(s.labels == ["0.000", "0.002", "0.004", "0.006", "0.008", "0.010"])
  }

  @Test func floatingNoiseDoesNotAddAStep() {
    // 0.1 + 0.2 == 0.30000000000000004: the axis must still start at 0.3.
    let s = NiceScale(min: 0.1 + 0.2, max: 0.7, maxTicks: 6)
    #expect(s.step == 0.1)
    #expect(s.ticks == [0.3, 0.4, 0.5, 0.6, 0.7])
    // A lower limit of exactly zero stays zero.
    #expect(NiceScale(min: 0, max: 0.93).lower == 0)
  }

  @Test func tightIntegerAxisForEpochs() {
    let s = NiceScale(min: 1, max: 10, maxTicks: 8, integerSteps: true, tight: true)
    #expect(s.ticks == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    #expect(s.lower == 1 && s.upper == 10)
    let three = NiceScale(min: 1, max: 3, maxTicks: 8, integerSteps: true, tight: true)
    #expect(three.ticks == [1, 2, 3])  // not 1, 1.5, 2, …
    #expect(three.labels == ["1", "2", "3"])
    let long = NiceScale(min: 1, max: 100, maxTicks: 8, integerSteps: true, tight: true)
    // Heckbert's step for 99 over 7 intervals is 10 (1 × 10¹), giving 10 ticks.
    #expect(long.ticks == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
  }

  @Test func flatAndNonFiniteRangesStillGiveAnAxis() {
    let flat = NiceScale(min: 5, max: 5)
    #expect(flat.lower < 5 && flat.upper > 5)
    #expect(flat.ticks.contains(5))
    let zero = NiceScale(min: 0, max: 0)
    #expect(zero.lower == -1 && zero.upper == 1)
    let bad = NiceScale(min: .nan, max: .infinity)
    #expect(bad.lower == 0 && bad.upper == 1)
  }

  @Test func formatDropsNegativeZero() {
    #expect(NiceScale.format(-0.0001, fractionDigits: 2) == "0.00")
    #expect(NiceScale.format(-0.01, fractionDigits: 2) == "-0.01")
    #expect(NiceScale.format(0.93456, fractionDigits: 3) == "0.935")
    #expect(NiceScale.format(12, fractionDigits: 0) == "12")
    #expect(NiceScale.format(.nan, fractionDigits: 2) == "nan")
  }
}
