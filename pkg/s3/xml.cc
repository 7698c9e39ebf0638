#include "pkg/s3/xml.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ketcd::s3 {
namespace {

bool NameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view doc) : doc_(doc.data(), doc.size()) {}

  absl::StatusOr<XmlElement> Run() {
    if (doc_.size() > kMaxXmlBytes) return Error("document larger than 8 MiB");
    if (absl::StartsWith(doc_, "\xEF\xBB\xBF")) pos_ = 3;
    KETCD_RETURN_IF_ERROR(SkipMisc());
    if (!Peek('<')) return Error("no root element");
    XmlElement root;
    // stack_ holds the open elements; the root is stack_[0].
    std::vector<XmlElement*> stack;
    KETCD_RETURN_IF_ERROR(OpenTag(&root, &stack));
    while (!stack.empty()) {
      if (pos_ >= doc_.size()) return Error(absl::StrCat("unclosed element <", stack.back()->name, ">"));
      if (doc_[pos_] != '<') {
        KETCD_RETURN_IF_ERROR(Text(&stack.back()->text));
      } else if (Ahead("</")) {
        KETCD_RETURN_IF_ERROR(CloseTag(stack.back()->name));
        stack.pop_back();
      } else if (Ahead("<!--")) {
        KETCD_RETURN_IF_ERROR(SkipPast("-->"));
      } else if (Ahead("<![CDATA[")) {
        size_t end = doc_.find("]]>", pos_ + 9);
        if (end == absl::string_view::npos) return Error("unclosed CDATA section");
        stack.back()->text.append(doc_.data() + pos_ + 9, end - pos_ - 9);
        pos_ = end + 3;
      } else if (Ahead("<?")) {
        KETCD_RETURN_IF_ERROR(SkipPast("?>"));
      } else {
        if (static_cast<int>(stack.size()) >= kMaxXmlDepth) return Error("elements nested too deeply");
        XmlElement* parent = stack.back();
        parent->children.emplace_back();
        KETCD_RETURN_IF_ERROR(OpenTag(&parent->children.back(), &stack));
      }
    }
    KETCD_RETURN_IF_ERROR(SkipMisc());
    if (pos_ != doc_.size()) return Error("content after the root element");
    return root;
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("malformed XML at byte ", pos_, ": ", what));
  }
  bool Peek(char c) const { return pos_ < doc_.size() && doc_[pos_] == c; }
  bool Ahead(absl::string_view s) const { return doc_.substr(pos_, s.size()) == s; }
  void SkipSpace() {
    while (pos_ < doc_.size() && absl::ascii_isspace(static_cast<unsigned char>(doc_[pos_]))) pos_++;
  }
  absl::Status SkipPast(absl::string_view end) {
    size_t at = doc_.find(end, pos_);
    if (at == absl::string_view::npos) return Error(absl::StrCat("no closing ", end));
    pos_ = at + end.size();
    return absl::OkStatus();
  }
  // Declarations, comments, processing instructions and space outside the root.
  absl::Status SkipMisc() {
    for (;;) {
      SkipSpace();
      if (Ahead("<?")) {
        KETCD_RETURN_IF_ERROR(SkipPast("?>"));
      } else if (Ahead("<!--")) {
        KETCD_RETURN_IF_ERROR(SkipPast("-->"));
      } else if (Ahead("<!DOCTYPE")) {
        size_t end = doc_.find_first_of("[>", pos_);
        if (end == absl::string_view::npos || doc_[end] == '[') return Error("DOCTYPE with an internal subset");
        pos_ = end + 1;
      } else {
        return absl::OkStatus();
      }
    }
  }
  absl::StatusOr<std::string> Name() {
    size_t start = pos_;
    while (pos_ < doc_.size() && NameChar(doc_[pos_])) pos_++;
    if (pos_ == start) return Error("expected a name");
    absl::string_view name = doc_.substr(start, pos_ - start);
    size_t colon = name.rfind(':');
    if (colon != absl::string_view::npos) name = name.substr(colon + 1);
    if (name.empty()) return Error("empty local name");
    return std::string(name);
  }
  // At '<': the name and attributes; pushes the element unless it is empty (<a/>).
  absl::Status OpenTag(XmlElement* e, std::vector<XmlElement*>* stack) {
    if (++elements_ > kMaxXmlElements) return Error("too many elements");
    pos_++;
    KETCD_ASSIGN_OR_RETURN(e->name, Name());
    for (;;) {
      SkipSpace();
      if (Ahead("/>")) {
        pos_ += 2;
        return absl::OkStatus();
      }
      if (Peek('>')) {
        pos_++;
        stack->push_back(e);
        return absl::OkStatus();
      }
      KETCD_RETURN_IF_ERROR(Name().status());
      SkipSpace();
      if (!Peek('=')) return Error("attribute without a value");
      pos_++;
      SkipSpace();
      if (!Peek('"') && !Peek('\'')) return Error("unquoted attribute value");
      char quote = doc_[pos_];
      size_t end = doc_.find(quote, pos_ + 1);
      if (end == absl::string_view::npos) return Error("unclosed attribute value");
      pos_ = end + 1;
    }
  }
  absl::Status CloseTag(const std::string& open) {
    pos_ += 2;
    KETCD_ASSIGN_OR_RETURN(std::string name, Name());
    SkipSpace();
    if (!Peek('>')) return Error("expected '>'");
    pos_++;
    if (name != open) return Error(absl::StrCat("</", name, "> closes <", open, ">"));
    return absl::OkStatus();
  }
  absl::Status Text(std::string* out) {
    while (pos_ < doc_.size() && doc_[pos_] != '<') {
      char c = doc_[pos_];
      if (c != '&') {
        out->push_back(c);
        pos_++;
        continue;
      }
      size_t semi = doc_.find(';', pos_);
      if (semi == absl::string_view::npos || semi - pos_ > 12) return Error("unterminated entity");
      absl::string_view ent = doc_.substr(pos_ + 1, semi - pos_ - 1);
      if (ent == "lt") {
        out->push_back('<');
      } else if (ent == "gt") {
        out->push_back('>');
      } else if (ent == "amp") {
        out->push_back('&');
      } else if (ent == "quot") {
        out->push_back('"');
      } else if (ent == "apos") {
        out->push_back('\'');
      } else if (ent.size() > 1 && ent[0] == '#') {
        KETCD_RETURN_IF_ERROR(CharRef(ent.substr(1), out));
      } else {
        return Error(absl::StrCat("unknown entity &", ent, ";"));
      }
      pos_ = semi + 1;
    }
    return absl::OkStatus();
  }
  absl::Status CharRef(absl::string_view digits, std::string* out) {
    int base = 10;
    if (digits[0] == 'x') {
      base = 16;
      digits.remove_prefix(1);
    }
    if (digits.empty()) return Error("empty character reference");
    uint32_t cp = 0;
    for (char d : digits) {
      int v = -1;
      if (d >= '0' && d <= '9') v = d - '0';
      if (base == 16 && d >= 'a' && d <= 'f') v = d - 'a' + 10;
      if (base == 16 && d >= 'A' && d <= 'F') v = d - 'A' + 10;
      if (v < 0) return Error("bad character reference");
      cp = cp * base + v;
      if (cp > 0x10FFFF) return Error("character reference out of range");
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return Error("character reference out of range");
    AppendUtf8(out, cp);
    return absl::OkStatus();
  }

  absl::string_view doc_;
  size_t pos_ = 0;
  size_t elements_ = 0;
};

}  // namespace

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const XmlElement& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::string XmlElement::ChildText(std::string_view child_name) const {
  const XmlElement* c = Child(child_name);
  return c ? c->text : std::string();
}

std::vector<const XmlElement*> XmlElement::Children(std::string_view child_name) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

absl::StatusOr<XmlElement> ParseXml(std::string_view doc) { return Parser(doc).Run(); }

}  // namespace ketcd::s3
