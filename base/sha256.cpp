#include "base/sha256.hpp"

#include <openssl/evp.h>

#include "base/hex.hpp"
#include "base/openssl_util.hpp"

namespace ambient::base {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  openssl_check(EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr),
                "EVP_Digest(sha256)");
  return hex_encode({reinterpret_cast<const char*>(digest), len});
}

} // namespace ambient::base
