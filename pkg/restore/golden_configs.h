#pragma once
// The flag sets of testdata/README.md, shared by the golden tests.

#include <string>
#include <vector>

#include "pkg/restore/restore_options.h"

namespace ketcd::restore::testing {

struct GoldenConfig {
  std::string name;  // "one", "three", ...
  RestoreOptions opts;
  std::vector<std::string> versions;
};

inline std::vector<GoldenConfig> GoldenConfigs() {
  std::vector<GoldenConfig> out;
  const std::vector<std::string> all = {"3.4", "3.5", "3.6", "3.7"};
  RestoreOptions one;
  one.snapshot_path = "snap.db";
  out.push_back({"one", one, all});

  RestoreOptions three = one;
  three.name = "m2";
  three.initial_cluster =
      "m1=http://10.0.0.1:2380,m2=http://10.0.0.2:2380,m3=http://10.0.0.3:2380,m3=http://10.0.0.3:2390";
  three.initial_advertise_peer_urls = "http://10.0.0.2:2380";
  three.initial_cluster_token = "tok3";
  out.push_back({"three", three, all});

  RestoreOptions zero = one;
  zero.name = "z";
  zero.initial_cluster = "z=http://127.0.0.1:45380";
  zero.initial_advertise_peer_urls = "http://127.0.0.1:45380";
  zero.initial_cluster_token = "tz1";
  out.push_back({"zero", zero, all});

  RestoreOptions esc = one;
  esc.name = "a<b&c";
  esc.initial_cluster = "a<b&c=http://127.0.0.1:45381";
  esc.initial_advertise_peer_urls = "http://127.0.0.1:45381";
  out.push_back({"esc", esc, all});

  RestoreOptions ctl = one;
  ctl.name = "c\bd\fe";
  ctl.initial_cluster = "c\bd\fe=http://127.0.0.1:45382";
  ctl.initial_advertise_peer_urls = "http://127.0.0.1:45382";
  out.push_back({"ctl", ctl, {"3.4", "3.5"}});
  return out;
}

}  // namespace ketcd::restore::testing
