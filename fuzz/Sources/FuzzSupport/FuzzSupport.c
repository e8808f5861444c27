#include "FuzzSupport.h"

int ftune_fuzz_main(int argc, char **argv, ftune_fuzz_callback callback) {
  return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
