#include "pkg/bbolt/db.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace ketcd::bbolt {
namespace {

bool IsPowerOfTwo(uint32_t x) { return x != 0 && (x & (x - 1)) == 0; }

absl::Status Corrupt(const std::string& where, const std::string& what) {
  return absl::DataLossError(absl::StrCat(where, ": ", what));
}

}  // namespace

std::string PageName(const PageRef& p) {
  return p.is_inline ? std::string("inline bucket page") : absl::StrCat("page ", p.id);
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  auto file = MappedFile::Open(path);
  if (!file.ok()) return file.status();
  std::unique_ptr<Db> db(new Db());
  db->file_ = std::move(*file);
  db->path_ = path;
  db->data_ = db->file_->data();
  absl::Status s = db->Init();
  KETCD_RETURN_IF_ERROR(db->CheckIntact());  // what Init read may be zeros
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
  return db;
}

absl::StatusOr<std::unique_ptr<Db>> Db::OpenBuffer(absl::Span<const uint8_t> data) {
  std::unique_ptr<Db> db(new Db());
  db->data_ = data;
  absl::Status s = db->Init();
  if (!s.ok()) return s;
  return db;
}

absl::Status Db::Init() {
  const uint64_t size = data_.size();
  if (size == 0) return absl::DataLossError("empty file, not a bbolt database");
  if (size < kMetaOffset + kMetaSize) {
    return absl::DataLossError(absl::StrCat("file of ", size, " bytes is too small to be a bbolt database"));
  }
  // Page size: from meta 0 if it is valid; otherwise look for meta 1 at the offsets a page
  // size can take (bbolt 1.4 does the same).
  uint32_t ps = 0;
  auto m0 = DecodeMeta(data_, 0);
  if (m0.ok() && IsPowerOfTwo(m0->page_size) && m0->page_size >= kMinPageSize && m0->page_size <= kMaxPageSize) {
    ps = m0->page_size;
  } else {
    for (uint64_t off = 1024; off <= kMaxPageSize && off + kMetaOffset + kMetaSize <= size; off <<= 1) {
      auto m1 = DecodeMeta(data_.subspan(off), 1);
      if (m1.ok() && m1->page_size == off) {
        ps = m1->page_size;
        break;
      }
    }
    if (ps == 0) {
      if (!m0.ok()) return absl::DataLossError(absl::StrCat("both meta pages invalid: ", m0.status().message()));
      return absl::DataLossError(absl::StrCat("meta page 0: invalid page size ", m0->page_size));
    }
  }
  if (size < 2ull * ps) {
    return absl::DataLossError(absl::StrCat("file of ", size, " bytes is shorter than two ", ps, "-byte meta pages"));
  }
  absl::StatusOr<Meta> metas[2];
  for (int i = 0; i < 2; i++) {
    metas[i] = DecodeMeta(data_.subspan(static_cast<uint64_t>(i) * ps, ps), i);
    if (!metas[i].ok()) continue;
    const Meta& m = *metas[i];
    std::string err;
    if (m.page_size != ps) {
      err = absl::StrCat("page size ", m.page_size, " differs from ", ps);
    } else if (m.pgid < 2) {
      err = absl::StrCat("high-water mark ", m.pgid, " is below 2");
    } else if (m.root < 2 || m.root >= m.pgid) {
      err = absl::StrCat("root page ", m.root, " outside [2, ", m.pgid, ")");
    } else if (m.freelist != kPgidNoFreelist && (m.freelist < 2 || m.freelist >= m.pgid)) {
      err = absl::StrCat("freelist page ", m.freelist, " outside [2, ", m.pgid, ")");
    }
    if (!err.empty()) metas[i] = absl::DataLossError(absl::StrCat("meta page ", i, ": ", err));
  }
  if (!metas[0].ok() && !metas[1].ok()) {
    return absl::DataLossError(
        absl::StrCat("both meta pages invalid: ", metas[0].status().message(), "; ", metas[1].status().message()));
  }
  int use;
  if (metas[0].ok() && metas[1].ok()) {
    use = metas[1]->txid > metas[0]->txid ? 1 : 0;
  } else {
    use = metas[0].ok() ? 0 : 1;
    meta_warnings_.push_back(absl::StrCat(metas[1 - use].status().message(), " (using meta page ", use, ")"));
  }
  meta_ = *metas[use];
  meta_index_ = use;
  auto need = CheckedMul(meta_.pgid, ps);
  if (!need || *need > size) {
    return absl::DataLossError(absl::StrCat("file truncated: meta page ", use, " has high-water mark ", meta_.pgid,
                                            " pages of ", ps, " bytes but the file has only ", size, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PageRef> Db::GetPage(Pgid id) const {
  const uint32_t ps = meta_.page_size;
  if (id >= meta_.pgid) {
    return Corrupt(absl::StrCat("page ", id), absl::StrCat("beyond the high-water mark ", meta_.pgid));
  }
  const uint8_t* p = data_.data() + id * ps;  // id < pgid and pgid * ps <= size (Init)
  PageHeader h = DecodePageHeader(p);
  if (h.id != id) return Corrupt(absl::StrCat("page ", id), absl::StrCat("header says page id ", h.id));
  uint64_t pages = uint64_t{h.overflow} + 1;
  if (pages > meta_.pgid - id) {
    return Corrupt(absl::StrCat("page ", id),
                   absl::StrCat("overflow ", h.overflow, " runs past the high-water mark ", meta_.pgid));
  }
  return PageRef{id, h, data_.subspan(id * ps, pages * ps), false};
}

absl::Status Db::CheckElementArray(const PageRef& page) const {
  uint64_t end = kPageHeaderSize + uint64_t{kElementSize} * page.header.count;
  if (end > page.bytes.size()) {
    return Corrupt(PageName(page), absl::StrCat("element count ", page.header.count, " does not fit in ",
                                                page.bytes.size(), " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Entry> Db::LeafAt(const PageRef& page, uint32_t i) const {
  uint64_t eoff = kPageHeaderSize + uint64_t{kElementSize} * i;
  if (i >= page.header.count || eoff + kElementSize > page.bytes.size()) {
    return Corrupt(PageName(page), absl::StrCat("leaf element ", i, " out of range"));
  }
  LeafPageElement e = DecodeLeafElement(page.bytes.data() + eoff);
  uint64_t kstart = eoff + e.pos;
  uint64_t end = kstart + e.ksize + uint64_t{e.vsize};
  if (end > page.bytes.size()) {
    return Corrupt(PageName(page), absl::StrCat("leaf element ", i, ": key/value (pos ", e.pos, ", ksize ", e.ksize,
                                                ", vsize ", e.vsize, ") past the end of the page"));
  }
  const char* base = reinterpret_cast<const char*>(page.bytes.data());
  return Entry{std::string_view(base + kstart, e.ksize), std::string_view(base + kstart + e.ksize, e.vsize),
               (e.flags & kBucketLeafFlag) != 0};
}

absl::StatusOr<std::pair<std::string_view, Pgid>> Db::BranchAt(const PageRef& page, uint32_t i) const {
  uint64_t eoff = kPageHeaderSize + uint64_t{kElementSize} * i;
  if (i >= page.header.count || eoff + kElementSize > page.bytes.size()) {
    return Corrupt(PageName(page), absl::StrCat("branch element ", i, " out of range"));
  }
  BranchPageElement e = DecodeBranchElement(page.bytes.data() + eoff);
  uint64_t kstart = eoff + e.pos;
  if (kstart + e.ksize > page.bytes.size()) {
    return Corrupt(PageName(page), absl::StrCat("branch element ", i, ": key (pos ", e.pos, ", ksize ", e.ksize,
                                                ") past the end of the page"));
  }
  const char* base = reinterpret_cast<const char*>(page.bytes.data());
  return std::make_pair(std::string_view(base + kstart, e.ksize), e.pgid);
}

absl::StatusOr<Bucket> Db::BucketFromEntry(const Entry& e) const {
  if (e.value.size() < kBucketHeaderSize) {
    return absl::DataLossError(absl::StrCat("bucket \"", absl::CHexEscape(std::string(e.key)), "\": value of ",
                                            e.value.size(), " bytes is shorter than a bucket header"));
  }
  const uint8_t* v = reinterpret_cast<const uint8_t*>(e.value.data());
  Bucket b{LoadLE64(v), LoadLE64(v + 8), {}};
  if (b.root == 0) {
    b.inline_page = absl::MakeConstSpan(v + kBucketHeaderSize, e.value.size() - kBucketHeaderSize);
    if (b.inline_page.size() < kPageHeaderSize) {
      return absl::DataLossError(absl::StrCat("bucket \"", absl::CHexEscape(std::string(e.key)),
                                              "\": inline page shorter than a page header"));
    }
  }
  return b;
}

absl::StatusOr<PageRef> Db::BucketRootPage(const Bucket& b) const {
  if (!b.is_inline()) return GetPage(b.root);
  return PageRef{0, DecodePageHeader(b.inline_page.data()), b.inline_page, true};
}

void Db::ReleaseMemory() const {
  if (file_ != nullptr) file_->Release(0, data_.size());
}

void Db::NoteBytesRead(uint64_t n) const {
  if (file_ == nullptr) return;
  if (unreleased_.fetch_add(n, std::memory_order_relaxed) + n >= kReleaseEvery) {
    unreleased_.store(0, std::memory_order_relaxed);
    ReleaseMemory();
  }
}

}  // namespace ketcd::bbolt
