// swift-tools-version:6.1
import PackageDescription

// Targets in dependency order, as docs/architecture.md draws them: C libraries at the bottom,
// the CLI on top. A target depends only on targets declared above it (downwards only), and
// declares every target it imports, no more.
let package = Package(
  name: "ftune",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "ftune", targets: ["ftune"]),
    // The file readers, for the opt-in libFuzzer harnesses in fuzz/ (tools/fuzz/run.sh).
    .library(name: "FTuneReaders", targets: ["ImageIO", "HDF5", "KerasIO", "TorchIO"]),
  ],
  // `swift build --traits MPI` links OpenMPI (libopenmpi-dev) for `mpirun -n P ftune ...`;
  // the default build needs no MPI at all.
  traits: [
    .trait(name: "MPI", description: "Data-parallel training and sharded caching over MPI")
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
  ],
  targets: [
    // System libraries. The headers add static inline shims for macros Swift cannot import.
    .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
    // libcrypto: the SHA-256/MD5 checks Keras makes of downloaded weight files.
    .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
    // libjpeg/libpng need setjmp error paths, which only C can host.
    .target(
      name: "CImageCodecs",
      linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]
    ),

    // SIMD kernels (depthwise conv, fused affine+clamp), each built for AVX-512 and AVX2 with
    // function target attributes and picked at run time: Swift cannot do per-function ISAs.
    .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
    // glibc's mallopt (malloc.h is not visible to Swift's Glibc module), for AllocatorTuning.
    .target(name: "CAllocator"),

    // Process plumbing: atomic files, Ctrl-C/SIGTERM, the OpenBLAS core-type re-exec, malloc
    // tuning, fault injection for the tests. Knows nothing of tensors.
    .target(name: "Runtime", dependencies: ["CAllocator"]),
    // The Tensor type and what every kernel shares: pools, the seeded RNG, ActivationKind,
    // Parallel and the kernel ISA (CKernels: the forced ISA is C state).
    .target(name: "TensorCore", dependencies: ["CKernels"]),
    // The kernels over Tensor (GEMM, im2col, convolution with its one selector, Winograd,
    // depthwise, pointwise, pooling, BatchNorm), wrapping the C ones.
    .target(name: "Kernels", dependencies: ["TensorCore", "CBLAS", "CKernels"]),
    // Zip archives read with every offset bounded (.pth, .keras): damaged files throw.
    .target(name: "Archive"),
    .target(name: "Layers", dependencies: ["Kernels", "TensorCore"]),
    // Graphs, the zoo (with the input preprocessing its weights expect), the execution plan.
    .target(name: "Models", dependencies: ["Layers", "Kernels", "TensorCore", "Runtime"]),
    // The libhdf5 wrapper: typed errors, atomic writes, damaged files refused before libhdf5
    // reads them. Keras weights and feature files both use it.
    .target(name: "HDF5", dependencies: ["CHDF5", "TensorCore", "Runtime"]),
    .target(
      name: "KerasIO",
      dependencies: ["HDF5", "Archive", "Models", "Layers", "TensorCore"]
    ),
    // PyTorch checkpoints (.pth) without Python: a bounded pickle VM over Archive's zip reader.
    .target(name: "TorchIO", dependencies: ["Archive", "Models", "Layers", "TensorCore"]),
    .target(name: "ImageIO", dependencies: ["CImageCodecs", "TensorCore", "Runtime"]),
    .target(name: "Augment", dependencies: ["ImageIO", "TensorCore", "Runtime"]),
    // Image folders (classes, splits, bad-image policy) and the threaded batch loader over them.
    .target(
      name: "Dataset", dependencies: ["ImageIO", "Augment", "Models", "TensorCore", "Runtime"]),
    .target(
      name: "Features",
      dependencies: ["HDF5", "Models", "Layers", "ImageIO", "TensorCore", "Runtime"]),
    .target(name: "Training", dependencies: ["Layers", "Models", "TensorCore", "Runtime"]),
    .target(name: "Reports", dependencies: ["ImageIO", "TensorCore", "Runtime"]),
    // The transfer-learning workflow the commands drive: options and recipes, weights
    // resolution, train/cache/predict/export, the run directory. Tests reach it here.
    .target(
      name: "Workflow",
      dependencies: [
        "Runtime", "TensorCore", "Layers", "Models", "HDF5", "KerasIO", "ImageIO", "Augment",
        "Dataset", "Features", "Training", "Reports", "CCrypto", "Kernels",
        .product(name: "Yams", package: "Yams"),
        .target(name: "CMPI", condition: .when(traits: ["MPI"])),
      ]
    ),
    .executableTarget(
      name: "ftune",
      dependencies: [
        "Runtime", "TensorCore", "Kernels", "Layers", "Models", "HDF5", "KerasIO", "ImageIO",
        "Augment", "Dataset", "Features", "Training", "Reports", "Workflow", "TorchIO",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // Helpers shared by test targets: tiny image sets, running built binaries.
    .target(name: "TestSupport", dependencies: ["ImageIO"], path: "Tests/TestSupport"),
    .testTarget(name: "RuntimeTests", dependencies: ["Runtime"]),
    .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
    .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TensorCore"]),
    // Reads the .keras and .pth fixtures of KerasIOTests and TorchIOTests through #filePath.
    .testTarget(name: "ArchiveTests", dependencies: ["Archive"]),
    .testTarget(name: "LayersTests", dependencies: ["Layers", "Kernels", "TensorCore"]),
    .testTarget(
      name: "ModelsTests", dependencies: ["Models", "KerasIO", "Layers", "TensorCore"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "KerasIOTests", dependencies: ["KerasIO", "HDF5", "Models", "Layers", "TensorCore"],
      exclude: ["Fixtures"]),
    // Fixtures are read through #filePath, so they are not bundled as resources.
    .testTarget(
      name: "TorchIOTests",
      dependencies: ["TorchIO", "Models", "Layers", "ImageIO", "TensorCore"],
      exclude: ["Fixtures"]),
    .testTarget(name: "ImageIOTests", dependencies: ["ImageIO", "TensorCore"]),
    .testTarget(name: "AugmentTests", dependencies: ["Augment", "ImageIO", "TensorCore"]),
    .testTarget(name: "DatasetTests", dependencies: ["Dataset", "Augment", "ImageIO", "TensorCore"]),
    .testTarget(
      name: "FeaturesTests", dependencies: ["Features", "Models", "Layers", "TensorCore", "Runtime"]),
    .testTarget(
      name: "TrainingTests", dependencies: ["Training", "Models", "Layers", "TensorCore"],
      exclude: ["Fixtures"]),
    .testTarget(name: "ReportsTests", dependencies: ["Reports", "ImageIO"], exclude: ["Fixtures"]),
    .testTarget(
      name: "WorkflowTests",
      dependencies: [
        "Workflow", "Training", "Features", "Models", "KerasIO", "Layers", "ImageIO",
        "Augment", "Dataset", "Reports", "TensorCore", "TestSupport",
      ]),
    // Runs the built `ftune` binary as a user would: exit codes, messages, files written.
    // TestSupport writes the tiny PNG data sets the end-to-end tests train on.
    .testTarget(name: "CLITests", dependencies: ["ftune", "ImageIO", "TestSupport"]),
  ]
)
