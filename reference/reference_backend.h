// The reference backend: the specification. Plain loops, double accumulation,
// no tricks; its speed does not matter, its obviousness does.
#ifndef MONOSEM_REFERENCE_REFERENCE_BACKEND_H_
#define MONOSEM_REFERENCE_REFERENCE_BACKEND_H_

#include "monosem/backend.h"

namespace monosem {

class ReferenceBackend : public Backend {
 public:
  std::string name() const override { return "reference"; }

 protected:
  MONOSEM_BACKEND_KERNEL_OVERRIDES;
};

}  // namespace monosem

#endif  // MONOSEM_REFERENCE_REFERENCE_BACKEND_H_
