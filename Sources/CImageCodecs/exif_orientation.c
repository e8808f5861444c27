// Reads the Orientation tag (0x0112) from IFD0 of an EXIF block. The block is untrusted: every
// offset is bounds-checked and anything unexpected means "upright".
#include <string.h>
#include "codecs_internal.h"

static unsigned read16(const uint8_t *p, int little) {
  return little ? (unsigned)(p[0] | (p[1] << 8)) : (unsigned)((p[0] << 8) | p[1]);
}

static uint32_t read32(const uint8_t *p, int little) {
  return little ? ((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                   ((uint32_t)p[3] << 24))
                : (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
                   (uint32_t)p[3]);
}

int ftune_exif_orientation(const uint8_t *data, size_t size) {
  // "Exif\0\0" then a TIFF header: byte order, 42, offset of IFD0.
  if (size < 6 + 8 || memcmp(data, "Exif\0\0", 6) != 0) return 1;
  const uint8_t *tiff = data + 6;
  size_t length = size - 6;
  int little;
  if (tiff[0] == 'I' && tiff[1] == 'I') little = 1;
  else if (tiff[0] == 'M' && tiff[1] == 'M') little = 0;
  else return 1;
  if (read16(tiff + 2, little) != 42) return 1;
  uint32_t ifd = read32(tiff + 4, little);
  if (ifd > length || length - ifd < 2) return 1;
  unsigned entries = read16(tiff + ifd, little);
  for (unsigned i = 0; i < entries; i++) {
    size_t entry = (size_t)ifd + 2 + (size_t)i * 12;
    if (entry + 12 > length) return 1;
    if (read16(tiff + entry, little) != 0x0112) continue;
    unsigned type = read16(tiff + entry + 2, little);
    if (type != 3) return 1;  // SHORT, value stored inline in the first two bytes
    unsigned value = read16(tiff + entry + 8, little);
    return (value >= 1 && value <= 8) ? (int)value : 1;
  }
  return 1;
}
