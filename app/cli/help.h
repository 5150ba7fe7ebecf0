#pragma once
// glimpse-cli's documentation as one table: each command's synopsis, description and options.
// The parser of each command takes its options from here (Options::addDocumented), `COMMAND
// --help` prints it, and the build renders the manual pages and the shell completions from it
// (glimpse-docgen), so the help, the man page, the completions and what is accepted never differ.
// Plain C++: the generator links neither Qt nor libtorch.
//
// A new command is one CommandDoc entry in help.cpp and one runner in main.cpp's command list.
#include <string>
#include <string_view>
#include <vector>

namespace glimpse::cli::help {

struct OptionDoc {
  std::string name;  // without the dashes: "model"
  std::string arg;   // value name ("N", "DIR"); empty for a switch
  std::string text;  // one or more sentences
  // What a shell completes for the value: "file", "dir", or words separated by '|'
  // ("embedded|xmp-sidecar|txt"); empty: nothing.
  std::string complete;
};

struct CommandDoc {
  std::string name;                   // "caption"
  std::string summary;                // one line for the command list
  std::vector<std::string> synopsis;  // usage lines without "glimpse-cli "
  std::string description;            // paragraphs separated by blank lines
  std::vector<OptionDoc> options;     // every option the command accepts
  std::string positional;             // what completes the positional arguments: "file", "dir", words
};

// Options of every command, handled before the command runs.
const std::vector<OptionDoc>& globalOptions();
const std::vector<CommandDoc>& commands();
const CommandDoc* findCommand(std::string_view name);

// `glimpse-cli --help`: the commands and what every one shares.
std::string usageText();
// `glimpse-cli COMMAND --help`.
std::string commandHelp(const CommandDoc& command);
// Exit codes, one a line, as the help and the man page show them.
std::string exitCodesText();

// Manual pages (troff, man(7)) of the command-line tool and of the desktop app.
std::string cliManPage(const std::string& version, const std::string& date);
std::string guiManPage(const std::string& version, const std::string& date);
// Completion scripts for "bash", "zsh" or "fish"; empty for another shell.
std::string completion(std::string_view shell);

}  // namespace glimpse::cli::help
