#ifndef FTUNE_FUZZ_SUPPORT_H
#define FTUNE_FUZZ_SUPPORT_H
// libFuzzer's driver, called from each harness's main.swift. SwiftPM renames an executable
// target's entry point (`<Module>_main`), so libFuzzer's own `main` cannot be used; the
// harness's main hands its callback to the driver instead.
#include <stddef.h>
#include <stdint.h>

/// One input: return 0 (non-zero values are reserved by libFuzzer).
typedef int (*ftune_fuzz_callback)(const uint8_t *data, size_t size);

/// Runs libFuzzer with the process's arguments (`-max_total_time=…`, corpus directories…).
int LLVMFuzzerRunDriver(int *argc, char ***argv, ftune_fuzz_callback callback);

/// Runs libFuzzer on `callback` with the process's arguments; returns its exit status.
int ftune_fuzz_main(int argc, char **argv, ftune_fuzz_callback callback);

#endif
