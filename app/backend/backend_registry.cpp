#include "backend_registry.h"

#include <QHash>

namespace waypoint::app {
namespace {

struct Registry {
    QHash<QString, BackendFactory> factories{{QStringLiteral("engine"), &makeEngineBackend}};
    QHash<QString, std::weak_ptr<InferenceBackend>> live;
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

void registerBackend(const QString& name, BackendFactory factory) {
    Registry& r = registry();
    r.factories.insert(name, std::move(factory));
    r.live.remove(name);
}

std::shared_ptr<InferenceBackend> sharedBackend(const QString& name) {
    Registry& r = registry();
    if (auto existing = r.live.value(name).lock()) return existing;
    const auto factory = r.factories.constFind(name);
    if (factory == r.factories.constEnd()) return nullptr;
    auto backend = makeSharingBackend((*factory)());
    r.live.insert(name, backend);
    return backend;
}

}  // namespace waypoint::app
