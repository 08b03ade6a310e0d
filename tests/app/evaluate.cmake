# evaluate tests (issue 5)
