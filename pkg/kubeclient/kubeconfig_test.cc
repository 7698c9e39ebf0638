// kubeconfig selection, merging and every auth form, including exec plugins.
#include "pkg/kubeclient/kubeconfig.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <tuple>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/fsutil/test_dir.h"

namespace ketcd::kubeclient {
namespace {

using ::testing::HasSubstr;

class KubeconfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    root_.Write("/" + name, text);
    return root_.path() + "/" + name;
  }
  std::string Script(const std::string& name, const std::string& body) {
    std::string p = Write(name, "#!/bin/sh\n" + body);
    ::chmod(p.c_str(), 0755);
    return p;
  }
  KubeconfigOptions Opts() {
    KubeconfigOptions o;
    o.env_kubeconfig = "";
    o.home = root_.path() + "/nohome";
    o.host_root = root_.path() + "/noroot";
    return o;
  }
  fsutil::TestDir root_;
};

constexpr char kCluster[] = R"(
clusters:
- name: kubernetes
  cluster:
    server: https://10.0.0.11:6443
    certificate-authority-data: )";

std::string B64(const std::string& s) { return absl::Base64Escape(s); }

TEST_F(KubeconfigTest, AdminConfWithInlineClientCertificate) {
  std::string path = Write("admin.conf", absl::StrCat("apiVersion: v1\nkind: Config\n", kCluster, B64("CA PEM"), R"(
contexts:
- context: {cluster: kubernetes, user: kubernetes-admin}
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
preferences: {}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: )", B64("CERT PEM"), "\n    client-key-data: ", B64("KEY PEM"), "\n"));
  auto o = Opts();
  o.explicit_path = path;
  auto rc = LoadKubeconfig(o);
  ASSERT_TRUE(rc.ok()) << rc.status();
  EXPECT_EQ(rc->server, "https://10.0.0.11:6443");
  EXPECT_EQ(rc->ca_pem, "CA PEM");
  EXPECT_EQ(rc->client_cert_pem, "CERT PEM");
  EXPECT_EQ(rc->client_key_pem, "KEY PEM");
  EXPECT_EQ(rc->auth_method, "client certificate");
  EXPECT_EQ(rc->context, "kubernetes-admin@kubernetes");
}

TEST_F(KubeconfigTest, RelativeFilePathsResolveAgainstTheKubeconfig) {
  Write("conf/pki/ca.crt", "CA FROM FILE");
  Write("conf/pki/admin.crt", "CERT FROM FILE");
  Write("conf/pki/admin.key", "KEY FROM FILE");
  std::string path = Write("conf/config", R"(
clusters:
- name: c
  cluster: {server: "https://api.example:6443", certificate-authority: pki/ca.crt, tls-server-name: kubernetes.test}
users:
- name: u
  user: {client-certificate: pki/admin.crt, client-key: pki/admin.key}
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
)");
  auto o = Opts();
  o.explicit_path = path;
  auto rc = LoadKubeconfig(o);
  ASSERT_TRUE(rc.ok()) << rc.status();
  EXPECT_EQ(rc->ca_pem, "CA FROM FILE");
  EXPECT_EQ(rc->client_cert_pem, "CERT FROM FILE");
  EXPECT_EQ(rc->tls_server_name, "kubernetes.test");
}

TEST_F(KubeconfigTest, TokenWinsOverTokenFileAndTokenFileIsRead) {
  Write("token", "file-token\n");
  std::string path = Write("config", R"(
clusters:
- {name: c, cluster: {server: "https://a:6443", insecure-skip-tls-verify: true}}
users:
- {name: both, user: {token: inline-token, tokenFile: token}}
- {name: file, user: {tokenFile: token}}
contexts:
- {name: both, context: {cluster: c, user: both}}
- {name: file, context: {cluster: c, user: file}}
current-context: both
)");
  auto o = Opts();
  o.explicit_path = path;
  auto rc = LoadKubeconfig(o);
  ASSERT_TRUE(rc.ok()) << rc.status();
  EXPECT_EQ(rc->token, "inline-token");
  EXPECT_TRUE(rc->insecure_skip_tls_verify);
  o.context = "file";
  rc = LoadKubeconfig(o);
  ASSERT_TRUE(rc.ok()) << rc.status();
  EXPECT_EQ(rc->token, "file-token");
  EXPECT_EQ(rc->auth_method, "bearer token");
}

TEST_F(KubeconfigTest, KubeconfigEnvMergesFirstWins) {
  std::string a = Write("a", R"(
clusters:
- {name: shared, cluster: {server: "https://first:6443"}}
users:
- {name: red-user, user: {token: red-from-a}}
contexts:
- {name: red, context: {cluster: shared, user: red-user}}
)");
  std::string b = Write("b", R"(
current-context: blue
clusters:
- {name: shared, cluster: {server: "https://second:6443"}}
- {name: other, cluster: {server: "https://other:6443"}}
users:
- {name: red-user, user: {token: red-from-b, username: ignored}}
- {name: blue-user, user: {username: admin, password: secret}}
contexts:
- {name: blue, context: {cluster: other, user: blue-user}}
)");
  auto o = Opts();
  o.env_kubeconfig = absl::StrCat(a, "::", root_.path(), "/missing:", b);
  auto rc = LoadKubeconfig(o);
  ASSERT_TRUE(rc.ok()) << rc.status();
  EXPECT_EQ(rc->context, "blue");  // current-context from the first file that sets it
  EXPECT_EQ(rc->server, "https://other:6443");
  EXPECT_EQ(rc->username, "admin");
  EXPECT_EQ(rc->auth_method, "basic auth");
  o.context = "red";
  rc = LoadKubeconfig(o);
  ASSERT_TRUE(rc.ok()) << rc.status();
  EXPECT_EQ(rc->server, "https://first:6443");
  EXPECT_EQ(rc->token, "red-from-a");
  EXPECT_EQ(rc->username, "");  // entries are never merged field by field
  EXPECT_EQ(rc->files.size(), 2u);
}

TEST_F(KubeconfigTest, NodeAdminConfIsTheLastResort) {
  root_.Write("/noroot/etc/kubernetes/admin.conf", R"(
clusters: [{name: k, cluster: {server: "https://10.0.0.11:6443"}}]
users: [{name: a, user: {token: t}}]
contexts: [{name: c, context: {cluster: k, user: a}}]
current-context: c
)");
  auto files = KubeconfigFiles(Opts());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], root_.path() + "/noroot/etc/kubernetes/admin.conf");
  auto rc = LoadKubeconfig(Opts());
  ASSERT_TRUE(rc.ok()) << rc.status();
  EXPECT_EQ(rc->server, "https://10.0.0.11:6443");
}

TEST_F(KubeconfigTest, NoKubeconfigIsNotFound) {
  auto rc = LoadKubeconfig(Opts());
  EXPECT_EQ(rc.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(KubeconfigTest, ErrorsNameTheFileAndWhatIsMissing) {
  std::string path = Write("config", R"(
clusters: [{name: k, cluster: {server: "https://x:6443"}}]
contexts: [{name: c, context: {cluster: k, user: ghost}}, {name: d, context: {cluster: nope}}]
current-context: c
)");
  auto o = Opts();
  o.explicit_path = path;
  auto rc = LoadKubeconfig(o);
  ASSERT_FALSE(rc.ok());
  EXPECT_THAT(std::string(rc.status().message()), HasSubstr(path));
  EXPECT_THAT(std::string(rc.status().message()), HasSubstr("user \"ghost\""));
  o.context = "d";
  EXPECT_THAT(std::string(LoadKubeconfig(o).status().message()), HasSubstr("cluster \"nope\""));
  o.context = "zzz";
  EXPECT_THAT(std::string(LoadKubeconfig(o).status().message()), HasSubstr("context \"zzz\" not found"));
  std::string bad = Write("bad", "clusters: [unclosed\n");
  o.explicit_path = bad;
  EXPECT_THAT(std::string(LoadKubeconfig(o).status().message()), HasSubstr("not valid YAML"));
}

TEST_F(KubeconfigTest, AuthProviderIsRejectedClearly) {
  std::string path = Write("config", R"(
clusters: [{name: k, cluster: {server: "https://x:6443"}}]
users: [{name: g, user: {auth-provider: {name: gcp}}}]
contexts: [{name: c, context: {cluster: k, user: g}}]
current-context: c
)");
  auto o = Opts();
  o.explicit_path = path;
  EXPECT_THAT(std::string(LoadKubeconfig(o).status().message()), HasSubstr("auth-provider \"gcp\""));
}

std::string ExecConfigYaml(const std::string& command, const std::string& api = "client.authentication.k8s.io/v1") {
  return absl::StrCat(R"(
clusters: [{name: k, cluster: {server: "https://x:6443", certificate-authority-data: )", B64("CA"), R"(}}]
users:
- name: e
  user:
    exec:
      apiVersion: )", api, R"(
      command: )", command, R"(
      args: [get-token, --flag]
      env: [{name: PLUGIN_MODE, value: fancy}]
      interactiveMode: Never
      provideClusterInfo: true
contexts: [{name: c, context: {cluster: k, user: e}}]
current-context: c
)");
}

TEST_F(KubeconfigTest, ExecPluginTokenV1) {
  // The plugin checks its arguments, env and KUBERNETES_EXEC_INFO, then prints a token.
  Script("bin/plugin", R"(
[ "$1" = get-token ] && [ "$2" = --flag ] && [ "$PLUGIN_MODE" = fancy ] || exit 3
case "$KUBERNETES_EXEC_INFO" in *'"kind":"ExecCredential"'*'"server":"https://x:6443"'*) ;; *) exit 4;; esac
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin","expirationTimestamp":"2099-01-01T00:00:00Z"}}'
)");
  std::string path = Write("config", ExecConfigYaml("./bin/plugin"));
  auto o = Opts();
  o.explicit_path = path;
  auto rc = LoadKubeconfig(o);
  ASSERT_TRUE(rc.ok()) << rc.status();
  ASSERT_TRUE(rc->exec);
  EXPECT_EQ(rc->exec->command, root_.path() + "/./bin/plugin");
  ASSERT_TRUE(RunExecPlugin(&*rc).ok());
  EXPECT_EQ(rc->token, "from-plugin");
}

TEST_F(KubeconfigTest, ExecPluginClientCertificateV1beta1) {
  Script("bin/certplugin", R"(
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"-----BEGIN CERTIFICATE-----\\nX\\n-----END CERTIFICATE-----\\n","clientKeyData":"KEYDATA"}}'
)");
  std::string path = Write("config", ExecConfigYaml("./bin/certplugin", "client.authentication.k8s.io/v1beta1"));
  auto o = Opts();
  o.explicit_path = path;
  auto rc = LoadKubeconfig(o);
  ASSERT_TRUE(rc.ok()) << rc.status();
  ASSERT_TRUE(RunExecPlugin(&*rc).ok());
  EXPECT_THAT(rc->client_cert_pem, HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_EQ(rc->client_key_pem, "KEYDATA");
}

TEST_F(KubeconfigTest, ExecPluginFailuresAreExplained) {
  Script("bin/fails", "echo nope >&2; exit 1\n");
  Script("bin/wrongversion",
         "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\"}}'\n");
  Script("bin/empty", "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}'\n");
  for (auto [cmd, want] : {std::pair{"./bin/fails", "failed with exit status 1"},
                           {"./bin/wrongversion", "want ExecCredential client.authentication.k8s.io/v1"},
                           {"./bin/empty", "neither status.token nor a client certificate"},
                           {"./bin/does-not-exist", "could not be run"}}) {
    std::string path = Write("config", ExecConfigYaml(cmd));
    auto o = Opts();
    o.explicit_path = path;
    auto rc = LoadKubeconfig(o);
    ASSERT_TRUE(rc.ok()) << rc.status();
    absl::Status s = RunExecPlugin(&*rc);
    EXPECT_THAT(std::string(s.message()), HasSubstr(want)) << cmd;
  }
}

// Fields of the wrong JSON type are refused with a message, never an exception.
TEST_F(KubeconfigTest, ExecPluginOutputOfWrongTypesIsRefused) {
  for (auto [name, json, want] : {
           std::tuple{"kind-array", R"({"apiVersion":"client.authentication.k8s.io/v1","kind":["ExecCredential"]})",
                      "want ExecCredential"},
           {"version-number", R"({"apiVersion":1,"kind":"ExecCredential","status":{"token":"t"}})", "want ExecCredential"},
           {"status-string", R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":"t"})",
            "status that is not an object"},
           {"token-number", R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":5}})",
            "status.token that is not a string"},
           {"key-object",
            R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"C","clientKeyData":{}}})",
            "status.clientKeyData that is not a string"},
           {"array", "[1,2]", "printed no JSON"}}) {
    Script(absl::StrCat("bin/", name), absl::StrCat("cat <<'EOF'\n", json, "\nEOF\n"));
    std::string path = Write("config", ExecConfigYaml(absl::StrCat("./bin/", name)));
    auto o = Opts();
    o.explicit_path = path;
    auto rc = LoadKubeconfig(o);
    ASSERT_TRUE(rc.ok()) << rc.status();
    absl::Status s = RunExecPlugin(&*rc);
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << name << ": " << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(want)) << name;
  }
}

TEST(ExecCredentialTest, NullFieldsAreAbsent) {
  RestConfig rc;
  rc.exec = ExecConfig{};
  rc.exec->api_version = "client.authentication.k8s.io/v1";
  absl::Status s = ParseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
      R"("status":{"token":null,"clientCertificateData":"C","clientKeyData":"K"}})",
      "plugin", &rc);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(rc.token, "");
  EXPECT_EQ(rc.client_cert_pem, "C");
}

// client-go: the kubeconfig's env entries replace inherited variables of the same name. A
// duplicate in the plugin's environment would let the inherited value win for getenv() and
// Go programs (first match), so the plugin must see exactly one definition.
TEST_F(KubeconfigTest, ExecPluginEnvWinsOverInheritedEnvironment) {
  ::setenv("PLUGIN_MODE", "inherited", 1);
  ::setenv("KETCD_TEST_INHERITED", "kept", 1);
  Script("bin/envplugin", R"(
defs=$(tr '\0' '\n' < /proc/$$/environ | grep '^PLUGIN_MODE=')
[ "$defs" = PLUGIN_MODE=fancy ] || exit 5
[ "$KETCD_TEST_INHERITED" = kept ] || exit 6
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'
)");
  std::string path = Write("config", ExecConfigYaml("./bin/envplugin"));
  auto o = Opts();
  o.explicit_path = path;
  auto rc = LoadKubeconfig(o);
  ASSERT_TRUE(rc.ok()) << rc.status();
  absl::Status s = RunExecPlugin(&*rc);
  ::unsetenv("PLUGIN_MODE");
  ::unsetenv("KETCD_TEST_INHERITED");
  EXPECT_TRUE(s.ok()) << s;
}

}  // namespace
}  // namespace ketcd::kubeclient
