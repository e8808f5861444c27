#ifndef FTUNE_IMAGE_CODECS_H
#define FTUNE_IMAGE_CODECS_H
#include <stddef.h>
#include <stdint.h>

/// Placeholder until the ImageIO work lands: returns the codec ABI version.
int ftune_codecs_version(void);

#endif
