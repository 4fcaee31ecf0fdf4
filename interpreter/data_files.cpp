#include "interpreter/data_files.hpp"

#include "interpreter/files.hpp"
#include "interpreter/huge_pages.hpp"
#include "interpreter/text_hash.hpp"
#include "interpreter/unicode.hpp"

#include <csv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace utfall {

namespace {

// ---------------------------------------------------------------------------------------------
// Shared helpers: diagnostics, positions, value checks.

// A JSON number in exponent form ("1.5e3", "25E-2") written out as plain decimal digits
// ("1500", "0.25"), exactly: the exponent only moves the decimal point. Text without an
// exponent comes back as it is. Returns nothing when the result would be longer than
// `max_length`, so that an exponent such as 1e999999999 cannot make a value of any size.
std::optional<std::string> without_exponent(const std::string& text, std::size_t max_length) {
  auto e = text.find_first_of("eE");
  if (e == std::string::npos) return text;
  std::string mantissa = text.substr(0, e), sign;
  if (!mantissa.empty() && (mantissa[0] == '-' || mantissa[0] == '+')) {
    if (mantissa[0] == '-') sign = "-";
    mantissa.erase(0, 1);
  }
  auto dot = mantissa.find('.');
  std::string digits = mantissa.substr(0, dot) + (dot == std::string::npos ? "" : mantissa.substr(dot + 1));
  long long point = static_cast<long long>(dot == std::string::npos ? mantissa.size() : dot);  // digits before the point
  std::size_t at = e + 1;
  bool negative = at < text.size() && text[at] == '-';
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
  long long exponent = 0;
  for (; at < text.size(); ++at) {
    exponent = exponent * 10 + (text[at] - '0');
    if (exponent > static_cast<long long>(max_length)) return std::nullopt;  // bounded before it can overflow
  }
  point += negative ? -exponent : exponent;
  // The JSON grammar guarantees digits only here; drop leading zeros of the integer part.
  if (point <= 0) digits.insert(0, static_cast<std::size_t>(-point), '0'), point = 0;
  if (point > static_cast<long long>(digits.size())) {
    if (static_cast<std::size_t>(point) > max_length) return std::nullopt;
    digits.append(static_cast<std::size_t>(point) - digits.size(), '0');
  }
  std::string whole = digits.substr(0, static_cast<std::size_t>(point)), fraction = digits.substr(static_cast<std::size_t>(point));
  while (whole.size() > 1 && whole[0] == '0') whole.erase(0, 1);
  if (whole.empty()) whole = "0";
  std::string out = sign + whole + (fraction.empty() ? "" : "." + fraction);
  if (out.size() > max_length) return std::nullopt;
  return out;
}

[[noreturn]] void fail(DiagKind kind, const char* code, Text location, Text message, Text suggestion = {}) {
  Diagnostic d;
  d.kind = kind;
  d.code = code;
  // A file given as "" (`--data ''`) still gets a place in the message.
  set_location(d, location.empty() ? utfall::text("(a data file with an empty name)") : std::move(location));
  set_message(d, std::move(message));
  if (!suggestion.empty()) set_suggestion(d, std::move(suggestion));
  throw DiagnosticError{std::move(d)};
}

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
Text encoding_advice() {
  return text("save the file as UTF-8 (in Excel: \"CSV UTF-8\"); the file may be in Windows-1252 or Latin-1");
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

[[gnu::always_inline]] inline std::string_view trim(std::string_view s) {  // called for every cell
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Offset of the first byte that does not belong to a well-formed UTF-8 sequence (no overlong
// forms, no surrogates, nothing above U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = b[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;
    else return i;
    if (i + len > n) return i;
    if (b[i + 1] < lo || b[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if ((b[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string_view::npos;
}

bool starts_with_utf16_bom(std::string_view s) {
  return s.starts_with("\xFF\xFE") || s.starts_with("\xFE\xFF");
}

// 1-based line and code-point column of a byte offset (the text before it is valid UTF-8).
struct LineColumn {
  std::size_t line = 1;
  std::size_t column = 1;
};

LineColumn line_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  LineColumn lc;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') ++lc.line, line_start = i + 1;
  for (std::size_t i = line_start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++lc.column;
  return lc;
}

// "plan.csv" or "data.json, table `perioder`".
Text file_part(const std::string& file, const std::string& table) {
  return table.empty() ? verbatim(file) : text("{}, table `{}`", file, excerpt(table));
}

// "plan.csv: row 3 (line 4)": a data row (1-based) and the line it starts on.
Text row_location(const std::string& file, const std::string& table, std::size_t row, std::size_t line) {
  return text("{}: row {} (line {})", file_part(file, table), row, line);
}

// `where` and a column: by its name, or by its 1-based position when it has none.
Text with_column(Text where, const std::string& column_name, std::size_t column_index) {
  if (!column_name.empty()) return text("{}, column `{}`", std::move(where), excerpt(column_name));
  return text("{}, column {}", std::move(where), column_index + 1);
}

}  // namespace

Text cell_location(const std::string& file, const std::string& table, std::size_t row,
                   std::size_t line, const std::string& column_name, std::size_t column_index) {
  return with_column(row == 0 ? text("{}: header (line {})", file_part(file, table), line) : row_location(file, table, row, line),
                     column_name, column_index);
}

namespace {

std::string hex_byte(unsigned char c) { return fmt::format("0x{:02X}", static_cast<unsigned>(c)); }

// Why a value (or a column name) cannot be a cell: a NUL byte, invalid UTF-8, or too long.
// Returns the code and message, or nothing when it is fine. `text` is already trimmed. The
// message names what was read (a value, a JSON table's name, a column's name) in one sentence.
struct Problem {
  const char* code;
  Text message;
  Text suggestion;
};

enum class Read { value, table_name, column_name };

Text too_long(Read what, std::size_t size, std::size_t limit, bool multiline) {
  constexpr PhraseId plain[] = {"the value is {} bytes long, over the limit of {} bytes",
                                "table name: the value is {} bytes long, over the limit of {} bytes",
                                "column name: the value is {} bytes long, over the limit of {} bytes"};
  constexpr PhraseId unclosed[] = {
      "the value is {} bytes long, over the limit of {} bytes (is a quote left unclosed?)",
      "table name: the value is {} bytes long, over the limit of {} bytes (is a quote left unclosed?)",
      "column name: the value is {} bytes long, over the limit of {} bytes (is a quote left unclosed?)"};
  return text((multiline ? unclosed : plain)[static_cast<int>(what)], size, limit);
}

Text has_nul(Read what, std::size_t at) {
  constexpr PhraseId phrase[] = {"the value contains a NUL byte at byte {}",
                                 "table name: the value contains a NUL byte at byte {}",
                                 "column name: the value contains a NUL byte at byte {}"};
  return text(phrase[static_cast<int>(what)], at);
}

Text bad_utf8_at_start(Read what, const std::string& byte) {
  constexpr PhraseId phrase[] = {"the value is not valid UTF-8: byte {} at its start",
                                 "table name: the value is not valid UTF-8: byte {} at its start",
                                 "column name: the value is not valid UTF-8: byte {} at its start"};
  return text(phrase[static_cast<int>(what)], byte);
}

// `before` is the text before the bad byte, with "…" when it is cut.
Text bad_utf8_after(Read what, const std::string& byte, const std::string& before) {
  constexpr PhraseId phrase[] = {"the value is not valid UTF-8: byte {} after `{}`",
                                 "table name: the value is not valid UTF-8: byte {} after `{}`",
                                 "column name: the value is not valid UTF-8: byte {} after `{}`"};
  return text(phrase[static_cast<int>(what)], byte, before);
}

// True when every byte is ASCII and none is NUL: then no part of the text can hold a NUL byte
// or invalid UTF-8, and its cells need only their length checked.
bool ascii_without_nul(std::string_view text) { return ascii_without_nul_prefix(text) == text.size(); }

std::optional<Problem> value_problem(std::string_view text, const ReadLimits& limits, Read what = Read::value) {
  if (text.size() > limits.max_cell_bytes) {
    bool multiline = text.find('\n') != std::string_view::npos;
    return Problem{"E509", too_long(what, text.size(), limits.max_cell_bytes, multiline), {}};
  }
  if (auto nul = text.find('\0'); nul != std::string_view::npos)
    return Problem{"E508", has_nul(what, nul + 1),
                   utfall::text("a data file must be UTF-8 text; is it UTF-16 or a binary (e.g. .xlsx) file?")};
  if (auto bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    // The last 20 code points before the bad byte say where it is.
    std::size_t from = bad;
    for (std::size_t shown = 0; from > 0 && shown < 20;) shown += (static_cast<unsigned char>(text[--from]) & 0xC0) != 0x80;
    std::string byte = hex_byte(static_cast<unsigned char>(text[bad]));
    Text message = bad == 0 ? bad_utf8_at_start(what, byte)
                            : bad_utf8_after(what, byte,
                                             (from > 0 ? "…" : "") + excerpt(text.substr(from, bad - from)));
    return Problem{"E507", std::move(message), encoding_advice()};
  }
  return std::nullopt;
}

void check_size(const std::string& file, std::size_t size, const ReadLimits& limits) {
  if (size > limits.max_bytes)
    fail(DiagKind::limit, "E702", file,
         text("the data file is {} bytes, over the limit of {} bytes", size, limits.max_bytes));
}

// Refuses an empty text and a UTF-16 one, and strips a UTF-8 byte order mark (the caller has
// checked the size).
std::string_view checked_body(const std::string& file, std::string_view text) {
  if (starts_with_utf16_bom(text))
    fail(DiagKind::data, "E507", file, utfall::text("the data file is UTF-16 encoded, not UTF-8"),
         utfall::text("save it as UTF-8 (in Excel: \"CSV UTF-8\")"));
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  if (text.empty()) fail(DiagKind::data, "E501", file, utfall::text("the data file is empty"));
  return text;
}

void row_limit(const std::string& file, const std::string& table, std::size_t rows, const ReadLimits& limits) {
  if (rows > limits.max_rows)
    fail(DiagKind::limit, "E701", file_part(file, table),
         text("the data has more than {} rows, the limit per table", limits.max_rows));
}

// A cell holds its column in 32 bits: more columns than that need a text over 4 GiB.
void column_limit(const std::string& file, const std::string& table, std::size_t columns) {
  constexpr std::size_t most = UINT32_MAX;
  if (columns > most)
    fail(DiagKind::limit, "E701", file_part(file, table), text("the data has more than {} columns", most));
}

// ---------------------------------------------------------------------------------------------
// CSV. libcsv calls back for each field and each row end; since C frames lie between, the
// callbacks never let an exception through: they store it and the driver rethrows it.

// libcsv's parser state between rows (ROW_NOT_BEGUN in libcsv.c; the struct is public).
constexpr int kLibcsvRowNotBegun = 0;

struct CsvBuilder {
  const std::string& file;
  const ReadLimits& limits;
  bool ascii = false;  // the whole text is ASCII without NUL (ascii_without_nul)
  Table table{};
  bool header_done = false;
  std::vector<Cell> current{};   // the fields of the row being read
  std::size_t row_line = 1;    // line where the row being read starts
  std::exception_ptr failure{};  // set by a callback; the driver rethrows it
  // For lines read by hand: what each byte is, and the pieces of the line being read.
  static constexpr std::uint8_t kSeparator = 1, kToLibcsv = 2;
  std::array<std::uint8_t, 256> special{};
  std::vector<std::string_view> pieces{};

  std::size_t row_number() const { return header_done ? table.rows.size() + 1 : 0; }

  std::string column_name(std::size_t index) const {
    return header_done && index < table.columns.size() ? table.columns[index] : std::string();
  }

  Text location(std::size_t column_index) const {
    return cell_location(file, "", row_number(), row_line, column_name(column_index), column_index);
  }

  // A field's text, trimmed, once it is known to be a value (else the message, at the column
  // of the row being read).
  [[gnu::always_inline]] std::string_view checked_text(std::string_view field, std::size_t column) const {
    const std::string_view text = trim(field);
    if (!ascii || text.size() > limits.max_cell_bytes)
      if (auto p = value_problem(text, limits))
        fail(DiagKind::data, p->code, location(column), std::move(p->message), std::move(p->suggestion));
    return text;
  }

  // A field's text: `kept` when it lies in the text the table keeps whole (a line read by hand),
  // else in libcsv's buffer, which the next field overwrites.
  void field(const char* data, std::size_t size, bool kept = false) {
    const std::string_view text = checked_text(size == 0 ? std::string_view() : std::string_view(data, size), current.size());
    current.push_back(cell(kept ? text : table.rows.keep(text), current.size(), row_at()));
  }

  // The row being read, as its cells record it; and a cell of it in a column, viewing `text`
  // (kept for the table).
  struct RowAt {
    std::uint32_t row, line;
  };
  RowAt row_at() const { return {cell_number(row_number()), cell_number(row_line)}; }
  static Cell cell(std::string_view text, std::size_t column, RowAt at) {
    return Cell{.text = text, .present = !text.empty(), .column = static_cast<std::uint32_t>(column), .row = at.row, .line = at.line};
  }

  // Refuses the row being read when the table already holds max_rows rows (E701).
  void check_row_limit() const {
    if (table.rows.size() == limits.max_rows) row_limit(file, "", table.rows.size() + 1, limits);
  }

  void row_end() {
    if (!header_done) return header();
    const std::size_t want = table.columns.size();
    if (current.size() != want) {
      Text message =
          current.size() < want
              ? text("row {} has {} fields but the header has {} columns: column `{}` and any after it are missing",
                     row_number(), current.size(), want, excerpt(table.columns[current.size()]))
              : text("row {} has {} fields but the header has {} columns: the first extra field is `{}`", row_number(),
                     current.size(), want, excerpt(current[want].text));
      fail(DiagKind::data, "E505", row_location(file, "", row_number(), row_line), std::move(message),
           text("every row needs one field per column; quote a value that contains the separator"));
    }
    check_row_limit();
    table.rows.push_back(current);
    current.clear();
  }

  void header() {
    TextViewMap<std::size_t> seen;
    for (std::size_t i = 0; i < current.size(); ++i) {
      const std::string_view name = current[i].text;
      if (name.empty()) {
        bool last = i > 0 && i + 1 == current.size();
        fail(DiagKind::data, "E503", cell_location(file, "", 0, row_line, "", i),
             text("column {} of the header has no name", i + 1),
             last ? text("a separator at the end of the header line makes an extra, unnamed column") : Text());
      }
      auto [it, fresh] = seen.emplace(name, i);
      if (!fresh)
        fail(DiagKind::data, "E504", cell_location(file, "", 0, row_line, "", i),
             text("column name `{}` appears twice in the header (columns {} and {})", excerpt(name), it->second + 1, i + 1));
    }
    column_limit(file, "", current.size());
    for (const auto& cell : current) table.columns.emplace_back(cell.text);
    current.clear();
    header_done = true;
  }
};

void on_csv_field(void* data, std::size_t size, void* self) {
  auto* b = static_cast<CsvBuilder*>(self);
  if (b->failure) return;
  try {
    b->field(static_cast<const char*>(data), size);
  } catch (...) {
    b->failure = std::current_exception();
  }
}

void on_csv_row(int, void* self) {
  auto* b = static_cast<CsvBuilder*>(self);
  if (b->failure) return;
  try {
    b->row_end();
  } catch (...) {
    b->failure = std::current_exception();
  }
}

// ';' separates fields when the header line holds a ';' but no ',' outside quotes.
unsigned char detect_delimiter(std::string_view body) {
  std::size_t start = 0;
  while (start < body.size()) {  // the header is the first line that is not blank
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    if (!trim(body.substr(start, end - start)).empty()) break;
    start = end + 1;
  }
  bool quoted = false, comma = false, semicolon = false;
  for (std::size_t i = start; i < body.size(); ++i) {
    char c = body[i];
    if (c == '"') quoted = !quoted;
    else if (!quoted && c == '\n') break;
    else if (!quoted && c == ',') comma = true;
    else if (!quoted && c == ';') semicolon = true;
  }
  return semicolon && !comma ? ';' : ',';
}

struct CsvParser {
  csv_parser p{};
  CsvParser() {
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) throw std::bad_alloc();
  }
  ~CsvParser() { csv_free(&p); }
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;
};

// Reads one line by hand, as libcsv would read it, when that is plain to do: `line` ends in its
// line feed and holds no quote, and no carriage return but one just before the line feed (libcsv
// ends a row at a lone one). Then its fields are the pieces between separators, each trimmed, and
// a line of only spaces and tabs gives no row, as libcsv skips it. Returns false, keeping
// nothing read, for any other line.
bool read_plain_line(CsvBuilder& b, std::string_view line) {
  line.remove_suffix(1);  // the line feed
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // The pieces between separators, one byte looked up per byte; a quote or carriage return
  // gives the line to libcsv, which reads it from its start.
  auto& pieces = b.pieces;
  pieces.clear();
  const char* start = line.data();
  for (const char *at = start, *end = start + line.size(); at != end; ++at) {
    const std::uint8_t kind = b.special[static_cast<unsigned char>(*at)];
    if (kind == 0) continue;
    if (kind == CsvBuilder::kToLibcsv) return false;
    pieces.emplace_back(start, static_cast<std::size_t>(at - start));
    start = at + 1;
  }
  pieces.emplace_back(start, static_cast<std::size_t>(line.data() + line.size() - start));
  if (pieces.size() == 1 && line.find_first_not_of(" \t") == std::string_view::npos) return true;  // blank: no row
  if (b.header_done && pieces.size() == b.table.columns.size()) {
    // A data row of the right width, the common line: its cells are written where the table
    // keeps them, with no row built on the side.
    for (std::size_t i = 0; i < pieces.size(); ++i) pieces[i] = b.checked_text(pieces[i], i);
    b.check_row_limit();
    const CsvBuilder::RowAt at = b.row_at();
    b.table.rows.append_row(pieces.size(), [&](std::size_t i) { return CsvBuilder::cell(pieces[i], i, at); });
    return true;
  }
  for (const std::string_view piece : pieces) b.field(piece.data(), piece.size(), true);
  b.row_end();
  return true;
}

[[noreturn]] void malformed_csv(const CsvBuilder& b, std::string_view body, std::size_t offset) {
  LineColumn lc = line_column(body, offset);
  char c = body[offset];
  std::size_t next = offset;  // past the character there, escaped as a cell is (a byte >= 0x80 begins one)
  next_code_point(body, next);
  Text what =
      c == '"' ? text("malformed CSV at line {}, column {}: a `\"` inside an unquoted field", lc.line, lc.column)
               : text("malformed CSV at line {}, column {}: `{}` after the closing quote of a quoted field", lc.line,
                      lc.column,
                      static_cast<unsigned char>(c) < 0x20 ? hex_byte(static_cast<unsigned char>(c))
                                                           : excerpt(body.substr(offset, next - offset)));
  fail(DiagKind::data, "E506", b.location(b.current.size()), std::move(what),
       text("quote the whole field and double any quote inside it: \"say \"\"hej\"\"\""));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

CellRows::Chunk& CellRows::open_chunk() {
  // By the row's number: a chunk let go while rows are still appended (DataBinder) has no starts.
  while (chunks_.size() <= size_ / kChunk) chunks_.emplace_back();
  return chunks_.back();
}

std::string_view CellRows::keep(std::string_view text) {
  if (text.empty()) return {};
  Chunk& c = open_chunk();
  if (text.size() > c.room) {
    // Blocks double from small, up to 64 KiB: a table of one short row costs a few bytes, not a
    // block (a JSON file may hold a million such tables).
    constexpr std::size_t kFirst = 64, kMost = 64u << 10;
    c.block = std::min(kMost, c.block == 0 ? kFirst : 2 * c.block);
    const std::size_t size = std::max(c.block, text.size());
    c.text.push_back(std::make_unique_for_overwrite<char[]>(size));
    c.free = c.text.back().get(), c.room = size;
  }
  std::copy(text.begin(), text.end(), c.free);
  std::string_view kept(c.free, text.size());
  c.free += text.size(), c.room -= text.size();
  return kept;
}

CellRows::Chunk& CellRows::room_for_row(std::size_t n) {
  Chunk& c = open_chunk();
  if (c.capacity - c.size < n) {
    // A new block, offered for huge pages before it is first written, then the cells copied in.
    // The first chunk starts at its first row's size and doubles; a later one starts at the size
    // its predecessor reached, since the rows of a table are mostly alike.
    std::size_t want = std::max(c.size + n, 2 * c.capacity);
    if (c.capacity == 0 && chunks_.size() > 1) want = std::max(want, chunks_[chunks_.size() - 2].filled);
    if (c.capacity == 0 && released_ && released_->capacity >= want) {  // a block let go: its pages are there
      c.cells = std::move(released_->cells), c.capacity = std::exchange(released_->capacity, 0);
      c.starts = std::move(released_->starts);
      c.starts.clear();
      c.starts.push_back(c.size);
      return c;
    }
    if (want > std::numeric_limits<std::size_t>::max() / sizeof(Cell)) throw std::bad_alloc();
    std::unique_ptr<Cell, FreeCells> bigger(static_cast<Cell*>(::operator new(want * sizeof(Cell))));
    offer_huge_pages(bigger.get(), want * sizeof(Cell));
    if (c.size > 0) std::memcpy(static_cast<void*>(bigger.get()), c.cells.get(), c.size * sizeof(Cell));  // trivially copyable
    c.cells = std::move(bigger), c.capacity = want;
  }
  if (c.starts.empty() && chunks_.size() > 1) c.starts.reserve(kChunk);  // a large table: a chunk fills
  c.starts.push_back(c.size);
  return c;
}

void CellRows::push_back(std::span<const Cell> row) {
  append_row(row.size(), [&](std::size_t i) { return row[i]; });
}

void CellRows::clear_cells() {
  for (auto& c : chunks_) {
    c.size = 0;
    std::fill(c.starts.begin(), c.starts.end(), 0);
  }
}

void CellRows::clear() { *this = CellRows(); }

void CellRows::release_before(std::size_t row) {
  if (chunks_.empty() || row < kChunk) return;
  if (!released_) released_ = std::make_unique<Released>();
  Released& r = *released_;
  for (; r.chunks < chunks_.size() && (r.chunks + 1) * kChunk <= row; ++r.chunks) {
    Chunk& c = chunks_[r.chunks];
    const std::size_t filled = c.filled;
    if (c.capacity > r.capacity) {  // kept for the next chunk of a table still read
      r.cells = std::move(c.cells), r.capacity = c.capacity;
      r.starts = std::move(c.starts);
    }
    c = Chunk();
    c.filled = filled;  // what the next chunk's first block is sized by
  }
}

std::string_view CellRows::keep_whole(std::string text) {
  if (whole_) throw std::logic_error("CellRows::keep_whole: a table keeps one text whole");
  whole_ = std::make_unique<const std::string>(std::move(text));
  return *whole_;
}

CellRows::CellRows(CellRows&& o) noexcept
    : chunks_(std::move(o.chunks_)),
      size_(std::exchange(o.size_, 0)),
      released_(std::move(o.released_)),
      whole_(std::move(o.whole_)) {
  o.chunks_.clear();
}

CellRows& CellRows::operator=(CellRows&& o) noexcept {
  if (this != &o) {
    chunks_ = std::move(o.chunks_), o.chunks_.clear();
    size_ = std::exchange(o.size_, 0);
    whole_ = std::move(o.whole_);
    released_ = std::move(o.released_);
  }
  return *this;
}

const Cell* CellRow::find_in_part(std::size_t column) const {
  auto at = std::lower_bound(begin(), end(), column, [](const Cell& cell, std::size_t c) { return cell.column < c; });
  return at != end() && at->column == column ? &*at : nullptr;
}

Text Table::location(std::size_t row_index, std::size_t column_index) const {
  std::size_t row = row_index + 1, line = 0;
  if (row_index < rows.size() && !rows[row_index].empty()) {
    row = rows[row_index].front().row;
    line = rows[row_index].front().line;
  }
  std::string column = column_index < columns.size() ? columns[column_index] : std::string();
  if (line == 0) {  // a row the table does not hold: name what is known
    return with_column(text("{}: row {}", file_part(file, name), row), column, column_index);
  }
  return cell_location(file, name, row, line, column, column_index);
}

Table read_csv(const std::string& file_label, std::string_view text, const ReadLimits& limits, CsvLines lines) {
  check_size(file_label, text.size(), limits);  // before the copy
  return read_csv_keeping(file_label, std::string(text), limits, lines);
}

Table read_csv_keeping(const std::string& file_label, std::string text, const ReadLimits& limits, CsvLines lines,
                       const RowsRead& rows_read) {
  check_size(file_label, text.size(), limits);
  CsvBuilder b{.file = file_label, .limits = limits};
  const std::string_view body = checked_body(file_label, b.table.rows.keep_whole(std::move(text)));
  b.ascii = ascii_without_nul(body);
  b.table.file = file_label;
  b.table.csv = true;
  CsvParser parser;
  csv_parser& p = parser.p;
  const unsigned char delimiter = detect_delimiter(body);
  csv_set_delim(&p, delimiter);
  b.special[delimiter] = CsvBuilder::kSeparator;
  b.special['"'] = b.special['\r'] = CsvBuilder::kToLibcsv;

  // Fed one line at a time so that every callback knows the line it happens on; a plain line
  // between rows is read by hand (read_plain_line).
  std::size_t line = 1;
  std::size_t tell_at = rows_read ? CellRows::kChunk : std::numeric_limits<std::size_t>::max();  // rows, for rows_read
  auto tell = [&](std::size_t read_to) {
    if (b.table.rows.size() < tell_at || !b.header_done) return;
    // The rows to come as the rows so far per byte, and a twentieth more: room to keep, no more.
    // At most 10^7 rows times 2^28 bytes: no overflow.
    const std::size_t rows = b.table.rows.size(), expected = rows * body.size() / std::max<std::size_t>(read_to, 1);
    rows_read(b.table, expected + expected / 20 + 16);
    tell_at = b.table.rows.size() + CellRows::kChunk;
  };
  for (std::size_t pos = 0; pos < body.size(); ++line) {
    std::size_t end = body.find('\n', pos);
    const bool whole_line = end != std::string_view::npos;
    end = whole_line ? end + 1 : body.size();
    if (p.pstate == kLibcsvRowNotBegun && b.current.empty()) {
      b.row_line = line;
      if (lines == CsvLines::plain && whole_line && read_plain_line(b, body.substr(pos, end - pos))) {
        pos = end;
        tell(pos);
        continue;
      }
    }
    std::size_t used = csv_parse(&p, body.data() + pos, end - pos, on_csv_field, on_csv_row, &b);
    if (b.failure) std::rethrow_exception(b.failure);
    if (used < end - pos) malformed_csv(b, body, pos + used);
    if (p.entry_pos > limits.max_cell_bytes)  // stop early on a field that swallows the file
      fail(DiagKind::data, "E509", b.location(b.current.size()),
           p.quoted ? utfall::text("a value is longer than the limit of {} bytes (is a quote left unclosed?)", limits.max_cell_bytes)
                    : utfall::text("a value is longer than the limit of {} bytes", limits.max_cell_bytes));
    pos = end;
    tell(pos);
  }
  if (csv_fini(&p, on_csv_field, on_csv_row, &b) != 0) {
    if (b.failure) std::rethrow_exception(b.failure);
    fail(DiagKind::data, "E506", b.location(b.current.size()),
         utfall::text("malformed CSV: a quoted field is never closed (it runs to the end of the file)"),
         utfall::text("close the quote, and double any quote inside the field"));
  }
  if (b.failure) std::rethrow_exception(b.failure);
  if (!b.header_done) fail(DiagKind::data, "E502", file_label, utfall::text("the data file has no header row (only blank lines)"));
  return std::move(b.table);
}

// ---------------------------------------------------------------------------------------------
// JSON, through nlohmann's SAX interface so that a number arrives as the text it was written.

namespace {

using json = nlohmann::json;

// An iterator over the text that records the last byte the JSON lexer read, so that a row's
// starting line is known when its `{` is seen (the lexer reads no further before the event).
struct TrackingIterator {
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  const char* at = nullptr;
  const char** last = nullptr;

  reference operator*() const {
    *last = at;
    return *at;
  }
  TrackingIterator& operator++() {
    ++at;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator old = *this;
    ++at;
    return old;
  }
  bool operator==(const TrackingIterator& other) const { return at == other.at; }
};

// What a JSON value is, where a row or a table was expected; each message names it in its own
// sentence.
enum class JsonKind { null, boolean, string, number, binary, object, array };

Text found_at_top(JsonKind kind) {
  switch (kind) {
    case JsonKind::null: return text("expected an array of objects (or an object whose values are such arrays), found null at top level");
    case JsonKind::boolean: return text("expected an array of objects (or an object whose values are such arrays), found a boolean at top level");
    case JsonKind::string: return text("expected an array of objects (or an object whose values are such arrays), found a string at top level");
    case JsonKind::number: return text("expected an array of objects (or an object whose values are such arrays), found a number at top level");
    case JsonKind::binary: return text("expected an array of objects (or an object whose values are such arrays), found binary data at top level");
    case JsonKind::object:
    case JsonKind::array: break;  // an object or an array at the top is read, never refused
  }
  return text("expected an array of objects (or an object whose values are such arrays), found a string at top level");
}

Text found_as_table(JsonKind kind, const std::string& name) {
  switch (kind) {
    case JsonKind::null: return text("expected an array of objects as the value of `{}`, found null", name);
    case JsonKind::boolean: return text("expected an array of objects as the value of `{}`, found a boolean", name);
    case JsonKind::string: return text("expected an array of objects as the value of `{}`, found a string", name);
    case JsonKind::number: return text("expected an array of objects as the value of `{}`, found a number", name);
    case JsonKind::binary: return text("expected an array of objects as the value of `{}`, found binary data", name);
    case JsonKind::object: return text("expected an array of objects as the value of `{}`, found an object", name);
    case JsonKind::array: return text("expected an array of objects as the value of `{}`, found an array", name);
  }
  return text("expected an array of objects as the value of `{}`, found null", name);
}

Text found_as_row(JsonKind kind, std::size_t row) {
  switch (kind) {
    case JsonKind::null: return text("row {} is null, but every row must be an object of column names and values", row);
    case JsonKind::boolean: return text("row {} is a boolean, but every row must be an object of column names and values", row);
    case JsonKind::string: return text("row {} is a string, but every row must be an object of column names and values", row);
    case JsonKind::number: return text("row {} is a number, but every row must be an object of column names and values", row);
    case JsonKind::binary: return text("row {} is binary data, but every row must be an object of column names and values", row);
    case JsonKind::object: return text("row {} is an object, but every row must be an object of column names and values", row);
    case JsonKind::array: return text("row {} is an array, but every row must be an object of column names and values", row);
  }
  return text("row {} is null, but every row must be an object of column names and values", row);
}

Text found_nested(JsonKind kind, const std::string& column, std::size_t row) {
  if (kind == JsonKind::array)
    return text("the value of `{}` in row {} is an array; a value must be a number, string, true, false or null", column, row);
  return text("the value of `{}` in row {} is an object; a value must be a number, string, true, false or null", column, row);
}

class JsonTablesBuilder {
 public:
  JsonTablesBuilder(const std::string& file, std::string_view text, const ReadLimits& limits)
      : file_(file), text_(text), limits_(limits) {}

  std::vector<std::pair<std::string, Table>> take() { return std::move(tables_); }
  const char** last_read() { return &last_; }

  // The SAX interface (nlohmann::json_sax).
  bool null() { return scalar(JsonKind::null, "", false); }
  bool boolean(bool v) { return scalar(JsonKind::boolean, v ? "true" : "false", true); }
  bool number_integer(json::number_integer_t v) { return number(std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return number(std::to_string(v)); }
  bool number_float(json::number_float_t, const json::string_t& text) { return number(text); }
  bool string(json::string_t& s) {
    std::string_view text = trim(s);
    if (at_ == At::row) {
      if (auto p = value_problem(text, limits_))
        fail(DiagKind::data, p->code, here(), std::move(p->message), std::move(p->suggestion));
    }
    return scalar(JsonKind::string, text, !text.empty());
  }
  bool binary(json::binary_t&) { return scalar(JsonKind::binary, "", false); }

  bool start_object(std::size_t) {
    switch (at_) {
      case At::top: at_ = At::tables; shape_b_ = true; return true;
      case At::table: begin_row(); return true;
      case At::tables: wrong_table_value(JsonKind::object);
      case At::row: nested(JsonKind::object);
      case At::done: break;
    }
    return true;
  }
  bool end_object() {
    if (at_ == At::row) end_row();
    else if (at_ == At::tables) at_ = At::done;
    return true;
  }
  bool start_array(std::size_t) {
    switch (at_) {
      case At::top: begin_table(""); return true;
      case At::tables: begin_table(pending_name_); return true;
      case At::table: wrong_row(JsonKind::array);
      case At::row: nested(JsonKind::array);
      case At::done: break;
    }
    return true;
  }
  bool end_array() {
    end_table();
    at_ = shape_b_ ? At::tables : At::done;
    return true;
  }
  bool key(json::string_t& k) {
    std::string_view name = trim(k);
    if (at_ == At::tables) return table_key(name);
    return column_key(name);
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    // `position` counts the bytes read; the last one read is where the lexer stopped.
    std::size_t offset = position == 0 ? 0 : position - 1;
    LineColumn lc = line_column(text_, offset);
    std::string what = ex.what();
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 2, column 11: ...";
    // the position is given in the location instead.
    if (auto at = what.find("parse error at line "); at != std::string::npos) {
      if (auto colon = what.find(": ", at); colon != std::string::npos) what = what.substr(colon + 2);
    } else if (what.starts_with("[json.exception.")) {
      if (auto close = what.find("] "); close != std::string::npos) what = what.substr(close + 2);
    }
    // nlohmann quotes the token it stopped in (with controls as <U+001B>): quoted as a cell is,
    // so that a 100 000-digit number is not echoed whole, nor a string's U+202E raw.
    if (auto open = what.find('\''); open != std::string::npos) {
      auto close = what.rfind('\'');
      if (close > open) what = what.substr(0, open + 1) + excerpt(std::string_view(what).substr(open + 1, close - open - 1)) + what.substr(close);
    }
    // The reader's own words (`what`) stay in English: they come from the JSON library.
    std::string where = fmt::format("{}:{}:{}", file_, lc.line, lc.column);
    if (what.starts_with("number overflow"))
      fail(DiagKind::data, "E510", where,
           text("malformed JSON: {} (a JSON number must fit in a double to be read; write a larger one as a string)", what));
    fail(DiagKind::data, "E510", where, text("malformed JSON: {}", what));
  }

 private:
  enum class At { top, tables, table, row, done };

  bool number(const std::string& written) {
    std::string text = written;
    if (at_ == At::row) {
      if (auto p = value_problem(text, limits_))
        fail(DiagKind::data, p->code, here(), std::move(p->message), std::move(p->suggestion));
      if (auto plain = without_exponent(text, limits_.max_cell_bytes)) {
        text = std::move(*plain);
      } else {
        fail(DiagKind::data, "E509", here(),
             utfall::text("the number `{}` written out in full is longer than the limit of {} bytes for a value",
                          excerpt(written), limits_.max_cell_bytes),
             utfall::text("write the number without an exponent"));
      }
    }
    return scalar(JsonKind::number, text, true);
  }

  // A value that is not an object or array: a cell inside a row, an error anywhere else.
  bool scalar(JsonKind kind, std::string_view text, bool present) {
    switch (at_) {
      case At::row:
        current_.push_back(Cell{.text = table().rows.keep(text),
                                .present = present,
                                .column = static_cast<std::uint32_t>(column_),
                                .row = cell_number(row_),
                                .line = cell_number(row_line_)});
        return true;
      case At::top:
        fail(DiagKind::data, "E511", file_, found_at_top(kind));
      case At::tables: wrong_table_value(kind);
      case At::table: wrong_row(kind);
      case At::done: break;
    }
    return true;
  }

  [[noreturn]] void wrong_table_value(JsonKind kind) {
    fail(DiagKind::data, "E511", file_part(file_, pending_name_), found_as_table(kind, excerpt(pending_name_)));
  }
  [[noreturn]] void wrong_row(JsonKind kind) {
    std::size_t row = table().rows.size() + 1;
    LineColumn lc = line_column(text_, static_cast<std::size_t>(last_ - text_.data()));
    fail(DiagKind::data, "E511", row_location(file_, table().name, row, lc.line),
         found_as_row(kind, row));
  }
  [[noreturn]] void nested(JsonKind kind) {
    fail(DiagKind::data, "E512", here(), found_nested(kind, excerpt(table().columns[column_]), row_));
  }

  Table& table() { return tables_.back().second; }

  Text here() {
    return cell_location(file_, table().name, row_, row_line_, table().columns[column_], column_);
  }

  bool table_key(std::string_view name) {
    if (name.empty()) fail(DiagKind::data, "E503", file_, text("a table name (a key of the top-level object) is empty"));
    if (!table_names_.emplace(name).second)
      fail(DiagKind::data, "E504", file_, text("table `{}` appears twice", excerpt(name)));
    if (auto p = value_problem(name, limits_, Read::table_name))
      fail(DiagKind::data, p->code, file_, std::move(p->message), std::move(p->suggestion));
    pending_name_ = std::string(name);
    return true;
  }

  bool column_key(std::string_view name) {
    Table& t = table();
    if (name.empty())
      fail(DiagKind::data, "E503", row_location(file_, t.name, row_, row_line_),
           text("row {} has a key with no name", row_));
    if (auto p = value_problem(name, limits_, Read::column_name))
      fail(DiagKind::data, p->code, row_location(file_, t.name, row_, row_line_),
           std::move(p->message), std::move(p->suggestion));
    auto [it, fresh] = index_.emplace(std::string(name), t.columns.size());
    if (fresh) {
      column_limit(file_, t.name, t.columns.size() + 1);
      t.columns.emplace_back(name);
      given_in_row_.push_back(0);
    }
    column_ = it->second;
    if (given_in_row_[column_] == row_)
      fail(DiagKind::data, "E504", here(), text("key `{}` appears twice in row {}", excerpt(name), row_));
    given_in_row_[column_] = row_;
    return true;
  }

  void begin_table(const std::string& name) {
    Table t;
    t.file = file_;
    t.name = name;
    tables_.emplace_back(name, std::move(t));
    index_.clear();
    given_in_row_.clear();
    at_ = At::table;
  }
  void end_table() {
    if (table().columns.empty())  // no row gave a key: a row's stand-in cell would name no column
      table().rows.clear_cells();
  }
  void begin_row() {
    row_ = table().rows.size() + 1;
    row_limit(file_, table().name, row_, limits_);
    row_line_ = line_of(static_cast<std::size_t>(last_ - text_.data()));
    current_.clear();
    at_ = At::row;
  }
  void end_row() {
    // A row that gives no key keeps one absent cell, so that it knows its line.
    if (current_.empty()) current_.push_back(Cell{.text = "", .present = false, .column = 0, .row = cell_number(row_), .line = cell_number(row_line_)});
    auto by_column = [](const Cell& a, const Cell& b) { return a.column < b.column; };
    if (!std::is_sorted(current_.begin(), current_.end(), by_column)) std::sort(current_.begin(), current_.end(), by_column);
    table().rows.push_back(current_);
    current_.clear();
    at_ = At::table;
  }

  // Rows are met in order, so the line count advances from where it stopped.
  std::size_t line_of(std::size_t offset) {
    for (; counted_to_ < offset && counted_to_ < text_.size(); ++counted_to_)
      if (text_[counted_to_] == '\n') ++counted_line_;
    return counted_line_;
  }

  const std::string& file_;
  std::string_view text_;
  const ReadLimits& limits_;
  const char* last_ = nullptr;
  std::vector<std::pair<std::string, Table>> tables_;
  At at_ = At::top;
  bool shape_b_ = false;
  std::string pending_name_;
  TextSet table_names_;                                  // the keys of a JSON object of arrays
  TextMap<std::size_t> index_;                           // column name -> index in the table
  std::vector<Cell> current_;                            // cells of the row being read, as given
  std::vector<std::size_t> given_in_row_;                // per column: the last row that gave it
  std::size_t row_ = 0, row_line_ = 0, column_ = 0;
  std::size_t counted_to_ = 0, counted_line_ = 1;
};

}  // namespace

std::vector<std::pair<std::string, Table>> read_json_tables(const std::string& file_label, std::string_view text,
                                                            const ReadLimits& limits) {
  check_size(file_label, text.size(), limits);
  std::string_view body = checked_body(file_label, text);
  if (trim(body).empty()) fail(DiagKind::data, "E501", file_label, utfall::text("the data file is empty"));
  if (auto bad = invalid_utf8_at(body); bad != std::string_view::npos) {
    LineColumn lc = line_column(body, bad);
    fail(DiagKind::data, "E507", fmt::format("{}:{}:{}", file_label, lc.line, lc.column),
         utfall::text("the data file is not valid UTF-8: byte {} at line {}, column {}",
                      hex_byte(static_cast<unsigned char>(body[bad])), lc.line, lc.column),
         encoding_advice());
  }
  JsonTablesBuilder builder(file_label, body, limits);
  TrackingIterator first{body.data(), builder.last_read()};
  TrackingIterator last{body.data() + body.size(), builder.last_read()};
  json::sax_parse(first, last, &builder);
  return builder.take();
}

std::vector<std::pair<std::string, Table>> read_data_file(const std::string& path, const ReadLimits& limits, const RowsRead& rows_read) {
  namespace fs = std::filesystem;
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext != ".csv" && ext != ".json")
    fail(DiagKind::data, "E513", path,
         text("cannot read data file `{}`: the accepted kinds are .csv and .json", path),
         text("export the data from the spreadsheet as \"CSV UTF-8\""));

  auto read = read_regular_file(path, limits.max_bytes, limits.beneath);
  if (auto* failure = std::get_if<ReadFailure>(&read)) {
    if (failure->kind == ReadFailure::Kind::unreadable)
      fail(DiagKind::io, "E801", path, text("cannot read data file `{}`: {}", path, failure->reason));
    if (failure->grew)
      fail(DiagKind::limit, "E702", path, text("the data file holds more than the limit of {} bytes", limits.max_bytes));
    check_size(path, failure->bytes, limits);
  }
  std::string& text = std::get<std::string>(read);

  if (ext == ".csv") {
    std::vector<std::pair<std::string, Table>> out;
    out.emplace_back("", read_csv_keeping(path, std::move(text), limits, CsvLines::plain, rows_read));
    return out;
  }
  return read_json_tables(path, text, limits);
}

}  // namespace utfall
