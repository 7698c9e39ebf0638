#include "pkg/noderestore/manifest_patch.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ketcd::noderestore {
namespace {

absl::StatusOr<YAML::Node> Parse(const std::string& text, const std::string& what) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": not valid YAML: ", e.what()));
  }
}

// Follows `path`; null node when a step is missing.
YAML::Node Walk(YAML::Node node, const YamlPath& path) {
  for (const std::string& step : path) {
    if (node.IsSequence()) {
      char* end = nullptr;
      long i = std::strtol(step.c_str(), &end, 10);
      if (end == step.c_str() || *end != '\0' || i < 0 || static_cast<size_t>(i) >= node.size()) return YAML::Node();
      node.reset(node[static_cast<size_t>(i)]);
    } else if (node.IsMap()) {
      YAML::Node next;
      bool found = false;
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == step) {
          next.reset(it->second);
          found = true;
        }
      }
      if (!found) return YAML::Node();
      node.reset(next);
    } else {
      return YAML::Node();
    }
  }
  return node;
}

bool SameDocument(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  switch (a.Type()) {
    case YAML::NodeType::Scalar:
      return a.Scalar() == b.Scalar();
    case YAML::NodeType::Sequence:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); i++) {
        if (!SameDocument(a[i], b[i])) return false;
      }
      return true;
    case YAML::NodeType::Map: {
      if (a.size() != b.size()) return false;
      auto ia = a.begin();
      auto ib = b.begin();
      for (; ia != a.end(); ++ia, ++ib) {
        if (!SameDocument(ia->first, ib->first) || !SameDocument(ia->second, ib->second)) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

bool PlainSafe(const std::string& v) {
  if (v.empty() || v.front() == '-' || v.front() == ' ' || v.back() == ' ') return false;
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
              c == '_' || c == '-' || c == '+' || c == '@' || c == '=';
    if (!ok) return false;
  }
  // Words YAML would read as something other than a string.
  for (const char* w : {"true", "false", "null", "yes", "no", "on", "off", "~"}) {
    if (v == w) return false;
  }
  return !(v.find_first_not_of("0123456789.-+") == std::string::npos);
}

std::string Quote(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// [begin, end) of the scalar token starting at `pos` whose value is `value`.
absl::StatusOr<std::pair<size_t, size_t>> ScalarExtent(const std::string& text, size_t pos, const std::string& value) {
  if (pos >= text.size()) return absl::InternalError("scalar position out of range");
  char q = text[pos];
  if (q == '"' || q == '\'') {
    for (size_t i = pos + 1; i < text.size(); i++) {
      if (text[i] == '\n') break;  // multi-line quoted scalars are not edited
      if (q == '"' && text[i] == '\\') {
        i++;
        continue;
      }
      if (text[i] == q) {
        if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          i++;
          continue;
        }
        return std::pair{pos, i + 1};
      }
    }
    return absl::FailedPreconditionError("a quoted value spanning lines cannot be edited in place");
  }
  if (q == '|' || q == '>') return absl::FailedPreconditionError("a block scalar cannot be edited in place");
  if (text.compare(pos, value.size(), value) != 0) {
    return absl::FailedPreconditionError("the value is not written on one line as it reads");
  }
  return std::pair{pos, pos + value.size()};
}

}  // namespace

absl::StatusOr<std::string> ReplaceScalar(const std::string& text, const YamlPath& path, const std::string& value) {
  std::string where = absl::StrJoin(path, ".");
  KETCD_ASSIGN_OR_RETURN(YAML::Node root, Parse(text, "document"));
  YAML::Node node = Walk(root, path);
  if (!node.IsDefined() || !node.IsScalar()) return absl::InvalidArgumentError(absl::StrCat("no value at ", where));
  YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.pos < 0) return absl::InternalError(absl::StrCat("no position for ", where));
  auto extent = ScalarExtent(text, static_cast<size_t>(mark.pos), node.Scalar());
  if (!extent.ok()) return absl::FailedPreconditionError(absl::StrCat(where, ": ", extent.status().message()));
  std::string token = PlainSafe(value) ? value : Quote(value);
  std::string out = text.substr(0, extent->first) + token + text.substr(extent->second);

  KETCD_ASSIGN_OR_RETURN(YAML::Node after, Parse(out, "patched document"));
  YAML::Node expected = YAML::Clone(root);
  YAML::Node target = Walk(expected, path);
  target = value;
  if (!SameDocument(after, expected)) {
    return absl::InternalError(absl::StrCat("editing ", where, " in place changed more than that value; not writing it"));
  }
  return out;
}

namespace {

// The hostPath volume mounted at the dir that `flag` ("data-dir", "wal-dir") names.
absl::StatusOr<DataVolume> FindDirVolume(const std::string& text, const std::string& flag_name,
                                         const std::string& path_for_errors) {
  auto bad = [&](const std::string& why) { return absl::InvalidArgumentError(absl::StrCat(path_for_errors, ": ", why)); };
  auto root = Parse(text, path_for_errors);
  if (!root.ok()) return root.status();
  if (!root->IsMap() || !(*root)["kind"] || (*root)["kind"].Scalar() != "Pod") return bad("not a Pod manifest");
  try {
    YAML::Node spec = (*root)["spec"];
    if (!spec || !spec["containers"] || !spec["containers"].IsSequence()) return bad("no spec.containers");
    DataVolume dv;
    YAML::Node etcd;
    std::vector<std::string> argv;
    for (const YAML::Node& c : spec["containers"]) {
      std::vector<std::string> a;
      for (const char* key : {"command", "args"}) {
        if (c[key] && c[key].IsSequence()) {
          for (const YAML::Node& w : c[key]) a.push_back(w.as<std::string>());
        }
      }
      std::string name = c["name"] ? c["name"].as<std::string>() : "";
      std::string prog = a.empty() ? "" : a[0].substr(a[0].find_last_of('/') + 1);
      if (name == "etcd" || prog == "etcd") {
        etcd = c;
        argv = a;
        dv.container_name = name;
        break;
      }
    }
    if (!etcd) return bad("no etcd container");
    for (size_t i = 0; i < argv.size(); i++) {
      const std::string& w = argv[i];
      for (const std::string& f : {"--" + flag_name, "-" + flag_name}) {
        if (w.rfind(f + "=", 0) == 0) dv.container_dir = w.substr(f.size() + 1);
        if (w == f && i + 1 < argv.size()) dv.container_dir = argv[i + 1];
      }
    }
    if (dv.container_dir.empty() && flag_name != "data-dir") {
      return absl::NotFoundError(absl::StrCat(path_for_errors, ": no --", flag_name, " flag"));
    }
    if (dv.container_dir.empty()) return bad("the etcd container has no --data-dir flag (uses a config file?)");
    auto trim = [](std::string p) {
      while (p.size() > 1 && p.back() == '/') p.pop_back();
      return p;
    };
    if (etcd["volumeMounts"] && etcd["volumeMounts"].IsSequence()) {
      for (const YAML::Node& m : etcd["volumeMounts"]) {
        if (m["mountPath"] && trim(m["mountPath"].as<std::string>()) == trim(dv.container_dir)) {
          dv.mount_path = m["mountPath"].as<std::string>();
          dv.volume_name = m["name"] ? m["name"].as<std::string>() : "";
        }
      }
    }
    if (dv.volume_name.empty()) {
      return bad(absl::StrCat("no volume is mounted at the ", flag_name == "data-dir" ? "data dir " : "WAL dir ",
                              dv.container_dir));
    }
    if (spec["volumes"] && spec["volumes"].IsSequence()) {
      for (const YAML::Node& v : spec["volumes"]) {
        if (v["name"] && v["name"].as<std::string>() == dv.volume_name && v["hostPath"] && v["hostPath"]["path"]) {
          dv.host_path = v["hostPath"]["path"].as<std::string>();
        }
      }
    }
    if (dv.host_path.empty()) return bad(absl::StrCat("volume ", dv.volume_name, " is not a hostPath volume"));
    return dv;
  } catch (const YAML::Exception& e) {
    return bad(absl::StrCat("unexpected structure: ", e.what()));
  }
}

}  // namespace

absl::StatusOr<DataVolume> FindDataVolume(const std::string& text, const std::string& path_for_errors) {
  return FindDirVolume(text, "data-dir", path_for_errors);
}

absl::StatusOr<DataVolume> FindWalVolume(const std::string& text, const std::string& path_for_errors) {
  return FindDirVolume(text, "wal-dir", path_for_errors);
}

absl::StatusOr<std::string> PatchHostPath(const std::string& text, const std::string& volume_name,
                                          const std::string& new_path) {
  KETCD_ASSIGN_OR_RETURN(YAML::Node root, Parse(text, "manifest"));
  YAML::Node volumes = Walk(root, {"spec", "volumes"});
  if (!volumes.IsSequence()) return absl::InvalidArgumentError("manifest has no spec.volumes");
  for (size_t i = 0; i < volumes.size(); i++) {
    YAML::Node n = Walk(volumes[i], {"name"});
    if (n.IsScalar() && n.Scalar() == volume_name) {
      return ReplaceScalar(text, {"spec", "volumes", std::to_string(i), "hostPath", "path"}, new_path);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("manifest has no volume ", volume_name));
}

std::vector<std::string> LineDiff(const std::string& a, const std::string& b) {
  std::vector<std::string> la = absl::StrSplit(a, '\n'), lb = absl::StrSplit(b, '\n');
  std::vector<std::string> out;
  if (la.size() != lb.size()) {
    for (const auto& l : la) out.push_back("-" + l);
    for (const auto& l : lb) out.push_back("+" + l);
    return out;
  }
  for (size_t i = 0; i < la.size(); i++) {
    if (la[i] != lb[i]) {
      out.push_back("-" + la[i]);
      out.push_back("+" + lb[i]);
    }
  }
  return out;
}

}  // namespace ketcd::noderestore
