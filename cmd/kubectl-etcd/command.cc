#include "cmd/kubectl-etcd/command.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/cli/output.h"

namespace ketcd::cmd {

// The positional arguments, each taken whole: cxxopts splits a std::vector<std::string>
// value at commas, which would cut `cm,secrets` or a file name with a comma in two.
struct PositionalArgs {
  std::vector<std::string> items;
};

void parse_value(const std::string& text, PositionalArgs& value) { value.items.push_back(text); }

}  // namespace ketcd::cmd

template <>
struct cxxopts::values::type_is_container<ketcd::cmd::PositionalArgs> {
  static constexpr bool value = true;
};

namespace ketcd::cmd {

int RunCatchingExceptions(const std::function<int()>& body, std::ostream& err) {
  try {
    return body();
  } catch (const std::exception& e) {
    err << "error: internal error: " << e.what() << "\n";
  } catch (...) {
    err << "error: internal error: unknown exception\n";
  }
  return kExitError;
}

void AddGlobalFlags(cxxopts::Options& options) {
  // clang-format off
  options.add_options("Global")
      ("kubeconfig", "Path to the kubeconfig file", cxxopts::value<std::string>())
      ("context", "The kubeconfig context to use", cxxopts::value<std::string>())
      ("h,help", "Show this help");
  // clang-format on
}

void AddPositional(cxxopts::Options& options, const std::string& name, const std::string& usage) {
  options.add_options()(name, "", cxxopts::value<PositionalArgs>());
  options.parse_positional({name});
  options.positional_help(usage);
}

absl::StatusOr<std::optional<cxxopts::ParseResult>> ParseFlags(Invocation& inv, std::string_view description,
                                                               FlagsFn add_flags) {
  cxxopts::Options options(absl::StrCat(inv.program, " ", inv.command), std::string(description));
  if (add_flags != nullptr) add_flags(options);
  AddGlobalFlags(options);
  std::vector<std::string> words;
  words.push_back(absl::StrCat(inv.program, " ", inv.command));
  words.insert(words.end(), inv.args.begin(), inv.args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  try {
    auto result = options.parse(static_cast<int>(argv.size()), argv.data());
    if (result.count("help")) {
      inv.out << options.help();
      return std::optional<cxxopts::ParseResult>();
    }
    return std::optional<cxxopts::ParseResult>(std::move(result));
  } catch (const cxxopts::exceptions::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(e.what(), "\nSee '", inv.program, " ", inv.command, " -h' for help."));
  }
}

void AddOutputFlag(cxxopts::Options& options, const std::vector<std::string>& formats, const std::string& dflt) {
  // clang-format off
  options.add_options()("o,output", absl::StrCat("Output format: ", absl::StrJoin(formats, "|")),
                        cxxopts::value<std::string>()->default_value(dflt));
  // clang-format on
}

absl::StatusOr<std::string> OutputFormat(const cxxopts::ParseResult& flags, const std::vector<std::string>& formats) {
  std::string format = flags["output"].as<std::string>();
  KETCD_RETURN_IF_ERROR(cli::CheckOutputFormat(format, formats));
  return format;
}

std::vector<std::string> Positionals(const cxxopts::ParseResult& flags, const std::string& name) {
  return flags.count(name) ? flags[name].as<PositionalArgs>().items : std::vector<std::string>();
}

}  // namespace ketcd::cmd
