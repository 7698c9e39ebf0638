#include "pkg/bbolt/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/bbolt/meta.h"
#include "pkg/bbolt/node_encode.h"

namespace ketcd::bbolt {
namespace {

std::string Quote(std::string_view s) { return absl::StrCat("\"", absl::CHexEscape(absl::string_view(s.data(), s.size())), "\""); }

absl::Status PwriteAll(int fd, const void* data, size_t n, uint64_t offset, const std::string& name) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return absl::UnknownError(absl::StrCat("write ", name, ": ", std::strerror(errno)));
    }
    p += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return absl::OkStatus();
}

std::string BucketHeader(Pgid root, uint64_t seq) {
  std::string h(kBucketHeaderSize, '\0');
  StoreLE64(h.data(), root);
  StoreLE64(h.data() + 8, seq);
  return h;
}

}  // namespace

// A node being assembled: leaf items carry values and flags, branch items child page ids.
struct BulkWriter::Node {
  struct Item {
    std::string key;
    std::string value;
    uint32_t flags = 0;
    Pgid child = 0;
  };
  bool leaf = true;
  std::vector<Item> items;
  uint64_t size = kPageHeaderSize;

  uint64_t ItemSize(size_t k, size_t v) const { return kElementSize + k + (leaf ? v : 0); }
  // Splits like bbolt: a node keeps at least two items, and closes once it would pass the
  // fill threshold (or the u16 element count).
  bool FullBefore(uint64_t item_size, uint32_t threshold) const {
    return items.size() >= 0xFFFE || (items.size() >= 2 && size + item_size > threshold);
  }
  void Add(Item it) {
    size += ItemSize(it.key.size(), it.value.size());
    items.push_back(std::move(it));
  }
  // Page image: header, element array, then key (and value) bytes in element order.
  std::string Serialize(Pgid id, uint64_t buffer_size) const {
    std::string buf(buffer_size, '\0');
    uint8_t* p = reinterpret_cast<uint8_t*>(buf.data());
    std::vector<NodeItem> views;
    views.reserve(items.size());
    for (const Item& it : items) views.push_back({it.key, it.value, it.flags, it.child});
    EncodeNode(leaf, views, id, 0, p);
    return buf;
  }
};

absl::StatusOr<std::unique_ptr<BulkWriter>> BulkWriter::Create(const std::string& path, const WriterOptions& opts) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    std::string msg = absl::StrCat("create ", path, ": ", std::strerror(err));
    return err == EEXIST ? absl::AlreadyExistsError(msg) : absl::UnknownError(msg);
  }
  auto w = CreateOnFd(fd, opts);
  if (!w.ok()) {
    ::close(fd);
    return w.status();
  }
  (*w)->owned_ = true;
  (*w)->name_ = path;
  return w;
}

absl::StatusOr<std::unique_ptr<BulkWriter>> BulkWriter::CreateOnFd(int fd, const WriterOptions& opts) {
  const uint32_t ps = opts.page_size;
  if (ps < kMinPageSize || ps > kMaxPageSize || (ps & (ps - 1)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("bbolt writer: invalid page size ", ps));
  }
  if (opts.txid < 1) return absl::InvalidArgumentError("bbolt writer: txid must be at least 1");
  return std::unique_ptr<BulkWriter>(new BulkWriter(fd, false, "bbolt output", opts));
}

BulkWriter::BulkWriter(int fd, bool owned, const std::string& name, const WriterOptions& opts)
    : fd_(fd), owned_(owned), name_(name), opts_(opts), pending_(std::make_unique<Node>()) {
  double fill = std::clamp(opts.fill_percent, 0.1, 1.0);
  threshold_ = static_cast<uint32_t>(opts.page_size * fill);
}

BulkWriter::~BulkWriter() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

absl::Status BulkWriter::Fail(absl::Status s) {
  if (failed_.ok()) failed_ = s;
  return s;
}

absl::StatusOr<Pgid> BulkWriter::WriteNode(const Node& node) {
  const uint64_t ps = opts_.page_size;
  const uint64_t pages = (node.size + ps - 1) / ps;
  if (pages - 1 > UINT32_MAX) return Fail(absl::InvalidArgumentError("bbolt writer: node too large"));
  const Pgid id = next_pgid_;
  next_pgid_ += pages;
  std::string buf = node.Serialize(id, pages * ps);
  StoreLE32(buf.data() + 12, static_cast<uint32_t>(pages - 1));
  KETCD_RETURN_IF_ERROR(Fail(PwriteAll(fd_, buf.data(), buf.size(), id * ps, name_)));
  return id;
}

absl::Status BulkWriter::FlushLeaf() {
  if (pending_->items.empty()) return absl::OkStatus();
  KETCD_ASSIGN_OR_RETURN(Pgid id, WriteNode(*pending_));
  leaf_children_.emplace_back(std::move(pending_->items.front().key), id);
  pending_ = std::make_unique<Node>();
  return absl::OkStatus();
}

absl::Status BulkWriter::PutTree(std::string_view key, std::string_view value, uint32_t flags) {
  if (pending_->FullBefore(pending_->ItemSize(key.size(), value.size()), threshold_)) {
    KETCD_RETURN_IF_ERROR(FlushLeaf());
  }
  pending_->Add(Node::Item{std::string(key), std::string(value), flags, 0});
  return absl::OkStatus();
}

absl::StatusOr<Pgid> BulkWriter::BuildUpperLevels(std::vector<std::pair<std::string, Pgid>> children) {
  while (children.size() > 1) {
    std::vector<std::pair<std::string, Pgid>> parents;
    Node node;
    node.leaf = false;
    for (auto& [key, id] : children) {
      if (node.FullBefore(node.ItemSize(key.size(), 0), threshold_)) {
        KETCD_ASSIGN_OR_RETURN(Pgid pid, WriteNode(node));
        parents.emplace_back(node.items.front().key, pid);
        node.items.clear();
        node.size = kPageHeaderSize;
      }
      node.Add(Node::Item{std::move(key), {}, 0, id});
    }
    KETCD_ASSIGN_OR_RETURN(Pgid pid, WriteNode(node));
    parents.emplace_back(node.items.front().key, pid);
    children = std::move(parents);
  }
  return children.front().second;
}

absl::Status BulkWriter::BeginBucket(std::string_view name, uint64_t sequence) {
  KETCD_RETURN_IF_ERROR(failed_);
  if (finished_ || in_bucket_) {
    return Fail(absl::FailedPreconditionError("bbolt writer: BeginBucket inside a bucket or after Finish"));
  }
  if (name.empty() || name.size() > kMaxKeySize) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("bbolt writer: invalid bucket name ", Quote(name))));
  }
  if (!root_entries_.empty() && !(root_entries_.back().first < name)) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("bbolt writer: bucket ", Quote(name),
                                                        " does not sort after ", Quote(root_entries_.back().first))));
  }
  in_bucket_ = true;
  bucket_name_ = std::string(name);
  bucket_seq_ = sequence;
  has_last_key_ = false;
  inline_candidate_ = true;
  inline_size_ = kPageHeaderSize;
  return absl::OkStatus();
}

absl::Status BulkWriter::Put(std::string_view key, std::string_view value) {
  KETCD_RETURN_IF_ERROR(failed_);
  if (!in_bucket_) return Fail(absl::FailedPreconditionError("bbolt writer: Put outside a bucket"));
  if (key.empty() || key.size() > kMaxKeySize || value.size() > kMaxValueSize) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("bbolt writer: bucket ", Quote(bucket_name_),
                                                        ": invalid key or value size (key ", key.size(),
                                                        " bytes, value ", value.size(), " bytes)")));
  }
  if (has_last_key_ && !(std::string_view(last_key_) < key)) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("bbolt writer: bucket ", Quote(bucket_name_), ": key ",
                                                        Quote(key), " does not sort after ", Quote(last_key_))));
  }
  last_key_.assign(key.data(), key.size());
  has_last_key_ = true;
  if (inline_candidate_) {
    inline_size_ += kElementSize + key.size() + value.size();
    if (inline_size_ <= opts_.page_size / 4) {
      pending_->Add(Node::Item{std::string(key), std::string(value), 0, 0});
      return absl::OkStatus();
    }
    // Too big to inline: replay what was buffered through the tree builder.
    inline_candidate_ = false;
    auto buffered = std::move(pending_);
    pending_ = std::make_unique<Node>();
    for (auto& it : buffered->items) KETCD_RETURN_IF_ERROR(PutTree(it.key, it.value, 0));
  }
  return PutTree(key, value, 0);
}

absl::Status BulkWriter::EndBucket() {
  KETCD_RETURN_IF_ERROR(failed_);
  if (!in_bucket_) return Fail(absl::FailedPreconditionError("bbolt writer: EndBucket outside a bucket"));
  std::string value;
  if (inline_candidate_) {
    value = BucketHeader(0, bucket_seq_) + pending_->Serialize(0, pending_->size);
    pending_ = std::make_unique<Node>();
  } else {
    KETCD_RETURN_IF_ERROR(FlushLeaf());
    KETCD_ASSIGN_OR_RETURN(Pgid root, BuildUpperLevels(std::move(leaf_children_)));
    leaf_children_.clear();
    value = BucketHeader(root, bucket_seq_);
  }
  root_entries_.emplace_back(std::move(bucket_name_), std::move(value));
  in_bucket_ = false;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> BulkWriter::Finish() {
  KETCD_RETURN_IF_ERROR(failed_);
  if (in_bucket_ || finished_) return Fail(absl::FailedPreconditionError("bbolt writer: Finish inside a bucket"));
  finished_ = true;
  for (auto& [name, value] : root_entries_) KETCD_RETURN_IF_ERROR(PutTree(name, value, kBucketLeafFlag));
  root_entries_.clear();
  if (pending_->items.empty() && leaf_children_.empty()) {
    KETCD_ASSIGN_OR_RETURN(Pgid empty, WriteNode(*pending_));
    leaf_children_.emplace_back(std::string(), empty);
  }
  KETCD_RETURN_IF_ERROR(FlushLeaf());
  KETCD_ASSIGN_OR_RETURN(Pgid root, BuildUpperLevels(std::move(leaf_children_)));

  const uint32_t ps = opts_.page_size;
  Meta meta;
  meta.page_size = ps;
  meta.root = root;
  meta.freelist = kPgidNoFreelist;
  meta.pgid = next_pgid_;
  std::string pages(2 * ps, '\0');
  auto* p = reinterpret_cast<uint8_t*>(pages.data());
  meta.txid = opts_.txid;
  EncodeMetaPage(meta, 0, absl::MakeSpan(p, ps));
  meta.txid = opts_.txid - 1;
  EncodeMetaPage(meta, 1, absl::MakeSpan(p + ps, ps));
  KETCD_RETURN_IF_ERROR(Fail(PwriteAll(fd_, pages.data(), pages.size(), 0, name_)));
  const uint64_t size = next_pgid_ * ps;
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    return Fail(absl::UnknownError(absl::StrCat("truncate ", name_, ": ", std::strerror(errno))));
  }
  if (::fsync(fd_) != 0) return Fail(absl::UnknownError(absl::StrCat("fsync ", name_, ": ", std::strerror(errno))));
  if (owned_) {
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Fail(absl::UnknownError(absl::StrCat("close ", name_, ": ", std::strerror(errno))));
  }
  return size;
}

}  // namespace ketcd::bbolt
