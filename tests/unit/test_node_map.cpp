// The checker's NodeMap (interpreter/checker.hpp) against std::map<Node, T>, the container it
// stands in for: the same entries after the same writes, the same order when walked, the same
// answers for keys never written, and values that stay where they are while others are added
// (the checker keeps a pointer to the list of the node it is typing).
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/checker.hpp"

using utfall::check_internal::Node;
using utfall::check_internal::NodeMap;

namespace {

std::vector<std::pair<Node, std::string>> walked(const NodeMap<std::string>& m) {
  std::vector<std::pair<Node, std::string>> out;
  m.each([&](Node n, const std::string& v) { out.emplace_back(n, v); });
  return out;
}

std::vector<std::pair<Node, std::string>> walked(const std::map<Node, std::string>& m) { return {m.begin(), m.end()}; }

}  // namespace

TEST_CASE("node map: random writes and reads agree with std::map", "[node_map]") {
  std::mt19937 rng(20261205);
  for (int round = 0; round < 200; ++round) {
    NodeMap<std::string> dense;
    std::map<Node, std::string> model;
    const int span = 1 + static_cast<int>(rng() % 40);  // indices 0 .. span-1 per kind
    const int writes = static_cast<int>(rng() % 120);
    for (int w = 0; w < writes; ++w) {
      Node n{static_cast<int>(rng() % 5), static_cast<int>(rng() % static_cast<unsigned>(span))};
      if (rng() % 4 == 0) {  // operator[] alone makes an empty entry, as a map's does
        dense[n];
        model[n];
      } else {
        const std::string v = std::to_string(rng() % 1000);
        dense[n] = v;
        model[n] = v;
      }
    }
    REQUIRE(dense.empty() == model.empty());
    REQUIRE(walked(dense) == walked(model));
    for (int kind = 0; kind < 5; ++kind)
      for (int i = 0; i <= span; ++i) {
        Node n{kind, i};
        auto it = model.find(n);
        const std::string* found = dense.find(n);
        REQUIRE((found != nullptr) == (it != model.end()));
        if (found) {
          CHECK(*found == it->second);
          CHECK(dense.at(n) == it->second);
        } else {
          CHECK_THROWS_AS(dense.at(n), std::out_of_range);
        }
      }
  }
}

TEST_CASE("node map: a value stays where it is while later entries are added", "[node_map]") {
  NodeMap<std::vector<int>> m;
  std::vector<int>* first = &m[{1, 0}];
  first->push_back(7);
  for (int i = 1; i < 5000; ++i) m[{1, i}].push_back(i);  // the same kind's list grows past its first block
  for (int i = 0; i < 5000; ++i) m[{3, i}];
  CHECK(first == &m[{1, 0}]);
  CHECK(*first == std::vector<int>{7});
  int entries = 0;
  m.each([&](Node, const std::vector<int>&) { ++entries; });
  CHECK(entries == 10000);
}

TEST_CASE("node map: keys that name no node", "[node_map]") {
  NodeMap<int> m;
  CHECK(m.empty());
  CHECK(m.find({-1, 0}) == nullptr);
  CHECK(m.find({5, 0}) == nullptr);
  CHECK(m.find({0, -1}) == nullptr);
  CHECK_THROWS(m[{0, -1}]);
  CHECK_THROWS(m[{5, 0}]);
  m[{4, 2}] = 9;
  CHECK_FALSE(m.empty());
  CHECK(m.find({4, 1}) == nullptr);
  CHECK(m.at({4, 2}) == 9);
}
