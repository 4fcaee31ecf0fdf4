// SipHash-2-4 under a per-process random key (text_hash.hpp), from libsodium.
#include "interpreter/text_hash.hpp"

#include <sodium.h>

#include <bit>
#include <cstring>

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

// The key is drawn from the kernel's generator (getrandom, else /dev/urandom). libsodium ends
// the process when neither can be read (sodium_misuse): a system without a source of random
// bytes, not anything a contract or data file can bring about. sodium_init may be called any
// number of times from any thread; the function-local static draws the key once.
const HashKey& process_hash_key() {
  static const HashKey key = [] {
    HashKey k{};
    // Its result is not needed: randombytes_buf starts its generator itself if need be.
    [[maybe_unused]] const int started = sodium_init();
    randombytes_buf(k.data(), k.size());
    return k;
  }();
  return key;
}

}  // namespace utfall
