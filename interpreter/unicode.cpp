#include "interpreter/unicode.hpp"

#include <fmt/format.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uspoof.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <stdexcept>

namespace utfall {

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

namespace {

[[noreturn]] void icu_failed(const char* what, UErrorCode status) {
  throw std::runtime_error(fmt::format("ICU {} failed: {}", what, u_errorName(status)));
}

}  // namespace

std::size_t ascii_without_nul_prefix(std::string_view text) {
  // A byte of `w` has its high bit set, or is zero (`w - 0x01..` borrows into a high bit that
  // `~w` keeps).
  constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  std::size_t i = 0;
  for (std::uint64_t w; i + 8 <= text.size(); i += 8) {
    std::memcpy(&w, text.data() + i, 8);
    if (((w | ((w - ones) & ~w)) & highs) != 0) break;
  }
  while (i < text.size() && text[i] != 0 && static_cast<unsigned char>(text[i]) < 0x80) ++i;
  return i;
}

std::string nfc(std::string_view text) {
  if (is_ascii(text)) return std::string(text);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) icu_failed("NFC", status);
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(text.size()));
  normalizer->normalizeUTF8(0, icu::StringPiece(text.data(), static_cast<int32_t>(text.size())), sink, nullptr, status);
  if (U_FAILURE(status)) icu_failed("NFC", status);
  return out;
}

char32_t next_code_point(std::string_view text, std::size_t& at) {
  UChar32 c = 0;
  U8_NEXT(text.data(), at, text.size(), c);
  return c < 0 ? 0xFFFD : static_cast<char32_t>(c);
}

bool is_bidi_control(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_BIDI_CONTROL); }

bool is_invisible(char32_t c) {
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_DEFAULT_IGNORABLE_CODE_POINT) || is_bidi_control(c);
}

bool is_control(char32_t c) { return u_charType(static_cast<UChar32>(c)) == U_CONTROL_CHAR; }

bool is_letter_or_mark(char32_t c) { return (U_GET_GC_MASK(static_cast<UChar32>(c)) & (U_GC_L_MASK | U_GC_M_MASK)) != 0; }

bool is_space(char32_t c) { return u_isUWhiteSpace(static_cast<UChar32>(c)); }

std::string describe_code_point(char32_t c) {
  char name[128];
  UErrorCode status = U_ZERO_ERROR;
  int32_t n = u_charName(static_cast<UChar32>(c), U_UNICODE_CHAR_NAME, name, sizeof name, &status);
  std::string code = fmt::format("U+{:04X}", static_cast<std::uint32_t>(c));
  return U_SUCCESS(status) && n > 0 ? code + " " + std::string(name, static_cast<std::size_t>(n)) : code;
}

namespace {

void hex_escape(std::string& out, unsigned char byte) { fmt::format_to(std::back_inserter(out), "\\x{:02x}", byte); }

// An ASCII character that `mode` writes as it is.
bool shown_as_is(std::string_view text, std::size_t i, EscapeMode mode) {
  unsigned char byte = static_cast<unsigned char>(text[i]);
  if (mode == EscapeMode::quoted) return byte >= 0x20 && byte < 0x7F && byte != '\\';
  return (byte >= 0x20 && byte < 0x7F) || byte == '\n' || byte == '\t' || (byte == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
}

}  // namespace

std::string escape(std::string_view text, EscapeMode mode, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars));
  std::size_t shown = 0;
  for (std::size_t i = 0; i < text.size(); ++shown) {
    if (shown == max_chars) return out + "…";
    unsigned char byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (shown_as_is(text, i, mode)) out += static_cast<char>(byte);
      else if (byte == '\\') out += "\\\\";
      else hex_escape(out, byte);
      ++i;
      continue;
    }
    std::size_t start = i;
    UChar32 c = 0;
    U8_NEXT(text.data(), i, text.size(), c);
    if (c < 0) {  // not UTF-8: the first byte, and on from the next (a broken sequence gives one escape a byte)
      hex_escape(out, byte);
      i = start + 1;
      continue;
    }
    char32_t cp = static_cast<char32_t>(c);
    if (is_control(cp) || is_invisible(cp) || cp == 0x2028 || cp == 0x2029)
      fmt::format_to(std::back_inserter(out), "\\u{{{:x}}}", static_cast<std::uint32_t>(cp));
    else
      out.append(text.substr(start, i - start));
  }
  return out;
}

struct Skeletons::Checker {
  USpoofChecker* sc = nullptr;
};

Skeletons::Skeletons() : checker_(std::make_unique<Checker>()) {
  UErrorCode status = U_ZERO_ERROR;
  checker_->sc = uspoof_open(&status);
  if (U_FAILURE(status)) icu_failed("uspoof_open", status);
  for (char c = 0x20; c < 0x7F; ++c) {
    std::string s = from_icu(std::string_view(&c, 1));
    if (is_ascii(s)) ascii_[static_cast<unsigned char>(c)] = s;
  }
}

Skeletons::~Skeletons() { uspoof_close(checker_->sc); }

std::string Skeletons::of(std::string_view text) const {
  std::string out;
  append(text, out);
  return out;
}

void Skeletons::append(std::string_view text, std::string& out) const {
  const std::size_t start = out.size();
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || ascii_[u].empty()) {
      out.resize(start);
      out += from_icu(text);
      return;
    }
    out += ascii_[u];
  }
}

std::string Skeletons::from_icu(std::string_view text) const {
  std::string out(text.size() * 2 + 16, '\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t n = uspoof_getSkeletonUTF8(checker_->sc, 0, text.data(), static_cast<int32_t>(text.size()), out.data(),
                                       static_cast<int32_t>(out.size()), &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
      out.assign(static_cast<std::size_t>(n) + 1, '\0');
      continue;
    }
    if (U_FAILURE(status)) icu_failed("uspoof_getSkeletonUTF8", status);
    out.resize(static_cast<std::size_t>(n));
    return out;
  }
  icu_failed("uspoof_getSkeletonUTF8", U_BUFFER_OVERFLOW_ERROR);
}

}  // namespace utfall
