#include "tests/report/chromium.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "monosem/io/file_io.h"

namespace monosem::testing {
namespace {

std::string TmpDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t != nullptr ? t : "/tmp";
}

// Flags every run needs: no sandbox (root in a container), no GPU, a fresh
// profile in the test's temporary folder, console messages on stderr.
std::string Common(const std::string& chromium) {
  return absl::StrCat("HOME=", TmpDir(), " '", chromium,
                      "' --headless --no-sandbox --disable-gpu --no-first-run "
                      "--disable-dev-shm-usage --user-data-dir=",
                      TmpDir(), "/chromium-profile --enable-logging=stderr --v=0 "
                      "--virtual-time-budget=10000 ");
}

absl::StatusOr<std::string> Run(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return absl::InternalError(absl::StrCat("cannot run: ", command));
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) return absl::InternalError(absl::StrCat("exit status ", rc, " from: ", command));
  return out;
}

}  // namespace

absl::StatusOr<std::string> FindChromium() {
  const char* env = std::getenv("CHROMIUM");
  const std::string path = env != nullptr && *env != '\0' ? env : "/usr/bin/chromium";
  if (access(path.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is not installed: run ci/setup (it installs Debian's chromium package); "
              "the page tests need a real browser and do not skip"));
  }
  return path;
}

absl::StatusOr<PageDump> DumpDom(const std::string& url) {
  auto chromium = FindChromium();
  if (!chromium.ok()) return chromium.status();
  const std::string log = TmpDir() + "/chromium-stderr.txt";
  auto dom = Run(absl::StrCat(Common(*chromium), "--dump-dom '", url, "' 2>'", log, "'"));
  if (!dom.ok()) return dom.status();
  PageDump d;
  d.dom = *std::move(dom);
  auto err = ReadFile(log);
  if (!err.ok()) return err.status();
  for (absl::string_view line : absl::StrSplit(*err, '\n')) {
    if (absl::StrContains(line, ":CONSOLE")) d.console.emplace_back(line);
  }
  return d;
}

absl::Status Screenshot(const std::string& url, const std::string& png, int width, int height) {
  auto chromium = FindChromium();
  if (!chromium.ok()) return chromium.status();
  auto out = Run(absl::StrCat(Common(*chromium), "--hide-scrollbars --window-size=", width, ",",
                              height, " --screenshot='", png, "' '", url, "' >/dev/null 2>&1"));
  if (!out.ok()) return out.status();
  struct stat st;
  if (stat(png.c_str(), &st) != 0 || st.st_size < 1000) {
    return absl::InternalError(absl::StrCat("no screenshot at ", png));
  }
  return absl::OkStatus();
}

}  // namespace monosem::testing
