// Runs Debian's chromium headless on a local page: the DOM after its scripts
// ran (--dump-dom with a virtual-time budget, so lazily loaded data arrives
// first), the console messages it logged, or a screenshot.
#ifndef TESTS_REPORT_CHROMIUM_H_
#define TESTS_REPORT_CHROMIUM_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace monosem::testing {

// The chromium binary ($CHROMIUM or /usr/bin/chromium), or an error that says
// to run ci/setup.
absl::StatusOr<std::string> FindChromium();

struct PageDump {
  std::string dom;
  // Every line chromium logged as a console message ("INFO:CONSOLE"); the
  // pages log nothing, so any line here is a failure.
  std::vector<std::string> console;
};

absl::StatusOr<PageDump> DumpDom(const std::string& url);
// Writes a PNG of the page, `width` x `height` CSS pixels.
absl::Status Screenshot(const std::string& url, const std::string& png, int width, int height);

}  // namespace monosem::testing

#endif  // TESTS_REPORT_CHROMIUM_H_
