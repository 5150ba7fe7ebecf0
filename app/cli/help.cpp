#include "help.h"

#include <algorithm>
#include <sstream>
#include <string>

#include "blip.h"

namespace glimpse::cli::help {
namespace {

using Opts = std::vector<OptionDoc>;

constexpr int kPass = blip::kImagesPerVisionPass;

Opts operator+(Opts a, const Opts& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const Opts kModel = {
    {"model", "NAME|DIR",
     "The model: the name of an installed model (as `glimpse-cli models list` shows it, e.g. "
     "Salesforce/blip-image-captioning-base) or a checkpoint folder. Without it, the desktop app's model for "
     "the task is used, else the first installed model that can do the task.",
     "model"},
    {"precision", "MODE",
     "Numeric mode: fp32 (the default, matches Hugging Face exactly), bf16 or int8 (faster and close; "
     "see docs/performance.md).",
     "fp32|bf16|int8"},
};
const Opts kThreads = {{"threads", "N", "Threads for inference, 1-512 (default: all cores, or OMP_NUM_THREADS).", ""}};
const Opts kExif = {{"ignore-exif-orientation", "",
                     "Use the stored pixel order instead of turning photos upright by their EXIF orientation "
                     "(as a plain Hugging Face call does).",
                     ""}};
const Opts kJson = {{"json", "", "Print one JSON object with every result instead of plain lines.", ""}};
const Opts kTranslateQuery = {
    {"translate-model", "NAME|DIR",
     "An OPUS-MT (Marian) model, e.g. Helsinki-NLP/opus-mt-de-en: a text that is not English is translated to "
     "English with it first (BLIP reads English only); --json adds the English it used.",
     "model"},
    {"query-language", "CODE",
     "The language of the text: auto (the default: a cheap check of its script and words), en (never "
     "translate) or a code such as de.",
     ""},
};
const Opts kGeneration = {
    {"beams", "N", "Beam search with N beams, 1-64 (default 1: greedy).", ""},
    {"max-length", "N", "Longest text in tokens, prompt included (default 20).", ""},
    {"min-length", "N", "Shortest text in tokens (default 0).", ""},
    {"max-new-tokens", "N", "Most tokens to generate after the prompt (overrides --max-length).", ""},
    {"repetition-penalty", "X", "Penalty for tokens already generated (1.0: none).", ""},
    {"no-repeat-ngram-size", "N", "Never repeat an n-gram of this size (0: allowed).", ""},
    {"length-penalty", "X", "Exponent of the length in beam scores (default 1.0).", ""},
    {"early-stopping", "", "Stop beam search as soon as N beams are finished.", ""},
    {"num-return-sequences", "N", "Texts to return per image, at most --beams.", ""},
    {"sample", "", "Sample instead of searching; enables the four options below.", ""},
    {"top-p", "X", "Nucleus sampling: keep the smallest set of tokens of probability X (with --sample).", ""},
    {"top-k", "N", "Keep the N likeliest tokens, 0 for all (with --sample).", ""},
    {"temperature", "X", "Divide the logits by X (with --sample).", ""},
    {"seed", "N", "Seed of the sampler, for repeatable samples (with --sample).", ""},
};
const Opts kWrite = {
    {"write", "TARGET",
     "Also write each photo's caption into embedded metadata, an XMP sidecar or a text file (see above); "
     "repeat for several targets.",
     "embedded|xmp-sidecar|txt"},
    {"sidecar-name", "long|short",
     "Sidecar name for --write xmp-sidecar: PHOTO.EXT.xmp (long, the default) or PHOTO.xmp (short).", "long|short"},
    {"overwrite", "", "Replace an existing, different description (kept by default).", ""},
};
const Opts kSelfCheck = {
    {"self-check", "",
     "Score each caption against its photo with a retrieval head (ITM match probability and ITC cosine, as "
     "match gives them) and caption again when it is degenerate (empty, only the prompt, a word or phrase "
     "repeated, ITM below 0.5): beam search without repeated 3-grams, then nucleus sampling with a fixed seed; "
     "the candidate with the best ITM is kept. --json adds \"itm\", \"itc\", \"self_check\" and every "
     "candidate with its score.",
     ""},
    {"check-model", "NAME|DIR",
     "The retrieval model of --self-check (default: the caption model's own retrieval head, when it has one).",
     "model"},
    {"candidates", "N", "Captions to try per photo with --self-check, the first included, 1-8 (default 3).", ""},
};
const Opts kLibrary = {
    {"library", "DB",
     "The library file. Default: the desktop app's library, $XDG_DATA_HOME/Glimpse/library.glimpse, "
     "so the app and the command line see one library.",
     "file"},
};
const Opts kFilters = {
    {"limit", "N", "At most N results, 1-10000 (default 20).", ""},
    {"min-score", "X", "Only results scoring at least X.", ""},
    {"folder", "DIR", "Only photos in DIR and its subfolders.", "dir"},
    {"after", "DATE", "Only photos taken on or after DATE (2024-06-30).", ""},
    {"before", "DATE", "Only photos taken before DATE.", ""},
};

const char* kCaptionDescription =
    "Captions each IMAGE and prints IMAGE<TAB>CAPTION lines (or one JSON object with --json, or one JSON line "
    "per image as soon as it is done with --jsonl). A lone - reads the image names from stdin, one a line. An "
    "image that cannot be read is reported in its result (\"error\"), or on stderr; the others are captioned and "
    "the exit code is 4.\n"
    "\n"
    "--write TARGET writes each photo's caption (the first one when there are several) where other tools read "
    "it; repeat it for several targets:\n"
    "\n"
    "  embedded     into the photo: XMP dc:description (x-default, other languages kept), EXIF\n"
    "               ImageDescription and IPTC Caption-Abstract (UTF-8), as the format allows (JPEG,\n"
    "               PNG, TIFF, WebP; other formats are an error). The photo is rewritten only after\n"
    "               a copy is checked: the caption reads back, every other tag and the pixels are\n"
    "               unchanged. A read-only photo, or one changed since it was captioned, is refused.\n"
    "  xmp-sidecar  PHOTO.EXT.xmp (digiKam, darktable), or PHOTO.xmp with --sidecar-name short\n"
    "               (Lightroom); an existing sidecar keeps all its other properties\n"
    "  txt          PHOTO.txt beside the photo, the caption and a newline (kohya_ss, taggui)\n"
    "\n"
    "An existing, different description is kept unless --overwrite is given. What was kept or already there is "
    "noted on stderr; with --json each result has \"written\": [{\"target\", \"file\", \"outcome\": "
    "written|same|kept|failed, \"error\"}]. A failed write is reported on stderr, the other photos are still "
    "captioned and written, and the run exits with 4.";

std::vector<CommandDoc> buildCommands() {
  std::vector<CommandDoc> c;
  c.push_back({"caption",
               "caption images",
               {"caption [--model NAME|DIR] [--prompt TEXT] [generation options] [--json | --jsonl]",
                "        [--self-check [--check-model NAME|DIR] [--candidates N]]",
                "        [--write TARGET ...] [--sidecar-name long|short] [--overwrite] IMAGE... | -"},
               kCaptionDescription,
               kModel +
                   Opts{{"prompt", "TEXT", "Start every caption with TEXT (conditional captioning).", ""},
                        kJson[0],
                        {"jsonl", "", "Print one JSON line per image as soon as it is done.", ""}} +
                   kSelfCheck + kWrite + kThreads + kExif + kGeneration,
               "file"});
  c.push_back(
      {"ask",
       "answer a question about an image",
       {"ask [--model NAME|DIR] --question TEXT [--translate-model NAME|DIR] [generation options] [--json] IMAGE"},
       "Answers TEXT about IMAGE with a BLIP question answering model and prints the answer. With "
       "--translate-model a question in another language is translated to English first.",
       kModel + Opts{{"question", "TEXT", "The question (required).", ""}} + kTranslateQuery + kJson + kThreads +
           kExif + kGeneration,
       "file"});
  c.push_back({"match",
               "score how well texts describe images",
               {"match [--model NAME|DIR] --text TEXT [--text TEXT ...] [--json] IMAGE..."},
               "Prints IMAGE<TAB>TEXT<TAB>itm=P<TAB>itc=S for every image and text: the image-text matching "
               "probability and the contrastive similarity of a BLIP retrieval model.",
               kModel + Opts{{"text", "TEXT", "A text to score; repeat for several.", ""}} + kJson + kThreads + kExif,
               "file"});
  c.push_back({"embed",
               "print image or text embeddings",
               {"embed [--model NAME|DIR] (--image IMAGE... | --text TEXT...) [--json]"},
               "Prints the normalised contrastive embedding of each input, the vectors photo search compares.",
               kModel +
                   Opts{{"image", "", "The inputs are image files.", ""}, {"text", "", "The inputs are texts.", ""}} +
                   kJson + kThreads + kExif,
               "file"});
  c.push_back({"tokenize",
               "print the token ids of texts (BLIP's BERT or Marian's sentencepiece)",
               {"tokenize [--model NAME|DIR] [--json] [--] TEXT..."},
               "Prints the token ids the model's tokenizer gives each TEXT, [CLS] and [SEP] included.",
               Opts{kModel[0]} + kJson,
               ""});
  c.push_back({"translate",
               "translate texts with an OPUS-MT (Marian) model",
               {"translate --model NAME|DIR [generation options] [--json] [--] TEXT..."},
               "Translates each TEXT with a Helsinki-NLP OPUS-MT checkpoint (Marian). With no generation options "
               "the folder's generation_config.json applies, as in Hugging Face. --json prints "
               "{\"results\": [{\"text\", \"translations\", \"token_ids\"}]}.",
               kModel + kJson + kThreads + kGeneration,
               ""});
  c.push_back({"preprocess",
               "write an image as the model sees it",
               {"preprocess [--model NAME|DIR] --out FILE|- IMAGE"},
               "Writes the preprocessed pixels of IMAGE as raw little-endian float32 in C order (3,H,W), the "
               "input of the vision encoder; - writes to stdout.",
               Opts{kModel[0], {"out", "FILE", "Where to write (required); - for stdout.", "file"}} + kExif,
               "file"});
  c.push_back({"index",
               "add folders to the photo library and index them",
               {"index [--library DB] [--model NAME|DIR] [--exclude GLOB ...] [--include-hidden] [--batch N] [--json]",
                "      FOLDER..."},
               "Adds each FOLDER to the library, finds new, changed and removed photos and computes their "
               "search embeddings. Ctrl-C stops after the photos the model is working on; what is done stays saved "
               "and the next run goes on.",
               kLibrary + kModel +
                   Opts{{"exclude", "GLOB", "Skip files and folders matching GLOB; repeat for several.", ""},
                        {"include-hidden", "", "Also index hidden files and folders.", ""},
                        {"batch", "N",
                         "Photos decoded and saved together, 1-64 (default " + std::to_string(kPass) +
                             "); the model takes up to " + std::to_string(kPass) + " at a time.",
                         ""}} +
                   kThreads + kJson,
               "dir"});
  c.push_back({"search",
               "search the library with words",
               {"search [--library DB] [--model NAME|DIR] [--limit N] [--rerank K] [--min-score X] [--folder DIR]",
                "       [--after DATE] [--before DATE] [--ask QUESTION [--ask-model NAME|DIR]]",
                "       [--translate-model NAME|DIR] [--json] QUERY"},
               "Prints SCORE<TAB>PATH of the photos that match QUERY best: contrastive similarity, the best K "
               "re-ranked by image-text matching, plus matches of the words in captions and file names. With "
               "--translate-model a query or --ask question in another language is translated to English first "
               "(stderr says to what; --json adds \"translated_query\" and \"translated_question\").",
               kLibrary + kModel +
                   Opts{{"rerank", "K", "Re-rank the best K with image-text matching, 0-1000 (default: --limit).", ""},
                        {"no-text-match", "", "Do not match the words in captions and file names.", ""},
                        {"ask", "QUESTION",
                         "Ask QUESTION of every result with a question answering model (each photo encoded once); "
                         "adds the answer to each line, or \"answer\" to each JSON result (the text glimpse-cli ask "
                         "gives for that photo).",
                         ""},
                        {"ask-model", "NAME|DIR",
                         "The question answering model of --ask (default: the search model when it can answer "
                         "questions, else the app's model for questions).",
                         "model"}} +
                   kTranslateQuery + kFilters + kThreads + kJson,
               ""});
  c.push_back({"similar",
               "find photos that look like one",
               {"similar [--library DB] [--model NAME|DIR] [--limit N] [--json] IMAGE"},
               "Prints the library's photos most similar to IMAGE. A photo of the library needs no model; "
               "another image is embedded with --model.",
               kLibrary + kModel + kThreads + kJson + kFilters,
               "file"});
  c.push_back({"library",
               "show, caption, export, find near-duplicates or forget library folders",
               {"library [--library DB] [--model NAME|DIR] [--json] (status | folders | forget FOLDER)",
                "library [--library DB] [--model NAME|DIR] caption [--overwrite] [--prompt TEXT] [generation "
                "options] [--json] [FOLDER...]",
                "        [--self-check [--check-model NAME|DIR] [--candidates N]]",
                "library [--library DB] export [--format csv|jsonl [--out FILE|-]] [--write TARGET ...]",
                "        [--sidecar-name long|short] [--overwrite] [--json] [FOLDER...]",
                "library [--library DB] [--model NAME|DIR] duplicates [--threshold X] [--json]"},
               "status and folders describe the library; forget FOLDER removes a folder and its photos from it "
               "(the files stay). caption captions the library's photos that have no generated caption yet; it "
               "can be stopped and run again; with --self-check each caption is scored and made again when degenerate, "
               "and the library keeps its ITM and ITC scores. export prints each photo with a caption: path, preferred "
               "caption, "
               "source, model and score; --write writes those captions into the photos' files as caption "
               "--write does, without running a model. duplicates prints groups of near-duplicate photos: photos "
               "whose search vectors have a cosine of at least X (default 0.995), and copies with the same file or "
               "pixel content; the vectors are those of --model, else of the model with most vectors in the "
               "library. --json prints {\"groups\": [{\"paths\", \"similarity\" (the lowest cosine in the group), "
               "\"exact\", \"photos\": [{\"path\", \"size\", \"width\", \"height\", \"date\", \"sha256\", "
               "\"offline\"}]}]}. Nothing is deleted. status, folders, duplicates and export without --write only "
               "read the library: one of an older Glimpse is read as it is, not upgraded.",
               kLibrary + kModel + kJson + kThreads +
                   Opts{{"overwrite", "",
                         "caption: caption photos that already have a generated caption; export --write: replace "
                         "an existing, different description.",
                         ""},
                        {"prompt", "TEXT", "caption: start every caption with TEXT.", ""},
                        {"format", "FORMAT", "export: csv or jsonl.", "csv|jsonl"},
                        {"out", "FILE", "export: write to FILE instead of stdout.", "file"},
                        {"threshold", "X", "duplicates: the lowest cosine of two near-duplicates (default 0.995).", ""},
                        kWrite[0],
                        kWrite[1]} +
                   kSelfCheck + kGeneration,
               "status|folders|forget|caption|export|duplicates"});
  c.push_back(
      {"models",
       "list, download, import, verify, convert or remove models",
       {"models [--json] list", "models [--json] download NAME [--revision REV] [--files PATTERN ...] [--endpoint URL]",
        "models [--json] import DIR [--name NAME]", "models [--json] (verify | convert) DIR|NAME",
        "models [--json] remove NAME"},
       "Manages the models folder ($GLIMPSE_MODELS_DIR, else $XDG_DATA_HOME/Glimpse/models), the same one "
       "the desktop app uses. download fetches a checkpoint from the Hugging Face Hub (or $HF_ENDPOINT), "
       "resumable and checked; import copies a folder you have; verify says in words what a folder lacks; "
       "convert writes model.safetensors beside pytorch_model.bin.",
       kJson + Opts{{"revision", "REV", "download: the branch, tag or commit (default main).", ""},
                    {"files", "PATTERN", "download: only files matching PATTERN; repeat for several.", ""},
                    {"name", "NAME", "import: the installed model's name (default: the folder's name).", ""},
                    {"endpoint", "URL", "download: the Hub server (default $HF_ENDPOINT or huggingface.co).", ""},
                    {"stall-timeout", "SECONDS", "download: give up on a transfer silent this long (60).", ""}},
       "list|download|import|verify|convert|remove"});
  return c;
}

// Words wrapped to `width` columns, every line after the first indented by `indent`.
std::string wrap(const std::string& text, size_t indent, size_t width, size_t firstColumn) {
  std::istringstream in(text);
  std::string word, out;
  size_t column = firstColumn;
  bool first = true;
  while (in >> word) {
    if (!first && column + 1 + word.size() > width) {
      out += '\n' + std::string(indent, ' ');
      column = indent;
    } else if (!first) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first = false;
  }
  return out;
}

constexpr size_t kWidth = 100;

std::string optionLines(const Opts& options) {
  std::string out;
  for (const auto& o : options) {
    std::string head = "  --" + o.name + (o.arg.empty() ? "" : " " + o.arg);
    if (head.size() < 28)
      head += std::string(28 - head.size(), ' ');
    else
      head += "\n" + std::string(28, ' ');
    out += head + wrap(o.text, 28, kWidth, 28) + '\n';
  }
  return out;
}

// Paragraphs of a description: a paragraph whose lines start with two spaces keeps its layout.
std::vector<std::string> paragraphs(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t end = text.find("\n\n", at);
    out.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) break;
    at = end + 2;
  }
  return out;
}

bool preformatted(const std::string& paragraph) {
  return paragraph.rfind("  ", 0) == 0;
}

// Text for troff: backslashes and minus signs escaped, no line starting with a control character.
std::string roff(const std::string& text) {
  std::string out;
  bool lineStart = true;
  for (char ch : text) {
    if (lineStart && (ch == '.' || ch == '\'')) out += "\\&";
    if (ch == '\\')
      out += "\\e";
    else if (ch == '-')
      out += "\\-";
    else
      out += ch;
    lineStart = ch == '\n';
  }
  return out;
}

std::string roffParagraphs(const std::string& text) {
  std::string out;
  for (const auto& p : paragraphs(text)) {
    if (preformatted(p))
      out += ".PP\n.nf\n" + roff(p) + "\n.fi\n";
    else
      out += ".PP\n" + roff(p) + "\n";
  }
  return out;
}

std::string roffOptions(const Opts& options) {
  std::string out;
  for (const auto& o : options)
    out += ".TP\n\\fB" + roff("--" + o.name) + "\\fR" + (o.arg.empty() ? "" : " \\fI" + roff(o.arg) + "\\fR") + "\n" +
           roff(o.text) + "\n";
  return out;
}

const char* kEnvironment =
    ".TP\n.B GLIMPSE_MODELS_DIR\nThe models folder (default: $XDG_DATA_HOME/Glimpse/models).\n"
    ".TP\n.B XDG_DATA_HOME\nWhere the models folder and the library are (default: ~/.local/share).\n"
    ".TP\n.B XDG_CONFIG_HOME\nWhere the desktop app's settings are, read for each task's default model "
    "(default: ~/.config).\n"
    ".TP\n.B HF_ENDPOINT\nThe Hugging Face Hub server for downloads.\n"
    ".TP\n.B HF_TOKEN\nAn access token sent to that server only.\n"
    ".TP\n.B OMP_NUM_THREADS\nThreads for inference when \\-\\-threads is not given.\n";

std::string manHeader(const std::string& name, const std::string& version, const std::string& date,
                      const std::string& what) {
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char ch) { return std::toupper(ch); });
  return ".\\\" Generated by glimpse-docgen from app/cli/help.cpp; do not edit.\n.TH " + roff(upper) + " 1 \"" + date +
         "\" \"Glimpse " + version + "\" \"User Commands\"\n.SH NAME\n" + roff(name) + " \\- " + what + "\n";
}

// A shell-quoted word list.
std::string words(const std::string& list) {
  std::string out = list;
  std::replace(out.begin(), out.end(), '|', ' ');
  return out;
}

// The first sentence of a text, without characters that completion syntaxes treat specially.
std::string shortText(const std::string& text) {
  size_t end = text.find(". ");
  while (end != std::string::npos && end >= 3 && text.compare(end - 3, 3, "e.g") == 0) end = text.find(". ", end + 1);
  std::string s = text.substr(0, end);
  if (!s.empty() && s.back() == '.') s.pop_back();
  std::string out;
  for (char ch : s)
    if (ch != '[' && ch != ']' && ch != ':' && ch != '\'' && ch != '"' && ch != '`' && ch != '$' && ch != '\\')
      out += ch;
  return out;
}

std::string bashCompletion() {
  std::string names;
  for (const auto& c : commands()) names += c.name + " ";
  std::string s =
      "# bash completion for glimpse-cli (generated from app/cli/help.cpp)\n"
      "_glimpse_cli_models() {\n"
      "  local root=\"${GLIMPSE_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/Glimpse/models}\"\n"
      "  [ -d \"$root\" ] || return\n"
      "  (cd \"$root\" && find . -mindepth 1 -maxdepth 2 -name config.json -printf '%h\\n' 2>/dev/null | sed "
      "'s|^\\./||')\n"
      "}\n"
      "_glimpse_cli() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
      "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
      "    COMPREPLY=($(compgen -W \"" +
      names +
      "--help --version\" -- \"$cur\"))\n"
      "    return\n"
      "  fi\n"
      "  local opts= positional=\n"
      "  case ${COMP_WORDS[1]} in\n";
  for (const auto& c : commands()) {
    std::string opts;
    for (const auto& o : c.options) opts += "--" + o.name + " ";
    s += "    " + c.name + ")\n      opts=\"" + opts + "--help\"\n      positional=\"" + c.positional +
         "\"\n      case $prev in\n";
    for (const auto& o : c.options) {
      if (o.arg.empty()) continue;
      s += "        --" + o.name + ") ";
      if (o.complete == "file")
        s += "compopt -o filenames; COMPREPLY=($(compgen -f -- \"$cur\"))";
      else if (o.complete == "dir")
        s += "compopt -o filenames; COMPREPLY=($(compgen -d -- \"$cur\"))";
      else if (o.complete == "model")
        s += "compopt -o filenames; COMPREPLY=($(compgen -W \"$(_glimpse_cli_models)\" -- \"$cur\") $(compgen -d -- "
             "\"$cur\"))";
      else if (!o.complete.empty())
        s += "COMPREPLY=($(compgen -W \"" + words(o.complete) + "\" -- \"$cur\"))";
      else
        s += "COMPREPLY=()";
      s += "; return ;;\n";
    }
    s += "      esac ;;\n";
  }
  s += "    *) return ;;\n"
       "  esac\n"
       "  if [[ $cur == -* ]]; then\n"
       "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
       "  elif [ \"$positional\" = file ]; then\n"
       "    compopt -o filenames; COMPREPLY=($(compgen -f -- \"$cur\"))\n"
       "  elif [ \"$positional\" = dir ]; then\n"
       "    compopt -o filenames; COMPREPLY=($(compgen -d -- \"$cur\"))\n"
       "  elif [ -n \"$positional\" ]; then\n"
       "    COMPREPLY=($(compgen -W \"${positional//|/ }\" -- \"$cur\"))\n"
       "  fi\n"
       "}\n"
       "complete -F _glimpse_cli glimpse-cli\n";
  return s;
}

std::string zshAction(const std::string& complete) {
  if (complete == "file") return "_files";
  if (complete == "dir") return "_files -/";
  if (complete == "model") return "_files -/";
  if (complete.empty()) return " ";
  return "(" + words(complete) + ")";
}

std::string zshCompletion() {
  std::string s =
      "#compdef glimpse-cli\n"
      "# zsh completion for glimpse-cli (generated from app/cli/help.cpp)\n"
      "_glimpse_cli() {\n"
      "  local -a commands\n"
      "  commands=(\n";
  for (const auto& c : commands()) s += "    '" + c.name + ":" + shortText(c.summary) + "'\n";
  s += "  )\n"
       "  if (( CURRENT == 2 )); then\n"
       "    _describe -t commands 'glimpse-cli command' commands\n"
       "    _arguments '--help[show the commands]' '--version[show the version]'\n"
       "    return\n"
       "  fi\n"
       "  local command=$words[2]\n"
       "  shift words\n"
       "  (( CURRENT-- ))\n"
       "  case $command in\n";
  for (const auto& c : commands()) {
    s += "    " + c.name + ")\n      _arguments -s \\\n        '--help[show this command'\"'\"'s options]' \\\n";
    for (const auto& o : c.options) {
      s += "        '*--" + o.name + "[" + shortText(o.text) + "]";
      if (!o.arg.empty()) s += ":" + o.arg + ":" + zshAction(o.complete);
      s += "' \\\n";
    }
    s += "        '*:" + (c.positional.empty() ? std::string("argument") : std::string("argument")) + ":" +
         zshAction(c.positional) + "' ;;\n";
  }
  s += "  esac\n"
       "}\n"
       "_glimpse_cli \"$@\"\n";
  return s;
}

std::string fishCompletion() {
  std::string names;
  for (const auto& c : commands()) names += c.name + " ";
  std::string s =
      "# fish completion for glimpse-cli (generated from app/cli/help.cpp)\n"
      "complete -c glimpse-cli -f\n"
      "complete -c glimpse-cli -n __fish_use_subcommand -l help -d 'Show the commands'\n"
      "complete -c glimpse-cli -n __fish_use_subcommand -l version -d 'Show the version'\n";
  for (const auto& c : commands()) {
    const std::string when = "'__fish_seen_subcommand_from " + c.name + "'";
    s += "complete -c glimpse-cli -n __fish_use_subcommand -a " + c.name + " -d '" + shortText(c.summary) + "'\n";
    s += "complete -c glimpse-cli -n " + when + " -l help -d 'Show this command options'\n";
    for (const auto& o : c.options) {
      s += "complete -c glimpse-cli -n " + when + " -l " + o.name;
      if (!o.arg.empty()) {
        if (o.complete == "file")
          s += " -r -F";
        else if (o.complete == "dir" || o.complete == "model")
          s += " -r -a '(__fish_complete_directories)'";
        else if (!o.complete.empty())
          s += " -x -a '" + words(o.complete) + "'";
        else
          s += " -x";
      }
      s += " -d '" + shortText(o.text) + "'\n";
    }
    if (c.positional == "file" || c.positional == "dir")
      s += "complete -c glimpse-cli -n " + when + " -F\n";
    else if (!c.positional.empty())
      s += "complete -c glimpse-cli -n " + when + " -a '" + words(c.positional) + "'\n";
  }
  return s;
}

}  // namespace

const std::vector<OptionDoc>& globalOptions() {
  static const Opts kGlobal = {
      {"help", "", "Show the commands, or with a COMMAND its options, and exit.", ""},
      {"version", "",
       "Show the version and exit. With --verbose, also the BLAS and oneDNN the engine uses, its CPU kernels and "
       "features and the precisions this CPU runs well (this loads the engine).",
       ""},
      {"verbose", "", "Show the messages of Qt and the image libraries as they come.", ""},
  };
  return kGlobal;
}

const std::vector<CommandDoc>& commands() {
  static const std::vector<CommandDoc> kCommands = buildCommands();
  return kCommands;
}

const CommandDoc* findCommand(std::string_view name) {
  for (const auto& c : commands())
    if (c.name == name) return &c;
  return nullptr;
}

std::string exitCodesText() {
  return "0 ok, 1 error, 2 usage, 3 model error, 4 image error, 5 library error, 130 cancelled";
}

std::string usageText() {
  std::string s = "usage: glimpse-cli COMMAND [options]\n       glimpse-cli COMMAND --help\n\ncommands:\n";
  for (const auto& c : commands()) {
    std::string head = "  " + c.name;
    head += std::string(14 - head.size(), ' ');
    s += head + c.summary + '\n';
  }
  s += "\noptions of every command:\n" + optionLines(globalOptions());
  s += "\nexit codes: " + exitCodesText() + '\n';
  return s;
}

std::string commandHelp(const CommandDoc& c) {
  std::string s;
  // A synopsis line that starts with spaces continues the one before it.
  for (size_t i = 0; i < c.synopsis.size(); ++i) {
    const bool continued = c.synopsis[i].rfind(' ', 0) == 0;
    s += std::string(i == 0      ? "usage: glimpse-cli "
                     : continued ? "                   "
                                 : "       glimpse-cli ") +
         c.synopsis[i] + '\n';
  }
  s += '\n';
  for (const auto& p : paragraphs(c.description)) s += (preformatted(p) ? p : wrap(p, 0, kWidth, 0)) + "\n\n";
  s += "options:\n" + optionLines(c.options) + optionLines({globalOptions()[0], globalOptions()[2]});
  s += "\nexit codes: " + exitCodesText() + '\n';
  return s;
}

std::string cliManPage(const std::string& version, const std::string& date) {
  std::string s = manHeader("glimpse-cli", version, date, "caption, question and search photos with BLIP, offline");
  s += ".SH SYNOPSIS\n.B glimpse\\-cli\n.I COMMAND\n[\\fIoptions\\fR]\n.br\n.B glimpse\\-cli\n"
       "[\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR]\n"
       ".SH DESCRIPTION\n"
       ".B glimpse\\-cli\nruns the BLIP models of the Glimpse desktop app on this computer: captions, answers to "
       "questions, image-text matching, embeddings, and a searchable photo library shared with the app. Results go "
       "to standard output, as plain lines or JSON; errors go to standard error as \\(lqerror: ...\\(rq lines with a "
       "distinct exit status, and nothing is half-written.\n"
       ".SH COMMANDS\n";
  for (const auto& c : commands()) {
    s += ".SS " + roff(c.name) + "\n.nf\n";
    for (const auto& line : c.synopsis)
      s += (line.rfind(' ', 0) == 0 ? std::string("            ") : std::string("\\fBglimpse\\-cli\\fR ")) +
           roff(line) + "\n";
    s += ".fi\n" + roffParagraphs(c.description) + ".PP\nOptions:\n.RS\n" + roffOptions(c.options) + ".RE\n";
  }
  s += ".SH OPTIONS\nThese apply to every command.\n" + roffOptions(globalOptions());
  s += ".SH EXIT STATUS\n.TP\n0\nok\n.TP\n1\nerror\n.TP\n2\nusage error\n.TP\n3\nmodel error\n.TP\n4\nimage "
       "error or a failed caption write\n.TP\n5\nlibrary error\n.TP\n130\ncancelled\n";
  s += std::string(".SH ENVIRONMENT\n") + kEnvironment;
  s += ".SH FILES\n.TP\n.I $XDG_DATA_HOME/Glimpse/models\nInstalled models, shared with the desktop app.\n"
       ".TP\n.I $XDG_DATA_HOME/Glimpse/library.glimpse\nThe photo library, shared with the desktop app.\n"
       ".SH EXAMPLES\n.nf\nglimpse\\-cli models download Salesforce/blip\\-image\\-captioning\\-base\n"
       "glimpse\\-cli caption \\-\\-jsonl photos/*.jpg\n"
       "find photos \\-name \\(aq*.jpg\\(aq | glimpse\\-cli caption \\-\\-write xmp\\-sidecar \\-\n"
       "glimpse\\-cli index ~/Pictures && glimpse\\-cli search \\(dqdog on a beach\\(dq\n.fi\n"
       ".SH SEE ALSO\n.BR glimpse\\-photos (1)\n";
  return s;
}

std::string guiManPage(const std::string& version, const std::string& date) {
  std::string s = manHeader("glimpse-photos", version, date, "caption, question and search photos with BLIP");
  s += ".SH SYNOPSIS\n.B glimpse\\-photos\n[\\fIoptions\\fR] [\\fIIMAGE\\fR|\\fIFOLDER\\fR...]\n"
       ".SH DESCRIPTION\nGlimpse is a desktop app that writes captions for photos, answers questions about them "
       "and searches folders of photos by what they show, with BLIP models that run on this computer. Images and "
       "folders given on the command line are opened in its list; when Glimpse is already running, they are "
       "opened in its window instead of a second one.\n"
       ".PP\nOn its first start it offers to download models; they can also be installed with "
       "\\fBglimpse\\-cli models\\fR, which shares the models folder and the library with the app.\n"
       ".SH OPTIONS\n" +
       roffOptions(
           {{"caption-model", "DIR", "Model folder for captions, for this session (not saved).", ""},
            {"ask-model", "DIR", "Model folder for questions, for this session (not saved).", ""},
            {"search-model", "DIR", "Model folder for library search, for this session (not saved).", ""},
            {"screenshot", "FILE", "Caption the first image, save a screenshot of the window to FILE and quit.", ""},
            {"help", "", "Show the options and exit.", ""},
            {"version", "", "Show the version and exit.", ""}});
  s += std::string(".SH ENVIRONMENT\n") + kEnvironment;
  s += ".SH FILES\n.TP\n.I $XDG_CONFIG_HOME/Glimpse/Glimpse.conf\nSettings.\n"
       ".TP\n.I $XDG_DATA_HOME/Glimpse/models\nInstalled models (left out of Deja Dup backups).\n"
       ".TP\n.I $XDG_DATA_HOME/Glimpse/library.glimpse\nThe photo library.\n"
       ".TP\n.I $XDG_STATE_HOME/Glimpse/session.json\nThe Images list with its captions, their match scores and "
       "the chats, saved a moment after each change and read at the next start.\n"
       ".TP\n.I $XDG_STATE_HOME/Glimpse/pasted\nPasted images while they are on the list.\n"
       ".TP\n.I $XDG_CACHE_HOME/thumbnails\nThumbnails, shared with file managers; those of photos Glimpse moves "
       "to the trash are removed.\n"
       ".SH SEE ALSO\n.BR glimpse\\-cli (1)\n";
  return s;
}

std::string completion(std::string_view shell) {
  if (shell == "bash") return bashCompletion();
  if (shell == "zsh") return zshCompletion();
  if (shell == "fish") return fishCompletion();
  return {};
}

}  // namespace glimpse::cli::help
