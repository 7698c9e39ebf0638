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

}  // namespace
}  // namespace ketcd::backup
