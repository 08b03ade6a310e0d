# tokens tests (issue 5): per-token probabilities from the backend through the
# worker and controller into MessageModel, checked against the engine itself.
waypoint_app_test(tst_token_probabilities)
