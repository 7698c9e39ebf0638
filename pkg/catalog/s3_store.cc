#include "pkg/catalog/s3_store.h"

#include <algorithm>
#include <atomic>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "pkg/base/format.h"

namespace ketcd::catalog {
namespace {

constexpr char kUploadSuffix[] = ".part";
std::atomic<int64_t> g_running_upload_seconds{24 * 3600};

}  // namespace

int64_t DefaultRunningUploadSeconds() { return g_running_upload_seconds.load(); }
void SetRunningUploadSecondsForTests(int64_t seconds) { g_running_upload_seconds = seconds; }

absl::StatusOr<int64_t> ParseS3Time(std::string_view text) {
  const absl::string_view in(text.data(), text.size());
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, in, &t, &err) || t == absl::InfinitePast() || t == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", in, "\" is not an ISO 8601 time: ", err));
  }
  return absl::ToUnixSeconds(t);
}

std::string RelativeName(std::string_view prefix, std::string_view key, bool recursive) {
  if (!key.starts_with(prefix) || key.size() == prefix.size()) return "";
  std::string_view rel = key.substr(prefix.size());
  if (rel.back() == '/') return "";  // a "folder" marker object
  if (!recursive && rel.find('/') != std::string_view::npos) return "";
  return std::string(rel);
}

S3Store::S3Store(std::shared_ptr<const s3::Client> client, s3::ObjectUrl prefix, S3StoreOptions options)
    : client_(std::move(client)), prefix_(std::move(prefix)), options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return static_cast<int64_t>(::time(nullptr)); };
}

absl::StatusOr<std::vector<StoreEntry>> S3Store::List() {
  std::vector<StoreEntry> out;
  sizes_.clear();
  uploads_.clear();
  KETCD_RETURN_IF_ERROR(ListObjects(out));
  KETCD_RETURN_IF_ERROR(ListUploads(out));
  return out;
}

absl::Status S3Store::ListObjects(std::vector<StoreEntry>& out) {
  s3::ListOptions opts{.prefix = prefix_.key, .delimiter = options_.recursive ? "" : "/"};
  for (;;) {
    KETCD_ASSIGN_OR_RETURN(s3::ListObjectsPage page, client_->ListObjectsV2(prefix_.bucket, opts));
    for (const s3::ObjectEntry& o : page.objects) {
      std::string name = RelativeName(prefix_.key, o.key, options_.recursive);
      if (name.empty()) continue;
      absl::StatusOr<int64_t> modified = ParseS3Time(o.last_modified);
      sizes_[name] = o.size;
      out.push_back({std::move(name), o.size, modified.ok() ? *modified : 0});
    }
    if (!page.truncated) return absl::OkStatus();
    if (page.next_continuation_token.empty() || page.next_continuation_token == opts.continuation_token) {
      return absl::UnavailableError(absl::StrCat("listing ", Describe(), ": a truncated page without a new token"));
    }
    opts.continuation_token = page.next_continuation_token;
  }
}

absl::Status S3Store::ListUploads(std::vector<StoreEntry>& out) {
  std::string key_marker, id_marker;
  std::map<std::string, std::vector<Upload>> found;
  for (;;) {
    auto page = client_->ListMultipartUploads(prefix_.bucket, prefix_.key, key_marker, id_marker);
    if (!page.ok()) {
      if (absl::IsCancelled(page.status())) return page.status();
      // The objects were listed with the same credentials: this account may not list
      // uploads, or the server does not implement it. The objects are the catalog still.
      if (options_.warn) {
        options_.warn(absl::StrCat("incomplete multipart uploads are not listed: ", page.status().message()));
      }
      return absl::OkStatus();
    }
    for (const s3::MultipartUploadEntry& u : page->uploads) {
      std::string name = RelativeName(prefix_.key, u.key, options_.recursive);
      if (name.empty()) continue;
      absl::StatusOr<int64_t> initiated = ParseS3Time(u.initiated);
      // An unreadable time counts as now: such an upload is never taken for an old one.
      found[name + kUploadSuffix].push_back({u.key, u.upload_id, initiated.ok() ? *initiated : options_.now()});
    }
    if (!page->truncated) break;
    if (page->next_key_marker == key_marker && page->next_upload_id_marker == id_marker) {
      return absl::UnavailableError(
          absl::StrCat("listing the uploads of ", Describe(), ": a page without new markers"));
    }
    key_marker = page->next_key_marker;
    id_marker = page->next_upload_id_marker;
  }
  for (auto& [name, uploads] : found) {
    int64_t newest = 0;
    for (const Upload& u : uploads) newest = std::max(newest, u.initiated);
    if (!sizes_.count(name)) out.push_back({name, 0, newest});  // an object of that name wins
    uploads_[name] = std::move(uploads);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> S3Store::ReadSmall(const std::string& name, size_t max_bytes) {
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat("an empty name in ", Describe()));
  auto known = sizes_.find(name);
  // S3 refuses a range of an empty object (InvalidRange): nothing to ask for.
  if (max_bytes == 0 || (known != sizes_.end() && known->second == 0)) return std::string();
  std::string out;
  bool enough = false;
  auto sink = [&](const char* data, size_t n) -> absl::Status {
    out.append(data, std::min(n, max_bytes - out.size()));
    if (out.size() < max_bytes) return absl::OkStatus();
    enough = true;  // a server that ignores the range: stop it here
    return absl::CancelledError("read enough");
  };
  absl::StatusOr<s3::ObjectInfo> got =
      client_->GetObject(prefix_.bucket, prefix_.key + name, sink, options_.sse_c, {.first = 0, .count = max_bytes});
  if (!got.ok() && !enough) return got.status();
  return out;
}

absl::Status S3Store::AbortUploads(const std::string& name) {
  const int64_t now = options_.now();
  std::vector<Upload>& uploads = uploads_[name];
  std::vector<Upload> running;
  for (const Upload& u : uploads) {
    if (now - u.initiated < options_.running_upload_seconds) {
      running.push_back(u);
      continue;
    }
    absl::Status s = client_->AbortMultipartUpload(prefix_.bucket, u.key, u.upload_id);
    if (!s.ok() && !absl::IsNotFound(s)) return s;  // NoSuchUpload: completed or aborted since
  }
  uploads = running;
  if (running.empty()) return absl::OkStatus();
  return absl::AlreadyExistsError(absl::StrCat("a multipart upload started ", UtcRfc3339(running.back().initiated),
                                               " may be a backup still running; aborted only once older than ",
                                               options_.running_upload_seconds / 3600, "h"));
}

absl::Status S3Store::Remove(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat("an empty name in ", Describe()));
  if (uploads_.count(name)) {
    KETCD_RETURN_IF_ERROR(AbortUploads(name));
    if (!sizes_.count(name)) return absl::OkStatus();
  }
  absl::Status s = client_->DeleteObject(prefix_.bucket, prefix_.key + name);
  if (!s.ok() && !absl::IsNotFound(s)) return s;
  sizes_.erase(name);
  return absl::OkStatus();
}

}  // namespace ketcd::catalog
