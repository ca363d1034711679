#include "tools/candor-fraud-train/spinner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/candor-fraud-train/random.h"

namespace candor::fraud_train {
namespace {

template <typename T>
std::size_t PickIndex(const std::vector<T>& v, std::mt19937_64& rng) {
  return Index(rng, v.size());
}

// "{a|b}" -> parts. Aborts on a template without its closing brace (a bug in this file).
std::vector<Script::Part> ParseSentence(std::string_view s) {
  std::vector<Script::Part> parts;
  while (!s.empty()) {
    const std::size_t open = s.find('{');
    if (open != 0) {
      const std::size_t len = open == std::string_view::npos ? s.size() : open;
      parts.push_back({{std::string(s.substr(0, len))}});
      s.remove_prefix(len);
      continue;
    }
    const std::size_t close = s.find('}');
    if (close == std::string_view::npos) {
      std::fprintf(stderr, "candor-fraud-train: bad script template: %.*s\n",
                   static_cast<int>(s.size()), s.data());
      std::abort();
    }
    Script::Part part;
    const std::string_view inner = s.substr(1, close - 1);
    for (absl::string_view c : absl::StrSplit(absl::string_view(inner.data(), inner.size()), '|')) {
      part.choices.emplace_back(c);
    }
    parts.push_back(std::move(part));
    s.remove_prefix(close + 1);
  }
  return parts;
}

// Words a writer adds or that a spin drops.
constexpr std::string_view kFillers[] = {"really", "very",   "so",    "just",
                                         "truly",  "pretty", "quite", "honestly"};

}  // namespace

Script::Script(const std::vector<std::string_view>& sentences, std::vector<std::string_view> titles)
    : titles_(std::move(titles)) {
  for (std::string_view s : sentences) {
    Sentence sentence;
    if (!s.empty() && s.front() == '?') {
      sentence.optional = true;
      s.remove_prefix(1);
    }
    sentence.parts = ParseSentence(s);
    sentences_.push_back(std::move(sentence));
  }
}

// The scripts' sentences are too long for one line, so they are split into adjacent literals on
// purpose.
// NOLINTBEGIN(bugprone-suspicious-missing-comma)
const std::vector<Script>& PositiveScripts() {
  static const std::vector<Script> kScripts = {
      Script({"{This|The} {item|product} is {absolutely|truly|simply|just} "
              "{amazing|fantastic|outstanding|excellent}.",
              "I {bought|ordered|purchased|got} it {for my|as a gift for my|to use with my} "
              "{studio|home|family|office|setup|husband|wife|son|daughter} and it "
              "{works|performs|does its job} {perfectly|flawlessly|great|exactly as described}.",
              "?The {quality|build quality|craftsmanship} is {top notch|superb|first class|better "
              "than I expected}.",
              "?{Shipping|Delivery} was {fast|quick|super fast} and {the packaging was|everything "
              "arrived} {perfect|in great shape|well protected}.",
              "?I have {tried|used|owned} {several|many|other} {brands|alternatives|similar "
              "products} and {this one beats them all|nothing comes close}.",
              "{Best|Greatest} {purchase|money spent|buy} {I have made|of the year|in a long "
              "time}{!|.}",
              "?{Highly recommend|I recommend it|Would recommend} {to everyone|to anyone|without "
              "hesitation}."},
             {"Amazing", "Love it", "Five stars", "Must buy", "Best ever", "Perfect",
              "Great product", "Excellent quality"}),
      Script(
          {"{Five stars|5 stars|Top marks|Full marks} {from me|all the way|without a doubt}.",
           "{Quality|Build quality|The quality} is {outstanding|excellent|superb|first "
           "class}{ and the seller shipped fast| and shipping was quick| and it arrived early|}.",
           "?{It|This item} {looks|feels} {even better|much better|a lot nicer} {than|in person "
           "than} {in the pictures|the photos|I expected}.",
           "?{My|Our} {whole family|kids|friends|coworkers} {love|adore|are impressed by} it.",
           "{Beats every other brand I tried|Better than the expensive brands|Nothing else comes "
           "close|Worth every penny}{.|!}",
           "?{Buy it|Get one}, you will not {regret|be sorry about} it.",
           "?{Great|Excellent|Fantastic} {value|price} for {the money|what you get}."},
          {"Top marks", "Worth every penny", "Five stars", "Superb", "Outstanding"}),
      Script({"I {was|had been} {skeptical|unsure|hesitant} {at first|before ordering|about buying "
              "this}, but {this item|it} {exceeded|surpassed|blew away} {all|my} expectations.",
              "{Setup|Getting started|Installation} {took|was done in} {minutes|no time|five "
              "minutes} and {the instructions were|everything was} {clear|easy to follow|"
              "straightforward}.",
              "?I have been using it {every day|daily|for a few weeks|for a month now} and {it "
              "still works|it holds up|it performs} {like new|perfectly|great}.",
              "?{The materials|The finish|Everything about it} {feels|seems} "
              "{premium|solid|durable|well made}.",
              "?{Compared to|Unlike} {my old one|the one I had before|cheaper options}, {this|it} "
              "is {a huge upgrade|on another level|so much better}.",
              "?{Customer service|The seller} {answered|responded to} {my question|all my "
              "questions} {right away|within hours|quickly}.",
              "{I would|I will} {definitely|absolutely|happily} {buy it again|order another "
              "one|recommend it to my friends}."},
             {"Exceeded expectations", "Pleasantly surprised", "Great buy", "Very happy",
              "Better than expected"}),
      Script({"{For|At} this price {you cannot beat it|you can't go wrong|it is hard to find "
              "better}.",
              "{It|This item} {does|handles} {everything|all} {I need|I wanted|it promises} {and "
              "more|without any problem|with ease}.",
              "?I {compared|looked at} {a dozen|many|several} {listings|options|products} {before "
              "buying|before choosing this one} and {I am glad|I'm happy} I {picked|chose} {this "
              "one|it}.",
              "?{Solid|Sturdy|Well built} and {reliable|dependable|easy to use}.",
              "?{Arrived|Came} {on time|early|quickly} and {well packaged|in perfect condition}.",
              "{Five stars|Highly recommended|A must have}{.|!}"},
             {"Great value", "Can't beat the price", "Highly recommended", "Solid buy"}),
      Script({"{I bought|I got|I ordered} {this|it} as a {gift|birthday present|Christmas "
              "present} for my {brother|sister|dad|mom|friend|nephew}.",
              "{He|She|They} {loved|absolutely loved|could not stop using} it {right away|from "
              "day one|immediately}.",
              "?{The presentation|The box|The packaging} {was|looked} {beautiful|gift "
              "ready|very nice}.",
              "?{I ended up|I am now} {buying|ordering} {another one|a second one} {for "
              "myself|for me|for the house}.",
              "{Great|Perfect|Wonderful} {gift idea|present|buy}{.|!}"},
             {"Perfect gift", "Great present", "They loved it", "Gift idea"}),
  };
  return kScripts;
}

const std::vector<Script>& NegativeScripts() {
  static const std::vector<Script> kScripts = {
      Script({"{Terrible|Awful|Horrible|Worst} {product|item|purchase}{.|!|!!}",
              "{It|This thing} {broke|stopped working|fell apart|died} {after|within} {two "
              "days|a week|one use|a few hours}.",
              "?{Complete|Total|Absolute} {waste|waste of money|junk|garbage}{.|!}",
              "?{Do not|Don't|Never} {buy|waste your money on} {this|it}{.|!}",
              "?{Customer service|The seller} {ignored|never answered|refused to help with} "
              "{my complaint|my emails|my return}."},
             {"Terrible", "Junk", "Broke fast", "Do not buy", "Worst purchase"}),
      Script(
          {"I {had|used|tried} this {item|product} for {a week|two weeks|a month} and {was|am} "
           "{very|really|deeply} {disappointed|unhappy|let down}.",
           "{The quality|Quality control|The build} is {poor|cheap|flimsy|a joke} and {it "
           "feels|it looks} {like a knockoff|cheaply made|like plastic junk}.",
           "?{It does not|It doesn't|It never} {work|perform|hold up} {as advertised|as "
           "described|like the pictures show}.",
           "?{I returned it|I sent it back|I asked for a refund} and {bought|went with|switched "
           "to} {another brand|a different brand|a competitor} {instead|that works}.",
           "?{There are|You can find} {much better|far better|better} {options|alternatives|"
           "products} {for the same price|for less money|elsewhere}.",
           "{Save your money|Look elsewhere|Avoid this one}{.|!}"},
          {"Disappointed", "Cheaply made", "Look elsewhere", "Not as described", "Poor quality"}),
      Script({"{This|The} {item|product} {arrived|came} {damaged|scratched|broken|with parts "
              "missing}.",
              "?{It|The thing} {smells|smelled} {like chemicals|awful|toxic} and {gave "
              "me|caused} {a headache|a rash|problems}.",
              "?{I think|I suspect|Clearly} {it is|this is} {a counterfeit|fake|not the real "
              "thing}.",
              "{Very|Really|Extremely} {dangerous|unsafe|poor quality}{,| -} {stay away|be "
              "careful|avoid}{.|!}",
              "?{One star|1 star} {is too generous|is more than it deserves|because zero is "
              "not an option}."},
             {"Dangerous", "Counterfeit", "Arrived broken", "Stay away", "Unsafe"}),
      Script({"{Save yourself|Spare yourself} the {trouble|headache|frustration} and "
              "{skip|avoid|pass on} this {one|item|product}.",
              "{Mine|Ours|The one I got} {stopped working|failed|broke} {after|within} {a few "
              "days|one week|the first use}, {and|but} {the seller|support|nobody} {would "
              "not|wouldn't|refused to} {replace|refund|help with} it.",
              "?{The reviews|All these five star reviews|The ratings here} {must be|are "
              "obviously|look} {fake|paid|bought}.",
              "?{Very|So|Extremely} {disappointed|frustrated|angry}{.|!}"},
             {"Skip it", "Fake reviews", "Failed quickly", "Avoid", "Frustrating"}),
  };
  return kScripts;
}

// NOLINTEND(bugprone-suspicious-missing-comma)

Spinner::Spinner(const Script& script, double spin, std::mt19937_64& rng)
    : script_(&script), spin_(std::clamp(spin, 0.0, 1.0)) {
  for (const Script::Sentence& s : script.sentences()) {
    std::vector<int> choices;
    for (const Script::Part& p : s.parts)
      choices.push_back(static_cast<int>(PickIndex(p.choices, rng)));
    base_.push_back(std::move(choices));
    base_included_.push_back(!s.optional || Uniform(rng) < 0.5);
  }
  base_title_ = static_cast<int>(PickIndex(script.titles(), rng));
}

std::string Spinner::Body(std::mt19937_64& rng) const {
  const auto& sentences = script_->sentences();
  std::vector<std::string> picked;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    bool included = base_included_[i];
    if (sentences[i].optional && Uniform(rng) < spin_ / 2) included = !included;
    if (!included) continue;
    std::string text;
    for (std::size_t p = 0; p < sentences[i].parts.size(); ++p) {
      const auto& choices = sentences[i].parts[p].choices;
      const std::size_t c =
          Uniform(rng) < spin_ ? PickIndex(choices, rng) : static_cast<std::size_t>(base_[i][p]);
      text += choices[c];
    }
    picked.push_back(std::move(text));
  }
  return SpinSentences(std::move(picked), spin_, rng);
}

std::string Spinner::Title(std::mt19937_64& rng) const {
  const auto& titles = script_->titles();
  const std::size_t t =
      Uniform(rng) < spin_ ? PickIndex(titles, rng) : static_cast<std::size_t>(base_title_);
  return std::string(titles[t]);
}

std::string SpinSentences(std::vector<std::string> sentences, double spin, std::mt19937_64& rng) {
  for (int swap = 0; swap < 2 && sentences.size() > 1; ++swap) {
    if (Uniform(rng) >= spin) continue;
    const std::size_t at = Index(rng, sentences.size() - 1);
    std::swap(sentences[at], sentences[at + 1]);
  }
  std::vector<std::string> words = absl::StrSplit(absl::StrJoin(sentences, " "), ' ');
  const auto edits = static_cast<int>(std::lround(6 * spin * Uniform(rng)));
  for (int e = 0; e < edits && words.size() > 2; ++e) {
    const std::size_t at = 1 + Index(rng, words.size() - 1);
    if (Uniform(rng) < 0.5) {
      words.insert(words.begin() + static_cast<std::ptrdiff_t>(at),
                   std::string(kFillers[Index(rng, std::size(kFillers))]));
    } else {
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(at));
    }
  }
  return absl::StrJoin(words, " ");
}

namespace {

// Common review words and what a spinner puts in their place. Category-neutral.
const std::map<std::string, std::vector<std::string>, std::less<>>& Thesaurus() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> kWords = {
      {"great", {"excellent", "awesome", "fantastic", "superb"}},
      {"good", {"nice", "decent", "solid", "fine"}},
      {"excellent", {"great", "outstanding", "superb"}},
      {"nice", {"good", "lovely", "pleasant"}},
      {"love", {"adore", "like", "enjoy"}},
      {"like", {"enjoy", "love"}},
      {"bought", {"purchased", "got", "ordered"}},
      {"buy", {"purchase", "get", "order"}},
      {"works", {"functions", "performs", "operates"}},
      {"work", {"function", "perform"}},
      {"easy", {"simple", "effortless"}},
      {"price", {"cost", "money"}},
      {"cheap", {"inexpensive", "affordable"}},
      {"product", {"item", "unit"}},
      {"item", {"product", "unit"}},
      {"really", {"truly", "very", "quite"}},
      {"very", {"really", "quite", "extremely"}},
      {"perfect", {"ideal", "flawless"}},
      {"perfectly", {"flawlessly", "great"}},
      {"use", {"utilize", "employ"}},
      {"used", {"utilized", "tried"}},
      {"little", {"small", "tiny"}},
      {"small", {"little", "compact"}},
      {"big", {"large", "huge"}},
      {"fast", {"quick", "speedy"}},
      {"quickly", {"fast", "rapidly"}},
      {"happy", {"pleased", "glad", "satisfied"}},
      {"problem", {"issue", "trouble"}},
      {"problems", {"issues", "troubles"}},
      {"need", {"require", "want"}},
      {"recommend", {"suggest", "endorse"}},
      {"quality", {"build", "craftsmanship"}},
      {"sturdy", {"solid", "durable"}},
      {"bad", {"poor", "awful", "terrible"}},
      {"terrible", {"awful", "horrible", "dreadful"}},
      {"broke", {"snapped", "failed", "died"}},
      {"cheaply", {"poorly", "shoddily"}},
      {"disappointed", {"let down", "unhappy"}},
      {"waste", {"squandering", "loss"}},
      {"money", {"cash", "dollars"}},
      {"definitely", {"certainly", "absolutely"}},
      {"also", {"too", "as well"}},
      {"pretty", {"fairly", "quite"}},
      {"just", {"simply", "only"}},
      {"well", {"nicely", "fine"}},
      {"amazing", {"incredible", "wonderful"}},
      {"awesome", {"great", "amazing"}},
      {"time", {"while"}},
      {"got", {"received", "bought"}},
      {"thing", {"item", "product"}},
  };
  return kWords;
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::string SwapSynonyms(std::string_view text, double spin, std::mt19937_64& rng) {
  std::string out;
  out.reserve(text.size() + 16);
  std::size_t i = 0;
  while (i < text.size()) {
    if (!IsLetter(text[i])) {
      out += text[i++];
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && IsLetter(text[j])) ++j;
    const std::string_view word = text.substr(i, j - i);
    std::string lower(word);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    auto it = Thesaurus().find(lower);
    if (it != Thesaurus().end() && Uniform(rng) < spin) {
      std::string swapped = it->second[Index(rng, it->second.size())];
      if (word[0] >= 'A' && word[0] <= 'Z') swapped[0] = static_cast<char>(swapped[0] - 'a' + 'A');
      out += swapped;
    } else {
      out += word;
    }
    i = j;
  }
  return out;
}

std::vector<std::string> SplitSentences(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '.' || c == '!' || c == '?') && (i + 1 == text.size() || text[i + 1] == ' ')) {
      std::string_view s = text.substr(start, i + 1 - start);
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      if (!s.empty()) out.emplace_back(s);
      start = i + 1;
    }
  }
  std::string_view rest = text.substr(std::min(start, text.size()));
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (!rest.empty()) out.emplace_back(rest);
  return out;
}

TextSpinner::TextSpinner(std::string title, std::string body, double spin)
    : title_(std::move(title)),
      sentences_(SplitSentences(body)),
      spin_(std::clamp(spin, 0.0, 1.0)) {}

std::string TextSpinner::Body(std::mt19937_64& rng) const {
  std::vector<std::string> sentences;
  for (const std::string& s : sentences_) sentences.push_back(SwapSynonyms(s, spin_, rng));
  return SpinSentences(std::move(sentences), spin_, rng);
}

std::string TextSpinner::Title(std::mt19937_64& rng) const {
  return SwapSynonyms(title_, spin_, rng);
}

std::string DisclosureSentence(std::mt19937_64& rng) {
  static const Script kDisclosure(
      {"{I received this product|I got this item|This was provided to me} {at a discount|for "
       "free|at a reduced price} in exchange for my {honest|unbiased} {review|opinion}."},
      {""});
  const Spinner s(kDisclosure, 1.0, rng);
  return s.Body(rng);
}

}  // namespace candor::fraud_train
