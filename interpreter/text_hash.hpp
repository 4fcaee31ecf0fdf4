// Hash tables keyed by text that hostile text cannot slow down.
//
// A contract's names, a data file's column names and participant ids, the periods a host
// gives: all are text that the person who wrote the file chose. libstdc++'s `std::hash` for
// strings is a fixed, public function (MurmurHash with a fixed seed); texts chosen offline to
// share one hash value make every insert into a `std::unordered_map` compare them all, so a
// data file of a million such ids binds in hours instead of a second (tests/unit/
// test_text_hash.cpp builds such ids). `TextHash` is SipHash-2-4 (libsodium's
// `crypto_shorthash`) under a key drawn at random once per process: without the key no one
// can choose texts that collide, and a lookup stays constant time on any input.
//
// The key is the one process-wide value of the library; it is made on first use, never
// changes, and no output depends on it (no table keyed by text is read in its hash order).
// Every unordered container in the library is one of these, but the few keyed by the engine's
// own pointers and indices (a test reads the sources for any other).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace utfall {

using HashKey = std::array<unsigned char, 16>;

// SipHash-2-4 of `text` under `key`, the 64-bit output read little-endian (the SipHash paper's
// test vectors print it so).
std::uint64_t siphash24(const HashKey& key, std::string_view text);

// This process's key: random, drawn once (libsodium's `randombytes_buf`).
const HashKey& process_hash_key();

struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return siphash24(process_hash_key(), text); }
};

}  // namespace utfall

#if defined(__GLIBCXX__)
// libstdc++ keeps each entry's hash code beside it for a hash it is told is not fast, as for its
// own std::hash of strings (its documented way: specialise this trait). Without it a table
// hashes every key again at each rehash and while walking a bucket: 1 000 000 ids inserted and
// found took 0.80 s against 0.55 s with the codes kept (std::hash: 0.40 s). The tables are the
// library's own, never in the public headers, so the trait's effect on their layout is private.
namespace std {
template <>
struct __is_fast_hash<utfall::TextHash> : false_type {};
}  // namespace std
// Should the trait be renamed, the build says so rather than the codes silently not kept.
static_assert(std::__cache_default<std::string, utfall::TextHash>::value);
#endif

namespace utfall {

// FNV-1a, a byte at a time: a plain hash that chooses a slot of a small cache in front of a
// keyed table (Builder::record, Checker::find_global). A text that misses its slot is looked up
// under the keyed hash as before, so texts chosen to share a slot only cost the cache's miss.
constexpr std::uint32_t plain_hash(std::string_view text) noexcept {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : text) h = (h ^ c) * 16777619u;
  return h;
}

template <typename Value>
using TextMap = std::unordered_map<std::string, Value, TextHash, std::equal_to<>>;
using TextSet = std::unordered_set<std::string, TextHash, std::equal_to<>>;
// Keys that view text owned elsewhere, which outlives the table.
template <typename Value>
using TextViewMap = std::unordered_map<std::string_view, Value, TextHash>;

// The distinct texts of a list that only grows, found by their place in it: a table of places,
// open addressing under the keyed hash (SipHash, as TextHash), each place's hash kept beside it.
// It holds no text and allocates nothing per text: where a `TextSet` made a node and a copy for
// each of some 30 000 names (the parser's, Builder::record), this grows one array of slots.
// `text_of(place)` gives the text at a place of the list, which the list keeps.
//
// `find_or_add` is the usual way in. It looks a text up (`find`), makes room for it (`make_room`,
// which may throw), has the caller add the text to the list, and records its place (`add`, which
// cannot throw): whatever throws, the index names no place the list lacks and the list no text
// the index has not recorded. The steps are public for the tests, which choose the hash.
class TextIndex {
 public:
  static constexpr std::uint32_t kMostPlaces = 0xFFFFFFFEu;  // the next is the empty slot's mark
  static std::uint64_t hash(std::string_view text) { return siphash24(process_hash_key(), text); }
  // The place of `text`, whose hash is `h`, or nullopt where it is not in the list.
  template <typename TextOf>
  std::optional<std::uint32_t> find(std::string_view text, std::uint64_t h, TextOf&& text_of) const {
    if (slots_.empty()) return std::nullopt;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.place == kEmpty) return std::nullopt;
      if (slot.hash == h && std::string_view(text_of(slot.place)) == text) return slot.place;
    }
  }
  // Room for one more place: the slots at most half full, for short runs of probes.
  void make_room() {
    if (count_ >= kMostPlaces) throw std::length_error("TextIndex: more texts than places");
    if (2 * (count_ + 1) > slots_.size()) grow();
  }
  // Records `place` for a text of hash `h` that `find` did not find, after `make_room`.
  void add(std::uint64_t h, std::uint32_t place) noexcept {
    put(Slot{h, place});
    ++count_;
  }
  // The place of `text`, and false; or, where the list lacks it, the place that `append()` gives
  // it, recorded, and true. `append` adds the text to the list (it may throw) and returns its
  // place, below kMostPlaces.
  template <typename TextOf, typename Append>
  std::pair<std::uint32_t, bool> find_or_add(std::string_view text, TextOf&& text_of, Append&& append) {
    const std::uint64_t h = hash(text);
    if (auto found = find(text, h, text_of)) return {*found, false};
    make_room();
    const auto place = static_cast<std::uint32_t>(append());
    add(h, place);
    return {place, true};
  }
  std::size_t size() const { return count_; }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t place = kEmpty;
  };
  void put(Slot s) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(s.hash) & mask;
    while (slots_[i].place != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
  void grow() {
    std::vector<Slot> old(slots_.empty() ? 64 : 2 * slots_.size());
    old.swap(slots_);  // `old` now the slots as they were, `slots_` the larger ones, empty
    for (const Slot& s : old)
      if (s.place != kEmpty) put(s);
  }
  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

// A map from text to `Value` that only grows: its entries kept in a deque, so that they never
// move (a pointer to one stays good), and found through a TextIndex. Where a TextMap made a node
// for each entry (the checker's 20 000 globals of a contract of 10 000 clauses), this makes a
// block for every few. Walked in the order the entries were added.
template <typename Value>
class TextTable {
 public:
  using Entry = std::pair<const std::string, Value>;
  // The entry for `text`, and whether it was added now (as std::unordered_map::emplace).
  std::pair<Entry*, bool> emplace(std::string_view text, Value value) {
    const auto [place, added] = index_.find_or_add(text, text_of(), [&] {
      entries_.emplace_back(std::string(text), std::move(value));
      return entries_.size() - 1;  // make_room: at most kMostPlaces entries
    });
    return {&entries_[place], added};
  }
  const Entry* find(std::string_view text) const {
    auto found = index_.find(text, TextIndex::hash(text), text_of());
    return found ? &entries_[*found] : nullptr;
  }
  Entry* find(std::string_view text) { return const_cast<Entry*>(std::as_const(*this).find(text)); }
  bool contains(std::string_view text) const { return find(text) != nullptr; }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  std::size_t size() const { return entries_.size(); }

 private:
  auto text_of() const {
    return [this](std::uint32_t i) -> const std::string& { return entries_[i].first; };
  }
  std::deque<Entry> entries_;
  TextIndex index_;
};

static_assert(std::is_same_v<TextMap<int>::hasher, TextHash> && std::is_same_v<TextSet::hasher, TextHash> &&
              std::is_same_v<TextViewMap<int>::hasher, TextHash>);

}  // namespace utfall
