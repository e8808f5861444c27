import Testing
import Training

@testable import Workflow

/// How ftune decides whether it runs as one process or as MPI ranks (no MPI needed).
@Suite struct DistributedTests {
  @Test func oneProcessWithoutALauncher() throws {
    let world = try Distributed.world(environment: [:])
    #expect(world.rank == 0 && world.size == 1 && world.isRoot)
    var v: [Float] = [1, 2]
    try world.allreduceSum(&v)
    #expect(v == [1, 2])
    #expect(try world.gather([7, 8], root: 0) == [[7, 8]])
    #expect(Distributed.launchedSize(["OMPI_COMM_WORLD_SIZE": "4"]) == 4)
    #expect(Distributed.launchedSize(["PMI_SIZE": "3"]) == 3)
  }

  /// A build without the MPI trait launched by `mpirun -n 2` says so instead of training
  /// two independent copies.
  @Test(.enabled(if: !Distributed.isAvailable)) func launchedRanksNeedTheMPIBuild() {
    #expect(throws: DistributedError.notBuilt(ranks: 2)) {
      try Distributed.world(environment: ["OMPI_COMM_WORLD_SIZE": "2"])
    }
    #expect(DistributedError.notBuilt(ranks: 2).description.contains("--traits MPI"))
    // One rank under mpirun is just one process.
    #expect((try? Distributed.world(environment: ["OMPI_COMM_WORLD_SIZE": "1"]))?.size == 1)
  }

  @Test func singleProcessCommandsAreRefusedUnderSeveralRanks() {
    let env = ["OMPI_COMM_WORLD_SIZE": "2"]
    let r = Distributed.refusal(arguments: ["compare", "--base", "vgg16"], environment: env)
    #expect(r == .singleProcess(command: "compare", ranks: 2))
    #expect(r?.description.contains("without mpirun") == true)
    #expect(Distributed.refusal(arguments: ["cache", "--out", "f.h5"], environment: env) == nil)
    #expect(Distributed.refusal(arguments: ["--base", "vgg16"], environment: env) == nil)
    #expect(Distributed.refusal(arguments: ["compare"], environment: [:]) == nil)
  }
}
