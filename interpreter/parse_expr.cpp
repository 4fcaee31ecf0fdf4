// The expression reader (parse_expr.hpp). Each function below reads what the grammar rule of
// the same name reads (grammar/grammar.hpp), or returns null to decline the whole expression;
// none throws but for memory. A loop that tries an operator keeps its place before the blanks
// and goes back to it when no operator follows, as the grammar's `star<ws, ...>` does.
#include "interpreter/parse_expr.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "interpreter/number.hpp"

namespace utfall::expression_reader {
namespace {

namespace g = grammar;

constexpr bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ascii_digit(char c) { return c >= '0' && c <= '9'; }
// What continues a name among ASCII characters (the grammar's `ident_part`).
bool name_part(char c) { return ascii_letter(c) || ascii_digit(c); }
bool beyond_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }
constexpr bool ascii_word_in_both(g::Keyword k) {
  for (auto language : {g::Language::english, g::Language::swedish}) {
    if (g::spelling(k, language).empty()) return false;
    for (char c : g::spelling(k, language))
      if (!ascii_letter(c)) return false;
  }
  return true;
}
static_assert(ascii_word_in_both(g::Keyword::and_) && ascii_word_in_both(g::Keyword::or_) && ascii_word_in_both(g::Keyword::per_),
              "keyword_here compares a keyword of ASCII letters with the letters here");

class Reader {
 public:
  Reader(const SourcePtr& source, const Position& at, g::Language language, const Limits& limits)
      : source_(source.get()), text_(source->text), at_(at), language_(language), limits_(limits) {}

  Outcome run() {
    Outcome out;
    auto e = expr();
    if (!e) {
      out.looked_to = std::max<std::size_t>(furthest_, at_.offset);
      return out;
    }
    out.read = Read{std::move(e), std::move(names_), at_};
    return out;
  }

 private:
  const Source* source_;  // the caller keeps it
  std::string_view text_;
  Position at_;  // the place reached: byte offset, line, byte column (as PEGTL's eager tracking)
  g::Language language_;
  Limits limits_;
  std::size_t level_ = 0;
  std::size_t furthest_ = 0;
  Read::Names names_;  // into the tree being read

  char peek(std::size_t ahead = 0) const {
    const std::size_t i = at_.offset + ahead;
    return i < text_.size() ? text_[i] : '\0';
  }
  bool at_end() const { return at_.offset >= text_.size(); }
  void bump(std::size_t count = 1) {
    for (std::size_t k = 0; k < count; ++k) {
      if (text_[at_.offset] == '\n') {
        ++at_.line;
        at_.column = 1;
      } else {
        ++at_.column;
      }
      ++at_.offset;
    }
  }
  std::nullptr_t decline() {
    furthest_ = std::max<std::size_t>(furthest_, at_.offset);
    return nullptr;
  }
  SourceRange range_from(const Position& begin) const { return SourceRange{source_, begin, at_.offset}; }

  // Spaces, line ends and `#` comments (the grammar's `ws`).
  void ws() {
    while (!at_end()) {
      const char c = text_[at_.offset];
      if (c == ' ' || c == '\r' || c == '\t' || c == '\v' || c == '\f') {
        ++at_.offset, ++at_.column;
      } else if (c == '\n') {
        ++at_.offset, ++at_.line, at_.column = 1;
      } else if (c == '#') {
        while (!at_end() && peek() != '\n') bump();
        if (!at_end()) bump();
      } else {
        break;
      }
    }
  }
  void blanks() {
    while (peek() == ' ' || peek() == '\t') bump();
  }
  void spaces() {  // PEGTL's `space`, the padding of a call's commas: no comments
    for (char c = peek(); c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; c = peek()) bump();
  }

  // The run of ASCII name characters here.
  std::string_view ascii_run() const {
    std::size_t end = at_.offset;
    while (end < text_.size() && name_part(text_[end])) ++end;
    return text_.substr(at_.offset, end - at_.offset);
  }
  // The same, or nullopt where a character beyond ASCII would continue it (the grammar reads
  // such names; the reader leaves them to it).
  std::optional<std::string_view> word() const {
    const auto run = ascii_run();
    if (beyond_ascii(peek(run.size()))) return std::nullopt;
    return run;
  }
  bool is(std::string_view w, g::Keyword k) const { return w == g::spelling(k, language_); }
  // Whether keyword `k` stands here as a whole word (the grammar's `kw`): true, and read; false;
  // or nullopt to decline, where its letters are followed by a character beyond ASCII (a letter
  // would go on with the word, a stray would not). `k` is spelled in ASCII letters in both sets,
  // so its letters followed by another letter or a digit are a longer word, and other letters
  // cannot be it, whatever follows. Only the keyword's letters are compared, not the whole word
  // here: after each operand `or` and `and` are looked for in turn, and the word that follows is
  // mostly neither.
  std::optional<bool> keyword_here(g::Keyword k) {
    const std::string_view spelled = g::spelling(k, language_);
    if (peek() != spelled.front() || text_.substr(at_.offset, spelled.size()) != spelled) return false;
    const char next = peek(spelled.size());
    if (name_part(next)) return false;  // a longer word
    if (beyond_ascii(next)) return std::nullopt;
    bump(spelled.size());
    return true;
  }

  // A node as `Builder::push` makes it, declined where the parser's height limit would stop it.
  template <typename Node>
  ast::ExprPtr make(Node node, SourceRange range, std::initializer_list<const ast::Expr*> children) {
    int height = 1;
    for (const auto* c : children)
      if (c) height = std::max(height, c->height + 1);
    if (height > limits_.max_height) return decline();
    auto e = std::make_unique<ast::Expr>(std::move(node), std::move(range));
    e->height = height;
    return e;
  }
  ast::ExprPtr binary(ast::BinaryOp op, ast::ExprPtr lhs, ast::ExprPtr rhs) {
    SourceRange r{source_, lhs->range.begin, rhs->range.end_offset};
    const ast::Expr *l = lhs.get(), *rr = rhs.get();
    return make(ast::Binary{op, std::move(lhs), std::move(rhs)}, std::move(r), {l, rr});
  }

  // expr: and_expr (ws `or` ws and_expr)*
  ast::ExprPtr expr() { return logical(g::Keyword::or_, ast::BinaryOp::logical_or, &Reader::and_expr); }
  // and_expr: not_expr (ws `and` ws not_expr)*; `not` is left to the grammar.
  ast::ExprPtr and_expr() { return logical(g::Keyword::and_, ast::BinaryOp::logical_and, &Reader::cmp_expr); }
  ast::ExprPtr logical(g::Keyword keyword, ast::BinaryOp op, ast::ExprPtr (Reader::*operand)()) {
    auto lhs = (this->*operand)();
    while (lhs) {
      const Position before = at_;
      ws();
      const auto found = keyword_here(keyword);
      if (!found) return decline();
      if (!*found) {
        at_ = before;
        break;
      }
      ws();
      auto rhs = (this->*operand)();
      if (!rhs) return nullptr;
      lhs = binary(op, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }
  // cmp_expr: add_expr (ws op add_expr)?, one comparison at most (`not` is declined as a name)
  ast::ExprPtr cmp_expr() {
    auto lhs = add_expr();
    if (!lhs) return nullptr;
    const Position before = at_;
    ws();
    const char c = peek(), d = peek(1);
    ast::BinaryOp op{};
    std::size_t length = 1;
    if (c == '<' && d == '=') op = ast::BinaryOp::less_equal, length = 2;
    else if (c == '>' && d == '=') op = ast::BinaryOp::greater_equal, length = 2;
    else if (c == '!' && d == '=') op = ast::BinaryOp::not_equal, length = 2;
    else if (c == '<') op = ast::BinaryOp::less;
    else if (c == '>') op = ast::BinaryOp::greater;
    else if (c == '=' && d != '=') op = ast::BinaryOp::equal;
    else {
      at_ = before;
      return lhs;
    }
    bump(length);
    ws();
    auto rhs = add_expr();
    if (!rhs) return nullptr;
    return binary(op, std::move(lhs), std::move(rhs));
  }
  // add_expr: mul_expr (ws (`+` | `-` not before `>`) ws mul_expr)*
  ast::ExprPtr add_expr() {
    auto lhs = mul_expr();
    while (lhs) {
      const Position before = at_;
      ws();
      const char c = peek();
      if (!(c == '+' || (c == '-' && peek(1) != '>'))) {
        at_ = before;
        break;
      }
      bump();
      ws();
      auto rhs = mul_expr();
      if (!rhs) return nullptr;
      lhs = binary(c == '+' ? ast::BinaryOp::add : ast::BinaryOp::subtract, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }
  // mul_expr: unary (ws (`*` | `/`) ws unary)*
  ast::ExprPtr mul_expr() {
    auto lhs = unary();
    while (lhs) {
      const Position before = at_;
      ws();
      const char c = peek();
      if (c != '*' && c != '/') {
        at_ = before;
        break;
      }
      bump();
      ws();
      auto rhs = unary();
      if (!rhs) return nullptr;
      lhs = binary(c == '*' ? ast::BinaryOp::multiply : ast::BinaryOp::divide, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }
  // One level deeper: a primary or a `-`, as the parser's control counts them.
  bool enter() { return ++level_ <= limits_.levels; }
  // unary: `-` (not before `>`) ws unary | postfix; postfix: primary, `@` left to the grammar
  ast::ExprPtr unary() {
    if (peek() == '-') {
      if (peek(1) == '>' || !enter()) return decline();
      const Position begin = at_;
      bump();
      ws();
      auto operand = unary();
      --level_;
      if (!operand) return nullptr;
      const ast::Expr* o = operand.get();
      return make(ast::Unary{ast::UnaryOp::negate, std::move(operand)}, range_from(begin), {o});
    }
    if (!enter()) return decline();
    auto e = primary();
    --level_;
    if (!e) return nullptr;
    const Position before = at_;
    ws();
    if (peek() == '@') return decline();
    at_ = before;
    return e;
  }
  ast::ExprPtr primary() {
    const char c = peek();
    if (c == '(') return paren_expr();
    if (ascii_digit(c)) return number_lit();
    if (ascii_letter(c)) return name_expr();
    return decline();
  }
  // paren_expr: `(` ws expr ws `)`, the range that of the brackets
  ast::ExprPtr paren_expr() {
    const Position begin = at_;
    bump();
    ws();
    auto inner = expr();
    if (!inner) return nullptr;
    ws();
    if (peek() != ')') return decline();
    bump();
    inner->range = range_from(begin);
    return inner;
  }
  ast::Name name(Position begin, std::size_t length) {
    bump(length);
    return ast::Name{std::string(text_.substr(begin.offset, length)), range_from(begin)};
  }
  // name_expr: a name, or a call `f(args)`; a keyword, a field `u.f` are left to the grammar
  ast::ExprPtr name_expr() {
    const auto w = word();
    if (!w || g::is_keyword(*w, language_)) return decline();
    const Position begin = at_;
    auto callee = name(begin, w->size());
    const std::size_t callee_index = names_.size();  // the callee's place among the names: before its arguments'
    names_.push_back(nullptr);
    const Position after_name = at_;
    if (peek() == '.') return decline();
    ws();
    if (peek() != '(') {
      at_ = after_name;
      auto e = make(ast::NameRef{std::move(callee)}, range_from(begin), {});
      if (!e) return nullptr;
      names_[callee_index] = &std::get<ast::NameRef>(e->node).name;
      return e;
    }
    bump();
    // The rules try a first argument even before `)`, and that try counts one level deeper.
    if (level_ >= limits_.levels) return decline();
    ws();
    std::vector<ast::ExprPtr> args;
    if (peek() != ')') {
      args.reserve(3);  // room for most calls' arguments (min, max: 2; round, clamp: 3) at once
      for (;;) {
        auto arg = expr();
        if (!arg) return nullptr;
        args.push_back(std::move(arg));
        const Position after_arg = at_;
        spaces();
        if (peek() != ',') {
          at_ = after_arg;
          break;
        }
        bump();
        spaces();
      }
      ws();
    }
    if (peek() != ')') return decline();
    bump();
    int height = 1;
    for (const auto& a : args) height = std::max(height, a->height + 1);
    if (height > limits_.max_height) return decline();
    auto e = std::make_unique<ast::Expr>(ast::Call{std::move(callee), std::move(args)}, range_from(begin));
    e->height = height;
    names_[callee_index] = &std::get<ast::Call>(e->node).callee;
    return e;
  }
  // digits: a digit, then digits with one `_` at most between two
  void digits() {
    bump();
    for (;;) {
      if (ascii_digit(peek())) bump();
      else if (peek() == '_' && ascii_digit(peek(1))) bump(2);
      else break;
    }
  }
  // number_lit: digits (`.` digits)? (blanks (`%` | unit_spelling))?
  ast::ExprPtr number_lit() {
    const Position begin = at_;
    digits();
    if (peek() == '.') {
      if (!ascii_digit(peek(1))) return decline();  // `1..`, `1.x`: the grammar's to read
      bump();
      digits();
    }
    if (peek() == '_' || at_.offset - begin.offset > 1000) return decline();
    auto value = Number::parse_decimal(text_.substr(begin.offset, at_.offset - begin.offset));
    if (!value) return decline();
    ast::NumberLit lit;
    lit.value = std::move(*value);
    const Position after_digits = at_;
    blanks();
    if (peek() == '%') {
      bump();
      lit.percent = true;
      lit.value = lit.value / Number::from_int(100);
    } else if (beyond_ascii(peek())) {
      return decline();
    } else if (ascii_letter(peek()) && peek() != '_') {
      if (!unit_spelling(lit.unit)) return decline();
      if (lit.unit.empty()) at_ = after_digits;
    } else {
      at_ = after_digits;
    }
    auto e = make(std::move(lit), range_from(begin), {});
    if (!e) return nullptr;
    const auto& unit = std::get<ast::NumberLit>(e->node).unit;
    for (const auto& n : unit.numerator) names_.push_back(&n);
    for (const auto& n : unit.denominator) names_.push_back(&n);
    return e;
  }
  // unit_spelling: a unit name, then (blanks `per` blanks name)*, `per participant` excepted.
  // Leaves `unit` empty where no unit is read; false to decline.
  bool unit_spelling(ast::UnitSpelling& unit) {
    const auto first = word();
    if (!first) return false;
    if (g::is_reserved(*first, language_)) return true;  // no unit: the number stands alone
    unit.numerator.push_back(name(at_, first->size()));
    for (;;) {
      const Position before = at_;
      blanks();
      const auto per = keyword_here(g::Keyword::per_);
      if (!per) return false;
      if (!*per) {
        at_ = before;
        return true;
      }
      blanks();
      const auto next = word();
      if (!next) return false;
      if (next->empty() || !ascii_letter(next->front()) || is(*next, g::Keyword::participant_) ||
          g::is_reserved(*next, language_)) {
        at_ = before;
        return true;
      }
      unit.denominator.push_back(name(at_, next->size()));
    }
  }
};

}  // namespace

Outcome read_expression(const SourcePtr& source, const Position& at, grammar::Language language, const Limits& limits) {
  return Reader(source, at, language, limits).run();
}

}  // namespace utfall::expression_reader
