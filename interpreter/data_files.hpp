// Data files: raw tables from CSV and JSON.
//
// Takes the text of a data file (or a path on disk) and gives tables of cells: column names and
// rows of exact text. The readers know nothing about contracts; a later stage checks the cells
// against the inputs a contract declares and turns their text into exact numbers. Afterwards:
// every CSV row has exactly one cell per column, and a JSON row one cell per key it gives (a
// table whose rows each carry other keys takes memory in proportion to its text, not to rows
// times keys); every cell's text is the value as written (a JSON number keeps its original
// digits, never passes through `double`), trimmed of surrounding ASCII whitespace, valid UTF-8
// and free of NUL bytes; every cell knows its column, its data row and the line where that row
// starts, so a later message can point into the file with `Table::location`. Reading takes time
// and memory linear in the text (duplicate names are found by hashing).
//
// Rules, the same for both formats:
//   - A cell is present exactly when its trimmed text is not empty. An empty CSV field (quoted
//     `""` included, as spreadsheets write it), a JSON null and a JSON "" give `present ==
//     false`, and a key missing from a JSON row gives no cell (`Table::find` is null): missing
//     data either way, never a silent zero or empty text.
//   - Column names are trimmed; an empty or duplicate name is an error.
//   - A problem throws `DiagnosticError` with one positioned `Diagnostic` (its `location` names
//     the file, the data row, the line where that row starts, and the column).
//
// CSV (RFC 4180, parsed by libcsv in strict mode; a line without quotes is split by hand the
// same way, see CsvLines): the first row is the header. Fields are separated by commas; when the
// header line holds a `;` but no `,` outside quotes, `;` is the separator instead (Swedish
// spreadsheets export that). Fields may be quoted; a quoted field may hold commas, doubled quotes
// and line breaks. Lines end in LF or CRLF. A leading UTF-8 byte order mark is skipped. Blank
// lines (empty or only spaces and tabs) are skipped, so a one-column file writes an empty value
// as `""`.
//
// JSON: either (a) an array of flat objects, one object per row, the columns being the union of
// their keys in first-seen order; or (b) an object whose every value is such an array, giving
// one table per key. Values: a number (its text as written, which may use exponent notation
// such as `1e3`, except that an integer that fits in 64 bits arrives re-printed, e.g. `-0` as
// `0`), a string (trimmed), true / false (as "true" / "false"), null (absent). A nested object
// or array as a value is an error.
//
// Diagnostic codes raised here:
//   E501 empty file                     E508 NUL byte
//   E502 no header row                  E509 value longer than `max_cell_bytes`
//   E503 empty column (or table) name   E510 malformed JSON (with line and column)
//   E504 duplicate column/key/table     E511 JSON of the wrong shape
//   E505 row with too many / too few    E512 nested JSON object or array as a value
//        fields                         E513 unsupported file extension
//   E506 malformed CSV (quoting)        E701 more rows than `max_rows`, or columns than a
//                                            cell can number (2^32 - 1) (kind limit)
//   E507 invalid UTF-8 (or UTF-16)      E702 file larger than `max_bytes` (kind limit)
//                                       E801 file missing or unreadable (kind io)
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "interpreter/diagnostic.hpp"

namespace utfall {

struct Cell {
  // Exact text of the value, trimmed of surrounding spaces; "" means empty. It views text that
  // the table keeps (CellRows::keep, CellRows::keep_whole) for as long as the table lives.
  std::string_view text;
  bool present = true;       // false for an empty CSV field, a JSON null, or a key missing in a row
  std::uint32_t column = 0;  // index into Table::columns
  // For messages: the 1-based data row (the header is not counted) and the 1-based line in the
  // file where the row starts. 32 bits each (a cell is 32 bytes, not 40): a file is at most
  // ReadLimits::max_bytes, so it has fewer lines than that, and a table built in memory has far
  // fewer rows than 2^32 (each takes more than a byte).
  std::uint32_t row = 0;
  std::uint32_t line = 0;
};

// One row's cells; `at` checks its index, as a vector's does.
class CellRow : public std::span<const Cell> {
 public:
  CellRow(std::span<const Cell> cells) : std::span<const Cell>(cells) {}
  const Cell& at(std::size_t i) const {
    if (i >= size()) throw std::out_of_range("CellRow::at");
    return (*this)[i];
  }
  // The cell in a column, or null when the row does not give that column.
  const Cell* find(std::size_t column) const {
    if (column < size() && (*this)[column].column == column) return &(*this)[column];  // a full row
    return find_in_part(column);
  }

 private:
  const Cell* find_in_part(std::size_t column) const;  // a row without every column
};

// The rows of a Table, in chunks of kChunk rows: a chunk's cells one row after another in one
// block, and their text in blocks of its own. A million rows are a few dozen allocations, not a
// million; the cell blocks are offered to the kernel for huge pages (bench/README.md); and a
// chunk can be let go once its rows are bound (release_before), so that a large table and the
// records made from it are not all in memory at once. Moved, never copied: the cells view the
// text it keeps.
class CellRows {
 public:
  static constexpr std::size_t kChunk = std::size_t{1} << 16;

  CellRows() = default;
  CellRows(CellRows&& o) noexcept;  // leaves `o` empty
  CellRows& operator=(CellRows&& o) noexcept;
  CellRows(const CellRows&) = delete;
  CellRows& operator=(const CellRows&) = delete;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Row r (r < size(), and not let go).
  CellRow operator[](std::size_t r) const {
    const Chunk& c = chunks_[r / kChunk];
    const std::size_t i = r % kChunk, first = c.starts[i];
    return std::span<const Cell>(c.cells.get() + first, (i + 1 < c.starts.size() ? c.starts[i + 1] : c.size) - first);
  }
  CellRow at(std::size_t r) const {
    if (r >= size() || r / kChunk < released()) throw std::out_of_range("CellRows::at");
    return (*this)[r];
  }
  CellRow front() const { return (*this)[0]; }

  // A copy of `text` that lives as long as the row appended next: what a cell's text must view.
  std::string_view keep(std::string_view text);
  // Keeps a whole file's text as long as the table lives, so that cells can view it without a
  // copy each (read_csv reads most lines so); returns where it now lies. Its bytes count
  // toward the data limit (whole_bytes) as the cells' text does. Once per table.
  std::string_view keep_whole(std::string text);
  std::size_t whole_bytes() const { return whole_ ? whole_->size() : 0; }
  // Appends a row of cells whose text was kept for it (or that is empty). It may move the cells
  // of the rows before it: a CellRow or Cell* held from this table is then no longer valid, and
  // `row` must not view this table's cells.
  void push_back(std::span<const Cell> row);
  // The same, the row's `n` cells made in place by `make(i)`, i from 0.
  template <typename MakeCell>
  void append_row(std::size_t n, MakeCell&& make) {
    Chunk& c = room_for_row(n);
    for (std::size_t i = 0; i < n; ++i) std::construct_at(c.cells.get() + c.size + i, make(i));
    c.filled = c.size += n;
    ++size_;
  }
  void clear_cells();  // every row keeps its place, with no cell
  void clear();        // no row, and the memory given back
  // Lets go of the chunks whose rows all lie before `row`: their rows may no longer be read.
  void release_before(std::size_t row);

  class const_iterator {
   public:
    const_iterator(const CellRows* rows, std::size_t i) : rows_(rows), i_(i) {}
    CellRow operator*() const { return (*rows_)[i_]; }
    const_iterator& operator++() { return ++i_, *this; }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    const CellRows* rows_;
    std::size_t i_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

 private:
  // A block of cells in raw memory, each written once in place (a vector checks its room, or
  // value-initializes, per cell). A Cell is an aggregate with nothing to destroy.
  static_assert(std::is_trivially_copyable_v<Cell> && std::is_trivially_destructible_v<Cell>);
  struct FreeCells {
    void operator()(Cell* cells) const { ::operator delete(cells); }
  };
  struct Chunk {
    std::unique_ptr<Cell, FreeCells> cells;
    std::size_t size = 0, capacity = 0;            // cells written, and room for
    std::vector<std::size_t> starts;               // per row, its first cell in `cells`
    std::vector<std::unique_ptr<char[]>> text;      // blocks of kept text
    char* free = nullptr;                           // the unused end of the last block
    std::size_t room = 0;
    std::size_t block = 0;                          // the size the last text block was given
    std::size_t filled = 0;                         // cells written, kept when the chunk is let go
  };
  Chunk& open_chunk();  // the chunk the next row goes to
  Chunk& room_for_row(std::size_t n);  // that chunk, with room for n more cells and the row begun
  std::vector<Chunk> chunks_;
  std::size_t size_ = 0;
  // The chunks let go, from the first (release_before), and the largest block of cells (with its
  // row starts) among them, for the next chunk that needs one: a table bound while it is read
  // (DataBinder) fills its chunks in the pages of those bound. Made at the first chunk let go,
  // so that a table never let go is no larger for it (a JSON file may hold a million tables).
  struct Released {
    std::size_t chunks = 0;
    std::unique_ptr<Cell, FreeCells> cells;
    std::size_t capacity = 0;
    std::vector<std::size_t> starts;
  };
  std::size_t released() const { return released_ ? released_->chunks : 0; }
  std::unique_ptr<Released> released_;
  // The text kept whole: on the heap, so that moving the table leaves the views into it valid
  // (a short std::string moved would move its characters).
  std::unique_ptr<const std::string> whole_;
};

// A row or line number as a Cell keeps it: as it is up to 2^32 - 1, and 2^32 - 1 for any larger
// one (no file within the reading limits has that many lines).
inline std::uint32_t cell_number(std::size_t n) { return n > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(n); }

struct Table {
  std::string file;                  // label used in messages (the file name as given)
  std::string name;                  // the table's key in a JSON object of arrays; else ""
  std::vector<std::string> columns;  // header names, trimmed, in order
  bool csv = false;                  // read from CSV: numbers as spreadsheets write them (decimal_text.hpp)
  // The cells of each row in column order: every column for a CSV row; for a JSON row the keys
  // it gives, and when it gives none one absent cell of the first column (so that the row keeps
  // its line). A column a row does not give is missing there, as an empty cell is.
  CellRows rows;
  // The cell of a row in a column, or null when the row does not give that column.
  const Cell* find(std::size_t row_index, std::size_t column_index) const {
    return row_index < rows.size() ? rows[row_index].find(column_index) : nullptr;
  }
  // Where a cell is, for messages: "plan.csv: row 3 (line 4), column `avropat`" (with
  // ", table `name`" after the file when the table has a name).
  Text location(std::size_t row_index, std::size_t column_index) const;
};

// Where a cell is, for messages, from what a Cell records: "plan.csv: row 3 (line 4), column
// `avropat`" ("data.json, table `t`: ..." when `table` is not empty; row 0 is the header; an
// empty column name is described by its 1-based position).
Text cell_location(const std::string& file, const std::string& table, std::size_t row, std::size_t line,
                          const std::string& column_name, std::size_t column_index);

struct ReadLimits {
  std::size_t max_bytes = 256u << 20;    // a larger file is refused before it is read (E702)
  std::size_t max_rows = 10'000'000;     // data rows per table (E701)
  std::size_t max_cell_bytes = 4096;     // one value or column name (E509)
  // A folder the file must lie in, no link leading out (read_regular_file): an example's data
  // files lie in the contract's folder. Empty: any file the caller names.
  std::string beneath;
};

// How read_csv splits a line: `plain` reads a line that holds no quote (and no carriage return
// but one before its line feed) by hand and gives every other line to libcsv; `libcsv` gives it
// every line. Both read any text alike (a test compares them on drawn texts); by hand is faster.
enum class CsvLines { plain, libcsv };

// Told while a CSV file is read, each time another CellRows::kChunk rows are complete: the table
// so far (its header and rows; it may bind rows and let them go, CellRows::release_before) and
// about how many rows the whole file holds, from the bytes read so far.
using RowsRead = std::function<void(Table& table, std::size_t rows_expected)>;

// Reads a CSV text. `file_label` names the file in messages. The table keeps a copy of the text
// (its cells view it); read_csv_keeping takes the text instead of copying it.
Table read_csv(const std::string& file_label, std::string_view text, const ReadLimits& limits = {},
               CsvLines lines = CsvLines::plain);
Table read_csv_keeping(const std::string& file_label, std::string text, const ReadLimits& limits = {},
                       CsvLines lines = CsvLines::plain, const RowsRead& rows_read = {});

// Reads a JSON text of shape (a), giving one pair with key "", or of shape (b), giving one pair
// per key in the order written.
std::vector<std::pair<std::string, Table>> read_json_tables(const std::string& file_label,
                                                            std::string_view text,
                                                            const ReadLimits& limits = {});

// Reads a file from disk and dispatches on its extension, `.csv` or `.json` (any letter case).
// The file's label in messages is `path` as given. A CSV file gives one pair with key "".
// A CSV file tells `rows_read` of its rows as they are read.
std::vector<std::pair<std::string, Table>> read_data_file(const std::string& path,
                                                          const ReadLimits& limits = {}, const RowsRead& rows_read = {});

}  // namespace utfall
