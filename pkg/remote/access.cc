// SelfSubjectAccessReview requests and replies (see access.h).
#include "pkg/remote/access.h"

#include "absl/strings/str_cat.h"

namespace ketcd::remote {

nlohmann::json AccessReviewRequest(const Access& access) {
  nlohmann::json attrs = {{"namespace", access.ns}, {"verb", access.verb}, {"resource", access.resource}};
  if (!access.subresource.empty()) attrs["subresource"] = access.subresource;
  return {{"apiVersion", "authorization.k8s.io/v1"},
          {"kind", "SelfSubjectAccessReview"},
          {"spec", {{"resourceAttributes", attrs}}}};
}

absl::Status AccessReviewResult(const nlohmann::json& reply, const Access& access) {
  if (!reply.is_object() || !reply.contains("status") || !reply["status"].is_object()) {
    return absl::UnavailableError("the API server's SelfSubjectAccessReview reply has no status");
  }
  const nlohmann::json& status = reply["status"];
  if (status.contains("allowed") && status["allowed"].is_boolean() && status["allowed"].get<bool>()) {
    return absl::OkStatus();
  }
  std::string reason;
  for (const char* key : {"reason", "evaluationError"}) {
    if (status.contains(key) && status[key].is_string() && !status[key].get<std::string>().empty()) {
      absl::StrAppend(&reason, reason.empty() ? "" : "; ", status[key].get<std::string>());
    }
  }
  return absl::PermissionDeniedError(absl::StrCat("not allowed to ", access.verb, " ", access.Name(),
                                                  " in namespace ", access.ns,
                                                  reason.empty() ? "" : absl::StrCat(" (", reason, ")")));
}

absl::Status CheckAccess(const kubeclient::Client& api, const std::vector<Access>& wanted, const std::string& why) {
  for (const Access& a : wanted) {
    auto reply = api.Request("POST", kAccessReviewPath, AccessReviewRequest(a).dump());
    if (!reply.ok()) return reply.status();
    absl::Status allowed = AccessReviewResult(*reply, a);
    if (absl::IsPermissionDenied(allowed)) {
      const auto& cfg = api.config();
      return absl::PermissionDeniedError(absl::StrCat(allowed.message(), ": user ", cfg.user_name, " of context ",
                                                      cfg.context, " may not; ", why));
    }
    KETCD_RETURN_IF_ERROR(allowed);
  }
  return absl::OkStatus();
}

}  // namespace ketcd::remote
