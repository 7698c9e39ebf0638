#include "pkg/k8sobjects/to_json.h"

#include <time.h>

#include <cstdio>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/k8sobjects/schema.h"

namespace ketcd::k8sobjects {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

using Special = JsonForm;

}  // namespace

JsonForm JsonFormOf(const pb::Descriptor* d) {
  const std::string& n = d->full_name();
  if (n == "k8s.io.apimachinery.pkg.apis.meta.v1.Time") return Special::kTime;
  if (n == "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime") return Special::kMicroTime;
  if (n == "k8s.io.apimachinery.pkg.apis.meta.v1.Duration") return Special::kDuration;
  if (n == "k8s.io.apimachinery.pkg.api.resource.Quantity") return Special::kQuantity;
  if (n == "k8s.io.apimachinery.pkg.util.intstr.IntOrString") return Special::kIntOrString;
  if (n == "k8s.io.apimachinery.pkg.runtime.RawExtension" || n == "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1") {
    return Special::kEmbeddedJson;
  }
  // A Go slice type given a message of its own (`type ExtraValue []string`): no Go struct
  // field behind its one repeated `items` field.
  if (d->field_count() == 1 && d->field(0)->name() == "items" && d->field(0)->is_repeated() &&
      Schema::Get().Go(d->field(0)) == nullptr) {
    return Special::kItems;
  }
  return Special::kObject;
}

namespace {

Json MessageValueJson(const pb::Message& m);

Json ScalarJson(const pb::Message& m, const FD* f, int i) {
  const pb::Reflection* r = m.GetReflection();
  bool rep = i >= 0;
  switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(m, f, i) : r->GetInt32(m, f);
    case FD::CPPTYPE_INT64:
      return rep ? r->GetRepeatedInt64(m, f, i) : r->GetInt64(m, f);
    case FD::CPPTYPE_UINT32:
      return rep ? r->GetRepeatedUInt32(m, f, i) : r->GetUInt32(m, f);
    case FD::CPPTYPE_UINT64:
      return rep ? r->GetRepeatedUInt64(m, f, i) : r->GetUInt64(m, f);
    case FD::CPPTYPE_DOUBLE:
      return rep ? r->GetRepeatedDouble(m, f, i) : r->GetDouble(m, f);
    case FD::CPPTYPE_FLOAT:
      return rep ? r->GetRepeatedFloat(m, f, i) : r->GetFloat(m, f);
    case FD::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(m, f, i) : r->GetBool(m, f);
    case FD::CPPTYPE_ENUM:
      return (rep ? r->GetRepeatedEnum(m, f, i) : r->GetEnum(m, f))->name();
    case FD::CPPTYPE_STRING: {
      std::string s = rep ? r->GetRepeatedString(m, f, i) : r->GetString(m, f);
      if (f->type() == FD::TYPE_BYTES) return absl::Base64Escape(s);
      return s;
    }
    case FD::CPPTYPE_MESSAGE:
      return MessageValueJson(rep ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f));
  }
  return nullptr;
}

bool IsZeroScalar(const pb::Message& m, const FD* f) {
  const pb::Reflection* r = m.GetReflection();
  switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32:
      return r->GetInt32(m, f) == 0;
    case FD::CPPTYPE_INT64:
      return r->GetInt64(m, f) == 0;
    case FD::CPPTYPE_UINT32:
      return r->GetUInt32(m, f) == 0;
    case FD::CPPTYPE_UINT64:
      return r->GetUInt64(m, f) == 0;
    case FD::CPPTYPE_DOUBLE:
      return r->GetDouble(m, f) == 0;
    case FD::CPPTYPE_FLOAT:
      return r->GetFloat(m, f) == 0;
    case FD::CPPTYPE_BOOL:
      return !r->GetBool(m, f);
    case FD::CPPTYPE_ENUM:
      return r->GetEnumValue(m, f) == 0;
    case FD::CPPTYPE_STRING:
      return r->GetStringReference(m, f, nullptr).empty();
    case FD::CPPTYPE_MESSAGE:
      return false;
  }
  return false;
}

Json RepeatedJson(const pb::Message& m, const FD* f) {
  const pb::Reflection* r = m.GetReflection();
  int n = r->FieldSize(m, f);
  if (f->is_map()) {
    Json obj = Json::object();
    const FD* key = f->message_type()->map_key();
    const FD* value = f->message_type()->map_value();
    for (int i = 0; i < n; i++) {
      const pb::Message& entry = r->GetRepeatedMessage(m, f, i);
      Json k = ScalarJson(entry, key, -1);
      obj[k.is_string() ? k.get<std::string>() : k.dump()] = ScalarJson(entry, value, -1);
    }
    return obj;
  }
  Json arr = Json::array();
  for (int i = 0; i < n; i++) arr.push_back(ScalarJson(m, f, i));
  return arr;
}

void AddField(const pb::Message& m, const FD* f, Json& obj) {
  const pb::Reflection* r = m.GetReflection();
  const GoField* go = Schema::Get().Go(f);
  const bool omit_empty = go != nullptr && (go->omitempty || go->omitzero);
  if (go != nullptr && go->inlined && !f->is_repeated() && f->cpp_type() == FD::CPPTYPE_MESSAGE) {
    Json sub = MessageValueJson(r->GetMessage(m, f));
    if (sub.is_object()) {
      for (auto& [k, v] : sub.items()) obj[k] = std::move(v);
    }
    return;
  }
  const std::string& name = go != nullptr ? go->json_name : f->name();
  if (f->is_repeated()) {
    if (r->FieldSize(m, f) > 0) {
      obj[name] = RepeatedJson(m, f);
    } else if (go != nullptr && !omit_empty) {
      obj[name] = nullptr;
    }
    return;
  }
  const bool nil_when_absent = go != nullptr && (go->pointer || go->collection);
  if (!r->HasField(m, f)) {
    if (go == nullptr) return;
    if (nil_when_absent) {
      if (!omit_empty) obj[name] = nullptr;
      return;
    }
  }
  if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
    const pb::Message& sub = r->GetMessage(m, f);
    if (go != nullptr && go->omitzero && sub.ByteSizeLong() == 0) return;
    obj[name] = MessageValueJson(sub);
    return;
  }
  // A set []byte of length 0 is empty too; a set pointer is written whatever its value.
  if (omit_empty && (!go->pointer) && IsZeroScalar(m, f)) return;
  obj[name] = ScalarJson(m, f, -1);
}

// The first field of a message, as int64/string/bytes, default when unset.
int64_t Int64Field(const pb::Message& m, const char* name) {
  const FD* f = m.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr) return 0;
  const pb::Reflection* r = m.GetReflection();
  if (f->cpp_type() == FD::CPPTYPE_INT64) return r->GetInt64(m, f);
  if (f->cpp_type() == FD::CPPTYPE_INT32) return r->GetInt32(m, f);
  return 0;
}
std::string StringField(const pb::Message& m, const char* name) {
  const FD* f = m.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr || f->cpp_type() != FD::CPPTYPE_STRING) return "";
  return m.GetReflection()->GetString(m, f);
}

Json SpecialJson(const pb::Message& m, Special s) {
  switch (s) {
    case Special::kTime:
    case Special::kMicroTime:
      // apimachinery writes the zero time as an empty message; Time keeps whole seconds.
      if (m.ByteSizeLong() == 0) return nullptr;
      return Rfc3339(Int64Field(m, "seconds"),
                     s == Special::kMicroTime ? static_cast<int32_t>(Int64Field(m, "nanos")) : 0,
                     s == Special::kMicroTime);
    case Special::kDuration:
      return GoDurationString(Int64Field(m, "duration"));
    case Special::kQuantity: {
      std::string q = StringField(m, "string");
      return q.empty() ? "0" : q;
    }
    case Special::kIntOrString:
      if (Int64Field(m, "type") == 1) return StringField(m, "strVal");
      return Int64Field(m, "intVal");
    case Special::kEmbeddedJson: {
      const FD* f = m.GetDescriptor()->field_count() > 0 ? m.GetDescriptor()->field(0) : nullptr;
      if (f == nullptr || f->cpp_type() != FD::CPPTYPE_STRING || !m.GetReflection()->HasField(m, f)) return nullptr;
      std::string raw = m.GetReflection()->GetString(m, f);
      Json j = Json::parse(raw, nullptr, false);
      if (j.is_discarded()) return absl::Base64Escape(raw);
      return j;
    }
    case Special::kItems: {
      const FD* f = m.GetDescriptor()->field(0);
      if (m.GetReflection()->FieldSize(m, f) == 0) return nullptr;
      return RepeatedJson(m, f);
    }
    case Special::kObject:
      break;
  }
  return nullptr;
}

Json MessageValueJson(const pb::Message& m) {
  Special s = JsonFormOf(m.GetDescriptor());
  if (s != Special::kObject) return SpecialJson(m, s);
  Json obj = Json::object();
  const pb::Descriptor* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); i++) AddField(m, d->field(i), obj);
  return obj;
}

// Go's fmtFrac: the digits of v below 10^prec, trailing zeros dropped, with the point.
std::string Frac(uint64_t& v, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; i++) {
    int digit = static_cast<int>(v % 10);
    print = print || digit != 0;
    if (print) digits.insert(digits.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  return print ? "." + digits : "";
}

}  // namespace

Json MessageToJson(const pb::Message& m) { return MessageValueJson(m); }

std::string GoDurationString(int64_t nanos) {
  if (nanos == 0) return "0s";
  uint64_t u = nanos < 0 ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  std::string sign = nanos < 0 ? "-" : "";
  if (u < 1000000000) {
    if (u < 1000) return absl::StrCat(sign, u, "ns");
    int prec = u < 1000000 ? 3 : 6;
    std::string frac = Frac(u, prec);
    return absl::StrCat(sign, u, frac, prec == 3 ? "\xC2\xB5s" : "ms");
  }
  std::string out = Frac(u, 9);
  out = absl::StrCat(u % 60, out, "s");
  u /= 60;
  if (u > 0) {
    out = absl::StrCat(u % 60, "m", out);
    u /= 60;
    if (u > 0) out = absl::StrCat(u, "h", out);
  }
  return sign + out;
}

std::string Rfc3339(int64_t seconds, int32_t nanos, bool micro) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  if (gmtime_r(&t, &tm) == nullptr) return "";
  char buf[64];
  const int year = tm.tm_year + 1900;
  if (year >= 0 && year <= 9999) {
    // "%04d-%02d-%02dT%02d:%02d:%02d" without printf (one per object listed).
    auto two = [](char* p, int v) {
      p[0] = static_cast<char>('0' + v / 10);
      p[1] = static_cast<char>('0' + v % 10);
    };
    two(buf, year / 100);
    two(buf + 2, year % 100);
    buf[4] = '-';
    two(buf + 5, tm.tm_mon + 1);
    buf[7] = '-';
    two(buf + 8, tm.tm_mday);
    buf[10] = 'T';
    two(buf + 11, tm.tm_hour);
    buf[13] = ':';
    two(buf + 14, tm.tm_min);
    buf[16] = ':';
    two(buf + 17, tm.tm_sec);
    buf[19] = '\0';
  } else {
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
  }
  std::string out = buf;
  if (micro) {
    int32_t us = nanos < 0 ? 0 : (nanos % 1000000000) / 1000;
    std::snprintf(buf, sizeof(buf), ".%06d", us);
    out += buf;
  }
  return out + "Z";
}

}  // namespace ketcd::k8sobjects
