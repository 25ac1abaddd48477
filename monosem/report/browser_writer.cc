#include "monosem/report/browser_writer.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/io/file_io.h"
#include "monosem/report/browser_js.h"
#include "monosem/report/html.h"
#include "monosem/report/page_assets.h"
#include "monosem/status.h"

namespace monosem::report {
namespace {

// Rounded for the page: 4 significant digits are plenty to read and keep the
// data files small.
double Round(double v) {
  if (!std::isfinite(v) || v == 0) return 0;
  const double scale = std::pow(10.0, 3 - std::floor(std::log10(std::fabs(v))));
  return std::round(v * scale) / scale;
}

// A byte as the logit tables show it.
std::string ByteName(int b) {
  if (b == ' ') return "\xE2\x90\xA3";  // U+2423 OPEN BOX
  const char c = static_cast<char>(b);
  const std::vector<TextCell> cells = SplitCells(absl::string_view(&c, 1));
  return cells.empty() ? "" : cells[0].text;
}

nlohmann::json Context(const UnitActs& acts, const LabelledStream& stream, int64_t hot,
                       double max_act, const BrowserOptions& o) {
  const int64_t begin = std::max<int64_t>(0, hot - o.before);
  const int64_t end = std::min<int64_t>(stream.size(), hot + o.after + 1);
  const absl::string_view bytes(reinterpret_cast<const char*>(stream.bytes.data()) + begin,
                                end - begin);
  nlohmann::json cells = nlohmann::json::array(), shade = nlohmann::json::array();
  int hot_cell = -1;
  for (const TextCell& cell : SplitCells(bytes)) {
    // A multi-byte character is shaded by its strongest byte.
    float a = 0;
    for (int k = 0; k < cell.bytes; ++k) a = std::max(a, acts.At(begin + cell.first + k));
    if (hot >= begin + cell.first && hot < begin + cell.first + cell.bytes) {
      hot_cell = static_cast<int>(cells.size());
    }
    cells.push_back(cell.text);
    shade.push_back(max_act > 0 ? static_cast<int>(std::lround(100.0 * a / max_act)) : 0);
  }
  return {{"g", stream.genre[hot]}, {"c", std::move(cells)}, {"a", std::move(shade)}, {"h", hot_cell}};
}

std::string IndexPage(const BrowserUnits& u, const nlohmann::json& index, const std::string& chartjs) {
  const std::string title = u.title.empty() ? absl::StrCat(u.kind, " browser") : u.title;
  std::string compare;
  if (!u.compare_link.empty()) {
    compare = absl::StrCat(" \u00B7 compare: <a href=\"", HtmlEscape(u.compare_link), "\">",
                           HtmlEscape(u.compare_name), "</a>");
  }
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", HtmlEscape(title),
      "</title>\n<style>", PageCss(),
      "#layout{display:flex;gap:16px;align-items:flex-start}#indexbox{max-height:90vh;overflow:auto;"
      "min-width:380px}#detail{flex:1;min-width:0}td.byte{font-family:monospace}span.genre{color:#888}"
      "</style>\n<script>", ErrorSinkJs(), "</script>\n<script>\n", chartjs, "\n</script>\n<script>",
      PlotRendererJs(), "</script>\n</head><body>\n<pre id=\"page-errors\"></pre>\n<h1>",
      HtmlEscape(title), "</h1>\n<p>", HtmlEscape(u.notes), compare,
      " \u00B7 click a column to sort; the URL #u=N opens unit N.</p>\n<div id=\"layout\">"
      "<div id=\"indexbox\"><table id=\"index\"><thead><tr><th data-key=\"id\">", HtmlEscape(u.kind),
      "</th><th data-key=\"density\">density</th><th data-key=\"specificity\">specificity</th>"
      "<th data-key=\"label\">label</th><th data-key=\"max\">max act</th></tr></thead><tbody>"
      "</tbody></table></div>\n<div id=\"detail\"></div></div>\n"
      "<script id=\"index-data\" type=\"application/json\">", JsonForScript(index), "</script>\n<script>",
      BrowserJs(), "</script>\n</body></html>\n");
}

}  // namespace

absl::Status WriteBrowser(const BrowserUnits& u, const LabelledStream& stream,
                          const BrowserOptions& o, const std::string& chartjs,
                          const std::string& dir) {
  const int64_t n = static_cast<int64_t>(u.acts.size());
  if (n == 0) return absl::InvalidArgumentError(absl::StrCat(dir, ": no units to browse"));
  if (static_cast<int64_t>(u.logit_effects.size()) != n * u.vocab ||
      static_cast<int64_t>(u.directions.size()) != n * u.dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        dir, ": ", n, " units but ", u.logit_effects.size(), " logit effects (want ", n * u.vocab,
        ") and ", u.directions.size(), " direction values (want ", n * u.dim, ")"));
  }
  MONOSEM_RETURN_IF_ERROR(MakeDirs(dir + "/data"));
  const auto nearest = NearestByCosine(u.directions, n, u.dim, o.nearest);
  nlohmann::json units = nlohmann::json::array();
  nlohmann::json chunk = nlohmann::json::array();
  for (int64_t i = 0; i < n; ++i) {
    const UnitSummary s = Summarize(u.acts[i], stream, o.bins, o.top_contexts);
    units.push_back({Round(s.density), Round(s.specificity), s.label, Round(s.max_act)});
    nlohmann::json d;
    d["fired"] = s.fired;
    d["hist"] = s.histogram;
    d["comp"] = s.genre_count;
    const auto [up, down] = TopAndBottom(&u.logit_effects[i * u.vocab], u.vocab, o.logits);
    nlohmann::json ups = nlohmann::json::array(), downs = nlohmann::json::array();
    for (const auto& [b, v] : up) ups.push_back({ByteName(b), Round(v)});
    for (const auto& [b, v] : down) downs.push_back({ByteName(b), Round(v)});
    d["up"] = std::move(ups);
    d["down"] = std::move(downs);
    nlohmann::json near = nlohmann::json::array();
    for (const auto& [j, c] : nearest[i]) near.push_back({j, Round(c)});
    d["near"] = std::move(near);
    nlohmann::json ctx = nlohmann::json::array();
    for (int64_t t : s.top_tokens) ctx.push_back(Context(u.acts[i], stream, t, s.max_act, o));
    d["ctx"] = std::move(ctx);
    chunk.push_back(std::move(d));
    if (static_cast<int64_t>(chunk.size()) == o.chunk || i + 1 == n) {
      const int64_t c = i / o.chunk;
      MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(
          absl::StrFormat("%s/data/chunk_%04d.js", dir, c),
          absl::StrCat("monosemChunk(", c, ",", JsonForScript(chunk), ");\n")));
      chunk = nlohmann::json::array();
    }
  }
  nlohmann::json index;
  index["kind"] = u.kind;
  index["tokens"] = stream.size();
  index["genres"] = stream.genre_names;
  index["chunk"] = o.chunk;
  index["units"] = std::move(units);
  return WriteFileAtomic(dir + "/index.html", IndexPage(u, index, chartjs));
}

}  // namespace monosem::report
