#ifndef FTUNE_CODECS_INTERNAL_H
#define FTUNE_CODECS_INTERNAL_H
#include "image_codecs.h"

/// Writes a formatted one-line message into a FTUNE_CODEC_MESSAGE_CAPACITY buffer (may be NULL).
void ftune_codec_message(char *message, const char *format, ...);

/// EXIF orientation (1...8) from the payload of an APP1 marker; 1 when absent or malformed.
int ftune_exif_orientation(const uint8_t *data, size_t size);

#endif
