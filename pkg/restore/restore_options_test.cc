#include "pkg/restore/restore_options.h"

#include <gtest/gtest.h>

namespace ketcd::restore {
namespace {

RestoreOptions Opts() {
  RestoreOptions o;
  o.snapshot_path = "snap.db";
  return o;
}

std::string Error(const RestoreOptions& o) {
  auto p = PlanRestore(o);
  return p.ok() ? "OK" : std::string(p.status().message());
}

TEST(RestoreOptionsTest, DefaultsMatchEtcdutl) {
  auto p = PlanRestore(Opts());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->data_dir, "default.etcd");
  EXPECT_EQ(p->wal_dir, "default.etcd/member/wal");
  EXPECT_EQ(p->snap_dir, "default.etcd/member/snap");
  ASSERT_EQ(p->members.size(), 1u);
  EXPECT_EQ(p->local_id, 0x8e9e05c52164694dULL);
  EXPECT_EQ(p->cluster_id, 0xcdf818194e3a8c32ULL);
  EXPECT_EQ(p->members[0].name, "default");
}

TEST(RestoreOptionsTest, ThreeMembersSortedById) {
  RestoreOptions o = Opts();
  o.name = "m2";
  o.initial_cluster = "m1=http://10.0.0.1:2380,m2=http://10.0.0.2:2380,m3=http://10.0.0.3:2380";
  o.initial_advertise_peer_urls = "http://10.0.0.2:2380";
  o.data_dir = "/x/d";
  o.wal_dir = "/y/w";
  auto p = PlanRestore(o);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->members.size(), 3u);
  EXPECT_LT(p->members[0].id, p->members[1].id);
  EXPECT_LT(p->members[1].id, p->members[2].id);
  EXPECT_EQ(p->wal_dir, "/y/w");
  EXPECT_FALSE(p->wal_dir_is_default);
}

TEST(RestoreOptionsTest, NameMustBeInCluster) {
  RestoreOptions o = Opts();
  o.name = "other";
  EXPECT_EQ(Error(o), "couldn't find local name \"other\" in the initial cluster configuration");
}

TEST(RestoreOptionsTest, AdvertiseUrlsMustMatch) {
  RestoreOptions o = Opts();
  o.initial_advertise_peer_urls = "http://127.0.0.1:2380";
  EXPECT_EQ(Error(o),
            "--initial-cluster has default=http://localhost:2380 but missing from "
            "--initial-advertise-peer-urls=http://127.0.0.1:2380");
  o.initial_advertise_peer_urls = "http://localhost:2380,http://localhost:2381";
  EXPECT_EQ(Error(o),
            "--initial-advertise-peer-urls has http://localhost:2381 but missing from "
            "--initial-cluster=default=http://localhost:2380,default=http://localhost:2381");
  // Canonical comparison: scheme case and spaces do not matter.
  o.initial_advertise_peer_urls = " HTTP://localhost:2380";
  EXPECT_EQ(Error(o), "OK");
}

TEST(RestoreOptionsTest, DuplicateUrlsRejected) {
  RestoreOptions o = Opts();
  o.name = "a";
  o.initial_cluster = "a=http://h:1,b=http://h:1";
  o.initial_advertise_peer_urls = "http://h:1";
  EXPECT_EQ(Error(o), "initial cluster a=http://h:1,b=http://h:1 has duplicate url");
}

TEST(RestoreOptionsTest, BumpAndMarkCompactedGoTogether) {
  RestoreOptions o = Opts();
  o.bump_revision = 5;
  EXPECT_EQ(Error(o), "--mark-compacted required if --revision-bump > 0");
  o.bump_revision = 0;
  o.mark_compacted = true;
  EXPECT_EQ(Error(o), "--mark-compacted required if --revision-bump > 0");
  o.bump_revision = 5;
  EXPECT_EQ(Error(o), "OK");
  o.bump_revision = 1ULL << 63;
  EXPECT_NE(Error(o), "OK");
}

TEST(RestoreOptionsTest, BadUrlsRejected) {
  RestoreOptions o = Opts();
  o.initial_cluster = "default=localhost:2380";
  EXPECT_NE(Error(o).find("URL scheme must be"), std::string::npos);
}

}  // namespace
}  // namespace ketcd::restore
