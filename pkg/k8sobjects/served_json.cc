#include "pkg/k8sobjects/served_json.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/strings/escaping.h"
#include "pkg/cli/json_text.h"
#include "pkg/k8sobjects/envelope.h"
#include "pkg/k8sobjects/json_out.h"
#include "pkg/k8sobjects/wire_frame.h"
#include "pkg/k8sobjects/wire_plan.h"

namespace ketcd::k8sobjects {
namespace {

using FD = google::protobuf::FieldDescriptor;

// A member written in place of, or besides, the message's own (sorted by name).
struct Override {
  enum class What { kString, kDrop, kMetadata };
  std::string_view name;
  What what;
  std::string_view value;
};

}  // namespace

struct ServedJsonWriter::State {
  Frames frames;
  JsonOut out;
  std::string resource_version;
  bool keep_managed_fields = false;
  const Override* metadata_overrides = nullptr;
  size_t metadata_override_count = 0;

  // --- values -----------------------------------------------------------------------
  bool Value(const FieldPlan& fp, const Occurrence* occ, int level) {
    if (fp.type == FD::TYPE_MESSAGE) return Message(*fp.message, occ ? occ->bytes() : std::string_view(), level);
    Scalar s = DecodeScalar(fp, occ);
    out.AppendScalar(s);
    return true;
  }

  bool Message(const MessagePlan& plan, std::string_view bytes, int level, const Override* ov = nullptr,
               size_t nov = 0) {
    if (!plan.supported) return false;
    if (plan.form != JsonForm::kObject) return Form(plan, bytes, level);
    Frames::Scope scope(frames);
    Frame* f = scope.Parse(plan, bytes);
    if (f == nullptr) return false;
    return Object(*f, level, ov, nov);
  }

  bool Form(const MessagePlan& plan, std::string_view bytes, int level) {
    if ((plan.form == JsonForm::kTime || plan.form == JsonForm::kMicroTime) && bytes.empty()) {
      out.Append("null");
      return true;
    }
    Frames::Scope scope(frames);
    Frame* f = scope.Parse(plan, bytes);
    if (f == nullptr) return false;
    switch (plan.form) {
      case JsonForm::kTime:
      case JsonForm::kMicroTime: {
        const bool micro = plan.form == JsonForm::kMicroTime;
        out.AppendString(Rfc3339(f->Int64("seconds"), micro ? static_cast<int32_t>(f->Int64("nanos")) : 0, micro));
        return true;
      }
      case JsonForm::kDuration:
        out.AppendString(GoDurationString(f->Int64("duration")));
        return true;
      case JsonForm::kQuantity: {
        std::string_view q = f->String("string");
        out.AppendString(q.empty() ? std::string_view("0") : q);
        return true;
      }
      case JsonForm::kIntOrString:
        if (f->Int64("type") == 1) {
          out.AppendString(f->String("strVal"));
        } else {
          out.AppendInt(f->Int64("intVal"));
        }
        return true;
      case JsonForm::kEmbeddedJson: {
        const FieldPlan& fp = plan.fields.at(0);
        if (fp.type != FD::TYPE_STRING && fp.type != FD::TYPE_BYTES) return false;
        const Occurrence* o = f->Last(0);
        if (o == nullptr) {
          out.Append("null");
          return true;
        }
        Json j = Json::parse(o->bytes(), nullptr, false);
        if (j.is_discarded()) {
          out.AppendString(absl::Base64Escape(absl::string_view(o->bytes().data(), o->bytes().size())));
        } else {
          out.AppendJson(j, level);
        }
        return true;
      }
      case JsonForm::kItems:
        if (f->Count(0) == 0) {
          out.Append("null");
          return true;
        }
        return Repeated(*f, 0, level);
      case JsonForm::kObject:
        break;
    }
    return false;
  }

  bool Repeated(Frame& f, size_t field, int level) {
    const FieldPlan& fp = f.plan->fields[field];
    if (fp.is_map) return Map(f, field, level);
    out.Append("[");
    for (uint32_t i = 0; i < f.Count(field); i++) {
      out.Append(i == 0 ? "\n" : ",\n");
      out.Indent(level + 1);
      if (!Value(fp, f.At(field, i), level + 1)) return false;
    }
    out.Append("\n");
    out.Indent(level);
    out.Append("]");
    return true;
  }

  bool Map(Frame& f, size_t field, int level) {
    const MessagePlan& entry = *f.plan->fields[field].message;
    const int16_t key_index = entry.Index(1), value_index = entry.Index(2);
    if (key_index < 0 || value_index < 0) return false;
    Frames::Scope scope(frames);
    std::vector<MapItem>* items = scope.Items();
    if (items == nullptr) return false;
    for (uint32_t i = 0; i < f.Count(field); i++) {
      Frames::Scope entry_scope(frames);
      Frame* e = entry_scope.Parse(entry, f.At(field, i)->bytes());
      if (e == nullptr) return false;
      if (entry.fields[value_index].type == FD::TYPE_MESSAGE && e->Count(value_index) > 1) return false;
      const Occurrence* k = e->Last(key_index);
      const Occurrence* v = e->Last(value_index);
      items->push_back({k ? k->bytes() : std::string_view(), v != nullptr, v ? *v : Occurrence{}});
    }
    auto by_key = [](const MapItem& a, const MapItem& b) { return a.key < b.key; };
    if (!std::is_sorted(items->begin(), items->end(), by_key)) std::stable_sort(items->begin(), items->end(), by_key);
    out.Append("{");
    bool any = false;
    for (size_t i = 0; i < items->size(); i++) {
      if (i + 1 < items->size() && (*items)[i + 1].key == (*items)[i].key) continue;  // the last one wins
      const MapItem& it = (*items)[i];
      out.Append(any ? ",\n" : "\n");
      any = true;
      out.Indent(level + 1);
      out.AppendString(it.key);
      out.Append(": ");
      if (!Value(entry.fields[value_index], it.has_value ? &it.value : nullptr, level + 1)) return false;
    }
    out.Append("\n");
    out.Indent(level);
    out.Append("}");
    return true;
  }

  // --- objects ----------------------------------------------------------------------
  enum class Decision { kSkip, kNull, kValue, kFail };

  Decision Decide(Frame& f, size_t field) {
    const FieldPlan& fp = f.plan->fields[field];
    const GoField* go = fp.go;
    const bool omit_empty = go != nullptr && (go->omitempty || go->omitzero);
    const uint32_t n = f.Count(field);
    if (fp.repeated) {
      if (n > 0) return Decision::kValue;
      return go != nullptr && !omit_empty ? Decision::kNull : Decision::kSkip;
    }
    if (n == 0) {
      if (go == nullptr) return Decision::kSkip;
      if (go->pointer || go->collection) return omit_empty ? Decision::kSkip : Decision::kNull;
    }
    if (fp.type == FD::TYPE_MESSAGE) {
      if (n > 1) return Decision::kFail;  // protobuf merges them
      if (go != nullptr && go->omitzero && (n == 0 || f.Last(field)->len == 0)) return Decision::kSkip;
      return Decision::kValue;
    }
    if (omit_empty && !go->pointer && IsZero(DecodeScalar(fp, f.Last(field)))) return Decision::kSkip;
    return Decision::kValue;
  }

  // The frame a member's field is in: the message's own, or an inlined struct's.
  Frame* Resolve(Frame& f, const Member& m) {
    Frame* cur = &f;
    for (uint16_t step : m.path) cur = cur->Inlined(step);
    return cur;
  }

  bool Object(Frame& f, int level, const Override* ov, size_t nov) {
    if (!OpenInlined(f)) return false;
    out.Append("{");
    const std::vector<Member>& members = f.plan->members;
    size_t mi = 0, oi = 0;
    bool any = false;
    auto begin = [&](std::string_view key) {
      out.Append(any ? ",\n" : "\n");
      any = true;
      out.Indent(level + 1);
      out.Append(key);
    };
    while (mi < members.size() || oi < nov) {
      int cmp = mi == members.size() ? 1 : oi == nov ? -1 : std::string_view(members[mi].name).compare(ov[oi].name);
      const Member* m = cmp <= 0 ? &members[mi] : nullptr;
      if (cmp <= 0) mi++;
      const Override* o = cmp >= 0 ? &ov[oi] : nullptr;
      if (cmp >= 0) oi++;
      if (o != nullptr && o->what == Override::What::kString) {
        out.Append(any ? ",\n" : "\n");
        any = true;
        out.Indent(level + 1);
        out.AppendString(o->name);
        out.Append(": ");
        out.AppendString(o->value);
        continue;
      }
      if (o != nullptr && o->what == Override::What::kDrop) {
        if (m != nullptr && !Validate(*Resolve(f, *m), m->field)) return false;
        continue;
      }
      if (o != nullptr && m == nullptr) return false;  // kMetadata without the field
      Frame* mf = Resolve(f, *m);
      const FieldPlan& fp = mf->plan->fields[m->field];
      Decision d = Decide(*mf, m->field);
      if (d == Decision::kFail || (o != nullptr && d != Decision::kValue)) return false;
      if (d == Decision::kSkip) continue;
      begin(fp.key);
      if (d == Decision::kNull) {
        out.Append("null");
      } else if (fp.repeated) {
        if (!Repeated(*mf, m->field, level + 1)) return false;
      } else if (o != nullptr) {
        if (fp.type != FD::TYPE_MESSAGE || fp.message->form != JsonForm::kObject) return false;
        const Occurrence* occ = mf->Last(m->field);
        if (!Message(*fp.message, occ ? occ->bytes() : std::string_view(), level + 1, metadata_overrides,
                     metadata_override_count)) {
          return false;
        }
      } else if (!Value(fp, mf->Last(m->field), level + 1)) {
        return false;
      }
    }
    if (!any) {
      out.Append("}");
      return true;
    }
    out.Append("\n");
    out.Indent(level);
    out.Append("}");
    return true;
  }

  // Inlined structs get frames of their own, parsed before the members are written.
  bool OpenInlined(Frame& f) {
    for (size_t i = 0; i < f.plan->fields.size(); i++) {
      const FieldPlan& fp = f.plan->fields[i];
      if (fp.go == nullptr || !fp.go->inlined || fp.message == nullptr || fp.message->form != JsonForm::kObject)
        continue;
      if (f.Count(i) > 1 || !fp.message->supported) return false;
      const Occurrence* o = f.Last(i);
      Frame* sub = frames.ParseInlined(*fp.message, o ? o->bytes() : std::string_view(), &f, i);
      if (sub == nullptr || !OpenInlined(*sub)) return false;
    }
    return true;
  }

  // A field left out of the output must still parse, as it does for DecodeObject.
  bool Validate(Frame& f, size_t field) {
    const FieldPlan& fp = f.plan->fields[field];
    if (fp.type != FD::TYPE_MESSAGE) return true;
    for (uint32_t i = 0; i < f.Count(field); i++) {
      if (!ValidateMessage(*fp.message, f.At(field, i)->bytes())) return false;
    }
    return true;
  }
  bool ValidateMessage(const MessagePlan& plan, std::string_view bytes) {
    if (!plan.supported) return false;
    Frames::Scope scope(frames);
    Frame* f = scope.Parse(plan, bytes);
    if (f == nullptr) return false;
    for (size_t i = 0; i < plan.fields.size(); i++) {
      if (!Validate(*f, i)) return false;
    }
    return true;
  }

  // metadata.creationTimestamp, for the AGE column.
  // False when it cannot be told without the general decoder (protobuf merges a message
  // given twice).
  bool Created(const MessagePlan& top, std::string_view bytes, std::optional<std::string>* created,
               uint32_t* map_entries) {
    *created = std::nullopt;
    *map_entries = 0;
    Frames::Scope scope(frames);
    Frame* f = scope.Parse(top, bytes);
    if (f == nullptr) return false;
    for (size_t i = 0; i < top.fields.size(); i++) {
      if (top.fields[i].is_map) *map_entries += f->Count(i);
    }
    int16_t mi = top.IndexByName("metadata");
    if (mi < 0 || top.fields[mi].message == nullptr || f->Count(mi) > 1) return false;
    const MessagePlan& meta = *top.fields[mi].message;
    const Occurrence* mo = f->Last(mi);
    Frames::Scope meta_scope(frames);
    Frame* m = meta_scope.Parse(meta, mo ? mo->bytes() : std::string_view());
    int16_t ci = meta.IndexByName("creationTimestamp");
    if (m == nullptr || ci < 0 || meta.fields[ci].message == nullptr || m->Count(ci) > 1) return false;
    const Occurrence* co = m->Last(ci);
    if (co == nullptr || co->len == 0) return true;
    Frames::Scope time_scope(frames);
    Frame* t = time_scope.Parse(*meta.fields[ci].message, co->bytes());
    if (t == nullptr) return false;
    *created = Rfc3339(t->Int64("seconds"), 0, false);
    return true;
  }

  // The plan of a stored kind; the last one is kept, objects come grouped by resource.
  const MessagePlan* PlanFor(std::string_view api_version, std::string_view kind) {
    if (last_plan != nullptr && api_version == last_api_version && kind == last_kind) return last_plan;
    const google::protobuf::Descriptor* d = Schema::Get().FindKind(api_version, kind);
    if (d == nullptr) return nullptr;
    last_api_version = std::string(api_version);
    last_kind = std::string(kind);
    last_plan = &PlanOf(d);
    return last_plan;
  }
  std::string last_api_version, last_kind;
  const MessagePlan* last_plan = nullptr;
};

ServedJsonWriter::ServedJsonWriter() : state_(std::make_unique<State>()) {}
ServedJsonWriter::~ServedJsonWriter() = default;

bool ServedJsonWriter::Write(std::string_view value, const ServedOptions& options, std::string* out,
                             ServedSummary* summary) {
  if (value.size() > (1u << 30)) return false;
  absl::StatusOr<Envelope> env = ParseEnvelope(value);
  if (!env.ok() || env->encoding != Encoding::kProtobuf || !env->content_encoding.empty()) return false;
  State& s = *state_;
  const MessagePlan* found = s.PlanFor(env->api_version, env->kind);
  if (found == nullptr || found->form != JsonForm::kObject) return false;
  const MessagePlan& plan = *found;
  s.resource_version = std::to_string(options.resource_version);
  const Override meta[] = {
      {"managedFields", options.keep_managed_fields ? Override::What::kMetadata : Override::What::kDrop, {}},
      {"resourceVersion", Override::What::kString, s.resource_version}};
  // Kept managedFields are written as they are: no override (kMetadata is for "metadata").
  s.metadata_overrides = options.keep_managed_fields ? meta + 1 : meta;
  s.metadata_override_count = options.keep_managed_fields ? 1 : 2;
  const Override top[] = {{"apiVersion", Override::What::kString, env->api_version},
                          {"kind", Override::What::kString, env->kind},
                          {"metadata", Override::What::kMetadata, {}}};
  const size_t start = out->size();
  s.out.Reset(out, options.indent);
  s.out.Indent(0);
  if (!s.Message(plan, env->raw, 0, top, 3)) {
    out->resize(start);
    return false;
  }
  if (summary != nullptr) {
    summary->api_version = env->api_version;
    summary->kind = env->kind;
    summary->created = std::nullopt;
    summary->map_entries = 0;
  }
  return true;
}

bool ServedJsonWriter::Check(std::string_view value, ServedSummary* summary) {
  if (value.size() > (1u << 30)) return false;
  absl::StatusOr<Envelope> env = ParseEnvelope(value);
  if (!env.ok() || env->encoding != Encoding::kProtobuf || !env->content_encoding.empty()) return false;
  State& s = *state_;
  const MessagePlan* plan = s.PlanFor(env->api_version, env->kind);
  if (plan == nullptr || plan->form != JsonForm::kObject || !s.ValidateMessage(*plan, env->raw)) return false;
  summary->api_version = env->api_version;
  summary->kind = env->kind;
  return s.Created(*plan, env->raw, &summary->created, &summary->map_entries);
}

}  // namespace ketcd::k8sobjects
