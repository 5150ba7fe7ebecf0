#include "generation.h"

#include <ATen/ATen.h>
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "errors.h"

namespace glimpse::blip {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void check_cancel(const std::atomic<bool>* cancel) {
  if (cancel && cancel->load(std::memory_order_relaxed)) throw GenerationCancelled();
}

// rows `from` of x [rows, len] (contiguous int64), each followed by last[r]: [rows, len + 1]
at::Tensor append_column(const at::Tensor& x, const std::vector<int64_t>& from, const std::vector<int64_t>& last) {
  const int64_t rows = static_cast<int64_t>(from.size()), len = x.size(1);
  at::Tensor out = at::empty({rows, len + 1}, x.options());
  const int64_t* src = x.data_ptr<int64_t>();
  int64_t* dst = out.data_ptr<int64_t>();
  for (int64_t r = 0; r < rows; ++r) {
    std::copy(src + from[static_cast<size_t>(r)] * len, src + (from[static_cast<size_t>(r)] + 1) * len,
              dst + r * (len + 1));
    dst[r * (len + 1) + len] = last[static_cast<size_t>(r)];
  }
  return out;
}

// argmax_row's pass over whole vectors: the largest value, then the first index holding it (or
// the first NaN, where there is one). 30,524 logits take two passes from L2 instead of a scalar
// comparison each.
__attribute__((target("avx512f"))) int64_t argmax_row_avx512(const float* row, int64_t n) {
  __m512 top = _mm512_set1_ps(kNegInf);
  __mmask16 nan = 0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(row + i);
    nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    top = _mm512_max_ps(top, v);
  }
  float largest = _mm512_reduce_max_ps(top);
  for (int64_t j = i; j < n; ++j) {
    if (std::isnan(row[j])) nan = 1;
    largest = std::max(largest, row[j]);
  }
  if (nan) {
    for (int64_t j = 0; j < n; ++j)
      if (std::isnan(row[j])) return j;
  }
  // (equal compares zeros of either sign alike, as at::argmax's comparison does)
  const __m512 want = _mm512_set1_ps(largest);
  for (i = 0; i + 16 <= n; i += 16) {
    const __mmask16 at = _mm512_cmp_ps_mask(_mm512_loadu_ps(row + i), want, _CMP_EQ_OQ);
    if (at) return i + __builtin_ctz(at);
  }
  for (; i < n; ++i)
    if (row[i] == largest) return i;
  return 0;
}

void report(const StepCallback* on_step, const at::Tensor& raw, const at::Tensor& processed, const at::Tensor& ids) {
  if (!on_step || !*on_step) return;
  at::Tensor r = raw.contiguous(), q = processed.contiguous(), s = ids.contiguous();
  (*on_step)(
      StepScores{r.size(0), r.size(1), r.data_ptr<float>(), q.data_ptr<float>(), s.data_ptr<int64_t>(), s.size(1)});
}
}  // namespace

void apply_logits_processors(at::Tensor& scores, const at::Tensor& sequences, const GenerationConfig& config,
                             int64_t max_length) {
  // 1. RepetitionPenaltyLogitsProcessor: gather, penalise, scatter (so each distinct id once).
  if (config.repetition_penalty != 1.0) {
    at::Tensor s = scores.gather(1, sequences);
    const float p = static_cast<float>(config.repetition_penalty);
    s = at::where(s < 0, s * p, s / p);
    scores.scatter_(1, sequences, s);
  }
  const int64_t rows = sequences.size(0), len = sequences.size(1);
  // 2. NoRepeatNGramLogitsProcessor over the whole sequence.
  const int n = config.no_repeat_ngram_size;
  if (n > 0 && len + 1 >= n) {
    at::Tensor seq = sequences.contiguous();
    const int64_t* ids = seq.data_ptr<int64_t>();
    auto acc = scores.accessor<float, 2>();
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t* row = ids + r * len;
      for (int64_t i = 0; i + n <= len; ++i) {
        if (std::equal(row + i, row + i + n - 1, row + len - (n - 1))) acc[r][row[i + n - 1]] = kNegInf;
      }
    }
  }
  // 3. NoBadWordsLogitsProcessor (transformers drops the sequence [eos] from the list).
  const int64_t vocab = scores.size(1);
  // A token's score in every row set to v through the scores' strides: a select and a fill here
  // were ATen calls, each cold after a decoder step had streamed its weights through the caches.
  // (A token outside the vocabulary goes to select, which refuses it.)
  auto fill_token = [&](int64_t token, float v) {
    if (token < 0 || token >= vocab || scores.scalar_type() != at::kFloat) {
      scores.select(/*dim=*/1, token).fill_(v);
      return;
    }
    auto acc = scores.accessor<float, 2>();
    for (int64_t r = 0; r < acc.size(0); ++r) acc[r][token] = v;
  };
  for (const auto& bad : config.bad_words_ids) {
    if (bad.empty() || (bad.size() == 1 && bad[0] == config.eos_token_id)) continue;
    const int64_t banned = bad.back();
    if (banned < 0 || banned >= vocab) continue;
    if (bad.size() == 1) {
      fill_token(banned, kNegInf);
      continue;
    }
    const int64_t prefix = static_cast<int64_t>(bad.size()) - 1;
    if (prefix > len) continue;
    at::Tensor seq = sequences.contiguous();
    const int64_t* ids = seq.data_ptr<int64_t>();
    auto acc = scores.accessor<float, 2>();
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t* row = ids + r * len;
      if (std::equal(bad.begin(), bad.end() - 1, row + len - prefix)) acc[r][banned] = kNegInf;
    }
  }
  // 4. MinLengthLogitsProcessor
  if (len < config.min_length) fill_token(config.eos_token_id, kNegInf);
  // 5. ForcedEOSTokenLogitsProcessor: the last position left holds eos alone.
  if (config.forced_eos_token_id) {
    const int64_t limit = max_length > 0 ? max_length : config.max_length;
    const int64_t eos = *config.forced_eos_token_id;
    if (len == limit - 1 && eos >= 0 && eos < vocab) {
      scores.fill_(kNegInf);
      fill_token(eos, 0.0f);
    }
  }
}

namespace {

void apply_warpers(at::Tensor& scores, const GenerationConfig& c) {
  // TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper, in Hugging Face's order.
  if (c.temperature != 1.0) scores = scores / static_cast<float>(c.temperature);
  if (c.top_k > 0 && c.top_k < scores.size(1)) {
    at::Tensor kth = std::get<0>(at::topk(scores, c.top_k)).select(1, c.top_k - 1).unsqueeze(1);
    scores = scores.masked_fill(scores < kth, kNegInf);
  }
  if (c.top_p < 1.0) {
    auto [sorted, indices] = at::sort(scores, /*dim=*/1, /*descending=*/false);
    at::Tensor cum = at::softmax(sorted, -1).cumsum(-1);
    at::Tensor remove = cum <= (1.0 - c.top_p);
    remove.select(1, remove.size(1) - 1).fill_(false);  // min_tokens_to_keep = 1
    remove = remove.scatter(1, indices, remove);
    scores = scores.masked_fill(remove, kNegInf);
  }
}

int64_t effective_max_length(const GenerationConfig& c, int64_t start_len) {
  return c.max_new_tokens ? start_len + *c.max_new_tokens : c.max_length;
}

GenerationResult greedy_or_sample(const SessionFactory& make_session, at::Tensor ids, at::Tensor mask,
                                  const GenerationConfig& c, const std::atomic<bool>* cancel,
                                  const StepCallback* on_step) {
  const int64_t r = c.do_sample ? c.num_return_sequences : 1;
  if (r > 1) {
    ids = ids.repeat_interleave(r, /*dim=*/0);
    mask = mask.repeat_interleave(r, /*dim=*/0);
  }
  const int64_t rows = ids.size(0);
  const int64_t max_length = effective_max_length(c, ids.size(1));
  c10::optional<at::Generator> gen;
  if (c.do_sample) {
    gen = at::detail::createCPUGenerator(c.seed ? *c.seed : std::random_device{}());
  }
  auto session = make_session(r);
  // Between two steps a base model's weights have streamed through the caches, so each ATen call
  // here would start cold (tens of microseconds, twelfth round): the next token's choice and the
  // sequences' bookkeeping run on plain memory, as beam search's do.
  const auto longs = at::TensorOptions().dtype(at::kLong);
  std::vector<char> unfinished(static_cast<size_t>(rows), 1);
  std::vector<int64_t> next_tokens(static_cast<size_t>(rows)), same_rows(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) same_rows[static_cast<size_t>(i)] = i;
  const std::vector<int64_t> ones(static_cast<size_t>(rows), 1);
  const bool reported = on_step && *on_step;
  at::Tensor new_ids = ids;
  // Like transformers, the first step always runs; the length check follows each step.
  for (;;) {
    check_cancel(cancel);
    at::Tensor logits = session->step(new_ids, mask).to(at::kFloat);
    if (logits.dim() != 2 || logits.size(0) != rows || logits.size(1) < 1)
      throw BlipError("the decoder gave logits of another shape than one row of scores per sequence");
    // the processors write into the scores: a copy only where the raw logits are reported too
    at::Tensor scores = reported ? logits.clone() : logits;
    apply_logits_processors(scores, ids, c, max_length);
    if (c.do_sample) {
      apply_warpers(scores, c);
      const at::Tensor drawn = at::multinomial(at::softmax(scores, -1), 1, false, gen).contiguous();
      std::copy(drawn.data_ptr<int64_t>(), drawn.data_ptr<int64_t>() + rows, next_tokens.begin());
    } else {
      scores = scores.contiguous();
      const int64_t vocab = scores.size(1);
      const float* sp = scores.data_ptr<float>();
      for (int64_t i = 0; i < rows; ++i) next_tokens[static_cast<size_t>(i)] = argmax_row(sp + i * vocab, vocab);
    }
    report(on_step, logits, scores, ids);
    for (int64_t i = 0; i < rows; ++i)
      if (!unfinished[static_cast<size_t>(i)]) next_tokens[static_cast<size_t>(i)] = c.pad_token_id;
    ids = append_column(ids.contiguous(), same_rows, next_tokens);
    mask = append_column(mask.contiguous(), same_rows, ones);  // int64 (generate)
    new_ids = at::empty({rows, 1}, longs);
    std::copy(next_tokens.begin(), next_tokens.end(), new_ids.data_ptr<int64_t>());
    for (int64_t i = 0; i < rows; ++i)
      if (next_tokens[static_cast<size_t>(i)] == c.eos_token_id) unfinished[static_cast<size_t>(i)] = 0;
    if (std::none_of(unfinished.begin(), unfinished.end(), [](char u) { return u != 0; }) || ids.size(1) >= max_length)
      break;
  }
  GenerationResult res;
  at::Tensor out = ids.contiguous();
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t* p = out.data_ptr<int64_t>() + i * out.size(1);
    res.sequences.emplace_back(p, p + out.size(1));
  }
  return res;
}

// transformers' BeamHypotheses: the best `num_beams` finished hypotheses of one batch item.
struct BeamHypotheses {
  struct Hyp {
    double score;
    std::vector<int64_t> tokens;
  };
  int num_beams;
  double length_penalty;
  bool early_stopping;
  std::vector<Hyp> beams;
  double worst_score = 1e9;

  void add(std::vector<int64_t> tokens, double sum_logprobs, int64_t generated_len) {
    const double score = sum_logprobs / std::pow(static_cast<double>(generated_len), length_penalty);
    if (static_cast<int>(beams.size()) < num_beams || score > worst_score) {
      beams.push_back({score, std::move(tokens)});
      if (static_cast<int>(beams.size()) > num_beams) {
        // sorted((s, idx)): the lowest score, the earliest among equals, is removed
        std::vector<std::pair<double, size_t>> order;
        for (size_t i = 0; i < beams.size(); ++i) order.emplace_back(beams[i].score, i);
        std::sort(order.begin(), order.end());
        beams.erase(beams.begin() + static_cast<std::ptrdiff_t>(order[0].second));
        worst_score = order[1].first;
      } else {
        worst_score = std::min(score, worst_score);
      }
    }
  }

  bool is_done(double best_sum_logprobs, int64_t cur_len, int64_t prompt_len) const {
    if (static_cast<int>(beams.size()) < num_beams) return false;
    if (early_stopping) return true;
    const double highest = best_sum_logprobs / std::pow(static_cast<double>(cur_len - prompt_len), length_penalty);
    return worst_score >= highest;
  }
};

// a before b: NaN first, then the larger sum, then the lower index
bool candidate_before(const BeamCandidate& a, const BeamCandidate& b) {
  const bool an = std::isnan(a.score), bn = std::isnan(b.score);
  if (an != bn) return an;
  if (!an && a.score != b.score) return a.score > b.score;
  return a.index < b.index;
}

// Offers row[v] + add for v in [v0, v1) of beam j to the `want` best kept in `out` (worst last).
void offer_candidates(const float* row, float add, int64_t j, int64_t vocab, int64_t v0, int64_t v1, int64_t want,
                      std::vector<BeamCandidate>& out, float& worst) {
  for (int64_t v = v0; v < v1; ++v) {
    const float sum = row[v] + add;
    // the usual case, one comparison: below the worst kept (a tie loses too, indices rising;
    // NaN on either side goes on to the full order)
    if (sum <= worst && static_cast<int64_t>(out.size()) == want) continue;
    const BeamCandidate c{sum, j * vocab + v};
    if (static_cast<int64_t>(out.size()) == want && !candidate_before(c, out.back())) continue;
    out.insert(std::upper_bound(out.begin(), out.end(), c, candidate_before), c);
    if (static_cast<int64_t>(out.size()) > want) out.pop_back();
    worst = out.back().score;
  }
}

// The same, 16 sums at a time: a block whose sums are all at or below the worst kept (none NaN)
// changes nothing once `want` are kept, and is passed over after one comparison. The sums are the
// scalar loop's (one float addition each), so the result is the same.
__attribute__((target("avx512f"))) void offer_candidates_avx512(const float* row, float add, int64_t j, int64_t vocab,
                                                                int64_t want, std::vector<BeamCandidate>& out,
                                                                float& worst) {
  const __m512 a = _mm512_set1_ps(add);
  int64_t v = 0;
  for (; v + 16 <= vocab; v += 16) {
    if (static_cast<int64_t>(out.size()) == want) {
      const __m512 sums = _mm512_add_ps(_mm512_loadu_ps(row + v), a);
      // not (sum <= worst): above it, or NaN on either side
      if (_mm512_cmp_ps_mask(sums, _mm512_set1_ps(worst), _CMP_NLE_UQ) == 0) continue;
    }
    offer_candidates(row, add, j, vocab, v, v + 16, want, out, worst);
  }
  offer_candidates(row, add, j, vocab, v, vocab, want, out, worst);
}

}  // namespace

void best_beam_candidates(const float* scores, int64_t beams, int64_t vocab, const float* beam_scores, int64_t want,
                          std::vector<BeamCandidate>& out) {
  out.clear();
  if (want <= 0) return;
  static const bool avx512 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  out.reserve(static_cast<size_t>(want) + 1);
  float worst = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < beams; ++j) {
    // (a base model's beam-3 step: 91,572 sums; docs/performance.md, twenty-third round)
    if (avx512)
      offer_candidates_avx512(scores + j * vocab, beam_scores[j], j, vocab, want, out, worst);
    else
      offer_candidates(scores + j * vocab, beam_scores[j], j, vocab, 0, vocab, want, out, worst);
  }
}

namespace {

GenerationResult beam_search(const SessionFactory& make_session, at::Tensor ids, at::Tensor mask,
                             const GenerationConfig& c, const std::atomic<bool>* cancel, const StepCallback* on_step) {
  const int64_t batch = ids.size(0), k = c.num_beams;
  const int64_t prompt_len = ids.size(1);
  const int64_t max_length = effective_max_length(c, prompt_len);
  ids = ids.repeat_interleave(k, /*dim=*/0);
  mask = mask.repeat_interleave(k, /*dim=*/0);
  const int64_t rows = batch * k;
  auto session = make_session(k);

  // beam 0 of each item starts alone: the others' first candidates lose to its
  std::vector<float> beam_scores(static_cast<size_t>(rows), 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    if (r % k != 0) beam_scores[static_cast<size_t>(r)] = -1e9f;
  std::vector<BeamHypotheses> hyps(batch, BeamHypotheses{static_cast<int>(k), c.length_penalty, c.early_stopping, {}});
  std::vector<bool> done(batch, false);
  at::Tensor new_ids = ids;
  // Between two steps a base model's weights have streamed through the caches, so each ATen call
  // here starts cold (tens of microseconds): the choice of the next beams runs on plain memory.
  std::vector<BeamCandidate> top;
  std::vector<float> next_scores(static_cast<size_t>(rows));
  std::vector<int64_t> next_tokens(static_cast<size_t>(rows)), next_index(static_cast<size_t>(rows));
  const std::vector<int64_t> ones(static_cast<size_t>(rows), 1);

  for (;;) {
    check_cancel(cancel);
    at::Tensor logits = session->step(new_ids, mask).to(at::kFloat);
    const int64_t vocab = logits.size(1);
    at::Tensor scores = at::log_softmax(logits, -1);
    apply_logits_processors(scores, ids, c, max_length);
    report(on_step, logits, scores, ids);
    scores = scores.contiguous();
    const float* sp = scores.data_ptr<float>();
    const int64_t cur_len = ids.size(1) + 1;
    at::Tensor ids_c = ids.contiguous();
    const int64_t* idp = ids_c.data_ptr<int64_t>();
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t first = b * k;
      if (done[b]) {
        for (int64_t j = 0; j < k; ++j) {
          next_scores[static_cast<size_t>(first + j)] = 0.0f;
          next_tokens[static_cast<size_t>(first + j)] = c.pad_token_id;
          next_index[static_cast<size_t>(first + j)] = first;
        }
        continue;
      }
      best_beam_candidates(sp + first * vocab, k, vocab, beam_scores.data() + first, 2 * k, top);
      int64_t beam = 0;
      for (const BeamCandidate& cand : top) {
        const int64_t token = cand.index % vocab;
        const int64_t row = first + cand.index / vocab;
        const int64_t rank = &cand - top.data();
        if (token == c.eos_token_id) {
          if (rank >= k) continue;
          const int64_t* rp = idp + row * ids.size(1);
          hyps[b].add(std::vector<int64_t>(rp, rp + ids.size(1)), static_cast<double>(cand.score),
                      cur_len - prompt_len);
        } else {
          next_scores[static_cast<size_t>(first + beam)] = cand.score;
          next_tokens[static_cast<size_t>(first + beam)] = token;
          next_index[static_cast<size_t>(first + beam)] = row;
          ++beam;
        }
        if (beam == k) break;
      }
      if (beam < k) throw BlipError("beam search could not fill its beams (vocabulary too small)");
      done[b] = done[b] || hyps[b].is_done(static_cast<double>(top.front().score), cur_len, prompt_len);
    }
    beam_scores = next_scores;
    // the chosen rows' sequences and masks, each with its new token (and a 1) appended
    const auto longs = at::TensorOptions().dtype(at::kLong);
    at::Tensor index = at::from_blob(next_index.data(), {rows}, longs).clone();
    new_ids = at::from_blob(next_tokens.data(), {rows, 1}, longs).clone();
    ids = append_column(ids_c, next_index, next_tokens);
    mask = append_column(mask.contiguous(), next_index, ones);  // int64 (generate)
    session->reorder(index);
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; }) || ids.size(1) >= max_length) break;
  }

  // Finalize: running beams of unfinished items become hypotheses.
  at::Tensor ids_c = ids.contiguous();
  const int64_t len = ids.size(1);
  for (int64_t b = 0; b < batch; ++b) {
    if (done[b]) continue;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t row = b * k + j;
      const int64_t* rp = ids_c.data_ptr<int64_t>() + row * len;
      hyps[b].add(std::vector<int64_t>(rp, rp + len), static_cast<double>(beam_scores[static_cast<size_t>(row)]),
                  len - prompt_len);
    }
  }
  GenerationResult res;
  size_t width = 0;
  for (int64_t b = 0; b < batch; ++b) {
    auto sorted = hyps[b].beams;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.score < y.score; });
    for (int j = 0; j < c.num_return_sequences; ++j) {
      res.sequences.push_back(sorted.back().tokens);
      res.sequences_scores.push_back(static_cast<float>(sorted.back().score));
      width = std::max(width, sorted.back().tokens.size());
      sorted.pop_back();
    }
  }
  width = std::min<size_t>(width + 1, static_cast<size_t>(max_length));
  for (auto& s : res.sequences) {
    if (s.size() < width) s.push_back(c.eos_token_id);
    s.resize(width, c.pad_token_id);
  }
  return res;
}

}  // namespace

GenerationResult generate(const SessionFactory& make_session, const at::Tensor& start_ids, const at::Tensor& start_mask,
                          const GenerationConfig& config, const std::atomic<bool>* cancel,
                          const StepCallback* on_step) {
  config.validate();
  if (start_ids.dim() != 2 || start_ids.size(0) == 0 || start_ids.size(1) == 0)
    throw BlipError("generation needs at least one start token per row");
  at::Tensor ids = start_ids.to(at::kLong);
  at::Tensor mask = start_mask.defined() ? start_mask.to(at::kLong) : at::ones_like(ids);
  if (config.num_beams > 1) return beam_search(make_session, ids, mask, config, cancel, on_step);
  return greedy_or_sample(make_session, ids, mask, config, cancel, on_step);
}

int64_t argmax_row(const float* row, int64_t n) {
  if (n <= 0) return 0;
  static const bool avx512 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  if (avx512) return argmax_row_avx512(row, n);
  int64_t best = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(row[i])) return i;
    if (row[i] > row[best]) best = i;
  }
  return best;
}

}  // namespace glimpse::blip
