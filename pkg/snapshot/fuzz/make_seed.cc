// Writes a fuzz seed from an etcd database: the same buckets, keys and values (values cut
// to 256 bytes) in a file with small pages, so that mutations land on structure rather
// than on padding. Not part of the product; built only with KETCD_FUZZ.
//   make_seed IN.db OUT.db [PAGE_SIZE]   (the seeds of every fuzz/corpus/*db* were made so)
#include <cstdlib>
#include <iostream>

#include "pkg/bbolt/db.h"
#include "pkg/bbolt/writer.h"

namespace {

absl::Status Copy(const std::string& in, const std::string& out, uint32_t page_size) {
  using namespace ketcd::bbolt;
  KETCD_ASSIGN_OR_RETURN(auto db, Db::Open(in));
  WriterOptions wo;
  wo.page_size = page_size;
  KETCD_ASSIGN_OR_RETURN(auto w, BulkWriter::Create(out, wo));
  KETCD_RETURN_IF_ERROR(db->ForEach(db->root(), [&](const Entry& b) -> absl::Status {
    KETCD_ASSIGN_OR_RETURN(Bucket bucket, db->BucketFromEntry(b));
    KETCD_RETURN_IF_ERROR(w->BeginBucket(b.key, bucket.sequence));
    KETCD_RETURN_IF_ERROR(db->ForEach(bucket, [&](const Entry& e) {
      return w->Put(e.key, e.value.substr(0, 256));
    }));
    return w->EndBucket();
  }));
  return w->Finish().status();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: make_seed IN.db OUT.db [PAGE_SIZE]\n";
    return 2;
  }
  absl::Status s = Copy(argv[1], argv[2], argc > 3 ? static_cast<uint32_t>(std::atoi(argv[3])) : 512);
  if (!s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  return 0;
}
