// Linked into every test program of a ThreadSanitizer build: tells TSan about
// the ordering a queued connection gives, which it cannot see by itself.
//
// Debian's Qt is not built with TSan. A queued signal copies its arguments on
// the sending thread, posts a QMetaCallEvent under the receiver's posted-event
// mutex (a futex inside libQt6Core, invisible to TSan) and the receiver runs
// the slot later; TSan then takes every value handed over this way (the
// arguments, the event, whatever the sender wrote before emitting) for a race
// between the two threads. Suppressions cannot name that hand-over: TSan's
// fast unwinder stops at the first frame inside Qt (built without frame
// pointers), so the only Qt frame in the receiver's stack is QObject::event,
// the frame of every queued slot.
//
// Instead, two hooks Qt keeps for debugging tools model the queue with one
// synchronisation object: every signal emission releases it (at its start and
// after its connections were served, so the argument copies of a queued call
// are covered) and every event delivery acquires it. Everything a thread did
// before an emission then happens-before whatever any thread does after a
// later event delivery. That is all a queued call promises, and more: an
// access made after an emission, or one racing with code that emits nothing
// and handles no event in between, is still reported (tst_tsan_qt_handover
// plants such a race and expects the report).
//
// Qt's own memory accesses are invisible to TSan anyway; the accesses its
// calls into the C library make (memcpy, free, pthread_*) are turned off too
// (ignore_noninstrumented_modules, below). Otherwise the last reference to a
// QString dropped on the sending thread after the receiver had read it reads
// as a race: the receiver's reference is released inside Qt, unseen.
//
// The end of a QThread is a second hand-over TSan does not always see: Qt
// starts its threads detached, and QThread::wait() on a thread that has
// already ended returns under Qt's futex alone (only when it has to sleep
// does TSan see the pthread condition variable: ignore_noninstrumented_modules
// turns off the accesses of Qt's C-library calls, not their synchronisation).
// Then nothing orders what the thread did last (the deferred deletes Qt runs
// after QThread::finished, e.g. a worker's ~QObject reading its controller)
// before what the waiting thread does after wait() returns (destroy the
// controller, reuse its memory). Every QThread therefore releases its own
// sync object (the QThread's address) as it ends, from a QThreadStorage
// value, whose destructor Qt runs after the deferred deletes and before it
// wakes the waiters; and QThread::wait() is wrapped (below) to acquire it
// when the join succeeds.
#include <QCoreApplication>
#include <QMetaMethod>
#include <QObject>
#include <QThread>
#include <QThreadStorage>
#include <dlfcn.h>

// The defaults of every TSan test program; TSAN_OPTIONS adds to them.
extern "C" const char* __tsan_default_options() { return "ignore_noninstrumented_modules=1"; }

extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();

// Qt's private qobject_p.h (not installed by Debian's qt6-base-dev), as of Qt 6.
struct QSignalSpyCallbackSet {
    typedef void (*BeginCallback)(QObject* caller, int signal_or_method_index, void** argv);
    typedef void (*EndCallback)(QObject* caller, int signal_or_method_index);
    BeginCallback signal_begin_callback, slot_begin_callback;
    EndCallback signal_end_callback, slot_end_callback;
};
void Q_CORE_EXPORT qt_register_signal_spy_callbacks(QSignalSpyCallbackSet* callback_set);

namespace {

char handover;

// Lives in the ending thread's QThreadStorage: released when Qt finishes the
// thread (QThreadPrivate::finish: finished, deferred deletes, thread storage,
// then the waiters are woken).
struct ThreadEnd {
    QThread* thread;
    ~ThreadEnd() { __tsan_release(thread); }
};

QThreadStorage<ThreadEnd*>& threadEnds() {
    static QThreadStorage<ThreadEnd*> storage;
    return storage;
}

// The index QThread::started has among the signals of a QThread (what the
// signal-spy callbacks are given): the signals come first in each class's
// methods, base class first.
int signalIndex(const QMetaMethod& signal) {
    const QMetaObject* mo = signal.enclosingMetaObject();
    int index = 0;
    for (int i = 0; i < signal.methodIndex(); ++i)
        if (mo->method(i).methodType() == QMetaMethod::Signal) ++index;
    return index;
}
const int startedSignal = signalIndex(QMetaMethod::fromSignal(&QThread::started));

void signalBegins(QObject* caller, int signal, void**) {
    __tsan_release(&handover);
    // QThread::started is emitted on the new thread itself, first thing.
    if (signal != startedSignal) return;
    // qobject_cast reads the caller's d-pointer in moc code we compile; not
    // an access of the program's, so kept out of TSan's view.
    __tsan_ignore_thread_begin();
    QThread* thread = qobject_cast<QThread*>(caller);
    __tsan_ignore_thread_end();
    if (thread) threadEnds().setLocalData(new ThreadEnd{thread});
}
void signalEnds(QObject*, int) { __tsan_release(&handover); }
// QInternal::EventNotifyCallback: runs on the receiver's thread before any
// event is delivered; returning false lets the event through.
bool eventDelivered(void**) {
    __tsan_acquire(&handover);
    return false;
}

QSignalSpyCallbackSet callbacks{signalBegins, nullptr, signalEnds, nullptr};

// Before main(): the hooks are in place before the first QObject exists.
[[maybe_unused]] const bool installed = [] {
    qt_register_signal_spy_callbacks(&callbacks);
    return QInternal::registerCallback(QInternal::EventNotifyCallback, eventDelivered);
}();

}  // namespace

// Replaces Qt's QThread::wait(QDeadlineTimer) in the test programs (the
// definition in the executable wins over libQt6Core's for every call our code
// makes, the inline wait(unsigned long) included) and calls Qt's: after a
// successful join, acquire what the thread released as it ended.
bool QThread::wait(QDeadlineTimer deadline) {
    using QtWait = bool (*)(QThread*, QDeadlineTimer);
    static const auto qtWait = reinterpret_cast<QtWait>(dlsym(RTLD_NEXT, "_ZN7QThread4waitE14QDeadlineTimer"));
    if (!qtWait) qFatal("tsan_qt_handover: QThread::wait(QDeadlineTimer) not found in libQt6Core");
    const bool joined = qtWait(this, deadline);
    if (joined) __tsan_acquire(this);
    return joined;
}
