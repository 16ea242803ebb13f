#!/usr/bin/env bash
# The project's tests (README "Test"): the whole suite on SQLite; then, when TILL_TEST_PG_URL
# names a PostgreSQL server (a database to connect to first; `.ci/run` starts a throwaway one
# with scripts/pg-test-cluster.sh), the ledger's suites again on PostgreSQL, each test on a
# database of its own (DESIGN §7). Arguments go to the first `swift test` (e.g. --skip-build).
set -euo pipefail
cd "$(dirname "$0")/.."

swift test "$@"
if [ -n "${TILL_TEST_PG_URL:-}" ]; then
    echo "== the ledger's suites on PostgreSQL ($TILL_TEST_PG_URL)"
    TILL_TEST_BACKEND=postgres swift test --skip-build --filter 'TillServiceTests|TillHTTPTests|TillSimTests|TillCLITests.ScenarioTests|TillCLITests.ProcessTests'
fi
