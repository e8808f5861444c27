import Foundation
import TorchIO

// Reads arbitrary bytes as a PyTorch checkpoint: zip (torch >= 1.6) or legacy pickle
// stream, through the bounded pickle VM. Every failure must be a thrown
// TorchCheckpointError; a crash, hang, leak or out-of-memory is a finding.
func fuzzOne(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
  let bytes = Data(buffer: input)
  if let checkpoint = try? TorchCheckpoint(data: bytes, name: "fuzz.pth") {
    for t in checkpoint.tensors { _ = try? t.tensor() }
  }
  return 0
}
