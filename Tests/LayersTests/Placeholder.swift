// Layer tests.
