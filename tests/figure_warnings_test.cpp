// analysis/figure_warnings.hpp: which warnings question a record's figure, and when one is news for its series.
#include "analysis/figure_warnings.hpp"

#include <gtest/gtest.h>

namespace {

using namespace ctxbench;
using nlohmann::json;

TEST(FigureWarnings, OnlyWarningsAboutWhatTheFigureTimedQuestionIt) {
  EXPECT_TRUE(questions_the_figure(WarningKind::Denominator));
  EXPECT_TRUE(questions_the_figure(WarningKind::PinnedElsewhere));
  // A wide interval, a run's steal or a bimodal unpinned record: the figure is the op's, only less sure.
  EXPECT_FALSE(questions_the_figure(WarningKind::UnstableEstimate));
  EXPECT_FALSE(questions_the_figure(WarningKind::Bimodal));
  EXPECT_FALSE(questions_the_figure(WarningKind::Steal));
}

TEST(FigureWarnings, KindsAreReadOnceEachAndUnknownOnesAreNot) {
  const json warnings = json::array({{{"kind", "unstable_estimate"}, {"text", "a"}},
                                     {{"kind", "denominator"}, {"text", "b"}, {"figure", 0.35}},
                                     {{"kind", "unclassified"}, {"text", "c"}},
                                     {{"kind", "denominator"}, {"text", "d"}},
                                     {{"text", "no kind"}},
                                     {{"kind", "pinned_elsewhere"}, {"text", "e"}}});
  EXPECT_EQ(figure_warning_kinds(warnings), (std::vector<std::string>{"denominator", "pinned_elsewhere"}));
  EXPECT_TRUE(figure_warning_kinds(json::array()).empty());
  EXPECT_TRUE(figure_warning_kinds(json("not an array")).empty());
}

TEST(FigureWarnings, AKindIsUnusualWhenAtMostHalfTheSegmentCarriesIt) {
  const std::vector<std::string> flagged = {"denominator"};
  const std::vector<std::string> none;
  EXPECT_EQ(unusual_figure_warnings(flagged, {none, none, none, flagged}), flagged);
  EXPECT_EQ(unusual_figure_warnings(flagged, {none, flagged}), flagged);            // half: still news
  EXPECT_TRUE(unusual_figure_warnings(flagged, {flagged, none, flagged}).empty());  // the series' usual state
  EXPECT_EQ(unusual_figure_warnings(flagged, {}), flagged);
  EXPECT_TRUE(unusual_figure_warnings(none, {none, none}).empty());
  const std::vector<std::string> both = {"denominator", "pinned_elsewhere"};
  EXPECT_EQ(unusual_figure_warnings(both, {flagged, flagged, none}), (std::vector<std::string>{"pinned_elsewhere"}));
}

}  // namespace
