#include "monosem/io/file_io.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

int CountEntries(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  int n = 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

TEST(FileIo, AtomicWriteReplacesAndLeavesNoTemporary) {
  const std::string dir = testing::TestTmpDir() + "/atomic";
  ASSERT_TRUE(MakeDirs(dir).ok());
  const std::string path = dir + "/out.json";
  ASSERT_TRUE(WriteFileAtomic(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomic(path, "second").ok());
  EXPECT_EQ(*ReadFile(path), "second");
  EXPECT_EQ(CountEntries(dir), 1);
}

TEST(FileIo, FailedWriteLeavesTheOldFileAlone) {
  const std::string dir = testing::TestTmpDir() + "/atomic2";
  ASSERT_TRUE(MakeDirs(dir).ok());
  const std::string path = dir + "/keep";
  ASSERT_TRUE(WriteFileAtomic(path, "old").ok());
  // Renaming onto a non-empty directory fails after the temp file is written.
  const std::string blocker = dir + "/blocker";
  ASSERT_TRUE(MakeDirs(blocker + "/x").ok());
  EXPECT_FALSE(WriteFileAtomic(blocker, "new").ok());
  EXPECT_EQ(*ReadFile(path), "old");
  EXPECT_EQ(CountEntries(dir), 2);  // keep + blocker, no stray temporary
}

TEST(FileIo, MakeDirsRejectsAFile) {
  const std::string path = testing::TestTmpDir() + "/plainfile";
  ASSERT_TRUE(WriteFileAtomic(path, "x").ok());
  EXPECT_FALSE(MakeDirs(path).ok());
  EXPECT_FALSE(ReadFile(testing::TestTmpDir() + "/missing").ok());
}

}  // namespace
}  // namespace monosem
