// The differences between two checked contracts: what changed from one version of a contract
// to the next, for `utfall compare OLD NEW` (docs/cli.md).
//
// `diff_contracts(old, new)` takes two checked contracts and gives the list of changes, in the
// order a reader of the contract meets them: title, currencies, calendar, parties, inputs,
// terms, tables, clauses, definitions, payments, waterfalls. Declarations are matched by name
// (a clause by its number, a party by its id, an unnamed payment by payer, payee and clause);
// expressions are compared as checked trees, with every reference compared by the name it
// refers to, so a change of layout, comments or the order of declarations is no change. Each
// change shows the source text of each side (an expression as written), or is empty on the
// side where the thing is absent. A pure function: it reads the two contracts and nothing else.
#pragma once

#include <string>
#include <vector>

#include "interpreter/checked.hpp"

namespace utfall {

struct ContractChange {
  // contract, currency, calendar, party, input, term, table, clause, definition, payment,
  // waterfall, tier
  std::string kind;
  std::string name;  // the name, clause number, party id; a tier as WATERFALL.TIER
  // "added", "removed", or what changed: "value", "amount", "cap per period", "rounding", ...
  std::string what;
  std::string old_text, new_text;  // empty on the side where it is absent
};

std::vector<ContractChange> diff_contracts(const checked::Contract& old_contract, const checked::Contract& new_contract);

}  // namespace utfall
