#include "formats/pytorch/unpickler.h"

#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "waypoint/error.h"

namespace waypoint::detail::pt {
namespace {

using Kind = Value::Kind;

constexpr size_t kMaxMemo = 1u << 24;     // entries; a real checkpoint has thousands
constexpr size_t kMaxStack = 1u << 24;
constexpr int kMaxDims = 16;

// Classes and functions a checkpoint may name: the weights_only set.
const std::unordered_set<std::string>& allowed_callables() {
    static const std::unordered_set<std::string> s = {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch.Size",
        "builtins.set", "builtins.frozenset", "builtins.list", "builtins.tuple", "builtins.dict",
        "__builtin__.set", "__builtin__.frozenset", "__builtin__.list", "__builtin__.tuple", "__builtin__.dict",
        "_codecs.encode",
    };
    return s;
}

bool dtype_name(const std::string& name) {
    static const std::unordered_set<std::string> s = {
        "torch.float32", "torch.float", "torch.float64", "torch.double", "torch.float16", "torch.half",
        "torch.bfloat16", "torch.int64", "torch.long", "torch.int32", "torch.int", "torch.int16",
        "torch.int8", "torch.uint8", "torch.bool",
    };
    return s.count(name) != 0;
}

class Machine {
public:
    Machine(std::string_view bytes, const std::string& label, const PersistentLoad& load)
        : begin_(reinterpret_cast<const uint8_t*>(bytes.data())), p_(begin_), end_(p_ + bytes.size()), label_(label), load_(load) {}

    ValuePtr run();

private:
    [[noreturn]] void bad(const std::string& what) const {
        throw Error(ErrorKind::BadFormat, label_ + " holds a damaged pickle (" + what + " at byte " +
                                              std::to_string(pos()) + "); re-save the checkpoint with torch.save");
    }
    size_t pos() const { return size_t(p_ - begin_); }
    const uint8_t* take(size_t n) {
        if (size_t(end_ - p_) < n) bad("unexpected end of data");
        const uint8_t* r = p_;
        p_ += n;
        return r;
    }
    uint64_t le(size_t n) {
        const uint8_t* b = take(n);
        uint64_t v = 0;
        for (size_t k = 0; k < n; ++k) v |= uint64_t(b[k]) << (8 * k);
        return v;
    }
    std::string str(size_t n) {
        const uint8_t* b = take(n);
        return std::string(reinterpret_cast<const char*>(b), n);
    }
    std::string line() {
        const uint8_t* nl = static_cast<const uint8_t*>(std::memchr(p_, '\n', size_t(end_ - p_)));
        if (!nl) bad("unterminated GLOBAL");
        std::string s(reinterpret_cast<const char*>(p_), size_t(nl - p_));
        p_ = nl + 1;
        return s;
    }
    void push(ValuePtr v) {
        if (stack_.size() >= kMaxStack) bad("stack too deep");
        stack_.push_back(std::move(v));
    }
    ValuePtr pop() {
        if (stack_.size() <= floor()) bad("stack underflow");
        ValuePtr v = std::move(stack_.back());
        stack_.pop_back();
        return v;
    }
    ValuePtr& top() {
        if (stack_.size() <= floor()) bad("stack underflow");
        return stack_.back();
    }
    size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
    std::vector<ValuePtr> pop_mark() {
        if (marks_.empty()) bad("no MARK");
        size_t m = marks_.back();
        marks_.pop_back();
        std::vector<ValuePtr> items(std::make_move_iterator(stack_.begin() + long(m)),
                                    std::make_move_iterator(stack_.end()));
        stack_.resize(m);
        return items;
    }
    void memo_put(uint64_t idx) {
        if (memo_.size() >= kMaxMemo && !memo_.count(idx)) bad("memo too large");
        memo_[idx] = top();
    }
    ValuePtr memo_get(uint64_t idx) {
        auto it = memo_.find(idx);
        if (it == memo_.end()) bad("memo entry " + std::to_string(idx) + " read before it was written");
        return it->second;
    }
    // Every list, dict, tuple and set this machine makes, so that cycles
    // (DUP + APPEND makes a list that holds itself) can be refused and
    // broken when the machine ends, instead of leaking.
    ValuePtr container(Kind kind) {
        auto v = make_value(kind);
        containers_.push_back(v);
        return v;
    }
    // Items copied by list(x) / tuple(x) / OrderedDict(x): a few bytes of
    // pickle can copy a big list again and again; more copies than the
    // pickle has bytes is an attack, not a checkpoint.
    void charge_copies(size_t n) {
        copied_ += n;
        if (copied_ > 2 * size_t(end_ - begin_) + 4096) bad("containers copied more often than the data can justify");
    }
    void refuse_cycles(const ValuePtr& root) const;
    // Marks what `root` reaches as the caller's (not emptied by ~Machine).
    void keep(const ValuePtr& root) {
        std::vector<const Value*> todo{root.get()};
        while (!todo.empty()) {
            const Value* v = todo.back();
            todo.pop_back();
            if (!v || !kept_.insert(v).second) continue;
            for (const auto& item : v->items) todo.push_back(item.get());
            for (const auto& [k, val] : v->dict) {
                todo.push_back(k.get());
                todo.push_back(val.get());
            }
        }
    }

    ValuePtr tuple(std::vector<ValuePtr> items) {
        auto v = container(Kind::Tuple);
        v->items = std::move(items);
        return v;
    }
    ValuePtr global(const std::string& module, const std::string& name);
    ValuePtr reduce(const ValuePtr& callable, const ValuePtr& args);
    ValuePtr rebuild_tensor(const std::vector<ValuePtr>& a);
    void set_items(Value& dict, std::vector<ValuePtr>& kv);
    void append_items(Value& list, std::vector<ValuePtr>& items);

    const uint8_t* begin_ = nullptr;
    const uint8_t* p_;
    const uint8_t* end_;
    std::string label_;
    const PersistentLoad& load_;
    std::vector<ValuePtr> stack_;
    std::vector<size_t> marks_;
    std::unordered_map<uint64_t, ValuePtr> memo_;
    std::vector<std::weak_ptr<Value>> containers_;
    size_t copied_ = 0;

public:
    // Empties every container still alive that the result does not own
    // (kept_ marks those reachable from a returned result): garbage cycles
    // are broken, the result is left as it is.
    ~Machine() {
        stack_.clear();
        memo_.clear();
        for (auto& w : containers_) {
            if (ValuePtr v = w.lock(); v && !kept_.count(v.get())) {
                v->items.clear();
                v->dict.clear();
            }
        }
    }

private:
    std::unordered_set<const Value*> kept_;
};

// Walks everything reachable from `root` (iteratively) and refuses a
// structure that contains itself: a state dict never does, and code that
// walks values must be able to trust that it ends.
void Machine::refuse_cycles(const ValuePtr& root) const {
    enum Mark : uint8_t { kOpen = 1, kDone = 2 };
    std::unordered_map<const Value*, uint8_t> mark;
    struct Frame {
        const Value* v;
        size_t next;  // index into items, then dict (keys and values)
    };
    std::vector<Frame> path{{root.get(), 0}};
    mark[root.get()] = kOpen;
    while (!path.empty()) {
        Frame& f = path.back();
        const Value* v = f.v;
        const size_t n_items = v->items.size(), n_all = n_items + 2 * v->dict.size();
        if (f.next == n_all) {
            mark[v] = kDone;
            path.pop_back();
            continue;
        }
        const size_t i = f.next++;
        const Value* child = i < n_items ? v->items[i].get()
                                         : ((i - n_items) % 2 == 0 ? v->dict[(i - n_items) / 2].first.get()
                                                                    : v->dict[(i - n_items) / 2].second.get());
        if (!child) continue;
        auto it = mark.find(child);
        if (it != mark.end()) {
            if (it->second == kOpen) bad("a container that holds itself");
            continue;
        }
        mark[child] = kOpen;
        path.push_back({child, 0});
    }
}

ValuePtr Machine::global(const std::string& module, const std::string& name) {
    std::string full = module + "." + name;
    at::ScalarType dt;
    if (allowed_callables().count(full) || storage_dtype(full, &dt) || dtype_name(full)) {
        auto v = make_value(Kind::Global);
        v->s = full;
        return v;
    }
    throw Error(ErrorKind::Unsupported,
                label_ + " asks for the Python object " + full +
                    ", which Waypoint refuses to run; only tensors, containers and plain values are read");
}

void Machine::set_items(Value& dict, std::vector<ValuePtr>& kv) {
    if (kv.size() % 2) bad("odd number of dict items");
    if (dict.kind != Kind::Dict) bad("SETITEMS on a " + describe(dict));
    for (size_t k = 0; k < kv.size(); k += 2) dict.dict.emplace_back(std::move(kv[k]), std::move(kv[k + 1]));
}

void Machine::append_items(Value& list, std::vector<ValuePtr>& items) {
    if (list.kind != Kind::List && list.kind != Kind::Set) bad("APPENDS on a " + describe(list));
    for (auto& it : items) list.items.push_back(std::move(it));
}

// torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
// requires_grad, backward_hooks[, metadata]): a strided view of the storage.
ValuePtr Machine::rebuild_tensor(const std::vector<ValuePtr>& a) {
    if (a.size() < 4 || !a[0] || a[0]->kind != Kind::Storage || a[1]->kind != Kind::Int ||
        a[2]->kind != Kind::Tuple || a[3]->kind != Kind::Tuple)
        bad("_rebuild_tensor_v2 with unexpected arguments");
    const at::Tensor& storage = a[0]->tensor;  // flat [numel]
    const int64_t numel = storage.numel();
    const int64_t offset = a[1]->i;
    const auto& sz = a[2]->items;
    const auto& st = a[3]->items;
    if (sz.size() != st.size() || sz.size() > size_t(kMaxDims)) bad("tensor size/stride mismatch");
    std::vector<int64_t> size, stride;
    int64_t count = 1;      // elements of the view
    int64_t last = offset;  // the furthest element the view touches
    for (size_t d = 0; d < sz.size(); ++d) {
        if (sz[d]->kind != Kind::Int || st[d]->kind != Kind::Int) bad("non-integer tensor size");
        const int64_t n = sz[d]->i, s = st[d]->i;
        if (n < 0 || s < 0) bad("negative tensor size or stride");
        int64_t reach = 0;
        if (__builtin_mul_overflow(count, n, &count) || (n > 0 && __builtin_mul_overflow(n - 1, s, &reach)) ||
            __builtin_add_overflow(last, reach, &last))
            bad("tensor size out of range");
        size.push_back(n);
        stride.push_back(s);
    }
    // A weight never holds more elements than its storage (no overlapping
    // or broadcast views: those would multiply memory on .contiguous()).
    if (offset < 0 || offset > numel || count > numel || (count > 0 && last >= numel))
        bad("tensor view past the end of its storage");
    auto v = make_value(Kind::Tensor);
    v->tensor = storage.as_strided(size, stride, offset);
    return v;
}

ValuePtr Machine::reduce(const ValuePtr& callable, const ValuePtr& args) {
    if (callable->kind != Kind::Global) bad("REDUCE on a " + describe(*callable));
    if (args->kind != Kind::Tuple) bad("REDUCE arguments are not a tuple");
    const std::string& f = callable->s;
    const auto& a = args->items;
    if (f == "torch._utils._rebuild_tensor_v2") return rebuild_tensor(a);
    if (f == "torch._utils._rebuild_parameter" || f == "torch._utils._rebuild_parameter_with_state") {
        if (a.empty() || a[0]->kind != Kind::Tensor) bad("_rebuild_parameter without a tensor");
        return a[0];
    }
    if (f == "collections.OrderedDict" || f == "builtins.dict" || f == "__builtin__.dict") {
        auto d = container(Kind::Dict);
        if (!a.empty()) {  // OrderedDict([(k, v), ...])
            if (a[0]->kind != Kind::List && a[0]->kind != Kind::Tuple) bad("OrderedDict from a " + describe(*a[0]));
            charge_copies(a[0]->items.size());
            for (const auto& kv : a[0]->items) {
                if (kv->kind != Kind::Tuple && kv->kind != Kind::List) bad("OrderedDict item is not a pair");
                if (kv->items.size() != 2) bad("OrderedDict item is not a pair");
                d->dict.emplace_back(kv->items[0], kv->items[1]);
            }
        }
        return d;
    }
    if (f == "torch.Size" || f == "builtins.tuple" || f == "__builtin__.tuple" || f == "builtins.list" ||
        f == "__builtin__.list" || f.find("set") != std::string::npos) {
        Kind k = (f == "torch.Size" || f.find("tuple") != std::string::npos) ? Kind::Tuple
                 : f.find("list") != std::string::npos                        ? Kind::List
                                                                              : Kind::Set;
        auto v = make_value(k);
        if (!a.empty()) {
            if (a[0]->kind != Kind::List && a[0]->kind != Kind::Tuple && a[0]->kind != Kind::Set)
                bad(f + " from a " + describe(*a[0]));
            charge_copies(a[0]->items.size());
            v->items = a[0]->items;
        }
        return v;
    }
    if (f == "_codecs.encode") {  // protocol 2's bytes: encode(latin-1 text, 'latin1')
        if (a.empty() || a[0]->kind != Kind::String) bad("_codecs.encode without text");
        auto v = make_value(Kind::Bytes);
        const std::string& u = a[0]->s;  // UTF-8 of code points < 256
        for (size_t k = 0; k < u.size(); ++k) {
            unsigned char c = static_cast<unsigned char>(u[k]);
            if (c < 0x80) v->s.push_back(char(c));
            else if ((c & 0xE0) == 0xC0 && k + 1 < u.size()) {
                v->s.push_back(char(((c & 0x1F) << 6) | (static_cast<unsigned char>(u[k + 1]) & 0x3F)));
                ++k;
            } else bad("_codecs.encode of non-latin-1 text");
        }
        return v;
    }
    // A dtype or storage class is a value, not something to call.
    throw Error(ErrorKind::Unsupported,
                label_ + " asks to call " + f + ", which Waypoint does not do; only tensors, containers and plain values are read");
}

ValuePtr Machine::run() {
    begin_ = p_;
    while (true) {
        uint8_t op = *take(1);
        switch (op) {
            case 0x80: take(1); break;                 // PROTO
            case 0x95: take(8); break;                 // FRAME (length only)
            case '.': {                                // STOP
                if (stack_.size() != 1 || !marks_.empty()) bad("STOP with a stack of " + std::to_string(stack_.size()));
                ValuePtr result = stack_.back();
                refuse_cycles(result);
                keep(result);
                return result;
            }
            case '(': marks_.push_back(stack_.size()); break;  // MARK
            case '0': pop(); break;                            // POP
            case '1': pop_mark(); break;                       // POP_MARK
            case '2': push(top()); break;                      // DUP
            case 'N': push(make_value(Kind::None)); break;
            case 0x88: case 0x89: {                            // NEWTRUE / NEWFALSE
                auto v = make_value(Kind::Bool);
                v->b = op == 0x88;
                push(v);
                break;
            }
            case 'J': case 'K': case 'M': {                    // BININT, BININT1, BININT2
                auto v = make_value(Kind::Int);
                if (op == 'J') v->i = int32_t(uint32_t(le(4)));
                else v->i = int64_t(le(op == 'K' ? 1 : 2));
                push(v);
                break;
            }
            case 0x8a: case 0x8b: {                            // LONG1 / LONG4
                uint64_t n = op == 0x8a ? le(1) : le(4);
                if (n > 8) bad("integer wider than 64 bits");
                auto v = make_value(Kind::Int);
                uint64_t u = n ? le(size_t(n)) : 0;
                if (n && n < 8 && (u >> (8 * n - 1)) & 1) u |= ~uint64_t(0) << (8 * n);  // sign-extend
                v->i = int64_t(u);
                push(v);
                break;
            }
            case 'G': {                                        // BINFLOAT, big-endian
                const uint8_t* b = take(8);
                uint64_t u = 0;
                for (int k = 0; k < 8; ++k) u = (u << 8) | b[k];
                auto v = make_value(Kind::Float);
                std::memcpy(&v->f, &u, 8);
                push(v);
                break;
            }
            case 'X': case 0x8c: case 0x8d: case 'T': case 'U': {  // unicode / py2 str
                uint64_t n = (op == 0x8c || op == 'U') ? le(1) : op == 0x8d ? le(8) : le(4);
                if (n > size_t(end_ - p_)) bad("string past the end");
                auto v = make_value(Kind::String);
                v->s = str(size_t(n));
                push(v);
                break;
            }
            case 'B': case 'C': case 0x8e: {                   // BINBYTES, SHORT_BINBYTES, BINBYTES8
                uint64_t n = op == 'C' ? le(1) : op == 0x8e ? le(8) : le(4);
                if (n > size_t(end_ - p_)) bad("bytes past the end");
                auto v = make_value(Kind::Bytes);
                v->s = str(size_t(n));
                push(v);
                break;
            }
            case '}': push(container(Kind::Dict)); break;
            case ']': push(container(Kind::List)); break;
            case ')': push(container(Kind::Tuple)); break;
            case 0x8f: push(container(Kind::Set)); break;     // EMPTY_SET
            case 'd': {                                        // DICT
                auto items = pop_mark();
                auto d = container(Kind::Dict);
                set_items(*d, items);
                push(d);
                break;
            }
            case 'l': {                                        // LIST
                auto v = container(Kind::List);
                v->items = pop_mark();
                push(v);
                break;
            }
            case 't': push(tuple(pop_mark())); break;
            case 0x91: {                                       // FROZENSET
                auto v = container(Kind::Set);
                v->items = pop_mark();
                push(v);
                break;
            }
            case 0x85: case 0x86: case 0x87: {                 // TUPLE1..3
                size_t n = size_t(op - 0x84);
                if (stack_.size() < floor() + n) bad("stack underflow");
                std::vector<ValuePtr> items(stack_.end() - long(n), stack_.end());
                stack_.resize(stack_.size() - n);
                push(tuple(std::move(items)));
                break;
            }
            case 's': {                                        // SETITEM
                auto v = pop();
                auto k = pop();
                std::vector<ValuePtr> kv{k, v};
                set_items(*top(), kv);
                break;
            }
            case 'u': {                                        // SETITEMS
                auto kv = pop_mark();
                set_items(*top(), kv);
                break;
            }
            case 'a': {                                        // APPEND
                std::vector<ValuePtr> one{pop()};
                append_items(*top(), one);
                break;
            }
            case 'e': case 0x90: {                             // APPENDS / ADDITEMS
                auto items = pop_mark();
                append_items(*top(), items);
                break;
            }
            case 'c': {                                        // GLOBAL
                std::string module = line();
                std::string name = line();
                push(global(module, name));
                break;
            }
            case 0x93: {                                       // STACK_GLOBAL
                auto name = pop();
                auto module = pop();
                if (module->kind != Kind::String || name->kind != Kind::String) bad("STACK_GLOBAL of non-strings");
                push(global(module->s, name->s));
                break;
            }
            case 'R': {                                        // REDUCE
                auto args = pop();
                auto f = pop();
                push(reduce(f, args));
                break;
            }
            case 0x81: {                                       // NEWOBJ cls(*args)
                auto args = pop();
                auto cls = pop();
                push(reduce(cls, args));
                break;
            }
            case 'b': {                                        // BUILD: state of an allowed object
                auto state = pop();
                Value& obj = *top();
                // OrderedDict state dicts carry `_metadata` as attribute state;
                // tensors from _rebuild_parameter_with_state may carry some too.
                // Neither matters for inference, so the state is dropped.
                if (obj.kind != Kind::Dict && obj.kind != Kind::Tensor) bad("BUILD on a " + describe(obj));
                break;
            }
            case 'Q': {                                        // BINPERSID
                auto pid = pop();
                if (!load_) bad("persistent id in a plain pickle");
                push(load_(*pid));
                break;
            }
            case 'h': push(memo_get(le(1))); break;            // BINGET
            case 'j': push(memo_get(le(4))); break;            // LONG_BINGET
            case 'q': memo_put(le(1)); break;                  // BINPUT
            case 'r': memo_put(le(4)); break;                  // LONG_BINPUT
            case 0x94: memo_put(memo_.size()); break;          // MEMOIZE
            default: {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02x", op);
                bad(std::string("unsupported pickle opcode ") + hex);
            }
        }
    }
}

}  // namespace

bool storage_dtype(const std::string& name, at::ScalarType* dtype) {
    static const std::unordered_map<std::string, at::ScalarType> m = {
        {"torch.FloatStorage", at::kFloat},   {"torch.DoubleStorage", at::kDouble},
        {"torch.HalfStorage", at::kHalf},     {"torch.BFloat16Storage", at::kBFloat16},
        {"torch.LongStorage", at::kLong},     {"torch.IntStorage", at::kInt},
        {"torch.ShortStorage", at::kShort},   {"torch.CharStorage", at::kChar},
        {"torch.ByteStorage", at::kByte},     {"torch.BoolStorage", at::kBool},
    };
    auto it = m.find(name);
    if (it == m.end()) return false;
    if (dtype) *dtype = it->second;
    return true;
}

ValuePtr unpickle(std::string_view bytes, const std::string& label, const PersistentLoad& persistent_load) {
    Machine m(bytes, label, persistent_load);
    return m.run();
}

}  // namespace waypoint::detail::pt
