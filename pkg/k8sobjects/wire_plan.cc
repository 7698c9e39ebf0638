#include "pkg/k8sobjects/wire_plan.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace ketcd::k8sobjects {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

WireType WireOf(FD::Type t) {
  switch (t) {
    case FD::TYPE_DOUBLE:
    case FD::TYPE_FIXED64:
    case FD::TYPE_SFIXED64:
      return WireType::kFixed64;
    case FD::TYPE_FLOAT:
    case FD::TYPE_FIXED32:
    case FD::TYPE_SFIXED32:
      return WireType::kFixed32;
    case FD::TYPE_STRING:
    case FD::TYPE_BYTES:
    case FD::TYPE_MESSAGE:
      return WireType::kLength;
    default:
      return WireType::kVarint;
  }
}

class Plans {
 public:
  const MessagePlan* Get(const pb::Descriptor* d) {
    std::lock_guard<std::mutex> lock(mu_);
    MessagePlan* plan = Build(d);
    // Members need the inlined plans complete: worked out once the whole graph is built.
    for (auto& [desc, p] : plans_) {
      if (p->finished) continue;
      std::map<std::string, Member> members;
      bool clash = false;
      AddMembers(*p, {}, members, clash);
      if (clash) p->supported = false;
      for (auto& [name, m] : members) p->members.push_back(std::move(m));
      p->finished = true;
    }
    return plan;
  }

 private:
  // Builds `d` and every message type it refers to; a type being built (recursive types)
  // is returned half-built, which is fine: only its address is kept.
  MessagePlan* Build(const pb::Descriptor* d) {
    auto [it, inserted] = plans_.try_emplace(d);
    if (!inserted) return it->second.get();
    it->second = std::make_unique<MessagePlan>();
    MessagePlan* plan = it->second.get();
    plan->descriptor = d;
    plan->form = JsonFormOf(d);
    const Schema& schema = Schema::Get();
    for (int i = 0; i < d->field_count(); i++) {
      const FD* f = d->field(i);
      FieldPlan fp;
      fp.fd = f;
      fp.type = f->type();
      fp.wire = WireOf(f->type());
      fp.repeated = f->is_repeated();
      fp.is_map = f->is_map();
      fp.go = schema.Go(f);
      if (f->type() == FD::TYPE_ENUM || f->type() == FD::TYPE_GROUP || f->number() > 30000) plan->supported = false;
      if (f->type() == FD::TYPE_MESSAGE) fp.message = Build(f->message_type());
      if (fp.is_map && f->message_type()->map_key()->type() != FD::TYPE_STRING) plan->supported = false;
      const std::string& name = fp.go != nullptr ? fp.go->json_name : f->name();
      fp.key = "\"" + name + "\": ";
      plan->fields.push_back(std::move(fp));
      size_t n = static_cast<size_t>(f->number());
      if (plan->by_number.size() <= n) plan->by_number.resize(n + 1, -1);
      plan->by_number[n] = static_cast<int16_t>(i);
    }
    return plan;
  }

 private:
  static void AddMembers(const MessagePlan& plan, const std::vector<uint16_t>& path, std::map<std::string, Member>& out,
                         bool& clash) {
    for (size_t i = 0; i < plan.fields.size(); i++) {
      const FieldPlan& fp = plan.fields[i];
      if (fp.go != nullptr && fp.go->inlined) {
        if (fp.repeated || fp.message == nullptr) {
          clash = true;  // written under "" by the general decoder
          continue;
        }
        if (fp.message->form != JsonForm::kObject) continue;  // adds nothing
        std::vector<uint16_t> sub = path;
        sub.push_back(static_cast<uint16_t>(i));
        AddMembers(*fp.message, sub, out, clash);
        continue;
      }
      std::string name = fp.key.substr(1, fp.key.size() - 4);
      Member m{name, path, static_cast<uint16_t>(i)};
      if (!out.emplace(name, std::move(m)).second) clash = true;
    }
  }

  std::mutex mu_;
  std::unordered_map<const pb::Descriptor*, std::unique_ptr<MessagePlan>> plans_;
};

Plans& AllPlans() {
  static Plans* plans = new Plans();
  return *plans;
}

}  // namespace

int16_t MessagePlan::IndexByName(const char* name) const {
  for (size_t i = 0; i < fields.size(); i++) {
    if (fields[i].fd->name() == name) return static_cast<int16_t>(i);
  }
  return -1;
}

const MessagePlan& PlanOf(const pb::Descriptor* d) { return *AllPlans().Get(d); }

}  // namespace ketcd::k8sobjects
