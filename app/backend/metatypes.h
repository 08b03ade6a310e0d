// Backend value types that cross threads in queued signals.
#pragma once

#include <QMetaType>

#include "backend/inference_backend.h"

Q_DECLARE_METATYPE(waypoint::app::SamplingValues)
