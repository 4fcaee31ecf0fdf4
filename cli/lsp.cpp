// `utfall lsp` (cli/lsp.hpp): the framing of the stream, JSON-RPC, and the dispatch of each
// method to the analyses of cli/lsp_analysis.hpp.
#include "cli/lsp.hpp"

#include <cctype>
#include <charconv>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cli/lsp_analysis.hpp"
#include "interpreter/unicode.hpp"
#include "interpreter/version.hpp"

namespace utfall {
namespace {

using lsp::json;

constexpr std::size_t kMaxBody = 64u << 20;
constexpr std::size_t kMaxHeaderLine = 8u << 10;
constexpr std::size_t kMaxHeaders = 64;

// JSON-RPC's and LSP's error codes, the ones answered here.
constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601, kInternalError = -32603,
              kNotInitialized = -32002;
using lsp::kInvalidParams, lsp::kRequestFailed;

enum class Frame { message, end, broken };

// Reads one header line (without its line end) into `line`.
Frame read_header_line(std::istream& in, std::string& line, std::string& why) {
  line.clear();
  for (int c; (c = in.get()) != std::char_traits<char>::eof();) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return Frame::message;
    }
    if (line.size() >= kMaxHeaderLine) {
      why = "a header line is longer than 8 KiB";
      return Frame::broken;
    }
    line += static_cast<char>(c);
  }
  return Frame::end;
}

// Reads the next message's JSON text into `body`: `end` at the end of the input between two
// messages, `broken` (with `why`) when the framing is wrong.
Frame read_message(std::istream& in, std::string& body, std::string& why) {
  std::optional<std::size_t> length;
  std::string line;
  std::size_t headers = 0;
  for (;;) {
    const Frame got = read_header_line(in, line, why);
    if (got == Frame::broken) return got;
    if (got == Frame::end) {
      if (headers == 0 && line.empty()) return Frame::end;
      why = "the input ended inside a message's headers";
      return Frame::broken;
    }
    if (line.empty()) {
      if (headers == 0) continue;  // blank lines between messages
      break;
    }
    if (++headers > kMaxHeaders) {
      why = "a message has more than 64 header lines";
      return Frame::broken;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) {
      why = "a header line has no `:`: " + terminal_text(line.substr(0, 80));
      return Frame::broken;
    }
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name != "content-length") continue;
    std::string_view value = std::string_view(line).substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    std::size_t n = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
      why = "Content-Length is not a number of bytes: " + terminal_text(std::string(value.substr(0, 80)));
      return Frame::broken;
    }
    if (n > kMaxBody) {
      why = "Content-Length " + std::to_string(n) + " is over the limit of 64 MiB";
      return Frame::broken;
    }
    length = n;
  }
  if (!length) {
    why = "a message has no Content-Length header";
    return Frame::broken;
  }
  body.resize(*length);
  in.read(body.data(), static_cast<std::streamsize>(*length));
  if (static_cast<std::size_t>(in.gcount()) != *length) {
    why = "the input ended inside a message (Content-Length " + std::to_string(*length) + ")";
    return Frame::broken;
  }
  return Frame::message;
}

// A request answered with an error; the analyses throw the same (cli/lsp_analysis.hpp).
using RpcError = lsp::Refused;

class Server {
 public:
  Server(std::ostream& out, Language language) : out_(out), language_(language) {}

  // Handles one message's text; the exit code once the server is to stop.
  std::optional<int> handle(const std::string& body) {
    json message;
    try {
      message = json::parse(body);
    } catch (const json::parse_error& e) {
      fail(nullptr, kParseError, std::string("the message is not JSON: ") + e.what());
      return stopped();
    }
    const bool is_request = message.is_object() && message.contains("id");
    const json id = is_request ? message["id"] : json();
    if (!message.is_object() || !message.contains("method") || !message["method"].is_string() ||
        (is_request && !id.is_string() && !id.is_number_integer())) {
      // A response to a request of ours (none is sent) is dropped; anything else is refused.
      if (!(is_request && (message.contains("result") || message.contains("error"))))
        fail(id.is_string() || id.is_number_integer() ? id : json(), kInvalidRequest, "not a JSON-RPC request or notification");
      return stopped();
    }
    const auto method = message["method"].get<std::string>();
    const json params = message.contains("params") ? message["params"] : json::object();
    try {
      if (is_request) reply(id, request(method, params));
      else notification(method, params);
    } catch (const RpcError& e) {
      if (is_request) fail(id, e.code, e.message);
    } catch (const std::exception& e) {  // a bug: say so, and serve on
      if (is_request) fail(id, kInternalError, std::string("internal error (a bug in utfall): ") + e.what());
      else std::cerr << "utfall lsp: internal error in " << terminal_text(method) << ": " << terminal_text(e.what()) << "\n";
    }
    return stopped();
  }

  // At the end of the input: as if `exit` had come.
  int exit_code() const { return shut_down_ ? 0 : 1; }

 private:
  std::optional<int> stopped() const {
    if (!out_) return 1;  // the editor no longer reads
    if (exited_) return exit_code();
    return std::nullopt;
  }

  void send(const json& message) {
    const std::string body = message.dump(-1, ' ', false, json::error_handler_t::replace);
    out_ << "Content-Length: " << body.size() << "\r\n\r\n" << body;
    out_.flush();
  }
  void reply(const json& id, json result) { send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}); }
  void fail(const json& id, int code, const std::string& message) {
    send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
  }
  void notify(const std::string& method, json params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }

  json request(const std::string& method, const json& params) {
    if (method == "initialize") {
      if (initialized_) throw RpcError{kInvalidRequest, "initialize was already received"};
      initialized_ = true;
      settings_.root = workspace_root(params);
      if (params.contains("initializationOptions")) data_setting(params["initializationOptions"]);
      return capabilities();
    }
    if (!initialized_) throw RpcError{kNotInitialized, "the server is not initialized"};
    if (shut_down_) throw RpcError{kInvalidRequest, "the server is shutting down"};
    if (method == "shutdown") {
      shut_down_ = true;
      return nullptr;
    }
    if (method == "textDocument/documentSymbol") return lsp::document_symbols(document(params));
    if (method == "textDocument/formatting") {
      auto edits = lsp::formatting(document(params), language_);
      if (auto* why = std::get_if<std::string>(&edits)) throw RpcError{kRequestFailed, *why};
      return std::get<json>(std::move(edits));
    }
    if (method == "textDocument/definition") return lsp::definition(document(params), field(params, "position"));
    if (method == "textDocument/hover") {
      const auto& d = document(params);
      return lsp::hover(d, field(params, "position"), language_, lsp::named_data(settings_, d.uri));
    }
    if (method == "textDocument/references") {
      const json& context = params.contains("context") ? params["context"] : json::object();
      const bool declaration = context.is_object() && context.contains("includeDeclaration") &&
                               context["includeDeclaration"].is_boolean() && context["includeDeclaration"].get<bool>();
      return lsp::references(document(params), field(params, "position"), declaration);
    }
    if (method == "textDocument/prepareRename") return lsp::prepare_rename(document(params), field(params, "position"));
    if (method == "textDocument/rename")
      return lsp::rename(document(params), field(params, "position"), string_field(params, "newName"), language_);
    if (method == "textDocument/completion") return lsp::completion(document(params), field(params, "position"));
    throw RpcError{kMethodNotFound, "no method `" + method + "`"};
  }

  // What is implemented, and nothing more.
  static json capabilities() {
    return {{"capabilities",
             {{"textDocumentSync", {{"openClose", true}, {"change", 1}}},  // 1: Full
              {"documentSymbolProvider", true},
              {"documentFormattingProvider", true},
              {"definitionProvider", true},
              {"hoverProvider", true},
              {"referencesProvider", true},
              {"renameProvider", {{"prepareProvider", true}}},
              {"completionProvider", {{"triggerCharacters", json::array({"."})}}}}},
            {"serverInfo", {{"name", "utfall"}, {"version", version_text}}}};
  }

  void notification(const std::string& method, const json& params) {
    if (method == "exit") {
      exited_ = true;
      return;
    }
    if (!initialized_ || shut_down_) return;  // dropped, as the protocol says
    if (method == "textDocument/didOpen") {
      const auto& item = field(params, "textDocument");
      open(string_field(item, "uri"), string_field(item, "text"));
    } else if (method == "textDocument/didChange") {
      const auto& uri = string_field(field(params, "textDocument"), "uri");
      const auto found = documents_.find(uri);
      if (found == documents_.end()) throw RpcError{kInvalidParams, "the document is not open"};
      open(uri, lsp::apply_changes(found->second.text, field(params, "contentChanges")));
    } else if (method == "workspace/didChangeConfiguration") {
      const json& settings = params.contains("settings") ? params["settings"] : json();
      if (settings.is_object() && settings.contains("utfall")) data_setting(settings["utfall"]);
    } else if (method == "textDocument/didClose") {
      const auto uri = string_field(field(params, "textDocument"), "uri");
      if (documents_.erase(uri) != 0) notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
    }
  }

  void open(const std::string& uri, std::string text) {
    auto now = lsp::analyze(uri, std::move(text));
    if (const auto before = documents_.find(uri); before != documents_.end()) lsp::keep_last_good(now, before->second);
    auto& document = documents_[uri] = std::move(now);
    notify("textDocument/publishDiagnostics", lsp::diagnostics_params(document, language_));
  }

  // The folder of the workspace: `rootUri`, else the first of `workspaceFolders`, else `rootPath`.
  static std::string workspace_root(const json& params) {
    if (params.contains("rootUri") && params["rootUri"].is_string())
      if (auto path = lsp::file_path(params["rootUri"].get<std::string>())) return *path;
    if (params.contains("workspaceFolders") && params["workspaceFolders"].is_array() && !params["workspaceFolders"].empty()) {
      const json& first = params["workspaceFolders"][0];
      if (first.is_object() && first.contains("uri") && first["uri"].is_string())
        if (auto path = lsp::file_path(first["uri"].get<std::string>())) return *path;
    }
    if (params.contains("rootPath") && params["rootPath"].is_string()) return params["rootPath"].get<std::string>();
    return {};
  }
  // The `data` of the client's options or settings (`utfall.data`); anything but an object names none.
  void data_setting(const json& options) {
    const bool named = options.is_object() && options.contains("data") && options["data"].is_object();
    settings_.files = named ? options["data"] : json::object();
  }

  const lsp::Document& document(const json& params) const {
    const auto found = documents_.find(string_field(field(params, "textDocument"), "uri"));
    if (found == documents_.end()) throw RpcError{kInvalidParams, "the document is not open"};
    return found->second;
  }
  static const json& field(const json& object, const char* name) {
    if (!object.is_object() || !object.contains(name)) throw RpcError{kInvalidParams, std::string("no `") + name + "`"};
    return object[name];
  }
  static std::string string_field(const json& object, const char* name) {
    const auto& value = field(object, name);
    if (!value.is_string()) throw RpcError{kInvalidParams, std::string("`") + name + "` is not a string"};
    return value.get<std::string>();
  }

  std::ostream& out_;
  const Language language_;
  std::map<std::string, lsp::Document> documents_;
  lsp::DataSettings settings_;
  bool initialized_ = false, shut_down_ = false, exited_ = false;
};

}  // namespace

int serve_lsp(std::istream& in, std::ostream& out, Language language) {
  Server server(out, language);
  std::string body, why;
  for (;;) {
    switch (read_message(in, body, why)) {
      case Frame::end:
        return server.exit_code();
      case Frame::broken:
        std::cerr << "utfall lsp: " << why << "; the stream cannot be read on\n";
        return 1;
      case Frame::message:
        if (auto code = server.handle(body)) return *code;
    }
  }
}

LspCommand::LspCommand(CLI::App& app) {
  command_ = app.add_subcommand("lsp", "A Language Server Protocol server on stdin and stdout, for editors");
  command_->add_option("--lang", lang_, "en (default) or sv: the diagnostics' messages in English or Swedish")
      ->check(CLI::IsMember({"en", "sv"}));
}

int LspCommand::run() const {
  std::ios::sync_with_stdio(false);
  return serve_lsp(std::cin, std::cout, *language_named(lang_));
}

}  // namespace utfall
