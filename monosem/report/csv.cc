#include "monosem/report/csv.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "monosem/io/file_io.h"
#include "monosem/status.h"

namespace monosem::report {

absl::StatusOr<CsvTable> CsvTable::Read(const std::string& path) {
  MONOSEM_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return Parse(text, path);
}

absl::StatusOr<CsvTable> CsvTable::Parse(const std::string& text, const std::string& path) {
  CsvTable t;
  t.path_ = path;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripSuffix(line, "\r");
    // "#" lines are comments (the density histograms say their window there).
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (t.header_.empty()) {
      t.header_ = std::move(fields);
      continue;
    }
    if (fields.size() != t.header_.size()) {
      return absl::DataLossError(absl::StrCat(path, ":", line_no, ": ", fields.size(),
                                              " fields, the header has ", t.header_.size()));
    }
    t.rows_.push_back(std::move(fields));
  }
  if (t.header_.empty()) return absl::DataLossError(absl::StrCat(path, ": empty file (no header)"));
  return t;
}

int CsvTable::Index(const std::string& column) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == column) return static_cast<int>(i);
  }
  return -1;
}

double CsvTable::Number(size_t row, int column) const {
  const std::string& s = rows_[row][column];
  if (s.empty()) return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end != nullptr && *end == '\0' ? v : std::numeric_limits<double>::quiet_NaN();
}

absl::Status CsvTable::Require(const std::vector<std::string>& columns) const {
  for (const std::string& c : columns) {
    if (!Has(c)) return absl::DataLossError(absl::StrCat(path_, ": no column '", c, "'"));
  }
  return absl::OkStatus();
}

}  // namespace monosem::report
