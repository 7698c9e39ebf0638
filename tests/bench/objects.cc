// ketcd_bench_objects: writes N ConfigMaps into etcd as kube-apiserver stores them, over
// several connections, for `make bench` (`kubectl etcd get -A` on a snapshot of many objects).
//   ketcd_bench_objects --endpoint URL [--cacert F --cert F --key F] --objects N
//                       [--namespaces K] [--threads T]
// Key /registry/configmaps/<ns>/<name>; value "k8s\0" + runtime.Unknown{typeMeta{v1,
// ConfigMap}, raw = the v1.ConfigMap message}, both built with the embedded schemas
// (pkg/k8sobjects/schema.h) as DynamicMessages. Each object has its own name, namespace, uid,
// creationTimestamp, three labels and a data map of about 400 bytes.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pkg/etcdclient/client.h"
#include "pkg/k8sobjects/schema.h"

namespace {

namespace pb = google::protobuf;
using ketcd::k8sobjects::Schema;

pb::Message* Sub(pb::Message* m, const char* field) {
  return m->GetReflection()->MutableMessage(m, m->GetDescriptor()->FindFieldByName(field));
}

void SetString(pb::Message* m, const char* field, const std::string& value) {
  m->GetReflection()->SetString(m, m->GetDescriptor()->FindFieldByName(field), value);
}

// A map<string, string> entry: the map field is a repeated entry message {key = 1, value = 2}.
void AddEntry(pb::Message* m, const char* field, const std::string& key, const std::string& value) {
  pb::Message* entry = m->GetReflection()->AddMessage(m, m->GetDescriptor()->FindFieldByName(field));
  SetString(entry, "key", key);
  SetString(entry, "value", value);
}

// Object i of namespace ns: its v1.ConfigMap message bytes.
std::string ConfigMapBytes(long i, const std::string& ns, const std::string& name) {
  const Schema& s = Schema::Get();
  std::unique_ptr<pb::Message> cm(s.New(s.FindKind("v1", "ConfigMap")));
  pb::Message* meta = Sub(cm.get(), "metadata");
  SetString(meta, "name", name);
  SetString(meta, "namespace", ns);
  char uid[40];
  std::snprintf(uid, sizeof uid, "%08lx-6b1e-4c2a-9f3d-%012lx", i, i * 2654435761UL % 0xffffffffffffUL);
  SetString(meta, "uid", uid);
  pb::Message* created = Sub(meta, "creationTimestamp");
  created->GetReflection()->SetInt64(created, created->GetDescriptor()->FindFieldByName("seconds"),
                                     1767225600 + i);  // 2026-01-01T00:00:00Z + i s
  AddEntry(meta, "labels", "app.kubernetes.io/name", "bench-" + std::to_string(i % 37));
  AddEntry(meta, "labels", "app.kubernetes.io/part-of", "kubectl-etcd-bench");
  AddEntry(meta, "labels", "tier", i % 2 ? "backend" : "frontend");
  for (int k = 0; k < 4; k++) {
    std::string value(100, 'a');
    for (size_t j = 0; j < value.size(); j++) value[j] = static_cast<char>('a' + (i * 7 + k * 13 + j) % 26);
    AddEntry(cm.get(), "data", "setting-" + std::to_string(k) + ".conf", value);
  }
  return cm->SerializeAsString();
}

// "k8s\0" + runtime.Unknown, as k8s.io/apimachinery's protobuf serializer writes it.
std::string StoredValue(const std::string& raw) {
  const Schema& s = Schema::Get();
  std::unique_ptr<pb::Message> unknown(s.New(s.FindMessage("k8s.io.apimachinery.pkg.runtime.Unknown")));
  pb::Message* type_meta = Sub(unknown.get(), "typeMeta");
  SetString(type_meta, "apiVersion", "v1");
  SetString(type_meta, "kind", "ConfigMap");
  SetString(unknown.get(), "raw", raw);
  SetString(unknown.get(), "contentEncoding", "");
  SetString(unknown.get(), "contentType", "");
  return std::string("k8s\0", 4) + unknown->SerializeAsString();
}

}  // namespace

int main(int argc, char** argv) {
  std::string endpoint;
  ketcd::etcdclient::ConnectionConfig cfg;
  long objects = 0, namespaces = 100;
  int threads = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i], v = argv[i + 1];
    if (f == "--endpoint") endpoint = v;
    else if (f == "--cacert") cfg.tls.ca_file = v;
    else if (f == "--cert") cfg.tls.cert_file = v;
    else if (f == "--key") cfg.tls.key_file = v;
    else if (f == "--objects") objects = std::atol(v.c_str());
    else if (f == "--namespaces") namespaces = std::atol(v.c_str());
    else if (f == "--threads") threads = std::atoi(v.c_str());
  }
  auto ep = ketcd::etcdclient::ParseEndpoint(endpoint, !cfg.tls.ca_file.empty());
  if (!ep.ok() || objects <= 0 || namespaces <= 0 || threads <= 0) {
    std::fprintf(stderr, "usage: ketcd_bench_objects --endpoint URL --objects N [--namespaces K] ...\n");
    return 2;
  }
  cfg.endpoints = {*ep};
  Schema::Get();  // built once, before the workers share it
  std::atomic<long> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; t++) {
    workers.emplace_back([&] {
      auto client = ketcd::etcdclient::Client::Connect(cfg, *ep);
      if (!client.ok()) {
        std::fprintf(stderr, "connect: %s\n", std::string(client.status().message()).c_str());
        failed = true;
        return;
      }
      for (long i = next++; i < objects && !failed; i = next++) {
        std::string ns = "bench-" + std::to_string(i % namespaces);
        std::string name = "config-" + std::to_string(i);
        std::string key = "/registry/configmaps/" + ns + "/" + name;
        auto r = (*client)->Put(key, StoredValue(ConfigMapBytes(i, ns, name)));
        if (!r.ok()) {
          std::fprintf(stderr, "put %s: %s\n", key.c_str(), std::string(r.status().message()).c_str());
          failed = true;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  return failed ? 1 : 0;
}
