// A plot as data: what the page's small renderer (report_js.cc) turns into a
// Chart.js chart. Suites' figure builders fill these from CSVs; keeping them
// as plain structs means a figure is tested in C++ (it has points, its axes
// are named) without a browser.
#ifndef MONOSEM_REPORT_PLOT_H_
#define MONOSEM_REPORT_PLOT_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace monosem::report {

struct Series {
  std::string label;
  std::vector<double> x, y;
  // "line" (points joined), "points", or "bar" (y per category; x unused).
  std::string style = "line";
  bool dashed = false;
  std::string color;  // CSS colour; empty: the palette's next
  // Optional per-point value in [0, 1] that colours each bar or point from
  // dark (0) to yellow (1): the paper's superposition shading.
  std::vector<double> shade;
};

// A horizontal or vertical reference line (y = value or x = value).
struct RefLine {
  bool vertical = false;
  double value = 0;
  std::string label;
};

struct Plot {
  std::string title;
  // "xy": series of points/lines; "bar": categories on x; "heatmap": a
  // rows x cols matrix of `cells` (row-major), diverging colours around 0.
  std::string kind = "xy";
  std::string x_label, y_label;
  bool x_log = false, y_log = false;
  std::vector<Series> series;
  std::vector<std::string> categories;  // bar
  std::vector<RefLine> lines;
  int rows = 0, cols = 0;               // heatmap
  std::vector<double> cells;            // heatmap, row-major
  double limit = 0;                     // heatmap: colour scale is [-limit, limit]
  std::vector<std::string> row_labels, col_labels;  // heatmap tick labels (optional)
  // Categorical heatmap: cells hold indices into `classes` (a legend entry
  // and colour each) instead of values on the diverging scale.
  std::vector<std::string> classes;
  // Fixed axis ranges ({lo, hi}; empty: from the data), and a square plot
  // area (the pentagon must not look like an ellipse).
  std::vector<double> x_range, y_range;
  bool square = false;
  // "small" plots sit several to a row (the toy model's small multiples).
  bool small = false;
  // "third": three to a row (the phase diagrams side by side).
  std::string width_class;
  std::string caption;

  // Number of drawn values (points, bars or cells): a plot with none is an
  // error the report test looks for.
  size_t Points() const;
  nlohmann::json ToJson() const;
};

// A group of plots with the data that was missing for it.
struct Section {
  std::string id, title, intro;
  std::vector<Plot> plots;
  // One line per figure whose data the results folder lacks, saying which
  // file and which command writes it.
  std::vector<std::string> missing;
};

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_PLOT_H_
