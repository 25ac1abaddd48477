#include "monosem/cli/exit_codes.h"
#include "monosem/cli/report_commands.h"
#include "monosem/report/report_writer.h"

namespace monosem {

int ReportCommand(const ReportArgs& a, std::ostream& out, std::ostream& err) {
  if (a.out.empty()) {
    err << "monosem report: --out DIR (a results folder) is required\n";
    return kExitUsage;
  }
  if (absl::Status s = report::WriteReport(a.out); !s.ok()) {
    err << "monosem report: " << s.message() << "\n";
    return kExitError;
  }
  out << "wrote " << a.out << "/report.html\n";
  return kExitOk;
}

}  // namespace monosem
