#include "monosem/data/corpus.h"

#include <algorithm>
#include <cmath>
#include <array>
#include <set>

#include "absl/strings/str_cat.h"
#include "monosem/philox.h"
#include "monosem/status.h"
#include "monosem/textproto.h"

namespace monosem {
namespace {

const char kDefaultConfigText[] = R"pb(# The built-in corpus's default mixture.
# Weights are the probability of a document's genre; documents have the same
# length distribution, so they are also (about) the fraction of bytes.
# Arabic is rare, as in the Pile (~0.1%).
seed: 1
language_seed: 7
genres { genre: "prose" weight: 0.35 }
genres { genre: "dialogue" weight: 0.10 }
genres { genre: "citation" weight: 0.08 }
genres { genre: "http" weight: 0.08 }
genres { genre: "korean" weight: 0.06 }
genres { genre: "hebrew" weight: 0.02 }
genres { genre: "arabic" weight: 0.001 }
genres { genre: "dna" weight: 0.06 }
genres { genre: "base64" weight: 0.06 }
genres { genre: "html" weight: 0.10 }
genres { genre: "numbers" weight: 0.089 }
doc_bytes_min: 200
doc_bytes_max: 2000
vocab_size: 2000
zipf_exponent: 1.1
)pb";

// ---------------------------------------------------------------- helpers

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

template <size_t N>
const char* Pick(Philox& rng, const char* const (&list)[N]) {
  return list[rng.UniformInt(N)];
}

int Between(Philox& rng, int lo, int hi) {  // inclusive
  return lo + static_cast<int>(rng.UniformInt(static_cast<uint32_t>(hi - lo + 1)));
}

std::string Capitalized(std::string w) {
  if (!w.empty() && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 'a' + 'A');
  return w;
}

// Rank-frequency sampler: P(rank r) ~ (r + 1)^-s.
class Zipf {
 public:
  Zipf() = default;
  Zipf(int n, double s) : cdf_(n) {
    double acc = 0;
    for (int r = 0; r < n; ++r) {
      acc += std::pow(static_cast<double>(r + 1), -s);
      cdf_[r] = acc;
    }
  }
  int Sample(Philox& rng) const {
    const double u = static_cast<double>(rng.Uniform()) * cdf_.back();
    auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    return static_cast<int>(std::min<ptrdiff_t>(it - cdf_.begin(), cdf_.size() - 1));
  }
  int size() const { return static_cast<int>(cdf_.size()); }

 private:
  std::vector<double> cdf_;
};

// ---------------------------------------------------------------- language

const char* const kOnsets[] = {"",   "b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",
                               "l",  "m",  "n",  "p",  "r",  "s",  "t",  "v",  "w",
                               "th", "st", "br", "pl", "ch", "sh", "gr", "tr", "fl"};
const char* const kVowels[] = {"a", "e", "i", "o", "u", "ea", "ou", "ai", "o", "e", "a"};
const char* const kCodas[] = {"", "", "", "n", "r", "s", "t", "l", "nd", "st", "ck", "m", "rn"};

const char* const kDeterminers[] = {"the", "the", "the", "a", "this", "every", "some", "no"};
const char* const kPrepositions[] = {"of", "in", "on", "with", "for", "from", "under", "to"};
const char* const kConjunctions[] = {"and", "but", "so", "while", "because"};
const char* const kQuestionWords[] = {"why", "when", "how", "did", "will", "where"};
const char* const kSpeakers[] = {"Alice", "Bob",   "Carol", "David", "Emma", "Frank",
                                 "Grace", "Henry", "Iris",  "Jack",  "Kate", "Liam",
                                 "Maya",  "Noah",  "Olivia", "Paul"};
const char* const kSurnames[] = {"Smith",  "Johnson", "Lee",    "Garcia", "Chen",   "Kim",
                                 "Nguyen", "Brown",   "Miller", "Davis",  "Wilson", "Moore",
                                 "Taylor", "Anderson", "Thomas", "Martin", "Wang",  "Olah",
                                 "Elhage", "Bricken", "Cohen",  "Patel",  "Schmidt", "Rossi"};

// Hangul particles and endings: 는 은 이 가 를 을 에 의 도 로.
const uint32_t kKoreanParticles[] = {0xB294, 0xC740, 0xC774, 0xAC00, 0xB97C,
                                     0xC744, 0xC5D0, 0xC758, 0xB3C4, 0xB85C};
const uint32_t kKoreanEndings[] = {0xB2E4, 0xC694};  // 다, 요

struct Language {
  std::vector<std::string> nouns, verbs, adjectives;
  std::vector<std::string> korean, arabic, hebrew;
  Zipf noun_zipf, verb_zipf, adj_zipf, korean_zipf, arabic_zipf, hebrew_zipf;
  // Preferred successors (the bigram structure): each noun has 4 verbs it
  // tends to take, each verb 4 objects, each noun 3 adjectives.
  std::vector<std::array<int, 4>> noun_verbs, verb_objects;
  std::vector<std::array<int, 3>> noun_adjectives;
};

// Words of a class: shorter words at frequent ranks (the law of abbreviation).
std::vector<std::string> MakeWords(Philox& rng, int n, std::set<std::string>* used) {
  std::vector<std::string> words;
  words.reserve(n);
  int attempts = 0;
  while (static_cast<int>(words.size()) < n) {
    const int rank = static_cast<int>(words.size());
    int syllables = 1 + (rank > 40 ? 1 : 0) + (rank > 400 ? 1 : 0) + (rng.Bernoulli(0.25f) ? 1 : 0);
    if (++attempts > 50 * n) syllables += 2;  // vocabulary exhausted: longer words
    std::string w;
    for (int s = 0; s < syllables; ++s) {
      w += Pick(rng, kOnsets);
      w += Pick(rng, kVowels);
      if (s + 1 == syllables || rng.Bernoulli(0.3f)) w += Pick(rng, kCodas);
    }
    if (w.size() < 2 || !used->insert(w).second) continue;
    words.push_back(w);
  }
  return words;
}

std::vector<std::string> MakeScriptWords(Philox& rng, int n, int min_len, int max_len,
                                         const std::vector<uint32_t>& alphabet) {
  std::set<std::string> used;
  std::vector<std::string> words;
  while (static_cast<int>(words.size()) < n) {
    const int rank = static_cast<int>(words.size());
    const int len = std::min(max_len, Between(rng, min_len, min_len + 2) + (rank > 100 ? 1 : 0) +
                                          (rank > 1000 ? 1 : 0));
    std::string w;
    for (int i = 0; i < len; ++i) AppendUtf8(alphabet[rng.UniformInt(alphabet.size())], &w);
    if (used.insert(w).second) words.push_back(w);
  }
  return words;
}

std::vector<std::string> MakeKoreanWords(Philox& rng, int n) {
  std::set<std::string> used;
  std::vector<std::string> words;
  while (static_cast<int>(words.size()) < n) {
    const int rank = static_cast<int>(words.size());
    const int len = Between(rng, 1, 2) + (rank > 200 ? 1 : 0) + (rng.Bernoulli(0.2f) ? 1 : 0);
    std::string w;
    for (int i = 0; i < len; ++i) {
      const uint32_t initial = rng.UniformInt(19), medial = rng.UniformInt(21);
      const uint32_t final_ = rng.Bernoulli(0.55f) ? 0 : 1 + rng.UniformInt(27);
      AppendUtf8(0xAC00 + (initial * 21 + medial) * 28 + final_, &w);
    }
    if (used.insert(w).second) words.push_back(w);
  }
  return words;
}

Language MakeLanguage(uint64_t language_seed, int vocab, double s) {
  Language lang;
  Philox rng(language_seed, 0x6c616e67);  // "lang"
  std::set<std::string> used;
  for (const char* w : kDeterminers) used.insert(w);
  for (const char* w : kPrepositions) used.insert(w);
  for (const char* w : kConjunctions) used.insert(w);
  for (const char* w : kQuestionWords) used.insert(w);
  const int n_nouns = std::max(8, vocab * 2 / 5);
  const int n_verbs = std::max(8, vocab / 4);
  const int n_adj = std::max(8, vocab - n_nouns - n_verbs);
  lang.nouns = MakeWords(rng, n_nouns, &used);
  lang.verbs = MakeWords(rng, n_verbs, &used);
  for (std::string& v : lang.verbs) v += "s";  // third person: a learnable suffix
  lang.adjectives = MakeWords(rng, n_adj, &used);
  lang.noun_zipf = Zipf(n_nouns, s);
  lang.verb_zipf = Zipf(n_verbs, s);
  lang.adj_zipf = Zipf(n_adj, s);
  lang.noun_verbs.resize(n_nouns);
  lang.noun_adjectives.resize(n_nouns);
  lang.verb_objects.resize(n_verbs);
  for (auto& a : lang.noun_verbs)
    for (int& x : a) x = lang.verb_zipf.Sample(rng);
  for (auto& a : lang.noun_adjectives)
    for (int& x : a) x = lang.adj_zipf.Sample(rng);
  for (auto& a : lang.verb_objects)
    for (int& x : a) x = lang.noun_zipf.Sample(rng);

  std::vector<uint32_t> arabic, hebrew;
  for (uint32_t c = 0x0621; c <= 0x063A; ++c) arabic.push_back(c);
  for (uint32_t c = 0x0641; c <= 0x064A; ++c) arabic.push_back(c);
  for (uint32_t c = 0x05D0; c <= 0x05EA; ++c) hebrew.push_back(c);
  const int script_vocab = std::max(8, vocab / 2);
  lang.korean = MakeKoreanWords(rng, script_vocab);
  lang.arabic = MakeScriptWords(rng, script_vocab, 2, 7, arabic);
  lang.hebrew = MakeScriptWords(rng, script_vocab, 2, 6, hebrew);
  lang.korean_zipf = Zipf(script_vocab, s);
  lang.arabic_zipf = Zipf(script_vocab, s);
  lang.hebrew_zipf = Zipf(script_vocab, s);
  return lang;
}

// ---------------------------------------------------------------- genres

class DocWriter {
 public:
  DocWriter(const Language& lang, Philox& rng, std::string* out) : l_(lang), r_(rng), o_(*out) {}

  int Noun() { return l_.noun_zipf.Sample(r_); }
  void NounPhrase(int noun, bool capital) {
    std::string det = Pick(r_, kDeterminers);
    o_ += capital ? Capitalized(det) : det;
    o_ += ' ';
    if (r_.Bernoulli(0.35f)) {
      const int adj = r_.Bernoulli(0.7f) ? l_.noun_adjectives[noun][r_.UniformInt(3)]
                                         : l_.adj_zipf.Sample(r_);
      o_ += l_.adjectives[adj];
      o_ += ' ';
    }
    o_ += l_.nouns[noun];
  }
  // One clause: subject verb object [prep phrase]. Returns nothing; no final
  // punctuation.
  void Clause(bool capital) {
    const int subject = Noun();
    NounPhrase(subject, capital);
    const int verb = r_.Bernoulli(0.7f) ? l_.noun_verbs[subject][r_.UniformInt(4)]
                                        : l_.verb_zipf.Sample(r_);
    o_ += ' ';
    o_ += l_.verbs[verb];
    if (r_.Bernoulli(0.85f)) {
      o_ += ' ';
      NounPhrase(r_.Bernoulli(0.6f) ? l_.verb_objects[verb][r_.UniformInt(4)] : Noun(), false);
    }
    if (r_.Bernoulli(0.3f)) {
      o_ += ' ';
      o_ += Pick(r_, kPrepositions);
      o_ += ' ';
      NounPhrase(Noun(), false);
    }
  }
  void Sentence(bool question) {
    if (question) {
      o_ += Capitalized(Pick(r_, kQuestionWords));
      o_ += ' ';
      Clause(false);
      o_ += '?';
      return;
    }
    Clause(true);
    if (r_.Bernoulli(0.25f)) {
      o_ += r_.Bernoulli(0.5f) ? ", " : " ";
      o_ += Pick(r_, kConjunctions);
      o_ += ' ';
      Clause(false);
    }
    o_ += '.';
  }

  void ProseUnit() {  // a paragraph
    const int n = Between(r_, 2, 6);
    for (int i = 0; i < n; ++i) {
      if (i > 0) o_ += ' ';
      Sentence(false);
    }
    o_ += '\n';
  }

  void DialogueUnit(int speaker_a, int speaker_b, int turn) {
    const char* who = kSpeakers[(turn % 2 == 0) ? speaker_a : speaker_b];
    const int n = Between(r_, 1, 3);
    if (r_.Bernoulli(0.6f)) {
      o_ += who;
      o_ += ": \"";
      for (int i = 0; i < n; ++i) {
        if (i > 0) o_ += ' ';
        Sentence(r_.Bernoulli(0.3f));
      }
      o_ += "\"\n";
    } else {
      o_ += '"';
      Clause(true);
      o_ += r_.Bernoulli(0.3f) ? "?\" asked " : ",\" said ";
      o_ += who;
      o_ += '.';
      if (n > 1) {
        o_ += " \"";
        Sentence(r_.Bernoulli(0.3f));
        o_ += '"';
      }
      o_ += '\n';
    }
  }

  void Author(bool initials_first) {
    const std::string surname =
        r_.Bernoulli(0.6f) ? std::string(Pick(r_, kSurnames)) : Capitalized(l_.nouns[Noun()]);
    const char initial = static_cast<char>('A' + r_.UniformInt(26));
    if (initials_first) {
      o_ += initial;
      o_ += ". ";
      o_ += surname;
    } else {
      o_ += surname;
      o_ += ", ";
      o_ += initial;
      o_ += '.';
    }
  }
  void CitationUnit() {
    const int style = static_cast<int>(r_.UniformInt(3));
    if (style == 0) {  // Surname et al. (2019).
      o_ += r_.Bernoulli(0.6f) ? std::string(Pick(r_, kSurnames)) : Capitalized(l_.nouns[Noun()]);
      o_ += " et al.";
    } else {
      const int n = Between(r_, 1, 4);
      for (int i = 0; i < n; ++i) {
        if (i > 0) o_ += (i + 1 == n) ? ", & " : ", ";
        Author(false);
      }
    }
    o_ += " (";
    o_ += std::to_string(Between(r_, 1950, 2024));
    o_ += "). ";
    // Title: Title Case words.
    const int words = Between(r_, 3, 9);
    for (int i = 0; i < words; ++i) {
      if (i > 0) o_ += ' ';
      if (i > 0 && r_.Bernoulli(0.2f)) {
        o_ += Pick(r_, kPrepositions);
      } else {
        o_ += Capitalized(r_.Bernoulli(0.6f) ? l_.nouns[Noun()] : l_.adjectives[l_.adj_zipf.Sample(r_)]);
      }
    }
    o_ += ". ";
    static const char* const kVenues[] = {"Journal of ", "Proceedings of the ", "Annals of ",
                                          "Review of ", "Transactions on "};
    o_ += Pick(r_, kVenues);
    o_ += Capitalized(l_.nouns[Noun()]);
    if (r_.Bernoulli(0.5f)) {
      o_ += ' ';
      o_ += Capitalized(l_.nouns[Noun()]);
    }
    o_ += ", ";
    o_ += std::to_string(Between(r_, 1, 120));
    if (r_.Bernoulli(0.7f)) {
      o_ += '(';
      o_ += std::to_string(Between(r_, 1, 12));
      o_ += ')';
    }
    const int first = Between(r_, 1, 2000);
    o_ += ", ";
    o_ += std::to_string(first);
    o_ += '-';
    o_ += std::to_string(first + Between(r_, 2, 40));
    o_ += '.';
    if (r_.Bernoulli(0.3f)) {
      o_ += " https://doi.org/10.";
      o_ += std::to_string(Between(r_, 1000, 9999));
      o_ += '/';
      o_ += l_.nouns[Noun()];
      o_ += '.';
      o_ += std::to_string(Between(r_, 100, 99999));
    }
    o_ += '\n';
  }

  void Hex(int n) {
    static const char kHex[] = "0123456789abcdef";
    for (int i = 0; i < n; ++i) o_ += kHex[r_.UniformInt(16)];
  }
  void HttpUnit() {
    static const char* const kMethods[] = {"GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD"};
    static const char* const kTlds[] = {".com", ".org", ".net", ".io"};
    static const char* const kAgents[] = {
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "curl/8.4.0", "python-requests/2.31.0", "Wget/1.21.4"};
    static const char* const kAccept[] = {"*/*", "text/html,application/xhtml+xml", "application/json"};
    const std::string method = Pick(r_, kMethods);
    o_ += method;
    o_ += " /";
    const int segs = Between(r_, 0, 3);
    for (int i = 0; i < segs; ++i) {
      if (i > 0) o_ += '/';
      o_ += l_.nouns[Noun()];
    }
    if (r_.Bernoulli(0.3f)) o_ += ".html";
    if (r_.Bernoulli(0.4f)) {
      const int params = Between(r_, 1, 3);
      for (int i = 0; i < params; ++i) {
        o_ += i == 0 ? '?' : '&';
        o_ += l_.nouns[Noun()];
        o_ += '=';
        o_ += r_.Bernoulli(0.5f) ? std::to_string(Between(r_, 0, 99999)) : l_.adjectives[l_.adj_zipf.Sample(r_)];
      }
    }
    o_ += r_.Bernoulli(0.8f) ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n";
    o_ += "Host: ";
    if (r_.Bernoulli(0.6f)) o_ += "www.";
    o_ += l_.nouns[Noun()];
    o_ += Pick(r_, kTlds);
    o_ += "\r\nUser-Agent: ";
    o_ += Pick(r_, kAgents);
    o_ += "\r\nAccept: ";
    o_ += Pick(r_, kAccept);
    o_ += "\r\n";
    if (r_.Bernoulli(0.5f)) o_ += "Accept-Language: en-US,en;q=0.9\r\n";
    if (r_.Bernoulli(0.4f)) {
      o_ += "Cookie: session=";
      Hex(32);
      o_ += "\r\n";
    }
    o_ += r_.Bernoulli(0.7f) ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    if (method == "POST" || method == "PUT") {
      std::string body;
      if (r_.Bernoulli(0.5f)) {
        o_ += "Content-Type: application/json\r\n";
        body = "{\"" + l_.nouns[Noun()] + "\": " + std::to_string(Between(r_, 0, 9999)) + ", \"" +
               l_.nouns[Noun()] + "\": \"" + l_.adjectives[l_.adj_zipf.Sample(r_)] + "\"}";
      } else {
        o_ += "Content-Type: application/x-www-form-urlencoded\r\n";
        body = l_.nouns[Noun()] + "=" + l_.adjectives[l_.adj_zipf.Sample(r_)] + "&id=" +
               std::to_string(Between(r_, 0, 99999));
      }
      o_ += "Content-Length: ";
      o_ += std::to_string(body.size());
      o_ += "\r\n\r\n";
      o_ += body;
      o_ += '\n';
    } else {
      o_ += "\r\n";
    }
  }

  void ScriptSentence(const std::vector<std::string>& words, const Zipf& zipf, bool arabic) {
    const int n = Between(r_, 3, 10);
    for (int i = 0; i < n; ++i) {
      if (i > 0) {
        if (arabic && r_.Bernoulli(0.08f)) AppendUtf8(0x060C, &o_);  // Arabic comma
        o_ += ' ';
      }
      if (arabic && r_.Bernoulli(0.3f)) o_ += "\xD8\xA7\xD9\x84";  // the article ال
      o_ += words[zipf.Sample(r_)];
    }
    o_ += '.';
  }
  void KoreanSentence() {
    const int n = Between(r_, 2, 7);
    for (int i = 0; i < n; ++i) {
      if (i > 0) o_ += ' ';
      o_ += l_.korean[l_.korean_zipf.Sample(r_)];
      if (i + 1 < n && r_.Bernoulli(0.6f)) AppendUtf8(kKoreanParticles[r_.UniformInt(10)], &o_);
    }
    AppendUtf8(kKoreanEndings[r_.UniformInt(2)], &o_);
    o_ += '.';
  }
  void ScriptUnit(Genre g) {
    const int n = Between(r_, 1, 4);
    for (int i = 0; i < n; ++i) {
      if (i > 0) o_ += ' ';
      if (g == kGenreKorean) KoreanSentence();
      if (g == kGenreArabic) ScriptSentence(l_.arabic, l_.arabic_zipf, true);
      if (g == kGenreHebrew) ScriptSentence(l_.hebrew, l_.hebrew_zipf, false);
    }
    o_ += '\n';
  }

  void DnaUnit() {
    static const char kBases[] = "ACGT";
    for (int i = 0; i < 60; ++i) o_ += kBases[r_.UniformInt(4)];
    o_ += '\n';
  }

  // Appends base64 of `n` random bytes, wrapping lines at 76 characters.
  void Base64Block(int n, int* column) {
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    auto put = [&](char c) {
      o_ += c;
      if (++*column == 76) {
        o_ += '\n';
        *column = 0;
      }
    };
    for (int i = 0; i < n; i += 3) {
      const int take = std::min(3, n - i);
      uint32_t v = 0;
      for (int j = 0; j < 3; ++j) v = (v << 8) | (j < take ? r_.UniformInt(256) : 0);
      put(kAlphabet[(v >> 18) & 63]);
      put(kAlphabet[(v >> 12) & 63]);
      put(take > 1 ? kAlphabet[(v >> 6) & 63] : '=');
      put(take > 2 ? kAlphabet[v & 63] : '=');
    }
  }

  void HtmlUnit() {
    static const char* const kBlocks[] = {"div", "section", "article", "main", "nav"};
    const std::string block = Pick(r_, kBlocks);
    o_ += '<';
    o_ += block;
    o_ += " class=\"";
    o_ += l_.nouns[Noun()];
    if (r_.Bernoulli(0.4f)) {
      o_ += '-';
      o_ += l_.adjectives[l_.adj_zipf.Sample(r_)];
    }
    o_ += "\">\n";
    const int children = Between(r_, 1, 4);
    for (int c = 0; c < children; ++c) {
      switch (r_.UniformInt(5)) {
        case 0: {
          const int h = Between(r_, 1, 3);
          o_ += "  <h" + std::to_string(h) + ">";
          o_ += Capitalized(l_.nouns[Noun()]);
          o_ += "</h" + std::to_string(h) + ">\n";
          break;
        }
        case 1:
        case 2:
          o_ += "  <p>";
          Sentence(false);
          if (r_.Bernoulli(0.4f)) {
            o_ += " <a href=\"/";
            o_ += l_.nouns[Noun()];
            o_ += ".html\">";
            o_ += l_.nouns[Noun()];
            o_ += "</a>";
          }
          o_ += "</p>\n";
          break;
        case 3: {
          o_ += "  <ul>\n";
          const int items = Between(r_, 2, 4);
          for (int i = 0; i < items; ++i) {
            o_ += "    <li>";
            o_ += l_.nouns[Noun()];
            o_ += "</li>\n";
          }
          o_ += "  </ul>\n";
          break;
        }
        default:
          o_ += "  <img src=\"/img/";
          o_ += l_.nouns[Noun()];
          o_ += r_.Bernoulli(0.5f) ? ".png" : ".jpg";
          o_ += "\" alt=\"";
          o_ += l_.adjectives[l_.adj_zipf.Sample(r_)];
          o_ += "\">\n";
      }
    }
    o_ += "</" + block + ">\n";
  }

  void Number() {
    if (r_.Bernoulli(0.15f)) o_ += '-';
    const int digits = Between(r_, 1, 6);
    o_ += static_cast<char>('1' + r_.UniformInt(9));
    for (int i = 1; i < digits; ++i) o_ += static_cast<char>('0' + r_.UniformInt(10));
    if (r_.Bernoulli(0.35f)) {
      o_ += '.';
      const int places = Between(r_, 1, 4);
      for (int i = 0; i < places; ++i) o_ += static_cast<char>('0' + r_.UniformInt(10));
    }
  }
  void NumbersUnit() {
    static const char* const kSeparators[] = {", ", "\t", " ", "; "};
    const char* sep = Pick(r_, kSeparators);
    const int n = Between(r_, 3, 10);
    for (int i = 0; i < n; ++i) {
      if (i > 0) o_ += sep;
      Number();
    }
    o_ += '\n';
  }

 private:
  const Language& l_;
  Philox& r_;
  std::string& o_;
};

void GenerateDocument(const Language& lang, Genre genre, int target, Philox& rng,
                      std::string* out) {
  DocWriter w(lang, rng, out);
  const int speaker_a = static_cast<int>(rng.UniformInt(16));
  const int speaker_b = (speaker_a + 1 + static_cast<int>(rng.UniformInt(15))) % 16;
  int column = 0;
  for (int unit = 0; static_cast<int>(out->size()) < target; ++unit) {
    switch (genre) {
      case kGenreProse: w.ProseUnit(); break;
      case kGenreDialogue: w.DialogueUnit(speaker_a, speaker_b, unit); break;
      case kGenreCitation: w.CitationUnit(); break;
      case kGenreHttp: w.HttpUnit(); break;
      case kGenreKorean:
      case kGenreArabic:
      case kGenreHebrew: w.ScriptUnit(genre); break;
      case kGenreDna: w.DnaUnit(); break;
      case kGenreBase64: {
        const int left = target - static_cast<int>(out->size());
        w.Base64Block(std::max(1, left * 3 / 4), &column);
        if (column != 0) *out += '\n';
        break;
      }
      case kGenreHtml: w.HtmlUnit(); break;
      case kGenreNumbers: w.NumbersUnit(); break;
      default: return;
    }
  }
}

struct Resolved {
  uint64_t seed, language_seed;
  std::vector<int> genres;
  std::vector<double> cdf;
  int doc_min, doc_max, vocab;
  double zipf;
};

absl::StatusOr<Resolved> Resolve(const CorpusConfig& config) {
  const CorpusConfig& d = DefaultCorpusConfig();
  Resolved r;
  r.seed = config.seed() != 0 ? config.seed() : d.seed();
  r.language_seed = config.language_seed() != 0 ? config.language_seed() : d.language_seed();
  r.doc_min = config.doc_bytes_min() != 0 ? config.doc_bytes_min() : d.doc_bytes_min();
  r.doc_max = config.doc_bytes_max() != 0 ? config.doc_bytes_max() : d.doc_bytes_max();
  r.vocab = config.vocab_size() != 0 ? config.vocab_size() : d.vocab_size();
  r.zipf = config.zipf_exponent() != 0 ? config.zipf_exponent() : d.zipf_exponent();
  if (r.doc_min < 1 || r.doc_max < r.doc_min) {
    return absl::InvalidArgumentError(absl::StrCat("corpus config: need 1 <= doc_bytes_min (",
                                                    r.doc_min, ") <= doc_bytes_max (", r.doc_max,
                                                    ")"));
  }
  if (r.vocab < 16 || r.vocab > 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("corpus config: vocab_size ", r.vocab, " is outside [16, 1000000]"));
  }
  if (!std::isfinite(r.zipf) || r.zipf <= 0 || r.zipf > 10) {
    return absl::InvalidArgumentError(
        absl::StrCat("corpus config: zipf_exponent ", r.zipf, " is outside (0, 10]"));
  }
  const auto& weights = config.genres().empty() ? d.genres() : config.genres();
  double total = 0;
  for (const auto& gw : weights) {
    auto id = BuiltinGenreId(gw.genre());
    if (!id.ok() || *id == kGenreUnknown) {
      std::string names;
      for (int g = 1; g < kNumBuiltinGenres; ++g) absl::StrAppend(&names, g > 1 ? ", " : "", BuiltinGenreNames()[g]);
      return absl::InvalidArgumentError(absl::StrCat("corpus config: unknown genre \"", gw.genre(),
                                                     "\" (known: ", names, ")"));
    }
    if (!std::isfinite(gw.weight()) || gw.weight() < 0) {
      return absl::InvalidArgumentError(absl::StrCat("corpus config: genre \"", gw.genre(),
                                                     "\" has weight ", gw.weight(),
                                                     "; weights must be finite and >= 0"));
    }
    if (gw.weight() == 0) continue;
    total += gw.weight();
    r.genres.push_back(*id);
    r.cdf.push_back(total);
  }
  if (total <= 0) {
    return absl::InvalidArgumentError("corpus config: every genre weight is zero");
  }
  for (double& c : r.cdf) c /= total;
  return r;
}

// Start of the UTF-8 character containing bytes[i] (i itself if it starts one).
size_t CharStart(const std::vector<uint8_t>& bytes, size_t i) {
  while (i > 0 && (bytes[i] & 0xC0) == 0x80) --i;
  return i;
}

}  // namespace

const std::vector<std::string>& BuiltinGenreNames() {
  static const auto* names = new std::vector<std::string>{
      "unknown", "prose", "dialogue", "citation", "http", "korean",
      "arabic",  "hebrew", "dna",     "base64",   "html", "numbers"};
  return *names;
}

absl::StatusOr<int> BuiltinGenreId(const std::string& name) {
  const auto& names = BuiltinGenreNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return absl::NotFoundError(absl::StrCat("no built-in genre \"", name, "\""));
}

const std::string& DefaultCorpusConfigText() {
  static const auto* text = new std::string(kDefaultConfigText);
  return *text;
}

const CorpusConfig& DefaultCorpusConfig() {
  static const CorpusConfig* config = [] {
    auto parsed = ParseCorpusConfig(DefaultCorpusConfigText(), "<embedded default corpus config>");
    return new CorpusConfig(parsed.ok() ? *parsed : CorpusConfig());
  }();
  return *config;
}

absl::StatusOr<CorpusConfig> ParseCorpusConfig(const std::string& text,
                                               const std::string& filename) {
  CorpusConfig config;
  if (absl::Status s = ParseTextProto(text, filename, &config); !s.ok()) return s;
  return config;
}

absl::StatusOr<Corpus> GenerateCorpus(const CorpusConfig& config, int64_t n_bytes) {
  if (n_bytes <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty corpus: asked for ", n_bytes, " bytes; need at least 1"));
  }
  MONOSEM_ASSIGN_OR_RETURN(Resolved r, Resolve(config));
  const Language lang = MakeLanguage(r.language_seed, r.vocab, r.zipf);
  Corpus corpus;
  corpus.genre_names = BuiltinGenreNames();
  corpus.bytes.reserve(n_bytes);
  corpus.genre.reserve(n_bytes);
  Philox mix(r.seed, 0);
  std::string doc;
  for (uint64_t d = 0; static_cast<int64_t>(corpus.bytes.size()) < n_bytes; ++d) {
    const double u = mix.Uniform();
    size_t k = std::upper_bound(r.cdf.begin(), r.cdf.end(), u) - r.cdf.begin();
    if (k >= r.genres.size()) k = r.genres.size() - 1;
    const Genre genre = static_cast<Genre>(r.genres[k]);
    const int target = r.doc_min + static_cast<int>(mix.UniformInt(r.doc_max - r.doc_min + 1));
    Philox rng(r.seed, d + 1);
    doc.clear();
    GenerateDocument(lang, genre, target, rng, &doc);
    doc += '\n';
    corpus.bytes.insert(corpus.bytes.end(), doc.begin(), doc.end());
    corpus.genre.insert(corpus.genre.end(), doc.size(), genre);
  }
  // Cut at n_bytes, on a character boundary.
  size_t cut = static_cast<size_t>(n_bytes);
  if (cut < corpus.bytes.size()) {
    const size_t start = CharStart(corpus.bytes, cut);
    // The character at `start` spans past the cut: drop it, pad with '\n'.
    const uint8_t pad_genre = corpus.genre[start > 0 ? start - 1 : 0];
    corpus.bytes.resize(start);
    corpus.genre.resize(start);
    while (corpus.bytes.size() < cut) {
      corpus.bytes.push_back('\n');
      corpus.genre.push_back(pad_genre);
    }
  }
  return corpus;
}

Corpus SliceCorpus(const Corpus& corpus, int64_t begin, int64_t end) {
  Corpus out;
  out.genre_names = corpus.genre_names;
  begin = std::clamp<int64_t>(begin, 0, corpus.size());
  end = std::clamp<int64_t>(end, begin, corpus.size());
  out.bytes.assign(corpus.bytes.begin() + begin, corpus.bytes.begin() + end);
  out.genre.assign(corpus.genre.begin() + begin, corpus.genre.begin() + end);
  return out;
}

namespace {
double EntropyOfCounts(const std::array<int64_t, 256>& counts, int64_t total) {
  if (total == 0) return 0;
  double h = 0;
  for (int64_t c : counts) {
    if (c == 0) continue;
    const double p = static_cast<double>(c) / static_cast<double>(total);
    h -= p * std::log(p);
  }
  return h;
}
}  // namespace

double UnigramEntropyNats(absl::Span<const uint8_t> bytes) {
  std::array<int64_t, 256> counts{};
  for (uint8_t b : bytes) ++counts[b];
  return EntropyOfCounts(counts, static_cast<int64_t>(bytes.size()));
}

std::vector<double> UnigramEntropyNatsPerGenre(const Corpus& corpus) {
  const size_t n_labels = std::max<size_t>(corpus.genre_names.size(), 1);
  std::vector<std::array<int64_t, 256>> counts(n_labels, std::array<int64_t, 256>{});
  std::vector<int64_t> totals(n_labels, 0);
  for (size_t i = 0; i < corpus.bytes.size(); ++i) {
    const size_t g = std::min<size_t>(corpus.genre[i], n_labels - 1);
    ++counts[g][corpus.bytes[i]];
    ++totals[g];
  }
  std::vector<double> h(corpus.genre_names.size(), 0.0);
  for (size_t g = 0; g < h.size(); ++g) h[g] = EntropyOfCounts(counts[g], totals[g]);
  return h;
}

std::vector<int64_t> GenreByteCounts(const Corpus& corpus) {
  std::vector<int64_t> counts(corpus.genre_names.size(), 0);
  for (uint8_t g : corpus.genre) {
    if (g < counts.size()) ++counts[g];
  }
  return counts;
}

}  // namespace monosem
