#include "pkg/snapshot/object_diff.h"

#include <cctype>
#include <set>

#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"
#include "pkg/base/status.h"

namespace ketcd::snapshot {
namespace {

using k8sobjects::Json;

bool PlainName(const std::string& key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string Member(const std::string& path, const std::string& key) {
  return PlainName(key) ? absl::StrCat(path, ".", key) : absl::StrCat(path, "[", Json(key).dump(), "]");
}

void Walk(const Json* a, const Json* b, const std::string& path, bool secret, std::vector<FieldChange>& out) {
  if (a != nullptr && b != nullptr && *a == *b) return;
  if (a != nullptr && b != nullptr && a->is_object() && b->is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a->items()) keys.insert(k);
    for (const auto& [k, v] : b->items()) keys.insert(k);
    for (const std::string& k : keys) {
      auto ia = a->find(k), ib = b->find(k);
      Walk(ia == a->end() ? nullptr : &*ia, ib == b->end() ? nullptr : &*ib, Member(path, k), secret, out);
    }
    return;
  }
  if (a != nullptr && b != nullptr && a->is_array() && b->is_array() && a->size() == b->size()) {
    for (size_t i = 0; i < a->size(); i++) Walk(&(*a)[i], &(*b)[i], absl::StrCat(path, "[", i, "]"), secret, out);
    return;
  }
  FieldChange c;
  c.path = path;
  c.secret = secret;
  if (a != nullptr) c.before = *a;
  if (b != nullptr) c.after = *b;
  out.push_back(std::move(c));
}

// The object without what changes on every write and says nothing about its content.
Json Comparable(const Json& obj) {
  Json out = obj;
  if (out.is_object() && out.contains("metadata") && out["metadata"].is_object()) {
    out["metadata"].erase("resourceVersion");
    out["metadata"].erase("managedFields");
  }
  return out;
}

struct Side {
  std::optional<FoundObject> found;
  std::string value;  // the stored bytes
};

absl::StatusOr<Side> ReadSide(const Latest& l, const k8sobjects::RegistryKey& where, const ObjectQuery& q) {
  KETCD_ASSIGN_OR_RETURN(KeyValue kv, LatestIndex::Read(l));
  Side s;
  s.value = std::string(kv.value);
  s.found = DecodeFound(where, kv, q.encryption);
  return s;
}

bool Decoded(const Side& s) { return s.found->object.ok() && s.found->object->json.is_object(); }

}  // namespace

const char* ChangeName(Change c) {
  switch (c) {
    case Change::kAdded:
      return "added";
    case Change::kRemoved:
      return "removed";
    case Change::kChanged:
      return "changed";
  }
  return "changed";
}

std::vector<FieldChange> DiffFields(const Json& before, const Json& after) {
  std::vector<FieldChange> out;
  Json a = Comparable(before), b = Comparable(after);
  if (a.is_object() && b.is_object()) {
    const bool is_secret = a.value("kind", Json()) == "Secret" && a.value("apiVersion", Json()) == "v1";
    std::set<std::string> keys;
    for (const auto& [k, v] : a.items()) keys.insert(k);
    for (const auto& [k, v] : b.items()) keys.insert(k);
    for (const std::string& k : keys) {
      auto ia = a.find(k), ib = b.find(k);
      bool secret = is_secret && (k == "data" || k == "stringData");
      Walk(ia == a.end() ? nullptr : &*ia, ib == b.end() ? nullptr : &*ib, Member("", k), secret, out);
    }
  } else {
    Walk(&a, &b, "", false, out);
  }
  return out;
}

absl::Status DiffObjects(const bbolt::Db& before, const bbolt::Db& after, const ObjectQuery& q, bool fields,
                         absl::FunctionRef<absl::Status(const ObjectChange&)> fn) {
  const std::string prefix = QueryPrefix(q);
  KETCD_ASSIGN_OR_RETURN(LatestIndex a, LatestIndex::Build(before, prefix));
  KETCD_ASSIGN_OR_RETURN(LatestIndex b, LatestIndex::Build(after, prefix));
  auto ia = a.latest().begin(), ib = b.latest().begin();
  auto live = [](auto it, const LatestIndex& idx) { return it != idx.latest().end(); };
  while (live(ia, a) || live(ib, b)) {
    if (Interrupted()) return absl::CancelledError("interrupted");
    int order = !live(ia, a) ? 1 : !live(ib, b) ? -1 : ia->key.compare(ib->key);
    const std::string_view key = order <= 0 ? ia->key : ib->key;
    const Latest* la = order <= 0 ? &*ia : nullptr;
    const Latest* lb = order >= 0 ? &*ib : nullptr;
    std::string_view rev_a = la != nullptr ? la->rev_key : std::string_view();
    std::string_view rev_b = lb != nullptr ? lb->rev_key : std::string_view();
    if (order <= 0) ++ia;
    if (order >= 0) ++ib;
    const bool in_a = !rev_a.empty() && !LatestIndex::IsTombstone(rev_a);
    const bool in_b = !rev_b.empty() && !LatestIndex::IsTombstone(rev_b);
    if (!in_a && !in_b) continue;
    std::optional<k8sobjects::RegistryKey> where = k8sobjects::ParseRegistryKey(key);
    if (!where || !Selects(q, *where)) continue;
    ObjectChange c;
    c.where = *where;
    if (in_a != in_b) {
      c.change = in_a ? Change::kRemoved : Change::kAdded;
      KETCD_RETURN_IF_ERROR(fn(c));
      continue;
    }
    KETCD_ASSIGN_OR_RETURN(Side sa, ReadSide(*la, *where, q));
    KETCD_ASSIGN_OR_RETURN(Side sb, ReadSide(*lb, *where, q));
    if (sa.value == sb.value) continue;
    if (Decoded(sa) && Decoded(sb)) {
      const Json &ja = sa.found->object->json, &jb = sb.found->object->json;
      if (Comparable(ja) == Comparable(jb)) continue;
      if (fields) c.fields = DiffFields(ja, jb);
    } else {
      c.compared_as_bytes = true;
    }
    KETCD_RETURN_IF_ERROR(fn(c));
  }
  KETCD_RETURN_IF_ERROR(before.CheckIntact());
  return after.CheckIntact();
}

}  // namespace ketcd::snapshot
