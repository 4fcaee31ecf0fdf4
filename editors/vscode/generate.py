#!/usr/bin/env python3
"""Writes the parts of the utfall TextMate grammar that follow from the language's own tables.

    python3 editors/vscode/generate.py      rewrites editors/vscode/syntaxes/utfall.tmLanguage.json

The keywords come from grammar/keywords.hpp (one row per keyword, English and Swedish) and the
built-in function names from stdlib/builtins.cpp, so the grammar cannot drift from the parser:
tests/scripts/test_vscode_grammar.py checks that the committed grammar is exactly what this
script writes. Everything else in the grammar (comments, strings, numbers, dates, operators) is
written by hand in the JSON file and kept as it stands; the entries named in GENERATED and the
top-level `patterns` are replaced.

A file uses one keyword set, chosen by its first word (grammar::language_of): a Swedish keyword
that is not also an English one makes it Swedish. The grammar does the same: a comment or a
blank line before the first word is read on its own, and the line of the first word opens a
region, Swedish or English, that runs to the end of the file (or of a Markdown code block) and
knows only its own set's keywords. So `andel` is a name in an English contract and a keyword
(`ratio`) in a Swedish one, as the parser reads them.
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GRAMMAR = Path(__file__).resolve().parent / "syntaxes" / "utfall.tmLanguage.json"

# A name (docs/language.md §2.3): a letter or `_`, then letters, `_`, digits and combining marks.
LETTER = "A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0370-\u03FF\u0400-\u04FF\u1E00-\u1EFF"
NAME_CHAR = LETTER + "0-9\u0300-\u036F"
NAME = f"[{LETTER}][{NAME_CHAR}]*"
BEFORE = f"(?<![{NAME_CHAR}])"  # nothing of a name just before
AFTER = f"(?![{NAME_CHAR}])"  # nor just after
GAP = "[ \t]+"

# The scope of each keyword, by its row in keywords.hpp; a row not named here is keyword.other.
CATEGORIES = [
    ("keyword.declaration.utfall", "contract currency party unit periods input term let clause table scale "
                                   "example expect set pay waterfall"),
    ("keyword.control.conditional.utfall", "if then else when"),
    ("keyword.operator.logical.utfall", "and or not"),
    ("constant.language.boolean.utfall", "true false"),
    ("storage.type.utfall", "number ratio percent boolean text date participants records"),
]
OTHER = "keyword.other.utfall"
LANGUAGES = ("english", "swedish")

# The repository entries this script writes.
GENERATED = [f"{language}{part}" for language in LANGUAGES for part in ("", "-declarations", "-keywords", "-unit")] + [
    "builtins", "names"]


def keyword_rows(hpp_text):
    """The rows of UTFALL_KEYWORDS: (name, English, Swedish)."""
    rows = re.findall(r'^\s*X\((\w+),\s*"([^"]+)",\s*"([^"]+)"\)', hpp_text, re.M)
    if not rows:
        raise SystemExit("generate.py: no keyword rows found in grammar/keywords.hpp")
    return rows


def builtin_names(cpp_text):
    """The names of the registry records of stdlib/builtins.cpp."""
    names = re.findall(r'\{"(\w+)",\s*Signature::', cpp_text)
    if not names:
        raise SystemExit("generate.py: no builtins found in stdlib/builtins.cpp")
    return names


def words(rows, language):
    """The keywords of one set, each once, in table order."""
    column = 1 if language == "english" else 2
    return list(dict.fromkeys(row[column] for row in rows))


def spelling(rows, language):
    """Row name -> its spelling in one set."""
    column = 1 if language == "english" else 2
    return {row[0]: row[column] for row in rows}


def alternation(ws):
    # Longest first, so that no word stops at a shorter one that begins it.
    return "(?:" + "|".join(sorted(ws, key=lambda w: (-len(w), w))) + ")"


def keyword_rules(rows, language):
    kw = spelling(rows, language)
    seen, rules = set(), []
    for scope, names in CATEGORIES:
        ws = [kw[n] for n in names.split() if kw[n] not in seen]
        seen.update(ws)
        rules.append({"name": scope, "match": BEFORE + alternation(ws) + AFTER})
    rest = [w for w in words(rows, language) if w not in seen]
    rules.append({"name": OTHER, "match": BEFORE + alternation(rest) + AFTER})
    return rules


def declaration_rules(rows, language):
    """A keyword that declares a name, with that name scoped entity.name.*: first in the region,
    so that they win over the plain keyword rules at the same place."""
    kw = spelling(rows, language)
    decl = {"name": "keyword.declaration.utfall"}
    other = {"name": OTHER}

    def rule(match, *scopes):
        return {"match": match, "captures": {str(i + 1): s for i, s in enumerate(scopes)}}

    def named(word, scope):
        return rule(f"{BEFORE}({kw[word]}){GAP}({NAME})", decl, {"name": scope})

    def titled(word, scope):
        # The string after the keyword, its text scoped as the name (a clause's title follows
        # as a plain string).
        return {"begin": f'{BEFORE}({kw[word]}){GAP}(")', "end": '"|$',
                "beginCaptures": {"1": decl, "2": {"name": "string.quoted.double.utfall punctuation.definition.string.begin.utfall"}},
                "endCaptures": {"0": {"name": "string.quoted.double.utfall punctuation.definition.string.end.utfall"}},
                "contentName": f"string.quoted.double.utfall {scope}", "patterns": [{"include": "#string-escape"}]}

    return [
        titled("contract", "entity.name.section.contract.utfall"),
        titled("clause", "entity.name.section.clause.utfall"),
        titled("example", "entity.name.section.example.utfall"),
        named("currency", "entity.name.type.currency.utfall"),
        named("party", "entity.name.type.party.utfall"),
        rule(f"{BEFORE}({kw['unit']}){GAP}({NAME})(?:{GAP}({kw['plural']}){GAP}({NAME}))?", decl,
             {"name": "entity.name.type.unit.utfall"}, other, {"name": "entity.name.type.unit.utfall"}),
        # input NAME : TYPE, a unit or a type word
        rule(f"{BEFORE}({kw['input']}){GAP}({NAME})(?:[ \t]*(:)[ \t]*{not_keyword(rows, language)}({NAME}))?", decl,
             {"name": "entity.name.variable.input.utfall"}, {"name": "punctuation.separator.colon.utfall"},
             {"name": "keyword.other.unit.utfall"}),
        named("term", "entity.name.variable.term.utfall"),
        named("let", "entity.name.variable.definition.utfall"),
        named("table", "entity.name.function.table.utfall"),
        named("scale", "entity.name.function.scale.utfall"),
        rule(f"{BEFORE}({kw['pay']}){GAP}({NAME})[ \t]*(:)", decl, {"name": "entity.name.variable.payment.utfall"},
             {"name": "punctuation.separator.colon.utfall"}),
        rule(f"{BEFORE}({kw['waterfall']}){GAP}({NAME})[ \t]*(:)", decl, {"name": "entity.name.variable.waterfall.utfall"},
             {"name": "punctuation.separator.colon.utfall"}),
        # for each u in deltagare; sum(x for u in deltagare): the binder
        rule(f"{BEFORE}({kw['for']}){GAP}(?:({kw['each']}){GAP})?({NAME}){GAP}({kw['in']}){AFTER}", other, other,
             {"name": "variable.parameter.utfall"}, other),
        # rounded half_even to 0.01: the mode, also `up` and `down`
        rule(f"{BEFORE}({kw['rounded']}){GAP}({NAME})", other, {"name": "support.constant.utfall"}),
    ]


def not_keyword(rows, language):
    """A lookahead: no keyword of the set starts here."""
    return f"(?!{alternation(words(rows, language))}{AFTER})"


def unit_rule(rows, language):
    """A name on the same line after a number is its unit (docs/language.md §2.6), with up to two
    `per NAME`; a keyword there is not a unit (`from 2027 netted`, `2 times per ...`)."""
    nk = not_keyword(rows, language)
    per = spelling(rows, language)["per"]
    unit = {"name": "keyword.other.unit.utfall"}
    more = f"(?:({GAP})({per})({GAP}){nk}({NAME}))?"
    return {"match": f"(?<=[0-9])({GAP}){nk}({NAME}){more}{more}",
            "captures": {"2": unit, "4": {"name": OTHER}, "6": unit, "8": {"name": OTHER}, "10": unit}}


def region(language):
    return {"patterns": [{"include": f"#{language}-declarations"}, {"include": "#comment"}, {"include": "#string"},
                         {"include": "#date"}, {"include": "#period"}, {"include": "#number"},
                         {"include": f"#{language}-unit"}, {"include": f"#{language}-keywords"},
                         {"include": "#builtins"}, {"include": "#rounding-mode"}, {"include": "#operator"},
                         {"include": "#punctuation"}, {"include": "#names"}]}


def top_patterns(rows):
    """A comment or blank before the first word; then the region of the first word's set, to the end."""
    english = set(words(rows, "english"))
    swedish_only = [w for w in words(rows, "swedish") if w not in english]
    never = "(?!)"
    return [
        {"include": "#comment"},
        {"name": "meta.contract.swedish.utfall", "begin": f"^(?=[ \t]*{alternation(swedish_only)}{AFTER})",
         "end": never, "patterns": [{"include": "#swedish"}]},
        {"name": "meta.contract.english.utfall", "begin": "^(?=[ \t]*[^\\s#])", "end": never,
         "patterns": [{"include": "#english"}]},
    ]


def generated_grammar(grammar, hpp_text, builtins_text):
    """The grammar with its generated parts written from the two tables."""
    rows, builtins = keyword_rows(hpp_text), builtin_names(builtins_text)
    repo = {}
    for language in LANGUAGES:
        repo[language] = region(language)
        repo[f"{language}-declarations"] = {"patterns": declaration_rules(rows, language)}
        repo[f"{language}-keywords"] = {"patterns": keyword_rules(rows, language)}
        repo[f"{language}-unit"] = unit_rule(rows, language)
    repo["builtins"] = {"match": f"{BEFORE}{alternation(builtins)}{AFTER}", "name": "support.function.builtin.utfall"}
    repo["names"] = {"patterns": [
        {"match": f"{NAME}(?=[ \t]*\\()", "name": "variable.function.utfall"},
        {"match": NAME, "name": "variable.other.utfall"}]}
    hand = {k: v for k, v in grammar.get("repository", {}).items() if k not in GENERATED}
    out = {}
    for key, value in grammar.items():
        out[key] = top_patterns(rows) if key == "patterns" else dict(repo, **hand) if key == "repository" else value
    return out


def grammar_text(grammar):
    # Combining marks are written as \u escapes: a bare one would join the character before it.
    text = json.dumps(grammar, ensure_ascii=False, indent=2) + "\n"
    return re.sub("[\u0300-\u036F]", lambda m: f"\\u{ord(m.group()):04x}", text)


def generate(root=ROOT, grammar_path=GRAMMAR):
    """The text the grammar file should hold."""
    grammar = json.loads(grammar_path.read_text(encoding="utf-8"))
    hpp = (root / "grammar" / "keywords.hpp").read_text(encoding="utf-8")
    builtins = (root / "stdlib" / "builtins.cpp").read_text(encoding="utf-8")
    return grammar_text(generated_grammar(grammar, hpp, builtins))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        raise SystemExit(__doc__)
    GRAMMAR.write_text(generate(), encoding="utf-8")
