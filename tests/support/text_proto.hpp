#pragma once

#include <string>

#include <catch2/catch.hpp>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

namespace ambient::test {

/// Checks that `actual` equals the message written as a text proto in `expected`; a mismatch
/// fails and prints the differences and the actual message.
template <class Message>
void check_text_proto(const Message& actual, const std::string& expected_text) {
  Message expected;
  INFO("expected text proto:\n" << expected_text);
  REQUIRE(google::protobuf::TextFormat::ParseFromString(expected_text, &expected));
  google::protobuf::util::MessageDifferencer diff;
  std::string report;
  diff.ReportDifferencesToString(&report);
  diff.set_repeated_field_comparison(google::protobuf::util::MessageDifferencer::AS_LIST);
  const bool same = diff.Compare(expected, actual);
  std::string actual_text;
  google::protobuf::TextFormat::PrintToString(actual, &actual_text);
  INFO("differences (expected → actual):\n" << report << "actual:\n" << actual_text);
  CHECK(same);
}

} // namespace ambient::test
