#include "cmd/flags.hpp"

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace ambient::cmd {

namespace {

/// A setter that reads a value with `parse` into `*target`, or says what it expected instead.
template <class T, class Parse>
auto parsed_into(T* target, Parse parse, std::string expected) {
  return [target, parse,
          expected = std::move(expected)](std::string_view v) -> std::optional<std::string> {
    auto value = parse(v);
    if (!value)
      return "expects " + expected + ", got '" + std::string{v} + "'";
    *target = *value;
    return std::nullopt;
  };
}

} // namespace

flag_set::flag_set(std::string program, std::string summary, std::string version)
  : program_(std::move(program)), summary_(std::move(summary)), version_(std::move(version)) {
  // nop
}

void flag_set::add_flag(std::string name, flag f) {
  flags_.insert_or_assign(std::move(name), std::move(f));
}

void flag_set::add(std::string name, std::string* target, std::string help) {
  add_flag(std::move(name), {std::move(help), "STRING", *target, false, false,
                             [target](std::string_view v) -> std::optional<std::string> {
                               *target = std::string{v};
                               return std::nullopt;
                             }});
}

void flag_set::add(std::string name, bool* target, std::string help) {
  add_flag(std::move(name), {std::move(help), "", *target ? "true" : "false", true, false,
                             parsed_into(target, parse_bool, "true or false")});
}

void flag_set::add(std::string name, uint16_t* target, std::string help) {
  add_flag(std::move(name),
           {std::move(help), "PORT", std::to_string(*target), false, false,
            parsed_into(target, parse_unsigned<uint16_t>, "a number from 0 to 65535")});
}

void flag_set::add(std::string name, uint32_t* target, std::string help) {
  add_flag(std::move(name),
           {std::move(help), "N", std::to_string(*target), false, false,
            parsed_into(target, parse_unsigned<uint32_t>, "a non-negative number")});
}

void flag_set::add(std::string name, std::chrono::milliseconds* target, std::string help) {
  add_flag(std::move(name),
           {std::move(help), "DURATION", format_duration(*target), false, false,
            parsed_into(target, parse_duration, "a duration such as 30s, 1m30s or 250ms")});
}

void flag_set::add(std::string name, std::vector<std::string>* target, std::string help) {
  add_flag(std::move(name), {std::move(help), "A,B,...", join(*target, ","), false, true,
                             [target](std::string_view v) -> std::optional<std::string> {
                               for (auto& item : split_list(v))
                                 target->push_back(std::move(item));
                               return std::nullopt;
                             }});
}

void flag_set::add_choice(std::string name, std::string* target, std::vector<std::string> choices,
                          std::string help) {
  auto value_name = join(choices, "|");
  add_flag(
      std::move(name),
      {std::move(help), value_name, *target, false, false,
       [target, choices = std::move(choices)](std::string_view v) -> std::optional<std::string> {
         for (const auto& c : choices)
           if (c == v) {
             *target = c;
             return std::nullopt;
           }
         return "expects one of " + join(choices, ", ") + ", got '" + std::string{v} + "'";
       }});
}

void flag_set::enable_config_file(std::string* target) {
  config_target_ = target;
}

parse_result flag_set::set_value(const std::string& name, std::string_view value,
                                 std::string_view origin) {
  auto i = flags_.find(name);
  if (i == flags_.end())
    return {parse_outcome::error,
            std::string{origin} + ": unknown flag --" + name + " (see --help)"};
  if (auto err = i->second.set(value))
    return {parse_outcome::error, std::string{origin} + ": --" + name + " " + *err};
  return {};
}

parse_result flag_set::apply_yaml(std::string_view yaml_text, std::string_view origin) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string{yaml_text});
  } catch (const YAML::Exception& e) {
    return {parse_outcome::error, std::string{origin} + ": not valid YAML: " + e.msg};
  }
  if (doc.IsNull())
    return {};
  if (!doc.IsMap())
    return {parse_outcome::error,
            std::string{origin} + ": must be a mapping of flag names to values"};
  for (const auto& kv : doc) {
    auto key = kv.first.as<std::string>("");
    if (key.empty() || key == "config" || !flags_.contains(key))
      return {parse_outcome::error,
              std::string{origin} + ": unknown key '" + key + "' (keys are flag names without --)"};
    const auto& val = kv.second;
    std::vector<std::string> values;
    if (val.IsScalar()) {
      values.push_back(val.Scalar());
    } else if (val.IsSequence() && flags_.at(key).is_list) {
      for (const auto& item : val) {
        if (!item.IsScalar())
          return {parse_outcome::error,
                  std::string{origin} + ": key '" + key + "' must list plain values"};
        values.push_back(item.Scalar());
      }
    } else {
      return {parse_outcome::error,
              std::string{origin} + ": key '" + key + "' must be a plain value"};
    }
    for (const auto& v : values)
      if (auto r = set_value(key, v, origin); r.outcome == parse_outcome::error)
        return r;
  }
  return {};
}

parse_result flag_set::parse(int argc, const char* const* argv) {
  // Pass 1: --help, --version, --config (the file is applied before any other flag).
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    if (a == "--help" || a == "-h")
      return {parse_outcome::help, {}};
    if (a == "--version")
      return {parse_outcome::version, {}};
  }
  if (config_target_ != nullptr) {
    for (size_t i = 0; i < args.size(); ++i) {
      auto a = args[i];
      if (a == "--config") {
        if (i + 1 >= args.size())
          return {parse_outcome::error, "--config needs a file name"};
        *config_target_ = std::string{args[i + 1]};
      } else if (a.starts_with("--config=")) {
        *config_target_ = std::string{a.substr(9)};
      }
    }
    if (!config_target_->empty()) {
      std::ifstream in{*config_target_};
      if (!in)
        return {parse_outcome::error, "--config: cannot read '" + *config_target_ + "'"};
      std::stringstream buf;
      buf << in.rdbuf();
      if (auto r = apply_yaml(buf.str(), *config_target_); r.outcome == parse_outcome::error)
        return r;
    }
  }
  // Pass 2: every other flag, in order.
  for (size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    if (!a.starts_with("--") || a.size() == 2)
      return {parse_outcome::error, "unexpected argument '" + std::string{a}
                                        + "' (flags look like --name=value; see --help)"};
    auto body = a.substr(2);
    auto eq = body.find('=');
    std::string name{body.substr(0, eq)};
    if (name == "config") {
      if (eq == std::string_view::npos)
        ++i;
      continue;
    }
    auto f = flags_.find(name);
    if (f == flags_.end())
      return {parse_outcome::error, "unknown flag --" + name + " (see --help)"};
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = body.substr(eq + 1);
    } else if (f->second.is_bool) {
      value = "true";
    } else {
      if (i + 1 >= args.size())
        return {parse_outcome::error, "--" + name + " needs a value"};
      value = args[++i];
    }
    if (auto r = set_value(name, value, "command line"); r.outcome == parse_outcome::error) {
      r.message = r.message.substr(std::string_view{"command line: "}.size());
      return r;
    }
  }
  return {};
}

std::string flag_set::usage() const {
  std::ostringstream out;
  out << "Usage: " << program_ << " [flags]\n\n" << summary_ << "\n\nFlags:\n";
  auto line = [&](const std::string& left, const std::string& help, const std::string& def) {
    out << "  " << left;
    for (auto n = left.size(); n < 34; ++n)
      out << ' ';
    out << ' ' << help;
    if (!def.empty())
      out << " (default " << def << ")";
    out << '\n';
  };
  if (config_target_ != nullptr)
    line("--config FILE", "YAML file of flag names to values; command-line flags override it", "");
  for (const auto& [name, f] : flags_) {
    auto left = "--" + name;
    if (!f.is_bool)
      left += " " + f.value_name;
    line(left, f.help, f.default_text);
  }
  line("--help", "print this help and exit", "");
  line("--version", "print the version and exit", "");
  return out.str();
}

} // namespace ambient::cmd
