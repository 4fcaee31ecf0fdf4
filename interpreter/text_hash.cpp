// SipHash-2-4 under a per-process random key (text_hash.hpp), from libsodium.
#include "interpreter/text_hash.hpp"

#include <sodium.h>

#include <bit>
#include <cstring>
#include <random>

namespace utfall {

static_assert(crypto_shorthash_siphash24_KEYBYTES == sizeof(HashKey));
static_assert(crypto_shorthash_siphash24_BYTES == sizeof(std::uint64_t));

std::uint64_t siphash24(const HashKey& key, std::string_view text) {
  unsigned char out[crypto_shorthash_siphash24_BYTES];
  crypto_shorthash_siphash24(out, reinterpret_cast<const unsigned char*>(text.data()), text.size(), key.data());
  std::uint64_t h;
  std::memcpy(&h, out, sizeof h);
  if constexpr (std::endian::native == std::endian::big) h = __builtin_bswap64(h);
  return h;
}

const HashKey& process_hash_key() {
  static const HashKey key = [] {
    HashKey k{};
    if (sodium_init() >= 0) {
      randombytes_buf(k.data(), k.size());
    } else {
      // libsodium could not start (no entropy source it trusts): the standard library's
      // source, which on Linux reads the same kernel generator.
      std::random_device device;
      for (auto& byte : k) byte = static_cast<unsigned char>(device());
    }
    return k;
  }();
  return key;
}

}  // namespace utfall
