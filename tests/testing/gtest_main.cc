// GoogleTest main for every test binary (Debian's libgtest_main is static and
// built without -fPIC-friendly flags we control, so we keep our own).
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
