#pragma once
// Static-pod manifests (kubeadm, RKE2, hand-written): the pod's containers, their
// command lines and volume mounts, and the mapping of container paths to host paths.

#include <map>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/discovery/discovery.h"

namespace ketcd::discovery {

struct Mount {
  std::string container_path;
  std::string host_path;
};

struct PodContainer {
  std::string name;
  std::string image;
  std::vector<std::string> argv;  // command followed by args
  std::vector<Mount> mounts;      // only mounts of hostPath volumes
  std::map<std::string, std::string> mount_volume;  // mountPath -> volume name
};

struct PodManifest {
  std::string path;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<PodContainer> containers;
};

// Reads a Pod manifest (YAML or JSON). Errors name the file and what is wrong.
absl::StatusOr<PodManifest> LoadPodManifest(const std::string& path);

// The container whose name or command is etcd / kube-apiserver; null if none.
const PodContainer* FindContainer(const PodManifest& pod, const std::string& program);

// Maps a container path through the longest matching hostPath mount; a path outside
// every mount is returned as it is (hostNetwork pods often use host paths verbatim).
std::string ToHostPath(const std::vector<Mount>& mounts, const std::string& container_path);

}  // namespace ketcd::discovery
