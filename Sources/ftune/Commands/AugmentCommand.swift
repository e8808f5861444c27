import ArgumentParser
import Augment
import ImageIO

/// `ftune augment IMAGE... --ops flip,crop,color,pca --count 8 --seed 1 --out DIR
/// [--preview grid.png]`: see what the training augmentation does to your images.
struct AugmentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "augment",
    abstract: "Write augmented variants of images (PNG) and an optional contact sheet.",
    discussion: """
      Example: ftune augment photos/cat.jpg --ops flip,crop,pca --count 8 --preview sheet.png
      Ops (comma-separated, applied in order): \(AugmentSpec.known.joined(separator: ", ")).
      Variants are numbered 1...count like epochs: variant k of image i is what \
      `ftune train --augment OPS --seed S` feeds for its i-th training image in epoch k \
      (same --seed, --ops and --size as the network's input side).
      """)

  @Argument(help: "JPEG or PNG images to augment.")
  var images: [String]

  @Option(help: "Augmentations, e.g. flip,crop,color,pca.")
  var ops = "flip,crop,color,pca"

  @Option(help: "Variants per image.")
  var count = 8

  @Option(help: "Random seed.")
  var seed: UInt64 = 0

  @Option(help: "Output side length in pixels.")
  var size = 224

  @Option(help: "Directory for the variant PNGs.")
  var out = "augmented"

  @Option(help: "Also write a contact sheet (original + variants per row) to this PNG.")
  var preview: String?

  @Option(help: "Colour statistics JSON for pca (default: ImageNet's published values).")
  var pcaStats: String?

  func validate() throws {
    if count < 1 { throw ValidationError("--count must be at least 1") }
    if size < 1 { throw ValidationError("--size must be positive") }
    if images.isEmpty { throw ValidationError("give at least one IMAGE") }
  }

  func run() throws {
    let statistics = try pcaStats.map { try ColorStatistics.read(from: $0) } ?? .imagenet
    let job = AugmentPreview(
      images: images, ops: ops, count: count, seed: seed, size: size, outputDirectory: out,
      previewPath: preview, statistics: statistics)
    // Library errors describe themselves (file, option, what to do); ArgumentParser prints
    // them as "Error: <description>" with a non-zero exit status.
    let written = try job.run()
    print("wrote \(written.count) files to \(out)\(preview.map { " and \($0)" } ?? "")")
  }
}
