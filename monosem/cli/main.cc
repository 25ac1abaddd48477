#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "monosem/cli/cli.h"

int main(int argc, char** argv) {
  // OpenMP threads that wait for work sleep rather than spin, unless the user
  // chose otherwise. The training loops open several short parallel regions
  // per step; on a shared 2-core machine a spinning thread burns the core its
  // descheduled partner needs (measured on the toy suite --quick at load
  // average 10: 87 s wall / 42 s user spinning vs 11 s / 5.7 s passive).
  // libgomp reads the variable when it loads, so set it and re-execute once.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: carry on as is
  }
  return monosem::MonosemMain(argc, argv, std::cout, std::cerr);
}
