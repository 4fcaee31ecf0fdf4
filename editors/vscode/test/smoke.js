// The extension's client library against the real server, without VS Code: the protocol
// package that vscode-languageclient speaks through (vscode-languageserver-protocol, the version
// package-lock.json pins for both) starts `utfall lsp` as the extension does, over stdio, and
// goes through what an editor does with a contract.
//
//   npm ci && npm run smoke -- [UTFALL]      (UTFALL: the program, `utfall` on PATH by default)
//
// 1. initialize: the server names itself and offers what the extension's README promises;
// 2. examples/a-aldreomsorg/contract.utfall opened: no diagnostics; its outline has the terms and
//    clause 3.1; hover on `premieandel` says what it is; formatting answers;
// 3. the same example as a literate contract (avtal.md, languageId markdown, as the extension
//    sends a Markdown file): no diagnostics and an outline;
// 4. a contract with an unknown name: one diagnostic, error E208 on the name, from `utfall`;
//    with `--lang sv` (the setting utfall.server.language = sv) the same, in Swedish;
// 5. shutdown and exit: the server exits 0.
// Every wait is bounded; the first failed check ends the run with exit code 1.
'use strict';

const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  InitializeRequest, InitializedNotification, DidOpenTextDocumentNotification,
  PublishDiagnosticsNotification, DocumentSymbolRequest, HoverRequest, DocumentFormattingRequest,
  ShutdownRequest, ExitNotification, DiagnosticSeverity,
} = require('vscode-languageserver-protocol/node');

const { check, finish, program, root } = require('./tally');

const example = path.join(root, 'examples/a-aldreomsorg');
const TIMEOUT_MS = 30000;

function bounded(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${what} in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A server started as the extension starts it, and its connection. */
function start(args) {
  const child = cp.spawn(program, ['lsp', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (error) => {
      console.log(`FAIL cannot start ${program}: ${error.message} (give the program: npm run smoke -- PATH)`);
      process.exit(1);
    });
  });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published = new Map();  // uri -> resolve of the next diagnostics for it
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    const waiting = published.get(params.uri);
    if (waiting) {
      published.delete(params.uri);
      waiting(params.diagnostics);
    }
  });
  connection.listen();
  return {
    connection,
    exited,
    /** Opens a document; the diagnostics the server publishes for it. */
    open(uri, languageId, text) {
      const diagnostics = new Promise((resolve) => published.set(uri, resolve));
      void connection.sendNotification(DidOpenTextDocumentNotification.type,
        { textDocument: { uri, languageId, version: 1, text } });
      return bounded(diagnostics, `didOpen of ${uri}`);
    },
    request(type, params) {
      return bounded(connection.sendRequest(type, params), type.method);
    },
  };
}

async function initialize(server) {
  const answer = await server.request(InitializeRequest.type,
    { processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {}, workspaceFolders: null });
  await server.connection.sendNotification(InitializedNotification.type, {});
  return answer;
}

async function shutDown(server, label) {
  await server.request(ShutdownRequest.type, undefined);
  await server.connection.sendNotification(ExitNotification.type);
  const code = await bounded(server.exited, 'exit');
  check(`${label}: shutdown and exit, exit code 0`, code === 0, code);
  server.connection.dispose();
}

function names(symbols) {
  return symbols.flatMap((s) => [s.name, ...names(s.children || [])]);
}

const broken = 'contract "Prov"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2026\n'
  + 'clause "1" {\n  let x = okand * 2\n}\n';

async function main() {
  // 1.
  const server = start([]);
  const init = await initialize(server);
  const caps = init.capabilities;
  check('initialize: the server is utfall', init.serverInfo && init.serverInfo.name === 'utfall', init.serverInfo);
  check('initialize: full sync, outline, formatting, definition, hover',
    (caps.textDocumentSync && caps.textDocumentSync.change) === 1 && caps.documentSymbolProvider
    && caps.documentFormattingProvider && caps.definitionProvider && caps.hoverProvider, caps);

  // 2.
  const contractPath = path.join(example, 'contract.utfall');
  const contract = fs.readFileSync(contractPath, 'utf8');
  const contractUri = pathToFileURL(contractPath).href;
  const diagnostics = await server.open(contractUri, 'utfall', contract);
  check('contract.utfall: no diagnostics', diagnostics.length === 0, diagnostics);
  const symbols = await server.request(DocumentSymbolRequest.type, { textDocument: { uri: contractUri } });
  const outline = names(symbols || []);
  check('contract.utfall: the outline has the term premieandel and clause 3.1',
    outline.includes('premieandel') && outline.some((n) => n.startsWith('3.1')), outline);
  const lines = contract.split('\n');
  const line = lines.findIndex((l) => l.startsWith('term premieandel'));
  const hover = await server.request(HoverRequest.type,
    { textDocument: { uri: contractUri }, position: { line, character: 'term '.length + 2 } });
  check('contract.utfall: hover on premieandel says what it is',
    hover && JSON.stringify(hover.contents).includes('premieandel'), hover);
  const edits = await server.request(DocumentFormattingRequest.type,
    { textDocument: { uri: contractUri }, options: { tabSize: 2, insertSpaces: true } });
  check('contract.utfall: formatting answers with a list of edits', Array.isArray(edits), edits);

  // 3.
  const literatePath = path.join(example, 'avtal.md');
  const literateUri = pathToFileURL(literatePath).href;
  const literate = await server.open(literateUri, 'markdown', fs.readFileSync(literatePath, 'utf8'));
  check('avtal.md as Markdown: no diagnostics', literate.length === 0, literate);
  const literateSymbols = await server.request(DocumentSymbolRequest.type, { textDocument: { uri: literateUri } });
  check('avtal.md: an outline', Array.isArray(literateSymbols) && literateSymbols.length > 0, literateSymbols);

  // 4.
  const brokenUri = 'untitled:Untitled-1';
  const found = await server.open(brokenUri, 'utfall', broken);
  const [first] = found;
  check('an unknown name: one error, E208, from utfall, on `okand` (line 7, characters 10 to 15)',
    found.length === 1 && first.severity === DiagnosticSeverity.Error && first.code === 'E208'
    && first.source === 'utfall' && first.range.start.line === 6 && first.range.start.character === 10
    && first.range.end.line === 6 && first.range.end.character === 15, found);
  await shutDown(server, 'en');

  const swedish = start(['--lang', 'sv']);
  await initialize(swedish);
  const sv = await swedish.open(brokenUri, 'utfall', broken);
  check('--lang sv: the same diagnostic, in Swedish',
    sv.length === 1 && sv[0].code === 'E208' && sv[0].message.startsWith('okänt namn'), sv);
  // 5.
  await shutDown(swedish, 'sv');
  finish();
}

main().catch((error) => {
  console.log(`FAIL ${error.message}`);
  process.exit(1);
});
