#include "bench/harness/report.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/json_writer.hpp"
#include "support/http_get.hpp"

namespace ambient::bench {

namespace {

/// `v` printed with `format`, or `not_finite` for NaN and infinities.
std::string format_finite(double v, const char* format, const char* not_finite) {
  if (!std::isfinite(v))
    return not_finite;
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string json_number(double v) {
  return format_finite(v, "%.6g", "null");
}

std::string machine() {
  std::ifstream cpu{"/proc/cpuinfo"};
  std::string line, model;
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  std::ifstream mem{"/proc/meminfo"};
  double gib = 0;
  while (std::getline(mem, line))
    if (line.rfind("MemTotal:", 0) == 0)
      gib = std::stod(line.substr(9)) / 1048576.0;
  char date[32];
  auto t = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return std::to_string(std::thread::hardware_concurrency()) + " cores (" + model + "), "
         + fmt0(gib) + " GiB, " + date;
}

} // namespace

std::string fmt0(double v) {
  return format_finite(v, "%.0f", "n/a");
}

std::string fmt2(double v) {
  return format_finite(v, "%.2f", "n/a");
}

report::table_data& report::table(std::vector<std::string> headers) {
  tables_.push_back({std::move(headers), {}});
  return tables_.back();
}

void report::value(const std::string& name, std::map<std::string, double> fields) {
  values_[name] = std::move(fields);
}

void report::target(const std::string& what, double value, const std::string& unit, double bound,
                    const std::string& op) {
  if (op != "≤" && op != "≥")
    throw std::invalid_argument("report target \"" + what + "\": op must be ≤ or ≥, not " + op);
  bool met = std::isfinite(value) && (op == "≤" ? value <= bound : value >= bound);
  targets_.push_back({what, unit, op, value, bound, met});
}

void report::note(const std::string& text) {
  notes_.push_back(text);
}

void report::plot(std::string data, std::string xlabel, std::string ylabel,
                  std::vector<std::string> series) {
  plot_data_ = std::move(data);
  xlabel_ = std::move(xlabel);
  ylabel_ = std::move(ylabel);
  series_ = std::move(series);
}

void report::write(const std::string& dir) const {
  auto base = dir + "/" + scenario_ + (smoke_ ? "-smoke" : "");
  std::string md = "# " + scenario_
                   + (smoke_ ? " (smoke sizes: checks the harness, not speed)" : "")
                   + "\n\nMachine: " + machine() + ". One run.\n\n";
  for (const auto& t : tables_) {
    md += "|";
    for (const auto& h : t.headers)
      md += " " + h + " |";
    md += "\n|";
    for (size_t i = 0; i < t.headers.size(); ++i)
      md += "---|";
    md += "\n";
    for (const auto& r : t.rows) {
      md += "|";
      for (const auto& cell : r)
        md += " " + cell + " |";
      md += "\n";
    }
    md += "\n";
  }
  if (!targets_.empty()) {
    md += "| target | measured | bound | verdict |\n|---|---|---|---|\n";
    for (const auto& t : targets_)
      md += "| " + t.what + " | " + fmt2(t.value) + " " + t.unit + " | " + t.op + " "
            + fmt2(t.bound) + " " + t.unit + " | " + (t.met ? "met" : "**missed**") + " |\n";
    md += "\n";
  }
  for (const auto& n : notes_)
    md += "- " + n + "\n";
  std::string json = "{\"scenario\":" + base::json_string(scenario_)
                     + ",\"smoke\":" + (smoke_ ? "true" : "false")
                     + ",\"machine\":" + base::json_string(machine()) + ",\"values\":{";
  bool first = true;
  for (const auto& [name, fields] : values_) {
    json += std::string{first ? "" : ","} + base::json_string(name) + ":{";
    first = false;
    bool f2 = true;
    for (const auto& [k, v] : fields) {
      json += std::string{f2 ? "" : ","} + base::json_string(k) + ":" + json_number(v);
      f2 = false;
    }
    json += "}";
  }
  json += "},\"targets\":[";
  first = true;
  for (const auto& t : targets_) {
    json += std::string{first ? "" : ","} + "{\"what\":" + base::json_string(t.what)
            + ",\"value\":" + json_number(t.value) + ",\"unit\":" + base::json_string(t.unit)
            + ",\"bound\":" + json_number(t.bound) + ",\"met\":" + (t.met ? "true" : "false") + "}";
    first = false;
  }
  json += "]}\n";
  std::ofstream{base + ".json"} << json;
  if (!plot_data_.empty()) {
    std::ofstream{base + ".dat"} << plot_data_;
    std::string gp = "set terminal pngcairo size 900,540\nset output '" + base
                     + ".png'\nset logscale x\nset key left top\nset grid\nset xlabel '" + xlabel_
                     + "'\nset ylabel '" + ylabel_ + "'\nset title '" + scenario_ + "'\nplot ";
    for (size_t i = 0; i < series_.size(); ++i)
      gp += std::string{i ? ", " : ""} + "'" + base + ".dat' using 1:("
            + (i == 2 ? "$4*100" : "$" + std::to_string(i + 2)) + ") with linespoints title '"
            + series_[i] + "'";
    std::ofstream{base + ".gp"} << gp << "\n";
    auto r = test::run_command("gnuplot '" + base + ".gp'");
    if (r.exit_code == 0) {
      md += "\n![" + scenario_ + "](" + scenario_ + (smoke_ ? "-smoke" : "") + ".png)\n";
      std::remove((base + ".gp").c_str());
    } else {
      md += "\n(no plot: gnuplot failed or is missing: " + r.output + ")\n";
    }
  }
  std::ofstream{base + ".md"} << md;
  std::fputs(md.c_str(), stdout);
}

} // namespace ambient::bench
