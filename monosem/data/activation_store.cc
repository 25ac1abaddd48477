#include "monosem/data/activation_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "monosem/data/bf16.h"
#include "monosem/io/file_io.h"
#include "monosem/philox.h"
#include "monosem/status.h"
#include "nlohmann/json.hpp"

namespace monosem {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the store format is little-endian");

constexpr char kMagic[8] = {'M', 'S', 'A', 'C', 'T', 'S', 'H', 'D'};
constexpr char kEndMagic[8] = {'M', 'S', 'A', 'C', 'T', 'E', 'N', 'D'};
constexpr uint32_t kVersion = 2;
constexpr uint32_t kOldestVersion = 1;  // flat genre names, no parents
constexpr int64_t kFixedHeader = 56;
constexpr int64_t kMetaBytes = 20;
constexpr int64_t kTrailerBytes = 16;
constexpr char kManifest[] = "manifest.json";
constexpr char kFormat[] = "monosem-activation-store";

// ---------------------------------------------------------------- CRC-32C

struct Crc32cTable {
  uint32_t t[8][256];
  Crc32cTable() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
  }
};

uint32_t Crc32cSoftware(const uint8_t* p, size_t n, uint32_t crc) {
  static const Crc32cTable table;
  const auto& t = table.t;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    w ^= crc;
    crc = t[7][w & 0xFF] ^ t[6][(w >> 8) & 0xFF] ^ t[5][(w >> 16) & 0xFF] ^ t[4][(w >> 24) & 0xFF] ^
          t[3][(w >> 32) & 0xFF] ^ t[2][(w >> 40) & 0xFF] ^ t[1][(w >> 48) & 0xFF] ^ t[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xFF];
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(const uint8_t* p, size_t n,
                                                           uint32_t crc) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

// ---------------------------------------------------------------- helpers

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

int64_t ElementBytes(ActivationDtype dtype) { return dtype == ActivationDtype::kBf16 ? 2 : 4; }

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}
template <typename T>
T Get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

std::string ShardName(int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "shard-%05lld.msact", static_cast<long long>(index));
  return buf;
}

// Version 2's names section: "PARENT\tNAME" per label id.
std::string EncodeLabels(const LabelSet& labels) {
  std::string out;
  for (int i = 0; i < labels.size(); ++i) {
    absl::StrAppend(&out, i > 0 ? "\n" : "", labels.parent[i], "\t", labels.names[i]);
  }
  return out;
}

absl::StatusOr<LabelSet> DecodeLabels(const std::string& text, uint32_t version) {
  LabelSet labels;
  if (text.empty()) return labels;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (version == 1) {
      labels.names.emplace_back(line);
      labels.parent.push_back(-1);
      continue;
    }
    const size_t tab = line.find('\t');
    int parent = 0;
    if (tab == absl::string_view::npos || !absl::SimpleAtoi(line.substr(0, tab), &parent) ||
        parent < -1) {
      return absl::DataLossError(absl::StrCat("malformed label line \"", line, "\""));
    }
    labels.names.emplace_back(line.substr(tab + 1));
    labels.parent.push_back(parent);
  }
  for (int p : labels.parent) {  // parents may come after their children
    if (p >= labels.size()) return absl::DataLossError(absl::StrCat("label parent ", p, " out of range"));
  }
  return labels;
}

std::string EncodeHeader(const ActivationStoreOptions& o, int64_t n, int64_t shard_index) {
  const std::string names = EncodeLabels(o.labels);
  std::string h(kMagic, 8);
  Put<uint32_t>(&h, kVersion);
  Put<uint32_t>(&h, static_cast<uint32_t>(o.dtype));
  Put<int64_t>(&h, n);
  Put<int64_t>(&h, o.d);
  Put<int64_t>(&h, shard_index);
  Put<int32_t>(&h, o.block_rows);
  Put<uint32_t>(&h, static_cast<uint32_t>(o.checkpoint_hash.size()));
  Put<uint32_t>(&h, static_cast<uint32_t>(o.config_text.size()));
  Put<uint32_t>(&h, static_cast<uint32_t>(names.size()));
  h += o.checkpoint_hash;
  h += o.config_text;
  h += names;
  Put<uint32_t>(&h, Crc32c(h.data(), h.size()));
  return h;
}

std::atomic<int64_t> temp_counter{0};

}  // namespace

uint32_t Crc32c(const void* data, size_t n, uint32_t crc) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("sse4.2");
  crc = hw ? Crc32cHardware(p, n, crc) : Crc32cSoftware(p, n, crc);
#else
  crc = Crc32cSoftware(p, n, crc);
#endif
  return ~crc;
}

const char* ActivationDtypeName(ActivationDtype dtype) {
  return dtype == ActivationDtype::kBf16 ? "bf16" : "float32";
}

// ---------------------------------------------------------------- writer

// A shard being written: a temporary file renamed over its name on Commit.
struct ActivationStoreWriter::Shard {
  std::string path, tmp;
  FILE* file = nullptr;
  int64_t index = 0;
  int64_t n = 0;
  int64_t header_bytes = 0;

  ~Shard() {
    if (file != nullptr) {
      std::fclose(file);
      ::unlink(tmp.c_str());
    }
  }
  absl::Status Write(const void* p, size_t bytes) {
    if (bytes > 0 && std::fwrite(p, 1, bytes, file) != bytes) return Errno("cannot write", tmp);
    return absl::OkStatus();
  }
};

ActivationStoreWriter::ActivationStoreWriter(ActivationStoreOptions options)
    : options_(std::move(options)) {}

ActivationStoreWriter::~ActivationStoreWriter() = default;

absl::StatusOr<std::unique_ptr<ActivationStoreWriter>> ActivationStoreWriter::Create(
    const ActivationStoreOptions& options) {
  if (options.dir.empty()) return absl::InvalidArgumentError("activation store: empty dir");
  if (options.d <= 0 || options.d > (1 << 24)) {
    return absl::InvalidArgumentError(
        absl::StrCat("activation store ", options.dir, ": vector width d = ", options.d, " is not in [1, 2^24]"));
  }
  if (options.vectors_per_shard <= 0 || options.block_rows <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("activation store ", options.dir,
                                                   ": vectors_per_shard and block_rows must be > 0"));
  }
  if (options.dtype != ActivationDtype::kFloat32 && options.dtype != ActivationDtype::kBf16) {
    return absl::InvalidArgumentError("activation store: unknown dtype");
  }
  MONOSEM_RETURN_IF_ERROR(MakeDirs(options.dir));
  const std::string manifest = absl::StrCat(options.dir, "/", kManifest);
  if (::access(manifest.c_str(), F_OK) == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(options.dir, " already holds an activation store (", manifest, ")"));
  }
  auto w = std::unique_ptr<ActivationStoreWriter>(new ActivationStoreWriter(options));
  w->block_values_.reserve(options.block_rows * options.d);
  w->block_meta_.reserve(options.block_rows);
  return w;
}

absl::Status ActivationStoreWriter::OpenShard() {
  auto s = std::make_unique<Shard>();
  s->index = static_cast<int64_t>(shard_files_.size());
  s->path = absl::StrCat(options_.dir, "/", ShardName(s->index));
  s->tmp = absl::StrCat(s->path, ".tmp.", ::getpid(), ".", temp_counter++);
  s->file = std::fopen(s->tmp.c_str(), "wb");
  if (s->file == nullptr) return Errno("cannot create", s->tmp);
  // A placeholder header (n = 0); the real one is written over it on close.
  const std::string header = EncodeHeader(options_, 0, s->index);
  s->header_bytes = static_cast<int64_t>(header.size());
  MONOSEM_RETURN_IF_ERROR(s->Write(header.data(), header.size()));
  shard_ = std::move(s);
  return absl::OkStatus();
}

absl::Status ActivationStoreWriter::FlushBlock() {
  const int64_t rows = static_cast<int64_t>(block_meta_.size());
  if (rows == 0) return absl::OkStatus();
  if (shard_ == nullptr) MONOSEM_RETURN_IF_ERROR(OpenShard());
  std::string block;
  block.reserve(rows * (kMetaBytes + options_.d * ElementBytes(options_.dtype)) + 4);
  for (const VectorMeta& m : block_meta_) {
    Put<int64_t>(&block, m.context);
    Put<int32_t>(&block, m.token);
    Put<int32_t>(&block, m.position);
    Put<int32_t>(&block, m.label);
  }
  if (options_.dtype == ActivationDtype::kFloat32) {
    block.append(reinterpret_cast<const char*>(block_values_.data()),
                 block_values_.size() * sizeof(float));
  } else {
    const size_t at = block.size();
    block.resize(at + block_values_.size() * 2);
    std::vector<uint16_t> h(block_values_.size());
    FloatToBf16(block_values_, absl::MakeSpan(h));
    std::memcpy(&block[at], h.data(), h.size() * 2);
  }
  Put<uint32_t>(&block, Crc32c(block.data(), block.size()));
  MONOSEM_RETURN_IF_ERROR(shard_->Write(block.data(), block.size()));
  shard_->n += rows;
  block_values_.clear();
  block_meta_.clear();
  if (shard_->n >= options_.vectors_per_shard) MONOSEM_RETURN_IF_ERROR(CloseShard());
  return absl::OkStatus();
}

absl::Status ActivationStoreWriter::CloseShard() {
  if (shard_ == nullptr) return absl::OkStatus();
  Shard& s = *shard_;
  std::string trailer(kEndMagic, 8);
  Put<int64_t>(&trailer, s.n);
  MONOSEM_RETURN_IF_ERROR(s.Write(trailer.data(), trailer.size()));
  const std::string header = EncodeHeader(options_, s.n, s.index);
  if (std::fflush(s.file) != 0) return Errno("cannot write", s.tmp);
  if (::pwrite(::fileno(s.file), header.data(), header.size(), 0) !=
      static_cast<ssize_t>(header.size())) {
    return Errno("cannot write header of", s.tmp);
  }
  if (::fsync(::fileno(s.file)) != 0) return Errno("cannot flush", s.tmp);
  const int rc = std::fclose(s.file);
  s.file = nullptr;
  if (rc != 0) {
    ::unlink(s.tmp.c_str());
    return Errno("cannot close", s.tmp);
  }
  if (std::rename(s.tmp.c_str(), s.path.c_str()) != 0) {
    absl::Status st = Errno("cannot rename to", s.path);
    ::unlink(s.tmp.c_str());
    return st;
  }
  shard_files_.push_back(ShardName(s.index));
  shard_sizes_.push_back(s.n);
  shard_.reset();
  return absl::OkStatus();
}

absl::Status ActivationStoreWriter::Append(absl::Span<const float> values,
                                           absl::Span<const VectorMeta> meta) {
  if (finished_) return absl::FailedPreconditionError("activation store: Append after Finish");
  if (static_cast<int64_t>(values.size()) != static_cast<int64_t>(meta.size()) * options_.d) {
    return absl::InvalidArgumentError(
        absl::StrCat("activation store ", options_.dir, ": ", values.size(), " values for ",
                     meta.size(), " vectors of width ", options_.d));
  }
  for (size_t i = 0; i < meta.size(); ++i) {
    block_meta_.push_back(meta[i]);
    block_values_.insert(block_values_.end(), values.begin() + i * options_.d,
                         values.begin() + (i + 1) * options_.d);
    ++n_total_;
    const int64_t in_shard = (shard_ ? shard_->n : 0) + static_cast<int64_t>(block_meta_.size());
    if (static_cast<int64_t>(block_meta_.size()) == options_.block_rows ||
        in_shard == options_.vectors_per_shard) {
      MONOSEM_RETURN_IF_ERROR(FlushBlock());
    }
  }
  return absl::OkStatus();
}

absl::Status ActivationStoreWriter::Finish() {
  if (finished_) return absl::OkStatus();
  MONOSEM_RETURN_IF_ERROR(FlushBlock());
  MONOSEM_RETURN_IF_ERROR(CloseShard());
  if (n_total_ == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("activation store ", options_.dir, ": no vectors were appended"));
  }
  nlohmann::json m;
  m["format"] = kFormat;
  m["version"] = kVersion;
  m["n"] = n_total_;
  m["d"] = options_.d;
  m["dtype"] = ActivationDtypeName(options_.dtype);
  m["checkpoint_hash"] = options_.checkpoint_hash;
  m["config"] = options_.config_text;
  m["labels"] = nlohmann::json::array();
  for (int i = 0; i < options_.labels.size(); ++i) {
    m["labels"].push_back({{"name", options_.labels.names[i]}, {"parent", options_.labels.parent[i]}});
  }
  m["shards"] = nlohmann::json::array();
  for (size_t i = 0; i < shard_files_.size(); ++i) {
    m["shards"].push_back({{"file", shard_files_[i]}, {"n", shard_sizes_[i]}});
  }
  MONOSEM_RETURN_IF_ERROR(
      WriteFileAtomic(absl::StrCat(options_.dir, "/", kManifest), m.dump(2) + "\n"));
  finished_ = true;
  return absl::OkStatus();
}

// ---------------------------------------------------------------- reader

ActivationShardReader::~ActivationShardReader() {
  if (file_ != nullptr) std::fclose(file_);
}

absl::StatusOr<std::unique_ptr<ActivationShardReader>> ActivationShardReader::Open(
    const std::string& path) {
  auto r = std::unique_ptr<ActivationShardReader>(new ActivationShardReader());
  r->path_ = path;
  r->file_ = std::fopen(path.c_str(), "rb");
  if (r->file_ == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(::fileno(r->file_), &st) != 0) return Errno("cannot stat", path);
  const int64_t file_size = st.st_size;
  auto bad = [&](int64_t offset, const std::string& what) {
    return absl::DataLossError(
        absl::StrCat(path, ": ", what, " at byte offset ", offset));
  };
  uint8_t fixed[kFixedHeader];
  if (file_size < kFixedHeader || std::fread(fixed, 1, kFixedHeader, r->file_) != kFixedHeader) {
    return bad(file_size, absl::StrCat("truncated header: the file is ", file_size,
                                       " bytes, a shard header at least ", kFixedHeader + 4));
  }
  if (std::memcmp(fixed, kMagic, 8) != 0) return bad(0, "bad magic (not an activation shard)");
  const uint32_t version = Get<uint32_t>(fixed + 8);
  if (version < kOldestVersion || version > kVersion) {
    return bad(8, absl::StrCat("unsupported version ", version, " (this reader knows ", kOldestVersion,
                               " to ", kVersion, ")"));
  }
  const uint32_t dtype = Get<uint32_t>(fixed + 12);
  const int64_t n = Get<int64_t>(fixed + 16);
  const int64_t d = Get<int64_t>(fixed + 24);
  r->shard_index_ = Get<int64_t>(fixed + 32);
  r->block_rows_ = Get<int32_t>(fixed + 40);
  const uint64_t var = static_cast<uint64_t>(Get<uint32_t>(fixed + 44)) + Get<uint32_t>(fixed + 48) +
                       Get<uint32_t>(fixed + 52);
  const int64_t header_bytes = kFixedHeader + static_cast<int64_t>(var) + 4;
  if (header_bytes > file_size) {
    return bad(file_size, absl::StrCat("truncated header: the file is ", file_size,
                                       " bytes, its header says ", header_bytes));
  }
  std::vector<uint8_t> header(header_bytes);
  std::memcpy(header.data(), fixed, kFixedHeader);
  if (std::fread(header.data() + kFixedHeader, 1, header_bytes - kFixedHeader, r->file_) !=
      static_cast<size_t>(header_bytes - kFixedHeader)) {
    return bad(kFixedHeader, "short read in the header");
  }
  const uint32_t want = Get<uint32_t>(header.data() + header_bytes - 4);
  if (Crc32c(header.data(), header_bytes - 4) != want) {
    return bad(header_bytes - 4, "header checksum mismatch (corrupt header)");
  }
  // The checksum held, so these are what the writer wrote; still refuse nonsense.
  if (dtype > 1) return bad(12, absl::StrCat("unknown dtype ", dtype));
  if (n < 0 || d <= 0 || d > (1 << 24) || r->block_rows_ <= 0) {
    return bad(16, absl::StrCat("impossible shape n = ", n, ", d = ", d, ", block_rows = ", r->block_rows_));
  }
  ActivationStoreInfo& info = r->info_;
  info.n = n;
  info.d = d;
  info.dtype = static_cast<ActivationDtype>(dtype);
  const char* p = reinterpret_cast<const char*>(header.data()) + kFixedHeader;
  info.checkpoint_hash.assign(p, Get<uint32_t>(fixed + 44));
  p += info.checkpoint_hash.size();
  info.config_text.assign(p, Get<uint32_t>(fixed + 48));
  p += info.config_text.size();
  const std::string names(p, Get<uint32_t>(fixed + 52));
  auto labels = DecodeLabels(names, version);
  if (!labels.ok()) return bad(kFixedHeader, std::string(labels.status().message()));
  info.labels = *std::move(labels);
  info.shard_paths = {path};
  info.shard_sizes = {n};
  const int64_t blocks = (n + r->block_rows_ - 1) / r->block_rows_;
  const int64_t expected =
      header_bytes + n * (kMetaBytes + d * ElementBytes(info.dtype)) + blocks * 4 + kTrailerBytes;
  if (file_size != expected) {
    return bad(std::min(file_size, expected),
               absl::StrCat(file_size < expected ? "truncated" : "trailing bytes", ": the file is ",
                            file_size, " bytes, its header (n = ", n, ", d = ", d, ", ",
                            ActivationDtypeName(info.dtype), ") says ", expected));
  }
  r->offset_ = header_bytes;
  return r;
}

absl::StatusOr<int64_t> ActivationShardReader::ReadBlock(std::vector<float>* values,
                                                         std::vector<VectorMeta>* meta) {
  const int64_t d = info_.d;
  const int64_t rows = std::min<int64_t>(block_rows_, info_.n - rows_read_);
  if (rows <= 0) {
    if (rows_read_ == info_.n && block_index_ >= 0) {
      uint8_t t[kTrailerBytes];
      if (std::fread(t, 1, kTrailerBytes, file_) != kTrailerBytes) {
        return absl::DataLossError(absl::StrCat(path_, ": truncated trailer at byte offset ", offset_));
      }
      if (std::memcmp(t, kEndMagic, 8) != 0 || Get<int64_t>(t + 8) != info_.n) {
        return absl::DataLossError(absl::StrCat(path_, ": bad trailer at byte offset ", offset_));
      }
      offset_ += kTrailerBytes;
      block_index_ = -1;  // trailer checked
    }
    values->clear();
    meta->clear();
    return 0;
  }
  const int64_t eb = ElementBytes(info_.dtype);
  const int64_t bytes = rows * (kMetaBytes + d * eb) + 4;
  raw_.resize(bytes);
  if (std::fread(raw_.data(), 1, bytes, file_) != static_cast<size_t>(bytes)) {
    return absl::DataLossError(absl::StrCat(path_, ": truncated block ", block_index_,
                                            " at byte offset ", offset_));
  }
  if (Crc32c(raw_.data(), bytes - 4) != Get<uint32_t>(raw_.data() + bytes - 4)) {
    return absl::DataLossError(absl::StrCat(
        path_, ": checksum mismatch in block ", block_index_, " (vectors ", rows_read_, "..",
        rows_read_ + rows - 1, ") at byte offset ", offset_));
  }
  meta->resize(rows);
  const uint8_t* p = raw_.data();
  for (int64_t i = 0; i < rows; ++i, p += kMetaBytes) {
    VectorMeta& m = (*meta)[i];
    m.context = Get<int64_t>(p);
    m.token = Get<int32_t>(p + 8);
    m.position = Get<int32_t>(p + 12);
    m.label = Get<int32_t>(p + 16);
  }
  values->resize(rows * d);
  if (info_.dtype == ActivationDtype::kFloat32) {
    std::memcpy(values->data(), p, rows * d * sizeof(float));
  } else {
    for (int64_t i = 0; i < rows * d; ++i) (*values)[i] = Bf16ToFloat(Get<uint16_t>(p + 2 * i));
  }
  rows_read_ += rows;
  ++block_index_;
  offset_ += bytes;
  return rows;
}

absl::StatusOr<ActivationStoreInfo> OpenActivationStore(const std::string& dir) {
  const std::string manifest_path = absl::StrCat(dir, "/", kManifest);
  auto text = ReadFileBounded(manifest_path, kMaxConfigBytes);
  if (!text.ok()) {
    return absl::NotFoundError(absl::StrCat(
        "no activation store in ", dir, ": ", text.status().message(),
        " (a store without its manifest was never finished)"));
  }
  ActivationStoreInfo info;
  try {
    const nlohmann::json m = nlohmann::json::parse(*text);
    if (m.at("format").get<std::string>() != kFormat) {
      return absl::DataLossError(absl::StrCat(manifest_path, ": not an activation store manifest"));
    }
    const uint32_t version = m.at("version").get<uint32_t>();
    if (version < kOldestVersion || version > kVersion) {
      return absl::DataLossError(absl::StrCat(manifest_path, ": unsupported version ",
                                              m.at("version").dump()));
    }
    info.n = m.at("n").get<int64_t>();
    info.d = m.at("d").get<int64_t>();
    const std::string dtype = m.at("dtype").get<std::string>();
    if (dtype != "float32" && dtype != "bf16") {
      return absl::DataLossError(absl::StrCat(manifest_path, ": unknown dtype \"", dtype, "\""));
    }
    info.dtype = dtype == "bf16" ? ActivationDtype::kBf16 : ActivationDtype::kFloat32;
    info.checkpoint_hash = m.at("checkpoint_hash").get<std::string>();
    info.config_text = m.at("config").get<std::string>();
    if (version == 1) {
      info.labels = FlatLabels(m.at("genre_names").get<std::vector<std::string>>());
    } else {
      for (const auto& l : m.at("labels")) {
        info.labels.names.push_back(l.at("name").get<std::string>());
        info.labels.parent.push_back(l.at("parent").get<int>());
      }
    }
    for (const auto& s : m.at("shards")) {
      // A shard is a file in the store's own folder: a path ("../x", "/etc/x",
      // "a/b") would make the store read outside it.
      const std::string file = s.at("file").get<std::string>();
      if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos ||
          file.find('\0') != std::string::npos) {
        return absl::DataLossError(absl::StrCat(manifest_path, ": shard file \"", file,
                                                "\" is not a file name in the store's folder"));
      }
      info.shard_paths.push_back(absl::StrCat(dir, "/", file));
      info.shard_sizes.push_back(s.at("n").get<int64_t>());
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat(manifest_path, ": malformed manifest: ", e.what()));
  }
  int64_t total = 0;
  for (size_t i = 0; i < info.shard_paths.size(); ++i) {
    MONOSEM_ASSIGN_OR_RETURN(auto shard, ActivationShardReader::Open(info.shard_paths[i]));
    const ActivationStoreInfo& s = shard->info();
    if (s.n != info.shard_sizes[i] || s.d != info.d || s.dtype != info.dtype ||
        s.checkpoint_hash != info.checkpoint_hash || shard->shard_index() != static_cast<int64_t>(i)) {
      return absl::DataLossError(absl::StrCat(
          info.shard_paths[i], ": header (shard ", shard->shard_index(), ", n = ", s.n, ", d = ", s.d,
          ", ", ActivationDtypeName(s.dtype), ", checkpoint ", s.checkpoint_hash,
          ") disagrees with ", manifest_path));
    }
    total += s.n;
  }
  if (total != info.n) {
    return absl::DataLossError(absl::StrCat(manifest_path, ": says n = ", info.n,
                                            " but its shards hold ", total));
  }
  return info;
}

absl::Status ReadActivationStore(const std::string& dir, Tensor* values,
                                 std::vector<VectorMeta>* meta) {
  MONOSEM_ASSIGN_OR_RETURN(ActivationStoreInfo info, OpenActivationStore(dir));
  *values = Tensor::Uninitialized({info.n, info.d});
  meta->clear();
  meta->reserve(info.n);
  std::vector<float> v;
  std::vector<VectorMeta> m;
  int64_t row = 0;
  for (const std::string& path : info.shard_paths) {
    MONOSEM_ASSIGN_OR_RETURN(auto shard, ActivationShardReader::Open(path));
    while (true) {
      MONOSEM_ASSIGN_OR_RETURN(int64_t rows, shard->ReadBlock(&v, &m));
      if (rows == 0) break;
      std::memcpy(values->data() + row * info.d, v.data(), v.size() * sizeof(float));
      meta->insert(meta->end(), m.begin(), m.end());
      row += rows;
    }
  }
  return absl::OkStatus();
}

std::vector<int32_t> SamplePositions(uint64_t seed, int64_t context, int32_t n_ctx, int32_t k) {
  std::vector<int32_t> positions(std::max(n_ctx, 0));
  for (int32_t i = 0; i < n_ctx; ++i) positions[i] = i;
  if (k >= n_ctx) return positions;
  if (k <= 0) return {};
  Philox rng(seed, static_cast<uint64_t>(context));
  for (int32_t i = 0; i < k; ++i) {  // partial Fisher-Yates
    const int32_t j = i + static_cast<int32_t>(rng.UniformInt(static_cast<uint32_t>(n_ctx - i)));
    std::swap(positions[i], positions[j]);
  }
  positions.resize(k);
  std::sort(positions.begin(), positions.end());
  return positions;
}

absl::Status AppendSampledActivations(ActivationStoreWriter* writer, const Tensor& acts,
                                      int64_t batch, int64_t n_ctx,
                                      absl::Span<const int32_t> tokens,
                                      absl::Span<const LabelId> labels, int64_t first_context,
                                      int32_t per_context, uint64_t seed) {
  if (batch <= 0 || n_ctx <= 0 || acts.size() % (batch * n_ctx) != 0 || acts.rank() < 2) {
    return absl::InvalidArgumentError(absl::StrCat("harvest: activations of shape ",
                                                   ShapeToString(acts.shape()), " are not [",
                                                   batch, ", ", n_ctx, ", d]"));
  }
  const int64_t d = acts.size() / (batch * n_ctx);
  if (static_cast<int64_t>(tokens.size()) != batch * n_ctx ||
      static_cast<int64_t>(labels.size()) != batch * n_ctx) {
    return absl::InvalidArgumentError(absl::StrCat("harvest: ", tokens.size(), " tokens and ",
                                                   labels.size(), " labels for ", batch,
                                                   " x ", n_ctx, " positions"));
  }
  std::vector<float> values;
  std::vector<VectorMeta> meta;
  for (int64_t b = 0; b < batch; ++b) {
    values.clear();
    meta.clear();
    for (int32_t t : SamplePositions(seed, first_context + b, static_cast<int32_t>(n_ctx), per_context)) {
      const int64_t row = b * n_ctx + t;
      values.insert(values.end(), acts.data() + row * d, acts.data() + (row + 1) * d);
      meta.push_back({first_context + b, tokens[row], t, labels[row]});
    }
    MONOSEM_RETURN_IF_ERROR(writer->Append(values, meta));
  }
  return absl::OkStatus();
}

}  // namespace monosem
