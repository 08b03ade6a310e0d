// Greedy pair merging shared by the BPE-style tokenizers: repeatedly merge
// the adjacent pair with the highest priority (leftmost on ties) until no
// pair can merge. That is the loop of llama2.c's encode() and of
// sentencepiece's and GPT-2's BPE, done with a heap and a linked list
// (O(n log n)) instead of rescanning every pair per merge (O(n^2): minutes on
// a long perplexity text).
#pragma once

#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

namespace waypoint::detail {

struct MergeSymbol {
    std::string text;        // what merges concatenate
    int id = -1;             // token id (or -1 while unknown)
    bool mergeable = true;   // byte-fallback tokens never merge
};

struct MergeCandidate {
    double priority;  // higher merges first
    int id;           // the merged token's id
};

// best(left, right) -> std::optional<MergeCandidate> for two mergeable
// symbols. Returns the surviving symbols in order.
template <typename Best>
std::vector<MergeSymbol> bpe_merge(std::vector<MergeSymbol> symbols, Best best) {
    const int n = static_cast<int>(symbols.size());
    if (n < 2) return symbols;
    std::vector<int> prev(n), next(n), version(n, 0);
    for (int i = 0; i < n; ++i) {
        prev[i] = i - 1;
        next[i] = i + 1 < n ? i + 1 : -1;
    }
    struct Entry {
        double priority;
        int left, right, left_version, right_version, id;
        bool operator<(const Entry& o) const {  // max-heap: priority, then leftmost
            if (priority != o.priority) return priority < o.priority;
            return left > o.left;
        }
    };
    std::priority_queue<Entry> heap;
    auto consider = [&](int l, int r) {
        if (l < 0 || r < 0 || !symbols[l].mergeable || !symbols[r].mergeable) return;
        if (auto c = best(symbols[l], symbols[r]))
            heap.push({c->priority, l, r, version[l], version[r], c->id});
    };
    for (int i = 0; i + 1 < n; ++i) consider(i, i + 1);
    while (!heap.empty()) {
        const Entry e = heap.top();
        heap.pop();
        // Stale: one side was merged away or changed since this was pushed.
        if (version[e.left] != e.left_version || version[e.right] != e.right_version ||
            next[e.left] != e.right)
            continue;
        symbols[e.left].text += symbols[e.right].text;
        symbols[e.left].id = e.id;
        ++version[e.left];
        version[e.right] = -1;  // dead
        next[e.left] = next[e.right];
        if (next[e.left] >= 0) prev[next[e.left]] = e.left;
        consider(prev[e.left], e.left);
        consider(e.left, next[e.left]);
    }
    std::vector<MergeSymbol> out;
    for (int i = 0; i >= 0; i = next[i]) out.push_back(std::move(symbols[i]));
    return out;
}

}  // namespace waypoint::detail
