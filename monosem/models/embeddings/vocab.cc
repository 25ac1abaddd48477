#include "monosem/models/embeddings/vocab.h"

#include <algorithm>
#include <numeric>

namespace monosem {

int32_t Vocab::Find(const std::string& word) const {
  auto it = ids.find(word);
  return it == ids.end() ? -1 : it->second;
}

TokenizedCorpus BuildCorpus(const std::vector<std::vector<std::string>>& sentences,
                            int64_t min_count) {
  // First pass: counts in order of first appearance.
  absl::flat_hash_map<std::string, int32_t> first_seen;
  std::vector<std::string> seen_words;
  std::vector<int64_t> seen_counts;
  for (const auto& s : sentences) {
    for (const std::string& w : s) {
      auto [it, inserted] = first_seen.try_emplace(w, static_cast<int32_t>(seen_words.size()));
      if (inserted) {
        seen_words.push_back(w);
        seen_counts.push_back(0);
      }
      ++seen_counts[it->second];
    }
  }
  std::vector<int32_t> order(seen_words.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return seen_counts[a] > seen_counts[b]; });

  TokenizedCorpus out;
  std::vector<int32_t> remap(seen_words.size(), -1);
  for (int32_t old_id : order) {
    if (seen_counts[old_id] < min_count) continue;
    remap[old_id] = out.vocab.size();
    out.vocab.ids.emplace(seen_words[old_id], out.vocab.size());
    out.vocab.words.push_back(seen_words[old_id]);
    out.vocab.counts.push_back(seen_counts[old_id]);
  }
  out.sentences.reserve(sentences.size());
  for (const auto& s : sentences) {
    std::vector<int32_t> ids;
    ids.reserve(s.size());
    for (const std::string& w : s) {
      const int32_t id = remap[first_seen.at(w)];
      if (id >= 0) ids.push_back(id);
    }
    out.tokens += static_cast<int64_t>(ids.size());
    out.sentences.push_back(std::move(ids));
  }
  return out;
}

}  // namespace monosem
