# compare tests (issue 5)
