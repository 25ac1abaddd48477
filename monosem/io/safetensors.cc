#include "monosem/io/safetensors.h"

#include <cstring>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "monosem/io/file_io.h"
#include "monosem/status.h"
#include "nlohmann/json.hpp"

namespace monosem {
namespace {

absl::Status Bad(const std::string& name, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(name, ": not a valid safetensors file: ", what));
}

}  // namespace

absl::StatusOr<std::string> SerializeSafetensors(const std::map<std::string, Tensor>& tensors,
                                                 const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = meta;
  }
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__" || name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("safetensors: bad tensor name '", name, "'"));
    }
    if (t.device() != Device::kHost) {
      return absl::InvalidArgumentError(absl::StrCat("safetensors: tensor '", name, "' is not on the host"));
    }
    nlohmann::ordered_json e;
    e["dtype"] = "F32";
    e["shape"] = t.shape();
    const uint64_t bytes = static_cast<uint64_t>(t.size()) * sizeof(float);
    e["data_offsets"] = {offset, offset + bytes};
    header[name] = e;
    offset += bytes;
  }
  std::string json = header.dump();
  while ((json.size() + 8) % 8 != 0) json.push_back(' ');  // align the data to 8 bytes
  std::string out;
  out.reserve(8 + json.size() + offset);
  uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += json;
  for (const auto& [name, t] : tensors) {
    out.append(reinterpret_cast<const char*>(t.data()), t.size() * sizeof(float));
  }
  return out;
}

absl::StatusOr<Safetensors> ParseSafetensors(absl::string_view bytes, const std::string& name) {
  if (bytes.size() < 8) {
    return Bad(name, absl::StrCat("only ", bytes.size(), " bytes, shorter than the 8-byte header length"));
  }
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (n > bytes.size() - 8 || n < 2) {
    return Bad(name, absl::StrCat("header length ", n, " does not fit the file of ", bytes.size(),
                                  " bytes (truncated?)"));
  }
  nlohmann::json header;
  // JSON objects may repeat a key and the parser keeps the last one; a
  // header that names a tensor twice is corrupt, not a choice to make.
  std::set<std::string> top_keys;
  std::string duplicate;
  auto on_event = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      const std::string key = parsed.get<std::string>();
      if (!top_keys.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  try {
    header = nlohmann::json::parse(bytes.substr(8, n).begin(), bytes.substr(8, n).end(), on_event);
  } catch (const std::exception& e) {
    return Bad(name, absl::StrCat("header is not JSON: ", e.what()));
  }
  if (!duplicate.empty()) return Bad(name, absl::StrCat("header names '", duplicate, "' twice"));
  if (!header.is_object()) return Bad(name, "header is not a JSON object");
  const absl::string_view data = bytes.substr(8 + n);
  Safetensors out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& e = it.value();
    if (key == "__metadata__") {
      if (!e.is_object()) return Bad(name, "__metadata__ is not an object");
      for (auto m = e.begin(); m != e.end(); ++m) {
        if (!m.value().is_string()) return Bad(name, absl::StrCat("metadata '", m.key(), "' is not a string"));
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = absl::StrCat("tensor '", key, "': ");
    if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") || !e.contains("data_offsets")) {
      return Bad(name, where + "entry needs dtype, shape and data_offsets");
    }
    if (!e["dtype"].is_string()) return Bad(name, where + "dtype is not a string");
    const std::string dtype = e["dtype"].get<std::string>();
    if (dtype != "F32") {
      return absl::InvalidArgumentError(absl::StrCat(name, ": ", where, "dtype ", dtype,
                                                     " is not supported (monosem reads F32)"));
    }
    Shape shape;
    if (!e["shape"].is_array()) return Bad(name, where + "shape is not an array");
    for (const auto& d : e["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) return Bad(name, where + "bad dimension in shape");
      shape.push_back(d.get<int64_t>());
    }
    if (absl::Status s = ValidateShape(shape); !s.ok()) return Bad(name, where + std::string(s.message()));
    const auto& off = e["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
        !off[1].is_number_unsigned()) {
      return Bad(name, where + "data_offsets must be two non-negative integers");
    }
    const uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
    const uint64_t want = static_cast<uint64_t>(NumElements(shape)) * sizeof(float);
    if (end < begin || end - begin != want) {
      return Bad(name, absl::StrCat(where, "data_offsets [", begin, ", ", end, ") hold ",
                                    end >= begin ? end - begin : 0, " bytes, shape ",
                                    ShapeToString(shape), " needs ", want));
    }
    if (end > data.size()) {
      return Bad(name, absl::StrCat(where, "data ends at byte ", end, " past the data section of ",
                                    data.size(), " bytes (truncated?)"));
    }
    Tensor t = Tensor::Uninitialized(shape);
    if (want > 0) std::memcpy(t.data(), data.data() + begin, want);
    out.tensors.emplace(key, std::move(t));
  }
  return out;
}

absl::Status WriteSafetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                              const std::map<std::string, std::string>& metadata) {
  MONOSEM_ASSIGN_OR_RETURN(std::string bytes, SerializeSafetensors(tensors, metadata));
  return WriteFileAtomic(path, bytes);
}

absl::StatusOr<Safetensors> ReadSafetensors(const std::string& path) {
  MONOSEM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return ParseSafetensors(bytes, path);
}

absl::StatusOr<Tensor*> FindTensor(Safetensors& file, const std::string& name,
                                   const std::string& filename) {
  auto it = file.tensors.find(name);
  if (it == file.tensors.end()) {
    return absl::NotFoundError(absl::StrCat(filename, ": missing tensor '", name, "'"));
  }
  return &it->second;
}

}  // namespace monosem
