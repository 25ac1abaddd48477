// The feature browser's page code (index, sorting, lazy unit loading,
// rendering). Corpus text is only ever assigned with textContent.
#ifndef MONOSEM_REPORT_BROWSER_JS_H_
#define MONOSEM_REPORT_BROWSER_JS_H_

namespace monosem::report {

const char* BrowserJs();

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_BROWSER_JS_H_
