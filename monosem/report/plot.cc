#include "monosem/report/plot.h"

#include <cmath>

namespace monosem::report {
namespace {

// NaN and infinities are not JSON; a missing value is null (a gap).
nlohmann::json Num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json Nums(const std::vector<double>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(Num(x));
  return a;
}

}  // namespace

size_t Plot::Points() const {
  if (kind == "heatmap") return cells.size();
  size_t n = 0;
  for (const Series& s : series) n += s.y.size();
  return n;
}

nlohmann::json Plot::ToJson() const {
  nlohmann::json j;
  j["title"] = title;
  j["kind"] = kind;
  j["xLabel"] = x_label;
  j["yLabel"] = y_label;
  j["xLog"] = x_log;
  j["yLog"] = y_log;
  j["small"] = small;
  j["caption"] = caption;
  j["points"] = Points();
  j["xRange"] = Nums(x_range);
  j["yRange"] = Nums(y_range);
  j["square"] = square;
  nlohmann::json ss = nlohmann::json::array();
  for (const Series& s : series) {
    nlohmann::json js;
    js["label"] = s.label;
    js["x"] = Nums(s.x);
    js["y"] = Nums(s.y);
    js["style"] = s.style;
    js["dashed"] = s.dashed;
    js["color"] = s.color;
    js["shade"] = Nums(s.shade);
    ss.push_back(std::move(js));
  }
  j["series"] = std::move(ss);
  j["categories"] = categories;
  nlohmann::json ls = nlohmann::json::array();
  for (const RefLine& l : lines) {
    ls.push_back({{"vertical", l.vertical}, {"value", Num(l.value)}, {"label", l.label}});
  }
  j["lines"] = std::move(ls);
  if (kind == "heatmap") {
    j["rows"] = rows;
    j["cols"] = cols;
    j["cells"] = Nums(cells);
    j["limit"] = limit;
    j["rowLabels"] = row_labels;
    j["colLabels"] = col_labels;
    j["classes"] = classes;
  }
  return j;
}

}  // namespace monosem::report
