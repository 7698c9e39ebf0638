#include "pkg/k8sobjects/crd_v1.h"

namespace ketcd::k8sobjects {
namespace {

// v1beta1 names a printer column's path "JSONPath", v1 "jsonPath".
void RenameJsonPath(Json& columns) {
  if (!columns.is_array()) return;
  for (Json& c : columns) {
    if (c.is_object() && c.contains("JSONPath")) {
      c["jsonPath"] = c["JSONPath"];
      c.erase("JSONPath");
    }
  }
}

// spec.validation, spec.subresources, spec.additionalPrinterColumns, spec.selectableFields:
// v1beta1 may hold them once for all versions; v1 holds them per version.
void MoveTopLevelToVersions(Json& spec) {
  const std::pair<const char*, const char*> moved[] = {{"validation", "schema"},
                                                       {"subresources", "subresources"},
                                                       {"additionalPrinterColumns", "additionalPrinterColumns"},
                                                       {"selectableFields", "selectableFields"}};
  if (!spec.contains("versions") || !spec["versions"].is_array()) spec["versions"] = Json::array();
  Json& versions = spec["versions"];
  if (versions.empty() && spec.contains("version") && spec["version"].is_string()) {
    versions.push_back({{"name", spec["version"]}, {"served", true}, {"storage", true}});
  }
  for (const auto& [top, per_version] : moved) {
    if (!spec.contains(top)) continue;
    for (Json& v : versions) {
      if (v.is_object() && !v.contains(per_version)) v[per_version] = spec[top];
    }
    spec.erase(top);
  }
  for (Json& v : versions) {
    if (v.is_object() && v.contains("additionalPrinterColumns")) RenameJsonPath(v["additionalPrinterColumns"]);
  }
  spec.erase("version");
}

void ConversionToV1(Json& spec) {
  if (!spec.contains("conversion") || !spec["conversion"].is_object()) return;
  Json& c = spec["conversion"];
  if (c.contains("webhookClientConfig") || c.contains("conversionReviewVersions")) {
    Json webhook = Json::object();
    if (c.contains("webhookClientConfig")) webhook["clientConfig"] = c["webhookClientConfig"];
    if (c.contains("conversionReviewVersions")) webhook["conversionReviewVersions"] = c["conversionReviewVersions"];
    c["webhook"] = webhook;
    c.erase("webhookClientConfig");
    c.erase("conversionReviewVersions");
  }
}

}  // namespace

void CrdToV1(Json& crd) {
  if (!crd.is_object() || crd.value("apiVersion", Json()) != "apiextensions.k8s.io/v1beta1" ||
      crd.value("kind", Json()) != "CustomResourceDefinition") {
    return;
  }
  crd["apiVersion"] = "apiextensions.k8s.io/v1";
  if (!crd.contains("spec") || !crd["spec"].is_object()) return;
  Json& spec = crd["spec"];
  MoveTopLevelToVersions(spec);
  ConversionToV1(spec);
  // v1: a plain bool with omitempty.
  if (spec.contains("preserveUnknownFields") && spec["preserveUnknownFields"] != true) {
    spec.erase("preserveUnknownFields");
  }
}

}  // namespace ketcd::k8sobjects
