#include "sim/label_selector.hpp"

#include "base/decimal.hpp"

#include <algorithm>
#include <cstdint>

#include "sim/label_parser.hpp"

namespace ambient::sim {

namespace {

using requirement = label_selector::requirement;
using op = label_selector::op;

bool contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

} // namespace

std::optional<label_selector> label_selector::parse(std::string_view text, std::string* error) {
  std::string why;
  auto requirements = parse_label_requirements(text, why);
  if (!requirements) {
    if (error != nullptr)
      *error = "unable to parse requirement: " + why;
    return std::nullopt;
  }
  label_selector out;
  out.requirements_ = std::move(*requirements);
  return out;
}

bool label_selector::matches(const label_map& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const requirement& r) {
    auto i = labels.find(r.key);
    bool has = i != labels.end();
    switch (r.operation) {
      case op::equals:
      case op::in:
        return has && contains(r.values, i->second);
      case op::not_equals:
      case op::not_in:
        return !has || !contains(r.values, i->second);
      case op::exists:
        return has;
      case op::does_not_exist:
        return !has;
      case op::greater_than:
      case op::less_than: {
        if (!has)
          return false;
        auto actual = base::parse_decimal<int64_t>(i->second);
        auto bound = base::parse_decimal<int64_t>(r.values.front());
        if (!actual || !bound)
          return false;
        return r.operation == op::greater_than ? *actual > *bound : *actual < *bound;
      }
    }
    return false;
  });
}

bool label_selector::empty() const {
  return requirements_.empty();
}

const std::vector<label_selector::requirement>& label_selector::requirements() const {
  return requirements_;
}

} // namespace ambient::sim
