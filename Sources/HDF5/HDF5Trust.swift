/// Whether an HDF5 file may make ftune read bytes from outside it.
///
/// HDF5 lets a file keep a dataset's values in other files (external storage, virtual
/// datasets), link a group to another file (external links), and name compression filters
/// that libhdf5 would load as plugins from disk. A model file from a stranger could then make
/// ftune read — and `ftune export` copy into a model the user shares — any file on the
/// machine. By default (`fileOnly`) all of these are refused with an error naming the object;
/// only the filters built into libhdf5 (deflate, shuffle, fletcher32, szip, n-bit,
/// scale-offset) are read, as they need no code or data from elsewhere.
public struct HDF5Trust: Sendable, Equatable {
  /// Follow external storage, external links, virtual datasets and any filter.
  public var allowsOutsideData: Bool

  public init(allowsOutsideData: Bool) { self.allowsOutsideData = allowsOutsideData }

  public static let fileOnly = HDF5Trust(allowsOutsideData: false)
  public static let allowingOutsideData = HDF5Trust(allowsOutsideData: true)

  /// The filters libhdf5 implements itself (H5Zpublic.h: H5Z_FILTER_DEFLATE ... SCALEOFFSET).
  static let builtInFilters: [Int32: String] = [
    1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset",
  ]
}
