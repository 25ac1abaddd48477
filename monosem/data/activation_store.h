// The activation store: MLP activations harvested from a model, on disk as
// sharded, self-describing binary files plus a manifest.
//
//   DIR/manifest.json       written last (atomically) by Finish(): format,
//                           version, d, dtype, n, checkpoint hash, config
//                           text, the label set ("labels": name and parent
//                           of each label id), and each shard's file and n.
//                           A store without it was never finished.
//   DIR/shard-00000.msact   shards of up to vectors_per_shard vectors.
//
// Shard layout (little-endian):
//   0   "MSACTSHD"                      magic
//   8   u32 version (2)
//   12  u32 dtype (0 float32, 1 bf16)
//   16  i64 n          vectors in this shard
//   24  i64 d          vector width
//   32  i64 shard_index
//   40  i32 block_rows vectors per block (the last block may be shorter)
//   44  u32 hash_len, u32 config_len, u32 names_len
//   56  checkpoint hash, config text, labels: one "PARENT\tNAME" line per
//       label id ('\n'-joined; PARENT -1 for a top-level label)
//       u32 CRC-32C of every header byte before it
//   blocks, each: rows x 20-byte metadata (i64 context, i32 token,
//       i32 position, i32 label), then rows x d values (4 or 2 bytes each),
//       then u32 CRC-32C of the block
//   "MSACTEND" i64 n                    trailer
// Each shard is written to a temporary file and renamed into place when
// complete, so a crash never leaves a half-written shard under its name.
// Readers check the magic, version, header checksum, the file size against
// the header, every block's checksum and the trailer; any mismatch is a
// DataLoss error naming the file and the byte offset.
//
// Version 1 stored flat genre names (a name per line; manifest
// "genre_names"); readers still accept it, as a label set with no parents.
#ifndef MONOSEM_DATA_ACTIVATION_STORE_H_
#define MONOSEM_DATA_ACTIVATION_STORE_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "monosem/data/label.h"
#include "monosem/tensor.h"

namespace monosem {

enum class ActivationDtype : uint32_t { kFloat32 = 0, kBf16 = 1 };
const char* ActivationDtypeName(ActivationDtype dtype);

// Where one activation vector came from.
struct VectorMeta {
  int64_t context = 0;   // index of its context in the harvest
  int32_t token = 0;     // the token id at that position
  int32_t position = 0;  // position in the context
  int32_t label = 0;     // label id of that token (an index into the store's labels)
};
inline bool operator==(const VectorMeta& a, const VectorMeta& b) {
  return a.context == b.context && a.token == b.token && a.position == b.position &&
         a.label == b.label;
}

struct ActivationStoreOptions {
  std::string dir;
  int64_t d = 0;
  ActivationDtype dtype = ActivationDtype::kFloat32;
  std::string checkpoint_hash;  // identifies the model the activations came from
  std::string config_text;      // e.g. the RunConfig text proto of the harvest
  LabelSet labels;              // the corpus's labels, parents included
  int64_t vectors_per_shard = 1 << 16;
  int32_t block_rows = 256;
};

// What a store (or one shard) says about itself.
struct ActivationStoreInfo {
  int64_t n = 0;
  int64_t d = 0;
  ActivationDtype dtype = ActivationDtype::kFloat32;
  std::string checkpoint_hash;
  std::string config_text;
  LabelSet labels;
  std::vector<std::string> shard_paths;
  std::vector<int64_t> shard_sizes;
};

class ActivationStoreWriter {
 public:
  // Creates DIR (mkdir -p). A DIR that already holds a finished store is an
  // error (never silently mixed).
  static absl::StatusOr<std::unique_ptr<ActivationStoreWriter>> Create(
      const ActivationStoreOptions& options);
  ~ActivationStoreWriter();

  // Appends n vectors: `values` holds n * d floats (row-major), meta n entries.
  absl::Status Append(absl::Span<const float> values, absl::Span<const VectorMeta> meta);
  // Closes the last shard and writes the manifest. Nothing is readable before.
  absl::Status Finish();

  int64_t size() const { return n_total_; }

 private:
  explicit ActivationStoreWriter(ActivationStoreOptions options);
  absl::Status OpenShard();
  absl::Status FlushBlock();
  absl::Status CloseShard();

  ActivationStoreOptions options_;
  struct Shard;
  std::unique_ptr<Shard> shard_;
  std::vector<float> block_values_;
  std::vector<VectorMeta> block_meta_;
  std::vector<std::string> shard_files_;
  std::vector<int64_t> shard_sizes_;
  int64_t n_total_ = 0;
  bool finished_ = false;
};

// Streams one shard block by block (memory: one block).
class ActivationShardReader {
 public:
  static absl::StatusOr<std::unique_ptr<ActivationShardReader>> Open(const std::string& path);
  ~ActivationShardReader();

  const ActivationStoreInfo& info() const { return info_; }  // n, d, dtype, hash, config, names
  int64_t shard_index() const { return shard_index_; }

  // Reads the next block, converted to float32, into values (rows * d) and
  // meta (rows). Returns rows; 0 after the last block (the trailer checked).
  absl::StatusOr<int64_t> ReadBlock(std::vector<float>* values, std::vector<VectorMeta>* meta);

 private:
  ActivationShardReader() = default;
  std::string path_;
  FILE* file_ = nullptr;
  ActivationStoreInfo info_;
  int64_t shard_index_ = 0;
  int32_t block_rows_ = 0;
  int64_t rows_read_ = 0;
  int64_t block_index_ = 0;
  int64_t offset_ = 0;
  std::vector<uint8_t> raw_;
};

// Opens DIR/manifest.json and checks every shard's header against it.
absl::StatusOr<ActivationStoreInfo> OpenActivationStore(const std::string& dir);

// Reads a whole (small) store into memory: values [n, d], meta n. For tests
// and small harvests; large ones stream (ShuffleBuffer, shuffle_buffer.h).
absl::Status ReadActivationStore(const std::string& dir, Tensor* values,
                                 std::vector<VectorMeta>* meta);

// `k` distinct positions of [0, n_ctx), sorted, a function of (seed, context)
// only: the harvest picks the same positions for a context whatever the batch
// order. k >= n_ctx gives every position. The paper samples 250 per context.
std::vector<int32_t> SamplePositions(uint64_t seed, int64_t context, int32_t n_ctx, int32_t k);

// The harvest step: for each context b of a batch, appends the activations at
// SamplePositions(seed, first_context + b, T, per_context).
//   acts    [B, T, d] (or [B * T, d]) post-ReLU MLP activations
//   tokens  B * T token ids;  labels  B * T label ids
absl::Status AppendSampledActivations(ActivationStoreWriter* writer, const Tensor& acts,
                                      int64_t batch, int64_t n_ctx,
                                      absl::Span<const int32_t> tokens,
                                      absl::Span<const LabelId> labels, int64_t first_context,
                                      int32_t per_context, uint64_t seed);

// CRC-32C (Castagnoli), hardware-accelerated where the CPU has SSE4.2.
uint32_t Crc32c(const void* data, size_t n, uint32_t crc = 0);

}  // namespace monosem

#endif  // MONOSEM_DATA_ACTIVATION_STORE_H_
