// Check, order of definitions: type each on demand in its own scope, and find the circles that
// no order of evaluation could break (E210, E215).
#include <array>
#include <stdexcept>

#include "interpreter/checker.hpp"

#include "stdlib/builtins.hpp"

namespace utfall::check_internal {

bool Checker::ensure(Node n, const SourceRange& via) {
  if (sources_.empty()) return true;  // a standalone expression: everything is typed already
  auto& state = state_[n];
  if (state == Typing::typed) return true;
  if (state == Typing::failed) {
    ++failed_references_;
    return false;
  }
  if (state == Typing::active) {
    auto on = std::find_if(typing_stack_.begin(), typing_stack_.end(), [&](const Frame& f) { return f.node == n; });
    report_cycle(static_cast<std::size_t>(on - typing_stack_.begin()), n, via);
    ++failed_references_;
    return false;
  }
  const DefSource& src = sources_.at(n);
  if (src.set < 0 && n.first == node_pdef) {  // its set is unknown (E204 was reported)
    state = Typing::failed;
    ++failed_references_;
    return false;
  }
  if (typing_stack_.size() >= 400) {
    error(DiagKind::limit, "E703", text("definitions depend on each other more than 400 deep"), src.expr->range);
    state = Typing::failed;
    return false;
  }
  state = Typing::active;
  typing_stack_.push_back({n, previous_depth_ > 0});
  // Type it in its own context (clause, binders, previous()), then restore the caller's.
  auto saved_current = current_;
  int saved_clause = clause_, saved_previous = previous_depth_, saved_absolute = absolute_depth_;
  bool saved_term = term_context_;
  auto saved_binders = std::move(binders_);
  binders_.clear();
  current_ = n;
  clause_ = src.clause;
  previous_depth_ = 0;
  absolute_depth_ = 0;
  term_context_ = n.first == node_term;
  if (n.first == node_pdef) {
    c_.participant_defs[n.second].binder = binder_count_;
    binders_.push_back({src.binder, src.set, binder_count_++});
  }
  std::size_t errors_before = diags_.size(), failed_before = failed_references_;
  const auto* whole = std::get_if<ast::NumberLit>(&src.expr->node);
  const bool unlimited = n.first == node_term && whole && whole->unlimited;
  auto r = unlimited ? unlimited_value(*src.expr) : expr(*src.expr);
  binders_ = std::move(saved_binders);
  current_ = saved_current;
  clause_ = saved_clause;
  previous_depth_ = saved_previous;
  absolute_depth_ = saved_absolute;
  term_context_ = saved_term;
  typing_stack_.pop_back();
  if (!r) {
    state_[n] = Typing::failed;
    // Every failure is reported where it is found: a definition fails silently only through
    // one that failed (or a cycle) already reported. Anything else is a bug in the checker.
    if (diags_.size() == errors_before && failed_references_ == failed_before)
      error(DiagKind::internal, "E903", text("internal error: `{}` could not be typed, and no reason was found (a bug in utfall)",
                                             node_names_[n]), src.expr->range);
    return false;
  }
  Type t = r->type;
  if (n.first == node_term) {
    c_.terms[n.second].type = t;
    c_.terms[n.second].value = std::move(r);
    c_.terms[n.second].unlimited = unlimited;
  } else if (n.first == node_def) {
    c_.defs[n.second].type = t;
    c_.defs[n.second].value = std::move(r);
  } else {
    c_.participant_defs[n.second].type = t;
    c_.participant_defs[n.second].value = std::move(r);
  }
  state_[n] = Typing::typed;
  check_assumed_types(n, t);
  return true;
}

void Checker::check_assumed_types(Node n, const Type& t) {
  auto [first, last] = assumed_types_.equal_range(n);
  for (auto it = first; it != last; ++it) {
    if (it->second.type == t) continue;
    int saved = std::exchange(clause_, it->second.clause);
    error(DiagKind::type, "E315", text("the fallback of previous is {}, but `{}` is {}", it->second.type.describe(),
                                       node_names_[n], t.describe()),
          it->second.fallback, text("previous(x, fallback) gives x in the period before, and the fallback in the first period: one type"));
    clause_ = saved;
  }
}

// A reference to a definition that is being typed closes a cycle: the stack from `from` on,
// and the reference `via` written in the innermost one (the clause being typed now). Through
// previous() the values may be well defined, but the type is not (E215: previous(d, fallback)
// with d alone takes the fallback's type and never comes here); otherwise the value needs
// itself in the same period (E210).
void Checker::report_cycle(std::size_t from, Node n, const SourceRange& via) {
  bool through_previous = previous_depth_ > 0;
  std::vector<std::string> names;
  for (std::size_t k = from; k < typing_stack_.size(); ++k) {
    names.push_back(node_names_[typing_stack_[k].node]);
    if (k > from) through_previous = through_previous || typing_stack_[k].through_previous;
  }
  names.push_back(node_names_[n]);
  bool fresh = false;
  for (std::size_t k = from; k < typing_stack_.size(); ++k) fresh = cycle_reported_.insert(typing_stack_[k].node).second || fresh;
  if (!fresh) return;
  const std::string path = fmt::format("{}", fmt::join(names, " -> "));
  if (through_previous)
    error(DiagKind::name, "E215",
          names.size() == 2 ? text("`{}` refers to itself inside previous(...), so its type cannot be found", names.front())
                            : text("the type of `{}` cannot be found: {}", names.front(), path),
          via,
          text("write previous({}, fallback) with the definition's name alone: its type is then the fallback's", names.back()));
  else
    error(DiagKind::name, "E210", text("`{}` depends on itself: {}", names.front(), path), via,
          text("a value may use its own earlier values only through previous(x, fallback)"));
}

namespace {

// The nodes numbered 0, 1, ... in the order of `node_names_` (then any node only referred to),
// so that the searches below index vectors where they would look up maps keyed by pairs; each
// node's edges are found once, not on every step of a search.
template <class List>
class DenseGraph {
 public:
  DenseGraph(const NodeMap<std::string>& names, const NodeMap<List>& edges) {
    names.each([&](Node n, const std::string&) { id(n); });
    named_ = nodes_.size();
    edges.each([&](Node from, const List& list) {
      id(from);
      for (const auto& e : list) id(target(e));
    });
    edges_.assign(nodes_.size(), nullptr);
    edges.each([&](Node from, const List& list) { edges_[at(from)] = &list; });
  }
  std::size_t size() const { return nodes_.size(); }
  std::size_t named() const { return named_; }  // the first `named()` are the roots
  Node node(int i) const { return nodes_[i]; }
  int at(Node n) const { return ids_[n.first][n.second]; }  // of a node seen when built
  const List& edges(int i) const { return edges_[i] ? *edges_[i] : none_; }
  static Node target(const std::pair<Node, const SourceRange*>& e) { return e.first; }
  template <class L>
  static Node target(const L& link) { return link.target; }

 private:
  int id(Node n) {
    if (n.first < 0 || n.first >= static_cast<int>(ids_.size()) || n.second < 0) throw std::logic_error("checker: a node of no kind");
    auto& ids = ids_[n.first];
    if (static_cast<std::size_t>(n.second) >= ids.size()) ids.resize(static_cast<std::size_t>(n.second) + 1, -1);
    int& slot = ids[n.second];
    if (slot < 0) {
      slot = static_cast<int>(nodes_.size());
      nodes_.push_back(n);
    }
    return slot;
  }
  std::array<std::vector<int>, node_waterfall + 1> ids_;  // per kind, by index
  std::vector<Node> nodes_;
  std::vector<const List*> edges_;
  std::size_t named_ = 0;
  List none_;
};

}  // namespace

// Depth-first search without recursion (a chain of 100 000 payments is 100 000 deep); the path
// from the root is `stack`, so a circle is reported with its names.
void Checker::find_cycles() {
  const DenseGraph graph(node_names_, deps_);
  std::vector<unsigned char> state(graph.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<bool> reported(graph.size(), false);
  std::vector<std::pair<int, const SourceRange*>> stack;
  struct Frame {
    int node;
    std::size_t next = 0;
  };
  std::vector<Frame> frames;  // empty again after each root; one buffer for all of them
  for (int root = 0; root < static_cast<int>(graph.named()); ++root) {
    if (state[root] != 0) continue;
    frames.push_back({root});
    state[root] = 1;
    while (!frames.empty()) {
      Frame& f = frames.back();
      const auto& edges = graph.edges(f.node);
      if (f.next == edges.size()) {
        state[f.node] = 2;
        frames.pop_back();
        if (!stack.empty()) stack.pop_back();
        continue;
      }
      const auto& [target, range] = edges[f.next++];
      const int m = graph.at(target);
      if (state[m] == 0) {
        stack.push_back({m, range});
        state[m] = 1;
        frames.push_back({m});
        continue;
      }
      if (state[m] != 1 || reported[m] || cycle_reported_.count(target)) continue;
      reported[m] = true;
      // The cycle is the part of the path from m on, closed by this reference.
      std::vector<std::string> names;
      auto it = std::find_if(stack.begin(), stack.end(), [&](const auto& s) { return s.first == m; });
      it = it == stack.end() ? stack.begin() : it + 1;
      for (auto k = it; k != stack.end(); ++k) names.push_back(node_names_[graph.node(k->first)]);
      names.push_back(node_names_[target]);
      Diagnostic d;
      d.kind = DiagKind::name;
      d.code = "E210";
      set_message(d, text("`{}` depends on itself: {}", node_names_[target],
                          fmt::format("{} -> {}", node_names_[target], fmt::join(names, " -> "))));
      d.range = *range;
      set_suggestion(d, text("a value may use its own earlier values only through previous(x, fallback)"));
      diags_.push_back(std::move(d));
    }
  }
  if (std::find(reported.begin(), reported.end(), true) == reported.end() && cycle_reported_.empty()) find_cycles_across_periods();
}

// Strongly connected components of all references (Tarjan's algorithm, without recursion); a
// reference by `@` or `sum(... over ...)` inside a component closes a circle through previous().
void Checker::find_cycles_across_periods() {
  const DenseGraph graph(node_names_, links_);
  const std::size_t n_nodes = graph.size();
  std::vector<int> index(n_nodes, -1), low(n_nodes, 0), component(n_nodes, -1);
  std::vector<bool> on_stack(n_nodes, false);
  std::vector<int> stack;
  int counter = 0, components = 0;
  struct Frame {
    int node;
    std::size_t next = 0;
  };
  std::vector<Frame> frames;  // empty again after each root; one buffer for all of them
  for (int root = 0; root < static_cast<int>(graph.named()); ++root) {
    if (index[root] >= 0) continue;
    frames.push_back({root});
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!frames.empty()) {
      Frame& f = frames.back();
      const auto& edges = graph.edges(f.node);
      if (f.next < edges.size()) {
        const int m = graph.at(edges[f.next++].target);
        if (index[m] < 0) {
          index[m] = low[m] = counter++;
          stack.push_back(m);
          on_stack[m] = true;
          frames.push_back({m});
        } else if (on_stack[m]) {
          low[f.node] = std::min(low[f.node], index[m]);
        }
        continue;
      }
      const int n = f.node;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().node] = std::min(low[frames.back().node], low[n]);
      if (low[n] != index[n]) continue;
      int m;
      do {
        m = stack.back();
        stack.pop_back();
        on_stack[m] = false;
        component[m] = components;
      } while (m != n);
      ++components;
    }
  }
  auto component_of = [&](Node n) { return component[graph.at(n)]; };
  // A definition on a circle through previous() uses its own earlier values (the evaluator
  // remembers each participant's: checked::ParticipantDef::looks_back).
  links_.each([&](Node from, const Links& links) {
    for (const auto& l : links) {
      if (component_of(from) != component_of(l.target)) continue;
      if (from.first == node_def) c_.defs[from.second].looks_back = true;
      if (from.first == node_pdef) c_.participant_defs[from.second].looks_back = true;
    }
  });
  std::set<int> reported;
  links_.each([&](Node from, const Links& links) {
    for (const auto& l : links) {
      if (!l.absolute || component_of(from) != component_of(l.target) || !reported.insert(component_of(from)).second) continue;
      Diagnostic d;
      d.kind = DiagKind::name;
      d.code = "E210";
      set_message(d, text("`{}` may depend on itself: it uses `{}` in a named period (`@` or `sum(... over ...)`), and `{}` "
                          "depends on `{}`, at most through previous()",
                          node_names_[from], node_names_[l.target], node_names_[l.target], node_names_[from]));
      d.range = *l.range;
      set_suggestion(d, text("previous(x, fallback) only looks back if nothing in the circle names a period with `@` or `over`"));
      diags_.push_back(std::move(d));
    }
  });
}

}  // namespace utfall::check_internal
