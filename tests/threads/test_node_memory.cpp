// Node memory (interpreter/node_memory.hpp): nodes cut from 64 KiB blocks (2 MiB ones for a
// large tree), a block given back when its last node is freed, on any thread. Counted here from
// the layout that the header states (a block of 65 536 bytes, 16 of them its count; each node
// preceded by its block's 8-byte address and rounded up to 8 bytes), not from the code: how many
// blocks a number of nodes takes, and that every block comes back once the nodes are freed and
// the threads that cut them have ended. Under AddressSanitizer nodes are plain allocations and no
// block is held.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "interpreter/ast.hpp"
#include "interpreter/checked.hpp"
#include "interpreter/node_memory.hpp"

using namespace utfall;

namespace {

// A node that says which it is: a number literal holding its index.
ast::ExprPtr numbered(int i) { return std::make_unique<ast::Expr>(ast::NumberLit{Number::from_int(i), false, {}, false}, SourceRange{}); }

int number_of(const ast::Expr& e) { return static_cast<int>(std::get<ast::NumberLit>(e.node).value.to_int64().value_or(-1)); }

std::size_t blocks_for(std::size_t nodes, std::size_t node_size) {
  const std::size_t slot = 8 + (node_size + 7) / 8 * 8;
  const std::size_t per_block = (65536 - 16) / slot;
  return (nodes + per_block - 1) / per_block;
}

}  // namespace

TEST_CASE("node memory: a thread's nodes take the blocks the layout says and give them all back", "[node_memory]") {
  const std::size_t before = node_memory::blocks_held();
  std::vector<ast::ExprPtr> nodes;
  std::size_t while_held = 0;
  std::thread([&] {
    for (int i = 0; i < 10000; ++i) nodes.push_back(numbered(i));
    while_held = node_memory::blocks_held() - before;
  }).join();
  if (node_memory::in_blocks())
    CHECK(while_held == blocks_for(10000, sizeof(ast::Expr)));  // as many blocks as 10 000 nodes with their headers fill
  else
    CHECK(while_held == 0);
  for (int i = 0; i < 10000; ++i) REQUIRE(number_of(*nodes[static_cast<std::size_t>(i)]) == i);  // no two share memory
  nodes.clear();
  CHECK(node_memory::blocks_held() == before);
}

TEST_CASE("node memory: nodes freed on other threads, in any order, give their blocks back", "[node_memory]") {
  const std::size_t before = node_memory::blocks_held();
  std::vector<ast::ExprPtr> nodes;
  std::vector<checked::ExprPtr> checked_nodes;
  std::thread([&] {
    for (int i = 0; i < 5000; ++i) {
      nodes.push_back(numbered(i));
      checked_nodes.push_back(std::make_unique<checked::Expr>(checked::TermRef{i}, Type::number(), SourceRange{}));
    }
  }).join();
  std::mt19937 rng(5);
  std::shuffle(nodes.begin(), nodes.end(), rng);
  std::shuffle(checked_nodes.begin(), checked_nodes.end(), rng);
  // Half freed here, half on two threads side by side.
  nodes.resize(2500);
  checked_nodes.resize(2500);
  std::thread a([&] { nodes.clear(); });
  std::thread b([&] { checked_nodes.clear(); });
  a.join();
  b.join();
  CHECK(node_memory::blocks_held() == before);
}

TEST_CASE("node memory: nodes made and freed by turns keep to the live nodes' blocks", "[node_memory]") {
  const std::size_t before = node_memory::blocks_held();
  std::size_t most = 0, held_at_end = 0;
  std::thread([&] {
    std::vector<ast::ExprPtr> live;
    std::mt19937 rng(7);
    for (int step = 0; step < 200000; ++step) {
      if (live.size() < 1000 && rng() % 5 < 3) {  // drifts up to 1 000 live, then stays near it
        live.push_back(numbered(step));
      } else if (!live.empty()) {
        std::swap(live[rng() % live.size()], live.back());
        live.pop_back();
      }
      most = std::max(most, node_memory::blocks_held() - before);
    }
    // All freed, the thread still cutting: only the block it cuts from is held, whatever the
    // order of the frees (some 220 blocks were cut in all).
    live.clear();
    held_at_end = node_memory::blocks_held() - before;
  }).join();
  CHECK(node_memory::blocks_held() == before);
  if (node_memory::in_blocks()) {
    CHECK(most >= blocks_for(1000, sizeof(ast::Expr)));  // 1 000 live at once took their blocks
    CHECK(held_at_end == 1);
  } else {
    CHECK(held_at_end == 0);
  }
}

// The blocks of a large tree are huge pages (node_memory.hpp): once a thread has left 64
// blocks of a kind in a row each at least half full of live nodes, its next block is 2 MiB.
// Counted from that statement and the layout above: a new thread keeping all its nodes takes 64
// small blocks, then blocks of (2 MiB - 16) / slot nodes.
TEST_CASE("node memory: a large tree's nodes take blocks of 2 MiB after 64 small ones", "[node_memory]") {
  const std::size_t before_blocks = node_memory::blocks_held(), before_bytes = node_memory::bytes_held();
  const std::size_t slot = 8 + (sizeof(ast::Expr) + 7) / 8 * 8;
  constexpr std::size_t small = 65536, huge = std::size_t{2} << 20;
  constexpr int kNodes = 100000;  // some 14 MB of nodes
  std::size_t model_blocks = 0, model_bytes = 0, room = 0;
  for (int i = 0; i < kNodes; ++i) {
    if (room == 0) {
      const std::size_t size = model_blocks >= 64 ? huge : small;
      ++model_blocks, model_bytes += size, room = (size - 16) / slot;
    }
    --room;
  }
  std::vector<ast::ExprPtr> nodes;
  std::size_t blocks_while = 0, bytes_while = 0;
  std::thread([&] {
    for (int i = 0; i < kNodes; ++i) nodes.push_back(numbered(i));
    blocks_while = node_memory::blocks_held() - before_blocks;
    bytes_while = node_memory::bytes_held();
  }).join();
  if (node_memory::in_blocks()) {
    CHECK(blocks_while == model_blocks);
    CHECK(bytes_while - before_bytes == model_bytes);
    CHECK(blocks_while < blocks_for(kNodes, sizeof(ast::Expr)) / 2);  // huge blocks were taken (some 220 small ones)
  } else {
    CHECK(blocks_while == 0);
  }
  for (int i = 0; i < kNodes; ++i) REQUIRE(number_of(*nodes[static_cast<std::size_t>(i)]) == i);
  nodes.clear();
  CHECK(node_memory::blocks_held() == before_blocks);
  CHECK(node_memory::bytes_held() == before_bytes);
}

// A boxed kind (a payment of a clause, a sum over participants) is cut from the syntax tree's
// blocks as its nodes are, and given back with them.
TEST_CASE("node memory: boxed payments are cut from the blocks and given back", "[node_memory]") {
  const std::size_t before = node_memory::blocks_held();
  std::vector<ast::Boxed<ast::PaymentDecl>> boxes;
  std::size_t while_held = 0;
  std::thread([&] {
    for (int i = 0; i < 500; ++i) {
      ast::PaymentDecl p;
      p.name = ast::Name{"p" + std::to_string(i), SourceRange{}};
      boxes.emplace_back(std::move(p));
    }
    while_held = node_memory::blocks_held() - before;
  }).join();
  if (node_memory::in_blocks())
    CHECK(while_held == blocks_for(500, sizeof(ast::PaymentDecl)));
  else
    CHECK(while_held == 0);
  for (int i = 0; i < 500; ++i) REQUIRE(boxes[static_cast<std::size_t>(i)]->name->text == "p" + std::to_string(i));
  boxes.clear();
  CHECK(node_memory::blocks_held() == before);
}

// A thread that makes small trees and frees each before the next (an override parsed per case,
// a REPL line) leaves its blocks mostly empty: it keeps to 64 KiB blocks however many nodes it
// cuts.
TEST_CASE("node memory: small trees made and freed one after another keep to small blocks", "[node_memory]") {
  const std::size_t before_bytes = node_memory::bytes_held();
  std::size_t most = 0;
  std::thread([&] {
    // 202 000 nodes, some 540 blocks' worth. A tree of 101 nodes (a prime) rarely ends where a
    // block does, so the block left holds a part of the tree being made, under half of it.
    for (int tree = 0; tree < 2000; ++tree) {
      std::vector<ast::ExprPtr> nodes;
      for (int i = 0; i < 101; ++i) nodes.push_back(numbered(i));
      most = std::max(most, node_memory::bytes_held() - before_bytes);
    }
  }).join();
  if (node_memory::in_blocks())
    CHECK(most <= 2 * 65536);  // the block cut from, and the last one left while its tree lived
  else
    CHECK(most == 0);
  CHECK(node_memory::bytes_held() == before_bytes);
}
