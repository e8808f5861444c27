import Foundation
import KerasIO
import Models

// Builds a graph from arbitrary bytes as Keras model JSON (Keras 2 `model_config`, Keras 3
// `config.json`). Every failure must be a thrown KerasIOError (or a graph error naming the
// layer); a crash, hang, leak or out-of-memory is a finding. The weight limit is lowered
// (default 2^30) to stay within the fuzzer's memory limit; what it guards is the same.
func fuzzOne(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
  let json = Data(buffer: input)
  _ = try? KerasModel.graph(fromConfig: json, file: "fuzz.json", maxWeights: 1 << 22)
  return 0
}
