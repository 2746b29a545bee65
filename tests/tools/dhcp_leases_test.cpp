// pxekit leases: errors and the empty case (listing real leases is covered by DhcpServeSeed and
// DhcpServeCrash, which run the server).
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_paths.h"

namespace pxe::test {
namespace {

TEST(PxekitLeases, MissingDatabaseIsARuntimeErrorNamingTheFile) {
  std::string out;
  int rc = run(pxekit_binary() + " leases --db /nonexistent/pxkd.db 2>&1", &out);
  EXPECT_EQ(rc, 3);
  EXPECT_NE(out.find("/nonexistent/pxkd.db"), std::string::npos) << out;
}

TEST(PxekitLeases, BadFormatIsAUsageError) {
  int rc = run(pxekit_binary() + " leases --format xml >/dev/null 2>&1");
  EXPECT_EQ(rc, 2);
}

}  // namespace
}  // namespace pxe::test
