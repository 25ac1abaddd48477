#include "monosem/data/text_loader.h"

#include <dirent.h>
#include <sys/stat.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "monosem/status.h"
#include "nlohmann/json.hpp"

namespace monosem {
namespace {

struct FileCloser {
  void operator()(FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<FILE, FileCloser>;

absl::StatusOr<File> Open(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  return f;
}

// Accumulates documents into a Corpus, honouring max_bytes.
class Sink {
 public:
  explicit Sink(const TextLoadOptions& options) : options_(options) {
    corpus_.labels = BuiltinLabels();
    for (int i = 0; i < corpus_.labels.size(); ++i) index_[corpus_.labels.names[i]] = static_cast<LabelId>(i);
  }
  bool full() const { return options_.max_bytes > 0 && corpus_.size() >= options_.max_bytes; }

  absl::StatusOr<LabelId> Label(const std::string& name) {
    auto it = index_.find(name);
    if (it != index_.end()) return it->second;
    if (corpus_.labels.size() >= kMaxLabels) {
      return absl::ResourceExhaustedError(absl::StrCat("more than ", kMaxLabels,
                                                       " distinct labels; \"", name, "\" is one too many"));
    }
    corpus_.labels.names.push_back(name);
    corpus_.labels.parent.push_back(-1);  // a new top-level label
    const LabelId id = static_cast<LabelId>(corpus_.labels.size() - 1);
    index_[name] = id;
    return id;
  }

  void Add(absl::string_view text, LabelId label) {
    Append(text, label);
    Append(options_.separator, label);
  }

  Corpus Take() { return std::move(corpus_); }

 private:
  void Append(absl::string_view s, LabelId label) {
    if (options_.max_bytes > 0) {
      const int64_t room = options_.max_bytes - corpus_.size();
      if (room <= 0) return;
      if (static_cast<int64_t>(s.size()) > room) s = s.substr(0, room);
    }
    corpus_.bytes.insert(corpus_.bytes.end(), s.begin(), s.end());
    corpus_.label.insert(corpus_.label.end(), s.size(), label);
  }

  const TextLoadOptions& options_;
  Corpus corpus_;
  absl::flat_hash_map<std::string, LabelId> index_;  // name -> id
};

absl::Status LoadPlain(const std::string& path, Sink* sink) {
  MONOSEM_ASSIGN_OR_RETURN(File f, Open(path));
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f.get())) > 0) text.append(buf, n);
  if (std::ferror(f.get())) {
    return absl::DataLossError(absl::StrCat("cannot read ", path, " at byte offset ", text.size(), ": ",
                                            std::strerror(errno)));
  }
  if (!text.empty()) sink->Add(text, kLabelUnknown);
  return absl::OkStatus();
}

// One JSONL record; `line` counts from 1, `offset` is the (decompressed) byte
// offset of the line's start.
absl::Status AddRecord(const std::string& path, const std::string& line, int64_t line_no,
                       int64_t offset, const TextLoadOptions& options, Sink* sink) {
  if (line.find_first_not_of(" \t\r") == std::string::npos) return absl::OkStatus();
  nlohmann::json record;
  try {
    record = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": line ", line_no, " (byte offset ", offset,
                                            "): invalid JSON: ", e.what()));
  }
  auto text = record.is_object() ? record.find(options.text_field) : record.end();
  if (!record.is_object() || text == record.end() || !text->is_string()) {
    return absl::DataLossError(absl::StrCat(path, ": line ", line_no, " (byte offset ", offset,
                                            "): no string field \"", options.text_field, "\""));
  }
  LabelId label = kLabelUnknown;
  if (!options.genre_field.empty()) {
    const nlohmann::json* v = &record;
    for (absl::string_view part : absl::StrSplit(options.genre_field, '.')) {
      if (!v->is_object()) {
        v = nullptr;
        break;
      }
      auto it = v->find(std::string(part));
      if (it == v->end()) {
        v = nullptr;
        break;
      }
      v = &*it;
    }
    if (v != nullptr && v->is_string()) {
      auto l = sink->Label(v->get<std::string>());
      if (!l.ok()) return absl::Status(l.status().code(), absl::StrCat(path, ": line ", line_no, ": ", l.status().message()));
      label = *l;
    }
  }
  sink->Add(text->get_ref<const std::string&>(), label);
  return absl::OkStatus();
}

// Splits a stream of bytes into lines and feeds records.
class LineSplitter {
 public:
  LineSplitter(const std::string& path, const TextLoadOptions& options, Sink* sink)
      : path_(path), options_(options), sink_(sink) {}

  absl::Status Feed(const char* data, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i < n; ++i) {
      if (data[i] != '\n') continue;
      pending_.append(data + start, i - start);
      MONOSEM_RETURN_IF_ERROR(Flush());
      start = i + 1;
      if (sink_->full()) return absl::OkStatus();
    }
    pending_.append(data + start, n - start);
    return absl::OkStatus();
  }
  absl::Status Finish() { return pending_.empty() ? absl::OkStatus() : Flush(); }

 private:
  absl::Status Flush() {
    ++line_no_;
    absl::Status s = AddRecord(path_, pending_, line_no_, offset_, options_, sink_);
    offset_ += static_cast<int64_t>(pending_.size()) + 1;
    pending_.clear();
    return s;
  }

  const std::string& path_;
  const TextLoadOptions& options_;
  Sink* sink_;
  std::string pending_;
  int64_t line_no_ = 0;
  int64_t offset_ = 0;
};

absl::Status LoadJsonl(const std::string& path, const TextLoadOptions& options, Sink* sink) {
  MONOSEM_ASSIGN_OR_RETURN(File f, Open(path));
  LineSplitter lines(path, options, sink);
  char buf[1 << 16];
  size_t n;
  int64_t offset = 0;
  while (!sink->full() && (n = std::fread(buf, 1, sizeof(buf), f.get())) > 0) {
    MONOSEM_RETURN_IF_ERROR(lines.Feed(buf, n));
    offset += static_cast<int64_t>(n);
  }
  if (std::ferror(f.get())) {
    return absl::DataLossError(absl::StrCat("cannot read ", path, " at byte offset ", offset));
  }
  return sink->full() ? absl::OkStatus() : lines.Finish();
}

struct DctxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

absl::Status LoadZstJsonl(const std::string& path, const TextLoadOptions& options, Sink* sink) {
  MONOSEM_ASSIGN_OR_RETURN(File f, Open(path));
  std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return absl::ResourceExhaustedError("ZSTD_createDCtx failed");
  std::vector<char> in(ZSTD_DStreamInSize()), out(ZSTD_DStreamOutSize());
  LineSplitter lines(path, options, sink);
  int64_t file_offset = 0;   // compressed bytes read so far
  int64_t decompressed = 0;
  size_t last_ret = 0;       // 0: at a frame boundary
  bool any_input = false;
  while (!sink->full()) {
    const size_t got = std::fread(in.data(), 1, in.size(), f.get());
    if (got == 0) {
      if (std::ferror(f.get())) {
        return absl::DataLossError(
            absl::StrCat("cannot read ", path, " at byte offset ", file_offset, ": ", std::strerror(errno)));
      }
      break;
    }
    any_input = true;
    ZSTD_inBuffer input{in.data(), got, 0};
    while (input.pos < input.size || last_ret > 0) {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      const size_t before = input.pos;
      last_ret = ZSTD_decompressStream(dctx.get(), &output, &input);
      if (ZSTD_isError(last_ret)) {
        return absl::DataLossError(absl::StrCat(
            path, ": corrupt zstd data at compressed byte offset ", file_offset + before, " (",
            decompressed, " bytes decompressed): ", ZSTD_getErrorName(last_ret)));
      }
      decompressed += static_cast<int64_t>(output.pos);
      MONOSEM_RETURN_IF_ERROR(lines.Feed(out.data(), output.pos));
      if (sink->full()) return absl::OkStatus();
      // No progress: the decoder needs more input.
      if (output.pos == 0 && input.pos == before) break;
      if (input.pos == input.size && output.pos < output.size) break;
    }
    file_offset += static_cast<int64_t>(got);
  }
  if (sink->full()) return absl::OkStatus();
  if (!any_input) {
    return absl::DataLossError(absl::StrCat(path, ": empty file at byte offset 0; a .zst shard holds at least one zstd frame"));
  }
  if (last_ret != 0) {
    return absl::DataLossError(absl::StrCat(path, ": truncated zstd stream: the file ends at byte offset ",
                                            file_offset, " inside a frame (", decompressed,
                                            " bytes decompressed)"));
  }
  return lines.Finish();
}

absl::Status ListFiles(const std::string& dir, std::vector<std::string>* files) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return absl::NotFoundError(absl::StrCat("cannot open folder ", dir, ": ", std::strerror(errno)));
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    names.push_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string p = absl::StrCat(dir, "/", name);
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      MONOSEM_RETURN_IF_ERROR(ListFiles(p, files));
    } else if (S_ISREG(st.st_mode)) {
      files->push_back(p);
    }
  }
  return absl::OkStatus();
}

absl::Status LoadOne(const std::string& path, const TextLoadOptions& options, Sink* sink) {
  if (absl::EndsWith(path, ".zst")) return LoadZstJsonl(path, options, sink);
  if (absl::EndsWith(path, ".jsonl") || absl::EndsWith(path, ".ndjson")) {
    return LoadJsonl(path, options, sink);
  }
  return LoadPlain(path, sink);
}

}  // namespace

absl::StatusOr<Corpus> LoadText(const std::string& path, const TextLoadOptions& options) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  Sink sink(options);
  if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> files;
    MONOSEM_RETURN_IF_ERROR(ListFiles(path, &files));
    for (const std::string& f : files) {
      if (sink.full()) break;
      MONOSEM_RETURN_IF_ERROR(LoadOne(f, options, &sink));
    }
  } else {
    MONOSEM_RETURN_IF_ERROR(LoadOne(path, options, &sink));
  }
  Corpus corpus = sink.Take();
  if (corpus.bytes.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("empty corpus: ", path, " holds no text"));
  }
  return corpus;
}

}  // namespace monosem
