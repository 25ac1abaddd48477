#include <iostream>

#include "monosem/cli/cli.h"

int main(int argc, char** argv) { return monosem::MonosemMain(argc, argv, std::cout, std::cerr); }
