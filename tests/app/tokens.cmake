# tokens tests (issue 5)
