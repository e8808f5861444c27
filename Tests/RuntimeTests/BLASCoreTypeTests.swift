import Testing

@testable import Runtime

/// The OpenBLAS core-type policy: explicit override, then the user's OPENBLAS_CORETYPE,
/// then CPU features.
@Suite struct BLASCoreTypeTests {
  static let zen5: Set<String> = ["sse2", "avx2", "fma", "avx512f", "avx512bw", "avx512dq",
    "avx512vl"]
  static let zen1: Set<String> = ["sse2", "avx", "avx2", "fma"]

  @Test func featuresPickTheWidestKernels() {
    #expect(BLASCoreType.preferred(cpuFlags: Self.zen5) == "SkylakeX")
    #expect(BLASCoreType.preferred(cpuFlags: Self.zen1) == "Haswell")
    #expect(BLASCoreType.preferred(cpuFlags: ["avx512f", "avx2"]) == nil)  // no FMA, no BW
    #expect(BLASCoreType.preferred(cpuFlags: []) == nil)
  }

  @Test func userSettingIsKeptUnlessOverridden() {
    // A weaker pinned type on an AVX-512 CPU is upgraded; `keep` honours it.
    #expect(BLASCoreType.decide(override: nil, userCoreType: "Haswell", cpuFlags: Self.zen5)
      == "SkylakeX")
    #expect(BLASCoreType.decide(override: nil, userCoreType: "ZEN", cpuFlags: Self.zen5)
      == "SkylakeX")
    #expect(BLASCoreType.decide(override: "keep", userCoreType: "Haswell", cpuFlags: Self.zen5)
      == nil)
    // Kept: the same type on an AVX2 CPU, an AVX-512 type, and a non-x86 name.
    #expect(BLASCoreType.decide(override: nil, userCoreType: "Haswell", cpuFlags: Self.zen1)
      == nil)
    #expect(BLASCoreType.decide(override: nil, userCoreType: "Cooperlake", cpuFlags: Self.zen5)
      == nil)
    #expect(BLASCoreType.decide(override: nil, userCoreType: "Zen", cpuFlags: Self.zen1)
      == nil)
    #expect(BLASCoreType.decide(override: nil, userCoreType: nil, cpuFlags: Self.zen5)
      == "SkylakeX")
    #expect(BLASCoreType.decide(override: "auto", userCoreType: "Haswell", cpuFlags: Self.zen5)
      == "SkylakeX")
    #expect(BLASCoreType.decide(override: "Zen", userCoreType: "Haswell", cpuFlags: Self.zen5)
      == "Zen")
    #expect(BLASCoreType.decide(override: "keep", userCoreType: nil, cpuFlags: Self.zen5)
      == nil)
  }

  @Test func readsThisMachinesFlags() {
    #if os(Linux) && arch(x86_64)
      #expect(BLASCoreType.cpuFlags().contains("sse2"))
    #endif
  }
}
