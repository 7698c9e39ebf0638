#pragma once
// What the columns of printers.go are made of: fields of the served JSON (absent or of
// another type: the zero value, as Go's structs give), ages, label and selector strings.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "pkg/k8sobjects/to_json.h"

namespace ketcd::printers {

using k8sobjects::Json;

// The member at `path` (object keys), or null JSON when some step is missing.
const Json& At(const Json& obj, std::initializer_list<const char*> path);
// `j` when it is an array, else an empty one (for range loops over optional lists).
const Json& Items(const Json& j);
std::string Str(const Json& obj, std::initializer_list<const char*> path);
int64_t Int(const Json& obj, std::initializer_list<const char*> path);
bool Bool(const Json& obj, std::initializer_list<const char*> path);
// Array size (0 when not an array) and object size (0 when not an object).
size_t Len(const Json& obj, std::initializer_list<const char*> path);

// apimachinery's duration.HumanDuration of `seconds`.
std::string HumanDuration(int64_t seconds);
// Seconds since the epoch of an RFC 3339 time ("2026-01-01T00:00:00Z", fractions allowed);
// -1 when it does not parse.
int64_t ParseTime(std::string_view rfc3339);
// translateTimestampSince: "<unknown>" for no time, else the age at `now`.
std::string Since(std::string_view rfc3339, int64_t now);
// The AGE column: metadata.creationTimestamp's age.
std::string Age(const Json& obj, int64_t now);

// labels.FormatLabels: "k=v,k2=v2" with sorted keys, "<none>" when empty.
std::string FormatLabels(const Json& map);
// metav1.FormatLabelSelector: matchLabels and matchExpressions, "<none>" when nil or empty.
std::string FormatLabelSelector(const Json& selector);
// The names and the images of a pod template's containers, comma separated.
std::string ContainerNames(const Json& containers);
std::string ContainerImages(const Json& containers);

}  // namespace ketcd::printers
