// The typed hand-offs between suites (monosem/suites/artifacts.h): what the
// writer writes the reader reads back unchanged, and a malformed, misspelt or
// incomplete manifest is refused with the file and the field named.
#include "monosem/suites/artifacts.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "google/protobuf/util/message_differencer.h"
#include "monosem/io/file_io.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

// A fresh, existing folder for one test.
std::string TmpDir(const std::string& name) {
  const std::string dir = testing::TmpDir(name);
  std::filesystem::create_directories(dir);
  return dir;
}

TransformerManifest Example(const std::string& dir) {
  TransformerManifest m;
  m.set_suite("transformer");
  m.set_quick(true);
  m.mutable_config()->mutable_transformer()->set_d_model(32);
  m.mutable_config()->mutable_train()->set_lr(1e-2f);
  m.mutable_config()->set_name("needs \"escaping\"\n\\ here");
  for (const char* name : {"A", "B"}) {
    TransformerArtifact* a = m.add_models();
    a->set_name(name);
    a->set_seed(7);
    a->set_checkpoint(dir + "/transformer \"" + name + "\"");
    a->set_checkpoint_hash("fnv1a64:0123456789abcdef");
    a->set_activations(dir + "/activations_" + name);
    a->set_vectors(1024);
    a->set_contexts(64);
    a->set_per_context(16);
  }
  return m;
}

TEST(TransformerManifest, RoundTrips) {
  const std::string dir = TmpDir("manifest_round_trip");
  const TransformerManifest m = Example(dir);
  const std::string path = TransformerManifestPath(dir);
  EXPECT_EQ(path, dir + "/transformer_manifest.json");
  ASSERT_TRUE(WriteTransformerManifest(path, m).ok());
  auto back = ReadTransformerManifest(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(m, *back))
      << back->DebugString();
  // No temporary file left beside it.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

void ExpectRefused(const std::string& json, const std::string& want) {
  const std::string dir = TmpDir("manifest_bad");
  const std::string path = TransformerManifestPath(dir);
  ASSERT_TRUE(WriteFileAtomic(path, json).ok());
  auto m = ReadTransformerManifest(path);
  ASSERT_FALSE(m.ok()) << json;
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(m.status().message());
  EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
  EXPECT_NE(msg.find(want), std::string::npos) << "got: " << msg << "\nwant: " << want;
}

TEST(TransformerManifest, BadFilesAreNamed) {
  ExpectRefused("{\"quick\": true, \"models\": [", "not a monosem.TransformerManifest");
  ExpectRefused("{\"quick\": true, \"colour\": 3}", "not a monosem.TransformerManifest");
  ExpectRefused("{\"quick\": true, \"models\": [3]}", "not a monosem.TransformerManifest");
  ExpectRefused("{\"models\": [{\"name\": \"A\"}]}", "models[0].checkpoint is missing");
  ExpectRefused(
      "{\"models\": [{\"name\": \"A\", \"checkpoint\": \"c\", \"checkpoint_hash\": \"h\", "
      "\"activations\": \"s\"}, {\"name\": \"B\", \"checkpoint\": \"c\", \"activations\": \"s\"}]}",
      "models[1].checkpoint_hash is missing");
}

TEST(TransformerManifest, MissingFileIsNotFound) {
  auto m = ReadTransformerManifest(TmpDir("manifest_none") + "/transformer_manifest.json");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(absl::IsNotFound(m.status())) << m.status();
}

}  // namespace
}  // namespace monosem
