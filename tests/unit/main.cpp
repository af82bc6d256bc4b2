// doctest's main for the unit-test binary; the tests live beside it, one file
// per part of the toolchain.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
