// Aggregated APIs against the real kube-apiserver: an APIService backed by a Service (as
// metrics-server registers itself) is stored in etcd, its group's objects are not. From a
// snapshot, `kubectl etcd get FILE apiservices` must print the table `kubectl get
// apiservices` prints (NAME, SERVICE, AVAILABLE; AGE aside), and asking for a resource of
// the aggregated group must fail with exit 6 naming the APIService and its Service.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/e2e/kube_cluster.h"

namespace ketcd::e2e {
namespace {

const char kApiService[] = R"(apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system}
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
)";

// Each row of a table without its last column (AGE), cells split on runs of spaces.
std::vector<std::vector<std::string>> RowsWithoutAge(const std::string& table) {
  std::vector<std::vector<std::string>> rows;
  for (absl::string_view line : absl::StrSplit(table, '\n', absl::SkipEmpty())) {
    std::vector<std::string> cells;
    // Cells are separated by at least two spaces (an AVAILABLE cell such as
    // "False (ServiceNotFound)" holds one).
    for (absl::string_view cell : absl::StrSplit(line, "  ", absl::SkipEmpty())) {
      cell = absl::StripAsciiWhitespace(cell);
      if (!cell.empty()) cells.emplace_back(cell);
    }
    if (!cells.empty()) cells.pop_back();
    rows.push_back(cells);
  }
  return rows;
}

class AggregatedE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(cluster_.Start());
    cluster_.Apply(kApiService);
  }

  // Waits until the API server's availability controller has set the APIService's
  // Available condition (False: the Service does not exist), so that the snapshot and the
  // live listing see the same status.
  bool WaitAvailableSet() const {
    for (int i = 0; i < 120; i++) {
      CommandResult r = cluster_.Live({"get", "apiservice", "v1beta1.metrics.k8s.io", "-o",
                                       "jsonpath={.status.conditions[?(@.type==\"Available\")].reason}"});
      if (r.exit_code == 0 && !r.out.empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
  }

  KubeCluster cluster_;
};

TEST_F(AggregatedE2e, ApiServicesListedAndTheirGroupsRefused) {
  ASSERT_TRUE(WaitAvailableSet());
  std::string snap = cluster_.Snapshot("aggregated.db");

  CommandResult ours = RunKubectlEtcd({"get", snap, "apiservices"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  CommandResult live = cluster_.Live({"get", "apiservices"});
  ASSERT_EQ(live.exit_code, 0) << live.err;
  EXPECT_EQ(RowsWithoutAge(ours.out), RowsWithoutAge(live.out)) << "ours:\n" << ours.out << "live:\n" << live.out;
  EXPECT_NE(ours.out.find("kube-system/metrics-server"), std::string::npos) << ours.out;
  EXPECT_NE(ours.out.find("False (ServiceNotFound)"), std::string::npos) << ours.out;

  // The group's objects live in the aggregated server, not in etcd.
  for (const char* resource : {"pods.metrics.k8s.io", "nodes.v1beta1.metrics.k8s.io"}) {
    CommandResult refused = RunKubectlEtcd({"get", snap, resource, "-A"});
    EXPECT_EQ(refused.exit_code, 6) << resource << ": " << refused.out << refused.err;
    EXPECT_NE(refused.err.find("APIService v1beta1.metrics.k8s.io"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("kube-system/metrics-server"), std::string::npos) << refused.err;
  }
  // A group nobody serves is not found either way, but is not called aggregated.
  CommandResult unknown = RunKubectlEtcd({"get", snap, "widgets.nowhere.example.com", "-A"});
  EXPECT_EQ(unknown.err.find("aggregated"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace ketcd::e2e
