// PNG decoding and encoding with libpng. libpng reports errors through a callback that must
// not return; ours records the message and longjmps to the caller's setjmp.
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "codecs_internal.h"

typedef struct {
  const uint8_t *data;
  size_t size;
  size_t offset;
} memory_reader;

typedef struct {
  uint8_t *data;
  size_t size;
  size_t capacity;
  int failed;
} memory_writer;

static void on_png_error(png_structp png, png_const_charp text) {
  char *message = png_get_error_ptr(png);
  ftune_codec_message(message, "%s", text);
  png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;
}

static void read_from_memory(png_structp png, png_bytep target, png_size_t count) {
  memory_reader *reader = png_get_io_ptr(png);
  if (reader->size - reader->offset < count) {
    png_error(png, "file is truncated");
  }
  memcpy(target, reader->data + reader->offset, count);
  reader->offset += count;
}

ftune_codec_status ftune_decode_png(const uint8_t *data, size_t size, uint64_t max_pixels,
                                    ftune_decoded_image *out, char *message) {
  memset(out, 0, sizeof(*out));
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
    ftune_codec_message(message, "not a PNG file (no PNG signature)");
    return FTUNE_CODEC_NOT_IMAGE;
  }
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, message, on_png_error,
                                           on_png_warning);
  if (png == NULL) {
    ftune_codec_message(message, "out of memory");
    return FTUNE_CODEC_NO_MEMORY;
  }
  png_infop info = png_create_info_struct(png);
  // volatile: assigned after setjmp and read after a longjmp back here.
  uint8_t *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  volatile ftune_codec_status failure = FTUNE_CODEC_CORRUPT;
  if (info == NULL) {
    png_destroy_read_struct(&png, NULL, NULL);
    ftune_codec_message(message, "out of memory");
    return FTUNE_CODEC_NO_MEMORY;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, NULL);
    free(pixels);
    free(rows);
    return failure;
  }
  memory_reader reader = {data, size, 0};
  png_set_read_fn(png, &reader, read_from_memory);
  png_read_info(png, info);

  png_uint_32 width = png_get_image_width(png, info);
  png_uint_32 height = png_get_image_height(png, info);
  if (max_pixels > 0 && (uint64_t)width * (uint64_t)height > max_pixels) {
    ftune_codec_message(message, "%ux%u pixels exceed the limit of %llu pixels",
                        (unsigned)width, (unsigned)height, (unsigned long long)max_pixels);
    png_destroy_read_struct(&png, &info, NULL);
    return FTUNE_CODEC_TOO_LARGE;
  }
  int color_type = png_get_color_type(png, info);
  int has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS);
  // Expand palette and 1/2/4-bit grey to 8 bits, tRNS to an alpha channel; keep the high byte
  // of 16-bit samples; grey to RGB.
  png_set_expand(png);
  png_set_strip_16(png);
  if (!(color_type & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  int channels = png_get_channels(png, info);
  if (channels != (has_alpha ? 4 : 3)) {
    failure = FTUNE_CODEC_UNSUPPORTED;
    png_error(png, "unexpected channel layout after expansion");
  }
  size_t stride = (size_t)width * (size_t)channels;
  pixels = malloc(stride * height);
  rows = malloc(sizeof(png_bytep) * height);
  if (pixels == NULL || rows == NULL) {
    failure = FTUNE_CODEC_NO_MEMORY;
    png_error(png, "out of memory for the pixels");
  }
  for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + y * stride;
  png_read_image(png, rows);
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  free(rows);
  out->pixels = pixels;
  out->width = (int)width;
  out->height = (int)height;
  out->channels = channels;
  out->orientation = 1;
  return FTUNE_CODEC_OK;
}

static void write_to_memory(png_structp png, png_bytep source, png_size_t count) {
  memory_writer *writer = png_get_io_ptr(png);
  if (writer->capacity - writer->size < count) {
    size_t capacity = writer->capacity * 2 + count + 4096;
    uint8_t *grown = realloc(writer->data, capacity);
    if (grown == NULL) {
      writer->failed = 1;
      png_error(png, "out of memory while encoding");
    }
    writer->data = grown;
    writer->capacity = capacity;
  }
  memcpy(writer->data + writer->size, source, count);
  writer->size += count;
}

static void flush_memory(png_structp png) { (void)png; }

ftune_codec_status ftune_encode_png(const uint8_t *pixels, int width, int height, int channels,
                                    uint8_t **out_data, size_t *out_size, char *message) {
  *out_data = NULL;
  *out_size = 0;
  int color_type;
  switch (channels) {
  case 1: color_type = PNG_COLOR_TYPE_GRAY; break;
  case 3: color_type = PNG_COLOR_TYPE_RGB; break;
  case 4: color_type = PNG_COLOR_TYPE_RGB_ALPHA; break;
  default:
    ftune_codec_message(message, "cannot encode %d channels as PNG (use 1, 3 or 4)", channels);
    return FTUNE_CODEC_UNSUPPORTED;
  }
  if (width <= 0 || height <= 0) {
    ftune_codec_message(message, "cannot encode an empty %dx%d image", width, height);
    return FTUNE_CODEC_UNSUPPORTED;
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, message, on_png_error,
                                            on_png_warning);
  if (png == NULL) return FTUNE_CODEC_NO_MEMORY;
  png_infop info = png_create_info_struct(png);
  memory_writer writer = {NULL, 0, 0, 0};
  if (info == NULL) {
    png_destroy_write_struct(&png, NULL);
    return FTUNE_CODEC_NO_MEMORY;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    free(writer.data);
    return writer.failed ? FTUNE_CODEC_NO_MEMORY : FTUNE_CODEC_CORRUPT;
  }
  png_set_write_fn(png, &writer, write_to_memory, flush_memory);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, color_type,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  size_t stride = (size_t)width * (size_t)channels;
  for (int y = 0; y < height; y++) {
    png_write_row(png, (png_const_bytep)(pixels + (size_t)y * stride));
  }
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  *out_data = writer.data;
  *out_size = writer.size;
  return FTUNE_CODEC_OK;
}
