#pragma once
// What a restore changes in the bbolt database, independent of how the file is
// read and written: the snapshot's buckets flow in as a sorted stream (buckets in
// byte order, keys in byte order within each) and an edited sorted stream flows out
// to a writer. Semantics (etcdutl 3.5.10+/3.6/3.7 Restore, README.md "Database"):
//   - members, members_removed: old content dropped; members := the new members,
//     key = hex ID without padding, value = member JSON (TrimMembershipFromBackend,
//     then RaftCluster.AddMember for each new member);
//   - meta/consistent_index := N, meta/term := 1 (UpdateConsistentIndexForce);
//   - with a revision bump B: key[{latest.main + B, 0}] := "" where latest is the
//     largest revision in `key` ({0,0} if empty), and
//     meta/scheduledCompactRev := {latest.main + B, 0} (17-byte revision keys);
//   - the ten buckets of etcd's schema exist (missing ones are created empty);
//   - everything else passes through unchanged, including unknown buckets.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/restore/etcd_format.h"
#include "pkg/restore/member.h"

namespace ketcd::restore {

// Receiver of a sorted bucket stream. Calls: (BeginBucket Put* EndBucket)* Finish.
class BucketSink {
 public:
  virtual ~BucketSink() = default;
  // `sequence` is the bucket's NextSequence counter (0 in every etcd bucket).
  virtual absl::Status BeginBucket(std::string_view name, uint64_t sequence) = 0;
  virtual absl::Status Put(std::string_view key, std::string_view value) = 0;
  virtual absl::Status EndBucket() = 0;
  virtual absl::Status Finish() = 0;
};

// The schema buckets, byte-sorted (etcd server/storage/schema AllBuckets).
const std::vector<std::string>& SchemaBuckets();

struct BackendEditOptions {
  std::vector<Member> members;  // ascending ID
  uint64_t consistent_index = 0;
  uint64_t term = 1;
  uint64_t bump_revision = 0;   // 0: no bump and no compaction mark
  bool go122_json = true;
};

struct BackendEditResult {
  int64_t latest_main = 0;       // largest main revision in `key` before the bump
  int64_t latest_sub = 0;
  int64_t bumped_revision = 0;   // latest_main + bump (0 without a bump)
  uint64_t keys_in = 0;          // entries in `key` read
  uint64_t members_dropped = 0;  // old members + members_removed entries
  std::string storage_version;   // meta/storageVersion of the input, if any
  bool had_term = false;         // meta/term present in the input
};

// Edits the stream and forwards it to `out` (not owned). Rejects an input stream
// that is not sorted (InvalidArgument) or a `key` bucket with keys that are not
// revisions, or a bump that overflows int64 (FailedPrecondition).
class BackendEditor : public BucketSink {
 public:
  BackendEditor(BackendEditOptions opts, BucketSink* out);
  absl::Status BeginBucket(std::string_view name, uint64_t sequence) override;
  absl::Status Put(std::string_view key, std::string_view value) override;
  absl::Status EndBucket() override;
  absl::Status Finish() override;
  const BackendEditResult& result() const { return result_; }

 private:
  absl::Status EmitMissingBefore(std::string_view name);
  absl::Status EmitSynthesized(const std::string& name);
  absl::Status EmitMeta();
  absl::Status EmitMembers();

  BackendEditOptions opts_;
  BucketSink* out_;
  BackendEditResult result_;
  std::string current_;
  bool in_bucket_ = false;
  bool have_prev_bucket_ = false;
  std::string prev_bucket_;
  std::string prev_key_;
  bool have_prev_key_ = false;
  size_t next_schema_ = 0;                   // SchemaBuckets() not yet emitted
  std::map<std::string, std::string> meta_;  // the meta bucket, buffered
  uint64_t meta_sequence_ = 0;
};

// 17-byte revision key {main, sub} (etcd mvcc RevToBytes).
std::string RevisionKey(int64_t main, int64_t sub);

// Chooses the output layout from the input's meta bucket when --etcd-version is not
// given: storageVersion "3.N.x" -> 3.N (3.6+ servers write it), else meta/term
// present -> 3.5, else 3.4.
EtcdFormat DetectFormat(const std::string& storage_version, bool has_term);

}  // namespace ketcd::restore
