// Agreement of the bf16 and int8 modes with float32 on base-size BLIP (random weights, written
// in-process by random_model.h): ITC image embeddings (max |difference|, cosine), ITM
// probabilities, and greedy captions of 20 new tokens (share of identical tokens).
// Run: ./build/bench/bench_precision [images, default 8]
#include <QCoreApplication>
#include <cstdio>
#include <string>

#include "blip.h"
#include "imaging/imagedecoder.h"
#include "photos.h"
#include "random_model.h"

using namespace glimpse;

namespace {

const std::filesystem::path kVocab = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny";

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  blip::init_torch_threads();
  const int n = argc > 1 ? std::atoi(argv[1]) : 8;
  const auto retrievalDir = bench::randomBaseModel(kVocab, {blip::BlipHead::Retrieval});
  const auto captionDir = bench::randomBaseModel(kVocab, {blip::BlipHead::Captioning});

  auto load = [](const std::filesystem::path& dir, blip::Precision p) {
    blip::LoadOptions o;
    o.precision = p;
    return blip::BlipModel::load(dir, o);
  };
  std::vector<blip::PixelValues> images;
  {
    auto m = load(captionDir, blip::Precision::Float32);
    for (int i = 0; i < n; ++i)
      images.push_back(m->preprocess(imaging::decodeImageData(bench::photoLikeJpeg(800, 600, 100 + i), "p.jpg").rgb));
  }
  blip::GenerationConfig greedy;
  greedy.max_new_tokens = 20;
  greedy.min_length = 21;
  const std::vector<std::string> texts = {"kids on a beach at sunset", "a red car parked in the snow"};

  std::vector<std::vector<float>> refEmbed;
  std::vector<std::vector<blip::MatchScore>> refMatch;
  std::vector<std::vector<int64_t>> refTokens;
  for (blip::Precision p : {blip::Precision::Float32, blip::Precision::BFloat16, blip::Precision::Int8}) {
    if (const auto problem = blip::precision_problem(p); !problem.empty()) {
      std::printf("%s: not available here (%s)\n", blip::precision_name(p), problem.c_str());
      continue;
    }
    std::vector<std::vector<float>> embed;
    std::vector<std::vector<blip::MatchScore>> match;
    {
      auto m = load(retrievalDir, p);
      embed = m->embed_images(images);
      match = m->match(images, texts, 35);
    }
    std::vector<std::vector<int64_t>> tokens;
    {
      auto m = load(captionDir, p);
      for (const auto& px : images) tokens.push_back(m->caption({px}, {}, greedy)[0][0].token_ids);
    }
    if (p == blip::Precision::Float32) {
      refEmbed = embed;
      refMatch = match;
      refTokens = tokens;
      std::printf("fp32: reference\n");
      continue;
    }
    double maxDiff = 0, minCos = 1, sumCos = 0, maxItm = 0;
    for (size_t i = 0; i < images.size(); ++i) {
      for (size_t d = 0; d < embed[i].size(); ++d)
        maxDiff = std::max<double>(maxDiff, std::abs(embed[i][d] - refEmbed[i][d]));
      const double c = cosine(embed[i], refEmbed[i]);
      minCos = std::min(minCos, c);
      sumCos += c;
      for (size_t t = 0; t < texts.size(); ++t)
        maxItm = std::max<double>(maxItm, std::abs(match[i][t].itm - refMatch[i][t].itm));
    }
    int same = 0, total = 0, sameCaptions = 0, firstDiffSum = 0;
    for (size_t i = 0; i < images.size(); ++i) {
      const auto& a = tokens[i];
      const auto& r = refTokens[i];
      const size_t len = std::max(a.size(), r.size());
      size_t firstDiff = len;
      for (size_t t = 0; t < len; ++t) {
        const bool eq = t < a.size() && t < r.size() && a[t] == r[t];
        same += eq;
        if (!eq && firstDiff == len) firstDiff = t;
      }
      total += static_cast<int>(len);
      sameCaptions += a == r;
      firstDiffSum += static_cast<int>(firstDiff);
    }
    std::printf(
        "%s: %d images. ITC embeddings max |diff| %.4g, cosine min %.6f mean %.6f; ITM probability max |diff| %.4g; "
        "caption tokens identical %d/%d (%.1f%%), identical captions %d/%d, first differing position on average %.1f\n",
        blip::precision_name(p), n, maxDiff, minCos, sumCos / n, maxItm, same, total, 100.0 * same / total,
        sameCaptions, n, double(firstDiffSum) / n);
  }
  return 0;
}
