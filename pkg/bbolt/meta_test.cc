#include "pkg/bbolt/meta.h"

#include <gtest/gtest.h>

#include <string>

namespace ketcd::bbolt {
namespace {

std::string EncodedPage(const Meta& m) {
  std::string page(4096, '\0');
  EncodeMetaPage(m, 0, absl::MakeSpan(reinterpret_cast<uint8_t*>(page.data()), page.size()));
  return page;
}

absl::Span<const uint8_t> Span(const std::string& s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

Meta Sample() {
  Meta m;
  m.page_size = 4096;
  m.root = 2;
  m.pgid = 5;
  m.txid = 9;
  return m;
}

TEST(MetaTest, Fnv64aMatchesReferenceValues) {
  EXPECT_EQ(Fnv64a(nullptr, 0), 0xcbf29ce484222325ULL);
  const uint8_t a = 'a';
  EXPECT_EQ(Fnv64a(&a, 1), 0xaf63dc4c8601ec8cULL);
}

TEST(MetaTest, WorkedExampleFromTheFormatDoc) {
  // The worked example in pkg/bbolt/README.md ("Meta page"): page 0 of a tiny 3.4 snapshot.
  EXPECT_EQ(LoadLE64(EncodedPage(Sample()).data() + 72), 0xD62B6A93A321C72DULL);
}

TEST(MetaTest, RoundTrips) {
  std::string page = EncodedPage(Sample());
  auto m = DecodeMeta(Span(page), 0);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->root, 2u);
  EXPECT_EQ(m->pgid, 5u);
  EXPECT_EQ(m->txid, 9u);
  EXPECT_EQ(m->freelist, kPgidNoFreelist);
}

TEST(MetaTest, RejectsChecksumMismatch) {
  std::string page = EncodedPage(Sample());
  page[64] ^= 1;  // txid
  auto m = DecodeMeta(Span(page), 0);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(m.status().message().find("checksum"), std::string::npos);
}

TEST(MetaTest, RejectsBadMagicAndVersion) {
  std::string page = EncodedPage(Sample());
  page[16] ^= 0xFF;
  EXPECT_NE(DecodeMeta(Span(page), 1).status().message().find("magic"), std::string::npos);
  Meta v = Sample();
  v.version = 3;
  page = EncodedPage(v);
  EXPECT_NE(DecodeMeta(Span(page), 1).status().message().find("version"), std::string::npos);
}

TEST(MetaTest, RejectsShortInput) {
  std::string page(40, '\0');
  EXPECT_EQ(DecodeMeta(Span(page), 0).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ketcd::bbolt
