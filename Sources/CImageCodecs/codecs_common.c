#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "codecs_internal.h"

int ftune_codecs_version(void) { return 2; }

void ftune_codecs_free(void *pointer) { free(pointer); }

void ftune_codec_message(char *message, const char *format, ...) {
  if (message == NULL) return;
  va_list args;
  va_start(args, format);
  vsnprintf(message, FTUNE_CODEC_MESSAGE_CAPACITY, format, args);
  va_end(args);
}
