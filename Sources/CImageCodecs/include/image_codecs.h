#ifndef FTUNE_IMAGE_CODECS_H
#define FTUNE_IMAGE_CODECS_H
// JPEG (libjpeg-turbo) and PNG (libpng) behind setjmp error paths: a bad file returns a
// status and a message, the process never exits and nothing is printed.
//
// Memory: a successful decode or encode hands back a buffer allocated with malloc; release
// it with ftune_codecs_free. On failure nothing is allocated.
#include <stddef.h>
#include <stdint.h>

/// Codec ABI version.
int ftune_codecs_version(void);

/// Outcome of a decode or encode call.
typedef enum {
  FTUNE_CODEC_OK = 0,
  /// The bytes are not a JPEG/PNG at all (wrong signature, empty input).
  FTUNE_CODEC_NOT_IMAGE = 1,
  /// The file starts like an image but is damaged or cut short.
  FTUNE_CODEC_CORRUPT = 2,
  /// width * height exceeds the caller's pixel limit; refused before allocating pixels.
  FTUNE_CODEC_TOO_LARGE = 3,
  /// A valid file in a form we do not decode (e.g. an unknown colour space).
  FTUNE_CODEC_UNSUPPORTED = 4,
  /// Allocation failed.
  FTUNE_CODEC_NO_MEMORY = 5
} ftune_codec_status;

/// A decoded image: interleaved 8-bit samples, row-major, `channels` per pixel
/// (3 = RGB, 4 = RGBA with straight, non-premultiplied alpha).
typedef struct {
  uint8_t *pixels;
  int width;
  int height;
  int channels;
  /// EXIF orientation 1...8 (1 = upright; also when absent). Not applied by the decoder.
  int orientation;
} ftune_decoded_image;

/// Size of the message buffers callers pass in.
#define FTUNE_CODEC_MESSAGE_CAPACITY 256

/// Decodes a JPEG to RGB (grayscale expanded, CMYK/YCCK converted like Pillow does).
/// `max_pixels` = 0 means no limit. On failure `message` holds a one-line reason.
ftune_codec_status ftune_decode_jpeg(const uint8_t *data, size_t size, uint64_t max_pixels,
                                     ftune_decoded_image *out, char *message);

/// Decodes a PNG to RGB, or RGBA when the file has alpha or a tRNS chunk. Palette and
/// low-bit grayscale are expanded; 16-bit samples keep their high byte (as Pillow does for RGB).
ftune_codec_status ftune_decode_png(const uint8_t *data, size_t size, uint64_t max_pixels,
                                    ftune_decoded_image *out, char *message);

/// Encodes interleaved 8-bit pixels (`channels` 1 = gray, 3 = RGB, 4 = RGBA) as a PNG.
/// On success `*out_data` (malloc'd) holds `*out_size` bytes.
ftune_codec_status ftune_encode_png(const uint8_t *pixels, int width, int height, int channels,
                                    uint8_t **out_data, size_t *out_size, char *message);

/// Frees a buffer returned by this library (decoded pixels or encoded bytes).
void ftune_codecs_free(void *pointer);

#endif
