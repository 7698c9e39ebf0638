// Every parser of what an S3 server answers, on the same bytes: none may crash, hang or
// read out of bounds, whatever arrives.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pkg/s3/responses.h"
#include "pkg/s3/xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)ketcd::s3::ParseXml(body);
  (void)ketcd::s3::ParseErrorReply(body);
  (void)ketcd::s3::ParseListObjectsV2(body);
  (void)ketcd::s3::ParseInitiateMultipartUpload(body);
  (void)ketcd::s3::ParseCompleteMultipartUpload(body);
  (void)ketcd::s3::ParseListMultipartUploads(body);
  return 0;
}
