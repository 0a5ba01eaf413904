#pragma once

#include <map>
#include <string>
#include <vector>

namespace ambient::bench {

std::string fmt0(double v);
std::string fmt2(double v);

/// What one scenario run found: tables, named values, targets with their verdicts, notes and an
/// optional plot; written as <out>/<scenario>.json and <out>/<scenario>.md (and .png).
class report {
public:
  struct table_data {
    std::vector<std::string> headers;
    std::vector<std::vector<std::string>> rows;
    void row(std::vector<std::string> cells) {
      rows.push_back(std::move(cells));
    }
  };

  report(std::string scenario, bool smoke) : scenario_(std::move(scenario)), smoke_(smoke) {}

  table_data& table(std::vector<std::string> headers);
  void value(const std::string& name, std::map<std::string, double> fields);
  /// A figure against its target: "value op bound" decides met or missed (NaN: not measured).
  void target(const std::string& what, double value, const std::string& unit, double bound,
              const std::string& op);
  void note(const std::string& text);
  /// Whitespace-separated columns (x, then one per series) for a gnuplot PNG.
  void plot(std::string data, std::string xlabel, std::string ylabel,
            std::vector<std::string> series);
  /// Writes the files and prints the markdown.
  void write(const std::string& dir) const;

private:
  struct target_row {
    std::string what, unit, op;
    double value, bound;
    bool met;
  };
  std::string scenario_;
  bool smoke_;
  std::vector<table_data> tables_;
  std::map<std::string, std::map<std::string, double>> values_;
  std::vector<target_row> targets_;
  std::vector<std::string> notes_;
  std::string plot_data_, xlabel_, ylabel_;
  std::vector<std::string> series_;
};

} // namespace ambient::bench
