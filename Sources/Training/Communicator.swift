/// The collective operations ftune needs from a group of cooperating processes (ranks):
/// data-parallel training averages gradients with `allreduceSum`, sharded caching gathers
/// shard files on rank 0. `SingleProcess` is the group of one; the MPI implementation lives
/// in Workflow and is built with `swift build --traits MPI`.
///
/// Every rank must call the same collectives in the same order (MPI's rule); a rank that
/// fails must end the group (`abort`) rather than leave the others waiting.
public protocol Communicator: AnyObject {
  /// This process's index, 0..<size. Rank 0 writes files and prints.
  var rank: Int { get }
  /// Number of processes.
  var size: Int { get }
  /// Replaces `values` with their element-wise sum over all ranks (same count everywhere).
  func allreduceSum(_ values: inout [Float]) throws
  /// Returns when every rank has called it.
  func barrier() throws
  /// Rank `root` receives every rank's bytes, in rank order; the others receive nil.
  func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]]?
  /// Every rank receives `root`'s bytes (the argument is ignored on the others).
  func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8]
  /// Ends every rank of the group with `code` (MPI_Abort); a group of one just returns.
  func abort(code: Int32)
  /// Leaves the group at the end of the process (MPI_Finalize); collectives fail after it.
  func finish()
}

extension Communicator {
  /// True for the rank that writes files and reports (rank 0).
  public var isRoot: Bool { rank == 0 }
}

/// The group of one process: every collective is the identity.
public final class SingleProcess: Communicator {
  public init() {}
  public var rank: Int { 0 }
  public var size: Int { 1 }
  public func allreduceSum(_ values: inout [Float]) throws {}
  public func barrier() throws {}
  public func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]]? { [bytes] }
  public func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] { bytes }
  public func abort(code: Int32) {}
  public func finish() {}
}
