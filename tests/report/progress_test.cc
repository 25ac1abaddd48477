#include "monosem/report/progress.h"

#include <sstream>

#include "gtest/gtest.h"

namespace monosem::report {
namespace {

TEST(Progress, TerminalRedrawsInPlaceWithEta) {
  std::ostringstream out;
  double now = 0;
  {
    Progress p("train", 100, "steps", &out, /*terminal=*/true, [&now] { return now; });
    now = 10;
    p.Update(25);  // 10 s for 25 steps: 30 s to go
    EXPECT_NE(out.str().find("\rtrain:  25% 25/100 steps, 10.0s elapsed, ETA 30.0s"), std::string::npos)
        << out.str();
    now = 10.1;
    p.Update(26);  // within 0.2 s of the last draw: not drawn
    EXPECT_EQ(out.str().find("26/100"), std::string::npos);
    now = 40;
    p.Update(100);
    p.Finish();
  }
  EXPECT_NE(out.str().find("train: done, 100/100 steps in 40.0s"), std::string::npos);
  EXPECT_EQ(out.str().back(), '\n');
}

TEST(Progress, NotATerminalPrintsOneLinePerStage) {
  std::ostringstream out;
  double now = 0;
  {
    Progress p("browse: SAE codes", 4, "tokens", &out, /*terminal=*/false, [&now] { return now; });
    for (int i = 1; i <= 4; ++i) {
      now = i * 100;
      p.Update(i);
    }
  }
  EXPECT_EQ(out.str(), "browse: SAE codes: done, 4/4 tokens in 6m40s\n");
}

TEST(Progress, NoEtaBeforeOnePercent) {
  std::ostringstream out;
  Progress p("x", 1000, "steps", &out, false, [] { return 0.0; });
  EXPECT_NE(p.Line(5, 3.0).find("ETA ?"), std::string::npos);
  EXPECT_NE(p.Line(500, 30.0).find("ETA 30.0s"), std::string::npos);
  EXPECT_EQ(Progress::FormatSeconds(3725), "1h02m");
  EXPECT_EQ(Progress::FormatSeconds(187), "3m07s");
}

}  // namespace
}  // namespace monosem::report
