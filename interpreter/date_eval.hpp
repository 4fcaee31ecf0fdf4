// Evaluate, dates: the dates of a period, the period a date falls in, and a date moved by whole
// days or months (docs/language.md §13.15), for the evaluator (evaluate.cpp). Each function
// gives its value or throws `DateError`, which the evaluator reports at the expression with
// its clause. Pure functions of the contract and their arguments.
#pragma once

#include <string>

#include "interpreter/checked.hpp"
#include "interpreter/messages.hpp"

namespace utfall::dates {

// `text` is the sentence from the message table, to be shown in either language; `message` is
// the same in English, for a caller that has not yet taken the text.
struct DateError {
  DateError(const char* error_code, Text sentence)
      : code(error_code), text(std::move(sentence)), message(text.in(Language::en)) {}
  const char* code;  // E605, E613, E614
  Text text;
  std::string message;
};

// start_of(p), end_of(p), days_in(p) of a period, or period_of(d) of a date, in a contract whose
// calendar has dates (`Contract::dated`).
checked::Value calendar_date(const checked::Contract& c, checked::CalendarDate::Part part, const checked::Value& operand);

// add_days(d, n) or add_months(d, n, RULE): `step` must be a whole number, and the date reached
// a day of the years 0001 through 9999.
checked::DateValue shift(const checked::DateShift& n, checked::DateValue d, const Number& step);

}  // namespace utfall::dates
