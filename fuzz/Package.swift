// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for ftune's file readers: opt-in, never part of `make test` or CI.
// Build and run them with tools/fuzz/run.sh, which passes -sanitize=fuzzer,address.
// Each harness is a `fuzzOne(input)` plus a main.swift handing it to libFuzzer's driver.
//
// `ftune` is a symlink to the repository root: SwiftPM names a path dependency after its
// directory, and the root's own directory name (a worktree, a clone) is not fixed.

/// A harness: an executable with libFuzzer's driver and the readers it feeds.
func harness(_ name: String) -> Target {
  .executableTarget(
    name: name, dependencies: ["FuzzSupport", .product(name: "FTuneReaders", package: "ftune")])
}

let package = Package(
  name: "ftune-fuzz",
  platforms: [.macOS(.v14)],
  dependencies: [.package(path: "ftune")],
  targets: [
    .target(name: "FuzzSupport"),
    harness("FuzzJPEG"),
    harness("FuzzPNG"),
    harness("FuzzHDF5"),
    harness("FuzzModelConfig"),
    harness("FuzzTorch"),
  ]
)
