import ImageIO

// Decodes arbitrary bytes as an image. Every failure must be a thrown ImageError; a crash,
// hang, leak or sanitizer report is a finding. The pixel limit is lowered from Pillow's
// default so a header declaring a legitimately huge (allowed) image does not trip the
// fuzzer's memory limit: the limit itself is what guards against decompression bombs.
private let options = DecodeOptions(maxPixels: 1 << 22)

func fuzzOne(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
  let bytes = [UInt8](input)
  _ = try? Image.decode(bytes: bytes, name: "fuzz-input", options: options)
  return 0
}
