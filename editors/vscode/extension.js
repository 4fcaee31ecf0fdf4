// The extension's code: a language client that starts `utfall lsp` (docs/cli.md, "utfall lsp")
// for .utfall files and for literate contracts, the Markdown files with ```utfall blocks.
//
// Everything else the extension does (highlighting, snippets, brackets) is declared in
// package.json and needs no code. This file is bundled with vscode-languageclient by esbuild
// (`npm run bundle`) into dist/extension.js, the `main` that VS Code loads, so the packaged
// extension carries no node_modules.
//
// The settings (package.json, contributes.configuration):
//   utfall.server.path      the program, `utfall` on PATH unless given
//   utfall.server.args      its arguments, ["lsp"]
//   utfall.server.language  en or sv: the diagnostics' language (`--lang sv`)
// A change to any of them restarts the server; so does the command utfall.restartServer.
//   utfall.data             contract (path or glob) -> data file, for hover's values; sent as
//                           initializationOptions.data and, as it changes, in
//                           workspace/didChangeConfiguration (the section `utfall`), no restart
//
// The server is started when the first document it serves is open, not when the extension
// activates: every Markdown file activates the extension, and a README should neither start a
// process nor, where utfall is not installed, bring up an error. A program that cannot be found
// gives one error message that names the setting, and no start until the setting changes or the
// command restarts it. A server that keeps stopping is restarted at most four times in three
// minutes (vscode-languageclient's rule), then left stopped with one message.
'use strict';

const vscode = require('vscode');
const { LanguageClient, CloseAction } = require('vscode-languageclient/node');
const fs = require('node:fs');
const path = require('node:path');

const NAME = 'utfall';
const TITLE = 'utfall language server';

// The documents the server reads: a contract in its own language, in a saved file or not, and
// a saved Markdown file, which the server reads as a literate contract because its name ends
// in .md or .markdown (interpreter/literate.cpp, is_literate); an unsaved Markdown buffer has
// no such name and would be read as plain utfall, so it is not sent.
const DOCUMENTS = [
  { language: 'utfall', scheme: 'file' },
  { language: 'utfall', scheme: 'untitled' },
  { language: 'markdown', scheme: 'file', pattern: '**/*.{md,markdown}' },
];

// A fence that opens a utfall block, as interpreter/literate.cpp reads one: up to three spaces,
// three or more backticks or tildes, an info string whose first word is `utfall`.
const UTFALL_FENCE = /^ {0,3}(?:`{3,}|~{3,})[ \t]*utfall(?:[ \t]|$)/m;

/** Whether the server has something to say about a document: a .utfall document always, a
 * Markdown one when it has a utfall block (the server reads any other Markdown file as an empty
 * contract, and reports that it declares no currency and no periods, E401 and E403). */
function isContract(document) {
  if (document.languageId === 'utfall') return true;
  return document.languageId === 'markdown' && document.uri.scheme === 'file'
    && /\.(md|markdown)$/i.test(document.uri.fsPath) && UTFALL_FENCE.test(document.getText());
}

/** The program and arguments the settings name. */
function serverCommand() {
  const config = vscode.workspace.getConfiguration('utfall.server');
  const command = (config.get('path') || 'utfall').trim() || 'utfall';
  const args = [...(config.get('args') || ['lsp'])];
  const language = config.get('language') || 'en';
  if (language !== 'en' && !args.includes('--lang')) args.push('--lang', language);
  return { command, args };
}

/** The file a command names, or undefined when there is none: a path with a directory in it
 * as it is (relative to the first workspace folder), a bare name looked up on PATH, with
 * PATHEXT's extensions on Windows. */
function findProgram(command) {
  const windows = process.platform === 'win32';
  const extensions = windows ? ['', ...(process.env.PATHEXT || '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  const runnable = (file) => {
    try {
      if (!fs.statSync(file).isFile()) return false;
      if (!windows) fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const first = (base) => extensions.map((e) => base + e).find(runnable);
  if (command.includes('/') || (windows && command.includes('\\'))) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return first(path.isAbsolute(command) || !folder ? command : path.join(folder, command));
  }
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const found = dir && first(path.join(dir, command));
    if (found) return found;
  }
  return undefined;
}

/** The one running client, or none; `failed` is set when the program was not found, so that
 * the message comes once, until the settings change or the command restarts. */
class Server {
  constructor(output) {
    this.output = output;
    this.client = undefined;
    this.failed = false;
    this.starting = undefined;
  }

  /** Starts the server if a document it serves is open and it is not running or refused. */
  async ensure() {
    if (this.client || this.failed || this.starting) return this.starting;
    if (!vscode.workspace.textDocuments.some(isContract)) return undefined;
    this.starting = this.start().finally(() => { this.starting = undefined; });
    return this.starting;
  }

  async start() {
    const { command, args } = serverCommand();
    const program = findProgram(command);
    if (!program) {
      this.failed = true;
      const where = command.includes('/') || command.includes('\\') ? `\`${command}\` does not exist or cannot be run`
        : `\`${command}\` is not on PATH`;
      // Not awaited: the message stays up as long as the user leaves it, and nothing waits on it.
      void vscode.window.showErrorMessage(
        `utfall: cannot start the language server: ${where}. Install utfall, or set "utfall.server.path" to the program.`,
        'Open Settings').then((choice) => {
        if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'utfall.server.path');
        }
      });
      return;
    }
    const client = new LanguageClient(NAME, TITLE, { command: program, args }, {
      documentSelector: DOCUMENTS,
      outputChannel: this.output,
      initializationOptions: { data: vscode.workspace.getConfiguration('utfall').get('data') || {} },
      synchronize: { configurationSection: 'utfall' },
      errorHandler: restartRule(() => client, `${program} ${args.join(' ')}`),
      middleware: {
        // A Markdown file without utfall blocks is no contract: what the server says of it is
        // not shown, and it is not formatted.
        handleDiagnostics: (uri, diagnostics, next) => {
          const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
          next(uri, document && !isContract(document) ? [] : diagnostics);
        },
        provideDocumentFormattingEdits: (document, options, token, next) =>
          (isContract(document) ? next(document, options, token) : []),
      },
    });
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      // vscode-languageclient has shown its own message and written the reason to the output.
      this.client = undefined;
      this.failed = true;
      await client.dispose().catch(() => {});
    }
  }

  async stop() {
    if (this.starting) await this.starting.catch(() => {});
    const client = this.client;
    this.client = undefined;
    if (client) await client.dispose().catch(() => {});
  }

  /** After a change of the settings, or by the command: the program is looked for again. */
  async restart() {
    await this.stop();
    this.failed = false;
    await this.ensure();
  }
}

/** vscode-languageclient's rule for a server that stops (restart it, but not a fifth time in
 * three minutes), with a last message that says what to check. */
function restartRule(client, commandLine) {
  let rule;  // made on first use: the client does not exist yet when its options are written
  const theRule = () => (rule ??= client().createDefaultErrorHandler(4));
  return {
    error: (error, message, count) => theRule().error(error, message, count),
    closed: async () => {
      const result = await theRule().closed();
      if (result.action !== CloseAction.DoNotRestart) return result;
      return {
        action: CloseAction.DoNotRestart,
        message: `utfall: the language server (\`${commandLine}\`) stopped five times in three minutes and is not `
          + `restarted. What it wrote is in the output "${TITLE}"; check the settings "utfall.server.path" and `
          + '"utfall.server.args", then run "utfall: Restart the Language Server".',
      };
    },
  };
}

let server;

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  // A log channel: vscode-languageclient writes to it with error(), warn() and info().
  const output = vscode.window.createOutputChannel(TITLE, { log: true });
  server = new Server(output);
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('utfall.restartServer', async () => {
      await server.restart();
      if (!server.client && !server.failed) {
        void vscode.window.showInformationMessage('utfall: no contract is open; the language server starts with the first one.');
      }
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('utfall.server')) void server.restart();
    }),
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (isContract(document)) void server.ensure();
    }),
    // A Markdown file becomes a literate contract when its first utfall block is written.
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (!server.client && isContract(event.document)) void server.ensure();
    }),
  );
  void server.ensure();
}

/** VS Code waits for this: the server is asked to shut down and exit. */
function deactivate() {
  return server?.stop();
}

module.exports = { activate, deactivate };
