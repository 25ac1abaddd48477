// Test inputs for the report and browser tests: a results folder with every
// figure CSV in the format the suites write, and a tiny transformer
// checkpoint + SAE + a text whose every context is hostile to an HTML page.
#ifndef TESTS_REPORT_FIXTURES_H_
#define TESTS_REPORT_FIXTURES_H_

#include <string>

namespace monosem::testing {

// TEST_TMPDIR/<name> with results.json (pass, FAIL and report rows, one with
// markup in its note) and, when all_figures, every figure CSV; otherwise the
// toy suite's only. Returns the folder.
std::string MakeResultsFolder(const std::string& name, bool all_figures);

// The hostile text: <script> elements, an <img onerror>, &, quotes, Hangul,
// and bytes that are not UTF-8.
std::string HostileText();

struct BrowseFixture {
  std::string transformer;  // checkpoint folder (random init, d_mlp 24)
  std::string sae;          // SAELens folder, relu_l1, F = 40, reads 24-wide vectors
  std::string text;         // a file holding HostileText() repeated
};
// Written under TEST_TMPDIR/<name>.
BrowseFixture MakeBrowseFixture(const std::string& name);

}  // namespace monosem::testing

#endif  // TESTS_REPORT_FIXTURES_H_
