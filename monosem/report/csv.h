// The figure CSVs the suites write (plain comma-separated, a header line, no
// quoting: every field is a number or a short name). Read by column name so
// that a suite adding a column does not break the report.
#ifndef MONOSEM_REPORT_CSV_H_
#define MONOSEM_REPORT_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace monosem::report {

class CsvTable {
 public:
  // Errors name the file: unreadable, empty, a row whose field count differs
  // from the header's (with its line number).
  static absl::StatusOr<CsvTable> Read(const std::string& path);
  static absl::StatusOr<CsvTable> Parse(const std::string& text, const std::string& path);

  const std::string& path() const { return path_; }
  size_t rows() const { return rows_.size(); }
  bool Has(const std::string& column) const { return Index(column) >= 0; }
  // A column's index, or -1.
  int Index(const std::string& column) const;
  // Field as text / as a number (NaN when empty or not a number).
  const std::string& Text(size_t row, int column) const { return rows_[row][column]; }
  double Number(size_t row, int column) const;
  // Checks that every named column exists; the error names the file and the
  // first missing column.
  absl::Status Require(const std::vector<std::string>& columns) const;
  const std::vector<std::string>& header() const { return header_; }

 private:
  std::string path_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_CSV_H_
