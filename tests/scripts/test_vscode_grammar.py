#!/usr/bin/env python3
"""The VS Code extension in editors/vscode, checked without VS Code, node or npm.

Usage: test_vscode_grammar.py <utfall binary> <source dir>

1. package.json, the grammar, the Markdown injection grammar, the language configuration and the
   snippets are valid JSON, and every file package.json names exists (but dist/extension.js, the
   bundle, which is built); every `include` resolves. The client, by reading its files only:
   `main` is the bundle that `npm run bundle` writes, the activation events, settings and command
   are declared, the npm packages are pinned and locked, extension.js requires only `vscode`,
   `vscode-languageclient/node` and Node's modules, and the .vsix leaves out node_modules and the
   sources. (editors/vscode/test/smoke.js and test/activate.js, run by hand after `npm ci`, drive
   the server through the client's protocol library and run the bundled client; README.md.)
2. The grammar is what editors/vscode/generate.py writes from grammar/keywords.hpp and
   stdlib/builtins.cpp, byte for byte; every regex of both grammars compiles with Python's `re`
   (they keep to the subset both engines read alike; `\\G`, which only the Markdown injection
   uses, is read as `^` here); every English keyword of keywords.hpp is matched whole by the
   English keyword rules, every Swedish one by the Swedish rules.
3. A small TextMate tokenizer (below) reads examples/a-aldreomsorg/contract.utfall and
   avtal.utfall line by line, and hand-written lines; the scopes of chosen words are written here.
   (When it was written, it gave the scopes vscode-textmate with vscode-oniguruma gives, on every
   character of examples/*/*.utfall.) No example has a character marked invalid.
4. Every snippet, its placeholders filled with their defaults (a choice with its first choice,
   a mirror `$N` with the default of N, `$0` with nothing), is valid utfall: a contract skeleton
   as it is, a clause at the top of a small contract written here, a payment or a waterfall
   inside a clause of it; `utfall check` exits 0 on each.
5. The injection grammar opens a block at a ```utfall fence (as interpreter/literate.cpp reads
   one: the info string's first word is `utfall`) and at no other.
"""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptlib import Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
ext = src / "editors/vscode"
T = Tally()


def load(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        T.check(f"{path.relative_to(src)}: valid JSON", False, e)
        return None


# 1. The files.
package = load(ext / "package.json")
T.check("package.json: valid JSON", package is not None)
# ^1.91.0: what vscode-languageclient 11 requires (it refuses to start in an older VS Code).
T.check("package.json: name, publisher, version, engine",
        package and (package["name"], package["publisher"], package["version"], package["engines"]["vscode"])
        == ("utfall", "utfall", "0.1.0", "^1.91.0"), package)
contributes = package["contributes"]
# The client: package.json's main is the bundle that `npm run bundle` writes from extension.js
# (the bundle is built, not committed, so only the script that writes it is checked here).
T.check("package.json: main is the bundle dist/extension.js, written by `npm run bundle` from extension.js",
        package.get("main") == "./dist/extension.js" and "esbuild extension.js" in package.get("scripts", {}).get("bundle", "")
        and "--outfile=dist/extension.js" in package["scripts"]["bundle"] and "--external:vscode" in package["scripts"]["bundle"],
        (package.get("main"), package.get("scripts")))
T.check("package.json: activated by a utfall document and by Markdown (literate contracts)",
        set(package.get("activationEvents", [])) == {"onLanguage:utfall", "onLanguage:markdown"}, package.get("activationEvents"))
settings = contributes.get("configuration", {}).get("properties", {})
T.check("package.json: the settings utfall.server.path (utfall), .args ([lsp]), .language (en or sv, en)",
        settings.get("utfall.server.path", {}).get("default") == "utfall"
        and settings.get("utfall.server.args", {}).get("default") == ["lsp"]
        and settings.get("utfall.server.language", {}).get("enum") == ["en", "sv"]
        and settings["utfall.server.language"].get("default") == "en", settings)
T.check("package.json: the setting utfall.data, an object of strings, {} by default",
        settings.get("utfall.data", {}).get("type") == "object" and settings["utfall.data"].get("default") == {}
        and settings["utfall.data"].get("additionalProperties") == {"type": "string"}, settings.get("utfall.data"))
T.check("package.json: in a workspace not trusted, the program and its arguments are not taken from the workspace",
        set(package.get("capabilities", {}).get("untrustedWorkspaces", {}).get("restrictedConfigurations", []))
        == {"utfall.server.path", "utfall.server.args", "utfall.data"}, package.get("capabilities"))
T.check("package.json: the command utfall.restartServer",
        [c.get("command") for c in contributes.get("commands", [])] == ["utfall.restartServer"], contributes.get("commands"))
# Exact versions, each locked: `npm ci` installs what was tested.
lock = load(ext / "package-lock.json")
pinned = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
T.check("package.json: vscode-languageclient, esbuild, vscode-languageserver-protocol pinned to exact versions, as locked",
        lock is not None and {"vscode-languageclient", "esbuild", "vscode-languageserver-protocol"} <= set(pinned)
        and all(re.fullmatch(r"\d+\.\d+\.\d+", v) and lock["packages"].get(f"node_modules/{name}", {}).get("version") == v
                for name, v in pinned.items()), pinned)
client = (ext / "extension.js").read_text(encoding="utf-8")
required = re.findall(r"""\brequire\(\s*['"]([^'"]+)['"]\s*\)""", client)
T.check("extension.js: requires vscode, vscode-languageclient/node and Node's own modules (node:...), nothing else",
        {"vscode", "vscode-languageclient/node"} <= set(required)
        and all(r in ("vscode", "vscode-languageclient/node") or r.startswith("node:") for r in required)
        and "import " not in client, required)
T.check("extension.js: registers utfall.restartServer and reads the three settings",
        "registerCommand('utfall.restartServer'" in client
        and all(f"config.get('{k}')" in client for k in ("path", "args", "language")) and "'--lang'" in client)
T.check("extension.js: sends utfall.data as initializationOptions and the section utfall as it changes",
        "initializationOptions: { data: vscode.workspace.getConfiguration('utfall').get('data')" in client
        and "synchronize: { configurationSection: 'utfall' }" in client)
ignored = (ext / ".vscodeignore").read_text(encoding="utf-8").split()
T.check(".vscodeignore: the package leaves out node_modules, the sources of the bundle and the tests",
        {"node_modules/**", "extension.js", "test/**", "package-lock.json"} <= set(ignored) and "dist/**" not in ignored, ignored)
T.check(".gitignore: node_modules, dist and packages are not committed",
        {"node_modules/", "dist/", "*.vsix"} <= set((ext / ".gitignore").read_text(encoding="utf-8").split()))
named = [ext / lang["configuration"] for lang in contributes["languages"]]
named += [ext / g["path"] for g in contributes["grammars"]] + [ext / s["path"] for s in contributes["snippets"]]
for path in named:
    T.check(f"package.json names {path.relative_to(ext)}: it exists", path.is_file())
readme = (ext / "README.md").read_text(encoding="utf-8")
T.check("README.md: no relative link out of the extension's folder (vsce refuses to package one)",
        "](../" not in readme and "](/" not in readme)
language = contributes["languages"][0]
T.check("the language: id utfall, files .utfall", (language["id"], language["extensions"]) == ("utfall", [".utfall"]))
grammars = {g["scopeName"]: g for g in contributes["grammars"]}
T.check("grammars: source.utfall for the language, an injection into Markdown embedding it",
        grammars.get("source.utfall", {}).get("language") == "utfall"
        and grammars.get("markdown.utfall.codeblock", {}).get("injectTo") == ["text.html.markdown"]
        and grammars["markdown.utfall.codeblock"].get("embeddedLanguages") == {"meta.embedded.block.utfall": "utfall"},
        grammars)
grammar = load(ext / "syntaxes/utfall.tmLanguage.json")
injection = load(ext / "syntaxes/utfall.markdown.tmLanguage.json")
config = load(ext / "language-configuration.json")
snippets = load(ext / "snippets/utfall.json")
T.check("grammar, injection, language configuration, snippets: valid JSON",
        None not in (grammar, injection, config, snippets))
T.check("grammar: scope source.utfall", grammar["scopeName"] == "source.utfall")
T.check("injection: into Markdown, including source.utfall",
        injection["injectionSelector"] == "L:text.html.markdown" and '"source.utfall"' in json.dumps(injection))
T.check("language configuration: # comments, the three bracket pairs, quotes close",
        config["comments"] == {"lineComment": "#"} and config["brackets"] == [["{", "}"], ["(", ")"], ["[", "]"]]
        and {"open": '"', "close": '"', "notIn": ["string", "comment"]} in config["autoClosingPairs"], config)


def rules(node):
    """Every rule object (a dict with match, begin, end or include) in a grammar, recursively."""
    if isinstance(node, dict):
        if any(k in node for k in ("match", "begin", "include")):
            yield node
        for v in node.values():
            yield from rules(v)
    elif isinstance(node, list):
        for v in node:
            yield from rules(v)


for name, g in (("grammar", grammar), ("injection", injection)):
    bad = [r["include"] for r in rules(g) if "include" in r and r["include"].startswith("#")
           and r["include"][1:] not in g.get("repository", {})]
    bad += [r["include"] for r in rules(g) if "include" in r and not r["include"].startswith(("#", "$"))
            and r["include"] != "source.utfall"]
    T.check(f"{name}: every include resolves", not bad, bad)

# 2. Generated from the tables, and Python's re compiles every regex.
sys.path.insert(0, str(ext))
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
import generate  # noqa: E402

T.check("grammar: exactly what generate.py writes (run python3 editors/vscode/generate.py)",
        generate.generate(src, ext / "syntaxes/utfall.tmLanguage.json")
        == (ext / "syntaxes/utfall.tmLanguage.json").read_text(encoding="utf-8"))


def compiled(regex, captures=None):
    """Python's re for a grammar regex: `\\G` read as `^`; a back reference of an end or while
    rule to its begin's captures (a fence's backticks) replaced by that text, as TextMate does,
    or by nothing when no begin match is given."""
    regex = regex.replace("\\G", "^")
    if captures is not None or re.search(r"\\[1-9]", regex):
        regex = re.sub(r"\\([1-9])", lambda m: re.escape(captures.group(int(m.group(1))) or "") if captures else "", regex)
    return re.compile(regex)


failures = []
for name, g in (("grammar", grammar), ("injection", injection)):
    for r in rules(g):
        for key in ("match", "begin", "end", "while"):
            if key in r:
                try:
                    compiled(r[key])
                except re.error as e:
                    failures.append((name, key, r[key][:60], str(e)))
T.check("every regex of both grammars compiles with Python's re", not failures, failures)

rows = re.findall(r'^\s*X\((\w+),\s*"([^"]+)",\s*"([^"]+)"\)', (src / "grammar/keywords.hpp").read_text(encoding="utf-8"), re.M)
T.check("keywords.hpp: the table has its rows (71 as this test is written, or more)", len(rows) >= 71, len(rows))
for column, set_name in ((1, "english"), (2, "swedish")):
    keyword_rules = [compiled(r["match"]) for r in grammar["repository"][f"{set_name}-keywords"]["patterns"]]
    missed = [row[column] for row in rows if not any(k.fullmatch(row[column]) for k in keyword_rules)]
    T.check(f"every {set_name} keyword of keywords.hpp is matched by the {set_name} keyword rules", not missed, missed)
english = {row[1] for row in rows}
T.check("a name that begins with a keyword is not a keyword (`periodens`, `summan`)",
        not any(compiled(r["match"]).fullmatch(w) for r in grammar["repository"]["english-keywords"]["patterns"]
                for w in ("periodens", "pay_out", "totalt", "summan")))

# 3. The tokenizer: TextMate's loop for one line at a time, with the stack of open begin/end
# rules carried from line to line. At each position every pattern of the innermost open rule
# (and its end) is searched; the leftmost match wins, on a tie the end first and then the
# pattern listed first. A `match` rule scopes its text and its captures; a `begin` rule opens.
# Each line ends in "\n", as VS Code gives it to a grammar.


class Tokenizer:
    def __init__(self, g):
        self.g = g
        self.cache = {}

    def patterns(self, node):
        out = []
        for p in node.get("patterns", []):
            if "include" in p:
                inc = p["include"]
                target = self.g if inc == "$self" else self.g["repository"][inc[1:]]
                out += self.patterns(target) if "match" not in target and "begin" not in target else [target]
            else:
                out.append(p)
        return out

    def regex(self, text):
        if text not in self.cache:
            self.cache[text] = compiled(text)
        return self.cache[text]

    def lines(self, text):
        # Each open rule with the scopes of its begin and end, and those of its content.
        stack = [(self.g, [self.g["scopeName"]], [self.g["scopeName"]])]
        for text_line in text.split("\n"):
            line = text_line + "\n"  # as VS Code gives each line to the grammar
            scopes = [None] * len(line)
            pos = 0
            while pos <= len(line):
                rule, outer, base = stack[-1]
                best = None
                if "end" in rule:
                    m = self.regex(rule["end"]).search(line, pos)
                    if m:
                        best = (m.start(), 0, m, None)
                for i, p in enumerate(self.patterns(rule)):
                    m = self.regex(p.get("match") or p["begin"]).search(line, pos)
                    if m and (best is None or m.start() < best[0]):
                        best = (m.start(), i + 1, m, p)
                if best is None:
                    break
                start, _, m, p = best
                for k in range(pos, start):
                    scopes[k] = base
                if p is None:  # the end of the open rule
                    self.paint(scopes, m, outer, rule.get("endCaptures", {}))
                    stack.pop()
                elif "match" in p:
                    self.paint(scopes, m, base + p.get("name", "").split(), p.get("captures", {}))
                else:
                    outer = base + p.get("name", "").split()
                    self.paint(scopes, m, outer, p.get("beginCaptures", {}))
                    stack.append((p, outer, outer + p.get("contentName", "").split()))
                if m.end() == pos and (p is None or "match" in p):
                    if pos < len(line):
                        scopes[pos] = base
                    pos += 1
                else:
                    pos = m.end()
            base = stack[-1][2]
            for k in range(len(line)):
                if scopes[k] is None:
                    scopes[k] = base
            yield text_line, scopes[:-1]

    @staticmethod
    def paint(scopes, m, base, captures):
        for k in range(m.start(), m.end()):
            scopes[k] = list(base)
        for group in sorted(captures, key=int):
            if m.start(int(group)) >= 0:
                for k in range(m.start(int(group)), m.end(int(group))):
                    scopes[k] = scopes[k] + captures[group].get("name", "").split()


tokenizer = Tokenizer(grammar)


def has(scopes, prefix):
    return any(s == prefix or s.startswith(prefix + ".") for s in scopes)


def expect_scopes(label, text, line_prefix, word, prefix, nth=0):
    """In the first line of text that starts (after blanks) with line_prefix, the nth `word`:
    every character of it has a scope that begins with prefix."""
    for line, scopes in tokenizer.lines(text):
        if line.lstrip().startswith(line_prefix):
            at = -1
            for _ in range(nth + 1):
                at = line.find(word, at + 1)
            ok = at >= 0 and all(has(scopes[k], prefix) for k in range(at, at + len(word)))
            T.check(f"{label}: in `{line.strip()[:50]}`, `{word}` is {prefix}", ok,
                    at >= 0 and sorted({s for k in range(at, at + len(word)) for s in scopes[k]}))
            return
    T.check(f"{label}: a line starts with {line_prefix!r}", False)


A = src / "examples/a-aldreomsorg"
en = (A / "contract.utfall").read_text(encoding="utf-8")
sv = (A / "avtal.utfall").read_text(encoding="utf-8")
expect_scopes("contract.utfall", en, "term premieandel", "term", "keyword.declaration")
expect_scopes("contract.utfall", en, "term premieandel", "premieandel", "entity.name.variable")
expect_scopes("contract.utfall", en, "term premieandel", "30 %", "constant.numeric")
expect_scopes("contract.utfall", en, "term premieandel", "# the fund's share", "comment.line")
expect_scopes("contract.utfall", en, "# Scenario A", "Scenario", "comment.line")
expect_scopes("contract.utfall", en, "contract", '"Starkare, friskare', "string.quoted.double")
expect_scopes("contract.utfall", en, 'clause "3.1"', '3.1', "entity.name.section")
expect_scopes("contract.utfall", en, "let frigjort", "max", "support.function.builtin")
expect_scopes("contract.utfall", en, "let frigjort", "hemtjanst_kostnad", "variable.other")
expect_scopes("contract.utfall", en, "premie:", "capped", "keyword.other")
expect_scopes("contract.utfall", en, "premie:", "at", "keyword.other", nth=0)
expect_scopes("contract.utfall", en, "premie:", "half_even", "support.constant")
expect_scopes("contract.utfall", en, "expect kommun", "->", "keyword.operator.arrow")
expect_scopes("contract.utfall", en, "expect kommun -> utfallsfonden in 2027", "26_700_000.00", "constant.numeric")
expect_scopes("contract.utfall", en, "expect kommun -> utfallsfonden in 2027", "SEK", "keyword.other.unit")
expect_scopes("contract.utfall", en, "periods", "..", "keyword.operator.range")
expect_scopes("contract.utfall", en, "input avropat", "per", "keyword.other")
expect_scopes("contract.utfall", en, "input avropat", "SEK", "keyword.other.unit")
expect_scopes("avtal.utfall", sv, "villkor premieandel", "villkor", "keyword.declaration")
expect_scopes("avtal.utfall", sv, "villkor premieandel", "premieandel", "entity.name.variable")
expect_scopes("avtal.utfall", sv, 'punkt "3.1"', "punkt", "keyword.declaration")
expect_scopes("avtal.utfall", sv, "maximerat till", "maximerat", "keyword.other")
expect_scopes("avtal.utfall", sv, "maximerat till", "till", "keyword.other")
expect_scopes("avtal.utfall", sv, "låt frigjort", "frigjort", "entity.name.variable")
expect_scopes("avtal.utfall", sv, "förvänta kommun", "förvänta", "keyword.declaration")
expect_scopes("avtal.utfall", sv, "premie:", "av", "keyword.other")
# One set per file: `andel` is a name in an English contract and the keyword `ratio` in a
# Swedish one; `in` is the other way round.
expect_scopes("English file", 'contract "x"\nlet y = andel * 2', "let y", "andel", "variable.other")
expect_scopes("Swedish file", '# rubrik\navtal "x"\nlåt y = andel * 2 in', "låt y", "andel", "storage.type")
expect_scopes("Swedish file", '# rubrik\navtal "x"\nlåt y = in * 2', "låt y", "in", "variable.other")
expect_scopes("string", 'contract "Avtal om \\"Barnens Väl\\" # inte en kommentar"', "contract", "# inte",
              "string.quoted.double")
expect_scopes("string", 'contract "Avtal om \\"Barnens Väl\\" # inte en kommentar"', "contract", '\\"',
              "constant.character.escape")
expect_scopes("date", "contract \"x\"\nlet d = date 2026-03-31", "let d", "2026-03-31", "constant.other.date")
expect_scopes("period", "contract \"x\"\nlet k = kostnad @ 2027", "let k", "2027", "constant.other.period")
expect_scopes("period", "contract \"x\"\nperiods monthly 2025-11 .. 2026-02", "periods", "2026-02", "constant.other.period")
expect_scopes("period", "contract \"x\"\nperiods quarterly 2025Q3 .. 2026Q2", "periods", "2025Q3", "constant.other.period")
expect_scopes("unit", "contract \"x\"\nterm pris = 500_000 SEK per placement", "term", "placement", "keyword.other.unit")
expect_scopes("binder", "contract \"x\"\nfor each u in ungdomar {", "for", "u", "variable.parameter")
invalid = [(path.name, line) for path in sorted(src.glob("examples/*/*.utfall"))
           for line, scopes in tokenizer.lines(path.read_text(encoding="utf-8")) if any(has(s, "invalid") for s in scopes)]
T.check("every examples/*/*.utfall: nothing marked invalid", not invalid, invalid)

# 4. The snippets, filled with their defaults, are valid utfall.


def parse_snippet(body):
    """A snippet body as a list of parts: text, or (index, default parts, choices)."""
    i, out, stack = 0, [], []
    cur = out
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body) and body[i + 1] in "$}\\":
            cur.append(body[i + 1])
            i += 2
        elif c == "$" and (m := re.match(r"\$(\d+)|\$\{(\d+)\}|\$\{(\d+)\|([^|]*)\|\}|\$\{(\d+):", body[i:])):
            if m.group(1) or m.group(2):
                cur.append((int(m.group(1) or m.group(2)), None, None))
            elif m.group(3):
                cur.append((int(m.group(3)), None, m.group(4).split(",")))
            else:
                node = (int(m.group(5)), [], None)
                cur.append(node)
                stack.append(cur)
                cur = node[1]
            i += m.end()
        elif c == "}" and stack:
            cur = stack.pop()
            i += 1
        else:
            cur.append(c)
            i += 1
    return out


def filled(body):
    parts = parse_snippet(body)
    defaults = {}

    def collect(ps):
        for p in ps:
            if isinstance(p, tuple):
                index, default, choices = p
                if default is not None:
                    defaults.setdefault(index, default)
                    collect(default)
                elif choices:
                    defaults.setdefault(index, [choices[0]])

    def render(ps):
        return "".join(p if isinstance(p, str) else render(defaults.get(p[0], [])) for p in ps)

    collect(parts)
    return render(parts)


HARNESS = {
    "english": ('contract "Prov"\ncurrency SEK\nparty kommun "Kommunen"\nparty utforare "Utföraren"\n'
                'party fonden "Fonden"\nperiods yearly 2025 .. 2027\ninput kostnad : SEK per period\n'
                'term baslinje = 1_000_000 SEK\nclause "0" {\n  let frigjort = max(baslinje - kostnad, 0 SEK)\n}\n',
                'clause "9" "Prov" {\n', "}\n"),
    "swedish": ('avtal "Prov"\nvaluta SEK\npart kommun "Kommunen"\npart utforare "Utföraren"\n'
                'part fonden "Fonden"\nperioder årsvis 2025 .. 2027\nuppgift kostnad : SEK per period\n'
                'villkor baslinje = 1_000_000 SEK\npunkt "0" {\n  låt frigjort = max(baslinje - kostnad, 0 SEK)\n}\n',
                'punkt "9" "Prov" {\n', "}\n"),
}
# What each snippet is, and in which set: written here, not read from the snippets.
KINDS = {"Contract": ("contract", "english"), "Clause": ("top", "english"), "Payment": ("item", "english"),
         "Waterfall": ("item", "english"), "Avtal": ("contract", "swedish"), "Punkt": ("top", "swedish"),
         "Betalning": ("item", "swedish"), "Betalningsordning": ("item", "swedish")}
T.check("snippets: the eight named here, no more", set(snippets) == set(KINDS), sorted(snippets))
T.check("filling a snippet: defaults, mirrors, choices, $0",
        filled("a ${1:x} $1 ${2|p,q|} ${3:f(${1:x})} $0") == "a x x p f(x) ")
scratch = tempfile.TemporaryDirectory(prefix="utfall-vscode-")
work = Path(scratch.name)
for name, (kind, set_name) in KINDS.items():
    if name not in snippets:
        continue
    snippet = snippets[name]
    body = "\n".join(snippet["body"]).replace("\t", "  ")
    text = filled(body)
    header, clause_open, clause_close = HARNESS[set_name]
    prefixes = [snippet["prefix"]] if isinstance(snippet["prefix"], str) else snippet["prefix"]
    T.check(f"snippet {name}: its prefix is its first word", text.split()[0] in prefixes, prefixes)
    if kind == "top":
        text = header + text + "\n"
    elif kind == "item":
        text = header + clause_open + text + "\n" + clause_close
    path = work / f"{name}.utfall"
    path.write_text(text, encoding="utf-8")
    r = subprocess.run([utfall, "check", str(path)], capture_output=True, text=True, timeout=60)
    T.check(f"snippet {name} ({kind}, {set_name}): utfall check exits 0", r.returncode == 0, text + r.stdout + r.stderr)
    for line, scopes in tokenizer.lines(text):
        if any(has(s, "invalid") for s in scopes):
            T.check(f"snippet {name}: nothing marked invalid", False, line)

# 5. The Markdown fence.
block = injection["repository"]["utfall-code-block"]
begin = compiled(block["begin"])
inner_while = compiled(block["patterns"][0]["while"])
for fence, opens in (("```utfall", True), ("~~~ utfall", True), ("   ````utfall extra", True),
                     ("```utfallx", False), ("```csv", False), ("    ```utfall", False), ("``utfall", False)):
    T.check(f"injection: `{fence}` {'opens' if opens else 'does not open'} a utfall block",
            bool(begin.search(fence)) == opens)
end = compiled(block["end"], begin.search("````utfall"))
T.check("injection: the content runs while no fence closes it; a fence as long or longer closes it",
        inner_while.match("låt x = 1") and not inner_while.match("````") and end.search("````")
        and end.search("`````") and not end.search("```"))

scratch.cleanup()
T.finish()
