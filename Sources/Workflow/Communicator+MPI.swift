#if MPI
  import CMPI
  import Training

  /// `MPI_COMM_WORLD` of OpenMPI (`swift build --traits MPI`, run under `mpirun`).
  ///
  /// Initialised once per process (`MPI_Init`), finalised by `finish()`. Errors come back as
  /// codes (MPI_ERRORS_RETURN) and are thrown as `DistributedError.mpi`.
  final class MPICommunicator: Communicator {
    let rank: Int
    let size: Int

    init() throws {
      try mpiCheck(MPI_Init(nil, nil), "MPI_Init")
      ftune_mpi_errors_return()
      var r: Int32 = 0
      var s: Int32 = 0
      try mpiCheck(MPI_Comm_rank(ftune_MPI_COMM_WORLD(), &r), "MPI_Comm_rank")
      try mpiCheck(MPI_Comm_size(ftune_MPI_COMM_WORLD(), &s), "MPI_Comm_size")
      rank = Int(r)
      size = Int(s)
    }

    func allreduceSum(_ values: inout [Float]) throws {
      // MPI counts are Int32: reduce in pieces below that.
      let piece = 1 << 28
      var start = 0
      while start < values.count {
        let n = min(piece, values.count - start)
        let code = values.withUnsafeMutableBufferPointer { buf in
          MPI_Allreduce(
            ftune_MPI_IN_PLACE(), buf.baseAddress.map { $0 + start }, Int32(n), ftune_MPI_FLOAT(),
            ftune_MPI_SUM(), ftune_MPI_COMM_WORLD())
        }
        try mpiCheck(code, "MPI_Allreduce")
        start += n
      }
    }

    func barrier() throws {
      try mpiCheck(MPI_Barrier(ftune_MPI_COMM_WORLD()), "MPI_Barrier")
    }

    func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]]? {
      guard bytes.count < Int(Int32.max) else {
        throw DistributedError.tooLarge(what: "a shard", bytes: bytes.count)
      }
      var count = Int32(bytes.count)
      var counts = [Int32](repeating: 0, count: size)
      try mpiCheck(
        MPI_Gather(
          &count, 1, ftune_MPI_INT(), &counts, 1, ftune_MPI_INT(), Int32(root),
          ftune_MPI_COMM_WORLD()), "MPI_Gather")
      var displacements = [Int32](repeating: 0, count: size)
      var total = 0
      if rank == root {
        for i in 0..<size {
          guard total + Int(counts[i]) < Int(Int32.max) else {
            throw DistributedError.tooLarge(what: "all shards together", bytes: total)
          }
          displacements[i] = Int32(total)
          total += Int(counts[i])
        }
      }
      var all = [UInt8](repeating: 0, count: max(total, 1))
      let code = bytes.withUnsafeBytes { src in
        MPI_Gatherv(
          src.baseAddress, count, ftune_MPI_BYTE(), &all, &counts, &displacements,
          ftune_MPI_BYTE(), Int32(root), ftune_MPI_COMM_WORLD())
      }
      try mpiCheck(code, "MPI_Gatherv")
      guard rank == root else { return nil }
      return (0..<size).map { i in
        let lo = Int(displacements[i])
        return Array(all[lo..<(lo + Int(counts[i]))])
      }
    }

    func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] {
      var count = Int64(bytes.count)
      try mpiCheck(
        MPI_Bcast(&count, 8, ftune_MPI_BYTE(), Int32(root), ftune_MPI_COMM_WORLD()), "MPI_Bcast")
      guard count < Int64(Int32.max) else {
        throw DistributedError.tooLarge(what: "a broadcast", bytes: Int(count))
      }
      var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count))
      if count > 0 {
        try mpiCheck(
          MPI_Bcast(&out, Int32(count), ftune_MPI_BYTE(), Int32(root), ftune_MPI_COMM_WORLD()),
          "MPI_Bcast")
      }
      return out
    }

    func abort(code: Int32) {
      MPI_Abort(ftune_MPI_COMM_WORLD(), code)
    }

    func finish() {
      MPI_Finalize()
    }
  }

  private func mpiCheck(_ code: Int32, _ call: String) throws {
    guard code != ftune_MPI_SUCCESS() else { return }
    var text = [CChar](repeating: 0, count: Int(ftune_MPI_MAX_ERROR_STRING()) + 1)
    var length: Int32 = 0
    MPI_Error_string(code, &text, &length)
    let message = String(
      decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    throw DistributedError.mpi(call: call, message: message)
  }
#endif
