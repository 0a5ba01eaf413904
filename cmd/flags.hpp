#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/flag_values.hpp"

namespace ambient::cmd {

/// What a program should do after its command line was parsed.
enum class parse_outcome {
  run,     ///< flags are valid: start
  help,    ///< --help was given: print usage, exit 0
  version, ///< --version was given: print the version, exit 0
  error,   ///< a flag or the config file was invalid: print the message, exit 2
};

/// The outcome of parsing plus, for errors, a message naming the flag or config key.
struct parse_result {
  parse_outcome outcome = parse_outcome::run;
  std::string message;
};

/// A declarative set of long flags (`--name=value` or `--name value`). Unknown flags, missing
/// values and malformed values are errors, never ignored. `--config FILE` (when enabled) reads a
/// YAML mapping of flag names to values first; flags on the command line override it.
class flag_set {
public:
  flag_set(std::string program, std::string summary, std::string version);

  /// Adds a string flag.
  void add(std::string name, std::string* target, std::string help);
  /// Adds a boolean flag: `--name`, `--name=true|false`.
  void add(std::string name, bool* target, std::string help);
  /// Adds an unsigned 16-bit flag (ports).
  void add(std::string name, uint16_t* target, std::string help);
  /// Adds an unsigned 32-bit flag.
  void add(std::string name, uint32_t* target, std::string help);
  /// Adds a duration flag (see parse_duration).
  void add(std::string name, std::chrono::milliseconds* target, std::string help);
  /// Adds a comma-separated list flag; repeated flags append.
  void add(std::string name, std::vector<std::string>* target, std::string help);
  /// Adds a string flag whose value must be one of `choices`.
  void add_choice(std::string name, std::string* target, std::vector<std::string> choices,
                  std::string help);

  /// Enables `--config FILE`; the file's path is stored in `target`.
  void enable_config_file(std::string* target);

  /// Parses argv (argv[0] is the program). Later values override earlier ones.
  parse_result parse(int argc, const char* const* argv);

  /// Applies a YAML document (a mapping of flag names to scalars or sequences); `origin` names it
  /// in error messages.
  parse_result apply_yaml(std::string_view yaml_text, std::string_view origin);

  /// Returns the --help text.
  std::string usage() const;

  /// Returns the --version text.
  const std::string& version() const {
    return version_;
  }

private:
  using setter = std::function<std::optional<std::string>(std::string_view)>;
  struct flag {
    std::string help;
    std::string value_name;
    std::string default_text;
    bool is_bool = false;
    bool is_list = false;
    setter set;
  };

  void add_flag(std::string name, flag f);
  parse_result set_value(const std::string& name, std::string_view value, std::string_view origin);

  std::string program_;
  std::string summary_;
  std::string version_;
  std::map<std::string, flag> flags_;
  std::string* config_target_ = nullptr;
};

} // namespace ambient::cmd
