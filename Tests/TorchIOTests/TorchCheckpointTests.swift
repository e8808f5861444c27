import Foundation
import Testing

@testable import TorchIO

/// The Swift reader against Python's own pickle reading of the same files
/// (tools/fixtures/torch_pickle_reference.py).
@Suite struct TorchCheckpointTests {
  /// Values are float32/float16 in the file, or float64 rounded once: Float(reference) must
  /// equal what Swift read exactly (tolerance 0).
  @Test(arguments: [("tiny_legacy", "legacy"), ("tiny_zip", "zip")])
  func readsTinyCheckpointLikePythonPickle(file: String, format: String) throws {
    let reference = try Fixtures.reference("\(file).reference.json")
    let checkpoint = try TorchCheckpoint(contentsOf: Fixtures.url("\(file).pth"))
    #expect(checkpoint.format.rawValue == format)
    #expect(checkpoint.tensors.map(\.name) == reference.tensors.map(\.name))
    #expect(checkpoint.skipped.isEmpty)
    for (tensor, expected) in zip(checkpoint.tensors, reference.tensors) {
      #expect(tensor.shape == expected.shape, "\(tensor.name)")
      #expect(tensor.dtype.referenceName == expected.dtype, "\(tensor.name)")
      let want = try #require(expected.values).map { Float($0) }
      #expect(tensor.values == want, "\(tensor.name)")
    }
  }

  /// The fixture covers what the reader must honour, so these facts keep it honest.
  @Test func tinyCheckpointExercisesOffsetsStridesAndDtypes() throws {
    let checkpoint = try TorchCheckpoint(contentsOf: Fixtures.url("tiny_legacy.pth"))
    let dtypes = Set(checkpoint.tensors.map(\.dtype))
    #expect(dtypes == [.float32, .float64, .float16, .int64])
    // gamma and beta are two views of one 8-element storage, at offsets 0 and 4.
    let gamma = try #require(checkpoint["features.0.1.weight"])
    let beta = try #require(checkpoint["features.0.1.bias"])
    #expect(gamma.values != beta.values)
    // classifier.1.weight is a transposed view (strides [1, 5]) of a [2, 5] blob.
    let weight = try #require(checkpoint["classifier.1.weight"])
    #expect(weight.shape == [5, 2])
    #expect(checkpoint["features.0.1.num_batches_tracked"]?.values == [12345])
    #expect(checkpoint["features.0.1.num_batches_tracked"]?.shape == [])
  }

  @Test func zipAndLegacyFormatsAgree() throws {
    let legacy = try TorchCheckpoint(contentsOf: Fixtures.url("tiny_legacy.pth"))
    let zipped = try TorchCheckpoint(contentsOf: Fixtures.url("tiny_zip.pth"))
    #expect(legacy.tensors == zipped.tensors)
  }

  /// Opt-in: needs data/fetch-weights.sh. Names, shapes and first values exact; sums within
  /// 1e-9 relative (Double sums of the same Float values in a different order).
  @Test(.enabled(if: Fixtures.fetchedMobileNet != nil, "run data/fetch-weights.sh first"))
  func readsRealTorchvisionMobileNetV2() throws {
    let url = try #require(Fixtures.fetchedMobileNet)
    let reference = try Fixtures.reference("mobilenet_v2-b0353104.reference.json")
    let checkpoint = try TorchCheckpoint(contentsOf: url)
    #expect(checkpoint.format == .legacy)
    #expect(checkpoint.tensors.count == 314)
    #expect(checkpoint.tensors.map(\.name) == reference.tensors.map(\.name))
    for (tensor, expected) in zip(checkpoint.tensors, reference.tensors) {
      #expect(tensor.shape == expected.shape, "\(tensor.name)")
      #expect(tensor.dtype.referenceName == expected.dtype, "\(tensor.name)")
      #expect(Array(tensor.values.prefix(6)) == expected.first.map { Float($0) })
      var sum = 0.0, weighted = 0.0, absSum = 0.0
      for (index, value) in tensor.values.enumerated() {
        sum += Double(value)
        weighted += Double(value) * Double(index % 7 + 1)
        absSum += Double(abs(value))
      }
      let close = { (got: Double, want: Double) in
        abs(got - want) <= 1e-9 * max(1, abs(want))
      }
      #expect(close(sum, expected.sum), "\(tensor.name) sum")
      #expect(close(weighted, expected.weighted_sum), "\(tensor.name) weighted sum")
      #expect(close(absSum, expected.abs_sum), "\(tensor.name) abs sum")
    }
  }

  @Test func halfPrecisionConversionCoversSpecialValues() {
    #expect(TorchDType.halfToFloat(0x3C00) == 1)
    #expect(TorchDType.halfToFloat(0xC000) == -2)
    #expect(TorchDType.halfToFloat(0x7BFF) == 65504)
    #expect(TorchDType.halfToFloat(0x0001) == 0x1p-24)  // smallest subnormal
    #expect(TorchDType.halfToFloat(0x8000).sign == .minus)
    #expect(TorchDType.halfToFloat(0x7C00) == .infinity)
    #expect(TorchDType.halfToFloat(0x7E00).isNaN)
    #expect(TorchDType.halfToFloat(0x3555) == 0.333251953125)
  }
}

extension TorchDType {
  /// The reference script's names (`FloatStorage` -> "float").
  var referenceName: String {
    switch self {
    case .float32: return "float"
    case .float16: return "half"
    case .bfloat16: return "bfloat16"
    case .float64: return "double"
    case .int64: return "long"
    case .int32: return "int"
    case .int16: return "short"
    case .int8: return "char"
    case .uint8: return "byte"
    case .bool: return "bool"
    }
  }
}
