#pragma once
// The XML that S3 answers with, parsed into a small element tree. Only what those replies
// use: elements, character data, the five predefined entities, numeric character
// references and CDATA; the XML declaration, comments, processing instructions and a
// DOCTYPE without an internal subset are skipped; attributes are checked for shape and
// dropped; a namespace prefix is removed from element names ("s3:Key" is "Key").
// Untrusted input: bounded depth, element count and size, never recursion on the input;
// anything else is an error, never a crash.

#include <string>
#include <string_view>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::s3 {

struct XmlElement {
  std::string name;
  std::string text;  // the character data directly inside, decoded
  std::vector<XmlElement> children;

  // The first child named `name`, or null.
  const XmlElement* Child(std::string_view child_name) const;
  // That child's text, "" when there is none.
  std::string ChildText(std::string_view child_name) const;
  std::vector<const XmlElement*> Children(std::string_view child_name) const;
};

inline constexpr size_t kMaxXmlBytes = 8 << 20;
inline constexpr int kMaxXmlDepth = 32;
inline constexpr size_t kMaxXmlElements = 200000;

// The root element. InvalidArgument (with the byte offset) for anything malformed.
absl::StatusOr<XmlElement> ParseXml(std::string_view doc);

}  // namespace ketcd::s3
