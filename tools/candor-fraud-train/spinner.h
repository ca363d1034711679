#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace candor::fraud_train {

// A review script as a campaign's writers use it: sentences made of fixed text and slots of
// interchangeable phrases, written "{great|excellent|superb}". A sentence that starts with "?" is
// optional. Category-neutral ("this item"), so it fits any product.
class Script {
 public:
  // Parses `sentences` (the syntax above) and `titles` (alternatives of a whole title). A
  // malformed template ("{" without "}") aborts: the scripts are the tool's own constants.
  Script(const std::vector<std::string_view>& sentences, std::vector<std::string_view> titles);

  struct Part {
    std::vector<std::string> choices;  // one element: fixed text
  };
  struct Sentence {
    bool optional = false;
    std::vector<Part> parts;
  };
  const std::vector<Sentence>& sentences() const { return sentences_; }
  const std::vector<std::string_view>& titles() const { return titles_; }

 private:
  std::vector<Sentence> sentences_;
  std::vector<std::string_view> titles_;
};

// The scripts campaigns draw on: positive ones (five-star farms, incentivised reviews, slow
// drips) and negative ones (review bombs, competitor attacks).
const std::vector<Script>& PositiveScripts();
const std::vector<Script>& NegativeScripts();

// Writes the texts of one campaign's reviews.
class Writer {
 public:
  virtual ~Writer() = default;
  virtual std::string Body(std::mt19937_64& rng) const = 0;
  virtual std::string Title(std::mt19937_64& rng) const = 0;
};

// Spun variants of one script, as a farm produces them: a base text (one choice per slot and
// per optional sentence) that each review departs from by `spin` (0..1): each slot takes another
// phrase with probability `spin`, each optional sentence is flipped with probability spin / 2,
// then SpinSentences. spin 0 repeats the base text; spin 1 writes a fresh text each time.
class Spinner final : public Writer {
 public:
  Spinner(const Script& script, double spin, std::mt19937_64& rng);

  std::string Body(std::mt19937_64& rng) const override;
  std::string Title(std::mt19937_64& rng) const override;

 private:
  const Script* script_;
  double spin_;
  std::vector<std::vector<int>> base_;  // per sentence, per part: the base choice
  std::vector<bool> base_included_;
  int base_title_ = 0;
};

// Spun variants of a real review (the campaign's template, taken from another product): each
// word the thesaurus knows is swapped for a synonym with probability `spin`, then
// SpinSentences.
class TextSpinner final : public Writer {
 public:
  TextSpinner(std::string title, std::string body, double spin);

  std::string Body(std::mt19937_64& rng) const override;
  std::string Title(std::mt19937_64& rng) const override;

 private:
  std::string title_;
  std::vector<std::string> sentences_;
  double spin_;
};

// A sentence order and word edits a writer varies: up to two pairs of adjacent sentences are
// swapped (each with probability `spin`), then about 3 x spin words are inserted (fillers such
// as "really") or dropped. Returns the sentences joined by spaces.
std::string SpinSentences(std::vector<std::string> sentences, double spin, std::mt19937_64& rng);

// Each word of `text` that the thesaurus knows ("great", "bought", "works", ...) replaced by one
// of its synonyms with probability `spin`, keeping capitals and punctuation.
std::string SwapSynonyms(std::string_view text, double spin, std::mt19937_64& rng);

// `text` cut into sentences after '.', '!' or '?' (a sentence keeps its mark).
std::vector<std::string> SplitSentences(std::string_view text);

// "I received this item at a discount in exchange for my honest review." and its variants.
std::string DisclosureSentence(std::mt19937_64& rng);

}  // namespace candor::fraud_train
