pytest_plugins = ["tests.fixtures.app", "tests.fixtures.mail", "tests.fixtures.auth", "tests.fixtures.stripe",
                  "tests.fixtures.wallets", "tests.fixtures.queries", "tests.fixtures.browser"]
