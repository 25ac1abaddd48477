#include "monosem/cli/report_commands.h"
#include "monosem/report/report_writer.h"

namespace monosem {

int ReportCommand(const ReportArgs& a, std::ostream& out, std::ostream& err) {
  if (a.out.empty()) {
    err << "monosem report: --out DIR (a results folder) is required\n";
    return 2;
  }
  if (absl::Status s = report::WriteReport(a.out); !s.ok()) {
    err << "monosem report: " << s.message() << "\n";
    return 1;
  }
  out << "wrote " << a.out << "/report.html\n";
  return 0;
}

}  // namespace monosem
