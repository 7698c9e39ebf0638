#include "pkg/restore/wal_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "pkg/base/crc32c.h"
#include "pkg/fsutil/file.h"
#include "pkg/restore/proto_encode.h"

namespace ketcd::restore {

void WalEncoder::Append(WalRecordType type, std::string_view data) {
  crc_ = Crc32cExtend(crc_, data);
  std::string rec;
  pb::AppendUint(&rec, 1, static_cast<uint64_t>(type));
  pb::AppendUint(&rec, 2, crc_);
  pb::AppendBytes(&rec, 3, data);
  Frame(rec);
}

void WalEncoder::AppendCrc() {
  std::string rec;
  pb::AppendUint(&rec, 1, static_cast<uint64_t>(WalRecordType::kCrc));
  pb::AppendUint(&rec, 2, crc_);
  Frame(rec);
}

void WalEncoder::Frame(const std::string& record) {
  uint64_t len = record.size();
  uint64_t pad = (8 - len % 8) % 8;
  uint64_t field = pad == 0 ? len : len | ((0x80 | pad) << 56);
  for (int i = 0; i < 8; i++) out_.push_back(static_cast<char>(field >> (8 * i)));
  out_ += record;
  out_.append(pad, '\0');
}

std::string BuildRestoreWal(const RestorePlan& plan, EtcdFormat f) {
  WalEncoder enc;
  enc.AppendCrc();
  enc.Append(WalRecordType::kMetadata, pb::Metadata(plan.local_id, plan.cluster_id));
  enc.Append(WalRecordType::kSnapshot, pb::WalSnapshot(0, 0, ""));
  std::vector<uint64_t> voters;
  for (size_t i = 0; i < plan.members.size(); i++) {
    const Member& m = plan.members[i];
    voters.push_back(m.id);
    std::string cc = pb::ConfChangeAddNode(m.id, MemberJson(m, GoJson122(f)), f);
    enc.Append(WalRecordType::kEntry, pb::ConfChangeEntry(1, i + 1, cc));
  }
  uint64_t n = plan.members.size();
  enc.Append(WalRecordType::kState, pb::HardState(1, plan.members.front().id, n));
  std::string conf_state = WalSnapshotHasConfState(f) ? pb::ConfState(voters, f) : "";
  enc.Append(WalRecordType::kSnapshot, pb::WalSnapshot(n, 1, conf_state));
  return enc.bytes();
}

absl::Status WriteWalSegment(const std::string& dir, std::string_view content) {
  std::string path = fsutil::JoinPath(dir, kFirstWalName);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fsutil::ErrnoError("create", path, errno);
  absl::Status s = fsutil::WriteAll(fd, content.data(), content.size(), path);
  if (s.ok() && content.size() < kWalSegmentBytes) {
    int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(kWalSegmentBytes));
    if (rc == EOPNOTSUPP || rc == EINVAL) {
      rc = ::ftruncate(fd, static_cast<off_t>(kWalSegmentBytes)) == 0 ? 0 : errno;
    }
    if (rc != 0) s = fsutil::ErrnoError("preallocate", path, rc);
  }
  if (s.ok() && ::fsync(fd) != 0) s = fsutil::ErrnoError("fsync", path, errno);
  if (::close(fd) != 0 && s.ok()) s = fsutil::ErrnoError("close", path, errno);
  if (!s.ok()) return s;
  return fsutil::FsyncDir(dir);
}

}  // namespace ketcd::restore
