#include "pkg/k8sobjects/to_json.h"

#include <gtest/gtest.h>

#include "pkg/k8sobjects/schema.h"
#include "pkg/k8sobjects/test_util.h"

namespace ketcd::k8sobjects {
namespace {

Json Convert(const std::string& api_version, const std::string& kind, const std::string& text) {
  const Schema& s = Schema::Get();
  auto m = s.New(s.FindKind(api_version, kind));
  EXPECT_TRUE(m->ParseFromString(EncodeText(api_version, kind, text))) << text;
  return MessageToJson(*m);
}

TEST(GoDurationTest, Strings) {
  EXPECT_EQ(GoDurationString(0), "0s");
  EXPECT_EQ(GoDurationString(1), "1ns");
  EXPECT_EQ(GoDurationString(1500), "1.5\xC2\xB5s");
  EXPECT_EQ(GoDurationString(300000000), "300ms");
  EXPECT_EQ(GoDurationString(1500000000), "1.5s");
  EXPECT_EQ(GoDurationString(120000000000), "2m0s");
  EXPECT_EQ(GoDurationString(3600000000000), "1h0m0s");
  EXPECT_EQ(GoDurationString(3723000000000), "1h2m3s");
  EXPECT_EQ(GoDurationString(-1500000000), "-1.5s");
}

TEST(Rfc3339Test, SecondsAndMicro) {
  EXPECT_EQ(Rfc3339(0, 0, false), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339(1714564800, 0, false), "2024-05-01T12:00:00Z");
  EXPECT_EQ(Rfc3339(1714564800, 1500, true), "2024-05-01T12:00:00.000001Z");
}

TEST(ToJsonTest, ConfigMapMetadataAndBytes) {
  Json j = Convert("v1", "ConfigMap", R"pb(
    metadata {
      name: "cm"
      generateName: ""
      namespace: "demo"
      uid: "u-1"
      generation: 0
      creationTimestamp { seconds: 1714564800 }
      labels { key: "a" value: "b" }
    }
    data { key: "k" value: "v" }
    binaryData { key: "bin" value: "\x00\x01\x02" }
  )pb");
  EXPECT_EQ(j["metadata"], Json::parse(R"({"name":"cm","namespace":"demo","uid":"u-1",
      "creationTimestamp":"2024-05-01T12:00:00Z","labels":{"a":"b"}})"));
  EXPECT_EQ(j["data"], Json::parse(R"({"k":"v"})"));
  EXPECT_EQ(j["binaryData"], Json::parse(R"({"bin":"AAEC"})"));
  EXPECT_FALSE(j.contains("immutable"));  // *bool, unset
}

TEST(ToJsonTest, PointerZeroIsWrittenValueZeroIsNot) {
  Json j = Convert("apps/v1", "Deployment", R"pb(spec { replicas: 0 minReadySeconds: 0 paused: false })pb");
  EXPECT_EQ(j["spec"]["replicas"], 0);                  // *int32 set to 0
  EXPECT_FALSE(j["spec"].contains("minReadySeconds"));  // int32, omitempty
  EXPECT_FALSE(j["spec"].contains("paused"));           // bool, omitempty
  // A non-pointer struct without omitzero is written even when empty.
  EXPECT_TRUE(j["spec"]["template"].is_object());
  // A slice without omitempty is null when empty (Go's nil slice).
  Json rule = Convert("rbac.authorization.k8s.io/v1", "ClusterRole", R"pb(rules { verbs: "get" })pb");
  EXPECT_EQ(rule["rules"][0]["verbs"], Json::parse(R"(["get"])"));
  EXPECT_TRUE(rule["rules"][0].contains("apiGroups") == false);
}

TEST(ToJsonTest, SpecialTypes) {
  Json j = Convert("v1", "Service", R"pb(
    spec {
      ports {
        port: 80
        targetPort { type: 0 intVal: 8080 }
      }
      ports {
        port: 81
        targetPort { type: 1 strVal: "http" }
      }
    })pb");
  EXPECT_EQ(j["spec"]["ports"][0]["targetPort"], 8080);
  EXPECT_EQ(j["spec"]["ports"][1]["targetPort"], "http");
  Json pod = Convert("v1", "Pod", R"pb(
    spec {
      containers {
        name: "c"
        resources {
          limits {
            key: "cpu"
            value { string: "500m" }
          }
        }
      }
      volumes {
        name: "v"
        volumeSource { emptyDir {} }
      }
    }
    metadata {
      managedFields {
        manager: "kubectl"
        fieldsV1 { Raw: "{\"f:data\":{}}" }
      }
    })pb");
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["limits"]["cpu"], "500m");
  // VolumeSource is embedded in Volume: its fields are the volume's.
  EXPECT_EQ(pod["spec"]["volumes"][0], Json::parse(R"({"name":"v","emptyDir":{}})"));
  EXPECT_EQ(pod["metadata"]["managedFields"][0]["fieldsV1"], Json::parse(R"({"f:data":{}})"));
  EXPECT_FALSE(pod["metadata"].contains("creationTimestamp"));  // zero time, omitzero
  Json lease = Convert("coordination.k8s.io/v1", "Lease", R"pb(spec { renewTime { seconds: 1 nanos: 2000 } })pb");
  EXPECT_EQ(lease["spec"]["renewTime"], "1970-01-01T00:00:01.000002Z");
  Json csr = Convert("certificates.k8s.io/v1", "CertificateSigningRequest", R"pb(spec {
                                                                                   extra {
                                                                                     key: "x"
                                                                                     value { items: "a" items: "b" }
                                                                                   }
                                                                                 })pb");
  EXPECT_EQ(csr["spec"]["extra"]["x"], Json::parse(R"(["a","b"])"));
}

}  // namespace
}  // namespace ketcd::k8sobjects
