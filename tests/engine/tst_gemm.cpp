// The prompt kernels (kernels/gemm.h, kernels/prompt_ops.h) against plain
// double-precision loops: products for fp32, bf16 and fp16 weights with row
// counts that are and are not multiples of the 6-row tile, token counts with
// and without a partial 16- or 64-token panel, y = and y +=; bf16 weights
// once widened and once as bf16 dot products of rounded inputs; causal
// attention over a cache with history; the column norm, RoPE and SwiGLU. On
// CPUs without AVX-512 the prefill stays on libtorch and the test skips.
#include <QtTest/QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/prompt_ops.h"

using namespace waypoint::kernels;

namespace {

float bf16_round(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
    float r;
    std::memcpy(&r, &u, 4);
    return r;
}

uint16_t bf16_bits(float f) {
    const float r = bf16_round(f);
    uint32_t u;
    std::memcpy(&u, &r, 4);
    return uint16_t(u >> 16);
}

// fp16 bits of small values in [-2, 2] (normal range), truncated.
uint16_t fp16_bits(float f, float* back) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    const uint32_t sign = (u >> 16) & 0x8000u;
    const int exp = int((u >> 23) & 0xff) - 127 + 15;
    if (exp <= 0) {
        *back = 0.0f;
        return uint16_t(sign);
    }
    const uint32_t mant = (u >> 13) & 0x3ffu;
    const uint32_t w = (u & 0x80000000u) | (uint32_t(exp - 15 + 127) << 23) | (mant << 13);
    std::memcpy(back, &w, 4);
    return uint16_t(sign | (uint32_t(exp) << 10) | mant);
}

int64_t ld_for(int tokens) { return (int64_t(tokens) + 15) / 16 * 16; }

}  // namespace

class TestGemm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() {
        if (!gemm_available()) QSKIP("no AVX-512 here: the prefill uses libtorch's GEMM and these kernels are not called");
    }
    void productMatchesReference_data();
    void productMatchesReference();
    void attentionMatchesReference_data();
    void attentionMatchesReference();
    void columnOpsMatchReference();
};

void TestGemm::productMatchesReference_data() {
    QTest::addColumn<int>("type");  // 0 fp32, 1 bf16 widened, 2 bf16 dot, 3 fp16
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<int>("tokens");
    QTest::addColumn<bool>("accumulate");
    for (int type : {0, 1, 2, 3})
        for (int rows : {1, 6, 13})
            for (int cols : {2, 38})
                for (int tokens : {1, 16, 70, 128})
                    for (bool acc : {false, true})
                        QTest::addRow("t%d r%d c%d n%d %s", type, rows, cols, tokens, acc ? "+=" : "=")
                            << type << rows << cols << tokens << acc;
}

void TestGemm::productMatchesReference() {
    QFETCH(int, type);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(int, tokens);
    QFETCH(bool, accumulate);
    if (type == 2 && !bf16_dot_available()) QSKIP("no AVX-512 BF16 on this CPU");
    std::mt19937 rng(uint32_t(rows * 1000 + cols * 10 + tokens));
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const int64_t ld = ld_for(tokens);
    std::vector<float> w(size_t(rows) * cols), x(size_t(cols) * ld), y0(size_t(rows) * ld);
    std::vector<uint16_t> w16(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
        w[i] = u(rng);
        if (type == 1 || type == 2) {
            w[i] = bf16_round(w[i]);
            w16[i] = bf16_bits(w[i]);
        } else if (type == 3) {
            w16[i] = fp16_bits(w[i], &w[i]);
        }
    }
    for (float& v : x) v = u(rng);
    for (float& v : y0) v = u(rng);

    Gemm g;
    g.w = type == 0 ? static_cast<const void*>(w.data()) : w16.data();
    g.type = type == 0 ? WeightType::F32 : type == 3 ? WeightType::F16 : WeightType::BF16;
    g.rows = rows;
    g.cols = cols;
    std::vector<float> y = y0;
    g.y = y.data();
    g.accumulate = accumulate;
    GemmInput in;
    in.x = x.data();
    in.ld = ld;
    in.tokens = tokens;
    std::vector<uint16_t> pairs(size_t(cols / 2) * ld * 2);
    if (type == 2) {
        QVERIFY(gemm_uses_pairs(g));
        to_bf16_pairs(x.data(), cols, ld, tokens, pairs.data());
        in.pairs = pairs.data();
    }
    gemm(in, g);

    for (int r = 0; r < rows; ++r) {
        for (int t = 0; t < tokens; ++t) {
            double want = accumulate ? y0[size_t(r * ld + t)] : 0.0;
            for (int k = 0; k < cols; ++k) {
                const float xv = type == 2 ? bf16_round(x[size_t(k * ld + t)]) : x[size_t(k * ld + t)];
                want += double(w[size_t(r) * cols + k]) * xv;
            }
            const double got = y[size_t(r * ld + t)];
            if (std::fabs(got - want) > 1e-4 * (1.0 + std::fabs(want)))
                QFAIL(qPrintable(QString("row %1 token %2: %3, want %4").arg(r).arg(t).arg(got).arg(want)));
        }
    }
}

void TestGemm::attentionMatchesReference_data() {
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("kv_heads");
    QTest::addColumn<int>("hd");
    QTest::addColumn<int>("tokens");
    QTest::addColumn<int>("p0");
    QTest::newRow("one token") << 2 << 2 << 8 << 1 << 0;
    QTest::newRow("hd 8, GQA, partial block") << 8 << 4 << 8 << 21 << 0;
    QTest::newRow("hd 48, history") << 3 << 3 << 48 << 37 << 11;
    QTest::newRow("hd 64, two blocks + keys tail") << 2 << 1 << 64 << 32 << 5;
    QTest::newRow("hd 22") << 2 << 2 << 22 << 9 << 3;
}

void TestGemm::attentionMatchesReference() {
    QFETCH(int, heads);
    QFETCH(int, kv_heads);
    QFETCH(int, hd);
    QFETCH(int, tokens);
    QFETCH(int, p0);
    const int ctx = p0 + tokens + 7;
    const int64_t ld = ld_for(tokens);
    std::mt19937 rng(uint32_t(heads * 100 + hd + tokens));
    std::uniform_real_distribution<float> u(-2.0f, 2.0f);
    std::vector<float> q(size_t(heads) * hd * ld), kc(size_t(kv_heads) * ctx * hd), vc(kc.size());
    std::vector<float> out(q.size(), 0.0f);
    for (float& v : q) v = u(rng);
    for (float& v : kc) v = u(rng);
    for (float& v : vc) v = u(rng);
    attention_cols(q.data(), ld, tokens, p0, kc.data(), vc.data(), heads, kv_heads, hd, ctx, out.data());
    const int group = heads / kv_heads;
    for (int h = 0; h < heads; ++h) {
        const float* k = kc.data() + int64_t(h / group) * ctx * hd;
        const float* v = vc.data() + int64_t(h / group) * ctx * hd;
        for (int t = 0; t < tokens; ++t) {
            const int n = p0 + t + 1;  // keys this query sees
            std::vector<double> s(static_cast<size_t>(n));
            double mx = -1e300;
            for (int j = 0; j < n; ++j) {
                double d = 0;
                for (int i = 0; i < hd; ++i) d += double(q[size_t((h * hd + i) * ld + t)]) * k[int64_t(j) * hd + i];
                s[size_t(j)] = d / std::sqrt(double(hd));
                mx = std::max(mx, s[size_t(j)]);
            }
            double sum = 0;
            for (double& e : s) sum += (e = std::exp(e - mx));
            for (int i = 0; i < hd; ++i) {
                double want = 0;
                for (int j = 0; j < n; ++j) want += s[size_t(j)] / sum * v[int64_t(j) * hd + i];
                const double got = out[size_t((h * hd + i) * ld + t)];
                if (std::fabs(got - want) > 1e-4)
                    QFAIL(qPrintable(QString("head %1 token %2 dim %3: %4, want %5").arg(h).arg(t).arg(i).arg(got).arg(want)));
            }
        }
    }
}

void TestGemm::columnOpsMatchReference() {
    const int n = 12, tokens = 19, hd = 6, heads = 2;
    const int64_t ld = ld_for(tokens);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-3.0f, 3.0f);
    std::vector<float> x(size_t(n) * ld), w(static_cast<size_t>(n)), out(x.size());
    for (float& v : x) v = u(rng);
    for (float& v : w) v = u(rng);
    rmsnorm_cols(x.data(), w.data(), out.data(), n, ld, tokens, 1e-5f);
    for (int t = 0; t < tokens; ++t) {
        double ss = 0;
        for (int d = 0; d < n; ++d) ss += double(x[size_t(d * ld + t)]) * x[size_t(d * ld + t)];
        const double scale = 1.0 / std::sqrt(ss / n + 1e-5);
        for (int d = 0; d < n; ++d)
            QVERIFY(std::fabs(out[size_t(d * ld + t)] - x[size_t(d * ld + t)] * scale * w[size_t(d)]) < 1e-4);
    }
    for (bool interleaved : {true, false}) {
        std::vector<float> r = x, cs(size_t(hd / 2) * ld), sn(cs.size());
        for (size_t i = 0; i < cs.size(); ++i) {
            cs[i] = std::cos(float(i) * 0.1f);
            sn[i] = std::sin(float(i) * 0.1f);
        }
        rope_cols(r.data(), heads, hd, ld, tokens, cs.data(), sn.data(), interleaved);
        for (int h = 0; h < heads; ++h)
            for (int i = 0; i < hd / 2; ++i)
                for (int t = 0; t < tokens; ++t) {
                    const int ia = h * hd + (interleaved ? 2 * i : i), ib = ia + (interleaved ? 1 : hd / 2);
                    const double a = x[size_t(ia * ld + t)], b = x[size_t(ib * ld + t)];
                    const double c = cs[size_t(i * ld + t)], s = sn[size_t(i * ld + t)];
                    QVERIFY(std::fabs(r[size_t(ia * ld + t)] - (a * c - b * s)) < 1e-5);
                    QVERIFY(std::fabs(r[size_t(ib * ld + t)] - (a * s + b * c)) < 1e-5);
                }
    }
    // SwiGLU over a length with a tail, and inputs far into exp's clamps
    std::vector<float> a(100), b(100), a0;
    for (size_t i = 0; i < a.size(); ++i) {
        a[i] = float(i) - 50.0f + 0.25f;
        b[i] = u(rng);
    }
    a[0] = -200.0f;
    a[1] = 200.0f;
    a0 = a;
    silu_mul_cols(a.data(), b.data(), int64_t(a.size()));
    for (size_t i = 0; i < a.size(); ++i) {
        const double want = double(a0[i]) / (1.0 + std::exp(-double(a0[i]))) * b[i];
        QVERIFY2(std::fabs(a[i] - want) <= 1e-5 * (1.0 + std::fabs(want)), qPrintable(QString::number(i)));
    }
}

QTEST_GUILESS_MAIN(TestGemm)
#include "tst_gemm.moc"
