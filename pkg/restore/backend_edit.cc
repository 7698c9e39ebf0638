#include "pkg/restore/backend_edit.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "pkg/base/bytes.h"
#include "pkg/base/format.h"

namespace ketcd::restore {
namespace {

constexpr char kKeyBucket[] = "key";
constexpr char kMetaBucket[] = "meta";
constexpr char kMembersBucket[] = "members";
constexpr char kMembersRemovedBucket[] = "members_removed";

std::string U64BE(uint64_t v) {
  std::string s(8, '\0');
  StoreBE64(s.data(), v);
  return s;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& SchemaBuckets() {
  static const std::vector<std::string> kBuckets = {"alarm",   "auth",    "authRoles", "authUsers",       "cluster",
                                                    "key",     "lease",   "members",   "members_removed", "meta"};
  return kBuckets;
}

std::string RevisionKey(int64_t main, int64_t sub) {
  std::string k(17, '\0');
  StoreBE64(k.data(), static_cast<uint64_t>(main));
  k[8] = '_';
  StoreBE64(k.data() + 9, static_cast<uint64_t>(sub));
  return k;
}

EtcdFormat DetectFormat(const std::string& storage_version, bool has_term) {
  if (!storage_version.empty()) {
    if (auto f = ParseFormat(storage_version)) return *f;
    return EtcdFormat::k37;  // newer than we know: the newest layout we reproduce
  }
  return has_term ? EtcdFormat::k35 : EtcdFormat::k34;
}

BackendEditor::BackendEditor(BackendEditOptions opts, BucketSink* out) : opts_(std::move(opts)), out_(out) {}

absl::Status BackendEditor::EmitMissingBefore(std::string_view name) {
  const auto& schema = SchemaBuckets();
  while (next_schema_ < schema.size() && schema[next_schema_] < name) {
    KETCD_RETURN_IF_ERROR(EmitSynthesized(schema[next_schema_]));
    next_schema_++;
  }
  if (next_schema_ < schema.size() && schema[next_schema_] == name) next_schema_++;
  return absl::OkStatus();
}

absl::Status BackendEditor::EmitSynthesized(const std::string& name) {
  if (name == kMetaBucket) return EmitMeta();
  KETCD_RETURN_IF_ERROR(out_->BeginBucket(name, 0));
  if (name == kMembersBucket) {
    KETCD_RETURN_IF_ERROR(EmitMembers());
  }
  if (name == kKeyBucket && opts_.bump_revision > 0) {
    result_.bumped_revision = static_cast<int64_t>(opts_.bump_revision);
    KETCD_RETURN_IF_ERROR(out_->Put(RevisionKey(result_.bumped_revision, 0), ""));
  }
  return out_->EndBucket();
}

absl::Status BackendEditor::EmitMembers() {
  // Keys are unpadded hex, so byte order is not ID order ("e9e2..." (15 digits) sorts
  // after "7f92..." (16 digits)): sort by the key text.
  std::vector<std::pair<std::string, std::string>> kvs;
  for (const Member& m : opts_.members) kvs.emplace_back(IdHex(m.id), MemberJson(m, opts_.go122_json));
  std::sort(kvs.begin(), kvs.end());
  for (const auto& [k, v] : kvs) KETCD_RETURN_IF_ERROR(out_->Put(k, v));
  return absl::OkStatus();
}

absl::Status BackendEditor::EmitMeta() {
  meta_["consistent_index"] = U64BE(opts_.consistent_index);
  meta_["term"] = U64BE(opts_.term);
  if (opts_.bump_revision > 0) meta_["scheduledCompactRev"] = RevisionKey(result_.bumped_revision, 0);
  KETCD_RETURN_IF_ERROR(out_->BeginBucket(kMetaBucket, meta_sequence_));
  for (const auto& [k, v] : meta_) KETCD_RETURN_IF_ERROR(out_->Put(k, v));
  return out_->EndBucket();
}

absl::Status BackendEditor::BeginBucket(std::string_view name, uint64_t sequence) {
  if (in_bucket_) return absl::InternalError("bucket stream: BeginBucket inside a bucket");
  if (have_prev_bucket_ && !(prev_bucket_ < name)) {
    return absl::DataLossError(absl::StrCat("bucket stream not sorted: \"", Printable(name),
                                                   "\" after \"", Printable(prev_bucket_), "\""));
  }
  KETCD_RETURN_IF_ERROR(EmitMissingBefore(name));
  current_ = std::string(name);
  in_bucket_ = true;
  have_prev_key_ = false;
  if (current_ == kMetaBucket) {  // emitted at EndBucket
    meta_sequence_ = sequence;
    return absl::OkStatus();
  }
  return out_->BeginBucket(name, sequence);
}

absl::Status BackendEditor::Put(std::string_view key, std::string_view value) {
  if (!in_bucket_) return absl::InternalError("bucket stream: Put outside a bucket");
  if (have_prev_key_ && !(prev_key_ < key)) {
    return absl::DataLossError(
        absl::StrCat("bucket \"", Printable(current_), "\": keys not sorted at \"", Printable(key), "\""));
  }
  prev_key_ = std::string(key);
  have_prev_key_ = true;
  if (current_ == kMembersBucket || current_ == kMembersRemovedBucket) {
    result_.members_dropped++;
    return absl::OkStatus();
  }
  if (current_ == kMetaBucket) {
    if (key == "storageVersion") result_.storage_version = std::string(value);
    if (key == "term") result_.had_term = true;
    meta_[std::string(key)] = std::string(value);
    return absl::OkStatus();
  }
  if (current_ == kKeyBucket) {
    if (key.size() < 17) {
      return absl::DataLossError(
          absl::StrCat("bucket \"key\": key \"", Printable(key), "\" is not a revision (", key.size(), " bytes)"));
    }
    int64_t main = static_cast<int64_t>(LoadBE64(key.data()));
    int64_t sub = static_cast<int64_t>(LoadBE64(key.data() + 9));
    if (result_.keys_in == 0 || main > result_.latest_main ||
        (main == result_.latest_main && sub > result_.latest_sub)) {
      result_.latest_main = main;
      result_.latest_sub = sub;
    }
    result_.keys_in++;
  }
  return out_->Put(key, value);
}

absl::Status BackendEditor::EndBucket() {
  if (!in_bucket_) return absl::InternalError("bucket stream: EndBucket outside a bucket");
  in_bucket_ = false;
  have_prev_bucket_ = true;
  prev_bucket_ = current_;
  if (current_ == kMetaBucket) return EmitMeta();
  if (current_ == kMembersBucket) {
    KETCD_RETURN_IF_ERROR(EmitMembers());
  }
  if (current_ == kKeyBucket && opts_.bump_revision > 0) {
    // etcdutl starts from {0,0}, so an empty bucket bumps from 0; with keys
    // {latest.main + B, 0} is above every revision key and stays last.
    int64_t base = result_.keys_in == 0 ? 0 : result_.latest_main;
    if (base < 0 || static_cast<uint64_t>(INT64_MAX - base) < opts_.bump_revision) {
      return absl::FailedPreconditionError(absl::StrCat("--bump-revision ", opts_.bump_revision,
                                                        " overflows the latest revision ", base));
    }
    result_.bumped_revision = base + static_cast<int64_t>(opts_.bump_revision);
    std::string k = RevisionKey(result_.bumped_revision, 0);
    if (have_prev_key_ && !(prev_key_ < k)) {
      return absl::DataLossError("bucket \"key\": revision keys out of order; cannot bump");
    }
    KETCD_RETURN_IF_ERROR(out_->Put(k, ""));
  }
  return out_->EndBucket();
}

absl::Status BackendEditor::Finish() {
  if (in_bucket_) return absl::InternalError("bucket stream: Finish inside a bucket");
  // Every schema bucket sorts before "\xff".
  KETCD_RETURN_IF_ERROR(EmitMissingBefore("\xff"));
  return out_->Finish();
}

}  // namespace ketcd::restore
