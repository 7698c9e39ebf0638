#include "pkg/backup/snapshot_save.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pkg/cli/json_text.h"

namespace ketcd::backup {
namespace {

// The metadata file is written after the snapshot is committed: a path in another encoding
// must not make it throw (nlohmann::json refuses invalid UTF-8).
TEST(MetadataJson, NonUtf8PathAndNamesAreKept) {
  SaveResult r;
  r.path = "/backups/etcd-\xe9t\xe9.db";  // Latin-1 file name
  r.member_name = "node\xff";
  r.endpoint = "https://10.0.0.1:2379";
  std::string text = MetadataJson(r);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(cli::JsonTextBytes(j["file"].get<std::string>()), "etcd-\xe9t\xe9.db");
  EXPECT_EQ(j["file"].get<std::string>().rfind("base64:", 0), 0u);
  EXPECT_EQ(cli::JsonTextBytes(j["memberName"].get<std::string>()), "node\xff");
  EXPECT_EQ(j["endpoint"], "https://10.0.0.1:2379");
}

TEST(MetadataJson, SaysWhatWasAppliedToTheFile) {
  SaveResult plain;
  plain.size = plain.file_size = 20512;
  plain.revision = 7;
  plain.revision_read = true;
  auto p = nlohmann::json::parse(MetadataJson(plain));
  EXPECT_EQ(p["compression"], "none");
  EXPECT_EQ(p["encryption"], "none");
  EXPECT_FALSE(p.contains("fileSize"));
  EXPECT_EQ(p["revision"], 7);

  SaveResult zst = plain;
  zst.compression = "zstd";
  zst.file_size = 611;
  zst.revision = 0;
  zst.revision_read = false;  // not read back from a compressed file
  auto z = nlohmann::json::parse(MetadataJson(zst));
  EXPECT_EQ(z["compression"], "zstd");
  EXPECT_EQ(z["size"], 20512);
  EXPECT_EQ(z["fileSize"], 611);
  EXPECT_FALSE(z.contains("revision"));
}

}  // namespace
}  // namespace ketcd::backup
