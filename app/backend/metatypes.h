// The engine's value types that cross threads in queued signals between the
// workers and the controllers: registered once here (Qt registers each on
// first use in a queued connection).
#pragma once

#include <QMetaType>

#include "backend/inference_backend.h"
#include "waypoint/generate.h"
#include "waypoint/model_card.h"
#include "waypoint/perplexity.h"

Q_DECLARE_METATYPE(waypoint::GenerateOptions)
Q_DECLARE_METATYPE(waypoint::TokenEvent)
Q_DECLARE_METATYPE(waypoint::GenerationStats)
Q_DECLARE_METATYPE(waypoint::ModelCard)
Q_DECLARE_METATYPE(waypoint::PerplexityResult)
Q_DECLARE_METATYPE(waypoint::app::ConversationRequest)
