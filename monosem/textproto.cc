#include "monosem/textproto.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "absl/strings/str_cat.h"

namespace monosem {
namespace {

// Keeps the first error the text-format parser reports, with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  explicit FirstError(std::string filename) : filename_(std::move(filename)) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!message_.empty()) return;
    // The parser counts from 0; editors count from 1.
    message_ = absl::StrCat(filename_, ":", line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& message() const { return message_; }

 private:
  std::string filename_;
  std::string message_;
};

}  // namespace

absl::Status ParseTextProto(const std::string& text, const std::string& filename,
                            google::protobuf::Message* message) {
  FirstError errors(filename);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, message)) {
    return absl::InvalidArgumentError(errors.message().empty()
                                          ? absl::StrCat(filename, ": malformed text proto")
                                          : errors.message());
  }
  return absl::OkStatus();
}

}  // namespace monosem
