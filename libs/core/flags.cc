#include "libs/core/flags.h"

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <type_traits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace candor::core {
namespace {

// The setter of a numeric flag: the whole value must parse as a T (an integer for int64_t, any
// number for double) within [min, max]; errors name the flag.
template <typename T>
std::function<absl::Status(const std::string&)> InRange(std::string flag, T* target, T min, T max) {
  return [target, min, max, flag = std::move(flag)](const std::string& v) {
    T parsed = 0;
    if constexpr (std::is_integral_v<T>) {
      if (!absl::SimpleAtoi(v, &parsed)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", flag, ": '", v, "' is not an integer"));
      }
    } else if (!absl::SimpleAtod(v, &parsed)) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag, ": '", v, "' is not a number"));
    }
    if (parsed < min || parsed > max) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": ", parsed, " is outside [", min, ", ", max, "]"));
    }
    *target = parsed;
    return absl::OkStatus();
  };
}

}  // namespace

Flags::Flags(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

void Flags::Add(Entry entry) { entries_.push_back(std::move(entry)); }

void Flags::AddString(std::string name, std::string env, std::string* target, std::string help) {
  Add({std::move(name), std::move(env), std::move(help), *target, false,
       [target](const std::string& v) {
         *target = v;
         return absl::OkStatus();
       }});
}

void Flags::AddInt(std::string name, std::string env, int64_t* target, std::string help,
                   int64_t min, int64_t max) {
  std::string flag = name;
  Add({std::move(name), std::move(env), std::move(help), std::to_string(*target), false,
       InRange(std::move(flag), target, min, max)});
}

void Flags::AddDouble(std::string name, std::string env, double* target, std::string help,
                      double min, double max) {
  std::string flag = name;
  std::ostringstream def;
  def << *target;
  Add({std::move(name), std::move(env), std::move(help), def.str(), false,
       InRange(std::move(flag), target, min, max)});
}

void Flags::AddBool(std::string name, std::string env, bool* target, std::string help) {
  std::string flag = name;
  Add({std::move(name), std::move(env), std::move(help), *target ? "true" : "false", true,
       [target, flag](const std::string& v) {
         if (v == "true" || v == "1" || v == "yes" || v.empty()) {
           *target = true;
         } else if (v == "false" || v == "0" || v == "no") {
           *target = false;
         } else {
           return absl::InvalidArgumentError(
               absl::StrCat("--", flag, ": '", v, "' is not true/false"));
         }
         return absl::OkStatus();
       }});
}

absl::Status Flags::Parse(int argc, char** argv) {
  // Environment first, so flags given on the command line override it.
  for (const Entry& e : entries_) {
    if (e.env.empty()) continue;
    if (const char* v = std::getenv(e.env.c_str()); v != nullptr) {
      if (absl::Status s = e.set(v); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("$", e.env, ": ", s.message()));
      }
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      return absl::OkStatus();
    }
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    bool negated = false;
    const Entry* found = nullptr;
    for (const Entry& e : entries_) {
      if (e.name == name) found = &e;
      if (e.is_bool && "no-" + e.name == name) {
        found = &e;
        negated = true;
      }
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (found->is_bool) {
      if (negated) value = "false";
      if (!has_value && !negated) value = "true";
    } else if (!has_value) {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
      value = argv[++i];
    }
    if (absl::Status s = found->set(value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string Flags::Usage() const {
  std::ostringstream out;
  out << "Usage: " << program_ << " [flags]\n\n"
      << summary_ << "\n\nFlags (flag > env > default):\n";
  for (const Entry& e : entries_) {
    out << "  --" << e.name << (e.is_bool ? "" : " VALUE");
    if (!e.env.empty()) out << "  [$" << e.env << "]";
    out << "\n      " << e.help
        << " (default: " << (e.default_text.empty() ? "\"\"" : e.default_text) << ")\n";
  }
  out << "  --help\n      Print this text and exit.\n";
  return out.str();
}

int ParseOrExit(Flags& flags, int argc, char** argv) {
  absl::Status s = flags.Parse(argc, argv);
  if (!s.ok()) {
    std::cerr << argv[0] << ": " << s.message() << "\n(see --help)\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  return -1;
}

}  // namespace candor::core
