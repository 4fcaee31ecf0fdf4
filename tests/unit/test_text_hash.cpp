// Hash tables keyed by text (interpreter/text_hash.hpp): SipHash-2-4 checked against the SipHash
// paper's test vectors; texts built here to share one libstdc++ `std::hash` value, which flood a
// table keyed by that hash and not one keyed by `TextHash`, and which bind as linked
// participant ids to the payments worked out by hand; and a reading of the library's sources
// for any unordered table outside the few keyed by the engine's own numbers.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include <unistd.h>

#include "interpreter/pipeline.hpp"
#include "interpreter/text_hash.hpp"
#include "tests/tools/compiled.hpp"

using namespace utfall;

namespace {

// Key 00 01 .. 0f and message 00 01 .. (n-1), as in the SipHash paper (Aumasson and Bernstein,
// 2012): its appendix works the 15-byte message through to a129ca6149be45e5; the reference
// implementation's vectors.h lists the empty message's 726fdb47dd0e0e31.
HashKey paper_key() {
  HashKey k{};
  for (int i = 0; i < 16; ++i) k[i] = static_cast<unsigned char>(i);
  return k;
}
std::string paper_message(int n) {
  std::string m;
  for (int i = 0; i < n; ++i) m.push_back(static_cast<char>(i));
  return m;
}

// A model of libstdc++'s std::hash<std::string> on a 64-bit target (libsupc++/hash_bytes.cc,
// `_Hash_bytes` with the seed 0xc70f6907 of functional_hash.h), for texts whose length is a
// multiple of 8: the state after each block of 8 bytes is (state ^ mix(block)) * mul, and mix
// can be undone, so a last block that brings any state to a chosen one can be solved for.
constexpr std::uint64_t kMul = 0xc6a4a7935bd1e995ull;
constexpr std::uint64_t kSeed = 0xc70f6907ull;
std::uint64_t shift_mix(std::uint64_t v) { return v ^ (v >> 47); }
std::uint64_t inverse_of_odd(std::uint64_t a) {
  std::uint64_t x = a;  // Newton's iteration: each step doubles the correct low bits
  for (int i = 0; i < 6; ++i) x *= 2 - a * x;
  return x;
}
std::uint64_t mix(std::uint64_t block) { return shift_mix(block * kMul) * kMul; }
std::uint64_t unmix(std::uint64_t data) {
  const std::uint64_t inv = inverse_of_odd(kMul);
  return shift_mix(data * inv) * inv;  // shift_mix by 47 >= 32 bits is its own inverse
}
std::uint64_t load(const std::string& s, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}
std::string store(std::uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i, v >>= 8) s.push_back(static_cast<char>(v & 0xff));
  return s;
}

// `count` distinct texts of 24 printable ASCII characters (a participant id a CSV file could
// hold) whose libstdc++ hash is one value: two random blocks, then the third that brings the
// state to the first text's state, kept when its bytes are printable.
std::vector<std::string> colliding_ids(std::size_t count) {
  std::mt19937_64 random(20261204);
  const std::string alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::uniform_int_distribution<std::size_t> pick(0, alphanumeric.size() - 1);
  auto block = [&] {
    std::string s;
    for (int i = 0; i < 8; ++i) s.push_back(alphanumeric[pick(random)]);
    return s;
  };
  constexpr std::size_t length = 24;  // the hash starts from the text's length: all are 24
  auto state_after = [](const std::string& s, std::size_t blocks) {
    std::uint64_t h = kSeed ^ (length * kMul);
    for (std::size_t b = 0; b < blocks; ++b) h = (h ^ mix(load(s, 8 * b))) * kMul;
    return h;
  };
  std::vector<std::string> ids{block() + block() + block()};
  const std::uint64_t target = state_after(ids[0], 3) * inverse_of_odd(kMul);  // the state before the last multiply
  while (ids.size() < count) {
    const std::string head = block() + block();
    // (state ^ mix(third)) must be the first id's state before its last `* kMul`.
    const std::uint64_t before = state_after(head, 2);
    const std::string third = store(unmix(before ^ target));
    bool ok = true;
    for (char c : third) ok = ok && c >= '!' && c <= '~' && c != '"' && c != ',' && c != ';' && c != '\\';
    if (ok) ids.push_back(head + third);
  }
  return ids;
}

// Equality that counts its calls: the work of a table's inserts.
struct CountingEqual {
  std::size_t* calls;
  bool operator()(const std::string& a, const std::string& b) const {
    ++*calls;
    return a == b;
  }
};

}  // namespace

TEST_CASE("siphash24 gives the SipHash paper's values", "[text_hash]") {
  CHECK(siphash24(paper_key(), paper_message(0)) == 0x726fdb47dd0e0e31ull);
  CHECK(siphash24(paper_key(), paper_message(15)) == 0xa129ca6149be45e5ull);
}

TEST_CASE("siphash24 depends on its key and the process key is drawn once", "[text_hash]") {
  HashKey other = paper_key();
  other[0] ^= 1;
  CHECK(siphash24(other, "kommun") != siphash24(paper_key(), "kommun"));
  const HashKey& a = process_hash_key();
  const HashKey& b = process_hash_key();
  CHECK(&a == &b);
  CHECK(a != HashKey{});  // all zero: not drawn
  CHECK(TextHash{}("kommun") == siphash24(a, "kommun"));
  CHECK(TextHash{}(std::string("kommun")) == TextHash{}(std::string_view("kommun")));
}

TEST_CASE("texts that share one std::hash value do not flood a TextHash table", "[text_hash]") {
  constexpr std::size_t n = 2000;
  const auto ids = colliding_ids(n);
  REQUIRE(ids.size() == n);
  REQUIRE(std::unordered_set<std::string>(ids.begin(), ids.end()).size() == n);
#ifdef __GLIBCXX__
  if constexpr (sizeof(std::size_t) == 8) {  // the model is of the 64-bit hash
    // The flood is real: one std::hash value for all, and a table under it compares each insert
    // with every earlier id, n (n - 1) / 2 comparisons in all.
    for (const auto& id : ids) REQUIRE(std::hash<std::string>{}(id) == std::hash<std::string>{}(ids[0]));
    std::size_t flooded = 0;
    {
      std::unordered_set<std::string, std::hash<std::string>, CountingEqual> table(0, {}, CountingEqual{&flooded});
      for (const auto& id : ids) table.insert(id);
      REQUIRE(table.size() == n);
    }
    CHECK(flooded >= n * (n - 1) / 2);
  }
#endif
  // Under the keyed hash the same ids take a few comparisons each.
  std::size_t keyed = 0;
  std::unordered_set<std::string, TextHash, CountingEqual> table(0, {}, CountingEqual{&keyed});
  for (const auto& id : ids) table.insert(id);
  REQUIRE(table.size() == n);
  CHECK(keyed <= 4 * n);
}

// TextIndex against std::map: texts from a small alphabet, so that most repeat, each given the
// place it would take in a list of the distinct texts; the first place of each text is its
// answer ever after, through the table's growth from 64 slots to thousands.
TEST_CASE("a TextIndex finds each text at the place it was first added, as a std::map does", "[text_hash]") {
  std::mt19937 rng(20261206);
  std::vector<std::string> list;  // the distinct texts, in the order first added
  std::map<std::string, std::uint32_t> model;
  TextIndex index;
  auto text_of = [&](std::uint32_t i) -> const std::string& { return list[i]; };
  std::size_t found = 0;
  for (int k = 0; k < 40000; ++k) {
    std::string text(std::uniform_int_distribution<std::size_t>(0, 4)(rng), 'a');
    for (auto& c : text) c = static_cast<char>('a' + std::uniform_int_distribution<int>(0, 6)(rng));
    const auto place = static_cast<std::uint32_t>(list.size());
    const auto it = model.find(text);
    if (k % 2 == 0) {  // looked up alone
      const auto got = index.find(text, TextIndex::hash(text), text_of);
      REQUIRE(got.has_value() == (it != model.end()));
      if (!got) continue;
      REQUIRE(*got == it->second);
      ++found;
      continue;
    }
    const auto [got, added] = index.find_or_add(text, text_of, [&] {
      list.push_back(text);
      return list.size() - 1;
    });
    if (it == model.end()) {
      REQUIRE(added);
      REQUIRE(got == place);
      model.emplace(text, place);
    } else {
      REQUIRE_FALSE(added);
      REQUIRE(got == it->second);
      ++found;
    }
  }
  CHECK(index.size() == model.size());
  CHECK(list.size() == model.size());
  CHECK(model.size() > 1000);  // the table grew well past its first 64 slots
  CHECK(found > 20000);
}

// A list that refuses a text (it throws while adding it): the index records nothing, finds the
// text no more than before, and takes it later at the place the list then gives.
TEST_CASE("a TextIndex records no place for a text its list failed to add", "[text_hash]") {
  std::vector<std::string> list;
  TextIndex index;
  auto text_of = [&](std::uint32_t i) -> const std::string& { return list.at(i); };  // a stray place throws
  auto append = [&](const std::string& text) {
    return [&list, text] {
      list.push_back(text);
      return list.size() - 1;
    };
  };
  for (int i = 0; i < 64; ++i) REQUIRE(index.find_or_add("t" + std::to_string(i), text_of, append("t" + std::to_string(i))).second);
  // The 65th text grows the table first (more than half of 128 slots): the refusal comes after.
  CHECK_THROWS_AS(index.find_or_add("refused", text_of, []() -> std::size_t { throw std::bad_alloc(); }), std::bad_alloc);
  CHECK(index.size() == 64);
  CHECK_FALSE(index.find("refused", TextIndex::hash("refused"), text_of).has_value());
  CHECK(index.find_or_add("refused", text_of, append("refused")) == std::pair<std::uint32_t, bool>(64, true));
  for (int i = 0; i < 64; ++i) REQUIRE(index.find("t" + std::to_string(i), TextIndex::hash("t" + std::to_string(i)), text_of) == std::optional<std::uint32_t>(i));
}

// Every text given one hash: each is then told from the others by its text alone, along a run
// of slots that wraps past the end of the table (hash 63 of 64 slots, then of 128, 256 as it
// grows), and a text never added is not found at the end of that run.
TEST_CASE("a TextIndex tells texts of one hash apart by their text", "[text_hash]") {
  std::vector<std::string> list;
  TextIndex index;
  auto text_of = [&](std::uint32_t i) -> const std::string& { return list[i]; };
  constexpr std::uint64_t h = 63;
  for (int i = 0; i < 150; ++i) {
    const std::string text = "t" + std::to_string(i);
    REQUIRE_FALSE(index.find(text, h, text_of).has_value());
    index.make_room();
    list.push_back(text);
    index.add(h, static_cast<std::uint32_t>(i));
  }
  for (int i = 0; i < 150; ++i) REQUIRE(index.find("t" + std::to_string(i), h, text_of) == std::optional<std::uint32_t>(i));
  CHECK_FALSE(index.find("t150", h, text_of).has_value());
  CHECK_FALSE(index.find("t0", h + 1, text_of).has_value());  // no text has that hash, though its probes cross their run
  CHECK(index.size() == 150);
}

// TextTable against std::map: the first value given for a text is kept (emplace says whether it
// was added), an entry stays where it is while thousands more are added, and a walk gives the
// texts in the order first added.
TEST_CASE("a TextTable keeps the first value of each text where it is and walks them in order", "[text_hash]") {
  std::mt19937 rng(6122026);
  TextTable<int> table;
  std::map<std::string, int> model;
  std::vector<std::string> order;  // as first added
  std::vector<std::pair<const TextTable<int>::Entry*, std::string>> seen;  // entries as first given
  for (int k = 0; k < 20000; ++k) {
    std::string text = "n" + std::to_string(std::uniform_int_distribution<int>(0, 5000)(rng));
    const auto [entry, added] = table.emplace(text, k);
    const bool fresh = model.emplace(text, k).second;
    REQUIRE(added == fresh);
    REQUIRE(entry->first == text);
    REQUIRE(entry->second == model.at(text));
    if (fresh) {
      order.push_back(text);
      if (seen.size() < 50) seen.emplace_back(entry, text);
    }
  }
  CHECK(table.size() == model.size());
  for (const auto& [entry, text] : seen) {  // added first, still there after all the rest
    REQUIRE(table.find(text) == entry);
    REQUIRE(entry->second == model.at(text));
  }
  for (const auto& [text, value] : model) REQUIRE(table.contains(text));
  CHECK_FALSE(table.contains("n5001"));
  CHECK(table.find("m1") == nullptr);
  std::vector<std::string> walked;
  for (const auto& [text, value] : table) walked.push_back(text);
  CHECK(walked == order);
}

TEST_CASE("participant ids that share one std::hash value bind and pay as worked out by hand", "[text_hash]") {
  // examples/j-ledger: each claim of `arbete` pays arbetsersattning 40 000 SEK, plus 20 000 for
  // support and 5 000 under 25; every person here is 30 without support and has one claim in
  // 2025, so 2025 pays 2 000 x 40 000 = 80 000 000 SEK and 2026 and 2027 nothing.
  constexpr std::size_t n = 2000;
  const auto ids = colliding_ids(n);
  const auto dir = std::filesystem::temp_directory_path() / ("utfall-text-hash-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream people(dir / "deltagare.csv"), claims(dir / "claims.csv");
    people << "id,alder,stod\n";
    claims << "person,utfall,ar\n";
    for (const auto& id : ids) people << id << ",30,no\n", claims << id << ",arbete,2025\n";
  }
  const auto contract = test_support::compiled_file("examples/j-ledger/contract.utfall");
  auto bound = load_data(*contract, {(dir / "deltagare.csv").string(), (dir / "claims.csv").string()});
  std::filesystem::remove_all(dir);
  REQUIRE(bound.data);
  CHECK(bound.diagnostics.empty());
  Workspace ws;
  Evaluation out;
  evaluate(*contract, *bound.data, EvalOptions{}, ws, out);
  REQUIRE(out.ok);
  std::vector<Number> paid(contract->periods.size());
  for (const auto& line : out.lines) paid[static_cast<std::size_t>(line.period)] += line.amount;
  REQUIRE(paid.size() == 3);
  CHECK(paid[0] == Number::from_int(80'000'000));
  CHECK(paid[1] == Number{});
  CHECK(paid[2] == Number{});
  CHECK(out.not_paid.empty());
}

TEST_CASE("every unordered table in the library is keyed by text under TextHash or by the engine's own numbers", "[text_hash]") {
  // Any std::unordered_(multi)map or _set outside text_hash.hpp (where TextMap, TextSet and
  // TextViewMap are defined) is refused but in the files below, whose tables are keyed by
  // pointers and indices that the engine makes, never by text or numbers from a file.
  const std::set<std::string> numeric_keys = {"fast_eval.cpp", "evaluator.hpp"};
  const std::regex any_table(R"(unordered_(multi)?(map|set)\s*<)");
  std::size_t files = 0;
  std::string offenders;
  for (const char* dir : {"interpreter", "api", "cli", "stdlib", "include", "grammar", "python"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(std::filesystem::path(UTFALL_SOURCE_DIR) / dir)) {
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".inc" && ext != ".cc") continue;
      const auto name = entry.path().filename().string();
      if (name == "text_hash.hpp" || numeric_keys.count(name)) continue;
      std::ifstream in(entry.path());
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      ++files;
      if (std::regex_search(text, any_table)) offenders += entry.path().string() + "\n";
    }
  }
  CHECK(files > 50);
  INFO("unordered tables not written as TextMap, TextSet or TextViewMap in:\n" << offenders);
  CHECK(offenders.empty());
}
