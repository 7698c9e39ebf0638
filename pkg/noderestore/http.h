#pragma once
// HTTP(S) probes a restore makes besides etcd's gRPC and the Kubernetes API
// (pkg/kubeclient): the API server's liveness probe (like the kubelet's probe: HTTPS
// without certificate verification) and the cluster ID on an etcd peer listener.

#include <cstdint>
#include <string>

namespace ketcd::noderestore {

// GET https://<host>:<port><path> without verifying the certificate. Returns the HTTP
// status code, or 0 when nothing answers (connection refused, TLS failure, timeout).
long ProbeHttps(const std::string& host, int port, const std::string& path, long timeout_ms);

// The cluster ID an etcd member reports on its peer listener (GET <peer_url>/members,
// header X-Etcd-Cluster-ID). The peer listener serves before the member has quorum, so
// this tells which data a member of a cluster still being restored runs on. TLS peers
// need a client certificate signed by the peer CA (kubeadm: the etcd CA). 0 when the
// member does not answer.
uint64_t PeerClusterId(const std::string& peer_url, const std::string& ca_file, const std::string& cert_file,
                       const std::string& key_file, long timeout_ms);

}  // namespace ketcd::noderestore
