#pragma once
// s3://BUCKET/KEY as the AWS CLI writes it: the bucket, then the key as it is (no
// percent-decoding). A key that is empty or ends in '/' is a prefix ("a folder").

#include <string>
#include <string_view>

#include "pkg/base/status.h"

namespace ketcd::s3 {

struct ObjectUrl {
  std::string bucket;
  std::string key;
  bool IsPrefix() const { return key.empty() || key.back() == '/'; }
  std::string String() const { return "s3://" + bucket + "/" + key; }
};

bool IsS3Url(std::string_view arg);
// InvalidArgument for an empty or malformed bucket name, or a key with a NUL byte.
absl::StatusOr<ObjectUrl> ParseS3Url(std::string_view arg);

}  // namespace ketcd::s3
