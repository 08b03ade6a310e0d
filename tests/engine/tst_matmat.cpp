// The batched matrix kernels (kernels/matmat.h) against the one-sequence
// ones: every Y[b] row bit-identical to matvec() of X[b], for fp32, bf16 and
// fp16 weights, widths with and without 64- and 16-wide tails, 1 to 17
// sequences, y = and y +=. Run also with WAYPOINT_ISA=avx2 and =scalar
// (CTest: tst_matmat_avx2, tst_matmat_scalar) for the other paths; plus the
// batched attention against attention_one.
#include <QtTest/QtTest>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/cpu_isa.h"
#include "kernels/decode_ops.h"
#include "kernels/matmat.h"
#include "kernels/matvec.h"

using namespace waypoint::kernels;

namespace {

uint16_t to_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return uint16_t(u >> 16);
}

// fp16 bits of small values in [-2, 2] (normal range), by hand.
uint16_t to_fp16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    const uint32_t sign = (u >> 16) & 0x8000u;
    const int exp = int((u >> 23) & 0xff) - 127 + 15;
    const uint32_t mant = (u >> 13) & 0x3ffu;
    if (exp <= 0) return uint16_t(sign);
    return uint16_t(sign | (uint32_t(exp) << 10) | mant);
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

}  // namespace

class TestMatMat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { qInfo("ISA: %s", to_string(cpu_isa())); }
    void sameBitsAsMatVec_data();
    void sameBitsAsMatVec();
    void severalProductsAtOnce();
    void attentionBatchSameBitsAsAttentionOne();
};

void TestMatMat::sameBitsAsMatVec_data() {
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<bool>("accumulate");
    const int types[] = {int(WeightType::F32), int(WeightType::BF16), int(WeightType::F16)};
    const char* names[] = {"f32", "bf16", "f16"};
    // cols: 64-multiple, 16-wide remainder, masked tail only, both, tiny.
    const int shapes[][2] = {{48, 128}, {37, 176}, {33, 172}, {20, 100}, {5, 7}, {64, 768}};
    for (int t = 0; t < 3; ++t)
        for (const auto& s : shapes)
            for (bool acc : {false, true})
                QTest::addRow("%s %dx%d%s", names[t], s[0], s[1], acc ? " +=" : "")
                    << types[t] << s[0] << s[1] << acc;
}

void TestMatMat::sameBitsAsMatVec() {
    QFETCH(int, type);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(bool, accumulate);
    std::mt19937 rng(uint32_t(rows * 131 + cols));
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> wf(size_t(rows) * cols);
    for (float& v : wf) v = u(rng);
    std::vector<uint16_t> wh(wf.size());
    for (size_t i = 0; i < wf.size(); ++i)
        wh[i] = WeightType(type) == WeightType::BF16 ? to_bf16(wf[i]) : to_fp16(wf[i]);
    const void* w = WeightType(type) == WeightType::F32 ? static_cast<const void*>(wf.data()) : wh.data();

    for (int batch = 1; batch <= 17; ++batch) {
        const int64_t xs = cols + 3, ys = rows + 5;  // strides wider than the rows
        std::vector<float> x(size_t(batch) * xs), y0(size_t(batch) * ys);
        for (float& v : x) v = u(rng);
        for (float& v : y0) v = u(rng);

        std::vector<float> want = y0;
        for (int b = 0; b < batch; ++b) {
            MatVec p;
            p.w = w;
            p.type = WeightType(type);
            p.rows = rows;
            p.cols = cols;
            p.x = x.data() + b * xs;
            p.y = want.data() + b * ys;
            p.accumulate = accumulate;
            matvec(p);
        }
        std::vector<float> got = y0;
        MatMat m;
        m.w = w;
        m.type = WeightType(type);
        m.rows = rows;
        m.cols = cols;
        m.x = x.data();
        m.x_stride = xs;
        m.y = got.data();
        m.y_stride = ys;
        m.accumulate = accumulate;
        matmat(m, batch);
        QVERIFY2(same_bits(want, got), qPrintable(QString("batch %1 differs").arg(batch)));
    }
}

void TestMatMat::severalProductsAtOnce() {
    // Three products sharing X (q, k, v), large enough for the thread pool.
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const int cols = 288, batch = 9;
    const int rows[3] = {288, 96, 96};
    std::vector<std::vector<float>> w(3), want(3), got(3);
    std::vector<float> x(size_t(batch) * cols);
    for (float& v : x) v = u(rng);
    MatMat mm[3];
    for (int i = 0; i < 3; ++i) {
        w[i].resize(size_t(rows[i]) * cols);
        for (float& v : w[i]) v = u(rng);
        want[i].assign(size_t(batch) * rows[i], 0.0f);
        got[i].assign(size_t(batch) * rows[i], 0.0f);
        for (int b = 0; b < batch; ++b) {
            MatVec p;
            p.w = w[i].data();
            p.rows = rows[i];
            p.cols = cols;
            p.x = x.data() + b * cols;
            p.y = want[i].data() + b * rows[i];
            matvec(p);
        }
        mm[i].w = w[i].data();
        mm[i].rows = rows[i];
        mm[i].cols = cols;
        mm[i].x = x.data();
        mm[i].x_stride = cols;
        mm[i].y = got[i].data();
        mm[i].y_stride = rows[i];
    }
    matmat(mm, 3, batch);
    for (int i = 0; i < 3; ++i) QVERIFY(same_bits(want[i], got[i]));
}

void TestMatMat::attentionBatchSameBitsAsAttentionOne() {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const int H = 8, KV = 4, hd = 16, ctx = 300, batch = 5;
    const int n[batch] = {1, 17, 300, 64, 129};  // each sequence its own length
    std::vector<std::vector<float>> k(batch), v(batch);
    std::vector<const float*> kp(batch), vp(batch);
    for (int b = 0; b < batch; ++b) {
        k[b].resize(size_t(KV) * ctx * hd);
        v[b].resize(size_t(KV) * ctx * hd);
        for (float& f : k[b]) f = u(rng);
        for (float& f : v[b]) f = u(rng);
        kp[b] = k[b].data();
        vp[b] = v[b].data();
    }
    std::vector<float> q(size_t(batch) * H * hd);
    for (float& f : q) f = u(rng);
    std::vector<float> want(q.size()), got(q.size()), scores(size_t(batch) * H * ctx);
    for (int b = 0; b < batch; ++b)
        attention_one(q.data() + b * H * hd, kp[b], vp[b], H, KV, hd, ctx, n[b], scores.data(),
                      want.data() + b * H * hd);
    attention_batch(q.data(), kp.data(), vp.data(), n, batch, H, KV, hd, ctx, scores.data(), got.data());
    QVERIFY(same_bits(want, got));
}

QTEST_GUILESS_MAIN(TestMatMat)
#include "tst_matmat.moc"
