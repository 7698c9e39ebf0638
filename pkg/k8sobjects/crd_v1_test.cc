#include "pkg/k8sobjects/crd_v1.h"

#include <gtest/gtest.h>

namespace ketcd::k8sobjects {
namespace {

TEST(CrdToV1, StoredV1beta1IsServedAsV1) {
  Json crd = Json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1beta1","kind":"CustomResourceDefinition",
    "metadata":{"name":"crontabs.stable.example.com"},
    "spec":{"group":"stable.example.com","version":"v1","preserveUnknownFields":false,
      "validation":{"openAPIV3Schema":{"type":"object"}},"subresources":{"status":{}},
      "additionalPrinterColumns":[{"name":"Spec","type":"string","JSONPath":".spec.cronSpec"}],
      "conversion":{"strategy":"Webhook","webhookClientConfig":{"url":"https://x"},"conversionReviewVersions":["v1"]},
      "versions":[{"name":"v1","served":true,"storage":true},
                  {"name":"v2","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"string"}}}]}})");
  CrdToV1(crd);
  EXPECT_EQ(crd, Json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"crontabs.stable.example.com"},
    "spec":{"group":"stable.example.com",
      "conversion":{"strategy":"Webhook","webhook":{"clientConfig":{"url":"https://x"},"conversionReviewVersions":["v1"]}},
      "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}},
                   "subresources":{"status":{}},
                   "additionalPrinterColumns":[{"name":"Spec","type":"string","jsonPath":".spec.cronSpec"}]},
                  {"name":"v2","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"string"}},
                   "subresources":{"status":{}},
                   "additionalPrinterColumns":[{"name":"Spec","type":"string","jsonPath":".spec.cronSpec"}]}]}})"))
      << crd.dump();
  Json other = Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","spec":7})");
  Json copy = other;
  CrdToV1(other);
  EXPECT_EQ(other, copy);
  Json odd = Json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1beta1","kind":"CustomResourceDefinition",
    "spec":{"versions":7,"conversion":[]}})");
  CrdToV1(odd);
  EXPECT_EQ(odd["spec"]["versions"], Json::array());
}

}  // namespace
}  // namespace ketcd::k8sobjects
