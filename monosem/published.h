// The one table of published values the reproduce suites hold their results
// against: each entry has an id (what is measured, where), the number (NaN
// for a claim the paper states without one: a direction, a qualitative
// finding), the paper and the place in it, and the paper's setup. Suites look
// numbers and result-row sources up here instead of writing literals, so a
// figure is stated once, with its source, and results.json names the paper and
// the place of every value it compares against.
//
// The table is C++, not a data file: `monosem reproduce` runs from anywhere
// (an installed binary, bazel-bin), with no runfiles to find a file in, and a
// compiled table cannot go missing or fail to parse at run time. Every id the
// suites use is pinned by tests/suites/published_test.cc.
#ifndef MONOSEM_PUBLISHED_H_
#define MONOSEM_PUBLISHED_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace monosem {

struct PublishedValue {
  const char* id;     // "<suite>.<experiment>.<quantity>", e.g. "sae.mlp.a1_loss_recovered"
  double value;       // NaN: a claim without a number
  const char* paper;  // authors, year, title
  const char* place;  // section / figure / run in the paper (or in the notes)
  const char* setup;  // the paper's setup behind the value
};

// Every entry, in table order.
absl::Span<const PublishedValue> PublishedTable();

// The entry for `id`, or null.
const PublishedValue* FindPublished(absl::string_view id);

// The value of `id`; NaN when the entry is a claim, or when `id` is unknown.
double PublishedNumber(absl::string_view id);

// "paper: place" for a result row's source; an unknown id gives a source that
// says so (never empty), which published_test.cc forbids in the suites.
std::string PublishedSource(absl::string_view id);
std::string SourceOf(const PublishedValue& entry);

}  // namespace monosem

#endif  // MONOSEM_PUBLISHED_H_
