// Participants as lanes (fast_participants.hpp), in four steps for each loop:
//   columns  the fields the loop reads, in fixed point, one column per field (once per Dataset;
//            a set's fields in one pass over its records);
//   lower    the filter and the amount -> nodes of a Program (fast_code.hpp) whose inputs are
//            the columns, with the values that do not depend on the record as constants;
//   count    the steps and the work the general evaluator takes on one record, per guard: the
//            condition under which a part is evaluated at all (the side of an `if`, the right
//            side of `and`/`or`, the amount where the filter holds);
//   run      the plan over the records, 256 lanes at a time; then the sum over the records the
//            filter chose, and, per guard, how many records it held for.
#include "interpreter/fast_participants.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <tuple>

#include "interpreter/fast_code.hpp"
#include "interpreter/huge_pages.hpp"
#include "stdlib/builtins.hpp"

namespace utfall::fast {
using namespace code;

namespace {

constexpr std::size_t kMaxVisits = 1u << 16;  // expression nodes counted per loop (the work of `count`)
constexpr std::size_t kMaxDepth = 200;        // levels of one record's evaluation that the lanes take

struct Unsupported {};

std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

// A field of a participant input in fixed point: digits * 10^-scale per record (a truth value
// 0 or 1, a period its index in the calendar). Not usable when some record's value is not a
// decimal of at most 18 places that fits int64 at the column's scale.
struct Column {
  std::vector<i64> digits;
  int scale = 0;
  bool usable = false;
};

// Fields of one participant input read together, at most this many: one pass over the records
// reads them all (the records lie one after another, every field of a record in one place, so a
// pass per field read the whole set again for each), and a field read with others the loop does
// not use costs one column of memory.
constexpr std::size_t kFieldsReadTogether = 8;

// Reads `fields` of participant input `set` into `out` (one column each), in one pass over the
// records, and a second over a column of decimals of more than one scale, to bring each to the
// largest. A column is usable when every record's value is a decimal of at most 18 places (its
// cell: records.hpp), a truth value or a period of the calendar, and fits int64 at the column's
// scale.
void read_participant_columns(const checked::Contract& c, const Dataset& d, int set, const std::vector<int>& fields,
                              const std::vector<Column*>& out) {
  const auto& records = d.participants[static_cast<std::size_t>(set)];
  const std::size_t n = records.size(), k = fields.size();
  const auto periods = static_cast<int>(c.periods.size());
  // What is written per record goes through plain pointers, kept here (no store of a record's
  // value can change them, so they stay in registers).
  struct Reading {
    i64* digits;
    std::size_t field;
    int scale = 0, least = ParticipantRecords::kMaxPlaces;  // the most and the fewest places seen
    bool ok = true;
  };
  std::vector<Reading> reading;
  for (std::size_t i = 0; i < k; ++i) {
    out[i]->usable = false, out[i]->scale = 0;
    if (out[i]->digits.capacity() < n) out[i]->digits.clear();  // not copied as it grows
    reserve_offering_huge_pages(out[i]->digits, n, Growth::exact);  // a million records: 8 MB
    out[i]->digits.resize(n);
    reading.push_back({out[i]->digits.data(), static_cast<std::size_t>(fields[i])});
  }
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t width = records.width(r);
    for (auto& x : reading) {
      if (!x.ok) continue;
      if (x.field >= width) {
        x.ok = false;
        continue;
      }
      const auto cell = records.cell(r, x.field);
      if (cell.is_decimal()) {  // a number kept whole is no decimal of int64 digits
        x.ok = cell.word != kPoison;
        x.digits[r] = cell.word;
        x.scale = std::max(x.scale, static_cast<int>(cell.tag));
        x.least = std::min(x.least, static_cast<int>(cell.tag));
      } else if (cell.tag == ParticipantRecords::kBool) {
        x.digits[r] = cell.word, x.least = 0;
      } else if (cell.tag == ParticipantRecords::kPeriod) {
        x.ok = cell.word >= 0 && cell.word < periods;  // moved periods stay far from int64's ends
        x.digits[r] = cell.word, x.least = 0;
      } else {
        x.ok = false;
      }
    }
  }
  for (std::size_t i = 0; i < k; ++i) {
    auto& x = reading[i];
    // Every record at the column's scale: nothing to do when all have as many places.
    for (std::size_t r = 0; x.ok && x.least < x.scale && r < n; ++r) {
      const auto cell = records.cell(r, x.field);
      const auto up = static_cast<std::size_t>(x.scale - (cell.is_decimal() ? cell.tag : 0));
      if (up > 0 && (__builtin_mul_overflow(x.digits[r], kPow10[up], &x.digits[r]) || x.digits[r] == kPoison)) x.ok = false;
    }
    out[i]->scale = x.scale;
    out[i]->usable = x.ok;
  }
}

// The steps and the work (EvalLimits) of one record's evaluation under one guard.
struct Cost {
  std::uint64_t steps = 0, work = 0;
};

// The charge of one operation on two values of one word each (Evaluator::charge: (1 + 1)^2):
// every value on the lanes fits one word.
constexpr std::uint64_t kCharge = 4;

class LoopLowerer {
 public:
  LoopLowerer(const checked::Contract& c, const Dataset& d, const RecordLoop& loop, const LoopContext& context,
              std::vector<std::vector<Column>>& columns, std::vector<std::vector<char>>& read)
      : c_(c), d_(d), loop_(loop), x_(context), columns_(columns), read_(read) {
    binders_.push_back(loop.binder);
  }

  Program program;
  int filter = -1, amount = -1;  // nodes; -1: none
  std::map<int, Cost> costs;     // per guard node (-1: every record)
  struct Input {
    int node, set, field;
  };
  std::vector<Input> inputs;  // each field read, once
  std::size_t depth = 0;
  struct FirstTerm {
    int term;
    checked::Value value;
    std::vector<int> guards;  // where it is first reached
  };
  std::vector<FirstTerm> first_terms;

  void run() {
    const int all = -1;
    if (loop_.filter) filter = node_of(*loop_.filter), count(*loop_.filter, all, 1);
    const int chosen = filter;  // the amount's guard: the records the filter chose (-1: all)
    if (loop_.amount) {
      amount = node_of(*loop_.amount);
      count(*loop_.amount, chosen, 1);
      if (loop_.rounding) {
        const auto& r = *loop_.rounding;
        amount = add({N::round, r.mode, amount, node_of(*r.step)});
        count(*r.step, chosen, 2);
        costs[chosen].work += kCharge;
      }
      if (loop_.charged_sum) costs[chosen].work += kCharge;
    }
    program.live.assign(program.nodes.size(), 1);
  }

 private:
  // Reads `field` of participant input `set`, with the set's other fields of the kinds the lanes
  // take that are not read yet, kFieldsReadTogether at most, in one pass
  // (read_participant_columns).
  void read_with_others(std::size_t set, std::size_t field) {
    std::vector<int> fields{static_cast<int>(field)};
    if (set < c_.inputs.size()) {
      const auto& declared = c_.inputs[set].fields;
      for (std::size_t g = 0; g < declared.size() && fields.size() < kFieldsReadTogether; ++g) {
        const auto kind = declared[g].type.kind;
        if (g == field || (g < read_[set].size() && read_[set][g])) continue;
        if (kind == TypeKind::number || kind == TypeKind::boolean || kind == TypeKind::period) fields.push_back(static_cast<int>(g));
      }
    }
    const auto widest = static_cast<std::size_t>(*std::max_element(fields.begin(), fields.end())) + 1;
    if (columns_[set].size() < widest) columns_[set].resize(widest), read_[set].resize(widest, 0);
    std::vector<Column*> out;
    for (int f : fields) out.push_back(&columns_[set][static_cast<std::size_t>(f)]);
    read_participant_columns(c_, d_, static_cast<int>(set), fields, out);
    for (int f : fields) read_[set][static_cast<std::size_t>(f)] = 1;
  }

  const checked::Contract& c_;
  const Dataset& d_;
  const RecordLoop& loop_;
  const LoopContext& x_;
  std::vector<std::vector<Column>>& columns_;
  std::vector<std::vector<char>>& read_;
  std::vector<int> binders_;  // the slots bound to the record: the loop's, and those of the definitions read
  std::map<const checked::Expr*, int> memo_;
  std::map<std::tuple<int, int, bool>, int> guards_;  // (guard, condition, negated) -> node
  std::map<std::pair<int, int>, int> fields_;         // (set, field) -> input node
  std::size_t visits_ = 0;

  int add(Node n) {
    program.nodes.push_back(n);
    return static_cast<int>(program.nodes.size()) - 1;
  }
  int konst(i64 digits, int places) { return add({N::konst, {}, places, -1, -1, digits}); }
  int konst(const checked::Value& v) {
    if (const auto* b = std::get_if<bool>(&v)) return konst(*b ? 1 : 0, 0);
    if (const auto* p = std::get_if<checked::PeriodValue>(&v)) return konst(p->index, 0);
    const auto* n = std::get_if<Number>(&v);
    if (!n) throw Unsupported{};
    auto d = n->to_decimal64();
    if (!d || d->places > kMaxScale || d->digits == kPoison) throw Unsupported{};
    return konst(d->digits, d->places);
  }
  bool bound_here(int binder) const { return std::find(binders_.begin(), binders_.end(), binder) != binders_.end(); }

  // The value of a term that does not depend on the record: given to the evaluation, already
  // computed, or a constant that the loop computes on first use (`first` is then set).
  checked::Value term_value(int i, bool& first) {
    first = false;
    if (term_unlimited(c_, *x_.options, i)) throw Unsupported{};  // E322 where it is read
    if (auto it = x_.options->term_overrides.find(i); it != x_.options->term_overrides.end()) return it->second;
    if (const auto& memo = (*x_.terms)[static_cast<std::size_t>(i)]) return *memo;
    const auto* k = std::get_if<checked::Const>(&c_.terms[static_cast<std::size_t>(i)].value->node);
    if (!k) throw Unsupported{};
    first = true;
    return k->value;
  }

  // ---- the value of each expression, as a node (one per expression: every record is bound to
  // the same slots, and the period is the loop's)

  int node_of(const checked::Expr& e) {
    if (auto it = memo_.find(&e); it != memo_.end()) return it->second;
    int n = std::visit([&](const auto& x) -> int { return node(x, e); }, e.node);
    memo_.emplace(&e, n);
    return n;
  }
  int node(const checked::Const& n, const checked::Expr&) { return konst(n.value); }
  int node(const checked::TermRef& n, const checked::Expr&) {
    bool first;
    return konst(term_value(n.term, first));
  }
  int node(const checked::DefRef& n, const checked::Expr&) {
    const auto cell = static_cast<std::size_t>(n.def) * c_.periods.size() + static_cast<std::size_t>(loop_.period);
    const auto& memo = (*x_.defs)[cell];
    if (!memo) throw Unsupported{};  // computed where first read: the general evaluator's order
    return konst(*memo);
  }
  int node(const checked::InputRef& n, const checked::Expr& e) {
    const auto& in = c_.inputs[static_cast<std::size_t>(n.input)];
    if (in.participants || e.type.kind != TypeKind::number) throw Unsupported{};
    const int t = loop_.period;
    const auto i = static_cast<std::size_t>(n.input);
    if (t < in.first || t > in.last || i >= d_.series.size() || static_cast<std::size_t>(t) >= d_.series[i].size() ||
        !d_.series[i][static_cast<std::size_t>(t)])
      return add({N::poison});  // E531 for a record that reads it
    return konst(*d_.series[i][static_cast<std::size_t>(t)]);
  }
  int node(const checked::CurrentPeriod&, const checked::Expr&) { return konst(loop_.period, 0); }
  int node(const checked::FieldRef& n, const checked::Expr& e) {
    if (n.linked >= 0 || !bound_here(n.binder)) throw Unsupported{};
    const auto kind = e.type.kind;
    if (kind != TypeKind::number && kind != TypeKind::boolean && kind != TypeKind::period) throw Unsupported{};
    auto [it, fresh] = fields_.try_emplace({n.set, n.field}, -1);
    if (!fresh) return it->second;
    const auto set = static_cast<std::size_t>(n.set), field = static_cast<std::size_t>(n.field);
    if (set >= d_.participants.size()) throw Unsupported{};
    if (columns_.size() <= set) columns_.resize(set + 1), read_.resize(set + 1);
    if (columns_[set].size() <= field) columns_[set].resize(field + 1), read_[set].resize(field + 1, 0);
    if (!read_[set][field]) read_with_others(set, field);
    Column& column = columns_[set][field];
    if (!column.usable || d_.participants[set].size() != d_.participants[static_cast<std::size_t>(loop_.set)].size())
      throw Unsupported{};
    const int cell = static_cast<int>(program.columns.size());
    program.columns.push_back(cell);
    program.column_count = cell + 1;
    it->second = add({N::input, {}, -1, -1, -1, cell});
    inputs.push_back({it->second, n.set, n.field});
    return it->second;
  }
  int node(const checked::ParticipantDefRef& n, const checked::Expr&) {
    const auto& def = c_.participant_defs[static_cast<std::size_t>(n.def)];
    if (n.link_field >= 0 || def.looks_back || !bound_here(n.binder)) throw Unsupported{};
    binders_.push_back(def.binder);
    return node_of(*def.value);
  }
  int node(const checked::Unary& n, const checked::Expr&) {
    int a = node_of(*n.operand);
    return add({n.op == checked::Op::negate ? N::neg : N::lnot, {}, a});
  }
  int node(const checked::Binary& n, const checked::Expr&) {
    using checked::Op;
    const auto lk = n.lhs->type.kind;
    if (lk != TypeKind::number && lk != TypeKind::boolean && lk != TypeKind::period) throw Unsupported{};
    if (n.op == Op::period_add) {
      // A period of the calendar (a datum or `period`) moved by a whole number of at most
      // 100 000 periods: E605 cannot happen, and the index stays far from int64's ends.
      const auto* k = std::get_if<checked::Const>(&n.rhs->node);
      const auto* by = k ? std::get_if<Number>(&k->value) : nullptr;
      auto i = by ? by->to_int64() : std::nullopt;
      const bool in_calendar = std::holds_alternative<checked::FieldRef>(n.lhs->node) ||
                               std::holds_alternative<checked::CurrentPeriod>(n.lhs->node);
      if (!i || *i > 100000 || *i < -100000 || !in_calendar) throw Unsupported{};
      return add({N::add, {}, node_of(*n.lhs), konst(*i, 0)});
    }
    auto kind = binary_node(n.op);
    if (!kind) throw Unsupported{};  // date - date
    int a = node_of(*n.lhs), b = node_of(*n.rhs);
    return add({*kind, {}, a, b});
  }
  int node(const checked::If& n, const checked::Expr&) {
    int a = node_of(*n.condition), b = node_of(*n.then_branch), c = node_of(*n.else_branch);
    return add({N::branch, {}, a, b, c});
  }
  int node(const checked::Builtin& n, const checked::Expr&) {
    std::string_view name = stdlib::builtins()[static_cast<std::size_t>(n.id)].name;
    std::vector<int> args;
    for (const auto& a : n.args) args.push_back(node_of(*a));
    if (name == "abs" && args.size() == 1) return add({N::abs, {}, args[0]});
    if (name == "clamp" && args.size() == 3) return add({N::clamp, {}, args[0], args[1], args[2]});
    if ((name == "min" || name == "max") && !args.empty()) {
      int best = args[0];
      for (std::size_t i = 1; i < args.size(); ++i) best = add({name == "min" ? N::min : N::max, {}, best, args[i]});
      return best;
    }
    throw Unsupported{};
  }
  int node(const checked::Round& n, const checked::Expr&) {
    int a = node_of(*n.operand), b = node_of(*n.step);
    return add({N::round, n.mode, a, b});
  }
  // What the lanes do not hold: payments, waterfalls, other periods, tables, dates, and sums
  // within the loop. (Overloads, not a template: clang does not instantiate a member template
  // first named in a generic lambda above its definition.)
  int node(const checked::PaymentRef&, const checked::Expr&) { throw Unsupported{}; }
  int node(const checked::WaterfallRef&, const checked::Expr&) { throw Unsupported{}; }
  int node(const checked::ToDate&, const checked::Expr&) { throw Unsupported{}; }
  int node(const checked::Previous&, const checked::Expr&) { throw Unsupported{}; }
  int node(const checked::At&, const checked::Expr&) { throw Unsupported{}; }
  int node(const checked::OverPeriods&, const checked::Expr&) { throw Unsupported{}; }
  int node(const checked::OverParticipants&, const checked::Expr&) { throw Unsupported{}; }
  int node(const checked::TableLookup&, const checked::Expr&) { throw Unsupported{}; }
  int node(const checked::CalendarDate&, const checked::Expr&) { throw Unsupported{}; }
  int node(const checked::DateShift&, const checked::Expr&) { throw Unsupported{}; }

  // ---- what the general evaluator counts (Evaluator::eval), per guard

  // The guard of a part evaluated where `guard` holds and `condition` is true (or false).
  int guard_and(int guard, int condition, bool negated) {
    auto [it, fresh] = guards_.try_emplace({guard, condition, negated}, -1);
    if (!fresh) return it->second;
    int g = negated ? add({N::lnot, {}, condition}) : condition;
    if (guard >= 0) g = add({N::land, {}, guard, g});
    it->second = g;
    return g;
  }

  void count(const checked::Expr& e, int guard, std::size_t level) {
    if (++visits_ > kMaxVisits || level > kMaxDepth) throw Unsupported{};
    depth = std::max(depth, level);
    Cost& cost = costs[guard];
    cost.steps += 1;
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, checked::Binary>) {
            using checked::Op;
            count(*n.lhs, guard, level + 1);
            if (n.op == Op::logical_and || n.op == Op::logical_or) {
              count(*n.rhs, guard_and(guard, node_of(*n.lhs), n.op == Op::logical_or), level + 1);
            } else {
              count(*n.rhs, guard, level + 1);
              if (n.lhs->type.kind == TypeKind::number) costs[guard].work += kCharge;
            }
          } else if constexpr (std::is_same_v<T, checked::If>) {
            count(*n.condition, guard, level + 1);
            const int c = node_of(*n.condition);
            count(*n.then_branch, guard_and(guard, c, false), level + 1);
            count(*n.else_branch, guard_and(guard, c, true), level + 1);
          } else if constexpr (std::is_same_v<T, checked::Unary>) {
            count(*n.operand, guard, level + 1);
          } else if constexpr (std::is_same_v<T, checked::Builtin>) {
            for (const auto& a : n.args) count(*a, guard, level + 1);
            if (n.args.size() > 1) costs[guard].work += kCharge * (n.args.size() - 1);
          } else if constexpr (std::is_same_v<T, checked::Round>) {
            count(*n.operand, guard, level + 1);
            count(*n.step, guard, level + 1);
            costs[guard].work += kCharge;
          } else if constexpr (std::is_same_v<T, checked::ParticipantDefRef>) {
            count(*c_.participant_defs[static_cast<std::size_t>(n.def)].value, guard, level + 1);
          } else if constexpr (std::is_same_v<T, checked::TermRef>) {
            bool first;
            checked::Value v = term_value(n.term, first);
            if (!first) return;
            depth = std::max(depth, level + 1);  // the term's own value, one level deeper
            auto it = std::find_if(first_terms.begin(), first_terms.end(), [&](const FirstTerm& f) { return f.term == n.term; });
            if (it == first_terms.end()) it = first_terms.insert(first_terms.end(), {n.term, std::move(v), {}});
            it->guards.push_back(guard);
          }
        },
        e.node);
  }
};

}  // namespace

struct ParticipantLanes::State {
  std::vector<std::vector<Column>> columns;  // [set][field]
  std::vector<std::vector<char>> read;       // [set][field]: read from this evaluation's data
  std::vector<i64> regs;
  Plan plan;
  // The loops (amount, filter, set, period) the lanes gave back in this evaluation: asked again
  // (a sum nested in a loop the lanes do not take is asked once per outer record), they are
  // given back at once, where lowering them again would fail again, at the cost of a thrown
  // exception each time. A loop given back only runs on the general evaluator, which is always
  // right, so remembering one never changes a result, only how fast it comes.
  std::set<std::tuple<const void*, const void*, int, int>> declined;
  std::uint64_t lowered = 0;  // loops lowered in this evaluation (ParticipantLanes::lowered)
};

ParticipantLanes::ParticipantLanes() : state_(std::make_unique<State>()) {}
ParticipantLanes::~ParticipantLanes() = default;
ParticipantLanes::ParticipantLanes(ParticipantLanes&&) noexcept = default;
ParticipantLanes& ParticipantLanes::operator=(ParticipantLanes&&) noexcept = default;

void ParticipantLanes::reset() {
  for (auto& set : state_->read) std::fill(set.begin(), set.end(), 0);
  state_->declined.clear();
  state_->lowered = 0;
}

std::uint64_t ParticipantLanes::lowered() const { return state_->lowered; }

std::optional<LoopResult> ParticipantLanes::run(const checked::Contract& contract, const Dataset& data, const RecordLoop& loop,
                                                const LoopContext& context) {
  State& s = *state_;
  const auto key = std::make_tuple(static_cast<const void*>(loop.amount), static_cast<const void*>(loop.filter), loop.set, loop.period);
  if (s.declined.count(key)) return std::nullopt;
  auto out = run_once(contract, data, loop, context);
  if (!out) s.declined.insert(key);
  return out;
}

std::optional<LoopResult> ParticipantLanes::run_once(const checked::Contract& contract, const Dataset& data, const RecordLoop& loop,
                                                     const LoopContext& context) {
  State& s = *state_;
  const auto& limits = context.options->limits;
  if (loop.period < 0 || loop.set < 0 || static_cast<std::size_t>(loop.set) >= data.participants.size()) return std::nullopt;
  const std::size_t n = data.participants[static_cast<std::size_t>(loop.set)].size();
  if (n == 0 || limits.max_digits < 20) return std::nullopt;  // every int64 has at most 20 digits
  LoopLowerer lower(contract, data, loop, context, s.columns, s.read);
  ++s.lowered;
  try {
    lower.run();
  } catch (const Unsupported&) {
    return std::nullopt;
  }
  if (lower.depth + 2 > context.depth_room) return std::nullopt;  // E703: the general evaluator says where
  Program& p = lower.program;
  // The columns read (their vectors no longer grow).
  std::vector<std::pair<int, const Column*>> inputs;
  s.plan.key.clear();
  for (const auto& in : lower.inputs) {
    const Column* column = &s.columns[static_cast<std::size_t>(in.set)][static_cast<std::size_t>(in.field)];
    inputs.emplace_back(in.node, column);
    s.plan.key.push_back(static_cast<std::int8_t>(column->scale));
  }
  make_plan(p, s.plan);
  if (!s.plan.ok) return std::nullopt;

  // The records, kMaxLanes at a time.
  const std::size_t L = std::min(n, kMaxLanes);
  s.regs.assign(static_cast<std::size_t>(s.plan.registers) * L, 0);
  i64* regs = s.regs.data();
  exec(s.plan.consts, regs, L);
  std::vector<int> guards;
  for (const auto& [g, cost] : lower.costs)
    if (g >= 0) guards.push_back(g);
  std::vector<std::uint64_t> held(guards.size(), 0);  // records each guard held for
  i64 sum = 0;
  std::size_t matched = 0;
  const auto lanes = [&](int node) { return regs + static_cast<std::size_t>(node) * L; };
  for (std::size_t start = 0; start < n; start += L) {
    const std::size_t m = std::min(L, n - start);
    for (const auto& [node, column] : inputs) std::copy_n(column->digits.data() + start, m, lanes(node));
    exec(s.plan.code, regs, L);
    for (std::size_t k = 0; k < guards.size(); ++k) {
      // Counted in a local: held[k] may alias the lanes (a uint64 and an int64), so a count kept
      // there is stored and loaded again for every lane, a chain of store and load.
      const i64* g = lanes(guards[k]);
      std::uint64_t count = 0, poisoned = 0;
      for (std::size_t l = 0; l < m; ++l) {
        poisoned |= g[l] == kPoison;
        count += g[l] != 0;
      }
      if (poisoned) return std::nullopt;
      held[k] += count;
    }
    const i64* f = lower.filter >= 0 ? lanes(lower.filter) : nullptr;
    const i64* a = lower.amount >= 0 ? lanes(lower.amount) : nullptr;
    // Summed record by record, as the general evaluator does: every partial sum must fit one
    // word. Without a branch per record (whether the filter chose it is as good as random): a
    // record not chosen adds 0, and any failure is kept to the end of the block; the sum is then
    // not used.
    std::uint64_t failed = 0, chosen = 0;
    for (std::size_t l = 0; l < m; ++l) {
      const i64 in = f ? f[l] : 1;
      failed |= in == kPoison;
      chosen += in != 0;
    }
    if (a)
      for (std::size_t l = 0; l < m; ++l) {
        const i64 v = f ? a[l] & -static_cast<i64>(f[l] != 0) : a[l];  // 0 for a record not chosen, by a mask
        failed |= v == kPoison;
        failed |= __builtin_add_overflow(sum, v, &sum);
        failed |= sum == kPoison;
      }
    if (failed) return std::nullopt;
    matched += chosen;
  }

  LoopResult out;
  out.records = n;
  auto held_by = [&](int g) -> std::uint64_t {
    if (g < 0) return n;
    return held[static_cast<std::size_t>(std::find(guards.begin(), guards.end(), g) - guards.begin())];
  };
  for (const auto& [g, cost] : lower.costs) {
    out.steps = sat_add(out.steps, sat_mul(held_by(g), cost.steps));
    out.work = sat_add(out.work, sat_mul(held_by(g), cost.work));
  }
  for (auto& first : lower.first_terms) {
    bool reached = false;
    for (int g : first.guards) reached = reached || held_by(g) > 0;
    if (!reached) continue;
    out.steps = sat_add(out.steps, 1);  // the term's constant, evaluated once
    out.terms_computed.emplace_back(first.term, std::move(first.value));
  }
  if (lower.amount < 0) {
    out.sum = Number::from_int(static_cast<std::int64_t>(matched));
  } else {
    out.sum = Number::decimal(sum, s.plan.scale[static_cast<std::size_t>(lower.amount)]);
  }
  return out;
}

}  // namespace utfall::fast
