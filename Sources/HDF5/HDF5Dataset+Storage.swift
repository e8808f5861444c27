import CHDF5

extension HDF5Dataset {
  /// Refuses a dataset whose values live outside the file (see `HDF5Trust`): external
  /// storage, a virtual dataset, or a filter that libhdf5 does not build in and would look
  /// for as a plugin on disk.
  func requireDataInFile() throws {
    let dcpl = H5Dget_create_plist(id)
    guard dcpl >= 0 else { throw failed("read the layout of") }
    defer { H5Pclose(dcpl) }
    if H5Pget_layout(dcpl) == H5D_VIRTUAL {
      var name = [CChar](repeating: 0, count: 1024)
      H5Pget_virtual_filename(dcpl, 0, &name, name.count)
      throw outside("is a virtual dataset whose values come from '\(cString(name))'")
    }
    if H5Pget_external_count(dcpl) > 0 {
      var name = [CChar](repeating: 0, count: 1024)
      var offset = off_t(0)
      var size = hsize_t(0)
      H5Pget_external(dcpl, 0, name.count, &name, &offset, &size)
      throw outside("keeps its values in the external file '\(cString(name))'")
    }
    for i in 0..<UInt32(max(H5Pget_nfilters(dcpl), 0)) {
      var flags = UInt32(0), values = 0, config = UInt32(0)
      var name = [CChar](repeating: 0, count: 256)
      let filter = H5Pget_filter2(dcpl, i, &flags, &values, nil, name.count, &name, &config)
      guard HDF5Trust.builtInFilters[filter] != nil else {
        throw outside(
          "is compressed with filter \(filter) ('\(cString(name))'), which libhdf5"
            + " would load as a plugin from disk")
      }
    }
  }

  private func outside(_ what: String) -> HDF5Error {
    .outsideData(file: file.path, object: path, what: what)
  }
}

/// The text of a NUL-terminated C buffer that libhdf5 filled.
func cString(_ buffer: [CChar]) -> String {
  let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
  return String(decoding: bytes, as: UTF8.self)
}
