#include "monosem/data/corpus_leaves.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <set>
#include <string_view>

#include "absl/strings/str_split.h"

namespace monosem::corpus_internal {
namespace {

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

// The characters of a UTF-8 string, each as its own string.
std::vector<std::string> Utf8Chars(const char* s) {
  std::vector<std::string> out;
  for (size_t i = 0; s[i] != 0;) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    out.emplace_back(s + i, n);
    i += n;
  }
  return out;
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
const char* const kSpeakers[] = {"Alice", "Bob",   "Carol", "David", "Emma", "Frank",
                                 "Grace", "Henry", "Iris",  "Jack",  "Kate", "Liam",
                                 "Maya",  "Noah",  "Olivia", "Paul"};
const char* const kSurnames[] = {"Smith",  "Johnson", "Lee",    "Garcia", "Chen",   "Kim",
                                 "Nguyen", "Brown",   "Miller", "Davis",  "Wilson", "Moore",
                                 "Taylor", "Anderson", "Thomas", "Martin", "Wang",  "Olah",
                                 "Elhage", "Bricken", "Cohen",  "Patel",  "Schmidt", "Rossi"};

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

// A topic: its signature nouns first (the most frequent ranks), then
// generated nouns of its own.
struct Topic {
  std::vector<std::string> openers, nouns;
  Zipf zipf;
};

// A script leaf's vocabulary: words over the leaf's alphabet with the leaf's
// own letter frequencies (a Zipf over a leaf-seeded shuffle of the alphabet),
// so siblings sharing an alphabet still differ in their byte statistics.
struct ScriptVocab {
  std::vector<std::string> words;
  Zipf zipf;
  std::vector<std::string> signature, ending;
  std::vector<uint32_t> marks;
};

ScriptVocab MakeScriptVocab(const ScriptLeaf& leaf, Philox& rng) {
  std::vector<uint32_t> alphabet;
  for (auto [lo, hi] : leaf.letters)
    for (uint32_t c = lo; c <= hi; ++c) alphabet.push_back(c);
  for (size_t i = alphabet.size(); i > 1; --i) std::swap(alphabet[i - 1], alphabet[rng.UniformInt(i)]);
  // Large alphabets (Han) keep only the first 600 of the shuffle.
  if (alphabet.size() > 600) alphabet.resize(600);
  const Zipf letters(static_cast<int>(alphabet.size()), 0.9);
  ScriptVocab v;
  for (auto [lo, hi] : leaf.marks)
    for (uint32_t c = lo; c <= hi; ++c) v.marks.push_back(c);
  v.signature = Utf8Chars(leaf.signature);
  std::set<std::string> used;
  const int n = 400;
  for (int attempts = 0; static_cast<int>(v.words.size()) < n && attempts < 50 * n; ++attempts) {
    const int rank = static_cast<int>(v.words.size());
    const int len = std::min(leaf.max_len, Between(rng, leaf.min_len, leaf.min_len + 2) + (rank > 100 ? 1 : 0));
    std::string w;
    for (int i = 0; i < len; ++i) {
      AppendUtf8(alphabet[letters.Sample(rng)], &w);
      if (!v.marks.empty() && rng.Bernoulli(leaf.mark_p)) AppendUtf8(v.marks[rng.UniformInt(v.marks.size())], &w);
    }
    if (!v.signature.empty() && rng.Bernoulli(leaf.signature_p)) w += v.signature[rng.UniformInt(v.signature.size())];
    if (used.insert(w).second) v.words.push_back(w);
  }
  v.zipf = Zipf(static_cast<int>(v.words.size()), 1.0);
  return v;
}

uint64_t NameHash(std::string_view s) {  // FNV-1a: a stable per-leaf stream id
  uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

}  // namespace

struct LeafWriter::State {
  std::vector<std::string> nouns, verbs, adjectives;
  Zipf noun_zipf, verb_zipf, adj_zipf;
  // Preferred successors (the bigram structure): each noun has 4 verbs it
  // tends to take, each verb 4 objects, each noun 3 adjectives.
  std::vector<std::array<int, 4>> noun_verbs, verb_objects;
  std::vector<std::array<int, 3>> noun_adjectives;
  std::vector<Topic> topics;
  std::vector<ScriptVocab> scripts;
};

namespace {

// Writes units of one document. The template language of TemplateLeaf::unit:
//   %w noun  %W Noun  %a adjective  %v verb  %s sentence  %c Clause
//   %S surname  %F first name  %Q FIRST NAME  %L A-Z  %l a-z  %0 a digit
//   %n 0..99  %N 100..99999  %d decimal  %f 1.23e-04  %y year  %m month
//   %D day  %t hh:mm:ss  %b true/false
//   %x 2 hex digits  %h 4  %X 8  %K 40  %k 64
//   %i snake_ident  %I CamelIdent  %J UPPER_IDENT  %$ the last word again
//   %B 64 base64 chars  %Z 76  %U 43 base64url  %= a padded base64 tail
//   %G 60 ACGT  %g 12..30 ACGT  %j 10 acgt  %R 60 ACGU  %A 60 amino acids
//   %q 60 FASTQ qualities  %4 IPv4 address  %% a literal %
//   %( .. %) 1..4 times  %[ .. %] 3..10 times  %{ .. %} half the time
//   %< a %| b %| c %> one of the alternatives
class Writer {
 public:
  Writer(const LeafWriter::State& s, Philox& rng, std::string* out) : l_(s), r_(rng), o_(*out) {}

  int Noun() { return l_.noun_zipf.Sample(r_); }
  const std::string& NounWord(int noun) {
    if (topic_ != nullptr && r_.Bernoulli(0.45f)) return topic_->nouns[topic_->zipf.Sample(r_)];
    return l_.nouns[noun];
  }
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
    o_ += NounWord(noun);
  }
  // subject verb [object] [prepositional phrase], no final punctuation.
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
  void Sentence() {
    if (topic_ != nullptr && r_.Bernoulli(0.3f)) {
      o_ += topic_->openers[r_.UniformInt(topic_->openers.size())];
      o_ += ' ';
      Clause(false);
    } else {
      Clause(true);
    }
    if (r_.Bernoulli(0.25f)) {
      o_ += r_.Bernoulli(0.5f) ? ", " : " ";
      o_ += Pick(r_, kConjunctions);
      o_ += ' ';
      Clause(false);
    }
    o_ += '.';
  }

  void TopicUnit(const Topic& topic) {  // a paragraph
    topic_ = &topic;
    const int n = Between(r_, 2, 6);
    for (int i = 0; i < n; ++i) {
      if (i > 0) o_ += ' ';
      Sentence();
    }
    o_ += '\n';
    topic_ = nullptr;
  }

  void ScriptUnit(const ScriptLeaf& leaf, const ScriptVocab& v) {  // a paragraph
    const int sentences = Between(r_, 1, 4);
    for (int s = 0; s < sentences; ++s) {
      if (s > 0 && leaf.spaces) o_ += ' ';
      const int n = Between(r_, 3, 10);
      for (int i = 0; i < n; ++i) {
        if (i > 0 && leaf.spaces) o_ += ' ';
        if (leaf.digits_p > 0 && r_.Bernoulli(leaf.digits_p)) {
          o_ += std::to_string(Between(r_, 1, 2024));
        } else {
          o_ += v.words[v.zipf.Sample(r_)];
        }
      }
      o_ += leaf.ending;
      o_ += leaf.stop;
    }
    o_ += '\n';
  }

  void Expand(std::string_view t) {
    size_t i = 0;
    while (i < t.size()) {
      const size_t pct = t.find('%', i);
      if (pct == std::string_view::npos) {
        o_.append(t.data() + i, t.size() - i);
        return;
      }
      o_.append(t.data() + i, pct - i);
      const char k = t[pct + 1];
      i = pct + 2;
      if (k == '(' || k == '[' || k == '{' || k == '<') {
        const size_t end = Close(t, i);
        const std::string_view body = t.substr(i, end - i);
        i = end + 2;
        if (k == '<') {
          Expand(Alternative(body));
          continue;
        }
        const int times = k == '(' ? Between(r_, 1, 4) : k == '[' ? Between(r_, 3, 10) : (r_.Bernoulli(0.5f) ? 1 : 0);
        for (int n = 0; n < times; ++n) Expand(body);
        continue;
      }
      Placeholder(k);
    }
  }

 private:
  // Offset of the "%)"-like closer matching an opener whose body starts at i.
  static size_t Close(std::string_view t, size_t i) {
    int depth = 1;
    while (i + 1 < t.size()) {
      if (t[i] != '%') {
        ++i;
        continue;
      }
      const char k = t[i + 1];
      if (k == '(' || k == '[' || k == '{' || k == '<') ++depth;
      if ((k == ')' || k == ']' || k == '}' || k == '>') && --depth == 0) return i;
      i += 2;
    }
    return t.size();
  }
  // One "%|"-separated alternative of body, uniformly.
  std::string_view Alternative(std::string_view body) {
    std::vector<size_t> cuts = {0};
    int depth = 0;
    for (size_t i = 0; i + 1 < body.size(); ++i) {
      if (body[i] != '%') continue;
      const char k = body[i + 1];
      if (k == '(' || k == '[' || k == '{' || k == '<') ++depth;
      if (k == ')' || k == ']' || k == '}' || k == '>') --depth;
      if (k == '|' && depth == 0) cuts.push_back(i + 2);
      ++i;
    }
    const size_t pick = r_.UniformInt(cuts.size());
    const size_t begin = cuts[pick];
    const size_t end = pick + 1 < cuts.size() ? cuts[pick + 1] - 2 : body.size();
    return body.substr(begin, end - begin);
  }

  void Digits(int n, const char* alphabet, int size) {
    for (int i = 0; i < n; ++i) o_ += alphabet[r_.UniformInt(size)];
  }
  void Word(const std::string& w) {
    last_ = w;
    o_ += w;
  }
  std::string Ident(bool camel) {
    std::string a = l_.nouns[Noun()];
    if (!r_.Bernoulli(0.5f)) return camel ? Capitalized(a) : a;
    std::string b = l_.nouns[Noun()];
    return camel ? Capitalized(a) + Capitalized(b) : a + "_" + b;
  }
  void Base64(int chars) {
    static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    Digits(chars, kB64, 64);
  }

  void Placeholder(char k) {
    static const char kHex[] = "0123456789abcdef";
    switch (k) {
      case 'w': Word(l_.nouns[Noun()]); break;
      case 'W': Word(Capitalized(l_.nouns[Noun()])); break;
      case 'a': Word(l_.adjectives[l_.adj_zipf.Sample(r_)]); break;
      case 'v': Word(l_.verbs[l_.verb_zipf.Sample(r_)]); break;
      case 's': Sentence(); break;
      case 'c': Clause(true); break;
      case 'S': Word(Pick(r_, kSurnames)); break;
      case 'F': Word(Pick(r_, kSpeakers)); break;
      case 'Q': {
        std::string n = Pick(r_, kSpeakers);
        for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        Word(n);
        break;
      }
      case 'L': o_ += static_cast<char>('A' + r_.UniformInt(26)); break;
      case 'l': o_ += static_cast<char>('a' + r_.UniformInt(26)); break;
      case '0': o_ += static_cast<char>('0' + r_.UniformInt(10)); break;
      case 'n': o_ += std::to_string(r_.UniformInt(100)); break;
      case 'N': o_ += std::to_string(Between(r_, 100, 99999)); break;
      case 'd':
        o_ += std::to_string(r_.UniformInt(1000));
        o_ += '.';
        Digits(2, "0123456789", 10);
        break;
      case 'f':
        o_ += static_cast<char>('1' + r_.UniformInt(9));
        o_ += '.';
        Digits(2, "0123456789", 10);
        o_ += r_.Bernoulli(0.5f) ? "e-" : "e+";
        Digits(2, "0123456789", 10);
        break;
      case 'y': o_ += std::to_string(Between(r_, 1950, 2024)); break;
      case 'm': o_ += absl_two(Between(r_, 1, 12)); break;
      case 'D': o_ += absl_two(Between(r_, 1, 28)); break;
      case 't':
        o_ += absl_two(Between(r_, 0, 23)) + ":" + absl_two(Between(r_, 0, 59)) + ":" +
              absl_two(Between(r_, 0, 59));
        break;
      case 'b': o_ += r_.Bernoulli(0.5f) ? "true" : "false"; break;
      case 'x': Digits(2, kHex, 16); break;
      case 'h': Digits(4, kHex, 16); break;
      case 'X': Digits(8, kHex, 16); break;
      case 'K': Digits(40, kHex, 16); break;
      case 'k': Digits(64, kHex, 16); break;
      case 'i': Word(Ident(false)); break;
      case 'I': Word(Ident(true)); break;
      case 'J': {
        std::string id = Ident(false);
        for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        Word(id);
        break;
      }
      case '$': o_ += last_; break;
      case 'B': Base64(64); break;
      case 'Z': Base64(76); break;
      case 'U':
        Digits(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 64);
        break;
      case '=':
        Base64(Between(r_, 1, 15) * 4 + 2);
        o_ += r_.Bernoulli(0.5f) ? "==" : "A=";
        break;
      case 'G': Digits(60, "ACGT", 4); break;
      case 'g': Digits(Between(r_, 12, 30), "ACGT", 4); break;
      case 'j': Digits(10, "acgt", 4); break;
      case 'R': Digits(60, "ACGU", 4); break;
      case 'A': Digits(60, "ACDEFGHIKLMNPQRSTVWY", 20); break;
      case 'q': Digits(60, "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHI", 41); break;
      case '4':
        o_ += std::to_string(Between(r_, 1, 254)) + "." + std::to_string(r_.UniformInt(256)) + "." +
              std::to_string(r_.UniformInt(256)) + "." + std::to_string(Between(r_, 1, 254));
        break;
      case '%': o_ += '%'; break;
      default: o_ += k; break;  // not a placeholder: the character itself
    }
  }
  static std::string absl_two(int v) {
    std::string s = std::to_string(v);
    return s.size() < 2 ? "0" + s : s;
  }

  const LeafWriter::State& l_;
  Philox& r_;
  std::string& o_;
  const Topic* topic_ = nullptr;
  std::string last_;
};

Catalog BuildCatalog() {
  Catalog c;
  auto add = [&](const std::string& name, int parent) {
    c.labels.names.push_back(name);
    c.labels.parent.push_back(parent);
    c.ref.push_back({LeafKind::kTemplate, -1});
    return c.labels.size() - 1;
  };
  add("unknown", -1);
  for (const char* genre : GenreOrder()) {
    const int g = add(genre, -1);
    c.genres.push_back(g);
    std::vector<int> leaves;
    auto leaf = [&](const char* name, LeafKind kind, int row) {
      const int id = add(std::string(genre) + "/" + name, g);
      c.ref[id] = {kind, row};
      leaves.push_back(id);
    };
    const auto& templates = TemplateLeaves();
    for (size_t i = 0; i < templates.size(); ++i)
      if (std::strcmp(templates[i].genre, genre) == 0) leaf(templates[i].leaf, LeafKind::kTemplate, static_cast<int>(i));
    if (std::strcmp(genre, "prose") == 0) {
      for (size_t i = 0; i < TopicLeaves().size(); ++i) leaf(TopicLeaves()[i].leaf, LeafKind::kTopic, static_cast<int>(i));
    }
    const auto& scripts = ScriptLeaves();
    for (size_t i = 0; i < scripts.size(); ++i)
      if (std::strcmp(scripts[i].genre, genre) == 0) leaf(scripts[i].leaf, LeafKind::kScript, static_cast<int>(i));
    c.leaves.push_back(std::move(leaves));
  }
  return c;
}

}  // namespace

const Catalog& BuiltinCatalog() {
  static const Catalog* catalog = new Catalog(BuildCatalog());
  return *catalog;
}

LeafWriter::LeafWriter(uint64_t language_seed, int vocab, double s) : s_(std::make_unique<State>()) {
  State& l = *s_;
  Philox rng(language_seed, 0x6c616e67);  // "lang"
  std::set<std::string> used;
  for (const char* w : kDeterminers) used.insert(w);
  for (const char* w : kPrepositions) used.insert(w);
  for (const char* w : kConjunctions) used.insert(w);
  const int n_nouns = std::max(8, vocab * 2 / 5);
  const int n_verbs = std::max(8, vocab / 4);
  const int n_adj = std::max(8, vocab - n_nouns - n_verbs);
  l.nouns = MakeWords(rng, n_nouns, &used);
  l.verbs = MakeWords(rng, n_verbs, &used);
  for (std::string& v : l.verbs) v += "s";  // third person: a learnable suffix
  l.adjectives = MakeWords(rng, n_adj, &used);
  l.noun_zipf = Zipf(n_nouns, s);
  l.verb_zipf = Zipf(n_verbs, s);
  l.adj_zipf = Zipf(n_adj, s);
  l.noun_verbs.resize(n_nouns);
  l.noun_adjectives.resize(n_nouns);
  l.verb_objects.resize(n_verbs);
  for (auto& a : l.noun_verbs)
    for (int& x : a) x = l.verb_zipf.Sample(rng);
  for (auto& a : l.noun_adjectives)
    for (int& x : a) x = l.adj_zipf.Sample(rng);
  for (auto& a : l.verb_objects)
    for (int& x : a) x = l.noun_zipf.Sample(rng);

  // Each topic and script leaf draws its vocabulary from its own stream, so
  // adding a row never changes the words of another.
  for (const TopicLeaf& row : TopicLeaves()) {
    Philox trng(language_seed, NameHash(row.leaf));
    Topic t;
    for (absl::string_view o : absl::StrSplit(row.openers, '|')) t.openers.emplace_back(o);
    for (absl::string_view w : absl::StrSplit(row.nouns, ' ')) {
      t.nouns.emplace_back(w);
      used.insert(std::string(w));
    }
    std::vector<std::string> own = MakeWords(trng, 60, &used);
    t.nouns.insert(t.nouns.end(), own.begin(), own.end());
    t.zipf = Zipf(static_cast<int>(t.nouns.size()), s);
    l.topics.push_back(std::move(t));
  }
  for (const ScriptLeaf& row : ScriptLeaves()) {
    Philox srng(language_seed, NameHash(std::string(row.genre) + "/" + row.leaf));
    l.scripts.push_back(MakeScriptVocab(row, srng));
  }
}

LeafWriter::~LeafWriter() = default;

void LeafWriter::Document(int leaf_id, int target, Philox& rng, std::string* out) const {
  const LeafRef ref = BuiltinCatalog().ref[leaf_id];
  Writer w(*s_, rng, out);
  while (static_cast<int>(out->size()) < target) {
    switch (ref.kind) {
      case LeafKind::kTemplate: w.Expand(TemplateLeaves()[ref.row].unit); break;
      case LeafKind::kTopic: w.TopicUnit(s_->topics[ref.row]); break;
      case LeafKind::kScript: w.ScriptUnit(ScriptLeaves()[ref.row], s_->scripts[ref.row]); break;
    }
  }
}

}  // namespace monosem::corpus_internal
