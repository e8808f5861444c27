#include "image_codecs.h"
int ftune_codecs_version(void) { return 1; }
