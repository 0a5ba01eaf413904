#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

namespace ambient::test {

/// Compares `actual` with the text proto in `<golden dir>/<name>.textproto`; a mismatch fails
/// and prints the differences. With AMBIENT_UPDATE_GOLDEN=1 in the environment the file is
/// (re)written instead, for a reviewed update, and the check still fails: an update is never a
/// pass, so a run with the variable left set (in ctest or CI) cannot go green. A missing file
/// always fails the test.
template <class Message>
void check_golden(const Message& actual, const std::string& dir, const std::string& name) {
  auto path = dir + "/" + name + ".textproto";
  if (const char* update = std::getenv("AMBIENT_UPDATE_GOLDEN");
      update && std::string{update} == "1") {
    std::string text;
    google::protobuf::TextFormat::PrintToString(actual, &text);
    std::ofstream{path} << "# golden: " << Message::descriptor()->full_name() << "\n" << text;
    FAIL("AMBIENT_UPDATE_GOLDEN=1: rewrote " << path
                                             << "; review it and run again without the variable");
  }
  std::ifstream in{path};
  INFO("golden file " << path);
  REQUIRE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  Message expected;
  REQUIRE(google::protobuf::TextFormat::ParseFromString(buf.str(), &expected));
  google::protobuf::util::MessageDifferencer diff;
  std::string report;
  diff.ReportDifferencesToString(&report);
  diff.set_repeated_field_comparison(google::protobuf::util::MessageDifferencer::AS_LIST);
  const bool same = diff.Compare(expected, actual);
  // The report is filled by Compare, so it is captured only after it ran.
  INFO("differences (expected → actual):\n" << report);
  CHECK(same);
}

} // namespace ambient::test
