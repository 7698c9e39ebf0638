#include "pkg/s3/config.h"

#include <gtest/gtest.h>

#include "pkg/s3/url.h"

namespace ketcd::s3 {
namespace {

struct FakeEnv {
  std::map<std::string, std::string> vars{{"HOME", "/home/u"}};
  std::map<std::string, std::string> files;
  Environment Get() const {
    Environment e;
    e.getenv = [this](const std::string& n) -> std::optional<std::string> {
      auto it = vars.find(n);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    e.read_file = [this](const std::string& p) -> absl::StatusOr<std::optional<std::string>> {
      auto it = files.find(p);
      if (it == files.end()) return std::optional<std::string>();
      return std::optional<std::string>(it->second);
    };
    return e;
  }
};

const char kCredentials[] =
    "# comment\n[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = sdefault\n\n"
    "[backup]\r\naws_access_key_id=AKBACKUP\r\naws_secret_access_key=sbackup\r\naws_session_token = tok\r\n";
const char kConfig[] =
    "[default]\nregion = eu-west-1\n[profile backup]\nregion = eu-central-1\nendpoint_url = https://minio.example:9000\n"
    "s3 =\n  addressing_style = path\nca_bundle = /etc/ca.pem\n[profile configonly]\naws_access_key_id = AKCFG\n"
    "aws_secret_access_key = scfg\n";

TEST(ConfigTest, EnvironmentCredentialsWinOverFiles) {
  FakeEnv env;
  env.vars["AWS_ACCESS_KEY_ID"] = "AKENV";
  env.vars["AWS_SECRET_ACCESS_KEY"] = "senv";
  env.vars["AWS_SESSION_TOKEN"] = "t";
  env.files["/home/u/.aws/credentials"] = kCredentials;
  auto c = ResolveConfig({}, env.Get());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->credentials.access_key_id, "AKENV");
  EXPECT_EQ(c->credentials.session_token, "t");
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_EQ(c->endpoint, "https://s3.us-east-1.amazonaws.com");
  // --profile: the named profile, even with credentials in the environment.
  auto p = ResolveConfig({.profile = "backup"}, env.Get());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->credentials.access_key_id, "AKBACKUP");
  EXPECT_EQ(p->credentials.source, "/home/u/.aws/credentials, profile backup");
}

TEST(ConfigTest, ProfilesFromTheSharedFiles) {
  FakeEnv env;
  env.files["/home/u/.aws/credentials"] = kCredentials;
  env.files["/home/u/.aws/config"] = kConfig;
  auto d = ResolveConfig({}, env.Get());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->credentials.access_key_id, "AKDEFAULT");
  EXPECT_EQ(d->region, "eu-west-1");
  env.vars["AWS_PROFILE"] = "backup";
  auto b = ResolveConfig({}, env.Get());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->credentials.secret_access_key, "sbackup");
  EXPECT_EQ(b->credentials.session_token, "tok");
  EXPECT_EQ(b->region, "eu-central-1");
  EXPECT_EQ(b->endpoint, "https://minio.example:9000");
  EXPECT_EQ(b->ca_bundle, "/etc/ca.pem");
  // Credentials in the config file; other file locations.
  env.vars["AWS_PROFILE"] = "configonly";
  auto o = ResolveConfig({}, env.Get());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->credentials.access_key_id, "AKCFG");
  env.vars = {{"AWS_SHARED_CREDENTIALS_FILE", "/x/creds"}, {"AWS_CONFIG_FILE", "/x/conf"}, {"HOME", "/home/u"}};
  env.files = {{"/x/creds", "[default]\naws_access_key_id=A\naws_secret_access_key=B\n"}, {"/x/conf", "[default]\nregion=r1\n"}};
  auto x = ResolveConfig({}, env.Get());
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->credentials.access_key_id, "A");
  EXPECT_EQ(x->region, "r1");
}

TEST(ConfigTest, FlagsThenEnvironmentForEndpointAndRegion) {
  FakeEnv env;
  env.vars = {{"AWS_ACCESS_KEY_ID", "a"}, {"AWS_SECRET_ACCESS_KEY", "s"}, {"AWS_REGION", "r1"},
              {"AWS_DEFAULT_REGION", "r2"}, {"AWS_ENDPOINT_URL", "http://generic:1"},
              {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:7070/"}, {"AWS_CA_BUNDLE", "/ca"}};
  auto c = ResolveConfig({}, env.Get());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:7070");
  EXPECT_EQ(c->region, "r1");
  EXPECT_EQ(c->ca_bundle, "/ca");
  auto f = ResolveConfig({.endpoint = "https://s3.example", .region = "r9", .ca_bundle = "/ca2"}, env.Get());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->endpoint, "https://s3.example");
  EXPECT_EQ(f->region, "r9");
  EXPECT_EQ(f->ca_bundle, "/ca2");
  env.vars.erase("AWS_REGION");
  env.vars.erase("AWS_ENDPOINT_URL_S3");
  auto g = ResolveConfig({}, env.Get());
  EXPECT_EQ(g->region, "r2");
  EXPECT_EQ(g->endpoint, "http://generic:1");
  EXPECT_FALSE(ResolveConfig({.endpoint = "ftp://x"}, env.Get()).ok());
  EXPECT_FALSE(ResolveConfig({.addressing = "sideways"}, env.Get()).ok());
}

TEST(ConfigTest, MissingOrHalfCredentialsAreClearErrorsWithoutSecrets) {
  FakeEnv env;
  auto none = ResolveConfig({}, env.Get());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  env.vars["AWS_SECRET_ACCESS_KEY"] = "topsecret";
  auto half = ResolveConfig({}, env.Get());
  EXPECT_FALSE(half.ok());
  EXPECT_EQ(half.status().message().find("topsecret"), std::string::npos);
  EXPECT_FALSE(ResolveConfig({.profile = "nope"}, env.Get()).ok());
}

TEST(ConfigTest, AddressingStyle) {
  Config c;
  c.endpoint = "http://127.0.0.1:7070";
  EXPECT_TRUE(UsePathStyle(c, "bucket"));
  c.endpoint = "http://[::1]:7070";
  EXPECT_TRUE(UsePathStyle(c, "bucket"));
  c.endpoint = "http://localhost:9000";
  EXPECT_TRUE(UsePathStyle(c, "bucket"));
  c.endpoint = "https://s3.eu-west-1.amazonaws.com";
  EXPECT_FALSE(UsePathStyle(c, "bucket"));
  EXPECT_TRUE(UsePathStyle(c, "dotted.bucket"));  // a certificate for *.s3... covers no dots
  c.addressing = Addressing::kPath;
  EXPECT_TRUE(UsePathStyle(c, "bucket"));
  c.addressing = Addressing::kVirtual;
  c.endpoint = "http://127.0.0.1:7070";
  EXPECT_FALSE(UsePathStyle(c, "bucket"));
}

TEST(UrlTest, Parse) {
  auto u = ParseS3Url("s3://my-bucket/etcd/prod/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->bucket, "my-bucket");
  EXPECT_EQ(u->key, "etcd/prod/");
  EXPECT_TRUE(u->IsPrefix());
  auto k = ParseS3Url("s3://my-bucket/a b.db");
  ASSERT_TRUE(k.ok());
  EXPECT_FALSE(k->IsPrefix());
  EXPECT_EQ(k->String(), "s3://my-bucket/a b.db");
  EXPECT_TRUE(ParseS3Url("s3://bkt")->IsPrefix());
  for (const char* bad : {"s3://", "s3:///k", "s3://a/k", "s3://b?x/k", "s3://b@h/k", "/local"}) {
    EXPECT_FALSE(ParseS3Url(bad).ok()) << bad;
  }
  EXPECT_TRUE(IsS3Url("s3://x"));
  EXPECT_FALSE(IsS3Url("./s3:/x"));
}

}  // namespace
}  // namespace ketcd::s3
