import Foundation
import Testing

@testable import TorchIO

/// Hand-written and damaged checkpoints: every problem is a `TorchCheckpointError` naming
/// the file (and offset), never a crash or an unbounded allocation.
@Suite struct PickleMachineTests {
  let floats: [Float] = [1, 2, 3, 4, 5, 6]

  @Test func handWrittenLegacyFileReads() throws {
    let state = LegacyFile.state([
      ("w", { $0.tensor(storageKey: "k", count: 6, size: [2, 3], stride: [3, 1]) }),
      // A transposed view with an offset: element [i, j] = storage[1 + i + 2j].
      ("t", { $0.tensor(storageKey: "k", count: 6, offset: 1, size: [2, 2], stride: [1, 2]) }),
    ])
    let data = LegacyFile.make(state: state, storages: [("k", 6, floats)])
    let checkpoint = try TorchCheckpoint(data: data, name: "hand.pth")
    #expect(checkpoint.tensors.map(\.name) == ["w", "t"])
    #expect(checkpoint["w"]?.values == floats)
    #expect(checkpoint["t"]?.values == [2, 4, 3, 5])
  }

  @Test func tensorOutsideItsStorageIsRejected() throws {
    let state = LegacyFile.state([
      ("w", { $0.tensor(storageKey: "k", count: 6, offset: 2, size: [2, 3], stride: [3, 1]) })
    ])
    let data = LegacyFile.make(state: state, storages: [("k", 6, floats)])
    #expect(throws: TorchCheckpointError.self) {
      try TorchCheckpoint(data: data, name: "bounds.pth")
    }
    do {
      _ = try TorchCheckpoint(data: data, name: "bounds.pth")
    } catch let error as TorchCheckpointError {
      guard case .tensorOutOfBounds(let file, let tensor, _) = error else {
        Issue.record("wrong error \(error)")
        return
      }
      #expect(file == "bounds.pth" && tensor == "w")
    }
  }

  @Test func hugeStorageCountIsTruncationNotAllocation() throws {
    let state = LegacyFile.state([
      ("w", { $0.tensor(storageKey: "k", count: 6, size: [6], stride: [1]) })
    ])
    let data = LegacyFile.make(state: state, storages: [("k", 1 << 40, floats)])
    #expect {
      try TorchCheckpoint(data: data, name: "huge.pth")
    } throws: { error in
      guard case .truncated(let file, _, _, _) = error as? TorchCheckpointError else {
        return false
      }
      return file == "huge.pth"
    }
  }

  /// A stride-0 view may not pretend to hold more elements than its storage.
  @Test func expandedViewIsRejected() throws {
    let state = LegacyFile.state([
      ("w", { $0.tensor(storageKey: "k", count: 6, size: [1_000_000], stride: [0]) })
    ])
    let data = LegacyFile.make(state: state, storages: [("k", 6, floats)])
    #expect(throws: TorchCheckpointError.self) {
      try TorchCheckpoint(data: data, name: "expand.pth")
    }
  }

  /// Many tensors viewing one storage could multiply the output; it stays within the file
  /// size in elements.
  @Test func outputIsBoundedByFileSize() throws {
    let big = [Float](repeating: 1, count: 512)
    let entries = (0..<200).map { index in
      ("w\(index)", { (pickle: inout PickleBuilder) in
        pickle.tensor(storageKey: "k", count: 512, size: [512], stride: [1])
      })
    }
    let data = LegacyFile.make(state: LegacyFile.state(entries), storages: [("k", 512, big)])
    #expect {
      try TorchCheckpoint(data: data, name: "amplify.pth")
    } throws: { error in
      if case .tooLarge = error as? TorchCheckpointError { return true }
      return false
    }
  }

  @Test func unsupportedOpcodeNamesFileAndOffset() throws {
    var pickle = PickleBuilder()
    pickle.op("I")  // INT (text): never written by torch.save
    pickle.bytes += Array("1\n".utf8)
    pickle.stop()
    let data = Data(LegacyFile.header() + pickle.bytes)
    let offset = LegacyFile.header().count + 2
    #expect(throws: TorchCheckpointError.unsupportedOpcode(
      file: "op.pth", offset: offset, opcode: 0x49)) {
      try TorchCheckpoint(data: data, name: "op.pth")
    }
    let message = TorchCheckpointError.unsupportedOpcode(file: "op.pth", offset: offset,
      opcode: 0x49).description
    #expect(message.contains("op.pth") && message.contains("byte \(offset)"))
  }

  @Test func hugeStringLengthIsTruncation() throws {
    var pickle = PickleBuilder()
    pickle.op("X")
    pickle.bytes += [0xFF, 0xFF, 0xFF, 0x7F]
    let data = Data(LegacyFile.header() + pickle.bytes + [0x41, 0x42])
    #expect {
      try TorchCheckpoint(data: data, name: "str.pth")
    } throws: { error in
      if case .truncated(_, _, let needed, let available) = error as? TorchCheckpointError {
        return needed == 0x7FFF_FFFF && available == 2
      }
      return false
    }
  }

  @Test func memoMissAndStackUnderflowAreMalformed() throws {
    for body: [UInt8] in [[0x68, 0x05, 0x2E], [0x73, 0x2E], [0x74, 0x2E], [0x2E]] {
      let data = Data(LegacyFile.header() + [0x80, 0x02] + body)
      #expect {
        try TorchCheckpoint(data: data, name: "bad.pth")
      } throws: { error in
        if case .malformed(let file, _, _) = error as? TorchCheckpointError {
          return file == "bad.pth"
        }
        return false
      }
    }
  }

  /// No code runs: an unknown callable is an opaque value, and that entry is skipped.
  @Test func unknownCallableIsOpaqueAndSkipped() throws {
    let state = LegacyFile.state([
      ("w", { $0.tensor(storageKey: "k", count: 6, size: [6], stride: [1]) }),
      ("evil", { pickle in
        pickle.global("os", "system")
        pickle.op("(")
        pickle.string("echo hacked")
        pickle.op("t")
        pickle.op("R")
      }),
    ])
    let data = LegacyFile.make(state: state, storages: [("k", 6, floats)])
    let checkpoint = try TorchCheckpoint(data: data, name: "evil.pth")
    #expect(checkpoint.tensors.map(\.name) == ["w"])
    #expect(checkpoint.skipped == ["evil"])
  }

  /// 200,000 nested tuples: containers live in arenas, so nothing recurses.
  @Test func deepNestingDoesNotOverflowTheStack() throws {
    var pickle = PickleBuilder()
    pickle.op(")")
    pickle.bytes += [UInt8](repeating: 0x85, count: 200_000)  // TUPLE1, nested each time
    pickle.stop()
    let emptyKeys: [UInt8] = [0x80, 0x02, 0x5D, 0x2E]
    let data = Data(LegacyFile.header() + pickle.bytes + emptyKeys)
    #expect {
      try TorchCheckpoint(data: data, name: "deep.pth")
    } throws: { error in
      if case .noTensors = error as? TorchCheckpointError { return true }
      return false
    }
  }

  @Test func otherFilesAreNotCheckpoints() throws {
    for bytes: [UInt8] in [[], Array("hello".utf8), [0x80, 0x02, 0x4B, 0x01, 0x2E]] {
      #expect(throws: TorchCheckpointError.self) {
        try TorchCheckpoint(data: Data(bytes), name: "other.bin")
      }
    }
  }

  /// Every prefix of a real-shaped checkpoint fails with a typed error, never a crash.
  @Test(arguments: ["tiny_legacy.pth", "tiny_zip.pth"])
  func everyTruncationIsATypedError(file: String) throws {
    let data = try Fixtures.data(file)
    for length in 0..<data.count {
      do {
        _ = try TorchCheckpoint(data: data.prefix(length), name: file)
        Issue.record("\(file) cut to \(length) bytes was accepted")
      } catch let error as TorchCheckpointError {
        #expect(error.description.contains(file))
      }
    }
  }

  /// Flipping any single byte either still reads or fails with a typed error.
  @Test(arguments: ["tiny_legacy.pth", "tiny_zip.pth"])
  func everyByteFlipIsReadOrATypedError(file: String) throws {
    let data = try Fixtures.data(file)
    var failures = 0
    for index in 0..<data.count {
      var damaged = data
      damaged[index] ^= 0xA5
      do {
        _ = try TorchCheckpoint(data: damaged, name: file)
      } catch is TorchCheckpointError {
        failures += 1
      }
    }
    #expect(failures > 0)
  }
}
