import Foundation
import Training

/// The process group ftune runs in: MPI's world under `mpirun` when built with
/// `--traits MPI`, else one process. The only place that knows which.
public enum Distributed {
  /// Whether this binary was built with MPI support.
  public static var isAvailable: Bool {
    #if MPI
      return true
    #else
      return false
    #endif
  }

  /// The group: MPI's world when launched by `mpirun` (its environment says so) and built
  /// with MPI; a launch by `mpirun` of a binary without MPI is an error, not P copies of the
  /// same single-process run. Call once per process; call `finish()` on the result at exit.
  public static func world(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> any Communicator {
    let launched = launchedSize(environment)
    #if MPI
      if launched != nil { return try MPICommunicator() }
    #else
      if let launched, launched > 1 { throw DistributedError.notBuilt(ranks: launched) }
    #endif
    return SingleProcess()
  }

  /// Runs a command's work in the group and leaves it at the end. When a rank of several
  /// fails, it prints the error and ends every rank (MPI_Abort, exit status `code`), so the
  /// others do not wait forever in a collective.
  public static func run<T>(
    code: Int32 = 1, _ body: (any Communicator) throws -> T
  ) throws -> T {
    let world = try world()
    do {
      let result = try body(world)
      world.finish()
      return result
    } catch {
      if world.size > 1 {
        FileHandle.standardError.write(Data("Error (rank \(world.rank)): \(error)\n".utf8))
        world.abort(code: code)
      }
      world.finish()
      throw error
    }
  }

  /// Subcommands that run on one process only: under `mpirun -n P>1` each rank would do
  /// the whole job and write the same files.
  public static let singleProcessCommands: Set<String> = [
    "compare", "predict", "inspect", "augment", "export", "bench", "import-torch",
  ]

  /// An error when `arguments` (without the program name) start a single-process command
  /// under a launcher of several ranks.
  public static func refusal(
    arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> DistributedError? {
    guard let first = arguments.first, singleProcessCommands.contains(first),
      let n = launchedSize(environment), n > 1
    else { return nil }
    return .singleProcess(command: first, ranks: n)
  }

  /// The group size a launcher (OpenMPI, PMIx, MPICH's Hydra) announced, if any.
  static func launchedSize(_ environment: [String: String]) -> Int? {
    for name in ["OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"] {
      if let v = environment[name], let n = Int(v) { return n }
    }
    return nil
  }
}

/// What goes wrong when ranks work together.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
  case notBuilt(ranks: Int)
  case mpi(call: String, message: String)
  case tooLarge(what: String, bytes: Int)
  case singleProcess(command: String, ranks: Int)

  public var description: String {
    switch self {
    case .notBuilt(let n):
      return "launched as \(n) MPI ranks, but this ftune was built without MPI: install"
        + " libopenmpi-dev and build with `swift build -c release --traits MPI` (make mpi)"
    case .mpi(let call, let message):
      return "\(call) failed: \(message) (check the mpirun command, hostfile and network)"
    case .singleProcess(let command, let n):
      return "ftune \(command) runs on one process; it was launched as \(n) MPI ranks: run it"
        + " without mpirun (only training and cache run distributed)"
    case .tooLarge(let what, let bytes):
      return "\(what) is \(bytes) bytes, over MPI's 2 GB message limit: use more ranks,"
        + " or --shard i/n runs and `ftune cache --merge`"
    }
  }
}
