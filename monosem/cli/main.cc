#include <iostream>

#include "monosem/cli/cli.h"
#include "monosem/omp_env.h"

int main(int argc, char** argv) {
  monosem::EnsurePassiveOmpWait(argv);
  return monosem::MonosemMain(argc, argv, std::cout, std::cerr);
}
