#pragma once
// CustomResourceDefinitions are stored as apiextensions.k8s.io/v1beta1 (the
// apiextensions-apiserver's storage codec, LegacyCodec(v1beta1, v1)) and served as v1. This
// turns the stored v1beta1 JSON into the v1 object the API server serves (README.md, "CRDs").

#include "pkg/k8sobjects/to_json.h"

namespace ketcd::k8sobjects {

// In place; anything that is not a v1beta1 CustomResourceDefinition is left as it is.
void CrdToV1(Json& crd);

}  // namespace ketcd::k8sobjects
