import FuzzSupport
import Foundation

// libFuzzer runs `fuzzOne` (Harness.swift) on each input, with this process's arguments.
exit(ftune_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
  fuzzOne(UnsafeBufferPointer(start: data, count: size))
})
