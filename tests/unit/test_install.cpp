// The install module's parsers: nothing here loads a BPF program.
#include <gtest/gtest.h>

#include "install.hpp"

using namespace bootseal::loader;

// The verifier's statistics (BPF_LOG_STATS) as 6.1 and 6.12 print them.
TEST(VerifierStats, TimeAndInstructionsAreRead) {
  const auto s = parse_verifier_stats(
      "verification time 5453 usec\nstack depth 48\nprocessed 174 insns (limit 1000000) max_states_per_insn 0 "
      "total_states 14 peak_states 14 mark_read 7\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->usec, 5453u);
  EXPECT_EQ(s->insns, 174u);
  // One of the two: the other is 0.
  const auto only = parse_verifier_stats("processed 288698 insns (limit 1000000)");
  ASSERT_TRUE(only);
  EXPECT_EQ(only->usec, 0u);
  EXPECT_EQ(only->insns, 288698u);
}

TEST(VerifierStats, OtherLogsAreNotStats) {
  EXPECT_FALSE(parse_verifier_stats(""));
  EXPECT_FALSE(parse_verifier_stats("func#0 @0\n0: R1=ctx() R10=fp0"));
  EXPECT_FALSE(parse_verifier_stats("verification time usec"));  // no number
  EXPECT_FALSE(parse_verifier_stats("processed 99999999999999999999999 insns"));  // does not fit
}
