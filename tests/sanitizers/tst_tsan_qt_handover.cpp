// The hooks of tsan_qt_handover.cpp against what the app does: values handed
// between a worker QThread and the main thread by queued signals (Qt strings,
// a registered value type with a vector inside, a QThread::create job whose
// result is read in the finished handler), 200 round trips; then the join of
// a worker thread in the controllers' shape: the worker is deleted on
// QThread::finished (on its own thread, as Qt ends it), its destructor reads
// its owner, and the main thread, once the thread has ended, joins it and
// frees the owner (reported without the join hooks, 3 of 3 runs). Under TSan
// this must end without a report. With --plant-race the worker, after its
// first answer, also writes a plain int that the main thread reads in the
// slot; the worker waits for the read on a relaxed atomic (no ordering for
// TSan) and does not go back to its event loop in between, so the two
// accesses are unordered in every run: a real race, which TSan must still
// report (the CTest case tst_tsan_qt_handover_planted_race expects it).
#include <QCoreApplication>
#include <QString>
#include <QThread>
#include <atomic>
#include <memory>
#include <vector>

namespace {

struct Payload {
    std::vector<int> values;
    QString text;
};

bool plantRace = false;
// Written by the worker after it emits: unordered with the reader. A line of
// its own, so that TSan's shadow of it holds only these accesses.
alignas(64) int planted = 0;
std::atomic<bool> plantedRead{false};  // relaxed only

// The join: read by the ending worker, freed by the main thread after wait().
struct Owner {
    int field = 1;
};
int seenByWorker = 0;

// TSan drops a race whose earlier access was made by a thread that has ended
// (its trace is gone), so without this the check would depend on timing: the
// worker's thread, after Qt has finished it and woken the waiter, stays until
// the main thread has freed the owner (a relaxed flag: no ordering for TSan).
std::atomic<bool> ownerFreed{false};
struct StayUntilOwnerFreed {
    ~StayUntilOwnerFreed() {
        while (!ownerFreed.load(std::memory_order_relaxed)) QThread::yieldCurrentThread();
    }
};

class Reader : public QObject {
public:
    explicit Reader(Owner* owner) : owner_(owner) {}
    ~Reader() override {
        static thread_local StayUntilOwnerFreed stay;  // destroyed as the thread exits, after Qt's finish
        (void)stay;
        seenByWorker = owner_->field;
    }

private:
    Owner* owner_;
};

// Starts a thread whose worker is deleted as the thread ends, joins it, then
// frees what the worker read (TSan counts a free as a write of the block).
void joinAfterDeferredDelete() {
    auto* owner = new Owner;
    QThread thread;
    auto* reader = new Reader(owner);  // no parent: it moves to the thread
    reader->moveToThread(&thread);
    QObject::connect(&thread, &QThread::finished, reader, &QObject::deleteLater);
    thread.start();
    thread.quit();
    // Once the thread has ended, wait() returns without touching the condition
    // variable (whose pthread calls TSan would see): the join is ordered by
    // Qt's futex alone. What the controllers' destructors meet when the worker
    // ends before they reach wait().
    while (!thread.isFinished()) QThread::yieldCurrentThread();
    thread.wait();
    if (seenByWorker != 1) qFatal("the worker was not deleted before the join");
    delete owner;
    ownerFreed.store(true, std::memory_order_relaxed);
}

}  // namespace

Q_DECLARE_METATYPE(Payload)

class Worker : public QObject {
    Q_OBJECT
public Q_SLOTS:
    void work(const QString& in, const Payload& p) {
        Payload out;
        out.values = p.values;
        out.values.push_back(int(in.size()));
        out.text = in + QString::number(p.values.size());
        Q_EMIT done(out, QString::fromStdString(std::string(100, 'x')));
        if (plantRace && planted == 0) {
            while (!plantedRead.load(std::memory_order_relaxed)) QThread::yieldCurrentThread();
            planted = int(in.size()) + 1;
        }
    }
Q_SIGNALS:
    void done(const Payload& p, const QString& text);
};

class Driver : public QObject {
    Q_OBJECT
public:
    int rounds = 0;
    void ask() { Q_EMIT request(QString::number(rounds), Payload{{1, 2, 3}, QStringLiteral("p")}); }
Q_SIGNALS:
    void request(const QString& in, const Payload& p);
public Q_SLOTS:
    void onDone(const Payload& p, const QString& text) {
        if (p.values.size() != 4 || text.size() != 100 || planted < 0) qFatal("a hand-over arrived damaged");
        plantedRead.store(true, std::memory_order_relaxed);
        if (++rounds < 200) return ask();
        // A QThread::create job: its result read in the finished handler.
        auto result = std::make_shared<std::unique_ptr<std::vector<int>>>();
        QThread* job = QThread::create([result] { *result = std::make_unique<std::vector<int>>(1000, 1); });
        connect(job, &QThread::finished, this, [job, result] {
            if (!*result || (**result)[999] != 1) qFatal("the job's result is missing");
            job->deleteLater();
            QCoreApplication::quit();
        });
        job->start();
    }
};

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    plantRace = app.arguments().contains(QStringLiteral("--plant-race"));
    qRegisterMetaType<Payload>();
    QThread thread;
    Worker worker;
    worker.moveToThread(&thread);
    Driver driver;
    QObject::connect(&driver, &Driver::request, &worker, &Worker::work);
    QObject::connect(&worker, &Worker::done, &driver, &Driver::onDone);
    thread.start();
    driver.ask();
    const int code = app.exec();
    thread.quit();
    thread.wait();
    joinAfterDeferredDelete();
    return code;
}

#include "tst_tsan_qt_handover.moc"
