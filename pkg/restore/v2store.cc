#include "pkg/restore/v2store.h"

#include <algorithm>

#include "pkg/base/format.h"

namespace ketcd::restore {
namespace {

constexpr int kEventHistoryCapacity = 1000;  // v2store newWatchHub(1000)

// {"Path":..,"CreatedIndex":i,"ModifiedIndex":i,"ExpireTime":"0001-01-01T00:00:00Z",
//  "Value":..,"Children":<children or null>}
std::string Node(const std::string& path, uint64_t index, const std::string& value, const std::string* children,
                 bool go122) {
  std::string idx = std::to_string(index);
  return "{\"Path\":" + GoJsonString(path, go122) + ",\"CreatedIndex\":" + idx + ",\"ModifiedIndex\":" + idx +
         ",\"ExpireTime\":\"0001-01-01T00:00:00Z\",\"Value\":" + GoJsonString(value, go122) +
         ",\"Children\":" + (children ? *children : std::string("null")) + "}";
}

}  // namespace

std::string V2StoreJson(const std::vector<Member>& members, EtcdFormat f) {
  const bool go122 = GoJson122(f);
  struct Stored {
    std::string hex;
    uint64_t index;
    std::string attrs;
  };
  std::vector<Stored> stored;
  for (size_t i = 0; i < members.size(); i++) {
    stored.push_back({IdHex(members[i].id), i + 1, RaftAttributesJson(members[i], go122)});
  }
  // Children are a Go map: encoding/json writes map keys sorted.
  std::vector<const Stored*> by_key;
  for (const auto& s : stored) by_key.push_back(&s);
  std::sort(by_key.begin(), by_key.end(), [](const Stored* a, const Stored* b) { return a->hex < b->hex; });

  std::string member_dirs = "{";
  for (size_t i = 0; i < by_key.size(); i++) {
    const Stored& s = *by_key[i];
    std::string dir = "/0/members/" + s.hex;
    std::string attr = Node(dir + "/raftAttributes", s.index, s.attrs, nullptr, go122);
    std::string children = "{\"raftAttributes\":" + attr + "}";
    if (i > 0) member_dirs += ",";
    member_dirs += GoJsonString(s.hex, go122) + ":" + Node(dir, s.index, "", &children, go122);
  }
  member_dirs += "}";
  // "/0/members" is created with the first member.
  std::string members_node = Node("/0/members", members.empty() ? 0 : 1, "", &member_dirs, go122);
  std::string zero_children = members.empty() ? "{}" : "{\"members\":" + members_node + "}";
  std::string empty = "{}";
  std::string root_children = "{\"0\":" + Node("/0", 0, "", &zero_children, go122) + ",\"1\":" +
                              Node("/1", 0, "", &empty, go122) + "}";

  const size_t n = stored.size();
  std::string events = "[";
  for (size_t i = 0; i < static_cast<size_t>(kEventHistoryCapacity); i++) {
    if (i > 0) events += ",";
    if (i < n) {
      const Stored& s = stored[i];
      std::string idx = std::to_string(s.index);
      events += "{\"action\":\"create\",\"node\":{\"key\":" +
                GoJsonString("/0/members/" + s.hex + "/raftAttributes", go122) +
                ",\"value\":" + GoJsonString(s.attrs, go122) + ",\"modifiedIndex\":" + idx +
                ",\"createdIndex\":" + idx + "}}";
    } else {
      events += "null";
    }
  }
  events += "]";
  std::string ns = std::to_string(n);
  std::string out = "{\"Root\":" + Node("/", 0, "", &root_children, go122);
  out += ",\"WatcherHub\":{\"EventHistory\":{\"Queue\":{\"Events\":" + events + ",\"Size\":" + ns +
         ",\"Front\":0,\"Back\":" + ns + ",\"Capacity\":" + std::to_string(kEventHistoryCapacity) +
         "},\"StartIndex\":" + (n > 0 ? "1" : "0") + ",\"LastIndex\":" + ns + "}}";
  out += ",\"CurrentIndex\":" + ns;
  out += ",\"Stats\":{\"getsSuccess\":0,\"getsFail\":" + std::to_string(V2StoreGetsFail(f)) +
         ",\"setsSuccess\":0,\"setsFail\":0,\"deleteSuccess\":0,\"deleteFail\":0,\"updateSuccess\":0,"
         "\"updateFail\":0,\"createSuccess\":" + ns +
         ",\"createFail\":0,\"compareAndSwapSuccess\":0,\"compareAndSwapFail\":0,"
         "\"compareAndDeleteSuccess\":0,\"compareAndDeleteFail\":0,\"expireCount\":0,\"watchers\":0}";
  out += ",\"CurrentVersion\":2}";
  return out;
}

}  // namespace ketcd::restore
