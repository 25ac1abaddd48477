// Parsing text protos (configs, golden files) with errors that name
// "FILE:LINE:COLUMN: what is wrong"; an unknown field is an error.
#ifndef MONOSEM_TEXTPROTO_H_
#define MONOSEM_TEXTPROTO_H_

#include <google/protobuf/message.h>

#include <string>

#include "absl/status/status.h"

namespace monosem {

// Parses `text` into `message`. On failure returns InvalidArgument whose
// message is the first error at its (1-based) line and column in `filename`.
absl::Status ParseTextProto(const std::string& text, const std::string& filename,
                            google::protobuf::Message* message);

}  // namespace monosem

#endif  // MONOSEM_TEXTPROTO_H_
