#pragma once

// FUZZ_CHECK(condition, what): the invariant a fuzz target asserts. On failure prints `what` and
// the failed condition and aborts, which libFuzzer (and the regression driver) report as a crash
// of the current input. Unlike assert() it stays on in builds with NDEBUG.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                        \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__, what, \
                   #condition);                                                            \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)
