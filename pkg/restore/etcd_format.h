#pragma once
// The etcd release whose restore output we reproduce byte for byte. The files a
// restore writes differ between releases only in a few encoding details
// (pkg/restore/README.md, "Differences between releases"); the server of any
// release 3.4+ loads every variant, but byte identity needs the right one.

#include <optional>
#include <string>
#include <string_view>

namespace ketcd::restore {

enum class EtcdFormat {
  k34,  // etcdctl 3.4: WAL snapshot record without conf_state
  k35,  // etcdutl 3.5: conf_state in the WAL snapshot record
  k36,  // etcdutl 3.6: v2 store stats count one failed get
  k37,  // etcdutl 3.7: protobuf-go encoding (no ConfChange.ID, no ConfState.auto_leave)
};

// "3.4", "3.5", ...
std::string_view FormatName(EtcdFormat f);
// Accepts "3.4", "v3.4", "3.4.23" and the like; nullopt for anything else.
std::optional<EtcdFormat> ParseFormat(std::string_view s);

// Encoding switches derived from the release.
inline bool WalSnapshotHasConfState(EtcdFormat f) { return f != EtcdFormat::k34; }
inline bool ConfChangeHasId(EtcdFormat f) { return f != EtcdFormat::k37; }
inline bool ConfStateHasAutoLeave(EtcdFormat f) { return f != EtcdFormat::k37; }
inline int V2StoreGetsFail(EtcdFormat f) { return f >= EtcdFormat::k36 ? 1 : 0; }
// etcdctl 3.4 was built with Go < 1.22, whose encoding/json writes \u0008/\u000c for \b/\f.
inline bool GoJson122(EtcdFormat f) { return f != EtcdFormat::k34; }

}  // namespace ketcd::restore
