// JPEG decoding with libjpeg-turbo. libjpeg reports fatal errors by calling error_exit, which
// by default prints and exits; ours longjmps back with the formatted message instead.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>
#include "codecs_internal.h"

typedef struct {
  struct jpeg_error_mgr base;
  jmp_buf jump;
  char *message;
} error_manager;

static void on_error_exit(j_common_ptr cinfo) {
  error_manager *errors = (error_manager *)cinfo->err;
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  ftune_codec_message(errors->message, "%s", text);
  longjmp(errors->jump, 1);
}

// Warnings are silent, except running out of data: libjpeg would pad a truncated file with
// grey and call it a success, which would hide a damaged file from the user.
static void on_emit_message(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
    on_error_exit(cinfo);
  }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

// Pillow's CMYK -> RGB: each channel is (255 - C) * (255 - K) / 255. Adobe files store the
// inks inverted, which libjpeg hands back unchanged.
static void cmyk_row_to_rgb(const uint8_t *cmyk, uint8_t *rgb, int width, int inverted) {
  for (int x = 0; x < width; x++) {
    int c = cmyk[4 * x], m = cmyk[4 * x + 1], y = cmyk[4 * x + 2], k = cmyk[4 * x + 3];
    if (!inverted) {
      c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
    }
    rgb[3 * x] = (uint8_t)((c * k + 127) / 255);
    rgb[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
    rgb[3 * x + 2] = (uint8_t)((y * k + 127) / 255);
  }
}

ftune_codec_status ftune_decode_jpeg(const uint8_t *data, size_t size, uint64_t max_pixels,
                                     ftune_decoded_image *out, char *message) {
  memset(out, 0, sizeof(*out));
  if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
    ftune_codec_message(message, "not a JPEG file (no SOI marker)");
    return FTUNE_CODEC_NOT_IMAGE;
  }
  struct jpeg_decompress_struct cinfo;
  error_manager errors;
  // volatile: these change between setjmp and a longjmp back into this frame.
  uint8_t *volatile pixels = NULL;
  uint8_t *volatile row = NULL;
  volatile ftune_codec_status failure = FTUNE_CODEC_CORRUPT;
  cinfo.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_error_exit;
  errors.base.emit_message = on_emit_message;
  errors.base.output_message = on_output_message;
  errors.message = message;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&cinfo);
    free(pixels);
    free(row);
    return failure;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, (unsigned long)size);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&cinfo, TRUE);

  uint64_t count = (uint64_t)cinfo.image_width * (uint64_t)cinfo.image_height;
  if (max_pixels > 0 && count > max_pixels) {
    ftune_codec_message(message, "%ux%u pixels exceed the limit of %llu pixels",
                        cinfo.image_width, cinfo.image_height, (unsigned long long)max_pixels);
    jpeg_destroy_decompress(&cinfo);
    return FTUNE_CODEC_TOO_LARGE;
  }
  int orientation = 1;
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != NULL; m = m->next) {
    if (m->marker == JPEG_APP0 + 1) {
      orientation = ftune_exif_orientation(m->data, m->data_length);
      if (orientation != 1) break;
    }
  }
  int cmyk = 0;
  switch (cinfo.jpeg_color_space) {
  case JCS_GRAYSCALE: case JCS_YCbCr: case JCS_RGB:
    cinfo.out_color_space = JCS_RGB;
    break;
  case JCS_CMYK: case JCS_YCCK:
    cinfo.out_color_space = JCS_CMYK;
    cmyk = 1;
    break;
  default:
    ftune_codec_message(message, "unsupported JPEG colour space %d", (int)cinfo.jpeg_color_space);
    jpeg_destroy_decompress(&cinfo);
    return FTUNE_CODEC_UNSUPPORTED;
  }
  jpeg_start_decompress(&cinfo);
  size_t width = cinfo.output_width, height = cinfo.output_height;
  pixels = malloc(width * height * 3);
  if (cmyk) row = malloc(width * 4);
  if (pixels == NULL || (cmyk && row == NULL)) {
    failure = FTUNE_CODEC_NO_MEMORY;
    ftune_codec_message(message, "out of memory for %zux%zu pixels", width, height);
    longjmp(errors.jump, 1);
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    uint8_t *target = pixels + (size_t)cinfo.output_scanline * width * 3;
    JSAMPROW rows[1] = {cmyk ? row : target};
    jpeg_read_scanlines(&cinfo, rows, 1);
    if (cmyk) cmyk_row_to_rgb(row, target, (int)width, cinfo.saw_Adobe_marker);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  free(row);
  out->pixels = pixels;
  out->width = (int)width;
  out->height = (int)height;
  out->channels = 3;
  out->orientation = orientation;
  return FTUNE_CODEC_OK;
}
