#include "pkg/etcdclient/cluster_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>

namespace ketcd::etcdclient {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A scripted member: what each call returns.
struct FakeMember {
  absl::Status dial;
  absl::StatusOr<etcdserverpb::StatusResponse> status;
  absl::Status range;
  absl::Status linearizable_list;
  bool serializable_seen = false;
};

class FakeCalls : public MemberCalls {
 public:
  FakeCalls(FakeMember* m, const etcdserverpb::MemberListResponse* list, const etcdserverpb::AlarmResponse* alarms)
      : m_(m), list_(list), alarms_(alarms) {}
  absl::StatusOr<etcdserverpb::StatusResponse> Status() override { return m_->status; }
  absl::StatusOr<etcdserverpb::MemberListResponse> MemberList(bool linearizable) override {
    if (linearizable && !m_->linearizable_list.ok()) return m_->linearizable_list;
    return *list_;
  }
  absl::StatusOr<etcdserverpb::AlarmResponse> Alarms() override { return *alarms_; }
  absl::StatusOr<etcdserverpb::RangeResponse> Range(const etcdserverpb::RangeRequest& r) override {
    if (r.key() != "health") return absl::InternalError("unexpected key");
    m_->serializable_seen = r.serializable();
    if (!m_->range.ok()) return m_->range;
    return etcdserverpb::RangeResponse();
  }

 private:
  FakeMember* m_;
  const etcdserverpb::MemberListResponse* list_;
  const etcdserverpb::AlarmResponse* alarms_;
};

class ClusterStatusTest : public ::testing::Test {
 protected:
  void AddMember(uint64_t id, const std::string& name, bool learner = false) {
    auto* m = list_.add_members();
    m->set_id(id);
    m->set_name(name);
    m->set_islearner(learner);
    std::string url = "https://" + name + ":2379";
    m->add_clienturls(url);
    etcdserverpb::StatusResponse st;
    st.mutable_header()->set_member_id(id);
    st.set_leader(1);
    st.set_version("3.6.8");
    st.set_dbsize(4096);
    st.set_raftterm(2);
    st.set_raftindex(100 + id);
    st.set_islearner(learner);
    members_[name + ":2379"].status = st;
  }

  ClusterStatus Gather(const std::vector<std::string>& seeds = {"https://m1:2379"}) {
    list_.mutable_header()->set_cluster_id(0xc1);
    ClusterStatusOptions o;
    for (const auto& s : seeds) o.seeds.push_back(*ParseEndpoint(s, true));
    o.dial = [this](const Endpoint& ep) -> absl::StatusOr<std::unique_ptr<MemberCalls>> {
      std::lock_guard<std::mutex> lock(mu_);
      dialed_.push_back(ep.HostPort());
      auto it = members_.find(ep.HostPort());
      if (it == members_.end()) return absl::UnavailableError("connection refused by " + ep.HostPort());
      if (!it->second.dial.ok()) return it->second.dial;
      return std::unique_ptr<MemberCalls>(std::make_unique<FakeCalls>(&it->second, &list_, &alarms_));
    };
    ConnectionConfig config;
    config.tls.ca_file = "ca.crt";
    o.reach = ClientUrlReach(config);
    return GatherClusterStatus(o);
  }

  etcdserverpb::MemberListResponse list_;
  etcdserverpb::AlarmResponse alarms_;
  std::map<std::string, FakeMember> members_;
  std::mutex mu_;
  std::vector<std::string> dialed_;
};

TEST_F(ClusterStatusTest, EveryMemberHealthy) {
  AddMember(1, "m1");
  AddMember(2, "m2");
  AddMember(3, "m3");
  ClusterStatus cs = Gather();
  ASSERT_TRUE(cs.error.ok()) << cs.error;
  EXPECT_EQ(cs.asked, "https://m1:2379");
  EXPECT_EQ(cs.cluster_id, 0xc1u);
  ASSERT_EQ(cs.members.size(), 3u);
  for (const MemberStatus& m : cs.members) {
    EXPECT_EQ(m.health, MemberHealth::kHealthy) << m.name;
    ASSERT_TRUE(m.status.has_value());
    EXPECT_EQ(m.status->raftindex(), 100 + m.id);
    EXPECT_TRUE(m.errors.empty());
  }
  EXPECT_EQ(cs.members[1].endpoint, "https://m2:2379");
  EXPECT_TRUE(cs.Healthy());
  EXPECT_TRUE(cs.Verdict().ok());
  EXPECT_FALSE(members_["m1:2379"].serializable_seen);  // linearizable, as etcdctl's check
}

TEST_F(ClusterStatusTest, UnreachableMemberKeepsItsRowAndTheOthers) {
  AddMember(1, "m1");
  AddMember(2, "m2");
  AddMember(3, "m3");
  members_["m2:2379"].dial = absl::UnavailableError("connection refused by m2:2379");
  ClusterStatus cs = Gather({"https://m2:2379", "https://m1:2379"});  // the first seed is down
  ASSERT_TRUE(cs.error.ok()) << cs.error;
  EXPECT_EQ(cs.asked, "https://m1:2379");
  ASSERT_EQ(cs.members.size(), 3u);
  EXPECT_EQ(cs.members[0].health, MemberHealth::kHealthy);
  EXPECT_EQ(cs.members[1].health, MemberHealth::kUnreachable);
  EXPECT_FALSE(cs.members[1].status.has_value());
  EXPECT_THAT(cs.members[1].errors, ElementsAre(HasSubstr("connection refused")));
  EXPECT_EQ(cs.members[2].health, MemberHealth::kHealthy);
  absl::Status v = cs.Verdict();
  EXPECT_EQ(ExitCodeFor(v), kExitUnhealthy) << v;
  EXPECT_THAT(v.message(), HasSubstr("m2 unreachable"));
}

TEST_F(ClusterStatusTest, FailedHealthCheckAndMemberErrors) {
  AddMember(1, "m1");
  AddMember(2, "m2");
  members_["m2:2379"].range = absl::DeadlineExceededError("context deadline exceeded");
  members_["m2:2379"].status->add_errors("slow fdatasync");
  ClusterStatus cs = Gather();
  EXPECT_EQ(cs.members[1].health, MemberHealth::kUnhealthy);
  EXPECT_THAT(cs.members[1].errors,
              ElementsAre("slow fdatasync", HasSubstr("health check: context deadline exceeded")));
  EXPECT_EQ(ExitCodeFor(cs.Verdict()), kExitUnhealthy);
}

TEST_F(ClusterStatusTest, NoLeaderStillListsTheMembers) {
  AddMember(1, "m1");
  AddMember(2, "m2");
  for (auto& [name, m] : members_) {
    m.linearizable_list = absl::UnavailableError("etcdserver: no leader");
    m.range = absl::UnavailableError("etcdserver: no leader");
  }
  ClusterStatus cs = Gather();
  ASSERT_TRUE(cs.error.ok()) << cs.error;
  ASSERT_EQ(cs.members.size(), 2u);
  for (const MemberStatus& m : cs.members) {
    EXPECT_EQ(m.health, MemberHealth::kUnhealthy);
    EXPECT_TRUE(m.status.has_value());
    EXPECT_THAT(m.errors, ElementsAre("health check: etcdserver: no leader"));
  }
}

TEST_F(ClusterStatusTest, PermissionDeniedIsHealthyLearnerReadsSerializable) {
  AddMember(1, "m1");
  AddMember(2, "m2", /*learner=*/true);
  members_["m1:2379"].range = absl::PermissionDeniedError("etcdserver: permission denied");
  ClusterStatus cs = Gather();
  EXPECT_TRUE(cs.Healthy());
  EXPECT_TRUE(cs.members[1].is_learner);
  EXPECT_TRUE(members_["m2:2379"].serializable_seen);
}

TEST_F(ClusterStatusTest, AlarmsGoToTheirMemberAndMakeItUnhealthy) {
  AddMember(1, "m1");
  AddMember(2, "m2");
  auto* a = alarms_.add_alarms();
  a->set_memberid(2);
  a->set_alarm(etcdserverpb::NOSPACE);
  a = alarms_.add_alarms();
  a->set_memberid(0x99);  // removed since
  a->set_alarm(etcdserverpb::CORRUPT);
  ClusterStatus cs = Gather();
  EXPECT_TRUE(cs.members[0].alarms.empty());
  EXPECT_THAT(cs.members[1].alarms, ElementsAre("NOSPACE"));
  EXPECT_EQ(cs.members[1].health, MemberHealth::kUnhealthy);
  EXPECT_THAT(cs.other_alarms, ElementsAre("CORRUPT on 99"));
  EXPECT_EQ(ExitCodeFor(cs.Verdict()), kExitUnhealthy);
}

TEST_F(ClusterStatusTest, UnstartedMemberHasNoClientUrl) {
  AddMember(1, "m1");
  auto* m = list_.add_members();
  m->set_id(7);
  ClusterStatus cs = Gather();
  ASSERT_EQ(cs.members.size(), 2u);
  EXPECT_EQ(cs.members[1].health, MemberHealth::kUnreachable);
  EXPECT_THAT(cs.members[1].errors, ElementsAre(HasSubstr("not started")));
  EXPECT_THAT(cs.Verdict().message(), HasSubstr("7 unreachable"));
}

TEST_F(ClusterStatusTest, NoSeedAnswersIsUnreachableNotUnhealthy) {
  AddMember(1, "m1");
  ClusterStatus cs = Gather({"https://gone:2379"});
  EXPECT_TRUE(absl::IsUnavailable(cs.error));
  EXPECT_TRUE(cs.members.empty());
  EXPECT_EQ(ExitCodeFor(cs.Verdict()), kExitUnreachable);
}

}  // namespace
}  // namespace ketcd::etcdclient
