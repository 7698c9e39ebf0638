#include "tests/e2e/node.h"

#include <filesystem>
#include <fstream>

namespace ketcd::e2e {

namespace fs = std::filesystem;

void Put(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string Tool(const std::string& name) { return std::string(KETCD_SOURCE_DIR) + "/tests/kubelet/" + name; }

std::string EtcdManifest(const std::string& kubeadm, const std::string& name, const Ports& p,
                         const std::string& initial_cluster) {
  std::string c = "https://127.0.0.1:" + std::to_string(p.client);
  std::string peer = "http://127.0.0.1:" + std::to_string(p.peer);
  bool new_flags = kubeadm == "1.35";
  std::string probe_port = new_flags ? "probe-port" : std::to_string(p.metrics);
  std::string live = kubeadm == "1.30" ? "/health?exclude=NOSPACE&serializable=true" : "/livez";
  std::string t =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    kubeadm.kubernetes.io/etcd.advertise-client-urls: " +
      c + "\n" + (kubeadm == "1.30" ? "  creationTimestamp: null\n" : "") +
      "  labels:\n    component: etcd\n    tier: control-plane\n  name: etcd\n  namespace: kube-system\n"
      "spec:\n  containers:\n  - command:\n    - etcd\n    - --advertise-client-urls=" + c + "\n"
      "    - --cert-file=/etc/kubernetes/pki/etcd/server.crt\n    - --client-cert-auth=true\n"
      "    - --data-dir=/var/lib/etcd\n" +
      (new_flags ? "" : "    - --experimental-initial-corrupt-check=true\n"
                        "    - --experimental-watch-progress-notify-interval=5s\n") +
      (new_flags ? "    - --feature-gates=InitialCorruptCheck=true\n" : "") +
      "    - --initial-advertise-peer-urls=" + peer + "\n    - --initial-cluster=" + initial_cluster + "\n" +
      "    - --key-file=/etc/kubernetes/pki/etcd/server.key\n    - --listen-client-urls=" + c + "\n"
      "    - --listen-metrics-urls=http://127.0.0.1:" + std::to_string(p.metrics) + "\n"
      "    - --listen-peer-urls=" + peer + "\n    - --name=" + name + "\n    - --snapshot-count=10000\n"
      "    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt\n" +
      (new_flags ? "    - --watch-progress-notify-interval=5s\n" : "") +
      "    image: registry.k8s.io/etcd:3.6.8-0\n    imagePullPolicy: IfNotPresent\n"
      "    livenessProbe:\n      failureThreshold: 8\n      httpGet:\n        host: 127.0.0.1\n        path: " + live +
      "\n        port: " + probe_port + "\n        scheme: HTTP\n      initialDelaySeconds: 10\n"
      "      periodSeconds: 10\n      timeoutSeconds: 15\n    name: etcd\n" +
      (new_flags ? "    ports:\n    - containerPort: " + std::to_string(p.metrics) +
                       "\n      name: probe-port\n      protocol: TCP\n"
                 : "") +
      "    resources:\n      requests:\n        cpu: 100m\n        memory: 100Mi\n"
      "    volumeMounts:\n    - mountPath: /var/lib/etcd\n      name: etcd-data\n"
      "    - mountPath: /etc/kubernetes/pki/etcd\n      name: etcd-certs\n"
      "  hostNetwork: true\n  priority: 2000001000\n  priorityClassName: system-node-critical\n"
      "  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  volumes:\n"
      "  - hostPath:\n      path: /etc/kubernetes/pki/etcd\n      type: DirectoryOrCreate\n    name: etcd-certs\n"
      "  - hostPath:\n      path: /var/lib/etcd\n      type: DirectoryOrCreate\n    name: etcd-data\nstatus: {}\n";
  return t;
}

std::string ControlPlaneManifest(const std::string& component, const std::vector<std::string>& flags) {
  std::string t = "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    component: " + component +
                  "\n    tier: control-plane\n  name: " + component + "\n  namespace: kube-system\nspec:\n"
                  "  containers:\n  - command:\n    - " + component + "\n";
  for (const auto& f : flags) t += "    - " + f + "\n";
  t += "    image: registry.k8s.io/" + component + ":v1.35.0\n    name: " + component +
       "\n    volumeMounts:\n    - mountPath: /etc/kubernetes/pki\n      name: k8s-certs\n      readOnly: true\n"
       "  hostNetwork: true\n  volumes:\n  - hostPath:\n      path: /etc/kubernetes/pki\n      type: DirectoryOrCreate\n"
       "    name: k8s-certs\nstatus: {}\n";
  return t;
}

int IndexOf(const std::vector<std::string>& events, const std::string& prefix, int nth) {
  for (int i = 0; i < static_cast<int>(events.size()); i++) {
    if (events[i].rfind(prefix, 0) == 0 && --nth == 0) return i;
  }
  return -1;
}

std::unique_ptr<Node> StartNodeWithSnapshot(const Style& style, const EtcdVersion& version, const TestCerts& certs,
                                            const std::string& snap, const std::string& crash) {
  auto node = std::make_unique<Node>(version, certs, "cp1");
  node->WriteEtcd(style.kubeadm, "cp1=" + node->PeerUrl());
  node->WriteControlPlane();
  node->StartKubelet(crash);
  EXPECT_TRUE(node->WaitEtcd(30)) << FileContents(node->R("/var/log/pods/etcd.yaml.log"));
  EXPECT_TRUE(node->WaitApiServer(20));
  EXPECT_EQ(node->Etcdctl({"put", "a", "1"}).exit_code, 0);
  EXPECT_EQ(node->Etcdctl({"put", "b", "2"}).exit_code, 0);
  CommandResult b = node->Kubectl({"backup", snap});
  EXPECT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_EQ(node->Etcdctl({"put", "c", "3"}).exit_code, 0);
  EXPECT_EQ(node->Etcdctl({"del", "a"}).exit_code, 0);
  return node;
}

}  // namespace ketcd::e2e
