import Foundation
import ImageIO
import TensorCore

/// A contact sheet of image files with caption lines under each (the top-losses sheet's
/// layout: 4 per row, first line bold, third red), for lists such as `ftune doctor`'s
/// suspected label errors and duplicate pairs. A file that cannot be read shows as a grey cell.
public enum CaptionedSheet {
  public static func render(paths: [String], lines: [[String]], cell: Int = 160) throws -> Canvas {
    var thumbs = [Image?](repeating: nil, count: paths.count)
    thumbs.withUnsafeMutableBufferPointer { out in
      Parallel.forEach(paths.count) { i in
        out[i] = try? ClassificationReport.thumbnail(Image.decode(file: paths[i]), fit: cell)
      }
    }
    return try TopLossesSheet.render(
      tiles: paths.indices.map { (thumbs[$0], $0 < lines.count ? lines[$0] : []) }, cell: cell)
  }
}
