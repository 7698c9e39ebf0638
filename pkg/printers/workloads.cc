// Pods and their controllers: printPod, printDeployment, printReplicaSet, printStatefulSet,
// printDaemonSet, printJob, printCronJob, printReplicationController (printers.go).
#include <map>

#include "absl/strings/str_cat.h"
#include "pkg/printers/cells.h"
#include "pkg/printers/types.h"

namespace ketcd::printers {
namespace {

bool HasCondition(const Json& conditions, const char* type) {
  for (const Json& c : Items(conditions)) {
    if (Str(c, {"type"}) == type && Str(c, {"status"}) == "True") return true;
  }
  return false;
}

bool IsRestartableInit(const Json* c) { return c != nullptr && Str(*c, {"restartPolicy"}) == "Always"; }

// The latest lastState.terminated.finishedAt of `s`, kept in *latest (RFC 3339 sorts as time).
void NoteRestart(const Json& s, std::string* latest) {
  const std::string t = Str(s, {"lastState", "terminated", "finishedAt"});
  if (!t.empty() && ParseTime(t) > (latest->empty() ? -1 : ParseTime(*latest))) *latest = t;
}

struct PodState {
  std::string reason;
  int64_t ready = 0, total = 0, restarts = 0;
  std::string last_restart;
};

// The init containers' part: false when the pod is still initializing (reason set).
bool InitContainers(const Json& pod, PodState& st, int64_t* restartable_restarts, std::string* restartable_last) {
  std::map<std::string, const Json*> init;
  const Json& specs = Items(At(pod, {"spec", "initContainers"}));
  for (const Json& c : specs) init[Str(c, {"name"})] = &c;
  bool initializing = false;
  const Json& statuses = Items(At(pod, {"status", "initContainerStatuses"}));
  for (size_t i = 0; i < statuses.size(); i++) {
    const Json& c = statuses[i];
    auto it = init.find(Str(c, {"name"}));
    const bool restartable = IsRestartableInit(it == init.end() ? nullptr : it->second);
    st.restarts += Int(c, {"restartCount"});
    NoteRestart(c, &st.last_restart);
    if (restartable) {
      *restartable_restarts += Int(c, {"restartCount"});
      NoteRestart(c, restartable_last);
    }
    const Json& terminated = At(c, {"state", "terminated"});
    const std::string waiting = Str(c, {"state", "waiting", "reason"});
    if (terminated.is_object() && Int(terminated, {"exitCode"}) == 0) continue;
    if (restartable && Bool(c, {"started"})) {
      if (Bool(c, {"ready"})) st.ready++;
      continue;
    }
    if (terminated.is_object()) {
      const std::string r = Str(terminated, {"reason"});
      if (!r.empty()) {
        st.reason = "Init:" + r;
      } else if (Int(terminated, {"signal"}) != 0) {
        st.reason = absl::StrCat("Init:Signal:", Int(terminated, {"signal"}));
      } else {
        st.reason = absl::StrCat("Init:ExitCode:", Int(terminated, {"exitCode"}));
      }
    } else if (!waiting.empty() && waiting != "PodInitializing") {
      st.reason = "Init:" + waiting;
    } else {
      st.reason = absl::StrCat("Init:", i, "/", specs.size());
    }
    initializing = true;
    break;
  }
  return initializing;
}

void Containers(const Json& pod, PodState& st) {
  bool has_running = false;
  std::string error_reason;
  const Json& statuses = Items(At(pod, {"status", "containerStatuses"}));
  for (size_t i = statuses.size(); i-- > 0;) {
    const Json& c = statuses[i];
    st.restarts += Int(c, {"restartCount"});
    NoteRestart(c, &st.last_restart);
    const Json& terminated = At(c, {"state", "terminated"});
    const std::string waiting = Str(c, {"state", "waiting", "reason"});
    if (!waiting.empty()) {
      st.reason = waiting;
    } else if (terminated.is_object()) {
      if (!Str(terminated, {"reason"}).empty()) {
        st.reason = Str(terminated, {"reason"});
      } else if (Int(terminated, {"signal"}) != 0) {
        st.reason = absl::StrCat("Signal:", Int(terminated, {"signal"}));
      } else {
        st.reason = absl::StrCat("ExitCode:", Int(terminated, {"exitCode"}));
      }
      if (Int(terminated, {"exitCode"}) != 0) error_reason = st.reason;
    } else if (Bool(c, {"ready"}) && At(c, {"state", "running"}).is_object()) {
      has_running = true;
      st.ready++;
    }
  }
  if (st.reason == "Completed") {
    if (has_running && HasCondition(At(pod, {"status", "conditions"}), "Ready")) {
      st.reason = "Running";
    } else if (!error_reason.empty()) {
      st.reason = error_reason;
    } else if (has_running) {
      st.reason = "NotReady";
    }
  }
}

Row Pod(const Json& pod, const RowOptions& opt) {
  PodState st;
  const std::string phase = Str(pod, {"status", "phase"});
  st.reason = Str(pod, {"status", "reason"}).empty() ? phase : Str(pod, {"status", "reason"});
  for (const Json& c : Items(At(pod, {"status", "conditions"}))) {
    if (Str(c, {"type"}) == "PodScheduled" && Str(c, {"reason"}) == "SchedulingGated") st.reason = "SchedulingGated";
  }
  st.total = static_cast<int64_t>(Items(At(pod, {"spec", "containers"})).size());
  for (const Json& c : Items(At(pod, {"spec", "initContainers"}))) st.total += IsRestartableInit(&c) ? 1 : 0;
  int64_t restartable_restarts = 0;
  std::string restartable_last;
  const bool initializing = InitContainers(pod, st, &restartable_restarts, &restartable_last);
  if (!initializing || HasCondition(At(pod, {"status", "conditions"}), "Initialized")) {
    st.restarts = restartable_restarts;
    st.last_restart = restartable_last;
    Containers(pod, st);
  }
  const bool deleting = !Str(pod, {"metadata", "deletionTimestamp"}).empty();
  if (deleting && Str(pod, {"status", "reason"}) == "NodeLost") {
    st.reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    st.reason = "Terminating";
  }
  std::string restarts = absl::StrCat(st.restarts);
  if (st.restarts != 0 && !st.last_restart.empty()) {
    absl::StrAppend(&restarts, " (", Since(st.last_restart, opt.now), " ago)");
  }
  auto or_none = [](const std::string& s) { return s.empty() ? std::string("<none>") : s; };
  std::string gates = "<none>";
  const Json& wanted = Items(At(pod, {"spec", "readinessGates"}));
  if (!wanted.empty()) {
    int true_conditions = 0;
    for (const Json& g : wanted) {
      for (const Json& c : Items(At(pod, {"status", "conditions"}))) {
        if (Str(c, {"type"}) != Str(g, {"conditionType"})) continue;
        true_conditions += Str(c, {"status"}) == "True" ? 1 : 0;
        break;
      }
    }
    gates = absl::StrCat(true_conditions, "/", wanted.size());
  }
  const Json& ips = Items(At(pod, {"status", "podIPs"}));
  return {Str(pod, {"metadata", "name"}),
          absl::StrCat(st.ready, "/", st.total),
          st.reason,
          restarts,
          Age(pod, opt.now),
          or_none(ips.empty() ? "" : Str(ips[0], {"ip"})),
          or_none(Str(pod, {"spec", "nodeName"})),
          or_none(Str(pod, {"status", "nominatedNodeName"})),
          gates};
}

Row Deployment(const Json& o, const RowOptions& opt) {
  const Json& containers = At(o, {"spec", "template", "spec", "containers"});
  std::string selector = FormatLabelSelector(At(o, {"spec", "selector"}));
  if (selector == "<none>") selector = "";  // selector.String(), not FormatLabelSelector
  return {Str(o, {"metadata", "name"}),
          absl::StrCat(Int(o, {"status", "readyReplicas"}), "/", Int(o, {"spec", "replicas"})),
          absl::StrCat(Int(o, {"status", "updatedReplicas"})),
          absl::StrCat(Int(o, {"status", "availableReplicas"})),
          Age(o, opt.now),
          ContainerNames(containers),
          ContainerImages(containers),
          selector};
}

// ReplicaSets and ReplicationControllers.
Row ReplicaSet(const Json& o, const RowOptions& opt) {
  const Json& containers = At(o, {"spec", "template", "spec", "containers"});
  const Json& selector = At(o, {"spec", "selector"});
  // A ReplicationController's selector is a plain map.
  const bool plain = Str(o, {"kind"}) == "ReplicationController";
  return {Str(o, {"metadata", "name"}),
          absl::StrCat(Int(o, {"spec", "replicas"})),
          absl::StrCat(Int(o, {"status", "replicas"})),
          absl::StrCat(Int(o, {"status", "readyReplicas"})),
          Age(o, opt.now),
          ContainerNames(containers),
          ContainerImages(containers),
          plain ? FormatLabels(selector) : FormatLabelSelector(selector)};
}

Row StatefulSet(const Json& o, const RowOptions& opt) {
  const Json& containers = At(o, {"spec", "template", "spec", "containers"});
  return {Str(o, {"metadata", "name"}),
          absl::StrCat(Int(o, {"status", "readyReplicas"}), "/", Int(o, {"spec", "replicas"})), Age(o, opt.now),
          ContainerNames(containers), ContainerImages(containers)};
}

Row DaemonSet(const Json& o, const RowOptions& opt) {
  const Json& containers = At(o, {"spec", "template", "spec", "containers"});
  return {Str(o, {"metadata", "name"}),
          absl::StrCat(Int(o, {"status", "desiredNumberScheduled"})),
          absl::StrCat(Int(o, {"status", "currentNumberScheduled"})),
          absl::StrCat(Int(o, {"status", "numberReady"})),
          absl::StrCat(Int(o, {"status", "updatedNumberScheduled"})),
          absl::StrCat(Int(o, {"status", "numberAvailable"})),
          FormatLabels(At(o, {"spec", "template", "spec", "nodeSelector"})),
          Age(o, opt.now),
          ContainerNames(containers),
          ContainerImages(containers),
          FormatLabelSelector(At(o, {"spec", "selector"}))};
}

std::string JobStatus(const Json& o) {
  const Json& c = At(o, {"status", "conditions"});
  if (HasCondition(c, "Complete")) return "Complete";
  if (HasCondition(c, "Failed")) return "Failed";
  if (!Str(o, {"metadata", "deletionTimestamp"}).empty()) return "Terminating";
  if (HasCondition(c, "Suspended")) return "Suspended";
  if (HasCondition(c, "FailureTarget")) return "FailureTarget";
  if (HasCondition(c, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

Row Job(const Json& o, const RowOptions& opt) {
  const int64_t succeeded = Int(o, {"status", "succeeded"});
  std::string completions;
  if (At(o, {"spec", "completions"}).is_number_integer()) {
    completions = absl::StrCat(succeeded, "/", Int(o, {"spec", "completions"}));
  } else if (Int(o, {"spec", "parallelism"}) > 1) {
    completions = absl::StrCat(succeeded, "/1 of ", Int(o, {"spec", "parallelism"}));
  } else {
    completions = absl::StrCat(succeeded, "/1");
  }
  std::string duration;
  const int64_t start = ParseTime(Str(o, {"status", "startTime"}));
  const std::string done = Str(o, {"status", "completionTime"});
  if (start >= 0) duration = HumanDuration((done.empty() ? opt.now : ParseTime(done)) - start);
  const Json& containers = At(o, {"spec", "template", "spec", "containers"});
  return {Str(o, {"metadata", "name"}),
          JobStatus(o),
          completions,
          duration,
          Age(o, opt.now),
          ContainerNames(containers),
          ContainerImages(containers),
          FormatLabelSelector(At(o, {"spec", "selector"}))};
}

Row CronJob(const Json& o, const RowOptions& opt) {
  const std::string last = Str(o, {"status", "lastScheduleTime"});
  const Json& zone = At(o, {"spec", "timeZone"});
  const Json& suspend = At(o, {"spec", "suspend"});
  const Json& job = At(o, {"spec", "jobTemplate", "spec"});
  const Json& containers = At(job, {"template", "spec", "containers"});
  return {Str(o, {"metadata", "name"}),
          Str(o, {"spec", "schedule"}),
          zone.is_string() ? zone.get<std::string>() : "<none>",
          suspend.is_boolean() ? (suspend.get<bool>() ? "True" : "False") : "<unset>",
          absl::StrCat(Len(o, {"status", "active"})),
          last.empty() ? "<none>" : Since(last, opt.now),
          Age(o, opt.now),
          ContainerNames(containers),
          ContainerImages(containers),
          FormatLabelSelector(At(job, {"selector"}))};
}

}  // namespace

void AddWorkloads(TypeTable& t) {
  const std::vector<Column> controller = {{"CONTAINERS", true}, {"IMAGES", true}, {"SELECTOR", true}};
  auto with = [](std::vector<Column> a, const std::vector<Column>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  t.Add("", "pods",
        {{{"NAME"},
          {"READY"},
          {"STATUS"},
          {"RESTARTS"},
          {"AGE"},
          {"IP", true},
          {"NODE", true},
          {"NOMINATED NODE", true},
          {"READINESS GATES", true}},
         Pod});
  t.Add("apps", "deployments",
        {with({{"NAME"}, {"READY"}, {"UP-TO-DATE"}, {"AVAILABLE"}, {"AGE"}}, controller), Deployment});
  t.Add("apps", "replicasets",
        {with({{"NAME"}, {"DESIRED"}, {"CURRENT"}, {"READY"}, {"AGE"}}, controller), ReplicaSet});
  t.Add("", "replicationcontrollers",
        {with({{"NAME"}, {"DESIRED"}, {"CURRENT"}, {"READY"}, {"AGE"}}, controller), ReplicaSet});
  t.Add("apps", "statefulsets", {{{"NAME"}, {"READY"}, {"AGE"}, {"CONTAINERS", true}, {"IMAGES", true}}, StatefulSet});
  t.Add(
      "apps", "daemonsets",
      {with({{"NAME"}, {"DESIRED"}, {"CURRENT"}, {"READY"}, {"UP-TO-DATE"}, {"AVAILABLE"}, {"NODE SELECTOR"}, {"AGE"}},
            controller),
       DaemonSet});
  t.Add("batch", "jobs", {with({{"NAME"}, {"STATUS"}, {"COMPLETIONS"}, {"DURATION"}, {"AGE"}}, controller), Job});
  t.Add("batch", "cronjobs",
        {with({{"NAME"}, {"SCHEDULE"}, {"TIMEZONE"}, {"SUSPEND"}, {"ACTIVE"}, {"LAST SCHEDULE"}, {"AGE"}}, controller),
         CronJob});
}

}  // namespace ketcd::printers
