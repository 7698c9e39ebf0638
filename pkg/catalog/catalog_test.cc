#include "pkg/catalog/catalog.h"

#include <gtest/gtest.h>

#include <map>

#include "pkg/catalog/local_dir_store.h"
#include "pkg/catalog/test_util.h"
#include "pkg/fsutil/test_dir.h"

namespace ketcd::catalog {
namespace {

using testing::WriteBackup;
using testing::WriteBytes;

std::map<std::string, Snapshot> ByName(const std::vector<Snapshot>& v) {
  std::map<std::string, Snapshot> out;
  for (const auto& s : v) out[s.name] = s;
  return out;
}

TEST(CatalogTest, NamesTellSnapshotsLeftoversAndMetadata) {
  EXPECT_EQ(KindOfName("a.db"), NameKind::kSnapshot);
  EXPECT_EQ(KindOfName("a.db.zst"), NameKind::kSnapshot);
  EXPECT_EQ(KindOfName("a.db.age"), NameKind::kSnapshot);
  EXPECT_EQ(KindOfName("sub/a.db.zst.age"), NameKind::kSnapshot);
  EXPECT_EQ(KindOfName("a.db.zst.part"), NameKind::kPartial);
  EXPECT_EQ(KindOfName("a.db.age.json"), NameKind::kMetadata);
  for (const char* other :
       {".db", "sub/.db", "a.db.gz", "a.zst", "a.db.json.part", "notes.txt", "a.dbx", "a.db.part.json"}) {
    EXPECT_EQ(KindOfName(other), NameKind::kOther) << other;
  }
}

TEST(CatalogTest, ReadsEveryKindOfEntry) {
  fsutil::TestDir dir;
  const std::string d = dir.path();
  WriteBackup(d, "a.db", std::string(100, 'p'), 1000, 17);
  WriteBackup(d, "b.db.zst", std::string(testing::kZstdMagic) + "compressed", 2000);
  WriteBackup(d, "c.db.zst.age", std::string(testing::kAgeMagic) + "sealed", 3000);
  WriteBackup(d, "d.db", "copied by hand", 4000, 0, /*with_json=*/false);
  WriteBackup(d, "e.db", "cut short", 5000);
  WriteBytes(d + "/e.db", "cut");  // shorter than its metadata says
  WriteBytes(d + "/f.db.part", "half");
  testing::SetMtime(d + "/f.db.part", 6000);
  WriteBytes(d + "/g.db.json", "{}");  // its snapshot is gone
  WriteBackup(d, "h.db", "bad metadata", 7000);
  WriteBytes(d + "/h.db.json", "{\"size\": \"twelve\"}");
  WriteBytes(d + "/notes.txt", "not a snapshot");
  WriteBytes(d + "/i.db", std::string(testing::kZstdMagic) + "named plain, is zstd");

  LocalDirStore store(d);
  auto catalog = LoadCatalog(store);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  auto by = ByName(*catalog);
  ASSERT_EQ(by.size(), 9u);
  EXPECT_FALSE(by.count("notes.txt"));

  const Snapshot& a = by["a.db"];
  EXPECT_EQ(a.state, State::kVerified) << a.problem;
  EXPECT_EQ(a.revision, 17);
  EXPECT_EQ(a.time, 1000);
  EXPECT_EQ(a.time_source, TimeSource::kMetadata);
  EXPECT_EQ(a.metadata_name, "a.db.json");
  EXPECT_EQ(a.cluster_id, "c1");
  EXPECT_FALSE(a.compressed || a.encrypted);

  EXPECT_TRUE(by["b.db.zst"].verified());
  EXPECT_TRUE(by["b.db.zst"].compressed);
  EXPECT_FALSE(by["b.db.zst"].encrypted);
  EXPECT_TRUE(by["c.db.zst.age"].verified());
  EXPECT_TRUE(by["c.db.zst.age"].compressed);
  EXPECT_TRUE(by["c.db.zst.age"].encrypted);

  EXPECT_EQ(by["d.db"].state, State::kUnverified);
  EXPECT_EQ(by["d.db"].problem, "no d.db.json");
  EXPECT_EQ(by["d.db"].time_source, TimeSource::kModified);
  EXPECT_EQ(by["d.db"].time, 4000);
  EXPECT_EQ(by["e.db"].state, State::kUnverified);
  EXPECT_EQ(by["e.db"].problem, "the file has 3 bytes, e.db.json says 9");
  EXPECT_EQ(by["f.db.part"].state, State::kIncomplete);
  EXPECT_EQ(by["f.db.part"].time, 6000);
  EXPECT_EQ(by["g.db.json"].state, State::kIncomplete);
  EXPECT_EQ(by["g.db.json"].problem, "metadata without its snapshot");
  EXPECT_EQ(by["h.db"].state, State::kUnverified);
  EXPECT_NE(by["h.db"].problem.find("h.db.json: metadata field \"size\""), std::string::npos) << by["h.db"].problem;
  EXPECT_TRUE(by["i.db"].compressed);  // the bytes decide

  // Newest first.
  for (size_t i = 1; i < catalog->size(); i++) EXPECT_GE((*catalog)[i - 1].time, (*catalog)[i].time);
}

TEST(CatalogTest, MetadataWithoutSnapshotBesideItsPartIsNotAnOrphan) {
  fsutil::TestDir dir;
  WriteBytes(dir.path() + "/x.db.part", "being replaced with --force");
  WriteBytes(dir.path() + "/x.db.json", "{}");
  LocalDirStore store(dir.path());
  auto catalog = LoadCatalog(store);
  ASSERT_TRUE(catalog.ok());
  ASSERT_EQ(catalog->size(), 1u);
  EXPECT_EQ((*catalog)[0].name, "x.db.part");
}

TEST(CatalogTest, EmptyDirectoryIsAnEmptyCatalog) {
  fsutil::TestDir dir;
  LocalDirStore store(dir.path());
  auto catalog = LoadCatalog(store);
  ASSERT_TRUE(catalog.ok());
  EXPECT_TRUE(catalog->empty());
}

}  // namespace
}  // namespace ketcd::catalog
