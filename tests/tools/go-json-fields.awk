# Reads Go source files of a Kubernetes API package and prints, for each struct field that
# has a protobuf tag, one line: MESSAGE<TAB>PROTO_FIELD<TAB>JSON_NAME<TAB>FLAGS, where
# MESSAGE is pkg.StructName (the proto message go-to-protobuf made of it) and FLAGS holds
#   o  omitempty      z  omitzero      p  pointer (*T)      c  slice or map ([]T, map[K]V)
#   i  inlined: its fields are the parent's in JSON (embedded with json:"" or ,inline)
# Fields are listed in struct order. Used by fetch-k8s-protos.sh; pkg set with -v pkg=...
/^type [A-Za-z0-9_]+ struct \{/ { msg = $2; next }
/^\}/ { msg = ""; next }
msg != "" && /protobuf:"/ {
  line = $0
  sub(/^[ \t]+/, "", line)
  pre = substr(line, 1, index(line, "`") - 1)
  n = split(pre, parts, /[ \t]+/)
  if (parts[n] == "") n--
  if (n == 1) { embedded = 1; type = parts[1] } else { embedded = 0; type = parts[2] }
  json = ""; hasjson = 0
  if (match(line, /json:"[^"]*"/)) { json = substr(line, RSTART + 6, RLENGTH - 7); hasjson = 1 }
  proto = ""
  if (match(line, /protobuf:"[^"]*"/)) {
    ptag = substr(line, RSTART + 10, RLENGTH - 11)
    if (match(ptag, /name=[^,]*/)) proto = substr(ptag, RSTART + 5, RLENGTH - 5)
  }
  if (proto == "" && embedded) {
    # go-to-protobuf names an embedded struct's field after its type, lower camel case.
    t = type
    sub(/^\*/, "", t)
    sub(/^.*\./, "", t)
    proto = tolower(substr(t, 1, 1)) substr(t, 2)
  }
  if (proto == "") next
  jname = json
  sub(/,.*/, "", jname)
  flags = ""
  if (json ~ /,omitempty/) flags = flags "o"
  if (json ~ /,omitzero/) flags = flags "z"
  if (type ~ /^\*/) flags = flags "p"
  if (type ~ /^(\[\]|map\[)/) flags = flags "c"
  if (json ~ /,inline/ || (embedded && jname == "")) flags = flags "i"
  if (!hasjson && !embedded) jname = parts[1]
  if (jname == "-") next
  printf "%s.%s\t%s\t%s\t%s\n", pkg, msg, proto, (jname == proto ? "" : jname), flags
}
