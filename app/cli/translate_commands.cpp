// glimpse-cli translate and tokenize for Marian (OPUS-MT) folders: the engine of core/marian.
#include <QRegularExpression>
#include <fstream>

#include "cli_common.h"
#include "marian.h"
#include "read_ahead.h"
#include "translation/language.h"

namespace glimpse::cli {

namespace {

std::filesystem::path folderOf(const QCommandLineParser& p) {
  if (!p.isSet("model")) throw UsageError("--model DIR is required");
  return std::filesystem::path(io::encodePath(p.value("model")).toStdString());
}

std::unique_ptr<marian::MarianModel> loadMarian(const QCommandLineParser& p) {
  marian::MarianLoadOptions options;
  if (p.isSet("precision")) {
    const auto mode = blip::parse_precision(p.value("precision").toStdString());
    if (!mode || *mode == blip::Precision::Int8)
      throw UsageError("--precision must be fp32 or bf16 for translation, got '" + p.value("precision").toStdString() +
                       "'");
    options.precision = *mode;
  }
  const auto dir = folderOf(p);
  // On a cold start the weights are read while libtorch loads (read_ahead.h); kept until loaded.
  const auto ahead = blip::read_weights_ahead_of_engine(dir);
  loadEngine();
  try {
    return marian::MarianModel::load(dir, options);
  } catch (const blip::BlipError& e) {
    throw ModelError(e.what());
  } catch (const std::bad_alloc&) {
    throw ModelError("not enough memory to load the model in " + p.value("model").toStdString());
  }
}

}  // namespace

QueryTranslator::QueryTranslator(const QCommandLineParser& p) : m_p(p) {}
QueryTranslator::~QueryTranslator() = default;

QString QueryTranslator::languageOf(const QString& text) const {
  const QString setting = m_p.isSet("query-language") ? m_p.value("query-language").trimmed() : QStringLiteral("auto");
  static const QRegularExpression kCode(QStringLiteral("^(auto|[a-z]{2,3})$"));
  if (!kCode.match(setting).hasMatch())
    throw UsageError("--query-language must be auto or a language code such as de, got '" + setting.toStdString() +
                     "'");
  return translation::queryLanguage(text, setting);
}

std::optional<QString> QueryTranslator::toEnglish(const QString& text) {
  const QString from = languageOf(text);
  if (from == QLatin1String("en")) return std::nullopt;
  if (!m_p.isSet("translate-model")) {
    std::cerr << "warning: the text looks " << translation::languageName(from).toStdString()
              << " and BLIP reads English; pass --translate-model DIR (e.g. Helsinki-NLP/opus-mt-" << from.toStdString()
              << "-en) to translate it\n";
    return std::nullopt;
  }
  if (!m_model) {
    marian::MarianLoadOptions options;
    if (m_p.isSet("precision") && m_p.value("precision") == QLatin1String("bf16"))
      options.precision = blip::Precision::BFloat16;
    const QString name = m_p.value("translate-model");
    try {
      m_model = marian::MarianModel::load(io::encodePath(namedModelFolder(name)).toStdString(), options);
    } catch (const blip::BlipError& e) {
      throw ModelError(e.what());
    }
  }
  const auto out = runModel([&] { return m_model->translate({text.toStdString()}, m_model->generation_defaults()); });
  return QString::fromStdString(out.front().front().text).trimmed();
}

namespace {

std::vector<std::string> textsOf(const QCommandLineParser& p) {
  std::vector<std::string> texts;
  for (const QString& t : p.positionalArguments()) texts.push_back(t.toStdString());
  if (texts.empty()) throw UsageError("no TEXT given");
  return texts;
}

}  // namespace

bool isMarianFolder(const QString& dir) {
  std::ifstream in(std::filesystem::path(io::encodePath(dir).toStdString()) / "config.json");
  if (!in) return false;
  const auto config = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return config.is_object() && config.value("model_type", "") == "marian";
}

int runTranslate(const QStringList& args) {
  Options o;
  o.addDocumented("translate");
  o.parse(args);
  auto& p = o.parser;
  const std::vector<std::string> texts = textsOf(p);
  auto model = loadMarian(p);
  // With no options the folder's generation_config.json applies, as in Hugging Face.
  const blip::GenerationConfig gc = generationConfig(p, model->generation_defaults());
  const auto results = runModel([&] { return model->translate(texts, gc); });
  if (p.isSet("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < texts.size(); ++i) {
      nlohmann::json translations = nlohmann::json::array(), ids = nlohmann::json::array();
      for (const auto& t : results[i]) {
        translations.push_back(t.text);
        ids.push_back(t.token_ids);
      }
      out.push_back({{"text", texts[i]}, {"translations", translations}, {"token_ids", ids}});
    }
    print({{"results", out}});
  } else {
    for (const auto& per_text : results)
      for (const auto& t : per_text) std::cout << t.text << '\n';
  }
  return kOk;
}

int runMarianTokenize(const QStringList& args) {
  Options o;
  o.add("model", "DIR");
  o.add("json");
  o.parse(args);
  auto& p = o.parser;
  const std::vector<std::string> texts = textsOf(p);
  std::optional<marian::MarianTokenizer> tok;
  try {
    tok = marian::MarianTokenizer::load(folderOf(p));
  } catch (const blip::BlipError& e) {
    throw ModelError(e.what());
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& t : texts) results.push_back({{"text", t}, {"input_ids", runModel([&] { return tok->encode(t); })}});
  return printTokenIds(results, p.isSet("json"));
}

}  // namespace glimpse::cli
