// The compare view's state as the engine's plain values (waypoint::PaneResult,
// waypoint::Comparison): what divergence_meaningful() judges and what
// comparison_to_json / _markdown export.
#pragma once

#include <QString>
#include <vector>

#include "backend/inference_backend.h"
#include "waypoint/compare.h"

namespace waypoint::app {

class ComparePane;

// One pane as shown: checkpoint, model name, the sampling its last answer used
// (seed included), generated ids (where recorded), text and the engine's
// stats of that answer as they came (total time and prefill speed included).
waypoint::PaneResult paneResult(const ComparePane& pane);

// `evaluations`: EvaluationController::resultsForExport(), as they are; may be empty.
waypoint::Comparison buildComparison(const QString& prompt, const std::vector<const ComparePane*>& panes,
                                     std::vector<waypoint::EvaluationResult> evaluations,
                                     const QString& evaluationText);

}  // namespace waypoint::app
