#include <catch2/catch.hpp>

#include "base/base64.hpp"

using namespace ambient;

TEST_CASE("base64 encodes with padding and round-trips any bytes", "[base]") {
  CHECK(base::encode_base64("") == "");
  CHECK(base::encode_base64("f") == "Zg==");
  CHECK(base::encode_base64("fo") == "Zm8=");
  CHECK(base::encode_base64("foo") == "Zm9v");
  CHECK(base::encode_base64("foobar") == "Zm9vYmFy");
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    auto bytes = all.substr(0, n);
    CHECK(base::decode_base64(base::encode_base64(bytes)) == bytes);
  }
}

TEST_CASE("base64 decoding accepts missing padding and whitespace", "[base]") {
  CHECK(base::decode_base64("Zg") == std::string{"f"});
  CHECK(base::decode_base64("Zm8") == std::string{"fo"});
  CHECK(base::decode_base64("Zm9v\nYmFy\r\n") == std::string{"foobar"});
  CHECK(base::decode_base64(" Zm 8= ") == std::string{"fo"});
  CHECK(base::decode_base64("") == std::string{});
}

TEST_CASE("base64 decoding refuses invalid input", "[base]") {
  CHECK_FALSE(base::decode_base64("Zm9v!"));
  CHECK_FALSE(base::decode_base64("Z"));
  CHECK_FALSE(base::decode_base64("Zm9vY"));
  CHECK_FALSE(base::decode_base64("Zg=a"));
  CHECK_FALSE(base::decode_base64("Zm9v===="));
  CHECK_FALSE(base::decode_base64("Zm8=="));
  CHECK_FALSE(base::decode_base64("Zm9v-_"));
}

TEST_CASE("base64url round trips bytes and refuses the standard alphabet", "[base]") {
  std::string bytes{"\xfb\xff\xfe\x00\x01", 5};
  auto text = base::encode_base64url(bytes);
  CHECK(text == "-__-AAE");
  CHECK(base::decode_base64url(text, false) == bytes);
  CHECK_FALSE(base::decode_base64url("+//+AAE", false));
  CHECK_FALSE(base::decode_base64url("-__-AAE=", false));
}

TEST_CASE("url safe base64 decodes the two url digits and optional padding", "[base]") {
  CHECK(base::decode_base64url("-_8") == std::string{"\xfb\xff"});
  CHECK(base::decode_base64url("-_8=") == std::string{"\xfb\xff"});
  CHECK(base::decode_base64url("aGk") == "hi");
  CHECK(base::decode_base64url("") == "");
}

TEST_CASE("url safe base64 refuses the standard digits and whitespace", "[base]") {
  CHECK_FALSE(base::decode_base64url("+/8"));
  CHECK_FALSE(base::decode_base64url("aG k"));
  CHECK_FALSE(base::decode_base64url("a"));
  CHECK_FALSE(base::decode_base64url("aG=k"));
  // The standard decoder is unchanged: its own digits and whitespace.
  CHECK(base::decode_base64("+/8=") == std::string{"\xfb\xff"});
  CHECK(base::decode_base64("aG k=") == "hi");
  CHECK_FALSE(base::decode_base64("-_8"));
}
