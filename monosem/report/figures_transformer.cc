// The transformer's figures: loss curves against the unigram entropy, loss
// per genre, the neurons' polysemanticity and genre_f1.
#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "monosem/report/figures.h"
#include "monosem/status.h"

namespace monosem::report {
namespace {

// Bars per category (column `cat`) with one series per value of `group`.
Plot GroupedBars(const CsvTable& t, const std::string& title, const std::string& group,
                 const std::string& cat, const std::string& value, const std::string& y_label) {
  Plot p;
  p.kind = "bar";
  p.title = title;
  p.y_label = y_label;
  const int g = t.Index(group), c = t.Index(cat), v = t.Index(value);
  p.categories = Distinct(t, c);
  for (const std::string& name : Distinct(t, g)) {
    Series s;
    s.label = absl::StrCat(group, " ", name);
    s.y.assign(p.categories.size(), std::numeric_limits<double>::quiet_NaN());
    for (size_t r = 0; r < t.rows(); ++r) {
      if (t.Text(r, g) != name) continue;
      const auto it = std::find(p.categories.begin(), p.categories.end(), t.Text(r, c));
      s.y[it - p.categories.begin()] = t.Number(r, v);
    }
    p.series.push_back(std::move(s));
  }
  return p;
}

}  // namespace

absl::StatusOr<Section> TransformerFigures(const std::string& dir) {
  Section s;
  s.id = "transformer";
  s.title = "One-layer transformer";
  const std::string how = "written by `monosem reproduce --suite transformer`";
  CsvTable t;
  MONOSEM_ASSIGN_OR_RETURN(bool have, ReadIfPresent(dir, "transformer_loss_curve.csv",
                                                    absl::StrCat("the loss curves; ", how), &s, &t));
  if (have) {
    MONOSEM_RETURN_IF_ERROR(t.Require({"model", "step", "train_loss_nats", "unigram_entropy_nats"}));
    Plot p;
    p.title = "training loss against the unigram entropy";
    p.x_label = "step";
    p.y_label = "loss (nats per byte)";
    const int m = t.Index("model"), st = t.Index("step"), l = t.Index("train_loss_nats");
    for (const std::string& model : Distinct(t, m)) {
      Series c;
      c.label = absl::StrCat("model ", model);
      for (size_t r = 0; r < t.rows(); ++r) {
        if (t.Text(r, m) != model) continue;
        c.x.push_back(t.Number(r, st));
        c.y.push_back(t.Number(r, l));
      }
      p.series.push_back(std::move(c));
    }
    p.lines.push_back({false, t.Number(0, t.Index("unigram_entropy_nats")), "unigram entropy"});
    s.plots.push_back(std::move(p));
  }
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "transformer_loss_per_genre.csv",
                                               absl::StrCat("loss per genre; ", how), &s, &t));
  if (have) {
    MONOSEM_RETURN_IF_ERROR(t.Require({"model", "genre", "loss_nats_per_byte", "unigram_entropy_nats"}));
    Plot p = GroupedBars(t, "held-out loss per genre (grey: the genre's unigram entropy)", "model",
                         "genre", "loss_nats_per_byte", "nats per byte");
    Series e;
    e.label = "unigram entropy";
    e.color = "#bbb";
    e.y.assign(p.categories.size(), std::numeric_limits<double>::quiet_NaN());
    for (size_t r = 0; r < t.rows(); ++r) {
      const auto it = std::find(p.categories.begin(), p.categories.end(), t.Text(r, t.Index("genre")));
      e.y[it - p.categories.begin()] = t.Number(r, t.Index("unigram_entropy_nats"));
    }
    p.series.push_back(std::move(e));
    s.plots.push_back(std::move(p));
  }
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "transformer_genre_f1.csv",
                                               absl::StrCat("genre_f1 of the best neuron; ", how), &s, &t));
  if (have) {
    MONOSEM_RETURN_IF_ERROR(t.Require({"model", "genre", "f1"}));
    s.plots.push_back(GroupedBars(t, "genre_f1 of the best single neuron", "model", "genre", "f1", "F1"));
  }
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "transformer_polysemanticity_hist.csv",
                                               absl::StrCat("neuron polysemanticity; ", how), &s, &t));
  if (have) {
    MONOSEM_RETURN_IF_ERROR(t.Require({"model", "genres_often_active", "neurons"}));
    Plot p = GroupedBars(t, "neurons by number of genres they are often active on", "model",
                         "genres_often_active", "neurons", "neurons");
    p.x_label = "genres";
    s.plots.push_back(std::move(p));
  }
  return s;
}

}  // namespace monosem::report
