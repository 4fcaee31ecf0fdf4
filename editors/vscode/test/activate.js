// The bundle, dist/extension.js, as VS Code would run it, against a stand-in for the `vscode`
// module: as much of VS Code's API as the extension and vscode-languageclient use, kept in
// memory. It checks the extension's own choices, not VS Code:
//
//   npm ci && npm run bundle && npm run activate -- [UTFALL]
//
// 1. activated with only a README open (Markdown without a utfall block): nothing is started
//    and nothing is said;
// 2. utfall.server.path set to a program that does not exist, a contract opened: one error
//    message, naming the setting; a second contract opened: no second message;
// 3. the path set to UTFALL and utfall.server.language to sv (a change of the settings restarts
//    the server): the server starts, with `--lang sv`; scenario A has no diagnostics, a contract
//    with an unknown name has E208 in Swedish, avtal.md (a literate contract) none, and what the
//    server says of the README (an empty contract: E401, E403) is not shown; the outline,
//    formatting, definition and hover providers are registered;
// 4. the command utfall.restartServer: another server process, the same diagnostics again;
// 5. deactivate: the server is shut down and its process ends.
// The server processes are found in /proc: Linux only.
// Every wait is bounded; the first failed check ends the run with exit code 1.
'use strict';

const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const { check, finish, program, root } = require('./tally');

const TIMEOUT_MS = 30000;

async function until(what, predicate) {
  const end = Date.now() + TIMEOUT_MS;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`waited ${TIMEOUT_MS / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// --- The stand-in for VS Code -----------------------------------------------------------------

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener, thisArg) => {
      const bound = listener.bind(thisArg);
      this.listeners.add(bound);
      return new Disposable(() => this.listeners.delete(bound));
    };
  }
  fire(value) { for (const l of [...this.listeners]) l(value); }
  dispose() { this.listeners.clear(); }
}

class Disposable {
  constructor(fn) { this.fn = fn; }
  static from(...items) { return new Disposable(() => items.forEach((i) => i && i.dispose && i.dispose())); }
  dispose() { if (this.fn) this.fn(); this.fn = undefined; }
}

class Uri {
  constructor(scheme, p) { this.scheme = scheme; this.path = p; this.fsPath = p; this.authority = ''; this.query = ''; this.fragment = ''; }
  static file(p) { return new Uri('file', p); }
  static parse(text) {
    if (text.startsWith('file://')) return Uri.file(decodeURIComponent(text.slice('file://'.length)));
    const colon = text.indexOf(':');
    return new Uri(text.slice(0, colon), text.slice(colon + 1));
  }
  toString() { return this.scheme === 'file' ? `file://${encodeURI(this.path)}` : `${this.scheme}:${this.path}`; }
  with() { return this; }
  toJSON() { return this.toString(); }
}

/** A class for any other name: it keeps its constructor's arguments. */
function plainClass(name) {
  return { [name]: class { constructor(...args) { this.args = args; } } }[name];
}
const Range = class { constructor(a, b, c, d) { Object.assign(this, typeof a === 'number' ? { start: { line: a, character: b }, end: { line: c, character: d } } : { start: a, end: b }); } };
const Position = class { constructor(line, character) { this.line = line; this.character = character; } };
const Diagnostic = class { constructor(range, message, severity) { Object.assign(this, { range, message, severity }); } };
const numbered = () => new Proxy({}, { get: (_, key) => (typeof key === 'string' ? key.length : undefined) });

function document(file, languageId, text) {
  const uri = file.includes(':') && !file.startsWith('/') ? Uri.parse(file) : Uri.file(file);
  return {
    uri, languageId, version: 1, isClosed: false, isDirty: false, isUntitled: uri.scheme === 'untitled',
    fileName: uri.fsPath, eol: 1, lineCount: text.split('\n').length, getText: () => text,
  };
}

const state = {
  settings: { 'utfall.server.path': 'utfall', 'utfall.server.args': ['lsp'], 'utfall.server.language': 'en' },
  errors: [], infos: [], diagnostics: new Map(), providers: [], commands: new Map(), documents: [], output: [],
};
const events = {
  open: new EventEmitter(), close: new EventEmitter(), change: new EventEmitter(), save: new EventEmitter(),
  willSave: new EventEmitter(), configuration: new EventEmitter(), folders: new EventEmitter(),
  editors: new EventEmitter(), active: new EventEmitter(), tabs: new EventEmitter(), log: new EventEmitter(),
};

// A glob of a document filter as a regular expression: `**/`, `*` and `{a,b}`, nothing more.
function globRegex(glob) {
  const body = glob.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*/g, '[^/]*')
    .replace(/\0/g, '(?:.*/)?').replace(/\{([^}]*)\}/g, (_, alternatives) => `(?:${alternatives.split(',').join('|')})`);
  return new RegExp(`^${body}$`);
}

function matchOne(filter, doc) {
  if (typeof filter === 'string') return filter === doc.languageId ? 10 : 0;
  if (filter.language && filter.language !== doc.languageId) return 0;
  if (filter.scheme && filter.scheme !== doc.uri.scheme) return 0;
  if (filter.pattern && !globRegex(filter.pattern).test(doc.uri.fsPath)) return 0;
  return 10;
}

const diagnosticCollection = (name) => ({
  name,
  set(uri, list) { state.diagnostics.set(uri.toString(), list || []); },
  delete(uri) { state.diagnostics.delete(uri.toString()); },
  get(uri) { return state.diagnostics.get(uri.toString()); },
  has(uri) { return state.diagnostics.has(uri.toString()); },
  clear() { state.diagnostics.clear(); },
  forEach() {},
  dispose() {},
});

const log = (level) => (message) => state.output.push(`${level}: ${message}`);
const languages = new Proxy({
  match: (selector, doc) => Math.max(0, ...[].concat(selector).map((f) => matchOne(f, doc))),
  createDiagnosticCollection: diagnosticCollection,
  getLanguages: async () => ['utfall', 'markdown'],
}, {
  get(target, key) {
    if (key in target) return target[key];
    if (typeof key === 'string' && key.startsWith('register')) {
      return (selector, provider) => { state.providers.push({ kind: key, selector, provider }); return new Disposable(); };
    }
    return undefined;
  },
});

const vscode = new Proxy({
  version: '1.95.0',
  env: { language: 'en', appName: 'stand-in', openExternal: async () => false },
  EventEmitter, Disposable, Uri, Range, Position, Diagnostic,
  CancellationTokenSource: class { constructor() { this.token = { isCancellationRequested: false, onCancellationRequested: () => new Disposable() }; } cancel() {} dispose() {} },
  CancellationError: class extends Error {},
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  workspace: {
    get textDocuments() { return state.documents; },
    workspaceFolders: undefined,
    notebookDocuments: [],
    getConfiguration(section) {
      return {
        get: (key, fallback) => {
          const full = section ? `${section}.${key}` : key;
          return full in state.settings ? state.settings[full] : fallback;
        },
        has: () => false, update: async () => {}, inspect: () => undefined,
      };
    },
    onDidOpenTextDocument: events.open.event, onDidCloseTextDocument: events.close.event,
    onDidChangeTextDocument: events.change.event, onDidSaveTextDocument: events.save.event,
    onWillSaveTextDocument: events.willSave.event, onDidChangeConfiguration: events.configuration.event,
    onDidChangeWorkspaceFolders: events.folders.event,
    createFileSystemWatcher: () => ({ onDidCreate: () => new Disposable(), onDidChange: () => new Disposable(), onDidDelete: () => new Disposable(), dispose() {} }),
    applyEdit: async () => true,
  },
  window: {
    createOutputChannel: (name, options) => ({
      name, logLevel: 3, onDidChangeLogLevel: events.log.event, isLog: Boolean(options && options.log),
      append: log('text'), appendLine: log('text'), replace() {}, clear() {}, show() {}, hide() {}, dispose() {},
      trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'),
    }),
    showErrorMessage: (message) => { state.errors.push(message); return Promise.resolve(undefined); },
    showWarningMessage: (message) => { state.errors.push(`warning: ${message}`); return Promise.resolve(undefined); },
    showInformationMessage: (message) => { state.infos.push(message); return Promise.resolve(undefined); },
    activeTextEditor: undefined, visibleTextEditors: [],
    onDidChangeVisibleTextEditors: events.editors.event, onDidChangeActiveTextEditor: events.active.event,
    tabGroups: { all: [], onDidChangeTabs: events.tabs.event, onDidChangeTabGroups: events.tabs.event },
    withProgress: async (_, task) => task({ report() {} }, new vscode.CancellationTokenSource().token),
  },
  languages,
  commands: {
    registerCommand: (id, fn) => { state.commands.set(id, fn); return new Disposable(() => state.commands.delete(id)); },
    executeCommand: async (id, ...args) => (state.commands.get(id) ? state.commands.get(id)(...args) : undefined),
  },
}, {
  get(target, key) {
    if (key in target) return target[key];
    if (typeof key !== 'string' || key === 'then' || key === '__esModule') return undefined;
    // Enums (DiagnosticSeverity, SymbolKind, ...) as numbers, anything else as a plain class.
    target[key] = /Kind$|Severity$|Tag$|Reason$|Type$|Mode$|^ProgressLocation$|Behavior$/.test(key) ? numbered() : plainClass(key);
    return target[key];
  },
});

// The bundle copies the module's own names (esbuild's __importStar), so every capitalised name
// the client library reads from it is made here, before the bundle is loaded.
function librarySources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
    ? librarySources(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []));
}
for (const file of librarySources(path.join(__dirname, '../node_modules/vscode-languageclient/lib'))) {
  for (const [, name] of fs.readFileSync(file, 'utf8').matchAll(/\b(?:code|vscode_1|vscode)\.([A-Z]\w*)/g)) {
    void vscode[name];
  }
}

const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};

// --- The checks ------------------------------------------------------------------------------

function openDocument(doc) {
  state.documents.push(doc);
  events.open.fire(doc);
}

function changeSettings(values) {
  Object.assign(state.settings, values);
  events.configuration.fire({ affectsConfiguration: (section) => Object.keys(values).some((k) => k.startsWith(section)) });
}

function serverProcesses() {
  return serverPids().map((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean));
}

/** The children of this process that are running (Linux: /proc). */
function serverPids() {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return parent === process.pid && !/^[^)]*\) Z/.test(stat.slice(stat.indexOf('(')));
    } catch {
      return false;
    }
  });
}

async function main() {
  const extension = require(path.resolve(__dirname, '../dist/extension.js'));
  const context = { subscriptions: [], extensionPath: path.resolve(__dirname, '..') };
  const readme = document(path.join(root, 'README.md'), 'markdown', fs.readFileSync(path.join(root, 'README.md'), 'utf8'));

  // 1.
  state.documents.push(readme);
  state.settings['utfall.server.path'] = '/nonexistent/utfall';
  extension.activate(context);
  check('activate: the restart command is registered', state.commands.has('utfall.restartServer'));
  await new Promise((r) => setTimeout(r, 200));
  check('only a README open: no message, no server', state.errors.length === 0 && serverProcesses().length === 0,
    [state.errors, serverProcesses()]);

  // 2.
  const A = path.join(root, 'examples/a-aldreomsorg');
  const contract = document(path.join(A, 'contract.utfall'), 'utfall', fs.readFileSync(path.join(A, 'contract.utfall'), 'utf8'));
  openDocument(contract);
  await until('an error message', () => state.errors.length > 0);
  check('a program that does not exist: one error message naming utfall.server.path',
    state.errors.length === 1 && state.errors[0].includes('"utfall.server.path"') && state.errors[0].includes('/nonexistent/utfall'),
    state.errors);
  openDocument(document(path.join(A, 'avtal.utfall'), 'utfall', fs.readFileSync(path.join(A, 'avtal.utfall'), 'utf8')));
  await new Promise((r) => setTimeout(r, 200));
  check('a second contract opened: no second message', state.errors.length === 1, state.errors);

  // 3.
  const broken = document('untitled:Untitled-1', 'utfall',
    'contract "Prov"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2026\nclause "1" {\n  let x = okand * 2\n}\n');
  const literate = document(path.join(A, 'avtal.md'), 'markdown', fs.readFileSync(path.join(A, 'avtal.md'), 'utf8'));
  state.documents.push(broken, literate);
  changeSettings({ 'utfall.server.path': program, 'utfall.server.language': 'sv' });
  await until('the diagnostics of four documents',
    () => [contract, broken, literate, readme].every((d) => state.diagnostics.has(d.uri.toString())));
  const running = serverProcesses();
  check('the settings changed: the server runs as `PROGRAM lsp --lang sv`',
    running.length === 1 && JSON.stringify(running[0].slice(-3)) === '["lsp","--lang","sv"]', running);
  check('no error message since', state.errors.length === 1, state.errors);
  const of = (d) => state.diagnostics.get(d.uri.toString());
  check('scenario A: no diagnostics', of(contract).length === 0, of(contract));
  check('avtal.md: no diagnostics', of(literate).length === 0, of(literate));
  check('README.md: what the server says of it (E401, E403: an empty contract) is not shown', of(readme).length === 0, of(readme));
  const [unknown] = of(broken);
  check('an unknown name: E208, in Swedish',
    of(broken).length === 1 && String(unknown.code && (unknown.code.value || unknown.code)) === 'E208'
    && unknown.message.startsWith('okänt namn'), of(broken));
  const kinds = new Set(state.providers.map((p) => p.kind));
  check('the outline, formatting, definition and hover providers are registered',
    ['registerDocumentSymbolProvider', 'registerDocumentFormattingEditProvider', 'registerDefinitionProvider',
      'registerHoverProvider'].every((k) => kinds.has(k)), [...kinds]);

  // 4.
  const before = serverPids();
  state.diagnostics.clear();
  await state.commands.get('utfall.restartServer')();
  await until('the diagnostics again', () => state.diagnostics.has(broken.uri.toString()));
  const after = serverPids();
  check('utfall.restartServer: another server process, the diagnostics again',
    after.length === 1 && after[0] !== before[0] && of(broken).length === 1 && state.errors.length === 1, [before, after, state.errors]);

  // 5.
  await extension.deactivate();
  await until('the server to end', () => serverProcesses().length === 0);
  check('deactivate: the server process has ended', true);
  finish();
  process.exit(0);
}

main().catch((error) => {
  console.log(`FAIL ${error.stack || error.message}`);
  console.log(state.output.join('\n'));
  process.exit(1);
});
