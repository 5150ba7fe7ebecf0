// Writing captions into photos' files from the command line: the --write, --sidecar-name and
// --overwrite options that `caption` and `library export` share.
#include <algorithm>
#include <iostream>

#include "cli_common.h"

namespace glimpse::cli {

using nlohmann::json;

// --write, --sidecar-name and --overwrite.
WriteRequest writeRequest(const QCommandLineParser& p) {
  using imaging::CaptionTarget;
  WriteRequest w;
  const bool shortSidecar = p.value("sidecar-name") == QLatin1String("short");
  if (p.isSet("sidecar-name") && !shortSidecar && p.value("sidecar-name") != QLatin1String("long"))
    throw UsageError("--sidecar-name must be long or short, got '" + p.value("sidecar-name").toStdString() + "'");
  for (const QString& v : p.values("write")) {
    CaptionTarget t;
    if (v == QLatin1String("embedded"))
      t = CaptionTarget::Embedded;
    else if (v == QLatin1String("xmp-sidecar"))
      t = shortSidecar ? CaptionTarget::XmpSidecarShort : CaptionTarget::XmpSidecar;
    else if (v == QLatin1String("txt"))
      t = CaptionTarget::Txt;
    else
      throw UsageError("--write must be embedded, xmp-sidecar or txt, got '" + v.toStdString() + "'");
    if (std::find(w.targets.begin(), w.targets.end(), t) == w.targets.end()) w.targets.push_back(t);
  }
  const bool sidecar =
      std::find(w.targets.begin(), w.targets.end(),
                shortSidecar ? CaptionTarget::XmpSidecarShort : CaptionTarget::XmpSidecar) != w.targets.end();
  if (p.isSet("sidecar-name") && !sidecar) throw UsageError("--sidecar-name needs --write xmp-sidecar");
  if (p.isSet("overwrite") && w.targets.empty()) throw UsageError("--overwrite needs --write");
  w.overwrite = p.isSet("overwrite");
  return w;
}

// Writes one photo's caption; returns its "written" JSON and tells stderr what was not written.
json writeCaptionFor(const QString& image, const std::string& caption, const WriteRequest& w,
                     const std::optional<imaging::FileState>& before, bool quietNotes, int* failures,
                     std::vector<imaging::TargetResult>* results) {
  using imaging::WriteOutcome;
  imaging::CaptionWrite request;
  request.photoPath = image;
  request.caption = QString::fromStdString(caption);
  request.targets = w.targets;
  request.overwrite = w.overwrite;
  request.expected = before;
  json written = json::array();
  const std::vector<imaging::TargetResult> outcomes = imaging::writeCaption(request);
  if (results) *results = outcomes;
  for (const auto& r : outcomes) {
    const std::string key = imaging::captionTargetKey(r.target).toStdString();
    json entry = {{"target", key},
                  {"file", r.file.toStdString()},
                  {"outcome", imaging::writeOutcomeKey(r.outcome).toStdString()}};
    if (!r.existing.isEmpty() && r.outcome == WriteOutcome::KeptExisting) entry["existing"] = r.existing.toStdString();
    if (r.outcome == WriteOutcome::Failed) entry["error"] = r.error.toStdString();
    written.push_back(entry);
    const std::string where = pathText(r.file) + " (" + key + "): ";
    if (r.outcome == WriteOutcome::Failed) {
      ++*failures;
      std::cerr << "error: " << where << r.error.toStdString() << '\n';
    } else if (r.outcome == WriteOutcome::KeptExisting && !quietNotes) {
      std::cerr << "note: " << where << "kept the existing description \"" << r.existing.toStdString()
                << "\" (--overwrite replaces it)\n";
    } else if (r.outcome == WriteOutcome::AlreadySame && !quietNotes) {
      std::cerr << "note: " << where << "skipped, it already holds this caption\n";
    }
  }
  return written;
}

}  // namespace glimpse::cli
