// The Llama forward on a small random model built in the test (no files):
// KV-cached decoding (CPU kernel path and batched libtorch path) gives the
// logits of recomputing the whole sequence without a cache, for both RoPE
// conventions and GQA; make_room keeps working at the context limit; bf16
// weights roughly agree with fp32; the matvec kernels of every ISA agree.
#include <QtTest/QtTest>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "formats/checkpoint.h"
#include "kernels/cpu_isa.h"
#include "kernels/decode_ops.h"
#include "kernels/matvec.h"
#include "kernels/matvec_impl.h"
#include "model/forward.h"
#include "model/model_access.h"
#include "model/model_impl.h"
#include "waypoint/error.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

using namespace waypoint;
namespace wd = waypoint::detail;

namespace {

// A random Llama: D 64, 4 heads of 16, 2 KV heads (GQA), F 96, 2 layers, V 97.
wd::CheckpointData random_checkpoint(wd::RopeStyle rope, bool tied, int ctx = 24) {
    wd::CheckpointData d;
    wd::ModelConfig& c = d.config;
    c.dim = 64;
    c.hidden_dim = 96;
    c.n_layers = 2;
    c.n_heads = 4;
    c.n_kv_heads = 2;
    c.vocab_size = 97;
    c.max_seq_len = ctx;
    c.rope = rope;
    c.tied_embeddings = tied;
    at::manual_seed(1234);
    const int64_t D = c.dim, F = c.hidden_dim, V = c.vocab_size, hd = c.head_dim();
    auto mat = [](int64_t r, int64_t k) { return at::randn({r, k}) * (1.0 / std::sqrt(double(k))); };
    auto norm = [](int64_t n) { return 1.0 + 0.1 * at::randn({n}); };
    d.tensors["tok_embeddings.weight"] = at::randn({V, D});
    if (!tied) d.tensors["output.weight"] = mat(V, D);
    d.tensors["norm.weight"] = norm(D);
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        d.tensors[p + "attention_norm.weight"] = norm(D);
        d.tensors[p + "attention.wq.weight"] = mat(c.n_heads * hd, D);
        d.tensors[p + "attention.wk.weight"] = mat(c.n_kv_heads * hd, D);
        d.tensors[p + "attention.wv.weight"] = mat(c.n_kv_heads * hd, D);
        d.tensors[p + "attention.wo.weight"] = mat(D, c.n_heads * hd);
        d.tensors[p + "ffn_norm.weight"] = norm(D);
        d.tensors[p + "feed_forward.w1.weight"] = mat(F, D);
        d.tensors[p + "feed_forward.w2.weight"] = mat(D, F);
        d.tensors[p + "feed_forward.w3.weight"] = mat(F, D);
    }
    d.card.name = "random";
    d.card.path = "random (built by tst_forward)";
    return d;
}

std::string test_device() {
    const char* d = std::getenv("WAYPOINT_TEST_DEVICE");
    return d && *d ? resolve_device(d) : std::string("cpu");
}

std::shared_ptr<const Model> make_model(wd::RopeStyle rope, bool tied,
                                        at::ScalarType dtype = at::kFloat, int ctx = 24) {
    auto impl = wd::build_model(random_checkpoint(rope, tied, ctx), at::Device(test_device()), dtype);
    return wd::ModelAccess::wrap(std::move(impl));
}

// Logits [n, V] of the whole sequence without any cache.
at::Tensor uncached(const Model& m, const std::vector<int>& ids) {
    c10::InferenceMode guard;
    std::vector<int64_t> v(ids.begin(), ids.end());
    const wd::ModelImpl& impl = wd::ModelAccess::impl(m);
    at::Tensor t = at::tensor(v, at::kLong).to(impl.device);
    return wd::forward_uncached(impl, t).to(at::kCPU);
}

double max_diff(const std::vector<float>& a, const at::Tensor& row) {
    at::Tensor r = row.contiguous();
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(double(a[i]) - r[int64_t(i)].item<float>()));
    return d;
}

std::vector<int> some_ids(int n, int vocab, unsigned seed) {
    std::mt19937 g(seed);
    std::vector<int> ids(static_cast<size_t>(n));
    for (auto& i : ids) i = int(g() % unsigned(vocab));
    return ids;
}

}  // namespace

class TestForward : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cachedMatchesUncached_data() {
        QTest::addColumn<int>("rope");
        QTest::addColumn<bool>("tied");
        QTest::newRow("interleaved, tied") << int(wd::RopeStyle::Interleaved) << true;
        QTest::newRow("rotate-half, separate head") << int(wd::RopeStyle::RotateHalf) << false;
    }

    // Prefill 5 tokens, prefill 3 more (a batched forward on top of a
    // history), then single steps to the end of the context: every time the
    // last logits equal the uncached forward of the whole sequence.
    void cachedMatchesUncached() {
        QFETCH(int, rope);
        QFETCH(bool, tied);
        auto model = make_model(wd::RopeStyle(rope), tied);
        Session s(model);
        const std::vector<int> seq = some_ids(model->context_length(), model->vocab_size(), 7);
        const at::Tensor ref = uncached(*model, seq);  // [ctx, V]

        std::vector<int> a(seq.begin(), seq.begin() + 5), b(seq.begin() + 5, seq.begin() + 8);
        QVERIFY(max_diff(s.prefill(a), ref[4]) < 1e-4);
        QVERIFY(max_diff(s.prefill(b), ref[7]) < 1e-4);
        for (int i = 8; i < int(seq.size()); ++i) {
            const double d = max_diff(s.step(seq[size_t(i)]), ref[i]);
            if (d >= 1e-4) QFAIL(qPrintable(QString("position %1: max diff %2").arg(i).arg(d)));
        }
        QCOMPARE(s.position(), model->context_length());
        QCOMPARE(s.history(), seq);
    }

    // forward_all gives every position's logits, as the uncached forward.
    void forwardAllMatches() {
        auto model = make_model(wd::RopeStyle::RotateHalf, true);
        Session s(model);
        const std::vector<int> seq = some_ids(12, model->vocab_size(), 3);
        s.prefill({seq[0], seq[1]});
        const std::vector<float> all = s.forward_all(std::vector<int>(seq.begin() + 2, seq.end()));
        const at::Tensor ref = uncached(*model, seq);
        const int V = model->vocab_size();
        QCOMPARE(int(all.size()), 10 * V);
        for (int i = 0; i < 10; ++i) {
            std::vector<float> row(all.begin() + i * V, all.begin() + (i + 1) * V);
            QVERIFY(max_diff(row, ref[i + 2]) < 1e-4);
        }
        QCOMPARE(s.position(), 12);
    }

    // truncate() then continuing gives the logits of the shorter sequence.
    void truncateAndContinue() {
        auto model = make_model(wd::RopeStyle::Interleaved, true);
        Session s(model);
        const std::vector<int> seq = some_ids(10, model->vocab_size(), 11);
        s.prefill(seq);
        s.truncate(6);
        QCOMPARE(s.position(), 6);
        std::vector<int> other = seq;
        other.resize(6);
        other.push_back(5);
        const at::Tensor ref = uncached(*model, other);
        QVERIFY(max_diff(s.step(5), ref[6]) < 1e-4);
    }

    // At the context limit make_room drops the oldest tokens (keeping the
    // first), re-prefills, and decoding goes on for many more tokens.
    void makeRoomKeepsWorking() {
        auto model = make_model(wd::RopeStyle::Interleaved, false, at::kFloat, 16);
        Session s(model);
        const int ctx = s.context_length();
        std::vector<int> seq = some_ids(ctx, model->vocab_size(), 5);
        s.prefill(seq);
        QVERIFY_EXCEPTION_THROWN(s.step(1), Error);  // full: a clear error, not a crash
        QCOMPARE(s.position(), ctx);
        for (int i = 0; i < 3 * ctx; ++i) {
            const int dropped = s.make_room(1, 1);
            QVERIFY(dropped >= 0);
            QVERIFY(s.position() + 1 <= ctx);
            QCOMPARE(s.history().front(), seq.front());
            const int id = (i * 7) % model->vocab_size();
            const std::vector<float>& l = s.step(id);
            QVERIFY(std::isfinite(l[0]));
        }
        // The logits after a slide are those of the kept history.
        const at::Tensor ref = uncached(*model, s.history());
        std::vector<int> h = s.history();
        const int last = h.back();
        s.truncate(s.position() - 1);
        QVERIFY(max_diff(s.step(last), ref[int64_t(h.size()) - 1]) < 1e-4);
        // A bigger need: keep is clamped, and needs beyond the context are errors.
        QVERIFY(s.make_room(ctx - 2, 4) > 0);
        QVERIFY(s.position() + ctx - 2 <= ctx);
        QVERIFY_EXCEPTION_THROWN(s.make_room(ctx + 1, 1), Error);
    }

    void badInputsAreErrors() {
        auto model = make_model(wd::RopeStyle::Interleaved, true);
        Session s(model);
        QVERIFY_EXCEPTION_THROWN(s.prefill({}), Error);
        QVERIFY_EXCEPTION_THROWN(s.step(-1), Error);
        QVERIFY_EXCEPTION_THROWN(s.step(model->vocab_size()), Error);
        QVERIFY_EXCEPTION_THROWN(s.prefill(std::vector<int>(size_t(model->context_length() + 1), 1)), Error);
        QCOMPARE(s.position(), 0);
        s.step(3);  // still usable
        QCOMPARE(s.position(), 1);
    }

    // 16-bit weights: the same forward, within bf16/fp16 rounding of fp32.
    void halfPrecisionAgrees_data() {
        QTest::addColumn<int>("dtype");
        QTest::newRow("bf16") << int(at::kBFloat16);
        QTest::newRow("fp16") << int(at::kHalf);
    }
    void halfPrecisionAgrees() {
        QFETCH(int, dtype);
        auto f32 = make_model(wd::RopeStyle::RotateHalf, false);
        auto h16 = make_model(wd::RopeStyle::RotateHalf, false, at::ScalarType(dtype));
        QCOMPARE(QString::fromStdString(h16->card().dtype),
                 QString::fromStdString(wd::dtype_name(at::ScalarType(dtype))));
        Session a(f32), b(h16);
        const std::vector<int> seq = some_ids(12, f32->vocab_size(), 9);
        std::vector<int> head(seq.begin(), seq.begin() + 6);
        auto check = [](const std::vector<float>& x, const std::vector<float>& y) {
            double num = 0, den = 0;
            for (size_t i = 0; i < x.size(); ++i) {
                num += (x[i] - y[i]) * (x[i] - y[i]);
                den += x[i] * x[i];
            }
            return std::sqrt(num / den);  // relative L2 error
        };
        QVERIFY(check(a.prefill(head), b.prefill(head)) < 0.05);
        for (size_t i = 6; i < seq.size(); ++i) QVERIFY(check(a.step(seq[i]), b.step(seq[i])) < 0.05);
    }

    void cardIsFilled() {
        auto model = make_model(wd::RopeStyle::Interleaved, true);
        const ModelCard& c = model->card();
        QCOMPARE(c.layers, 2);
        QCOMPARE(c.heads, 4);
        QCOMPARE(c.kv_heads, 2);
        QCOMPARE(c.width, 64);
        QCOMPARE(c.hidden, 96);
        QCOMPARE(c.vocabulary, 97);
        QCOMPARE(c.context, 24);
        QVERIFY(c.tied_embeddings);
        // tied: the embedding is counted once
        QCOMPARE(c.parameters, int64_t(97 * 64 + 64 + 2 * (2 * 64 + 64 * 64 * 2 + 2 * 32 * 64 + 3 * 96 * 64)));
        QCOMPARE(QString::fromStdString(c.dtype), QString("float32"));
    }

    void missingTensorIsBadFormat() {
        auto d = random_checkpoint(wd::RopeStyle::Interleaved, true);
        d.tensors.erase("layers.1.feed_forward.w2.weight");
        try {
            wd::build_model(std::move(d), at::kCPU, at::kFloat);
            QFAIL("no error");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::BadFormat);
            QVERIFY(QString(e.what()).contains("layers.1.feed_forward.w2.weight"));
        }
        auto d2 = random_checkpoint(wd::RopeStyle::Interleaved, true);
        d2.tensors["layers.0.attention.wk.weight"] = at::zeros({3, 3});
        QVERIFY_EXCEPTION_THROWN(wd::build_model(std::move(d2), at::kCPU, at::kFloat), Error);
    }

    void devices() {
        const auto avail = available_devices();
        QVERIFY(!avail.empty());
        QCOMPARE(QString::fromStdString(avail.front()), QString("cpu"));
        QCOMPARE(QString::fromStdString(resolve_device("cpu")), QString("cpu"));
        QVERIFY(!resolve_device("auto").empty());
        QVERIFY_EXCEPTION_THROWN(resolve_device("tpu"), Error);
        if (avail.size() == 1) {
            try {
                resolve_device("cuda");
                QFAIL("no error");
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::DeviceUnavailable);
                QVERIFY(QString(e.what()).contains("cpu"));
            }
        }
    }

    // Big enough for the thread pool: the threaded products (several at once,
    // as q/k/v) equal the single-threaded kernel.
    void threadedMatvecAgrees() {
        using namespace waypoint::kernels;
        for (at::ScalarType t : {at::kFloat, at::kBFloat16}) {
            at::Tensor w1 = at::randn({3001, 129}).to(t).contiguous();
            at::Tensor w2 = at::randn({517, 129}).to(t).contiguous();
            at::Tensor x = at::randn({129});
            std::vector<float> y1(3001), y2(517), r1(3001), r2(517);
            const WeightType wt = t == at::kFloat ? WeightType::F32 : WeightType::BF16;
            MatVec p[2];
            p[0].w = w1.data_ptr(); p[0].type = wt; p[0].rows = 3001; p[0].cols = 129;
            p[0].x = x.data_ptr<float>(); p[0].y = y1.data();
            p[1] = p[0];
            p[1].w = w2.data_ptr(); p[1].rows = 517; p[1].y = y2.data();
            for (int rep = 0; rep < 50; ++rep) matvec(p, 2);
            MatVec q0 = p[0], q1 = p[1];
            q0.y = r1.data();
            q1.y = r2.data();
            impl::rows_scalar(q0, 0, 3001);
            impl::rows_scalar(q1, 0, 517);
            for (size_t i = 0; i < r1.size(); ++i) QVERIFY(std::fabs(y1[i] - r1[i]) < 1e-3);
            for (size_t i = 0; i < r2.size(); ++i) QVERIFY(std::fabs(y2[i] - r2[i]) < 1e-3);
        }
    }

    // Long histories take the threaded attention; it equals a plain reference.
    void threadedAttentionAgrees() {
        const int H = 8, KV = 2, hd = 64, ctx = 128, n = 100;
        at::Tensor q = at::randn({H, hd}), k = at::randn({KV, ctx, hd}), v = at::randn({KV, ctx, hd});
        std::vector<float> scores(size_t(H) * ctx), out(size_t(H) * hd);
        waypoint::kernels::attention_one(q.data_ptr<float>(), k.data_ptr<float>(), v.data_ptr<float>(), H, KV,
                                         hd, ctx, n, scores.data(), out.data());
        for (int h = 0; h < H; ++h) {
            at::Tensor kh = k[h / (H / KV)].narrow(0, 0, n), vh = v[h / (H / KV)].narrow(0, 0, n);
            at::Tensor p = at::softmax(at::matmul(kh, q[h]) / std::sqrt(double(hd)), 0);
            at::Tensor ref = at::matmul(p, vh);
            for (int i = 0; i < hd; ++i) QVERIFY(std::fabs(out[size_t(h * hd + i)] - ref[i].item<float>()) < 1e-4);
        }
    }

    // Every ISA's row kernel equals a double-precision reference, for column
    // counts that exercise the vector tails, and all weight types.
    void matvecKernelsAgree() {
        using namespace waypoint::kernels;
        std::mt19937 g(1);
        std::normal_distribution<float> n(0.f, 1.f);
        const Isa isa = cpu_isa();
        for (int cols : {1, 7, 8, 15, 16, 17, 33, 64, 100, 172}) {
            const int rows = 37;
            at::Tensor w = at::randn({rows, cols});
            std::vector<float> x(static_cast<size_t>(cols));
            for (auto& v : x) v = n(g);
            for (at::ScalarType t : {at::kFloat, at::kBFloat16, at::kHalf}) {
                at::Tensor wt = w.to(t).contiguous();
                at::Tensor wf = wt.to(at::kFloat);
                std::vector<double> ref(static_cast<size_t>(rows));
                for (int r = 0; r < rows; ++r)
                    for (int c = 0; c < cols; ++c) ref[size_t(r)] += double(wf[r][c].item<float>()) * x[size_t(c)];
                MatVec p;
                p.w = wt.data_ptr();
                p.type = t == at::kFloat ? WeightType::F32 : t == at::kBFloat16 ? WeightType::BF16 : WeightType::F16;
                p.rows = rows;
                p.cols = cols;
                p.x = x.data();
                std::vector<float> y(static_cast<size_t>(rows));
                p.y = y.data();
                auto verify = [&](const char* what) {
                    for (int r = 0; r < rows; ++r) {
                        if (std::fabs(y[size_t(r)] - ref[size_t(r)]) > 1e-4 * (1 + std::fabs(ref[size_t(r)])))
                            QFAIL(qPrintable(QString("%1 cols %2 row %3: %4 vs %5").arg(what).arg(cols).arg(r)
                                                 .arg(y[size_t(r)]).arg(ref[size_t(r)])));
                    }
                };
                impl::rows_scalar(p, 0, rows);
                verify("scalar");
                if (isa != Isa::Scalar) {
                    std::fill(y.begin(), y.end(), 0.f);
                    impl::rows_avx2(p, 0, rows);
                    verify("avx2");
                }
                if (isa == Isa::Avx512) {
                    std::fill(y.begin(), y.end(), 0.f);
                    impl::rows_avx512(p, 0, rows);
                    verify("avx512");
                }
                // threaded, accumulating
                std::fill(y.begin(), y.end(), 1.f);
                p.accumulate = true;
                for (auto& r : ref) r += 1.0;
                matvec(p);
                verify("matvec accumulate");
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestForward)
#include "tst_forward.moc"
