/// An 8-bit sRGB colour.
public struct RGB: Sendable, Equatable, Hashable, CustomStringConvertible {
  /// Red, 0-255.
  public var r: UInt8
  /// Green, 0-255.
  public var g: UInt8
  /// Blue, 0-255.
  public var b: UInt8

  /// A colour from its red, green and blue components.
  public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// A colour from `0xRRGGBB`.
  public init(hex: UInt32) {
    self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
  }

  /// `RGB(r, g, b)`.
  public var description: String { "RGB(\(r), \(g), \(b))" }

  /// Canvas background.
  public static let white = RGB(255, 255, 255)
  /// Titles, labels, error bars.
  public static let black = RGB(0, 0, 0)
  /// Grid lines and frames that should recede behind the data.
  public static let lightGray = RGB(225, 225, 225)
  /// Legend frames.
  public static let gray = RGB(128, 128, 128)
  /// Plot frames, ticks and tick labels.
  public static let darkGray = RGB(64, 64, 64)

  /// `self` mixed towards `other` by `t` in [0, 1] (0 = self, 1 = other).
  public func mixed(with other: RGB, _ t: Double) -> RGB {
    let t = min(max(t, 0), 1)
    func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
      UInt8((Double(a) * (1 - t) + Double(b) * t).rounded())
    }
    return RGB(mix(r, other.r), mix(g, other.g), mix(b, other.b))
  }

  /// Relative luminance in [0, 1] (Rec. 709 weights on the 8-bit values); used to pick
  /// black or white text over a filled cell.
  public var luminance: Double {
    (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
  }
}

/// Colours assigned to series in order. The first ten are matplotlib's "tab10", so the
/// plots look familiar to anyone who has seen Keras training curves.
public enum Palette {
  /// matplotlib's ten categorical colours, in its order.
  public static let tab10: [RGB] = [
    RGB(hex: 0x1F77B4), RGB(hex: 0xFF7F0E), RGB(hex: 0x2CA02C), RGB(hex: 0xD62728),
    RGB(hex: 0x9467BD), RGB(hex: 0x8C564B), RGB(hex: 0xE377C2), RGB(hex: 0x7F7F7F),
    RGB(hex: 0xBCBD22), RGB(hex: 0x17BECF),
  ]

  /// The colour of series number `index` (wraps around after ten).
  public static func color(_ index: Int) -> RGB {
    tab10[((index % tab10.count) + tab10.count) % tab10.count]
  }

  /// A sequential white-to-blue map for heat maps; `t` is clamped to [0, 1].
  public static func blues(_ t: Double) -> RGB {
    // Three stops (white, mid blue, dark blue) approximate matplotlib's "Blues".
    let light = RGB(hex: 0xF7FBFF)
    let mid = RGB(hex: 0x6BAED6)
    let dark = RGB(hex: 0x08306B)
    let t = min(max(t.isFinite ? t : 0, 0), 1)
    return t < 0.5 ? light.mixed(with: mid, t * 2) : mid.mixed(with: dark, (t - 0.5) * 2)
  }
}
